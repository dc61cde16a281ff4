from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import volunteer_rules as vr
from _any_value import ANY_VALUE
from volunteer_rules.testing.strategies import ledgers
from volunteer_rules.timebank.ledger import (
    HOLDS,
    ISSUER,
    POOL,
    REDEEMED,
    Ledger,
    LedgerEntry,
    LedgerLimits,
    LedgerTransfer,
    PostedTransfer,
    check_ledger,
)
from volunteer_rules.timebank.statement import statement

UTC = dt.UTC
T0 = dt.datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def credit(
    tid: str, account: str, minutes: int, when: int = 0, key: str | None = None
) -> LedgerTransfer:
    return LedgerTransfer(
        transfer_id=tid,
        kind="credit",
        legs=((ISSUER, -minutes), (account, minutes)),
        at=at(when),
        record_key=("org", key or tid),
    )


def give(tid: str, a: str, b: str, minutes: int, when: int = 0) -> LedgerTransfer:
    return LedgerTransfer(
        transfer_id=tid, kind="give", legs=((a, -minutes), (b, minutes)), at=at(when)
    )


def reserve(tid: str, a: str, minutes: int, when: int, expires: int) -> LedgerTransfer:
    return LedgerTransfer(
        transfer_id=tid,
        kind="reserve",
        legs=((a, -minutes), (HOLDS, minutes)),
        at=at(when),
        expires_at=at(expires),
    )


class TestLedgerTransfer:
    def test_legs_must_sum_to_zero(self) -> None:
        """A transfer whose legs do not cancel out is refused when built."""
        with pytest.raises(vr.InvalidValueError, match="sum to zero"):
            LedgerTransfer(transfer_id="t", kind="give", legs=(("V1", -5), ("V2", 4)), at=T0)

    def test_zero_leg_refused(self) -> None:
        """A leg of 0 minutes moves nothing and is refused (TimeOverflow #421)."""
        with pytest.raises(vr.InvalidValueError, match="0 minutes"):
            LedgerTransfer(transfer_id="t", kind="give", legs=(("V1", 0), ("V2", 0)), at=T0)

    def test_account_twice_refused(self) -> None:
        """An account may appear once per transfer."""
        with pytest.raises(vr.InvalidValueError, match="twice"):
            LedgerTransfer(transfer_id="t", kind="adjust", legs=(("V1", -5), ("V1", 5)), at=T0)

    def test_naive_time_refused(self) -> None:
        """A naive datetime is refused."""
        with pytest.raises(vr.InvalidValueError, match="aware"):
            LedgerTransfer(
                transfer_id="t",
                kind="give",
                legs=(("V1", -5), ("V2", 5)),
                at=dt.datetime(2024, 1, 1),
            )

    def test_unknown_system_account_refused(self) -> None:
        """Ids starting with @ are system accounts; an unknown one is refused."""
        with pytest.raises(vr.InvalidValueError, match="system"):
            LedgerTransfer(transfer_id="t", kind="give", legs=(("@bank", -5), ("V2", 5)), at=T0)

    def test_tilde_reserved(self) -> None:
        """Caller ids may not use ~, which marks ids the ledger makes."""
        with pytest.raises(vr.InvalidValueError, match="reserved"):
            give("a~expired", "V1", "V2", 5)

    def test_reference_rules(self) -> None:
        """A reverse needs a reference; a give takes none."""
        with pytest.raises(vr.InvalidValueError, match="reference"):
            LedgerTransfer(transfer_id="t", kind="reverse", legs=(("V1", -5), ("V2", 5)), at=T0)
        with pytest.raises(vr.InvalidValueError, match="reference"):
            LedgerTransfer(
                transfer_id="t", kind="give", legs=(("V1", -5), ("V2", 5)), at=T0, reference="x"
            )

    def test_record_key_only_on_credits(self) -> None:
        """Only a credit carries a record key."""
        with pytest.raises(vr.InvalidValueError, match="record key"):
            LedgerTransfer(
                transfer_id="t",
                kind="give",
                legs=(("V1", -5), ("V2", 5)),
                at=T0,
                record_key=("o", "r"),
            )

    def test_content_ignores_time(self) -> None:
        """The time is not part of the content: a retry comes later."""
        t = give("g", "V1", "V2", 5)
        assert attrs.evolve(t, at=at(60)).content() == t.content()
        assert attrs.evolve(t, memo="x").content() != t.content()


