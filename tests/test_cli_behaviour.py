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
from _cli_helpers import write_sample_profiles, write_sample_records
from volunteer_rules.cli import main
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD

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


_STDOUT_COMMANDS = {
    "check": ["check", str(SAMPLE), "--summary"],
    "certify": ["certify", str(SAMPLE), "--rule-set", "cn-national", "--as-of", "2026-06-30"],
    "stats": ["stats", str(SAMPLE)],
    "ledger": ["ledger", "credit", str(SAMPLE), "--policy", "generic", "--as-of", "2026-06-30"],
    "version": ["--version"],
}


def _unwritable_stdout(stdout: int | None, *args: str) -> tuple[int, str]:
    """Run with standard output a full disk (an open descriptor) or closed (``None``)."""
    done = subprocess.run(
        [*COMMAND, *args],
        stdout=subprocess.DEVNULL if stdout is None else stdout,
        stderr=subprocess.PIPE,
        timeout=600,
        check=False,
        # >&- : the child starts with descriptor 1 closed
        preexec_fn=(lambda: os.close(1)) if stdout is None else None,
    )
    return done.returncode, done.stderr.decode("utf-8", "replace")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("command", list(_STDOUT_COMMANDS))
@pytest.mark.parametrize("how", ["full", "closed"])
def test_standard_output_that_cannot_be_written_is_said_once(command: str, how: str) -> None:
    """``> /dev/full`` or ``>&-``: status 2 and one line naming standard output, never a
    traceback nor a complaint about the input."""
    if how == "full":
        with open("/dev/full", "wb") as full:
            status, err = _unwritable_stdout(full.fileno(), *_STDOUT_COMMANDS[command])
        reason = "No space left on device"
    else:
        status, err = _unwritable_stdout(None, *_STDOUT_COMMANDS[command])
        reason = "Bad file descriptor"
    name = "" if command == "version" else f" {command}"
    assert status == 2, err
    assert err.splitlines()[-1] == (
        f"volunteer-rules{name}: error: cannot write standard output: {reason}"
    )
    assert "Traceback" not in err
    assert "cannot read" not in err
    assert "Exception ignored" not in err


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


@pytest.mark.parametrize("command", ["certify", "stats", "report"])
@pytest.mark.parametrize("where", ["a folder", "a missing folder"])
def test_an_output_that_cannot_be_written_is_said_before_reading(
    tmp_path: Path, command: str, where: str
) -> None:
    """A folder, or a file in a folder that does not exist: status 2 at once, with nothing
    read (the sample's bad lines are not reported) and nothing written."""
    output = tmp_path if where == "a folder" else tmp_path / "missing" / "out.csv"
    extra = {
        "certify": ["--rule-set", "cn-national", "--as-of", "2026-06-30", "--format", "csv"],
        "stats": ["--format", "csv"],
        "report": ["--as-of", "2026-06-30"],
    }[command]
    done = _run(command, str(SAMPLE), *extra, "--output", str(output))
    assert done.returncode == 2
    assert done.stdout == ""
    reason = "it is a folder, not a file" if where == "a folder" else "there is no folder"
    assert done.stderr.startswith(f"volunteer-rules {command}: error: cannot write {output}: ")
    assert reason in done.stderr
    assert len(done.stderr.splitlines()) == 1  # no line of the input was read
    assert sorted(tmp_path.iterdir()) == []


def test_transfer_create_without_records_is_an_error(tmp_path: Path) -> None:
    """An unknown volunteer or an empty file: no package, a report on stderr, status 1."""
    records = write_sample_records(tmp_path)
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
    profiles = write_sample_profiles(tmp_path)
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
        ["match", str(EXAMPLES / "demand.json"), str(profiles), "--records", str(path),
         "--as-of", "2026-06-01"],
        ["report", str(path), "--as-of", "2024-12-31", "-o", str(tmp_path / "r.html")],
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


# --- empty input and empty results: a warning on stderr, status 1 ---------------------------

EXAMPLES = SAMPLE.parent
_CREATE = ["--from", "512111005000000154", "--to", "51211100MJ00000175", "--to-region",
           "110105", "--created-at", "2024-06-01T09:00:00+08:00", "--consent"]  # fmt: skip
_CERTIFICATE = ["--issuer", "512111005000000154", "--issuer-name", "X", "--responsible", "R",
                "--handler", "H", "--contact", "0427-1234567", "--number", "N-1",
                "--as-of", "2024-12-31"]  # fmt: skip


