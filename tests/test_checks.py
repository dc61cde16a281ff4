from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from _any_value import ANY_VALUE
from volunteer_rules.errors import InvalidTypeError, InvalidValueError, VolunteerRulesError
from volunteer_rules.hours import Hours
from volunteer_rules.records.calendar import CHINA_WORKING_DAYS, ChinaWorkingDays, WeekdaysOnly
from volunteer_rules.records.record import Evaluation, ServiceRecord, parse_record
from volunteer_rules.rules import checks as checks_module
from volunteer_rules.rules.checks import (
    FINDING_CODES,
    FINDING_SEVERITY,
    LATE_RULE_FROM,
    Finding,
    RecordCheck,
    RecordChecker,
    activity_end_date,
    check_records,
    is_late,
    late_deadline,
    recorded_date,
)
from volunteer_rules.rules.counting import count_records
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD

CST = dt.timezone(dt.timedelta(hours=8))
ORG = "512111005000000154"
OTHER_ORG = "51211100MJ00000175"
BASE = parse_record(SAMPLE_RECORD_PAYLOAD)
D = dt.date
DEFAULT_DAY = D(2024, 3, 11)


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), CST)


def rec(
    record_id: str,
    *,
    volunteer: str = "V1",
    org: str = ORG,
    day: dt.date = DEFAULT_DAY,
    start: tuple[int, int] | None = (8, 0),
    span: int = 120,
    minutes: int | None = None,
    status: str = "verified",
    recorded: dt.datetime | None = None,
    amends: str | None = None,
) -> ServiceRecord:
    """A record; ``span`` is the interval's length in minutes (the service by default)."""
    begin = end = None
    if start is not None:
        begin = at(day, *start)
        end = begin + dt.timedelta(minutes=span)
    finish = end if end is not None else at(day, 18)
    return attrs.evolve(
        BASE,
        record_id=record_id,
        volunteer_id=volunteer,
        organization_id=org,
        date=day,
        start=begin,
        end=end,
        service=Hours.from_minutes(span if minutes is None else minutes),
        status=status,
        recorded_at=recorded if recorded is not None else finish + dt.timedelta(hours=2),
        amends=amends,
        evaluation=None,
    )


def codes(result: RecordCheck) -> list[tuple[str, str]]:
    return [(finding.code, finding.record_id) for finding in result.findings]


class TestLateDeadline:
    def test_across_national_day_and_make_up_days(self) -> None:
        """Ended Fri 2024-09-27: Sun 09-29 and Sat 10-12 work, 10-01..07 off: 10-16."""
        assert late_deadline(D(2024, 9, 27)) == D(2024, 10, 16)

    def test_across_spring_festival(self) -> None:
        """Ended 2024-02-08: 02-09 works, 02-10..17 off, Sun 02-18 works: deadline 02-28."""
        assert late_deadline(D(2024, 2, 8)) == D(2024, 2, 28)

    def test_other_calendar_and_allowance(self) -> None:
        """Another calendar and allowance can be plugged in."""
        assert late_deadline(D(2024, 9, 27), calendar=WeekdaysOnly()) == D(2024, 10, 11)
        assert late_deadline(D(2024, 9, 27), working_days=0) == D(2024, 9, 27)
        assert late_deadline(D(2024, 9, 27), working_days=1) == D(2024, 9, 29)

    def test_bad_allowance(self) -> None:
        """A negative or non-int allowance is refused."""
        with pytest.raises(InvalidValueError):
            late_deadline(D(2024, 9, 27), working_days=-1)
        with pytest.raises(InvalidTypeError):
            late_deadline(D(2024, 9, 27), working_days=1.5)  # type: ignore[arg-type]


