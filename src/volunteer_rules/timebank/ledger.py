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
  (:class:`~volunteer_rules.InvalidValueError` with ``what="cap"``).

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

import datetime as _dt
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping
from itertools import compress, count, islice
from operator import attrgetter
from typing import Any, Final, NamedTuple

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules.errors import ConflictError, InvalidTypeError, InvalidValueError, NotFoundError
from volunteer_rules.hours import Hours, InsufficientHoursError

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
_CHUNK: Final = 4096
_ID: Final = attrgetter("transfer_id")
_KIND: Final = attrgetter("kind")
_AT: Final = attrgetter("at")
_KEY: Final = attrgetter("record_key")
_NO_CAP: Final = 1 << 200  # above any balance: "no cap" without a None test per leg
_NO_FLOOR: Final = -(1 << 200)  # below any balance: the issuer's "no floor"


def _system_floors(volunteer_floor: int) -> dict[str, int]:
    """Floor per system account, and ``""`` for the volunteers' floor."""
    return {ISSUER: _NO_FLOOR, POOL: 0, REDEEMED: 0, HOLDS: 0, "": volunteer_floor}


_SIMPLE: Final = frozenset({"credit", "redeem", "give", "donate", "grant", "adjust"})
_NEEDS_REFERENCE: Final = frozenset({"post", "void", "expire", "reverse"})
_MAX_ID: Final = 200


def _instance_of(kind: type | tuple[type, ...]) -> Any:
    """An attrs validator raising the library's InvalidTypeError (never a bare TypeError)."""

    def check(instance: object, attribute: Any, value: Any) -> None:
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise InvalidTypeError(
                attribute.name, f"must be {_type_names(kind)}, not {type(value).__name__}"
            )

    return check


def _one_of(choices: tuple[str, ...]) -> Any:
    """An attrs validator raising the library's InvalidValueError (never a bare ValueError)."""

    def check(instance: object, attribute: Any, value: Any) -> None:
        if not isinstance(value, str) or value not in choices:
            raise InvalidValueError(attribute.name, f"{value!r} is not one of {choices}")

    return check


