"""The community stores (memory and SQLite) pass their conformance suites."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _foreign import foreign_sqlite_files

from volunteer_rules.storage import SQLiteDatabase
from volunteer_rules.storage.community_memory import (
    InMemoryAttendanceStore,
    InMemoryOrganizationStore,
    InMemoryPersonServedStore,
    InMemoryProjectStore,
    InMemoryStationStore,
)
from volunteer_rules.storage.community_sqlite import (
    SQLiteAttendanceStore,
    SQLiteOrganizationStore,
    SQLitePersonServedStore,
    SQLiteProjectStore,
    SQLiteStationStore,
)
from volunteer_rules.testing.community_contracts import (
    AttendanceStoreContract,
    OrganizationStoreContract,
    PersonServedStoreContract,
    ProjectStoreContract,
    StationStoreContract,
)
from volunteer_rules.testing.community_examples import sample_organizations, sample_person


class TestInMemoryOrganizationStore(OrganizationStoreContract):
    @pytest.fixture
    def make_store(self) -> Callable[[], Any]:
        return InMemoryOrganizationStore


class TestSQLiteOrganizationStore(OrganizationStoreContract):
    @pytest.fixture
    def make_store(self) -> Callable[[], Any]:
        return SQLiteOrganizationStore

    @pytest.fixture
    def foreign(
        self, tmp_path: Path
    ) -> Callable[[], tuple[Callable[[], Any], Callable[[], object]]]:
        return foreign_sqlite_files(tmp_path, SQLiteOrganizationStore)


class TestInMemoryStationStore(StationStoreContract):
    @pytest.fixture
    def make_store(self) -> Callable[[], Any]:
        return InMemoryStationStore


class TestSQLiteStationStore(StationStoreContract):
    @pytest.fixture
    def make_store(self) -> Callable[[], Any]:
        return SQLiteStationStore

    @pytest.fixture
    def foreign(
        self, tmp_path: Path
    ) -> Callable[[], tuple[Callable[[], Any], Callable[[], object]]]:
        return foreign_sqlite_files(tmp_path, SQLiteStationStore)


class TestInMemoryPersonServedStore(PersonServedStoreContract):
    @pytest.fixture
    def make_store(self) -> Callable[[], Any]:
        return InMemoryPersonServedStore


class TestSQLitePersonServedStore(PersonServedStoreContract):
    @pytest.fixture
    def make_store(self) -> Callable[[], Any]:
        return SQLitePersonServedStore

    @pytest.fixture
    def foreign(
        self, tmp_path: Path
    ) -> Callable[[], tuple[Callable[[], Any], Callable[[], object]]]:
        return foreign_sqlite_files(tmp_path, SQLitePersonServedStore)


class TestInMemoryProjectStore(ProjectStoreContract):
    @pytest.fixture
    def make_store(self) -> Callable[[], Any]:
        return InMemoryProjectStore


class TestSQLiteProjectStore(ProjectStoreContract):
    @pytest.fixture
    def make_store(self) -> Callable[[], Any]:
        return SQLiteProjectStore

    @pytest.fixture
    def foreign(
        self, tmp_path: Path
    ) -> Callable[[], tuple[Callable[[], Any], Callable[[], object]]]:
        return foreign_sqlite_files(tmp_path, SQLiteProjectStore)


class TestInMemoryAttendanceStore(AttendanceStoreContract):
    @pytest.fixture
    def make_store(self) -> Callable[[], Any]:
        return InMemoryAttendanceStore


class TestSQLiteAttendanceStore(AttendanceStoreContract):
    @pytest.fixture
    def make_store(self) -> Callable[[], Any]:
        return SQLiteAttendanceStore

    @pytest.fixture
    def foreign(
        self, tmp_path: Path
    ) -> Callable[[], tuple[Callable[[], Any], Callable[[], object]]]:
        return foreign_sqlite_files(tmp_path, SQLiteAttendanceStore)


def test_sqlite_file_shared_with_the_other_stores(tmp_path: Path) -> None:
    """The community tables live beside the records in one file and survive reopening."""
    path = tmp_path / "platform.sqlite"
    with SQLiteDatabase(path) as database:
        version = database.schema_version()
        SQLiteOrganizationStore(database).add(sample_organizations())
        SQLitePersonServedStore(database).add([sample_person(contact="13800138000")])
    with SQLiteDatabase(path) as database:
        assert database.schema_version() == version  # the record schema is untouched
        assert SQLiteOrganizationStore(database).count() == 3
        person = SQLitePersonServedStore(database).get("P-0001")
        assert person == sample_person(contact="13800138000")
        assert "13800138000" not in repr(person)
