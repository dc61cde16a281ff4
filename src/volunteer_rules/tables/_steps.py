"""The column steps: a chunk of record rows validated as ``parse_record`` validates it.

:func:`_check` gives the valid rows (canonical values, the record schema's columns and
``_row``) and the row errors of a raw chunk. The usual row is vouched for by column steps,
the rules about one value once per distinct value; every other row is read by
``parse_record`` itself (see :mod:`volunteer_rules.tables.io`). Also here: a row as the JSON
object it means, and a record as a row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

import polars as pl
import pyarrow as pa

from volunteer_rules._canonical import JsonNestingError, read_json, whole_number
from volunteer_rules._privacy import MOBILE_NUMBER_PATTERN
from volunteer_rules.errors import FieldError, RecordFormatError
from volunteer_rules.records import _fields
from volunteer_rules.records.record import (
    MAX_EXTENSION_DEPTH,
    RATINGS,
    SERVICE_CATEGORIES,
    STATUSES,
    ServiceRecord,
    dump_record,
    parse_record,
)
from volunteer_rules.records.region import RegionCode
from volunteer_rules.tables.schema import RECORD_COLUMNS, record_schema

__all__: list[str] = []

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
_NOT_CANONICAL_DATETIME: Final = r"\.000000[+-]|-00:00$"
"""What ``_DATETIME`` lets through that ``parse_record`` writes otherwise: a fraction of
zero (written without one) and the offset ``-00:00`` (written ``+00:00``)."""
# (an empty table from no batches: pyarrow's Schema.empty_table() imports pandas, 0.3 s)
_EMPTY_RECORDS: Final = pl.DataFrame(pa.Table.from_batches([], schema=record_schema()))
_ERROR_SCHEMA: Final = {"row": pl.Int64, "path": pl.String, "code": pl.String, "message": pl.String}
_POLARS_SCHEMA: Final = dict(_EMPTY_RECORDS.schema)


def _empty_errors() -> pl.DataFrame:
    return pl.DataFrame(schema=_ERROR_SCHEMA)


# --- one row as the JSON object it means ----------------------------------------------------------


_WHEN: Final = frozenset({"date", "evaluation_date", "start", "end", "recorded_at"})
"""The fields whose cells may be dates or date-times (read as their ISO text)."""


def _cell(name: str, value: Any, from_text: bool) -> Any:
    """A cell's value as JSON (dates as text; CSV numbers and booleans read from text)."""
    if from_text and type(value) is str:
        if name in ("service_minutes", "format_version") and value.isascii() and value.isdigit():
            return whole_number(value)  # any length: a huge number is out_of_range, not a crash
        if name == "group_service" and value in ("true", "false", ""):
            return value == "true"  # (an empty text: false, as the CSV writer writes it)
        return value
    if name in _WHEN and hasattr(value, "isoformat"):
        return value.isoformat()
    return value  # (a date in a text field, say: parse_record names its type)


def _payload(row: Mapping[str, Any], from_text: bool = False) -> dict[str, Any]:
    """The JSON object a table row means (see the module docstring).

    Raises:
        RecordFormatError: the ``extensions`` cell is JSON nested too deeply to read at all;
            ``out_of_range`` at ``$.extensions``, as ``parse_record`` says of nesting too deep.
    """
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
            except JsonNestingError:
                raise RecordFormatError([_TOO_DEEP]) from None
            except ValueError:
                payload[name] = value
        elif name == "group_service" and value is False:
            continue
        else:
            payload[name] = _cell(name, value, from_text)
    if evaluation:
        payload["evaluation"] = evaluation
    if payload.get("group_service") is False:  # false is the default: the format leaves it out
        del payload["group_service"]
    return payload


_TOO_DEEP: Final = FieldError(
    "$.extensions",
    "out_of_range",
    f"extensions may nest at most {MAX_EXTENSION_DEPTH} levels deep",
)


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


# --- validation -----------------------------------------------------------------------------


def _distinct_ok(column: pl.Series, check: Callable[[str], bool]) -> pl.Series:
    """``check`` applied once per distinct value of a text column, spread over its rows."""
    values = column.drop_nulls().unique().to_list()
    good = [value for value in values if check(value)]
    return column.is_in(good).fill_null(False)


_PERSONAL_NUMBER: Final = (
    f"^(?:{_fields.RESIDENT_ID_RE.pattern}|{MOBILE_NUMBER_PATTERN})$"  # the record format's, whole
)


def _volunteer_id_ok() -> pl.Expr:
    """A volunteer id ``parse_record`` keeps as it is: an id, not a personal number's shape.

    The shapes are ``volunteer_id_problem``'s: a resident ID number or a mobile number.
    """
    column = pl.col("volunteer_id")
    return column.str.contains(_ID).fill_null(False) & ~column.str.contains(
        _PERSONAL_NUMBER
    ).fill_null(True)


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
    return column.str.contains(_DATETIME) & ~column.str.contains(_NOT_CANONICAL_DATETIME)


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
            if dtype.is_integer():  # (past Int64's range: not the column steps' to judge)
                number = column.cast(pl.Int64, strict=False)
                suspect.append(column.is_not_null() & number.is_null())
                columns.append(number)
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
        elif dtype == pl.Date and name in _WHEN:
            columns.append(column.dt.to_string("%Y-%m-%d"))
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


def _moments_as_text(raw: pl.DataFrame) -> pl.DataFrame:
    """Every date-time column of a date or date-time field as the text its cells mean.

    The text is Python's ``isoformat``. (In another field a date-time is no text:
    ``parse_record`` names its type.)

    ``YYYY-MM-DDTHH:MM:SS``, then the fraction of a second if any (6 digits, or 9 where
    nanoseconds are given: text ``parse_record`` refuses, never a value cut short), then the
    offset if the column has a time zone (none: ``parse_record`` says so, or applies
    ``default_tz``). Once here, the column steps and ``parse_record`` read the same text.
    """
    moments = {
        name: dtype
        for name, dtype in raw.schema.items()
        if isinstance(dtype, pl.Datetime) and name in _WHEN
    }
    if not moments:
        return raw
    return raw.with_columns(
        _moment_text(name, dtype.time_zone is not None) for name, dtype in moments.items()
    )


def _moment_text(name: str, zoned: bool) -> pl.Expr:
    column = pl.col(name)
    nanos = column.dt.nanosecond()
    fraction = (
        pl.when(nanos == 0)
        .then(pl.lit(""))
        .when(nanos % 1000 == 0)
        .then(pl.lit(".") + (nanos // 1000).cast(pl.String).str.zfill(6))
        .otherwise(pl.lit(".") + nanos.cast(pl.String).str.zfill(9))
    )
    offset = column.dt.strftime("%:z") if zoned else pl.lit("")
    return pl.concat_str(column.dt.strftime("%Y-%m-%dT%H:%M:%S"), fraction, offset).alias(name)


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
    raw = _moments_as_text(raw)
    typed = _typed(raw, from_text)
    ok = _fast_ok(typed, categories)
    valid = _valid_rows(typed.filter(ok))
    others = raw.filter(~ok)
    if others.is_empty():
        return valid, _empty_errors()
    if reread is not None:
        extra, errors = _read_one_by_one(reread(others.get_column("_row").to_list()), parse)
    else:

        def parse_row(row: dict[str, Any]) -> ServiceRecord:
            return parse(_payload(row, from_text))  # a cell too deep to read is a row error too

        rows = ((row["_row"], row, None) for row in others.iter_rows(named=True))
        extra, errors = _read_one_by_one(rows, parse_row)
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
