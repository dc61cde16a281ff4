"""Checks across service records: findings, not exceptions.

A record can be well formed (``parse_record`` accepts it) and still be wrong next to the
others: it overlaps another record of the same volunteer, it pushes a day past 24 hours, it was
corrected by a later record, it was entered too late, or its id was used twice for different
content. :func:`check_records` looks at any number of records (any order, many volunteers) and
returns a :class:`RecordCheck` whose :attr:`~RecordCheck.findings` say what it found, each a
:class:`Finding` with a ``code``, the record, the volunteer and a message. Business findings are
never raised.

The finding codes (:data:`FINDING_CODES`), as ``docs/record-format.md`` ("Beyond one record")
defines them:

``duplicate_record``
    The same ``(organization_id, record_id)`` with different content: a conflict, never merged
    and never settled by picking a version (:mod:`volunteer_rules.rules.versions`, the rule
    every path follows). Every version is a finding, and no version takes part in the other
    checks (it counts for no one, amends nothing and blocks nothing), just as counting and
    certification exclude the key as ``duplicate_record``. An identical repeat (same key, same
    content) is harmless: an export sent twice, a retry. It is counted once, not reported, and
    shows only in :attr:`RecordCheck.repeated` (the id is an idempotency key).
``superseded``
    A record that a ``verified`` or ``void`` record amends (MCA Order 67, Art. 13): it no
    longer counts. This is how corrections are meant to work, so its severity is ``info``.
``overlap``
    Two counted records of one volunteer whose intervals overlap (half-open intervals); the
    later one in recorded order does not count.
``daily_cap``
    More than 1440 counted minutes for one volunteer on one ``date``; the record that crosses
    the cap counts only up to it.
``late``
    Entered, or evaluated, after the 10th working day following the day the activity ended
    (MCA Order 67, Art. 11, [MCA2020] in ``docs/sources.md``: "志愿服务情况和评价情况" within
    10 working days); see :func:`late_deadline`. The order is in force from 2021-02-01
    (:data:`LATE_RULE_FROM`): an activity that ended earlier has no such deadline. A late
    record still counts.

Severity (:data:`FINDING_SEVERITY`): ``superseded`` is ``info``; every other code is a
``problem``. :attr:`RecordCheck.ok` is true when there is no problem.

The counting rules (``overlap``, ``daily_cap``, ``superseded``) are the counting engine's
(``volunteer_rules.rules.counting``), shared with certification so that the checks and the
certificates never disagree.

Example:
    >>> import volunteer_rules as vr
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
    >>> check_records([record, record]).findings  # an identical repeat is harmless
    ()
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, ClassVar, Final, NamedTuple

import attrs

from volunteer_rules._frames import AsData, Column
from volunteer_rules._privacy import masked_repr
from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.hours import Hours
from volunteer_rules.records.calendar import (
    CHINA_WORKING_DAYS,
    WorkingDayCalendar,
    add_working_days,
    calendar_version,
)
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.records.region import RegionCode
from volunteer_rules.rules.counting import DAILY_CAP_MINUTES, Count, count_many

__all__ = [
    "FINDING_CODES",
    "FINDING_COLUMNS",
    "FINDING_SEVERITY",
    "LATE_RULE_FROM",
    "LATE_WORKING_DAYS",
    "Finding",
    "RecordCheck",
    "RecordChecker",
    "activity_end_date",
    "check_records",
    "is_late",
    "late_deadline",
    "recorded_date",
    "version_order",
]

LATE_RULE_FROM: Final = _dt.date(2021, 2, 1)
"""The day MCA Order 67 came into force: activities that ended on or after it must be recorded
(service and evaluation) within :data:`LATE_WORKING_DAYS`; earlier ones have no deadline."""

LATE_WORKING_DAYS: Final = 10
"""Working days an organization has to record an activity after it ends (MCA Order 67, Art. 11:
"10个工作日内")."""

FINDING_CODES: Final = ("duplicate_record", "superseded", "overlap", "daily_cap", "late")
"""Every finding code :func:`check_records` may return."""

FINDING_SEVERITY: Final[Mapping[str, str]] = MappingProxyType(
    {
        "duplicate_record": "problem",
        "superseded": "info",
        "overlap": "problem",
        "daily_cap": "problem",
        "late": "problem",
    }
)
"""Finding code to severity: ``problem`` (something to fix) or ``info`` (worth knowing)."""


_IDENTITY_NUMBER: Final = re.compile(
    r"(?<!\d)(\d{6})"
    r"(?:(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
    r"|\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3})"
    r"(?![\dXx])",
    re.ASCII,
)


def _masked_message(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidTypeError("message", "message must be a str")
    return _mask(value)


def _masked_repr(value: object) -> str:
    return _mask(repr(value))


def _mask(text: str) -> str:
    """Mask whatever has the shape of a resident ID number (region and last character kept).

    Record ids are opaque and an organization could, wrongly, use an ID number as one: the
    messages and the ``repr`` of a finding never show it in full.
    """
    return _IDENTITY_NUMBER.sub(
        lambda match: match.group(1) + "*" * (len(match.group()) - 7) + match.group()[-1], text
    )


@masked_repr
@attrs.frozen(kw_only=True)
class Finding:
    """One thing the record checks found about one record.

    Attributes:
        code: one of :data:`FINDING_CODES`.
        organization_id: the record's organization.
        record_id: the record's id.
        volunteer_id: the volunteer the record belongs to.
        message: one sentence a person can act on. Anything shaped like a resident ID number
            is masked in it, and in the ``repr`` of the ids (``211102***********X``).
        related: the keys ``(organization_id, record_id)`` of the other records involved (the
            record it overlaps, the amendment that supersedes it...), sorted.
        line: where the record version came from (a line number), when the caller said so
            (:meth:`RecordChecker.add` with ``line``); ``None`` otherwise.

    Example:
        >>> finding = Finding(code="late", organization_id="G-a", record_id="r-1",
        ...                   volunteer_id="V1", message="entered late")
        >>> finding.key, finding.severity
        (('G-a', 'r-1'), 'problem')
    """

    code: str = attrs.field(validator=attrs.validators.in_(FINDING_CODES))
    organization_id: str
    record_id: str = attrs.field(repr=_masked_repr)
    volunteer_id: str = attrs.field(repr=_masked_repr)
    message: str = attrs.field(converter=_masked_message)
    related: tuple[tuple[str, str], ...] = attrs.field(default=(), repr=_masked_repr)
    line: int | None = attrs.field(default=None, eq=False)

    @property
    def key(self) -> tuple[str, str]:
        """``(organization_id, record_id)`` of the record the finding is about.

        Example:
            >>> Finding(code="overlap", organization_id="G-a", record_id="r-2",
            ...         volunteer_id="V1", message="overlaps r-1").key
            ('G-a', 'r-2')
        """
        return (self.organization_id, self.record_id)

    @property
    def severity(self) -> str:
        """``problem`` or ``info`` (see :data:`FINDING_SEVERITY`).

        Example:
            >>> Finding(code="superseded", organization_id="G-a", record_id="r-1",
            ...         volunteer_id="V1", message="amended by r-2").severity
            'info'
        """
        return FINDING_SEVERITY[self.code]

    def sort_key(self) -> tuple[str, str, str, str, tuple[tuple[str, str], ...], str]:
        """The order findings are reported in: volunteer, record, code, related, message.

        Example:
            >>> Finding(code="late", organization_id="G-a", record_id="r-1",
            ...         volunteer_id="V1", message="x").sort_key()[:3]
            ('V1', 'G-a', 'r-1')
        """
        return (
            self.volunteer_id,
            self.organization_id,
            self.record_id,
            self.code,
            self.related,
            self.message,
        )


FINDING_COLUMNS: Final[tuple[Column, ...]] = (
    ("volunteer_id", "string", False),
    ("organization_id", "string", False),
    ("record_id", "string", False),
    ("code", "string", False),
    ("severity", "string", False),
    ("message", "string", False),
    ("related", "list<struct<organization_id: string, record_id: string>>", False),
    ("line", "int64", True),
)
"""The findings table, one row per :class:`Finding`, in the order of
:attr:`RecordCheck.findings` (``severity`` is ``problem`` or ``info``; ``message`` masked)."""


@masked_repr
@attrs.frozen(kw_only=True)
class RecordCheck(AsData):
    """The result of :func:`check_records`: the findings and a few counts.

    ``to_rows()``, ``to_arrow()``, ``to_polars()`` and ``to_pandas()`` give the findings as a
    table (:data:`FINDING_COLUMNS`).

    Attributes:
        findings: every finding, sorted by volunteer, record, then code.
        records: how many records were given (repeats included).
        repeated: how many of them were identical repeats of a record already seen (ignored).
        volunteers: how many distinct volunteers the records belong to.
        calendar_version: the working-day calendar data the ``late`` findings rest on
            (:func:`~volunteer_rules.records.calendar_version`), e.g. ``"holidays 0.109
            (official arrangements 2001-2026)"``; ``None`` for a calendar that does not say.

    Example:
        >>> result = RecordCheck(findings=(), records=3, repeated=1, volunteers=2)
        >>> result.ok, result.counts
        (True, {})
    """

    columns: ClassVar[Sequence[Column]] = FINDING_COLUMNS

    findings: tuple[Finding, ...]
    records: int
    repeated: int
    volunteers: int
    calendar_version: str | None = None

    def to_rows(self) -> list[dict[str, Any]]:
        """One plain row per finding (:data:`FINDING_COLUMNS`), in the findings' order.

        Example:
            >>> finding = Finding(code="late", organization_id="G-a", record_id="r-1",
            ...                   volunteer_id="V1", message="entered late")
            >>> check = RecordCheck(findings=(finding,), records=1, repeated=0, volunteers=1)
            >>> check.to_rows()[0]["severity"], check.to_polars().height
            ('problem', 1)
        """
        return [
            {
                "volunteer_id": f.volunteer_id,
                "organization_id": f.organization_id,
                "record_id": f.record_id,
                "code": f.code,
                "severity": f.severity,
                "message": f.message,
                "related": [{"organization_id": o, "record_id": r} for o, r in f.related],
                "line": f.line,
            }
            for f in self.findings
        ]

    @property
    def counts(self) -> dict[str, int]:
        """Number of findings per code (codes without findings are left out).

        Example:
            >>> RecordCheck(findings=(), records=0, repeated=0, volunteers=0).counts
            {}
        """
        counts: dict[str, int] = {}
        for finding in self.findings:
            counts[finding.code] = counts.get(finding.code, 0) + 1
        return counts

    @property
    def ok(self) -> bool:
        """``True`` when no finding has severity ``problem``.

        Example:
            >>> RecordCheck(findings=(), records=0, repeated=0, volunteers=0).ok
            True
        """
        return all(FINDING_SEVERITY[finding.code] != "problem" for finding in self.findings)


def activity_end_date(record: ServiceRecord) -> _dt.date:
    """The local date the activity ended: the date of ``end`` in its own offset, else ``date``.

    An overnight activity (``2024-05-01T22:00+08:00`` to ``2024-05-02T02:00+08:00``) ends on
    2024-05-02.

    Example:
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> activity_end_date(vr.parse_record(SAMPLE_RECORD_PAYLOAD))
        datetime.date(2024, 5, 1)
    """
    end = record.end
    return record.date if end is None else end.date()


def recorded_date(record: ServiceRecord) -> _dt.date:
    """The local date of ``recorded_at``, in the place's offset where the record shows one.

    With an interval, ``recorded_at`` is converted to the offset of ``end`` (the place's
    local time) first, so ``2024-05-02T17:00:00Z`` recorded for an activity in Panjin
    (``+08:00``) is entered on 2024-05-03. Without an interval, the offset ``recorded_at``
    carries is taken as local.

    Example:
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> recorded_date(vr.parse_record(SAMPLE_RECORD_PAYLOAD))
        datetime.date(2024, 5, 2)
    """
    end = record.end
    recorded_at = record.recorded_at
    if end is not None and end.tzinfo is not None:
        recorded_at = recorded_at.astimezone(end.tzinfo)
    return recorded_at.date()


def late_deadline(
    day: _dt.date,
    *,
    calendar: WorkingDayCalendar = CHINA_WORKING_DAYS,
    working_days: int = LATE_WORKING_DAYS,
) -> _dt.date:
    """The last day a record of an activity that ended on ``day`` is on time (inclusive).

    That is the ``working_days``-th working day after ``day`` (``day`` itself never counts,
    MCA Order 67, Art. 11: "活动结束后10个工作日内"). A record entered on the deadline is on
    time; entered the day after, it is late.

    Args:
        day: the local date the activity ended (:func:`activity_end_date`).
        calendar: which days are working days (default: mainland China's).
        working_days: the allowance (default :data:`LATE_WORKING_DAYS`, 10).

    Returns:
        the deadline, inclusive.

    Raises:
        InvalidTypeError: ``day`` is not a date or ``calendar`` is not a calendar.
        InvalidValueError: ``working_days`` is negative, or the deadline cannot be computed.

    Example:
        >>> from datetime import date
        >>> late_deadline(date(2024, 9, 27))  # across the 2024 National Day holiday
        datetime.date(2024, 10, 16)
    """
    if not isinstance(working_days, int) or isinstance(working_days, bool):
        raise InvalidTypeError("working_days", "working_days must be an int")
    if working_days < 0:
        raise InvalidValueError("working_days", "working_days must not be negative")
    return add_working_days(day, working_days, calendar=calendar)


def is_late(
    record: ServiceRecord,
    *,
    calendar: WorkingDayCalendar = CHINA_WORKING_DAYS,
    working_days: int = LATE_WORKING_DAYS,
) -> bool:
    """Whether ``record`` was entered or evaluated after its deadline (MCA Order 67, Art. 11).

    Late means: the activity ended on or after :data:`LATE_RULE_FROM` (2021-02-01, when the
    order came into force), and :func:`recorded_date`, or the date of the record's evaluation,
    is after :func:`late_deadline` of :func:`activity_end_date`. This is the bare date rule,
    for any record; :func:`check_records` applies it only to original entries (see there).

    Args:
        record: the record.
        calendar: which days are working days (default: mainland China's).
        working_days: the allowance (default 10).

    Returns:
        ``True`` when late.

    Raises:
        InvalidTypeError: ``record`` is not a :class:`ServiceRecord`.

    Example:
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> is_late(vr.parse_record(SAMPLE_RECORD_PAYLOAD))
        False
    """
    if not isinstance(record, ServiceRecord):
        raise InvalidTypeError("record", "record must be a ServiceRecord")
    ended = activity_end_date(record)
    if ended < LATE_RULE_FROM:
        return False
    deadline = late_deadline(ended, calendar=calendar, working_days=working_days)
    evaluation = record.evaluation
    return recorded_date(record) > deadline or (
        evaluation is not None and evaluation.date > deadline
    )


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


_BATCH: Final = 20_000
"""Records per call of the counting engine in :meth:`RecordChecker.finish`."""
_COUNTING_CODES: Final = frozenset({"superseded", "overlap", "daily_cap"})
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


def version_order(record: ServiceRecord) -> tuple[Any, ...]:
    """The sort key among conflicting versions of one record, for reporting them.

    Two versions of one ``(organization_id, record_id)`` with different content are a
    ``duplicate_record`` conflict and none of them counts
    (:mod:`volunteer_rules.rules.versions`); reports list them in this order (``recorded_at``,
    then the minutes, status, volunteer, date, interval, amendment and region), which does not
    depend on the input order.

    Example:
        >>> import attrs
        >>> from volunteer_rules.records.record import parse_record
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> a = parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> b = attrs.evolve(a, service=Hours.from_minutes(60))
        >>> min([a, b], key=version_order).service.minutes
        60
    """
    return _version_order(
        record.recorded_at,
        record.service.minutes,
        record.status,
        record.volunteer_id,
        record.date,
        record.start,
        record.end,
        record.amends,
        record.region_code,
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


class RecordChecker:
    """The streaming form of :func:`check_records`: :meth:`add` records, then :meth:`finish`.

    The command line uses it to check a file line by line. Per record it keeps one compact
    entry (the record's key, a 64-bit content fingerprint, its line and what the counting
    rules need), never the text fields; memory grows with the number of distinct records, not
    with the size of the input.

    Args:
        calendar: which days are working days, for ``late`` (default: mainland China's).
        working_days: the ``late`` allowance (default 10).

    Example:
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> checker = RecordChecker()
        >>> checker.add(vr.parse_record(SAMPLE_RECORD_PAYLOAD))
        >>> checker.finish().records
        1
    """

    def __init__(
        self,
        *,
        calendar: WorkingDayCalendar = CHINA_WORKING_DAYS,
        working_days: int = LATE_WORKING_DAYS,
    ) -> None:
        if not callable(getattr(calendar, "is_working_day", None)):
            raise InvalidTypeError("calendar", "calendar must have an is_working_day(day) method")
        if not isinstance(working_days, int) or isinstance(working_days, bool):
            raise InvalidTypeError("working_days", "working_days must be an int")
        if working_days < 0:
            raise InvalidValueError("working_days", "working_days must not be negative")
        self._calendar = calendar
        self._working_days = working_days
        self._deadlines: dict[_dt.date, _dt.date] = {}
        # key -> its one version, or a list of its distinct versions (rare).
        self._versions: dict[tuple[str, str], _Row | list[_Row]] = {}
        self._names: dict[str, str] = {}  # one string object per volunteer id
        self._records = 0
        self._repeated = 0

    def _late(self, record: ServiceRecord, line: int | None) -> Finding | None:
        if record.amends is not None or record.status == "void":
            return None
        ended = activity_end_date(record)
        if ended < LATE_RULE_FROM:  # Order 67 was not in force yet: no deadline
            return None
        deadline = self._deadlines.get(ended)
        if deadline is None:
            deadline = late_deadline(
                ended, calendar=self._calendar, working_days=self._working_days
            )
            self._deadlines[ended] = deadline
        entered = recorded_date(record)
        evaluation = record.evaluation
        evaluated_late = evaluation is not None and evaluation.date > deadline
        if entered <= deadline and not evaluated_late:
            return None
        covers = getattr(self._calendar, "covers", None)
        estimated = ""
        if callable(covers) and not (covers(ended) and covers(deadline)):
            estimated = " (holiday arrangement estimated for that year)"
        return Finding(
            code="late",
            organization_id=record.organization_id,
            record_id=record.record_id,
            volunteer_id=record.volunteer_id,
            message=(
                (
                    f"entered on {entered.isoformat()}"
                    if entered > deadline
                    else f"evaluated on {evaluation.date.isoformat()}"  # type: ignore[union-attr]
                )
                + f", after the deadline {deadline.isoformat()}: "
                f"{self._working_days} working days after the activity ended on "
                f"{ended.isoformat()}{estimated} (MCA Order 67, Art. 11); it still counts"
            ),
            line=line,
        )

    def add(self, record: ServiceRecord, *, line: int | None = None) -> None:
        """Take one more record into the check.

        Args:
            record: a service record (any status, any volunteer, any order).
            line: where it came from (a line number), carried into its findings.

        Raises:
            InvalidTypeError: ``record`` is not a :class:`ServiceRecord`.

        Example:
            >>> import volunteer_rules as vr
            >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
            >>> checker = RecordChecker()
            >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
            >>> checker.add(record, line=1); checker.add(record, line=2)
            >>> checker.finish().repeated
            1
        """
        if not isinstance(record, ServiceRecord):
            raise InvalidTypeError("record", "records must be ServiceRecord values")
        self._records += 1
        fingerprint = _fingerprint(record)
        key = (record.organization_id, record.record_id)
        versions = self._versions.get(key)
        if versions is not None:
            if type(versions) is _Row:
                versions = [versions]
            assert isinstance(versions, list)
            for version in versions:
                if version.fingerprint == fingerprint:
                    self._repeated += 1
                    return
        row = _Row(
            record.recorded_at,
            fingerprint,
            line,
            self._late(record, line),
            record.organization_id,
            record.record_id,
            self._names.setdefault(record.volunteer_id, record.volunteer_id),
            record.region_code,
            record.date,
            record.start,
            record.end,
            record.service.minutes,
            record.status,
            record.amends,
        )
        if versions is None:
            self._versions[key] = row
        else:
            versions.append(row)
            self._versions[key] = versions

    def line_of(self, key: tuple[str, str]) -> int | None:
        """The line of ``key`` (of its version first in recorded order, for a conflict).

        Example:
            >>> import volunteer_rules as vr
            >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
            >>> checker = RecordChecker()
            >>> checker.add(vr.parse_record(SAMPLE_RECORD_PAYLOAD), line=7)
            >>> checker.line_of(("512111005000000154", "r-2024-0001"))
            7
        """
        versions = self._versions.get(key)
        if versions is None:
            return None
        if type(versions) is _Row:
            return versions.line
        assert isinstance(versions, list)
        return min(versions, key=_order).line

    def _kept(self, key: tuple[str, str]) -> _Row:
        """The version of ``key`` the checks use (``finish`` has sorted the versions)."""
        versions = self._versions[key]
        if type(versions) is _Row:
            return versions
        assert isinstance(versions, list)
        return versions[0]

    def _counting(
        self,
        batch: list[_Row],
        names: set[str],
        amenders: Mapping[tuple[str, str], list[tuple[str, str]]],
    ) -> list[Finding]:
        """Findings of the counting engine for the volunteers ``names`` (rows ``batch``)."""
        rows = list(batch)
        if amenders:
            # Amendments made by other volunteers that reach these records, chains followed.
            seen: set[tuple[str, str]] = set()
            stack = [(row.organization_id, row.record_id) for row in batch]
            while stack:
                for key in amenders.get(stack.pop(), ()):
                    if key not in seen:
                        seen.add(key)
                        stack.append(key)
                        row = self._kept(key)
                        if row.volunteer_id not in names:
                            rows.append(row)
        # Twice: a fast pass without per-record detail finds the volunteers with something to
        # report; a second pass gives the detail for them only.
        records = list(map(_rebuild, rows))
        counts = count_many(records, as_of=_dt.date.max, volunteers=names)
        flagged = {
            volunteer_id
            for volunteer_id, count in counts.items()
            if any(reason in _COUNTING_CODES for _, reason in count.excluded)
        }
        findings: list[Finding] = []
        if flagged:
            detailed = count_many(
                [r for r in records if r.volunteer_id in flagged or r.amends is not None],
                as_of=_dt.date.max,
                volunteers=flagged,
                detail=True,
            )
            for count in detailed.values():
                findings += _counting_findings(count, self._kept, amenders)
        return findings

    def finish(self) -> RecordCheck:
        """The result for every record added so far.

        Example:
            >>> RecordChecker().finish()  # doctest: +ELLIPSIS
            RecordCheck(findings=(), records=0, repeated=0, volunteers=0, calendar_version='holidays ...')
        """
        findings: list[Finding] = []
        amenders: dict[tuple[str, str], list[tuple[str, str]]] = {}
        by_volunteer: dict[str, list[_Row]] = {}
        for key, versions in self._versions.items():
            if type(versions) is _Row:
                version = versions
            else:
                # A conflict (volunteer_rules.rules.versions): every version is reported and
                # none takes part in the other checks, as none counts anywhere.
                assert isinstance(versions, list)
                versions.sort(key=_order)
                first = versions[0]
                for other in versions:
                    differs = _differences(first, versions[1] if other is first else other)
                    findings.append(
                        Finding(
                            code="duplicate_record",
                            organization_id=key[0],
                            record_id=key[1],
                            volunteer_id=other.volunteer_id,
                            message=(
                                f"record {key[1]} of organization {key[0]} was given in "
                                f"{len(versions)} versions with different content ({differs}): "
                                "none of them counts; correct a record with a new record that "
                                "amends it"
                            ),
                            related=(key,),
                            line=other.line,
                        )
                    )
                continue
            if version.late is not None:
                findings.append(version.late)
            amends = version.amends
            if amends is not None:
                amenders.setdefault((key[0], amends), []).append(key)
            by_volunteer.setdefault(version.volunteer_id, []).append(version)
        # The counting rules run per batch of volunteers, so the records rebuilt for the
        # counting engine never all exist at once.
        batch: list[_Row] = []
        names: set[str] = set()
        for volunteer_id in sorted(by_volunteer):
            batch += by_volunteer[volunteer_id]
            names.add(volunteer_id)
            if len(batch) >= _BATCH:
                findings += self._counting(batch, names, amenders)
                batch = []
                names = set()
        if batch:
            findings += self._counting(batch, names, amenders)
        findings.sort(key=Finding.sort_key)
        return RecordCheck(
            findings=tuple(findings),
            records=self._records,
            repeated=self._repeated,
            volunteers=len(by_volunteer),
            calendar_version=calendar_version(self._calendar),
        )


def check_records(
    records: Iterable[ServiceRecord],
    *,
    calendar: WorkingDayCalendar = CHINA_WORKING_DAYS,
    working_days: int = LATE_WORKING_DAYS,
) -> RecordCheck:
    """Check records against each other: duplicates, corrections, overlaps, daily cap, late.

    Records may belong to many volunteers and come in any order: the result does not depend on
    the order. Only ``verified`` records count toward hours, so only they can overlap or hit
    the daily cap; ``superseded`` applies to any record a ``verified`` or ``void`` record
    amends. ``late`` is judged for original entries only: a record that ``amends`` another is a
    correction (Art. 13 sets no deadline for corrections) and a ``void`` record withdraws one,
    so neither is late.

    Args:
        records: the records, any iterable (read once).
        calendar: which days are working days, for ``late`` (default: mainland China's
            :class:`~volunteer_rules.records.calendar.ChinaWorkingDays`).
        working_days: the ``late`` allowance (default :data:`LATE_WORKING_DAYS`, 10).

    Returns:
        a :class:`RecordCheck`; business findings are never raised.

    Raises:
        InvalidTypeError: ``records`` is not iterable, or holds something that is not a
            :class:`ServiceRecord`; ``calendar`` is not a calendar.
        InvalidValueError: ``working_days`` is negative, or the calendar refuses a day it
            has no data for (``ChinaWorkingDays(outside="refuse")``).

    Example:
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> payload = dict(SAMPLE_RECORD_PAYLOAD,
        ...                recorded_at="2024-05-17T09:00:00+08:00")
        >>> result = check_records([vr.parse_record(payload)])
        >>> [(f.code, f.record_id) for f in result.findings]
        [('late', 'r-2024-0001')]
        >>> print(result.findings[0].message)  # doctest: +NORMALIZE_WHITESPACE
        entered on 2024-05-17, after the deadline 2024-05-16: 10 working days after the
        activity ended on 2024-05-01 (MCA Order 67, Art. 11); it still counts
    """
    checker = RecordChecker(calendar=calendar, working_days=working_days)
    try:
        iterator = iter(records)
    except TypeError:
        raise InvalidTypeError("records", "records must be an iterable of ServiceRecord") from None
    for record in iterator:
        checker.add(record)
    return checker.finish()
