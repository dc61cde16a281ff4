"""A recognition scheme's rule set: its sources, its dated versions, and its status on a day.

:class:`RuleSet` holds the versions (:class:`RuleSetVersion`) and says which applies on a day
(:meth:`RuleSet.version_on`) or why none does (:meth:`RuleSet.status_on`). The dates of the
rules (:func:`add_months`, :func:`age_on`, :func:`window_start`) are here too.
:mod:`volunteer_rules.rules.rule_set` re-exports these names and describes what a rule set
can say.

Example:
    >>> from datetime import date
    >>> from volunteer_rules.rules.schemes import get_rule_set
    >>> get_rule_set("cn-national").status_on(date(2024, 1, 1)).state
    'in_force'
"""

from __future__ import annotations

import datetime as _dt
import itertools
import re
from typing import Any, Final, Protocol

import attrs
from dateutil.relativedelta import relativedelta

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import instance_of, one_of, require_date
from volunteer_rules.errors import InvalidValueError, RuleSetError
from volunteer_rules.hours import Hours
from volunteer_rules.records.record import RATINGS
from volunteer_rules.rules.level import (
    AgeBand,
    GroupRule,
    Level,
    _count,
    _date,
    _opt_date,
    _opt_hours,
    _text,
    _tuple_of,
)

__all__ = [
    "RATING_SCORES",
    "SCHEME_STATES",
    "TENURE_STARTS",
    "WINDOWS",
    "Award",
    "Reference",
    "RuleSet",
    "RuleSetVersion",
    "SchemeStatus",
    "Volunteer",
    "add_months",
    "age_on",
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
    window: str = attrs.field(default="lifetime", validator=one_of(WINDOWS))
    min_rating: str | None = attrs.field(default=None, validator=one_of(RATINGS, optional=True))
    age_bands: tuple[AgeBand, ...] = attrs.field(default=(), validator=_tuple_of(AgeBand))
    group: GroupRule | None = attrs.field(
        default=None, validator=instance_of(GroupRule, optional=True)
    )
    cycle_hours: Hours | None = attrs.field(default=None, validator=_opt_hours)
    validity_months: int | None = attrs.field(default=None)
    hours_reused_on_renewal: bool = attrs.field(default=True, validator=instance_of(bool))
    tenure_from: str = attrs.field(default="first_counted", validator=one_of(TENURE_STARTS))
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
        require_date(as_of, "as_of")
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

    state: str = attrs.field(validator=one_of(SCHEME_STATES))
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
