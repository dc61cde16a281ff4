"""The built-in rule sets, the registry, and which rule set applies in a region.

Each built-in rule set lives in its own module (``volunteer_rules.rules.schemes.cn_national`` ...)
as a ``RULE_SET`` value whose docstring lists its References. :data:`DEFAULT_REGISTRY` holds
them all, with the region bindings of :data:`REGION_BINDINGS`.

The registry is an immutable value: integrators add their own rule sets with
:meth:`RuleSetRegistry.with_rule_set` (and region bindings with
:meth:`RuleSetRegistry.with_binding`) and pass the new registry where they need it
(``registry=``), or pass a :class:`~volunteer_rules.rules.rule_set.RuleSet` straight to
:func:`~volunteer_rules.certify`. Nothing global is ever modified.

Region resolution: a county inherits its city's rule set, a city its province's, and a province
the national default (``cn-national``), unless a rule set is bound more specifically. Bindings
are dated (:class:`RegionBinding`): a region may move from one scheme to the next, so the rule
set of a region is the one bound on the day asked (``as_of``).

Example:
    >>> from datetime import date
    >>> from volunteer_rules.rules.schemes import get_rule_set, rule_set_for_region, rule_set_ids
    >>> "cn-national" in rule_set_ids()
    True
    >>> rule_set_for_region("110105").id, rule_set_for_region("211103").id
    ('cn-beijing', 'cn-national')
    >>> [rule_set_for_region("810000", as_of=date(y, 6, 1)).id for y in (2021, 2023)]
    ['hk-swd', 'hk-hkv-award']
"""

from __future__ import annotations

import datetime as _dt
import importlib
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, Final

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules.errors import (
    ConflictError,
    InvalidIdentifierError,
    InvalidTypeError,
    InvalidValueError,
    UnknownRuleSetError,
)
from volunteer_rules.records.region import RegionCode
from volunteer_rules.rules.rule_set import RuleSet

__all__ = [
    "BUILTIN_MODULES",
    "DEFAULT_REGISTRY",
    "REGION_BINDINGS",
    "RegionBinding",
    "RuleSetRegistry",
    "get_rule_set",
    "rule_set_for_region",
    "rule_set_ids",
]

BUILTIN_MODULES: Final = (
    "cn_national",
    "cn_cyl",
    "cn_beijing",
    "cn_shenzhen_longgang",
    "cn_maanshan",
    "cn_sichuan",
    "cn_zhangjiagang",
    "tw_honour_card",
    "tw_awards",
    "hk_swd",
    "hk_hkv_award",
    "uk_millennium_volunteers",
    "us_pvsa",
    "us_pvsa_lifetime",
)
"""The modules of ``volunteer_rules.rules.schemes`` that hold a built-in ``RULE_SET``."""


@masked_repr
@attrs.frozen(kw_only=True)
class RegionBinding:
    """A region bound to a rule set from a day on, until the region's next binding starts.

    Attributes:
        rule_set_id: the rule set that applies in the region (and what it contains).
        valid_from: the first day the binding applies (inclusive), or ``None``: from the start.
            Before a region's first dated binding, the region inherits its parent's rule set.

    Example:
        >>> from datetime import date
        >>> REGION_BINDINGS["810000"][-1]
        RegionBinding(rule_set_id='hk-hkv-award', valid_from=datetime.date(2022, 1, 1))
        >>> RegionBinding(rule_set_id="cn-beijing").valid_from is None
        True
    """

    rule_set_id: str = attrs.field()
    valid_from: _dt.date | None = attrs.field(default=None)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.rule_set_id, str):
            raise InvalidTypeError("rule_set_id", "must be a str")
        if self.valid_from is not None and type(self.valid_from) is not _dt.date:
            raise InvalidTypeError("valid_from", "must be a date or None")


