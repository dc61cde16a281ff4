"""What a time bank operation returns: the new ledger, or the reasons the policy refuses.

Example:
    >>> from volunteer_rules.timebank.ledger import Ledger
    >>> from volunteer_rules.timebank.results import LedgerResult, PolicyViolation
    >>> refused = PolicyViolation(code="under_age", message="the beneficiary is under 60")
    >>> LedgerResult(ledger=Ledger(), posted=None, violations=(refused,)).allowed
    False
"""

from __future__ import annotations

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules.timebank.ledger import (
    Ledger,
    PostedTransfer,
)

__all__ = [
    "LedgerResult",
    "PolicyViolation",
]


@masked_repr
@attrs.frozen(kw_only=True)
class PolicyViolation:
    """Why a policy refuses an operation.

    Attributes:
        code: ``under_age``, ``relation_not_allowed``, ``giving_not_allowed``,
            ``donation_not_allowed``, ``rate_not_allowed``, ``withdrawal_limit``,
            ``birth_date_missing``, ``policy_not_in_force`` (an operation dated on a day
            the policy does not apply; the message names the policy and its dates).
        message: one sentence.

    Example:
        >>> PolicyViolation(code="under_age", message="aged 59, redemption from 60").code
        'under_age'
    """

    code: str
    message: str


@masked_repr
@attrs.frozen(kw_only=True)
class LedgerResult:
    """The outcome of one time bank operation.

    Attributes:
        ledger: the new ledger (the same ledger when refused, or on a retry).
        posted: the transfer as posted, or ``None`` when refused.
        violations: why the policy refused (empty when allowed).

    Example:
        >>> from volunteer_rules.hours import Hours
        >>> from volunteer_rules.timebank.operations import get_time_bank_policy, give
        >>> from datetime import datetime, timezone
        >>> r = give(Ledger(), transfer_id="g", from_volunteer="V1", to_volunteer="V2",
        ...          hours=Hours.from_hours(1), relation="friend",
        ...          now=datetime(2024, 5, 1, tzinfo=timezone.utc),
        ...          policy=get_time_bank_policy("cn-nanjing-gulou-2018"))
        >>> r.allowed, [v.code for v in r.violations]
        (False, ['giving_not_allowed'])
    """

    ledger: Ledger
    posted: PostedTransfer | None
    violations: tuple[PolicyViolation, ...] = ()

    @property
    def allowed(self) -> bool:
        """Whether the operation was posted (or had been, on a retry).

        Example:
            >>> LedgerResult(ledger=Ledger(), posted=None).allowed
            False
        """
        return self.posted is not None
