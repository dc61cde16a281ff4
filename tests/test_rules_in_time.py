"""Rules in time: every built-in scheme's history, tested before, inside and after each version.

The dated table (:data:`DATED`) gives, for each built-in rule set, days on both sides of each
date in its history, with the hours served and the level the source gives on that day (or why
no level can be given). The sources are in docs/sources.md.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import attrs
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

import volunteer_rules as vr
from volunteer_rules.hours import Hours
from volunteer_rules.records.record import Evaluation, ServiceRecord
from volunteer_rules.records.region import RegionCode
from volunteer_rules.rules.rule_set import Attestation, Award, QualityRule, Sanction
from volunteer_rules.timebank.benefits import BENEFITS, eligible_benefits
from volunteer_rules.timebank.operations import get_time_bank_policy

CST = dt.timezone(dt.timedelta(hours=8))
D = dt.date


@attrs.frozen
class Person:
    volunteer_id: str
    birth_date: dt.date
    registered_on: dt.date | None = None


def record(
    record_id: str,
    day: dt.date,
    minutes: int,
    *,
    volunteer: str = "V1",
    evaluation: Evaluation | None = None,
) -> ServiceRecord:
    return ServiceRecord(
        record_id=record_id,
        volunteer_id=volunteer,
        organization_id="512111005000000154",
        activity_name="a",
        service_category="other",
        content="c",
        place="p",
        region_code=RegionCode.parse("211103"),
        date=day,
        start=None,
        end=None,
        service=Hours.from_minutes(minutes),
        person_in_charge="x",
        recorded_by="y",
        recorded_at=dt.datetime(day.year, day.month, day.day, 20, tzinfo=CST),
        status="verified",
        evaluation=evaluation,
    )


def served(hours: int, as_of: dt.date, *, volunteer: str = "V1", months: int = 0) -> list[Any]:
    """``hours`` served in whole days up to ``as_of`` (one record per day, 20 h at most), and
    with ``months``, one day in each of that many months up to ``as_of`` (continuity)."""
    records = []
    left = hours * 60
    day = as_of
    for k in range(months):
        month_day = (as_of.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        for _ in range(k - 1):
            month_day = (month_day - dt.timedelta(days=1)).replace(day=1)
        first = as_of.replace(day=1) if k == 0 else month_day
        take = min(left, 60)
        records.append(record(f"m{k}", first, take, volunteer=volunteer))
        left -= take
    n = 0
    while left > 0:
        take = min(left, 1200)
        records.append(record(f"r{n}", day, take, volunteer=volunteer))
        left -= take
        day -= dt.timedelta(days=1)
        n += 1
    return records


# (rule set, as_of, hours, extra keyword arguments, expected level name or outcome)
DATED: list[tuple[str, dt.date, int, dict[str, Any], str]] = [
    # cn-national: from the 2012 rules (2012-10-23)
    ("cn-national", D(2012, 10, 22), 100, {}, "not_yet_in_force"),
    ("cn-national", D(2012, 10, 23), 100, {}, "one_star"),
    ("cn-national", D(2026, 6, 30), 299, {}, "one_star"),
    ("cn-national", D(2026, 6, 30), 300, {}, "two_star"),
    ("cn-national", D(2026, 6, 30), 1500, {}, "five_star"),
    # cn-cyl: "since 2014"
    ("cn-cyl", D(2013, 12, 31), 100, {}, "not_yet_in_force"),
    ("cn-cyl", D(2014, 1, 1), 1500, {}, "five_star"),
    # cn-beijing: trial rules until 2014-12-31, then 100/300/600/1000/1500
    ("cn-beijing", D(2012, 10, 22), 100, {}, "not_yet_in_force"),
    ("cn-beijing", D(2012, 10, 23), 200, {}, "two_star"),
    ("cn-beijing", D(2014, 12, 31), 200, {}, "two_star"),
    ("cn-beijing", D(2015, 1, 1), 200, {}, "one_star"),
    ("cn-beijing", D(2014, 12, 31), 1000, {}, "five_star"),
    ("cn-beijing", D(2015, 1, 1), 1000, {}, "four_star"),
    ("cn-beijing", D(2015, 1, 1), 1500, {}, "four_star"),
    (
        "cn-beijing",
        D(2023, 3, 14),
        1500,
        {"attested": {"public_standing_and_deeds", "organization_nomination"}},
        "five_star",
    ),
    (
        "cn-beijing",
        D(2023, 3, 14),
        1499,
        {"attested": {"public_standing_and_deeds", "organization_nomination"}},
        "four_star",
    ),
    # cn-shenzhen-longgang: 2023 revision, months since registration, continuous
    ("cn-shenzhen-longgang", D(2022, 12, 31), 100, {}, "not_yet_in_force"),
    (
        "cn-shenzhen-longgang",
        D(2023, 1, 1),
        100,
        {"volunteer": Person("V1", D(2000, 1, 1), D(2022, 7, 1)), "months": 6},
        "one_star",
    ),
    (
        "cn-shenzhen-longgang",
        D(2024, 6, 30),
        300,
        {"volunteer": Person("V1", D(2000, 1, 1), D(2023, 12, 30)), "months": 6},
        "two_star",
    ),
    (
        "cn-shenzhen-longgang",
        D(2024, 6, 30),
        600,
        {"volunteer": Person("V1", D(2000, 1, 1), D(2023, 12, 30)), "months": 12},
        "two_star",  # 600 h but registered only six months before
    ),
    (
        "cn-shenzhen-longgang",
        D(2024, 6, 30),
        600,
        {"volunteer": Person("V1", D(2000, 1, 1), D(2023, 6, 30)), "months": 12},
        "three_star",
    ),
    # cn-maanshan: 2019 rules, conditions per level
    ("cn-maanshan", D(2018, 12, 31), 100, {}, "not_yet_in_force"),
    ("cn-maanshan", D(2019, 1, 1), 1000, {"attested": {"influence"}}, "three_star"),
    (
        "cn-maanshan",
        D(2024, 1, 1),
        1000,
        {"attested": {"influence", "outstanding_deeds"}},
        "four_star",
    ),
    (
        "cn-maanshan",
        D(2024, 1, 1),
        1500,
        {"attested": {"influence", "outstanding_deeds", "role_model"}},
        "five_star",
    ),
    # cn-sichuan: 2021-09-30, four stars before five, selection
    ("cn-sichuan", D(2021, 9, 29), 100, {}, "not_yet_in_force"),
    ("cn-sichuan", D(2021, 9, 30), 1500, {}, "four_star"),
    (
        "cn-sichuan",
        D(2024, 1, 1),
        1500,
        {"attested": {"selection"}, "awarded": [Award(rank=4, date=D(2023, 1, 1))]},
        "five_star",
    ),
    # cn-zhangjiagang: 2014-05-26
    ("cn-zhangjiagang", D(2014, 5, 25), 30, {}, "not_yet_in_force"),
    ("cn-zhangjiagang", D(2014, 5, 26), 30, {}, "one_star"),
    ("cn-zhangjiagang", D(2024, 1, 1), 599, {}, "five_star"),
    ("cn-zhangjiagang", D(2024, 1, 1), 600, {}, "bronze_star_medal"),
    ("cn-zhangjiagang", D(2024, 1, 1), 1500, {}, "gold_star_medal"),
    ("cn-zhangjiagang", D(2024, 1, 1), 2999, {}, "gold_star_medal"),
    ("cn-zhangjiagang", D(2024, 1, 1), 3000, {}, "lifetime_award"),
    # tw-honour-card: 2001-01-20 (a 300-hour card needs 36 months)
    ("tw-honour-card", D(2001, 1, 19), 300, {}, "not_yet_in_force"),
    ("tw-honour-card", D(2001, 1, 20), 300, {}, "none"),
    # tw-awards: 2001-06-21, with the performance certificate (Art 2)
    ("tw-awards", D(2001, 6, 20), 3000, {}, "not_yet_in_force"),
    ("tw-awards", D(2001, 6, 21), 3000, {}, "none"),
    ("tw-awards", D(2001, 6, 21), 3000, {"attested": {"performance_certificate"}}, "bronze"),
    # hk-swd: 1998 to 2021, then retired
    ("hk-swd", D(1997, 12, 31), 50, {}, "not_yet_in_force"),
    ("hk-swd", D(1998, 1, 1), 20, {}, "none"),
    ("hk-swd", D(1998, 12, 31), 50, {}, "bronze"),
    ("hk-swd", D(2021, 12, 31), 200, {}, "gold"),
    ("hk-swd", D(2022, 1, 1), 200, {}, "retired"),
    # hk-hkv-award: first run in 2022, for 2021's hours
    ("hk-hkv-award", D(2020, 12, 31), 50, {}, "not_yet_in_force"),
    ("hk-hkv-award", D(2021, 1, 1), 20, {}, "none"),
    ("hk-hkv-award", D(2021, 12, 31), 500, {}, "gold_for_excellence"),
    ("hk-hkv-award", D(2025, 12, 31), 299, {}, "silver"),
    # uk-millennium-volunteers: 1999
    ("uk-millennium-volunteers", D(1998, 12, 31), 50, {}, "not_yet_in_force"),
    ("uk-millennium-volunteers", D(1999, 1, 1), 200, {}, "award_of_excellence"),
    # us-pvsa: EO 13285 (2003-01-29); the old table until 2019-12-31, then the current one
    (
        "us-pvsa",
        D(2003, 1, 28),
        100,
        {"volunteer": Person("V1", D(1990, 1, 1))},
        "not_yet_in_force",
    ),
    ("us-pvsa", D(2003, 1, 29), 20, {"volunteer": Person("V1", D(1990, 1, 1))}, "none"),
    ("us-pvsa", D(2010, 6, 30), 49, {"volunteer": Person("V1", D(2003, 1, 1))}, "none"),  # 7
    ("us-pvsa", D(2010, 6, 30), 50, {"volunteer": Person("V1", D(2003, 1, 1))}, "bronze"),
    ("us-pvsa", D(2021, 6, 30), 26, {"volunteer": Person("V1", D(2014, 1, 1))}, "bronze"),  # 7
    ("us-pvsa", D(2010, 6, 30), 99, {"volunteer": Person("V1", D(1995, 1, 1))}, "none"),  # 15
    ("us-pvsa", D(2010, 6, 30), 100, {"volunteer": Person("V1", D(1995, 1, 1))}, "bronze"),
    ("us-pvsa", D(2021, 6, 30), 50, {"volunteer": Person("V1", D(2006, 1, 1))}, "bronze"),  # 15
    ("us-pvsa", D(2019, 12, 31), 26, {"volunteer": Person("V1", D(2012, 1, 1))}, "none"),
    ("us-pvsa", D(2020, 1, 1), 26, {"volunteer": Person("V1", D(2012, 1, 1))}, "bronze"),
    ("us-pvsa-lifetime", D(2003, 1, 28), 4000, {}, "not_yet_in_force"),
    ("us-pvsa-lifetime", D(2003, 1, 29), 4000, {}, "lifetime_achievement"),
]


@pytest.mark.parametrize(
    ("rule_set_id", "as_of", "hours", "extra", "expected"),
    DATED,
    ids=[f"{r}-{d}-{h}h-{e}" for r, d, h, _, e in DATED],
)
def test_dated_table(
    rule_set_id: str, as_of: dt.date, hours: int, extra: dict[str, Any], expected: str
) -> None:
    """The level (or the reason there is none) each source gives on each day."""
    extra = dict(extra)
    months = extra.pop("months", 0)
    records = served(hours, as_of, months=months)
    result = vr.certify(records, rule_set=rule_set_id, as_of=as_of, **extra)
    if expected in {"not_yet_in_force", "between_versions", "retired"}:
        assert result.outcome == expected
        assert result.outcome_reason and rule_set_id in result.outcome_reason
        assert result.level.rank == 0 and result.counted == Hours.ZERO
        assert "not certifiable" in result.explain()
    else:
        assert result.outcome == "certified"
        assert result.level.name == expected, result.explain()
        assert result.counted == Hours.from_hours(hours)


def test_every_builtin_in_the_table() -> None:
    """Each built-in rule set is in the table on both sides of every version's start and end."""
    assert {r for r, *_ in DATED} == set(vr.rule_set_ids())
    one_day = dt.timedelta(days=1)
    for rule_set_id in vr.rule_set_ids():
        rule_set = vr.get_rule_set(rule_set_id)
        days = {d for r, d, *_ in DATED if r == rule_set_id}
        for version in rule_set.versions:
            assert {version.valid_from - one_day, version.valid_from} <= days, rule_set_id
            end = rule_set.end_of(version)
            if end is not None:
                assert {end, end + one_day} <= days, rule_set_id