REGION_BINDINGS: Final[Mapping[str, tuple[RegionBinding, ...]]] = MappingProxyType(
    {
        "110000": (RegionBinding(rule_set_id="cn-beijing"),),  # 北京市 [BJ-old], [BJ-2015]
        "320582": (RegionBinding(rule_set_id="cn-zhangjiagang"),),  # 张家港市 [ZJG]
        "340500": (RegionBinding(rule_set_id="cn-maanshan"),),  # 马鞍山市 [MAS]
        "440307": (RegionBinding(rule_set_id="cn-shenzhen-longgang"),),  # 深圳市龙岗区 [SZ-LG]
        "710000": (RegionBinding(rule_set_id="tw-honour-card"),),  # 台湾省 [TW-LAW 20]
        "810000": (  # 香港特别行政区
            RegionBinding(rule_set_id="hk-swd"),  # [HK-SWD], retired 2021 [HK-SWD-END]
            RegionBinding(
                rule_set_id="hk-hkv-award", valid_from=_dt.date(2022, 1, 1)
            ),  # [HKV-2022]
        ),
    }
)
"""Built-in region bindings: GB/T 2260 code to its :class:`RegionBinding` values, by date.

Unbound regions inherit. Hong Kong (810000) is bound to ``hk-swd`` up to 2021-12-31, the last
day of the year the Volunteer Movement was retired ([HK-SWD-END]; the day is not in the source,
so the year's last day, as the rule set's own ``valid_until``), then to ``hk-hkv-award`` from
2022-01-01, the year the Hong Kong Volunteer Award was first run ([HKV-2022]). The award's rule
set applies from 2021-01-01, so its first edition (the hours of 2021) can still be certified by
passing it explicitly.

``cn-sichuan`` is not bound: its rules cover youth volunteers on the 志愿四川 platform, not the
province ([SC] in ``docs/sources.md``)."""

DEFAULT_RULE_SET_ID: Final = "cn-national"


