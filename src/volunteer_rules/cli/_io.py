r"""Input and output shared by the sub-commands: JSON Lines in; tables, JSON and CSV out.

Reading
    :func:`read_json_lines` reads JSON Lines from an open binary stream lazily, one line at a
    time, and yields a :class:`JsonLine` for every non-blank line: its 1-based line number and
    either the decoded value or an error message (bad UTF-8, bad JSON). Memory stays constant
    in the length of the input. :func:`open_input` opens a path, or standard input for ``-``.
    A byte-order mark at the start is ignored; blank lines are skipped (they keep their
    numbers, so line numbers always match what an editor shows).

Writing
    :func:`write_table` (aligned text, Chinese characters counted as two columns),
    :func:`write_json` (one document, UTF-8, no ASCII escapes) and :func:`write_csv` (a header
    row, then one row per item) take the same ``headers`` and ``rows``, so every command offers
    the same three formats the same way (:data:`OUTPUT_FORMATS`, :func:`add_format_argument`).

Progress
    :class:`Progress` (in :mod:`volunteer_rules.cli._progress`, re-exported here) writes
    ``<label>: <n> lines, <rate>, <time> left`` to standard error every ``every`` lines,
    overwriting itself with ``\r``, and only when standard error is a terminal (and not
    ``--quiet``): pipes, files and CI logs never see it.

Streams
    :class:`MaskedOutput`, :func:`raw_output` and what a failed write is (:class:`OutputClosed`,
    :class:`OutputFailed`) are in :mod:`volunteer_rules.cli._streams`, re-exported here.

Command-line options
    :class:`ArgumentParser`, :func:`text_option` and :func:`path_option` (in
    :mod:`volunteer_rules.cli._arguments`, re-exported here): text that is not UTF-8 and an
    empty path are usage errors of every command.

Usage errors
    :func:`usage_error` prints ``volunteer-rules <command>: error: <message>`` on standard
    error and returns the exit status ``2``.

Example:
    >>> import io
    >>> lines = list(read_json_lines(io.BytesIO(b'{"a": 1}\n\n[1, \n')))
    >>> [(line.number, line.value, line.error) for line in lines]  # doctest: +ELLIPSIS
    [(1, {'a': 1}, None), (3, None, 'not valid JSON: ...')]
    >>> write_table(["code", "count"], [["overlap", 3], ["late", 12]], out=sys.stdout)
    code     count
    overlap      3
    late        12
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as _dt
import errno
import json
import os
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO, Any, Final, NamedTuple

from volunteer_rules._canonical import read_json, why_not_json
from volunteer_rules._files import file_size
from volunteer_rules._iso import read_date, read_datetime
from volunteer_rules.cli._arguments import ArgumentParser, path_option, text_option
from volunteer_rules.cli._progress import Progress, add_quiet_argument, progress_of
from volunteer_rules.cli._streams import (
    ClosedInput,
    ClosedStream,
    MaskedOutput,
    OutputClosed,
    OutputFailed,
    raw_output,
)

__all__ = [
    "OUTPUT_FORMATS",
    "ArgumentParser",
    "ClosedInput",
    "ClosedStream",
    "JsonLine",
    "MaskedOutput",
    "NotText",
    "OutputClosed",
    "OutputFailed",
    "Progress",
    "add_format_argument",
    "add_quiet_argument",
    "cannot_read",
    "cannot_write",
    "date_option",
    "datetime_option",
    "empty_warning",
    "named_by_option",
    "open_input",
    "path_option",
    "progress_of",
    "raw_output",
    "read_json_lines",
    "refuse_not_text",
    "text_option",
    "text_width",
    "unwritable",
    "usage_error",
    "write_csv",
    "write_json",
    "write_table",
]

OUTPUT_FORMATS: Final = ("text", "json", "csv")
"""The output formats every command offers (``--format``); ``text`` is the default."""

_BOM: Final = b"\xef\xbb\xbf"


class JsonLine(NamedTuple):
    """One non-blank input line: its number and its value, or why it could not be read.

    Attributes:
        number: the 1-based line number in the input.
        value: the decoded JSON value (``None`` when ``error`` is set; note that the JSON
            literal ``null`` also decodes to ``None`` with ``error`` unset).
        error: ``None``, or a one-sentence message (``not UTF-8 ...``, ``not valid JSON ...``).

    Example:
        >>> JsonLine(number=1, value={"a": 1}, error=None).number
        1
    """

    number: int
    value: Any
    error: str | None


def read_json_lines(stream: IO[bytes], *, progress: Progress | None = None) -> Iterator[JsonLine]:
    r"""Yield a :class:`JsonLine` for every non-blank line of ``stream``, lazily.

    Only one line is held in memory at a time. A line that is not UTF-8 or not valid JSON is
    yielded with its ``error`` set and reading goes on with the next line.

    Args:
        stream: an open binary stream (a file opened with ``"rb"``, ``sys.stdin.buffer``).
        progress: if given, ticked once per line read (blank lines included), with the share of
            the file read so far when ``stream`` is a regular file (for the time left).

    Yields:
        one :class:`JsonLine` per non-blank line, in input order.

    Example:
        >>> import io
        >>> data = io.BytesIO('{"名": "王芳"}\n"text"\n'.encode() + b"\xff\n")
        >>> for line in read_json_lines(data):
        ...     print(line.number, line.value, line.error)
        1 {'名': '王芳'} None
        2 text None
        3 None not UTF-8: invalid start byte at column 1
    """
    loads = json.loads  # read_json only for a line json.loads refuses (the hot path stays C)
    size = file_size(stream) if progress is not None else None
    read = 0
    for number, raw in enumerate(stream, start=1):
        if progress is not None:
            read += len(raw)
            progress.tick(done=None if size is None else read / size)
        if number == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            yield JsonLine(number, None, why_not_json(error))
            continue
        if not text.strip():
            continue
        try:
            try:
                value = loads(text)
            except (ValueError, RecursionError):
                value = read_json(text)  # integers of any length; else the error as a ValueError
        except ValueError as error:  # json.JSONDecodeError, or too deep (JsonNestingError)
            yield JsonLine(number, None, why_not_json(error))
            continue
        yield JsonLine(number, value, None)


class NotText(OSError):
    """An input that is not text at all (compressed, a workbook, Parquet), said once.

    Read line by line, such a file would be reported as hundreds of lines that are not UTF-8
    or not JSON; its first bytes say what it is. An ``OSError``, so that every command reports
    it as it reports a file it cannot read (status 2), naming the file.

    Example:
        >>> str(NotText(errno.EINVAL, "it is gzip-compressed", "r.jsonl.gz").strerror)
        'it is gzip-compressed'
    """


_NOT_TEXT: Final = (
    (b"\x1f\x8b", "gzip-compressed", "decompress it first (gunzip)"),
    (b"\xfd7zXZ\x00", "xz-compressed", "decompress it first (unxz)"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed", "decompress it first (unzstd)"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive", "extract it first"),
    (
        b"PK\x03\x04",
        "a zip archive (an Excel .xlsx workbook is one)",
        "save the sheet as CSV UTF-8, or unzip it first",
    ),
    (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 workbook (.xls)", "save the sheet as CSV UTF-8"),
    (
        b"PAR1",
        "a Parquet file",
        "certify and stats read it (named .parquet, or with --input-format parquet)",
    ),
    (b"\xff\xfe", "UTF-16 text (Excel's Unicode Text)", "save it as UTF-8"),
    (b"\xfe\xff", "UTF-16 text", "save it as UTF-8"),
)
"""The first bytes of files that are not text: what each is, and what to do."""


def refuse_not_text(stream: IO[bytes], path: str, expected: str = "JSON Lines") -> None:
    """Raise :class:`NotText` when the first bytes of ``stream`` show it is not text.

    The bytes are peeked, not read: reading goes on from the start. A stream that cannot
    peek (not a buffered file) is not looked at.

    Example:
        >>> import gzip, io
        >>> refuse_not_text(io.BufferedReader(io.BytesIO(b'{"a": 1}')), "a.jsonl")
        >>> refuse_not_text(io.BufferedReader(io.BytesIO(gzip.compress(b"{}"))), "a.jsonl.gz")
        Traceback (most recent call last):
        ...
        volunteer_rules.cli._io.NotText: [Errno 22] it is gzip-compressed, not JSON Lines: decompress it first (gunzip): 'a.jsonl.gz'
    """
    peek = getattr(stream, "peek", None)
    if peek is None:
        return
    head = peek(8)[:8]
    for signature, what, advice in _NOT_TEXT:
        if head.startswith(signature):
            raise NotText(errno.EINVAL, f"it is {what}, not {expected}: {advice}", path)


@contextlib.contextmanager
def open_input(path: str) -> Iterator[IO[bytes]]:
    r"""Open ``path`` for binary reading, or standard input when ``path`` is ``-``.

    Standard input is not closed on exit. ``OSError`` (a missing or unreadable file, or one that
    is not text at all: :func:`refuse_not_text`) is left to the caller, who reports it as a
    usage error (:func:`cannot_read`).

    Args:
        path: a file path, or ``-``.

    Yields:
        the open binary stream.

    Example:
        >>> import os, tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     name = os.path.join(folder, "a.jsonl")
        ...     with open(name, "wb") as file:
        ...         _ = file.write(b"1\n2\n")
        ...     with open_input(name) as stream:
        ...         [line.value for line in read_json_lines(stream)]
        [1, 2]
    """
    if path == "-":
        refuse_not_text(sys.stdin.buffer, path)
        yield sys.stdin.buffer
        return
    with open(path, "rb") as stream:
        refuse_not_text(stream, path)
        yield stream


def usage_error(command: str, message: str) -> int:
    """Print ``volunteer-rules <command>: error: <message>`` on standard error; return ``2``.

    The message is said on one line: one that spans several (a database driver's, say) is
    joined with spaces.

    Args:
        command: the sub-command's name.
        message: what is wrong, in one sentence.

    Returns:
        ``2``, the usage-error exit status.

    Example:
        >>> usage_error("check", "no such file: x.jsonl")
        2
    """
    one_line = " ".join(part.strip() for part in message.splitlines() if part.strip())
    print(f"volunteer-rules {command}: error: {one_line}", file=sys.stderr)
    return 2


def named_by_option(error: Exception, options: Mapping[str, str]) -> str:
    """The library's message with the option the user typed in place of the argument's name.

    The library names its arguments (``since: must not be after as_of``); the command line
    says which option gave the value (``--since``), so that the user knows what to change.

    Example:
        >>> from volunteer_rules.errors import InvalidValueError
        >>> named_by_option(InvalidValueError("since", "must not be after as_of"),
        ...                 {"since": "--since", "as_of": "--as-of"})
        '--since: must not be after --as-of'
        >>> named_by_option(ValueError("something else"), {"since": "--since"})
        'something else'
    """
    text = str(error)
    what = getattr(error, "what", None)
    if not isinstance(what, str) or what not in options or not text.startswith(f"{what}: "):
        return text
    rest = text[len(what) + 2 :]
    for name, option in options.items():  # an argument named in the message (as_of), not prose
        if "_" in name:
            rest = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", option, rest)
    return f"{options[what]}: {rest}"


def cannot_read(command: str, error: OSError, path: str) -> int:
    """Say that an input cannot be read, naming it (``<stdin>`` for ``-``); return ``2``.

    The file named is the one the error names when it names one (a command may read several),
    else ``path``.

    Example:
        >>> cannot_read("check", OSError(9, "Bad file descriptor"), "-")
        2
    """
    name = path if error.filename is None else str(error.filename)
    shown = "<stdin>" if name == "-" else name
    return usage_error(command, f"cannot read {shown}: {error.strerror or error}")


def cannot_write(command: str, error: OSError, path: str) -> int:
    """Say that an output cannot be written, naming it; return ``2``.

    Example:
        >>> cannot_write("stats", OSError(28, "No space left on device"), "out.csv")
        2
    """
    return usage_error(command, f"cannot write {path}: {error.strerror or error}")


def date_option(text: str, option: str) -> _dt.date:
    """The date an option gives: ``YYYY-MM-DD``, the one form every command and wire form reads.

    Raises:
        ValueError: naming the option and what it was given (a usage error to report).

    Example:
        >>> date_option("2026-06-30", "--as-of")
        datetime.date(2026, 6, 30)
        >>> date_option("2026-W26-2", "--as-of")
        Traceback (most recent call last):
        ...
        ValueError: --as-of must be a date such as 2026-06-30, not '2026-W26-2'
    """
    day = read_date(text)
    if day is None:
        raise ValueError(f"{option} must be a date such as 2026-06-30, not {text!r}")
    return day


def datetime_option(text: str, option: str) -> _dt.datetime:
    """The date-time an option gives, with its UTC offset (``+08:00`` or ``Z``).

    Raises:
        ValueError: naming the option and what it was given (a usage error to report).

    Example:
        >>> datetime_option("2026-06-30T09:00:00Z", "--created-at").isoformat()
        '2026-06-30T09:00:00+00:00'
        >>> datetime_option("2026-06-30T09:00", "--created-at")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: --created-at must be a date-time with a UTC offset such as ..., not '2026-06-30T09:00'
    """
    moment = read_datetime(text)
    if moment is None or moment.utcoffset() is None:
        raise ValueError(
            f"{option} must be a date-time with a UTC offset such as 2026-06-30T09:00:00+08:00,"
            f" not {text!r}"
        )
    return moment


def unwritable(path: str, inputs: Iterable[str | None] = ()) -> str | None:
    """Why the output file ``path`` cannot be written, said before any input is read; or ``None``.

    A folder, or a file in a folder that does not exist, is found at once rather than after a
    long read; so is a file the command reads (``inputs``, by any name: ``./records.jsonl``, a
    link), which the output would replace. What only writing finds (no permission, a full
    disk) is reported then.

    Example:
        >>> unwritable("/")
        'cannot write /: it is a folder, not a file'
        >>> unwritable("/no-such-folder/report.html")
        'cannot write /no-such-folder/report.html: there is no folder /no-such-folder'
        >>> unwritable("report.html") is None
        True
        >>> unwritable("/dev/null", inputs=["/dev/../dev/null"])
        'cannot write /dev/null: it is the input /dev/../dev/null, which it would replace: name another file'
    """
    if os.path.isdir(path):
        return f"cannot write {path}: it is a folder, not a file"
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        return f"cannot write {path}: there is no folder {folder}"
    for given in inputs:
        if given is not None and given != "-" and _same_file(path, given):
            return f"cannot write {path}: it is the input {given}, which it would replace: name another file"
    return None


def _same_file(first: str, second: str) -> bool:
    try:
        return os.path.samefile(first, second)
    except (OSError, ValueError):  # either does not exist (yet), or a name the system refuses
        return False


def empty_warning(command: str, message: str) -> int:
    """Print ``volunteer-rules <command>: warning: <message>`` on standard error; return ``1``.

    Every command says so, with status 1, when its input holds nothing (an empty file) or when
    the result it was asked for is empty (no volunteer, no counted record, no match): an empty
    table with status 0 would look like a clean run.

    Example:
        >>> empty_warning("stats", "records.jsonl holds no record")
        1
    """
    print(f"volunteer-rules {command}: warning: {message}", file=sys.stderr)
    return 1


def add_format_argument(
    parser: argparse.ArgumentParser, *, choices: Sequence[str] = OUTPUT_FORMATS
) -> None:
    """Add the shared ``--format`` option (default ``text``) to a sub-command's parser.

    Args:
        parser: the sub-command's parser.
        choices: the formats this command offers (default all of :data:`OUTPUT_FORMATS`).

    Example:
        >>> parser = argparse.ArgumentParser()
        >>> add_format_argument(parser)
        >>> parser.parse_args(["--format", "csv"]).format
        'csv'
    """
    parser.add_argument(
        "--format",
        choices=tuple(choices),
        default="text",
        help="output format (default: text)",
    )


def text_width(text: str) -> int:
    """The number of terminal columns ``text`` takes: wide (CJK) characters count twice.

    Example:
        >>> text_width("盘锦"), text_width("Panjin")
        (4, 6)
    """
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _cell(value: object) -> str:
    if value is None:
        return ""
    return str(value)


def write_table(
    headers: Sequence[str], rows: Iterable[Sequence[object]], *, out: IO[str] | None = None
) -> None:
    """Write an aligned text table: a header line, then one line per row.

    Numbers (``int``, and strings that look like numbers) are right-aligned, everything else
    left-aligned; wide characters count as two columns. ``None`` is written as an empty cell.
    The rows are held in memory to measure them: use it for summaries, not for millions of
    lines.

    Args:
        headers: the column names.
        rows: the rows, each as long as ``headers``.
        out: where to write; default standard output.

    Example:
        >>> write_table(["区", "人数"], [["兴隆台区", 12], ["大洼区", 3]], out=sys.stdout)
        区        人数
        兴隆台区    12
        大洼区       3
    """
    stream = sys.stdout if out is None else out
    cells = [[_cell(value) for value in row] for row in rows]
    numeric = [
        bool(cells) and all(_is_number(row[index]) for row in cells if row[index] != "")
        for index in range(len(headers))
    ]
    widths = [text_width(header) for header in headers]
    for row in cells:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], text_width(cell))

    def line(values: Sequence[str]) -> str:
        parts = []
        for index, value in enumerate(values):
            pad = " " * (widths[index] - text_width(value))
            parts.append(pad + value if numeric[index] else value + pad)
        return "  ".join(parts).rstrip()

    stream.write(line(list(headers)) + "\n")
    for row in cells:
        stream.write(line(row) + "\n")


def _is_number(text: str) -> bool:
    stripped = text.replace(",", "").replace(".", "", 1).lstrip("-")
    return stripped.isdigit()


def write_json(value: Any, *, out: IO[str] | None = None) -> None:
    """Write ``value`` as one JSON document (indented, UTF-8 text, keys in given order).

    Args:
        value: JSON-compatible data (dicts, lists, strings, numbers, booleans, ``None``).
        out: where to write; default standard output.

    Example:
        >>> write_json({"区": "兴隆台区", "n": 2}, out=sys.stdout)
        {
          "区": "兴隆台区",
          "n": 2
        }
    """
    stream = sys.stdout if out is None else out
    json.dump(value, stream, ensure_ascii=False, indent=2)
    stream.write("\n")


def write_csv(
    headers: Sequence[str], rows: Iterable[Sequence[object]], *, out: IO[str] | None = None
) -> None:
    r"""Write CSV (RFC 4180 quoting, ``\n`` line ends): a header row, then the rows, streaming.

    ``None`` is written as an empty cell.

    Args:
        headers: the column names.
        rows: the rows, each as long as ``headers``; consumed lazily.
        out: where to write; default standard output.

    Example:
        >>> write_csv(["code", "message"], [["late", "entered 3 days late, ok"]], out=sys.stdout)
        code,message
        late,"entered 3 days late, ok"
    """
    stream = sys.stdout if out is None else out
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
