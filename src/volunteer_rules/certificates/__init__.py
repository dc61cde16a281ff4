"""The certificates wing: certificates of service issued, verified and rendered.

Issuing a certificate from a volunteer's records (MCA Order 67), verifying one against the
records, and rendering it as text or printable HTML. It imports the rules, records and values
wings.

Example:
    >>> from volunteer_rules.certificates import CERTIFICATE_FORMAT_VERSION
    >>> CERTIFICATE_FORMAT_VERSION
    1
"""

from __future__ import annotations

from volunteer_rules.certificates.certificate import (
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
    mask_volunteer_number,
    parse_certificate,
    sign_certificate,
    verify_certificate,
)
from volunteer_rules.certificates.render import (
    QrCheck,
    check_qr_payload,
    qr_payload,
    render_html,
    render_text,
)
from volunteer_rules.certificates.signing import (
    SIGNATURE_ALGORITHM,
    SIGNATURE_STATUSES,
    InMemoryKeyRegistry,
    KeyRegistry,
    PublicKey,
    SigningKey,
    signed_statement,
)

__all__ = [
    "CERTIFICATE_FORMAT_VERSION",
    "REFUSAL_CODES",
    "SIGNATURE_ALGORITHM",
    "SIGNATURE_STATUSES",
    "ActivitySummary",
    "Certificate",
    "CertificateIssue",
    "CertificateVerification",
    "CertifiedRecord",
    "Difference",
    "InMemoryKeyRegistry",
    "Issuer",
    "KeyRegistry",
    "PublicKey",
    "QrCheck",
    "Refusal",
    "SigningKey",
    "StarLevelNote",
    "check_qr_payload",
    "dump_certificate",
    "issue_certificate",
    "mask_volunteer_number",
    "parse_certificate",
    "qr_payload",
    "render_html",
    "render_text",
    "sign_certificate",
    "signed_statement",
    "verify_certificate",
]
