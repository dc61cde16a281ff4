"""Conformance suites for the storage protocols: pytest classes an implementation inherits.

Any store (ours, or an integrator's PostgreSQL one) proves it keeps the protocol's promises
by subclassing the matching contract class and providing a ``make_store`` fixture that
returns a *factory*: a zero-argument callable that returns a fresh, empty store each time it
is called (Hypothesis tests call it once per example)::

    import pytest
    from volunteer_rules.testing.contracts import RecordStoreContract

    class TestMyRecordStore(RecordStoreContract):
        @pytest.fixture
        def make_store(self):
            return lambda: MyRecordStore(connect_to_a_fresh_schema())

Every contract class checks the shared rules of :mod:`volunteer_rules.storage.protocols`
(idempotent ids, atomic batches, conflicts, ordering, half-open periods, errors) and ends with
a Hypothesis state machine that drives the store and the in-memory reference store with the
same random operations and compares every answer. Needs the ``testing`` extra (pytest and
Hypothesis). This is the pattern of ``eventsourcing``'s recorder test cases, written as plain
pytest classes.

Example:
    >>> from volunteer_rules.testing.contracts import RecordStoreContract
    >>> [name for name in dir(RecordStoreContract) if name.startswith("test_")][:2]
    ['test_a_bad_item_late_in_a_batch_writes_nothing', 'test_add_then_get']
"""

from __future__ import annotations

import datetime as _dt
import itertools
import multiprocessing
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import attrs
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from volunteer_rules.errors import (
    ConflictError,
    InvalidTypeError,
    InvalidValueError,
    NotFoundError,
    VolunteerRulesError,
)
from volunteer_rules.hours import Hours
from volunteer_rules.records.record import Evaluation, ServiceRecord
from volunteer_rules.records.region import RegionCode
from volunteer_rules.storage.memory import (
    InMemoryLedgerStore,
    InMemoryRecordStore,
    InMemoryTransferStore,
)
from volunteer_rules.storage.protocols import (
    INITIAL_PACKAGE_STATE,
    LedgerStore,
    RecordStore,
    TransferStore,
)
from volunteer_rules.timebank.ledger import (
    ISSUER,
    POOL,
    REDEEMED,
    Ledger,
    LedgerLimits,
    LedgerTransfer,
    PostedTransfer,
    check_ledger,
)
from volunteer_rules.transfer.package import TransferPackage, create_transfer_package

__all__ = [
    "LedgerStoreContract",
    "RecordStoreContract",
    "TransferStoreContract",
    "make_package",
    "make_record",
]

T = TypeVar("T")

_CST = _dt.timezone(_dt.timedelta(hours=8))
_ORGANIZATIONS = ("512111005000000154", "G-panjin-youth")
_VOLUNTEERS = ("V0000001", "V0000002", "V0000003")
_REGIONS = ("211102", "211103", "211104", "211122", "210102")
_QUERY_REGIONS = ("210000", "211100", "211103", "210100", "110000", "211122")

