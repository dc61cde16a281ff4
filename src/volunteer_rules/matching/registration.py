"""Who may register as a volunteer: age, guardian consent and consent to data entry.

Registration eligibility is rule-set data (:class:`RegistrationRules`), one built-in rule set
per source, each with its references. :func:`check_registration` applies one to a volunteer's
profile on a given day and returns every unmet condition as a :class:`Reason` (a value with a
``code`` and a ``message``), never an exception.

What the rules say, and where (keys of ``docs/sources.md``):

* No national minimum age. The State Council's 志愿服务条例 has no minimum age and no
  guardian-consent clause; tasks must suit the volunteer's age, knowledge, skills and health
  [REG2017 Art 15]. That suitability is the demand's business (its minimum age, its
  minors-barred flag), see :mod:`volunteer_rules.matching.assignment`.
* Communist Youth League: under 14 refused; 14 to 17 only with a legal representative's
  consent, unless 16 or older and living on their own earnings, who count as adults
  [CYL; CIVIL Art 18]. Beijing: from 14, guardian consent under 18 [BJ-old].
* Shanghai: minors need guardian consent [SH Art 13]. Zhejiang, Shandong, Henan, Ningbo,
  Tai'an and Chongqing: minors serve with guardian consent *or accompaniment*
  [ZJ Art 9; SD Art 10; HN Art 8; NB Art 10; TA; CQ Art 9]; Zhejiang, Shandong, Ningbo and
  Tai'an also bar minors from disaster relief (抢险救灾), the ``emergency_rescue`` category.
* Everywhere: the personal data of a child under 14 is sensitive and is processed only with
  a parent's or guardian's consent [PIPL Art 28, Art 31]; an organization enters a
  volunteer's basic information only with the volunteer's consent [MCA2020 Art 6;
  MCA2012 Art 6].

Age is counted in whole years from the birth date (a profile's birth date always agrees with
its resident ID's): a person turns ``n`` on their birthday, and someone born on 29 February
turns ``n`` on 1 March in a year without one (:func:`volunteer_rules.records.profile.age_on`).

Example:
    >>> from datetime import date
    >>> from volunteer_rules.matching.registration import check_registration, get_registration_rules
    >>> from volunteer_rules.testing.matching_examples import sample_profile
    >>> teen = sample_profile(birth_date=date(2010, 5, 1))
    >>> [r.code for r in check_registration(teen, rules="cn-cyl", as_of=date(2024, 5, 1))]
    ['guardian_consent_missing']
    >>> [r.code for r in check_registration(teen, rules="cn-cyl", as_of=date(2024, 4, 30))]
    ['below_minimum_age', 'guardian_consent_missing', 'child_data_consent_missing']
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, Final, Literal

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules.errors import (
    InvalidTypeError,
    InvalidValueError,
    RuleSetError,
    UnknownRuleSetError,
)
from volunteer_rules.records.profile import VolunteerProfile, age_on
from volunteer_rules.records.region import RegionCode
from volunteer_rules.rules.rule_set import Reference

__all__ = [
    "ADULT_AGE",
    "CHILD_DATA_AGE",
    "DEFAULT_REGISTRATION_REGISTRY",
    "REGISTRATION_BINDINGS",
    "REGISTRATION_CODES",
    "Reason",
    "RegistrationRegistry",
    "RegistrationRules",
    "check_registration",
    "cite",
    "get_registration_rules",
    "registration_rule_set_ids",
    "registration_rules_for_region",
]

ADULT_AGE: Final = 18
"""Full civil capacity at 18 [CIVIL Art 17]."""

CHILD_DATA_AGE: Final = 14
"""A child under this age has sensitive personal data needing guardian consent [PIPL 28, 31]."""

REGISTRATION_CODES: Final[Mapping[str, str]] = {
    "below_minimum_age": "younger than the rule set's minimum age on the day",
    "guardian_consent_missing": "a minor without the guardian's consent where it is needed",
    "child_data_consent_missing": "a child under 14 without the guardian's consent to data use",
    "entry_consent_missing": "an organization entered the basic information without consent",
}
"""The codes :func:`check_registration` returns, with what each means."""

EnteredBy = Literal["volunteer", "organization"]


def cite(reference: Reference) -> str:
    """A reference as it appears in a reason's ``source``: ``[KEY Art n]``.

    Example:
        >>> cite(Reference(key="PIPL", document="个人信息保护法", article="Art 31"))
        '[PIPL Art 31]'
    """
    return f"[{reference.key} {reference.article}]" if reference.article else f"[{reference.key}]"


@masked_repr
@attrs.frozen(kw_only=True)
class Reason:
    """One unmet condition: a stable ``code``, a sentence, and the rule's source.

    Attributes:
        code: a stable code (:data:`REGISTRATION_CODES`; assignments add theirs).
        message: one sentence a coordinator can act on (never a full ID number).
        source: the references behind the rule, such as ``"[CYL] [CIVIL Art 18]"``.
        slot: the index of the demand's time slot it concerns, or ``None`` for all.

    Example:
        >>> Reason(code="skill_missing", message="lacks first_aid").code
        'skill_missing'
    """

    code: str
    message: str
    source: str = ""
    slot: int | None = None


def _check_age(instance: RegistrationRules, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None and attribute.name in (
        "minimum_age",
        "guardian_consent_below",
        "self_supporting_from",
    ):
        return
    if type(value) is not int or not 0 <= value <= 150:
        raise RuleSetError(
            str(getattr(instance, "id", "")), f"{attribute.name} must be an int from 0 to 150"
        )


def _frozen_names(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


def _references(value: Iterable[Reference]) -> tuple[Reference, ...]:
    return tuple(value)


@masked_repr
@attrs.frozen(kw_only=True)
class RegistrationRules:
    """A registration rule set: who may register, with whose consent, under which sources.

    Ages are whole years on the day (:func:`volunteer_rules.records.profile.age_on`); every bound is
    "younger than": ``minimum_age=14`` refuses 13-year-olds and admits on the 14th birthday.

    Attributes:
        id: stable id (``cn-cyl``).
        name: English name.
        name_zh: Chinese name.
        minimum_age: refused when younger (``below_minimum_age``); ``None`` for no minimum.
        guardian_consent_below: the guardian must consent when younger than this
            (``guardian_consent_missing``); ``None`` when the source says nothing.
        self_supporting_from: a self-supporting volunteer this old or older needs no consent
            [CIVIL Art 18]; ``None`` when the rule set has no such exception.
        accompaniment_suffices: whether a guardian accompanying the minor on the task may take
            the place of consent; then registration does not ask for consent, and each task
            asks for consent or a demand on which a guardian accompanies.
        minors_barred_categories: service categories no minor may serve in (disaster relief).
        child_data_age: a child younger than this needs the guardian's consent to the
            processing of their data (``child_data_consent_missing``) [PIPL Art 31].
        organization_entry_needs_consent: an organization entering the basic information
            needs the volunteer's consent (``entry_consent_missing``) [MCA2020 Art 6].
        references: the sources.

    Raises:
        RuleSetError: an age outside 0..150, or bounds that contradict each other.

    Example:
        >>> rules = get_registration_rules("cn-cyl")
        >>> rules.minimum_age, rules.guardian_consent_below, rules.self_supporting_from
        (14, 18, 16)
        >>> RegistrationRules(id="x", name="x", name_zh="x", minimum_age=200)
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.RuleSetError: rule set x: minimum_age must be an int from 0 to 150
    """

    id: str
    name: str
    name_zh: str
    minimum_age: int | None = attrs.field(default=None, validator=_check_age)
    guardian_consent_below: int | None = attrs.field(default=None, validator=_check_age)
    self_supporting_from: int | None = attrs.field(default=None, validator=_check_age)
    accompaniment_suffices: bool = False
    minors_barred_categories: frozenset[str] = attrs.field(
        default=frozenset(), converter=_frozen_names
    )
    child_data_age: int = attrs.field(default=CHILD_DATA_AGE, validator=_check_age)
    organization_entry_needs_consent: bool = True
    references: tuple[Reference, ...] = attrs.field(default=(), converter=_references)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise RuleSetError("", "id must be a non-empty string")
        if self.self_supporting_from is not None and self.guardian_consent_below is None:
            raise RuleSetError(self.id, "self_supporting_from needs guardian_consent_below")

    def source(self, *keys: str) -> str:
        """The references among this rule set's whose key is one of ``keys``, as one string.

        Example:
            >>> get_registration_rules("cn-cyl").source("CIVIL")
            '[CIVIL Art 18]'
        """
        return " ".join(cite(r) for r in self.references if r.key in keys)


def check_registration(
    profile: VolunteerProfile,
    *,
    rules: RegistrationRules | str,
    as_of: _dt.date,
    entered_by: EnteredBy = "volunteer",
) -> tuple[Reason, ...]:
    """Every condition of ``rules`` the volunteer does not meet on ``as_of``; empty if none.

    Conditions, in this order (the codes of :data:`REGISTRATION_CODES`):

    1. ``below_minimum_age``: younger than ``rules.minimum_age`` on ``as_of``.
    2. ``guardian_consent_missing``: younger than ``rules.guardian_consent_below``, not
       self-supporting at ``rules.self_supporting_from`` or older, and no ``guardian``
       consent (not asked at registration where accompaniment may take its place).
    3. ``child_data_consent_missing``: younger than ``rules.child_data_age`` (14) and no
       ``guardian_data`` consent [PIPL Art 31].
    4. ``entry_consent_missing``: ``entered_by="organization"`` and no ``basic_info_entry``
       consent [MCA2020 Art 6].

    Args:
        profile: the volunteer's basic information.
        rules: a rule set or the id of a registered one.
        as_of: the day of registration (ages are counted on it).
        entered_by: who entered the basic information.

    Raises:
        UnknownRuleSetError: ``rules`` is an id no rule set is registered under.
        InvalidTypeError: a wrong type for any argument.

    Example:
        >>> from datetime import date
        >>> from volunteer_rules.testing.matching_examples import sample_profile
        >>> adult = sample_profile(birth_date=date(1990, 1, 1), consents=())
        >>> check_registration(adult, rules="cn-national", as_of=date(2024, 1, 1))
        ()
        >>> [r.code for r in check_registration(
        ...     adult, rules="cn-national", as_of=date(2024, 1, 1), entered_by="organization")]
        ['entry_consent_missing']
    """
    rule_set = _rules(rules)
    _check_profile(profile)
    day = _check_day(as_of, "as_of")
    if entered_by not in ("volunteer", "organization"):
        raise InvalidValueError("entered_by", "must be 'volunteer' or 'organization'")
    age = age_on(profile.birth_date, day)
    reasons = list(personal_reasons(profile, rule_set, age, accompanied=True))
    if (
        entered_by == "organization"
        and rule_set.organization_entry_needs_consent
        and ("basic_info_entry" not in profile.consents)
    ):
        reasons.append(
            Reason(
                code="entry_consent_missing",
                message="an organization entered the basic information without the "
                "volunteer's consent (basic_info_entry)",
                source=rule_set.source("MCA2020", "MCA2012-a"),
            )
        )
    return tuple(reasons)


def personal_reasons(
    profile: VolunteerProfile,
    rules: RegistrationRules,
    age: int,
    *,
    accompanied: bool,
    slot: int | None = None,
) -> Iterable[Reason]:
    """The age and consent conditions of ``rules`` for a volunteer ``age`` years old.

    ``accompanied`` tells whether a guardian accompanies (registration passes ``True``: where
    accompaniment suffices, registration asks no consent; a task asks it unless the demand has
    a guardian accompany). Used by :func:`check_registration` and by the task checks.

    Example:
        >>> from volunteer_rules.testing.matching_examples import sample_profile
        >>> rules = get_registration_rules("cn-zhejiang")
        >>> [r.code for r in personal_reasons(sample_profile(consents=()), rules, 15,
        ...                                   accompanied=False)]
        ['guardian_consent_missing']
    """
    consents = profile.consents
    if rules.minimum_age is not None and age < rules.minimum_age:
        yield Reason(
            code="below_minimum_age",
            message=f"aged {age}; {rules.id} admits volunteers from {rules.minimum_age}",
            source=rules.source("CYL", "BJ-old"),
            slot=slot,
        )
    below = rules.guardian_consent_below
    if below is not None and age < below and "guardian" not in consents:
        exempt = (
            rules.self_supporting_from is not None
            and age >= rules.self_supporting_from
            and profile.self_supporting
        )
        waived = rules.accompaniment_suffices and accompanied
        if not exempt and not waived:
            also = " or accompaniment" if rules.accompaniment_suffices else ""
            yield Reason(
                code="guardian_consent_missing",
                message=f"aged {age}; under {below} a volunteer needs the guardian's "
                f"consent{also} under {rules.id}",
                source=" ".join(cite(r) for r in rules.references if r.key != "PIPL"),
                slot=slot,
            )
    if age < rules.child_data_age and "guardian_data" not in consents:
        yield Reason(
            code="child_data_consent_missing",
            message=f"aged {age}; the data of a child under {rules.child_data_age} is "
            "processed only with the guardian's consent (guardian_data)",
            source=rules.source("PIPL"),
            slot=slot,
        )


def _check_day(value: object, what: str) -> _dt.date:
    if not isinstance(value, _dt.date) or isinstance(value, _dt.datetime):
        raise InvalidTypeError(what, f"must be a date, not {type(value).__name__}")
    return value


def _check_profile(profile: object) -> None:
    if not isinstance(profile, VolunteerProfile):
        raise InvalidTypeError(
            "profile", f"must be a VolunteerProfile, not {type(profile).__name__}"
        )


def _rules(rules: object) -> RegistrationRules:
    if isinstance(rules, RegistrationRules):
        return rules
    if isinstance(rules, str):
        return DEFAULT_REGISTRATION_REGISTRY.get(rules)
    raise InvalidTypeError(
        "rules", f"must be a RegistrationRules or a rule set id, not {type(rules).__name__}"
    )


_PIPL = Reference(
    key="PIPL",
    document="个人信息保护法",
    article="Art 31",
    date=_dt.date(2021, 8, 20),
    note="a child under 14: sensitive data (Art 28), processed with guardian consent",
)
_MCA2020 = Reference(
    key="MCA2020",
    document="志愿服务记录与证明出具办法（试行）",
    article="Art 6",
    date=_dt.date(2020, 12, 28),
    note="an organization enters the basic information only with the volunteer's consent",
)
_MCA2012 = Reference(
    key="MCA2012-a",
    document="志愿服务记录办法",
    article="Art 6",
    date=_dt.date(2012, 10, 23),
    note="further personal data only with consent; final text read in part",
)
_COMMON = (_PIPL, _MCA2020, _MCA2012)


def _provincial(
    rule_id: str,
    name: str,
    document: str,
    key: str,
    article: str | None,
    date: _dt.date,
    *,
    barred: bool,
) -> RegistrationRules:
    note = "people of limited capacity serve with guardian consent or accompaniment"
    if barred:
        note += "; minors barred from disaster relief (抢险救灾) and other dangerous work"
    return RegistrationRules(
        id=rule_id,
        name=name,
        name_zh=document,
        guardian_consent_below=ADULT_AGE,
        accompaniment_suffices=True,
        minors_barred_categories=frozenset({"emergency_rescue"}) if barred else frozenset(),
        references=(
            Reference(key=key, document=document, article=article, date=date, note=note),
            *_COMMON,
        ),
    )


BUILT_IN: Final[tuple[RegistrationRules, ...]] = (
    RegistrationRules(
        id="cn-national",
        name="State Council regulations (no minimum age)",
        name_zh="志愿服务条例",
        references=(
            Reference(
                key="REG2017",
                document="志愿服务条例",
                article="Art 15",
                date=_dt.date(2017, 8, 22),
                note="no minimum age, no guardian clause; tasks suit age, skills and health",
            ),
            *_COMMON,
        ),
    ),
    RegistrationRules(
        id="cn-cyl",
        name="Communist Youth League registered volunteers",
        name_zh="中国注册志愿者管理办法",
        minimum_age=14,
        guardian_consent_below=ADULT_AGE,
        self_supporting_from=16,
        references=(
            Reference(
                key="CYL",
                document="中国注册志愿者管理办法",
                note="from 14; 14-17 with a legal representative's consent; read from a "
                "secondary source",
            ),
            Reference(
                key="CIVIL",
                document="民法典",
                article="Art 18",
                note="16 or older and living on their own earnings: full capacity",
            ),
            *_COMMON,
        ),
    ),
    RegistrationRules(
        id="cn-beijing",
        name="Beijing volunteers",
        name_zh="北京市志愿者管理办法",
        minimum_age=14,
        guardian_consent_below=ADULT_AGE,
        references=(
            Reference(
                key="BJ-old",
                document="北京市志愿者管理办法（试行）",
                note="registration from 14, guardian consent under 18; secondary source",
            ),
            Reference(
                key="BJ",
                document="北京市志愿服务促进条例",
                article="Art 12",
                date=_dt.date(2020, 12, 25),
                note="minors' tasks suit their age",
            ),
            *_COMMON,
        ),
    ),
    RegistrationRules(
        id="cn-shanghai",
        name="Shanghai volunteer service regulations",
        name_zh="上海市志愿服务条例",
        guardian_consent_below=ADULT_AGE,
        references=(
            Reference(
                key="SH",
                document="上海市志愿服务条例",
                article="Art 13",
                date=_dt.date(2019, 11, 15),
                note="minors need guardian consent",
            ),
            *_COMMON,
        ),
    ),
    _provincial(
        "cn-zhejiang",
        "Zhejiang volunteer service regulations",
        "浙江省志愿服务条例",
        "ZJ",
        "Art 9",
        _dt.date(2018, 7, 27),
        barred=True,
    ),
    _provincial(
        "cn-shandong",
        "Shandong volunteer service regulations",
        "山东省志愿服务条例",
        "SD",
        "Art 10",
        _dt.date(2021, 12, 3),
        barred=True,
    ),
    _provincial(
        "cn-henan",
        "Henan volunteer service regulations",
        "河南省志愿服务条例",
        "HN",
        "Art 8",
        _dt.date(2018, 11, 30),
        barred=False,
    ),
    _provincial(
        "cn-ningbo",
        "Ningbo volunteer service regulations",
        "宁波市志愿服务条例",
        "NB",
        "Art 10",
        _dt.date(2021, 12, 3),
        barred=True,
    ),
    _provincial(
        "cn-taian",
        "Tai'an volunteer service promotion regulations",
        "泰安市志愿服务促进条例",
        "TA",
        None,
        _dt.date(2022, 1, 21),
        barred=True,
    ),
    _provincial(
        "cn-chongqing",
        "Chongqing volunteer service regulations",
        "重庆市志愿服务条例",
        "CQ",
        "Art 9",
        _dt.date(2015, 5, 28),
        barred=False,
    ),
)
"""The built-in registration rule sets (national first, then by source)."""


REGISTRATION_BINDINGS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "110000": "cn-beijing",  # 北京市 [BJ-old]
        "310000": "cn-shanghai",  # 上海市 [SH Art 13]
        "330000": "cn-zhejiang",  # 浙江省 [ZJ Art 9]
        "330200": "cn-ningbo",  # 宁波市 [NB Art 10]
        "370000": "cn-shandong",  # 山东省 [SD Art 10]
        "370900": "cn-taian",  # 泰安市 [TA]
        "410000": "cn-henan",  # 河南省 [HN Art 8]
        "500000": "cn-chongqing",  # 重庆市 [CQ Art 9]
    }
)
"""Built-in region bindings: GB/T 2260 code to registration rule set id. Unbound regions
inherit their parent's; a province without one gets ``cn-national``."""


