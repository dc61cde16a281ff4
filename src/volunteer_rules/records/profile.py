"""The volunteer's record beyond service entries: basic information, training, commendations, evaluations.

MCA Order 67 (志愿服务记录与证明出具办法（试行）, 2020) [MCA2020] Art. 4 divides a volunteer's
record into five parts: basic information, service, training, commendations and evaluations
(State Council 志愿服务条例 [REG2017] Art. 19 lists the same five). Service entries are
:class:`~volunteer_rules.ServiceRecord`; this module holds the other four:

- :class:`VolunteerProfile`: the basic information of Art. 5 (name, sex, birth date, ID
  document, residence area, contact, skills, service categories) plus the consents the rules
  ask for (:data:`CONSENTS`);
- :class:`TrainingRecord`: Art. 8 (name, content, 学习时长 study time, organizer, date), with a
  category and an optional validity period;
- :class:`Commendation`: Art. 9 (name, date, awarding body);
- :class:`EvaluationRecord`: Art. 10 (a quality rating and a date).

Each has a wire form (a JSON object, ``format_version`` 1) read by a ``parse_…`` function and
written by a ``dump_…`` function, with the error model of the record format: one
:class:`~volunteer_rules.RecordFormatError` listing every problem with its path and code.
``dump_x(parse_x(p)) == p`` for every canonical payload ``p`` (booleans and lists always
written, lists sorted and without repeats; absent optional values omitted, never ``null``).

Privacy: the ``repr`` of anything holding an ID-document number or a contact masks them
(:func:`mask_document_number`, :func:`mask_contact`), and no error message contains either.

Example:
    >>> from datetime import date
    >>> from volunteer_rules import IdDocument, VolunteerProfile, age_on
    >>> profile = VolunteerProfile(
    ...     volunteer_id="V0001", name="李娜", sex="female", birth_date=date(1949, 12, 31),
    ...     id_document=IdDocument(kind="resident_id", number="11010519491231002X"),
    ...     contact="13800138000",
    ... )
    >>> profile.id_document, profile.masked_contact
    (IdDocument(kind='resident_id', number='110105***********X'), '138****8000')
    >>> age_on(profile.birth_date, date(2024, 12, 30)), age_on(profile.birth_date, date(2024, 12, 31))
    (74, 75)
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Collection, Mapping
from typing import Any, Final, Literal, TypeVar

import attrs

from volunteer_rules.errors import (
    FieldError,
    InvalidIdentifierError,
    InvalidTypeError,
    InvalidValueError,
    RecordFormatError,
)
from volunteer_rules.hours import Hours
from volunteer_rules.records.identifiers import ResidentId
from volunteer_rules.records.record import RATINGS, SERVICE_CATEGORIES
from volunteer_rules.records.region import RegionCode

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
    "age_on",
    "dump_commendation",
    "dump_evaluation_record",
    "dump_profile",
    "dump_training",
    "mask_contact",
    "mask_document_number",
    "parse_commendation",
    "parse_evaluation_record",
    "parse_profile",
    "parse_training",
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
_DATE_PATTERN: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_MAX_STUDY_MINUTES: Final = 366 * 24 * 60
"""A training record's study time is at most a (leap) year of minutes."""

T = TypeVar("T")


# --- small values --------------------------------------------------------------------------


def mask_document_number(kind: str, number: str) -> str:
    """An ID-document number with everything that identifies the holder replaced by ``*``.

    A resident ID keeps its six region digits and its check character
    (:meth:`ResidentId.masked`); any other number keeps its first and last character when it
    has at least six, and is all stars otherwise. The length is kept.

    Example:
        >>> mask_document_number("resident_id", "11010519491231002X")
        '110105***********X'
        >>> mask_document_number("passport", "E12345678"), mask_document_number("other", "12345")
        ('E*******8', '*****')
    """
    if not isinstance(kind, str) or not isinstance(number, str):
        raise InvalidTypeError("number", "kind and number must be strings")
    if kind == "resident_id" and len(number) == 18:
        return number[:6] + "*" * 11 + number[17]
    if len(number) >= 6:
        return number[0] + "*" * (len(number) - 2) + number[-1]
    return "*" * len(number)


