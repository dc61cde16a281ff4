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
the national default (``cn-national``), unless a rule set is bound more specifically.

Example:
    >>> from volunteer_rules.rules.schemes import get_rule_set, rule_set_for_region, rule_set_ids
    >>> "cn-national" in rule_set_ids()
    True
    >>> rule_set_for_region("110105").id, rule_set_for_region("211103").id
    ('cn-beijing', 'cn-national')
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
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

REGION_BINDINGS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "110000": "cn-beijing",  # 北京市 [BJ-old], [BJ-2015]
        "320582": "cn-zhangjiagang",  # 张家港市 [ZJG]
        "340500": "cn-maanshan",  # 马鞍山市 [MAS]
        "440307": "cn-shenzhen-longgang",  # 深圳市龙岗区 [SZ-LG]
        "710000": "tw-honour-card",  # 台湾省 [TW-LAW 20]
        "810000": "hk-swd",  # 香港特别行政区 [HK-SWD] (retired 2021: certify says so)
    }
)
"""Built-in region bindings: GB/T 2260 code to rule set id. Unbound regions inherit.

``cn-sichuan`` is not bound: its rules cover youth volunteers on the 志愿四川 platform, not the
province ([SC] in ``docs/sources.md``)."""

DEFAULT_RULE_SET_ID: Final = "cn-national"


def _frozen_map(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


@masked_repr
@attrs.frozen(kw_only=True)
class RuleSetRegistry:
    """An immutable set of rule sets by id, with region bindings and a default.

    Attributes:
        rule_sets: ``{id: RuleSet}``.
        bindings: ``{region code: rule set id}``.
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
    bindings: Mapping[str, str] = attrs.field(converter=_frozen_map, factory=dict)
    default_id: str = attrs.field(default=DEFAULT_RULE_SET_ID)

    def __attrs_post_init__(self) -> None:
        for key, value in self.rule_sets.items():
            if not isinstance(value, RuleSet) or value.id != key:
                raise InvalidValueError("rule_sets", f"{key!r} must map to the RuleSet {key!r}")
        for code, rule_set_id in self.bindings.items():
            if not RegionCode.is_known(code):
                raise InvalidValueError("bindings", f"{code!r} is not a known region code")
            if rule_set_id not in self.rule_sets:
                raise UnknownRuleSetError(rule_set_id)
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

    def with_binding(self, region_code: RegionCode | str, rule_set_id: str) -> RuleSetRegistry:
        """A registry where ``region_code`` (and what it contains) uses ``rule_set_id``.

        Example:
            >>> DEFAULT_REGISTRY.with_binding("210000", "cn-cyl").for_region("211103").id
            'cn-cyl'
        """
        code = _region(region_code)
        self.get(rule_set_id)
        return attrs.evolve(self, bindings={**self.bindings, code.code: rule_set_id})

    def for_region(self, region_code: RegionCode | str) -> RuleSet:
        """The rule set that applies in a region: its binding, else its nearest ancestor's.

        A county without a binding inherits its city's, a city its province's, a province the
        default.

        Raises:
            InvalidIdentifierError: the region code is not known.

        Example:
            >>> DEFAULT_REGISTRY.for_region("440307").id, DEFAULT_REGISTRY.for_region("440304").id
            ('cn-shenzhen-longgang', 'cn-national')
        """
        code = _region(region_code)
        for candidate in (code, *code.ancestors()):
            bound = self.bindings.get(candidate.code)
            if bound is not None:
                return self.rule_sets[bound]
        return self.rule_sets[self.default_id]


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
    region_code: RegionCode | str, *, registry: RuleSetRegistry | None = None
) -> RuleSet:
    """The rule set that applies in a region (county → city → province → national default).

    Example:
        >>> rule_set_for_region("340503").id  # 花山区, in 马鞍山市
        'cn-maanshan'
    """
    return _registry(registry).for_region(region_code)
