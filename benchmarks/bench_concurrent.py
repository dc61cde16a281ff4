"""Benchmark: 8 processes posting at once on one ledger, on SQLite and on PostgreSQL.

Each of ``--processes`` (8) processes opens its own database and posts ``--transfers`` credits
one request at a time through :func:`volunteer_rules.storage.services.post_transfers` (read,
decide, append, retry on a stale ledger), passing back the ledger each call returns, as an
application server does. Printed: the total transfers per second from the first start to the
last finish, and how many attempts the requests took (contention). SQLite runs on one file
(WAL, ``synchronous=NORMAL`` and ``FULL``); PostgreSQL on a throw-away server (or ``--dsn``).

Usage: ``python benchmarks/bench_concurrent.py [--processes 8] [--transfers 200] [--dsn DSN]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from _postgresql_server import temporary_server

from volunteer_rules.storage import SQLiteDatabase, SQLiteLedgerStore
from volunteer_rules.storage.services import post_transfers
from volunteer_rules.timebank.ledger import ISSUER, Ledger, LedgerTransfer

AT = dt.datetime(2024, 5, 1, 9, 0, tzinfo=dt.UTC)


def _open(kind: str, target: str, synchronous: str) -> tuple[Any, Any]:
    if kind == "sqlite":
        database: Any = SQLiteDatabase(target, synchronous=synchronous)
        return database, SQLiteLedgerStore(database)
    from volunteer_rules.storage.postgresql import PostgreSQLDatabase, PostgreSQLLedgerStore

    database = PostgreSQLDatabase(target)
    return database, PostgreSQLLedgerStore(database)


def _worker(kind: str, target: str, synchronous: str, worker: int, count: int, start: Any) -> int:
    database, store = _open(kind, target, synchronous)
    ledger: Ledger | None = None
    attempts = 0
    start.wait()
    for n in range(count):
        tid = f"c-{worker}-{n}"
        credit = LedgerTransfer(
            transfer_id=tid,
            kind="credit",
            legs=((ISSUER, -30), (f"V{worker}-{n % 50}", 30)),
            at=AT,
            record_key=("G-bench", tid),
        )
        result = post_transfers(store, [credit], ledger=ledger, attempts=1000)
        ledger = result.ledger
        attempts += result.attempts
    database.close()
    return attempts


def race(kind: str, target: str, processes: int, count: int, synchronous: str = "FULL") -> str:
    _open(kind, target, synchronous)[0].close()  # the schema, once
    context = multiprocessing.get_context("spawn")
    manager = context.Manager()
    start = manager.Barrier(processes + 1)
    with context.Pool(processes) as pool:
        pending = pool.starmap_async(
            _worker, [(kind, target, synchronous, n, count, start) for n in range(processes)]
        )
        start.wait()  # every process has started and opened its database
        began = time.perf_counter()
        attempts = sum(pending.get())
        seconds = time.perf_counter() - began
    database, store = _open(kind, target, synchronous)
    assert store.transfer_count() == processes * count
    database.close()
    total = processes * count
    return (
        f"{kind:10} {synchronous if kind == 'sqlite' else '':6} {processes} processes:"
        f" {total:,} transfers in {seconds:6.2f} s = {total / seconds:8,.0f} transfers/s"
        f" ({attempts / total:.2f} attempts per request)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--transfers", type=int, default=200, help="per process")
    parser.add_argument("--dsn", default=None, help="a PostgreSQL server to use")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        for synchronous in ("NORMAL", "FULL"):
            path = str(Path(folder) / f"bank-{synchronous}.sqlite")
            print(race("sqlite", path, args.processes, args.transfers, synchronous), flush=True)
    if args.dsn:
        print(race("postgresql", args.dsn, args.processes, args.transfers))
    else:
        with temporary_server() as dsn:
            print(race("postgresql", dsn, args.processes, args.transfers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
