"""Demands: the recruitment notice of a project (志愿服务需求), with its time slots.

A :class:`Demand` says what service is needed (a service category), where (a region), when
(one or more time slots), how many volunteers per slot, and who may come: required skills and
trainings, a minimum age, whether minors are barred, whether a guardian must accompany minors.
Volunteers are recruited by need and tasks must suit their age, knowledge, skills and health
[REG2017 Art 15]; the rule set can add bars of its own (minors and disaster relief under the
Zhejiang, Shandong, Ningbo and Tai'an rules, see :mod:`volunteer_rules.matching.registration`).

Time slots are given as fixed intervals (:class:`Interval`) or as recurrence rules
(:class:`Recurrence`, an RFC 5545 ``RRULE`` expanded by :mod:`dateutil.rrule`, bounded by
``COUNT`` or ``UNTIL``). :attr:`Demand.slots` is the expansion: every slot once, in order of
start then end, numbered from 0. All times are aware; intervals are half-open
(``start <= t < end``), so a slot ending at 10:00 does not clash with one starting at 10:00.
The time slots themselves (:class:`Interval`, :class:`Recurrence`, :class:`TimeSlot`,
:data:`MAX_SLOTS`) are defined in :mod:`volunteer_rules.matching.schedule` and re-exported here.

The JSON form (:func:`parse_demand` / :func:`dump_demand`)::

    {"demand_id": "D-1", "service_category": "emergency_rescue", "region_code": "211103",
     "slots": [{"start": "2024-06-01T08:00:00+08:00", "end": "2024-06-01T12:00:00+08:00"},
               {"rrule": "FREQ=WEEKLY;COUNT=4", "start": "2024-06-08T08:00:00+08:00",
                "duration_minutes": 240}],
     "head_count": 5, "required_skills": ["first_aid"],
     "required_trainings": ["emergency_rescue"], "minimum_age": 18}

Optional fields: ``organization_id`` (the recruiting organization's id, by the record format's
rule: a credit code, written in uppercase, or ``G-`` and an id; blank is none), ``title``,
``preferred_skills``, ``minimum_age``,
``minors_barred`` (default ``false``), ``guardian_must_accompany`` (default ``false``).

Example:
    >>> demand = parse_demand({
    ...     "demand_id": "D-1", "service_category": "community_service",
    ...     "region_code": "211103", "head_count": 2,
    ...     "slots": [{"rrule": "FREQ=WEEKLY;COUNT=3", "start": "2024-06-01T09:00:00+08:00",
    ...                "duration_minutes": 120}]})
    >>> [(s.index, s.start.isoformat(), s.end.hour) for s in demand.slots]
    [(0, '2024-06-01T09:00:00+08:00', 11), (1, '2024-06-08T09:00:00+08:00', 11), (2, '2024-06-15T09:00:00+08:00', 11)]
    >>> dump_demand(demand)["slots"][0]["rrule"]
    'FREQ=WEEKLY;COUNT=3'
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import instance_of, require_iterable
from volunteer_rules.errors import FieldError, InvalidValueError, RecordFormatError
from volunteer_rules.matching.schedule import HORIZON_DAYS as HORIZON_DAYS
from volunteer_rules.matching.schedule import MAX_SLOT_MINUTES as MAX_SLOT_MINUTES
from volunteer_rules.matching.schedule import (
    MAX_SLOTS,
    Interval,
    Recurrence,
    TimeSlot,
)
from volunteer_rules.records._fields import YEARS
from volunteer_rules.records._wire_reader import Reader
from volunteer_rules.records.region import RegionCode

__all__ = [
    "MAX_SLOTS",
    "Demand",
    "Interval",
    "Recurrence",
    "TimeSlot",
    "dump_demand",
    "parse_demand",
]

_ID: Final = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
_NAME: Final = re.compile(r"^[a-z][a-z0-9_\-]{0,63}$")


def _names(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):
        raise InvalidValueError("names", "must be a collection of names, not one string")
    return frozenset(require_iterable(value, "names", "must be a collection of names"))


def _schedule(value: Iterable[Interval | Recurrence]) -> tuple[Interval | Recurrence, ...]:
    return tuple(require_iterable(value, "schedule", "must be an iterable of slots"))


def _check_names(instance: object, attribute: attrs.Attribute[Any], value: frozenset[str]) -> None:
    for name in value:
        if not isinstance(name, str) or not _NAME.match(name):
            raise InvalidValueError(
                attribute.name, f"{name!r} is not a name (lower-case letters, digits, _ and -)"
            )


@masked_repr
@attrs.frozen(kw_only=True)
class Demand:
    """A recruitment notice: what, where, when, how many, and who may come.

    Attributes:
        demand_id: the demand's id (1-64 letters, digits, ``-``, ``_``, ``.``).
        service_category: the service category code (``emergency_rescue``...).
        region: where the service happens.
        schedule: the slots as given: :class:`Interval` and :class:`Recurrence` values.
        head_count: volunteers wanted per slot (at least 1).
        required_skills: skills every volunteer must have.
        required_trainings: training categories every volunteer must hold, valid on the day.
        preferred_skills: skills that rank a volunteer higher but are not required.
        minimum_age: the youngest age admitted (on each slot's day), or ``None``.
        minors_barred: no one under 18 may take a slot (the rule set may bar minors too).
        guardian_must_accompany: a guardian accompanies each minor on this task.
        organization_id: the recruiting organization, or ``""``.
        title: a display title, or ``""``.
        slots: the expansion of ``schedule`` (derived; not an argument).

    Raises:
        InvalidValueError: a value out of range, no slots, duplicate slots, or more than
            :data:`MAX_SLOTS` of them.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> cst = timezone(timedelta(hours=8))
        >>> demand = Demand(demand_id="D-1", service_category="health",
        ...                 region=RegionCode.parse("211102"), head_count=3,
        ...                 schedule=(Interval(start=datetime(2024, 6, 1, 8, tzinfo=cst),
        ...                                    end=datetime(2024, 6, 1, 12, tzinfo=cst)),))
        >>> len(demand.slots), demand.slots[0].index
        (1, 0)
    """

    demand_id: str
    service_category: str
    region: RegionCode = attrs.field(validator=instance_of(RegionCode))
    schedule: tuple[Interval | Recurrence, ...] = attrs.field(converter=_schedule)
    head_count: int
    required_skills: frozenset[str] = attrs.field(
        default=frozenset(), converter=_names, validator=_check_names
    )
    required_trainings: frozenset[str] = attrs.field(
        default=frozenset(), converter=_names, validator=_check_names
    )
    preferred_skills: frozenset[str] = attrs.field(
        default=frozenset(), converter=_names, validator=_check_names
    )
    minimum_age: int | None = None
    minors_barred: bool = False
    guardian_must_accompany: bool = False
    organization_id: str = ""
    title: str = ""
    slots: tuple[TimeSlot, ...] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.demand_id, str) or not _ID.match(self.demand_id):
            raise InvalidValueError("demand_id", "must be 1-64 letters, digits, -, _ or .")
        if not isinstance(self.service_category, str) or not _NAME.match(self.service_category):
            raise InvalidValueError("service_category", "must be a category code")
        if type(self.head_count) is not int or not 1 <= self.head_count <= 100_000:
            raise InvalidValueError("head_count", "must be an int from 1 to 100000")
        if self.minimum_age is not None and (
            type(self.minimum_age) is not int or not 0 <= self.minimum_age <= 150
        ):
            raise InvalidValueError("minimum_age", "must be an int from 0 to 150, or None")
        for flag in ("minors_barred", "guardian_must_accompany"):
            if type(getattr(self, flag)) is not bool:
                raise InvalidValueError(flag, "must be a bool")
        for text in ("organization_id", "title"):
            if not isinstance(getattr(self, text), str):
                raise InvalidValueError(text, "must be a string")
        intervals: list[Interval] = []
        for part in self.schedule:
            if isinstance(part, Interval):
                intervals.append(part)
            elif isinstance(part, Recurrence):
                intervals.extend(part.intervals())
            else:
                raise InvalidValueError("schedule", "must hold Interval and Recurrence values")
        if not intervals:
            raise InvalidValueError("schedule", "a demand needs at least one slot")
        if len(intervals) > MAX_SLOTS:
            raise InvalidValueError("schedule", f"expands to more than {MAX_SLOTS} slots")
        intervals.sort(key=lambda i: (i.start, i.end))
        for before, after in itertools.pairwise(intervals):
            if before.start == after.start and before.end == after.end:
                raise InvalidValueError(
                    "schedule", f"slot {before.start.isoformat()} is given twice"
                )
        slots = tuple(TimeSlot(index=n, start=i.start, end=i.end) for n, i in enumerate(intervals))
        object.__setattr__(self, "slots", slots)


_FIELDS: Final = frozenset(
    {
        "demand_id",
        "service_category",
        "region_code",
        "slots",
        "head_count",
        "required_skills",
        "required_trainings",
        "preferred_skills",
        "minimum_age",
        "minors_barred",
        "guardian_must_accompany",
        "organization_id",
        "title",
    }
)


_INTERVAL_FIELDS: Final = ("rrule", "start", "end")
_RECURRENCE_FIELDS: Final = ("rrule", "start", "duration_minutes")
_NAME_SHAPE: Final = "a lower-case name: a letter, then up to 63 lower-case letters, digits, _ or -"
_MAX_RRULE: Final = 1000
"""The longest RRULE a slot may give (its rule is one line; a real one is far shorter)."""


def _read_slot(read: Reader, value: object, path: str) -> Interval | Recurrence | None:
    """One slot of a demand, read at ``path``: an interval or a recurrence.

    An interval gives ``start`` and ``end``; a recurrence ``rrule``, ``start`` and
    ``duration_minutes``. Its problems are the demand's.
    """
    recurring = isinstance(value, Mapping) and value.get("rrule") is not None
    slot = read.nested(value, _RECURRENCE_FIELDS if recurring else _INTERVAL_FIELDS, "a slot", path)
    if slot is None:
        return None
    start = slot.moment("start")
    if not recurring:
        end = slot.moment("end")
        if start is None or end is None:
            return None
        try:
            return Interval(start=start, end=end)
        except InvalidValueError as error:
            slot.add(slot.path("end"), "inconsistent", str(error))
            return None
    # the rule as given (Recurrence checks it); an empty one is an RRULE that is not valid
    rule = slot.text("rrule", as_given=True, blank=True, max_length=_MAX_RRULE)
    minutes = slot.integer("duration_minutes", 1, MAX_SLOT_MINUTES)
    if start is None or rule is None or minutes is None:
        return None
    try:
        return Recurrence(rule=rule, start=start, duration_minutes=minutes)
    except InvalidValueError as error:
        field = "rrule" if error.what == "rule" else error.what
        # a duration, or slots past the years (the one year rule's words): a value out of range
        past_the_years = str(error).endswith(YEARS)
        code = "out_of_range" if field == "duration_minutes" or past_the_years else "invalid_format"
        slot.add(slot.path(field), code, str(error))
        return None


def parse_demand(payload: Mapping[str, Any]) -> Demand:
    """Read a demand from its JSON form (see the module docstring), collecting every error.

    Args:
        payload: the decoded JSON object.

    Raises:
        RecordFormatError: ``what="demand"``, with every problem found (``missing``,
            ``unknown_field``, ``invalid_type``, ``invalid_format``, ``out_of_range``,
            ``unknown_code``, ``inconsistent``).

    Example:
        >>> parse_demand({"demand_id": "D-1"})
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.RecordFormatError: invalid demand: $.service_category: missing: service_category is required; $.region_code: missing: region_code is required; $.slots: missing: slots is required; $.head_count: missing: head_count is required
    """
    read = Reader(payload, _FIELDS, "a demand")
    if not isinstance(payload, Mapping):
        read.fail("demand")
    demand_id = read.ident("demand_id")
    category = read.ident("service_category", pattern=_NAME, shape=_NAME_SHAPE)
    region = read.region("region_code")
    schedule: list[Interval | Recurrence] = []
    raw_slots = read.array("slots", required=True)
    if raw_slots == []:
        read.add(read.path("slots"), "missing", "slots must not be empty")
    for n, raw in enumerate((raw_slots or [])[: MAX_SLOTS + 1]):
        part = _read_slot(read, raw, f"{read.path('slots')}[{n}]")
        if part is not None:
            schedule.append(part)
    head_count = read.integer("head_count", 1, 100_000)
    minimum_age = read.integer("minimum_age", 0, 150, required=False)
    fields: dict[str, Any] = {
        key: read.names(key, pattern=_NAME, shape=_NAME_SHAPE)
        for key in ("required_skills", "required_trainings", "preferred_skills")
    }
    for key in ("minors_barred", "guardian_must_accompany"):
        fields[key] = read.boolean(key, default=False)
    fields["title"] = (read.text("title", required=False, blank=True) or "").strip()
    given = read.data.get("organization_id")
    if isinstance(given, str) and not given.strip():  # optional: absent or blank is ""
        fields["organization_id"] = ""
    else:  # the organization that recruits and records: the one rule of an organization id
        fields["organization_id"] = read.organization_id("organization_id", required=False) or ""
    read.fail("demand")
    assert demand_id is not None and category is not None  # refused, it was a problem: failed
    assert region is not None and head_count is not None
    try:
        return Demand(
            demand_id=demand_id,
            service_category=category,
            region=region,
            schedule=schedule,
            head_count=head_count,
            minimum_age=minimum_age,
            **fields,
        )
    except InvalidValueError as error:
        path = "$.slots" if error.what == "schedule" else f"$.{error.what}"
        raise RecordFormatError(
            [FieldError(path, "inconsistent", str(error))], what="demand"
        ) from None


def dump_demand(demand: Demand) -> dict[str, Any]:
    """The JSON form of ``demand``; :func:`parse_demand` reads it back to an equal demand.

    Optional fields at their defaults are left out; name lists are sorted.

    Example:
        >>> from volunteer_rules.testing.matching_examples import SAMPLE_DEMAND_PAYLOAD
        >>> demand = parse_demand(SAMPLE_DEMAND_PAYLOAD)
        >>> dump_demand(demand) == SAMPLE_DEMAND_PAYLOAD, parse_demand(dump_demand(demand)) == demand
        (True, True)
    """
    if not isinstance(demand, Demand):
        raise InvalidValueError("demand", f"must be a Demand, not {type(demand).__name__}")
    slots: list[dict[str, Any]] = []
    for part in demand.schedule:
        if isinstance(part, Interval):
            slots.append({"start": part.start.isoformat(), "end": part.end.isoformat()})
        else:
            slots.append(
                {
                    "rrule": part.rule,
                    "start": part.start.isoformat(),
                    "duration_minutes": part.duration_minutes,
                }
            )
    out: dict[str, Any] = {"demand_id": demand.demand_id}
    if demand.organization_id:
        out["organization_id"] = demand.organization_id
    if demand.title:
        out["title"] = demand.title
    out["service_category"] = demand.service_category
    out["region_code"] = demand.region.code
    out["slots"] = slots
    out["head_count"] = demand.head_count
    for key in ("required_skills", "required_trainings", "preferred_skills"):
        names = getattr(demand, key)
        if names:
            out[key] = sorted(names)
    if demand.minimum_age is not None:
        out["minimum_age"] = demand.minimum_age
    if demand.minors_barred:
        out["minors_barred"] = True
    if demand.guardian_must_accompany:
        out["guardian_must_accompany"] = True
    return out
