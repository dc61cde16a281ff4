"""The records wing: what a volunteer and a piece of service are, and how they are written.

Identifiers (resident ID numbers, credit codes, region codes), the GB/T 2260 region tree, the
service record of format v1 with its JSON Schema, the volunteer profile, and the working-day
calendar. This wing imports only the values beneath it (:mod:`volunteer_rules.errors`,
:mod:`volunteer_rules.hours`).

Example:
    >>> from volunteer_rules.records import RegionCode
    >>> RegionCode.parse("211103").parent.name
    '盘锦市'
"""

from __future__ import annotations

from volunteer_rules.records.calendar import (
    CHINA_WORKING_DAYS,
    ChinaWorkingDays,
    WeekdaysOnly,
    WorkingDayCalendar,
    add_working_days,
    calendar_version,
)
from volunteer_rules.records.identifiers import (
    ORGANIZATION_ENTITY_TYPES,
    REGISTRATION_DEPARTMENTS,
    OrganizationCode,
    ResidentId,
    Sex,
)
from volunteer_rules.records.profile import (
    COMMENDATION_LEVELS,
    CONSENTS,
    DOCUMENT_KINDS,
    GOVERNMENT_LEVELS,
    PARTS_FORMAT_VERSION,
    SEXES,
    TRAINING_CATEGORIES,
    Commendation,
    EvaluationRecord,
    IdDocument,
    MaskedProfile,
    TrainingRecord,
    VolunteerProfile,
    age_on,
    dump_commendation,
    dump_evaluation_record,
    dump_masked_profile,
    dump_profile,
    dump_training,
    mask_contact,
    mask_document_number,
    mask_profile,
    parse_commendation,
    parse_evaluation_record,
    parse_masked_profile,
    parse_profile,
    parse_training,
)
from volunteer_rules.records.record import (
    FIELDS,
    FORMAT_VERSION,
    MAX_EXTENSION_DEPTH,
    MAX_YEAR,
    MIN_YEAR,
    RATINGS,
    REQUIRED_FIELDS,
    SERVICE_CATEGORIES,
    STATUSES,
    Evaluation,
    ServiceRecord,
    dump_record,
    parse_record,
    parse_records,
)
from volunteer_rules.records.region import (
    REGION_TABLE_SOURCE,
    RegionCode,
    RegionLevel,
)

__all__ = [
    "CHINA_WORKING_DAYS",
    "COMMENDATION_LEVELS",
    "CONSENTS",
    "DOCUMENT_KINDS",
    "FIELDS",
    "FORMAT_VERSION",
    "GOVERNMENT_LEVELS",
    "MAX_EXTENSION_DEPTH",
    "MAX_YEAR",
    "MIN_YEAR",
    "ORGANIZATION_ENTITY_TYPES",
    "PARTS_FORMAT_VERSION",
    "RATINGS",
    "REGION_TABLE_SOURCE",
    "REGISTRATION_DEPARTMENTS",
    "REQUIRED_FIELDS",
    "SERVICE_CATEGORIES",
    "SEXES",
    "STATUSES",
    "TRAINING_CATEGORIES",
    "ChinaWorkingDays",
    "Commendation",
    "Evaluation",
    "EvaluationRecord",
    "IdDocument",
    "MaskedProfile",
    "OrganizationCode",
    "RegionCode",
    "RegionLevel",
    "ResidentId",
    "ServiceRecord",
    "Sex",
    "TrainingRecord",
    "VolunteerProfile",
    "WeekdaysOnly",
    "WorkingDayCalendar",
    "add_working_days",
    "age_on",
    "calendar_version",
    "dump_commendation",
    "dump_evaluation_record",
    "dump_masked_profile",
    "dump_profile",
    "dump_record",
    "dump_training",
    "mask_contact",
    "mask_document_number",
    "mask_profile",
    "parse_commendation",
    "parse_evaluation_record",
    "parse_masked_profile",
    "parse_profile",
    "parse_record",
    "parse_records",
    "parse_training",
]
