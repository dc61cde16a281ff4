"""A volunteer's basic information with what identifies the person masked, for a transfer.

A transfer package may carry the volunteer's basic information (:class:`VolunteerProfile`, MCA
Order 67 Art. 5) so that the destination holds the whole record. The full profile holds the
ID-document number and the contact. PIPL Art. 6 limits what is collected to what the purpose
needs; Art. 23 asks for the volunteer's separate consent before information goes to another
handler; under Arts. 28 and 29 a child's information, and in practice an identity document
number (see ``docs/transfer.md``), is sensitive and needs separate consent too. For moving a
volunteer's service records the destination needs to know whose records arrive, whether the
volunteer agreed, and the age (a guardian's consent under 14, age-based rule sets); it does not
need the ID number, the contact or the full name.

:class:`MaskedProfile` is that minimum: the unified number, the name's first character, sex,
birth date, the kind of ID document and its masked number (a resident ID keeps its six region
digits and its check character), the region, the masked contact, the consents and whether the
volunteer is self-supporting. Skills and service categories are left out. :func:`mask_profile`
makes one; :func:`dump_masked_profile` and :func:`parse_masked_profile` are its wire form, a
profile payload marked ``"masked": true``. The masked values cannot be unmasked: a masked profile
is not personal data made anonymous (the birth date and the unified number still identify the
volunteer to whoever holds the volunteer's records), only less of it.

Example:
    >>> from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD
    >>> from volunteer_rules.records.profile_payloads import parse_profile
    >>> masked = mask_profile(parse_profile(SAMPLE_PROFILE_PAYLOAD))
    >>> masked.name, masked.id_document_number, masked.contact
    ('赵*', '211103***********6', '139****5678')
    >>> parse_masked_profile(dump_masked_profile(masked)) == masked
    True
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from typing import Any, Final

import attrs

from volunteer_rules._privacy import (
    mask_contact_text,
    mask_name_text,
    mask_personal_data,
    masked_repr,
)
from volunteer_rules._validate import instance_of, one_of
from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.records._wire_reader import MISSING, Reader
from volunteer_rules.records.personal import age_on, mask_document_number
from volunteer_rules.records.profile_parts import (
    DOCUMENT_KINDS,
    PARTS_FORMAT_VERSION,
    SEXES,
    VolunteerProfile,
)
from volunteer_rules.records.region import RegionCode

__all__ = [
    "MASKED_PROFILE_FIELDS",
    "MaskedProfile",
    "dump_masked_profile",
    "mask_profile",
    "parse_masked_profile",
]

MASKED_PROFILE_FIELDS: Final = (
    "format_version",
    "masked",
    "volunteer_id",
    "name",
    "sex",
    "birth_date",
    "id_document",
    "residence_region",
    "contact",
    "consents",
    "self_supporting",
    "registered_on",
)
"""The members of a masked profile's wire form, in the order :func:`dump_masked_profile` writes."""


def _is_masked(text: str) -> bool:
    """Masked text holds a ``*`` and nothing :func:`.mask_personal_data` would mask.

    No whole resident ID number, mobile number or e-mail address.
    """
    return "*" in text and mask_personal_data(text) == text


def _masked_text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None and attribute.name == "contact":
        return
    if not isinstance(value, str) or not value or not _is_masked(value):
        raise InvalidValueError(attribute.name, "must be masked text (with *), never in full")


def _text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value:
        raise InvalidTypeError(attribute.name, "must be a non-empty string")


