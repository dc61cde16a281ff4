"""The shipped strategies: every one draws valid values, and the library's types resolve."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import volunteer_rules as vr
from volunteer_rules.testing import strategies as vst
from volunteer_rules.timebank.ledger import Ledger, LedgerLimits, LedgerTransfer

REGISTERED = [
    vr.Hours,
    vr.RegionCode,
    vr.ServiceRecord,
    vr.ResidentId,
    vr.OrganizationCode,
    vr.VolunteerProfile,
    vr.TrainingRecord,
    vr.Commendation,
    vr.EvaluationRecord,
    vr.RuleSet,
    Ledger,
    LedgerLimits,
    LedgerTransfer,
    vr.TransferPackage,
    vr.Demand,
]


class TestRegistration:
    @pytest.mark.parametrize("kind", REGISTERED, ids=lambda kind: kind.__name__)
    def test_from_type(self, kind: type[Any]) -> None:
        """``st.from_type`` gives values of every registered type, through the entry point."""

        @settings(max_examples=5, deadline=None)
        @given(st.from_type(kind))
        def draw(value: Any) -> None:
            assert isinstance(value, kind)

        draw()


class TestAllStrategies:
    @pytest.mark.parametrize("name", vst.__all__)
    def test_draws(self, name: str) -> None:
        """Every public strategy draws without error with its defaults."""
        strategy = getattr(vst, name)
        if not callable(strategy):
            return

        @settings(max_examples=5, deadline=None)
        @given(strategy())
        def draw(value: Any) -> None:
            assert value is not None

        draw()

    @given(vst.record_payloads())
    def test_record_payloads_are_canonical(self, payload: dict[str, Any]) -> None:
        """Generated canonical payloads round-trip through parse and dump."""
        assert vr.dump_record(vr.parse_record(payload)) == payload

    @pytest.mark.parametrize(
        ("payloads", "parse", "dump"),
        [
            (vst.profile_payloads, vr.parse_profile, vr.dump_profile),
            (vst.training_payloads, vr.parse_training, vr.dump_training),
            (vst.commendation_payloads, vr.parse_commendation, vr.dump_commendation),
            (vst.evaluation_payloads, vr.parse_evaluation_record, vr.dump_evaluation_record),
        ],
    )
    def test_profile_part_payloads_are_canonical(
        self, payloads: Any, parse: Any, dump: Any
    ) -> None:
        """Generated payloads of a profile's parts read (their texts storable) and round-trip."""

        @settings(max_examples=300, deadline=None)
        @given(payloads())
        def round_trip(payload: dict[str, Any]) -> None:
            assert dump(parse(payload)) == payload

        round_trip()

    @given(vst.service_records())
    def test_service_records_round_trip(self, record: vr.ServiceRecord) -> None:
        """Generated records round-trip through dump and parse."""
        assert vr.parse_record(vr.dump_record(record)) == record


def test_ledger_limits_draw_dated_caps_that_ledgers_cross() -> None:
    """Integrators' ledgers meet a cap in force on some days only: ledger_limits draws caps
    with a first or a last day (or both), and a ledger drawn under one has transfers on both
    sides of it, every one held to its own day's cap (check_ledger finds nothing)."""
    from hypothesis import find

    from volunteer_rules.timebank.ledger import check_ledger

    dated = find(vst.ledger_limits(), lambda limits: limits.dated)
    assert dated.cap is not None
    both = find(vst.ledger_limits(), lambda limits: None not in (limits.cap_from, limits.cap_until))
    assert both.cap_from is not None and both.cap_until is not None
    assert both.cap_from <= both.cap_until

    def crosses(ledger: Ledger) -> bool:
        limits = ledger.limits
        days = {e.at.date() for e in ledger.entries()}
        return limits.dated and len({limits.cap_on(day) is None for day in days}) == 2

    ledger = find(vst.ledgers(), crosses, settings=settings(max_examples=2000, deadline=None))
    assert check_ledger(ledger) == ()
