"""Projects from notice to record: sign-up, check-in and check-out, records, verification.

A :class:`Project` publishes slots (a :class:`~volunteer_rules.Demand`). Volunteers sign up
for a slot (:func:`sign_up`): the eligibility is :func:`~volunteer_rules.check_assignment`'s,
and an eligible volunteer is **confirmed** while the slot has room, **waitlisted** after
(:func:`withdraw` promotes the first on the waiting list). On the day they check in and out
(:class:`AttendanceEvent`: times as a device or a person gives them); an administrator's
**correction** sets both times, with a reason, and is kept next to the events it corrects,
never in their place. :func:`tally_attendance` turns the events into :class:`Attendance`
values with the platform's rules (:class:`AttendanceRules`):

- only time inside the slot counts: no credit for arriving early or leaving late, so the
  hours never exceed the activity's duration;
- a volunteer still checked in ``auto_check_out_minutes`` after checking in (default 24 h)
  is checked out automatically at that moment, and the record says so;
- attendance below ``minimum_share_percent`` of the slot (default 60 %) gives no record.

:func:`attendance_records` makes service records in format v1 from the attendance
(``submitted``), each carrying the extension :data:`CAPTURE_EXTENSION` that keeps hours
**captured by check-in** apart from hours **entered by an administrator** (a correction).
A correction that arrives after a record was made gives an **amendment** (``amends``), never
a changed record. :func:`verify_records` is the person in charge's verification: it marks the
records ``verified`` and says whether they are within the 10-working-day rule of MCA Order 67
Art. 11 (:func:`~volunteer_rules.late_deadline`, the rule the record checks apply).

Example:
    >>> from volunteer_rules.testing.community_examples import sample_project
    >>> project = sample_project()
    >>> project.organization_id, len(project.demand.slots), project.rules.minimum_share_percent
    ('512111005000000154', 4, 60)
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

import attrs

from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.matching.assignment import Assignment, check_assignment
from volunteer_rules.matching.demand import Demand, Interval, TimeSlot, dump_demand, parse_demand
from volunteer_rules.matching.registration import Reason, RegistrationRules
from volunteer_rules.records.calendar import CHINA_WORKING_DAYS, WorkingDayCalendar
from volunteer_rules.records.profile import TrainingRecord, VolunteerProfile
from volunteer_rules.records.record import ServiceRecord, dump_record, parse_record
from volunteer_rules.rules.checks import activity_end_date, late_deadline, recorded_date

__all__ = [
    "ATTENDANCE_CODES",
    "ATTENDANCE_KINDS",
    "ATTENDANCE_SOURCES",
    "CAPTURE_EXTENSION",
    "CAPTURE_METHODS",
    "SIGN_UP_STATES",
    "Attendance",
    "AttendanceEvent",
    "AttendanceRules",
    "Project",
    "Roster",
    "SignUp",
    "Verification",
    "attendance_records",
    "capture_method",
    "dump_attendance_event",
    "dump_project",
    "parse_attendance_event",
    "parse_project",
    "sign_up",
    "tally_attendance",
    "verify_records",
    "withdraw",
]

CAPTURE_EXTENSION: Final = "volunteer_rules.capture"
"""The ``extensions`` key of records made from attendance (documented in record-format.md)."""

CAPTURE_METHODS: Final[Mapping[str, str]] = {
    "check_in": "times captured by check-in and check-out (a device or a person)",
    "administrator": "times entered by an administrator (a correction, with a reason)",
}
"""How a record's times were captured (``extensions["volunteer_rules.capture"]["method"]``)."""

SIGN_UP_STATES: Final = ("confirmed", "waitlisted", "refused", "withdrawn")
"""States of a :class:`SignUp`."""

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


def _aware(value: object, what: str) -> _dt.datetime:
    if not isinstance(value, _dt.datetime) or value.utcoffset() is None:
        raise InvalidValueError(what, "must be a time-zone-aware datetime")
    return value


def _int_in(low: int, high: int) -> Any:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if type(value) is not int or not low <= value <= high:
            raise InvalidValueError(attribute.name, f"must be an int from {low} to {high}")

    return check


