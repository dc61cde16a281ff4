"""The community wing: organizations, stations, people served, projects and attendance."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import volunteer_rules as vr
from volunteer_rules.community import (
    Attendance,
    AttendanceEvent,
    AttendanceRules,
    Consent,
    Organization,
    OrganizationRegistry,
    Roster,
    attendance_records,
    capture_method,
    dump_attendance_event,
    dump_organization,
    dump_person,
    dump_project,
    dump_station,
    mask_name,
    needs_for_volunteer,
    parse_attendance_event,
    parse_organization,
    parse_person,
    parse_project,
    parse_station,
    sign_up,
    supervising_office,
    tally_attendance,
    verify_records,
    volunteers_for_need,
    withdraw,
)
from volunteer_rules.errors import InvalidValueError, RecordFormatError
from volunteer_rules.testing.community_examples import (
    sample_attendance_events,
    sample_organizations,
    sample_person,
    sample_project,
    sample_records,
    sample_roster,
    sample_station,
)
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
from volunteer_rules.testing.matching_examples import sample_profile

CST = dt.timezone(dt.timedelta(hours=8))
PROJECT = sample_project()
SLOT = PROJECT.slot(0)  # 2024-06-05 09:00-11:00 +08:00
RECORD = vr.parse_record(SAMPLE_RECORD_PAYLOAD)  # 512111005000000154, recorded 2024-05-02


def org(**changes: Any) -> Organization:
    values: dict[str, Any] = {
        "organization_id": "G-team",
        "name": "队",
        "kind": "volunteer_team",
        "region": vr.RegionCode.parse("211103"),
        "responsible_department": "兴隆台区民政局",
    }
    values.update(changes)
    return Organization(**values)


class TestOrganizations:
    def test_credit_code_is_checked(self) -> None:
        """A credit code with a wrong check character is refused; a valid one is kept."""
        with pytest.raises(InvalidValueError):
            org(organization_id="512111005000000155")
        assert org(organization_id="512111005000000154").registering_department == "民政"

    def test_status_boundaries(self) -> None:
        """Suspended from status_since (inclusive); registered from registered_on (inclusive)."""
        o = org(
            status="suspended",
            status_since=dt.date(2024, 3, 1),
            registered_on=dt.date(2020, 1, 1),
        )
        assert o.status_on(dt.date(2019, 12, 31)) == "not_yet_registered"
        assert o.status_on(dt.date(2020, 1, 1)) == "registered"
        assert o.status_on(dt.date(2024, 2, 29)) == "registered"
        assert o.status_on(dt.date(2024, 3, 1)) == "suspended"
        with pytest.raises(InvalidValueError):
            org(status="deregistered")  # the day is required

    def test_region_queries_follow_the_hierarchy(self) -> None:
        """A city sees its districts' organizations; a district not its neighbour's."""
        registry = OrganizationRegistry(
            organizations=(
                org(organization_id="G-a"),
                org(organization_id="G-b", region=vr.RegionCode.parse("211104")),
                org(organization_id="G-c", region=vr.RegionCode.parse("210102")),
            )
        )

        def ids(code: str) -> list[str]:
            return [o.organization_id for o in registry.in_region(vr.RegionCode.parse(code))]

        assert ids("211100") == ["G-a", "G-b"]
        assert ids("211103") == ["G-a"]
        assert ids("210000") == ["G-a", "G-b", "G-c"]
        assert ids("110000") == []

    def test_tree_is_checked(self) -> None:
        """Unknown parents, repeats and cycles are refused; children and descendants are found."""
        with pytest.raises(InvalidValueError, match="unknown"):
            OrganizationRegistry(organizations=(org(parent_id="G-x"),))
        with pytest.raises(InvalidValueError, match="twice"):
            OrganizationRegistry(organizations=(org(), org()))
        with pytest.raises(InvalidValueError, match="ancestor"):
            OrganizationRegistry(
                organizations=(
                    org(organization_id="G-a", parent_id="G-b"),
                    org(organization_id="G-b", parent_id="G-a"),
                )
            )
        registry = sample_organizations()
        assert [o.organization_id for o in registry.descendants("512111005000000154")] == [
            "52211103MJ00000421",
            "G-xingfu-team",
        ]

    def test_recording_rules(self) -> None:
        """Only the record's own organization records it, and only while registered."""
        registry = sample_organizations()
        assert registry.check_recording("512111005000000154", RECORD) == ()
        # a parent does not record for its member organization
        child = attrs.evolve(RECORD, organization_id="52211103MJ00000421")
        codes = [r.code for r in registry.check_recording("512111005000000154", child)]
        assert codes == ["not_own_record"]
        team = attrs.evolve(
            RECORD,
            organization_id="G-xingfu-team",
            recorded_at=dt.datetime(2024, 12, 31, 23, 59, tzinfo=CST),
        )
        assert registry.check_recording("G-xingfu-team", team) == ()
        suspended = attrs.evolve(team, recorded_at=dt.datetime(2025, 1, 1, 0, 0, tzinfo=CST))
        codes = [r.code for r in registry.check_recording("G-xingfu-team", suspended)]
        assert codes == ["organization_suspended"]

    def test_supervising_office(self) -> None:
        """Civil affairs registered: the code's division; a team: its own region."""
        registry = sample_organizations()
        offices = [supervising_office(o).code for o in registry]
        assert offices == ["211100", "211103", "211103"]

    @given(
        st.sampled_from(["G-a", "512111005000000154"]),
        st.sampled_from(["registered", "suspended", "deregistered"]),
        st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 1, 1)),
    )
    def test_round_trip(self, oid: str, status: str, day: dt.date) -> None:
        """parse_organization(dump_organization(o)) == o."""
        o = org(organization_id=oid, status=status, status_since=day, registered_on=day)
        assert parse_organization(dump_organization(o)) == o


