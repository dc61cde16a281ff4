from __future__ import annotations

import io
import json
import os
import pathlib
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _cli_helpers import write_lines
from volunteer_rules.cli import main
from volunteer_rules.cli.check import parse_offset
from volunteer_rules.records import CHINA_WORKING_DAYS
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD

ROOT = pathlib.Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "records.jsonl"
RESIDENT_ID = "21110219900307123X"


def payload(**changes: Any) -> dict[str, Any]:
    result = dict(SAMPLE_RECORD_PAYLOAD)
    for key, value in changes.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def write(path: pathlib.Path, *lines: Any) -> str:
    return str(write_lines(path, lines, ensure_ascii=True))


class TestExitStatus:
    def test_clean_file(self, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A file of valid, consistent records exits 0 with a summary."""
        path = write(tmp_path / "a.jsonl", payload(), payload(record_id="r-2", date="2024-05-02",
            start="2024-05-02T08:30:00+08:00", end="2024-05-02T11:00:00+08:00",
            recorded_at="2024-05-03T09:00:00+08:00"))  # fmt: skip
        assert main(["check", path]) == 0
        out = capsys.readouterr().out
        assert "records     2" in out
        assert "bad lines   0" in out

    def test_bad_lines_exit_1(
        self, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Each bad line is reported with its number, path, code and message."""
        path = write(
            tmp_path / "a.jsonl",
            payload(),
            "",
            '{"format_version": 1, ',
            payload(record_id="r-3", place=None, region_code="211199"),
            [1, 2],
        )
        assert main(["check", path]) == 1
        out = capsys.readouterr().out
        assert f"{path}:3: $: invalid_json: not valid JSON" in out
        assert f"{path}:4: $.place: missing:" in out
        assert f"{path}:4: $.region_code: unknown_code:" in out
        assert f"{path}:5: $: invalid_type:" in out
        assert "bad lines   3" in out
        assert "lines       5" in out

    def test_findings_exit_1(
        self, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A late record is a finding: reported with its line, exit 1."""
        path = write(
            tmp_path / "a.jsonl",
            payload(recorded_at="2024-05-17T09:00:00+08:00"),
        )
        assert main(["check", path]) == 1
        out = capsys.readouterr().out
        assert f"{path}:1: late: 512111005000000154 r-2024-0001 (volunteer V0000001)" in out
        assert "findings    1 (late 1)" in out

    def test_information_only_exits_0(
        self, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A superseded record is information: the exit status stays 0."""
        amendment = payload(
            record_id="r-2", amends="r-2024-0001", service_minutes=100,
            recorded_at="2024-05-03T09:00:00+08:00",
        )  # fmt: skip
        path = write(tmp_path / "a.jsonl", payload(), amendment)
        assert main(["check", path]) == 0
        out = capsys.readouterr().out
        assert ":1: superseded:" in out
        assert "r-2 (line 2)" in out

    def test_missing_file_is_usage_error(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A file that does not exist is a usage error (2), said on stderr."""
        assert main(["check", "/no/such/file.jsonl"]) == 2
        captured = capsys.readouterr()
        assert "cannot read /no/such/file.jsonl" in captured.err
        assert captured.out == ""

    def test_no_file_argument_is_usage_error(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Without FILE, argparse's usage error gives 2."""
        assert main(["check"]) == 2
        assert "usage:" in capsys.readouterr().err

    def test_bad_default_tz(
        self, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """An unreadable --default-tz is a usage error."""
        path = write(tmp_path / "a.jsonl", payload())
        assert main(["check", path, "--default-tz", "+25:00"]) == 2
        assert "--default-tz" in capsys.readouterr().err


class TestOptions:
    def test_default_tz(self, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
        """Date-times without an offset are errors unless --default-tz says the zone."""
        naive = payload(
            start="2024-05-01T08:30:00", end="2024-05-01T11:00:00",
            recorded_at="2024-05-02T09:15:00",
        )  # fmt: skip
        path = write(tmp_path / "a.jsonl", naive)
        assert main(["check", path]) == 1
        assert "$.start: invalid_format" in capsys.readouterr().out
        assert main(["check", path, "--default-tz", "+08:00"]) == 0

    def test_parse_offset(self) -> None:
        """Offsets and zone names are understood; nonsense is refused."""
        assert parse_offset("+0800").utcoffset(None).total_seconds() == 8 * 3600  # type: ignore[union-attr]
        assert parse_offset("-05:30").utcoffset(None).total_seconds() == -5.5 * 3600  # type: ignore[union-attr]
        assert parse_offset("Z").utcoffset(None).total_seconds() == 0  # type: ignore[union-attr]
        for bad in ("+08:60", "+24:00", "nowhere/at-all", "8"):
            with pytest.raises(ValueError, match="offset"):
                parse_offset(bad)

    def test_json_format(self, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
        """--format json writes one JSON document with bad lines, findings and a summary."""
        path = write(
            tmp_path / "a.jsonl",
            payload(recorded_at="2024-05-17T09:00:00+08:00"),
            "not json",
        )
        assert main(["check", path, "--format", "json"]) == 1
        document = json.loads(capsys.readouterr().out)
        assert document["file"] == path
        assert document["bad_lines"] == [
            {"line": 2, "errors": [{"path": "$", "code": "invalid_json",
             "message": document["bad_lines"][0]["errors"][0]["message"]}]}
        ]  # fmt: skip
        (finding,) = document["findings"]
        assert finding["code"] == "late"
        assert finding["line"] == 1
        assert finding["severity"] == "problem"
        assert document["summary"] == {
            "lines": 2, "records": 1, "repeated": 0, "bad_lines": 1, "volunteers": 1,
            "findings": {"late": 1}, "calendar": CHINA_WORKING_DAYS.data_version,
        }  # fmt: skip

    def test_json_format_empty(
        self, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """An empty file gives a valid JSON document too, a warning and status 1."""
        path = write(tmp_path / "a.jsonl")
        assert main(["check", path, "--format", "json"]) == 1
        captured = capsys.readouterr()
        assert "warning: " in captured.err and "holds no record" in captured.err
        document = json.loads(captured.out)
        assert document["bad_lines"] == []
        assert document["findings"] == []
        assert document["summary"]["lines"] == 0

    def test_stdin(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """- reads standard input."""
        data = (json.dumps(payload()) + "\n").encode()
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
        assert main(["check", "-"]) == 0
        assert "records     1" in capsys.readouterr().out


class TestPrivacy:
    def test_resident_id_never_printed(
        self, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """An ID number in a record is masked in every output format."""
        path = write(
            tmp_path / "a.jsonl",
            payload(volunteer_id=RESIDENT_ID),
            payload(record_id=RESIDENT_ID, place=None),
        )
        for fmt in ("text", "json"):
            assert main(["check", path, "--format", fmt]) == 1
            captured = capsys.readouterr()
            assert RESIDENT_ID not in captured.out + captured.err
            assert RESIDENT_ID[:17] not in captured.out + captured.err

    @settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        st.sampled_from(["volunteer_id", "record_id", "place", "activity_name", "content"]),
        st.dates().map(lambda day: day.strftime("%Y%m%d")),
        st.integers(min_value=0, max_value=9999).map(lambda n: f"{n:04d}"[:3]),
    )
    def test_property_no_id_number_in_output(
        self,
        tmp_path: pathlib.Path,
        capsys: pytest.CaptureFixture[str],
        field: str,
        birth: str,
        sequence: str,
    ) -> None:
        """Whatever field carries an ID-shaped number, the output never shows it in full."""
        number = "211103" + birth + sequence + "X"
        path = write(tmp_path / "p.jsonl", payload(**{field: number}), payload(**{field: number}))
        main(["check", path, "--format", "json"])
        main(["check", path])
        captured = capsys.readouterr()
        assert number not in captured.out + captured.err


class TestSample:
    def test_sample_file(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The bundled sample has its deliberate bad lines and findings."""
        assert main(["check", str(SAMPLE), "--format", "json"]) == 1
        document = json.loads(capsys.readouterr().out)
        summary = document["summary"]
        assert summary["bad_lines"] == 6
        assert summary["records"] > 4000
        assert summary["volunteers"] == 300
        for code in ("duplicate_record", "overlap", "daily_cap", "late", "superseded"):
            assert summary["findings"].get(code, 0) >= 1, code
        codes = {error["code"] for line in document["bad_lines"] for error in line["errors"]}
        assert {"checksum", "missing", "invalid_json", "unknown_code"} <= codes

    def test_subprocess_stdin(self) -> None:
        """python -m volunteer_rules check - reads standard input, exit status included."""
        data = json.dumps(payload()) + "\n" + "{broken\n"
        env = dict(os.environ, PYTHONIOENCODING="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "volunteer_rules", "check", "-"],
            input=data.encode(),
            capture_output=True,
            env=env,
            check=False,
            timeout=120,
        )
        assert done.returncode == 1
        out = done.stdout.decode()
        assert "<stdin>:2: $: invalid_json" in out
        assert done.stderr == b""  # no progress line: stderr is not a terminal


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


class TestAnyInput:
    @settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        st.lists(
            json_values
            | st.fixed_dictionaries({}, optional=dict.fromkeys(SAMPLE_RECORD_PAYLOAD, json_values))
            | st.builds(lambda x: dict(SAMPLE_RECORD_PAYLOAD, **x), st.dictionaries(
                st.sampled_from(sorted(SAMPLE_RECORD_PAYLOAD)), json_values, max_size=2)),
            max_size=5,
        )
    )  # fmt: skip
    def test_any_json_lines(
        self, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], values: list[Any]
    ) -> None:
        """Whatever JSON the lines hold, check reports and exits 0 or 1, never crashes."""
        path = write(tmp_path / "any.jsonl", *[json.dumps(value) for value in values])
        for fmt in ("text", "json"):
            assert main(["check", path, "--format", fmt]) in (0, 1)
            out = capsys.readouterr().out
            if fmt == "json":
                assert json.loads(out)["summary"]["lines"] == len(values)
