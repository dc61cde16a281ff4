"""Table seals: a row deleted or added behind the stores' back is found, on SQLite and PostgreSQL.

Row checksums cannot show a missing row; each table's seal (its row count and a digest of the
rows' checksums, kept in the same transaction as every write) can. These tests change the
database with raw SQL, never through the stores.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from _postgresql import postgresql, postgresql_schemas  # noqa: F401 (fixtures)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from volunteer_rules.cli import main
from volunteer_rules.errors import NotFoundError, StorageError
from volunteer_rules.records.record import dump_record
from volunteer_rules.storage import (
    SQLiteDatabase,
    SQLiteLedgerStore,
    SQLiteRecordStore,
    SQLiteTransferStore,
)
from volunteer_rules.storage.services import post_transfers
from volunteer_rules.storage.sqlite_schema import _CHECKED_TABLES, row_checksum
from volunteer_rules.testing.contracts import make_package, make_record
from volunteer_rules.timebank.ledger import ISSUER, REDEEMED, LedgerTransfer

T0 = dt.datetime(2024, 5, 1, 9, 0, tzinfo=dt.UTC)
TABLES = ("records", "packages", "package_events", "ledger_entries")
_COLUMNS = {table: columns for table, columns, _ in _CHECKED_TABLES}

# one row of each table copied under a new key, its checksum made right: a row that passes
# every row check, so that only the seal can tell it was added
_COPIES = {
    "records": "record_id = record_id || '-copy'",
    "packages": "package_id = package_id || '-copy', stored_order = stored_order + 1000",
    "package_events": "sequence = sequence + 1000",
    "ledger_entries": "sequence = sequence + 1000, version = version + 1000,"
    " transfer_id = transfer_id || '-copy', position = position + 1000",
}


def _transfers() -> list[LedgerTransfer]:
    credits = [
        LedgerTransfer(
            transfer_id=f"c-{n}",
            kind="credit",
            legs=((ISSUER, -60 - n), (f"V{n % 3}", 60 + n)),
            at=T0 + dt.timedelta(minutes=n),
            record_key=("G-seal", f"r-{n}"),
        )
        for n in range(6)
    ]
    redemptions = [
        LedgerTransfer(
            transfer_id=f"x-{n}",
            kind="redeem",
            legs=((f"V{n % 3}", -30), (REDEEMED, 30)),
            at=T0 + dt.timedelta(hours=1),
        )
        for n in range(3)
    ]
    return credits + redemptions


_ORG = make_record().organization_id
"""The organization of the filled file's records."""


def _fill(records: Any, packages: Any, ledger: Any) -> None:
    records.add([make_record(f"r-{n}", volunteer_id=f"V{n % 3}") for n in range(5)])
    for n in range(2):
        package = make_package(f"V000000{n + 1}")
        packages.add_package(package, at=T0)
        packages.change_state(package.digest, expected="initiated", new="accepted", at=T0)
    post_transfers(ledger, _transfers())


def _fill_file(path: Path) -> None:
    with SQLiteDatabase(path) as database:
        _fill(
            SQLiteRecordStore(database), SQLiteTransferStore(database), SQLiteLedgerStore(database)
        )
        assert database.check() == ()


def _raw(path: Path, *statements: str) -> None:
    """Run statements on the file with plain sqlite3, as another program would."""
    connection = sqlite3.connect(path)
    connection.create_function("vr_checksum", -1, row_checksum, deterministic=True)
    try:
        with connection:
            for statement in statements:
                connection.execute(statement)
    finally:
        connection.close()


_SIZES = {"records": 5, "packages": 2, "package_events": 4, "ledger_entries": 18}
"""How many rows each table of the filled file holds."""

_KEYS = {
    "records": "organization_id, record_id",
    "packages": "package_id",
    "package_events": "package_id, sequence",
    "ledger_entries": "sequence",
}


def _delete_one(table: str, index: int) -> str:
    key = _KEYS[table]
    return (
        f"DELETE FROM {table} WHERE ({key}) IN"
        f" (SELECT {key} FROM {table} ORDER BY {key} LIMIT 1 OFFSET {index})"
    )


