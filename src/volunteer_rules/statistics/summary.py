"""Statistics for the civil-affairs office: volunteers, organizations, records and hours.

:func:`summarize` groups service records (and, if given, volunteer profiles) by region, at
any level (counties roll up into cities and provinces), by organization, by service category
and by period (month, quarter or year), and returns plain rows: one ``dict`` per group, keys
in a fixed order, ready for ``csv.DictWriter`` or ``pandas.DataFrame(rows)``. A city's
published figures (registered volunteers, teams, total hours) come out of such a summary.

What is counted: only records that count toward hours, as the counting engine decides for
certification (:mod:`volunteer_rules.rules.counting`): verified, not superseded by a correction, not
overlapping another counted record of the volunteer, within the 24-hour daily cap, and on
record on ``as_of`` when one is given. Minutes are summed exactly (``int``); ``hours`` is
rounded once, at the end (:meth:`Hours.to_decimal_hours`, two places, half up).

Columns of every row, in order: the group keys asked for (``region`` and ``region_name``,
``organization``, ``category``, ``month``, ``quarter``, ``year``), then ``volunteers`` (distinct
volunteers with counted service), ``organizations`` (distinct recording organizations), ``records``,
``minutes``, ``hours``, and ``registered`` when profiles are given: the volunteers whose residence
lies in the region, who chose the category, and who registered in the period (``registered_on``);
one who lacks any of these counts under ``""``.

Example:
    >>> import volunteer_rules as vr
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> from volunteer_rules.statistics.summary import summarize
    >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
    >>> rows = summarize([record], by=("region", "month"), region_level="city")
    >>> {k: rows[0][k] for k in ("region", "month", "records", "minutes", "hours")}
    {'region': '211100', 'month': '2024-05', 'records': 1, 'minutes': 120, 'hours': Decimal('2.00')}
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Final, Literal

from volunteer_rules._validate import require_iterable
from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.hours import Hours
from volunteer_rules.records.profile import VolunteerProfile
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.records.region import RegionCode
from volunteer_rules.rules.counting import count_many
from volunteer_rules.rules.versions import resolve_versions
from volunteer_rules.statistics.figures import Figures

__all__ = [
    "DIMENSIONS",
    "PERIODS",
    "category_minutes",
    "counted_records",
    "period_of",
    "summarize",
]

PERIODS: Final = ("month", "quarter", "year")
"""The periods rows can be grouped by: labels ``2024-05``, ``2024-Q2``, ``2024``."""

DIMENSIONS: Final = ("region", "organization", "category", *PERIODS)
"""What rows can be grouped by; each gives a column of the same name."""

RegionLevel = Literal["province", "city", "county"]
_DEPTH: Final = {"province": 1, "city": 2, "county": 3}


def period_of(day: _dt.date, period: str) -> str:
    """The label of the period ``day`` falls in.

    Example:
        >>> from datetime import date
        >>> [period_of(date(2024, 5, 31), p) for p in PERIODS]
        ['2024-05', '2024-Q2', '2024']
    """
    if period == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if period == "quarter":
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year:04d}"


def counted_records(
    records: Iterable[ServiceRecord], *, as_of: _dt.date | None = None
) -> Iterator[tuple[ServiceRecord, int]]:
    """Each record that counts, once, with its counted minutes (the counting engine's say).

    Args:
        records: service records of any volunteers, in any order (an identical repeat is one
            record; a key given with conflicting versions counts for no one, as everywhere:
            :mod:`volunteer_rules.rules.versions`).
        as_of: count what was on record on this day; ``None`` for everything given.

    Raises:
        InvalidTypeError: a value that is not a :class:`ServiceRecord`.

    Example:
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> [(r.record_id, m) for r, m in counted_records([record, record])]
        [('r-2024-0001', 120)]
    """
    require_iterable(records, "records", "must be an iterable of ServiceRecord")
    given = []
    for record in records:
        if not isinstance(record, ServiceRecord):
            raise InvalidTypeError("records", f"holds a {type(record).__name__}")
        given.append(record)
    # The one rule for repeated keys: an identical repeat is one record, a key given with
    # conflicting versions counts for no one (volunteer_rules.rules.versions).
    held = {record.key: record for record in resolve_versions(given).records}
    if as_of is None:
        as_of = _dt.date.max
    counts = count_many(list(held.values()), as_of=as_of, detail=True)
    for count in counts.values():
        for outcome in count.outcomes or ():
            if outcome.minutes > 0:
                yield held[outcome.key], outcome.minutes


class _Rollup:
    """Region code to the code of its ancestor at a level (itself when above it), memoized."""

    def __init__(self, level: RegionLevel) -> None:
        self.depth = _DEPTH[level]
        self.memo: dict[str, RegionCode] = {}

    def __call__(self, region: RegionCode) -> RegionCode:
        found = self.memo.get(region.code)
        if found is None:
            found = region
            for ancestor in region.ancestors():
                if _DEPTH[ancestor.level] <= self.depth:
                    found = ancestor
                    break
            self.memo[region.code] = found
        return found


def _dimensions(by: object) -> tuple[str, ...]:
    if isinstance(by, str):
        by = (by,)
    if not isinstance(by, Sequence):
        raise InvalidTypeError("by", "must be a sequence of dimension names")
    out: list[str] = []
    for name in by:
        if name not in DIMENSIONS:
            raise InvalidValueError("by", f"{name!r} is not one of {', '.join(DIMENSIONS)}")
        if name not in out:
            out.append(name)
    return tuple(out)


def summarize(
    records: Iterable[ServiceRecord],
    *,
    by: Sequence[str] = ("region",),
    region_level: RegionLevel = "city",
    profiles: Iterable[VolunteerProfile] | None = None,
    as_of: _dt.date | None = None,
) -> Figures:
    """Group counted records (and profiles) into rows, sorted by their keys.

    Args:
        records: service records of any volunteers, in any order.
        by: dimensions to group by, in column order (:data:`DIMENSIONS`): ``region``,
            ``organization``, ``category``, ``month``, ``quarter``, ``year``; ``()`` for one
            total row.
        region_level: the level regions roll up to (``"city"``: every county in its city).
        profiles: volunteer profiles, for the ``registered`` column (not with an
            ``organization`` dimension: a profile has none). A profile counts in its
            residence region, in each category it chose, and in the period of its
            ``registered_on``; what it lacks counts under ``""``. With ``as_of``, profiles
            registered later are left out.
        as_of: count only records on record on this day (``None``: all).

    Returns:
        one ``dict`` per group (see the module docstring for the columns): a
        :class:`~volunteer_rules.statistics.figures.Figures`, with the table forms
        ``to_rows()``, ``to_arrow()``, ``to_polars()``, ``to_pandas()`` (minutes as integers,
        no hours).

    Raises:
        InvalidValueError: an unknown dimension or level, or profiles with an
            ``organization`` dimension.
        InvalidTypeError: records that are not :class:`ServiceRecord` values.

    Example:
        >>> summarize([], by=())
        ({'volunteers': 0, 'organizations': 0, 'records': 0, 'minutes': 0, 'hours': Decimal('0.00')},)
    """
    dims = _dimensions(by)
    if region_level not in _DEPTH:
        raise InvalidValueError("region_level", "must be 'province', 'city' or 'county'")
    if profiles is not None and "organization" in dims:
        raise InvalidValueError(
            "profiles", "registered volunteers cannot be grouped by organization"
        )
    rollup = _Rollup(region_level)
    groups: dict[tuple[str, ...], list[Any]] = {}
    names: dict[str, str] = {}
    for record, minutes in counted_records(records, as_of=as_of):
        key_parts: list[str] = []
        for dim in dims:
            if dim == "region":
                region = rollup(record.region_code)
                names[region.code] = region.name
                key_parts.append(region.code)
            elif dim == "organization":
                key_parts.append(record.organization_id)
            elif dim == "category":
                key_parts.append(record.service_category)
            else:
                key_parts.append(period_of(record.date, dim))
        key = tuple(key_parts)
        group = groups.get(key)
        if group is None:
            group = groups[key] = [set(), set(), 0, 0, 0]
        group[0].add(record.volunteer_id)
        group[1].add(record.organization_id)
        group[2] += 1
        group[3] += minutes
    tallies = {
        key: [len(volunteers), len(organizations), count, minutes, registered]
        for key, (volunteers, organizations, count, minutes, registered) in groups.items()
    }
    return _tally_rows(tallies, dims, rollup, names, profiles, as_of)


def _tally_rows(
    tallies: dict[tuple[str, ...], list[int]],
    dims: tuple[str, ...],
    rollup: _Rollup,
    names: dict[str, str],
    profiles: Iterable[VolunteerProfile] | None,
    as_of: _dt.date | None,
) -> Figures:
    """The rows of :func:`summarize` from its tallies per group key.

    A tally is ``[volunteers, organizations, records, minutes, registered]``; ``names`` gives
    each region code's name. Shared by :func:`summarize` and the command line's table path,
    so both write the same rows.
    """
    if profiles is not None:
        _registered(profiles, dims, rollup, tallies, names, as_of)
    if not dims and not tallies:
        tallies[()] = [0, 0, 0, 0, 0]
    rows: list[dict[str, Any]] = []
    for key in sorted(tallies):
        volunteers, organizations, count, minutes, registered = tallies[key]
        row: dict[str, Any] = {}
        for dim, value in zip(dims, key, strict=True):
            if dim == "region":
                row["region"] = value
                row["region_name"] = names.get(value, "")
            else:
                row[dim] = value
        row["volunteers"] = volunteers
        row["organizations"] = organizations
        row["records"] = count
        row["minutes"] = minutes
        row["hours"] = Hours.from_minutes(minutes).to_decimal_hours(2)
        if profiles is not None:
            row["registered"] = registered
        rows.append(row)
    columns = [
        c for dim in dims for c in (("region", "region_name") if dim == "region" else (dim,))
    ]
    columns += ["volunteers", "organizations", "records", "minutes", "hours"]
    return Figures(rows, columns + ["registered"] * (profiles is not None))


def _registered(
    profiles: Iterable[VolunteerProfile],
    dims: tuple[str, ...],
    rollup: _Rollup,
    groups: dict[tuple[str, ...], list[int]],
    names: dict[str, str],
    as_of: _dt.date | None,
) -> None:
    if isinstance(profiles, (str, bytes)) or not isinstance(profiles, Iterable):
        raise InvalidTypeError("profiles", "must be an iterable of profiles")
    for profile in profiles:
        if not isinstance(profile, VolunteerProfile):
            raise InvalidTypeError("profiles", f"holds a {type(profile).__name__}")
        registered_on = profile.registered_on
        if as_of is not None and registered_on is not None and registered_on > as_of:
            continue  # not yet registered on as_of
        code = ""
        if profile.residence_region is not None:
            region = rollup(profile.residence_region)
            code = region.code
            names[code] = region.name
        per_category: Iterable[str] = (
            sorted(profile.service_categories) or ("",) if "category" in dims else ("",)
        )
        for category in per_category:
            key = tuple(
                code
                if d == "region"
                else category
                if d == "category"
                else ("" if registered_on is None else period_of(registered_on, d))
                for d in dims
            )
            tally = groups.get(key)
            if tally is None:
                tally = groups[key] = [0, 0, 0, 0, 0]
            tally[4] += 1


def category_minutes(
    records: Iterable[ServiceRecord], *, category: str, as_of: _dt.date | None = None
) -> dict[str, int]:
    """Counted minutes of service in ``category`` per volunteer id (a match's history).

    Counted as certification counts (:mod:`volunteer_rules.rules.counting`).

    Example:
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> category_minutes([record], category=record.service_category)
        {'V0000001': 120}
    """
    totals: dict[str, int] = {}
    for record, minutes in counted_records(records, as_of=as_of):
        if record.service_category == category:
            totals[record.volunteer_id] = totals.get(record.volunteer_id, 0) + minutes
    return totals
