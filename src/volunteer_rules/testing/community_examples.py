"""Synthetic community examples: a person served, a project, its roster, attendance and records.

All names, ids and numbers are made up. Used by the docs and tests of
:mod:`volunteer_rules.community`.

Example:
    >>> sample_project().project_id
    'PRJ-2024-06'
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Final

__all__ = [
    "SAMPLE_PROJECT_ID",
    "sample_attendance_events",
    "sample_organizations",
    "sample_person",
    "sample_project",
    "sample_records",
    "sample_roster",
    "sample_station",
]

_CST: Final = _dt.timezone(_dt.timedelta(hours=8))
SAMPLE_PROJECT_ID: Final = "PRJ-2024-06"
"""The id of :func:`sample_project`."""


def sample_person(**changes: Any) -> Any:
    """A person served at 幸福社区 (兴隆台区) who needs a weekly visit; keyword arguments override.

    Example:
        >>> sample_person().masked_name, sample_person().needs[0].head_count
        ('刘**', 1)
    """
    import attrs

    from volunteer_rules.community.person import Consent, Need, PersonServed
    from volunteer_rules.matching.demand import Recurrence
    from volunteer_rules.records.region import RegionCode

    need = Need(
        need_id="N1",
        service_category="elderly_and_disabled",
        region=RegionCode.parse("211103"),
        place="振兴街道幸福社区3号楼",
        schedule=(
            Recurrence(
                rule="FREQ=WEEKLY;COUNT=8",
                start=_dt.datetime(2024, 6, 5, 9, tzinfo=_CST),
                duration_minutes=120,
            ),
        ),
        special_conditions={"wheelchair"},
    )
    person = PersonServed(
        person_id="P-0001",
        station_id="ST-xingfu",
        name="刘桂兰",
        region=RegionCode.parse("211103"),
        needs=(need,),
        consent=Consent(
            given_by="self",
            given_on=_dt.date(2024, 5, 20),
            purposes=frozenset({"record", "match", "statistics"}),
        ),
    )
    return attrs.evolve(person, **changes)


def sample_station() -> Any:
    """The station of :func:`sample_person`, run by the sample organization.

    Example:
        >>> sample_station().community_code
        '211103004012'
    """
    from volunteer_rules.community.station import Station
    from volunteer_rules.records.region import RegionCode

    return Station(
        station_id="ST-xingfu",
        name="幸福社区志愿服务站",
        region=RegionCode.parse("211103"),
        community_code="211103004012",
        organization_ids=("512111005000000154",),
        address="振兴街道幸福社区服务中心一楼",
    )


def sample_organizations() -> Any:
    """A registry: a city federation, a district association under it, a team under that.

    Example:
        >>> [o.organization_id for o in sample_organizations()]
        ['512111005000000154', '52211103MJ00000421', 'G-xingfu-team']
    """
    from volunteer_rules.community.organization import Organization, OrganizationRegistry
    from volunteer_rules.records.region import RegionCode

    return OrganizationRegistry(
        organizations=(
            Organization(
                organization_id="512111005000000154",
                name="盘锦市志愿服务联合会",
                kind="social_group",
                region=RegionCode.parse("211103"),
                responsible_department="盘锦市文明办",
                registered_on=_dt.date(2019, 3, 1),
            ),
            Organization(
                organization_id="52211103MJ00000421",
                name="兴隆台区幸福社区社会工作服务中心",
                kind="social_service_agency",
                region=RegionCode.parse("211103"),
                responsible_department="兴隆台区民政局",
                registered_on=_dt.date(2020, 6, 1),
                parent_id="512111005000000154",
            ),
            Organization(
                organization_id="G-xingfu-team",
                name="幸福社区志愿服务队",
                kind="volunteer_team",
                region=RegionCode.parse("211103"),
                responsible_department="振兴街道办事处",
                registered_on=_dt.date(2021, 1, 10),
                status="suspended",
                status_since=_dt.date(2025, 1, 1),
                parent_id="52211103MJ00000421",
            ),
        )
    )


def sample_project() -> Any:
    """A project of the sample organization: visits on four Wednesdays, two volunteers each.

    Example:
        >>> [s.start.date().isoformat() for s in sample_project().demand.slots][:2]
        ['2024-06-05', '2024-06-12']
    """
    from volunteer_rules.community.project import Project
    from volunteer_rules.matching.demand import Demand, Recurrence
    from volunteer_rules.records.region import RegionCode

    demand = Demand(
        demand_id="D-2024-0605",
        organization_id="512111005000000154",
        title="独居老人上门探访",
        service_category="elderly_and_disabled",
        region=RegionCode.parse("211103"),
        schedule=(
            Recurrence(
                rule="FREQ=WEEKLY;COUNT=4",
                start=_dt.datetime(2024, 6, 5, 9, tzinfo=_CST),
                duration_minutes=120,
            ),
        ),
        head_count=2,
    )
    return Project(
        project_id=SAMPLE_PROJECT_ID,
        demand=demand,
        person_in_charge="王芳",
        activity_name="独居老人上门探访",
        content="为独居老人打扫卫生、陪伴聊天",
        place="兴隆台区振兴街道幸福社区",
        station_id="ST-xingfu",
    )


def sample_roster(project: Any, *, waitlist: tuple[str, ...] = ()) -> Any:
    """V1 and V2 confirmed for slot 0 (and ``waitlist`` waiting), signed up on 1 June.

    Example:
        >>> sample_roster(sample_project()).confirmed(0)
        ('V1', 'V2')
    """
    from volunteer_rules.community.project import Roster, SignUp

    at = _dt.datetime(2024, 6, 1, 10, tzinfo=_CST)
    entries = [SignUp(volunteer_id=v, slot=0, state="confirmed", at=at) for v in ("V1", "V2")]
    entries += [SignUp(volunteer_id=v, slot=0, state="waitlisted", at=at) for v in waitlist]
    return Roster(project_id=project.project_id, entries=tuple(entries))


def sample_attendance_events() -> Any:
    """V1 checks in early and out late (120 minutes count); V2 forgets to check out (corrected).

    Example:
        >>> [e.kind for e in sample_attendance_events()]
        ['check_in', 'check_in', 'check_out', 'correction']
    """
    from volunteer_rules.community.attendance import AttendanceEvent

    def at(hour: int, minute: int) -> _dt.datetime:
        return _dt.datetime(2024, 6, 5, hour, minute, tzinfo=_CST)

    common: dict[str, Any] = {"project_id": SAMPLE_PROJECT_ID, "slot": 0}
    return (
        AttendanceEvent(
            event_id="a1",
            volunteer_id="V1",
            kind="check_in",
            at=at(8, 50),
            source="device",
            by="qr-xingfu-01",
            **common,
        ),
        AttendanceEvent(
            event_id="a2",
            volunteer_id="V2",
            kind="check_in",
            at=at(9, 10),
            source="device",
            by="qr-xingfu-01",
            **common,
        ),
        AttendanceEvent(
            event_id="a3",
            volunteer_id="V1",
            kind="check_out",
            at=at(11, 5),
            source="device",
            by="qr-xingfu-01",
            **common,
        ),
        AttendanceEvent(
            event_id="a4",
            volunteer_id="V2",
            kind="correction",
            at=at(15, 0),
            source="administrator",
            by="李雷",
            start=at(9, 15),
            end=at(11, 0),
            reason="忘记签退，负责人确认 11:00 离开",
            **common,
        ),
    )


def sample_records(project: Any) -> Any:
    """The submitted records of slot 0, made the day after.

    Example:
        >>> [r.service.minutes for r in sample_records(sample_project())]
        [120, 105]
    """
    from volunteer_rules.community.attendance import tally_attendance
    from volunteer_rules.community.recording import attendance_records

    later = project.slot(0).end + _dt.timedelta(days=1)
    tallied = tally_attendance(
        project, sample_roster(project), sample_attendance_events(), now=later
    )
    return attendance_records(project, tallied, recorded_by="李雷", recorded_at=later)
