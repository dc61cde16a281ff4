"""Rule sets as versioned data: levels, thresholds, windows and conditions of a star scheme.

A :class:`RuleSet` is what a jurisdiction says about recognising volunteers by their hours
(星级认定 and its equivalents elsewhere). It holds no code: thresholds, windows and conditions
are data, checked when the rule set is built, so a rule set can also come from a JSON or TOML
file (:func:`rule_set_from_mapping`, :func:`dump_rule_set`).

What a version of a rule set can say:

- cumulative hour thresholds per level, inclusive at the boundary (300 h is two stars in the
  national scheme; 299 h 59 min is one);
- a counting window: ``lifetime``, ``rolling_12_months`` (the 12 months ending on ``as_of``:
  from the day after the same date a year before, inclusive) or ``calendar_year`` (1 January of
  ``as_of``'s year to ``as_of``);
- per level: a minimum tenure in months since the first counted service (inclusive: exactly
  six months is enough), whether the level requires the level below to have been awarded
  (levels taken in sequence), attested qualitative conditions supplied by the caller, and
  whether the level is awarded once only;
- a minimum evaluation rating for a record to count;
- age bands (the volunteer's age on ``as_of`` chooses the thresholds);
- a group award (each member must reach a minimum; the group's total chooses the level);
- a cycle (a prize every so many hours);
- a certificate validity in months, and whether hours may be counted again on renewal;
- both ends of a version: ``valid_from`` and an optional ``valid_until`` (inclusive). A scheme
  whose last version ends is retired (:attr:`RuleSet.retired_after`); on a day no version
  covers, :meth:`RuleSet.status_on` says why (not yet in force, between versions, retired) and
  certification returns that as its outcome instead of a level;
- per level, quality conditions (:class:`QualityRule`): a minimum average or per-record
  evaluation rating, a minimum number of evaluated records, no sanction in a period; and
  attested conditions (:class:`Attestation`: what, who attested, when);
- per version, where tenure starts (the first counted record, or the volunteer's
  registration) and, per level, whether the service must be continuous.

The sources of the built-in rule sets are listed in ``docs/sources.md``.

Example:
    >>> from datetime import date
    >>> from volunteer_rules.rules.rule_set import Level, RuleSet, RuleSetVersion
    >>> from volunteer_rules import Hours
    >>> rs = RuleSet(
    ...     id="xx-demo", name="Demo", name_zh="示例", references=(),
    ...     versions=(RuleSetVersion(valid_from=date(2020, 1, 1), levels=(
    ...         Level(rank=1, name="bronze", label="铜", hours=Hours.from_hours(10)),
    ...         Level(rank=2, name="silver", label="银", hours=Hours.from_hours(20)),
    ...     )),),
    ... )
    >>> rs.version_on(date(2024, 1, 1)).levels[1].name
    'silver'
"""

from __future__ import annotations

import datetime as _dt
import itertools
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final, Protocol

import attrs
from dateutil.relativedelta import relativedelta

from volunteer_rules._privacy import masked_repr
from volunteer_rules.errors import (
    FieldError,
    InvalidTypeError,
    InvalidValueError,
    RecordFormatError,
    RuleSetError,
    VolunteerRulesError,
)
from volunteer_rules.hours import Hours
from volunteer_rules.records.record import RATINGS

__all__ = [
    "NO_LEVEL",
    "RATING_SCORES",
    "SCHEME_STATES",
    "TENURE_STARTS",
    "WINDOWS",
    "AgeBand",
    "Attestation",
    "Award",
    "GroupRule",
    "Level",
    "QualityRule",
    "Reference",
    "RuleSet",
    "RuleSetVersion",
    "Sanction",
    "SchemeStatus",
    "Volunteer",
    "add_months",
    "age_on",
    "dump_rule_set",
    "rule_set_from_mapping",
    "window_start",
]

WINDOWS: Final = ("lifetime", "rolling_12_months", "calendar_year")
"""The counting windows a rule set version may use."""

TENURE_STARTS: Final = ("first_counted", "registration")
"""Where a level's minimum tenure is counted from: the first counted record, or registration."""

SCHEME_STATES: Final = ("in_force", "not_yet_in_force", "between_versions", "retired")
"""What :meth:`RuleSet.status_on` may say of a day."""

RATING_SCORES: Final = {"excellent": 4, "good": 3, "pass": 2, "fail": 1}
"""The score of each evaluation rating, for averages (an average rating of at least ``good``
means a mean score of at least 3)."""

_ID: Final = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_NAME: Final = re.compile(r"^[a-z0-9_]+$")


class Volunteer(Protocol):
    """What certification needs to know of a volunteer: the id, and the birth date for age bands.

    :class:`~volunteer_rules.VolunteerProfile` satisfies it; so does any object with these
    two attributes.

    Example:
        >>> from datetime import date
        >>> import attrs
        >>> @attrs.frozen
        ... class Person:
        ...     volunteer_id: str
        ...     birth_date: date
        >>> isinstance(Person("V1", date(2010, 1, 1)).volunteer_id, str)
        True
    """

    @property
    def volunteer_id(self) -> str:
        """The volunteer's unified number."""

    @property
    def birth_date(self) -> _dt.date:
        """The date of birth."""


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


