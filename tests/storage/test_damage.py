"""Damage is detected: random bytes flipped in a real database file never go unnoticed."""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from volunteer_rules.cli import main
from volunteer_rules.errors import (
    ConflictError,
    InvalidValueError,
    StorageError,
    VolunteerRulesError,
)
from volunteer_rules.records.record import dump_record
from volunteer_rules.records.region import RegionCode
from volunteer_rules.storage import (
    SQLiteDatabase,
    SQLiteLedgerStore,
    SQLiteRecordStore,
    SQLiteTransferStore,
)
from volunteer_rules.storage.services import post_transfers
from volunteer_rules.storage.sqlite_schema import _CHECKED_TABLES, _ENTRY_COLUMN_LIST, row_checksum
from volunteer_rules.testing.contracts import make_package, make_record
from volunteer_rules.timebank.ledger import ISSUER, REDEEMED, LedgerTransfer

UTC = dt.UTC
T0 = dt.datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
FLIPS = 300


def _fill(path: Path) -> None:
    with SQLiteDatabase(path) as database:
        records = SQLiteRecordStore(database)
        records.add([make_record(f"r-{n}", volunteer_id=f"V{n % 3}") for n in range(12)])
        transfers = SQLiteTransferStore(database)
        for n in range(2):
            package = make_package(f"V000000{n + 1}")
            transfers.add_package(package, at=T0)
            transfers.change_state(package.digest, expected="initiated", new="accepted", at=T0)
        ledger = SQLiteLedgerStore(database)
        credits = [
            LedgerTransfer(
                transfer_id=f"c-{n}",
                kind="credit",
                legs=((ISSUER, -60 - n), (f"V{n % 4}", 60 + n)),
                at=T0 + dt.timedelta(minutes=n),
                record_key=("G-damage", f"r-{n}"),
            )
            for n in range(20)
        ]
        redemptions = [
            LedgerTransfer(
                transfer_id=f"x-{n}",
                kind="redeem",
                legs=((f"V{n % 4}", -30), (REDEEMED, 30)),
                at=T0 + dt.timedelta(hours=1),
                details=(("service", "meals"),),
            )
            for n in range(8)
        ]
        post_transfers(ledger, credits + redemptions)
        assert database.check() == ()