def _names(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidTypeError("consents", "must be an iterable of ids")
    names = frozenset(value)
    if not all(isinstance(name, str) for name in names):
        raise InvalidTypeError("consents", "must be an iterable of ids")
    return names


@masked_repr
@attrs.frozen(kw_only=True)
class MaskedProfile:
    """A volunteer's basic information with the name, ID number and contact masked.

    Attributes:
        volunteer_id: the volunteer's unified number.
        name: the name's first character, then ``*``.
        sex: ``"male"`` or ``"female"``.
        birth_date: the birth date (for a guardian's consent under 14 and age-based rules).
        id_document_kind: the kind of ID document (:data:`DOCUMENT_KINDS`).
        id_document_number: the number, masked (a resident ID keeps region and check
            character: ``211103***********6``).
        residence_region: the residence region, or ``None``.
        contact: the contact, masked (``139****5678``), or ``None``.
        consents: the consents given.
        self_supporting: lives on their own earnings (Civil Code Art. 18).
        registered_on: the day the volunteer registered, or ``None``.

    Example:
        >>> from datetime import date
        >>> MaskedProfile(volunteer_id="V1", name="王*", sex="male",
        ...               birth_date=date(1990, 1, 1), id_document_kind="passport",
        ...               id_document_number="E*******8").age_on(date(2024, 1, 1))
        34
        >>> MaskedProfile(volunteer_id="V1", name="王强", sex="male",
        ...               birth_date=date(1990, 1, 1), id_document_kind="passport",
        ...               id_document_number="E*******8")
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.InvalidValueError: name: must be masked text (with *), never in full
    """

    volunteer_id: str = attrs.field(validator=_text)
    name: str = attrs.field(validator=_masked_text)
    sex: str = attrs.field(validator=one_of(SEXES))
    birth_date: _dt.date = attrs.field(validator=instance_of(_dt.date))
    id_document_kind: str = attrs.field(validator=one_of(DOCUMENT_KINDS))
    id_document_number: str = attrs.field(validator=_masked_text)
    residence_region: RegionCode | None = attrs.field(
        default=None, validator=instance_of(RegionCode, optional=True)
    )
    contact: str | None = attrs.field(default=None, validator=_masked_text)
    consents: frozenset[str] = attrs.field(default=frozenset(), converter=_names)
    self_supporting: bool = attrs.field(default=False, validator=instance_of(bool))
    registered_on: _dt.date | None = attrs.field(
        default=None, validator=instance_of(_dt.date, optional=True)
    )

    def age_on(self, day: _dt.date) -> int:
        """Age in whole years on ``day`` (birthday convention, as :meth:`VolunteerProfile.age_on`).

        Example:
            >>> from datetime import date
            >>> from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD
            >>> from volunteer_rules.records.profile_payloads import parse_profile
            >>> mask_profile(parse_profile(SAMPLE_PROFILE_PAYLOAD)).age_on(date(2024, 6, 1))
            34
        """
        return age_on(self.birth_date, day)


def mask_profile(profile: VolunteerProfile) -> MaskedProfile:
    """The masked form of a volunteer's basic information (what a transfer needs, no more).

    Raises:
        InvalidTypeError: ``profile`` is not a :class:`VolunteerProfile`.

    Example:
        >>> from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD
        >>> from volunteer_rules.records.profile_payloads import parse_profile
        >>> mask_profile(parse_profile(SAMPLE_PROFILE_PAYLOAD))  # doctest: +ELLIPSIS
        MaskedProfile(volunteer_id='V0000001', name='赵*', sex='female', ...)
    """
    if not isinstance(profile, VolunteerProfile):
        raise InvalidTypeError(
            "profile", f"must be a VolunteerProfile, not {type(profile).__name__}"
        )
    document = profile.id_document
    return MaskedProfile(
        volunteer_id=profile.volunteer_id,
        name=mask_name_text(profile.name),
        sex=profile.sex,
        birth_date=profile.birth_date,
        id_document_kind=document.kind,
        id_document_number=_masked_number(document.kind, document.number),
        residence_region=profile.residence_region,
        contact=None if profile.contact is None else _masked_contact(profile.contact),
        consents=profile.consents,
        self_supporting=profile.self_supporting,
        registered_on=profile.registered_on,
    )


def _masked_contact(contact: str) -> str:
    # A contact keeps a few characters (mask_contact_text); any mobile number or e-mail address
    # still whole among them (a contact of several, say) is masked as free text is.
    return mask_personal_data(mask_contact_text(contact))


def _masked_number(kind: str, number: str) -> str:
    masked = mask_document_number(kind, number)
    # A number shorter than six characters is all stars; keep one star at least.
    return masked if "*" in masked else "*" * max(1, len(number))


def dump_masked_profile(masked: MaskedProfile) -> dict[str, Any]:
    """The wire form of a masked profile: a profile payload marked ``"masked": true``.

    Example:
        >>> from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD
        >>> from volunteer_rules.records.profile_payloads import parse_profile
        >>> wire = dump_masked_profile(mask_profile(parse_profile(SAMPLE_PROFILE_PAYLOAD)))
        >>> wire["masked"], wire["id_document"], "skills" in wire
        (True, {'kind': 'resident_id', 'number': '211103***********6'}, False)
    """
    if not isinstance(masked, MaskedProfile):
        raise InvalidTypeError("profile", f"must be a MaskedProfile, not {type(masked).__name__}")
    out: dict[str, Any] = {
        "format_version": PARTS_FORMAT_VERSION,
        "masked": True,
        "volunteer_id": masked.volunteer_id,
        "name": masked.name,
        "sex": masked.sex,
        "birth_date": masked.birth_date.isoformat(),
        "id_document": {"kind": masked.id_document_kind, "number": masked.id_document_number},
    }
    if masked.residence_region is not None:
        out["residence_region"] = masked.residence_region.code
    if masked.contact is not None:
        out["contact"] = masked.contact
    out["consents"] = sorted(masked.consents)
    out["self_supporting"] = masked.self_supporting
    if masked.registered_on is not None:
        out["registered_on"] = masked.registered_on.isoformat()
    return out


def parse_masked_profile(payload: Mapping[str, Any]) -> MaskedProfile:
    """Read a masked profile's wire form (:func:`dump_masked_profile`).

    The rules are the profile's (:func:`~volunteer_rules.parse_profile`) for the members it
    has, and: ``masked`` is ``true``; the name, the document number and the contact are masked
    (hold a ``*`` and no whole ID number, mobile number or e-mail address), else
    ``invalid_format``.

    Raises:
        RecordFormatError: with ``what="masked profile"`` and every problem found.

    Example:
        >>> from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD
        >>> try:
        ...     parse_masked_profile({**SAMPLE_PROFILE_PAYLOAD, "masked": True})
        ... except Exception as error:
        ...     print(sorted((e.path, e.code) for e in error.errors))
        [('$.contact', 'invalid_format'), ('$.id_document.number', 'invalid_format'), ('$.name', 'invalid_format'), ('$.service_categories', 'unknown_field'), ('$.skills', 'unknown_field')]
    """
    read = Reader(payload, MASKED_PROFILE_FIELDS, "a masked profile")
    if read.errors and not read.data:
        read.fail("masked profile")
    read.version()
    if read.data.get("masked", MISSING) is not True:
        read.add("$.masked", "invalid_format", "masked must be true in a masked profile")
    volunteer_id = read.ident("volunteer_id")
    name = _masked(read, "name", read.text("name", max_length=100))
    sex = read.choice("sex", SEXES)
    birth_date = read.date("birth_date")
    kind, number = _read_document(read)
    region = read.region("residence_region", required=False)
    contact = _masked(read, "contact", read.text("contact", required=False, max_length=100))
    consents = read.names("consents")
    self_supporting = read.boolean("self_supporting", default=False)
    registered_on = read.date("registered_on", required=False)
    if registered_on is not None and birth_date is not None and registered_on < birth_date:
        read.add("$.registered_on", "inconsistent", "registered_on is before birth_date")
    read.fail("masked profile")
    assert volunteer_id and name and sex and birth_date and kind and number
    return MaskedProfile(
        volunteer_id=volunteer_id,
        name=name,
        sex=sex,
        birth_date=birth_date,
        id_document_kind=kind,
        id_document_number=number,
        residence_region=region,
        contact=contact,
        consents=consents or frozenset(),
        self_supporting=bool(self_supporting),
        registered_on=registered_on,
    )


def _masked(read: Reader, key: str, value: str | None, path: str | None = None) -> str | None:
    if value is not None and not _is_masked(value):
        read.add(
            path or read.path(key),
            "invalid_format",
            f"{key} must be masked in a masked profile (with *, never in full)",
        )
        return None
    return value


def _read_document(read: Reader) -> tuple[str | None, str | None]:
    value = read.data.get("id_document", MISSING)
    if value is MISSING:
        read.add("$.id_document", "missing", "id_document is required")
        return None, None
    sub = Reader(value, ("kind", "number"), "an ID document", "$.id_document")
    if not isinstance(value, Mapping):
        read.errors.extend(sub.errors)
        return None, None
    kind = sub.choice("kind", DOCUMENT_KINDS)
    number = _masked(sub, "number", sub.text("number", max_length=64))
    read.errors.extend(sub.errors)
    return kind, number
