"""In-memory stores: the default, and the reference semantics every other store must match.

The stores keep Python objects in dictionaries behind a lock, so one instance can be shared
by threads. Nothing survives the process; use :mod:`volunteer_rules.storage.sqlite` for a
file. Every guarantee is stated on the protocols in :mod:`volunteer_rules.storage.protocols`.

Example:
    >>> import volunteer_rules as vr
    >>> from volunteer_rules.storage import InMemoryRecordStore
    >>> store = InMemoryRecordStore()
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> store.add([vr.parse_record(SAMPLE_RECORD_PAYLOAD)])
    1
    >>> [r.record_id for r in store.find(volunteer_id="V0000001")]
    ['r-2024-0001']
"""

from __future__ import annotations

import datetime as _dt
import threading
from collections.abc import Iterable, Mapping, Sequence

from volunteer_rules.hours import Hours
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.records.region import RegionCode
from volunteer_rules.storage import _common
from volunteer_rules.storage.protocols import INITIAL_PACKAGE_STATE, PackageEvent
from volunteer_rules.timebank.ledger import LedgerEntry, LedgerTransfer, PostedTransfer
from volunteer_rules.transfer.package import TransferPackage

__all__ = ["InMemoryLedgerStore", "InMemoryRecordStore", "InMemoryTransferStore"]


