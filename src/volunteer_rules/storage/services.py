"""Services: the domain's decisions written to a store, with retries on version conflicts.

The domain modules decide (the :class:`~volunteer_rules.timebank.ledger.Ledger` posts, the transfer
lifecycle accepts); the stores keep. These functions put the two together and take the stores
as parameters, so they work the same with :mod:`~volunteer_rules.storage.memory`,
:mod:`~volunteer_rules.storage.sqlite` or an integrator's store.

**Optimistic concurrency and retries.** Ledger services follow *read, decide, append*: bring a
ledger up to date from the store, post on it, and append the new postings; if another writer
appended in between, the store refuses the stale batch (:class:`~volunteer_rules.ConflictError`)
and the service catches up and decides again, at most ``attempts`` times (default
:data:`DEFAULT_ATTEMPTS`). Deciding again matters: a redemption that fitted the balance it read
may no longer fit, and then :class:`~volunteer_rules.InsufficientHoursError` is raised, never a
negative balance written. A real conflict (a transfer id reused with other content) is raised
at once: retrying cannot cure it. Retries are immediate (no sleep: the store's own busy
timeout already queues writers); after the last attempt the last ``ConflictError`` is raised.

**Retried requests converge.** A request retried after a timeout (the same transfer ids) may
race its own first attempt, or another process serving the same request. A store skips a
transfer id it already holds only if it is the same posting at the same place (position,
entries, time) and refuses it otherwise; the service then catches up, finds the transfer in
the ledger (posting it again is a no-op) and answers without posting it twice. Whatever
happened, :attr:`PostingResult.ledger` is read back from the store before the service answers,
and a ``ledger=`` passed in that does not match the store is replayed from the store.

Example:
    >>> from datetime import datetime, timezone
    >>> from volunteer_rules.timebank.ledger import ISSUER, LedgerTransfer
    >>> from volunteer_rules.storage import InMemoryLedgerStore
    >>> from volunteer_rules.storage.services import post_transfers
    >>> store = InMemoryLedgerStore()
    >>> credit = LedgerTransfer(
    ...     transfer_id="c-1", kind="credit", legs=((ISSUER, -60), ("V1", 60)),
    ...     at=datetime(2024, 5, 1, tzinfo=timezone.utc), record_key=("G-a", "r-1"))
    >>> result = post_transfers(store, [credit])
    >>> len(result.posted), store.balance("V1"), post_transfers(store, [credit]).posted
    (1, Hours(minutes=60), ())
"""

from __future__ import annotations

import contextlib
import datetime as _dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

import attrs

from volunteer_rules.errors import (
    ConflictError,
    InvalidTypeError,
    InvalidValueError,
    NotFoundError,
)
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.storage import _common
from volunteer_rules.storage.protocols import LedgerStore, RecordStore, TransferStore
from volunteer_rules.timebank.ledger import (
    REDEEMED,
    Ledger,
    LedgerLimits,
    LedgerTransfer,
    PostedTransfer,
)
from volunteer_rules.transfer.lifecycle import Transfer, TransferAcceptance, TransferEvent
from volunteer_rules.transfer.lifecycle import accept_transfer as _accept

__all__ = [
    "DEFAULT_ATTEMPTS",
    "PostingResult",
    "accept_stored_transfer",
    "credit_records",
    "load_ledger",
    "post_transfers",
    "redeem_hours",
    "run_operation",
    "stored_history",
]

DEFAULT_ATTEMPTS: Final = 8
"""How many times a service decides and appends before giving up on a busy ledger."""


@attrs.frozen(kw_only=True)
class PostingResult:
    """What a ledger service did.

    Attributes:
        ledger: the store's ledger, read back after the append (so it holds what other
            writers appended meanwhile too); pass it as ``ledger=`` to the next call to catch
            up cheaply instead of replaying everything.
        posted: the postings this call appended (empty when everything was already posted,
            by an earlier call or by a racing retry of the same request).
        attempts: how many times it decided and appended (1 without contention).
        value: what the operation returned on the attempt that was stored (a time bank
            ``CreditResult`` or ``LedgerResult`` with its decisions and violations, or the
            new ``Ledger``).

    Example:
        >>> PostingResult(ledger=Ledger(), posted=(), attempts=1).attempts
        1
    """

    ledger: Ledger
    posted: tuple[PostedTransfer, ...]
    attempts: int
    value: Any = None


