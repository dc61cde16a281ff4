"""volunteer_rules: the rules of volunteer service as code.

How service is recorded, how recorded hours become star ratings and awards, how hours are
exchanged for community services (a time bank), and how a volunteer's records move between
regions and organizations without being lost or counted twice.

The domain modules are pure: no I/O, no clock, no environment reads. Time is a parameter.

Example:
    >>> import volunteer_rules as vr
    >>> vr.Hours.from_hours("1.5").minutes
    90
    >>> vr.RegionCode.parse("211100").name
    '盘锦市'
"""

from __future__ import annotations

__version__ = "0.1.0"

# The public names, module by module. Each block is owned by one area of the library.

# --- foundation: errors, hours, regions, records ---
from volunteer_rules.errors import (
    ConflictError,
    FieldError,
    InsufficientHoursError,
    InvalidIdentifierError,
    InvalidTypeError,
    InvalidValueError,
    NotFoundError,
    RecordFormatError,
    RuleSetError,
    StorageError,
    UnknownRuleSetError,
    VolunteerRulesError,
)
from volunteer_rules.hours import Hours
from volunteer_rules.record import (
    FORMAT_VERSION,
    RATINGS,
    SERVICE_CATEGORIES,
    STATUSES,
    Evaluation,
    ServiceRecord,
)
from volunteer_rules.region import REGION_TABLE_SOURCE, RegionCode

__all__ = [
    "FORMAT_VERSION",
    "RATINGS",
    "REGION_TABLE_SOURCE",
    "SERVICE_CATEGORIES",
    "STATUSES",
    "ConflictError",
    "Evaluation",
    "FieldError",
    "Hours",
    "InsufficientHoursError",
    "InvalidIdentifierError",
    "InvalidTypeError",
    "InvalidValueError",
    "NotFoundError",
    "RecordFormatError",
    "RegionCode",
    "RuleSetError",
    "ServiceRecord",
    "StorageError",
    "UnknownRuleSetError",
    "VolunteerRulesError",
    "__version__",
]
# --- end foundation ---

# --- record format (parse_record, dump_record) ---
from volunteer_rules.record import dump_record, parse_record, parse_records

__all__ += ["dump_record", "parse_record", "parse_records"]
# --- end record format ---

# --- identifiers and the volunteer's other record parts ---
from volunteer_rules.identifiers import (
    ORGANIZATION_ENTITY_TYPES,
    REGISTRATION_DEPARTMENTS,
    OrganizationCode,
    ResidentId,
)
from volunteer_rules.profile import (
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
    TrainingRecord,
    VolunteerProfile,
    age_on,
    dump_commendation,
    dump_evaluation_record,
    dump_profile,
    dump_training,
    mask_contact,
    mask_document_number,
    parse_commendation,
    parse_evaluation_record,
    parse_profile,
    parse_training,
)

__all__ += [
    "COMMENDATION_LEVELS",
    "CONSENTS",
    "DOCUMENT_KINDS",
    "GOVERNMENT_LEVELS",
    "ORGANIZATION_ENTITY_TYPES",
    "PARTS_FORMAT_VERSION",
    "REGISTRATION_DEPARTMENTS",
    "SEXES",
    "TRAINING_CATEGORIES",
    "Commendation",
    "EvaluationRecord",
    "IdDocument",
    "OrganizationCode",
    "ResidentId",
    "TrainingRecord",
    "VolunteerProfile",
    "age_on",
    "dump_commendation",
    "dump_evaluation_record",
    "dump_profile",
    "dump_training",
    "mask_contact",
    "mask_document_number",
    "parse_commendation",
    "parse_evaluation_record",
    "parse_profile",
    "parse_training",
]
# --- end identifiers ---

# --- record checks and calendar ---
from volunteer_rules.calendar import (
    CHINA_WORKING_DAYS,
    ChinaWorkingDays,
    WeekdaysOnly,
    WorkingDayCalendar,
    add_working_days,
)
from volunteer_rules.checks import (
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
)

__all__ += [
    "CHINA_WORKING_DAYS",
    "FINDING_CODES",
    "FINDING_SEVERITY",
    "LATE_WORKING_DAYS",
    "ChinaWorkingDays",
    "Finding",
    "RecordCheck",
    "RecordChecker",
    "WeekdaysOnly",
    "WorkingDayCalendar",
    "activity_end_date",
    "add_working_days",
    "check_records",
    "is_late",
    "late_deadline",
    "recorded_date",
]
# --- end record checks ---

