"""The community wing: organizations by region, service stations, people served, projects.

Organizations (:mod:`~volunteer_rules.community.organization`) are registered and managed by
region; stations (:mod:`~volunteer_rules.community.station`) connect volunteers, the people
they serve (:mod:`~volunteer_rules.community.person`) and projects
(:mod:`~volunteer_rules.community.project`), whose attendance becomes service records. Pure
domain modules. It imports the matching wing (demands, eligibility, matching) and the rules,
records and values wings.

Example:
    >>> from volunteer_rules.community import ORGANIZATION_STATUSES
    >>> ORGANIZATION_STATUSES
    ('registered', 'suspended', 'deregistered')
"""

from __future__ import annotations

from volunteer_rules.community.organization import (
    ORGANIZATION_CODES,
    ORGANIZATION_KINDS,
    ORGANIZATION_STATUSES,
    Organization,
    OrganizationRegistry,
    dump_organization,
    parse_organization,
    supervising_office,
)
from volunteer_rules.community.person import (
    CONSENT_GIVERS,
    CONSENT_PURPOSES,
    PERSON_CODES,
    Consent,
    Need,
    NeedMatch,
    NeedOffer,
    PersonServed,
    dump_person,
    mask_name,
    need_demand,
    needs_for_volunteer,
    parse_person,
    volunteers_for_need,
)
from volunteer_rules.community.project import (
    ATTENDANCE_CODES,
    ATTENDANCE_KINDS,
    ATTENDANCE_SOURCES,
    CAPTURE_EXTENSION,
    CAPTURE_METHODS,
    SIGN_UP_STATES,
    Attendance,
    AttendanceEvent,
    AttendanceRules,
    Project,
    Roster,
    SignUp,
    Verification,
    attendance_records,
    capture_method,
    dump_attendance_event,
    dump_project,
    parse_attendance_event,
    parse_project,
    sign_up,
    tally_attendance,
    verify_records,
    withdraw,
)
from volunteer_rules.community.station import STATION_CODES, Station, dump_station, parse_station

__all__ = [
    "ATTENDANCE_CODES",
    "ATTENDANCE_KINDS",
    "ATTENDANCE_SOURCES",
    "CAPTURE_EXTENSION",
    "CAPTURE_METHODS",
    "CONSENT_GIVERS",
    "CONSENT_PURPOSES",
    "ORGANIZATION_CODES",
    "ORGANIZATION_KINDS",
    "ORGANIZATION_STATUSES",
    "PERSON_CODES",
    "SIGN_UP_STATES",
    "STATION_CODES",
    "Attendance",
    "AttendanceEvent",
    "AttendanceRules",
    "Consent",
    "Need",
    "NeedMatch",
    "NeedOffer",
    "Organization",
    "OrganizationRegistry",
    "PersonServed",
    "Project",
    "Roster",
    "SignUp",
    "Station",
    "Verification",
    "attendance_records",
    "capture_method",
    "dump_attendance_event",
    "dump_organization",
    "dump_person",
    "dump_project",
    "dump_station",
    "mask_name",
    "need_demand",
    "needs_for_volunteer",
    "parse_attendance_event",
    "parse_organization",
    "parse_person",
    "parse_project",
    "parse_station",
    "sign_up",
    "supervising_office",
    "tally_attendance",
    "verify_records",
    "volunteers_for_need",
    "withdraw",
]
