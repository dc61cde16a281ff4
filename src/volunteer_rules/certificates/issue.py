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

from volunteer_rules._privacy import mask_personal_data, masked_repr
from volunteer_rules._validate import masked_message
from volunteer_rules.certificates import signing as _signing
from volunteer_rules.certificates._figures import _derive, _Figures, _records_list
from volunteer_rules.certificates.document import (
    Certificate,
    _code_of,
    mask_volunteer_number,
)
from volunteer_rules.certificates.issuer import Issuer, _text
from volunteer_rules.certificates.signing import SigningKey, signed_statement
from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.records.profile import VolunteerProfile
from volunteer_rules.records.profile_parts import _ID_PATTERN
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
    "rule_set_not_in_force",
)
"""Why a record is not certified, or (``no_certifiable_records``, ``rule_set_not_in_force``)
why nothing was issued."""


@masked_repr
@attrs.frozen
class Refusal:
    """Why a record was not certified, or why no certificate was issued.

    Attributes:
        code: one of :data:`REFUSAL_CODES`.
        message: one sentence; an ID number or a personal contact in it (a record id that is
            one, wrongly) is masked, ``record_id`` keeps the id as given.
        record_id: the record concerned, or ``None`` for the whole certificate.

    Example:
        >>> Refusal("not_verified", "record r1 is not verified", "r1").code
        'not_verified'
        >>> Refusal("not_verified", "record 13812345678 is not verified").message
        'record 138****5678 is not verified'
    """

    code: str
    message: str = attrs.field(converter=masked_message)
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
        volunteer: the volunteer's basic information (identity on the certificate; an ID
            number or a personal contact written into the name is printed masked).
        issuer: the issuing organization. The certificate prints it with ID numbers and
            personal contacts (mobile numbers, e-mail addresses) masked, as every output of
            the library does: its verification code covers what is printed.
        as_of: the date of issue; nothing entered or done after it is certified.
        number: the certificate number (1–64 characters of letters, digits, ``-_.``; not a
            resident ID number or a mobile number).
        since: first day of the period to certify (inclusive); ``None`` for all service.
        rule_set: a rule-set id or :class:`~volunteer_rules.RuleSet` to state the star level
            under (the level the certified service reaches, within the window when ``since``
            is given); ``None`` states none. When no version of it is in force on ``as_of``
            (not yet, retired, paused), no certificate is issued: the refusal
            ``rule_set_not_in_force`` says why, as ``certify`` does.
        remarks: free text printed on the certificate (at most 500 characters), ID numbers
            and personal contacts in it masked.
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
    number, remarks, flagged = _checked_arguments(
        volunteer=volunteer,
        issuer=issuer,
        as_of=as_of,
        since=since,
        number=number,
        remarks=remarks,
        not_volunteer_service=not_volunteer_service,
        signing_key=signing_key,
    )
    refusals, certifiable = _certifiable_records(items, volunteer.volunteer_id, issuer, flagged)
    figures = _derive(
        certifiable + _context(items, volunteer.volunteer_id, issuer),
        volunteer_id=volunteer.volunteer_id,
        as_of=as_of,
        since=since,
        rule_set=rule_set,
        birth_date=volunteer.birth_date,
    )
    refusals.extend(_counting_refusals(figures, certifiable))
    if not figures.counted or figures.period_start is None:
        refusals.append(
            Refusal("no_certifiable_records", "no record of this issuer counts on this day")
        )
        return CertificateIssue(certificate=None, refusals=tuple(refusals))
    if figures.star_refused is not None:  # a level under no version would be no level at all
        refusals.append(Refusal("rule_set_not_in_force", figures.star_refused))
        return CertificateIssue(certificate=None, refusals=tuple(refusals))
    certificate = _certificate(
        figures,
        figures.period_start,
        number=number,
        volunteer=volunteer,
        issuer=_as_printed(issuer),
        as_of=as_of,
        since=since,
        remarks=remarks,
    )
    if signing_key is not None:
        certificate = sign_certificate(certificate, signing_key)
    return CertificateIssue(certificate=certificate, refusals=tuple(refusals))


def _as_printed(issuer: Issuer) -> Issuer:
    """The issuer as the certificate prints it: ID numbers and personal contacts masked.

    A certificate's content is fixed by its verification code (and signature), so it is masked
    when it is made, once: a mobile number or e-mail address given as the contact (or written
    into a name) is printed masked (``138****5678``), and the code covers what is printed. A
    landline (``0427-2812345``), the contact the guide expects, is printed as given.
    """
    return attrs.evolve(
        issuer,
        name=mask_personal_data(issuer.name),
        responsible_person=mask_personal_data(issuer.responsible_person),
        handler=mask_personal_data(issuer.handler),
        contact=mask_personal_data(issuer.contact),
    )


