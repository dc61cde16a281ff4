r"""``volunteer-rules db check FILE`` and ``db copy SRC DST``: look after a database.

``db check`` opens the file (it changes no data and does not create a missing file) and runs
:meth:`volunteer_rules.storage.SQLiteDatabase.check`: SQLite's own structure, the schema, every
row's checksum, each table's seal (no row deleted or added behind the library's back), records and
packages that read back and match their columns, package states, and the ledger's numbering and
sums. It prints ``ok`` or one line per problem; after ``ok``, a ``note:`` line says when the seals
were made from the rows found in a database of an older version (a row lost before then cannot be
seen). ``FILE`` may also be a PostgreSQL connection string or URL (the ``postgresql`` extra): then
:meth:`~volunteer_rules.storage.postgresql.PostgreSQLDatabase.check` runs.

Exit status: ``0`` sound, ``1`` damage found (or the file cannot be opened as a database of
the library; or it holds nothing at all, with a warning), ``2`` usage error (no such file, a
folder, or a file that cannot be read).

``db copy SRC DST`` copies everything a database holds (records, transfer packages with their
whole history, the ledger) into an empty one and then verifies the copy: the same records,
packages, histories and postings read back from both, and ``check`` finds nothing in the
copy. Each of ``SRC`` and ``DST`` is a SQLite file, or a PostgreSQL connection string or URL
(``postgresql://...``, or ``host=... dbname=...``; needs the ``postgresql`` extra): this is
how a platform moves from SQLite to PostgreSQL. The source is only read: one of an older
schema is refused (any command given it as ``--db`` brings it up to date). A source that
``check`` finds damaged is not
copied (a copy would pass ``check`` and the damage would vanish without a word): its problems
are listed, as ``db check`` lists them, and nothing is written. Exit status: ``0`` copied and
verified, ``1`` the source is damaged or the copy differs (or the source held nothing, with a
warning), ``2`` usage error (no source, a destination that is not empty). A copy into a SQLite
file that does not exist yet, or is an empty file, is staged beside it and moved once
verified, so a copy stopped half-way leaves the destination as it was; a destination another
program made or wrote meanwhile is not replaced (the verified copy is kept, staged, and named;
exit status 2). A password in a PostgreSQL connection string is shown as
``***`` in every message.

Example:
    >>> import os, tempfile
    >>> from volunteer_rules.cli import main
    >>> from volunteer_rules.storage import SQLiteDatabase, SQLiteRecordStore
    >>> from volunteer_rules import parse_record
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "bank.sqlite")
    ...     with SQLiteDatabase(path) as database:
    ...         _ = SQLiteRecordStore(database).add([parse_record(SAMPLE_RECORD_PAYLOAD)])
    ...     main(["db", "check", path])
    ok
    0
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import sqlite3
import stat
import sys
from typing import Any

from volunteer_rules.cli._io import empty_warning, path_option, usage_error
from volunteer_rules.cli._store import (
    is_postgresql,
    shown_target,
    unusable_database_path,
)
from volunteer_rules.errors import VolunteerRulesError
from volunteer_rules.storage.sqlite import (
    SQLiteDatabase,
    SQLiteLedgerStore,
    SQLiteRecordStore,
    SQLiteTransferStore,
)
from volunteer_rules.storage.sqlite_schema import _COMMUNITY_SEALED

__all__ = ["build_parser", "run"]


def build_parser(parser: argparse.ArgumentParser) -> None:
    """Add the sub-commands of ``db`` to ``parser``.

    Example:
        >>> parser = argparse.ArgumentParser()
        >>> build_parser(parser)
        >>> parser.parse_args(["check", "bank.sqlite"]).file
        'bank.sqlite'
    """
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    about = "look for damage in a database"
    check = actions.add_parser("check", help=about, description=about)
    check.add_argument(
        "file", type=path_option, metavar="FILE", help="a SQLite file or a PostgreSQL URL"
    )
    about = "copy a database into an empty one and verify it"
    copy = actions.add_parser("copy", help=about, description=about)
    copy.add_argument(
        "source", type=path_option, metavar="SRC", help="a SQLite file or a PostgreSQL URL"
    )
    copy.add_argument(
        "destination", type=path_option, metavar="DST", help="a SQLite file or a PostgreSQL URL"
    )


def run(args: argparse.Namespace) -> int:
    """Run ``db``; return the exit status.

    Example:
        >>> run(argparse.Namespace(action="check", file="/no/such/file.sqlite"))
        2
    """
    if args.action == "copy":
        return _copy(args.source, args.destination)
    return _check(args.file)


def _check(path: str) -> int:
    if is_postgresql(path):
        try:
            database, records, packages, ledger = _open(path)
        except VolunteerRulesError as error:
            return usage_error("db check", str(error))
        with database:
            problems = database.check()
            empty = not problems and _is_empty(records, packages, ledger)
            pg_notes = () if problems else database.notes()
        for problem in problems:
            print(f"database: {problem}")
        if not problems:
            print("ok")
            _print_notes(pg_notes)
        if empty:
            return empty_warning("db", "the database holds nothing (no record, package or ledger)")
        return 1 if problems else 0
    if (why := _not_a_file(path)) is not None:
        return usage_error("db check", f"{path}: {why}")
    empty = False
    notes: tuple[str, ...] = ()
    try:
        with SQLiteDatabase(path, migrate=False) as database:
            problems = database.check()
            if not problems:
                notes = database.notes()
                empty = _is_empty(
                    SQLiteRecordStore(database),
                    SQLiteTransferStore(database),
                    SQLiteLedgerStore(database),
                ) and not _holds_community_data(database)
    except VolunteerRulesError as error:
        problems = (f"cannot be opened: {error}",)
    if not problems:
        print("ok")
        _print_notes(notes)
        if empty:
            return empty_warning(
                "db", f"{path} holds nothing (no record, package, ledger or community data)"
            )
        return 0
    for problem in problems:
        print(f"{path}: {problem}")
    return 1


def _print_notes(notes: tuple[str, ...]) -> None:
    """Print what the check cannot vouch for (a database sealed as found), after ``ok``."""
    for note in notes:
        print(f"note: {note}")


def _is_empty(records: Any, packages: Any, ledger: Any) -> bool:
    """Whether a database's stores hold nothing at all."""
    return not (records.count() or packages.package_ids() or ledger.transfer_count())


