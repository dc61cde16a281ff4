"""The JSON Lines reader against Python's JSON reader and parse_record, line by line.

The reader hands whole blocks of lines to Arrow's JSON reader; these tests give it the lines
that Arrow reads otherwise than Python (blank lines, two values on a line, ``null``, text
that is not UTF-8, empty evaluations...) among good ones, in blocks of every size.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import volunteer_rules as vr
from volunteer_rules.errors import RecordFormatError
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD

pytest.importorskip("polars")

from volunteer_rules.tables import _steps as steps
from volunteer_rules.tables import io as tio
from volunteer_rules.tables._sources import CHUNK_ROWS


def _line(**changes: Any) -> bytes:
    return json.dumps({**SAMPLE_RECORD_PAYLOAD, **changes}, ensure_ascii=False).encode()


GOOD = _line()
ODD_LINES = [
    b"",
    b"   \t",
    b"\r",
    b"\x0c",
    b"null",
    b"[1]",
    b"42",
    b'"text"',
    b"{}",
    b"{not json",
    GOOD + b" " + GOOD,
    GOOD + b" null",
    GOOD + b"\r" + GOOD,
    GOOD + b"\r",
    b"  " + GOOD,
    b"\xef\xbb\xbf" + GOOD,
    GOOD.replace("王芳".encode(), b"\xff\xfe"),
    GOOD.replace(b'"verified"', b'"verified\xc0"'),
    GOOD.replace(b'"status"', b'"stat\xffus"'),
    _line(evaluation={}),
    _line(evaluation={"rating": "good"}),
    _line(evaluation={"rating": "good", "date": "2024-05-03"}),
    _line(evaluation={"rating": "good", "date": "2024-05-03", "by": "x"}),
    _line(evaluation=None, beneficiary=None, group_service=None),
    _line(place="社区\ufffe"),
    _line(place="社区\U0010ffff"),
    _line(place="社区\u3000"),
    _line(place="社区\x1c"),
    _line(content="a\x00b"),
    _line(extra=None),
    _line(record_id=7),
    _line(region_code=211103),
    _line(service_minutes=120.0),
    _line(service_minutes="120"),
    _line(service_minutes=10**30),
    _line(group_service=1),
    _line(extensions={"k": [1, 2]}),
    GOOD.replace(b'"place": "', b'"place": "\\ud800'),
    GOOD.replace(b'"place": "', b'"place": "\\ud83d\\ude00'),
    GOOD.replace(b'"place": "', b'"place": "\tx'),
    GOOD.replace(b'"place": "', b'"place": "\\u0009x'),
    GOOD.replace(b'"status": "verified"', b'"status": "verified", "status": "void"'),
    GOOD.replace(b'"status": "verified"', b'"status": "void", "status": "verified"'),
    GOOD.replace(b"120", b"NaN"),
    GOOD[:-1],
]


def _reference(text: bytes) -> tuple[list[dict[str, Any]], list[tuple[Any, ...]], int]:
    """Line by line as the record-by-record path reads a file: Python's JSON reader on each
    line (with its newline), then parse_record."""
    valid = []
    errors: list[tuple[Any, ...]] = []
    rows = 0
    for number, line in enumerate(io.BytesIO(text), start=1):
        if number == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        if not line.strip():
            continue
        rows += 1
        try:
            payload = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError as error:
            message = f"not UTF-8: {error.reason} at column {error.start + 1}"
            errors.append((number, "$", "invalid_encoding", message))
            continue
        except json.JSONDecodeError as error:
            message = f"not valid JSON: {error.msg.removesuffix(' at')} at column {error.colno}"
            errors.append((number, "$", "invalid_json", message))
            continue
        try:
            valid.append(vr.dump_record(vr.parse_record(payload)))
        except RecordFormatError as error:
            errors.extend((number, e.path, e.code, e.message) for e in error.errors)
    return valid, errors, rows


def _read(text: bytes, chunk_rows: int = CHUNK_ROWS) -> tuple[Any, ...]:
    table = tio._concat(tio.iter_json_lines(io.BytesIO(text), chunk_rows=chunk_rows))
    return table.to_rows(), table.errors.rows(), table.rows


@pytest.mark.parametrize("odd", ODD_LINES, ids=range(len(ODD_LINES)))
def test_an_odd_line_among_good_ones_reads_as_python_reads_it(odd: bytes) -> None:
    text = b"\n".join([GOOD, odd, _line(record_id="r-3")]) + b"\n"
    assert _read(text) == _reference(text)


@settings(max_examples=40)
@given(
    st.lists(st.sampled_from([GOOD, _line(record_id="r-2"), *ODD_LINES]), max_size=30),
    st.sampled_from([b"\n", b"\r\n"]),
    st.booleans(),
    st.integers(min_value=1, max_value=12),
)
def test_json_lines_read_as_python_reads_them_in_blocks_of_any_size(
    lines: list[bytes], end: bytes, last_newline: bool, chunk_rows: int
) -> None:
    """Rows, errors and line numbers as a line-by-line reading gives them, however cut."""
    text = end.join(lines) + (end if last_newline and lines else b"")
    assert _read(text, chunk_rows) == _reference(text)


def test_a_bad_line_in_a_long_block_leaves_the_others_to_the_fast_path() -> None:
    """Arrow refuses the block; halving it finds the bad lines, numbered as they are."""
    lines = [_line(record_id=f"r-{k}") for k in range(5000)]
    lines[1234] = b"{oops"
    lines[4321] = b"[]"
    text = b"\n".join(lines) + b"\n"
    rows, errors, count = _read(text)
    assert (rows, errors, count) == _reference(text)
    assert [error[0] for error in errors] == [1235, 4322]


def test_the_white_space_stripped_is_pythons() -> None:
    """The column steps' class of white space is what str.strip removes, every code point."""
    spaces = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
    pl = pytest.importorskip("polars")
    found = pl.Series([chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF])
    matched = found.filter(found.str.contains(f"^[{steps._SPACE_CLASS}]$"))
    assert "".join(matched.to_list()) == spaces


