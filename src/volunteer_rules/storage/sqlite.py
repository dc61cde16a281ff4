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

import contextlib
import datetime as _dt
import functools
import hashlib
import json
import os
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Final, ParamSpec, TypeVar

from volunteer_rules._privacy import masked_repr
from volunteer_rules.errors import (
    ConflictError,
    InvalidTypeError,
    InvalidValueError,
    NotFoundError,
    RecordFormatError,
    StorageError,
    VolunteerRulesError,
)
from volunteer_rules.hours import Hours
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.records.region import RegionCode
from volunteer_rules.storage import _common
from volunteer_rules.storage.protocols import INITIAL_PACKAGE_STATE, PackageEvent
from volunteer_rules.timebank.ledger import (
    LedgerEntry,
    LedgerTransfer,
    PostedTransfer,
    check_ledger,
)
from volunteer_rules.transfer.package import TransferPackage, parse_transfer_package

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
)
"""Forward migrations: ``MIGRATIONS[n]`` takes a file from version ``n`` to ``n + 1``."""

SCHEMA_VERSION: Final = len(MIGRATIONS)
"""The schema version this library writes (the number of migrations)."""

_RECORD_COLUMNS: Final = _RECORD_COLUMN_LIST + ", checksum"


@contextlib.contextmanager
def _translated(what: str) -> Iterator[None]:
    """Translate every sqlite3 error raised inside into the library's storage errors."""
    try:
        yield
    except sqlite3.IntegrityError as error:
        raise ConflictError(what, f"{what}: constraint failed: {error}") from error
    except sqlite3.Error as error:
        raise StorageError(f"{what}: {type(error).__name__}: {error}") from error
    except OverflowError as error:  # an int beyond SQLite's 64 bits, from a caller's value
        raise InvalidValueError(what, "a number is too large for SQLite (64-bit)") from error


_P = ParamSpec("_P")
_R = TypeVar("_R")
_DECODING_ERRORS: Final = (
    sqlite3.Error,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    OverflowError,
    UnicodeError,
)
"""What damaged stored data raises while it is read back (beside the library's own errors)."""


