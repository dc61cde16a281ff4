"""Hypothesis strategies for registration and matching: rule sets, demands, candidates.

Example:
    >>> from hypothesis import given
    >>> @given(demands())
    ... def test(demand):
    ...     assert len(demand.slots) >= 1
    >>> test()
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from hypothesis import strategies as st

from volunteer_rules.matching.demand import Demand, Interval, Recurrence, dump_demand
from volunteer_rules.matching.registration import BUILT_IN, RegistrationRules
from volunteer_rules.records.profile import VolunteerProfile
from volunteer_rules.records.region import RegionCode
from volunteer_rules.testing._identifier_strategies import volunteer_profiles

__all__ = [
    "demand_payloads",
    "demands",
    "matching_candidates",
    "registration_rule_sets",
]

_PANJIN = tuple(RegionCode.parse(c) for c in ("211102", "211103", "211104", "211122", "211100"))
_NEARBY = (*_PANJIN, RegionCode.parse("210102"), RegionCode.parse("110105"))
_SKILLS = ("first_aid", "driving", "sign_language", "swimming")
_TRAININGS = ("medical_care", "emergency_rescue", "legal_aid", "psychological_support")
_CATEGORIES = ("emergency_rescue", "community_service", "health")
_OFFSETS = (_dt.timezone(_dt.timedelta(hours=8)), _dt.UTC)


def registration_rule_sets() -> st.SearchStrategy[RegistrationRules]:
    """The built-in registration rule sets.

    Example:
        >>> from hypothesis import given
        >>> @given(registration_rule_sets())
        ... def test(rules):
        ...     assert rules.child_data_age == 14
        >>> test()
    """
    return st.sampled_from(BUILT_IN)


@st.composite
def _intervals(draw: st.DrawFn, start_day: _dt.date) -> Interval:
    offset = draw(st.sampled_from(_OFFSETS))
    day = start_day + _dt.timedelta(days=draw(st.integers(0, 20)))
    start = _dt.datetime.combine(day, _dt.time(draw(st.integers(0, 23))), tzinfo=offset)
    minutes = draw(st.sampled_from((30, 60, 120, 240, 600)))
    return Interval(start=start, end=start + _dt.timedelta(minutes=minutes))


@st.composite
def _recurrences(draw: st.DrawFn, start_day: _dt.date) -> Recurrence:
    offset = draw(st.sampled_from(_OFFSETS))
    start = _dt.datetime.combine(
        start_day + _dt.timedelta(days=draw(st.integers(0, 6))),
        _dt.time(draw(st.integers(6, 20))),
        tzinfo=offset,
    )
    freq = draw(st.sampled_from(("DAILY", "WEEKLY")))
    count = draw(st.integers(1, 5))
    return Recurrence(
        rule=f"FREQ={freq};COUNT={count}",
        start=start,
        duration_minutes=draw(st.sampled_from((60, 120, 180))),
    )


@st.composite
def _demands(
    draw: st.DrawFn,
    categories: st.SearchStrategy[str],
    regions: st.SearchStrategy[RegionCode],
    head_counts: st.SearchStrategy[int],
    start_day: _dt.date,
) -> Demand:
    parts = draw(st.lists(_intervals(start_day) | _recurrences(start_day), min_size=1, max_size=3))
    unique: list[Interval | Recurrence] = []
    seen: set[tuple[_dt.datetime, _dt.datetime]] = set()
    for part in parts:
        spans = [
            (i.start, i.end)
            for i in (part.intervals() if isinstance(part, Recurrence) else (part,))
        ]
        if seen.isdisjoint(spans):
            seen.update(spans)
            unique.append(part)
    minimum = draw(st.none() | st.integers(0, 20))
    return Demand(
        demand_id=draw(st.from_regex(r"D-[0-9]{1,4}", fullmatch=True)),
        service_category=draw(categories),
        region=draw(regions),
        schedule=tuple(unique),
        head_count=draw(head_counts),
        required_skills=draw(st.frozensets(st.sampled_from(_SKILLS), max_size=2)),
        required_trainings=draw(st.frozensets(st.sampled_from(_TRAININGS), max_size=1)),
        preferred_skills=draw(st.frozensets(st.sampled_from(_SKILLS), max_size=2)),
        minimum_age=minimum,
        minors_barred=draw(st.booleans()),
        guardian_must_accompany=draw(st.booleans()),
    )


def demands(
    *,
    categories: st.SearchStrategy[str] | None = None,
    regions: st.SearchStrategy[RegionCode] | None = None,
    head_counts: st.SearchStrategy[int] | None = None,
    start_day: _dt.date = _dt.date(2024, 6, 1),
) -> st.SearchStrategy[Demand]:
    """Valid demands: one to three intervals or recurrences (some overlapping), in Panjin.

    Args:
        categories: service categories; a few built-in ones by default.
        regions: the demand's region; Panjin's districts and city by default.
        head_counts: head count per slot; 1 to 4 by default.
        start_day: the earliest day a slot may start.

    Example:
        >>> from hypothesis import given
        >>> @given(demands(head_counts=st.just(1)))
        ... def test(demand):
        ...     assert demand.head_count == 1
        >>> test()
    """
    return _demands(
        categories if categories is not None else st.sampled_from(_CATEGORIES),
        regions if regions is not None else st.sampled_from(_PANJIN),
        head_counts if head_counts is not None else st.integers(1, 4),
        start_day,
    )


def demand_payloads(**kwargs: Any) -> st.SearchStrategy[dict[str, Any]]:
    """Canonical demand payloads (``dump_demand`` of :func:`demands`).

    Example:
        >>> from hypothesis import given
        >>> from volunteer_rules.matching.demand import parse_demand
        >>> @given(demand_payloads())
        ... def test(payload):
        ...     assert dump_demand(parse_demand(payload)) == payload
        >>> test()
    """
    return demands(**kwargs).map(dump_demand)


def matching_candidates(
    *, birth_dates: st.SearchStrategy[_dt.date] | None = None
) -> st.SearchStrategy[VolunteerProfile]:
    """Profiles for matching: Panjin (and a few farther) residents, few skills and categories.

    Args:
        birth_dates: birth dates; 1950 to 2018 by default (children, minors and adults).

    Example:
        >>> from hypothesis import given
        >>> @given(matching_candidates())
        ... def test(profile):
        ...     assert profile.skills <= {"first_aid", "driving", "sign_language", "swimming"}
        >>> test()
    """
    return volunteer_profiles(
        volunteer_ids=st.from_regex(r"V[0-9]{1,3}", fullmatch=True),
        birth_dates=birth_dates
        if birth_dates is not None
        else st.dates(min_value=_dt.date(1950, 1, 1), max_value=_dt.date(2018, 12, 31)),
        regions=st.sampled_from(_NEARBY),
        document_kinds=st.just("passport"),
        skills=st.frozensets(st.sampled_from(_SKILLS)),
        service_categories=st.frozensets(st.sampled_from(_CATEGORIES), max_size=2),
    )
