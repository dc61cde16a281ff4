"""The recording deadline (MCA Order 67, Art. 11): within 10 working days of the activity's end.

:func:`late_deadline` is the last day on time; :func:`is_late` applies the bare date rule to a
record, from :data:`LATE_RULE_FROM` on; :func:`activity_end_date` and :func:`recorded_date`
are the local dates it compares. :func:`~volunteer_rules.rules.checks.check_records` reports
late original entries; :mod:`volunteer_rules.rules.checks` re-exports these names.

Example:
    >>> from datetime import date
    >>> late_deadline(date(2024, 5, 1))
    datetime.date(2024, 5, 16)
"""

from __future__ import annotations

import datetime as _dt
from typing import Final

from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.records.calendar import (
    CHINA_WORKING_DAYS,
    WorkingDayCalendar,
    add_working_days,
)
from volunteer_rules.records.record import ServiceRecord

__all__ = [
    "LATE_RULE_FROM",
    "LATE_WORKING_DAYS",
    "activity_end_date",
    "is_late",
    "late_deadline",
    "recorded_date",
]

LATE_RULE_FROM: Final = _dt.date(2021, 2, 1)
"""The day MCA Order 67 came into force: activities that ended on or after it must be recorded
(service and evaluation) within :data:`LATE_WORKING_DAYS`; earlier ones have no deadline."""

LATE_WORKING_DAYS: Final = 10
"""Working days an organization has to record an activity after it ends (MCA Order 67, Art. 11:
"10个工作日内")."""


def activity_end_date(record: ServiceRecord) -> _dt.date:
    """The local date the activity ended: the date of ``end`` in its own offset, else ``date``.

    An overnight activity (``2024-05-01T22:00+08:00`` to ``2024-05-02T02:00+08:00``) ends on
    2024-05-02.

    Example:
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> activity_end_date(vr.parse_record(SAMPLE_RECORD_PAYLOAD))
        datetime.date(2024, 5, 1)
    """
    end = record.end
    return record.date if end is None else end.date()


def recorded_date(record: ServiceRecord) -> _dt.date:
    """The local date of ``recorded_at``, in the place's offset where the record shows one.

    With an interval, ``recorded_at`` is converted to the offset of ``end`` (the place's
    local time) first, so ``2024-05-02T17:00:00Z`` recorded for an activity in Panjin
    (``+08:00``) is entered on 2024-05-03. Without an interval, the offset ``recorded_at``
    carries is taken as local.

    Example:
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> recorded_date(vr.parse_record(SAMPLE_RECORD_PAYLOAD))
        datetime.date(2024, 5, 2)
    """
    end = record.end
    recorded_at = record.recorded_at
    if end is not None and end.tzinfo is not None:
        recorded_at = recorded_at.astimezone(end.tzinfo)
    return recorded_at.date()


def late_deadline(
    day: _dt.date,
    *,
    calendar: WorkingDayCalendar = CHINA_WORKING_DAYS,
    working_days: int = LATE_WORKING_DAYS,
) -> _dt.date:
    """The last day a record of an activity that ended on ``day`` is on time (inclusive).

    That is the ``working_days``-th working day after ``day`` (``day`` itself never counts,
    MCA Order 67, Art. 11: "活动结束后10个工作日内"). A record entered on the deadline is on
    time; entered the day after, it is late.

    Args:
        day: the local date the activity ended (:func:`activity_end_date`).
        calendar: which days are working days (default: mainland China's).
        working_days: the allowance (default :data:`LATE_WORKING_DAYS`, 10).

    Returns:
        the deadline, inclusive.

    Raises:
        InvalidTypeError: ``day`` is not a date or ``calendar`` is not a calendar.
        InvalidValueError: ``working_days`` is negative, or the deadline cannot be computed.

    Example:
        >>> from datetime import date
        >>> late_deadline(date(2024, 9, 27))  # across the 2024 National Day holiday
        datetime.date(2024, 10, 16)
    """
    if not isinstance(working_days, int) or isinstance(working_days, bool):
        raise InvalidTypeError("working_days", "working_days must be an int")
    if working_days < 0:
        raise InvalidValueError("working_days", "working_days must not be negative")
    return add_working_days(day, working_days, calendar=calendar)


def is_late(
    record: ServiceRecord,
    *,
    calendar: WorkingDayCalendar = CHINA_WORKING_DAYS,
    working_days: int = LATE_WORKING_DAYS,
) -> bool:
    """Whether ``record`` was entered or evaluated after its deadline (MCA Order 67, Art. 11).

    Late means: the activity ended on or after :data:`LATE_RULE_FROM` (2021-02-01, when the
    order came into force), and :func:`recorded_date`, or the date of the record's evaluation,
    is after :func:`late_deadline` of :func:`activity_end_date`. This is the bare date rule,
    for any record; :func:`check_records` applies it only to original entries (see there).

    Args:
        record: the record.
        calendar: which days are working days (default: mainland China's).
        working_days: the allowance (default 10).

    Returns:
        ``True`` when late.

    Raises:
        InvalidTypeError: ``record`` is not a :class:`ServiceRecord`.

    Example:
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> is_late(vr.parse_record(SAMPLE_RECORD_PAYLOAD))
        False
    """
    if not isinstance(record, ServiceRecord):
        raise InvalidTypeError("record", "record must be a ServiceRecord")
    ended = activity_end_date(record)
    if ended < LATE_RULE_FROM:
        return False
    deadline = late_deadline(ended, calendar=calendar, working_days=working_days)
    evaluation = record.evaluation
    return recorded_date(record) > deadline or (
        evaluation is not None and evaluation.date > deadline
    )
