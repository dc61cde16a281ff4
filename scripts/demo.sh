#!/usr/bin/env bash
# The main job on the bundled sample data: check the records, then certify every volunteer.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup-env.sh
set +e
.venv/bin/volunteer-rules check examples/records.jsonl
echo "(check exit status $?: 1 means findings, as the sample has deliberate bad lines)"
set -e
.venv/bin/volunteer-rules certify examples/records.jsonl --rule-set cn-national --as-of 2026-06-30 --limit 15
