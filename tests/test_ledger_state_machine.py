from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    rule,
)

import volunteer_rules as vr
from volunteer_rules.timebank.ledger import (
    HOLDS,
    SYSTEM_ACCOUNTS,
    Ledger,
    LedgerLimits,
    check_ledger,
)
from volunteer_rules.timebank.operations import (
    credit_hours,
    donate,
    give,
    grant,
    redeem,
    reserve,
    reverse,
    settle,
    void,
)

VOLUNTEERS = ("V0", "V1", "V2")
T0 = dt.datetime(2024, 5, 1, 8, tzinfo=dt.timezone(dt.timedelta(hours=8)))
EXPECTED = (vr.InsufficientHoursError, vr.ConflictError, vr.InvalidValueError)


class LedgerMachine(RuleBasedStateMachine):
    """Random operations on a ledger; after every step the ledger must be sound."""

    posted = Bundle("posted")
    holds = Bundle("holds")

    def __init__(self) -> None:
        super().__init__()
        self.ledger = Ledger()
        self.now = T0
        self.counter = 0
        self.snapshots: list[Ledger] = []

    def new_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}-{self.counter}"

    @initialize(
        cap=st.one_of(st.none(), st.integers(60, 600)),
        overdraft=st.sampled_from([0, 0, 30]),
        refuse=st.booleans(),
    )
    def start(self, cap: int | None, overdraft: int, refuse: bool) -> None:
        limits = LedgerLimits(
            cap=None if cap is None else vr.Hours.from_minutes(cap),
            overdraft=vr.Hours.from_minutes(overdraft),
            overflow="refuse" if refuse else "donate",
        )
        self.ledger = Ledger(limits=limits)

    def apply(self, result: vr.LedgerResult) -> str | None:
        before = len(self.ledger)
        self.ledger = result.ledger
        assert len(self.ledger) >= before
        if result.posted is None:
            return None
        return result.posted.transfer_id

    @rule(minutes=st.integers(0, 180))
    def tick(self, minutes: int) -> None:
        self.now += dt.timedelta(minutes=minutes)

    @rule(target=posted, who=st.sampled_from(VOLUNTEERS), minutes=st.integers(1, 300))
    def credit(self, who: str, minutes: int) -> object:
        try:
            return self.apply(
                credit_hours(
                    self.ledger,
                    transfer_id=self.new_id("c"),
                    volunteer_id=who,
                    hours=vr.Hours.from_minutes(minutes),
                    now=self.now,
                    policy="generic",
                    record_key=("org", f"r-{self.counter}"),
                )
            )
        except vr.InvalidValueError:  # above the cap under "refuse"
            assert self.ledger.limits.overflow == "refuse"
            return multiple()

    @rule(
        target=posted,
        a=st.sampled_from(VOLUNTEERS),
        b=st.sampled_from(VOLUNTEERS),
        minutes=st.integers(1, 200),
    )
    def give_hours(self, a: str, b: str, minutes: int) -> object:
        if a == b:
            return multiple()
        available = self.ledger.available(a, now=self.now)
        try:
            result = self.apply(
                give(
                    self.ledger,
                    transfer_id=self.new_id("g"),
                    from_volunteer=a,
                    to_volunteer=b,
                    hours=vr.Hours.from_minutes(minutes),
                    relation="friend",
                    now=self.now,
                    policy="generic",
                )
            )
        except vr.InsufficientHoursError as error:
            refused: vr.InsufficientHoursError | None = error
            result = None
        except vr.InvalidValueError:
            assert self.ledger.limits.overflow == "refuse"
            return multiple()
        else:
            refused = None
        if refused is not None:
            assert minutes > available.minutes
            assert refused.requested.minutes == minutes
            return multiple()
        assert minutes <= available.minutes
        return result

    @rule(target=posted, who=st.sampled_from(VOLUNTEERS), minutes=st.integers(1, 120))
    def donate_hours(self, who: str, minutes: int) -> object:
        try:
            return self.apply(
                donate(
                    self.ledger,
                    transfer_id=self.new_id("d"),
                    volunteer_id=who,
                    hours=vr.Hours.from_minutes(minutes),
                    now=self.now,
                    policy="generic",
                )
            )
        except vr.InsufficientHoursError:
            return multiple()

    @rule(target=posted, who=st.sampled_from(VOLUNTEERS), minutes=st.integers(1, 60))
    def grant_from_pool(self, who: str, minutes: int) -> object:
        try:
            return self.apply(
                grant(
                    self.ledger,
                    transfer_id=self.new_id("p"),
                    volunteer_id=who,
                    hours=vr.Hours.from_minutes(minutes),
                    now=self.now,
                )
            )
        except (vr.InsufficientHoursError, vr.InvalidValueError):
            return multiple()

    @rule(target=posted, who=st.sampled_from(VOLUNTEERS), quantity=st.integers(1, 3))
    def redeem_service(self, who: str, quantity: int) -> object:
        try:
            return self.apply(
                redeem(
                    self.ledger,
                    transfer_id=self.new_id("x"),
                    volunteer_id=who,
                    service_id="meal_delivery",
                    quantity=quantity,
                    now=self.now,
                    policy="generic",
                )
            )
        except vr.InsufficientHoursError:
            return multiple()

    @rule(target=holds, who=st.sampled_from(VOLUNTEERS), ttl=st.integers(1, 240))
    def reserve_service(self, who: str, ttl: int) -> object:
        try:
            return self.apply(
                reserve(
                    self.ledger,
                    transfer_id=self.new_id("h"),
                    volunteer_id=who,
                    service_id="meal_delivery",
                    now=self.now,
                    expires_at=self.now + dt.timedelta(minutes=ttl),
                    policy="generic",
                )
            )
        except vr.InsufficientHoursError:
            return multiple()

    @rule(target=posted, hold=consumes(holds), settle_it=st.booleans())
    def finish_hold(self, hold: str | None, settle_it: bool) -> object:
        if hold is None:
            return multiple()
        is_open = hold in self.ledger.open_holds(now=self.now)
        op = settle if settle_it else void
        try:
            tid = self.apply(
                op(self.ledger, transfer_id=self.new_id("s"), reservation_id=hold, now=self.now)
            )
        except vr.ConflictError:
            assert not is_open
            return multiple()
        except vr.InvalidValueError:  # void above the cap under "refuse" is allowed: not here
            assert self.ledger.limits.overflow == "refuse"
            return multiple()
        assert is_open
        return tid

    @rule(target=posted, transfer_id=posted)
    def reverse_one(self, transfer_id: str | None) -> object:
        if transfer_id is None:
            return multiple()
        try:
            return self.apply(
                reverse(
                    self.ledger, transfer_id=self.new_id("r"), reference=transfer_id, now=self.now
                )
            )
        except EXPECTED:
            return multiple()

    @rule(transfer_id=posted)
    def retry(self, transfer_id: str | None) -> None:
        """The same transfer again, later: nothing changes."""
        if transfer_id is None:
            return
        original = self.ledger.transfer(transfer_id).transfer
        before = self.ledger
        again = attrs.evolve(original, at=max(self.now, before.last_at or self.now))
        after, posted = before.post(again)
        assert after is before
        assert posted.transfer == original

    @rule(transfer_id=posted)
    def conflicting_retry(self, transfer_id: str | None) -> None:
        """The same id with other content is a conflict and changes nothing."""
        if transfer_id is None:
            return
        original = self.ledger.transfer(transfer_id).transfer
        other = attrs.evolve(original, memo=original.memo + "!")
        with pytest.raises(vr.ConflictError) as info:
            self.ledger.post(other)
        assert info.value.key == transfer_id

    @rule()
    def snapshot(self) -> None:
        self.snapshots.append(self.ledger)

    @rule(data=st.data(), who=st.sampled_from(VOLUNTEERS), minutes=st.integers(1, 60))
    def stale_writer(self, data: st.DataObject, who: str, minutes: int) -> None:
        """Another writer posts on an older ledger: both branches stay sound and apart."""
        if not self.snapshots:
            return
        old = data.draw(st.sampled_from(self.snapshots))
        length = len(self.ledger)
        balances = self.ledger.balances()
        try:
            branch = credit_hours(
                old,
                transfer_id=self.new_id("stale"),
                volunteer_id=who,
                hours=vr.Hours.from_minutes(minutes),
                now=max(self.now, old.last_at or self.now),
                policy="generic",
            ).ledger
        except vr.InvalidValueError:
            return
        assert check_ledger(branch) == ()
        assert len(self.ledger) == length
        assert self.ledger.balances() == balances

    @invariant()
    def sound(self) -> None:
        assert check_ledger(self.ledger) == ()
        balances = self.ledger.balances()
        assert sum(h.minutes for h in balances.values()) == 0
        floor = -self.ledger.limits.overdraft.minutes
        for account, hours in balances.items():
            if account not in SYSTEM_ACCOUNTS:
                assert hours.minutes >= floor
        assert balances.get(HOLDS, vr.Hours.ZERO).minutes == sum(
            m.minutes for _, m, _ in self.ledger.open_holds(now=T0).values()
        )


LedgerMachine.TestCase.settings = settings(stateful_step_count=30, deadline=None)
TestLedgerMachine = LedgerMachine.TestCase
