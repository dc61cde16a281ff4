"""The SQLite file's schema: its tables, their forward migrations and the rows' checksums.

:data:`MIGRATIONS` takes a file from one schema version to the next; :data:`SCHEMA_VERSION`
is the version this library writes. Every row carries a checksum (:func:`row_checksum`) of
its other columns, which the stores verify as they read each row and
:meth:`~volunteer_rules.storage.sqlite.SQLiteDatabase.check` verifies for all rows.
:mod:`volunteer_rules.storage.sqlite` re-exports these names.

Example:
    >>> from volunteer_rules.storage.sqlite_schema import MIGRATIONS, SCHEMA_VERSION
    >>> SCHEMA_VERSION == len(MIGRATIONS)
    True
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from typing import Final

from volunteer_rules.errors import StorageError
from volunteer_rules.storage._seals import _make_seals

__all__ = ["LEDGER_SCHEMA", "MIGRATIONS", "SCHEMA_VERSION", "row_checksum"]

_STORE_TABLES: Final = frozenset(
    {"schema_version", "seals", "records", "packages", "package_events", "ledger_entries"}
)
"""The tables of the record, ledger and transfer stores (SQLite and PostgreSQL alike)."""

_COMMUNITY_TABLES: Final = frozenset({"community_entries", "community_tags", "community_events"})
"""The tables the community stores add to a SQLite file (``community_sqlite``)."""


def _foreign_tables(names: object) -> tuple[str, ...]:
    """The names among a database's tables and views that are not the library's, sorted.

    A database holding any is another application's: the stores refuse it rather than add
    their tables beside its own (``sqlite_`` names are SQLite's own, and allowed).

    Example:
        >>> _foreign_tables(["records", "sqlite_sequence", "t"])
        ('t',)
    """
    assert isinstance(names, Iterable)
    return tuple(
        sorted(
            str(name)
            for name in names
            if name not in _STORE_TABLES
            and name not in _COMMUNITY_TABLES
            and not str(name).startswith("sqlite_")
        )
    )


def _foreign_database_error(where: str, names: tuple[str, ...]) -> StorageError:
    """The error for a database that holds tables of another application."""
    shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
    return StorageError(
        f"{where} holds tables that are not this library's ({shown}): it is another"
        " application's database; the stores keep to a database of their own"
    )


LEDGER_SCHEMA: Final = (
    """CREATE TABLE ledger_entries (
            sequence INTEGER PRIMARY KEY,
            position INTEGER NOT NULL,
            transfer_id TEXT NOT NULL,
            account TEXT NOT NULL,
            minutes INTEGER NOT NULL,
            version INTEGER NOT NULL,
            at_us INTEGER NOT NULL,
            kind TEXT,
            at TEXT,
            reference TEXT,
            record_organization_id TEXT,
            record_id TEXT,
            expires_at TEXT,
            details TEXT,
            memo TEXT,
            leg_count INTEGER,
            entry_count INTEGER,
            UNIQUE (account, version)
        )""",
    "CREATE UNIQUE INDEX ledger_transfer_ids ON ledger_entries (transfer_id)"
    " WHERE kind IS NOT NULL",
    "CREATE UNIQUE INDEX ledger_positions ON ledger_entries (position) WHERE kind IS NOT NULL",
)
"""The ledger's table: one row per entry; a transfer's own fields sit on its first entry.

The columns from ``kind`` on are set on the first entry of each transfer only (``NULL`` on
the others); the two partial indexes make transfer ids unique and find a transfer by
position. The benchmark's baseline table has exactly this shape.
"""

_RECORD_COLUMN_LIST: Final = (
    "organization_id, record_id, volunteer_id, region_code, province_code, city_code,"
    " county_code, date, recorded_at_us, amends, status, payload"
)
_PACKAGE_COLUMN_LIST: Final = "package_id, stored_order, volunteer_id, state, event_count, payload"
_EVENT_COLUMN_LIST: Final = "package_id, sequence, state, at, reason"
_ENTRY_COLUMN_LIST: Final = (
    "sequence, position, transfer_id, account, minutes, version, at_us, kind, at, reference,"
    " record_organization_id, record_id, expires_at, details, memo, leg_count, entry_count"
)
_CHECKED_TABLES: Final = (
    ("records", _RECORD_COLUMN_LIST, "organization_id || '/' || record_id"),
    ("packages", _PACKAGE_COLUMN_LIST, "package_id"),
    ("package_events", _EVENT_COLUMN_LIST, "package_id || ' event ' || sequence"),
    ("ledger_entries", _ENTRY_COLUMN_LIST, "'entry ' || sequence"),
)
"""Each table with a checksum: its name, the columns the checksum covers, a label of a row."""


def row_checksum(*values: object) -> int:
    """The checksum of a stored row: 64 bits of BLAKE2b over the ``repr`` of its values.

    Registered in every connection as the SQL function ``vr_checksum``; the stores write it
    in each row's ``checksum`` column and :meth:`SQLiteDatabase.check` verifies it.

    Example:
        >>> row_checksum(1, "a", None) == row_checksum(1, "a", None) != row_checksum(1, "b", None)
        True
    """
    return _tuple_checksum(values)


def _tuple_checksum(values: tuple[object, ...]) -> int:
    digest = hashlib.blake2b(repr(values).encode("utf-8", "surrogatepass"), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


_SEALS_SCHEMA: Final = (
    "CREATE TABLE seals (name TEXT PRIMARY KEY, row_count BIGINT NOT NULL,"
    " digest BIGINT NOT NULL, upgraded INTEGER NOT NULL)"
)
"""The seals' table (SQLite and PostgreSQL alike): one row per sealed table (``_sqlite_rows._SEALED``).

``upgraded`` is 1 when the seal was made from the rows found in a file of an older version
(rows lost before then cannot be seen), 0 when it has been kept since the table was created.
"""


_AMENDS_INDEX: Final = (
    "CREATE INDEX records_amends ON records (organization_id, amends) WHERE amends IS NOT NULL"
)
"""The index of the records that amend another (SQLite and PostgreSQL alike)."""


COMMUNITY_SCHEMA: Final = (
    """CREATE TABLE IF NOT EXISTS community_entries (
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        version INTEGER NOT NULL,
        province_code TEXT,
        city_code TEXT,
        county_code TEXT,
        payload TEXT NOT NULL,
        PRIMARY KEY (kind, key, version)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS community_tags (
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        tag TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (kind, tag, value, key)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS community_events (
        event_id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL,
        volunteer_id TEXT NOT NULL,
        at_us INTEGER NOT NULL,
        payload TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS community_events_project ON community_events (project_id, at_us)",
    "CREATE INDEX IF NOT EXISTS community_events_volunteer"
    " ON community_events (volunteer_id, at_us)",
)
"""The community tables, created when a community store is first opened on a file.

Then :data:`_COMMUNITY_CHECKSUMS` adds their checksums, on a new file as on one of an older
version (one route to one schema text, which ``check`` compares).
"""

_COMMUNITY_ENTRY_COLUMN_LIST: Final = (
    "kind, key, version, province_code, city_code, county_code, payload"
)
_COMMUNITY_EVENT_COLUMN_LIST: Final = "event_id, project_id, volunteer_id, at_us, payload"
_COMMUNITY_CHECKED: Final = (
    ("community_entries", _COMMUNITY_ENTRY_COLUMN_LIST, "kind || ' ' || key || ' v' || version"),
    ("community_events", _COMMUNITY_EVENT_COLUMN_LIST, "event_id"),
)
"""The community tables with a checksum (and a seal), as :data:`_CHECKED_TABLES` lists them.

``community_tags`` has none: it is an index derived from the current entries, rewritten with
each, which ``check`` compares with the entries themselves.
"""

_COMMUNITY_CHECKSUMS: Final = tuple(
    statement
    for table, columns, _ in _COMMUNITY_CHECKED
    for statement in (
        f"ALTER TABLE {table} ADD COLUMN checksum INTEGER",
        f"UPDATE {table} SET checksum = vr_checksum({columns})",
    )
)
"""Add a checksum to each community row (run once per file: see :func:`_community_tables`)."""


def _community_tables(connection: sqlite3.Connection, *, create: bool) -> None:
    """Bring the community tables up to date inside the caller's transaction.

    With ``create``, the tables are created if missing (a community store opening the file).
    Tables without checksums (new, or made by an older version of the library) get them, and
    a seal each, made from the rows found (``upgraded`` when there were any).
    """
    if create:
        for statement in COMMUNITY_SCHEMA:
            connection.execute(statement)
    columns = {row[1] for row in connection.execute("PRAGMA table_info(community_entries)")}
    if not columns or "checksum" in columns:  # no community tables, or up to date
        return
    (held,) = connection.execute(
        "SELECT (SELECT count(*) FROM community_entries) + (SELECT count(*) FROM community_events)"
    ).fetchone()
    for statement in _COMMUNITY_CHECKSUMS:
        connection.execute(statement)
    _make_seals(connection, "?", upgraded=held > 0, tables=_COMMUNITY_SEALED)


_COMMUNITY_SEALED: Final = tuple(table for table, _, _ in _COMMUNITY_CHECKED)
"""The community tables with a seal."""


MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
    # 1: service records
    (
        """CREATE TABLE records (
            organization_id TEXT NOT NULL,
            record_id TEXT NOT NULL,
            volunteer_id TEXT NOT NULL,
            region_code TEXT NOT NULL,
            province_code TEXT,
            city_code TEXT,
            county_code TEXT,
            date TEXT NOT NULL,
            recorded_at_us INTEGER NOT NULL,
            amends TEXT,
            status TEXT NOT NULL,
            payload TEXT NOT NULL,
            PRIMARY KEY (organization_id, record_id)
        )""",
        "CREATE INDEX records_volunteer ON records (volunteer_id, recorded_at_us)",
        "CREATE INDEX records_organization ON records (organization_id, recorded_at_us)",
        "CREATE INDEX records_province ON records (province_code, recorded_at_us)",
        "CREATE INDEX records_city ON records (city_code, recorded_at_us)",
        "CREATE INDEX records_county ON records (county_code, recorded_at_us)",
        "CREATE INDEX records_date ON records (date)",
    ),
    # 2: transfer packages and their lifecycle events
    (
        """CREATE TABLE packages (
            package_id TEXT PRIMARY KEY,
            stored_order INTEGER NOT NULL UNIQUE,
            volunteer_id TEXT NOT NULL,
            state TEXT NOT NULL,
            event_count INTEGER NOT NULL,
            payload TEXT NOT NULL
        )""",
        """CREATE TABLE package_events (
            package_id TEXT NOT NULL REFERENCES packages (package_id),
            sequence INTEGER NOT NULL,
            state TEXT NOT NULL,
            at TEXT NOT NULL,
            reason TEXT NOT NULL,
            PRIMARY KEY (package_id, sequence)
        ) WITHOUT ROWID""",
        "CREATE INDEX packages_state ON packages (state, stored_order)",
        "CREATE INDEX packages_volunteer ON packages (volunteer_id, stored_order)",
    ),
    # 3: the time-bank ledger: one row per entry
    LEDGER_SCHEMA,
    # 4: a checksum on every row (vr_checksum of the row's other columns, in column order)
    (
        "ALTER TABLE records ADD COLUMN checksum INTEGER",
        f"UPDATE records SET checksum = vr_checksum({_RECORD_COLUMN_LIST})",
        "ALTER TABLE packages ADD COLUMN checksum INTEGER",
        f"UPDATE packages SET checksum = vr_checksum({_PACKAGE_COLUMN_LIST})",
        "ALTER TABLE package_events ADD COLUMN checksum INTEGER",
        f"UPDATE package_events SET checksum = vr_checksum({_EVENT_COLUMN_LIST})",
        "ALTER TABLE ledger_entries ADD COLUMN checksum INTEGER",
        f"UPDATE ledger_entries SET checksum = vr_checksum({_ENTRY_COLUMN_LIST})",
    ),
    # 5: a seal per table (its rows' count and digest), made from the rows by the opener
    (_SEALS_SCHEMA,),
    # 6: the records that amend others, by the key they amend (RecordStore.amendments_of)
    (_AMENDS_INDEX,),
)
"""Forward migrations: ``MIGRATIONS[n]`` takes a file from version ``n`` to ``n + 1``."""

SCHEMA_VERSION: Final = len(MIGRATIONS)
"""The schema version this library writes (the number of migrations)."""

_RECORD_COLUMNS: Final = _RECORD_COLUMN_LIST + ", checksum"
