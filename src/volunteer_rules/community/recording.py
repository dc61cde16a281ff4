"""Records from attendance, and the person in charge's verification within 10 working days.

:func:`attendance_records` makes service records in format v1 from the attendance
(``submitted``), each carrying the extension :data:`CAPTURE_EXTENSION` that keeps hours
**captured by check-in** apart from hours **entered by an administrator** (a correction).
A correction that arrives after a record was made gives an **amendment** (``amends``), never
a changed record. :func:`verify_records` is the person in charge's verification: it marks the
records ``verified`` and says whether they are within the 10-working-day rule of MCA Order 67
Art. 11 (:func:`~volunteer_rules.late_deadline`, the rule the record checks apply).

Example:
    >>> from volunteer_rules.testing.community_examples import sample_project, sample_records
    >>> [capture_method(r) for r in sample_records(sample_project())]
    ['check_in', 'administrator']
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from typing import Any, Final

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import require_aware, require_iterable
from volunteer_rules.community.attendance import Attendance
from volunteer_rules.community.project import Project
from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.matching.registration import Reason
from volunteer_rules.records.calendar import (
    CHINA_WORKING_DAYS,
    WorkingDayCalendar,
    calendar_version,
)
from volunteer_rules.records.record import ServiceRecord, dump_record, parse_record
from volunteer_rules.rules.checks import activity_end_date, late_deadline, recorded_date

__all__ = [
    "CAPTURE_EXTENSION",
    "CAPTURE_METHODS",
    "Verification",
    "attendance_records",
    "capture_method",
    "verify_records",
]

CAPTURE_EXTENSION: Final = "volunteer_rules.capture"
"""The ``extensions`` key of records made from attendance (documented in record-format.md)."""

CAPTURE_METHODS: Final[Mapping[str, str]] = {
    "check_in": "times captured by check-in and check-out (a device or a person)",
    "administrator": "times entered by an administrator (a correction, with a reason)",
}
"""How a record's times were captured (``extensions["volunteer_rules.capture"]["method"]``)."""