@attrs.frozen(kw_only=True)
class AttendanceRules:
    """A platform's attendance rules.

    Attributes:
        minimum_share_percent: the least share of a slot attended that gives a record
            (0-100; default 60, the Yunnan platform's rule).
        auto_check_out_minutes: minutes after a check-in at which a volunteer who never
            checked out is checked out automatically (1-10,080; default 1,440, 24 hours).

    Example:
        >>> AttendanceRules(minimum_share_percent=100).auto_check_out_minutes
        1440
    """

    minimum_share_percent: int = attrs.field(default=60, validator=_int_in(0, 100))
    auto_check_out_minutes: int = attrs.field(default=1440, validator=_int_in(1, 10_080))


def _text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise InvalidValueError(attribute.name, "must be 1-200 characters of text")


@attrs.frozen(kw_only=True)
class Project:
    """A project or activity: its demand (slots), who is in charge, what and where.

    Attributes:
        project_id: 1-24 letters, digits, ``-``, ``_`` (record ids are built from it).
        demand: the recruitment notice; its ``organization_id`` records the service.
        person_in_charge: 活动负责人, who verifies the records.
        activity_name: 活动名称 on the records.
        content: 服务内容 on the records.
        place: 地点 on the records.
        station_id: the station that published it, or ``None``.
        rules: the attendance rules.

    Raises:
        InvalidValueError: a bad id or text, or a demand without an organization.

    Example:
        >>> from volunteer_rules.testing.community_examples import sample_project
        >>> sample_project().record_deadline(0)
        datetime.date(2024, 6, 20)
    """

    project_id: str
    demand: Demand = attrs.field(validator=attrs.validators.instance_of(Demand))
    person_in_charge: str = attrs.field(validator=_text)
    activity_name: str = attrs.field(validator=_text)
    content: str = attrs.field(validator=_text)
    place: str = attrs.field(validator=_text)
    station_id: str | None = None
    rules: AttendanceRules = attrs.field(
        factory=AttendanceRules, validator=attrs.validators.instance_of(AttendanceRules)
    )

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.project_id, str) or not _ID.fullmatch(self.project_id):
            raise InvalidValueError("project_id", "must be 1-24 letters, digits, - or _")
        if not self.demand.organization_id:
            raise InvalidValueError("demand", "a project's demand names its organization")

    @property
    def organization_id(self) -> str:
        """The organization that records the project's service (the demand's).

        Example:
            >>> from volunteer_rules.testing.community_examples import sample_project
            >>> sample_project().organization_id
            '512111005000000154'
        """
        return self.demand.organization_id

    def slot(self, index: int) -> TimeSlot:
        """The demand's slot ``index``.

        Raises:
            InvalidValueError: no such slot.

        Example:
            >>> from volunteer_rules.testing.community_examples import sample_project
            >>> sample_project().slot(0).start.isoformat()
            '2024-06-05T09:00:00+08:00'
        """
        if type(index) is not int or not 0 <= index < len(self.demand.slots):
            raise InvalidValueError("slot", f"project {self.project_id} has no slot {index!r}")
        return self.demand.slots[index]

    def record_deadline(
        self, index: int, *, calendar: WorkingDayCalendar = CHINA_WORKING_DAYS
    ) -> _dt.date:
        """The last day the slot's records are on time: 10 working days after it ends.

        :func:`~volunteer_rules.late_deadline` of the local date the slot ends.

        Example:
            >>> from volunteer_rules.testing.community_examples import sample_project
            >>> sample_project().record_deadline(3)
            datetime.date(2024, 7, 10)
        """
        return late_deadline(self.slot(index).end.date(), calendar=calendar)


@attrs.frozen(kw_only=True)
class SignUp:
    """One volunteer's sign-up for one slot, in its current state.

    Attributes:
        volunteer_id: who.
        slot: the slot index.
        state: one of :data:`SIGN_UP_STATES`.
        at: when the volunteer signed up.
        reasons: why refused (``check_assignment``'s reasons), else ``()``.

    Example:
        >>> from datetime import datetime, timezone
        >>> SignUp(volunteer_id="V1", slot=0, state="confirmed",
        ...        at=datetime(2024, 6, 1, tzinfo=timezone.utc)).reasons
        ()
    """

    volunteer_id: str
    slot: int
    state: str = attrs.field(validator=attrs.validators.in_(SIGN_UP_STATES))
    at: _dt.datetime
    reasons: tuple[Reason, ...] = ()


