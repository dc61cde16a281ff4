from __future__ import annotations

import contextlib
import datetime as _dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from volunteer_rules.errors import (
    InvalidTypeError,
    InvalidValueError,
    RuleSetError,
    UnknownRuleSetError,
    VolunteerRulesError,
)
from volunteer_rules.matching.registration import (
    BUILT_IN,
    DEFAULT_REGISTRATION_REGISTRY,
    REGISTRATION_BINDINGS,
    REGISTRATION_CODES,
    RegistrationRegistry,
    RegistrationRules,
    check_registration,
    get_registration_rules,
    registration_rule_set_ids,
    registration_rules_for_region,
)
from volunteer_rules.records.profile import age_on
from volunteer_rules.testing._registration_strategies import (
    matching_candidates,
    registration_rule_sets,
)
from volunteer_rules.testing.matching_examples import sample_profile

EXPECTED_IDS = (
    "cn-national",
    "cn-cyl",
    "cn-beijing",
    "cn-shanghai",
    "cn-zhejiang",
    "cn-shandong",
    "cn-henan",
    "cn-ningbo",
    "cn-taian",
    "cn-chongqing",
)


def turning(age: int, birth: _dt.date) -> tuple[_dt.date, _dt.date]:
    """The day before and the day someone born on ``birth`` turns ``age``."""
    year = birth.year + age
    try:
        day = birth.replace(year=year)
    except ValueError:  # 29 February in a common year: turns on 1 March
        day = _dt.date(year, 3, 1)
    return day - _dt.timedelta(days=1), day


# Births whose 14th and 18th birthdays fall after every built-in rule set took effect (2022).
BIRTHS = (_dt.date(2016, 5, 1), _dt.date(2016, 2, 29), _dt.date(2012, 2, 29))


def codes(
    rules: str | RegistrationRules,
    birth: _dt.date,
    day: _dt.date,
    *,
    consents: tuple[str, ...] = ("basic_info_entry", "guardian_data"),
    self_supporting: bool = False,
) -> list[str]:
    profile = sample_profile(birth_date=birth, consents=consents, self_supporting=self_supporting)
    return [r.code for r in check_registration(profile, rules=rules, as_of=day)]


def boundaries(attribute: str) -> list[tuple[str, int]]:
    return [(r.id, getattr(r, attribute)) for r in BUILT_IN if getattr(r, attribute) is not None]


class TestMinimumAge:
    @pytest.mark.parametrize(("rule_id", "age"), boundaries("minimum_age"))
    @pytest.mark.parametrize("birth", BIRTHS)
    def test_both_sides(self, rule_id: str, age: int, birth: _dt.date) -> None:
        """The day before the birthday is refused, the birthday itself is admitted."""
        before, on = turning(age, birth)
        consents = ("guardian", "guardian_data")
        assert "below_minimum_age" in codes(rule_id, birth, before, consents=consents)
        assert codes(rule_id, birth, on, consents=consents) == []

    def test_leapling_turns_on_first_of_march(self) -> None:
        """Born 29 February 2008: not 14 on 28 February 2022, 14 on 1 March."""
        birth = _dt.date(2008, 2, 29)
        consents = ("guardian", "guardian_data")
        assert codes("cn-cyl", birth, _dt.date(2022, 2, 28), consents=consents) == [
            "below_minimum_age"
        ]
        assert codes("cn-cyl", birth, _dt.date(2022, 3, 1), consents=consents) == []

    @pytest.mark.parametrize("rule_id", [r.id for r in BUILT_IN if r.minimum_age is None])
    def test_no_minimum(self, rule_id: str) -> None:
        """Rule sets without a minimum age admit a child (with the consents)."""
        birth = _dt.date(2016, 1, 1)
        got = codes(rule_id, birth, _dt.date(2024, 1, 1), consents=("guardian", "guardian_data"))
        assert "below_minimum_age" not in got