def stored_history(
    records: RecordStore, volunteer_ids: Iterable[str], *, linked: bool = False
) -> tuple[ServiceRecord, ...]:
    """Return what counting these volunteers needs from a record store, in recorded order.

    A volunteer's count needs their records and every record that amends one of them, whoever's
    it is: service entered under the wrong volunteer is corrected by an amendment under the
    right one, and certification then no longer counts the original. So the result is every
    stored record of ``volunteer_ids`` and every stored record that amends one of them,
    transitively (an amendment of an amendment too, to the end of the chain), each once.
    Certifying a volunteer on it gives what certifying them on the whole store gives.

    With ``linked``, the result also holds the whole history of every volunteer linked to
    these by amendments, through any number of links: the owners of those amendments, the
    owners of the records that theirs amend (found by :meth:`RecordStore.get`), and so on.
    Every volunteer with a record in the result then has all their records in it: what
    crediting needs, as the time bank credits every volunteer it is given, and an amendment
    changes the credits of the volunteer whose record it corrects.

    Amendments are found by :meth:`RecordStore.amendments_of`, an index look-up per
    organization and link of a chain (not a scan of the organizations' records).

    Args:
        records: the record store.
        volunteer_ids: the volunteers whose counts are wanted.
        linked: also the whole histories of the volunteers linked to them by amendments.

    Raises:
        InvalidTypeError: ``volunteer_ids`` is not an iterable of strings.
        StorageError: the store failed.

    Example:
        >>> from volunteer_rules.storage import InMemoryRecordStore
        >>> from volunteer_rules.testing.contracts import make_record
        >>> store = InMemoryRecordStore()
        >>> store.add([make_record("r-1", volunteer_id="V1"),
        ...            make_record("r-2", volunteer_id="V2", amends="r-1"),
        ...            make_record("r-3", volunteer_id="V2")])
        3
        >>> [r.record_id for r in stored_history(store, ["V1"])]
        ['r-1', 'r-2']
        >>> [r.record_id for r in stored_history(store, ["V1"], linked=True)]
        ['r-1', 'r-2', 'r-3']
    """
    if isinstance(volunteer_ids, (str, bytes)) or not isinstance(volunteer_ids, Iterable):
        raise InvalidTypeError("volunteer_ids", "must be an iterable of volunteer ids")
    pending = {_common.check_text("volunteer_ids[]", v) for v in volunteer_ids}
    held: dict[tuple[str, str], ServiceRecord] = {}
    looked_up: set[tuple[str, str]] = set()  # amended keys read (or found missing) already
    loaded: set[str] = set()
    while pending:
        loaded |= pending
        new = [
            r for v in sorted(pending) for r in records.find(volunteer_id=v) if r.key not in held
        ]
        pending = set()
        while new:  # the amendments of what came in, link by link of each chain
            held.update((r.key, r) for r in new)
            new = [r for r in records.amendments_of(r.key for r in new) if r.key not in held]
        if not linked:
            break
        for record in list(held.values()):
            amended = None if record.amends is None else (record.organization_id, record.amends)
            if amended is not None and amended not in held and amended not in looked_up:
                looked_up.add(amended)
                with contextlib.suppress(NotFoundError):  # not held: nothing to link
                    pending.add(records.get(*amended).volunteer_id)
        pending |= {r.volunteer_id for r in held.values()}
        pending -= loaded
    return tuple(sorted(held.values(), key=_common.recorded_order))


