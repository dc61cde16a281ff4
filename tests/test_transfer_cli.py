"""The ``volunteer-rules transfer`` command: create and check, outputs and exit statuses."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from _cli_helpers import write_lines
from volunteer_rules.cli import main
from volunteer_rules.testing.examples import SAMPLE_ORGANIZATION_ID, SAMPLE_RECORD_PAYLOAD

DESTINATION = "51211100MJ00000175"


def create(tmp_path: Path, payloads: list[Any], *extra: str) -> tuple[int, Path]:
    records = write_lines(tmp_path / "records.jsonl", payloads)
    package = tmp_path / "package.json"
    status = main(
        [
            "transfer", "create", str(records), "--volunteer", "V0000001",
            "--from", SAMPLE_ORGANIZATION_ID, "--to", DESTINATION, "--to-region", "210100",
            "--created-at", "2024-06-01T09:00:00+08:00", "-o", str(package), *extra,
        ]
    )  # fmt: skip
    return status, package


class TestCreate:
    """transfer create writes a package or reports bad lines."""

    def test_writes_a_package(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """Only the volunteer's records go in; a note on stderr says what was left out."""
        other = {**SAMPLE_RECORD_PAYLOAD, "record_id": "r-x", "volunteer_id": "V2"}
        status, package = create(tmp_path, [SAMPLE_RECORD_PAYLOAD, other], "--consent")
        assert status == 0
        wire = json.loads(package.read_text(encoding="utf-8"))
        assert wire["summary"] == {"record_count": 1, "service_minutes": 120}
        assert wire["consent"] is True
        assert "1 records of other volunteers left out" in capsys.readouterr().err

    def test_only_verified_records_move(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Records not verified stay at the source, so the package passes check's not_verified
        rule; with none verified, no package is written."""
        pending = [
            {**SAMPLE_RECORD_PAYLOAD, "record_id": f"r-{status}", "status": status}
            for status in ("submitted", "rejected", "void")
        ]
        status, package = create(tmp_path, [SAMPLE_RECORD_PAYLOAD, *pending], "--consent")
        assert status == 0
        wire = json.loads(package.read_text(encoding="utf-8"))
        assert [r["record_id"] for r in wire["records"]] == [SAMPLE_RECORD_PAYLOAD["record_id"]]
        assert "3 records not verified left out" in capsys.readouterr().err
        checked = main(["transfer", "check", str(package), "--as-of", "2024-06-30"])
        assert checked == 0
        capsys.readouterr()
        package.unlink()
        status, package = create(tmp_path, pending, "--consent")
        assert (status, package.exists()) == (1, False)
        assert "no verified record of volunteer V0000001" in capsys.readouterr().err

    def test_a_withdrawn_record_moves_with_its_withdrawal(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A record withdrawn at the source moves with its withdrawal (a void amendment), so
        that the destination counts it for nothing, as the source does. The withdrawal used to
        be left out, and the package carried a record that counted at the destination only."""
        withdrawal = {
            **SAMPLE_RECORD_PAYLOAD,
            "record_id": "r-void",
            "amends": SAMPLE_RECORD_PAYLOAD["record_id"],
            "status": "void",
        }
        status, package = create(tmp_path, [SAMPLE_RECORD_PAYLOAD, withdrawal], "--consent")
        assert status == 0
        wire = json.loads(package.read_text(encoding="utf-8"))
        assert sorted(r["record_id"] for r in wire["records"]) == ["r-2024-0001", "r-void"]
        capsys.readouterr()
        argv = ["transfer", "check", str(package), "--as-of", "2024-06-30"]
        assert main([*argv, "--rule-set", "cn-national", "--format", "json"]) == 0
        checked = json.loads(capsys.readouterr().out)
        records = tmp_path / "records.jsonl"
        assert main(["certify", str(records), "--rule-set", "cn-national",
                     "--as-of", "2024-06-30", "--format", "json"]) == 0  # fmt: skip
        certified = json.loads(capsys.readouterr().out)
        assert checked["continuation"]["after"]["counted_minutes"] == 0
        assert [c["counted_h"] for c in certified["certifications"]] == ["0"]

    def test_stdout(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """-o - writes the package to standard output."""
        records = write_lines(tmp_path / "r.jsonl", [SAMPLE_RECORD_PAYLOAD])
        status = main(
            [
                "transfer", "create", str(records), "--volunteer", "V0000001",
                "--from", SAMPLE_ORGANIZATION_ID, "--to", DESTINATION, "--to-region", "210100",
                "--created-at", "2024-06-01T01:00:00Z",
            ]
        )  # fmt: skip
        assert status == 0
        assert json.loads(capsys.readouterr().out)["consent"] is False

    def test_bad_line(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A bad line is reported like check does, and no package is written."""
        broken = {**SAMPLE_RECORD_PAYLOAD, "date": "2024-02-30"}
        status, package = create(tmp_path, [SAMPLE_RECORD_PAYLOAD, broken, "{not json"])
        captured = capsys.readouterr()
        assert status == 1
        assert not package.exists()
        assert captured.out == ""  # every report on standard error
        assert "records.jsonl:2: $.date: invalid_format" in captured.err
        assert "records.jsonl:3: $: invalid_json" in captured.err

    @pytest.mark.parametrize("created_at", ["2024-06-01", "yesterday", "2024-06-01T09:00:00"])
    def test_bad_created_at(self, tmp_path: Path, created_at: str) -> None:
        """A created-at without an offset (or not a time) is a usage error."""
        records = write_lines(tmp_path / "r.jsonl", [SAMPLE_RECORD_PAYLOAD])
        status = main(
            [
                "transfer", "create", str(records), "--volunteer", "V0000001",
                "--from", SAMPLE_ORGANIZATION_ID, "--to", DESTINATION, "--to-region", "210100",
                "--created-at", created_at,
            ]
        )  # fmt: skip
        assert status == 2

    def test_missing_file(self, tmp_path: Path) -> None:
        """An unreadable file is a usage error."""
        status = main(
            [
                "transfer", "create", str(tmp_path / "none.jsonl"), "--volunteer", "V1",
                "--from", "G-a", "--to", "G-b", "--to-region", "210100",
                "--created-at", "2024-06-01T09:00:00+08:00",
            ]
        )  # fmt: skip
        assert status == 2

    @pytest.mark.parametrize(
        ("option", "value", "code"),
        [
            ("--to-region", "abc", "invalid_format"),
            ("--to-region", "", "missing"),
            ("--from-region", "21", "invalid_format"),
            ("--from", "11010519491231002X", "checksum"),
            ("--to", "11010519491231002X", "checksum"),
        ],
    )
    def test_options_the_package_reader_refuses(
        self,
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
        option: str,
        value: str,
        code: str,
    ) -> None:
        """What create writes, check reads: an option whose field the package reader refuses
        is a usage error naming the option (masked), and no package is written."""
        status, package = create(tmp_path, [SAMPLE_RECORD_PAYLOAD], "--consent", option, value)
        err = capsys.readouterr().err
        assert status == 2
        assert not package.exists()
        assert f"volunteer-rules transfer: error: {option}: {code}: " in err
        assert "11010519491231002X" not in err

    @pytest.mark.parametrize(
        ("option", "value", "written"),
        [
            ("--to-region", "999999", False),
            ("--from-region", "219999", False),
            ("--to-region", "211121", True),  # 大洼县, abolished in 2016: a known code
            ("--from-region", "211104", True),
        ],
    )
    def test_a_region_no_code_list_knows_writes_no_package(
        self,
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
        option: str,
        value: str,
        written: bool,
    ) -> None:
        """A region code of the right shape that GB/T 2260 never assigned is a usage error
        naming the option (check would refuse the package as unknown_region); an abolished
        code is known and the package is written."""
        status, package = create(tmp_path, [SAMPLE_RECORD_PAYLOAD], "--consent", option, value)
        err = capsys.readouterr().err
        assert (status == 0, package.exists()) == (written, written)
        if not written:
            assert f"volunteer-rules transfer: error: {option}: {value} is not a known" in err

    @pytest.mark.parametrize("kind", ["folder", "text file", "foreign database"])
    def test_a_db_that_cannot_be_used_writes_no_package(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
    ) -> None:
        """--db is opened before the package is written: all or nothing."""
        import sqlite3

        db = tmp_path / "db"
        if kind == "folder":
            db.mkdir()
        elif kind == "text file":
            db.write_text("not a database\n")
        else:
            with sqlite3.connect(db) as connection:
                connection.execute("CREATE TABLE t (x)")
        status, package = create(tmp_path, [SAMPLE_RECORD_PAYLOAD], "--consent", "--db", str(db))
        assert status == 2
        assert not package.exists()
        assert f"--db {db}: " in capsys.readouterr().err

    @pytest.mark.parametrize("damage", ["a table missing", "the stored package altered"])
    def test_a_store_that_fails_leaves_no_package_file(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str
    ) -> None:
        """Keeping the package in --db fails after it is written: the -o file is not changed.

        The database opens (its schema version is current), but storing the package fails:
        a table of it was dropped, or the package it holds under the same digest was altered.
        """
        import sqlite3

        db = tmp_path / "bank.sqlite"
        status, package = create(tmp_path, [SAMPLE_RECORD_PAYLOAD], "--db", str(db))
        assert status == 0
        with sqlite3.connect(db) as connection:
            if damage == "a table missing":
                connection.execute("DELETE FROM package_events")
                connection.execute("DELETE FROM packages")
                connection.execute("DROP TABLE package_events")
            else:
                connection.execute("UPDATE packages SET payload = replace(payload, '120', '12')")
        connection.close()
        for old in (None, "an older package\n"):
            if old is None:
                package.unlink()
            else:
                package.write_text(old, encoding="utf-8")
            capsys.readouterr()
            status, _ = create(tmp_path, [SAMPLE_RECORD_PAYLOAD], "--db", str(db))
            assert status == 2
            err = capsys.readouterr().err
            assert f"volunteer-rules transfer: error: --db {db}: " in err
            assert "Traceback" not in err
            if old is None:
                assert not package.exists()
            else:
                assert package.read_text(encoding="utf-8") == old
            assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
                ["records.jsonl", "bank.sqlite", *(["package.json"] if old else [])]
                + [p.name for p in tmp_path.glob("bank.sqlite-*")]
            )

    def test_db_keeps_the_package(self, tmp_path: Path) -> None:
        """With a usable --db the package is written and kept, once however often it is made."""
        from volunteer_rules.storage import SQLiteDatabase, SQLiteTransferStore

        db = tmp_path / "bank.sqlite"
        for _ in range(2):
            status, package = create(tmp_path, [SAMPLE_RECORD_PAYLOAD], "--db", str(db))
            assert status == 0
        digest = json.loads(package.read_text(encoding="utf-8"))["digest"]
        with SQLiteDatabase(db) as database:
            assert SQLiteTransferStore(database).package_ids() == (digest,)

    def test_missing_option(self) -> None:
        """A missing required option is a usage error."""
        assert main(["transfer", "create", "x.jsonl"]) == 2
        assert main(["transfer"]) == 2


class TestCheck:
    """transfer check prints findings and a summary; exit 0 allowed, 1 not."""

    def test_allowed(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A clean package is allowed."""
        _, package = create(tmp_path, [SAMPLE_RECORD_PAYLOAD], "--consent")
        capsys.readouterr()
        assert main(["transfer", "check", str(package), "--as-of", "2024-06-01"]) == 0
        out = capsys.readouterr().out
        assert re.search(r"decision +allowed", out)
        assert re.search(r"level after +none \(cn-national, 2 h counted\)", out)

    def test_not_allowed(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """No consent and a duplicate at the destination: exit 1, both reported."""
        _, package = create(tmp_path, [SAMPLE_RECORD_PAYLOAD])
        held = write_lines(tmp_path / "held.jsonl", [SAMPLE_RECORD_PAYLOAD])
        capsys.readouterr()
        status = main(
            ["transfer", "check", str(package), "--destination", str(held),
             "--as-of", "2024-06-01"]
        )  # fmt: skip
        out = capsys.readouterr().out
        assert status == 1
        assert "consent_missing" in out
        assert "duplicate_record" in out
        assert "not allowed" in out

    def test_json(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """--format json writes one document."""
        _, package = create(tmp_path, [SAMPLE_RECORD_PAYLOAD])
        capsys.readouterr()
        status = main(
            ["transfer", "check", str(package), "--as-of", "2024-06-01", "--format", "json"]
        )
        document = json.loads(capsys.readouterr().out)
        assert status == 1
        assert document["allowed"] is False
        assert [v["code"] for v in document["violations"]] == ["consent_missing"]
        assert document["summary"]["service_minutes"] == 120

    def test_json_is_only_json_with_bad_destination_lines(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The destination's bad lines go to standard error: standard output stays one document."""
        _, package = create(tmp_path, [SAMPLE_RECORD_PAYLOAD], "--consent")
        held = write_lines(tmp_path / "held.jsonl", ["[1", {"format_version": 1}])
        capsys.readouterr()
        status = main(
            ["transfer", "check", str(package), "--destination", str(held),
             "--as-of", "2024-06-01", "--format", "json"]
        )  # fmt: skip
        captured = capsys.readouterr()
        assert status == 1
        assert json.loads(captured.out)["summary"]["bad_lines"] == 2
        assert f"{held}:1: $: invalid_json" in captured.err
        assert f"{held}:2: $.record_id: missing" in captured.err

    @pytest.mark.parametrize("text", ['{"format_version": 1}', "{oops", ""])
    def test_json_of_a_malformed_package_writes_no_text_on_standard_output(
        self, text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        package = tmp_path / "package.json"
        package.write_text(text, encoding="utf-8")
        assert (
            main(["transfer", "check", str(package), "--as-of", "2024-06-01", "--format", "json"])
            == 1
        )
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err.startswith(f"{package}: $") or "holds no package" in captured.err

    def test_rule_set_option(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """--rule-set picks the destination's rules for the level after the move."""
        _, package = create(tmp_path, [SAMPLE_RECORD_PAYLOAD], "--consent")
        capsys.readouterr()
        status = main(
            ["transfer", "check", str(package), "--as-of", "2024-06-01", "--format", "json",
             "--rule-set", "cn-zhangjiagang"]
        )  # fmt: skip
        document = json.loads(capsys.readouterr().out)
        assert status == 0
        assert document["continuation"]["after"]["rule_set_id"] == "cn-zhangjiagang"
        assert document["continuation"]["after"]["counted_minutes"] == 120

    def test_unknown_rule_set(self, tmp_path: Path) -> None:
        """An unknown --rule-set is a usage error."""
        _, package = create(tmp_path, [SAMPLE_RECORD_PAYLOAD], "--consent")
        status = main(
            ["transfer", "check", str(package), "--as-of", "2024-06-01", "--rule-set", "xx"]
        )
        assert status == 2

    def test_tampered(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A package edited by hand: digest_mismatch."""
        _, package = create(tmp_path, [SAMPLE_RECORD_PAYLOAD], "--consent")
        wire = json.loads(package.read_text(encoding="utf-8"))
        wire["records"][0]["service_minutes"] = 150
        package.write_text(json.dumps(wire), encoding="utf-8")
        capsys.readouterr()
        assert main(["transfer", "check", str(package), "--as-of", "2024-06-01"]) == 1
        assert "digest_mismatch" in capsys.readouterr().out

    def test_malformed_package(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A package with format errors is reported with paths; exit 1."""
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps({"format_version": 1}), encoding="utf-8")
        assert main(["transfer", "check", str(bad), "--as-of", "2024-06-01"]) == 1
        assert "$.volunteer_id: missing" in capsys.readouterr().out
        bad.write_text('{\n  "format_version": 1,\n  oops\n}', encoding="utf-8")
        assert main(["transfer", "check", str(bad), "--as-of", "2024-06-01"]) == 1
        said = capsys.readouterr().out
        assert f"{bad}: $: invalid_json: not valid JSON: Expecting property name" in said
        assert "at line 3, column 3" in said  # where, in words: no exception class name

    def test_bad_destination_line(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A bad destination line makes the check incomplete: exit 1."""
        _, package = create(tmp_path, [SAMPLE_RECORD_PAYLOAD], "--consent")
        held = write_lines(tmp_path / "held.jsonl", ["[1"])
        status = main(
            ["transfer", "check", str(package), "--destination", str(held),
             "--as-of", "2024-06-01"]
        )  # fmt: skip
        assert status == 1
        assert "bad lines" in capsys.readouterr().out

    @pytest.mark.parametrize(
        "arguments",
        [
            ["--as-of", "2024-13-01"],
            ["--as-of", "2024-06-01", "--destination", "/no/such/file.jsonl"],
        ],
    )
    def test_usage_errors(self, tmp_path: Path, arguments: list[str]) -> None:
        """A bad date or a missing destination file is a usage error."""
        _, package = create(tmp_path, [SAMPLE_RECORD_PAYLOAD], "--consent")
        assert main(["transfer", "check", str(package), *arguments]) == 2

    def test_missing_package(self, tmp_path: Path) -> None:
        """A missing package file is a usage error."""
        assert main(["transfer", "check", str(tmp_path / "no.json"), "--as-of", "2024-06-01"]) == 2
