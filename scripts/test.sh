#!/usr/bin/env bash
# Everything CI runs: the test suite (with doc examples), mypy --strict, ruff, the import
# layers (written in .importlinter), the documentation site (mkdocs build --strict), and the
# built artifacts with the oldest allowed dependencies (scripts/check-dist.sh); and the sizes:
# no module or function longer than the limits of CONTRIBUTING.md without a reason
# (scripts/sizes.py --strict).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup-env.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/lint-imports --no-cache --no-logo
.venv/bin/python scripts/sizes.py --strict
# The site; a broken link or a docstring the API reference cannot read fails. Not --quiet: it
# would hide the docstring warnings from --strict too. Only the INFO lines are left out.
NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict 2>&1 | { grep -v '^INFO' || true; }
.venv/bin/python -m pytest "$@"
# The sdist and the wheel built and checked, and the sdist's tests on the oldest allowed versions.
if [ "${SKIP_DIST:-0}" != 1 ]; then bash scripts/check-dist.sh; fi
