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

The findings are in :mod:`~volunteer_rules.rules.finding` and the recording deadline in
:mod:`~volunteer_rules.rules.deadline`; this module re-exports their names.

Example:
    >>> import volunteer_rules as vr
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
    >>> check_records([record, record]).findings  # an identical repeat is harmless
    ()
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from typing import Any, Final

from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.records.calendar import (
    CHINA_WORKING_DAYS,
    WorkingDayCalendar,
    calendar_version,
)
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.rules._checked_row import (
    _counting_findings,
    _differences,
    _fingerprint,
    _order,
    _rebuild,
    _Row,
    _version_order,
)
from volunteer_rules.rules.counting import count_many
from volunteer_rules.rules.deadline import (
    LATE_RULE_FROM,
    LATE_WORKING_DAYS,
    activity_end_date,
    is_late,
    late_deadline,
    recorded_date,
)
from volunteer_rules.rules.finding import (
    FINDING_CODES,
    FINDING_COLUMNS,
    FINDING_SEVERITY,
    Finding,
    RecordCheck,
)

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

_BATCH: Final = 20_000
"""Records per call of the counting engine in :meth:`RecordChecker.finish`."""
_COUNTING_CODES: Final = frozenset({"superseded", "overlap", "daily_cap"})


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
        >>> from volunteer_rules import Hours
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
