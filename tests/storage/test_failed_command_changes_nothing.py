"""A command given ``--db`` that fails changes nothing in the file: all of its work or none."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from volunteer_rules.cli import main
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD


def _records(path: Path, count: int) -> str:
    lines = []
    for n in range(count):
        day = f"2024-05-{n + 1:02d}"
        lines.append(
            dict(
                SAMPLE_RECORD_PAYLOAD,
                record_id=f"r-2024-{n:04d}",
                date=day,
                start=f"{day}T08:30:00+08:00",
                end=f"{day}T11:00:00+08:00",
                recorded_at=f"{day}T12:00:00+08:00",
            )
        )
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), "utf-8")
    return str(path)


def _content(db: Path) -> list[str]:
    connection = sqlite3.connect(db)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


AS_OF = ["--as-of", "2024-06-01"]
COMMANDS = {
    "certify": ["certify", "--rule-set", "cn-national", *AS_OF, "--quiet"],
    "ledger credit": ["ledger", "credit", "--policy", "generic", *AS_OF, "--quiet"],
    "ledger statement": [
        "ledger",
        "statement",
        "--policy",
        "generic",
        *AS_OF,
        "--volunteer",
        "V0000001",
        "--quiet",
    ],
}
"""The commands that keep the records given, then read what the file holds."""


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_damaged_row_fails_the_command_and_nothing_is_added(
    tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A record row changed behind the store's back: the command that meets it adds nothing.

    The damaged row's key is no longer the record's, so the input's record is new to the
    store; the command must not keep it when it then fails on the damaged row.
    """
    db = tmp_path / "bank.sqlite"
    assert main(["check", "--quiet", "--db", str(db), _records(tmp_path / "a.jsonl", 3)]) == 0
    connection = sqlite3.connect(db)
    with connection:
        connection.execute(
            "UPDATE records SET organization_id = 'G-moved' WHERE record_id = 'r-2024-0002'"
        )
    connection.close()
    before = _content(db)
    capsys.readouterr()
    given = _records(tmp_path / "b.jsonl", 3)
    status = main([*COMMANDS[command], "--db", str(db), given])
    assert status == 2
    assert "damaged" in capsys.readouterr().err
    assert _content(db) == before