@masked_repr
@attrs.frozen(kw_only=True)
class Reference:
    """A source of a rule set: a document, the article, its date, and how far to trust it.

    Attributes:
        key: the source's key in ``docs/sources.md`` (``"MCA2012-draft"``).
        document: the document's title.
        article: the article or clause (``"Art 18"``), or ``None``.
        date: the document's date, or ``None`` if unknown.
        note: a caveat, such as that the source is secondary or a draft, or ``None``.

    Example:
        >>> Reference(key="COMM", document="中国社区志愿者注册管理办法", article="Art 18").key
        'COMM'
    """

    key: str = attrs.field(validator=_text)
    document: str = attrs.field(validator=_text)
    article: str | None = attrs.field(default=None)
    date: _dt.date | None = attrs.field(default=None, validator=_opt_date)
    note: str | None = attrs.field(default=None)


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
    hours: Hours = attrs.field(validator=attrs.validators.instance_of(Hours))
    min_tenure_months: int = attrs.field(default=0, validator=_count)
    requires_previous: bool = attrs.field(
        default=False, validator=attrs.validators.instance_of(bool)
    )
    attestations: tuple[str, ...] = attrs.field(default=(), validator=_strings)
    once: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))
    continuous: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))
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


@masked_repr
@attrs.frozen(kw_only=True)
class RuleSetVersion:
    """The rules of a scheme from one date on, until ``valid_until`` or the next version.

    Attributes:
        valid_from: the first day this version applies, inclusive.
        valid_until: the last day it applies, inclusive, or ``None``: until the next version
            (the day before its ``valid_from``) or, for the last version, with no end.
        levels: the levels, ranks 1..n in order, thresholds strictly increasing.
        window: ``lifetime``, ``rolling_12_months`` or ``calendar_year``.
        min_rating: the worst evaluation rating a record may have to count, or ``None``.
        age_bands: if not empty, the volunteer's age on ``as_of`` picks the thresholds.
        group: the group award, or ``None``.
        cycle_hours: a prize every so many counted hours, or ``None``.
        validity_months: how long an award stays valid, or ``None`` for ever.
        hours_reused_on_renewal: ``False`` when the hours (and years) behind an award may not
            count again for the next one: counting restarts the day after the last award.
        tenure_from: ``first_counted`` (tenure runs from the first counted record) or
            ``registration`` (from the volunteer's ``registered_on``; without it, no tenure).
        note: anything a reader should know about this version.

    Example:
        >>> from datetime import date
        >>> from volunteer_rules import Hours
        >>> RuleSetVersion(valid_from=date(2020, 1, 1), levels=(
        ...     Level(rank=1, name="bronze", label="铜", hours=Hours.from_hours(50)),
        ... ), window="calendar_year").window
        'calendar_year'
    """

    valid_from: _dt.date = attrs.field(validator=_date)
    levels: tuple[Level, ...] = attrs.field(validator=_tuple_of(Level))
    valid_until: _dt.date | None = attrs.field(default=None, validator=_opt_date)
    window: str = attrs.field(default="lifetime", validator=attrs.validators.in_(WINDOWS))
    min_rating: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.in_(RATINGS))
    )
    age_bands: tuple[AgeBand, ...] = attrs.field(default=(), validator=_tuple_of(AgeBand))
    group: GroupRule | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(GroupRule))
    )
    cycle_hours: Hours | None = attrs.field(default=None, validator=_opt_hours)
    validity_months: int | None = attrs.field(default=None)
    hours_reused_on_renewal: bool = attrs.field(
        default=True, validator=attrs.validators.instance_of(bool)
    )
    tenure_from: str = attrs.field(
        default="first_counted", validator=attrs.validators.in_(TENURE_STARTS)
    )
    note: str | None = attrs.field(default=None)

    @property
    def has_quality(self) -> bool:
        """Whether any level has quality conditions or continuity (read per record).

        Example:
            >>> from datetime import date
            >>> from volunteer_rules import Hours
            >>> RuleSetVersion(valid_from=date(2020, 1, 1), levels=(
            ...     Level(rank=1, name="bronze", label="铜", hours=Hours.from_hours(50)),
            ... )).has_quality
            False
        """
        return any(level.quality is not None or level.continuous for level in self.levels)

    def thresholds_for(self, age: int | None) -> tuple[Hours, ...] | None:
        """The thresholds for a volunteer of ``age`` (``None`` when no band admits them).

        Without age bands every volunteer gets the levels' own thresholds.

        Example:
            >>> from datetime import date
            >>> from volunteer_rules import Hours
            >>> v = RuleSetVersion(valid_from=date(2020, 1, 1), levels=(
            ...     Level(rank=1, name="bronze", label="铜", hours=Hours.from_hours(50)),))
            >>> v.thresholds_for(None)
            (Hours(minutes=3000),)
        """
        if not self.age_bands:
            return tuple(level.hours for level in self.levels)
        if age is None:
            return None
        for band in self.age_bands:
            if band.contains(age):
                return band.hours
        return None


