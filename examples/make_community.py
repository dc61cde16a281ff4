"""Make the community sample: organizations, stations, people served, a project and trainings.

Deterministic: the same seed gives the same files, byte for byte (``random.Random(seed)`` and
the library; no clock). Writes, next to this script, in ``examples/community/``:

- ``organizations.jsonl``: the ten organizations of ``examples/records.jsonl`` and three
  community teams under them (one suspended since 2026-03-01);
- ``stations.jsonl``: a community service station in each of the four Panjin districts;
- ``people.jsonl``: twelve people served (made-up names), their needs and consents (one
  consent withdrawn, one without consent to statistics);
- ``projects.jsonl``: one project of 幸福社区 station, home visits on four Wednesdays of
  June 2026, three volunteers a time;
- ``attendance.jsonl``: the project's check-ins and check-outs (one forgotten check-out
  corrected by an administrator, one volunteer who left early);
- ``project-records.jsonl``: the verified service records the attendance gave (format v1,
  with the ``volunteer_rules.capture`` extension);
- ``trainings.jsonl``: trainings of some of the sample's volunteers (for training coverage).

``examples/records.jsonl`` and ``examples/profiles.jsonl`` are read, never changed. Run:

    python examples/make_community.py
    volunteer-rules report examples/records.jsonl examples/profiles.jsonl \\
        examples/community/organizations.jsonl examples/community/stations.jsonl \\
        examples/community/people.jsonl examples/community/projects.jsonl \\
        examples/community/project-records.jsonl examples/community/trainings.jsonl \\
        --as-of 2026-06-30 -o report.html

(not ``attendance.jsonl``: the report counts the records the attendance gave).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from pathlib import Path
from typing import Any

from volunteer_rules.community import (
    AttendanceEvent,
    Consent,
    Need,
    Organization,
    PersonServed,
    Project,
    Roster,
    Station,
    attendance_records,
    dump_attendance_event,
    dump_organization,
    dump_person,
    dump_project,
    dump_station,
    sign_up,
    tally_attendance,
    verify_records,
)
from volunteer_rules.hours import Hours
from volunteer_rules.matching.demand import Demand, Recurrence
from volunteer_rules.records.profile import TrainingRecord, dump_training, parse_profile
from volunteer_rules.records.record import dump_record, parse_record
from volunteer_rules.records.region import RegionCode

HERE = Path(__file__).resolve().parent
SEED = 20260601
CST = dt.timezone(dt.timedelta(hours=8))

ORGANIZATIONS: list[tuple[str, str, str, str, str, str]] = [
    # id, name, kind, region, responsible department, registered on
    (
        "512111005000000154",
        "盘锦市志愿服务联合会",
        "social_group",
        "211103",
        "盘锦市文明办",
        "2015-03-05",
    ),
    (
        "51211100MJ00000175",
        "盘锦市青年志愿者协会",
        "social_group",
        "211103",
        "共青团盘锦市委",
        "2016-05-04",
    ),
    (
        "51211100MJ00000250",
        "盘锦市助老志愿服务协会",
        "social_group",
        "211102",
        "盘锦市民政局",
        "2017-09-09",
    ),
    (
        "51211100MJ0000033T",
        "盘锦市应急救援志愿服务队",
        "social_group",
        "211104",
        "盘锦市应急管理局",
        "2018-07-01",
    ),
    (
        "52211103MJ00000421",
        "兴隆台区幸福社区社会工作服务中心",
        "social_service_agency",
        "211103",
        "兴隆台区民政局",
        "2019-01-15",
    ),
    (
        "52211104MJ00000697",
        "大洼区生态环保志愿服务中心",
        "social_service_agency",
        "211104",
        "大洼区生态环境分局",
        "2019-06-05",
    ),
    (
        "53211100MJ00000850",
        "盘锦市慈善助学基金会",
        "foundation",
        "211102",
        "盘锦市民政局",
        "2017-12-01",
    ),
    (
        "52211122MJ0000093R",
        "盘山县乡村振兴志愿服务中心",
        "social_service_agency",
        "211122",
        "盘山县农业农村局",
        "2020-03-20",
    ),
    (
        "52211102MJ0000114B",
        "双台子区平安志愿服务中心",
        "social_service_agency",
        "211102",
        "双台子区政法委",
        "2020-08-18",
    ),
    (
        "G-stz-linli-huzhudui",
        "双台子区建设街道邻里互助队",
        "volunteer_team",
        "211102",
        "建设街道办事处",
        "2021-01-10",
    ),
]

TEAMS: list[tuple[str, str, str, str, str]] = [
    # id, name, region, parent, responsible department
    ("G-xlt-xingfu-team", "幸福社区志愿服务队", "211103", "52211103MJ00000421", "振兴街道办事处"),
    (
        "G-dw-tianjia-team",
        "田家街道护河志愿服务队",
        "211104",
        "52211104MJ00000697",
        "田家街道办事处",
    ),
    (
        "G-ps-gaosheng-team",
        "高升街道助老志愿服务队",
        "211122",
        "52211122MJ0000093R",
        "高升街道办事处",
    ),
]

STATIONS: list[tuple[str, str, str, str, list[str], str]] = [
    (
        "ST-xlt-xingfu",
        "幸福社区志愿服务站",
        "211103",
        "211103004012",
        ["52211103MJ00000421", "G-xlt-xingfu-team"],
        "振兴街道幸福社区服务中心一楼",
    ),
    (
        "ST-stz-jianshe",
        "建设街道志愿服务站",
        "211102",
        "211102002003",
        ["G-stz-linli-huzhudui", "51211100MJ00000250"],
        "建设街道综合服务中心",
    ),
    (
        "ST-dw-tianjia",
        "田家街道志愿服务站",
        "211104",
        "211104001005",
        ["52211104MJ00000697"],
        "田家街道党群服务中心",
    ),
    (
        "ST-ps-gaosheng",
        "高升街道志愿服务站",
        "211122",
        "211122101002",
        ["52211122MJ0000093R", "G-ps-gaosheng-team"],
        "高升街道社区服务中心",
    ),
]

SURNAMES = "刘王张李赵陈杨黄周吴徐孙"
GIVEN = [
    "桂兰",
    "秀英",
    "玉珍",
    "淑华",
    "凤英",
    "建国",
    "振华",
    "德明",
    "国庆",
    "丽娟",
    "海燕",
    "春生",
]
NEEDS = [
    ("elderly_and_disabled", "上门探访、陪伴聊天", ["wheelchair"]),
    ("elderly_and_disabled", "代购生活用品", []),
    ("health", "陪同就医", ["hearing_impaired"]),
    ("education", "课业辅导", []),
    ("community_service", "家电维修", []),
    ("psychological_support", "心理疏导", []),
]


def _organizations() -> list[Organization]:
    out = [
        Organization(
            organization_id=oid,
            name=name,
            kind=kind,
            region=RegionCode.parse(region),
            responsible_department=department,
            registered_on=dt.date.fromisoformat(day),
        )
        for oid, name, kind, region, department, day in ORGANIZATIONS
    ]
    for index, (oid, name, region, parent, department) in enumerate(TEAMS):
        out.append(
            Organization(
                organization_id=oid,
                name=name,
                kind="volunteer_team",
                region=RegionCode.parse(region),
                responsible_department=department,
                registered_on=dt.date(2022, 3 + index, 1),
                parent_id=parent,
                status="suspended" if index == 2 else "registered",
                status_since=dt.date(2026, 3, 1) if index == 2 else None,
            )
        )
    return out


def _stations() -> list[Station]:
    return [
        Station(
            station_id=sid,
            name=name,
            region=RegionCode.parse(region),
            community_code=community,
            organization_ids=orgs,
            address=address,
        )
        for sid, name, region, community, orgs, address in STATIONS
    ]


def _people(rng: random.Random, stations: list[Station]) -> list[PersonServed]:
    people = []
    for index in range(12):
        station = stations[index % len(stations)]
        category, _, conditions = NEEDS[rng.randrange(len(NEEDS))]
        weekday = rng.randrange(5)
        first = dt.datetime(2026, 6, 1 + weekday, 9 + rng.randrange(6), tzinfo=CST)
        need = Need(
            need_id="N1",
            service_category=category,
            region=station.region,
            place=f"{station.address}附近",
            schedule=(Recurrence(rule="FREQ=WEEKLY;COUNT=8", start=first, duration_minutes=90),),
            special_conditions=frozenset(conditions),
        )
        purposes = {"record", "match", "statistics"}
        if index == 7:
            purposes.discard("statistics")
        consent = Consent(
            given_by="guardian" if index == 3 else "self",
            given_on=dt.date(2026, 5, 1 + index),
            purposes=frozenset(purposes),
            withdrawn_on=dt.date(2026, 6, 15) if index == 5 else None,
        )
        people.append(
            PersonServed(
                person_id=f"P-{index + 1:04d}",
                station_id=station.station_id,
                name=SURNAMES[index] + GIVEN[rng.randrange(len(GIVEN))],
                region=station.region,
                needs=(need,),
                consent=consent,
                contact=f"139{rng.randrange(10**8):08d}",
            )
        )
    return people


def _project() -> Project:
    demand = Demand(
        demand_id="D-2026-0603",
        organization_id="52211103MJ00000421",
        title="独居老人上门探访",
        service_category="elderly_and_disabled",
        region=RegionCode.parse("211103"),
        schedule=(
            Recurrence(
                rule="FREQ=WEEKLY;COUNT=4",
                start=dt.datetime(2026, 6, 3, 9, tzinfo=CST),
                duration_minutes=120,
            ),
        ),
        head_count=3,
    )
    return Project(
        project_id="PRJ-2026-06-xingfu",
        demand=demand,
        person_in_charge="王芳",
        activity_name="独居老人上门探访",
        content="为独居老人打扫卫生、陪伴聊天、测量血压",
        place="兴隆台区振兴街道幸福社区",
        station_id="ST-xlt-xingfu",
    )


def _attendance(
    rng: random.Random, project: Project, profiles: list[Any], busy: set[tuple[str, dt.date]]
) -> tuple[Roster, list[AttendanceEvent]]:
    roster = Roster(project_id=project.project_id)
    at = dt.datetime(2026, 5, 28, 20, tzinfo=CST)
    events: list[AttendanceEvent] = []
    for index, slot in enumerate(project.demand.slots):
        for profile in profiles:
            if len(roster.confirmed(index)) >= project.demand.head_count:
                break
            if (profile.volunteer_id, slot.start.date()) in busy:
                continue
            roster, _ = sign_up(project, roster, profile, slot=index, rules="cn-national", at=at)
        for n, volunteer_id in enumerate(roster.confirmed(index)):
            arrive = slot.start + dt.timedelta(minutes=rng.randrange(-10, 8))
            leave = slot.end + dt.timedelta(minutes=rng.randrange(-5, 10))
            if index == 2 and n == 0:
                leave = slot.start + dt.timedelta(minutes=50)  # left early: under 60 %
            common: dict[str, Any] = {
                "project_id": project.project_id,
                "volunteer_id": volunteer_id,
                "slot": index,
                "by": "qr-xingfu-01",
                "source": "device",
            }
            events.append(
                AttendanceEvent(
                    event_id=f"{index}-{volunteer_id}-in", kind="check_in", at=arrive, **common
                )
            )
            if index == 1 and n == 1:  # forgot to check out: corrected by an administrator
                events.append(
                    AttendanceEvent(
                        event_id=f"{index}-{volunteer_id}-fix",
                        kind="correction",
                        at=slot.end + dt.timedelta(hours=5),
                        project_id=project.project_id,
                        volunteer_id=volunteer_id,
                        slot=index,
                        source="administrator",
                        by="李雷",
                        start=arrive,
                        end=slot.end,
                        reason="忘记签退，负责人确认按时离开",
                    )
                )
                continue
            events.append(
                AttendanceEvent(
                    event_id=f"{index}-{volunteer_id}-out", kind="check_out", at=leave, **common
                )
            )
    return roster, events


def _trainings(rng: random.Random, profiles: list[Any]) -> list[TrainingRecord]:
    categories = ["medical_care", "legal_aid", "psychological_support", "emergency_rescue"]
    out = []
    for profile in profiles:
        if rng.random() >= 0.35:
            continue
        category = categories[rng.randrange(len(categories))]
        day = dt.date(2022, 1, 1) + dt.timedelta(days=rng.randrange(4 * 365))
        out.append(
            TrainingRecord(
                training_id=f"T-{profile.volunteer_id}-{category}",
                volunteer_id=profile.volunteer_id,
                name={
                    "medical_care": "急救员培训",
                    "legal_aid": "法律援助志愿者培训",
                    "psychological_support": "心理支持培训",
                    "emergency_rescue": "应急救援培训",
                }[category],
                category=category,
                content="理论与实操",
                hours=Hours.from_minutes(60 * (4 + rng.randrange(12))),
                organizer="盘锦市志愿服务联合会",
                date=day,
                valid_until=day + dt.timedelta(days=3 * 365) if rng.random() < 0.7 else None,
            )
        )
    return out


def _lines(items: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)


def build(seed: int = SEED) -> dict[str, str]:
    """Every file's name and text."""
    rng = random.Random(seed)
    with (HERE / "profiles.jsonl").open(encoding="utf-8") as file:
        profiles = [parse_profile(json.loads(line)) for line in file]
    busy: set[tuple[str, dt.date]] = set()
    with (HERE / "records.jsonl").open(encoding="utf-8") as file:
        for line in file:
            try:
                payload = json.loads(line)
                busy.add((payload["volunteer_id"], dt.date.fromisoformat(payload["date"])))
            except (ValueError, KeyError, TypeError):
                continue
    organizations = _organizations()
    stations = _stations()
    people = _people(rng, stations)
    project = _project()
    nearby = [p for p in profiles if p.residence_region == RegionCode.parse("211103")]
    roster, events = _attendance(rng, project, nearby, busy)
    last = project.demand.slots[-1].end
    tallied = tally_attendance(project, roster, events, now=last + dt.timedelta(days=1))
    records: list[Any] = []
    for index, slot in enumerate(project.demand.slots):
        made = attendance_records(
            project,
            [a for a in tallied if a.slot == index],
            recorded_by="李雷",
            recorded_at=slot.end + dt.timedelta(days=1, hours=1),
        )
        verified = verify_records(
            made, verified_by="王芳", at=slot.end + dt.timedelta(days=1, hours=3)
        )
        records.extend(v.record for v in verified if v.record is not None)
    return {
        "organizations.jsonl": _lines([dump_organization(o) for o in organizations]),
        "stations.jsonl": _lines([dump_station(s) for s in stations]),
        "people.jsonl": _lines([dump_person(p) for p in people]),
        "projects.jsonl": _lines([dump_project(project)]),
        "attendance.jsonl": _lines([dump_attendance_event(e) for e in events]),
        "project-records.jsonl": _lines(
            [dump_record(parse_record(dump_record(r))) for r in records]
        ),
        "trainings.jsonl": _lines([dump_training(t) for t in _trainings(rng, profiles)]),
    }


def main(argv: list[str] | None = None) -> int:
    """Write the files into ``--output`` (default ``examples/community``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default=str(HERE / "community"), help="a folder")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    folder = Path(args.output)
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in build(args.seed).items():
        (folder / name).write_text(text, encoding="utf-8", newline="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
