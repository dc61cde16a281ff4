"""Ledger limits: the overdraft a volunteer may have, the cap, its days, and what happens above it.

The two limits are of different kinds. The **cap** is a rule of a time bank (Nanjing's 1,500 h
[NJ]): a dated rule, it applies only on its days (``cap_from``, ``cap_until``), and a policy
dates its cap with its own days. The **floor** is not dated: zero, no negative balance, is the
ledger's bookkeeping ([MCA2012-b] Art 22: service within the hours accumulated), and an
``overdraft`` above zero is a platform's own configuration, which no source found allows.

Example:
    >>> import datetime as dt
    >>> from volunteer_rules.hours import Hours
    >>> from volunteer_rules.timebank.limits import LedgerLimits
    >>> limits = LedgerLimits(cap=Hours.from_hours(1500), cap_from=dt.date(2019, 8, 30))
    >>> limits.overflow, limits.cap_on(dt.date(2019, 8, 29)), limits.cap_on(dt.date(2019, 8, 30))
    ('donate', None, Hours(minutes=90000))
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import instance_of, one_of, within_days
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
            negative balance [MCA2012-b Art 22; LQY]. An overdraft above zero is the
            platform's own configuration (no source found allows one), so it is not dated: it
            applies on every day.
        cap: the highest balance, inclusive (exactly ``cap`` is allowed), or ``None`` for no
            cap. Nanjing: 1,500 h [NJ].
        overflow: what happens to hours above the cap: ``"donate"`` (the excess goes to
            :data:`POOL` in the same transfer; Nanjing [NJ]) or ``"refuse"``.
        cap_from: the first day the cap applies (inclusive), or ``None``: no start.
        cap_until: the last day it applies (inclusive), or ``None``: no end. A transfer is
            held to the cap only if the local date of its ``at`` is within these days; on
            another day nothing is capped, and a balance above the cap stays (hours are never
            taken for the days before a cap started). A :class:`TimeBankPolicy` dates its cap
            with its own ``valid_from`` and ``valid_until``.

    Raises:
        InvalidValueError: ``cap_until`` before ``cap_from``, or dates without a cap.

    Example:
        >>> LedgerLimits(cap=Hours.from_hours(1500)).cap.minutes
        90000
        >>> LedgerLimits(cap_from=_dt.date(2019, 8, 30))
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.InvalidValueError: cap_from: dates a cap, and there is none
    """

    overdraft: Hours = attrs.field(
        default=Hours.ZERO,
        validator=[instance_of(Hours), _non_negative],
    )
    cap: Hours | None = attrs.field(default=None, converter=_hours_or_none, validator=_non_negative)
    overflow: str = attrs.field(default="donate", validator=one_of(("donate", "refuse")))
    cap_from: _dt.date | None = attrs.field(
        default=None, validator=instance_of(_dt.date, optional=True)
    )
    cap_until: _dt.date | None = attrs.field(
        default=None, validator=instance_of(_dt.date, optional=True)
    )

    def __attrs_post_init__(self) -> None:
        for name in ("cap_from", "cap_until"):
            if self.cap is None and getattr(self, name) is not None:
                raise InvalidValueError(name, "dates a cap, and there is none")
        if (
            self.cap_from is not None
            and self.cap_until is not None
            and self.cap_until < self.cap_from
        ):
            raise InvalidValueError(
                "cap_until",
                f"{self.cap_until.isoformat()} is before cap_from {self.cap_from.isoformat()}",
            )

    @property
    def dated(self) -> bool:
        """Whether the cap applies on some days only (it has ``cap_from`` or ``cap_until``).

        Example:
            >>> LedgerLimits(cap=Hours.from_hours(1)).dated
            False
        """
        return self.cap_from is not None or self.cap_until is not None

    def cap_on(self, day: _dt.date) -> Hours | None:
        """The cap in force on ``day`` (both ends inclusive), or ``None``: nothing is capped.

        Raises:
            InvalidTypeError: ``day`` is not a date.

        Example:
            >>> limits = LedgerLimits(cap=Hours.from_hours(1), cap_until=_dt.date(2024, 12, 31))
            >>> limits.cap_on(_dt.date(2024, 12, 31)), limits.cap_on(_dt.date(2025, 1, 1))
            (Hours(minutes=60), None)
        """
        if type(day) is not _dt.date:
            raise InvalidTypeError("day", f"must be a date, not {type(day).__name__}")
        return self.cap if within_days(day, self.cap_from, self.cap_until) else None
