"""Certification one partition at a time: the work each Spark task or Dask partition does.

A distributed engine splits the records of many volunteers into partitions. The adapters
(:mod:`volunteer_rules.tables.spark`, :mod:`volunteer_rules.tables.dask`) send every record to the
partition of its volunteer, plus every amendment whose chain reaches another volunteer's record to
that volunteer's partition too, and every version of a key two volunteers hold to both (the column
:data:`BUCKET` says whose partition a row is for; :func:`bucket_rows` is the rule), then call
:func:`certify_partition` on each partition (or :func:`certify_batches` on a stream of Arrow batches
sorted by :data:`BUCKET`). Each call validates its rows as
:func:`~volunteer_rules.tables.io.read_frame` does and certifies the volunteers they are for with
the table engine (:func:`~volunteer_rules.tables.results.certify_table`'s), so the result is the
single-process engine's, :func:`~volunteer_rules.certify_many`'s, volunteer by volunteer.

Rows are records in format v1 (``docs/record-format.md``): one column per field, under the
field's name. Dates and date-times are best kept as ISO text (a date-time keeps its UTC
offset, which decides the local day a record was entered); Arrow ``date32`` and time-zone-aware
``timestamp`` columns are read too. ``evaluation`` is a struct (or absent; or the record
table's two columns, ``evaluation_rating`` and ``evaluation_date``), ``extensions`` a JSON
object as text (or a map). A missing ``format_version`` column means version 1. The columns
are checked first (:func:`check_record_schema`), then every row as
:func:`~volunteer_rules.parse_record` checks it; a bad row stops the partition with
:class:`~volunteer_rules.RecordFormatError`, naming the record.

The results are Arrow tables: :func:`certification_schema` (one row per volunteer) and
:func:`exclusion_schema` (one row per record not counted in full), defined once in
:mod:`volunteer_rules.tables.schema` and re-exported here. Minutes are integers.

This module needs ``pyarrow`` and ``polars`` (``pip install "volunteer_rules[tables]"``).

Length: the whole contract between the adapters and a partition in one place (the columns a
partition takes, the routing rule, the certification and exclusion tables), so that the Spark
and Dask adapters hold only their engines' joins and calls.

Example:
    >>> import datetime as dt
    >>> import pyarrow as pa
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> table = pa.Table.from_pylist([SAMPLE_RECORD_PAYLOAD])
    >>> result = certify_partition(table, rule_set="cn-national", as_of=dt.date(2025, 1, 1))
    >>> row = result.to_pylist()[0]
    >>> row["volunteer_id"], row["counted_minutes"], row["level_rank"], row["shortfall_minutes"]
    ('V0000001', 120, 0, 5880)
"""

from __future__ import annotations

import datetime as _dt
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from volunteer_rules._canonical import canonical_text
from volunteer_rules.errors import (
    FieldError,
    InvalidTypeError,
    InvalidValueError,
    RecordFormatError,
)
from volunteer_rules.records.service_record import FIELDS
from volunteer_rules.rules._count import _check_as_of
from volunteer_rules.rules.certification import Certification, _rule_set
from volunteer_rules.rules.results import certification_row
from volunteer_rules.rules.rule_set import RuleSet
from volunteer_rules.rules.schemes import RuleSetRegistry
from volunteer_rules.tables.schema import (
    CERTIFICATION_COLUMNS,
    EXCLUSION_COLUMNS,
    certification_schema,
    exclusion_schema,
)

if TYPE_CHECKING:
    import polars as pl
    import pyarrow as pa

    from volunteer_rules.tables._engine import Counted

__all__ = [
    "BUCKET",
    "CERTIFICATION_COLUMNS",
    "CHUNK_ROWS",
    "EXCLUDED_ORGANIZATIONS",
    "EXCLUSION_COLUMNS",
    "RECORD_FIELDS",
    "bucket_rows",
    "certification_row",
    "certification_schema",
    "certify_batches",
    "certify_partition",
    "check_record_schema",
    "exclusion_batches",
    "exclusion_rows",
    "exclusion_schema",
    "exclusion_table",
]

RECORD_FIELDS: Final = FIELDS
"""The columns of a record table: the field names of record format v1, in the format's order."""