@masked_repr
@attrs.frozen(kw_only=True)
class Award:
    """A level awarded to a volunteer in the past (to apply sequence, once-only and renewal).

    Attributes:
        rank: the level's rank.
        date: the day it was awarded.

    Example:
        >>> from datetime import date
        >>> Award(rank=1, date=date(2023, 3, 1)).rank
        1
    """

    rank: int = attrs.field(validator=_count)
    date: _dt.date = attrs.field(validator=_date)


def _check_levels(rule_set_id: str, levels: tuple[Level, ...], where: str) -> None:
    if not levels:
        raise RuleSetError(rule_set_id, f"{where}: at least one level is needed")
    names = set()
    for expected, level in enumerate(levels, start=1):
        if level.rank != expected:
            raise RuleSetError(
                rule_set_id,
                f"{where}: ranks must be 1, 2, 3... without gaps; found {level.rank} where"
                f" {expected} was expected",
            )
        if not _NAME.match(level.name):
            raise RuleSetError(rule_set_id, f"{where}: level name {level.name!r} is not snake_case")
        if level.name in names:
            raise RuleSetError(rule_set_id, f"{where}: level name {level.name!r} is repeated")
        names.add(level.name)
    _check_increasing(rule_set_id, tuple(level.hours for level in levels), where)


def _check_increasing(rule_set_id: str, hours: tuple[Hours, ...], where: str) -> None:
    if hours and hours[0].minutes <= 0:
        raise RuleSetError(rule_set_id, f"{where}: thresholds must be positive")
    for low, high in itertools.pairwise(hours):
        if not low < high:
            raise RuleSetError(
                rule_set_id, f"{where}: thresholds must be strictly increasing ({low}, {high})"
            )


def _check_version(rule_set_id: str, version: RuleSetVersion) -> None:
    where = f"version {version.valid_from.isoformat()}"
    if version.valid_until is not None and version.valid_until < version.valid_from:
        raise RuleSetError(rule_set_id, f"{where}: valid_until is before valid_from")
    _check_levels(rule_set_id, version.levels, where)
    for level in version.levels:
        if level.continuous and not level.min_tenure_months:
            raise RuleSetError(
                rule_set_id, f"{where}: level {level.name} is continuous without a tenure"
            )
    last_max: int | None = -1
    for band in version.age_bands:
        if len(band.hours) != len(version.levels):
            raise RuleSetError(rule_set_id, f"{where}: an age band needs one threshold per level")
        _check_increasing(rule_set_id, band.hours, f"{where}, ages from {band.min_age}")
        if band.max_age is not None and band.max_age < band.min_age:
            raise RuleSetError(rule_set_id, f"{where}: age band ends before it starts")
        if last_max is None or band.min_age <= last_max:
            raise RuleSetError(rule_set_id, f"{where}: age bands must be ordered, not overlapping")
        last_max = band.max_age
    if version.group is not None:
        _check_levels(rule_set_id, version.group.levels, f"{where}, group award")
    if version.validity_months is not None and (
        type(version.validity_months) is not int or version.validity_months <= 0
    ):
        raise RuleSetError(rule_set_id, f"{where}: validity_months must be a positive int")