def test_certify_many_gives_the_outcome_too() -> None:
    """certify_many says the same as certify on a day no version is in force."""
    records = served(60, D(2022, 1, 1)) + served(60, D(2022, 1, 1), volunteer="V2")
    many = vr.certify_many(records, rule_set="hk-swd", as_of=D(2022, 1, 1))
    assert set(many) == {"V1", "V2"}
    assert all(c.outcome == "retired" for c in many.values())
    named = vr.certify_many(records, rule_set="hk-swd", as_of=D(1990, 1, 1), volunteers=["V9"])
    assert named["V9"].outcome == "not_yet_in_force"


@pytest.mark.parametrize("rule_set_id", ["us-pvsa", "us-pvsa-lifetime"])
def test_pvsa_pause_both_sides(rule_set_id: str) -> None:
    """The pause began on 2025-05-27 (not 05-25): the 26th is not paused, the 27th is, for the
    12-month awards and the Lifetime award alike; the level is still computed ([PVSA-pause])."""
    person = Person("V1", D(1990, 1, 1))
    results = [
        vr.certify(served(4000, day), rule_set=rule_set_id, as_of=day, volunteer=person)
        for day in (D(2025, 5, 26), D(2025, 5, 27))
    ]
    assert [r.paused for r in results] == [False, True]
    assert [r.outcome for r in results] == ["certified", "certified"]
    assert results[0].level == results[1].level and results[1].level.rank > 0
    assert "paused" in results[1].explain() and "paused" not in results[0].explain()


