from __future__ import annotations

import contextlib
import datetime as _dt
from typing import Any

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from _any_value import ANY_VALUE
from volunteer_rules.errors import InvalidTypeError, InvalidValueError, VolunteerRulesError
from volunteer_rules.hours import Hours
from volunteer_rules.matching.assignment import (
    ASSIGNMENT_CODES,
    Assignment,
    check_assignment,
    match,
)
from volunteer_rules.matching.demand import Demand, Interval, parse_demand
from volunteer_rules.matching.registration import RegistrationRules
from volunteer_rules.records.profile import TrainingRecord, VolunteerProfile
from volunteer_rules.records.region import RegionCode
from volunteer_rules.testing._registration_strategies import (
    demands,
    matching_candidates,
    registration_rule_sets,
)
from volunteer_rules.testing.matching_examples import SAMPLE_DEMAND_PAYLOAD, sample_profile

CST = _dt.timezone(_dt.timedelta(hours=8))
AS_OF = _dt.date(2024, 5, 1)


def at(month: int, day: int, hour: int) -> _dt.datetime:
    return _dt.datetime(2024, month, day, hour, tzinfo=CST)


def demand(**changes: Any) -> Demand:
    payload = dict(SAMPLE_DEMAND_PAYLOAD)
    payload.update(changes)
    return parse_demand({k: v for k, v in payload.items() if v is not None})


def training(
    category: str = "emergency_rescue",
    *,
    volunteer_id: str = "V1",
    day: _dt.date = _dt.date(2024, 3, 1),
    valid_until: _dt.date | None = None,
) -> TrainingRecord:
    return TrainingRecord(
        training_id=f"t-{category}-{day}",
        volunteer_id=volunteer_id,
        name="培训",
        category=category,
        content="内容",
        hours=Hours.from_minutes(240),
        organizer="盘锦市红十字会",
        date=day,
        valid_until=valid_until,
    )


def able(**changes: Any) -> VolunteerProfile:
    changes.setdefault("skills", ("first_aid",))
    return sample_profile(**changes)  # type: ignore[no-any-return]


def codes(
    profile: VolunteerProfile, target: Demand, rules: str = "cn-national", **kwargs: Any
) -> tuple[str, ...]:
    return check_assignment(profile, target, rules=rules, as_of=AS_OF, **kwargs).codes


