"""Checks and posting steps that every time bank operation shares (not public)."""

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
from volunteer_rules.timebank.results import LedgerResult

__all__ = [
    "check_ledger_arg",
    "check_now",
    "check_policy",
    "check_positive",
    "check_volunteer",
    "earlier_posting",
    "post_transfer",
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
