"""PostgreSQL stores on psycopg 3, for platforms that run several application servers.

Needs the ``postgresql`` extra (``pip install volunteer_rules[postgresql]``: psycopg 3).
:class:`PostgreSQLDatabase` connects (a libpq connection string or URL), brings the schema up to
date with forward migrations recorded in ``schema_version`` (under an advisory lock, so
several processes starting at once migrate once), and is shared by the stores
(:class:`PostgreSQLRecordStore`, :class:`PostgreSQLLedgerStore`,
:class:`PostgreSQLTransferStore`), which take a database or a connection string.

Guarantees, beyond those of the protocols (the same as the SQLite stores'):

- **One transaction per batch**: a batch is written whole or not at all.
- **Writers**: ledger appends are serialized by a transaction-level advisory lock (one per
  schema), so "continues the stored ledger" is checked and written atomically; a package's
  state changes under ``SELECT ... FOR UPDATE``; records rely on their primary key. Reads run
  in ``REPEATABLE READ`` snapshots.
- **Threads**: one connection per database, used under a lock. **Processes**: each opens its
  own database.
- **Errors**: every ``psycopg.Error`` becomes :class:`~volunteer_rules.errors.StorageError`
  (:class:`~volunteer_rules.errors.ConflictError` for a broken uniqueness constraint or a
  serialization failure), the original chained as ``__cause__``; damaged stored data read
  back raises ``StorageError`` too.
- **Checksums**: every row carries the checksum the SQLite stores write
  (:func:`~volunteer_rules.storage.sqlite.row_checksum`); every read verifies the rows it
  uses (a damaged one raises ``StorageError`` naming the table and the row), and
  :meth:`PostgreSQLDatabase.check` verifies them all.
- **Order**: text is ordered by code point (``COLLATE "C"``), whatever the database's locale,
  so answers are the same as the in-memory and SQLite stores'.

The parts live in their own modules, and this one re-exports their names:
:mod:`~volunteer_rules.storage.postgresql_database` (with the migrations) and the stores
(:mod:`~volunteer_rules.storage.postgresql_records`,
:mod:`~volunteer_rules.storage.postgresql_transfers`,
:mod:`~volunteer_rules.storage.postgresql_ledger`).

Example:
    >>> from volunteer_rules.storage.postgresql import SCHEMA_VERSION
    >>> SCHEMA_VERSION >= 1
    True
"""

from __future__ import annotations

from volunteer_rules.storage.postgresql_database import (
    MIGRATIONS,
    SCHEMA_VERSION,
    PostgreSQLDatabase,
)
from volunteer_rules.storage.postgresql_ledger import PostgreSQLLedgerStore
from volunteer_rules.storage.postgresql_records import PostgreSQLRecordStore
from volunteer_rules.storage.postgresql_transfers import PostgreSQLTransferStore

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "PostgreSQLDatabase",
    "PostgreSQLLedgerStore",
    "PostgreSQLRecordStore",
    "PostgreSQLTransferStore",
]