class TestCheckAssignment:
    def test_eligible(self) -> None:
        """An adult with the skill may take every slot."""
        result = check_assignment(able(), demand(), rules="cn-national", as_of=AS_OF)
        assert result.eligible
        assert result.open_slots == tuple(range(10))

    def test_skill_missing(self) -> None:
        """A missing required skill is named."""
        result = check_assignment(sample_profile(), demand(), rules="cn-national", as_of=AS_OF)
        assert result.codes == ("skill_missing",)
        assert "first_aid" in result.reasons[0].message
        assert result.open_slots == ()

    def test_category_not_chosen(self) -> None:
        """A volunteer who chose other categories is not assigned this one."""
        assert codes(able(service_categories=("health",)), demand()) == ("category_not_chosen",)
        assert codes(able(service_categories=("emergency_rescue",)), demand()) == ()

    def test_demand_minimum_age_per_slot(self) -> None:
        """Turning 16 on the second slot's day closes only the first slot."""
        profile = able(birth_date=_dt.date(2008, 6, 8), consents=("guardian",))
        result = check_assignment(
            profile, demand(service_category="community_service"), rules="cn-national", as_of=AS_OF
        )
        assert result.codes == ("below_minimum_age",)
        assert result.reasons[0].slot == 0
        assert result.open_slots == tuple(range(1, 10))

    def test_minimum_age_day_before(self) -> None:
        """Turning 16 the day after the last slot closes every slot: one reason for all."""
        profile = able(birth_date=_dt.date(2008, 8, 4), consents=("guardian",))
        result = check_assignment(
            profile, demand(service_category="community_service"), rules="cn-national", as_of=AS_OF
        )
        assert result.codes == ("below_minimum_age",)
        assert result.reasons[0].slot is None

    @pytest.mark.parametrize("rule_id", ["cn-zhejiang", "cn-shandong", "cn-ningbo", "cn-taian"])
    @pytest.mark.parametrize(
        ("birth", "eighteenth"),
        [
            (_dt.date(2006, 6, 1), _dt.date(2024, 6, 1)),
            (_dt.date(2008, 2, 29), _dt.date(2026, 3, 1)),  # a leapling in a common year
            (_dt.date(2004, 2, 29), _dt.date(2022, 3, 1)),
        ],
    )
    def test_minors_barred_from_disaster_relief(
        self, rule_id: str, birth: _dt.date, eighteenth: _dt.date
    ) -> None:
        """Under these rules a minor may not do emergency rescue; from the 18th birthday on."""
        person = able(birth_date=birth, consents=("guardian",))
        for day, expected in (
            (eighteenth - _dt.timedelta(days=1), ("minor_barred",)),
            (eighteenth, ()),
        ):
            start = _dt.datetime.combine(day, _dt.time(8), tzinfo=CST)
            one_slot = demand(
                slots=[
                    {
                        "start": start.isoformat(),
                        "end": (start + _dt.timedelta(hours=4)).isoformat(),
                    }
                ]
            )
            # decided on the day the last of these rule sets took effect (cn-taian)
            found = check_assignment(person, one_slot, rules=rule_id, as_of=_dt.date(2022, 3, 1))
            assert found.codes == expected, day

    @pytest.mark.parametrize("rule_id", ["cn-henan", "cn-chongqing", "cn-national"])
    def test_minors_not_barred_elsewhere(self, rule_id: str) -> None:
        """Henan, Chongqing and the national rules do not bar minors from rescue work."""
        minor = able(birth_date=_dt.date(2007, 1, 1), consents=("guardian",))
        assert codes(minor, demand(), rule_id) == ()

    def test_demand_bars_minors(self) -> None:
        """A demand may bar minors itself, under any rule set."""
        minor = able(birth_date=_dt.date(2007, 1, 1), consents=("guardian",))
        target = demand(minors_barred=True, service_category="community_service")
        assert codes(minor, target) == ("minor_barred",)

    def test_guardian_consent_or_accompaniment(self) -> None:
        """Henan: a minor needs consent, unless a guardian accompanies on the demand."""
        minor = able(birth_date=_dt.date(2007, 1, 1), consents=())
        assert codes(minor, demand(), "cn-henan") == ("guardian_consent_missing",)
        assert codes(minor, demand(guardian_must_accompany=True), "cn-henan") == ()

    def test_consent_needed_despite_accompaniment(self) -> None:
        """Shanghai: accompaniment does not replace consent."""
        minor = able(birth_date=_dt.date(2007, 1, 1), consents=())
        target = demand(guardian_must_accompany=True)
        assert codes(minor, target, "cn-shanghai") == ("guardian_consent_missing",)

    def test_not_yet_born(self) -> None:
        """A birth date after the slot's day is a reason, not an error."""
        unborn = able(birth_date=_dt.date(2024, 6, 2), consents=("guardian", "guardian_data"))
        target = demand(minimum_age=None, service_category="community_service")
        result = check_assignment(unborn, target, rules="cn-national", as_of=AS_OF)
        assert [(r.code, r.slot) for r in result.reasons] == [("below_minimum_age", 0)]
        assert match(target, [unborn], rules="cn-national", as_of=AS_OF).ranked[0].open_slots == (
            tuple(range(1, 10))
        )

    def test_child_data(self) -> None:
        """A child under 14 needs the guardian's consent to data use."""
        child = able(birth_date=_dt.date(2012, 1, 1), consents=("guardian",))
        target = demand(minimum_age=None, service_category="community_service")
        assert codes(child, target) == ("child_data_consent_missing",)

    def test_training_missing_and_expired(self) -> None:
        """No training is missing; one expired before the slot is expired for that slot."""
        target = demand(required_trainings=["emergency_rescue"])
        assert codes(able(), target) == ("training_missing",)
        lapsing = training(valid_until=_dt.date(2024, 6, 8))  # valid through 8 June
        result = check_assignment(
            able(), target, rules="cn-national", as_of=AS_OF, trainings=[lapsing]
        )
        assert {r.slot for r in result.reasons} == set(range(2, 10))
        assert result.open_slots == (0, 1)

    def test_every_expired_training_named(self) -> None:
        """Two required trainings expired before every slot are two reasons, not one."""
        target = demand(required_trainings=["emergency_rescue", "medical_care"])
        old = [
            training(c, valid_until=_dt.date(2024, 4, 1))
            for c in ("emergency_rescue", "medical_care")
        ]
        result = check_assignment(able(), target, rules="cn-national", as_of=AS_OF, trainings=old)
        assert [(r.code, r.slot) for r in result.reasons] == [
            ("training_expired", None),
            ("training_expired", None),
        ]
        assert "medical_care" in result.reasons[1].message

    def test_training_after_as_of_does_not_count(self) -> None:
        """A training recorded after the day of the decision is not on record."""
        target = demand(required_trainings=["emergency_rescue"])
        later = training(day=_dt.date(2024, 5, 2))
        assert codes(able(), target, trainings=[later]) == ("training_missing",)
        on_day = training(day=AS_OF)
        assert codes(able(), target, trainings=[on_day]) == ()

    def test_others_trainings_ignored(self) -> None:
        """Another volunteer's training does not help."""
        target = demand(required_trainings=["emergency_rescue"])
        assert codes(able(), target, trainings=[training(volunteer_id="V9")]) == (
            "training_missing",
        )

    def test_clash_half_open(self) -> None:
        """Touching an assignment is fine; overlapping by an hour is a clash on that slot."""
        touching = Interval(start=at(6, 1, 12), end=at(6, 1, 14))
        overlapping = Assignment(
            volunteer_id="V1", demand_id="D-x", start=at(6, 8, 11), end=at(6, 8, 13)
        )
        result = check_assignment(
            able(),
            demand(),
            rules="cn-national",
            as_of=AS_OF,
            existing_assignments=[touching, overlapping],
        )
        assert result.codes == ("schedule_clash",)
        assert result.reasons[0].slot == 1
        assert "D-x" in result.reasons[0].message
        assert result.open_slots == (0, *range(2, 10))

    def test_one_slot(self) -> None:
        """Asked about one slot, only that slot is checked."""
        clash = Interval(start=at(6, 8, 11), end=at(6, 8, 13))
        result = check_assignment(
            able(), demand(), rules="cn-national", as_of=AS_OF, slot=0, existing_assignments=[clash]
        )
        assert result.eligible
        assert result.open_slots == (0,)
        with pytest.raises(InvalidValueError):
            check_assignment(able(), demand(), rules="cn-national", as_of=AS_OF, slot=10)

    def test_every_code_documented(self) -> None:
        """Reasons use documented codes only."""
        minor = sample_profile(
            birth_date=_dt.date(2012, 1, 1), consents=(), service_categories=("health",)
        )
        target = demand(required_trainings=["medical_care"], minors_barred=True)
        found = codes(minor, target, "cn-cyl")
        assert set(found) <= set(ASSIGNMENT_CODES)
        assert len(found) == 7

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"profile": None},
            {"demand": {}},
            {"rules": 3},
            {"as_of": "2024-01-01"},
            {"trainings": "x"},
            {"trainings": [1]},
            {"existing_assignments": [(1, 2)]},
            {"slot": "0"},
        ],
    )
    def test_bad_arguments(self, kwargs: dict[str, Any]) -> None:
        """Wrong types are InvalidTypeError."""
        arguments: dict[str, Any] = {
            "profile": able(),
            "demand": demand(),
            "rules": "cn-national",
            "as_of": AS_OF,
        }
        arguments.update(kwargs)
        profile = arguments.pop("profile")
        target = arguments.pop("demand")
        with pytest.raises(InvalidTypeError):
            check_assignment(profile, target, **arguments)


