from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from fractions import Fraction
from types import SimpleNamespace
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import volunteer_rules as vr
from _any_value import ANY_VALUE
from volunteer_rules.records.record import parse_record
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
from volunteer_rules.timebank.benefits import BENEFITS, Benefit, eligible_benefits
from volunteer_rules.timebank.ledger import POOL, REDEEMED, Ledger, check_ledger
from volunteer_rules.timebank.operations import (
    Beneficiary,
    CatalogService,
    ServiceCatalog,
    TimeBankPolicy,
    credit_hours,
    credit_records,
    default_catalog,
    donate,
    expire_credits,
    get_time_bank_policy,
    give,
    redeem,
    reserve,
    time_bank_policy_ids,
)

CST = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 5, 1, 10, tzinfo=CST)  # every built-in policy is in force
DAY = NOW.date()


def funded(policy: str = "generic", hours: int = 10, who: str = "V1") -> Ledger:
    """An opening balance, in a ledger with the policy's limits (credited under ``generic``,
    whatever the policy that spends it)."""
    limits = get_time_bank_policy(policy).limits
    return credit_hours(
        Ledger(limits=limits),
        transfer_id=f"open-{who}",
        volunteer_id=who,
        hours=vr.Hours.from_hours(hours),
        now=NOW,
        policy="generic",
    ).ledger


def born_years_before(years: int, day: dt.date = DAY) -> dt.date:
    return day.replace(year=day.year - years)


def redeem_as(policy: str, birth: dt.date | None, **kwargs: Any) -> vr.LedgerResult:
    return redeem(
        funded(policy),
        transfer_id="x",
        volunteer_id="V1",
        service_id="home_visit",
        now=NOW,
        policy=policy,
        volunteer_birth_date=birth,
        **kwargs,
    )


class TestPolicies:
    def test_builtin_ids(self) -> None:
        """The four built-in policies are registered; an unknown id is UnknownRuleSetError."""
        assert time_bank_policy_ids() == (
            "cn-nanjing-2019",
            "cn-nanjing-gulou-2018",
            "cn-shanghai-2026",
            "generic",
        )
        with pytest.raises(vr.UnknownRuleSetError):
            get_time_bank_policy("cn-beijing")

    def test_every_policy_cites_sources_and_says_not_regulated(self) -> None:
        """Each policy cites sources; unknown matters are None, never an invented number."""
        for policy_id in time_bank_policy_ids():
            policy = get_time_bank_policy(policy_id)
            assert policy.references
            assert policy.credit_validity_days is None
            assert policy.withdrawal_limit is None
            assert policy.cash_out is False
        assert get_time_bank_policy("cn-shanghai-2026").limits.cap is None

    def test_cash_out_refused(self) -> None:
        """A policy that pays hours out as cash cannot be built."""
        with pytest.raises(vr.RuleSetError, match="cash"):
            attrs.evolve(get_time_bank_policy("generic"), cash_out=True)

    def test_duplicate_relation_refused(self) -> None:
        """A relation listed twice is an inconsistent policy."""
        with pytest.raises(vr.RuleSetError):
            attrs.evolve(
                get_time_bank_policy("generic"), beneficiaries=(("self", None), ("self", 60))
            )