def _boundary_days() -> list[dt.date]:
    """Both sides of every built-in version's start and end and of every pause."""
    one = dt.timedelta(days=1)
    days: set[dt.date] = set()
    for rule_set_id in vr.rule_set_ids():
        rule_set = vr.get_rule_set(rule_set_id)
        for version in rule_set.versions:
            days |= {version.valid_from - one, version.valid_from}
            if version.valid_until is not None:
                days |= {version.valid_until, version.valid_until + one}
        if rule_set.paused_since is not None:
            days |= {rule_set.paused_since - one, rule_set.paused_since}
    return sorted(days)


def _in_force(rule_set: vr.RuleSet, as_of: dt.date) -> tuple[str, Any]:
    """The outcome and version on ``as_of``, read from the data alone: the version with the
    latest start on or before ``as_of``, unless its own end has passed."""
    started = [v for v in rule_set.versions if v.valid_from <= as_of]
    if not started:
        return "not_yet_in_force", None
    version = started[-1]
    if version.valid_until is not None and as_of > version.valid_until:
        later = any(v.valid_from > as_of for v in rule_set.versions)
        return ("between_versions" if later else "retired"), None
    return "certified", version


def _band_thresholds(version: Any, age: int) -> tuple[Hours, ...]:
    if not version.age_bands:
        return tuple(level.hours for level in version.levels)
    for band in version.age_bands:
        if band.min_age <= age and (band.max_age is None or age <= band.max_age):
            return tuple(band.hours)
    return ()