def _type_names(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(k.__name__ for k in kinds)


def _aware(value: _dt.datetime) -> bool:
    return value.tzinfo is not None and value.utcoffset() is not None


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


def _validate_at(instance: object, attribute: Any, value: Any) -> None:
    if value is None and attribute.name == "expires_at":
        return
    if not isinstance(value, _dt.datetime):
        raise InvalidTypeError(attribute.name, "must be an aware datetime")
    if not _aware(value):
        raise InvalidValueError(attribute.name, "must be a time-zone-aware datetime")


def _validate_transfer_id(instance: object, attribute: Any, value: Any) -> None:
    _check_id(attribute.name, value)


def _validate_kind(instance: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, str) or value not in KINDS:
        raise InvalidValueError("kind", f"{value!r} is not one of {sorted(KINDS)}")


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
    kind: str = attrs.field(validator=_validate_kind)
    legs: tuple[tuple[str, int], ...] = attrs.field(validator=_validate_legs)
    at: _dt.datetime = attrs.field(validator=_validate_at)
    reference: str | None = attrs.field(default=None, validator=_validate_reference)
    record_key: tuple[str, str] | None = attrs.field(default=None, validator=_validate_record_key)
    expires_at: _dt.datetime | None = attrs.field(default=None, validator=_validate_at)
    details: tuple[tuple[str, str], ...] = attrs.field(default=(), validator=_validate_details)
    memo: str = attrs.field(default="", validator=_instance_of(str))

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
            >>> from datetime import datetime, timezone
            >>> t = LedgerTransfer(transfer_id="c", kind="credit", legs=(("@issuer", -90), ("V1", 90)),
            ...              at=datetime(2024, 5, 1, tzinfo=timezone.utc), record_key=("o", "r"))
            >>> posted = Ledger(limits=LedgerLimits(cap=Hours.from_hours(1))).post(t)[1]
            >>> posted.net("V1"), posted.net("@pool"), len(posted.overflow)
            (Hours(minutes=60), Hours(minutes=30), 2)
        """
        return Hours.from_minutes(sum(e.minutes for e in self.entries if e.account == account))


_EXACT_TYPE: Final = frozenset({LedgerTransfer})  # the bulk path takes no subclass


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
        validator=[_instance_of(Hours), _non_negative],
    )
    cap: Hours | None = attrs.field(default=None, converter=_hours_or_none, validator=_non_negative)
    overflow: str = attrs.field(default="donate", validator=_one_of(("donate", "refuse")))


class _Log:
    """The append-only part of a ledger, shared by a ledger and the ledgers made from it.

    Entries are kept in columns: the entry rows of transfer ``i`` are its legs followed by
    ``extra[i]`` (overflow rows, rare). ``history[account]`` lists the sequences of the
    account's entries in order, so the version of an entry is its position there plus one; the
    lists are shared by the ledgers made from one another, each seeing the sequences below its
    own entry count. No object is made per entry until someone reads it.

    ``first`` and ``history`` (the entry index) and ``positions`` and ``credited`` (id and
    record key → transfer index) are built on the first read (:meth:`index`,
    :meth:`position`, :meth:`credited_position`); posting only appends to ``transfers`` and
    claims ids and keys in the ``ids`` and ``keys`` sets that decide idempotency.
    """

    __slots__ = (
        "credited",
        "credited_upto",
        "extra",
        "first",
        "history",
        "ids",
        "indexed",
        "indexed_entries",
        "keys",
        "lock",
        "positions",
        "positions_upto",
        "reversed_by",
        "tip",
        "transfers",
    )

    def __init__(self) -> None:
        self.transfers: list[LedgerTransfer] = []
        # built lazily by index(): posting never pays for them
        self.first: list[int] = []  # sequence of each transfer's first entry
        self.history: dict[str, list[int]] = {}  # account -> sequences of its entries
        self.indexed = 0  # transfers covered by first and history
        self.indexed_entries = 0  # entries covered by history
        self.extra: dict[int, tuple[tuple[str, int], ...]] = {}  # overflow rows by transfer
        # membership is eager (idempotency is decided on it); positions are an index built
        # on demand by position() and credited_position()
        self.ids: set[str] = set()
        self.keys: set[tuple[str, str]] = set()
        self.positions: dict[str, int] = {}
        self.positions_upto = 0
        self.credited: dict[tuple[str, str], int] = {}
        self.credited_upto = 0
        self.reversed_by: dict[str, int] = {}
        self.lock = threading.Lock()
        self.tip: object = None

    def rows(self, index: int) -> tuple[tuple[str, int], ...]:
        legs = self.transfers[index].legs
        extra = self.extra.get(index)
        return legs if extra is None else legs + extra

    def index(self, upto: int) -> None:
        """Extend ``first`` and ``history`` over the transfers below ``upto``."""
        if self.indexed >= upto:
            return
        with self.lock:
            start = self.indexed
            if start >= upto:
                return
            history = self.history
            history_get = history.get
            first_append = self.first.append
            extra = self.extra
            seq = self.indexed_entries
            for index, transfer in enumerate(islice(self.transfers, start, upto), start):
                first_append(seq)
                rows = transfer.legs
                if extra and index in extra:
                    rows = rows + extra[index]
                for account, _ in rows:
                    seqs = history_get(account)
                    if seqs is None:
                        seqs = history[account] = []
                    seqs.append(seq)
                    seq += 1
            self.indexed = upto
            self.indexed_entries = seq

    def position(self, transfer_id: str, nt: int) -> int | None:
        """The index of the transfer with this id, if it is among the first ``nt``."""
        if transfer_id not in self.ids:
            return None
        if self.positions_upto < nt:
            with self.lock:
                start = self.positions_upto
                if start < nt:
                    self.positions.update(zip(map(_ID, self.transfers[start:nt]), count(start)))
                    self.positions_upto = nt
        index = self.positions.get(transfer_id)
        return index if index is not None and index < nt else None

    def credited_position(self, key: tuple[str, str], nt: int) -> int | None:
        """The index of the credit of this record key, if it is among the first ``nt``."""
        if key not in self.keys:
            return None
        if self.credited_upto < nt:
            with self.lock:
                start = self.credited_upto
                if start < nt:
                    selectors = list(map(_KEY, self.transfers[start:nt]))
                    self.credited.update(compress(zip(selectors, count(start)), selectors))
                    self.credited_upto = nt
        index = self.credited.get(key)
        return index if index is not None and index < nt else None

    def truncated(self, nt: int, ne: int) -> _Log:
        log = _Log()
        log.transfers = self.transfers[:nt]
        log.first = self.first[:nt]
        log.indexed = min(self.indexed, nt)
        log.indexed_entries = min(self.indexed_entries, ne)
        log.history = {}
        for account, seqs in list(self.history.items()):
            kept = seqs[: bisect_left(seqs, ne)]
            if kept:
                log.history[account] = kept
        log.extra = {k: v for k, v in list(self.extra.items()) if k < nt}
        log.ids = set(map(_ID, log.transfers))
        log.keys = set(filter(None, map(_KEY, log.transfers)))
        log.reversed_by = {k: i for k, i in list(self.reversed_by.items()) if i < nt}
        return log


class _Hold(NamedTuple):
    account: str
    minutes: int
    expires_at: _dt.datetime


class Ledger:
    """An immutable time bank ledger: posted transfers, their entries, and the derived balances.

    Build an empty one with ``Ledger()`` (or ``Ledger(limits=...)``), or replay stored
    transfers with :meth:`from_transfers`. Posting returns a new ledger; the old one is unchanged
    and stays valid. Reading is safe from several threads.

    Args:
        limits: the balance limits (:class:`LedgerLimits`); a policy's ``limits``.

    Example:
        >>> from datetime import datetime, timezone
        >>> at = datetime(2024, 5, 1, tzinfo=timezone.utc)
        >>> empty = Ledger(limits=LedgerLimits(cap=Hours.from_hours(1)))
        >>> t = LedgerTransfer(transfer_id="c-1", kind="credit", legs=(("@issuer", -90), ("V1", 90)),
        ...              at=at, record_key=("o", "r-1"))
        >>> ledger, posted = empty.post(t)
        >>> ledger.balance("V1"), ledger.balance(POOL), len(empty), len(ledger)
        (Hours(minutes=60), Hours(minutes=30), 0, 1)
    """

    __slots__ = (
        "_balances",
        "_holds",
        "_last_at",
        "_limits",
        "_log",
        "_ne",
        "_next_expiry",
        "_nt",
        "_token",
    )

    def __init__(self, *, limits: LedgerLimits | None = None) -> None:
        if limits is None:
            limits = LedgerLimits()
        elif not isinstance(limits, LedgerLimits):
            raise InvalidTypeError("limits", f"must be LedgerLimits, not {type(limits).__name__}")
        self._limits = limits
        self._log = _Log()
        self._nt = 0
        self._ne = 0
        self._balances: dict[str, int] = {}
        self._holds: dict[str, _Hold] = {}
        self._last_at: _dt.datetime | None = None
        self._next_expiry: _dt.datetime | None = None
        self._token = object()
        self._log.tip = self._token

    # ----------------------------------------------------------------- building

    @classmethod
    def from_transfers(
        cls, transfers: Iterable[LedgerTransfer], *, limits: LedgerLimits | None = None
    ) -> Ledger:
        """Replay transfers (as stored, in order) into a ledger; ``expire`` ones are re-made.

        Raises:
            InvalidTypeError, InvalidValueError, ConflictError, InsufficientHoursError: a
                transfer cannot be posted (the stored history is not a valid ledger).

        Example:
            >>> from datetime import datetime, timezone
            >>> t = LedgerTransfer(transfer_id="g", kind="grant", legs=(("@pool", -1), ("V1", 1)),
            ...              at=datetime(2024, 5, 1, tzinfo=timezone.utc))
            >>> Ledger.from_transfers([])
            Ledger(transfers=0, entries=0)
        """
        ledger = cls(limits=limits)
        if isinstance(transfers, (str, bytes)) or not isinstance(transfers, Iterable):
            raise InvalidTypeError("transfers", "must be an iterable of LedgerTransfer")
        return ledger.post_many(transfers)

    def _fork(self) -> Ledger:
        new = object.__new__(Ledger)
        new._limits = self._limits
        new._token = object()
        log = self._log
        with log.lock:
            if log.tip is self._token and len(log.transfers) == self._nt:
                log.tip = new._token
                shared = True
            else:
                shared = False
        if not shared:
            log = log.truncated(self._nt, self._ne)
            log.tip = new._token
        new._log = log
        new._nt = self._nt
        new._ne = self._ne
        new._balances = dict(self._balances)
        new._holds = dict(self._holds)
        new._last_at = self._last_at
        new._next_expiry = self._next_expiry
        return new

    def post(self, transfer: LedgerTransfer) -> tuple[Ledger, PostedTransfer]:
        """Post one transfer; return the new ledger and the transfer as posted.

        A retry (same id, same content) returns ``self`` and the original posting.

        Raises:
            InvalidTypeError: ``transfer`` is not a :class:`LedgerTransfer`.
            InvalidValueError: ``at`` earlier than the last transfer, a ``expire`` posted by a
                caller, a reference to a missing or unsuitable transfer, legs that do not match
                the reservation or transfer referred to, the cap exceeded under ``"refuse"``.
            ConflictError: the id exists with other content, the record was already credited,
                the transfer was already reversed.
            InsufficientHoursError: an account would go below its floor.

        Example:
            >>> from datetime import datetime, timezone
            >>> t = LedgerTransfer(transfer_id="d", kind="donate", legs=(("V1", -60), (POOL, 60)),
            ...              at=datetime(2024, 5, 1, tzinfo=timezone.utc))
            >>> Ledger().post(t)
            Traceback (most recent call last):
            ...
            volunteer_rules.hours.InsufficientHoursError: V1: 1 h requested but only 0 h available
        """
        if not isinstance(transfer, LedgerTransfer):
            raise InvalidTypeError(
                "transfer", f"must be a LedgerTransfer, not {type(transfer).__name__}"
            )
        existing = self._find(transfer.transfer_id)
        if existing is not None:
            self._same_or_conflict(existing, transfer)
            return self, self._posted(existing)
        new = self.post_many((transfer,))
        index = new._find(transfer.transfer_id)
        assert index is not None
        return new, new._posted(index)

    def post_many(self, transfers: Iterable[LedgerTransfer]) -> Ledger:
        """Post a batch atomically (all or nothing); retries inside are no-ops.

        The hot path for bulk work: the ledger's state is copied once for the whole batch.
        Use :meth:`postings` with ``start=len(old)`` to read what was added.

        Raises:
            The errors of :meth:`post`; on any error nothing of the batch is posted.

        Example:
            >>> from datetime import datetime, timezone
            >>> at = datetime(2024, 5, 1, tzinfo=timezone.utc)
            >>> batch = [LedgerTransfer(transfer_id=f"c-{i}", kind="credit", record_key=("o", str(i)),
            ...                   legs=((ISSUER, -60), ("V1", 60)), at=at) for i in range(3)]
            >>> Ledger().post_many(batch + batch).balance("V1")
            Hours(minutes=180)
        """
        if isinstance(transfers, (str, bytes)) or not isinstance(transfers, Iterable):
            raise InvalidTypeError("transfers", "must be an iterable of LedgerTransfer")
        new = self._fork()
        try:
            new._post_all(transfers)
        except BaseException:
            new._rollback(self)
            raise
        return new

    # ----------------------------------------------------------------- the hot path

    def _rollback(self, old: Ledger) -> None:
        """Undo the appends of a failed batch so that ``old`` keeps sharing the log."""
        log = self._log
        with log.lock:
            if log.tip is not self._token or log is not old._log:
                return
            nt, ne = old._nt, old._ne
            for transfer in log.transfers[nt:]:
                log.ids.discard(transfer.transfer_id)
                if log.positions.get(transfer.transfer_id, -1) >= nt:
                    del log.positions[transfer.transfer_id]
                key = transfer.record_key
                if key is not None:
                    log.keys.discard(key)
                    if log.credited.get(key, -1) >= nt:
                        del log.credited[key]
                ref = transfer.reference
                if ref is not None and log.reversed_by.get(ref, -1) >= nt:
                    del log.reversed_by[ref]
            for index in [k for k in log.extra if k >= nt]:
                del log.extra[index]
            del log.transfers[nt:]
            del log.first[nt:]
            log.indexed = min(log.indexed, nt)
            log.indexed_entries = min(log.indexed_entries, ne)
            log.positions_upto = min(log.positions_upto, nt)
            log.credited_upto = min(log.credited_upto, nt)
            for seqs in log.history.values():
                while seqs and seqs[-1] >= ne:
                    seqs.pop()
            log.tip = old._token

    def _post_all(self, transfers: Iterable[LedgerTransfer]) -> None:
        """Post a batch in chunks: clean chunks in bulk, the rest one by one."""
        if isinstance(transfers, (list, tuple)):  # slices copy faster than islice
            chunks: Iterable[list[LedgerTransfer] | tuple[LedgerTransfer, ...]] = (
                transfers[start : start + _CHUNK] for start in range(0, len(transfers), _CHUNK)
            )
        else:
            items = iter(transfers)
            chunks = iter(lambda: list(islice(items, _CHUNK)), [])
        for chunk in chunks:
            done = self._post_chunk(chunk)
            if done < len(chunk):
                self._post_each(chunk[done:] if done else chunk)

    def _post_chunk(self, chunk: list[LedgerTransfer] | tuple[LedgerTransfer, ...]) -> int:
        """Post a chunk of fresh two-leg transfers in bulk; return how many were posted.

        The chunk-wide checks run at C speed: every item a ``LedgerTransfer`` of a simple
        kind, ids new and distinct, record keys new and distinct, times in order and not
        before the ledger's last, no hold falling due. Then one loop moves the balances and
        checks floor and cap per leg; it stops at the first transfer needing more (three or
        more legs, a floor breached, an overflow), and the caller posts the rest one by one
        with every check. Returns 0 (nothing done) when a chunk-wide check fails.
        """
        n = len(chunk)
        # issuperset walks the iterator without building a set and stops at the first miss
        if not n or not _EXACT_TYPE.issuperset(map(type, chunk)):
            return 0
        if not _SIMPLE.issuperset(map(_KIND, chunk)):
            return 0
        log = self._log
        ats = list(map(_AT, chunk))
        last_at = self._last_at
        # in order: sorting an ordered list compares neighbours once (the sort is stable, so
        # the sorted copy holds the same objects); this beats a map(le, ...) of n calls
        if (last_at is not None and ats[0] < last_at) or ats != sorted(ats):
            return 0
        if self._next_expiry is not None and ats[-1] >= self._next_expiry:
            return 0
        nt, ne = self._nt, self._ne
        # Claim the ids and record keys: each set must grow by exactly their number, or one
        # was posted before (a retry) or comes twice; then give back the claims that are not
        # posted transfers and let the one-by-one path sort it out.
        seen = log.ids
        ids = list(map(_ID, chunk))
        size = len(seen)
        seen.update(ids)
        if len(seen) != size + n:
            self._unclaim(ids, ())
            return 0
        keys = list(filter(None, map(_KEY, chunk)))
        credited = log.keys
        if keys:
            size = len(credited)
            credited.update(keys)
            if len(credited) != size + len(keys):
                self._unclaim(ids, keys)
                return 0
        balances = self._balances
        balance_get = balances.get
        system = SYSTEM_ACCOUNTS
        issuer = ISSUER
        limits = self._limits
        floors = _system_floors(-limits.overdraft.minutes)
        floor_get = floors.get
        floor = floors[""]
        cap = limits.cap.minutes if limits.cap is not None else _NO_CAP
        # A floor is never above zero: look it up only for a balance that went negative, and
        # not for the issuer (no floor; an equal but distinct "@issuer" string still finds
        # its _NO_FLOOR in the look-up). Balances are read by subscript (faster than get);
        # an account's first entry takes the KeyError branch once.
        for transfer in chunk:
            try:
                (a, ma), (b, mb) = transfer.legs
            except ValueError:  # three legs or more
                break
            try:
                ba = balances[a] + ma
                bb = balances[b] + mb
            except KeyError:
                ba = balance_get(a, 0) + ma
                bb = balance_get(b, 0) + mb
            if ma < 0:
                if (ba < 0 and a is not issuer and ba < floor_get(a, floor)) or (
                    bb > cap and b not in system
                ):
                    break
            elif (bb < 0 and b is not issuer and bb < floor_get(b, floor)) or (
                ba > cap and a not in system
            ):
                break
            balances[a] = ba
            balances[b] = bb
        else:
            transfer = None
        done = n if transfer is None else chunk.index(transfer)
        if done < n:  # the rest goes one by one: un-claim its ids and keys
            seen.difference_update(ids[done:])
            credited.difference_update(filter(None, map(_KEY, chunk[done:])))
        if done:
            log.transfers.extend(chunk if done == n else chunk[:done])
            self._nt = nt + done
            self._ne = ne + 2 * done
            self._last_at = ats[done - 1]
        return done

    def _unclaim(self, ids: Iterable[str], keys: Iterable[tuple[str, str]]) -> None:
        log = self._log
        for tid in ids:
            if log.position(tid, self._nt) is None:
                log.ids.discard(tid)
        for key in keys:
            if log.credited_position(key, self._nt) is None:
                log.keys.discard(key)

    def _post_each(self, transfers: Iterable[LedgerTransfer]) -> None:
        """Post transfers one by one, each with every check (retries, expiry, kinds)."""
        for transfer in transfers:
            if not isinstance(transfer, LedgerTransfer):
                raise InvalidTypeError(
                    "transfer", f"must be a LedgerTransfer, not {type(transfer).__name__}"
                )
            tid = transfer.transfer_id
            index = self._find(tid)
            if index is not None:
                self._same_or_conflict(index, transfer)
                continue
            at = transfer.at
            if self._last_at is not None and at < self._last_at:
                raise InvalidValueError(
                    "at", f"transfer {tid!r} at {at.isoformat()} is earlier than the last transfer"
                )
            if self._next_expiry is not None and at >= self._next_expiry:
                self._expire_holds(at)
                made = self._find(tid)
                if made is not None:  # a stored ``expire`` the ledger has just re-made
                    self._same_or_conflict(made, transfer)
                    continue
            if transfer.kind in _SIMPLE:
                self._post_simple(transfer)
            else:
                self._special(transfer)

    def _open_hold(self, transfer: LedgerTransfer) -> None:
        assert transfer.expires_at is not None
        account, minutes = next((a, -m) for a, m in transfer.legs if a != HOLDS)
        self._holds[transfer.transfer_id] = _Hold(account, minutes, transfer.expires_at)
        if self._next_expiry is None or transfer.expires_at < self._next_expiry:
            self._next_expiry = transfer.expires_at

    def _close_hold(self, reservation_id: str) -> None:
        self._holds.pop(reservation_id, None)
        self._next_expiry = min((h.expires_at for h in self._holds.values()), default=None)

    def _expire_holds(self, now: _dt.datetime) -> None:
        due = sorted((h.expires_at, rid) for rid, h in self._holds.items() if h.expires_at <= now)
        for expires_at, rid in due:
            hold = self._holds[rid]
            last = self._last_at
            release = LedgerTransfer(
                transfer_id=f"{rid}~expired",
                kind="expire",
                legs=((HOLDS, -hold.minutes), (hold.account, hold.minutes)),
                at=expires_at if last is None or expires_at > last else last,
                reference=rid,
            )
            self._post_simple(release)
            self._close_hold(rid)

    def _post_simple(self, transfer: LedgerTransfer) -> None:
        """Append one transfer whose special checks are done: floors, cap, entries."""
        log = self._log
        balances = self._balances
        limits = self._limits
        cap = None if limits.cap is None else limits.cap.minutes
        tid = transfer.transfer_id
        key = transfer.record_key
        if key is not None:
            other = log.credited_position(key, self._nt)
            if other is not None:
                raise ConflictError(
                    tid,
                    f"record {key[0]}/{key[1]} was already credited by transfer "
                    f"{log.transfers[other].transfer_id!r}",
                )
        overflow: list[tuple[str, int]] = []
        new_balances: dict[str, int] = {}
        for account, minutes in transfer.legs:
            before = balances.get(account, 0)
            balance = before + minutes
            if minutes < 0:
                if account in SYSTEM_ACCOUNTS:
                    floor = None if account == ISSUER else 0
                else:
                    floor = -limits.overdraft.minutes
                if floor is not None and balance < floor:
                    raise _insufficient(account, before, minutes, floor)
            elif cap is not None and balance > cap and account not in SYSTEM_ACCOUNTS:
                if limits.overflow == "refuse" and transfer.kind not in ("expire", "void"):
                    raise _above_cap(account, balance)
                overflow.append((account, min(minutes, balance - cap)))
            new_balances[account] = balance
        if sum(m for _, m in transfer.legs) != 0:
            raise InvalidValueError("legs", f"transfer {tid!r} does not balance")
        rows: list[tuple[str, int]] = list(transfer.legs)
        if overflow:
            pooled = 0
            for account, excess in overflow:
                new_balances[account] -= excess
                rows.append((account, -excess))
                pooled += excess
            new_balances[POOL] = new_balances.get(POOL, balances.get(POOL, 0)) + pooled
            rows.append((POOL, pooled))
        balances.update(new_balances)
        nt = self._nt
        if len(rows) > len(transfer.legs):
            log.extra[nt] = tuple(rows[len(transfer.legs) :])
        log.transfers.append(transfer)
        log.ids.add(tid)
        if key is not None:
            log.keys.add(key)
        if transfer.kind == "reverse":
            assert transfer.reference is not None
            log.reversed_by[transfer.reference] = nt
        self._nt = nt + 1
        self._ne += len(rows)
        self._last_at = transfer.at

    def _special(self, transfer: LedgerTransfer) -> None:
        """Check and post a reserve, post, void or reverse transfer."""
        kind = transfer.kind
        tid = transfer.transfer_id
        if kind == "expire":
            raise InvalidValueError("kind", "expire transfers are made by the ledger, not posted")
        if kind == "reserve":
            legs = dict(transfer.legs)
            if len(legs) != 2 or legs.get(HOLDS, 0) <= 0:
                raise InvalidValueError(
                    "legs", "a reservation moves hours from one account to @holds"
                )
            if any(a in SYSTEM_ACCOUNTS for a in legs if a != HOLDS):
                raise InvalidValueError("legs", "only a volunteer's hours can be reserved")
            self._post_simple(transfer)
            self._open_hold(transfer)
            return
        reference = transfer.reference
        assert reference is not None
        target = self._find(reference)
        if target is None:
            raise InvalidValueError("reference", f"no transfer {reference!r} in the ledger")
        original = self._log.transfers[target]
        if kind in ("post", "void"):
            if original.kind != "reserve":
                raise InvalidValueError("reference", f"{reference!r} is not a reservation")
            hold = self._holds.get(reference)
            if hold is None:
                raise ConflictError(
                    tid, f"reservation {reference!r} is no longer open (posted, voided or expired)"
                )
            to = REDEEMED if kind == "post" else hold.account
            expected = ((HOLDS, -hold.minutes), (to, hold.minutes))
            if transfer.legs != expected:
                raise InvalidValueError("legs", f"a {kind} of {reference!r} must be {expected}")
            self._post_simple(transfer)
            self._close_hold(reference)
            return
        # reverse
        if original.kind in _NOT_REVERSIBLE:
            raise InvalidValueError("reference", f"a {original.kind} transfer cannot be reversed")
        done = self._log.reversed_by.get(reference)
        if done is not None and done < self._nt:
            raise ConflictError(
                tid,
                f"transfer {reference!r} was already reversed by "
                f"{self._log.transfers[done].transfer_id!r}",
            )
        undo = self.reversal_legs(reference)
        if transfer.legs != undo:
            raise InvalidValueError("legs", f"a reversal of {reference!r} must be {undo}")
        self._post_simple(transfer)

    def reversal_legs(self, transfer_id: str) -> tuple[tuple[str, int], ...]:
        """The legs of the transfer that undoes ``transfer_id``: its net effect, negated.

        Overflow entries are undone too. A settled reservation (``post``) is undone by a refund
        from :data:`REDEEMED` to the volunteer who reserved.

        Raises:
            NotFoundError: no such transfer.
            InvalidValueError: the transfer moved no hours (a grant to a volunteer at the cap
                whose whole amount overflowed back to the pool, say): there is nothing to undo.

        Example:
            >>> from datetime import datetime, timezone
            >>> t = LedgerTransfer(transfer_id="g", kind="give", legs=(("V1", -30), ("V2", 30)),
            ...              at=datetime(2024, 5, 1, tzinfo=timezone.utc))
            >>> Ledger(limits=LedgerLimits(overdraft=Hours.from_hours(1))).post(t)[0].reversal_legs("g")
            (('V1', 30), ('V2', -30))
        """
        posted = self.transfer(transfer_id)
        transfer = posted.transfer
        net: dict[str, int] = {}
        for entry in posted.entries:
            net[entry.account] = net.get(entry.account, 0) + entry.minutes
        if transfer.kind == "post":
            assert transfer.reference is not None
            reservation = self.transfer(transfer.reference).transfer
            account = next(a for a, _ in reservation.legs if a != HOLDS)
            minutes = net.get(REDEEMED, 0)
            return ((REDEEMED, -minutes), (account, minutes))
        legs = tuple((account, -minutes) for account, minutes in net.items() if minutes)
        if not legs:
            raise InvalidValueError(
                "reference", f"transfer {transfer_id!r} moved no hours: there is nothing to reverse"
            )
        return legs

    # ----------------------------------------------------------------- helpers

    def _find(self, transfer_id: object) -> int | None:
        if not isinstance(transfer_id, str):
            return None
        index = self._log.position(transfer_id, self._nt)
        if index is None or index >= self._nt:
            return None
        return index

    def _same_or_conflict(self, index: int, transfer: LedgerTransfer) -> None:
        original = self._log.transfers[index]
        if original.content() != transfer.content():
            raise ConflictError(
                transfer.transfer_id,
                f"transfer {transfer.transfer_id!r} exists with different content",
            )

    def _posted(self, index: int) -> PostedTransfer:
        log = self._log
        log.index(self._nt)
        transfer = log.transfers[index]
        start = log.first[index]
        end = log.first[index + 1] if index + 1 < self._nt else self._ne
        tid = transfer.transfer_id
        at = transfer.at
        history = log.history
        entries = tuple(
            LedgerEntry(
                start + j, tid, account, minutes, bisect_left(history[account], start + j) + 1, at
            )
            for j, (account, minutes) in enumerate(log.rows(index))
        )
        assert start + len(entries) == end
        return PostedTransfer(transfer=transfer, index=index, entries=entries)

    # ----------------------------------------------------------------- reading

    @property
    def limits(self) -> LedgerLimits:
        """The limits this ledger enforces.

        Example:
            >>> Ledger().limits.overdraft
            Hours(minutes=0)
        """
        return self._limits

    @property
    def last_at(self) -> _dt.datetime | None:
        """The time of the last transfer (``None`` when empty); the next may not be earlier.

        Example:
            >>> Ledger().last_at is None
            True
        """
        return self._last_at

    def __len__(self) -> int:
        return self._nt

    def __repr__(self) -> str:
        return f"Ledger(transfers={self._nt}, entries={self._ne})"

    def balance(self, account: str) -> Hours:
        """The account's balance: the sum of its entries (zero for an unknown account).

        Example:
            >>> Ledger().balance("V1")
            Hours(minutes=0)
        """
        _check_account("account", account)
        return Hours.from_minutes(self._balances.get(account, 0))

    def balances(self) -> dict[str, Hours]:
        """Every account with entries and its balance, sorted by account.

        Example:
            >>> Ledger().balances()
            {}
        """
        return {a: Hours.from_minutes(m) for a, m in sorted(self._balances.items())}

    def version(self, account: str) -> int:
        """The account's version: how many entries it has (0 for none).

        Example:
            >>> Ledger().version("V1")
            0
        """
        _check_account("account", account)
        self._log.index(self._nt)
        seqs = self._log.history.get(account)
        return 0 if seqs is None else bisect_left(seqs, self._ne)

    def versions(self) -> dict[str, int]:
        """Every account's version, sorted by account (a store's expected versions).

        Example:
            >>> Ledger().versions()
            {}
        """
        return {account: self.version(account) for account in sorted(self._balances)}

    def held(self, account: str, *, now: _dt.datetime) -> Hours:
        """Hours of ``account`` in reservations still open at ``now`` (``now < expires_at``).

        Example:
            >>> from datetime import datetime, timezone
            >>> Ledger().held("V1", now=datetime(2024, 5, 1, tzinfo=timezone.utc))
            Hours(minutes=0)
        """
        _check_account("account", account)
        now = _check_now(now)
        return Hours.from_minutes(
            sum(
                h.minutes
                for h in self._holds.values()
                if h.account == account and now < h.expires_at
            )
        )

    def available(self, account: str, *, now: _dt.datetime) -> Hours:
        """What ``account`` may spend at ``now``: balance plus overdraft plus expired holds.

        Reserved hours are not available while their hold is open; a hold that expired by
        ``now`` is available even before its ``expire`` transfer is posted. Never negative.

        Example:
            >>> from datetime import datetime, timezone
            >>> now = datetime(2024, 5, 1, tzinfo=timezone.utc)
            >>> Ledger(limits=LedgerLimits(overdraft=Hours.from_hours(2))).available("V1", now=now)
            Hours(minutes=120)
        """
        _check_account("account", account)
        now = _check_now(now)
        released = sum(
            h.minutes for h in self._holds.values() if h.account == account and h.expires_at <= now
        )
        if account == ISSUER:
            floor = None
        elif account in SYSTEM_ACCOUNTS:
            floor = 0
        else:
            floor = -self._limits.overdraft.minutes
        balance = self._balances.get(account, 0) + released
        if floor is None:
            raise InvalidValueError("account", "the issuer has no limit")
        return Hours.from_minutes(max(0, balance - floor))

    def open_holds(self, *, now: _dt.datetime) -> dict[str, tuple[str, Hours, _dt.datetime]]:
        """Reservations open at ``now``: id → ``(account, hours, expires_at)``, sorted by id.

        Example:
            >>> from datetime import datetime, timezone
            >>> Ledger().open_holds(now=datetime(2024, 5, 1, tzinfo=timezone.utc))
            {}
        """
        now = _check_now(now)
        return {
            rid: (h.account, Hours.from_minutes(h.minutes), h.expires_at)
            for rid, h in sorted(self._holds.items())
            if now < h.expires_at
        }

    def transfer(self, transfer_id: str) -> PostedTransfer:
        """The posted transfer with this id.

        Raises:
            NotFoundError: no such transfer.

        Example:
            >>> Ledger().transfer("t-1")
            Traceback (most recent call last):
            ...
            volunteer_rules.errors.NotFoundError: no transfer 't-1'
        """
        index = self._find(transfer_id)
        if index is None:
            raise NotFoundError(str(transfer_id), f"no transfer {transfer_id!r}")
        return self._posted(index)

    def __contains__(self, transfer_id: object) -> bool:
        return self._find(transfer_id) is not None

    def reversed_by(self, transfer_id: str) -> str | None:
        """The id of the reversal of ``transfer_id``, or ``None`` if it stands.

        Example:
            >>> Ledger().reversed_by("t-1") is None
            True
        """
        index = self._log.reversed_by.get(transfer_id) if isinstance(transfer_id, str) else None
        if index is None or index >= self._nt:
            return None
        return self._log.transfers[index].transfer_id

    def credited_by(self, record_key: tuple[str, str]) -> str | None:
        """The id of the credit of service record ``(organization_id, record_id)``, or ``None``.

        Example:
            >>> Ledger().credited_by(("org", "r-1")) is None
            True
        """
        try:
            index = self._log.credited_position(record_key, self._nt)
        except TypeError:
            raise InvalidTypeError(
                "record_key", "must be an (organization_id, record_id) pair"
            ) from None
        if index is None or index >= self._nt:
            return None
        return self._log.transfers[index].transfer_id

    def postings(self, start: int = 0) -> Iterator[PostedTransfer]:
        """The posted transfers from position ``start`` on, in order.

        Example:
            >>> list(Ledger().postings())
            []
        """
        if type(start) is not int or start < 0:
            raise InvalidValueError("start", "must be an int, 0 or more")
        for index in range(start, self._nt):
            yield self._posted(index)

    def transfers(self) -> tuple[LedgerTransfer, ...]:
        """Every posted transfer request, in order (what a store keeps to replay the ledger).

        Example:
            >>> Ledger().transfers()
            ()
        """
        return tuple(self._log.transfers[: self._nt])

    def entries(
        self,
        account: str | None = None,
        *,
        start: _dt.datetime | None = None,
        end: _dt.datetime | None = None,
    ) -> Iterator[LedgerEntry]:
        """Entries in ledger order, of one account or all, with ``start <= at < end``.

        Example:
            >>> list(Ledger().entries("V1"))
            []
        """
        if account is not None:
            _check_account("account", account)
        if start is not None:
            start = _check_now(start, "start")
        if end is not None:
            end = _check_now(end, "end")
        log = self._log
        transfers = log.transfers
        nt, ne = self._nt, self._ne
        log.index(nt)
        first = log.first
        if account is not None:
            seqs = log.history.get(account, [])
            for position in range(bisect_left(seqs, ne)):
                seq = seqs[position]
                index = bisect_right(first, seq, 0, nt) - 1
                transfer = transfers[index]
                at = transfer.at
                if (start is not None and at < start) or (end is not None and at >= end):
                    continue
                minutes = log.rows(index)[seq - first[index]][1]
                yield LedgerEntry(seq, transfer.transfer_id, account, minutes, position + 1, at)
            return
        counts: dict[str, int] = {}
        for index in range(nt):
            transfer = transfers[index]
            at = transfer.at
            skip = (start is not None and at < start) or (end is not None and at >= end)
            seq = first[index]
            for account_, minutes in log.rows(index):
                version = counts.get(account_, 0) + 1
                counts[account_] = version
                if not skip:
                    yield LedgerEntry(seq, transfer.transfer_id, account_, minutes, version, at)
                seq += 1

    def stored_balances(self) -> dict[str, int]:
        """The running totals the ledger keeps, in minutes (a cache; see :func:`check_ledger`).

        Example:
            >>> Ledger().stored_balances()
            {}
        """
        return dict(self._balances)


def _insufficient(account: str, before: int, minutes: int, floor: int) -> InsufficientHoursError:
    available = Hours.from_minutes(max(0, before - floor))
    requested = Hours.from_minutes(-minutes)
    return InsufficientHoursError(
        available, requested, f"{account}: {requested} requested but only {available} available"
    )


def _above_cap(account: str, balance: int) -> InvalidValueError:
    return InvalidValueError(
        "cap", f"{account} would hold {Hours.from_minutes(balance)}, above the cap"
    )


def _check_now(value: object, what: str = "now") -> _dt.datetime:
    if not isinstance(value, _dt.datetime):
        raise InvalidTypeError(what, f"must be an aware datetime, not {type(value).__name__}")
    if not _aware(value):
        raise InvalidValueError(what, "must be a time-zone-aware datetime")
    return value


# ------------------------------------------------------------------------- invariants


@masked_repr
@attrs.frozen(kw_only=True)
class LedgerViolation:
    """One broken invariant found by :func:`check_ledger`.

    Attributes:
        code: ``unbalanced``, ``duplicate_transfer``, ``duplicate_record``, ``below_floor``,
            ``above_cap``, ``dangling_reference``, ``bad_reference`` (a settlement of something
            that is not a reservation, a reversal of what cannot be reversed),
            ``double_settlement``, ``double_reversal``, ``stored_total_mismatch``,
            ``version_gap``, ``sequence_gap``, ``time_order``, ``zero_entry``, ``hold_mismatch``.
        message: one sentence.
        transfer_id: the transfer concerned, if any.
        account: the account concerned, if any.

    Example:
        >>> LedgerViolation(code="unbalanced", message="t-1 sums to 5 min", transfer_id="t-1").code
        'unbalanced'
    """

    code: str
    message: str
    transfer_id: str | None = None
    account: str | None = None


def check_ledger(
    ledger: Ledger | Iterable[PostedTransfer],
    *,
    limits: LedgerLimits | None = None,
    stored_balances: Mapping[str, Hours | int] | None = None,
) -> tuple[LedgerViolation, ...]:
    """Check every invariant of a ledger from its entries alone; return what is broken.

    Checks: every transfer sums to zero and has no zero entry; no transfer id twice; no
    service record credited twice; every ``reference`` points at an earlier transfer of the
    right kind, every transfer reversed and every reservation settled at most once; entry sequences run 0, 1, 2... and each account's
    versions 1, 2, 3...; times never go back; no account outside its limits at any point
    (floors: ``-overdraft`` for volunteers, 0 for system accounts but the issuer; cap for
    volunteers); :data:`HOLDS` equals the open holds; stored totals (the ledger's own running
    totals when given a :class:`Ledger`, and ``stored_balances`` when given) equal the entries.

    Args:
        ledger: a :class:`Ledger`, or posted transfers in order (as a store returns them).
        limits: the limits to check against (default: the ledger's own, or no cap and no
            overdraft for a plain sequence).
        stored_balances: totals a store keeps per account (``Hours`` or minutes), if any.

    Returns:
        The violations, in the order found; empty when the ledger is sound.

    Example:
        >>> check_ledger(Ledger())
        ()
        >>> check_ledger(Ledger(), stored_balances={"V1": 60})[0].code
        'stored_total_mismatch'
    """
    violations: list[LedgerViolation] = []

    def add(code: str, message: str, tid: str | None = None, account: str | None = None) -> None:
        violations.append(
            LedgerViolation(code=code, message=message, transfer_id=tid, account=account)
        )

    if isinstance(ledger, Ledger):
        postings: Iterable[PostedTransfer] = ledger.postings()
        if limits is None:
            limits = ledger.limits
        own: Mapping[str, int] | None = ledger.stored_balances()
    elif isinstance(ledger, Iterable) and not isinstance(ledger, (str, bytes, Mapping)):
        postings = ledger
        own = None
    else:
        raise InvalidTypeError("ledger", "must be a Ledger or an iterable of PostedTransfer")
    if limits is None:
        limits = LedgerLimits()
    elif not isinstance(limits, LedgerLimits):
        raise InvalidTypeError("limits", f"must be LedgerLimits, not {type(limits).__name__}")
    floor = -limits.overdraft.minutes
    cap = None if limits.cap is None else limits.cap.minutes

    balances: dict[str, int] = {}
    versions: dict[str, int] = {}
    seen: dict[str, LedgerTransfer] = {}
    settled: set[str] = set()
    credited: dict[tuple[str, str], str] = {}
    reversed_: dict[str, str] = {}
    holds: dict[str, int] = {}
    expected_seq = 0
    last_at: _dt.datetime | None = None
    for position, posted in enumerate(postings):
        if not isinstance(posted, PostedTransfer):
            raise InvalidTypeError("ledger", f"item {position} is not a PostedTransfer")
        transfer = posted.transfer
        tid = transfer.transfer_id
        if tid in seen:
            add("duplicate_transfer", f"transfer id {tid!r} appears twice", tid)
        seen[tid] = transfer
        if last_at is not None and transfer.at < last_at:
            add("time_order", f"transfer {tid!r} is earlier than the one before it", tid)
        last_at = transfer.at if last_at is None else max(last_at, transfer.at)
        if transfer.record_key is not None:
            if transfer.record_key in credited:
                add(
                    "duplicate_record",
                    f"record {transfer.record_key} credited by {credited[transfer.record_key]!r} "
                    f"and {tid!r}",
                    tid,
                )
            else:
                credited[transfer.record_key] = tid
        reference = transfer.reference
        if reference is not None:
            if reference not in seen or reference == tid:
                add("dangling_reference", f"{tid!r} refers to missing transfer {reference!r}", tid)
            elif transfer.kind == "reverse":
                if seen[reference].kind in _NOT_REVERSIBLE:
                    add("bad_reference", f"{tid!r} reverses a {seen[reference].kind}", tid)
                if reference in reversed_:
                    add("double_reversal", f"{reference!r} reversed twice", tid)
                reversed_[reference] = tid
            elif seen[reference].kind != "reserve":
                add("bad_reference", f"{tid!r} settles {reference!r}, not a reservation", tid)
            else:
                if reference in settled:
                    add("double_settlement", f"reservation {reference!r} settled twice", tid)
                settled.add(reference)
        total = 0
        for entry in posted.entries:
            if entry.sequence != expected_seq:
                add(
                    "sequence_gap", f"entry {entry.sequence} where {expected_seq} was expected", tid
                )
            expected_seq = entry.sequence + 1
            if entry.transfer_id != tid:
                add("unbalanced", f"entry {entry.sequence} names another transfer", tid)
            if entry.minutes == 0:
                add("zero_entry", f"entry {entry.sequence} moves nothing", tid, entry.account)
            total += entry.minutes
            account = entry.account
            version = versions.get(account, 0) + 1
            if entry.version != version:
                add(
                    "version_gap",
                    f"{account} version {entry.version}, expected {version}",
                    tid,
                    account,
                )
            versions[account] = version
            balances[account] = balances.get(account, 0) + entry.minutes
        if total != 0:
            add("unbalanced", f"transfer {tid!r} sums to {total} minutes", tid)
        legs = tuple((e.account, e.minutes) for e in posted.entries[: len(transfer.legs)])
        if legs != transfer.legs:
            add("unbalanced", f"transfer {tid!r}: entries differ from its legs", tid)
        if transfer.kind == "reserve":
            holds[tid] = dict(transfer.legs).get(HOLDS, 0)
        elif transfer.kind in ("post", "void", "expire") and reference is not None:
            holds.pop(reference, None)
        for account in {e.account for e in posted.entries}:
            balance = balances[account]
            if account in SYSTEM_ACCOUNTS:
                if account != ISSUER and balance < 0:
                    add(
                        "below_floor", f"{account} at {balance} minutes after {tid!r}", tid, account
                    )
            else:
                if balance < floor:
                    add(
                        "below_floor", f"{account} at {balance} minutes after {tid!r}", tid, account
                    )
                if cap is not None and balance > cap:
                    add("above_cap", f"{account} at {balance} minutes after {tid!r}", tid, account)
    if balances.get(HOLDS, 0) != sum(holds.values()):
        add("hold_mismatch", "@holds does not equal the open reservations", None, HOLDS)
    for name, stored in (("ledger", own), ("store", stored_balances)):
        if stored is None:
            continue
        if not isinstance(stored, Mapping):
            raise InvalidTypeError(
                "stored_balances", "must be a mapping of account to Hours or int"
            )
        for account in sorted(set(stored) | set(balances), key=str):
            value = stored.get(account, 0)
            minutes = value.minutes if isinstance(value, Hours) else value
            if type(minutes) is not int:
                raise InvalidTypeError("stored_balances", "values must be Hours or int minutes")
            if minutes != balances.get(account, 0):
                add(
                    "stored_total_mismatch",
                    f"{name} total of {account} is {minutes} minutes, entries sum to "
                    f"{balances.get(account, 0)}",
                    None,
                    str(account),
                )
    return tuple(violations)
