"""The ``--db FILE`` option shared by the sub-commands, and opening the stores it names.

Without ``--db`` a command works in memory (:mod:`volunteer_rules.storage.memory`): it reads
its input, answers, and keeps nothing. With ``--db FILE`` it works on a SQLite file
(:mod:`volunteer_rules.storage.sqlite`, created if missing, migrated forward if older): records
checked or certified are kept, ledger transfers and transfer packages persist between runs,
and several commands may use the file at once.

A sub-command adds the option with :func:`add_db_option` in its ``build_parser`` and opens the
stores in ``run`` with :func:`open_stores` (a context manager that closes the file)::

    def run(args):
        try:
            with open_stores(args.db) as stores:
                ...  # stores.records, stores.ledger, stores.transfers
        except StorageError as error:
            return usage_error("ledger", str(error))

Example:
    >>> import argparse
    >>> parser = argparse.ArgumentParser()
    >>> add_db_option(parser)
    >>> args = parser.parse_args([])
    >>> with open_stores(args.db) as stores:
    ...     stores.records.count(), stores.persistent
    (0, False)
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import os
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Final

import attrs

from volunteer_rules.cli._io import path_option
from volunteer_rules.errors import InvalidTypeError, StorageError
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.storage.memory import (
    InMemoryLedgerStore,
    InMemoryRecordStore,
    InMemoryTransferStore,
)
from volunteer_rules.storage.protocols import LedgerStore, RecordStore, TransferStore

if TYPE_CHECKING:
    from volunteer_rules.storage.sqlite import SQLiteDatabase
    from volunteer_rules.timebank.operations import CreditResult

__all__ = [
    "DB_HELP",
    "Stores",
    "add_db_option",
    "credit_stored_ledger",
    "db_file_option",
    "is_postgresql",
    "keep_records",
    "open_stores",
    "remember_records",
    "shown_target",
    "stored_records",
    "unreadable",
    "unusable_database_path",
]

DB_HELP = (
    "keep records, the time bank ledger and transfer packages in this SQLite file "
    "(created if missing); without it everything stays in memory and nothing is kept"
)
"""The help text of ``--db``."""


@attrs.frozen(kw_only=True)
class Stores:
    """The three stores a command works on, and the database behind them (if any).

    Attributes:
        records: the service records.
        ledger: the time bank ledger.
        transfers: transfer packages and their lifecycle.
        database: the open SQLite database, or ``None`` in memory.

    Example:
        >>> with open_stores(None) as stores:
        ...     type(stores.ledger).__name__
        'InMemoryLedgerStore'
    """

    records: RecordStore
    ledger: LedgerStore
    transfers: TransferStore
    database: SQLiteDatabase | None = None

    @property
    def persistent(self) -> bool:
        """Whether the stores are kept in a file.

        Example:
            >>> Stores(records=InMemoryRecordStore(), ledger=InMemoryLedgerStore(),
            ...        transfers=InMemoryTransferStore()).persistent
            False
        """
        return self.database is not None


def is_postgresql(target: str) -> bool:
    """Whether ``target`` names a PostgreSQL database (a URL or libpq's ``key=value`` form).

    Example:
        >>> is_postgresql("postgresql://vr@db.example.org/vr"), is_postgresql("bank.sqlite")
        (True, False)
    """
    return target.startswith(("postgresql://", "postgres://")) or "dbname=" in target


_PASSWORD: Final = re.compile(
    r"(?<=://)([^/@:]*):[^/@]*@|(?<![^\s])(password\s*=\s*)(?:'[^']*'|\S*)"
)


def shown_target(target: str) -> str:
    """``target`` as a message shows it: a PostgreSQL connection string's password hidden.

    Example:
        >>> shown_target("postgresql://vr:secret@db.example.org/vr")
        'postgresql://vr:***@db.example.org/vr'
        >>> shown_target("host=db dbname=vr password=secret"), shown_target("bank.sqlite")
        ('host=db dbname=vr password=***', 'bank.sqlite')
    """
    if not is_postgresql(target):
        return target
    return _PASSWORD.sub(
        lambda m: f"{m.group(1)}:***@" if m.group(1) is not None else f"{m.group(2)}***", target
    )


def db_file_option(text: str) -> str:
    """The ``type`` of ``--db``: a SQLite file; a PostgreSQL database is refused, not echoed.

    A connection string may hold a password: the refusal does not repeat it (argparse prints
    the message after the option's name only).

    Example:
        >>> db_file_option("bank.sqlite")
        'bank.sqlite'
        >>> db_file_option("postgresql://vr:secret@db.example.org/vr")
        Traceback (most recent call last):
        ...
        argparse.ArgumentTypeError: takes a SQLite file, not a PostgreSQL database: use PostgreSQLDatabase from Python (volunteer-rules db check and db copy take one too)
    """
    path = path_option(text)
    if is_postgresql(path):
        raise argparse.ArgumentTypeError(
            "takes a SQLite file, not a PostgreSQL database: use PostgreSQLDatabase from "
            "Python (volunteer-rules db check and db copy take one too)"
        )
    return path


def add_db_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--db FILE`` (default: ``None``, in memory) to a sub-command's parser.

    Example:
        >>> parser = argparse.ArgumentParser()
        >>> add_db_option(parser)
        >>> parser.parse_args(["--db", "bank.sqlite"]).db
        'bank.sqlite'
    """
    parser.add_argument("--db", metavar="FILE", default=None, type=db_file_option, help=DB_HELP)


@contextlib.contextmanager
def open_stores(path: str | os.PathLike[str] | None) -> Iterator[Stores]:
    """Open the stores: in memory for ``None``, else on the SQLite file ``path``.

    The block is one transaction of the file: what it wrote is kept when it ends, and none
    of it when it raises (a command that fails changes nothing). The file is closed when the
    block ends.

    Raises:
        StorageError: the file cannot be opened or is not a database of this library.
        InvalidTypeError: ``path`` is neither ``None`` nor a path.

    Example:
        >>> import tempfile, pathlib
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     with open_stores(pathlib.Path(folder) / "bank.sqlite") as stores:
        ...         print(stores.persistent, stores.ledger.transfer_count())
        True 0
    """
    if path is None:
        yield Stores(
            records=InMemoryRecordStore(),
            ledger=InMemoryLedgerStore(),
            transfers=InMemoryTransferStore(),
        )
        return
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidTypeError("path", f"must be a str or path, not {type(path).__name__}")
    problem = unusable_database_path(os.fspath(path))
    if problem is not None:
        raise StorageError(f"opening {os.fspath(path)}: {problem}")  # as SQLite's are
    # (imported here: the SQLite stores load the community wing, which a run without --db,
    # the usual one, never needs; that was a third of the program's start)
    from volunteer_rules.storage.sqlite import (
        SQLiteDatabase,
        SQLiteLedgerStore,
        SQLiteRecordStore,
        SQLiteTransferStore,
    )

    database = SQLiteDatabase(path)
    try:
        with database.transaction(f"using {path}"):  # all of a command's work, or none
            yield Stores(
                records=SQLiteRecordStore(database),
                ledger=SQLiteLedgerStore(database),
                transfers=SQLiteTransferStore(database),
                database=database,
            )
    finally:
        database.close()


def unusable_database_path(path: str) -> str | None:
    """Why ``path`` can be no SQLite file (a folder, a device, no folder to make it in).

    SQLite's own words for these ("unable to open database file", "disk I/O error") do not
    say what is wrong. ``None`` when it may be one (whether it is, opening it tells).

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     print(unusable_database_path(folder))
        ...     print(unusable_database_path(os.path.join(folder, "bank.sqlite")))
        ...     print(unusable_database_path(os.path.join(folder, "no", "bank.sqlite"))[:34])
        is a folder, not a database file
        None
        cannot be made: there is no folder
    """
    if os.path.isdir(path):
        return "is a folder, not a database file"
    if os.path.exists(path):
        return unreadable(path) if os.path.isfile(path) else _NOT_REGULAR
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        return f"cannot be made: there is no folder {folder}"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot be made: the folder {folder} cannot be written (permission denied)"
    return None


_NOT_REGULAR: Final = "is not a regular file (a device or a pipe), not a database file"


def unreadable(path: str) -> str | None:
    """Why the regular file ``path`` cannot be read (``Permission denied``), or ``None``.

    Example:
        >>> unreadable(os.devnull) is None
        True
    """
    try:
        with open(path, "rb"):
            return None
    except OSError as error:
        return f"cannot be read: {error.strerror or error}"


# The helpers below are what the sub-commands call when ``--db`` is given: each opens the
# file, does one thing in one transaction, and closes it. They raise the library's errors
# (``StorageError`` for the file, ``ConflictError`` for content that contradicts the file).


def _add_versions(stores: Stores, records: Iterable[ServiceRecord]) -> tuple[ServiceRecord, ...]:
    """Add ``records`` to the record store by the one rule for repeated keys; return conflicts.

    The rule is :func:`volunteer_rules.rules.versions.resolve_versions`: an identical repeat
    is one record, and a key given with conflicting versions is not stored (a store holds one
    version of a key). Every other record is added in one transaction. The conflicting
    versions are returned, so that the caller hands them on with what the store holds and
    the same rule excludes the key for every volunteer they name, as without a store.

    Raises:
        ConflictError: a record key is held with other content (nothing is added).
    """
    from volunteer_rules.rules.versions import resolve_versions

    versions = resolve_versions(records)
    stores.records.add(list(versions.records))
    return tuple(v for key in versions.conflict_keys for v in versions.conflicts[key])


def remember_records(
    path: str | os.PathLike[str], records: Iterable[ServiceRecord]
) -> tuple[ServiceRecord, ...]:
    """Add ``records`` to the file's record store; return what a command should work on.

    The records are added in one transaction (all or none, a record already held is a
    no-op). A key that ``records`` give with conflicting versions is not stored (a store holds
    one version of a key): its versions are returned after what the store holds, so that the
    one rule for repeated keys (:mod:`volunteer_rules.rules.versions`) excludes the key for
    every volunteer they name, as without a store. The result is every record the store holds,
    in recorded order (what was kept before, and what came now), then those versions.

    Raises:
        ConflictError: a record key is held with other content (nothing is added).
        StorageError: the file cannot be used.

    Example:
        >>> import tempfile, pathlib
        >>> from volunteer_rules.testing.contracts import make_record
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     db = pathlib.Path(folder) / "records.sqlite"
        ...     first = remember_records(db, [make_record("r-1")])
        ...     both = remember_records(db, [make_record("r-2")])
        >>> len(first), [r.record_id for r in both]
        (1, ['r-1', 'r-2'])
    """
    with open_stores(path) as stores:
        conflicting = _add_versions(stores, records)
        held = stores.records.find()
    return held + conflicting


def keep_records(
    path: str | os.PathLike[str], records: Iterable[ServiceRecord]
) -> tuple[int, tuple[str, ...]]:
    """Keep the records of an input in the file, leaving out the keys the input contradicts.

    A key that comes twice in ``records`` with different content (a conflict ``check``
    reports) is not kept at all; every other record is added in one transaction. Returns how
    many records were new and the ``organization_id/record_id`` keys left out.

    Raises:
        ConflictError: a record is held in the file with other content (nothing is added).
        StorageError: the file cannot be used.

    Example:
        >>> import tempfile, pathlib
        >>> from volunteer_rules.testing.contracts import make_record
        >>> records = [make_record("r-1"), make_record("r-2"), make_record("r-2", minutes=5)]
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     keep_records(pathlib.Path(folder) / "records.sqlite", records)
        (1, ('512111005000000154/r-2',))
    """
    from volunteer_rules.rules.versions import resolve_versions
    from volunteer_rules.storage._common import record_key_text

    versions = resolve_versions(records)
    with open_stores(path) as stores:
        added = stores.records.add(list(versions.records))
    return added, tuple(record_key_text(*key) for key in versions.conflict_keys)


def stored_records(
    path: str | os.PathLike[str], *, volunteer_id: str | None = None
) -> tuple[ServiceRecord, ...]:
    """Return the records the file holds (what one volunteer's count needs, if given).

    For a volunteer, that is their records and every record amending one of them, whoever's
    (:func:`~volunteer_rules.storage.services.stored_history`), so that an amendment entered
    under another volunteer is honoured as certification honours it. In recorded order.

    Example:
        >>> import tempfile, pathlib
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     stored_records(pathlib.Path(folder) / "empty.sqlite")
        ()
    """
    from volunteer_rules.storage.services import stored_history

    with open_stores(path) as stores:
        if volunteer_id is None:
            return stores.records.find()
        return stored_history(stores.records, [volunteer_id])


def credit_stored_ledger(
    path: str | os.PathLike[str],
    records: Iterable[ServiceRecord],
    *,
    now: _dt.datetime,
    policy: Any,
) -> CreditResult:
    """Keep ``records`` in the file, then credit their volunteers' whole stored histories.

    The records are added to the file's record store first, by the one rule for repeated
    keys, as :func:`remember_records` adds them (a record already held is a no-op; one held
    with other content is a ``ConflictError`` and nothing changes; a key the input gives in
    conflicting versions is not stored, and its versions are credited with the history, so
    that the rule credits none of them, as without a file). Then every
    record the file holds for the volunteers concerned is credited together, so what a
    volunteer is credited equals what certification counts on all the records the file has
    seen, whatever order the runs came in (an overlap across two runs counts once). The
    volunteers concerned are those of ``records`` and every volunteer linked to them by
    amendments (:func:`~volunteer_rules.storage.services.stored_history` with ``linked``):
    a record amended under another volunteer has its credit taken back from its owner, and
    is never credited again on a later run. The
    result's ``ledger`` is the whole stored ledger after the credits (for balances and
    statements); crediting the same records again posts nothing.

    Example:
        >>> import tempfile, pathlib
        >>> from datetime import datetime, timezone
        >>> from volunteer_rules.testing.contracts import make_record
        >>> now = datetime(2024, 6, 1, tzinfo=timezone.utc)
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     db = pathlib.Path(folder) / "bank.sqlite"
        ...     _ = credit_stored_ledger(db, [make_record("r-1")], now=now, policy="generic")
        ...     again = credit_stored_ledger(db, [make_record("r-1")], now=now, policy="generic")
        >>> again.ledger.balance("V0000001"), [d.outcome for d in again.decisions]
        (Hours(minutes=120), ['already_credited'])
    """
    from volunteer_rules.storage.services import credit_records, stored_history

    batch = list(records)
    with open_stores(path) as stores:
        conflicting = _add_versions(stores, batch)
        volunteers = {record.volunteer_id for record in batch}
        history = [*stored_history(stores.records, volunteers, linked=True), *conflicting]
        result: CreditResult = credit_records(stores.ledger, history, now=now, policy=policy).value
        return result
