"""The command lines the documentation shows, run as a reader would run them."""

from __future__ import annotations

import glob
import re
import shlex
from pathlib import Path

import pytest

from volunteer_rules.cli import main

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "examples" / "make_community.py"]  # fmt: skip
REPORT = re.compile(r"volunteer-rules report ((?:[^`\n\\]|\\\\?\n)+)")


def _report_commands() -> list[tuple[str, str]]:
    """Every ``volunteer-rules report ...`` the pages show (continued lines joined)."""
    found = []
    for page in PAGES:
        text = page.read_text("utf-8").replace("\\\\\n", "\\\n")
        for match in REPORT.finditer(text):
            found.append((page.name, match.group(1).replace("\\\n", " ")))
    return found


def test_the_pages_show_report_commands() -> None:
    assert {page for page, _ in _report_commands()} >= {"README.md", "cli.md", "statistics.md"}


@pytest.mark.parametrize(("page", "command"), _report_commands())
def test_the_documented_report_reads_every_file_it_is_given(
    page: str,
    command: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Only the sample's deliberately bad records are reported: every other line is read."""
    monkeypatch.chdir(ROOT)
    argv = [name for word in shlex.split(command) for name in (sorted(glob.glob(word)) or [word])]
    argv[argv.index("-o") + 1] = str(tmp_path / "report.html")
    assert main(["report", *argv]) == 1  # records.jsonl holds bad lines on purpose
    err = capsys.readouterr().err.splitlines()
    complaints = [line for line in err if re.match(r"\S+\.jsonl:\d+: ", line)]
    assert complaints, "the sample's bad lines are not reported: the check would be vacuous"
    assert all(line.startswith("examples/records.jsonl:") for line in complaints), complaints
    assert (tmp_path / "report.html").stat().st_size > 10_000
