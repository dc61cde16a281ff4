"""The feedback system (回馈制度): preferential treatments a volunteer's record opens.

A :class:`Benefit` is a preferential treatment with its source and its conditions: a minimum
star level (the rank of a certification's level), a minimum of counted hours, and the rule
sets it belongs to. :func:`eligible_benefits` takes a certification (from
:func:`volunteer_rules.certify`, or any object with ``.level.rank``, ``.counted`` and
``.rule_set_id``) and returns every benefit with whether it applies and why (or why not).

The regulations speak of a 良好志愿服务记录 ("good service record") without a number. The
built-in benefits read it as "a certified level of at least one star under the rule set the
certification used" (``min_rank=1``): the library's reading, stated here, not a number taken
from a source. Integrators pass their own :class:`Benefit` tuple for local schemes.

References:
    - [REG2017] Art 29 (practical credits at school), Art 32 (preference in hiring;
      civil-service exams and recruitment may consider volunteering), Art 33 (local
      governments may arrange preferential treatment).
    - [MCA2012-b] Art 22 (time savings), Arts 24–27 (admissions and hiring; free or
      discounted venues and transport; commercial discounts).
    - [BJ] Art 38 (preference in hiring; priority service when needed), Art 40 (hours
      exchanged for community services).
    - [SH] Art 30 (priority service when needed; preference in hiring and admission).
    - [TW-LAW] Art 20 (honour card: free entry to fee-charging public scenic sites and
      cultural or recreational venues).
    - [MAS] Ma'anshan's incentive rules (2019), 四、五星级志愿者激励回馈: "四星级志愿者可以免费
      乘坐市区公交车" (four-star volunteers ride the city's buses free). Read as four stars
      or more under ``cn-maanshan`` (the library's reading: five stars are reached through
      four).

Every benefit has the dates of its source (``valid_from``, and ``valid_until`` when it ended);
a certification made on a day outside them does not open it (``not_in_force``). "Priority
service when in need" is its own category (``priority_service``): the sources promise
volunteers priority in receiving volunteer service, not medical care. The ``medical``
category stays for integrators' local benefits (the seed's 就医); no built-in benefit has a
source for it. Keys are those of ``docs/sources.md``.

Example:
    >>> from types import SimpleNamespace
    >>> from volunteer_rules import Hours
    >>> cert = SimpleNamespace(level=SimpleNamespace(rank=1), counted=Hours.from_hours(120),
    ...                        rule_set_id="cn-national")
    >>> decisions = eligible_benefits(cert)
    >>> [(d.benefit.benefit_id, d.applies) for d in decisions][:3]
    [('employment_preference', True), ('civil_service_consideration', True), ('admission_preference', True)]
    >>> next(d for d in decisions if d.benefit.benefit_id == "tw_honour_card_free_entry").reasons[0].code
    'rule_set_mismatch'
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import Any, Final, Protocol

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import instance_of, one_of, within_days
from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.hours import Hours

__all__ = [
    "BENEFITS",
    "BENEFIT_CATEGORIES",
    "Benefit",
    "BenefitDecision",
    "BenefitReason",
    "CertificationLike",
    "eligible_benefits",
]

BENEFIT_CATEGORIES: Final = (
    "schooling",
    "employment",
    "civil_service",
    "priority_service",
    "medical",
    "venues_and_transport",
    "commercial",
    "community_services",
)
"""The kinds of preferential treatment (``medical``: no built-in benefit has a source for it)."""


class _Level(Protocol):
    @property
    def rank(self) -> int: ...


class CertificationLike(Protocol):
    """What :func:`eligible_benefits` reads from a certification (a ``Certification`` fits).

    Example:
        >>> from types import SimpleNamespace
        >>> cert: CertificationLike = SimpleNamespace(  # type: ignore[assignment]
        ...     level=SimpleNamespace(rank=2), counted=Hours.from_hours(300), rule_set_id="x")
        >>> cert.level.rank
        2
    """

    @property
    def level(self) -> _Level:
        """The certified level (``.rank``: 0 for none)."""

    @property
    def counted(self) -> Hours:
        """The hours that counted."""

    @property
    def rule_set_id(self) -> str:
        """The rule set the certification applied."""


def _optional_date(instance: object, attribute: Any, value: Any) -> None:
    if value is not None and type(value) is not _dt.date:
        raise InvalidTypeError(attribute.name, "must be a date or None")


def _optional_rank(instance: object, attribute: Any, value: Any) -> None:
    if value is not None and (type(value) is not int or value < 0):
        raise InvalidValueError(attribute.name, "must be a rank (int, 0 or more) or None")


def _optional_hours(instance: object, attribute: Any, value: Any) -> None:
    if value is not None and not isinstance(value, Hours):
        raise InvalidTypeError(attribute.name, "must be Hours or None")


@masked_repr
@attrs.frozen(kw_only=True)
class Benefit:
    """A preferential treatment and the conditions under which it applies.

    Attributes:
        benefit_id: stable id. name: English. name_zh: Chinese.
        category: one of :data:`BENEFIT_CATEGORIES`.
        source: where it comes from (docs/sources.md keys and articles).
        min_rank: the lowest star level (rank, inclusive) it needs; ``None``: no level needed.
        min_hours: the least counted hours (inclusive); ``None``: no hour condition.
        rule_sets: the rule set ids it belongs to; ``None``: any rule set.
        valid_from: the first day its source applies (inclusive), or ``None``.
        valid_until: the last day (inclusive, not before ``valid_from``), or ``None``: no end.

    Example:
        >>> Benefit(benefit_id="x", name="X", name_zh="X", category="commercial",
        ...         source="local", min_rank=2).min_rank
        2
    """

    benefit_id: str = attrs.field(validator=instance_of(str))
    name: str = attrs.field(validator=instance_of(str))
    name_zh: str = attrs.field(validator=instance_of(str))
    category: str = attrs.field(validator=one_of(BENEFIT_CATEGORIES))
    source: str = attrs.field(validator=instance_of(str))
    min_rank: int | None = attrs.field(default=None, validator=_optional_rank)
    min_hours: Hours | None = attrs.field(default=None, validator=_optional_hours)
    rule_sets: frozenset[str] | None = attrs.field(default=None)
    valid_from: _dt.date | None = attrs.field(default=None, validator=_optional_date)
    valid_until: _dt.date | None = attrs.field(default=None, validator=_optional_date)

    def in_force_on(self, day: _dt.date) -> bool:
        """Whether the benefit's source applies on ``day`` (both ends inclusive).

        Example:
            >>> from datetime import date
            >>> b = Benefit(benefit_id="x", name="X", name_zh="X", category="commercial",
            ...             source="local", valid_from=date(2020, 1, 1))
            >>> b.in_force_on(date(2019, 12, 31)), b.in_force_on(date(2020, 1, 1))
            (False, True)
        """
        if type(day) is not _dt.date:
            raise InvalidTypeError("day", f"must be a date, not {type(day).__name__}")
        return within_days(day, self.valid_from, self.valid_until)

    def __attrs_post_init__(self) -> None:
        if (
            self.valid_from is not None
            and self.valid_until is not None
            and self.valid_until < self.valid_from
        ):
            raise InvalidValueError(
                "valid_until",
                f"{self.valid_until.isoformat()} is before valid_from "
                f"{self.valid_from.isoformat()} (benefit {self.benefit_id!r})",
            )

    @rule_sets.validator
    def _check_rule_sets(self, attribute: Any, value: Any) -> None:
        if value is not None and (
            not isinstance(value, frozenset) or not all(isinstance(v, str) for v in value)
        ):
            raise InvalidTypeError("rule_sets", "must be a frozenset of rule set ids, or None")


@masked_repr
@attrs.frozen(kw_only=True)
class BenefitReason:
    """Why a benefit applies or not.

    Attributes:
        code: ``applies``, ``rule_set_mismatch``, ``below_level``, ``below_hours``,
            ``not_in_force`` (the certification's day is outside the benefit's dates).
        message: one sentence.

    Example:
        >>> BenefitReason(code="below_level", message="needs 1 star, has none").code
        'below_level'
    """

    code: str
    message: str


@masked_repr
@attrs.frozen(kw_only=True)
class BenefitDecision:
    """One benefit and whether it applies.

    Attributes:
        benefit: the benefit. applies: whether every condition is met.
        reasons: ``(applies,)`` when it applies, else every unmet condition.

    Example:
        >>> from types import SimpleNamespace
        >>> cert = SimpleNamespace(level=SimpleNamespace(rank=0), counted=Hours.ZERO,
        ...                        rule_set_id="cn-national")
        >>> eligible_benefits(cert)[0].applies
        False
    """

    benefit: Benefit
    applies: bool
    reasons: tuple[BenefitReason, ...]


_GOOD_RECORD: Final = (
    "a good service record (良好志愿服务记录), read as at least one star under the "
    "certification's rule set"
)

_MCA2012: Final = _dt.date(2012, 10, 23)  # [MCA2012-b] Arts 22, 24–27
_REG2017: Final = _dt.date(2017, 12, 1)  # [REG2017] in force
_SH2019: Final = _dt.date(2019, 11, 15)  # [SH] (Beijing's [BJ] followed on 2020-12-25)
_TW2001: Final = _dt.date(2001, 1, 20)  # [TW-LAW] Art 20
_MAS2019: Final = _dt.date(2019, 1, 1)  # [MAS]: only the year is known, as for cn-maanshan

BENEFITS: Final[tuple[Benefit, ...]] = (
    Benefit(
        benefit_id="employment_preference",
        name="Preference in hiring, all else equal",
        name_zh="同等条件下优先录用",
        category="employment",
        source="[REG2017] Art 32; [MCA2012-b] Arts 24–27; [BJ] Art 38; [SH] Art 30",
        min_rank=1,
        valid_from=_MCA2012,
    ),
    Benefit(
        benefit_id="civil_service_consideration",
        name="Volunteering considered in civil-service exams and recruitment",
        name_zh="公务员考录、事业单位招聘可将志愿服务情况纳入考察",
        category="civil_service",
        source="[REG2017] Art 32",
        min_rank=1,
        valid_from=_REG2017,
    ),
    Benefit(
        benefit_id="admission_preference",
        name="Preference in school admission",
        name_zh="招生同等条件下优先",
        category="schooling",
        source="[MCA2012-b] Arts 24–27; [SH] Art 30",
        min_rank=1,
        valid_from=_MCA2012,
    ),
    Benefit(
        benefit_id="practical_credits",
        name="Practical-course credits at school",
        name_zh="实践学分",
        category="schooling",
        source="[REG2017] Art 29 (schools may grant credits for volunteer service)",
        min_hours=Hours.from_minutes(1),
        valid_from=_REG2017,
    ),
    Benefit(
        benefit_id="priority_service",
        name="Priority service when the volunteer needs it",
        name_zh="需要时优先获得志愿服务",
        category="priority_service",
        source="[BJ] Art 38; [SH] Art 30 (有需要时优先获得志愿服务; from Shanghai's 2019 rules)",
        min_rank=1,
        valid_from=_SH2019,
    ),
    Benefit(
        benefit_id="free_venues_and_transport",
        name="Free or discounted public venues and transport",
        name_zh="公共文化体育设施、公园、公共交通等免费或优惠",
        category="venues_and_transport",
        source="[MCA2012-b] Arts 24–27; [REG2017] Art 33",
        min_rank=1,
        valid_from=_MCA2012,
    ),
    Benefit(
        benefit_id="commercial_discounts",
        name="Commercial discounts offered to volunteers",
        name_zh="商业优惠",
        category="commercial",
        source="[MCA2012-b] Arts 24–27",
        min_rank=1,
        valid_from=_MCA2012,
    ),
    Benefit(
        benefit_id="community_service_exchange",
        name="Exchange of served hours for community services (time bank)",
        name_zh="以志愿服务时间兑换社区服务（时间储蓄）",
        category="community_services",
        source="[MCA2012-b] Art 22; [BJ] Art 40",
        min_hours=Hours.from_minutes(1),
        valid_from=_MCA2012,
    ),
    Benefit(
        benefit_id="tw_honour_card_free_entry",
        name="Honour card: free entry to fee-charging public scenic and cultural venues",
        name_zh="榮譽卡：免費進入收費之公立風景區及康樂場所",
        category="venues_and_transport",
        source="[TW-LAW] Art 20; [TW-CARD] (card held: 3 years and 300 h, valid 3 years)",
        min_rank=1,
        rule_sets=frozenset({"tw-honour-card"}),
        valid_from=_TW2001,
    ),
    Benefit(
        benefit_id="maanshan_city_bus",
        name="Ma'anshan: free rides on the city's buses (four stars and up)",
        name_zh="马鞍山市：四星级志愿者免费乘坐市区公交车",
        category="venues_and_transport",
        source="[MAS] 四、五星级志愿者激励回馈 (四星级志愿者可以免费乘坐市区公交车; 2019, year only)",
        min_rank=4,
        rule_sets=frozenset({"cn-maanshan"}),
        valid_from=_MAS2019,
    ),
)
"""The built-in benefits, each with its source."""


def _days(benefit: Benefit) -> str:
    parts = []
    if benefit.valid_from is not None:
        parts.append(f"from {benefit.valid_from.isoformat()}")
    if benefit.valid_until is not None:
        parts.append(f"until {benefit.valid_until.isoformat()}")
    return " ".join(parts)


def eligible_benefits(
    certification: CertificationLike, *, benefits: Iterable[Benefit] = BENEFITS
) -> tuple[BenefitDecision, ...]:
    """Every benefit with whether it applies to a certification, and why.

    Boundaries are inclusive: a benefit needing 1 star applies at rank 1; one needing 300 h
    applies at exactly 300 h. The day asked is the certification's ``as_of`` (a ``date``, as
    :func:`volunteer_rules.certify` gives it): a benefit whose source does not apply that day is
    ``not_in_force``. An object without ``as_of`` (or with ``None``) names no day, and the
    benefits' dates are not judged for it.

    Args:
        certification: from :func:`volunteer_rules.certify` (``.level.rank``, ``.counted``,
            ``.rule_set_id``).
        benefits: the benefits to judge (the built-in :data:`BENEFITS` by default).

    Returns:
        One :class:`BenefitDecision` per benefit, in the order given.

    Raises:
        InvalidTypeError: the certification lacks those attributes, its ``as_of`` is not a
            date (a ``datetime`` is not a day), or a benefit is not a :class:`Benefit`.

    Example:
        >>> from types import SimpleNamespace
        >>> cert = SimpleNamespace(level=SimpleNamespace(rank=0), counted=Hours.from_hours(5),
        ...                        rule_set_id="cn-national")
        >>> d = eligible_benefits(cert)[0]
        >>> d.applies, d.reasons[0].code
        (False, 'below_level')
    """
    try:
        rank = certification.level.rank
        counted = certification.counted
        rule_set_id = certification.rule_set_id
    except AttributeError:
        raise InvalidTypeError(
            "certification", "must have .level.rank, .counted and .rule_set_id"
        ) from None
    if type(rank) is not int or not isinstance(counted, Hours) or not isinstance(rule_set_id, str):
        raise InvalidTypeError(
            "certification", "needs an int .level.rank, Hours .counted, str .rule_set_id"
        )
    as_of = getattr(certification, "as_of", None)
    if as_of is not None and type(as_of) is not _dt.date:
        raise InvalidTypeError(
            "certification", f".as_of must be a date or None, not {type(as_of).__name__}"
        )
    if isinstance(benefits, (str, bytes)) or not isinstance(benefits, Iterable):
        raise InvalidTypeError("benefits", "must be an iterable of Benefit")
    decisions: list[BenefitDecision] = []
    for benefit in benefits:
        if not isinstance(benefit, Benefit):
            raise InvalidTypeError("benefits", f"must be Benefit, not {type(benefit).__name__}")
        reasons: list[BenefitReason] = []
        if benefit.rule_sets is not None and rule_set_id not in benefit.rule_sets:
            reasons.append(
                BenefitReason(
                    code="rule_set_mismatch",
                    message=f"applies under {sorted(benefit.rule_sets)}, not {rule_set_id}",
                )
            )
        if benefit.min_rank is not None and rank < benefit.min_rank:
            message = f"needs level rank {benefit.min_rank} or more, has {rank}"
            if benefit.min_rank == 1 and benefit.rule_sets is None:
                message += f" ({_GOOD_RECORD})"
            reasons.append(BenefitReason(code="below_level", message=message))
        if as_of is not None and not benefit.in_force_on(as_of):
            reasons.append(
                BenefitReason(
                    code="not_in_force",
                    message=f"its source applies only {_days(benefit)}, not on {as_of.isoformat()}",
                )
            )
        if benefit.min_hours is not None and counted < benefit.min_hours:
            reasons.append(
                BenefitReason(
                    code="below_hours",
                    message=f"needs {benefit.min_hours} counted, has {counted}",
                )
            )
        applies = not reasons
        if applies:
            reasons.append(BenefitReason(code="applies", message=f"source: {benefit.source}"))
        decisions.append(BenefitDecision(benefit=benefit, applies=applies, reasons=tuple(reasons)))
    return tuple(decisions)