@masked_repr
@attrs.frozen(kw_only=True)
class RuleSet:
    """A recognition scheme: an id, names, sources and dated versions of its rules.

    Built rule sets are checked (:class:`~volunteer_rules.RuleSetError`): the id is lowercase
    words joined by ``-``, versions strictly ordered by ``valid_from``, levels ranked 1..n
    without gaps, thresholds strictly increasing, age bands ordered and complete per level.

    Attributes:
        id: stable id (``cn-national``).
        name: English name.
        name_zh: Chinese name.
        references: the sources.
        versions: the versions, oldest first.
        paused_since: the day the scheme was paused, or ``None``.
        note: anything a reader should know.

    Example:
        >>> from volunteer_rules.rules.schemes import get_rule_set
        >>> rs = get_rule_set("cn-national")
        >>> [level.hours.hours for level in rs.versions[-1].levels]
        [Decimal('100'), Decimal('300'), Decimal('600'), Decimal('1000'), Decimal('1500')]
    """

    id: str = attrs.field()
    name: str = attrs.field(validator=_text)
    name_zh: str = attrs.field(validator=_text)
    references: tuple[Reference, ...] = attrs.field(validator=_tuple_of(Reference))
    versions: tuple[RuleSetVersion, ...] = attrs.field(validator=_tuple_of(RuleSetVersion))
    paused_since: _dt.date | None = attrs.field(default=None, validator=_opt_date)
    note: str | None = attrs.field(default=None)

    @id.validator
    def _check_id(self, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str) or not _ID.match(value):
            raise RuleSetError(
                str(value) if isinstance(value, str) else "",
                "the id must be lowercase letters and digits in words joined by '-'",
            )

    def __attrs_post_init__(self) -> None:
        if not self.versions:
            raise RuleSetError(self.id, "at least one version is needed")
        for earlier, later in zip(self.versions, self.versions[1:], strict=False):
            if not earlier.valid_from < later.valid_from:
                raise RuleSetError(self.id, "versions must be in strictly increasing valid_from")
            if earlier.valid_until is not None and not earlier.valid_until < later.valid_from:
                raise RuleSetError(
                    self.id,
                    f"version {earlier.valid_from.isoformat()} ends on"
                    f" {earlier.valid_until.isoformat()}, not before the next version starts",
                )
        for version in self.versions:
            _check_version(self.id, version)

    @property
    def retired_after(self) -> _dt.date | None:
        """The last day of the scheme (its last version's ``valid_until``), or ``None``.

        Example:
            >>> from volunteer_rules.rules.schemes import get_rule_set
            >>> get_rule_set("hk-swd").retired_after, get_rule_set("cn-national").retired_after
            (datetime.date(2021, 12, 31), None)
        """
        return self.versions[-1].valid_until

    def end_of(self, version: RuleSetVersion) -> _dt.date | None:
        """The last day ``version`` applies (inclusive), or ``None`` when it has no end.

        Example:
            >>> from volunteer_rules.rules.schemes import get_rule_set
            >>> rs = get_rule_set("cn-beijing")
            >>> rs.end_of(rs.versions[0])
            datetime.date(2014, 12, 31)
        """
        if version.valid_until is not None:
            return version.valid_until
        for earlier, later in itertools.pairwise(self.versions):
            if earlier is version:
                return later.valid_from - _dt.timedelta(days=1)
        return None

    def status_on(self, as_of: _dt.date) -> SchemeStatus:
        """Whether a version is in force on ``as_of``, which one, and if none, why.

        Example:
            >>> from datetime import date
            >>> from volunteer_rules.rules.schemes import get_rule_set
            >>> status = get_rule_set("hk-swd").status_on(date(2022, 3, 1))
            >>> status.state
            'retired'
            >>> print(status.reason)
            hk-swd was retired: its last version applied until 2021-12-31
        """
        if type(as_of) is not _dt.date:
            raise InvalidTypeError("as_of", f"must be a date, not {type(as_of).__name__}")
        first = self.versions[0]
        if as_of < first.valid_from:
            return SchemeStatus(
                state="not_yet_in_force",
                version=None,
                reason=(
                    f"{self.id} was not yet in force on {as_of.isoformat()}: its first version"
                    f" applies from {first.valid_from.isoformat()}"
                ),
            )
        chosen = first
        for version in self.versions:
            if version.valid_from <= as_of:
                chosen = version
        end = self.end_of(chosen)
        if end is None or as_of <= end:
            return SchemeStatus(state="in_force", version=chosen, reason=None)
        if chosen is self.versions[-1]:
            return SchemeStatus(
                state="retired",
                version=None,
                reason=f"{self.id} was retired: its last version applied until {end.isoformat()}",
            )
        following = self.versions[self.versions.index(chosen) + 1]
        return SchemeStatus(
            state="between_versions",
            version=None,
            reason=(
                f"{self.id} had no version in force on {as_of.isoformat()}: the version of"
                f" {chosen.valid_from.isoformat()} ended on {end.isoformat()} and the next"
                f" applies from {following.valid_from.isoformat()}"
            ),
        )

    def version_on(self, as_of: _dt.date) -> RuleSetVersion:
        """The version in force on ``as_of``.

        :func:`~volunteer_rules.certify` does not raise on a day without a version: it returns
        the reason as its outcome (see :meth:`status_on`).

        Raises:
            InvalidValueError: no version is in force on ``as_of`` (before the first, between
                versions, or after retirement).

        Example:
            >>> from datetime import date
            >>> from volunteer_rules.rules.schemes import get_rule_set
            >>> get_rule_set("cn-national").version_on(date(2024, 1, 1)).valid_from
            datetime.date(2012, 10, 23)
        """
        status = self.status_on(as_of)
        if status.version is None:
            raise InvalidValueError("as_of", status.reason or "no version in force")
        return status.version


@masked_repr
@attrs.frozen(kw_only=True)
class SchemeStatus:
    """What a rule set says of one day: the version in force, or why there is none.

    Attributes:
        state: one of :data:`SCHEME_STATES`.
        version: the version in force, or ``None``.
        reason: why no version is in force, or ``None`` when one is.

    Example:
        >>> from datetime import date
        >>> from volunteer_rules.rules.schemes import get_rule_set
        >>> get_rule_set("tw-awards").status_on(date(2000, 1, 1)).state
        'not_yet_in_force'
    """

    state: str = attrs.field(validator=attrs.validators.in_(SCHEME_STATES))
    version: RuleSetVersion | None
    reason: str | None


