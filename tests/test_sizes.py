"""scripts/sizes.py: which modules and functions it lists, each limit on both sides."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "sizes.py"


def _load() -> Any:
    spec = importlib.util.spec_from_file_location("sizes_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


sizes = _load()


def _function(name: str, body_lines: int, docstring: str | None = None) -> str:
    """A function of exactly ``body_lines`` lines of code (its ``def`` line included)."""
    lines = [f"def {name}() -> None:"]
    if docstring is not None:
        lines.append(f'    """{docstring}"""')
    lines += ["    x = 1"] * (body_lines - 1)
    return "\n".join(lines) + "\n"


def _names(path: Path) -> list[str]:
    return [finding.name for finding in sizes.check([path])]


def test_function_limit_on_both_sides(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text(_function("at_limit", 80) + _function("over", 81), encoding="utf-8")
    assert _names(source) == ["over"]


def test_the_docstring_is_not_counted(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    long_doc = "Summary.\n\n" + "    Example line.\n" * 100 + "    "
    source.write_text(_function("documented", 80, long_doc), encoding="utf-8")
    assert _names(source) == []


def test_a_reason_in_the_docstring(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    reason = "Summary.\n\n    Length: one pass on purpose (docs/benchmarks.md).\n    "
    mention = "Summary.\n\n    The Length: marker must start a paragraph.\n    "
    source.write_text(
        _function("with_reason", 120, reason) + _function("mentions", 120, mention),
        encoding="utf-8",
    )
    assert _names(source) == ["mentions"]


def test_methods_are_named_by_their_class(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    method = _function("run", 81).replace("\n", "\n    ")
    source.write_text(f"class Checker:\n    {method}\n", encoding="utf-8")
    assert _names(source) == ["Checker.run"]


def test_module_limit_on_both_sides(tmp_path: Path) -> None:
    at_limit = tmp_path / "at_limit.py"
    at_limit.write_text("x = 1\n" * 600, encoding="utf-8")
    over = tmp_path / "over.py"
    over.write_text("x = 1\n" * 601, encoding="utf-8")
    reasoned = tmp_path / "reasoned.py"
    reasoned.write_text('"""Tables.\n\nLength: data, not code."""\n' + "x = 1\n" * 601)
    findings = sizes.check([tmp_path])
    assert [(f.kind, f.name, f.lines) for f in findings] == [("module", "over", 601)]


def test_report_and_strict_exit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "m.py"
    source.write_text(_function("over", 81), encoding="utf-8")
    assert sizes.main([str(source)]) == 0
    out = capsys.readouterr().out
    assert "1 function(s)" in out and "over" in out
    assert sizes.main([str(source), "--strict"]) == 1
    source.write_text(_function("short", 3), encoding="utf-8")
    assert sizes.main([str(source), "--strict"]) == 0
