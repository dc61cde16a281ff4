"""What the readers read: a path or a binary file, a chunk's rows, and the columns' names.

The source (:data:`Source`, opened by ``_open``, named in errors by ``_name``), how many rows a
chunk holds (:data:`CHUNK_ROWS`), the columns' names checked (``_names``: each once, a
byte-order mark and surrounding white space dropped) and other headers renamed to the
format's column names (``_rename``).

:mod:`volunteer_rules.tables.io` (the whole-table readers) and its chunk readers both use it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from typing import IO, Any, Final

import polars as pl
import pyarrow as pa

from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.tables.schema import CSV_HEADERS, RECORD_COLUMNS

CHUNK_ROWS: Final = 65_536
"""Rows read, checked and handed on at a time by the ``iter_*`` readers."""

Source = str | os.PathLike[str] | IO[bytes]


def _open(source: Source) -> tuple[IO[bytes], bool]:
    """The binary stream of ``source``, and whether it was opened here (and must be closed)."""
    if isinstance(source, (str, os.PathLike)):
        return open(source, "rb"), True
    if not hasattr(source, "read"):
        raise InvalidTypeError("source", "must be a path or a binary file object")
    return source, False


def _name(source: Source) -> str:
    """What an error calls ``source``: its path, or ``source`` for a file object."""
    return os.fspath(source) if isinstance(source, (str, os.PathLike)) else "source"


_DUPLICATED: Final = re.compile(r"(.+)_duplicated_[0-9]+")
"""How polars' CSV reader renames a header given again (``status_duplicated_0``)."""


def _names(names: Sequence[str], what: str = "table") -> list[str]:
    """The columns' names without a byte-order mark or surrounding white space, each once.

    Raises:
        InvalidValueError: a name is given twice (after that cleaning): which one, in ``what``.
    """
    clean = [name.lstrip("\ufeff").strip() for name in names]
    seen: set[str] = set()
    for name in clean:
        copy = _DUPLICATED.fullmatch(name)
        given = copy.group(1) if copy is not None and copy.group(1) in clean else name
        if given in seen:
            raise InvalidValueError(what, f"has the column {given!r} twice; keep one")
        seen.add(given)
    return clean


def _rename(
    frame: pl.DataFrame, columns: Mapping[str, str] | None, what: str = "table"
) -> pl.DataFrame:
    """The frame with ``columns`` and :data:`CSV_HEADERS` renamed to the format's names.

    Names are cleaned first (see :func:`_names`).
    """
    clean = _names(frame.columns, what)
    if clean != frame.columns:
        frame = frame.rename(dict(zip(frame.columns, clean, strict=True)))
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


_UNREADABLE: Final = (pl.exceptions.PolarsError, pa.ArrowException, TypeError, ValueError)


def _column(name: str, convert: Callable[[Any], Any], data: Any, kind: str) -> pl.Series:
    """``convert(data)``: a column in polars, or an error naming it (not polars' or Arrow's)."""
    try:
        made = convert(data)
    except _UNREADABLE:
        raise InvalidTypeError(
            "frame", f"column {name!r} is of a type the readers cannot read ({kind})"
        ) from None
    assert isinstance(made, pl.Series)
    return made.alias(name)


def _arrow_frame(table: pa.Table | pa.RecordBatch, what: str) -> pl.DataFrame:
    """An Arrow table or batch in polars, column by column (names checked by ``_names``)."""
    names = _names(table.schema.names, what)
    return _named(
        [
            _column(name, _from_arrow, table.column(k), str(field.type))
            for k, (name, field) in enumerate(zip(names, table.schema, strict=True))
        ],
        names,
    )


def _from_arrow(column: pa.ChunkedArray | pa.Array) -> Any:
    """An Arrow column in polars; a ``date64`` column as a date column, as in Parquet.

    (polars makes a ``date64`` column a date-time, which a date field refuses.)
    """
    if column.type == pa.date64():
        column = column.cast(pa.date32())
    return pl.from_arrow(column)


def _named(columns: list[pl.Series], names: list[str]) -> pl.DataFrame:
    """The columns as a DataFrame with these names (an empty one too, not ``column_0``)."""
    frame = pl.DataFrame(columns)
    frame.columns = names
    return frame
