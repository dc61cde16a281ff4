"""check_transfer: every violation code, both sides of every boundary, and a naive oracle."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import volunteer_rules as vr
from _any_value import ANY_VALUE
from volunteer_rules.testing.examples import SAMPLE_ORGANIZATION_ID, SAMPLE_RECORD_PAYLOAD
from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD
from volunteer_rules.testing.strategies import (
    TRANSFER_AS_OF,
    transfer_histories,
    transfer_packages,
    transfer_records,
)

CST = dt.timezone(dt.timedelta(hours=8))
CREATED = dt.datetime(2024, 6, 1, 9, 0, tzinfo=CST)
AS_OF = dt.date(2024, 6, 1)
DESTINATION = "51211100MJ00000175"


def record(**changes: Any) -> vr.ServiceRecord:
    return attrs.evolve(vr.parse_record(SAMPLE_RECORD_PAYLOAD), **changes)


def interval(day: int, start: tuple[int, int], end: tuple[int, int]) -> dict[str, Any]:
    begin = dt.datetime(2024, 5, day, *start, tzinfo=CST)
    finish = dt.datetime(2024, 5, day, *end, tzinfo=CST)
    return {
        "date": dt.date(2024, 5, day),
        "start": begin,
        "end": finish,
        "service": vr.Hours.from_minutes(int((finish - begin).total_seconds()) // 60),
        "recorded_at": finish + dt.timedelta(hours=1),
    }


def package(records: list[vr.ServiceRecord] | None = None, **changes: Any) -> vr.TransferPackage:
    arguments: dict[str, Any] = {
        "volunteer_id": "V0000001",
        "source_organization_id": SAMPLE_ORGANIZATION_ID,
        "destination_organization_id": DESTINATION,
        "destination_region_code": "210100",
        "consent": True,
        "created_at": CREATED,
    }
    arguments.update(changes)
    return vr.create_transfer_package([record()] if records is None else records, **arguments)


def codes(decision: vr.TransferDecision) -> list[str]:
    return [v.code for v in decision.violations]


class TestClean:
    """A good package is allowed."""

    def test_clean(self) -> None:
        """Consent, verified records of the volunteer, another organization: allowed."""
        decision = vr.check_transfer(package(), as_of=AS_OF)
        assert decision.allowed
        assert decision.violations == ()
        assert decision.warnings == ()
        assert decision.digest == package().digest

    @given(transfer_packages(allowed=True))
    def test_allowed_strategy(self, value: vr.TransferPackage) -> None:
        """transfer_packages(allowed=True) makes only allowed packages."""
        assert vr.check_transfer(value, as_of=TRANSFER_AS_OF).allowed

    @given(transfer_packages(allowed=True, parts=True, max_size=4))
    def test_allowed_strategy_with_parts(self, value: vr.TransferPackage) -> None:
        """With a profile, training, commendations and evaluations: still allowed."""
        assert value.profile is not None
        assert vr.check_transfer(value, as_of=TRANSFER_AS_OF).allowed

    @given(transfer_packages(allowed=False))
    def test_not_allowed_strategy(self, value: vr.TransferPackage) -> None:
        """transfer_packages(allowed=False) makes only packages with violations."""
        assert not vr.check_transfer(value, as_of=TRANSFER_AS_OF).allowed


class TestConsent:
    """consent_missing, for the volunteer and for a guardian of a child under 14."""

    def test_no_consent(self) -> None:
        """consent=False is a violation."""
        assert codes(vr.check_transfer(package(consent=False), as_of=AS_OF)) == ["consent_missing"]

    def _child(self, birth: dt.date, guardian: bool) -> vr.TransferPackage:
        from volunteer_rules.records import profile

        child = profile.parse_profile(
            {
                **SAMPLE_PROFILE_PAYLOAD,
                "birth_date": birth.isoformat(),
                "id_document": {"kind": "passport", "number": "E12345678"},
                "self_supporting": False,
            }
        )
        return package(profile=child, guardian_consent=guardian)

    def test_under_14_needs_guardian(self) -> None:
        """The day before the 14th birthday a guardian must consent too (PIPL Art. 31)."""
        child = self._child(dt.date(2010, 6, 2), guardian=False)
        decision = vr.check_transfer(child, as_of=AS_OF)
        assert codes(decision) == ["consent_missing"]
        assert "guardian" in decision.violations[0].message

    def test_fourteenth_birthday_is_enough(self) -> None:
        """On the 14th birthday the volunteer's own consent suffices."""
        assert vr.check_transfer(self._child(dt.date(2010, 6, 1), False), as_of=AS_OF).allowed

    def test_guardian_consent_given(self) -> None:
        """Under 14 with a guardian's consent: allowed."""
        assert vr.check_transfer(self._child(dt.date(2012, 1, 1), True), as_of=AS_OF).allowed

    def test_both_missing(self) -> None:
        """No consent at all for a child: two findings."""
        child = attrs.evolve(self._child(dt.date(2012, 1, 1), False), consent=False)
        assert codes(vr.check_transfer(child, as_of=AS_OF)) == ["consent_missing"] * 2 + [
            "digest_mismatch"
        ]


