"""Attendance counts the minutes that passed, and its records count the same minutes.

A slot in a zone with summer time, a slot longer than a day, check-ins in another offset: the
attendance's minutes are the records' ``service_minutes``, and certification of the verified
records counts exactly them.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import volunteer_rules as vr
from volunteer_rules.community import (
    AttendanceEvent,
    AttendanceRules,
    Roster,
    SignUp,
    attendance_records,
    tally_attendance,
    verify_records,
)
from volunteer_rules.matching.demand import Demand, Interval
from volunteer_rules.records.region import RegionCode
from volunteer_rules.testing.community_examples import sample_project

CST = dt.timezone(dt.timedelta(hours=8))
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # summer time of half an hour
ZONES = (CST, dt.UTC, NEW_YORK, ZoneInfo("Europe/London"), LORD_HOWE)
# moments when the clocks change (UTC): New York in March and November, London in March
CHANGES = (
    dt.datetime(2024, 3, 10, 7, tzinfo=dt.UTC),
    dt.datetime(2024, 11, 3, 6, tzinfo=dt.UTC),
    dt.datetime(2024, 3, 31, 1, tzinfo=dt.UTC),
    dt.datetime(2024, 4, 6, 15, tzinfo=dt.UTC),  # Lord Howe, back by half an hour
)


def tally_one(
    start: dt.datetime, end: dt.datetime, check_in: dt.datetime, check_out: dt.datetime
) -> tuple[vr.ServiceRecord | None, int]:
    """Attendance of one slot, its record (verified) and the attendance's minutes."""
    demand = Demand(
        demand_id="D-1",
        service_category="community_service",
        region=RegionCode.parse("211103"),
        schedule=(Interval(start=start, end=end),),
        head_count=1,
        organization_id="512111005000000154",
    )
    project = attrs.evolve(
        sample_project(), demand=demand, rules=AttendanceRules(minimum_share_percent=0)
    )
    signed = start - dt.timedelta(days=2)
    roster = Roster(
        project_id=project.project_id,
        entries=(SignUp(volunteer_id="V1", slot=0, state="confirmed", at=signed),),
    )
    common = {"project_id": project.project_id, "volunteer_id": "V1", "slot": 0, "by": "qr"}
    events = [
        AttendanceEvent(event_id="in", kind="check_in", at=check_in, source="device", **common),
        AttendanceEvent(event_id="out", kind="check_out", at=check_out, source="device", **common),
    ]
    later = end + dt.timedelta(days=1)
    (attendance,) = tally_attendance(project, roster, events, now=later)
    records = attendance_records(project, [attendance], recorded_by="李雷", recorded_at=later)
    if not records:
        return None, attendance.minutes
    (checked,) = verify_records(records, verified_by=project.person_in_charge, at=later)
    assert checked.record is not None
    return checked.record, attendance.minutes


def counted(record: vr.ServiceRecord) -> int:
    as_of = record.recorded_at.date() + dt.timedelta(days=2)
    return vr.certify([record], rule_set="cn-national", as_of=as_of).counted.minutes


