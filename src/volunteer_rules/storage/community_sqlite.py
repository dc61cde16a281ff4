"""SQLite community stores, in the same file (:class:`~volunteer_rules.storage.SQLiteDatabase`).

The stores create their own tables when first opened (``CREATE TABLE IF NOT EXISTS``, in one
transaction), apart from the record, ledger and package schema, so they add nothing to that
schema's migrations:

- ``community_entries``: one row per entry **version** of a registry (organizations, stations,
  people served, projects): ``kind``, ``key``, ``version`` (1, 2...), the canonical JSON
  ``payload``, and the province, city and county codes of the entry's region for ``find``;
- ``community_tags``: the filter values of each current entry (parent, station,
  organization), rewritten with the entry in the same transaction;
- ``community_events``: attendance events, one row each, with the instant of ``at`` in
  microseconds for the order.

Every write is one ``BEGIN IMMEDIATE`` transaction (all of a batch or nothing); sqlite3 errors
become the library's storage errors, as in :mod:`volunteer_rules.storage.sqlite`.

Example:
    >>> from volunteer_rules.storage import SQLiteDatabase
    >>> from volunteer_rules.testing.community_examples import sample_organizations
    >>> with SQLiteDatabase(":memory:") as database:
    ...     store = SQLiteOrganizationStore(database)
    ...     store.add(sample_organizations()), [o.name for o in store.find(parent_id="52211103MJ00000421")]
    (3, ['幸福社区志愿服务队'])
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from typing import Any, Final, Generic, TypeVar

from volunteer_rules._canonical import read_json
from volunteer_rules.community.attendance import AttendanceEvent
from volunteer_rules.community.organization import Organization
from volunteer_rules.community.person import PersonServed
from volunteer_rules.community.project import Project
from volunteer_rules.community.station import Station
from volunteer_rules.errors import StorageError
from volunteer_rules.records.region import RegionCode
from volunteer_rules.storage import _common
from volunteer_rules.storage import _community_kinds as kinds
from volunteer_rules.storage._seals import _check_sealed, _not_found
from volunteer_rules.storage._sqlite_rows import _insert_row, _verify
from volunteer_rules.storage.sqlite import SQLiteDatabase
from volunteer_rules.storage.sqlite_database import _reads_stored_data
from volunteer_rules.storage.sqlite_schema import (
    _COMMUNITY_ENTRY_COLUMN_LIST,
    _COMMUNITY_EVENT_COLUMN_LIST,
    COMMUNITY_SCHEMA,
    _community_tables,
)

__all__ = [
    "COMMUNITY_SCHEMA",
    "SQLiteAttendanceStore",
    "SQLiteOrganizationStore",
    "SQLitePersonServedStore",
    "SQLiteProjectStore",
    "SQLiteStationStore",
]

T = TypeVar("T")


_ENTRY_SELECT: Final = f"SELECT {_COMMUNITY_ENTRY_COLUMN_LIST}, checksum FROM community_entries"
_EVENT_SELECT: Final = f"SELECT {_COMMUNITY_EVENT_COLUMN_LIST}, checksum FROM community_events"
"""Each table's checksummed columns and its checksum, as ``_verify`` takes them."""

_ENTRY_PAYLOAD: Final = 6
_EVENT_PAYLOAD: Final = 4


def _open(database: SQLiteDatabase | str | os.PathLike[str]) -> SQLiteDatabase:
    opened = database if isinstance(database, SQLiteDatabase) else SQLiteDatabase(database)
    with opened.transaction("creating the community tables") as connection:
        _community_tables(connection, create=True)
    return opened


def _parse(kind: kinds.Kind[T], text: str) -> T:
    try:
        return kind.parse(read_json(text))
    except (ValueError, TypeError, RecursionError) as error:  # a damaged row
        raise StorageError(f"a stored {kind.name} entry does not read: {error}") from error


