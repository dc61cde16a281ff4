"""The PostgreSQL stores pass the conformance suites, against a real server the tests start."""

# ruff: noqa: F811  (the PostgreSQL fixtures are imported, then named as parameters)

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from _postgresql import postgresql, postgresql_schemas  # noqa: F401 (fixtures)

from volunteer_rules.testing.contracts import (
    LedgerStoreContract,
    RecordStoreContract,
    TransferStoreContract,
)

postgresql_stores = pytest.importorskip(
    "volunteer_rules.storage.postgresql", reason="psycopg is not installed (the postgresql extra)"
)
PostgreSQLDatabase = postgresql_stores.PostgreSQLDatabase


@pytest.fixture
def databases(postgresql_schemas: Callable[[], str]) -> Iterator[Callable[[], Any]]:
    opened: list[Any] = []

    def open_database() -> Any:
        opened.append(PostgreSQLDatabase(postgresql_schemas()))
        return opened[-1]

    yield open_database
    for database in opened:
        database.close()


def _shared(
    postgresql_schemas: Callable[[], str], opener: Callable[..., Any]
) -> Callable[[], tuple[Callable[..., Any], tuple[Any, ...]]]:
    def fresh() -> tuple[Callable[..., Any], tuple[Any, ...]]:
        dsn = postgresql_schemas()
        PostgreSQLDatabase(dsn).close()  # the schema, once
        return opener, (dsn,)

    return fresh


def _foreign(
    postgresql_schemas: Callable[[], str], opener: Callable[..., Any]
) -> Callable[[], tuple[Callable[[], Any], Callable[[], object]]]:
    """Fresh schemas of another application: one table of its own, with a row."""
    import psycopg

    def fresh() -> tuple[Callable[[], Any], Callable[[], object]]:
        dsn = postgresql_schemas()
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute("CREATE TABLE t (x INTEGER)")
            connection.execute("INSERT INTO t VALUES (1)")

        def contents() -> object:
            with psycopg.connect(dsn, autocommit=True) as connection:
                tables = connection.execute(
                    "SELECT table_name FROM information_schema.tables"
                    " WHERE table_schema = current_schema() ORDER BY table_name"
                ).fetchall()
                return tables, connection.execute("SELECT x FROM t").fetchall()

        return lambda: opener(dsn), contents

    return fresh


class TestPostgreSQLRecordStore(RecordStoreContract):
    @pytest.fixture
    def make_store(self, databases: Callable[[], Any]) -> Callable[[], Any]:
        return lambda: postgresql_stores.PostgreSQLRecordStore(databases())

    @pytest.fixture
    def shared(
        self, postgresql_schemas: Callable[[], str]
    ) -> Callable[[], tuple[Callable[..., Any], tuple[Any, ...]]]:
        return _shared(postgresql_schemas, postgresql_stores.PostgreSQLRecordStore)

    @pytest.fixture
    def foreign(
        self, postgresql_schemas: Callable[[], str]
    ) -> Callable[[], tuple[Callable[[], Any], Callable[[], object]]]:
        return _foreign(postgresql_schemas, postgresql_stores.PostgreSQLRecordStore)


class TestPostgreSQLLedgerStore(LedgerStoreContract):
    @pytest.fixture
    def make_store(self, databases: Callable[[], Any]) -> Callable[[], Any]:
        return lambda: postgresql_stores.PostgreSQLLedgerStore(databases())

    @pytest.fixture
    def shared(
        self, postgresql_schemas: Callable[[], str]
    ) -> Callable[[], tuple[Callable[..., Any], tuple[Any, ...]]]:
        return _shared(postgresql_schemas, postgresql_stores.PostgreSQLLedgerStore)

    @pytest.fixture
    def foreign(
        self, postgresql_schemas: Callable[[], str]
    ) -> Callable[[], tuple[Callable[[], Any], Callable[[], object]]]:
        return _foreign(postgresql_schemas, postgresql_stores.PostgreSQLLedgerStore)