BUCKET: Final = "certify_for"
"""The column the adapters add: the volunteer whose partition a row is sent to.

It equals ``volunteer_id`` for a volunteer's own records; an amendment that (through a chain)
reaches another volunteer's record is sent to that volunteer as well, under their id.
"""


EXCLUDED_ORGANIZATIONS: Final = "excluded_organizations"
"""The column :func:`certify_partition` and :func:`certify_batches` add with ``keyed=True``.

A list of text, one item per item of ``excluded``, in the same order: the organization of the
record excluded. With ``record_id`` it is the record's key (record ids are unique within an
organization only); :func:`exclusion_table` reads it into the exclusion table's
``organization_id``.
"""


def exclusion_rows(
    certification: Certification, *, organizations: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """The rows of the exclusion table for one certification, in recorded order.

    A certification names each excluded record by its id alone; ``organizations`` gives the
    organization of each one, in the order of ``certification.excluded`` (as
    :meth:`~volunteer_rules.Certifications.exclusions` lists them).

    Args:
        certification: a volunteer's certification.
        organizations: the organization of each excluded record, in order (needed when the
            certification excludes any record).

    Returns:
        Dicts with the columns of :data:`EXCLUSION_COLUMNS`.

    Raises:
        InvalidTypeError: ``certification`` is not a ``Certification``.
        InvalidValueError: ``organizations`` is missing, or not one per excluded record.

    Example:
        >>> import datetime as dt
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> result = vr.certify_many([record], rule_set="cn-national", as_of=dt.date(2024, 5, 1))
        >>> orgs = [e.organization_id for e in result.exclusions()]
        >>> exclusion_rows(result["V0000001"], organizations=orgs)  # doctest: +NORMALIZE_WHITESPACE
        [{'volunteer_id': 'V0000001', 'organization_id': '512111005000000154', 'position': 0,
          'record_id': 'r-2024-0001', 'reason': 'after_as_of'}]
    """
    if not isinstance(certification, Certification):
        raise InvalidTypeError("certification", "must be a Certification")
    excluded = certification.excluded
    if not excluded:
        return []
    if organizations is None or isinstance(organizations, str):
        raise InvalidValueError(
            "organizations",
            "the organization of each excluded record is needed (a record's key is its"
            " organization and id), e.g. from certify_many(...).exclusions()",
        )
    orgs = list(organizations)
    if len(orgs) != len(excluded) or not all(isinstance(o, str) for o in orgs):
        raise InvalidValueError(
            "organizations",
            f"must be {len(excluded)} organization id(s), one per excluded record, in order",
        )
    return [
        {
            "volunteer_id": certification.volunteer_id,
            "organization_id": org,
            "position": i,
            "record_id": record_id,
            "reason": reason,
        }
        for i, ((record_id, reason), org) in enumerate(zip(excluded, orgs, strict=True))
    ]


# --- the columns a partition takes -------------------------------------------------------------

_REQUIRED: Final = ("record_id", "volunteer_id", "organization_id")
_TEXT: Final = frozenset(
    {
        "record_id",
        "volunteer_id",
        "organization_id",
        "activity_name",
        "service_category",
        "content",
        "place",
        "region_code",
        "person_in_charge",
        "recorded_by",
        "status",
        "beneficiary",
        "amends",
        "evaluation_rating",
        BUCKET,
    }
)
_WHOLE: Final = frozenset({"format_version", "service_minutes"})
_MOMENTS: Final = frozenset({"start", "end", "recorded_at"})
_DAYS: Final = frozenset({"date", "evaluation_date"})


def _type_problem(name: str, kind: pa.DataType) -> str | None:
    """Why no row could be valid with column ``name`` of Arrow type ``kind`` (else None)."""
    import pyarrow.types as t

    text = t.is_string(kind) or t.is_large_string(kind) or t.is_string_view(kind)
    if t.is_null(kind):
        return None
    if name in _TEXT:
        return None if text else "must be text"
    if name in _WHOLE:
        return None if t.is_integer(kind) else "must be an integer column (whole numbers)"
    if name in _DAYS:
        return None if text or t.is_date(kind) else "must be text (ISO dates) or dates"
    if name in _MOMENTS:
        if t.is_timestamp(kind) and kind.tz is None:
            return "is a timestamp without a time zone: the record's UTC offset is needed"
        return None if text or t.is_timestamp(kind) else "must be text (RFC 3339) or timestamps"
    if name == "group_service":
        return None if t.is_boolean(kind) else "must be a boolean column"
    if name == "extensions":
        return None if text or t.is_map(kind) else "must be JSON text or a map"
    if name == "evaluation":
        if not t.is_struct(kind):
            return "must be a struct of rating and date"
        extra = sorted({kind.field(i).name for i in range(kind.num_fields)} - {"rating", "date"})
        return f"has fields an evaluation has not: {', '.join(extra)}" if extra else None
    return "is not a field of record format v1"


def check_record_schema(schema: pa.Schema) -> None:
    """Check a record table's columns before any row is read (what a driver can check).

    Every column must be a field of record format v1 (or :data:`BUCKET`, or the record
    schema's ``evaluation_rating`` and ``evaluation_date``) of a type some row could be valid
    in, and ``record_id``, ``volunteer_id`` and ``organization_id`` must be there. The values
    are checked row by row, as :func:`~volunteer_rules.parse_record` checks them.

    Args:
        schema: the table's Arrow schema.

    Raises:
        InvalidValueError: a column is missing, unknown, or of a type no row could be valid in
            (the message names the column and its type).
        InvalidTypeError: ``schema`` is not a ``pyarrow.Schema``.

    Example:
        >>> import pyarrow as pa
        >>> ids = [(name, pa.string()) for name in ("record_id", "volunteer_id")]
        >>> check_record_schema(pa.schema(ids))
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.InvalidValueError: records: missing column(s): organization_id
        >>> ids.append(("organization_id", pa.string()))
        >>> check_record_schema(pa.schema([*ids, ("service_minutes", pa.float64())]))
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.InvalidValueError: records: column service_minutes (double) must be an integer column (whole numbers)
    """
    import pyarrow as pa

    if not isinstance(schema, pa.Schema):
        raise InvalidTypeError("schema", "must be a pyarrow.Schema")
    missing = [name for name in _REQUIRED if name not in schema.names]
    if missing:
        raise InvalidValueError("records", f"missing column(s): {', '.join(missing)}")
    for field in schema:
        problem = _type_problem(field.name, field.type)
        if problem is not None:
            raise InvalidValueError("records", f"column {field.name} ({field.type}) {problem}")


def _check_driver_arguments(as_of: object, partitions: object) -> None:
    """A distributed certify's first checks: ``as_of`` a date, ``partitions`` positive or None."""
    if not isinstance(as_of, _dt.date) or isinstance(as_of, _dt.datetime):
        raise InvalidTypeError("as_of", "must be a datetime.date")
    if partitions is not None and (
        isinstance(partitions, bool) or not isinstance(partitions, int) or partitions < 1
    ):
        raise InvalidValueError("partitions", "must be a positive int")


def _checked_rule_set(
    rule_set: RuleSet | str, as_of: _dt.date, registry: RuleSetRegistry | None
) -> RuleSet:
    """The rule set, known and certifiable from records alone on ``as_of`` (a driver check)."""
    _check_as_of(as_of, None)
    chosen = _rule_set(rule_set, registry)
    version = chosen.status_on(as_of).version
    if version is not None and version.age_bands:
        raise InvalidValueError(
            "rule_set",
            f"rule set {chosen.id} has age bands on {as_of.isoformat()}: they need the"
            " volunteers' birth dates, which a record table does not hold (certify_many with"
            " volunteers= takes profiles)",
        )
    return chosen


# --- one partition, on the table engine --------------------------------------------------------


def _arrow(table: Any) -> pa.Table:
    import pyarrow as pa

    if isinstance(table, pa.RecordBatch):
        return pa.Table.from_batches([table])
    if isinstance(table, pa.Table):
        return table
    raise InvalidTypeError("table", "must be a pyarrow Table or RecordBatch")


def _record_frame(table: pa.Table) -> tuple[pl.DataFrame, list[str] | None]:
    """The rows as ``read_frame`` reads them, and the volunteers the partition is for."""
    import polars as pl

    check_record_schema(table.schema)
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    wanted = None
    if BUCKET in frame.columns:
        wanted = [_routing_id(v) for v in frame.get_column(BUCKET).drop_nulls().unique()]
        frame = frame.drop(BUCKET)
    if "evaluation" in frame.columns:
        given = frame.get_column("evaluation")
        fields = [] if given.dtype == pl.Null else list(given.struct.fields)
        nothing = pl.lit(None, pl.String)
        frame = frame.with_columns(
            evaluation_rating=given.struct.field("rating") if "rating" in fields else nothing,
            evaluation_date=given.struct.field("date") if "date" in fields else nothing,
        ).drop("evaluation")
    if "extensions" in frame.columns and isinstance(frame.schema["extensions"], pl.List):
        # an Arrow map column: (key, value) pairs, read as the JSON object they make
        texts = [
            None if pairs is None else canonical_text({p["key"]: p["value"] for p in pairs})
            for pairs in frame.get_column("extensions").to_list()
        ]
        frame = frame.with_columns(extensions=pl.Series(texts, dtype=pl.String))
    return frame, wanted


def _refusal(frame: pl.DataFrame, errors: pl.DataFrame) -> RecordFormatError:
    """The first bad row's problems, naming its record."""
    import polars as pl

    row = errors.get_column("row").min()
    assert isinstance(row, int)
    problems = errors.filter(pl.col("row") == row).select("path", "code", "message")
    found = frame.row(row - 1, named=True)
    record_id, organization_id = found.get("record_id"), found.get("organization_id")
    where = (
        f"record {record_id} of organization {organization_id}"
        if isinstance(record_id, str) and isinstance(organization_id, str)
        else "record"
    )
    return RecordFormatError([FieldError(*problem) for problem in problems.iter_rows()], what=where)


def _excluded(counted: Counted) -> pl.DataFrame:
    """``volunteer_id, excluded, excluded_organizations`` of the volunteers the engine counted.

    In recorded order; the organizations come from the engine's outcomes, which name each
    record by its key.
    """
    import polars as pl

    item = pl.Struct({"record_id": pl.String, "reason": pl.String})
    listed = (
        counted.outcomes.filter(pl.col("reason").is_not_null())
        .sort("volunteer_id", "at_us", "record_id", "organization_id")
        .group_by("volunteer_id", maintain_order=True)
        .agg(
            excluded=pl.struct("record_id", "reason"),
            **{EXCLUDED_ORGANIZATIONS: pl.col("organization_id")},
        )
    )
    if not counted.engine:
        return listed
    names, lists, orgs = [], [], []
    for name, count in counted.engine.items():
        keyed = [o for o in count.outcomes or () if o.reason is not None]
        # the outcomes excluded are the count's exclusions, in the same (recorded) order
        assert [(o.record_id, o.reason) for o in keyed] == list(count.excluded)
        names.append(name)
        lists.append([{"record_id": o.record_id, "reason": o.reason} for o in keyed])
        orgs.append([o.organization_id for o in keyed])
    exact = pl.DataFrame(
        {"volunteer_id": names, "excluded": lists, EXCLUDED_ORGANIZATIONS: orgs},
        schema={
            "volunteer_id": pl.String,
            "excluded": pl.List(item),
            EXCLUDED_ORGANIZATIONS: pl.List(pl.String),
        },
    )
    return pl.concat([listed.cast(exact.schema), exact])


def _keyed_schema() -> pa.Schema:
    """The certification table with :data:`EXCLUDED_ORGANIZATIONS` after its columns."""
    import pyarrow as pa

    field = pa.field(EXCLUDED_ORGANIZATIONS, pa.list_(pa.string()), nullable=False)
    return certification_schema().append(field)


def _from_columns(table: pl.DataFrame, counted: Counted) -> pa.Table:
    """Rows of the keyed certification table for volunteers settled in column steps.

    They were certified under thresholds alone (``_Plan.quick``): nothing unmet, no cycles, the
    levels reached due, no validity, not paused.
    """
    import polars as pl

    item = pl.Struct({"record_id": pl.String, "reason": pl.String})
    table = table.join(_excluded(counted), on="volunteer_id", how="left")
    rank = pl.col("level_rank")
    out = table.with_columns(
        unmet=pl.lit([], pl.List(pl.String)),
        cycles=pl.lit(0, pl.Int32),
        due=pl.int_ranges(1, rank + 1, dtype=pl.Int32),
        valid_until=pl.lit(None, pl.Date),
        paused=pl.lit(False),
        excluded=pl.col("excluded").fill_null(pl.lit([], pl.List(item))),
        **{
            EXCLUDED_ORGANIZATIONS: pl.col(EXCLUDED_ORGANIZATIONS).fill_null(
                pl.lit([], pl.List(pl.String))
            )
        },
    ).select(_keyed_schema().names)
    return out.to_arrow().cast(_keyed_schema())


def _organizations(objects: Mapping[str, Certification]) -> dict[str, list[str]]:
    """The organization of each excluded record of certifications ``certify_many`` gave."""
    from volunteer_rules.rules.results import Certifications

    assert isinstance(objects, Certifications)
    found: dict[str, list[str]] = {}
    for exclusion in objects.exclusions():
        found.setdefault(exclusion.volunteer_id, []).append(exclusion.organization_id)
    return found


def _certify(table: pa.Table, rule_set: RuleSet, as_of: _dt.date, keyed: bool) -> pa.Table:
    """Certify the volunteers a table of records is for, through the table engine.

    With ``keyed``, the table has the :data:`EXCLUDED_ORGANIZATIONS` column too.
    """
    import polars as pl
    import pyarrow as pa

    from volunteer_rules.tables._convert import TableSource
    from volunteer_rules.tables.io import read_frame
    from volunteer_rules.tables.results import _certify_source

    schema = _keyed_schema() if keyed else certification_schema()
    frame, wanted = _record_frame(table)
    if frame.is_empty():
        return schema.empty_table()
    read = read_frame(frame)
    if read.errors.height:
        raise _refusal(frame, read.errors)
    found = _certify_source(TableSource(read.records), rule_set, as_of, order=True)
    certified = found.table
    if wanted is not None:
        certified = certified.filter(pl.col("volunteer_id").is_in(wanted))
    objects = found.certifications
    by_objects = []
    if objects:
        names = [n for n in certified.get_column("volunteer_id").to_list() if n in objects]
        orgs = _organizations(objects) if keyed and names else {}
        for name in names:
            row = certification_row(objects[name])
            if keyed:
                row[EXCLUDED_ORGANIZATIONS] = orgs.get(name, [])
            by_objects.append(row)
        certified = certified.filter(~pl.col("volunteer_id").is_in(list(objects)))
    parts = []
    if certified.height:
        # settled in column steps: a held table is counted in one pass, whose outcomes are kept
        assert found.counted is not None
        parts.append(_from_columns(certified, found.counted).select(schema.names))
    if by_objects:
        parts.append(pa.Table.from_pylist(by_objects, schema=schema))
    if not parts:
        return schema.empty_table()
    return pa.concat_tables(parts).sort_by("volunteer_id")


def certify_partition(
    table: pa.Table | pa.RecordBatch,
    *,
    rule_set: RuleSet | str,
    as_of: _dt.date,
    registry: RuleSetRegistry | None = None,
    keyed: bool = False,
) -> pa.Table:
    """Certify every volunteer of one partition of records, through the table engine.

    The partition must hold all of its volunteers' records (and the rows that reach them; see
    :data:`BUCKET`). Without a :data:`BUCKET` column, every row is its volunteer's own. The
    rows are validated as :func:`~volunteer_rules.tables.io.read_frame` validates them (rule
    for rule :func:`~volunteer_rules.parse_record`'s) and certified by
    :func:`~volunteer_rules.tables.results.certify_table`'s engine; the result equals
    :func:`~volunteer_rules.certify_many`'s, volunteer by volunteer.

    Args:
        table: records in format v1 columns (see the module's description).
        rule_set: a rule set id or a ``RuleSet``.
        as_of: the day of the certification.
        registry: where to look the rule set id up.
        keyed: also give :data:`EXCLUDED_ORGANIZATIONS`, the organization of each excluded
            record (what :func:`exclusion_table` needs).

    Returns:
        The certification table (:func:`certification_schema`), ordered by volunteer id; with
        ``keyed``, :data:`EXCLUDED_ORGANIZATIONS` after its columns.

    Raises:
        RecordFormatError: a row breaks the record format (the message names the record; the
            first bad row is reported).
        InvalidValueError: a column is missing, unknown or of a type no row can be valid in
            (:func:`check_record_schema`).
        InvalidTypeError: ``table`` is not an Arrow table or batch, or ``as_of`` not a date.
        UnknownRuleSetError: no rule set under that id.

    Example:
        >>> import datetime as dt
        >>> import pyarrow as pa
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> other = dict(SAMPLE_RECORD_PAYLOAD, record_id="r-2", volunteer_id="V2", status="void")
        >>> table = pa.Table.from_pylist([SAMPLE_RECORD_PAYLOAD, other])
        >>> result = certify_partition(table, rule_set="cn-national", as_of=dt.date(2025, 1, 1))
        >>> [(r["volunteer_id"], r["counted_minutes"], r["excluded"]) for r in result.to_pylist()]
        [('V0000001', 120, []), ('V2', 0, [{'record_id': 'r-2', 'reason': 'not_verified'}])]
        >>> keyed = certify_partition(
        ...     table, rule_set="cn-national", as_of=dt.date(2025, 1, 1), keyed=True
        ... )
        >>> keyed.column(EXCLUDED_ORGANIZATIONS).to_pylist()
        [[], ['512111005000000154']]
    """
    chosen = _checked_rule_set(rule_set, as_of, registry)
    return _certify(_arrow(table), chosen, as_of, _flag(keyed))


def _flag(keyed: object) -> bool:
    if not isinstance(keyed, bool):
        raise InvalidTypeError("keyed", "must be a bool")
    return keyed


CHUNK_ROWS: Final = 50_000
"""Rows :func:`certify_batches` gathers before it certifies (whole volunteers, at least this)."""


def certify_batches(
    batches: Iterable[pa.RecordBatch],
    *,
    rule_set: RuleSet | str,
    as_of: _dt.date,
    registry: RuleSetRegistry | None = None,
    chunk_rows: int = CHUNK_ROWS,
    keyed: bool = False,
) -> Iterator[pa.RecordBatch]:
    """Certify a stream of record batches sorted by :data:`BUCKET`, a chunk at a time.

    Batches are gathered until they hold ``chunk_rows`` rows; then every volunteer of the
    chunk but the last is certified (:func:`certify_partition`), and the last volunteer's rows
    are held back until the next batch (or the end) shows they are complete. Memory is one
    chunk plus one volunteer's records, whatever the partition's size. This is what each Spark
    task runs (``mapInArrow`` over a partition sorted by volunteer).

    Args:
        batches: record batches with a :data:`BUCKET` column, sorted by it.
        rule_set: a rule set id or a ``RuleSet``.
        as_of: the day of the certification.
        registry: where to look the rule set id up.
        chunk_rows: rows to gather before certifying (a positive int; larger chunks cost
            less per row, and more memory).
        keyed: also give :data:`EXCLUDED_ORGANIZATIONS` (as :func:`certify_partition` does).

    Yields:
        Batches of the certification table (:func:`certification_schema`; with ``keyed``,
        :data:`EXCLUDED_ORGANIZATIONS` after its columns).

    Raises:
        InvalidValueError: ``chunk_rows`` is not a positive int.
        VolunteerRulesError: as :func:`certify_partition` raises it.

    Example:
        >>> import datetime as dt
        >>> import pyarrow as pa
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD as P
        >>> rows = [dict(P, record_id=f"r-{i}", certify_for=P["volunteer_id"]) for i in range(3)]
        >>> batches = pa.Table.from_pylist(rows).to_batches(max_chunksize=2)
        >>> out = certify_batches(batches, rule_set="cn-national", as_of=dt.date(2025, 1, 1))
        >>> [(r["volunteer_id"], r["counted_minutes"]) for b in out for r in b.to_pylist()]
        [('V0000001', 120)]
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, int) or chunk_rows < 1:
        raise InvalidValueError("chunk_rows", "must be a positive int")
    chosen = _checked_rule_set(rule_set, as_of, registry)
    keyed = _flag(keyed)
    held: list[pa.RecordBatch] = []
    rows = 0
    for batch in batches:
        if not isinstance(batch, pa.RecordBatch):
            raise InvalidTypeError("batches", "must be pyarrow RecordBatches")
        held.append(batch)
        rows += batch.num_rows
        if rows < chunk_rows:
            continue
        chunk = pa.Table.from_batches(held)
        buckets = chunk.column(BUCKET)
        cut = pc.index(buckets, buckets[-1]).as_py()  # the last volunteer's first row
        if cut <= 0:
            continue
        yield from _certify(chunk.slice(0, cut), chosen, as_of, keyed).to_batches()
        rest = chunk.slice(cut)
        held, rows = rest.to_batches(), rest.num_rows
    if rows:
        yield from _certify(pa.Table.from_batches(held), chosen, as_of, keyed).to_batches()


def exclusion_table(certifications: pa.Table | pa.RecordBatch) -> pa.Table:
    """The exclusion table of a keyed certification table (its ``excluded`` lists, one row each).

    Only the ``volunteer_id``, ``excluded`` and :data:`EXCLUDED_ORGANIZATIONS` columns are
    read: the table :func:`certify_partition` or :func:`certify_batches` give with
    ``keyed=True``. Each row names its record by its whole key (``organization_id``,
    ``record_id``).

    Args:
        certifications: a table (or batch) with the columns ``volunteer_id`` and ``excluded``
            of :func:`certification_schema`, and :data:`EXCLUDED_ORGANIZATIONS`.

    Returns:
        The exclusion table (:func:`exclusion_schema`), in the certifications' order.

    Raises:
        InvalidTypeError: ``certifications`` is not an Arrow table or batch.
        InvalidValueError: a column is missing (:data:`EXCLUDED_ORGANIZATIONS`: certify with
            ``keyed=True``), or a volunteer's organizations are not one per excluded record.

    Example:
        >>> import pyarrow as pa
        >>> table = pa.Table.from_pylist([{
        ...     "volunteer_id": "V1",
        ...     "excluded": [{"record_id": "r-1", "reason": "overlap"}],
        ...     "excluded_organizations": ["G-1"],
        ... }])
        >>> exclusion_table(table).to_pylist()  # doctest: +NORMALIZE_WHITESPACE
        [{'volunteer_id': 'V1', 'organization_id': 'G-1', 'position': 0, 'record_id': 'r-1',
          'reason': 'overlap'}]
    """
    import polars as pl

    given = _arrow(certifications)
    wanted = ["volunteer_id", "excluded", EXCLUDED_ORGANIZATIONS]
    missing = [name for name in wanted if name not in given.column_names]
    if missing:
        raise InvalidValueError(
            "certifications",
            f"missing column(s): {', '.join(missing)} (certify with keyed=True)",
        )
    frame = pl.from_arrow(given.select(wanted))
    assert isinstance(frame, pl.DataFrame)
    size = pl.col("excluded").list.len()
    uneven = frame.filter(size != pl.col(EXCLUDED_ORGANIZATIONS).list.len().fill_null(0))
    if uneven.height:
        raise InvalidValueError(
            "certifications",
            f"volunteer {uneven.item(0, 'volunteer_id')}: {EXCLUDED_ORGANIZATIONS} must hold"
            " one organization per excluded record",
        )
    rows = (
        frame.filter(size > 0)
        .with_columns(position=pl.int_ranges(0, size, dtype=pl.Int32))
        .explode("excluded", EXCLUDED_ORGANIZATIONS, "position")
        .select(
            "volunteer_id",
            organization_id=pl.col(EXCLUDED_ORGANIZATIONS),
            position="position",
            record_id=pl.col("excluded").struct.field("record_id"),
            reason=pl.col("excluded").struct.field("reason"),
        )
    )
    return rows.to_arrow().cast(exclusion_schema())


def exclusion_batches(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The exclusion table from batches of the keyed certification table, one batch per batch.

    Only the ``volunteer_id``, ``excluded`` and :data:`EXCLUDED_ORGANIZATIONS` columns are read
    (:func:`exclusion_table`).

    Args:
        batches: batches with the columns ``volunteer_id`` and ``excluded`` of
            :func:`certification_schema`, and :data:`EXCLUDED_ORGANIZATIONS`.

    Yields:
        Batches of the exclusion table (:func:`exclusion_schema`).

    Raises:
        VolunteerRulesError: as :func:`exclusion_table` raises it.

    Example:
        >>> import pyarrow as pa
        >>> batch = pa.RecordBatch.from_pylist([{
        ...     "volunteer_id": "V1",
        ...     "excluded": [{"record_id": "r-1", "reason": "overlap"}],
        ...     "excluded_organizations": ["G-1"],
        ... }])
        >>> [b.to_pylist() for b in exclusion_batches([batch])]  # doctest: +NORMALIZE_WHITESPACE
        [[{'volunteer_id': 'V1', 'organization_id': 'G-1', 'position': 0, 'record_id': 'r-1',
           'reason': 'overlap'}]]
    """
    import pyarrow as pa

    schema = exclusion_schema()
    for batch in batches:
        table = exclusion_table(batch).combine_chunks()
        out = table.to_batches()
        yield out[0] if out else pa.RecordBatch.from_pylist([], schema=schema)


def _routing_id(value: Any) -> Any:
    """A record, volunteer or amended record id as ``parse_record`` reads it: trimmed.

    What the adapters route rows by (anything but text is given back as it is: such a row is
    refused by its partition wherever it goes).

    Example:
        >>> _routing_id(" V1\u3000"), _routing_id(None)
        ('V1', None)
    """
    return value.strip() if isinstance(value, str) else value


def _routing_organization(value: Any) -> Any:
    """An organization id as ``parse_record`` reads it: trimmed, a credit code in uppercase.

    Example:
        >>> _routing_organization(" 51211100mj00000175"), _routing_organization("G-team")
        ('51211100MJ00000175', 'G-team')
    """
    if not isinstance(value, str):
        return value
    text = value.strip()
    return text if text.startswith("G-") else text.upper()


def bucket_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each row under its volunteer, plus every row that can change another volunteer's result.

    The rule the Spark and Dask adapters apply with joins, in plain Python (for a process pool,
    or to check an engine). A volunteer *reaches* the keys ``(organization_id, record_id)`` of
    their own records, and the key of every amendment of a key they reach (so chains: C
    amends B amends A). Every row whose key a volunteer reaches goes to that volunteer's
    partition: the amendments of their records (of anyone, chains followed), and every
    version of a key they hold under another volunteer (a key given with other content is a
    conflict, which every holder's result lists). So each partition decides as the
    single-process engine would.

    Args:
        rows: record rows (mappings with at least ``organization_id``, ``record_id``,
            ``volunteer_id`` and, for amendments, ``amends``).

    Ids are compared as :func:`~volunteer_rules.parse_record` reads them, trimmed and a
    credit code in uppercase: ``" V1"`` is volunteer ``V1``, and ``51211100mj00000175`` the
    organization ``51211100MJ00000175``.

    Returns:
        Copies of the rows with a :data:`BUCKET` value (the volunteer id as ``parse_record``
        reads it): first every row under its own volunteer, then the rows sent elsewhere.

    Example:
        >>> a = {"organization_id": "G-x", "record_id": "a", "volunteer_id": "V1"}
        >>> b = {"organization_id": "G-x", "record_id": "b", "volunteer_id": "V2", "amends": "a"}
        >>> [(r["record_id"], r[BUCKET]) for r in bucket_rows([a, b])]
        [('a', 'V1'), ('b', 'V2'), ('b', 'V1')]
    """
    own = [{**row, BUCKET: _routing_id(row["volunteer_id"])} for row in rows]
    versions: dict[tuple[Any, Any], list[dict[str, Any]]] = {}
    amenders: dict[tuple[Any, Any], list[tuple[Any, Any]]] = {}
    keys = []
    for row in own:
        organization = _routing_organization(row["organization_id"])
        key = (organization, _routing_id(row["record_id"]))
        keys.append(key)
        versions.setdefault(key, []).append(row)
        if row.get("amends") is not None:
            amenders.setdefault((organization, _routing_id(row["amends"])), []).append(key)
    work = deque(dict.fromkeys(zip(keys, (r[BUCKET] for r in own), strict=True)))
    reached = set(work)
    sent: list[dict[str, Any]] = []
    while work:
        key, to = work.popleft()
        sent.extend({**row, BUCKET: to} for row in versions[key] if row[BUCKET] != to)
        for amender in amenders.get(key, ()):
            if (amender, to) not in reached:
                reached.add((amender, to))
                work.append((amender, to))
    return own + sent