class TestIsLate:
    @pytest.mark.parametrize(
        ("recorded", "late"),
        [
            (dt.datetime(2024, 10, 16, 23, 59, tzinfo=CST), False),
            (dt.datetime(2024, 10, 17, 0, 0, tzinfo=CST), True),
        ],
    )
    def test_boundary_across_holiday(self, recorded: dt.datetime, late: bool) -> None:
        """On the deadline day it is on time; the next day it is late."""
        record = rec("r", day=D(2024, 9, 27), recorded=recorded)
        assert is_late(record) is late

    @pytest.mark.parametrize(
        ("recorded", "late"),
        [(D(2024, 2, 28), False), (D(2024, 2, 29), True)],
    )
    def test_boundary_across_spring_festival(self, recorded: dt.date, late: bool) -> None:
        """The Sunday make-up day 2024-02-18 counts as a working day."""
        record = rec("r", day=D(2024, 2, 8), recorded=at(recorded, 10))
        assert is_late(record) is late

    def test_overnight_counts_from_the_end(self) -> None:
        """An activity that crosses midnight ends on the next day; the clock starts there."""
        record = rec("r", day=D(2024, 9, 26), start=(22, 0), span=240)
        assert activity_end_date(record) == D(2024, 9, 27)
        assert not is_late(attrs.evolve(record, recorded_at=at(D(2024, 10, 16), 20)))
        assert is_late(attrs.evolve(record, recorded_at=at(D(2024, 10, 17), 8)))

    def test_recorded_at_read_in_the_places_offset(self) -> None:
        """2024-10-16T17:00Z is 2024-10-17 in Panjin: late."""
        record = rec(
            "r",
            day=D(2024, 9, 27),
            recorded=dt.datetime(2024, 10, 16, 17, 0, tzinfo=dt.UTC),
        )
        assert recorded_date(record) == D(2024, 10, 17)
        assert is_late(record)

    def test_without_interval_uses_recorded_at_offset(self) -> None:
        """Without an interval the activity ends on ``date``; recorded_at's offset is local."""
        record = rec(
            "r",
            day=D(2024, 9, 27),
            start=None,
            recorded=dt.datetime(2024, 10, 16, 17, 0, tzinfo=dt.UTC),
        )
        assert activity_end_date(record) == D(2024, 9, 27)
        assert recorded_date(record) == D(2024, 10, 16)
        assert not is_late(record)

    def test_not_a_record(self) -> None:
        """Only records can be late."""
        with pytest.raises(InvalidTypeError):
            is_late(SAMPLE_RECORD_PAYLOAD)  # type: ignore[arg-type]

    @given(st.dates(min_value=D(2001, 1, 1), max_value=D(2030, 12, 1)))
    def test_deadline_day_on_time_next_day_late(self, ended: dt.date) -> None:
        """For any end day: recorded on the deadline is on time, the day after is late.

        Before Order 67 came into force (2021-02-01) there is no deadline at all.
        """
        deadline = late_deadline(ended)
        record = rec("r", day=ended, start=None, recorded=at(deadline, 23, 59))
        assert not is_late(record)
        late = attrs.evolve(record, recorded_at=at(deadline + dt.timedelta(days=1), 0, 0))
        assert is_late(late) == (ended >= LATE_RULE_FROM)
        assert CHINA_WORKING_DAYS.is_working_day(deadline)

    def test_in_force_from_2021_02_01(self) -> None:
        """An activity ending 2021-01-31 has no deadline; one ending 2021-02-01 has one."""
        before = rec("a", day=D(2021, 1, 31), start=None, recorded=at(D(2021, 6, 1)))
        on = rec("b", day=D(2021, 2, 1), start=None, recorded=at(D(2021, 6, 1)))
        assert (is_late(before), is_late(on)) == (False, True)
        assert codes(check_records([before, on])) == [("late", "b")]
        old = rec("c", day=D(2019, 5, 1), start=None, recorded=at(D(2024, 1, 1)))
        assert codes(check_records([old])) == []

    def test_evaluation_deadline_both_sides(self) -> None:
        """An evaluation given after the deadline is late too; on the deadline it is not."""
        ended = D(2024, 5, 6)
        deadline = late_deadline(ended)
        record = rec("e", day=ended, start=None, recorded=at(ended))
        on_time = attrs.evolve(record, evaluation=Evaluation(rating="good", date=deadline))
        late = attrs.evolve(
            record, evaluation=Evaluation(rating="good", date=deadline + dt.timedelta(days=1))
        )
        assert (is_late(on_time), is_late(late)) == (False, True)
        found = check_records([late]).findings
        assert [f.code for f in found] == ["late"]
        assert found[0].message.startswith("evaluated on")


