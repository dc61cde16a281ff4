"""Batches and statements under random sequences of transfers.

A batch (``post_many``) is all or nothing, whichever of its transfers is refused and wherever
it stands, and the error names that transfer; a batch of transfers that post one by one gives
the same entries; a replay gives the same balances; statements agree with the balances over
any split of time; every total is re-derived from the entries.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import volunteer_rules as vr
from volunteer_rules.errors import VolunteerRulesError
from volunteer_rules.timebank.ledger import (
    HOLDS,
    ISSUER,
    POOL,
    REDEEMED,
    Ledger,
    LedgerLimits,
    LedgerTransfer,
    check_ledger,
)

T0 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
VOLUNTEERS = ("V1", "V2", "V3")
SIMPLE = {"give", "donate", "grant", "redeem"}


def credit(tid: str, who: str, minutes: int, at: dt.datetime = T0) -> LedgerTransfer:
    return LedgerTransfer(
        transfer_id=tid,
        kind="credit",
        legs=((ISSUER, -minutes), (who, minutes)),
        at=at,
        record_key=("org", tid),
    )


@pytest.mark.parametrize("bad_at", [0, 2, 4])
def test_a_refused_transfer_is_named_and_the_batch_posts_nothing(bad_at: int) -> None:
    """The error of a refused batch says which transfer broke the floor; nothing is posted."""
    batch = [credit(f"c-{i}", "V1", 60, T0 + dt.timedelta(minutes=i)) for i in range(5)]
    batch[bad_at] = LedgerTransfer(
        transfer_id="spend",
        kind="redeem",
        legs=(("V2", -30), (REDEEMED, 30)),
        at=batch[bad_at].at,
    )
    ledger = Ledger().post(credit("c-x", "V3", 10))[0]
    with pytest.raises(vr.InsufficientHoursError) as caught:
        ledger.post_many(batch)
    assert str(caught.value) == "V2: 30 min requested but only 0 h available (transfer 'spend')"
    assert len(ledger) == 1 and ledger.balances() == {ISSUER: vr.Hours(-10), "V3": vr.Hours(10)}
    assert all(t.transfer_id not in ledger for t in batch)


def test_a_refusal_above_the_cap_names_the_transfer_and_the_cap() -> None:
    ledger = Ledger(limits=LedgerLimits(cap=vr.Hours.from_hours(1), overflow="refuse"))
    with pytest.raises(vr.InvalidValueError) as caught:
        ledger.post_many([credit("c-1", "V1", 30), credit("c-2", "V1", 31)])
    assert (
        str(caught.value) == "cap: V1 would hold 1 h 1 min, above the cap of 1 h (transfer 'c-2')"
    )
    assert len(ledger) == 0


@st.composite
def sequences(draw: Any) -> list[LedgerTransfer]:
    """Transfers of every kind a caller posts, in time order, some bound to be refused: spends
    above the balance, settlements of closed holds, reversals of reversed transfers, retries
    and retries with other content."""
    out: list[LedgerTransfer] = []
    at = T0
    for i in range(draw(st.integers(1, 20))):
        at += dt.timedelta(minutes=draw(st.integers(0, 600)))
        kind = draw(
            st.sampled_from([*sorted(SIMPLE), "credit", "reserve", "settle", "reverse", "retry"])
        )
        minutes = draw(st.integers(1, 200))
        a, b = draw(st.sampled_from(VOLUNTEERS)), draw(st.sampled_from(VOLUNTEERS))
        tid = f"t{i}"
        reservations = [t for t in out if t.kind == "reserve"]
        reversible = [t for t in out if t.kind in SIMPLE | {"credit"}]
        if kind == "credit":
            out.append(credit(tid, a, minutes, at))
        elif kind in SIMPLE and not (kind == "give" and a == b):
            source, target = {
                "give": (a, b),
                "donate": (a, POOL),
                "grant": (POOL, a),
                "redeem": (a, REDEEMED),
            }[kind]
            legs = ((source, -minutes), (target, minutes))
            out.append(LedgerTransfer(transfer_id=tid, kind=kind, legs=legs, at=at))
        elif kind == "reserve":
            ttl = dt.timedelta(minutes=draw(st.integers(1, 900)))
            legs = ((a, -minutes), (HOLDS, minutes))
            out.append(
                LedgerTransfer(
                    transfer_id=tid, kind="reserve", legs=legs, at=at, expires_at=at + ttl
                )
            )
        elif kind == "settle" and reservations:
            held = draw(st.sampled_from(reservations))
            (account, taken), _ = held.legs
            to = draw(st.sampled_from([REDEEMED, account]))
            out.append(
                LedgerTransfer(
                    transfer_id=tid,
                    kind="post" if to == REDEEMED else "void",
                    legs=((HOLDS, taken), (to, -taken)),
                    at=at,
                    reference=held.transfer_id,
                )
            )
        elif kind == "reverse" and reversible:
            done = draw(st.sampled_from(reversible))
            undo = tuple((account, -m) for account, m in done.legs)
            out.append(
                LedgerTransfer(
                    transfer_id=tid, kind="reverse", legs=undo, at=at, reference=done.transfer_id
                )
            )
        elif kind == "retry" and out:
            again = draw(st.sampled_from(out))
            memo = draw(st.sampled_from(["", "other content"]))
            if again.expires_at is None or again.expires_at > at:
                out.append(attrs.evolve(again, at=max(at, again.at), memo=memo))
    return out


LIMITS = st.builds(
    LedgerLimits,
    overdraft=st.sampled_from([vr.Hours.ZERO, vr.Hours.from_minutes(30)]),
    cap=st.sampled_from([None, vr.Hours.from_minutes(120), vr.Hours.from_minutes(300)]),
    overflow=st.sampled_from(["donate", "refuse"]),
)


def one_by_one(ledger: Ledger, transfers: list[LedgerTransfer]) -> tuple[Ledger, list[Any]]:
    """Post each transfer alone, leaving out the refused: what a careful caller gets."""
    posted = []
    for transfer in transfers:
        try:
            ledger = ledger.post(transfer)[0]
        except VolunteerRulesError:
            continue
        posted.append(transfer)
    return ledger, posted


def entries(ledger: Ledger) -> list[Any]:
    return [p.entries for p in ledger.postings()]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(transfers=sequences(), more=sequences(), limits=LIMITS, split=st.integers(0, 40))
def test_batches_are_atomic_and_totals_come_from_the_entries(
    transfers: list[LedgerTransfer], more: list[LedgerTransfer], limits: LedgerLimits, split: int
) -> None:
    ledger, posted = one_by_one(Ledger(limits=limits), transfers)
    assert check_ledger(ledger) == ()
    # the accepted transfers as one batch, and a replay, give the same entries
    assert entries(Ledger(limits=limits).post_many(posted)) == entries(ledger)
    assert Ledger.from_transfers(ledger.transfers(), limits=limits).balances() == ledger.balances()
    # a batch on the newest ledger: all of it or nothing of it, and the ledger stays usable
    shift = (ledger.last_at or T0) - T0 + dt.timedelta(minutes=1)
    renamed = [_renamed(t, shift) for t in more]
    before = entries(ledger)
    try:
        batch: Ledger | None = ledger.post_many(renamed)
    except VolunteerRulesError:
        batch = None
    assert entries(ledger) == before
    assert all(t.transfer_id not in ledger for t in renamed)
    after, posted_after = one_by_one(ledger, renamed)
    if batch is not None:
        assert entries(batch) == entries(after)
    assert entries(after) == entries(one_by_one(Ledger(limits=limits), posted + posted_after)[0])
    # every total is the sum of the entries; statements agree at any split of time
    sums: dict[str, int] = {}
    for entry in after.entries():
        sums[entry.account] = sums.get(entry.account, 0) + entry.minutes
    assert sums == {a: h.minutes for a, h in after.balances().items()}
    times = [t.at for t in after.transfers()] or [T0]
    middle = times[min(split, len(times) - 1)]
    for account in sums:
        whole = vr.statement(after, account)
        early = vr.statement(after, account, end=middle)
        late = vr.statement(after, account, start=middle)
        assert whole.closing == late.closing == after.balance(account)
        assert early.closing == late.opening
        assert sum(line.minutes for line in whole.lines) == whole.closing.minutes
        assert len(early.lines) + len(late.lines) == len(whole.lines)


def _renamed(transfer: LedgerTransfer, shift: dt.timedelta) -> LedgerTransfer:
    def new(value: str | None) -> str | None:
        return None if value is None else f"m{value}"

    return attrs.evolve(
        transfer,
        transfer_id=f"m{transfer.transfer_id}",
        at=transfer.at + shift,
        expires_at=None if transfer.expires_at is None else transfer.expires_at + shift,
        reference=new(transfer.reference),
        record_key=None if transfer.record_key is None else ("org", f"m{transfer.record_key[1]}"),
    )
