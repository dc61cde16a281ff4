"""The counting engine: which of a volunteer's service minutes count, and why the rest do not.

This is the one place where the library decides what counts. Certification, the record checks,
the time bank (which credits only what certification would count) and transfers all call it, so
they can never disagree.

The rules come from the record format ("Beyond one record", ``docs/record-format.md``) and
MCA Order 67 (志愿服务记录与证明出具办法（试行）, 2020), Art. 13 for amendments
(``docs/sources.md`` [MCA2020] 13). For one volunteer, each record is given one
outcome. The rules apply in this order; the first one that excludes a record names its reason:

0. ``duplicate_record``: the record's key ``(organization_id, record_id)`` was given with
   conflicting versions (:mod:`volunteer_rules.rules.versions`, the one rule every path
   follows). No version counts, amends or blocks anything; the key is listed once, before the
   other outcomes, for every volunteer one of its versions names. An identical repeat is one
   record (counted once, not listed).
1. ``other_volunteer``: the record belongs to another volunteer.
2. ``after_as_of``: the record was not on record on ``as_of``: its ``date`` or the local date
   of its ``recorded_at`` (in the offset it was recorded with) is after ``as_of``. A certificate
   made for a past day can therefore always be reproduced. Such a record also amends nothing.
3. ``outside_window``: the record's ``date`` is before the first day of the counting window
   (``since``, inclusive). The window always ends on ``as_of`` (inclusive).
4. ``not_verified``: the status is not ``verified``.
5. ``superseded``: another record of the same organization amends it (its ``amends`` names this
   record's ``record_id``) and that amendment is effective: its status is ``verified`` or
   ``void`` (a void amendment withdraws the original), or it is superseded in turn. So in a
   chain A ← B ← C, with C verified, neither A nor B counts. Amendments are honoured whoever's
   records they are, as long as they are among the records given and on record on ``as_of``.
6. ``below_minimum_rating``: only when a minimum rating is asked for (a rule set may require
   one): the record has no evaluation, or its rating is worse than the minimum.
7. ``overlap``: its interval overlaps (half-open: ``a.start < b.end and b.start < a.end``) the
   interval of a record counted before it in recorded order (``recorded_at``, then
   ``record_id``, then ``organization_id``). Records without an interval never overlap.
   Records excluded by an earlier rule never block anyone: they do not count.
8. ``daily_cap``: at most 1440 minutes count on one ``date`` (a record that crosses midnight
   counts on the date it started). In recorded order, the record that crosses the cap counts
   only up to it, the rest is excluded; that record is *partly* counted, so its outcome has
   both counted minutes and the reason ``daily_cap``.

Two records with the same ``(organization_id, record_id)`` are one record given twice when
they are the same version (:func:`~volunteer_rules.rules.versions.same_version`: the same
canonical content); otherwise the key is in conflict and excluded as ``duplicate_record`` (rule
0), whatever the order of the records (the record checks report the same key as a
``duplicate_record`` finding).

Everything is whole minutes (``int``). The single-volunteer form, :func:`count_records`, sorts
once by recorded order and checks overlaps against a sorted list of the counted intervals
(``bisect``): O(n log n), not O(n²). The bulk form, :func:`count_many`, keeps one column per
field (not the records) and settles most volunteers with C-level operations; see its
docstring.

Example:
    >>> from datetime import date
    >>> from volunteer_rules.rules.counting import count_records
    >>> from volunteer_rules.records.record import parse_record
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> record = parse_record(SAMPLE_RECORD_PAYLOAD)
    >>> count = count_records([record, record], as_of=date(2024, 12, 31))
    >>> count.volunteer_id, count.minutes, count.excluded
    ('V0000001', 120, ())
    >>> count_records([record], as_of=date(2024, 5, 1)).excluded
    (('r-2024-0001', 'after_as_of'),)
    >>> import attrs
    >>> edited = attrs.evolve(record, service=Hours(60))
    >>> conflict = count_records([record, edited], as_of=date(2024, 12, 31))
    >>> conflict.minutes, conflict.excluded
    (0, (('r-2024-0001', 'duplicate_record'),))
"""

from __future__ import annotations

import datetime as _dt
import gc
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import chain, compress, islice, repeat
from operator import (
    add,
    and_,
    attrgetter,
    eq,
    gt,
    is_not,
    itemgetter,
    le,
    lt,
    mul,
    ne,
    not_,
    or_,
)
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import require_iterable
from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.hours import Hours
from volunteer_rules.records.record import RATINGS, ServiceRecord
from volunteer_rules.rules.versions import CONFLICT_REASON, RecordVersions, resolve_versions

if TYPE_CHECKING:  # pragma: no cover
    from volunteer_rules.rules.results import Counts

__all__ = [
    "DAILY_CAP_MINUTES",
    "EXCLUSION_REASONS",
    "Count",
    "RecordOutcome",
    "count_many",
    "count_records",
    "majority_volunteer",
]

DAILY_CAP_MINUTES: Final = 1440
"""At most this many minutes count for one volunteer on one ``date``."""

EXCLUSION_REASONS: Final = (
    CONFLICT_REASON,
    "other_volunteer",
    "after_as_of",
    "outside_window",
    "not_verified",
    "superseded",
    "below_minimum_rating",
    "overlap",
    "daily_cap",
)
"""Why a record does not count (or counts only in part), in the order the rules apply.

All but ``duplicate_record`` and ``below_minimum_rating`` are the contract's reasons; the
first is a key given with conflicting versions (:mod:`volunteer_rules.rules.versions`), the
second appears only when a minimum rating is asked for.
"""

_RATING_RANK: Final = {rating: rank for rank, rating in enumerate(RATINGS)}
_SUPERSEDING: Final = frozenset(("verified", "void"))
"""The statuses of an amendment that supersedes the record it names (MCA Order 67, Art. 13)."""

# A compact row: one tuple of the fields counting needs, in this order. Only the single-volunteer
# form and the bulk form build rows (the bulk form keeps one per record, nothing more).
_R_AT, _R_ID, _R_ORG, _R_VOL, _R_STATUS, _R_DATE, _R_START, _R_END, _R_AMENDS, _R_MIN, _R_EVAL = (
    range(11)
)
_ROW_FIELDS: Final = (
    "recorded_at",
    "record_id",
    "organization_id",
    "volunteer_id",
    "status",
    "date",
    "start",
    "end",
    "amends",
    "service._minutes",
    "evaluation",
)
_ROW: Final = attrgetter(*_ROW_FIELDS)
_ORDER: Final = itemgetter(_R_AT, _R_ID, _R_ORG)
_Row = tuple[Any, ...]


