"""The four parts of a volunteer's record beyond service entries, as values.

:class:`VolunteerProfile` (basic information, MCA Order 67 Art. 5), :class:`TrainingRecord`
(Art. 8), :class:`Commendation` (Art. 9) and :class:`EvaluationRecord` (Art. 10), with the
vocabularies they use. :mod:`volunteer_rules.records.profile_payloads` reads and writes their
wire form; :mod:`volunteer_rules.records.profile` gathers both.

Example:
    >>> from datetime import date
    >>> Commendation(name="优秀志愿者", date=date(2024, 12, 5), awarding_body="盘锦市民政局",
    ...              level="city").government_level
    True
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Collection, Mapping
from typing import Any, Final, TypeVar

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import instance_of, one_of, require_date
from volunteer_rules.errors import (
    InvalidTypeError,
    InvalidValueError,
)
from volunteer_rules.hours import Hours
from volunteer_rules.records.identifiers import ResidentId
from volunteer_rules.records.personal import (
    age_on,
    mask_contact,
    mask_document_number,
)
from volunteer_rules.records.region import RegionCode
from volunteer_rules.records.service_record import RATINGS

__all__ = [
    "COMMENDATION_LEVELS",
    "CONSENTS",
    "DOCUMENT_KINDS",
    "GOVERNMENT_LEVELS",
    "PARTS_FORMAT_VERSION",
    "SEXES",
    "TRAINING_CATEGORIES",
    "Commendation",
    "EvaluationRecord",
    "IdDocument",
    "TrainingRecord",
    "VolunteerProfile",
]

PARTS_FORMAT_VERSION: Final = 1
"""The wire-form version of profiles, training records, commendations and evaluation records."""

SEXES: Final = ("male", "female")
"""性别 (MCA2020 Art. 5), as :attr:`volunteer_rules.ResidentId.sex` spells it."""

DOCUMENT_KINDS: Final[Mapping[str, str]] = {
    "resident_id": "居民身份证",
    "passport": "护照",
    "hk_macao_permit": "港澳居民来往内地通行证",
    "taiwan_permit": "台湾居民来往大陆通行证",
    "foreign_permanent_resident": "外国人永久居留身份证",
    "other": "其他证件",
}
"""Kinds of 身份证件 (MCA2020 Art. 5 "身份证件号码"; GUIDE2015: "ID type and number").

Only a ``resident_id`` number is checked (GB 11643, :class:`~volunteer_rules.ResidentId`);
the others are kept as given.
"""

CONSENTS: Final[Mapping[str, str]] = {
    "basic_info_entry": "the organization may enter the basic information "
    "[MCA2020 Art. 6; MCA2012 Art. 6]",
    "data_disclosure": "the record may be disclosed to others [REG2017 Art. 20; MCA2020 Art. 16]",
    "guardian": "a guardian (legal representative) consents to the minor serving "
    "[CYL; provincial rules, docs/sources.md]",
    "guardian_data": "a guardian consents to processing the data of a child under 14 "
    "[PIPL Arts. 28, 31]",
    "record_transfer": "the record may be transferred to another organization or region "
    "[MCA2012 draft, docs/sources.md]",
    "extra_personal_data": "personal data beyond the basic information may be kept [MCA2012 Art. 6]",
}
"""The built-in consent flags a profile may carry, with what each permits and its source.

A profile's ``consents`` may also hold an integrator's own ids (1–64 letters, digits, ``-``,
``_``, ``.``); a consent that is absent was not given.
"""

TRAINING_CATEGORIES: Final[Mapping[str, str]] = {
    "medical_care": "医疗救护",
    "legal_aid": "法律援助",
    "psychological_support": "心理支持",
    "emergency_rescue": "应急救援",
}
"""Built-in training categories; integrators may use their own ids as well."""

COMMENDATION_LEVELS: Final = ("organization", "county", "city", "province", "national")
"""Who awarded a commendation, lowest first: an organization, or a government at a level."""

GOVERNMENT_LEVELS: Final = frozenset({"county", "city", "province", "national"})
"""Levels of 县级以上 (county level and above) awards (MCA2020 Art. 9)."""

_ID_PATTERN: Final = re.compile(r"[A-Za-z0-9._-]{1,64}")
_MAX_STUDY_MINUTES: Final = 366 * 24 * 60
"""A training record's study time is at most a (leap) year of minutes."""

