"""The volunteer service record (志愿服务记录中的服务信息), format version 1.

A :class:`ServiceRecord` is one service entry as MCA Order 67 (志愿服务记录与证明出具办法（试行）,
2020), Art. 7 describes it (regulations.md §2, [MCA2020]): activity name, date, place,
content, service time, organising unit and person in charge, plus what a machine needs to
check a record (ids, status, time stamps). The wire form is specified in
``docs/record-format.md``; :func:`parse_record` reads it, checking every rule and reporting
every problem at once, and :func:`dump_record` writes the canonical form back.

Canonical form (what :func:`dump_record` writes, and what ``dump_record(parse_record(x)) == x``
holds for):

- text fields trimmed; optional fields that are absent are omitted (never ``null``);
  ``group_service`` is written only when ``true``;
- dates as ``YYYY-MM-DD``; date-times as ``YYYY-MM-DDTHH:MM:SS±HH:MM`` with the offset the
  record came with, seconds always, ``.ffffff`` microseconds only when they are not zero
  (exactly :meth:`datetime.datetime.isoformat`); UTC is written ``+00:00``;
- credit codes in uppercase; ``extensions`` exactly as given.

Example:
    >>> from datetime import date, datetime, timedelta, timezone
    >>> from volunteer_rules import Hours, RegionCode, ServiceRecord
    >>> cst = timezone(timedelta(hours=8))
    >>> record = ServiceRecord(
    ...     record_id="r-1", volunteer_id="V0001", organization_id="G-panjin-youth",
    ...     activity_name="社区助老", service_category="elderly_and_disabled",
    ...     content="陪伴老人", place="兴隆台区某社区", region_code=RegionCode.parse("211103"),
    ...     date=date(2024, 5, 1), start=None, end=None, service=Hours.from_minutes(120),
    ...     person_in_charge="王芳", recorded_by="李雷",
    ...     recorded_at=datetime(2024, 5, 2, 9, 0, tzinfo=cst), status="verified",
    ... )
    >>> record.key, record.service
    (('G-panjin-youth', 'r-1'), Hours(minutes=120))
    >>> dump_record(record)["recorded_at"]
    '2024-05-02T09:00:00+08:00'
"""

from __future__ import annotations

import datetime as _dt
import math
import operator
import re
import types
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, Final

import attrs

from volunteer_rules.errors import (
    FieldError,
    InvalidIdentifierError,
    InvalidTypeError,
    InvalidValueError,
    RecordFormatError,
)
from volunteer_rules.hours import Hours
from volunteer_rules.records.region import RegionCode

_MOMENTS: Callable[[Any, Any, Any, Any, Any], tuple[Any, Any, Any] | None] | None
try:  # the optional compiled helper (see _speedups.c); the Python code below does without it
    from volunteer_rules._speedups import moments as _MOMENTS
except ImportError:  # pragma: no cover - built wherever a C compiler is at hand
    _MOMENTS = None

__all__ = [
    "FIELDS",
    "FORMAT_VERSION",
    "MAX_EXTENSION_DEPTH",
    "MAX_YEAR",
    "MIN_YEAR",
    "RATINGS",
    "REQUIRED_FIELDS",
    "SERVICE_CATEGORIES",
    "STATUSES",
    "Evaluation",
    "ServiceRecord",
    "dump_record",
    "parse_record",
    "parse_records",
]

FORMAT_VERSION: Final = 1
"""The record format version this library reads and writes."""

STATUSES: Final = ("submitted", "verified", "rejected", "void")
"""Record statuses. Only ``verified`` records count toward hours."""

RATINGS: Final = ("excellent", "good", "pass", "fail")
"""Evaluation ratings (评价情况), best first."""

SERVICE_CATEGORIES: Final[Mapping[str, str]] = {
    "community_service": "社区服务",
    "elderly_and_disabled": "助老助残",
    "poverty_relief": "扶贫济困",
    "education": "支教助学",
    "health": "卫生健康",
    "legal_aid": "法律服务",
    "psychological_support": "心理疏导",
    "emergency_rescue": "应急救援",
    "environment": "生态环保",
    "culture_and_sports": "文化体育",
    "science_popularization": "科普宣传",
    "public_safety": "平安综治",
    "traffic": "交通引导",
    "large_events": "赛会服务",
    "other": "其他",
}
"""The built-in service category vocabulary: code to Chinese label."""

FIELDS: Final = (
    "format_version",
    "record_id",
    "volunteer_id",
    "organization_id",
    "activity_name",
    "service_category",
    "content",
    "place",
    "region_code",
    "date",
    "start",
    "end",
    "service_minutes",
    "person_in_charge",
    "recorded_by",
    "recorded_at",
    "status",
    "evaluation",
    "beneficiary",
    "group_service",
    "amends",
    "extensions",
)
"""Every top-level field of the record format v1, in canonical order."""

REQUIRED_FIELDS: Final = frozenset(FIELDS) - {
    "start",
    "end",
    "evaluation",
    "beneficiary",
    "group_service",
    "amends",
    "extensions",
}
"""The fields every record must have (``start`` and ``end`` come both or neither)."""

MIN_YEAR: Final = 1900
"""Earliest year of any date or date-time in a record (inclusive)."""

MAX_YEAR: Final = 2999
"""Latest year of any date or date-time in a record (inclusive).

The bounds keep every date-time convertible to UTC and back without overflow.
"""

MAX_EXTENSION_DEPTH: Final = 32
"""How deeply ``extensions`` may nest (objects and arrays); deeper is ``out_of_range``."""

_ID_MAX: Final = 64
_NAME_MAX: Final = 200  # activity_name, place, beneficiary
_CONTENT_MAX: Final = 2000
_PERSON_MAX: Final = 100  # person_in_charge, recorded_by
_MAX_MINUTES: Final = 1440


# --------------------------------------------------------------------------------------------
# The classes


def _aware(instance: object, attribute: attrs.Attribute[Any], value: _dt.datetime | None) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(f"{attribute.name} must be a time-zone-aware datetime")


def _plain_date(instance: object, attribute: attrs.Attribute[Any], value: _dt.date) -> None:
    if isinstance(value, _dt.datetime):
        raise TypeError(f"{attribute.name} must be a date, not a datetime")


def _freeze_extensions(value: object) -> Mapping[str, Any] | None:
    """Attrs converter: deep-freeze ``extensions`` (``None`` stays ``None``)."""
    if value is None:
        return None
    problems: list[FieldError] = []
    frozen = _freeze(value, "$.extensions", 0, problems)
    if problems:
        raise InvalidValueError("extensions", problems[0].message)
    if not isinstance(frozen, Mapping):
        raise InvalidTypeError("extensions", "must be a mapping of JSON values")
    return frozen


@attrs.frozen(kw_only=True, weakref_slot=False)
class Evaluation:
    """The evaluation of a service entry (评价情况): a rating and the day it was given.

    MCA Order 67, Art. 10: an evaluation is a quality rating plus a date.

    Attributes:
        rating: ``excellent``, ``good``, ``pass`` or ``fail``.
        date: the day of the evaluation.

    Example:
        >>> from datetime import date
        >>> Evaluation(rating="good", date=date(2024, 5, 3)).rating
        'good'
    """

    rating: str = attrs.field(validator=attrs.validators.in_(RATINGS))
    date: _dt.date = attrs.field(validator=[attrs.validators.instance_of(_dt.date), _plain_date])