_STATEFUL = settings(
    max_examples=min(settings().max_examples, 50),
    stateful_step_count=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


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
    return make_record(
        draw(st.sampled_from(["r-1", "r-2", "r-3", "r-4"])),
        organization_id=draw(st.sampled_from(_ORGANIZATIONS)),
        volunteer_id=draw(st.sampled_from(_VOLUNTEERS)),
        region_code=draw(st.sampled_from(_REGIONS)),
        day=day,
        minutes=draw(st.sampled_from([60, 90])),
        recorded_at=recorded + _dt.timedelta(minutes=draw(st.integers(0, 3))),
    )


def _outcome(call: Callable[[], T]) -> tuple[str, Any]:
    """Run a store call; return ``("ok", value)`` or the error's class name and key."""
    try:
        return ("ok", call())
    except VolunteerRulesError as error:
        return (type(error).__name__, getattr(error, "key", None))


class RecordStoreContract:
    """The conformance suite of :class:`~volunteer_rules.storage.RecordStore`.

    Subclass it and override the ``make_store`` fixture to return a factory of fresh, empty
    stores.

    Example:
        >>> RecordStoreContract.__name__
        'RecordStoreContract'
    """

    @pytest.fixture
    def make_store(self) -> Callable[[], RecordStore]:
        """Return a zero-argument factory of fresh, empty stores (override this)."""
        raise NotImplementedError("override the make_store fixture")  # pragma: no cover

    @pytest.fixture
    def store(self, make_store: Callable[[], RecordStore]) -> RecordStore:
        """A fresh store."""
        return make_store()

    @pytest.fixture
    def shared(self) -> Callable[[], tuple[Callable[..., Any], tuple[Any, ...]]] | None:
        """Override to test several instances and processes on one database.

        Return a factory that makes fresh, empty shared data and returns ``(opener, args)``:
        ``opener(*args)`` opens another store instance on it, in this process or another
        (both must pickle: a class and a path, say). ``None`` (the default) skips those
        tests.
        """
        return None

    def test_satisfies_the_protocol(self, store: RecordStore) -> None:
        """The store has every method of the protocol."""
        assert isinstance(store, RecordStore)

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
        organization_id=st.sampled_from(_ORGANIZATIONS),
        record_id=st.sampled_from(["r-1", "r-2", "r-3", "r-4"]),
    )
    def get(self, organization_id: str, record_id: str) -> None:
        assert _outcome(lambda: self.store.get(organization_id, record_id)) == _outcome(
            lambda: self.model.get(organization_id, record_id)
        )

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


# --------------------------------------------------------------------------- ledger

_T0 = _dt.datetime(2024, 5, 1, 9, 0, tzinfo=_CST)
_LEDGER_VOLUNTEERS = ("V1", "V2", "V3")


def _credit(tid: str, volunteer: str, minutes: int, at: _dt.datetime) -> LedgerTransfer:
    return LedgerTransfer(
        transfer_id=tid,
        kind="credit",
        legs=((ISSUER, -minutes), (volunteer, minutes)),
        at=at,
        record_key=("G-contract", tid),
    )


def _give(tid: str, giver: str, taker: str, minutes: int, at: _dt.datetime) -> LedgerTransfer:
    return LedgerTransfer(
        transfer_id=tid, kind="give", legs=((giver, -minutes), (taker, minutes)), at=at
    )


def _redeem(tid: str, volunteer: str, minutes: int, at: _dt.datetime) -> LedgerTransfer:
    return LedgerTransfer(
        transfer_id=tid, kind="redeem", legs=((volunteer, -minutes), (REDEEMED, minutes)), at=at
    )


def _post(ledger: Ledger, *transfers: LedgerTransfer) -> tuple[Ledger, tuple[PostedTransfer, ...]]:
    new = ledger.post_many(transfers)
    return new, tuple(new.postings(len(ledger)))


