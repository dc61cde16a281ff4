"""A count, and the reference engine that makes one: a volunteer's records, one by one.

The rules, their order and their sources are in :mod:`volunteer_rules.rules.counting`, which
re-exports the public names here. :func:`_count_rows` applies them in recorded order, record by
record; every other path (the bulk pass, the table engine) must give its answer, and sends it
the volunteers it cannot settle itself.
"""

from __future__ import annotations

import datetime as _dt
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import (
    attrgetter,
    itemgetter,
)
from typing import Any, Final

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import require_date
from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.hours import Hours
from volunteer_rules.records.record import RATINGS, ServiceRecord
from volunteer_rules.rules.versions import CONFLICT_REASON, RecordVersions, resolve_versions

__all__: list[str] = []

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
        >>> from volunteer_rules.rules.counting import RecordOutcome
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
            >>> from volunteer_rules.rules.counting import RecordOutcome
            >>> RecordOutcome(organization_id="G-x", record_id="r", minutes=0,
            ...               reason="overlap").key
            ('G-x', 'r')
        """
        return (self.organization_id, self.record_id)

    @property
    def counted(self) -> Hours:
        """The counted minutes as :class:`~volunteer_rules.Hours`.

        Example:
            >>> from volunteer_rules.rules.counting import RecordOutcome
            >>> RecordOutcome(organization_id="G-x", record_id="r", minutes=90,
            ...               reason=None).counted.hours
            Decimal('1.5')
        """
        return Hours.from_minutes(self.minutes)

    @property
    def counts(self) -> bool:
        """Whether any of the record's minutes count.

        Example:
            >>> from volunteer_rules.rules.counting import RecordOutcome
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
        >>> from volunteer_rules.rules.counting import Count
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
            >>> from volunteer_rules.rules.counting import Count
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
            >>> from volunteer_rules.rules.counting import count_records
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
    day = require_date(as_of, "as_of")
    if since is not None and require_date(since, "since") > day:
        raise InvalidValueError("since", "the window cannot start after as_of")


def _check_rating(min_rating: object) -> int | None:
    if min_rating is None:
        return None
    if not isinstance(min_rating, str) or min_rating not in _RATING_RANK:
        raise InvalidValueError("min_rating", f"must be one of {', '.join(RATINGS)} or None")
    return _RATING_RANK[min_rating]


def _check_volunteers(volunteers: object) -> list[str] | None:
    """The volunteer ids of a ``volunteers`` argument, in order (``None`` for all)."""
    if volunteers is None:
        return None
    if isinstance(volunteers, (str, bytes)) or not isinstance(volunteers, Iterable):
        raise InvalidTypeError("volunteers", "must be an iterable of volunteer ids")
    wanted = []
    for volunteer in volunteers:
        if not isinstance(volunteer, str):
            raise InvalidTypeError("volunteers", "must contain str volunteer ids")
        wanted.append(volunteer)
    return wanted


def _check_since_for(since_for: object, as_of: _dt.date) -> dict[str, _dt.date]:
    """The first counted date of each volunteer in a ``since_for`` argument (``{}`` for none)."""
    if since_for is None:
        return {}
    if not isinstance(since_for, Mapping):
        raise InvalidTypeError("since_for", "must be a mapping of volunteer id to date")
    starts: dict[str, _dt.date] = {}
    for volunteer, first in since_for.items():
        if not isinstance(volunteer, str):
            raise InvalidTypeError("since_for", "keys must be volunteer ids")
        _check_as_of(as_of, first)
        starts[volunteer] = first
    return starts


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