@attrs.frozen(kw_only=True, weakref_slot=False)
class ServiceRecord:
    """One volunteer service entry, as the record format v1 describes it.

    Records are immutable: a correction is a new record whose ``amends`` names the record it
    corrects (MCA Order 67, Art. 13). Build records from payloads with
    :func:`~volunteer_rules.parse_record`; the constructor checks types only, the parser checks
    every rule of the format.

    Two records are equal when every field is; date-times compare as instants, so the same
    moment written with two offsets is equal (``dump_record`` keeps the offset each came with).
    ``extensions`` is deep-frozen (objects become read-only mappings, arrays tuples) and does
    not take part in the hash.

    Attributes:
        record_id: unique within the recording organization.
        volunteer_id: the volunteer's unified number (志愿者统一编号), never an ID-card number.
        organization_id: the recording organization's credit code, or ``G-…`` for a group.
        activity_name: 活动名称.
        service_category: a category code (see :data:`SERVICE_CATEGORIES`).
        content: 服务内容.
        place: 地点.
        region_code: where the service took place.
        date: the activity's local date.
        start: aware start of the interval, or ``None``.
        end: aware end of the interval (after ``start``), or ``None``.
        service: actual service time (服务时间), travel excluded.
        person_in_charge: 活动负责人.
        recorded_by: who entered the record (记录人).
        recorded_at: aware time of entry.
        status: ``submitted``, ``verified``, ``rejected`` or ``void``.
        evaluation: the evaluation, if any.
        beneficiary: 服务对象, if given.
        group_service: whether the hours were earned as a group.
        amends: the ``record_id`` this record corrects, if any.
        extensions: integrator data, kept as it came (JSON values, frozen), or ``None``.

    Example:
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> record.status, record.service.minutes
        ('verified', 120)
    """

    record_id: str = attrs.field(validator=attrs.validators.instance_of(str))
    volunteer_id: str = attrs.field(validator=attrs.validators.instance_of(str))
    organization_id: str = attrs.field(validator=attrs.validators.instance_of(str))
    activity_name: str = attrs.field(validator=attrs.validators.instance_of(str))
    service_category: str = attrs.field(validator=attrs.validators.instance_of(str))
    content: str = attrs.field(validator=attrs.validators.instance_of(str))
    place: str = attrs.field(validator=attrs.validators.instance_of(str))
    region_code: RegionCode = attrs.field(validator=attrs.validators.instance_of(RegionCode))
    date: _dt.date = attrs.field(validator=[attrs.validators.instance_of(_dt.date), _plain_date])
    start: _dt.datetime | None = attrs.field(
        validator=[attrs.validators.optional(attrs.validators.instance_of(_dt.datetime)), _aware]
    )
    end: _dt.datetime | None = attrs.field(
        validator=[attrs.validators.optional(attrs.validators.instance_of(_dt.datetime)), _aware]
    )
    service: Hours = attrs.field(validator=attrs.validators.instance_of(Hours))
    person_in_charge: str = attrs.field(validator=attrs.validators.instance_of(str))
    recorded_by: str = attrs.field(validator=attrs.validators.instance_of(str))
    recorded_at: _dt.datetime = attrs.field(
        validator=[attrs.validators.instance_of(_dt.datetime), _aware]
    )
    status: str = attrs.field(validator=attrs.validators.in_(STATUSES))
    evaluation: Evaluation | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(Evaluation))
    )
    beneficiary: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(str))
    )
    group_service: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))
    amends: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(str))
    )
    extensions: Mapping[str, Any] | None = attrs.field(
        default=None, hash=False, converter=_freeze_extensions
    )

    @property
    def key(self) -> tuple[str, str]:
        """``(organization_id, record_id)``: the record's identity and idempotency key.

        Example:
            >>> import volunteer_rules as vr
            >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
            >>> vr.parse_record(SAMPLE_RECORD_PAYLOAD).key
            ('512111005000000154', 'r-2024-0001')
        """
        return (self.organization_id, self.record_id)

    @property
    def recorded_order(self) -> tuple[_dt.datetime, str]:
        """The sort key of recorded order: ``recorded_at``, then ``record_id``.

        Example:
            >>> import volunteer_rules as vr
            >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
            >>> vr.parse_record(SAMPLE_RECORD_PAYLOAD).recorded_order[1]
            'r-2024-0001'
        """
        return (self.recorded_at, self.record_id)


# --------------------------------------------------------------------------------------------
# Fast construction (no validators): only for values the parser has already checked.

_new_object = object.__new__


class _RecordSlots:
    """The slot layout of :class:`ServiceRecord`, mutable: filled in, then re-classed.

    Assigning ``__class__`` between two classes of the same slot layout is how the parser
    builds a record without running the validators of the public constructor (the parser has
    checked every value already) and without 21 slow descriptor calls.
    """

    __slots__ = tuple(field.name for field in attrs.fields(ServiceRecord))


class _EvaluationSlots:
    """The slot layout of :class:`Evaluation` (see :class:`_RecordSlots`)."""

    __slots__ = tuple(field.name for field in attrs.fields(Evaluation))


def _new_record(
    record_id: str,
    volunteer_id: str,
    organization_id: str,
    activity_name: str,
    service_category: str,
    content: str,
    place: str,
    region_code: RegionCode,
    date: _dt.date,
    start: _dt.datetime | None,
    end: _dt.datetime | None,
    service: Hours,
    person_in_charge: str,
    recorded_by: str,
    recorded_at: _dt.datetime,
    status: str,
    evaluation: Evaluation | None,
    beneficiary: str | None,
    group_service: bool,
    amends: str | None,
    extensions: Mapping[str, Any] | None,
) -> ServiceRecord:
    """A record from checked values, without the constructor's validators."""
    record: Any = _new_object(_RecordSlots)
    record.record_id = record_id
    record.volunteer_id = volunteer_id
    record.organization_id = organization_id
    record.activity_name = activity_name
    record.service_category = service_category
    record.content = content
    record.place = place
    record.region_code = region_code
    record.date = date
    record.start = start
    record.end = end
    record.service = service
    record.person_in_charge = person_in_charge
    record.recorded_by = recorded_by
    record.recorded_at = recorded_at
    record.status = status
    record.evaluation = evaluation
    record.beneficiary = beneficiary
    record.group_service = group_service
    record.amends = amends
    record.extensions = extensions
    record.__class__ = ServiceRecord
    return record  # type: ignore[no-any-return]


def _new_evaluation(rating: str, date: _dt.date) -> Evaluation:
    """An evaluation from checked values, without the constructor's validators."""
    evaluation: Any = _new_object(_EvaluationSlots)
    evaluation.rating = rating
    evaluation.date = date
    evaluation.__class__ = Evaluation
    return evaluation  # type: ignore[no-any-return]


# --------------------------------------------------------------------------------------------
# Shapes, caches and messages

_ID_RE: Final = re.compile(r"[A-Za-z0-9._-]{1,64}", re.ASCII)
_ID_CHARS_RE: Final = re.compile(r"[A-Za-z0-9._-]+", re.ASCII)
_DATE_RE: Final = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# Only forms that Python 3.10's ``datetime.fromisoformat`` reads (plus ``Z``, rewritten).
_DATETIME_RE: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{3}|\.\d{6})?)?"
    r"(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{6})?)?)?",
    re.ASCII,
)
# A resident ID number's shape: 17 digits, then a digit or X, with a birth date inside.
_RESIDENT_ID_RE: Final = re.compile(
    r"\d{10}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]", re.ASCII
)
# Runs that could be (part of) an identity number are masked in every message.
_LONG_NUMBER_RE: Final = re.compile(r"\d{6}\d{4,}[\dXx]?", re.ASCII)
_PLAIN_KEY_RE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*", re.ASCII)