class TestLateFinding:
    def test_late_record_is_found_and_still_counts(self) -> None:
        """A late record is a finding, and counting still counts it."""
        record = rec("r", day=D(2024, 9, 27), recorded=at(D(2024, 10, 17)))
        result = check_records([record])
        assert codes(result) == [("late", "r")]
        assert "2024-10-16" in result.findings[0].message
        assert not result.ok
        assert count_records([record], as_of=D(2025, 1, 1)).minutes == 120

    @pytest.mark.parametrize(("day", "late"), [(D(2024, 10, 16), False), (D(2024, 10, 17), True)])
    def test_boundary(self, day: dt.date, late: bool) -> None:
        """check_records: entered on the deadline is fine, the next day is a finding."""
        record = rec("r", day=D(2024, 9, 27), recorded=at(day, 23, 59))
        assert bool(check_records([record]).findings) is late

    def test_amendments_and_void_records_are_not_late(self) -> None:
        """Corrections (amends) and withdrawals (void) are not judged late."""
        original = rec("a", day=D(2024, 3, 1))
        late_time = at(D(2024, 6, 1))
        amendment = rec("b", day=D(2024, 3, 1), recorded=late_time, amends="a")
        void = rec("c", day=D(2024, 3, 5), recorded=late_time, status="void")
        result = check_records([original, amendment, void])
        assert ("late", "b") not in codes(result)
        assert ("late", "c") not in codes(result)
        assert is_late(amendment)

    def test_strict_calendar(self) -> None:
        """A calendar that refuses uncovered years works inside them and raises outside."""
        strict = ChinaWorkingDays(outside="refuse")
        late = rec("r", day=D(2024, 9, 27), recorded=at(D(2024, 10, 17)))
        assert codes(check_records([late], calendar=strict)) == [("late", "r")]
        year = strict.covered_years.stop
        with pytest.raises(InvalidValueError):
            check_records([rec("s", day=D(year, 3, 1))], calendar=strict)

    def test_estimated_calendar_is_said(self) -> None:
        """Outside the official arrangements the message says the calendar was estimated."""
        year = CHINA_WORKING_DAYS.covered_years.stop
        record = rec("r", day=D(year, 3, 1), recorded=at(D(year, 6, 1)))
        (finding,) = check_records([record]).findings
        assert "estimated" in finding.message


class TestDuplicates:
    def test_identical_repeat_is_harmless(self) -> None:
        """The same record twice is counted once and is not a finding."""
        record = rec("r")
        result = check_records([record, record, record])
        assert result.findings == ()
        assert (result.records, result.repeated, result.volunteers) == (3, 2, 1)

    def test_conflict_is_reported_never_merged(self) -> None:
        """Same key, different content: every version is a finding and none is kept."""
        first = rec("r", recorded=at(D(2024, 3, 12)))
        second = rec("r", minutes=90, recorded=at(D(2024, 3, 13)))
        for records in ([first, second], [second, first]):
            result = check_records(records)
            assert codes(result) == [("duplicate_record", "r"), ("duplicate_record", "r")]
            assert "service_minutes" in result.findings[0].message
            assert "recorded_at" in result.findings[0].message
            assert "none of them counts" in result.findings[0].message

    def test_conflict_with_same_time_is_order_independent(self) -> None:
        """Two versions recorded at the same moment: the result does not depend on order."""
        one = rec("r", minutes=100)
        two = rec("r", minutes=90)
        assert check_records([one, two]) == check_records([two, one])

    def test_no_version_of_a_conflict_is_checked_further(self) -> None:
        """A late version of a key in conflict gives no late finding: no version counts."""
        kept = rec("r", day=D(2024, 9, 27), recorded=at(D(2024, 9, 28)))
        ignored = rec("r", day=D(2024, 9, 27), recorded=at(D(2024, 11, 1)), minutes=60)
        assert codes(check_records([ignored, kept])) == [("duplicate_record", "r")] * 2

    def test_a_conflict_blocks_no_overlap(self) -> None:
        """Versions in conflict count for no one, so they cannot make another record overlap."""
        a = rec("a", start=(8, 0))
        b = rec("b", start=(9, 0), recorded=at(D(2024, 3, 11), 23))
        a_other = attrs.evolve(a, content="edited")
        assert codes(check_records([a, b])) == [("overlap", "b")]
        assert codes(check_records([a, a_other, b])) == [("duplicate_record", "a")] * 2

    def test_same_instant_other_offset_is_a_conflict(self) -> None:
        """One instant written in two UTC offsets is two versions (the local dates differ)."""
        a = rec("a")
        utc = attrs.evolve(a, recorded_at=a.recorded_at.astimezone(dt.UTC))
        assert codes(check_records([a, utc])) == [("duplicate_record", "a")] * 2

    def test_same_record_id_in_two_organizations_is_fine(self) -> None:
        """Record ids are unique within one organization only."""
        result = check_records([rec("r"), rec("r", org=OTHER_ORG, day=D(2024, 3, 12))])
        assert result.findings == ()


