"""The PostgreSQL database the stores share: connected, migrated forward under a lock, checked.

Needs the ``postgresql`` extra (psycopg 3). :mod:`volunteer_rules.storage.postgresql`
re-exports these names and says what the PostgreSQL stores guarantee.

Example:
    >>> from volunteer_rules.storage.postgresql_database import MIGRATIONS, SCHEMA_VERSION
    >>> SCHEMA_VERSION == len(MIGRATIONS)
    True
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import Any, Final

import psycopg

from volunteer_rules.errors import (
    ConflictError,
    InvalidTypeError,
    InvalidValueError,
    StorageError,
    VolunteerRulesError,
)
from volunteer_rules.storage._seals import (
    _DamagedRow,
    _make_seals,
    _seal_problems,
    _upgraded_tables,
)
from volunteer_rules.storage._sqlite_rows import (
    _parse_package,
    _parse_payload,
    _read_postings,
)
from volunteer_rules.storage.sqlite_database import _DECODING_ERRORS, _error_reason, _seal_notes
from volunteer_rules.storage.sqlite_schema import (
    _AMENDS_INDEX,
    _ENTRY_COLUMN_LIST,
    _EVENT_COLUMN_LIST,
    _PACKAGE_COLUMN_LIST,
    _RECORD_COLUMN_LIST,
    _SEALS_SCHEMA,
    _foreign_database_error,
    _foreign_tables,
    _tuple_checksum,
)
from volunteer_rules.timebank.ledger import check_ledger

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "PostgreSQLDatabase"]


MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
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
            recorded_at_us BIGINT NOT NULL,
            amends TEXT,
            status TEXT NOT NULL,
            payload TEXT NOT NULL,
            checksum BIGINT,
            PRIMARY KEY (organization_id, record_id)
        )""",
        "CREATE INDEX records_volunteer ON records (volunteer_id, recorded_at_us)",
        "CREATE INDEX records_organization ON records (organization_id, recorded_at_us)",
        "CREATE INDEX records_province ON records (province_code, recorded_at_us)",
        "CREATE INDEX records_city ON records (city_code, recorded_at_us)",
        "CREATE INDEX records_county ON records (county_code, recorded_at_us)",
        "CREATE INDEX records_date ON records (date)",
        "CREATE SEQUENCE package_order",
        """CREATE TABLE packages (
            package_id TEXT PRIMARY KEY,
            stored_order BIGINT NOT NULL UNIQUE,
            volunteer_id TEXT NOT NULL,
            state TEXT NOT NULL,
            event_count INTEGER NOT NULL,
            payload TEXT NOT NULL,
            checksum BIGINT
        )""",
        """CREATE TABLE package_events (
            package_id TEXT NOT NULL REFERENCES packages (package_id),
            sequence INTEGER NOT NULL,
            state TEXT NOT NULL,
            at TEXT NOT NULL,
            reason TEXT NOT NULL,
            checksum BIGINT,
            PRIMARY KEY (package_id, sequence)
        )""",
        "CREATE INDEX packages_state ON packages (state, stored_order)",
        "CREATE INDEX packages_volunteer ON packages (volunteer_id, stored_order)",
        """CREATE TABLE ledger_entries (
            sequence BIGINT PRIMARY KEY,
            position BIGINT NOT NULL,
            transfer_id TEXT NOT NULL,
            account TEXT NOT NULL,
            minutes BIGINT NOT NULL,
            version BIGINT NOT NULL,
            at_us BIGINT NOT NULL,
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
            checksum BIGINT,
            UNIQUE (account, version)
        )""",
        "CREATE UNIQUE INDEX ledger_transfer_ids ON ledger_entries (transfer_id)"
        " WHERE kind IS NOT NULL",
        "CREATE UNIQUE INDEX ledger_positions ON ledger_entries (position) WHERE kind IS NOT NULL",
    ),
    # 2: a seal per table (its rows' count and digest), made from the rows by the opener
    (_SEALS_SCHEMA,),
    # 3: the records that amend others, by the key they amend (RecordStore.amendments_of)
    (_AMENDS_INDEX,),
)
"""Forward migrations: ``MIGRATIONS[n]`` takes a schema from version ``n`` to ``n + 1``."""

