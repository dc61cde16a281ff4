"""The time bank's ledger store in PostgreSQL: one row per entry, appended under a lock.

Needs the ``postgresql`` extra (psycopg 3). :mod:`volunteer_rules.storage.postgresql`
re-exports :class:`PostgreSQLLedgerStore`.

Example:
    >>> from volunteer_rules.storage.postgresql_ledger import PostgreSQLLedgerStore
    >>> PostgreSQLLedgerStore.__name__
    'PostgreSQLLedgerStore'
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import psycopg

from volunteer_rules.errors import InvalidValueError
from volunteer_rules.hours import Hours
from volunteer_rules.storage import _common
from volunteer_rules.storage._sqlite_rows import (
    _account_version,
    _append_one_by_one,
    _check_versions,
    _entry_rows,
    _next_posting,
    _read_balances,
    _read_entries,
    _read_posting,
    _read_postings,
    _transfer_not_found,
    _write_entries,
)
from volunteer_rules.storage.postgresql_database import (
    _MAX_INTEGER,
    PostgreSQLDatabase,
    _database,
    _library_errors,
)
from volunteer_rules.storage.sqlite_schema import _ENTRY_COLUMN_LIST
from volunteer_rules.timebank.ledger import LedgerEntry, LedgerTransfer, PostedTransfer

__all__ = ["PostgreSQLLedgerStore"]


_ENTRY_COPY: Final = f"COPY ledger_entries ({_ENTRY_COLUMN_LIST}, checksum) FROM STDIN"


def _copy_rows(cursor: psycopg.Cursor[Any], rows: Sequence[tuple[Any, ...]]) -> None:
    with cursor.copy(_ENTRY_COPY) as copy:
        for row in rows:
            copy.write_row(row)


class PostgreSQLLedgerStore:
    """A :class:`~volunteer_rules.storage.LedgerStore` in PostgreSQL.

    The table has the shape of the SQLite store's (one row per entry, a transfer's own
    fields on its first entry, unique on ``(account, version)`` and on transfer ids).
    Appends run one at a time under the schema's advisory lock: the batch is checked against
    the stored ledger (one query for the last entry, one for the batch's transfer ids, one for
    its accounts' versions) and written with ``COPY``; a batch that meets a stored transfer
    id or a stale ledger is judged posting by posting, as the protocol says.

    Args:
        database: a :class:`PostgreSQLDatabase`, or a connection string to open one.

    Example:
        >>> PostgreSQLLedgerStore("host=/nonexistent/socket connect_timeout=1")
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.StorageError: the PostgreSQL database: connecting: ...
    """

    def __init__(self, database: PostgreSQLDatabase | str) -> None:
        self.database = _database(database)

    def append(
        self,
        postings: Sequence[PostedTransfer],
        /,
        *,
        expected_versions: Mapping[str, int] | None = None,
    ) -> int:
        """Store a batch in one transaction; return how many were new (see the protocol)."""
        batch = _common.check_postings(postings)
        expected = _common.check_versions(expected_versions)
        if not batch and not expected:
            return 0
        for posting in batch:
            if posting.index > _MAX_INTEGER or any(
                abs(e.minutes) > _MAX_INTEGER or e.sequence > _MAX_INTEGER for e in posting.entries
            ):
                raise InvalidValueError("postings", "a number is too large (64-bit)")
        rows = _entry_rows(batch)
        return int(
            _library_errors(
                "appending ledger transfers", lambda: self._append(batch, rows, expected)
            )
        )

    def _append(
        self,
        batch: Sequence[PostedTransfer],
        rows: Sequence[tuple[Any, ...]],
        expected: Mapping[str, int],
    ) -> int:
        with self.database.transaction("appending ledger transfers", lock=True) as cursor:
            _check_versions(cursor, "%s", expected)
            if not batch:
                return 0
            if self._continues(cursor, batch, rows):
                _write_entries(cursor, "%s", rows, lambda own: _copy_rows(cursor, own))
                return len(batch)
            return _append_one_by_one(cursor, "%s", batch, lambda own: _copy_rows(cursor, own))

    def _continues(
        self,
        cursor: psycopg.Cursor[Any],
        batch: Sequence[PostedTransfer],
        rows: Sequence[tuple[Any, ...]],
    ) -> bool:
        """Whether the whole batch is new and continues the stored ledger exactly."""
        next_index, next_sequence = _next_posting(cursor)
        first = _common.first_versions(batch, rows, next_index, next_sequence)
        if first is None:
            return False
        cursor.execute(
            "SELECT 1 FROM ledger_entries WHERE kind IS NOT NULL AND transfer_id = ANY(%s) LIMIT 1",
            ([posting.transfer.transfer_id for posting in batch],),
        )
        if cursor.fetchone() is not None:
            return False
        cursor.execute(
            "SELECT account, max(version) FROM ledger_entries WHERE account = ANY(%s)"
            " GROUP BY account",
            (list(first),),
        )
        stored = {account: int(version) for account, version in cursor.fetchall()}
        return all(first[account] == stored.get(account, 0) + 1 for account in first)

    def _read(self, what: str, read: Callable[[psycopg.Cursor[Any]], Any]) -> Any:
        def run() -> Any:
            with self.database.reading(what) as cursor:
                return read(cursor)

        return _library_errors(what, run)

    def transfer_count(self) -> int:
        """Return how many transfers are stored."""
        return int(self._read("counting ledger transfers", lambda c: _next_posting(c)[0]))

    def get_transfer(self, transfer_id: str, /) -> PostedTransfer:
        """Return the posting stored under an id, or raise ``NotFoundError``."""
        _common.check_text("transfer_id", transfer_id)

        def read(cursor: psycopg.Cursor[Any]) -> PostedTransfer:
            found = _read_posting(cursor, "%s", transfer_id)
            if found is None:
                raise _transfer_not_found(cursor, transfer_id)
            return found

        result: PostedTransfer = self._read("reading a ledger transfer", read)
        return result

    def postings(self, *, start: int = 0) -> tuple[PostedTransfer, ...]:
        """Return the postings from position ``start`` on."""
        start = _common.check_start(start)
        if start > _MAX_INTEGER:
            return ()

        def read(cursor: psycopg.Cursor[Any]) -> tuple[PostedTransfer, ...]:
            return tuple(_read_postings(cursor, "%s", start, sealed=True))

        result: tuple[PostedTransfer, ...] = self._read("reading ledger transfers", read)
        return result

    def transfers(self, *, start: int = 0) -> tuple[LedgerTransfer, ...]:
        """Return the transfer requests from position ``start`` on."""
        return tuple(posting.transfer for posting in self.postings(start=start))

    def entries(
        self,
        account: str | None = None,
        /,
        *,
        since: _dt.datetime | None = None,
        until: _dt.datetime | None = None,
    ) -> tuple[LedgerEntry, ...]:
        """Return entries (of one account or all) with ``since <= at < until``, in order."""
        where, parameters = _common.entry_filter("%s", account=account, since=since, until=until)

        def read(cursor: psycopg.Cursor[Any]) -> tuple[LedgerEntry, ...]:
            return _read_entries(cursor, "%s", where, parameters)

        result: tuple[LedgerEntry, ...] = self._read("reading ledger entries", read)
        return result

    def version(self, account: str, /) -> int:
        """Return the account's version (0 if it has no entries)."""
        _common.check_text("account", account)
        return int(
            self._read("reading an account version", lambda c: _account_version(c, "%s", account))
        )

    def balance(self, account: str, /) -> Hours:
        """Return the account's balance, summed from its entries."""
        _common.check_text("account", account)

        def read(cursor: psycopg.Cursor[Any]) -> int:
            return _read_balances(cursor, "%s", account).get(account, 0)

        return Hours.from_minutes(int(self._read("reading a balance", read)))

    def balances(self) -> dict[str, Hours]:
        """Return every account's balance, summed from the entries, sorted by account."""

        def read(cursor: psycopg.Cursor[Any]) -> dict[str, Hours]:
            totals = _read_balances(cursor, "%s", None)  # sorted as COLLATE "C" sorts
            return {account: Hours.from_minutes(totals[account]) for account in sorted(totals)}

        result: dict[str, Hours] = self._read("reading balances", read)
        return result