def _iso(moment: _dt.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _in_offset(moment: _dt.datetime, like: _dt.datetime | None) -> _dt.datetime:
    """``moment`` in ``like``'s offset (as it is without ``like``).

    Within a day of the calendar's ends (years 1 and 9999) the offset may move it out of the
    calendar; it is then kept as it is: its date is as far from any record's as the other.
    """
    if like is None:
        return moment
    try:
        return moment.astimezone(like.tzinfo)
    except OverflowError:
        return moment


def _capture(attendance: Attendance) -> dict[str, Any]:
    capture: dict[str, Any] = {
        "method": attendance.method,
        "project_id": attendance.project_id,
        "slot": attendance.slot,
    }
    if attendance.check_in is not None:
        capture["check_in"] = _iso(attendance.check_in)
    if attendance.method == "check_in":
        capture["check_out"] = _iso(attendance.check_out)
        capture["auto_check_out"] = attendance.auto_check_out
    else:
        capture["entered_by"] = attendance.corrected_by
        capture["reason"] = attendance.correction_reason
    return capture


def capture_method(record: ServiceRecord) -> str:
    """How a record's times were captured: ``check_in``, ``administrator`` or ``entered``.

    ``entered`` is a record without the :data:`CAPTURE_EXTENSION` (entered as a finished
    record, the way records came before projects). The extension is read as
    :func:`attendance_records` reads it: one that is not an object, or whose ``method`` is not
    the text of one of :data:`CAPTURE_METHODS` (an object, an array, a number), is ignored, and
    the record is ``entered``.

    Example:
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> capture_method(vr.parse_record(SAMPLE_RECORD_PAYLOAD))
        'entered'
        >>> odd = {CAPTURE_EXTENSION: {"method": {"check_in": True}}}
        >>> capture_method(vr.parse_record(dict(SAMPLE_RECORD_PAYLOAD, extensions=odd)))
        'entered'
    """
    if not isinstance(record, ServiceRecord):
        raise InvalidTypeError("record", "must be a ServiceRecord")
    extensions = record.extensions or {}
    capture = extensions.get(CAPTURE_EXTENSION)
    method = capture.get("method") if isinstance(capture, Mapping) else None
    if type(method) is str and method in CAPTURE_METHODS:
        return method
    return "entered"


def _base_id(project_id: str, slot: int, volunteer_id: str) -> str:
    record_id = f"{project_id}.{slot}.{volunteer_id}"
    if len(record_id) > 60:
        raise InvalidValueError(
            "volunteer_id", f"record id {record_id[:20]}... would exceed 60 characters"
        )
    return record_id


def attendance_records(
    project: Project,
    attendance: Iterable[Attendance],
    *,
    recorded_by: str,
    recorded_at: _dt.datetime,
    previous: Iterable[ServiceRecord] = (),
) -> tuple[ServiceRecord, ...]:
    """Service records (format v1, ``submitted``) for every attendance that counts.

    Each record's id is ``<project_id>.<slot>.<volunteer_id>``; its times are the counted
    times in the slot's offset; its ``extensions`` carry :data:`CAPTURE_EXTENSION` (how the
    times were captured, the times given, and any automatic check-out). ``previous`` are the
    project's records already made: an attendance whose record exists with the same times
    and minutes gives nothing; one that changed (a later correction) gives an amendment
    ``<id>.c<n>`` with ``amends`` set.

    Raises:
        InvalidValueError: bad arguments; an attendance of another project.
        RecordFormatError: the record cannot be made valid (such as ``recorded_at`` before
            the end of the slot).

    Example:
        >>> from datetime import timedelta
        >>> from volunteer_rules.community.attendance import tally_attendance
        >>> from volunteer_rules.testing.community_examples import (
        ...     sample_attendance_events, sample_project, sample_roster)
        >>> project = sample_project()
        >>> later = project.slot(0).end + timedelta(days=1)
        >>> tallied = tally_attendance(project, sample_roster(project), sample_attendance_events(), now=later)
        >>> records = attendance_records(project, tallied, recorded_by="李雷", recorded_at=later)
        >>> [(r.record_id, r.service.minutes, capture_method(r), r.status) for r in records]
        [('PRJ-2024-06.0.V1', 120, 'check_in', 'submitted'), ('PRJ-2024-06.0.V2', 105, 'administrator', 'submitted')]
    """
    if not isinstance(project, Project):
        raise InvalidTypeError("project", "must be a Project")
    require_aware(recorded_at, "recorded_at")
    if not isinstance(recorded_by, str) or not recorded_by.strip():
        raise InvalidValueError("recorded_by", "must name who records")
    chains: dict[tuple[int, str], list[ServiceRecord]] = {}
    for record in require_iterable(previous, "previous", "must be an iterable of ServiceRecord"):
        if not isinstance(record, ServiceRecord):
            raise InvalidTypeError("previous", f"holds a {type(record).__name__}")
        capture = (record.extensions or {}).get(CAPTURE_EXTENSION)
        if (
            record.organization_id != project.organization_id
            or not isinstance(capture, Mapping)
            or capture.get("project_id") != project.project_id
            or type(capture.get("slot")) is not int
        ):
            continue
        chains.setdefault((capture["slot"], record.volunteer_id), []).append(record)
    out: list[ServiceRecord] = []
    for item in require_iterable(attendance, "attendance", "must be an iterable of Attendance"):
        if not isinstance(item, Attendance):
            raise InvalidTypeError("attendance", f"holds a {type(item).__name__}")
        if item.project_id != project.project_id:
            raise InvalidValueError("attendance", f"is of project {item.project_id}")
        if not item.counts or item.start is None or item.end is None:
            continue
        base = _base_id(project.project_id, item.slot, item.volunteer_id)
        payload: dict[str, Any] = {
            "format_version": 1,
            "record_id": base,
            "volunteer_id": item.volunteer_id,
            "organization_id": project.organization_id,
            "activity_name": project.activity_name,
            "service_category": project.demand.service_category,
            "content": project.content,
            "place": project.place,
            "region_code": project.demand.region.code,
            "date": item.start.date().isoformat(),
            "start": item.start.isoformat(),
            "end": item.end.isoformat(),
            "service_minutes": item.minutes,
            "person_in_charge": project.person_in_charge,
            "recorded_by": recorded_by,
            "recorded_at": recorded_at.isoformat(),
            "status": "submitted",
            "extensions": {CAPTURE_EXTENSION: _capture(item)},
        }
        chain = chains.get((item.slot, item.volunteer_id), [])
        if chain:
            amended = {r.amends for r in chain}
            last = max(
                (r for r in chain if r.record_id not in amended),
                key=lambda r: (r.recorded_at, r.record_id),
            )
            if (
                last.start == item.start
                and last.end == item.end
                and last.service.minutes == item.minutes
            ):
                continue
            payload["record_id"] = f"{base}.c{len(chain)}"
            payload["amends"] = last.record_id
        out.append(parse_record(payload))
    return tuple(out)


@masked_repr
@attrs.frozen(kw_only=True)
class Verification:
    """The person in charge's verification of one record.

    Attributes:
        record: the verified record (``status="verified"``), or ``None`` when refused.
        deadline: the last day the record is on time (10 working days after the activity).
        late: entered or verified after the deadline (the record checks flag it ``late``).
        reasons: why it was not verified (``not_person_in_charge``), else ``()``.
        calendar_version: the working-day calendar data the deadline rests on
            (:func:`~volunteer_rules.records.calendar_version`); ``None`` for a calendar that
            does not say.

    Example:
        >>> from datetime import date
        >>> Verification(record=None, deadline=date(2024, 6, 19)).late
        False
    """

    record: ServiceRecord | None
    deadline: _dt.date
    late: bool = False
    reasons: tuple[Reason, ...] = ()
    calendar_version: str | None = None


def verify_records(
    records: Iterable[ServiceRecord],
    *,
    verified_by: str,
    at: _dt.datetime,
    calendar: WorkingDayCalendar = CHINA_WORKING_DAYS,
) -> tuple[Verification, ...]:
    """Verify submitted records as their person in charge: ``verified``, with the deadline.

    Only the record's own ``person_in_charge`` verifies it (else ``not_person_in_charge``).
    The verified record keeps ``recorded_at`` and adds ``verified_by`` and ``verified_at`` to
    its :data:`CAPTURE_EXTENSION` (a record without that extension gets one holding only these
    two). ``late`` is whether the record was entered, or is verified, after
    :func:`~volunteer_rules.late_deadline` of the day the activity ended.

    Example:
        >>> from datetime import timedelta
        >>> from volunteer_rules.testing.community_examples import sample_project, sample_records
        >>> project = sample_project()
        >>> checked = verify_records(sample_records(project), verified_by="王芳",
        ...                          at=project.slot(0).end + timedelta(days=3))
        >>> [(v.record.status, v.late, v.deadline.isoformat()) for v in checked]
        [('verified', False, '2024-06-20'), ('verified', False, '2024-06-20')]
    """
    require_aware(at, "at")
    if not isinstance(verified_by, str) or not verified_by.strip():
        raise InvalidValueError("verified_by", "must name the person in charge")
    out: list[Verification] = []
    version = calendar_version(calendar)
    for record in require_iterable(records, "records", "must be an iterable of ServiceRecord"):
        if not isinstance(record, ServiceRecord):
            raise InvalidTypeError("records", f"holds a {type(record).__name__}")
        deadline = late_deadline(activity_end_date(record), calendar=calendar)
        local = _in_offset(at, record.end)
        late = recorded_date(record) > deadline or local.date() > deadline
        if record.person_in_charge != verified_by.strip():
            reason = Reason(
                code="not_person_in_charge",
                message=f"{record.record_id} is verified by its person in charge",
                source="[MCA2020 Art 7]",
            )
            out.append(
                Verification(
                    record=None,
                    deadline=deadline,
                    late=late,
                    reasons=(reason,),
                    calendar_version=version,
                )
            )
            continue
        payload = dump_record(record)
        extensions = dict(payload.get("extensions") or {})
        found = extensions.get(CAPTURE_EXTENSION)
        capture = dict(found) if isinstance(found, Mapping) else {}  # else read as absent
        capture["verified_by"] = verified_by.strip()
        capture["verified_at"] = at.isoformat()
        extensions[CAPTURE_EXTENSION] = capture
        payload.update(status="verified", extensions=extensions)
        out.append(
            Verification(
                record=parse_record(payload),
                deadline=deadline,
                late=late,
                calendar_version=version,
            )
        )
    return tuple(out)
