"""The one pass of the bulk count: the records read once, chunk by chunk, into columns.

Every rule that needs a field of every record takes it here, while a chunk of records is in
the CPU cache; the rest of the bulk pass (:mod:`volunteer_rules.rules._bulk_pass`) works on the
columns and reads a record again only where it needs a closer look.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, compress, islice, repeat
from operator import and_, attrgetter, eq, gt, is_not, lt, ne, not_, or_
from typing import Any, Final, NamedTuple

from volunteer_rules.errors import InvalidTypeError
from volunteer_rules.records.record import Evaluation, ServiceRecord
from volunteer_rules.rules._count import _RATING_RANK

__all__: list[str] = []


_CHUNK: Final = 1024


_DT_DATE: Final = _dt.datetime.date


class _Repeated(Exception):
    """Raised by the bulk pass when a record key is given more than once."""


_ORDINAL: Final = _dt.date.toordinal


_TZINFO: Final = attrgetter("tzinfo")


_DT_TIME: Final = _dt.datetime.time


_VOL: Final = attrgetter("volunteer_id")


_RID: Final = attrgetter("record_id")


_AMENDS: Final = attrgetter("amends")


class _Columns(NamedTuple):
    """What the one pass over the records keeps, by position: ``kept[i]`` is record ``i``.

    One column per field the rules need of every record (its volunteer, its minutes, whether
    a rule that needs no other record excludes it, whether it has a start, its date's ordinal),
    then the positions of the few records that need a closer look. Anything else is read again
    from the record, by position.
    """

    kept: Sequence[ServiceRecord]
    volunteers: list[str]
    minutes: list[int]
    excluded: list[bool]  # by a rule that needs no other record
    has_interval: list[bool]
    ordinals: list[int]
    odd: list[int]  # a start without an end, or an end without a start
    unsure: list[int]  # intervals not within their own date: checked per volunteer
    amendments: list[int]
    rated: list[int]  # records with an evaluation (when low ratings matter)
    offsets: set[Any]  # the intervals' zones
    record_ids: list[tuple[str, ...]]  # the record ids read, chunk by chunk
    unique_ids: bool  # no record id read twice


def _read_columns(
    records: Sequence[ServiceRecord],
    as_of: _dt.date,
    since: _dt.date | None,
    min_rank: int | None,
    wanted: set[str] | None,
    low: frozenset[str],
) -> _Columns:
    """The one pass, chunk by chunk: every record and field is touched while it is in cache.

    ``kept`` is the records read: the input itself, unless ``wanted`` filters it (then every
    amendment is kept too, whoever made it: it may supersede a wanted record).

    Length: one pass over the records on purpose. They are scattered objects, and reading
    their fields is most of the bulk pass's time (docs/benchmarks.md): every rule that needs
    a field of every record takes it here, while the chunk is in the CPU cache.

    Raises:
        _Repeated: a key is given more than once somewhere in the input, whoever holds it.
    """
    hint = len(records) if wanted is None else 0
    kept_list: list[ServiceRecord] = []
    columns = _Columns(
        kept=records if wanted is None else kept_list,
        volunteers=[""] * hint,
        minutes=[0] * hint,
        excluded=[False] * hint,
        has_interval=[False] * hint,
        ordinals=[0] * hint,
        odd=[],
        unsure=[],
        amendments=[],
        rated=[],
        offsets=set(),
        record_ids=[],
        unique_ids=True,
    )
    per_record: tuple[list[Any], ...] = (
        columns.volunteers,
        columns.minutes,
        columns.excluded,
        columns.has_interval,
        columns.ordinals,
    )
    dates = _Dates(as_of, since)
    rid_seen: set[str] = set()
    all_rids: set[str] = set()  # with ``wanted``: the record ids of the whole input
    all_seen = 0
    base = 0
    iterator = iter(records)
    while chunk := list(islice(iterator, _CHUNK)):
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
        out = _excluded_alone(c_at, c_st, c_day, c_ev, dates, min_rank)
        if low and c_ev.count(None) != m:
            columns.rated.extend(compress(span, map(is_not, c_ev, repeat(None))))
        has = list(map(is_not, c_start, repeat(None)))
        for dest, values in zip(
            per_record,
            (c_vol, c_min, out, has, map(dates.ordinal_of.__getitem__, c_day)),
            strict=True,
        ):
            dest[base : base + m] = values
        if has != list(map(is_not, c_end, repeat(None))):
            columns.odd.extend(compress(span, map(ne, has, map(is_not, c_end, repeat(None)))))
            has = list(map(and_, has, map(is_not, c_end, repeat(None))))
        if True in has:
            columns.unsure.extend(
                _unsure_intervals(span, has, c_start, c_end, c_day, columns.offsets)
            )
        if m != c_am.count(None):
            columns.amendments.extend(compress(span, map(is_not, c_am, repeat(None))))
        rid_seen.update(c_rid)
        columns.record_ids.append(c_rid)
        base += m
    if len(all_rids) != all_seen and _key_repeated(records):
        raise _Repeated  # a key given twice somewhere in the input, whoever holds it
    if base != hint:
        for column in per_record:
            del column[base:]
    return columns._replace(unique_ids=len(rid_seen) == base)


class _Dates:
    """The distinct dates read so far: each decided once (dates are shared values, few in all).

    ``ordinal_of`` holds each date's ordinal; ``outside`` the dates after ``as_of`` or before
    ``since``.
    """

    def __init__(self, as_of: _dt.date, since: _dt.date | None) -> None:
        self.as_of = as_of
        self.since = since
        self.ordinal_of: dict[_dt.date, int] = {}
        self.outside: set[_dt.date] = set()

    def outside_any(self, days: Sequence[_dt.date]) -> bool:
        """Decide the new dates among ``days``; whether any of ``days`` is outside."""
        distinct = set(days)
        new_days = distinct.difference(self.ordinal_of)
        if new_days:
            self.ordinal_of.update(zip(new_days, map(_ORDINAL, new_days), strict=True))
            since = self.since
            self.outside.update(
                d for d in new_days if d > self.as_of or (since is not None and d < since)
            )
        return bool(self.outside) and not self.outside.isdisjoint(distinct)


def _excluded_alone(
    c_at: Sequence[_dt.datetime],
    c_st: Sequence[str],
    c_day: Sequence[_dt.date],
    c_ev: Sequence[Evaluation | None],
    dates: _Dates,
    min_rank: int | None,
) -> list[bool]:
    """Whether a rule that needs no other record excludes each record of a chunk.

    ``after_as_of`` (its date, or the local date of ``recorded_at``), ``outside_window``,
    ``not_verified``, ``below_minimum_rating``. The local date of ``recorded_at`` is compared,
    not the date-time with a midnight: two date-times compare fast only when they share one
    ``tzinfo`` object, and each one ``parse_record`` reads has its own.
    """
    m = len(c_st)
    as_of = dates.as_of
    out = list(map(gt, map(_DT_DATE, c_at), repeat(as_of)))
    if c_st.count("verified") != m:
        out = list(map(or_, out, map(ne, c_st, repeat("verified"))))
    if dates.outside_any(c_day):
        out = list(map(or_, out, map(dates.outside.__contains__, c_day)))
    if min_rank is not None:
        if c_ev.count(None) == m:
            return [True] * m  # no evaluation: below any minimum rating
        low = [e is None or _RATING_RANK.get(e.rating, 99) > min_rank for e in c_ev]
        out = list(map(or_, out, low))
    return out


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


def _key_repeated(records: Iterable[ServiceRecord]) -> bool:
    """Whether some key ``(organization_id, record_id)`` is given more than once."""
    seen: set[tuple[str, str]] = set()
    for record in records:
        key = (record.organization_id, record.record_id)
        if key in seen:
            return True
        seen.add(key)
    return False
