"""Community service stations (社区志愿服务站): where volunteers, people served and projects meet.

A :class:`Station` belongs to a community: a GB/T 2260 county code and, where the data has
it, the 12-digit statistical division code of the street or community (统计用区划代码, whose
first six digits are the county's). It is run by one or more organizations, publishes demands
(recruitment notices) for its area, and keeps its people served
(:class:`~volunteer_rules.community.person.PersonServed` values carry the station's id).

Example:
    >>> from volunteer_rules.records.region import RegionCode
    >>> station = Station(station_id="ST-xlt-xingfu", name="幸福社区志愿服务站",
    ...     region=RegionCode.parse("211103"), community_code="211103004012",
    ...     organization_ids=("512111005000000154",))
    >>> station.street_code
    '211103004'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import instance_of
from volunteer_rules.community.organization import _organization_id
from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.matching.demand import Demand
from volunteer_rules.matching.registration import Reason
from volunteer_rules.records._wire_reader import Reader
from volunteer_rules.records.region import RegionCode

__all__ = [
    "STATION_CODES",
    "Station",
    "dump_station",
    "parse_station",
]

STATION_CODES: Final[Mapping[str, str]] = {
    "not_station_organization": "the demand's organization does not run the station",
    "outside_station_area": "the demand's region is not the station's area",
}
"""Codes of the reasons :meth:`Station.check_demand` returns."""

_ID: Final = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
_COMMUNITY: Final = re.compile(r"[0-9]{12}")


def _station_id(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise InvalidValueError(attribute.name, "must be 1-64 letters, digits, -, _ or .")


def _name(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise InvalidValueError(attribute.name, "must be 1-200 characters of text")


def _ids(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidTypeError("organization_ids", "must be an iterable of organization ids")
    return tuple(sorted(set(value)))


@masked_repr
@attrs.frozen(kw_only=True)
class Station:
    """A community service station.

    Attributes:
        station_id: 1-64 letters, digits, ``-``, ``_``, ``.``.
        name: the station's name.
        region: the GB/T 2260 code of its county (or the lowest level known).
        organization_ids: the organizations that run it (at least one), kept sorted.
        community_code: the 12-digit statistical code of its community, or ``None``; its
            first six digits are ``region``'s code.
        address: a street address, or ``""``.

    Raises:
        InvalidValueError: a bad id or name, no organization, a community code of another
            county or of the wrong shape (:func:`parse_station` reports each as a
            :class:`~volunteer_rules.errors.FieldError` instead).

    Example:
        >>> from volunteer_rules.records.region import RegionCode
        >>> Station(station_id="S1", name="站", region=RegionCode.parse("211103"),
        ...         organization_ids=["G-b", "G-a", "G-b"]).organization_ids
        ('G-a', 'G-b')
    """

    station_id: str = attrs.field(validator=_station_id)
    name: str = attrs.field(validator=_name)
    region: RegionCode = attrs.field(validator=instance_of(RegionCode))
    organization_ids: tuple[str, ...] = attrs.field(converter=_ids)
    community_code: str | None = None
    address: str = ""

    def __attrs_post_init__(self) -> None:
        if not self.organization_ids:
            raise InvalidValueError("organization_ids", "a station is run by an organization")
        for org in self.organization_ids:
            _organization_id(self, attrs.fields(Station).organization_ids, org)
        if self.community_code is not None:
            if not isinstance(self.community_code, str) or not _COMMUNITY.fullmatch(
                self.community_code
            ):
                raise InvalidValueError("community_code", "must be 12 digits")
            if self.community_code[:6] != self.region.code:
                raise InvalidValueError(
                    "community_code", f"does not lie in {self.region.code} {self.region.name}"
                )
        if not isinstance(self.address, str) or len(self.address) > 200:
            raise InvalidValueError("address", "must be text of at most 200 characters")

    @property
    def street_code(self) -> str | None:
        """The 9-digit code of the street or township (街道/乡镇), when the community is known.

        Example:
            >>> from volunteer_rules.records.region import RegionCode
            >>> Station(station_id="S1", name="站", region=RegionCode.parse("211103"),
            ...         organization_ids=["G-a"]).street_code is None
            True
        """
        return None if self.community_code is None else self.community_code[:9]

    def serves(self, region: RegionCode) -> bool:
        """Whether ``region`` is the station's area (its county, or a region inside it).

        Example:
            >>> from volunteer_rules.records.region import RegionCode
            >>> s = Station(station_id="S1", name="站", region=RegionCode.parse("211103"),
            ...             organization_ids=["G-a"])
            >>> s.serves(RegionCode.parse("211103")), s.serves(RegionCode.parse("211104"))
            (True, False)
        """
        return region == self.region or self.region.contains(region)

    def check_demand(self, demand: Demand) -> tuple[Reason, ...]:
        """Why the station may not publish ``demand``; ``()`` when it may.

        The demand must be recruited by one of the station's organizations and take place in
        the station's area.

        Example:
            >>> from volunteer_rules.matching.demand import parse_demand
            >>> from volunteer_rules.records.region import RegionCode
            >>> from volunteer_rules.testing.matching_examples import SAMPLE_DEMAND_PAYLOAD
            >>> s = Station(station_id="S1", name="站", region=RegionCode.parse("211103"),
            ...             organization_ids=["G-a"])
            >>> [r.code for r in s.check_demand(parse_demand(SAMPLE_DEMAND_PAYLOAD))]
            ['not_station_organization', 'outside_station_area']
        """
        if not isinstance(demand, Demand):
            raise InvalidTypeError("demand", "must be a Demand")
        reasons: list[Reason] = []
        if demand.organization_id not in self.organization_ids:
            reasons.append(
                Reason(
                    code="not_station_organization",
                    message=f"{demand.organization_id or 'no organization'} does not run "
                    f"station {self.station_id}",
                )
            )
        if not self.serves(demand.region):
            reasons.append(
                Reason(
                    code="outside_station_area",
                    message=f"{demand.region.name} is outside {self.region.name}",
                )
            )
        return tuple(reasons)


_FIELDS: Final = (
    "station_id",
    "name",
    "region_code",
    "organization_ids",
    "community_code",
    "address",
)


def parse_station(payload: Mapping[str, Any]) -> Station:
    """Read a station from its JSON form (the keys of :func:`dump_station`).

    Fields: ``station_id`` (1-64 letters, digits, ``-``, ``_``, ``.``), ``name`` (1-200
    characters), ``region_code`` (a known GB/T 2260 code), ``organization_ids`` (a non-empty
    array of organization ids), and optional ``community_code`` (12 digits, the first six
    ``region_code``) and ``address`` (at most 200 characters). ``null`` is a member left out.

    Raises:
        RecordFormatError: with ``what="station"`` and every problem found, each with its path
            and code (``inconsistent`` for a community code outside the station's county).

    Example:
        >>> s = parse_station({"station_id": "S1", "name": "站", "region_code": "211103",
        ...                    "organization_ids": ["G-a"]})
        >>> dump_station(s)
        {'station_id': 'S1', 'name': '站', 'region_code': '211103', 'organization_ids': ['G-a']}
        >>> parse_station({"station_id": "S 1", "name": "站", "region_code": "211103",
        ...                "organization_ids": [], "community_code": "211104004012"})
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.RecordFormatError: invalid station: $.station_id: invalid_format: station_id must be 1-64 ASCII letters, digits, '-', '_' or '.'; $.organization_ids: missing: organization_ids must not be empty; $.community_code: inconsistent: community_code does not lie in 211103 兴隆台区
    """
    read = Reader(payload, _FIELDS, "a station")
    if not isinstance(payload, Mapping):
        read.fail("station")
    station_id = read.ident("station_id")
    name = read.text("name", as_given=True)
    region = read.region("region_code")
    organization_ids = read.organization_ids("organization_ids")
    community_code = read.ident(
        "community_code", required=False, pattern=_COMMUNITY, shape="12 digits"
    )
    address = read.text("address", required=False, as_given=True, blank=True)
    if community_code is not None and region is not None and community_code[:6] != region.code:
        read.add(
            read.path("community_code"),
            "inconsistent",
            f"community_code does not lie in {region.code} {region.name}",
        )
    read.fail("station")
    return Station(
        station_id=station_id,  # type: ignore[arg-type]
        name=name,  # type: ignore[arg-type]
        region=region,  # type: ignore[arg-type]
        organization_ids=organization_ids,  # type: ignore[arg-type]
        community_code=community_code,
        address=address or "",
    )


def dump_station(station: Station) -> dict[str, Any]:
    """The JSON form of a station (``community_code`` and ``address`` omitted when absent).

    Example:
        >>> from volunteer_rules.records.region import RegionCode
        >>> dump_station(Station(station_id="S1", name="站", region=RegionCode.parse("211103"),
        ...     organization_ids=["G-a"], address="振兴街道"))["address"]
        '振兴街道'
    """
    if not isinstance(station, Station):
        raise InvalidTypeError("station", "must be a Station")
    out: dict[str, Any] = {
        "station_id": station.station_id,
        "name": station.name,
        "region_code": station.region.code,
        "organization_ids": list(station.organization_ids),
    }
    if station.community_code is not None:
        out["community_code"] = station.community_code
    if station.address:
        out["address"] = station.address
    return out