def _empty_input_commands(tmp: Path) -> dict[str, list[str]]:
    empty = tmp / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    profiles = write_sample_profiles(tmp)
    database = tmp / "empty.sqlite"
    vr.SQLiteDatabase(str(database)).close()
    e = str(empty)
    return {
        "check": ["check", e],
        "certify": ["certify", e, "--rule-set", "cn-national", "--as-of", "2024-12-31"],
        "stats": ["stats", e],
        "certificate": ["certificate", e, "--volunteer", "V0000001", "--profiles",
                        str(profiles), *_CERTIFICATE],
        "ledger credit": ["ledger", "credit", e, "--policy", "generic", "--as-of", "2024-12-31"],
        "ledger statement": ["ledger", "statement", e, "--policy", "generic", "--as-of",
                             "2024-12-31", "--volunteer", "V0000001"],
        "match": ["match", str(EXAMPLES / "demand.json"), e, "--as-of", "2026-06-01"],
        "transfer create": ["transfer", "create", e, "--volunteer", "V0000001", *_CREATE],
        "transfer check": ["transfer", "check", e, "--as-of", "2024-06-01"],
        "report": ["report", e, "--as-of", "2024-12-31", "-o", str(tmp / "report.html")],
        "db check": ["db", "check", str(database)],
        "db copy": ["db", "copy", str(database), str(tmp / "copy.sqlite")],
    }  # fmt: skip


@pytest.mark.slow
def test_empty_input_is_a_warning_and_status_1(tmp_path: Path) -> None:
    """An empty file (or database) given to any command: status 1 and a word on stderr."""
    for name, args in _empty_input_commands(tmp_path).items():
        done = _run(*args)
        assert done.returncode == 1, (name, done.stdout, done.stderr)
        assert done.stderr.strip(), name
        assert "Traceback" not in done.stderr, name


def _empty_result_commands(tmp: Path) -> dict[str, list[str]]:
    submitted = tmp / "submitted.jsonl"  # one record that counts for nothing
    submitted.write_text(
        json.dumps({**SAMPLE_RECORD_PAYLOAD, "status": "submitted"}) + "\n", encoding="utf-8"
    )
    records = write_sample_records(tmp)
    profiles = write_sample_profiles(tmp)
    s, r = str(submitted), str(records)
    return {
        "stats": ["stats", s],
        "certificate": ["certificate", s, "--volunteer", "V0000001", "--profiles",
                        str(profiles), *_CERTIFICATE],
        "ledger credit": ["ledger", "credit", s, "--policy", "generic", "--as-of", "2024-12-31"],
        "ledger statement": ["ledger", "statement", r, "--policy", "generic", "--as-of",
                             "2024-12-31", "--volunteer", "V9999999"],
        "match": ["match", str(EXAMPLES / "demand.json"), str(profiles), "--as-of",
                  "2026-06-01"],
        "transfer create": ["transfer", "create", r, "--volunteer", "V9999999", *_CREATE],
        "report": ["report", s, "--as-of", "2024-12-31", "-o", str(tmp / "report.html")],
    }  # fmt: skip


@pytest.mark.slow
def test_an_empty_result_is_a_warning_and_status_1(tmp_path: Path) -> None:
    """Asked for a result and there is none: status 1 and a warning, never a clean 0."""
    for name, args in _empty_result_commands(tmp_path).items():
        done = _run(*args)
        assert done.returncode == 1, (name, done.stdout, done.stderr)
        assert done.stderr.strip(), name
        assert "Traceback" not in done.stderr, name


def test_the_warning_says_what_is_empty(tmp_path: Path) -> None:
    """One form for the warning: ``volunteer-rules COMMAND: warning: ...`` on stderr only."""
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")  # blank lines only
    done = _run("stats", str(empty), "--format", "json")
    assert done.returncode == 1
    assert json.loads(done.stdout) == []
    assert done.stderr.startswith("volunteer-rules stats: warning: ")


