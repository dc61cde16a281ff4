"""Certifications as a table: one row per volunteer, minutes as integers.

The columns are those of :func:`~volunteer_rules.tables.schema.level_schema`: the first eleven
of the certification table (:data:`~volunteer_rules.tables.schema.CERTIFICATION_COLUMNS`).

Example:
    >>> from datetime import date
    >>> import volunteer_rules as vr
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> results = vr.certify_many([vr.parse_record(SAMPLE_RECORD_PAYLOAD)],
    ...                           rule_set="cn-national", as_of=date(2025, 1, 1))
    >>> certifications_frame(results).select("volunteer_id", "level_rank", "counted_minutes").rows()
    [('V0000001', 0, 120)]
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, NamedTuple, TypeVar

import polars as pl

from volunteer_rules.rules._certification_plan import _Plan, _rank
from volunteer_rules.rules._count import _check_as_of
from volunteer_rules.rules.certification import (
    Certification,
    _rule_set,
    certify_many,
)
from volunteer_rules.rules.results import certification_row
from volunteer_rules.rules.rule_set import NO_LEVEL, RATING_SCORES, RuleSet
from volunteer_rules.rules.schemes import RuleSetRegistry
from volunteer_rules.tables._convert import TableSource
from volunteer_rules.tables._engine import (
    Counted,
    count_frame,
    counted_minutes,
    repeated_keys,
    settle_repeats,
)
from volunteer_rules.tables.schema import LEVEL_COLUMNS, level_schema, record_exclusion_schema

__all__ = ["certification_rows", "certifications_frame", "certify_table", "exclusions_table"]


def certification_rows(results: Mapping[str, Certification]) -> list[dict[str, Any]]:
    """One plain row (a dict of the certifications table's columns) per certification.

    Example:
        >>> certification_rows({})
        []
    """
    names = [name for name, _, _ in LEVEL_COLUMNS]
    rows = []
    for volunteer_id, c in results.items():
        row = certification_row(c)
        row["volunteer_id"] = volunteer_id
        rows.append({name: row[name] for name in names})
    return rows


def certifications_frame(results: Mapping[str, Certification]) -> pl.DataFrame:
    """The certifications table of ``certify_many``'s results (a polars DataFrame).

    ``.to_arrow()``, ``.to_pandas()`` and ``.rows()`` of the frame give the other forms.

    Example:
        >>> certifications_frame({}).columns[:3]
        ['volunteer_id', 'level_rank', 'level_name']
    """
    schema = level_schema()
    frame = pl.from_arrow(schema.empty_table()) if not results else None
    if frame is None:
        import pyarrow as pa

        frame = pl.from_arrow(pa.Table.from_pylist(certification_rows(results), schema=schema))
    assert isinstance(frame, pl.DataFrame)
    return frame


def certify_table(
    records: Any,
    *,
    rule_set: RuleSet | str,
    as_of: _dt.date,
    registry: RuleSetRegistry | None = None,
) -> pl.DataFrame:
    """Certify every volunteer of a record table: the certifications table, column by column.

    ``records`` is a valid record table (a :class:`~volunteer_rules.tables.io.RecordTable`, or its
    ``records``: a polars DataFrame or an Arrow table in the record schema), or a polars
    ``LazyFrame`` of one (``pl.scan_parquet(path)``, say: only the columns counting needs are read,
    so a file larger than memory can be certified). Each row equals what
    :func:`~volunteer_rules.certify` gives that volunteer (:func:`certification_rows` of it). Under
    a rule set whose levels are thresholds alone (no age bands, tenure, sequence, attestations,
    validity or cycles; quality rules only of ratings), the levels are found in column steps from
    the engine's counts; under any other, and for a volunteer with an evaluation worse than a level
    asks, through :func:`~volunteer_rules.certify_many` on the records.

    Raises:
        VolunteerRulesError: as :func:`~volunteer_rules.certify_many` raises it.

    Example:
        >>> from datetime import date
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.tables.io import table_of_records
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> table = table_of_records([vr.parse_record(SAMPLE_RECORD_PAYLOAD)])
        >>> certify_table(table, rule_set="cn-national", as_of=date(2025, 1, 1)).select(
        ...     "volunteer_id", "level_name", "counted_minutes", "shortfall_minutes").rows()
        [('V0000001', 'none', 120, 5880)]
    """
    _check_as_of(as_of, None)
    source = TableSource(records)
    return _certify_source(source, _rule_set(rule_set, registry), as_of).table


class _Certified(NamedTuple):
    """What :func:`_certify_source` found: the table, and how each volunteer was settled.

    ``table`` is the certifications table (every volunteer, by id). ``certifications`` holds
    the :class:`~volunteer_rules.Certification` of every volunteer that went through
    :func:`~volunteer_rules.certify_many`; the others were settled in column steps from the
    engine's ``counted`` outcomes (``None`` when every volunteer went through
    ``certify_many``). The partitions of the Spark and Dask adapters read all three.
    """

    table: pl.DataFrame
    certifications: Mapping[str, Certification]
    counted: Counted | None


def _certify_source(
    source: TableSource, chosen: RuleSet, as_of: _dt.date, order: bool = False
) -> _Certified:
    """:func:`certify_table` on a record table (arguments checked), with what it found.

    With ``order``, the engine's outcomes carry ``at_us``, which puts each volunteer's
    outcomes in recorded order (the order of ``Certification.excluded``).

    Length: the branches of certify_table, in the order it decides them.
    """
    from volunteer_rules.tables.io import records_of

    status = chosen.status_on(as_of)
    plan = _Plan(chosen, as_of) if status.version is not None else None
    if (
        plan is None
        or not plan.plain
        or plan.paused
        or (plan.version.has_quality and not plan.quality_simple)
    ):
        results = certify_many(records_of(source.frame()), rule_set=chosen, as_of=as_of)
        return _Certified(certifications_frame(results), results, None)
    # Quality rules alone keep the levels a matter of minutes, except for a volunteer with an
    # evaluation (given by as_of) worse than some level asks: certify_many decides for those.
    again: list[str] = []
    if plan.version.has_quality:
        below = [r for r, score in RATING_SCORES.items() if score < plan.quality_floor]
        again = (
            source.lazy.filter(
                pl.col("evaluation_rating").is_in(below)
                & (pl.col("evaluation_date") <= pl.lit(as_of, pl.Date))
            )
            .select(pl.col("volunteer_id").unique())
            .collect()
            .to_series()
            .to_list()
        )
    minutes, counted = _counted_minutes(source, as_of, plan, order)
    table = _levels(minutes, plan)
    if not again:
        return _Certified(table, {}, counted)
    # Their records, the amendments of anyone, and every version of their records' keys.
    mine = pl.col("volunteer_id").is_in(again)
    key = ["organization_id", "record_id"]
    theirs = pl.concat(
        [
            source.lazy.filter(mine | pl.col("amends").is_not_null()),
            source.lazy.filter(~mine & pl.col("amends").is_null()).join(
                source.lazy.filter(mine).select(key), on=key, how="semi"
            ),
        ]
    ).collect()
    redone = certify_many(records_of(theirs), rule_set=chosen, as_of=as_of, volunteers=again)
    table = pl.concat(
        [table.filter(~pl.col("volunteer_id").is_in(again)), certifications_frame(redone)]
    ).sort("volunteer_id")
    return _Certified(table, redone, counted)


PART_ROWS = 1_500_000
"""Rows of a scanned table counted at a time (the volunteers of one part, see below)."""

PART_SEED: Final = 0x9A7
"""The seed of the hash that puts each volunteer in a part."""

_T = TypeVar("_T")


def _counted_minutes(
    source: TableSource, as_of: _dt.date, plan: _Plan, order: bool
) -> tuple[pl.DataFrame, Counted | None]:
    """Every volunteer's ``volunteer_id, counted_minutes``, and what the engine found.

    The minutes are by id; what the engine found is ``None`` for a table counted in parts.

    A scanned table of more than :data:`PART_ROWS` rows is counted in parts, the volunteers
    of a part chosen by a hash of their id, each part read from the scan with every
    amendment (which may supersede a record of any part): memory is bounded by a part.
    Repeated keys are settled once for the whole table first (:func:`count_parts`).
    """
    since, min_rank = plan.since, _rank(plan.version)
    parts = part_count(source)
    if parts <= 1:
        frame = source.counting_frame(as_of, order=order, texts=True)
        repeated = None
        if source.twice is not None:  # the rows a hash flagged came with the one read
            flagged = source.twice.select(pl.col("_at").alias("_row"), *KEY_COLUMNS)
            drop, versions, named = settle_repeats(flagged, source.records_at)
            frame = frame.filter(~pl.col("_row").is_in(drop)) if drop else frame
            repeated = (versions, named)
        counted = count_frame(
            frame,
            as_of=as_of,
            since=since,
            min_rank=min_rank,
            wanted=None,
            since_for={},
            rows_at=source.rows_in(frame),
            records_at=source.records_at,
            repeated=repeated,
            detail=order,
        )
        return counted_minutes(counted), counted
    found = count_parts(
        source,
        parts,
        as_of,
        lambda counted: _compact(counted_minutes(counted)),
        since=since,
        min_rank=min_rank,
        order=False,
    )
    return pl.concat(found).sort("volunteer_id"), None


def part_count(source: TableSource) -> int:
    """How many parts :func:`count_parts` counts ``source`` in: one for a held table."""
    return 1 if source.held is not None else -(-source.height() // PART_ROWS)


def count_parts(
    source: TableSource,
    parts: int,
    as_of: _dt.date,
    each: Callable[[Counted], _T],
    *,
    since: _dt.date | None,
    min_rank: int | None,
    order: bool,
    asked: Sequence[str] | None = None,
    settled: bool = False,
) -> list[_T]:
    """``each`` of every part's count: a scanned table counted in ``parts`` parts.

    The volunteers of a part are chosen by a hash of their id (:data:`PART_SEED`); each part
    is read from the scan with every amendment (which may supersede a record of any part), so
    memory goes with a part's rows and what ``each`` keeps, not with the whole table. ``each``
    is called on a part's count while the part is held: what it gives must not point into the
    part's frame (see :func:`_compact`).

    A part counts the volunteers ``asked`` who fall in it (every volunteer of the part when
    ``asked`` is ``None``), and those a repeated key in conflict names. Repeated keys are
    settled for the whole table first, unless ``settled`` (the scan already holds one row per
    key: :func:`~volunteer_rules.tables._whole.resolve_scan`). With ``order``, the counts'
    outcomes are in recorded order (as ``count_many`` lists them).
    """
    drop: list[int] = []
    versions, named = None, set[str]()
    if not settled:
        drop, versions, named = repeated_keys(
            source.lazy, lambda at: source.take(at, KEY_COLUMNS), source.records_at
        )
    part_of = pl.col("volunteer_id").hash(PART_SEED) % parts
    asked_in = None if asked is None else _by_part(asked, parts)
    named_in = _by_part(named, parts)
    found = []
    for part in range(parts):
        frame = source.counting_frame(
            as_of,
            order=order,
            where=(part_of == part) | pl.col("amends").is_not_null(),
            drop=drop,
            texts=True,
        )
        texts = frame.select("_row", *_TEXTS)  # kept apart: not copied by every step
        frame = frame.drop(_TEXTS)
        mine = (
            set(frame.filter(part_of == part).get_column("volunteer_id").unique())
            if asked_in is None
            else set(asked_in.get(part, ()))
        )
        counted = count_frame(
            frame,
            as_of=as_of,
            since=since,
            min_rank=min_rank,
            wanted=sorted(mine.union(named_in.get(part, ()))),
            since_for={},
            rows_at=source.rows_in(frame, texts),
            repeated=(versions, named),
            detail=False,
        )
        found.append(each(counted))
        source.forget()  # the rows read for this part's exact counts
        del frame, texts, counted
    return found


def _by_part(volunteers: Iterable[str], parts: int) -> dict[int, list[str]]:
    """The ``volunteers`` of each part, by the hash :func:`count_parts` parts a table by."""
    frame = pl.DataFrame({"v": sorted(set(volunteers))}, schema={"v": pl.String})
    out: dict[int, list[str]] = {}
    for volunteer, part in frame.with_columns(p=pl.col("v").hash(PART_SEED) % parts).iter_rows():
        out.setdefault(part, []).append(volunteer)
    return out


def _compact(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with its text columns copied into buffers of their own.

    polars keeps a text column as views into shared buffers: the volunteer ids a part's sums
    were grouped from still point into the buffers of the whole part's counting frame, which
    would stay alive as long as the sums are held (about 100 MB a part of 1,500,000 rows).
    Concatenating an empty text writes each value anew.
    """
    return frame.with_columns(pl.col(pl.String) + "")


