"""The rules wing: which service counts, and what counted service earns.

Counting (verified records, amendments, overlaps, the daily cap), the record checks of MCA
Order 67, rule sets as versioned data with the built-in schemes, and certification. It imports
the records wing and the values; every capability above it calls these rules rather than
writing its own.

Example:
    >>> from volunteer_rules.rules import rule_set_ids
    >>> "cn-national" in rule_set_ids()
    True
"""

from __future__ import annotations

from volunteer_rules.rules.certification import (
    REASON_TEXTS,
    Certification,
    GroupCertification,
    certify,
    certify_group,
    certify_many,
)
from volunteer_rules.rules.checks import (
    FINDING_CODES,
    FINDING_SEVERITY,
    LATE_WORKING_DAYS,
    Finding,
    RecordCheck,
    RecordChecker,
    activity_end_date,
    check_records,
    is_late,
    late_deadline,
    recorded_date,
    version_order,
)
from volunteer_rules.rules.counting import (
    DAILY_CAP_MINUTES,
    EXCLUSION_REASONS,
    Count,
    RecordOutcome,
    count_many,
    count_records,
    majority_volunteer,
)
from volunteer_rules.rules.rule_set import (
    NO_LEVEL,
    WINDOWS,
    AgeBand,
    Award,
    GroupRule,
    Level,
    Reference,
    RuleSet,
    RuleSetVersion,
    Volunteer,
    add_months,
    age_on,
    dump_rule_set,
    rule_set_from_mapping,
    window_start,
)
from volunteer_rules.rules.schemes import (
    BUILTIN_MODULES,
    DEFAULT_REGISTRY,
    REGION_BINDINGS,
    RuleSetRegistry,
    get_rule_set,
    rule_set_for_region,
    rule_set_ids,
)

__all__ = [
    "BUILTIN_MODULES",
    "DAILY_CAP_MINUTES",
    "DEFAULT_REGISTRY",
    "EXCLUSION_REASONS",
    "FINDING_CODES",
    "FINDING_SEVERITY",
    "LATE_WORKING_DAYS",
    "NO_LEVEL",
    "REASON_TEXTS",
    "REGION_BINDINGS",
    "WINDOWS",
    "AgeBand",
    "Award",
    "Certification",
    "Count",
    "Finding",
    "GroupCertification",
    "GroupRule",
    "Level",
    "RecordCheck",
    "RecordChecker",
    "RecordOutcome",
    "Reference",
    "RuleSet",
    "RuleSetRegistry",
    "RuleSetVersion",
    "Volunteer",
    "activity_end_date",
    "add_months",
    "age_on",
    "certify",
    "certify_group",
    "certify_many",
    "check_records",
    "count_many",
    "count_records",
    "dump_rule_set",
    "get_rule_set",
    "is_late",
    "late_deadline",
    "majority_volunteer",
    "recorded_date",
    "rule_set_for_region",
    "rule_set_from_mapping",
    "rule_set_ids",
    "version_order",
    "window_start",
]
