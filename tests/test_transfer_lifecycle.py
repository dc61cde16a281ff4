"""The transfer lifecycle, idempotent acceptance, tracing, and conservation."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import volunteer_rules as vr
from volunteer_rules.testing.examples import SAMPLE_ORGANIZATION_ID, SAMPLE_RECORD_PAYLOAD
from volunteer_rules.testing.strategies import (
    TRANSFER_AS_OF,
    transfer_histories,
    transfer_packages,
)
from volunteer_rules.transfer import unwrap_record

CST = dt.timezone(dt.timedelta(hours=8))
AT = dt.datetime(2024, 6, 1, 9, 0, tzinfo=CST)
AS_OF = dt.date(2024, 6, 1)
DESTINATION = "51211100MJ00000175"


def record(**changes: Any) -> vr.ServiceRecord:
    return attrs.evolve(vr.parse_record(SAMPLE_RECORD_PAYLOAD), **changes)


def package(records: list[vr.ServiceRecord] | None = None, **changes: Any) -> vr.TransferPackage:
    arguments: dict[str, Any] = {
        "volunteer_id": "V0000001",
        "source_organization_id": SAMPLE_ORGANIZATION_ID,
        "destination_organization_id": DESTINATION,
        "destination_region_code": "210100",
        "source_region_code": "211103",
        "consent": True,
        "created_at": AT,
    }
    arguments.update(changes)
    return vr.create_transfer_package([record()] if records is None else records, **arguments)


def started(**changes: Any) -> vr.Transfer:
    return vr.initiate_transfer(package(**changes), at=AT, expires_at=AT + dt.timedelta(days=30))


class TestTransitions:
    """initiated -> accepted | rejected | cancelled | expired, and nothing else."""

    def test_initiate(self) -> None:
        """A new transfer is initiated, with one event."""
        transfer = started()
        assert transfer.state == "initiated"
        assert [e.state for e in transfer.history] == ["initiated"]
        assert transfer.decided_at is None

    def test_reject(self) -> None:
        """Rejecting records the reason and the time."""
        later = AT + dt.timedelta(hours=1)
        transfer = vr.reject_transfer(started(), at=later, reason="not ours")
        assert transfer.state == "rejected"
        assert transfer.history[-1] == vr.TransferEvent(
            state="rejected", at=later, reason="not ours"
        )
        assert transfer.decided_at == later

    def test_cancel(self) -> None:
        """The source may cancel."""
        assert vr.cancel_transfer(started(), at=AT, reason="consent withdrawn").state == (
            "cancelled"
        )

    @pytest.mark.parametrize(
        "step",
        [
            lambda t: vr.reject_transfer(t, at=AT, reason="x"),
            lambda t: vr.cancel_transfer(t, at=AT),
        ],
    )
    def test_repeating_a_transition_is_a_no_op(self, step: Any) -> None:
        """Rejecting a rejected (cancelling a cancelled) transfer changes nothing."""
        once = step(started())
        assert step(once) == once

    def test_final_states_are_final(self) -> None:
        """After a decision no other decision: ConflictError."""
        rejected = vr.reject_transfer(started(), at=AT, reason="x")
        with pytest.raises(vr.ConflictError):
            vr.cancel_transfer(rejected, at=AT)
        with pytest.raises(vr.ConflictError):
            vr.accept_transfer(rejected, destination_records=[], at=AT, as_of=AS_OF)
        accepted = vr.accept_transfer(started(), destination_records=[], at=AT, as_of=AS_OF)
        with pytest.raises(vr.ConflictError):
            vr.reject_transfer(accepted.transfer, at=AT, reason="too late")

    def test_expiry_boundary(self) -> None:
        """expires_at is exclusive: a minute before it is live, at it expired."""
        transfer = started()
        expiry = AT + dt.timedelta(days=30)
        assert vr.expire_transfer(transfer, at=expiry - dt.timedelta(minutes=1)) == transfer
        assert vr.expire_transfer(transfer, at=expiry).state == "expired"
        before = vr.accept_transfer(
            transfer, destination_records=[], at=expiry - dt.timedelta(minutes=1), as_of=AS_OF
        )
        assert before.accepted
        at_expiry = vr.accept_transfer(transfer, destination_records=[], at=expiry, as_of=AS_OF)
        assert not at_expiry.accepted
        assert at_expiry.transfer.state == "expired"
        assert at_expiry.imported == ()
        assert "expired" in at_expiry.decision.codes

    def test_expire_after_decision_changes_nothing(self) -> None:
        """A decided transfer does not expire."""
        accepted = vr.accept_transfer(started(), destination_records=[], at=AT, as_of=AS_OF)
        later = AT + dt.timedelta(days=60)
        assert vr.expire_transfer(accepted.transfer, at=later) == accepted.transfer

    def test_no_expiry(self) -> None:
        """Without expires_at a transfer never expires."""
        transfer = vr.initiate_transfer(package(), at=AT)
        assert vr.expire_transfer(transfer, at=AT + dt.timedelta(days=10_000)) == transfer

    @pytest.mark.parametrize(
        ("call", "error"),
        [
            (lambda: vr.initiate_transfer("p", at=AT), vr.InvalidTypeError),  # type: ignore[arg-type]
            (
                lambda: vr.initiate_transfer(package(), at=dt.datetime(2024, 6, 1)),
                vr.InvalidValueError,
            ),
            (lambda: vr.initiate_transfer(package(), at=AT, expires_at=AT), vr.InvalidValueError),
            (
                lambda: vr.reject_transfer(started(), at=AT - dt.timedelta(seconds=1), reason=""),
                vr.InvalidValueError,
            ),
            (lambda: vr.reject_transfer(started(), at=AT, reason=None), vr.InvalidTypeError),  # type: ignore[arg-type]
            (lambda: vr.cancel_transfer(object(), at=AT), vr.InvalidTypeError),  # type: ignore[arg-type]
            (
                lambda: vr.accept_transfer(started(), destination_records=5, at=AT, as_of=AS_OF),  # type: ignore[arg-type]
                vr.InvalidTypeError,
            ),
        ],
    )
    def test_misuse(self, call: Any, error: type[Exception]) -> None:
        """Wrong types and impossible times raise library errors."""
        with pytest.raises(error):
            call()


class TestAcceptance:
    """Acceptance imports with origin, refuses violations, and is idempotent."""

    def test_import_marks_origin(self) -> None:
        """Every imported record carries the source and the package digest."""
        transfer = started()
        result = vr.accept_transfer(transfer, destination_records=[], at=AT, as_of=AS_OF)
        assert result.accepted
        assert result.transfer.state == "accepted"
        (imported,) = result.imported
        assert imported.record == record()
        assert imported.origin == vr.RecordOrigin(
            source_organization_id=SAMPLE_ORGANIZATION_ID,
            source_region_code="211103",
            package_digest=transfer.digest,
            accepted_at=AT,
        )
        assert result.holdings == (imported,)

    def test_violations_refuse(self) -> None:
        """With a violation nothing is imported and the transfer stays initiated."""
        result = vr.accept_transfer(
            started(consent=False), destination_records=[], at=AT, as_of=AS_OF
        )
        assert not result.accepted
        assert result.transfer.state == "initiated"
        assert result.imported == ()
        assert result.decision.codes == ("consent_missing",)

    def test_held_records_kept_first(self) -> None:
        """The holdings afterwards are what was held, then the imports."""
        mine = record(
            organization_id=DESTINATION,
            record_id="d-1",
            date=dt.date(2024, 4, 1),
            start=None,
            end=None,
            recorded_at=dt.datetime(2024, 4, 2, tzinfo=CST),
        )
        result = vr.accept_transfer(started(), destination_records=[mine], at=AT, as_of=AS_OF)
        assert result.holdings[0] is mine
        assert len(result.holdings) == 2

    @given(
        transfer_packages(allowed=True, max_size=8),
        transfer_histories(organization_id=DESTINATION, max_size=6),
    )
    def test_accepting_twice_equals_once(
        self, value: vr.TransferPackage, held: list[vr.ServiceRecord]
    ) -> None:
        """Accepting the same package again imports nothing new, by state or by holdings."""
        # Keep the destination's own records from colliding with the package's days.
        days = {r.date for r in value.records}
        held = [r for r in held if r.date not in days]
        transfer = vr.initiate_transfer(value, at=AT)
        once = vr.accept_transfer(transfer, destination_records=held, at=AT, as_of=TRANSFER_AS_OF)
        assert once.accepted, once.decision.violations
        again = vr.accept_transfer(
            once.transfer, destination_records=once.holdings, at=AT, as_of=TRANSFER_AS_OF
        )
        fresh = vr.accept_transfer(
            transfer, destination_records=once.holdings, at=AT, as_of=TRANSFER_AS_OF
        )
        for repeat in (again, fresh):
            assert repeat.accepted
            assert repeat.imported == ()
            assert repeat.holdings == once.holdings
        assert again.transfer == once.transfer

    def test_a_record_twice_in_a_read_package_is_imported_once(self) -> None:
        """A package written elsewhere with a record in it twice (digest and summary made
        over both) is imported with the record once."""
        wire = vr.dump_transfer_package(package())
        wire["records"] *= 2
        wire["summary"] = {"record_count": 2, "service_minutes": 240}
        del wire["digest"]
        text = json.dumps(wire, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
        wire["digest"] = hashlib.sha256(text.encode("ascii")).hexdigest()
        read = vr.parse_transfer_package(wire)
        assert len(read.records) == 2
        result = vr.accept_transfer(
            vr.initiate_transfer(read, at=AT), destination_records=[], at=AT, as_of=AS_OF
        )
        assert result.accepted and [i.record for i in result.imported] == [record()]

    @settings(max_examples=60, deadline=None)
    @given(transfer_histories(min_size=1, max_size=10), st.data())
    def test_no_record_lost_or_counted_twice(
        self, history: list[vr.ServiceRecord], data: st.DataObject
    ) -> None:
        """A history split between the destination and a package (in any order, a record
        given twice, records the destination already holds): what the destination holds
        after acceptance counts exactly what the whole history counts, each key held once;
        a refusal imports nothing; a correction made at the source after packaging arrives
        in a second package and replaces the record it corrects."""
        order = data.draw(st.permutations(history))
        split = data.draw(st.integers(0, len(order)))
        held, moving = list(order[:split]), list(order[split:])
        again = data.draw(st.lists(st.sampled_from(order), max_size=2))
        overlap = held[: data.draw(st.integers(0, len(held)))]

        def counted(records: Any) -> int:
            return vr.count_records(
                vr.combined_history(records), as_of=TRANSFER_AS_OF, volunteer_id="V0000001"
            ).minutes

        def accept(records: list[vr.ServiceRecord], holdings: Any) -> vr.TransferAcceptance:
            transfer = vr.initiate_transfer(package(records), at=AT)
            return vr.accept_transfer(
                transfer, destination_records=holdings, at=AT, as_of=TRANSFER_AS_OF
            )

        result = accept([*moving, *again, *overlap], held)
        if not result.accepted:
            assert result.imported == () and result.holdings == tuple(held)
            assert set(result.decision.codes) == {"duplicate_record"}
            result = accept(moving, held)
        assert result.accepted, result.decision.violations
        keys = [unwrap_record(h).key for h in result.holdings]
        assert len(keys) == len(set(keys))
        assert counted(result.holdings) == counted(history)
        target = data.draw(st.sampled_from(history))
        correction = attrs.evolve(
            target,
            record_id=f"{target.record_id}-fix",
            amends=target.record_id,
            content=data.draw(st.sampled_from([target.content, "更正内容"])),
            service=vr.Hours.from_minutes(max(1, target.service.minutes // 2)),
            recorded_at=target.recorded_at + dt.timedelta(days=1),
        )
        assume(correction.recorded_at.date() <= TRANSFER_AS_OF)
        second = accept([correction], result.holdings)
        assert second.accepted, second.decision.violations
        assert counted(second.holdings) == counted([*history, correction])

    def test_another_package_with_the_same_record_is_a_duplicate(self) -> None:
        """Records imported from one package are duplicates for a second package."""
        first = vr.accept_transfer(started(), destination_records=[], at=AT, as_of=AS_OF)
        second = vr.initiate_transfer(package(created_at=AT + dt.timedelta(hours=1)), at=AT)
        result = vr.accept_transfer(second, destination_records=first.holdings, at=AT, as_of=AS_OF)
        assert not result.accepted
        assert result.decision.codes == ("duplicate_record",)


class TestSourceSide:
    """The source keeps its records and marks them transferred."""

    def test_mark(self) -> None:
        """Package records become TransferredRecord; others stay as they were."""
        other = record(
            record_id="r-other",
            date=dt.date(2024, 4, 1),
            start=None,
            end=None,
            recorded_at=dt.datetime(2024, 4, 2, tzinfo=CST),
        )
        value = package()
        marked = vr.mark_transferred([record(), other], value)
        assert marked[1] is other
        assert marked[0] == vr.TransferredRecord(
            record=record(),
            destination_organization_id=DESTINATION,
            destination_region_code="210100",
            package_digest=value.digest,
        )
        assert vr.mark_transferred(marked, value) == marked

    def test_mark_misuse(self) -> None:
        """A non-package or a string is an InvalidTypeError."""
        with pytest.raises(vr.InvalidTypeError):
            vr.mark_transferred([record()], "p")  # type: ignore[arg-type]
        with pytest.raises(vr.InvalidTypeError):
            vr.mark_transferred("abc", package())  # type: ignore[arg-type]


class TestCombinedHistory:
    """Each key once across both sides; conflicts are never merged."""

    def test_union_by_key(self) -> None:
        """Source marks and destination imports of one record count once."""
        value = package()
        accepted = vr.accept_transfer(
            vr.initiate_transfer(value, at=AT), destination_records=[], at=AT, as_of=AS_OF
        )
        history = vr.combined_history(vr.mark_transferred([record()], value), accepted.holdings)
        assert history == (record(),)

    def test_conflict(self) -> None:
        """Same key, different content: both versions kept, so certification excludes the key."""
        other = record(place="别处")
        history = vr.combined_history([record()], [other, record()])
        assert history == (record(), other)
        result = vr.certify(history, rule_set="cn-national", as_of=AS_OF)
        assert result.counted == vr.Hours.ZERO
        assert result.excluded == ((record().record_id, "duplicate_record"),)

    def test_misuse(self) -> None:
        """A non-iterable or a foreign item is an InvalidTypeError."""
        with pytest.raises(vr.InvalidTypeError):
            vr.combined_history(5)  # type: ignore[arg-type]
        with pytest.raises(vr.InvalidTypeError):
            vr.combined_history([{"record_id": "x"}])


def _move(
    value: vr.TransferPackage, source: list[vr.ServiceRecord], held: list[vr.ServiceRecord]
) -> tuple[tuple[vr.Holding, ...], tuple[vr.Holding, ...]]:
    accepted = vr.accept_transfer(
        vr.initiate_transfer(value, at=AT), destination_records=held, at=AT, as_of=TRANSFER_AS_OF
    )
    assert accepted.accepted, accepted.decision.violations
    return vr.mark_transferred(source, value), accepted.holdings


class TestConservation:
    """check_transfer_conservation proves nothing lost, duplicated or altered."""

    @given(
        transfer_packages(allowed=True, max_size=8),
        transfer_histories(organization_id=DESTINATION, max_size=6),
    )
    def test_a_real_move_conserves(
        self, value: vr.TransferPackage, held: list[vr.ServiceRecord]
    ) -> None:
        """Accept plus mark: conserved, and hours equal across both sides."""
        days = {r.date for r in value.records}
        held = [r for r in held if r.date not in days]
        source = list(value.records)
        source_after, destination_after = _move(value, source, held)
        report = vr.check_transfer_conservation(
            value,
            source_before=source,
            source_after=source_after,
            destination_before=held,
            destination_after=destination_after,
        )
        assert report.conserved, report.violations
        assert report.hours_before == report.hours_after

    def _report(self, **changes: Any) -> vr.ConservationReport:
        value = package()
        source_after, destination_after = _move(value, [record()], [])
        arguments: dict[str, Any] = {
            "source_before": [record()],
            "source_after": source_after,
            "destination_before": [],
            "destination_after": destination_after,
        }
        arguments.update(changes)
        return vr.check_transfer_conservation(value, **arguments)

    def test_clean(self) -> None:
        """The baseline move is conserved."""
        assert self._report().conserved

    def test_record_lost_at_destination(self) -> None:
        """The destination did not receive the record."""
        assert self._report(destination_after=[]).codes == ("record_lost",)

    def test_record_lost_at_source(self) -> None:
        """The source dropped the record instead of marking it."""
        assert self._report(source_after=[]).codes == ("record_lost", "not_marked")

    def test_destination_lost_its_own(self) -> None:
        """A record the destination held before is gone."""
        own = record(
            organization_id=DESTINATION,
            record_id="d",
            date=dt.date(2024, 4, 1),
            start=None,
            end=None,
            recorded_at=dt.datetime(2024, 4, 2, tzinfo=CST),
        )
        report = self._report(destination_before=[own])
        assert report.codes == ("record_lost", "hours_not_conserved")

    def test_duplicated(self) -> None:
        """The same key held twice at the destination."""
        value = package()
        _, destination_after = _move(value, [record()], [])
        report = self._report(destination_after=[*destination_after, *destination_after])
        assert report.codes == ("record_duplicated",)

    def test_unexpected(self) -> None:
        """A record appeared from nowhere."""
        value = package()
        _, destination_after = _move(value, [record()], [])
        stray = record(organization_id=DESTINATION, record_id="stray")
        report = self._report(destination_after=[*destination_after, stray])
        assert report.codes == ("unexpected_record", "hours_not_conserved")

    def test_altered(self) -> None:
        """The destination holds different content under the key."""
        changed = record(service=vr.Hours.from_minutes(60))
        report = self._report(destination_after=[changed])
        assert report.codes == ("record_altered", "not_traced")

    def test_altered_at_source(self) -> None:
        """The source changed its own record."""
        value = package()
        changed = vr.mark_transferred([record(place="别处")], value)
        assert "record_altered" in self._report(source_after=changed).codes

    def test_not_traced(self) -> None:
        """Imported without origin."""
        assert self._report(destination_after=[record()]).codes == ("not_traced",)

    def test_misuse(self) -> None:
        """A non-package is an InvalidTypeError."""
        with pytest.raises(vr.InvalidTypeError):
            vr.check_transfer_conservation(
                None,  # type: ignore[arg-type]
                source_before=[],
                source_after=[],
                destination_before=[],
                destination_after=[],
            )
        with pytest.raises(vr.InvalidTypeError):
            self._report(source_before=7)


class TestAnyInput:
    """Any object in any argument raises only library errors."""

    @given(st.from_type(object), st.integers(0, 9))
    def test_garbage(self, value: object, which: int) -> None:
        """Each public function, one argument replaced by an arbitrary object."""
        good = started()
        calls: list[Callable[[], object]] = [
            lambda: vr.initiate_transfer(value, at=AT),  # type: ignore[arg-type]
            lambda: vr.initiate_transfer(package(), at=value),  # type: ignore[arg-type]
            lambda: vr.initiate_transfer(package(), at=AT, expires_at=value),  # type: ignore[arg-type]
            lambda: vr.accept_transfer(value, destination_records=[], at=AT, as_of=AS_OF),  # type: ignore[arg-type]
            lambda: vr.accept_transfer(good, destination_records=value, at=AT, as_of=AS_OF),  # type: ignore[arg-type]
            lambda: vr.accept_transfer(good, destination_records=[], at=AT, as_of=value),  # type: ignore[arg-type]
            lambda: vr.reject_transfer(good, at=AT, reason=value),  # type: ignore[arg-type]
            lambda: vr.expire_transfer(value, at=AT),  # type: ignore[arg-type]
            lambda: vr.mark_transferred(value, package()),  # type: ignore[arg-type]
            lambda: vr.combined_history([record()], value),  # type: ignore[arg-type]
        ]
        with contextlib.suppress(vr.VolunteerRulesError):
            calls[which]()


class TransferMachine(RuleBasedStateMachine):
    """Random sequences of lifecycle steps keep the lifecycle's invariants."""

    def __init__(self) -> None:
        super().__init__()
        self.transfer = vr.initiate_transfer(
            package(), at=AT, expires_at=AT + dt.timedelta(days=10)
        )
        self.holdings: tuple[vr.Holding, ...] = ()
        self.clock = AT
        self.final: str | None = None

    @rule(hours=st.integers(0, 120))
    def wait(self, hours: int) -> None:
        self.clock += dt.timedelta(hours=hours)

    def _attempt(self, step: Callable[[], vr.Transfer]) -> None:
        try:
            self.transfer = step()
        except vr.ConflictError:
            assert self.final is not None

    @rule()
    def accept(self) -> None:
        try:
            result = vr.accept_transfer(
                self.transfer, destination_records=self.holdings, at=self.clock, as_of=AS_OF
            )
        except vr.ConflictError:
            assert self.final not in (None, "accepted")
            return
        if result.accepted:
            assert self.final in (None, "accepted")
            if self.final == "accepted":
                assert result.imported == ()
            self.holdings = result.holdings
        self.transfer = result.transfer

    @rule(reason=st.sampled_from(["", "duplicate"]))
    def reject(self, reason: str) -> None:
        self._attempt(lambda: vr.reject_transfer(self.transfer, at=self.clock, reason=reason))

    @rule()
    def cancel(self) -> None:
        self._attempt(lambda: vr.cancel_transfer(self.transfer, at=self.clock))

    @rule()
    def expire(self) -> None:
        self._attempt(lambda: vr.expire_transfer(self.transfer, at=self.clock))

    @invariant()
    def states(self) -> None:
        state = self.transfer.state
        assert state in vr.TRANSFER_STATES
        if self.final is not None:
            assert state == self.final, "a final state never changes"
        elif state != "initiated":
            self.final = state
        assert self.transfer.history[0].state == "initiated"
        assert len(self.transfer.history) <= 2
        if state == "expired":
            assert self.transfer.expires_at is not None
            assert self.transfer.history[-1].at >= self.transfer.expires_at
        keys = [vr.combined_history([h])[0].key for h in self.holdings]
        assert len(keys) == len(set(keys)), "imported at most once"
        assert len(self.holdings) == (1 if self.final == "accepted" else 0)


TransferMachine.TestCase.settings = settings(
    settings(), max_examples=min(settings().max_examples, 60), stateful_step_count=12
)
TestTransferMachine = TransferMachine.TestCase
