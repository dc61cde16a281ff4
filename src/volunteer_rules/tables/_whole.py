"""A whole file of records as one table: the one rule for repeated keys, counts, certifications.

What the command line does with a big file, in columns (memory goes with the columns, not
with an object per row):

* :func:`resolve_frame` applies the one rule for a key given more than once
  (:mod:`volunteer_rules.rules.versions`) to a record table whose rows carry their number in
  ``_row``: identical repeats are one record, and every version of a key given with different
  content is set aside (it counts for no one). Rows are compared column by column (the table
  holds canonical values); the few keys whose rows differ are compared as records, exactly as
  :func:`~volunteer_rules.rules.versions.same_version` does.
* :func:`certify_frame` gives what :func:`~volunteer_rules.certify_many` gives for the same
  records, volunteer by volunteer, excluded records and conflicts included: the counts come
  from the table engine (:mod:`volunteer_rules.tables._engine`), the levels from the rule
  set's plan, as ``certify_many`` does with its own counts. Under a rule set with quality
  rules (which read each counted record's evaluation) it calls ``certify_many`` on the
  records.
* :func:`counted_frame` gives each record that counts, with its counted minutes and the
  columns the statistics read: their input (as
  :func:`volunteer_rules.statistics.summary.counted_records` is for records).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import Any, Final

import polars as pl

from volunteer_rules.errors import InvalidValueError
from volunteer_rules.rules._certification_plan import _Plan, _rank
from volunteer_rules.rules.certification import (
    Certification,
    _volunteer,
    certify_many,
)
from volunteer_rules.rules.counting import Count
from volunteer_rules.rules.rule_set import RATING_SCORES, RuleSet
from volunteer_rules.rules.versions import CONFLICT_REASON, same_version
from volunteer_rules.tables import results
from volunteer_rules.tables._convert import TableSource
from volunteer_rules.tables._engine import Counted, count_frame, counts_of, given_twice, key_hash
from volunteer_rules.tables.io import records_of
from volunteer_rules.tables.schema import RECORD_COLUMNS

__all__: list[str] = []

_KEY: Final = ["organization_id", "record_id"]


def resolve_frame(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(kept, conflicts)`` of a record table with ``_row``, by the one rule for repeated keys.

    ``kept`` holds one row per key not in conflict (the first of identical repeats), in row
    order; ``conflicts`` one row per distinct version of each key in conflict (its first row),
    in row order.
    """
    repeated = pl.struct(_KEY).is_duplicated()
    twice = frame.filter(repeated)
    if twice.is_empty():
        return frame, frame.clear()
    distinct = twice.unique(subset=list(RECORD_COLUMNS), keep="first", maintain_order=True)
    several = distinct.filter(pl.struct(_KEY).is_duplicated())
    if not several.is_empty():
        # Columns differ; records may still be one version (extensions' key order, say).
        records = records_of(several.drop("_row"))
        numbers = several.get_column("_row").to_list()
        first_of: dict[tuple[str, str], list[tuple[int, Any]]] = {}
        for number, record in zip(numbers, records, strict=True):
            first_of.setdefault(record.key, []).append((number, record))
        same: list[int] = []  # rows that repeat an earlier version of their key
        for versions in first_of.values():
            seen: list[Any] = []
            for number, record in versions:
                if any(same_version(held, record) for held in seen):
                    same.append(number)
                else:
                    seen.append(record)
        distinct = distinct.filter(~pl.col("_row").is_in(same))
    in_conflict = pl.struct(_KEY).is_duplicated()
    conflicts = distinct.filter(in_conflict)
    kept = pl.concat([frame.filter(~repeated), distinct.filter(~in_conflict)]).sort("_row")
    return kept, conflicts.sort("_row")


def resolve_scan(scan: pl.LazyFrame) -> tuple[pl.LazyFrame, pl.DataFrame]:
    """:func:`resolve_frame` on a scanned record table with ``_row``: ``kept`` stays a scan.

    Only the rows whose key a hash says is given more than once are read whole (and resolved
    by :func:`resolve_frame`); ``kept`` is the scan without the rows that rule sets aside.
    """
    hashes = scan.select("_row", _kh=key_hash()).collect(engine="streaming")
    flagged = hashes.filter(given_twice(hashes.get_column("_kh"))).get_column("_row")
    del hashes
    if flagged.is_empty():
        return scan, scan.head(0).collect()
    twice = scan.filter(pl.col("_row").is_in(flagged.implode())).collect(engine="streaming")
    kept_twice, conflicts = resolve_frame(twice)
    gone = set(flagged.to_list()).difference(kept_twice.get_column("_row").to_list())
    if not gone:
        return scan, conflicts
    return scan.filter(~pl.col("_row").is_in(sorted(gone))), conflicts