class TestPackageLevel:
    """digest_mismatch, summary_mismatch, same_place, unknown_region."""

    def test_digest_mismatch(self) -> None:
        """A package altered after it was made."""
        altered = attrs.evolve(package(), destination_organization_id="51211100MJ00000250")
        assert codes(vr.check_transfer(altered, as_of=AS_OF)) == ["digest_mismatch"]

    def test_summary_mismatch(self) -> None:
        """A summary that does not match the records (digest recomputed by a faulty writer)."""
        wrong = attrs.evolve(
            package(), summary=vr.TransferSummary(record_count=2, service=vr.Hours.from_minutes(1))
        )
        wrong = attrs.evolve(wrong, digest=vr.compute_package_digest(wrong))
        decision = vr.check_transfer(wrong, as_of=AS_OF)
        assert codes(decision) == ["summary_mismatch"]
        assert "2 records" in decision.violations[0].message

    def test_same_place(self) -> None:
        """Source and destination the same organization."""
        same = package(destination_organization_id=SAMPLE_ORGANIZATION_ID)
        assert codes(vr.check_transfer(same, as_of=AS_OF)) == ["same_place"]

    def test_same_place_whatever_the_case_of_its_credit_code(self) -> None:
        """One organization written in lowercase and in uppercase is still one place."""
        assert DESTINATION.lower() != DESTINATION
        same = package(destination_organization_id=DESTINATION.lower(), records=[record()])
        same = attrs.evolve(same, source_organization_id=DESTINATION)
        same = attrs.evolve(same, digest=vr.compute_package_digest(same))
        assert codes(vr.check_transfer(same, as_of=AS_OF)) == ["same_place"]

    @pytest.mark.parametrize("field", ["destination_region_code", "source_region_code"])
    def test_unknown_region(self, field: str) -> None:
        """A six-digit code never assigned, on either side."""
        changes: dict[str, Any] = {field: "219999"}
        assert codes(vr.check_transfer(package(**changes), as_of=AS_OF)) == ["unknown_region"]

    def test_abolished_region_is_known(self) -> None:
        """An abolished code (大洼县, 211121) is a known region."""
        assert vr.check_transfer(package(destination_region_code="211121"), as_of=AS_OF).allowed