class TestRedemptionAge:
    @pytest.mark.parametrize(
        ("policy", "age"),
        [("cn-nanjing-2019", 60), ("cn-nanjing-gulou-2018", 60), ("cn-shanghai-2026", 65)],
    )
    def test_both_sides_of_the_birthday(self, policy: str, age: int) -> None:
        """Refused the day before the birthday of the minimum age, allowed on it."""
        on_birthday = born_years_before(age)
        day_before = on_birthday + dt.timedelta(days=1)  # turns `age` tomorrow
        refused = redeem_as(policy, day_before)
        assert not refused.allowed
        assert [v.code for v in refused.violations] == ["under_age"]
        assert redeem_as(policy, on_birthday).allowed

    def test_shanghai_hardship(self) -> None:
        """Shanghai: 60 with a hardship flag; 59 is refused even then."""
        sixty = born_years_before(60)
        assert not redeem_as("cn-shanghai-2026", sixty).allowed
        assert redeem_as("cn-shanghai-2026", sixty, hardship=True).allowed
        almost = sixty + dt.timedelta(days=1)
        assert not redeem_as("cn-shanghai-2026", almost, hardship=True).allowed

    def test_leap_day_birth(self) -> None:
        """Born 29 February: 61 on 1 March of a common year, not on 28 February."""
        birth = dt.date(1964, 2, 29)
        ledger = Ledger()
        for day, allowed in ((dt.date(2025, 2, 28), False), (dt.date(2025, 3, 1), True)):
            now = dt.datetime.combine(day, dt.time(10), tzinfo=CST)
            ledger = credit_hours(
                ledger,
                transfer_id=f"c-{day}",
                volunteer_id="V1",
                hours=vr.Hours.from_hours(1),
                now=now,
                policy="generic",
            ).ledger
            result = redeem(
                ledger,
                transfer_id=f"x-{day}",
                volunteer_id="V1",
                service_id="home_visit",
                now=now,
                policy=attrs.evolve(
                    get_time_bank_policy("cn-nanjing-2019"), beneficiaries=(("self", 61),)
                ),
                volunteer_birth_date=birth,
            )
            assert result.allowed is allowed, day

    def test_birth_date_missing(self) -> None:
        """Where an age applies and no birth date is known, the redemption is refused."""
        result = redeem_as("cn-nanjing-2019", None)
        assert [v.code for v in result.violations] == ["birth_date_missing"]
        assert redeem_as("generic", None).allowed


class TestBeneficiaries:
    def test_gulou_direct_relative_age(self) -> None:
        """Gulou: a direct relative is served from 60, not at 59."""
        me = born_years_before(70)
        for age, allowed in ((59, False), (60, True)):
            who = Beneficiary(relation="direct_relative", birth_date=born_years_before(age))
            assert redeem_as("cn-nanjing-gulou-2018", me, beneficiary=who).allowed is allowed

    def test_gulou_friend_refused(self) -> None:
        """Gulou: a friend may not benefit."""
        who = Beneficiary(relation="friend", birth_date=born_years_before(80))
        result = redeem_as("cn-nanjing-gulou-2018", born_years_before(70), beneficiary=who)
        assert [v.code for v in result.violations] == ["relation_not_allowed"]

    def test_shanghai_gives_to_relatives_and_friends(self) -> None:
        """Shanghai: hours may be given to a friend; Gulou forbids giving."""
        for policy, allowed in (("cn-shanghai-2026", True), ("cn-nanjing-gulou-2018", False)):
            result = give(
                funded(policy),
                transfer_id="g",
                from_volunteer="V1",
                to_volunteer="V2",
                hours=vr.Hours.from_hours(1),
                relation="friend",
                now=NOW,
                policy=policy,
            )
            assert result.allowed is allowed


class TestCapAndGroups:
    def test_nanjing_cap_boundary(self) -> None:
        """Nanjing: 1,500 h stays; 1,500 h 1 min sends 1 min to the pool."""
        exact = funded("cn-nanjing-2019", hours=1500)
        assert exact.balance("V1") == vr.Hours.from_hours(1500)
        assert exact.balance(POOL) == vr.Hours.ZERO
        over = credit_hours(
            exact,
            transfer_id="one-more",
            volunteer_id="V1",
            hours=vr.Hours.from_minutes(1),
            now=NOW,
            policy="cn-nanjing-2019",
        ).ledger
        assert over.balance("V1") == vr.Hours.from_hours(1500)
        assert over.balance(POOL).minutes == 1
        assert check_ledger(over) == ()

    def test_group_hours_donate_only(self) -> None:
        """Nanjing: group-earned hours go to the pool; under the generic policy to the volunteer."""
        record = attrs.evolve(parse_record(SAMPLE_RECORD_PAYLOAD), group_service=True)
        now = dt.datetime(2024, 12, 31, tzinfo=CST)
        nanjing = credit_records(Ledger(), [record], now=now, policy="cn-nanjing-2019")
        assert [d.outcome for d in nanjing.decisions] == ["credited_to_pool"]
        assert nanjing.ledger.balance(POOL).minutes == 120
        assert nanjing.ledger.balance(record.volunteer_id) == vr.Hours.ZERO
        generic = credit_records(Ledger(), [record], now=now, policy="generic")
        assert generic.ledger.balance(record.volunteer_id).minutes == 120

    def test_shanghai_provider_age(self) -> None:
        """Shanghai: own service credited from 18 (on the record's date), not at 17."""
        served = dt.date(2026, 3, 2)  # Shanghai's policy applies from 2026-01-12
        record = attrs.evolve(
            parse_record(SAMPLE_RECORD_PAYLOAD),
            date=served,
            start=None,
            end=None,
            recorded_at=dt.datetime.combine(served, dt.time(20), CST),
        )
        now = dt.datetime(2026, 12, 31, tzinfo=CST)
        eighteen = record.date.replace(year=record.date.year - 18)
        for birth, outcome in (
            (eighteen, "credited"),
            (eighteen + dt.timedelta(days=1), "provider_under_age"),
        ):
            result = credit_records(
                Ledger(),
                [record],
                now=now,
                policy="cn-shanghai-2026",
                birth_dates={record.volunteer_id: birth},
            )
            assert [d.outcome for d in result.decisions] == [outcome]
        group = attrs.evolve(record, group_service=True)
        young = {record.volunteer_id: eighteen + dt.timedelta(days=1)}
        result = credit_records(
            Ledger(), [group], now=now, policy="cn-shanghai-2026", birth_dates=young
        )
        assert [d.outcome for d in result.decisions] == ["credited"]


