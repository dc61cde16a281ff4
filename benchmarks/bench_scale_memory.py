"""Memory per partition: what one Dask partition (or one Spark chunk) of records costs.

For a partition of ``--records`` generated records (``volunteer_rules.testing.table_examples``):
the pandas frame's size (``memory_usage(deep=True)``, as Dask holds it), the Arrow table's, and
how much the process's resident memory grows at its peak while ``certify_partition`` validates
and certifies it (polars and Arrow allocate outside Python's allocator, so the resident size is
measured, in a fresh process that has read the partition from Parquet and nothing else). Per
record, so a partition size can be chosen for a worker's memory (docs/scale-out.md).

Run: ``.venv/bin/python benchmarks/bench_scale_memory.py`` (``--records 200000``,
``--rule-set cn-zhangjiagang``).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from volunteer_rules.tables import RECORD_FIELDS, certify_partition
from volunteer_rules.testing.table_examples import TABLE_AS_OF, record_rows


def _resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


def measure(path: str, rule_set: str) -> None:
    """In a fresh process: the peak growth of resident memory while certifying the file."""
    table = pq.read_table(path)
    before = _resident_bytes()
    result = certify_partition(table, rule_set=rule_set, as_of=TABLE_AS_OF)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux
    print(peak - before, result.num_rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rule-set", default="cn-national")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        measure(args.measure, args.rule_set)
        return 0
    rows = record_rows(volunteers=max(1, args.records // 10), records_per_volunteer=10, seed=3)
    n = len(rows)
    names = [f for f in RECORD_FIELDS if any(f in r for r in rows)]
    frame = pd.DataFrame({f: [r.get(f) for r in rows] for f in names})
    frame["group_service"] = frame["group_service"].astype("boolean")
    table = pa.Table.from_pandas(frame, preserve_index=False)
    del rows
    pandas_bytes = int(frame.memory_usage(deep=True).sum())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "partition.parquet"
        pq.write_table(table, path)
        out = subprocess.run(
            [sys.executable, __file__, "--measure", str(path), "--rule-set", args.rule_set],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
    grown, volunteers = int(out[0]), int(out[1])
    print(f"{n:,} records, {volunteers:,} volunteers, rule set {args.rule_set}")
    print(f"pandas frame:            {pandas_bytes / n:8,.0f} bytes per record")
    print(f"Arrow table:             {table.nbytes / n:8,.0f} bytes per record")
    print(f"certify_partition peak:  {grown / n:8,.0f} bytes per record (resident memory grown)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