class TestRecordLevel:
    """other_volunteer, not_verified, future_record and the late warning."""

    def test_other_volunteer(self) -> None:
        """A record of another volunteer."""
        decision = vr.check_transfer(package([record(volunteer_id="V2")]), as_of=AS_OF)
        assert codes(decision) == ["other_volunteer"]
        assert decision.violations[0].record_key == (SAMPLE_ORGANIZATION_ID, "r-2024-0001")

    def test_other_volunteer_in_a_part(self) -> None:
        """Training of another volunteer is other_volunteer too."""
        from volunteer_rules.records import profile
        from volunteer_rules.testing.profile_examples import SAMPLE_TRAINING_PAYLOAD

        training = profile.parse_training({**SAMPLE_TRAINING_PAYLOAD, "volunteer_id": "V2"})
        assert codes(vr.check_transfer(package(training=[training]), as_of=AS_OF)) == [
            "other_volunteer"
        ]

    @pytest.mark.parametrize(
        "changes",
        [
            {"status": "submitted"},
            {"status": "rejected"},
            {"status": "void"},  # void, amending nothing: not a withdrawal
            {"status": "submitted", "amends": "r-0"},
            {"status": "rejected", "amends": "r-0"},
        ],
    )
    def test_not_verified(self, changes: dict[str, Any]) -> None:
        """Only verified records move, and withdrawals (void amendments)."""
        assert codes(vr.check_transfer(package([record(**changes)]), as_of=AS_OF)) == [
            "not_verified"
        ]
        assert not vr.transfer.transferable(record(**changes))

    def test_a_withdrawal_moves_with_the_record_it_withdraws(self) -> None:
        """A record withdrawn at the source (a void amendment) moves with its withdrawal: the
        package is allowed, its summary carries no time for the withdrawal, and the records
        count for nothing at the destination, as at the source."""
        original = record(record_id="a", **interval(3, (8, 0), (10, 0)))
        withdrawal = record(
            record_id="a-void", amends="a", status="void", **interval(3, (8, 0), (10, 0))
        )
        moving = package([original, withdrawal])
        assert (moving.summary.record_count, moving.summary.service.minutes) == (2, 120)
        assert vr.check_transfer(moving, as_of=AS_OF).allowed
        at_source = vr.count_records([original, withdrawal], as_of=AS_OF, volunteer_id="V0000001")
        assert at_source.minutes == 0
        accepted = vr.accept_transfer(
            vr.initiate_transfer(moving, at=CREATED),
            destination_records=[],
            at=CREATED + dt.timedelta(hours=1),
            as_of=AS_OF,
        )
        assert accepted.accepted
        held = [vr.transfer.unwrap_record(h) for h in accepted.holdings]
        assert vr.count_records(held, as_of=AS_OF, volunteer_id="V0000001").minutes == 0

    def test_a_withdrawal_made_after_the_record_moved_follows_it(self) -> None:
        """The destination holds a record from an earlier transfer; the source withdraws it
        afterwards and sends the withdrawal alone: allowed, and once accepted the record no
        longer counts at the destination (it used to be refused as not_verified, and the
        destination went on counting a record the source had withdrawn)."""
        held = record(record_id="a", **interval(3, (8, 0), (10, 0)))
        withdrawal = record(
            record_id="a-void", amends="a", status="void", **interval(3, (8, 0), (10, 0))
        )
        later = package([withdrawal])
        assert later.summary.service.minutes == 0
        decision = vr.check_transfer(later, destination_records=[held], as_of=AS_OF)
        assert decision.allowed, decision.violations
        accepted = vr.accept_transfer(
            vr.initiate_transfer(later, at=CREATED),
            destination_records=[held],
            at=CREATED + dt.timedelta(hours=1),
            as_of=AS_OF,
        )
        assert accepted.accepted
        after = [vr.transfer.unwrap_record(h) for h in accepted.holdings]
        assert len(after) == 2
        assert vr.count_records([held], as_of=AS_OF, volunteer_id="V0000001").minutes == 120
        assert vr.count_records(after, as_of=AS_OF, volunteer_id="V0000001").minutes == 0

    @pytest.mark.parametrize("withdrawal_first", [True, False])
    def test_packages_in_either_order_count_alike(self, withdrawal_first: bool) -> None:
        """A withdrawal whose record the destination does not hold yet is accepted: it
        withdraws nothing until the record arrives (in a later package), and then the record
        counts for nothing, as when the record came first. Two packages from one source may
        arrive in either order."""
        original = record(record_id="a", **interval(3, (8, 0), (10, 0)))
        withdrawal = record(
            record_id="a-void", amends="a", status="void", **interval(3, (8, 0), (10, 0))
        )
        order = [[withdrawal], [original]] if withdrawal_first else [[original], [withdrawal]]
        held: list[vr.ServiceRecord] = []
        minutes = []
        for step, records in enumerate(order):
            at = CREATED + dt.timedelta(days=step)
            decision = vr.check_transfer(package(records), destination_records=held, as_of=AS_OF)
            assert decision.allowed, decision.violations
            accepted = vr.accept_transfer(
                vr.initiate_transfer(package(records), at=at),
                destination_records=held,
                at=at + dt.timedelta(hours=1),
                as_of=AS_OF,
            )
            assert accepted.accepted
            held = [vr.transfer.unwrap_record(h) for h in accepted.holdings]
            minutes.append(vr.count_records(held, as_of=AS_OF, volunteer_id="V0000001").minutes)
        assert minutes == ([0, 0] if withdrawal_first else [120, 0])

    def test_future_by_date(self) -> None:
        """Dated after as_of: future_record; dated on as_of: fine."""
        one = package([record(**interval(2, (8, 0), (9, 0)))])
        assert vr.check_transfer(one, as_of=dt.date(2024, 5, 2)).allowed
        assert codes(vr.check_transfer(one, as_of=dt.date(2024, 5, 1))) == ["future_record"]

    def test_future_by_entry(self) -> None:
        """Entered after as_of (local date of recorded_at) is future_record."""
        one = package([record()])  # dated 2024-05-01, entered 2024-05-02 09:15 +08:00
        assert codes(vr.check_transfer(one, as_of=dt.date(2024, 5, 1))) == ["future_record"]
        assert vr.check_transfer(one, as_of=dt.date(2024, 5, 2)).allowed

    def test_late_is_a_warning(self) -> None:
        """Entered after the 10th working day: a late warning, still allowed."""
        # Activity ends 2024-05-01 (Labour Day holiday); the 10th working day after it is
        # 2024-05-16 (holiday to 05-05, 05-11 is a make-up working day).
        on_time = record(recorded_at=dt.datetime(2024, 5, 16, 23, 0, tzinfo=CST))
        late = record(recorded_at=dt.datetime(2024, 5, 17, 8, 0, tzinfo=CST))
        assert vr.check_transfer(package([on_time]), as_of=AS_OF).warnings == ()
        decision = vr.check_transfer(package([late]), as_of=AS_OF)
        assert decision.allowed
        assert [w.code for w in decision.warnings] == ["late"]

    def test_weekdays_calendar(self) -> None:
        """Another calendar can be plugged in."""
        from volunteer_rules.records.calendar import WeekdaysOnly

        late = record(recorded_at=dt.datetime(2024, 5, 16, 8, 0, tzinfo=CST))
        decision = vr.check_transfer(package([late]), as_of=AS_OF, calendar=WeekdaysOnly())
        assert [w.code for w in decision.warnings] == ["late"]


