"""What a certificate states: the volunteer, the issuer, the period, the service and its records.

A certificate is a value derived only from records (see :mod:`volunteer_rules.certificates`).
Its verification code is the SHA-256 of its content: every printed figure and the records it was
made from.

Example:
    >>> from volunteer_rules.certificates.document import Certificate, mask_volunteer_number
    >>> mask_volunteer_number("V0000001"), Certificate.short_code_of("00" * 32)
    ('V******1', '0000-0000-0000-0000')
"""

from __future__ import annotations

import base64
import datetime as _dt
from typing import Any, Final

import attrs

from volunteer_rules._canonical import sha256_hex
from volunteer_rules._privacy import masked_repr
from volunteer_rules.certificates.issuer import Issuer
from volunteer_rules.hours import Hours
from volunteer_rules.records.profile import mask_document_number
from volunteer_rules.records.record import SERVICE_CATEGORIES, ServiceRecord, dump_record

__all__ = [
    "CERTIFICATE_FORMAT_VERSION",
    "ActivitySummary",
    "Certificate",
    "CertifiedRecord",
    "StarLevelNote",
    "mask_volunteer_number",
]

CERTIFICATE_FORMAT_VERSION: Final = 1
"""Version of the certificate's JSON form."""
_CROCKFORD: Final = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
)


@masked_repr
@attrs.frozen(kw_only=True)
class ActivitySummary:
    """Service content summarised per category: how many activities and how much time.

    Example:
        >>> ActivitySummary(category="education", activities=2, service=Hours(90)).label
        '支教助学'
    """

    category: str
    activities: int
    service: Hours

    @property
    def label(self) -> str:
        """The category's Chinese label (the code itself for an integrator's category).

        Example:
            >>> ActivitySummary(category="x-own", activities=1, service=Hours(5)).label
            'x-own'
        """
        return SERVICE_CATEGORIES.get(self.category, self.category)


@masked_repr
@attrs.frozen(kw_only=True)
class CertifiedRecord:
    """One record a certificate was made from, by key, counted minutes and content digest.

    Attributes:
        organization_id: the recording organization.
        record_id: the record's id.
        minutes: the minutes of it that were counted.
        digest: SHA-256 of the record's canonical record-format form.

    Example:
        >>> CertifiedRecord(organization_id="G-x", record_id="r1", minutes=60, digest="0" * 64).key
        ('G-x', 'r1')
    """

    organization_id: str
    record_id: str
    minutes: int
    digest: str

    @property
    def key(self) -> tuple[str, str]:
        """``(organization_id, record_id)``.

        Example:
            >>> CertifiedRecord(organization_id="G-x", record_id="r", minutes=1, digest="").key
            ('G-x', 'r')
        """
        return (self.organization_id, self.record_id)


@masked_repr
@attrs.frozen(kw_only=True)
class StarLevelNote:
    """The star level stated on a certificate, under a named rule set and version.

    The level is the one the certified records reach under the rule set: this issuer's, and on
    a certificate with a window (``since``) only those inside it. A certificate speaks only of
    the service it certifies; verification recomputes the level from the same records.

    Example:
        >>> StarLevelNote(rule_set_id="cn-national", rule_set_version="2012", rank=1,
        ...     name="one_star", label="一星").rank
        1
    """

    rule_set_id: str
    rule_set_version: str
    rank: int
    name: str
    label: str