@masked_repr
@attrs.frozen(kw_only=True)
class RecordOutcome:
    """What counting made of one record.

    Attributes:
        organization_id: the recording organization (with ``record_id``, the record's key).
        record_id: the record's id.
        minutes: the minutes that count (``0`` when the record is excluded).
        reason: ``None`` when the record counts in full; otherwise one of
            :data:`EXCLUSION_REASONS`. A ``daily_cap`` record may still count in part.

    Example:
        >>> outcome = RecordOutcome(organization_id="G-x", record_id="r-1", minutes=60,
        ...                         reason="daily_cap")
        >>> outcome.key, outcome.counted, outcome.counts
        (('G-x', 'r-1'), Hours(minutes=60), True)
    """

    organization_id: str
    record_id: str
    minutes: int
    reason: str | None

    @property
    def key(self) -> tuple[str, str]:
        """``(organization_id, record_id)``, as :attr:`ServiceRecord.key`.

        Example:
            >>> RecordOutcome(organization_id="G-x", record_id="r", minutes=0,
            ...               reason="overlap").key
            ('G-x', 'r')
        """
        return (self.organization_id, self.record_id)

    @property
    def counted(self) -> Hours:
        """The counted minutes as :class:`~volunteer_rules.Hours`.

        Example:
            >>> RecordOutcome(organization_id="G-x", record_id="r", minutes=90,
            ...               reason=None).counted.hours
            Decimal('1.5')
        """
        return Hours.from_minutes(self.minutes)

    @property
    def counts(self) -> bool:
        """Whether any of the record's minutes count.

        Example:
            >>> RecordOutcome(organization_id="G-x", record_id="r", minutes=0,
            ...               reason="superseded").counts
            False
        """
        return self.minutes > 0


@masked_repr
@attrs.frozen(kw_only=True)
class Count:
    """The result of counting one volunteer's records on a day.

    Attributes:
        volunteer_id: whose records were counted (``None`` when no record was given).
        as_of: the day of the count (the window's last day, inclusive).
        since: the window's first day (inclusive), or ``None`` for a lifetime count.
        minutes: the total of counted minutes.
        first_counted: the earliest ``date`` of a record that counts, or ``None`` (the start
            of tenure for rule sets that need it).
        excluded: ``(record_id, reason)`` for every record not counted in full, in recorded
            order.
        outcomes: one :class:`RecordOutcome` per distinct record given, in recorded order
            (``None`` from :func:`count_many` unless it is asked for ``detail=True``).

    Example:
        >>> from datetime import date
        >>> count = Count(volunteer_id="V1", as_of=date(2025, 1, 1), since=None, minutes=90,
        ...               first_counted=date(2024, 3, 1), excluded=(), outcomes=None)
        >>> count.total
        Hours(minutes=90)
    """

    volunteer_id: str | None
    as_of: _dt.date
    since: _dt.date | None
    minutes: int
    first_counted: _dt.date | None
    excluded: tuple[tuple[str, str], ...]
    outcomes: tuple[RecordOutcome, ...] | None

    @property
    def total(self) -> Hours:
        """The counted minutes as :class:`~volunteer_rules.Hours`.

        Example:
            >>> from datetime import date
            >>> Count(volunteer_id=None, as_of=date(2025, 1, 1), since=None, minutes=0,
            ...       first_counted=None, excluded=(), outcomes=()).total
            Hours(minutes=0)
        """
        return Hours.from_minutes(self.minutes)

    def minutes_of(self, organization_id: str, record_id: str) -> int:
        """The counted minutes of one record (``0`` if it does not count or was not given).

        Needs the outcomes (always there from :func:`count_records`).

        Raises:
            InvalidValueError: this count was made without outcomes.

        Example:
            >>> from datetime import date
            >>> from volunteer_rules.records.record import parse_record
            >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
            >>> record = parse_record(SAMPLE_RECORD_PAYLOAD)
            >>> count_records([record], as_of=date(2025, 1, 1)).minutes_of(*record.key)
            120
        """
        if self.outcomes is None:
            raise InvalidValueError("outcomes", "this count was made without per-record detail")
        for outcome in self.outcomes:
            if outcome.organization_id == organization_id and outcome.record_id == record_id:
                return outcome.minutes
        return 0


def _check_as_of(as_of: object, since: object) -> None:
    if type(as_of) is not _dt.date:
        raise InvalidTypeError("as_of", f"must be a date, not {type(as_of).__name__}")
    if since is not None:
        if type(since) is not _dt.date:
            raise InvalidTypeError("since", f"must be a date or None, not {type(since).__name__}")
        if since > as_of:
            raise InvalidValueError("since", "the window cannot start after as_of")


def _check_rating(min_rating: object) -> int | None:
    if min_rating is None:
        return None
    if not isinstance(min_rating, str) or min_rating not in _RATING_RANK:
        raise InvalidValueError("min_rating", f"must be one of {', '.join(RATINGS)} or None")
    return _RATING_RANK[min_rating]


def _rows(records: object) -> tuple[list[_Row], RecordVersions]:
    """Rows of the records to count (one per key, none in conflict), and the versions found.

    Refuses anything that is not a ServiceRecord.
    """
    versions = resolve_versions(records)  # type: ignore[arg-type]
    return list(map(_ROW, versions.records)), versions


def _all_versions(rows: list[_Row], versions: RecordVersions) -> list[_Row]:
    """The rows, plus one row per conflicting version (for whom the records belong to)."""
    if not versions.conflicts:
        return rows
    return rows + [_ROW(v) for group in versions.conflicts.values() for v in group]


def majority_volunteer(records: Iterable[ServiceRecord]) -> str | None:
    """The volunteer most of the records belong to; ties go to the smallest id.

    This is whom :func:`count_records` and :func:`~volunteer_rules.certify` count for when no
    volunteer is named, so the input order never matters.

    Args:
        records: service records.

    Returns:
        The volunteer id, or ``None`` when there are no records.

    Raises:
        InvalidTypeError: ``records`` is not an iterable of ``ServiceRecord``.

    Example:
        >>> import attrs
        >>> from volunteer_rules.records.record import parse_record
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> a = parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> b = attrs.evolve(a, volunteer_id="V0000000", record_id="x")
        >>> majority_volunteer([a, b])
        'V0000000'
    """
    return _majority(_all_versions(*_rows(records)))


def _majority(rows: Sequence[_Row]) -> str | None:
    if not rows:
        return None
    tally: Counter[str] = Counter(row[_R_VOL] for row in rows)
    best = max(tally.values())
    return min(v for v, n in tally.items() if n == best)


def _conflict_outcomes(
    versions: RecordVersions | None, volunteer_id: str | None, others: bool
) -> list[RecordOutcome]:
    """Rule 0: one outcome per key in conflict (``other_volunteer`` if none names the volunteer).

    In key order, so that no order of the input shows through.
    """
    if versions is None or not versions.conflicts:
        return []
    out = []
    for key in versions.conflict_keys:
        mine = any(v.volunteer_id == volunteer_id for v in versions.conflicts[key])
        if mine or others:
            reason = CONFLICT_REASON if mine else "other_volunteer"
            out.append(
                RecordOutcome(organization_id=key[0], record_id=key[1], minutes=0, reason=reason)
            )
    return out


