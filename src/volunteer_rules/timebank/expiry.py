"""Expiry of credits: hours older than the policy's validity taken back, first in first out.

Example:
    >>> from volunteer_rules.timebank.expiry import expire_credits
    >>> callable(expire_credits)
    True
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules.hours import Hours
from volunteer_rules.timebank._operation import (
    check_ledger_arg,
    check_now,
    check_policy,
    out_of_force,
)
from volunteer_rules.timebank.ledger import (
    ISSUER,
    SYSTEM_ACCOUNTS,
    Ledger,
    LedgerTransfer,
)
from volunteer_rules.timebank.policy import TimeBankPolicy
from volunteer_rules.timebank.results import PolicyViolation

__all__ = [
    "ExpiryResult",
    "expire_credits",
]


@masked_repr
@attrs.frozen(kw_only=True)
class ExpiryResult:
    """The outcome of :func:`expire_credits`.

    Attributes:
        ledger: the new ledger.
        expired: ``(volunteer_id, hours)`` for every volunteer whose hours expired, by id.
        violations: why nothing was judged (``policy_not_in_force``); empty otherwise.

    Example:
        >>> ExpiryResult(ledger=Ledger(), expired=()).expired
        ()
    """

    ledger: Ledger
    expired: tuple[tuple[str, Hours], ...]
    violations: tuple[PolicyViolation, ...] = ()


def expire_credits(
    ledger: Ledger, *, now: _dt.datetime, policy: TimeBankPolicy | str
) -> ExpiryResult:
    """Take back hours older than the policy's ``credit_validity_days`` (none if not regulated).

    The rule, first in first out: every hour that came into a volunteer's account (a credit,
    a gift, a grant, a refund) is a lot dated at its transfer's time; every hour that left
    (spent, given, donated, reserved, expired) used the oldest lots first. A lot's hours
    still unused expire at ``at + credit_validity_days`` (at that instant they are expired;
    the instant before they are not). Expired hours go back to :data:`ISSUER` in one
    ``adjust`` transfer per volunteer, id ``credit-expiry:<volunteer>:<now>``, so running it
    again changes nothing.

    The policy's dates: a policy expires nothing on a day it is not in force (the local date of
    ``now`` before ``valid_from`` or after ``valid_until``: the result carries the violation
    ``policy_not_in_force``), and it counts no day before it applied: a lot that came in before
    ``valid_from`` is dated at the start of ``valid_from`` (midnight in ``now``'s time zone).
    No source regulates expiry; this is the reading that takes no hours by a rule on a day it
    did not apply.

    Raises:
        InvalidTypeError, InvalidValueError: bad arguments.

    Example:
        >>> from volunteer_rules.timebank.operations import credit_hours, get_time_bank_policy
        >>> from datetime import datetime, timedelta, timezone
        >>> now = datetime(2024, 5, 1, tzinfo=timezone.utc)
        >>> ledger = credit_hours(Ledger(), transfer_id="c", volunteer_id="V1", now=now,
        ...                       hours=Hours.from_hours(2), policy="generic").ledger
        >>> policy = attrs.evolve(get_time_bank_policy("generic"), credit_validity_days=365)
        >>> expire_credits(ledger, now=now + timedelta(days=364), policy=policy).expired
        ()
        >>> expire_credits(ledger, now=now + timedelta(days=365), policy=policy).expired
        (('V1', Hours(minutes=120)),)
        >>> expire_credits(ledger, now=now, policy="generic").expired  # not regulated
        ()
        >>> ended = attrs.evolve(policy, valid_until=(now + timedelta(days=364)).date())
        >>> expire_credits(ledger, now=now + timedelta(days=365), policy=ended).violations[0].code
        'policy_not_in_force'
    """
    ledger = check_ledger_arg(ledger)
    policy = check_policy(policy)
    now = check_now(now)
    refusal = out_of_force(policy, now, "expiry on")
    if refusal is not None:
        return ExpiryResult(ledger=ledger, expired=(), violations=(refusal,))
    days = policy.credit_validity_days
    if days is None:
        return ExpiryResult(ledger=ledger, expired=())
    validity = _dt.timedelta(days=days)
    start = (
        None
        if policy.valid_from is None
        else _dt.datetime.combine(policy.valid_from, _dt.time(), tzinfo=now.tzinfo)
    )
    lots: dict[str, list[list[Any]]] = {}  # account -> [[at, minutes left], ...] oldest first
    for entry in ledger.entries():
        account = entry.account
        if account in SYSTEM_ACCOUNTS:
            continue
        queue = lots.setdefault(account, [])
        if entry.minutes > 0:
            queue.append([entry.at if start is None else max(entry.at, start), entry.minutes])
            continue
        need = -entry.minutes
        while need and queue:
            take = min(need, queue[0][1])
            queue[0][1] -= take
            need -= take
            if not queue[0][1]:
                queue.pop(0)
    transfers: list[LedgerTransfer] = []
    expired: list[tuple[str, Hours]] = []
    for account in sorted(lots):
        minutes = sum(left for at, left in lots[account] if at + validity <= now)
        minutes = min(minutes, ledger.balance(account).minutes)
        if minutes <= 0:
            continue
        transfers.append(
            LedgerTransfer(
                transfer_id=f"credit-expiry:{account}:{now.isoformat()}",
                kind="adjust",
                legs=((account, -minutes), (ISSUER, minutes)),
                at=now,
                memo=f"hours older than {days} days expired ({policy.policy_id})",
            )
        )
        expired.append((account, Hours.from_minutes(minutes)))
    return ExpiryResult(ledger=ledger.post_many(transfers), expired=tuple(expired))
