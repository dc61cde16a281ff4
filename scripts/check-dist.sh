#!/usr/bin/env bash
# Build the sdist and the wheel, check them (twine, contents), then install the sdist with the
# oldest dependency versions pyproject.toml allows (scripts/minimum-versions.txt) into a fresh
# environment on the oldest Python it allows (3.10, where the machine has it) and run the tests
# it carries. Called by scripts/test.sh; needs .venv (setup-env).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.venv/bin/python -m build --quiet --outdir "$work/dist" . >/dev/null
.venv/bin/python -m twine check --strict "$work"/dist/*
.venv/bin/python scripts/check_dist.py "$work/dist"

sdist=$(echo "$work"/dist/*.tar.gz)
tar -xzf "$sdist" -C "$work"
unpacked=$(echo "$work"/volunteer_rules-*/)
oldest=python3
command -v python3.10 >/dev/null 2>&1 && python3.10 -c '' 2>/dev/null && oldest=python3.10
echo "oldest allowed versions, on $("$oldest" --version):"
"$oldest" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  -c scripts/minimum-versions.txt "volunteer_rules[dev] @ file://$sdist"
"$work/venv/bin/python" -m pip list --disable-pip-version-check 2>/dev/null \
  | grep -iE '^(attrs|python-dateutil|python-stdnum|holidays|hypothesis|pytest) '
echo "tests of the sdist, oldest allowed dependencies:"
cd "$unpacked"
"$work/venv/bin/python" -m pytest -q -p no:cacheprovider tests docs README.md