def _superseded(rows: Sequence[_Row], as_of: _dt.date) -> set[tuple[str, str]]:
    """Keys of the records an effective amendment supersedes (chains followed)."""
    amenders: dict[tuple[str, str], list[_Row]] = {}
    for row in rows:
        target = row[_R_AMENDS]
        if target is not None and _on_record(row, as_of):
            amenders.setdefault((row[_R_ORG], target), []).append(row)
    if not amenders:
        return set()
    # Start from amendments that are effective by their own status, then follow chains: a
    # record superseded in turn makes its own amendment effective (A <- B <- C).
    superseded: set[tuple[str, str]] = set()
    work = [
        target
        for target, rows_ in amenders.items()
        if any(r[_R_STATUS] in _SUPERSEDING for r in rows_)
    ]
    targets_of: dict[tuple[str, str], tuple[str, str]] = {}
    for target, rows_ in amenders.items():
        for r in rows_:
            targets_of[(r[_R_ORG], r[_R_ID])] = target
    while work:
        key = work.pop()
        if key in superseded:
            continue
        superseded.add(key)
        # ``key`` is superseded, so the amendment ``key`` itself makes (if any) is effective.
        next_target = targets_of.get(key)
        if next_target is not None:
            work.append(next_target)
    return superseded


def _on_record(row: _Row, as_of: _dt.date) -> bool:
    return bool(row[_R_DATE] <= as_of and row[_R_AT].date() <= as_of)


def _count_rows(
    rows: list[_Row],
    volunteer_id: str | None,
    as_of: _dt.date,
    since: _dt.date | None,
    min_rank: int | None,
    detail: bool,
    *,
    others: bool = True,
    versions: RecordVersions | None = None,
) -> Count:
    """The reference engine: count ``volunteer_id``'s rows among ``rows`` (any volunteers).

    ``rows`` hold one row per key (:func:`_rows` resolves repeated keys); ``versions`` gives
    the keys in conflict, listed first (rule 0). With ``others=False`` the records of other
    volunteers (amendments brought along) are left out of ``excluded`` and ``outcomes``.
    """
    superseded = _superseded(rows, as_of)
    rows.sort(key=_ORDER)
    starts: list[_dt.datetime] = []
    ends: list[_dt.datetime] = []
    per_day: dict[_dt.date, int] = {}
    outcomes = _conflict_outcomes(versions, volunteer_id, others)
    excluded = [(o.record_id, str(o.reason)) for o in outcomes]
    if not detail:
        outcomes = []
    total = 0
    first: _dt.date | None = None
    for row in rows:
        minutes = 0
        reason: str | None
        day = row[_R_DATE]
        if row[_R_VOL] != volunteer_id:
            if not others:
                continue
            reason = "other_volunteer"
        elif not _on_record(row, as_of):
            reason = "after_as_of"
        elif since is not None and day < since:
            reason = "outside_window"
        elif row[_R_STATUS] != "verified":
            reason = "not_verified"
        elif (row[_R_ORG], row[_R_ID]) in superseded:
            reason = "superseded"
        elif min_rank is not None and (
            row[_R_EVAL] is None or _RATING_RANK.get(row[_R_EVAL].rating, 99) > min_rank
        ):
            reason = "below_minimum_rating"
        elif _overlaps(row[_R_START], row[_R_END], starts, ends):
            reason = "overlap"
        else:
            used = per_day.get(day, 0)
            minutes = min(row[_R_MIN], DAILY_CAP_MINUTES - used) if used < DAILY_CAP_MINUTES else 0
            reason = None if minutes == row[_R_MIN] else "daily_cap"
            per_day[day] = used + minutes
            total += minutes
            if (reason is None or minutes) and (first is None or day < first):
                first = day
        if reason is not None:
            excluded.append((row[_R_ID], reason))
        if detail:
            outcomes.append(
                RecordOutcome(
                    organization_id=row[_R_ORG],
                    record_id=row[_R_ID],
                    minutes=minutes,
                    reason=reason,
                )
            )
    return Count(
        volunteer_id=volunteer_id,
        as_of=as_of,
        since=since,
        minutes=total,
        first_counted=first,
        excluded=tuple(excluded),
        outcomes=tuple(outcomes) if detail else None,
    )


def _overlaps(
    start: _dt.datetime | None,
    end: _dt.datetime | None,
    starts: list[_dt.datetime],
    ends: list[_dt.datetime],
) -> bool:
    """Check ``[start, end)`` against the counted intervals; remember it when it is clear.

    ``starts``/``ends`` hold the counted intervals sorted by start; they never overlap each
    other, so only the two neighbours of the insertion point need a look.
    """
    if start is None or end is None or not start < end:
        return False
    i = bisect_right(starts, start)
    if (i and ends[i - 1] > start) or (i < len(starts) and starts[i] < end):
        return True
    starts.insert(i, start)
    ends.insert(i, end)
    return False


def count_records(
    records: Iterable[ServiceRecord],
    *,
    as_of: _dt.date,
    volunteer_id: str | None = None,
    since: _dt.date | None = None,
    min_rating: str | None = None,
) -> Count:
    """Count one volunteer's records on ``as_of``, with an outcome for every record.

    Args:
        records: service records, in any order; records of other volunteers may be among them
            (they are excluded as ``other_volunteer``; amendments among them still apply).
        as_of: the day of the count; nothing entered or done after it counts.
        volunteer_id: whose records to count; by default the volunteer most records belong
            to, ties to the smallest id (:func:`majority_volunteer`).
        since: first day of the counting window (inclusive); ``None`` counts a lifetime.
        min_rating: the worst evaluation rating a record may have to count (``"pass"``
            lets ``excellent``, ``good`` and ``pass`` count); ``None`` for no minimum.

    Returns:
        A :class:`Count` with outcomes, in recorded order.

    Raises:
        InvalidTypeError: a record is not a ``ServiceRecord``, or ``as_of``/``since`` is not a
            ``date``.
        InvalidValueError: ``since`` is after ``as_of``, or ``min_rating`` is unknown.

    Example:
        >>> from datetime import date
        >>> import attrs
        >>> from volunteer_rules.records.record import parse_record
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> a = parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> b = attrs.evolve(a, record_id="r-2024-0002", amends=a.record_id, service=Hours(100))
        >>> count = count_records([b, a], as_of=date(2024, 12, 31))
        >>> count.minutes, count.excluded
        (100, (('r-2024-0001', 'superseded'),))
        >>> [(o.record_id, o.minutes, o.reason) for o in count.outcomes]
        [('r-2024-0001', 0, 'superseded'), ('r-2024-0002', 100, None)]
    """
    _check_as_of(as_of, since)
    min_rank = _check_rating(min_rating)
    if volunteer_id is not None and not isinstance(volunteer_id, str):
        raise InvalidTypeError("volunteer_id", "must be a str or None")
    rows, versions = _rows(records)
    if volunteer_id is None:
        volunteer_id = _majority(_all_versions(rows, versions))
    return _count_rows(rows, volunteer_id, as_of, since, min_rank, True, versions=versions)


