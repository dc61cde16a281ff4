"""The service record (志愿服务记录中的服务信息) of format version 1, as a value.

A :class:`ServiceRecord` is one service entry as MCA Order 67 (志愿服务记录与证明出具办法（试行）,
2020), Art. 7 describes it (docs/sources.md, [MCA2020]): activity name, date, place,
content, service time, organising unit and person in charge, plus what a machine needs to
check a record (ids, status, time stamps). This module holds the value classes and the
vocabularies of the format; :mod:`volunteer_rules.records.parsing` reads the wire form
(``docs/record-format.md``) and :mod:`volunteer_rules.records.dumping` writes it.

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
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any, Final

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import aware_datetime, instance_of, one_of
from volunteer_rules.errors import FieldError, InvalidTypeError, InvalidValueError
from volunteer_rules.hours import Hours
from volunteer_rules.records._json import MAX_EXTENSION_DEPTH, freeze
from volunteer_rules.records.region import RegionCode

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

# The classes


def _freeze_extensions(value: object) -> Mapping[str, Any] | None:
    """Attrs converter: deep-freeze ``extensions`` (``None`` stays ``None``)."""
    if value is None:
        return None
    problems: list[FieldError] = []
    frozen = freeze(value, "$.extensions", 0, problems)
    if problems:
        raise InvalidValueError("extensions", problems[0].message)
    if not isinstance(frozen, Mapping):
        raise InvalidTypeError("extensions", "must be a mapping of JSON values")
    return frozen


@masked_repr
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

    rating: str = attrs.field(validator=one_of(RATINGS))
    date: _dt.date = attrs.field(validator=instance_of(_dt.date))


_MINUTE: Final = _dt.timedelta(minutes=1)

# The rules between fields (docs/record-format.md): the parser checks each on every record, and
# so does the constructor, each as the validator of the later field (attrs runs validators in
# field order, after every field is set, so the earlier fields are already of the right type).


def _interval_rules(record: ServiceRecord, attribute: Any, end: _dt.datetime | None) -> None:
    """``start`` and ``end`` both or neither, ``end`` after ``start``, ``date`` the start's."""
    start = record.start
    if start is None and end is None:
        return
    if start is None:
        raise InvalidValueError("start", "is required when end is given")
    if end is None:
        raise InvalidValueError("end", "is required when start is given")
    if not end > start:
        raise InvalidValueError("end", "must be after start")
    if start.date() != record.date:
        raise InvalidValueError(
            "date",
            f"must be the local date of start ({start.date().isoformat()}), "
            f"not {record.date.isoformat()}",
        )


def _service_within_the_interval(record: ServiceRecord, attribute: Any, service: Hours) -> None:
    """Service time (travel excluded) is at most the time from ``start`` to ``end``."""
    start, end = record.start, record.end
    # Whole minutes of the interval, floored: n <= the interval exactly when n <= its floor.
    if start is not None and end is not None and service.minutes > (end - start) // _MINUTE:
        raise InvalidValueError(
            "service", f"{service.minutes} minutes is longer than the interval from start to end"
        )


def _recorded_after_the_service(
    record: ServiceRecord, attribute: Any, recorded_at: _dt.datetime
) -> None:
    """A record is entered after the service: not before ``end``, or before its date."""
    if record.end is not None:
        if recorded_at < record.end:
            raise InvalidValueError("recorded_at", "must not be before end")
    elif recorded_at.date() < record.date:
        raise InvalidValueError("recorded_at", "must not be before the activity's date")


def _evaluated_after_the_activity(
    record: ServiceRecord, attribute: Any, evaluation: Evaluation | None
) -> None:
    """The evaluation is not dated before the activity."""
    if evaluation is not None and evaluation.date < record.date:
        raise InvalidValueError("evaluation.date", "must not be before the activity's date")