class TestDuplicates:
    """duplicate_record: same key, or same service under another key."""

    def test_destination_holds_the_key(self) -> None:
        """The destination already holds the same (organization, record id)."""
        decision = vr.check_transfer(package(), destination_records=[record()], as_of=AS_OF)
        assert codes(decision) == ["duplicate_record"]

    def test_same_id_other_organization_is_not_a_duplicate(self) -> None:
        """The same record_id at another organization is another record."""
        other = record(organization_id=DESTINATION, **interval(3, (8, 0), (9, 0)))
        assert vr.check_transfer(package(), destination_records=[other], as_of=AS_OF).allowed

    def test_same_service_other_key(self) -> None:
        """The same afternoon recorded by the destination under its own id."""
        copy = record(organization_id=DESTINATION, record_id="d-1")
        decision = vr.check_transfer(package(), destination_records=[copy], as_of=AS_OF)
        assert codes(decision) == ["duplicate_record"]
        assert "same service" in decision.violations[0].message

    def test_same_service_void_at_destination_is_fine(self) -> None:
        """A voided copy at the destination does not count, so it is no duplicate."""
        copy = record(organization_id=DESTINATION, record_id="d-1", status="void")
        assert vr.check_transfer(package(), destination_records=[copy], as_of=AS_OF).allowed

    def test_same_service_different_minutes(self) -> None:
        """Other minutes on the same interval: not the same service, but an overlap."""
        copy = record(
            organization_id=DESTINATION, record_id="d-1", service=vr.Hours.from_minutes(60)
        )
        decision = vr.check_transfer(package(), destination_records=[copy], as_of=AS_OF)
        assert codes(decision) == ["overlap"]

    def test_twice_in_the_package(self) -> None:
        """The same key twice in the package: one record if identical, else a conflict."""
        assert codes(vr.check_transfer(package([record(), record()]), as_of=AS_OF)) == []
        other = attrs.evolve(record(), content="edited")
        for batch in ([record(), other], [other, record(), record()]):
            decision = vr.check_transfer(package(batch), as_of=AS_OF)
            assert codes(decision) == ["duplicate_record"]

    def test_same_service_twice_in_the_package(self) -> None:
        """The same service under two keys in the package."""
        decision = vr.check_transfer(
            package([record(), record(record_id="r-copy", organization_id="G-other")]),
            as_of=AS_OF,
        )
        assert codes(decision) == ["duplicate_record"]