def mask_contact(contact: str) -> str:
    """A contact (phone number or e-mail address) with most of it replaced by ``*``.

    Rules, which never leave more than half of the characters visible:

    - an e-mail address (``local@domain``) keeps the first character of the local part and
      the domain: ``z***@example.org``;
    - anything else of 11 characters or more keeps the first 3 and the last 4, the usual
      masking of a mainland mobile number (``138****8000``);
    - 7 to 10 characters keep the first 2 and the last 2;
    - shorter contacts are all stars.

    Example:
        >>> mask_contact("13800138000"), mask_contact("zhang.san@example.org")
        ('138****8000', 'z***@example.org')
        >>> mask_contact("0427-2812345"), mask_contact("12345")
        ('042*****2345', '*****')
    """
    if not isinstance(contact, str):
        raise InvalidTypeError("contact", f"must be a string, not {type(contact).__name__}")
    local, at, domain = contact.rpartition("@")
    if at and local and domain:
        return local[0] + "***@" + domain
    n = len(contact)
    if n >= 11:
        return contact[:3] + "*" * (n - 7) + contact[-4:]
    if n >= 7:
        return contact[:2] + "*" * (n - 4) + contact[-2:]
    return "*" * n


def age_on(
    birth_date: _dt.date,
    day: _dt.date,
    *,
    convention: Literal["birthday", "day_after_birthday"] = "birthday",
) -> int:
    """Age in whole years (周岁) on ``day`` of a person born on ``birth_date``.

    Rule (the default, ``convention="birthday"``): a person turns ``n`` on their ``n``-th
    birthday, so the day before it they are ``n - 1``. Someone born on 29 February turns
    ``n`` on 29 February in a leap year and on **1 March** in a common year: the year has
    no 29 February, and the person has not completed ``n`` years on 28 February. This is the
    everyday count that the registration rules (CYL, provincial rules; docs/sources.md,
    §4, §9) speak in, and the one the library's rule sets use.

    ``convention="day_after_birthday"`` counts as the Supreme People's Court does for
    criminal responsibility (法释〔2006〕1号 Art. 2: 周岁 "从周岁生日的第二天起算", from the
    day after the birthday), consistent with the Civil Code's period rules (Arts. 201–202: a
    period starts the next day and ends on the corresponding day, or the month's last day if
    there is none). A person then turns ``n`` the day after their ``n``-th birthday; someone
    born on 29 February turns ``n`` on 1 March in every year. Choose it where a rule says so.

    Args:
        birth_date: the birth date (a ``date``, not a ``datetime``).
        day: the day the age is counted on; not before ``birth_date``.
        convention: ``"birthday"`` (default) or ``"day_after_birthday"``.

    Returns:
        The age in completed years.

    Raises:
        InvalidTypeError: a ``datetime`` or a non-date.
        InvalidValueError: ``day`` before ``birth_date``, or an unknown convention.

    Example:
        >>> from datetime import date
        >>> age_on(date(2006, 5, 1), date(2024, 4, 30)), age_on(date(2006, 5, 1), date(2024, 5, 1))
        (17, 18)
        >>> leapling = date(2008, 2, 29)
        >>> age_on(leapling, date(2026, 2, 28)), age_on(leapling, date(2026, 3, 1))
        (17, 18)
        >>> age_on(leapling, date(2024, 2, 29)), age_on(leapling, date(2024, 2, 29), convention="day_after_birthday")
        (16, 15)
    """
    _require_date(birth_date, "birth_date")
    _require_date(day, "day")
    if day < birth_date:
        raise InvalidValueError("day", "is before the birth date")
    years = day.year - birth_date.year
    if convention == "birthday":
        if (day.month, day.day) < (birth_date.month, birth_date.day):
            years -= 1
        return years
    if convention == "day_after_birthday":
        if day <= _corresponding_day(birth_date, day.year):
            years -= 1
        return years
    raise InvalidValueError("convention", "must be 'birthday' or 'day_after_birthday'")


def _corresponding_day(birth_date: _dt.date, year: int) -> _dt.date:
    try:
        return birth_date.replace(year=year)
    except ValueError:  # 29 February in a common year: the month's last day (Civil Code Art. 202)
        return _dt.date(year, 2, 28)


def _require_date(value: object, what: str) -> _dt.date:
    if isinstance(value, _dt.datetime) or not isinstance(value, _dt.date):
        raise InvalidTypeError(what, f"must be a date, not {type(value).__name__}")
    return value


# --- attrs validators that raise the library's errors ---------------------------------------


def _of(
    kind: type | tuple[type, ...], *, optional: bool = False
) -> Callable[[Any, Any, Any], None]:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None and optional:
            return
        if isinstance(value, bool) and kind is not bool and bool not in _as_tuple(kind):
            raise InvalidTypeError(attribute.name, "must not be a bool")
        if (
            _dt.date in _as_tuple(kind)
            and isinstance(value, _dt.datetime)
            and _dt.datetime not in _as_tuple(kind)
        ):
            raise InvalidTypeError(attribute.name, "must be a date, not a datetime")
        if not isinstance(value, kind):
            raise InvalidTypeError(
                attribute.name, f"must be {_type_names(kind)}, not {type(value).__name__}"
            )

    return check


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _type_names(kind: type | tuple[type, ...]) -> str:
    return " or ".join(k.__name__ for k in _as_tuple(kind))


