"""Task eligibility and matching volunteers to a demand.

:func:`check_assignment` says whether one volunteer may take a demand's slots, with every
reason they may not (a :class:`~volunteer_rules.matching.registration.Reason` each, codes in
:data:`ASSIGNMENT_CODES`). :func:`match` ranks many candidates for one demand, lists the
ineligible ones with their reasons, and fills each slot's head count.

The conditions (tasks suit the volunteer's age, knowledge, skills and health [REG2017 Art 15];
service is voluntary [REG2017 Art 3]; minors under the rule set of the region,
:mod:`volunteer_rules.matching.registration`):

==========================  ================================================================
code                        when
==========================  ================================================================
``category_not_chosen``     the volunteer registered service categories and not this one
``skill_missing``           a required skill is not among the volunteer's skills
``training_missing``        no training record of a required category on record on ``as_of``
``training_expired``        one exists, but none is valid on the slot's day
``below_minimum_age``       younger than the demand's or the rule set's minimum on the day
``minor_barred``            under 18 on the day, and the demand bars minors or its category
                            is barred to minors by the rule set (disaster relief)
``guardian_consent_missing``  a minor without the guardian's consent (where accompaniment may
                            replace it, a demand on which a guardian accompanies suffices)
``child_data_consent_missing``  under 14 without the guardian's consent to data use [PIPL 31]
``schedule_clash``          the slot overlaps an assignment the volunteer already holds
``outside_region``          (:func:`match` only) lives outside the region ``reach`` allows
==========================  ================================================================

Ages and training validity are judged on each slot's day (the local date of its start),
intervals are half-open (touching slots do not clash). A training counts only if it was on
record on ``as_of`` (its date is on or before ``as_of``).

The score (:class:`Score`), compared in this order, larger first, ties broken by the smaller
``volunteer_id`` so that the result never depends on the order of the candidates:

1. ``covered``: required and preferred skills and required trainings the volunteer holds;
2. ``proximity``: where the volunteer lives against the demand's region: 3 same county,
   2 same city, 1 same province, 0 elsewhere (:meth:`RegionCode.ancestors`);
3. ``history_minutes``: counted service minutes in the demand's category (from ``records``
   through the counting engine, or from ``history``);
4. ``star_rank``: the star level of the volunteer's certification, if given.

Slots are filled in order of start: each slot takes the best-ranked candidates who may take
it and hold no overlapping slot of this match, up to the head count.

What a match gives (:class:`MatchResult`, :class:`Assignment`, :class:`Score`,
:class:`RankedCandidate`, :data:`MATCH_COLUMNS`) is defined in
:mod:`volunteer_rules.matching.match_result` and re-exported here.

Example:
    >>> from datetime import date
    >>> from volunteer_rules.testing.matching_examples import SAMPLE_DEMAND_PAYLOAD
    >>> from volunteer_rules.matching.demand import parse_demand
    >>> demand = parse_demand(SAMPLE_DEMAND_PAYLOAD)
    >>> result = match(demand, [], rules="cn-national", as_of=date(2024, 5, 1))
    >>> result.ranked, result.unfilled[0]
    ((), (0, 3))
"""

from __future__ import annotations

import datetime as _dt
import heapq
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import items_of, require_date, require_iterable
from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.matching._demand_view import LEVEL_VALUE, DemandView, select_slots
from volunteer_rules.matching.demand import Demand, Interval, TimeSlot
from volunteer_rules.matching.match_result import (
    MATCH_COLUMNS,
    Assignment,
    MatchResult,
    RankedCandidate,
    Score,
    _Key,
    _MatchState,
)
from volunteer_rules.matching.registration import (
    Reason,
    RegistrationRules,
    _rules,
)
from volunteer_rules.records.profile import TrainingRecord, VolunteerProfile

__all__ = [
    "ASSIGNMENT_CODES",
    "MATCH_COLUMNS",
    "Assignment",
    "Eligibility",
    "MatchResult",
    "RankedCandidate",
    "Score",
    "check_assignment",
    "match",
]

