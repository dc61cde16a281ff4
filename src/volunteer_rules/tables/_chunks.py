"""The readers' loops: a file read chunk by chunk, each row keeping its number.

:func:`json_chunks`, :func:`csv_chunks` and :func:`parquet_chunks` yield a :class:`Chunk` per
chunk: the valid rows (the record schema's columns and ``_row``, the row's number in the
file), the row errors, how many rows were read, and how much of the file is read so far (a
fraction, when it is known), for a progress display. The public readers of
:mod:`volunteer_rules.tables.io` are these loops without the numbers.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import IO, Any, Final, NamedTuple

import polars as pl
import pyarrow as pa
import pyarrow.json as pa_json
import pyarrow.parquet as pq

from volunteer_rules._canonical import read_json, why_not_json
from volunteer_rules._files import file_size
from volunteer_rules.errors import InvalidValueError
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.tables._sources import (
    CHUNK_ROWS,
    Source,
    _arrow_frame,
    _name,
    _names,
    _open,
    _rename,
)
from volunteer_rules.tables._steps import _check, _parser, _read_one_by_one
from volunteer_rules.tables.schema import RECORD_COLUMNS

__all__: list[str] = []

_BOM: Final = b"\xef\xbb\xbf"
Bytes = bytes | bytearray


class Chunk(NamedTuple):
    """One chunk: valid rows (with ``_row``), row errors, rows read, fraction of the file read."""

    valid: pl.DataFrame
    errors: pl.DataFrame
    rows: int
    done: float | None


def _numbered(raw: pl.DataFrame, base: int) -> pl.DataFrame:
    return raw.with_row_index("_row", offset=base).with_columns(pl.col("_row").cast(pl.Int64))


_NOT_CSV: Final = (
    "is not CSV the readers can read: UTF-8 text, a header row, every quote closed and no row"
    " with more cells than the header"
)
NOT_UTF8: Final = "is not UTF-8 text"
"""How the CSV reader's error begins for a file that is not UTF-8 (then its first such line)."""


