"""Continuation (接续): certification after the move counts every hour exactly once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import volunteer_rules as vr
from volunteer_rules.testing.examples import SAMPLE_ORGANIZATION_ID, SAMPLE_RECORD_PAYLOAD
from volunteer_rules.testing.strategies import TRANSFER_AS_OF, transfer_histories

CST = dt.timezone(dt.timedelta(hours=8))
AT = dt.datetime(2024, 7, 1, 9, 0, tzinfo=CST)
SOURCE = SAMPLE_ORGANIZATION_ID
DESTINATION = "51211100MJ00000175"


def make_package(records: list[vr.ServiceRecord], **changes: Any) -> vr.TransferPackage:
    arguments: dict[str, Any] = {
        "volunteer_id": "V0000001",
        "source_organization_id": SOURCE,
        "destination_organization_id": DESTINATION,
        "destination_region_code": "110105",
        "source_region_code": "211103",
        "consent": True,
        "created_at": AT,
    }
    arguments.update(changes)
    return vr.create_transfer_package(records, **arguments)


@st.composite
def two_sides(draw: st.DrawFn) -> tuple[list[vr.ServiceRecord], list[vr.ServiceRecord]]:
    """A source history and a destination history of one volunteer on different days."""
    source = draw(transfer_histories(organization_id=SOURCE, max_size=8))
    held = draw(transfer_histories(organization_id=DESTINATION, max_size=6))
    days = {r.date for r in source}
    return source, [r for r in held if r.date not in days]


def counted(records: Any, rule_set: str = "cn-national") -> vr.Hours:
    return vr.certify(list(records), rule_set=rule_set, as_of=TRANSFER_AS_OF).counted


class TestExactlyOnce:
    """accept-then-certify equals certifying the union of both sides' distinct records."""

    @given(two_sides())
    def test_accept_then_certify(
        self, sides: tuple[list[vr.ServiceRecord], list[vr.ServiceRecord]]
    ) -> None:
        """Counted hours after acceptance equal those of the distinct union, twice or once."""
        source, held = sides
        package = make_package(source)
        transfer = vr.initiate_transfer(package, at=AT)
        once = vr.accept_transfer(transfer, destination_records=held, at=AT, as_of=TRANSFER_AS_OF)
        assert once.accepted, once.decision.violations
        union = {r.key: r for r in [*source, *held]}
        expected = counted(union.values())
        both_sides = vr.combined_history(vr.mark_transferred(source, package), once.holdings)
        assert counted(both_sides) == expected
        assert counted(vr.combined_history(once.holdings)) == expected
        twice = vr.accept_transfer(
            once.transfer, destination_records=once.holdings, at=AT, as_of=TRANSFER_AS_OF
        )
        assert twice.imported == ()
        assert counted(vr.combined_history(twice.holdings)) == expected

    @given(two_sides())
    def test_continuation_after_is_the_whole_history(
        self, sides: tuple[list[vr.ServiceRecord], list[vr.ServiceRecord]]
    ) -> None:
        """The level after the move is the destination rule set over the whole history."""
        source, held = sides
        package = make_package(source)
        result = vr.accept_transfer(
            vr.initiate_transfer(package, at=AT),
            destination_records=held,
            at=AT,
            as_of=TRANSFER_AS_OF,
            continuation=True,
        )
        continuation = result.continuation
        assert continuation is not None
        beijing = vr.rule_set_for_region(vr.RegionCode.parse("110105"), as_of=TRANSFER_AS_OF)
        assert continuation.after == vr.certify(
            [*source, *held], rule_set=beijing, as_of=TRANSFER_AS_OF, volunteer="V0000001"
        )
        national = vr.rule_set_for_region(vr.RegionCode.parse("211103"), as_of=TRANSFER_AS_OF)
        assert continuation.before == vr.certify(
            source, rule_set=national, as_of=TRANSFER_AS_OF, volunteer="V0000001"
        )
        assert continuation.rank_change == (
            continuation.after.level.rank - continuation.before.level.rank
        )