class TestIdempotency:
    def test_retry_is_a_no_op(self) -> None:
        """The same id with the same content returns the original and the same ledger."""
        ledger, first = Ledger().post(credit("c", "V1", 60))
        again, second = ledger.post(attrs.evolve(credit("c", "V1", 60), at=at(5)))
        assert again is ledger
        assert second == first
        assert ledger.balance("V1") == vr.Hours.from_minutes(60)

    def test_same_id_other_content_conflicts(self) -> None:
        """The same id with other content is a ConflictError."""
        ledger, _ = Ledger().post(credit("c", "V1", 60))
        with pytest.raises(vr.ConflictError) as info:
            ledger.post(credit("c", "V1", 61))
        assert info.value.key == "c"

    def test_record_credited_once(self) -> None:
        """A record key credited under another transfer id is a conflict."""
        ledger, _ = Ledger().post(credit("c1", "V1", 60, key="r"))
        with pytest.raises(vr.ConflictError, match="already credited"):
            ledger.post(credit("c2", "V1", 60, key="r"))

    def test_retry_inside_a_batch(self) -> None:
        """A batch with the same transfer twice posts it once."""
        ledger = Ledger().post_many([credit("c", "V1", 60)] * 3)
        assert len(ledger) == 1

    def test_time_may_not_go_back(self) -> None:
        """A transfer earlier than the last one is refused."""
        ledger, _ = Ledger().post(credit("c", "V1", 60, when=10))
        with pytest.raises(vr.InvalidValueError, match="earlier"):
            ledger.post(credit("d", "V1", 60, when=9))
        assert ledger.post(credit("d", "V1", 60, when=10))[0].balance("V1").minutes == 120


class TestLimits:
    def test_floor_boundary(self) -> None:
        """Spending down to exactly zero is allowed; one minute more is refused."""
        ledger, _ = Ledger().post(credit("c", "V1", 60))
        assert ledger.post(give("g", "V1", "V2", 60))[0].balance("V1") == vr.Hours.ZERO
        with pytest.raises(vr.InsufficientHoursError) as info:
            ledger.post(give("g", "V1", "V2", 61))
        assert info.value.available.minutes == 60
        assert info.value.requested.minutes == 61

    def test_overdraft_boundary(self) -> None:
        """With a 30 min overdraft, -30 is allowed (inclusive) and -31 is not."""
        ledger = Ledger(limits=LedgerLimits(overdraft=vr.Hours.from_minutes(30)))
        assert ledger.post(give("g", "V1", "V2", 30))[0].balance("V1").minutes == -30
        with pytest.raises(vr.InsufficientHoursError) as info:
            ledger.post(give("g", "V1", "V2", 31))
        assert info.value.available.minutes == 30

    def test_system_accounts_floor(self) -> None:
        """The pool cannot go below zero; the issuer has no floor."""
        with pytest.raises(vr.InsufficientHoursError):
            Ledger().post(
                LedgerTransfer(transfer_id="g", kind="grant", legs=((POOL, -1), ("V1", 1)), at=T0)
            )
        assert Ledger().post(credit("c", "V1", 10**6))[0].balance(ISSUER).minutes == -(10**6)

    def test_cap_boundary_donate(self) -> None:
        """Exactly the cap stays; one minute above goes to the pool in the same transfer."""
        limits = LedgerLimits(cap=vr.Hours.from_minutes(100))
        ledger, posted = Ledger(limits=limits).post(credit("c", "V1", 100))
        assert ledger.balance("V1").minutes == 100
        assert posted.overflow == ()
        ledger, posted = Ledger(limits=limits).post(credit("c", "V1", 101))
        assert ledger.balance("V1").minutes == 100
        assert ledger.balance(POOL).minutes == 1
        assert [(e.account, e.minutes) for e in posted.overflow] == [("V1", -1), (POOL, 1)]
        assert check_ledger(ledger) == ()

    def test_cap_refuse(self) -> None:
        """Under overflow='refuse' a transfer above the cap is refused and nothing is posted."""
        limits = LedgerLimits(cap=vr.Hours.from_minutes(100), overflow="refuse")
        ledger = Ledger(limits=limits)
        assert ledger.post(credit("c", "V1", 100))[0].balance("V1").minutes == 100
        with pytest.raises(vr.InvalidValueError, match="cap"):
            ledger.post(credit("c", "V1", 101))
        assert len(ledger) == 0

    def test_batch_is_atomic(self) -> None:
        """A batch with one refused transfer posts nothing, and the ledger still works."""
        ledger, _ = Ledger().post(credit("c", "V1", 60))
        with pytest.raises(vr.InsufficientHoursError):
            ledger.post_many([give("g1", "V1", "V2", 30), give("g2", "V1", "V2", 31)])
        assert len(ledger) == 1
        assert ledger.balance("V1").minutes == 60
        after = ledger.post_many([give("g1", "V1", "V2", 30)])
        assert after.balance("V2").minutes == 30
        assert check_ledger(after) == ()
        assert check_ledger(ledger) == ()

    def test_old_ledger_unchanged_and_can_branch(self) -> None:
        """Posting on an old ledger branches; neither branch sees the other's transfers."""
        base, _ = Ledger().post(credit("c", "V1", 60))
        a, _ = base.post(give("g", "V1", "V2", 10))
        b, _ = base.post(give("g", "V1", "V3", 20))
        assert a.balance("V2").minutes == 10
        assert a.balance("V3").minutes == 0
        assert b.balance("V3").minutes == 20
        assert b.balance("V2").minutes == 0
        assert "g" not in base
        assert check_ledger(a) == ()
        assert check_ledger(b) == ()
        assert check_ledger(base) == ()


