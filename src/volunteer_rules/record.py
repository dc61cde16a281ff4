"""The volunteer service record (志愿服务记录中的服务信息), format version 1.

A :class:`ServiceRecord` is one service entry as MCA Order 67 (志愿服务记录与证明出具办法（试行）,
2020), Art. 7 describes it: activity name, date, place, content, service time, organising unit
and person in charge, plus what a machine needs to check a record (ids, status, time stamps).
The wire form is specified in ``docs/record-format.md``.

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

from volunteer_rules.hours import Hours
from volunteer_rules.region import RegionCode

__all__ = [
    "FORMAT_VERSION",
    "RATINGS",
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


def _aware(
    instance: object, attribute: attrs.Attribute[Any], value: _dt.datetime | None
) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(f"{attribute.name} must be a time-zone-aware datetime")


@attrs.frozen(kw_only=True)
class Evaluation:
    """The evaluation of a service entry (评价情况): a rating and the day it was given.

    Attributes:
        rating: ``excellent``, ``good``, ``pass`` or ``fail``.
        date: the day of the evaluation.

    Example:
        >>> from datetime import date
        >>> Evaluation(rating="good", date=date(2024, 5, 3)).rating
        'good'
    """

    rating: str = attrs.field(validator=attrs.validators.in_(RATINGS))
    date: _dt.date = attrs.field(validator=attrs.validators.instance_of(_dt.date))


@attrs.frozen(kw_only=True)
class ServiceRecord:
    """One volunteer service entry, as the record format v1 describes it.

    Records are immutable: a correction is a new record whose ``amends`` names the record it
    corrects (MCA Order 67, Art. 13). Build records from payloads with
    :func:`~volunteer_rules.parse_record`; the constructor checks types only, the parser checks
    every rule of the format.

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
        extensions: integrator data, kept as it came (JSON values), or ``None``.

    Example:
        >>> import volunteer_rules as vr
        >>> record = vr.parse_record(vr.testing.examples.SAMPLE_RECORD_PAYLOAD)
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
    date: _dt.date = attrs.field(validator=attrs.validators.instance_of(_dt.date))
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
    group_service: bool = attrs.field(
        default=False, validator=attrs.validators.instance_of(bool)
    )
    amends: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(str))
    )
    extensions: Mapping[str, Any] | None = attrs.field(default=None, hash=False)

    @property
    def key(self) -> tuple[str, str]:
        """``(organization_id, record_id)``: the record's identity and idempotency key.

        Example:
            >>> import volunteer_rules as vr
            >>> vr.parse_record(vr.testing.examples.SAMPLE_RECORD_PAYLOAD).key
            ('512111005000000154', 'r-2024-0001')
        """
        return (self.organization_id, self.record_id)

    @property
    def recorded_order(self) -> tuple[_dt.datetime, str]:
        """The sort key of recorded order: ``recorded_at``, then ``record_id``.

        Example:
            >>> import volunteer_rules as vr
            >>> vr.parse_record(vr.testing.examples.SAMPLE_RECORD_PAYLOAD).recorded_order[1]
            'r-2024-0001'
        """
        return (self.recorded_at, self.record_id)
