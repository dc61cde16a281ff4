"""The transfer wing: a volunteer's records moving between regions and organizations.

The transfer package and its wire form, the destination's check, the lifecycle of a transfer
(initiate, accept, reject, cancel, expire), how a star level continues in the new place, and
the conservation checks that nothing is lost or counted twice. It imports the rules, records
and values wings.

Example:
    >>> from volunteer_rules.transfer import TRANSFER_VIOLATION_CODES
    >>> "consent_missing" in TRANSFER_VIOLATION_CODES
    True
"""

from __future__ import annotations

from volunteer_rules.transfer.check import (
    GUARDIAN_CONSENT_AGE,
    TRANSFER_VIOLATION_CODES,
    TRANSFER_WARNING_CODES,
    TransferDecision,
    TransferFinding,
    check_transfer,
    service_fingerprint,
)
from volunteer_rules.transfer.conservation import (
    CONSERVATION_CODES,
    ConservationReport,
    check_transfer_conservation,
)
from volunteer_rules.transfer.continuation import (
    Continuation,
    transfer_continuation,
)
from volunteer_rules.transfer.holdings import transferable
from volunteer_rules.transfer.lifecycle import (
    TRANSFER_STATES,
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
)
from volunteer_rules.transfer.package import (
    PACKAGE_FORMAT_VERSION,
    TransferPackage,
    TransferSummary,
    canonical_package_bytes,
    compute_package_digest,
    create_transfer_package,
    dump_transfer_package,
    parse_transfer_package,
    unwrap_record,
)
from volunteer_rules.transfer.parts import (
    PART_FIELDS,
    birth_date_of,
    check_parts,
    dump_parts,
    parse_parts,
    part_owners,
    rebase_errors,
)

__all__ = [
    "CONSERVATION_CODES",
    "GUARDIAN_CONSENT_AGE",
    "PACKAGE_FORMAT_VERSION",
    "PART_FIELDS",
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
    "birth_date_of",
    "cancel_transfer",
    "canonical_package_bytes",
    "check_parts",
    "check_transfer",
    "check_transfer_conservation",
    "combined_history",
    "compute_package_digest",
    "create_transfer_package",
    "dump_parts",
    "dump_transfer_package",
    "expire_transfer",
    "initiate_transfer",
    "mark_transferred",
    "parse_parts",
    "parse_transfer_package",
    "part_owners",
    "rebase_errors",
    "reject_transfer",
    "service_fingerprint",
    "transfer_continuation",
    "transferable",
    "unwrap_record",
]
