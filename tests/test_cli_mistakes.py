"""A new user's mistakes on the command line: each a clear usage error that changes nothing."""

from __future__ import annotations

import os
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

    def test_another_file_is_written(
        self, sample_records: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        output = tmp_path / "figures.csv"
        assert main(["stats", str(sample_records), "--format", "csv", "-o", str(output)]) == 0
        assert output.read_text("utf-8").startswith("region,")