def _reads_stored_data(method: Callable[_P, _R]) -> Callable[_P, _R]:
    """Translate the errors that damaged data causes when read back into ``StorageError``."""

    @functools.wraps(method)
    def translated(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(*args, **kwargs)
        except VolunteerRulesError:
            raise
        except _DECODING_ERRORS as error:
            raise StorageError(
                f"{method.__qualname__}: the stored data cannot be read back "
                f"({type(error).__name__}: {error}); run volunteer-rules db check"
            ) from error

    return translated


@masked_repr
class SQLiteDatabase:
    """An open SQLite file (or ``:memory:``) with the library's schema, shared by the stores.

    Close it with :meth:`close` (or use it as a context manager); one that is never closed is
    closed when it is garbage collected.

    Args:
        path: a file name (created if missing) or ``":memory:"``.
        timeout: seconds a writer waits for another process's transaction (busy timeout).
        synchronous: SQLite's ``synchronous`` setting: ``"FULL"`` (the default: a committed
            batch survives a power cut) or ``"NORMAL"`` (faster; in WAL mode still never
            corrupts the file nor leaves half a batch, but the last commits may be lost if
            the machine, not just the process, stops).
        migrate: bring an older schema up to date (default). With ``False`` an out-of-date
            file raises ``StorageError``.

    Raises:
        StorageError: the file cannot be opened, is not a SQLite database, or has a schema
            newer than this library's.

    Example:
        >>> with SQLiteDatabase(":memory:") as database:
        ...     database.schema_version() >= 1
        True
    """

    def __init__(
        self,
        path: str | os.PathLike[str] = ":memory:",
        *,
        timeout: float = 30.0,
        synchronous: str = "FULL",
        migrate: bool = True,
        _target_version: int = SCHEMA_VERSION,
    ) -> None:
        if not isinstance(path, (str, os.PathLike)):
            raise InvalidTypeError("path", f"must be a str or path, not {type(path).__name__}")
        if synchronous not in ("FULL", "NORMAL", "EXTRA"):
            raise InvalidValueError("synchronous", "must be FULL, NORMAL or EXTRA")
        self.path = os.fspath(path)
        if not isinstance(self.path, str):
            raise InvalidTypeError("path", "must be a text path, not bytes")
        if "\0" in self.path:
            raise InvalidValueError("path", "must not contain a NUL character")
        self._lock = threading.RLock()
        with _translated(f"opening {self.path}"):
            self._connection = sqlite3.connect(
                self.path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
            self._connection.create_function("vr_checksum", -1, row_checksum, deterministic=True)
        # a database nobody closed is closed when it is garbage collected
        self._closer = weakref.finalize(self, self._connection.close)
        try:
            with _translated(f"opening {self.path}"):
                self._connection.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
                self._connection.execute("PRAGMA journal_mode = WAL").fetchone()
                self._connection.execute(f"PRAGMA synchronous = {synchronous}")
                self._migrate(migrate, _target_version)
        except VolunteerRulesError:
            self._closer()
            raise
        except _DECODING_ERRORS as error:  # a damaged schema text, say
            self._closer()
            raise StorageError(
                f"opening {self.path}: the file is damaged ({type(error).__name__}: {error})"
            ) from error
        except BaseException:
            self._closer()
            raise

    def _migrate(self, migrate: bool, target: int) -> None:
        with self.transaction("migrating the schema") as connection:
            connection.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY)"
            )
            (current,) = connection.execute(
                "SELECT coalesce(max(version), 0) FROM schema_version"
            ).fetchone()
            if current > SCHEMA_VERSION:
                raise StorageError(
                    f"{self.path} has schema version {current}, newer than this library's "
                    f"{SCHEMA_VERSION}; upgrade volunteer_rules"
                )
            if current < target and not migrate:
                raise StorageError(
                    f"{self.path} has schema version {current}, older than {target}; "
                    "open it with migrate=True"
                )
            for version in range(current, target):
                for statement in MIGRATIONS[version]:
                    connection.execute(statement)
                connection.execute("INSERT INTO schema_version VALUES (?)", (version + 1,))

    def schema_version(self) -> int:
        """Return the schema version of the open file.

        Example:
            >>> with SQLiteDatabase() as database:
            ...     database.schema_version() == SCHEMA_VERSION
            True
        """
        with self.reading("reading the schema version") as connection:
            (version,) = connection.execute("SELECT max(version) FROM schema_version").fetchone()
        return int(version)

    @contextlib.contextmanager
    def transaction(self, what: str) -> Iterator[sqlite3.Connection]:
        """Run the block in one ``BEGIN IMMEDIATE`` transaction: commit, or roll back on error.

        sqlite3 errors are translated (see the module). Used by the stores; integrators
        rarely need it.

        Example:
            >>> with SQLiteDatabase() as database, database.transaction("demo") as connection:
            ...     connection.execute("SELECT 1").fetchone()
            (1,)
        """
        with self._lock, _translated(what):
            connection = self._connection
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    @contextlib.contextmanager
    def reading(self, what: str) -> Iterator[sqlite3.Connection]:
        """Run the block in one read transaction (a consistent snapshot).

        Example:
            >>> with SQLiteDatabase() as database, database.reading("demo") as connection:
            ...     connection.execute("SELECT 2").fetchone()
            (2,)
        """
        with self._lock, _translated(what):
            connection = self._connection
            connection.execute("BEGIN DEFERRED")
            try:
                yield connection
            finally:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")

    def check(self) -> tuple[str, ...]:
        """Look for damage; return the problems found, one sentence each (empty: sound).

        Checks SQLite's own structure (``PRAGMA integrity_check``: pages, indexes), that the
        schema is exactly the one this library writes, every row's checksum (records,
        packages, package events, ledger entries), that every record and package reads back
        and matches its indexed columns, that each package's state is its last event's, and
        that the ledger is sound (``check_ledger``: numbering, versions, sums). Reads only.

        Example:
            >>> with SQLiteDatabase() as database:
            ...     database.check()
            ()
        """
        problems: list[str] = []
        try:
            self._check_structure(problems)
            if not problems:
                self._check_rows(problems)
        except VolunteerRulesError as error:
            problems.append(str(error))
        except _DECODING_ERRORS as error:
            problems.append(f"the data cannot be read back: {type(error).__name__}: {error}")
        return tuple(problems)

    def _check_structure(self, problems: list[str]) -> None:
        with self.reading("checking the file") as connection:
            found = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            if found != ["ok"]:
                problems.extend(f"SQLite: {text}" for text in found[:20])
                return
            schema = connection.execute(
                "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
            ).fetchall()
            (version,) = connection.execute(
                "SELECT coalesce(max(version), 0) FROM schema_version"
            ).fetchone()
        with (
            SQLiteDatabase(":memory:", _target_version=version) as fresh,
            fresh.reading("the expected schema") as connection,
        ):
            expected = connection.execute(
                "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
            ).fetchall()
        if schema != expected:
            problems.append("the schema is not the one this library writes (damaged or altered)")

    def _check_rows(self, problems: list[str]) -> None:
        with self.reading("checking the rows") as connection:
            for table, columns, label in _CHECKED_TABLES:
                bad = connection.execute(
                    f"SELECT {label} FROM {table}"  # our own constant names
                    f" WHERE checksum IS NOT vr_checksum({columns}) LIMIT 20"
                ).fetchall()
                problems.extend(f"{table}: {label_}: checksum mismatch" for (label_,) in bad)
            records = connection.execute(f"SELECT {_RECORD_COLUMN_LIST} FROM records").fetchall()
            packages = connection.execute(
                "SELECT p.package_id, p.volunteer_id, p.state, p.event_count, p.payload,"
                " count(e.sequence), max(e.sequence),"
                " (SELECT state FROM package_events l WHERE l.package_id = p.package_id"
                "  ORDER BY sequence DESC LIMIT 1)"
                " FROM packages p LEFT JOIN package_events e ON e.package_id = p.package_id"
                " GROUP BY p.package_id"
            ).fetchall()
            (orphans,) = connection.execute(
                "SELECT count(*) FROM package_events e WHERE NOT EXISTS"
                " (SELECT 1 FROM packages p WHERE p.package_id = e.package_id)"
            ).fetchone()
        if problems:
            return
        for row in records:
            try:
                record = _parse_payload(row[_PAYLOAD])
            except StorageError as error:
                problems.append(f"records: {row[0]}/{row[1]}: {error}")
                continue
            if _record_row(record)[:12] != tuple(row):
                problems.append(f"records: {row[0]}/{row[1]}: columns do not match the record")
        for package_id, volunteer, state, count, payload, events, last, last_state in packages:
            try:
                package = _parse_package(payload)
            except StorageError as error:
                problems.append(f"packages: {package_id}: {error}")
                continue
            if package.digest != package_id or package.volunteer_id != volunteer:
                problems.append(f"packages: {package_id}: columns do not match the package")
            if not (count == events == last) or state != last_state:
                problems.append(f"packages: {package_id}: state and events disagree")
        if orphans:
            problems.append(f"package_events: {orphans} events of no stored package")
        ledger = SQLiteLedgerStore(self)
        postings = ledger.postings()
        if len(postings) != ledger.transfer_count():
            problems.append("ledger_entries: transfers are missing or out of place")
        problems.extend(f"ledger: {problem}" for problem in check_ledger(postings))
        if len(ledger.entries()) != sum(len(p.entries) for p in postings):
            problems.append("ledger_entries: entries are missing or out of place")

    def close(self) -> None:
        """Close the connection (idempotent). The stores of this database stop working.

        Example:
            >>> database = SQLiteDatabase()
            >>> database.close(); database.close()
        """
        with self._lock, _translated(f"closing {self.path}"):
            self._closer()

    def __enter__(self) -> SQLiteDatabase:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SQLiteDatabase({self.path!r})"


