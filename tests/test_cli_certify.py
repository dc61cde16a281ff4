from __future__ import annotations

import json
from pathlib import Path

import pytest

from _cli_helpers import write_sample_profiles
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


class TestKeyReusedForAnotherVolunteer:
    """Issue 14: a key whose versions name two volunteers counts for neither, on every path
    of the command (the table engine, a store, profiles that ask for one volunteer), and a
    volunteer with only such a version gets a row, as ``certify`` gives."""

    @staticmethod
    def _files(tmp_path: Path) -> tuple[str, str]:
        reused = {**SAMPLE_RECORD_PAYLOAD, "volunteer_id": "V2", "service_minutes": 60}
        more = {**SAMPLE_RECORD_PAYLOAD, "record_id": "r-more", "date": "2024-04-01"}
        del more["start"], more["end"]
        lines = [json.dumps(p, ensure_ascii=False) for p in (SAMPLE_RECORD_PAYLOAD, reused, more)]
        return _write(tmp_path, lines), str(write_sample_profiles(tmp_path))

    @pytest.mark.parametrize("store", [False, True])
    @pytest.mark.parametrize("one_volunteer", [False, True])
    def test_neither_volunteer_counts_the_key(
        self,
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
        store: bool,
        one_volunteer: bool,
    ) -> None:
        path, profiles = self._files(tmp_path)
        args = ["certify", path, "--rule-set", "cn-national", "--as-of", "2024-12-31"]
        args += ["--format", "json"]
        if store:
            args += ["--db", str(tmp_path / "records.sqlite")]
        if one_volunteer:
            args += ["--profiles", profiles]  # the sample profile is V0000001's
        for _ in range(2 if store else 1):  # a second run reads the records back from the store
            assert main(args) == 1
            captured = capsys.readouterr()
            rows = {c["volunteer"]: c for c in json.loads(captured.out)["certifications"]}
            assert list(rows) == (["V0000001"] if one_volunteer else ["V0000001", "V2"])
            assert rows["V0000001"]["counted_h"] == "2"  # r-more alone
            for row in rows.values():
                assert ["r-2024-0001", "duplicate_record"] in row["excluded"]
            if not one_volunteer:
                assert rows["V2"]["counted_h"] == "0"
            assert "records.jsonl:2: $.record_id: duplicate_record" in captured.err


def test_age_bands_without_profiles_name_the_option(
    sample_records: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The library's ``volunteers`` argument is ``--profiles`` on the command line."""
    assert (
        main(["certify", str(sample_records), "--rule-set", "us-pvsa", "--as-of", "2024-06-30"])
        == 2
    )
    err = capsys.readouterr().err
    assert err.startswith(
        "volunteer-rules certify: error: --profiles: rule set us-pvsa has age bands"
    )