SCHEMA_VERSION: Final = len(MIGRATIONS)
"""The schema version this library writes."""

_SEALED_FROM: Final = 2
"""The schema version that brought the seals' table (``MIGRATIONS[1]``)."""

_MAX_INTEGER: Final = 2**63 - 1


@contextlib.contextmanager
def _translated(what: str) -> Iterator[None]:
    """Translate psycopg's errors into the library's storage errors."""
    try:
        yield
    except (psycopg.errors.SerializationFailure, psycopg.errors.DeadlockDetected) as error:
        raise ConflictError(what, f"{what}: a concurrent write won; retry: {error}") from error
    except psycopg.IntegrityError as error:
        raise ConflictError(what, f"{what}: constraint failed: {error}") from error
    except psycopg.Error as error:
        raise StorageError(f"the PostgreSQL database: {what}: {_error_reason(error)}") from error


def _library_errors(what: str, call: Callable[[], Any]) -> Any:
    """Run a store's call; its errors become the library's (a damaged row names the database)."""
    try:
        return call()
    except _DamagedRow as error:
        raise StorageError(f"the PostgreSQL database: {what}: {error}") from None
    except VolunteerRulesError:
        raise
    except psycopg.Error as error:
        raise StorageError(f"the PostgreSQL database: {what}: {_error_reason(error)}") from error
    except _DECODING_ERRORS as error:
        raise StorageError(
            f"the PostgreSQL database: {what}: the stored data cannot be read back"
            f" ({_error_reason(error)})"
        ) from error