def load_ledger(
    store: LedgerStore, *, limits: LedgerLimits | None = None, ledger: Ledger | None = None
) -> Ledger:
    """Return a ledger equal to the store's: replayed, or ``ledger`` brought up to date.

    A ``ledger`` given to catch up from is checked first: its last posting must be the
    store's posting at that position (same transfer, same entries, same time). If it is not
    (the ledger came from another store, or from a call that lost a race), the ledger is
    replayed from the store's whole history with ``ledger``'s limits instead, so the answer
    is the store's ledger either way.

    Args:
        store: the ledger store.
        limits: the limits of a new ledger (ignored when ``ledger`` is given).
        ledger: a ledger earlier read from this store, to catch up from its length.

    Raises:
        ConflictError, InvalidValueError, InsufficientHoursError: the stored history is not a
            ledger these limits allow.

    Example:
        >>> from volunteer_rules.storage import InMemoryLedgerStore
        >>> load_ledger(InMemoryLedgerStore())
        Ledger(transfers=0, entries=0)
    """
    if ledger is None:
        ledger = Ledger(limits=limits)
    elif not isinstance(ledger, Ledger):
        raise InvalidTypeError("ledger", f"must be a Ledger, not {type(ledger).__name__}")
    if len(ledger):
        # one read from the ledger's last posting on: it must be the store's, then the rest
        (last,) = ledger.postings(len(ledger) - 1)
        stored = store.postings(start=last.index)
        if not stored or stored[0] != last:
            return Ledger.from_transfers(store.transfers(), limits=ledger.limits)
        new = tuple(posting.transfer for posting in stored[1:])
    else:
        new = store.transfers()
    if not new:
        return ledger
    # stored expirations are re-made by the ledger at the same places, and compared
    return ledger.post_many(new)


def _check_attempts(attempts: object) -> int:
    if type(attempts) is not int:
        raise InvalidTypeError("attempts", f"must be an int, not {type(attempts).__name__}")
    if attempts < 1:
        raise InvalidValueError("attempts", "must be 1 or more")
    return attempts


def run_operation(
    store: LedgerStore,
    operation: Callable[[Ledger], Any],
    *,
    limits: LedgerLimits | None = None,
    ledger: Ledger | None = None,
    attempts: int = DEFAULT_ATTEMPTS,
) -> PostingResult:
    """Run a ledger operation on the store's ledger and store what it posted, with retries.

    ``operation`` takes the current ledger and returns the new one, or an object with a ``ledger``
    attribute (every operation of :mod:`volunteer_rules.timebank.operations` does: ``redeem``,
    ``give``, ``donate``, ``reserve``...). It is called again on every attempt, so each decision
    sees the latest balances. What it refuses as a value (a policy violation) is returned in
    :attr:`PostingResult.value` with nothing posted.

    Args:
        store: the ledger store.
        operation: ``Ledger -> Ledger`` (or ``-> result with .ledger``).
        limits: the ledger's limits (a policy's ``limits``), for a ledger read afresh.
        ledger: a ledger from an earlier call, to catch up from (see :class:`PostingResult`).
        attempts: how many times to decide and append at most (``>= 1``).

    Raises:
        ConflictError: the store was still busy after ``attempts`` tries, or the operation
            raised it (a transfer id used with other content).
        InsufficientHoursError, InvalidValueError, InvalidTypeError: raised by the operation.

    Example:
        >>> from datetime import datetime, timezone
        >>> from volunteer_rules.storage import InMemoryLedgerStore
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.timebank.ledger import ISSUER
        >>> from volunteer_rules.timebank.operations import donate
        >>> at = datetime(2024, 5, 1, tzinfo=timezone.utc)
        >>> store = InMemoryLedgerStore()
        >>> _ = post_transfers(store, [LedgerTransfer(
        ...     transfer_id="c-1", kind="credit", legs=((ISSUER, -60), ("V1", 60)), at=at,
        ...     record_key=("G-a", "r-1"))])
        >>> result = run_operation(store, lambda ledger: donate(
        ...     ledger, transfer_id="d-1", volunteer_id="V1", hours=vr.Hours.from_minutes(30),
        ...     now=at, policy="generic"))
        >>> result.value.allowed, store.balance("V1"), store.balance("@pool")
        (True, Hours(minutes=30), Hours(minutes=30))
    """
    attempts = _check_attempts(attempts)
    if not callable(operation):
        raise InvalidTypeError("operation", "must be a function of the ledger")
    current = load_ledger(store, limits=limits, ledger=ledger)
    last_error: ConflictError | None = None
    for attempt in range(1, attempts + 1):
        value = operation(current)
        new = value if isinstance(value, Ledger) else getattr(value, "ledger", None)
        if not isinstance(new, Ledger):
            raise InvalidTypeError(
                "operation", "must return a Ledger or a result with a .ledger attribute"
            )
        posted = tuple(new.postings(len(current))) if len(new) > len(current) else ()
        if not posted:
            return PostingResult(
                ledger=load_ledger(store, ledger=new), posted=(), attempts=attempt, value=value
            )
        try:
            added = store.append(posted)
        except ConflictError as error:
            # another writer appended first, or stored one of these transfers elsewhere:
            # catch up and decide again (a transfer already stored is then a no-op)
            last_error = error
            current = load_ledger(store, ledger=current)
            continue
        # what was skipped was stored before, at the same places (the store checks): a
        # prefix of the batch, appended by a racing retry of the same request
        mine = posted[len(posted) - added :] if 0 <= added < len(posted) else posted
        return PostingResult(
            ledger=load_ledger(store, ledger=new), posted=mine, attempts=attempt, value=value
        )
    assert last_error is not None
    raise last_error


