"""Spending follows the policy's dates: every operation under a policy on a day it does not
apply is refused with ``policy_not_in_force`` and changes nothing; hours are kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import volunteer_rules as vr
from volunteer_rules.timebank.ledger import HOLDS, REDEEMED, Ledger
from volunteer_rules.timebank.operations import (
    TimeBankPolicy,
    credit_hours,
    donate,
    expire_credits,
    get_time_bank_policy,
    give,
    redeem,
    reserve,
    settle,
    void,
)

CST = dt.timezone(dt.timedelta(hours=8))
D = dt.date
FROM, UNTIL = D(2025, 1, 1), D(2025, 12, 31)
DATED = attrs.evolve(
    get_time_bank_policy("generic"), policy_id="x-dated", valid_from=FROM, valid_until=UNTIL
)
OPENING = dt.datetime(2020, 1, 1, 9, tzinfo=CST)
LATE = dt.datetime(2030, 1, 1, tzinfo=CST)


def funded(hours: int = 5) -> Ledger:
    """V1's opening balance, credited under the undated generic policy long before."""
    return credit_hours(
        Ledger(),
        transfer_id="open",
        volunteer_id="V1",
        hours=vr.Hours.from_hours(hours),
        now=OPENING,
        policy="generic",
    ).ledger


def at(day: dt.date, hour: int = 12, minute: int = 0, tz: dt.tzinfo = CST) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tz)


Operation = Callable[[Ledger, dt.datetime, TimeBankPolicy | str, str], vr.LedgerResult]


def _redeem(ledger: Ledger, now: dt.datetime, policy: Any, tid: str) -> vr.LedgerResult:
    return redeem(
        ledger, transfer_id=tid, volunteer_id="V1", service_id="home_visit", now=now, policy=policy
    )


def _reserve(ledger: Ledger, now: dt.datetime, policy: Any, tid: str) -> vr.LedgerResult:
    return reserve(
        ledger,
        transfer_id=tid,
        volunteer_id="V1",
        service_id="home_visit",
        now=now,
        expires_at=max(now, LATE) + dt.timedelta(days=1),  # the same on a retry
        policy=policy,
    )


def _give(ledger: Ledger, now: dt.datetime, policy: Any, tid: str) -> vr.LedgerResult:
    return give(
        ledger,
        transfer_id=tid,
        from_volunteer="V1",
        to_volunteer="V2",
        hours=vr.Hours.from_minutes(30),
        relation="friend",
        now=now,
        policy=policy,
    )


def _donate(ledger: Ledger, now: dt.datetime, policy: Any, tid: str) -> vr.LedgerResult:
    return donate(
        ledger,
        transfer_id=tid,
        volunteer_id="V1",
        hours=vr.Hours.from_minutes(30),
        now=now,
        policy=policy,
    )


def _credit(ledger: Ledger, now: dt.datetime, policy: Any, tid: str) -> vr.LedgerResult:
    return credit_hours(
        ledger,
        transfer_id=tid,
        volunteer_id="V1",
        hours=vr.Hours.from_minutes(30),
        now=now,
        policy=policy,
    )


OPERATIONS: dict[str, Operation] = {
    "redeem": _redeem,
    "reserve": _reserve,
    "give": _give,
    "donate": _donate,
    "credit_hours": _credit,
}
WHAT = {
    "redeem": "redemption on",
    "reserve": "reservation on",
    "give": "giving on",
    "donate": "donation on",
    "credit_hours": "crediting on",
}
SIDES = [
    (FROM - dt.timedelta(days=1), False),
    (FROM, True),
    (UNTIL, True),
    (UNTIL + dt.timedelta(days=1), False),
]


@pytest.mark.parametrize("name", sorted(OPERATIONS))
@pytest.mark.parametrize(("day", "allowed"), SIDES)
def test_both_sides_of_both_dates(name: str, day: dt.date, allowed: bool) -> None:
    """Refused the day before valid_from and the day after valid_until; allowed on both."""
    ledger = funded()
    result = OPERATIONS[name](ledger, at(day), DATED, "t-1")
    assert result.allowed is allowed
    if allowed:
        assert result.violations == ()
        assert len(result.ledger) == len(ledger) + 1
        return
    assert result.ledger is ledger
    assert [v.code for v in result.violations] == ["policy_not_in_force"]
    assert result.violations[0].message == (
        f"{WHAT[name]} {day.isoformat()}: x-dated applies only from 2025-01-01 until 2025-12-31"
    )


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_the_local_date_of_now_decides(name: str) -> None:
    """Midnight that starts 1 January 2026 in UTC+8 is after valid_until, though it is still
    31 December in UTC; the last minute of 31 December in UTC+8 is not."""
    ledger = funded()
    last = OPERATIONS[name](ledger, at(UNTIL, 23, 59), DATED, "t-1")
    after = OPERATIONS[name](ledger, at(UNTIL + dt.timedelta(days=1), 0, 0), DATED, "t-1")
    assert last.allowed and not after.allowed
    first = OPERATIONS[name](ledger, at(FROM, 0, 0), DATED, "t-1")
    before = OPERATIONS[name](ledger, at(FROM - dt.timedelta(days=1), 23, 59), DATED, "t-1")
    assert first.allowed and not before.allowed


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_a_retry_after_the_policy_ended_returns_the_original(name: str) -> None:
    """An id posted while the policy applied, retried after it ended: the original posting,
    never a refusal of what was done (credit_hours refused it before)."""
    done = OPERATIONS[name](funded(), at(UNTIL), DATED, "t-1")
    again = OPERATIONS[name](done.ledger, at(UNTIL + dt.timedelta(days=30)), DATED, "t-1")
    assert again.allowed and again.violations == ()
    assert again.ledger is done.ledger
    assert again.posted == done.posted


