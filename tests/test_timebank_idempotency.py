"""Every time bank operation keeps the ledger's idempotency: an id holds one operation.

The same call again with the same id returns the original posting and changes nothing; the
same id with another operation, or the same operation with other content, is a
``ConflictError`` that changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import volunteer_rules as vr
from volunteer_rules.timebank.ledger import Ledger, check_ledger
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

CST = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2023, 3, 1, 9, tzinfo=CST)
NOW = T0 + dt.timedelta(days=400)
POLICY = attrs.evolve(get_time_bank_policy("generic"), credit_validity_days=365)
# The one id every operation below uses; expire_credits makes exactly this id for V1 at NOW.
TID = f"credit-expiry:V1:{NOW.isoformat()}"


def base() -> Ledger:
    """V1 holds 10 h credited long ago (they expire at NOW), V2 holds 10 h and two holds."""
    ledger = Ledger()
    for who in ("V1", "V2"):
        ledger = credit_hours(
            ledger,
            transfer_id=f"c-{who}",
            volunteer_id=who,
            hours=vr.Hours.from_hours(10),
            now=T0,
            policy=POLICY,
        ).ledger
    recent = NOW - dt.timedelta(days=1)
    ledger = credit_hours(
        ledger,
        transfer_id="c-V2-recent",
        volunteer_id="V2",
        hours=vr.Hours.from_hours(10),
        now=recent,
        policy=POLICY,
    ).ledger
    ledger = donate(
        ledger,
        transfer_id="d-0",
        volunteer_id="V2",
        hours=vr.Hours.from_hours(2),
        now=recent,
        policy=POLICY,
    ).ledger
    for rid in ("b-0", "b-1"):
        ledger = reserve(
            ledger,
            transfer_id=rid,
            volunteer_id="V2",
            service_id="home_visit",
            now=recent,
            expires_at=NOW + dt.timedelta(days=3),
            policy=POLICY,
        ).ledger
    return ledger


BASE = base()


def _expire(ledger: Ledger, variant: int) -> Ledger:
    return expire_credits(ledger, now=NOW, policy=POLICY).ledger


# Each operation is called with the id TID and a variant (0 or 1) that changes its content.
OPERATIONS: dict[str, Callable[[Ledger, int], Ledger]] = {
    "credit": lambda ledger, v: (
        credit_hours(
            ledger,
            transfer_id=TID,
            volunteer_id="V3",
            hours=vr.Hours.from_minutes(30 + v),
            now=NOW,
            policy=POLICY,
        ).ledger
    ),
    "give": lambda ledger, v: (
        give(
            ledger,
            transfer_id=TID,
            from_volunteer="V2",
            to_volunteer="V3",
            hours=vr.Hours.from_minutes(40 + v),
            relation="friend",
            now=NOW,
            policy=POLICY,
        ).ledger
    ),
    "donate": lambda ledger, v: (
        donate(
            ledger,
            transfer_id=TID,
            volunteer_id="V2",
            hours=vr.Hours.from_minutes(50 + v),
            now=NOW,
            policy=POLICY,
        ).ledger
    ),
    "grant": lambda ledger, v: (
        grant(
            ledger,
            transfer_id=TID,
            volunteer_id="V3",
            hours=vr.Hours.from_minutes(20),
            now=NOW,
            memo=f"grant {v}",
        ).ledger
    ),
    "redeem": lambda ledger, v: (
        redeem(
            ledger,
            transfer_id=TID,
            volunteer_id="V2",
            service_id="home_visit",
            quantity=1 + v,
            now=NOW,
            policy=POLICY,
        ).ledger
    ),
    "reserve": lambda ledger, v: (
        reserve(
            ledger,
            transfer_id=TID,
            volunteer_id="V2",
            service_id="meal_delivery",
            now=NOW,
            expires_at=NOW + dt.timedelta(hours=1 + v),
            policy=POLICY,
        ).ledger
    ),
    "settle": lambda ledger, v: (
        settle(ledger, transfer_id=TID, reservation_id=f"b-{v}", now=NOW).ledger
    ),
    "void": lambda ledger, v: (
        void(ledger, transfer_id=TID, reservation_id=f"b-{v}", now=NOW).ledger
    ),
    "reverse": lambda ledger, v: (
        reverse(ledger, transfer_id=TID, reference=("c-V2-recent", "d-0")[v], now=NOW).ledger
    ),
    "expire": _expire,
}
# expire_credits has no variant: its content is decided by the ledger
VARIANTS = {name: (0,) if name == "expire" else (0, 1) for name in OPERATIONS}
CALLS = [(name, v) for name in OPERATIONS for v in VARIANTS[name]]


@given(first=st.sampled_from(CALLS), second=st.sampled_from(CALLS))
def test_a_reused_id_holds_one_operation(first: tuple[str, int], second: tuple[str, int]) -> None:
    ledger = OPERATIONS[first[0]](BASE, first[1])
    assert TID in ledger
    posted = ledger.transfer(TID)
    if first == second:
        again = OPERATIONS[second[0]](ledger, second[1])
        assert len(again) == len(ledger)
        assert again.transfer(TID) == posted
    else:
        with pytest.raises(vr.ConflictError):
            OPERATIONS[second[0]](ledger, second[1])
    assert check_ledger(ledger) == ()
    assert ledger.transfer(TID) == posted


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_every_operation_is_covered(name: str) -> None:
    ledger = OPERATIONS[name](BASE, 0)
    assert len(ledger) > len(BASE)


def test_settle_with_the_id_of_a_credit_is_a_conflict() -> None:
    # the reported case: c-V1 is a credit, and b-0 must stay open
    with pytest.raises(vr.ConflictError, match="c-V1"):
        settle(BASE, transfer_id="c-V1", reservation_id="b-0", now=NOW)
    assert "b-0" in BASE.open_holds(now=NOW)


def test_reverse_with_the_id_of_another_reversal_is_a_conflict() -> None:
    ledger = reverse(BASE, transfer_id="fix-1", reference="d-0", now=NOW).ledger
    with pytest.raises(vr.ConflictError):
        reverse(ledger, transfer_id="fix-1", reference="c-V2-recent", now=NOW)
    with pytest.raises(vr.ConflictError):
        reverse(ledger, transfer_id="c-V1", reference="c-V2-recent", now=NOW)
    assert ledger.reversed_by("c-V2-recent") is None
    assert reverse(ledger, transfer_id="fix-1", reference="d-0", now=NOW).ledger is ledger