# --- the bulk form ---------------------------------------------------------------------------

_CHUNK: Final = 1024
_DT_DATE: Final = _dt.datetime.date


def count_many(
    records: Iterable[ServiceRecord],
    *,
    as_of: _dt.date,
    since: _dt.date | None = None,
    min_rating: str | None = None,
    volunteers: Iterable[str] | None = None,
    detail: bool = False,
    since_for: Mapping[str, _dt.date] | None = None,
) -> Counts:
    """Count the records of many volunteers in one pass: one :class:`Count` per volunteer.

    The result for each volunteer is exactly what :func:`count_records` gives for the same
    input and that ``volunteer_id``, except that records of other volunteers are not listed
    (and ``outcomes`` is ``None`` unless ``detail=True``).

    How it is fast: the records are read once, in plain Python, in chunks of 1024 records
    (small enough that a chunk's records and values stay in the CPU cache while they are worked
    on). A chunk's fields are read in one comprehension and transposed into columns, and
    everything that needs them (the per-record rules ``after_as_of``, ``outside_window``,
    ``not_verified``, ``below_minimum_rating``, decided once per distinct date where they
    depend on the date; whether an interval starts on its ``date`` and ends that local day;
    the date ordinal) is computed with C-level ``map``/``compress``. What is kept is one column
    (a list) per field: references to the records' own values, no Python object per record
    (the record object itself is not kept). Then one loop over the counting records sums
    minutes per volunteer, and a ``Counter`` of (volunteer, date) keys notices two records on
    one date. A volunteer is settled from those sums when none of their records is amended
    (except once, by an amendment of their own that nothing else amends: it supersedes the
    record or not, as the engine would decide), no two of their records on one date overlap or
    pass the daily cap together, and their intervals are all within their own day in one fixed
    UTC offset (so no two can overlap, whatever the recorded order); with several offsets in
    the input, intervals are checked per volunteer (sorted starts against sorted ends). Every
    other volunteer goes through the reference engine, record by record, so the result is
    always the engine's.

    A key ``(organization_id, record_id)`` given more than once anywhere in the input (whoever
    holds it, before ``volunteers`` is applied) sends the whole input through
    :func:`~volunteer_rules.rules.versions.resolve_versions` first, the one rule for repeated
    keys: an identical repeat counts once, and a key given with conflicting versions counts
    for no one and is listed as ``duplicate_record`` for every volunteer one of its versions
    names, even when the conflicting version belongs to a volunteer not asked for. A volunteer
    whose only records are in conflict still gets a count: 0 minutes, the keys listed (and one
    ``duplicate_record`` outcome per key with ``detail=True``), as :func:`count_records` gives.

    The cyclic garbage collector is paused during the call (the columns it builds hold no
    reference cycles) and restored afterwards.

    To run on a distributed engine (Spark, Dask, Beam): partition the records by
    ``volunteer_id`` and call this (or :func:`count_records`) per partition. Amendments that
    name another volunteer's record must also be sent to that volunteer's partition.

    Args:
        records: service records of any volunteers, in any order.
        as_of: the day of the count.
        since: first day of the counting window (inclusive), or ``None``.
        min_rating: as for :func:`count_records`.
        volunteers: if given, only these volunteers are counted (and every one of them gets a
            result, an empty count if they have no record). Repeated keys are settled over the
            whole input first, so the filter never changes a volunteer's result.
        detail: also build per-record outcomes (slower).
        since_for: a window start for some volunteers that differs from ``since`` (a renewal
            that may not reuse hours, say).

    Returns:
        ``{volunteer_id: Count}``, ordered by volunteer id: a
        :class:`~volunteer_rules.rules.results.Counts`, a ``dict`` with the table forms and
        ``exclusions()``.

    Raises:
        InvalidTypeError: a record is not a ``ServiceRecord``, or a date argument is wrong.
        InvalidValueError: ``since`` is after ``as_of``, or ``min_rating`` is unknown.

    Example:
        >>> from datetime import date
        >>> import attrs
        >>> from volunteer_rules.records.record import parse_record
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> a = parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> b = attrs.evolve(a, record_id="r-9", volunteer_id="V2")
        >>> {v: c.minutes for v, c in count_many([a, b], as_of=date(2025, 1, 1)).items()}
        {'V0000001': 120, 'V2': 120}
    """
    _check_as_of(as_of, since)
    min_rank = _check_rating(min_rating)
    wanted: set[str] | None = None
    if volunteers is not None:
        if isinstance(volunteers, (str, bytes)) or not isinstance(volunteers, Iterable):
            raise InvalidTypeError("volunteers", "must be an iterable of volunteer ids")
        wanted = set()
        for volunteer in volunteers:
            if not isinstance(volunteer, str):
                raise InvalidTypeError("volunteers", "must contain str volunteer ids")
            wanted.add(volunteer)
    require_iterable(records, "records", "must be an iterable of ServiceRecord")
    starts: dict[str, _dt.date] = {}
    if since_for is not None:
        if not isinstance(since_for, Mapping):
            raise InvalidTypeError("since_for", "must be a mapping of volunteer id to date")
        for volunteer, first in since_for.items():
            if not isinstance(volunteer, str):
                raise InvalidTypeError("since_for", "keys must be volunteer ids")
            _check_as_of(as_of, first)
            starts[volunteer] = first
    from volunteer_rules.rules.results import Counts, _held, _Source

    bulk = _bulk(records, as_of, since, min_rank, wanted, bool(detail), starts, True)
    return Counts(bulk.counts(as_of, since), source=_Source(_held(records), as_of, min_rating))


