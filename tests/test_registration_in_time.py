"""Registration rule sets in time: each is in force from the day its source took effect, and a
region's lookup on a day passes over a bound rule set not in force then (parent, then default)."""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from volunteer_rules.cli import main
from volunteer_rules.errors import InvalidTypeError, InvalidValueError, RuleSetError
from volunteer_rules.matching.assignment import match
from volunteer_rules.matching.demand import parse_demand
from volunteer_rules.matching.registration import (
    BUILT_IN,
    DEFAULT_REGISTRATION_REGISTRY,
    RegistrationRegistry,
    RegistrationRules,
    check_registration,
    get_registration_rules,
    registration_rules_for_region,
)
from volunteer_rules.records.region import RegionCode
from volunteer_rules.testing.matching_examples import SAMPLE_DEMAND_PAYLOAD, sample_profile

DAY = _dt.timedelta(days=1)
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# The day each source took effect, as docs/sources.md gives it (written out here, not read
# from the data, so that a changed date fails).
IN_FORCE_FROM = {
    "cn-shanghai": _dt.date(2020, 1, 1),  # [SH] amended text
    "cn-zhejiang": _dt.date(2018, 9, 1),  # [ZJ]
    "cn-shandong": _dt.date(2022, 1, 1),  # [SD] Art 45
    "cn-henan": _dt.date(2019, 3, 1),  # [HN]
    "cn-ningbo": _dt.date(2021, 12, 3),  # [NB] no date found: the text's date
    "cn-taian": _dt.date(2022, 3, 1),  # [TA]
    "cn-chongqing": _dt.date(2015, 10, 1),  # [CQ] Art 41
}
UNDATED = ("cn-national", "cn-cyl", "cn-beijing")

# A region bound to each dated rule set, and what it falls back to the day before.
FALLBACK = [
    ("310104", "cn-shanghai", "cn-national"),
    ("330106", "cn-zhejiang", "cn-national"),
    ("370102", "cn-shandong", "cn-national"),
    ("410105", "cn-henan", "cn-national"),
    ("330203", "cn-ningbo", "cn-zhejiang"),  # Zhejiang's rules were in force by then
    ("370902", "cn-taian", "cn-shandong"),  # so were Shandong's
    ("500103", "cn-chongqing", "cn-national"),
]

ADULT = sample_profile(birth_date=_dt.date(1990, 1, 1), consents=())


def test_every_built_in_rule_set_is_dated_or_said_to_be_undated() -> None:
    """The dates in force are those of the sources; the rest are undated on purpose."""
    assert {r.id: r.valid_from for r in BUILT_IN if r.dated} == IN_FORCE_FROM
    assert tuple(r.id for r in BUILT_IN if not r.dated) == UNDATED
    assert all(r.valid_until is None for r in BUILT_IN)
    for rules in BUILT_IN:  # the first reference's note says where the dates come from
        note = rules.references[0].note or ""
        assert "in force" in note or "undated" in note, rules.id


@pytest.mark.parametrize(("rule_id", "first"), sorted(IN_FORCE_FROM.items()))
def test_both_sides_of_each_date_in_force(rule_id: str, first: _dt.date) -> None:
    """The day before its source took effect a rule set is not in force; on the day it is."""
    rules = get_registration_rules(rule_id)
    assert not rules.in_force_on(first - DAY)
    assert rules.in_force_on(first)
    with pytest.raises(InvalidValueError, match=f"not yet in force on {first - DAY}"):
        check_registration(ADULT, rules=rule_id, as_of=first - DAY)
    assert check_registration(ADULT, rules=rule_id, as_of=first) == ()


@pytest.mark.parametrize(("region", "rule_id", "before"), FALLBACK)
def test_region_falls_back_the_day_before(region: str, rule_id: str, before: str) -> None:
    """A region's rule set applies from its first day; the day before, its parent's."""
    first = IN_FORCE_FROM[rule_id]
    assert registration_rules_for_region(region, as_of=first - DAY).id == before
    assert registration_rules_for_region(region, as_of=first).id == rule_id
    with pytest.raises(InvalidValueError, match="depends on the day"):
        registration_rules_for_region(region)