@masked_repr
@attrs.frozen(kw_only=True)
class Certificate:
    """A service record certificate: derived from records, printable, verifiable.

    Attributes:
        number: the certificate number.
        issued_on: the date of issue (the ``as_of`` day of the count).
        volunteer_id: the volunteer's number, MASKED like a document number (first and last
            character kept): a certificate never prints it in full.
        volunteer_name: the volunteer's name.
        document_kind: the ID document's type (``resident_id``, ``passport``…).
        document_number: the document number, MASKED (the full number never appears).
        issuer: the issuing organization.
        since: the first day of the window asked for, or ``None`` for all service.
        period_start: first day of the period covered (``since``, or the earliest counted
            service when no window was asked for).
        period_end: last day of the period covered (the issue date).
        service: the counted service time.
        activities: the service content, per category.
        records: the records counted, with their digests.
        star_level: a star level under a named rule set, when asked for.
        remarks: free text.
        verification_code: SHA-256 of the certificate's canonical content (every printed
            figure and the records it came from). Anyone can compute it: it detects a change,
            it proves nothing; the signature does.
        key_id: the id of the issuer's key that signed it, or ``None`` when unsigned.
        signature: the issuer's Ed25519 signature of the signed statement
            (:func:`~volunteer_rules.certificates.signing.signed_statement`), URL-safe base64,
            or ``None`` when unsigned.

    Example:
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing import examples
        >>> certificate = examples.sample_certificate()
        >>> certificate.short_code == vr.Certificate.short_code_of(certificate.verification_code)
        True
    """

    number: str
    issued_on: _dt.date
    volunteer_id: str
    volunteer_name: str
    document_kind: str
    document_number: str
    issuer: Issuer
    since: _dt.date | None
    period_start: _dt.date
    period_end: _dt.date
    service: Hours
    activities: tuple[ActivitySummary, ...]
    records: tuple[CertifiedRecord, ...]
    star_level: StarLevelNote | None
    remarks: str
    verification_code: str
    key_id: str | None = None
    signature: str | None = None

    @property
    def signed(self) -> bool:
        """Whether the certificate carries a signature (checked by :func:`verify_certificate`).

        Example:
            >>> from volunteer_rules.testing import examples
            >>> examples.sample_certificate().signed
            False
        """
        return self.signature is not None

    @property
    def fee(self) -> int:
        """The fee charged: always 0 (志愿服务条例 Art. 19; MCA Order 67 Art. 14).

        Example:
            >>> from volunteer_rules.testing import examples
            >>> examples.sample_certificate().fee
            0
        """
        return 0

    @property
    def short_code(self) -> str:
        """The verification code as text a person can type: 16 Crockford base-32 characters.

        Example:
            >>> from volunteer_rules.testing import examples
            >>> len(examples.sample_certificate().short_code)
            19
        """
        return self.short_code_of(self.verification_code)

    @staticmethod
    def short_code_of(verification_code: str) -> str:
        """The short form of a full verification code (its first 80 bits, grouped by four).

        Example:
            >>> Certificate.short_code_of("00" * 32)
            '0000-0000-0000-0000'
        """
        raw = bytes.fromhex(verification_code[:20])
        text = base64.b32encode(raw).decode("ascii").translate(_CROCKFORD)
        return "-".join(text[i : i + 4] for i in range(0, 16, 4))


def _record_digest(record: ServiceRecord) -> str:
    return sha256_hex(dump_record(record))


def _content(certificate: Certificate) -> dict[str, Any]:
    """The certificate's JSON form without its verification code (what the code covers)."""
    issuer = certificate.issuer
    body: dict[str, Any] = {
        "format_version": CERTIFICATE_FORMAT_VERSION,
        "number": certificate.number,
        "issued_on": certificate.issued_on.isoformat(),
        "volunteer": {
            "volunteer_id": certificate.volunteer_id,
            "name": certificate.volunteer_name,
            "document_kind": certificate.document_kind,
            "document_number": certificate.document_number,
        },
        "issuer": {
            "organization_id": issuer.organization_id,
            "name": issuer.name,
            "responsible_person": issuer.responsible_person,
            "handler": issuer.handler,
            "contact": issuer.contact,
            "successor_of": sorted(issuer.successor_of),
        },
        "period_start": certificate.period_start.isoformat(),
        "period_end": certificate.period_end.isoformat(),
        "service_minutes": certificate.service.minutes,
        "fee": 0,
        "activities": [
            {
                "category": a.category,
                "activities": a.activities,
                "service_minutes": a.service.minutes,
            }
            for a in certificate.activities
        ],
        "records": [
            {
                "organization_id": r.organization_id,
                "record_id": r.record_id,
                "minutes": r.minutes,
                "digest": r.digest,
            }
            for r in certificate.records
        ],
        "remarks": certificate.remarks,
    }
    if certificate.since is not None:
        body["since"] = certificate.since.isoformat()
    if certificate.star_level is not None:
        level = certificate.star_level
        body["star_level"] = {
            "rule_set_id": level.rule_set_id,
            "rule_set_version": level.rule_set_version,
            "rank": level.rank,
            "name": level.name,
            "label": level.label,
        }
    return body


def _code_of(certificate: Certificate) -> str:
    return sha256_hex(_content(certificate))


def mask_volunteer_number(volunteer_id: str) -> str:
    """A volunteer number as a certificate prints it: first and last character kept.

    Numbers of fewer than six characters are all stars; the length is kept.

    Example:
        >>> mask_volunteer_number("V0000001"), mask_volunteer_number("V12")
        ('V******1', '***')
    """
    return mask_document_number("other", volunteer_id)