class TestCreditRecords:
    def test_only_what_certification_counts(self) -> None:
        """Unverified and future records are not credited; verified ones once."""
        record = parse_record(SAMPLE_RECORD_PAYLOAD)
        submitted = attrs.evolve(record, record_id="r-2", status="submitted")
        now = dt.datetime(2024, 12, 31, tzinfo=CST)
        result = credit_records(Ledger(), [record, submitted], now=now, policy="generic")
        outcomes = {d.key[1]: (d.outcome, d.reason) for d in result.decisions}
        assert outcomes == {
            record.record_id: ("credited", None),
            "r-2": ("not_counted", "not_verified"),
        }
        again = credit_records(result.ledger, [record, submitted], now=now, policy="generic")
        assert again.ledger.balances() == result.ledger.balances()
        assert again.credited == vr.Hours.ZERO

    def test_overlap_not_credited(self) -> None:
        """Of two overlapping records, the later-recorded one is not credited (overlap)."""
        record = parse_record(SAMPLE_RECORD_PAYLOAD)
        assert record.start is not None
        assert record.end is not None
        twin = attrs.evolve(
            record,
            record_id="r-twin",
            organization_id="51211100MJ00000175",
            recorded_at=record.recorded_at + dt.timedelta(hours=1),
        )
        now = dt.datetime(2024, 12, 31, tzinfo=CST)
        result = credit_records(Ledger(), [twin, record], now=now, policy="generic")
        outcomes = {d.key[1]: (d.outcome, d.reason) for d in result.decisions}
        assert outcomes == {
            record.record_id: ("credited", None),
            "r-twin": ("not_counted", "overlap"),
        }
        assert result.ledger.balance(record.volunteer_id) == record.service

    def test_superseded_credit_is_taken_back(self) -> None:
        """A credited record later amended is adjusted to zero; the amendment is credited."""
        record = parse_record(SAMPLE_RECORD_PAYLOAD)
        now = dt.datetime(2024, 12, 31, tzinfo=CST)
        first = credit_records(Ledger(), [record], now=now, policy="generic")
        amendment = attrs.evolve(
            record,
            record_id="r-fix",
            amends=record.record_id,
            service=vr.Hours.from_minutes(90),
            recorded_at=record.recorded_at + dt.timedelta(days=1),
        )
        second = credit_records(first.ledger, [record, amendment], now=now, policy="generic")
        outcomes = sorted((d.key[1], d.outcome) for d in second.decisions)
        assert outcomes == [(record.record_id, "adjusted"), ("r-fix", "credited")]
        assert second.ledger.balance(record.volunteer_id).minutes == 90
        assert check_ledger(second.ledger) == ()


