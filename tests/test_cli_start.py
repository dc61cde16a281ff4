"""Starting the command line: Ctrl-C while the package is still being imported."""

from __future__ import annotations

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
