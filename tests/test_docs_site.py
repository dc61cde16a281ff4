"""The documentation site covers the API: every public name is on an API reference page."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import volunteer_rules

ROOT = Path(__file__).resolve().parent.parent
API_PAGES = sorted((ROOT / "docs" / "api").glob("*.md"))
DIRECTIVE = re.compile(r"^::: ([\w.]+)\s*$", re.MULTILINE)


def _documented_modules() -> list[str]:
    return [name for page in API_PAGES for name in DIRECTIVE.findall(page.read_text("utf-8"))]


def _documented_names() -> set[str]:
    names: set[str] = set()
    for module_name in _documented_modules():
        module = importlib.import_module(module_name)
        names.update(getattr(module, "__all__", ()))
    return names


def test_pages_exist() -> None:
    assert API_PAGES, "no API reference page found: the checks below would be vacuous"
    assert "volunteer_rules" in _documented_modules()


def test_every_public_name_of_the_top_level_is_on_a_page() -> None:
    missing = set(volunteer_rules.__all__) - _documented_names()
    assert not missing, f"not on any docs/api/*.md page: {sorted(missing)}"


def test_every_name_of_every_public_module_is_on_a_page() -> None:
    """A name in the ``__all__`` of any public module is on a page, there or where it is re-exported."""
    on_pages = {
        (name, id(getattr(module, name)))
        for module in map(importlib.import_module, _documented_modules())
        for name in getattr(module, "__all__", ())
    }
    public = {
        info.name: importlib.import_module(info.name)
        for info in pkgutil.walk_packages(volunteer_rules.__path__, "volunteer_rules.")
        if not any(part.startswith("_") for part in info.name.split("."))
    }
    assert len(public) > 100, "the walk found too few modules: the check would be vacuous"
    missing = sorted(
        f"{module_name}.{name}"
        for module_name, module in public.items()
        for name in getattr(module, "__all__", ())
        if (name, id(getattr(module, name))) not in on_pages
    )
    assert not missing, f"not on any docs/api/*.md page: {missing}"


def test_every_wing_has_a_page() -> None:
    wings = {
        f"volunteer_rules.{info.name}"
        for info in pkgutil.iter_modules(volunteer_rules.__path__)
        if info.ispkg
    }
    missing = wings - set(_documented_modules())
    assert not missing, f"wings without an API reference page in docs/api/: {sorted(missing)}"


def test_every_guide_page_is_in_the_navigation() -> None:
    nav = (ROOT / "mkdocs.yml").read_text("utf-8")
    pages = [p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")]
    missing = [page for page in pages if f" {page}" not in nav]
    assert not missing, f"add these pages to nav in mkdocs.yml: {missing}"