def add_months(day: _dt.date, months: int) -> _dt.date:
    """``day`` plus whole months (the last day of a shorter month); ``date.max`` on overflow.

    Example:
        >>> from datetime import date
        >>> add_months(date(2025, 8, 31), 6), add_months(date(9999, 12, 1), 1)
        (datetime.date(2026, 2, 28), datetime.date(9999, 12, 31))
    """
    try:
        result: _dt.date = day + relativedelta(months=months)
    except (OverflowError, ValueError):
        return _dt.date.max
    return result


def age_on(birth_date: _dt.date, day: _dt.date) -> int:
    """Whole years of age on ``day`` (a 29 February birthday falls on 1 March in other years).

    Example:
        >>> from datetime import date
        >>> age_on(date(2010, 6, 30), date(2020, 6, 29)), age_on(date(2010, 6, 30), date(2020, 6, 30))
        (9, 10)
    """
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def window_start(window: str, as_of: _dt.date) -> _dt.date | None:
    """The first day (inclusive) of a counting window that ends on ``as_of``.

    Example:
        >>> from datetime import date
        >>> window_start("rolling_12_months", date(2026, 6, 30))
        datetime.date(2025, 7, 1)
        >>> window_start("calendar_year", date(2026, 6, 30)), window_start("lifetime", date(2026, 6, 30))
        (datetime.date(2026, 1, 1), None)
    """
    if window == "rolling_12_months":
        if as_of.year == 1:
            return _dt.date.min
        start: _dt.date = as_of - relativedelta(years=1) + _dt.timedelta(days=1)
        return start
    if window == "calendar_year":
        return _dt.date(as_of.year, 1, 1)
    return None


# --- the mapping form --------------------------------------------------------------------------


_MISSING: Final = object()

_MAX_MAPPING_INTEGER: Final = 1_000_000
"""The largest whole number a rule-set mapping may give (a rank, months, an age, a count);
larger is ``out_of_range``, so that no number of thousands of digits reaches the rules."""


class _Reader:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def fail(self, path: str, code: str, message: str) -> None:
        self.errors.append(FieldError(path, code, message))

    def get(
        self, mapping: Mapping[str, Any], path: str, allowed: Iterable[str], required: Iterable[str]
    ) -> dict[str, Any]:
        allowed = set(allowed)
        out: dict[str, Any] = {}
        for key, value in mapping.items():
            if key not in allowed:
                self.fail(f"{path}.{key}", "unknown_field", f"{key!r} is not a field here")
            else:
                out[key] = value
        for key in required:
            if key not in mapping:
                self.fail(f"{path}.{key}", "missing", f"{key} is required")
                out[key] = _MISSING
        return out

    def mapping(self, value: object, path: str) -> Mapping[str, Any] | None:
        if value is _MISSING:
            return None
        if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
            self.fail(path, "invalid_type", "must be an object")
            return None
        return value

    def list(self, value: object, path: str) -> list[Any]:
        if value is _MISSING:
            return []
        if not isinstance(value, (list, tuple)):
            self.fail(path, "invalid_type", "must be an array")
            return []
        return list(value)

    def text(self, value: object, path: str, optional: bool = False) -> str | None:
        if value is _MISSING:
            return None
        if value is None and optional:
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(path, "invalid_type", "must be a non-empty string")
            return None
        return value

    def date(self, value: object, path: str, optional: bool = False) -> _dt.date | None:
        if value is _MISSING:
            return None
        if value is None and optional:
            return None
        if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return _dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(path, "invalid_format", "must be an ISO date such as 2020-01-01")
        return None

    def hours(self, value: object, path: str, optional: bool = False) -> Hours | None:
        if value is _MISSING:
            return None
        if value is None and optional:
            return None
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            try:
                return Hours.from_hours(value)
            except VolunteerRulesError as error:
                if "too large" in str(error):
                    self.fail(path, "out_of_range", "must be less than 10**15 hours")
                    return None
        self.fail(path, "invalid_format", "must be hours as an integer or a decimal string")
        return None

    def integer(self, value: object, path: str, optional: bool = False) -> int | None:
        if value is _MISSING:
            return None
        if value is None and optional:
            return None
        if type(value) is not int or value < 0:
            self.fail(path, "invalid_type", "must be a whole number, 0 or more")
            return None
        if value > _MAX_MAPPING_INTEGER:
            # ranks, months, ages and counts: a number of thousands of digits is never used
            self.fail(path, "out_of_range", f"must be at most {_MAX_MAPPING_INTEGER:,}")
            return None
        return value

    def boolean(self, value: object, path: str) -> bool:
        if value is _MISSING:
            return False
        if not isinstance(value, bool):
            self.fail(path, "invalid_type", "must be true or false")
            return False
        return value

    def choice(self, value: object, path: str, allowed: tuple[str, ...]) -> str | None:
        if value is _MISSING:
            return None
        if not isinstance(value, str) or value not in allowed:
            self.fail(path, "unknown_code", f"must be one of {', '.join(allowed)}")
            return None
        return value


