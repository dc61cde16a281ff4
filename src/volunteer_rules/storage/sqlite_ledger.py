"""The time bank's ledger store in a SQLite file: one row per entry, appended in batches.

:mod:`volunteer_rules.storage.sqlite` re-exports :class:`SQLiteLedgerStore`.

Example:
    >>> from volunteer_rules.storage.sqlite_ledger import SQLiteLedgerStore
    >>> SQLiteLedgerStore(":memory:").transfer_count()
    0
"""

from __future__ import annotations

import datetime as _dt
import os
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Final

from volunteer_rules.hours import Hours
from volunteer_rules.storage import _common
from volunteer_rules.storage._sqlite_rows import (
    _account_version,
    _append_one_by_one,
    _check_versions,
    _entry_rows,
    _EntryRow,
    _next_posting,
    _read_balances,
    _read_entries,
    _read_posting,
    _read_postings,
    _transfer_not_found,
    _write_entries,
)
from volunteer_rules.storage.sqlite_database import SQLiteDatabase, _database, _reads_stored_data
from volunteer_rules.timebank.ledger import LedgerEntry, LedgerTransfer, PostedTransfer

__all__ = ["SQLiteLedgerStore"]


_MAX_INTEGER: Final = 2**63 - 1
"""The largest integer SQLite stores."""


class _SlowPath(Exception):
    """The fast append path met something only the careful path can judge."""


