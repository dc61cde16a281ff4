"""Service record certificates (志愿服务记录证明): issue, verify, and the JSON form.

A certificate is a value derived only from records. The rules it follows:

- Only the organization that recorded the service certifies it (谁记录谁证明, [GUIDE2015]);
  when an organization has merged or dissolved, its successor or superior issues instead
  ([GUIDE2015]): name it in :attr:`Issuer.successor_of`.
- Free of charge and truthful (State Council 志愿服务条例 Art. 19 [REG2017]; MCA Order 67
  Art. 14 [MCA2020]): :attr:`Certificate.fee` is always zero.
- It states service time, service content and the recording unit (MCA Order 67 Art. 15);
  following 民发〔2015〕149号 [GUIDE2015] it also states the volunteer's identity (name, ID
  document type and masked number, volunteer number), the issuer (name, credit code,
  responsible person, handler, contact), the certificate number, the date of issue and remarks.
- Only verified records count, by the same rules certification uses
  (:mod:`volunteer_rules.rules.counting`); activities that are not volunteer service must not be
  certified (MCA Order 67 Art. 19).
- Anyone can verify it (MCA Order 67 Art. 17): a verification code is derived from the
  certificate's content and the exact records it was made from; :func:`verify_certificate`
  says whether the certificate still matches the records held now, and what differs.

Sources are the keys of ``docs/sources.md`` ([REG2017], [MCA2020], [GUIDE2015]).

Example:
    >>> from datetime import date
    >>> import volunteer_rules as vr
    >>> from volunteer_rules.testing import examples
    >>> record = vr.parse_record(examples.SAMPLE_RECORD_PAYLOAD)
    >>> from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD
    >>> issuer = vr.Issuer(organization_id=record.organization_id, name="盘锦市青年志愿者协会",
    ...     responsible_person="张伟", handler="李雷", contact="0427-1234567")
    >>> volunteer = vr.parse_profile(SAMPLE_PROFILE_PAYLOAD)
    >>> issued = vr.issue_certificate([record], volunteer=volunteer, issuer=issuer,
    ...     as_of=date(2024, 6, 1), number="PJ-2024-0001")
    >>> issued.certificate.service, issued.certificate.fee, issued.refusals
    (Hours(minutes=120), 0, ())
    >>> vr.verify_certificate(issued.certificate, [record]).valid
    True
"""

from __future__ import annotations

import base64
import datetime as _dt
import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any, Final

import attrs

from volunteer_rules._canonical import sha256_hex
from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import items_of
from volunteer_rules.certificates import signing as _signing
from volunteer_rules.certificates.signing import KeyRegistry, SigningKey, signed_statement
from volunteer_rules.errors import (
    FieldError,
    InvalidTypeError,
    InvalidValueError,
    RecordFormatError,
    VolunteerRulesError,
)
from volunteer_rules.hours import Hours
from volunteer_rules.records.identifiers import OrganizationCode
from volunteer_rules.records.profile import VolunteerProfile, mask_contact, mask_document_number
from volunteer_rules.records.record import SERVICE_CATEGORIES, ServiceRecord, dump_record
from volunteer_rules.rules.counting import count_records
from volunteer_rules.rules.versions import resolve_versions

__all__ = [
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
    "mask_volunteer_number",
    "parse_certificate",
    "sign_certificate",
    "verify_certificate",
]

CERTIFICATE_FORMAT_VERSION: Final = 1
"""Version of the certificate's JSON form."""

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

_ID: Final = re.compile(r"[A-Za-z0-9._-]{1,64}")
_CROCKFORD: Final = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
)


def _text(what: str, value: object, *, max_length: int = 200, empty: bool = False) -> str:
    if not isinstance(value, str):
        raise InvalidTypeError(what, f"must be a str, not {type(value).__name__}")
    value = value.strip()
    if not value and not empty:
        raise InvalidValueError(what, "must not be empty")
    if len(value) > max_length:
        raise InvalidValueError(what, f"must be at most {max_length} characters")
    return value


