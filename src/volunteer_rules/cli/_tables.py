"""Reading a file of records as a table, for ``certify`` and ``stats`` (the ``tables`` extra).

JSON Lines, CSV and Parquet, chosen by the file's extension (``.jsonl``/``.json``, ``.csv``,
``.parquet``; standard input and other names are JSON Lines) or ``--input-format``. With the
``tables`` extra the file is read by the table readers into columns, chunk by chunk, and the
one rule for repeated keys is applied in columns (:mod:`volunteer_rules.tables._whole`), so
memory goes with the columns rather than with an object per row. Without it, JSON Lines are
read record by record (:mod:`volunteer_rules.cli._records`) and CSV and Parquet are a usage
error that says what to install.

Bad rows are reported as every command reports a bad line, ``FILE:ROW: PATH: CODE: MESSAGE``
(for JSON Lines, ``ROW`` is the line number; for CSV the data row, the header being row 0;
for Parquet the row from 1), and so are the versions of a key given with different content.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import io
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from typing import IO, Any, Final, NamedTuple

from volunteer_rules.cli._io import (
    Progress,
    add_quiet_argument,
    path_option,
    refuse_not_text,
    unwritable,
)
from volunteer_rules.cli._output import output_file, output_parquet
from volunteer_rules.rules.versions import CONFLICT_REASON

__all__ = [
    "INPUT_FORMATS",
    "TableInput",
    "TemporaryFileError",
    "add_file_argument",
    "add_input_options",
    "add_output_option",
    "encoding_option",
    "input_format",
    "needs_tables",
    "output_problem",
    "output_to",
    "read_table",
    "row_unit",
    "spool_folder",
    "tables_installed",
    "write_parquet",
]

INPUT_FORMATS: Final = ("jsonl", "csv", "parquet")
"""The input formats of ``certify`` and ``stats`` (``--input-format``)."""

_EXTENSIONS: Final = {".jsonl": "jsonl", ".json": "jsonl", ".csv": "csv", ".parquet": "parquet"}
_NAMES: Final = {"jsonl": "JSON Lines", "csv": "CSV", "parquet": "Parquet"}


def add_file_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``FILE``, the records a command reads as a table (:func:`read_table`).

    Example:
        >>> parser = argparse.ArgumentParser()
        >>> add_file_argument(parser)
        >>> parser.parse_args(["r.parquet"]).file
        'r.parquet'
    """
    parser.add_argument(
        "file",
        type=path_option,
        metavar="FILE",
        help="service records: JSON Lines, CSV or Parquet; - for standard input (JSON Lines,"
        " or as --input-format says)",
    )


def encoding_option(text: str) -> str:
    """The ``type`` of ``--encoding``: a text encoding Python knows (``gb18030``, ``gbk``...).

    Example:
        >>> encoding_option("GB18030")
        'GB18030'
        >>> encoding_option("gbk2")
        Traceback (most recent call last):
        ...
        argparse.ArgumentTypeError: unknown encoding 'gbk2' (a Chinese export from Excel is often gb18030)
    """
    try:
        codecs.lookup(text)
    except LookupError:
        raise argparse.ArgumentTypeError(
            f"unknown encoding {text!r} (a Chinese export from Excel is often gb18030)"
        ) from None
    return text