def _hours(record: vr.ServiceRecord, day: int, minutes: int) -> vr.ServiceRecord:
    return attrs.evolve(
        record,
        record_id=f"r-{day}",
        date=dt.date(2023, 1, 1) + dt.timedelta(days=day),
        start=None,
        end=None,
        service=vr.Hours.from_minutes(minutes),
        recorded_at=dt.datetime(2023, 1, 1, 20, 0, tzinfo=CST) + dt.timedelta(days=day),
    )


class TestLevels:
    """The level before and after the move, under each side's rules."""

    def _records(self, organization: str, hours: int, first_day: int) -> list[vr.ServiceRecord]:
        base = attrs.evolve(vr.parse_record(SAMPLE_RECORD_PAYLOAD), organization_id=organization)
        return [_hours(base, first_day + i, 600) for i in range(hours // 10)]

    def test_destination_thresholds_raise_the_level(self) -> None:
        """40 h: no star nationally (100 h), one star in Zhangjiagang (30 h)."""
        source = self._records(SOURCE, 40, 0)
        package = make_package(source, destination_region_code="320582")
        decision = vr.check_transfer(package, as_of=TRANSFER_AS_OF, continuation=True)
        continuation = decision.continuation
        assert continuation is not None
        assert continuation.level_before.rank == 0
        assert continuation.level_after.rank == 1
        assert continuation.rank_change == 1

    def test_hours_carry_over(self) -> None:
        """200 h at the source plus 120 h at the destination: 320 h, two stars nationally."""
        source = self._records(SOURCE, 200, 0)
        held = self._records(DESTINATION, 120, 100)
        value = make_package(source, destination_region_code="210100")
        result = vr.transfer_continuation(value, destination_records=held, as_of=TRANSFER_AS_OF)
        assert result.before.counted == vr.Hours.from_hours(200)
        assert result.after.counted == vr.Hours.from_hours(320)
        assert (result.level_before.rank, result.level_after.rank) == (1, 2)

    def test_hong_kong_is_resolved_on_the_day_of_the_certification(self) -> None:
        """A move to or from Hong Kong uses the scheme bound there on as_of: hk-swd up to
        2021-12-31, hk-hkv-award from 2022-01-01 (before: 'retired' after 2021)."""
        source = self._records(SOURCE, 60, 0)  # 60 h in January and February 2023
        to_hk = make_package(source, destination_region_code="810000")
        from_hk = make_package(source, source_region_code="810000")
        for as_of, expected in (
            (dt.date(2021, 12, 31), "hk-swd"),
            (dt.date(2022, 1, 1), "hk-hkv-award"),
        ):
            assert vr.transfer_continuation(to_hk, as_of=as_of).after.rule_set_id == expected
            assert vr.transfer_continuation(from_hk, as_of=as_of).before.rule_set_id == expected
        after = vr.transfer_continuation(to_hk, as_of=dt.date(2023, 6, 30)).after
        assert (after.outcome, after.level.name) == ("certified", "bronze")

    def test_explicit_rule_set(self) -> None:
        """rule_set= overrides region resolution (an unknown region needs it)."""
        source = self._records(SOURCE, 60, 0)
        value = make_package(source, destination_region_code="219999")
        result = vr.transfer_continuation(value, as_of=TRANSFER_AS_OF, rule_set="cn-zhangjiagang")
        assert result.after.rule_set_id == "cn-zhangjiagang"
        assert result.level_after.rank == 2


class TestContinuationNeverRaisesForDuplicates:
    """A duplicate with other content is a finding of the check, not an error of the levels."""

    def test_conflicting_copy_at_destination(self) -> None:
        """check_transfer(continuation=True) reports duplicate_record and still compares."""
        record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
        changed = attrs.evolve(record, place="别处")
        decision = vr.check_transfer(
            make_package([record]),
            destination_records=[changed],
            as_of=TRANSFER_AS_OF,
            continuation=True,
        )
        assert decision.codes == ("duplicate_record",)
        assert decision.continuation is not None
        assert decision.continuation.after.counted == vr.Hours.from_minutes(120)

    def test_misuse(self) -> None:
        """A non-package or non-iterable destination is an InvalidTypeError."""
        with pytest.raises(vr.InvalidTypeError):
            vr.transfer_continuation("p", as_of=TRANSFER_AS_OF)  # type: ignore[arg-type]
        with pytest.raises(vr.InvalidTypeError):
            vr.transfer_continuation(make_package([]), destination_records=3, as_of=TRANSFER_AS_OF)  # type: ignore[arg-type]


class TestNoRuleSet:
    """When no rule set can be found, the decision and the acceptance stand without levels."""

    def test_unknown_region(self) -> None:
        """An unknown destination region: unknown_region, continuation None."""
        value = make_package([], destination_region_code="219999")
        decision = vr.check_transfer(value, as_of=TRANSFER_AS_OF, continuation=True)
        assert decision.codes == ("unknown_region",)
        assert decision.continuation is None

    def test_unknown_rule_set_id(self) -> None:
        """An unknown rule_set id is misuse: UnknownRuleSetError."""
        with pytest.raises(vr.UnknownRuleSetError):
            vr.check_transfer(
                make_package([]), as_of=TRANSFER_AS_OF, continuation=True, rule_set="xx"
            )


class TestContinuationCountsAsCertify:
    """Before and after are what certify gives on the package and on the whole history."""

    def _sample(self) -> vr.ServiceRecord:
        return attrs.evolve(vr.parse_record(SAMPLE_RECORD_PAYLOAD), start=None, end=None)

    def test_another_volunteers_amendment_applies(self) -> None:
        """A verified amendment entered under another volunteer supersedes the record, as
        certify decides; before and after left it out and counted the record."""
        record = self._sample()
        amendment = attrs.evolve(
            record, record_id="r-fix", volunteer_id="V0000002", amends=record.record_id
        )
        expected = vr.certify(
            [record, amendment], rule_set="cn-national", as_of=TRANSFER_AS_OF, volunteer="V0000001"
        ).counted
        assert expected == vr.Hours.ZERO
        in_package = vr.transfer_continuation(
            make_package([record, amendment]), as_of=TRANSFER_AS_OF, rule_set="cn-national"
        )
        assert (in_package.before.counted, in_package.after.counted) == (expected, expected)
        package = make_package([record])
        for levels in (
            vr.transfer_continuation(
                package, destination_records=[amendment], as_of=TRANSFER_AS_OF,
                rule_set="cn-national",
            ),
            vr.check_transfer(
                package, destination_records=[amendment], as_of=TRANSFER_AS_OF,
                continuation=True, rule_set="cn-national",
            ).continuation,
        ):  # fmt: skip
            assert levels is not None
            assert levels.after.counted == expected
            assert levels.after.excluded == ((record.record_id, "superseded"),)

    def test_a_key_in_conflict_in_the_package_counts_for_no_one_in_any_order(self) -> None:
        """Two versions of one key in the package: after counted the first one given."""
        record = self._sample()
        edited = attrs.evolve(record, service=vr.Hours.from_minutes(60))
        for records in ([record, edited], [edited, record]):
            levels = vr.transfer_continuation(
                make_package(records), as_of=TRANSFER_AS_OF, rule_set="cn-national"
            )
            conflict = ((record.record_id, "duplicate_record"),)
            assert (levels.before.counted, levels.before.excluded) == (vr.Hours.ZERO, conflict)
            assert (levels.after.counted, levels.after.excluded) == (vr.Hours.ZERO, conflict)

    def test_a_key_in_conflict_at_the_destination_counts_for_no_one_in_any_order(self) -> None:
        """Two versions of one key held at the destination: the first one given counted."""
        record = attrs.evolve(self._sample(), organization_id=DESTINATION)
        edited = attrs.evolve(record, service=vr.Hours.from_minutes(60))
        for held in ([record, edited], [edited, record]):
            for levels in (
                vr.transfer_continuation(
                    make_package([]), destination_records=held, as_of=TRANSFER_AS_OF,
                    rule_set="cn-national",
                ),
                vr.check_transfer(
                    make_package([]), destination_records=held, as_of=TRANSFER_AS_OF,
                    continuation=True, rule_set="cn-national",
                ).continuation,
            ):  # fmt: skip
                assert levels is not None
                assert levels.after.counted == vr.Hours.ZERO