class TestCatalog:
    def test_one_rounding_per_transfer(self) -> None:
        """25 min at rate 1/2, three units: 37.5 rounds half up to 38 once, not 3 x 13."""
        svc = CatalogService(
            service_id="x",
            name="x",
            name_zh="x",
            category="health",
            duration=vr.Hours.from_minutes(25),
        )
        catalog = ServiceCatalog(services=(svc,), rates=(("health", Fraction(1, 2)),))
        assert catalog.price("x", 3).minutes == 38
        assert catalog.price("x", 1).minutes == 13  # 12.5 -> 13
        third = ServiceCatalog(services=(svc,), rates=(("health", Fraction(1, 3)),))
        assert third.price("x", 1).minutes == 8  # 8.33 -> 8

    def test_equal_time_policy_refuses_other_rates(self) -> None:
        """Gulou exchanges hour for hour: a catalog rate other than 1 is refused."""
        catalog = attrs.evolve(default_catalog(), rates=(("elderly_and_disabled", Fraction(2)),))
        result = redeem_as("cn-nanjing-gulou-2018", born_years_before(70), catalog=catalog)
        assert [v.code for v in result.violations] == ["rate_not_allowed"]
        assert redeem_as("generic", None, catalog=catalog).allowed

    def test_redeem_debits_price(self) -> None:
        """Redeeming moves the price from the volunteer to the redeemed sink."""
        result = redeem_as("generic", None, quantity=2)
        assert result.ledger.balance(REDEEMED).minutes == 120
        assert result.ledger.balance("V1").minutes == 480

    def test_insufficient(self) -> None:
        """More than is available raises InsufficientHoursError with both amounts."""
        with pytest.raises(vr.InsufficientHoursError) as info:
            redeem(
                funded(hours=1),
                transfer_id="x",
                volunteer_id="V1",
                service_id="home_visit",
                quantity=2,
                now=NOW,
                policy="generic",
            )
        assert (info.value.available.minutes, info.value.requested.minutes) == (60, 120)

    def test_reserved_hours_count_against_available(self) -> None:
        """A held hour cannot be spent again while the hold is open."""
        ledger = reserve(
            funded(hours=1),
            transfer_id="h",
            volunteer_id="V1",
            service_id="home_visit",
            now=NOW,
            expires_at=NOW + dt.timedelta(hours=1),
            policy="generic",
        ).ledger
        with pytest.raises(vr.InsufficientHoursError):
            donate(
                ledger,
                transfer_id="d",
                volunteer_id="V1",
                hours=vr.Hours.from_minutes(1),
                now=NOW,
                policy="generic",
            )


class TestCreditExpiry:
    def policy(self, days: int) -> TimeBankPolicy:
        return attrs.evolve(get_time_bank_policy("generic"), credit_validity_days=days)

    def test_not_regulated_by_default(self) -> None:
        """No built-in policy expires hours."""
        ledger = funded()
        later = NOW + dt.timedelta(days=10_000)
        for policy_id in time_bank_policy_ids():
            assert expire_credits(ledger, now=later, policy=policy_id).expired == ()

    def test_boundary_and_fifo(self) -> None:
        """Hours expire at exactly at + days (not a moment before); spending used the oldest."""
        ledger = funded(hours=2)  # 120 min at NOW
        later = NOW + dt.timedelta(days=10)
        ledger = credit_hours(
            ledger,
            transfer_id="c2",
            volunteer_id="V1",
            hours=vr.Hours.from_hours(1),
            now=later,
            policy="generic",
        ).ledger
        ledger = donate(
            ledger,
            transfer_id="d",
            volunteer_id="V1",
            hours=vr.Hours.from_minutes(90),
            now=later,
            policy="generic",
        ).ledger  # uses 90 of the first 120
        policy = self.policy(30)
        deadline = NOW + dt.timedelta(days=30)
        before = expire_credits(ledger, now=deadline - dt.timedelta(microseconds=1), policy=policy)
        assert before.expired == ()
        result = expire_credits(ledger, now=deadline, policy=policy)
        assert result.expired == (("V1", vr.Hours.from_minutes(30)),)
        assert result.ledger.balance("V1").minutes == 60
        assert check_ledger(result.ledger) == ()
        again = expire_credits(result.ledger, now=deadline + dt.timedelta(days=1), policy=policy)
        assert again.expired == ()