def _not_amending_itself(record: ServiceRecord, attribute: Any, amends: str | None) -> None:
    """A record corrects another record, never itself."""
    if amends is not None and amends == record.record_id:
        raise InvalidValueError("amends", "a record cannot amend itself")


@masked_repr
@attrs.frozen(kw_only=True, weakref_slot=False)
class ServiceRecord:
    """One volunteer service entry, as the record format v1 describes it.

    Records are immutable: a correction is a new record whose ``amends`` names the record it
    corrects (MCA Order 67, Art. 13). Build records from payloads with
    :func:`~volunteer_rules.parse_record`, which checks every rule of the format and reports
    every problem at once. The constructor checks the types and the rules between fields that
    the format asks of every record (``docs/record-format.md``): ``start`` and ``end`` both or
    neither, ``end`` after ``start``, ``date`` the local date of ``start``, ``service`` no
    longer than the interval, ``recorded_at`` not before ``end`` (or ``date``), the
    evaluation not dated before ``date``, and ``amends`` not the record's own ``record_id``;
    it raises :class:`~volunteer_rules.InvalidValueError` naming the field at the first one
    broken. The rules of one field (lengths, id shapes, the category vocabulary, the range of
    ``service``) are the parser's.

    Two records are equal when every field is; date-times compare as instants, so the same
    moment written with two offsets is equal (``dump_record`` keeps the offset each came with).
    ``extensions`` is deep-frozen (objects become read-only mappings, arrays tuples) and does
    not take part in the hash.

    Attributes:
        record_id: unique within the recording organization.
        volunteer_id: the volunteer's unified number (志愿者统一编号), never an ID-card number
            or a mobile number (the readers refuse both).
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
        >>> import attrs
        >>> attrs.evolve(record, amends=record.record_id)
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.InvalidValueError: amends: a record cannot amend itself
        >>> attrs.evolve(record, end=record.start)
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.InvalidValueError: end: must be after start
    """

    record_id: str = attrs.field(validator=instance_of(str))
    volunteer_id: str = attrs.field(validator=instance_of(str))
    organization_id: str = attrs.field(validator=instance_of(str))
    activity_name: str = attrs.field(validator=instance_of(str))
    service_category: str = attrs.field(validator=instance_of(str))
    content: str = attrs.field(validator=instance_of(str))
    place: str = attrs.field(validator=instance_of(str))
    region_code: RegionCode = attrs.field(validator=instance_of(RegionCode))
    date: _dt.date = attrs.field(validator=instance_of(_dt.date))
    start: _dt.datetime | None = attrs.field(validator=aware_datetime(optional=True))
    end: _dt.datetime | None = attrs.field(
        validator=[aware_datetime(optional=True), _interval_rules]
    )
    service: Hours = attrs.field(validator=[instance_of(Hours), _service_within_the_interval])
    person_in_charge: str = attrs.field(validator=instance_of(str))
    recorded_by: str = attrs.field(validator=instance_of(str))
    recorded_at: _dt.datetime = attrs.field(
        validator=[aware_datetime(), _recorded_after_the_service]
    )
    status: str = attrs.field(validator=one_of(STATUSES))
    evaluation: Evaluation | None = attrs.field(
        default=None,
        validator=[instance_of(Evaluation, optional=True), _evaluated_after_the_activity],
    )
    beneficiary: str | None = attrs.field(default=None, validator=instance_of(str, optional=True))
    group_service: bool = attrs.field(default=False, validator=instance_of(bool))
    amends: str | None = attrs.field(
        default=None, validator=[instance_of(str, optional=True), _not_amending_itself]
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


def unchecked_record(
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


def unchecked_evaluation(rating: str, date: _dt.date) -> Evaluation:
    """An evaluation from checked values, without the constructor's validators."""
    evaluation: Any = _new_object(_EvaluationSlots)
    evaluation.rating = rating
    evaluation.date = date
    evaluation.__class__ = Evaluation
    return evaluation  # type: ignore[no-any-return]
