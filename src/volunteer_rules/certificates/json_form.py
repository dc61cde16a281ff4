"""A certificate's JSON form: written by :func:`dump_certificate`, read by :func:`parse_certificate`.

The form follows the record format's conventions (ISO dates, whole minutes); its
``verification_code`` member is the SHA-256 of every other member's canonical JSON.

Example:
    >>> from volunteer_rules.certificates.json_form import dump_certificate, parse_certificate
    >>> from volunteer_rules.testing import examples
    >>> certificate = examples.sample_certificate()
    >>> parse_certificate(dump_certificate(certificate)) == certificate
    True
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from volunteer_rules.certificates import signing as _signing
from volunteer_rules.certificates.document import (
    CERTIFICATE_FORMAT_VERSION,
    ActivitySummary,
    Certificate,
    CertifiedRecord,
    StarLevelNote,
    _content,
)
from volunteer_rules.certificates.issuer import Issuer
from volunteer_rules.errors import InvalidTypeError, VolunteerRulesError
from volunteer_rules.hours import Hours
from volunteer_rules.records._wire_reader import MOST_MINUTES, Reader

__all__ = [
    "dump_certificate",
    "parse_certificate",
]


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


_FORM: Final = "a certificate"
"""What the messages call the form (its nested objects too)."""

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
    read = Reader(mapping, _TOP, _FORM)
    if not isinstance(mapping, Mapping):
        read.fail("certificate")
    version = _integer(read, "format_version")
    if version is not None and version != CERTIFICATE_FORMAT_VERSION:
        read.add("$.format_version", "unsupported_version", "only version 1 is supported")
    number = _text(read, "number")
    issued_on = read.date("issued_on")
    period_start = read.date("period_start")
    period_end = read.date("period_end")
    since = read.date("since", required=False)
    minutes = read.minutes("service_minutes", low=-MOST_MINUTES)
    fee = _integer(read, "fee")
    if fee is not None and fee != 0:
        read.add("$.fee", "out_of_range", "a certificate is free of charge: fee must be 0")
    remarks = _text(read, "remarks")
    code = _text(read, "verification_code")
    if code is not None and not _HEX64.fullmatch(code):
        read.add("$.verification_code", "invalid_format", "must be 64 lowercase hex digits")
    volunteer = _read_volunteer(read)
    issuer = _read_issuer(read)
    activities = _read_activities(read)
    certified = _read_records(read)
    star = _read_star_level(read)
    key_id, signature = _read_signature(read)
    read.fail("certificate")
    assert volunteer is not None  # for the type checker: a member refused is a problem
    assert issuer is not None
    assert issued_on is not None
    assert period_start is not None
    assert period_end is not None
    assert number is not None and minutes is not None
    assert remarks is not None and code is not None
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
        activities=activities,
        records=certified,
        star_level=star,
        remarks=remarks,
        verification_code=code,
        key_id=key_id,
        signature=signature,
    )


def _text(read: Reader, key: str) -> str | None:
    """A text as printed: kept as given, empty or of any length (the code is over it as given)."""
    return read.text(key, as_given=True, blank=True, max_length=None)


def _integer(read: Reader, key: str) -> int | None:
    """A whole number a store can hold (at most :data:`_MAX_INTEGER` in size)."""
    return read.integer(key, -_MAX_INTEGER, _MAX_INTEGER)


def _read_volunteer(read: Reader) -> tuple[Any, ...] | None:
    """The volunteer's number, name, document kind and document number, as printed."""
    keys = ("volunteer_id", "name", "document_kind", "document_number")
    v = read.member("volunteer", keys, _FORM)
    if v is None:
        return None
    return tuple(_text(v, key) for key in keys)


def _read_issuer(read: Reader) -> Issuer | None:
    """The issuer, checked as an :class:`Issuer` is when made."""
    keys = ("organization_id", "name", "responsible_person", "handler", "contact")
    i = read.member("issuer", (*keys, "successor_of"), _FORM)
    if i is None:
        return None
    values: dict[str, Any] = {key: _text(i, key) for key in keys}
    successors = i.array("successor_of", required=True)
    if None in values.values() or successors is None:
        return None
    try:
        return Issuer(**values, successor_of=frozenset(successors))
    except (VolunteerRulesError, TypeError) as error:
        read.add("$.issuer", "invalid_format", str(error))
        return None


def _read_activities(read: Reader) -> tuple[ActivitySummary, ...]:
    """The service content per category; an entry with a problem is left out (and reported)."""
    activities: list[ActivitySummary] = []
    for index, item in enumerate(read.array("activities", required=True) or ()):
        fields = ("category", "activities", "service_minutes")
        a = read.nested(item, fields, _FORM, f"$.activities[{index}]")
        if a is not None:
            category = _text(a, "category")
            count = _integer(a, "activities")
            spent = a.minutes("service_minutes", low=-MOST_MINUTES)
            if category is not None and count is not None and spent is not None:
                activities.append(
                    ActivitySummary(
                        category=category, activities=count, service=Hours.from_minutes(spent)
                    )
                )
    return tuple(activities)


def _read_records(read: Reader) -> tuple[CertifiedRecord, ...]:
    """The certified records; an entry with a problem is left out (and reported)."""
    certified: list[CertifiedRecord] = []
    for index, item in enumerate(read.array("records", required=True) or ()):
        fields = ("organization_id", "record_id", "minutes", "digest")
        c = read.nested(item, fields, _FORM, f"$.records[{index}]")
        if c is not None:
            org = _text(c, "organization_id")
            rid = _text(c, "record_id")
            spent = _integer(c, "minutes")
            digest = _text(c, "digest")
            if org is not None and rid is not None and spent is not None and digest is not None:
                certified.append(
                    CertifiedRecord(
                        organization_id=org, record_id=rid, minutes=spent, digest=digest
                    )
                )
    return tuple(certified)


def _read_star_level(read: Reader) -> StarLevelNote | None:
    """The star level stated, or ``None`` when the certificate states none."""
    fields = ("rule_set_id", "rule_set_version", "rank", "name", "label")
    s = read.member("star_level", fields, _FORM, required=False)
    if s is None:
        return None
    values: dict[str, Any] = {
        "rule_set_id": _text(s, "rule_set_id"),
        "rule_set_version": _text(s, "rule_set_version"),
        "rank": _integer(s, "rank"),
        "name": _text(s, "name"),
        "label": _text(s, "label"),
    }
    if None in values.values():
        return None
    return StarLevelNote(**values)


def _read_signature(read: Reader) -> tuple[Any, Any]:
    """The signing key's id and the signature, or ``(None, None)`` when unsigned."""
    sig = read.member("signature", ("algorithm", "key_id", "value"), _FORM, required=False)
    if sig is None:
        return None, None
    algorithm = _text(sig, "algorithm")
    if algorithm is not None and algorithm != _signing.SIGNATURE_ALGORITHM:
        read.add("$.signature.algorithm", "unknown_code", "algorithm must be Ed25519")
    return _text(sig, "key_id"), _text(sig, "value")
