"""The service-record store in PostgreSQL.

Needs the ``postgresql`` extra (psycopg 3). :mod:`volunteer_rules.storage.postgresql`
re-exports :class:`PostgreSQLRecordStore`.

Example:
    >>> from volunteer_rules.storage.postgresql_records import PostgreSQLRecordStore
    >>> PostgreSQLRecordStore.__name__
    'PostgreSQLRecordStore'
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import Any, Final

from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.records.region import RegionCode
from volunteer_rules.storage import _common
from volunteer_rules.storage._seals import (
    _check_sealed,
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
from volunteer_rules.storage.postgresql_database import (
    PostgreSQLDatabase,
    _database,
    _library_errors,
)
from volunteer_rules.storage.sqlite_schema import _RECORD_COLUMN_LIST

__all__ = ["PostgreSQLRecordStore"]


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
        volunteer_rules.errors.StorageError: the PostgreSQL database: connecting: ...
    """

    def __init__(self, database: PostgreSQLDatabase | str) -> None:
        self.database = _database(database)

    def add(self, records: Iterable[ServiceRecord], /) -> int:
        """Store a batch in one transaction; return how many were new (see the protocol)."""
        batch = _common.check_records(records)
        rows = [_record_row(record, payload) for record, payload in batch]
        if not rows:
            return 0
        return int(_library_errors("adding records", lambda: self._add(rows)))

    def _add(self, rows: list[tuple[Any, ...]]) -> int:
        added: list[int] = []
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
                    added.append(row[-1])
                    continue
                cursor.execute(
                    f"{_RECORD_SELECT} WHERE organization_id = %s AND record_id = %s", key
                )
                stored = _verify("records", cursor.fetchall())  # held: sound, and the same?
                if not stored or stored[0][_PAYLOAD] != payload:
                    raise _common.record_conflict_key(key)
            _reseal(cursor, "%s", "records", added)
        return len(added)

    def get(self, organization_id: str, record_id: str, /) -> ServiceRecord:
        """Return the record under a key, or raise ``NotFoundError``."""
        key = _common.check_record_key(organization_id, record_id)

        def read() -> ServiceRecord:
            with self.database.reading("reading a record") as cursor:
                cursor.execute(
                    f"{_RECORD_SELECT} WHERE organization_id = %s AND record_id = %s", key
                )
                rows = cursor.fetchall()
                if not rows:  # not found, unless the table lost rows behind the library's back
                    raise _not_found(cursor, "%s", "records", _common.record_not_found(key))
            return _parse_payload(_verify("records", rows)[0][_PAYLOAD])

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
        where, parameters = _common.record_filter(
            "%s",
            volunteer_id=volunteer_id,
            organization_id=organization_id,
            region=region,
            since=since,
            until=until,
        )

        def read() -> tuple[ServiceRecord, ...]:
            with self.database.reading("finding records") as cursor:
                cursor.execute(
                    f"{_RECORD_SELECT}{where}"
                    ' ORDER BY recorded_at_us, record_id COLLATE "C", organization_id COLLATE "C"',
                    parameters,
                )
                rows = _verify("records", cursor.fetchall())
                found = tuple(_parse_payload(row[_PAYLOAD]) for row in rows)
                if not where:  # the whole table: checked against its seal too
                    _check_sealed(cursor, "%s", "records", rows)
            return found

        result: tuple[ServiceRecord, ...] = _library_errors("finding records", read)
        return result

    def amendments_of(self, keys: Iterable[tuple[str, str]], /) -> tuple[ServiceRecord, ...]:
        """Return the records that amend one of ``keys``, in recorded order (see the protocol)."""
        queries = _common.amendment_queries("%s", _common.check_record_keys(keys))

        def read() -> tuple[ServiceRecord, ...]:
            rows: list[Any] = []
            with self.database.reading("finding amendments") as cursor:
                for where, parameters in queries:
                    cursor.execute(f"{_RECORD_SELECT}{where}", parameters)
                    rows.extend(cursor.fetchall())
            found = [_parse_payload(row[_PAYLOAD]) for row in _verify("records", rows)]
            return tuple(sorted(found, key=_common.recorded_order))

        result: tuple[ServiceRecord, ...] = _library_errors("finding amendments", read)
        return result

    def count(self) -> int:
        """Return how many records are stored."""

        def read() -> int:
            with self.database.reading("counting records") as cursor:
                cursor.execute("SELECT count(*) FROM records")
                (count,) = cursor.fetchone() or (0,)
            return int(count)

        return int(_library_errors("counting records", read))
