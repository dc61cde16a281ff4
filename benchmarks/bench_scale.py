"""Benchmark: certify 1,000,000 records on Spark (local[2]) and Dask (two workers).

Side by side, on the same generated records (``volunteer_rules.testing.table_examples``:
100,000 volunteers, about 10 records each, a third of them on a day already served, overlaps,
amendments, some of another volunteer's record), written once to a Parquet file:

(a) the single-process table engine on one core: ``read_parquet`` (validation) plus
    ``certify_table``; and ``certify_partition`` over the whole file, which is each
    partition's work (validation, certification, every column of the result) with nothing
    distributed;
(b) ``certify_spark`` on a local Spark session with two cores, reading the Parquet file;
(c) ``certify_dask`` on a Dask ``LocalCluster`` of two single-threaded worker processes.

For (b) and (c) the routing stage (keys two volunteers hold, amendments of another
volunteer's record) is timed alone as well as the whole call (routing, shuffle,
certification and the exclusions table). Each contender runs
``--repeat`` times; the median counts. Records per second per core divides by the cores each
used (1 for (a), 2 for (b) and (c)). On a shared machine the wall-clock figures depend on the
load, so the CPU time of every process the run started (JVM, Python and Dask workers, read
with psutil) is measured too: records per CPU-second is the per-core rate with the load taken
out.

Run: ``.venv/bin/python benchmarks/bench_scale.py`` (``--quick`` for 100,000 records;
``--rule-set`` to choose the rule set, ``cn-national`` by default).
Needs the ``spark`` and ``dask`` extras and a Java 17+ runtime.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from volunteer_rules.tables import RECORD_FIELDS, certify_partition
from volunteer_rules.tables import dask as dask_adapter
from volunteer_rules.tables import spark as spark_adapter
from volunteer_rules.tables.io import read_parquet
from volunteer_rules.tables.results import certify_table
from volunteer_rules.testing.table_examples import TABLE_AS_OF, record_rows

RULE_SET = "cn-national"


CPU: dict[str, float] = {}  # CPU seconds of the last timed call, by label


def _cpu_seconds() -> float:
    """CPU time of this process and every process it started (JVM, Python and Dask workers)."""
    import psutil

    me = psutil.Process()
    total = 0.0
    for proc in [me, *me.children(recursive=True)]:
        try:
            t = proc.cpu_times()
        except psutil.Error:
            continue
        total += t.user + t.system
    return total


def median_time(fn: Callable[[], Any], repeat: int, label: str = "") -> tuple[float, Any]:
    """The median wall-clock time of ``repeat`` calls; the median CPU time goes to ``CPU``."""
    times = []
    cpus = []
    result = None
    for _ in range(repeat):
        gc.collect()
        cpu = _cpu_seconds()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
        cpus.append(_cpu_seconds() - cpu)
    CPU[label] = statistics.median(cpus)
    print(f"    {label}: {statistics.median(times):.2f} s wall, {CPU[label]:.2f} s CPU", flush=True)
    return statistics.median(times), result


def write_parquet(rows: list[dict[str, Any]], path: Path) -> None:
    names = [n for n in RECORD_FIELDS if any(n in r for r in rows[:50_000])]
    table = pa.table({n: [r.get(n) for r in rows] for n in names})
    pq.write_table(table, path, row_group_size=100_000)


def single_process(path: Path, repeat: int) -> dict[str, float]:
    def table_engine() -> int:
        table = read_parquet(path)
        return int(certify_table(table, rule_set=RULE_SET, as_of=TABLE_AS_OF).height)

    def one_partition() -> int:
        result = certify_partition(pq.read_table(path), rule_set=RULE_SET, as_of=TABLE_AS_OF)
        return int(result.num_rows)

    t_table, n = median_time(table_engine, repeat, "single read_parquet + certify_table")
    t_partition, _ = median_time(one_partition, repeat, "single certify_partition")
    print(f"  single process: {n:,} volunteers certified")
    return {"read_parquet + certify_table": t_table, "certify_partition (whole file)": t_partition}


def spark_run(path: Path, repeat: int) -> dict[str, float]:
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.driver.memory", "4g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        records = spark.read.parquet(str(path))

        def routing() -> int:
            return int(spark_adapter._routed(records).count())

        def whole() -> int:
            certs, excl = spark_adapter.certify_spark(
                records, rule_set=RULE_SET, as_of=TABLE_AS_OF, persist=True
            )
            n = int(certs.count())
            excl.write.mode("overwrite").format("noop").save()
            spark.catalog.clearCache()
            return n

        t_routing, routed = median_time(routing, repeat, "spark routing")
        t_whole, n = median_time(whole, repeat, "spark whole call")
        print(f"  spark: {n:,} volunteers certified; {routed:,} rows after routing")
        return {"routing": t_routing, "whole call": t_whole}
    finally:
        spark.stop()


def dask_run(path: Path, repeat: int) -> dict[str, float]:
    import dask
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": ":0"},  # not port 8787: any free one
        ) as cluster,
        Client(cluster),
    ):
        records = dd.read_parquet(str(path), split_row_groups=True)

        def routing() -> int:
            return len(dask_adapter._routed(records))

        def whole() -> int:
            certs, excl = dask_adapter.certify_dask(
                records, rule_set=RULE_SET, as_of=TABLE_AS_OF, partitions=8
            )
            c, _ = dask.compute(certs, excl)
            return len(c)

        t_routing, routed = median_time(routing, repeat, "dask routing")
        t_whole, n = median_time(whole, repeat, "dask whole call")
        print(f"  dask: {n:,} volunteers certified; {routed:,} rows after routing")
        return {"routing": t_routing, "whole call": t_whole}


def main(argv: list[str] | None = None) -> int:
    global RULE_SET  # the contenders read it
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 records of 10,000 volunteers")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rule-set", default="cn-national")
    args = parser.parse_args(argv)
    RULE_SET = args.rule_set
    volunteers = 10_000 if args.quick else 100_000
    print(f"generating the records of {volunteers:,} volunteers...", flush=True)
    rows = record_rows(volunteers=volunteers, records_per_volunteer=10, seed=2026)
    n = len(rows)
    print(f"{n:,} records; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "records.parquet"
        write_parquet(rows, path)
        print(f"Parquet file: {path.stat().st_size / 1e6:.1f} MB", flush=True)
        del rows
        gc.collect()
        single = single_process(path, args.repeat)
        spark = spark_run(path, args.repeat)
        dask_ = dask_run(path, args.repeat)
    print(f"\n{'':34} {'time':>8}   {'records/s/core':>14}")
    for name, t in single.items():
        print(f"(a) {name:30} {t:7.2f} s   {n / t:14,.0f}")
    for label, figures in (("(b) spark", spark), ("(c) dask", dask_)):
        for stage, t in figures.items():
            rate = f"{n / t / 2:14,.0f}" if stage == "whole call" else ""
            print(f"{label} {stage:24} {t:7.2f} s   {rate}")
    best_single = single["certify_partition (whole file)"]
    for label, figures in (("spark", spark), ("dask", dask_)):
        per_core = n / figures["whole call"] / 2
        print(
            f"{label}: {per_core / (n / best_single):.2f}x the single process's records/s per core"
            f" (certify_partition); {best_single / figures['whole call']:.2f}x its speed"
        )
    print("records per CPU-second: single process", end="")
    for label in ("read_parquet + certify_table", "certify_partition"):
        print(f", {label} {n / CPU['single ' + label]:,.0f}", end="")
    for label in ("spark", "dask"):
        print(f", {label} {n / CPU[label + ' whole call']:,.0f}", end="")
    print(f"\nas of {dt.date.isoformat(TABLE_AS_OF)}, rule set {RULE_SET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
