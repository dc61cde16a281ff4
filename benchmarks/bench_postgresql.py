"""Benchmark: append ledger entries to the PostgreSQL store vs plain executemany and COPY.

Appends 1,000,000 ledger entries (500,000 two-leg credits) in batches of 1,000 entries to
:class:`volunteer_rules.storage.postgresql.PostgreSQLLedgerStore` and, batch by batch in the
same run on the same server, inserts the very same rows into a table of the same shape (the
store's own migration: same columns, keys and indexes) in two other schemas: with plain
``executemany`` and with plain ``COPY``, one transaction per batch everywhere. The store's time
includes turning the postings into rows, checking that they continue the stored ledger (last
entry, transfer ids, account versions, under the advisory lock) and the transaction.

Target: the store reaches at least 50% of plain ``executemany``'s throughput.

Usage: ``python benchmarks/bench_postgresql.py [--entries N] [--dsn DSN]`` (without ``--dsn``
a throw-away server is started with PostgreSQL's ``initdb`` and ``pg_ctl``).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).parent))

from _postgresql_server import temporary_server
from bench_storage import BATCH_ENTRIES, make_batch

from volunteer_rules.storage.postgresql import (
    MIGRATIONS,
    PostgreSQLDatabase,
    PostgreSQLLedgerStore,
)
from volunteer_rules.storage.sqlite import _ENTRY_COLUMN_LIST, _entry_rows

TARGET = 0.5
COLUMNS = f"{_ENTRY_COLUMN_LIST}, checksum"
INSERT = f"INSERT INTO ledger_entries ({COLUMNS}) VALUES ({', '.join(['%s'] * 18)})"


def _schema(admin: psycopg.Connection, dsn: str, name: str) -> str:
    admin.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
    admin.execute(f"CREATE SCHEMA {name}")
    return f"{dsn} options=-csearch_path={name}"


def _plain_table(connection: psycopg.Connection) -> None:
    for statement in MIGRATIONS[0]:
        if "ledger" in statement:
            connection.execute(statement)


@contextlib.contextmanager
def _server(dsn: str | None) -> Iterator[str]:
    if dsn:
        yield dsn
    else:
        with temporary_server() as started:
            yield started


def run(dsn: str, entries: int) -> dict[str, float]:
    admin = psycopg.connect(dsn, autocommit=True)
    database = PostgreSQLDatabase(_schema(admin, dsn, "bench_store"))
    store = PostgreSQLLedgerStore(database)
    many = psycopg.connect(_schema(admin, dsn, "bench_many"), autocommit=True)
    copy = psycopg.connect(_schema(admin, dsn, "bench_copy"), autocommit=True)
    _plain_table(many)
    _plain_table(copy)
    versions: dict[str, int] = {}
    times = {"store": 0.0, "executemany": 0.0, "copy": 0.0}
    for number in range(entries // BATCH_ENTRIES):
        batch = make_batch(number * BATCH_ENTRIES // 2, number * BATCH_ENTRIES, versions)
        rows = _entry_rows(batch)  # the very rows the store writes
        started = time.perf_counter()
        store.append(batch)
        times["store"] += time.perf_counter() - started
        started = time.perf_counter()
        with many.transaction(), many.cursor() as cursor:
            cursor.executemany(INSERT, rows)
        times["executemany"] += time.perf_counter() - started
        started = time.perf_counter()
        with (
            copy.transaction(),
            copy.cursor() as cursor,
            cursor.copy(f"COPY ledger_entries ({COLUMNS}) FROM STDIN") as writer,
        ):
            for row in rows:
                writer.write_row(row)
        times["copy"] += time.perf_counter() - started
    assert store.transfer_count() * 2 == entries
    database.close()
    for connection in (many, copy):
        connection.close()
    for name in ("bench_store", "bench_many", "bench_copy"):
        admin.execute(f"DROP SCHEMA {name} CASCADE")
    admin.close()
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=1, help="runs; the medians are printed")
    parser.add_argument("--dsn", default=None, help="a server to use instead of a throw-away one")
    args = parser.parse_args(argv)
    with _server(args.dsn) as dsn:
        runs = [run(dsn, args.entries) for _ in range(args.runs)]
    median = {name: statistics.median(r[name] for r in runs) for name in runs[0]}
    rate = {name: args.entries / seconds for name, seconds in median.items()}
    print(
        f"entries: {args.entries:,} in batches of {BATCH_ENTRIES:,}; median of {args.runs} run(s)"
    )
    print(
        f"PostgreSQLLedgerStore.append: {median['store']:8.2f} s {rate['store']:12,.0f} entries/s"
    )
    print(
        f"plain executemany:            {median['executemany']:8.2f} s {rate['executemany']:12,.0f} entries/s"
    )
    print(f"plain COPY:                   {median['copy']:8.2f} s {rate['copy']:12,.0f} entries/s")
    ratio = rate["store"] / rate["executemany"]
    verdict = "meets" if ratio >= TARGET else "MISSES"
    print(
        f"ratio: {ratio:.2f} of executemany's, {rate['store'] / rate['copy']:.2f} of COPY's"
        f" ({verdict} the target of {TARGET:.2f} of executemany's)"
    )
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
