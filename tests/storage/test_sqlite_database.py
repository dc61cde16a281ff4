"""What the SQLite stores promise beyond the protocols: files, WAL, migrations, errors, threads."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from pathlib import Path

import pytest

from volunteer_rules.errors import ConflictError, NotFoundError, StorageError
from volunteer_rules.storage import (
    SQLiteDatabase,
    SQLiteLedgerStore,
    SQLiteRecordStore,
    SQLiteTransferStore,
)
from volunteer_rules.storage._sqlite_rows import _record_row
from volunteer_rules.storage.services import post_transfers
from volunteer_rules.storage.sqlite import SCHEMA_VERSION
from volunteer_rules.storage.sqlite_schema import (
    _ENTRY_COLUMN_LIST,
    _RECORD_COLUMN_LIST,
    row_checksum,
)
from volunteer_rules.testing.contracts import make_package, make_record
from volunteer_rules.timebank.ledger import ISSUER, LedgerTransfer, check_ledger

UTC = dt.UTC
T0 = dt.datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def credit(tid: str, volunteer: str, minutes: int, at: dt.datetime = T0) -> LedgerTransfer:
    return LedgerTransfer(
        transfer_id=tid,
        kind="credit",
        legs=((ISSUER, -minutes), (volunteer, minutes)),
        at=at,
        record_key=("G-test", tid),
    )


class TestFiles:
    def test_file_uses_wal(self, tmp_path: Path) -> None:
        """A file database is switched to write-ahead logging."""
        with SQLiteDatabase(tmp_path / "a.sqlite") as database, database.reading("t") as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"

    def test_everything_survives_reopening(self, tmp_path: Path) -> None:
        """Records, ledger transfers and packages are there after closing and reopening."""
        path = tmp_path / "a.sqlite"
        record = make_record("r-1")
        package = make_package(records=[record])
        with SQLiteDatabase(path) as database:
            SQLiteRecordStore(database).add([record])
            post_transfers(SQLiteLedgerStore(database), [credit("c-1", "V1", 60)])
            SQLiteTransferStore(database).add_package(package, at=T0)
        with SQLiteDatabase(path) as database:
            assert SQLiteRecordStore(database).find() == (record,)
            ledger = SQLiteLedgerStore(database)
            assert ledger.balance("V1").minutes == 60
            assert check_ledger(ledger.postings()) == ()
            assert SQLiteTransferStore(database).get_package(package.digest) == package

    def test_store_opens_its_own_database_from_a_path(self, tmp_path: Path) -> None:
        """A store given a path opens the file itself."""
        store = SQLiteRecordStore(tmp_path / "b.sqlite")
        store.add([make_record("r-1")])
        assert SQLiteRecordStore(tmp_path / "b.sqlite").count() == 1
        store.database.close()

    def test_the_library_knows_every_table_its_stores_make(self, tmp_path: Path) -> None:
        """Every store opened on one file makes only the tables the opening check allows, so
        the library's own file is never taken for another application's."""
        from volunteer_rules.storage.community_sqlite import (
            SQLiteAttendanceStore,
            SQLiteOrganizationStore,
        )
        from volunteer_rules.storage.sqlite_schema import _COMMUNITY_TABLES, _STORE_TABLES

        path = tmp_path / "all.sqlite"
        with SQLiteDatabase(path) as database:
            SQLiteOrganizationStore(database)
            SQLiteAttendanceStore(database)
            names = {
                name
                for (name,) in database._connection.execute(
                    "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
                )
            }
        assert names == _STORE_TABLES | _COMMUNITY_TABLES
        SQLiteDatabase(path).close()  # and it opens again

    def test_another_applications_file_is_refused_and_left_alone(self, tmp_path: Path) -> None:
        """A file with a table not of the library is refused; an empty file is not."""
        path = tmp_path / "foreign.db"
        with sqlite3.connect(path) as connection:
            connection.execute("CREATE VIEW v AS SELECT 1")
        before = path.read_bytes()
        for migrate in (True, False):
            with pytest.raises(StorageError, match=r"not this library's \(v\)"):
                SQLiteDatabase(path, migrate=migrate)
        assert path.read_bytes() == before
        empty = tmp_path / "empty.db"
        empty.touch()
        with SQLiteDatabase(empty) as database:
            assert database.schema_version() == SCHEMA_VERSION


class TestMigrations:
    def test_fresh_file_is_at_the_current_version(self, tmp_path: Path) -> None:
        """A new file gets every migration."""
        with SQLiteDatabase(tmp_path / "a.sqlite") as database:
            assert database.schema_version() == SCHEMA_VERSION

    def test_old_file_is_migrated_forward_keeping_data(self, tmp_path: Path) -> None:
        """A version-1 file (records only) gains the later tables and keeps its records."""
        path = tmp_path / "old.sqlite"
        record = make_record("r-1")
        with SQLiteDatabase(path, _target_version=1) as old:
            assert old.schema_version() == 1
            with old.transaction("as the first version wrote it") as conn:
                conn.execute(
                    "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    _record_row(record)[:12],
                )
            with old.reading("t") as conn:
                tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
            assert "ledger_entries" not in tables
        with SQLiteDatabase(path) as new:
            assert new.schema_version() == SCHEMA_VERSION
            assert SQLiteRecordStore(new).find() == (record,)
            assert SQLiteLedgerStore(new).transfer_count() == 0
            assert new.check() == ()  # the migration gave the old rows their checksums

    def test_old_file_without_migrate_is_refused(self, tmp_path: Path) -> None:
        """With migrate=False an out-of-date file raises StorageError."""
        path = tmp_path / "old.sqlite"
        SQLiteDatabase(path, _target_version=1).close()
        with pytest.raises(StorageError, match="older"):
            SQLiteDatabase(path, migrate=False)

    def test_newer_file_is_refused(self, tmp_path: Path) -> None:
        """A file written by a newer library raises StorageError instead of being misread."""
        path = tmp_path / "new.sqlite"
        with SQLiteDatabase(path) as database, database.transaction("t") as conn:
            conn.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION + 1,))
        with pytest.raises(StorageError, match="newer"):
            SQLiteDatabase(path)


class TestErrorTranslation:
    def test_not_a_database(self, tmp_path: Path) -> None:
        """A file that is not SQLite raises StorageError chaining sqlite3's error."""
        path = tmp_path / "junk.sqlite"
        path.write_bytes(b"this is not a database, not at all" * 100)
        with pytest.raises(StorageError) as raised:
            SQLiteDatabase(path)
        assert isinstance(raised.value.__cause__, sqlite3.DatabaseError)
        assert str(raised.value) == f"opening {path}: file is not a database"

    def test_closed_database(self) -> None:
        """Using a closed database raises StorageError chaining ProgrammingError."""
        database = SQLiteDatabase()
        store = SQLiteRecordStore(database)
        database.close()
        with pytest.raises(StorageError) as raised:
            store.count()
        assert isinstance(raised.value.__cause__, sqlite3.ProgrammingError)

    def test_constraint_becomes_conflict_and_rolls_back(self) -> None:
        """An IntegrityError inside a transaction is a ConflictError; the transaction is undone."""
        with SQLiteDatabase() as database:

            def insert_twice() -> None:
                with database.transaction("t") as conn:
                    conn.execute("INSERT INTO schema_version VALUES (100)")
                    conn.execute("INSERT INTO schema_version VALUES (1)")

            with pytest.raises(ConflictError) as raised:
                insert_twice()
            assert isinstance(raised.value.__cause__, sqlite3.IntegrityError)
            assert database.schema_version() == SCHEMA_VERSION

    def test_busy_file_becomes_storage_error(self, tmp_path: Path) -> None:
        """A writer that waits past the busy timeout gets StorageError chaining the lock error."""
        path = tmp_path / "busy.sqlite"
        holder = SQLiteDatabase(path)
        waiter = SQLiteDatabase(path, timeout=0.05)
        try:
            with holder.transaction("holding the write lock"):
                with pytest.raises(StorageError) as raised:
                    SQLiteRecordStore(waiter).add([make_record("r-1")])
                assert isinstance(raised.value.__cause__, sqlite3.OperationalError)
                assert str(raised.value) == f"adding records in {path}: database is locked"
        finally:
            holder.close()
            waiter.close()

    @pytest.mark.parametrize("command", ["check", "ledger", "transfer"])
    def test_messages_name_no_driver_class(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
    ) -> None:
        """What a person reads says what failed and where, not the driver's exception class."""
        from volunteer_rules.cli import main
        from volunteer_rules.records.record import dump_record

        records = tmp_path / "records.jsonl"
        records.write_text(json.dumps(dump_record(make_record("r-1"))) + "\n", encoding="utf-8")
        db = tmp_path / "no such folder" / "bank.sqlite"
        argv = {
            "check": ["check", str(records)],
            "ledger": ["ledger", "credit", str(records), "--policy", "generic", "--as-of",
                       "2024-12-31"],
            "transfer": ["transfer", "create", str(records), "--volunteer", "V0000001",
                         "--from", "512111005000000154", "--to", "51211100MJ00000175",
                         "--to-region", "210100", "--created-at", "2024-06-01T09:00:00+08:00",
                         "-o", str(tmp_path / "package.json")],
        }[command]  # fmt: skip
        capsys.readouterr()
        assert main([*argv, "--db", str(db)]) == 2
        err = capsys.readouterr().err
        # the command line says why before SQLite's "unable to open database file"
        assert f"opening {db}: cannot be made: there is no folder {db.parent}" in err
        assert "OperationalError" not in err and "sqlite3" not in err

    def test_unreadable_data_names_the_store_and_file(self, tmp_path: Path) -> None:
        """Stored data that cannot be read back: the store, the file and the operation."""
        path = tmp_path / "bank.sqlite"
        at = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
        with SQLiteDatabase(path) as database:
            credit = LedgerTransfer(
                transfer_id="c-1", kind="credit", legs=((ISSUER, -60), ("V1", 60)), at=at
            )
            post_transfers(SQLiteLedgerStore(database), [credit])
        raw = sqlite3.connect(path)
        raw.create_function("vr_checksum", -1, row_checksum, deterministic=True)
        with raw:  # checksums made right again: the read gets as far as the value
            raw.execute("UPDATE ledger_entries SET at = 'not a time' WHERE kind IS NOT NULL")
            raw.execute(f"UPDATE ledger_entries SET checksum = vr_checksum({_ENTRY_COLUMN_LIST})")
        raw.close()
        with SQLiteDatabase(path) as database, pytest.raises(StorageError) as raised:
            SQLiteLedgerStore(database).postings()
        assert isinstance(raised.value.__cause__, ValueError)
        assert str(raised.value) == (
            f"the ledger store in {path} (postings): the stored data cannot be read back"
            " (Invalid isoformat string: 'not a time'); run volunteer-rules db check"
        )

    def test_unreadable_stored_record(self) -> None:
        """A stored payload that no longer parses raises StorageError, not a parse error."""
        with SQLiteDatabase() as database:
            store = SQLiteRecordStore(database)
            store.add([make_record("r-1")])
            with database.transaction("t") as conn:
                conn.execute("UPDATE records SET payload = '{\"format_version\": 9}'")
                # the checksum made right again: the read gets as far as parsing the payload
                conn.execute(f"UPDATE records SET checksum = vr_checksum({_RECORD_COLUMN_LIST})")
            with pytest.raises(StorageError) as raised:
                store.get(make_record("r-1").organization_id, "r-1")
            assert not isinstance(raised.value, NotFoundError)
            assert raised.value.__cause__ is not None