_TEXTS: Final = ("_recorded_at",)
KEY_COLUMNS: Final = ("organization_id", "record_id")


def _levels(minutes: pl.DataFrame, plan: _Plan) -> pl.DataFrame:
    """The certifications table of counted minutes under a plan of thresholds alone."""
    thresholds = pl.Series(plan.minutes, dtype=pl.Int64)
    levels = plan.levels
    top = len(levels)
    rank = thresholds.search_sorted(minutes.get_column("counted_minutes"), side="right")
    names = [NO_LEVEL.name, *(level.name for level in levels)]
    nexts = [*(level.name for level in levels), None]
    bounds = [*plan.minutes, None]
    table = minutes.with_columns(level_rank=rank.cast(pl.Int32)).select(
        "volunteer_id",
        "level_rank",
        level_name=pl.col("level_rank").replace_strict(
            range(top + 1), names, return_dtype=pl.String
        ),
        counted_minutes="counted_minutes",
        next_level_rank=pl.when(pl.col("level_rank") < top).then(pl.col("level_rank") + 1),
        next_level_name=pl.col("level_rank").replace_strict(
            range(top + 1), nexts, return_dtype=pl.String
        ),
        shortfall_minutes=(
            pl.col("level_rank").replace_strict(range(top + 1), bounds, return_dtype=pl.Int64)
            - pl.col("counted_minutes")
        ).fill_null(0),
        rule_set_id=pl.lit(plan.rule_set.id),
        rule_set_version=pl.lit(plan.label),
        as_of=pl.lit(plan.as_of, pl.Date),
        window_start=pl.lit(plan.since, pl.Date),
    )
    return pl.from_arrow(table.to_arrow().cast(level_schema()))  # type: ignore[return-value]


