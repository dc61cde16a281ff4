"""Inputs a user should not give, given to the installed command: a clear line, never a traceback.

A device (``/dev/null``) reads as an empty file; a folder, a file in a folder that does not
exist, a file that cannot be read are named with what is wrong; nothing is changed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from volunteer_rules.storage import SQLiteDatabase, SQLiteRecordStore
from volunteer_rules.testing.contracts import make_record

COMMAND = [sys.executable, "-m", "volunteer_rules"]
CERTIFY = ["--rule-set", "cn-national", "--as-of", "2026-06-30"]
NULL = "/dev/null"

needs_null = pytest.mark.skipif(not os.path.exists(NULL), reason="no /dev/null here")


def _run(*args: str, stdin: int | None = subprocess.DEVNULL) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *args], capture_output=True, text=True, timeout=600, check=False, stdin=stdin
    )


def _no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert "Traceback" not in result.stdout


@needs_null
@pytest.mark.parametrize(
    "command",
    [
        ["certify", *CERTIFY, "--input-format", "csv"],
        ["certify", *CERTIFY, "--input-format", "jsonl"],
        ["certify", *CERTIFY, "--input-format", "csv", "--format", "csv"],
        ["certify", *CERTIFY, "--input-format", "csv", "--encoding", "gb18030"],
        ["stats", "--input-format", "csv"],
        ["stats", "--input-format", "jsonl"],
        ["check"],
        ["ledger", "credit", "--policy", "generic", "--as-of", "2024-12-31"],
    ],
)
def test_dev_null_reads_as_an_empty_file(command: list[str], tmp_path: Path) -> None:
    """By name or as standard input: the answer an empty file gets (no "No such device")."""
    pytest.importorskip("polars")
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    expected = _run(*command, str(empty))
    _no_traceback(expected)
    assert expected.returncode == 1  # nothing to certify, count or check: a warning
    for given, name in ((NULL, NULL), ("-", "<stdin>")):
        with open(NULL, "rb") as null:
            got = _run(*command, given, stdin=null.fileno())
        assert "device" not in got.stderr
        assert (got.returncode, got.stdout) == (expected.returncode, expected.stdout)
        assert got.stderr == expected.stderr.replace(str(empty), name)


@needs_null
def test_parquet_from_a_device_names_the_file() -> None:
    """Not ``source:`` (the reader's name for a stream): the file given."""
    pytest.importorskip("polars")
    result = _run("certify", *CERTIFY, "--input-format", "parquet", NULL)
    assert result.returncode == 2
    assert result.stderr.startswith(
        f"volunteer-rules certify: error: {NULL}: is not a Parquet file"
    ), result.stderr
    assert "source" not in result.stderr


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        ("folder", "is a folder, not a database file"),
        ("no folder", "cannot be made: there is no folder"),
        ("device", "is not a regular file (a device or a pipe), not a database file"),
    ],
)
@pytest.mark.parametrize(
    "command",
    [["check"], ["ledger", "credit", "--policy", "generic", "--as-of", "2024-12-31"]],
)
def test_db_that_can_be_no_database_file_says_why(
    kind: str, says: str, command: list[str], tmp_path: Path, sample_records: Path
) -> None:
    """Not SQLite's "unable to open database file" or "disk I/O error"; nothing made."""
    if kind == "device" and not os.path.exists(NULL):
        pytest.skip("no /dev/null here")
    db = {"folder": str(tmp_path), "no folder": str(tmp_path / "none" / "b.sqlite")}.get(kind, NULL)
    before = sorted(tmp_path.rglob("*"))
    result = _run(*command, str(sample_records), "--db", db)
    _no_traceback(result)
    assert result.returncode == 2
    assert f"error: --db {db}: opening {db}: {says}" in result.stderr, result.stderr
    assert sorted(tmp_path.rglob("*")) == before


