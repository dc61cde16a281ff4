"""The time-bank wing: hours credited, held, spent and given, in an append-only ledger.

The ledger (immutable transfers, idempotent ids, atomic batches, two-phase holds), the
operations a time bank offers on top of it, statements, and the benefits service hours give.
It imports the rules, records and values wings.

Example:
    >>> from volunteer_rules.timebank import Ledger
    >>> Ledger().balance("V1").minutes
    0
"""

from __future__ import annotations

from volunteer_rules.timebank.benefits import (
    BENEFIT_CATEGORIES,
    BENEFITS,
    Benefit,
    BenefitDecision,
    BenefitReason,
    CertificationLike,
    eligible_benefits,
)
from volunteer_rules.timebank.ledger import (
    HOLDS,
    ISSUER,
    KINDS,
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
from volunteer_rules.timebank.operations import (
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
    credit_transfer_id,
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
from volunteer_rules.timebank.statement import (
    Statement,
    StatementLine,
    statement,
)

__all__ = [
    "BENEFITS",
    "BENEFIT_CATEGORIES",
    "HOLDS",
    "ISSUER",
    "KINDS",
    "POOL",
    "REDEEMED",
    "RELATIONS",
    "SYSTEM_ACCOUNTS",
    "Beneficiary",
    "Benefit",
    "BenefitDecision",
    "BenefitReason",
    "CatalogService",
    "CertificationLike",
    "CreditDecision",
    "CreditResult",
    "ExpiryResult",
    "Ledger",
    "LedgerEntry",
    "LedgerLimits",
    "LedgerResult",
    "LedgerTransfer",
    "LedgerViolation",
    "PolicyViolation",
    "PostedTransfer",
    "ServiceCatalog",
    "Statement",
    "StatementLine",
    "TimeBankPolicy",
    "check_ledger",
    "credit_hours",
    "credit_records",
    "credit_transfer_id",
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
