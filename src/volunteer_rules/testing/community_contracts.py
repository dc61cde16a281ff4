"""Conformance suites for the community stores: pytest classes an implementation inherits.

As :mod:`volunteer_rules.testing.contracts`: subclass the contract and provide a
``make_store`` fixture returning a factory of fresh, empty stores::

    class TestMyOrganizationStore(OrganizationStoreContract):
        @pytest.fixture
        def make_store(self):
            return lambda: MyOrganizationStore(connect_to_a_fresh_schema())

Each registry contract checks idempotent ids, conflicts, atomic batches, compare-and-set
updates with their history, ``find`` by region (containment) and by each filter, errors, and
ends with a Hypothesis state machine driving the store and the in-memory reference with the
same operations. The attendance contract checks the append-only event log the same way.

Example:
    >>> [n for n in dir(OrganizationStoreContract) if n.startswith("test_")][:2]
    ['test_a_database_of_another_application_is_refused', 'test_add_then_get']
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from volunteer_rules.community.attendance import AttendanceEvent
from volunteer_rules.community.organization import Organization
from volunteer_rules.community.person import Consent, PersonServed
from volunteer_rules.community.project import Project
from volunteer_rules.community.station import Station
from volunteer_rules.errors import (
    ConflictError,
    InvalidTypeError,
    InvalidValueError,
    NotFoundError,
    VolunteerRulesError,
)
from volunteer_rules.records.region import RegionCode
from volunteer_rules.storage.community_memory import (
    InMemoryAttendanceStore,
    InMemoryOrganizationStore,
    InMemoryPersonServedStore,
    InMemoryProjectStore,
    InMemoryStationStore,
)
from volunteer_rules.storage.community_protocols import (
    AttendanceStore,
    OrganizationStore,
    PersonServedStore,
    ProjectStore,
    StationStore,
)
from volunteer_rules.testing._contract_harness import _CST, _StoreContract
from volunteer_rules.testing.community_examples import sample_person, sample_project

__all__ = [
    "AttendanceStoreContract",
    "OrganizationStoreContract",
    "PersonServedStoreContract",
    "ProjectStoreContract",
    "StationStoreContract",
]

_REGIONS = ("211102", "211103", "211104", "211100", "210102")
_QUERIES = ("210000", "211100", "211103", "210100", "110000")
_STATEFUL = settings(
    max_examples=min(settings().max_examples, 30),
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _outcome(call: Callable[[], Any]) -> tuple[str, Any]:
    try:
        return "ok", call()
    except VolunteerRulesError as error:
        return type(error).__name__, None


def _organization(n: int, region: str, version: int = 0) -> Organization:
    return Organization(
        organization_id=f"G-org-{n}",
        name=f"组织{n}",
        kind="volunteer_team",
        region=RegionCode.parse(region),
        responsible_department="民政局",
        parent_id=None if n == 0 else "G-org-0",
        status="registered" if version == 0 else "suspended",
        status_since=None if version == 0 else _dt.date(2024, 1, version),
    )


def _station(n: int, region: str, version: int = 0) -> Station:
    return Station(
        station_id=f"ST-{n}",
        name=f"服务站{n}",
        region=RegionCode.parse(region),
        organization_ids=("G-org-0",) if n % 2 else ("G-org-0", "G-org-1"),
        address="" if version == 0 else f"地址{version}",
    )


def _person(n: int, region: str, version: int = 0) -> PersonServed:
    consent = Consent(
        given_by="self", given_on=_dt.date(2024, 1, 1), purposes=frozenset({"record"})
    )
    if version:
        consent = attrs.evolve(consent, withdrawn_on=_dt.date(2024, 2, version))
    person: PersonServed = attrs.evolve(
        sample_person(),
        person_id=f"P-{n}",
        station_id=f"ST-{n % 2}",
        region=RegionCode.parse(region),
        needs=(),
        consent=consent,
        contact="13800138000",
    )
    return person


def _project(n: int, region: str, version: int = 0) -> Project:
    base = sample_project()
    demand = attrs.evolve(
        base.demand,
        region=RegionCode.parse(region),
        organization_id="G-org-0" if n % 2 else "G-org-1",
    )
    project: Project = attrs.evolve(
        base,
        project_id=f"PRJ-{n}",
        demand=demand,
        station_id=f"ST-{n % 2}",
        content=base.content if version == 0 else f"{base.content}（第{version}版）",
    )
    return project


class _RegistryContract(_StoreContract[Any]):
    """The shared tests of the four registries."""

    reference: ClassVar[Any]
    build: ClassVar[Any]
    key: ClassVar[Any]
    tag: ClassVar[str]
    tag_values: ClassVar[tuple[str, ...]]

    def item(self, n: int, region: str = "211103", version: int = 0) -> Any:
        return type(self).build(n, region, version)

    def test_empty_store(self, store: Any) -> None:
        assert store.count() == 0
        assert store.find() == ()
        assert store.history("x") == ()
        with pytest.raises(NotFoundError):
            store.get("x")

    def test_add_then_get(self, store: Any) -> None:
        item = self.item(0)
        assert store.add([item]) == 1
        assert store.get(type(self).key(item)) == item
        assert store.count() == 1

    def test_same_content_again_is_noop(self, store: Any) -> None:
        store.add([self.item(0)])
        assert store.add([self.item(0), self.item(0)]) == 0
        assert store.count() == 1

    def test_other_content_same_id_is_conflict(self, store: Any) -> None:
        store.add([self.item(0)])
        with pytest.raises(ConflictError):
            store.add([self.item(0, version=1)])
        assert store.get(type(self).key(self.item(0))) == self.item(0)

    def test_batch_with_conflict_writes_nothing(self, store: Any) -> None:
        store.add([self.item(0)])
        with pytest.raises(ConflictError):
            store.add([self.item(1), self.item(0, version=1)])
        assert store.count() == 1
        with pytest.raises(ConflictError):
            store.add([self.item(2), self.item(2, version=1)])
        assert store.count() == 1

    def test_update_keeps_history(self, store: Any) -> None:
        first, second, third = (self.item(0, version=v) for v in (0, 1, 2))
        store.add([first])
        assert store.update(second, expected=first) is True
        assert store.update(second, expected=second) is False
        assert store.update(third, expected=second) is True
        key = type(self).key(first)
        assert store.get(key) == third
        assert store.history(key) == (first, second, third)
        assert store.count() == 1

    def test_stale_update_is_conflict(self, store: Any) -> None:
        first, second, third = (self.item(0, version=v) for v in (0, 1, 2))
        store.add([first])
        store.update(second, expected=first)
        with pytest.raises(ConflictError):
            store.update(third, expected=first)
        assert store.get(type(self).key(first)) == second

    def test_update_missing_is_not_found(self, store: Any) -> None:
        with pytest.raises(NotFoundError):
            store.update(self.item(0, version=1), expected=self.item(0))

    def test_find_by_region_is_containment(self, store: Any) -> None:
        store.add([self.item(n, region) for n, region in enumerate(_REGIONS)])
        for query in _QUERIES:
            region = RegionCode.parse(query)
            expected = sorted(
                type(self).key(self.item(n, r))
                for n, r in enumerate(_REGIONS)
                if region.contains(RegionCode.parse(r))
            )
            assert [type(self).key(i) for i in store.find(region=region)] == expected

    def test_find_by_filter(self, store: Any) -> None:
        items = [self.item(n) for n in range(5)]
        store.add(items)
        for value in type(self).tag_values:
            found = store.find(**{type(self).tag: value})
            assert list(found) == sorted(
                (i for i in items if value in _tag_values(i, type(self).tag)),
                key=type(self).key,
            )

    def test_find_sees_the_current_entry(self, store: Any) -> None:
        store.add([self.item(0, "211103")])
        moved = attrs.evolve(self.item(0, "211104"))
        store.update(moved, expected=self.item(0, "211103"))
        assert store.find(region=RegionCode.parse("211103")) == ()
        assert store.find(region=RegionCode.parse("211104")) == (moved,)

    def test_bad_arguments_raise_library_errors(self, store: Any) -> None:
        with pytest.raises(InvalidTypeError):
            store.add(["not an entry"])
        with pytest.raises(InvalidTypeError):
            store.add("text")
        with pytest.raises(InvalidTypeError):
            store.find(region="211103")
        with pytest.raises(InvalidValueError):
            store.update(self.item(1), expected=self.item(0))

    def test_matches_in_memory_model(self, make_store: Callable[[], Any]) -> None:
        contract = self
        key = type(self).key

        class Machine(RuleBasedStateMachine):
            def __init__(self) -> None:
                super().__init__()
                self.store = make_store()
                self.model = contract.reference()

            @rule(
                batch=st.lists(
                    st.tuples(st.integers(0, 4), st.sampled_from(_REGIONS), st.integers(0, 2)),
                    max_size=3,
                )
            )
            def add(self, batch: list[tuple[int, str, int]]) -> None:
                items = [contract.item(n, r, v) for n, r, v in batch]
                assert _outcome(lambda: self.store.add(items)) == _outcome(
                    lambda: self.model.add(items)
                )

            @rule(
                batch=st.lists(
                    st.tuples(st.integers(0, 4), st.sampled_from(_REGIONS), st.integers(0, 2)),
                    max_size=3,
                ),
                conflict=st.booleans(),
                data=st.data(),
            )
            def add_with_a_bad_item(
                self, batch: list[tuple[int, str, int]], conflict: bool, data: st.DataObject
            ) -> None:
                """One bad item anywhere in a batch: refused whole, the store as before."""
                items: list[Any] = [contract.item(n, r, v) for n, r, v in batch]
                held = self.model.find()
                bad: Any = "not an entry"
                if conflict and held:  # a held id with other content
                    current = data.draw(st.sampled_from(held))
                    n = next(n for n in range(5) if key(contract.item(n)) == key(current))
                    other = [contract.item(n, r, v) for r in _REGIONS for v in range(3)]
                    bad = data.draw(st.sampled_from([i for i in other if i != current]))
                items.insert(data.draw(st.integers(0, len(items))), bad)
                before = [self.store.history(key(contract.item(n))) for n in range(5)]
                got = _outcome(lambda: self.store.add(items))
                assert got[0] != "ok"
                assert got == _outcome(lambda: self.model.add(items))
                assert [self.store.history(key(contract.item(n))) for n in range(5)] == before
                assert self.store.find() == held

            @rule(n=st.integers(0, 4), region=st.sampled_from(_REGIONS), version=st.integers(0, 2))
            def update(self, n: int, region: str, version: int) -> None:
                key = type(contract).key(contract.item(n))
                current = _outcome(lambda: self.model.get(key))
                if current[0] != "ok":
                    return
                new = contract.item(n, region, version)
                assert _outcome(lambda: self.store.update(new, expected=current[1])) == _outcome(
                    lambda: self.model.update(new, expected=current[1])
                )

            @rule(
                query=st.sampled_from((None, *_QUERIES)),
                value=st.sampled_from((None, *type(contract).tag_values)),
            )
            def find(self, query: str | None, value: str | None) -> None:
                region = None if query is None else RegionCode.parse(query)
                options = {"region": region, type(contract).tag: value}
                assert self.store.find(**options) == self.model.find(**options)

            @invariant()
            def same(self) -> None:
                assert self.store.count() == self.model.count()
                for n in range(5):
                    key = type(contract).key(contract.item(n))
                    assert self.store.history(key) == self.model.history(key)

        run_state_machine_as_test(Machine, settings=_STATEFUL)


def _tag_values(item: Any, tag: str) -> tuple[str, ...]:
    if isinstance(item, Organization):
        return () if item.parent_id is None else (item.parent_id,)
    if isinstance(item, Station):
        return item.organization_ids
    if isinstance(item, PersonServed):
        return (item.station_id,)
    if isinstance(item, Project):
        return (item.station_id or "",) if tag == "station_id" else (item.organization_id,)
    raise TypeError(type(item).__name__)


class OrganizationStoreContract(_RegistryContract):
    """The conformance suite of an :class:`~volunteer_rules.storage.community_protocols.OrganizationStore`.

    Example:
        >>> OrganizationStoreContract.tag
        'parent_id'
    """

    reference = InMemoryOrganizationStore
    protocol = OrganizationStore
    build = staticmethod(_organization)
    key = staticmethod(lambda o: o.organization_id)
    tag = "parent_id"
    tag_values = ("G-org-0", "G-org-9")


class StationStoreContract(_RegistryContract):
    """The conformance suite of a :class:`~volunteer_rules.storage.community_protocols.StationStore`.

    Example:
        >>> StationStoreContract.tag
        'organization_id'
    """

    reference = InMemoryStationStore
    protocol = StationStore
    build = staticmethod(_station)
    key = staticmethod(lambda s: s.station_id)
    tag = "organization_id"
    tag_values = ("G-org-0", "G-org-1", "G-org-9")


class PersonServedStoreContract(_RegistryContract):
    """The conformance suite of a :class:`~volunteer_rules.storage.community_protocols.PersonServedStore`.

    Example:
        >>> PersonServedStoreContract.tag
        'station_id'
    """

    reference = InMemoryPersonServedStore
    protocol = PersonServedStore
    build = staticmethod(_person)
    key = staticmethod(lambda p: p.person_id)
    tag = "station_id"
    tag_values = ("ST-0", "ST-1", "ST-9")


class ProjectStoreContract(_RegistryContract):
    """The conformance suite of a :class:`~volunteer_rules.storage.community_protocols.ProjectStore`.

    Example:
        >>> ProjectStoreContract.tag
        'organization_id'
    """

    reference = InMemoryProjectStore
    protocol = ProjectStore
    build = staticmethod(_project)
    key = staticmethod(lambda p: p.project_id)
    tag = "organization_id"
    tag_values = ("G-org-0", "G-org-1", "G-org-9")


def _event(n: int, volunteer: int, minute: int, kind: str = "check_in") -> AttendanceEvent:
    return AttendanceEvent(
        event_id=f"e{n}",
        project_id=f"PRJ-{n % 2}",
        volunteer_id=f"V{volunteer}",
        slot=0,
        kind=kind,
        at=_dt.datetime(2024, 6, 5, 9, tzinfo=_CST) + _dt.timedelta(minutes=minute),
        source="device",
        by="qr",
    )


class AttendanceStoreContract(_StoreContract[AttendanceStore]):
    """The conformance suite of an :class:`~volunteer_rules.storage.community_protocols.AttendanceStore`.

    Example:
        >>> "test_events_in_order" in dir(AttendanceStoreContract)
        True
    """

    protocol = AttendanceStore

    def test_append_is_idempotent(self, store: AttendanceStore) -> None:
        """The same events again change nothing."""
        events = [_event(0, 1, 0), _event(1, 1, 5)]
        assert store.append(events) == 2
        assert store.append(events) == 0
        assert store.count() == 2
        assert store.get("e1") == events[1]
        with pytest.raises(NotFoundError):
            store.get("e9")

    def test_other_content_is_conflict_and_nothing_is_written(self, store: AttendanceStore) -> None:
        """An event id reused with other content: ConflictError, and the batch is not stored."""
        store.append([_event(0, 1, 0)])
        with pytest.raises(ConflictError):
            store.append([_event(1, 1, 0), _event(0, 1, 1)])
        assert store.count() == 1
        with pytest.raises(ConflictError):
            store.append([_event(2, 1, 0), _event(2, 1, 1)])
        assert store.count() == 1

    def test_events_in_order(self, store: AttendanceStore) -> None:
        """Events come by instant, then id, whatever their offsets; filters combine."""
        later_in_utc = attrs.evolve(
            _event(3, 1, 0), at=_dt.datetime(2024, 6, 5, 1, 0, 30, tzinfo=_dt.UTC)
        )
        events = [_event(2, 1, 10), _event(1, 2, 0), later_in_utc, _event(0, 1, 0)]
        store.append(events)
        assert [e.event_id for e in store.events()] == ["e0", "e1", "e3", "e2"]
        assert [e.event_id for e in store.events(volunteer_id="V1")] == ["e0", "e3", "e2"]
        assert [e.event_id for e in store.events(project_id="PRJ-1", volunteer_id="V1")] == ["e3"]
        assert store.get("e3").at.utcoffset() == _dt.timedelta(0)

    def test_bad_arguments_raise_library_errors(self, store: AttendanceStore) -> None:
        """Wrong types raise the library's InvalidTypeError."""
        with pytest.raises(InvalidTypeError):
            store.append(["x"])  # type: ignore[list-item]
        with pytest.raises(InvalidTypeError):
            store.events(project_id=1)  # type: ignore[arg-type]

    def test_matches_in_memory_model(self, make_store: Callable[[], AttendanceStore]) -> None:
        """Random appends and queries give the reference store's answers."""

        class Machine(RuleBasedStateMachine):
            def __init__(self) -> None:
                super().__init__()
                self.store = make_store()
                self.model = InMemoryAttendanceStore()

            @rule(
                batch=st.lists(
                    st.tuples(st.integers(0, 6), st.integers(0, 2), st.integers(-30, 30)),
                    max_size=4,
                )
            )
            def append(self, batch: Sequence[tuple[int, int, int]]) -> None:
                events = [_event(*values) for values in batch]
                assert _outcome(lambda: self.store.append(events)) == _outcome(
                    lambda: self.model.append(events)
                )

            @rule(
                batch=st.lists(
                    st.tuples(st.integers(0, 6), st.integers(0, 2), st.integers(-30, 30)),
                    max_size=4,
                ),
                conflict=st.booleans(),
                data=st.data(),
            )
            def append_with_a_bad_item(
                self, batch: Sequence[tuple[int, int, int]], conflict: bool, data: st.DataObject
            ) -> None:
                """One bad item anywhere in a batch: refused whole, the store as before."""
                events: list[Any] = [_event(*values) for values in batch]
                held = self.model.events()
                bad: Any = "not an event"
                if conflict and held:  # a held event id with other content
                    current = data.draw(st.sampled_from(held))
                    bad = attrs.evolve(current, at=current.at + _dt.timedelta(seconds=1))
                events.insert(data.draw(st.integers(0, len(events))), bad)
                got = _outcome(lambda: self.store.append(events))
                assert got[0] != "ok"
                assert got == _outcome(lambda: self.model.append(events))
                assert self.store.events() == held

            @rule(
                project=st.sampled_from((None, "PRJ-0", "PRJ-1")),
                volunteer=st.sampled_from((None, "V0", "V1", "V2")),
            )
            def events(self, project: str | None, volunteer: str | None) -> None:
                assert self.store.events(project_id=project, volunteer_id=volunteer) == (
                    self.model.events(project_id=project, volunteer_id=volunteer)
                )

            @invariant()
            def same(self) -> None:
                assert self.store.count() == self.model.count()

        run_state_machine_as_test(Machine, settings=_STATEFUL)
