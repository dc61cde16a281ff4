"""What the readers read: a path or a binary file, a chunk's rows, and the columns' names.

The source (:data:`Source`, opened by ``_open``), how many rows a chunk holds
(:data:`CHUNK_ROWS`), and other headers renamed to the format's column names (``_rename``).

:mod:`volunteer_rules.tables.io` (the whole-table readers) and its chunk readers both use it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import IO, Final

import polars as pl

from volunteer_rules.errors import InvalidTypeError
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


def _rename(frame: pl.DataFrame, columns: Mapping[str, str] | None) -> pl.DataFrame:
    """The frame with ``columns`` and :data:`CSV_HEADERS` renamed to the format's names."""
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