def _one_of(choices: Collection[str]) -> Callable[[Any, Any, Any], None]:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str) or value not in choices:
            raise InvalidValueError(attribute.name, f"must be one of {', '.join(choices)}")

    return check


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

    kind: str = attrs.field(validator=_one_of(DOCUMENT_KINDS))
    number: str = attrs.field(validator=[_of(str), _non_empty], repr=False)
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


@attrs.frozen(kw_only=True)
class VolunteerProfile:
    """A volunteer's basic information (个人基本信息, MCA2020 Art. 5; REG2017 Art. 7).

    The constructor checks types and the rules between fields: a resident ID's birth date and
    sex must agree with ``birth_date`` and ``sex``, and ``registered_on`` is not before the
    birth. :func:`parse_profile` checks the wire form's every rule.

    Attributes:
        volunteer_id: the volunteer's unified number (志愿者统一编号, docs/sources.md), never
            an ID-card number.
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

    volunteer_id: str = attrs.field(validator=[_of(str), _non_empty])
    name: str = attrs.field(validator=[_of(str), _non_empty])
    sex: str = attrs.field(validator=_one_of(SEXES))
    birth_date: _dt.date = attrs.field(validator=_of(_dt.date))
    id_document: IdDocument = attrs.field(validator=_of(IdDocument))
    residence_region: RegionCode | None = attrs.field(
        default=None, validator=_of(RegionCode, optional=True)
    )
    contact: str | None = attrs.field(
        default=None, validator=[_of(str, optional=True), _non_empty], repr=_contact_repr
    )
    skills: frozenset[str] = attrs.field(default=frozenset(), converter=_skills)
    service_categories: frozenset[str] = attrs.field(
        default=frozenset(), converter=_service_categories
    )
    consents: frozenset[str] = attrs.field(default=frozenset(), converter=_consents)
    self_supporting: bool = attrs.field(default=False, validator=_of(bool))
    registered_on: _dt.date | None = attrs.field(
        default=None, validator=_of(_dt.date, optional=True)
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
            >>> parse_profile(SAMPLE_PROFILE_PAYLOAD).masked_contact
            '139****5678'
        """
        return None if self.contact is None else mask_contact(self.contact)

    @property
    def resident_id(self) -> ResidentId | None:
        """The resident ID, when the ID document is one.

        Example:
            >>> from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD
            >>> parse_profile(SAMPLE_PROFILE_PAYLOAD).resident_id
            ResidentId('211103***********6')
        """
        return self.id_document.resident_id

    def age_on(self, day: _dt.date) -> int:
        """Age in whole years on ``day`` (:func:`age_on`, birthday convention).

        Example:
            >>> from datetime import date
            >>> from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD
            >>> parse_profile(SAMPLE_PROFILE_PAYLOAD).age_on(date(2024, 6, 1))
            34
        """
        return age_on(self.birth_date, day)


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

    training_id: str = attrs.field(validator=[_of(str), _non_empty])
    volunteer_id: str = attrs.field(validator=[_of(str), _non_empty])
    name: str = attrs.field(validator=[_of(str), _non_empty])
    category: str = attrs.field(validator=[_of(str), _non_empty])
    content: str = attrs.field(validator=[_of(str), _non_empty])
    hours: Hours = attrs.field(validator=_of(Hours))
    organizer: str = attrs.field(validator=[_of(str), _non_empty])
    date: _dt.date = attrs.field(validator=_of(_dt.date))
    valid_until: _dt.date | None = attrs.field(default=None, validator=_of(_dt.date, optional=True))

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
            >>> training = parse_training(SAMPLE_TRAINING_PAYLOAD)
            >>> training.is_valid_on(date(2024, 3, 1)), training.is_valid_on(date(2024, 3, 2))
            (False, True)
        """
        _require_date(day, "day")
        if day < self.date:
            return False
        return self.valid_until is None or day <= self.valid_until


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

    name: str = attrs.field(validator=[_of(str), _non_empty])
    date: _dt.date = attrs.field(validator=_of(_dt.date))
    awarding_body: str = attrs.field(validator=[_of(str), _non_empty])
    level: str = attrs.field(validator=_one_of(COMMENDATION_LEVELS))
    documented: bool = attrs.field(default=False, validator=_of(bool))
    volunteer_id: str | None = attrs.field(default=None, validator=_of(str, optional=True))

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

    rating: str = attrs.field(validator=_one_of(RATINGS))
    date: _dt.date = attrs.field(validator=_of(_dt.date))
    evaluator: str = attrs.field(validator=[_of(str), _non_empty])
    record_id: str | None = attrs.field(default=None, validator=_of(str, optional=True))
    comment: str | None = attrs.field(default=None, validator=_of(str, optional=True))
    volunteer_id: str | None = attrs.field(default=None, validator=_of(str, optional=True))


# --- reading payloads ------------------------------------------------------------------------


class _Reader:
    """Collects every problem of one payload, field by field."""

    def __init__(self, payload: object, allowed: Collection[str], prefix: str = "$") -> None:
        self.errors: list[FieldError] = []
        self.prefix = prefix
        self.data: Mapping[Any, Any] = {}
        if not isinstance(payload, Mapping):
            self.add(prefix, "invalid_type", f"must be a JSON object, not {_json_type(payload)}")
            return
        self.data = payload
        for key in payload:
            if key not in allowed:
                self.errors.append(
                    FieldError(
                        _key_path(prefix, key),
                        "unknown_field",
                        "is not a field of this format (check the spelling)",
                    )
                )

    def path(self, key: str) -> str:
        return f"{self.prefix}.{key}"

    def add(self, path: str, code: str, message: str) -> None:
        self.errors.append(FieldError(path, code, message))

    def version(self) -> None:
        value = self.data.get("format_version", _MISSING)
        if value is _MISSING:
            if self.data or not self.errors:
                self.add(self.path("format_version"), "missing", "format_version is required")
            return
        if type(value) is not int:
            self.add(self.path("format_version"), "invalid_type", "must be an integer")
        elif value != PARTS_FORMAT_VERSION:
            self.add(
                self.path("format_version"),
                "unsupported_version",
                f"version {value} is not supported; this library reads version "
                f"{PARTS_FORMAT_VERSION}",
            )

    def _raw(self, key: str, required: bool) -> object:
        value = self.data.get(key, _MISSING)
        if value is None:
            if required:
                self.add(self.path(key), "invalid_type", f"{key} must not be null")
            else:
                self.add(self.path(key), "invalid_type", f"{key} must be omitted rather than null")
            return _MISSING
        if value is _MISSING and required:
            self.add(self.path(key), "missing", f"{key} is required")
        return value

    def text(self, key: str, *, required: bool = True, max_length: int = 200) -> str | None:
        value = self._raw(key, required)
        if value is _MISSING:
            return None
        if not isinstance(value, str):
            self.add(self.path(key), "invalid_type", f"{key} must be a string")
            return None
        value = value.strip()
        if not value:
            self.add(self.path(key), "missing", f"{key} must not be empty")
            return None
        if len(value) > max_length:
            self.add(
                self.path(key), "out_of_range", f"{key} must be at most {max_length} characters"
            )
            return None
        return value

    def ident(self, key: str, *, required: bool = True) -> str | None:
        value = self._raw(key, required)
        if value is _MISSING:
            return None
        if not isinstance(value, str):
            self.add(self.path(key), "invalid_type", f"{key} must be a string")
            return None
        if not _ID_PATTERN.fullmatch(value):
            self.add(
                self.path(key),
                "invalid_format",
                f"{key} must be 1-64 letters, digits, '-', '_' or '.'",
            )
            return None
        return value

    def choice(self, key: str, choices: Collection[str], *, required: bool = True) -> str | None:
        value = self._raw(key, required)
        if value is _MISSING:
            return None
        if not isinstance(value, str):
            self.add(self.path(key), "invalid_type", f"{key} must be a string")
            return None
        if value not in choices:
            self.add(self.path(key), "unknown_code", f"{key} must be one of {', '.join(choices)}")
            return None
        return value

    def date(self, key: str, *, required: bool = True) -> _dt.date | None:
        value = self._raw(key, required)
        if value is _MISSING:
            return None
        if not isinstance(value, str):
            self.add(self.path(key), "invalid_type", f"{key} must be a string (an ISO date)")
            return None
        if _DATE_PATTERN.fullmatch(value):
            try:
                return _dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.add(self.path(key), "invalid_format", f"{key} must be an ISO date such as 2024-05-01")
        return None

    def boolean(self, key: str, *, default: bool | None = None) -> bool | None:
        value = self._raw(key, default is None)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self.add(self.path(key), "invalid_type", f"{key} must be true or false")
            return None
        return value

    def integer(self, key: str, low: int, high: int) -> int | None:
        value = self._raw(key, True)
        if value is _MISSING:
            return None
        if type(value) is not int:
            self.add(self.path(key), "invalid_type", f"{key} must be an integer")
            return None
        if not low <= value <= high:
            self.add(self.path(key), "out_of_range", f"{key} must be from {low} to {high}")
            return None
        return value

    def names(
        self, key: str, *, vocabulary: Collection[str] | None = None
    ) -> frozenset[str] | None:
        value = self._raw(key, False)
        if value is _MISSING:
            return frozenset()
        if not isinstance(value, list):
            self.add(self.path(key), "invalid_type", f"{key} must be a list of strings")
            return None
        good: set[str] = set()
        ok = True
        for index, item in enumerate(value):
            path = f"{self.path(key)}[{index}]"
            if not isinstance(item, str):
                self.add(path, "invalid_type", "must be a string")
                ok = False
            elif not _ID_PATTERN.fullmatch(item):
                self.add(path, "invalid_format", "must be 1-64 letters, digits, '-', '_' or '.'")
                ok = False
            elif vocabulary is not None and item not in vocabulary:
                self.add(path, "unknown_code", f"{_mask_numbers(item)} is not a known code")
                ok = False
            else:
                good.add(item)
        return frozenset(good) if ok else None

    def fail(self, what: str) -> None:
        if self.errors:
            raise RecordFormatError(self.errors, what=what)


_MISSING: Final[Any] = object()


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "an array"
    return type(value).__name__


_PLAIN_KEY: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*", re.ASCII)
_LONG_NUMBER: Final = re.compile(r"[0-9]{14,}[0-9Xx]")


def _mask_numbers(text: str) -> str:
    """Mask every run of digits long enough to be an ID number (a key may be one)."""
    return _LONG_NUMBER.sub(lambda m: mask_document_number("resident_id", m.group()), text)


def _key_path(prefix: str, key: object) -> str:
    """``$.name``, ``$["odd name"]`` or ``$[1]``, as the record format writes paths."""
    if isinstance(key, str):
        if _PLAIN_KEY.fullmatch(key):
            return f"{prefix}.{key}"
        shown = _mask_numbers(key if len(key) <= 40 else key[:40] + "…")
        escaped = shown.replace("\\", "\\\\").replace('"', '\\"')
        return f'{prefix}["{escaped}"]'
    return f"{prefix}[{_mask_numbers(repr(key)[:40])}]"


_PROFILE_FIELDS: Final = frozenset(
    {
        "format_version",
        "volunteer_id",
        "name",
        "sex",
        "birth_date",
        "id_document",
        "residence_region",
        "contact",
        "skills",
        "service_categories",
        "consents",
        "self_supporting",
        "registered_on",
    }
)
_DOCUMENT_FIELDS: Final = frozenset({"kind", "number"})

_IDENTIFIER_CODES: Final = {
    "length": "invalid_format",
    "invalid_format": "invalid_format",
    "checksum": "checksum",
    "invalid_date": "invalid_format",
    "unknown_region": "unknown_code",
}


def _read_document(read: _Reader) -> IdDocument | None:
    value = read.data.get("id_document", _MISSING)
    if value is _MISSING:
        read.add("$.id_document", "missing", "id_document is required")
        return None
    sub = _Reader(value, _DOCUMENT_FIELDS, "$.id_document")
    if not isinstance(value, Mapping):
        read.errors.extend(sub.errors)
        return None
    kind = sub.choice("kind", DOCUMENT_KINDS)
    number = sub.text("number", max_length=64)
    read.errors.extend(sub.errors)
    if kind is None or number is None or sub.errors:
        return None
    try:
        return IdDocument(kind=kind, number=number)
    except InvalidIdentifierError as error:
        read.add(
            "$.id_document.number",
            _IDENTIFIER_CODES.get(error.code, "invalid_format"),
            f"not a valid resident ID number: {str(error).split(': ', 1)[-1]}",
        )
    return None


def parse_profile(
    payload: Mapping[str, Any], *, categories: Collection[str] = SERVICE_CATEGORIES
) -> VolunteerProfile:
    """Read a volunteer's basic information from its wire form.

    Fields (a JSON object; no other field is allowed):

    ================== ======== ===============================================================
    field              required rule
    ================== ======== ===============================================================
    format_version     yes      ``1``
    volunteer_id       yes      1–64 letters, digits, ``-``, ``_``, ``.``
    name               yes      1–100 characters after trimming
    sex                yes      ``male`` or ``female``; agrees with a resident ID
    birth_date         yes      ISO date; agrees with a resident ID
    id_document        yes      ``{"kind": …, "number": …}``; kind from :data:`DOCUMENT_KINDS`,
                                number 1–64 characters; a resident ID is checked (GB 11643)
    residence_region   no       a known 6-digit GB/T 2260 code
    contact            no       1–100 characters (phone number or e-mail)
    skills             no       list of ids (default empty)
    service_categories no       list of codes from ``categories`` (default empty)
    consents           no       list of ids, :data:`CONSENTS` or an integrator's (default empty)
    self_supporting    no       boolean (default ``false``)
    registered_on      no       ISO date, not before ``birth_date``
    ================== ======== ===============================================================

    Args:
        payload: the JSON object (a mapping).
        categories: the service-category codes accepted (the built-in vocabulary by default;
            pass a larger collection to admit an integrator's own).

    Returns:
        The profile.

    Raises:
        RecordFormatError: with ``what="profile"`` and every problem found. Messages never
            contain the ID number or the contact.

    Example:
        >>> from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD
        >>> profile = parse_profile(SAMPLE_PROFILE_PAYLOAD)
        >>> profile.name, profile.sex, profile.residence_region.name
        ('赵敏', 'female', '兴隆台区')
        >>> parse_profile({**SAMPLE_PROFILE_PAYLOAD, "birth_date": "1990-01-02", "nick": "x"})
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.RecordFormatError: invalid profile: $.nick: unknown_field: is not a field of this format (check the spelling); $.birth_date: inconsistent: birth_date does not agree with the birth date in the resident ID number
    """
    if isinstance(categories, (str, bytes)) or not isinstance(categories, Collection):
        raise InvalidTypeError("categories", "must be a collection of category codes")
    read = _Reader(payload, _PROFILE_FIELDS)
    if read.errors and not read.data:
        read.fail("profile")
    read.version()
    volunteer_id = read.ident("volunteer_id")
    name = read.text("name", max_length=100)
    sex = read.choice("sex", SEXES)
    birth_date = read.date("birth_date")
    document = _read_document(read)
    region_text = read.ident("residence_region", required=False)
    region: RegionCode | None = None
    if region_text is not None:
        try:
            region = RegionCode.parse(region_text)
        except InvalidIdentifierError as error:
            code = "unknown_code" if error.code == "unknown_region" else "invalid_format"
            read.add("$.residence_region", code, "must be a known 6-digit GB/T 2260 code")
    contact = read.text("contact", required=False, max_length=100)
    skills = read.names("skills")
    service_categories = read.names("service_categories", vocabulary=categories)
    consents = read.names("consents")
    self_supporting = read.boolean("self_supporting", default=False)
    registered_on = read.date("registered_on", required=False)
    rid = document.resident_id if document is not None else None
    if rid is not None and birth_date is not None and rid.birth_date != birth_date:
        read.add(
            "$.birth_date",
            "inconsistent",
            "birth_date does not agree with the birth date in the resident ID number",
        )
    if rid is not None and sex is not None and rid.sex != sex:
        read.add("$.sex", "inconsistent", "sex does not agree with the resident ID number")
    if registered_on is not None and birth_date is not None and registered_on < birth_date:
        read.add("$.registered_on", "inconsistent", "registered_on is before birth_date")
    read.fail("profile")
    return VolunteerProfile(
        volunteer_id=_known(volunteer_id),
        name=_known(name),
        sex=_known(sex),
        birth_date=_known(birth_date),
        id_document=_known(document),
        residence_region=region,
        contact=contact,
        skills=_known(skills),
        service_categories=_known(service_categories),
        consents=_known(consents),
        self_supporting=_known(self_supporting),
        registered_on=registered_on,
    )


def _known(value: T | None) -> T:
    # Only called after read.fail(): every required value was read without error.
    assert value is not None
    return value


def dump_profile(profile: VolunteerProfile) -> dict[str, Any]:
    """The canonical wire form of a profile (see :func:`parse_profile`).

    Lists are sorted; ``self_supporting`` and the lists are always written; absent optional
    values are omitted.

    Raises:
        InvalidTypeError: ``profile`` is not a :class:`VolunteerProfile`.

    Example:
        >>> from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD
        >>> dump_profile(parse_profile(SAMPLE_PROFILE_PAYLOAD)) == SAMPLE_PROFILE_PAYLOAD
        True
    """
    if not isinstance(profile, VolunteerProfile):
        raise InvalidTypeError(
            "profile", f"must be a VolunteerProfile, not {type(profile).__name__}"
        )
    out: dict[str, Any] = {
        "format_version": PARTS_FORMAT_VERSION,
        "volunteer_id": profile.volunteer_id,
        "name": profile.name,
        "sex": profile.sex,
        "birth_date": profile.birth_date.isoformat(),
        "id_document": {"kind": profile.id_document.kind, "number": profile.id_document.number},
    }
    if profile.residence_region is not None:
        out["residence_region"] = profile.residence_region.code
    if profile.contact is not None:
        out["contact"] = profile.contact
    out["skills"] = sorted(profile.skills)
    out["service_categories"] = sorted(profile.service_categories)
    out["consents"] = sorted(profile.consents)
    out["self_supporting"] = profile.self_supporting
    if profile.registered_on is not None:
        out["registered_on"] = profile.registered_on.isoformat()
    return out


_TRAINING_FIELDS: Final = frozenset(
    {
        "format_version",
        "training_id",
        "volunteer_id",
        "name",
        "category",
        "content",
        "study_minutes",
        "organizer",
        "date",
        "valid_until",
    }
)


def parse_training(payload: Mapping[str, Any]) -> TrainingRecord:
    """Read a training record from its wire form.

    Fields: ``format_version`` (``1``), ``training_id``, ``volunteer_id`` (ids: 1–64 letters,
    digits, ``-``, ``_``, ``.``), ``name`` (1–200 characters), ``category`` (an id: a
    :data:`TRAINING_CATEGORIES` key or an integrator's own), ``content`` (1–2000),
    ``study_minutes`` (学习时长, whole minutes, 1 to 527040, a leap year), ``organizer``
    (1–200), ``date`` (ISO date), optional ``valid_until`` (ISO date, not before ``date``).

    Raises:
        RecordFormatError: with ``what="training record"`` and every problem found.

    Example:
        >>> from volunteer_rules.testing.profile_examples import SAMPLE_TRAINING_PAYLOAD
        >>> training = parse_training(SAMPLE_TRAINING_PAYLOAD)
        >>> training.category, training.hours, training.valid_until
        ('medical_care', Hours(minutes=960), datetime.date(2027, 3, 1))
    """
    read = _Reader(payload, _TRAINING_FIELDS)
    if read.errors and not read.data:
        read.fail("training record")
    read.version()
    training_id = read.ident("training_id")
    volunteer_id = read.ident("volunteer_id")
    name = read.text("name")
    category = read.ident("category")
    content = read.text("content", max_length=2000)
    minutes = read.integer("study_minutes", 1, _MAX_STUDY_MINUTES)
    organizer = read.text("organizer")
    day = read.date("date")
    valid_until = read.date("valid_until", required=False)
    if valid_until is not None and day is not None and valid_until < day:
        read.add("$.valid_until", "inconsistent", "valid_until is before the training date")
    read.fail("training record")
    return TrainingRecord(
        training_id=_known(training_id),
        volunteer_id=_known(volunteer_id),
        name=_known(name),
        category=_known(category),
        content=_known(content),
        hours=Hours.from_minutes(_known(minutes)),
        organizer=_known(organizer),
        date=_known(day),
        valid_until=valid_until,
    )


def dump_training(training: TrainingRecord) -> dict[str, Any]:
    """The canonical wire form of a training record (see :func:`parse_training`).

    Raises:
        InvalidTypeError: ``training`` is not a :class:`TrainingRecord`.

    Example:
        >>> from volunteer_rules.testing.profile_examples import SAMPLE_TRAINING_PAYLOAD
        >>> dump_training(parse_training(SAMPLE_TRAINING_PAYLOAD)) == SAMPLE_TRAINING_PAYLOAD
        True
    """
    if not isinstance(training, TrainingRecord):
        raise InvalidTypeError(
            "training", f"must be a TrainingRecord, not {type(training).__name__}"
        )
    out: dict[str, Any] = {
        "format_version": PARTS_FORMAT_VERSION,
        "training_id": training.training_id,
        "volunteer_id": training.volunteer_id,
        "name": training.name,
        "category": training.category,
        "content": training.content,
        "study_minutes": training.hours.minutes,
        "organizer": training.organizer,
        "date": training.date.isoformat(),
    }
    if training.valid_until is not None:
        out["valid_until"] = training.valid_until.isoformat()
    return out


_COMMENDATION_FIELDS: Final = frozenset(
    {"format_version", "name", "date", "awarding_body", "level", "documented", "volunteer_id"}
)


def parse_commendation(payload: Mapping[str, Any]) -> Commendation:
    """Read a commendation from its wire form.

    Fields: ``format_version`` (``1``), ``name`` and ``awarding_body`` (1–200 characters),
    ``date`` (ISO date), ``level`` (one of :data:`COMMENDATION_LEVELS`), ``documented``
    (boolean, required), optional ``volunteer_id`` (an id).

    Raises:
        RecordFormatError: with ``what="commendation"`` and every problem found.

    Example:
        >>> payload = {"format_version": 1, "name": "优秀志愿者", "date": "2023-12-05",
        ...     "awarding_body": "盘锦市民政局", "level": "city", "documented": True}
        >>> parse_commendation(payload).government_level
        True
        >>> parse_commendation({**payload, "level": "galactic"})
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.RecordFormatError: invalid commendation: $.level: unknown_code: level must be one of organization, county, city, province, national
    """
    read = _Reader(payload, _COMMENDATION_FIELDS)
    if read.errors and not read.data:
        read.fail("commendation")
    read.version()
    name = read.text("name")
    day = read.date("date")
    awarding_body = read.text("awarding_body")
    level = read.choice("level", COMMENDATION_LEVELS)
    documented = read.boolean("documented")
    volunteer_id = read.ident("volunteer_id", required=False)
    read.fail("commendation")
    return Commendation(
        name=_known(name),
        date=_known(day),
        awarding_body=_known(awarding_body),
        level=_known(level),
        documented=_known(documented),
        volunteer_id=volunteer_id,
    )


def dump_commendation(commendation: Commendation) -> dict[str, Any]:
    """The canonical wire form of a commendation (see :func:`parse_commendation`).

    Raises:
        InvalidTypeError: ``commendation`` is not a :class:`Commendation`.

    Example:
        >>> from datetime import date
        >>> dump_commendation(Commendation(name="优秀志愿者", date=date(2023, 12, 5),
        ...     awarding_body="盘锦市民政局", level="city", documented=True))["date"]
        '2023-12-05'
    """
    if not isinstance(commendation, Commendation):
        raise InvalidTypeError(
            "commendation", f"must be a Commendation, not {type(commendation).__name__}"
        )
    out: dict[str, Any] = {
        "format_version": PARTS_FORMAT_VERSION,
        "name": commendation.name,
        "date": commendation.date.isoformat(),
        "awarding_body": commendation.awarding_body,
        "level": commendation.level,
        "documented": commendation.documented,
    }
    if commendation.volunteer_id is not None:
        out["volunteer_id"] = commendation.volunteer_id
    return out


_EVALUATION_FIELDS: Final = frozenset(
    {"format_version", "rating", "date", "evaluator", "record_id", "comment", "volunteer_id"}
)


def parse_evaluation_record(payload: Mapping[str, Any]) -> EvaluationRecord:
    """Read an evaluation record from its wire form.

    Fields: ``format_version`` (``1``), ``rating`` (one of :data:`~volunteer_rules.RATINGS`),
    ``date`` (ISO date), ``evaluator`` (1–100 characters), optional ``record_id`` and
    ``volunteer_id`` (ids), optional ``comment`` (1–2000 characters).

    Raises:
        RecordFormatError: with ``what="evaluation record"`` and every problem found.

    Example:
        >>> record = parse_evaluation_record({"format_version": 1, "rating": "good",
        ...     "date": "2024-05-03", "evaluator": "王芳", "record_id": "r-2024-0001"})
        >>> record.rating, record.record_id
        ('good', 'r-2024-0001')
    """
    read = _Reader(payload, _EVALUATION_FIELDS)
    if read.errors and not read.data:
        read.fail("evaluation record")
    read.version()
    rating = read.choice("rating", RATINGS)
    day = read.date("date")
    evaluator = read.text("evaluator", max_length=100)
    record_id = read.ident("record_id", required=False)
    comment = read.text("comment", required=False, max_length=2000)
    volunteer_id = read.ident("volunteer_id", required=False)
    read.fail("evaluation record")
    return EvaluationRecord(
        rating=_known(rating),
        date=_known(day),
        evaluator=_known(evaluator),
        record_id=record_id,
        comment=comment,
        volunteer_id=volunteer_id,
    )


def dump_evaluation_record(evaluation: EvaluationRecord) -> dict[str, Any]:
    """The canonical wire form of an evaluation record (see :func:`parse_evaluation_record`).

    Raises:
        InvalidTypeError: ``evaluation`` is not an :class:`EvaluationRecord`.

    Example:
        >>> from datetime import date
        >>> dump_evaluation_record(EvaluationRecord(rating="pass", date=date(2024, 5, 3),
        ...     evaluator="王芳"))
        {'format_version': 1, 'rating': 'pass', 'date': '2024-05-03', 'evaluator': '王芳'}
    """
    if not isinstance(evaluation, EvaluationRecord):
        raise InvalidTypeError(
            "evaluation", f"must be an EvaluationRecord, not {type(evaluation).__name__}"
        )
    out: dict[str, Any] = {
        "format_version": PARTS_FORMAT_VERSION,
        "rating": evaluation.rating,
        "date": evaluation.date.isoformat(),
        "evaluator": evaluation.evaluator,
    }
    if evaluation.record_id is not None:
        out["record_id"] = evaluation.record_id
    if evaluation.comment is not None:
        out["comment"] = evaluation.comment
    if evaluation.volunteer_id is not None:
        out["volunteer_id"] = evaluation.volunteer_id
    return out