# --- rule sets and certification ---
from volunteer_rules.certification import (  # noqa: E402
    Certification,
    GroupCertification,
    certify,
    certify_group,
    certify_many,
)
from volunteer_rules.counting import (  # noqa: E402
    EXCLUSION_REASONS,
    Count,
    RecordOutcome,
    count_many,
    count_records,
)
from volunteer_rules.rule_set import (  # noqa: E402
    NO_LEVEL,
    AgeBand,
    Award,
    GroupRule,
    Level,
    Reference,
    RuleSet,
    RuleSetVersion,
    dump_rule_set,
    rule_set_from_mapping,
)
from volunteer_rules.rulesets import (  # noqa: E402
    RuleSetRegistry,
    get_rule_set,
    rule_set_for_region,
    rule_set_ids,
)

__all__ += [
    "EXCLUSION_REASONS",
    "NO_LEVEL",
    "AgeBand",
    "Award",
    "Certification",
    "Count",
    "GroupCertification",
    "GroupRule",
    "Level",
    "RecordOutcome",
    "Reference",
    "RuleSet",
    "RuleSetRegistry",
    "RuleSetVersion",
    "certify",
    "certify_group",
    "certify_many",
    "count_many",
    "count_records",
    "dump_rule_set",
    "get_rule_set",
    "rule_set_for_region",
    "rule_set_from_mapping",
    "rule_set_ids",
]
# --- end certification ---

# --- time bank ledger and feedback ---
from volunteer_rules.benefits import (
    BENEFITS,
    Benefit,
    BenefitDecision,
    BenefitReason,
    eligible_benefits,
)
from volunteer_rules.ledger import (
    HOLDS,
    ISSUER,
    POOL,
    REDEEMED,
    SYSTEM_ACCOUNTS,
    Ledger,
    LedgerEntry,
    LedgerLimits,
    LedgerTransfer,
    LedgerViolation,
    PostedTransfer,
    check_ledger,
)
from volunteer_rules.statement import Statement, StatementLine, statement
from volunteer_rules.timebank import (
    RELATIONS,
    Beneficiary,
    CatalogService,
    CreditDecision,
    CreditResult,
    ExpiryResult,
    LedgerResult,
    PolicyViolation,
    ServiceCatalog,
    TimeBankPolicy,
    credit_hours,
    credit_records,
    default_catalog,
    donate,
    expire_credits,
    get_time_bank_policy,
    give,
    grant,
    redeem,
    reserve,
    reverse,
    settle,
    time_bank_policy_ids,
    void,
)

__all__ += [
    "BENEFITS",
    "RELATIONS",
    "Beneficiary",
    "Benefit",
    "BenefitDecision",
    "BenefitReason",
    "CatalogService",
    "CreditDecision",
    "CreditResult",
    "ExpiryResult",
    "LedgerResult",
    "PolicyViolation",
    "ServiceCatalog",
    "Statement",
    "StatementLine",
    "TimeBankPolicy",
    "credit_hours",
    "credit_records",
    "default_catalog",
    "donate",
    "eligible_benefits",
    "expire_credits",
    "get_time_bank_policy",
    "give",
    "grant",
    "redeem",
    "reserve",
    "reverse",
    "settle",
    "statement",
    "time_bank_policy_ids",
    "void",
]
__all__ += [
    "HOLDS",
    "ISSUER",
    "POOL",
    "REDEEMED",
    "SYSTEM_ACCOUNTS",
    "Ledger",
    "LedgerEntry",
    "LedgerLimits",
    "LedgerTransfer",
    "LedgerViolation",
    "PostedTransfer",
    "check_ledger",
]
# --- end ledger ---

# --- transfer ---
from volunteer_rules.transfer import (
    GUARDIAN_CONSENT_AGE,
    TRANSFER_VIOLATION_CODES,
    TRANSFER_WARNING_CODES,
    TransferDecision,
    TransferFinding,
    check_transfer,
    service_fingerprint,
)
from volunteer_rules.transfer_conservation import (
    CONSERVATION_CODES,
    ConservationReport,
    check_transfer_conservation,
)
from volunteer_rules.transfer_lifecycle import (
    TRANSFER_STATES,
    Continuation,
    Holding,
    ImportedRecord,
    RecordOrigin,
    Transfer,
    TransferAcceptance,
    TransferEvent,
    TransferredRecord,
    accept_transfer,
    cancel_transfer,
    combined_history,
    expire_transfer,
    initiate_transfer,
    mark_transferred,
    reject_transfer,
    transfer_continuation,
)
from volunteer_rules.transfer_package import (
    PACKAGE_FORMAT_VERSION,
    TransferPackage,
    TransferSummary,
    canonical_package_bytes,
    compute_package_digest,
    create_transfer_package,
    dump_transfer_package,
    parse_transfer_package,
)