def _holds_community_data(database: SQLiteDatabase) -> bool:
    """Whether a file holds community data: an entry of a registry or an attendance event.

    Read directly (opening a community store would add its tables to a file that has none).
    """
    with database.reading("reading the community tables") as connection:
        tables = {
            name for (name,) in connection.execute("SELECT name FROM sqlite_master")
        }.intersection(_COMMUNITY_SEALED)
        return any(
            connection.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0]
            for table in sorted(tables)
        )


def _open(target: str, *, migrate: bool = True) -> tuple[Any, Any, Any, Any]:
    """Open a database and its three stores: (database, records, packages, ledger).

    ``migrate=False`` for a source: copying reads it and never changes it, so an older schema
    is refused (by the database's own message) rather than brought up to date.
    """
    if is_postgresql(target):
        from volunteer_rules.storage import postgresql as pg

        database: Any = pg.PostgreSQLDatabase(target, migrate=migrate)
        return (
            database,
            pg.PostgreSQLRecordStore(database),
            pg.PostgreSQLTransferStore(database),
            pg.PostgreSQLLedgerStore(database),
        )
    database = SQLiteDatabase(target, migrate=migrate)
    return (
        database,
        SQLiteRecordStore(database),
        SQLiteTransferStore(database),
        SQLiteLedgerStore(database),
    )


def _holds(records: Any, packages: Any, ledger: Any) -> tuple[Any, ...]:
    """Everything a database holds, read back through its stores."""
    ids = packages.package_ids()
    return (
        records.find(),
        ids,
        tuple(packages.get_package(package_id) for package_id in ids),
        tuple(packages.history(package_id) for package_id in ids),
        ledger.postings(),
    )


def _not_a_file(path: str) -> str | None:
    """Why ``path`` cannot be a database file to read (missing, a folder, empty...), or ``None``.

    An empty file is no database: opened, it would be made one (the check or the copy would
    write the file it only reads).
    """
    if not os.path.exists(path):
        return "no such file"
    if os.path.isfile(path) and os.path.getsize(path) == 0:
        return "is an empty file, not a database"
    return unusable_database_path(path)  # a folder, a device or a pipe, an unreadable file


def _copy(source: str, destination: str) -> int:
    """``db copy``: into a new SQLite file through a staged file, so that it is whole or absent.

    A SQLite destination that does not exist yet, or is an empty file (0 bytes), is written as
    ``DST.partial-PID`` beside it and moved to ``DST`` once verified: a copy stopped half-way
    (Ctrl-C, a full disk, a difference found) leaves ``DST`` as it was, and the next run
    starts again. The move never replaces a ``DST`` another program made or wrote meanwhile
    (:func:`_settle`): the verified copy is then kept under its staged name, and said so.
    """
    if (why := _unusable_destination(source, destination)) is not None:
        return usage_error("db copy", why)
    staged = None
    found = _empty_file(destination)
    if not is_postgresql(destination) and (found or not os.path.lexists(destination)):
        staged = f"{destination}.partial-{os.getpid()}"
    status, keep = 1, False
    try:
        status = _copy_into(source, destination, staged or destination)
        if staged is not None and status == 0:
            # Closed, its log is already in the file; made sure of before the file moves alone.
            with contextlib.closing(sqlite3.connect(staged)) as connection:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            try:
                why = _settle(staged, destination, found)
            except OSError as error:
                why = f"cannot be written ({error.strerror or error})"
            if why is not None:
                keep = True
                status = usage_error(
                    "db copy",
                    f"{destination} {why}: it is left as it is; the verified copy is kept as"
                    f" {staged} (move it to {destination} once that is not needed)",
                )
    finally:
        if staged is not None:
            for leftover in (f"{staged}-wal", f"{staged}-shm", f"{staged}-journal"):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(leftover)
            if not keep:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(staged)
    return status