class LedgerStoreContract:
    """The conformance suite of :class:`~volunteer_rules.storage.LedgerStore`.

    Subclass it and override the ``make_store`` fixture to return a factory of fresh, empty
    stores. Postings are made with the library's :class:`~volunteer_rules.timebank.ledger.Ledger`.

    Example:
        >>> LedgerStoreContract.__name__
        'LedgerStoreContract'
    """

    @pytest.fixture
    def make_store(self) -> Callable[[], LedgerStore]:
        """Return a zero-argument factory of fresh, empty stores (override this)."""
        raise NotImplementedError("override the make_store fixture")  # pragma: no cover

    @pytest.fixture
    def store(self, make_store: Callable[[], LedgerStore]) -> LedgerStore:
        """A fresh store."""
        return make_store()

    @pytest.fixture
    def shared(self) -> Callable[[], tuple[Callable[..., Any], tuple[Any, ...]]] | None:
        """Override to test several instances and processes on one database.

        Return a factory that makes fresh, empty shared data and returns ``(opener, args)``:
        ``opener(*args)`` opens another store instance on it, in this process or another
        (both must pickle: a class and a path, say). ``None`` (the default) skips those
        tests.
        """
        return None

    def test_satisfies_the_protocol(self, store: LedgerStore) -> None:
        """The store has every method of the protocol."""
        assert isinstance(store, LedgerStore)

    def test_empty_store(self, store: LedgerStore) -> None:
        """A fresh store has no transfers, no entries, no balances; accounts at version 0."""
        assert store.transfer_count() == 0
        assert store.postings() == ()
        assert store.transfers() == ()
        assert store.entries() == ()
        assert store.balances() == {}
        assert store.version("V1") == 0
        assert store.balance("V1") == Hours.ZERO

    def test_empty_append_is_noop(self, store: LedgerStore) -> None:
        """Appending nothing writes nothing and returns 0."""
        assert store.append([]) == 0
        assert store.transfer_count() == 0

    def test_append_then_read_back(self, store: LedgerStore) -> None:
        """Postings come back equal, in order, with their entries and versions."""
        ledger, posted = _post(
            Ledger(),
            _credit("c-1", "V1", 120, _T0),
            _give("g-1", "V1", "V2", 30, _T0 + _dt.timedelta(hours=1)),
        )
        assert store.append(posted) == 2
        assert store.postings() == posted
        assert store.transfers() == ledger.transfers()
        assert store.get_transfer("g-1") == posted[1]
        assert store.postings(start=1) == posted[1:]
        assert store.transfer_count() == 2
        assert store.entries() == tuple(ledger.entries())
        assert store.version("V1") == 2
        assert store.version(ISSUER) == 1

    def test_get_missing_raises_not_found(self, store: LedgerStore) -> None:
        """An unknown transfer id raises NotFoundError carrying the id."""
        with pytest.raises(NotFoundError) as raised:
            store.get_transfer("nope")
        assert raised.value.key == "nope"

    def test_balances_are_sums_of_entries(self, store: LedgerStore) -> None:
        """Balances equal the entries' sums and the ledger's own balances."""
        ledger, posted = _post(
            Ledger(),
            _credit("c-1", "V1", 120, _T0),
            _credit("c-2", "V2", 60, _T0),
            _redeem("x-1", "V1", 45, _T0),
        )
        store.append(posted)
        sums: dict[str, int] = {}
        for entry in store.entries():
            sums[entry.account] = sums.get(entry.account, 0) + entry.minutes
        assert {a: h.minutes for a, h in store.balances().items()} == sums
        assert store.balances() == dict(sorted(ledger.balances().items()))
        assert store.balance("V1") == Hours.from_minutes(75)
        assert sum(h.minutes for h in store.balances().values()) == 0

    def test_retry_is_noop(self, store: LedgerStore) -> None:
        """Appending postings already stored returns 0 and changes nothing."""
        _, posted = _post(Ledger(), _credit("c-1", "V1", 120, _T0))
        store.append(posted)
        assert store.append(posted) == 0
        assert store.append(posted + posted) == 0
        assert store.transfer_count() == 1
        assert store.balance("V1") == Hours.from_minutes(120)

    def test_retry_later_is_noop(self, store: LedgerStore) -> None:
        """A stored prefix is skipped and the rest of the batch is appended."""
        ledger, first = _post(Ledger(), _credit("c-1", "V1", 120, _T0))
        _, second = _post(ledger, _credit("c-2", "V1", 30, _T0))
        store.append(first)
        assert store.append(first + second) == 1
        assert store.transfer_count() == 2

    def test_same_id_other_content_is_conflict(self, store: LedgerStore) -> None:
        """A stored transfer id with other content raises ConflictError; nothing changes."""
        _, posted = _post(Ledger(), _credit("c-1", "V1", 120, _T0))
        _, other = _post(Ledger(), _credit("c-1", "V1", 90, _T0))
        store.append(posted)
        with pytest.raises(ConflictError) as raised:
            store.append(other)
        assert raised.value.key == "c-1"
        assert store.postings() == posted

    def test_stale_ledger_is_conflict(self, store: LedgerStore) -> None:
        """Two writers from the same state: the second one's batch is stale and refused."""
        _, mine = _post(Ledger(), _credit("c-1", "V1", 120, _T0))
        _, theirs = _post(Ledger(), _credit("c-2", "V2", 60, _T0))
        store.append(mine)
        with pytest.raises(ConflictError) as raised:
            store.append(theirs)
        assert raised.value.key == "c-2"
        assert store.postings() == mine

    def test_reload_and_retry_succeeds(self, store: LedgerStore) -> None:
        """After a conflict, catching up from the store and posting again succeeds."""
        _, mine = _post(Ledger(), _credit("c-1", "V1", 120, _T0))
        stale_ledger = Ledger()
        store.append(mine)
        fresh = stale_ledger.post_many(store.transfers(start=len(stale_ledger)))
        _, theirs = _post(fresh, _credit("c-2", "V2", 60, _T0))
        assert store.append(theirs) == 1
        assert check_ledger(store.postings()) == ()

    def test_batch_with_conflict_writes_nothing(self, store: LedgerStore) -> None:
        """A batch whose last posting conflicts stores none of its postings."""
        ledger, first = _post(Ledger(), _credit("c-1", "V1", 120, _T0))
        store.append(first)
        _, batch = _post(ledger, _credit("c-2", "V2", 60, _T0), _credit("c-3", "V3", 60, _T0))
        _, conflicting = _post(Ledger(), _credit("c-1", "V1", 5, _T0))
        with pytest.raises(ConflictError):
            store.append(batch + conflicting)
        assert store.postings() == first
        assert store.version("V2") == 0

    def test_expected_versions(self, store: LedgerStore) -> None:
        """Accounts at their expected versions pass; one stale version refuses the batch."""
        ledger, first = _post(Ledger(), _credit("c-1", "V1", 120, _T0))
        store.append(first, expected_versions={"V1": 0, ISSUER: 0})
        _, second = _post(ledger, _give("g-1", "V1", "V2", 30, _T0))
        with pytest.raises(ConflictError) as raised:
            store.append(second, expected_versions={"V1": 0})
        assert raised.value.key == "V1"
        assert store.transfer_count() == 1
        assert store.append(second, expected_versions={"V1": 1, "V2": 0}) == 1

    def test_version_gap_is_refused(self, store: LedgerStore) -> None:
        """A posting whose entry versions skip a number does not continue the ledger."""
        _, posted = _post(Ledger(), _credit("c-1", "V1", 120, _T0))
        (original,) = posted
        gapped = attrs.evolve(
            original, entries=tuple(entry._replace(version=2) for entry in original.entries)
        )
        with pytest.raises(ConflictError):
            store.append([gapped])
        assert store.transfer_count() == 0

    def test_inconsistent_posting_is_refused(self, store: LedgerStore) -> None:
        """Entries that do not sum to zero, or name another transfer, are bad input."""
        _, (posted,) = _post(Ledger(), _credit("c-1", "V1", 120, _T0))
        unbalanced = attrs.evolve(posted, entries=posted.entries[:1])
        renamed = attrs.evolve(
            posted, entries=tuple(e._replace(transfer_id="x") for e in posted.entries)
        )
        for bad in (unbalanced, renamed):
            with pytest.raises(InvalidValueError):
                store.append([bad])
        assert store.transfer_count() == 0

    def test_entries_by_account_and_period(self, store: LedgerStore) -> None:
        """``since`` is inclusive, ``until`` exclusive, both compared as instants."""
        t1 = _T0
        t2 = _T0 + _dt.timedelta(hours=1)
        _, posted = _post(Ledger(), _credit("c-1", "V1", 60, t1), _credit("c-2", "V1", 30, t2))
        store.append(posted)
        in_utc = t2.astimezone(_dt.UTC)
        assert [e.transfer_id for e in store.entries("V1", since=t2)] == ["c-2"]
        assert [e.transfer_id for e in store.entries("V1", since=in_utc)] == ["c-2"]
        assert [e.transfer_id for e in store.entries("V1", until=t2)] == ["c-1"]
        assert [e.transfer_id for e in store.entries("V1", until=in_utc)] == ["c-1"]
        later = t2 + _dt.timedelta(microseconds=1)
        assert [e.transfer_id for e in store.entries("V1", until=later)] == ["c-1", "c-2"]
        assert store.entries("V2") == ()
        assert all(e.at.utcoffset() == _dt.timedelta(hours=8) for e in store.entries())

    def test_every_transfer_field_survives(self, store: LedgerStore) -> None:
        """Reservations, references, details and memos come back as posted."""
        ledger, first = _post(Ledger(), _credit("c-1", "V1", 120, _T0))
        reserve = LedgerTransfer(
            transfer_id="h-1",
            kind="reserve",
            legs=(("V1", -60), ("@holds", 60)),
            at=_T0,
            expires_at=_T0 + _dt.timedelta(days=1),
            details=(("service", "haircut"),),
            memo="booked",
        )
        void = LedgerTransfer(
            transfer_id="v-1",
            kind="void",
            legs=(("@holds", -60), ("V1", 60)),
            at=_T0 + _dt.timedelta(hours=1),
            reference="h-1",
        )
        ledger, more = _post(ledger, reserve, void)
        store.append(first + more)
        assert store.postings() == first + more
        assert store.get_transfer("h-1").transfer.details == (("service", "haircut"),)
        assert check_ledger(store.postings()) == ()

    def test_expired_reservation_round_trips(self, store: LedgerStore) -> None:
        """An expiry the ledger made is stored, read back and replayed to the same ledger."""
        reserve = LedgerTransfer(
            transfer_id="h-1",
            kind="reserve",
            legs=(("V1", -60), ("@holds", 60)),
            at=_T0,
            expires_at=_T0 + _dt.timedelta(hours=1),
        )
        later = _credit("c-2", "V2", 10, _T0 + _dt.timedelta(hours=2))
        _, posted = _post(Ledger(), _credit("c-1", "V1", 120, _T0), reserve, later)
        assert [p.transfer.kind for p in posted] == ["credit", "reserve", "expire", "credit"]
        store.append(posted)
        assert store.postings() == posted
        rebuilt = Ledger.from_transfers(store.transfers())
        assert tuple(rebuilt.postings()) == posted
        caught_up = (
            Ledger().post_many(store.transfers(start=0)[:2]).post_many(store.transfers(start=2))
        )
        assert tuple(caught_up.postings()) == posted

    def test_rebuilt_ledger_equals_the_original(self, store: LedgerStore) -> None:
        """``Ledger.from_transfers(store.transfers())`` rebuilds the same ledger."""
        ledger, posted = _post(
            Ledger(),
            _credit("c-1", "V1", 120, _T0),
            _give("g-1", "V1", "V2", 30, _T0),
            _redeem("x-1", "V2", 10, _T0),
        )
        store.append(posted)
        rebuilt = Ledger.from_transfers(store.transfers())
        assert tuple(rebuilt.postings()) == store.postings()
        assert rebuilt.balances() == ledger.balances()

    def test_bad_arguments_raise_library_errors(self, store: LedgerStore) -> None:
        """Wrong argument types raise InvalidTypeError, never a bare TypeError."""
        _, posted = _post(Ledger(), _credit("c-1", "V1", 120, _T0))
        bad_calls: list[Callable[[], object]] = [
            lambda: store.append([object()]),  # type: ignore[list-item]
            lambda: store.append(posted[0]),  # type: ignore[arg-type]
            lambda: store.append(posted, expected_versions={"V1": "0"}),  # type: ignore[dict-item]
            lambda: store.append(posted, expected_versions=[("V1", 0)]),  # type: ignore[arg-type]
            lambda: store.get_transfer(3),  # type: ignore[arg-type]
            lambda: store.postings(start="0"),  # type: ignore[arg-type]
            lambda: store.entries(7),  # type: ignore[arg-type]
            lambda: store.entries("V1", since=_dt.date(2024, 5, 1)),  # type: ignore[arg-type]
            lambda: store.version(None),  # type: ignore[arg-type]
            lambda: store.balance(1.5),  # type: ignore[arg-type]
        ]
        for call in bad_calls:
            with pytest.raises(InvalidTypeError):
                call()
        with pytest.raises(InvalidValueError):
            store.entries("V1", since=_dt.datetime(2024, 5, 1))  # naive
        assert store.transfer_count() == 0

    def test_capped_ledger_keeps_overflow_entries(self, store: LedgerStore) -> None:
        """Entries the cap adds (the excess moved to the pool) are stored and read back."""
        ledger = Ledger(limits=LedgerLimits(cap=Hours.from_hours(1)))
        ledger, posted = _post(ledger, _credit("c-1", "V1", 90, _T0), _credit("c-2", "V1", 30, _T0))
        assert any(p.overflow for p in posted)
        assert store.append(posted) == 2
        assert store.postings() == posted
        assert store.entries() == tuple(ledger.entries())
        assert store.balance("V1") == Hours.from_hours(1)
        assert store.balance(POOL) == Hours.from_minutes(60)
        assert store.version(POOL) == ledger.version(POOL)
        rebuilt = Ledger.from_transfers(store.transfers(), limits=ledger.limits)
        assert tuple(rebuilt.postings()) == posted

    def test_returned_values_do_not_alias_the_store(self, store: LedgerStore) -> None:
        """Changing what a read returned changes nothing in the store."""
        _, posted = _post(Ledger(), _credit("c-1", "V1", 120, _T0))
        store.append(posted)
        balances = store.balances()
        balances["V1"] = Hours.from_minutes(5)
        balances["V9"] = Hours.from_minutes(5)
        assert store.balances() == {ISSUER: Hours.from_minutes(-120), "V1": Hours.from_minutes(120)}
        for value in (store.postings(), store.transfers(), store.entries()):
            assert isinstance(value, tuple)
        assert store.balance("V1") == Hours.from_minutes(120)

    def test_a_bad_item_late_in_a_batch_writes_nothing(self, store: LedgerStore) -> None:
        """Valid postings followed by a wrong item or an inconsistent one: nothing kept."""
        _, posted = _post(Ledger(), *(_credit(f"c-{n}", "V1", 10, _T0) for n in range(4)))
        (last,) = posted[-1:]
        unbalanced = attrs.evolve(last, entries=last.entries[:1])
        with pytest.raises(InvalidTypeError):
            store.append([*posted[:-1], "not a posting"])  # type: ignore[list-item]
        with pytest.raises(InvalidValueError):
            store.append([*posted[:-1], unbalanced])
        assert store.transfer_count() == 0
        assert store.entries() == ()
        assert store.version("V1") == 0

    def test_a_stored_transfer_at_another_place_is_refused(self, store: LedgerStore) -> None:
        """A transfer id stored at one position is not skipped when posted at another."""
        stored = tuple(
            Ledger()
            .post_many([_credit("c-1", "V1", 10, _T0), _credit("c-2", "V2", 10, _T0)])
            .postings()
        )
        store.append(stored)
        _, (elsewhere,) = _post(Ledger(), _credit("c-2", "V2", 10, _T0))
        with pytest.raises(ConflictError):
            store.append([elsewhere])
        assert store.postings() == stored

    def test_threads_posting_at_once(self, store: LedgerStore) -> None:
        """Threads post through the service at once: every transfer once, a sound ledger."""
        from volunteer_rules.storage.services import post_transfers

        def work(worker: int) -> None:
            ledger = None
            for n in range(6):
                credit = _credit(f"t{worker}-{n}", _LEDGER_VOLUNTEERS[n % 3], 10, _T0)
                ledger = post_transfers(store, [credit], ledger=ledger, attempts=200).ledger

        _in_threads(work, 4)
        _assert_sound_ledger(store, 4 * 6)

    def test_several_instances_on_one_database(
        self, shared: Callable[[], tuple[Callable[..., Any], tuple[Any, ...]]] | None
    ) -> None:
        """Two instances on the same data: a stale append through either one is refused."""
        opener, args = _shared_or_skip(shared)
        one, two = opener(*args), opener(*args)
        base = Ledger()
        _, mine = _post(base, _credit("c-1", "V1", 60, _T0))
        _, theirs = _post(base, _credit("c-2", "V2", 60, _T0))
        assert one.append(mine) == 1
        with pytest.raises(ConflictError):
            two.append(theirs)
        fresh = Ledger.from_transfers(two.transfers())
        _, theirs = _post(fresh, _credit("c-2", "V2", 60, _T0))
        assert two.append(theirs) == 1
        assert one.postings() == two.postings() == mine + theirs
        assert one.version("V2") == 1

    def test_several_processes_on_one_database(
        self, shared: Callable[[], tuple[Callable[..., Any], tuple[Any, ...]]] | None
    ) -> None:
        """Processes post through the service at once: every transfer once, a sound ledger."""
        opener, args = _shared_or_skip(shared)
        _in_processes(_post_ledger_worker, opener, args, 3)
        _assert_sound_ledger(opener(*args), 3 * 6)

    def test_matches_in_memory_model(self, make_store: Callable[[], LedgerStore]) -> None:
        """Two writers with stale views, retries and reloads: same answers as the model."""

        class Machine(_LedgerMachine):
            def __init__(self) -> None:
                super().__init__(make_store())

        run_state_machine_as_test(Machine, settings=_STATEFUL)


