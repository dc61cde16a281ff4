"""The service-record store in a SQLite file.

:mod:`volunteer_rules.storage.sqlite` re-exports :class:`SQLiteRecordStore`.

Example:
    >>> from volunteer_rules.storage.sqlite_records import SQLiteRecordStore
    >>> SQLiteRecordStore(":memory:").count()
    0
"""

from __future__ import annotations

import datetime as _dt
import os
import sqlite3
from collections.abc import Iterable
from typing import Any, Final

from volunteer_rules.errors import StorageError
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.records.region import RegionCode
from volunteer_rules.storage import _common
from volunteer_rules.storage._seals import (
    _check_sealed,
    _DamagedRow,
    _not_found,
    _reseal,
)
from volunteer_rules.storage._sqlite_rows import (
    _PAYLOAD,
    _RECORD_SELECT,
    _parse_payload,
    _record_row,
    _verify,
)
from volunteer_rules.storage.sqlite_database import SQLiteDatabase, _database, _reads_stored_data
from volunteer_rules.storage.sqlite_schema import _RECORD_COLUMNS

__all__ = ["SQLiteRecordStore"]


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
        all_rows = [_record_row(record, payload) for record, payload in batch]
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
        try:
            with self.database.transaction("adding records") as connection:
                cursor = connection.executemany(_RECORD_INSERT, rows)
                if cursor.rowcount < len(rows):  # some were held: undone, and row by row
                    raise _SomeHeld
                _reseal(connection, "?", "records", [row[-1] for row in rows])
        except _SomeHeld:
            return self._add_one_by_one(rows)
        return len(rows)

    def _add_one_by_one(self, rows: list[tuple[Any, ...]]) -> int:
        """The careful path: row by row, raising at the first conflict in batch order.

        A row held already must have the same content; the new ones are added to the seal.
        """
        added: list[int] = []
        with self.database.transaction("adding records") as connection:
            for row in rows:
                if connection.execute(_RECORD_INSERT, row).rowcount == 1:
                    added.append(row[-1])
                    continue
                _check_held(connection, row, self.database.path)
            _reseal(connection, "?", "records", added)
        return len(added)

    @_reads_stored_data
    def get(self, organization_id: str, record_id: str, /) -> ServiceRecord:
        """Return the record under a key, or raise ``NotFoundError``.

        Example:
            >>> SQLiteRecordStore().get("G-x", "r-1")
            Traceback (most recent call last):
            ...
            volunteer_rules.errors.NotFoundError: no record G-x/r-1
        """
        key = _common.check_record_key(organization_id, record_id)
        with self.database.reading("reading a record") as connection:
            rows = connection.execute(
                f"{_RECORD_SELECT} WHERE organization_id = ? AND record_id = ?", key
            ).fetchall()
            if not rows:  # not found, unless the table lost rows behind the library's back
                raise _not_found(connection, "?", "records", _common.record_not_found(key))
        return _parse_payload(_verify("records", rows)[0][_PAYLOAD])

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
        where, parameters = _common.record_filter(
            "?",
            volunteer_id=volunteer_id,
            organization_id=organization_id,
            region=region,
            since=since,
            until=until,
        )
        with self.database.reading("finding records") as connection:
            rows = connection.execute(
                f"{_RECORD_SELECT}{where} ORDER BY recorded_at_us, record_id, organization_id",
                parameters,
            ).fetchall()
            found = tuple(_parse_payload(row[_PAYLOAD]) for row in _verify("records", rows))
            if not where:  # the whole table: checked against its seal too
                _check_sealed(connection, "?", "records", rows)
        return found

    @_reads_stored_data
    def amendments_of(self, keys: Iterable[tuple[str, str]], /) -> tuple[ServiceRecord, ...]:
        """Return the records that amend one of ``keys``, in recorded order (see the protocol).

        Example:
            >>> SQLiteRecordStore().amendments_of([("G-x", "r-1")])
            ()
        """
        queries = _common.amendment_queries("?", _common.check_record_keys(keys))
        rows: list[Any] = []
        with self.database.reading("finding amendments") as connection:
            for where, parameters in queries:
                rows.extend(connection.execute(f"{_RECORD_SELECT}{where}", parameters))
        found = [_parse_payload(row[_PAYLOAD]) for row in _verify("records", rows)]
        return tuple(sorted(found, key=_common.recorded_order))

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


class _SomeHeld(Exception):
    """Raised inside the fast path of ``add`` to undo it when some rows were held already."""


_RECORD_INSERT: Final = (
    f"INSERT INTO records ({_RECORD_COLUMNS}) VALUES"
    " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
)


def _check_held(connection: sqlite3.Connection, row: tuple[Any, ...], path: str) -> None:
    """Check a record the file holds already under the key of ``row`` (a row being added).

    Nothing to do when the stored row is sound and holds the same content. A conflict
    (``ConflictError``) when it is sound and holds other content; when the row does not match
    its checksum, or its payload cannot be read back, the file is damaged there: a
    ``StorageError`` that names the file and the record, not a conflict the caller would try
    to resolve (nor a sound copy it would count as stored).
    """
    key = (row[0], row[1])
    (stored,) = connection.execute(
        f"{_RECORD_SELECT} WHERE organization_id = ? AND record_id = ?", key
    ).fetchall()
    try:
        _verify("records", [stored])
        if stored[_PAYLOAD] == row[_PAYLOAD]:
            return
        _parse_payload(stored[_PAYLOAD])
    except StorageError as error:
        raise StorageError(
            f"the record store in {path}: the stored record {_common.record_key_text(*key)} is"
            " damaged (its row does not match its checksum or cannot be read back);"
            " run volunteer-rules db check"
        ) from (None if isinstance(error, _DamagedRow) else error)
    raise _common.record_conflict_key(key)