@pytest.mark.parametrize("by", [["region", "month"], []])
@pytest.mark.parametrize("output", ["text", "csv", "json"])
def test_stats_with_no_counted_record_keeps_its_columns_and_warns(
    by: list[str], output: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nothing counted: the columns asked for (not one ``records``), a warning, status 1.

    With no ``--by`` the one total row of zeros is still written, and is no clean run either.
    """
    submitted = tmp_path / "submitted.jsonl"  # one record that counts for nothing
    submitted.write_text(
        json.dumps({**SAMPLE_RECORD_PAYLOAD, "status": "submitted"}) + "\n", encoding="utf-8"
    )
    assert main(["stats", str(submitted), "--by", *by, "--format", output]) == 1
    captured = capsys.readouterr()
    assert captured.err == (
        f"volunteer-rules stats: warning: no counted record in {submitted}: nothing to report\n"
    )
    columns = [*(["region", "region_name", "month"] if by else []), "volunteers", "organizations"]
    if output == "json":
        rows = json.loads(captured.out)
        assert rows == (
            [] if by else [dict.fromkeys([*columns, "records", "minutes"], 0) | {"hours": "0.00"}]
        )
    else:
        header = captured.out.splitlines()[0]
        assert header.replace(",", " ").split()[: len(columns)] == columns


def _actions(name: str) -> list[list[str]]:
    """The command, or each of its actions when it has some."""
    actions = {"ledger": [], "transfer": ["create", "check"], "db": ["check", "copy"]}
    return [[name, action] for action in actions.get(name, [])] or [[name]]


@pytest.mark.slow
def test_every_subcommand_and_action_has_a_description() -> None:
    """``--help`` of every command and every action shows a description under the usage."""
    from volunteer_rules.cli import COMMANDS

    for name in COMMANDS:
        for args in _actions(name):
            shown = _run(*args, "--help")
            assert shown.returncode == 0, args
            text = shown.stdout
            assert text.startswith("usage: "), args
            # argparse writes the description after the usage, before the arguments
            between = text.split("\n\n")[1]
            assert between.strip() and not between.lstrip().startswith(
                ("positional arguments", "options")
            ), (args, text)


def test_every_rule_set_option_lists_the_ids() -> None:
    """``--rule-set`` (certify, certificate, report, transfer check) and match's ``--rules``."""
    from volunteer_rules.matching import registration_rule_set_ids

    def flat(text: str) -> str:  # argparse may break a line after a hyphen
        return " ".join(text.split()).replace("- ", "-")

    for args in (["certify"], ["certificate"], ["report"], ["transfer", "check"]):
        shown = flat(_run(*args, "--help").stdout)
        for rule_set_id in vr.rule_set_ids():
            assert rule_set_id in shown, (args, rule_set_id)
    shown = flat(_run("match", "--help").stdout)
    for rules_id in registration_rule_set_ids():
        assert rules_id in shown


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "-"],
        ["certify", "-", "--rule-set", "cn-national", "--as-of", "2026-06-30"],
        ["stats", "-"],
        ["ledger", "credit", "-", "--policy", "generic", "--as-of", "2026-06-30"],
        ["transfer", "check", "-", "--as-of", "2026-06-30"],
    ],
)
def test_closed_standard_input_is_an_input_that_cannot_be_read(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``<&-``: reading ``-`` fails as reading a file does, status 2 and one line."""
    monkeypatch.setattr("sys.stdin", None)
    assert main(argv) == 2
    assert capsys.readouterr().err.endswith("error: cannot read <stdin>: Bad file descriptor\n")


@pytest.mark.parametrize(
    "volunteer", ["\x0111010519491231002X", " V0000001", "@issuer2", "V" * 201]
)
def test_a_statement_for_an_account_the_ledger_refuses_is_a_usage_error(
    tmp_path: Path, volunteer: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """--volunteer is judged by the ledger's rule for an account first: status 2, no traceback,
    and nothing kept in the file."""
    records = write_sample_records(tmp_path)
    db = tmp_path / "bank.sqlite"
    argv = ["ledger", "statement", str(records), "--policy", "generic", "--as-of", "2024-12-31"]
    assert main([*argv, "--volunteer", volunteer, "--db", str(db), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "--volunteer" in err
    assert "Traceback" not in err
    assert "11010519491231002X" not in err
    assert not db.exists()


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["stats", "-"], "no counted record in <stdin>: nothing to report"),
        (["report", "-", "--as-of", "2024-12-31"], "<stdin>: nothing to report (no line)"),
        (["match", str(EXAMPLES / "demand.json"), "-", "--as-of", "2026-06-01"],
         "<stdin> holds no profile"),
    ],
)  # fmt: skip
def test_an_empty_standard_input_is_named_as_every_command_names_it(
    argv: list[str],
    said: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``<stdin>``, as ``check``, ``certify`` and ``ledger`` say, not a bare ``-``."""
    import io

    monkeypatch.chdir(tmp_path)  # report writes report.html here
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
    assert main(argv) == 1
    assert capsys.readouterr().err.splitlines()[-1] == f"volunteer-rules {argv[0]}: warning: {said}"
