r"""The transfer package (转移包): a volunteer's records as they leave one organization for another.

A :class:`TransferPackage` carries everything the destination needs to take over a volunteer's
record (志愿服务记录转移和接续, MCA 2012 draft [MCA2012-draft]: "with the volunteer's consent,
records may be transferred and shared between organisations, and the receiving organisation
verifies and keeps them"; Chongqing 条例 Art. 17 [CQ]; the unified volunteer number as the basis
of transfer across systems [SYS-2015]): the service records (record format v1), optionally the
other four parts of the record (basic information, training, commendations, evaluations; MCA
Order 67 Arts. 4-10 [MCA2020]), who sends and who receives, the volunteer's consent (and a
guardian's for a volunteer under 14, PIPL Art. 31 [PIPL]), when it was made, a summary the
receiver can read at once (how many records, how many hours) and a SHA-256 digest of its
canonical content.

Packaging does not judge: :func:`create_transfer_package` packages what it is given (a wrong
type is still an error); whether the move is allowed is
:func:`~volunteer_rules.check_transfer`'s work.

The canonical form (what the digest covers) is documented in ``docs/transfer.md`` so that any
language can reproduce it: the wire form of :func:`dump_transfer_package` without its
``digest`` member, serialized as JSON with keys sorted by code point, no white space, every
non-ASCII character escaped (``\uXXXX``, lowercase hex), records sorted by
``(organization_id, record_id)``; the digest is the lowercase hex SHA-256 of those ASCII bytes.

Example:
    >>> import volunteer_rules as vr
    >>> from datetime import datetime, timedelta, timezone
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
    >>> package = vr.create_transfer_package(
    ...     [record], volunteer_id="V0000001",
    ...     source_organization_id=record.organization_id,
    ...     destination_organization_id="51211100MJ00000175",
    ...     destination_region_code="210100", consent=True,
    ...     created_at=datetime(2024, 6, 1, 9, 0, tzinfo=timezone(timedelta(hours=8))),
    ... )
    >>> package.summary.record_count, package.summary.service.minutes, len(package.digest)
    (1, 120, 64)
    >>> vr.parse_transfer_package(vr.dump_transfer_package(package)) == package
    True
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

import attrs

from volunteer_rules._canonical import canonical_text
from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import aware_datetime, instance_of
from volunteer_rules.errors import (
    InvalidTypeError,
    InvalidValueError,
    RecordFormatError,
)
from volunteer_rules.hours import Hours
from volunteer_rules.records._wire_reader import Reader
from volunteer_rules.records.masked_profile import mask_profile
from volunteer_rules.records.profile_parts import VolunteerProfile
from volunteer_rules.records.record import ServiceRecord, dump_record, parse_record
from volunteer_rules.records.region import RegionCode
from volunteer_rules.transfer import parts as transfer_parts
from volunteer_rules.transfer.holdings import combined_history, unwrap_record

__all__ = [
    "PACKAGE_FORMAT_VERSION",
    "TransferPackage",
    "TransferSummary",
    "canonical_package_bytes",
    "compute_package_digest",
    "create_transfer_package",
    "dump_transfer_package",
    "parse_transfer_package",
    "unwrap_record",
]

PACKAGE_FORMAT_VERSION: Final = 1
"""The transfer package wire format version this library reads and writes."""

_WHAT: Final = "transfer package"

_MEMBERS: Final = (
    "format_version",
    "volunteer_id",
    "source_organization_id",
    "source_region_code",
    "destination_organization_id",
    "destination_region_code",
    "consent",
    "guardian_consent",
    "created_at",
    "summary",
    "records",
    *transfer_parts.PART_FIELDS,
    "digest",
)
"""The members of the wire form, in its order (all required but ``source_region_code`` and
the parts)."""
_SUMMARY_MEMBERS: Final = ("record_count", "service_minutes")
_REGION: Final = re.compile(r"[0-9]{6}\Z")
_DIGEST: Final = re.compile(r"[0-9a-f]{64}\Z")
MAX_INTEGER: Final = 2**63 - 1
"""The largest count a package may state (what every store can hold); larger is
``out_of_range``, so that no number of thousands of digits reaches a message or a store."""


def _check_type(what: str, value: object, kind: type | tuple[type, ...], name: str) -> None:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise InvalidTypeError(what, f"must be {name}, not {type(value).__name__}")


def _records_tuple(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    _check_type(attribute.name, value, tuple, "a tuple of ServiceRecord")
    assert isinstance(value, tuple)
    for index, item in enumerate(value):
        if type(item) is not ServiceRecord and not isinstance(item, ServiceRecord):
            raise InvalidTypeError(
                f"{attribute.name}[{index}]", f"must be a ServiceRecord, not {type(item).__name__}"
            )


@attrs.frozen(kw_only=True)
class TransferSummary:
    """What a package says it carries, readable at a glance: record count and total hours.

    The summary is part of the digested content. :func:`~volunteer_rules.check_transfer`
    recomputes it from the records and reports ``summary_mismatch`` when they disagree.

    Attributes:
        record_count: how many service records the package carries (every status).
        service: the sum of their service time (every status; what counts is decided by the
            destination's certification).

    Example:
        >>> TransferSummary(record_count=2, service=Hours.from_minutes(150)).service.hours
        Decimal('2.5')
    """

    record_count: int = attrs.field(validator=instance_of(int, name="an int"))
    service: Hours = attrs.field(validator=instance_of(Hours, name="Hours"))

    @classmethod
    def of(cls, records: Iterable[ServiceRecord]) -> TransferSummary:
        """The summary of ``records``: how many, and the time of the verified ones.

        A withdrawal (a ``void`` amendment) carries none.

        Example:
            >>> TransferSummary.of([]).record_count
            0
        """
        items = list(records)
        minutes = sum(r.service.minutes for r in items if r.status == "verified")
        return cls(record_count=len(items), service=Hours.from_minutes(minutes))


@masked_repr
@attrs.frozen(kw_only=True, repr=False)
class TransferPackage:
    """A volunteer's records packaged for a move to another organization or region.

    Build one with :func:`create_transfer_package` (which computes the summary and the
    digest) or read one with :func:`parse_transfer_package` (which keeps the digest and the
    summary the sender claimed, so :func:`~volunteer_rules.check_transfer` can compare them
    with the content). Records are kept in canonical order, by ``(organization_id,
    record_id)``; training, commendations and evaluations by their canonical JSON text.

    The ``repr`` names the parties, the summary and a digest prefix, never personal data.

    Attributes:
        volunteer_id: the volunteer's unified number (志愿者统一编号), never an ID-card number
            or a mobile number.
        source_organization_id: the organization the records leave.
        destination_organization_id: the organization that will hold them.
        destination_region_code: the destination's GB/T 2260 code, as given (six digits;
            whether it is a known region is checked by ``check_transfer``: ``unknown_region``).
        source_region_code: the source's region code, if given.
        consent: ``True`` only when the volunteer agreed to the move.
        guardian_consent: ``True`` when a guardian agreed (needed under 14: PIPL Art. 31).
        created_at: when the package was made (aware).
        records: the service records, canonical order.
        profile: the volunteer's basic information, if sent: a ``VolunteerProfile``, or a
            ``MaskedProfile`` (name, ID number and contact masked).
        training: training records, if sent.
        commendations: commendations, if sent.
        evaluations: evaluations, if sent.
        summary: record count and total hours, as the sender states them.
        digest: lowercase hex SHA-256 of the canonical content, as the sender states it.

    Example:
        >>> import volunteer_rules as vr
        >>> from datetime import datetime, timezone
        >>> package = vr.create_transfer_package(
        ...     [], volunteer_id="V1", source_organization_id="G-a",
        ...     destination_organization_id="G-b", destination_region_code="211100",
        ...     consent=True, created_at=datetime(2024, 6, 1, tzinfo=timezone.utc))
        >>> package  # doctest: +ELLIPSIS
        TransferPackage(volunteer_id='V1', from='G-a', to='G-b' (211100), records=0, hours=0 h, digest='...')
    """

    volunteer_id: str = attrs.field(validator=instance_of(str, name="a str"))
    source_organization_id: str = attrs.field(validator=instance_of(str, name="a str"))
    destination_organization_id: str = attrs.field(validator=instance_of(str, name="a str"))
    destination_region_code: str = attrs.field(validator=instance_of(str, name="a str"))
    source_region_code: str | None = attrs.field(
        default=None, validator=instance_of(str, optional=True, name="a str or None")
    )
    consent: bool = attrs.field(validator=instance_of(bool, name="a bool"))
    guardian_consent: bool = attrs.field(default=False, validator=instance_of(bool, name="a bool"))
    created_at: _dt.datetime = attrs.field(validator=aware_datetime())
    records: tuple[ServiceRecord, ...] = attrs.field(validator=_records_tuple)
    profile: Any = attrs.field(default=None)
    training: tuple[Any, ...] = attrs.field(
        default=(), validator=instance_of(tuple, name="a tuple")
    )
    commendations: tuple[Any, ...] = attrs.field(
        default=(), validator=instance_of(tuple, name="a tuple")
    )
    evaluations: tuple[Any, ...] = attrs.field(
        default=(), validator=instance_of(tuple, name="a tuple")
    )
    summary: TransferSummary = attrs.field(
        validator=instance_of(TransferSummary, name="a TransferSummary")
    )
    digest: str = attrs.field(validator=instance_of(str, name="a str"))

    def __repr__(self) -> str:
        return (
            f"TransferPackage(volunteer_id={self.volunteer_id!r}, "
            f"from={self.source_organization_id!r}, to={self.destination_organization_id!r} "
            f"({self.destination_region_code}), records={self.summary.record_count}, "
            f"hours={self.summary.service}, digest={self.digest[:12]!r})"
        )


# --- canonical form and digest ---------------------------------------------------------


def _sorted_records(records: Sequence[ServiceRecord]) -> list[ServiceRecord]:
    """Records in canonical order: by (organization_id, record_id), ties by canonical text."""
    ordered = sorted(records, key=_record_sort_key)
    for index in range(1, len(ordered)):
        if _record_sort_key(ordered[index - 1]) == _record_sort_key(ordered[index]):
            # Two records share a key (a broken package: check_transfer reports it). Break the
            # tie by content so the order, and the digest, never depend on the input order.
            return sorted(records, key=lambda r: (*_record_sort_key(r), _canonical(dump_record(r))))
    return ordered


def _record_sort_key(record: ServiceRecord) -> tuple[str, str]:
    return (record.organization_id, record.record_id)


def _canonical(value: Any) -> str:
    try:
        return canonical_text(value)
    except (TypeError, ValueError, RecursionError) as error:
        raise InvalidValueError(
            _WHAT, f"content is not JSON-serializable in canonical form ({error})"
        ) from None


def _part_payloads(items: Iterable[Any], dump: Callable[[Any], Any]) -> list[Any]:
    dumped = [dump(item) for item in items]
    return sorted(dumped, key=_canonical)


def _body(package: TransferPackage, records: Sequence[ServiceRecord]) -> dict[str, Any]:
    """The wire form without the digest, records in the order given."""
    body: dict[str, Any] = {
        "format_version": PACKAGE_FORMAT_VERSION,
        "volunteer_id": package.volunteer_id,
        "source_organization_id": package.source_organization_id,
    }
    if package.source_region_code is not None:
        body["source_region_code"] = package.source_region_code
    body["destination_organization_id"] = package.destination_organization_id
    body["destination_region_code"] = package.destination_region_code
    body["consent"] = package.consent
    body["guardian_consent"] = package.guardian_consent
    body["created_at"] = package.created_at.isoformat()
    body["summary"] = {
        "record_count": package.summary.record_count,
        "service_minutes": package.summary.service.minutes,
    }
    body["records"] = [dump_record(record) for record in records]
    body.update(transfer_parts.dump_parts(package))
    return body


def canonical_package_bytes(package: TransferPackage) -> bytes:
    r"""The exact bytes the digest covers (see ``docs/transfer.md``, "Canonical form").

    The wire form of :func:`dump_transfer_package` without ``digest``, records sorted by
    ``(organization_id, record_id)``, serialized as JSON with keys sorted, separators ``,`` and
    ``:`` without spaces, and every character outside printable ASCII escaped as ``\uXXXX``.

    Raises:
        InvalidTypeError: ``package`` is not a :class:`TransferPackage`.
        InvalidValueError: an ``extensions`` value cannot be written as JSON.

    Example:
        >>> from volunteer_rules.testing.examples import sample_transfer_package
        >>> package = sample_transfer_package()
        >>> canonical_package_bytes(package)[:60]
        b'{"commendations":[],"consent":true,"created_at":"2024-06-01T'
    """
    _check_type("package", package, TransferPackage, "a TransferPackage")
    body = _body(package, _sorted_records(package.records))
    return _canonical(body).encode("ascii")


def compute_package_digest(package: TransferPackage) -> str:
    """The lowercase hex SHA-256 of :func:`canonical_package_bytes`.

    For a package made by :func:`create_transfer_package` this equals ``package.digest``; for
    a parsed package that was altered on the way it does not
    (:func:`~volunteer_rules.check_transfer` reports ``digest_mismatch``).

    Example:
        >>> from volunteer_rules.testing.examples import sample_transfer_package
        >>> package = sample_transfer_package()
        >>> compute_package_digest(package) == package.digest
        True
    """
    return hashlib.sha256(canonical_package_bytes(package)).hexdigest()


# --- create ------------------------------------------------------------------------------


def _region_text(what: str, value: object) -> str:
    if isinstance(value, RegionCode):
        return value.code
    _check_type(what, value, str, "a str or RegionCode")
    assert isinstance(value, str)
    return value


def _id_text(what: str, value: object) -> str:
    _check_type(what, value, str, "a str")
    assert isinstance(value, str)
    if not value:
        raise InvalidValueError(what, "must not be empty")
    return value


def create_transfer_package(
    records: Iterable[ServiceRecord],
    *,
    volunteer_id: str,
    source_organization_id: str,
    destination_organization_id: str,
    destination_region_code: str | RegionCode,
    consent: bool,
    created_at: _dt.datetime,
    source_region_code: str | RegionCode | None = None,
    guardian_consent: bool = False,
    profile: Any = None,
    training: Iterable[Any] = (),
    commendations: Iterable[Any] = (),
    evaluations: Iterable[Any] = (),
    profile_form: str = "full",
) -> TransferPackage:
    """Package a volunteer's records as they leave the source organization.

    The records are sorted into canonical order, each once (a repeat with the same key and content
    is left out); the summary and the digest are computed. Nothing is judged here: records of
    another volunteer, unverified records, a missing consent or an unknown region are packaged as
    given and reported by :func:`~volunteer_rules.check_transfer`.

    Args:
        records: the volunteer's service records (any iterable of ``ServiceRecord``).
        volunteer_id: the volunteer's unified number.
        source_organization_id: the organization the records leave.
        destination_organization_id: the organization that will hold them.
        destination_region_code: the destination's region (six digits or a ``RegionCode``).
        consent: ``True`` only when the volunteer agreed to the move.
        created_at: when the package is made (aware ``datetime``).
        source_region_code: the source's region, if known (used to compare certification
            levels before and after the move).
        guardian_consent: ``True`` when a guardian agreed (required for a volunteer under 14,
            PIPL Art. 31).
        profile: the volunteer's basic information (a ``VolunteerProfile``, or a
            ``MaskedProfile``), if sent.
        training: ``TrainingRecord`` values, if sent.
        commendations: ``Commendation`` values, if sent.
        evaluations: ``EvaluationRecord`` values, if sent.
        profile_form: ``"full"`` (default) sends the profile as given; ``"masked"`` sends
            its masked form (:func:`~volunteer_rules.records.mask_profile`: the name's first
            character, the masked ID number and contact, no skills), the minimum a transfer
            needs (PIPL Art. 6; ``docs/transfer.md``).

    Returns:
        the package, with ``summary`` and ``digest`` computed from its content.

    Raises:
        InvalidTypeError: an argument of the wrong type (a record that is not a
            ``ServiceRecord``, ``consent`` not a ``bool``...).
        InvalidValueError: an empty id, a naive ``created_at``, or ``extensions`` that cannot
            be written as JSON.

    Example:
        >>> import volunteer_rules as vr
        >>> from datetime import datetime, timezone
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> package = vr.create_transfer_package(
        ...     [record], volunteer_id=record.volunteer_id,
        ...     source_organization_id=record.organization_id,
        ...     destination_organization_id="51211100MJ00000175",
        ...     destination_region_code=vr.RegionCode.parse("211102"), consent=False,
        ...     created_at=datetime(2024, 6, 1, tzinfo=timezone.utc))
        >>> package.consent, package.destination_region_code, package.summary.record_count
        (False, '211102', 1)
    """
    if isinstance(records, (str, bytes, Mapping)):
        raise InvalidTypeError("records", "must be an iterable of ServiceRecord")
    try:
        iterator = iter(records)
    except TypeError:
        raise InvalidTypeError("records", "must be an iterable of ServiceRecord") from None
    collected: list[ServiceRecord] = []
    for index, item in enumerate(iterator):
        if not isinstance(item, ServiceRecord):
            raise InvalidTypeError(
                f"records[{index}]", f"must be a ServiceRecord, not {type(item).__name__}"
            )
        collected.append(item)
    items = combined_history(collected)  # an identical repeat once; conflicting versions all
    if profile_form not in ("full", "masked"):
        raise InvalidValueError("profile_form", "must be 'full' or 'masked'")
    if profile_form == "masked" and isinstance(profile, VolunteerProfile):
        profile = mask_profile(profile)
    parts = transfer_parts.check_parts(
        profile=profile, training=training, commendations=commendations, evaluations=evaluations
    )
    package = TransferPackage(
        volunteer_id=_id_text("volunteer_id", volunteer_id),
        source_organization_id=_id_text("source_organization_id", source_organization_id),
        destination_organization_id=_id_text(
            "destination_organization_id", destination_organization_id
        ),
        destination_region_code=_region_text("destination_region_code", destination_region_code),
        source_region_code=(
            None
            if source_region_code is None
            else _region_text("source_region_code", source_region_code)
        ),
        consent=consent,
        guardian_consent=guardian_consent,
        created_at=created_at,
        records=tuple(_sorted_records(items)),
        summary=TransferSummary.of(items),
        digest="",
        **parts,
    )
    return attrs.evolve(package, digest=compute_package_digest(package))


# --- wire form ---------------------------------------------------------------------------


def dump_transfer_package(package: TransferPackage) -> dict[str, Any]:
    """The package's wire form: a JSON-compatible ``dict`` (records in record format v1).

    The members, in this order: ``format_version`` (``1``), ``volunteer_id``,
    ``source_organization_id``, ``source_region_code`` (only when known),
    ``destination_organization_id``, ``destination_region_code``, ``consent``,
    ``guardian_consent``, ``created_at`` (ISO 8601 with offset), ``summary``
    (``{"record_count", "service_minutes"}``), ``records`` (``dump_record`` payloads in
    canonical order), ``profile`` (only when sent), ``training``, ``commendations``,
    ``evaluations`` (lists, possibly empty) and ``digest``.

    Raises:
        InvalidTypeError: ``package`` is not a :class:`TransferPackage`.

    Example:
        >>> import volunteer_rules as vr
        >>> from datetime import datetime, timezone
        >>> package = vr.create_transfer_package(
        ...     [], volunteer_id="V1", source_organization_id="G-a",
        ...     destination_organization_id="G-b", destination_region_code="211100",
        ...     consent=True, created_at=datetime(2024, 6, 1, tzinfo=timezone.utc))
        >>> wire = vr.dump_transfer_package(package)
        >>> wire["summary"], wire["created_at"], wire["digest"] == package.digest
        ({'record_count': 0, 'service_minutes': 0}, '2024-06-01T00:00:00+00:00', True)
    """
    _check_type("package", package, TransferPackage, "a TransferPackage")
    body = _body(package, _sorted_records(package.records))
    body["digest"] = package.digest
    return body


def parse_transfer_package(mapping: Mapping[str, Any]) -> TransferPackage:
    """Read a package from its wire form, collecting every problem at once.

    The records inside are read with :func:`~volunteer_rules.parse_record`; their errors are
    reported under ``$.records[i]`` (``$.records[3].date``). A well-formed package whose
    content was altered on the way still parses: the digest and summary are kept as the
    sender stated them, and :func:`~volunteer_rules.check_transfer` reports
    ``digest_mismatch`` or ``summary_mismatch``.

    Args:
        mapping: the decoded JSON object.

    Returns:
        the package.

    Raises:
        RecordFormatError: with ``what="transfer package"`` and every problem found, each a
            ``FieldError`` with ``path``, ``code`` and ``message`` (codes as in the record
            format: ``missing``, ``unknown_field``, ``invalid_type``, ``invalid_format``,
            ``out_of_range``, ``unsupported_version`` and those of the records).

    Example:
        >>> import volunteer_rules as vr
        >>> try:
        ...     vr.parse_transfer_package({"format_version": 1, "records": [{}], "extra": 1})
        ... except vr.RecordFormatError as error:
        ...     print(error.what, [(e.path, e.code) for e in error.errors][:3])
        transfer package [('$.extra', 'unknown_field'), ('$.volunteer_id', 'missing'), ('$.source_organization_id', 'missing')]
    """
    read = Reader(mapping, _MEMBERS, "a transfer package")
    if not isinstance(mapping, Mapping):
        read.fail(_WHAT)
    read.version(PACKAGE_FORMAT_VERSION)
    volunteer_id = read.ident("volunteer_id")
    source = read.organization_id("source_organization_id", as_given=True)  # digested text
    source_region = read.ident(
        "source_region_code", required=False, pattern=_REGION, shape="six digits"
    )
    destination = read.organization_id("destination_organization_id", as_given=True)
    destination_region = read.ident("destination_region_code", pattern=_REGION, shape="six digits")
    consent = read.boolean("consent")
    guardian_consent = read.boolean("guardian_consent")
    created_at = read.moment("created_at")
    summary = _read_summary(read)
    records = _read_records(read)
    parts = transfer_parts.parse_parts(read)
    digest = read.ident(
        "digest", pattern=_DIGEST, shape="64 lowercase hexadecimal digits (SHA-256)"
    )
    read.fail(_WHAT)
    assert volunteer_id is not None
    assert source is not None
    assert destination is not None
    assert destination_region is not None
    assert consent is not None
    assert guardian_consent is not None
    assert created_at is not None
    assert summary is not None
    assert digest is not None
    assert records is not None
    return TransferPackage(
        volunteer_id=volunteer_id,
        source_organization_id=source,
        destination_organization_id=destination,
        destination_region_code=destination_region,
        source_region_code=source_region,
        consent=consent,
        guardian_consent=guardian_consent,
        created_at=created_at,
        records=tuple(_sorted_records(records)),
        summary=summary,
        digest=digest,
        **parts,
    )


def _read_summary(read: Reader) -> TransferSummary | None:
    """``summary``: ``record_count`` (0 to :data:`MAX_INTEGER`) and ``service_minutes``."""
    summary = read.member("summary", _SUMMARY_MEMBERS, "a summary")
    if summary is None:
        return None
    record_count = summary.integer("record_count", 0, MAX_INTEGER)
    service_minutes = summary.minutes("service_minutes")
    if record_count is None or service_minutes is None:
        return None
    return TransferSummary(record_count=record_count, service=Hours.from_minutes(service_minutes))


def _read_records(read: Reader) -> list[ServiceRecord] | None:
    """``records``: record format v1 payloads read by ``parse_record`` (errors at ``$.records[i]``)."""
    payloads = read.array("records", required=True)
    if payloads is None:
        return None
    records: list[ServiceRecord] = []
    failed = False
    for index, payload in enumerate(payloads):
        try:
            records.append(parse_record(payload))
        except RecordFormatError as error:
            read.errors.extend(transfer_parts.rebase_errors(error, f"$.records[{index}]"))
            failed = True
    return None if failed else records
