"""A time bank's cap is a dated rule: it holds only transfers dated on the days it applies.

Nanjing's 1,500 h cap comes from [NJ] (reported 2019-08-30), as the policy's other rules do,
so a ledger built with a policy's limits caps nothing on a day the policy does not apply. The
floor is not dated (no negative balance; an overdraft is the platform's own setting).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import volunteer_rules as vr
from volunteer_rules.errors import InvalidTypeError, InvalidValueError, RuleSetError
from volunteer_rules.timebank.ledger import (
    ISSUER,
    POOL,
    Ledger,
    LedgerLimits,
    LedgerTransfer,
    check_ledger,
)
from volunteer_rules.timebank.operations import credit_hours, get_time_bank_policy, grant

D = dt.date
CST = dt.timezone(dt.timedelta(hours=8))
HOUR = vr.Hours.from_hours(1)
FROM, UNTIL = D(2025, 1, 1), D(2025, 12, 31)
DATED = LedgerLimits(cap=HOUR, cap_from=FROM, cap_until=UNTIL)
SIDES = [
    (FROM - dt.timedelta(days=1), False),
    (FROM, True),
    (UNTIL, True),
    (UNTIL + dt.timedelta(days=1), False),
]


def at(day: dt.date, hour: int = 12, minute: int = 0, tz: dt.tzinfo = CST) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tz)


def credit(tid: str, when: dt.datetime, minutes: int, who: str = "V1") -> LedgerTransfer:
    return LedgerTransfer(
        transfer_id=tid,
        kind="credit",
        legs=((ISSUER, -minutes), (who, minutes)),
        at=when,
        record_key=("org", tid),
    )


class TestLimits:
    @pytest.mark.parametrize(("day", "capped"), SIDES)
    def test_cap_on_both_sides_of_both_dates(self, day: dt.date, capped: bool) -> None:
        assert DATED.cap_on(day) == (HOUR if capped else None)

    def test_an_undated_cap_applies_every_day(self) -> None:
        limits = LedgerLimits(cap=HOUR)
        assert not limits.dated
        assert limits.cap_on(D(1900, 1, 1)) == limits.cap_on(D(2999, 1, 1)) == HOUR

    def test_bad_dates_are_refused_naming_the_field(self) -> None:
        with pytest.raises(InvalidValueError, match="cap_until: 2024-12-31 is before cap_from"):
            LedgerLimits(cap=HOUR, cap_from=D(2025, 1, 1), cap_until=D(2024, 12, 31))
        with pytest.raises(InvalidValueError, match="cap_until: dates a cap, and there is none"):
            LedgerLimits(cap_until=D(2025, 1, 1))
        with pytest.raises(InvalidTypeError, match="cap_from"):
            LedgerLimits(cap=HOUR, cap_from=dt.datetime(2025, 1, 1, tzinfo=CST))
        with pytest.raises(InvalidTypeError, match="day"):
            DATED.cap_on(at(FROM))

    def test_one_day_cap(self) -> None:
        one = LedgerLimits(cap=HOUR, cap_from=FROM, cap_until=FROM)
        assert one.cap_on(FROM) == HOUR and one.cap_on(FROM + dt.timedelta(days=1)) is None


class TestLedger:
    @pytest.mark.parametrize(("day", "capped"), SIDES)
    def test_a_credit_is_capped_only_on_the_cap_days(self, day: dt.date, capped: bool) -> None:
        ledger, posted = Ledger(limits=DATED).post(credit("c-1", at(day), 90))
        assert ledger.balance("V1").minutes == (60 if capped else 90)
        assert ledger.balance(POOL).minutes == (30 if capped else 0)
        assert len(posted.overflow) == (2 if capped else 0)
        assert check_ledger(ledger) == ()

    @pytest.mark.parametrize(("day", "capped"), SIDES)
    def test_refuse_only_on_the_cap_days(self, day: dt.date, capped: bool) -> None:
        limits = attrs.evolve(DATED, overflow="refuse")
        if capped:
            with pytest.raises(InvalidValueError, match="above the cap"):
                Ledger(limits=limits).post(credit("c-1", at(day), 61))
        else:
            assert Ledger(limits=limits).post(credit("c-1", at(day), 61))[0].balance("V1") == (
                vr.Hours.from_minutes(61)
            )

    def test_the_local_date_of_at_decides(self) -> None:
        """23:59 on the day before cap_from in UTC+8 is not capped although it is later than
        midnight UTC+14 of cap_from; 00:00 of the day after cap_until in UTC+8 is not capped
        although it is still cap_until in UTC."""
        east = dt.timezone(dt.timedelta(hours=14))
        before = at(FROM - dt.timedelta(days=1), 23, 59)
        assert before > at(FROM, 0, 0, east)
        assert Ledger(limits=DATED).post(credit("c", before, 90))[0].balance("V1").minutes == 90
        first = at(FROM, 0, 0)
        assert Ledger(limits=DATED).post(credit("c", first, 90))[0].balance("V1").minutes == 60
        after = at(UNTIL + dt.timedelta(days=1), 0, 0)
        assert after.astimezone(dt.UTC).date() == UNTIL
        assert Ledger(limits=DATED).post(credit("c", after, 90))[0].balance("V1").minutes == 90
        last = at(UNTIL, 23, 59)
        assert Ledger(limits=DATED).post(credit("c", last, 90))[0].balance("V1").minutes == 60

    @pytest.mark.parametrize("hours", [-12, -5, 0, 8, 14])
    @pytest.mark.parametrize(("day", "capped"), SIDES)
    def test_every_time_zone_on_both_sides(self, hours: int, day: dt.date, capped: bool) -> None:
        """The first and last minute of each day on both sides, in time zones from UTC-12 to
        UTC+14: a day's first minute in UTC+14 is the day before in UTC, its last minute in
        UTC-12 the day after."""
        zone = dt.timezone(dt.timedelta(hours=hours))
        for hour, minute in ((0, 0), (23, 59)):
            when = at(day, hour, minute, zone)
            ledger = Ledger(limits=DATED).post(credit("c", when, 90))[0]
            assert ledger.balance("V1").minutes == (60 if capped else 90), when
            batch = Ledger(limits=DATED).post_many([credit("a", when, 30), credit("b", when, 60)])
            assert batch.balance("V1").minutes == (60 if capped else 90), when

    def test_hours_above_the_cap_from_before_it_are_kept(self) -> None:
        """A balance above the cap from the days before it stays; new hours on a cap day go to
        the pool; spending from above the cap is allowed; check_ledger finds nothing."""
        ledger = Ledger(limits=DATED).post_many(
            [
                credit("c-1", at(FROM - dt.timedelta(days=1)), 100),
                credit("c-2", at(FROM), 30),
                LedgerTransfer(
                    transfer_id="d-1", kind="donate", legs=(("V1", -10), (POOL, 10)), at=at(FROM)
                ),
            ]
        )
        assert ledger.balance("V1").minutes == 90
        assert ledger.balance(POOL).minutes == 40
        assert check_ledger(ledger) == ()

    def test_check_ledger_finds_a_raise_above_a_dated_cap(self) -> None:
        """Postings made without the cap, checked against a dated one: only the credit dated
        on a cap day that raised the balance above it is a violation."""
        ledger = Ledger().post_many(
            [
                credit("c-1", at(FROM - dt.timedelta(days=1)), 100),
                credit("c-2", at(FROM), 30),
                credit("c-3", at(UNTIL + dt.timedelta(days=1)), 30),
            ]
        )
        found = check_ledger(ledger, limits=DATED)
        assert [(v.code, v.transfer_id) for v in found] == [("above_cap", "c-2")]
        assert found[0].message == "V1 at 130 minutes after 'c-2', above the cap of 1 h"

    def test_grant_follows_the_cap_days(self) -> None:
        """grant takes no policy; the ledger's dated cap still decides by the grant's day."""
        pool = Ledger(limits=DATED).post(
            LedgerTransfer(
                transfer_id="c",
                kind="credit",
                legs=((ISSUER, -200), (POOL, 200)),
                at=at(D(2024, 1, 1)),
            )
        )[0]
        before = grant(
            pool,
            transfer_id="g",
            volunteer_id="V1",
            hours=vr.Hours.from_minutes(90),
            now=at(FROM - dt.timedelta(days=1)),
        )
        on = grant(
            pool, transfer_id="g", volunteer_id="V1", hours=vr.Hours.from_minutes(90), now=at(FROM)
        )
        assert before.ledger.balance("V1").minutes == 90
        assert on.ledger.balance("V1").minutes == 60


class TestPolicy:
    def test_nanjing_caps_from_its_report_date(self) -> None:
        nanjing = get_time_bank_policy("cn-nanjing-2019")
        assert nanjing.limits.cap_from == nanjing.valid_from == D(2019, 8, 30)
        assert nanjing.limits.cap_until is None
        ledger = Ledger(limits=nanjing.limits)
        hours = vr.Hours.from_hours(1501)
        for day, capped in ((D(2019, 8, 29), False), (D(2019, 8, 30), True)):
            result = credit_hours(
                ledger,
                transfer_id="c",
                volunteer_id="V1",
                hours=hours,
                now=at(day),
                policy="generic",
            )
            assert result.ledger.balance("V1") == (vr.Hours.from_hours(1500) if capped else hours)

    def test_an_ended_policy_caps_nothing_after_its_end(self) -> None:
        """A Nanjing policy ended on 2024-12-31: on 2025-01-01 the successor (generic) credits
        a volunteer at the cap in full; on the last day the cap still held."""
        ended = attrs.evolve(get_time_bank_policy("cn-nanjing-2019"), valid_until=D(2024, 12, 31))
        assert (ended.limits.cap_from, ended.limits.cap_until) == (D(2019, 8, 30), D(2024, 12, 31))
        full = credit_hours(
            Ledger(limits=ended.limits),
            transfer_id="c-1",
            volunteer_id="V1",
            hours=vr.Hours.from_hours(1500),
            now=at(D(2024, 6, 1)),
            policy=ended,
        ).ledger
        for day, pooled in ((D(2024, 12, 31), 60), (D(2025, 1, 1), 0)):
            result = credit_hours(
                full,
                transfer_id="c-2",
                volunteer_id="V1",
                hours=HOUR,
                now=at(day),
                policy="generic",
            )
            assert result.ledger.balance(POOL).minutes == pooled, day

    def test_the_policy_narrows_the_caps_own_dates(self) -> None:
        limits = LedgerLimits(cap=HOUR, cap_from=D(2025, 3, 1))
        policy = attrs.evolve(
            get_time_bank_policy("generic"), valid_from=FROM, valid_until=UNTIL, limits=limits
        )
        assert (policy.limits.cap_from, policy.limits.cap_until) == (D(2025, 3, 1), UNTIL)

    def test_a_cap_on_no_day_of_the_policy_is_refused(self) -> None:
        limits = LedgerLimits(cap=HOUR, cap_until=D(2024, 12, 31))
        with pytest.raises(RuleSetError, match="have no day in common"):
            attrs.evolve(get_time_bank_policy("generic"), valid_from=FROM, limits=limits)

    def test_undated_policies_and_uncapped_limits_are_unchanged(self) -> None:
        generic = get_time_bank_policy("generic")
        assert generic.limits == LedgerLimits()
        capped = attrs.evolve(generic, limits=LedgerLimits(cap=HOUR))
        assert capped.limits == LedgerLimits(cap=HOUR)


ZONES = st.sampled_from([dt.timezone(dt.timedelta(hours=h)) for h in (-12, -5, 0, 8, 14)])


def _model(limits: LedgerLimits, transfers: list[LedgerTransfer]) -> dict[str, int]:
    """The balances the rules give, credit by credit (a cap on the local date of ``at``)."""
    balances: dict[str, int] = {}
    for t in transfers:
        (_, _), (who, minutes) = t.legs
        cap = limits.cap_on(t.at.date())
        before = balances.get(who, 0)
        after = before + minutes
        balances[ISSUER] = balances.get(ISSUER, 0) - minutes
        if cap is not None and after > cap.minutes:
            excess = min(minutes, after - cap.minutes)
            after -= excess
            balances[POOL] = balances.get(POOL, 0) + excess
        balances[who] = after
    return {a: m for a, m in balances.items() if m}


@settings(max_examples=60, deadline=None)
@given(
    steps=st.lists(
        st.tuples(
            st.integers(0, 6 * 24 * 60),  # minutes after the start, over six days
            ZONES,
            st.sampled_from(["V1", "V2"]),
            st.integers(1, 90),
        ),
        max_size=40,
    ),
    start_offset=st.integers(-3, 0),
    span=st.integers(0, 3),
)
def test_bulk_posting_caps_each_transfer_by_its_own_day(
    steps: list[tuple[int, dt.tzinfo, str, int]], start_offset: int, span: int
) -> None:
    """post_many (the bulk path, one chunk) and posting one by one give the balances of the
    rule itself, whatever the time zones and wherever the cap's days start and end."""
    base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    cap_from = D(2025, 1, 1) + dt.timedelta(days=start_offset + 2)
    limits = LedgerLimits(cap=HOUR, cap_from=cap_from, cap_until=cap_from + dt.timedelta(days=span))
    transfers = [
        credit(f"c{i}", (base + dt.timedelta(minutes=m)).astimezone(tz), n, who)
        for i, (m, tz, who, n) in enumerate(sorted(steps, key=lambda s: s[0]))
    ]
    bulk = Ledger(limits=limits).post_many(transfers)
    single = Ledger(limits=limits)
    for t in transfers:
        single = single.post(t)[0]
    got = {a: h.minutes for a, h in bulk.balances().items() if h.minutes}
    assert got == _model(limits, transfers)
    assert bulk.balances() == single.balances()
    assert check_ledger(bulk) == ()