class TestCountingFindings:
    def test_overlap_is_found_on_the_later_record(self) -> None:
        """The record later in recorded order does not count and names the other one."""
        first = rec("a", start=(8, 0), recorded=at(D(2024, 3, 11), 12))
        second = rec("b", org=OTHER_ORG, start=(9, 0), recorded=at(D(2024, 3, 11), 13))
        result = check_records([second, first])
        assert codes(result) == [("overlap", "b")]
        assert result.findings[0].related == ((ORG, "a"),)
        assert result.findings[0].organization_id == OTHER_ORG

    def test_related_are_only_the_earlier_counted_records(self) -> None:
        """A later record that counts is not blamed for an earlier record's overlap."""
        a = rec("a", start=(8, 0), span=60, recorded=at(D(2024, 3, 12), 9))
        b = rec("b", start=(8, 30), span=120, recorded=at(D(2024, 3, 12), 10))
        c = rec("c", start=(10, 0), span=60, recorded=at(D(2024, 3, 12), 11))
        result = check_records([c, b, a])
        assert codes(result) == [("overlap", "b")]
        assert result.findings[0].related == ((ORG, "a"),)

    def test_removing_a_counted_record_can_expose_an_overlap(self) -> None:
        """Excluded records block nobody, so removing a counted one may reveal an overlap."""
        a = rec("a", start=(8, 0), span=120, recorded=at(D(2024, 3, 12), 9))
        b = rec("b", start=(9, 0), span=120, recorded=at(D(2024, 3, 12), 10))
        c = rec("c", start=(10, 30), span=90, recorded=at(D(2024, 3, 12), 11))
        assert codes(check_records([a, b, c])) == [("overlap", "b")]
        assert codes(check_records([b, c])) == [("overlap", "c")]

    def test_touching_intervals_do_not_overlap(self) -> None:
        """Half-open intervals: 08:00-10:00 and 10:00-12:00 touch but do not overlap."""
        result = check_records([rec("a", start=(8, 0)), rec("b", start=(10, 0))])
        assert result.findings == ()

    def test_records_without_interval_never_overlap(self) -> None:
        """Two date-only records on one day are not an overlap."""
        result = check_records([rec("a", start=None), rec("b", start=None)])
        assert result.findings == ()

    def test_unverified_records_do_not_overlap(self) -> None:
        """Only counted records can overlap."""
        result = check_records([rec("a"), rec("b", status="submitted")])
        assert result.findings == ()

    def test_other_volunteers_do_not_overlap(self) -> None:
        """Two volunteers can serve at the same time."""
        result = check_records([rec("a"), rec("b", volunteer="V2")])
        assert result.findings == ()
        assert result.volunteers == 2

    def test_daily_cap(self) -> None:
        """Past 1440 minutes on one date, the record that crosses the cap counts in part."""
        records = [
            rec("a", start=None, span=600, recorded=at(D(2024, 3, 12), 9)),
            rec("b", start=None, span=540, recorded=at(D(2024, 3, 12), 10)),
            rec("c", start=None, span=480, recorded=at(D(2024, 3, 12), 11)),
        ]
        result = check_records(records)
        assert codes(result) == [("daily_cap", "c")]
        finding = result.findings[0]
        assert "300 of its 480" in finding.message
        assert finding.related == ((ORG, "a"), (ORG, "b"))

    def test_exactly_1440_is_fine(self) -> None:
        """1440 minutes on one date is the cap itself: allowed."""
        records = [rec("a", start=None, span=720), rec("b", start=None, span=720)]
        assert check_records(records).findings == ()

    def test_superseded_is_information(self) -> None:
        """An amended record is superseded; that is how corrections work, so it is ok."""
        original = rec("a")
        amendment = rec("b", minutes=90, amends="a", recorded=at(D(2024, 3, 20)))
        result = check_records([amendment, original])
        assert codes(result) == [("superseded", "a")]
        assert result.findings[0].severity == "info"
        assert result.findings[0].related == ((ORG, "b"),)
        assert result.ok

    def test_void_amendment_withdraws(self) -> None:
        """A void amendment withdraws the original."""
        original = rec("a")
        void = rec("b", amends="a", status="void", recorded=at(D(2024, 3, 20)))
        result = check_records([original, void])
        assert codes(result) == [("superseded", "a")]
        assert "withdrawn" in result.findings[0].message

    def test_submitted_amendment_does_not_supersede(self) -> None:
        """An amendment that is only submitted does not replace anything yet."""
        result = check_records([rec("a"), rec("b", amends="a", status="submitted")])
        assert result.findings == ()

    def test_chain(self) -> None:
        """In A <- B <- C only C counts."""
        records = [
            rec("a"),
            rec("b", amends="a", recorded=at(D(2024, 3, 20))),
            rec("c", amends="b", recorded=at(D(2024, 3, 21))),
        ]
        assert codes(check_records(records)) == [("superseded", "a"), ("superseded", "b")]

    def test_amendment_by_another_volunteers_record(self) -> None:
        """An amendment filed under another volunteer still supersedes (any batch size)."""
        records = [
            rec("a", volunteer="V1"),
            rec("b", volunteer="V2", amends="a", recorded=at(D(2024, 3, 20))),
        ]
        assert codes(check_records(records)) == [("superseded", "a")]
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(checks_module, "_BATCH", 1)
            assert codes(check_records(records)) == [("superseded", "a")]

    def test_lines_are_carried(self) -> None:
        """Line numbers given to the checker come back on findings and keys."""
        checker = RecordChecker()
        checker.add(rec("a"), line=3)
        checker.add(rec("b", start=(9, 0), recorded=at(D(2024, 3, 20))), line=8)
        (finding,) = checker.finish().findings
        assert finding.line == 8
        assert checker.line_of(finding.related[0]) == 3
        assert checker.line_of(("x", "y")) is None