__all__ += [
    "CONSERVATION_CODES",
    "GUARDIAN_CONSENT_AGE",
    "PACKAGE_FORMAT_VERSION",
    "TRANSFER_STATES",
    "TRANSFER_VIOLATION_CODES",
    "TRANSFER_WARNING_CODES",
    "ConservationReport",
    "Continuation",
    "Holding",
    "ImportedRecord",
    "RecordOrigin",
    "Transfer",
    "TransferAcceptance",
    "TransferDecision",
    "TransferEvent",
    "TransferFinding",
    "TransferPackage",
    "TransferSummary",
    "TransferredRecord",
    "accept_transfer",
    "cancel_transfer",
    "canonical_package_bytes",
    "check_transfer",
    "check_transfer_conservation",
    "combined_history",
    "compute_package_digest",
    "create_transfer_package",
    "dump_transfer_package",
    "expire_transfer",
    "initiate_transfer",
    "mark_transferred",
    "parse_transfer_package",
    "reject_transfer",
    "service_fingerprint",
    "transfer_continuation",
]
# --- end transfer ---

# --- storage ---
from volunteer_rules.storage import (
    InMemoryLedgerStore,
    InMemoryRecordStore,
    InMemoryTransferStore,
    LedgerStore,
    PackageEvent,
    RecordStore,
    SQLiteDatabase,
    SQLiteLedgerStore,
    SQLiteRecordStore,
    SQLiteTransferStore,
    TransferStore,
)

__all__ += [
    "InMemoryLedgerStore",
    "InMemoryRecordStore",
    "InMemoryTransferStore",
    "LedgerStore",
    "PackageEvent",
    "RecordStore",
    "SQLiteDatabase",
    "SQLiteLedgerStore",
    "SQLiteRecordStore",
    "SQLiteTransferStore",
    "TransferStore",
]
# --- end storage ---

# --- registration, training, matching, statistics ---
from volunteer_rules.demand import (
    Demand,
    Interval,
    Recurrence,
    TimeSlot,
    dump_demand,
    parse_demand,
)
from volunteer_rules.matching import (
    ASSIGNMENT_CODES,
    Assignment,
    Eligibility,
    MatchResult,
    RankedCandidate,
    check_assignment,
    match,
)
from volunteer_rules.registration import (
    REGISTRATION_CODES,
    RegistrationRegistry,
    RegistrationRules,
    check_registration,
    get_registration_rules,
    registration_rule_set_ids,
    registration_rules_for_region,
)
from volunteer_rules.statistics import summarize

__all__ += [
    "ASSIGNMENT_CODES",
    "REGISTRATION_CODES",
    "Assignment",
    "Demand",
    "Eligibility",
    "Interval",
    "MatchResult",
    "RankedCandidate",
    "Recurrence",
    "RegistrationRegistry",
    "RegistrationRules",
    "TimeSlot",
    "check_assignment",
    "check_registration",
    "dump_demand",
    "get_registration_rules",
    "match",
    "parse_demand",
    "registration_rule_set_ids",
    "registration_rules_for_region",
    "summarize",
]
# --- end registration ---

# --- certificates ---
from volunteer_rules.certificate import (
    CERTIFICATE_FORMAT_VERSION,
    REFUSAL_CODES,
    ActivitySummary,
    Certificate,
    CertificateIssue,
    CertificateVerification,
    CertifiedRecord,
    Difference,
    Issuer,
    Refusal,
    StarLevelNote,
    dump_certificate,
    issue_certificate,
    parse_certificate,
    verify_certificate,
)
from volunteer_rules.certificate_render import render_html, render_text

__all__ += [
    "CERTIFICATE_FORMAT_VERSION",
    "REFUSAL_CODES",
    "ActivitySummary",
    "Certificate",
    "CertificateIssue",
    "CertificateVerification",
    "CertifiedRecord",
    "Difference",
    "Issuer",
    "Refusal",
    "StarLevelNote",
    "dump_certificate",
    "issue_certificate",
    "parse_certificate",
    "render_html",
    "render_text",
    "verify_certificate",
]
# --- end certificates ---
