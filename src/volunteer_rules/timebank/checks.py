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

    Checks: every transfer sums to zero and has no zero entry; no transfer id twice; no service
    record credited twice; every ``reference`` points at an earlier transfer of the right kind,
    every transfer reversed and every reservation settled at most once; entry sequences run 0, 1,
    2... and each account's versions 1, 2, 3...; times never go back; no account outside its limits
    at any point (floors: ``-overdraft`` for volunteers, 0 for system accounts but the issuer; cap
    for volunteers); :data:`HOLDS` equals the open holds; stored totals (the ledger's own running
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
    postings, limits, own = _what_to_check(ledger, limits)
    walk = _Walk(limits)
    for position, posted in enumerate(postings):
        if not isinstance(posted, PostedTransfer):
            raise InvalidTypeError("ledger", f"item {position} is not a PostedTransfer")
        walk.transfer(posted)
    walk.holds_match()
    for name, stored in (("ledger", own), ("store", stored_balances)):
        if stored is not None:
            walk.totals_match(name, stored)
    return tuple(walk.violations)


def _what_to_check(
    ledger: object, limits: object
) -> tuple[Iterable[PostedTransfer], LedgerLimits, Mapping[str, int] | None]:
    """The postings to walk, the limits to hold them to, and the ledger's own totals."""
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
    return postings, limits, own


class _Walk:
    """One walk over a ledger's postings in order: what the entries say so far, and what is broken."""

    def __init__(self, limits: LedgerLimits) -> None:
        self.floor = -limits.overdraft.minutes
        self.limits = limits
        self.violations: list[LedgerViolation] = []
        self.balances: dict[str, int] = {}
        self.versions: dict[str, int] = {}
        self.seen: dict[str, LedgerTransfer] = {}
        self.settled: set[str] = set()
        self.credited: dict[tuple[str, str], str] = {}
        self.reversed_: dict[str, str] = {}
        self.holds: dict[str, int] = {}
        self.expected_seq = 0
        self.last_at: _dt.datetime | None = None

    def add(
        self, code: str, message: str, tid: str | None = None, account: str | None = None
    ) -> None:
        self.violations.append(
            LedgerViolation(code=code, message=message, transfer_id=tid, account=account)
        )

    def transfer(self, posted: PostedTransfer) -> None:
        """Every check of one posted transfer, in the order its violations are reported."""
        transfer = posted.transfer
        tid = transfer.transfer_id
        self.once(transfer, tid)
        self.reference(transfer, tid)
        self.entries(posted, tid)
        if transfer.kind == "reserve":
            self.holds[tid] = dict(transfer.legs).get(HOLDS, 0)
        elif transfer.kind in ("post", "void", "expire") and transfer.reference is not None:
            self.holds.pop(transfer.reference, None)
        self.within_limits(posted, tid)

    def once(self, transfer: LedgerTransfer, tid: str) -> None:
        """The id is new, time does not go back, and a service record is credited once."""
        if tid in self.seen:
            self.add("duplicate_transfer", f"transfer id {tid!r} appears twice", tid)
        self.seen[tid] = transfer
        last_at = self.last_at
        if last_at is not None and transfer.at < last_at:
            self.add("time_order", f"transfer {tid!r} is earlier than the one before it", tid)
        self.last_at = transfer.at if last_at is None else max(last_at, transfer.at)
        key = transfer.record_key
        if key is not None:
            if key in self.credited:
                self.add(
                    "duplicate_record",
                    f"record {key} credited by {self.credited[key]!r} and {tid!r}",
                    tid,
                )
            else:
                self.credited[key] = tid

    def reference(self, transfer: LedgerTransfer, tid: str) -> None:
        """A reference points at an earlier transfer of the right kind, settled or reversed once."""
        reference = transfer.reference
        if reference is None:
            return
        seen = self.seen
        if reference not in seen or reference == tid:
            self.add("dangling_reference", f"{tid!r} refers to missing transfer {reference!r}", tid)
        elif transfer.kind == "reverse":
            if seen[reference].kind in _NOT_REVERSIBLE:
                self.add("bad_reference", f"{tid!r} reverses a {seen[reference].kind}", tid)
            if reference in self.reversed_:
                self.add("double_reversal", f"{reference!r} reversed twice", tid)
            self.reversed_[reference] = tid
        elif seen[reference].kind != "reserve":
            self.add("bad_reference", f"{tid!r} settles {reference!r}, not a reservation", tid)
        else:
            if reference in self.settled:
                self.add("double_settlement", f"reservation {reference!r} settled twice", tid)
            self.settled.add(reference)

    def entries(self, posted: PostedTransfer, tid: str) -> None:
        """Sequences and versions run on, no zero entry, and the entries are the legs, summing to 0."""
        total = 0
        for entry in posted.entries:
            if entry.sequence != self.expected_seq:
                self.add(
                    "sequence_gap",
                    f"entry {entry.sequence} where {self.expected_seq} was expected",
                    tid,
                )
            self.expected_seq = entry.sequence + 1
            if entry.transfer_id != tid:
                self.add("unbalanced", f"entry {entry.sequence} names another transfer", tid)
            if entry.minutes == 0:
                self.add("zero_entry", f"entry {entry.sequence} moves nothing", tid, entry.account)
            total += entry.minutes
            account = entry.account
            version = self.versions.get(account, 0) + 1
            if entry.version != version:
                self.add(
                    "version_gap",
                    f"{account} version {entry.version}, expected {version}",
                    tid,
                    account,
                )
            self.versions[account] = version
            self.balances[account] = self.balances.get(account, 0) + entry.minutes
        if total != 0:
            self.add("unbalanced", f"transfer {tid!r} sums to {total} minutes", tid)
        transfer = posted.transfer
        legs = tuple((e.account, e.minutes) for e in posted.entries[: len(transfer.legs)])
        if legs != transfer.legs:
            self.add("unbalanced", f"transfer {tid!r}: entries differ from its legs", tid)

    def within_limits(self, posted: PostedTransfer, tid: str) -> None:
        """Every account the transfer touched is within its floor, and a volunteer's cap.

        The cap is the one in force on the local date of the transfer's ``at``; a balance above
        it that the transfer did not raise (hours from days without the cap) is kept.
        """
        limits = self.limits
        cap_hours = limits.cap_on(posted.transfer.at.date())
        net: dict[str, int] = {}
        for entry in posted.entries:
            net[entry.account] = net.get(entry.account, 0) + entry.minutes
        for account in net:
            balance = self.balances[account]
            message = f"{account} at {balance} minutes after {tid!r}"
            if account in SYSTEM_ACCOUNTS:
                if account != ISSUER and balance < 0:
                    self.add("below_floor", message, tid, account)
            else:
                if balance < self.floor:
                    self.add("below_floor", message, tid, account)
                if cap_hours is not None and balance > cap_hours.minutes and net[account] > 0:
                    self.add("above_cap", f"{message}, above the cap of {cap_hours}", tid, account)

    def holds_match(self) -> None:
        """:data:`HOLDS` equals the open reservations."""
        if self.balances.get(HOLDS, 0) != sum(self.holds.values()):
            self.add("hold_mismatch", "@holds does not equal the open reservations", None, HOLDS)

    def totals_match(self, name: str, stored: object) -> None:
        """Stored totals (``name``: the ledger's own or a store's) equal the entries' sums."""
        if not isinstance(stored, Mapping):
            raise InvalidTypeError(
                "stored_balances", "must be a mapping of account to Hours or int"
            )
        balances = self.balances
        for account in sorted(set(stored) | set(balances), key=str):
            value = stored.get(account, 0)
            minutes = value.minutes if isinstance(value, Hours) else value
            if type(minutes) is not int:
                raise InvalidTypeError("stored_balances", "values must be Hours or int minutes")
            if minutes != balances.get(account, 0):
                self.add(
                    "stored_total_mismatch",
                    f"{name} total of {account} is {minutes} minutes, entries sum to "
                    f"{balances.get(account, 0)}",
                    None,
                    str(account),
                )
