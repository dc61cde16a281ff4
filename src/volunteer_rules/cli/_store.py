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
import os
from collections.abc import Iterator

import attrs

from volunteer_rules.errors import InvalidTypeError
from volunteer_rules.storage.memory import (
    InMemoryLedgerStore,
    InMemoryRecordStore,
    InMemoryTransferStore,
)
from volunteer_rules.storage.protocols import LedgerStore, RecordStore, TransferStore
from volunteer_rules.storage.sqlite import (
    SQLiteDatabase,
    SQLiteLedgerStore,
    SQLiteRecordStore,
    SQLiteTransferStore,
)

__all__ = ["DB_HELP", "Stores", "add_db_option", "open_stores"]

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


def add_db_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--db FILE`` (default: ``None``, in memory) to a sub-command's parser.

    Example:
        >>> parser = argparse.ArgumentParser()
        >>> add_db_option(parser)
        >>> parser.parse_args(["--db", "bank.sqlite"]).db
        'bank.sqlite'
    """
    parser.add_argument("--db", metavar="FILE", default=None, help=DB_HELP)


@contextlib.contextmanager
def open_stores(path: str | os.PathLike[str] | None) -> Iterator[Stores]:
    """Open the stores: in memory for ``None``, else on the SQLite file ``path``.

    The file is closed when the block ends.

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
    database = SQLiteDatabase(path)
    try:
        yield Stores(
            records=SQLiteRecordStore(database),
            ledger=SQLiteLedgerStore(database),
            transfers=SQLiteTransferStore(database),
            database=database,
        )
    finally:
        database.close()