_ENTRY_INSERT: Final = (
    "INSERT INTO ledger_entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class SQLiteLedgerStore:
    """A :class:`~volunteer_rules.storage.LedgerStore` in a SQLite file.

    One row per entry in ``ledger_entries`` (:data:`LEDGER_SCHEMA`), unique on
    ``(account, version)``; a transfer's own fields (kind, time, reference, record key...) sit
    on its first entry, whose transfer id is unique. No balance is stored: balances are summed
    from the entries when asked for, so they cannot drift from them. Every read verifies the
    checksum of each row it uses (balances too: they are summed from verified rows) and raises
    ``StorageError`` at a damaged one rather than return it.

    Appending takes a fast path when the batch continues the stored ledger (one look-up of the
    last entry, one ``executemany``, one query proving that no account's versions skip a
    number) and falls back to a careful path, posting by posting, when it meets a stored
    transfer id or a stale ledger; both give the protocol's answer.

    Args:
        database: an open :class:`SQLiteDatabase`, or a path to open one.

    Example:
        >>> from datetime import datetime, timezone
        >>> from volunteer_rules.timebank.ledger import ISSUER, Ledger, LedgerTransfer
        >>> credit = LedgerTransfer(
        ...     transfer_id="c-1", kind="credit", legs=((ISSUER, -120), ("V1", 120)),
        ...     at=datetime(2024, 5, 1, tzinfo=timezone.utc), record_key=("G-a", "r-1"))
        >>> ledger, posted = Ledger().post(credit)
        >>> store = SQLiteLedgerStore()
        >>> store.append([posted]), store.append([posted])
        (1, 0)
        >>> store.get_transfer("c-1") == posted, store.balance(ISSUER)
        (True, Hours(minutes=-120))
    """

    def __init__(self, database: SQLiteDatabase | str | os.PathLike[str] = ":memory:") -> None:
        self.database = _database(database)

    @_reads_stored_data
    def append(
        self,
        postings: Sequence[PostedTransfer],
        /,
        *,
        expected_versions: Mapping[str, int] | None = None,
    ) -> int:
        """Store a batch in one transaction; return how many were new (see the protocol).

        Example:
            >>> SQLiteLedgerStore().append([])
            0
        """
        batch = _common.check_postings(postings)
        expected = _common.check_versions(expected_versions)
        if not batch and not expected:
            return 0
        rows = _entry_rows(batch)
        try:
            with self.database.transaction("appending ledger transfers") as connection:
                return self._fast(connection, batch, rows, expected)
        except _SlowPath:
            pass
        with self.database.transaction("appending ledger transfers") as connection:
            _check_versions(connection, "?", expected)
            return _append_one_by_one(
                connection, "?", batch, lambda own: connection.executemany(_ENTRY_INSERT, own)
            )

    def _fast(
        self,
        connection: sqlite3.Connection,
        batch: Sequence[PostedTransfer],
        rows: Sequence[_EntryRow],
        expected: Mapping[str, int],
    ) -> int:
        _check_versions(connection, "?", expected)
        if not batch:
            return 0
        next_index, next_sequence = _next_posting(connection)
        if _common.first_versions(batch, rows, next_index, next_sequence) is None:
            raise _SlowPath
        try:
            _write_entries(
                connection, "?", rows, lambda own: connection.executemany(_ENTRY_INSERT, own)
            )
        except sqlite3.IntegrityError as error:  # a stored transfer id or a stale version
            raise _SlowPath from error
        (gaps,) = connection.execute(
            "SELECT count(*) FROM ledger_entries e WHERE e.sequence >= ? AND e.version > 1"
            " AND NOT EXISTS (SELECT 1 FROM ledger_entries p"
            " WHERE p.account = e.account AND p.version = e.version - 1)",
            (next_sequence,),
        ).fetchone()
        if gaps:
            raise _SlowPath
        return len(batch)

    @_reads_stored_data
    def transfer_count(self) -> int:
        """Return how many transfers are stored.

        Example:
            >>> SQLiteLedgerStore().transfer_count()
            0
        """
        with self.database.reading("counting ledger transfers") as connection:
            return _next_posting(connection)[0]

    @_reads_stored_data
    def get_transfer(self, transfer_id: str, /) -> PostedTransfer:
        """Return the posting stored under an id, or raise ``NotFoundError``.

        Example:
            >>> SQLiteLedgerStore().get_transfer("t-1")
            Traceback (most recent call last):
            ...
            volunteer_rules.errors.NotFoundError: no ledger transfer 't-1'
        """
        _common.check_text("transfer_id", transfer_id)
        with self.database.reading("reading a ledger transfer") as connection:
            found = _read_posting(connection, "?", transfer_id)
            if found is None:
                raise _transfer_not_found(connection, transfer_id)
        return found

    @_reads_stored_data
    def postings(self, *, start: int = 0) -> tuple[PostedTransfer, ...]:
        """Return the postings from position ``start`` on.

        Example:
            >>> SQLiteLedgerStore().postings(start=5)
            ()
        """
        start = _common.check_start(start)
        if start > _MAX_INTEGER:
            return ()
        with self.database.reading("reading ledger transfers") as connection:
            return tuple(_read_postings(connection, "?", start, sealed=True))

    @_reads_stored_data
    def transfers(self, *, start: int = 0) -> tuple[LedgerTransfer, ...]:
        """Return the transfer requests from position ``start`` on.

        Example:
            >>> SQLiteLedgerStore().transfers()
            ()
        """
        return tuple(posting.transfer for posting in self.postings(start=start))

    @_reads_stored_data
    def entries(
        self,
        account: str | None = None,
        /,
        *,
        since: _dt.datetime | None = None,
        until: _dt.datetime | None = None,
    ) -> tuple[LedgerEntry, ...]:
        """Return entries (of one account or all) with ``since <= at < until``, in order.

        Example:
            >>> SQLiteLedgerStore().entries("V1")
            ()
        """
        where, parameters = _common.entry_filter("?", account=account, since=since, until=until)
        with self.database.reading("reading ledger entries") as connection:
            return _read_entries(connection, "?", where, parameters)

    @_reads_stored_data
    def version(self, account: str, /) -> int:
        """Return the account's version (0 if it has no entries).

        Example:
            >>> SQLiteLedgerStore().version("V1")
            0
        """
        _common.check_text("account", account)
        with self.database.reading("reading an account version") as connection:
            return _account_version(connection, "?", account)

    @_reads_stored_data
    def balance(self, account: str, /) -> Hours:
        """Return the account's balance, summed from its entries.

        Example:
            >>> SQLiteLedgerStore().balance("V1")
            Hours(minutes=0)
        """
        _common.check_text("account", account)
        with self.database.reading("reading a balance") as connection:
            totals = _read_balances(connection, "?", account)
        return Hours.from_minutes(totals.get(account, 0))

    @_reads_stored_data
    def balances(self) -> dict[str, Hours]:
        """Return every account's balance, summed from the entries, sorted by account.

        Example:
            >>> SQLiteLedgerStore().balances()
            {}
        """
        with self.database.reading("reading balances") as connection:
            totals = _read_balances(connection, "?", None)
        return {account: Hours.from_minutes(totals[account]) for account in sorted(totals)}
