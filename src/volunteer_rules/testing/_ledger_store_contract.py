"""The conformance suite of a time-bank ledger store, and the transfers it is run with.

:class:`LedgerStoreContract`; :mod:`volunteer_rules.testing.contracts` re-exports it.
"""

from __future__ import annotations

import datetime as _dt
import itertools
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
    VolunteerRulesError,
)
from volunteer_rules.hours import Hours
from volunteer_rules.storage.memory import InMemoryLedgerStore
from volunteer_rules.storage.protocols import LedgerStore
from volunteer_rules.testing._contract_harness import (
    _STATEFUL,
    _T0,
    _in_processes,
    _in_threads,
    _outcome,
    _shared_or_skip,
    _SharedStoreContract,
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

__all__ = ["LedgerStoreContract"]

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


class LedgerStoreContract(_SharedStoreContract[LedgerStore]):
    """The conformance suite of :class:`~volunteer_rules.storage.LedgerStore`.

    Subclass it and override the ``make_store`` fixture to return a factory of fresh, empty
    stores; give the subclass a ``shared`` fixture too to run several instances, and
    processes, on one database (see the storage guide). Postings are made with the
    library's :class:`~volunteer_rules.timebank.ledger.Ledger`.

    Example:
        >>> LedgerStoreContract.__name__
        'LedgerStoreContract'
    """

    protocol = LedgerStore

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

    @rule(
        size=st.integers(1, 3),
        bad=st.sampled_from(["not a posting", "id reused", "stale"]),
        data=st.data(),
    )
    def append_with_a_bad_item(self, size: int, bad: str, data: st.DataObject) -> None:
        """A batch that continues the ledger but holds one bad item is refused whole."""
        current = Ledger.from_transfers(self.model.transfers())
        self.clock += _dt.timedelta(minutes=1)
        credits = [
            _credit(f"batch-{next(self.ids)}", _LEDGER_VOLUNTEERS[n % 3], 10 + n, self.clock)
            for n in range(size)
        ]
        _, posted = _post(current, *credits)
        item: object = "not a posting"
        if bad == "id reused":  # a stored id, or the batch's first, with other content
            reused = [p.transfer.transfer_id for p in self.model.postings()] or [
                credits[0].transfer_id
            ]
            tid = data.draw(st.sampled_from(reused))
            other = _post(current, _credit(f"other-{next(self.ids)}", "V3", 999, self.clock))[1][0]
            item = attrs.evolve(
                other,
                transfer=attrs.evolve(other.transfer, transfer_id=tid),
                entries=tuple(entry._replace(transfer_id=tid) for entry in other.entries),
            )
        elif bad == "stale":  # a posting made on the ledger before this batch: its position
            item = _post(current, _credit(f"stale-{next(self.ids)}", "V2", 5, self.clock))[1][0]
        items: list[Any] = [*posted]
        items.insert(data.draw(st.integers(1 if bad == "stale" else 0, len(posted))), item)
        before = (self.store.postings(), self.store.balances())
        got = _outcome(lambda: self.store.append(items))
        assert got[0] != "ok"
        assert got == _outcome(lambda: self.model.append(items))
        assert (self.store.postings(), self.store.balances()) == before

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


def _post_ledger_worker(opener: Callable[..., Any], args: tuple[Any, ...], worker: int) -> int:
    from volunteer_rules.storage.services import post_transfers

    store = opener(*args)
    ledger: Ledger | None = None
    for n in range(6):
        credit = _credit(f"t{worker}-{n}", _LEDGER_VOLUNTEERS[n % 3], 10, _T0)
        ledger = post_transfers(store, [credit], ledger=ledger, attempts=200).ledger
    return 0 if ledger is None else len(ledger)


def _assert_sound_ledger(store: LedgerStore, transfers: int) -> None:
    postings = store.postings()
    ids = [posting.transfer.transfer_id for posting in postings]
    assert len(ids) == len(set(ids)) == transfers == store.transfer_count()
    assert check_ledger(postings) == ()
    sums: dict[str, int] = {}
    for entry in store.entries():
        sums[entry.account] = sums.get(entry.account, 0) + entry.minutes
    assert {account: hours.minutes for account, hours in store.balances().items()} == sums
