"""Attendance: check-ins, check-outs and corrections, counted by the platform's rules.

On the day volunteers check in and out (:class:`AttendanceEvent`: times as a device or a
person gives them); an administrator's **correction** sets both times, with a reason, and is
kept next to the events it corrects, never in their place. :func:`tally_attendance` turns the
events into :class:`Attendance` values with the project's
:class:`~volunteer_rules.community.project.AttendanceRules`:

- only time inside the slot counts: no credit for arriving early or leaving late, so the
  hours never exceed the activity's duration;
- the minutes are those that passed (a slot across a change of the clocks, in a zone with
  summer time, counts the time that passed, not the time on the clock), and at most 1,440:
  a record holds at most a day, and no more count on the date it starts (the daily cap);
- a volunteer still checked in ``auto_check_out_minutes`` after checking in (default 24 h)
  is checked out automatically at that moment, and the record says so;
- attendance below ``minimum_share_percent`` of the slot (default 60 %) gives no record.

Example:
    >>> from volunteer_rules.testing.community_examples import sample_attendance_events
    >>> [e.kind for e in sample_attendance_events()][:2]
    ['check_in', 'check_in']
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import one_of, require_aware, require_iterable
from volunteer_rules.community.project import Project, Roster, _text, check_roster
from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.matching.demand import TimeSlot
from volunteer_rules.matching.registration import Reason
from volunteer_rules.matching.schedule import _fixed_offset as _fixed
from volunteer_rules.records._wire_reader import Reader
from volunteer_rules.rules.counting import DAILY_CAP_MINUTES

__all__ = [
    "ATTENDANCE_CODES",
    "ATTENDANCE_KINDS",
    "ATTENDANCE_SOURCES",
    "Attendance",
    "AttendanceEvent",
    "dump_attendance_event",
    "parse_attendance_event",
    "tally_attendance",
]

ATTENDANCE_KINDS: Final = ("check_in", "check_out", "correction")
"""Kinds of :class:`AttendanceEvent`."""

ATTENDANCE_SOURCES: Final = ("device", "person", "administrator")
"""Who gave an event's time: a device (QR code, app), a person (the person in charge), or an
administrator (corrections only)."""

ATTENDANCE_CODES: Final[Mapping[str, str]] = {
    "not_confirmed": "checked in without a confirmed sign-up for the slot",
    "no_check_in": "confirmed but never checked in",
    "still_checked_in": "checked in, not yet checked out, before the automatic check-out",
    "no_overlap": "the attendance does not overlap the slot",
    "below_minimum_share": "attended less than the minimum share of the slot",
}
"""Codes of the reasons an :class:`Attendance` gives no record."""

_ID: Final = re.compile(r"[A-Za-z0-9_\-]{1,24}")
_EVENT_ID: Final = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
_PROJECT_ID_SHAPE: Final = "1-24 letters, digits, '-' or '_'"


@masked_repr
@attrs.frozen(kw_only=True)
class AttendanceEvent:
    """A check-in, a check-out, or an administrator's correction.

    Attributes:
        event_id: a unique id (1-64 id characters): storing the same event twice is one event.
        project_id: the project.
        volunteer_id: who.
        slot: the slot index.
        kind: one of :data:`ATTENDANCE_KINDS`.
        at: for a check-in or check-out, its time; for a correction, when it was made.
        source: who gave the time (:data:`ATTENDANCE_SOURCES`); corrections come from an
            ``administrator``.
        by: the device id or the person's name.
        start: a correction's start time (else ``None``).
        end: a correction's end time (else ``None``).
        reason: why a correction was made (required for one).

    Raises:
        InvalidValueError: a correction without its times, reason or administrator; times on
            a check-in or check-out (:func:`parse_attendance_event` reports each as a
            :class:`~volunteer_rules.errors.FieldError` instead).

    Example:
        >>> from datetime import datetime, timezone
        >>> AttendanceEvent(event_id="e1", project_id="PRJ-1", volunteer_id="V1", slot=0,
        ...     kind="check_in", at=datetime(2024, 6, 5, 1, tzinfo=timezone.utc),
        ...     source="device", by="qr-01").kind
        'check_in'
    """

    event_id: str
    project_id: str
    volunteer_id: str
    slot: int
    kind: str = attrs.field(validator=one_of(ATTENDANCE_KINDS))
    at: _dt.datetime
    source: str = attrs.field(validator=one_of(ATTENDANCE_SOURCES))
    by: str = attrs.field(validator=_text)
    start: _dt.datetime | None = None
    end: _dt.datetime | None = None
    reason: str = ""

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.event_id, str) or not _EVENT_ID.fullmatch(self.event_id):
            raise InvalidValueError("event_id", "must be 1-64 letters, digits, -, _ or .")
        if not isinstance(self.project_id, str) or not _ID.fullmatch(self.project_id):
            raise InvalidValueError("project_id", "must be 1-24 letters, digits, - or _")
        if not isinstance(self.volunteer_id, str) or not _EVENT_ID.fullmatch(self.volunteer_id):
            raise InvalidValueError("volunteer_id", "must be 1-64 id characters")
        if type(self.slot) is not int or not 0 <= self.slot <= 1_000_000:
            raise InvalidValueError("slot", "must be a slot index (0 to 1,000,000)")
        require_aware(self.at, "at")
        if not isinstance(self.reason, str):
            raise InvalidTypeError("reason", "must be a string")
        if self.kind == "correction":
            if self.source != "administrator":
                raise InvalidValueError("source", "corrections are an administrator's")
            start = require_aware(self.start, "start")
            if require_aware(self.end, "end") <= start:
                raise InvalidValueError("end", "must be after start")
            if not self.reason.strip():
                raise InvalidValueError("reason", "a correction gives its reason")
        else:
            if self.start is not None or self.end is not None:
                raise InvalidValueError("start", "only a correction carries start and end")
            if self.source == "administrator":
                raise InvalidValueError("source", "check-ins come from a device or a person")


@masked_repr
@attrs.frozen(kw_only=True)
class Attendance:
    """One volunteer's attendance of one slot, as the rules count it.

    Attributes:
        project_id: the project.
        volunteer_id: who.
        slot: the slot index.
        start: the counted start (inside the slot), or ``None``.
        end: the counted end (inside the slot), or ``None``.
        minutes: whole minutes counted, at most 1,440 (``0`` when no record is due).
        share_percent: the share of the slot attended, rounded down.
        method: ``check_in`` or ``administrator`` (:data:`CAPTURE_METHODS`).
        auto_check_out: the volunteer was checked out automatically.
        check_in: the check-in time as given (``None`` when none).
        check_out: the check-out time as given, or the automatic one.
        corrected_by: the administrator of the correction used, or ``""``.
        correction_reason: its reason, or ``""``.
        reasons: why no record is due (:data:`ATTENDANCE_CODES`); ``()`` when one is.

    Example:
        >>> Attendance(project_id="P", volunteer_id="V1", slot=0).counts
        True
    """

    project_id: str
    volunteer_id: str
    slot: int
    start: _dt.datetime | None = None
    end: _dt.datetime | None = None
    minutes: int = 0
    share_percent: int = 0
    method: str = "check_in"
    auto_check_out: bool = False
    check_in: _dt.datetime | None = None
    check_out: _dt.datetime | None = None
    corrected_by: str = ""
    correction_reason: str = ""
    reasons: tuple[Reason, ...] = ()

    @property
    def counts(self) -> bool:
        """Whether a record is due (no reasons).

        Example:
            >>> Attendance(project_id="P", volunteer_id="V1", slot=0,
            ...            reasons=(Reason(code="no_check_in", message="absent"),)).counts
            False
        """
        return not self.reasons


def _reason(code: str, message: str) -> Reason:
    return Reason(code=code, message=message)


def _times(
    project: Project,
    slot: TimeSlot,
    volunteer_id: str,
    found: list[AttendanceEvent],
    now: _dt.datetime,
    limit: _dt.timedelta,
    reasons: list[Reason],
) -> dict[str, Any]:
    """One volunteer's times in one slot, as :class:`Attendance` fields; reasons appended.

    ``found`` is in order of the instants of ``at``; every time is compared and subtracted in
    fixed offsets, so a slot across a change of the clocks counts the minutes
    that passed.
    """
    corrections = [e for e in found if e.kind == "correction"]
    check_in = next((e.at for e in found if e.kind == "check_in"), None)
    check_out = None
    if check_in is not None:
        first = _fixed(check_in)
        outs = [e.at for e in found if e.kind == "check_out" and _fixed(e.at) > first]
        check_out = outs[-1] if outs else None
    auto = False
    fields: dict[str, Any] = {"check_in": check_in}
    if corrections:
        last = corrections[-1]
        start, end = last.start, last.end
        fields.update(method="administrator", corrected_by=last.by, correction_reason=last.reason)
    elif check_in is None:
        reasons.append(_reason("no_check_in", f"{volunteer_id} never checked in"))
        start = end = None
    else:
        start, end = check_in, check_out
        if end is None:
            # not check_in + limit <= now: that may pass year 9999
            if _fixed(now) - _fixed(check_in) >= limit:
                end, auto = _fixed(check_in) + limit, True
            else:
                reasons.append(_reason("still_checked_in", f"{volunteer_id} is still checked in"))
    fields.update(check_out=end if start is not None else None, auto_check_out=auto)
    if start is not None and end is not None:
        tz = slot.start.tzinfo
        slot_start, slot_end = _fixed(slot.start), _fixed(slot.end)
        clipped_start = max(_fixed(start), slot_start)
        clipped_end = min(_fixed(end), slot_end)
        minutes = max(0, int((clipped_end - clipped_start).total_seconds()) // 60)
        slot_minutes = int((slot_end - slot_start).total_seconds()) // 60
        share = minutes * 100 // slot_minutes
        if minutes == 0:
            reasons.append(_reason("no_overlap", f"{volunteer_id} was not there in the slot"))
        elif share < project.rules.minimum_share_percent:
            reasons.append(
                _reason(
                    "below_minimum_share",
                    f"{volunteer_id} attended {share}% of the slot, under "
                    f"{project.rules.minimum_share_percent}%",
                )
            )
        if minutes > 0:  # both inside the slot, so in its offset within the calendar
            fields.update(
                start=clipped_start.astimezone(tz),
                end=clipped_end.astimezone(tz),
                share_percent=share,
            )
        # a record holds at most a day's minutes, and no more count on its date
        fields["minutes"] = min(minutes, DAILY_CAP_MINUTES) if not reasons else 0
    return fields


def tally_attendance(
    project: Project,
    roster: Roster,
    events: Iterable[AttendanceEvent],
    *,
    now: _dt.datetime,
) -> tuple[Attendance, ...]:
    """Every confirmed volunteer's (and every walk-in's) attendance of the slots ended by ``now``.

    Events are taken in order of ``at``, then ``event_id``; those after ``now`` (a check-out,
    a correction made later) are not yet known and are left out, so a tally for a past
    moment is the tally made then, whatever came after. The latest correction of a
    volunteer's slot sets both times (``method="administrator"``); otherwise the first check-in
    and the last check-out after it count (``method="check_in"``), and a volunteer never
    checked out is checked out ``auto_check_out_minutes`` after checking in, once ``now`` is
    past that moment. Only the part inside the slot counts, in the minutes that passed, and
    at most 1,440 of them (the records' daily cap).

    Raises:
        InvalidValueError: an event of another project, or of a slot the project lacks.

    Example:
        >>> from volunteer_rules.testing.community_examples import (
        ...     sample_attendance_events, sample_project, sample_roster)
        >>> project = sample_project()
        >>> tallied = tally_attendance(project, sample_roster(project), sample_attendance_events(),
        ...                            now=project.slot(0).end + __import__("datetime").timedelta(days=2))
        >>> [(a.volunteer_id, a.minutes, a.method, [r.code for r in a.reasons]) for a in tallied]
        [('V1', 120, 'check_in', []), ('V2', 105, 'administrator', [])]
    """
    check_roster(project, roster)
    require_aware(now, "now")
    present = _fixed(now)
    by_key: dict[tuple[int, str], list[AttendanceEvent]] = {}
    for event in require_iterable(events, "events", "must be an iterable of AttendanceEvent"):
        if not isinstance(event, AttendanceEvent):
            raise InvalidTypeError("events", f"holds a {type(event).__name__}")
        if event.project_id != project.project_id:
            raise InvalidValueError("events", f"{event.event_id} is of {event.project_id}")
        project.slot(event.slot)
        if _fixed(event.at) <= present:  # later events are not yet known at ``now``
            by_key.setdefault((event.slot, event.volunteer_id), []).append(event)
    for entry in roster.entries:
        if entry.state == "confirmed":
            by_key.setdefault((entry.slot, entry.volunteer_id), [])
    limit = _dt.timedelta(minutes=project.rules.auto_check_out_minutes)
    out: list[Attendance] = []
    for (index, volunteer_id), found in sorted(by_key.items()):
        slot = project.slot(index)
        if _fixed(slot.end) > present:
            continue
        found.sort(key=lambda e: (_fixed(e.at), e.event_id))
        base = Attendance(project_id=project.project_id, volunteer_id=volunteer_id, slot=index)
        reasons: list[Reason] = []
        if roster.state_of(volunteer_id, index) != "confirmed":
            reasons.append(
                _reason("not_confirmed", f"{volunteer_id} has no confirmed place in slot {index}")
            )
        fields = _times(project, slot, volunteer_id, found, now, limit, reasons)
        out.append(attrs.evolve(base, reasons=tuple(reasons), **fields))
    return tuple(out)


_EVENT_FIELDS: Final = (
    "event_id",
    "project_id",
    "volunteer_id",
    "slot",
    "kind",
    "at",
    "source",
    "by",
    "start",
    "end",
    "reason",
)


def _check_correction(read: Reader, fields: Mapping[str, Any]) -> None:
    """The rules that tie an event's members together, as ``inconsistent`` problems.

    A correction is an administrator's, with a start, an end after it and a reason; a
    check-in or check-out comes from a device or a person and carries no start or end.
    """
    kind, source = fields["kind"], fields["source"]
    start, end = fields["start"], fields["end"]
    if kind == "correction":
        if source not in (None, "administrator"):
            read.add(read.path("source"), "inconsistent", "corrections are an administrator's")
        for key in ("start", "end"):
            if key not in read.data:
                read.add(read.path(key), "inconsistent", f"a correction gives its {key}")
        if start is not None and end is not None and end <= start:
            read.add(read.path("end"), "inconsistent", "end must be after start")
        reason = fields["reason"]
        if "reason" not in read.data or (reason is not None and not reason.strip()):
            read.add(read.path("reason"), "inconsistent", "a correction gives its reason")
    elif kind is not None:
        for key in ("start", "end"):
            if key in read.data:
                read.add(read.path(key), "inconsistent", "only a correction carries start and end")
        if source == "administrator":
            read.add(
                read.path("source"), "inconsistent", "check-ins come from a device or a person"
            )


def parse_attendance_event(payload: Mapping[str, Any]) -> AttendanceEvent:
    """Read an attendance event from its JSON form (:func:`dump_attendance_event`).

    Fields: ``event_id`` and ``volunteer_id`` (1-64 letters, digits, ``-``, ``_``, ``.``),
    ``project_id`` (1-24 letters, digits, ``-``, ``_``), ``slot`` (0 to 1,000,000), ``kind``
    (:data:`ATTENDANCE_KINDS`), ``at`` (an ISO date-time with its UTC offset), ``source``
    (:data:`ATTENDANCE_SOURCES`), ``by`` (1-200 characters), and for a correction ``start``,
    ``end`` (date-times) and ``reason`` (1-200 characters). ``null`` is a member left out.

    Raises:
        RecordFormatError: with ``what="attendance event"`` and every problem found, each with
            its path and code (``inconsistent`` for a correction without its times, reason or
            administrator, or times on a check-in or check-out).

    Example:
        >>> e = parse_attendance_event({"event_id": "e1", "project_id": "P", "volunteer_id": "V1",
        ...     "slot": 0, "kind": "check_in", "at": "2024-06-05T08:55:00+08:00",
        ...     "source": "device", "by": "qr-01"})
        >>> dump_attendance_event(e)["at"]
        '2024-06-05T08:55:00+08:00'
        >>> parse_attendance_event({"event_id": "e1", "project_id": "P", "volunteer_id": "V1",
        ...     "slot": -1, "kind": "correction", "at": "2024-06-05T08:55",
        ...     "source": "administrator", "by": "王芳"})
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.RecordFormatError: invalid attendance event: $.slot: out_of_range: slot must be from 0 to 1000000, not -1; $.at: invalid_format: at has no UTC offset; write one such as +08:00; $.start: inconsistent: a correction gives its start; $.end: inconsistent: a correction gives its end; $.reason: inconsistent: a correction gives its reason
    """
    read = Reader(payload, _EVENT_FIELDS, "an attendance event")
    if not isinstance(payload, Mapping):
        read.fail("attendance event")
    fields: dict[str, Any] = {
        "event_id": read.ident("event_id"),
        "project_id": read.ident("project_id", pattern=_ID, shape=_PROJECT_ID_SHAPE),
        "volunteer_id": read.ident("volunteer_id"),
        "slot": read.integer("slot", 0, 1_000_000),
        "kind": read.choice("kind", ATTENDANCE_KINDS),
        "at": read.moment("at"),
        "source": read.choice("source", ATTENDANCE_SOURCES),
        "by": read.text("by", as_given=True),
        "start": read.moment("start", required=False),
        "end": read.moment("end", required=False),
        "reason": read.text("reason", required=False, as_given=True, blank=True),
    }
    _check_correction(read, fields)
    read.fail("attendance event")
    return AttendanceEvent(**{**fields, "reason": fields["reason"] or ""})


def dump_attendance_event(event: AttendanceEvent) -> dict[str, Any]:
    """The JSON form of an attendance event (times with their offsets).

    Example:
        >>> from volunteer_rules.testing.community_examples import sample_attendance_events
        >>> sorted(dump_attendance_event(sample_attendance_events()[-1]))
        ['at', 'by', 'end', 'event_id', 'kind', 'project_id', 'reason', 'slot', 'source', 'start', 'volunteer_id']
    """
    if not isinstance(event, AttendanceEvent):
        raise InvalidTypeError("event", "must be an AttendanceEvent")
    out: dict[str, Any] = {
        "event_id": event.event_id,
        "project_id": event.project_id,
        "volunteer_id": event.volunteer_id,
        "slot": event.slot,
        "kind": event.kind,
        "at": event.at.isoformat(),
        "source": event.source,
        "by": event.by,
    }
    if event.start is not None and event.end is not None:
        out["start"] = event.start.isoformat()
        out["end"] = event.end.isoformat()
    if event.reason:
        out["reason"] = event.reason
    return out