def _read_level(reader: _Reader, value: object, path: str) -> dict[str, Any] | None:
    raw = reader.mapping(value, path)
    if raw is None:
        return None
    fields = reader.get(
        raw,
        path,
        (
            "rank",
            "name",
            "label",
            "hours",
            "min_tenure_months",
            "requires_previous",
            "attestations",
            "once",
            "continuous",
            "quality",
        ),
        ("rank", "name", "label", "hours"),
    )
    out: dict[str, Any] = {
        "rank": reader.integer(fields.get("rank"), f"{path}.rank"),
        "name": reader.text(fields.get("name"), f"{path}.name"),
        "label": reader.text(fields.get("label"), f"{path}.label"),
        "hours": reader.hours(fields.get("hours"), f"{path}.hours"),
    }
    if "min_tenure_months" in fields:
        out["min_tenure_months"] = reader.integer(
            fields["min_tenure_months"], f"{path}.min_tenure_months"
        )
    for flag in ("requires_previous", "once", "continuous"):
        if flag in fields:
            out[flag] = reader.boolean(fields[flag], f"{path}.{flag}")
    if "attestations" in fields:
        out["attestations"] = tuple(
            reader.text(v, f"{path}.attestations[{i}]")
            for i, v in enumerate(reader.list(fields["attestations"], f"{path}.attestations"))
        )
    if fields.get("quality") is not None:
        qpath = f"{path}.quality"
        qraw = reader.mapping(fields["quality"], qpath)
        if qraw is not None:
            qf = reader.get(qraw, qpath, _QUALITY_FIELDS, ())
            quality: dict[str, Any] = {}
            for key in ("min_average_rating", "min_record_rating"):
                if qf.get(key) is not None:
                    quality[key] = reader.choice(qf[key], f"{qpath}.{key}", RATINGS)
            if "min_evaluated_records" in qf:
                quality["min_evaluated_records"] = reader.integer(
                    qf["min_evaluated_records"], f"{qpath}.min_evaluated_records"
                )
            if "no_sanction_months" in qf:
                quality["no_sanction_months"] = reader.integer(
                    qf["no_sanction_months"], f"{qpath}.no_sanction_months", True
                )
            if "note" in qf:
                quality["note"] = reader.text(qf["note"], f"{qpath}.note", True)
            out["quality"] = quality
    return out


_QUALITY_FIELDS: Final = (
    "min_average_rating",
    "min_record_rating",
    "min_evaluated_records",
    "no_sanction_months",
    "note",
)


_VERSION_FIELDS: Final = (
    "valid_from",
    "valid_until",
    "levels",
    "window",
    "min_rating",
    "age_bands",
    "group",
    "cycle_hours",
    "validity_months",
    "hours_reused_on_renewal",
    "tenure_from",
    "note",
)


def _read_version(reader: _Reader, value: object, path: str) -> dict[str, Any] | None:
    raw = reader.mapping(value, path)
    if raw is None:
        return None
    fields = reader.get(raw, path, _VERSION_FIELDS, ("valid_from", "levels"))
    out: dict[str, Any] = {
        "valid_from": reader.date(fields.get("valid_from"), f"{path}.valid_from"),
        "levels": _read_levels(reader, fields.get("levels", []), f"{path}.levels"),
    }
    if fields.get("valid_until") is not None:
        out["valid_until"] = reader.date(fields["valid_until"], f"{path}.valid_until")
    if "tenure_from" in fields:
        out["tenure_from"] = reader.choice(
            fields["tenure_from"], f"{path}.tenure_from", TENURE_STARTS
        )
    if "window" in fields:
        out["window"] = reader.choice(fields["window"], f"{path}.window", WINDOWS)
    if fields.get("min_rating") is not None:
        out["min_rating"] = reader.choice(fields["min_rating"], f"{path}.min_rating", RATINGS)
    if "age_bands" in fields:
        out["age_bands"] = _read_age_bands(reader, fields["age_bands"], f"{path}.age_bands")
    if fields.get("group") is not None:
        group = _read_group(reader, fields["group"], f"{path}.group")
        if group is not None:
            out["group"] = group
    if "cycle_hours" in fields:
        out["cycle_hours"] = reader.hours(fields["cycle_hours"], f"{path}.cycle_hours", True)
    if "validity_months" in fields:
        out["validity_months"] = reader.integer(
            fields["validity_months"], f"{path}.validity_months", True
        )
    if "hours_reused_on_renewal" in fields:
        out["hours_reused_on_renewal"] = reader.boolean(
            fields["hours_reused_on_renewal"], f"{path}.hours_reused_on_renewal"
        )
    if "note" in fields:
        out["note"] = reader.text(fields["note"], f"{path}.note", True)
    return out


