"""Deliberately broken stores, each with one bug of a kind seen in real stores, under the kit.

Not collected by the normal run (the file name does not start with ``test_``):
``test_broken_stores.py`` runs it in a separate pytest and requires that the conformance kit
FAILS for every class here.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs
import pytest

from volunteer_rules.errors import ConflictError
from volunteer_rules.hours import Hours
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.storage import (
    InMemoryLedgerStore,
    InMemoryRecordStore,
    InMemoryTransferStore,
    LedgerStore,
    PackageEvent,
    RecordStore,
    TransferStore,
)
from volunteer_rules.testing.contracts import (
    LedgerStoreContract,
    RecordStoreContract,
    TransferStoreContract,
)
from volunteer_rules.timebank.ledger import PostedTransfer

# --------------------------------------------------------------------------- records


class TiesInTheWrongOrder(InMemoryRecordStore):
    """Breaks ties on recorded_at by organization first, then record id."""

    def find(self, **filters: Any) -> tuple[ServiceRecord, ...]:
        found = super().find(**filters)
        return tuple(sorted(found, key=lambda r: (r.recorded_at, r.organization_id, r.record_id)))


class NoRollback(InMemoryRecordStore):
    """Keeps the records of a batch that came before the bad item."""

    def add(self, records: Iterable[ServiceRecord], /) -> int:
        added = 0
        for record in records:
            added += super().add([record])
        return added


class NotThreadSafe(InMemoryRecordStore):
    """Reads, then writes a copy back without a lock: concurrent adds lose records."""

    def add(self, records: Iterable[ServiceRecord], /) -> int:
        batch = list(records)
        scratch = InMemoryRecordStore()
        scratch._records = dict(self._records)
        added = scratch.add(batch)
        time.sleep(0.001)  # the window in which another thread's add is lost
        self._records = scratch._records
        return added


# --------------------------------------------------------------------------- ledger


class DropsOverflow(InMemoryLedgerStore):
    """Stores only a transfer's own legs: the entries a capped ledger added are dropped."""

    def append(
        self,
        postings: Sequence[PostedTransfer],
        /,
        *,
        expected_versions: Mapping[str, int] | None = None,
    ) -> int:
        kept: list[Any] = []
        for posting in postings:
            if isinstance(posting, PostedTransfer) and posting.overflow:
                posting = attrs.evolve(
                    posting, entries=posting.entries[: len(posting.transfer.legs)]
                )
            kept.append(posting)
        return super().append(kept, expected_versions=expected_versions)


class HandsOutItsOwnBalances(InMemoryLedgerStore):
    """Keeps running balances and returns that very dict."""

    def __init__(self) -> None:
        super().__init__()
        self._totals: dict[str, Hours] = {}

    def append(
        self,
        postings: Sequence[PostedTransfer],
        /,
        *,
        expected_versions: Mapping[str, int] | None = None,
    ) -> int:
        before = len(self._entries)
        added = super().append(postings, expected_versions=expected_versions)
        for entry in self._entries[before:]:
            self._totals[entry.account] = self._totals.get(entry.account, Hours.ZERO) + entry.amount
        self._totals = dict(sorted(self._totals.items()))
        return added

    def balances(self) -> dict[str, Hours]:
        return self._totals


class SkipsStoredIdsAnywhere(InMemoryLedgerStore):
    """Skips a transfer id it holds wherever it is (the bug of issue 16)."""

    def append(
        self,
        postings: Sequence[PostedTransfer],
        /,
        *,
        expected_versions: Mapping[str, int] | None = None,
    ) -> int:
        fresh = [
            p
            for p in postings
            if not (isinstance(p, PostedTransfer) and p.transfer.transfer_id in self._by_id)
        ]
        return super().append(fresh, expected_versions=expected_versions)