class _Registry(Generic[T]):
    _kind: kinds.Kind[T]

    def __init__(self, database: SQLiteDatabase | str | os.PathLike[str] = ":memory:") -> None:
        self.database = _open(database)

    def _current(self, connection: sqlite3.Connection, key: str) -> tuple[int, str | None]:
        """The entry's last version and its payload; ``(0, None)`` for no entry."""
        rows = connection.execute(
            f"{_ENTRY_SELECT} WHERE kind = ? AND key = ? ORDER BY version DESC LIMIT 1",
            (self._kind.name, key),
        ).fetchall()
        if not rows:
            return (0, None)
        (row,) = _verify("community_entries", rows)
        return (int(row[2]), str(row[_ENTRY_PAYLOAD]))

    def _write(self, connection: sqlite3.Connection, item: T, version: int, payload: str) -> None:
        key = self._kind.key(item)
        region = self._kind.region(item)
        levels = _common.region_levels(region) if region is not None else (None, None, None)
        _insert_row(
            connection, "?", "community_entries", (self._kind.name, key, version, *levels, payload)
        )
        connection.execute(
            "DELETE FROM community_tags WHERE kind = ? AND key = ?", (self._kind.name, key)
        )
        connection.executemany(
            "INSERT INTO community_tags VALUES (?, ?, ?, ?)",
            [
                (self._kind.name, key, tag, value)
                for tag, values in self._kind.tags(item).items()
                for value in values
            ],
        )

    @_reads_stored_data
    def add(self, items: Iterable[T], /) -> int:
        batch = kinds.check_items(self._kind, items)
        with self.database.transaction(f"adding {self._kind.name}") as connection:
            new = 0
            written: set[str] = set()
            for item in batch:
                key, payload = self._kind.key(item), kinds.payload_of(self._kind, item)
                if key in written:
                    continue
                _, held = self._current(connection, key)
                if kinds.is_new(self._kind.name, key, held, payload):
                    self._write(connection, item, 1, payload)
                    written.add(key)
                    new += 1
        return new

    @_reads_stored_data
    def update(self, item: T, /, *, expected: T) -> bool:
        item, expected = kinds.check_pair(self._kind, item, expected)
        key = self._kind.key(item)
        with self.database.transaction(f"updating {self._kind.name}") as connection:
            version, held = self._current(connection, key)
            payload = kinds.updated_payload(self._kind, key, held, item, expected)
            if payload is None:
                return False
            self._write(connection, item, version + 1, payload)
        return True

    @_reads_stored_data
    def get(self, key: str, /) -> T:
        kinds.check_filter("id", key)
        with self.database.reading(f"reading {self._kind.name}") as connection:
            _, held = self._current(connection, key)
            if held is None:  # not found, unless the table lost rows behind the library's back
                error = kinds.not_found(self._kind, key)
                raise _not_found(connection, "?", "community_entries", error)
        return _parse(self._kind, held)

    @_reads_stored_data
    def history(self, key: str, /) -> tuple[T, ...]:
        kinds.check_filter("id", key)
        with self.database.reading(f"reading {self._kind.name}") as connection:
            rows = connection.execute(
                f"{_ENTRY_SELECT} WHERE kind = ? AND key = ? ORDER BY version",
                (self._kind.name, key),
            ).fetchall()
        return tuple(
            _parse(self._kind, row[_ENTRY_PAYLOAD]) for row in _verify("community_entries", rows)
        )

    def _find(self, region: object, **tags: object) -> tuple[T, ...]:
        region = kinds.check_region(region)
        clauses = [
            "e.kind = ?",
            "e.version = (SELECT max(version) FROM community_entries m"
            " WHERE m.kind = e.kind AND m.key = e.key)",
        ]
        parameters: list[object] = [self._kind.name]
        if region is not None:
            clauses.append(f"e.{region.level}_code = ?")
            parameters.append(region.code)
        for tag, value in tags.items():
            if kinds.check_filter(tag, value) is None:
                continue
            clauses.append(
                "EXISTS (SELECT 1 FROM community_tags t WHERE t.kind = e.kind"
                " AND t.key = e.key AND t.tag = ? AND t.value = ?)"
            )
            parameters.extend((tag, value))
        with self.database.reading(f"finding {self._kind.name}") as connection:
            rows = connection.execute(
                f"{_ENTRY_SELECT} e WHERE {' AND '.join(clauses)} ORDER BY e.key", parameters
            ).fetchall()
        return tuple(
            _parse(self._kind, row[_ENTRY_PAYLOAD]) for row in _verify("community_entries", rows)
        )

    @_reads_stored_data
    def count(self) -> int:
        with self.database.reading(f"counting {self._kind.name}") as connection:
            (count,) = connection.execute(
                "SELECT count(DISTINCT key) FROM community_entries WHERE kind = ?",
                (self._kind.name,),
            ).fetchone()
        return int(count)


class SQLiteOrganizationStore(_Registry[Organization]):
    """Organizations in SQLite (:class:`~volunteer_rules.storage.community_protocols.OrganizationStore`).

    Example:
        >>> SQLiteOrganizationStore().count()
        0
    """

    _kind = kinds.ORGANIZATIONS

    @_reads_stored_data
    def find(
        self, *, region: RegionCode | None = None, parent_id: str | None = None
    ) -> tuple[Organization, ...]:
        """Current entries in ``region`` with this parent, by id.

        Example:
            >>> SQLiteOrganizationStore().find(parent_id="G-a")
            ()
        """
        return self._find(region, parent_id=parent_id)


class SQLiteStationStore(_Registry[Station]):
    """Stations in SQLite (:class:`~volunteer_rules.storage.community_protocols.StationStore`).

    Example:
        >>> SQLiteStationStore().count()
        0
    """

    _kind = kinds.STATIONS

    @_reads_stored_data
    def find(
        self, *, region: RegionCode | None = None, organization_id: str | None = None
    ) -> tuple[Station, ...]:
        """Current stations in ``region`` run by this organization, by id.

        Example:
            >>> SQLiteStationStore().find(organization_id="G-a")
            ()
        """
        return self._find(region, organization_id=organization_id)