def exclusions_table(
    records: Any,
    *,
    rule_set: RuleSet | str,
    as_of: _dt.date,
    registry: RuleSetRegistry | None = None,
) -> pl.DataFrame:
    """The records of a record table that do not count (in full) for :func:`certify_table`.

    One row per record, ``volunteer_id``, ``organization_id``, ``record_id``, ``reason``
    (:data:`~volunteer_rules.tables.schema.RECORD_EXCLUSION_COLUMNS`), by volunteer id, then in
    recorded order: exactly ``certify_many(...).exclusions()`` on the same records. Under a
    rule set of thresholds alone, from the table engine's outcomes; under any other, through
    :func:`~volunteer_rules.certify_many`, as :func:`certify_table` does.

    Raises:
        VolunteerRulesError: as :func:`~volunteer_rules.certify_many` raises it.

    Example:
        >>> from datetime import date
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.tables.io import table_of_records
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> table = table_of_records([vr.parse_record(SAMPLE_RECORD_PAYLOAD)])
        >>> exclusions_table(table, rule_set="cn-national", as_of=date(2024, 5, 1)).rows()
        [('V0000001', '512111005000000154', 'r-2024-0001', 'after_as_of')]
    """
    from volunteer_rules.tables.io import records_of

    _check_as_of(as_of, None)
    source = TableSource(records)
    chosen = _rule_set(rule_set, registry)
    schema = record_exclusion_schema()
    if chosen.status_on(as_of).version is None:
        return pl.from_arrow(schema.empty_table())  # type: ignore[return-value]
    plan = _Plan(chosen, as_of)
    if not plan.plain or plan.paused:
        results = certify_many(records_of(source.frame()), rule_set=chosen, as_of=as_of)
        return results.exclusions().to_polars()  # type: ignore[no-any-return]
    frame = source.counting_frame(as_of, texts=True)
    counted = count_frame(
        frame,
        as_of=as_of,
        since=plan.since,
        min_rank=_rank(plan.version),
        wanted=None,
        since_for={},
        rows_at=source.rows_in(frame),
        records_at=source.records_at,
    )
    names = schema.names
    settled = (
        counted.outcomes.filter(pl.col("reason").is_not_null())
        .sort("volunteer_id", "at_us", "record_id", "organization_id")  # recorded order
        .select(names)
    )
    exact = pl.DataFrame(
        [
            (volunteer, o.organization_id, o.record_id, o.reason)
            for volunteer, count in counted.engine.items()
            for o in count.outcomes or ()
            if o.reason is not None
        ],
        schema=settled.schema,
        orient="row",
    )
    table = pl.concat([settled, exact]).sort("volunteer_id", maintain_order=True)
    return pl.from_arrow(table.to_arrow().cast(schema))  # type: ignore[return-value]