def test_the_shanghai_policy_is_refused_before_it_applies() -> None:
    """cn-shanghai-2026 applies from 2026-01-12: a redemption on 2024-05-01 (the example the
    documentation used to show as allowed) is refused, on 2026-01-12 it is judged by age."""
    born = D(1950, 1, 1)
    for day, allowed in ((D(2024, 5, 1), False), (D(2026, 1, 11), False), (D(2026, 1, 12), True)):
        result = redeem(
            funded(),
            transfer_id="x",
            volunteer_id="V1",
            service_id="home_visit",
            now=at(day),
            policy="cn-shanghai-2026",
            volunteer_birth_date=born,
        )
        assert result.allowed is allowed, day


def test_no_other_rule_is_judged_outside_the_dates() -> None:
    """Under a policy not in force its age rule is not applied: the one reason is the dates."""
    aged = attrs.evolve(DATED, beneficiaries=(("self", 60),))
    result = _redeem(funded(), at(UNTIL + dt.timedelta(days=1)), aged, "x")
    assert [v.code for v in result.violations] == ["policy_not_in_force"]


class TestWhenThePolicyEnds:
    def test_hours_are_kept_and_spent_under_the_policy_in_force(self) -> None:
        """After valid_until the balance stays; the successor (here generic) spends it."""
        ledger = funded()
        after = at(UNTIL + dt.timedelta(days=1))
        assert not _redeem(ledger, after, DATED, "x").allowed
        assert ledger.balance("V1") == vr.Hours.from_hours(5)
        assert _redeem(ledger, after, "generic", "x").ledger.balance(REDEEMED).minutes == 60

    @pytest.mark.parametrize("finish", [settle, void])
    def test_a_booking_made_while_it_applied_completes(self, finish: Any) -> None:
        """settle and void take no policy: a booking of the last day is finished the next."""
        booked = _reserve(funded(), at(UNTIL, 20), DATED, "b-1").ledger
        next_day = at(UNTIL + dt.timedelta(days=1), 1)
        done = finish(booked, transfer_id="f-1", reservation_id="b-1", now=next_day)
        assert done.allowed
        assert done.ledger.balance(HOLDS) == vr.Hours.ZERO
        spent = 60 if finish is settle else 0
        assert done.ledger.balance(REDEEMED).minutes == spent
        assert done.ledger.balance("V1").minutes == 300 - spent


EXPIRING = attrs.evolve(DATED, credit_validity_days=10)


class TestExpiry:
    @pytest.mark.parametrize(("day", "allowed"), SIDES)
    def test_both_sides_of_both_dates(self, day: dt.date, allowed: bool) -> None:
        """An expiry policy expires nothing on a day it is not in force, and says why; on its
        last day it expires what is older than its validity (counted from valid_from)."""
        ledger = funded()
        result = expire_credits(ledger, now=at(day), policy=EXPIRING)
        if not allowed:
            assert result.ledger is ledger and result.expired == ()
            assert [v.code for v in result.violations] == ["policy_not_in_force"]
            assert f"expiry on {day.isoformat()}: x-dated" in result.violations[0].message
            return
        assert result.violations == ()
        expected = () if day == FROM else (("V1", vr.Hours.from_hours(5)),)
        assert result.expired == expected

    def test_hours_from_before_the_policy_count_from_valid_from(self) -> None:
        """A lot credited in 2020 under a policy with 10 days' validity from 2025-01-01 is
        valid until 2025-01-11 00:00 (UTC+8): not expired the minute before, expired then."""
        ledger = funded()
        start = dt.datetime.combine(FROM, dt.time(), CST) + dt.timedelta(days=10)
        before = expire_credits(ledger, now=start - dt.timedelta(minutes=1), policy=EXPIRING)
        assert before.expired == () and before.violations == ()
        assert expire_credits(ledger, now=start, policy=EXPIRING).expired == (
            ("V1", vr.Hours.from_hours(5)),
        )

    def test_hours_credited_while_it_applies_keep_their_own_date(self) -> None:
        """A lot that came in after valid_from expires at its own time plus the validity."""
        day = at(D(2025, 3, 1), 9)
        ledger = _credit(Ledger(), day, EXPIRING, "c-1").ledger
        assert (
            expire_credits(
                ledger, now=day + dt.timedelta(days=10, minutes=-1), policy=EXPIRING
            ).expired
            == ()
        )
        assert expire_credits(ledger, now=day + dt.timedelta(days=10), policy=EXPIRING).expired


OUTSIDE = st.one_of(
    st.dates(max_value=FROM - dt.timedelta(days=1)),
    st.dates(min_value=UNTIL + dt.timedelta(days=1)),
)


@given(
    name=st.sampled_from([*sorted(OPERATIONS), "expire_credits"]),
    day=OUTSIDE,
    minute=st.integers(0, 24 * 60 - 1),
    hours=st.integers(0, 100),
)
def test_no_operation_dated_outside_the_policy_changes_the_ledger(
    name: str, day: dt.date, minute: int, hours: int
) -> None:
    """Whatever the operation and whatever the balance, a day outside the dates posts nothing."""
    ledger = funded(hours) if hours else Ledger()
    now = at(day, minute // 60, minute % 60)
    if name == "expire_credits":
        result: Any = expire_credits(ledger, now=now, policy=EXPIRING)
    else:
        result = OPERATIONS[name](ledger, now, EXPIRING, "t-1")
        assert result.posted is None
    assert result.ledger is ledger
    assert [v.code for v in result.violations] == ["policy_not_in_force"]