def _meeting_every_condition(
    rule_set: vr.RuleSet, version: Any, as_of: dt.date, minutes: int, age: int
) -> dict[str, Any]:
    """certify's arguments for ``minutes`` of service that meet every condition but the hours:
    tenure (a first service, or registration, that many months back), one service a month
    for continuous levels, every attestation, and the level below awarded where levels are
    taken in sequence."""
    levels = version.levels if version is not None else rule_set.versions[-1].levels
    tenure = max(level.min_tenure_months for level in levels)
    by_registration = version is not None and version.tenure_from == "registration"
    back = as_of - relativedelta(months=tenure) - dt.timedelta(days=1)
    person = Person("V1", as_of - relativedelta(years=age), back if by_registration else None)
    records: list[ServiceRecord] = []
    left = minutes
    if tenure and not by_registration and left:
        records.append(record("first", back, 1))
        left -= 1
    if any(level.continuous for level in levels):
        for k in range(tenure):
            if left:
                records.append(record(f"m{k}", as_of.replace(day=1) - relativedelta(months=k), 1))
                left -= 1
    day, n = as_of, 0
    while left > 0:
        take = min(left, 1200)
        records.append(record(f"r{n}", day, take))
        left -= take
        day -= dt.timedelta(days=1)
        n += 1
    awarded = [
        Award(rank=level.rank - 1, date=as_of) for level in levels if level.requires_previous
    ]
    attested = {name for level in levels for name in level.attestations}
    return {"volunteer": person, "awarded": awarded, "attested": attested, "records": records}


class TestLevelsInTime:
    """A property per built-in rule set: on any day, the version its data dates applies (or
    none, with the reason), and for any minutes that meet every other condition the level is
    the highest whose threshold (the volunteer's age band's, where there are bands) is met."""

    @pytest.mark.parametrize("rule_set_id", vr.rule_set_ids())
    @given(data=st.data())
    def test_highest_level_met_under_the_version_in_force(
        self, rule_set_id: str, data: Any
    ) -> None:
        rule_set = vr.get_rule_set(rule_set_id)
        as_of = data.draw(
            st.one_of(st.sampled_from(_boundary_days()), st.dates(D(1995, 1, 1), D(2031, 12, 31))),
            label="as_of",
        )
        outcome, version = _in_force(rule_set, as_of)
        age = data.draw(st.integers(0, 90), label="age")
        near = sorted(
            {
                threshold.minutes + delta
                for v in rule_set.versions
                for band in (v.age_bands or (None,))
                for threshold in (band.hours if band else [lv.hours for lv in v.levels])
                for delta in (-1, 0, 1)
            }
        )
        minutes = data.draw(
            st.one_of(st.sampled_from(near), st.integers(0, near[-1] + 600)), label="minutes"
        )
        window = version.window if version is not None else "lifetime"
        if window == "calendar_year":
            minutes = min(minutes, 1000 * as_of.timetuple().tm_yday)
        elif window == "rolling_12_months":
            minutes = min(minutes, 1000 * 365)
        args = _meeting_every_condition(rule_set, version, as_of, minutes, age)
        result = vr.certify(args.pop("records"), rule_set=rule_set, as_of=as_of, **args)
        assert result.outcome == outcome
        assert result.paused == (
            rule_set.paused_since is not None and as_of >= rule_set.paused_since
        )
        if version is None:
            assert result.level.rank == 0 and result.counted == Hours.ZERO
            return
        thresholds = _band_thresholds(version, age)
        expected = sum(1 for threshold in thresholds if threshold.minutes <= minutes)
        assert result.rule_set_version == version.valid_from.isoformat()
        assert result.counted.minutes == minutes
        assert result.level.rank == expected, result.explain()
        if expected < len(thresholds):
            assert result.next_level is not None and result.next_level.rank == expected + 1
            assert result.shortfall.minutes == thresholds[expected].minutes - minutes
        else:
            assert result.next_level is None


