"""``match`` through ``volunteer_rules.cli.main``: bad demands are usage errors, never tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from volunteer_rules.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _demand(tmp_path: Path, start: str) -> Path:
    demand = json.loads((EXAMPLES / "demand.json").read_text(encoding="utf-8"))
    demand["slots"][0]["start"] = start
    path = tmp_path / "demand.json"
    path.write_text(json.dumps(demand), encoding="utf-8")
    return path


def _match(demand: Path) -> int:
    return main(["match", str(demand), str(EXAMPLES / "profiles.jsonl"), "--as-of", "2026-06-30"])


def test_a_demand_in_year_2999_is_matched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Weekly slots that start in the format's last year are read and matched."""
    assert _match(_demand(tmp_path, "2999-06-01T08:00:00+08:00")) == 0
    assert "2999-08-03T08:00:00+08:00" in capsys.readouterr().out


@pytest.mark.parametrize("start", ["3000-01-01T08:00:00+08:00", "9999-12-01T08:00:00+08:00"])
def test_a_demand_past_the_format_s_years_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], start: str
) -> None:
    """A slot starting after 2999 is out of the record format's years (as a record's date
    is): exit 2, the slot's start named, and nothing matched."""
    path = _demand(tmp_path, start)
    assert _match(path) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "$.slots[0].start" in err and "must fall in the years 1900 to 2999" in err


@pytest.mark.parametrize("slots", ["0", "-1"])
def test_max_slots_below_one_is_a_usage_error_naming_the_option(
    slots: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["match", str(EXAMPLES / "demand.json"), str(EXAMPLES / "profiles.jsonl")]
    assert main([*argv, "--as-of", "2026-06-30", "--max-slots", slots]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert (
        captured.err
        == f"volunteer-rules match: error: --max-slots must be 1 or more, not {slots}\n"
    )


def test_a_demand_that_is_not_valid_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Which file is not a valid demand, as when it is not JSON (not "invalid demand" alone)."""
    path = tmp_path / "demand.json"
    path.write_text("[]", encoding="utf-8")
    assert _match(path) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"volunteer-rules match: error: the demand {path} is not valid:"
        " $: invalid_type: must be a JSON object, not array\n"
    )