T = TypeVar("T")


# --- attrs validators that raise the library's errors ---------------------------------------


def _non_empty(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, str) and not value.strip():
        raise InvalidValueError(attribute.name, "must not be empty")


def _names(value: object, what: str) -> frozenset[str]:
    """A collection of strings (not a single string) as a frozenset."""
    if isinstance(value, frozenset) and all(isinstance(v, str) for v in value):
        return value
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Collection):
        raise InvalidTypeError(what, f"must be a collection of strings, not {type(value).__name__}")
    items = list(value)
    if not all(isinstance(v, str) for v in items):
        raise InvalidTypeError(what, "must hold strings only")
    return frozenset(items)


def _skills(value: object) -> frozenset[str]:
    return _names(value, "skills")


def _service_categories(value: object) -> frozenset[str]:
    return _names(value, "service_categories")


def _consents(value: object) -> frozenset[str]:
    return _names(value, "consents")


# --- the parts -------------------------------------------------------------------------------


@masked_repr
@attrs.frozen(kw_only=True)
class IdDocument:
    """An identity document (身份证件): its kind and number (MCA2020 Art. 5).

    A ``resident_id`` number is validated as GB 11643 (:class:`~volunteer_rules.ResidentId`)
    and normalised (uppercase ``X``); other kinds are kept as given (trimmed). ``repr`` shows
    the masked number (:func:`mask_document_number`); :attr:`number` is the full one.

    Attributes:
        kind: one of :data:`DOCUMENT_KINDS`.
        number: the document number.

    Raises:
        InvalidValueError: an unknown kind or an empty number.
        InvalidIdentifierError: a ``resident_id`` number that is not valid.

    Example:
        >>> doc = IdDocument(kind="resident_id", number="11010519491231002x")
        >>> doc, doc.number, doc.birth_date
        (IdDocument(kind='resident_id', number='110105***********X'), '11010519491231002X', datetime.date(1949, 12, 31))
        >>> IdDocument(kind="passport", number="E12345678")
        IdDocument(kind='passport', number='E*******8')
    """

    kind: str = attrs.field(validator=one_of(DOCUMENT_KINDS))
    number: str = attrs.field(validator=[instance_of(str), _non_empty], repr=False)
    _resident_id: ResidentId | None = attrs.field(
        init=False, default=None, repr=False, eq=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        number = self.number.strip()
        if len(number) > 64:
            raise InvalidValueError("number", "must be at most 64 characters")
        if self.kind == "resident_id":
            rid = ResidentId.parse(number)
            object.__setattr__(self, "_resident_id", rid)
            number = rid.number
        object.__setattr__(self, "number", number)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # Hypothesis and IPython pretty-print attrs classes field by field, which would
        # bypass the masking repr: print the repr instead.
        printer.text(repr(self))

    def __repr__(self) -> str:
        return f"IdDocument(kind={self.kind!r}, number={self.masked()!r})"

    def masked(self) -> str:
        """The number, masked (:func:`mask_document_number`).

        Example:
            >>> IdDocument(kind="taiwan_permit", number="01234567").masked()
            '0******7'
        """
        return mask_document_number(self.kind, self.number)

    @property
    def resident_id(self) -> ResidentId | None:
        """The resident ID, for a ``resident_id`` document; ``None`` otherwise.

        Example:
            >>> IdDocument(kind="resident_id", number="11010519491231002X").resident_id.sex
            'female'
        """
        return self._resident_id

    @property
    def birth_date(self) -> _dt.date | None:
        """The birth date the number carries (resident IDs only), else ``None``.

        Example:
            >>> print(IdDocument(kind="passport", number="E12345678").birth_date)
            None
        """
        return None if self._resident_id is None else self._resident_id.birth_date


def _check_profile_consistency(profile: VolunteerProfile) -> None:
    rid = profile.id_document.resident_id
    if rid is not None:
        if rid.birth_date != profile.birth_date:
            raise InvalidValueError(
                "birth_date", "does not agree with the birth date in the resident ID number"
            )
        if rid.sex != profile.sex:
            raise InvalidValueError("sex", "does not agree with the resident ID number")
    if profile.registered_on is not None and profile.registered_on < profile.birth_date:
        raise InvalidValueError("registered_on", "is before the birth date")


def _contact_repr(value: str | None) -> str:
    return "None" if value is None else repr(mask_contact(value))


@masked_repr
@attrs.frozen(kw_only=True)
class VolunteerProfile:
    """A volunteer's basic information (个人基本信息, MCA2020 Art. 5; REG2017 Art. 7).

    The constructor checks types and the rules between fields: a resident ID's birth date and
    sex must agree with ``birth_date`` and ``sex``, and ``registered_on`` is not before the
    birth. :func:`parse_profile` checks the wire form's every rule.

    Attributes:
        volunteer_id: the volunteer's unified number (志愿者统一编号, docs/sources.md), never
            an ID-card number or a mobile number.
        name: 姓名.
        sex: ``"male"`` or ``"female"`` (性别).
        birth_date: 出生日期.
        id_document: the identity document (身份证件类型及号码).
        residence_region: 居住区域, a GB/T 2260 region, or ``None``.
        contact: 联系方式 (a phone number or an e-mail address), or ``None``; masked in ``repr``.
        skills: 专业技能, free ids.
        service_categories: 服务类别, category codes (``SERVICE_CATEGORIES`` by default).
        consents: the consents given (:data:`CONSENTS`, or an integrator's own ids).
        self_supporting: lives on their own earnings (以自己的劳动收入为主要生活来源; Civil Code
            Art. 18: from 16 such a person has full capacity).
        registered_on: the day the volunteer registered, or ``None``.

    Example:
        >>> from datetime import date
        >>> profile = VolunteerProfile(
        ...     volunteer_id="V0001", name="王强", sex="male", birth_date=date(1990, 1, 1),
        ...     id_document=IdDocument(kind="passport", number="E12345678"),
        ...     skills={"first_aid"}, consents={"basic_info_entry"},
        ... )
        >>> profile.skills, profile.age_on(date(2024, 1, 1))
        (frozenset({'first_aid'}), 34)
        >>> VolunteerProfile(
        ...     volunteer_id="V0002", name="李娜", sex="male", birth_date=date(1949, 12, 31),
        ...     id_document=IdDocument(kind="resident_id", number="11010519491231002X"))
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.InvalidValueError: sex: does not agree with the resident ID number
    """

    volunteer_id: str = attrs.field(validator=[instance_of(str), _non_empty])
    name: str = attrs.field(validator=[instance_of(str), _non_empty])
    sex: str = attrs.field(validator=one_of(SEXES))
    birth_date: _dt.date = attrs.field(validator=instance_of(_dt.date))
    id_document: IdDocument = attrs.field(validator=instance_of(IdDocument))
    residence_region: RegionCode | None = attrs.field(
        default=None, validator=instance_of(RegionCode, optional=True)
    )
    contact: str | None = attrs.field(
        default=None, validator=[instance_of(str, optional=True), _non_empty], repr=_contact_repr
    )
    skills: frozenset[str] = attrs.field(default=frozenset(), converter=_skills)
    service_categories: frozenset[str] = attrs.field(
        default=frozenset(), converter=_service_categories
    )
    consents: frozenset[str] = attrs.field(default=frozenset(), converter=_consents)
    self_supporting: bool = attrs.field(default=False, validator=instance_of(bool))
    registered_on: _dt.date | None = attrs.field(
        default=None, validator=instance_of(_dt.date, optional=True)
    )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # Hypothesis and IPython pretty-print attrs classes field by field, which would
        # bypass the masking repr: print the repr instead.
        printer.text(repr(self))

    def __attrs_post_init__(self) -> None:
        _check_profile_consistency(self)

    @property
    def masked_contact(self) -> str | None:
        """The contact, masked (:func:`mask_contact`); ``None`` without one.

        Example:
            >>> from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD
            >>> from volunteer_rules.records.profile_payloads import parse_profile
            >>> parse_profile(SAMPLE_PROFILE_PAYLOAD).masked_contact
            '139****5678'
        """
        return None if self.contact is None else mask_contact(self.contact)

    @property
    def resident_id(self) -> ResidentId | None:
        """The resident ID, when the ID document is one.

        Example:
            >>> from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD
            >>> from volunteer_rules.records.profile_payloads import parse_profile
            >>> parse_profile(SAMPLE_PROFILE_PAYLOAD).resident_id
            ResidentId('211103***********6')
        """
        return self.id_document.resident_id

    def age_on(self, day: _dt.date) -> int:
        """Age in whole years on ``day`` (:func:`age_on`, birthday convention).

        Example:
            >>> from datetime import date
            >>> from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD
            >>> from volunteer_rules.records.profile_payloads import parse_profile
            >>> parse_profile(SAMPLE_PROFILE_PAYLOAD).age_on(date(2024, 6, 1))
            34
        """
        return age_on(self.birth_date, day)


@masked_repr
@attrs.frozen(kw_only=True)
class TrainingRecord:
    """One training the volunteer took (培训情况, MCA2020 Art. 8).

    Attributes:
        training_id: unique within the recording organization (an idempotency key).
        volunteer_id: the volunteer's unified number.
        name: 培训名称.
        category: a :data:`TRAINING_CATEGORIES` id or an integrator's own.
        content: 培训内容.
        hours: 学习时长, the study time.
        organizer: 组织单位.
        date: the day of the training (its last day, for a course of several days).
        valid_until: the last day the qualification is valid, or ``None`` (no expiry).

    Example:
        >>> from datetime import date
        >>> from volunteer_rules import Hours
        >>> training = TrainingRecord(
        ...     training_id="t-1", volunteer_id="V0001", name="红十字救护员培训",
        ...     category="medical_care", content="心肺复苏与创伤包扎",
        ...     hours=Hours.from_minutes(960), organizer="盘锦市红十字会",
        ...     date=date(2024, 3, 2), valid_until=date(2027, 3, 1),
        ... )
        >>> training.is_valid_on(date(2027, 3, 1)), training.is_valid_on(date(2027, 3, 2))
        (True, False)
    """

    training_id: str = attrs.field(validator=[instance_of(str), _non_empty])
    volunteer_id: str = attrs.field(validator=[instance_of(str), _non_empty])
    name: str = attrs.field(validator=[instance_of(str), _non_empty])
    category: str = attrs.field(validator=[instance_of(str), _non_empty])
    content: str = attrs.field(validator=[instance_of(str), _non_empty])
    hours: Hours = attrs.field(validator=instance_of(Hours))
    organizer: str = attrs.field(validator=[instance_of(str), _non_empty])
    date: _dt.date = attrs.field(validator=instance_of(_dt.date))
    valid_until: _dt.date | None = attrs.field(
        default=None, validator=instance_of(_dt.date, optional=True)
    )

    def __attrs_post_init__(self) -> None:
        if self.hours.minutes <= 0:
            raise InvalidValueError("hours", "must be positive")
        if self.valid_until is not None and self.valid_until < self.date:
            raise InvalidValueError("valid_until", "is before the training date")

    def is_valid_on(self, day: _dt.date) -> bool:
        """Whether the qualification holds on ``day``.

        Both ends are inclusive: valid from ``date`` (the day of the training) through
        ``valid_until`` (its last valid day); without ``valid_until``, valid from ``date`` on.
        Not valid before the training took place.

        Raises:
            InvalidTypeError: ``day`` is not a ``date``.

        Example:
            >>> from volunteer_rules.testing.profile_examples import SAMPLE_TRAINING_PAYLOAD
            >>> from datetime import date
            >>> from volunteer_rules.records.profile_payloads import parse_training
            >>> training = parse_training(SAMPLE_TRAINING_PAYLOAD)
            >>> training.is_valid_on(date(2024, 3, 1)), training.is_valid_on(date(2024, 3, 2))
            (False, True)
        """
        require_date(day, "day")
        if day < self.date:
            return False
        return self.valid_until is None or day <= self.valid_until


@masked_repr
@attrs.frozen(kw_only=True)
class Commendation:
    """A commendation or award (表彰奖励情况, MCA2020 Art. 9).

    Art. 9: awards from a government at county level or above (:data:`GOVERNMENT_LEVELS`) are
    recorded once their documents are provided; other awards (``organization``) after
    verification. ``documented`` says that this has happened; only then does a commendation
    belong in the record (:attr:`recordable`).

    Attributes:
        name: 表彰奖励名称.
        date: the day it was awarded.
        awarding_body: 授予单位.
        level: one of :data:`COMMENDATION_LEVELS`.
        documented: documents provided (county level and above) or the award verified (others).
        volunteer_id: the volunteer's unified number, when the commendation travels alone.

    Example:
        >>> from datetime import date
        >>> award = Commendation(name="优秀志愿者", date=date(2023, 12, 5),
        ...     awarding_body="盘锦市民政局", level="city", documented=True)
        >>> award.government_level, award.recordable
        (True, True)
    """

    name: str = attrs.field(validator=[instance_of(str), _non_empty])
    date: _dt.date = attrs.field(validator=instance_of(_dt.date))
    awarding_body: str = attrs.field(validator=[instance_of(str), _non_empty])
    level: str = attrs.field(validator=one_of(COMMENDATION_LEVELS))
    documented: bool = attrs.field(default=False, validator=instance_of(bool))
    volunteer_id: str | None = attrs.field(default=None, validator=instance_of(str, optional=True))

    @property
    def government_level(self) -> bool:
        """Whether a government at county level or above gave it (MCA2020 Art. 9).

        Example:
            >>> from datetime import date
            >>> Commendation(name="x", date=date(2024, 1, 1), awarding_body="y",
            ...     level="organization").government_level
            False
        """
        return self.level in GOVERNMENT_LEVELS

    @property
    def recordable(self) -> bool:
        """Whether it may be entered in the record: documented or verified (Art. 9).

        Example:
            >>> from datetime import date
            >>> Commendation(name="x", date=date(2024, 1, 1), awarding_body="y",
            ...     level="county").recordable
            False
        """
        return self.documented


@masked_repr
@attrs.frozen(kw_only=True)
class EvaluationRecord:
    """An evaluation of the volunteer's service (评价情况, MCA2020 Art. 10).

    Attributes:
        rating: one of :data:`~volunteer_rules.RATINGS` (``excellent``, ``good``, ``pass``,
            ``fail``).
        date: the day of the evaluation.
        evaluator: who evaluated (a person or an organization).
        record_id: the service record evaluated, if it is about one.
        comment: free text, or ``None``.
        volunteer_id: the volunteer's unified number, when the evaluation travels alone.

    Example:
        >>> from datetime import date
        >>> EvaluationRecord(rating="excellent", date=date(2024, 5, 3), evaluator="王芳").rating
        'excellent'
    """

    rating: str = attrs.field(validator=one_of(RATINGS))
    date: _dt.date = attrs.field(validator=instance_of(_dt.date))
    evaluator: str = attrs.field(validator=[instance_of(str), _non_empty])
    record_id: str | None = attrs.field(default=None, validator=instance_of(str, optional=True))
    comment: str | None = attrs.field(default=None, validator=instance_of(str, optional=True))
    volunteer_id: str | None = attrs.field(default=None, validator=instance_of(str, optional=True))
