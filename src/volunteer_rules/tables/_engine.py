"""The bulk counting engine on polars: most volunteers in column steps, the rest exactly.

The rules are those of :mod:`volunteer_rules.rules.counting`, applied to a *counting frame*
(one row per record, the fields counting needs) in named steps:

1. :func:`_keys`: a key given more than once (an identical repeat, or versions in conflict:
   :mod:`volunteer_rules.rules.versions`, the one rule) leaves the whole count to the rules
   wing's exact :func:`~volunteer_rules.rules.counting.count_many`.
2. :func:`_per_record_reasons`: ``after_as_of``, ``outside_window``, ``not_verified``.
3. :func:`_amendments`: a single amendment of a volunteer's own record, where neither is
   amended by or amends anything else, supersedes it here when it is on record and verified or
   void; the owners of every other amended record go to the exact engine.
4. ``below_minimum_rating`` when the rule set asks for a minimum rating.
5. :func:`_needs_engine`: a volunteer whose counting records overlap (half-open intervals,
   any dates) or exceed the daily cap on some date goes to the exact engine. Records on one
   date that neither overlap nor pass the cap are no reason: with no overlap and no cap to
   apply, recorded order cannot matter and every counting record counts in full.
6. The exact engine (:func:`volunteer_rules.rules.counting.count_records`' own) for the
   volunteers set aside, with the amendments of anyone that reach their records.

Date-times are in the frame as microseconds since the epoch (UTC instants); ``late`` says
whether the local date of ``recorded_at`` (in the offset it was recorded with) is after
``as_of``.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Sequence
from typing import Final, NamedTuple

import polars as pl

from volunteer_rules.rules.counting import (
    _R_ID,
    _R_ORG,
    _RATING_RANK,
    DAILY_CAP_MINUTES,
    Count,
    RecordOutcome,
    _count_rows,
    _Row,
)

__all__ = ["RepeatedKey"]

COUNT_SCHEMA: Final = {
    "volunteer_id": pl.String,
    "organization_id": pl.String,
    "record_id": pl.String,
    "status": pl.String,
    "date": pl.Date,
    "start_us": pl.Int64,
    "end_us": pl.Int64,
    "at_us": pl.Int64,
    "late": pl.Boolean,
    "minutes": pl.Int64,
    "amends": pl.String,
    "rating": pl.String,
    "rated_on": pl.Date,
}
"""The counting frame: what the engine reads of each record (see the module docstring)."""

_FIELDS: Final = tuple(c for c in COUNT_SCHEMA if c not in ("organization_id", "record_id"))
_KEY: Final = ["organization_id", "record_id"]
_VOL: Final = pl.col("volunteer_id")


class Counted(NamedTuple):
    """What the engine found.

    ``outcomes`` has one row per record of the volunteers settled in column steps
    (``volunteer_id, organization_id, record_id, at_us, date, counted, reason``);
    ``engine`` holds the exact engine's :class:`Count` (with outcomes) of every other
    volunteer; ``names`` lists every volunteer counted, in id order.
    """

    names: list[str]
    outcomes: pl.DataFrame
    engine: dict[str, Count]


def count_frame(
    frame: pl.DataFrame,
    *,
    as_of: _dt.date,
    since: _dt.date | None,
    min_rank: int | None,
    wanted: Sequence[str] | None,
    since_for: dict[str, _dt.date],
    rows_at: Callable[[list[int]], list[_Row]],
) -> Counted:
    """Count every volunteer of a counting frame (arguments already checked).

    ``rows_at(positions)`` gives the rows (as the exact engine reads them) of the records at
    those positions of ``frame``.
    """
    frame = frame.with_row_index("_row")
    if wanted is not None:
        # Others' records are kept only when they amend something: they may supersede.
        frame = frame.filter(_VOL.is_in(list(wanted)) | pl.col("amends").is_not_null())
        names = sorted(set(wanted))
    else:
        names = frame.get_column("volunteer_id").unique().sort().to_list()
    own = set(names)
    slow: set[str] = {v for v in since_for if v in own}
    slow |= _keys(frame)
    frame = _per_record_reasons(frame, as_of, since)
    superseded, amended_slow, amenders_of, amendment_keys = _amendments(frame)
    slow |= amended_slow
    reason = pl.col("reason")
    frame = frame.with_columns(
        reason=pl.when(reason.is_null() & pl.col("_row").is_in(superseded))
        .then(pl.lit("superseded"))
        .otherwise(reason)
    )
    if min_rank is not None:
        good = [r for r, rank in _RATING_RANK.items() if rank <= min_rank]
        frame = frame.with_columns(
            reason=pl.when(reason.is_null() & ~pl.col("rating").is_in(good).fill_null(False))
            .then(pl.lit("below_minimum_rating"))
            .otherwise(reason)
        )
    slow |= _needs_engine(frame)
    slow &= own
    settled = frame.filter(_VOL.is_in(list(own - slow)) if slow else _VOL.is_in(names))
    outcomes = settled.select(
        "_row",
        "volunteer_id",
        "organization_id",
        "record_id",
        "at_us",
        "date",
        counted=pl.when(reason.is_null()).then(pl.col("minutes")).otherwise(0),
        reason=reason,
    )
    engine: dict[str, Count] = {}
    if slow:
        positions_of: dict[str, list[int]] = dict(
            frame.filter(_VOL.is_in(list(slow)))
            .group_by("volunteer_id")
            .agg(pl.col("_row"))
            .iter_rows()
        )
        # Every row needed, fetched at once: the volunteers' own, then the amendments that
        # reach them (amendments' keys are known; the others' are read from their rows).
        given = sorted({i for positions in positions_of.values() for i in positions})
        row_of: dict[int, _Row] = dict(zip(given, rows_at(given), strict=True))

        def key(i: int) -> tuple[str, str]:
            found = amendment_keys.get(i)
            return found if found is not None else (row_of[i][_R_ORG], row_of[i][_R_ID])

        extra_of = {
            name: _amendments_reaching(list(positions_of.get(name, [])), key, amenders_of)
            for name in slow
        }
        more = sorted({i for extra in extra_of.values() for i in extra}.difference(row_of))
        row_of.update(zip(more, rows_at(more), strict=True))
        for name in sorted(slow):
            positions = [*positions_of.get(name, []), *extra_of[name]]
            engine[name] = _count_rows(
                [row_of[i] for i in positions],
                name,
                as_of,
                since_for.get(name, since),
                min_rank,
                True,
                others=False,
            )
    return Counted(names, outcomes, engine)


class RepeatedKey(Exception):
    """A record key is given more than once: the rules wing's exact count decides."""