ASSIGNMENT_CODES: Final[Mapping[str, str]] = {
    "category_not_chosen": "registered for other service categories",
    "skill_missing": "lacks a required skill",
    "training_missing": "holds no training of a required category",
    "training_expired": "holds a required training, but not valid on the slot's day",
    "below_minimum_age": "younger than the minimum age on the slot's day",
    "minor_barred": "a minor, and minors are barred from this task",
    "guardian_consent_missing": "a minor without the guardian's consent",
    "child_data_consent_missing": "a child under 14 without consent to data use",
    "schedule_clash": "the slot overlaps an assignment already held",
    "outside_region": "lives outside the region the match reaches",
}
"""Every code :func:`check_assignment` and :func:`match` give, with what it means."""

Reach = Literal["county", "city", "province"]


@masked_repr
@attrs.frozen(kw_only=True)
class Eligibility:
    """Whether one volunteer may take a demand's slots, and why not.

    Attributes:
        volunteer_id: the volunteer.
        demand_id: the demand.
        reasons: every unmet condition (a reason with ``slot`` set concerns that slot only).
        open_slots: indexes of the slots the volunteer may take.

    Example:
        >>> Eligibility(volunteer_id="V1", demand_id="D", reasons=(), open_slots=(0,)).eligible
        True
    """

    volunteer_id: str
    demand_id: str
    reasons: tuple[Reason, ...]
    open_slots: tuple[int, ...]

    @property
    def eligible(self) -> bool:
        """True when there is no reason at all (every slot checked is open).

        Example:
            >>> Eligibility(volunteer_id="V", demand_id="D", reasons=(),
            ...             open_slots=()).eligible
            True
        """
        return not self.reasons

    @property
    def codes(self) -> tuple[str, ...]:
        """The reasons' codes, in order.

        Example:
            >>> Eligibility(volunteer_id="V", demand_id="D", reasons=(), open_slots=()).codes
            ()
        """
        return tuple(r.code for r in self.reasons)


def check_assignment(
    profile: VolunteerProfile,
    demand: Demand,
    *,
    rules: RegistrationRules | str,
    as_of: _dt.date,
    slot: TimeSlot | int | None = None,
    trainings: Iterable[TrainingRecord] = (),
    existing_assignments: Iterable[Assignment | Interval | TimeSlot] = (),
) -> Eligibility:
    """Every reason ``profile``'s volunteer may not take ``demand``'s slot (or any slot).

    Args:
        profile: the volunteer.
        demand: the demand.
        rules: the registration rule set (or its id) of the demand's region, in force on
            ``as_of`` (``registration_rules_for_region(region, as_of=as_of)``).
        as_of: the day of the decision; trainings entered later do not count.
        slot: one slot (a :class:`TimeSlot` or its index), or ``None`` for all of them.
        trainings: the volunteer's training records (others' are ignored).
        existing_assignments: time the volunteer already holds (anything with aware
            ``start`` and ``end``; half-open).

    Returns:
        an :class:`Eligibility`: reasons with codes of :data:`ASSIGNMENT_CODES`, a reason
        with ``slot`` set concerning that slot only.

    Raises:
        InvalidTypeError: an argument of the wrong type.
        InvalidValueError: a slot index the demand does not have, or ``rules`` not in force
            on ``as_of``.
        UnknownRuleSetError: an unknown rule set id.

    Example:
        >>> from datetime import date
        >>> from volunteer_rules.matching.demand import parse_demand
        >>> from volunteer_rules.testing.matching_examples import SAMPLE_DEMAND_PAYLOAD, sample_profile
        >>> demand = parse_demand(SAMPLE_DEMAND_PAYLOAD)
        >>> teen = sample_profile(birth_date=date(2009, 1, 1))
        >>> result = check_assignment(teen, demand, rules="cn-zhejiang", as_of=date(2024, 5, 1))
        >>> result.codes
        ('skill_missing', 'below_minimum_age', 'guardian_consent_missing', 'minor_barred')
        >>> result.reasons[3].message
        'aged 15 on 2024-06-01; cn-zhejiang bars minors from emergency_rescue'
    """
    if not isinstance(profile, VolunteerProfile):
        raise InvalidTypeError(
            "profile", f"must be a VolunteerProfile, not {type(profile).__name__}"
        )
    if not isinstance(demand, Demand):
        raise InvalidTypeError("demand", f"must be a Demand, not {type(demand).__name__}")
    day = require_date(as_of, "as_of")
    rule_set = _rules(rules, day)
    slots = select_slots(demand, slot)
    mine = [
        t
        for t in items_of(trainings, TrainingRecord, "trainings")
        if t.volunteer_id == profile.volunteer_id
    ]
    held = items_of(existing_assignments, (Assignment, Interval, TimeSlot), "existing_assignments")
    view = DemandView(demand, rule_set, day, slots)
    reasons, open_slots, _ = view.evaluate(profile, mine, held)
    return Eligibility(
        volunteer_id=profile.volunteer_id,
        demand_id=demand.demand_id,
        reasons=tuple(reasons),
        open_slots=open_slots,
    )


