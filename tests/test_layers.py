"""The import-layer contract in `.importlinter` holds, and it names every part of the package."""

from __future__ import annotations

import configparser
import pkgutil
import re
from pathlib import Path

from importlinter.cli import lint_imports

import volunteer_rules

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / ".importlinter"

# Not layers: the entry point of `python -m volunteer_rules` (it only calls the command line),
# and the compiled helper that issue #13 removes (no Python imports to check in it).
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
