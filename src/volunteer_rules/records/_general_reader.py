"""The general reader of a service record: every field, every rule, every problem reported.

:func:`read_reporting_every_problem` reads a payload field by field in the documented order
(with the readers of :mod:`volunteer_rules.records._fields`), then checks the rules between
fields, each in a step named after it; if anything is wrong, one
:class:`~volunteer_rules.RecordFormatError` lists every problem. It accepts whatever is valid
in any form (text with spaces around it, ``Z`` for UTC, microseconds, a ``default_tz``).
:func:`~volunteer_rules.parse_record` calls it for every payload its canonical reader declines.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Collection, Mapping
from typing import Any, Final

from volunteer_rules.errors import FieldError, RecordFormatError
from volunteer_rules.hours import Hours
from volunteer_rules.records._fields import (
    CONTENT_MAX,
    MAX_MINUTES,
    NAME_MAX,
    PERSON_MAX,
    Problems,
    read_choice,
    read_date,
    read_datetime,
    read_evaluation,
    read_identifier,
    read_minutes,
    read_organization_id,
    read_region,
    read_text,
    read_volunteer_id,
)
from volunteer_rules.records._json import freeze, type_name, unknown_field
from volunteer_rules.records._wording import version_problem, wrong_type
from volunteer_rules.records.service_record import (
    FIELDS,
    FORMAT_VERSION,
    STATUSES,
    Evaluation,
    ServiceRecord,
    unchecked_record,
)

_KNOWN_FIELDS: Final = frozenset(FIELDS)
_STATUS_SET: Final = frozenset(STATUSES)
_HOURS_BY_MINUTE: Final = tuple(Hours.from_minutes(m) for m in range(MAX_MINUTES + 1))
_MINUTE_SPANS: Final = tuple(_dt.timedelta(minutes=m) for m in range(MAX_MINUTES + 1))


def read_reporting_every_problem(
    m: dict[Any, Any],
    default_tz: _dt.tzinfo | None,
    categories: Collection[str],
    prefix: str,
) -> ServiceRecord:
    """:func:`_read_fields`, with any other error turned into a ``RecordFormatError``.

    JSON values never fail on their own, but a caller's Python objects can: a value whose
    ``__eq__``, ``__hash__``, ``__repr__`` or ``__getitem__`` raises is not a JSON value.
    """
    try:
        return _read_fields(m, default_tz, categories, prefix)
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


def _read_fields(
    m: dict[Any, Any],
    default_tz: _dt.tzinfo | None,
    categories: Collection[str],
    prefix: str,
) -> ServiceRecord:
    """Every field in the documented order, then the rules between fields; all problems."""
    get = m.get
    problems = Problems(prefix)
    _check_version(get("format_version"), problems)
    _report_unknown_fields(m, problems)
    record_id = read_identifier(get("record_id"), "record_id", problems)
    volunteer_id = read_volunteer_id(get("volunteer_id"), problems)
    organization_id = read_organization_id(get("organization_id"), problems)
    activity_name = read_text(get("activity_name"), "activity_name", NAME_MAX, problems)
    category = read_choice(get("service_category"), "service_category", categories, problems)
    content = read_text(get("content"), "content", CONTENT_MAX, problems)
    place = read_text(get("place"), "place", NAME_MAX, problems)
    region = read_region(get("region_code"), problems)
    day = read_date(get("date"), "date", problems)
    start, end = _read_interval(get("start"), get("end"), day, default_tz, problems)
    minutes = read_minutes(get("service_minutes"), problems)
    _check_minutes_fit_the_interval(minutes, start, end, problems)
    person_in_charge = read_text(get("person_in_charge"), "person_in_charge", PERSON_MAX, problems)
    recorded_by = read_text(get("recorded_by"), "recorded_by", PERSON_MAX, problems)
    recorded_at = read_datetime(get("recorded_at"), "recorded_at", default_tz, problems)
    _check_recorded_after_the_service(recorded_at, start, end, day, problems)
    status = read_choice(get("status"), "status", _STATUS_SET, problems)
    evaluation = _read_evaluation_after(get("evaluation"), day, problems)
    beneficiary = read_text(get("beneficiary"), "beneficiary", NAME_MAX, problems, required=False)
    group_service = _read_group_service(get("group_service"), problems)
    amends = _read_amends(get("amends"), record_id, problems)
    extensions = _read_extensions(get("extensions"), problems)
    if problems.errors:
        raise RecordFormatError(problems.errors)
    return unchecked_record(
        record_id,  # type: ignore[arg-type]
        volunteer_id,  # type: ignore[arg-type]
        organization_id,  # type: ignore[arg-type]
        activity_name,  # type: ignore[arg-type]
        category,  # type: ignore[arg-type]
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


def _check_version(version: object, problems: Problems) -> None:
    """A ``format_version`` other than 1 stops the reading: the other rules are version 1's."""
    problem = version_problem(version, FORMAT_VERSION)
    if problem is None:
        return
    problems.add("format_version", *problem)
    raise RecordFormatError(problems.errors)


