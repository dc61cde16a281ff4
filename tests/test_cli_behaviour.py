"""How the installed command behaves, one rule per test, each run in a subprocess.

No traceback ever; results on standard output and reports on standard error; a usage error
writes nothing on standard output; a closed pipe and Ctrl-C end the command quietly.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import volunteer_rules as vr
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "records.jsonl"
COMMAND = [sys.executable, "-m", "volunteer_rules"]


def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *args], input=stdin, capture_output=True, text=True, timeout=600, check=False
    )


def _closed_pipe(*args: str) -> tuple[int, str]:
    """Run with standard output a pipe whose reader is already gone; (status, stderr)."""
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run(
            [*COMMAND, *args], stdout=write, stderr=subprocess.PIPE, timeout=600, check=False
        )
    finally:
        os.close(write)
    return done.returncode, done.stderr.decode("utf-8", "replace")


@pytest.mark.parametrize(
    "args",
    [
        ["certify", str(SAMPLE), "--rule-set", "cn-national", "--as-of", "2026-06-30"],
        ["check", str(SAMPLE)],
        ["stats", str(SAMPLE), "--format", "json"],
    ],
    ids=["certify", "check", "stats"],
)
def test_a_closed_pipe_ends_quietly(args: list[str]) -> None:
    """``| head``: status 141 (128 + SIGPIPE), no traceback, no complaint about the input."""
    status, err = _closed_pipe(*args)
    assert status == 141
    assert "Traceback" not in err
    assert "cannot read" not in err


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
def test_ctrl_c_exits_130_with_one_line() -> None:
    """Ctrl-C while a command waits for input: status 130, one line, no traceback."""
    process = subprocess.Popen(
        [*COMMAND, "check", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        # Wait until it is started and blocked on its input (no CPU used for a second).
        last, still, deadline = -1, 0.0, time.monotonic() + 300
        while still < 1.0 and time.monotonic() < deadline:
            time.sleep(0.2)
            now = _cpu_ticks(process.pid)
            still = still + 0.2 if now == last else 0.0
            last = now
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    text = err.decode()
    assert process.returncode == 130
    assert "Traceback" not in text
    assert text.strip().splitlines() == ["volunteer-rules: interrupted"]


def test_a_usage_error_writes_nothing_on_stdout(tmp_path: Path) -> None:
    """``check --db`` on a file that cannot be made: status 2, only standard error."""
    done = _run("check", str(SAMPLE), "--db", str(tmp_path / "no" / "dir" / "x.sqlite"))
    assert done.returncode == 2
    assert done.stdout == ""
    assert "--db" in done.stderr


def test_transfer_create_without_records_is_an_error(tmp_path: Path) -> None:
    """An unknown volunteer or an empty file: no package, a report on stderr, status 1."""
    records = tmp_path / "records.jsonl"
    records.write_text(json.dumps(SAMPLE_RECORD_PAYLOAD) + "\n", encoding="utf-8")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    for path, volunteer in ((records, "V9999999"), (empty, "V0000001")):
        done = _run(
            "transfer", "create", str(path), "--volunteer", volunteer,
            "--from", "512111005000000154", "--to", "51211100MJ00000175",
            "--to-region", "110105", "--created-at", "2024-06-01T09:00:00+08:00", "--consent",
        )  # fmt: skip
        assert done.returncode == 1
        assert done.stdout == ""
        assert "no package written" in done.stderr


def test_text_that_cannot_be_stored_is_a_bad_line(tmp_path: Path) -> None:
    """A lone surrogate (valid JSON) is ``invalid_format`` with its path, never a traceback."""
    path = tmp_path / "records.jsonl"
    line = json.dumps({**SAMPLE_RECORD_PAYLOAD, "content": "abc\ud800def"})
    path.write_text(line + "\n", encoding="utf-8")
    for args in (["check", str(path)], ["check", str(path), "--db", str(tmp_path / "x.sqlite")]):
        done = _run(*args)
        assert done.returncode == 1
        assert "Traceback" not in done.stderr
        assert f"{path}:1: $.content: invalid_format:" in done.stdout + done.stderr


def test_rule_set_help_lists_the_ids() -> None:
    """``--help`` of certify names every rule set id; every command has a description."""
    done = _run("certify", "--help")
    flat = " ".join(done.stdout.replace("-\n", "-").split())
    for rule_set_id in vr.rule_set_ids():  # argparse may break a line after a hyphen
        assert rule_set_id in flat.replace("- ", "-")
    from volunteer_rules.cli import COMMANDS

    for name, description in COMMANDS.items():
        assert description
        shown = _run(name, "--help")
        assert shown.returncode == 0
        assert " ".join(description.split()[:3]) in " ".join(shown.stdout.split())


def test_one_format_for_bad_lines_in_every_command(tmp_path: Path) -> None:
    """``FILE:LINE: PATH: CODE: MESSAGE`` for a bad line, whichever command reads the file."""
    path = tmp_path / "records.jsonl"
    broken = {**SAMPLE_RECORD_PAYLOAD, "record_id": "r-2", "service_minutes": 0}
    path.write_text(
        json.dumps(SAMPLE_RECORD_PAYLOAD) + "\n{oops\n" + json.dumps(broken) + "\n",
        encoding="utf-8",
    )
    profiles = tmp_path / "profiles.jsonl"
    profiles.write_text(json.dumps(SAMPLE_PROFILE_PAYLOAD) + "\n", encoding="utf-8")
    commands = [
        ["check", str(path)],
        ["certify", str(path), "--rule-set", "cn-national", "--as-of", "2024-12-31"],
        ["stats", str(path)],
        ["ledger", "credit", str(path), "--policy", "generic", "--as-of", "2024-12-31"],
        ["transfer", "create", str(path), "--volunteer", "V0000001", "--from",
         "512111005000000154", "--to", "51211100MJ00000175", "--to-region", "110105",
         "--created-at", "2024-06-01T09:00:00+08:00", "-o", str(tmp_path / "p.json")],
        ["certificate", str(path), "--volunteer", "V0000001", "--profiles", str(profiles),
         "--issuer", "512111005000000154", "--issuer-name", "X", "--responsible", "R",
         "--handler", "H", "--contact", "0427-1234567", "--number", "N-1",
         "--as-of", "2024-12-31"],
    ]  # fmt: skip
    for args in commands:
        done = _run(*args)
        said = done.stdout + done.stderr
        assert f"{path}:2: $: invalid_json: " in said, args
        assert f"{path}:3: $.service_minutes: out_of_range: " in said, args
        assert "Traceback" not in said


def test_check_shows_only_what_matters() -> None:
    """``--summary`` writes only the counts; ``--severity`` keeps findings of one severity."""
    full = _run("check", str(SAMPLE))
    summary = _run("check", str(SAMPLE), "--summary")
    problems = _run("check", str(SAMPLE), "--severity", "problem")
    info = _run("check", str(SAMPLE), "--severity", "info", "--format", "json")
    assert full.returncode == summary.returncode == problems.returncode == 1
    assert summary.stdout.startswith("summary\n")
    assert summary.stdout in full.stdout  # the same counts
    assert " superseded: " not in problems.stdout and " overlap: " in problems.stdout
    assert problems.stdout.endswith(summary.stdout)
    document = json.loads(info.stdout)
    assert document["bad_lines"] == []
    assert {f["code"] for f in document["findings"]} == {"superseded"}
    assert document["summary"]["findings"]["late"] > 0  # the summary still counts everything


def test_check_names_the_calendar_data() -> None:
    """The summary says which working-day calendar data the ``late`` findings rest on."""
    text = _run("check", str(SAMPLE), "--summary")
    document = json.loads(_run("check", str(SAMPLE), "--format", "json").stdout)
    assert f"  calendar    {vr.CHINA_WORKING_DAYS.data_version}\n" in text.stdout
    assert document["summary"]["calendar"] == vr.CHINA_WORKING_DAYS.data_version
    assert document["summary"]["findings"]["late"] > 0
