"""Volunteer organizations by region: the registry a civil-affairs office keeps (属地管理).

An :class:`Organization` is one registry entry: its id (an 18-character unified social credit
code, or ``G-`` and a platform id for an unregistered group), name, kind, the region it
belongs to, the department responsible for it (部门负责), its registration status, and its
parent organization (a team under an association). An :class:`OrganizationRegistry` holds
many, checks that the parent links form a forest, and answers the questions of territorial
management:

- **Which organizations does a region see?** :meth:`OrganizationRegistry.in_region` uses the
  GB/T 2260 hierarchy: a city sees its districts' organizations, a province its cities'.
- **Which civil-affairs office supervises one?** :func:`supervising_office`: the office of
  the division that registered it (positions 3-8 of a civil-affairs credit code), else the
  county it belongs to.
- **May it record this service record?** :meth:`OrganizationRegistry.check_recording`: an
  organization records and certifies only for itself (谁记录谁证明, MCA Order 67 Art. 14), and
  a suspended or deregistered one records nothing from the day its status changed.

Expected outcomes come back as :class:`~volunteer_rules.matching.Reason` values with codes
(:data:`ORGANIZATION_CODES`); only misuse raises.

Example:
    >>> from datetime import date
    >>> from volunteer_rules.records.region import RegionCode
    >>> association = Organization(organization_id="512111005000000154", name="盘锦市志愿服务联合会",
    ...     kind="social_group", region=RegionCode.parse("211103"), responsible_department="盘锦市文明办")
    >>> team = Organization(organization_id="G-xl-team", name="幸福社区志愿服务队", kind="volunteer_team",
    ...     region=RegionCode.parse("211103"), responsible_department="兴隆台区民政局",
    ...     parent_id="512111005000000154")
    >>> registry = OrganizationRegistry(organizations=(association, team))
    >>> [o.organization_id for o in registry.in_region(RegionCode.parse("211100"))]
    ['512111005000000154', 'G-xl-team']
    >>> supervising_office(association).name, supervising_office(team).name
    ('盘锦市', '兴隆台区')
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import instance_of, one_of
from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.matching.registration import Reason
from volunteer_rules.records._fields import organization_id_problem
from volunteer_rules.records._wire_reader import Reader
from volunteer_rules.records.identifiers import REGISTRATION_DEPARTMENTS
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.records.region import RegionCode
from volunteer_rules.rules.checks import recorded_date

__all__ = [
    "ORGANIZATION_CODES",
    "ORGANIZATION_KINDS",
    "ORGANIZATION_STATUSES",
    "Organization",
    "OrganizationRegistry",
    "dump_organization",
    "parse_organization",
    "supervising_office",
]

ORGANIZATION_KINDS: Final[Mapping[str, str]] = {
    "social_group": "社会团体",
    "social_service_agency": "社会服务机构（民办非企业单位）",
    "foundation": "基金会",
    "volunteer_team": "志愿服务队伍（未登记）",
    "other": "其他",
}
"""Kinds of organization, with their Chinese names (the three civil-affairs registrations and
the unregistered teams that platforms carry)."""

ORGANIZATION_STATUSES: Final = ("registered", "suspended", "deregistered")
"""Registration statuses: ``registered`` (may record), ``suspended`` (停止活动, records nothing
from ``status_since``), ``deregistered`` (注销, records nothing from ``status_since``)."""

ORGANIZATION_CODES: Final[Mapping[str, str]] = {
    "organization_unknown": "the organization is not in the registry",
    "not_own_record": "an organization records and certifies only its own service",
    "not_yet_registered": "the organization was not yet registered on the day",
    "organization_suspended": "the organization was suspended on the day",
    "organization_deregistered": "the organization was deregistered on the day",
}
"""Codes of the reasons :meth:`OrganizationRegistry.check_recording` returns."""

_MCA67_ART14: Final = "[MCA2020 Art 14]"
_MCA67_ART5: Final = "[MCA2020 Art 5]"


def _organization_id(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidTypeError(attribute.name, "must be a string")
    problem = organization_id_problem(value)  # the record format's one rule
    if problem is not None:
        raise InvalidValueError(attribute.name, problem[1])


def _text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise InvalidValueError(attribute.name, "must be 1-200 characters of text")


def _optional_day(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (type(value) is not _dt.date):
        raise InvalidTypeError(attribute.name, "must be a date or None")


@masked_repr
@attrs.frozen(kw_only=True)
class Organization:
    """One organization in the registry.

    Attributes:
        organization_id: an 18-character unified social credit code (checked) or ``G-`` and
            1-62 id characters (an unregistered team's platform id), as in service records.
        name: the organization's name.
        kind: one of :data:`ORGANIZATION_KINDS`.
        region: the GB/T 2260 region it belongs to (its seat).
        responsible_department: the department responsible for it (业务主管单位 or the
            platform's managing department).
        status: one of :data:`ORGANIZATION_STATUSES`.
        status_since: the day ``status`` took effect (``None``: always, for ``registered``).
        registered_on: the day it was registered or joined the platform, if known.
        parent_id: the organization it belongs to, or ``None``.

    Raises:
        InvalidValueError: a bad id, kind, status or text; a suspended or deregistered status
            without ``status_since``; a parent that is itself (:func:`parse_organization`
            reports each as a :class:`~volunteer_rules.errors.FieldError` instead).

    Example:
        >>> from volunteer_rules.records.region import RegionCode
        >>> org = Organization(organization_id="51211100MJ00000175", name="盘锦市青年志愿者协会",
        ...     kind="social_group", region=RegionCode.parse("211103"), responsible_department="共青团盘锦市委")
        >>> org.registering_department, org.status_on(__import__("datetime").date(2024, 1, 1))
        ('民政', 'registered')
    """

    organization_id: str = attrs.field(validator=_organization_id)
    name: str = attrs.field(validator=_text)
    kind: str = attrs.field(validator=one_of(tuple(ORGANIZATION_KINDS)))
    region: RegionCode = attrs.field(validator=instance_of(RegionCode))
    responsible_department: str = attrs.field(validator=_text)
    status: str = attrs.field(default="registered", validator=one_of(ORGANIZATION_STATUSES))
    status_since: _dt.date | None = attrs.field(default=None, validator=_optional_day)
    registered_on: _dt.date | None = attrs.field(default=None, validator=_optional_day)
    parent_id: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(_organization_id)
    )

    def __attrs_post_init__(self) -> None:
        if self.status != "registered" and self.status_since is None:
            raise InvalidValueError("status_since", f"a {self.status} organization needs the day")
        if self.parent_id == self.organization_id:
            raise InvalidValueError("parent_id", "an organization cannot be its own parent")

    @property
    def registering_department(self) -> str | None:
        """The registering department named by the credit code (``民政``...), or ``None``.

        Example:
            >>> from volunteer_rules.records.region import RegionCode
            >>> Organization(organization_id="G-a", name="a", kind="volunteer_team",
            ...     region=RegionCode.parse("211103"), responsible_department="d").registering_department is None
            True
        """
        if self.organization_id.startswith("G-"):
            return None
        return REGISTRATION_DEPARTMENTS.get(self.organization_id[0])

    def status_on(self, day: _dt.date) -> str:
        """The organization's status on ``day``: a status, or ``not_yet_registered``.

        Example:
            >>> from datetime import date
            >>> from volunteer_rules.records.region import RegionCode
            >>> org = Organization(organization_id="G-a", name="a", kind="volunteer_team",
            ...     region=RegionCode.parse("211103"), responsible_department="d",
            ...     status="suspended", status_since=date(2024, 3, 1), registered_on=date(2020, 1, 1))
            >>> [org.status_on(date(y, m, 1)) for y, m in ((2019, 1), (2024, 2), (2024, 3))]
            ['not_yet_registered', 'registered', 'suspended']
        """
        if type(day) is not _dt.date:
            raise InvalidTypeError("day", "must be a date")
        if self.registered_on is not None and day < self.registered_on:
            return "not_yet_registered"
        if self.status_since is not None and day >= self.status_since:
            return self.status
        return "registered"


def supervising_office(organization: Organization) -> RegionCode:
    """The division whose civil-affairs department supervises ``organization`` (登记管理机关).

    For a code registered by civil affairs (position 1 ``5``), the division in positions 3-8
    (the registering authority), when it is a known GB/T 2260 code; otherwise the county (or
    the lowest level) of the region the organization belongs to, whose civil-affairs office
    manages the teams on its ground.

    Example:
        >>> from volunteer_rules.records.region import RegionCode
        >>> org = Organization(organization_id="52211104MJ00000697", name="大洼区生态环保志愿服务中心",
        ...     kind="social_service_agency", region=RegionCode.parse("211104"), responsible_department="d")
        >>> supervising_office(org).code
        '211104'
    """
    if not isinstance(organization, Organization):
        raise InvalidTypeError("organization", "must be an Organization")
    code = organization.organization_id
    if code[0] == "5" and not code.startswith("G-") and RegionCode.is_known(code[2:8]):
        return RegionCode.parse(code[2:8])
    return organization.region


def _organizations(value: Iterable[Organization]) -> tuple[Organization, ...]:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise InvalidTypeError("organizations", "must be an iterable of Organization")
    items = tuple(value)
    for item in items:
        if not isinstance(item, Organization):
            raise InvalidTypeError("organizations", f"holds a {type(item).__name__}")
    return tuple(sorted(items, key=lambda o: o.organization_id))


def _text_id(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidTypeError("organization_id", f"must be a string, not {type(value).__name__}")
    return value


@masked_repr
@attrs.frozen(kw_only=True)
class OrganizationRegistry:
    """Organizations by id, their parent-child tree, and the checks of territorial management.

    Attributes:
        organizations: the entries, kept sorted by id.

    Raises:
        InvalidValueError: an id given twice, a parent not in the registry, or a cycle of
            parents.

    Example:
        >>> OrganizationRegistry(organizations=()).get("G-x") is None
        True
    """

    organizations: tuple[Organization, ...] = attrs.field(converter=_organizations)
    _by_id: dict[str, Organization] = attrs.field(init=False, eq=False, repr=False)
    _children: dict[str, tuple[str, ...]] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        by_id: dict[str, Organization] = {}
        for org in self.organizations:
            if org.organization_id in by_id:
                raise InvalidValueError("organizations", f"{org.organization_id} is given twice")
            by_id[org.organization_id] = org
        children: dict[str, list[str]] = {}
        for org in self.organizations:
            if org.parent_id is None:
                continue
            if org.parent_id not in by_id:
                raise InvalidValueError(
                    "organizations", f"{org.organization_id}'s parent {org.parent_id} is unknown"
                )
            children.setdefault(org.parent_id, []).append(org.organization_id)
        for org in self.organizations:  # every chain of parents ends
            seen = {org.organization_id}
            parent = org.parent_id
            while parent is not None:
                if parent in seen:
                    raise InvalidValueError(
                        "organizations", f"{org.organization_id} is its own ancestor"
                    )
                seen.add(parent)
                parent = by_id[parent].parent_id
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_children", {k: tuple(v) for k, v in children.items()})

    def get(self, organization_id: str) -> Organization | None:
        """The organization with this id, or ``None``.

        Example:
            >>> OrganizationRegistry(organizations=()).get("512111005000000154") is None
            True
        """
        return self._by_id.get(_text_id(organization_id))

    def children(self, organization_id: str) -> tuple[Organization, ...]:
        """The organizations whose parent is ``organization_id``, by id.

        Example:
            >>> OrganizationRegistry(organizations=()).children("G-x")
            ()
        """
        return tuple(self._by_id[i] for i in self._children.get(_text_id(organization_id), ()))

    def descendants(self, organization_id: str) -> tuple[Organization, ...]:
        """Children, their children and so on (depth first, by id at each level).

        Example:
            >>> OrganizationRegistry(organizations=()).descendants("G-x")
            ()
        """
        out: list[Organization] = []
        _text_id(organization_id)

        def walk(parent: str) -> None:
            for child in self.children(parent):
                out.append(child)
                walk(child.organization_id)

        walk(organization_id)
        return tuple(out)

    def in_region(
        self, region: RegionCode, *, on: _dt.date | None = None
    ) -> tuple[Organization, ...]:
        """The organizations belonging to ``region`` or a region inside it, by id.

        Args:
            region: a province, city or county (GB/T 2260): a city sees its counties'.
            on: only those registered (not suspended, deregistered or not yet registered)
                on this day; ``None`` for every entry.

        Example:
            >>> from volunteer_rules.records.region import RegionCode
            >>> OrganizationRegistry(organizations=()).in_region(RegionCode.parse("210000"))
            ()
        """
        if not isinstance(region, RegionCode):
            raise InvalidTypeError("region", "must be a RegionCode")
        return tuple(
            org
            for org in self.organizations
            if (org.region == region or region.contains(org.region))
            and (on is None or org.status_on(on) == "registered")
        )

    def __iter__(self) -> Iterator[Organization]:
        return iter(self.organizations)

    def __len__(self) -> int:
        return len(self.organizations)

    def check_recording(self, acting_id: str, record: ServiceRecord) -> tuple[Reason, ...]:
        """Why ``acting_id`` may not record (or certify) ``record``; ``()`` when it may.

        The acting organization must be the record's own (a parent does not record for its
        teams, MCA Order 67 Art. 14: whoever records, certifies), be in the registry, and be
        registered on the local day the record was entered (``recorded_at``): a suspended or
        deregistered organization records nothing from ``status_since`` on.

        Example:
            >>> import volunteer_rules as vr
            >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
            >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
            >>> [r.code for r in OrganizationRegistry(organizations=()).check_recording(
            ...     "G-other", record)]
            ['not_own_record', 'organization_unknown']
        """
        if not isinstance(record, ServiceRecord):
            raise InvalidTypeError("record", "must be a ServiceRecord")
        if not isinstance(acting_id, str):
            raise InvalidTypeError("acting_id", "must be a string")
        reasons: list[Reason] = []
        if acting_id != record.organization_id:
            reasons.append(
                Reason(
                    code="not_own_record",
                    message=f"{acting_id} cannot record service of {record.organization_id}",
                    source=_MCA67_ART14,
                )
            )
        org = self.get(acting_id)
        if org is None:
            reasons.append(
                Reason(
                    code="organization_unknown",
                    message=f"{acting_id} is not in the registry",
                    source=_MCA67_ART5,
                )
            )
            return tuple(reasons)
        day = recorded_date(record)
        status = org.status_on(day)
        if status != "registered":
            code = status if status == "not_yet_registered" else f"organization_{status}"
            reasons.append(
                Reason(
                    code=code,
                    message=f"{acting_id} is {status.replace('_', ' ')} on {day.isoformat()}",
                    source=_MCA67_ART5,
                )
            )
        return tuple(reasons)


_FIELDS: Final = (
    "organization_id",
    "name",
    "kind",
    "region_code",
    "responsible_department",
    "status",
    "status_since",
    "registered_on",
    "parent_id",
)


def parse_organization(payload: Mapping[str, Any]) -> Organization:
    """Read an organization from its JSON form (the keys of :func:`dump_organization`).

    Fields: ``organization_id`` (an 18-character unified social credit code, checked, or
    ``G-`` and 1-62 id characters), ``name`` and ``responsible_department`` (1-200
    characters), ``kind`` (:data:`ORGANIZATION_KINDS`), ``region_code`` (a known GB/T 2260
    code), and optional ``status`` (:data:`ORGANIZATION_STATUSES`, default ``registered``),
    ``status_since`` and ``registered_on`` (ISO dates), ``parent_id`` (an organization id).
    ``null`` is a member left out.

    Raises:
        RecordFormatError: with ``what="organization"`` and every problem found, each with its
            path and code (``missing``, ``unknown_field``, ``invalid_type``,
            ``invalid_format``, ``checksum``, ``out_of_range``, ``unknown_code``, and
            ``inconsistent`` for a suspended or deregistered status without its
            ``status_since``, or an organization that is its own parent).

    Example:
        >>> org = parse_organization({"organization_id": "G-team", "name": "队", "kind": "volunteer_team",
        ...     "region_code": "211103", "responsible_department": "兴隆台区民政局"})
        >>> dump_organization(org)["status"]
        'registered'
        >>> parse_organization({"organization_id": "G-team", "name": 7, "kind": "club",
        ...     "region_code": "211103", "responsible_department": "局", "status": "suspended"})
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.RecordFormatError: invalid organization: $.name: invalid_type: name must be a string, not number; $.kind: unknown_code: kind 'club' is not one of social_group, social_service_agency, foundation, volunteer_team, other; $.status_since: inconsistent: a suspended organization needs the day its status took effect
    """
    read = Reader(payload, _FIELDS, "an organization")
    if not isinstance(payload, Mapping):
        read.fail("organization")
    organization_id = read.organization_id("organization_id")
    name = read.text("name", as_given=True)
    kind = read.choice("kind", tuple(ORGANIZATION_KINDS))
    region = read.region("region_code")
    department = read.text("responsible_department", as_given=True)
    status = read.choice("status", ORGANIZATION_STATUSES, required=False)
    status_since = read.date("status_since", required=False)
    registered_on = read.date("registered_on", required=False)
    parent_id = read.organization_id("parent_id", required=False)
    if status not in (None, "registered") and read.data.get("status_since") is None:
        read.add(
            read.path("status_since"),
            "inconsistent",
            f"a {status} organization needs the day its status took effect",
        )
    if parent_id is not None and parent_id == organization_id:
        read.add(read.path("parent_id"), "inconsistent", "an organization cannot be its own parent")
    read.fail("organization")
    return Organization(
        organization_id=organization_id,  # type: ignore[arg-type]
        name=name,  # type: ignore[arg-type]
        kind=kind,  # type: ignore[arg-type]
        region=region,  # type: ignore[arg-type]
        responsible_department=department,  # type: ignore[arg-type]
        status=status or "registered",
        status_since=status_since,
        registered_on=registered_on,
        parent_id=parent_id,
    )


def dump_organization(organization: Organization) -> dict[str, Any]:
    """The JSON form of an organization (optional values omitted when absent).

    Example:
        >>> from volunteer_rules.records.region import RegionCode
        >>> dump_organization(Organization(organization_id="G-a", name="a", kind="other",
        ...     region=RegionCode.parse("211103"), responsible_department="d"))
        {'organization_id': 'G-a', 'name': 'a', 'kind': 'other', 'region_code': '211103', 'responsible_department': 'd', 'status': 'registered'}
    """
    if not isinstance(organization, Organization):
        raise InvalidTypeError("organization", "must be an Organization")
    out: dict[str, Any] = {
        "organization_id": organization.organization_id,
        "name": organization.name,
        "kind": organization.kind,
        "region_code": organization.region.code,
        "responsible_department": organization.responsible_department,
        "status": organization.status,
    }
    if organization.status_since is not None:
        out["status_since"] = organization.status_since.isoformat()
    if organization.registered_on is not None:
        out["registered_on"] = organization.registered_on.isoformat()
    if organization.parent_id is not None:
        out["parent_id"] = organization.parent_id
    return out
