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

from volunteer_rules.community.attendance import (
    ATTENDANCE_CODES,
    ATTENDANCE_KINDS,
    ATTENDANCE_SOURCES,
    Attendance,
    AttendanceEvent,
    dump_attendance_event,
    parse_attendance_event,
    tally_attendance,
)
from volunteer_rules.community.need_matching import (
    NeedMatch,
    NeedOffer,
    needs_for_volunteer,
    volunteers_for_need,
)
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
    PersonServed,
    dump_person,
    mask_name,
    need_demand,
    parse_person,
)
from volunteer_rules.community.project import (
    SIGN_UP_STATES,
    AttendanceRules,
    Project,
    Roster,
    SignUp,
    check_roster,
    dump_project,
    parse_project,
    sign_up,
    withdraw,
)
from volunteer_rules.community.recording import (
    CAPTURE_EXTENSION,
    CAPTURE_METHODS,
    Verification,
    attendance_records,
    capture_method,
    verify_records,
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
    "check_roster",
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
