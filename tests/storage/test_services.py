"""Services: domain decisions written to stores, with bounded retries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import attrs
import pytest

from volunteer_rules.errors import ConflictError, InvalidTypeError, InvalidValueError
from volunteer_rules.hours import Hours, InsufficientHoursError
from volunteer_rules.storage import (
    InMemoryLedgerStore,
    InMemoryRecordStore,
    InMemoryTransferStore,
    PackageEvent,
)
from volunteer_rules.storage.services import (
    DEFAULT_ATTEMPTS,
    accept_stored_transfer,
    credit_records,
    load_ledger,
    post_transfers,
    redeem_hours,
    run_operation,
)
from volunteer_rules.testing.contracts import make_package, make_record
from volunteer_rules.timebank.ledger import (
    ISSUER,
    Ledger,
    LedgerTransfer,
    PostedTransfer,
    check_ledger,
)

UTC = dt.UTC
T0 = dt.datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
AS_OF = dt.date(2024, 5, 31)


def credit(tid: str, volunteer: str, minutes: int) -> LedgerTransfer:
    return LedgerTransfer(
        transfer_id=tid,
        kind="credit",
        legs=((ISSUER, -minutes), (volunteer, minutes)),
        at=T0,
        record_key=("G-svc", tid),
    )


class BusyLedgerStore(InMemoryLedgerStore):
    """A store where another writer appends before each of the first ``busy`` appends."""

    def __init__(self, busy: int) -> None:
        super().__init__()
        self.busy = busy
        self.calls = 0

    def append(
        self,
        postings: Sequence[PostedTransfer],
        /,
        *,
        expected_versions: Mapping[str, int] | None = None,
    ) -> int:
        self.calls += 1
        if self.calls <= self.busy:
            ledger = load_ledger(self)
            other = ledger.post_many([credit(f"other-{self.calls}", "V9", 5)])
            super().append(tuple(other.postings(len(ledger))))
        return super().append(postings, expected_versions=expected_versions)


class TestRunOperation:
    def test_policy_refusal_is_a_value(self) -> None:
        """A time bank operation the policy refuses posts nothing and returns its reasons."""
        from volunteer_rules.timebank.operations import give

        store = InMemoryLedgerStore()
        post_transfers(store, [credit("c-1", "V1", 60)])
        result = run_operation(
            store,
            lambda ledger: give(
                ledger,
                transfer_id="g-1",
                from_volunteer="V1",
                to_volunteer="V2",
                hours=Hours.from_minutes(30),
                relation="friend",
                now=T0,
                policy="cn-nanjing-gulou-2018",
            ),
        )
        assert result.posted == ()
        assert [v.code for v in result.value.violations] == ["giving_not_allowed"]
        assert store.transfer_count() == 1

    def test_operation_must_return_a_ledger(self) -> None:
        """An operation returning something else is a usage error."""
        with pytest.raises(InvalidTypeError):
            run_operation(InMemoryLedgerStore(), lambda ledger: 42)
        with pytest.raises(InvalidTypeError):
            run_operation(InMemoryLedgerStore(), "not callable")  # type: ignore[arg-type]


class TestPostTransfers:
    def test_posts_and_is_idempotent(self) -> None:
        """Posting twice appends once."""
        store = InMemoryLedgerStore()
        first = post_transfers(store, [credit("c-1", "V1", 60)])
        again = post_transfers(store, [credit("c-1", "V1", 60)], ledger=first.ledger)
        assert (len(first.posted), again.posted, store.transfer_count()) == (1, (), 1)

    def test_retries_after_another_writer(self) -> None:
        """A stale append is retried after catching up; the other writer's work stays."""
        store = BusyLedgerStore(busy=2)
        result = post_transfers(store, [credit("c-1", "V1", 60)])
        assert result.attempts == 3
        assert store.transfer_count() == 3
        assert check_ledger(store.postings()) == ()
        assert tuple(result.ledger.postings()) == store.postings()

    def test_gives_up_after_the_attempts(self) -> None:
        """A store that stays busy makes the service raise the last ConflictError."""
        store = BusyLedgerStore(busy=100)
        with pytest.raises(ConflictError):
            post_transfers(store, [credit("c-1", "V1", 60)], attempts=3)
        assert store.calls == 3
        assert DEFAULT_ATTEMPTS >= 3

    def test_decisions_are_made_again(self) -> None:
        """A builder sees the latest ledger on every attempt."""
        store = BusyLedgerStore(busy=1)
        seen: list[int] = []

        def decide(ledger: Ledger) -> list[LedgerTransfer]:
            seen.append(len(ledger))
            return [credit("c-1", "V1", 60)]

        post_transfers(store, decide)
        assert seen == [0, 1]

    def test_redemption_that_no_longer_fits_is_refused(self) -> None:
        """Another writer spends the hours first: the retry raises, nothing negative is stored."""
        store = InMemoryLedgerStore()
        post_transfers(store, [credit("c-1", "V1", 60)])
        stale = load_ledger(store)
        redeem_hours(store, "V1", 45, transfer_id="x-1", at=T0)
        with pytest.raises(InsufficientHoursError):
            redeem_hours(store, "V1", 45, transfer_id="x-2", at=T0, ledger=stale)
        assert store.balance("V1").minutes == 15

    def test_same_id_other_content_is_not_retried(self) -> None:
        """A reused transfer id is a conflict at once."""
        store = InMemoryLedgerStore()
        post_transfers(store, [credit("c-1", "V1", 60)])
        with pytest.raises(ConflictError):
            post_transfers(store, [credit("c-1", "V1", 90)])

    def test_bad_arguments(self) -> None:
        """Bad arguments raise the library's errors."""
        store = InMemoryLedgerStore()
        with pytest.raises(InvalidValueError):
            post_transfers(store, [], attempts=0)
        with pytest.raises(InvalidTypeError):
            post_transfers(store, [], attempts="3")  # type: ignore[arg-type]
        with pytest.raises(InvalidTypeError):
            post_transfers(store, 5)  # type: ignore[arg-type]
        with pytest.raises(InvalidTypeError):
            load_ledger(store, ledger="x")  # type: ignore[arg-type]


