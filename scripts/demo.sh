#!/usr/bin/env bash
# The main job on the bundled sample data: check the records, then certify every volunteer
# (from the JSON Lines file, then from the same records as a Parquet file).
# The sample holds a handful of deliberately bad lines, so both commands find something and
# exit with status 1 ("findings"); only a usage error (status 2) fails this script.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup-env.sh
run() {
  echo
  echo "\$ volunteer-rules $*"
  local status=0
  .venv/bin/volunteer-rules "$@" || status=$?
  echo "(exit status $status: 0 clean, 1 findings, 2 usage error)"
  [ "$status" -le 1 ]
}
run check examples/records.jsonl
run certify examples/records.jsonl --rule-set cn-national --as-of 2026-06-30 --limit 15
# The same job on the sample as a Parquet file (the tables extra, part of dev): the library's
# writer makes it in a temporary folder, and certify reads it through the table engine.
folder="$(mktemp -d)"
trap 'rm -rf "$folder"' EXIT
.venv/bin/python -c 'import sys; from volunteer_rules.tables import io
io.write_parquet(io.read_json_lines(sys.argv[1]), sys.argv[2])' \
  examples/records.jsonl "$folder/records.parquet"
run certify "$folder/records.parquet" --rule-set cn-national --as-of 2026-06-30 --limit 15
