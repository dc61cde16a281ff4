"""Ledger limits: the overdraft a volunteer may have, the cap, and what happens above it.

Example:
    >>> from volunteer_rules.hours import Hours
    >>> from volunteer_rules.timebank.limits import LedgerLimits
    >>> LedgerLimits(cap=Hours.from_hours(1500)).overflow
    'donate'
"""

from __future__ import annotations

from typing import Any

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import instance_of, one_of
from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.hours import Hours

__all__ = [
    "LedgerLimits",
]


def _hours_or_none(value: object) -> Hours | None:
    if value is None or isinstance(value, Hours):
        return value
    raise InvalidTypeError("limits", f"must be Hours or None, not {type(value).__name__}")


def _non_negative(instance: object, attribute: Any, value: Hours | None) -> None:
    if value is not None and value.minutes < 0:
        raise InvalidValueError(attribute.name, "must not be negative")


@masked_repr
@attrs.frozen(kw_only=True)
class LedgerLimits:
    """Balance limits of volunteer accounts, enforced when posting.

    Attributes:
        overdraft: how far below zero a volunteer may go; the floor is ``-overdraft``,
            inclusive (a balance of exactly ``-overdraft`` is allowed). Zero by default: no
            negative balance [MCA2012-b Art 22; LQY].
        cap: the highest balance, inclusive (exactly ``cap`` is allowed), or ``None`` for no
            cap. Nanjing: 1,500 h [NJ].
        overflow: what happens to hours above the cap: ``"donate"`` (the excess goes to
            :data:`POOL` in the same transfer; Nanjing [NJ]) or ``"refuse"``.

    Example:
        >>> LedgerLimits(cap=Hours.from_hours(1500)).cap.minutes
        90000
    """

    overdraft: Hours = attrs.field(
        default=Hours.ZERO,
        validator=[instance_of(Hours), _non_negative],
    )
    cap: Hours | None = attrs.field(default=None, converter=_hours_or_none, validator=_non_negative)
    overflow: str = attrs.field(default="donate", validator=one_of(("donate", "refuse")))
