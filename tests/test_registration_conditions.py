"""The conditions every registration rule set shares apply from the day their source took
effect: a child's data from 2021-11-01 [PIPL Art 74], entry by an organization from 2021-02-01
[MCA2020, Order 67]; before that no such consent is asked."""

from __future__ import annotations

import datetime as _dt

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from volunteer_rules.errors import InvalidTypeError, RuleSetError
from volunteer_rules.matching.registration import (
    BUILT_IN,
    CHILD_DATA_FROM,
    ENTRY_CONSENT_FROM,
    RegistrationRules,
    check_registration,
    get_registration_rules,
)
from volunteer_rules.records.profile import age_on
from volunteer_rules.testing.matching_examples import sample_profile

DAY = _dt.timedelta(days=1)

# The days the sources took effect, as docs/sources.md gives them (written out here, not read
# from the data, so that a changed date fails).
PIPL_IN_FORCE = _dt.date(2021, 11, 1)  # [PIPL] Art 74
ORDER_67_IN_FORCE = _dt.date(2021, 2, 1)  # [MCA2020] the order's preamble

CHILD_CODE = "child_data_consent_missing"
ENTRY_CODE = "entry_consent_missing"


def found(
    rules: str | RegistrationRules,
    day: _dt.date,
    *,
    birth: _dt.date = _dt.date(2012, 1, 1),
    consents: tuple[str, ...] = ("guardian",),
) -> dict[str, str]:
    """The codes check_registration returns for an organization's entry, with their sources."""
    profile = sample_profile(birth_date=birth, consents=consents)
    reasons = check_registration(profile, rules=rules, as_of=day, entered_by="organization")
    return {r.code: r.source for r in reasons}


def in_force_on(day: _dt.date) -> list[str]:
    return [r.id for r in BUILT_IN if r.in_force_on(day)]


def test_the_days_are_those_of_the_sources() -> None:
    """Every built-in rule set applies the shared conditions from the sources' days, and the
    references' notes cite those days."""
    assert (CHILD_DATA_FROM, ENTRY_CONSENT_FROM) == (PIPL_IN_FORCE, ORDER_67_IN_FORCE)
    for rules in BUILT_IN:
        assert rules.child_data_from == PIPL_IN_FORCE, rules.id
        assert rules.entry_consent_from == ORDER_67_IN_FORCE, rules.id
        notes = {r.key: r.note or "" for r in rules.references}
        assert f"in force {PIPL_IN_FORCE}" in notes["PIPL"], rules.id
        assert f"in force {ORDER_67_IN_FORCE}" in notes["MCA2020"], rules.id


@pytest.mark.parametrize("rule_id", in_force_on(PIPL_IN_FORCE - DAY))
def test_child_data_both_sides_of_the_day_in_force(rule_id: str) -> None:
    """A 9-year-old without guardian_data: not asked on 2021-10-31, asked on 2021-11-01."""
    assert CHILD_CODE not in found(rule_id, PIPL_IN_FORCE - DAY)
    assert found(rule_id, PIPL_IN_FORCE)[CHILD_CODE] == "[PIPL Art 31]"
    rules = get_registration_rules(rule_id)
    assert not rules.asks_child_data_consent(PIPL_IN_FORCE - DAY)
    assert rules.asks_child_data_consent(PIPL_IN_FORCE)


@pytest.mark.parametrize("rule_id", in_force_on(ORDER_67_IN_FORCE - DAY))
def test_entry_consent_both_sides_of_the_day_in_force(rule_id: str) -> None:
    """An organization's entry without basic_info_entry: not asked on 2021-01-31, asked on
    2021-02-01, citing Order 67 alone (the 2012 rules asked no consent to it)."""
    adult = _dt.date(1990, 1, 1)
    assert ENTRY_CODE not in found(rule_id, ORDER_67_IN_FORCE - DAY, birth=adult)
    assert found(rule_id, ORDER_67_IN_FORCE, birth=adult)[ENTRY_CODE] == "[MCA2020 Art 6]"
    rules = get_registration_rules(rule_id)
    assert not rules.asks_entry_consent(ORDER_67_IN_FORCE - DAY)
    assert rules.asks_entry_consent(ORDER_67_IN_FORCE)


def test_a_registration_before_both_asks_neither_consent() -> None:
    """In 2020 neither source was in force: a child entered by an organization with no consent
    at all owes only what the rule set itself asks."""
    day = _dt.date(2020, 6, 1)
    assert found("cn-national", day, consents=()) == {}
    assert list(found("cn-shanghai", day, consents=())) == ["guardian_consent_missing"]


def test_the_guardian_reason_cites_the_rule_set_s_own_sources() -> None:
    """A guardian's consent to serving comes from the rule set's source, not from the shared
    data-protection references."""
    sources = found("cn-cyl", _dt.date(2024, 1, 1), birth=_dt.date(2008, 1, 1), consents=())
    assert sources["guardian_consent_missing"] == "[CYL] [CIVIL Art 18]"
    shanghai = found("cn-shanghai", _dt.date(2024, 1, 1), consents=())
    assert shanghai["guardian_consent_missing"] == "[SH Art 13]"