class PostgreSQLDatabase:
    """A connection to a PostgreSQL database with the library's schema, shared by the stores.

    Args:
        dsn: a libpq connection string or URL (``"host=/run/pg dbname=bank"``,
            ``"postgresql://app@db/bank"``). The tables live in the first schema of the
            connection's ``search_path`` (``options=-csearch_path=bank`` picks one).
        migrate: bring an older schema up to date (default); with ``False`` an out-of-date
            schema raises ``StorageError``.

    Raises:
        StorageError: the server cannot be reached, or the schema is newer than this
            library's.
        InvalidTypeError, InvalidValueError: ``dsn`` is not a string, or holds a NUL.

    Example:
        >>> PostgreSQLDatabase("host=/nonexistent/socket connect_timeout=1")
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.StorageError: the PostgreSQL database: connecting: ...
    """

    def __init__(self, dsn: str, *, migrate: bool = True) -> None:
        if not isinstance(dsn, str):
            raise InvalidTypeError("dsn", f"must be a str, not {type(dsn).__name__}")
        if "\0" in dsn:
            raise InvalidValueError("dsn", "must not contain a NUL character")
        self.dsn = dsn
        self._lock = threading.RLock()
        with _translated("connecting"):
            self._connection = psycopg.connect(dsn, autocommit=True)
        self._closer = weakref.finalize(self, self._connection.close)
        try:
            with _translated("opening"):
                row = self._connection.execute("SELECT hashtext(current_schema())").fetchone()
                if row is None or row[0] is None:
                    raise StorageError("the connection has no schema to create tables in")
                self._lock_key = int(row[0])
            self._migrate(migrate)
        except BaseException:
            self._closer()
            raise

    def _migrate(self, migrate: bool) -> None:
        with self.transaction("migrating the schema", lock=True) as cursor:
            cursor.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema()"
            )
            foreign = _foreign_tables(name for (name,) in cursor.fetchall())
            if foreign:  # another application's schema: add nothing to it
                raise _foreign_database_error("the schema", foreign)
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY)"
            )
            cursor.execute("SELECT coalesce(max(version), 0) FROM schema_version")
            (current,) = cursor.fetchone() or (0,)
            if current > SCHEMA_VERSION:
                raise StorageError(
                    f"the schema has version {current}, newer than this library's "
                    f"{SCHEMA_VERSION}; upgrade volunteer_rules"
                )
            if current < SCHEMA_VERSION and not migrate and current:
                raise StorageError(
                    f"the schema has version {current}, older than {SCHEMA_VERSION}; "
                    "open it with migrate=True (as every command given it as --db does)"
                )
            for version in range(current, SCHEMA_VERSION):
                for statement in MIGRATIONS[version]:
                    cursor.execute(statement)
                cursor.execute("INSERT INTO schema_version VALUES (%s)", (version + 1,))
            if current < _SEALED_FROM:  # sealed as found (all empty in a new schema)
                _make_seals(cursor, "%s", upgraded=current > 0)

    def notes(self) -> tuple[str, ...]:
        """Return what :meth:`check` cannot vouch for (as :meth:`SQLiteDatabase.notes`)."""
        with self.reading("reading the seals") as cursor:
            return _seal_notes(_upgraded_tables(cursor))

    def schema_version(self) -> int:
        """Return the schema version of the database."""
        with self.reading("reading the schema version") as cursor:
            cursor.execute("SELECT max(version) FROM schema_version")
            (version,) = cursor.fetchone() or (0,)
        return int(version)

    @contextlib.contextmanager
    def transaction(self, what: str, *, lock: bool = False) -> Iterator[psycopg.Cursor[Any]]:
        """Run the block in one transaction (commit, or roll back on error).

        With ``lock``, the transaction first takes this schema's advisory lock, so that such
        transactions (ledger appends, migrations) run one at a time.
        """
        with self._lock, _translated(what), self._connection.transaction():
            cursor = self._connection.cursor()
            if lock:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", (self._lock_key,))
            yield cursor

    @contextlib.contextmanager
    def reading(self, what: str) -> Iterator[psycopg.Cursor[Any]]:
        """Run the block in one read-only ``REPEATABLE READ`` snapshot."""
        with self._lock, _translated(what), self._connection.transaction():
            cursor = self._connection.cursor()
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield cursor

    def check(self) -> tuple[str, ...]:
        """Look for damage; return the problems found (empty: sound).

        Verifies every row's checksum, that each table holds the rows its seal counts (as
        :meth:`SQLiteDatabase.check`), that records and packages read back, that package
        states match their events, and that the ledger is sound (``check_ledger``).
        """
        problems: list[str] = []
        sealed: list[str] = []  # said last: a damaged row is named first
        try:
            tables = (
                ("records", _RECORD_COLUMN_LIST, 2),
                ("packages", _PACKAGE_COLUMN_LIST, 1),
                ("package_events", _EVENT_COLUMN_LIST, 2),
                ("ledger_entries", _ENTRY_COLUMN_LIST, 1),
            )
            with self.reading("checking the database") as cursor:
                sealed = _seal_problems(cursor, "%s")
                for table, columns, key_width in tables:
                    cursor.execute(f"SELECT {columns}, checksum FROM {table}")
                    for row in cursor.fetchall():
                        if _tuple_checksum(tuple(row[:-1])) != row[-1]:
                            label = "/".join(str(value) for value in row[:key_width])
                            problems.append(f"{table}: {label}: checksum mismatch")
                cursor.execute("SELECT payload FROM records")
                for (payload,) in cursor.fetchall():
                    _parse_payload(payload)
                cursor.execute(
                    "SELECT p.package_id, p.state, p.event_count, p.payload, count(e.sequence),"
                    " (SELECT state FROM package_events l WHERE l.package_id = p.package_id"
                    "  ORDER BY sequence DESC LIMIT 1)"
                    " FROM packages p LEFT JOIN package_events e ON e.package_id = p.package_id"
                    " GROUP BY p.package_id"
                )
                for package_id, state, count, payload, events, last_state in cursor.fetchall():
                    if _parse_package(payload).digest != package_id:
                        problems.append(f"packages: {package_id}: does not match its payload")
                    if count != events or state != last_state:
                        problems.append(f"packages: {package_id}: state and events disagree")
                postings = _read_postings(cursor, "%s", 0)  # as the ledger store reads them
            problems.extend(f"ledger: {problem}" for problem in check_ledger(postings))
        except VolunteerRulesError as error:
            problems.append(str(error))
        except _DECODING_ERRORS as error:
            problems.append(f"the data cannot be read back: {_error_reason(error)}")
        return (*problems, *sealed)

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self._lock:
            self._closer()

    def __enter__(self) -> PostgreSQLDatabase:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return "PostgreSQLDatabase(...)"  # the connection string may hold a password


def _database(database: PostgreSQLDatabase | str) -> PostgreSQLDatabase:
    if isinstance(database, PostgreSQLDatabase):
        return database
    return PostgreSQLDatabase(database)