def _organization_id(what: str, value: object) -> str:
    if not isinstance(value, str):
        raise InvalidTypeError(what, f"must be a str, not {type(value).__name__}")
    if value.startswith("G-") and _ID.fullmatch(value[2:]) and len(value) <= 64:
        return value
    try:
        return OrganizationCode.parse(value).code
    except VolunteerRulesError:
        raise InvalidValueError(
            what, "must be a unified social credit code or G- followed by an id"
        ) from None


def _check_org(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    _organization_id(attribute.name, value)


def _check_text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    _text(attribute.name, value)


def _frozen(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidTypeError("successor_of", "must be a collection of organization ids")
    return frozenset(value)


def _check_successors(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, frozenset):
        raise InvalidTypeError(attribute.name, "must be a frozenset of organization ids")
    for item in value:
        _organization_id(attribute.name, item)


@masked_repr
@attrs.frozen(kw_only=True)
class Issuer:
    """The organization that issues a certificate, and the people who sign for it.

    Attributes:
        organization_id: its unified social credit code (or ``G-…`` for an unregistered group).
        name: its name.
        responsible_person: its responsible person (负责人).
        handler: who handled the certificate (经办人).
        contact: a contact for verification; masked in ``repr``.
        successor_of: organizations whose records this one may certify because they merged
            into it or were dissolved under it ([GUIDE2015]).

    Example:
        >>> issuer = Issuer(organization_id="512111005000000154", name="盘锦市青年志愿者协会",
        ...     responsible_person="张伟", handler="李雷", contact="13812345678")
        >>> "13812345678" in repr(issuer)
        False
    """

    organization_id: str = attrs.field(validator=_check_org)
    name: str = attrs.field(validator=_check_text)
    responsible_person: str = attrs.field(validator=_check_text)
    handler: str = attrs.field(validator=_check_text)
    contact: str = attrs.field(validator=_check_text, repr=mask_contact)
    successor_of: frozenset[str] = attrs.field(
        default=frozenset(), converter=_frozen, validator=_check_successors
    )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # Hypothesis and IPython pretty-print attrs classes field by field, which would
        # bypass the masking repr: print the repr instead.
        printer.text(repr(self))

    def may_certify(self, organization_id: str) -> bool:
        """Whether records of ``organization_id`` are this issuer's to certify.

        Example:
            >>> issuer = Issuer(organization_id="512111005000000154", name="协会",
            ...     responsible_person="张伟", handler="李雷", contact="0427-1234567",
            ...     successor_of={"G-old-team"})
            >>> issuer.may_certify("G-old-team"), issuer.may_certify("G-other")
            (True, False)
        """
        return organization_id == self.organization_id or organization_id in self.successor_of


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


@masked_repr
@attrs.frozen
class Difference:
    """One way a certificate is not what its records and its issuer's signature prove.

    Codes:

    - ``content_altered``: the content does not match the verification code, or cannot be
      true (a period that starts after the issue date);
    - the printed figures recomputed from the records: ``hours_changed`` (total service
      time), ``record_minutes_differ`` (a certified record's minutes), ``activities_differ``
      (the per-category summary), ``period_differs`` (first or last day), ``star_level_differs``;
    - the records: ``record_removed``, ``record_changed`` (its content differs from the
      digest), ``record_amended`` (another record now amends it), ``records_conflict`` (the
      records held cannot be counted: one key with two contents);
    - the signature, when a key registry is given: ``unsigned``, ``unknown_key``,
      ``key_of_another_issuer``, ``key_not_yet_valid``, ``key_retired``, ``key_revoked``,
      ``signature_invalid`` (see
      :data:`~volunteer_rules.certificates.signing.SIGNATURE_STATUSES`).

    Example:
        >>> Difference("record_removed", "record r1 is no longer held", "r1").code
        'record_removed'
    """

    code: str
    message: str
    record_id: str | None = None


@masked_repr
@attrs.frozen(kw_only=True)
class CertificateVerification:
    """The outcome of :func:`verify_certificate`: every difference found, and what was checked.

    Attributes:
        differences: every difference, each with a code and a sentence.
        signature: the signature's status, one of
            :data:`~volunteer_rules.certificates.signing.SIGNATURE_STATUSES` (``not_checked``
            when no key registry was given).
        records_checked: whether the printed figures were recomputed from records.
        unchecked: figures that could not be recomputed, and why (a star level under a rule
            set with age bands, without the volunteer's birth date).

    Example:
        >>> CertificateVerification(differences=()).valid
        True
    """

    differences: tuple[Difference, ...]
    signature: str = "not_checked"
    records_checked: bool = True
    unchecked: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        """Whether nothing that was checked differs.

        Example:
            >>> CertificateVerification(differences=(Difference("record_removed", "x"),)).valid
            False
        """
        return not self.differences

    @property
    def proven(self) -> bool:
        """Whether the certificate is proof.

        Proof means: the issuer's signature is good, every printed figure was recomputed from
        the records, and nothing differs.

        Example:
            >>> CertificateVerification(differences=(), signature="valid").proven
            True
            >>> CertificateVerification(differences=(), signature="not_checked").proven
            False
        """
        return (
            not self.differences
            and self.signature == "valid"
            and self.records_checked
            and not self.unchecked
        )


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


def _records_list(records: object) -> list[ServiceRecord]:
    return items_of(records, ServiceRecord, "records")


def mask_volunteer_number(volunteer_id: str) -> str:
    """A volunteer number as a certificate prints it: first and last character kept.

    Numbers of fewer than six characters are all stars; the length is kept.

    Example:
        >>> mask_volunteer_number("V0000001"), mask_volunteer_number("V12")
        ('V******1', '***')
    """
    return mask_document_number("other", volunteer_id)


@attrs.frozen(kw_only=True)
class _Figures:
    """Every figure a certificate prints that follows from its records."""

    counted: tuple[tuple[ServiceRecord, int], ...]
    reasons: tuple[tuple[str, str, str], ...]  # (reason, organization_id, record_id)
    service: Hours
    activities: tuple[ActivitySummary, ...]
    records: tuple[CertifiedRecord, ...]
    period_start: _dt.date | None
    star_level: StarLevelNote | None


def _derive(
    records: list[ServiceRecord],
    *,
    volunteer_id: str,
    as_of: _dt.date,
    since: _dt.date | None,
    rule_set: object,
    birth_date: _dt.date | None,
) -> _Figures:
    """The one derivation of a certificate's figures, used to issue and to verify.

    The star level is the one the certified service reaches: the records counted on the
    certificate (the issuer's, within the window when there is one), never service outside it.
    """
    count = count_records(records, as_of=as_of, volunteer_id=volunteer_id, since=since)
    by_key = {record.key: record for record in records}
    counted: list[tuple[ServiceRecord, int]] = []
    reasons: list[tuple[str, str, str]] = []
    for outcome in count.outcomes or ():
        record = by_key[(outcome.organization_id, outcome.record_id)]
        if outcome.reason is not None:
            reasons.append((outcome.reason, outcome.organization_id, outcome.record_id))
        if outcome.minutes:
            counted.append((record, outcome.minutes))
    per_category: dict[str, list[int]] = {}
    for record, minutes in counted:
        tally = per_category.setdefault(record.service_category, [0, 0])
        tally[0] += 1
        tally[1] += minutes
    activities = tuple(
        ActivitySummary(category=category, activities=n, service=Hours.from_minutes(m))
        for category, (n, m) in sorted(per_category.items())
    )
    certified = tuple(
        CertifiedRecord(
            organization_id=record.organization_id,
            record_id=record.record_id,
            minutes=minutes,
            digest=_record_digest(record),
        )
        for record, minutes in sorted(counted, key=lambda pair: pair[0].key)
    )
    star = None
    if rule_set is not None and counted:
        star = _star_level([r for r, _ in counted], rule_set, as_of, volunteer_id, birth_date)
    return _Figures(
        counted=tuple(counted),
        reasons=tuple(reasons),
        service=Hours.from_minutes(sum(m for _, m in counted)),
        activities=activities,
        records=certified,
        period_start=since
        if since is not None
        else min((r.date for r, _ in counted), default=None),
        star_level=star,
    )


@attrs.frozen(kw_only=True)
class _Holder:
    """The volunteer as certify sees it (an id and a birth date)."""

    volunteer_id: str
    birth_date: _dt.date | None


def _star_level(
    records: list[ServiceRecord],
    rule_set: object,
    as_of: _dt.date,
    volunteer_id: str,
    birth_date: _dt.date | None,
) -> StarLevelNote:
    from volunteer_rules.rules.certification import certify

    holder = _Holder(volunteer_id=volunteer_id, birth_date=birth_date)
    result = certify(records, rule_set=rule_set, as_of=as_of, volunteer=holder)  # type: ignore[arg-type, unused-ignore]
    return StarLevelNote(
        rule_set_id=result.rule_set_id,
        rule_set_version=str(result.rule_set_version),
        rank=result.level.rank,
        name=result.level.name,
        label=result.level.label,
    )


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


def _signature_of(certificate: Certificate, keys: KeyRegistry | None) -> str:
    if certificate.signature is None or certificate.key_id is None:
        return "unsigned"
    if keys is None:
        return "not_checked"
    try:
        value = _signing._unb64(certificate.signature)
    except (ValueError, TypeError):
        return "signature_invalid"
    statement = signed_statement(certificate, certificate.key_id)
    return _signing._signature_status(statement, value, certificate.issued_on, keys)


_SIGNATURE_MESSAGES: Final = {
    "unsigned": "the certificate is not signed by its issuer",
    "unknown_key": "the certificate is signed with a key the registry does not hold",
    "key_of_another_issuer": "the certificate is signed with another organization's key",
    "key_not_yet_valid": "the certificate is dated before its signing key came into force",
    "key_retired": "the certificate is dated after its signing key was retired by a rotation",
    "key_revoked": "the certificate is signed with a revoked key",
    "signature_invalid": "the signature does not match the certificate: it was changed",
}


def verify_certificate(
    certificate: Certificate,
    records: Iterable[ServiceRecord] | None = None,
    *,
    keys: KeyRegistry | None = None,
    birth_date: _dt.date | None = None,
) -> CertificateVerification:
    """Check a certificate: its content, its issuer's signature, and every printed figure.

    Nothing about the certificate raises: every problem is a :class:`Difference` in the result
    (only arguments of the wrong type raise). What is checked:

    - the content against the verification code (``content_altered``), and that it can be true
      (a period that starts after the issue date is ``content_altered``);
    - with ``keys``, the signature: made by a key of the issuing organization, in force on the
      issue date and not revoked, over exactly this content (see
      :data:`~volunteer_rules.certificates.signing.SIGNATURE_STATUSES`); an unsigned
      certificate is reported as ``unsigned``;
    - with ``records``, every printed figure recomputed from them by the rules that issued
      it: the total time (``hours_changed``), each record's minutes
      (``record_minutes_differ``), the summary per activity (``activities_differ``), the
      period (``period_differs``) and the star level (``star_level_differs``; a rule set with
      age bands needs ``birth_date``, else the level is listed in ``unchecked``); and each
      certified record still held unchanged (``record_removed``, ``record_changed``) and not
      amended (``record_amended``, even by an amendment entered after the issue date).

    Service recorded after the certificate does not make it invalid: a certificate speaks of
    the records it was made from.

    Args:
        certificate: the certificate to verify.
        records: the records held now (the issuer's, or more: others are ignored); ``None``
            when the verifier has none (the figures are then not recomputed).
        keys: the registry of the organizations' public keys; ``None``: the signature is not
            checked (``signature="not_checked"``, or ``"unsigned"``).
        birth_date: the volunteer's birth date, for a star level under a rule set with age
            bands.

    Example:
        >>> import attrs
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing import examples
        >>> certificate = examples.sample_certificate()
        >>> record = vr.parse_record(examples.SAMPLE_RECORD_PAYLOAD)
        >>> vr.verify_certificate(certificate, [record]).valid
        True
        >>> inflated = attrs.evolve(certificate, service=vr.Hours.from_minutes(600))
        >>> [d.code for d in vr.verify_certificate(inflated, [record]).differences]
        ['content_altered', 'hours_changed']
        >>> shorter = attrs.evolve(record, service=vr.Hours.from_minutes(60))
        >>> [d.code for d in vr.verify_certificate(certificate, [shorter]).differences]
        ['record_changed', 'hours_changed', 'record_minutes_differ', 'activities_differ']
        >>> vr.verify_certificate(certificate, [record], keys=vr.InMemoryKeyRegistry()).signature
        'unsigned'
    """
    if not isinstance(certificate, Certificate):
        raise InvalidTypeError("certificate", "must be a Certificate")
    if keys is not None and not isinstance(keys, KeyRegistry):
        raise InvalidTypeError("keys", "must be a key registry (an object with .key(key_id))")
    if birth_date is not None and (
        not isinstance(birth_date, _dt.date) or isinstance(birth_date, _dt.datetime)
    ):
        raise InvalidTypeError("birth_date", "must be a date or None")
    items = None if records is None else _records_list(records)
    differences: list[Difference] = []
    unchecked: list[str] = []
    if _code_of(certificate) != certificate.verification_code:
        differences.append(
            Difference(
                "content_altered",
                "the certificate's content does not match its verification code",
            )
        )
    since = certificate.since
    possible = since is None or since <= certificate.issued_on
    if not possible:
        differences.append(
            Difference("content_altered", "the period starts after the date of issue")
        )
    signature = _signature_of(certificate, keys)
    if keys is not None and signature != "valid":
        differences.append(Difference(signature, _SIGNATURE_MESSAGES[signature]))
    if items is not None:
        _check_records(certificate, items, possible, birth_date, differences, unchecked)
    return CertificateVerification(
        differences=tuple(differences),
        signature=signature,
        records_checked=items is not None and possible,
        unchecked=tuple(unchecked),
    )


def _check_records(
    certificate: Certificate,
    items: list[ServiceRecord],
    possible: bool,
    birth_date: _dt.date | None,
    differences: list[Difference],
    unchecked: list[str],
) -> None:
    """Compare the certificate with the records held now; append what differs."""
    held = {record.key: record for record in items}
    amended = {
        (record.organization_id, record.amends)
        for record in items
        if record.amends is not None and record.status in ("verified", "void")
    }
    volunteers: set[str] = set()
    for entry in certificate.records:
        record = held.get(entry.key)
        if record is None:
            differences.append(
                Difference(
                    "record_removed", f"record {entry.record_id} is no longer held", entry.record_id
                )
            )
            continue
        volunteers.add(record.volunteer_id)
        if _record_digest(record) != entry.digest:
            differences.append(
                Difference(
                    "record_changed",
                    f"record {entry.record_id} changed since the certificate was issued",
                    entry.record_id,
                )
            )
        if entry.key in amended:
            differences.append(
                Difference(
                    "record_amended",
                    f"record {entry.record_id} has been amended since",
                    entry.record_id,
                )
            )
    # the volunteer: the one of the certified records whose masked number is printed
    matching = sorted(v for v in volunteers if mask_volunteer_number(v) == certificate.volunteer_id)
    if not possible:
        return
    if len(volunteers) > 1 or (volunteers and not matching):
        differences.append(
            Difference(
                "content_altered",
                "the certified records are not all of the volunteer the certificate names",
            )
        )
    volunteer_id = matching[0] if matching else (min(volunteers) if volunteers else "")
    certified_keys = {entry.key for entry in certificate.records}
    issuer = certificate.issuer
    again = [
        record
        for record in items
        if issuer.may_certify(record.organization_id)
        and (
            record.key in certified_keys
            or (
                record.amends is not None
                and (record.organization_id, record.amends) in certified_keys
            )
        )
    ]
    stated_level = certificate.star_level
    conflicts = [key for key in resolve_versions(again).conflict_keys if key in certified_keys]
    if conflicts:
        shown = ", ".join(record_id for _, record_id in conflicts[:3])
        differences.append(
            Difference(
                "records_conflict",
                f"certified records are now held in versions with different content ({shown}):"
                " none of them counts",
            )
        )
        return
    figures = _derive(
        again,
        volunteer_id=volunteer_id,
        as_of=certificate.issued_on,
        since=certificate.since,
        rule_set=None,
        birth_date=birth_date,
    )
    if figures.service != certificate.service:
        differences.append(
            Difference(
                "hours_changed",
                f"the certified records count {figures.service} now, "
                f"the certificate states {certificate.service}",
            )
        )
    now_minutes = {r.key: r.minutes for r in figures.records}
    for entry in certificate.records:
        minutes = now_minutes.get(entry.key, 0)
        if minutes != entry.minutes:
            differences.append(
                Difference(
                    "record_minutes_differ",
                    f"record {entry.record_id} counts {Hours.from_minutes(minutes)}, the "
                    f"certificate states {Hours.from_minutes(entry.minutes)}",
                    entry.record_id,
                )
            )
    if figures.activities != certificate.activities:
        differences.append(
            Difference(
                "activities_differ",
                "the service content per category differs from what the records give",
            )
        )
    expected_start = figures.period_start
    if certificate.period_end != certificate.issued_on or (
        expected_start is not None and certificate.period_start != expected_start
    ):
        differences.append(
            Difference(
                "period_differs",
                f"the period is {certificate.period_start}..{certificate.period_end}; the "
                f"records give {expected_start}..{certificate.issued_on}",
            )
        )
    if stated_level is not None:
        counted = [record for record, _ in figures.counted]
        try:
            level = (
                _star_level(
                    counted,
                    stated_level.rule_set_id,
                    certificate.issued_on,
                    volunteer_id,
                    birth_date,
                )
                if counted
                else None
            )
        except VolunteerRulesError as error:
            unchecked.append(f"star_level: {error}")
            return
        if level != stated_level:
            shown = "none" if level is None else f"{level.label} ({level.rule_set_version})"
            differences.append(
                Difference(
                    "star_level_differs",
                    f"the records reach {shown} under {stated_level.rule_set_id}; the "
                    f"certificate states {stated_level.label} ({stated_level.rule_set_version})",
                )
            )


def dump_certificate(certificate: Certificate) -> dict[str, Any]:
    """The certificate's JSON form (the record format's conventions: ISO dates, whole minutes).

    The ``verification_code`` member is the SHA-256 (lowercase hex) of the canonical JSON
    (keys sorted, no white space, non-ASCII escaped) of every other member.

    Example:
        >>> from volunteer_rules.testing import examples
        >>> payload = dump_certificate(examples.sample_certificate())
        >>> payload["service_minutes"], payload["fee"], payload["volunteer"]["document_number"]
        (120, 0, '211103***********6')
        >>> parse_certificate(payload) == examples.sample_certificate()
        True
    """
    if not isinstance(certificate, Certificate):
        raise InvalidTypeError("certificate", "must be a Certificate")
    body = _content(certificate)
    body["verification_code"] = certificate.verification_code
    if certificate.signature is not None:
        body["signature"] = {
            "algorithm": _signing.SIGNATURE_ALGORITHM,
            "key_id": certificate.key_id,
            "value": certificate.signature,
        }
    return body


class _Reader:
    """Collects every problem of a certificate payload as FieldErrors."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, path: str, code: str, message: str) -> None:
        self.errors.append(FieldError(path, code, message))

    def obj(self, value: object, path: str, fields: Collection[str]) -> Mapping[str, Any] | None:
        if not isinstance(value, Mapping):
            self.add(path, "invalid_type", f"{path} must be an object")
            return None
        for key in value:
            if key not in fields:
                self.add(f"{path}.{key}", "unknown_field", f"{key!r} is not a field here")
        return value

    def get(self, mapping: Mapping[str, Any], key: str, path: str, kind: type) -> Any:
        if key not in mapping:
            self.add(f"{path}.{key}", "missing", f"{key} is required")
            return None
        value = mapping[key]
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            self.add(f"{path}.{key}", "invalid_type", f"{key} must be an integer")
            return None
        if kind is int and abs(value) > _MAX_INTEGER:
            self.add(
                f"{path}.{key}", "out_of_range", f"{key} must be at most {_MAX_INTEGER:,} in size"
            )
            return None
        if not isinstance(value, kind):
            self.add(f"{path}.{key}", "invalid_type", f"{key} must be a {kind.__name__}")
            return None
        return value

    def day(self, mapping: Mapping[str, Any], key: str, path: str) -> _dt.date | None:
        text = self.get(mapping, key, path, str)
        if text is None:
            return None
        try:
            if len(text) != 10:
                raise ValueError(text)
            return _dt.date.fromisoformat(text)
        except ValueError:
            self.add(f"{path}.{key}", "invalid_format", f"{key} must be an ISO date")
            return None


_MAX_INTEGER: Final = 2**63 - 1
"""The largest number a certificate's wire form may hold (what every store can hold)."""

_TOP: Final = frozenset(
    {
        "format_version",
        "number",
        "issued_on",
        "volunteer",
        "issuer",
        "since",
        "period_start",
        "period_end",
        "service_minutes",
        "fee",
        "activities",
        "records",
        "star_level",
        "remarks",
        "verification_code",
        "signature",
    }
)
_HEX64: Final = re.compile(r"[0-9a-f]{64}")


def parse_certificate(mapping: Mapping[str, Any]) -> Certificate:
    """Read a certificate from its JSON form, reporting every problem at once.

    A well-formed but altered certificate parses; :func:`verify_certificate` then finds
    ``content_altered``.

    Raises:
        RecordFormatError: the payload is malformed (``what="certificate"``).

    Example:
        >>> parse_certificate({"format_version": 1})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.RecordFormatError: invalid certificate: $.number: missing: ...
    """
    r = _Reader()
    top = r.obj(mapping, "$", _TOP)
    if top is None:
        raise RecordFormatError(r.errors, what="certificate")
    version = r.get(top, "format_version", "$", int)
    if version is not None and version != CERTIFICATE_FORMAT_VERSION:
        r.add("$.format_version", "unsupported_version", "only version 1 is supported")
    number = r.get(top, "number", "$", str)
    issued_on = r.day(top, "issued_on", "$")
    period_start = r.day(top, "period_start", "$")
    period_end = r.day(top, "period_end", "$")
    since = r.day(top, "since", "$") if "since" in top else None
    minutes = r.get(top, "service_minutes", "$", int)
    fee = r.get(top, "fee", "$", int)
    if fee is not None and fee != 0:
        r.add("$.fee", "out_of_range", "a certificate is free of charge: fee must be 0")
    remarks = r.get(top, "remarks", "$", str)
    code = r.get(top, "verification_code", "$", str)
    if code is not None and not _HEX64.fullmatch(code):
        r.add("$.verification_code", "invalid_format", "must be 64 lowercase hex digits")

    volunteer = None
    raw = top.get("volunteer")
    if raw is None:
        r.add("$.volunteer", "missing", "volunteer is required")
    else:
        v = r.obj(raw, "$.volunteer", ("volunteer_id", "name", "document_kind", "document_number"))
        if v is not None:
            volunteer = tuple(
                r.get(v, key, "$.volunteer", str)
                for key in ("volunteer_id", "name", "document_kind", "document_number")
            )
    issuer = None
    raw = top.get("issuer")
    if raw is None:
        r.add("$.issuer", "missing", "issuer is required")
    else:
        keys = ("organization_id", "name", "responsible_person", "handler", "contact")
        i = r.obj(raw, "$.issuer", (*keys, "successor_of"))
        if i is not None:
            values = {key: r.get(i, key, "$.issuer", str) for key in keys}
            successors = r.get(i, "successor_of", "$.issuer", list)
            if None not in values.values() and successors is not None:
                try:
                    issuer = Issuer(**values, successor_of=frozenset(successors))
                except (VolunteerRulesError, TypeError) as error:
                    r.add("$.issuer", "invalid_format", str(error))
    activities: list[ActivitySummary] = []
    for index, item in enumerate(r.get(top, "activities", "$", list) or ()):
        path = f"$.activities[{index}]"
        a = r.obj(item, path, ("category", "activities", "service_minutes"))
        if a is not None:
            category = r.get(a, "category", path, str)
            count = r.get(a, "activities", path, int)
            spent = r.get(a, "service_minutes", path, int)
            if category is not None and count is not None and spent is not None:
                activities.append(
                    ActivitySummary(
                        category=category, activities=count, service=Hours.from_minutes(spent)
                    )
                )
    certified: list[CertifiedRecord] = []
    for index, item in enumerate(r.get(top, "records", "$", list) or ()):
        path = f"$.records[{index}]"
        c = r.obj(item, path, ("organization_id", "record_id", "minutes", "digest"))
        if c is not None:
            org = r.get(c, "organization_id", path, str)
            rid = r.get(c, "record_id", path, str)
            spent = r.get(c, "minutes", path, int)
            digest = r.get(c, "digest", path, str)
            if None not in (org, rid, spent, digest):
                certified.append(
                    CertifiedRecord(
                        organization_id=org, record_id=rid, minutes=spent, digest=digest
                    )
                )
    star = None
    if "star_level" in top:
        s = r.obj(
            top["star_level"],
            "$.star_level",
            ("rule_set_id", "rule_set_version", "rank", "name", "label"),
        )
        if s is not None:
            values = {
                "rule_set_id": r.get(s, "rule_set_id", "$.star_level", str),
                "rule_set_version": r.get(s, "rule_set_version", "$.star_level", str),
                "rank": r.get(s, "rank", "$.star_level", int),
                "name": r.get(s, "name", "$.star_level", str),
                "label": r.get(s, "label", "$.star_level", str),
            }
            if None not in values.values():
                star = StarLevelNote(**values)
    key_id = signature = None
    if "signature" in top:
        sig = r.obj(top["signature"], "$.signature", ("algorithm", "key_id", "value"))
        if sig is not None:
            algorithm = r.get(sig, "algorithm", "$.signature", str)
            if algorithm is not None and algorithm != _signing.SIGNATURE_ALGORITHM:
                r.add("$.signature.algorithm", "unsupported", "only Ed25519 is supported")
            key_id = r.get(sig, "key_id", "$.signature", str)
            signature = r.get(sig, "value", "$.signature", str)
    if r.errors or None in (volunteer, issuer, issued_on, period_start, period_end):
        raise RecordFormatError(r.errors, what="certificate")
    assert volunteer is not None  # for the type checker: checked just above
    assert issuer is not None
    assert issued_on is not None
    assert period_start is not None
    assert period_end is not None
    return Certificate(
        number=number,
        issued_on=issued_on,
        volunteer_id=volunteer[0],
        volunteer_name=volunteer[1],
        document_kind=volunteer[2],
        document_number=volunteer[3],
        issuer=issuer,
        since=since,
        period_start=period_start,
        period_end=period_end,
        service=Hours.from_minutes(minutes),
        activities=tuple(activities),
        records=tuple(certified),
        star_level=star,
        remarks=remarks,
        verification_code=code,
        key_id=key_id,
        signature=signature,
    )