class TestCreditRecords:
    def test_credits_only_what_counts(self) -> None:
        """Verified records are credited; unverified and superseded ones are not."""
        counted = make_record("r-1", minutes=90)
        pending = make_record("r-2", status="submitted")
        old = make_record("r-3", minutes=60, day=dt.date(2024, 5, 2))
        fix = make_record("r-4", minutes=30, day=dt.date(2024, 5, 2), amends="r-3")
        other = make_record("r-5", volunteer_id="V0000002", minutes=45)
        store = InMemoryLedgerStore()
        result = credit_records(
            store, [counted, pending, old, fix, other], now=T0, policy="generic"
        )
        ids = sorted(p.transfer.transfer_id for p in result.posted)
        org = counted.organization_id
        assert ids == [f"credit:{org}:r-1", f"credit:{org}:r-4", f"credit:{org}:r-5"]
        assert store.balance("V0000001").minutes == 120
        assert store.balance("V0000002").minutes == 45
        assert store.get_transfer(f"credit:{org}:r-1").transfer.record_key == counted.key

    def test_crediting_again_changes_nothing(self) -> None:
        """The same records again post nothing."""
        store = InMemoryLedgerStore()
        records = [make_record("r-1"), make_record("r-2", day=dt.date(2024, 5, 2))]
        credit_records(store, records, now=T0, policy="generic")
        again = credit_records(store, records, now=T0, policy="generic")
        assert again.posted == ()
        assert {d.outcome for d in again.value.decisions} == {"already_credited"}
        assert store.transfer_count() == 2

    def test_bad_records(self) -> None:
        """Something else than records raises InvalidTypeError."""
        with pytest.raises(InvalidTypeError):
            credit_records(InMemoryLedgerStore(), [object()], now=T0, policy="generic")  # type: ignore[list-item]
        with pytest.raises(InvalidTypeError):
            credit_records(InMemoryLedgerStore(), 3, now=T0, policy="generic")  # type: ignore[arg-type]

    def test_runs_under_contention(self) -> None:
        """Another writer in between: the credits are decided again and stored once."""
        store = BusyLedgerStore(busy=1)
        result = credit_records(store, [make_record("r-1")], now=T0, policy="generic")
        assert result.attempts == 2
        assert store.balance("V0000001").minutes == 120
        assert check_ledger(store.postings()) == ()


