"""Reversals: a posted transfer undone by an opposite one, at most once.

Example:
    >>> from volunteer_rules.timebank.reversals import reverse
    >>> callable(reverse)
    True
"""

from __future__ import annotations

import datetime as _dt

from volunteer_rules.timebank._operation import (
    check_ledger_arg,
    check_now,
    earlier_posting,
    post_transfer,
    same_operation,
)
from volunteer_rules.timebank.ledger import (
    Ledger,
    LedgerTransfer,
)
from volunteer_rules.timebank.results import LedgerResult

__all__ = [
    "reverse",
]


def reverse(
    ledger: Ledger, *, transfer_id: str, reference: str, now: _dt.datetime, memo: str = ""
) -> LedgerResult:
    """Correct a mistake: post the transfer that undoes ``reference`` (nothing is edited).

    A transfer is reversed at most once; a reversal is not reversed (post the operation
    again with a new id); reservations are voided, not reversed.

    Raises:
        NotFoundError: no such transfer. ConflictError: already reversed, or
            ``transfer_id`` already holds another transfer.
        InvalidValueError: a kind that cannot be reversed.
        InsufficientHoursError: the hours to take back were spent.

    Example:
        >>> from volunteer_rules.hours import Hours
        >>> from volunteer_rules.timebank.operations import credit_hours
        >>> from datetime import datetime, timezone
        >>> now = datetime(2024, 5, 1, tzinfo=timezone.utc)
        >>> ledger = credit_hours(Ledger(), transfer_id="c", volunteer_id="V1", now=now,
        ...                       hours=Hours.from_hours(3), policy="generic").ledger
        >>> r = reverse(ledger, transfer_id="fix-1", reference="c", now=now, memo="wrong person")
        >>> r.ledger.balance("V1"), r.ledger.reversed_by("c")
        (Hours(minutes=0), 'fix-1')
    """
    ledger = check_ledger_arg(ledger)
    now = check_now(now)
    posted = earlier_posting(ledger, transfer_id)
    if posted is not None:
        return LedgerResult(
            ledger=ledger, posted=same_operation(posted, "reverse", reference, memo)
        )
    transfer = LedgerTransfer(
        transfer_id=transfer_id,
        kind="reverse",
        legs=ledger.reversal_legs(reference),
        at=now,
        reference=reference,
        memo=memo,
    )
    return post_transfer(ledger, transfer)