class InMemoryRecordStore:
    """A :class:`~volunteer_rules.storage.RecordStore` in a dictionary (thread-safe).

    Records are kept as the objects given (they are immutable; an ``extensions`` mapping is
    the caller's and must not be changed afterwards).

    Example:
        >>> import volunteer_rules as vr
        >>> store = InMemoryRecordStore()
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> store.add([record, record]), store.count()
        (1, 1)
        >>> store.get(record.organization_id, record.record_id) == record
        True
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._records: dict[tuple[str, str], ServiceRecord] = {}
        self._amenders: dict[tuple[str, str], list[ServiceRecord]] = {}

    def add(self, records: Iterable[ServiceRecord], /) -> int:
        """Store a batch atomically; return how many were new (see the protocol).

        Example:
            >>> import volunteer_rules as vr
            >>> InMemoryRecordStore().add([])
            0
        """
        batch = _common.check_records(records)
        with self._lock:
            new: dict[tuple[str, str], ServiceRecord] = {}
            for record, _payload in batch:
                key = (record.organization_id, record.record_id)
                existing = self._records.get(key) or new.get(key)
                if existing is None:
                    new[key] = record
                elif not _common.same_record(existing, record):
                    raise _common.record_conflict(record)
            self._records.update(new)
            for record in new.values():
                if record.amends is not None:
                    amended = (record.organization_id, record.amends)
                    self._amenders.setdefault(amended, []).append(record)
            return len(new)

    def get(self, organization_id: str, record_id: str, /) -> ServiceRecord:
        """Return the record under a key, or raise ``NotFoundError``.

        Example:
            >>> InMemoryRecordStore().get("G-x", "r-1")
            Traceback (most recent call last):
            ...
            volunteer_rules.errors.NotFoundError: no record G-x/r-1
        """
        key = _common.check_record_key(organization_id, record_id)
        with self._lock:
            found = self._records.get(key)
        if found is None:
            raise _common.record_not_found(key)
        return found

    def find(
        self,
        *,
        volunteer_id: str | None = None,
        organization_id: str | None = None,
        region: RegionCode | None = None,
        since: _dt.date | None = None,
        until: _dt.date | None = None,
    ) -> tuple[ServiceRecord, ...]:
        """Return matching records in recorded order (see the protocol).

        Example:
            >>> InMemoryRecordStore().find(volunteer_id="V1")
            ()
        """
        volunteer_id = _common.check_optional_text("volunteer_id", volunteer_id)
        organization_id = _common.check_optional_text("organization_id", organization_id)
        region = _common.check_region(region)
        since = _common.check_day("since", since)
        until = _common.check_day("until", until)
        with self._lock:
            candidates = list(self._records.values())
        found = [
            record
            for record in candidates
            if (volunteer_id is None or record.volunteer_id == volunteer_id)
            and (organization_id is None or record.organization_id == organization_id)
            and (region is None or region.contains(record.region_code))
            and (since is None or record.date >= since)
            and (until is None or record.date < until)
        ]
        found.sort(key=_common.recorded_order)
        return tuple(found)

    def amendments_of(self, keys: Iterable[tuple[str, str]], /) -> tuple[ServiceRecord, ...]:
        """Return the records that amend one of ``keys``, in recorded order (see the protocol).

        Example:
            >>> from volunteer_rules.testing.contracts import make_record
            >>> store = InMemoryRecordStore()
            >>> store.add([make_record("r-1"), make_record("r-2", amends="r-1")])
            2
            >>> [r.record_id for r in store.amendments_of([("512111005000000154", "r-1")])]
            ['r-2']
        """
        checked = _common.check_record_keys(keys)
        with self._lock:
            found = [record for key in checked for record in self._amenders.get(key, ())]
        found.sort(key=_common.recorded_order)
        return tuple(found)

    def count(self) -> int:
        """Return how many records are stored.

        Example:
            >>> InMemoryRecordStore().count()
            0
        """
        with self._lock:
            return len(self._records)


class InMemoryTransferStore:
    """A :class:`~volunteer_rules.storage.TransferStore` in dictionaries (thread-safe).

    Example:
        >>> from datetime import datetime, timezone
        >>> from volunteer_rules.testing.examples import sample_transfer_package
        >>> package = sample_transfer_package()
        >>> store = InMemoryTransferStore()
        >>> store.add_package(package, at=datetime(2024, 6, 1, tzinfo=timezone.utc))
        True
        >>> event = store.change_state(package.digest, expected="initiated", new="accepted",
        ...                            at=datetime(2024, 6, 2, tzinfo=timezone.utc))
        >>> event.sequence, store.state(package.digest)
        (2, 'accepted')
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._packages: dict[str, TransferPackage] = {}
        self._events: dict[str, list[PackageEvent]] = {}

    def add_package(self, package: TransferPackage, /, *, at: _dt.datetime) -> bool:
        """Store a package in the state ``initiated``; return whether it was new.

        Example:
            >>> InMemoryTransferStore().add_package(None, at=None)
            Traceback (most recent call last):
            ...
            volunteer_rules.errors.InvalidTypeError: package: must be a TransferPackage, not NoneType
        """
        package = _common.check_package(package)
        at = _common.check_aware("at", at)
        package_id = package.digest
        with self._lock:
            existing = self._packages.get(package_id)
            if existing is not None:
                if existing is package or _common.package_payload(
                    existing
                ) == _common.package_payload(package):
                    return False
                raise _common.package_conflict(package_id)
            self._packages[package_id] = package
            self._events[package_id] = [
                PackageEvent(package_id=package_id, sequence=1, state=INITIAL_PACKAGE_STATE, at=at)
            ]
            return True

    def _history(self, package_id: str) -> list[PackageEvent]:
        _common.check_text("package_id", package_id)
        events = self._events.get(package_id)
        if events is None:
            raise _common.package_not_found(package_id)
        return events

    def get_package(self, package_id: str, /) -> TransferPackage:
        """Return the package stored under an id, or raise ``NotFoundError``.

        Example:
            >>> InMemoryTransferStore().get_package("nope")
            Traceback (most recent call last):
            ...
            volunteer_rules.errors.NotFoundError: no transfer package nope
        """
        with self._lock:
            self._history(package_id)
            return self._packages[package_id]

    def state(self, package_id: str, /) -> str:
        """Return the package's current state.

        Example:
            >>> InMemoryTransferStore().state("nope")
            Traceback (most recent call last):
            ...
            volunteer_rules.errors.NotFoundError: no transfer package nope
        """
        with self._lock:
            return self._history(package_id)[-1].state

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
        """Compare-and-set the package's state; return the appended event.

        Example:
            >>> from datetime import datetime, timezone
            >>> InMemoryTransferStore().change_state(
            ...     "nope", expected="initiated", new="accepted",
            ...     at=datetime(2024, 6, 1, tzinfo=timezone.utc))
            Traceback (most recent call last):
            ...
            volunteer_rules.errors.NotFoundError: no transfer package nope
        """
        expected, new, at, reason = _common.check_change(expected, new, at, reason)
        with self._lock:
            events = self._history(package_id)
            current = events[-1].state
            if current != expected:
                raise _common.state_conflict(package_id, expected, current)
            event = PackageEvent(
                package_id=package_id, sequence=len(events) + 1, state=new, at=at, reason=reason
            )
            events.append(event)
            return event

    def history(self, package_id: str, /) -> tuple[PackageEvent, ...]:
        """Return the package's events, oldest first.

        Example:
            >>> InMemoryTransferStore().history("nope")
            Traceback (most recent call last):
            ...
            volunteer_rules.errors.NotFoundError: no transfer package nope
        """
        with self._lock:
            return tuple(self._history(package_id))

    def package_ids(
        self, *, state: str | None = None, volunteer_id: str | None = None
    ) -> tuple[str, ...]:
        """Return stored package ids in storing order, filtered by state and volunteer.

        Example:
            >>> InMemoryTransferStore().package_ids(state="accepted")
            ()
        """
        state = _common.check_optional_text("state", state)
        volunteer_id = _common.check_optional_text("volunteer_id", volunteer_id)
        with self._lock:
            return tuple(
                package_id
                for package_id, package in self._packages.items()
                if (state is None or self._events[package_id][-1].state == state)
                and (volunteer_id is None or package.volunteer_id == volunteer_id)
            )


