"""Misuse of the community and matching functions raises the library's errors, naming what.

Values that are not iterables, unhashable values where a name is expected, a ``datetime``
where a ``date`` is: never a bare ``TypeError`` or ``ValueError``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _any_value import ANY_VALUE
from volunteer_rules import Hours, TrainingRecord
from volunteer_rules.community import (
    Consent,
    attendance_records,
    needs_for_volunteer,
    tally_attendance,
    verify_records,
    volunteers_for_need,
)
from volunteer_rules.errors import InvalidTypeError, VolunteerRulesError
from volunteer_rules.matching.assignment import check_assignment, match
from volunteer_rules.matching.demand import parse_demand
from volunteer_rules.matching.registration import RegistrationRegistry, get_registration_rules
from volunteer_rules.testing.community_examples import (
    sample_organizations,
    sample_person,
    sample_project,
    sample_roster,
)
from volunteer_rules.testing.matching_examples import SAMPLE_DEMAND_PAYLOAD, sample_profile

CST = dt.timezone(dt.timedelta(hours=8))
DAY = dt.date(2024, 6, 1)
NOW = dt.datetime(2024, 6, 1, tzinfo=CST)
PROJECT = sample_project()
PERSON = sample_person()
HOME = sample_profile(residence_region="211103")
REGISTRY = sample_organizations()
CYL = get_registration_rules("cn-cyl")
TRAINING = TrainingRecord(
    training_id="t-1",
    volunteer_id=HOME.volunteer_id,
    name="红十字救护员培训",
    category="medical_care",
    content="心肺复苏与创伤包扎",
    hours=Hours.from_minutes(960),
    organizer="盘锦市红十字会",
    date=dt.date(2024, 3, 2),
)


def week(**changes: Any) -> Any:
    arguments: dict[str, Any] = {
        "rules": "cn-national",
        "as_of": DAY,
        "since": NOW,
        "until": NOW + dt.timedelta(days=9),
    }
    arguments.update(changes)
    return needs_for_volunteer(HOME, [PERSON], **arguments)


CALLS: dict[str, tuple[str, Callable[[Any], object]]] = {
    "tally_attendance events": (
        "events",
        lambda bad: tally_attendance(PROJECT, sample_roster(PROJECT), bad, now=NOW),
    ),
    "attendance_records attendance": (
        "attendance",
        lambda bad: attendance_records(PROJECT, bad, recorded_by="李雷", recorded_at=NOW),
    ),
    "attendance_records previous": (
        "previous",
        lambda bad: attendance_records(
            PROJECT, [], recorded_by="李雷", recorded_at=NOW, previous=bad
        ),
    ),
    "verify_records records": (
        "records",
        lambda bad: verify_records(bad, verified_by="王芳", at=NOW),
    ),
    "needs_for_volunteer people": (
        "people",
        lambda bad: needs_for_volunteer(
            HOME, bad, rules="cn-national", as_of=DAY, since=NOW, until=NOW
        ),
    ),
    "needs_for_volunteer as_of": ("as_of", lambda bad: week(as_of=bad)),
    "needs_for_volunteer reach": ("reach", lambda bad: week(reach=bad)),
    "needs_for_volunteer trainings": ("trainings", lambda bad: week(trainings=bad)),
    "needs_for_volunteer existing_assignments": (
        "existing_assignments",
        lambda bad: week(existing_assignments=bad),
    ),
    "volunteers_for_need as_of": (
        "as_of",
        lambda bad: volunteers_for_need(
            PERSON, PERSON.needs[0], [], rules="cn-national", as_of=bad
        ),
    ),
    "volunteers_for_need reach": (
        "reach",
        lambda bad: volunteers_for_need(
            PERSON, PERSON.needs[0], [], rules="cn-national", as_of=DAY, reach=bad
        ),
    ),
    "match reach": (
        "reach",
        lambda bad: match(
            parse_demand(SAMPLE_DEMAND_PAYLOAD), [], rules="cn-national", as_of=DAY, reach=bad
        ),
    ),
    "Consent.covers purpose": ("purpose", lambda bad: PERSON.consent.covers(bad, DAY)),
    "Consent.covers day": ("day", lambda bad: PERSON.consent.covers("match", bad)),
    "Consent given_on": (
        "given_on",
        lambda bad: Consent(given_by="self", given_on=bad, purposes={"match"}),
    ),
    "OrganizationRegistry.get": ("organization_id", lambda bad: REGISTRY.get(bad)),
    "OrganizationRegistry.children": ("organization_id", lambda bad: REGISTRY.children(bad)),
    "OrganizationRegistry.descendants": (
        "organization_id",
        lambda bad: REGISTRY.descendants(bad),
    ),
    "RegistrationRegistry rule_sets": (
        "rule_sets",
        lambda bad: RegistrationRegistry(rule_sets=bad),
    ),
    "RegistrationRegistry bindings": (
        "bindings",
        lambda bad: RegistrationRegistry(
            rule_sets={"cn-cyl": CYL}, bindings=bad, default_id="cn-cyl"
        ),
    ),
}

# what each call refuses: not an iterable (or not a mapping), not hashable, a datetime for a date
WRONG = [None, 7, 2.5, object(), [["a"]], {"a"}, dt.datetime(2024, 6, 1, tzinfo=CST)]


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("bad", WRONG, ids=lambda v: type(v).__name__)
def test_misuse_names_the_argument(name: str, bad: object) -> None:
    """Each wrong value is refused with a library error that names the argument."""
    what, call = CALLS[name]
    if bad is None and what == "reach":
        return  # no reach: anywhere
    with pytest.raises(VolunteerRulesError, match=what):
        call(bad)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(sorted(CALLS)), ANY_VALUE)
def test_anything_raises_only_library_errors(name: str, bad: object) -> None:
    """Whatever the value, a library error or an answer: never a bare Python error."""
    with contextlib.suppress(VolunteerRulesError):
        CALLS[name][1](bad)


ENDLESS: list[Callable[[Any], object]] = [
    lambda bad: week(trainings=bad),
    lambda bad: week(existing_assignments=bad),
    lambda bad: check_assignment(
        HOME, parse_demand(SAMPLE_DEMAND_PAYLOAD), rules="cn-national", as_of=DAY, trainings=bad
    ),
    lambda bad: check_assignment(
        HOME,
        parse_demand(SAMPLE_DEMAND_PAYLOAD),
        rules="cn-national",
        as_of=DAY,
        existing_assignments=bad,
    ),
]


@pytest.mark.parametrize("call", ENDLESS, ids=["needs t", "needs a", "check t", "check a"])
def test_an_endless_iterable_of_wrong_items_is_refused_at_its_first(
    call: Callable[[Any], object],
) -> None:
    """Items are checked as they are read: ``itertools.count()`` is refused at once (read
    whole first, it never ends; a ``range`` of 2**64 numbers took all the memory)."""
    with pytest.raises(InvalidTypeError, match=r"\[0\]: must be an? \w+(, \w+ or \w+)?, not int"):
        call(itertools.count())


@given(
    good=st.integers(min_value=0, max_value=5),
    bad=st.sampled_from([7, "t-1", None, DAY]),
    people=st.sampled_from([[], [PERSON]]),
)
def test_a_wrong_training_is_refused_wherever_it_is_and_whoever_is_served(
    good: int, bad: object, people: list[Any]
) -> None:
    """The trainings are checked before the people are read: a wrong one is refused even when
    there is nobody to serve, and the error names its place."""
    trainings: list[Any] = [*[TRAINING] * good, bad]
    with pytest.raises(InvalidTypeError, match=rf"trainings\[{good}\]"):
        needs_for_volunteer(
            HOME, people, rules="cn-national", as_of=DAY, since=NOW, until=NOW, trainings=trainings
        )