class TestHugeNumbers:
    def test_integer_beyond_64_bits_is_bad_input(self) -> None:
        """A version SQLite cannot store raises InvalidValueError; nothing is written."""
        import attrs

        from volunteer_rules.errors import InvalidValueError
        from volunteer_rules.timebank.ledger import Ledger

        (posted,) = Ledger().post_many([credit("c-1", "V1", 60)]).postings()
        huge = attrs.evolve(
            posted, entries=tuple(e._replace(version=2**64) for e in posted.entries)
        )
        with SQLiteDatabase() as database:
            store = SQLiteLedgerStore(database)
            with pytest.raises(InvalidValueError) as raised:
                store.append([huge])
            assert isinstance(raised.value.__cause__, OverflowError)
            assert store.transfer_count() == 0
            assert store.postings(start=2**70) == ()


class TestThreads:
    def test_threads_share_one_database(self) -> None:
        """Threads posting through one database with retries leave a sound ledger."""
        database = SQLiteDatabase()
        store = SQLiteLedgerStore(database)
        errors: list[BaseException] = []

        def work(worker: int) -> None:
            try:
                for i in range(10):
                    post_transfers(
                        store, [credit(f"c-{worker}-{i}", f"V{worker}", 10)], attempts=50
                    )
            except BaseException as error:  # pragma: no cover - reported below
                errors.append(error)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert store.transfer_count() == 40
        assert check_ledger(store.postings()) == ()
        assert all(store.balance(f"V{n}").minutes == 100 for n in range(4))
        database.close()
