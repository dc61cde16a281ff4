"""A level of a scheme and what it takes: hours, tenure, quality, attestations, age bands.

:class:`Level` is one level (a star, a medal, a card); :class:`QualityRule`,
:class:`Attestation` and :class:`Sanction` are its quality conditions and what a volunteer
brings to them; :class:`AgeBand` and :class:`GroupRule` give a version other thresholds by
age and for groups. :mod:`volunteer_rules.rules.rule_set` re-exports these names.

Example:
    >>> from volunteer_rules.rules.level import NO_LEVEL, Level
    >>> from volunteer_rules import Hours
    >>> Level(rank=1, name="bronze", label="铜", hours=Hours.from_hours(10)).rank > NO_LEVEL.rank
    True
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Final

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import instance_of
from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.hours import Hours
from volunteer_rules.records.record import RATINGS

__all__ = ["NO_LEVEL", "AgeBand", "Attestation", "GroupRule", "Level", "QualityRule", "Sanction"]


def _text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError(attribute.name, "must be a non-empty str")


def _date(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not _dt.date:
        raise InvalidTypeError(attribute.name, "must be a date")


def _opt_date(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _date(instance, attribute, value)


def _count(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not int or value < 0:
        raise InvalidValueError(attribute.name, "must be an int, 0 or more")


def _hours(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Hours) or value.minutes <= 0:
        raise InvalidValueError(attribute.name, "must be a positive Hours")


def _opt_hours(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _hours(instance, attribute, value)


def _strings(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(v, str) and v for v in value):
        raise InvalidValueError(attribute.name, "must be a tuple of non-empty str")


def _tuple_of(kind: type) -> Any:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, tuple) or not all(isinstance(v, kind) for v in value):
            raise InvalidTypeError(attribute.name, f"must be a tuple of {kind.__name__}")

    return check


def _opt_rating(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and value not in RATINGS:
        raise InvalidValueError(attribute.name, f"must be one of {', '.join(RATINGS)} or None")


def _opt_positive(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (type(value) is not int or value <= 0):
        raise InvalidValueError(attribute.name, "must be a positive int or None")


@masked_repr
@attrs.frozen(kw_only=True)
class QualityRule:
    """The quality conditions of one level (MCA Order 67, Art. 10: time *and* quality).

    Only the evaluations of records that count (in the window, on record on ``as_of``) are
    read, and only those given on or before ``as_of``. Every condition is inclusive.

    Attributes:
        min_average_rating: the mean score of the evaluated records (:data:`RATING_SCORES`)
            must be at least this rating's score; ``None``: no condition. With no evaluated
            record there is no average, and the condition is missed.
        min_record_rating: every evaluated record must be rated at least this; ``None``: no
            condition.
        min_evaluated_records: at least this many counted records must carry an evaluation.
        no_sanction_months: no sanction dated in the months ending on ``as_of`` (``12``: the
            12 months up to and including ``as_of``); ``None``: no condition. A sanction whose
            ban covers ``as_of`` blocks every level whatever this says.
        note: where the condition comes from, or that it is the library's reading.

    Example:
        >>> QualityRule(min_average_rating="pass", note="reading of Art 10").min_average_rating
        'pass'
    """

    min_average_rating: str | None = attrs.field(default=None, validator=_opt_rating)
    min_record_rating: str | None = attrs.field(default=None, validator=_opt_rating)
    min_evaluated_records: int = attrs.field(default=0, validator=_count)
    no_sanction_months: int | None = attrs.field(default=None, validator=_opt_positive)
    note: str | None = attrs.field(default=None)


@masked_repr
@attrs.frozen(kw_only=True)
class Attestation:
    """A qualitative condition attested for a volunteer: what, by whom, and when.

    An attestation counts for certifications on or after its ``date``.

    Attributes:
        condition: the condition's name (``"influence"``, ``"selection"``).
        attested_by: who attested it (an organization or body, by name or code).
        date: the day it was attested.

    Example:
        >>> from datetime import date
        >>> Attestation(condition="selection", attested_by="团省委", date=date(2024, 5, 1)).condition
        'selection'
    """

    condition: str = attrs.field(validator=_text)
    attested_by: str = attrs.field(validator=_text)
    date: _dt.date = attrs.field(validator=_date)


@masked_repr
@attrs.frozen(kw_only=True)
class Sanction:
    """A sanction on a volunteer (such as for falsified service records), with its ban.

    Attributes:
        date: the day the sanction was decided.
        reason: why (``"falsified_records"``).
        ban_until: the last day (inclusive) of the ban on any level, or ``None`` for no ban.
        decided_by: the body that decided it, or ``None``.

    Example:
        >>> from datetime import date
        >>> Sanction(date=date(2024, 1, 1), reason="falsified_records",
        ...          ban_until=date(2025, 12, 31)).ban_until.year
        2025
    """

    date: _dt.date = attrs.field(validator=_date)
    reason: str = attrs.field(validator=_text)
    ban_until: _dt.date | None = attrs.field(default=None, validator=_opt_date)
    decided_by: str | None = attrs.field(default=None)

    def __attrs_post_init__(self) -> None:
        if self.ban_until is not None and self.ban_until < self.date:
            raise InvalidValueError("ban_until", "the ban must not end before the sanction")


@masked_repr
@attrs.frozen(kw_only=True)
class Level:
    """One level of a scheme (a star, a medal, a card) and what it takes.

    Attributes:
        rank: 1 for the lowest level, then 2, 3...; 0 only for :data:`NO_LEVEL`.
        name: a stable snake_case name (``one_star``, ``bronze``).
        label: the Chinese label (``一星``, ``铜奖``).
        hours: the cumulative threshold, inclusive.
        min_tenure_months: months of service since the first counted record needed, inclusive
            (``0`` for none).
        requires_previous: the level below must have been awarded before (levels in sequence).
        attestations: qualitative conditions the caller must attest (``"influence"``).
        once: the level is awarded once per person.
        continuous: the tenure must be continuous service: ``min_tenure_months`` consecutive
            calendar months, each with a counted record, all inside the tenure (the library's
            reading of 连续服务, Shenzhen Longgang).
        quality: the quality conditions of this level (:class:`QualityRule`), or ``None``.

    Example:
        >>> from volunteer_rules import Hours
        >>> Level(rank=1, name="one_star", label="一星", hours=Hours.from_hours(100)).hours
        Hours(minutes=6000)
    """

    rank: int = attrs.field(validator=_count)
    name: str = attrs.field(validator=_text)
    label: str = attrs.field(validator=_text)
    hours: Hours = attrs.field(validator=instance_of(Hours))
    min_tenure_months: int = attrs.field(default=0, validator=_count)
    requires_previous: bool = attrs.field(default=False, validator=instance_of(bool))
    attestations: tuple[str, ...] = attrs.field(default=(), validator=_strings)
    once: bool = attrs.field(default=False, validator=instance_of(bool))
    continuous: bool = attrs.field(default=False, validator=instance_of(bool))
    quality: QualityRule | None = attrs.field(default=None)

    @quality.validator
    def _check_quality(self, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None and not isinstance(value, QualityRule):
            raise InvalidTypeError("quality", "must be a QualityRule or None")


NO_LEVEL: Final = Level(rank=0, name="none", label="无", hours=Hours.ZERO)
"""The level of someone who has reached no level (rank 0)."""


@attrs.frozen(kw_only=True)
class AgeBand:
    """Thresholds for volunteers of one age range (the PVSA table).

    Attributes:
        min_age: the youngest age in the band, inclusive (whole years on ``as_of``).
        max_age: the oldest age, inclusive, or ``None`` for no upper bound.
        hours: one threshold per level, in rank order (inclusive).

    Example:
        >>> from volunteer_rules import Hours
        >>> AgeBand(min_age=5, max_age=10, hours=(Hours.from_hours(26),)).max_age
        10
    """

    min_age: int = attrs.field(validator=_count)
    max_age: int | None = attrs.field(default=None)
    hours: tuple[Hours, ...] = attrs.field(validator=_tuple_of(Hours))

    def contains(self, age: int) -> bool:
        """Whether ``age`` falls in the band (both ends inclusive).

        Example:
            >>> from volunteer_rules import Hours
            >>> band = AgeBand(min_age=5, max_age=10, hours=(Hours.from_hours(26),))
            >>> band.contains(10), band.contains(11)
            (True, False)
        """
        return self.min_age <= age and (self.max_age is None or age <= self.max_age)


@masked_repr
@attrs.frozen(kw_only=True)
class GroupRule:
    """A group award: every member must reach a minimum, and the group total picks the level.

    Attributes:
        min_member_hours: what each member must have counted (inclusive).
        levels: the group levels, ranked like a version's levels.

    Example:
        >>> from volunteer_rules import Hours
        >>> GroupRule(min_member_hours=Hours.from_hours(25), levels=(
        ...     Level(rank=1, name="bronze", label="铜", hours=Hours.from_hours(200)),
        ... )).levels[0].name
        'bronze'
    """

    min_member_hours: Hours = attrs.field(validator=_hours)
    levels: tuple[Level, ...] = attrs.field(validator=_tuple_of(Level))
