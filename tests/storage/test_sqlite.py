"""The SQLite stores pass the conformance suites (in memory and in a file)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from _foreign import foreign_sqlite_files

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


def _shared_files(
    tmp_path: Path, opener: Callable[..., Any]
) -> Callable[[], tuple[Callable[..., Any], tuple[Any, ...]]]:
    """Fresh files, each opened by the store class from its path (in any process)."""
    numbers = itertools.count()

    def fresh() -> tuple[Callable[..., Any], tuple[Any, ...]]:
        path = str(tmp_path / f"shared-{next(numbers)}.sqlite")
        SQLiteDatabase(path).close()  # the schema, once
        return opener, (path,)

    return fresh


class TestSQLiteRecordStore(RecordStoreContract):
    """SQLiteRecordStore against RecordStoreContract."""

    @pytest.fixture
    def make_store(self, databases: Callable[[], SQLiteDatabase]) -> Callable[[], RecordStore]:
        return lambda: SQLiteRecordStore(databases())

    @pytest.fixture
    def shared(self, tmp_path: Path) -> Callable[[], tuple[Callable[..., Any], tuple[Any, ...]]]:
        return _shared_files(tmp_path, SQLiteRecordStore)

    @pytest.fixture
    def foreign(
        self, tmp_path: Path
    ) -> Callable[[], tuple[Callable[[], Any], Callable[[], object]]]:
        return foreign_sqlite_files(tmp_path, SQLiteRecordStore)


class TestSQLiteLedgerStore(LedgerStoreContract):
    """SQLiteLedgerStore against LedgerStoreContract."""

    @pytest.fixture
    def make_store(self, databases: Callable[[], SQLiteDatabase]) -> Callable[[], LedgerStore]:
        return lambda: SQLiteLedgerStore(databases())

    @pytest.fixture
    def shared(self, tmp_path: Path) -> Callable[[], tuple[Callable[..., Any], tuple[Any, ...]]]:
        return _shared_files(tmp_path, SQLiteLedgerStore)

    @pytest.fixture
    def foreign(
        self, tmp_path: Path
    ) -> Callable[[], tuple[Callable[[], Any], Callable[[], object]]]:
        return foreign_sqlite_files(tmp_path, SQLiteLedgerStore)


class TestSQLiteTransferStore(TransferStoreContract):
    """SQLiteTransferStore against TransferStoreContract."""

    @pytest.fixture
    def make_store(self, databases: Callable[[], SQLiteDatabase]) -> Callable[[], TransferStore]:
        return lambda: SQLiteTransferStore(databases())

    @pytest.fixture
    def shared(self, tmp_path: Path) -> Callable[[], tuple[Callable[..., Any], tuple[Any, ...]]]:
        return _shared_files(tmp_path, SQLiteTransferStore)

    @pytest.fixture
    def foreign(
        self, tmp_path: Path
    ) -> Callable[[], tuple[Callable[[], Any], Callable[[], object]]]:
        return foreign_sqlite_files(tmp_path, SQLiteTransferStore)