def post_transfers(
    store: LedgerStore,
    transfers: Iterable[LedgerTransfer] | Callable[[Ledger], Iterable[LedgerTransfer]],
    *,
    limits: LedgerLimits | None = None,
    ledger: Ledger | None = None,
    attempts: int = DEFAULT_ATTEMPTS,
) -> PostingResult:
    """Post transfers on the store's ledger, retrying when another writer got there first.

    Args:
        store: the ledger store.
        transfers: the transfers to post, or a function that decides them from the current
            ledger (called again on every attempt, so decisions see the latest balances).
        limits: the ledger's limits (a policy's ``limits``), for a ledger read afresh.
        ledger: a ledger from an earlier call, to catch up from (see :class:`PostingResult`).
        attempts: how many times to decide and append at most (``>= 1``).

    Returns:
        A :class:`PostingResult`; transfers already posted (same id and content) are no-ops.

    Raises:
        ConflictError: a transfer id is posted with other content, or the store was still
            busy after ``attempts`` tries.
        InsufficientHoursError: a transfer would take an account below its floor.
        InvalidValueError, InvalidTypeError: the ledger refused a transfer.

    Example:
        >>> from datetime import datetime, timezone
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.storage import InMemoryLedgerStore
        >>> store = InMemoryLedgerStore()
        >>> give = LedgerTransfer(transfer_id="g-1", kind="give", legs=(("V1", -5), ("V2", 5)),
        ...                       at=datetime(2024, 5, 1, tzinfo=timezone.utc))
        >>> try:
        ...     post_transfers(store, [give])
        ... except vr.InsufficientHoursError as error:
        ...     print(error.requested.minutes, error.available.minutes)
        5 0
    """
    decide: Callable[[Ledger], Iterable[LedgerTransfer]]
    if callable(transfers):
        decide = transfers
    else:
        if isinstance(transfers, (str, bytes)) or not isinstance(transfers, Iterable):
            raise InvalidTypeError("transfers", "must be an iterable of LedgerTransfer")
        fixed_list: list[LedgerTransfer] = []
        for index, transfer in enumerate(transfers):  # item by item: fail at the first wrong one
            if not isinstance(transfer, LedgerTransfer):
                raise InvalidTypeError(
                    f"transfers[{index}]",
                    f"must be a LedgerTransfer, not {type(transfer).__name__}",
                )
            fixed_list.append(transfer)
        fixed = tuple(fixed_list)

        def decide(_: Ledger) -> Iterable[LedgerTransfer]:
            return fixed

    return run_operation(
        store,
        lambda current: current.post_many(decide(current)),
        limits=limits,
        ledger=ledger,
        attempts=attempts,
    )