def _checked_arguments(
    *,
    volunteer: VolunteerProfile,
    issuer: Issuer,
    as_of: _dt.date,
    since: _dt.date | None,
    number: str,
    remarks: str,
    not_volunteer_service: Collection[str],
    signing_key: SigningKey | None,
) -> tuple[str, str, frozenset[str]]:
    """The number and remarks as printed and the flagged record ids; raises on a bad argument."""
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
    if not _ID_PATTERN.fullmatch(number):  # the record format's ids
        raise InvalidValueError("number", "may hold only letters, digits, '-', '_' and '.'")
    if mask_personal_data(number) != number:
        raise InvalidValueError("number", "must not be a resident ID number or a phone number")
    remarks = mask_personal_data(_text("remarks", remarks, max_length=500, empty=True))
    if isinstance(not_volunteer_service, str) or not isinstance(not_volunteer_service, Collection):
        raise InvalidTypeError("not_volunteer_service", "must be a collection of record ids")
    flagged = frozenset(not_volunteer_service)
    if signing_key is not None and not isinstance(signing_key, SigningKey):
        raise InvalidTypeError("signing_key", "must be a SigningKey or None")
    return number, remarks, flagged


def _certifiable_records(
    items: list[ServiceRecord], volunteer_id: str, issuer: Issuer, flagged: frozenset[str]
) -> tuple[list[Refusal], list[ServiceRecord]]:
    """The refusals before counting, and the volunteer's records this issuer may certify."""
    refusals: list[Refusal] = []
    certifiable: list[ServiceRecord] = []
    # Another volunteer's version of one of this volunteer's keys is a conflict, refused once
    # as duplicate_record when counting (volunteer_rules.rules.versions), not as another's record.
    own_keys = {record.key for record in items if record.volunteer_id == volunteer_id}
    for record in items:
        if record.volunteer_id != volunteer_id and record.key in own_keys:
            continue
        refusal = _refusal_before_counting(record, volunteer_id, issuer, flagged)
        if refusal is None:
            certifiable.append(record)
        else:
            refusals.append(refusal)
    return refusals, certifiable


def _refusal_before_counting(
    record: ServiceRecord, volunteer_id: str, issuer: Issuer, flagged: frozenset[str]
) -> Refusal | None:
    """Why a record may not be certified whatever it counts: whose it is, who recorded it, what."""
    if record.volunteer_id != volunteer_id:
        return Refusal(
            "other_volunteer",
            f"record {record.record_id} belongs to another volunteer",
            record.record_id,
        )
    if not issuer.may_certify(record.organization_id):
        return Refusal(
            "other_organization",
            f"record {record.record_id} was recorded by another organization, "
            "which alone may certify it",
            record.record_id,
        )
    if record.record_id in flagged:
        return Refusal(
            "not_volunteer_service",
            f"record {record.record_id} is flagged as not volunteer service",
            record.record_id,
        )
    return None


def _context(items: list[ServiceRecord], volunteer_id: str, issuer: Issuer) -> list[ServiceRecord]:
    """Other volunteers' records of the issuer, counted along as certify counts them.

    They never count for this volunteer, but their amendments apply, and a key whose versions
    name two volunteers is in conflict for both (volunteer_rules.rules.versions).
    """
    return [
        record
        for record in items
        if record.volunteer_id != volunteer_id and issuer.may_certify(record.organization_id)
    ]


def _counting_refusals(figures: _Figures, certifiable: list[ServiceRecord]) -> list[Refusal]:
    """The volunteer's certifiable records that the counting rules do not count in full."""
    mine = {record.key for record in certifiable}
    return [
        Refusal(reason, f"record {record_id} does not count in full: {reason}", record_id)
        for reason, organization_id, record_id in figures.reasons
        if (organization_id, record_id) in mine
    ]


def _certificate(
    figures: _Figures,
    period_start: _dt.date,
    *,
    number: str,
    volunteer: VolunteerProfile,
    issuer: Issuer,
    as_of: _dt.date,
    since: _dt.date | None,
    remarks: str,
) -> Certificate:
    """The certificate that states the figures, with its verification code (unsigned)."""
    draft = Certificate(
        number=number,
        issued_on=as_of,
        volunteer_id=mask_volunteer_number(volunteer.volunteer_id),
        volunteer_name=mask_personal_data(volunteer.name),
        document_kind=volunteer.id_document.kind,
        document_number=volunteer.id_document.masked(),
        issuer=issuer,
        since=since,
        period_start=period_start,
        period_end=as_of,
        service=figures.service,
        activities=figures.activities,
        records=figures.records,
        star_level=figures.star_level,
        remarks=remarks,
        verification_code="",
    )
    return attrs.evolve(draft, verification_code=_code_of(draft))


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