def _keys(frame: pl.DataFrame) -> set[str]:
    """Step 1: a key given more than once stops the column steps (see :class:`RepeatedKey`)."""
    if frame.select(pl.struct(_KEY).is_duplicated().any()).item():
        raise RepeatedKey
    return set()


def _per_record_reasons(
    frame: pl.DataFrame, as_of: _dt.date, since: _dt.date | None
) -> pl.DataFrame:
    """Step 2: the reasons that need no other record; ``on_record`` for amendments."""
    day = pl.col("date")
    on_record = (day <= as_of) & ~pl.col("late")
    outside = day < since if since is not None else pl.lit(False)
    return frame.with_columns(
        on_record=on_record,
        reason=pl.when(~on_record)
        .then(pl.lit("after_as_of"))
        .when(outside)
        .then(pl.lit("outside_window"))
        .when(pl.col("status") != "verified")
        .then(pl.lit("not_verified"))
        .otherwise(pl.lit(None, pl.String)),
    )


def _amendments(
    frame: pl.DataFrame,
) -> tuple[list[int], set[str], dict[tuple[str, str], list[int]], dict[int, tuple[str, str]]]:
    """Step 3: rows superseded here, owners for the exact engine, and every amendment.

    Returns ``(superseded rows, volunteers for the engine, {(org, target id): [rows]},
    {row: (org, record id)} of the amendments)``.
    """
    amendments = frame.filter(pl.col("amends").is_not_null()).select(
        "_row",
        "volunteer_id",
        "organization_id",
        "record_id",
        target="amends",
        effective=pl.col("on_record") & pl.col("status").is_in(["verified", "void"]),
    )
    if amendments.is_empty():
        return [], set(), {}, {}
    amenders_of: dict[tuple[str, str], list[int]] = {}
    keys: dict[int, tuple[str, str]] = {}
    for org, target, row, rid in amendments.select(
        "organization_id", "target", "_row", "record_id"
    ).iter_rows():
        amenders_of.setdefault((org, target), []).append(row)
        keys[row] = (org, rid)
    targets = (
        amendments.group_by("organization_id", "target")
        .agg(
            amenders=pl.len(),
            amender_volunteer=pl.col("volunteer_id").first(),
            amender_id=pl.col("record_id").first(),
            effective=pl.col("effective").first(),
        )
        .rename({"target": "record_id"})
    )
    owners = frame.select(
        "_row", "volunteer_id", "organization_id", "record_id", owner_amends="amends"
    ).join(targets, on=_KEY, how="inner")
    if owners.is_empty():
        return [], set(), amenders_of, keys
    amended = targets.select("organization_id", amender_id="record_id", amender_amended=True)
    owners = owners.join(amended, on=["organization_id", "amender_id"], how="left").with_columns(
        owner_count=pl.len().over(_KEY), amender_amended=pl.col("amender_amended").fill_null(False)
    )
    plain = (
        (pl.col("owner_count") == 1)
        & (pl.col("amenders") == 1)
        & (pl.col("amender_volunteer") == _VOL)
        & pl.col("owner_amends").is_null()
        & ~pl.col("amender_amended")
    )
    settled = owners.filter(plain)
    superseded = settled.filter(pl.col("effective")).get_column("_row").to_list()
    slow = set(owners.filter(~plain).get_column("volunteer_id").to_list())
    return superseded, slow, amenders_of, keys