def first_non_utf8(stream: IO[bytes]) -> tuple[int, int] | None:
    """The line and byte (both from 1) of the first bytes of ``stream`` that are not UTF-8.

    Read line by line from where the stream is; ``None`` when every line is UTF-8.

    Example:
        >>> import io
        >>> first_non_utf8(io.BytesIO(b"a,b" + bytes([10, 49, 44, 255])))
        (2, 3)
    """
    for number, raw in enumerate(stream, start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as error:
            return number, error.start + 1
    return None


def _why_not_csv(source: Source, error: Exception) -> str:
    """Why polars refused a CSV source, without quoting it (a cell may hold an ID number)."""
    if "utf-8" not in str(error).lower():
        return _NOT_CSV
    place = None
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as stream:
            place = first_non_utf8(stream)
    elif getattr(source, "seekable", lambda: False)():
        source.seek(0)
        place = first_non_utf8(source)
    return NOT_UTF8 + ("" if place is None else f": line {place[0]}, byte {place[1]}")


def _parquet_frames(parquet: pq.ParquetFile, chunk_rows: int, what: str) -> Iterator[pl.DataFrame]:
    """The file's rows, ``chunk_rows`` at a time; a damaged file is an error naming it."""
    batches = parquet.iter_batches(batch_size=chunk_rows)
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except pa.ArrowException as error:
            raise InvalidValueError(what, _not_parquet(error)) from None
        yield _arrow_frame(batch, what)


def _not_parquet(error: Exception) -> str:
    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return f"is not a Parquet file the readers can read ({reason})"


def _checked(
    frames: Iterable[pl.DataFrame],
    what: str,
    total: int,
    columns: Mapping[str, str] | None,
    from_text: bool,
    categories: list[str],
    parse: Callable[[dict[str, Any]], ServiceRecord],
) -> Iterator[Chunk]:
    """The frames of a file of ``total`` rows as chunks: renamed, numbered on from 1, checked.

    ``done`` is the rows read of ``total`` (``None`` for a file of no rows).
    """
    base = 1
    for frame in frames:
        raw = _numbered(_rename(frame, columns, what), base)
        base += raw.height
        valid, errors = _check(raw, from_text=from_text, categories=categories, parse=parse)
        yield Chunk(valid, errors, raw.height, (base - 1) / total if total else None)


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
        what = _name(source)
        try:
            parquet = pq.ParquetFile(stream)
            _names(parquet.schema_arrow.names, what)
        except pa.ArrowException as error:
            raise InvalidValueError(what, _not_parquet(error)) from None
        frames = _parquet_frames(parquet, chunk_rows, what)
        total = parquet.metadata.num_rows
        yield from _checked(frames, what, total, columns, False, categories, parse)
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
        what = _name(source)
        try:
            frame = pl.read_csv(stream, infer_schema=False)
        except pl.exceptions.NoDataError:  # an empty file: no rows
            frame = pl.DataFrame()
        except pl.exceptions.PolarsError as error:  # (its message may quote a cell: not shown)
            raise InvalidValueError(what, _why_not_csv(source, error)) from None
        frames = (frame.slice(start, chunk_rows) for start in range(0, frame.height, chunk_rows))
        yield from _checked(frames, what, frame.height, columns, True, categories, parse)
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
_JSON_READ: Final = pa_json.ReadOptions(block_size=1 << 20)
"""Arrow parses a block of lines in pieces of this size, on every core."""


def json_chunks(
    source: Source,
    *,
    chunk_rows: int = CHUNK_ROWS,
    default_tz: Any = None,
    extra_categories: Iterable[str] = (),
) -> Iterator[Chunk]:
    """JSON Lines, a block of about ``chunk_rows`` lines at a time; ``done`` is bytes read."""
    categories, parse = _parser(default_tz, extra_categories)
    stream, own = _open(source)
    try:
        size = file_size(stream)
        for block in _blocks(stream, chunk_rows):
            valid, errors, rows = _json_block(block, categories, parse)
            yield Chunk(valid, errors, rows, block.end / size if size else None)
    finally:
        if own:
            stream.close()


class _Block(NamedTuple):
    """Whole lines of the file: their bytes, the first one's number, how many (newlines)."""

    data: Bytes
    first: int
    lines: int
    end: int  # bytes of the file read up to the end of the block


_BLOCK_MOST: Final = 1 << 26
"""Bytes read at most for a block (then to the end of the line): long lines, fewer rows."""


def _blocks(stream: IO[bytes], chunk_rows: int) -> Iterator[_Block]:
    """The file in blocks of whole lines, each about ``chunk_rows`` lines long.

    The block's size in bytes follows the lines' average length so far. A byte-order mark at
    the start is dropped (its bytes still count in ``end``). A block is read into a buffer
    of its own and completed to the end of its last line, without copying it again.
    """
    first = 1
    read = 0
    average = 512
    readinto = getattr(stream, "readinto", None)
    while True:
        size = min(max(1 << 12, chunk_rows * average), _BLOCK_MOST)
        if readinto is not None:
            data = bytearray(size)
            del data[readinto(data) or 0 :]
        else:  # a file object without readinto
            data = bytearray(stream.read(size))
        if not data:
            return
        if not data.endswith(b"\n"):
            data += stream.readline()
        read += len(data)
        if first == 1 and data.startswith(_BOM):
            del data[: len(_BOM)]
        lines = data.count(b"\n") + (not data.endswith(b"\n"))
        yield _Block(data, first, lines, read)
        first += lines
        average = max(1, read // (first - 1))


_SHORTEST: Final = 2048
"""Fewest lines in a block halved again after Arrow's reader refuses it (then: line by line)."""
_ODD_LINE: Final = re.compile(rb"\n(?=[ \t\r]*(?:[\nn]|\xef\xbb\xbf|\Z))")
"""The end of a line followed by one that Arrow's reader reads otherwise than Python's: blank
(JSON's white space only: skipped without a row), starting with ``n`` (a ``null`` first in
its input crashes it, pyarrow 26) or with a byte-order mark (dropped first in its input)."""
_MANY_ODD: Final = 64
"""Odd lines in a block from which its lines are read as a list rather than around them."""


def _odd(line: Bytes) -> bool:
    """Whether ``line`` is blank, or starts with ``n`` or a byte-order mark (see above)."""
    start = line.lstrip(b" \t\r")
    return start[:1] in (b"", b"n") or start.startswith(_BOM)


def _odd_lines(data: Bytes) -> list[int]:
    """Where the odd lines of ``data`` start (a last newline followed by nothing: no line)."""
    head = data.find(b"\n")
    starts = [0] if _odd(data[: head if head >= 0 else len(data)]) else []
    starts.extend(found.end() for found in _ODD_LINE.finditer(data))
    return [start for start in starts if start < len(data)]


def _around_odd_lines(
    block: _Block,
    starts: list[int],
    categories: list[str],
    parse: Callable[[dict[str, Any]], ServiceRecord],
) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """A block with a few odd lines: the runs of lines between them as blocks, they alone."""
    data, number = block.data, block.first
    parts: list[tuple[pl.DataFrame, pl.DataFrame, int]] = []
    odd: list[tuple[int, Bytes]] = []
    position = 0
    for start in starts:
        if start > position:
            run = data[position:start]
            lines = run.count(b"\n")
            parts.append(_json_block(_Block(run, number, lines, 0), categories, parse))
            number += lines
        end = data.find(b"\n", start) + 1 or len(data)
        line = data[start:end]
        if line.strip():
            odd.append((number, line))
        number += 1
        position = end
    if position < len(data):
        run = data[position:]
        lines = run.count(b"\n") + (not run.endswith(b"\n"))
        parts.append(_json_block(_Block(run, number, lines, 0), categories, parse))
    valid, errors = _joined(
        [(valid, errors) for valid, errors, _ in parts] + [_one_by_one(odd, parse)]
    )
    return valid, errors, sum(rows for _, _, rows in parts) + len(odd)


def _json_block(
    block: _Block,
    categories: list[str],
    parse: Callable[[dict[str, Any]], ServiceRecord],
) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """Validate a block of lines: (valid rows with ``_row``, errors, non-blank lines).

    The block goes to Arrow's JSON reader whole, so that row ``i`` is line ``first + i``:
    when it has no blank line and gives one row a line. Lines that it refuses (not JSON, not
    an object of the format's types) are found by halving the block, and read line by line.
    """
    data, first, lines = block.data, block.first, block.lines
    odd = _odd_lines(data)
    if len(odd) > _MANY_ODD:
        numbered = _lines(data, first)
        valid, errors = _json_lines(numbered, categories, parse)
        return valid, errors, len(numbered)
    if odd:
        return _around_odd_lines(block, odd, categories, parse)
    table = _arrow_json(data)
    if table is not None and table.num_rows == lines:
        texts: list[Bytes] = []

        def reread(numbers: list[int]) -> Iterator[tuple[int, Any, tuple[str, str] | None]]:
            if not texts:
                texts.extend(data.split(b"\n"))
            for number in numbers:
                k = number - first
                yield (number, *_decoded(texts[k] + b"\n" if k < len(texts) - 1 else texts[k]))

        numbers = pl.int_range(first, first + lines, dtype=pl.Int64, eager=True)
        valid, errors = _check_json(table, numbers, categories, parse, reread)
        return valid, errors, lines
    if lines <= _SHORTEST:
        numbered = _lines(data, first)  # (and lines of other white space, "\f", refused)
        valid, errors = _one_by_one(numbered, parse)
        return valid, errors, len(numbered)
    cut = (
        data.find(b"\n", len(data) // 2, len(data) - 1) + 1
        or data.rfind(b"\n", 0, len(data) // 2) + 1
    )
    head = data[:cut].count(b"\n")
    parts = [
        _json_block(_Block(data[:cut], first, head, 0), categories, parse),
        _json_block(_Block(data[cut:], first + head, lines - head, 0), categories, parse),
    ]
    valid, errors = _joined([(valid, errors) for valid, errors, _ in parts])
    return valid, errors, sum(rows for _, _, rows in parts)


def _lines(data: Bytes, first: int) -> list[tuple[int, Bytes]]:
    """The non-blank lines of ``data`` numbered from ``first``, with their newlines."""
    texts: list[Bytes] = [*data.split(b"\n")]
    end = texts.pop()  # after the last newline: nothing, or a last line without one
    numbered = [
        (number, text + b"\n") for number, text in enumerate(texts, start=first) if text.strip()
    ]
    if end.strip():
        numbered.append((first + len(texts), end))
    return numbered


def _arrow_json(data: Bytes) -> pa.Table | None:
    """Arrow's JSON reader with the format's types, or ``None`` if it refuses ``data``.

    Arrow's reader takes text that is not UTF-8 into its strings as it is: the full
    validation of the table refuses that too.
    """
    try:
        table = pa_json.read_json(
            pa.BufferReader(pa.py_buffer(data)),
            read_options=_JSON_READ,
            parse_options=_JSON_OPTIONS,
        )
        table.validate(full=True)
    except pa.ArrowInvalid:
        return None
    return table


def _check_json(
    table: pa.Table,
    numbers: pl.Series,
    categories: list[str],
    parse: Callable[[dict[str, Any]], ServiceRecord],
    reread: Callable[[list[int]], Iterable[tuple[int, Any, tuple[str, str] | None]]],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The column steps on Arrow's rows (row ``i`` is line ``numbers[i]``).

    Rows they cannot vouch for are read again from their lines (``reread``): Arrow's row of
    a line ``null`` or of an empty evaluation object is not what ``parse_record`` is given.
    """
    raw = pl.from_arrow(table)
    assert isinstance(raw, pl.DataFrame)
    evaluation = pl.col("evaluation")
    raw = raw.with_columns(
        # An evaluation object present lacks no field here: a missing one is "" (no rating,
        # no date), and the column steps send the row to be read again from its line.
        evaluation_rating=pl.when(evaluation.is_not_null()).then(
            evaluation.struct.field("rating").fill_null("")
        ),
        evaluation_date=pl.when(evaluation.is_not_null()).then(
            evaluation.struct.field("date").fill_null("")
        ),
        _row=numbers,
    ).drop("evaluation")
    return _check(raw, from_text=False, categories=categories, parse=parse, reread=reread)


def _json_lines(
    lines: list[tuple[int, Bytes]],
    categories: list[str],
    parse: Callable[[dict[str, Any]], ServiceRecord],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Validate non-blank lines ``(number, text)``: Arrow's JSON reader, else line by line.

    Lines that start with ``n`` are read line by line (see ``_ODD_LINE``); lines Arrow's
    reader refuses are found by halving the lines.
    """
    usual = [line for line in lines if not _odd(line[1])]
    table = _arrow_json(b"".join(text for _, text in usual)) if usual else None
    if table is None or table.num_rows != len(usual):  # refused, or a line held two values
        if len(usual) <= _SHORTEST:
            return _one_by_one(lines, parse)
        half = len(lines) // 2
        return _joined(
            [
                _json_lines(lines[:half], categories, parse),
                _json_lines(lines[half:], categories, parse),
            ]
        )
    texts = dict(usual)

    def reread(numbers: list[int]) -> Iterator[tuple[int, Any, tuple[str, str] | None]]:
        for number in numbers:
            yield (number, *_decoded(texts[number]))

    numbers = pl.Series([number for number, _ in usual], dtype=pl.Int64)
    parts = [_check_json(table, numbers, categories, parse, reread)]
    if len(usual) < len(lines):
        parts.append(_one_by_one([line for line in lines if _odd(line[1])], parse))
    return _joined(parts)


def _joined(parts: list[tuple[pl.DataFrame, pl.DataFrame]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Valid rows and errors of parts of a chunk together, in the order of their rows."""
    valid = [part for part, _ in parts]
    return (
        pl.concat(
            [valid[0], *(part.select(valid[0].columns) for part in valid[1:])],
            how="vertical_relaxed",
        ).sort("_row"),
        pl.concat([errors for _, errors in parts]).sort("row", maintain_order=True),
    )


def _decoded(text: Bytes) -> tuple[Any, tuple[str, str] | None]:
    """A line's JSON value, or ``(code, message)``: the command line's words for a bad line."""
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, ("invalid_encoding", why_not_json(error))
    try:
        return read_json(decoded), None
    except ValueError as error:  # json.JSONDecodeError, or too deep (JsonNestingError)
        return None, ("invalid_json", why_not_json(error))


def _one_by_one(
    lines: list[tuple[int, Bytes]], parse: Callable[[dict[str, Any]], ServiceRecord]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Non-blank lines ``(number, text)`` read by Python's JSON reader and ``parse_record``."""
    return _read_one_by_one(((number, *_decoded(text)) for number, text in lines), parse)