class TestZhangjiagangCycles:
    @pytest.mark.parametrize(
        ("hours", "cycles", "prize"),
        [
            (299, 0, "four_star"),
            (300, 1, "none"),
            (329, 1, "none"),
            (330, 1, "one_star"),
            (359, 1, "one_star"),
            (360, 1, "two_star"),
            (500, 1, "four_star"),
            (599, 1, "four_star"),
            (600, 2, "none"),
            (630, 2, "one_star"),
        ],
    )
    def test_every_cycle_repeats_the_five_prizes(self, hours: int, cycles: int, prize: str) -> None:
        """Each 300-hour cycle repeats 30/60/100/200/300: 330 h is cycle two's one-star prize."""
        result = vr.certify(
            served(hours, D(2024, 1, 1)), rule_set="cn-zhangjiagang", as_of=D(2024, 1, 1)
        )
        assert result.cycles == cycles
        assert result.cycle_level is not None
        assert result.cycle_level.name == prize


class TestQuality:
    RULE = vr.RuleSet(
        id="xx-quality",
        name="Quality demo",
        name_zh="质量示例",
        references=(),
        versions=(
            vr.RuleSetVersion(
                valid_from=D(2020, 1, 1),
                levels=(
                    vr.Level(rank=1, name="one_star", label="一星", hours=Hours.from_hours(10)),
                    vr.Level(
                        rank=2,
                        name="two_star",
                        label="二星",
                        hours=Hours.from_hours(20),
                        quality=QualityRule(
                            min_average_rating="good",
                            min_record_rating="pass",
                            min_evaluated_records=2,
                            no_sanction_months=12,
                        ),
                    ),
                ),
            ),
        ),
    )

    def rated(self, *ratings: str, day: dt.date | None = None) -> list[ServiceRecord]:
        day = day or D(2024, 6, 1)
        return [
            record(
                f"q{n}",
                day - dt.timedelta(days=n),
                600,
                evaluation=Evaluation(rating=rating, date=day),
            )
            for n, rating in enumerate(ratings)
        ]

    def test_average_both_sides(self) -> None:
        """good+pass averages 2.5 (below good, 3); excellent+pass averages 3 (good)."""
        as_of = D(2024, 12, 31)
        low = vr.certify(self.rated("good", "pass"), rule_set=self.RULE, as_of=as_of)
        ok = vr.certify(self.rated("excellent", "pass"), rule_set=self.RULE, as_of=as_of)
        assert (low.level.rank, ok.level.rank) == (1, 2)
        assert any("average at least good" in u and "2.50" in u for u in low.unmet)
        assert "two_star: evaluated records average at least good" in ok.met

    def test_per_record_rating_both_sides(self) -> None:
        """One fail blocks, even when the average is good enough."""
        as_of = D(2024, 12, 31)
        result = vr.certify(
            self.rated("excellent", "excellent", "fail"), rule_set=self.RULE, as_of=as_of
        )
        assert result.level.rank == 1
        assert any("every evaluated record rated at least pass" in u for u in result.unmet)

    def test_evaluated_records_both_sides(self) -> None:
        """Two evaluated records are enough, one is not."""
        as_of = D(2024, 12, 31)
        one = [*self.rated("excellent"), record("plain", D(2024, 5, 1), 600)]
        two = self.rated("excellent", "good")
        assert vr.certify(one, rule_set=self.RULE, as_of=as_of).level.rank == 1
        assert vr.certify(two, rule_set=self.RULE, as_of=as_of).level.rank == 2

    def test_evaluation_after_as_of_is_not_read(self) -> None:
        """An evaluation given the day after as_of does not count yet."""
        records = self.rated("excellent", "good", day=D(2024, 6, 1))
        assert vr.certify(records, rule_set=self.RULE, as_of=D(2024, 5, 31)).level.rank == 1
        assert vr.certify(records, rule_set=self.RULE, as_of=D(2024, 6, 1)).level.rank == 2

    def test_sanction_period_both_sides(self) -> None:
        """A sanction 12 months back (inclusive) blocks; one day earlier it no longer does."""
        records = self.rated("excellent", "good")
        as_of = D(2024, 12, 31)
        inside = Sanction(date=D(2024, 1, 1), reason="complaint")
        outside = Sanction(date=D(2023, 12, 31), reason="complaint")
        assert (
            vr.certify(records, rule_set=self.RULE, as_of=as_of, sanctions=[inside]).level.rank == 1
        )
        assert (
            vr.certify(records, rule_set=self.RULE, as_of=as_of, sanctions=[outside]).level.rank
            == 2
        )

    def test_ban_both_sides(self) -> None:
        """A ban blocks every level through its last day, not the day after."""
        records = self.rated("excellent", "good")
        ban = Sanction(date=D(2023, 1, 1), reason="falsified_records", ban_until=D(2024, 12, 31))
        on = vr.certify(records, rule_set=self.RULE, as_of=D(2024, 12, 31), sanctions=[ban])
        after = vr.certify(records, rule_set=self.RULE, as_of=D(2025, 1, 1), sanctions=[ban])
        assert on.level.rank == 0 and "no ban in force" in on.unmet[0]
        assert after.level.rank == 2

    def test_attestation_date_both_sides(self) -> None:
        """An attestation counts from its date on."""
        selection = Attestation(condition="selection", attested_by="团省委", date=D(2024, 7, 1))
        awarded = [Award(rank=4, date=D(2023, 1, 1))]
        records = served(1500, D(2024, 6, 30))
        before = vr.certify(
            records,
            rule_set="cn-sichuan",
            as_of=D(2024, 6, 30),
            attested=[selection],
            awarded=awarded,
        )
        on = vr.certify(
            records,
            rule_set="cn-sichuan",
            as_of=D(2024, 7, 1),
            attested=[selection],
            awarded=awarded,
        )
        assert (before.level.rank, on.level.rank) == (4, 5)

    def test_national_quality_both_sides(self) -> None:
        """cn-national: evaluated records averaging pass keep the stars; below pass, none."""
        day = D(2024, 6, 1)
        base = served(120, D(2024, 5, 1))
        at_pass = [
            *base[2:],
            *[
                attrs.evolve(r, evaluation=Evaluation(rating=g, date=day))
                for r, g in zip(base[:2], ("good", "fail"), strict=True)
            ],
        ]
        below = [*base[1:], attrs.evolve(base[0], evaluation=Evaluation(rating="fail", date=day))]
        assert vr.certify(at_pass, rule_set="cn-national", as_of=day).level.rank == 1
        assert vr.certify(below, rule_set="cn-national", as_of=day).level.rank == 0

    @given(
        st.lists(
            st.tuples(
                st.sampled_from(["V1", "V2", "V3"]),
                st.integers(0, 40),
                st.integers(1, 1440),
                st.sampled_from([None, "excellent", "good", "pass", "fail"]),
            ),
            max_size=25,
        ),
        st.sampled_from(["cn-national", "xx-quality", "cn-shenzhen-longgang"]),
    )
    def test_many_equals_one_by_one(self, rows: list[Any], rule_set_id: str) -> None:
        """certify_many with quality rules gives each volunteer what certify gives."""
        rule_set = self.RULE if rule_set_id == "xx-quality" else vr.get_rule_set(rule_set_id)
        as_of = D(2024, 12, 31)
        records = [
            record(
                f"k{n}",
                D(2024, 1, 1) + dt.timedelta(days=day * 7),
                minutes,
                volunteer=volunteer,
                evaluation=None
                if rating is None
                else Evaluation(rating=rating, date=D(2024, 12, 1)),
            )
            for n, (volunteer, day, minutes, rating) in enumerate(rows)
        ]
        people = [Person(v, D(1990, 1, 1), D(2023, 1, 1)) for v in ("V1", "V2", "V3")]
        bans = {"V2": [Sanction(date=D(2024, 3, 1), reason="x", ban_until=D(2025, 3, 1))]}
        many = vr.certify_many(
            records, rule_set=rule_set, as_of=as_of, volunteers=people, sanctions=bans
        )
        for person in people:
            one = vr.certify(
                records,
                rule_set=rule_set,
                as_of=as_of,
                volunteer=person,
                sanctions=bans.get(person.volunteer_id),
            )
            expected = attrs.evolve(
                one, excluded=tuple(e for e in one.excluded if e[1] != "other_volunteer")
            )
            assert many[person.volunteer_id] == expected


