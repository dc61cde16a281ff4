"""Storage ports of the community wing: organizations, stations, people served, projects, attendance.

The same shared rules as :mod:`volunteer_rules.storage.protocols` hold: ids are idempotency
keys (the same content again changes nothing; other content under a stored id raises
:class:`~volunteer_rules.errors.ConflictError` and writes nothing), batches are atomic, and
nothing is lost:

- **Registries** (:class:`OrganizationStore`, :class:`StationStore`,
  :class:`PersonServedStore`, :class:`ProjectStore`) hold one current entry per id, and every
  earlier one: an organization is suspended, a person's consent is withdrawn, by
  :meth:`~OrganizationStore.update`, a compare-and-set against the entry the caller last read
  (``expected``), which keeps the previous entry in :meth:`~OrganizationStore.history`.
  ``find`` returns current entries by id; ``region`` is containment along GB/T 2260 (a city
  finds its counties' entries).
- **Attendance** (:class:`AttendanceStore`) is append only: check-ins, check-outs and
  corrections are events, and a correction is a new event, never a changed one. ``events``
  come in order of ``at`` (as an instant), then ``event_id``.

Content equality is equality of the JSON forms (``dump_organization``, ``dump_station``,
``dump_person``, ``dump_project``, ``dump_attendance_event``). People served are stored
unmasked (a store is not an output); everything a person reads masks them.

The conformance suites are in :mod:`volunteer_rules.testing.community_contracts`.

Example:
    >>> from volunteer_rules.storage.community_memory import InMemoryOrganizationStore
    >>> isinstance(InMemoryOrganizationStore(), OrganizationStore)
    True
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from volunteer_rules.community.attendance import AttendanceEvent
from volunteer_rules.community.organization import Organization
from volunteer_rules.community.person import PersonServed
from volunteer_rules.community.project import Project
from volunteer_rules.community.station import Station
from volunteer_rules.records.region import RegionCode

__all__ = [
    "AttendanceStore",
    "OrganizationStore",
    "PersonServedStore",
    "ProjectStore",
    "StationStore",
]


@runtime_checkable
class OrganizationStore(Protocol):
    """Organizations by id, with their earlier entries.

    Example:
        >>> from volunteer_rules.storage.community_memory import InMemoryOrganizationStore
        >>> from volunteer_rules.testing.community_examples import sample_organizations
        >>> store = InMemoryOrganizationStore()
        >>> store.add(sample_organizations()), store.add(sample_organizations())
        (3, 0)
    """

    def add(self, organizations: Iterable[Organization], /) -> int:
        """Store new organizations atomically; return how many were new.

        Raises:
            ConflictError: an id is stored (or repeated in the batch) with other content.
            InvalidTypeError: an item is not an :class:`~volunteer_rules.community.Organization`.
            StorageError: the backend failed. Nothing is stored.
        """
        ...

    def update(self, organization: Organization, /, *, expected: Organization) -> bool:
        """Replace the current entry ``expected`` by ``organization``; ``False`` if equal.

        Raises:
            NotFoundError: no entry has that id.
            ConflictError: the current entry is not ``expected`` (someone changed it), or the
                two have different ids.
        """
        ...

    def get(self, organization_id: str, /) -> Organization:
        """The current entry. Raises ``NotFoundError`` when there is none."""
        ...

    def history(self, organization_id: str, /) -> tuple[Organization, ...]:
        """Every entry of the id, oldest first (``()`` when none)."""
        ...

    def find(
        self, *, region: RegionCode | None = None, parent_id: str | None = None
    ) -> tuple[Organization, ...]:
        """Current entries in ``region`` (containment) and with this parent, by id."""
        ...

    def count(self) -> int:
        """How many ids are stored."""
        ...


@runtime_checkable
class StationStore(Protocol):
    """Community service stations by id, with their earlier entries.

    Example:
        >>> from volunteer_rules.storage.community_memory import InMemoryStationStore
        >>> isinstance(InMemoryStationStore(), StationStore)
        True
    """

    def add(self, stations: Iterable[Station], /) -> int:
        """Store new stations atomically; return how many were new (see ``OrganizationStore``)."""
        ...

    def update(self, station: Station, /, *, expected: Station) -> bool:
        """Compare-and-set the current entry (see :meth:`OrganizationStore.update`)."""
        ...

    def get(self, station_id: str, /) -> Station:
        """The current entry. Raises ``NotFoundError`` when there is none."""
        ...

    def history(self, station_id: str, /) -> tuple[Station, ...]:
        """Every entry of the id, oldest first."""
        ...

    def find(
        self, *, region: RegionCode | None = None, organization_id: str | None = None
    ) -> tuple[Station, ...]:
        """Current stations in ``region`` and run by this organization, by id."""
        ...

    def count(self) -> int:
        """How many ids are stored."""
        ...


@runtime_checkable
class PersonServedStore(Protocol):
    """People served by id (unmasked: a store is not an output), with earlier entries.

    Example:
        >>> from volunteer_rules.storage.community_memory import InMemoryPersonServedStore
        >>> isinstance(InMemoryPersonServedStore(), PersonServedStore)
        True
    """

    def add(self, people: Iterable[PersonServed], /) -> int:
        """Store new people atomically; return how many were new."""
        ...

    def update(self, person: PersonServed, /, *, expected: PersonServed) -> bool:
        """Compare-and-set the current entry (a consent withdrawn, a need added...)."""
        ...

    def get(self, person_id: str, /) -> PersonServed:
        """The current entry. Raises ``NotFoundError`` when there is none."""
        ...

    def history(self, person_id: str, /) -> tuple[PersonServed, ...]:
        """Every entry of the id, oldest first."""
        ...

    def find(
        self, *, region: RegionCode | None = None, station_id: str | None = None
    ) -> tuple[PersonServed, ...]:
        """Current people in ``region`` and kept by this station, by id."""
        ...

    def count(self) -> int:
        """How many ids are stored."""
        ...


@runtime_checkable
class ProjectStore(Protocol):
    """Projects by id, with earlier entries.

    Example:
        >>> from volunteer_rules.storage.community_memory import InMemoryProjectStore
        >>> isinstance(InMemoryProjectStore(), ProjectStore)
        True
    """

    def add(self, projects: Iterable[Project], /) -> int:
        """Store new projects atomically; return how many were new."""
        ...

    def update(self, project: Project, /, *, expected: Project) -> bool:
        """Compare-and-set the current entry."""
        ...

    def get(self, project_id: str, /) -> Project:
        """The current entry. Raises ``NotFoundError`` when there is none."""
        ...

    def history(self, project_id: str, /) -> tuple[Project, ...]:
        """Every entry of the id, oldest first."""
        ...

    def find(
        self,
        *,
        region: RegionCode | None = None,
        station_id: str | None = None,
        organization_id: str | None = None,
    ) -> tuple[Project, ...]:
        """Current projects in ``region`` (the demand's), of this station and organization."""
        ...

    def count(self) -> int:
        """How many ids are stored."""
        ...


@runtime_checkable
class AttendanceStore(Protocol):
    """Attendance events, append only.

    Example:
        >>> from volunteer_rules.storage.community_memory import InMemoryAttendanceStore
        >>> from volunteer_rules.testing.community_examples import sample_attendance_events
        >>> store = InMemoryAttendanceStore()
        >>> store.append(sample_attendance_events()), store.append(sample_attendance_events())
        (4, 0)
    """

    def append(self, events: Iterable[AttendanceEvent], /) -> int:
        """Store events atomically; return how many were new.

        Raises:
            ConflictError: an ``event_id`` is stored (or repeated) with other content.
            InvalidTypeError: an item is not an ``AttendanceEvent``.
            StorageError: the backend failed. Nothing is stored.
        """
        ...

    def get(self, event_id: str, /) -> AttendanceEvent:
        """The event. Raises ``NotFoundError`` when there is none."""
        ...

    def events(
        self, *, project_id: str | None = None, volunteer_id: str | None = None
    ) -> tuple[AttendanceEvent, ...]:
        """Events of the project and volunteer, by ``at`` (an instant), then ``event_id``."""
        ...

    def count(self) -> int:
        """How many events are stored."""
        ...
