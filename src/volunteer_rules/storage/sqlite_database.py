"""The SQLite file the stores share: opened, migrated forward, used under a lock, checked.

:mod:`volunteer_rules.storage.sqlite` re-exports :class:`SQLiteDatabase` and says what the
SQLite stores guarantee.

Example:
    >>> from volunteer_rules.storage.sqlite_database import SQLiteDatabase
    >>> with SQLiteDatabase(":memory:") as database:
    ...     database.check()
    ()
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import Final, ParamSpec, TypeVar

from volunteer_rules._canonical import read_json
from volunteer_rules._privacy import masked_repr
from volunteer_rules.errors import (
    ConflictError,
    InvalidTypeError,
    InvalidValueError,
    StorageError,
    VolunteerRulesError,
)
from volunteer_rules.storage._community_kinds import KINDS
from volunteer_rules.storage._seals import (
    _SEALED,
    _DamagedRow,
    _make_seals,
    _seal_problems,
    _upgraded_tables,
)
from volunteer_rules.storage._sqlite_rows import (
    _ENTRIES_WITH_TIMES,
    _PAYLOAD,
    _next_posting,
    _parse_package,
    _parse_payload,
    _read_postings,
    _record_row,
)
from volunteer_rules.storage.sqlite_schema import (
    _CHECKED_TABLES,
    _COMMUNITY_CHECKED,
    _COMMUNITY_SEALED,
    _RECORD_COLUMN_LIST,
    MIGRATIONS,
    SCHEMA_VERSION,
    _community_tables,
    _foreign_database_error,
    _foreign_tables,
    row_checksum,
)
from volunteer_rules.timebank.ledger import check_ledger

__all__ = ["SQLiteDatabase"]

_SEALED_FROM: Final = 5
"""The schema version that brought the seals' table (``MIGRATIONS[4]``)."""


def _error_reason(error: BaseException) -> str:
    """What went wrong, in words a person reads: the error's text, not its class name.

    The messages of the storage errors say what failed and where with this; the driver's
    exception stays chained (``raise ... from error``) for developers.

    Example:
        >>> _error_reason(sqlite3.OperationalError("unable to open database file"))
        'unable to open database file'
        >>> _error_reason(KeyError("minutes"))
        "'minutes' is missing"
    """
    if isinstance(error, KeyError):
        return f"{error} is missing"
    return str(error) or "no reason given"