class TestThreads:
    def test_branches_posted_from_threads(self) -> None:
        """Threads posting on one ledger get separate, sound branches."""
        import threading

        base = Ledger().post_many([credit(f"c{i}", f"V{i}", 600, key=f"k{i}") for i in range(4)])
        results: dict[int, Ledger] = {}

        def work(i: int) -> None:
            ledger = base
            for j in range(50):
                ledger = ledger.post_many([give(f"g{i}-{j}", f"V{i}", "V9", 1, when=j)])
            results[i] = ledger

        threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(base) == 4
        for i, ledger in results.items():
            assert check_ledger(ledger) == ()
            assert ledger.balance(f"V{i}").minutes == 550
            assert ledger.balance("V9").minutes == 50
            assert len(ledger) == 54


class TestReservations:
    def test_reserved_hours_not_available(self) -> None:
        """Held hours count against what is available until the hold expires."""
        ledger = Ledger().post_many([credit("c", "V1", 100), reserve("r", "V1", 60, 1, 61)])
        assert ledger.available("V1", now=at(60)).minutes == 40
        assert ledger.held("V1", now=at(60)).minutes == 60
        assert ledger.available("V1", now=at(61)).minutes == 100
        assert ledger.held("V1", now=at(61)).minutes == 0
        with pytest.raises(vr.InsufficientHoursError):
            ledger.post(give("g", "V1", "V2", 41, when=60))

    def test_expiry_boundary(self) -> None:
        """A hold is open while now < expires_at: settling at expires_at is refused."""
        ledger = Ledger().post_many([credit("c", "V1", 100), reserve("r", "V1", 60, 1, 61)])
        settle = LedgerTransfer(
            transfer_id="s",
            kind="post",
            legs=((HOLDS, -60), (REDEEMED, 60)),
            at=at(60),
            reference="r",
        )
        assert ledger.post(settle)[0].balance(REDEEMED).minutes == 60
        late = attrs.evolve(settle, at=at(61))
        with pytest.raises(vr.ConflictError, match="no longer open"):
            ledger.post(late)

    def test_expiry_posts_a_release(self) -> None:
        """The first transfer at or after expires_at posts the release first."""
        ledger = Ledger().post_many([credit("c", "V1", 100), reserve("r", "V1", 60, 1, 61)])
        later, _ = ledger.post(give("g", "V1", "V2", 100, when=61))
        assert [t.transfer_id for t in later.transfers()][-2:] == ["r~expired", "g"]
        assert later.balance(HOLDS) == vr.Hours.ZERO
        assert check_ledger(later) == ()

    def test_void_and_double_settle(self) -> None:
        """A voided hold returns the hours; it cannot be settled afterwards."""
        ledger = Ledger().post_many([credit("c", "V1", 100), reserve("r", "V1", 60, 1, 61)])
        void = LedgerTransfer(
            transfer_id="v", kind="void", legs=((HOLDS, -60), ("V1", 60)), at=at(2), reference="r"
        )
        ledger, _ = ledger.post(void)
        assert ledger.balance("V1").minutes == 100
        with pytest.raises(vr.ConflictError):
            ledger.post(
                LedgerTransfer(
                    transfer_id="s",
                    kind="post",
                    legs=((HOLDS, -60), (REDEEMED, 60)),
                    at=at(3),
                    reference="r",
                )
            )

    def test_caller_cannot_post_expire(self) -> None:
        """Only the ledger makes expire transfers."""
        ledger = Ledger().post_many([credit("c", "V1", 100), reserve("r", "V1", 60, 1, 61)])
        fake = LedgerTransfer(
            transfer_id="r~expired",
            kind="expire",
            legs=((HOLDS, -60), ("V1", 60)),
            at=at(5),
            reference="r",
        )
        with pytest.raises(vr.InvalidValueError, match="made by the ledger"):
            ledger.post(fake)

    def test_replay_with_stored_expiry(self) -> None:
        """Replaying stored transfers, expire ones included, rebuilds the same ledger."""
        ledger = Ledger().post_many(
            [credit("c", "V1", 100), reserve("r", "V1", 60, 1, 61), give("g", "V1", "V2", 10, 70)]
        )
        again = Ledger.from_transfers(ledger.transfers())
        assert again.transfers() == ledger.transfers()
        assert again.balances() == ledger.balances()