class TestGuardianConsent:
    @pytest.mark.parametrize(
        ("rule_id", "age"),
        [
            (r.id, r.guardian_consent_below)
            for r in BUILT_IN
            if r.guardian_consent_below is not None and not r.accompaniment_suffices
        ],
    )
    @pytest.mark.parametrize("birth", BIRTHS)
    def test_both_sides_of_adulthood(self, rule_id: str, age: int, birth: _dt.date) -> None:
        """Without consent a minor is missing it the day before turning 18, not on the day."""
        before, on = turning(age, birth)
        assert codes(rule_id, birth, before) == ["guardian_consent_missing"]
        assert codes(rule_id, birth, on) == []

    @pytest.mark.parametrize("rule_id", ["cn-cyl", "cn-beijing", "cn-shanghai"])
    def test_consent_given(self, rule_id: str) -> None:
        """With the guardian's consent a 17-year-old registers."""
        birth = _dt.date(2007, 1, 1)
        assert codes(rule_id, birth, _dt.date(2024, 6, 1), consents=("guardian",)) == []

    @pytest.mark.parametrize("birth", BIRTHS)
    def test_cyl_self_supporting_from_16(self, birth: _dt.date) -> None:
        """CYL: self-supporting at 16 needs no consent; the day before, at 15, it does."""
        before, on = turning(16, birth)
        assert codes("cn-cyl", birth, before, self_supporting=True) == ["guardian_consent_missing"]
        assert codes("cn-cyl", birth, on, self_supporting=True) == []

    @pytest.mark.parametrize("rule_id", ["cn-beijing", "cn-shanghai"])
    def test_no_self_supporting_exception(self, rule_id: str) -> None:
        """Beijing and Shanghai make no exception for self-supporting 16-year-olds."""
        birth = _dt.date(2008, 1, 1)
        assert codes(rule_id, birth, _dt.date(2024, 6, 1), self_supporting=True) == [
            "guardian_consent_missing"
        ]

    @pytest.mark.parametrize("rule_id", [r.id for r in BUILT_IN if r.accompaniment_suffices])
    def test_accompaniment_rules_do_not_ask_at_registration(self, rule_id: str) -> None:
        """Where accompaniment may replace consent, registration asks none (tasks do)."""
        assert codes(rule_id, _dt.date(2010, 1, 1), _dt.date(2024, 6, 1)) == []

    def test_national_asks_no_consent(self) -> None:
        """The State Council regulations have no guardian clause."""
        assert codes("cn-national", _dt.date(2009, 1, 1), _dt.date(2024, 6, 1)) == []


class TestChildData:
    @pytest.mark.parametrize("rule_id", EXPECTED_IDS)
    @pytest.mark.parametrize("birth", BIRTHS)
    def test_both_sides_of_14(self, rule_id: str, birth: _dt.date) -> None:
        """Under 14 the data needs the guardian's consent; from the 14th birthday not."""
        before, on = turning(14, birth)
        consents = ("guardian", "basic_info_entry")
        assert "child_data_consent_missing" in codes(rule_id, birth, before, consents=consents)
        assert "child_data_consent_missing" not in codes(rule_id, birth, on, consents=consents)

    def test_consent_given(self) -> None:
        """With guardian_data consent a 10-year-old's data may be processed."""
        got = codes(
            "cn-shanghai",
            _dt.date(2014, 1, 1),
            _dt.date(2024, 6, 1),
            consents=("guardian", "guardian_data"),
        )
        assert got == []


class TestEntryConsent:
    def test_organization_needs_consent(self) -> None:
        """An organization entering the basic information needs basic_info_entry."""
        profile = sample_profile(consents=())
        found = check_registration(
            profile, rules="cn-national", as_of=_dt.date(2024, 1, 1), entered_by="organization"
        )
        assert [r.code for r in found] == ["entry_consent_missing"]
        assert found[0].source == "[MCA2020 Art 6]"  # the 2012 rules asked no consent to it

    def test_volunteer_needs_none(self) -> None:
        """A volunteer entering their own information needs no consent."""
        profile = sample_profile(consents=())
        assert check_registration(profile, rules="cn-national", as_of=_dt.date(2024, 1, 1)) == ()

    def test_with_consent(self) -> None:
        """With basic_info_entry an organization may enter it."""
        profile = sample_profile(consents=("basic_info_entry",))
        assert (
            check_registration(
                profile, rules="cn-national", as_of=_dt.date(2024, 1, 1), entered_by="organization"
            )
            == ()
        )


