"""Benchmark: append ledger entries to the SQLite store vs plain ``sqlite3.executemany``.

Appends 1,000,000 ledger entries (500,000 two-leg credit transfers) in batches of 1,000
entries to :class:`volunteer_rules.storage.SQLiteLedgerStore`, and, batch by batch in the same
run, inserts the same entry rows with plain ``executemany`` into a table of the same shape (the
store's own :data:`~volunteer_rules.storage.sqlite.LEDGER_SCHEMA`, same indexes) in another file with the same settings (WAL,
the same ``synchronous``), one transaction per batch on both sides.

The postings are built before each timed call (the ledger's output shape, as
:meth:`~volunteer_rules.timebank.ledger.Ledger.post_many` makes them); the store's time includes turning
them into rows (the baseline gets those rows ready-made), checking that they continue the
stored ledger (the next position and sequence, versions without gaps) and the transaction.

Target: the store reaches at least 50% of plain ``executemany``'s throughput.

Usage: ``.venv/bin/python benchmarks/bench_storage.py [--quick] [--synchronous NORMAL]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from volunteer_rules.storage import SQLiteDatabase, SQLiteLedgerStore
from volunteer_rules.storage.sqlite import LEDGER_SCHEMA, _entry_rows
from volunteer_rules.timebank.ledger import ISSUER, LedgerEntry, LedgerTransfer, PostedTransfer

TARGET = 0.5
INSERT = "INSERT INTO ledger_entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
BATCH_ENTRIES = 1_000
VOLUNTEERS = 10_000
AT = dt.datetime(2024, 5, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def make_batch(
    first_index: int, first_sequence: int, versions: dict[str, int]
) -> list[PostedTransfer]:
    """Credits continuing the ledger: one entry on the issuer, one on a volunteer each."""
    batch: list[PostedTransfer] = []
    sequence = first_sequence
    for n in range(first_index, first_index + BATCH_ENTRIES // 2):
        volunteer = f"V{n % VOLUNTEERS:05d}"
        tid = f"credit-{n}"
        transfer = LedgerTransfer(
            transfer_id=tid,
            kind="credit",
            legs=((ISSUER, -60), (volunteer, 60)),
            at=AT,
            record_key=("G-bench", tid),
        )
        issuer_version = versions[ISSUER] = versions.get(ISSUER, 0) + 1
        volunteer_version = versions[volunteer] = versions.get(volunteer, 0) + 1
        entries = (
            LedgerEntry(sequence, tid, ISSUER, -60, issuer_version, AT),
            LedgerEntry(sequence + 1, tid, volunteer, 60, volunteer_version, AT),
        )
        sequence += 2
        batch.append(PostedTransfer(transfer=transfer, index=n, entries=entries))
    return batch


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 entries instead of 1,000,000")
    parser.add_argument("--entries", type=int, default=None, help="how many entries in all")
    parser.add_argument("--synchronous", default="FULL", choices=["FULL", "NORMAL"])
    args = parser.parse_args(argv)
    total = args.entries or (20_000 if args.quick else 1_000_000)
    batches = total // BATCH_ENTRIES
    with tempfile.TemporaryDirectory() as folder:
        database = SQLiteDatabase(Path(folder) / "store.sqlite", synchronous=args.synchronous)
        store = SQLiteLedgerStore(database)
        plain = sqlite3.connect(Path(folder) / "plain.sqlite", isolation_level=None)
        plain.execute("PRAGMA journal_mode = WAL")
        plain.execute(f"PRAGMA synchronous = {args.synchronous}")
        for statement in LEDGER_SCHEMA:
            plain.execute(statement)
        plain.execute("ALTER TABLE ledger_entries ADD COLUMN checksum INTEGER")  # as migrated
        versions: dict[str, int] = {}
        ours = baseline = 0.0
        for number in range(batches):
            batch = make_batch(number * BATCH_ENTRIES // 2, number * BATCH_ENTRIES, versions)
            rows = _entry_rows(batch)  # the very rows the store writes
            started = time.perf_counter()
            store.append(batch)
            ours += time.perf_counter() - started
            started = time.perf_counter()
            plain.execute("BEGIN IMMEDIATE")
            plain.executemany(INSERT, rows)
            plain.execute("COMMIT")
            baseline += time.perf_counter() - started
        stored = store.transfer_count() * 2
        plain.close()
        database.close()
    assert stored == batches * BATCH_ENTRIES, stored
    entries = batches * BATCH_ENTRIES
    ours_rate = entries / ours
    base_rate = entries / baseline
    ratio = ours_rate / base_rate
    print(f"entries: {entries:,} in batches of {BATCH_ENTRIES:,} (synchronous={args.synchronous})")
    print(f"SQLiteLedgerStore.append: {ours:8.2f} s  {ours_rate:12,.0f} entries/s")
    print(f"plain executemany:        {baseline:8.2f} s  {base_rate:12,.0f} entries/s")
    verdict = "meets" if ratio >= TARGET else "MISSES"
    print(f"ratio: {ratio:.2f} of executemany's throughput ({verdict} the target of {TARGET:.2f})")
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
