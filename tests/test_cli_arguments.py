"""Arguments: text that is not UTF-8 and empty paths are usage errors, in every command."""

from __future__ import annotations

from pathlib import Path

import pytest

from _cli_helpers import write_lines
from volunteer_rules.cli import main
from volunteer_rules.testing.examples import SAMPLE_ORGANIZATION_ID
from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD

NOT_UTF8 = "X" + chr(0xDCFF)  # how Python reads the byte 0xff in an argument


@pytest.fixture
def inputs(tmp_path: Path, sample_records: Path, sample_profiles: Path) -> dict[str, str]:
    surrogate = write_lines(
        tmp_path / "surrogate.jsonl",
        [{**SAMPLE_PROFILE_PAYLOAD, "name": "\ud800"}],
        ensure_ascii=True,
    )
    return {
        "records": str(sample_records),
        "profiles": str(sample_profiles),
        "surrogate": str(surrogate),
        "out": str(tmp_path / "out"),
    }


def _certificate(files: dict[str, str], issuer_name: str, profiles: str = "profiles") -> list[str]:
    return [
        "certificate", files["records"], "--profiles", files[profiles], "--volunteer", "V0000001",
        "--issuer", SAMPLE_ORGANIZATION_ID, "--issuer-name", issuer_name, "--responsible", "R",
        "--handler", "H", "--contact", "C", "--number", "N", "--as-of", "2024-06-30",
        "-o", files["out"],
    ]  # fmt: skip


def _transfer(files: dict[str, str], *more: str) -> list[str]:
    return [
        "transfer", "create", files["records"], "--volunteer", "V0000001",
        "--from", SAMPLE_ORGANIZATION_ID, "--to", "51211100MJ00000175", "--to-region", "110105",
        "--consent", "--created-at", "2024-06-30T09:00:00+08:00", "-o", files["out"], *more,
    ]  # fmt: skip


@pytest.mark.parametrize("case", ["report title", "certificate issuer", "transfer region"])
def test_an_option_that_is_not_utf8_is_a_usage_error(
    inputs: dict[str, str], case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bytes that are not UTF-8 in a text option: status 2 naming the option, nothing written."""
    args, option = {
        "report title": (
            [
                "report",
                inputs["records"],
                "--as-of",
                "2024-06-30",
                "--title",
                NOT_UTF8,
                "-o",
                inputs["out"],
            ],
            "--title",
        ),
        "certificate issuer": (_certificate(inputs, NOT_UTF8), "--issuer-name"),
        "transfer region": (_transfer(inputs, "--from-region", NOT_UTF8), "--from-region"),
    }[case]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"error: argument {option}: is not UTF-8 text: X\\udcff" in err
    assert not Path(inputs["out"]).exists()


def test_a_file_name_that_is_not_utf8_is_read(
    inputs: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file name is the system's: bytes that are not UTF-8 in it are fine."""
    named = tmp_path / ("records-" + chr(0xDCE9) + ".jsonl")
    named.write_bytes(Path(inputs["records"]).read_bytes())
    assert main(["check", str(named)]) == 0


@pytest.mark.parametrize("command", ["transfer", "certificate"])
def test_a_profile_that_cannot_be_stored_is_refused(
    inputs: dict[str, str], command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A profile's name "\\ud800" is a bad line, as in a record: no file written."""
    args = (
        _transfer(inputs, "--profiles", inputs["surrogate"])
        if command == "transfer"
        else _certificate(inputs, "X", profiles="surrogate")
    )
    assert main(args) in (1, 2)
    assert "$.name: invalid_format: name holds U+D800" in capsys.readouterr().err
    assert not Path(inputs["out"]).exists()


def _with_empty(inputs: dict[str, str]) -> dict[str, list[str]]:
    records, out = inputs["records"], inputs["out"]
    return {
        "check FILE": ["check", ""],
        "check --db": ["check", records, "--db", ""],
        "certify --profiles": [
            "certify",
            records,
            "--rule-set",
            "cn-national",
            "--as-of",
            "2024-06-30",
            "--profiles",
            "",
        ],
        "certify -o": [
            "certify",
            records,
            "--rule-set",
            "cn-national",
            "--as-of",
            "2024-06-30",
            "-o",
            "",
        ],
        "stats -o": ["stats", records, "-o", ""],
        "ledger --db": [
            "ledger",
            "credit",
            records,
            "--policy",
            "generic",
            "--as-of",
            "2024-06-30",
            "--db",
            "",
        ],
        "report -o": ["report", records, "--as-of", "2024-06-30", "-o", ""],
        "match --records": [
            "match",
            "demand.json",
            inputs["profiles"],
            "--as-of",
            "2024-06-30",
            "--records",
            "",
        ],
        "certificate --signing-key": [
            *_certificate(inputs, "X"),
            "--signing-key",
            "",
            "--key-id",
            "k",
        ],
        "transfer create --db": [*_transfer(inputs), "--db", ""],
        "transfer check --destination": [
            "transfer",
            "check",
            out,
            "--destination",
            "",
            "--as-of",
            "2024-06-30",
        ],
        "db check": ["db", "check", ""],
        "db copy": ["db", "copy", str(Path(out).with_suffix(".db")), ""],
    }


@pytest.mark.parametrize(
    "case",
    [
        "check FILE", "check --db", "certify --profiles", "certify -o", "stats -o", "ledger --db",
        "report -o", "match --records", "certificate --signing-key", "transfer create --db",
        "transfer check --destination", "db check", "db copy",
    ],
)  # fmt: skip
def test_an_empty_path_is_a_usage_error(
    inputs: dict[str, str], case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--db ""``, ``db copy SRC ""``...: status 2, and nothing done (no file written)."""
    folder = Path(inputs["out"]).parent
    before = sorted(folder.iterdir())
    assert main(_with_empty(inputs)[case]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert ": an empty path names no file" in captured.err
    assert sorted(folder.iterdir()) == before