class CachedCount(InMemoryLedgerStore):
    """Instances on one shared backend, each trusting the count it saw: writes get lost."""

    def __init__(self, backend: InMemoryLedgerStore | None = None) -> None:
        super().__init__()
        if backend is not None:
            self._postings = backend._postings
            self._by_id = backend._by_id
            self._entries = backend._entries
            self._versions = backend._versions
        self._seen = len(self._postings)
        self._seen_entries = len(self._entries)
        self._seen_versions = dict(self._versions)

    def append(
        self,
        postings: Sequence[PostedTransfer],
        /,
        *,
        expected_versions: Mapping[str, int] | None = None,
    ) -> int:
        # check against what this instance saw, then write into the shared lists
        scratch = InMemoryLedgerStore()
        scratch._postings = list(self._postings[: self._seen])
        scratch._by_id = {
            p.transfer.transfer_id: n for n, p in enumerate(self._postings[: self._seen])
        }
        scratch._entries = list(self._entries[: self._seen_entries])
        scratch._versions = dict(self._seen_versions)
        added = scratch.append(postings, expected_versions=expected_versions)
        for posting in scratch._postings[self._seen :]:
            self._by_id[posting.transfer.transfer_id] = len(self._postings)
            self._postings.append(posting)
            self._entries.extend(posting.entries)
        self._versions.update(scratch._versions)
        self._seen = len(scratch._postings)
        self._seen_entries = len(scratch._entries)
        self._seen_versions = dict(scratch._versions)
        return added


# --------------------------------------------------------------------------- transfers


class CheckThenAct(InMemoryTransferStore):
    """Compares the state, then appends the event outside the lock: two winners."""

    def change_state(
        self,
        package_id: str,
        /,
        *,
        expected: str,
        new: str,
        at: dt.datetime,
        reason: str = "",
    ) -> PackageEvent:
        if self.state(package_id) != expected:
            raise ConflictError(package_id, "changed meanwhile")
        time.sleep(0.01)
        events = self._events[package_id]
        event = PackageEvent(
            package_id=package_id, sequence=len(events) + 1, state=new, at=at, reason=reason
        )
        events.append(event)
        return event


# --------------------------------------------------------------------------- the kit on them


class TestTiesInTheWrongOrder(RecordStoreContract):
    @pytest.fixture
    def make_store(self) -> Callable[[], RecordStore]:
        return TiesInTheWrongOrder


class TestNoRollback(RecordStoreContract):
    @pytest.fixture
    def make_store(self) -> Callable[[], RecordStore]:
        return NoRollback


class TestNotThreadSafe(RecordStoreContract):
    @pytest.fixture
    def make_store(self) -> Callable[[], RecordStore]:
        return NotThreadSafe


class TestDropsOverflow(LedgerStoreContract):
    @pytest.fixture
    def make_store(self) -> Callable[[], LedgerStore]:
        return DropsOverflow


class TestHandsOutItsOwnBalances(LedgerStoreContract):
    @pytest.fixture
    def make_store(self) -> Callable[[], LedgerStore]:
        return HandsOutItsOwnBalances


class TestSkipsStoredIdsAnywhere(LedgerStoreContract):
    @pytest.fixture
    def make_store(self) -> Callable[[], LedgerStore]:
        return SkipsStoredIdsAnywhere


class TestCachedCount(LedgerStoreContract):
    @pytest.fixture
    def make_store(self) -> Callable[[], LedgerStore]:
        return CachedCount

    @pytest.fixture
    def shared(self) -> Callable[[], tuple[Callable[..., Any], tuple[Any, ...]]]:
        return lambda: (CachedCount, (InMemoryLedgerStore(),))


class TestCheckThenAct(TransferStoreContract):
    @pytest.fixture
    def make_store(self) -> Callable[[], TransferStore]:
        return CheckThenAct


BROKEN = [name.removeprefix("Test") for name in list(globals()) if name.startswith("Test")]
"""The classes of broken stores the kit must fail."""
