"""Record tables from files and DataFrames, validated as ``parse_record`` validates, and back.

Each reader gives a :class:`RecordTable`: the valid records as a table in the Arrow schema of
record format v1 (:func:`~volunteer_rules.tables.schema.record_schema`) and a table of row
errors (``row, path, code, message``, with exactly :func:`~volunteer_rules.parse_record`'s
paths and codes). A bad row never stops the reading.

A row means the JSON object whose fields are its non-null cells (``evaluation_rating`` and
``evaluation_date`` make ``evaluation``; ``extensions`` is JSON text; dates and date-times
are their ISO text; in CSV, a cell of digits in ``format_version`` or ``service_minutes`` is
a number and ``true``/``false`` in ``group_service`` a boolean). A row is valid exactly when
``parse_record`` accepts that object, and the valid table holds the canonical values.

How it is fast: the usual row (canonical values) is checked in column steps, the rules that
concern one value (an organization's check digits, a region code, a volunteer id) once per
distinct value; only a row that fails a column step (or has ``extensions``, or is not in the
canonical form) is read by ``parse_record`` itself, which says what is wrong or gives its
canonical values. JSON Lines are decoded by Arrow's JSON reader with the exact types of the
format, a block of lines at a time, whole (row ``i`` is line ``first + i`` when no line is
blank); lines that it refuses (not a JSON object of the format's types) are found by halving
the block and read line by line, and a row that fails a column step is read again from its
line by Python's JSON reader, so that every line means what it means to ``parse_record``.

Example:
    >>> import io, json
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> good = json.dumps(SAMPLE_RECORD_PAYLOAD)
    >>> bad = json.dumps(dict(SAMPLE_RECORD_PAYLOAD, record_id="r-2", status="done"))
    >>> lines = "".join(line + chr(10) for line in (good, bad))
    >>> table = read_json_lines(io.BytesIO(lines.encode()))
    >>> table.records.height, table.errors.select("row", "path", "code").rows()
    (1, [(2, '$.status', 'unknown_code')])
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, Any, Final

import attrs
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from volunteer_rules.errors import InvalidTypeError
from volunteer_rules.hours import Hours
from volunteer_rules.records.record import (
    FIELDS,
    Evaluation,
    ServiceRecord,
)
from volunteer_rules.records.region import RegionCode
from volunteer_rules.tables._chunks import csv_chunks, json_chunks, parquet_chunks
from volunteer_rules.tables._sources import (
    CHUNK_ROWS,
    Source,
    _arrow_frame,
    _column,
    _named,
    _names,
    _rename,
)
from volunteer_rules.tables._steps import (
    _EMPTY_RECORDS,
    _POLARS_SCHEMA,
    _check,
    _empty_errors,
    _flat,
    _parser,
    _payload,
)
from volunteer_rules.tables.schema import (
    RECORD_COLUMNS,
    record_schema,
)

__all__ = [
    "RecordTable",
    "iter_csv",
    "iter_json_lines",
    "iter_parquet",
    "read_csv",
    "read_frame",
    "read_json_lines",
    "read_parquet",
    "records_of",
    "table_of_records",
    "write_csv",
    "write_json_lines",
    "write_parquet",
]


@attrs.frozen(kw_only=True)
class RecordTable:
    """Valid records as a table, and the rows that were not valid.

    Attributes:
        records: a ``polars.DataFrame`` in the record schema, in input order.
        errors: a ``polars.DataFrame`` of ``row`` (1-based line or data row), ``path``,
            ``code`` and ``message``, one row per problem.
        rows: how many rows (non-blank lines) were read.

    Example:
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> import polars as pl
        >>> table = read_frame(pl.DataFrame([SAMPLE_RECORD_PAYLOAD]))
        >>> table.records.height, table.errors.height, table.rows
        (1, 0, 1)
    """

    records: Any
    errors: Any
    rows: int

    def to_arrow(self) -> pa.Table:
        """The valid records as an Arrow table.

        Example:
            >>> read_frame(pl.DataFrame()).to_arrow().num_rows
            0
        """
        return self.records.to_arrow().cast(record_schema())

    def to_pandas(self) -> Any:
        """The valid records as a pandas DataFrame (needs pandas).

        Example:
            >>> len(read_frame(pl.DataFrame()).to_pandas())
            0
        """
        return self.records.to_pandas()

    def to_polars(self) -> pl.DataFrame:
        """The valid records as a polars DataFrame.

        Example:
            >>> read_frame(pl.DataFrame()).to_polars().columns[:2]
            ['format_version', 'record_id']
        """
        return self.records  # type: ignore[no-any-return]

    def to_rows(self) -> list[dict[str, Any]]:
        """The valid records as JSON objects of the format (canonical, as ``dump_record``).

        Example:
            >>> read_frame(pl.DataFrame()).to_rows()
            []
        """
        return [_payload(row) for row in self.records.iter_rows(named=True)]


def table_of_records(records: Iterable[ServiceRecord]) -> pl.DataFrame:
    """Record objects as a table in the record schema.

    Example:
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> table = table_of_records([vr.parse_record(SAMPLE_RECORD_PAYLOAD)])
        >>> table.select("record_id", "service_minutes", "recorded_at").row(0)
        ('r-2024-0001', 120, '2024-05-02T09:15:00+08:00')
    """
    rows = []
    for record in records:
        if not isinstance(record, ServiceRecord):
            raise InvalidTypeError(
                "records", f"must contain ServiceRecord values, not {type(record).__name__}"
            )
        rows.append(_flat(record))
    if not rows:
        return _EMPTY_RECORDS.clear()
    return pl.DataFrame(rows, schema=_POLARS_SCHEMA, orient="row")


def records_of(table: Any) -> list[ServiceRecord]:
    """The record objects of a valid record table (a :class:`RecordTable` or its ``records``).

    Example:
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> records_of(table_of_records([record])) == [record]
        True
    """
    frame = table.records if isinstance(table, RecordTable) else _frame(table)
    return [_record_of(row) for row in frame.iter_rows(named=True)]


def _moment(text: str | None) -> _dt.datetime | None:
    return None if text is None else _dt.datetime.fromisoformat(text)


def _record_of(row: Mapping[str, Any]) -> ServiceRecord:
    """The record of a row of a valid record table (its values are already checked)."""
    rating = row["evaluation_rating"]
    extensions = row["extensions"]
    return ServiceRecord(
        record_id=row["record_id"],
        volunteer_id=row["volunteer_id"],
        organization_id=row["organization_id"],
        activity_name=row["activity_name"],
        service_category=row["service_category"],
        content=row["content"],
        place=row["place"],
        region_code=_region(row["region_code"]),
        date=row["date"],
        start=_moment(row["start"]),
        end=_moment(row["end"]),
        service=Hours.from_minutes(row["service_minutes"]),
        person_in_charge=row["person_in_charge"],
        recorded_by=row["recorded_by"],
        recorded_at=_dt.datetime.fromisoformat(row["recorded_at"]),
        status=row["status"],
        evaluation=None
        if rating is None
        else Evaluation(rating=rating, date=row["evaluation_date"]),
        beneficiary=row["beneficiary"],
        group_service=bool(row["group_service"]),
        amends=row["amends"],
        extensions=None if extensions is None else json.loads(extensions),
    )


_REGIONS: Final[dict[str, RegionCode]] = {}


def _region(code: str) -> RegionCode:
    found = _REGIONS.get(code)
    if found is None:
        found = _REGIONS[code] = RegionCode.parse(code)
    return found


def _table(parts: list[tuple[pl.DataFrame, pl.DataFrame]], rows: int) -> RecordTable:
    valid = [v for v, _ in parts if not v.is_empty()]
    errors = [e for _, e in parts if not e.is_empty()]
    records = pl.concat(valid).drop("_row") if valid else _EMPTY_RECORDS.clear()
    return RecordTable(
        records=records,
        errors=pl.concat(errors) if errors else _empty_errors(),
        rows=rows,
    )


def _chunk_table(valid: pl.DataFrame, errors: pl.DataFrame, rows: int) -> RecordTable:
    return RecordTable(records=valid.drop("_row"), errors=errors, rows=rows)


# --- readers ----------------------------------------------------------------------------------


def _frame(frame: Any) -> pl.DataFrame:
    if isinstance(frame, pl.DataFrame):
        return frame
    if isinstance(frame, RecordTable):
        return frame.records  # type: ignore[no-any-return]
    if isinstance(frame, (pa.Table, pa.RecordBatch)):
        return _arrow_frame(frame, "frame")
    if type(frame).__module__.startswith("pandas"):
        names = _names([str(name) for name in frame.columns], "frame")
        return _named(
            [_pandas_column(name, frame.iloc[:, k]) for k, name in enumerate(names)], names
        )
    raise InvalidTypeError(
        "frame",
        f"must be a polars or pandas DataFrame or an Arrow table, not {type(frame).__name__}",
    )


def _pandas_column(name: str, series: Any) -> pl.Series:
    """A pandas column as polars: each cell as the JSON value it means.

    A column of Python objects is not left to Arrow's inference, which refuses mixed types
    and would make a float of an integer beside a float: text stays text, dates dates and
    booleans booleans, and any other mix keeps its cells as they are (read by
    ``parse_record``). A missing value (``None``, ``NaN``, ``pd.NA``, ``NaT``) is no cell.
    """
    if series.dtype != object:
        return _column(name, pl.from_pandas, series, str(series.dtype))
    cells = [None if _missing(value) else value for value in series.tolist()]
    kinds = {type(value) for value in cells if value is not None}
    dtype = _OBJECT_KINDS.get(frozenset(kinds), pl.Object)
    return pl.Series(name, cells, dtype=dtype)


_OBJECT_KINDS: Final = {
    frozenset(): pl.String,
    frozenset({str}): pl.String,
    frozenset({bool}): pl.Boolean,
    frozenset({_dt.date}): pl.Date,
}


def _missing(value: Any) -> bool:
    """Whether a pandas cell is a missing value (``None``, ``NaN``, ``pd.NA``, ``NaT``)."""
    if value is None or (isinstance(value, float) and value != value):
        return True
    return type(value).__name__ in ("NAType", "NaTType")


def read_frame(
    frame: Any,
    *,
    columns: Mapping[str, str] | None = None,
    default_tz: Any = None,
    extra_categories: Iterable[str] = (),
) -> RecordTable:
    """Validate a polars or pandas DataFrame, or an Arrow table, of records.

    Args:
        frame: one row per record; columns named as the record schema (or mapped by
            ``columns`` and :data:`~volunteer_rules.tables.schema.CSV_HEADERS`).
        columns: ``{header: column}`` for other column names.
        default_tz: as for :func:`~volunteer_rules.parse_record`.
        extra_categories: as for :func:`~volunteer_rules.parse_record`.

    Returns:
        A :class:`RecordTable` (``row`` is the 1-based row number).

    Raises:
        InvalidTypeError: ``frame`` is not a DataFrame or an Arrow table.

    Example:
        >>> import polars as pl
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> frame = pl.DataFrame([SAMPLE_RECORD_PAYLOAD])
        >>> read_frame(frame.with_columns(service_minutes=pl.lit(0))).errors.rows()
        [(1, '$.service_minutes', 'out_of_range', 'service_minutes must be from 1 to 1440, not 0')]
    """
    raw = _rename(_frame(frame), columns)
    categories, parse = _parser(default_tz, extra_categories)
    raw = raw.with_row_index("_row", offset=1).with_columns(pl.col("_row").cast(pl.Int64))
    valid, errors = _check(raw, from_text=False, categories=categories, parse=parse)
    return _table([(valid, errors)], raw.height)


def iter_parquet(
    source: Source,
    *,
    columns: Mapping[str, str] | None = None,
    chunk_rows: int = CHUNK_ROWS,
    default_tz: Any = None,
    extra_categories: Iterable[str] = (),
) -> Iterator[RecordTable]:
    """Read a Parquet file chunk by chunk: one :class:`RecordTable` per chunk.

    Memory is bounded by the chunk. ``row`` numbers count from the file's first row.

    Example:
        >>> import io
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> import volunteer_rules as vr
        >>> sink = io.BytesIO()
        >>> write_parquet(table_of_records([vr.parse_record(SAMPLE_RECORD_PAYLOAD)]), sink)
        >>> [chunk.records.height for chunk in iter_parquet(io.BytesIO(sink.getvalue()))]
        [1]
    """
    for chunk in parquet_chunks(
        source,
        columns=columns,
        chunk_rows=chunk_rows,
        default_tz=default_tz,
        extra_categories=extra_categories,
    ):
        yield _chunk_table(chunk.valid, chunk.errors, chunk.rows)


def read_parquet(source: Source, **options: Any) -> RecordTable:
    """Read and validate a Parquet file of records (options as :func:`iter_parquet`).

    Example:
        >>> import io
        >>> sink = io.BytesIO()
        >>> write_parquet(table_of_records([]), sink)
        >>> read_parquet(io.BytesIO(sink.getvalue())).rows
        0
    """
    return _concat(iter_parquet(source, **options))


def _concat(chunks: Iterable[RecordTable]) -> RecordTable:
    records = []
    errors = []
    rows = 0
    for chunk in chunks:
        records.append(chunk.records)
        errors.append(chunk.errors)
        rows += chunk.rows
    return RecordTable(
        records=pl.concat(records) if records else _EMPTY_RECORDS.clear(),
        errors=pl.concat(errors) if errors else _empty_errors(),
        rows=rows,
    )


def iter_csv(
    source: Source,
    *,
    columns: Mapping[str, str] | None = None,
    chunk_rows: int = CHUNK_ROWS,
    default_tz: Any = None,
    extra_categories: Iterable[str] = (),
) -> Iterator[RecordTable]:
    """Read a CSV file (UTF-8, a header row) chunk by chunk: one :class:`RecordTable` each.

    Headers are the record schema's column names, or mapped by ``columns`` and
    :data:`~volunteer_rules.tables.schema.CSV_HEADERS`; an empty cell is an absent field.
    ``row`` is the data row's number (the header is row 0). The file's text is read at once
    (as columns), then checked a chunk at a time.

    Example:
        >>> import io
        >>> text = chr(10).join(["record_id,volunteer_id", "r-1,V1", ""])
        >>> [chunk.errors.get_column("code").to_list()[:2] for chunk in iter_csv(io.BytesIO(text.encode()))]
        [['missing', 'missing']]
    """
    for chunk in csv_chunks(
        source,
        columns=columns,
        chunk_rows=chunk_rows,
        default_tz=default_tz,
        extra_categories=extra_categories,
    ):
        yield _chunk_table(chunk.valid, chunk.errors, chunk.rows)


def read_csv(source: Source, **options: Any) -> RecordTable:
    """Read and validate a CSV file of records (options as :func:`iter_csv`).

    Example:
        >>> import io
        >>> read_csv(io.BytesIO(b"record_id")).rows
        0
    """
    return _concat(iter_csv(source, **options))


def iter_json_lines(
    source: Source,
    *,
    chunk_rows: int = CHUNK_ROWS,
    default_tz: Any = None,
    extra_categories: Iterable[str] = (),
) -> Iterator[RecordTable]:
    """Read JSON Lines (one record object a line) chunk by chunk: one :class:`RecordTable` each.

    A chunk is a block of about ``chunk_rows`` lines (its size in bytes follows the lines'
    average length). Blank lines are skipped (they keep their number); ``row`` is the 1-based
    line number. A
    byte-order mark at the start is ignored. A line that is not UTF-8 is an
    ``invalid_encoding`` error, one that is not JSON an ``invalid_json`` error (path ``$``),
    as the command line reports them.

    Example:
        >>> import io
        >>> lines = io.BytesIO(chr(10).join(["", "[1]", ""]).encode())
        >>> [chunk.errors.rows() for chunk in iter_json_lines(lines)]
        [[(2, '$', 'invalid_type', 'a record must be a JSON object, not array')]]
    """
    for chunk in json_chunks(
        source, chunk_rows=chunk_rows, default_tz=default_tz, extra_categories=extra_categories
    ):
        yield _chunk_table(chunk.valid, chunk.errors, chunk.rows)


def read_json_lines(source: Source, **options: Any) -> RecordTable:
    """Read and validate JSON Lines of records (options as :func:`iter_json_lines`).

    Example:
        >>> import io
        >>> read_json_lines(io.BytesIO(b"")).rows
        0
    """
    return _concat(iter_json_lines(source, **options))


# --- writers ----------------------------------------------------------------------------------


def _records_frame(table: Any) -> pl.DataFrame:
    frame = _frame(table)
    missing = [name for name in RECORD_COLUMNS if name not in frame.columns]
    if missing:
        raise InvalidTypeError("table", f"is not a record table (no column {missing[0]!r})")
    return frame.select(RECORD_COLUMNS)


def _sink(dest: Source) -> tuple[IO[bytes], bool]:
    if isinstance(dest, (str, os.PathLike)):
        return open(dest, "wb"), True
    if not hasattr(dest, "write"):
        raise InvalidTypeError("dest", "must be a path or a binary file object")
    return dest, False


def write_json_lines(table: Any, dest: Source) -> None:
    """Write a record table as JSON Lines, each record in its canonical form.

    Example:
        >>> import io, json
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> sink = io.BytesIO()
        >>> write_json_lines(table_of_records([vr.parse_record(SAMPLE_RECORD_PAYLOAD)]), sink)
        >>> json.loads(sink.getvalue()) == vr.dump_record(vr.parse_record(SAMPLE_RECORD_PAYLOAD))
        True
    """
    frame = _records_frame(table)
    stream, own = _sink(dest)
    try:
        for row in frame.iter_rows(named=True):
            payload = _payload(row)
            ordered = {name: payload[name] for name in FIELDS if name in payload}
            stream.write(json.dumps(ordered, ensure_ascii=False).encode() + b"\n")
    finally:
        if own:
            stream.close()


def write_csv(table: Any, dest: Source) -> None:
    """Write a record table as CSV (UTF-8, the schema's column names as headers).

    Example:
        >>> import io
        >>> sink = io.BytesIO()
        >>> write_csv(table_of_records([]), sink)
        >>> sink.getvalue().decode().split(",")[:2]
        ['format_version', 'record_id']
    """
    frame = _records_frame(table).with_columns(
        pl.col("group_service").replace_strict({True: "true", False: ""}, return_dtype=pl.String)
    )
    stream, own = _sink(dest)
    try:
        frame.write_csv(stream)
    finally:
        if own:
            stream.close()


def write_parquet(table: Any, dest: Source) -> None:
    """Write a record table as Parquet, in the record schema.

    Example:
        >>> import io
        >>> sink = io.BytesIO()
        >>> write_parquet(table_of_records([]), sink)
        >>> sink.getvalue()[:4]
        b'PAR1'
    """
    arrow = _records_frame(table).to_arrow().cast(record_schema())
    stream, own = _sink(dest)
    try:
        pq.write_table(arrow, stream)
    finally:
        if own:
            stream.close()
