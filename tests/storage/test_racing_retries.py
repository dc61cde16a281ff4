"""Racing retries: several workers send the same requests, each twice, on one ledger store.

Every worker (a process on a SQLite file or a PostgreSQL database; a thread on one in-memory
store) serves the same list of requests in its own order, sends each one twice (a retry after
a "timeout") and passes the returned ledger back on the next call, sometimes an old one.
Credits come first, then redemptions that take the balances to zero and past it. Required:
nothing lost, nothing doubled, balances equal the entries, every worker finishes, the ledger a
service returns is the store's, and no spurious error: a redemption is refused for lack of
hours by every worker that sends it, or by none.
"""

# ruff: noqa: F811  (the PostgreSQL fixtures are imported, then named as parameters)

from __future__ import annotations

import datetime as dt
import multiprocessing
import queue
import random
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _postgresql import postgresql, postgresql_schemas  # noqa: F401 (fixtures)

from volunteer_rules.hours import InsufficientHoursError
from volunteer_rules.storage import (
    InMemoryLedgerStore,
    LedgerStore,
    SQLiteDatabase,
    SQLiteLedgerStore,
)
from volunteer_rules.storage.services import PostingResult, post_transfers, redeem_hours
from volunteer_rules.timebank.ledger import (
    ISSUER,
    REDEEMED,
    SYSTEM_ACCOUNTS,
    Ledger,
    LedgerTransfer,
    check_ledger,
)

UTC = dt.UTC
T0 = dt.datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
WORKERS = 4
VOLUNTEERS = ("V1", "V2", "V3", "V4")
CREDITS_EACH = 6  # of 30 minutes: 180 minutes per volunteer
REDEMPTIONS_EACH = 6  # of 45 minutes: 4 fit, 2 do not
ATTEMPTS = 60  # starvation under 4 racing writers is not what this test is about


def _credit(tid: str, volunteer: str) -> LedgerTransfer:
    return LedgerTransfer(
        transfer_id=tid,
        kind="credit",
        legs=((ISSUER, -30), (volunteer, 30)),
        at=T0,
        record_key=("G-race", tid),
    )


CREDITS = [
    _credit(f"c-{volunteer}-{n}", volunteer)
    for volunteer in VOLUNTEERS
    for n in range(CREDITS_EACH)
]
REDEMPTIONS = [
    (f"x-{volunteer}-{n}", volunteer) for volunteer in VOLUNTEERS for n in range(REDEMPTIONS_EACH)
]


def _check_result(store: LedgerStore, result: PostingResult) -> None:
    """The returned ledger is the store's: its last posting is the store's at that place."""
    ledger = result.ledger
    if len(ledger):
        (last,) = ledger.postings(len(ledger) - 1)
        assert store.postings(start=last.index)[:1] == (last,), "returned ledger is not the store's"


def _serve(store: LedgerStore, worker: int, barrier: Callable[[], object]) -> dict[str, Any]:
    """Serve every request twice in this worker's order; return what happened."""
    rng = random.Random(worker)
    ledger: Ledger | None = None
    old: Ledger | None = None
    posted: list[str] = []
    refused: list[str] = []

    def pick() -> Ledger | None:
        # mostly the ledger the last call returned; sometimes an old one, or none at all
        roll = rng.random()
        return old if roll < 0.2 else None if roll < 0.3 else ledger

    credits = list(CREDITS)
    rng.shuffle(credits)
    for credit in credits:
        for _ in range(2):  # the request, then its retry
            result = post_transfers(store, [credit], ledger=pick(), attempts=ATTEMPTS)
            _check_result(store, result)
            posted.extend(p.transfer.transfer_id for p in result.posted)
            old, ledger = ledger, result.ledger
    barrier()  # every credit is stored before the first redemption
    redemptions = list(REDEMPTIONS)
    rng.shuffle(redemptions)
    for tid, volunteer in redemptions:
        for _ in range(2):
            try:
                result = redeem_hours(
                    store, volunteer, 45, transfer_id=tid, at=T0, ledger=pick(), attempts=ATTEMPTS
                )
            except InsufficientHoursError:
                refused.append(tid)
                continue
            _check_result(store, result)
            posted.extend(p.transfer.transfer_id for p in result.posted)
            old, ledger = ledger, result.ledger
    final = post_transfers(store, [], ledger=ledger).ledger
    return {
        "worker": worker,
        "posted": posted,
        "refused": refused,
        "final": [p.transfer.transfer_id for p in final.postings()],
    }


def _check_store(store: LedgerStore, results: list[dict[str, Any]]) -> None:
    assert sorted(r["worker"] for r in results) == list(range(WORKERS)), "a worker did not finish"
    postings = store.postings()
    ids = [p.transfer.transfer_id for p in postings]
    # nothing doubled
    assert len(ids) == len(set(ids))
    keys = [p.transfer.record_key for p in postings if p.transfer.record_key is not None]
    assert len(keys) == len(set(keys))
    # nothing lost: every credit is there, and every posting some worker was told it made
    assert {c.transfer_id for c in CREDITS} <= set(ids)
    claimed = [tid for r in results for tid in r["posted"]]
    assert sorted(claimed) == sorted(ids), "each stored transfer was posted by exactly one call"
    # balances equal the entries; a sound ledger; no volunteer below zero
    sums: dict[str, int] = {}
    for entry in store.entries():
        sums[entry.account] = sums.get(entry.account, 0) + entry.minutes
    assert {a: h.minutes for a, h in store.balances().items()} == sums
    assert check_ledger(postings) == ()
    assert all(m >= 0 for a, m in sums.items() if a not in SYSTEM_ACCOUNTS)
    redeemed = {tid for tid in ids if tid.startswith("x-")}
    for volunteer in VOLUNTEERS:
        mine = {tid for tid in redeemed if tid.startswith(f"x-{volunteer}-")}
        assert len(mine) == 4 and sums[volunteer] == 0  # 180 minutes, 4 x 45
    assert sums[REDEEMED] == 45 * len(redeemed)
    # no spurious error: a redemption refused by one worker is refused by every one and stored
    # by none; a stored one is never refused
    for result in results:
        assert not redeemed & set(result["refused"]), "a stored redemption was refused"
        assert result["final"] == ids[: len(result["final"])]
    refused = {tid for r in results for tid in r["refused"]}
    assert refused == {tid for tid, _ in REDEMPTIONS} - redeemed
    for result in results:
        assert sorted(result["refused"]) == sorted(2 * list(refused))


