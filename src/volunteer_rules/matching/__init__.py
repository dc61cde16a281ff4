"""The matching wing: registration, service demands, and volunteers matched to them.

Registration and its conditions, demands with their schedules and slots, and the ranking and
assignment checks that match volunteers to slots. It imports the rules, records and values
wings.

Example:
    >>> from volunteer_rules.matching import ASSIGNMENT_CODES
    >>> "schedule_clash" in ASSIGNMENT_CODES
    True
"""

from __future__ import annotations

from volunteer_rules.matching.assignment import (
    ASSIGNMENT_CODES,
    MATCH_COLUMNS,
    Assignment,
    Eligibility,
    MatchResult,
    RankedCandidate,
    Score,
    check_assignment,
    match,
)
from volunteer_rules.matching.demand import (
    MAX_SLOTS,
    Demand,
    Interval,
    Recurrence,
    TimeSlot,
    dump_demand,
    parse_demand,
)
from volunteer_rules.matching.registration import (
    ADULT_AGE,
    CHILD_DATA_AGE,
    CHILD_DATA_FROM,
    DEFAULT_REGISTRATION_REGISTRY,
    ENTRY_CONSENT_FROM,
    REGISTRATION_BINDINGS,
    REGISTRATION_CODES,
    Reason,
    RegistrationRegistry,
    RegistrationRules,
    check_registration,
    cite,
    get_registration_rules,
    registration_rule_set_ids,
    registration_rules_for_region,
)

__all__ = [
    "ADULT_AGE",
    "ASSIGNMENT_CODES",
    "CHILD_DATA_AGE",
    "CHILD_DATA_FROM",
    "DEFAULT_REGISTRATION_REGISTRY",
    "ENTRY_CONSENT_FROM",
    "MATCH_COLUMNS",
    "MAX_SLOTS",
    "REGISTRATION_BINDINGS",
    "REGISTRATION_CODES",
    "Assignment",
    "Demand",
    "Eligibility",
    "Interval",
    "MatchResult",
    "RankedCandidate",
    "Reason",
    "Recurrence",
    "RegistrationRegistry",
    "RegistrationRules",
    "Score",
    "TimeSlot",
    "check_assignment",
    "check_registration",
    "cite",
    "dump_demand",
    "get_registration_rules",
    "match",
    "parse_demand",
    "registration_rule_set_ids",
    "registration_rules_for_region",
]
