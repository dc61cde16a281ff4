"""A new user's mistakes on the command line: each a clear usage error that changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from volunteer_rules.cli import main

_CERTIFICATE = [
    "--volunteer", "V0000001", "--issuer", "512111005000000154", "--issuer-name", "协会",
    "--responsible", "张伟", "--handler", "李雷", "--contact", "0427-2812345",
    "--number", "N-1", "--as-of", "2024-06-30",
]  # fmt: skip
_TRANSFER = [
    "--volunteer", "V0000001", "--from", "512111005000000154", "--to", "512111005000000154",
    "--to-region", "211104", "--consent", "--created-at", "2024-06-30T09:00:00+08:00",
]  # fmt: skip


def _commands(records: str, profiles: str) -> dict[str, list[str]]:
    """Every command that writes ``-o FILE``, reading ``records`` (and ``profiles``)."""
    return {
        "certify": ["certify", records, "--rule-set", "cn-national", "--as-of", "2024-06-30"],
        "certify --profiles": [
            "certify", records, "--rule-set", "cn-national", "--as-of", "2024-06-30",
            "--profiles", profiles,
        ],
        "stats": ["stats", records],
        "report": ["report", profiles, records, "--as-of", "2024-06-30"],
        "certificate": ["certificate", records, "--profiles", profiles, *_CERTIFICATE],
        "transfer create": ["transfer", "create", records, *_TRANSFER],
    }  # fmt: skip


class TestOutputIsAnInput:
    """``-o`` naming a file the command reads (a slip of the fingers) would replace the data."""

    @pytest.mark.parametrize("command", list(_commands("", "")))
    @pytest.mark.parametrize("spelling", ["same", "dot", "link"])
    def test_refused_before_reading_and_the_input_is_kept(
        self,
        command: str,
        spelling: str,
        sample_records: Path,
        sample_profiles: Path,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        argv = _commands(str(sample_records), str(sample_profiles))[command]
        target = sample_profiles if "--profiles" in command else sample_records
        output = {
            "same": str(target),
            "dot": os.path.join(str(target.parent), ".", target.name),
            "link": str(target.parent / "link.jsonl"),
        }[spelling]
        if spelling == "link":
            os.symlink(target, output)
        before = target.read_bytes()
        assert main([*argv, "-o", output]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err.endswith(
            f"error: cannot write {output}: it is the input {target}, which it would replace:"
            " name another file\n"
        )
        assert target.read_bytes() == before

    @pytest.mark.parametrize("command", ["certify", "transfer create"])
    def test_the_database_is_an_input_too(
        self, command: str, sample_records: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """``--db bank.sqlite -o bank.sqlite`` would replace the database with the result."""
        db = tmp_path / "bank.sqlite"
        keep = [
            "certify",
            str(sample_records),
            "--rule-set",
            "cn-national",
            "--as-of",
            "2024-06-30",
        ]
        assert main([*keep, "--db", str(db)]) == 0
        before = db.read_bytes()
        capsys.readouterr()
        argv = _commands(str(sample_records), "")[command]
        assert main([*argv, "--db", str(db), "-o", str(db)]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err.endswith(
            f"error: cannot write {db}: it is the input {db}, which it would replace:"
            " name another file\n"
        )
        assert db.read_bytes() == before
        assert main(["db", "check", str(db)]) == 0

    def test_another_file_is_written(
        self, sample_records: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        output = tmp_path / "figures.csv"
        assert main(["stats", str(sample_records), "--format", "csv", "-o", str(output)]) == 0
        assert output.read_text("utf-8").startswith("region,")


def test_parquet_from_a_pipe_is_a_clear_usage_error(tmp_path: Path) -> None:
    """Parquet keeps its index at its end: a pipe cannot be read, and the message says so."""
    pytest.importorskip("polars")
    from volunteer_rules.tables import io as tio

    sample = Path(__file__).resolve().parent.parent / "examples" / "records.jsonl"
    path = tmp_path / "records.parquet"
    tio.write_parquet(tio.read_json_lines(sample).records, path)
    command = [sys.executable, "-m", "volunteer_rules", "stats", "-", "--input-format", "parquet"]
    piped = subprocess.run(
        command, input=path.read_bytes(), capture_output=True, timeout=300, check=False
    )
    assert piped.returncode == 2 and piped.stdout == b""
    assert piped.stderr.decode().endswith(
        "error: Parquet cannot be read from a pipe (its index is at the end of the file):"
        " give the file's name, or redirect it (< FILE)\n"
    )
    with path.open("rb") as redirected:
        given = subprocess.run(command, stdin=redirected, capture_output=True, timeout=300)
    assert given.returncode == 1 and b"27356.75" in given.stdout  # the sample's conflict: 1


@pytest.mark.parametrize("command", ["certify", "stats"])
def test_the_help_says_what_standard_input_is_read_as(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command, "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "- for standard input (JSON Lines, or as --input-format says)" in text


@pytest.mark.parametrize("output", [[], ["--format", "json"]])
def test_a_mobile_number_written_with_spaces_is_masked_in_a_report(
    output: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A contact in an unexpected place (a column name), as people write it: 139 8765 4321."""
    from _cli_helpers import write_lines
    from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD

    path = write_lines(
        tmp_path / "records.jsonl",
        [{**SAMPLE_RECORD_PAYLOAD, "电话 139 8765 4321": "x"}, "139-8765-4321 {"],
    )
    assert main(["check", str(path), *output]) == 1
    captured = capsys.readouterr()
    shown = captured.out + captured.err
    assert "139******4321" in shown  # the column is named, masked
    assert "8765" not in shown


@pytest.mark.parametrize("action", [["check"], ["copy"]])
def test_an_empty_file_is_no_database_and_is_left_empty(
    action: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``db check`` and ``db copy`` only read their source: an empty file stays empty.

    It was opened as a database (made one, 4 KB, by the command that only reads it) and
    reported as "schema version 0 ... open it with migrate=True".
    """
    empty = tmp_path / "bank.sqlite"
    empty.write_bytes(b"")
    copy = tmp_path / "copy.sqlite"
    argv = ["db", *action, str(empty), *([str(copy)] if action == ["copy"] else [])]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"volunteer-rules db {action[0]}: error: {empty}: is an empty file, not a database\n"
    )
    assert empty.read_bytes() == b""
    assert not copy.exists()


@pytest.mark.parametrize("action", [["check"], ["copy", "SRC"], ["copy", "DST"]])
def test_a_database_that_cannot_be_reached_is_said_on_one_line(
    action: list[str], sample_records: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The driver's message spans two lines ("... refused\\n\\tIs the server running ...")."""
    pytest.importorskip("psycopg")
    url = "postgresql://nobody@127.0.0.1:1/bank"  # the loopback, a port nothing listens on
    source = tmp_path / "bank.sqlite"
    assert main(["certify", str(sample_records), "--rule-set", "cn-national", "--as-of",
                 "2024-06-30", "--db", str(source)]) == 0  # fmt: skip
    capsys.readouterr()
    given = {"check": [url], "SRC": [url, str(tmp_path / "copy.sqlite")], "DST": [str(source), url]}
    assert main(["db", action[0], *given[action[-1]]]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith(f"volunteer-rules db {action[0]}: error: ")