class TestMinutesThatPassed:
    def test_a_slot_when_the_clocks_go_forward(self) -> None:
        """01:00 to 04:00 in New York on 10 March 2024 is two hours, not three."""
        start = dt.datetime(2024, 3, 10, 1, tzinfo=NEW_YORK)
        end = dt.datetime(2024, 3, 10, 4, tzinfo=NEW_YORK)
        record, minutes = tally_one(start, end, start, end)
        assert minutes == 120
        assert record is not None and record.service.minutes == 120 == counted(record)

    def test_a_slot_when_the_clocks_go_back(self) -> None:
        """00:00 to 03:00 in New York on 3 November 2024 is four hours, not three."""
        start = dt.datetime(2024, 11, 3, 0, tzinfo=NEW_YORK)
        end = dt.datetime(2024, 11, 3, 3, tzinfo=NEW_YORK)
        record, minutes = tally_one(start, end, start, end)
        assert minutes == 240
        assert record is not None and record.service.minutes == 240 == counted(record)

    def test_the_length_of_an_interval(self) -> None:
        """An interval's minutes are the minutes that pass, on both sides of a change."""
        forward = Interval(
            start=dt.datetime(2024, 3, 10, 1, tzinfo=NEW_YORK),
            end=dt.datetime(2024, 3, 10, 4, tzinfo=NEW_YORK),
        )
        plain = Interval(
            start=dt.datetime(2024, 3, 9, 1, tzinfo=NEW_YORK),
            end=dt.datetime(2024, 3, 9, 4, tzinfo=NEW_YORK),
        )
        assert (forward.minutes, plain.minutes) == (120, 180)

    @pytest.mark.parametrize(
        ("hours", "expected"), [(23, 1380), (24, 1440), (25, 1440), (48, 1440), (168, 1440)]
    )
    def test_a_slot_longer_than_a_day(self, hours: int, expected: int) -> None:
        """A slot over a day gives a record of a day's minutes, as many as count on its date."""
        start = dt.datetime(2024, 6, 1, 8, tzinfo=CST)
        end = start + dt.timedelta(hours=hours)
        record, minutes = tally_one(start, end, start, end)
        assert minutes == expected
        assert record is not None and record.service.minutes == expected == counted(record)
        assert (record.start, record.end) == (start, end)

    @settings(max_examples=60, deadline=None)
    @given(
        st.sampled_from(ZONES),
        st.sampled_from(CHANGES),
        st.integers(-30 * 60, 6 * 60),
        st.sampled_from((30, 120, 180, 600, 1439, 1440, 1441, 2880)),
        st.integers(-120, 3000),
        st.integers(1, 3000),
        st.sampled_from((CST, dt.UTC, NEW_YORK)),
    )
    def test_attendance_and_its_records_agree(
        self,
        zone: dt.tzinfo,
        change: dt.datetime,
        shift: int,
        length: int,
        arrive: int,
        stay: int,
        device: dt.tzinfo,
    ) -> None:
        """The attendance's minutes: the real overlap with the slot, capped at a day; and the
        record's service minutes and certification's count are exactly them."""
        start_utc = change + dt.timedelta(minutes=shift)
        end_utc = start_utc + dt.timedelta(minutes=length)
        check_in_utc = start_utc + dt.timedelta(minutes=arrive)
        check_out_utc = check_in_utc + dt.timedelta(minutes=stay)
        # tally_one tallies a day after the slot ends: a check-out after that is not yet known
        # (test_a_later_correction_is_not_known_before_it_is_made), and the auto check-out would apply instead.
        assume(check_out_utc <= end_utc + dt.timedelta(days=1))
        record, minutes = tally_one(
            start_utc.astimezone(zone),
            end_utc.astimezone(zone),
            check_in_utc.astimezone(device),
            check_out_utc.astimezone(device),
        )
        overlap = min(end_utc, check_out_utc) - max(start_utc, check_in_utc)
        expected = min(1440, max(0, int(overlap.total_seconds()) // 60))
        assert minutes == expected
        if expected == 0:
            assert record is None
        else:
            assert record is not None
            assert record.service.minutes == expected == counted(record)
            assert record.date == max(start_utc, check_in_utc).astimezone(zone).date()


SLOT = sample_project().slot(0)  # 2024-06-05 09:00-11:00 +08:00


def sample_event(number: int, kind: str, minutes: int, volunteer_id: str) -> AttendanceEvent:
    """An event ``minutes`` after the slot's start (a correction: of 30 minutes from there)."""
    moment = SLOT.start + dt.timedelta(minutes=minutes)
    more: dict[str, object] = {"source": "device"}
    if kind == "correction":
        more = {"source": "administrator", "start": moment, "reason": "负责人确认",
                "end": moment + dt.timedelta(minutes=30)}  # fmt: skip
    return AttendanceEvent(event_id=f"e{number}", project_id=sample_project().project_id,
                           volunteer_id=volunteer_id, slot=0, kind=kind, at=moment, by="qr",
                           **more)  # type: ignore[arg-type]  # fmt: skip


class TestAsOfNow:
    def test_a_later_correction_is_not_known_before_it_is_made(self) -> None:
        """Checked in, never out; corrected three days later: before that, the check-in counts."""
        project = sample_project()
        roster = Roster(project_id=project.project_id, entries=(
            SignUp(volunteer_id="V1", slot=0, state="confirmed", at=SLOT.start),))  # fmt: skip
        check_in = sample_event(1, "check_in", 0, "V1")
        made = SLOT.end + dt.timedelta(days=3)
        correction = AttendanceEvent(event_id="e2", project_id=project.project_id,
                                     volunteer_id="V1", slot=0, kind="correction", at=made,
                                     source="administrator", by="李雷", start=SLOT.start,
                                     end=SLOT.start + dt.timedelta(minutes=80), reason="早退")  # fmt: skip
        events = [check_in, correction]
        (before,) = tally_attendance(project, roster, events, now=made - dt.timedelta(seconds=1))
        (on,) = tally_attendance(project, roster, events, now=made)
        assert (before.method, before.minutes) == ("check_in", 120)
        assert (on.method, on.minutes) == ("administrator", 80)

    @settings(max_examples=60, deadline=None)
    @given(
        st.lists(
            st.tuples(
                st.sampled_from(("check_in", "check_out", "correction")),
                st.integers(-60, 3000),
                st.sampled_from(("V1", "V2", "V3")),
            ),
            max_size=8,
        ),
        st.integers(120, 3200),
    )
    def test_a_tally_is_the_tally_made_then(
        self, steps: list[tuple[str, int, str]], minutes: int
    ) -> None:
        """A tally at ``now`` is the same with or without the events that came after it."""
        project = sample_project()
        roster = Roster(project_id=project.project_id, entries=tuple(
            SignUp(volunteer_id=v, slot=0, state="confirmed", at=SLOT.start)
            for v in ("V1", "V2")))  # fmt: skip
        events = [sample_event(n, *step) for n, step in enumerate(steps)]
        now = SLOT.start + dt.timedelta(minutes=minutes)
        known = [e for e in events if e.at <= now]
        assert tally_attendance(project, roster, events, now=now) == tally_attendance(
            project, roster, known, now=now
        )
