"""Checks of a ledger's invariants: what a ledger (or a store's postings) must hold, as values.

Example:
    >>> from volunteer_rules.timebank.book import Ledger
    >>> from volunteer_rules.timebank.checks import check_ledger
    >>> check_ledger(Ledger())
    ()
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules.errors import InvalidTypeError
from volunteer_rules.hours import Hours
from volunteer_rules.timebank.book import Ledger
from volunteer_rules.timebank.limits import LedgerLimits
from volunteer_rules.timebank.transfers import (
    _NOT_REVERSIBLE,
    HOLDS,
    ISSUER,
    SYSTEM_ACCOUNTS,
    LedgerTransfer,
    PostedTransfer,
)

__all__ = [
    "LedgerViolation",
    "check_ledger",
]


@masked_repr
@attrs.frozen(kw_only=True)
class LedgerViolation:
    """One broken invariant found by :func:`check_ledger`.

    Attributes:
        code: ``unbalanced``, ``duplicate_transfer``, ``duplicate_record``, ``below_floor``,
            ``above_cap``, ``dangling_reference``, ``bad_reference`` (a settlement of something
            that is not a reservation, a reversal of what cannot be reversed),
            ``double_settlement``, ``double_reversal``, ``stored_total_mismatch``,
            ``version_gap``, ``sequence_gap``, ``time_order``, ``zero_entry``, ``hold_mismatch``.
        message: one sentence.
        transfer_id: the transfer concerned, if any.
        account: the account concerned, if any.

    Example:
        >>> LedgerViolation(code="unbalanced", message="t-1 sums to 5 min", transfer_id="t-1").code
        'unbalanced'
    """

    code: str
    message: str
    transfer_id: str | None = None
    account: str | None = None


def check_ledger(
    ledger: Ledger | Iterable[PostedTransfer],
    *,
    limits: LedgerLimits | None = None,
    stored_balances: Mapping[str, Hours | int] | None = None,
) -> tuple[LedgerViolation, ...]:
    """Check every invariant of a ledger from its entries alone; return what is broken.

    Checks: every transfer sums to zero and has no zero entry; no transfer id twice; no
    service record credited twice; every ``reference`` points at an earlier transfer of the
    right kind, every transfer reversed and every reservation settled at most once; entry sequences run 0, 1, 2... and each account's
    versions 1, 2, 3...; times never go back; no account outside its limits at any point
    (floors: ``-overdraft`` for volunteers, 0 for system accounts but the issuer; cap for
    volunteers); :data:`HOLDS` equals the open holds; stored totals (the ledger's own running
    totals when given a :class:`Ledger`, and ``stored_balances`` when given) equal the entries.

    Args:
        ledger: a :class:`Ledger`, or posted transfers in order (as a store returns them).
        limits: the limits to check against (default: the ledger's own, or no cap and no
            overdraft for a plain sequence).
        stored_balances: totals a store keeps per account (``Hours`` or minutes), if any.

    Returns:
        The violations, in the order found; empty when the ledger is sound.

    Example:
        >>> check_ledger(Ledger())
        ()
        >>> check_ledger(Ledger(), stored_balances={"V1": 60})[0].code
        'stored_total_mismatch'
    """
    violations: list[LedgerViolation] = []

    def add(code: str, message: str, tid: str | None = None, account: str | None = None) -> None:
        violations.append(
            LedgerViolation(code=code, message=message, transfer_id=tid, account=account)
        )

    if isinstance(ledger, Ledger):
        postings: Iterable[PostedTransfer] = ledger.postings()
        if limits is None:
            limits = ledger.limits
        own: Mapping[str, int] | None = ledger.stored_balances()
    elif isinstance(ledger, Iterable) and not isinstance(ledger, (str, bytes, Mapping)):
        postings = ledger
        own = None
    else:
        raise InvalidTypeError("ledger", "must be a Ledger or an iterable of PostedTransfer")
    if limits is None:
        limits = LedgerLimits()
    elif not isinstance(limits, LedgerLimits):
        raise InvalidTypeError("limits", f"must be LedgerLimits, not {type(limits).__name__}")
    floor = -limits.overdraft.minutes
    cap = None if limits.cap is None else limits.cap.minutes

    balances: dict[str, int] = {}
    versions: dict[str, int] = {}
    seen: dict[str, LedgerTransfer] = {}
    settled: set[str] = set()
    credited: dict[tuple[str, str], str] = {}
    reversed_: dict[str, str] = {}
    holds: dict[str, int] = {}
    expected_seq = 0
    last_at: _dt.datetime | None = None
    for position, posted in enumerate(postings):
        if not isinstance(posted, PostedTransfer):
            raise InvalidTypeError("ledger", f"item {position} is not a PostedTransfer")
        transfer = posted.transfer
        tid = transfer.transfer_id
        if tid in seen:
            add("duplicate_transfer", f"transfer id {tid!r} appears twice", tid)
        seen[tid] = transfer
        if last_at is not None and transfer.at < last_at:
            add("time_order", f"transfer {tid!r} is earlier than the one before it", tid)
        last_at = transfer.at if last_at is None else max(last_at, transfer.at)
        if transfer.record_key is not None:
            if transfer.record_key in credited:
                add(
                    "duplicate_record",
                    f"record {transfer.record_key} credited by {credited[transfer.record_key]!r} "
                    f"and {tid!r}",
                    tid,
                )
            else:
                credited[transfer.record_key] = tid
        reference = transfer.reference
        if reference is not None:
            if reference not in seen or reference == tid:
                add("dangling_reference", f"{tid!r} refers to missing transfer {reference!r}", tid)
            elif transfer.kind == "reverse":
                if seen[reference].kind in _NOT_REVERSIBLE:
                    add("bad_reference", f"{tid!r} reverses a {seen[reference].kind}", tid)
                if reference in reversed_:
                    add("double_reversal", f"{reference!r} reversed twice", tid)
                reversed_[reference] = tid
            elif seen[reference].kind != "reserve":
                add("bad_reference", f"{tid!r} settles {reference!r}, not a reservation", tid)
            else:
                if reference in settled:
                    add("double_settlement", f"reservation {reference!r} settled twice", tid)
                settled.add(reference)
        total = 0
        for entry in posted.entries:
            if entry.sequence != expected_seq:
                add(
                    "sequence_gap", f"entry {entry.sequence} where {expected_seq} was expected", tid
                )
            expected_seq = entry.sequence + 1
            if entry.transfer_id != tid:
                add("unbalanced", f"entry {entry.sequence} names another transfer", tid)
            if entry.minutes == 0:
                add("zero_entry", f"entry {entry.sequence} moves nothing", tid, entry.account)
            total += entry.minutes
            account = entry.account
            version = versions.get(account, 0) + 1
            if entry.version != version:
                add(
                    "version_gap",
                    f"{account} version {entry.version}, expected {version}",
                    tid,
                    account,
                )
            versions[account] = version
            balances[account] = balances.get(account, 0) + entry.minutes
        if total != 0:
            add("unbalanced", f"transfer {tid!r} sums to {total} minutes", tid)
        legs = tuple((e.account, e.minutes) for e in posted.entries[: len(transfer.legs)])
        if legs != transfer.legs:
            add("unbalanced", f"transfer {tid!r}: entries differ from its legs", tid)
        if transfer.kind == "reserve":
            holds[tid] = dict(transfer.legs).get(HOLDS, 0)
        elif transfer.kind in ("post", "void", "expire") and reference is not None:
            holds.pop(reference, None)
        for account in {e.account for e in posted.entries}:
            balance = balances[account]
            if account in SYSTEM_ACCOUNTS:
                if account != ISSUER and balance < 0:
                    add(
                        "below_floor", f"{account} at {balance} minutes after {tid!r}", tid, account
                    )
            else:
                if balance < floor:
                    add(
                        "below_floor", f"{account} at {balance} minutes after {tid!r}", tid, account
                    )
                if cap is not None and balance > cap:
                    add("above_cap", f"{account} at {balance} minutes after {tid!r}", tid, account)
    if balances.get(HOLDS, 0) != sum(holds.values()):
        add("hold_mismatch", "@holds does not equal the open reservations", None, HOLDS)
    for name, stored in (("ledger", own), ("store", stored_balances)):
        if stored is None:
            continue
        if not isinstance(stored, Mapping):
            raise InvalidTypeError(
                "stored_balances", "must be a mapping of account to Hours or int"
            )
        for account in sorted(set(stored) | set(balances), key=str):
            value = stored.get(account, 0)
            minutes = value.minutes if isinstance(value, Hours) else value
            if type(minutes) is not int:
                raise InvalidTypeError("stored_balances", "values must be Hours or int minutes")
            if minutes != balances.get(account, 0):
                add(
                    "stored_total_mismatch",
                    f"{name} total of {account} is {minutes} minutes, entries sum to "
                    f"{balances.get(account, 0)}",
                    None,
                    str(account),
                )
    return tuple(violations)