def _database(database: SQLiteDatabase | str | os.PathLike[str]) -> SQLiteDatabase:
    if isinstance(database, SQLiteDatabase):
        return database
    return SQLiteDatabase(database)


def _record_row(record: ServiceRecord) -> tuple[Any, ...]:
    province, city, county = _common.region_levels(record.region_code)
    row = (
        record.organization_id,
        record.record_id,
        record.volunteer_id,
        record.region_code.code,
        province,
        city,
        county,
        record.date.isoformat(),
        _common.micros(record.recorded_at),
        record.amends,
        record.status,
        _common.record_payload(record),
    )
    return (*row, row_checksum(*row))


_PAYLOAD: Final = 11
"""The position of the payload in a record row."""


def _parse_payload(text: str) -> ServiceRecord:
    from volunteer_rules.records.record import parse_record

    try:
        return parse_record(json.loads(text))
    except (ValueError, RecordFormatError) as error:
        raise StorageError(f"a stored record cannot be read back: {error}") from error


class SQLiteRecordStore:
    """A :class:`~volunteer_rules.storage.RecordStore` in a SQLite file.

    Args:
        database: an open :class:`SQLiteDatabase`, or a path (``":memory:"`` by default) to
            open one.

    Example:
        >>> import volunteer_rules as vr
        >>> store = SQLiteRecordStore(":memory:")
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> store.add([record]), store.add([record]), store.count()
        (1, 0, 1)
        >>> store.get(record.organization_id, record.record_id) == record
        True
    """

    def __init__(self, database: SQLiteDatabase | str | os.PathLike[str] = ":memory:") -> None:
        self.database = _database(database)

    @_reads_stored_data
    def add(self, records: Iterable[ServiceRecord], /) -> int:
        """Store a batch in one transaction; return how many were new (see the protocol).

        Example:
            >>> SQLiteRecordStore().add([])
            0
        """
        batch = _common.check_records(records)
        all_rows = [_record_row(record) for record in batch]
        unique: dict[tuple[str, str], tuple[Any, ...]] = {}
        for row in all_rows:
            key = (row[0], row[1])
            seen = unique.get(key)
            if seen is None:
                unique[key] = row
            elif seen[_PAYLOAD] != row[_PAYLOAD]:  # the same key twice in the batch, other content
                return self._add_one_by_one(all_rows)  # finds the first conflict in order
        if not unique:
            return 0
        rows = list(unique.values())
        with self.database.transaction("adding records") as connection:
            cursor = connection.executemany(
                f"INSERT INTO records ({_RECORD_COLUMNS}) VALUES"
                " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                rows,
            )
            added = cursor.rowcount
            if added < len(rows):  # some were held already: they must be the same content
                for row in rows:
                    (stored,) = connection.execute(
                        "SELECT payload FROM records WHERE organization_id = ? AND record_id = ?",
                        (row[0], row[1]),
                    ).fetchone()
                    if stored != row[_PAYLOAD]:
                        raise _common.record_conflict_key((row[0], row[1]))
        return int(added)

    def _add_one_by_one(self, rows: list[tuple[Any, ...]]) -> int:
        """The careful path: row by row, raising at the first conflict in batch order."""
        added = 0
        with self.database.transaction("adding records") as connection:
            for row in rows:
                key = (row[0], row[1])
                cursor = connection.execute(
                    f"INSERT INTO records ({_RECORD_COLUMNS}) VALUES"
                    " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    row,
                )
                if cursor.rowcount == 1:
                    added += 1
                    continue
                (stored,) = connection.execute(
                    "SELECT payload FROM records WHERE organization_id = ? AND record_id = ?",
                    key,
                ).fetchone()
                if stored != row[_PAYLOAD]:
                    raise _common.record_conflict_key(key)
        return added

    @_reads_stored_data
    def get(self, organization_id: str, record_id: str, /) -> ServiceRecord:
        """Return the record under a key, or raise ``NotFoundError``.

        Example:
            >>> SQLiteRecordStore().get("G-x", "r-1")
            Traceback (most recent call last):
            ...
            volunteer_rules.errors.NotFoundError: no record G-x/r-1
        """
        key = (
            _common.check_text("organization_id", organization_id),
            _common.check_text("record_id", record_id),
        )
        with self.database.reading("reading a record") as connection:
            row = connection.execute(
                "SELECT payload FROM records WHERE organization_id = ? AND record_id = ?", key
            ).fetchone()
        if row is None:
            text = _common.record_key_text(*key)
            raise NotFoundError(text, f"no record {text}")
        return _parse_payload(row[0])

    @_reads_stored_data
    def find(
        self,
        *,
        volunteer_id: str | None = None,
        organization_id: str | None = None,
        region: RegionCode | None = None,
        since: _dt.date | None = None,
        until: _dt.date | None = None,
    ) -> tuple[ServiceRecord, ...]:
        """Return matching records in recorded order (see the protocol).

        Example:
            >>> SQLiteRecordStore().find(volunteer_id="V1")
            ()
        """
        clauses: list[str] = []
        parameters: list[object] = []
        volunteer_id = _common.check_optional_text("volunteer_id", volunteer_id)
        if volunteer_id is not None:
            clauses.append("volunteer_id = ?")
            parameters.append(volunteer_id)
        organization_id = _common.check_optional_text("organization_id", organization_id)
        if organization_id is not None:
            clauses.append("organization_id = ?")
            parameters.append(organization_id)
        region = _common.check_region(region)
        if region is not None:
            clauses.append(f"{region.level}_code = ?")
            parameters.append(region.code)
        since = _common.check_day("since", since)
        if since is not None:
            clauses.append("date >= ?")
            parameters.append(since.isoformat())
        until = _common.check_day("until", until)
        if until is not None:
            clauses.append("date < ?")
            parameters.append(until.isoformat())
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        with self.database.reading("finding records") as connection:
            rows = connection.execute(
                f"SELECT payload FROM records{where}"
                " ORDER BY recorded_at_us, record_id, organization_id",
                parameters,
            ).fetchall()
        return tuple(_parse_payload(text) for (text,) in rows)

    @_reads_stored_data
    def count(self) -> int:
        """Return how many records are stored.

        Example:
            >>> SQLiteRecordStore().count()
            0
        """
        with self.database.reading("counting records") as connection:
            (count,) = connection.execute("SELECT count(*) FROM records").fetchone()
        return int(count)


