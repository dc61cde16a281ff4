"""How fast ``volunteer-rules check`` reads a file, and how much memory it keeps per record.

Builds a JSON Lines file from the bundled sample (``examples/records.jsonl``), copied as many
times as needed with the record and volunteer ids made unique per copy, then runs the check
in-process (parse every line, then the checks across records) and prints lines per second for
the two phases and the memory the checker keeps per record (tracemalloc, a second run).

    .venv/bin/python benchmarks/bench_check.py            # about 100,000 lines
    .venv/bin/python benchmarks/bench_check.py --quick    # about 10,000 lines

There is no target in the issue; the figures go into docs/cli.md and the report.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import tempfile
import time
import tracemalloc

from volunteer_rules.cli._io import read_json_lines
from volunteer_rules.errors import RecordFormatError
from volunteer_rules.records.record import parse_record
from volunteer_rules.rules.checks import RecordChecker

SAMPLE = pathlib.Path(__file__).resolve().parent.parent / "examples" / "records.jsonl"


def build(path: pathlib.Path, lines: int) -> int:
    source = SAMPLE.read_text(encoding="utf-8").splitlines()
    written = 0
    copy = 0
    with path.open("w", encoding="utf-8") as out:
        while written < lines:
            for text in source:
                try:
                    payload = json.loads(text)
                except ValueError:
                    out.write(text + "\n")
                    written += 1
                    continue
                for field in ("record_id", "volunteer_id", "amends"):
                    if isinstance(payload.get(field), str):
                        payload[field] = f"{payload[field]}-{copy}"
                out.write(json.dumps(payload, ensure_ascii=False) + "\n")
                written += 1
            copy += 1
    return written


def run(path: pathlib.Path) -> tuple[int, float, float]:
    checker = RecordChecker()
    lines = 0
    start = time.perf_counter()
    with path.open("rb") as stream:
        for line in read_json_lines(stream):
            lines += 1
            if line.error is not None:
                continue
            try:
                record = parse_record(line.value)
            except RecordFormatError:
                continue
            checker.add(record, line=line.number)
    middle = time.perf_counter()
    checker.finish()
    end = time.perf_counter()
    return lines, middle - start, end - middle


def memory(path: pathlib.Path) -> tuple[float, float]:
    tracemalloc.start()
    checker = RecordChecker()
    records = 0
    with path.open("rb") as stream:
        for line in read_json_lines(stream):
            if line.error is not None:
                continue
            try:
                record = parse_record(line.value)
            except RecordFormatError:
                continue
            checker.add(record, line=line.number)
            records += 1
    del record
    kept, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    checker.finish()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return kept / records, (peak - kept) / records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="about 10,000 lines")
    parser.add_argument("--lines", type=int, default=None)
    args = parser.parse_args()
    lines = args.lines or (10_000 if args.quick else 100_000)
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "records.jsonl"
        written = build(path, lines)
        count, reading, checking = run(path)
        total = reading + checking
        print(f"lines: {count:,} (from {written:,} written)")
        print(f"read + parse + add: {reading:.2f} s  ({count / reading:,.0f} lines/s)")
        print(f"checks across records (finish): {checking:.2f} s")
        print(f"check overall: {total:.2f} s  ({count / total:,.0f} lines/s)")
        kept, peak = memory(path)
        print(f"memory kept by the checker: {kept:,.0f} B per record")
        print(f"extra peak while finishing: {peak:,.0f} B per record")


if __name__ == "__main__":
    main()
