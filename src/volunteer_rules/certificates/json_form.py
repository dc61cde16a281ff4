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

import datetime as _dt
import re
from collections.abc import Collection, Mapping
from typing import Any, Final

from volunteer_rules._canonical import present_members
from volunteer_rules._iso import read_date
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
from volunteer_rules.errors import (
    FieldError,
    InvalidTypeError,
    RecordFormatError,
    VolunteerRulesError,
)
from volunteer_rules.hours import Hours
from volunteer_rules.records._json import unknown_field

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
                self.errors.append(unknown_field(path, key, "a certificate"))
        return present_members(value)

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
            self.add(f"{path}.{key}", "invalid_type", f"{key} must be {_JSON_KINDS[kind]}")
            return None
        return value

    def day(self, mapping: Mapping[str, Any], key: str, path: str) -> _dt.date | None:
        text = self.get(mapping, key, path, str)
        if text is None:
            return None
        day = read_date(text)
        if day is None:
            self.add(f"{path}.{key}", "invalid_format", f"{key} must be an ISO date")
        return day


_JSON_KINDS: Final[dict[type, str]] = {str: "a string", list: "an array"}
"""What a type is called in a message: the JSON name, as the other wire forms' messages say."""

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
    volunteer = _read_volunteer(r, top)
    issuer = _read_issuer(r, top)
    activities = _read_activities(r, top)
    certified = _read_records(r, top)
    star = _read_star_level(r, top)
    key_id, signature = _read_signature(r, top)
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
        activities=activities,
        records=certified,
        star_level=star,
        remarks=remarks,
        verification_code=code,
        key_id=key_id,
        signature=signature,
    )


def _read_volunteer(r: _Reader, top: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """The volunteer's number, name, document kind and document number, as printed."""
    raw = top.get("volunteer")
    if raw is None:
        r.add("$.volunteer", "missing", "volunteer is required")
        return None
    v = r.obj(raw, "$.volunteer", ("volunteer_id", "name", "document_kind", "document_number"))
    if v is None:
        return None
    return tuple(
        r.get(v, key, "$.volunteer", str)
        for key in ("volunteer_id", "name", "document_kind", "document_number")
    )


def _read_issuer(r: _Reader, top: Mapping[str, Any]) -> Issuer | None:
    """The issuer, checked as an :class:`Issuer` is when made."""
    raw = top.get("issuer")
    if raw is None:
        r.add("$.issuer", "missing", "issuer is required")
        return None
    keys = ("organization_id", "name", "responsible_person", "handler", "contact")
    i = r.obj(raw, "$.issuer", (*keys, "successor_of"))
    if i is None:
        return None
    values = {key: r.get(i, key, "$.issuer", str) for key in keys}
    successors = r.get(i, "successor_of", "$.issuer", list)
    if None in values.values() or successors is None:
        return None
    try:
        return Issuer(**values, successor_of=frozenset(successors))
    except (VolunteerRulesError, TypeError) as error:
        r.add("$.issuer", "invalid_format", str(error))
        return None


def _read_activities(r: _Reader, top: Mapping[str, Any]) -> tuple[ActivitySummary, ...]:
    """The service content per category; an entry with a problem is left out (and reported)."""
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
    return tuple(activities)


def _read_records(r: _Reader, top: Mapping[str, Any]) -> tuple[CertifiedRecord, ...]:
    """The certified records; an entry with a problem is left out (and reported)."""
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
    return tuple(certified)


def _read_star_level(r: _Reader, top: Mapping[str, Any]) -> StarLevelNote | None:
    """The star level stated, or ``None`` when the certificate states none."""
    if "star_level" not in top:
        return None
    s = r.obj(
        top["star_level"],
        "$.star_level",
        ("rule_set_id", "rule_set_version", "rank", "name", "label"),
    )
    if s is None:
        return None
    values = {
        "rule_set_id": r.get(s, "rule_set_id", "$.star_level", str),
        "rule_set_version": r.get(s, "rule_set_version", "$.star_level", str),
        "rank": r.get(s, "rank", "$.star_level", int),
        "name": r.get(s, "name", "$.star_level", str),
        "label": r.get(s, "label", "$.star_level", str),
    }
    if None in values.values():
        return None
    return StarLevelNote(**values)


def _read_signature(r: _Reader, top: Mapping[str, Any]) -> tuple[Any, Any]:
    """The signing key's id and the signature, or ``(None, None)`` when unsigned."""
    if "signature" not in top:
        return None, None
    sig = r.obj(top["signature"], "$.signature", ("algorithm", "key_id", "value"))
    if sig is None:
        return None, None
    algorithm = r.get(sig, "algorithm", "$.signature", str)
    if algorithm is not None and algorithm != _signing.SIGNATURE_ALGORITHM:
        r.add("$.signature.algorithm", "unsupported", "only Ed25519 is supported")
    return r.get(sig, "key_id", "$.signature", str), r.get(sig, "value", "$.signature", str)