def _count(
    source: TableSource,
    as_of: _dt.date,
    since: _dt.date | None,
    min_rank: int | None,
    wanted: list[str] | None,
) -> Counted:
    frame = source.counting_frame(as_of, order=True, texts=True)
    return count_frame(
        frame,
        as_of=as_of,
        since=since,
        min_rank=min_rank,
        wanted=wanted,
        since_for={},
        rows_at=source.rows_in(frame),
        records_at=source.records_at,
    )


def _counts(
    kept: pl.DataFrame | pl.LazyFrame,
    as_of: _dt.date,
    since: _dt.date | None,
    min_rank: int | None,
    wanted: list[str] | None,
) -> dict[str, Count]:
    """Every volunteer's count (no outcomes), in id order; a large scan counted in parts.

    A scan of more than :data:`~volunteer_rules.tables.results.PART_ROWS` rows is counted
    in parts, as ``certify_table`` counts one (:func:`~volunteer_rules.tables.results.count_parts`):
    memory goes with a part's rows and the counts, not with the whole file.
    """
    source = TableSource(kept.drop("_row", strict=False))
    parts = results.part_count(source)
    if parts <= 1:
        return counts_of(_count(source, as_of, since, min_rank, wanted), as_of, since, False)
    counts: dict[str, Count] = {}
    for found in results.count_parts(
        source,
        parts,
        as_of,
        lambda counted: counts_of(counted, as_of, since, False),
        since=since,
        min_rank=min_rank,
        order=True,
        asked=wanted,
        settled=True,  # kept: one row per key
    ):
        counts.update(found)
    return dict(sorted(counts.items()))


def _with_conflicts(
    counts: dict[str, Count],
    conflicts: pl.DataFrame,
    wanted: list[str] | None,
    as_of: _dt.date,
    since: _dt.date | None,
) -> dict[str, Count]:
    """Each key in conflict listed first for every volunteer one of its versions names."""
    keys_of: dict[str, list[tuple[str, str]]] = {}
    named: dict[tuple[str, str], set[str]] = {}
    for org, rid, volunteer in conflicts.select(*_KEY, "volunteer_id").iter_rows():
        named.setdefault((org, rid), set()).add(volunteer)
    for key in sorted(named):
        for name in sorted(named[key]):
            if wanted is None or name in wanted:
                keys_of.setdefault(name, []).append(key)
    if not keys_of:
        return counts
    out = dict(counts)
    for name, keys in keys_of.items():
        listed = tuple((key[1], CONFLICT_REASON) for key in keys)
        count = out.get(name)
        if count is None:
            out[name] = Count(
                volunteer_id=name,
                as_of=as_of,
                since=since,
                minutes=0,
                first_counted=None,
                excluded=listed,
                outcomes=None,
            )
        else:
            out[name] = Count(
                volunteer_id=name,
                as_of=count.as_of,
                since=count.since,
                minutes=count.minutes,
                first_counted=count.first_counted,
                excluded=listed + count.excluded,
                outcomes=None,
            )
    return dict(sorted(out.items()))