class TestStations:
    def test_community_code_must_lie_in_the_county(self) -> None:
        """The 12-digit community code starts with the station's county code."""
        with pytest.raises(InvalidValueError):
            attrs.evolve(sample_station(), community_code="211104004012")
        with pytest.raises(InvalidValueError):
            attrs.evolve(sample_station(), organization_ids=())
        assert parse_station(dump_station(sample_station())) == sample_station()

    def test_publishes_its_own_demands(self) -> None:
        """The station's organization, in its area: publishable."""
        assert sample_station().check_demand(PROJECT.demand) == ()
        other = attrs.evolve(PROJECT.demand, organization_id="G-other")
        assert [r.code for r in sample_station().check_demand(other)] == [
            "not_station_organization"
        ]


class TestPeopleServed:
    @given(st.text(min_size=1, max_size=12).filter(str.strip))
    def test_mask_name_shows_one_character(self, name: str) -> None:
        """Only the first character survives; the rest are stars (never fewer than one)."""
        masked = mask_name(name)
        assert masked[0] == name.strip()[0]
        assert set(masked[1:]) == {"*"}

    def test_consent_boundaries(self) -> None:
        """Covered from given_on (inclusive) until withdrawn_on (exclusive)."""
        consent = Consent(
            given_by="guardian",
            given_on=dt.date(2024, 6, 1),
            purposes=frozenset({"match"}),
            withdrawn_on=dt.date(2024, 7, 1),
        )
        days = [
            dt.date(2024, 5, 31),
            dt.date(2024, 6, 1),
            dt.date(2024, 6, 30),
            dt.date(2024, 7, 1),
        ]
        assert [consent.covers("match", d) for d in days] == [False, True, True, False]
        with pytest.raises(InvalidValueError):
            Consent(given_by="self", given_on=dt.date(2024, 1, 1), purposes=frozenset({"sell"}))

    def test_no_consent_no_match(self) -> None:
        """Without consent to matching, nobody is matched and the reason says why."""
        person = sample_person(consent=None)
        found = volunteers_for_need(
            person,
            person.needs[0],
            [sample_profile()],
            rules="cn-national",
            as_of=dt.date(2024, 6, 1),
        )
        assert found.result is None
        assert [r.code for r in found.refused] == ["consent_missing"]
        assert "刘桂兰" not in found.refused[0].message

    def test_needs_for_volunteer_window_and_reach(self) -> None:
        """since is inclusive, until exclusive; the county reach leaves a neighbour out."""
        me = sample_profile(volunteer_id="V1", residence_region="211103")
        first = SLOT.start  # 2024-06-05 09:00
        week = dt.timedelta(days=7)
        offers = needs_for_volunteer(
            me, [sample_person()], rules="cn-national", as_of=dt.date(2024, 6, 1),
            since=first, until=first + week,
        )  # fmt: skip
        assert [len(o.slots) for o in offers] == [1]
        offers = needs_for_volunteer(
            me, [sample_person()], rules="cn-national", as_of=dt.date(2024, 6, 1),
            since=first + dt.timedelta(minutes=1), until=first + week,
        )  # fmt: skip
        assert offers == ()
        away = sample_profile(volunteer_id="V2", residence_region="211104")
        kwargs: dict[str, Any] = {"rules": "cn-national", "as_of": dt.date(2024, 6, 1)}
        assert (
            needs_for_volunteer(away, [sample_person()], since=first, until=first + week, **kwargs)
            == ()
        )
        city = needs_for_volunteer(
            away, [sample_person()], since=first, until=first + week, reach="city", **kwargs
        )
        assert [o.need_id for o in city] == ["N1"]

    def test_round_trip_and_masked_repr(self) -> None:
        """The JSON form round-trips; repr shows neither name, contact nor ID number."""
        person = sample_person(contact="13800138000", id_number="21110319400101002X")
        assert parse_person(dump_person(person)) == person
        shown = repr(person)
        for secret in ("刘桂兰", "13800138000", "21110319400101002X"):
            assert secret not in shown
        with pytest.raises(InvalidValueError):
            sample_person(person_id="21110319400101002X")