class _Bulk(NamedTuple):
    """What the bulk pass found, per volunteer ``names[k]`` (volunteers in id order).

    ``minutes[k]``, ``first[k]`` (a date ordinal, ``_NEVER`` for none; ``None`` when not asked
    for) and ``excluded[name]`` describe the volunteers settled by the fast path (``excluded``
    may hold entries for others too: they are not read); ``engine[name]`` is the reference
    engine's count of every other volunteer. ``low_rated`` holds the volunteers of the records
    evaluated by ``as_of`` with a rating in the pass's ``low`` (whoever is counted).
    """

    names: list[str]
    minutes: list[int]
    first: list[int] | None
    excluded: dict[str, tuple[tuple[str, str], ...]]
    engine: dict[str, Count]
    low_rated: set[str]

    def counts(self, as_of: _dt.date, since: _dt.date | None) -> dict[str, Count]:
        """``{volunteer_id: Count}`` in volunteer id order."""
        engine = self.engine
        minutes = self.minutes
        first = self.first
        excluded = self.excluded
        out: dict[str, Count] = {}
        for k, name in enumerate(self.names):
            count = engine.get(name)
            if count is None:
                day = _NEVER if first is None else first[k]
                count = Count(
                    volunteer_id=name,
                    as_of=as_of,
                    since=since,
                    minutes=minutes[k],
                    first_counted=None if day == _NEVER else _dt.date.fromordinal(day),
                    excluded=excluded.get(name, ()),
                    outcomes=None,
                )
            out[name] = count
        return out


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector, then restore it.

    For bulk steps that make many objects but no cycles: a collection there would free nothing
    and cost time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _bulk(
    records: Iterable[ServiceRecord],
    as_of: _dt.date,
    since: _dt.date | None,
    min_rank: int | None,
    wanted: set[str] | None,
    detail: bool,
    since_for: dict[str, _dt.date],
    first: bool,
    low: frozenset[str] = frozenset(),
) -> _Bulk:
    """:func:`_count_many` with the collector paused (arguments already checked).

    With ``first=False`` the first counted dates of the fast path are not computed (callers
    that never read ``Count.first_counted`` save a pass). ``low``: the ratings whose
    volunteers are listed in ``low_rated``.
    """
    # Read twice when a key is repeated (see below), so a one-shot iterable is held first.
    given: Sequence[ServiceRecord]
    if type(records) in (list, tuple):
        given = records  # type: ignore[assignment]
    else:
        given = []
        for record in records:
            if not isinstance(record, ServiceRecord):
                raise InvalidTypeError(
                    "records", f"must contain ServiceRecord values, not {type(record).__name__}"
                )
            given.append(record)
    with _collector_paused():  # the columns hold only references to values: nothing to free
        try:
            return _count_many(given, as_of, since, min_rank, wanted, detail, since_for, first, low)
        except _Repeated:
            pass
        # A key given more than once: the one rule decides (identical repeats once, conflicts
        # never), then the records kept are counted and the conflicts listed (rule 0).
        versions = resolve_versions(given)
        bulk = _count_many(
            list(versions.records), as_of, since, min_rank, wanted, detail, since_for, first, low
        )
        # Every version read counts for low ratings, those in conflict too (as one by one).
        bulk = bulk._replace(low_rated=_low_rated(given, low, as_of))
        return _with_conflicts(bulk, versions, wanted, detail, as_of, since, since_for)


class _Repeated(Exception):
    """Raised by the bulk pass when a record key is given more than once."""


def _with_conflicts(
    bulk: _Bulk,
    versions: RecordVersions,
    wanted: set[str] | None,
    detail: bool,
    as_of: _dt.date,
    since: _dt.date | None,
    since_for: dict[str, _dt.date],
) -> _Bulk:
    """Rule 0 added to a bulk count: each key in conflict listed for the volunteers it names.

    A volunteer whose only records are in conflict gets an empty count listing them.
    """
    keys_of: dict[str, list[tuple[str, str]]] = {}
    for key in versions.conflict_keys:
        for name in sorted({v.volunteer_id for v in versions.conflicts[key]}):
            if wanted is None or name in wanted:
                keys_of.setdefault(name, []).append(key)
    if not keys_of:
        return bulk
    at = {name: k for k, name in enumerate(bulk.names)}
    names = sorted(set(bulk.names).union(keys_of))
    minutes = [bulk.minutes[at[name]] if name in at else 0 for name in names]
    first = (
        None
        if bulk.first is None
        else [bulk.first[at[name]] if name in at else _NEVER for name in names]
    )
    excluded = dict(bulk.excluded)
    engine = dict(bulk.engine)
    for name, keys in keys_of.items():
        listed = tuple((key[1], CONFLICT_REASON) for key in keys)
        conflicted = tuple(
            RecordOutcome(organization_id=k[0], record_id=k[1], minutes=0, reason=CONFLICT_REASON)
            for k in keys
        )
        count = engine.get(name)
        if count is None:
            excluded[name] = listed + excluded.get(name, ())
            if detail:  # the engine counts everyone with detail; this one had no other record
                engine[name] = Count(
                    volunteer_id=name,
                    as_of=as_of,
                    since=since_for.get(name, since),
                    minutes=0,
                    first_counted=None,
                    excluded=listed,
                    outcomes=conflicted,  # as count_records: one outcome per key in conflict
                )
            continue
        outcomes = count.outcomes
        if outcomes is not None:
            outcomes = (*conflicted, *outcomes)
        engine[name] = attrs.evolve(count, excluded=listed + count.excluded, outcomes=outcomes)
    return _Bulk(names, minutes, first, excluded, engine, bulk.low_rated)


_ORDINAL: Final = _dt.date.toordinal
_TZINFO: Final = attrgetter("tzinfo")
_DT_TIME: Final = _dt.datetime.time
_VOL: Final = attrgetter("volunteer_id")
_RID: Final = attrgetter("record_id")
_AMENDS: Final = attrgetter("amends")
_KEY: Final = attrgetter("organization_id", "record_id")
_RECORD_ORDER: Final = attrgetter("recorded_at", "record_id", "organization_id")