def _read_levels(reader: _Reader, value: object, path: str) -> list[dict[str, Any] | None]:
    """The levels of a version or of its group, each read at its index."""
    return [_read_level(reader, v, f"{path}[{i}]") for i, v in enumerate(reader.list(value, path))]


def _read_age_bands(reader: _Reader, value: object, path: str) -> list[dict[str, Any]]:
    """A version's age bands: the ages each covers and its thresholds.

    A band that is no object is left out (the reader has said so).
    """
    bands = []
    for i, band in enumerate(reader.list(value, path)):
        bpath = f"{path}[{i}]"
        braw = reader.mapping(band, bpath)
        if braw is None:
            continue
        bf = reader.get(braw, bpath, ("min_age", "max_age", "hours"), ("min_age", "hours"))
        bands.append(
            {
                "min_age": reader.integer(bf.get("min_age"), f"{bpath}.min_age"),
                "max_age": reader.integer(bf.get("max_age"), f"{bpath}.max_age", True),
                "hours": [
                    reader.hours(h, f"{bpath}.hours[{j}]")
                    for j, h in enumerate(reader.list(bf.get("hours", []), f"{bpath}.hours"))
                ],
            }
        )
    return bands


def _read_group(reader: _Reader, value: object, path: str) -> dict[str, Any] | None:
    """A version's group award: each member's minimum and the group's levels.

    ``None`` when it is no object (the reader has said so).
    """
    graw = reader.mapping(value, path)
    if graw is None:
        return None
    gf = reader.get(graw, path, ("min_member_hours", "levels"), ("min_member_hours", "levels"))
    return {
        "min_member_hours": reader.hours(gf.get("min_member_hours"), f"{path}.min_member_hours"),
        "levels": _read_levels(reader, gf.get("levels", []), f"{path}.levels"),
    }


def rule_set_from_mapping(mapping: Mapping[str, Any]) -> RuleSet:
    """Build a rule set from a plain mapping (as read from JSON or TOML).

    The shape is :func:`dump_rule_set`'s: hours as integers or decimal strings, dates as ISO
    strings. Every structural problem is reported at once in a
    :class:`~volunteer_rules.RecordFormatError` (``what="rule set"``) with paths such as
    ``$.versions[0].levels[1].hours``; a well-formed rule set whose rules contradict each other
    raises :class:`~volunteer_rules.RuleSetError`.

    Example:
        >>> rs = rule_set_from_mapping({
        ...     "id": "xx-club", "name": "Club", "name_zh": "俱乐部", "references": [],
        ...     "versions": [{"valid_from": "2024-01-01", "window": "calendar_year", "levels": [
        ...         {"rank": 1, "name": "bronze", "label": "铜", "hours": 20},
        ...         {"rank": 2, "name": "silver", "label": "银", "hours": "40.5"}]}]})
        >>> rs.versions[0].levels[1].hours.minutes
        2430
        >>> rule_set_from_mapping({"id": "xx"})
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.RecordFormatError: invalid rule set: $.name: missing: name is required; $.name_zh: missing: name_zh is required; $.references: missing: references is required; $.versions: missing: versions is required
    """
    reader = _Reader()
    raw = reader.mapping(mapping, "$")
    if raw is None:
        raise RecordFormatError(reader.errors, what="rule set")
    fields = reader.get(
        raw,
        "$",
        ("id", "name", "name_zh", "references", "versions", "paused_since", "note"),
        ("id", "name", "name_zh", "references", "versions"),
    )
    references: list[dict[str, Any]] = []
    for i, value in enumerate(reader.list(fields.get("references", []), "$.references")):
        path = f"$.references[{i}]"
        rraw = reader.mapping(value, path)
        if rraw is None:
            continue
        rf = reader.get(
            rraw, path, ("key", "document", "article", "date", "note"), ("key", "document")
        )
        references.append(
            {
                "key": reader.text(rf.get("key"), f"{path}.key"),
                "document": reader.text(rf.get("document"), f"{path}.document"),
                "article": reader.text(rf.get("article"), f"{path}.article", True),
                "date": reader.date(rf.get("date"), f"{path}.date", True),
                "note": reader.text(rf.get("note"), f"{path}.note", True),
            }
        )
    versions = [
        _read_version(reader, v, f"$.versions[{i}]")
        for i, v in enumerate(reader.list(fields.get("versions", []), "$.versions"))
    ]
    rule_set_id = reader.text(fields.get("id"), "$.id")
    name = reader.text(fields.get("name"), "$.name")
    name_zh = reader.text(fields.get("name_zh"), "$.name_zh")
    paused = reader.date(fields.get("paused_since"), "$.paused_since", True)
    note = reader.text(fields.get("note"), "$.note", True)
    if reader.errors:
        raise RecordFormatError(reader.errors, what="rule set")
    ident = rule_set_id or ""
    try:
        return RuleSet(
            id=ident,
            name=name or "",
            name_zh=name_zh or "",
            references=tuple(Reference(**r) for r in references),
            versions=tuple(_build_version(v) for v in versions if v is not None),
            paused_since=paused,
            note=note,
        )
    except RuleSetError:
        raise
    except VolunteerRulesError as error:
        raise RuleSetError(ident, str(error)) from None