def _group(values: Iterable[Any], what: str, cls: type) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    for value in require_iterable(values, what):
        if not isinstance(value, cls):
            raise InvalidTypeError(what, f"holds a {type(value).__name__}")
        owner: str = getattr(value, "volunteer_id")  # noqa: B009 - both classes have it
        grouped[owner].append(value)
    return grouped


def match(
    demand: Demand,
    candidates: Iterable[VolunteerProfile],
    *,
    rules: RegistrationRules | str,
    as_of: _dt.date,
    trainings: Iterable[TrainingRecord] = (),
    existing_assignments: Iterable[Assignment] = (),
    history: Mapping[str, int] | None = None,
    star_ranks: Mapping[str, int] | None = None,
    reach: Reach | None = None,
    max_slots_per_volunteer: int | None = None,
) -> MatchResult:
    """Rank ``candidates`` for ``demand``, list the ineligible, and fill every slot.

    Cheap rejects come first: a candidate who registered other service categories, or who
    lives outside the region ``reach`` allows, is listed with that reason alone. Everyone else
    is judged as :func:`check_assignment` judges them. Eligible candidates (open on at least
    one slot) are ranked by :class:`Score`, then volunteer id; each slot, in order of start,
    takes the best-ranked who may take it and hold no overlapping slot of this match.

    How it stays fast on a city's candidates: everything about the demand is computed once;
    a candidate is settled by set and date comparisons unless their age is near a boundary
    on the slots' days, or they hold trainings the demand needs or assignments already (those
    are checked in full); the ranking is a heap, of which only the head is sorted to fill the
    slots; the reasons of the ineligible and the ranked entries are built when first read.

    Args:
        demand: the demand.
        candidates: volunteer profiles, in any order (a volunteer id at most once).
        rules: the registration rule set (or its id) of the demand's region, in force on
            ``as_of`` (``registration_rules_for_region(region, as_of=as_of)``).
        as_of: the day of the match.
        trainings: training records of any candidates.
        existing_assignments: :class:`Assignment` values the candidates already hold.
        history: counted minutes of service in the demand's category per volunteer id (see
            :func:`volunteer_rules.statistics.summary.category_minutes` to get them from records).
        star_ranks: star level rank per volunteer id (``certification.level.rank``).
        reach: ``"county"``, ``"city"`` or ``"province"``: only candidates living in that
            region around the demand's; ``None`` (default) for anywhere.
        max_slots_per_volunteer: at most this many slots per volunteer (default no limit).

    Returns:
        a :class:`MatchResult`.

    Raises:
        InvalidTypeError: an argument of the wrong type.
        InvalidValueError: a volunteer id given twice, a bad ``reach`` or limit, or ``rules``
            not in force on ``as_of``.

    Example:
        >>> from datetime import date
        >>> from volunteer_rules.matching.demand import parse_demand
        >>> from volunteer_rules.testing.matching_examples import SAMPLE_DEMAND_PAYLOAD, sample_profile
        >>> demand = parse_demand(SAMPLE_DEMAND_PAYLOAD)
        >>> able = sample_profile(volunteer_id="V2", skills=("first_aid",))
        >>> result = match(demand, [sample_profile(), able], rules="cn-national",
        ...                as_of=date(2024, 5, 1))
        >>> [c.volunteer_id for c in result.ranked], [v for v, _ in result.ineligible]
        (['V2'], ['V1'])
    """
    if not isinstance(demand, Demand):
        raise InvalidTypeError("demand", f"must be a Demand, not {type(demand).__name__}")
    day = require_date(as_of, "as_of")
    rule_set = _rules(rules, day)
    if reach is not None and (not isinstance(reach, str) or reach not in LEVEL_VALUE):
        raise InvalidValueError("reach", "must be 'county', 'city', 'province' or None")
    if max_slots_per_volunteer is not None and (
        type(max_slots_per_volunteer) is not int or max_slots_per_volunteer < 1
    ):
        raise InvalidValueError("max_slots_per_volunteer", "must be a positive int or None")
    require_iterable(candidates, "candidates", "must be an iterable of VolunteerProfile")
    minutes_of = _int_mapping(history, "history")
    stars_of = _int_mapping(star_ranks, "star_ranks")
    training_by = _group(trainings, "trainings", TrainingRecord)
    held_by = _group(existing_assignments, "existing_assignments", Assignment)
    view = DemandView(demand, rule_set, day, demand.slots)
    need_reach = 0
    if reach is not None:
        need_reach = min(LEVEL_VALUE[reach], LEVEL_VALUE[demand.region.level])

    not_chosen = (
        Reason(
            code="category_not_chosen",
            message=f"registered for other service categories, not {view.category}",
            source="[REG2017 Art 3] [MCA2020 Art 5]",
        ),
    )
    outside = (
        Reason(code="outside_region", message=f"lives outside the {reach} of {demand.region.name}"),
    )
    pool = _snapshot(candidates)  # the result explains the ineligible lazily from it
    keys, slow = _rank_eligible(pool, view, need_reach, training_by, held_by, minutes_of, stars_of)
    prefix, given, assignments, unfilled = _fill_slots(demand, keys, slow, max_slots_per_volunteer)

    state = _MatchState(
        view,
        pool,
        prefix,
        keys,
        slow,
        given,
        (not_chosen, outside, need_reach),
        training_by,
        held_by,
    )
    return MatchResult(
        demand_id=demand.demand_id,
        rule_set_id=rule_set.id,
        as_of=day,
        assignments=tuple(assignments),
        unfilled=tuple(unfilled),
        state=state,
    )