def stores_with_package() -> tuple[InMemoryTransferStore, InMemoryRecordStore, str]:
    package = make_package(
        records=[make_record("r-1"), make_record("r-2", day=dt.date(2024, 5, 2))]
    )
    transfers, held = InMemoryTransferStore(), InMemoryRecordStore()
    transfers.add_package(package, at=T0)
    return transfers, held, package.digest


class TestAcceptStoredTransfer:
    def test_accepts_and_imports(self) -> None:
        """An acceptable package is accepted by compare-and-set and its records are added."""
        transfers, held, package_id = stores_with_package()
        result = accept_stored_transfer(transfers, held, package_id, at=T0, as_of=AS_OF)
        assert result.accepted
        assert transfers.state(package_id) == "accepted"
        assert [e.state for e in transfers.history(package_id)] == ["initiated", "accepted"]
        assert held.count() == 2

    def test_accepting_again_imports_nothing_new(self) -> None:
        """A second acceptance changes neither the state history nor the records."""
        transfers, held, package_id = stores_with_package()
        accept_stored_transfer(transfers, held, package_id, at=T0, as_of=AS_OF)
        again = accept_stored_transfer(transfers, held, package_id, at=T0, as_of=AS_OF)
        assert again.accepted
        assert len(transfers.history(package_id)) == 2
        assert held.count() == 2

    def test_repairs_a_crash_between_the_two_writes(self) -> None:
        """Accepted but not imported (a crash): calling again imports the records."""
        transfers, held, package_id = stores_with_package()
        transfers.change_state(package_id, expected="initiated", new="accepted", at=T0)
        assert held.count() == 0
        assert accept_stored_transfer(transfers, held, package_id, at=T0, as_of=AS_OF).accepted
        assert held.count() == 2

    def test_violations_leave_it_initiated(self) -> None:
        """A package the check refuses is not accepted and its state does not move."""
        transfers, held, package_id = stores_with_package()
        package = transfers.get_package(package_id)
        bad = attrs.evolve(package, consent=False, digest="0" * 64)
        transfers.add_package(bad, at=T0)
        result = accept_stored_transfer(transfers, held, bad.digest, at=T0, as_of=AS_OF)
        assert not result.accepted
        assert transfers.state(bad.digest) == "initiated"
        assert held.count() == 0

    def test_cancelled_package_is_a_conflict(self) -> None:
        """A cancelled package cannot be accepted."""
        transfers, held, package_id = stores_with_package()
        transfers.change_state(package_id, expected="initiated", new="cancelled", at=T0)
        with pytest.raises(ConflictError):
            accept_stored_transfer(transfers, held, package_id, at=T0, as_of=AS_OF)
        assert held.count() == 0

    def test_expired_package_is_stored_as_expired(self) -> None:
        """Past its expiry the package becomes expired in the store, nothing imported."""
        transfers, held, package_id = stores_with_package()
        result = accept_stored_transfer(
            transfers, held, package_id, at=T0, as_of=AS_OF, expires_at=T0
        )
        assert not result.accepted
        assert transfers.state(package_id) == "expired"

    def test_lost_race_is_decided_again(self) -> None:
        """Someone cancels between the read and the compare-and-set: the retry sees it."""

        class RacingStore(InMemoryTransferStore):
            raced = False

            def change_state(
                self,
                package_id: str,
                /,
                *,
                expected: str,
                new: str,
                at: dt.datetime,
                reason: str = "",
            ) -> PackageEvent:
                if not self.raced:
                    self.raced = True
                    super().change_state(package_id, expected=expected, new="cancelled", at=at)
                return super().change_state(
                    package_id, expected=expected, new=new, at=at, reason=reason
                )

        _, held, _ = stores_with_package()
        transfers = RacingStore()
        package = make_package(records=[make_record("r-1")])
        transfers.add_package(package, at=T0)
        with pytest.raises(ConflictError):
            accept_stored_transfer(transfers, held, package.digest, at=T0, as_of=AS_OF)
        assert transfers.state(package.digest) == "cancelled"
        assert held.count() == 0