class TestBenefitsAndPolicies:
    def test_priority_service_is_not_medical(self) -> None:
        """'Priority service when in need' is filed as priority service, with its sources."""
        benefit = next(b for b in BENEFITS if b.benefit_id == "priority_service")
        assert benefit.category == "priority_service"
        assert "[BJ] Art 38" in benefit.source and "[SH] Art 30" in benefit.source
        assert not any(b.category == "medical" for b in BENEFITS)

    def test_benefit_dates_both_sides(self) -> None:
        """A certification the day before a benefit's source applies does not open it."""
        records = served(120, D(2012, 10, 20))
        for as_of, expected in ((D(2012, 10, 22), False), (D(2012, 10, 23), True)):
            cert = attrs.evolve(
                vr.certify(records, rule_set="cn-national", as_of=D(2012, 10, 23)), as_of=as_of
            )
            decision = next(
                d
                for d in eligible_benefits(cert)
                if d.benefit.benefit_id == "employment_preference"
            )
            assert decision.applies is expected
            if not expected:
                assert decision.reasons[0].code == "not_in_force"

    def test_maanshan_city_bus_both_sides(self) -> None:
        """Ma'anshan's free city buses: four stars under cn-maanshan from 2019, not three stars,
        not another rule set, not before the rules ([MAS]: 四星级志愿者可以免费乘坐市区公交车)."""

        def bus(rule_set_id: str, rank: int, as_of: dt.date) -> Any:
            cert = SimpleNamespace(
                level=SimpleNamespace(rank=rank),
                counted=Hours.from_hours(1000),
                rule_set_id=rule_set_id,
                as_of=as_of,
            )
            return next(
                d for d in eligible_benefits(cert) if d.benefit.benefit_id == "maanshan_city_bus"
            )

        assert bus("cn-maanshan", 4, D(2019, 1, 1)).applies
        assert bus("cn-maanshan", 5, D(2024, 1, 1)).applies
        assert bus("cn-maanshan", 3, D(2024, 1, 1)).reasons[0].code == "below_level"
        assert bus("cn-national", 4, D(2024, 1, 1)).reasons[0].code == "rule_set_mismatch"
        assert bus("cn-maanshan", 4, D(2018, 12, 31)).reasons[0].code == "not_in_force"
        benefit = bus("cn-maanshan", 4, D(2024, 1, 1)).benefit
        assert benefit.category == "venues_and_transport" and "[MAS]" in benefit.source

    def test_policy_dates(self) -> None:
        """Time-bank policies carry their dates, rollout and source status."""
        shanghai = get_time_bank_policy("cn-shanghai-2026")
        assert [stage for stage, _ in shanghai.rollout] == [
            D(2026, 1, 12),
            D(2027, 1, 1),
            D(2028, 1, 1),
        ]
        assert not shanghai.in_force_on(D(2026, 1, 11)) and shanghai.in_force_on(D(2026, 1, 12))
        nanjing = get_time_bank_policy("cn-nanjing-2019")
        assert len(nanjing.donation_priority) == 2 and "80" in nanjing.donation_priority[0]
        assert get_time_bank_policy("cn-nanjing-gulou-2018").source_status == "unverified"


