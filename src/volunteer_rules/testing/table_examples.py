"""Seeded record tables for tests and benchmarks of bulk and distributed certification.

:func:`record_rows` makes valid record payloads (record format v1) with the shapes that make
certification hard: several records on one day (apart, overlapping, over the daily cap),
intervals across midnight, amendments (verified, void and submitted ones, chains, and now and
then an amendment of another volunteer's record), records not verified, entered or done after
``as_of``, and records given twice. The same seed gives the same rows.

Example:
    >>> import volunteer_rules as vr
    >>> rows = record_rows(volunteers=20, seed=1)
    >>> records = [vr.parse_record(row) for row in rows]
    >>> len({r.volunteer_id for r in records})
    20
    >>> rows == record_rows(volunteers=20, seed=1)
    True
"""

from __future__ import annotations

import datetime as _dt
import random
from typing import Any, Final

__all__ = ["TABLE_AS_OF", "TABLE_ORGANIZATIONS", "record_rows"]

TABLE_AS_OF: Final = _dt.date(2026, 6, 30)
"""The ``as_of`` the rows are made around: some records are dated or entered after it."""

TABLE_ORGANIZATIONS: Final = (
    "512111005000000154",
    "51211100MJ00000175",
    "51211100MJ00000250",
    "G-panjin-youth",
)
"""The recording organizations of the rows (three credit codes and an unregistered group)."""

_CATEGORIES: Final = ("community_service", "elderly_and_disabled", "environment", "education")
_ZONES: Final = (_dt.timezone(_dt.timedelta(hours=8)),) * 9 + (_dt.UTC,)
_FIRST_DAY: Final = _dt.date(2023, 1, 1)
_SPAN_DAYS: Final = (TABLE_AS_OF - _FIRST_DAY).days + 15  # some records fall after as_of


def record_rows(
    *, volunteers: int, records_per_volunteer: int = 10, seed: int = 0
) -> list[dict[str, Any]]:
    """Valid record payloads of ``volunteers`` volunteers, shuffled as in a real export.

    Args:
        volunteers: how many volunteers (ids ``PJ0000000``, ``PJ0000001``...).
        records_per_volunteer: the average number of records per volunteer.
        seed: the random seed.

    Returns:
        Record payloads (dicts in record format v1), about
        ``volunteers * records_per_volunteer`` of them.

    Example:
        >>> rows = record_rows(volunteers=3, records_per_volunteer=2, seed=5)
        >>> sorted({row["volunteer_id"] for row in rows})
        ['PJ0000000', 'PJ0000001', 'PJ0000002']
    """
    rnd = random.Random(seed)
    rows: list[dict[str, Any]] = []
    serial = 0
    for v in range(volunteers):
        mine = _volunteer_rows(rnd, v, records_per_volunteer=records_per_volunteer, serial=serial)
        serial += len(mine)
        rows.extend(mine)
        if mine and rnd.random() < 0.05:  # one record given twice
            rows.append(dict(rnd.choice(mine)))
    if volunteers > 2:
        _add_amendments_of_others(rows, rnd, volunteers=volunteers, serial=serial)
    rnd.shuffle(rows)
    return rows


def _volunteer_rows(
    rnd: random.Random, v: int, *, records_per_volunteer: int, serial: int
) -> list[dict[str, Any]]:
    """The records of volunteer number ``v``, numbered on from ``serial``."""
    volunteer = f"PJ{v:07d}"
    home = TABLE_ORGANIZATIONS[v % len(TABLE_ORGANIZATIONS)]
    count = max(1, records_per_volunteer + rnd.randint(-2, 2))
    mine: list[dict[str, Any]] = []
    for number in range(serial + 1, serial + count + 1):
        mine.append(_record_row(rnd, f"r-{number}", volunteer, home, mine))
    return mine