def _parse_package(text: str) -> TransferPackage:
    try:
        return parse_transfer_package(json.loads(text))
    except (ValueError, RecordFormatError) as error:
        raise StorageError(f"a stored transfer package cannot be read back: {error}") from error


def _event(package_id: str, row: tuple[int, str, str, str]) -> PackageEvent:
    sequence, state, at, reason = row
    return PackageEvent(
        package_id=package_id,
        sequence=sequence,
        state=state,
        at=_dt.datetime.fromisoformat(at),
        reason=reason,
    )


class SQLiteTransferStore:
    """A :class:`~volunteer_rules.storage.TransferStore` in a SQLite file.

    Packages are stored as the canonical JSON of their wire form
    (``dump_transfer_package``); the current state is kept next to the package for the
    compare-and-set and is always the state of the last event.

    Args:
        database: an open :class:`SQLiteDatabase`, or a path to open one.

    Example:
        >>> from datetime import datetime, timezone
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.transfer.package import create_transfer_package
        >>> package = create_transfer_package(
        ...     [], volunteer_id="V1", source_organization_id="G-a",
        ...     destination_organization_id="G-b", destination_region_code="211100",
        ...     consent=True, created_at=datetime(2024, 6, 1, tzinfo=timezone.utc))
        >>> store = SQLiteTransferStore()
        >>> store.add_package(package, at=datetime(2024, 6, 1, tzinfo=timezone.utc))
        True
        >>> store.get_package(package.digest) == package, store.state(package.digest)
        (True, 'initiated')
    """

    def __init__(self, database: SQLiteDatabase | str | os.PathLike[str] = ":memory:") -> None:
        self.database = _database(database)

    @_reads_stored_data
    def add_package(self, package: TransferPackage, /, *, at: _dt.datetime) -> bool:
        """Store a package in the state ``initiated``; return whether it was new.

        Example:
            >>> SQLiteTransferStore().add_package("{}", at=None)
            Traceback (most recent call last):
            ...
            volunteer_rules.errors.InvalidTypeError: package: must be a TransferPackage, not str
        """
        package = _common.check_package(package)
        at = _common.check_aware("at", at)
        payload = _common.package_payload(package)
        package_id = package.digest
        with self.database.transaction("adding a transfer package") as connection:
            row = connection.execute(
                "SELECT payload FROM packages WHERE package_id = ?", (package_id,)
            ).fetchone()
            if row is not None:
                if row[0] != payload:
                    raise _common.package_conflict(package_id)
                return False
            (last,) = connection.execute(
                "SELECT coalesce(max(stored_order), 0) FROM packages"
            ).fetchone()
            row = (package_id, last + 1, package.volunteer_id, INITIAL_PACKAGE_STATE, 1, payload)
            connection.execute(
                "INSERT INTO packages VALUES (?, ?, ?, ?, ?, ?, ?)", (*row, row_checksum(*row))
            )
            event = (package_id, 1, INITIAL_PACKAGE_STATE, at.isoformat(), "")
            connection.execute(
                "INSERT INTO package_events VALUES (?, ?, ?, ?, ?, ?)",
                (*event, row_checksum(*event)),
            )
        return True

    @_reads_stored_data
    def get_package(self, package_id: str, /) -> TransferPackage:
        """Return the package stored under an id, or raise ``NotFoundError``.

        Example:
            >>> SQLiteTransferStore().get_package("nope")
            Traceback (most recent call last):
            ...
            volunteer_rules.errors.NotFoundError: no transfer package nope
        """
        _common.check_text("package_id", package_id)
        with self.database.reading("reading a transfer package") as connection:
            row = connection.execute(
                "SELECT payload FROM packages WHERE package_id = ?", (package_id,)
            ).fetchone()
        if row is None:
            raise _common.package_not_found(package_id)
        return _parse_package(row[0])

    @_reads_stored_data
    def state(self, package_id: str, /) -> str:
        """Return the package's current state.

        Example:
            >>> SQLiteTransferStore().state("nope")
            Traceback (most recent call last):
            ...
            volunteer_rules.errors.NotFoundError: no transfer package nope
        """
        _common.check_text("package_id", package_id)
        with self.database.reading("reading a package state") as connection:
            row = connection.execute(
                "SELECT state FROM packages WHERE package_id = ?", (package_id,)
            ).fetchone()
        if row is None:
            raise _common.package_not_found(package_id)
        return str(row[0])

    @_reads_stored_data
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
        """Compare-and-set the package's state in one transaction; return the new event.

        Example:
            >>> from datetime import datetime, timezone
            >>> SQLiteTransferStore().change_state(
            ...     "nope", expected="initiated", new="accepted",
            ...     at=datetime(2024, 6, 1, tzinfo=timezone.utc))
            Traceback (most recent call last):
            ...
            volunteer_rules.errors.NotFoundError: no transfer package nope
        """
        _common.check_text("package_id", package_id)
        expected = _common.check_state("expected", expected)
        new = _common.check_state("new", new)
        at = _common.check_aware("at", at)
        reason = _common.check_text("reason", reason)
        with self.database.transaction("changing a package state") as connection:
            row = connection.execute(
                "SELECT stored_order, volunteer_id, state, event_count, payload FROM packages"
                " WHERE package_id = ?",
                (package_id,),
            ).fetchone()
            if row is None:
                raise _common.package_not_found(package_id)
            stored_order, volunteer_id, current, count, payload = row
            if current != expected:
                raise _common.state_conflict(package_id, expected, current)
            sequence = count + 1
            changed = (package_id, stored_order, volunteer_id, new, sequence, payload)
            connection.execute(
                "UPDATE packages SET state = ?, event_count = ?, checksum = ? WHERE package_id = ?",
                (new, sequence, row_checksum(*changed), package_id),
            )
            event = (package_id, sequence, new, at.isoformat(), reason)
            connection.execute(
                "INSERT INTO package_events VALUES (?, ?, ?, ?, ?, ?)",
                (*event, row_checksum(*event)),
            )
        return PackageEvent(
            package_id=package_id, sequence=sequence, state=new, at=at, reason=reason
        )

    @_reads_stored_data
    def history(self, package_id: str, /) -> tuple[PackageEvent, ...]:
        """Return the package's events, oldest first.

        Example:
            >>> SQLiteTransferStore().history("nope")
            Traceback (most recent call last):
            ...
            volunteer_rules.errors.NotFoundError: no transfer package nope
        """
        _common.check_text("package_id", package_id)
        with self.database.reading("reading a package history") as connection:
            rows = connection.execute(
                "SELECT sequence, state, at, reason FROM package_events"
                " WHERE package_id = ? ORDER BY sequence",
                (package_id,),
            ).fetchall()
        if not rows:
            raise _common.package_not_found(package_id)
        return tuple(_event(package_id, row) for row in rows)

    @_reads_stored_data
    def package_ids(
        self, *, state: str | None = None, volunteer_id: str | None = None
    ) -> tuple[str, ...]:
        """Return stored package ids in storing order, filtered by state and volunteer.

        Example:
            >>> SQLiteTransferStore().package_ids(state="accepted")
            ()
        """
        clauses: list[str] = []
        parameters: list[str] = []
        state = _common.check_optional_text("state", state)
        if state is not None:
            clauses.append("state = ?")
            parameters.append(state)
        volunteer_id = _common.check_optional_text("volunteer_id", volunteer_id)
        if volunteer_id is not None:
            clauses.append("volunteer_id = ?")
            parameters.append(volunteer_id)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        with self.database.reading("listing transfer packages") as connection:
            rows = connection.execute(
                f"SELECT package_id FROM packages{where} ORDER BY stored_order", parameters
            ).fetchall()
        return tuple(package_id for (package_id,) in rows)