class TestOverlap:
    """overlap: half-open intervals, against the destination and inside the package."""

    def test_touching_is_not_overlap(self) -> None:
        """[8:00, 10:00) and [10:00, 11:00) touch: no overlap."""
        mine = record(**interval(3, (8, 0), (10, 0)))
        theirs = record(organization_id=DESTINATION, record_id="d", **interval(3, (10, 0), (11, 0)))
        assert vr.check_transfer(package([mine]), destination_records=[theirs], as_of=AS_OF).allowed

    def test_one_minute_overlap(self) -> None:
        """[8:00, 10:00) and [9:59, 11:00) overlap."""
        mine = record(**interval(3, (8, 0), (10, 0)))
        theirs = record(organization_id=DESTINATION, record_id="d", **interval(3, (9, 59), (11, 0)))
        decision = vr.check_transfer(package([mine]), destination_records=[theirs], as_of=AS_OF)
        assert codes(decision) == ["overlap"]
        assert "d (51211100MJ00000175)" in decision.violations[0].message

    def test_other_volunteer_at_destination_never_overlaps(self) -> None:
        """Only the volunteer's intervals matter."""
        mine = record(**interval(3, (8, 0), (10, 0)))
        theirs = record(
            organization_id=DESTINATION,
            record_id="d",
            volunteer_id="V2",
            **interval(3, (9, 0), (11, 0)),
        )
        assert vr.check_transfer(package([mine]), destination_records=[theirs], as_of=AS_OF).allowed

    def test_inside_the_package(self) -> None:
        """Two package records overlap each other: the later-starting one is reported."""
        a = record(record_id="a", **interval(3, (8, 0), (12, 0)))
        b = record(record_id="b", **interval(3, (9, 0), (10, 0)))
        decision = vr.check_transfer(package([a, b]), as_of=AS_OF)
        assert codes(decision) == ["overlap"]
        assert decision.violations[0].record_key == (SAMPLE_ORGANIZATION_ID, "b")

    def test_amended_record_does_not_overlap_its_correction(self) -> None:
        """A correction on the same interval supersedes the original: no overlap."""
        original = record(record_id="a", **interval(3, (8, 0), (10, 0)))
        fixed = record(record_id="b", amends="a", **interval(3, (8, 0), (10, 0)))
        fixed = attrs.evolve(fixed, service=vr.Hours.from_minutes(100))
        assert vr.check_transfer(package([original, fixed]), as_of=AS_OF).allowed

    def test_a_correction_arriving_supersedes_the_destination_record(self) -> None:
        """The destination holds a record (from an earlier transfer); the source corrected it
        afterwards and sends the correction: it replaces the held record, as certify counts
        it, so it neither overlaps it nor duplicates it."""
        held = record(record_id="a", **interval(3, (8, 0), (10, 0)))
        shorter = record(record_id="a-fix", amends="a", **interval(3, (8, 0), (9, 30)))
        same = record(
            record_id="a-fix", amends="a", content="更正内容", **interval(3, (8, 0), (10, 0))
        )
        for fixed in (shorter, same):
            decision = vr.check_transfer(package([fixed]), destination_records=[held], as_of=AS_OF)
            assert decision.allowed, decision.violations
        # the original still overlaps a record that does not amend it
        other = record(record_id="b", **interval(3, (9, 0), (9, 30)))
        assert codes(
            vr.check_transfer(package([other]), destination_records=[held], as_of=AS_OF)
        ) == ["overlap"]

    def test_a_correction_of_the_same_service_in_the_package_is_not_a_duplicate(self) -> None:
        """A package record and its correction on the same service count once (the
        correction): not a duplicate_record."""
        original = record(record_id="a", **interval(3, (8, 0), (10, 0)))
        fixed = record(
            record_id="b", amends="a", content="更正内容", **interval(3, (8, 0), (10, 0))
        )
        assert vr.service_fingerprint(original) == vr.service_fingerprint(fixed)
        assert vr.check_transfer(package([original, fixed]), as_of=AS_OF).allowed

    def test_amended_destination_record_ignored(self) -> None:
        """A destination record amended by another destination record does not count."""
        mine = record(**interval(3, (8, 0), (10, 0)))
        old = record(organization_id=DESTINATION, record_id="d1", **interval(3, (9, 0), (11, 0)))
        new = record(
            organization_id=DESTINATION,
            record_id="d2",
            amends="d1",
            **interval(3, (10, 0), (11, 0)),
        )
        assert vr.check_transfer(
            package([mine]), destination_records=[old, new], as_of=AS_OF
        ).allowed

    def test_a_correction_entered_under_another_volunteer_supersedes_too(self) -> None:
        """The destination's record of this volunteer was corrected by a record entered under
        another volunteer (the service was theirs): it no longer counts, so it does not block
        the package's record, as certify would not count it either."""
        mine = record(**interval(3, (8, 0), (10, 0)))
        old = record(organization_id=DESTINATION, record_id="d1", **interval(3, (9, 0), (11, 0)))
        moved = record(
            organization_id=DESTINATION,
            record_id="d2",
            volunteer_id="V0000002",
            amends="d1",
            **interval(3, (9, 0), (11, 0)),
        )
        alone = vr.check_transfer(package([mine]), destination_records=[old], as_of=AS_OF)
        assert codes(alone) == ["overlap"]
        assert vr.check_transfer(
            package([mine]), destination_records=[old, moved], as_of=AS_OF
        ).allowed

    def test_across_time_zones(self) -> None:
        """Intervals compare as instants: 08:00+08:00 is 00:00Z."""
        mine = record(**interval(3, (8, 0), (10, 0)))
        utc = dt.UTC
        theirs = record(
            organization_id=DESTINATION,
            record_id="d",
            date=dt.date(2024, 5, 3),
            start=dt.datetime(2024, 5, 3, 1, 0, tzinfo=utc),
            end=dt.datetime(2024, 5, 3, 1, 30, tzinfo=utc),
            service=vr.Hours.from_minutes(30),
            recorded_at=dt.datetime(2024, 5, 3, 3, 0, tzinfo=utc),
        )
        decision = vr.check_transfer(package([mine]), destination_records=[theirs], as_of=AS_OF)
        assert codes(decision) == ["overlap"]