class TestMatch:
    def test_ranking_and_fill(self) -> None:
        """Closer and more experienced volunteers rank first and fill the head count."""
        target = demand(preferred_skills=["driving"])
        people = [
            able(volunteer_id="far", residence_region="210102"),
            able(volunteer_id="city", residence_region="211103"),
            able(volunteer_id="county", residence_region="211104"),
            able(volunteer_id="driver", residence_region="110105", skills=("first_aid", "driving")),
            able(volunteer_id="vet", residence_region="211103"),
            sample_profile(volunteer_id="no-skill"),
        ]
        result = match(
            target,
            people,
            rules="cn-national",
            as_of=AS_OF,
            history={"vet": 600},
            star_ranks={"city": 2},
        )
        assert [c.volunteer_id for c in result.ranked] == ["driver", "county", "vet", "city", "far"]
        assert [v for v, _ in result.ineligible] == ["no-skill"]
        assert result.ranked[2].score.history_minutes == 600
        assert "lives in the same city as 大洼区" in result.ranked[2].explanation
        first = [a.volunteer_id for a in result.assignments if a.slot == 0]
        assert first == ["driver", "county", "vet"]
        assert result.unfilled == ()

    def test_reach(self) -> None:
        """With reach="city", candidates outside Panjin are listed as outside_region."""
        people = [
            able(volunteer_id="a", residence_region="210102"),
            able(volunteer_id="b", residence_region="211103"),
            able(volunteer_id="c", residence_region=None),
        ]
        result = match(demand(), people, rules="cn-national", as_of=AS_OF, reach="city")
        assert [c.volunteer_id for c in result.ranked] == ["b"]
        assert [(v, [r.code for r in rs]) for v, rs in result.ineligible] == [
            ("a", ["outside_region"]),
            ("c", ["outside_region"]),
        ]

    def test_unfilled(self) -> None:
        """Too few candidates leave places unfilled, slot by slot."""
        result = match(demand(), [able()], rules="cn-national", as_of=AS_OF)
        assert result.unfilled == tuple((n, 2) for n in range(10))

    def test_overlapping_slots_not_doubled(self) -> None:
        """Two overlapping slots of one demand never go to one volunteer."""
        target = demand(
            slots=[
                {"start": "2024-06-01T08:00:00+08:00", "end": "2024-06-01T12:00:00+08:00"},
                {"start": "2024-06-01T10:00:00+08:00", "end": "2024-06-01T14:00:00+08:00"},
            ],
            head_count=1,
        )
        result = match(
            target,
            [able(volunteer_id="a"), able(volunteer_id="b")],
            rules="cn-national",
            as_of=AS_OF,
        )
        assert [(a.slot, a.volunteer_id) for a in result.assignments] == [(0, "a"), (1, "b")]

    def test_max_slots_per_volunteer(self) -> None:
        """A limit of slots per volunteer spreads the slots."""
        result = match(
            demand(head_count=1),
            [able(volunteer_id="a"), able(volunteer_id="b")],
            rules="cn-national",
            as_of=AS_OF,
            max_slots_per_volunteer=5,
        )
        assert [c.assigned_slots for c in result.ranked] == [(0, 1, 2, 3, 4), (5, 6, 7, 8, 9)]

    def test_existing_assignments_respected(self) -> None:
        """A slot a volunteer is already busy in goes to someone else."""
        busy = Assignment(volunteer_id="a", start=at(6, 1, 9), end=at(6, 1, 10))
        result = match(
            demand(head_count=1),
            [able(volunteer_id="a"), able(volunteer_id="b")],
            rules="cn-national",
            as_of=AS_OF,
            existing_assignments=[busy],
        )
        assert result.assignments[0].volunteer_id == "b"
        assert result.ranked[0].blocked[0].code == "schedule_clash"

    def test_trainings_by_volunteer(self) -> None:
        """Trainings are matched to their volunteers."""
        target = demand(required_trainings=["emergency_rescue"])
        result = match(
            target,
            [able(volunteer_id="a"), able(volunteer_id="b")],
            rules="cn-national",
            as_of=AS_OF,
            trainings=[training(volunteer_id="b")],
        )
        assert [c.volunteer_id for c in result.ranked] == ["b"]
        assert result.ineligible[0][1][0].code == "training_missing"

    def test_duplicate_candidate(self) -> None:
        """A volunteer given twice is an error."""
        with pytest.raises(InvalidValueError):
            match(demand(), [able(), able()], rules="cn-national", as_of=AS_OF)

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"candidates": "abc"},
            {"candidates": [1]},
            {"reach": "town"},
            {"max_slots_per_volunteer": 0},
            {"history": {"V1": 1.5}},
            {"star_ranks": [1]},
            {"trainings": [None]},
            {"existing_assignments": [Interval(start=at(6, 1, 1), end=at(6, 1, 2))]},
        ],
    )
    def test_bad_arguments(self, kwargs: dict[str, Any]) -> None:
        """Bad arguments raise library errors."""
        arguments: dict[str, Any] = {"candidates": [able()], "rules": "cn-national", "as_of": AS_OF}
        arguments.update(kwargs)
        candidates = arguments.pop("candidates")
        with pytest.raises(VolunteerRulesError):
            match(demand(), candidates, **arguments)


