"""Projects: a demand's slots, who is in charge, and who signs up (confirmed or waitlisted).

A :class:`Project` publishes slots (a :class:`~volunteer_rules.Demand`). Volunteers sign up
for a slot (:func:`sign_up`): the eligibility is :func:`~volunteer_rules.check_assignment`'s,
and an eligible volunteer is **confirmed** while the slot has room, **waitlisted** after
(:func:`withdraw` promotes the first on the waiting list). What happens on the day is in
:mod:`~volunteer_rules.community.attendance`; the records it gives, and their verification,
in :mod:`~volunteer_rules.community.recording`.

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

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import instance_of, one_of, require_aware, require_iterable
from volunteer_rules.errors import InvalidTypeError, InvalidValueError, RecordFormatError
from volunteer_rules.matching.assignment import Assignment, check_assignment
from volunteer_rules.matching.demand import Demand, Interval, TimeSlot, dump_demand, parse_demand
from volunteer_rules.matching.registration import Reason, RegistrationRules
from volunteer_rules.records._json import type_name
from volunteer_rules.records._wire_reader import Reader
from volunteer_rules.records.calendar import CHINA_WORKING_DAYS, WorkingDayCalendar
from volunteer_rules.records.profile import TrainingRecord, VolunteerProfile
from volunteer_rules.rules.checks import late_deadline

__all__ = [
    "SIGN_UP_STATES",
    "AttendanceRules",
    "Project",
    "Roster",
    "SignUp",
    "check_roster",
    "dump_project",
    "parse_project",
    "sign_up",
    "withdraw",
]

SIGN_UP_STATES: Final = ("confirmed", "waitlisted", "refused", "withdrawn")
"""States of a :class:`SignUp`."""

_ID: Final = re.compile(r"[A-Za-z0-9_\-]{1,24}")


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


@masked_repr
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
        InvalidValueError: a bad id or text, or a demand without an organization
            (:func:`parse_project` reports each as a :class:`~volunteer_rules.errors.FieldError`
            instead).

    Example:
        >>> from volunteer_rules.testing.community_examples import sample_project
        >>> sample_project().record_deadline(0)
        datetime.date(2024, 6, 20)
    """

    project_id: str
    demand: Demand = attrs.field(validator=instance_of(Demand))
    person_in_charge: str = attrs.field(validator=_text)
    activity_name: str = attrs.field(validator=_text)
    content: str = attrs.field(validator=_text)
    place: str = attrs.field(validator=_text)
    station_id: str | None = None
    rules: AttendanceRules = attrs.field(
        factory=AttendanceRules, validator=instance_of(AttendanceRules)
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


@masked_repr
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
    state: str = attrs.field(validator=one_of(SIGN_UP_STATES))
    at: _dt.datetime
    reasons: tuple[Reason, ...] = ()


@masked_repr
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


def check_roster(project: Project, roster: Roster) -> None:
    """Raise unless ``roster`` is ``project``'s.

    Raises:
        InvalidTypeError: not a project and a roster.
        InvalidValueError: the roster of another project.

    Example:
        >>> from volunteer_rules.testing.community_examples import sample_project
        >>> check_roster(sample_project(), Roster(project_id="PRJ-2024-06"))
    """
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

    Eligibility is :func:`~volunteer_rules.check_assignment` on the local day of ``at``, with
    the volunteer's confirmed slots of this project as time already held: a slot overlapping
    one of them is refused (``schedule_clash``). A volunteer already confirmed or waitlisted
    for the slot keeps that place (signing up twice changes nothing).

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
    check_roster(project, roster)
    if not isinstance(profile, VolunteerProfile):
        raise InvalidTypeError("profile", "must be a VolunteerProfile")
    require_aware(at, "at")
    chosen = project.slot(slot)
    held = roster.state_of(profile.volunteer_id, slot)
    if held in ("confirmed", "waitlisted"):
        for entry in reversed(roster.entries):
            if entry.volunteer_id == profile.volunteer_id and entry.slot == slot:
                return roster, entry
    elsewhere = require_iterable(existing_assignments, "existing_assignments")
    eligibility = check_assignment(
        profile,
        project.demand,
        rules=rules,
        as_of=at.date(),
        slot=chosen,
        trainings=trainings,
        existing_assignments=(
            *elsewhere,
            *_confirmed_slots(project, roster.entries, profile.volunteer_id),
        ),
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


def _confirmed_slots(
    project: Project, entries: Iterable[SignUp], volunteer_id: str
) -> tuple[TimeSlot, ...]:
    """The slots of ``project`` the volunteer is confirmed for (their latest sign-up's state)."""
    latest: dict[int, str] = {}
    for entry in entries:
        if entry.volunteer_id == volunteer_id:
            latest[entry.slot] = entry.state
    return tuple(project.slot(i) for i, state in sorted(latest.items()) if state == "confirmed")


def withdraw(project: Project, roster: Roster, volunteer_id: str, *, slot: int) -> Roster:
    """A volunteer leaves a slot; the first on the waiting list takes the place.

    The first, that is, who is not confirmed for a slot of the project overlapping this one
    (a volunteer never holds two overlapping slots); the others keep their place in the list.

    Raises:
        InvalidValueError: the volunteer is neither confirmed nor waitlisted for the slot.

    Example:
        >>> from volunteer_rules.testing.community_examples import sample_project, sample_roster
        >>> project = sample_project()
        >>> roster = withdraw(project, sample_roster(project, waitlist=("V9",)), "V1", slot=0)
        >>> roster.confirmed(0)
        ('V2', 'V9')
    """
    check_roster(project, roster)
    project.slot(slot)
    state = roster.state_of(volunteer_id, slot)
    if state not in ("confirmed", "waitlisted"):
        raise InvalidValueError("volunteer_id", f"{volunteer_id} holds no place in slot {slot}")
    entries = list(roster.entries)
    for index, entry in enumerate(entries):
        if entry.volunteer_id == volunteer_id and entry.slot == slot and entry.state == state:
            entries[index] = attrs.evolve(entry, state="withdrawn")
    if state == "confirmed":
        freed = project.slot(slot)
        for index, entry in enumerate(entries):
            if entry.slot == slot and entry.state == "waitlisted":
                held = _confirmed_slots(project, entries, entry.volunteer_id)
                if any(other.overlaps(freed) for other in held):
                    continue
                entries[index] = attrs.evolve(entry, state="confirmed")
                break
    # a promoted volunteer keeps the position of the sign-up, so order stays by sign-up time
    return attrs.evolve(roster, entries=tuple(entries))


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


_RULES_FIELDS: Final = ("minimum_share_percent", "auto_check_out_minutes")
_ID_SHAPE: Final = "1-24 letters, digits, '-' or '_'"


def _read_demand(read: Reader) -> Demand | None:
    """The ``demand`` member as :func:`~volunteer_rules.parse_demand` reads it, or ``None``.

    Its problems are the project's, under ``$.demand``; a demand without an organization is
    ``inconsistent`` (a project's demand names the organization that records its service).
    """
    value = read.data.get("demand")
    if value is None:
        read.add(read.path("demand"), "missing", "demand is required")
        return None
    if not isinstance(value, Mapping):
        read.add(
            read.path("demand"), "invalid_type", f"demand must be an object, not {type_name(value)}"
        )
        return None
    try:
        demand = parse_demand(value)
    except RecordFormatError as error:  # where the project's form has it: $.demand.slots...
        read.errors.extend(error.under(read.path("demand")).errors)
        return None
    if not demand.organization_id:
        read.add(
            read.path("demand.organization_id"),
            "inconsistent",
            "a project's demand names the organization that records its service",
        )
        return None
    return demand


def _read_rules(read: Reader) -> AttendanceRules | None:
    """The ``rules`` member (absent: the default rules), or ``None`` when refused."""
    sub = read.member("rules", _RULES_FIELDS, "attendance rules", required=False)
    if sub is None:
        return None if "rules" in read.data else AttendanceRules()
    share = sub.integer("minimum_share_percent", 0, 100, required=False)
    minutes = sub.integer("auto_check_out_minutes", 1, 10_080, required=False)
    given = {
        key: value
        for key, value in (("minimum_share_percent", share), ("auto_check_out_minutes", minutes))
        if value is not None
    }
    return AttendanceRules(**given)


def parse_project(payload: Mapping[str, Any]) -> Project:
    """Read a project from its JSON form (:func:`dump_project`); the demand as ``parse_demand``.

    Fields: ``project_id`` (1-24 letters, digits, ``-``, ``_``), ``demand`` (a demand's form,
    with its ``organization_id``), ``person_in_charge``, ``activity_name``, ``content`` and
    ``place`` (1-200 characters), and optional ``station_id`` (1-64 id characters) and
    ``rules`` (``minimum_share_percent`` 0-100, ``auto_check_out_minutes`` 1-10,080). ``null``
    is a member left out.

    Raises:
        RecordFormatError: with ``what="project"`` and every problem found, each with its path
            and code; the demand's under ``$.demand`` (``$.demand.slots[0].start``), and
            ``inconsistent`` at ``$.demand.organization_id`` for a demand without one.

    Example:
        >>> from volunteer_rules.testing.community_examples import sample_project
        >>> parse_project(dump_project(sample_project())) == sample_project()
        True
        >>> payload = dict(dump_project(sample_project()), place="", rules={"minimum_share_percent": 101})
        >>> parse_project(payload)
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.RecordFormatError: invalid project: $.place: missing: place must not be blank; $.rules.minimum_share_percent: out_of_range: minimum_share_percent must be from 0 to 100, not 101
    """
    read = Reader(payload, _PROJECT_FIELDS, "a project")
    if not isinstance(payload, Mapping):
        read.fail("project")
    project_id = read.ident("project_id", pattern=_ID, shape=_ID_SHAPE)
    demand = _read_demand(read)
    person_in_charge = read.text("person_in_charge", as_given=True)
    activity_name = read.text("activity_name", as_given=True)
    content = read.text("content", as_given=True)
    place = read.text("place", as_given=True)
    station_id = read.ident("station_id", required=False)
    rules = _read_rules(read)
    read.fail("project")
    return Project(
        project_id=project_id,  # type: ignore[arg-type]
        demand=demand,  # type: ignore[arg-type]
        person_in_charge=person_in_charge,  # type: ignore[arg-type]
        activity_name=activity_name,  # type: ignore[arg-type]
        content=content,  # type: ignore[arg-type]
        place=place,  # type: ignore[arg-type]
        station_id=station_id,
        rules=rules,  # type: ignore[arg-type]
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