# --------------------------------------------------------------------------- backends


def _open_sqlite(path: str) -> tuple[LedgerStore, Callable[[], None]]:
    database = SQLiteDatabase(path, synchronous="NORMAL")
    return SQLiteLedgerStore(database), database.close


def _open_postgresql(dsn: str) -> tuple[LedgerStore, Callable[[], None]]:
    from volunteer_rules.storage.postgresql import PostgreSQLDatabase, PostgreSQLLedgerStore

    database = PostgreSQLDatabase(dsn)
    return PostgreSQLLedgerStore(database), database.close


OPENERS: dict[str, Callable[[str], tuple[LedgerStore, Callable[[], None]]]] = {
    "sqlite": _open_sqlite,
    "postgresql": _open_postgresql,
}


def _process(kind: str, target: str, worker: int, barrier: Any, results: Any) -> None:
    store, close = OPENERS[kind](target)
    try:
        results.put(_serve(store, worker, lambda: barrier.wait(120)))
    finally:
        close()


def race_processes(kind: str, target: str) -> list[dict[str, Any]]:
    """Run the workers as processes on one database; return their results."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(WORKERS)
    results = context.Queue()
    workers = [
        context.Process(target=_process, args=(kind, target, n, barrier, results))
        for n in range(WORKERS)
    ]
    for process in workers:
        process.start()
    collected = []
    try:
        for _ in range(WORKERS):
            collected.append(results.get(timeout=240))
    except queue.Empty:
        pass
    for process in workers:
        process.join(60)
        if process.is_alive():
            process.kill()
    assert [p.exitcode for p in workers] == [0] * WORKERS, "a worker failed or hung"
    return collected


def test_racing_retries_in_memory_threads() -> None:
    store = InMemoryLedgerStore()
    barrier = threading.Barrier(WORKERS)
    results: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def run(worker: int) -> None:
        try:
            results.append(_serve(store, worker, lambda: barrier.wait(120)))
        except BaseException as error:  # reported below: the test must see it
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(WORKERS)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often: more races
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(240)
    finally:
        sys.setswitchinterval(interval)
    assert not errors, errors
    _check_store(store, results)


def test_racing_retries_sqlite_processes(tmp_path: Path) -> None:
    path = str(tmp_path / "race.sqlite")
    SQLiteDatabase(path).close()  # the schema, once
    results = race_processes("sqlite", path)
    with SQLiteDatabase(path) as database:
        _check_store(SQLiteLedgerStore(database), results)


def test_racing_retries_postgresql_processes(postgresql_schemas: Callable[[], str]) -> None:
    dsn = postgresql_schemas()
    store, close = _open_postgresql(dsn)  # the schema, once
    try:
        results = race_processes("postgresql", dsn)
        _check_store(store, results)
    finally:
        close()


@pytest.mark.parametrize("start", [0, 3])
def test_a_ledger_from_elsewhere_is_replaced_by_the_stores(start: int) -> None:
    """A ledger passed in that the store does not hold is not trusted: the store's is used."""
    store = InMemoryLedgerStore()
    post_transfers(store, CREDITS[:5])
    elsewhere = Ledger().post_many(CREDITS[start : start + 4])
    result = post_transfers(store, [CREDITS[7]], ledger=elsewhere)
    assert tuple(result.ledger.postings()) == store.postings()
    assert [p.transfer.transfer_id for p in result.posted] == [CREDITS[7].transfer_id]


def test_a_retry_racing_its_first_attempt_posts_once() -> None:
    """Two callers with the same old ledger send the same request: one posts, one finds it."""
    store = InMemoryLedgerStore()
    base = post_transfers(store, CREDITS[:2]).ledger
    post_transfers(store, [CREDITS[5]], ledger=base)  # someone else moves the ledger on
    first = post_transfers(store, [CREDITS[3]], ledger=base)
    again = post_transfers(store, [CREDITS[3]], ledger=base)  # the retry, same old ledger
    assert [p.transfer.transfer_id for p in first.posted] == [CREDITS[3].transfer_id]
    assert again.posted == ()
    assert tuple(again.ledger.postings()) == store.postings() == tuple(first.ledger.postings())


def test_the_store_refuses_a_stored_transfer_at_another_place() -> None:
    """A posting whose id is stored at another position is not skipped silently."""
    from volunteer_rules.errors import ConflictError

    store = InMemoryLedgerStore()
    stored = tuple(Ledger().post_many([CREDITS[0], CREDITS[1]]).postings())
    store.append(stored)
    _, mine = Ledger().post(CREDITS[1])  # the same request, posted at position 0
    with pytest.raises(ConflictError) as raised:
        store.append([mine])
    assert raised.value.key == CREDITS[1].transfer_id
    assert store.postings() == stored
