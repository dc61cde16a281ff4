"""Statistics a bureau decides with: registrations, activity, stars, training, community, trends.

Every function returns plain rows (one ``dict`` per group, keys in a fixed order, sorted by
their keys), as :func:`~volunteer_rules.statistics.summary.summarize` does: ready for
``csv.DictWriter``, JSON, or ``pandas.DataFrame(list(rows))``. Counted service is always what
the counting engine counts for certification
(:func:`~volunteer_rules.statistics.summary.counted_records`), so these figures, the
certificates and the time-bank credits agree. Minutes are summed exactly; ``hours`` and the
shares are rounded once, at the end (two places, half up).

- :func:`registrations`: volunteers and organizations registered by region and period, new
  and cumulative;
- :func:`activity`: per region, registered volunteers, the active ones (counted service in the
  ``active_days`` before ``as_of``), the active share, and hours per volunteer;
- :func:`star_distribution`: how many volunteers hold each star level of a rule set;
- :func:`training_coverage`: per training category, the volunteers with a valid training and
  their share of the registered;
- :func:`community_figures`: per region, stations, people served (with consent to statistics),
  their needs, and projects;
- :func:`capture_figures`: counted records and hours by how their times were captured
  (check-in, administrator, entered);
- :func:`time_series`: counted records, volunteers and hours per period, every period from
  the first to ``as_of`` (empty periods included).

Every ``as_of`` of the calendar works, 0001-01-01 and 9999-12-31 included: the last period of
the calendar ends on 9999-12-31, and an activity window that would start before 0001-01-01
starts on that day. (A rule set with no version in force on ``as_of``, not yet or no longer,
has no levels to count: :func:`star_distribution` raises the library's error then, saying
why; :func:`~volunteer_rules.certify` gives the same reason as its ``outcome``.)

Example:
    >>> import volunteer_rules as vr
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
    >>> [(r["month"], r["minutes"]) for r in time_series([record], as_of=date(2024, 7, 1))]
    [('2024-05', 120), ('2024-06', 0), ('2024-07', 0)]
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from volunteer_rules._validate import require_date
from volunteer_rules.community.organization import Organization
from volunteer_rules.community.person import PersonServed
from volunteer_rules.community.project import Project
from volunteer_rules.community.recording import capture_method
from volunteer_rules.community.station import Station
from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.hours import Hours
from volunteer_rules.records.profile import TRAINING_CATEGORIES, TrainingRecord, VolunteerProfile
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.records.region import RegionCode
from volunteer_rules.rules.certification import certify_many
from volunteer_rules.rules.rule_set import NO_LEVEL, RuleSet, Volunteer
from volunteer_rules.rules.schemes import get_rule_set
from volunteer_rules.statistics.figures import Figures
from volunteer_rules.statistics.summary import (
    PERIODS,
    RegionLevel,
    _Rollup,
    counted_records,
    period_of,
)

__all__ = [
    "activity",
    "capture_figures",
    "community_figures",
    "periods_between",
    "registrations",
    "star_distribution",
    "time_series",
    "training_coverage",
]

_LEVELS: Final = ("province", "city", "county")
_CENT: Final = Decimal("0.01")
_ACTIVITY: Final = (
    "region",
    "region_name",
    "registered",
    "active",
    "active_share",
    "minutes",
    "hours",
    "hours_per_volunteer",
    "hours_per_active",
)


def _hours(minutes: int) -> Decimal:
    return Hours.from_minutes(minutes).to_decimal_hours(2)


def _share(part: int, whole: int) -> Decimal:
    """``part / whole`` as a percentage, two places, half up (``0`` when ``whole`` is 0)."""
    if whole == 0:
        return Decimal("0.00")
    return (Decimal(part * 100) / Decimal(whole)).quantize(_CENT, rounding=ROUND_HALF_UP)


def _ratio(minutes: int, people: int) -> Decimal:
    if people == 0:
        return Decimal("0.00")
    return (Decimal(minutes) / Decimal(60 * people)).quantize(_CENT, rounding=ROUND_HALF_UP)


def _items(value: object, kind: type, what: str) -> list[Any]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidTypeError(what, f"must be an iterable of {kind.__name__}")
    items = list(value)
    for item in items:
        if not isinstance(item, kind):
            raise InvalidTypeError(what, f"holds a {type(item).__name__}")
    return items


def _level(region_level: str) -> RegionLevel:
    if region_level not in _LEVELS:
        raise InvalidValueError("region_level", "must be 'province', 'city' or 'county'")
    return region_level  # type: ignore[return-value]


def _period(period: str) -> str:
    if period not in PERIODS:
        raise InvalidValueError("period", f"must be one of {', '.join(PERIODS)}")
    return period


def _period_last_day(day: date, period: str) -> date:
    """The last day of ``day``'s period; the calendar's last day for its last period."""
    month = {"month": day.month + 1, "quarter": (day.month - 1) // 3 * 3 + 4}.get(period, 13)
    try:
        following = date(day.year + (month > 12), (month - 1) % 12 + 1, 1)
    except ValueError:  # year 10000: the period ends with the calendar
        return date.max
    return following - _dt.timedelta(days=1)


def _period_ends(first: date, last: date, period: str) -> list[tuple[str, date]]:
    """Each period from ``first``'s to ``last``'s: its label and last day (``last`` at most)."""
    out: list[tuple[str, date]] = []
    if first > last:
        return out
    final = period_of(last, period)
    day = first
    while True:
        label = period_of(day, period)
        end = _period_last_day(day, period)
        out.append((label, min(end, last)))
        if label == final:
            return out
        day = end + _dt.timedelta(days=1)  # before the final period: not past the calendar


def periods_between(first: date, last: date, period: str = "month") -> tuple[str, ...]:
    """Every period label from the one holding ``first`` to the one holding ``last``.

    Any dates of the calendar: the last period ends on 9999-12-31.

    Example:
        >>> periods_between(date(2024, 11, 30), date(2025, 2, 1))
        ('2024-11', '2024-12', '2025-01', '2025-02')
        >>> periods_between(date(2024, 5, 1), date(2024, 4, 1), "quarter")
        ()
        >>> periods_between(date(9999, 11, 1), date.max), periods_between(date.min, date.min)
        (('9999-11', '9999-12'), ('0001-01',))
    """
    first, last = require_date(first, "first"), require_date(last, "last")
    return tuple(label for label, _ in _period_ends(first, last, _period(period)))


def registrations(
    profiles: Iterable[VolunteerProfile],
    organizations: Iterable[Organization] = (),
    *,
    as_of: date,
    period: str = "year",
    region_level: str = "city",
) -> Figures:
    """Volunteers and organizations registered, by region and period: new and cumulative.

    A volunteer counts in the region of residence from ``registered_on``; an organization in
    its region from ``registered_on``, and stops counting (in ``organizations``) from the day
    it was suspended or deregistered. Entries registered after ``as_of`` are left out; those
    without a registration day count from the first period. Rows run from the first period
    anyone registered to the period of ``as_of``, for every region seen.

    Columns: ``region``, ``region_name``, ``<period>``, ``new_volunteers``, ``volunteers``
    (registered at the period's end, or on ``as_of`` for its period), ``new_organizations``,
    ``organizations`` (registered and not suspended or deregistered then).

    Example:
        >>> from volunteer_rules.testing.community_examples import sample_organizations
        >>> rows = registrations([], sample_organizations(), as_of=date(2025, 6, 30))
        >>> [(r["year"], r["new_organizations"], r["organizations"]) for r in rows]
        [('2019', 1, 1), ('2020', 1, 2), ('2021', 1, 3), ('2022', 0, 3), ('2023', 0, 3), ('2024', 0, 3), ('2025', 0, 2)]
    """
    as_of = require_date(as_of, "as_of")
    period = _period(period)
    rollup = _Rollup(_level(region_level))
    people = _items(profiles, VolunteerProfile, "profiles")
    orgs = _items(organizations, Organization, "organizations")
    entries: list[tuple[str, date | None, date | None, str]] = []  # region, from, until, kind
    names: dict[str, str] = {}
    for profile in people:
        if profile.registered_on is not None and profile.registered_on > as_of:
            continue
        code = ""
        if profile.residence_region is not None:
            region = rollup(profile.residence_region)
            code, names[region.code] = region.code, region.name
        entries.append((code, profile.registered_on, None, "v"))
    for org in orgs:
        if org.registered_on is not None and org.registered_on > as_of:
            continue
        region = rollup(org.region)
        names[region.code] = region.name
        until = org.status_since if org.status != "registered" else None
        entries.append((region.code, org.registered_on, until, "o"))
    known = [start for _, start, _, _ in entries if start is not None]
    ends = _period_ends(min(known, default=as_of), as_of, period)
    rows: list[dict[str, Any]] = []
    for code in sorted({e[0] for e in entries}):
        mine = [e for e in entries if e[0] == code]
        for index, (label, end_day) in enumerate(ends):
            row: dict[str, Any] = {
                "region": code,
                "region_name": names.get(code, ""),
                period: label,
            }
            for kind, new_key, total_key in (
                ("v", "new_volunteers", "volunteers"),
                ("o", "new_organizations", "organizations"),
            ):
                new = total = 0
                for _, start, until, k in mine:
                    if k != kind:
                        continue
                    if (start is None and index == 0) or (
                        start is not None and period_of(start, period) == label
                    ):
                        new += 1
                    if (start is None or start <= end_day) and (until is None or until > end_day):
                        total += 1
                row[new_key], row[total_key] = new, total
            rows.append(row)
    columns = ("region", "region_name", period, "new_volunteers", "volunteers")
    return Figures(rows, (*columns, "new_organizations", "organizations"))


def activity(
    records: Iterable[ServiceRecord],
    profiles: Iterable[VolunteerProfile],
    *,
    as_of: date,
    active_days: int = 365,
    region_level: str = "city",
) -> Figures:
    """Per region of residence: registered volunteers, the active ones, and hours per volunteer.

    Active: a volunteer registered on ``as_of`` with counted service dated in the
    ``active_days`` days ending on ``as_of`` (both ends inclusive; a window reaching before
    0001-01-01 starts on that day). ``minutes`` are the counted
    minutes of the registered volunteers in that window; ``hours_per_volunteer`` divides them
    by the registered, ``hours_per_active`` by the active.

    Columns: ``region``, ``region_name``, ``registered``, ``active``, ``active_share`` (a
    percentage), ``minutes``, ``hours``, ``hours_per_volunteer``, ``hours_per_active``.

    Example:
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> from volunteer_rules.testing.matching_examples import sample_profile
        >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)  # V0000001, 2024-05-01, 120 min
        >>> people = [sample_profile(volunteer_id="V0000001", residence_region="211103"),
        ...           sample_profile(volunteer_id="V2", residence_region="211104")]
        >>> row = activity([record], people, as_of=date(2024, 12, 31))[0]
        >>> row["registered"], row["active"], row["active_share"], row["hours_per_volunteer"]
        (2, 1, Decimal('50.00'), Decimal('1.00'))
    """
    as_of = require_date(as_of, "as_of")
    if type(active_days) is not int or active_days < 1:
        raise InvalidValueError("active_days", "must be a positive int")
    rollup = _Rollup(_level(region_level))
    # The window is cut at the calendar's first day (a timedelta before it is an OverflowError).
    days_before = min(active_days - 1, (as_of - date.min).days)
    window_start = as_of - _dt.timedelta(days=days_before)
    home: dict[str, str] = {}
    names: dict[str, str] = {}
    for profile in _items(profiles, VolunteerProfile, "profiles"):
        if profile.registered_on is not None and profile.registered_on > as_of:
            continue
        code = ""
        if profile.residence_region is not None:
            region = rollup(profile.residence_region)
            code, names[region.code] = region.code, region.name
        home[profile.volunteer_id] = code
    minutes: dict[str, int] = {}
    for record, counted in counted_records(records, as_of=as_of):
        if window_start <= record.date <= as_of and record.volunteer_id in home:
            minutes[record.volunteer_id] = minutes.get(record.volunteer_id, 0) + counted
    rows: list[dict[str, Any]] = []
    for code in sorted(set(home.values())):
        members = [v for v, c in home.items() if c == code]
        active = [v for v in members if minutes.get(v, 0) > 0]
        total = sum(minutes.get(v, 0) for v in members)
        rows.append(
            {
                "region": code,
                "region_name": names.get(code, ""),
                "registered": len(members),
                "active": len(active),
                "active_share": _share(len(active), len(members)),
                "minutes": total,
                "hours": _hours(total),
                "hours_per_volunteer": _ratio(total, len(members)),
                "hours_per_active": _ratio(total, len(active)),
            }
        )
    return Figures(rows, _ACTIVITY)


def star_distribution(
    records: Iterable[ServiceRecord],
    *,
    rule_set: RuleSet | str,
    as_of: date,
    volunteers: Iterable[Volunteer | str] | None = None,
) -> Figures:
    """How many volunteers hold each star level on ``as_of`` (certification's own answer).

    Every level of the rule set gets a row, from the lowest (no stars) up, zero or not.
    With ``volunteers`` (profiles, or anything with ``volunteer_id`` and ``birth_date``, or
    ids, as :func:`~volunteer_rules.certify_many` takes them), exactly those are certified (a
    registered volunteer without records holds the lowest level); otherwise everyone with
    records.

    Columns: ``rank``, ``level`` (the level's label), ``volunteers``, ``share`` (percentage).

    Example:
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> rows = star_distribution([record], rule_set="cn-national", as_of=date(2024, 12, 31),
        ...                          volunteers=["V0000001", "V9"])
        >>> [(r["rank"], r["volunteers"]) for r in rows]
        [(0, 2), (1, 0), (2, 0), (3, 0), (4, 0), (5, 0)]
    """
    chosen = None if volunteers is None else list(volunteers)
    results = certify_many(records, rule_set=rule_set, as_of=as_of, volunteers=chosen)
    levels: dict[int, str] = {}
    counts: dict[int, int] = {}
    for certification in results.values():
        level = certification.level
        levels[level.rank] = level.label
        counts[level.rank] = counts.get(level.rank, 0) + 1
    rules = get_rule_set(rule_set) if isinstance(rule_set, str) else rule_set
    for level in (NO_LEVEL, *rules.version_on(as_of).levels):
        levels.setdefault(level.rank, level.label)
    total = sum(counts.values())
    return Figures(
        [
            {
                "rank": rank,
                "level": levels[rank],
                "volunteers": counts.get(rank, 0),
                "share": _share(counts.get(rank, 0), total),
            }
            for rank in sorted(levels)
        ],
        ("rank", "level", "volunteers", "share"),
    )


def training_coverage(
    trainings: Iterable[TrainingRecord],
    profiles: Iterable[VolunteerProfile],
    *,
    as_of: date,
    categories: Iterable[str] = tuple(TRAINING_CATEGORIES),
) -> Figures:
    """Per training category: registered volunteers holding a training valid on ``as_of``.

    A training counts when it was held on or before ``as_of`` and is valid that day
    (:meth:`~volunteer_rules.TrainingRecord.is_valid_on`), for a volunteer registered then.

    Columns: ``category``, ``trained``, ``registered``, ``coverage`` (percentage).

    Example:
        >>> from volunteer_rules.testing.matching_examples import sample_profile
        >>> rows = training_coverage([], [sample_profile()], as_of=date(2024, 1, 1))
        >>> [(r["category"], r["trained"], r["coverage"]) for r in rows][:1]
        [('emergency_rescue', 0, Decimal('0.00'))]
    """
    as_of = require_date(as_of, "as_of")
    registered = {
        p.volunteer_id
        for p in _items(profiles, VolunteerProfile, "profiles")
        if p.registered_on is None or p.registered_on <= as_of
    }
    trained: dict[str, set[str]] = {c: set() for c in categories}
    for training in _items(trainings, TrainingRecord, "trainings"):
        if (
            training.volunteer_id in registered
            and training.date <= as_of
            and training.is_valid_on(as_of)
        ):
            trained.setdefault(training.category, set()).add(training.volunteer_id)
    return Figures(
        [
            {
                "category": category,
                "trained": len(trained[category]),
                "registered": len(registered),
                "coverage": _share(len(trained[category]), len(registered)),
            }
            for category in sorted(trained)
        ],
        ("category", "trained", "registered", "coverage"),
    )


def community_figures(
    stations: Iterable[Station],
    people: Iterable[PersonServed],
    projects: Iterable[Project],
    *,
    as_of: date,
    region_level: str = "county",
) -> Figures:
    """Per region: stations, people served, their needs, projects and their slots.

    People served count only while their consent covers ``statistics`` on ``as_of`` (they are
    never named). Projects count in their demand's region, with the slots started by ``as_of``.

    Columns: ``region``, ``region_name``, ``stations``, ``people_served``, ``needs``,
    ``projects``, ``slots``.

    Example:
        >>> from volunteer_rules.testing.community_examples import (
        ...     sample_person, sample_project, sample_station)
        >>> rows = community_figures([sample_station()], [sample_person()], [sample_project()],
        ...                          as_of=date(2024, 6, 30))
        >>> {k: rows[0][k] for k in ("region_name", "stations", "people_served", "projects", "slots")}
        {'region_name': '兴隆台区', 'stations': 1, 'people_served': 1, 'projects': 1, 'slots': 4}
    """
    as_of = require_date(as_of, "as_of")
    rollup = _Rollup(_level(region_level))
    groups: dict[str, list[int]] = {}
    names: dict[str, str] = {}

    def group(region: RegionCode) -> list[int]:
        rolled = rollup(region)
        names[rolled.code] = rolled.name
        return groups.setdefault(rolled.code, [0, 0, 0, 0, 0])

    for station in _items(stations, Station, "stations"):
        group(station.region)[0] += 1
    for person in _items(people, PersonServed, "people"):
        if person.consent is None or not person.consent.covers("statistics", as_of):
            continue
        counts = group(person.region)
        counts[1] += 1
        counts[2] += len(person.needs)
    end = _dt.datetime.combine(as_of, _dt.time.max)
    for project in _items(projects, Project, "projects"):
        counts = group(project.demand.region)
        counts[3] += 1
        counts[4] += sum(1 for s in project.demand.slots if s.start.replace(tzinfo=None) <= end)
    return Figures(
        [
            {
                "region": code,
                "region_name": names[code],
                "stations": c[0],
                "people_served": c[1],
                "needs": c[2],
                "projects": c[3],
                "slots": c[4],
            }
            for code, c in sorted(groups.items())
        ],
        ("region", "region_name", "stations", "people_served", "needs", "projects", "slots"),
    )


def capture_figures(records: Iterable[ServiceRecord], *, as_of: date | None = None) -> Figures:
    """Counted records and hours by how their times were captured.

    ``check_in`` (attendance), ``administrator`` (a correction) and ``entered`` (a finished
    record, :func:`~volunteer_rules.community.capture_method`); every method gets a row.

    Columns: ``method``, ``records``, ``minutes``, ``hours``.

    Example:
        >>> from volunteer_rules.community import verify_records
        >>> from volunteer_rules.testing.community_examples import sample_project, sample_records
        >>> project = sample_project()
        >>> verified = [v.record for v in verify_records(sample_records(project), verified_by="王芳",
        ...             at=project.slot(0).end)]
        >>> [(r["method"], r["minutes"]) for r in capture_figures(verified)]
        [('administrator', 105), ('check_in', 120), ('entered', 0)]
    """
    totals: dict[str, list[int]] = {m: [0, 0] for m in ("administrator", "check_in", "entered")}
    for record, minutes in counted_records(records, as_of=as_of):
        row = totals[capture_method(record)]
        row[0] += 1
        row[1] += minutes
    return Figures(
        [
            {"method": m, "records": c[0], "minutes": c[1], "hours": _hours(c[1])}
            for m, c in sorted(totals.items())
        ],
        ("method", "records", "minutes", "hours"),
    )


def time_series(
    records: Iterable[ServiceRecord],
    *,
    as_of: date,
    period: str = "month",
    since: date | None = None,
) -> Figures:
    """Counted records, volunteers and hours per period, every period up to ``as_of``.

    Periods run from ``since`` (default: the first counted record's) to the period of
    ``as_of``; a period without service has a row of zeros. Only records dated on or before
    ``as_of``, on record on ``as_of``, count.

    Columns: ``<period>``, ``records``, ``volunteers``, ``minutes``, ``hours``.

    Example:
        >>> time_series([], as_of=date(2024, 3, 1), since=date(2024, 1, 1))[0]
        {'month': '2024-01', 'records': 0, 'volunteers': 0, 'minutes': 0, 'hours': Decimal('0.00')}
    """
    as_of = require_date(as_of, "as_of")
    if since is not None:
        since = require_date(since, "since")
    period = _period(period)
    groups: dict[str, list[Any]] = {}
    first: date | None = None
    for record, minutes in counted_records(records, as_of=as_of):
        if record.date > as_of or (since is not None and record.date < since):
            continue
        first = record.date if first is None else min(first, record.date)
        group = groups.setdefault(period_of(record.date, period), [0, set(), 0])
        group[0] += 1
        group[1].add(record.volunteer_id)
        group[2] += minutes
    start = since if since is not None else (first if first is not None else as_of)
    rows = []
    for label in periods_between(start, as_of, period):
        count, people, minutes = groups.get(label, [0, set(), 0])
        rows.append(
            {
                period: label,
                "records": count,
                "volunteers": len(people),
                "minutes": minutes,
                "hours": _hours(minutes),
            }
        )
    return Figures(rows, (period, "records", "volunteers", "minutes", "hours"))
