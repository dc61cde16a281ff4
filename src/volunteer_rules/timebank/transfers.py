"""Ledger transfers: the system accounts, the kinds, a transfer and its legs, and its entries.

A :class:`LedgerTransfer` is one immutable transfer (legs that sum to zero, a kind, an aware
time); a :class:`PostedTransfer` is a transfer as the ledger posted it, with its
:class:`LedgerEntry` rows (one per leg, with the account's new version).

Example:
    >>> from datetime import datetime, timezone
    >>> from volunteer_rules.timebank.transfers import ISSUER, LedgerTransfer
    >>> at = datetime(2024, 5, 1, tzinfo=timezone.utc)
    >>> LedgerTransfer(transfer_id="t-1", kind="credit", legs=((ISSUER, -60), ("V1", 60)), at=at).kind
    'credit'
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Final, NamedTuple

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import aware_datetime, instance_of, one_of
from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.hours import Hours

__all__ = [
    "HOLDS",
    "ISSUER",
    "KINDS",
    "POOL",
    "REDEEMED",
    "SYSTEM_ACCOUNTS",
    "LedgerEntry",
    "LedgerTransfer",
    "PostedTransfer",
]

ISSUER: Final = "@issuer"
"""The system account service credits are issued from; its balance is minus all credits."""
POOL: Final = "@pool"
"""The donation pool (捐赠): donated hours, group-earned hours, overflow above the cap."""
REDEEMED: Final = "@redeemed"
"""Where hours go when they are spent on a service (a sink; never paid out as cash)."""
HOLDS: Final = "@holds"
"""Hours reserved for booked services; always the sum of the open holds."""

SYSTEM_ACCOUNTS: Final = frozenset({ISSUER, POOL, REDEEMED, HOLDS})
"""The system accounts. Every other account id is a volunteer's."""

KINDS: Final = frozenset(
    {
        "credit",  # ISSUER -> volunteer (or POOL for donate-only group hours), one service record
        "redeem",  # volunteer -> REDEEMED, a service from the catalog
        "give",  # volunteer -> volunteer (relatives, friends)
        "donate",  # volunteer -> POOL
        "grant",  # POOL -> volunteer (the pool serves someone)
        "reserve",  # volunteer -> HOLDS, open until expires_at
        "post",  # HOLDS -> REDEEMED, settles a reservation
        "void",  # HOLDS -> volunteer, cancels a reservation
        "expire",  # HOLDS -> volunteer, made by the ledger when a hold expires
        "reverse",  # the negated entries of the transfer named by ``reference``
        "adjust",  # anything else an operator books, with a memo
    }
)
"""LedgerTransfer kinds. ``expire`` transfers are made by the ledger itself, never by a caller."""

_NOT_REVERSIBLE: Final = frozenset({"reserve", "void", "expire", "reverse"})


_NEEDS_REFERENCE: Final = frozenset({"post", "void", "expire", "reverse"})
_MAX_ID: Final = 200


def _check_id(what: str, value: object) -> str:
    if not isinstance(value, str):
        raise InvalidTypeError(what, f"must be a str, not {type(value).__name__}")
    if not value or len(value) > _MAX_ID or not value.isprintable() or value != value.strip():
        raise InvalidValueError(
            what, f"must be 1 to {_MAX_ID} printable characters, no edge spaces"
        )
    return value


def _check_account(what: str, value: object) -> str:
    account = _check_id(what, value)
    if account.startswith("@") and account not in SYSTEM_ACCOUNTS:
        raise InvalidValueError(what, f"{account!r}: ids starting with '@' are system accounts")
    return account


def _validate_legs(instance: LedgerTransfer, attribute: object, legs: Any) -> None:
    if not isinstance(legs, tuple):
        raise InvalidTypeError("legs", "must be a tuple of (account, minutes) pairs")
    if not legs:
        raise InvalidValueError("legs", "a transfer needs at least one leg")
    seen: set[str] = set()
    total = 0
    for leg in legs:
        if not isinstance(leg, tuple) or len(leg) != 2:
            raise InvalidTypeError("legs", "each leg must be an (account, minutes) pair")
        account, minutes = leg
        _check_account("legs", account)
        if type(minutes) is not int:
            raise InvalidTypeError("legs", f"minutes must be an int, not {type(minutes).__name__}")
        if minutes == 0:
            raise InvalidValueError("legs", f"a leg of 0 minutes on {account!r} moves nothing")
        if account in seen:
            raise InvalidValueError("legs", f"account {account!r} appears twice; merge the legs")
        seen.add(account)
        total += minutes
    if total != 0:
        raise InvalidValueError("legs", f"legs must sum to zero, not {total} minutes")


def _validate_transfer_id(instance: object, attribute: Any, value: Any) -> None:
    _check_id(attribute.name, value)


def _validate_reference(instance: object, attribute: Any, value: Any) -> None:
    if value is not None:
        _check_id("reference", value)


