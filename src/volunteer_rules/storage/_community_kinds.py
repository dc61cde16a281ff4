"""What the community stores need to know of each kind of entry, and the rules they share.

A kind gives an entry's id, JSON form and filters; :func:`is_new` and :func:`updated_payload`
are the rules by which every community store adds and updates entries.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

import attrs

from volunteer_rules.community.attendance import (
    AttendanceEvent,
    dump_attendance_event,
    parse_attendance_event,
)
from volunteer_rules.community.organization import (
    Organization,
    dump_organization,
    parse_organization,
)
from volunteer_rules.community.person import PersonServed, dump_person, parse_person
from volunteer_rules.community.project import Project, dump_project, parse_project
from volunteer_rules.community.station import Station, dump_station, parse_station
from volunteer_rules.errors import (
    ConflictError,
    InvalidTypeError,
    InvalidValueError,
    NotFoundError,
)
from volunteer_rules.records.region import RegionCode

__all__ = ["ATTENDANCE", "KINDS", "Kind", "check_filter", "check_items", "payload_of"]

T = TypeVar("T")


@attrs.frozen
class Kind(Generic[T]):
    """One kind of entry: its class, id, JSON form, region and filter values."""

    name: str
    cls: type[T]
    key: Callable[[T], str]
    dump: Callable[[T], dict[str, Any]]
    parse: Callable[[dict[str, Any]], T]
    region: Callable[[T], RegionCode | None]
    tags: Callable[[T], dict[str, tuple[str, ...]]]


def payload_of(kind: Kind[Any], item: Any) -> str:
    """The canonical JSON text of an entry (what content equality compares)."""
    return json.dumps(kind.dump(item), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def check_items(kind: Kind[T], items: object) -> list[T]:
    """The batch as a list; raise for a non-iterable, a wrong type, or a conflict inside it."""
    if isinstance(items, (str, bytes)) or not isinstance(items, Iterable):
        raise InvalidTypeError(kind.name, f"must be an iterable of {kind.cls.__name__}")
    batch: list[T] = []
    seen: dict[str, str] = {}
    for item in items:
        if not isinstance(item, kind.cls):
            raise InvalidTypeError(kind.name, f"holds a {type(item).__name__}")
        key, payload = kind.key(item), payload_of(kind, item)
        if seen.setdefault(key, payload) != payload:
            raise ConflictError(key, f"{kind.name} {key} is given twice with different content")
        batch.append(item)
    return batch


def is_new(what: str, key: str, held: str | None, payload: str) -> bool:
    """Whether an entry is new to a store that holds ``held`` (the current payload) under its id.

    Raises:
        ConflictError: the id is stored with other content (``what`` names the entry).
    """
    if held is None:
        return True
    if held != payload:
        raise ConflictError(key, f"{what} {key} is stored with other content")
    return False


def not_found(kind: Kind[Any], key: str) -> NotFoundError:
    """The error for an id with no entry of this kind."""
    return NotFoundError(key, f"no {kind.name} entry {key}")


def event_not_found(event_id: str) -> NotFoundError:
    """The error for an id with no attendance event."""
    return NotFoundError(event_id, f"no attendance event {event_id}")


def updated_payload(kind: Kind[T], key: str, held: str | None, item: T, expected: T) -> str | None:
    """The payload ``update`` stores over ``held`` (the current one), ``None`` if unchanged.

    Raises:
        NotFoundError: nothing is held under the id.
        ConflictError: the held entry is no longer ``expected`` (it was changed meanwhile).
    """
    if held is None:
        raise not_found(kind, key)
    if held != payload_of(kind, expected):
        raise ConflictError(key, f"{kind.name} {key} was changed meanwhile")
    payload = payload_of(kind, item)
    return None if payload == held else payload


def check_filter(what: str, value: object) -> str | None:
    """A text filter: ``None`` or a string."""
    if value is not None and not isinstance(value, str):
        raise InvalidTypeError(what, "must be a string or None")
    return value


def check_region(value: object) -> RegionCode | None:
    """A region filter: ``None`` or a :class:`RegionCode`."""
    if value is not None and not isinstance(value, RegionCode):
        raise InvalidTypeError("region", "must be a RegionCode or None")
    return value


def check_pair(kind: Kind[T], item: object, expected: object) -> tuple[T, T]:
    """The arguments of ``update``, checked."""
    if not isinstance(item, kind.cls) or not isinstance(expected, kind.cls):
        raise InvalidTypeError(kind.name, f"update takes two {kind.cls.__name__} values")
    if kind.key(item) != kind.key(expected):
        raise InvalidValueError(kind.name, "update keeps the id")
    return item, expected


ORGANIZATIONS: Kind[Organization] = Kind(
    "organizations",
    Organization,
    lambda o: o.organization_id,
    dump_organization,
    parse_organization,
    lambda o: o.region,
    lambda o: {"parent_id": () if o.parent_id is None else (o.parent_id,)},
)
STATIONS: Kind[Station] = Kind(
    "stations",
    Station,
    lambda s: s.station_id,
    dump_station,
    parse_station,
    lambda s: s.region,
    lambda s: {"organization_id": s.organization_ids},
)
PEOPLE: Kind[PersonServed] = Kind(
    "people",
    PersonServed,
    lambda p: p.person_id,
    dump_person,
    parse_person,
    lambda p: p.region,
    lambda p: {"station_id": (p.station_id,)},
)
PROJECTS: Kind[Project] = Kind(
    "projects",
    Project,
    lambda p: p.project_id,
    dump_project,
    parse_project,
    lambda p: p.demand.region,
    lambda p: {
        "station_id": () if p.station_id is None else (p.station_id,),
        "organization_id": (p.organization_id,),
    },
)
ATTENDANCE: Kind[AttendanceEvent] = Kind(
    "events",
    AttendanceEvent,
    lambda e: e.event_id,
    dump_attendance_event,
    parse_attendance_event,
    lambda e: None,
    lambda e: {"project_id": (e.project_id,), "volunteer_id": (e.volunteer_id,)},
)
KINDS: dict[str, Kind[Any]] = {
    k.name: k for k in (ORGANIZATIONS, STATIONS, PEOPLE, PROJECTS, ATTENDANCE)
}
