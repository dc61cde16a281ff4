"""The SQLite stores pass the conformance suites (in memory and in a file)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from volunteer_rules.storage import (
    LedgerStore,
    RecordStore,
    SQLiteDatabase,
    SQLiteLedgerStore,
    SQLiteRecordStore,
    SQLiteTransferStore,
    TransferStore,
)
from volunteer_rules.testing.contracts import (
    LedgerStoreContract,
    RecordStoreContract,
    TransferStoreContract,
)


@pytest.fixture
def databases(tmp_path: Path) -> Iterator[Callable[[], SQLiteDatabase]]:
    """A factory of fresh databases: in memory, except every fourth one in a file."""
    opened: list[SQLiteDatabase] = []
    numbers = itertools.count()

    def open_database() -> SQLiteDatabase:
        number = next(numbers)
        path = tmp_path / f"store-{number}.sqlite" if number % 4 == 1 else ":memory:"
        opened.append(SQLiteDatabase(path, synchronous="NORMAL"))
        return opened[-1]

    yield open_database
    for database in opened:
        database.close()


class TestSQLiteRecordStore(RecordStoreContract):
    """SQLiteRecordStore against RecordStoreContract."""

    @pytest.fixture
    def make_store(self, databases: Callable[[], SQLiteDatabase]) -> Callable[[], RecordStore]:
        return lambda: SQLiteRecordStore(databases())


class TestSQLiteLedgerStore(LedgerStoreContract):
    """SQLiteLedgerStore against LedgerStoreContract."""

    @pytest.fixture
    def make_store(self, databases: Callable[[], SQLiteDatabase]) -> Callable[[], LedgerStore]:
        return lambda: SQLiteLedgerStore(databases())


class TestSQLiteTransferStore(TransferStoreContract):
    """SQLiteTransferStore against TransferStoreContract."""

    @pytest.fixture
    def make_store(self, databases: Callable[[], SQLiteDatabase]) -> Callable[[], TransferStore]:
        return lambda: SQLiteTransferStore(databases())
