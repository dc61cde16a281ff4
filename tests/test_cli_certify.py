from __future__ import annotations

import json
from pathlib import Path

import pytest

from volunteer_rules.cli import main
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD


def _write(tmp_path: Path, lines: list[str]) -> str:
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


class TestCertifyCommand:
    def test_clean_file_exits_zero(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A file of valid records prints a table and a distribution and exits 0."""
        path = _write(tmp_path, [json.dumps(SAMPLE_RECORD_PAYLOAD)])
        assert main(["certify", path, "--rule-set", "cn-national", "--as-of", "2024-12-31"]) == 0
        out = capsys.readouterr().out
        assert "V0000001" in out and "one_star" in out

    def test_bad_and_conflicting_lines_exit_one(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Bad lines and conflicting versions are reported on stderr; conflicts count for no one."""
        other = {**SAMPLE_RECORD_PAYLOAD, "service_minutes": 30}
        path = _write(tmp_path, [json.dumps(SAMPLE_RECORD_PAYLOAD), "{not json", json.dumps(other)])
        args = ["certify", path, "--rule-set", "cn-national", "--as-of", "2024-12-31"]
        assert main([*args, "--format", "json"]) == 1
        captured = capsys.readouterr()
        document = json.loads(captured.out)
        assert document["bad_lines"] == 3
        # The one rule (volunteer_rules.rules.versions): no version of the key counts.
        assert document["certifications"][0]["counted_h"] == "0"
        assert document["certifications"][0]["excluded"] == [["r-2024-0001", "duplicate_record"]]
        assert "records.jsonl:2: $: invalid_json" in captured.err
        assert "records.jsonl:1: $.record_id: duplicate_record" in captured.err
        assert "records.jsonl:3: $.record_id: duplicate_record" in captured.err
        reversed_path = _write(tmp_path, [json.dumps(other), json.dumps(SAMPLE_RECORD_PAYLOAD)])
        assert main(["certify", reversed_path, *args[2:], "--format", "json"]) == 1
        again = json.loads(capsys.readouterr().out)
        assert again["certifications"] == document["certifications"]

    def test_csv_and_limit(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """--format csv writes a header and at most --limit rows."""
        second = {**SAMPLE_RECORD_PAYLOAD, "record_id": "x", "volunteer_id": "V2"}
        path = _write(tmp_path, [json.dumps(SAMPLE_RECORD_PAYLOAD), json.dumps(second)])
        args = ["certify", path, "--rule-set", "hk-swd", "--as-of", "2021-12-31"]
        assert main([*args, "--format", "csv", "--limit", "1"]) == 0
        lines = capsys.readouterr().out.strip().splitlines()
        assert len(lines) == 2 and lines[0].startswith("volunteer,level")

    @pytest.mark.parametrize(
        "extra",
        [
            ["--rule-set", "xx-none", "--as-of", "2024-12-31"],
            ["--rule-set", "cn-national", "--as-of", "31/12/2024"],
            ["--rule-set", "cn-national", "--as-of", "2024-12-31", "--limit", "-1"],
        ],
    )
    def test_usage_errors(self, tmp_path: Path, extra: list[str]) -> None:
        """Unknown rule sets, bad dates and bad limits are usage errors (2)."""
        path = _write(tmp_path, [json.dumps(SAMPLE_RECORD_PAYLOAD)])
        assert main(["certify", path, *extra]) == 2

    def test_missing_file(self, tmp_path: Path) -> None:
        """A missing file is a usage error."""
        missing = str(tmp_path / "none.jsonl")
        assert main(["certify", missing, "--rule-set", "cn-national", "--as-of", "2024-12-31"]) == 2