def test_undated_conditions_apply_on_every_day() -> None:
    """An integrator's rule set may apply the conditions on every day (``None``) or not ask
    for entry consent at all."""
    always = RegistrationRules(
        id="x-always", name="a", name_zh="a", child_data_from=None, entry_consent_from=None
    )
    early = _dt.date(2000, 1, 1)
    assert set(found(always, early, birth=_dt.date(1995, 1, 1), consents=())) == {
        CHILD_CODE,
        ENTRY_CODE,
    }
    never = attrs.evolve(always, organization_entry_needs_consent=False)
    assert not never.asks_entry_consent(_dt.date(2024, 1, 1))
    assert ENTRY_CODE not in found(never, _dt.date(2024, 1, 1), consents=())


@pytest.mark.parametrize(
    "kwargs",
    [
        {"child_data_from": "2021-11-01"},
        {"entry_consent_from": _dt.datetime(2021, 2, 1)},
    ],
)
def test_a_day_that_is_not_a_date_is_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(RuleSetError, match="must be a date or None"):
        RegistrationRules(id="x-bad", name="b", name_zh="b", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("day", [_dt.datetime(2021, 11, 1), "2021-11-01", None])
def test_the_questions_take_only_a_date(day: object) -> None:
    rules = get_registration_rules("cn-national")
    with pytest.raises(InvalidTypeError):
        rules.asks_child_data_consent(day)  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError):
        rules.asks_entry_consent(day)  # type: ignore[arg-type]


@given(
    st.dates(min_value=_dt.date(2000, 1, 1), max_value=_dt.date(2030, 12, 31)),
    st.integers(min_value=0, max_value=40 * 366),
    st.sets(st.sampled_from(["guardian", "guardian_data", "basic_info_entry"])),
    st.sampled_from(["volunteer", "organization"]),
    st.sampled_from(BUILT_IN),
)
def test_a_condition_is_asked_exactly_when_its_source_is_in_force(
    day: _dt.date,
    days_old: int,
    consents: set[str],
    entered_by: str,
    rules: RegistrationRules,
) -> None:
    """Over random days, ages and consents: the child-data consent is asked exactly when the
    PIPL is in force, the child is under 14 and has not got it; the entry consent exactly when
    Order 67 is in force, an organization entered the information and has not got it."""
    if not rules.in_force_on(day):
        rules = get_registration_rules("cn-national")  # the default: in force on every day
    birth = day - _dt.timedelta(days=days_old)
    profile = sample_profile(birth_date=birth, consents=tuple(sorted(consents)))
    codes = {
        r.code
        for r in check_registration(
            profile,
            rules=rules,
            as_of=day,
            entered_by=entered_by,  # type: ignore[arg-type]
        )
    }
    assert (CHILD_CODE in codes) == (
        day >= PIPL_IN_FORCE and age_on(birth, day) < 14 and "guardian_data" not in consents
    )
    assert (ENTRY_CODE in codes) == (
        day >= ORDER_67_IN_FORCE
        and entered_by == "organization"
        and "basic_info_entry" not in consents
    )


@pytest.mark.parametrize("day", [PIPL_IN_FORCE - DAY, PIPL_IN_FORCE])
def test_the_task_checks_ask_a_child_s_data_consent_from_the_same_day(day: _dt.date) -> None:
    """check_assignment and match (its fast path and its reasons) ask a child's data consent
    when the law is in force on their as_of, the day of the decision, as registration does."""
    from volunteer_rules.matching import check_assignment, match, parse_demand
    from volunteer_rules.testing.matching_examples import SAMPLE_DEMAND_PAYLOAD

    demand = parse_demand(
        {
            **{k: v for k, v in SAMPLE_DEMAND_PAYLOAD.items() if k != "minimum_age"},
            "service_category": "community_service",
            "required_skills": [],
            "slots": [{"start": "2021-11-20T08:00:00+08:00", "end": "2021-11-20T10:00:00+08:00"}],
        }
    )
    child = sample_profile(birth_date=_dt.date(2012, 1, 1), consents=("guardian",))
    asked = day >= PIPL_IN_FORCE
    expected = [CHILD_CODE] if asked else []
    assert (CHILD_CODE in found("cn-national", day)) is asked
    eligibility = check_assignment(child, demand, rules="cn-national", as_of=day)
    assert [r.code for r in eligibility.reasons] == expected
    result = match(demand, [child], rules="cn-national", as_of=day)
    assert [a.volunteer_id for a in result.assignments] == ([] if asked else ["V1"])
    ineligible = [(v, [r.code for r in reasons]) for v, reasons in result.ineligible]
    assert ineligible == ([("V1", expected)] if asked else [])
