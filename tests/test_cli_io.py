from __future__ import annotations

import io
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from volunteer_rules.cli._io import (
    JsonLine,
    Progress,
    read_json_lines,
    text_width,
    write_csv,
    write_json,
    write_table,
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=10,
)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class TestReadJsonLines:
    def test_numbers_follow_the_file(self) -> None:
        """Blank lines are skipped but keep their numbers."""
        data = io.BytesIO(b'{"a": 1}\n\n   \n[2]\n')
        assert list(read_json_lines(data)) == [
            JsonLine(1, {"a": 1}, None),
            JsonLine(4, [2], None),
        ]

    def test_bad_json_is_reported_and_reading_goes_on(self) -> None:
        """A line that is not JSON carries an error; the next line is still read."""
        data = io.BytesIO(b'{"a": \n{"b": 2}\n')
        lines = list(read_json_lines(data))
        assert lines[0].number == 1
        assert lines[0].error is not None
        assert lines[0].error.startswith("not valid JSON")
        assert lines[1] == JsonLine(2, {"b": 2}, None)

    def test_bad_utf8_is_reported(self) -> None:
        """Bytes that are not UTF-8 give an error, not an exception."""
        (line,) = read_json_lines(io.BytesIO(b'"\xff"\n'))
        assert line.error is not None
        assert line.error.startswith("not UTF-8")

    def test_byte_order_mark_is_ignored(self) -> None:
        """A UTF-8 BOM at the start of the file is not part of the first value."""
        (line,) = read_json_lines(io.BytesIO(b'\xef\xbb\xbf{"a": 1}\n'))
        assert line.value == {"a": 1}

    def test_last_line_without_newline(self) -> None:
        """The last line is read even without a final newline."""
        assert [line.value for line in read_json_lines(io.BytesIO(b"1\n2"))] == [1, 2]

    def test_deep_nesting_is_an_error_not_a_crash(self) -> None:
        """Absurd nesting is reported as bad JSON."""
        (line,) = read_json_lines(io.BytesIO(b"[" * 100_000 + b"]" * 100_000))
        assert line.error is not None

    @given(st.lists(json_values, max_size=10))
    def test_round_trip(self, values: list[Any]) -> None:
        """Whatever is written as JSON Lines is read back in order with line numbers."""
        data = "".join(json.dumps(value, ensure_ascii=False) + "\n" for value in values)
        lines = list(read_json_lines(io.BytesIO(data.encode())))
        assert [line.value for line in lines] == values
        assert [line.number for line in lines] == list(range(1, len(values) + 1))

    @given(st.binary(max_size=200))
    def test_any_bytes_never_raise(self, data: bytes) -> None:
        """Arbitrary bytes give lines or errors, never an exception."""
        for line in read_json_lines(io.BytesIO(data)):
            assert (line.error is None) or (line.value is None)

    def test_progress_is_ticked_per_line(self) -> None:
        """The progress counter counts every line, blank ones too."""
        progress = Progress("check", stream=io.StringIO())
        list(read_json_lines(io.BytesIO(b"1\n\n2\n"), progress=progress))
        assert progress.count == 3


class TestProgress:
    def test_silent_when_not_a_terminal(self) -> None:
        """Nothing is written to a stream that is not a terminal."""
        stream = io.StringIO()
        progress = Progress("check", every=1, stream=stream)
        progress.tick(5)
        progress.close()
        assert stream.getvalue() == ""

    def test_overwrites_itself_on_a_terminal(self) -> None:
        """On a terminal the line is redrawn with a carriage return every N ticks."""
        stream = _Terminal()
        progress = Progress("check", every=2, stream=stream)
        for _ in range(5):
            progress.tick()
        progress.close()
        text = stream.getvalue()
        assert text.count("\r") == 3  # at 2, at 4, and the clearing
        assert "check: 4 lines" in text
        assert "\n" not in text

    def test_clear_then_redraw(self) -> None:
        """Clearing wipes a drawn line once; the next update draws it again."""
        stream = _Terminal()
        progress = Progress("check", every=1, stream=stream, clock=lambda: 0.0)
        progress.clear()
        assert stream.getvalue() == ""  # nothing drawn yet, nothing to wipe
        progress.tick()
        progress.clear()
        progress.clear()
        progress.tick()
        assert stream.getvalue() == "\rcheck: 1 lines\033[K\r\033[K\rcheck: 2 lines\033[K"


class TestWriters:
    def test_table_aligns_wide_characters(self) -> None:
        """Chinese text counts two columns, so columns line up on a terminal."""
        out = io.StringIO()
        write_table(["区", "n"], [["兴隆台区", 1], ["大洼区", 22]], out=out)
        lines = out.getvalue().splitlines()
        assert {text_width(line) for line in lines} == {text_width(lines[1])}

    def test_table_empty(self) -> None:
        """A table without rows is just its header."""
        out = io.StringIO()
        write_table(["a", "b"], [], out=out)
        assert out.getvalue() == "a  b\n"

    def test_csv_quotes_and_none(self) -> None:
        """CSV quotes commas and writes None as an empty cell."""
        out = io.StringIO()
        write_csv(["a", "b"], [["x,y", None]], out=out)
        assert out.getvalue() == 'a,b\n"x,y",\n'

    def test_json_keeps_chinese(self) -> None:
        """JSON output is UTF-8 text, not ASCII escapes."""
        out = io.StringIO()
        write_json({"地点": "盘锦"}, out=out)
        assert json.loads(out.getvalue()) == {"地点": "盘锦"}
        assert "盘锦" in out.getvalue()