class TestRecordCheck:
    def test_counts_and_ok(self) -> None:
        """Counts are per code; ok only looks at problems."""
        late = rec("r", day=D(2024, 9, 27), recorded=at(D(2024, 10, 17)))
        result = check_records([late, rec("s", volunteer="V2")])
        assert result.counts == {"late": 1}
        assert not result.ok
        assert set(FINDING_SEVERITY) == set(FINDING_CODES)

    def test_id_numbers_are_masked(self) -> None:
        """An ID-shaped record id never shows in full in a message or a repr."""
        number = "21110219900307123X"
        late = rec(number, day=D(2024, 9, 27), recorded=at(D(2024, 10, 17)))
        first = rec("a", recorded=at(D(2024, 3, 11), 12))
        second = rec(number, org=OTHER_ORG, start=(9, 0), recorded=at(D(2024, 3, 11), 13))
        for result in (check_records([late]), check_records([first, second])):
            (finding,) = result.findings
            assert finding.record_id == number  # the key itself is kept
            assert number not in finding.message
            assert number not in repr(finding)
            assert number not in repr(result)
        with pytest.raises(InvalidTypeError):
            Finding(code="late", organization_id="o", record_id="r", volunteer_id="v", message=1)

    def test_finding_validates_code(self) -> None:
        """A finding code must be known."""
        with pytest.raises(ValueError, match="code"):
            Finding(code="nope", organization_id="o", record_id="r", volunteer_id="v", message="")

    def test_bad_arguments(self) -> None:
        """Bad arguments raise library errors."""
        with pytest.raises(InvalidTypeError):
            check_records(None)  # type: ignore[arg-type]
        with pytest.raises(InvalidTypeError):
            check_records([SAMPLE_RECORD_PAYLOAD])  # type: ignore[list-item]
        with pytest.raises(InvalidTypeError):
            check_records([], calendar=object())  # type: ignore[arg-type]
        with pytest.raises(InvalidValueError):
            check_records([], working_days=-3)

    @given(ANY_VALUE)
    def test_anything_raises_only_library_errors(self, value: object) -> None:
        """Whatever is passed, only library errors come out."""
        with contextlib.suppress(VolunteerRulesError):
            check_records(value)  # type: ignore[arg-type]
        with contextlib.suppress(VolunteerRulesError):
            check_records([value])  # type: ignore[list-item]


# --- properties over generated sets of records -------------------------------------------------

DAYS = [D(2024, 9, 27), D(2024, 9, 28), D(2024, 9, 30)]