@contextlib.contextmanager
def _translated(what: str, where: str | None = None) -> Iterator[None]:
    """Translate every sqlite3 error raised inside into the library's storage errors.

    The message says what failed (``what``: ``adding records``) and where (``where``: the
    database file), then the reason; the sqlite3 error is chained, its class name not shown.
    """
    try:
        yield
    except sqlite3.IntegrityError as error:
        raise ConflictError(what, f"{what}: constraint failed: {error}") from error
    except sqlite3.Error as error:
        place = what if where is None else f"{what} in {where}"
        raise StorageError(f"{place}: {_error_reason(error)}") from error
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
    """Translate the errors that damaged data causes when read back into ``StorageError``.

    A row that does not match its checksum (``_DamagedRow``), or stored data found damaged
    otherwise (a plain ``StorageError`` that names no file), becomes a ``StorageError`` that
    names the store and the file first.
    """

    @functools.wraps(method)
    def translated(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(*args, **kwargs)
        except VolunteerRulesError as error:
            said = str(error.args[0]) if error.args else ""
            path = getattr(getattr(args[0] if args else None, "database", None), "path", "")
            if type(error) in (StorageError, _DamagedRow) and path not in said:
                chained = None if isinstance(error, _DamagedRow) else error
                raise StorageError(
                    f"{_store_operation(method.__name__, args)}: {said}"
                ) from chained
            raise
        except _DECODING_ERRORS as error:
            raise StorageError(
                f"{_store_operation(method.__name__, args)}: the stored data cannot be read"
                f" back ({_error_reason(error)}); run volunteer-rules db check"
            ) from error

    return translated


_STORE_NAMES: Final = {
    "SQLiteRecordStore": "the record store",
    "SQLiteLedgerStore": "the ledger store",
    "SQLiteTransferStore": "the transfer store",
    "SQLiteOrganizationStore": "the organization store",
    "SQLiteStationStore": "the station store",
    "SQLitePersonServedStore": "the store of people served",
    "SQLiteProjectStore": "the project store",
    "SQLiteAttendanceStore": "the attendance store",
}


def _store_operation(method: str, args: tuple[object, ...]) -> str:
    """``the record store in FILE (find)``: the store a method of which failed, and where."""
    store = args[0] if args else None
    name = _STORE_NAMES.get(type(store).__name__, "the store")
    database = getattr(store, "database", None)
    path = getattr(database, "path", None)
    return f"{name} in {path} ({method})" if path else f"{name} ({method})"


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
        StorageError: the file cannot be opened, is not a SQLite database, holds tables of
            another application (nothing is added to it), or has a schema newer than this
            library's.

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
                self._refuse_foreign(self._connection)  # before WAL mode changes the file
                self._connection.execute("PRAGMA journal_mode = WAL").fetchone()
                self._connection.execute(f"PRAGMA synchronous = {synchronous}")
                self._migrate(migrate, _target_version)
        except VolunteerRulesError:
            self._closer()
            raise
        except _DECODING_ERRORS as error:  # a damaged schema text, say
            self._closer()
            raise StorageError(
                f"opening {self.path}: the file is damaged ({_error_reason(error)})"
            ) from error
        except BaseException:
            self._closer()
            raise

    def _refuse_foreign(self, connection: sqlite3.Connection) -> None:
        """Raise ``StorageError`` if the file holds a table or view that is not the library's.

        Another application's file is refused rather than added to: the library's tables
        beside its own would make a file that is neither application's.
        """
        names = connection.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
        ).fetchall()
        foreign = _foreign_tables(name for (name,) in names)
        if foreign:
            raise _foreign_database_error(self.path, foreign)

    def _migrate(self, migrate: bool, target: int) -> None:
        with self.transaction("migrating the schema") as connection:
            self._refuse_foreign(connection)  # again, now that no one else writes
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
                    "open it with migrate=True (as every command given it as --db does)"
                )
            for version in range(current, target):
                for statement in MIGRATIONS[version]:
                    connection.execute(statement)
                connection.execute("INSERT INTO schema_version VALUES (?)", (version + 1,))
            if current < _SEALED_FROM <= target:  # sealed as found (all empty in a new file)
                _make_seals(connection, "?", upgraded=current > 0)
            if migrate:  # community tables of an older version get their checksums and seals
                _community_tables(connection, create=False)

    def notes(self) -> tuple[str, ...]:
        """Return what :meth:`check` cannot vouch for, one sentence each (empty: nothing).

        A file made by an older version of the library had no seals: they were made from the
        rows found when this version first opened it, so a row lost before then cannot be
        seen. ``volunteer-rules db check`` prints these notes after ``ok``.

        Example:
            >>> with SQLiteDatabase() as database:
            ...     database.notes()
            ()
        """
        with self.reading("reading the seals") as connection:
            return _seal_notes(_upgraded_tables(connection))

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

        Inside another transaction (of the same database) the block is a savepoint of it:
        undone on error, and kept or undone with the transaction around it.

        sqlite3 errors are translated (see the module). Used by the stores; integrators
        rarely need it.

        Example:
            >>> with SQLiteDatabase() as database, database.transaction("demo") as connection:
            ...     connection.execute("SELECT 1").fetchone()
            (1,)
        """
        with self._lock, _translated(what, self.path):
            connection = self._connection
            if connection.in_transaction:  # inside another: a savepoint, undone on error
                connection.execute("SAVEPOINT vr_nested")
                try:
                    yield connection
                except BaseException:
                    connection.execute("ROLLBACK TO vr_nested")
                    connection.execute("RELEASE vr_nested")
                    raise
                connection.execute("RELEASE vr_nested")
                return
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

        Inside a transaction already, the block reads in it (and sees what it wrote).

        Example:
            >>> with SQLiteDatabase() as database, database.reading("demo") as connection:
            ...     connection.execute("SELECT 2").fetchone()
            (2,)
        """
        with self._lock, _translated(what, self.path):
            connection = self._connection
            if connection.in_transaction:  # inside a transaction: its snapshot already
                yield connection
                return
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
        packages, package events, ledger entries), that each of these tables still holds the
        rows its seal counts (none deleted or added behind the library's back: the seal, kept
        in the same transaction as every write, holds the number of rows and a digest of their
        checksums), that every record and package reads back
        and matches its indexed columns, that each package's state is its last event's, and
        that the ledger is sound (``check_ledger``: numbering, versions, sums). Reads only.

        Example:
            >>> with SQLiteDatabase() as database:
            ...     database.check()
            ()
        """
        problems: list[str] = []
        sealed: list[str] = []  # said last: a damaged row is named first
        try:
            community = self._check_structure(problems)
            if not problems:
                with self.reading("checking the seals") as connection:
                    tables = _SEALED + (_COMMUNITY_SEALED if community else ())
                    sealed = _seal_problems(connection, "?", tables)
                self._check_rows(problems, community)
        except VolunteerRulesError as error:
            problems.append(str(error))
        except _DECODING_ERRORS as error:
            problems.append(f"the data cannot be read back: {_error_reason(error)}")
        return (*problems, *sealed)

    def _check_structure(self, problems: list[str]) -> bool:
        """Check SQLite's structure and the schema; return whether the file has community tables.

        The schema expected is that of a new file of the same version, with the community
        tables if the file has them.
        """
        with self.reading("checking the file") as connection:
            found = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            if found != ["ok"]:
                problems.extend(f"SQLite: {text}" for text in found[:20])
                return False
            schema = connection.execute(
                "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
            ).fetchall()
            (version,) = connection.execute(
                "SELECT coalesce(max(version), 0) FROM schema_version"
            ).fetchone()
        community = any(row[1] == "community_entries" for row in schema)
        with (
            SQLiteDatabase(":memory:", _target_version=version) as fresh,
            fresh.transaction("the expected schema") as connection,
        ):
            if community:
                _community_tables(connection, create=True)
            expected = connection.execute(
                "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
            ).fetchall()
        if schema != expected:
            problems.append("the schema is not the one this library writes (damaged or altered)")
        return community

    def _check_rows(self, problems: list[str], community: bool) -> None:
        with self.reading("checking the rows") as connection:
            for table, columns, label in _CHECKED_TABLES + (
                _COMMUNITY_CHECKED if community else ()
            ):
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
        with self.reading("checking the ledger") as connection:  # as the ledger store reads it
            postings = _read_postings(connection, "?", 0)
            transfer_count = _next_posting(connection)[0]
            (entry_count,) = connection.execute(f"SELECT count(*){_ENTRIES_WITH_TIMES}").fetchone()
        if community:
            self._check_tags(problems)
        if len(postings) != transfer_count:
            problems.append("ledger_entries: transfers are missing or out of place")
        problems.extend(f"ledger: {problem}" for problem in check_ledger(postings))
        if entry_count != sum(len(p.entries) for p in postings):
            problems.append("ledger_entries: entries are missing or out of place")

    def _check_tags(self, problems: list[str]) -> None:
        """Check that ``community_tags`` holds exactly the filters of the current entries."""
        expected: set[tuple[str, str, str, str]] = set()
        with self.reading("checking the community tags") as connection:
            current = connection.execute(
                "SELECT kind, key, payload FROM community_entries e WHERE version ="
                " (SELECT max(version) FROM community_entries m"
                "  WHERE m.kind = e.kind AND m.key = e.key)"
            ).fetchall()
            stored = set(connection.execute("SELECT kind, key, tag, value FROM community_tags"))
        for name, key, payload in current:
            kind = KINDS.get(name)
            try:
                item = kind.parse(read_json(payload)) if kind else None
            except (ValueError, TypeError, RecursionError) as error:
                item = error
            if kind is None or isinstance(item, Exception):
                problems.append(f"community_entries: {name} entry {key}: does not read back")
                continue
            tags = kind.tags(item).items()
            expected.update((name, key, tag, value) for tag, values in tags for value in values)
        if stored != expected:
            problems.append(
                f"community_tags: {len(stored ^ expected)} rows differ from the entries' filters"
                " (deleted, added or changed outside the library)"
            )

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


def _seal_notes(upgraded: tuple[str, ...]) -> tuple[str, ...]:
    """The note of :meth:`SQLiteDatabase.notes` (and PostgreSQL's) for tables sealed as found.

    Example:
        >>> _seal_notes(("records",))[0][:60]
        'records: sealed from the rows found when this version of the'
    """
    if not upgraded:
        return ()
    return (
        f"{', '.join(upgraded)}: sealed from the rows found when this version of the library"
        " first opened the database (made by an older one): a row lost before then cannot"
        " be seen",
    )


def _database(database: SQLiteDatabase | str | os.PathLike[str]) -> SQLiteDatabase:
    if isinstance(database, SQLiteDatabase):
        return database
    return SQLiteDatabase(database)
