"""Checks and posting steps that every time bank operation shares (not public).

:func:`out_of_force` is the one rule of a policy's dates: every operation that takes a policy
(crediting, redeeming, reserving, giving, donating, expiring) asks it before judging anything
else, and an operation dated on a day the policy does not apply is refused with
``policy_not_in_force``. Hours already in the ledger are never touched by it.
"""

from __future__ import annotations

import datetime as _dt

from volunteer_rules._validate import require_aware
from volunteer_rules.errors import (
    ConflictError,
    InvalidTypeError,
    InvalidValueError,
)
from volunteer_rules.hours import Hours
from volunteer_rules.timebank.ledger import (
    SYSTEM_ACCOUNTS,
    Ledger,
    LedgerTransfer,
    PostedTransfer,
)
from volunteer_rules.timebank.policy import TimeBankPolicy, get_time_bank_policy
from volunteer_rules.timebank.results import LedgerResult, PolicyViolation

__all__ = [
    "check_ledger_arg",
    "check_now",
    "check_policy",
    "check_positive",
    "check_volunteer",
    "earlier_posting",
    "not_in_force_message",
    "out_of_force",
    "post_transfer",
    "refused_out_of_force",
    "same_operation",
]


def check_ledger_arg(ledger: object) -> Ledger:
    if not isinstance(ledger, Ledger):
        raise InvalidTypeError("ledger", f"must be a Ledger, not {type(ledger).__name__}")
    return ledger


def check_policy(policy: object) -> TimeBankPolicy:
    if isinstance(policy, str):
        return get_time_bank_policy(policy)
    if not isinstance(policy, TimeBankPolicy):
        raise InvalidTypeError("policy", "must be a TimeBankPolicy or a policy id")
    return policy


def not_in_force_message(policy: TimeBankPolicy, day: _dt.date, what: str) -> str:
    """Why nothing is done for ``what`` on ``day``: the policy did not apply then.

    Example:
        >>> from datetime import date
        >>> not_in_force_message(get_time_bank_policy("cn-shanghai-2026"), date(2024, 5, 1),
        ...                      "redemption on")
        'redemption on 2024-05-01: cn-shanghai-2026 applies only from 2026-01-12'
    """
    parts = []
    if policy.valid_from is not None:
        parts.append(f"from {policy.valid_from.isoformat()}")
    if policy.valid_until is not None:
        parts.append(f"until {policy.valid_until.isoformat()}")
    return f"{what} {day.isoformat()}: {policy.policy_id} applies only {' '.join(parts)}"


def out_of_force(policy: TimeBankPolicy, now: _dt.datetime, what: str) -> PolicyViolation | None:
    """The refusal of an operation at ``now`` under a policy not in force on its local date.

    ``None`` when the policy applies that day (both ends inclusive, as
    :meth:`TimeBankPolicy.in_force_on`); otherwise the violation ``policy_not_in_force``,
    naming the policy and its dates.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> shanghai = get_time_bank_policy("cn-shanghai-2026")
        >>> cst = timezone(timedelta(hours=8))
        >>> out_of_force(shanghai, datetime(2026, 1, 12, 0, 0, tzinfo=cst), "giving on") is None
        True
        >>> out_of_force(shanghai, datetime(2026, 1, 11, 23, 59, tzinfo=cst), "giving on").code
        'policy_not_in_force'
    """
    day = now.date()
    if policy.in_force_on(day):
        return None
    return PolicyViolation(
        code="policy_not_in_force", message=not_in_force_message(policy, day, what)
    )


def refused_out_of_force(
    ledger: Ledger, transfer_id: object, policy: TimeBankPolicy, now: _dt.datetime, what: str
) -> LedgerResult | None:
    """The refused result of a new operation under a policy not in force at ``now``.

    ``None`` when the policy applies, and for a retry (a ``transfer_id`` the ledger holds): a
    retry goes to the ledger, which answers with the original posting whatever the day.

    Example:
        >>> from datetime import datetime, timezone
        >>> day = datetime(2024, 5, 1, tzinfo=timezone.utc)
        >>> r = refused_out_of_force(Ledger(), "d-1", get_time_bank_policy("cn-shanghai-2026"),
        ...                          day, "donation on")
        >>> r.allowed, r.violations[0].code
        (False, 'policy_not_in_force')
    """
    refusal = out_of_force(policy, now, what)
    if refusal is None or earlier_posting(ledger, transfer_id) is not None:
        return None
    return LedgerResult(ledger=ledger, posted=None, violations=(refusal,))


def check_volunteer(what: str, value: object) -> str:
    if not isinstance(value, str):
        raise InvalidTypeError(what, f"must be a str, not {type(value).__name__}")
    if not value or value in SYSTEM_ACCOUNTS or value.startswith("@") or not value.isprintable():
        raise InvalidValueError(what, f"{value!r} is not a volunteer id")
    return value


def check_positive(what: str, value: object) -> int:
    if not isinstance(value, Hours):
        raise InvalidTypeError(what, f"must be Hours, not {type(value).__name__}")
    if value.minutes <= 0:
        raise InvalidValueError(what, "must be more than zero")
    return value.minutes


def check_now(value: object) -> _dt.datetime:
    return require_aware(value, "now")


def post_transfer(ledger: Ledger, transfer: LedgerTransfer) -> LedgerResult:
    new, posted = ledger.post(transfer)
    return LedgerResult(ledger=new, posted=posted)


def earlier_posting(ledger: Ledger, transfer_id: object) -> PostedTransfer | None:
    if isinstance(transfer_id, str) and transfer_id in ledger:
        return ledger.transfer(transfer_id)
    return None


def same_operation(
    posted: PostedTransfer, kind: str, reference: str | None, memo: str | None = None
) -> PostedTransfer:
    """A retry of an operation whose legs the ledger derives: the id must hold the same one.

    Settlements and reversals compute their legs from the transfer they act on, so a retry is
    recognised by what the caller gave: the kind, the transfer acted on, the memo.

    Raises:
        ConflictError: the id holds another operation or the same one with other content.
    """
    transfer = posted.transfer
    if (
        transfer.kind != kind
        or transfer.reference != reference
        or (memo is not None and transfer.memo != memo)
    ):
        raise ConflictError(
            transfer.transfer_id,
            f"transfer {transfer.transfer_id!r} exists with different content (a "
            f"{transfer.kind}{'' if transfer.reference is None else f' of {transfer.reference!r}'}"
            f", not a {kind} of {reference!r})",
        )
    return posted
