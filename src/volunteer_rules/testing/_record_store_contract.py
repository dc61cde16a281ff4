"""The conformance suite of a record store, and the records it is run with.

:class:`RecordStoreContract` and :func:`make_record`; :mod:`volunteer_rules.testing.contracts`
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

from volunteer_rules.errors import (
    ConflictError,
    InvalidTypeError,
    InvalidValueError,
    NotFoundError,
)
from volunteer_rules.hours import Hours
from volunteer_rules.records.record import Evaluation, ServiceRecord
from volunteer_rules.records.region import RegionCode
from volunteer_rules.storage.memory import InMemoryRecordStore
from volunteer_rules.storage.protocols import RecordStore
from volunteer_rules.testing._contract_harness import (
    _CST,
    _STATEFUL,
    _in_processes,
    _in_threads,
    _outcome,
    _shared_or_skip,
    _SharedStoreContract,
)

__all__ = ["RecordStoreContract", "make_record"]

_ORGANIZATIONS = ("512111005000000154", "G-panjin-youth")

_VOLUNTEERS = ("V0000001", "V0000002", "V0000003")

_REGIONS = ("211102", "211103", "211104", "211122", "210102")

_QUERY_REGIONS = ("210000", "211100", "211103", "210100", "110000", "211122")


def make_record(
    record_id: str = "r-1",
    *,
    organization_id: str = _ORGANIZATIONS[0],
    volunteer_id: str = _VOLUNTEERS[0],
    region_code: str = "211103",
    day: _dt.date = _dt.date(2024, 5, 1),
    minutes: int = 120,
    recorded_at: _dt.datetime | None = None,
    status: str = "verified",
    amends: str | None = None,
    **fields: Any,
) -> ServiceRecord:
    """Build a valid service record for storage tests; keyword arguments override fields.

    ``recorded_at`` defaults to 09:00 (UTC+8) on the day after ``day``.

    Example:
        >>> make_record("r-7", minutes=30).key
        ('512111005000000154', 'r-7')
    """
    values: dict[str, Any] = {
        "record_id": record_id,
        "volunteer_id": volunteer_id,
        "organization_id": organization_id,
        "activity_name": "社区助老服务",
        "service_category": "elderly_and_disabled",
        "content": "为独居老人打扫卫生",
        "place": "幸福社区",
        "region_code": RegionCode.parse(region_code),
        "date": day,
        "start": None,
        "end": None,
        "service": Hours.from_minutes(minutes),
        "person_in_charge": "王芳",
        "recorded_by": "李雷",
        "recorded_at": recorded_at
        or _dt.datetime.combine(day + _dt.timedelta(days=1), _dt.time(9), _CST),
        "status": status,
        "amends": amends,
    }
    values.update(fields)
    return ServiceRecord(**values)


@st.composite
def _records(draw: st.DrawFn) -> ServiceRecord:
    day = _dt.date(2024, 5, 1) + _dt.timedelta(days=draw(st.integers(0, 4)))
    offset = draw(st.sampled_from([_CST, _dt.UTC]))
    recorded = _dt.datetime.combine(day + _dt.timedelta(days=1), _dt.time(1), offset)
    record_id = draw(st.sampled_from(["r-1", "r-2", "r-3", "r-4"]))
    return make_record(
        record_id,
        organization_id=draw(st.sampled_from(_ORGANIZATIONS)),
        volunteer_id=draw(st.sampled_from(_VOLUNTEERS)),
        region_code=draw(st.sampled_from(_REGIONS)),
        day=day,
        minutes=draw(st.sampled_from([60, 90])),
        recorded_at=recorded + _dt.timedelta(minutes=draw(st.integers(0, 3))),
        amends=draw(st.none() | st.sampled_from(["r-1", "r-2", "r-3"]).filter(record_id.__ne__)),
    )


class RecordStoreContract(_SharedStoreContract[RecordStore]):
    """The conformance suite of :class:`~volunteer_rules.storage.RecordStore`.

    Subclass it and override the ``make_store`` fixture to return a factory of fresh, empty
    stores; give the subclass a ``shared`` fixture too to run several instances, and
    processes, on one database (see the storage guide).

    Example:
        >>> RecordStoreContract.__name__
        'RecordStoreContract'
    """

    protocol = RecordStore

    def test_empty_store(self, store: RecordStore) -> None:
        """A fresh store holds nothing."""
        assert store.count() == 0
        assert store.find() == ()

    def test_empty_add_is_noop(self, store: RecordStore) -> None:
        """Adding an empty batch stores nothing and returns 0."""
        assert store.add([]) == 0
        assert store.count() == 0

    def test_add_then_get(self, store: RecordStore) -> None:
        """A stored record is returned equal to what was added."""
        record = make_record("r-1")
        assert store.add([record]) == 1
        assert store.get(record.organization_id, "r-1") == record

    def test_every_field_survives(self, store: RecordStore) -> None:
        """Optional fields, offsets and extensions come back as they were stored."""
        record = make_record(
            "r-full",
            start=_dt.datetime(2024, 5, 1, 23, 0, tzinfo=_CST),
            end=_dt.datetime(2024, 5, 2, 1, 30, tzinfo=_CST),
            recorded_at=_dt.datetime(2024, 5, 2, 3, 0, tzinfo=_dt.UTC),
            evaluation=Evaluation(rating="excellent", date=_dt.date(2024, 5, 3)),
            beneficiary="独居老人",
            group_service=True,
            extensions={"source": {"system": "x", "ids": [1, 2]}},
        )
        store.add([record])
        got = store.get(record.organization_id, "r-full")
        assert got == record
        assert got.recorded_at.utcoffset() == _dt.timedelta(0)
        assert got.start is not None
        assert got.start.utcoffset() == _dt.timedelta(hours=8)

    def test_get_missing_raises_not_found(self, store: RecordStore) -> None:
        """Looking up an unknown key raises NotFoundError carrying the key."""
        store.add([make_record("r-1")])
        with pytest.raises(NotFoundError) as raised:
            store.get(_ORGANIZATIONS[1], "r-1")
        assert raised.value.key == f"{_ORGANIZATIONS[1]}/r-1"

    def test_same_content_again_is_noop(self, store: RecordStore) -> None:
        """Adding a stored record again returns 0 and changes nothing."""
        record = make_record("r-1")
        store.add([record])
        assert store.add([record]) == 0
        assert store.add([make_record("r-1")]) == 0
        assert store.count() == 1

    def test_different_content_is_conflict(self, store: RecordStore) -> None:
        """The same key with other content raises ConflictError; the original stays."""
        original = make_record("r-1", minutes=120)
        store.add([original])
        with pytest.raises(ConflictError) as raised:
            store.add([make_record("r-1", minutes=121)])
        assert raised.value.key == f"{original.organization_id}/r-1"
        assert store.get(original.organization_id, "r-1") == original

    def test_same_instant_other_offset_is_conflict(self, store: RecordStore) -> None:
        """Content is the canonical record format: another UTC offset is other content."""
        record = make_record("r-1")
        store.add([record])
        moved = make_record("r-1", recorded_at=record.recorded_at.astimezone(_dt.UTC))
        assert moved == record  # equal instants compare equal in Python...
        with pytest.raises(ConflictError):
            store.add([moved])  # ...but the stored text differs

    def test_batch_with_conflict_writes_nothing(self, store: RecordStore) -> None:
        """A batch holding one conflicting record stores none of its records."""
        store.add([make_record("r-1")])
        batch = [make_record("r-2"), make_record("r-3"), make_record("r-1", minutes=30)]
        with pytest.raises(ConflictError):
            store.add(batch)
        assert store.count() == 1
        with pytest.raises(NotFoundError):
            store.get(_ORGANIZATIONS[0], "r-2")

    def test_duplicates_inside_a_batch(self, store: RecordStore) -> None:
        """A key twice in one batch: same content counts once, other content conflicts."""
        assert store.add([make_record("r-1"), make_record("r-1")]) == 1
        with pytest.raises(ConflictError):
            store.add([make_record("r-2"), make_record("r-2", minutes=30)])
        assert store.count() == 1

    def test_same_record_id_in_two_organizations(self, store: RecordStore) -> None:
        """Record ids are unique within an organization only."""
        a = make_record("r-1", organization_id=_ORGANIZATIONS[0])
        b = make_record("r-1", organization_id=_ORGANIZATIONS[1], minutes=30)
        assert store.add([a, b]) == 2
        assert store.get(_ORGANIZATIONS[1], "r-1") == b

    def test_amendment_is_added_not_replaced(self, store: RecordStore) -> None:
        """An amending record is stored next to the one it corrects."""
        original = make_record("r-1", minutes=120)
        correction = make_record("r-1a", minutes=90, amends="r-1")
        store.add([original])
        store.add([correction])
        assert store.find() == (original, correction)

    def test_amendments_of_finds_direct_amendments_of_anyone(self, store: RecordStore) -> None:
        """``amendments_of``: the records of the key's organization whose ``amends`` is it.

        Whoever's they are, in recorded order; one level only; another organization's
        record with the same ``amends`` is not an amendment of the key.
        """
        original = make_record("r-1", volunteer_id=_VOLUNTEERS[0])
        late = make_record("r-3", volunteer_id=_VOLUNTEERS[0], amends="r-1")
        other = make_record(
            "r-2", volunteer_id=_VOLUNTEERS[1], amends="r-1", day=_dt.date(2024, 4, 1)
        )
        again = make_record("r-4", volunteer_id=_VOLUNTEERS[2], amends="r-2")
        elsewhere = make_record("r-9", organization_id=_ORGANIZATIONS[1], amends="r-1")
        store.add([original, late, other, again, elsewhere])
        key = (_ORGANIZATIONS[0], "r-1")
        assert store.amendments_of([key]) == (other, late)
        assert store.amendments_of([key, key, (_ORGANIZATIONS[0], "r-2")]) == (other, late, again)
        assert store.amendments_of(iter([(_ORGANIZATIONS[1], "r-1")])) == (elsewhere,)
        assert store.amendments_of([(_ORGANIZATIONS[0], "r-4"), ("nowhere", "r-1")]) == ()
        assert store.amendments_of([]) == ()

    def test_amendments_of_many_keys(self, store: RecordStore) -> None:
        """Many keys at once (more than a database takes in one query) find every amendment."""
        originals = [make_record(f"r-{i}") for i in range(1200)]
        amendments = [make_record(f"a-{i}", amends=f"r-{i}") for i in range(0, 1200, 7)]
        store.add(originals + amendments)
        found = store.amendments_of(r.key for r in originals)
        assert sorted(r.record_id for r in found) == sorted(r.record_id for r in amendments)

    def test_amendments_of_bad_keys_raise_library_errors(self, store: RecordStore) -> None:
        """Keys that are not pairs of strings are an ``InvalidTypeError``."""
        for bad in ("r-1", None, [("a",)], [("a", 1)], [["a", "b"]], [None]):
            with pytest.raises(InvalidTypeError):
                store.amendments_of(bad)  # type: ignore[arg-type]

    def test_find_by_volunteer_and_organization(self, store: RecordStore) -> None:
        """Volunteer and organization filters combine."""
        a = make_record("r-1", volunteer_id="V0000001")
        b = make_record("r-2", volunteer_id="V0000002")
        c = make_record("r-3", volunteer_id="V0000001", organization_id=_ORGANIZATIONS[1])
        store.add([a, b, c])
        assert store.find(volunteer_id="V0000001") == (a, c)
        assert store.find(organization_id=_ORGANIZATIONS[1]) == (c,)
        assert store.find(volunteer_id="V0000001", organization_id=_ORGANIZATIONS[0]) == (a,)
        assert store.find(volunteer_id="nobody") == ()

    def test_find_by_region_is_containment(self, store: RecordStore) -> None:
        """A province finds its cities' counties; a city its counties; a county itself."""
        xinglongtai = make_record("r-1", region_code="211103")
        panshan = make_record("r-2", region_code="211122")
        shenyang = make_record("r-3", region_code="210102")
        store.add([xinglongtai, panshan, shenyang])
        assert store.find(region=RegionCode.parse("210000")) == (xinglongtai, panshan, shenyang)
        assert store.find(region=RegionCode.parse("211100")) == (xinglongtai, panshan)
        assert store.find(region=RegionCode.parse("211103")) == (xinglongtai,)
        assert store.find(region=RegionCode.parse("110000")) == ()

    def test_record_at_city_level_is_not_in_its_counties(self, store: RecordStore) -> None:
        """A record placed at a city is found by the city, not by a county of it."""
        record = make_record("r-1", region_code="211100")
        store.add([record])
        assert store.find(region=RegionCode.parse("211100")) == (record,)
        assert store.find(region=RegionCode.parse("211103")) == ()

    def test_period_since_is_inclusive(self, store: RecordStore) -> None:
        """``since`` keeps a record dated that day and drops the day before."""
        before = make_record("r-1", day=_dt.date(2024, 4, 30))
        on = make_record("r-2", day=_dt.date(2024, 5, 1))
        store.add([before, on])
        assert store.find(since=_dt.date(2024, 5, 1)) == (on,)

    def test_period_until_is_exclusive(self, store: RecordStore) -> None:
        """``until`` drops a record dated that day and keeps the day before."""
        before = make_record("r-1", day=_dt.date(2024, 4, 30))
        on = make_record("r-2", day=_dt.date(2024, 5, 1))
        store.add([before, on])
        assert store.find(until=_dt.date(2024, 5, 1)) == (before,)
        assert store.find(since=_dt.date(2024, 4, 30), until=_dt.date(2024, 5, 2)) == (
            before,
            on,
        )

    def test_find_is_in_recorded_order(self, store: RecordStore) -> None:
        """Results follow recorded_at as an instant (whatever the offset), then record_id."""
        late = make_record("r-a", recorded_at=_dt.datetime(2024, 5, 2, 2, 0, tzinfo=_dt.UTC))
        early = make_record("r-b", recorded_at=_dt.datetime(2024, 5, 2, 9, 0, tzinfo=_CST))
        tie = make_record("r-c", recorded_at=_dt.datetime(2024, 5, 2, 9, 0, tzinfo=_CST))
        store.add([late, tie, early])
        assert store.find() == (early, tie, late)

    def test_bad_arguments_raise_library_errors(self, store: RecordStore) -> None:
        """Wrong argument types raise InvalidTypeError, never a bare TypeError."""
        bad_calls: list[Callable[[], object]] = [
            lambda: store.add([object()]),  # type: ignore[list-item]
            lambda: store.add(make_record("r-1")),  # type: ignore[arg-type]
            lambda: store.add(42),  # type: ignore[arg-type]
            lambda: store.get(1, "r-1"),  # type: ignore[arg-type]
            lambda: store.find(volunteer_id=3),  # type: ignore[arg-type]
            lambda: store.find(region="211100"),  # type: ignore[arg-type]
            lambda: store.find(since="2024-05-01"),  # type: ignore[arg-type]
            lambda: store.find(until=_dt.datetime(2024, 5, 1, tzinfo=_CST)),
        ]
        for call in bad_calls:
            with pytest.raises(InvalidTypeError):
                call()
        assert store.count() == 0

    def test_ties_on_recorded_at_break_by_record_id_then_organization(
        self, store: RecordStore
    ) -> None:
        """One instant in two offsets is a tie; record_id, then organization_id, break it."""
        at = _dt.datetime(2024, 5, 2, 1, 0, tzinfo=_dt.UTC)
        in_cst = at.astimezone(_CST)
        a2 = make_record("r-a", organization_id=_ORGANIZATIONS[1], recorded_at=at)
        a1 = make_record("r-a", organization_id=_ORGANIZATIONS[0], recorded_at=in_cst)
        b1 = make_record("r-b", organization_id=_ORGANIZATIONS[0], recorded_at=at)
        before = make_record("r-z", recorded_at=at - _dt.timedelta(microseconds=1))
        store.add([b1, a2])
        store.add([a1, before])
        assert store.find() == (before, a1, a2, b1)
        assert store.find(organization_id=_ORGANIZATIONS[0]) == (before, a1, b1)

    def test_a_bad_item_late_in_a_batch_writes_nothing(self, store: RecordStore) -> None:
        """Valid records followed by a wrong item, or a conflict: none of the batch is kept."""
        store.add([make_record("r-1")])
        good = [make_record(f"r-{n}") for n in range(2, 6)]
        with pytest.raises(InvalidTypeError):
            store.add([*good, "not a record"])  # type: ignore[list-item]
        with pytest.raises(ConflictError):
            store.add([*good, make_record("r-1", minutes=30)])
        assert store.count() == 1
        assert store.find() == (make_record("r-1"),)

    @pytest.mark.parametrize(
        "change",
        ["amends itself", "end before start", "date not the start's", "text not storable"],
    )
    def test_a_record_the_format_cannot_read_back_is_refused(
        self, store: RecordStore, change: str
    ) -> None:
        """A record ``parse_record`` would refuse is refused: nothing of the batch is stored.

        ``InvalidValueError`` names the item, so a store never holds a record it cannot give
        back.
        """
        record = make_record(
            "r-2",
            start=_dt.datetime(2024, 5, 1, 9, tzinfo=_CST),
            end=_dt.datetime(2024, 5, 1, 11, tzinfo=_CST),
        )
        with attrs.validators.disabled():  # the constructor refuses the first three
            bad = {
                "amends itself": attrs.evolve(record, amends="r-2"),
                "end before start": attrs.evolve(
                    record, end=_dt.datetime(2024, 5, 1, 8, tzinfo=_CST)
                ),
                "date not the start's": attrs.evolve(record, date=record.date + _dt.timedelta(3)),
                "text not storable": attrs.evolve(record, place="\ud800"),
            }[change]
        store.add([make_record("r-1")])
        with pytest.raises(InvalidValueError, match=r"records\[1\]"):
            store.add([make_record("r-3"), bad])
        assert store.find() == (make_record("r-1"),)

    def test_threads_adding_at_once(self, store: RecordStore) -> None:
        """Several threads add their own records and a common one: every record once."""
        common = make_record("r-common")

        def work(worker: int) -> None:
            for n in range(8):
                store.add([make_record(f"r-{worker}-{n}"), common])

        _in_threads(work, 4)
        assert store.count() == 4 * 8 + 1
        assert len(store.find()) == 4 * 8 + 1

    def test_several_instances_on_one_database(
        self, shared: Callable[[], tuple[Callable[..., Any], tuple[Any, ...]]] | None
    ) -> None:
        """Two instances on the same data see each other's writes and conflicts."""
        opener, args = _shared_or_skip(shared)
        one, two = opener(*args), opener(*args)
        one.add([make_record("r-1")])
        assert two.get(_ORGANIZATIONS[0], "r-1") == make_record("r-1")
        with pytest.raises(ConflictError):
            two.add([make_record("r-1", minutes=30)])
        two.add([make_record("r-2")])
        assert one.count() == two.count() == 2
        assert one.find() == two.find()

    def test_several_processes_on_one_database(
        self, shared: Callable[[], tuple[Callable[..., Any], tuple[Any, ...]]] | None
    ) -> None:
        """Processes add their own records and a common one at once: every record once."""
        opener, args = _shared_or_skip(shared)
        added = _in_processes(_add_records_worker, opener, args, 3)
        assert sum(added) == 3 * 8 + 1
        assert opener(*args).count() == 3 * 8 + 1

    def test_matches_in_memory_model(self, make_store: Callable[[], RecordStore]) -> None:
        """Random adds and look-ups give the same answers as the in-memory reference store."""

        class Machine(_RecordMachine):
            def __init__(self) -> None:
                super().__init__(make_store())

        run_state_machine_as_test(Machine, settings=_STATEFUL)