class TestBoundariesBothSides:
    """Both sides of the conditions the threshold tests of test_rulesets.py do not move."""

    def test_old_pvsa_kids_end_at_14(self) -> None:
        """Under the old table (2010) a child of 14 is a Kid (100 h gold); turning 15 that day,
        a Young Adult (100 h bronze) ([PVSA-2008])."""
        records = served(100, D(2010, 6, 30))
        fourteen = Person("V1", D(1995, 7, 1))
        fifteen = Person("V1", D(1995, 6, 30))
        levels = [
            vr.certify(records, rule_set="us-pvsa", as_of=D(2010, 6, 30), volunteer=p).level.name
            for p in (fourteen, fifteen)
        ]
        assert levels == ["gold", "bronze"]

    def test_old_pvsa_kids_start_at_5(self) -> None:
        """A child turning 5 on as_of has the Kids band; the day before, no band."""
        records = served(50, D(2010, 6, 30))
        five = vr.certify(
            records,
            rule_set="us-pvsa",
            as_of=D(2010, 6, 30),
            volunteer=Person("V1", D(2005, 6, 30)),
        )
        four = vr.certify(
            records, rule_set="us-pvsa", as_of=D(2010, 6, 30), volunteer=Person("V1", D(2005, 7, 1))
        )
        assert (five.level.name, four.level.rank) == ("bronze", 0)
        assert four.unmet and "age band" in four.unmet[0]

    def test_beijing_five_stars_need_both_attestations(self) -> None:
        """1500 h with one of the two attested conditions is four stars ([BJ-2015])."""
        records = served(1500, D(2024, 6, 30))
        both = {"public_standing_and_deeds", "organization_nomination"}
        for missing in sorted(both):
            result = vr.certify(
                records, rule_set="cn-beijing", as_of=D(2024, 6, 30), attested=both - {missing}
            )
            assert result.level.name == "four_star"
            assert result.unmet == (f"attested condition {missing!r}",)

    def test_longgang_three_stars_need_a_year_since_registration(self) -> None:
        """600 h and 12 months of service: registered 12 months before as_of is three stars,
        a day later only two ([SZ-LG]: 注册并连续服务满一年)."""
        as_of = D(2024, 6, 30)
        records = served(600, as_of, months=12)
        on = Person("V1", D(2000, 1, 1), D(2023, 6, 30))
        later = Person("V1", D(2000, 1, 1), D(2023, 7, 1))
        ok = vr.certify(records, rule_set="cn-shenzhen-longgang", as_of=as_of, volunteer=on)
        short = vr.certify(records, rule_set="cn-shenzhen-longgang", as_of=as_of, volunteer=later)
        assert (ok.level.name, short.level.name) == ("three_star", "two_star")
        assert short.unmet and "12 months since registration" in short.unmet[0]

    def test_honour_card_needs_36_months(self) -> None:
        """300 h and a first service 36 months before as_of is the card; a day later, none
        ([TW-LAW] Art 20: 三年以上)."""
        as_of = D(2024, 6, 30)
        for first, expected in ((D(2021, 6, 30), "honour_card"), (D(2021, 7, 1), "none")):
            records = [*served(299, as_of), record("first", first, 60)]
            result = vr.certify(records, rule_set="tw-honour-card", as_of=as_of)
            assert result.counted == Hours.from_hours(300)
            assert result.level.name == expected

    def test_maanshan_stars_are_reached_in_turn(self) -> None:
        """1000 h with outstanding deeds but no attested influence is two stars: a level implies
        every level below it (the library's reading; [MAS] does not say). With influence too,
        four stars."""
        records = served(1500, D(2024, 1, 1))
        as_of = D(2024, 1, 1)
        deeds = vr.certify(
            records,
            rule_set="cn-maanshan",
            as_of=as_of,
            attested={"outstanding_deeds", "role_model"},
        )
        assert deeds.level.name == "two_star"
        assert deeds.unmet == ("attested condition 'influence'",)
        every = {"influence", "outstanding_deeds", "role_model"}
        assert (
            vr.certify(records, rule_set="cn-maanshan", as_of=as_of, attested=every).level.rank == 5
        )
        no_role = vr.certify(
            records, rule_set="cn-maanshan", as_of=as_of, attested=every - {"role_model"}
        )
        assert (no_role.level.name, no_role.unmet) == (
            "four_star",
            ("attested condition 'role_model'",),
        )


