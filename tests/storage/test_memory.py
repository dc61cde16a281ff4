"""The in-memory stores pass the conformance suites."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from volunteer_rules.storage import (
    InMemoryLedgerStore,
    InMemoryRecordStore,
    InMemoryTransferStore,
    LedgerStore,
    RecordStore,
    TransferStore,
)
from volunteer_rules.testing.contracts import (
    LedgerStoreContract,
    RecordStoreContract,
    TransferStoreContract,
)


class TestInMemoryRecordStore(RecordStoreContract):
    """InMemoryRecordStore against RecordStoreContract."""

    @pytest.fixture
    def make_store(self) -> Callable[[], RecordStore]:
        return InMemoryRecordStore


class TestInMemoryLedgerStore(LedgerStoreContract):
    """InMemoryLedgerStore against LedgerStoreContract."""

    @pytest.fixture
    def make_store(self) -> Callable[[], LedgerStore]:
        return InMemoryLedgerStore


class TestInMemoryTransferStore(TransferStoreContract):
    """InMemoryTransferStore against TransferStoreContract."""

    @pytest.fixture
    def make_store(self) -> Callable[[], TransferStore]:
        return InMemoryTransferStore