class TestReversal:
    def test_reverse_credit(self) -> None:
        """A reversal undoes a credit, overflow included, and names what it corrects."""
        limits = LedgerLimits(cap=vr.Hours.from_minutes(50))
        ledger, _ = Ledger(limits=limits).post(credit("c", "V1", 60))
        legs = ledger.reversal_legs("c")
        assert dict(legs) == {ISSUER: 60, "V1": -50, POOL: -10}
        undo = LedgerTransfer(transfer_id="x", kind="reverse", legs=legs, at=at(1), reference="c")
        ledger, _ = ledger.post(undo)
        assert ledger.balance("V1") == vr.Hours.ZERO
        assert ledger.reversed_by("c") == "x"
        assert check_ledger(ledger) == ()

    def test_reverse_twice_conflicts_and_retry_is_no_op(self) -> None:
        """A second reversal is a conflict; the same reversal again is a no-op."""
        ledger, _ = Ledger().post(credit("c", "V1", 60))
        undo = LedgerTransfer(
            transfer_id="x", kind="reverse", legs=ledger.reversal_legs("c"), at=at(1), reference="c"
        )
        ledger, _ = ledger.post(undo)
        assert ledger.post(undo)[0] is ledger
        with pytest.raises(vr.ConflictError, match="already reversed"):
            ledger.post(attrs.evolve(undo, transfer_id="y"))

    def test_reversal_not_reversed(self) -> None:
        """A reversal cannot itself be reversed."""
        ledger, _ = Ledger().post(credit("c", "V1", 60))
        undo = LedgerTransfer(
            transfer_id="x", kind="reverse", legs=ledger.reversal_legs("c"), at=at(1), reference="c"
        )
        ledger, _ = ledger.post(undo)
        again = LedgerTransfer(
            transfer_id="y", kind="reverse", legs=ledger.reversal_legs("x"), at=at(2), reference="x"
        )
        with pytest.raises(vr.InvalidValueError, match="cannot be reversed"):
            ledger.post(again)

    def test_wrong_legs_refused(self) -> None:
        """A reversal must carry exactly the undoing legs."""
        ledger, _ = Ledger().post(credit("c", "V1", 60))
        bad = LedgerTransfer(
            transfer_id="x",
            kind="reverse",
            legs=((ISSUER, 59), ("V1", -59)),
            at=at(1),
            reference="c",
        )
        with pytest.raises(vr.InvalidValueError, match="must be"):
            ledger.post(bad)

    def test_reversing_spent_hours_refused(self) -> None:
        """Taking back hours already spent raises InsufficientHoursError."""
        ledger = Ledger().post_many([credit("c", "V1", 60), give("g", "V1", "V2", 60)])
        undo = LedgerTransfer(
            transfer_id="x", kind="reverse", legs=ledger.reversal_legs("c"), at=at(1), reference="c"
        )
        with pytest.raises(vr.InsufficientHoursError):
            ledger.post(undo)

    def test_reverse_settled_reservation_refunds_volunteer(self) -> None:
        """Reversing a settled reservation refunds the volunteer, not the holds account."""
        ledger = Ledger().post_many(
            [
                credit("c", "V1", 100),
                reserve("r", "V1", 60, 1, 61),
                LedgerTransfer(
                    transfer_id="s",
                    kind="post",
                    legs=((HOLDS, -60), (REDEEMED, 60)),
                    at=at(2),
                    reference="r",
                ),
            ]
        )
        assert ledger.reversal_legs("s") == ((REDEEMED, -60), ("V1", 60))