class TestWhatChanged:
    def test_beijing_diff(self) -> None:
        """The 2015 Beijing version raises four thresholds and adds five stars' conditions."""
        beijing = vr.get_rule_set("cn-beijing")
        changes = vr.rules.diff_versions(*beijing.versions)
        assert [(c.level, c.what) for c in changes] == [
            ("two_star", "hours"),
            ("three_star", "hours"),
            ("four_star", "hours"),
            ("five_star", "hours"),
            ("five_star", "attestations"),
        ]
        assert vr.rules.diff_versions(beijing.versions[0], beijing.versions[0]) == ()

    def test_zhangjiagang_levels_added(self) -> None:
        """Levels present only in the new version are 'added', only in the old 'removed'."""
        zjg = vr.get_rule_set("cn-zhangjiagang").versions[0]
        fewer = attrs.evolve(zjg, levels=zjg.levels[:5])
        changes = vr.rules.diff_versions(fewer, zjg)
        assert [c.what for c in changes] == ["added"] * 4
        assert [c.what for c in vr.rules.diff_versions(zjg, fewer)] == ["removed"] * 4

    @given(
        st.lists(st.tuples(st.sampled_from(["A", "B", "C", "D"]), st.integers(1, 60)), max_size=40)
    )
    def test_recertify_lists_exactly_the_changed(self, rows: list[tuple[str, int]]) -> None:
        """recertify lists a volunteer iff certify under the two versions gives two ranks."""
        as_of = D(2025, 1, 1)
        records = [
            record(f"x{n}", D(2024, 1, 1) + dt.timedelta(days=n), hours * 20, volunteer=v)
            for n, (v, hours) in enumerate(rows)
        ]
        beijing = vr.get_rule_set("cn-beijing")
        result = vr.rules.recertify(
            records, rule_set=beijing, old=beijing.versions[0], new=D(2015, 1, 1), as_of=as_of
        )
        listed = {c.volunteer_id: c for c in result.changes}
        for volunteer in {v for v, _ in rows}:
            old = vr.certify(
                records,
                rule_set=vr.rules.pin_version(beijing, D(2012, 10, 23)),
                as_of=as_of,
                volunteer=volunteer,
            )
            new = vr.certify(records, rule_set="cn-beijing", as_of=as_of, volunteer=volunteer)
            if old.level.rank != new.level.rank:
                assert listed[volunteer].before == old.level
                assert listed[volunteer].after == new.level
                assert listed[volunteer].rank_change < 0  # the 2015 thresholds are higher
            else:
                assert volunteer not in listed
        assert result.volunteers == len({v for v, _ in rows})


def test_cli_certify_on_a_retired_day(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """The command says why on standard error and exits 1 when the scheme was retired."""
    import json

    from volunteer_rules.cli import main
    from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD

    path = tmp_path / "records.jsonl"
    path.write_text(json.dumps(SAMPLE_RECORD_PAYLOAD) + "\n", encoding="utf-8")
    args = ["certify", str(path), "--rule-set", "hk-swd"]
    assert main([*args, "--as-of", "2022-01-01"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "retired" in captured.err
    assert main([*args, "--as-of", "2021-12-31"]) == 0
