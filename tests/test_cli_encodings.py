"""Files that are not what the command reads: compressed, workbooks, Parquet, GBK-encoded CSV.

Read line by line, a gzip file or a workbook was hundreds of "not UTF-8" lines, and a CSV file
saved by a Chinese Excel (GB18030/GBK) was "is not CSV: invalid utf-8 sequence" with no line
and no way out. Now a file that is not text is one usage error saying what it is and what to
do; a CSV file that is not UTF-8 names its first such line and ``--encoding``, which reads it.
"""

from __future__ import annotations

import gzip
import io
import lzma
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from volunteer_rules.cli import main

pytest.importorskip("polars")

from volunteer_rules.tables import io as tio

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "records.jsonl"
CERTIFY = ["--rule-set", "cn-national", "--as-of", "2026-06-30"]


def _jsonl() -> bytes:
    return b"".join(SAMPLE.read_bytes().splitlines(keepends=True)[:60])


def _zip() -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("records.jsonl", _jsonl())
    return data.getvalue()


def _parquet(folder: Path) -> bytes:
    path = folder / "made.parquet"
    tio.write_parquet(tio.read_json_lines(io.BytesIO(_jsonl())).records, path)
    return path.read_bytes()


def _csv(folder: Path) -> str:
    path = folder / "made.csv"
    tio.write_csv(tio.read_json_lines(io.BytesIO(_jsonl())).records, path)
    return path.read_text("utf-8")


NOT_TEXT: dict[str, tuple[Callable[[Path], bytes], str]] = {
    "gzip": (lambda folder: gzip.compress(_jsonl()), "it is gzip-compressed"),
    "xz": (lambda folder: lzma.compress(_jsonl()), "it is xz-compressed"),
    "xlsx": (lambda folder: _zip(), "it is a zip archive (an Excel .xlsx workbook is one)"),
    "xls": (
        lambda folder: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
        "it is an Excel 97-2003 workbook (.xls)",
    ),
    "parquet": (_parquet, "it is a Parquet file"),
    "utf-16": (lambda folder: _jsonl().decode().encode("utf-16"), "it is UTF-16 text"),
}
COMMANDS = {
    "check": (["check"], "JSON Lines"),
    "certify": (["certify", *CERTIFY], "JSON Lines"),
    "certify csv": (["certify", *CERTIFY, "--input-format", "csv"], "CSV"),
    "stats csv": (["stats", "--input-format", "csv"], "CSV"),
    "ledger": (["ledger", "credit", "--policy", "generic", "--as-of", "2026-06-30"], "JSON Lines"),
    "report": (["report", "--as-of", "2026-06-30", "-o", "{folder}/report.html"], "JSON Lines"),
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("kind", list(NOT_TEXT))
def test_a_file_that_is_not_text_is_one_usage_error(
    kind: str, command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make, what = NOT_TEXT[kind]
    path = tmp_path / "export.dat"
    path.write_bytes(make(tmp_path))
    argv, expected = COMMANDS[command]
    argv = [part.format(folder=tmp_path) for part in argv]
    position = 2 if argv[0] == "ledger" else 1
    status = main([*argv[:position], str(path), *argv[position:]])
    captured = capsys.readouterr()
    assert (status, captured.out) == (2, "")
    assert captured.err.count("\n") == 1, captured.err
    assert f"error: cannot read {path}: {what}" in captured.err
    assert f", not {expected}: " in captured.err
    assert not (tmp_path / "report.html").exists()


def test_standard_input_is_looked_at_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin = io.TextIOWrapper(io.BufferedReader(io.BytesIO(gzip.compress(_jsonl()))))
    monkeypatch.setattr(sys, "stdin", stdin)
    assert main(["check", "-"]) == 2
    assert "cannot read <stdin>: it is gzip-compressed, not JSON Lines: decompress it first" in (
        capsys.readouterr().err
    )


def test_text_files_are_read_as_before(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "records.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + _jsonl().replace(b"\n", b"\r\n"))
    assert main(["check", str(path), "--summary"]) == 1  # the sample's findings, no bad line
    assert "bad lines   0" in capsys.readouterr().out


class TestGbkCsv:
    """A CSV file as a Chinese Excel saves it: GB18030 (GBK for these characters)."""

    def _files(self, folder: Path) -> tuple[Path, Path]:
        text = _csv(folder)
        assert any(ord(char) > 0x7F for char in text)  # Chinese: the encodings differ
        utf8, gbk = folder / "utf8.csv", folder / "gbk.csv"
        utf8.write_text(text, "utf-8")
        gbk.write_bytes(text.encode("gbk"))
        return utf8, gbk

    @pytest.mark.parametrize("command", [["stats"], ["certify", *CERTIFY]])
    def test_without_encoding_the_first_bad_line_and_the_option_are_named(
        self, command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        _, gbk = self._files(tmp_path)
        first = next(
            number
            for number, line in enumerate(gbk.read_bytes().splitlines(), start=1)
            if not line.isascii()
        )
        assert main([command[0], str(gbk), *command[1:]]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert f"error: {gbk} is not UTF-8: line {first}, byte " in captured.err
        assert "give --encoding gb18030" in captured.err

    @pytest.mark.parametrize("encoding", ["gb18030", "gbk", "GBK"])
    @pytest.mark.parametrize("command", [["stats", "--format", "csv"], ["certify", *CERTIFY]])
    def test_with_encoding_the_result_is_that_of_the_utf8_file(
        self,
        encoding: str,
        command: list[str],
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        utf8, gbk = self._files(tmp_path)
        expected = main([command[0], str(utf8), *command[1:]])
        wanted = capsys.readouterr().out
        assert main([command[0], str(gbk), *command[1:], "--encoding", encoding]) == expected
        assert capsys.readouterr().out == wanted

    def test_standard_input_with_encoding(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        utf8, gbk = self._files(tmp_path)
        main(["stats", str(utf8)])
        wanted = capsys.readouterr().out
        stdin = io.TextIOWrapper(io.BufferedReader(io.BytesIO(gbk.read_bytes())))
        monkeypatch.setattr(sys, "stdin", stdin)
        main(["stats", "-", "--input-format", "csv", "--encoding", "gb18030"])
        assert capsys.readouterr().out == wanted

    def test_a_wrong_encoding_names_the_line(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        utf8, _ = self._files(tmp_path)
        assert main(["stats", str(utf8), "--encoding", "ascii"]) == 2
        assert f"error: {utf8} is not ascii text: line 2, byte " in capsys.readouterr().err

    @pytest.mark.parametrize(
        ("given", "message"),
        [
            (["--encoding", "gbk2"], "argument --encoding: unknown encoding 'gbk2'"),
            (["--encoding", "gbk", "--input-format", "jsonl"], "--encoding is for CSV files"),
            (["--encoding", "gbk", "--input-format", "parquet"], "--encoding is for CSV files"),
        ],
    )
    def test_option_mistakes_are_usage_errors(
        self, given: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        _, gbk = self._files(tmp_path)
        assert main(["stats", str(gbk), *given]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert message in captured.err
