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
  (:func:`~volunteer_rules.storage.sqlite.row_checksum`); :meth:`PostgreSQLDatabase.check`
  verifies them.
- **Order**: text is ordered by code point (``COLLATE "C"``), whatever the database's locale,
  so answers are the same as the in-memory and SQLite stores'.

Example:
    >>> from volunteer_rules.storage.postgresql import SCHEMA_VERSION
    >>> SCHEMA_VERSION >= 1
    True
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Final

import psycopg

from volunteer_rules.errors import (
    ConflictError,
    InvalidTypeError,
    InvalidValueError,
    NotFoundError,
    StorageError,
    VolunteerRulesError,
)
from volunteer_rules.hours import Hours
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.records.region import RegionCode
from volunteer_rules.storage import _common
from volunteer_rules.storage.protocols import INITIAL_PACKAGE_STATE, PackageEvent
from volunteer_rules.storage.sqlite import (
    _DECODING_ERRORS,
    _ENTRY_COLUMN_LIST,
    _EVENT_COLUMN_LIST,
    _PACKAGE_COLUMN_LIST,
    _PAYLOAD,
    _RECORD_COLUMN_LIST,
    _entry_rows,
    _event,
    _parse_package,
    _parse_payload,
    _postings_from_rows,
    _record_row,
    _tuple_checksum,
)
from volunteer_rules.timebank.ledger import (
    LedgerEntry,
    LedgerTransfer,
    PostedTransfer,
    check_ledger,
)
from volunteer_rules.transfer.package import TransferPackage

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "PostgreSQLDatabase",
    "PostgreSQLLedgerStore",
    "PostgreSQLRecordStore",
    "PostgreSQLTransferStore",
]

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
)
"""Forward migrations: ``MIGRATIONS[n]`` takes a schema from version ``n`` to ``n + 1``."""

SCHEMA_VERSION: Final = len(MIGRATIONS)
"""The schema version this library writes."""

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
        raise StorageError(f"{what}: {type(error).__name__}: {error}") from error


