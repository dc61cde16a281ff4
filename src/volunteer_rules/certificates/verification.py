"""Verifying a certificate: its content, its issuer's signature, and every printed figure.

Anyone can verify a certificate (MCA Order 67 Art. 17): :func:`verify_certificate` says whether
it still matches the records held now, and what differs.

Example:
    >>> import volunteer_rules as vr
    >>> from volunteer_rules.certificates.verification import verify_certificate
    >>> from volunteer_rules.testing import examples
    >>> record = vr.parse_record(examples.SAMPLE_RECORD_PAYLOAD)
    >>> verify_certificate(examples.sample_certificate(), [record]).valid
    True
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import Final

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import masked_message
from volunteer_rules.certificates import signing as _signing
from volunteer_rules.certificates._figures import _derive, _Figures, _records_list, _star_level
from volunteer_rules.certificates.document import (
    Certificate,
    _code_of,
    _record_digest,
    mask_volunteer_number,
)
from volunteer_rules.certificates.signing import KeyRegistry, signed_statement
from volunteer_rules.errors import InvalidTypeError, VolunteerRulesError
from volunteer_rules.hours import Hours
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.rules._count import _ROW, _superseded
from volunteer_rules.rules.versions import resolve_versions

__all__ = [
    "CertificateVerification",
    "Difference",
    "verify_certificate",
]


@masked_repr
@attrs.frozen
class Difference:
    """One way a certificate is not what its records and its issuer's signature prove.

    Codes:

    - ``content_altered``: the content does not match the verification code, or cannot be
      true (a period that starts after the issue date);
    - the printed figures recomputed from the records: ``hours_changed`` (total service
      time), ``record_minutes_differ`` (a certified record's minutes), ``activities_differ``
      (the per-category summary), ``period_differs`` (first or last day), ``star_level_differs``,
      ``records_differ`` (the list of certified records: a record listed twice, or listed
      though it counts nothing; the number of records is printed);
    - the records: ``record_removed``, ``record_changed`` (its content differs from the
      digest), ``record_amended`` (another record now amends it), ``records_conflict`` (the
      records held cannot be counted: one key with two contents);
    - the signature, when a key registry is given: ``unsigned``, ``unknown_key``,
      ``key_of_another_issuer``, ``key_not_yet_valid``, ``key_retired``, ``key_revoked``,
      ``signature_invalid`` (see
      :data:`~volunteer_rules.certificates.signing.SIGNATURE_STATUSES`).

    The message masks an ID number or a personal contact in it (a record id that is one,
    wrongly); ``record_id`` keeps the id as given.

    Example:
        >>> Difference("record_removed", "record r1 is no longer held", "r1").code
        'record_removed'
    """

    code: str
    message: str = attrs.field(converter=masked_message)
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
      (``record_minutes_differ``), the list of records (``records_differ``: one listed twice,
      or listed though it counts nothing), the summary per activity (``activities_differ``),
      the period (``period_differs``) and the star level (``star_level_differs``; a rule set
      with age bands needs ``birth_date``, else the level is listed in ``unchecked``); and each
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
    volunteers = _check_held(certificate, items, differences)
    if not possible:
        return
    volunteer_id = _check_volunteer(certificate, volunteers, differences)
    again = _records_to_count_again(certificate, items)
    conflict = _conflict(certificate, again)
    if conflict is not None:
        differences.append(conflict)
        return
    figures = _derive(
        again,
        volunteer_id=volunteer_id,
        as_of=certificate.issued_on,
        since=certificate.since,
        rule_set=None,
        birth_date=birth_date,
    )
    differences.extend(_figure_differences(certificate, figures))
    _check_star_level(certificate, figures, volunteer_id, birth_date, differences, unchecked)


def _check_held(
    certificate: Certificate, items: list[ServiceRecord], differences: list[Difference]
) -> set[str]:
    """Each certified record still held, unchanged and not amended; the volunteers it names."""
    held = {record.key: record for record in items}
    amended = _amended_keys(items)
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
    return volunteers


def _amended_keys(items: list[ServiceRecord]) -> set[tuple[str, str]]:
    """The keys an effective amendment supersedes, on whatever day it was entered.

    The counting rule itself (volunteer_rules.rules.counting), on the last day there is: an
    amendment is effective when it is ``verified`` or ``void``, or superseded in turn (a chain
    A <- B <- C with C verified supersedes A and B); a key given in conflicting versions
    amends nothing.
    """
    records = resolve_versions(items).records
    return _superseded([_ROW(record) for record in records], _dt.date.max)


def _check_volunteer(
    certificate: Certificate, volunteers: set[str], differences: list[Difference]
) -> str:
    """The volunteer the records are counted for; the certified records must all be theirs.

    The volunteer is the one of the certified records whose masked number is printed.
    """
    matching = sorted(v for v in volunteers if mask_volunteer_number(v) == certificate.volunteer_id)
    if len(volunteers) > 1 or (volunteers and not matching):
        differences.append(
            Difference(
                "content_altered",
                "the certified records are not all of the volunteer the certificate names",
            )
        )
    return matching[0] if matching else (min(volunteers) if volunteers else "")


def _records_to_count_again(
    certificate: Certificate, items: list[ServiceRecord]
) -> list[ServiceRecord]:
    """The issuer's records held now that are certified records or amend one."""
    certified_keys = {entry.key for entry in certificate.records}
    issuer = certificate.issuer
    return [
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


def _conflict(certificate: Certificate, again: list[ServiceRecord]) -> Difference | None:
    """Certified records now held in versions with different content: none of them counts."""
    certified_keys = {entry.key for entry in certificate.records}
    conflicts = [key for key in resolve_versions(again).conflict_keys if key in certified_keys]
    if not conflicts:
        return None
    shown = ", ".join(record_id for _, record_id in conflicts[:3])
    return Difference(
        "records_conflict",
        f"certified records are now held in versions with different content ({shown}):"
        " none of them counts",
    )


def _figure_differences(certificate: Certificate, figures: _Figures) -> list[Difference]:
    """The printed total, each record's minutes, the activities and the period, recomputed."""
    differences: list[Difference] = []
    if figures.service != certificate.service:
        differences.append(
            Difference(
                "hours_changed",
                f"the certified records count {figures.service} now, "
                f"the certificate states {certificate.service}",
            )
        )
    now_minutes = {r.key: r.minutes for r in figures.records}
    listed: set[tuple[str, str]] = set()
    for entry in certificate.records:
        minutes = now_minutes.get(entry.key, 0)
        if entry.key in listed:
            differences.append(
                Difference(
                    "records_differ",
                    f"record {entry.record_id} is listed more than once",
                    entry.record_id,
                )
            )
            continue
        listed.add(entry.key)
        if minutes != entry.minutes:
            differences.append(
                Difference(
                    "record_minutes_differ",
                    f"record {entry.record_id} counts {Hours.from_minutes(minutes)}, the "
                    f"certificate states {Hours.from_minutes(entry.minutes)}",
                    entry.record_id,
                )
            )
        elif not minutes:
            differences.append(
                Difference(
                    "records_differ",
                    f"record {entry.record_id} counts nothing, yet is listed as certified",
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
    return differences


def _check_star_level(
    certificate: Certificate,
    figures: _Figures,
    volunteer_id: str,
    birth_date: _dt.date | None,
    differences: list[Difference],
    unchecked: list[str],
) -> None:
    """The stated star level recomputed from the counted records, or why it cannot be."""
    stated_level = certificate.star_level
    if stated_level is None:
        return
    counted = [record for record, _ in figures.counted]
    try:
        level, refused = (
            _star_level(
                counted,
                stated_level.rule_set_id,
                certificate.issued_on,
                volunteer_id,
                birth_date,
            )
            if counted
            else (None, None)
        )
    except VolunteerRulesError as error:
        unchecked.append(f"star_level: {error}")
        return
    if level != stated_level:
        shown = "none" if level is None else f"{level.label} ({level.rule_set_version})"
        if refused is not None:
            shown = f"no level ({refused})"
        differences.append(
            Difference(
                "star_level_differs",
                f"the records reach {shown} under {stated_level.rule_set_id}; the "
                f"certificate states {stated_level.label} ({stated_level.rule_set_version})",
            )
        )