class _LedgerMachine(RuleBasedStateMachine):
    """Two clients post on their own (possibly stale) ledgers into a store and the model."""

    def __init__(self, store: LedgerStore) -> None:
        super().__init__()
        self.store = store
        self.model = InMemoryLedgerStore()
        self.clients = [Ledger(), Ledger()]
        self.sent: list[PostedTransfer] = []
        self.ids = itertools.count()
        self.clock = _T0

    def _append(self, batch: Sequence[PostedTransfer]) -> bool:
        got = _outcome(lambda: self.store.append(batch))
        assert got == _outcome(lambda: self.model.append(batch))
        self.sent.extend(batch)
        return got[0] == "ok"

    @rule(
        client=st.integers(0, 1),
        kind=st.sampled_from(["credit", "give", "redeem", "donate"]),
        who=st.sampled_from(_LEDGER_VOLUNTEERS),
        other=st.sampled_from(_LEDGER_VOLUNTEERS),
        minutes=st.integers(1, 90),
        reuse_id=st.booleans(),
    )
    def post(
        self, client: int, kind: str, who: str, other: str, minutes: int, reuse_id: bool
    ) -> None:
        self.clock += _dt.timedelta(minutes=1)
        tid = f"{kind}-{next(self.ids)}"
        if reuse_id and self.sent:
            tid = self.sent[-1].transfer.transfer_id
        if kind == "credit":
            transfer = _credit(tid, who, minutes, self.clock)
        elif kind == "give" and who != other:
            transfer = _give(tid, who, other, minutes, self.clock)
        elif kind == "donate":
            transfer = LedgerTransfer(
                transfer_id=tid,
                kind="donate",
                legs=((who, -minutes), (POOL, minutes)),
                at=self.clock,
            )
        else:
            transfer = _redeem(tid, who, minutes, self.clock)
        ledger = self.clients[client]
        try:
            new, posted = _post(ledger, transfer)
        except VolunteerRulesError:
            return  # the ledger refused it (no hours, a conflict it already knows): no write
        if self._append(posted):
            self.clients[client] = new  # a refused batch: the client keeps its old ledger

    @rule(client=st.integers(0, 1))
    def reload(self, client: int) -> None:
        ledger = self.clients[client]
        try:
            self.clients[client] = ledger.post_many(self.store.transfers(start=len(ledger)))
        except VolunteerRulesError:
            self.clients[client] = Ledger.from_transfers(self.store.transfers())

    @rule(data=st.data())
    def resend(self, data: st.DataObject) -> None:
        if self.sent:
            self._append([data.draw(st.sampled_from(self.sent))])

    @invariant()
    def same_content(self) -> None:
        assert self.store.postings() == self.model.postings()
        assert self.store.balances() == self.model.balances()
        for account in (*_LEDGER_VOLUNTEERS, ISSUER):
            assert self.store.version(account) == self.model.version(account)

    @invariant()
    def sound(self) -> None:
        assert check_ledger(self.store.postings()) == ()
        assert sum(h.minutes for h in self.store.balances().values()) == 0


