"""Holdings: what an organization holds of a volunteer's record, before and after a transfer.

An organization holds its own records (:class:`~volunteer_rules.ServiceRecord`), records it
imported by accepting a transfer (an :class:`ImportedRecord`, with its :class:`RecordOrigin`),
and records it sent away and still keeps (a :class:`TransferredRecord`); together a
:data:`Holding`. A record keeps its key ``(organization_id, record_id)`` wherever it is held, so
:func:`combined_history` counts every hour exactly once across both sides.

Example:
    >>> import volunteer_rules as vr
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
    >>> sent = TransferredRecord(record=record, destination_organization_id="G-b",
    ...                          destination_region_code="210100", package_digest="")
    >>> unwrap_record(sent) is record, combined_history([sent], [record]) == (record,)
    (True, True)
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules.errors import InvalidTypeError
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.rules.versions import same_version

__all__ = [
    "Holding",
    "ImportedRecord",
    "RecordOrigin",
    "TransferredRecord",
    "combined_history",
    "transferable",
    "unwrap_record",
]


@masked_repr
@attrs.frozen(kw_only=True)
class RecordOrigin:
    """Where an imported record came from: enough to trace it back to the source.

    Attributes:
        source_organization_id: the organization that sent it.
        source_region_code: the source's region code, when the package stated one.
        package_digest: the digest of the package it came in.
        accepted_at: when the destination accepted that package.

    Example:
        >>> from datetime import datetime, timezone
        >>> RecordOrigin(source_organization_id="G-a", source_region_code=None,
        ...              package_digest="ab" * 32,
        ...              accepted_at=datetime(2024, 6, 1, tzinfo=timezone.utc)).source_organization_id
        'G-a'
    """

    source_organization_id: str
    source_region_code: str | None
    package_digest: str
    accepted_at: _dt.datetime


@masked_repr
@attrs.frozen(kw_only=True)
class ImportedRecord:
    """A record the destination holds because it accepted a transfer, with its origin.

    The record is unchanged; the origin says where it came from.

    Attributes:
        record: the service record exactly as it left the source (same key, same content).
        origin: where it came from (:class:`RecordOrigin`).

    Example:
        >>> import volunteer_rules as vr
        >>> from datetime import datetime, timezone
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> origin = RecordOrigin(source_organization_id="G-a", source_region_code="211103",
        ...     package_digest="ab" * 32, accepted_at=datetime(2024, 6, 1, tzinfo=timezone.utc))
        >>> ImportedRecord(record=record, origin=origin).key
        ('512111005000000154', 'r-2024-0001')
    """

    record: ServiceRecord
    origin: RecordOrigin

    @property
    def key(self) -> tuple[str, str]:
        """The record's key, ``(organization_id, record_id)``.

        Example:
            >>> import volunteer_rules as vr
            >>> from datetime import datetime, timezone
            >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
            >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
            >>> ImportedRecord(record=record, origin=RecordOrigin(
            ...     source_organization_id="G-a", source_region_code=None, package_digest="",
            ...     accepted_at=datetime(2024, 6, 1, tzinfo=timezone.utc))).key[1]
            'r-2024-0001'
        """
        return (self.record.organization_id, self.record.record_id)


@masked_repr
@attrs.frozen(kw_only=True)
class TransferredRecord:
    """A record the source still holds after sending it away, marked with where it went.

    Attributes:
        record: the service record, unchanged.
        destination_organization_id: where it went.
        destination_region_code: the destination's region code.
        package_digest: the package it went in.

    Example:
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> TransferredRecord(record=record, destination_organization_id="G-b",
        ...                   destination_region_code="210100", package_digest="").key[1]
        'r-2024-0001'
    """

    record: ServiceRecord
    destination_organization_id: str
    destination_region_code: str
    package_digest: str

    @property
    def key(self) -> tuple[str, str]:
        """The record's key, ``(organization_id, record_id)``.

        Example:
            >>> import volunteer_rules as vr
            >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
            >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
            >>> TransferredRecord(record=record, destination_organization_id="G-b",
            ...     destination_region_code="210100", package_digest="").key[0]
            '512111005000000154'
        """
        return (self.record.organization_id, self.record.record_id)


Holding = ServiceRecord | ImportedRecord | TransferredRecord
"""What an organization holds: its own records, records it imported, records it sent away."""


def unwrap_record(item: object) -> ServiceRecord:
    """The :class:`~volunteer_rules.ServiceRecord` inside a holding.

    A holding is a ``ServiceRecord`` or any value with a ``record`` attribute that is one
    (:class:`~volunteer_rules.ImportedRecord`, :class:`~volunteer_rules.TransferredRecord`).

    Raises:
        InvalidTypeError: ``item`` is neither.

    Example:
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> unwrap_record(record) is record
        True
    """
    if type(item) is ServiceRecord:
        return item
    if isinstance(item, ServiceRecord):
        return item
    inner = getattr(item, "record", None)
    if isinstance(inner, ServiceRecord):
        return inner
    raise InvalidTypeError(
        "records",
        f"must be ServiceRecord values (or holdings wrapping one), not {type(item).__name__}",
    )


def combined_history(*holdings: Iterable[object]) -> tuple[ServiceRecord, ...]:
    """The union of several holdings with each version once: what to certify across sides.

    Holdings are unwrapped (:class:`ImportedRecord`, :class:`TransferredRecord`); an identical
    repeat of a record is left out (the first occurrence is kept, in input order). A key held
    with conflicting versions keeps every version, so that certification excludes the key as
    ``duplicate_record`` (:mod:`volunteer_rules.rules.versions`: never silently merged).

    Raises:
        InvalidTypeError: an item that is not a record or holding.

    Example:
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> len(vr.combined_history([record], [record]))
        1
    """
    seen: dict[tuple[str, str], list[ServiceRecord]] = {}
    for holding in holdings:
        if isinstance(holding, (str, bytes)):
            raise InvalidTypeError("holdings", "must be iterables of records")
        try:
            items = iter(holding)
        except TypeError:
            raise InvalidTypeError("holdings", "must be iterables of records") from None
        for item in items:
            record = unwrap_record(item)
            versions = seen.setdefault((record.organization_id, record.record_id), [])
            if not any(same_version(held, record) for held in versions):
                versions.append(record)
    return tuple(record for versions in seen.values() for record in versions)


def transferable(record: ServiceRecord) -> bool:
    """Whether ``record`` may move in a transfer package: verified, or a withdrawal.

    Only verified records move (``check_transfer``'s ``not_verified``); a withdrawal, a
    ``void`` record that amends another, moves too, so that a record withdrawn at the source
    (before it moved, or after) is withdrawn at the destination as well: the counting rule
    gives the same answer on both sides. Other records (submitted, rejected, a ``void`` record
    that amends nothing) stay at the source.

    Example:
        >>> import attrs
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> withdrawal = attrs.evolve(record, record_id="w-1", amends=record.record_id,
        ...     status="void")
        >>> transferable(record), transferable(withdrawal)
        (True, True)
        >>> transferable(attrs.evolve(record, status="submitted"))
        False
    """
    return record.status == "verified" or (record.status == "void" and record.amends is not None)
