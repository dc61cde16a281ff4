"""Imports flow one way: the layers of `.importlinter` hold, name every part, and no module
imports one that imports it back."""

from __future__ import annotations

import configparser
import pkgutil
import re
from pathlib import Path

import grimp
from importlinter.cli import lint_imports

import volunteer_rules

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / ".importlinter"

# Not a layer: the entry point of `python -m volunteer_rules` (it only calls the command line).
NOT_LAYERED = {"__main__"}


def _layer_names() -> set[str]:
    config = configparser.ConfigParser()
    config.read(CONTRACT, encoding="utf-8")
    layers = config["importlinter:contract:layers"]["layers"]
    names = set()
    for line in layers.splitlines():
        for part in re.split(r"[|:]", line):
            name = part.strip().strip("()")
            if name:
                names.add(name)
    return names


def test_the_layer_contract_is_kept() -> None:
    status = lint_imports(config_filename=str(CONTRACT), no_cache=True, no_logo=True)
    assert status == 0, "lint-imports found an import against the layers (see the output above)"


def test_every_module_and_wing_of_the_package_has_a_layer() -> None:
    children = {info.name for info in pkgutil.iter_modules(volunteer_rules.__path__)} - NOT_LAYERED
    assert children, "no module found: the check would be vacuous"
    missing = children - _layer_names()
    assert not missing, f"add these to the layers in .importlinter: {sorted(missing)}"


def test_no_module_imports_one_that_imports_it_back() -> None:
    # Every import counts, as for the layers: those inside functions and under TYPE_CHECKING too.
    graph = grimp.build_graph("volunteer_rules", cache_dir=None)
    assert len(graph.modules) > 100, "the package was not read: the check would be vacuous"
    circles = sorted(
        (importer, imported)
        for importer in graph.modules
        for imported in graph.find_modules_directly_imported_by(importer)
        if graph.find_shortest_chain(importer=imported, imported=importer) is not None
    )
    assert not circles, f"imports that close a circle: {circles}"
