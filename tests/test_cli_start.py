"""Starting the command line: Ctrl-C while the package is still being imported."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tomllib
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

import pytest

import _volunteer_rules_cli

ROOT = Path(__file__).resolve().parent.parent


class _Interrupted:
    """A finder that is Ctrl-C arriving while ``volunteer_rules.cli`` is imported."""

    @staticmethod
    def find_spec(
        name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if name == "volunteer_rules.cli":
            raise KeyboardInterrupt
        return None


def test_ctrl_c_while_importing_ends_with_one_line_and_status_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delitem(sys.modules, "volunteer_rules.cli", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_Interrupted(), *sys.meta_path])
    assert _volunteer_rules_cli.main_with(["--version"]) == 130
    captured = capsys.readouterr()
    assert captured.err == "volunteer-rules: interrupted\n"
    assert captured.out == ""


def test_the_program_starts_from_the_guarded_entry_point() -> None:
    """The installed ``volunteer-rules`` imports the package inside the guard above."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert project["project"]["scripts"]["volunteer-rules"] == "_volunteer_rules_cli:main"
    assert "_volunteer_rules_cli" in project["tool"]["setuptools"]["py-modules"]


def test_the_entry_point_runs_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert _volunteer_rules_cli.main_with(["check", "/no/such/file.jsonl"]) == 2
    assert "cannot read /no/such/file.jsonl" in capsys.readouterr().err


# Runs the program as the shell does, with an import that waits (the machine is busy) for
# Ctrl-C: the line "importing" says the wait has begun. argv[1] is the module whose import
# waits, argv[2] the program: a script's path (the installed volunteer-rules) or "-m".
_SLOW_START = """
import runpy, sys, time

waits, program = sys.argv[1], sys.argv[2]

class Slow:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name == waits:
            sys.meta_path.remove(Slow)
            print("importing", flush=True)
            time.sleep(120)
        return None

sys.meta_path.insert(0, Slow)
sys.argv = [program]
if program == "-m":
    runpy.run_module("volunteer_rules", run_name="__main__", alter_sys=True)
else:
    runpy.run_path(program, run_name="__main__")
"""


def _ctrl_c_while_importing(waits: str, program: str) -> subprocess.CompletedProcess[str]:
    with subprocess.Popen(
        [sys.executable, "-c", _SLOW_START, waits, program],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            assert process.stdout is not None
            assert process.stdout.readline() == "importing\n"
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=60)
        finally:
            process.kill()
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


@pytest.mark.skipif(os.name != "posix", reason="SIGINT to another process")
@pytest.mark.parametrize(
    ("waits", "program"),
    [
        ("volunteer_rules", str(Path(sys.executable).with_name("volunteer-rules"))),
        ("volunteer_rules.cli", "-m"),
        ("argparse", "-m"),
    ],
    ids=["volunteer-rules", "python -m", "python -m, argparse"],
)
def test_ctrl_c_at_start_ends_with_one_line_and_status_130(waits: str, program: str) -> None:
    """A real SIGINT to the real program while it imports: no traceback, status 130."""
    if program != "-m" and not os.path.exists(program):
        pytest.skip("volunteer-rules is not installed beside this Python")
    result = _ctrl_c_while_importing(waits, program)
    assert (result.returncode, result.stdout, result.stderr) == (
        130,
        "",
        "volunteer-rules: interrupted\n",
    )


def _modules_loaded_by_importing(module: str) -> set[str]:
    """The modules a fresh Python process loads to import ``module``."""
    return set(
        subprocess.run(
            [
                sys.executable,
                "-c",
                f"import sys; before = set(sys.modules); import {module};"
                " print(*sorted(set(sys.modules) - before))",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout.split()
    )


def test_python_m_imports_nothing_of_the_library_before_the_guard() -> None:
    """``python -m volunteer_rules`` imports the package before ``__main__.py`` runs, outside
    any guard. The package imports its wings on first use (``__getattr__``), so its own import
    loads no other module of the library but the one that says how: they all load inside the
    guard (the Ctrl-C test above, waiting on ``volunteer_rules.cli``)."""
    loaded = _modules_loaded_by_importing("volunteer_rules")
    library = {name for name in loaded if "volunteer" in name}
    assert library == {"volunteer_rules", "volunteer_rules._first_use"}  # (a few lines, stdlib)


def test_the_entry_point_imports_nothing_heavy() -> None:
    """Importing the program's entry point (``volunteer-rules`` does first) loads no library
    module: the whole import happens inside its Ctrl-C guard."""
    loaded = _modules_loaded_by_importing("_volunteer_rules_cli")
    assert loaded <= {"__future__", "_volunteer_rules_cli"}  # __future__: a few lines


def test_python_m_runs_through_the_guarded_entry_point() -> None:
    source = (ROOT / "src" / "volunteer_rules" / "__main__.py").read_text("utf-8")
    assert "from _volunteer_rules_cli import main" in source