class TestBenefits:
    def cert(self, rank: int, hours: int, rule_set: str = "cn-national") -> SimpleNamespace:
        return SimpleNamespace(
            level=SimpleNamespace(rank=rank),
            counted=vr.Hours.from_hours(hours),
            rule_set_id=rule_set,
        )

    def test_level_boundary(self) -> None:
        """A one-star benefit applies at rank 1 and not at rank 0."""
        by_id = {d.benefit.benefit_id: d for d in eligible_benefits(self.cert(1, 100))}
        assert by_id["employment_preference"].applies
        by_id = {d.benefit.benefit_id: d for d in eligible_benefits(self.cert(0, 99))}
        assert not by_id["employment_preference"].applies
        assert by_id["employment_preference"].reasons[0].code == "below_level"
        assert by_id["practical_credits"].applies

    def test_hours_boundary(self) -> None:
        """An hour condition is inclusive: exactly 300 h applies, 299 h 59 min does not."""
        benefit = Benefit(
            benefit_id="b",
            name="b",
            name_zh="b",
            category="commercial",
            source="s",
            min_hours=vr.Hours.from_hours(300),
        )
        assert eligible_benefits(self.cert(0, 300), benefits=[benefit])[0].applies
        below = SimpleNamespace(
            level=SimpleNamespace(rank=0),
            counted=vr.Hours.from_minutes(300 * 60 - 1),
            rule_set_id="x",
        )
        assert not eligible_benefits(below, benefits=[benefit])[0].applies

    def test_rule_set_condition(self) -> None:
        """Taiwan's honour-card entry applies only under the tw-honour-card rule set."""
        tw = {
            d.benefit.benefit_id: d for d in eligible_benefits(self.cert(1, 300, "tw-honour-card"))
        }
        assert tw["tw_honour_card_free_entry"].applies
        cn = {d.benefit.benefit_id: d for d in eligible_benefits(self.cert(5, 2000))}
        assert cn["tw_honour_card_free_entry"].reasons[0].code == "rule_set_mismatch"

    def test_with_a_real_certification(self) -> None:
        """eligible_benefits takes what vr.certify returns; 100 h is one star nationally."""
        record = parse_record(SAMPLE_RECORD_PAYLOAD)
        records = [
            attrs.evolve(
                record,
                record_id=f"r-{day}",
                date=record.date + dt.timedelta(days=day),
                start=None,
                end=None,
                service=vr.Hours.from_hours(10),
                recorded_at=record.recorded_at + dt.timedelta(days=day),
            )
            for day in range(10)
        ]
        as_of = record.date + dt.timedelta(days=60)
        one_star = vr.certify(records, rule_set="cn-national", as_of=as_of)
        assert one_star.level.rank == 1
        by_id = {d.benefit.benefit_id: d for d in eligible_benefits(one_star)}
        assert by_id["employment_preference"].applies
        none = vr.certify(records[:9], rule_set="cn-national", as_of=as_of)
        by_id = {d.benefit.benefit_id: d for d in eligible_benefits(none)}
        assert not by_id["employment_preference"].applies
        assert by_id["practical_credits"].applies

    def test_every_benefit_has_a_source(self) -> None:
        """Each built-in benefit cites a source."""
        assert all(b.source.startswith("[") for b in BENEFITS)


BAD_CALLS: list[Callable[[Any], object]] = [
    lambda x: get_time_bank_policy(x),
    lambda x: redeem(Ledger(), transfer_id=x, volunteer_id=x, service_id=x, now=x, policy=x),
    lambda x: redeem(
        funded(),
        transfer_id="t",
        volunteer_id="V1",
        service_id="home_visit",
        now=NOW,
        policy="generic",
        beneficiary=x,
    ),
    lambda x: give(
        Ledger(),
        transfer_id="t",
        from_volunteer=x,
        to_volunteer="V2",
        hours=x,
        relation=x,
        now=NOW,
        policy="generic",
    ),
    lambda x: donate(x, transfer_id="t", volunteer_id="V1", hours=x, now=NOW, policy="generic"),
    lambda x: credit_records(Ledger(), x, now=NOW, policy="generic"),
    lambda x: credit_records(Ledger(), [], now=x, policy=x),
    lambda x: eligible_benefits(x),
    lambda x: default_catalog().price(x, x),
    lambda x: TimeBankPolicy(
        policy_id="p",
        name="p",
        name_zh="p",
        references=(),
        limits=vr.LedgerLimits(),
        beneficiaries=x,
    ),
    lambda x: TimeBankPolicy(
        policy_id=x, name=x, name_zh="p", references=x, limits=x, beneficiaries=(), group_hours=x
    ),
    lambda x: attrs.evolve(get_time_bank_policy("generic"), credit_validity_days=x),
    lambda x: attrs.evolve(get_time_bank_policy("generic"), withdrawal_limit=x),
    lambda x: attrs.evolve(get_time_bank_policy("generic"), give_to=x),
    lambda x: Beneficiary(relation=x),
    lambda x: Beneficiary(relation="spouse", birth_date=x),
    lambda x: CatalogService(service_id=x, name="n", name_zh="n", category="c", duration=x),
    lambda x: ServiceCatalog(services=x),
    lambda x: ServiceCatalog(services=(), rates=x),
    lambda x: Benefit(benefit_id="b", name="b", name_zh="b", category=x, source="s"),
    lambda x: Benefit(
        benefit_id="b", name="b", name_zh="b", category="commercial", source="s", min_rank=x
    ),
    lambda x: Benefit(
        benefit_id="b", name="b", name_zh="b", category="commercial", source="s", rule_sets=x
    ),
    lambda x: Benefit(
        benefit_id="b", name="b", name_zh="b", category="commercial", source="s", min_hours=x
    ),
    lambda x: expire_credits(Ledger(), now=x, policy=x),
    lambda x: default_catalog().service(x),
]


