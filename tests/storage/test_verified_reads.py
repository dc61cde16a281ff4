"""Reads verify each row's checksum: one column of one row changed in a real file is refused.

Every read of the SQLite stores that uses a row whose checksum does not match raises
``StorageError`` (naming the file, the table and the row's key, and pointing to ``db check``)
instead of returning the row, and a write that reads the row first writes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from test_damage import T0, _dump, _fill

from volunteer_rules.cli import main
from volunteer_rules.errors import StorageError
from volunteer_rules.records.record import dump_record
from volunteer_rules.storage import (
    SQLiteDatabase,
    SQLiteLedgerStore,
    SQLiteRecordStore,
    SQLiteTransferStore,
)
from volunteer_rules.storage.services import post_transfers
from volunteer_rules.testing.contracts import make_package, make_record
from volunteer_rules.timebank.ledger import ISSUER, REDEEMED, LedgerTransfer

_Read = Callable[[SQLiteDatabase], object]

PACKAGE = make_package("V0000001").digest
RECORD = make_record("r-2")


def _ledger(read: Callable[[SQLiteLedgerStore], object]) -> _Read:
    return lambda database: read(SQLiteLedgerStore(database))


def _records(read: Callable[[SQLiteRecordStore], object]) -> _Read:
    return lambda database: read(SQLiteRecordStore(database))


def _transfers(read: Callable[[SQLiteTransferStore], object]) -> _Read:
    return lambda database: read(SQLiteTransferStore(database))


def _append_one(store: SQLiteLedgerStore) -> object:
    """Post one more transfer after the stored ones (reads the last entry and the versions)."""
    credit = LedgerTransfer(
        transfer_id="c-new",
        kind="credit",
        legs=((ISSUER, -5), ("V-new", 5)),
        at=T0 + dt.timedelta(days=1),
    )
    return post_transfers(store, [credit])


CASES: dict[str, tuple[str, str, list[_Read]]] = {
    # an entry in the middle of the ledger (transfer c-1's second entry: V1's first)
    "ledger entry": (
        "UPDATE ledger_entries SET minutes = minutes + 1 WHERE sequence = 3",
        "ledger_entries: the stored ledger entry 3 (transfer 'c-1', account V1 version 1)",
        [
            _ledger(lambda s: s.postings()),
            _ledger(lambda s: s.transfers()),
            _ledger(lambda s: s.entries()),
            _ledger(lambda s: s.entries("V1")),
            _ledger(lambda s: s.get_transfer("c-1")),
            _ledger(lambda s: s.balance("V1")),
            _ledger(lambda s: s.balances()),
        ],
    ),
    # a transfer's first row, which holds its time: V1's entries use it, not only the issuer's
    "ledger transfer": (
        "UPDATE ledger_entries SET memo = 'changed' WHERE sequence = 2",
        "ledger_entries: the stored ledger entry 2 (transfer 'c-1', account @issuer version 2)",
        [
            _ledger(lambda s: s.entries("V1")),
            _ledger(lambda s: s.get_transfer("c-1")),
            _ledger(lambda s: s.postings(start=1)),
        ],
    ),
    # the last entry: the next position, the account's version and every append read it
    "last ledger entry": (
        "UPDATE ledger_entries SET version = 9 WHERE sequence = 55",
        f"ledger_entries: the stored ledger entry 55 (transfer 'x-7', account {REDEEMED} version 9)",
        [
            _ledger(lambda s: s.transfer_count()),
            _ledger(lambda s: s.version(REDEEMED)),
            _ledger(lambda s: s.balance(REDEEMED)),
            _ledger(lambda s: s.postings(start=27)),
            _ledger(_append_one),
        ],
    ),
    "record column": (
        "UPDATE records SET volunteer_id = 'V9' WHERE record_id = 'r-2'",
        f"records: the stored record {RECORD.organization_id}/r-2",
        [
            _records(lambda s: s.get(*RECORD.key)),
            _records(lambda s: s.find()),
            _records(lambda s: s.find(volunteer_id="V9")),
        ],
    ),
    "record payload": (
        "UPDATE records SET payload = replace(payload, '\"service_minutes\":120',"
        " '\"service_minutes\":130') WHERE record_id = 'r-2'",
        f"records: the stored record {RECORD.organization_id}/r-2",
        [_records(lambda s: s.get(*RECORD.key)), _records(lambda s: s.find())],
    ),
    "package": (
        f"UPDATE packages SET state = 'rejected' WHERE package_id = '{PACKAGE}'",
        f"packages: the stored transfer package {PACKAGE}",
        [
            _transfers(lambda s: s.get_package(PACKAGE)),
            _transfers(lambda s: s.state(PACKAGE)),
            _transfers(lambda s: s.package_ids()),
            _transfers(
                lambda s: s.change_state(PACKAGE, expected="rejected", new="accepted", at=T0)
            ),
            _transfers(lambda s: s.add_package(make_package("V0000001"), at=T0)),
        ],
    ),
    "package event": (
        f"UPDATE package_events SET reason = 'changed' WHERE package_id = '{PACKAGE}'"
        " AND sequence = 2",
        f"package_events: the stored event 2 of transfer package {PACKAGE}",
        [_transfers(lambda s: s.history(PACKAGE))],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_row_that_does_not_match_its_checksum_is_never_read(tmp_path: Path, case: str) -> None:
    statement, named, reads = CASES[case]
    path = tmp_path / "bank.sqlite"
    _fill(path)
    with sqlite3.connect(path) as raw:
        assert raw.execute(statement).rowcount == 1
    raw.close()
    before = _dump(path)
    with SQLiteDatabase(path) as database:
        for read in reads:
            with pytest.raises(StorageError) as raised:
                read(database)
            assert type(raised.value) is StorageError
            message = str(raised.value)
            assert message.startswith("the ") and f" in {path} (" in message, message
            assert f"{named} is damaged" in message, message
            assert "does not match its checksum" in message
            assert message.endswith("run volunteer-rules db check")
    assert _dump(path) == before  # nothing was written, by the reads or the writes


def test_adding_a_record_held_in_a_damaged_row_is_refused(tmp_path: Path) -> None:
    """The record's key is held with the same payload, but another column was changed."""
    path = tmp_path / "bank.sqlite"
    _fill(path)
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE records SET volunteer_id = 'V9' WHERE record_id = 'r-2'")
    raw.close()
    before = _dump(path)
    record = make_record("r-2", volunteer_id="V2")
    for batch in ([record], [make_record("r-new"), record]):
        with SQLiteDatabase(path) as database, pytest.raises(StorageError) as raised:
            SQLiteRecordStore(database).add(batch)
        assert f"{record.organization_id}/r-2 is damaged" in str(raised.value)
    assert _dump(path) == before