class TestCheckLedger:
    def test_sound_ledgers_have_no_violation(self) -> None:
        """A ledger built by posting has no violation."""
        ledger = Ledger().post_many([credit("c", "V1", 60), give("g", "V1", "V2", 30)])
        assert check_ledger(ledger) == ()
        assert check_ledger(list(ledger.postings())) == ()

    def test_stored_total_mismatch(self) -> None:
        """A store total that differs from the entries is reported (TimeOverflow #845)."""
        ledger = Ledger().post_many([credit("c", "V1", 60)])
        found = check_ledger(ledger, stored_balances={"V1": vr.Hours.from_minutes(61), ISSUER: -60})
        assert [v.code for v in found] == ["stored_total_mismatch"]
        assert found[0].account == "V1"

    def test_tampered_postings(self) -> None:
        """Duplicates, unbalanced entries, gaps and dangling references are all found."""
        ledger = Ledger().post_many([credit("c", "V1", 60), give("g", "V1", "V2", 30)])
        posted = list(ledger.postings())
        entries = posted[1].entries
        bad_entries = (entries[0], entries[1]._replace(minutes=31))
        tampered = [posted[0], attrs.evolve(posted[1], entries=bad_entries), posted[0]]
        codes = {v.code for v in check_ledger(tampered)}
        assert {"unbalanced", "duplicate_transfer", "duplicate_record", "sequence_gap"} <= codes
        dangling = attrs.evolve(
            posted[1],
            transfer=LedgerTransfer(
                transfer_id="x",
                kind="reverse",
                legs=((ISSUER, 60), ("V1", -60)),
                at=T0,
                reference="nope",
            ),
        )
        assert "dangling_reference" in {v.code for v in check_ledger([posted[0], dangling])}

    def test_settlements_checked(self) -> None:
        """A reservation settled twice, or a settlement of a non-reservation, is reported."""
        ledger = Ledger().post_many([credit("c", "V1", 100), reserve("r", "V1", 60, 1, 61)])
        settle = LedgerTransfer(
            transfer_id="s",
            kind="post",
            legs=((HOLDS, -60), (REDEEMED, 60)),
            at=at(2),
            reference="r",
        )
        ledger, _ = ledger.post(settle)
        posted = list(ledger.postings())
        again = attrs.evolve(posted[-1], transfer=attrs.evolve(settle, transfer_id="s2"))
        codes = {v.code for v in check_ledger([*posted, again])}
        assert "double_settlement" in codes
        wrong = attrs.evolve(posted[-1], transfer=attrs.evolve(settle, reference="c"))
        assert "bad_reference" in {v.code for v in check_ledger([*posted[:-1], wrong])}

    def test_limits_checked(self) -> None:
        """A ledger checked against tighter limits reports balances outside them."""
        ledger = Ledger().post_many([credit("c", "V1", 60)])
        found = check_ledger(ledger, limits=LedgerLimits(cap=vr.Hours.from_minutes(59)))
        assert [v.code for v in found] == ["above_cap"]

    def test_version_gap(self) -> None:
        """Entries whose account versions skip are reported."""
        ledger = Ledger().post_many([credit("c", "V1", 60)])
        (posted,) = ledger.postings()
        bumped = (posted.entries[0], posted.entries[1]._replace(version=2))
        found = check_ledger([attrs.evolve(posted, entries=bumped)])
        assert [v.code for v in found] == ["version_gap"]

    @given(ledgers())
    def test_generated_ledgers_are_sound(self, ledger: Ledger) -> None:
        """Any ledger built by posting passes check_ledger and sums to zero."""
        assert check_ledger(ledger) == ()
        assert sum(m.minutes for m in ledger.balances().values()) == 0


