"""Packages whose names are imported on first use: what loads when, and what a wrong name gives."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from volunteer_rules._first_use import names_on_first_use

SAMPLE = Path(__file__).parent.parent / "examples" / "records.jsonl"


def _loaded_after(code: str) -> set[str]:
    """The library's modules (and pandas, if loaded) a fresh process has after running ``code``."""
    script = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    loaded = json.loads(out.splitlines()[-1])
    return {name for name in loaded if name.startswith("volunteer") or name == "pandas"}


def test_a_module_of_the_storage_wing_loads_without_the_others() -> None:
    loaded = _loaded_after("import volunteer_rules.storage.memory")
    assert "volunteer_rules.storage.memory" in loaded
    assert not {name for name in loaded if name.startswith("volunteer_rules.community")}
    assert "volunteer_rules.storage.sqlite" not in loaded


def test_a_name_of_the_storage_wing_loads_all_of_it() -> None:
    loaded = _loaded_after("from volunteer_rules.storage import InMemoryRecordStore")
    assert {"volunteer_rules.storage.sqlite", "volunteer_rules.storage.community_sqlite"} <= loaded


def test_a_command_without_db_loads_neither_sqlite_stores_nor_the_community() -> None:
    """A run without ``--db`` (the usual one) works in memory: the SQLite stores, and the
    community wing they hold tables for, are not imported (a third of the start-up before)."""
    code = textwrap.dedent(f"""
        import contextlib, io
        from volunteer_rules.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["check", {str(SAMPLE)!r}]) in (0, 1)
    """)
    loaded = _loaded_after(code)
    assert "volunteer_rules.cli.check" in loaded  # (the command did run)
    assert "volunteer_rules.storage.sqlite" not in loaded
    assert not {name for name in loaded if name.startswith("volunteer_rules.community")}


def test_certify_on_the_table_engine_does_not_load_pandas() -> None:
    """pandas is no dependency of the table engine; where it is installed, an empty Arrow
    table made with ``Schema.empty_table`` (or ``Table.from_pylist``) imports it, 0.3 s."""
    code = textwrap.dedent(f"""
        import contextlib, io
        from volunteer_rules.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            status = main(["certify", {str(SAMPLE)!r}, "--rule-set", "cn-national",
                           "--as-of", "2026-06-30", "--quiet"])
        assert status in (0, 1), status  # (1: the sample has bad lines, on purpose)
    """)
    loaded = _loaded_after(code)
    assert "volunteer_rules.tables._steps" in loaded  # (the table engine did run)
    assert "pandas" not in loaded


def test_a_command_with_db_opens_the_sqlite_stores(tmp_path: Path) -> None:
    from volunteer_rules.cli import main

    database = tmp_path / "kept.sqlite"
    assert main(["check", str(SAMPLE), "--db", str(database), "--quiet"]) in (0, 1)
    assert database.stat().st_size > 0


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A throw-away package ``lazy_pkg`` built on :func:`names_on_first_use`."""
    root = tmp_path / "lazy_pkg"
    root.mkdir()
    (root / "__init__.py").write_text(
        "from volunteer_rules._first_use import names_on_first_use\n"
        "__all__ = ['ONE', 'TWO']\n"
        "__getattr__, __dir__ = names_on_first_use(__name__, __all__, ('first', 'second'))\n"
    )
    (root / "first.py").write_text("__all__ = ['ONE']\nONE = 1\nTWO = 'not exported here'\n")
    (root / "second.py").write_text("__all__ = ['TWO']\nTWO = 2\n")
    (root / "helper.py").write_text("VALUE = 'helper'\n")
    (root / "broken.py").write_text("import no_such_distribution_anywhere\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "lazy_pkg"
    for name in [name for name in sys.modules if name.split(".")[0] == "lazy_pkg"]:
        del sys.modules[name]


def test_the_first_public_name_loads_every_module(package: str) -> None:
    import lazy_pkg  # type: ignore[import-not-found]

    assert "lazy_pkg.first" not in sys.modules
    assert lazy_pkg.TWO == 2  # from the module whose __all__ names it, not the first defining it
    assert {"lazy_pkg.first", "lazy_pkg.second"} <= set(sys.modules)
    assert lazy_pkg.ONE == 1
    assert {"ONE", "TWO"} <= set(dir(lazy_pkg))


def test_a_submodule_is_imported_alone(package: str) -> None:
    from lazy_pkg import helper

    assert helper.VALUE == "helper"
    assert "lazy_pkg.first" not in sys.modules


def test_an_unknown_name_is_an_attribute_error(package: str) -> None:
    import lazy_pkg

    with pytest.raises(AttributeError, match="module 'lazy_pkg' has no attribute 'three'"):
        lazy_pkg.three  # noqa: B018
    assert not hasattr(lazy_pkg, "__wrapped__")  # (a dunder is never looked for as a module)
    assert "lazy_pkg.first" not in sys.modules


def test_a_submodule_that_fails_to_import_says_why(package: str) -> None:
    """A module that exists but cannot be imported is not a missing name: its error stands."""
    import lazy_pkg

    with pytest.raises(ModuleNotFoundError, match="no_such_distribution_anywhere"):
        lazy_pkg.broken  # noqa: B018


def test_a_public_name_no_module_exports_is_an_import_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "lazy_gap"
    root.mkdir()
    (root / "__init__.py").write_text("")
    (root / "only.py").write_text("__all__ = []\nMISSING = 'defined, not exported'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    module = __import__("lazy_gap")
    find, _ = names_on_first_use("lazy_gap", ["MISSING"], ["only"])
    try:
        with pytest.raises(ImportError, match="no module of lazy_gap exports 'MISSING'"):
            find("MISSING")
    finally:
        del sys.modules["lazy_gap"], sys.modules["lazy_gap.only"]
    assert module.__name__ == "lazy_gap"