class TestPostgreSQLTransferStore(TransferStoreContract):
    @pytest.fixture
    def make_store(self, databases: Callable[[], Any]) -> Callable[[], Any]:
        return lambda: postgresql_stores.PostgreSQLTransferStore(databases())

    @pytest.fixture
    def shared(
        self, postgresql_schemas: Callable[[], str]
    ) -> Callable[[], tuple[Callable[..., Any], tuple[Any, ...]]]:
        return _shared(postgresql_schemas, postgresql_stores.PostgreSQLTransferStore)

    @pytest.fixture
    def foreign(
        self, postgresql_schemas: Callable[[], str]
    ) -> Callable[[], tuple[Callable[[], Any], Callable[[], object]]]:
        return _foreign(postgresql_schemas, postgresql_stores.PostgreSQLTransferStore)


def test_the_database_checks_clean_and_finds_a_changed_value(databases: Callable[[], Any]) -> None:
    import datetime as dt

    from volunteer_rules.storage.services import post_transfers
    from volunteer_rules.testing.contracts import make_record
    from volunteer_rules.timebank.ledger import ISSUER, LedgerTransfer

    database = databases()
    postgresql_stores.PostgreSQLRecordStore(database).add([make_record("r-1")])
    ledger = postgresql_stores.PostgreSQLLedgerStore(database)
    post_transfers(
        ledger,
        [
            LedgerTransfer(
                transfer_id="c-1",
                kind="credit",
                legs=((ISSUER, -60), ("V1", 60)),
                at=dt.datetime(2024, 5, 1, tzinfo=dt.UTC),
                record_key=("G", "r-1"),
            )
        ],
    )
    assert database.check() == ()
    with database.transaction("damage") as cursor:
        cursor.execute("UPDATE ledger_entries SET minutes = 61 WHERE sequence = 1")
    assert any("checksum mismatch" in problem for problem in database.check())


def test_a_nul_in_the_connection_string_is_a_library_error() -> None:
    from volunteer_rules.errors import InvalidValueError

    with pytest.raises(InvalidValueError):
        PostgreSQLDatabase("host=a\0b")