def _naive_overlaps(
    ours: list[vr.ServiceRecord], theirs: list[vr.ServiceRecord]
) -> set[tuple[str, str]]:
    """O(n·m) oracle: package records overlapping any destination or earlier package record."""
    found = set()
    for a in ours:
        assert a.start is not None
        assert a.end is not None
        for b in theirs:
            if b.start is not None and b.end is not None and a.start < b.end and b.start < a.end:
                found.add(a.key)
    ordered = sorted(
        (r for r in ours if r.start is not None), key=lambda r: (r.start, r.end, r.key)
    )
    for index, a in enumerate(ordered):
        for b in ordered[:index]:
            assert a.start is not None
            assert b.end is not None
            if a.start < b.end:
                found.add(a.key)
    return found


class TestAgainstOracle:
    """The fast overlap check agrees with a pairwise comparison."""

    @given(
        st.lists(
            transfer_records(organization_id=st.just(SAMPLE_ORGANIZATION_ID), intervals=True),
            max_size=8,
            unique_by=lambda r: r.record_id,
        ),
        st.lists(
            transfer_records(organization_id=st.just(DESTINATION), intervals=True),
            max_size=8,
            unique_by=lambda r: r.record_id,
        ),
    )
    def test_overlaps_match_pairwise(
        self, ours: list[vr.ServiceRecord], theirs: list[vr.ServiceRecord]
    ) -> None:
        """Reported overlaps are exactly the pairwise ones (no duplicates by construction)."""

        # Move every record onto two days so that overlaps are frequent.
        def squash(r: vr.ServiceRecord) -> vr.ServiceRecord:
            assert r.start is not None
            assert r.end is not None
            shift = dt.datetime.combine(dt.date(2024, 5, 3 + r.date.day % 2), dt.time(), CST) - (
                dt.datetime.combine(r.date, dt.time(), CST)
            )
            return attrs.evolve(
                r,
                date=r.date + shift.days * dt.timedelta(days=1),
                start=r.start + shift,
                end=r.end + shift,
                recorded_at=r.end + shift,
            )

        ours = [squash(r) for r in ours]
        theirs = [squash(r) for r in theirs]
        decision = vr.check_transfer(
            package(ours), destination_records=theirs, as_of=dt.date(2024, 6, 1)
        )
        duplicates = {v.record_key for v in decision.violations if v.code == "duplicate_record"}
        reported = {v.record_key for v in decision.violations if v.code == "overlap"}
        expected = _naive_overlaps([r for r in ours if r.key not in duplicates], theirs)
        assert reported == expected


