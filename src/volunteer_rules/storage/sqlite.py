"""SQLite stores, with the standard library's :mod:`sqlite3`: one file (or ``:memory:``).

:class:`SQLiteDatabase` opens the file, switches it to write-ahead logging (WAL), sets a busy
timeout so that several processes can share the file, and brings the schema up to date with
forward migrations recorded in a ``schema_version`` table. The stores
(:class:`SQLiteRecordStore`, ...) take a database, or a path and open one.

Guarantees, beyond those of the protocols:

- **One transaction per batch.** Every write runs in ``BEGIN IMMEDIATE`` ... ``COMMIT``: a
  batch is written whole or not at all, even if the process is killed in the middle (SQLite's
  journal rolls an unfinished transaction back when the file is next opened).
- **Threads.** One connection per :class:`SQLiteDatabase`, used under a lock: a database (and
  its stores) may be shared by threads.
- **Processes.** Each process opens its own :class:`SQLiteDatabase` on the file; writers wait
  for each other up to ``timeout`` seconds (SQLite's busy timeout), readers never block
  writers (WAL). Lost-update races on the ledger are caught by the per-account versions.
- **Errors.** Every :class:`sqlite3.Error` is translated into
  :class:`~volunteer_rules.errors.StorageError` (or :class:`~volunteer_rules.errors.ConflictError`
  for a broken uniqueness constraint), with the original chained as ``__cause__``.
- **Schema.** :data:`SCHEMA_VERSION` is the version this library writes. A file with an older
  version is migrated forward when opened; a file with a newer one is refused
  (``StorageError``) rather than misread.

Records are stored as their canonical record-format JSON (``dump_record``) plus indexed
columns for the look-ups (volunteer, organization, province / city / county, date, recorded
time).

The parts live in their own modules, and this one re-exports their names:
:mod:`~volunteer_rules.storage.sqlite_schema` (tables, migrations, checksums),
:mod:`~volunteer_rules.storage.sqlite_database`, and the stores
(:mod:`~volunteer_rules.storage.sqlite_records`, :mod:`~volunteer_rules.storage.sqlite_transfers`,
:mod:`~volunteer_rules.storage.sqlite_ledger`).

Example:
    >>> import volunteer_rules as vr
    >>> from volunteer_rules.storage import SQLiteDatabase, SQLiteRecordStore
    >>> database = SQLiteDatabase(":memory:")
    >>> store = SQLiteRecordStore(database)
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> store.add([vr.parse_record(SAMPLE_RECORD_PAYLOAD)])
    1
    >>> [r.record_id for r in store.find(region=vr.RegionCode.parse("210000"))]
    ['r-2024-0001']
    >>> database.schema_version() == vr.storage.sqlite.SCHEMA_VERSION
    True
    >>> database.close()
"""

from __future__ import annotations

# The benchmarks import these two private names from here: their baselines write the same rows.
from volunteer_rules.storage._sqlite_rows import _entry_rows as _entry_rows
from volunteer_rules.storage.sqlite_database import SQLiteDatabase
from volunteer_rules.storage.sqlite_ledger import SQLiteLedgerStore
from volunteer_rules.storage.sqlite_records import SQLiteRecordStore
from volunteer_rules.storage.sqlite_schema import _ENTRY_COLUMN_LIST as _ENTRY_COLUMN_LIST
from volunteer_rules.storage.sqlite_schema import (
    LEDGER_SCHEMA,
    MIGRATIONS,
    SCHEMA_VERSION,
    row_checksum,
)
from volunteer_rules.storage.sqlite_transfers import SQLiteTransferStore

__all__ = [
    "LEDGER_SCHEMA",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "SQLiteDatabase",
    "SQLiteLedgerStore",
    "SQLiteRecordStore",
    "SQLiteTransferStore",
    "row_checksum",
]