@pytest.mark.parametrize("locale", ["C.UTF-8", "C", "en_US.UTF-8"])
def test_a_file_name_that_is_not_utf8_is_escaped_in_every_output(
    locale: str, tmp_path: Path
) -> None:
    """Under the C locale Python writes such a name's bytes back as they are: the JSON document
    would not be UTF-8. Escaped, it is, and reads back as the name (``\\udcff``)."""
    name = os.fsdecode(b"\xff\xfe-export.jsonl")
    try:
        path = tmp_path / name
        path.write_text("{oops\n", encoding="utf-8")
    except (OSError, UnicodeError):
        pytest.skip("this file system takes only UTF-8 names")
    env = {**os.environ, "LC_ALL": locale, "LANG": locale}
    env.pop("PYTHONIOENCODING", None)

    def run(*options: str) -> tuple[int, str, str]:
        result = subprocess.run(
            [*COMMAND, *options],
            capture_output=True,
            timeout=600,
            check=False,
            env=env,
        )  # decoded strictly: every byte written is UTF-8
        return result.returncode, result.stdout.decode("utf-8"), result.stderr.decode("utf-8")

    status, out, err = run("check", str(path), "--format", "json")
    assert (status, err) == (1, "")
    assert json.loads(out)["file"] == str(path)
    status, out, err = run("check", str(path))
    assert status == 1
    assert "\\udcff\\udcfe-export.jsonl:1: $: invalid_json" in out
    assert "Traceback" not in err
    status, out, err = run("certify", str(path), *CERTIFY)
    assert status == 1
    assert "\\udcff\\udcfe-export.jsonl:1: $: invalid_json" in err


@pytest.fixture
def as_user(tmp_path: Path) -> Iterator[tuple[list[str], Path]]:
    """A command prefix that runs as a user whom ``chmod`` binds, and a folder it can reach.

    As root, ``setpriv`` runs the command as ``nobody`` (root reads any file) in a folder
    outside pytest's own (which only root can enter).
    """
    if os.name != "posix":
        pytest.skip("POSIX permissions")
    if os.geteuid() != 0:
        yield [], tmp_path
        return
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root, and no setpriv to run as another user")
    prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    # The checkout (and its environment) may sit where only root can enter, as in a private
    # temporary folder: then nobody cannot start the program at all, and there is nothing
    # to test with this user.
    started = subprocess.run(
        [*prefix, *COMMAND, "--version"], capture_output=True, timeout=600, check=False
    )
    if started.returncode != 0:
        pytest.skip("nobody cannot run the program from where it is installed")
    folder = Path(tempfile.mkdtemp(prefix="vr-perm-"))
    folder.chmod(0o777)
    try:
        yield prefix, folder
    finally:
        shutil.rmtree(folder)


def test_a_database_that_cannot_be_read_or_made_says_so(
    as_user: tuple[list[str], Path], sample_records: Path
) -> None:
    """Not SQLite's "unable to open database file"; a usage error (2), nothing made."""
    prefix, folder = as_user
    db = folder / "bank.sqlite"
    with SQLiteDatabase(db) as database:
        SQLiteRecordStore(database).add([make_record("r-1")])
    db.chmod(0o600)
    if not prefix:
        db.chmod(0o000)
    closed = folder / "closed"
    closed.mkdir(mode=0o555)
    records = folder / "records.jsonl"
    shutil.copy(sample_records, records)
    records.chmod(0o644)

    def run(*args: str) -> tuple[int, str]:
        result = subprocess.run(
            [*prefix, *COMMAND, *args], capture_output=True, text=True, timeout=600, check=False
        )
        assert "Traceback" not in result.stderr
        return result.returncode, result.stderr

    unread = f"{db}: cannot be read: Permission denied"
    unmade = f"cannot be made: the folder {closed} cannot be written (permission denied)"
    assert run("db", "check", str(db)) == (2, f"volunteer-rules db check: error: {unread}\n")
    assert run("db", "copy", str(db), str(folder / "copy.sqlite")) == (
        2,
        f"volunteer-rules db copy: error: {unread}\n",
    )
    status, err = run("check", str(records), "--db", str(db))
    assert (status, err) == (2, f"volunteer-rules check: error: --db {db}: opening {unread}\n")
    copy = closed / "copy.sqlite"
    readable = folder / "readable.sqlite"
    shutil.copy(db, readable)
    readable.chmod(0o644)
    assert run("db", "copy", str(readable), str(copy)) == (
        2,
        f"volunteer-rules db copy: error: {copy}: {unmade}\n",
    )
    status, err = run("check", str(records), "--db", str(copy))
    assert (status, err) == (
        2,
        f"volunteer-rules check: error: --db {copy}: opening {copy}: {unmade}\n",
    )
    assert sorted(p.name for p in folder.iterdir()) == [
        "bank.sqlite",
        "closed",
        "readable.sqlite",
        "records.jsonl",
    ]
    assert not list(closed.iterdir())
