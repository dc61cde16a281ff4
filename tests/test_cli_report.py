"""``report`` through ``volunteer_rules.cli.main``: bad input is reported, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from _cli_helpers import write_sample_records
from volunteer_rules.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _person_served(tmp_path: Path, start: str) -> Path:
    line = (EXAMPLES / "community" / "people.jsonl").read_text(encoding="utf-8").splitlines()[0]
    person = json.loads(line)
    person["needs"][0]["slots"][0]["start"] = start
    path = tmp_path / "people.jsonl"
    path.write_text(json.dumps(person, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("start", "bad"),
    [
        ("2999-06-01T08:00:00+08:00", False),
        ("3000-01-01T08:00:00+08:00", True),
        ("9999-12-01T08:00:00+08:00", True),
    ],
    ids=["within-2999", "past-2999", "past-9999"],
)
def test_a_need_at_the_end_of_the_format_s_years(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], start: str, bad: bool
) -> None:
    """A need's weekly slots that start in the format's years (to 2999) are read; one starting
    after them is a bad line, as a record's date would be."""
    path = _person_served(tmp_path, start)
    status = main(["report", str(path), "--as-of", "2026-06-30", "-o", str(tmp_path / "r.html")])
    err = capsys.readouterr().err
    assert status == 1  # no counted record: an empty report is a warning
    assert ("must fall in the years 1900 to 2999" in err) is bad
    assert (f"{path}:1: " in err) is bad


@pytest.mark.parametrize("method", [{}, [], 3])
def test_a_capture_method_that_is_not_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], method: object
) -> None:
    """A record whose capture method is not text is counted as entered, as ``check`` reads it."""
    from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD

    record = dict(SAMPLE_RECORD_PAYLOAD, extensions={"volunteer_rules.capture": {"method": method}})
    path = tmp_path / "records.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    out = tmp_path / "r.html"
    assert main(["report", str(path), "--as-of", "2026-06-30", "-o", str(out)]) == 0
    assert "1 records counted" in capsys.readouterr().out
    assert out.stat().st_size > 0


@pytest.mark.parametrize(
    ("as_of", "status", "said"),
    [
        ("9999-12-31", 0, "1 records counted"),
        ("9999-12-30", 0, "1 records counted"),
        ("0001-01-01", 2, "cn-national was not yet in force on 0001-01-01"),
        ("0001-01-02", 2, "cn-national was not yet in force on 0001-01-02"),
    ],
)
def test_the_ends_of_the_calendar(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], as_of: str, status: int, said: str
) -> None:
    """A report on the calendar's last days; on its first, the rule set is refused, as certify does."""
    path = write_sample_records(tmp_path)
    out = tmp_path / "r.html"
    assert main(["report", str(path), "--as-of", as_of, "-o", str(out)]) == status
    captured = capsys.readouterr()
    assert said in captured.out + captured.err
    assert out.exists() is (status == 0)


def test_a_day_before_the_rule_set_is_named_by_the_option(
    sample_records: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "report.html"
    assert main(["report", str(sample_records), "--as-of", "1999-06-30", "-o", str(output)]) == 2
    err = capsys.readouterr().err
    assert err == (
        "volunteer-rules report: error: --as-of: cn-national was not yet in force on 1999-06-30:"
        " its first version applies from 2012-10-23\n"
    )
    assert not output.exists()