@attrs.frozen(kw_only=True)
class Roster:
    """The sign-ups of a project, in the order they came.

    Attributes:
        project_id: the project.
        entries: the sign-ups (a refused one is kept, so the reasons can be shown).

    Example:
        >>> Roster(project_id="PRJ-1").confirmed(0)
        ()
    """

    project_id: str
    entries: tuple[SignUp, ...] = ()

    def _ids(self, slot: int, state: str) -> tuple[str, ...]:
        return tuple(e.volunteer_id for e in self.entries if e.slot == slot and e.state == state)

    def confirmed(self, slot: int) -> tuple[str, ...]:
        """The confirmed volunteers of ``slot``, in sign-up order.

        Example:
            >>> Roster(project_id="PRJ-1").confirmed(3)
            ()
        """
        return self._ids(slot, "confirmed")

    def waitlisted(self, slot: int) -> tuple[str, ...]:
        """The waiting list of ``slot``, in sign-up order.

        Example:
            >>> Roster(project_id="PRJ-1").waitlisted(0)
            ()
        """
        return self._ids(slot, "waitlisted")

    def state_of(self, volunteer_id: str, slot: int) -> str | None:
        """The volunteer's state for ``slot`` (the latest sign-up), or ``None``.

        Example:
            >>> Roster(project_id="PRJ-1").state_of("V1", 0) is None
            True
        """
        state = None
        for entry in self.entries:
            if entry.volunteer_id == volunteer_id and entry.slot == slot:
                state = entry.state
        return state


def _check_roster(project: Project, roster: Roster) -> None:
    if not isinstance(project, Project):
        raise InvalidTypeError("project", "must be a Project")
    if not isinstance(roster, Roster):
        raise InvalidTypeError("roster", "must be a Roster")
    if roster.project_id != project.project_id:
        raise InvalidValueError("roster", f"is the roster of {roster.project_id}")


def sign_up(
    project: Project,
    roster: Roster,
    profile: VolunteerProfile,
    *,
    slot: int,
    rules: RegistrationRules | str,
    at: _dt.datetime,
    trainings: Iterable[TrainingRecord] = (),
    existing_assignments: Iterable[Assignment | Interval | TimeSlot] = (),
) -> tuple[Roster, SignUp]:
    """Sign a volunteer up for a slot: confirmed, waitlisted or refused (with the reasons).

    Eligibility is :func:`~volunteer_rules.check_assignment` on the local day of ``at``. A
    volunteer already confirmed or waitlisted for the slot keeps that place (signing up twice
    changes nothing).

    Returns:
        the new roster and the volunteer's sign-up.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> from volunteer_rules.testing.community_examples import sample_project
        >>> from volunteer_rules.testing.matching_examples import sample_profile
        >>> project = sample_project()  # two volunteers per slot
        >>> roster = Roster(project_id=project.project_id)
        >>> at = datetime(2024, 6, 1, 10, tzinfo=timezone(timedelta(hours=8)))
        >>> states = []
        >>> for vid in ("V1", "V2", "V3"):
        ...     roster, entry = sign_up(project, roster, sample_profile(volunteer_id=vid),
        ...                             slot=0, rules="cn-national", at=at)
        ...     states.append(entry.state)
        >>> states, roster.waitlisted(0)
        (['confirmed', 'confirmed', 'waitlisted'], ('V3',))
    """
    _check_roster(project, roster)
    if not isinstance(profile, VolunteerProfile):
        raise InvalidTypeError("profile", "must be a VolunteerProfile")
    _aware(at, "at")
    chosen = project.slot(slot)
    held = roster.state_of(profile.volunteer_id, slot)
    if held in ("confirmed", "waitlisted"):
        for entry in reversed(roster.entries):
            if entry.volunteer_id == profile.volunteer_id and entry.slot == slot:
                return roster, entry
    eligibility = check_assignment(
        profile,
        project.demand,
        rules=rules,
        as_of=at.date(),
        slot=chosen,
        trainings=trainings,
        existing_assignments=existing_assignments,
    )
    if not eligibility.eligible:
        state = "refused"
    elif len(roster.confirmed(slot)) < project.demand.head_count:
        state = "confirmed"
    else:
        state = "waitlisted"
    entry = SignUp(
        volunteer_id=profile.volunteer_id,
        slot=slot,
        state=state,
        at=at,
        reasons=eligibility.reasons if state == "refused" else (),
    )
    return attrs.evolve(roster, entries=(*roster.entries, entry)), entry