def add_input_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--input-format``, ``--encoding`` and ``--quiet`` to a command that reads records.

    Example:
        >>> parser = argparse.ArgumentParser()
        >>> add_input_options(parser)
        >>> args = parser.parse_args(["--input-format", "csv", "--encoding", "gbk", "--quiet"])
        >>> args.input_format, args.encoding, args.quiet
        ('csv', 'gbk', True)
    """
    parser.add_argument(
        "--input-format",
        choices=INPUT_FORMATS,
        default=None,
        help="format of FILE (default: from its extension, .jsonl/.json, .csv or .parquet;"
        " JSON Lines otherwise); CSV and Parquet need the tables extra",
    )
    parser.add_argument(
        "--encoding",
        type=encoding_option,
        default=None,
        metavar="NAME",
        help="text encoding of a CSV file (default: UTF-8); a Chinese export saved by Excel is"
        " often gb18030 (GBK)",
    )
    add_quiet_argument(parser)


def input_format(path: str, given: str | None) -> str:
    """The format of ``path``: ``given``, else from the extension, else ``jsonl``.

    Example:
        >>> input_format("a.PARQUET", None), input_format("a.csv", "jsonl"), input_format("-", None)
        ('parquet', 'jsonl', 'jsonl')
    """
    if given is not None:
        return given
    return _EXTENSIONS.get(os.path.splitext(path)[1].lower(), "jsonl")


def row_unit(kind: str) -> str:
    """What a file of ``kind`` is read in, as reports and the progress line name it.

    Example:
        >>> row_unit("jsonl"), row_unit("csv")
        ('lines', 'rows')
    """
    return "lines" if kind == "jsonl" else "rows"


def tables_installed() -> bool:
    """Whether the ``tables`` extra (polars and pyarrow) is installed.

    Example:
        >>> isinstance(tables_installed(), bool)
        True
    """
    from volunteer_rules.tables.bulk import engine_available

    return engine_available()


def needs_tables(kind: str) -> str:
    """The usage error for a format that needs the ``tables`` extra.

    Example:
        >>> needs_tables("csv")
        'reading CSV needs the tables extra: pip install "volunteer_rules[tables]"'
    """
    return f'reading {_NAMES[kind]} needs the tables extra: pip install "volunteer_rules[tables]"'


class TableInput(NamedTuple):
    """A file read as a table: the rows to count, the conflicting versions, rows read.

    ``kept`` and ``conflicts`` are those of :func:`volunteer_rules.tables._whole.resolve_frame`
    (polars DataFrames of the record schema with ``_row``).
    """

    kept: Any
    conflicts: Any
    rows: int


def read_table(
    path: str,
    kind: str,
    *,
    name: str,
    errors: IO[str],
    bad: list[int],
    progress: Progress,
    spool: str | None = None,
    encoding: str | None = None,
) -> TableInput:
    r"""Read a file of records into columns; report bad rows and conflicts on ``errors``.

    Args:
        path: the file, or ``-`` for standard input.
        kind: ``jsonl``, ``csv`` or ``parquet``.
        name: how reports name the file.
        errors: where the problems are reported, one line each.
        bad: receives the number of every row skipped or in conflict.
        progress: ticked once per chunk read.
        spool: a folder: the valid rows are written there, chunk by chunk, to a Parquet file,
            and ``kept`` is a scan of it (a polars ``LazyFrame``) instead of a table held
            in memory. The folder must outlive every use of ``kept``.
        encoding: the text encoding of a CSV file, when not UTF-8 (``gb18030``): the file is
            decoded whole first (a CSV file is read whole in any case).

    Raises:
        OSError: the file cannot be read, or is not text at all (compressed, a workbook).
        ValueError: the file is not in the format (its reader's message), or not in its
            encoding (naming the line).

    Example:
        >>> import io, json, os, tempfile
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = os.path.join(folder, "r.jsonl")
        ...     with open(path, "w", encoding="utf-8") as file:
        ...         _ = file.write(json.dumps(SAMPLE_RECORD_PAYLOAD) + "\n{oops\n")
        ...     report, bad = io.StringIO(), []
        ...     table = read_table(path, "jsonl", name="r.jsonl", errors=report, bad=bad,
        ...                        progress=Progress("x", stream=io.StringIO()))
        >>> table.kept.height, table.rows, bad, report.getvalue().split(": ")[:3]
        (1, 2, [2], ['r.jsonl:2', '$', 'invalid_json'])
    """
    import polars as pl
    import pyarrow as pa

    from volunteer_rules.errors import InvalidValueError
    from volunteer_rules.tables._chunks import NOT_UTF8, csv_chunks, json_chunks, parquet_chunks
    from volunteer_rules.tables._whole import resolve_frame, resolve_scan

    opened = contextlib.ExitStack()  # a pipe given by name, read once through one stream
    source: Any = _text_source(path, kind, name, encoding, opened)
    reader = {"jsonl": json_chunks, "csv": csv_chunks, "parquet": parquet_chunks}[kind]
    parts = []
    rows = 0
    spooled = None if spool is None else _Spool(os.path.join(spool, "records.parquet"))
    try:
        for chunk in reader(source):
            rows += chunk.rows
            progress.tick(chunk.rows, done=chunk.done)
            if chunk.errors.height:
                progress.clear()
                _report(chunk.errors, name, errors, bad)
            if spooled is None:
                parts.append(chunk.valid)
            elif chunk.valid.height:
                spooled.write(chunk.valid)
    except InvalidValueError as error:
        if kind == "csv" and NOT_UTF8 in str(error):  # the reader names the line when it can
            raise ValueError(_not_utf8(name, str(error).partition(NOT_UTF8)[2])) from None
        if not isinstance(source, str) and error.what == "source":  # a stream: say which
            raise InvalidValueError(name, str(error).removeprefix("source: ")) from None
        raise
    except (pl.exceptions.PolarsError, pa.ArrowException) as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ValueError(f"{name} is not {_NAMES[kind]}: {message}") from None
    finally:
        opened.close()
        progress.close()
        if spooled is not None:
            spooled.close()
    kept: Any
    if spooled is not None and spooled.rows:
        kept, conflicts = resolve_scan(pl.scan_parquet(spooled.path))
    elif not parts:
        from volunteer_rules.tables._steps import _EMPTY_RECORDS

        empty = _EMPTY_RECORDS.with_columns(_row=pl.lit(0, pl.Int64)).clear()
        return TableInput(empty, empty, rows)
    else:
        kept, conflicts = resolve_frame(pl.concat(parts, rechunk=False))
    if conflicts.height:
        _report_conflicts(conflicts, name, row_unit(kind), errors, bad)
    return TableInput(kept, conflicts, rows)


def _text_source(
    path: str, kind: str, name: str, encoding: str | None, opened: contextlib.ExitStack
) -> Any:
    """What the table readers read: the path, a stream, or a CSV file made UTF-8.

    A file that is not text at all is refused first, by its first bytes
    (:func:`~volunteer_rules.cli._io.refuse_not_text`), unless an encoding is given. A path
    that is not a regular file (a named pipe, ``<(gunzip -c export.csv.gz)``, a device) is
    opened once, into ``opened``, and read as standard input is: opened twice, what the
    first look took from a pipe would be missing from the read. A CSV one is read whole here
    (as the CSV reader would): ``/dev/null`` reads as an empty file.
    """
    one_stream = path == "-" or not _regular(path)
    stream: Any = sys.stdin.buffer
    if path != "-" and one_stream:
        stream = opened.enter_context(open(path, "rb"))  # noqa: SIM115 (the caller closes it)
    if kind == "parquet" and one_stream and not stream.seekable():
        raise ValueError(
            "Parquet cannot be read from a pipe (its index is at the end of the file):"
            " give the file's name, or redirect it (< FILE)"
        )
    if kind != "parquet" and encoding is None:
        if one_stream:
            refuse_not_text(stream, path, _NAMES[kind])
        else:
            with open(path, "rb") as peeked:
                refuse_not_text(peeked, path, _NAMES[kind])
    if kind != "csv" or (encoding is None and not one_stream):
        return stream if one_stream else path
    if one_stream:  # read here: polars maps a seekable device (/dev/null) and fails (ENODEV)
        data = stream.read()
        if encoding is None:
            return io.BytesIO(data)
    else:
        with open(path, "rb") as whole:
            data = whole.read()
    try:
        return io.BytesIO(data.decode(encoding).encode("utf-8"))
    except UnicodeDecodeError as error:
        line, column = _place(data, error.start)
        raise ValueError(
            f"{name} is not {encoding} text: line {line}, byte {column}: {error.reason}"
        ) from None


def _regular(path: str) -> bool:
    """Whether ``path`` is a regular file (or names none: opening it says what is wrong)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return True


def _place(data: bytes, offset: int) -> tuple[int, int]:
    """The line and the byte in that line (both from 1) of ``offset`` in ``data``."""
    start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - start + 1


def _not_utf8(name: str, where: str) -> str:
    """Why a CSV file that is not UTF-8 cannot be read, and what to do.

    ``where`` is its first such line, or ``""`` when the reader could not tell (standard
    input is not read again).
    """
    return (
        f"{name} is not UTF-8{where} (a Chinese export saved by Excel is often GB18030"
        " or GBK: give --encoding gb18030)"
    )


class TemporaryFileError(ValueError):
    """The temporary copy of the valid rows could not be made: no folder, or no room in it.

    Not a problem of the file read: the message names the temporary folder and says how to
    choose another (``TMPDIR``).

    Example:
        >>> str(TemporaryFileError("/tmp", "No space left on device"))
        'cannot write the valid rows to a temporary file in /tmp: No space left on device (set TMPDIR to a folder with room)'
    """

    def __init__(self, folder: str, reason: str) -> None:
        super().__init__(
            f"cannot write the valid rows to a temporary file in {folder}: {reason}"
            " (set TMPDIR to a folder with room)"
        )


@contextlib.contextmanager
def spool_folder() -> Iterator[str]:
    """A temporary folder for :func:`read_table`'s ``spool``, removed when the block ends.

    Raises:
        TemporaryFileError: the folder cannot be made.

    Example:
        >>> with spool_folder() as folder:
        ...     os.path.isdir(folder)
        True
    """
    try:
        holder = tempfile.TemporaryDirectory(prefix="volunteer-rules-")
    except OSError as error:
        raise TemporaryFileError(tempfile.gettempdir(), _reason(error)) from None
    with holder as folder:
        yield folder


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


class _Spool:
    """Valid rows written to a Parquet file chunk by chunk (opened with the first chunk).

    A failure to write is a :class:`TemporaryFileError` (not a problem of the file read).
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.rows = 0
        self._writer: Any = None

    def write(self, frame: Any) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            table = frame.to_arrow()
            if self._writer is None:
                self._writer = pq.ParquetWriter(self.path, table.schema)
            self._writer.write_table(table.cast(self._writer.schema))
        except (OSError, pa.ArrowException) as error:
            raise TemporaryFileError(os.path.dirname(self.path), _reason(error)) from None
        self.rows += frame.height

    def close(self) -> None:
        import pyarrow as pa

        if self._writer is not None:
            writer, self._writer = self._writer, None
            try:
                writer.close()
            except (OSError, pa.ArrowException) as error:
                raise TemporaryFileError(os.path.dirname(self.path), _reason(error)) from None


def _report(problems: Any, name: str, errors: IO[str], bad: list[int]) -> None:
    last = None
    for row, path, code, message in problems.iter_rows():
        if row != last:
            bad.append(row)
            last = row
        errors.write(f"{name}:{row}: {path}: {code}: {message}\n")


def _report_conflicts(
    conflicts: Any, name: str, word: str, errors: IO[str], bad: list[int]
) -> None:
    rows_of: dict[tuple[str, str], list[int]] = {}
    for org, rid, row in conflicts.select("organization_id", "record_id", "_row").iter_rows():
        rows_of.setdefault((org, rid), []).append(row)
    for org, rid, row in conflicts.select("organization_id", "record_id", "_row").iter_rows():
        bad.append(row)
        numbers = ", ".join(str(number) for number in rows_of[(org, rid)])
        errors.write(
            f"{name}:{row}: $.record_id: {CONFLICT_REASON}: record {rid} of {org} has"
            f" versions with different content on {word} {numbers}: none of them counts\n"
        )


# --- output: --output FILE, and Parquet -------------------------------------------------------


def add_output_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--output FILE`` (needed by ``--format parquet``: binary never goes to a terminal).

    Example:
        >>> parser = argparse.ArgumentParser()
        >>> add_output_option(parser)
        >>> parser.parse_args(["-o", "out.parquet"]).output
        'out.parquet'
    """
    parser.add_argument(
        "--output",
        "-o",
        type=path_option,
        metavar="FILE",
        default=None,
        help="write the result to FILE instead of standard output (needed by --format parquet)",
    )


def output_problem(args: argparse.Namespace, kind: str) -> str | None:
    """Why the input and output options cannot run here (a usage error), or ``None``.

    Example:
        >>> output_problem(argparse.Namespace(format="parquet", output=None), "jsonl")
        '--format parquet writes a binary file: give --output FILE'
        >>> output_problem(argparse.Namespace(format="csv", output="/"), "jsonl")
        'cannot write /: it is a folder, not a file'
    """
    parquet = getattr(args, "format", None) == "parquet"
    output = getattr(args, "output", None)
    if parquet and (output is None or output == "-"):
        return "--format parquet writes a binary file: give --output FILE"
    if (
        output is not None
        and output != "-"
        and (problem := unwritable(output, _inputs(args))) is not None
    ):
        return problem
    if getattr(args, "encoding", None) is not None and kind != "csv":
        return f"--encoding is for CSV files: {_NAMES[kind]} is always UTF-8"
    if kind != "jsonl" and not tables_installed():
        return needs_tables(kind)
    if parquet and not tables_installed():
        return 'writing Parquet needs the tables extra: pip install "volunteer_rules[tables]"'
    return None


def _inputs(args: argparse.Namespace) -> list[str | None]:
    """The files ``certify`` and ``stats`` read (``--db`` too), which ``--output`` must not replace."""
    return [getattr(args, "file", None), getattr(args, "profiles", None), getattr(args, "db", None)]


@contextlib.contextmanager
def output_to(args: argparse.Namespace) -> Iterator[IO[str] | None]:
    """Where a command writes its text result: ``--output``'s file, else ``None``.

    The file is written by :func:`~volunteer_rules.cli._output.output_file`: masked, and
    whole or not at all.

    ``None`` means standard output. For ``--format parquet`` the command writes the file
    itself (:func:`write_parquet`).

    Example:
        >>> with output_to(argparse.Namespace(format="text", output=None)) as out:
        ...     out is None
        True
    """
    output = getattr(args, "output", None)
    if output is None or output == "-" or getattr(args, "format", None) == "parquet":
        yield None
        return
    with output_file(output) as file:
        yield file


def write_parquet(frame: Any, path: str) -> None:
    """Write a polars DataFrame to a Parquet file, resident ID numbers and contacts masked.

    The file is written by :func:`~volunteer_rules.cli._output.output_parquet`, the one way
    the command line writes a table for a person: masked, and whole or not at all.

    Example:
        >>> import os, tempfile
        >>> import polars as pl
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = os.path.join(folder, "out.parquet")
        ...     write_parquet(pl.DataFrame({"volunteer_id": ["11010519491231002X"]}), path)
        ...     pl.read_parquet(path).get_column("volunteer_id").to_list()
        ['110105***********X']
    """
    output_parquet(frame, path)
