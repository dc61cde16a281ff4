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
    ISSUER,
    POOL,
    SYSTEM_ACCOUNTS,
    Ledger,
    LedgerLimits,
    LedgerTransfer,
    check_ledger,
)
from volunteer_rules.timebank.operations import (
    credit_hours,
    donate,
    expire_credits,
    get_time_bank_policy,
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


def _moves(ledger: Ledger, transfer_id: str) -> bool:
    """Whether the transfer changed any account's balance (a reversal needs something to undo)."""
    net: dict[str, int] = {}
    for entry in ledger.transfer(transfer_id).entries:
        net[entry.account] = net.get(entry.account, 0) + entry.minutes
    return any(net.values())


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
        self.refused: list[str] = []
        self.refused_keys: list[tuple[str, str]] = []

    def new_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}-{self.counter}"

    @initialize(
        cap=st.one_of(st.none(), st.integers(60, 600)),
        overdraft=st.sampled_from([0, 0, 30]),
        refuse=st.booleans(),
        cap_days=st.sampled_from([(None, None), (1, None), (None, 1), (1, 2)]),
    )
    def start(
        self, cap: int | None, overdraft: int, refuse: bool, cap_days: tuple[int | None, ...]
    ) -> None:
        """A cap (or none), dated or not: a dated cap starts or ends within the days the
        machine runs over, so hours above it from the days without it meet every operation."""
        first, last = (
            None if cap is None or days is None else T0.date() + dt.timedelta(days=days)
            for days in cap_days
        )
        limits = LedgerLimits(
            cap=None if cap is None else vr.Hours.from_minutes(cap),
            overdraft=vr.Hours.from_minutes(overdraft),
            overflow="refuse" if refuse else "donate",
            cap_from=first,
            cap_until=last,
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

    @rule(minutes=st.integers(0, 59))
    def next_day(self, minutes: int) -> None:
        """On to the first hour of the next day: a dated cap starts or ends within the run."""
        midnight = dt.datetime.combine(self.now.date(), dt.time(), self.now.tzinfo)
        self.now = midnight + dt.timedelta(days=1, minutes=minutes)

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
        """A reversal succeeds unless the rules say otherwise; each refusal has its reason.

        A ConflictError is expected only when the transfer was already reversed: any other
        (a mark left by a refused batch, say) is a failure.
        """
        if transfer_id is None:
            return multiple()
        kind = self.ledger.transfer(transfer_id).transfer.kind
        reversed_before = self.ledger.reversed_by(transfer_id)
        moved_nothing = not _moves(self.ledger, transfer_id)
        try:
            return self.apply(
                reverse(
                    self.ledger, transfer_id=self.new_id("r"), reference=transfer_id, now=self.now
                )
            )
        except vr.ConflictError:
            assert reversed_before is not None, "a conflict on a transfer never reversed"
            return multiple()
        except vr.InvalidValueError:
            assert (
                kind in ("reserve", "void", "expire", "reverse")
                or self.ledger.limits.overflow == "refuse"
                or moved_nothing
            )
            return multiple()
        except vr.InsufficientHoursError:  # the hours to take back were spent
            assert reversed_before is None
            return multiple()

    @rule(
        data=st.data(),
        who=st.sampled_from(VOLUNTEERS),
        on_snapshot=st.booleans(),
    )
    def refused_batch(self, data: st.DataObject, who: str, on_snapshot: bool) -> None:
        """A batch with a reversal and a credit, then a transfer that must fail: no mark left.

        After the refusal, every index of the ledger the batch was posted on (and of the
        current one) is as before: the new ids are unknown, the reversed transfer is not
        reversed, the record key is not credited.
        """
        base = self.ledger
        if on_snapshot and self.snapshots:
            base = data.draw(st.sampled_from(self.snapshots))
        at = max(self.now, base.last_at or self.now)
        batch: list[LedgerTransfer] = []
        reversible = [
            t.transfer_id
            for t in base.transfers()
            if t.kind not in ("reserve", "void", "expire", "reverse")
            and base.reversed_by(t.transfer_id) is None
            and _moves(base, t.transfer_id)
        ]
        target = data.draw(st.sampled_from(reversible)) if reversible else None
        if target is not None:
            batch.append(
                LedgerTransfer(
                    transfer_id=self.new_id("rb"),
                    kind="reverse",
                    legs=base.reversal_legs(target),
                    at=at,
                    reference=target,
                )
            )
        key = ("org", self.new_id("rk"))
        batch.append(
            LedgerTransfer(
                transfer_id=self.new_id("cb"),
                kind="credit",
                legs=((ISSUER, -1), (who, 1)),
                at=at,
                record_key=key,
            )
        )
        too_much = base.available(who, now=at).minutes + 10**6
        batch.append(
            LedgerTransfer(
                transfer_id=self.new_id("fail"),
                kind="donate",
                legs=((who, -too_much), (POOL, too_much)),
                at=at,
            )
        )
        before = {tid: base.reversed_by(tid) for tid in (t.transfer_id for t in base.transfers())}
        with pytest.raises((vr.InsufficientHoursError, vr.InvalidValueError)):
            base.post_many(batch)
        for ledger in (base, self.ledger):
            for transfer in batch:
                assert transfer.transfer_id not in ledger
            assert ledger.credited_by(key) is None
        assert {tid: base.reversed_by(tid) for tid in before} == before
        self.refused.extend(t.transfer_id for t in batch)
        self.refused_keys.append(key)

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

    @rule(
        operation=st.sampled_from(["credit", "redeem", "reserve", "give", "donate", "expire"]),
        who=st.sampled_from(VOLUNTEERS),
        ended=st.booleans(),
        days=st.integers(1, 3),
        minutes=st.integers(1, 120),
    )
    def out_of_force(self, operation: str, who: str, ended: bool, days: int, minutes: int) -> None:
        """Any operation under a policy not in force on the day of ``now`` changes nothing."""
        day = self.now.date()
        dated = attrs.evolve(
            get_time_bank_policy("generic"),
            valid_from=None if ended else day + dt.timedelta(days=days),
            valid_until=day - dt.timedelta(days=days) if ended else None,
            credit_validity_days=1,
        )
        tid, now = self.new_id("oof"), self.now
        hours = vr.Hours.from_minutes(minutes)
        other = VOLUNTEERS[(VOLUNTEERS.index(who) + 1) % len(VOLUNTEERS)]
        before = self.ledger
        result: vr.LedgerResult | vr.ExpiryResult
        if operation == "credit":
            result = credit_hours(
                before, transfer_id=tid, volunteer_id=who, hours=hours, now=now, policy=dated
            )
        elif operation == "redeem":
            result = redeem(
                before,
                transfer_id=tid,
                volunteer_id=who,
                service_id="meal_delivery",
                now=now,
                policy=dated,
            )
        elif operation == "reserve":
            result = reserve(
                before,
                transfer_id=tid,
                volunteer_id=who,
                service_id="meal_delivery",
                now=now,
                expires_at=now + dt.timedelta(hours=1),
                policy=dated,
            )
        elif operation == "give":
            result = give(
                before,
                transfer_id=tid,
                from_volunteer=who,
                to_volunteer=other,
                hours=hours,
                relation="friend",
                now=now,
                policy=dated,
            )
        elif operation == "donate":
            result = donate(
                before, transfer_id=tid, volunteer_id=who, hours=hours, now=now, policy=dated
            )
        else:
            result = expire_credits(before, now=now, policy=dated)
        assert result.ledger is before
        assert [v.code for v in result.violations] == ["policy_not_in_force"]
        assert tid not in self.ledger
        self.refused.append(tid)

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
    def indexes_match_a_replay(self) -> None:
        """Every index equals the one a replay of the stored transfers builds: no stale mark."""
        ledger = self.ledger
        replay = Ledger.from_transfers(ledger.transfers(), limits=ledger.limits)
        for transfer in ledger.transfers():
            tid = transfer.transfer_id
            assert ledger.reversed_by(tid) == replay.reversed_by(tid)
            assert ledger.transfer(tid) == replay.transfer(tid)
            if transfer.record_key is not None:
                assert ledger.credited_by(transfer.record_key) == tid
        assert ledger.balances() == replay.balances()
        for tid in self.refused:
            assert tid not in ledger
        for key in self.refused_keys:
            assert ledger.credited_by(key) is None

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


def test_a_refused_batch_leaves_no_reversal_behind() -> None:
    """The reported case: a reversal inside a refused batch marks nothing."""
    ledger = Ledger()
    for tid, who in (("c-1", "V0"), ("c-2", "V1")):
        ledger = credit_hours(
            ledger,
            transfer_id=tid,
            volunteer_id=who,
            hours=vr.Hours.from_hours(1),
            now=T0,
            policy="generic",
        ).ledger
    tip = credit_hours(
        ledger,
        transfer_id="c-3",
        volunteer_id="V2",
        hours=vr.Hours.from_hours(1),
        now=T0,
        policy="generic",
    ).ledger
    for base in (tip, ledger):  # on the newest ledger (shared log) and on an older one
        batch = [
            LedgerTransfer(
                transfer_id="r-1",
                kind="reverse",
                legs=base.reversal_legs("c-1"),
                at=T0,
                reference="c-1",
            ),
            LedgerTransfer(
                transfer_id="too-much", kind="donate", legs=(("V1", -999), (POOL, 999)), at=T0
            ),
        ]
        with pytest.raises(vr.InsufficientHoursError):
            base.post_many(batch)
        assert base.reversed_by("c-1") is None and "r-1" not in base
        # the legitimate reversals go through, the id r-1 is free for another one
        fixed = reverse(base, transfer_id="r-2", reference="c-1", now=T0).ledger
        fixed = reverse(fixed, transfer_id="r-1", reference="c-2", now=T0).ledger
        assert fixed.reversed_by("c-1") == "r-2" and fixed.reversed_by("c-2") == "r-1"
        assert check_ledger(fixed) == ()


def test_a_grant_that_overflowed_whole_has_nothing_to_reverse() -> None:
    """Found by the state machine: a grant to a volunteer at the cap moves no hours.

    Its whole amount overflows back to the pool, so reversing it is refused with a reason (a
    reversal with no legs cannot be posted), and the ledger is unchanged.
    """
    now = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    limits = LedgerLimits(cap=vr.Hours.from_minutes(60), overflow="donate")
    ledger = credit_hours(
        Ledger(limits=limits),
        transfer_id="c",
        volunteer_id="V1",
        hours=vr.Hours.from_minutes(61),
        now=now,
        policy="generic",
    ).ledger
    ledger = grant(
        ledger, transfer_id="p", volunteer_id="V1", hours=vr.Hours.from_minutes(1), now=now
    ).ledger
    assert not _moves(ledger, "p")
    with pytest.raises(vr.InvalidValueError, match="moved no hours"):
        reverse(ledger, transfer_id="r", reference="p", now=now)
    assert ledger.reversed_by("p") is None