def credit_records(
    store: LedgerStore,
    records: Iterable[ServiceRecord],
    *,
    now: _dt.datetime,
    policy: Any,
    birth_dates: Mapping[str, _dt.date] | None = None,
    ledger: Ledger | None = None,
    attempts: int = DEFAULT_ATTEMPTS,
) -> PostingResult:
    """Credit what certification would count to the stored ledger, once per record.

    The decision is the time bank's :func:`volunteer_rules.timebank.operations.credit_records` (the
    counting engine on the local date of ``now``, the policy's rules for group hours and
    ages), made again on every attempt; each counted record becomes the credit
    ``credit:<organization_id>:<record_id>``, so crediting the same records again changes
    nothing. :attr:`PostingResult.value` is the time bank's ``CreditResult`` with one decision
    per record.

    Args:
        store: the ledger store.
        records: service records of any volunteers.
        now: aware time of the credit.
        policy: a time bank policy or its id (``"generic"``, ``"cn-nanjing-2019"``...).
        birth_dates: volunteer id to birth date, for policies with a minimum age.
        ledger: a ledger from an earlier call, to catch up from.
        attempts: how many times to decide and append at most.

    Raises:
        ConflictError: the store stayed busy after ``attempts`` tries, or a credit id was
            used for other content. (A record credited before and changed since, by an
            amendment, a void or new minutes, is not an error: the difference is posted as an
            adjustment, as the time bank's ``credit_records`` decides.)
        InvalidTypeError, InvalidValueError: bad arguments.

    Example:
        >>> from datetime import datetime, timezone
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.storage import InMemoryLedgerStore
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> store = InMemoryLedgerStore()
        >>> now = datetime(2024, 6, 1, tzinfo=timezone.utc)
        >>> result = credit_records(store, [record], now=now, policy="generic")
        >>> store.balance("V0000001"), [d.outcome for d in result.value.decisions]
        (Hours(minutes=120), ['credited'])
        >>> credit_records(store, [record], now=now, policy="generic").posted
        ()
    """
    from volunteer_rules.timebank.operations import credit_records as decide_credits
    from volunteer_rules.timebank.operations import get_time_bank_policy

    if isinstance(records, (str, bytes)) or not isinstance(records, Iterable):
        raise InvalidTypeError("records", "must be an iterable of ServiceRecord")
    batch: list[ServiceRecord] = []
    for index, record in enumerate(records):  # item by item: fail at the first wrong one
        if not isinstance(record, ServiceRecord):
            raise InvalidTypeError(f"records[{index}]", "must be a ServiceRecord")
        batch.append(record)
    if isinstance(policy, str):
        policy = get_time_bank_policy(policy)
    limits = getattr(policy, "limits", None)
    return run_operation(
        store,
        lambda current: decide_credits(
            current, batch, now=now, policy=policy, birth_dates=birth_dates
        ),
        limits=limits if isinstance(limits, LedgerLimits) else None,
        ledger=ledger,
        attempts=attempts,
    )


def redeem_hours(
    store: LedgerStore,
    volunteer_id: str,
    minutes: int,
    *,
    transfer_id: str,
    at: _dt.datetime,
    service: str = "",
    limits: LedgerLimits | None = None,
    ledger: Ledger | None = None,
    attempts: int = DEFAULT_ATTEMPTS,
) -> PostingResult:
    """Spend a volunteer's hours on a service (a ``redeem`` transfer), with retries.

    The balance is checked by the ledger on every attempt against the latest entries, so two
    writers redeeming at once can never take an account below its floor.

    Raises:
        InsufficientHoursError: the volunteer does not have the minutes available.
        ConflictError: ``transfer_id`` was used with other content, or the store stayed busy.

    Example:
        >>> from datetime import datetime, timezone
        >>> from volunteer_rules.storage import InMemoryLedgerStore
        >>> import volunteer_rules as vr
        >>> try:
        ...     redeem_hours(InMemoryLedgerStore(), "V1", 30, transfer_id="x-1",
        ...                  at=datetime(2024, 5, 1, tzinfo=timezone.utc))
        ... except vr.InsufficientHoursError as error:
        ...     print(error.requested.minutes, error.available.minutes)
        30 0
    """
    if type(minutes) is not int:
        raise InvalidTypeError("minutes", f"must be an int, not {type(minutes).__name__}")
    if minutes <= 0:
        raise InvalidValueError("minutes", "must be more than 0")
    if not isinstance(service, str):
        raise InvalidTypeError("service", f"must be a str, not {type(service).__name__}")
    details = (("service", service),) if service else ()
    transfer = LedgerTransfer(
        transfer_id=transfer_id,
        kind="redeem",
        legs=((volunteer_id, -minutes), (REDEEMED, minutes)),
        at=at,
        details=details,
    )
    return post_transfers(store, [transfer], limits=limits, ledger=ledger, attempts=attempts)