def test_the_walk_passes_over_every_ancestor_not_in_force() -> None:
    """Before Zhejiang's rules took effect, Ningbo (whose rules were not in force either) gets
    the national default; Tai'an before Shandong's, too."""
    assert registration_rules_for_region("330203", as_of=_dt.date(2018, 8, 31)).id == "cn-national"
    assert registration_rules_for_region("330203", as_of=_dt.date(2018, 9, 1)).id == "cn-zhejiang"
    assert registration_rules_for_region("370902", as_of=_dt.date(2021, 12, 31)).id == "cn-national"


@pytest.mark.parametrize("region", ["110105", "211103", "210000"])
def test_as_of_may_be_left_out_where_every_day_gives_the_same(region: str) -> None:
    """Beijing's rule set is undated, Panjin has none bound: no day is needed."""
    assert (
        registration_rules_for_region(region).id
        == registration_rules_for_region(region, as_of=_dt.date(2000, 1, 1)).id
    )


def test_as_of_must_be_a_date() -> None:
    with pytest.raises(InvalidTypeError):
        registration_rules_for_region("330203", as_of=_dt.datetime(2024, 1, 1))


def _until(last: _dt.date) -> RegistrationRegistry:
    ended = RegistrationRules(
        id="x-ended", name="Ended", name_zh="已废止", minimum_age=16, valid_until=last
    )
    return DEFAULT_REGISTRATION_REGISTRY.with_rules(ended).with_binding("211100", "x-ended")


def test_both_sides_of_valid_until() -> None:
    """``valid_until`` is the last day in force; the day after, the region inherits again."""
    last = _dt.date(2024, 12, 31)
    registry = _until(last)
    ended = registry.get("x-ended")
    assert ended.in_force_on(last) and not ended.in_force_on(last + DAY)
    assert registry.for_region("211103", as_of=last).id == "x-ended"
    assert registry.for_region("211103", as_of=last + DAY).id == "cn-national"
    teen = sample_profile(birth_date=_dt.date(2010, 1, 1), consents=("guardian_data",))
    assert [r.code for r in check_registration(teen, rules=ended, as_of=last)] == [
        "below_minimum_age"
    ]
    with pytest.raises(InvalidValueError, match="no longer in force on 2025-01-01"):
        check_registration(teen, rules=ended, as_of=last + DAY)


def test_match_uses_only_a_rule_set_in_force() -> None:
    """``match`` refuses a rule set not in force on its day, before changing anything."""
    demand = parse_demand(SAMPLE_DEMAND_PAYLOAD)
    with pytest.raises(InvalidValueError, match="cn-taian was not yet in force"):
        match(demand, [ADULT], rules="cn-taian", as_of=_dt.date(2022, 2, 28))
    assert match(demand, [], rules="cn-taian", as_of=_dt.date(2022, 3, 1)).rule_set_id == "cn-taian"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"valid_from": _dt.date(2024, 1, 2), "valid_until": _dt.date(2024, 1, 1)},
        {"valid_from": _dt.datetime(2024, 1, 1)},
        {"valid_until": "2024-01-01"},
    ],
)
def test_bad_dates_in_force(kwargs: dict[str, object]) -> None:
    """Dates that are not dates, or an end before the start, are a RuleSetError."""
    with pytest.raises(RuleSetError):
        RegistrationRules(id="x-bad", name="b", name_zh="b", **kwargs)  # type: ignore[arg-type]


def test_one_day_in_force_is_allowed() -> None:
    one = RegistrationRules(
        id="x-one",
        name="o",
        name_zh="o",
        valid_from=_dt.date(2024, 1, 1),
        valid_until=_dt.date(2024, 1, 1),
    )
    assert [one.in_force_on(_dt.date(2024, 1, d)) for d in (1, 2)] == [True, False]
    assert not one.in_force_on(_dt.date(2023, 12, 31))