_DATETIME_MATCH: Final = _DATETIME_RE.fullmatch
_DATE_MATCH: Final = _DATE_RE.fullmatch
_ID_MATCH: Final = _ID_RE.fullmatch
_from_iso_datetime: Final = _dt.datetime.fromisoformat
_from_iso_date: Final = _dt.date.fromisoformat
_REGION_GET: Final = RegionCode.parse
_STATUS_SET: Final = frozenset(STATUSES)
_RATING_SET: Final = frozenset(RATINGS)
_KNOWN_FIELDS: Final = frozenset(FIELDS)
_EVALUATION_FIELDS: Final = ("rating", "date")
_EMPTY: Final[frozenset[str]] = frozenset()
_FIELD_COUNT: Final = len(FIELDS)
_ONE: Final = 1
_MINUTE_RANGE: Final = range(1, _MAX_MINUTES + 1)
_strip: Final = str.strip
"""``str.strip`` as a function: it refuses anything but a ``str`` (a fast type check)."""
_STATUS_CANONICAL: Final = {status: status for status in STATUSES}
_RATING_CANONICAL: Final = {rating: rating for rating in RATINGS}
# Parts of a canonical date-time ``YYYY-MM-DDTHH:MM:SS±HH:MM`` (slice objects made once: the
# slices of the fast path are the same each time).
_SEPARATORS: Final = slice(4, 17, 3)
"""The separators: ``--T::``."""
_OFFSET_PART: Final = slice(19, None)
"""The offset ``±HH:MM`` (six characters exactly when the text has 25)."""
_DATE_PART: Final = slice(None, 10)
"""The local date ``YYYY-MM-DD``."""
_OFFSETS: Final = frozenset(
    f"{sign}{hours:02d}:{minutes:02d}"
    for sign in "+-"
    for hours in range(24)
    for minutes in range(60)
)
"""Every UTC offset text ``±HH:MM`` (hours 00-23, minutes 00-59)."""
_VOLUNTEER_IDS: set[str] = set()
"""Volunteer ids already checked (volunteers have many records each)."""
_VOLUNTEER_IDS_MAX: Final = 65536
_ID_ALPHABET: Final = "0123456789-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_."
"""The id characters, most frequent first (``str.strip`` looks each character up in turn)."""
_REGIONS_BY_CODE: Final = {region.code: region for region in RegionCode.all()}
_HOURS_BY_MINUTE: Final = tuple(Hours.from_minutes(m) for m in range(_MAX_MINUTES + 1))
_HOURS_BY_MINUTES: Final = {m: _HOURS_BY_MINUTE[m] for m in _MINUTE_RANGE}
"""Service time by minutes, 1 to 1440 only (a key error outside; a look-up by ``==``, so the
type is checked first: ``True == 1``)."""
_MINUTE_SPANS: Final = tuple(_dt.timedelta(minutes=m) for m in range(_MAX_MINUTES + 1))
"""``timedelta(minutes=m)`` by ``m``, 0 to 1440."""
_DATES: dict[str, _dt.date] = {}
"""Dates already read: text -> date (dates repeat a lot in a batch)."""
_DATES_MAX: Final = 65536
_REQUIRED_COUNT: Final = len(REQUIRED_FIELDS)
_EVALUATIONS: dict[tuple[object, object], Evaluation] = {}
"""Evaluations already read: ``(rating, date)`` as given -> the evaluation (shared)."""
_EVALUATIONS_MAX: Final = 65536

_ORGANIZATIONS: dict[str, str] = {}
"""Organization ids already validated: text as given -> canonical form."""
_ORGANIZATIONS_MAX: Final = 4096


def _mask_run(match: re.Match[str]) -> str:
    run = match.group()
    return run[:6] + "*" * (len(run) - 7) + run[-1]


def _mask(text: str) -> str:
    """Mask every run of digits long enough to be an identity number."""
    return _LONG_NUMBER_RE.sub(_mask_run, text)


def _show(value: object) -> str:
    """A short, masked rendering of a value for a message."""
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:40] + "…"
        return repr(_mask(text))
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return "a very large number"
    if value is None or isinstance(value, (bool, int)):
        return _mask(repr(value)[:40])
    return f"a value of type {type(value).__name__}"


