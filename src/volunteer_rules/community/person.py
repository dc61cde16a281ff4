"""People served (服务对象): their needs, their consent, and matching in both directions.

A :class:`PersonServed` is kept by a station. It holds personal information a volunteer
platform must protect (PIPL, 个人信息保护法): the name, optionally a contact and an ID-document
number, and needs that can reveal health or age. So:

- **masked in every output**: ``repr``, messages and the offers a volunteer sees show only
  :attr:`PersonServed.masked_name` (the surname and stars), a masked contact and a masked
  number (the same masking as a volunteer's documents, :func:`mask_document_number`);
- **consent recorded**: a :class:`Consent` says who agreed (the person, a guardian or an
  agent), on which day, and to what (:data:`CONSENT_PURPOSES`); a need is matched only while
  the consent covers ``match`` on the day, and a withdrawn consent stops it.

A :class:`Need` says what is needed (a service category), where (a region and a place),
when (time slots, as a :class:`~volunteer_rules.Demand` has them), how many volunteers,
which skills and which special conditions (``wheelchair``, ``hearing_impaired``...).
Matching works both ways (:mod:`~volunteer_rules.community.need_matching`): volunteers for a
person's need, and the needs a volunteer may take near home in a period ("what can I do near
me this week").

Example:
    >>> from datetime import date
    >>> from volunteer_rules.testing.community_examples import sample_person
    >>> person = sample_person()
    >>> repr(person)[:60]
    "PersonServed(person_id='P-0001', station_id='ST-xingfu', nam"
    >>> "刘桂兰" in repr(person), "刘**" in repr(person)
    (False, True)
    >>> person.consent.covers("match", date(2024, 6, 1))
    True
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal

import attrs

from volunteer_rules._privacy import mask_name_text, masked_repr
from volunteer_rules._validate import instance_of, one_of, require_date, require_iterable
from volunteer_rules.errors import InvalidTypeError, InvalidValueError, RecordFormatError
from volunteer_rules.matching.demand import (
    Demand,
    Interval,
    Recurrence,
    dump_demand,
    parse_demand,
)
from volunteer_rules.records._wire_reader import Reader
from volunteer_rules.records._wording import personal_number_shape
from volunteer_rules.records.profile import (
    mask_contact,
    mask_document_number,
)
from volunteer_rules.records.region import RegionCode

__all__ = [
    "CONSENT_GIVERS",
    "CONSENT_PURPOSES",
    "PERSON_CODES",
    "Consent",
    "Need",
    "PersonServed",
    "dump_person",
    "mask_name",
    "need_demand",
    "parse_person",
]

CONSENT_PURPOSES: Final[Mapping[str, str]] = {
    "record": "keep the person's information and needs at the station",
    "match": "show the needs (masked) to volunteers and match them",
    "statistics": "count the person in statistics (never named)",
}
"""What a person served may consent to (PIPL Art. 13-14: a purpose, informed, revocable)."""

CONSENT_GIVERS: Final = ("self", "guardian", "agent")
"""Who gave the consent: the person, a guardian (PIPL Art. 31 for a child; a ward), or an agent
(a family member or the community on the person's written authority)."""

PERSON_CODES: Final[Mapping[str, str]] = {
    "consent_missing": "the person's consent does not cover matching on the day",
}
"""Codes of the reasons a need is not matched."""

_ID: Final = re.compile(r"[A-Za-z0-9_.\-]{1,31}")
_ID_SHAPE: Final = "1-31 letters, digits, '-', '_' or '.'"
_NAME: Final = re.compile(r"[a-z][a-z0-9_\-]{0,63}")
Reach = Literal["county", "city", "province"]
_DEPTH: Final = {"province": 1, "city": 2, "county": 3}


def mask_name(name: str) -> str:
    """A name with all but its first character replaced by ``*`` (at least one star).

    Example:
        >>> mask_name("刘桂兰"), mask_name("王"), mask_name("Li Ming")
        ('刘**', '王*', 'L******')
    """
    if not isinstance(name, str):
        raise InvalidTypeError("name", "must be a string")
    return mask_name_text(name)


def _mask_place(place: object) -> str:
    """A place as shown in ``repr``: its first four characters (the street), then stars."""
    text = str(place)
    return text if len(text) <= 4 else text[:4] + "*" * (len(text) - 4)


def _id(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise InvalidValueError(attribute.name, "must be 1-31 letters, digits, -, _ or .")


def _names(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidTypeError("names", "must be an iterable of names")
    out = frozenset(value)
    for name in out:
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise InvalidValueError("names", f"{name!r} is not a name (a-z, 0-9, _ and -)")
    return out


def _day(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None or attribute.name != "withdrawn_on":
        require_date(value, attribute.name)


def _purposes(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidTypeError("purposes", "must be an iterable of purposes")
    return frozenset(value)


@masked_repr
@attrs.frozen(kw_only=True)
class Consent:
    """A recorded consent of a person served.

    Attributes:
        given_by: who agreed (:data:`CONSENT_GIVERS`).
        given_on: the day.
        purposes: what it covers (:data:`CONSENT_PURPOSES`).
        withdrawn_on: the day it was withdrawn, or ``None``.

    Example:
        >>> from datetime import date
        >>> c = Consent(given_by="guardian", given_on=date(2024, 1, 5), purposes={"record", "match"},
        ...             withdrawn_on=date(2024, 7, 1))
        >>> [c.covers("match", date(2024, m, 1)) for m in (1, 2, 7)]
        [False, True, False]
    """

    given_by: str = attrs.field(validator=one_of(CONSENT_GIVERS))
    given_on: _dt.date = attrs.field(validator=_day)
    purposes: frozenset[str] = attrs.field(converter=_purposes)
    withdrawn_on: _dt.date | None = attrs.field(default=None, validator=_day)

    def __attrs_post_init__(self) -> None:
        for purpose in self.purposes:
            if purpose not in CONSENT_PURPOSES:
                raise InvalidValueError("purposes", f"{purpose!r} is not a consent purpose")
        if self.withdrawn_on is not None and self.withdrawn_on < self.given_on:
            raise InvalidValueError("withdrawn_on", "is before given_on")

    def covers(self, purpose: str, day: _dt.date) -> bool:
        """Whether the consent covers ``purpose`` on ``day`` (given on or before, not withdrawn).

        Example:
            >>> from datetime import date
            >>> Consent(given_by="self", given_on=date(2024, 1, 1), purposes={"record"}).covers(
            ...     "match", date(2024, 2, 1))
            False
        """
        if not isinstance(purpose, str):
            raise InvalidTypeError("purpose", f"must be a string, not {type(purpose).__name__}")
        require_date(day, "day")
        return (
            purpose in self.purposes
            and self.given_on <= day
            and (self.withdrawn_on is None or day < self.withdrawn_on)
        )


def _schedule(value: Iterable[Interval | Recurrence]) -> tuple[Interval | Recurrence, ...]:
    return tuple(require_iterable(value, "schedule", "must be an iterable of slots"))


@masked_repr
@attrs.frozen(kw_only=True)
class Need:
    """One need of a person served.

    Attributes:
        need_id: 1-31 id characters, unique for the person.
        service_category: the category code (as records and demands use).
        region: where the service happens (usually the person's county).
        place: where exactly (shown to matched volunteers only).
        schedule: when: :class:`~volunteer_rules.matching.demand.Interval` and
            :class:`~volunteer_rules.matching.demand.Recurrence` values.
        head_count: volunteers needed per slot.
        required_skills: skills a volunteer must have.
        special_conditions: names such as ``wheelchair``, ``hearing_impaired``.

    Example:
        >>> from volunteer_rules.testing.community_examples import sample_person
        >>> need = sample_person().needs[0]
        >>> need.service_category, len(need_demand(sample_person(), need).slots)
        ('elderly_and_disabled', 8)
    """

    need_id: str = attrs.field(validator=_id)
    service_category: str
    region: RegionCode = attrs.field(validator=instance_of(RegionCode))
    place: str = attrs.field(repr=lambda place: repr(_mask_place(place)))
    schedule: tuple[Interval | Recurrence, ...] = attrs.field(converter=_schedule)
    head_count: int = 1
    required_skills: frozenset[str] = attrs.field(default=frozenset(), converter=_names)
    special_conditions: frozenset[str] = attrs.field(default=frozenset(), converter=_names)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.place, str) or not self.place.strip() or len(self.place) > 200:
            raise InvalidValueError("place", "must be 1-200 characters of text")
        # the demand checks the category, slots and head count
        Demand(
            demand_id=self.need_id,
            service_category=self.service_category,
            region=self.region,
            schedule=self.schedule,
            head_count=self.head_count,
            required_skills=self.required_skills,
        )


def _needs(value: Iterable[Need]) -> tuple[Need, ...]:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise InvalidTypeError("needs", "must be an iterable of Need")
    needs = tuple(value)
    seen: set[str] = set()
    for need in needs:
        if not isinstance(need, Need):
            raise InvalidTypeError("needs", f"holds a {type(need).__name__}")
        if need.need_id in seen:
            raise InvalidValueError("needs", f"need {need.need_id} is given twice")
        seen.add(need.need_id)
    return needs


def _masked_contact(value: str | None) -> str:
    return "None" if value is None else repr(mask_contact(value))


def _masked_number(value: str | None) -> str:
    if value is None:
        return "None"
    kind = "resident_id" if len(value) == 18 else "other"
    return repr(mask_document_number(kind, value))


def _optional_text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip() or len(value) > 64):
        raise InvalidValueError(attribute.name, "must be 1-64 characters, or None")


@masked_repr
@attrs.frozen(kw_only=True)
class PersonServed:
    """A person a station serves; ``repr`` masks the name, contact and document number.

    Attributes:
        person_id: 1-31 id characters (the station's own number, never an ID number or a
            mobile number).
        station_id: the station that keeps the person.
        name: the name (shown masked: :attr:`masked_name`).
        region: where the person lives (GB/T 2260).
        needs: the person's needs.
        consent: the recorded consent, or ``None`` (then nothing is matched).
        contact: a phone number or e-mail, or ``None`` (shown masked).
        id_number: an ID-document number, or ``None`` (shown masked; keep it only where
            the platform must).

    Raises:
        InvalidValueError: bad ids or text; a person id shaped like a resident ID number or
            a mobile number (:func:`parse_person` reports each as a
            :class:`~volunteer_rules.errors.FieldError` instead).

    Example:
        >>> from volunteer_rules.testing.community_examples import sample_person
        >>> "13800138000" in repr(sample_person(contact="13800138000"))
        False
    """

    person_id: str = attrs.field(validator=_id)
    station_id: str
    name: str = attrs.field(repr=lambda name: repr(mask_name(name)))
    region: RegionCode = attrs.field(validator=instance_of(RegionCode))
    needs: tuple[Need, ...] = attrs.field(default=(), converter=_needs)
    consent: Consent | None = attrs.field(
        default=None, validator=instance_of(Consent, optional=True)
    )
    contact: str | None = attrs.field(default=None, validator=_optional_text, repr=_masked_contact)
    id_number: str | None = attrs.field(default=None, validator=_optional_text, repr=_masked_number)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # IPython's and Hypothesis' pretty printers would otherwise print the fields raw
        printer.text(repr(self))

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.station_id, str) or not re.fullmatch(
            r"[A-Za-z0-9_.\-]{1,64}", self.station_id
        ):
            raise InvalidValueError("station_id", "must be 1-64 letters, digits, -, _ or .")
        if not isinstance(self.name, str) or not self.name.strip() or len(self.name) > 100:
            raise InvalidValueError("name", "must be 1-100 characters of text")
        if (shape := personal_number_shape(self.person_id)) is not None:  # the format's rule
            raise InvalidValueError("person_id", f"looks like {shape}")

    @property
    def masked_name(self) -> str:
        """The name as shown to anyone: the first character and stars.

        Example:
            >>> from volunteer_rules.testing.community_examples import sample_person
            >>> sample_person().masked_name
            '刘**'
        """
        return mask_name(self.name)

    def need(self, need_id: str) -> Need:
        """The need with this id.

        Raises:
            InvalidValueError: the person has no such need.

        Example:
            >>> from volunteer_rules.testing.community_examples import sample_person
            >>> sample_person().need("N1").need_id
            'N1'
        """
        for need in self.needs:
            if need.need_id == need_id:
                return need
        raise InvalidValueError("need_id", f"{self.person_id} has no need {need_id!r}")


def need_demand(person: PersonServed, need: Need, *, organization_id: str = "") -> Demand:
    """The demand (recruitment notice) of ``need``: id ``<person_id>.<need_id>``, no name.

    Example:
        >>> from volunteer_rules.testing.community_examples import sample_person
        >>> person = sample_person()
        >>> need_demand(person, person.needs[0]).demand_id
        'P-0001.N1'
    """
    if not isinstance(person, PersonServed) or not isinstance(need, Need):
        raise InvalidTypeError("need", "needs a PersonServed and one of its Need values")
    return Demand(
        demand_id=f"{person.person_id}.{need.need_id}",
        service_category=need.service_category,
        region=need.region,
        schedule=need.schedule,
        head_count=need.head_count,
        required_skills=need.required_skills,
        organization_id=organization_id,
    )


# --- JSON form ---------------------------------------------------------------------------

_PERSON_FIELDS: Final = (
    "person_id",
    "station_id",
    "name",
    "region_code",
    "needs",
    "consent",
    "contact",
    "id_number",
)
_CONSENT_FIELDS: Final = ("given_by", "given_on", "purposes", "withdrawn_on")

_NEED_FIELDS: Final = (
    "need_id",
    "service_category",
    "region_code",
    "place",
    "slots",
    "head_count",
    "required_skills",
    "special_conditions",
)


_NAME_SHAPE: Final = "a name of a-z, 0-9, _ and - that starts with a letter"


def _person_id_problem(value: str) -> tuple[str, str] | None:
    """A person id shaped like a personal number is refused (the message does not repeat it).

    The shapes are the ones a ``volunteer_id`` must not have (``personal_number_shape``, the
    record format's one rule): a resident ID number (18 or 15 characters with a month and day
    in the birth-date places) or a mainland mobile number.
    """
    shape = personal_number_shape(value)
    if shape is None:
        return None
    return "invalid_format", f"person_id looks like {shape}; give the station's own number"


def _read_consent(read: Reader) -> Consent | None:
    """The ``consent`` member, or ``None`` (absent, or refused with its problems)."""
    sub = read.member("consent", _CONSENT_FIELDS, "a consent", required=False)
    if sub is None:
        return None
    errors = len(read.errors)
    given_by = sub.choice("given_by", CONSENT_GIVERS)
    given_on = sub.date("given_on")
    purposes = sub.names("purposes", vocabulary=CONSENT_PURPOSES)
    withdrawn_on = sub.date("withdrawn_on", required=False)
    if given_on is not None and withdrawn_on is not None and withdrawn_on < given_on:
        sub.add(sub.path("withdrawn_on"), "inconsistent", "withdrawn_on is before given_on")
    if len(read.errors) > errors:
        return None
    return Consent(
        given_by=given_by,  # type: ignore[arg-type]
        given_on=given_on,  # type: ignore[arg-type]
        purposes=purposes,  # type: ignore[arg-type]
        withdrawn_on=withdrawn_on,
    )


_DEMAND_MEMBERS: Final = ("service_category", "region_code", "slots", "required_skills")


def _read_need(read: Reader, value: object, index: int) -> Need | None:
    """The need ``value`` at ``$.needs[index]``, or ``None`` (refused, with its problems).

    Its category, region, slots, head count and required skills are read as
    :func:`~volunteer_rules.parse_demand` reads a demand's, with its problems moved under the
    need's path.
    """
    sub = read.nested(value, _NEED_FIELDS, "a need", f"$.needs[{index}]")
    if sub is None:
        return None
    errors = len(read.errors)
    need_id = sub.ident("need_id", pattern=_ID, shape=_ID_SHAPE)
    demand_form: dict[str, Any] = {"demand_id": "need", "head_count": 1}
    demand_form.update((k, v) for k, v in sub.data.items() if k in (*_DEMAND_MEMBERS, "head_count"))
    demand: Demand | None = None
    try:
        demand = parse_demand(demand_form)
    except RecordFormatError as error:  # where the person's form has it: $.needs[i].slots...
        read.errors.extend(error.under(sub.prefix).errors)
    place = sub.text("place", as_given=True)
    special_conditions = sub.names("special_conditions", pattern=_NAME, shape=_NAME_SHAPE)
    if len(read.errors) > errors or demand is None:
        return None
    return Need(
        need_id=need_id,  # type: ignore[arg-type]
        service_category=demand.service_category,
        region=demand.region,
        place=place,  # type: ignore[arg-type]
        schedule=demand.schedule,
        head_count=demand.head_count,
        required_skills=demand.required_skills,
        special_conditions=special_conditions,  # type: ignore[arg-type]
    )


def _read_needs(read: Reader) -> tuple[Need, ...] | None:
    """The ``needs`` member (absent: none), or ``None`` when any need is refused."""
    items = read.array("needs", required=False)
    if items is None:
        return None if "needs" in read.data else ()
    errors = len(read.errors)
    needs = [_read_need(read, item, index) for index, item in enumerate(items)]
    seen: set[str] = set()
    for index, need in enumerate(needs):
        if need is not None and need.need_id in seen:
            read.add(
                f"$.needs[{index}].need_id", "inconsistent", "need_id is an earlier need's too"
            )
        elif need is not None:
            seen.add(need.need_id)
    if len(read.errors) > errors:
        return None
    return tuple(need for need in needs if need is not None)


def parse_person(payload: Mapping[str, Any]) -> PersonServed:
    """Read a person served from the JSON form :func:`dump_person` writes.

    Fields: ``person_id`` (1-31 letters, digits, ``-``, ``_``, ``.``; never shaped like a resident
    ID number or a mobile number), ``station_id`` (1-64 id characters), ``name`` (1-100 characters),
    ``region_code`` (a known GB/T 2260 code), and optional ``needs`` (an array of needs:
    ``need_id``, ``service_category``, ``region_code``, ``place``, ``slots``, ``head_count``,
    ``required_skills``, ``special_conditions``; the category, region, slots, head count and skills
    as :func:`~volunteer_rules.parse_demand` reads them), ``consent`` (``given_by``, ``given_on``,
    ``purposes``, ``withdrawn_on``), ``contact`` and ``id_number`` (1-64 characters). ``null`` is a
    member left out.

    Raises:
        RecordFormatError: with ``what="person served"`` and every problem found, each with
            its path (``$.needs[0].slots[1].start``, ``$.consent.given_on``) and code
            (``inconsistent`` for a consent withdrawn before it was given, or a need id given
            twice). Messages never contain the name, the contact or the ID number.

    Example:
        >>> from volunteer_rules.testing.community_examples import sample_person
        >>> parse_person(dump_person(sample_person())) == sample_person()
        True
        >>> payload = dict(dump_person(sample_person()), person_id="21110319400101002X",
        ...                contact=13800138000)
        >>> try:
        ...     parse_person(payload)
        ... except RecordFormatError as error:
        ...     print(*(f"{e.path} {e.code}" for e in error.errors))
        $.person_id invalid_format $.contact invalid_type
    """
    read = Reader(payload, _PERSON_FIELDS, "a person served")
    if not isinstance(payload, Mapping):
        read.fail("person served")
    person_id = read.ident("person_id", pattern=_ID, shape=_ID_SHAPE, check=_person_id_problem)
    station_id = read.ident("station_id")
    name = read.text("name", max_length=100, as_given=True)
    region = read.region("region_code")
    needs = _read_needs(read)
    consent = _read_consent(read)
    contact = read.text("contact", required=False, max_length=64, as_given=True)
    id_number = read.text("id_number", required=False, max_length=64, as_given=True)
    read.fail("person served")
    return PersonServed(
        person_id=person_id,  # type: ignore[arg-type]
        station_id=station_id,  # type: ignore[arg-type]
        name=name,  # type: ignore[arg-type]
        region=region,  # type: ignore[arg-type]
        needs=needs or (),
        consent=consent,
        contact=contact,
        id_number=id_number,
    )


def dump_person(person: PersonServed) -> dict[str, Any]:
    """The JSON form of a person served, **unmasked** (for storage; never show it).

    Example:
        >>> from volunteer_rules.testing.community_examples import sample_person
        >>> sorted(dump_person(sample_person()))
        ['consent', 'name', 'needs', 'person_id', 'region_code', 'station_id']
    """
    if not isinstance(person, PersonServed):
        raise InvalidTypeError("person", "must be a PersonServed")
    out: dict[str, Any] = {
        "person_id": person.person_id,
        "station_id": person.station_id,
        "name": person.name,
        "region_code": person.region.code,
        "needs": [],
    }
    for need in person.needs:
        slots = dump_demand(need_demand(person, need))["slots"]
        item: dict[str, Any] = {
            "need_id": need.need_id,
            "service_category": need.service_category,
            "region_code": need.region.code,
            "place": need.place,
            "slots": slots,
            "head_count": need.head_count,
        }
        if need.required_skills:
            item["required_skills"] = sorted(need.required_skills)
        if need.special_conditions:
            item["special_conditions"] = sorted(need.special_conditions)
        out["needs"].append(item)
    if person.consent is not None:
        consent: dict[str, Any] = {
            "given_by": person.consent.given_by,
            "given_on": person.consent.given_on.isoformat(),
            "purposes": sorted(person.consent.purposes),
        }
        if person.consent.withdrawn_on is not None:
            consent["withdrawn_on"] = person.consent.withdrawn_on.isoformat()
        out["consent"] = consent
    if person.contact is not None:
        out["contact"] = person.contact
    if person.id_number is not None:
        out["id_number"] = person.id_number
    return out
