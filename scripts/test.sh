#!/usr/bin/env bash
# Everything CI runs: the test suite (with doc examples), mypy --strict, ruff and the import
# layers (written in .importlinter).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup-env.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/lint-imports --no-cache --no-logo
.venv/bin/python -m pytest "$@"