@st.composite
def _days_of_operations(draw: Any) -> list[tuple[str, int, str, str, int]]:
    """(operation, day, volunteer, other volunteer, minutes), days 0-4 in order."""
    steps = draw(
        st.lists(
            st.tuples(
                st.sampled_from(
                    ["credit", "give", "donate", "grant", "reserve", "void", "reverse"]
                ),
                st.integers(0, 4),
                st.sampled_from(["V1", "V2"]),
                st.sampled_from(["V1", "V2"]),
                st.integers(1, 120),
            ),
            max_size=30,
        )
    )
    return sorted(steps, key=lambda step: step[1])


@settings(max_examples=80, deadline=None)
@given(steps=_days_of_operations(), refuse=st.booleans())
def test_operations_across_the_cap_days_keep_the_ledger_sound(
    steps: list[tuple[str, int, str, str, int]], refuse: bool
) -> None:
    """Credits, gifts, donations, grants, holds and reversals over five days, the cap (one
    hour) applying on days 1 to 3 only: check_ledger finds nothing, the pool gets overflow
    only on a cap day, and no transfer on a cap day leaves a volunteer it raised above the cap."""
    day0 = D(2025, 3, 1)
    limits = LedgerLimits(
        cap=HOUR,
        cap_from=day0 + dt.timedelta(days=1),
        cap_until=day0 + dt.timedelta(days=3),
        overflow="refuse" if refuse else "donate",
    )
    ledger = Ledger(limits=limits)
    made: list[str] = []
    for i, (name, day, who, other, minutes) in enumerate(steps):
        now = at(day0 + dt.timedelta(days=day), 12, i)
        hours = vr.Hours.from_minutes(minutes)
        tid = f"t{i}"
        try:
            if name == "credit":
                result = credit_hours(
                    ledger,
                    transfer_id=tid,
                    volunteer_id=who,
                    hours=hours,
                    now=now,
                    policy="generic",
                )
            elif name == "give" and who != other:
                result = vr.give(
                    ledger,
                    transfer_id=tid,
                    from_volunteer=who,
                    to_volunteer=other,
                    hours=hours,
                    relation="friend",
                    now=now,
                    policy="generic",
                )
            elif name == "donate":
                result = vr.donate(
                    ledger,
                    transfer_id=tid,
                    volunteer_id=who,
                    hours=hours,
                    now=now,
                    policy="generic",
                )
            elif name == "grant":
                result = grant(ledger, transfer_id=tid, volunteer_id=who, hours=hours, now=now)
            elif name == "reserve":
                result = vr.reserve(
                    ledger,
                    transfer_id=tid,
                    volunteer_id=who,
                    service_id="home_visit",
                    now=now,
                    expires_at=now + dt.timedelta(hours=minutes),
                    policy="generic",
                )
            elif name == "void" and made:
                held = [t for t in made if ledger.transfer(t).transfer.kind == "reserve"]
                if not held:
                    continue
                result = vr.void(ledger, transfer_id=tid, reservation_id=held[-1], now=now)
            elif name == "reverse" and made:
                result = vr.reverse(ledger, transfer_id=tid, reference=made[-1], now=now)
            else:
                continue
        except (vr.InsufficientHoursError, vr.InvalidValueError, vr.ConflictError):
            continue
        ledger = result.ledger
        if result.posted is not None:
            made.append(tid)
    assert check_ledger(ledger) == ()
    balances: dict[str, int] = {}
    for posted in ledger.postings():
        capped = limits.cap_on(posted.transfer.at.date()) is not None
        if posted.overflow:
            assert capped, posted.transfer_id
        for entry in posted.entries:
            balances[entry.account] = balances.get(entry.account, 0) + entry.minutes
        for account, _ in posted.transfer.legs:
            if capped and account.startswith("V") and posted.net(account).minutes > 0:
                assert balances[account] <= 60, posted.transfer_id
