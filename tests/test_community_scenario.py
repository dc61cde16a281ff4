"""From a station publishing a demand to certificates and statistics: every figure agrees.

One project of 幸福社区 station, on four Wednesdays, through every step a platform takes:
publish (the station's checks), sign-up (eligibility, confirmed or waitlisted, a withdrawal),
check-in and check-out kept in an attendance store (SQLite), the records attendance gives (one
forgotten check-out corrected by an administrator, one volunteer who left early), the person
in charge's verification within 10 working days, the registry's recording rules, the record
store, star certification, the time-bank credit, a certificate, and the bureau's report. The
minutes of each volunteer are then compared across all of them.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import attrs

import volunteer_rules as vr
from volunteer_rules.community import (
    AttendanceEvent,
    Roster,
    attendance_records,
    capture_method,
    sign_up,
    tally_attendance,
    verify_records,
    withdraw,
)
from volunteer_rules.statistics import build_report, render_report_html, summarize, time_series
from volunteer_rules.storage import (
    SQLiteAttendanceStore,
    SQLiteDatabase,
    SQLiteOrganizationStore,
    SQLiteRecordStore,
)
from volunteer_rules.testing.community_examples import (
    sample_organizations,
    sample_person,
    sample_project,
    sample_station,
)
from volunteer_rules.testing.matching_examples import sample_profile

CST = dt.timezone(dt.timedelta(hours=8))
AS_OF = dt.date(2024, 7, 31)


def test_station_demand_to_certificate_and_report(tmp_path: Path) -> None:
    database = SQLiteDatabase(tmp_path / "platform.sqlite")
    organizations = SQLiteOrganizationStore(database)
    organizations.add(sample_organizations())
    registry = vr.community.OrganizationRegistry(organizations=organizations.find())
    station = sample_station()
    project = attrs.evolve(
        sample_project(), demand=attrs.evolve(sample_project().demand, head_count=2)
    )

    # 1. the station publishes the demand
    assert station.check_demand(project.demand) == ()
    assert registry.get(project.organization_id) is not None

    # 2. sign-up: three eligible (two confirmed, one waitlisted), one refused; a withdrawal
    people = {
        vid: sample_profile(volunteer_id=vid, residence_region="211103")
        for vid in ("V1", "V2", "V3")
    }
    minor = sample_profile(volunteer_id="V4", birth_date=dt.date(2012, 1, 1), consents=())
    roster = Roster(project_id=project.project_id)
    at = dt.datetime(2024, 6, 1, 10, tzinfo=CST)
    states = {}
    for slot in range(2):
        for profile in (*people.values(), minor):
            roster, entry = sign_up(project, roster, profile, slot=slot, rules="cn-national", at=at)
            states[(slot, profile.volunteer_id)] = entry.state
    assert states[(0, "V3")] == "waitlisted" and states[(0, "V4")] == "refused"
    roster = withdraw(project, roster, "V2", slot=1)  # V3 takes V2's place in slot 1
    assert roster.confirmed(0) == ("V1", "V2") and roster.confirmed(1) == ("V1", "V3")

    # 3. check-in and check-out, kept in the attendance store
    def moment(slot: int, hour: int, minute: int) -> dt.datetime:
        return dt.datetime.combine(project.slot(slot).start.date(), dt.time(hour, minute), CST)

    def event(eid: str, vid: str, slot: int, kind: str, when: dt.datetime) -> AttendanceEvent:
        return AttendanceEvent(event_id=eid, project_id=project.project_id, volunteer_id=vid,
                               slot=slot, kind=kind, at=when, source="device", by="qr-01")  # fmt: skip

    events = SQLiteAttendanceStore(database)
    events.append([
        event("1", "V1", 0, "check_in", moment(0, 8, 55)),
        event("2", "V1", 0, "check_out", moment(0, 11, 2)),
        event("3", "V2", 0, "check_in", moment(0, 9, 0)),
        event("4", "V2", 0, "check_out", moment(0, 9, 40)),  # left early: 33 % of the slot
        event("5", "V1", 1, "check_in", moment(1, 9, 5)),
        event("6", "V1", 1, "check_out", moment(1, 10, 50)),
        event("7", "V3", 1, "check_in", moment(1, 9, 0)),
        AttendanceEvent(event_id="8", project_id=project.project_id, volunteer_id="V3", slot=1,
                        kind="correction", at=moment(1, 15, 0), source="administrator", by="李雷",
                        start=moment(1, 9, 0), end=moment(1, 11, 0), reason="忘记签退"),
    ])  # fmt: skip
    now = project.slot(1).end + dt.timedelta(days=1)
    tallied = tally_attendance(
        project, roster, events.events(project_id=project.project_id), now=now
    )
    minutes = {(a.slot, a.volunteer_id): a.minutes for a in tallied}
    assert minutes == {(0, "V1"): 120, (0, "V2"): 0, (1, "V1"): 105, (1, "V3"): 120}

    # 4. records, verified by the person in charge within 10 working days
    drafts: list[vr.ServiceRecord] = []
    for slot in range(2):
        drafts += attendance_records(
            project, [a for a in tallied if a.slot == slot], recorded_by="李雷",
            recorded_at=project.slot(slot).end + dt.timedelta(days=1),
        )  # fmt: skip
    checked = verify_records(drafts, verified_by=project.person_in_charge, at=now)
    assert [v.late for v in checked] == [False, False, False]
    records = [v.record for v in checked if v.record is not None]
    assert [capture_method(r) for r in records] == ["check_in", "check_in", "administrator"]
    for record in records:
        assert registry.check_recording(project.organization_id, record) == ()
    store = SQLiteRecordStore(database)
    assert store.add(records) == 3
    assert vr.check_records(store.find()).ok
    stored = list(store.find(organization_id=project.organization_id))
    expected = {"V1": 225, "V3": 120}

    # 5. certification counts the same minutes
    for vid, total in expected.items():
        certification = vr.certify(stored, rule_set="cn-national", volunteer=vid, as_of=AS_OF)
        assert certification.counted.minutes == total

    # 6. the time bank credits them once, and again nothing
    credited = vr.credit_records(vr.Ledger(), stored, now=dt.datetime(2024, 7, 1, tzinfo=CST),
                                 policy="generic")  # fmt: skip
    again = vr.credit_records(credited.ledger, stored, now=dt.datetime(2024, 7, 2, tzinfo=CST),
                              policy="generic")  # fmt: skip
    for vid, total in expected.items():
        assert credited.ledger.balance(vid).minutes == total
        assert again.ledger.balance(vid).minutes == total

    # 7. the certificate of V1 states the same hours
    issuer = vr.Issuer(organization_id=project.organization_id, name="盘锦市志愿服务联合会",
                       responsible_person="王芳", handler="李雷", contact="0427-2812345")  # fmt: skip
    profile = vr.parse_profile(
        {"format_version": 1, "volunteer_id": "V1", "name": "王强", "sex": "male",
         "birth_date": "1990-03-15", "id_document": {"kind": "passport", "number": "E12345678"},
         "residence_region": "211103"}
    )  # fmt: skip
    issued = vr.issue_certificate(stored, volunteer=profile, issuer=issuer, as_of=AS_OF,
                                  number="PJ-2024-0099")  # fmt: skip
    assert issued.certificate is not None
    assert issued.certificate.service.minutes == expected["V1"]

    # 8. the bureau's figures: totals, months, regions, capture methods, the page
    report = build_report(
        stored, as_of=AS_OF, profiles=list(people.values()), organizations=registry,
        stations=[station], people=[sample_person()], projects=[project],
    )  # fmt: skip
    total = sum(expected.values())
    assert report.totals["minutes"] == total
    assert sum(r["minutes"] for r in report.by_month) == total
    assert sum(r["minutes"] for r in report.by_region) == total
    assert sum(r["minutes"] for r in report.capture) == total
    assert {r["method"]: r["minutes"] for r in report.capture} == {
        "administrator": 120, "check_in": 225, "entered": 0
    }  # fmt: skip
    assert [r["minutes"] for r in time_series(stored, as_of=AS_OF)] == [total, 0]
    assert summarize(stored, by=())[0]["minutes"] == total
    assert report.totals["active"] == 2 and report.totals["volunteers"] == 3
    assert report.totals["people_served"] == 1 and report.totals["projects"] == 1
    page = render_report_html(report)
    assert f"{vr.Hours.from_minutes(total).to_decimal_hours(2)}" in page  # 5.75
    assert "刘桂兰" not in page and not re.search(r"\d{17}[\dX]", page)
    database.close()