class SQLitePersonServedStore(_Registry[PersonServed]):
    """People served in SQLite (:class:`~volunteer_rules.storage.community_protocols.PersonServedStore`).

    Example:
        >>> SQLitePersonServedStore().count()
        0
    """

    _kind = kinds.PEOPLE

    @_reads_stored_data
    def find(
        self, *, region: RegionCode | None = None, station_id: str | None = None
    ) -> tuple[PersonServed, ...]:
        """Current people in ``region`` kept by this station, by id.

        Example:
            >>> SQLitePersonServedStore().find(station_id="S1")
            ()
        """
        return self._find(region, station_id=station_id)


class SQLiteProjectStore(_Registry[Project]):
    """Projects in SQLite (:class:`~volunteer_rules.storage.community_protocols.ProjectStore`).

    Example:
        >>> SQLiteProjectStore().count()
        0
    """

    _kind = kinds.PROJECTS

    @_reads_stored_data
    def find(
        self,
        *,
        region: RegionCode | None = None,
        station_id: str | None = None,
        organization_id: str | None = None,
    ) -> tuple[Project, ...]:
        """Current projects in ``region``, of this station and organization, by id.

        Example:
            >>> SQLiteProjectStore().find(station_id="S1")
            ()
        """
        return self._find(region, station_id=station_id, organization_id=organization_id)


class SQLiteAttendanceStore:
    """Attendance events in SQLite (:class:`~volunteer_rules.storage.community_protocols.AttendanceStore`).

    Example:
        >>> from volunteer_rules.testing.community_examples import sample_attendance_events
        >>> store = SQLiteAttendanceStore()
        >>> store.append(sample_attendance_events()), len(store.events(volunteer_id="V2"))
        (4, 2)
    """

    def __init__(self, database: SQLiteDatabase | str | os.PathLike[str] = ":memory:") -> None:
        self.database = _open(database)

    @_reads_stored_data
    def append(self, events: Iterable[AttendanceEvent], /) -> int:
        """Store events atomically; return how many were new (see the protocol).

        Example:
            >>> SQLiteAttendanceStore().append([])
            0
        """
        batch = kinds.check_items(kinds.ATTENDANCE, events)
        new = 0
        with self.database.transaction("appending attendance events") as connection:
            for event in batch:
                payload = kinds.payload_of(kinds.ATTENDANCE, event)
                held = _held_event(connection, event.event_id)
                if kinds.is_new("event", event.event_id, held, payload):
                    _insert_row(
                        connection,
                        "?",
                        "community_events",
                        (event.event_id, event.project_id, event.volunteer_id,
                         _common.micros(event.at), payload),
                    )  # fmt: skip
                    new += 1
        return new

    @_reads_stored_data
    def get(self, event_id: str, /) -> AttendanceEvent:
        """The event with this id.

        Example:
            >>> SQLiteAttendanceStore().get("e1")
            Traceback (most recent call last):
            ...
            volunteer_rules.errors.NotFoundError: no attendance event e1
        """
        kinds.check_filter("event_id", event_id)
        with self.database.reading("reading an attendance event") as connection:
            held = _held_event(connection, event_id)
            if held is None:  # not found, unless the table lost rows behind the library's back
                error = kinds.event_not_found(event_id)
                raise _not_found(connection, "?", "community_events", error)
        return _parse(kinds.ATTENDANCE, held)

    @_reads_stored_data
    def events(
        self, *, project_id: str | None = None, volunteer_id: str | None = None
    ) -> tuple[AttendanceEvent, ...]:
        """Events of the project and volunteer, by ``at``, then ``event_id``.

        Example:
            >>> SQLiteAttendanceStore().events(project_id="P")
            ()
        """
        clauses: list[str] = []
        parameters: list[Any] = []
        for column, value in (("project_id", project_id), ("volunteer_id", volunteer_id)):
            if kinds.check_filter(column, value) is not None:
                clauses.append(f"{column} = ?")
                parameters.append(value)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        with self.database.reading("finding attendance events") as connection:
            rows = connection.execute(
                f"{_EVENT_SELECT}{where} ORDER BY at_us, event_id", parameters
            ).fetchall()
            _verify("community_events", rows)
            if not where:  # the whole table: checked against its seal too
                _check_sealed(connection, "?", "community_events", rows)
        return tuple(_parse(kinds.ATTENDANCE, row[_EVENT_PAYLOAD]) for row in rows)

    @_reads_stored_data
    def count(self) -> int:
        """How many events are stored.

        Example:
            >>> SQLiteAttendanceStore().count()
            0
        """
        with self.database.reading("counting attendance events") as connection:
            (count,) = connection.execute("SELECT count(*) FROM community_events").fetchone()
        return int(count)


def _held_event(connection: sqlite3.Connection, event_id: str) -> str | None:
    """The payload of the stored event with this id (its row verified), or ``None``."""
    rows = connection.execute(f"{_EVENT_SELECT} WHERE event_id = ?", (event_id,)).fetchall()
    return str(_verify("community_events", rows)[0][_EVENT_PAYLOAD]) if rows else None