def _library_errors(what: str, call: Callable[[], Any]) -> Any:
    try:
        return call()
    except VolunteerRulesError:
        raise
    except psycopg.Error as error:
        raise StorageError(f"{what}: {type(error).__name__}: {error}") from error
    except _DECODING_ERRORS as error:
        raise StorageError(
            f"{what}: the stored data cannot be read back ({type(error).__name__}: {error})"
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
        volunteer_rules.errors.StorageError: connecting: OperationalError: ...
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
                    "open it with migrate=True"
                )
            for version in range(current, SCHEMA_VERSION):
                for statement in MIGRATIONS[version]:
                    cursor.execute(statement)
                cursor.execute("INSERT INTO schema_version VALUES (%s)", (version + 1,))

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

        Verifies every row's checksum, that records and packages read back, that package
        states match their events, and that the ledger is sound (``check_ledger``).
        """
        problems: list[str] = []
        try:
            tables = (
                ("records", _RECORD_COLUMN_LIST, 2),
                ("packages", _PACKAGE_COLUMN_LIST, 1),
                ("package_events", _EVENT_COLUMN_LIST, 2),
                ("ledger_entries", _ENTRY_COLUMN_LIST, 1),
            )
            with self.reading("checking the database") as cursor:
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
            postings = PostgreSQLLedgerStore(self).postings()
            problems.extend(f"ledger: {problem}" for problem in check_ledger(postings))
        except VolunteerRulesError as error:
            problems.append(str(error))
        except _DECODING_ERRORS as error:
            problems.append(f"the data cannot be read back: {type(error).__name__}: {error}")
        return tuple(problems)

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


_RECORD_INSERT: Final = (
    f"INSERT INTO records ({_RECORD_COLUMN_LIST}, checksum) VALUES"
    " (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING"
)


class PostgreSQLRecordStore:
    """A :class:`~volunteer_rules.storage.RecordStore` in PostgreSQL.

    Args:
        database: a :class:`PostgreSQLDatabase`, or a connection string to open one.

    Example:
        >>> PostgreSQLRecordStore("host=/nonexistent/socket connect_timeout=1")
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.StorageError: connecting: OperationalError: ...
    """

    def __init__(self, database: PostgreSQLDatabase | str) -> None:
        self.database = _database(database)

    def add(self, records: Iterable[ServiceRecord], /) -> int:
        """Store a batch in one transaction; return how many were new (see the protocol)."""
        batch = _common.check_records(records)
        rows = [_record_row(record) for record in batch]
        if not rows:
            return 0
        return int(_library_errors("adding records", lambda: self._add(rows)))

    def _add(self, rows: list[tuple[Any, ...]]) -> int:
        added = 0
        seen: dict[tuple[str, str], str] = {}
        with self.database.transaction("adding records") as cursor:
            for row in rows:
                key = (row[0], row[1])
                payload = row[_PAYLOAD]
                if key in seen:
                    if seen[key] != payload:
                        raise _common.record_conflict_key(key)
                    continue
                seen[key] = payload
                cursor.execute(_RECORD_INSERT, row)
                if cursor.rowcount == 1:
                    added += 1
                    continue
                cursor.execute(
                    "SELECT payload FROM records WHERE organization_id = %s AND record_id = %s",
                    key,
                )
                stored = cursor.fetchone()
                if stored is None or stored[0] != payload:
                    raise _common.record_conflict_key(key)
        return added

    def get(self, organization_id: str, record_id: str, /) -> ServiceRecord:
        """Return the record under a key, or raise ``NotFoundError``."""
        key = (
            _common.check_text("organization_id", organization_id),
            _common.check_text("record_id", record_id),
        )

        def read() -> ServiceRecord:
            with self.database.reading("reading a record") as cursor:
                cursor.execute(
                    "SELECT payload FROM records WHERE organization_id = %s AND record_id = %s",
                    key,
                )
                row = cursor.fetchone()
            if row is None:
                text = _common.record_key_text(*key)
                raise NotFoundError(text, f"no record {text}")
            return _parse_payload(row[0])

        result: ServiceRecord = _library_errors("reading a record", read)
        return result

    def find(
        self,
        *,
        volunteer_id: str | None = None,
        organization_id: str | None = None,
        region: RegionCode | None = None,
        since: _dt.date | None = None,
        until: _dt.date | None = None,
    ) -> tuple[ServiceRecord, ...]:
        """Return matching records in recorded order (see the protocol)."""
        clauses: list[str] = []
        parameters: list[object] = []
        volunteer_id = _common.check_optional_text("volunteer_id", volunteer_id)
        if volunteer_id is not None:
            clauses.append("volunteer_id = %s")
            parameters.append(volunteer_id)
        organization_id = _common.check_optional_text("organization_id", organization_id)
        if organization_id is not None:
            clauses.append("organization_id = %s")
            parameters.append(organization_id)
        region = _common.check_region(region)
        if region is not None:
            clauses.append(f"{region.level}_code = %s")
            parameters.append(region.code)
        since = _common.check_day("since", since)
        if since is not None:
            clauses.append("date >= %s")
            parameters.append(since.isoformat())
        until = _common.check_day("until", until)
        if until is not None:
            clauses.append("date < %s")
            parameters.append(until.isoformat())
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""

        def read() -> tuple[ServiceRecord, ...]:
            with self.database.reading("finding records") as cursor:
                cursor.execute(
                    f"SELECT payload FROM records{where}"
                    ' ORDER BY recorded_at_us, record_id COLLATE "C", organization_id COLLATE "C"',
                    parameters,
                )
                rows = cursor.fetchall()
            return tuple(_parse_payload(text) for (text,) in rows)

        result: tuple[ServiceRecord, ...] = _library_errors("finding records", read)
        return result

    def count(self) -> int:
        """Return how many records are stored."""

        def read() -> int:
            with self.database.reading("counting records") as cursor:
                cursor.execute("SELECT count(*) FROM records")
                (count,) = cursor.fetchone() or (0,)
            return int(count)

        return int(_library_errors("counting records", read))


class PostgreSQLTransferStore:
    """A :class:`~volunteer_rules.storage.TransferStore` in PostgreSQL.

    Args:
        database: a :class:`PostgreSQLDatabase`, or a connection string to open one.

    Example:
        >>> PostgreSQLTransferStore("host=/nonexistent/socket connect_timeout=1")
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.StorageError: connecting: OperationalError: ...
    """

    def __init__(self, database: PostgreSQLDatabase | str) -> None:
        self.database = _database(database)

    def add_package(self, package: TransferPackage, /, *, at: _dt.datetime) -> bool:
        """Store a package in the state ``initiated``; return whether it was new."""
        package = _common.check_package(package)
        at = _common.check_aware("at", at)
        payload = _common.package_payload(package)
        package_id = package.digest

        def write() -> bool:
            with self.database.transaction("adding a transfer package") as cursor:
                cursor.execute(
                    "SELECT payload FROM packages WHERE package_id = %s FOR UPDATE", (package_id,)
                )
                row = cursor.fetchone()
                if row is not None:
                    if row[0] != payload:
                        raise _common.package_conflict(package_id)
                    return False
                cursor.execute("SELECT nextval('package_order')")
                (order,) = cursor.fetchone() or (0,)
                values = (
                    package_id,
                    order,
                    package.volunteer_id,
                    INITIAL_PACKAGE_STATE,
                    1,
                    payload,
                )
                cursor.execute(
                    "INSERT INTO packages VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    (*values, _tuple_checksum(values)),
                )
                event = (package_id, 1, INITIAL_PACKAGE_STATE, at.isoformat(), "")
                cursor.execute(
                    "INSERT INTO package_events VALUES (%s, %s, %s, %s, %s, %s)",
                    (*event, _tuple_checksum(event)),
                )
            return True

        return bool(_library_errors("adding a transfer package", write))

    def get_package(self, package_id: str, /) -> TransferPackage:
        """Return the package stored under an id, or raise ``NotFoundError``."""
        _common.check_text("package_id", package_id)

        def read() -> TransferPackage:
            with self.database.reading("reading a transfer package") as cursor:
                cursor.execute("SELECT payload FROM packages WHERE package_id = %s", (package_id,))
                row = cursor.fetchone()
            if row is None:
                raise _common.package_not_found(package_id)
            return _parse_package(row[0])

        result: TransferPackage = _library_errors("reading a transfer package", read)
        return result

    def state(self, package_id: str, /) -> str:
        """Return the package's current state."""
        _common.check_text("package_id", package_id)

        def read() -> str:
            with self.database.reading("reading a package state") as cursor:
                cursor.execute("SELECT state FROM packages WHERE package_id = %s", (package_id,))
                row = cursor.fetchone()
            if row is None:
                raise _common.package_not_found(package_id)
            return str(row[0])

        return str(_library_errors("reading a package state", read))

    def change_state(
        self,
        package_id: str,
        /,
        *,
        expected: str,
        new: str,
        at: _dt.datetime,
        reason: str = "",
    ) -> PackageEvent:
        """Compare-and-set the package's state (``SELECT ... FOR UPDATE``); the new event."""
        _common.check_text("package_id", package_id)
        expected = _common.check_state("expected", expected)
        new = _common.check_state("new", new)
        at = _common.check_aware("at", at)
        reason = _common.check_text("reason", reason)

        def write() -> int:
            with self.database.transaction("changing a package state") as cursor:
                cursor.execute(
                    "SELECT stored_order, volunteer_id, state, event_count, payload"
                    " FROM packages WHERE package_id = %s FOR UPDATE",
                    (package_id,),
                )
                row = cursor.fetchone()
                if row is None:
                    raise _common.package_not_found(package_id)
                stored_order, volunteer_id, current, count, payload = row
                if current != expected:
                    raise _common.state_conflict(package_id, expected, current)
                sequence = int(count) + 1
                changed = (package_id, stored_order, volunteer_id, new, sequence, payload)
                cursor.execute(
                    "UPDATE packages SET state = %s, event_count = %s, checksum = %s"
                    " WHERE package_id = %s",
                    (new, sequence, _tuple_checksum(changed), package_id),
                )
                event = (package_id, sequence, new, at.isoformat(), reason)
                cursor.execute(
                    "INSERT INTO package_events VALUES (%s, %s, %s, %s, %s, %s)",
                    (*event, _tuple_checksum(event)),
                )
            return sequence

        sequence = int(_library_errors("changing a package state", write))
        return PackageEvent(
            package_id=package_id, sequence=sequence, state=new, at=at, reason=reason
        )

    def history(self, package_id: str, /) -> tuple[PackageEvent, ...]:
        """Return the package's events, oldest first."""
        _common.check_text("package_id", package_id)

        def read() -> tuple[PackageEvent, ...]:
            with self.database.reading("reading a package history") as cursor:
                cursor.execute(
                    "SELECT sequence, state, at, reason FROM package_events"
                    " WHERE package_id = %s ORDER BY sequence",
                    (package_id,),
                )
                rows = cursor.fetchall()
            if not rows:
                raise _common.package_not_found(package_id)
            return tuple(_event(package_id, row) for row in rows)

        result: tuple[PackageEvent, ...] = _library_errors("reading a package history", read)
        return result

    def package_ids(
        self, *, state: str | None = None, volunteer_id: str | None = None
    ) -> tuple[str, ...]:
        """Return stored package ids in storing order, filtered by state and volunteer."""
        clauses: list[str] = []
        parameters: list[str] = []
        state = _common.check_optional_text("state", state)
        if state is not None:
            clauses.append("state = %s")
            parameters.append(state)
        volunteer_id = _common.check_optional_text("volunteer_id", volunteer_id)
        if volunteer_id is not None:
            clauses.append("volunteer_id = %s")
            parameters.append(volunteer_id)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""

        def read() -> tuple[str, ...]:
            with self.database.reading("listing transfer packages") as cursor:
                cursor.execute(
                    f"SELECT package_id FROM packages{where} ORDER BY stored_order",
                    parameters,
                )
                return tuple(str(package_id) for (package_id,) in cursor.fetchall())

        result: tuple[str, ...] = _library_errors("listing transfer packages", read)
        return result


