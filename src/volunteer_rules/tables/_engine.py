"""The bulk counting engine on polars: most volunteers in column steps, the rest exactly.

The rules are those of :mod:`volunteer_rules.rules.counting`, applied to a *counting frame*
(one row per record, the fields counting needs) in named steps:

1. :func:`_keys`: a key given more than once is settled by the one rule
   (:mod:`volunteer_rules.rules.versions`): an identical repeat is one record; the versions of
   a key in conflict are dropped and the volunteers they name go to the exact engine, which
   lists the key. Keys are compared by a hash first, then exactly among the rows it flags.
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

from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.rules._count import (
    _R_ID,
    _R_ORG,
    _RATING_RANK,
    DAILY_CAP_MINUTES,
    Count,
    RecordOutcome,
    _amendments_reaching,
    _count_rows,
    _Row,
)
from volunteer_rules.rules.versions import CONFLICT_REASON, RecordVersions, resolve_versions

__all__: list[str] = []

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
_VH: Final = pl.col("_vh")
_SEED: Final = 0x5EED
_FORMAT: Final = "%Y-%m-%dT%H:%M:%S%.f%:z"


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
    records_at: Callable[[list[int]], list[ServiceRecord]] | None = None,
    repeated: tuple[RecordVersions | None, set[str]] | None = None,
    detail: bool = True,
) -> Counted:
    """Count every volunteer of a counting frame (arguments already checked).

    ``rows_at(positions)`` gives the rows (as the exact engine reads them) of the records at
    those positions of ``frame``; ``records_at(positions)`` the records themselves, for the
    keys given more than once (needed unless ``repeated`` is given). A frame
    with a ``_row`` column gives the positions itself; with ``repeated`` (``(versions,
    volunteers named by a key in conflict)``, from :func:`repeated_keys`), its repeated keys
    are already settled (the rows dropped). Without ``detail`` the exact engine's counts
    have no outcomes (minutes and exclusions only).

    Length: the steps of the module docstring, in order, each a call or a few lines.
    """
    if "_row" not in frame.columns:
        frame = frame.with_row_index("_row")
    if repeated is None:
        if records_at is None:
            raise TypeError("count_frame needs records_at, or repeated keys already settled")
        frame, versions, named = _keys(frame, records_at)
    else:
        versions, named = repeated
    if wanted is not None:
        # Others' records are kept only when they amend something: they may supersede.
        frame = frame.filter(_VOL.is_in(list(wanted)) | pl.col("amends").is_not_null())
    present = frame.get_column("volunteer_id").unique().sort()
    if wanted is not None:
        names = sorted(set(wanted))
    elif named:
        names = sorted(named.union(present.to_list()))
    else:
        names = present.to_list()
    # Volunteers are told apart by a hash of their id in the column steps below, once no two
    # ids of the frame share one (else by the ids themselves).
    hashed = _hashes_differ(present)
    frame = frame.with_columns(
        _vh=_VOL.hash(_SEED) if hashed else _VOL.rank("dense").cast(pl.UInt64)
    )
    own = set(names)
    slow: set[str] = {v for v in since_for if v in own} | named
    frame = _per_record_reasons(frame, as_of, since)
    superseded, amended_slow, amenders_of, amendment_keys = _amendments(frame)
    slow |= amended_slow
    reason = pl.col("reason")
    steps = frame.lazy()
    if superseded:
        steps = steps.with_columns(
            reason=pl.when(reason.is_null() & pl.col("_row").is_in(superseded))
            .then(pl.lit("superseded"))
            .otherwise(reason)
        )
    if min_rank is not None:
        good = [r for r, rank in _RATING_RANK.items() if rank <= min_rank]
        steps = steps.with_columns(
            reason=pl.when(reason.is_null() & ~pl.col("rating").is_in(good).fill_null(False))
            .then(pl.lit("below_minimum_rating"))
            .otherwise(reason)
        )
    frame = steps.collect()
    slow |= _needs_engine(frame)
    slow &= own
    outcomes = frame.select(
        "_row",
        "_vh",
        "volunteer_id",
        "organization_id",
        "record_id",
        "at_us",
        "date",
        counted=pl.when(reason.is_null()).then(pl.col("minutes")).otherwise(0),
        reason=reason,
    )
    hashes = pl.Series(dtype=pl.UInt64)  # of the volunteers in the frame that the engine counts
    if slow:
        if hashed:
            ids = pl.Series(sorted(slow), dtype=pl.String)
            hashes = ids.filter(ids.is_in(present.implode())).hash(_SEED)
        else:
            hashes = frame.filter(_VOL.is_in(list(slow))).get_column("_vh").unique()
        outcomes = outcomes.filter(~_VH.is_in(hashes.implode()))
    if wanted is not None:
        outcomes = outcomes.filter(_VOL.is_in(names))
    engine = _exact(
        frame,
        slow,
        hashes,
        amendment_keys,
        amenders_of,
        rows_at,
        versions,
        as_of,
        since,
        min_rank,
        since_for,
        wanted is None,
        detail,
    )
    return Counted(names, outcomes, engine)


def _hashes_differ(ids: pl.Series) -> bool:
    """Whether no two of these distinct volunteer ids share a hash (``_vh``)."""
    return bool(ids.hash(_SEED).n_unique() == ids.len())


def counted_minutes(counted: Counted) -> pl.DataFrame:
    """``volunteer_id, counted_minutes`` of every volunteer counted, in id order."""
    minutes = (
        counted.outcomes.group_by("_vh")
        .agg(volunteer_id=_VOL.first(), counted_minutes=pl.col("counted").sum().cast(pl.Int64))
        .drop("_vh")
    )
    if counted.engine:
        minutes = pl.concat(
            [
                minutes,
                pl.DataFrame(
                    {
                        "volunteer_id": list(counted.engine),
                        "counted_minutes": [c.minutes for c in counted.engine.values()],
                    },
                    schema=minutes.schema,
                ),
            ]
        )
    return minutes.sort("volunteer_id")


def _exact(
    frame: pl.DataFrame,
    slow: set[str],
    hashes: pl.Series,
    amendment_keys: dict[int, tuple[str, str]],
    amenders_of: dict[tuple[str, str], list[int]],
    rows_at: Callable[[list[int]], list[_Row]],
    versions: RecordVersions | None,
    as_of: _dt.date,
    since: _dt.date | None,
    min_rank: int | None,
    since_for: dict[str, _dt.date],
    bare: bool,
    detail: bool,
) -> dict[str, Count]:
    """Step 6: the exact engine's count (with outcomes) of each volunteer set aside.

    ``hashes`` holds their ``_vh`` (an integer test on every row is cheaper than a text one).
    """
    engine: dict[str, Count] = {}
    if not slow:
        return engine
    # Each volunteer's rows in recorded order where the frame tells it (the engine sorts
    # them again, but sorting sorted rows compares each date-time once).
    at = pl.col("at_us")
    if "_recorded_at" in frame.columns:
        at = at.fill_null(instant("_recorded_at"))
    positions_of: dict[str, list[int]] = dict(
        frame.filter(_VH.is_in(hashes.implode()) & _VOL.is_in(list(slow)))
        .sort(at, "record_id", "organization_id")
        .group_by("volunteer_id", maintain_order=True)
        .agg(pl.col("_row"))
        .iter_rows()
    )
    # The volunteers' own rows, then the amendments that reach them (amendments' keys are
    # known; the others' are read from their rows).
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
        if not positions and versions is not None and bare:
            # Only keys in conflict, not named in ``wanted``: as the rules' count_many does.
            keys = versions.conflicts_of(name)
            engine[name] = Count(
                volunteer_id=name,
                as_of=as_of,
                since=since_for.get(name, since),
                minutes=0,
                first_counted=None,
                excluded=tuple((key[1], CONFLICT_REASON) for key in keys),
                outcomes=tuple(
                    RecordOutcome(
                        organization_id=k[0], record_id=k[1], minutes=0, reason=CONFLICT_REASON
                    )
                    for k in keys
                )
                if detail
                else None,
            )
            continue
        engine[name] = _count_rows(
            [row_of[i] for i in positions],
            name,
            as_of,
            since_for.get(name, since),
            min_rank,
            detail,
            others=False,
            versions=versions,
        )
    return engine


def instant(name: str) -> pl.Expr:
    """A date-time text column as microseconds since the epoch (UTC); null if unread."""
    return (
        pl.col(name)
        .str.to_datetime(_FORMAT, time_zone="UTC", time_unit="us", strict=False)
        .dt.epoch("us")
    )


def key_hash() -> pl.Expr:
    """A hash of the record key (``organization_id``, ``record_id``): equal keys, equal hashes."""
    return pl.col("organization_id").hash(11) ^ pl.col("record_id").hash(13)


def given_twice(values: pl.Series) -> pl.Series:
    """A mask of the values of ``values`` that occur more than once.

    By a sort and a look at neighbours: on a million integer keys, about a third of the time
    of polars' hash-based ``is_duplicated``.
    """
    ordered = values.sort()
    twice = ordered.filter(ordered == ordered.shift(1))
    return values.is_in(twice.implode())


def repeated_keys(
    lazy: pl.LazyFrame,
    take: Callable[[list[int]], pl.DataFrame],
    records_at: Callable[[list[int]], list[ServiceRecord]],
) -> tuple[list[int], RecordVersions | None, set[str]]:
    """Step 1 on its own, for a table counted in parts: ``(rows to drop, versions, named)``.

    ``lazy`` is the record table; ``take(positions)`` gives the keys of the rows at those
    positions (``organization_id``, ``record_id``).
    """
    hashes = lazy.select(key_hash()).collect(engine="streaming").to_series()
    flagged = given_twice(hashes).arg_true().to_list()
    del hashes
    if not flagged:
        return [], None, set()
    keys = take(flagged).with_columns(_row=pl.Series(flagged, dtype=pl.UInt32))
    return settle_repeats(keys, records_at)


def _keys(
    frame: pl.DataFrame,
    records_at: Callable[[list[int]], list[ServiceRecord]],
) -> tuple[pl.DataFrame, RecordVersions | None, set[str]]:
    """Step 1: a key given more than once, decided by the one rule for repeated keys.

    An identical repeat is one record (its first row is kept); the versions of a key in
    conflict are all dropped, and every volunteer they name goes to the exact engine, which
    lists the key (rule 0). Returns ``(frame, versions, volunteers for the engine)``.
    """
    # A hash of the key first (cheap), then the keys themselves among the few it flags.
    flagged = frame.filter(given_twice(frame.select(key_hash()).to_series()))
    if flagged.is_empty():
        return frame, None, set()
    drop, versions, named = settle_repeats(flagged.select("_row", *_KEY), records_at)
    return frame.filter(~pl.col("_row").is_in(drop)), versions, named


def settle_repeats(
    flagged: pl.DataFrame, records_at: Callable[[list[int]], list[ServiceRecord]]
) -> tuple[list[int], RecordVersions | None, set[str]]:
    """Rows to drop, versions and volunteers named by conflicts, among rows a hash flagged.

    ``flagged`` holds ``_row``, ``organization_id`` and ``record_id`` of (at least) every row
    whose key is given more than once.
    """
    repeated = flagged.filter(pl.struct(_KEY).is_duplicated())
    if repeated.is_empty():
        return [], None, set()
    positions = repeated.get_column("_row").to_list()
    versions = resolve_versions(records_at(positions))
    conflicts = versions.conflicts
    keep: list[int] = []
    seen: set[tuple[str, str]] = set()
    for row, org, rid in repeated.select("_row", *_KEY).sort("_row").iter_rows():
        if (org, rid) not in conflicts and (org, rid) not in seen:
            seen.add((org, rid))
            keep.append(row)
    drop = sorted(set(positions).difference(keep))
    named = {v.volunteer_id for group in conflicts.values() for v in group}
    return drop, versions, named


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
    owners = (
        frame.lazy()
        .filter(pl.col("record_id").is_in(targets.get_column("record_id").implode()))
        .select("_row", "volunteer_id", "organization_id", "record_id", owner_amends="amends")
        .join(targets.lazy(), on=_KEY, how="inner")
        .collect()
    )
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
    """Step 5: volunteers whose counting records overlap or pass the daily cap on a date.

    On integer keys (``_vh``, one per volunteer; a hash of it and the date; the instants):
    sorted by the volunteer-and-date hash, a running sum per run of equal keys finds a day
    over the cap (two days that share a hash only add up: a volunteer too many for the exact
    engine, never one too few); sorted by volunteer and start, an interval that starts before
    the previous one ends finds an overlap (if any two intervals of a volunteer overlap, two
    neighbours in start order do).
    """
    counting = frame.lazy().filter(pl.col("reason").is_null())
    minutes = pl.col("minutes")
    day = pl.col("day")
    first = (day != day.shift(1)).fill_null(True)
    running = minutes.cum_sum()
    over_cap = (
        counting.select("_vh", "minutes", day=_VH ^ pl.col("date").hash(_SEED))
        .sort("day")
        .filter(running - pl.when(first).then(running - minutes).forward_fill() > DAILY_CAP_MINUTES)
        .select("_vh")
    )
    start, end = pl.col("start_us"), pl.col("end_us")
    overlapping = (
        counting.filter(start.is_not_null() & end.is_not_null() & (start < end))
        .select("_vh", "start_us", "end_us")
        .sort("_vh", "start_us")
        .filter((_VH.shift(1) == _VH) & (start < end.shift(1)))
        .select("_vh")
    )
    found = pl.concat(pl.collect_all([over_cap, overlapping])).unique()
    if found.is_empty():
        return set()
    return set(
        frame.filter(_VH.is_in(found.to_series().implode())).get_column("volunteer_id").unique()
    )


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