# --------------------------------------------------------------------------- transfers


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


class TransferStoreContract:
    """The conformance suite of :class:`~volunteer_rules.storage.TransferStore`.

    Subclass it and override the ``make_store`` fixture to return a factory of fresh, empty
    stores.

    Example:
        >>> TransferStoreContract.__name__
        'TransferStoreContract'
    """

    @pytest.fixture
    def make_store(self) -> Callable[[], TransferStore]:
        """Return a zero-argument factory of fresh, empty stores (override this)."""
        raise NotImplementedError("override the make_store fixture")  # pragma: no cover

    @pytest.fixture
    def store(self, make_store: Callable[[], TransferStore]) -> TransferStore:
        """A fresh store."""
        return make_store()

    @pytest.fixture
    def shared(self) -> Callable[[], tuple[Callable[..., Any], tuple[Any, ...]]] | None:
        """Override to test several instances and processes on one database.

        Return a factory that makes fresh, empty shared data and returns ``(opener, args)``:
        ``opener(*args)`` opens another store instance on it, in this process or another
        (both must pickle: a class and a path, say). ``None`` (the default) skips those
        tests.
        """
        return None

    def test_satisfies_the_protocol(self, store: TransferStore) -> None:
        """The store has every method of the protocol."""
        assert isinstance(store, TransferStore)

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