def _copy_one(table: str, index: int) -> tuple[str, ...]:
    return (
        f"CREATE TEMP TABLE extra AS SELECT * FROM {table} LIMIT 1 OFFSET {index}",
        f"UPDATE extra SET {_COPIES[table]}",
        f"UPDATE extra SET checksum = vr_checksum({_COLUMNS[table]})",
        f"INSERT INTO {table} SELECT * FROM extra",
    )


@pytest.fixture(scope="module")
def template() -> Iterator[Path]:
    """A filled, sound file, copied by each test that changes one."""
    folder = Path(tempfile.mkdtemp(prefix="vr-seals-"))
    path = folder / "template.sqlite"
    _fill_file(path)
    connection = sqlite3.connect(path)
    for table, size in _SIZES.items():
        assert connection.execute(f"SELECT count(*) FROM {table}").fetchone() == (size,)
    connection.close()
    yield path
    shutil.rmtree(folder, ignore_errors=True)


def _copy_of(template: Path, folder: Path) -> Path:
    path = folder / "bank.sqlite"
    shutil.copyfile(template, path)
    return path


@pytest.mark.parametrize("table", TABLES)
def test_a_deleted_row_is_damage_that_db_check_names(
    table: str, template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _copy_of(template, tmp_path)
    _raw(path, _delete_one(table, 1))
    with SQLiteDatabase(path) as database:
        problems = database.check()
    assert any(
        problem.startswith(f"{table}: it holds") and "its seal says" in problem
        for problem in problems
    ), problems
    capsys.readouterr()
    assert main(["db", "check", str(path)]) == 1
    out, err = capsys.readouterr()
    assert f"{table}: it holds" in out
    assert "Traceback" not in out + err


def test_a_ledger_emptied_completely_is_damage(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _copy_of(template, tmp_path)
    _raw(path, "DELETE FROM ledger_entries")
    with SQLiteDatabase(path) as database:
        ledger = SQLiteLedgerStore(database)
        for read in (ledger.balances, ledger.postings):
            with pytest.raises(StorageError, match=r"ledger_entries: .*its seal says \d+"):
                read()
        assert "ledger_entries: it holds 0 rows, its seal says 18:" in database.check()[-1]
    records = tmp_path / "records.jsonl"
    records.write_text(json.dumps(dump_record(make_record("r-new", volunteer_id="V1"))) + "\n")
    capsys.readouterr()
    credit = ["ledger", "credit", str(records), "--policy", "generic", "--as-of", "2026-06-30"]
    assert main([*credit, "--db", str(path)]) != 0
    out, err = capsys.readouterr()
    assert "its seal says" in err
    assert "Traceback" not in out + err


def test_whole_table_reads_refuse_a_table_that_breaks_its_seal(
    template: Path, tmp_path: Path
) -> None:
    path = _copy_of(template, tmp_path)
    _raw(path, _delete_one("records", 0), _delete_one("packages", 0))
    with SQLiteDatabase(path) as database:
        with pytest.raises(StorageError, match="records: the stored table is damaged"):
            SQLiteRecordStore(database).find()
        with pytest.raises(StorageError, match="packages: the stored table is damaged"):
            SQLiteTransferStore(database).package_ids()
        assert SQLiteRecordStore(database).find(volunteer_id="V1")  # a filtered read: as before


def test_a_changed_transfer_id_is_damage_not_an_unknown_id(template: Path, tmp_path: Path) -> None:
    path = _copy_of(template, tmp_path)
    _raw(path, "UPDATE ledger_entries SET transfer_id = 'c-other' WHERE transfer_id = 'c-2'")
    with SQLiteDatabase(path) as database:
        ledger = SQLiteLedgerStore(database)
        with pytest.raises(StorageError, match="ledger_entries: the stored ledger entry"):
            ledger.get_transfer("c-2")
    _fill_file(tmp_path / "sound.sqlite")
    with (
        SQLiteDatabase(tmp_path / "sound.sqlite") as database,
        pytest.raises(NotFoundError),  # a sound file: an unknown id is still unknown
    ):
        SQLiteLedgerStore(database).get_transfer("c-other")


def test_a_deleted_record_or_package_is_damage_not_an_unknown_key(
    template: Path, tmp_path: Path
) -> None:
    """A key not found in a table that does not match its seal is damage, naming the table."""
    path = _copy_of(template, tmp_path)
    with SQLiteDatabase(path) as database:
        package_id = SQLiteTransferStore(database).package_ids()[0]
    _raw(
        path,
        "DELETE FROM records WHERE record_id = 'r-1'",
        "ALTER TABLE package_events RENAME TO old_events",  # no row refers to the package now
        f"DELETE FROM packages WHERE package_id = '{package_id}'",
        "ALTER TABLE old_events RENAME TO package_events",
    )
    with SQLiteDatabase(path) as database:
        with pytest.raises(StorageError, match="records: the stored table is damaged") as error:
            SQLiteRecordStore(database).get(_ORG, "r-1")
        assert not isinstance(error.value, NotFoundError)
        transfers = SQLiteTransferStore(database)
        for read in (transfers.get_package, transfers.state):
            with pytest.raises(
                StorageError, match="packages: the stored table is damaged"
            ) as error:
                read(package_id)
            assert not isinstance(error.value, NotFoundError)
        assert SQLiteRecordStore(database).get(_ORG, "r-2").record_id == "r-2"  # a hit: as before
    with SQLiteDatabase(template) as database:  # a sound file: an unknown key is still unknown
        with pytest.raises(NotFoundError):
            SQLiteRecordStore(database).get(_ORG, "r-9")
        with pytest.raises(NotFoundError):
            SQLiteTransferStore(database).get_package("0" * 64)


def test_a_transfer_whose_first_row_lost_its_mark_is_damage_not_an_unknown_id(
    template: Path, tmp_path: Path
) -> None:
    """A first row whose ``kind`` was cleared hides from the scan of first rows: still damage."""
    path = _copy_of(template, tmp_path)
    _raw(
        path, "UPDATE ledger_entries SET kind = NULL WHERE transfer_id = 'c-2' AND kind IS NOT NULL"
    )
    with SQLiteDatabase(path) as database:
        with pytest.raises(
            StorageError, match="ledger_entries: the stored ledger is damaged"
        ) as error:
            SQLiteLedgerStore(database).get_transfer("c-2")
        assert not isinstance(error.value, NotFoundError)
        assert "it holds 9 transfers and 8 first rows of transfers" in str(error.value)


def _first_package(path: Path) -> str:
    with SQLiteDatabase(path) as database:
        return SQLiteTransferStore(database).package_ids()[0]


_HISTORY_DAMAGE = {
    # the last event deleted: the history would be one event short, its state not the package's
    "last event deleted": "DELETE FROM package_events WHERE package_id = '{id}' AND sequence = 2",
    # every event deleted: the history would be "not found" for a package that is there
    "all events deleted": "DELETE FROM package_events WHERE package_id = '{id}'",
    # an event added, its checksum made right: the history would be one event long
    "event added": "INSERT INTO package_events SELECT package_id, 3, state, at, reason,"
    " vr_checksum(package_id, 3, state, at, reason) FROM package_events"
    " WHERE package_id = '{id}' AND sequence = 2",
}


@pytest.mark.parametrize("damage", list(_HISTORY_DAMAGE))
def test_a_history_that_lost_or_gained_events_is_damage(
    template: Path, tmp_path: Path, damage: str
) -> None:
    """A package's history is checked against its row, which counts its events."""
    path = _copy_of(template, tmp_path)
    package_id = _first_package(path)
    _raw(path, _HISTORY_DAMAGE[damage].format(id=package_id))
    with SQLiteDatabase(path) as database:
        transfers = SQLiteTransferStore(database)
        with pytest.raises(StorageError) as error:
            transfers.history(package_id)
        assert not isinstance(error.value, NotFoundError)
        assert f"package_events: the stored history of transfer package {package_id}" in str(
            error.value
        )
        assert len(transfers.history(transfers.package_ids()[1])) == 2  # the other: as before


def test_a_deleted_package_with_events_left_is_damage_in_every_read(
    template: Path, tmp_path: Path
) -> None:
    """History and state changes of a package whose row was deleted are damage, not unknown."""
    path = _copy_of(template, tmp_path)
    package_id = _first_package(path)
    _raw(path, f"DELETE FROM packages WHERE package_id = '{package_id}'")
    before = _dump(path)
    with SQLiteDatabase(path) as database:
        transfers = SQLiteTransferStore(database)
        with pytest.raises(StorageError, match=r"the package.s own row is missing") as e:
            transfers.history(package_id)
        assert not isinstance(e.value, NotFoundError)
        with pytest.raises(StorageError, match="packages: the stored table is damaged") as e:
            transfers.change_state(package_id, expected="accepted", new="cancelled", at=T0)
        assert not isinstance(e.value, NotFoundError)
    assert _dump(path) == before
    with SQLiteDatabase(template) as database:  # a sound file: an unknown id is still unknown
        sound = SQLiteTransferStore(database)
        with pytest.raises(NotFoundError):
            sound.history("0" * 64)
        with pytest.raises(NotFoundError):
            sound.change_state("0" * 64, expected="accepted", new="cancelled", at=T0)


def _dump(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def test_records_added_again_in_part_keep_the_seal(tmp_path: Path) -> None:
    """A batch some of whose records are held already adds only the new ones to the seal."""
    with SQLiteDatabase(tmp_path / "bank.sqlite") as database:
        records = SQLiteRecordStore(database)
        first = [make_record(f"r-{n}") for n in range(3)]
        assert records.add(first) == 3
        assert records.add([*first, make_record("r-3"), first[0]]) == 1
        assert records.add(first) == 0
        assert database.check() == ()
        assert len(records.find()) == 4


def _make_older(path: Path) -> None:
    """Make a file as the library left it at schema version 4: no seals, no amends index."""
    _raw(
        path,
        "DROP TABLE seals",
        "DROP INDEX records_amends",
        "DELETE FROM schema_version WHERE version >= 5",
    )


def test_a_file_of_an_older_version_is_sealed_as_found_and_db_check_says_so(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _copy_of(template, tmp_path)
    _make_older(path)
    _raw(path, _delete_one("records", 0))  # lost before the upgrade: cannot be seen
    with SQLiteDatabase(path) as database:  # opened for writing: brought up to date
        assert database.check() == ()
        (note,) = database.notes()
        assert "sealed from the rows found" in note
        assert SQLiteRecordStore(database).count() == 4
    capsys.readouterr()
    assert main(["db", "check", str(path)]) == 0
    out, _ = capsys.readouterr()
    assert out.splitlines()[0] == "ok"
    assert "note:" in out and "sealed from the rows found" in out
    _raw(path, _delete_one("records", 0))  # lost after the upgrade: found
    with SQLiteDatabase(path) as database:
        assert any("records: it holds 3 rows" in p for p in database.check())


def test_a_new_file_has_no_note(tmp_path: Path) -> None:
    with SQLiteDatabase(tmp_path / "new.sqlite") as database:
        assert database.notes() == ()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(table=st.sampled_from(TABLES), data=st.data(), insert=st.booleans())
def test_any_single_row_deleted_or_added_is_found_by_db_check(
    template: Path, table: str, data: st.DataObject, insert: bool
) -> None:
    """Property: one row deleted, or one added that passes every row check, breaks the seal."""
    index = data.draw(st.integers(min_value=0, max_value=_SIZES[table] - 1), label="row")
    with tempfile.TemporaryDirectory() as folder:
        path = _copy_of(template, Path(folder))
        _raw(path, *(_copy_one(table, index) if insert else (_delete_one(table, index),)))
        with SQLiteDatabase(path, migrate=False) as database:
            problems = database.check()
        assert any(p.startswith(f"{table}: it holds") for p in problems), problems


def test_stores_keep_the_seals_as_they_write(tmp_path: Path) -> None:
    """A sound history of writes (adds, state changes, appends) never breaks a seal."""
    with SQLiteDatabase(tmp_path / "bank.sqlite") as database:
        records, packages = SQLiteRecordStore(database), SQLiteTransferStore(database)
        ledger = SQLiteLedgerStore(database)
        _fill(records, packages, ledger)
        package = make_package("V0000009")
        packages.add_package(package, at=T0)
        for before, after in (("initiated", "accepted"), ("accepted", "archived")):
            packages.change_state(package.digest, expected=before, new=after, at=T0)
        post_transfers(ledger, _transfers())  # all held already: nothing new
        assert database.check() == ()
        with database.reading("seals") as connection:
            sealed = dict(connection.execute("SELECT name, row_count FROM seals").fetchall())
        assert sealed == {
            "records": 5,
            "packages": 3,
            "package_events": 7,
            "ledger_entries": 18,
        }


# PostgreSQL: the same rule, on a real server


@pytest.fixture
def pg_database(postgresql_schemas: Callable[[], str]) -> Iterator[tuple[Any, str]]:  # noqa: F811
    from volunteer_rules.storage import postgresql as pg

    dsn = postgresql_schemas()
    database = pg.PostgreSQLDatabase(dsn)
    _fill(
        pg.PostgreSQLRecordStore(database),
        pg.PostgreSQLTransferStore(database),
        pg.PostgreSQLLedgerStore(database),
    )
    yield database, dsn
    database.close()


def _pg_raw(dsn: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(statement)


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ("records", "record_id = 'r-1'"),
        ("packages", "stored_order = (SELECT max(stored_order) FROM packages)"),
        ("package_events", "sequence = 2"),
        ("ledger_entries", "sequence = 3"),
    ],
)
def test_postgresql_a_deleted_row_is_damage_that_check_names(
    pg_database: tuple[Any, str], table: str, key: str
) -> None:
    database, dsn = pg_database
    assert database.check() == ()
    assert database.notes() == ()
    if table == "packages":  # its events go with it (they refer to it)
        _pg_raw(dsn, "ALTER TABLE package_events DROP CONSTRAINT package_events_package_id_fkey")
    _pg_raw(dsn, f"DELETE FROM {table} WHERE ctid = (SELECT ctid FROM {table} WHERE {key} LIMIT 1)")
    problems = database.check()
    assert any(p.startswith(f"{table}: it holds") for p in problems), problems


def test_postgresql_a_ledger_emptied_is_damage(
    pg_database: tuple[Any, str], capsys: pytest.CaptureFixture[str]
) -> None:
    from volunteer_rules.storage import postgresql as pg

    database, dsn = pg_database
    _pg_raw(dsn, "DELETE FROM ledger_entries")
    with pytest.raises(StorageError, match="ledger_entries: the stored table is damaged"):
        pg.PostgreSQLLedgerStore(database).balances()
    capsys.readouterr()
    assert main(["db", "check", dsn]) == 1
    out, err = capsys.readouterr()
    assert "ledger_entries: it holds 0 rows, its seal says 18" in out
    assert "Traceback" not in out + err


def test_postgresql_a_changed_transfer_id_is_damage(pg_database: tuple[Any, str]) -> None:
    from volunteer_rules.storage import postgresql as pg

    database, dsn = pg_database
    _pg_raw(dsn, "UPDATE ledger_entries SET transfer_id = 'c-other' WHERE transfer_id = 'c-2'")
    with pytest.raises(StorageError, match="ledger_entries: the stored ledger entry"):
        pg.PostgreSQLLedgerStore(database).get_transfer("c-2")


def test_postgresql_a_deleted_record_or_package_is_damage(pg_database: tuple[Any, str]) -> None:
    from volunteer_rules.storage import postgresql as pg

    database, dsn = pg_database
    records, transfers = pg.PostgreSQLRecordStore(database), pg.PostgreSQLTransferStore(database)
    package_id = transfers.package_ids()[0]
    with pytest.raises(NotFoundError):  # sound: an unknown key is unknown
        records.get(_ORG, "r-9")
    with pytest.raises(NotFoundError):
        transfers.get_package("0" * 64)
    _pg_raw(dsn, "ALTER TABLE package_events DROP CONSTRAINT package_events_package_id_fkey")
    _pg_raw(dsn, "DELETE FROM records WHERE record_id = 'r-1'")
    _pg_raw(dsn, f"DELETE FROM packages WHERE package_id = '{package_id}'")
    with pytest.raises(StorageError, match="records: the stored table is damaged") as error:
        records.get(_ORG, "r-1")
    assert not isinstance(error.value, NotFoundError)
    with pytest.raises(StorageError, match="packages: the stored table is damaged") as error:
        transfers.get_package(package_id)
    assert not isinstance(error.value, NotFoundError)


def test_postgresql_a_transfer_whose_first_row_lost_its_mark_is_damage(
    pg_database: tuple[Any, str],
) -> None:
    from volunteer_rules.storage import postgresql as pg

    database, dsn = pg_database
    _pg_raw(
        dsn, "UPDATE ledger_entries SET kind = NULL WHERE transfer_id = 'c-2' AND kind IS NOT NULL"
    )
    with pytest.raises(StorageError, match="ledger_entries: the stored ledger is damaged") as error:
        pg.PostgreSQLLedgerStore(database).get_transfer("c-2")
    assert not isinstance(error.value, NotFoundError)


@pytest.mark.parametrize("damage", list(_HISTORY_DAMAGE))
def test_postgresql_a_history_that_lost_or_gained_events_is_damage(
    pg_database: tuple[Any, str], damage: str
) -> None:
    from volunteer_rules.storage import postgresql as pg
    from volunteer_rules.storage.sqlite_schema import _tuple_checksum

    database, dsn = pg_database
    transfers = pg.PostgreSQLTransferStore(database)
    package_id = transfers.package_ids()[0]
    if damage == "event added":  # no vr_checksum function on the server: made here
        history = transfers.history(package_id)
        row = (package_id, 3, history[-1].state, history[-1].at.isoformat(), "")
        _pg_raw(
            dsn,
            "INSERT INTO package_events VALUES"
            f" ('{package_id}', 3, '{row[2]}', '{row[3]}', '', {_tuple_checksum(row)})",
        )
    else:
        _pg_raw(dsn, _HISTORY_DAMAGE[damage].format(id=package_id))
    with pytest.raises(StorageError, match="package_events: the stored history") as error:
        transfers.history(package_id)
    assert not isinstance(error.value, NotFoundError)
    with pytest.raises(NotFoundError):  # an unknown id is still unknown
        transfers.change_state("0" * 64, expected="accepted", new="cancelled", at=T0)


# the community registries: checksums on their rows, seals on their tables


def _community_file(path: Path) -> None:
    from volunteer_rules.storage.community_sqlite import (
        SQLiteAttendanceStore,
        SQLiteOrganizationStore,
    )
    from volunteer_rules.testing.community_examples import (
        sample_attendance_events,
        sample_organizations,
    )

    with SQLiteDatabase(path) as database:
        SQLiteOrganizationStore(database).add(sample_organizations())
        SQLiteAttendanceStore(database).append(sample_attendance_events())
        assert database.check() == ()  # the community tables are the library's own schema


def test_a_changed_community_row_is_damage_naming_file_table_and_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from volunteer_rules.storage.community_sqlite import (
        SQLiteAttendanceStore,
        SQLiteOrganizationStore,
    )

    path = tmp_path / "bank.sqlite"
    _community_file(path)
    _raw(
        path,
        "UPDATE community_entries SET payload = replace(payload, '幸福', '不幸')"
        " WHERE key = 'G-xingfu-team'",
        "UPDATE community_events SET volunteer_id = 'V9' WHERE event_id = 'a2'",
    )
    with SQLiteDatabase(path) as database:
        organizations = SQLiteOrganizationStore(database)
        with pytest.raises(StorageError) as raised:
            organizations.get("G-xingfu-team")
        message = str(raised.value)
        assert str(path) in message
        assert "community_entries: the stored organizations entry G-xingfu-team" in message
        with pytest.raises(StorageError, match="community_entries"):
            organizations.find()
        assert organizations.get("52211103MJ00000421")  # a sound row reads as before
        with pytest.raises(StorageError, match="community_events: the stored attendance event a2"):
            SQLiteAttendanceStore(database).get("a2")
        problems = database.check()
    assert "community_entries: organizations G-xingfu-team v1: checksum mismatch" in problems
    assert "community_events: a2: checksum mismatch" in problems
    capsys.readouterr()
    assert main(["db", "check", str(path)]) == 1
    out, err = capsys.readouterr()
    assert "community_events: a2: checksum mismatch" in out
    assert "Traceback" not in out + err


@pytest.mark.parametrize(
    ("statement", "said"),
    [
        (
            "DELETE FROM community_entries WHERE key = 'G-xingfu-team'",
            "community_entries: it holds",
        ),
        ("DELETE FROM community_events WHERE event_id = 'a3'", "community_events: it holds"),
        (
            "DELETE FROM community_tags WHERE (kind, key, tag, value) IN"
            " (SELECT kind, key, tag, value FROM community_tags LIMIT 1)",
            "",
        ),
    ],
)
def test_a_deleted_community_row_is_found_by_db_check(
    tmp_path: Path, statement: str, said: str
) -> None:
    path = tmp_path / "bank.sqlite"
    _community_file(path)
    _raw(path, statement)
    with SQLiteDatabase(path) as database:
        problems = database.check()
    wanted = said or "community_tags: 1 rows differ from the entries' filters"
    assert any(problem.startswith(wanted) for problem in problems), problems


def test_a_deleted_community_entry_or_event_is_damage_not_an_unknown_id(tmp_path: Path) -> None:
    """``get`` of an id no row has compares the table with its seal, as the record store does."""
    from volunteer_rules.storage.community_sqlite import (
        SQLiteAttendanceStore,
        SQLiteOrganizationStore,
    )

    sound, path = tmp_path / "sound.sqlite", tmp_path / "bank.sqlite"
    _community_file(sound)
    _community_file(path)
    _raw(
        path,
        "DELETE FROM community_entries WHERE key = 'G-xingfu-team'",
        "DELETE FROM community_events WHERE event_id = 'a3'",
    )
    with SQLiteDatabase(path) as database:
        with pytest.raises(StorageError, match="community_entries: the stored table") as e:
            SQLiteOrganizationStore(database).get("G-xingfu-team")
        assert not isinstance(e.value, NotFoundError)
        with pytest.raises(StorageError, match="community_events: the stored table") as e:
            SQLiteAttendanceStore(database).get("a3")
        assert not isinstance(e.value, NotFoundError)
    with SQLiteDatabase(sound) as database:  # a sound file: an unknown id is still unknown
        with pytest.raises(NotFoundError):
            SQLiteOrganizationStore(database).get("G-nobody")
        with pytest.raises(NotFoundError):
            SQLiteAttendanceStore(database).get("a-none")


def test_attendance_read_whole_refuses_a_table_that_breaks_its_seal(tmp_path: Path) -> None:
    from volunteer_rules.storage.community_sqlite import SQLiteAttendanceStore

    path = tmp_path / "bank.sqlite"
    _community_file(path)
    _raw(path, "DELETE FROM community_events WHERE event_id = 'a3'")
    with SQLiteDatabase(path) as database:
        store = SQLiteAttendanceStore(database)
        with pytest.raises(StorageError, match="community_events: the stored table is damaged"):
            store.events()
        assert len(store.events(volunteer_id="V2")) == 2  # a filtered read: as before


def test_community_tables_of_an_older_version_get_checksums_and_seals(tmp_path: Path) -> None:
    from volunteer_rules.storage.community_sqlite import SQLiteOrganizationStore

    path = tmp_path / "bank.sqlite"
    _community_file(path)
    _make_older(path)
    _raw(  # as the previous version left them: no checksums
        path,
        "ALTER TABLE community_entries DROP COLUMN checksum",
        "ALTER TABLE community_events DROP COLUMN checksum",
    )
    with SQLiteDatabase(path) as database:  # opened for writing: brought up to date
        assert database.check() == ()
        (note,) = database.notes()
        assert "community_entries" in note and "records" in note
        assert len(SQLiteOrganizationStore(database).find()) == 3
    _raw(path, "UPDATE community_entries SET payload = payload || ' ' WHERE version = 1")
    with SQLiteDatabase(path) as database:
        assert any("checksum mismatch" in problem for problem in database.check())
