"""Gifts of hours: given to a relative or friend, donated to the pool, granted from it.

Example:
    >>> from volunteer_rules.timebank.gifts import donate, give, grant
    >>> callable(give) and callable(donate) and callable(grant)
    True
"""

from __future__ import annotations

import datetime as _dt

from volunteer_rules.errors import (
    InvalidValueError,
)
from volunteer_rules.hours import Hours
from volunteer_rules.timebank._operation import (
    check_ledger_arg,
    check_now,
    check_policy,
    check_positive,
    check_volunteer,
    earlier_posting,
    post_transfer,
    refused_out_of_force,
)
from volunteer_rules.timebank.ledger import (
    POOL,
    Ledger,
    LedgerTransfer,
)
from volunteer_rules.timebank.policy import RELATIONS, TimeBankPolicy
from volunteer_rules.timebank.results import LedgerResult, PolicyViolation

__all__ = [
    "donate",
    "give",
    "grant",
]


def give(
    ledger: Ledger,
    *,
    transfer_id: str,
    from_volunteer: str,
    to_volunteer: str,
    hours: Hours,
    relation: str,
    now: _dt.datetime,
    policy: TimeBankPolicy | str,
) -> LedgerResult:
    """Give hours to another volunteer (a relative or friend, as the policy allows).

    Under a policy not in force on the local date of ``now`` the gift is refused with
    ``policy_not_in_force`` and nothing moves.

    Raises:
        InsufficientHoursError: more than the giver has available.

    Example:
        >>> from volunteer_rules.timebank.operations import credit_hours
        >>> from datetime import datetime, timezone
        >>> now = datetime(2026, 5, 1, tzinfo=timezone.utc)
        >>> ledger = credit_hours(Ledger(), transfer_id="c", volunteer_id="V1", now=now,
        ...                       hours=Hours.from_hours(3), policy="generic").ledger
        >>> r = give(ledger, transfer_id="g-1", from_volunteer="V1", to_volunteer="V2",
        ...          hours=Hours.from_hours(1), relation="friend", now=now,
        ...          policy="cn-shanghai-2026")
        >>> r.ledger.balance("V2")
        Hours(minutes=60)
        >>> early = give(ledger, transfer_id="g-2", from_volunteer="V1", to_volunteer="V2",
        ...              hours=Hours.from_hours(1), relation="friend", now=now.replace(year=2025),
        ...              policy="cn-shanghai-2026")
        >>> early.violations[0].code, early.ledger is ledger
        ('policy_not_in_force', True)
    """
    ledger = check_ledger_arg(ledger)
    policy = check_policy(policy)
    giver = check_volunteer("from_volunteer", from_volunteer)
    receiver = check_volunteer("to_volunteer", to_volunteer)
    if giver == receiver:
        raise InvalidValueError("to_volunteer", "a volunteer cannot give hours to themselves")
    if relation not in RELATIONS or relation == "self":
        raise InvalidValueError("relation", f"must be one of {RELATIONS[1:]}")
    minutes = check_positive("hours", hours)
    now = check_now(now)
    transfer = LedgerTransfer(
        transfer_id=transfer_id,
        kind="give",
        legs=((giver, -minutes), (receiver, minutes)),
        at=now,
        details=(("relation", relation),),
    )
    refused = refused_out_of_force(ledger, transfer_id, policy, now, "giving on")
    if refused is not None:
        return refused
    if (
        earlier_posting(ledger, transfer_id) is None
        and policy.give_to is not None
        and relation not in policy.give_to
    ):
        code = "giving_not_allowed" if not policy.give_to else "relation_not_allowed"
        return LedgerResult(
            ledger=ledger,
            posted=None,
            violations=(
                PolicyViolation(
                    code=code,
                    message=f"under {policy.policy_id} hours may not be given to a {relation}",
                ),
            ),
        )
    return post_transfer(ledger, transfer)


def donate(
    ledger: Ledger,
    *,
    transfer_id: str,
    volunteer_id: str,
    hours: Hours,
    now: _dt.datetime,
    policy: TimeBankPolicy | str,
) -> LedgerResult:
    """Donate hours to the pool (捐赠).

    Under a policy not in force on the local date of ``now`` the donation is refused with
    ``policy_not_in_force`` and nothing moves.

    Example:
        >>> from volunteer_rules.timebank.operations import credit_hours
        >>> from datetime import datetime, timezone
        >>> now = datetime(2024, 5, 1, tzinfo=timezone.utc)
        >>> ledger = credit_hours(Ledger(), transfer_id="c", volunteer_id="V1", now=now,
        ...                       hours=Hours.from_hours(3), policy="generic").ledger
        >>> donate(ledger, transfer_id="d", volunteer_id="V1", hours=Hours.from_hours(3),
        ...        now=now, policy="generic").ledger.balance(POOL)
        Hours(minutes=180)
    """
    ledger = check_ledger_arg(ledger)
    policy = check_policy(policy)
    minutes = check_positive("hours", hours)
    now = check_now(now)
    transfer = LedgerTransfer(
        transfer_id=transfer_id,
        kind="donate",
        legs=((check_volunteer("volunteer_id", volunteer_id), -minutes), (POOL, minutes)),
        at=now,
    )
    refused = refused_out_of_force(ledger, transfer_id, policy, now, "donation on")
    if refused is not None:
        return refused
    if not policy.donation and earlier_posting(ledger, transfer_id) is None:
        return LedgerResult(
            ledger=ledger,
            posted=None,
            violations=(
                PolicyViolation(
                    code="donation_not_allowed", message=f"{policy.policy_id} has no donation"
                ),
            ),
        )
    return post_transfer(ledger, transfer)


def grant(
    ledger: Ledger,
    *,
    transfer_id: str,
    volunteer_id: str,
    hours: Hours,
    now: _dt.datetime,
    memo: str = "",
) -> LedgerResult:
    """Grant hours from the donation pool to someone in need.

    A grant is the platform's own act, not a rule of any source: none found says who receives
    pooled hours or how many (Nanjing's priority for key elderly people is the policy's
    ``donation_priority``, in words). So it takes no policy and is never refused for a
    policy's dates; the ledger's floor and cap (on the cap's own days) still apply.

    Raises:
        InsufficientHoursError: the pool holds less.

    Example:
        >>> from datetime import datetime, timezone
        >>> now = datetime(2024, 5, 1, tzinfo=timezone.utc)
        >>> grant(Ledger(), transfer_id="p", volunteer_id="V9", hours=Hours.from_hours(1), now=now)
        Traceback (most recent call last):
        ...
        volunteer_rules.hours.InsufficientHoursError: @pool: 1 h requested but only 0 h available (transfer 'p')
    """
    ledger = check_ledger_arg(ledger)
    minutes = check_positive("hours", hours)
    transfer = LedgerTransfer(
        transfer_id=transfer_id,
        kind="grant",
        legs=((POOL, -minutes), (check_volunteer("volunteer_id", volunteer_id), minutes)),
        at=check_now(now),
        memo=memo,
    )
    return post_transfer(ledger, transfer)
