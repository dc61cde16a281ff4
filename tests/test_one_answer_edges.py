"""One answer everywhere, on the days where rules turn.

``test_one_answer`` feeds every path records of ordinary days. Here the day asked for is one
where something starts or ends: a calendar-year window opening on ``as_of`` (1 January), a
rolling window across 29 February, a birthday on ``as_of`` or the day after (29 February
births too), an award or a sanction decided on ``as_of`` or the day after, a ban ending on
``as_of`` or the day before; and records entered exactly at midnight of ``as_of`` or of the
next day in another UTC offset, or never verified (a volunteer whose every record is
excluded). ``certify``, ``certify_many``, ``count_records``, ``count_many``, ``summarize`` and
``star_distribution`` must give the same answer, in any order.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

import volunteer_rules as vr
from volunteer_rules.rules import counting
from volunteer_rules.statistics import star_distribution, summarize
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD

BASE = attrs.evolve(vr.parse_record(SAMPLE_RECORD_PAYLOAD), start=None, end=None)
VOLUNTEERS = ("V1", "V2", "V3")
ZONES = tuple(dt.timezone(dt.timedelta(hours=h)) for h in (8, 9, 0, -5))
DAYS = (dt.date(2024, 1, 1), dt.date(2024, 2, 29), dt.date(2024, 3, 1), dt.date(2023, 12, 31))
"""A calendar year opening, 29 February, the day after it, a calendar year's last day."""
RULE_SETS = ("cn-cyl", "hk-hkv-award", "us-pvsa", "tw-honour-card", "cn-national")
"""Thresholds only; a calendar-year window; a rolling window with age bands; awards that may
not be reused; quality conditions (where sanctions are read)."""


@attrs.frozen
class Person:
    volunteer_id: str
    birth_date: dt.date


@st.composite
def case(draw: st.DrawFn) -> tuple[dt.date, list[vr.ServiceRecord], dict[str, Any]]:
    as_of = draw(st.sampled_from(DAYS))
    near = st.integers(-3, 1).map(lambda n: as_of + dt.timedelta(days=n))
    records = []
    for index in range(draw(st.integers(0, 8))):
        day = draw(near)
        zone = draw(st.sampled_from(ZONES))
        entered = draw(st.sampled_from(("next morning", "midnight of as_of", "midnight after")))
        if entered == "next morning":
            at = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(9), zone)
        else:  # exactly midnight, local to the zone, of as_of or of the day after
            midnight = as_of + dt.timedelta(days=entered == "midnight after")
            at = dt.datetime.combine(max(midnight, day), dt.time(0), zone)
        records.append(
            attrs.evolve(
                BASE,
                record_id=f"r{index}",
                volunteer_id=draw(st.sampled_from(VOLUNTEERS)),
                date=day,
                service=vr.Hours.from_minutes(draw(st.sampled_from((1, 59, 600, 1440)))),
                recorded_at=at,
                status=draw(st.sampled_from(("verified", "verified", "submitted"))),
            )
        )
    births = {
        v: draw(
            st.sampled_from((as_of, as_of + dt.timedelta(days=1), dt.date(2016, 2, 29)))
        ).replace(year=2012)  # 2012 is a leap year: every day (29 February too) exists
        for v in VOLUNTEERS
    }
    turns = st.sampled_from((as_of - dt.timedelta(days=1), as_of, as_of + dt.timedelta(days=1)))
    awarded = {v: [vr.Award(rank=1, date=draw(turns))] for v in VOLUNTEERS if draw(st.booleans())}
    sanctions = {}
    for volunteer in VOLUNTEERS:
        if draw(st.booleans()):
            decided = draw(turns)
            until = draw(st.sampled_from((None, as_of - dt.timedelta(days=1), as_of)))
            if until is not None and until < decided:
                until = decided
            sanctions[volunteer] = [vr.Sanction(date=decided, reason="x", ban_until=until)]
    options = {"births": births, "awarded": awarded, "sanctions": sanctions}
    return as_of, draw(st.permutations(records)), options


def _mine(excluded: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    return tuple(e for e in excluded if e[1] != "other_volunteer")


def _answers(
    records: list[vr.ServiceRecord], as_of: dt.date, rule_set: str, options: dict[str, Any]
) -> dict[str, Any]:
    people = [Person(v, options["births"][v]) for v in VOLUNTEERS]
    awarded = options["awarded"] if rule_set == "tw-honour-card" else {}
    sanctions = options["sanctions"] if rule_set == "cn-national" else {}
    one = {}
    for person in people:
        v = person.volunteer_id
        certified = vr.certify(
            records, rule_set=rule_set, as_of=as_of, volunteer=person,
            awarded=awarded.get(v), sanctions=sanctions.get(v),
        )  # fmt: skip
        one[v] = attrs.evolve(certified, excluded=_mine(certified.excluded))
    many = vr.certify_many(
        records, rule_set=rule_set, as_of=as_of, volunteers=people,
        awarded=awarded, sanctions=sanctions,
    )  # fmt: skip
    counted = {
        v: counting.count_records(records, as_of=as_of, volunteer_id=v, since=c.window_start)
        for v, c in one.items()
        if c.window_start is None or c.window_start <= as_of
    }
    counts = vr.count_many(records, as_of=as_of, volunteers=VOLUNTEERS)
    lifetime = {
        v: counting.count_records(records, as_of=as_of, volunteer_id=v).minutes for v in VOLUNTEERS
    }
    levels: dict[int, int] = {}
    for certified in one.values():
        levels[certified.level.rank] = levels.get(certified.level.rank, 0) + 1
    stars = {}
    if not awarded and not sanctions:  # star_distribution takes neither
        rows = star_distribution(records, rule_set=rule_set, as_of=as_of, volunteers=people)
        stars = {row["rank"]: row["volunteers"] for row in rows if row["volunteers"]}
    return {
        "one": one,
        "many": dict(many),
        "counted": {v: (c.minutes, _mine(c.excluded)) for v, c in counted.items()},
        "count_many": {v: (c.minutes, c.excluded) for v, c in counts.items()},
        "lifetime": lifetime,
        "summary": summarize(records, by=(), as_of=as_of)[0]["minutes"],
        "levels": levels,
        "stars": stars,
    }


@settings(max_examples=30, deadline=None)
@given(case(), st.sampled_from(RULE_SETS), st.randoms(use_true_random=False))
def test_every_path_agrees_where_rules_turn(
    drawn: tuple[dt.date, list[vr.ServiceRecord], dict[str, Any]], rule_set: str, rnd: Any
) -> None:
    as_of, records, options = drawn
    answers = _answers(records, as_of, rule_set, options)
    shuffled = list(records)
    rnd.shuffle(shuffled)
    assert _answers(shuffled, as_of, rule_set, options) == answers  # no order shows through
    assert answers["many"] == answers["one"]
    for volunteer, certified in answers["one"].items():
        if volunteer in answers["counted"]:  # the certification's window, counted alone
            minutes, excluded = answers["counted"][volunteer]
            assert (certified.counted.minutes, certified.excluded) == (minutes, excluded)
        else:  # an award on as_of: its window opens the day after, nothing counts yet
            assert certified.counted == vr.Hours.ZERO
        assert certified.shortfall.minutes >= 0
        if certified.next_level is not None and certified.shortfall:
            assert not certified.unmet or certified.shortfall.minutes > 0
    for volunteer in VOLUNTEERS:
        count = answers["count_many"][volunteer]
        assert count[0] == answers["lifetime"][volunteer]
    assert answers["summary"] == sum(answers["lifetime"].values())
    if answers["stars"]:
        assert answers["stars"] == answers["levels"]