class TestBadInput:
    @given(ANY_VALUE, st.sampled_from(range(len(BAD_CALLS))))
    def test_only_library_errors(self, value: object, which: int) -> None:
        """Arbitrary input raises only the library's errors."""
        with contextlib.suppress(vr.VolunteerRulesError):
            BAD_CALLS[which](value)


class TestCommandLine:
    def write(self, folder: Any, lines: list[str]) -> str:
        path = folder / "records.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return str(path)

    def test_bad_line_exits_1(self, tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
        """A line that is not a record is reported and the exit status is 1."""
        import json

        from volunteer_rules.cli import main

        path = self.write(tmp_path, [json.dumps(SAMPLE_RECORD_PAYLOAD), "{not json"])
        status = main(
            ["ledger", "credit", path, "--policy", "cn-nanjing-2019", "--as-of", "2024-12-31"]
        )
        assert status == 1
        captured = capsys.readouterr()
        assert "records.jsonl:2: $: invalid_json" in captured.err
        assert "V0000001" in captured.out

    def test_conflicting_versions(self, tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
        """Two versions of one record id: a conflict, credited to no one (the one rule)."""
        import json

        from volunteer_rules.cli import main

        other = {**SAMPLE_RECORD_PAYLOAD, "service_minutes": 30}
        path = self.write(tmp_path, [json.dumps(SAMPLE_RECORD_PAYLOAD), json.dumps(other)])
        args = ["ledger", "credit", path, "--policy", "generic", "--as-of", "2024-12-31"]
        assert main([*args, "--format", "json"]) == 1
        captured = capsys.readouterr()
        assert "duplicate_record" in captured.err
        assert json.loads(captured.out)["balances_minutes"].get("V0000001", 0) == 0

    def test_usage_errors_exit_2(self, tmp_path: Any) -> None:
        """An unknown policy, a naive time or a statement without --volunteer exits 2."""
        import json

        from volunteer_rules.cli import main

        path = self.write(tmp_path, [json.dumps(SAMPLE_RECORD_PAYLOAD)])
        assert main(["ledger", "credit", path, "--policy", "nowhere", "--as-of", "2024-12-31"]) == 2
        assert (
            main(["ledger", "credit", path, "--policy", "generic", "--as-of", "2024-12-31T10:00"])
            == 2
        )
        assert (
            main(["ledger", "statement", path, "--policy", "generic", "--as-of", "2024-12-31"]) == 2
        )

    def test_json_output(self, tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
        """--format json prints balances in minutes and the outcomes."""
        import json

        from volunteer_rules.cli import main

        path = self.write(tmp_path, [json.dumps(SAMPLE_RECORD_PAYLOAD)])
        args = [
            "ledger",
            "credit",
            path,
            "--policy",
            "generic",
            "--as-of",
            "2024-12-31",
            "--format",
            "json",
        ]
        assert main(args) == 0
        out = json.loads(capsys.readouterr().out)
        assert out["balances_minutes"]["V0000001"] == 120
        assert out["outcomes"] == {"credited": 1}