def _report_unknown_fields(m: dict[Any, Any], problems: Problems) -> None:
    for key in m:
        if key not in _KNOWN_FIELDS:
            problems.errors.append(unknown_field(problems.prefix, key, "record format v1"))


def _read_interval(
    start_value: object,
    end_value: object,
    day: _dt.date | None,
    default_tz: _dt.tzinfo | None,
    problems: Problems,
) -> tuple[_dt.datetime | None, _dt.datetime | None]:
    """``start`` and ``end``: both or neither, end after start, on the activity's date."""
    if start_value is None and end_value is None:
        return None, None
    start = end = None
    if start_value is None:
        problems.add("start", "missing", "start is required when end is given")
    else:
        start = read_datetime(start_value, "start", default_tz, problems)
    if end_value is None:
        problems.add("end", "missing", "end is required when start is given")
    else:
        end = read_datetime(end_value, "end", default_tz, problems)
    if start is not None and end is not None:
        if not end > start:
            problems.add("end", "inconsistent", "end must be after start")
        if day is not None and start.date() != day:
            problems.add(
                "date",
                "inconsistent",
                f"date {day.isoformat()} is not the local date of start "
                f"({start.date().isoformat()})",
            )
    return start, end


def _check_minutes_fit_the_interval(
    minutes: int | None,
    start: _dt.datetime | None,
    end: _dt.datetime | None,
    problems: Problems,
) -> None:
    """Service time (travel excluded) is at most the time from start to end."""
    if minutes is None or start is None or end is None or not end > start:
        return
    if _MINUTE_SPANS[minutes] > end - start:
        problems.add(
            "service_minutes",
            "inconsistent",
            f"service_minutes {minutes} is longer than the interval from start to end",
        )


def _check_recorded_after_the_service(
    recorded_at: _dt.datetime | None,
    start: _dt.datetime | None,
    end: _dt.datetime | None,
    day: _dt.date | None,
    problems: Problems,
) -> None:
    """A record is entered after the service: not before ``end``, or before its date."""
    if recorded_at is None:
        return
    if start is not None and end is not None:
        if recorded_at < end:
            problems.add("recorded_at", "inconsistent", "recorded_at must not be before end")
    elif day is not None and recorded_at.date() < day:
        problems.add(
            "recorded_at",
            "inconsistent",
            "recorded_at must not be before the activity's date",
        )


def _read_evaluation_after(
    value: object, day: _dt.date | None, problems: Problems
) -> Evaluation | None:
    """The evaluation, if given; it is not dated before the activity."""
    if value is None:
        return None
    evaluation = read_evaluation(value, problems)
    if evaluation is not None and day is not None and evaluation.date < day:
        problems.add_path(
            problems.prefix + ".evaluation.date",
            "inconsistent",
            "the evaluation's date must not be before the activity's date",
        )
    return evaluation


def _read_group_service(value: object, problems: Problems) -> bool:
    if value is None:
        return False
    if value is True or value is False:
        return value
    problems.add(
        "group_service", "invalid_type", wrong_type("group_service", "true or false", value)
    )
    return False


def _read_amends(value: object, record_id: str | None, problems: Problems) -> str | None:
    """The record this one corrects, if any: never itself."""
    amends = read_identifier(value, "amends", problems, required=False)
    if amends is not None and amends == record_id:
        problems.add("amends", "inconsistent", "a record cannot amend itself")
    return amends


def _read_extensions(value: object, problems: Problems) -> Mapping[str, Any] | None:
    """Integrator data: an object of JSON values, kept frozen."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        problems.add(
            "extensions",
            "invalid_type",
            f"extensions must be an object, not {type_name(value)}",
        )
        return None
    found: list[FieldError] = []
    extensions: Mapping[str, Any] = freeze(value, problems.prefix + ".extensions", 0, found)
    problems.errors.extend(found)
    return extensions
