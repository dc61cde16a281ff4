"""The time bank ledger (时间银行): double entry in exact minutes, append-only, idempotent.

The ledger is a *value*. :class:`Ledger` never changes; :meth:`Ledger.post` and
:meth:`Ledger.post_many` return a new ledger with the new transfers appended. Balances are never
stored apart from their entries: the ledger keeps a running total per account as a cache of its
entries, and :func:`check_ledger` recomputes everything from the entries alone (the drift of
TimeOverflow #845 cannot go unnoticed).

The data model:

* An **account** is a string: a volunteer's id (one account per volunteer), or one of the
  system accounts :data:`ISSUER` (where service credits come from; its balance is minus the
  hours ever credited), :data:`POOL` (the donation pool, 捐赠), :data:`REDEEMED` (hours spent
  on services), :data:`HOLDS` (hours reserved for a booked service). Ids starting with ``@``
  are reserved for system accounts.
* A :class:`LedgerTransfer` is what a caller asks for: a caller-chosen id, a kind, legs
  ``(account, minutes)`` that sum to zero, and a time. Its id is an idempotency key: posting
  the same id with the same content again changes nothing and returns the original posting
  (the time ``at`` is not part of the content: a retry happens later); the same id with other
  content raises :class:`~volunteer_rules.ConflictError`.
* A :class:`PostedTransfer` is a transfer as the ledger booked it: its position and its
  :class:`LedgerEntry` rows (one per leg, then the overflow legs, if the cap sent hours to
  the pool).
* A :class:`LedgerEntry` is one row of the append-only log: ``(sequence, transfer_id, account,
  minutes, version, at)``. ``version`` is the account's version after the entry (1 for the
  account's first entry): a store appends a batch only if every account is still at the
  version the batch was computed from (optimistic concurrency).

Limits (:class:`LedgerLimits`) are enforced when posting, never merely flagged:

* a volunteer's balance may not go below ``-overdraft`` (inclusive: exactly ``-overdraft`` is
  allowed); the system accounts other than :data:`ISSUER` may not go below zero. Breaking a
  floor raises :class:`~volunteer_rules.InsufficientHoursError` and posts nothing;
* a volunteer's balance may not go above ``cap`` (inclusive: exactly ``cap`` is allowed). With
  ``overflow="donate"`` (Nanjing [NJ]) the excess of a transfer goes to :data:`POOL` as extra
  legs of the same transfer; with ``overflow="refuse"`` the transfer is refused
  (:class:`~volunteer_rules.InvalidValueError` with ``what="cap"``). The cap is a time bank's
  dated rule: it holds only transfers whose ``at`` falls, by its local date, from
  ``cap_from`` to ``cap_until`` (a policy's limits carry the policy's days). The floor is not
  dated; an overdraft above zero is the platform's own configuration.

Reservations are holds: a ``reserve`` transfer moves hours from the volunteer to :data:`HOLDS`
(so reserved hours are not available), a ``post`` moves them on to :data:`REDEEMED`, a ``void``
returns them. A hold is open while ``now < expires_at``; at ``expires_at`` and after it has
expired: the next transfer posted at or after that time first posts an ``expire`` transfer (id
``<reserve id>~expired``) that returns the hours, and :meth:`Ledger.available` already counts
them as available. Transfers are posted in time order: a transfer's ``at`` may not be earlier
than the ledger's last one.

Corrections are reversing transfers (kind ``reverse``, ``reference`` = the corrected transfer):
nothing is edited or deleted. A transfer is reversed at most once (a second reversal with
another id is a conflict); a reversal cannot itself be reversed (post the operation again
instead); ``reserve``, ``void`` and ``expire`` are not reversed (void the reservation instead).

Speed: :meth:`Ledger.post_many` is the bulk path (see ``docs/time-bank.md``, "Speed", and
``benchmarks/bench_ledger.py``).

Example:
    >>> from datetime import datetime, timezone
    >>> from volunteer_rules.timebank.ledger import ISSUER, Ledger, LedgerTransfer
    >>> at = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)
    >>> credit = LedgerTransfer(
    ...     transfer_id="t-1", kind="credit", legs=((ISSUER, -120), ("V1", 120)), at=at,
    ...     record_key=("org", "r-1"),
    ... )
    >>> ledger, posted = Ledger().post(credit)
    >>> ledger.balance("V1"), [(e.account, e.minutes, e.version) for e in posted.entries]
    (Hours(minutes=120), [('@issuer', -120, 1), ('V1', 120, 1)])
    >>> ledger.post(credit)[1] == posted  # a retry is a no-op
    True
"""

from __future__ import annotations

from volunteer_rules.timebank.book import Ledger
from volunteer_rules.timebank.checks import LedgerViolation, check_ledger
from volunteer_rules.timebank.limits import LedgerLimits
from volunteer_rules.timebank.transfers import (
    HOLDS,
    ISSUER,
    KINDS,
    POOL,
    REDEEMED,
    SYSTEM_ACCOUNTS,
    LedgerEntry,
    LedgerTransfer,
    PostedTransfer,
)

__all__ = [
    "HOLDS",
    "ISSUER",
    "KINDS",
    "POOL",
    "REDEEMED",
    "SYSTEM_ACCOUNTS",
    "Ledger",
    "LedgerEntry",
    "LedgerLimits",
    "LedgerTransfer",
    "LedgerViolation",
    "PostedTransfer",
    "check_ledger",
]