def test_a_dated_default_is_refused() -> None:
    """The default must apply on every day, so that every region has rules in force."""
    dated = attrs.evolve(get_registration_rules("cn-national"), valid_from=_dt.date(2017, 12, 1))
    rule_sets = {**DEFAULT_REGISTRATION_REGISTRY.rule_sets, "cn-national": dated}
    with pytest.raises(RuleSetError, match="default"):
        RegistrationRegistry(rule_sets=rule_sets, bindings={})


# Regions bound to a rule set, their children, and regions without a binding.
REGIONS = (
    "110105",
    "310104",
    "330000",
    "330106",
    "330200",
    "330203",
    "370000",
    "370902",
    "370102",
    "410105",
    "500103",
    "211103",
    "210000",
    "440307",
)


@st.composite
def dated_registries(draw: st.DrawFn) -> RegistrationRegistry:
    """The built-in registry with each bound rule set given random dates in force."""
    days = st.dates(min_value=_dt.date(2000, 1, 1), max_value=_dt.date(2030, 12, 31))
    rule_sets = dict(DEFAULT_REGISTRATION_REGISTRY.rule_sets)
    for rule_id in set(DEFAULT_REGISTRATION_REGISTRY.bindings.values()):
        start = draw(st.none() | days)
        end = draw(st.none() | days)
        if start is not None and end is not None and end < start:
            start, end = end, start
        rule_sets[rule_id] = attrs.evolve(rule_sets[rule_id], valid_from=start, valid_until=end)
    return RegistrationRegistry(
        rule_sets=rule_sets, bindings=DEFAULT_REGISTRATION_REGISTRY.bindings
    )


@given(
    st.one_of(st.just(DEFAULT_REGISTRATION_REGISTRY), dated_registries()),
    st.sampled_from(REGIONS),
    st.dates(min_value=_dt.date(1990, 1, 1), max_value=_dt.date(2035, 12, 31)),
)
def test_the_rule_set_chosen_is_in_force_and_the_nearest(
    registry: RegistrationRegistry, region: str, day: _dt.date
) -> None:
    """The rule set found is in force on the day (the default always is), bound to the region
    or an ancestor, and no nearer ancestor has one in force; check_registration accepts it."""
    chosen = registry.for_region(region, as_of=day)
    assert chosen.in_force_on(day)
    bound_in_force = [
        registry.bindings[a.code]
        for a in RegionCode.parse(region).ancestors()
        if a.code in registry.bindings
        and registry.rule_sets[registry.bindings[a.code]].in_force_on(day)
    ]
    assert chosen.id == (bound_in_force[0] if bound_in_force else registry.default_id)
    check_registration(ADULT, rules=chosen, as_of=day)  # never refused for its dates


@pytest.mark.parametrize(
    ("as_of", "expected"), [("2018-08-31", "cn-national"), ("2024-01-01", "cn-ningbo")]
)
def test_the_command_line_uses_the_region_s_rule_set_on_the_day(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], as_of: str, expected: str
) -> None:
    """``match`` without ``--rules`` applies the demand region's rule set on ``--as-of``."""
    demand = json.loads((EXAMPLES / "demand.json").read_text(encoding="utf-8"))
    demand["region_code"] = "330203"
    path = tmp_path / "demand.json"
    path.write_text(json.dumps(demand), encoding="utf-8")
    argv = ["match", str(path), str(EXAMPLES / "profiles.jsonl"), "--as-of", as_of]
    main([*argv, "--format", "json"])
    assert json.loads(capsys.readouterr().out)["rule_set_id"] == expected


def test_the_command_line_refuses_rules_not_in_force(capsys: pytest.CaptureFixture[str]) -> None:
    """``--rules`` naming a rule set not in force on ``--as-of`` is a usage error, no traceback."""
    argv = ["match", str(EXAMPLES / "demand.json"), str(EXAMPLES / "profiles.jsonl")]
    assert main([*argv, "--as-of", "2015-09-30", "--rules", "cn-chongqing"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "--rules: cn-chongqing was not yet in force on 2015-09-30" in captured.err
    assert "Traceback" not in captured.err