class TestReading:
    def test_entries_and_versions(self) -> None:
        """Entries carry ledger sequence and per-account versions from 1."""
        ledger = Ledger().post_many([credit("c", "V1", 60), give("g", "V1", "V2", 30)])
        rows = [tuple(e)[:5] for e in ledger.entries()]
        assert rows == [
            (0, "c", ISSUER, -60, 1),
            (1, "c", "V1", 60, 1),
            (2, "g", "V1", -30, 2),
            (3, "g", "V2", 30, 1),
        ]
        assert ledger.versions() == {ISSUER: 1, "V1": 2, "V2": 1}
        assert isinstance(next(ledger.entries("V2")), LedgerEntry)

    def test_index_survives_branches_and_rollbacks(self) -> None:
        """Entry versions stay right across reads, branches and failed batches."""
        base = Ledger().post_many([credit("c1", "V1", 60), credit("c2", "V1", 60, key="k2")])
        assert base.version("V1") == 2
        grown = base.post_many([give("g1", "V1", "V2", 10), give("g2", "V1", "V2", 10)])
        assert grown.version("V1") == 4
        assert [e.version for e in grown.entries("V2")] == [1, 2]
        branch, _ = base.post(give("g1", "V1", "V3", 5))
        assert branch.version("V1") == 3
        assert branch.version("V2") == 0
        with pytest.raises(vr.InsufficientHoursError):
            grown.post_many([give("g3", "V1", "V2", 10), give("g4", "V1", "V2", 1000)])
        assert grown.version("V1") == 4
        after = grown.post_many([give("g3", "V1", "V2", 10)])
        assert [e.version for e in after.entries("V1")] == [1, 2, 3, 4, 5]
        for ledger in (base, grown, branch, after):
            assert check_ledger(ledger) == ()

    def test_transfer_lookup(self) -> None:
        """A missing transfer is NotFoundError; a posted one comes back with its entries."""
        ledger = Ledger().post_many([credit("c", "V1", 60)])
        assert isinstance(ledger.transfer("c"), PostedTransfer)
        with pytest.raises(vr.NotFoundError):
            ledger.transfer("nope")

    def test_statement_running_balance(self) -> None:
        """A statement's lines run from the opening balance to the closing one."""
        ledger = Ledger().post_many(
            [credit("c", "V1", 60, 0), give("g", "V1", "V2", 30, 10), credit("d", "V1", 15, 20)]
        )
        s = statement(ledger, "V1", start=at(5), end=at(30))
        assert s.opening.minutes == 60
        assert [(line.minutes, line.balance) for line in s.lines] == [(-30, 30), (15, 45)]
        assert s.closing == ledger.balance("V1")
        import pandas as pd

        frame = pd.DataFrame(s.rows())
        assert list(frame["balance_minutes"]) == [30, 45]