def _needs_engine(frame: pl.DataFrame) -> set[str]:
    """Step 5: volunteers whose counting records overlap or pass the daily cap on a date."""
    counting = frame.filter(pl.col("reason").is_null())
    over_cap = (
        counting.group_by("volunteer_id", "date")
        .agg(pl.col("minutes").sum())
        .filter(pl.col("minutes") > DAILY_CAP_MINUTES)
        .get_column("volunteer_id")
    )
    start, end = pl.col("start_us"), pl.col("end_us")
    overlapping = (
        counting.filter(start.is_not_null() & end.is_not_null() & (start < end))
        .select("volunteer_id", "start_us", "end_us")
        .sort("volunteer_id", "start_us")
        .filter(
            (_VOL.shift(1) == _VOL) & (start < end.shift(1)),
        )
        .get_column("volunteer_id")
    )
    return set(over_cap.to_list()) | set(overlapping.to_list())


def _amendments_reaching(
    positions: list[int],
    key: Callable[[int], tuple[str, str]],
    amenders_of: dict[tuple[str, str], list[int]],
) -> list[int]:
    """Positions of the amendments (of anyone) that reach the given records, chains followed."""
    seen = set(positions)
    extra: list[int] = []
    stack = [key(i) for i in positions]
    while stack:
        for j in amenders_of.get(stack.pop(), ()):
            if j not in seen:
                seen.add(j)
                extra.append(j)
                stack.append(key(j))
    return extra


def counts_of(
    counted: Counted, as_of: _dt.date, since: _dt.date | None, detail: bool
) -> dict[str, Count]:
    """``{volunteer_id: Count}`` in id order, as :func:`~volunteer_rules.rules.counting.count_many`."""
    outcomes = counted.outcomes.sort("volunteer_id", "at_us", "record_id", "organization_id")
    sums = outcomes.group_by("volunteer_id").agg(
        minutes=pl.col("counted").sum(),
        first=pl.col("date").filter(pl.col("reason").is_null()).min(),
    )
    totals = {v: (m, f) for v, m, f in sums.iter_rows()}
    excluded: dict[str, list[tuple[str, str]]] = {}
    for v, rid, reason in (
        outcomes.filter(pl.col("reason").is_not_null())
        .select("volunteer_id", "record_id", "reason")
        .iter_rows()
    ):
        excluded.setdefault(v, []).append((rid, reason))
    details: dict[str, list[RecordOutcome]] = {}
    if detail:
        for v, org, rid, minutes, reason in outcomes.select(
            "volunteer_id", "organization_id", "record_id", "counted", "reason"
        ).iter_rows():
            details.setdefault(v, []).append(
                RecordOutcome(organization_id=org, record_id=rid, minutes=minutes, reason=reason)
            )
    out: dict[str, Count] = {}
    engine = counted.engine
    for name in counted.names:
        count = engine.get(name)
        if count is None:
            minutes, first = totals.get(name, (0, None))
            count = Count(
                volunteer_id=name,
                as_of=as_of,
                since=since,
                minutes=int(minutes),
                first_counted=first,
                excluded=tuple(excluded.get(name, ())),
                outcomes=tuple(details.get(name, ())) if detail else None,
            )
        elif not detail:
            count = Count(
                volunteer_id=count.volunteer_id,
                as_of=count.as_of,
                since=count.since,
                minutes=count.minutes,
                first_counted=count.first_counted,
                excluded=count.excluded,
                outcomes=None,
            )
        out[name] = count
    return out
