#!/usr/bin/env bash
# Build the sdist and the wheel, check them (twine, contents), then install the sdist with the
# oldest dependency versions pyproject.toml allows (scripts/minimum-versions.txt) into a fresh
# environment on the oldest Python it allows (3.11) and run the tests it carries. Called by
# scripts/test.sh (after the suite; SKIP_DIST=1 leaves it out locally); needs .venv (setup-env).
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
# The oldest Python pyproject.toml allows (3.11): python3.11 where it runs, else python3 if it is
# 3.11 (said when neither is, and the newer python3 is used).
oldest=python3
python3.11 -c '' 2>/dev/null && oldest=python3.11
"$oldest" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
  || echo "note: no Python 3.11 on this machine; the oldest dependencies run on $("$oldest" --version)"
echo "oldest allowed versions, on $("$oldest" --version):"
"$oldest" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  -c scripts/minimum-versions.txt "volunteer_rules[dev] @ file://$sdist"
"$work/venv/bin/python" -m pip list --disable-pip-version-check 2>/dev/null \
  | grep -iE "^($(grep -vE '^(#|$)' scripts/minimum-versions.txt | cut -d= -f1 | paste -sd'|')) "
# Every test runs, with the dev profile's 50 examples a property: this run shows the oldest
# versions work; the run before it (200 examples, new seeds in CI) is the one that explores.
echo "tests of the sdist, oldest allowed dependencies:"
cd "$unpacked"
HYPOTHESIS_PROFILE=dev "$work/venv/bin/python" -m pytest -q -p no:cacheprovider tests docs README.md