@given(
    st.datetimes(
        min_value=dt.datetime(1900, 1, 2),
        max_value=dt.datetime(2999, 12, 30),
        timezones=st.builds(
            dt.timezone,
            st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(
                lambda m: dt.timedelta(minutes=m)
            ),
        ),
    )
)
def test_the_column_steps_read_a_date_time_as_python_does(moment: dt.datetime) -> None:
    """The instant the column steps compare is Python's, with and without a fraction."""
    pl = pytest.importorskip("polars")
    text = moment.isoformat()
    found = pl.DataFrame({"at": [text]}).select(steps._instant("at")).item()
    since = moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    assert found == since // dt.timedelta(microseconds=1)


class _Plain:
    """A file object with read and readline only."""

    def __init__(self, data: bytes) -> None:
        self._stream = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._stream.read(size)

    def readline(self) -> bytes:
        return self._stream.readline()


def test_a_file_object_without_readinto_reads_the_same() -> None:
    text = b"\n".join([GOOD, b"null", _line(record_id="r-3")] * 50)
    table = tio.read_json_lines(_Plain(text), chunk_rows=7)  # type: ignore[arg-type]
    assert (table.to_rows(), table.errors.rows(), table.rows) == _reference(text)


@pytest.mark.parametrize(
    "lines",
    [
        [*(_line(record_id=f"r-{k}") for k in range(300)), b"", b"  "],  # blank lines at the end
        [b"", *(_line(record_id=f"r-{k}") for k in range(300)), b"null", GOOD],
        [_line(record_id=f"r-{k}") if k % 2 else b"" for k in range(300)],  # many: as a list
        [_line(record_id=f"r-{k}") if k % 3 else b"null" for k in range(300)],
    ],
    ids=["blank at the end", "odd lines around", "every other blank", "every third null"],
)
def test_blocks_with_odd_lines_read_as_python_reads_them(lines: list[bytes]) -> None:
    text = b"\n".join(lines) + b"\n"
    assert _read(text) == _reference(text)


def test_long_lines_keep_the_next_blocks_bounded() -> None:
    """Lines of megabytes, then short ones: the next block is not sized by lines x length."""
    lines = [_line(content="长" * 1_700_000)] * 8 + [_line(record_id=f"r-{k}") for k in range(3)]
    text = b"\n".join(lines) + b"\n"
    assert _read(text) == _reference(text)
