"""The conformance suite of a transfer store, and the packages it is run with.

:class:`TransferStoreContract` and :func:`make_package`; :mod:`volunteer_rules.testing.contracts`
re-exports both.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from volunteer_rules.errors import ConflictError, InvalidTypeError, InvalidValueError, NotFoundError
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.storage.memory import InMemoryTransferStore
from volunteer_rules.storage.protocols import INITIAL_PACKAGE_STATE, TransferStore
from volunteer_rules.testing._contract_harness import (
    _STATEFUL,
    _T0,
    _in_processes,
    _in_threads,
    _outcome,
    _shared_or_skip,
    _SharedStoreContract,
)
from volunteer_rules.testing._record_store_contract import _ORGANIZATIONS, make_record
from volunteer_rules.transfer.package import TransferPackage, create_transfer_package

__all__ = ["TransferStoreContract", "make_package"]


def make_package(
    volunteer_id: str = "V0000001",
    *,
    records: Sequence[ServiceRecord] = (),
    destination_organization_id: str = "51211100MJ00000175",
    created_at: _dt.datetime = _T0,
) -> TransferPackage:
    """Build a transfer package for storage tests.

    Example:
        >>> len(make_package().digest)
        64
    """
    return create_transfer_package(
        list(records),
        volunteer_id=volunteer_id,
        source_organization_id=_ORGANIZATIONS[0],
        destination_organization_id=destination_organization_id,
        destination_region_code="210100",
        consent=True,
        created_at=created_at,
    )


class TransferStoreContract(_SharedStoreContract[TransferStore]):
    """The conformance suite of :class:`~volunteer_rules.storage.TransferStore`.

    Subclass it and override the ``make_store`` fixture to return a factory of fresh, empty
    stores; give the subclass a ``shared`` fixture too to run several instances, and
    processes, on one database (see the storage guide).

    Example:
        >>> TransferStoreContract.__name__
        'TransferStoreContract'
    """

    protocol = TransferStore

    def test_add_then_get(self, store: TransferStore) -> None:
        """A stored package comes back equal, initiated, with one event."""
        package = make_package(records=[make_record("r-1")])
        assert store.add_package(package, at=_T0) is True
        assert store.get_package(package.digest) == package
        assert store.state(package.digest) == INITIAL_PACKAGE_STATE
        (event,) = store.history(package.digest)
        assert (event.sequence, event.state, event.at, event.reason) == (1, "initiated", _T0, "")
        assert event.package_id == package.digest

    def test_same_package_again_is_noop(self, store: TransferStore) -> None:
        """Storing a package again returns False and leaves its history alone."""
        package = make_package()
        store.add_package(package, at=_T0)
        store.change_state(package.digest, expected="initiated", new="accepted", at=_T0)
        assert store.add_package(package, at=_T0 + _dt.timedelta(days=1)) is False
        assert store.state(package.digest) == "accepted"
        assert len(store.history(package.digest)) == 2

    def test_other_package_same_id_is_conflict(self, store: TransferStore) -> None:
        """An altered package under a stored digest raises ConflictError."""
        package = make_package()
        store.add_package(package, at=_T0)
        altered = attrs.evolve(package, consent=False)
        with pytest.raises(ConflictError) as raised:
            store.add_package(altered, at=_T0)
        assert raised.value.key == package.digest
        assert store.get_package(package.digest) == package

    def test_change_state_is_compare_and_set(self, store: TransferStore) -> None:
        """The expected state wins once; a second change from it raises ConflictError."""
        package = make_package()
        store.add_package(package, at=_T0)
        later = _T0 + _dt.timedelta(hours=2)
        event = store.change_state(
            package.digest, expected="initiated", new="accepted", at=later, reason="ok"
        )
        assert (event.sequence, event.state, event.at, event.reason) == (2, "accepted", later, "ok")
        with pytest.raises(ConflictError) as raised:
            store.change_state(package.digest, expected="initiated", new="rejected", at=later)
        assert raised.value.key == package.digest
        assert store.state(package.digest) == "accepted"
        assert [e.state for e in store.history(package.digest)] == ["initiated", "accepted"]
        assert store.history(package.digest)[-1] == event

    def test_unknown_package_raises_not_found(self, store: TransferStore) -> None:
        """Every read or change of an unknown id raises NotFoundError."""
        calls: list[Callable[[], object]] = [
            lambda: store.get_package("nope"),
            lambda: store.state("nope"),
            lambda: store.history("nope"),
            lambda: store.change_state("nope", expected="initiated", new="accepted", at=_T0),
        ]
        for call in calls:
            with pytest.raises(NotFoundError):
                call()

    def test_package_ids_filter_and_order(self, store: TransferStore) -> None:
        """Ids come in storing order, filtered by current state and volunteer."""
        a = make_package("V1")
        b = make_package("V2")
        c = make_package("V1", destination_organization_id="51211100MJ00000250")
        for package in (b, a, c):
            store.add_package(package, at=_T0)
        store.change_state(a.digest, expected="initiated", new="cancelled", at=_T0)
        assert store.package_ids() == (b.digest, a.digest, c.digest)
        assert store.package_ids(state="initiated") == (b.digest, c.digest)
        assert store.package_ids(volunteer_id="V1") == (a.digest, c.digest)
        assert store.package_ids(state="cancelled", volunteer_id="V2") == ()

    def test_event_times_keep_their_offset(self, store: TransferStore) -> None:
        """Event times come back equal and with the offset they were given."""
        package = make_package()
        at = _dt.datetime(2024, 6, 1, 23, 30, tzinfo=_dt.timezone(_dt.timedelta(hours=-5)))
        store.add_package(package, at=at)
        (event,) = store.history(package.digest)
        assert event.at == at
        assert event.at.utcoffset() == at.utcoffset()

    def test_bad_arguments_raise_library_errors(self, store: TransferStore) -> None:
        """Wrong argument types raise InvalidTypeError; a naive time InvalidValueError."""
        package = make_package()
        bad_calls: list[Callable[[], object]] = [
            lambda: store.add_package({}, at=_T0),  # type: ignore[arg-type]
            lambda: store.add_package(package, at="2024-05-01"),  # type: ignore[arg-type]
            lambda: store.get_package(5),  # type: ignore[arg-type]
            lambda: store.package_ids(state=3),  # type: ignore[arg-type]
        ]
        for call in bad_calls:
            with pytest.raises(InvalidTypeError):
                call()
        with pytest.raises(InvalidValueError):
            store.add_package(package, at=_dt.datetime(2024, 5, 1))
        assert store.package_ids() == ()

    def test_threads_racing_a_state_change(self, store: TransferStore) -> None:
        """Threads move one package from the same state at once: exactly one wins."""
        package = make_package()
        store.add_package(package, at=_T0)
        wins: list[int] = []

        def work(worker: int) -> None:
            try:
                store.change_state(package.digest, expected="initiated", new="accepted", at=_T0)
            except ConflictError:
                return
            wins.append(worker)

        _in_threads(work, 6)
        assert len(wins) == 1
        assert [event.state for event in store.history(package.digest)] == [
            "initiated",
            "accepted",
        ]

    def test_several_instances_on_one_database(
        self, shared: Callable[[], tuple[Callable[..., Any], tuple[Any, ...]]] | None
    ) -> None:
        """A state changed through one instance is seen, and compared, by another."""
        opener, args = _shared_or_skip(shared)
        one, two = opener(*args), opener(*args)
        package = make_package()
        assert one.add_package(package, at=_T0)
        assert not two.add_package(package, at=_T0)
        one.change_state(package.digest, expected="initiated", new="accepted", at=_T0)
        with pytest.raises(ConflictError):
            two.change_state(package.digest, expected="initiated", new="rejected", at=_T0)
        assert two.state(package.digest) == "accepted"
        assert one.history(package.digest) == two.history(package.digest)

    def test_several_processes_on_one_database(
        self, shared: Callable[[], tuple[Callable[..., Any], tuple[Any, ...]]] | None
    ) -> None:
        """Processes race to move one package: exactly one of them wins."""
        opener, args = _shared_or_skip(shared)
        package = make_package()
        opener(*args).add_package(package, at=_T0)
        wins = _in_processes(_change_state_worker, opener, (*args, package.digest), 3)
        assert sorted(wins) == [False, False, True]
        assert len(opener(*args).history(package.digest)) == 2

    def test_matches_in_memory_model(self, make_store: Callable[[], TransferStore]) -> None:
        """Random adds and state changes give the same answers as the reference store."""

        class Machine(_TransferMachine):
            def __init__(self) -> None:
                super().__init__(make_store())

        run_state_machine_as_test(Machine, settings=_STATEFUL)


_PACKAGES: list[TransferPackage] = []

_STATES = ("initiated", "accepted", "rejected", "cancelled", "expired")


def _packages() -> list[TransferPackage]:
    if not _PACKAGES:
        base = [make_package("V1"), make_package("V2", records=[make_record("r-9")])]
        _PACKAGES.extend([*base, attrs.evolve(base[0], consent=False)])
    return _PACKAGES


class _TransferMachine(RuleBasedStateMachine):
    def __init__(self, store: TransferStore) -> None:
        super().__init__()
        self.store = store
        self.model = InMemoryTransferStore()
        self.clock = _T0

    @rule(index=st.integers(0, 2))
    def add(self, index: int) -> None:
        package = _packages()[index]
        self.clock += _dt.timedelta(minutes=1)
        at = self.clock
        assert _outcome(lambda: self.store.add_package(package, at=at)) == _outcome(
            lambda: self.model.add_package(package, at=at)
        )

    @rule(index=st.integers(0, 1), expected=st.sampled_from(_STATES), new=st.sampled_from(_STATES))
    def change(self, index: int, expected: str, new: str) -> None:
        package_id = _packages()[index].digest
        self.clock += _dt.timedelta(minutes=1)
        at = self.clock
        assert _outcome(
            lambda: self.store.change_state(package_id, expected=expected, new=new, at=at)
        ) == _outcome(
            lambda: self.model.change_state(package_id, expected=expected, new=new, at=at)
        )

    @invariant()
    def same_content(self) -> None:
        assert self.store.package_ids() == self.model.package_ids()
        for package_id in self.model.package_ids():
            assert self.store.history(package_id) == self.model.history(package_id)
            assert self.store.state(package_id) == self.model.history(package_id)[-1].state
            assert self.store.get_package(package_id) == self.model.get_package(package_id)


def _change_state_worker(opener: Callable[..., Any], args: tuple[Any, ...], worker: int) -> bool:
    *open_args, package_id = args
    store = opener(*open_args)
    try:
        store.change_state(package_id, expected="initiated", new="accepted", at=_T0)
    except ConflictError:
        return False
    return True