_ENTRY_COPY: Final = f"COPY ledger_entries ({_ENTRY_COLUMN_LIST}, checksum) FROM STDIN"


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
        volunteer_rules.errors.StorageError: connecting: OperationalError: ...
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
            for account, version in expected.items():
                current = self._version(cursor, account)
                if current != version:
                    raise _common.version_conflict(account, version, current)
            if not batch:
                return 0
            if self._continues(cursor, batch, rows):
                with cursor.copy(_ENTRY_COPY) as copy:
                    for row in rows:
                        copy.write_row(row)
                return len(batch)
            return self._careful(cursor, batch, rows)

    @staticmethod
    def _next(cursor: psycopg.Cursor[Any]) -> tuple[int, int]:
        cursor.execute(
            "SELECT position, sequence FROM ledger_entries ORDER BY sequence DESC LIMIT 1"
        )
        row = cursor.fetchone()
        return (0, 0) if row is None else (int(row[0]) + 1, int(row[1]) + 1)

    @staticmethod
    def _version(cursor: psycopg.Cursor[Any], account: str) -> int:
        cursor.execute(
            "SELECT coalesce(max(version), 0) FROM ledger_entries WHERE account = %s", (account,)
        )
        (version,) = cursor.fetchone() or (0,)
        return int(version)

    def _continues(
        self,
        cursor: psycopg.Cursor[Any],
        batch: Sequence[PostedTransfer],
        rows: Sequence[tuple[Any, ...]],
    ) -> bool:
        """Whether the whole batch is new and continues the stored ledger exactly."""
        next_index, next_sequence = self._next(cursor)
        for offset, posting in enumerate(batch):
            if posting.index != next_index + offset:
                return False
        first: dict[str, int] = {}
        last: dict[str, int] = {}
        for offset, row in enumerate(rows):
            if row[0] != next_sequence + offset:
                return False
            account, version = row[3], row[5]
            before = last.get(account)
            if before is None:
                first[account] = version
            elif version != before + 1:
                return False
            last[account] = version
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

    def _careful(
        self,
        cursor: psycopg.Cursor[Any],
        batch: Sequence[PostedTransfer],
        rows: Sequence[tuple[Any, ...]],
    ) -> int:
        next_index, next_sequence = self._next(cursor)
        versions: dict[str, int] = {}
        added = 0
        position = 0
        for posting in batch:
            own_rows = rows[position : position + len(posting.entries)]
            position += len(posting.entries)
            tid = posting.transfer.transfer_id
            stored = self._load_transfer(cursor, tid)
            if stored is not None:
                _common.check_same_posting(stored, posting)
                continue
            if posting.index != next_index:
                raise _common.stale(tid, f"index {posting.index}, expected {next_index}")
            for entry in posting.entries:
                if entry.sequence != next_sequence:
                    raise _common.stale(
                        tid, f"entry sequence {entry.sequence}, expected {next_sequence}"
                    )
                account = entry.account
                if account not in versions:
                    versions[account] = self._version(cursor, account)
                if entry.version != versions[account] + 1:
                    raise _common.stale(
                        tid, f"{account} version {entry.version}, expected {versions[account] + 1}"
                    )
                versions[account] += 1
                next_sequence += 1
            with cursor.copy(_ENTRY_COPY) as copy:
                for row in own_rows:
                    copy.write_row(row)
            next_index += 1
            added += 1
        return added

    @staticmethod
    def _load_transfer(cursor: psycopg.Cursor[Any], transfer_id: str) -> PostedTransfer | None:
        cursor.execute(
            "SELECT sequence, entry_count FROM ledger_entries"
            " WHERE transfer_id = %s AND kind IS NOT NULL",
            (transfer_id,),
        )
        head = cursor.fetchone()
        if head is None:
            return None
        first, count = head
        cursor.execute(
            f"SELECT {_ENTRY_COLUMN_LIST} FROM ledger_entries"
            " WHERE sequence BETWEEN %s AND %s ORDER BY sequence",
            (first, first + count - 1),
        )
        return _postings_from_rows(cursor.fetchall())[0]

    def _read(self, what: str, read: Callable[[psycopg.Cursor[Any]], Any]) -> Any:
        def run() -> Any:
            with self.database.reading(what) as cursor:
                return read(cursor)

        return _library_errors(what, run)

    def transfer_count(self) -> int:
        """Return how many transfers are stored."""
        return int(self._read("counting ledger transfers", lambda c: self._next(c)[0]))

    def get_transfer(self, transfer_id: str, /) -> PostedTransfer:
        """Return the posting stored under an id, or raise ``NotFoundError``."""
        _common.check_text("transfer_id", transfer_id)
        found = self._read(
            "reading a ledger transfer", lambda c: self._load_transfer(c, transfer_id)
        )
        if found is None:
            raise NotFoundError(transfer_id, f"no ledger transfer {transfer_id!r}")
        result: PostedTransfer = found
        return result

    def postings(self, *, start: int = 0) -> tuple[PostedTransfer, ...]:
        """Return the postings from position ``start`` on."""
        start = _common.check_start(start)
        if start > _MAX_INTEGER:
            return ()

        def read(cursor: psycopg.Cursor[Any]) -> tuple[PostedTransfer, ...]:
            cursor.execute(
                "SELECT sequence FROM ledger_entries WHERE position = %s AND kind IS NOT NULL",
                (start,),
            )
            head = cursor.fetchone()
            if head is None:
                return ()
            cursor.execute(
                f"SELECT {_ENTRY_COLUMN_LIST} FROM ledger_entries"
                " WHERE sequence >= %s ORDER BY sequence",
                head,
            )
            return tuple(_postings_from_rows(cursor.fetchall()))

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
        clauses: list[str] = []
        parameters: list[object] = []
        account = _common.check_optional_text("account", account)
        if account is not None:
            clauses.append("e.account = %s")
            parameters.append(account)
        since = _common.check_moment("since", since)
        if since is not None:
            clauses.append("e.at_us >= %s")
            parameters.append(_common.micros(since))
        until = _common.check_moment("until", until)
        if until is not None:
            clauses.append("e.at_us < %s")
            parameters.append(_common.micros(until))
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""

        def read(cursor: psycopg.Cursor[Any]) -> tuple[LedgerEntry, ...]:
            cursor.execute(
                "SELECT e.sequence, e.transfer_id, e.account, e.minutes, e.version, t.at"
                " FROM ledger_entries e JOIN ledger_entries t"
                " ON t.position = e.position AND t.kind IS NOT NULL"
                f"{where} ORDER BY e.sequence",
                parameters,
            )
            times: dict[str, _dt.datetime] = {}
            entries: list[LedgerEntry] = []
            for sequence, tid, acct, minutes, version, at_text in cursor.fetchall():
                at = times.get(at_text)
                if at is None:
                    at = times[at_text] = _dt.datetime.fromisoformat(at_text)
                entries.append(
                    LedgerEntry(int(sequence), tid, acct, int(minutes), int(version), at)
                )
            return tuple(entries)

        result: tuple[LedgerEntry, ...] = self._read("reading ledger entries", read)
        return result

    def version(self, account: str, /) -> int:
        """Return the account's version (0 if it has no entries)."""
        _common.check_text("account", account)
        return int(self._read("reading an account version", lambda c: self._version(c, account)))

    def balance(self, account: str, /) -> Hours:
        """Return the account's balance, summed from its entries."""
        _common.check_text("account", account)

        def read(cursor: psycopg.Cursor[Any]) -> int:
            cursor.execute(
                "SELECT coalesce(sum(minutes), 0) FROM ledger_entries WHERE account = %s",
                (account,),
            )
            (total,) = cursor.fetchone() or (0,)
            return int(total)

        return Hours.from_minutes(int(self._read("reading a balance", read)))

    def balances(self) -> dict[str, Hours]:
        """Return every account's balance, summed from the entries, sorted by account."""

        def read(cursor: psycopg.Cursor[Any]) -> dict[str, Hours]:
            cursor.execute(
                "SELECT account, sum(minutes) FROM ledger_entries GROUP BY account"
                ' ORDER BY account COLLATE "C"'
            )
            return {account: Hours.from_minutes(int(total)) for account, total in cursor.fetchall()}

        result: dict[str, Hours] = self._read("reading balances", read)
        return result