def _record_row(
    rnd: random.Random, record_id: str, volunteer: str, home: str, mine: list[dict[str, Any]]
) -> dict[str, Any]:
    """One record of a volunteer whose earlier records are ``mine``."""
    org = home if rnd.random() < 0.85 else rnd.choice(TABLE_ORGANIZATIONS)
    if mine and rnd.random() < 0.35:  # another record on a day already served
        day = _dt.date.fromisoformat(rnd.choice(mine)["date"])
    else:
        day = _FIRST_DAY + _dt.timedelta(days=rnd.randrange(_SPAN_DAYS))
    zone = rnd.choice(_ZONES)
    minutes = rnd.choice((30, 60, 120, 180, 240, 300, 480, 600, 720, 900))
    row: dict[str, Any] = {
        "format_version": 1,
        "record_id": record_id,
        "volunteer_id": volunteer,
        "organization_id": org,
        "activity_name": "社区服务",
        "service_category": rnd.choice(_CATEGORIES),
        "content": "陪伴老人、打扫卫生",
        "place": "兴隆台区",
        "region_code": "211103",
        "date": day.isoformat(),
        "service_minutes": minutes,
        "person_in_charge": "王芳",
        "recorded_by": "李雷",
    }
    _add_times(rnd, row, day=day, zone=zone, minutes=minutes)
    row["status"] = _status(rnd)
    if mine and rnd.random() < 0.08:  # an amendment of one of this volunteer's records
        target = rnd.choice(mine)
        row["organization_id"] = target["organization_id"]
        row["amends"] = target["record_id"]
        row["status"] = rnd.choice(("verified", "verified", "void", "submitted"))
    if rnd.random() < 0.1:
        row["group_service"] = True
    return row


def _add_times(
    rnd: random.Random, row: dict[str, Any], *, day: _dt.date, zone: _dt.tzinfo, minutes: int
) -> None:
    """The record's interval (seven times in ten) and the time it was entered, after it."""
    end_of_activity = _dt.datetime(day.year, day.month, day.day, 23, 59, tzinfo=zone)
    if rnd.random() < 0.7:  # an interval: morning, afternoon, evening or overnight
        hour = rnd.choice((7, 8, 9, 13, 14, 19, 22))
        start = _dt.datetime(day.year, day.month, day.day, hour, tzinfo=zone)
        start += _dt.timedelta(minutes=30 * rnd.randrange(4))
        end = start + _dt.timedelta(minutes=minutes + 30 * rnd.randrange(3))
        row["start"] = start.isoformat()
        row["end"] = end.isoformat()
        end_of_activity = max(end_of_activity, end)
    recorded = end_of_activity + _dt.timedelta(
        days=rnd.choice((0, 0, 1, 3, 12)), minutes=rnd.randrange(600)
    )
    row["recorded_at"] = recorded.isoformat()


def _status(rnd: random.Random) -> str:
    """Mostly verified; now and then submitted, rejected or void."""
    roll = rnd.random()
    return (
        "verified"
        if roll < 0.85
        else "submitted"
        if roll < 0.93
        else "rejected"
        if roll < 0.97
        else "void"
    )


def _add_amendments_of_others(
    rows: list[dict[str, Any]], rnd: random.Random, *, volunteers: int, serial: int
) -> None:
    """Amendments that name another volunteer's record, numbered on from ``serial``.

    A clerk's correction filed under the wrong volunteer, sometimes amended in turn by a third
    volunteer's record.
    """
    for _ in range(max(1, volunteers // 50)):
        target = rnd.choice(rows)
        chain = target
        for _ in range(rnd.choice((1, 1, 2))):
            serial += 1
            other = f"PJ{rnd.randrange(volunteers):07d}"
            amendment = dict(
                chain,
                record_id=f"r-{serial}",
                volunteer_id=other,
                amends=chain["record_id"],
                status=rnd.choice(("verified", "void", "submitted")),
            )
            amendment.pop("group_service", None)
            rows.append(amendment)
            chain = amendment