def profiles(n: int) -> list[vr.VolunteerProfile]:
    return [sample_profile(volunteer_id=f"V{i}") for i in range(n)]


AT = dt.datetime(2024, 6, 1, 10, tzinfo=CST)


class TestSignUp:
    @given(st.integers(min_value=0, max_value=6), st.integers(min_value=0, max_value=5))
    def test_head_count_then_waitlist(self, n: int, leaving: int) -> None:
        """The first head_count are confirmed, the rest wait; a withdrawal promotes the next."""
        roster = Roster(project_id=PROJECT.project_id)
        for profile in profiles(n):
            roster, _ = sign_up(PROJECT, roster, profile, slot=0, rules="cn-national", at=AT)
        head = PROJECT.demand.head_count
        assert roster.confirmed(0) == tuple(f"V{i}" for i in range(min(n, head)))
        assert roster.waitlisted(0) == tuple(f"V{i}" for i in range(head, n))
        for i in range(min(leaving, n)):
            roster = withdraw(PROJECT, roster, f"V{i}", slot=0)
            assert len(roster.confirmed(0)) == min(head, n - i - 1)
        assert len(roster.confirmed(0)) <= head

    def test_sign_up_twice_changes_nothing(self) -> None:
        """A repeated sign-up keeps the place."""
        roster, first = sign_up(PROJECT, Roster(project_id=PROJECT.project_id), sample_profile(),
                                slot=0, rules="cn-national", at=AT)  # fmt: skip
        again, second = sign_up(
            PROJECT, roster, sample_profile(), slot=0, rules="cn-national", at=AT
        )
        assert again == roster and second == first

    def test_ineligible_is_refused_with_reasons(self) -> None:
        """check_assignment's reasons come back on the refused sign-up."""
        demand = attrs.evolve(PROJECT.demand, required_skills=frozenset({"nursing"}))
        project = attrs.evolve(PROJECT, demand=demand)
        roster, entry = sign_up(project, Roster(project_id=project.project_id), sample_profile(),
                                slot=0, rules="cn-national", at=AT)  # fmt: skip
        assert entry.state == "refused"
        assert [r.code for r in entry.reasons] == ["skill_missing"]
        assert roster.confirmed(0) == ()