def withdraw(project: Project, roster: Roster, volunteer_id: str, *, slot: int) -> Roster:
    """A volunteer leaves a slot; the first on the waiting list takes the place.

    Raises:
        InvalidValueError: the volunteer is neither confirmed nor waitlisted for the slot.

    Example:
        >>> from volunteer_rules.testing.community_examples import sample_project, sample_roster
        >>> project = sample_project()
        >>> roster = withdraw(project, sample_roster(project, waitlist=("V9",)), "V1", slot=0)
        >>> roster.confirmed(0)
        ('V2', 'V9')
    """
    _check_roster(project, roster)
    project.slot(slot)
    state = roster.state_of(volunteer_id, slot)
    if state not in ("confirmed", "waitlisted"):
        raise InvalidValueError("volunteer_id", f"{volunteer_id} holds no place in slot {slot}")
    entries = list(roster.entries)
    for index, entry in enumerate(entries):
        if entry.volunteer_id == volunteer_id and entry.slot == slot and entry.state == state:
            entries[index] = attrs.evolve(entry, state="withdrawn")
    if state == "confirmed":
        for index, entry in enumerate(entries):
            if entry.slot == slot and entry.state == "waitlisted":
                entries[index] = attrs.evolve(entry, state="confirmed")
                break
    # a promoted volunteer keeps the position of the sign-up, so order stays by sign-up time
    return attrs.evolve(roster, entries=tuple(entries))


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
            a check-in or check-out.

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
    kind: str = attrs.field(validator=attrs.validators.in_(ATTENDANCE_KINDS))
    at: _dt.datetime
    source: str = attrs.field(validator=attrs.validators.in_(ATTENDANCE_SOURCES))
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
        if type(self.slot) is not int or self.slot < 0:
            raise InvalidValueError("slot", "must be a slot index")
        _aware(self.at, "at")
        if not isinstance(self.reason, str):
            raise InvalidTypeError("reason", "must be a string")
        if self.kind == "correction":
            if self.source != "administrator":
                raise InvalidValueError("source", "corrections are an administrator's")
            start = _aware(self.start, "start")
            if _aware(self.end, "end") <= start:
                raise InvalidValueError("end", "must be after start")
            if not self.reason.strip():
                raise InvalidValueError("reason", "a correction gives its reason")
        else:
            if self.start is not None or self.end is not None:
                raise InvalidValueError("start", "only a correction carries start and end")
            if self.source == "administrator":
                raise InvalidValueError("source", "check-ins come from a device or a person")