def test_db_copy_moves_a_sqlite_file_to_postgresql_and_verifies_it(
    tmp_path: Any, postgresql_schemas: Callable[[], str], capsys: pytest.CaptureFixture[str]
) -> None:
    import datetime as dt

    from volunteer_rules.cli import main
    from volunteer_rules.storage import (
        SQLiteDatabase,
        SQLiteLedgerStore,
        SQLiteRecordStore,
        SQLiteTransferStore,
    )
    from volunteer_rules.storage.services import post_transfers
    from volunteer_rules.testing.contracts import make_package, make_record
    from volunteer_rules.timebank.ledger import ISSUER, LedgerTransfer

    at = dt.datetime(2024, 5, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    path = str(tmp_path / "bank.sqlite")
    with SQLiteDatabase(path) as database:
        SQLiteRecordStore(database).add([make_record(f"r-{n}") for n in range(5)])
        packages = SQLiteTransferStore(database)
        package = make_package()
        packages.add_package(package, at=at)
        packages.change_state(package.digest, expected="initiated", new="accepted", at=at)
        post_transfers(
            SQLiteLedgerStore(database),
            [
                LedgerTransfer(
                    transfer_id=f"c-{n}",
                    kind="credit",
                    legs=((ISSUER, -30), (f"V{n % 2}", 30)),
                    at=at,
                    record_key=("G", f"r-{n}"),
                )
                for n in range(2500)
            ],
        )
    dsn = postgresql_schemas()
    assert main(["db", "copy", path, dsn]) == 0
    assert main(["db", "check", dsn]) == 0
    assert "5 records, 1 transfer packages, 2500 ledger transfers" in capsys.readouterr().out
    assert main(["db", "copy", path, dsn]) == 2  # not empty any more
    back = str(tmp_path / "back.sqlite")
    assert main(["db", "copy", dsn, back]) == 0
    with SQLiteDatabase(back) as database:
        assert SQLiteLedgerStore(database).balance("V1").minutes == 1250 * 30
        assert SQLiteTransferStore(database).state(package.digest) == "accepted"


def _filled(database: Any) -> tuple[Any, Any, Any, Any]:
    """One record, one package and one credit (with details) kept: (records, packages, the
    package, ledger)."""
    import datetime as dt

    from volunteer_rules.storage.services import post_transfers
    from volunteer_rules.testing.contracts import make_package, make_record
    from volunteer_rules.timebank.ledger import ISSUER, LedgerTransfer

    at = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    records = postgresql_stores.PostgreSQLRecordStore(database)
    records.add([make_record("r-1")])
    packages = postgresql_stores.PostgreSQLTransferStore(database)
    package = make_package()
    packages.add_package(package, at=at)
    ledger = postgresql_stores.PostgreSQLLedgerStore(database)
    credit = LedgerTransfer(
        transfer_id="c-1", kind="credit", legs=((ISSUER, -60), ("V1", 60)), at=at,
        record_key=("G", "r-1"), details=(("service", "meals"),),
    )  # fmt: skip
    post_transfers(ledger, [credit])
    return records, packages, package, ledger


def test_undecodable_text_is_a_storage_error(databases: Callable[[], Any]) -> None:
    """Damaged values read back raise StorageError on every read path, and check reports them."""
    from volunteer_rules.errors import StorageError
    from volunteer_rules.testing.contracts import make_record

    database = databases()
    records, packages, package, ledger = _filled(database)
    with database.transaction("damage") as cursor:
        cursor.execute("UPDATE ledger_entries SET at = 'not a time' WHERE kind IS NOT NULL")
        cursor.execute("UPDATE records SET payload = '{'")
        cursor.execute("UPDATE package_events SET at = 'yesterday'")
    calls: list[Callable[[], object]] = [
        ledger.postings,
        ledger.entries,
        lambda: ledger.get_transfer("c-1"),
        records.find,
        lambda: records.get(make_record("r-1").organization_id, "r-1"),
        lambda: packages.history(package.digest),
    ]
    for call in calls:
        with pytest.raises(StorageError):
            call()
    assert database.check()


def test_json_nested_too_deep_is_a_damaged_row(databases: Callable[[], Any]) -> None:
    """A stored value nested too deep for Python is a StorageError, never a RecursionError."""
    from volunteer_rules.errors import StorageError
    from volunteer_rules.testing.contracts import make_record

    database = databases()
    records, packages, package, ledger = _filled(database)
    deep = "[" * 100_000
    with database.transaction("damage") as cursor:
        cursor.execute("UPDATE records SET payload = %s", (deep,))
        cursor.execute("UPDATE packages SET payload = %s", (deep,))
        cursor.execute("UPDATE ledger_entries SET details = %s WHERE kind IS NOT NULL", (deep,))
        _make_checksums_right(cursor)  # so that the reads get as far as the value
    calls: list[Callable[[], object]] = [
        ledger.postings,
        lambda: ledger.get_transfer("c-1"),
        records.find,
        lambda: records.get(*make_record("r-1").key),
        lambda: packages.get_package(package.digest),
    ]
    for call in calls:
        with pytest.raises(StorageError, match="cannot be read back"):
            call()
    assert database.check()


def _make_checksums_right(cursor: Any) -> None:
    """Set every row's checksum to that of its columns again (after a change in place)."""
    from volunteer_rules.storage.sqlite_schema import _CHECKED_TABLES, _tuple_checksum

    for table, columns, _ in _CHECKED_TABLES:
        cursor.execute(f"SELECT ctid::text, {columns} FROM {table}")
        for ctid, *values in cursor.fetchall():
            cursor.execute(
                f"UPDATE {table} SET checksum = %s WHERE ctid = %s::tid",
                (_tuple_checksum(tuple(values)), ctid),
            )


def _contents(database: Any) -> list[Any]:
    with database.reading("contents") as cursor:
        tables = []
        for table in ("records", "packages", "package_events", "ledger_entries"):
            cursor.execute(f"SELECT * FROM {table} ORDER BY 1, 2")
            tables.append(cursor.fetchall())
    return tables


def _damage_cases(package_id: str) -> dict[str, tuple[str, str, list[Callable[..., object]]]]:
    """Per kind of row: the change of one column of one row, how the row is named, the reads."""
    import datetime as dt

    from volunteer_rules.storage.services import post_transfers
    from volunteer_rules.testing.contracts import make_package, make_record
    from volunteer_rules.timebank.ledger import ISSUER, LedgerTransfer

    at = dt.datetime(2024, 5, 2, tzinfo=dt.UTC)
    more = LedgerTransfer(transfer_id="c-2", kind="credit", legs=((ISSUER, -5), ("V1", 5)), at=at)
    record = make_record("r-1")
    return {
        "ledger entry": (
            "UPDATE ledger_entries SET minutes = 61 WHERE sequence = 1",
            "ledger_entries: the stored ledger entry 1 (transfer 'c-1', account V1 version 1)",
            [
                lambda r, p, ledger: ledger.postings(),
                lambda r, p, ledger: ledger.entries(),
                lambda r, p, ledger: ledger.get_transfer("c-1"),
                lambda r, p, ledger: ledger.balance("V1"),
                lambda r, p, ledger: ledger.balances(),
                lambda r, p, ledger: ledger.version("V1"),
                lambda r, p, ledger: ledger.transfer_count(),
                lambda r, p, ledger: post_transfers(ledger, [more]),
            ],
        ),
        "ledger transfer": (
            "UPDATE ledger_entries SET memo = 'changed' WHERE sequence = 0",
            "ledger_entries: the stored ledger entry 0 (transfer 'c-1', account @issuer version 1)",
            [lambda r, p, ledger: ledger.entries("V1")],
        ),
        "record": (
            "UPDATE records SET volunteer_id = 'V9'",
            f"records: the stored record {record.organization_id}/r-1",
            [
                lambda records, p, g: records.get(*record.key),
                lambda records, p, g: records.find(),
                lambda records, p, g: records.add([record]),
            ],
        ),
        "package": (
            "UPDATE packages SET state = 'rejected'",
            f"packages: the stored transfer package {package_id}",
            [
                lambda r, packages, g: packages.get_package(package_id),
                lambda r, packages, g: packages.state(package_id),
                lambda r, packages, g: packages.package_ids(),
                lambda r, packages, g: packages.add_package(make_package(), at=at),
                lambda r, packages, g: packages.change_state(
                    package_id, expected="rejected", new="accepted", at=at
                ),
            ],
        ),
        "package event": (
            "UPDATE package_events SET reason = 'changed'",
            f"package_events: the stored event 1 of transfer package {package_id}",
            [lambda r, packages, g: packages.history(package_id)],
        ),
    }


@pytest.mark.parametrize(
    "case", ["ledger entry", "ledger transfer", "record", "package", "package event"]
)
def test_a_row_that_does_not_match_its_checksum_is_never_read(
    databases: Callable[[], Any], case: str
) -> None:
    """One column of one row changed with an UPDATE: every read that uses the row raises
    StorageError naming the database, the table and the row; nothing is written."""
    from volunteer_rules.errors import StorageError

    database = databases()
    records, packages, package, ledger = _filled(database)
    statement, named, reads = _damage_cases(package.digest)[case]
    with database.transaction("damage") as cursor:
        cursor.execute(statement)
        assert cursor.rowcount == 1
    before = _contents(database)
    for read in reads:
        with pytest.raises(StorageError) as raised:
            read(records, packages, ledger)
        assert type(raised.value) is StorageError
        message = str(raised.value)
        assert message.startswith("the PostgreSQL database: "), message
        assert f"{named} is damaged (its row does not match its checksum)" in message, message
        assert message.endswith("run volunteer-rules db check")
    assert _contents(database) == before