def certify_frame(
    kept: pl.DataFrame | pl.LazyFrame,
    conflicts: pl.DataFrame,
    *,
    rule_set: RuleSet,
    as_of: _dt.date,
    volunteers: Iterable[Any] | None = None,
) -> dict[str, Certification]:
    """What ``certify_many`` gives for the records of :func:`resolve_frame`'s two tables.

    The rule set must have a version in force on ``as_of``.

    Raises:
        InvalidValueError: the rule set has age bands and a volunteer has no birth date.
    """
    plan = _Plan(rule_set, as_of)
    given = None if volunteers is None else list(volunteers)
    if plan.version.has_quality and not plan.quality_simple:
        # Quality facts of every volunteer (evaluated records, sanction-free periods...).
        every = pl.concat([kept.lazy(), conflicts.lazy()]).sort("_row").drop("_row")
        return certify_many(
            records_of(every.collect()), rule_set=rule_set, as_of=as_of, volunteers=given
        )
    births: dict[str, _dt.date | None] = {}
    wanted: list[str] | None = None
    if given is not None:
        wanted = []
        for volunteer in given:
            volunteer_id, birth = _volunteer(volunteer)
            assert volunteer_id is not None
            wanted.append(volunteer_id)
            births[volunteer_id] = birth
    counted = _counts(kept, as_of, plan.since, _rank(plan.version), wanted)
    counts = _with_conflicts(counted, conflicts, wanted, as_of, plan.since)
    if plan.version.age_bands:
        missing = [v for v in counts if births.get(v) is None]
        if missing:
            raise InvalidValueError(
                "volunteers",
                f"rule set {rule_set.id} has age bands: give profiles with birth dates"
                f" (missing for {len(missing)} volunteers, such as {missing[0]!r})",
            )
    results = {v: plan.certify(c, births.get(v), (), frozenset()) for v, c in counts.items()}
    if plan.version.has_quality:
        _with_quality(results, kept, conflicts, rule_set, plan, given)
    return results


def _with_quality(
    results: dict[str, Certification],
    kept: pl.DataFrame | pl.LazyFrame,
    conflicts: pl.DataFrame,
    rule_set: RuleSet,
    plan: _Plan,
    given: list[Any] | None,
) -> None:
    """Certify again, through ``certify_many``, whoever has an evaluation below some level's.

    Under quality rules that read no more than ratings, a volunteer with no evaluation (given
    by ``as_of``) worse than what any level asks meets every quality condition: the levels are
    a matter of minutes, as counted. The others are certified by ``certify_many`` from their
    records, every amendment (of anyone) and every version of their records' keys: all that
    can change their count.
    """
    low = [r for r, score in RATING_SCORES.items() if score < plan.quality_floor]
    every = pl.concat([kept.lazy(), conflicts.lazy()])
    again = set(
        every.filter(
            pl.col("evaluation_rating").is_in(low)
            & (pl.col("evaluation_date") <= pl.lit(plan.as_of, pl.Date))
        )
        .select(pl.col("volunteer_id").unique())
        .collect()
        .to_series()
    ).intersection(results)
    if not again:
        return
    mine = pl.col("volunteer_id").is_in(sorted(again))
    keys = every.filter(mine).select(_KEY).collect()
    theirs = every.filter(
        mine
        | pl.col("amends").is_not_null()
        | pl.col("record_id").is_in(keys.get_column("record_id").implode())
    ).collect()
    theirs = theirs.filter(
        mine | pl.col("amends").is_not_null() | pl.struct(_KEY).is_in(keys.to_struct().implode())
    )
    chosen = sorted(again) if given is None else [v for v in given if _volunteer(v)[0] in again]
    redone = certify_many(
        records_of(theirs.sort("_row").drop("_row")),
        rule_set=rule_set,
        as_of=plan.as_of,
        volunteers=chosen,
    )
    results.update((v, redone[v]) for v in again)


STATISTICS_COLUMNS: Final = (
    "volunteer_id",
    "organization_id",
    "record_id",
    "region_code",
    "service_category",
    "date",
)
"""The record columns the statistics read (:mod:`volunteer_rules.statistics._table`)."""


def counted_frame(kept: pl.DataFrame | pl.LazyFrame, as_of: _dt.date | None) -> pl.DataFrame:
    """The rows of ``kept`` that count, with ``counted`` minutes (``as_of`` None: everything).

    Only :data:`STATISTICS_COLUMNS` and ``counted``: a scanned ``kept`` is never read whole.
    """
    day = _dt.date.max if as_of is None else as_of
    counted = _count(TableSource(kept.drop("_row", strict=False)), day, None, None, None)
    settled = counted.outcomes.filter(pl.col("counted") > 0).select(*_KEY, "counted")
    exact = [
        (o.organization_id, o.record_id, o.minutes)
        for count in counted.engine.values()
        for o in count.outcomes or ()
        if o.minutes > 0
    ]
    minutes = pl.concat(
        [
            settled.with_columns(pl.col("counted").cast(pl.Int64)),
            pl.DataFrame(exact, schema={**settled.schema, "counted": pl.Int64}, orient="row"),
        ]
    )
    return (
        kept.lazy()
        .select(STATISTICS_COLUMNS)
        .join(minutes.lazy(), on=_KEY, how="inner", maintain_order="left")
        .collect()
    )