def _rank_eligible(
    pool: list[VolunteerProfile],
    view: DemandView,
    need_reach: int,
    training_by: dict[str, list[Any]],
    held_by: dict[str, list[Any]],
    minutes_of: Mapping[str, int],
    stars_of: Mapping[str, int],
) -> tuple[list[_Key], dict[str, tuple[tuple[int, ...], tuple[Reason, ...]]]]:
    """The ranking keys of the eligible candidates, and the open slots of those judged in full.

    A candidate is settled by set and date comparisons (category, region, skills, an age the
    same on every slot's day); one who needs trainings, holds assignments or whose age is near
    a boundary is judged by :meth:`DemandView.evaluate`. The ineligible leave no trace.
    """
    category = view.category
    memo = view.proximity_memo
    proximity_of = view.proximity
    required_skills = view.skills
    needs_training = bool(view.trainings)
    preferred = view.preferred
    settled = view.settled_cutoff
    fits = view.fits
    first_year = view.first_day.year
    first_day_of_year = view.first_day.month * 100 + view.first_day.day
    last_year = view.last_day.year
    last_day_of_year = view.last_day.month * 100 + view.last_day.day
    base_covered = len(required_skills)
    keys: list[_Key] = []
    keep = keys.append
    slow: dict[str, tuple[tuple[int, ...], tuple[Reason, ...]]] = {}
    seen: set[str] = set()
    # Only the eligible leave a trace here; who is ineligible, and why, is worked out again
    # from ``pool`` when MatchResult.ineligible is first read.
    for profile in pool:
        chosen = profile.service_categories
        if chosen and category not in chosen:
            continue
        region = profile.residence_region
        if region is None:
            proximity = 0
        else:
            known = memo.get(region.code)
            proximity = proximity_of(region) if known is None else known
        if proximity < need_reach:
            continue
        volunteer_id = profile.volunteer_id
        if volunteer_id in seen:
            raise InvalidValueError("candidates", f"volunteer {volunteer_id} is given twice")
        seen.add(volunteer_id)
        skills = profile.skills
        if required_skills and not required_skills <= skills:
            continue
        trained = 0
        mine = training_by.get(volunteer_id) if needs_training else None
        if needs_training and mine is None:
            continue
        birth = profile.birth_date
        if mine is None and birth > settled and volunteer_id not in held_by:
            # Young: settle without reasons when the age is the same on every slot's day.
            day_of_year = birth.month * 100 + birth.day
            age = first_year - birth.year - (first_day_of_year < day_of_year)
            if age == last_year - birth.year - (last_day_of_year < day_of_year):
                if age < 0 or not fits(profile, age):
                    continue
                birth = settled  # settled: no slot-specific reason
        if mine is not None or birth > settled or volunteer_id in held_by:
            reasons, open_slots, trained = view.evaluate(
                profile, mine, held_by.get(volunteer_id, ())
            )
            if not open_slots:
                continue
            slow[volunteer_id] = (open_slots, tuple(reasons))
        covered = base_covered + trained + (len(preferred & skills) if preferred else 0)
        minutes = minutes_of.get(volunteer_id, 0)
        stars = stars_of.get(volunteer_id, 0)
        if type(minutes) is not int or type(stars) is not int:
            raise InvalidTypeError("history", "history and star_ranks must map ids to ints")
        keep((-covered, -proximity, -minutes, -stars, volunteer_id))

    return keys, slow