class TestAllAtOnce:
    """Every violation is reported in one decision."""

    def test_every_code(self) -> None:
        """A package breaking every rule reports every code, in the documented order."""
        mine = [
            record(record_id="a", volunteer_id="V2", **interval(3, (8, 0), (10, 0))),
            record(record_id="b", status="submitted", **interval(4, (8, 0), (10, 0))),
            record(record_id="c", **interval(5, (8, 0), (10, 0))),
            record(
                record_id="d",
                date=dt.date(2024, 7, 1),
                start=None,
                end=None,
                recorded_at=dt.datetime(2024, 7, 1, 20, 0, tzinfo=CST),
            ),
        ]
        held = [
            record(record_id="c", **interval(5, (8, 0), (10, 0))),
            record(
                organization_id=DESTINATION,
                record_id="x",
                volunteer_id="V2",
                **interval(3, (9, 0), (11, 0)),
            ),
        ]
        bad = package(
            mine,
            consent=False,
            destination_organization_id=SAMPLE_ORGANIZATION_ID,
            destination_region_code="219999",
            volunteer_id="V2",
        )
        bad = attrs.evolve(bad, summary=vr.TransferSummary(record_count=9, service=vr.Hours.ZERO))
        decision = vr.check_transfer(bad, destination_records=held, as_of=AS_OF)
        # No profile is sent, so none can lack the transfer consent (tested on its own).
        expected = tuple(c for c in vr.TRANSFER_VIOLATION_CODES if c != "profile_consent_missing")
        assert decision.codes == expected


class TestMisuse:
    """Bad arguments raise library errors."""

    @given(ANY_VALUE)
    def test_any_package(self, value: object) -> None:
        """A non-package is an InvalidTypeError."""
        # from_type(object) may draw a real package: the library's types are registered.
        assume(not isinstance(value, vr.TransferPackage))
        with pytest.raises(vr.InvalidTypeError):
            vr.check_transfer(value, as_of=AS_OF)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        "arguments",
        [
            {"as_of": "2024-06-01"},
            {"as_of": dt.datetime(2024, 6, 1, tzinfo=CST)},
            {"as_of": AS_OF, "destination_records": 5},
            {"as_of": AS_OF, "destination_records": "abc"},
            {"as_of": AS_OF, "destination_records": [{"record_id": "x"}]},
            {"as_of": AS_OF, "calendar": object()},
        ],
    )
    def test_bad_arguments(self, arguments: dict[str, Any]) -> None:
        """A wrong as_of, destination or calendar is an InvalidTypeError."""
        with pytest.raises(vr.InvalidTypeError):
            vr.check_transfer(package(), **arguments)

    @given(transfer_histories(max_size=4))
    def test_destination_may_be_a_generator(self, held: list[vr.ServiceRecord]) -> None:
        """Any iterable works, read once."""
        first = vr.check_transfer(package(), destination_records=iter(held), as_of=AS_OF)
        assert first == vr.check_transfer(package(), destination_records=held, as_of=AS_OF)


class TestLateAgreesWithChecks:
    """The late warning is exactly volunteer_rules.rules.checks.is_late, dense or sparse days."""

    @given(
        st.lists(st.tuples(st.integers(0, 400), st.integers(0, 40 * 24)), min_size=1, max_size=30),
        st.sampled_from([1, 7, 30]),
    )
    def test_same_as_is_late(self, rows: list[tuple[int, int]], spread: int) -> None:
        """Every record is late in the decision exactly when checks.is_late says so."""
        from volunteer_rules.rules.checks import is_late

        first = dt.date(2023, 9, 1)
        records = []
        for index, (offset, delay_hours) in enumerate(rows):
            day = first + dt.timedelta(days=offset // spread)
            records.append(
                record(
                    record_id=f"r-{index}",
                    date=day,
                    start=None,
                    end=None,
                    recorded_at=dt.datetime.combine(day, dt.time(20), CST)
                    + dt.timedelta(hours=delay_hours),
                )
            )
        decision = vr.check_transfer(package(records), as_of=dt.date(2025, 1, 1))
        late = {w.record_key for w in decision.warnings if w.code == "late"}
        assert late == {r.key for r in records if is_late(r)}
