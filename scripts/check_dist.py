"""Check the built sdist and wheel: one of each, their contents against what is expected.

Usage: ``python scripts/check_dist.py DIST_DIR``. Exits 1 with one line per problem.
``twine check`` (metadata, README rendering) runs separately in scripts/check-dist.sh.
"""

from __future__ import annotations

import sys
import tarfile
import zipfile
from pathlib import Path

WHEEL_MUST_HAVE = (
    "volunteer_rules/__init__.py",
    "volunteer_rules/py.typed",
    "volunteer_rules/records/schema/record-v1.schema.json",
    "_volunteer_rules_cli.py",
    "_volunteer_rules_hypothesis.py",
)
SDIST_MUST_HAVE = (
    "LICENSE",
    "README.md",
    "CHANGELOG.md",
    "pyproject.toml",
    "src/volunteer_rules/__init__.py",
    "src/volunteer_rules/py.typed",
    "conftest.py",
    "tests/test_public_api.py",
    "examples/records.jsonl",
    "docs/index.md",
    "scripts/minimum-versions.txt",
)
NEVER_SUFFIXES = (".so", ".c", ".pyc", ".pyd")
NEVER_PARTS = ("__pycache__/", ".venv/", ".git/", ".hypothesis/")


def _unwanted(name: str) -> bool:
    return name.endswith(NEVER_SUFFIXES) or any(part in name for part in NEVER_PARTS)


def problems(dist: Path) -> list[str]:
    """Every problem found with the artifacts in ``dist``."""
    found: list[str] = []
    wheels = sorted(dist.glob("*.whl"))
    sdists = sorted(dist.glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        return [f"expected one wheel and one sdist in {dist}, found {wheels + sdists}"]
    wheel, sdist = wheels[0], sdists[0]
    if not wheel.name.endswith("-py3-none-any.whl"):
        found.append(f"{wheel.name}: the wheel must be pure Python (py3-none-any)")
    names = zipfile.ZipFile(wheel).namelist()
    found += [f"wheel lacks {n}" for n in WHEEL_MUST_HAVE if n not in names]
    if not any(n.endswith(".dist-info/licenses/LICENSE") for n in names):
        found.append("wheel lacks the LICENSE in its .dist-info/licenses")
    for name in names:
        top = name.split("/", 1)[0]
        if not (top == "volunteer_rules" or top.endswith(".dist-info") or name in WHEEL_MUST_HAVE):
            found.append(f"wheel holds an unexpected file: {name}")
        if _unwanted(name):
            found.append(f"wheel holds {name}")
    with tarfile.open(sdist) as archive:
        members = [m.name.split("/", 1)[1] for m in archive.getmembers() if "/" in m.name]
    found += [f"sdist lacks {n}" for n in SDIST_MUST_HAVE if n not in members]
    found += [f"sdist holds {n}" for n in members if _unwanted(n)]
    return found


def main() -> int:
    """Check the directory named on the command line."""
    found = problems(Path(sys.argv[1]))
    for line in found:
        print(line)
    print("dist: ok" if not found else f"dist: {len(found)} problem(s)")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