def _dump(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def _read_everything(database: SQLiteDatabase) -> None:
    """Every read path of every store (each may raise only a library error)."""
    records = SQLiteRecordStore(database)
    records.count()
    found = records.find()
    records.find(volunteer_id="V1", region=RegionCode.parse("211100"))
    for record in found[:3]:
        records.get(record.organization_id, record.record_id)
    transfers = SQLiteTransferStore(database)
    for package_id in transfers.package_ids():
        transfers.get_package(package_id)
        transfers.history(package_id)
        transfers.state(package_id)
    transfers.package_ids(state="accepted", volunteer_id="V0000001")
    ledger = SQLiteLedgerStore(database)
    ledger.transfer_count()
    ledger.postings()
    ledger.transfers(start=5)
    ledger.entries("V1", since=T0)
    ledger.balances()
    ledger.balance("V2")
    ledger.version("V3")
    ledger.get_transfer("c-3")


def _outcome(path: Path) -> tuple[str, tuple[str, ...]]:
    """Open, check and read a file: ("error", ...), ("damaged", problems) or ("sound", ())."""
    try:
        with SQLiteDatabase(path, migrate=False) as database:
            problems = database.check()
            try:
                _read_everything(database)
            except VolunteerRulesError as error:
                if not problems:
                    return "error", (str(error),)
    except VolunteerRulesError as error:
        return "error", (str(error),)
    return ("damaged", problems) if problems else ("sound", ())


def test_random_byte_flips_are_always_noticed(tmp_path: Path) -> None:
    pristine_path = tmp_path / "pristine.sqlite"
    _fill(pristine_path)
    pristine = pristine_path.read_bytes()
    expected = _dump(pristine_path)
    rng = random.Random(20240501)
    path = tmp_path / "flipped.sqlite"
    seen: dict[str, int] = {"error": 0, "damaged": 0, "sound": 0}
    for _ in range(FLIPS):
        data = bytearray(pristine)
        offset = rng.randrange(len(data))
        data[offset] ^= rng.randrange(1, 256)
        for leftover in (tmp_path / "flipped.sqlite-wal", tmp_path / "flipped.sqlite-shm"):
            leftover.unlink(missing_ok=True)
        path.write_bytes(bytes(data))
        kind, _ = _outcome(path)  # any exception but a library error fails the test here
        seen[kind] += 1
        if kind == "sound":
            # nothing noticed: then nothing of the data may have changed
            assert _dump(path) == expected, f"undetected damage at byte {offset}"
    assert seen["error"] + seen["damaged"] > FLIPS // 20, seen  # the flips did hit the data


def test_a_changed_value_is_a_checksum_mismatch(tmp_path: Path) -> None:
    path = tmp_path / "bank.sqlite"
    _fill(path)
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE ledger_entries SET minutes = minutes + 1 WHERE sequence = 3")
        raw.execute("UPDATE records SET volunteer_id = 'V9' WHERE record_id = 'r-2'")
    raw.close()
    with SQLiteDatabase(path) as database:
        problems = database.check()
    assert any("ledger_entries: entry 3: checksum mismatch" in p for p in problems)
    assert any("records:" in p and "r-2: checksum mismatch" in p for p in problems)
    assert main(["db", "check", str(path)]) == 1


def test_undecodable_text_is_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "bank.sqlite"
    _fill(path)
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE ledger_entries SET at = 'not a time' WHERE kind IS NOT NULL")
        raw.execute("UPDATE records SET payload = '{' WHERE record_id = 'r-1'")
    raw.close()
    calls: list[Callable[[SQLiteDatabase], object]] = [
        lambda db: SQLiteLedgerStore(db).postings(),
        lambda db: SQLiteLedgerStore(db).entries(),
        lambda db: SQLiteLedgerStore(db).get_transfer("c-1"),
        lambda db: SQLiteRecordStore(db).find(),
    ]
    with SQLiteDatabase(path) as database:
        for call in calls:
            with pytest.raises(StorageError):
                call(database)
        assert database.check()


DEEP = "[" * 100_000
"""JSON nested far deeper than Python can read (``json.loads`` raises ``RecursionError``)."""


def _raw_package_ids(database: SQLiteDatabase) -> list[str]:
    with database.reading("listing package ids") as connection:
        return [row[0] for row in connection.execute("SELECT package_id FROM packages")]


@pytest.mark.parametrize(
    ("statement", "reads"),
    [
        (
            f"UPDATE records SET payload = '{DEEP}'",
            [
                lambda db: SQLiteRecordStore(db).find(),
                lambda db: SQLiteRecordStore(db).get(*make_record("r-1").key),
            ],
        ),
        (
            f"UPDATE ledger_entries SET details = '{DEEP}' WHERE kind IS NOT NULL",
            [
                lambda db: SQLiteLedgerStore(db).postings(),
                lambda db: SQLiteLedgerStore(db).get_transfer("x-1"),
            ],
        ),
        (
            f"UPDATE packages SET payload = '{DEEP}'",
            [
                lambda db: [  # ids read raw: package_ids() refuses the table by its seal
                    SQLiteTransferStore(db).get_package(p) for p in _raw_package_ids(db)
                ]
            ],
        ),
    ],
    ids=["record payload", "ledger details", "package payload"],
)
def test_json_nested_too_deep_is_a_damaged_row(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    statement: str,
    reads: list[Callable[[SQLiteDatabase], object]],
) -> None:
    """A stored value nested too deep to read is the storage's error for a damaged row on
    every read path and every command (never a RecursionError), as db check reports it.

    The checksums are made right again after the change, so that the reads get as far as
    reading the value back (a row that does not match its checksum is refused before).
    """
    path = tmp_path / "bank.sqlite"
    _fill(path)
    raw = sqlite3.connect(path)
    raw.create_function("vr_checksum", -1, row_checksum, deterministic=True)
    with raw:
        raw.execute(statement)
        for table, columns, _ in _CHECKED_TABLES:
            raw.execute(f"UPDATE {table} SET checksum = vr_checksum({columns})")
    raw.close()
    with SQLiteDatabase(path) as database:
        for read in reads:
            with pytest.raises(StorageError, match="cannot be read back"):
                read(database)
        assert database.check()
    records = tmp_path / "good.jsonl"
    records.write_text(json.dumps(dump_record(make_record("r-new", volunteer_id="V1"))) + "\n")
    assert main(["db", "check", str(path)]) == 1
    assert main(["db", "copy", str(path), str(tmp_path / "copy.sqlite")]) != 0
    credit = ["ledger", "credit", str(records), "--policy", "generic", "--as-of", "2026-06-30"]
    status = main([*credit, "--db", str(path)])  # reads records and the ledger, not packages
    assert status != 0 or "package" in statement
    assert "Recursion" not in capsys.readouterr().err


def _rewrite_ledger(path: Path, statement: str) -> None:
    """Change ledger rows in the raw file, then make every ledger row's checksum right again."""
    raw = sqlite3.connect(path)
    raw.create_function("vr_checksum", -1, row_checksum, deterministic=True)
    with raw:
        raw.execute(statement)
        raw.execute(f"UPDATE ledger_entries SET checksum = vr_checksum({_ENTRY_COLUMN_LIST})")
    raw.close()


def test_ledger_rows_removed_or_added_with_right_checksums_are_noticed(tmp_path: Path) -> None:
    removed = tmp_path / "removed.sqlite"
    _fill(removed)
    _rewrite_ledger(removed, "DELETE FROM ledger_entries WHERE position = 5")  # a whole transfer
    added = tmp_path / "added.sqlite"
    _fill(added)
    columns = _ENTRY_COLUMN_LIST.split(", ")
    assert columns[:6] == ["sequence", "position", "transfer_id", "account", "minutes", "version"]
    _rewrite_ledger(  # an entry of the first transfer, filed before the transfer's first row
        added,
        f"INSERT INTO ledger_entries ({_ENTRY_COLUMN_LIST}, checksum)"
        f" SELECT -1, 0, 'extra', 'V-extra', 5, 1, {', '.join(columns[6:])}, 0"
        " FROM ledger_entries WHERE sequence = 1",
    )
    with SQLiteDatabase(removed) as database:
        problems = database.check()
    assert "ledger_entries: transfers are missing or out of place" in problems
    assert not any("checksum" in problem for problem in problems)
    with SQLiteDatabase(added) as database:
        assert database.check() == (
            "ledger_entries: entries are missing or out of place",
            "ledger_entries: it holds 57 rows, its seal says 56:"
            " rows were deleted or added outside the library",
        )
    assert main(["db", "check", str(added)]) == 1


def test_a_sound_file_checks_clean_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bank.sqlite"
    _fill(path)
    assert main(["db", "check", str(path)]) == 0
    assert capsys.readouterr().out == "ok\n"
    capsys.readouterr()
    assert main(["db", "check", str(tmp_path / "missing.sqlite")]) == 2
    assert not (tmp_path / "missing.sqlite").exists()
    assert capsys.readouterr().err.endswith("missing.sqlite: no such file\n")
    assert main(["db", "check", str(tmp_path)]) == 2  # a folder: said so, not "no such file"
    assert capsys.readouterr().err.endswith(": is a folder, not a database file\n")
    assert main(["db", "copy", str(tmp_path), str(tmp_path / "copy.sqlite")]) == 2
    assert capsys.readouterr().err.endswith(": is a folder, not a database file\n")
    assert not (tmp_path / "copy.sqlite").exists()
    (tmp_path / "junk.sqlite").write_bytes(b"not a database at all" * 100)
    assert main(["db", "check", str(tmp_path / "junk.sqlite")]) == 1


def test_a_nul_in_the_path_is_a_library_error() -> None:
    with pytest.raises(InvalidValueError) as raised:
        SQLiteDatabase("a\0b")
    assert raised.value.what == "path"


def test_db_copy_refuses_a_damaged_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A source db check finds damaged is not copied: its problems are listed, exit 1, and no
    copy is made (one would pass db check, and the damage would vanish without a word)."""
    path = tmp_path / "bank.sqlite"
    _fill(path)
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE records SET volunteer_id = 'V9' WHERE record_id = 'r-2'")
    raw.close()
    copy = tmp_path / "copy.sqlite"
    capsys.readouterr()
    assert main(["db", "copy", str(path), str(copy)]) == 1
    out, err = capsys.readouterr()
    assert "r-2: checksum mismatch" in out
    assert "copied and verified" not in out
    assert "is damaged (as db check reports): nothing copied" in err
    assert not copy.exists()
    sound = tmp_path / "sound.sqlite"
    _fill(sound)
    assert main(["db", "copy", str(sound), str(copy)]) == 0
    assert "copied and verified" in capsys.readouterr().out


def test_db_copy_never_changes_its_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A source of an older schema is refused, not migrated: copying only reads it."""
    path = tmp_path / "old.sqlite"
    with SQLiteDatabase(path, _target_version=1):
        pass
    before = path.read_bytes()
    copy = tmp_path / "copy.sqlite"
    capsys.readouterr()
    assert main(["db", "copy", str(path), str(copy)]) == 2
    assert "older than" in capsys.readouterr().err
    assert path.read_bytes() == before
    assert not copy.exists()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE records SET payload = replace(payload, '\"service_minutes\":120', "
        "'\"service_minutes\":130') WHERE record_id = 'r-1'",
        "UPDATE records SET payload = '{' WHERE record_id = 'r-1'",
    ],
    ids=["payload altered", "payload corrupted"],
)
def test_a_damaged_stored_record_is_damage_not_a_conflict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], statement: str
) -> None:
    """Adding a record whose stored row was altered in the file reports the damage.

    Not "stored with different content" (a conflict the caller would try to resolve): a
    ``StorageError`` naming the file and the record; ``ledger --db`` says so, exit 2, and the
    file is left as it was. A sound row held with other content is still a conflict.
    """
    path = tmp_path / "bank.sqlite"
    _fill(path)
    record = make_record("r-1", volunteer_id="V1")
    with SQLiteDatabase(path) as database:
        assert SQLiteRecordStore(database).get(*record.key) == record
    with sqlite3.connect(path) as raw:
        assert raw.execute(statement).rowcount == 1
    raw.close()
    for batch in (
        [record],
        [make_record("r-new"), record],
        [record, make_record("r-1", minutes=5)],
    ):
        with SQLiteDatabase(path) as database, pytest.raises(StorageError) as raised:
            SQLiteRecordStore(database).add(batch)
        assert type(raised.value) is StorageError
        message = str(raised.value)
        assert str(path) in message
        assert f"{record.organization_id}/r-1 is damaged" in message
    before = _dump(path)
    records = tmp_path / "records.jsonl"
    records.write_text(json.dumps(dump_record(record)) + "\n", encoding="utf-8")
    capsys.readouterr()
    credit = ["ledger", "credit", str(records), "--policy", "generic", "--as-of", "2026-06-30"]
    assert main([*credit, "--db", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert f"volunteer-rules ledger: error: --db {path}: " in err
    assert f"{record.organization_id}/r-1 is damaged" in err
    assert "different content" not in err and "Traceback" not in err
    assert _dump(path) == before
    other = make_record("r-2", volunteer_id="V2", minutes=7)  # a sound row, other content
    with SQLiteDatabase(path) as database, pytest.raises(ConflictError):
        SQLiteRecordStore(database).add([other])


@pytest.mark.parametrize("sequence", [0, 1, 3])
def test_balances_with_an_entry_row_removed_are_damage(tmp_path: Path, sequence: int) -> None:
    """A row removed leaves every other checksum right: the balances must not be summed anyway.

    An account's entries have the versions 1 to their number, and all balances sum to zero.
    """
    path = tmp_path / "bank.sqlite"
    _fill(path)
    with SQLiteDatabase(path) as database:
        entries = [e for p in SQLiteLedgerStore(database).postings() for e in p.entries]
    removed = next(e for e in entries if e.sequence == sequence)
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("DELETE FROM ledger_entries WHERE sequence = ?", (sequence,))
    connection.close()
    with SQLiteDatabase(path) as database:
        ledger = SQLiteLedgerStore(database)
        with pytest.raises(StorageError, match=r"bank\.sqlite") as raised:
            ledger.balances()
        assert "entries are missing" in str(raised.value)
        assert any(e.account == removed.account and e.version > removed.version for e in entries)
        with pytest.raises(StorageError, match="entries are missing"):
            ledger.balance(removed.account)


def test_a_ledger_that_cannot_be_regrouped_is_damage_naming_the_file(tmp_path: Path) -> None:
    """An entry row removed from a transfer: reading the postings names the store and the file."""
    path = tmp_path / "bank.sqlite"
    _fill(path)
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("DELETE FROM ledger_entries WHERE sequence = 1")
    connection.close()
    with SQLiteDatabase(path) as database, pytest.raises(StorageError) as raised:
        SQLiteLedgerStore(database).postings()
    assert str(raised.value).startswith(f"the ledger store in {path} (postings): ")


def test_db_copy_stopped_half_way_leaves_no_destination(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A copy into a new file is staged beside it and renamed once verified: stopped half-way
    (Ctrl-C while the ledger is written), it leaves neither the file nor the staged one, and
    the next run copies everything."""
    source = tmp_path / "bank.sqlite"
    _fill(source)
    copy = tmp_path / "copy.sqlite"
    before = sorted(p.name for p in tmp_path.iterdir())

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(SQLiteLedgerStore, "append", interrupted)
        assert main(["db", "copy", str(source), str(copy)]) == 130
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    capsys.readouterr()
    assert main(["db", "copy", str(source), str(copy)]) == 0
    assert "copied and verified" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*before, "copy.sqlite"])
    assert main(["db", "check", str(copy)]) == 0


@pytest.mark.parametrize("command", ["certify", "check", "ledger", "transfer"])
def test_db_option_refuses_a_postgresql_url_without_repeating_its_password(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--db takes a SQLite file: a connection string is refused (status 2), its password never
    shown (it used to be opened as a file path and echoed whole)."""
    records = tmp_path / "records.jsonl"
    records.write_text(json.dumps(dump_record(make_record())) + "\n", "utf-8")
    argv = {
        "certify": ["certify", str(records), "--rule-set", "cn-national", "--as-of", "2026-06-30"],
        "check": ["check", str(records)],
        "ledger": [
            "ledger",
            "credit",
            str(records),
            "--policy",
            "cn-nanjing-2019",
            "--as-of",
            "2026-06-30",
        ],
        "transfer": ["transfer", "check", str(records), str(records)],
    }[command]
    assert main([*argv, "--db", "postgresql://bank:s3cret@db.example/bank"]) == 2
    err = capsys.readouterr().err
    assert "takes a SQLite file, not a PostgreSQL database" in err
    assert "s3cret" not in err
    assert list(tmp_path.iterdir()) == [records]
