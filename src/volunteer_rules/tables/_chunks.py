"""The readers' loops: a file read chunk by chunk, each row keeping its number.

:func:`json_chunks`, :func:`csv_chunks` and :func:`parquet_chunks` yield a :class:`Chunk` per
chunk: the valid rows (the record schema's columns and ``_row``, the row's number in the
file), the row errors, how many rows were read, and how much of the file is read so far (a
fraction, when it is known), for a progress display. The public readers of
:mod:`volunteer_rules.tables.io` are these loops without the numbers.
"""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import IO, Any, Final, NamedTuple

import polars as pl
import pyarrow as pa
import pyarrow.json as pa_json
import pyarrow.parquet as pq

from volunteer_rules._canonical import read_json
from volunteer_rules.errors import RecordFormatError
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.tables.io import (
    _ERROR_SCHEMA,
    _POLARS_SCHEMA,
    CHUNK_ROWS,
    Source,
    _check,
    _flat,
    _frame,
    _open,
    _parser,
    _rename,
)
from volunteer_rules.tables.schema import RECORD_COLUMNS

__all__: list[str] = []

_BOM: Final = b"\xef\xbb\xbf"


class Chunk(NamedTuple):
    """One chunk: valid rows (with ``_row``), row errors, rows read, fraction of the file read."""

    valid: pl.DataFrame
    errors: pl.DataFrame
    rows: int
    done: float | None


def _size(stream: IO[bytes]) -> int | None:
    """The size of a regular file behind ``stream`` (``None`` for a pipe or a buffer)."""
    try:
        status = os.fstat(stream.fileno())
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None
    return status.st_size if stat.S_ISREG(status.st_mode) and status.st_size > 0 else None


def _numbered(raw: pl.DataFrame, base: int) -> pl.DataFrame:
    return raw.with_row_index("_row", offset=base).with_columns(pl.col("_row").cast(pl.Int64))


def parquet_chunks(
    source: Source,
    *,
    columns: Mapping[str, str] | None = None,
    chunk_rows: int = CHUNK_ROWS,
    default_tz: Any = None,
    extra_categories: Iterable[str] = (),
) -> Iterator[Chunk]:
    """A Parquet file, ``chunk_rows`` rows at a time; ``done`` is rows read of the file's rows."""
    categories, parse = _parser(default_tz, extra_categories)
    stream, own = _open(source)
    try:
        parquet = pq.ParquetFile(stream)
        total = parquet.metadata.num_rows
        base = 1
        for batch in parquet.iter_batches(batch_size=chunk_rows):
            raw = _numbered(_rename(_frame(batch), columns), base)
            base += raw.height
            valid, errors = _check(raw, from_text=False, categories=categories, parse=parse)
            yield Chunk(valid, errors, raw.height, (base - 1) / total if total else None)
    finally:
        if own:
            stream.close()


def csv_chunks(
    source: Source,
    *,
    columns: Mapping[str, str] | None = None,
    chunk_rows: int = CHUNK_ROWS,
    default_tz: Any = None,
    extra_categories: Iterable[str] = (),
) -> Iterator[Chunk]:
    """A CSV file (read as text columns at once), checked ``chunk_rows`` rows at a time."""
    categories, parse = _parser(default_tz, extra_categories)
    stream, own = _open(source)
    try:
        frame = pl.read_csv(stream, infer_schema=False)
        base = 1
        for start in range(0, frame.height, chunk_rows):
            raw = _numbered(_rename(frame.slice(start, chunk_rows), columns), base)
            base += raw.height
            valid, errors = _check(raw, from_text=True, categories=categories, parse=parse)
            yield Chunk(valid, errors, raw.height, (base - 1) / frame.height)
    finally:
        if own:
            stream.close()