def _type_name(value: object) -> str:
    """The JSON type name of a value, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    return type(value).__name__


def _key_path(parent: str, key: object) -> str:
    """JSONPath of a member: ``$.name``, or ``$["odd name"]`` for names that need quoting."""
    if isinstance(key, str):
        if _PLAIN_KEY_RE.fullmatch(key):
            return f"{parent}.{_mask(key)}"
        shown = key if len(key) <= 40 else key[:40] + "…"
        escaped = _mask(shown).replace("\\", "\\\\").replace('"', '\\"')
        return f'{parent}["{escaped}"]'
    return f"{parent}[{_show(key)}]"


def _credit_code(text: str) -> str:
    """Validate a GB 32100 credit code; return it canonical (uppercase) or raise."""
    try:
        from volunteer_rules.records.identifiers import OrganizationCode
    except ImportError:  # pragma: no cover - the identifiers module ships with this one
        from stdnum import exceptions as _stdnum_errors
        from stdnum.cn import uscc

        try:
            return str(uscc.validate(text))
        except _stdnum_errors.InvalidChecksum:
            raise InvalidIdentifierError("checksum", "credit code", "check is wrong") from None
        except _stdnum_errors.ValidationError:
            raise InvalidIdentifierError("invalid_format", "credit code", "bad shape") from None
    return OrganizationCode.parse(text).code


# --------------------------------------------------------------------------------------------
# Field readers for the slow path (a problem was found, or the value is unusual)


class _Problems:
    """Collects field errors; cheap when nothing goes wrong."""

    __slots__ = ("errors", "prefix")

    def __init__(self, prefix: str) -> None:
        self.errors: list[FieldError] = []
        self.prefix = prefix

    def add(self, field: str, code: str, message: str) -> None:
        path = f"{self.prefix}.{field}" if field else self.prefix
        self.errors.append(FieldError(path, code, message))

    def add_path(self, path: str, code: str, message: str) -> None:
        self.errors.append(FieldError(path, code, message))


def _text(
    value: object, field: str, maximum: int, problems: _Problems, *, required: bool = True
) -> str | None:
    """A trimmed text field; ``None`` (and a problem when required) if unusable."""
    if value is None:
        if required:
            problems.add(field, "missing", f"{field} is required")
        return None
    if not isinstance(value, str):
        problems.add(field, "invalid_type", f"{field} must be a string, not {_type_name(value)}")
        return None
    text = _strip(value)
    if not text:
        if required:
            problems.add(field, "missing", f"{field} is required and must not be blank")
        return None
    if len(text) > maximum:
        problems.add(
            field,
            "out_of_range",
            f"{field} must be at most {maximum} characters, not {len(text)}",
        )
        return None
    return text


def _identifier(
    value: object, field: str, problems: _Problems, *, required: bool = True
) -> str | None:
    """A trimmed id: 1-64 letters, digits, ``-``, ``_``, ``.``."""
    text = _text(value, field, 10**9, problems, required=required)
    if text is None:
        return None
    if _ID_MATCH(text):
        return text
    if _ID_CHARS_RE.fullmatch(text):
        problems.add(
            field, "out_of_range", f"{field} must be at most {_ID_MAX} characters, not {len(text)}"
        )
    else:
        problems.add(
            field,
            "invalid_format",
            f"{field} may contain only ASCII letters, digits, '-', '_' and '.'",
        )
    return None


def _volunteer_id(value: object, problems: _Problems) -> str | None:
    text = _identifier(value, "volunteer_id", problems)
    if text is not None and len(text) == 18 and _RESIDENT_ID_RE.fullmatch(text):
        problems.add(
            "volunteer_id",
            "invalid_format",
            f"volunteer_id {_show(text)} looks like a resident ID number; give the volunteer's "
            "unified number (志愿者统一编号), never an ID-card number",
        )
        return None
    return text


def _organization_id(value: object, problems: _Problems) -> str | None:
    if type(value) is str:
        found = _ORGANIZATIONS.get(value)
        if found is not None:
            return found
    text = _text(value, "organization_id", 10**9, problems)
    if text is None:
        return None
    if text.startswith("G-"):
        rest = text[2:]
        if rest and _ID_MATCH(rest) and len(rest) <= _ID_MAX - 2:
            canonical = text
        elif rest and _ID_CHARS_RE.fullmatch(rest):
            problems.add(
                "organization_id",
                "out_of_range",
                f"a group's organization_id is 'G-' and 1 to {_ID_MAX - 2} id characters, "
                f"not {len(rest)}",
            )
            return None
        else:
            problems.add(
                "organization_id",
                "invalid_format",
                "a group's organization_id is 'G-' followed by ASCII letters, digits, "
                "'-', '_' or '.'",
            )
            return None
    else:
        try:
            canonical = _credit_code(text)
        except InvalidIdentifierError as error:
            if error.code == "checksum":
                problems.add(
                    "organization_id",
                    "checksum",
                    f"organization_id {_show(text)} fails the GB 32100 check: {error}",
                )
            else:
                problems.add(
                    "organization_id",
                    "invalid_format",
                    f"organization_id must be an 18-character unified social credit code "
                    f"(GB 32100) or 'G-' and a group id: {error}",
                )
            return None
    if type(value) is str:
        if len(_ORGANIZATIONS) >= _ORGANIZATIONS_MAX:
            _ORGANIZATIONS.clear()
        _ORGANIZATIONS[value] = canonical
    return canonical


def _region(value: object, problems: _Problems) -> RegionCode | None:
    if value is None:
        problems.add("region_code", "missing", "region_code is required")
        return None
    if not isinstance(value, str):
        problems.add(
            "region_code",
            "invalid_type",
            f"region_code must be a string of 6 digits, not {_type_name(value)}",
        )
        return None
    text = _strip(value)
    if not text:
        problems.add("region_code", "missing", "region_code is required and must not be blank")
        return None
    try:
        return _REGION_GET(text)
    except InvalidIdentifierError as error:
        if error.code == "unknown_region":
            problems.add(
                "region_code",
                "unknown_code",
                f"region_code {text} was never assigned in GB/T 2260",
            )
        else:
            problems.add(
                "region_code",
                "invalid_format",
                "region_code must be a 6-digit GB/T 2260 code such as 211103",
            )
        return None


def _choice(value: object, field: str, allowed: Collection[str], problems: _Problems) -> str | None:
    if value is None:
        problems.add(field, "missing", f"{field} is required")
        return None
    if not isinstance(value, str):
        problems.add(field, "invalid_type", f"{field} must be a string, not {_type_name(value)}")
        return None
    text = _strip(value)
    if not text:
        problems.add(field, "missing", f"{field} is required and must not be blank")
        return None
    if text in allowed:
        return str(text)
    shown = ", ".join(sorted(allowed)) if len(allowed) <= 20 else "the documented codes"
    problems.add(field, "unknown_code", f"{field} {_show(text)} is not one of {shown}")
    return None


def _check_year(value: _dt.date, field: str, problems: _Problems) -> bool:
    if MIN_YEAR <= value.year <= MAX_YEAR:
        return True
    problems.add(field, "out_of_range", f"{field} must fall in the years {MIN_YEAR} to {MAX_YEAR}")
    return False


def _date(value: object, field: str, problems: _Problems) -> _dt.date | None:
    if value is None:
        problems.add(field, "missing", f"{field} is required")
        return None
    if not isinstance(value, str):
        problems.add(
            field,
            "invalid_type",
            f"{field} must be a string such as 2019-07-19, not {_type_name(value)}",
        )
        return None
    text = _strip(value)
    if not text:
        problems.add(field, "missing", f"{field} is required and must not be blank")
        return None
    if _DATE_MATCH(text):
        try:
            day = _from_iso_date(text)
        except ValueError:
            problems.add(field, "invalid_format", f"{field} {_show(text)} is not a calendar date")
            return None
        return day if _check_year(day, field, problems) else None
    problems.add(
        field,
        "invalid_format",
        f"{field} must be an ISO date such as 2019-07-19, not {_show(text)}",
    )
    return None


def _datetime(
    value: object, field: str, default_tz: _dt.tzinfo | None, problems: _Problems
) -> _dt.datetime | None:
    if value is None:
        problems.add(field, "missing", f"{field} is required")
        return None
    if not isinstance(value, str):
        problems.add(
            field,
            "invalid_type",
            f"{field} must be a string such as 2019-07-19T08:00:00+08:00, not {_type_name(value)}",
        )
        return None
    text = _strip(value)
    if not text:
        problems.add(field, "missing", f"{field} is required and must not be blank")
        return None
    match = _DATETIME_MATCH(text)
    if match is None:
        problems.add(
            field,
            "invalid_format",
            f"{field} must be an ISO 8601 date-time with an offset such as "
            f"2019-07-19T08:00:00+08:00, not {_show(text)}",
        )
        return None
    offset = match.group(1)
    if offset == "Z":
        text = text[:-1] + "+00:00"
    try:
        moment = _from_iso_datetime(text)
    except ValueError:
        problems.add(field, "invalid_format", f"{field} {_show(text)} is not a valid date-time")
        return None
    if offset is None:
        if default_tz is None:
            problems.add(
                field,
                "invalid_format",
                f"{field} has no UTC offset; write one (such as +08:00) or parse with default_tz",
            )
            return None
        moment = moment.replace(tzinfo=default_tz)
        try:
            usable = moment.utcoffset() is not None
        except Exception:  # a caller's tzinfo may fail in any way
            usable = False
        if not usable:
            problems.add(field, "invalid_format", f"default_tz gives no UTC offset for {field}")
            return None
    return moment if _check_year(moment, field, problems) else None


def _minutes(value: object, problems: _Problems) -> int | None:
    if value is None:
        problems.add("service_minutes", "missing", "service_minutes is required")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        problems.add(
            "service_minutes",
            "invalid_type",
            f"service_minutes must be a whole number (JSON integer), not {_type_name(value)}",
        )
        return None
    minutes = int(value)
    if 1 <= minutes <= _MAX_MINUTES:
        return minutes
    problems.add(
        "service_minutes",
        "out_of_range",
        f"service_minutes must be 1 to {_MAX_MINUTES} (a day), not {_show(minutes)}",
    )
    return None


def _evaluation(value: object, problems: _Problems) -> Evaluation | None:
    if not isinstance(value, Mapping):
        problems.add(
            "evaluation",
            "invalid_type",
            f"evaluation must be an object with rating and date, not {_type_name(value)}",
        )
        return None
    inner = _Problems(problems.prefix + ".evaluation")
    try:
        items = list(value.items())
    except Exception:  # a broken mapping given by a caller
        problems.add("evaluation", "invalid_type", "evaluation could not be read as an object")
        return None
    given = dict(items)
    for key in given:
        if key not in _EVALUATION_FIELDS:
            inner.add_path(
                _key_path(inner.prefix, key),
                "unknown_field",
                "evaluation has only rating and date",
            )
    rating = _choice(given.get("rating"), "rating", _RATING_SET, inner)
    day = _date(given.get("date"), "date", inner)
    problems.errors.extend(inner.errors)
    if rating is None or day is None or inner.errors:
        return None
    return _new_evaluation(rating, day)


_Where = Any
"""Where a value sits, built cheaply and rendered only for an error: the root path (``str``),
or ``(parent, key)`` for a member, or ``(parent, index)`` for an array item (``int`` index)."""

_SCALARS: Final = frozenset({str, int, bool, type(None)})


def _render(where: _Where) -> str:
    """The JSONPath of a :data:`_Where`."""
    if isinstance(where, str):
        return where
    parent, key = where
    if type(key) is int:
        return f"{_render(parent)}[{key}]"
    return _key_path(_render(parent), key)


def _freeze(value: object, where: _Where, depth: int, problems: list[FieldError]) -> Any:
    """A deep, immutable copy of a JSON value; problems are appended to ``problems``.

    Objects become read-only mappings (:class:`types.MappingProxyType`) and arrays tuples;
    ``str``, ``int``, ``bool``, ``None`` and finite ``float`` values are kept.
    """
    kind = type(value)
    if kind in _SCALARS:
        return value
    data: Any = value
    if kind is float:
        if math.isfinite(value):  # type: ignore[arg-type]
            return value
        problems.append(
            FieldError(
                _render(where), "invalid_format", "numbers in extensions must be finite (JSON)"
            )
        )
        return None
    if depth >= MAX_EXTENSION_DEPTH:
        problems.append(
            FieldError(
                _render(where),
                "out_of_range",
                f"extensions may nest at most {MAX_EXTENSION_DEPTH} levels deep",
            )
        )
        return None
    # Exact dicts and lists first: the ABC check of Mapping is slow for a list.
    if kind is dict or (kind is not list and isinstance(value, Mapping)):
        frozen: dict[str, Any] = {}
        try:
            items = list(data.items())
        except Exception:  # a broken mapping given by a caller
            problems.append(
                FieldError(_render(where), "invalid_type", "could not be read as an object")
            )
            return None
        for key, item in items:
            if type(key) is not str:
                if not isinstance(key, str):
                    problems.append(
                        FieldError(
                            _render((where, key)),
                            "invalid_type",
                            f"object member names must be strings, not {_type_name(key)}",
                        )
                    )
                    continue
                key = str(key)
            if type(item) in _SCALARS:
                frozen[key] = item
            else:
                frozen[key] = _freeze(item, (where, key), depth + 1, problems)
        return types.MappingProxyType(frozen)
    if kind is list or isinstance(value, (list, tuple)):
        return tuple(
            item if type(item) in _SCALARS else _freeze(item, (where, i), depth + 1, problems)
            for i, item in enumerate(data)
        )
    if isinstance(value, bool):  # pragma: no cover - bool cannot be subclassed
        return bool(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return _freeze(float(value), where, depth, problems)
    problems.append(
        FieldError(
            _render(where),
            "invalid_type",
            f"extensions may hold only JSON values, not {_type_name(value)}",
        )
    )
    return None


def _thaw(value: Any) -> Any:
    """The JSON form of a frozen value: a fresh copy with dicts and lists."""
    kind = type(value)
    if kind is types.MappingProxyType or isinstance(value, Mapping):
        return {key: _thaw(item) for key, item in value.items()}
    if kind is tuple or kind is list:
        return [_thaw(item) for item in value]
    return value


# --------------------------------------------------------------------------------------------
# parse_record


_CATEGORY_CODES: Final = {code: code for code in SERVICE_CATEGORIES}
"""The category vocabulary, each code mapped to itself: the fast path's look-up gives the code
as an exact ``str`` (an exact ``dict``: its look-ups are the fastest)."""


class _CheckedCategories(frozenset[str]):
    """Category codes :func:`_categories` has checked, handed on by :func:`parse_records`."""

    codes: dict[str, str]


def _categories(extra: Iterable[str]) -> dict[str, str]:
    """The vocabulary with ``extra`` codes, each mapped to itself (see :data:`_CATEGORY_CODES`)."""
    if type(extra) is _CheckedCategories:
        return extra.codes
    if isinstance(extra, (str, bytes)) or not isinstance(extra, Iterable):
        raise InvalidTypeError("extra_categories", "must be a collection of category codes")
    codes = frozenset(extra)
    for code in codes:
        if not isinstance(code, str) or not _ID_MATCH(code):
            raise InvalidValueError(
                "extra_categories", "each category code must be 1-64 id characters"
            )
    return {code: code for code in frozenset(SERVICE_CATEGORIES) | codes}


def _check_default_tz(default_tz: object) -> None:
    if default_tz is not None and not isinstance(default_tz, _dt.tzinfo):
        raise InvalidTypeError(
            "default_tz", f"must be a datetime.tzinfo or None, not {type(default_tz).__name__}"
        )


def parse_record(
    mapping: Mapping[str, Any],
    *,
    default_tz: _dt.tzinfo | None = None,
    extra_categories: Collection[str] = _EMPTY,
) -> ServiceRecord:
    """Read one service record (format v1) and check every rule of the format.

    Every problem is collected; if there is any, one :class:`~volunteer_rules.RecordFormatError`
    is raised whose ``errors`` list them all, each with a path (``$.date``,
    ``$.evaluation.rating``), a code and a message (see ``docs/record-format.md``). Messages
    never contain a full ID-card number. A ``format_version`` other than ``1`` stops the
    reading at once (``unsupported_version``): the other rules are version 1's.

    Args:
        mapping: the record, a JSON object (any :class:`~collections.abc.Mapping`).
        default_tz: read date-times written without an offset in this zone; without it such a
            date-time is ``invalid_format``.
        extra_categories: service category codes accepted besides :data:`SERVICE_CATEGORIES`.

    Returns:
        The record. Text is trimmed; ``extensions`` is a frozen deep copy.

    Raises:
        RecordFormatError: the payload breaks the format (all problems listed).
        InvalidTypeError: ``default_tz`` or ``extra_categories`` is of the wrong type.

    Example:
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> payload = dict(SAMPLE_RECORD_PAYLOAD)
        >>> record = vr.parse_record(payload)
        >>> record.service, record.start.isoformat(), record.region_code.name
        (Hours(minutes=120), '2024-05-01T08:30:00+08:00', '兴隆台区')
        >>> payload["service_minutes"] = 1441
        >>> payload["colour"] = "blue"
        >>> try:
        ...     vr.parse_record(payload)
        ... except vr.RecordFormatError as error:
        ...     for problem in error.errors:
        ...         print(problem.path, problem.code)
        $.colour unknown_field
        $.service_minutes out_of_range
    """
    if default_tz is not None:
        _check_default_tz(default_tz)
    categories = _CATEGORY_CODES
    if extra_categories is not _EMPTY:
        categories = _categories(extra_categories)
    if type(mapping) is not dict:
        if not isinstance(mapping, Mapping):
            raise RecordFormatError(
                [
                    FieldError(
                        "$",
                        "invalid_type",
                        f"a record must be a JSON object, not {_type_name(mapping)}",
                    )
                ]
            )
        try:
            mapping = dict(mapping.items())
        except Exception:  # a broken mapping given by a caller
            raise RecordFormatError(
                [FieldError("$", "invalid_type", "the record could not be read as an object")]
            ) from None
        return _parse_safely(mapping, default_tz, categories, "$")
    # The fast path, inline (no second call per record): a canonical, valid payload is read
    # here; anything else (a problem, or a valid payload in a form that is not canonical) is
    # handed to the general reader (_parse_safely), which reads it from the start, accepting
    # what is valid and reporting every problem. Whatever this path accepts, the general
    # reader accepts with an equal result (property tests check it).
    #
    # Date-times are checked on their text where that is exact: canonical date-times with the
    # same offset order as text exactly as they order in time, and the local date of one is
    # its first ten characters.
    m: dict[Any, Any] = mapping
    count = len(m)
    try:
        while True:  # a single pass: ``break`` hands the payload to the general reader
            if "end" in m:
                (
                    version,
                    record_id,
                    volunteer_id,
                    organization_id,
                    activity_name,
                    service_category,
                    content,
                    place,
                    region,
                    day_text,
                    minutes,
                    person_in_charge,
                    recorded_by,
                    recorded_text,
                    status,
                    start_text,
                    end_text,
                ) = _GET_WITH_INTERVAL(m)
                count -= 17
            else:
                (
                    version,
                    record_id,
                    volunteer_id,
                    organization_id,
                    activity_name,
                    service_category,
                    content,
                    place,
                    region,
                    day_text,
                    minutes,
                    person_in_charge,
                    recorded_by,
                    recorded_text,
                    status,
                ) = _GET_REQUIRED(m)
                if "start" in m:
                    break
                start_text = end_text = None
                count -= 15
            # Exact types: an int that is not a bool; str.strip refuses anything but a str.
            if (
                version is not _ONE and (type(version) is not int or version != FORMAT_VERSION)
            ) or type(minutes) is not int:
                break
            # Look-ups that fail raise KeyError (or TypeError for an unhashable value): caught
            # below. Each gives the canonical value (an exact str for a str subclass).
            service_category = categories[service_category]
            service = _HOURS_BY_MINUTES[minutes]
            status = _STATUS_CANONICAL[status]
            organization_id = _ORGANIZATIONS[organization_id]
            region = _REGIONS_BY_CODE[region]
            day = _DATES.get(day_text) or _cached_date(day_text)
            if day is None:
                break
            if not record_id or len(record_id) > 64 or _strip(record_id, _ID_ALPHABET):
                break
            if volunteer_id not in _VOLUNTEER_IDS:
                if (
                    _strip(volunteer_id, _ID_ALPHABET)
                    or not 0 < len(volunteer_id) <= 64
                    or (len(volunteer_id) == 18 and _RESIDENT_ID_RE.fullmatch(volunteer_id))
                ):
                    break
                if len(_VOLUNTEER_IDS) >= _VOLUNTEER_IDS_MAX:
                    _VOLUNTEER_IDS.clear()
                _VOLUNTEER_IDS.add(str(volunteer_id))
            activity_name = _strip(activity_name)
            content = _strip(content)
            place = _strip(place)
            person_in_charge = _strip(person_in_charge)
            recorded_by = _strip(recorded_by)
            if (
                not activity_name
                or not content
                or not place
                or not person_in_charge
                or not recorded_by
                or len(activity_name) > 200
                or len(content) > 2000
                or len(place) > 200
                or len(person_in_charge) > 100
                or len(recorded_by) > 100
            ):
                break
            # Date-times. The compiled helper (when built) vouches for the usual case, all three
            # in one offset, and makes them; anything else it leaves to the Python code below.
            moments = (
                None
                if _MOMENTS is None
                else _MOMENTS(recorded_text, start_text, end_text, day_text, minutes)
            )
            if moments is not None:
                recorded_at, start, end = moments
            else:
                # Date-times: YYYY-MM-DDTHH:MM:SS±HH:MM only (25 characters). The separators and
                # the offset are checked here, the digits by fromisoformat, which reads UTF-8
                # bytes and refuses any non-ASCII character in a digit's place (Python 3.10 to
                # 3.13 alike).
                offset = recorded_text[_OFFSET_PART]
                if (
                    offset not in _OFFSETS  # six characters: the text is 25 characters long
                    or recorded_text[_SEPARATORS] != "--T::"
                    or recorded_text >= "3000"
                ):
                    break
                recorded_at = _from_iso_datetime(recorded_text)
                if start_text is None:
                    start = end = None
                    # An end without a start (``"start": null``) is the general reader's to report.
                    if end_text is not None or recorded_text[_DATE_PART] < day_text:
                        break
                else:
                    if start_text[_SEPARATORS] != "--T::" or end_text[_SEPARATORS] != "--T::":
                        break
                    start = _from_iso_datetime(start_text)
                    end = _from_iso_datetime(end_text)
                    if start_text[_OFFSET_PART] == offset == end_text[_OFFSET_PART]:
                        # One offset (so 25 characters each): text order is time order, and the
                        # local date is the text's first ten characters.
                        if (
                            not start_text < end_text <= recorded_text
                            or start_text[_DATE_PART] != day_text
                        ):
                            break
                        # The same fixed offset: the clock difference is the elapsed time, plus
                        # whole days when end falls on a later date (never earlier: end is after
                        # start). No fractions of a second in 25 characters. Integers here; the
                        # (slow) aware subtraction only when the clock alone does not cover the
                        # minutes.
                        if (end.hour - start.hour) * 3600 + (end.minute - start.minute) * 60 + (
                            end.second - start.second
                        ) < minutes * 60 and end - start < _MINUTE_SPANS[minutes]:
                            break
                    elif (
                        start_text[_OFFSET_PART] not in _OFFSETS
                        or end_text[_OFFSET_PART] not in _OFFSETS
                        or not 1900 <= start.year <= 2999
                        or not 1900 <= end.year <= 2999
                        or recorded_at.year < 1900
                        or not start < end <= recorded_at
                        or start.date() != day
                        or end - start < _MINUTE_SPANS[minutes]
                    ):
                        break

            evaluation: Any = None
            beneficiary = amends = extensions = None
            group_service = False
            # Optional fields (many records have none), most frequent first, until the extra keys
            # are accounted for: every extra key must be one of them, with a usable value.
            if count:
                raw: Any = m.get("beneficiary")
                if raw is not None:
                    count -= 1
                    beneficiary = _strip(raw)
                    if not beneficiary or len(beneficiary) > 200:
                        break
                if count:
                    raw = m.get("evaluation")
                    if raw is not None:
                        count -= 1
                        if type(raw) is not dict or len(raw) != 2:
                            break
                        key = (raw["rating"], raw["date"])
                        evaluation = _EVALUATIONS.get(key) or _cached_evaluation(key)
                        if evaluation is None or evaluation.date < day:
                            break
                if count:
                    raw = m.get("group_service")
                    if raw is not None:
                        count -= 1
                        if raw is not True and raw is not False:
                            break
                        group_service = raw
                if count:
                    raw = m.get("amends")
                    if raw is not None:
                        count -= 1
                        if _strip(raw, _ID_ALPHABET) or not 0 < len(raw) <= 64 or raw == record_id:
                            break
                        amends = raw
                if count:
                    raw = m.get("extensions")
                    if raw is not None:
                        count -= 1
                        if type(raw) is not dict:
                            break
                        found: list[FieldError] = []
                        extensions = _freeze(raw, "$.extensions", 0, found)
                        if found:
                            break
                    if count:
                        break
            record: Any = _new_object(_RecordSlots)
            record.record_id = record_id
            record.volunteer_id = volunteer_id
            record.organization_id = organization_id
            record.activity_name = activity_name
            record.service_category = service_category
            record.content = content
            record.place = place
            record.region_code = region
            record.date = day
            record.start = start
            record.end = end
            record.service = service
            record.person_in_charge = person_in_charge
            record.recorded_by = recorded_by
            record.recorded_at = recorded_at
            record.status = status
            record.evaluation = evaluation
            record.beneficiary = beneficiary
            record.group_service = group_service
            record.amends = amends
            record.extensions = extensions
            record.__class__ = ServiceRecord
            return record  # type: ignore[no-any-return]
    except Exception:
        # A missing field, or an unhashable or oddly typed value (whose own methods may raise
        # anything): the general reader says what is wrong.
        pass
    return _parse_safely(m, default_tz, categories, "$")


_GET_WITH_INTERVAL: Final = operator.itemgetter(
    "format_version",
    "record_id",
    "volunteer_id",
    "organization_id",
    "activity_name",
    "service_category",
    "content",
    "place",
    "region_code",
    "date",
    "service_minutes",
    "person_in_charge",
    "recorded_by",
    "recorded_at",
    "status",
    "start",
    "end",
)
_GET_REQUIRED: Final = operator.itemgetter(
    "format_version",
    "record_id",
    "volunteer_id",
    "organization_id",
    "activity_name",
    "service_category",
    "content",
    "place",
    "region_code",
    "date",
    "service_minutes",
    "person_in_charge",
    "recorded_by",
    "recorded_at",
    "status",
)


def _parse_safely(
    m: dict[Any, Any],
    default_tz: _dt.tzinfo | None,
    categories: Collection[str],
    prefix: str,
) -> ServiceRecord:
    """:func:`_parse`, with any other error turned into a ``RecordFormatError``.

    JSON values never fail on their own, but a caller's Python objects can: a value whose
    ``__eq__``, ``__hash__``, ``__repr__`` or ``__getitem__`` raises is not a JSON value.
    """
    try:
        return _parse(m, default_tz, categories, prefix)
    except RecordFormatError:
        raise
    except Exception as error:
        raise RecordFormatError(
            [
                FieldError(
                    prefix,
                    "invalid_type",
                    f"the record holds a value that is not a JSON value ({type(error).__name__} "
                    "while reading it)",
                )
            ]
        ) from error


def _parse(  # one pass over the fields, on purpose
    m: dict[Any, Any],
    default_tz: _dt.tzinfo | None,
    categories: Collection[str],
    prefix: str,
) -> ServiceRecord:
    # The fast path checks each field inline for the common, canonical case; anything unusual
    # goes to the slow readers above, which also write the messages. ``problems`` is created
    # only when something is wrong.
    get = m.get
    problems: _Problems | None = None

    # --- format_version: a wrong version stops everything.
    version = get("format_version")
    if type(version) is not int or version != FORMAT_VERSION:
        problems = _Problems(prefix)
        if version is None:
            problems.add("format_version", "missing", "format_version is required (1)")
        elif isinstance(version, bool) or not isinstance(version, int):
            problems.add(
                "format_version",
                "invalid_type",
                f"format_version must be the integer 1, not {_type_name(version)}",
            )
        elif version != FORMAT_VERSION:
            problems.add(
                "format_version",
                "unsupported_version",
                f"format_version {_show(version)} is not supported; this library reads 1",
            )
            raise RecordFormatError(problems.errors)

    # --- unknown fields
    present = len(m)
    if present > _FIELD_COUNT or not _KNOWN_FIELDS.issuperset(m):
        if problems is None:
            problems = _Problems(prefix)
        for key in m:
            if key not in _KNOWN_FIELDS:
                problems.add_path(
                    _key_path(prefix, key),
                    "unknown_field",
                    "no such field in record format v1 (field names are case-sensitive)",
                )

    # --- ids
    record_id = get("record_id")
    if (
        type(record_id) is not str
        or not 0 < len(record_id) <= _ID_MAX
        or record_id.strip(_ID_ALPHABET)
    ):
        if problems is None:
            problems = _Problems(prefix)
        record_id = _identifier(record_id, "record_id", problems)
    volunteer_id = get("volunteer_id")
    if (
        type(volunteer_id) is not str
        or not 0 < len(volunteer_id) <= _ID_MAX
        or volunteer_id.strip(_ID_ALPHABET)
        or (len(volunteer_id) == 18 and _RESIDENT_ID_RE.fullmatch(volunteer_id))
    ):
        if problems is None:
            problems = _Problems(prefix)
        volunteer_id = _volunteer_id(volunteer_id, problems)
    organization_id = get("organization_id")
    organization_id = _ORGANIZATIONS.get(organization_id) if type(organization_id) is str else None
    if organization_id is None:
        if problems is None:
            problems = _Problems(prefix)
        organization_id = _organization_id(get("organization_id"), problems)

    # --- text
    activity_name = get("activity_name")
    if type(activity_name) is str:
        activity_name = activity_name.strip()
        if not activity_name or len(activity_name) > _NAME_MAX:
            activity_name = None
    else:
        activity_name = None
    if activity_name is None:
        if problems is None:
            problems = _Problems(prefix)
        activity_name = _text(get("activity_name"), "activity_name", _NAME_MAX, problems)

    service_category = get("service_category")
    if type(service_category) is not str or service_category not in categories:
        if problems is None:
            problems = _Problems(prefix)
        service_category = _choice(service_category, "service_category", categories, problems)

    content = get("content")
    if type(content) is str:
        content = content.strip()
        if not content or len(content) > _CONTENT_MAX:
            content = None
    else:
        content = None
    if content is None:
        if problems is None:
            problems = _Problems(prefix)
        content = _text(get("content"), "content", _CONTENT_MAX, problems)

    place = get("place")
    if type(place) is str:
        place = place.strip()
        if not place or len(place) > _NAME_MAX:
            place = None
    else:
        place = None
    if place is None:
        if problems is None:
            problems = _Problems(prefix)
        place = _text(get("place"), "place", _NAME_MAX, problems)

    region = get("region_code")
    region = _REGIONS_BY_CODE.get(region) if type(region) is str else None
    if region is None:
        if problems is None:
            problems = _Problems(prefix)
        region = _region(get("region_code"), problems)

    # --- date and interval
    day = get("date")
    day = _DATES.get(day) if type(day) is str else None
    if day is None:
        day = _cached_date(get("date"))
        if day is None:
            if problems is None:
                problems = _Problems(prefix)
            day = _date(get("date"), "date", problems)

    start_text = get("start")
    end_text = get("end")
    start: _dt.datetime | None = None
    end: _dt.datetime | None = None
    if start_text is not None or end_text is not None:
        if (
            type(start_text) is str
            and len(start_text) == 25
            and start_text[19:] in _OFFSETS
            and start_text[4:17:3] == "--T::"
            and start_text.isascii()
        ):
            try:
                start = _from_iso_datetime(start_text)
            except ValueError:
                start = None
            else:
                if not MIN_YEAR <= start.year <= MAX_YEAR:
                    start = None
        if start is None:
            if problems is None:
                problems = _Problems(prefix)
            if start_text is None:
                problems.add("start", "missing", "start is required when end is given")
            else:
                start = _datetime(start_text, "start", default_tz, problems)
        if (
            type(end_text) is str
            and len(end_text) == 25
            and end_text[19:] in _OFFSETS
            and end_text[4:17:3] == "--T::"
            and end_text.isascii()
        ):
            try:
                end = _from_iso_datetime(end_text)
            except ValueError:
                end = None
            else:
                if not MIN_YEAR <= end.year <= MAX_YEAR:
                    end = None
        if end is None:
            if problems is None:
                problems = _Problems(prefix)
            if end_text is None:
                problems.add("end", "missing", "end is required when start is given")
            else:
                end = _datetime(end_text, "end", default_tz, problems)
        if start is not None and end is not None:
            if not end > start:
                if problems is None:
                    problems = _Problems(prefix)
                problems.add("end", "inconsistent", "end must be after start")
            if day is not None and start.date() != day:
                if problems is None:
                    problems = _Problems(prefix)
                problems.add(
                    "date",
                    "inconsistent",
                    f"date {day.isoformat()} is not the local date of start "
                    f"({start.date().isoformat()})",
                )

    # --- service time
    minutes = get("service_minutes")
    if type(minutes) is not int or not 1 <= minutes <= _MAX_MINUTES:
        if problems is None:
            problems = _Problems(prefix)
        minutes = _minutes(minutes, problems)
    if minutes is not None and start is not None and end is not None and end > start:
        span = end - start
        if minutes * 60 > span.days * 86400 + span.seconds and (
            minutes * 60_000_000
            > (span.days * 86400 + span.seconds) * 1_000_000 + span.microseconds
        ):
            if problems is None:
                problems = _Problems(prefix)
            problems.add(
                "service_minutes",
                "inconsistent",
                f"service_minutes {minutes} is longer than the interval from start to end",
            )

    # --- people
    person_in_charge = get("person_in_charge")
    if type(person_in_charge) is str:
        person_in_charge = person_in_charge.strip()
        if not person_in_charge or len(person_in_charge) > _PERSON_MAX:
            person_in_charge = None
    else:
        person_in_charge = None
    if person_in_charge is None:
        if problems is None:
            problems = _Problems(prefix)
        person_in_charge = _text(get("person_in_charge"), "person_in_charge", _PERSON_MAX, problems)

    recorded_by = get("recorded_by")
    if type(recorded_by) is str:
        recorded_by = recorded_by.strip()
        if not recorded_by or len(recorded_by) > _PERSON_MAX:
            recorded_by = None
    else:
        recorded_by = None
    if recorded_by is None:
        if problems is None:
            problems = _Problems(prefix)
        recorded_by = _text(get("recorded_by"), "recorded_by", _PERSON_MAX, problems)

    recorded_text = get("recorded_at")
    recorded_at: _dt.datetime | None = None
    if (
        type(recorded_text) is str
        and len(recorded_text) == 25
        and recorded_text[19:] in _OFFSETS
        and recorded_text[4:17:3] == "--T::"
        and recorded_text.isascii()
    ):
        try:
            recorded_at = _from_iso_datetime(recorded_text)
        except ValueError:
            recorded_at = None
        else:
            if not MIN_YEAR <= recorded_at.year <= MAX_YEAR:
                recorded_at = None
    if recorded_at is None:
        if problems is None:
            problems = _Problems(prefix)
        recorded_at = _datetime(recorded_text, "recorded_at", default_tz, problems)
    if recorded_at is not None:
        if end is not None and start is not None:
            if recorded_at < end:
                if problems is None:
                    problems = _Problems(prefix)
                problems.add("recorded_at", "inconsistent", "recorded_at must not be before end")
        elif day is not None and recorded_at.date() < day:
            if problems is None:
                problems = _Problems(prefix)
            problems.add(
                "recorded_at",
                "inconsistent",
                "recorded_at must not be before the activity's date",
            )

    status = get("status")
    if type(status) is not str or status not in _STATUS_SET:
        if problems is None:
            problems = _Problems(prefix)
        status = _choice(status, "status", _STATUS_SET, problems)

    # --- optional fields: only looked at when the field count says some are there
    evaluation: Evaluation | None = None
    beneficiary: str | None = None
    group_service = False
    amends: str | None = None
    extensions: Mapping[str, Any] | None = None
    if problems is not None or present != _REQUIRED_COUNT + (start_text is not None) + (
        end_text is not None
    ):
        raw = get("evaluation")
        if raw is not None:
            if type(raw) is dict and len(raw) == 2:
                rating = raw.get("rating")
                evaluation_day = raw.get("date")
                evaluation_day = (
                    _DATES.get(evaluation_day) or _cached_date(evaluation_day)
                    if type(evaluation_day) is str
                    else None
                )
                if type(rating) is str and rating in _RATING_SET and evaluation_day is not None:
                    evaluation = _new_evaluation(rating, evaluation_day)
            if evaluation is None:
                if problems is None:
                    problems = _Problems(prefix)
                evaluation = _evaluation(raw, problems)
            if evaluation is not None and day is not None and evaluation.date < day:
                if problems is None:
                    problems = _Problems(prefix)
                problems.add_path(
                    prefix + ".evaluation.date",
                    "inconsistent",
                    "the evaluation's date must not be before the activity's date",
                )
        raw = get("beneficiary")
        if raw is not None:
            if type(raw) is str:
                beneficiary = raw.strip() or None
                if beneficiary is not None and len(beneficiary) > _NAME_MAX:
                    beneficiary = None
                    if problems is None:
                        problems = _Problems(prefix)
                    _text(raw, "beneficiary", _NAME_MAX, problems, required=False)
            else:
                if problems is None:
                    problems = _Problems(prefix)
                beneficiary = _text(raw, "beneficiary", _NAME_MAX, problems, required=False)
        raw = get("group_service")
        if raw is not None:
            if raw is True or raw is False:
                group_service = raw
            else:
                if problems is None:
                    problems = _Problems(prefix)
                problems.add(
                    "group_service",
                    "invalid_type",
                    f"group_service must be true or false, not {_type_name(raw)}",
                )
        raw = get("amends")
        if raw is not None:
            if type(raw) is str and 0 < len(raw) <= _ID_MAX and not raw.strip(_ID_ALPHABET):
                amends = raw
            else:
                if problems is None:
                    problems = _Problems(prefix)
                amends = _identifier(raw, "amends", problems, required=False)
            if amends is not None and amends == record_id:
                if problems is None:
                    problems = _Problems(prefix)
                problems.add("amends", "inconsistent", "a record cannot amend itself")
        raw = get("extensions")
        if raw is not None:
            if isinstance(raw, Mapping):
                found: list[FieldError] = []
                extensions = _freeze(raw, prefix + ".extensions", 0, found)
                if found:
                    if problems is None:
                        problems = _Problems(prefix)
                    problems.errors.extend(found)
            else:
                if problems is None:
                    problems = _Problems(prefix)
                problems.add(
                    "extensions",
                    "invalid_type",
                    f"extensions must be an object, not {_type_name(raw)}",
                )

    if problems is not None and problems.errors:
        raise RecordFormatError(problems.errors)

    return _new_record(
        record_id,  # type: ignore[arg-type]
        volunteer_id,  # type: ignore[arg-type]
        organization_id,  # type: ignore[arg-type]
        activity_name,  # type: ignore[arg-type]
        service_category,  # type: ignore[arg-type]
        content,  # type: ignore[arg-type]
        place,  # type: ignore[arg-type]
        region,  # type: ignore[arg-type]
        day,  # type: ignore[arg-type]
        start,
        end,
        _HOURS_BY_MINUTE[minutes],  # type: ignore[index]
        person_in_charge,  # type: ignore[arg-type]
        recorded_by,  # type: ignore[arg-type]
        recorded_at,  # type: ignore[arg-type]
        status,  # type: ignore[arg-type]
        evaluation,
        beneficiary,
        group_service,
        amends,
        extensions,
    )


def _cached_evaluation(key: tuple[object, object]) -> Evaluation | None:
    """The evaluation of a valid ``(rating, date)`` pair through the cache, else ``None``.

    Evaluations are immutable, so records may share one (as they share ``Hours`` values).
    """
    rating = _RATING_CANONICAL.get(key[0])  # type: ignore[call-overload]
    day = _DATES.get(key[1]) or _cached_date(key[1])  # type: ignore[call-overload]
    if rating is None or day is None:
        return None
    if len(_EVALUATIONS) >= _EVALUATIONS_MAX:
        _EVALUATIONS.clear()
    evaluation = _EVALUATIONS[key] = _new_evaluation(rating, day)
    return evaluation


def _cached_date(text: object) -> _dt.date | None:
    """A valid ISO date (``YYYY-MM-DD``, years in range) through the cache, else ``None``."""
    if type(text) is not str or len(text) != 10 or text[4:8:3] != "--" or not text.isascii():
        return None
    try:
        day = _from_iso_date(text)
    except ValueError:
        return None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        return None
    if len(_DATES) >= _DATES_MAX:
        _DATES.clear()
    _DATES[text] = day
    return day


def parse_records(
    payloads: Iterable[Mapping[str, Any]],
    *,
    default_tz: _dt.tzinfo | None = None,
    extra_categories: Collection[str] = _EMPTY,
) -> tuple[ServiceRecord, ...]:
    """Read many records at once, all or nothing.

    Every payload is read (with the same rules as :func:`parse_record`); if any is malformed,
    one :class:`~volunteer_rules.RecordFormatError` lists every problem of every payload, with
    paths such as ``$[3].date`` (the index in ``payloads``).

    Args:
        payloads: the records, an iterable of JSON objects (not a single mapping).
        default_tz: as for :func:`parse_record`.
        extra_categories: as for :func:`parse_record`.

    Returns:
        The records, in the order given.

    Raises:
        RecordFormatError: some payload breaks the format.
        InvalidTypeError: ``default_tz`` or ``extra_categories`` is of the wrong type.

    Example:
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD as good
        >>> bad = dict(good, status="done")
        >>> len(vr.parse_records([good, good]))
        2
        >>> try:
        ...     vr.parse_records([good, bad])
        ... except vr.RecordFormatError as error:
        ...     print([(e.path, e.code) for e in error.errors])
        [('$[1].status', 'unknown_code')]
    """
    _check_default_tz(default_tz)
    codes = _CATEGORY_CODES
    checked: Collection[str] = _EMPTY
    if extra_categories is not _EMPTY:
        codes = _categories(extra_categories)
        checked = _CheckedCategories(codes)
        checked.codes = codes
    if isinstance(payloads, (str, bytes, Mapping)) or not isinstance(payloads, Iterable):
        raise RecordFormatError(
            [
                FieldError(
                    "$",
                    "invalid_type",
                    f"records must be an array of objects, not {_type_name(payloads)}",
                )
            ]
        )
    records: list[ServiceRecord] = []
    errors: list[FieldError] = []
    for index, payload in enumerate(payloads):
        if type(payload) is not dict:
            prefix = f"$[{index}]"
            if not isinstance(payload, Mapping):
                errors.append(
                    FieldError(
                        prefix,
                        "invalid_type",
                        f"a record must be a JSON object, not {_type_name(payload)}",
                    )
                )
                continue
            try:
                payload = dict(payload.items())
            except Exception:  # a broken mapping given by a caller
                errors.append(
                    FieldError(prefix, "invalid_type", "the record could not be read as an object")
                )
                continue
        try:
            records.append(parse_record(payload, default_tz=default_tz, extra_categories=checked))
        except RecordFormatError:
            # Read again for paths under this item: $[index]...
            try:
                records.append(_parse_safely(payload, default_tz, codes, f"$[{index}]"))
            except RecordFormatError as error:
                errors.extend(error.errors)
    if errors:
        raise RecordFormatError(errors, what="records")
    return tuple(records)


# --------------------------------------------------------------------------------------------
# dump_record

_isoformat: Final[Callable[[_dt.date], str]] = _dt.date.isoformat


def dump_record(record: ServiceRecord) -> dict[str, Any]:
    """Write a record in the canonical form of the record format v1.

    Optional fields that are absent are omitted (never ``null``); ``group_service`` appears
    only when ``true``; date-times keep the offset they came with (seconds always,
    microseconds only when not zero); ``extensions`` is a fresh copy of what was given.
    ``parse_record(dump_record(r)) == r`` for every valid record.

    Args:
        record: a :class:`ServiceRecord`.

    Returns:
        A new ``dict`` of JSON values, fields in the documented order.

    Raises:
        InvalidTypeError: ``record`` is not a :class:`ServiceRecord`.

    Example:
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD as payload
        >>> vr.dump_record(vr.parse_record(payload)) == payload
        True
    """
    if type(record) is not ServiceRecord and not isinstance(record, ServiceRecord):
        raise InvalidTypeError("record", f"must be a ServiceRecord, not {type(record).__name__}")
    out: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "record_id": record.record_id,
        "volunteer_id": record.volunteer_id,
        "organization_id": record.organization_id,
        "activity_name": record.activity_name,
        "service_category": record.service_category,
        "content": record.content,
        "place": record.place,
        "region_code": record.region_code.code,
        "date": _isoformat(record.date),
    }
    start = record.start
    if start is not None:
        out["start"] = start.isoformat()
    end = record.end
    if end is not None:
        out["end"] = end.isoformat()
    out["service_minutes"] = record.service.minutes
    out["person_in_charge"] = record.person_in_charge
    out["recorded_by"] = record.recorded_by
    out["recorded_at"] = record.recorded_at.isoformat()
    out["status"] = record.status
    evaluation = record.evaluation
    if evaluation is not None:
        out["evaluation"] = {"rating": evaluation.rating, "date": _isoformat(evaluation.date)}
    if record.beneficiary is not None:
        out["beneficiary"] = record.beneficiary
    if record.group_service:
        out["group_service"] = True
    if record.amends is not None:
        out["amends"] = record.amends
    if record.extensions is not None:
        out["extensions"] = _thaw(record.extensions)
    return out