@attrs.frozen(kw_only=True)
class Attendance:
    """One volunteer's attendance of one slot, as the rules count it.

    Attributes:
        project_id: the project.
        volunteer_id: who.
        slot: the slot index.
        start: the counted start (inside the slot), or ``None``.
        end: the counted end (inside the slot), or ``None``.
        minutes: whole minutes counted (``0`` when no record is due).
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


def tally_attendance(
    project: Project,
    roster: Roster,
    events: Iterable[AttendanceEvent],
    *,
    now: _dt.datetime,
) -> tuple[Attendance, ...]:
    """Every confirmed volunteer's (and every walk-in's) attendance of the slots ended by ``now``.

    Events are taken in order of ``at``, then ``event_id``. The latest correction of a
    volunteer's slot sets both times (``method="administrator"``); otherwise the first check-in
    and the last check-out after it count (``method="check_in"``), and a volunteer never
    checked out is checked out ``auto_check_out_minutes`` after checking in, once ``now`` is
    past that moment. Only the part inside the slot counts.

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
    _check_roster(project, roster)
    _aware(now, "now")
    by_key: dict[tuple[int, str], list[AttendanceEvent]] = {}
    for event in events:
        if not isinstance(event, AttendanceEvent):
            raise InvalidTypeError("events", f"holds a {type(event).__name__}")
        if event.project_id != project.project_id:
            raise InvalidValueError("events", f"{event.event_id} is of {event.project_id}")
        project.slot(event.slot)
        by_key.setdefault((event.slot, event.volunteer_id), []).append(event)
    for entry in roster.entries:
        if entry.state == "confirmed":
            by_key.setdefault((entry.slot, entry.volunteer_id), [])
    limit = _dt.timedelta(minutes=project.rules.auto_check_out_minutes)
    out: list[Attendance] = []
    for (index, volunteer_id), found in sorted(by_key.items()):
        slot = project.slot(index)
        if slot.end > now:
            continue
        found.sort(key=lambda e: (e.at, e.event_id))
        base = Attendance(project_id=project.project_id, volunteer_id=volunteer_id, slot=index)
        reasons: list[Reason] = []
        if roster.state_of(volunteer_id, index) != "confirmed":
            reasons.append(
                _reason("not_confirmed", f"{volunteer_id} has no confirmed place in slot {index}")
            )
        corrections = [e for e in found if e.kind == "correction"]
        check_in = next((e.at for e in found if e.kind == "check_in"), None)
        check_out = None
        if check_in is not None:
            outs = [e.at for e in found if e.kind == "check_out" and e.at > check_in]
            check_out = outs[-1] if outs else None
        auto = False
        fields: dict[str, Any] = {"check_in": check_in}
        if corrections:
            last = corrections[-1]
            start, end = last.start, last.end
            fields.update(
                method="administrator", corrected_by=last.by, correction_reason=last.reason
            )
        elif check_in is None:
            reasons.append(_reason("no_check_in", f"{volunteer_id} never checked in"))
            start = end = None
        else:
            start, end = check_in, check_out
            if end is None:
                if now >= check_in + limit:
                    end, auto = check_in + limit, True
                else:
                    reasons.append(
                        _reason("still_checked_in", f"{volunteer_id} is still checked in")
                    )
        fields.update(check_out=end if start is not None else None, auto_check_out=auto)
        if start is not None and end is not None:
            tz = slot.start.tzinfo
            clipped_start = max(start, slot.start).astimezone(tz)
            clipped_end = min(end, slot.end).astimezone(tz)
            minutes = max(0, int((clipped_end - clipped_start).total_seconds()) // 60)
            slot_minutes = int((slot.end - slot.start).total_seconds()) // 60
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
            if minutes > 0:
                fields.update(start=clipped_start, end=clipped_end, share_percent=share)
            fields["minutes"] = minutes if not reasons else 0
        out.append(attrs.evolve(base, reasons=tuple(reasons), **fields))
    return tuple(out)


def _iso(moment: _dt.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


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
    record, the way records came before projects).

    Example:
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> capture_method(vr.parse_record(SAMPLE_RECORD_PAYLOAD))
        'entered'
    """
    if not isinstance(record, ServiceRecord):
        raise InvalidTypeError("record", "must be a ServiceRecord")
    extensions = record.extensions or {}
    capture = extensions.get(CAPTURE_EXTENSION)
    if isinstance(capture, Mapping) and capture.get("method") in CAPTURE_METHODS:
        return str(capture["method"])
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
    _aware(recorded_at, "recorded_at")
    if not isinstance(recorded_by, str) or not recorded_by.strip():
        raise InvalidValueError("recorded_by", "must name who records")
    chains: dict[tuple[int, str], list[ServiceRecord]] = {}
    for record in previous:
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
    for item in attendance:
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


@attrs.frozen(kw_only=True)
class Verification:
    """The person in charge's verification of one record.

    Attributes:
        record: the verified record (``status="verified"``), or ``None`` when refused.
        deadline: the last day the record is on time (10 working days after the activity).
        late: entered or verified after the deadline (the record checks flag it ``late``).
        reasons: why it was not verified (``not_person_in_charge``), else ``()``.

    Example:
        >>> from datetime import date
        >>> Verification(record=None, deadline=date(2024, 6, 19)).late
        False
    """

    record: ServiceRecord | None
    deadline: _dt.date
    late: bool = False
    reasons: tuple[Reason, ...] = ()


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
    _aware(at, "at")
    if not isinstance(verified_by, str) or not verified_by.strip():
        raise InvalidValueError("verified_by", "must name the person in charge")
    out: list[Verification] = []
    for record in records:
        if not isinstance(record, ServiceRecord):
            raise InvalidTypeError("records", f"holds a {type(record).__name__}")
        deadline = late_deadline(activity_end_date(record), calendar=calendar)
        local = at.astimezone(record.end.tzinfo) if record.end is not None else at
        late = recorded_date(record) > deadline or local.date() > deadline
        if record.person_in_charge != verified_by.strip():
            reason = Reason(
                code="not_person_in_charge",
                message=f"{record.record_id} is verified by its person in charge",
                source="[MCA2020 Art 7]",
            )
            out.append(Verification(record=None, deadline=deadline, late=late, reasons=(reason,)))
            continue
        payload = dump_record(record)
        extensions = dict(payload.get("extensions") or {})
        capture = dict(extensions.get(CAPTURE_EXTENSION) or {})
        capture["verified_by"] = verified_by.strip()
        capture["verified_at"] = at.isoformat()
        extensions[CAPTURE_EXTENSION] = capture
        payload.update(status="verified", extensions=extensions)
        out.append(Verification(record=parse_record(payload), deadline=deadline, late=late))
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


def _moment(value: object, what: str) -> _dt.datetime:
    try:
        moment = _dt.datetime.fromisoformat(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidValueError(what, "must be a date-time with a UTC offset") from None
    return _aware(moment, what)


def parse_attendance_event(payload: Mapping[str, Any]) -> AttendanceEvent:
    """Read an attendance event from its JSON form (:func:`dump_attendance_event`).

    Example:
        >>> e = parse_attendance_event({"event_id": "e1", "project_id": "P", "volunteer_id": "V1",
        ...     "slot": 0, "kind": "check_in", "at": "2024-06-05T08:55:00+08:00",
        ...     "source": "device", "by": "qr-01"})
        >>> dump_attendance_event(e)["at"]
        '2024-06-05T08:55:00+08:00'
    """
    if not isinstance(payload, Mapping):
        raise InvalidTypeError("event", "must be a JSON object")
    unknown = sorted(set(payload) - set(_EVENT_FIELDS))
    if unknown:
        raise InvalidValueError("event", f"unknown field {unknown[0]!r}")
    start, end = payload.get("start"), payload.get("end")
    return AttendanceEvent(
        event_id=payload.get("event_id"),  # type: ignore[arg-type]
        project_id=payload.get("project_id"),  # type: ignore[arg-type]
        volunteer_id=payload.get("volunteer_id"),  # type: ignore[arg-type]
        slot=payload.get("slot"),  # type: ignore[arg-type]
        kind=payload.get("kind"),  # type: ignore[arg-type]
        at=_moment(payload.get("at"), "at"),
        source=payload.get("source"),  # type: ignore[arg-type]
        by=payload.get("by"),  # type: ignore[arg-type]
        start=None if start is None else _moment(start, "start"),
        end=None if end is None else _moment(end, "end"),
        reason=payload.get("reason", ""),
    )


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


_PROJECT_FIELDS: Final = (
    "project_id",
    "demand",
    "person_in_charge",
    "activity_name",
    "content",
    "place",
    "station_id",
    "rules",
)


def parse_project(payload: Mapping[str, Any]) -> Project:
    """Read a project from its JSON form (:func:`dump_project`); the demand as ``parse_demand``.

    Raises:
        InvalidValueError: an unknown key, a missing or bad value.
        RecordFormatError: a malformed demand.

    Example:
        >>> from volunteer_rules.testing.community_examples import sample_project
        >>> parse_project(dump_project(sample_project())) == sample_project()
        True
    """
    if not isinstance(payload, Mapping):
        raise InvalidTypeError("project", "must be a JSON object")
    unknown = sorted(set(payload) - set(_PROJECT_FIELDS))
    if unknown:
        raise InvalidValueError("project", f"unknown field {unknown[0]!r}")
    demand = payload.get("demand")
    if not isinstance(demand, Mapping):
        raise InvalidValueError("demand", "must be a demand object")
    rules = payload.get("rules", {})
    if not isinstance(rules, Mapping):
        raise InvalidValueError("rules", "must be an object")
    return Project(
        project_id=payload.get("project_id"),  # type: ignore[arg-type]
        demand=parse_demand(demand),
        person_in_charge=payload.get("person_in_charge"),  # type: ignore[arg-type]
        activity_name=payload.get("activity_name"),  # type: ignore[arg-type]
        content=payload.get("content"),  # type: ignore[arg-type]
        place=payload.get("place"),  # type: ignore[arg-type]
        station_id=payload.get("station_id"),
        rules=AttendanceRules(**dict(rules)),
    )


def dump_project(project: Project) -> dict[str, Any]:
    """The JSON form of a project: its fields, the demand as ``dump_demand``, the rules.

    Example:
        >>> from volunteer_rules.testing.community_examples import sample_project
        >>> dump_project(sample_project())["rules"]
        {'minimum_share_percent': 60, 'auto_check_out_minutes': 1440}
    """
    if not isinstance(project, Project):
        raise InvalidTypeError("project", "must be a Project")
    out: dict[str, Any] = {
        "project_id": project.project_id,
        "demand": dump_demand(project.demand),
        "person_in_charge": project.person_in_charge,
        "activity_name": project.activity_name,
        "content": project.content,
        "place": project.place,
    }
    if project.station_id is not None:
        out["station_id"] = project.station_id
    out["rules"] = {
        "minimum_share_percent": project.rules.minimum_share_percent,
        "auto_check_out_minutes": project.rules.auto_check_out_minutes,
    }
    return out