_JSON_SCHEMA: Final = pa.schema(
    [
        ("format_version", pa.int64()),
        *((name, pa.string()) for name in RECORD_COLUMNS[1:12]),
        ("service_minutes", pa.int64()),
        *((name, pa.string()) for name in RECORD_COLUMNS[13:17]),
        ("evaluation", pa.struct([("rating", pa.string()), ("date", pa.string())])),
        ("beneficiary", pa.string()),
        ("group_service", pa.bool_()),
        ("amends", pa.string()),
    ]
)
_JSON_OPTIONS: Final = pa_json.ParseOptions(
    explicit_schema=_JSON_SCHEMA, unexpected_field_behavior="error"
)


def json_chunks(
    source: Source,
    *,
    chunk_rows: int = CHUNK_ROWS,
    default_tz: Any = None,
    extra_categories: Iterable[str] = (),
) -> Iterator[Chunk]:
    """JSON Lines, ``chunk_rows`` non-blank lines at a time; ``done`` is bytes read of the size."""
    categories, parse = _parser(default_tz, extra_categories)
    stream, own = _open(source)
    try:
        size = _size(stream)
        tell = stream.tell if size is not None else None
        pending: list[tuple[int, bytes]] = []
        for number, line in enumerate(stream, start=1):
            if number == 1 and line.startswith(_BOM):
                line = line[len(_BOM) :]
            if not line.strip():
                continue
            pending.append((number, line))
            if len(pending) >= chunk_rows:
                valid, errors = _json_chunk(pending, categories, parse)
                done = tell() / size if tell is not None and size else None
                yield Chunk(valid, errors, len(pending), done)
                pending = []
        if pending:
            valid, errors = _json_chunk(pending, categories, parse)
            yield Chunk(valid, errors, len(pending), 1.0 if size is not None else None)
    finally:
        if own:
            stream.close()


def _json_chunk(
    lines: list[tuple[int, bytes]],
    categories: list[str],
    parse: Callable[[dict[str, Any]], ServiceRecord],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Validate non-blank lines ``(number, text)``: Arrow's JSON reader, else line by line."""
    try:
        table = pa_json.read_json(
            io.BytesIO(b"\n".join(text.rstrip(b"\r\n") for _, text in lines)),
            read_options=pa_json.ReadOptions(block_size=1 << 26),
            parse_options=_JSON_OPTIONS,
        )
        if table.num_rows != len(lines):
            raise ValueError("a line held more than one value")
    except (pa.ArrowInvalid, ValueError):
        return _one_by_one(lines, parse)
    raw = pl.from_arrow(table)
    assert isinstance(raw, pl.DataFrame)
    raw = raw.with_columns(
        evaluation_rating=pl.col("evaluation").struct.field("rating"),
        evaluation_date=pl.col("evaluation").struct.field("date"),
        _row=pl.Series([number for number, _ in lines], dtype=pl.Int64),
    ).drop("evaluation")
    # A JSON null is an absent field for parse_record; an evaluation object with one key is
    # not: such rows (rating xor date) fail the column steps and parse_record reads them.
    return _check(raw, from_text=False, categories=categories, parse=parse)


def _decoded(text: bytes) -> tuple[Any, tuple[str, str] | None]:
    """A line's JSON value, or ``(code, message)``: the command line's words for a bad line."""
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, (
            "invalid_encoding",
            f"not UTF-8: {error.reason} at column {error.start + 1}",
        )
    try:
        return read_json(decoded), None
    except ValueError as error:  # json.JSONDecodeError
        message = getattr(error, "msg", str(error)).removesuffix(" at")
        column = getattr(error, "colno", None)
        where = f" at column {column}" if column is not None else ""
        return None, ("invalid_json", f"not valid JSON: {message}{where}")
    except RecursionError:
        return None, ("invalid_json", "not valid JSON: nested too deeply")


def _one_by_one(
    lines: list[tuple[int, bytes]], parse: Callable[[dict[str, Any]], ServiceRecord]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    read: list[dict[str, Any]] = []
    errors: list[tuple[int, str, str, str]] = []
    for number, text in lines:
        payload, problem = _decoded(text)
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