def accept_stored_transfer(
    transfers: TransferStore,
    records: RecordStore,
    package_id: str,
    *,
    at: _dt.datetime,
    as_of: _dt.date,
    expires_at: _dt.datetime | None = None,
    attempts: int = DEFAULT_ATTEMPTS,
) -> TransferAcceptance:
    """The destination accepts a stored transfer package: decide, record the state, import.

    The package's current state and history are read from ``transfers``; what the
    destination holds is what the volunteer's count needs from ``records``
    (:func:`stored_history`: their records and every record amending one of them) other than
    the package's own (so a package imported before is not a duplicate of itself). The domain's
    :func:`~volunteer_rules.accept_transfer` decides. If it accepts, the state moves
    ``initiated`` → ``accepted`` by compare-and-set *first*, then the package's records are
    added to ``records`` (idempotently). If another process changed the state in between, the
    decision is made again on the new state (at most ``attempts`` times). Calling this again
    on an accepted package imports what is missing and nothing else, so a crash between the
    two writes is repaired by calling it again.

    Args:
        transfers: the transfer store holding the package.
        records: the destination's record store.
        package_id: the package's id (its digest).
        at: when the destination decides (aware).
        as_of: the day of the check.
        expires_at: when the package expires if nobody decides (exclusive), if it does.
        attempts: how many times to decide at most.

    Returns:
        The domain's :class:`~volunteer_rules.TransferAcceptance`. When ``accepted`` is false
        and the transfer is ``initiated``, the decision's violations say why (the caller may
        reject it); an ``expired`` result has been stored as such.

    Raises:
        NotFoundError: no package has that id.
        ConflictError: the package was rejected or cancelled, a package record conflicts with
            a stored record, or the state kept changing.

    Example:
        >>> from datetime import date, datetime, timezone
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.storage import InMemoryRecordStore, InMemoryTransferStore
        >>> from volunteer_rules.testing.examples import sample_transfer_package
        >>> at = datetime(2024, 6, 1, tzinfo=timezone.utc)
        >>> package = sample_transfer_package()
        >>> transfers, records = InMemoryTransferStore(), InMemoryRecordStore()
        >>> transfers.add_package(package, at=at)
        True
        >>> result = accept_stored_transfer(transfers, records, package.digest, at=at,
        ...                                 as_of=date(2024, 6, 1))
        >>> result.accepted, transfers.state(package.digest), records.count()
        (True, 'accepted', 1)
    """
    attempts = _check_attempts(attempts)
    last_error: ConflictError | None = None
    for _ in range(attempts):
        package = transfers.get_package(package_id)
        history = transfers.history(package_id)
        state = history[-1].state
        transfer = Transfer(
            package=package,
            state=state,
            expires_at=expires_at,
            history=tuple(
                TransferEvent(state=event.state, at=event.at, reason=event.reason)
                for event in history
            ),
        )
        own = {(r.organization_id, r.record_id) for r in package.records}
        holdings = [r for r in stored_history(records, [package.volunteer_id]) if r.key not in own]
        result = _accept(transfer, destination_records=holdings, at=at, as_of=as_of)
        new_state = result.transfer.state
        try:
            if new_state != state:
                event = result.transfer.history[-1]
                transfers.change_state(
                    package_id, expected=state, new=new_state, at=event.at, reason=event.reason
                )
        except ConflictError as error:
            last_error = error
            continue
        if result.accepted:
            records.add(package.records)
        return result
    assert last_error is not None
    raise last_error