def _count_many(
    records: Sequence[ServiceRecord],
    as_of: _dt.date,
    since: _dt.date | None,
    min_rank: int | None,
    wanted: set[str] | None,
    detail: bool,
    since_for: dict[str, _dt.date],
    need_first: bool,
    low: frozenset[str],
) -> _Bulk:
    # --- one pass, chunk by chunk: every record and field is touched while it is in cache ----
    # Kept per record: its volunteer, minutes, whether a rule that needs no other record
    # excludes it, whether it has an interval, and its date's ordinal. Anything else is read
    # again from the record, by position, for the few records that need a closer look.
    # ``kept`` is the records read (the input itself, unless ``wanted`` filters it).
    hint = len(records) if wanted is None else 0
    kept_list: list[ServiceRecord] = []
    kept: Sequence[ServiceRecord] = records if wanted is None else kept_list
    t_vol: list[str] = [""] * hint
    t_min: list[int] = [0] * hint
    excl: list[bool] = [False] * hint  # excluded by a rule that needs no other record
    has_interval: list[bool] = [False] * hint
    ordinals: list[int] = [0] * hint
    per_record: tuple[list[Any], ...] = (t_vol, t_min, excl, has_interval, ordinals)
    ordinal_of: dict[_dt.date, int] = {}  # dates are few: one ordinal each, shared
    outside_days: set[_dt.date] = set()  # those after as_of or before since
    odd: list[int] = []  # a start without an end, or an end without a start
    unsure: list[int] = []  # intervals not within their own date: checked per volunteer
    amend_pos: list[int] = []
    rated_pos: list[int] = []  # records with an evaluation (when low ratings matter)
    offsets: set[Any] = set()
    rid_seen: set[str] = set()
    rid_chunks: list[tuple[str, ...]] = []  # the record ids read, chunk by chunk
    all_rids: set[str] = set()  # with ``wanted``: the record ids of the whole input
    all_seen = 0
    base = 0
    iterator = iter(records)
    while True:
        chunk = list(islice(iterator, _CHUNK))
        if not chunk:
            break
        if not all(map(isinstance, chunk, repeat(ServiceRecord))):
            bad = next(r for r in chunk if not isinstance(r, ServiceRecord))
            raise InvalidTypeError(
                "records", f"must contain ServiceRecord values, not {type(bad).__name__}"
            )
        if wanted is not None:
            # Keys in conflict are settled over the whole input, before the filter: another
            # volunteer's version of a wanted volunteer's key makes it a conflict for both.
            all_rids.update(map(_RID, chunk))
            all_seen += len(chunk)
            # Amendments are kept whoever they belong to: they may supersede a wanted record.
            keep = map(
                or_,
                map(wanted.__contains__, map(_VOL, chunk)),
                map(is_not, map(_AMENDS, chunk), repeat(None)),
            )
            chunk = list(compress(chunk, keep))
            if not chunk:
                continue
            kept_list += chunk
        # One tuple per record, then transposed: attribute reads in a comprehension are the
        # interpreter's specialised slot loads, cheaper than one C-level getter per field.
        c_at, c_rid, c_vol, c_st, c_day, c_start, c_end, c_am, c_min, c_ev = zip(
            *[
                (
                    r.recorded_at,
                    r.record_id,
                    r.volunteer_id,
                    r.status,
                    r.date,
                    r.start,
                    r.end,
                    r.amends,
                    r.service._minutes,
                    r.evaluation,
                )
                for r in chunk
            ],
            strict=True,
        )
        del chunk
        m = len(c_rid)
        span = range(base, base + m)
        # recorded_at's local date after as_of. (Its date, not a comparison with a midnight:
        # two date-times compare fast only when they share one tzinfo object, and each one
        # parse_record reads has its own.)
        out = list(map(gt, map(_DT_DATE, c_at), repeat(as_of)))
        if c_st.count("verified") != m:
            out = list(map(or_, out, map(ne, c_st, repeat("verified"))))
        # Dates are shared values, few in all: decide each distinct date once, in the first
        # chunk that has it (``ordinal_of`` holds the dates decided so far).
        distinct = set(c_day)
        new_days = distinct.difference(ordinal_of)
        if new_days:
            ordinal_of.update(zip(new_days, map(_ORDINAL, new_days), strict=True))
            outside_days.update(
                d for d in new_days if d > as_of or (since is not None and d < since)
            )
        if outside_days and not outside_days.isdisjoint(distinct):
            out = list(map(or_, out, map(outside_days.__contains__, c_day)))
        if c_ev.count(None) != m:
            if min_rank is not None:
                out = list(
                    map(
                        or_,
                        out,
                        [e is None or _RATING_RANK.get(e.rating, 99) > min_rank for e in c_ev],
                    )
                )
            if low:
                rated_pos += compress(span, map(is_not, c_ev, repeat(None)))
        elif min_rank is not None:
            out = [True] * m  # no evaluation: below any minimum rating
        has = list(map(is_not, c_start, repeat(None)))
        for dest, values in zip(
            per_record,
            (c_vol, c_min, out, has, map(ordinal_of.__getitem__, c_day)),
            strict=True,
        ):
            dest[base : base + m] = values
        if has != list(map(is_not, c_end, repeat(None))):
            odd += compress(span, map(ne, has, map(is_not, c_end, repeat(None))))
            has = list(map(and_, has, map(is_not, c_end, repeat(None))))
        if True in has:
            unsure += _unsure_intervals(span, has, c_start, c_end, c_day, offsets)
        if m != c_am.count(None):
            amend_pos += compress(span, map(is_not, c_am, repeat(None)))
        rid_seen.update(c_rid)
        rid_chunks.append(c_rid)
        base += m
    n = base
    del ordinal_of, outside_days
    if len(all_rids) != all_seen and _key_repeated(records):
        raise _Repeated  # a key given twice somewhere in the input, whoever holds it
    del all_rids
    if n != hint:
        for column in per_record:
            del column[n:]

    # --- volunteers -----------------------------------------------------------------------
    # Volunteers are numbered in id order (the order of the results), after the pass: two
    # look-ups per record in all, fewer than numbering them chunk by chunk (measured).
    names = sorted(set(t_vol)) if wanted is None else sorted(wanted)
    index = {name: i for i, name in enumerate(names)}
    if wanted is None:
        vol_ix = list(map(index.__getitem__, t_vol))
    else:
        # Records kept only as amendments of someone else get the index len(names).
        vol_ix = list(map(index.get, t_vol, repeat(len(names))))
    del t_vol
    count_v = len(names)
    slow: set[int] = {index[v] for v in since_for if v in index}
    if detail:
        slow = set(range(count_v))

    # Keys: unique record ids make unique keys; a key given twice sends the caller back to
    # resolve_versions (the one rule for repeated keys), which needs the whole records.
    key_pos: dict[tuple[str, str], list[int]] | None = None
    if len(rid_seen) != n:
        key_pos = {}
        for i, key in enumerate(map(_KEY, kept)):
            if key in key_pos:
                raise _Repeated
            key_pos[key] = [i]
    # Amendments. The plain case is settled here: one amendment of a record of the same
    # volunteer, where neither record is amended by or amends anything else. When the amendment
    # is on record by as_of and verified or void, it supersedes the record (unless a rule that
    # comes first already excludes it). The owners of every other amended record go to the
    # engine, with the amendments that reach their records (chains followed), whoever made them.
    amenders_of: dict[tuple[str, str], list[int]] = {}
    for i in amend_pos:
        record = kept[i]
        amenders_of.setdefault((record.organization_id, record.amends), []).append(i)  # type: ignore[arg-type]
    superseded: set[int] = set()
    if amenders_of:
        if key_pos is None:  # record ids are unique: each target is at one position, if any
            key_pos = _targets(amenders_of, vol_ix, kept, rid_chunks)
        for target, amenders in amenders_of.items():
            owners = key_pos.get(target, ())
            if (
                min_rank is None  # below_minimum_rating comes after superseded
                and len(owners) == 1
                and len(amenders) == 1
                and vol_ix[owners[0]] == vol_ix[j := amenders[0]]
                and kept[owners[0]].amends is None
                and _KEY(kept[j]) not in amenders_of
            ):
                i = owners[0]
                amendment = kept[j]
                if not excl[i] and _supersedes(
                    amendment.status, amendment.date, amendment.recorded_at, as_of
                ):
                    excl[i] = True
                    superseded.add(i)
            else:
                slow.update(vol_ix[k] for k in owners)
    del rid_seen, rid_chunks
    # A record longer than the daily cap on its own (the constructor allows one).
    if n and max(t_min) > DAILY_CAP_MINUTES:
        slow.update(compress(vol_ix, map(gt, t_min, repeat(DAILY_CAP_MINUTES))))
    slow.update(vol_ix[i] for i in odd)

    # Totals (and first dates when asked for) in one tight loop over the counting records.
    cand = list(map(not_, excl))
    c_ix = list(compress(vol_ix, cand))
    c_ord = list(compress(ordinals, cand))
    del ordinals
    totals = [0] * (count_v + 1)
    for k, value in zip(c_ix, compress(t_min, cand), strict=True):
        totals[k] += value
    first: list[int] | None = None
    if need_first:
        first = [_NEVER] * (count_v + 1)
        for k, day in zip(c_ix, c_ord, strict=True):
            if day < first[k]:
                first[k] = day
    # Two counting records of one volunteer on one date: one integer key per (volunteer,
    # date). A date whose records pass the daily cap together, or whose intervals overlap,
    # sends its volunteer to the engine; records on one date that neither overlap nor pass the
    # cap count in full whatever their order, so they are no reason (a morning and an
    # afternoon are common).
    # With several UTC offsets (or a zone whose offset may change), intervals on distinct dates
    # may overlap, and times of day do not order instants.
    several = len(offsets) > 1 or any(type(tz) is not _dt.timezone for tz in offsets)
    if c_ord:
        origin, width = min(c_ord), max(c_ord) - min(c_ord) + 1  # small keys are cheaper
        day_keys = list(map(add, map(mul, c_ix, repeat(width)), c_ord))
        crowded = _crowded_dates(
            day_keys, list(compress(range(n), cand)), t_min, kept, None if several else unsure
        )
        slow.update((key - origin) // width for key in crowded)
        del day_keys
    del c_ix, c_ord
    # Intervals within their own date, in one fixed UTC offset, on distinct dates cannot overlap.
    # With several offsets (or a zone whose offset may change), every volunteer's are checked.
    # Others (an interval past midnight, say) are checked per volunteer: sorted starts against
    # sorted ends, so that recorded order cannot matter.
    if several:
        to_check = set(compress(vol_ix, map(and_, cand, has_interval)))
    else:
        to_check = {vol_ix[i] for i in unsure}
    to_check -= slow
    if to_check:
        check: dict[int, list[int]] = {}
        for i in compress(range(n), map(and_, cand, has_interval)):
            if vol_ix[i] in to_check:
                check.setdefault(vol_ix[i], []).append(i)
        for k, positions in check.items():
            if not _disjoint([kept[i].start for i in positions], [kept[i].end for i in positions]):
                slow.add(k)
    slow.discard(count_v)  # others' amendments are not counted for themselves

    # --- exclusions of the others, and the engine for the rest -------------------------------
    excluded_of: dict[int, list[int]] = {}
    for i in compress(range(n), excl):
        excluded_of.setdefault(vol_ix[i], []).append(i)
    excluded = {
        names[k]: _exclusions(positions, kept, as_of, since, superseded)
        for k, positions in excluded_of.items()
        if k < count_v and k not in slow
    }
    engine: dict[str, Count] = {}
    if slow:
        slow_positions: dict[int, list[int]] = {}
        for i in compress(range(n), map(slow.__contains__, vol_ix)):
            slow_positions.setdefault(vol_ix[i], []).append(i)
        for k in sorted(slow):
            name = names[k]
            positions = slow_positions.get(k, [])
            positions += _amendments_reaching(positions, lambda i: _KEY(kept[i]), amenders_of)
            engine[name] = _count_rows(
                [_ROW(kept[i]) for i in positions],
                name,
                as_of,
                since_for.get(name, since),
                min_rank,
                detail,
                others=False,
            )
    low_rated = _low_rated(map(kept.__getitem__, rated_pos), low, as_of)
    return _Bulk(names, totals, first, excluded, engine, low_rated)


def _unsure_intervals(
    span: range,
    has: list[bool],
    c_start: Sequence[Any],
    c_end: Sequence[Any],
    c_day: Sequence[_dt.date],
    offsets: set[Any],
) -> list[int]:
    """Positions (in ``span``) of a chunk's intervals not vouched for, checked per volunteer.

    Vouched for: starts on its record's date, ends on that local day, after it starts. The
    intervals' zones are added to ``offsets``.
    """
    s_iv = list(compress(c_start, has))
    e_iv = list(compress(c_end, has))
    d_iv = list(compress(c_day, has))
    iv_zones = set(map(_TZINFO, chain(s_iv, e_iv)))
    offsets |= iv_zones
    s_day = list(map(_DT_DATE, s_iv))
    e_day = list(map(_DT_DATE, e_iv))
    # Dates and times of day, not date-times, are compared: two date-times compare fast only
    # when they share one tzinfo object, and each one parse_record reads has its own. With
    # one fixed offset, start and end on one date, start < end is a matter of times of day.
    one_offset = len(iv_zones) == 1 and type(next(iter(iv_zones))) is _dt.timezone

    def later() -> Iterator[bool]:  # start < end, where start and end share a date
        if one_offset:
            return map(lt, map(_DT_TIME, s_iv), map(_DT_TIME, e_iv))
        return map(lt, s_iv, e_iv)

    if s_day == d_iv and e_day == d_iv and all(later()):
        return []  # the usual case: every one is
    nice = map(and_, map(and_, map(eq, s_day, d_iv), map(eq, e_day, d_iv)), later())
    return list(compress(compress(span, has), map(not_, nice)))


def _crowded_dates(
    keys: list[int],
    positions: list[int],
    minutes: list[int],
    records: Sequence[ServiceRecord],
    unsure: Sequence[int] | None,
) -> set[int]:
    """The date keys whose records pass the daily cap together or whose intervals overlap.

    ``keys[j]`` is the date key (one per volunteer and date) of the record at ``positions[j]``;
    ``minutes`` and ``records`` are by position. One C-level pass finds each record's first
    record of its date (most dates have one); a date with two (a morning and an afternoon,
    say) is checked inline, one with three or more by :func:`_disjoint`.

    ``unsure`` is the positions of intervals not vouched for by :func:`_unsure_intervals`, or
    ``None`` when the intervals have several UTC offsets. Two intervals vouched for in one
    fixed offset lie within their date, so their times of day order them: those are compared,
    not the date-times (two aware date-times compare fast only when they share one ``tzinfo``
    object, and each one ``parse_record`` reads has its own).
    """
    first_of: dict[int, int] = {}
    firsts = list(map(first_of.setdefault, keys, positions))
    if len(first_of) == len(keys):
        return set()
    later = list(map(ne, firsts, positions))  # not the first record of its date
    l_keys = list(compress(keys, later))
    l_pos = list(compress(positions, later))
    crowded: set[int] = set()
    if len(set(l_keys)) != len(l_keys):  # dates with three records or more
        many = {k: [first_of[k]] for k, n in Counter(l_keys).items() if n > 1}
        for key, i in zip(l_keys, l_pos, strict=True):
            if key in many:
                many[key].append(i)
        for key, group in many.items():
            if sum(minutes[i] for i in group) > DAILY_CAP_MINUTES or not _disjoint(
                [records[i].start for i in group], [records[i].end for i in group]
            ):
                crowded.add(key)
        pairs = list(map(not_, map(many.__contains__, l_keys)))
        l_keys = list(compress(l_keys, pairs))
        l_pos = list(compress(l_pos, pairs))
    by_time_of_day = unsure is not None
    unsure_at = set(unsure or ())
    for key, i, j in zip(l_keys, map(first_of.__getitem__, l_keys), l_pos, strict=True):
        if minutes[i] + minutes[j] > DAILY_CAP_MINUTES:
            crowded.add(key)
            continue
        a, b = records[i], records[j]
        sa, ea, sb, eb = a.start, a.end, b.start, b.end
        if sa is None or ea is None or sb is None or eb is None:
            apart = _disjoint([sa, sb], [ea, eb])
        elif by_time_of_day and i not in unsure_at and j not in unsure_at:
            apart = _DT_TIME(ea) <= _DT_TIME(sb) or _DT_TIME(eb) <= _DT_TIME(sa)
        else:  # as _disjoint decides for two intervals
            apart = sa < ea and sb < eb and (ea <= sb or eb <= sa)
        if not apart:
            crowded.add(key)
    return crowded


_NEVER: Final = 1 << 30


def _key_repeated(records: Iterable[ServiceRecord]) -> bool:
    """Whether some key ``(organization_id, record_id)`` is given more than once."""
    seen: set[tuple[str, str]] = set()
    for record in records:
        key = (record.organization_id, record.record_id)
        if key in seen:
            return True
        seen.add(key)
    return False


def _per_record_reason(
    day: _dt.date,
    recorded_at: _dt.datetime,
    status: str,
    as_of: _dt.date,
    since: _dt.date | None,
) -> str | None:
    """Why a per-record rule excludes a record: the first that applies, as the engine, or None.

    ``below_minimum_rating`` is the caller's to add.
    """
    if day > as_of or recorded_at.date() > as_of:
        return "after_as_of"
    if since is not None and day < since:
        return "outside_window"
    if status != "verified":
        return "not_verified"
    return None


def _record_reason(record: ServiceRecord, as_of: _dt.date, since: _dt.date | None) -> str | None:
    """:func:`_per_record_reason` of a record."""
    return _per_record_reason(record.date, record.recorded_at, record.status, as_of, since)


def _supersedes(status: str, day: _dt.date, recorded_at: _dt.datetime, as_of: _dt.date) -> bool:
    """Whether an amendment takes effect on ``as_of``: on record by then, verified or void."""
    return status in _SUPERSEDING and day <= as_of and recorded_at.date() <= as_of


def _targets(
    amenders_of: dict[tuple[str, str], list[int]],
    vol_ix: list[int],
    records: Sequence[ServiceRecord],
    rid_chunks: list[tuple[str, ...]],
) -> dict[tuple[str, str], list[int]]:
    """The position of each amended key that is given, when record ids are unique.

    An amendment usually names a record of its own volunteer: those volunteers' records are
    looked at first; only if some key is not found there are all record ids read (the ids
    in ``rid_chunks``, by position).
    """
    keys = set(amenders_of)
    found: dict[tuple[str, str], list[int]] = {}
    amenders = {vol_ix[i] for positions in amenders_of.values() for i in positions}
    for i in compress(range(len(vol_ix)), map(amenders.__contains__, vol_ix)):
        key = _KEY(records[i])
        if key in keys:
            found[key] = [i]
    if len(found) < len(keys):
        target_ids = {key[1] for key in keys.difference(found)}
        ids = chain.from_iterable(rid_chunks)
        for i in compress(range(len(vol_ix)), map(target_ids.__contains__, ids)):
            found[_KEY(records[i])] = [i]
    return found


def _low_rated(records: Iterable[ServiceRecord], low: frozenset[str], as_of: _dt.date) -> set[str]:
    """The volunteers of the records evaluated by ``as_of`` with a rating in ``low``."""
    if not low:
        return set()
    return {
        record.volunteer_id
        for record in records
        if (e := record.evaluation) is not None and e.rating in low and e.date <= as_of
    }


def _exclusions(
    positions: list[int],
    records: Sequence[ServiceRecord],
    as_of: _dt.date,
    since: _dt.date | None,
    superseded: set[int],
) -> tuple[tuple[str, str], ...]:
    """``(record_id, reason)`` for records excluded by the per-record rules, recorded order.

    ``superseded`` holds the positions excluded only because a plain amendment supersedes them.
    """
    if len(positions) > 1:
        positions = sorted(positions, key=lambda i: _RECORD_ORDER(records[i]))
    out = []
    for i in positions:
        record = records[i]
        reason = (
            "superseded"
            if i in superseded
            else _record_reason(record, as_of, since) or "below_minimum_rating"
        )
        out.append((record.record_id, reason))
    return tuple(out)


def _amendments_reaching(
    positions: list[int],
    key_at: Callable[[int], tuple[str, str]],
    amenders_of: dict[tuple[str, str], list[int]],
) -> list[int]:
    """Positions of the amendments (of anyone) that reach the given records, chains followed.

    ``key_at(i)`` is the ``(organization_id, record_id)`` of the record at position ``i``.
    """
    seen = set(positions)
    extra: list[int] = []
    stack = list(map(key_at, positions))
    while stack:
        for j in amenders_of.get(stack.pop(), ()):
            if j not in seen:
                seen.add(j)
                extra.append(j)
                stack.append(key_at(j))
    return extra


def _disjoint(starts: list[Any], ends: list[Any]) -> bool:
    """Whether the intervals are pairwise disjoint, so that recorded order cannot matter.

    Half-open intervals are pairwise disjoint exactly when, with starts and ends sorted each on
    its own, every end is at most the next start (at no instant are two intervals open). Any
    odd interval (a start without an end, or an empty one) sends the volunteer to the engine.
    """
    present = list(map(is_not, starts, repeat(None)))
    if present != list(map(is_not, ends, repeat(None))):
        return False
    starts = list(compress(starts, present))
    ends = list(compress(ends, present))
    if not all(map(lt, starts, ends)):
        return False
    if len(starts) < 2:
        return True
    starts.sort()
    ends.sort()
    return all(map(le, ends, islice(starts, 1, None)))
