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
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import IO, Any, Final

import attrs
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from volunteer_rules._canonical import read_json, whole_number
from volunteer_rules.errors import InvalidTypeError, RecordFormatError
from volunteer_rules.hours import Hours
from volunteer_rules.records import _fields
from volunteer_rules.records.record import (
    FIELDS,
    RATINGS,
    SERVICE_CATEGORIES,
    STATUSES,
    Evaluation,
    ServiceRecord,
    dump_record,
    parse_record,
)
from volunteer_rules.records.region import RegionCode
from volunteer_rules.tables.schema import (
    CSV_HEADERS,
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

CHUNK_ROWS: Final = 65_536
"""Rows read, checked and handed on at a time by the ``iter_*`` readers."""

Source = str | os.PathLike[str] | IO[bytes]


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


# --- the records schema in polars --------------------------------------------------------------

_TEXT_MAX: Final = {
    "activity_name": 200,
    "content": 2000,
    "place": 200,
    "person_in_charge": 100,
    "recorded_by": 100,
    "beneficiary": 200,
}
_SPACE_CLASS: Final = (
    r"\t-\r\x1c-\x20\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"
)
"""What ``str.strip`` removes (``str.isspace``), as a regex class (a test keeps them in step)."""
_UNSTORABLE_CLASS: Final = r"\x{fdd0}-\x{fdef}" + "".join(
    f"\\x{{{plane:x}fffe}}\\x{{{plane:x}ffff}}" for plane in range(17)
)
"""The non-characters of ``records._json.UNSTORABLE`` (text in polars holds no surrogates)."""
_ID: Final = r"^[A-Za-z0-9._-]{1,64}$"
_DATE: Final = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_DATETIME: Final = (
    r"^(19[0-9]{2}|2[0-9]{3})-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?"
    r"[+-](0[0-9]|1[0-9]|2[0-3]):[0-5][0-9]$"
)
_EMPTY_RECORDS: Final = pl.DataFrame(
    schema={
        name: pl.from_arrow(pa.schema([field]).empty_table()).dtypes[0]  # type: ignore[union-attr]
        for name, field in zip(RECORD_COLUMNS, record_schema(), strict=True)
    }
)
_ERROR_SCHEMA: Final = {"row": pl.Int64, "path": pl.String, "code": pl.String, "message": pl.String}
_POLARS_SCHEMA: Final = dict(_EMPTY_RECORDS.schema)


def _empty_errors() -> pl.DataFrame:
    return pl.DataFrame(schema=_ERROR_SCHEMA)


# --- one row as the JSON object it means ----------------------------------------------------------


def _cell(name: str, value: Any, from_text: bool) -> Any:
    """A cell's value as JSON (dates as text; CSV numbers and booleans read from text)."""
    if from_text and type(value) is str:
        if name in ("service_minutes", "format_version") and value.isascii() and value.isdigit():
            return whole_number(value)  # any length: a huge number is out_of_range, not a crash
        if name == "group_service" and value in ("true", "false"):
            return value == "true"
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _payload(row: Mapping[str, Any], from_text: bool = False) -> dict[str, Any]:
    """The JSON object a table row means (see the module docstring)."""
    payload: dict[str, Any] = {}
    evaluation: dict[str, Any] = {}
    for name, value in row.items():
        if value is None or name.startswith("_"):
            continue
        if name == "evaluation_rating":
            evaluation["rating"] = _cell(name, value, from_text)
        elif name == "evaluation_date":
            evaluation["date"] = _cell(name, value, from_text)
        elif name == "extensions" and type(value) is str:
            try:
                payload[name] = read_json(value)
            except ValueError:
                payload[name] = value
        elif name == "group_service" and value is False:
            continue
        else:
            payload[name] = _cell(name, value, from_text)
    if evaluation:
        payload["evaluation"] = evaluation
    if not payload.get("group_service", True):
        del payload["group_service"]
    return payload


def _flat(record: ServiceRecord) -> dict[str, Any]:
    """A record as one row of the record schema."""
    payload = dump_record(record)
    evaluation = payload.pop("evaluation", None)
    extensions = payload.pop("extensions", None)
    row = {name: payload.get(name) for name in RECORD_COLUMNS}
    row["date"] = record.date
    row["group_service"] = record.group_service
    if evaluation is not None:
        row["evaluation_rating"] = evaluation["rating"]
        row["evaluation_date"] = record.evaluation.date if record.evaluation else None
    if extensions is not None:
        row["extensions"] = json.dumps(extensions, ensure_ascii=False, sort_keys=False)
    return row


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


# --- validation -----------------------------------------------------------------------------


def _distinct_ok(column: pl.Series, check: Callable[[str], bool]) -> pl.Series:
    """``check`` applied once per distinct value of a text column, spread over its rows."""
    values = column.drop_nulls().unique().to_list()
    good = [value for value in values if check(value)]
    return column.is_in(good).fill_null(False)


_RESIDENT_ID: Final = r"^[0-9]{10}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]$"  # records._fields.RESIDENT_ID_RE, whole


def _volunteer_id_ok() -> pl.Expr:
    """A volunteer id ``parse_record`` keeps as it is: an id, not shaped as an ID number."""
    column = pl.col("volunteer_id")
    return column.str.contains(_ID).fill_null(False) & ~column.str.contains(_RESIDENT_ID).fill_null(
        True
    )


def _organization_ok(value: str) -> bool:
    problems = _fields.Problems("$")
    return _fields.read_organization_id(value, problems) == value and not problems.errors


_REGION_CODES: Final = frozenset(region.code for region in RegionCode.all())


def _region_ok(value: str) -> bool:
    return value in _REGION_CODES


_TEXT_FLAW: Final = f"^[{_SPACE_CLASS}]|[{_SPACE_CLASS}]$|[{_UNSTORABLE_CLASS}]"


def _text_ok(name: str) -> pl.Expr:
    """A text field ``parse_record`` keeps as it is: trimmed, not too long, storable."""
    column = pl.col(name)
    return column.str.len_chars().is_between(1, _TEXT_MAX[name]) & ~column.str.contains(_TEXT_FLAW)


def _date_ok(name: str) -> pl.Expr:
    column = pl.col(name)
    return (
        column.str.contains(_DATE)
        & column.str.to_date("%Y-%m-%d", strict=False).is_not_null()
        & column.str.slice(0, 4).is_between(pl.lit("1900"), pl.lit("2999"))
    )


def _canonical_datetime(name: str) -> pl.Expr:
    column = pl.col(name)
    return column.str.contains(_DATETIME) & ~column.str.ends_with(".000000")


def _instant(name: str) -> pl.Expr:
    """Microseconds since the epoch of a canonical date-time (null if it is no date-time).

    The local part is read by a fixed format and the offset and fraction by position: a third
    less time than one format with an offset (121 against 189 ms for 593,000 date-times).
    """
    column = pl.col(name)
    local = column.str.slice(0, 19).str.to_datetime(
        "%Y-%m-%dT%H:%M:%S", time_unit="us", strict=False
    )
    offset = column.str.slice(-6)
    hours, minutes = (offset.str.slice(k, 2).cast(pl.Int64, strict=False) for k in (1, 4))
    sign = pl.when(offset.str.starts_with("-")).then(-1).otherwise(1)
    fraction = pl.when(column.str.len_bytes() == 32).then(
        column.str.slice(20, 6).cast(pl.Int64, strict=False)
    )
    return local.dt.epoch("us") - sign * (hours * 60 + minutes) * 60_000_000 + fraction.fill_null(0)


def _per_value(frame: pl.DataFrame, name: str, check: pl.Expr) -> pl.Series:
    """``check`` (of column ``name``) once per distinct value, spread over the rows.

    Null where the column is null. For the columns whose values repeat (places, names,
    dates): up to half the time of checking every row (a date column of 63,000 rows: 2.1
    against 5.0 ms).
    """
    column = frame.get_column(name)
    distinct = column.unique().drop_nulls().to_frame()
    good = distinct.filter(check.fill_null(False)).get_column(name)
    return column.is_in(good.implode()).alias(name)


def _fast_ok(typed: pl.DataFrame, categories: Iterable[str]) -> pl.Series:
    """Rows that ``parse_record`` accepts as they are (canonical values), by column steps.

    Only a sufficient condition: a row it refuses is read by ``parse_record`` itself. The
    rules that concern one value are checked once per distinct value.
    """
    day = pl.col("date")
    minutes = pl.col("service_minutes")
    start, end, at = pl.col("_start_us"), pl.col("_end_us"), pl.col("_recorded_at_us")
    rating, rated = pl.col("evaluation_rating"), pl.col("evaluation_date")
    interval = pl.col("start").is_not_null()
    once = {
        "organization_id": _distinct_ok(typed.get_column("organization_id"), _organization_ok),
        "region_code": _distinct_ok(typed.get_column("region_code"), _region_ok),
        "date": _per_value(typed, "date", _date_ok("date")),
        "evaluation_date": _per_value(typed, "evaluation_date", _date_ok("evaluation_date")),
        "start": _per_value(typed, "start", _canonical_datetime("start")),
        "end": _per_value(typed, "end", _canonical_datetime("end")),
        **{name: _per_value(typed, name, _text_ok(name)) for name in _TEXT_MAX},
    }
    frame = typed.with_columns(
        # Each instant once (an eager select computes a repeated expression every time).
        **{f"_{name}_us": _instant(name) for name in ("start", "end", "recorded_at")},
        **{f"_{name}_ok": ok for name, ok in once.items()},
    )

    def passed(name: str) -> pl.Expr:
        return pl.col(f"_{name}_ok")

    checks = [
        pl.col("_suspect").not_(),
        pl.col("format_version") == 1,
        pl.col("record_id").str.contains(_ID),
        _volunteer_id_ok(),  # (per distinct value: slower, ids repeat little in a chunk)
        passed("organization_id"),
        passed("region_code"),
        *(passed(name) for name in _TEXT_MAX if name != "beneficiary"),
        passed("beneficiary").fill_null(True),
        pl.col("service_category").is_in(list(categories)),
        pl.col("status").is_in(list(STATUSES)),
        passed("date"),
        minutes.is_between(1, 1440),
        _canonical_datetime("recorded_at") & at.is_not_null(),
        pl.when(interval)
        .then(
            passed("start")
            & passed("end")
            & (start < end)
            & (end <= at)
            & (pl.col("start").str.slice(0, 10) == day)
            & (end - start >= minutes * 60_000_000)
        )
        .otherwise(pl.col("end").is_null() & (pl.col("recorded_at").str.slice(0, 10) >= day)),
        pl.when(rating.is_null() & rated.is_null())
        .then(True)
        .otherwise(rating.is_in(list(RATINGS)) & passed("evaluation_date") & (rated >= day)),
        pl.col("amends").is_null()
        | (pl.col("amends").str.contains(_ID) & (pl.col("amends") != pl.col("record_id"))),
        pl.col("extensions").is_null(),
    ]
    ok = pl.all_horizontal([check.fill_null(False) for check in checks])
    return frame.select(ok=ok).get_column("ok")


_TEXT_COLUMNS: Final = tuple(
    name
    for name in RECORD_COLUMNS
    if name not in ("format_version", "service_minutes", "group_service")
)


def _typed(raw: pl.DataFrame, from_text: bool) -> pl.DataFrame:
    """The columns as the column steps read them, and ``_suspect`` for rows they cannot judge.

    Every record column is there (null where absent); a cell whose type is not the format's
    (a number in a text column, say) makes its row suspect.
    """
    suspect = [
        pl.col(name).is_not_null()
        for name in raw.columns
        if name not in RECORD_COLUMNS and name != "_row"
    ]
    columns: list[pl.Expr] = []
    schema = raw.schema
    for name in RECORD_COLUMNS:
        if name not in schema:
            columns.append(pl.lit(None, _text_or(name)).alias(name))
            continue
        dtype = schema[name]
        column = pl.col(name)
        if name in ("format_version", "service_minutes"):
            if dtype.is_integer():
                columns.append(column.cast(pl.Int64))
            elif dtype == pl.String and from_text:
                number = column.str.to_integer(strict=False)
                suspect.append(
                    column.is_not_null() & (number.is_null() | ~column.str.contains(r"^[0-9]+$"))
                )
                columns.append(number.alias(name))
            else:
                suspect.append(column.is_not_null())
                columns.append(pl.lit(None, pl.Int64).alias(name))
        elif name == "group_service":
            if dtype == pl.Boolean:
                columns.append(column)
            elif dtype == pl.String and from_text:
                suspect.append(column.is_not_null() & ~column.is_in(["true", "false"]))
                columns.append((column == "true").alias(name))
            else:
                suspect.append(column.is_not_null())
                columns.append(pl.lit(None, pl.Boolean).alias(name))
        elif dtype == pl.String:
            columns.append(column)
        elif dtype == pl.Date:
            columns.append(column.dt.to_string("%Y-%m-%d"))
        elif isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
            columns.append(
                column.dt.to_string("%Y-%m-%dT%H:%M:%S%.6f%:z").str.replace(r"\.000000", "")
            )
        elif dtype == pl.Null:
            columns.append(column.cast(pl.String))
        else:
            suspect.append(column.is_not_null())
            columns.append(pl.lit(None, pl.String).alias(name))
    return raw.select(
        pl.col("_row"),
        *columns,
        _suspect=pl.any_horizontal(suspect) if suspect else pl.lit(False),
    )


def _text_or(name: str) -> Any:
    if name in ("format_version", "service_minutes"):
        return pl.Int64
    if name == "group_service":
        return pl.Boolean
    return pl.String


def _valid_rows(typed: pl.DataFrame) -> pl.DataFrame:
    """The record schema's columns of rows that passed the column steps."""
    return typed.select(
        pl.col("format_version").cast(pl.Int8),
        *(pl.col(name) for name in RECORD_COLUMNS[1:9]),
        pl.col("date").str.to_date("%Y-%m-%d"),
        pl.col("start"),
        pl.col("end"),
        pl.col("service_minutes").cast(pl.Int32),
        *(pl.col(name) for name in RECORD_COLUMNS[13:18]),
        pl.col("evaluation_date").str.to_date("%Y-%m-%d"),
        pl.col("beneficiary"),
        pl.col("group_service").fill_null(False),
        pl.col("amends"),
        pl.col("extensions"),
        pl.col("_row"),
    )


def _read_one_by_one(
    rows: Iterable[tuple[int, Any, tuple[str, str] | None]],
    parse: Callable[[dict[str, Any]], ServiceRecord],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``parse_record`` on each ``(row, payload, problem)``: (valid rows with ``_row``, errors).

    ``problem`` is a ``(code, message)`` already found for the whole row (path ``$``: a line
    that is not JSON, say); then ``payload`` is not read.
    """
    read: list[dict[str, Any]] = []
    errors: list[tuple[int, str, str, str]] = []
    for number, payload, problem in rows:
        if problem is not None:
            errors.append((number, "$", *problem))
            continue
        try:
            record = parse(payload)
        except RecordFormatError as error:
            errors.extend((number, e.path, e.code, e.message) for e in error.errors)
        else:
            flat = _flat(record)
            flat["_row"] = number
            read.append(flat)
    valid = pl.DataFrame(read, schema={**_POLARS_SCHEMA, "_row": pl.Int64}, orient="row")
    return valid, pl.DataFrame(errors, schema=_ERROR_SCHEMA, orient="row")


def _check(
    raw: pl.DataFrame,
    *,
    from_text: bool,
    categories: Iterable[str],
    parse: Callable[[dict[str, Any]], ServiceRecord],
    reread: Callable[[list[int]], Iterable[tuple[int, Any, tuple[str, str] | None]]] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Validate a raw chunk (with ``_row``): (valid rows with ``_row``, row errors).

    A row the column steps cannot vouch for is read by ``parse_record``: as the JSON object
    its cells mean, or, given ``reread``, as ``reread`` reads those rows' numbers again (JSON
    Lines: from the lines themselves, which a table cannot always say exactly).
    """
    typed = _typed(raw, from_text)
    ok = _fast_ok(typed, categories)
    valid = _valid_rows(typed.filter(ok))
    others = raw.filter(~ok)
    if others.is_empty():
        return valid, _empty_errors()
    if reread is not None:
        rows = reread(others.get_column("_row").to_list())
    else:
        rows = (
            (row["_row"], _payload(row, from_text), None) for row in others.iter_rows(named=True)
        )
    extra, errors = _read_one_by_one(rows, parse)
    if extra.height:
        valid = pl.concat([valid, extra.select(valid.columns)], how="vertical_relaxed").sort("_row")
    return valid, errors


def _parser(
    default_tz: Any, extra_categories: Iterable[str]
) -> tuple[list[str], Callable[[dict[str, Any]], ServiceRecord]]:
    extra = tuple(extra_categories)
    categories = [*SERVICE_CATEGORIES, *extra]

    def parse(payload: dict[str, Any]) -> ServiceRecord:
        return parse_record(payload, default_tz=default_tz, extra_categories=extra or ())

    if default_tz is not None:  # date-times without an offset: parse_record decides each
        categories = []
    return categories, parse


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


def _open(source: Source) -> tuple[IO[bytes], bool]:
    if isinstance(source, (str, os.PathLike)):
        return open(source, "rb"), True
    if not hasattr(source, "read"):
        raise InvalidTypeError("source", "must be a path or a binary file object")
    return source, False


def _frame(frame: Any) -> pl.DataFrame:
    if isinstance(frame, pl.DataFrame):
        return frame
    if isinstance(frame, RecordTable):
        return frame.records  # type: ignore[no-any-return]
    if isinstance(frame, (pa.Table, pa.RecordBatch)):
        made = pl.from_arrow(frame)
        assert isinstance(made, pl.DataFrame)
        return made
    if type(frame).__module__.startswith("pandas"):
        return pl.from_pandas(frame)
    raise InvalidTypeError(
        "frame",
        f"must be a polars or pandas DataFrame or an Arrow table, not {type(frame).__name__}",
    )


def _rename(frame: pl.DataFrame, columns: Mapping[str, str] | None) -> pl.DataFrame:
    mapping = {**CSV_HEADERS, **(columns or {})}
    renames = {
        name: mapping[name]
        for name in frame.columns
        if name in mapping and name not in RECORD_COLUMNS and mapping[name] not in frame.columns
    }
    frame = frame.rename(renames) if renames else frame
    if "format_version" not in frame.columns:  # a table of v1 records: the version is implied
        frame = frame.with_columns(format_version=pl.lit(1, pl.Int64))
    return frame


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
        [(1, '$.service_minutes', 'out_of_range', 'service_minutes must be 1 to 1440 (a day), not 0')]
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
    from volunteer_rules.tables._chunks import parquet_chunks

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
    from volunteer_rules.tables._chunks import csv_chunks

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
    from volunteer_rules.tables._chunks import json_chunks

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