def _unusable_destination(source: str, destination: str) -> str | None:
    """Why a SQLite ``destination`` cannot be copied into (a folder, the source itself...)."""
    if is_postgresql(destination):
        return None
    if (why := unusable_database_path(destination)) is not None:
        return f"{destination}: {why}"
    with contextlib.suppress(OSError, ValueError):
        if not is_postgresql(source) and os.path.samefile(source, destination):
            return f"{destination} is the source {source}: copy it into another file"
    return None


def _empty_file(path: str) -> os.stat_result | None:
    """``path``'s state when it is an empty regular file with no SQLite log beside it."""
    if is_postgresql(path) or any(os.path.lexists(path + end) for end in ("-wal", "-journal")):
        return None
    try:
        found = os.lstat(path)
    except (OSError, ValueError):
        return None
    return found if stat.S_ISREG(found.st_mode) and found.st_size == 0 else None


def _settle(staged: str, destination: str, found: os.stat_result | None) -> str | None:
    """Move the verified ``staged`` file to ``destination``; why not, when it cannot be.

    A destination that did not exist (``found`` is ``None``) is made by a hard link, which
    fails when another program made one meanwhile (where hard links are not supported: by
    creating it exclusively first). An empty one found at the start is replaced only when it
    is still that same empty file.
    """
    if found is None:
        try:
            os.link(staged, destination)
        except FileExistsError:
            return "was made by another program during the copy"
        except OSError:  # no hard links here (some network and FAT file systems)
            try:
                os.close(os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except FileExistsError:
                return "was made by another program during the copy"
            os.replace(staged, destination)  # over the empty file made just above
            return None
        os.remove(staged)
        return None
    try:
        now = os.lstat(destination)
    except FileNotFoundError:  # removed meanwhile: made afresh
        return _settle(staged, destination, None)
    if (now.st_dev, now.st_ino, now.st_size, now.st_mtime_ns) != (
        found.st_dev,
        found.st_ino,
        0,
        found.st_mtime_ns,
    ):
        return "was changed by another program during the copy"
    os.chmod(staged, stat.S_IMODE(found.st_mode))  # the file given keeps its permissions
    os.replace(staged, destination)
    return None


def _copy_into(source: str, destination: str, target: str) -> int:
    """Copy ``source`` into ``target``; messages name ``destination``, the file the user named."""
    shown_source, shown_destination = shown_target(source), shown_target(destination)
    if not is_postgresql(source) and (why := _not_a_file(source)) is not None:
        return usage_error("db copy", f"{source}: {why}")
    try:
        src_db, src_records, src_packages, src_ledger = _open(source, migrate=False)
        try:
            damage = src_db.check()  # a damaged source is not copied: its damage would vanish
            if damage:
                for problem in damage:
                    print(f"{shown_source}: {problem}")
                print(
                    f"volunteer-rules db copy: {shown_source} is damaged (as db check reports): "
                    "nothing copied",
                    file=sys.stderr,
                )
                src_db.close()
                return 1
            dst_db, dst_records, dst_packages, dst_ledger = _open(target)
        except BaseException:
            src_db.close()
            raise
    except VolunteerRulesError as error:
        return usage_error("db copy", str(error).replace(target, destination))
    try:
        if dst_records.count() or dst_packages.package_ids() or dst_ledger.transfer_count():
            return usage_error("db copy", f"{shown_destination} is not empty")
        held = _holds(src_records, src_packages, src_ledger)
        records, ids, packages, histories, postings = held
        dst_records.add(records)
        for package, history in zip(packages, histories, strict=True):
            dst_packages.add_package(package, at=history[0].at)
            for before, event in itertools.pairwise(history):
                dst_packages.change_state(
                    package.digest,
                    expected=before.state,
                    new=event.state,
                    at=event.at,
                    reason=event.reason,
                )
        for start in range(0, len(postings), 1000):
            dst_ledger.append(postings[start : start + 1000])
        copied = _holds(dst_records, dst_packages, dst_ledger)
        problems = list(dst_db.check())
        names = ("records", "package ids", "packages", "package histories", "ledger postings")
        for name, mine, theirs in zip(names, held, copied, strict=True):
            if mine != theirs:
                problems.append(f"the copy's {name} differ from the source's")
    except VolunteerRulesError as error:
        problems = [str(error).replace(target, destination)]
    finally:
        src_db.close()
        dst_db.close()
    if problems:
        for problem in problems:
            print(f"{shown_destination}: {problem}")
        return 1
    print(
        f"copied and verified: {len(records)} records, {len(ids)} transfer packages, "
        f"{len(postings)} ledger transfers"
    )
    if not (records or ids or postings):
        return empty_warning("db", f"{shown_source} holds nothing: nothing was copied")
    return 0