def test_sound_rows_read_as_before(tmp_path: Path) -> None:
    path = tmp_path / "bank.sqlite"
    _fill(path)
    with SQLiteDatabase(path) as database:
        ledger = SQLiteLedgerStore(database)
        postings = ledger.postings()
        entries = [entry for posting in postings for entry in posting.entries]
        assert ledger.entries() == tuple(entries)
        assert ledger.entries("V1") == tuple(e for e in entries if e.account == "V1")
        totals: dict[str, int] = {}
        for entry in entries:
            totals[entry.account] = totals.get(entry.account, 0) + entry.minutes
        assert {a: h.minutes for a, h in ledger.balances().items()} == totals
        assert list(ledger.balances()) == sorted(totals)
        assert ledger.version("V1") == max(e.version for e in entries if e.account == "V1")


def test_ledger_db_on_an_altered_entry_exits_2_with_the_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bank.sqlite"
    _fill(path)
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE ledger_entries SET minutes = minutes + 1 WHERE sequence = 3")
    raw.close()
    before = _dump(path)
    records = tmp_path / "records.jsonl"
    records.write_text(json.dumps(dump_record(make_record("r-1", volunteer_id="V1"))) + "\n")
    capsys.readouterr()
    credit = ["ledger", "credit", str(records), "--policy", "generic", "--as-of", "2026-06-30"]
    assert main([*credit, "--db", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert f"volunteer-rules ledger: error: --db {path}: " in err
    assert "ledger_entries: the stored ledger entry 3 (transfer 'c-1'" in err
    assert "is damaged" in err and "volunteer-rules db check" in err
    assert "Traceback" not in err
    assert _dump(path) == before
