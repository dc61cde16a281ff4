"""The bulk pass of :func:`volunteer_rules.rules.counting.count_many`: many volunteers at once.

The records are read once, in chunks, into columns; most volunteers are settled from per-volunteer
sums, and the others (amendment chains, overlaps, days over the cap) go through the reference
engine (:func:`volunteer_rules.rules._count._count_rows`), so that the answer is always the
engine's. How and why it is fast: :func:`volunteer_rules.rules.counting.count_many`.
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import chain, compress, islice, repeat
from operator import (
    add,
    and_,
    attrgetter,
    gt,
    is_not,
    le,
    lt,
    mul,
    ne,
    not_,
)
from typing import Any, Final, NamedTuple

from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.rules._columns import _DT_TIME, _Columns, _read_columns, _Repeated
from volunteer_rules.rules._count import (
    _ROW,
    DAILY_CAP_MINUTES,
    Count,
    _amendments_reaching,
    _count_rows,
    _record_reason,
    _supersedes,
)

__all__: list[str] = []


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
    """The bulk pass: most volunteers settled from columns, the others by the engine.

    Raises:
        _Repeated: a key is given more than once somewhere in the input.
    """
    columns = _read_columns(records, as_of, since, min_rank, wanted, low)
    kept, excl = columns.kept, columns.excluded
    names, index, vol_ix = _volunteers(columns.volunteers, wanted)
    count_v = len(names)
    slow = set(range(count_v)) if detail else {index[v] for v in since_for if v in index}
    key_pos = None if columns.unique_ids else _key_positions(kept)
    amenders_of: dict[tuple[str, str], list[int]] = {}
    for i in columns.amendments:
        record = kept[i]
        amenders_of.setdefault((record.organization_id, record.amends), []).append(i)  # type: ignore[arg-type]
    superseded: set[int] = set()
    if amenders_of:
        if key_pos is None:  # record ids are unique: each target is at one position, if any
            key_pos = _targets(amenders_of, vol_ix, kept, columns.record_ids)
        superseded, amended = _amendments(amenders_of, key_pos, vol_ix, kept, excl, as_of, min_rank)
        slow |= amended
    slow.update(_odd_volunteers(columns, vol_ix))
    cand = list(map(not_, excl))  # counting unless another record of theirs says otherwise
    c_ix = list(compress(vol_ix, cand))
    c_ord = list(compress(columns.ordinals, cand))
    totals, first = _sums(c_ix, c_ord, compress(columns.minutes, cand), count_v, need_first)
    several = len(columns.offsets) > 1 or any(
        type(tz) is not _dt.timezone for tz in columns.offsets
    )
    slow.update(
        _crowded_volunteers(c_ix, c_ord, cand, columns, None if several else columns.unsure)
    )
    del c_ix, c_ord
    slow.update(_overlapping_volunteers(columns, vol_ix, cand, slow, several))
    slow.discard(count_v)  # others' amendments are not counted for themselves
    excluded = _settled_exclusions(names, vol_ix, excl, slow, kept, as_of, since, superseded)
    engine = _through_the_engine(
        names, vol_ix, slow, kept, amenders_of, as_of, since, since_for, min_rank, detail
    )
    low_rated = _low_rated(map(kept.__getitem__, columns.rated), low, as_of)
    return _Bulk(names, totals, first, excluded, engine, low_rated)


def _volunteers(
    volunteers: list[str], wanted: set[str] | None
) -> tuple[list[str], dict[str, int], list[int]]:
    """The volunteers in id order (the order of the results), their numbers, each record's.

    Numbered after the pass: two look-ups per record in all, fewer than numbering them chunk
    by chunk (measured). Records kept only as amendments of someone else (with ``wanted``) get
    the number ``len(names)``.
    """
    names = sorted(set(volunteers)) if wanted is None else sorted(wanted)
    index = {name: i for i, name in enumerate(names)}
    if wanted is None:
        return names, index, list(map(index.__getitem__, volunteers))
    return names, index, list(map(index.get, volunteers, repeat(len(names))))


def _key_positions(records: Sequence[ServiceRecord]) -> dict[tuple[str, str], list[int]]:
    """Each key's position, when some record id is read twice (the keys may still differ).

    Raises:
        _Repeated: a key is given twice: the caller goes back to ``resolve_versions`` (the one
            rule for repeated keys), which needs the whole records.
    """
    key_pos: dict[tuple[str, str], list[int]] = {}
    for i, key in enumerate(map(_KEY, records)):
        if key in key_pos:
            raise _Repeated
        key_pos[key] = [i]
    return key_pos


def _amendments(
    amenders_of: dict[tuple[str, str], list[int]],
    key_pos: dict[tuple[str, str], list[int]],
    vol_ix: list[int],
    records: Sequence[ServiceRecord],
    excluded: list[bool],
    as_of: _dt.date,
    min_rank: int | None,
) -> tuple[set[int], set[int]]:
    """The plain amendments settled: the positions they supersede, and who needs the engine.

    Plain: one amendment of a record of the same volunteer, where neither record is amended by
    or amends anything else. When the amendment is on record by ``as_of`` and verified or
    void, it supersedes the record (unless a rule that comes first already excludes it: then
    ``excluded`` is set for it). The owners of every other amended record go to the engine,
    with the amendments that reach their records (chains followed), whoever made them.
    """
    superseded: set[int] = set()
    slow: set[int] = set()
    for target, amenders in amenders_of.items():
        owners = key_pos.get(target, ())
        if (
            min_rank is None  # below_minimum_rating comes after superseded
            and len(owners) == 1
            and len(amenders) == 1
            and vol_ix[owners[0]] == vol_ix[j := amenders[0]]
            and records[owners[0]].amends is None
            and _KEY(records[j]) not in amenders_of
        ):
            i = owners[0]
            amendment = records[j]
            if not excluded[i] and _supersedes(
                amendment.status, amendment.date, amendment.recorded_at, as_of
            ):
                excluded[i] = True
                superseded.add(i)
        else:
            slow.update(vol_ix[k] for k in owners)
    return superseded, slow


def _odd_volunteers(columns: _Columns, vol_ix: list[int]) -> set[int]:
    """Volunteers with a record the bulk pass does not read: odd or too long.

    Odd: a start without an end, or an end without a start. Too long: more minutes than the
    daily cap on its own (the constructor allows one).
    """
    odd = {vol_ix[i] for i in columns.odd}
    minutes = columns.minutes
    if minutes and max(minutes) > DAILY_CAP_MINUTES:
        odd.update(compress(vol_ix, map(gt, minutes, repeat(DAILY_CAP_MINUTES))))
    return odd


def _sums(
    c_ix: list[int], c_ord: list[int], c_min: Iterable[int], count_v: int, need_first: bool
) -> tuple[list[int], list[int] | None]:
    """Minutes per volunteer number (and first dates when asked for) of the counting records.

    One more slot than volunteers: the number of records kept only as others' amendments.
    """
    totals = [0] * (count_v + 1)
    for k, value in zip(c_ix, c_min, strict=True):
        totals[k] += value
    if not need_first:
        return totals, None
    first = [_NEVER] * (count_v + 1)
    for k, day in zip(c_ix, c_ord, strict=True):
        if day < first[k]:
            first[k] = day
    return totals, first


def _crowded_volunteers(
    c_ix: list[int],
    c_ord: list[int],
    cand: list[bool],
    columns: _Columns,
    unsure: list[int] | None,
) -> set[int]:
    """Volunteers with two counting records on one date that overlap or pass the cap together.

    One integer key per (volunteer, date). Records on one date that neither overlap nor pass
    the cap count in full whatever their order, so they are no reason for the engine (a
    morning and an afternoon are common).
    """
    if not c_ord:
        return set()
    origin, width = min(c_ord), max(c_ord) - min(c_ord) + 1  # small keys are cheaper
    day_keys = list(map(add, map(mul, c_ix, repeat(width)), c_ord))
    positions = list(compress(range(len(cand)), cand))
    crowded = _crowded_dates(day_keys, positions, columns.minutes, columns.kept, unsure)
    return {(key - origin) // width for key in crowded}


def _overlapping_volunteers(
    columns: _Columns, vol_ix: list[int], cand: list[bool], slow: set[int], several: bool
) -> set[int]:
    """Volunteers not yet sent to the engine whose counting intervals may overlap.

    Intervals within their own date, in one fixed UTC offset, on distinct dates cannot
    overlap. With several offsets (or a zone whose offset may change), every volunteer's are
    checked; otherwise those with an interval not vouched for (past midnight, say). Checked
    per volunteer: sorted starts against sorted ends, so that recorded order cannot matter.
    """
    if several:
        to_check = set(compress(vol_ix, map(and_, cand, columns.has_interval)))
    else:
        to_check = {vol_ix[i] for i in columns.unsure}
    to_check -= slow
    if not to_check:
        return set()
    check: dict[int, list[int]] = {}
    for i in compress(range(len(vol_ix)), map(and_, cand, columns.has_interval)):
        if vol_ix[i] in to_check:
            check.setdefault(vol_ix[i], []).append(i)
    kept = columns.kept
    return {
        k
        for k, positions in check.items()
        if not _disjoint([kept[i].start for i in positions], [kept[i].end for i in positions])
    }


def _settled_exclusions(
    names: list[str],
    vol_ix: list[int],
    excluded: list[bool],
    slow: set[int],
    records: Sequence[ServiceRecord],
    as_of: _dt.date,
    since: _dt.date | None,
    superseded: set[int],
) -> dict[str, tuple[tuple[str, str], ...]]:
    """``excluded`` of each volunteer settled without the engine, in recorded order."""
    excluded_of: dict[int, list[int]] = {}
    for i in compress(range(len(vol_ix)), excluded):
        excluded_of.setdefault(vol_ix[i], []).append(i)
    return {
        names[k]: _exclusions(positions, records, as_of, since, superseded)
        for k, positions in excluded_of.items()
        if k < len(names) and k not in slow
    }


def _through_the_engine(
    names: list[str],
    vol_ix: list[int],
    slow: set[int],
    records: Sequence[ServiceRecord],
    amenders_of: dict[tuple[str, str], list[int]],
    as_of: _dt.date,
    since: _dt.date | None,
    since_for: dict[str, _dt.date],
    min_rank: int | None,
    detail: bool,
) -> dict[str, Count]:
    """The reference engine's count of each volunteer in ``slow``.

    With each volunteer's records go the amendments (of anyone) that reach them.
    """
    if not slow:
        return {}
    positions_of: dict[int, list[int]] = {}
    for i in compress(range(len(vol_ix)), map(slow.__contains__, vol_ix)):
        positions_of.setdefault(vol_ix[i], []).append(i)
    engine: dict[str, Count] = {}
    for k in sorted(slow):
        name = names[k]
        positions = positions_of.get(k, [])
        positions += _amendments_reaching(positions, lambda i: _KEY(records[i]), amenders_of)
        engine[name] = _count_rows(
            [_ROW(records[i]) for i in positions],
            name,
            as_of,
            since_for.get(name, since),
            min_rank,
            detail,
            others=False,
        )
    return engine


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
