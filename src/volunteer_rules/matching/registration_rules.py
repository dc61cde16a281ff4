"""Registration rule sets: the data of who may register, the built-in sets, and their registry.

A :class:`RegistrationRules` holds one source's conditions (minimum age, guardian consent,
the self-supporting exception, accompaniment, categories barred to minors, children's data,
consent to entry) with its references. The built-in rule sets (:data:`BUILT_IN`) are bound to
regions (:data:`REGISTRATION_BINDINGS`) in :data:`DEFAULT_REGISTRATION_REGISTRY`; a
:class:`RegistrationRegistry` derived from it carries an integrator's own.
:func:`get_registration_rules` and :func:`registration_rules_for_region` look one up.
:func:`volunteer_rules.matching.registration.check_registration` applies one, and
:mod:`volunteer_rules.matching.registration` re-exports every public name here.

Example:
    >>> registration_rules_for_region("330203").id, get_registration_rules("cn-cyl").minimum_age
    ('cn-ningbo', 14)
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, Final

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import require_iterable
from volunteer_rules.errors import InvalidTypeError, RuleSetError, UnknownRuleSetError
from volunteer_rules.records.region import RegionCode
from volunteer_rules.rules.rule_set import Reference

__all__ = [
    "ADULT_AGE",
    "CHILD_DATA_AGE",
    "DEFAULT_REGISTRATION_REGISTRY",
    "REGISTRATION_BINDINGS",
    "RegistrationRegistry",
    "RegistrationRules",
    "cite",
    "get_registration_rules",
    "registration_rule_set_ids",
    "registration_rules_for_region",
]

ADULT_AGE: Final = 18
"""Full civil capacity at 18 [CIVIL Art 17]."""

CHILD_DATA_AGE: Final = 14
"""A child under this age has sensitive personal data needing guardian consent [PIPL 28, 31]."""


def cite(reference: Reference) -> str:
    """A reference as it appears in a reason's ``source``: ``[KEY Art n]``.

    Example:
        >>> cite(Reference(key="PIPL", document="个人信息保护法", article="Art 31"))
        '[PIPL Art 31]'
    """
    return f"[{reference.key} {reference.article}]" if reference.article else f"[{reference.key}]"


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
    return frozenset(require_iterable(value, "categories", "must be a collection of names"))


def _references(value: Iterable[Reference]) -> tuple[Reference, ...]:
    return tuple(require_iterable(value, "references", "must be an iterable of Reference"))


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


def _frozen_map(value: Mapping[str, Any], what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidTypeError(what, f"must be a mapping, not {type(value).__name__}")
    return MappingProxyType(dict(value))


def _rule_sets(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return _frozen_map(value, "rule_sets")


def _bindings(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return _frozen_map(value, "bindings")


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

    rule_sets: Mapping[str, RegistrationRules] = attrs.field(converter=_rule_sets)
    bindings: Mapping[str, str] = attrs.field(converter=_bindings, factory=dict)
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
        if not isinstance(self.default_id, str) or self.default_id not in self.rule_sets:
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