def _fill_slots(
    demand: Demand,
    keys: list[_Key],
    slow: dict[str, tuple[tuple[int, ...], tuple[Reason, ...]]],
    limit: int | None,
) -> tuple[list[_Key], dict[str, list[TimeSlot]], list[Assignment], list[tuple[int, int]]]:
    """Fill each slot, in order of start, with the best-ranked who may take it.

    ``keys`` is heapified and popped: only as much of its head is sorted (into the returned
    prefix) as the filling reads. Returns the prefix, the slots given per volunteer, the
    assignments and the unfilled places per slot.
    """
    heapq.heapify(keys)
    prefix: list[_Key] = []
    given: dict[str, list[TimeSlot]] = {}
    assignments: list[Assignment] = []
    unfilled: list[tuple[int, int]] = []
    for slot in demand.slots:
        places = demand.head_count
        position = 0
        while places:
            if position == len(prefix):
                if not keys:
                    break
                prefix.append(heapq.heappop(keys))
            key = prefix[position]
            position += 1
            details = slow.get(key[4])
            if details is not None and slot.index not in details[0]:
                continue
            volunteer_id = key[4]
            taken = given.get(volunteer_id)
            if taken is None:
                taken = given[volunteer_id] = []
            elif (limit is not None and len(taken) >= limit) or any(
                s.start < slot.end and slot.start < s.end for s in taken
            ):
                continue
            taken.append(slot)
            assignments.append(
                Assignment(
                    volunteer_id=volunteer_id,
                    demand_id=demand.demand_id,
                    slot=slot.index,
                    start=slot.start,
                    end=slot.end,
                )
            )
            places -= 1
        if places:
            unfilled.append((slot.index, places))

    return prefix, given, assignments, unfilled


def _snapshot(candidates: Iterable[object]) -> list[VolunteerProfile]:
    """The candidates as a list, read in chunks whose types are checked once per type."""
    pool: list[VolunteerProfile] = []
    iterator = iter(candidates)
    while True:
        chunk = list(itertools.islice(iterator, 65536))
        if not chunk:
            return pool
        for kind in set(map(type, chunk)):
            if not issubclass(kind, VolunteerProfile):
                raise InvalidTypeError("candidates", f"holds a {kind.__name__}")
        pool.extend(chunk)  # type: ignore[arg-type]  # checked just above


def _int_mapping(value: object, what: str) -> Mapping[str, int]:
    """The mapping itself (its values are checked when read), or an empty one for ``None``."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidTypeError(
            what, f"must be a mapping of volunteer id to int, not {type(value).__name__}"
        )
    return value