def _validate_record_key(instance: object, attribute: Any, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, tuple) or len(value) != 2:
        raise InvalidTypeError("record_key", "must be an (organization_id, record_id) pair")
    _check_id("record_key", value[0])
    _check_id("record_key", value[1])


def _validate_details(instance: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, tuple):
        raise InvalidTypeError("details", "must be a tuple of (name, value) string pairs")
    for pair in value:
        if not (
            isinstance(pair, tuple)
            and len(pair) == 2
            and isinstance(pair[0], str)
            and isinstance(pair[1], str)
        ):
            raise InvalidTypeError("details", "must be a tuple of (name, value) string pairs")
    if list(value) != sorted(set(value)):
        raise InvalidValueError("details", "pairs must be sorted and distinct")


def _transfer_checks(transfer: LedgerTransfer) -> None:
    kind = transfer.kind
    if "~" in transfer.transfer_id and not (
        kind == "expire" and transfer.transfer_id == f"{transfer.reference}~expired"
    ):
        raise InvalidValueError("transfer_id", "'~' is reserved for ids the ledger makes")
    if (kind in _NEEDS_REFERENCE) != (transfer.reference is not None):
        needs = "needs" if kind in _NEEDS_REFERENCE else "takes no"
        raise InvalidValueError("reference", f"a {kind} transfer {needs} reference")
    if (kind == "reserve") != (transfer.expires_at is not None):
        raise InvalidValueError("expires_at", "a reserve transfer, and only it, has expires_at")
    if transfer.expires_at is not None and transfer.expires_at <= transfer.at:
        raise InvalidValueError("expires_at", "must be after at")
    if transfer.record_key is not None and kind != "credit":
        raise InvalidValueError("record_key", "only a credit carries a record key")


@masked_repr
@attrs.frozen(kw_only=True)
class LedgerTransfer:
    """A transfer as a caller asks for it: the unit of idempotency.

    Attributes:
        transfer_id: caller-chosen, 1 to 200 printable characters without ``~`` (``~`` marks
            the ids the ledger makes itself). Posting the same id again with the same content
            is a no-op that returns the original; with other content it is a
            :class:`~volunteer_rules.ConflictError`.
        kind: one of :data:`KINDS`.
        legs: ``((account, minutes), ...)``: signed whole minutes, ``+`` raises the account's
            balance and ``-`` lowers it; no zero leg, no account twice, the sum is zero.
        at: aware time the transfer takes effect (not part of the content: a retry comes later).
        reference: the transfer this one acts on: the reservation for ``post``/``void``/
            ``expire``, the corrected transfer for ``reverse``; ``None`` otherwise.
        record_key: ``(organization_id, record_id)`` of the credited service record (credits
            only). A record is credited at most once, whatever the transfer id.
        expires_at: reservations only: the hold is open while ``now < expires_at``.
        details: sorted ``(name, value)`` string pairs kept with the transfer (service id,
            beneficiary relation, requested minutes...); part of the content.
        memo: free text; part of the content.

    Example:
        >>> from datetime import datetime, timezone
        >>> t = LedgerTransfer(transfer_id="g-1", kind="give", legs=(("V1", -60), ("V2", 60)),
        ...              at=datetime(2024, 5, 1, tzinfo=timezone.utc))
        >>> t.content()[:3]
        ('g-1', 'give', (('V1', -60), ('V2', 60)))
        >>> LedgerTransfer(transfer_id="x", kind="give", legs=(("V1", -60), ("V2", 50)),
        ...          at=datetime(2024, 5, 1, tzinfo=timezone.utc))
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.InvalidValueError: legs: legs must sum to zero, not -10 minutes
    """

    transfer_id: str = attrs.field(validator=_validate_transfer_id)
    kind: str = attrs.field(validator=one_of(KINDS))
    legs: tuple[tuple[str, int], ...] = attrs.field(validator=_validate_legs)
    at: _dt.datetime = attrs.field(validator=aware_datetime())
    reference: str | None = attrs.field(default=None, validator=_validate_reference)
    record_key: tuple[str, str] | None = attrs.field(default=None, validator=_validate_record_key)
    expires_at: _dt.datetime | None = attrs.field(
        default=None, validator=aware_datetime(optional=True)
    )
    details: tuple[tuple[str, str], ...] = attrs.field(default=(), validator=_validate_details)
    memo: str = attrs.field(default="", validator=instance_of(str))

    def __attrs_post_init__(self) -> None:
        _transfer_checks(self)

    def content(self) -> tuple[Any, ...]:
        """Everything that identifies the request, i.e. every field except ``at``.

        Two transfers with one id and equal content are the same request (a retry).

        Example:
            >>> from datetime import datetime, timezone
            >>> t = LedgerTransfer(transfer_id="d-1", kind="donate", legs=(("V1", -5), ("@pool", 5)),
            ...              at=datetime(2024, 5, 1, tzinfo=timezone.utc))
            >>> attrs.evolve(t, at=datetime(2025, 1, 1, tzinfo=timezone.utc)).content() == t.content()
            True
        """
        return (
            self.transfer_id,
            self.kind,
            self.legs,
            self.reference,
            self.record_key,
            self.expires_at,
            self.details,
            self.memo,
        )

    @property
    def detail(self) -> dict[str, str]:
        """``details`` as a dict.

        Example:
            >>> from datetime import datetime, timezone
            >>> LedgerTransfer(transfer_id="d-1", kind="donate", legs=(("V1", -5), ("@pool", 5)),
            ...          at=datetime(2024, 5, 1, tzinfo=timezone.utc),
            ...          details=(("reason", "gift"),)).detail
            {'reason': 'gift'}
        """
        return dict(self.details)