# --------------------------------------------------------------------------- concurrency


def _in_threads(work: Callable[[int], None], count: int) -> None:
    """Run ``work(0..count-1)`` in threads started together; re-raise the first error."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(worker: int) -> None:
        try:
            barrier.wait(60)
            work(worker)
        except BaseException as error:  # re-raised below, in the test
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    if errors:
        raise errors[0]


def _shared_or_skip(
    shared: Callable[[], tuple[Callable[..., Any], tuple[Any, ...]]] | None,
) -> tuple[Callable[..., Any], tuple[Any, ...]]:
    if shared is None:
        pytest.skip("the store cannot be opened twice on one database (no shared fixture)")
    return shared()


def _in_processes(
    worker: Callable[..., T], opener: Callable[..., Any], args: tuple[Any, ...], count: int
) -> list[T]:
    """Run ``worker(opener, args, n)`` in ``count`` fresh processes at once; their results."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(count) as pool:
        pending = pool.starmap_async(worker, [(opener, args, n) for n in range(count)])
        return pending.get(timeout=300)


def _add_records_worker(opener: Callable[..., Any], args: tuple[Any, ...], worker: int) -> int:
    store = opener(*args)
    added = 0
    for n in range(8):
        added += store.add([make_record(f"r-{worker}-{n}"), make_record("r-common")])
    return int(added)