def event(vid: str, kind: str, at: dt.datetime, n: int, **more: Any) -> AttendanceEvent:
    source = "administrator" if kind == "correction" else "device"
    return AttendanceEvent(event_id=f"e{n}", project_id=PROJECT.project_id, volunteer_id=vid,
                           slot=0, kind=kind, at=at, source=source, by="qr", **more)  # fmt: skip


def tally(
    events: list[AttendanceEvent], now: dt.datetime | None = None, **rules: int
) -> Attendance:
    project = attrs.evolve(PROJECT, rules=AttendanceRules(**rules)) if rules else PROJECT
    found = tally_attendance(
        project, sample_roster(project), events, now=now or SLOT.end + dt.timedelta(days=2)
    )
    return next(a for a in found if a.volunteer_id == "V1")


moments = st.integers(min_value=-180, max_value=300).map(
    lambda m: SLOT.start + dt.timedelta(minutes=m)
)


class TestAttendance:
    @given(moments, moments)
    def test_minutes_are_the_overlap_with_the_slot(self, a: dt.datetime, b: dt.datetime) -> None:
        """Counted minutes are the part of [check-in, check-out] inside the slot, never more."""
        first, last = min(a, b), max(a, b)
        found = tally([event("V1", "check_in", first, 1), event("V1", "check_out", last, 2)],
                      minimum_share_percent=0)  # fmt: skip
        overlap = max(0, int((min(last, SLOT.end) - max(first, SLOT.start)).total_seconds()) // 60)
        if last == first:  # a check-out must come after the check-in: auto check-out
            assert found.auto_check_out
        else:
            assert found.minutes == overlap
        assert found.minutes <= 120

    def test_minimum_share_boundary(self) -> None:
        """72 of 120 minutes is 60 % and counts; 71 minutes does not."""
        start = SLOT.start
        ok = tally([event("V1", "check_in", start, 1),
                    event("V1", "check_out", start + dt.timedelta(minutes=72), 2)])  # fmt: skip
        short = tally([event("V1", "check_in", start, 1),
                       event("V1", "check_out", start + dt.timedelta(minutes=71), 2)])  # fmt: skip
        assert (ok.minutes, ok.counts) == (72, True)
        assert [r.code for r in short.reasons] == ["below_minimum_share"]
        assert short.minutes == 0

    def test_automatic_check_out_boundary(self) -> None:
        """Checked out automatically exactly auto_check_out_minutes after checking in."""
        check_in = SLOT.start + dt.timedelta(minutes=30)
        events = [event("V1", "check_in", check_in, 1)]
        limit = dt.timedelta(minutes=180)
        before = tally(
            events, now=check_in + limit - dt.timedelta(minutes=1), auto_check_out_minutes=180
        )
        at = tally(events, now=check_in + limit, auto_check_out_minutes=180)
        assert [r.code for r in before.reasons] == ["still_checked_in"]
        assert at.auto_check_out and at.minutes == 90 and at.check_out == check_in + limit

    def test_walk_in_and_absent(self) -> None:
        """A walk-in gets no record; a confirmed volunteer who never came is listed absent."""
        found = tally_attendance(PROJECT, sample_roster(PROJECT),
                                 [event("V7", "check_in", SLOT.start, 1)], now=SLOT.end)  # fmt: skip
        codes = {a.volunteer_id: [r.code for r in a.reasons] for a in found}
        assert codes["V7"] == ["not_confirmed", "still_checked_in"]
        assert codes["V1"] == ["no_check_in"] and codes["V2"] == ["no_check_in"]

    def test_slot_not_ended_is_not_tallied(self) -> None:
        """Before the slot ends there is nothing to tally."""
        assert tally_attendance(PROJECT, sample_roster(PROJECT), sample_attendance_events(),
                                now=SLOT.end - dt.timedelta(seconds=1)) == ()  # fmt: skip

    @pytest.mark.parametrize("offset", [-12, 8, 14])
    def test_a_check_in_at_the_end_of_the_calendar(self, offset: int) -> None:
        """A check-in in the last hour of 9999, in any offset: tallied, never an OverflowError."""
        zone = dt.timezone(dt.timedelta(hours=offset))
        last = dt.datetime(9999, 12, 31, 23, 30, tzinfo=zone)
        found = tally([event("V1", "check_in", last, 1)], now=last)
        assert found.minutes == 0 and [r.code for r in found.reasons] == ["still_checked_in"]
        events = [event("V1", "check_in", SLOT.start, 1), event("V1", "check_out", last, 2)]
        assert tally(events, now=last).minutes == 120

    def test_events_round_trip(self) -> None:
        """The JSON form of every sample event reads back equal."""
        for item in sample_attendance_events():
            assert parse_attendance_event(dump_attendance_event(item)) == item

    def test_correction_needs_reason_and_times(self) -> None:
        """A correction without a reason, or from a device, is refused."""
        with pytest.raises(InvalidValueError):
            event("V1", "correction", SLOT.end, 1, start=SLOT.start, end=SLOT.end)
        with pytest.raises(InvalidValueError):
            event("V1", "check_in", SLOT.start, 1, start=SLOT.start, end=SLOT.end)


class TestRecords:
    def test_capture_method_is_kept(self) -> None:
        """Check-in hours and administrator hours stay distinguishable in the record."""
        records = sample_records(PROJECT)
        assert [capture_method(r) for r in records] == ["check_in", "administrator"]
        v2 = records[1].extensions[vr.community.CAPTURE_EXTENSION]
        assert v2["entered_by"] == "李雷" and v2["reason"].startswith("忘记签退")
        # the records are valid format v1 and round-trip
        for record in records:
            assert vr.parse_record(vr.dump_record(record)) == record

    @pytest.mark.parametrize(
        "method", [{}, [], {"check_in": True}, ["check_in"], 1, None, "Check_In"]
    )
    def test_a_method_not_named_by_text_is_entered(self, method: object) -> None:
        """A capture method that is not the text of a method is ignored: ``entered``."""
        extensions = {vr.community.CAPTURE_EXTENSION: {"method": method}}
        record = vr.parse_record(dict(SAMPLE_RECORD_PAYLOAD, extensions=extensions))
        assert capture_method(record) == "entered"

    @pytest.mark.parametrize("capture", [[], [1], "text", 7])
    def test_a_capture_that_is_not_an_object_is_read_as_absent(self, capture: object) -> None:
        """Verification writes its own capture object in place of one that is not an object."""
        (made,) = sample_records(PROJECT)[:1]
        payload = vr.dump_record(made)
        payload["extensions"] = {vr.community.CAPTURE_EXTENSION: capture}
        (checked,) = verify_records(
            [vr.parse_record(payload)], verified_by="王芳", at=SLOT.end + dt.timedelta(days=1)
        )
        assert checked.record is not None and checked.record.extensions is not None
        assert capture_method(checked.record) == "entered"
        assert checked.record.extensions[vr.community.CAPTURE_EXTENSION]["verified_by"] == "王芳"

    @pytest.mark.parametrize("offset", [-12, 14])
    def test_verified_at_the_ends_of_the_calendar(self, offset: int) -> None:
        """Verified within a day of year 1 or year 9999: on time or late, never an error."""
        zone = dt.timezone(dt.timedelta(hours=offset))
        first = dt.datetime(1, 1, 1, 0, 30, tzinfo=zone)
        last = dt.datetime(9999, 12, 31, 23, 30, tzinfo=zone)
        records = sample_records(PROJECT)
        assert [v.late for v in verify_records(records, verified_by="王芳", at=first)] == [
            False,
            False,
        ]
        assert [v.late for v in verify_records(records, verified_by="王芳", at=last)] == [
            True,
            True,
        ]

    def test_late_correction_is_an_amendment(self) -> None:
        """A correction after records were made gives an amendment; re-running gives nothing."""
        later = SLOT.end + dt.timedelta(days=1)
        records = sample_records(PROJECT)
        fix = event("V1", "correction", later + dt.timedelta(hours=1), 9,
                    start=SLOT.start, end=SLOT.start + dt.timedelta(minutes=90), reason="提前离开")  # fmt: skip
        events = [*sample_attendance_events(), fix]
        tallied = tally_attendance(
            PROJECT, sample_roster(PROJECT), events, now=later + dt.timedelta(days=1)
        )
        made = attendance_records(PROJECT, tallied, recorded_by="李雷",
                                  recorded_at=later + dt.timedelta(hours=2), previous=records)  # fmt: skip
        assert [(r.record_id, r.amends, r.service.minutes) for r in made] == [
            ("PRJ-2024-06.0.V1.c1", "PRJ-2024-06.0.V1", 90)
        ]
        again = attendance_records(PROJECT, tallied, recorded_by="李雷",
                                   recorded_at=later + dt.timedelta(hours=3), previous=(*records, *made))  # fmt: skip
        assert again == ()
        verified = [
            v.record for v in verify_records((*records, *made), verified_by="王芳", at=later)
        ]
        counted = vr.count_many([r for r in verified if r is not None], as_of=dt.date(2024, 7, 1))
        assert counted["V1"].minutes == 90

    def test_verification_deadline_boundary(self) -> None:
        """Verified on the 10th working day: on time; the day after: late."""
        records = sample_records(PROJECT)
        deadline = PROJECT.record_deadline(0)
        on_time = dt.datetime.combine(deadline, dt.time(23, 59), CST)
        late = on_time + dt.timedelta(minutes=1)
        assert [v.late for v in verify_records(records, verified_by="王芳", at=on_time)] == [
            False,
            False,
        ]
        assert [v.late for v in verify_records(records, verified_by="王芳", at=late)] == [
            True,
            True,
        ]
        assert deadline == vr.late_deadline(SLOT.end.date())

    def test_only_the_person_in_charge_verifies(self) -> None:
        """Another person's verification is refused with a reason."""
        (refused, _) = verify_records(sample_records(PROJECT), verified_by="李雷", at=SLOT.end)
        assert refused.record is None
        assert [r.code for r in refused.reasons] == ["not_person_in_charge"]

    def test_verified_records_pass_the_record_checks(self) -> None:
        """check_records finds no problem in the verified records."""
        verified = verify_records(
            sample_records(PROJECT), verified_by="王芳", at=SLOT.end + dt.timedelta(days=1)
        )
        check = vr.check_records(v.record for v in verified if v.record is not None)
        assert check.ok and check.findings == ()


def test_a_nested_demand_is_reported_where_the_form_has_it() -> None:
    """A need's or a project's demand reports its problems under its own path."""
    person = dump_person(sample_person())
    person["needs"][0]["slots"][0]["start"] = "soon"
    with pytest.raises(RecordFormatError) as raised:
        parse_person(person)
    assert [e.path for e in raised.value.errors] == ["$.needs[0].slots[0].start"]
    assert str(raised.value).startswith("invalid person served: $.needs[0].slots[0].start:")

    project = dump_project(sample_project())
    project["demand"]["head_count"] = 0
    with pytest.raises(RecordFormatError) as raised:
        parse_project(project)
    assert [(e.path, e.code) for e in raised.value.errors] == [
        ("$.demand.head_count", "out_of_range")
    ]
