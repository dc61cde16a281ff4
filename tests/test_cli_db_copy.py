"""``db copy`` into a SQLite file: staged beside it, moved in whole, never over another's file.

A destination that does not exist or is an empty file is written as ``DST.partial-PID`` and
moved once verified; stopped half-way, ``DST`` is as it was. A ``DST`` another program made or
wrote during the copy is left alone, and the verified copy is kept under its staged name.
"""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from volunteer_rules.cli import main
from volunteer_rules.storage import SQLiteDatabase, SQLiteRecordStore
from volunteer_rules.testing.contracts import make_record


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A sound database of three records."""
    path = tmp_path / "bank.sqlite"
    with SQLiteDatabase(path) as database:
        SQLiteRecordStore(database).add([make_record(f"r-{n}") for n in range(3)])
    return path


def _during_copy(monkeypatch: pytest.MonkeyPatch, act: Callable[[], object]) -> None:
    """Do ``act`` once the copy has written its records (half-way, before the move)."""
    add = SQLiteRecordStore.add

    def adding(self: Any, *args: Any, **kwargs: Any) -> Any:
        added = add(self, *args, **kwargs)
        act()
        return added

    monkeypatch.setattr(SQLiteRecordStore, "add", adding)


def _interrupt() -> None:
    raise KeyboardInterrupt


def _staged(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.partial-*"))


def _records_in(path: Path) -> int:
    with SQLiteDatabase(path, migrate=False) as database:
        return SQLiteRecordStore(database).count()


def test_an_empty_destination_file_is_staged_and_left_empty_when_stopped(
    source: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Stopped half-way, an empty file given as ``DST`` is still empty (it was half filled)."""
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(b"")
    copy.chmod(0o640)
    before = sorted(p.name for p in tmp_path.iterdir())
    with monkeypatch.context() as patch:
        _during_copy(patch, _interrupt)
        assert main(["db", "copy", str(source), str(copy)]) == 130
    assert copy.read_bytes() == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    capsys.readouterr()
    assert main(["db", "copy", str(source), str(copy)]) == 0
    assert "copied and verified: 3 records" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert _records_in(copy) == 3
    assert stat.S_IMODE(copy.stat().st_mode) == 0o640  # the file given keeps its permissions
    assert main(["db", "check", str(copy)]) == 0


