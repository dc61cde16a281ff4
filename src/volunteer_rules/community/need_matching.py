"""Matching both ways: volunteers for a person's need, and needs for a volunteer.

:func:`volunteers_for_need` ranks volunteers for a person's need (the library's
:func:`~volunteer_rules.match`); :func:`needs_for_volunteer` lists the needs a volunteer may
take near home in a period ("what can I do near me this week"). Nothing is matched unless the
person's consent covers ``match`` on the day, and people are shown only masked.

Example:
    >>> from datetime import date
    >>> from volunteer_rules.testing.community_examples import sample_person
    >>> person = sample_person(consent=None)
    >>> [r.code for r in volunteers_for_need(person, person.needs[0], [], rules="cn-national",
    ...                                      as_of=date(2024, 6, 1)).refused]
    ['consent_missing']
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import Final, Literal

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import items_of, require_aware, require_date, require_iterable
from volunteer_rules.community.person import Need, PersonServed, need_demand
from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.matching.assignment import Assignment, MatchResult, check_assignment, match
from volunteer_rules.matching.demand import Interval, TimeSlot
from volunteer_rules.matching.registration import Reason, RegistrationRules
from volunteer_rules.records.profile import TrainingRecord, VolunteerProfile
from volunteer_rules.records.region import RegionCode

__all__ = ["NeedMatch", "NeedOffer", "needs_for_volunteer", "volunteers_for_need"]

Reach = Literal["county", "city", "province"]
_DEPTH: Final = {"province": 1, "city": 2, "county": 3}


@masked_repr
@attrs.frozen(kw_only=True)
class NeedMatch:
    """Volunteers for one need: the match, or why there is none.

    Attributes:
        person_id: the person served.
        need_id: the need.
        refused: reasons the need is not matched (``consent_missing``), else ``()``.
        result: the :class:`~volunteer_rules.MatchResult`, or ``None`` when refused.

    Example:
        >>> NeedMatch(person_id="P-1", need_id="N1").result is None
        True
    """

    person_id: str
    need_id: str
    refused: tuple[Reason, ...] = ()
    result: MatchResult | None = None


def _consent_reason(person: PersonServed, day: _dt.date) -> Reason | None:
    if person.consent is not None and person.consent.covers("match", day):
        return None
    return Reason(
        code="consent_missing",
        message=f"{person.masked_name} ({person.person_id}) has not consented to matching on "
        f"{day.isoformat()}",
        source="[PIPL Art 13-14]",
    )


def volunteers_for_need(
    person: PersonServed,
    need: Need,
    candidates: Iterable[VolunteerProfile],
    *,
    rules: RegistrationRules | str,
    as_of: _dt.date,
    organization_id: str = "",
    trainings: Iterable[TrainingRecord] = (),
    existing_assignments: Iterable[Assignment] = (),
    reach: Reach | None = "city",
) -> NeedMatch:
    """Rank volunteers for a person's need with :func:`~volunteer_rules.match`.

    Nothing is matched unless the person's consent covers ``match`` on ``as_of``.

    Example:
        >>> from datetime import date
        >>> from volunteer_rules.testing.community_examples import sample_person
        >>> from volunteer_rules.testing.matching_examples import sample_profile
        >>> person = sample_person()
        >>> helper = sample_profile(volunteer_id="V1", residence_region="211103")
        >>> found = volunteers_for_need(person, person.needs[0], [helper], rules="cn-national",
        ...                             as_of=date(2024, 6, 1))
        >>> [c.volunteer_id for c in found.result.ranked]
        ['V1']
    """
    require_date(as_of, "as_of")
    demand = need_demand(person, need, organization_id=organization_id)
    refused = _consent_reason(person, as_of)
    if refused is not None:
        return NeedMatch(person_id=person.person_id, need_id=need.need_id, refused=(refused,))
    result = match(
        demand,
        candidates,
        rules=rules,
        as_of=as_of,
        trainings=trainings,
        existing_assignments=existing_assignments,
        reach=reach,
    )
    return NeedMatch(person_id=person.person_id, need_id=need.need_id, result=result)


@masked_repr
@attrs.frozen(kw_only=True)
class NeedOffer:
    """A need a volunteer may take: what, where and when, with the person's name masked.

    Attributes:
        person_id: the person served.
        masked_name: the person's name, masked.
        need_id: the need.
        service_category: its category.
        region: where.
        special_conditions: what the volunteer should know.
        slots: the slots in the period the volunteer may take.

    Example:
        >>> NeedOffer(person_id="P-1", masked_name="刘**", need_id="N1", service_category="health",
        ...           region=RegionCode.parse("211103")).slots
        ()
    """

    person_id: str
    masked_name: str
    need_id: str
    service_category: str
    region: RegionCode
    special_conditions: frozenset[str] = frozenset()
    slots: tuple[TimeSlot, ...] = ()


def _ancestor(region: RegionCode, depth: int) -> str:
    for ancestor in region.ancestors():
        if _DEPTH[ancestor.level] <= depth:
            return ancestor.code
    return region.code


def needs_for_volunteer(
    profile: VolunteerProfile,
    people: Iterable[PersonServed],
    *,
    rules: RegistrationRules | str,
    as_of: _dt.date,
    since: _dt.datetime,
    until: _dt.datetime,
    reach: Reach = "county",
    trainings: Iterable[TrainingRecord] = (),
    existing_assignments: Iterable[Assignment] = (),
) -> tuple[NeedOffer, ...]:
    """The needs near the volunteer, in ``[since, until)``, the volunteer may take.

    A need is offered when the person consents to matching on ``as_of``, the need's region
    lies in the volunteer's ``reach`` (the same county, city or province as the volunteer's
    residence), and at least one of its slots starting in the period is open to the
    volunteer (:func:`~volunteer_rules.check_assignment`: skills, age, training, consent,
    clashes). Offers come by first open slot, then person and need id.

    Example:
        >>> from datetime import date, datetime, timedelta, timezone
        >>> from volunteer_rules.testing.community_examples import sample_person
        >>> from volunteer_rules.testing.matching_examples import sample_profile
        >>> cst = timezone(timedelta(hours=8))
        >>> me = sample_profile(volunteer_id="V1", residence_region="211103")
        >>> offers = needs_for_volunteer(me, [sample_person()], rules="cn-national",
        ...     as_of=date(2024, 6, 1), since=datetime(2024, 6, 3, tzinfo=cst),
        ...     until=datetime(2024, 6, 10, tzinfo=cst))
        >>> [(o.masked_name, [s.start.isoformat() for s in o.slots]) for o in offers]
        [('刘**', ['2024-06-05T09:00:00+08:00'])]
    """
    if not isinstance(profile, VolunteerProfile):
        raise InvalidTypeError("profile", "must be a VolunteerProfile")
    require_date(as_of, "as_of")
    require_aware(since, "since")
    require_aware(until, "until")
    if not isinstance(reach, str) or reach not in _DEPTH:
        raise InvalidValueError("reach", "must be 'county', 'city' or 'province'")
    home = profile.residence_region
    trainings = tuple(items_of(trainings, TrainingRecord, "trainings"))
    held = (Assignment, Interval, TimeSlot)  # (what check_assignment takes)
    existing_assignments = tuple(items_of(existing_assignments, held, "existing_assignments"))
    offers: list[NeedOffer] = []
    for person in require_iterable(people, "people"):
        if not isinstance(person, PersonServed):
            raise InvalidTypeError("people", f"holds a {type(person).__name__}")
        if _consent_reason(person, as_of) is not None:
            continue
        for need in person.needs:
            if home is None or _ancestor(home, _DEPTH[reach]) != _ancestor(
                need.region, _DEPTH[reach]
            ):
                continue
            demand = need_demand(person, need)
            window = [s for s in demand.slots if since <= s.start < until]
            if not window:
                continue
            eligibility = check_assignment(
                profile,
                demand,
                rules=rules,
                as_of=as_of,
                trainings=trainings,
                existing_assignments=existing_assignments,
            )
            open_slots = set(eligibility.open_slots)
            slots = tuple(s for s in window if s.index in open_slots)
            if slots:
                offers.append(
                    NeedOffer(
                        person_id=person.person_id,
                        masked_name=person.masked_name,
                        need_id=need.need_id,
                        service_category=need.service_category,
                        region=need.region,
                        special_conditions=need.special_conditions,
                        slots=slots,
                    )
                )
    offers.sort(key=lambda o: (o.slots[0].start, o.person_id, o.need_id))
    return tuple(offers)
