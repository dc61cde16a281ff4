"""``--db FILE``: the commands keep their work in a SQLite file between runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from volunteer_rules.cli import main
from volunteer_rules.cli._store import stored_records
from volunteer_rules.storage import SQLiteLedgerStore, SQLiteTransferStore
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
from volunteer_rules.timebank.ledger import check_ledger

SECOND = {
    **SAMPLE_RECORD_PAYLOAD,
    "record_id": "r-2024-0002",
    "date": "2024-05-03",
    "start": "2024-05-03T08:30:00+08:00",
    "end": "2024-05-03T11:00:00+08:00",
    "recorded_at": "2024-05-04T09:15:00+08:00",
}


def write_lines(path: Path, *payloads: dict[str, object]) -> str:
    path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in payloads), "utf-8")
    return str(path)


class TestCheckAndCertify:
    def test_check_keeps_valid_records(self, tmp_path: Path) -> None:
        """check --db keeps the valid records; running it again changes nothing."""
        db = str(tmp_path / "records.sqlite")
        first = write_lines(tmp_path / "a.jsonl", SAMPLE_RECORD_PAYLOAD)
        assert main(["check", first, "--db", db]) == 0
        assert main(["check", first, "--db", db]) == 0
        assert [r.record_id for r in stored_records(db)] == ["r-2024-0001"]

    def test_check_leaves_out_contradicted_keys(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A key given twice with different content is not kept; the rest is."""
        db = str(tmp_path / "records.sqlite")
        other = {**SAMPLE_RECORD_PAYLOAD, "service_minutes": 60}
        path = write_lines(tmp_path / "a.jsonl", SAMPLE_RECORD_PAYLOAD, other, SECOND)
        main(["check", path, "--db", db])
        assert [r.record_id for r in stored_records(db)] == ["r-2024-0002"]
        assert "not kept" in capsys.readouterr().err

    def test_check_refuses_content_that_contradicts_the_file(self, tmp_path: Path) -> None:
        """A record held with other content: nothing of the new file is kept, exit 1."""
        db = str(tmp_path / "records.sqlite")
        main(["check", write_lines(tmp_path / "a.jsonl", SAMPLE_RECORD_PAYLOAD), "--db", db])
        changed = {**SAMPLE_RECORD_PAYLOAD, "service_minutes": 60}
        path = write_lines(tmp_path / "b.jsonl", changed, SECOND)
        assert main(["check", path, "--db", db]) == 1
        assert len(stored_records(db)) == 1

    def test_unusable_file_is_a_usage_error(self, tmp_path: Path) -> None:
        """A --db file that is not a database: exit 2."""
        junk = tmp_path / "junk.sqlite"
        junk.write_bytes(b"not a database" * 100)
        path = write_lines(tmp_path / "a.jsonl", SAMPLE_RECORD_PAYLOAD)
        assert main(["check", path, "--db", str(junk)]) == 2
        assert main(["ledger", "credit", path, "--policy", "generic", "--as-of",
                     "2024-12-31", "--db", str(junk)]) == 2  # fmt: skip

    def test_another_applications_database_is_refused(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--db on a SQLite file of another application: exit 2, with the reason, and the
        file is left as it was (no table of the library added beside its own)."""
        import sqlite3

        foreign = tmp_path / "foreign.db"
        with sqlite3.connect(foreign) as connection:
            connection.execute("CREATE TABLE t (x)")
        before = foreign.read_bytes()
        path = write_lines(tmp_path / "a.jsonl", SAMPLE_RECORD_PAYLOAD)
        package = str(tmp_path / "p.json")
        create = ["transfer", "create", path, "--volunteer", "V0000001",
                  "--from", "512111005000000154", "--to", "51211100MJ00000175",
                  "--to-region", "210100", "--created-at", "2024-06-01T09:00:00+08:00"]  # fmt: skip
        assert main([*create, "-o", package]) == 0
        commands = [
            ["check", path],
            ["certify", path, "--rule-set", "cn-national", "--as-of", "2024-12-31"],
            ["ledger", "credit", path, "--policy", "generic", "--as-of", "2024-12-31"],
            ["transfer", "check", package, "--as-of", "2024-06-01"],
            [*create, "-o", str(tmp_path / "q.json")],
        ]
        capsys.readouterr()
        for command in commands:
            assert main([*command, "--db", str(foreign)]) == 2, command
            assert "holds tables that are not this library's (t)" in capsys.readouterr().err
            assert foreign.read_bytes() == before
        assert not (tmp_path / "q.json").exists()
        assert main(["db", "check", str(foreign)]) == 1
        assert foreign.read_bytes() == before

    def test_certify_counts_what_the_file_holds(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """certify --db certifies earlier runs' records too."""
        db = str(tmp_path / "records.sqlite")
        args = ["--rule-set", "cn-national", "--as-of", "2024-12-31", "--format", "json"]
        main(["certify", write_lines(tmp_path / "a.jsonl", SAMPLE_RECORD_PAYLOAD), *args])
        alone = json.loads(capsys.readouterr().out)
        path = write_lines(tmp_path / "a.jsonl", SAMPLE_RECORD_PAYLOAD)
        assert main(["certify", path, *args, "--db", db]) == 0
        capsys.readouterr()
        main(["certify", write_lines(tmp_path / "b.jsonl", SECOND), *args, "--db", db])
        both = json.loads(capsys.readouterr().out)
        assert alone["certifications"][0]["counted_h"] == "2"
        assert both["certifications"][0]["counted_h"] == "4"


class TestLedgerAndTransfer:
    def test_ledger_credits_persist(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Credits of two runs add up in the file; a record is never credited twice."""
        db = str(tmp_path / "bank.sqlite")
        one = write_lines(tmp_path / "one.jsonl", SAMPLE_RECORD_PAYLOAD)
        two = write_lines(tmp_path / "two.jsonl", SAMPLE_RECORD_PAYLOAD, SECOND)
        common = ["--policy", "generic", "--format", "json", "--db", db]
        assert main(["ledger", "credit", one, "--as-of", "2024-12-31", *common]) == 0
        assert main(["ledger", "credit", two, "--as-of", "2025-01-02", *common]) == 0
        out = capsys.readouterr().out.strip().split("\n")
        last = json.loads("\n".join(out[len(out) // 2 :]))
        assert last["balances_minutes"]["V0000001"] == 240
        store = SQLiteLedgerStore(db)
        assert store.transfer_count() == 2
        assert check_ledger(store.postings()) == ()
        store.database.close()

    def test_transfer_create_keeps_the_package(self, tmp_path: Path) -> None:
        """transfer create --db keeps the package, initiated; check sees what the file holds."""
        db = str(tmp_path / "dest.sqlite")
        records = write_lines(tmp_path / "r.jsonl", SAMPLE_RECORD_PAYLOAD)
        package = str(tmp_path / "p.json")
        create = ["transfer", "create", records, "--volunteer", "V0000001",
                  "--from", "512111005000000154", "--to", "51211100MJ00000175",
                  "--to-region", "210100", "--consent",
                  "--created-at", "2024-06-01T09:00:00+08:00", "-o", package, "--db", db]  # fmt: skip
        assert main(create) == 0
        assert main(create) == 0  # the same package again: a no-op
        transfers = SQLiteTransferStore(db)
        (package_id,) = transfers.package_ids()
        assert transfers.state(package_id) == "initiated"
        transfers.database.close()
        check = ["transfer", "check", package, "--as-of", "2024-06-01", "--db", db]
        assert main(check) == 0
        main(["check", records, "--db", db])  # now the destination holds the record
        assert main(check) == 1


class TestDbCheckOfWhatAFileHolds:
    """``db check`` warns of a file that holds nothing; community data is something."""

    def test_a_file_with_only_community_data_holds_something(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        from volunteer_rules.storage import SQLiteDatabase
        from volunteer_rules.storage.community_sqlite import (
            SQLiteAttendanceStore,
            SQLiteOrganizationStore,
        )
        from volunteer_rules.testing.community_examples import (
            sample_attendance_events,
            sample_organizations,
        )

        for name in ("registry.sqlite", "events.sqlite"):
            path = tmp_path / name
            with SQLiteDatabase(path) as database:
                if name == "registry.sqlite":
                    SQLiteOrganizationStore(database).add(sample_organizations())
                else:
                    SQLiteAttendanceStore(database).append(sample_attendance_events())
            capsys.readouterr()
            assert main(["db", "check", str(path)]) == 0, name
            out, err = capsys.readouterr()
            assert out == "ok\n" and "holds nothing" not in err

    def test_an_empty_file_holds_nothing_with_or_without_community_tables(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        from volunteer_rules.storage import SQLiteDatabase
        from volunteer_rules.storage.community_sqlite import SQLiteOrganizationStore

        bare, with_tables = tmp_path / "bare.sqlite", tmp_path / "tables.sqlite"
        SQLiteDatabase(bare).close()
        with SQLiteDatabase(with_tables) as database:
            SQLiteOrganizationStore(database)  # its tables, empty
        for path in (bare, with_tables):
            capsys.readouterr()
            assert main(["db", "check", str(path)]) == 1
            assert "holds nothing (no record, package, ledger or community data)" in (
                capsys.readouterr().err
            )
        assert "community_entries" not in _tables(bare)  # db check added no table


def _tables(path: Path) -> set[str]:
    import sqlite3

    connection = sqlite3.connect(path)
    try:
        return {name for (name,) in connection.execute("SELECT name FROM sqlite_master")}
    finally:
        connection.close()
