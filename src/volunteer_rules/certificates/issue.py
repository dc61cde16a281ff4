"""Issuing a certificate: which records are certified, which are refused and why, and signing.

Records are certified only when the issuer recorded them (or is the named successor of the
organization that did), when they are not flagged as something other than volunteer service
(MCA Order 67 Art. 19), and when they count by the library's counting rules on the date of
issue. Sources are the keys of ``docs/sources.md``.

Example:
    >>> from datetime import date
    >>> import volunteer_rules as vr
    >>> from volunteer_rules.certificates.issue import issue_certificate
    >>> from volunteer_rules.testing import examples
    >>> from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD
    >>> issued = issue_certificate([vr.parse_record(examples.SAMPLE_RECORD_PAYLOAD)],
    ...     volunteer=vr.parse_profile(SAMPLE_PROFILE_PAYLOAD), issuer=examples.sample_issuer(),
    ...     as_of=date(2024, 6, 1), number="C-1")
    >>> issued.issued, issued.certificate.service
    (True, Hours(minutes=120))
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Collection, Iterable
from typing import Final

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules.certificates import signing as _signing
from volunteer_rules.certificates._figures import _derive, _records_list
from volunteer_rules.certificates.document import Certificate, _code_of, mask_volunteer_number
from volunteer_rules.certificates.issuer import _ID, Issuer, _text
from volunteer_rules.certificates.signing import SigningKey, signed_statement
from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.records.profile import VolunteerProfile
from volunteer_rules.records.record import ServiceRecord

__all__ = [
    "REFUSAL_CODES",
    "CertificateIssue",
    "Refusal",
    "issue_certificate",
    "sign_certificate",
]

REFUSAL_CODES: Final = (
    "other_organization",
    "not_volunteer_service",
    "not_verified",
    "superseded",
    "overlap",
    "daily_cap",
    "after_as_of",
    "outside_window",
    "other_volunteer",
    "no_certifiable_records",
)
"""Why a record is not certified, or (``no_certifiable_records``) why nothing was issued."""


@masked_repr
@attrs.frozen
class Refusal:
    """Why a record was not certified, or why no certificate was issued.

    Attributes:
        code: one of :data:`REFUSAL_CODES`.
        message: one sentence.
        record_id: the record concerned, or ``None`` for the whole certificate.

    Example:
        >>> Refusal("not_verified", "record r1 is not verified", "r1").code
        'not_verified'
    """

    code: str
    message: str
    record_id: str | None = None


@masked_repr
@attrs.frozen(kw_only=True)
class CertificateIssue:
    """The outcome of :func:`issue_certificate`: the certificate, and what was refused.

    Attributes:
        certificate: the certificate, or ``None`` when nothing could be certified.
        refusals: every record not certified and why; ``no_certifiable_records`` when the
            certificate itself was refused.

    Example:
        >>> CertificateIssue(certificate=None, refusals=()).issued
        False
    """

    certificate: Certificate | None
    refusals: tuple[Refusal, ...]

    @property
    def issued(self) -> bool:
        """Whether a certificate was issued.

        Example:
            >>> from volunteer_rules.testing import examples
            >>> CertificateIssue(certificate=examples.sample_certificate(), refusals=()).issued
            True
        """
        return self.certificate is not None


def issue_certificate(
    records: Iterable[ServiceRecord],
    *,
    volunteer: VolunteerProfile,
    issuer: Issuer,
    as_of: _dt.date,
    number: str,
    since: _dt.date | None = None,
    rule_set: object = None,
    remarks: str = "",
    not_volunteer_service: Collection[str] = (),
    signing_key: SigningKey | None = None,
) -> CertificateIssue:
    """Issue a certificate of the service ``volunteer`` did with ``issuer``.

    Records are certified only when the issuer recorded them (or is the named successor of the
    organization that did), when they are not flagged as something other than volunteer
    service, and when they count by the library's counting rules on ``as_of`` (verified, not
    superseded, no overlap, within the daily cap, on record on ``as_of``, in the window from
    ``since``). Every other record is listed in :attr:`CertificateIssue.refusals` with its
    reason. When no record can be certified, no certificate is issued (refusal
    ``no_certifiable_records``).

    Args:
        records: the volunteer's service records (any organization, any order).
        volunteer: the volunteer's basic information (identity on the certificate).
        issuer: the issuing organization.
        as_of: the date of issue; nothing entered or done after it is certified.
        number: the certificate number (1–64 characters of letters, digits, ``-_.``).
        since: first day of the period to certify (inclusive); ``None`` for all service.
        rule_set: a rule-set id or :class:`~volunteer_rules.RuleSet` to state the star level
            under (the level the certified service reaches, within the window when ``since``
            is given); ``None`` states none.
        remarks: free text printed on the certificate (at most 500 characters).
        not_volunteer_service: ids of records flagged as not volunteer service (MCA Order 67
            Art. 19): never certified.
        signing_key: the issuer's key: the certificate is signed with it
            (:func:`sign_certificate`). ``None``: unsigned.

    Raises:
        InvalidTypeError, InvalidValueError: malformed arguments.

    Example:
        >>> from datetime import date
        >>> import attrs
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing import examples
        >>> from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD
        >>> record = vr.parse_record(examples.SAMPLE_RECORD_PAYLOAD)
        >>> elsewhere = attrs.evolve(record, organization_id="G-other-team")
        >>> issued = vr.issue_certificate([record, elsewhere],
        ...     volunteer=vr.parse_profile(SAMPLE_PROFILE_PAYLOAD),
        ...     issuer=examples.sample_issuer(), as_of=date(2024, 6, 1), number="C-1")
        >>> [(r.code, r.record_id) for r in issued.refusals]
        [('other_organization', 'r-2024-0001')]
    """
    items = _records_list(records)
    if not isinstance(volunteer, VolunteerProfile):
        raise InvalidTypeError("volunteer", "must be a VolunteerProfile")
    if not isinstance(issuer, Issuer):
        raise InvalidTypeError("issuer", "must be an Issuer")
    if not isinstance(as_of, _dt.date) or isinstance(as_of, _dt.datetime):
        raise InvalidTypeError("as_of", "must be a date")
    if since is not None and (not isinstance(since, _dt.date) or isinstance(since, _dt.datetime)):
        raise InvalidTypeError("since", "must be a date or None")
    if since is not None and since > as_of:
        raise InvalidValueError("since", "must not be after as_of")
    number = _text("number", number, max_length=64)
    if not _ID.fullmatch(number):
        raise InvalidValueError("number", "may hold only letters, digits, '-', '_' and '.'")
    remarks = _text("remarks", remarks, max_length=500, empty=True)
    if isinstance(not_volunteer_service, str) or not isinstance(not_volunteer_service, Collection):
        raise InvalidTypeError("not_volunteer_service", "must be a collection of record ids")
    flagged = frozenset(not_volunteer_service)
    if signing_key is not None and not isinstance(signing_key, SigningKey):
        raise InvalidTypeError("signing_key", "must be a SigningKey or None")

    refusals: list[Refusal] = []
    certifiable: list[ServiceRecord] = []
    # Another volunteer's version of one of this volunteer's keys is a conflict, refused once
    # as duplicate_record below (volunteer_rules.rules.versions), not as another's record.
    own_keys = {record.key for record in items if record.volunteer_id == volunteer.volunteer_id}
    for record in items:
        if record.volunteer_id != volunteer.volunteer_id:
            if record.key in own_keys:
                continue
            refusals.append(
                Refusal(
                    "other_volunteer",
                    f"record {record.record_id} belongs to another volunteer",
                    record.record_id,
                )
            )
        elif not issuer.may_certify(record.organization_id):
            refusals.append(
                Refusal(
                    "other_organization",
                    f"record {record.record_id} was recorded by another organization, "
                    "which alone may certify it",
                    record.record_id,
                )
            )
        elif record.record_id in flagged:
            refusals.append(
                Refusal(
                    "not_volunteer_service",
                    f"record {record.record_id} is flagged as not volunteer service",
                    record.record_id,
                )
            )
        else:
            certifiable.append(record)

    # Counted as certify counts them: other volunteers' records of the issuer come along (they
    # never count for this volunteer, but their amendments apply, and a key whose versions
    # name two volunteers is in conflict for both: volunteer_rules.rules.versions).
    context = [
        record
        for record in items
        if record.volunteer_id != volunteer.volunteer_id
        and issuer.may_certify(record.organization_id)
    ]
    figures = _derive(
        certifiable + context,
        volunteer_id=volunteer.volunteer_id,
        as_of=as_of,
        since=since,
        rule_set=rule_set,
        birth_date=volunteer.birth_date,
    )
    mine = {record.key for record in certifiable}
    for reason, organization_id, record_id in figures.reasons:
        if (organization_id, record_id) not in mine:
            continue
        refusals.append(
            Refusal(reason, f"record {record_id} does not count in full: {reason}", record_id)
        )
    if not figures.counted or figures.period_start is None:
        refusals.append(
            Refusal("no_certifiable_records", "no record of this issuer counts on this day")
        )
        return CertificateIssue(certificate=None, refusals=tuple(refusals))
    draft = Certificate(
        number=number,
        issued_on=as_of,
        volunteer_id=mask_volunteer_number(volunteer.volunteer_id),
        volunteer_name=volunteer.name,
        document_kind=volunteer.id_document.kind,
        document_number=volunteer.id_document.masked(),
        issuer=issuer,
        since=since,
        period_start=figures.period_start,
        period_end=as_of,
        service=figures.service,
        activities=figures.activities,
        records=figures.records,
        star_level=figures.star_level,
        remarks=remarks,
        verification_code="",
    )
    certificate = attrs.evolve(draft, verification_code=_code_of(draft))
    if signing_key is not None:
        certificate = sign_certificate(certificate, signing_key)
    return CertificateIssue(certificate=certificate, refusals=tuple(refusals))


def sign_certificate(certificate: Certificate, key: SigningKey) -> Certificate:
    """The certificate signed with the issuer's key (a certificate signed before is re-signed).

    Raises:
        InvalidTypeError: not a certificate or a key.
        InvalidValueError: the key belongs to another organization than the issuer, the
            certificate's content does not match its verification code, or the ``signing``
            extra is not installed.

    Example:
        >>> from volunteer_rules.testing import examples
        >>> key = SigningKey.from_seed(bytes(32), key_id="pj-1",
        ...                            organization_id=examples.SAMPLE_ORGANIZATION_ID)
        >>> signed = sign_certificate(examples.sample_certificate(), key)
        >>> signed.key_id, len(signed.signature)
        ('pj-1', 86)
    """
    if not isinstance(certificate, Certificate):
        raise InvalidTypeError("certificate", "must be a Certificate")
    if not isinstance(key, SigningKey):
        raise InvalidTypeError("key", "must be a SigningKey")
    if key.organization_id != certificate.issuer.organization_id:
        raise InvalidValueError(
            "key", f"key {key.key_id!r} belongs to another organization than the issuer"
        )
    if _code_of(certificate) != certificate.verification_code:
        raise InvalidValueError("certificate", "its content does not match its verification code")
    statement = signed_statement(certificate, key.key_id)
    value = key.sign(_signing._message(statement))
    return attrs.evolve(certificate, key_id=key.key_id, signature=_signing._b64(value))