@masked_repr
class LedgerEntry(NamedTuple):
    """One row of the ledger's append-only log (a plain tuple: rows go straight to a store).

    Attributes:
        sequence: the entry's position in the whole ledger, from 0, without gaps.
        transfer_id: the transfer the entry belongs to.
        account: the account it moves.
        minutes: signed whole minutes (``+`` raises the balance).
        version: the account's version after this entry: 1 for its first entry, then 2, 3...
        at: the transfer's aware time.

    Example:
        >>> from datetime import datetime, timezone
        >>> e = LedgerEntry(0, "t-1", "V1", 90, 1, datetime(2024, 5, 1, tzinfo=timezone.utc))
        >>> e.amount, tuple(e)[:5]
        (Hours(minutes=90), (0, 't-1', 'V1', 90, 1))
    """

    sequence: int
    transfer_id: str
    account: str
    minutes: int
    version: int
    at: _dt.datetime

    @property
    def amount(self) -> Hours:
        """The entry's minutes as :class:`~volunteer_rules.Hours`.

        Example:
            >>> from datetime import datetime, timezone
            >>> LedgerEntry(0, "t", "V1", -30, 2, datetime(2024, 5, 1, tzinfo=timezone.utc)).amount
            Hours(minutes=-30)
        """
        return Hours.from_minutes(self.minutes)


@masked_repr
@attrs.frozen(kw_only=True)
class PostedTransfer:
    """A transfer as the ledger booked it.

    Attributes:
        transfer: the request, as first posted.
        index: its position among the ledger's transfers, from 0.
        entries: one :class:`LedgerEntry` per leg, in leg order, then the overflow legs (a
            volunteer's excess above the cap, then the same minutes into :data:`POOL`).

    Example:
        >>> from volunteer_rules.timebank.ledger import Ledger
        >>> from datetime import datetime, timezone
        >>> t = LedgerTransfer(transfer_id="t-1", kind="credit", legs=(("@issuer", -60), ("V1", 60)),
        ...              at=datetime(2024, 5, 1, tzinfo=timezone.utc), record_key=("o", "r"))
        >>> posted = Ledger().post(t)[1]
        >>> posted.index, posted.net("V1"), posted.overflow
        (0, Hours(minutes=60), ())
    """

    transfer: LedgerTransfer
    index: int
    entries: tuple[LedgerEntry, ...]

    @property
    def transfer_id(self) -> str:
        """The transfer's id.

        Example:
            >>> from datetime import datetime, timezone
            >>> t = LedgerTransfer(transfer_id="t-9", kind="donate", legs=(("V1", -1), ("@pool", 1)),
            ...              at=datetime(2024, 5, 1, tzinfo=timezone.utc))
            >>> PostedTransfer(transfer=t, index=0, entries=()).transfer_id
            't-9'
        """
        return self.transfer.transfer_id

    @property
    def overflow(self) -> tuple[LedgerEntry, ...]:
        """The entries the cap added (empty when nothing overflowed).

        Example:
            >>> from datetime import datetime, timezone
            >>> t = LedgerTransfer(transfer_id="t-9", kind="donate", legs=(("V1", -1), ("@pool", 1)),
            ...              at=datetime(2024, 5, 1, tzinfo=timezone.utc))
            >>> PostedTransfer(transfer=t, index=0, entries=()).overflow
            ()
        """
        return self.entries[len(self.transfer.legs) :]

    def net(self, account: str) -> Hours:
        """What the transfer did to ``account``, overflow included.

        Example:
            >>> from volunteer_rules.timebank.ledger import Ledger, LedgerLimits
            >>> from datetime import datetime, timezone
            >>> t = LedgerTransfer(transfer_id="c", kind="credit", legs=(("@issuer", -90), ("V1", 90)),
            ...              at=datetime(2024, 5, 1, tzinfo=timezone.utc), record_key=("o", "r"))
            >>> posted = Ledger(limits=LedgerLimits(cap=Hours.from_hours(1))).post(t)[1]
            >>> posted.net("V1"), posted.net("@pool"), len(posted.overflow)
            (Hours(minutes=60), Hours(minutes=30), 2)
        """
        return Hours.from_minutes(sum(e.minutes for e in self.entries if e.account == account))