_MAX_INTEGER: Final = 2**63 - 1
"""The largest integer SQLite stores."""


class _SlowPath(Exception):
    """The fast append path met something only the careful path can judge."""


_ENTRY_INSERT: Final = (
    "INSERT INTO ledger_entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_NO_TRANSFER: Final = (None,) * 10
_EntryRow = tuple[Any, ...]


def _entry_rows(batch: Sequence[PostedTransfer]) -> list[_EntryRow]:
    """One row per entry; the transfer's own fields on its first entry (the hot path)."""
    rows: list[_EntryRow] = []
    append = rows.append
    micros = _common.micros
    canonical = _common.canonical_json
    checksum = _tuple_checksum
    for posting in batch:
        transfer = posting.transfer
        entries = posting.entries
        position = posting.index
        tid = transfer.transfer_id
        at = transfer.at
        at_us = micros(at)
        key = transfer.record_key
        expires_at = transfer.expires_at
        details = transfer.details
        first = entries[0]
        row: _EntryRow = (
            first.sequence,
            position,
            tid,
            first.account,
            first.minutes,
            first.version,
            at_us,
            transfer.kind,
            at.isoformat(),
            transfer.reference,
            None if key is None else key[0],
            None if key is None else key[1],
            None if expires_at is None else expires_at.isoformat(),
            canonical(details) if details else None,
            transfer.memo,
            len(transfer.legs),
            len(entries),
        )
        append((*row, checksum(row)))
        for entry in entries[1:]:
            row = (
                entry.sequence,
                position,
                tid,
                entry.account,
                entry.minutes,
                entry.version,
                at_us,
                *_NO_TRANSFER,
            )
            append((*row, checksum(row)))
    return rows


def _postings_from_rows(rows: Sequence[Sequence[Any]]) -> list[PostedTransfer]:
    """Group entry rows (in sequence order, starting at a transfer) back into postings."""
    postings: list[PostedTransfer] = []
    times: dict[str, _dt.datetime] = {}
    index = 0
    while index < len(rows):
        head = rows[index]
        sequence, position, tid = head[:3]
        kind, at_text = head[7:9]
        (reference, org, record_id, expires, details, memo, legs, count) = head[9:17]
        if kind is None or count is None:
            raise StorageError(f"the stored ledger is damaged at entry {sequence}")
        at = times.get(at_text)
        if at is None:
            at = times[at_text] = _dt.datetime.fromisoformat(at_text)
        entries = tuple(
            LedgerEntry(row[0], tid, row[3], row[4], row[5], at)
            for row in rows[index : index + count]
        )
        index += count
        try:
            transfer = LedgerTransfer(
                transfer_id=tid,
                kind=kind,
                legs=tuple((entry.account, entry.minutes) for entry in entries[:legs]),
                at=at,
                reference=reference,
                record_key=None if org is None else (org, record_id),
                expires_at=None if expires is None else _dt.datetime.fromisoformat(expires),
                details=tuple((str(a), str(b)) for a, b in json.loads(details)) if details else (),
                memo=memo,
            )
        except (ValueError, TypeError) as error:
            raise StorageError(
                f"stored ledger transfer {tid!r} cannot be read back: {error}"
            ) from error
        postings.append(PostedTransfer(transfer=transfer, index=position, entries=entries))
    return postings


class SQLiteLedgerStore:
    """A :class:`~volunteer_rules.storage.LedgerStore` in a SQLite file.

    One row per entry in ``ledger_entries`` (:data:`LEDGER_SCHEMA`), unique on
    ``(account, version)``; a transfer's own fields (kind, time, reference, record key...) sit
    on its first entry, whose transfer id is unique. No balance is stored: balances are summed
    from the entries when asked for, so they cannot drift from them.

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
            return self._careful(connection, batch, rows, expected)

    @staticmethod
    def _next(connection: sqlite3.Connection) -> tuple[int, int]:
        """The index and the sequence the next posting must have."""
        row = connection.execute(
            "SELECT position, sequence FROM ledger_entries ORDER BY sequence DESC LIMIT 1"
        ).fetchone()
        return (0, 0) if row is None else (row[0] + 1, row[1] + 1)

    @staticmethod
    def _version(connection: sqlite3.Connection, account: str) -> int:
        (version,) = connection.execute(
            "SELECT coalesce(max(version), 0) FROM ledger_entries WHERE account = ?", (account,)
        ).fetchone()
        return int(version)

    def _check_expected(self, connection: sqlite3.Connection, expected: Mapping[str, int]) -> None:
        for account, version in expected.items():
            current = self._version(connection, account)
            if current != version:
                raise _common.version_conflict(account, version, current)

    def _fast(
        self,
        connection: sqlite3.Connection,
        batch: Sequence[PostedTransfer],
        rows: Sequence[_EntryRow],
        expected: Mapping[str, int],
    ) -> int:
        self._check_expected(connection, expected)
        if not batch:
            return 0
        next_index, next_sequence = self._next(connection)
        # the batch must run on from the stored ledger, without gaps, in itself
        for offset, posting in enumerate(batch):
            if posting.index != next_index + offset:
                raise _SlowPath
        last: dict[str, int] = {}
        for offset, row in enumerate(rows):
            if row[0] != next_sequence + offset:
                raise _SlowPath
            account = row[3]
            before = last.get(account)
            if before is not None and row[5] != before + 1:
                raise _SlowPath
            last[account] = row[5]
        try:
            connection.executemany(_ENTRY_INSERT, rows)
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

    def _careful(
        self,
        connection: sqlite3.Connection,
        batch: Sequence[PostedTransfer],
        rows: Sequence[_EntryRow],
        expected: Mapping[str, int],
    ) -> int:
        self._check_expected(connection, expected)
        next_index, next_sequence = self._next(connection)
        versions: dict[str, int] = {}
        added = 0
        cursor = 0
        for posting in batch:
            own_rows = rows[cursor : cursor + len(posting.entries)]
            cursor += len(posting.entries)
            tid = posting.transfer.transfer_id
            stored = self._load_transfer(connection, tid)
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
                    versions[account] = self._version(connection, account)
                if entry.version != versions[account] + 1:
                    raise _common.stale(
                        tid, f"{account} version {entry.version}, expected {versions[account] + 1}"
                    )
                versions[account] += 1
                next_sequence += 1
            connection.executemany(_ENTRY_INSERT, own_rows)
            next_index += 1
            added += 1
        return added

    @staticmethod
    def _load_transfer(connection: sqlite3.Connection, transfer_id: str) -> PostedTransfer | None:
        head = connection.execute(
            "SELECT sequence, entry_count FROM ledger_entries"
            " WHERE transfer_id = ? AND kind IS NOT NULL",
            (transfer_id,),
        ).fetchone()
        if head is None:
            return None
        first, count = head
        rows = connection.execute(
            "SELECT * FROM ledger_entries WHERE sequence BETWEEN ? AND ? ORDER BY sequence",
            (first, first + count - 1),
        ).fetchall()
        return _postings_from_rows(rows)[0]

    @_reads_stored_data
    def transfer_count(self) -> int:
        """Return how many transfers are stored.

        Example:
            >>> SQLiteLedgerStore().transfer_count()
            0
        """
        with self.database.reading("counting ledger transfers") as connection:
            return self._next(connection)[0]

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
            found = self._load_transfer(connection, transfer_id)
        if found is None:
            raise NotFoundError(transfer_id, f"no ledger transfer {transfer_id!r}")
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
            head = connection.execute(
                "SELECT sequence FROM ledger_entries WHERE position = ? AND kind IS NOT NULL",
                (start,),
            ).fetchone()
            if head is None:
                return ()
            rows = connection.execute(
                "SELECT * FROM ledger_entries WHERE sequence >= ? ORDER BY sequence", head
            ).fetchall()
        return tuple(_postings_from_rows(rows))

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
        clauses: list[str] = []
        parameters: list[object] = []
        account = _common.check_optional_text("account", account)
        if account is not None:
            clauses.append("e.account = ?")
            parameters.append(account)
        since = _common.check_moment("since", since)
        if since is not None:
            clauses.append("e.at_us >= ?")
            parameters.append(_common.micros(since))
        until = _common.check_moment("until", until)
        if until is not None:
            clauses.append("e.at_us < ?")
            parameters.append(_common.micros(until))
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        with self.database.reading("reading ledger entries") as connection:
            rows = connection.execute(
                "SELECT e.sequence, e.transfer_id, e.account, e.minutes, e.version, t.at"
                " FROM ledger_entries e JOIN ledger_entries t"
                " ON t.position = e.position AND t.kind IS NOT NULL"
                f"{where} ORDER BY e.sequence",
                parameters,
            ).fetchall()
        times: dict[str, _dt.datetime] = {}
        entries: list[LedgerEntry] = []
        for sequence, tid, acct, minutes, version, at_text in rows:
            at = times.get(at_text)
            if at is None:
                at = times[at_text] = _dt.datetime.fromisoformat(at_text)
            entries.append(LedgerEntry(sequence, tid, acct, minutes, version, at))
        return tuple(entries)

    @_reads_stored_data
    def version(self, account: str, /) -> int:
        """Return the account's version (0 if it has no entries).

        Example:
            >>> SQLiteLedgerStore().version("V1")
            0
        """
        _common.check_text("account", account)
        with self.database.reading("reading an account version") as connection:
            return self._version(connection, account)

    @_reads_stored_data
    def balance(self, account: str, /) -> Hours:
        """Return the account's balance, summed from its entries.

        Example:
            >>> SQLiteLedgerStore().balance("V1")
            Hours(minutes=0)
        """
        _common.check_text("account", account)
        with self.database.reading("reading a balance") as connection:
            (total,) = connection.execute(
                "SELECT coalesce(sum(minutes), 0) FROM ledger_entries WHERE account = ?",
                (account,),
            ).fetchone()
        return Hours.from_minutes(int(total))

    @_reads_stored_data
    def balances(self) -> dict[str, Hours]:
        """Return every account's balance, summed from the entries, sorted by account.

        Example:
            >>> SQLiteLedgerStore().balances()
            {}
        """
        with self.database.reading("reading balances") as connection:
            rows = connection.execute(
                "SELECT account, sum(minutes) FROM ledger_entries GROUP BY account ORDER BY account"
            ).fetchall()
        return {account: Hours.from_minutes(int(total)) for account, total in rows}