class InMemoryLedgerStore:
    """A :class:`~volunteer_rules.storage.LedgerStore` in lists (thread-safe).

    Balances are summed from the entries each time they are asked for.

    Example:
        >>> from datetime import datetime, timezone
        >>> from volunteer_rules.timebank.ledger import ISSUER, Ledger, LedgerTransfer
        >>> credit = LedgerTransfer(
        ...     transfer_id="c-1", kind="credit", legs=((ISSUER, -120), ("V1", 120)),
        ...     at=datetime(2024, 5, 1, tzinfo=timezone.utc), record_key=("G-a", "r-1"))
        >>> ledger, posted = Ledger().post(credit)
        >>> store = InMemoryLedgerStore()
        >>> store.append([posted]), store.append([posted])
        (1, 0)
        >>> store.balance("V1"), store.version("V1")
        (Hours(minutes=120), 1)
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._postings: list[PostedTransfer] = []
        self._by_id: dict[str, int] = {}
        self._entries: list[LedgerEntry] = []
        self._versions: dict[str, int] = {}

    def append(
        self,
        postings: Sequence[PostedTransfer],
        /,
        *,
        expected_versions: Mapping[str, int] | None = None,
    ) -> int:
        """Store a batch of postings atomically; return how many were new (see the protocol).

        Example:
            >>> InMemoryLedgerStore().append([])
            0
        """
        batch = _common.check_postings(postings)
        expected = _common.check_versions(expected_versions)
        with self._lock:
            for account, version in expected.items():
                current = self._versions.get(account, 0)
                if current != version:
                    raise _common.version_conflict(account, version, current)
            staged: dict[str, PostedTransfer] = {}  # by transfer id, in order

            def stored_posting(transfer_id: str) -> PostedTransfer | None:
                index = self._by_id.get(transfer_id)
                return self._postings[index] if index is not None else staged.get(transfer_id)

            _common.append_postings(
                batch,
                len(self._postings),
                len(self._entries),
                stored_posting,
                lambda account: self._versions.get(account, 0),
                lambda posting: staged.setdefault(posting.transfer.transfer_id, posting),
            )
            for tid, posting in staged.items():  # nothing is kept unless the whole batch passed
                self._by_id[tid] = len(self._postings)
                self._postings.append(posting)
                self._entries.extend(posting.entries)
                self._versions.update((entry.account, entry.version) for entry in posting.entries)
            return len(staged)

    def transfer_count(self) -> int:
        """Return how many transfers are stored.

        Example:
            >>> InMemoryLedgerStore().transfer_count()
            0
        """
        with self._lock:
            return len(self._postings)

    def get_transfer(self, transfer_id: str, /) -> PostedTransfer:
        """Return the posting stored under an id, or raise ``NotFoundError``.

        Example:
            >>> InMemoryLedgerStore().get_transfer("t-1")
            Traceback (most recent call last):
            ...
            volunteer_rules.errors.NotFoundError: no ledger transfer 't-1'
        """
        _common.check_text("transfer_id", transfer_id)
        with self._lock:
            index = self._by_id.get(transfer_id)
            if index is None:
                raise _common.transfer_not_found(transfer_id)
            return self._postings[index]

    def postings(self, *, start: int = 0) -> tuple[PostedTransfer, ...]:
        """Return the postings from position ``start`` on.

        Example:
            >>> InMemoryLedgerStore().postings(start=5)
            ()
        """
        start = _common.check_start(start)
        with self._lock:
            return tuple(self._postings[start:])

    def transfers(self, *, start: int = 0) -> tuple[LedgerTransfer, ...]:
        """Return the transfer requests from position ``start`` on.

        Example:
            >>> InMemoryLedgerStore().transfers()
            ()
        """
        return tuple(posting.transfer for posting in self.postings(start=start))

    def entries(
        self,
        account: str | None = None,
        /,
        *,
        since: _dt.datetime | None = None,
        until: _dt.datetime | None = None,
    ) -> tuple[LedgerEntry, ...]:
        """Return entries (of one account or all) with ``since <= at < until``, in order.

        Example:
            >>> InMemoryLedgerStore().entries("V1")
            ()
        """
        account = _common.check_optional_text("account", account)
        since = _common.check_moment("since", since)
        until = _common.check_moment("until", until)
        with self._lock:
            entries = list(self._entries)
        return tuple(
            entry
            for entry in entries
            if (account is None or entry.account == account)
            and (since is None or entry.at >= since)
            and (until is None or entry.at < until)
        )

    def version(self, account: str, /) -> int:
        """Return the account's version (0 if it has no entries).

        Example:
            >>> InMemoryLedgerStore().version("V1")
            0
        """
        _common.check_text("account", account)
        with self._lock:
            return self._versions.get(account, 0)

    def balance(self, account: str, /) -> Hours:
        """Return the account's balance, summed from its entries.

        Example:
            >>> InMemoryLedgerStore().balance("V1")
            Hours(minutes=0)
        """
        _common.check_text("account", account)
        return Hours.from_minutes(sum(entry.minutes for entry in self.entries(account)))

    def balances(self) -> dict[str, Hours]:
        """Return every account's balance, summed from the entries, sorted by account.

        Example:
            >>> InMemoryLedgerStore().balances()
            {}
        """
        totals: dict[str, int] = {}
        for entry in self.entries():
            totals[entry.account] = totals.get(entry.account, 0) + entry.minutes
        return {account: Hours.from_minutes(totals[account]) for account in sorted(totals)}
