"""The storage ports: small protocols that any store (memory, SQLite, PostgreSQL...) satisfies.

The domain modules of the library do no I/O. Applications keep service records, ledger
transfers and transfer packages in a *store*, and the library's services
(:mod:`volunteer_rules.storage.services`) take the store as a parameter. Three protocols
describe what a store must do, each with its guarantees:

- :class:`RecordStore`: service records, keyed by ``(organization_id, record_id)``;
- :class:`LedgerStore`: the time-bank ledger's transfers and their entries, with optimistic
  concurrency per account;
- :class:`TransferStore`: transfer packages and their lifecycle.

Every implementation must pass the conformance suite in
:mod:`volunteer_rules.testing.contracts` (see ``docs/storage.md``). The in-memory
implementations in :mod:`volunteer_rules.storage.memory` are the reference semantics.

Shared rules, following the library's "nothing lost" principle (and the bugs of TimeOverflow
#845, where a stored balance drifted from its movements after a delete):

- **Append only.** No protocol has a delete or an update of stored content. A correction is a
  new record (``amends``) or a new ledger transfer (a reversal); a package's state moves on by
  appended events.
- **Ids are idempotency keys.** Storing the same id with the same content again changes
  nothing; the same id with different content raises
  :class:`~volunteer_rules.errors.ConflictError` and writes nothing.
- **Batches are atomic.** A call that stores several items stores all of them or none (and
  raises).
- **Errors.** Only :class:`~volunteer_rules.errors.StorageError` (the backend failed; its own
  error is chained as ``__cause__``), :class:`~volunteer_rules.errors.ConflictError` (a
  subclass of ``ValueError``: an id reused with other content, or a stale expected version)
  and :class:`~volunteer_rules.errors.NotFoundError` (a subclass of ``StorageError``) come out
  of a store, plus :class:`~volunteer_rules.errors.InvalidTypeError` /
  :class:`~volunteer_rules.errors.InvalidValueError` for arguments of the wrong type or value.
- **Periods are half-open.** ``since`` is inclusive and ``until`` exclusive, so consecutive
  periods never count an item twice.

Example:
    >>> from volunteer_rules.storage import InMemoryRecordStore, RecordStore
    >>> isinstance(InMemoryRecordStore(), RecordStore)
    True
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Final, Protocol, runtime_checkable

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules.hours import Hours
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.records.region import RegionCode
from volunteer_rules.timebank.ledger import LedgerEntry, LedgerTransfer, PostedTransfer
from volunteer_rules.transfer.package import TransferPackage

__all__ = [
    "INITIAL_PACKAGE_STATE",
    "LedgerStore",
    "PackageEvent",
    "RecordStore",
    "TransferStore",
]

INITIAL_PACKAGE_STATE: Final = "initiated"
"""The state a transfer package is stored in (the first event of its history)."""


@runtime_checkable
class RecordStore(Protocol):
    """Where service records are kept: append only, idempotent, atomic per batch.

    Identity: a record is identified by its :attr:`~volunteer_rules.ServiceRecord.key`,
    ``(organization_id, record_id)``. Content equality is equality of the canonical record
    format (``dump_record``): two records with the same key and the same dumped payload are the
    same record.

    Guarantees:

    - :meth:`add` is atomic: every record of the batch is stored, or none (and it raises).
    - :meth:`add` is idempotent: a record already stored with the same content is skipped; the
      same key with different content (in the store or twice in the batch) raises
      :class:`~volunteer_rules.errors.ConflictError` and nothing of the batch is stored.
    - Nothing is ever deleted or replaced. An amendment is a new record whose ``amends`` names
      the record it corrects; certification decides which one counts.
    - :meth:`find` returns records in recorded order: by ``recorded_at`` (as an instant), then
      ``record_id``, then ``organization_id``, so the order never depends on the backend.

    Example:
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.storage import InMemoryRecordStore
        >>> store = InMemoryRecordStore()
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> store.add([record]), store.add([record])
        (1, 0)
        >>> len(store.find(region=vr.RegionCode.parse("211100")))
        1
    """

    def add(self, records: Iterable[ServiceRecord], /) -> int:
        """Store a batch of records atomically; return how many were new.

        Raises:
            ConflictError: a key is already stored (or repeated in the batch) with other
                content; ``.key`` is ``"organization_id/record_id"``. Nothing is stored.
            InvalidTypeError: an item is not a :class:`~volunteer_rules.ServiceRecord`.
            InvalidValueError: an item the record format cannot read back (one
                :func:`~volunteer_rules.parse_record` would refuse: an ``end`` before its
                ``start``, a record amending itself, text that cannot be stored...), named
                ``records[i]``. Nothing is stored.
            StorageError: the backend failed. Nothing is stored.
        """
        ...

    def get(self, organization_id: str, record_id: str, /) -> ServiceRecord:
        """Return the record stored under ``(organization_id, record_id)``.

        Raises:
            NotFoundError: no record has that key.
            StorageError: the backend failed.
        """
        ...

    def find(
        self,
        *,
        volunteer_id: str | None = None,
        organization_id: str | None = None,
        region: RegionCode | None = None,
        since: _dt.date | None = None,
        until: _dt.date | None = None,
    ) -> tuple[ServiceRecord, ...]:
        """Return the records that match every filter given, in recorded order.

        Args:
            volunteer_id: only this volunteer's records.
            organization_id: only records of this organization.
            region: only records whose ``region_code`` lies in this region
                (:meth:`~volunteer_rules.RegionCode.contains`): a province returns its cities'
                and counties' records, a city its counties', a county only its own.
            since: only records whose activity ``date`` is on or after this day (inclusive).
            until: only records whose activity ``date`` is before this day (exclusive).

        Raises:
            StorageError: the backend failed.
        """
        ...

    def amendments_of(self, keys: Iterable[tuple[str, str]], /) -> tuple[ServiceRecord, ...]:
        """Return the stored records that amend one of ``keys``, in recorded order.

        A record amends the key ``(organization_id, record_id)`` when it is of that
        organization and its ``amends`` is that ``record_id``, whoever's record it is. Only
        direct amendments are returned: ask again with their keys to follow a chain. A key
        nothing amends, or that is not stored, adds nothing. Backed by an index in the
        database stores (a look-up per organization, not a scan of its records).

        Raises:
            InvalidTypeError: ``keys`` is not an iterable of ``(organization_id, record_id)``
                pairs of strings.
            StorageError: the backend failed.
        """
        ...

    def count(self) -> int:
        """Return how many records are stored.

        Raises:
            StorageError: the backend failed.
        """
        ...


@runtime_checkable
class LedgerStore(Protocol):
    """Where the time-bank ledger's posted transfers and their entries are kept.

    The ledger (:class:`~volunteer_rules.timebank.ledger.Ledger`) is a pure value: it decides and
    numbers; the store keeps what it posted, one row per entry. A store holds one ledger: a single
    stream of :class:`~volunteer_rules.timebank.ledger.PostedTransfer` whose ``index`` runs 0, 1,
    2..., whose entries' ``sequence`` runs 0, 1, 2... without gaps, and whose entries on each
    account carry the account's *version* 1, 2, 3... (an account never used is at version 0).
    Balances are always derived from the entries (a store keeps no total it does not recompute: the
    drift of TimeOverflow #845 cannot happen).

    Guarantees:

    - :meth:`append` is atomic: every posting of the batch is stored, or none.
    - Idempotent transfer ids: a posting whose transfer id is already stored, with the same content
      (the transfer's :meth:`~volunteer_rules.timebank.ledger.LedgerTransfer.content` and its
      entries' accounts and minutes), is skipped: it is never posted twice and does not count as
      new. The same id with other content raises :class:`~volunteer_rules.errors.ConflictError`.
    - Optimistic concurrency: every new posting must continue the stored ledger exactly:
      ``index`` equal to the number of stored transfers, entry sequences from the number of
      stored entries on, and each entry's version one more than its account's stored version.
      Otherwise the caller's ledger is stale (someone appended meanwhile): ``ConflictError``,
      nothing written; reload (:meth:`transfers` from the position you have) and retry.
      ``expected_versions`` names accounts that must be at exactly that version before the
      batch (a check for callers who track versions themselves). The store checks the
      numbering; it cannot see whether the caller's ledger holds the same transfers as the
      store. So post on a ledger read from this store (``load_ledger`` in
      :mod:`~volunteer_rules.storage.services`) and, when an append is refused, drop the
      ledger you posted on (it is a value: keep the one you had) and catch up.
    - Order: :meth:`postings`, :meth:`transfers` and :meth:`entries` return posting order.
    - Periods: ``since`` (inclusive) and ``until`` (exclusive) filter on the entry's time
      (the transfer's ``at``), compared as instants.

    Example:
        >>> from volunteer_rules.storage import InMemoryLedgerStore
        >>> isinstance(InMemoryLedgerStore(), LedgerStore)
        True
    """

    def append(
        self,
        postings: Sequence[PostedTransfer],
        /,
        *,
        expected_versions: Mapping[str, int] | None = None,
    ) -> int:
        """Store a batch of postings atomically; return how many were new.

        Raises:
            ConflictError: a transfer id is stored with other content, the batch does not
                continue the stored ledger (a stale ledger), or an account is not at its
                expected version. Nothing is written.
            InvalidTypeError: an item is not a ``PostedTransfer``.
            InvalidValueError: a posting is inconsistent in itself (entries of another
                transfer, entries that do not sum to zero).
            StorageError: the backend failed. Nothing is written.
        """
        ...

    def transfer_count(self) -> int:
        """Return how many transfers are stored (the ``index`` the next posting must have).

        Raises:
            StorageError: the backend failed.
        """
        ...

    def get_transfer(self, transfer_id: str, /) -> PostedTransfer:
        """Return the posting stored under ``transfer_id``.

        Raises:
            NotFoundError: no transfer has that id.
            StorageError: the backend failed.
        """
        ...

    def postings(self, *, start: int = 0) -> tuple[PostedTransfer, ...]:
        """Return the stored postings from position ``start`` on, in order.

        Raises:
            StorageError: the backend failed.
        """
        ...

    def transfers(self, *, start: int = 0) -> tuple[LedgerTransfer, ...]:
        """Return the stored transfer requests from position ``start`` on, in order.

        ``Ledger.from_transfers(store.transfers(), limits=...)`` rebuilds the ledger;
        ``ledger.post_many(store.transfers(start=len(ledger)))`` brings one up to date.

        Raises:
            StorageError: the backend failed.
        """
        ...

    def entries(
        self,
        account: str | None = None,
        /,
        *,
        since: _dt.datetime | None = None,
        until: _dt.datetime | None = None,
    ) -> tuple[LedgerEntry, ...]:
        """Return the entries (of one account, or all) with ``since <= at < until``, in order.

        Raises:
            StorageError: the backend failed.
        """
        ...

    def version(self, account: str, /) -> int:
        """Return the account's version: how many entries it has (0 if none).

        Raises:
            StorageError: the backend failed.
        """
        ...

    def balance(self, account: str, /) -> Hours:
        """Return the account's balance: the sum of its entries (zero if none).

        Raises:
            StorageError: the backend failed.
        """
        ...

    def balances(self) -> dict[str, Hours]:
        """Return the balance of every account that has entries, sorted by account.

        Raises:
            StorageError: the backend failed.
        """
        ...


@masked_repr
@attrs.frozen(kw_only=True)
class PackageEvent:
    """One step of a transfer package's lifecycle, as a :class:`TransferStore` keeps it.

    Attributes:
        package_id: the package's id (its digest).
        sequence: 1 for the first event (``initiated``), then 2, 3...
        state: the state the package entered.
        at: when (aware datetime, as given by the caller: stores read no clock).
        reason: why, in a sentence (may be empty).

    Example:
        >>> from datetime import datetime, timezone
        >>> event = PackageEvent(package_id="ab" * 32, sequence=1, state="initiated",
        ...                      at=datetime(2024, 6, 1, tzinfo=timezone.utc))
        >>> event.state, event.reason
        ('initiated', '')
    """

    package_id: str
    sequence: int
    state: str
    at: _dt.datetime
    reason: str = ""


@runtime_checkable
class TransferStore(Protocol):
    """Where transfer packages (转移和接续) and their lifecycle are kept.

    A package is stored once under its id, its stated ``digest`` (a SHA-256 of its canonical
    content, so two different packages never share an id unless one was altered). Content
    equality is equality of the wire form (``dump_transfer_package``). A package's state moves
    on by *events* appended to its history; each change is a compare-and-set on the current
    state, so two processes deciding at once cannot both win.

    Guarantees:

    - :meth:`add_package` is idempotent: the same package again is a no-op (its history is
      untouched); another package under the same id is a
      :class:`~volunteer_rules.errors.ConflictError`. A new package starts in
      :data:`INITIAL_PACKAGE_STATE` with one event.
    - :meth:`change_state` appends an event only if the package is in ``expected`` at that
      moment, otherwise it raises ``ConflictError`` and appends nothing. Which transitions
      are allowed is the domain's decision (the transfer lifecycle), not the store's.
    - Events are never removed or changed; :meth:`history` returns them oldest first, and the
      last one is always the current :meth:`state`.
    - :meth:`package_ids` lists packages in the order they were first stored.

    Example:
        >>> from volunteer_rules.storage import InMemoryTransferStore
        >>> isinstance(InMemoryTransferStore(), TransferStore)
        True
    """

    def add_package(self, package: TransferPackage, /, *, at: _dt.datetime) -> bool:
        """Store a package in the state ``initiated`` at ``at``; return whether it was new.

        Raises:
            ConflictError: another package is stored under the same id (digest).
            InvalidTypeError: ``package`` is not a ``TransferPackage`` or ``at`` not a
                datetime.
            StorageError: the backend failed.
        """
        ...

    def get_package(self, package_id: str, /) -> TransferPackage:
        """Return the package stored under ``package_id``.

        Raises:
            NotFoundError: no package has that id.
            StorageError: the backend failed.
        """
        ...

    def state(self, package_id: str, /) -> str:
        """Return the package's current state (the state of its last event).

        Raises:
            NotFoundError: no package has that id.
            StorageError: the backend failed.
        """
        ...

    def change_state(
        self,
        package_id: str,
        /,
        *,
        expected: str,
        new: str,
        at: _dt.datetime,
        reason: str = "",
    ) -> PackageEvent:
        """Move the package from ``expected`` to ``new``; return the appended event.

        Raises:
            NotFoundError: no package has that id.
            ConflictError: the package is not in ``expected`` (someone moved it first).
            StorageError: the backend failed.
        """
        ...

    def history(self, package_id: str, /) -> tuple[PackageEvent, ...]:
        """Return the package's events, oldest first.

        Raises:
            NotFoundError: no package has that id.
            StorageError: the backend failed.
        """
        ...

    def package_ids(
        self, *, state: str | None = None, volunteer_id: str | None = None
    ) -> tuple[str, ...]:
        """Return the ids of stored packages (filtered by current state and volunteer).

        Raises:
            StorageError: the backend failed.
        """
        ...
