"""A checked record as the checks keep it: one compact row per distinct version, and back.

The checker keeps a :class:`_Row` per version of a record (its key, a 64-bit fingerprint of
its content, its line and the counting fields), orders versions of one key, rebuilds a record
of the counting fields for the counting engine, and turns the engine's outcomes into findings.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Callable, Mapping
from typing import Any, Final, NamedTuple

import attrs

from volunteer_rules.hours import Hours
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.records.region import RegionCode
from volunteer_rules.rules.counting import DAILY_CAP_MINUTES, Count
from volunteer_rules.rules.finding import Finding


def _canonical(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(item) for item in value]
    return value


def _fingerprint(record: ServiceRecord) -> int:
    """A 64-bit hash of everything a record says, to tell an identical repeat from a conflict.

    Records that are the same version (:func:`~volunteer_rules.rules.versions.same_version`)
    always have equal fingerprints; the UTC offsets of the date-times are part of it, as they
    are of the canonical form. Two different versions of one key would have to collide on 64
    bits to pass for a repeat (probability 2⁻⁶⁴ per pair); the fingerprint never leaves the
    process, so the per-process seed of ``hash`` does not matter.
    """
    extensions = record.extensions
    start, end = record.start, record.end
    return hash(
        (
            record.recorded_at.utcoffset(),
            None if start is None else start.utcoffset(),
            None if end is None else end.utcoffset(),
            record.record_id,
            record.volunteer_id,
            record.organization_id,
            record.activity_name,
            record.service_category,
            record.content,
            record.place,
            record.region_code,
            record.date,
            record.start,
            record.end,
            record.service,
            record.person_in_charge,
            record.recorded_by,
            record.recorded_at,
            record.status,
            record.evaluation,
            record.beneficiary,
            record.group_service,
            record.amends,
            None
            if extensions is None
            else json.dumps(
                _canonical(extensions), ensure_ascii=False, sort_keys=True, default=repr
            ),
        )
    )


class _Row(NamedTuple):
    """One distinct version of a record: what the checks need of it, no text fields.

    One flat tuple per record keeps the checker's memory small.
    """

    recorded_at: _dt.datetime
    fingerprint: int
    line: int | None
    late: Finding | None
    organization_id: str
    record_id: str
    volunteer_id: str
    region_code: RegionCode
    date: _dt.date
    start: _dt.datetime | None
    end: _dt.datetime | None
    minutes: int
    status: str
    amends: str | None


_NO_TIME: Final = _dt.datetime.min.replace(tzinfo=_dt.UTC)


def _order(row: _Row) -> tuple[Any, ...]:
    """The order among versions of one key: ``recorded_at``, then the counting fields.

    Versions that tie on all of these differ only in text; which one is kept then changes
    nothing the checks compute.
    """
    return _version_order(
        row.recorded_at,
        row.minutes,
        row.status,
        row.volunteer_id,
        row.date,
        row.start,
        row.end,
        row.amends,
        row.region_code,
    )


def _version_order(
    recorded_at: _dt.datetime,
    minutes: int,
    status: str,
    volunteer_id: str,
    date: _dt.date,
    start: _dt.datetime | None,
    end: _dt.datetime | None,
    amends: str | None,
    region_code: RegionCode,
) -> tuple[Any, ...]:
    return (
        recorded_at,
        minutes,
        status,
        volunteer_id,
        date,
        start or _NO_TIME,
        end or _NO_TIME,
        amends or "",
        region_code.code,
    )


def _rebuild_checked(row: _Row) -> ServiceRecord:
    """A record with the counting fields of ``row`` (text fields left as placeholders)."""
    return ServiceRecord(
        record_id=row.record_id,
        volunteer_id=row.volunteer_id,
        organization_id=row.organization_id,
        activity_name="-",
        service_category="other",
        content="-",
        place="-",
        region_code=row.region_code,
        date=row.date,
        start=row.start,
        end=row.end,
        service=Hours.from_minutes(row.minutes),
        person_in_charge="-",
        recorded_by="-",
        recorded_at=row.recorded_at,
        status=row.status,
        amends=row.amends,
    )


_COUNTING_FIELDS: Final = (
    "record_id",
    "volunteer_id",
    "organization_id",
    "region_code",
    "date",
    "start",
    "end",
    "recorded_at",
    "status",
    "amends",
)
_new_record = ServiceRecord.__new__
_set_field = object.__setattr__


def _placeholders() -> tuple[tuple[str, Any], ...]:
    template = _rebuild_checked(
        _Row(
            _dt.datetime(2024, 1, 1, tzinfo=_dt.UTC),
            0,
            None,
            None,
            "G-x",
            "r",
            "v",
            RegionCode.parse("110000"),
            _dt.date(2024, 1, 1),
            None,
            None,
            1,
            "verified",
            None,
        )
    )
    return tuple(
        (field.name, getattr(template, field.name))
        for field in attrs.fields(ServiceRecord)
        if field.name not in _COUNTING_FIELDS and field.name != "service"
    )


_PLACEHOLDERS: Final = _placeholders()


def _rebuild_fast(row: _Row) -> ServiceRecord:
    """As :func:`_rebuild_checked`, without running the validators again.

    The values come from records that were valid ``ServiceRecord`` values already, so checking
    them a second time only costs time (most of ``check``'s time, measured).
    """
    record = _new_record(ServiceRecord)
    for name, value in _PLACEHOLDERS:
        _set_field(record, name, value)
    _set_field(record, "record_id", row.record_id)
    _set_field(record, "volunteer_id", row.volunteer_id)
    _set_field(record, "organization_id", row.organization_id)
    _set_field(record, "region_code", row.region_code)
    _set_field(record, "date", row.date)
    _set_field(record, "start", row.start)
    _set_field(record, "end", row.end)
    _set_field(record, "service", Hours.from_minutes(row.minutes))
    _set_field(record, "recorded_at", row.recorded_at)
    _set_field(record, "status", row.status)
    _set_field(record, "amends", row.amends)
    return record


def _fast_rebuild_works() -> bool:
    """Whether the fast path builds exactly what the constructor builds (else use the latter)."""
    sample = _Row(
        _dt.datetime(2024, 5, 2, 9, tzinfo=_dt.timezone(_dt.timedelta(hours=8))),
        0,
        None,
        None,
        "G-a",
        "r-1",
        "V1",
        RegionCode.parse("211103"),
        _dt.date(2024, 5, 1),
        _dt.datetime(2024, 5, 1, 8, tzinfo=_dt.timezone(_dt.timedelta(hours=8))),
        _dt.datetime(2024, 5, 1, 10, tzinfo=_dt.timezone(_dt.timedelta(hours=8))),
        120,
        "verified",
        "r-0",
    )
    try:
        return _rebuild_fast(sample) == _rebuild_checked(sample)
    except Exception:  # pragma: no cover - a future ServiceRecord without slots, say
        return False


_rebuild = _rebuild_fast if _fast_rebuild_works() else _rebuild_checked


_ROW_FIELDS: Final = {
    "volunteer_id": "volunteer_id",
    "date": "date",
    "start": "start",
    "end": "end",
    "minutes": "service_minutes",
    "status": "status",
    "amends": "amends",
    "recorded_at": "recorded_at",
}


def _differences(kept: _Row, other: _Row) -> str:
    names = [
        name for attr, name in _ROW_FIELDS.items() if getattr(kept, attr) != getattr(other, attr)
    ]
    if not names:
        return "it differs in fields other than the volunteer, times, minutes and status"
    return "it differs in " + ", ".join(names)


def _clock(moment: _dt.datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M")


def _counting_findings(
    count: Count,
    row_of: Callable[[tuple[str, str]], _Row],
    amenders: Mapping[tuple[str, str], list[tuple[str, str]]],
) -> list[Finding]:
    """Turn the counting engine's outcomes for one volunteer into findings."""
    volunteer_id = count.volunteer_id or ""
    outcomes = count.outcomes or ()
    findings: list[Finding] = []
    counted = [outcome for outcome in outcomes if outcome.minutes > 0]
    for outcome in outcomes:
        reason = outcome.reason
        if reason not in ("superseded", "overlap", "daily_cap"):
            continue
        key = outcome.key
        row = row_of(key)
        related: list[tuple[str, str]]
        if reason == "superseded":
            related = sorted(amenders.get(key, ()))
            withdrawn = all(row_of(other).status == "void" for other in related)
            by = ", ".join(other[1] for other in related)
            message = (
                f"record {row.record_id} is withdrawn by {by} (void): it no longer counts "
                "(MCA Order 67, Art. 13)"
                if withdrawn and related
                else f"record {row.record_id} is amended by {by}: the amendment replaces it "
                "and it no longer counts (MCA Order 67, Art. 13)"
            )
        elif reason == "overlap":
            related = sorted(
                other.key
                for other in counted
                if _before(row_of(other.key), row) and _overlap(row_of(other.key), row)
            )
            names = ", ".join(f"{org} {rid}" for org, rid in related) or "an earlier record"
            message = (
                f"its interval {_clock(row.start)} to {_clock(row.end)} overlaps {names}, "
                "recorded earlier and counted: one volunteer cannot serve twice at the same "
                "time, so this record does not count"
            )
        else:
            related = sorted(
                other.key
                for other in counted
                if row_of(other.key).date == row.date and _before(row_of(other.key), row)
            )
            message = (
                f"counts only {outcome.minutes} of its {row.minutes} minutes: with the "
                f"volunteer's other counted records on {row.date.isoformat()} the day would "
                f"pass {DAILY_CAP_MINUTES} minutes (24 hours)"
            )
        findings.append(
            Finding(
                code=reason,
                organization_id=key[0],
                record_id=key[1],
                volunteer_id=volunteer_id,
                message=message,
                related=tuple(related),
                line=row.line,
            )
        )
    return findings


def _before(a: _Row, b: _Row) -> bool:
    """Whether ``a`` comes before ``b`` in recorded order (the counting engine's order)."""
    return (a.recorded_at, a.record_id, a.organization_id) < (
        b.recorded_at,
        b.record_id,
        b.organization_id,
    )


def _overlap(a: _Row, b: _Row) -> bool:
    if a.start is None or a.end is None or b.start is None or b.end is None:
        return False
    return a.start < b.end and b.start < a.end