def _frozen_map(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


@masked_repr
@attrs.frozen(kw_only=True)
class RegistrationRegistry:
    """An immutable set of registration rule sets by id, with region bindings and a default.

    The same shape as the certification rule sets' registry
    (:class:`volunteer_rules.rules.schemes.RuleSetRegistry`): integrators derive a registry with
    their own rule sets and bindings and pass it as ``registry=``; nothing global changes.

    Attributes:
        rule_sets: ``{id: RegistrationRules}``.
        bindings: ``{region code: rule set id}``.
        default_id: the rule set of a region with no binding on its way up.

    Raises:
        RuleSetError: a rule set under another id, an unknown region or rule set id.

    Example:
        >>> mine = RegistrationRules(id="x-panjin", name="Panjin", name_zh="盘锦", minimum_age=12)
        >>> registry = DEFAULT_REGISTRATION_REGISTRY.with_rules(mine).with_binding("211100", mine.id)
        >>> registry.for_region("211103").id, DEFAULT_REGISTRATION_REGISTRY.for_region("211103").id
        ('x-panjin', 'cn-national')
    """

    rule_sets: Mapping[str, RegistrationRules] = attrs.field(converter=_frozen_map)
    bindings: Mapping[str, str] = attrs.field(converter=_frozen_map, factory=dict)
    default_id: str = "cn-national"

    def __attrs_post_init__(self) -> None:
        for key, value in self.rule_sets.items():
            if not isinstance(value, RegistrationRules) or value.id != key:
                raise RuleSetError(str(key), "must map to the RegistrationRules of that id")
        for code, rule_set_id in self.bindings.items():
            if not RegionCode.is_known(code):
                raise RuleSetError(str(rule_set_id), f"{code!r} is not a known region code")
            if rule_set_id not in self.rule_sets:
                raise UnknownRuleSetError(str(rule_set_id))
        if self.default_id not in self.rule_sets:
            raise UnknownRuleSetError(str(self.default_id))

    def ids(self) -> tuple[str, ...]:
        """The registered ids, sorted.

        Example:
            >>> DEFAULT_REGISTRATION_REGISTRY.ids()[:3]
            ('cn-beijing', 'cn-chongqing', 'cn-cyl')
        """
        return tuple(sorted(self.rule_sets))

    def get(self, rule_set_id: str) -> RegistrationRules:
        """The rule set registered under ``rule_set_id``.

        Raises:
            UnknownRuleSetError: no rule set has that id.

        Example:
            >>> DEFAULT_REGISTRATION_REGISTRY.get("cn-cyl").minimum_age
            14
        """
        found = self.rule_sets.get(rule_set_id) if isinstance(rule_set_id, str) else None
        if found is None:
            raise UnknownRuleSetError(
                str(rule_set_id),
                f"no registration rule set is registered under the id {rule_set_id!r}",
            )
        return found

    def with_rules(
        self, rules: RegistrationRules, *, replace: bool = False
    ) -> RegistrationRegistry:
        """A registry that also holds ``rules`` (the same again is a no-op).

        Raises:
            RuleSetError: other rules are registered under the id and ``replace`` is false.

        Example:
            >>> same = DEFAULT_REGISTRATION_REGISTRY.with_rules(get_registration_rules("cn-cyl"))
            >>> same == DEFAULT_REGISTRATION_REGISTRY
            True
        """
        if not isinstance(rules, RegistrationRules):
            raise InvalidTypeError(
                "rules", f"must be a RegistrationRules, not {type(rules).__name__}"
            )
        existing = self.rule_sets.get(rules.id)
        if existing is not None and existing != rules and not replace:
            raise RuleSetError(rules.id, "a different rule set is registered under this id")
        return attrs.evolve(self, rule_sets={**self.rule_sets, rules.id: rules})

    def with_binding(self, region: RegionCode | str, rule_set_id: str) -> RegistrationRegistry:
        """A registry where ``region`` (and every region in it) uses ``rule_set_id``.

        Example:
            >>> DEFAULT_REGISTRATION_REGISTRY.with_binding("210000", "cn-cyl").for_region(
            ...     "211103").id
            'cn-cyl'
        """
        code = _region(region)
        self.get(rule_set_id)
        return attrs.evolve(self, bindings={**self.bindings, code.code: rule_set_id})

    def for_region(self, region: RegionCode | str) -> RegistrationRules:
        """The rule set bound to ``region`` or, failing that, to its nearest ancestor.

        Example:
            >>> DEFAULT_REGISTRATION_REGISTRY.for_region("330203").id
            'cn-ningbo'
        """
        for ancestor in _region(region).ancestors():
            bound = self.bindings.get(ancestor.code)
            if bound is not None:
                return self.rule_sets[bound]
        return self.rule_sets[self.default_id]


def _region(region: object) -> RegionCode:
    if isinstance(region, RegionCode):
        return region
    if not isinstance(region, str):
        raise InvalidTypeError("region", "must be a RegionCode or a six-digit code")
    return RegionCode.parse(region)


DEFAULT_REGISTRATION_REGISTRY: Final = RegistrationRegistry(
    rule_sets={rules.id: rules for rules in BUILT_IN}, bindings=REGISTRATION_BINDINGS
)
"""The built-in registration rule sets and their region bindings."""


def _registry(registry: object) -> RegistrationRegistry:
    if registry is None:
        return DEFAULT_REGISTRATION_REGISTRY
    if not isinstance(registry, RegistrationRegistry):
        raise InvalidTypeError("registry", "must be a RegistrationRegistry or None")
    return registry


def registration_rule_set_ids(*, registry: RegistrationRegistry | None = None) -> tuple[str, ...]:
    """The ids of the registration rule sets (the built-in ones by default), sorted.

    Example:
        >>> registration_rule_set_ids()[:3]
        ('cn-beijing', 'cn-chongqing', 'cn-cyl')
    """
    return _registry(registry).ids()


def get_registration_rules(
    rule_set_id: str, *, registry: RegistrationRegistry | None = None
) -> RegistrationRules:
    """The registration rule set registered under ``rule_set_id``.

    Raises:
        UnknownRuleSetError: no rule set is registered under that id.

    Example:
        >>> get_registration_rules("cn-shanghai").name_zh
        '上海市志愿服务条例'
    """
    return _registry(registry).get(rule_set_id)


def registration_rules_for_region(
    region: RegionCode | str, *, registry: RegistrationRegistry | None = None
) -> RegistrationRules:
    """The rule set that applies in ``region``: the most specific one bound to it or above.

    A county inherits its city's rule set, a city its province's, a province the national
    default (``cn-national``).

    Raises:
        InvalidIdentifierError: an unknown region code.

    Example:
        >>> registration_rules_for_region("330203").id  # a district of Ningbo
        'cn-ningbo'
        >>> registration_rules_for_region("330100").id  # Hangzhou: Zhejiang's
        'cn-zhejiang'
        >>> registration_rules_for_region("211103").id  # Panjin: the national default
        'cn-national'
    """
    return _registry(registry).for_region(region)