def _people(profiles: list[VolunteerProfile]) -> list[VolunteerProfile]:
    seen: dict[str, VolunteerProfile] = {}
    for profile in profiles:
        seen.setdefault(profile.volunteer_id, profile)
    return list(seen.values())


class TestProperties:
    @given(
        demands(),
        st.lists(matching_candidates(), max_size=12).map(_people),
        registration_rule_sets(),
        st.randoms(use_true_random=False),
        # A day on each side of the child-data law (2021-11-01), whose condition the fast path
        # and check_assignment must both drop before it.
        st.sampled_from([AS_OF, _dt.date(2021, 10, 31), _dt.date(2021, 11, 1)]),
    )
    def test_match_invariants(
        self,
        target: Demand,
        people: list[VolunteerProfile],
        rules: RegistrationRules,
        random: Any,
        day: _dt.date,
    ) -> None:
        """Head count kept, no overlapping slots per volunteer, order of input irrelevant;
        match's reasons and open slots are check_assignment's, on any day."""
        assume(rules.in_force_on(day))
        result = match(target, people, rules=rules, as_of=day)
        per_slot: dict[int, int] = {}
        mine: dict[str, list[Assignment]] = {}
        for assignment in result.assignments:
            assert assignment.slot is not None
            per_slot[assignment.slot] = per_slot.get(assignment.slot, 0) + 1
            for other in mine.get(assignment.volunteer_id, []):
                assert not (other.start < assignment.end and assignment.start < other.end)
            mine.setdefault(assignment.volunteer_id, []).append(assignment)
        assert all(n <= target.head_count for n in per_slot.values())
        ranked_ids = {c.volunteer_id for c in result.ranked}
        assert ranked_ids.isdisjoint(v for v, _ in result.ineligible)
        assert len(ranked_ids) + len(result.ineligible) == len(people)
        keys = [c.score for c in result.ranked]
        assert keys == sorted(keys, reverse=True)
        shuffled = list(people)
        random.shuffle(shuffled)
        again = match(target, shuffled, rules=rules, as_of=day)
        assert again.ranked == result.ranked
        assert again.assignments == result.assignments
        assert again.ineligible == result.ineligible
        by_id = {p.volunteer_id: p for p in people}
        for volunteer_id, reasons in result.ineligible:
            assert reasons
            if reasons[0].code == "category_not_chosen":
                continue  # a cheap reject: that reason alone
            alone = check_assignment(by_id[volunteer_id], target, rules=rules, as_of=day)
            assert alone.reasons == reasons
            assert alone.open_slots == ()
        for candidate in result.ranked:
            alone = check_assignment(
                next(p for p in people if p.volunteer_id == candidate.volunteer_id),
                target,
                rules=rules,
                as_of=day,
            )
            assert alone.open_slots == candidate.open_slots

    @given(
        demands(),
        matching_candidates(),
        registration_rule_sets(),
        st.sampled_from(["first_aid", "driving", "sign_language", "swimming", "new_skill"]),
        st.sampled_from(["medical_care", "emergency_rescue", "legal_aid", "cooking"]),
    )
    def test_more_skills_and_trainings_never_hurt(
        self,
        target: Demand,
        profile: VolunteerProfile,
        rules: RegistrationRules,
        skill: str,
        category: str,
    ) -> None:
        """An eligible candidate stays eligible with an extra skill or training."""
        if profile.birth_date > AS_OF:
            return
        trainings = [
            training(c, volunteer_id=profile.volunteer_id)
            for c in sorted(target.required_trainings)
        ]
        before = check_assignment(profile, target, rules=rules, as_of=AS_OF, trainings=trainings)
        richer = attrs.evolve(profile, skills=profile.skills | {skill})
        extra = [
            *trainings,
            training(category, volunteer_id=profile.volunteer_id, day=_dt.date(2023, 1, 1)),
        ]
        after = check_assignment(richer, target, rules=rules, as_of=AS_OF, trainings=extra)
        assert set(before.open_slots) <= set(after.open_slots)
        if before.eligible:
            assert after.eligible

    @given(ANY_VALUE, ANY_VALUE)
    def test_arbitrary_input_raises_library_errors(self, a: object, b: object) -> None:
        """Arbitrary candidates, rules or assignments raise only library errors."""
        target = demand()
        for call in (
            lambda: match(target, a, rules="cn-national", as_of=AS_OF),  # type: ignore[arg-type]
            lambda: match(target, [able()], rules=b, as_of=AS_OF),  # type: ignore[arg-type]
            lambda: check_assignment(
                able(),
                target,
                rules="cn-national",
                as_of=AS_OF,
                existing_assignments=[a],  # type: ignore[list-item]
            ),
            lambda: check_assignment(able(), target, rules="cn-national", as_of=AS_OF, slot=b),  # type: ignore[arg-type]
        ):
            with contextlib.suppress(VolunteerRulesError):
                call()


class TestRegionProximity:
    @pytest.mark.parametrize(
        ("home", "expected"),
        [("211104", 3), ("211103", 2), ("211100", 2), ("210102", 1), ("110105", 0)],
    )
    def test_levels(self, home: str, expected: int) -> None:
        """Same county 3, same city 2, same province 1, elsewhere 0."""
        result = match(demand(), [able(residence_region=home)], rules="cn-national", as_of=AS_OF)
        assert result.ranked[0].score.proximity == expected
        assert RegionCode.parse(home).code == home
