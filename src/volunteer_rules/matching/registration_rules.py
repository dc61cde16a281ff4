"""Registration rule sets: the data of who may register, the built-in sets, and their registry.

A :class:`RegistrationRules` holds one source's conditions (minimum age, guardian consent,
the self-supporting exception, accompaniment, categories barred to minors, children's data,
consent to entry) with its references. The built-in rule sets (:data:`BUILT_IN`) are bound to
regions (:data:`REGISTRATION_BINDINGS`) in :data:`DEFAULT_REGISTRATION_REGISTRY`; a
:class:`RegistrationRegistry` derived from it carries an integrator's own.
:func:`get_registration_rules` and :func:`registration_rules_for_region` look one up.
:func:`volunteer_rules.matching.registration.check_registration` applies one, and
:mod:`volunteer_rules.matching.registration` re-exports every public name here. The class itself
is defined in :mod:`volunteer_rules.matching._registration_set`, re-exported here too.

Each rule set is in force from ``valid_from`` to ``valid_until`` (both inclusive, either
``None`` for no bound), the date its source took effect, cited in its first reference's note;
the region lookup takes the day (``as_of``) and passes over a rule set not in force on it.
The conditions every rule set shares apply from the day their own source took effect, whatever
the rule set's dates: a child's data from :data:`CHILD_DATA_FROM` [PIPL], entry by an
organization from :data:`ENTRY_CONSENT_FROM` [MCA2020]; the references' notes cite those days.

Example:
    >>> from datetime import date
    >>> registration_rules_for_region("330203", as_of=date(2024, 1, 1)).id
    'cn-ningbo'
    >>> get_registration_rules("cn-cyl").minimum_age
    14
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import require_date
from volunteer_rules.errors import (
    InvalidTypeError,
    InvalidValueError,
    RuleSetError,
    UnknownRuleSetError,
)
from volunteer_rules.matching._registration_set import (
    ADULT_AGE,
    CHILD_DATA_AGE,
    CHILD_DATA_FROM,
    ENTRY_CONSENT_FROM,
    RegistrationRules,
    cite,
)
from volunteer_rules.records.region import RegionCode
from volunteer_rules.rules.rule_set import Reference

__all__ = [
    "ADULT_AGE",
    "CHILD_DATA_AGE",
    "CHILD_DATA_FROM",
    "DEFAULT_REGISTRATION_REGISTRY",
    "ENTRY_CONSENT_FROM",
    "REGISTRATION_BINDINGS",
    "RegistrationRegistry",
    "RegistrationRules",
    "cite",
    "get_registration_rules",
    "registration_rule_set_ids",
    "registration_rules_for_region",
]

_PIPL = Reference(
    key="PIPL",
    document="个人信息保护法",
    article="Art 31",
    date=_dt.date(2021, 8, 20),
    note=f"adopted 2021-08-20, in force {CHILD_DATA_FROM} (Art 74), the first day of the "
    "condition (child_data_from); a child under 14: sensitive data (Art 28), processed with "
    "guardian consent",
)
_MCA2020 = Reference(
    key="MCA2020",
    document="志愿服务记录与证明出具办法（试行）",
    article="Art 6",
    date=_dt.date(2020, 12, 28),
    note=f"MCA Order 67, in force {ENTRY_CONSENT_FROM} (the order's preamble), the first day "
    "of the condition (entry_consent_from); an organization enters the basic information only "
    "with the volunteer's consent",
)
_MCA2012 = Reference(
    key="MCA2012-a",
    document="志愿服务记录办法",
    article="Art 6",
    date=_dt.date(2012, 10, 23),
    note="the basic information (name, sex, month of birth, ID number, skills, contact); "
    "adding other personal data needs the volunteer's consent, entering the basic information "
    f"does not: no entry consent before MCA2020 ({ENTRY_CONSENT_FROM}); Art 6 of the final "
    "text read, secondary reprint",
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
    valid_from: _dt.date,
    in_force: str,
) -> RegistrationRules:
    note = f"{in_force}; people of limited capacity serve with guardian consent or accompaniment"
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
        valid_from=valid_from,
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
                note="promulgated 2017-08-22, in force 2017-12-01 (State Council Order 685); "
                "no minimum age, no guardian clause; tasks suit age, skills and health. "
                "Undated as the default: no national rule set a minimum age or a guardian "
                "clause before it either (the library's reading)",
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
                "secondary source. No source read gives the dates in force of the 2006 rules "
                "or the 2013 revision (reported 2013-12-02): undated, the library's reading",
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
                note="registration from 14, guardian consent under 18; secondary source. Its "
                "date is unknown (before 2015) and the age article of the rules that replaced "
                "it (BJ-2022) was not read: undated, the library's reading",
            ),
            Reference(
                key="BJ",
                document="北京市志愿服务促进条例",
                article="Art 12",
                date=_dt.date(2020, 12, 25),
                note="minors' tasks suit their age; revised 2020-12-25, in force 2021-03-01 "
                "(Art 50)",
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
                note="amended 2019-11-15, the amended text in force 2020-01-01 (Economic "
                "Daily, 2019-11-19; secondary); minors need guardian consent",
            ),
            *_COMMON,
        ),
        valid_from=_dt.date(2020, 1, 1),
    ),
    _provincial(
        "cn-zhejiang",
        "Zhejiang volunteer service regulations",
        "浙江省志愿服务条例",
        "ZJ",
        "Art 9",
        _dt.date(2018, 7, 27),
        barred=True,
        valid_from=_dt.date(2018, 9, 1),
        in_force="revised 2018-07-27, in force 2018-09-01 (Zhejiang Online, 2018-08-29)",
    ),
    _provincial(
        "cn-shandong",
        "Shandong volunteer service regulations",
        "山东省志愿服务条例",
        "SD",
        "Art 10",
        _dt.date(2021, 12, 3),
        barred=True,
        valid_from=_dt.date(2022, 1, 1),
        in_force="adopted 2021-12-03, in force 2022-01-01 (Art 45)",
    ),
    _provincial(
        "cn-henan",
        "Henan volunteer service regulations",
        "河南省志愿服务条例",
        "HN",
        "Art 8",
        _dt.date(2018, 11, 30),
        barred=False,
        valid_from=_dt.date(2019, 3, 1),
        in_force="adopted 2018-11-30, in force 2019-03-01 (Henan Daily, 2018-12-12)",
    ),
    _provincial(
        "cn-ningbo",
        "Ningbo volunteer service regulations",
        "宁波市志愿服务条例",
        "NB",
        "Art 10",
        _dt.date(2021, 12, 3),
        barred=True,
        valid_from=_dt.date(2021, 12, 3),
        in_force="revised text of 2021-12-03; no source read gives its date in force: in "
        "force from that date, the library's reading",
    ),
    _provincial(
        "cn-taian",
        "Tai'an volunteer service promotion regulations",
        "泰安市志愿服务促进条例",
        "TA",
        None,
        _dt.date(2022, 1, 21),
        barred=True,
        valid_from=_dt.date(2022, 3, 1),
        in_force="adopted 2021-12-29, approved 2022-01-21, in force 2022-03-01 (Tai'an "
        "Daily, 2022-03-04; secondary)",
    ),
    _provincial(
        "cn-chongqing",
        "Chongqing volunteer service regulations",
        "重庆市志愿服务条例",
        "CQ",
        "Art 9",
        _dt.date(2015, 5, 28),
        barred=False,
        valid_from=_dt.date(2015, 10, 1),
        in_force="adopted 2015-05-28, in force 2015-10-01 (Art 41)",
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
        bindings: ``{region code: rule set id}``; a bound rule set applies on the days it is
            in force (its ``valid_from`` to ``valid_until``), and on other days the region
            inherits its parent's.
        default_id: the rule set of a region with no binding in force on its way up; it must
            be undated, so that every region has a rule set in force on every day.

    Raises:
        RuleSetError: a rule set under another id, an unknown region or rule set id, a dated
            default.

    Example:
        >>> mine = RegistrationRules(id="x-panjin", name="Panjin", name_zh="盘锦", minimum_age=12)
        >>> registry = DEFAULT_REGISTRATION_REGISTRY.with_rules(mine).with_binding("211100", mine.id)
        >>> registry.for_region("211103").id, DEFAULT_REGISTRATION_REGISTRY.for_region("211103").id
        ('x-panjin', 'cn-national')
        >>> from datetime import date
        >>> later = attrs.evolve(mine, valid_from=date(2025, 1, 1))
        >>> registry = registry.with_rules(later, replace=True)
        >>> [registry.for_region("211103", as_of=date(y, 1, 1)).id for y in (2024, 2025)]
        ['cn-national', 'x-panjin']
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
        if self.rule_sets[self.default_id].dated:
            raise RuleSetError(
                self.default_id,
                "the default must be in force on every day: no valid_from or valid_until",
            )

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

    def for_region(
        self, region: RegionCode | str, *, as_of: _dt.date | None = None
    ) -> RegistrationRules:
        """The rule set that applies in ``region`` on ``as_of``.

        The rule set bound to the region if it is in force that day, else its nearest
        ancestor's that is, else the default: a bound rule set not yet (or no longer) in force
        is passed over as an unbound region is. ``as_of`` may be left out only where the
        answer is the same on every day.

        Raises:
            InvalidIdentifierError: an unknown region code.
            InvalidValueError: ``as_of`` is left out and the answer depends on the day.

        Example:
            >>> from datetime import date
            >>> [DEFAULT_REGISTRATION_REGISTRY.for_region("330203", as_of=date(2021, 12, d)).id
            ...  for d in (2, 3)]
            ['cn-zhejiang', 'cn-ningbo']
            >>> DEFAULT_REGISTRATION_REGISTRY.for_region("110105").id
            'cn-beijing'
        """
        code = _region(region)
        if as_of is None:
            ids = self._possible_ids(code)
            if len(ids) > 1:
                raise InvalidValueError(
                    "as_of",
                    f"the registration rule set of {code.code} depends on the day"
                    f" ({', '.join(sorted(ids))}): pass as_of",
                )
            return self.rule_sets[ids.pop()]
        day = require_date(as_of, "as_of")
        for ancestor in code.ancestors():
            bound = self.bindings.get(ancestor.code)
            if bound is not None and self.rule_sets[bound].in_force_on(day):
                return self.rule_sets[bound]
        return self.rule_sets[self.default_id]

    def _possible_ids(self, code: RegionCode) -> set[str]:
        """Every rule set id the region can resolve to, whatever the day."""
        ids: set[str] = set()
        for ancestor in code.ancestors():
            bound = self.bindings.get(ancestor.code)
            if bound is not None:
                ids.add(bound)
                if not self.rule_sets[bound].dated:
                    return ids
        return ids | {self.default_id}


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
    region: RegionCode | str,
    *,
    as_of: _dt.date | None = None,
    registry: RegistrationRegistry | None = None,
) -> RegistrationRules:
    """The rule set that applies in ``region`` on ``as_of``: the most specific one in force.

    A county without a rule set in force that day inherits its city's, a city its province's,
    a province the national default (``cn-national``, undated). ``as_of`` may be left out
    only where the answer is the same on every day.

    Raises:
        InvalidIdentifierError: an unknown region code.
        InvalidValueError: ``as_of`` is left out and the answer depends on the day.

    Example:
        >>> from datetime import date
        >>> registration_rules_for_region("330203", as_of=date(2024, 1, 1)).id  # Ningbo
        'cn-ningbo'
        >>> registration_rules_for_region("330100", as_of=date(2024, 1, 1)).id  # Hangzhou
        'cn-zhejiang'
        >>> registration_rules_for_region("330100", as_of=date(2018, 8, 31)).id  # before ZJ
        'cn-national'
        >>> registration_rules_for_region("211103").id  # Panjin: the default on every day
        'cn-national'
    """
    return _registry(registry).for_region(region, as_of=as_of)
