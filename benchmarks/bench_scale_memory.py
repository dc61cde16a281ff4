"""Memory per partition: what one Dask partition (or one Spark batch) of records costs.

For a partition of ``--records`` generated records (``volunteer_rules.testing.table_examples``):
the pandas frame's size (``memory_usage(deep=True)``, as Dask holds it), the Arrow table's, and
the peak of Python allocations while ``certify_partition`` reads and certifies it (tracemalloc:
the rows as dicts, the parsed ``ServiceRecord``s, the bulk pass). Per record, so a partition
size can be chosen for a worker's memory (docs/scale-out.md).

Run: ``.venv/bin/python benchmarks/bench_scale_memory.py`` (``--records 200000``).
"""

from __future__ import annotations

import argparse
import sys
import tracemalloc

import pandas as pd
import pyarrow as pa

from volunteer_rules.tables import RECORD_FIELDS, certify_partition
from volunteer_rules.testing.table_examples import TABLE_AS_OF, record_rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args(argv)
    rows = record_rows(volunteers=max(1, args.records // 10), records_per_volunteer=10, seed=3)
    n = len(rows)
    names = [f for f in RECORD_FIELDS if any(f in r for r in rows)]
    frame = pd.DataFrame({f: [r.get(f) for r in rows] for f in names})
    frame["group_service"] = frame["group_service"].astype("boolean")
    table = pa.Table.from_pandas(frame, preserve_index=False)
    del rows
    pandas_bytes = int(frame.memory_usage(deep=True).sum())
    tracemalloc.start()
    result = certify_partition(table, rule_set="cn-zhangjiagang", as_of=TABLE_AS_OF)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{n:,} records, {result.num_rows:,} volunteers")
    print(f"pandas frame:            {pandas_bytes / n:8,.0f} bytes per record")
    print(f"Arrow table:             {table.nbytes / n:8,.0f} bytes per record")
    print(f"certify_partition peak:  {peak / n:8,.0f} bytes per record (Python allocations)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