PUBLIC_CALLS: list[Callable[[Any], object]] = [
    lambda x: LedgerTransfer(transfer_id=x, kind=x, legs=x, at=x),
    lambda x: Ledger().post(x),
    lambda x: Ledger().post_many(x),
    lambda x: Ledger(limits=x),
    lambda x: Ledger().balance(x),
    lambda x: Ledger().available(x, now=x),
    lambda x: Ledger().transfer(x),
    lambda x: Ledger().reversal_legs(x),
    lambda x: Ledger().credited_by(x),
    lambda x: list(Ledger().entries(x)),
    lambda x: check_ledger(x),
    lambda x: check_ledger(Ledger(), stored_balances=x),
    lambda x: statement(Ledger(), x),
    lambda x: Ledger.from_transfers(x),
    lambda x: LedgerLimits(overdraft=x),
    lambda x: LedgerLimits(cap=x),
    lambda x: LedgerLimits(overflow=x),
    lambda x: Ledger().held(x, now=x),
    lambda x: Ledger().held("V1", now=x),
    lambda x: Ledger().open_holds(now=x),
    lambda x: Ledger().version(x),
    lambda x: list(Ledger().postings(x)),
    lambda x: Ledger().reversed_by(x),
    lambda x: statement(Ledger(), "V1", start=x),
    lambda x: statement(x, "V1"),
    lambda x: statement(Ledger(), "V1").to_text(x),
    lambda x: LedgerTransfer(
        transfer_id="t", kind="give", legs=(("V1", -1), ("V2", 1)), at=T0, details=x
    ),
    lambda x: LedgerTransfer(
        transfer_id="t", kind="credit", legs=(("V1", -1), ("V2", 1)), at=T0, record_key=x
    ),
    lambda x: LedgerTransfer(
        transfer_id="t", kind="reserve", legs=(("V1", -1), (HOLDS, 1)), at=T0, expires_at=x
    ),
    lambda x: LedgerTransfer(
        transfer_id="t", kind="give", legs=(("V1", -1), ("V2", 1)), at=T0, memo=x
    ),
]


class TestBadInput:
    @given(ANY_VALUE, st.sampled_from(range(len(PUBLIC_CALLS))))
    def test_only_library_errors(self, value: object, which: int) -> None:
        """Arbitrary input raises only the library's errors."""
        with contextlib.suppress(vr.VolunteerRulesError):
            PUBLIC_CALLS[which](value)

    @given(
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=5),
            lambda inner: st.lists(inner, max_size=3).map(tuple) | st.lists(inner, max_size=3),
            max_leaves=8,
        )
    )
    def test_bad_legs(self, legs: object) -> None:
        """Any nested junk as legs raises only the library's errors."""
        with contextlib.suppress(vr.VolunteerRulesError):
            LedgerTransfer(transfer_id="t", kind="give", legs=legs, at=T0)  # type: ignore[arg-type]


# ------------------------------------------------------------------ the bulk path

BULK_ACCOUNTS = ("V1", "V2", "V3", POOL, REDEEMED)


def _issuer(distinct: bool) -> str:
    """The issuer's id, as the constant or as an equal but distinct string (as a store reads it)."""
    return "".join(["@iss", "uer"]) if distinct else ISSUER


@st.composite
def bulk_batches(draw: st.DrawFn) -> list[LedgerTransfer]:
    """Batches mixing fresh transfers, retries, conflicts, reused record keys, three-leg
    transfers, reservations, time steps, and transfers breaking a floor or the cap."""
    batch: list[LedgerTransfer] = []
    when = 0
    plain = ["credit", "credit", "move", "move", "move", "move"]
    for i in range(draw(st.integers(0, 16))):
        when += draw(st.sampled_from([0, 0, 0, 1, 1, 30, -1]))
        choice = draw(st.sampled_from([*plain, "three", "reserve", "again"]))
        minutes = draw(st.sampled_from([1, 30, 60, 200]))
        a = draw(st.sampled_from(BULK_ACCOUNTS))
        b = draw(st.sampled_from([x for x in BULK_ACCOUNTS if x != a]))
        tid = f"t{i}"
        if choice == "again" and batch:
            # a retry (same content, later or earlier), or the same id with other content
            earlier = draw(st.sampled_from(batch))
            later = at(max(when, 0))
            if earlier.expires_at is not None and later >= earlier.expires_at:
                later = earlier.at
            if draw(st.booleans()):
                batch.append(attrs.evolve(earlier, at=later))
            else:
                batch.append(attrs.evolve(earlier, memo="other", at=later))
            continue
        if choice == "credit" or choice == "again":
            key = draw(st.sampled_from(["k1", "k2", tid, tid, tid]))
            legs = ((_issuer(draw(st.booleans())), -minutes), (a, minutes))
            if draw(st.booleans()):
                legs = (legs[1], legs[0])
            transfer = LedgerTransfer(
                transfer_id=tid,
                kind="credit",
                legs=legs,
                at=at(max(when, 0)),
                record_key=("org", key),
            )
        elif choice == "move":
            kind = draw(st.sampled_from(["give", "donate", "grant", "redeem", "adjust"]))
            transfer = LedgerTransfer(
                transfer_id=tid, kind=kind, legs=((a, -minutes), (b, minutes)), at=at(max(when, 0))
            )
        elif choice == "three":
            transfer = LedgerTransfer(
                transfer_id=tid,
                kind="adjust",
                legs=((_issuer(False), -2 * minutes), (a, minutes), (b, minutes)),
                at=at(max(when, 0)),
            )
        else:
            transfer = LedgerTransfer(
                transfer_id=tid,
                kind="reserve",
                legs=(("V1", -minutes), (HOLDS, minutes)),
                at=at(max(when, 0)),
                expires_at=at(max(when, 0) + draw(st.integers(1, 40))),
            )
        batch.append(transfer)
    return batch


