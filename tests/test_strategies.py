"""The shipped strategies: every one draws valid values, and the library's types resolve."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

import volunteer_rules as vr
from volunteer_rules.records._wording import personal_number_shape, volunteer_id_problem
from volunteer_rules.testing import strategies as vst
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
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

    @given(
        st.one_of(
            vst.volunteer_ids(),
            vst.volunteer_profiles().map(lambda profile: profile.volunteer_id),
            vst.training_records().map(lambda training: training.volunteer_id),
        )
    )
    def test_volunteer_ids_are_never_personal_numbers(self, volunteer_id: str) -> None:
        """The volunteer ids drawn are never shaped like an ID or a mobile number."""
        assert volunteer_id_problem(volunteer_id) is None

    def test_volunteer_ids_reach_the_mobile_rules_valid_side(self) -> None:
        """Digit ids next to a mobile number are drawn (12 digits, or 11 from 10-12)."""
        find(vst.volunteer_ids(), lambda text: len(text) == 12 and text.isdigit())
        find(vst.volunteer_ids(), lambda text: len(text) == 11 and text[:2] in ("10", "11", "12"))

    def test_malformed_payloads_carry_personal_numbers_as_volunteer_id(self) -> None:
        """The bad volunteer ids malformed payloads draw include both refused shapes, each
        refused by parse_record, for the readers' differential tests (fast path, general
        reader, tables) to compare."""
        from volunteer_rules.testing._record_strategies import _BAD_VALUES

        texts = [value for value in _BAD_VALUES["volunteer_id"] if isinstance(value, str)]
        shapes = {personal_number_shape(text) for text in texts}
        assert {"a resident ID number", "a mobile number"} <= shapes
        for text in texts:
            with pytest.raises(vr.RecordFormatError) as raised:
                vr.parse_record({**SAMPLE_RECORD_PAYLOAD, "volunteer_id": text})
            assert [e.path for e in raised.value.errors] == ["$.volunteer_id"]

    @given(vst.service_records())
    def test_service_records_round_trip(self, record: vr.ServiceRecord) -> None:
        """Generated records round-trip through dump and parse."""
        assert vr.parse_record(vr.dump_record(record)) == record


def test_ledger_limits_draw_dated_caps_that_ledgers_cross() -> None:
    """Integrators' ledgers meet a cap in force on some days only: ledger_limits draws caps
    with a first or a last day (or both), and a ledger drawn under one has transfers on both
    sides of it, every one held to its own day's cap (check_ledger finds nothing)."""
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

    # Any such ledger will do: found without shrinking it (which took three quarters of the time).
    quick = settings(max_examples=2000, deadline=None, phases=[Phase.generate])
    ledger = find(vst.ledgers(), crosses, settings=quick)
    assert check_ledger(ledger) == ()