@pytest.mark.parametrize("links", [True, False], ids=["hard links", "no hard links"])
def test_a_destination_made_during_the_copy_is_not_replaced(
    links: bool,
    source: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Another program's ``DST`` stays; the verified copy is kept, staged, and named."""
    copy = tmp_path / "copy.sqlite"
    if not links:
        _without_hard_links(monkeypatch)
    _during_copy(monkeypatch, lambda: copy.write_bytes(b"theirs"))
    assert main(["db", "copy", str(source), str(copy)]) == 2
    out, err = capsys.readouterr()
    assert copy.read_bytes() == b"theirs"
    (kept,) = _staged(tmp_path)
    assert err == (
        f"volunteer-rules db copy: error: {copy} was made by another program during the copy:"
        f" it is left as it is; the verified copy is kept as {kept} (move it to {copy} once"
        " that is not needed)\n"
    )
    assert "copied and verified: 3 records" in out
    assert not list(tmp_path.glob("*.partial-*-*"))  # no log beside it: the file is whole
    assert _records_in(kept) == 3
    assert main(["db", "check", str(kept)]) == 0


def test_an_empty_destination_written_during_the_copy_is_not_replaced(
    source: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(b"")
    _during_copy(monkeypatch, lambda: copy.write_bytes(b"theirs"))
    assert main(["db", "copy", str(source), str(copy)]) == 2
    assert f"{copy} was changed by another program during the copy" in capsys.readouterr().err
    assert copy.read_bytes() == b"theirs"
    (kept,) = _staged(tmp_path)
    assert _records_in(kept) == 3


def test_without_hard_links_a_new_destination_is_still_made(
    source: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Where a file system has no hard links, the move creates ``DST`` exclusively first."""
    _without_hard_links(monkeypatch)
    copy = tmp_path / "copy.sqlite"
    assert main(["db", "copy", str(source), str(copy)]) == 0
    capsys.readouterr()
    assert _records_in(copy) == 3
    assert not _staged(tmp_path)


def test_a_database_destination_is_still_written_in_place(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An existing (empty) database is not replaced: it may hold what a copy does not carry."""
    copy = tmp_path / "copy.sqlite"
    with SQLiteDatabase(copy):
        pass
    inode = copy.stat().st_ino
    assert main(["db", "copy", str(source), str(copy)]) == 0
    capsys.readouterr()
    assert copy.stat().st_ino == inode
    assert _records_in(copy) == 3


def _without_hard_links(monkeypatch: pytest.MonkeyPatch) -> None:
    """``os.link`` as on a file system with none (FAT, some network shares)."""

    def no_link(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(os, "link", no_link)


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("folder", "{dst}: is a folder, not a database file"),
        ("no folder", "{dst}: cannot be made: there is no folder {folder}"),
        ("device", "{dst}: is not a regular file (a device or a pipe), not a database file"),
        ("the source", "{dst} is the source {src}: copy it into another file"),
    ],
)
def test_a_destination_that_can_be_no_copy_says_why(
    given: str, says: str, source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not SQLite's "unable to open database file", "disk I/O error" or "is not empty"."""
    if given == "device" and not os.path.exists(os.devnull):
        pytest.skip("no null device here")
    folder = tmp_path / "none"
    destination = {
        "folder": tmp_path,
        "no folder": folder / "copy.sqlite",
        "device": Path(os.devnull),
        "the source": tmp_path / ".." / tmp_path.name / source.name,
    }[given]
    before = {p: p.read_bytes() for p in tmp_path.iterdir()}
    assert main(["db", "copy", str(source), str(destination)]) == 2
    out, err = capsys.readouterr()
    expected = says.format(dst=destination, folder=folder, src=source)
    assert (out, err) == ("", f"volunteer-rules db copy: error: {expected}\n")
    assert {p: p.read_bytes() for p in tmp_path.iterdir()} == before


# db copy, run as a program whose copy waits (a large database) once the records are written:
# the line "copying" says it is waiting, half-way.
_SLOW_COPY = """
import os, sys, time
from volunteer_rules.cli import main
from volunteer_rules.storage import SQLiteRecordStore

add = SQLiteRecordStore.add

def slow(self, *args, **kwargs):
    added = add(self, *args, **kwargs)
    os.write(1, b"copying\\n")
    time.sleep(120)
    return added

SQLiteRecordStore.add = slow
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.skipif(not hasattr(signal, "SIGTERM") or os.name != "posix", reason="POSIX")
@pytest.mark.parametrize(
    ("sent", "status", "line"),
    [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")],
    ids=["kill", "Ctrl-C"],
)
@pytest.mark.parametrize("empty", [False, True], ids=["new file", "empty file"])
def test_a_copy_stopped_by_a_signal_leaves_the_destination_as_it_was(
    sent: signal.Signals, status: int, line: str, empty: bool, source: Path, tmp_path: Path
) -> None:
    """A real signal to the real program half-way: one line, no staged copy left behind."""
    copy = tmp_path / "copy.sqlite"
    if empty:
        copy.write_bytes(b"")
    before = sorted(p.name for p in tmp_path.iterdir())
    with subprocess.Popen(
        [sys.executable, "-c", _SLOW_COPY, "db", "copy", str(source), str(copy)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # as a shell starts a program: SIGINT not ignored (a background job's would be)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    ) as process:
        try:
            assert process.stdout is not None
            assert process.stdout.readline() == "copying\n"
            assert _staged(tmp_path)  # half-way: the staged copy is there
            process.send_signal(sent)
            out, err = process.communicate(timeout=60)
        finally:
            process.kill()
    assert (process.returncode, out, err) == (status, "", f"volunteer-rules: {line}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert not empty or copy.read_bytes() == b""


@pytest.mark.skipif(not hasattr(signal, "SIGTERM"), reason="no SIGTERM here")
def test_main_leaves_the_sigterm_handler_as_it_found_it(capsys: pytest.CaptureFixture[str]) -> None:
    """The handler is the command's while it runs only: a program calling main keeps its own."""

    def own(signum: int, frame: object) -> None:
        """A caller's handler."""

    before = signal.getsignal(signal.SIGTERM)
    try:
        for handler in (signal.SIG_DFL, own):
            signal.signal(signal.SIGTERM, handler)
            assert main(["--version"]) == 0
            assert signal.getsignal(signal.SIGTERM) is handler
    finally:
        signal.signal(signal.SIGTERM, before)
    capsys.readouterr()


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("missing", "no such file"),
        ("folder", "is a folder, not a database file"),
        ("device", "is not a regular file (a device or a pipe), not a database file"),
        ("empty", "is an empty file, not a database"),
    ],
)
@pytest.mark.parametrize("command", ["check", "copy"])
def test_a_database_to_read_that_can_be_none_says_why(
    given: str, says: str, command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``db check`` and ``db copy`` read the file they are given; nothing is made or changed."""
    if given == "device" and not os.path.exists(os.devnull):
        pytest.skip("no null device here")
    path = {
        "missing": tmp_path / "none.sqlite",
        "folder": tmp_path,
        "device": Path(os.devnull),
        "empty": tmp_path / "empty.sqlite",
    }[given]
    if given == "empty":
        path.touch()
    before = sorted((p, p.stat().st_size) for p in tmp_path.rglob("*"))
    argv = ["db", command, str(path)] + (
        [str(tmp_path / "copy.sqlite")] if command == "copy" else []
    )
    assert main(argv) == 2
    assert capsys.readouterr().err == f"volunteer-rules db {command}: error: {path}: {says}\n"
    assert sorted((p, p.stat().st_size) for p in tmp_path.rglob("*")) == before