def _outcome(
    post: Callable[[Ledger, list[LedgerTransfer]], Ledger],
    base: Ledger,
    batch: list[LedgerTransfer],
) -> tuple[Ledger | None, tuple[type, str] | None]:
    try:
        return post(base, batch), None
    except vr.VolunteerRulesError as error:
        return None, (type(error), str(error))


def _one_by_one(ledger: Ledger, batch: list[LedgerTransfer]) -> Ledger:
    for transfer in batch:
        ledger = ledger.post(transfer)[0]
    return ledger


_bulk_shapes: list[Callable[[Ledger, list[LedgerTransfer]], Ledger]] = [
    lambda ledger, batch: ledger.post_many(batch),
    lambda ledger, batch: ledger.post_many(tuple(batch)),
    lambda ledger, batch: ledger.post_many(iter(batch)),
]


def _state(ledger: Ledger) -> tuple[object, ...]:
    far = at(10**6)
    return (
        ledger.transfers(),
        list(ledger.entries()),
        ledger.stored_balances(),
        ledger.versions(),
        ledger.open_holds(now=T0),
        ledger.open_holds(now=far),
        ledger.last_at,
        [ledger.credited_by(("org", k)) for k in ("k1", "k2")],
    )


class TestBulkPath:
    @given(
        st.sampled_from([None, 700, 800]),
        st.sampled_from([0, 30]),
        st.sampled_from(["donate", "refuse"]),
        st.lists(bulk_batches(), min_size=1, max_size=3),
        st.integers(1, 6),
    )
    def test_post_many_equals_posting_one_by_one(
        self,
        cap: int | None,
        overdraft: int,
        overflow: str,
        batches: list[list[LedgerTransfer]],
        chunk: int,
    ) -> None:
        """Bulk chunks of any size post exactly what posting one at a time posts, or fail alike."""
        from unittest import mock

        import volunteer_rules.timebank.book as ledger_module

        limits = LedgerLimits(
            cap=None if cap is None else vr.Hours.from_minutes(cap),
            overdraft=vr.Hours.from_minutes(overdraft),
            overflow=overflow,
        )
        funds = [credit(f"f{v}", v, 600, when=0, key=f"f{v}") for v in ("V1", "V2", "V3")]
        funds.append(give("fpool", "V3", POOL, 300))
        bulk = single = _one_by_one(Ledger(limits=limits), funds)
        with mock.patch.object(ledger_module, "_CHUNK", chunk):
            for batch in batches:
                before = _state(bulk)
                # post_many gets a list, a tuple and a plain iterator (three chunking paths)
                shape = len(batch) % 3
                new_bulk, bulk_error = _outcome(_bulk_shapes[shape], bulk, batch)
                new_single, single_error = _outcome(_one_by_one, single, batch)
                assert bulk_error == single_error
                assert _state(bulk) == before  # the old ledger never changes
                if new_bulk is None or new_single is None:
                    assert check_ledger(bulk) == ()
                    continue
                bulk, single = new_bulk, new_single
                assert _state(bulk) == _state(single)
                assert check_ledger(bulk) == ()