def _frozen_map(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


def _start(binding: RegionBinding) -> _dt.date:
    return _dt.date.min if binding.valid_from is None else binding.valid_from


def _timeline(value: object) -> tuple[RegionBinding, ...]:
    """One region's bindings, by date: a rule set id is a binding from the start."""
    if isinstance(value, (str, RegionBinding)):
        value = (value,)
    if not isinstance(value, Iterable):
        raise InvalidTypeError("bindings", "a region maps to a rule set id or RegionBinding values")
    items = tuple(RegionBinding(rule_set_id=v) if isinstance(v, str) else v for v in value)
    if not items or not all(isinstance(v, RegionBinding) for v in items):
        raise InvalidTypeError("bindings", "a region maps to a rule set id or RegionBinding values")
    return tuple(sorted(items, key=_start))


def _bindings(value: object) -> Mapping[str, tuple[RegionBinding, ...]]:
    if not isinstance(value, Mapping):
        raise InvalidTypeError("bindings", "must be a mapping of region code to bindings")
    return MappingProxyType({code: _timeline(items) for code, items in value.items()})


def _bound_on(timeline: tuple[RegionBinding, ...], day: _dt.date) -> str | None:
    """The rule set id bound on ``day`` (the latest binding started by then), if any."""
    found = None
    for binding in timeline:
        if _start(binding) > day:
            break
        found = binding.rule_set_id
    return found


@masked_repr
@attrs.frozen(kw_only=True)
class RuleSetRegistry:
    """An immutable set of rule sets by id, with region bindings and a default.

    Attributes:
        rule_sets: ``{id: RuleSet}``.
        bindings: ``{region code: (RegionBinding, ...)}``, each region's bindings by date (a
            plain rule set id is accepted and read as a binding from the start).
        default_id: the rule set of a region with no binding on its way up.

    Example:
        >>> from datetime import date
        >>> from volunteer_rules import Hours
        >>> from volunteer_rules.rules.rule_set import Level, RuleSet, RuleSetVersion
        >>> mine = RuleSet(id="cn-panjin-demo", name="Panjin demo", name_zh="盘锦示例",
        ...     references=(), versions=(RuleSetVersion(valid_from=date(2024, 1, 1), levels=(
        ...         Level(rank=1, name="one_star", label="一星", hours=Hours.from_hours(50)),)),))
        >>> registry = DEFAULT_REGISTRY.with_rule_set(mine).with_binding("211100", mine.id)
        >>> registry.for_region("211103").id, DEFAULT_REGISTRY.for_region("211103").id
        ('cn-panjin-demo', 'cn-national')
    """

    rule_sets: Mapping[str, RuleSet] = attrs.field(converter=_frozen_map)
    bindings: Mapping[str, tuple[RegionBinding, ...]] = attrs.field(
        converter=_bindings, factory=dict
    )
    default_id: str = attrs.field(default=DEFAULT_RULE_SET_ID)

    def __attrs_post_init__(self) -> None:
        for key, value in self.rule_sets.items():
            if not isinstance(value, RuleSet) or value.id != key:
                raise InvalidValueError("rule_sets", f"{key!r} must map to the RuleSet {key!r}")
        for code, timeline in self.bindings.items():
            if not isinstance(code, str) or not RegionCode.is_known(code):
                raise InvalidValueError("bindings", f"{code!r} is not a known region code")
            starts = [_start(binding) for binding in timeline]
            if len(set(starts)) != len(starts):
                raise InvalidValueError("bindings", f"{code!r} has two bindings from one day")
            for binding in timeline:
                if binding.rule_set_id not in self.rule_sets:
                    raise UnknownRuleSetError(binding.rule_set_id)
        if self.default_id not in self.rule_sets:
            raise UnknownRuleSetError(self.default_id)

    def ids(self) -> tuple[str, ...]:
        """The registered ids, sorted.

        Example:
            >>> DEFAULT_REGISTRY.ids()[:2]
            ('cn-beijing', 'cn-cyl')
        """
        return tuple(sorted(self.rule_sets))

    def get(self, rule_set_id: str) -> RuleSet:
        """The rule set registered under ``rule_set_id``.

        Raises:
            UnknownRuleSetError: no rule set has that id.

        Example:
            >>> DEFAULT_REGISTRY.get("hk-swd").name_zh
            '香港社會福利署義工運動嘉許狀'
        """
        if not isinstance(rule_set_id, str):
            raise InvalidTypeError("rule_set_id", "must be a str")
        try:
            return self.rule_sets[rule_set_id]
        except KeyError:
            raise UnknownRuleSetError(rule_set_id) from None

    def with_rule_set(self, rule_set: RuleSet, *, replace: bool = False) -> RuleSetRegistry:
        """A registry that also holds ``rule_set``.

        Registering the same rule set again is a no-op. Another rule set under a registered id
        is a :class:`~volunteer_rules.ConflictError` unless ``replace=True``.

        Example:
            >>> same = DEFAULT_REGISTRY.with_rule_set(DEFAULT_REGISTRY.get("cn-national"))
            >>> same == DEFAULT_REGISTRY
            True
        """
        if not isinstance(rule_set, RuleSet):
            raise InvalidTypeError("rule_set", "must be a RuleSet")
        existing = self.rule_sets.get(rule_set.id)
        if existing is not None and existing != rule_set and not replace:
            raise ConflictError(
                rule_set.id, f"another rule set is registered under {rule_set.id!r}"
            )
        return attrs.evolve(self, rule_sets={**self.rule_sets, rule_set.id: rule_set})

    def with_binding(
        self,
        region_code: RegionCode | str,
        rule_set_id: str,
        *,
        valid_from: _dt.date | None = None,
    ) -> RuleSetRegistry:
        """A registry where ``region_code`` (and what it contains) uses ``rule_set_id``.

        Without ``valid_from`` the binding replaces the region's bindings, from the start.
        With it, the binding applies from that day (inclusive) until the region's next binding
        starts; the earlier bindings stay (one from the same day is replaced).

        Example:
            >>> from datetime import date
            >>> DEFAULT_REGISTRY.with_binding("210000", "cn-cyl").for_region("211103").id
            'cn-cyl'
            >>> later = DEFAULT_REGISTRY.with_binding("210000", "cn-cyl", valid_from=date(2025, 1, 1))
            >>> [later.for_region("211103", as_of=date(y, 1, 1)).id for y in (2024, 2025)]
            ['cn-national', 'cn-cyl']
        """
        code = _region(region_code)
        self.get(rule_set_id)
        added = RegionBinding(rule_set_id=rule_set_id, valid_from=valid_from)
        kept = () if valid_from is None else self.bindings.get(code.code, ())
        timeline = (*(b for b in kept if b.valid_from != valid_from), added)
        return attrs.evolve(self, bindings={**self.bindings, code.code: timeline})

    def for_region(
        self, region_code: RegionCode | str, *, as_of: _dt.date | None = None
    ) -> RuleSet:
        """The rule set that applies in a region on ``as_of``.

        Its binding in force that day, else its nearest ancestor's, else the default. A county
        without a binding on that day inherits its city's, a city its province's, a province
        the default. ``as_of`` may be left out only where the answer is the same on every day
        (no binding on the region's way up changes over time).

        Raises:
            InvalidIdentifierError: the region code is not known.
            InvalidValueError: ``as_of`` is left out and the region's rule set depends on the
                day (Hong Kong: ``hk-swd`` until 2021-12-31, ``hk-hkv-award`` after).

        Example:
            >>> from datetime import date
            >>> DEFAULT_REGISTRY.for_region("440307").id, DEFAULT_REGISTRY.for_region("440304").id
            ('cn-shenzhen-longgang', 'cn-national')
            >>> DEFAULT_REGISTRY.for_region("810000", as_of=date(2021, 12, 31)).id
            'hk-swd'
            >>> DEFAULT_REGISTRY.for_region("810000", as_of=date(2022, 1, 1)).id
            'hk-hkv-award'
        """
        code = _region(region_code)
        if as_of is None:
            ids = self._possible_ids(code)
            if len(ids) > 1:
                raise InvalidValueError(
                    "as_of",
                    f"the rule set of {code.code} depends on the day ({', '.join(sorted(ids))}):"
                    " pass as_of",
                )
            return self.rule_sets[ids.pop()]
        if type(as_of) is not _dt.date:
            raise InvalidTypeError("as_of", "must be a date or None")
        for candidate in code.ancestors():
            bound = _bound_on(self.bindings.get(candidate.code, ()), as_of)
            if bound is not None:
                return self.rule_sets[bound]
        return self.rule_sets[self.default_id]

    def _possible_ids(self, code: RegionCode) -> set[str]:
        """Every rule set id the region can resolve to, whatever the day."""
        ids: set[str] = set()
        for candidate in code.ancestors():
            timeline = self.bindings.get(candidate.code, ())
            ids.update(binding.rule_set_id for binding in timeline)
            if timeline and timeline[0].valid_from is None:
                return ids
        return ids | {self.default_id}


def _region(region_code: object) -> RegionCode:
    if isinstance(region_code, RegionCode):
        return region_code
    if not isinstance(region_code, str):
        raise InvalidTypeError("region_code", "must be a RegionCode or a str")
    try:
        return RegionCode.parse(region_code)
    except InvalidIdentifierError:
        raise
    except Exception as error:  # pragma: no cover - RegionCode.parse raises its own errors
        raise InvalidValueError("region_code", str(error)) from None


def _builtin() -> dict[str, RuleSet]:
    found: dict[str, RuleSet] = {}
    for name in BUILTIN_MODULES:
        module = importlib.import_module(f"volunteer_rules.rules.schemes.{name}")
        rule_set: RuleSet = module.RULE_SET
        found[rule_set.id] = rule_set
    return found


DEFAULT_REGISTRY: Final = RuleSetRegistry(rule_sets=_builtin(), bindings=REGION_BINDINGS)
"""The built-in rule sets and bindings."""


def _registry(registry: object) -> RuleSetRegistry:
    if registry is None:
        return DEFAULT_REGISTRY
    if not isinstance(registry, RuleSetRegistry):
        raise InvalidTypeError("registry", "must be a RuleSetRegistry or None")
    return registry


def rule_set_ids(*, registry: RuleSetRegistry | None = None) -> tuple[str, ...]:
    """The ids of the registered rule sets (the built-in ones by default), sorted.

    Example:
        >>> len(rule_set_ids())
        14
    """
    return _registry(registry).ids()


def get_rule_set(rule_set_id: str, *, registry: RuleSetRegistry | None = None) -> RuleSet:
    """The rule set registered under ``rule_set_id``.

    Raises:
        UnknownRuleSetError: no rule set has that id.

    Example:
        >>> get_rule_set("us-pvsa").paused_since
        datetime.date(2025, 5, 27)
        >>> get_rule_set("xx-nowhere")
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.UnknownRuleSetError: no rule set is registered under the id 'xx-nowhere'
    """
    return _registry(registry).get(rule_set_id)


def rule_set_for_region(
    region_code: RegionCode | str,
    *,
    as_of: _dt.date | None = None,
    registry: RuleSetRegistry | None = None,
) -> RuleSet:
    """The rule set that applies in a region on ``as_of`` (county → city → province → default).

    As :meth:`RuleSetRegistry.for_region` finds it. ``as_of`` may be left out only where no binding on the region's way up changes over time;
    otherwise leaving it out is an :class:`~volunteer_rules.errors.InvalidValueError`.

    Example:
        >>> from datetime import date
        >>> rule_set_for_region("340503").id  # 花山区, in 马鞍山市
        'cn-maanshan'
        >>> rule_set_for_region("810000", as_of=date(2023, 3, 1)).id
        'hk-hkv-award'
    """
    return _registry(registry).for_region(region_code, as_of=as_of)
