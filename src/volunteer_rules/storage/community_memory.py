"""In-memory community stores: the reference semantics of the community protocols.

Example:
    >>> from volunteer_rules.testing.community_examples import sample_person
    >>> store = InMemoryPersonServedStore()
    >>> store.add([sample_person()])
    1
    >>> [p.masked_name for p in store.find(station_id="ST-xingfu")]
    ['刘**']
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any, Generic, TypeVar

from volunteer_rules.community.attendance import AttendanceEvent
from volunteer_rules.community.organization import Organization
from volunteer_rules.community.person import PersonServed
from volunteer_rules.community.project import Project
from volunteer_rules.community.station import Station
from volunteer_rules.records.region import RegionCode
from volunteer_rules.storage import _community_kinds as kinds

__all__ = [
    "InMemoryAttendanceStore",
    "InMemoryOrganizationStore",
    "InMemoryPersonServedStore",
    "InMemoryProjectStore",
    "InMemoryStationStore",
]

T = TypeVar("T")


class _Registry(Generic[T]):
    _kind: kinds.Kind[T]

    def __init__(self) -> None:
        self._versions: dict[str, list[tuple[T, str]]] = {}
        self._lock = threading.RLock()

    def _held(self, key: str) -> str | None:
        held = self._versions.get(key)
        return None if held is None else held[-1][1]

    def add(self, items: Iterable[T], /) -> int:
        batch = kinds.check_items(self._kind, items)
        with self._lock:
            new: dict[str, tuple[T, str]] = {}
            for item in batch:
                key, payload = self._kind.key(item), kinds.payload_of(self._kind, item)
                if kinds.is_new(self._kind.name, key, self._held(key), payload):
                    new[key] = (item, payload)
            for key, entry in new.items():
                self._versions[key] = [entry]
            return len(new)

    def update(self, item: T, /, *, expected: T) -> bool:
        item, expected = kinds.check_pair(self._kind, item, expected)
        key = self._kind.key(item)
        with self._lock:
            payload = kinds.updated_payload(self._kind, key, self._held(key), item, expected)
            if payload is None:
                return False
            self._versions[key].append((item, payload))
            return True

    def get(self, key: str, /) -> T:
        kinds.check_filter("id", key)
        with self._lock:
            held = self._versions.get(key)
            if held is None:
                raise kinds.not_found(self._kind, key)
            return held[-1][0]

    def history(self, key: str, /) -> tuple[T, ...]:
        kinds.check_filter("id", key)
        with self._lock:
            return tuple(item for item, _ in self._versions.get(key, ()))

    def _find(self, region: object, **tags: object) -> tuple[T, ...]:
        region = kinds.check_region(region)
        wanted = {name: kinds.check_filter(name, value) for name, value in tags.items()}
        with self._lock:
            current = [held[-1][0] for _, held in sorted(self._versions.items())]
        out = []
        for item in current:
            where = self._kind.region(item)
            if region is not None and (where is None or not region.contains(where)):
                continue
            values = self._kind.tags(item)
            if all(v is None or v in values[name] for name, v in wanted.items()):
                out.append(item)
        return tuple(out)

    def count(self) -> int:
        with self._lock:
            return len(self._versions)


class InMemoryOrganizationStore(_Registry[Organization]):
    """Organizations in memory (:class:`~volunteer_rules.storage.community_protocols.OrganizationStore`).

    Example:
        >>> from volunteer_rules.testing.community_examples import sample_organizations
        >>> store = InMemoryOrganizationStore()
        >>> _ = store.add(sample_organizations())
        >>> [o.organization_id for o in store.find(parent_id="512111005000000154")]
        ['52211103MJ00000421']
    """

    _kind = kinds.ORGANIZATIONS

    def find(
        self, *, region: RegionCode | None = None, parent_id: str | None = None
    ) -> tuple[Organization, ...]:
        """Current entries in ``region`` with this parent, by id.

        Example:
            >>> InMemoryOrganizationStore().find(region=RegionCode.parse("211100"))
            ()
        """
        return self._find(region, parent_id=parent_id)


class InMemoryStationStore(_Registry[Station]):
    """Stations in memory (:class:`~volunteer_rules.storage.community_protocols.StationStore`).

    Example:
        >>> from volunteer_rules.testing.community_examples import sample_station
        >>> store = InMemoryStationStore()
        >>> store.add([sample_station()]), store.get("ST-xingfu").name
        (1, '幸福社区志愿服务站')
    """

    _kind = kinds.STATIONS

    def find(
        self, *, region: RegionCode | None = None, organization_id: str | None = None
    ) -> tuple[Station, ...]:
        """Current stations in ``region`` run by this organization, by id.

        Example:
            >>> InMemoryStationStore().find(organization_id="G-a")
            ()
        """
        return self._find(region, organization_id=organization_id)


class InMemoryPersonServedStore(_Registry[PersonServed]):
    """People served in memory (:class:`~volunteer_rules.storage.community_protocols.PersonServedStore`).

    Example:
        >>> InMemoryPersonServedStore().count()
        0
    """

    _kind = kinds.PEOPLE

    def find(
        self, *, region: RegionCode | None = None, station_id: str | None = None
    ) -> tuple[PersonServed, ...]:
        """Current people in ``region`` kept by this station, by id.

        Example:
            >>> InMemoryPersonServedStore().find(station_id="S1")
            ()
        """
        return self._find(region, station_id=station_id)


class InMemoryProjectStore(_Registry[Project]):
    """Projects in memory (:class:`~volunteer_rules.storage.community_protocols.ProjectStore`).

    Example:
        >>> from volunteer_rules.testing.community_examples import sample_project
        >>> store = InMemoryProjectStore()
        >>> store.add([sample_project()]), store.get("PRJ-2024-06") == sample_project()
        (1, True)
    """

    _kind = kinds.PROJECTS

    def find(
        self,
        *,
        region: RegionCode | None = None,
        station_id: str | None = None,
        organization_id: str | None = None,
    ) -> tuple[Project, ...]:
        """Current projects in ``region``, of this station and organization, by id.

        Example:
            >>> InMemoryProjectStore().find(station_id="S1")
            ()
        """
        return self._find(region, station_id=station_id, organization_id=organization_id)


def _event_order(event: AttendanceEvent) -> tuple[Any, str]:
    return event.at, event.event_id


class InMemoryAttendanceStore:
    """Attendance events in memory (:class:`~volunteer_rules.storage.community_protocols.AttendanceStore`).

    Example:
        >>> InMemoryAttendanceStore().events(project_id="P")
        ()
    """

    def __init__(self) -> None:
        self._events: dict[str, tuple[AttendanceEvent, str]] = {}
        self._lock = threading.RLock()

    def append(self, events: Iterable[AttendanceEvent], /) -> int:
        """Store events atomically; return how many were new (see the protocol).

        Example:
            >>> InMemoryAttendanceStore().append([])
            0
        """
        batch = kinds.check_items(kinds.ATTENDANCE, events)
        with self._lock:
            new: dict[str, tuple[AttendanceEvent, str]] = {}
            for event in batch:
                payload = kinds.payload_of(kinds.ATTENDANCE, event)
                held = self._events.get(event.event_id)
                if kinds.is_new(
                    "event", event.event_id, None if held is None else held[1], payload
                ):
                    new[event.event_id] = (event, payload)
            self._events.update(new)
            return len(new)

    def get(self, event_id: str, /) -> AttendanceEvent:
        """The event with this id.

        Example:
            >>> InMemoryAttendanceStore().get("e1")
            Traceback (most recent call last):
            ...
            volunteer_rules.errors.NotFoundError: no attendance event e1
        """
        kinds.check_filter("event_id", event_id)
        with self._lock:
            held = self._events.get(event_id)
        if held is None:
            raise kinds.event_not_found(event_id)
        return held[0]

    def events(
        self, *, project_id: str | None = None, volunteer_id: str | None = None
    ) -> tuple[AttendanceEvent, ...]:
        """Events of the project and volunteer, by ``at``, then ``event_id``.

        Example:
            >>> InMemoryAttendanceStore().events(volunteer_id="V1")
            ()
        """
        kinds.check_filter("project_id", project_id)
        kinds.check_filter("volunteer_id", volunteer_id)
        with self._lock:
            found = [
                e
                for e, _ in self._events.values()
                if (project_id is None or e.project_id == project_id)
                and (volunteer_id is None or e.volunteer_id == volunteer_id)
            ]
        return tuple(sorted(found, key=_event_order))

    def count(self) -> int:
        """How many events are stored.

        Example:
            >>> InMemoryAttendanceStore().count()
            0
        """
        with self._lock:
            return len(self._events)