class TestRegistry:
    def test_built_in_ids(self) -> None:
        """The built-in ids are all there, and every binding names one of them."""
        assert registration_rule_set_ids() == tuple(sorted(EXPECTED_IDS))
        assert set(REGISTRATION_BINDINGS.values()) <= set(EXPECTED_IDS)

    def test_every_rule_set_cites_sources(self) -> None:
        """Every built-in rule set has references, PIPL among them."""
        for rules in BUILT_IN:
            keys = {r.key for r in rules.references}
            assert "PIPL" in keys, rules.id
            assert len(keys) >= 2, rules.id

    def test_unknown(self) -> None:
        """An unknown id is an UnknownRuleSetError."""
        with pytest.raises(UnknownRuleSetError):
            get_registration_rules("xx-nowhere")

    @pytest.mark.parametrize(
        ("region", "expected"),
        [
            ("110105", "cn-beijing"),
            ("310000", "cn-shanghai"),
            ("330106", "cn-zhejiang"),
            ("330203", "cn-ningbo"),
            ("330200", "cn-ningbo"),
            ("370902", "cn-taian"),
            ("370102", "cn-shandong"),
            ("410105", "cn-henan"),
            ("500103", "cn-chongqing"),
            ("211103", "cn-national"),
            ("210000", "cn-national"),
        ],
    )
    def test_region_resolution(self, region: str, expected: str) -> None:
        """The most specific bound region in force wins; unbound regions get the national rules."""
        assert registration_rules_for_region(region, as_of=_dt.date(2024, 1, 1)).id == expected

    def test_derived_registry(self) -> None:
        """A derived registry adds rules and bindings; the default one never changes."""
        rules = RegistrationRules(id="x-test-reg", name="t", name_zh="t", minimum_age=12)
        registry = DEFAULT_REGISTRATION_REGISTRY.with_rules(rules).with_binding("211100", rules.id)
        assert registry.with_rules(rules) == registry  # the same again is a no-op
        assert registration_rules_for_region("211104", registry=registry).id == "x-test-reg"
        assert registration_rules_for_region("211104").id == "cn-national"
        assert get_registration_rules("x-test-reg", registry=registry) is rules
        with pytest.raises(UnknownRuleSetError):
            get_registration_rules("x-test-reg")
        other = RegistrationRules(id="x-test-reg", name="u", name_zh="u")
        with pytest.raises(RuleSetError):
            registry.with_rules(other)
        assert registry.with_rules(other, replace=True).get("x-test-reg") is other
        with pytest.raises(UnknownRuleSetError):
            registry.with_binding("211100", "xx-none")

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"bindings": {"999999": "cn-national"}},
            {"bindings": {"211100": "xx-none"}},
            {"default_id": "xx-none"},
            {"rule_sets": {"cn-x": BUILT_IN[0]}},
        ],
    )
    def test_inconsistent_registries(self, kwargs: dict[str, Any]) -> None:
        """A registry with unknown regions or ids, or rules under another id, is refused."""
        arguments: dict[str, Any] = {"rule_sets": {r.id: r for r in BUILT_IN}}
        arguments.update(kwargs)
        with pytest.raises(VolunteerRulesError):
            RegistrationRegistry(**arguments)

    def test_bad_registry_argument(self) -> None:
        """Something else as a registry is InvalidTypeError."""
        with pytest.raises(InvalidTypeError):
            get_registration_rules("cn-cyl", registry={})  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"minimum_age": -1},
            {"minimum_age": 151},
            {"self_supporting_from": 16},
            {"id": ""},
        ],
    )
    def test_inconsistent_rule_sets(self, kwargs: dict[str, object]) -> None:
        """Out-of-range ages, unknown regions and contradictions are RuleSetError."""
        arguments: dict[str, object] = {"id": "x-bad", "name": "b", "name_zh": "b"}
        arguments.update(kwargs)
        with pytest.raises(RuleSetError):
            RegistrationRules(**arguments)  # type: ignore[arg-type]


class TestProperties:
    @given(
        matching_candidates(),
        registration_rule_sets(),
        st.dates(min_value=_dt.date(2015, 1, 1), max_value=_dt.date(2030, 12, 31)),
    )
    def test_codes_follow_age(
        self, profile: object, rules: RegistrationRules, day: _dt.date
    ) -> None:
        """Every code is known and each age code agrees with age_on."""
        from volunteer_rules.records.profile import VolunteerProfile

        assert isinstance(profile, VolunteerProfile)
        if day < profile.birth_date:
            return
        if not rules.in_force_on(day):
            with pytest.raises(InvalidValueError, match="in force"):
                check_registration(profile, rules=rules, as_of=day)
            return
        age = age_on(profile.birth_date, day)
        found = [r.code for r in check_registration(profile, rules=rules, as_of=day)]
        assert set(found) <= set(REGISTRATION_CODES)
        assert ("below_minimum_age" in found) == (
            rules.minimum_age is not None and age < rules.minimum_age
        )
        assert ("child_data_consent_missing" in found) == (
            age < 14 and "guardian_data" not in profile.consents and day >= _dt.date(2021, 11, 1)
        )
        if age >= 18:
            assert "guardian_consent_missing" not in found

    @given(
        matching_candidates(),
        registration_rule_sets(),
        st.sampled_from(["guardian", "guardian_data", "basic_info_entry"]),
    )
    def test_more_consent_never_adds_reasons(
        self, profile: object, rules: RegistrationRules, consent: str
    ) -> None:
        """Giving one more consent never adds an unmet condition."""
        import attrs

        from volunteer_rules.records.profile import VolunteerProfile

        assert isinstance(profile, VolunteerProfile)
        day = _dt.date(2024, 6, 1)
        if day < profile.birth_date:
            return
        more = attrs.evolve(profile, consents=profile.consents | {consent})
        before = {
            r.code
            for r in check_registration(profile, rules=rules, as_of=day, entered_by="organization")
        }
        after = {
            r.code
            for r in check_registration(more, rules=rules, as_of=day, entered_by="organization")
        }
        assert after <= before

    @given(st.from_type(object), st.from_type(object), st.from_type(object))
    def test_bad_input_raises_library_errors(self, a: object, b: object, c: object) -> None:
        """Arbitrary arguments raise only library errors."""
        profile = sample_profile()
        for args in (
            (a, "cn-cyl", _dt.date(2024, 1, 1)),
            (profile, b, _dt.date(2024, 1, 1)),
            (profile, "cn-cyl", c),
        ):
            with contextlib.suppress(VolunteerRulesError):
                check_registration(args[0], rules=args[1], as_of=args[2])  # type: ignore[arg-type]

    def test_datetime_is_not_a_day(self) -> None:
        """A datetime as_of is refused (a day is a date)."""
        with pytest.raises(InvalidTypeError):
            check_registration(sample_profile(), rules="cn-cyl", as_of=_dt.datetime(2024, 1, 1))