def _post_ledger_worker(opener: Callable[..., Any], args: tuple[Any, ...], worker: int) -> int:
    from volunteer_rules.storage.services import post_transfers

    store = opener(*args)
    ledger: Ledger | None = None
    for n in range(6):
        credit = _credit(f"t{worker}-{n}", _LEDGER_VOLUNTEERS[n % 3], 10, _T0)
        ledger = post_transfers(store, [credit], ledger=ledger, attempts=200).ledger
    return 0 if ledger is None else len(ledger)


def _change_state_worker(opener: Callable[..., Any], args: tuple[Any, ...], worker: int) -> bool:
    *open_args, package_id = args
    store = opener(*open_args)
    try:
        store.change_state(package_id, expected="initiated", new="accepted", at=_T0)
    except ConflictError:
        return False
    return True


def _assert_sound_ledger(store: LedgerStore, transfers: int) -> None:
    postings = store.postings()
    ids = [posting.transfer.transfer_id for posting in postings]
    assert len(ids) == len(set(ids)) == transfers == store.transfer_count()
    assert check_ledger(postings) == ()
    sums: dict[str, int] = {}
    for entry in store.entries():
        sums[entry.account] = sums.get(entry.account, 0) + entry.minutes
    assert {account: hours.minutes for account, hours in store.balances().items()} == sums