class _RecordMachine(RuleBasedStateMachine):
    """Drives a store and the reference model with the same operations."""

    def __init__(self, store: RecordStore) -> None:
        super().__init__()
        self.store = store
        self.model = InMemoryRecordStore()

    @rule(batch=st.lists(_records(), max_size=4))
    def add(self, batch: Sequence[ServiceRecord]) -> None:
        assert _outcome(lambda: self.store.add(batch)) == _outcome(lambda: self.model.add(batch))

    @rule(
        batch=st.lists(_records(), max_size=4),
        bad=st.sampled_from(["not a record", "not storable", "conflict"]),
        data=st.data(),
    )
    def add_with_a_bad_item(
        self, batch: list[ServiceRecord], bad: str, data: st.DataObject
    ) -> None:
        """A batch with one bad item, anywhere, is refused whole: the store is as before."""
        held = self.model.find()
        if bad == "conflict" and held:
            stored = data.draw(st.sampled_from(held))
            item: object = attrs.evolve(stored, service=stored.service + Hours.from_minutes(1))
        elif bad == "not a record":
            item = "not a record"
        else:  # a record the format would not read back: it amends itself
            record = data.draw(_records())
            with attrs.validators.disabled():  # the constructor refuses it too
                item = attrs.evolve(record, amends=record.record_id)
        items: list[Any] = [*batch]
        items.insert(data.draw(st.integers(0, len(batch))), item)
        before = (self.store.count(), self.store.find())
        got = _outcome(lambda: self.store.add(items))
        assert got[0] != "ok"
        assert got == _outcome(lambda: self.model.add(items))
        assert (self.store.count(), self.store.find()) == before == (len(held), held)

    @rule(
        organization_id=st.sampled_from(_ORGANIZATIONS),
        record_id=st.sampled_from(["r-1", "r-2", "r-3", "r-4"]),
    )
    def get(self, organization_id: str, record_id: str) -> None:
        assert _outcome(lambda: self.store.get(organization_id, record_id)) == _outcome(
            lambda: self.model.get(organization_id, record_id)
        )

    @rule(
        keys=st.lists(
            st.tuples(st.sampled_from(_ORGANIZATIONS), st.sampled_from(["r-1", "r-2", "r-3"])),
            max_size=3,
        )
    )
    def amendments_of(self, keys: list[tuple[str, str]]) -> None:
        assert self.store.amendments_of(keys) == self.model.amendments_of(keys)

    @rule(
        volunteer_id=st.none() | st.sampled_from(_VOLUNTEERS),
        organization_id=st.none() | st.sampled_from(_ORGANIZATIONS),
        region=st.none() | st.sampled_from(_QUERY_REGIONS).map(RegionCode.parse),
        since=st.none() | st.dates(_dt.date(2024, 4, 30), _dt.date(2024, 5, 6)),
        until=st.none() | st.dates(_dt.date(2024, 4, 30), _dt.date(2024, 5, 6)),
    )
    def find(
        self,
        volunteer_id: str | None,
        organization_id: str | None,
        region: RegionCode | None,
        since: _dt.date | None,
        until: _dt.date | None,
    ) -> None:
        found = self.store.find(
            volunteer_id=volunteer_id,
            organization_id=organization_id,
            region=region,
            since=since,
            until=until,
        )
        assert found == self.model.find(
            volunteer_id=volunteer_id,
            organization_id=organization_id,
            region=region,
            since=since,
            until=until,
        )

    @invariant()
    def same_count(self) -> None:
        assert self.store.count() == self.model.count()


def _add_records_worker(opener: Callable[..., Any], args: tuple[Any, ...], worker: int) -> int:
    store = opener(*args)
    added = 0
    for n in range(8):
        added += store.add([make_record(f"r-{worker}-{n}"), make_record("r-common")])
    return int(added)
