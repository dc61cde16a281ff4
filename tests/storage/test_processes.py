"""Several processes on one SQLite file, and a process killed in the middle of a batch."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from volunteer_rules.hours import InsufficientHoursError
from volunteer_rules.storage import SQLiteDatabase, SQLiteLedgerStore
from volunteer_rules.storage.services import post_transfers, redeem_hours
from volunteer_rules.timebank.ledger import (
    ISSUER,
    REDEEMED,
    SYSTEM_ACCOUNTS,
    LedgerEntry,
    LedgerTransfer,
    PostedTransfer,
    check_ledger,
)

UTC = dt.UTC
T0 = dt.datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
WORKERS = 4
ROUNDS = 20
VOLUNTEERS = ("V1", "V2", "V3")


def _credit(tid: str, volunteer: str, minutes: int, at: dt.datetime) -> LedgerTransfer:
    return LedgerTransfer(
        transfer_id=tid,
        kind="credit",
        legs=((ISSUER, -minutes), (volunteer, minutes)),
        at=at,
        record_key=("G-proc", tid),
    )


def _worker(path: str, worker: int) -> tuple[int, int, list[str]]:
    """Credit and redeem in turns; return (credits, redemptions, redemption ids)."""
    database = SQLiteDatabase(path, synchronous="NORMAL")
    store = SQLiteLedgerStore(database)
    ledger = None
    credits = redeemed = 0
    redeemed_ids: list[str] = []
    for i in range(ROUNDS):
        at = T0  # one time for all: the ledger only asks that time never goes back
        volunteer = VOLUNTEERS[(worker + i) % len(VOLUNTEERS)]
        result = post_transfers(
            store, [_credit(f"c-{worker}-{i}", volunteer, 30, at)], ledger=ledger, attempts=200
        )
        ledger = result.ledger
        credits += 1
        if i % 3 == 0:  # a retry of an earlier credit: a no-op
            ledger = post_transfers(
                store, [_credit(f"c-{worker}-0", VOLUNTEERS[worker % 3], 30, at)], ledger=ledger
            ).ledger
        target = VOLUNTEERS[(worker + i + 1) % len(VOLUNTEERS)]
        tid = f"x-{worker}-{i}"
        try:
            ledger = redeem_hours(
                store, target, 45, transfer_id=tid, at=at, ledger=ledger, attempts=200
            ).ledger
        except InsufficientHoursError:
            continue
        redeemed += 1
        redeemed_ids.append(tid)
    database.close()
    return credits, redeemed, redeemed_ids


def _worker_args(args: tuple[str, int]) -> tuple[int, int, list[str]]:
    return _worker(*args)


class TestSeveralProcesses:
    def test_credit_and_redeem_at_once(self, tmp_path: Path) -> None:
        """Processes racing on one file end sound: sums, no negatives, no id twice."""
        path = str(tmp_path / "bank.sqlite")
        SQLiteDatabase(path).close()  # create the schema once
        context = multiprocessing.get_context("spawn")
        with context.Pool(WORKERS) as pool:
            results = pool.map(_worker_args, [(path, n) for n in range(WORKERS)])
        with SQLiteDatabase(path) as database:
            store = SQLiteLedgerStore(database)
            postings = store.postings()
            assert check_ledger(postings) == ()
            ids = [p.transfer.transfer_id for p in postings]
            assert len(ids) == len(set(ids))
            credits = [i for i in ids if i.startswith("c-")]
            assert len(credits) == sum(r[0] for r in results) == WORKERS * ROUNDS
            redeemed = sorted(i for r in results for i in r[2])
            assert sorted(i for i in ids if i.startswith("x-")) == redeemed
            sums: dict[str, int] = {}
            for entry in store.entries():
                sums[entry.account] = sums.get(entry.account, 0) + entry.minutes
            balances = store.balances()
            assert {a: h.minutes for a, h in balances.items()} == sums
            assert sum(sums.values()) == 0
            assert all(m >= 0 for a, m in sums.items() if a not in SYSTEM_ACCOUNTS)
            assert sums[REDEEMED] == 45 * len(redeemed)
            assert -sums[ISSUER] == 30 * WORKERS * ROUNDS


BIG = 20_000


def _big_batch(
    start_index: int, start_sequence: int, versions: dict[str, int]
) -> list[PostedTransfer]:
    """BIG credits continuing a stored ledger, built directly (the ledger's own output shape)."""
    batch: list[PostedTransfer] = []
    sequence = start_sequence
    for n in range(BIG):
        volunteer = f"B{n % 100}"
        transfer = _credit(f"big-{n}", volunteer, 15, T0 + dt.timedelta(hours=1))
        entries = []
        for account, minutes in transfer.legs:
            versions[account] = versions.get(account, 0) + 1
            entries.append(
                LedgerEntry(
                    sequence, transfer.transfer_id, account, minutes, versions[account], transfer.at
                )
            )
            sequence += 1
        batch.append(
            PostedTransfer(transfer=transfer, index=start_index + n, entries=tuple(entries))
        )
    return batch


def _crashing_writer(path: str, kill_self_after: int, ready: object) -> None:
    """Append one big batch; die by SIGKILL from inside SQLite after some VM steps."""
    database = SQLiteDatabase(path, synchronous="NORMAL")
    store = SQLiteLedgerStore(database)
    versions = {
        account: store.version(account) for account in (ISSUER, *(f"B{n}" for n in range(100)))
    }
    batch = _big_batch(store.transfer_count(), len(store.entries()), versions)
    if kill_self_after:
        calls = 0

        def progress() -> int:
            nonlocal calls
            calls += 1
            if calls >= kill_self_after:
                os.kill(os.getpid(), signal.SIGKILL)
            return 0

        database._connection.set_progress_handler(progress, 1000)
    ready.set()  # type: ignore[attr-defined]
    store.append(batch)
    database.close()


def _seed(path: str) -> int:
    with SQLiteDatabase(path) as database:
        store = SQLiteLedgerStore(database)
        post_transfers(store, [_credit("seed-1", "V1", 60, T0), _credit("seed-2", "V2", 60, T0)])
        return store.transfer_count()


def _check_after_crash(path: str, before: int) -> int:
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    raw.close()
    with SQLiteDatabase(path) as database:
        store = SQLiteLedgerStore(database)
        count = store.transfer_count()
        assert count in (before, before + BIG)
        assert len(store.entries()) == 2 * count
        assert check_ledger(store.postings()) == ()
        return count


class TestCrash:
    def test_sigkill_inside_the_transaction_leaves_nothing(self, tmp_path: Path) -> None:
        """Killed by SIGKILL while SQLite is writing the batch: none of it is there."""
        path = str(tmp_path / "crash.sqlite")
        before = _seed(path)
        context = multiprocessing.get_context("spawn")
        ready = context.Event()
        child = context.Process(target=_crashing_writer, args=(path, 200, ready))
        child.start()
        child.join(120)
        assert child.exitcode == -signal.SIGKILL
        assert _check_after_crash(path, before) == before

    @pytest.mark.parametrize("delay", [0.05, 0.4, 2.5])
    def test_sigkill_from_outside_leaves_all_or_nothing(self, tmp_path: Path, delay: float) -> None:
        """Killed by the parent at some moment of a big append: the whole batch or none."""
        path = str(tmp_path / "crash.sqlite")
        before = _seed(path)
        context = multiprocessing.get_context("spawn")
        ready = context.Event()
        child = context.Process(target=_crashing_writer, args=(path, 0, ready))
        child.start()
        assert ready.wait(120)
        time.sleep(delay)
        child.kill()
        child.join(60)
        _check_after_crash(path, before)
        # and the file takes new batches afterwards
        with SQLiteDatabase(path) as database:
            store = SQLiteLedgerStore(database)
            post_transfers(store, [_credit("after", "V3", 10, T0 + dt.timedelta(days=1))])
            assert check_ledger(store.postings()) == ()