@st.composite
def record_sets(draw: st.DrawFn, *, amendments: bool = False) -> list[ServiceRecord]:
    """A few records of two volunteers on three days: overlaps, caps and delays likely."""
    count = draw(st.integers(min_value=0, max_value=8))
    records: list[ServiceRecord] = []
    for index in range(count):
        target = None
        if amendments and records and draw(st.booleans()):
            target = draw(st.sampled_from(records))
        day = draw(st.sampled_from(DAYS))
        interval = draw(st.booleans())
        start = (draw(st.integers(0, 20)), draw(st.sampled_from((0, 30)))) if interval else None
        span = draw(st.integers(min_value=1, max_value=14)) * 60
        delay = draw(st.integers(min_value=0, max_value=30))
        minute = draw(st.integers(min_value=0, max_value=3))
        record = rec(
            f"r{index}",
            volunteer=draw(st.sampled_from(("V1", "V2"))),
            org=draw(st.sampled_from((ORG, OTHER_ORG))),
            day=day,
            start=start,
            span=span,
            status=draw(
                st.sampled_from(("verified", "verified", "verified", "submitted", "void"))
                if target is not None
                else st.sampled_from(("verified", "verified", "verified", "submitted"))
            ),
            amends=None if target is None else target.record_id,
        )
        if target is not None:
            record = attrs.evolve(record, organization_id=target.organization_id)
        recorded = max(
            record.recorded_at,
            at(day + dt.timedelta(days=delay), 12, minute),
        )
        records.append(attrs.evolve(record, recorded_at=recorded))
    return records


def _sort_key(record: ServiceRecord) -> tuple[Any, ...]:
    return (record.recorded_at, record.record_id, record.organization_id)


def _by_code(findings: Sequence[Finding], code: str) -> set[tuple[str, str]]:
    return {finding.key for finding in findings if finding.code == code}


class TestProperties:
    @given(record_sets(amendments=True), st.randoms(use_true_random=False))
    def test_findings_do_not_depend_on_order(self, records: list[ServiceRecord], rnd: Any) -> None:
        """Shuffling the input never changes the result."""
        shuffled = list(records)
        rnd.shuffle(shuffled)
        assert check_records(records) == check_records(shuffled)

    @given(record_sets(amendments=True))
    def test_batches_do_not_change_the_result(self, records: list[ServiceRecord]) -> None:
        """Counting one volunteer at a time gives the same result as all at once."""
        whole = check_records(records)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(checks_module, "_BATCH", 1)
            assert check_records(records) == whole

    @given(record_sets())
    def test_removing_an_excluded_record_changes_nothing_else(
        self, records: list[ServiceRecord]
    ) -> None:
        """A record that does not count (overlap) blocks nobody: removing it leaves the rest."""
        result = check_records(records)
        for finding in result.findings:
            if finding.code != "overlap":
                continue
            rest = [record for record in records if record.key != finding.key]
            after = check_records(rest)
            expected = [f for f in result.findings if f.key != finding.key]
            assert list(after.findings) == expected

    @given(record_sets())
    def test_counted_intervals_never_overlap(self, records: list[ServiceRecord]) -> None:
        """After the checks, the verified records without an overlap finding are disjoint."""
        result = check_records(records)
        overlapping = _by_code(result.findings, "overlap")
        counted = [
            record
            for record in records
            if record.status == "verified" and record.start is not None
            if record.key not in overlapping
        ]
        for one in counted:
            for two in counted:
                if one is two or one.volunteer_id != two.volunteer_id:
                    continue
                assert one.start is not None
                assert one.end is not None
                assert two.start is not None
                assert two.end is not None
                assert not (one.start < two.end and two.start < one.end)

    @given(record_sets())
    def test_related_records_came_first_and_overlap(self, records: list[ServiceRecord]) -> None:
        """An overlap names records that were recorded earlier and really overlap it."""
        by_key = {record.key: record for record in records}
        for finding in check_records(records).findings:
            if finding.code != "overlap":
                continue
            record = by_key[finding.key]
            assert finding.related
            for key in finding.related:
                other = by_key[key]
                assert _sort_key(other) < _sort_key(record)
                assert other.volunteer_id == record.volunteer_id
                assert other.start is not None
                assert record.start is not None
                assert other.end is not None
                assert record.end is not None
                assert other.start < record.end
                assert record.start < other.end

    @given(record_sets())
    def test_daily_totals_stay_within_the_cap(self, records: list[ServiceRecord]) -> None:
        """Without the records named by findings, no volunteer-day passes 1440 minutes."""
        result = check_records(records)
        named = _by_code(result.findings, "overlap") | _by_code(result.findings, "daily_cap")
        totals: dict[tuple[str, dt.date], int] = {}
        for record in records:
            if record.status == "verified" and record.key not in named:
                key = (record.volunteer_id, record.date)
                totals[key] = totals.get(key, 0) + record.service.minutes
        assert all(total <= 1440 for total in totals.values())

    @given(record_sets())
    def test_late_agrees_with_is_late(self, records: list[ServiceRecord]) -> None:
        """The late findings are exactly the records is_late says are late."""
        result = check_records(records)
        assert _by_code(result.findings, "late") == {
            record.key for record in records if is_late(record)
        }
