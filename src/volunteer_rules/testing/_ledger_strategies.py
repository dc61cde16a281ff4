"""Hypothesis strategies for the time bank ledger.

Re-exported by :mod:`volunteer_rules.testing.strategies`; import them from there.

Example:
    >>> from volunteer_rules.testing.strategies import ledgers
    >>> from volunteer_rules import check_ledger
    >>> check_ledger(ledgers().example()) == ()  # doctest: +SKIP
    True
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from hypothesis import strategies as st

from volunteer_rules.errors import ConflictError, InvalidValueError
from volunteer_rules.hours import Hours, InsufficientHoursError
from volunteer_rules.timebank.ledger import (
    HOLDS,
    ISSUER,
    POOL,
    REDEEMED,
    Ledger,
    LedgerLimits,
    LedgerTransfer,
)

__all__ = ["ledger_limits", "ledger_transfers", "ledgers", "volunteer_accounts"]

_START = _dt.datetime(2024, 1, 1, tzinfo=_dt.timezone(_dt.timedelta(hours=8)))


def volunteer_accounts(*, max_size: int = 4) -> st.SearchStrategy[str]:
    """Volunteer account ids from a small pool (``V0``, ``V1``...), so operations collide.

    Example:
        >>> volunteer_accounts(max_size=2).example() in ("V0", "V1")  # doctest: +SKIP
        True
    """
    return st.sampled_from([f"V{i}" for i in range(max(1, max_size))])


def ledger_limits(*, max_cap_minutes: int = 600) -> st.SearchStrategy[LedgerLimits]:
    """Limits: no overdraft or a small one; no cap, or a cap up to ``max_cap_minutes``.

    A cap is sometimes dated (``cap_from``, ``cap_until``: a rule in force on some days
    only), with its first or last day among the first days of the ledgers :func:`ledgers`
    draws, so that transfers fall on both sides of it.

    Example:
        >>> isinstance(ledger_limits().example(), LedgerLimits)  # doctest: +SKIP
        True
    """
    return _limits(max_cap_minutes)


@st.composite
def _limits(draw: Any, max_cap_minutes: int) -> LedgerLimits:
    cap = draw(st.one_of(st.none(), st.integers(1, max_cap_minutes).map(Hours.from_minutes)))
    cap_from = cap_until = None
    if cap is not None and draw(st.booleans()):
        first = _START.date()
        cap_from = draw(
            st.none() | st.dates(first - _dt.timedelta(days=1), first + _dt.timedelta(days=2))
        )
        low = cap_from or first - _dt.timedelta(days=1)
        cap_until = draw(st.none() | st.dates(low, first + _dt.timedelta(days=3)))
    return LedgerLimits(
        overdraft=draw(st.one_of(st.just(Hours.ZERO), st.integers(1, 120).map(Hours.from_minutes))),
        cap=cap,
        overflow=draw(st.sampled_from(["donate", "refuse"])),
        cap_from=cap_from,
        cap_until=cap_until,
    )


@st.composite
def _transfer(draw: Any, index: int, at: _dt.datetime, accounts: st.SearchStrategy[str]) -> Any:
    kind = draw(st.sampled_from(["credit", "give", "donate", "grant", "redeem"]))
    minutes = draw(st.integers(1, 240))
    a = draw(accounts)
    if kind == "credit":
        return LedgerTransfer(
            transfer_id=f"t{index}",
            kind="credit",
            legs=((ISSUER, -minutes), (a, minutes)),
            at=at,
            record_key=("org", f"r{index}"),
        )
    if kind == "give":
        b = draw(accounts.filter(lambda x: x != a))
        legs = ((a, -minutes), (b, minutes))
    elif kind == "donate":
        legs = ((a, -minutes), (POOL, minutes))
    elif kind == "grant":
        legs = ((POOL, -minutes), (a, minutes))
    else:
        legs = ((a, -minutes), (REDEEMED, minutes))
    return LedgerTransfer(transfer_id=f"t{index}", kind=kind, legs=legs, at=at)


def ledger_transfers(
    *, index: int = 0, at: _dt.datetime = _START, accounts: st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[LedgerTransfer]:
    """Valid transfers (credit, give, donate, grant, redeem) with id ``t<index>``.

    A ledger may still refuse one (not enough hours): the transfer itself is well formed.

    Example:
        >>> ledger_transfers(index=3).example().transfer_id  # doctest: +SKIP
        't3'
    """
    return _transfer(index, at, accounts or volunteer_accounts())


@st.composite
def _ledgers(draw: Any, limits: st.SearchStrategy[LedgerLimits], max_transfers: int) -> Ledger:
    ledger = Ledger(limits=draw(limits))
    count = draw(st.integers(0, max_transfers))
    at = _START
    for index in range(count):
        at = at + _dt.timedelta(minutes=draw(st.integers(0, 90)))
        if draw(st.integers(0, 7)) == 0:  # the next day: a ledger spans several
            at = at + _dt.timedelta(days=1)
        if draw(st.integers(0, 9)) == 0:
            account = draw(volunteer_accounts())
            minutes = draw(st.integers(1, 60))
            transfer = LedgerTransfer(
                transfer_id=f"h{index}",
                kind="reserve",
                legs=((account, -minutes), (HOLDS, minutes)),
                at=at,
                expires_at=at + _dt.timedelta(minutes=draw(st.integers(1, 120))),
            )
        else:
            transfer = draw(ledger_transfers(index=index, at=at))
        try:
            ledger = ledger.post(transfer)[0]
        except (InsufficientHoursError, ConflictError, InvalidValueError):
            continue
    return ledger


def ledgers(
    *, limits: st.SearchStrategy[LedgerLimits] | None = None, max_transfers: int = 30
) -> st.SearchStrategy[Ledger]:
    """Sound ledgers built by posting random operations (refused ones are skipped).

    Example:
        >>> len(ledgers(max_transfers=5).example()) <= 5 * 2  # doctest: +SKIP
        True
    """
    return _ledgers(limits or ledger_limits(), max_transfers)