def _build_level(raw: dict[str, Any]) -> Level:
    raw = dict(raw)
    if "quality" in raw:
        raw["quality"] = QualityRule(**raw["quality"])
    return Level(**raw)


def _build_version(raw: dict[str, Any]) -> RuleSetVersion:
    raw = dict(raw)
    raw["levels"] = tuple(_build_level(v) for v in raw["levels"] if v is not None)
    if "age_bands" in raw:
        raw["age_bands"] = tuple(
            AgeBand(min_age=b["min_age"], max_age=b["max_age"], hours=tuple(b["hours"]))
            for b in raw["age_bands"]
        )
    if "group" in raw:
        group = raw["group"]
        raw["group"] = GroupRule(
            min_member_hours=group["min_member_hours"],
            levels=tuple(_build_level(v) for v in group["levels"] if v is not None),
        )
    return RuleSetVersion(**raw)


def _hours_text(hours: Hours) -> str | int:
    if hours.minutes % 60 == 0:
        return hours.minutes // 60
    return str(hours.to_decimal_hours(places=10).normalize())


def _dump_level(level: Level) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rank": level.rank,
        "name": level.name,
        "label": level.label,
        "hours": _hours_text(level.hours),
    }
    if level.min_tenure_months:
        out["min_tenure_months"] = level.min_tenure_months
    if level.requires_previous:
        out["requires_previous"] = True
    if level.attestations:
        out["attestations"] = list(level.attestations)
    if level.once:
        out["once"] = True
    if level.continuous:
        out["continuous"] = True
    if level.quality is not None:
        q = level.quality
        out["quality"] = {
            k: v
            for k, v in (
                ("min_average_rating", q.min_average_rating),
                ("min_record_rating", q.min_record_rating),
                ("min_evaluated_records", q.min_evaluated_records or None),
                ("no_sanction_months", q.no_sanction_months),
                ("note", q.note),
            )
            if v is not None
        }
    return out


def dump_rule_set(rule_set: RuleSet) -> dict[str, Any]:
    """The plain (JSON-compatible) mapping of a rule set; :func:`rule_set_from_mapping` reads it.

    Example:
        >>> from volunteer_rules.rules.schemes import get_rule_set
        >>> rs = get_rule_set("hk-swd")
        >>> rule_set_from_mapping(dump_rule_set(rs)) == rs
        True
    """
    if not isinstance(rule_set, RuleSet):
        raise InvalidTypeError("rule_set", "must be a RuleSet")
    versions = []
    for v in rule_set.versions:
        out: dict[str, Any] = {
            "valid_from": v.valid_from.isoformat(),
            "window": v.window,
            "levels": [_dump_level(level) for level in v.levels],
        }
        if v.valid_until is not None:
            out["valid_until"] = v.valid_until.isoformat()
        if v.tenure_from != "first_counted":
            out["tenure_from"] = v.tenure_from
        if v.min_rating is not None:
            out["min_rating"] = v.min_rating
        if v.age_bands:
            out["age_bands"] = [
                {
                    "min_age": b.min_age,
                    "max_age": b.max_age,
                    "hours": [_hours_text(h) for h in b.hours],
                }
                for b in v.age_bands
            ]
        if v.group is not None:
            out["group"] = {
                "min_member_hours": _hours_text(v.group.min_member_hours),
                "levels": [_dump_level(level) for level in v.group.levels],
            }
        if v.cycle_hours is not None:
            out["cycle_hours"] = _hours_text(v.cycle_hours)
        if v.validity_months is not None:
            out["validity_months"] = v.validity_months
        if not v.hours_reused_on_renewal:
            out["hours_reused_on_renewal"] = False
        if v.note is not None:
            out["note"] = v.note
        versions.append(out)
    result: dict[str, Any] = {
        "id": rule_set.id,
        "name": rule_set.name,
        "name_zh": rule_set.name_zh,
        "references": [
            {
                k: v
                for k, v in (
                    ("key", r.key),
                    ("document", r.document),
                    ("article", r.article),
                    ("date", r.date.isoformat() if r.date else None),
                    ("note", r.note),
                )
                if v is not None
            }
            for r in rule_set.references
        ],
        "versions": versions,
    }
    if rule_set.paused_since is not None:
        result["paused_since"] = rule_set.paused_since.isoformat()
    if rule_set.note is not None:
        result["note"] = rule_set.note
    return result
