"""Proof that a transfer lost nothing and counted nothing twice (an invariant as a public API).

:func:`check_transfer_conservation` compares the source's and the destination's holdings before
and after a transfer and returns a :class:`ConservationReport`. It holds when:

- nothing was lost: every record the source held is still held by the source
  (``record_lost``), every record the destination held is still held by it, and every package
  record is held by the destination (the source keeps its records; rule 18, "hours carry
  over" [MCA2012-draft]);
- nothing was duplicated: no key is held twice on one side (``record_duplicated``), and the
  destination holds nothing new but the package's records (``unexpected_record``);
- nothing was altered: a record keeps its content wherever it is held (``record_altered``);
- everything can be traced: the source marks what it sent (``not_marked``) and the destination
  marks what it received with this package as origin (``not_traced``);
- hours are conserved: the verified minutes of the distinct records across both sides are the
  same before and after (``hours_not_conserved``; each key counted once, as
  :func:`~volunteer_rules.combined_history` does; rule 20 [HK-SWD]: two books never sum).

The last check is implied by the others; it is kept as an independent total, the way a ledger
never trusts a stored total over its entries.

Example:
    >>> import volunteer_rules as vr
    >>> from datetime import date, datetime, timezone
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
    >>> at = datetime(2024, 6, 1, tzinfo=timezone.utc)
    >>> package = vr.create_transfer_package(
    ...     [record], volunteer_id=record.volunteer_id,
    ...     source_organization_id=record.organization_id,
    ...     destination_organization_id="51211100MJ00000175",
    ...     destination_region_code="210100", consent=True, created_at=at)
    >>> accepted = vr.accept_transfer(vr.initiate_transfer(package, at=at),
    ...     destination_records=[], at=at, as_of=date(2024, 6, 1))
    >>> report = vr.check_transfer_conservation(
    ...     package, source_before=[record],
    ...     source_after=vr.mark_transferred([record], package),
    ...     destination_before=[], destination_after=accepted.holdings)
    >>> report.conserved, report.hours_before.minutes, report.hours_after.minutes
    (True, 120, 120)
    >>> vr.check_transfer_conservation(package, source_before=[record], source_after=[],
    ...     destination_before=[], destination_after=[]).codes
    ('record_lost', 'not_marked', 'hours_not_conserved')
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules.errors import InvalidTypeError
from volunteer_rules.hours import Hours
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.transfer.check import TransferFinding
from volunteer_rules.transfer.holdings import ImportedRecord, TransferredRecord, unwrap_record
from volunteer_rules.transfer.package import TransferPackage

__all__ = ["CONSERVATION_CODES", "ConservationReport", "check_transfer_conservation"]

CONSERVATION_CODES: Final = (
    "record_lost",
    "record_duplicated",
    "unexpected_record",
    "record_altered",
    "not_marked",
    "not_traced",
    "hours_not_conserved",
)
"""Every code :func:`check_transfer_conservation` can report, in report order."""

Key = tuple[str, str]

_Found = dict[str, list[TransferFinding]]
"""The violations found so far, by code."""


@masked_repr
@attrs.frozen(kw_only=True)
class ConservationReport:
    """Whether a transfer conserved records and hours, and every way it did not.

    Attributes:
        conserved: ``True`` when there is no violation.
        violations: :class:`~volunteer_rules.TransferFinding` values with codes from
            :data:`CONSERVATION_CODES`.
        hours_before: verified minutes of the distinct records of both sides before.
        hours_after: the same after.

    Example:
        >>> ConservationReport(conserved=True, violations=(), hours_before=Hours.ZERO,
        ...                    hours_after=Hours.ZERO).codes
        ()
    """

    conserved: bool
    violations: tuple[TransferFinding, ...]
    hours_before: Hours
    hours_after: Hours

    @property
    def codes(self) -> tuple[str, ...]:
        """The distinct violation codes, in report order.

        Example:
            >>> report = ConservationReport(conserved=False, violations=(
            ...     TransferFinding(code="record_lost", message="a"),
            ...     TransferFinding(code="record_lost", message="b")),
            ...     hours_before=Hours.ZERO, hours_after=Hours.ZERO)
            >>> report.codes
            ('record_lost',)
        """
        return tuple(dict.fromkeys(v.code for v in self.violations))


def _index(what: str, holdings: Iterable[object]) -> dict[Key, list[object]]:
    if isinstance(holdings, (str, bytes)):
        raise InvalidTypeError(what, "must be an iterable of records")
    try:
        items = iter(holdings)
    except TypeError:
        raise InvalidTypeError(what, "must be an iterable of records") from None
    index: dict[Key, list[object]] = {}
    for item in items:
        record = unwrap_record(item)
        index.setdefault((record.organization_id, record.record_id), []).append(item)
    return index


def _verified_minutes(*sides: dict[Key, list[object]]) -> Hours:
    seen: set[Key] = set()
    minutes = 0
    for side in sides:
        for key, items in side.items():
            if key in seen:
                continue
            seen.add(key)
            record = unwrap_record(items[0])
            if record.status == "verified":
                minutes += record.service.minutes
    return Hours.from_minutes(minutes)


def _label(key: Key) -> str:
    return f"{key[1]} ({key[0]})"


def check_transfer_conservation(
    package: TransferPackage,
    *,
    source_before: Iterable[object],
    source_after: Iterable[object],
    destination_before: Iterable[object],
    destination_after: Iterable[object],
) -> ConservationReport:
    """Check that a completed transfer lost, duplicated and altered nothing.

    Args:
        package: the package that moved.
        source_before: what the source held before (records or holdings).
        source_after: what the source holds after (its records, the package's marked
            :class:`~volunteer_rules.TransferredRecord`).
        destination_before: what the destination held before.
        destination_after: what it holds after (with the package's records as
            :class:`~volunteer_rules.ImportedRecord`).

    Returns:
        a :class:`ConservationReport`.

    Raises:
        InvalidTypeError: a wrong type.

    Example:
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import sample_transfer_package
        >>> package = sample_transfer_package()
        >>> record = package.records[0]
        >>> report = vr.check_transfer_conservation(
        ...     package, source_before=[record], source_after=vr.mark_transferred([record], package),
        ...     destination_before=[], destination_after=[record, record])
        >>> report.codes
        ('record_duplicated', 'not_traced')
    """
    if not isinstance(package, TransferPackage):
        raise InvalidTypeError(
            "package", f"must be a TransferPackage, not {type(package).__name__}"
        )
    src0 = _index("source_before", source_before)
    src1 = _index("source_after", source_after)
    dst0 = _index("destination_before", destination_before)
    dst1 = _index("destination_after", destination_after)
    packaged: dict[Key, ServiceRecord] = {
        (r.organization_id, r.record_id): r for r in package.records
    }
    found: _Found = {code: [] for code in CONSERVATION_CODES}
    _check_side("source", src0, src1, found)
    _check_side("destination", dst0, dst1, found)
    for key, record in packaged.items():
        _check_marked(key, package.digest, src0, src1, found)
        _check_received(key, record, package.digest, dst0, dst1, found)
    _check_nothing_new(packaged, dst0, dst1, found)
    hours_before = _verified_minutes(src0, dst0)
    hours_after = _verified_minutes(src1, dst1)
    if hours_before != hours_after:
        _report(
            found,
            "hours_not_conserved",
            None,
            f"verified hours across both sides were {hours_before} before and {hours_after} after",
        )
    violations = tuple(
        finding
        for code in CONSERVATION_CODES
        for finding in sorted(found[code], key=lambda f: (f.record_key or ("", ""), f.message))
    )
    return ConservationReport(
        conserved=not violations,
        violations=violations,
        hours_before=hours_before,
        hours_after=hours_after,
    )


def _report(found: _Found, code: str, key: Key | None, message: str) -> None:
    found[code].append(TransferFinding(code=code, message=message, record_key=key))


def _check_side(
    side: str, before: dict[Key, list[object]], after: dict[Key, list[object]], found: _Found
) -> None:
    """One side kept every record it held, unchanged, and holds no key twice."""
    for key, items in before.items():
        if key not in after:
            _report(found, "record_lost", key, f"the {side} no longer holds record {_label(key)}")
        elif unwrap_record(after[key][0]) != unwrap_record(items[0]):
            _report(found, "record_altered", key, f"the {side}'s record {_label(key)} changed")
    for key, items in after.items():
        if len(items) > 1:
            _report(
                found,
                "record_duplicated",
                key,
                f"the {side} holds record {_label(key)} {len(items)} times",
            )


def _check_marked(
    key: Key,
    digest: str,
    src0: dict[Key, list[object]],
    src1: dict[Key, list[object]],
    found: _Found,
) -> None:
    """The source marked a package record it held as transferred in this package."""
    kept = src1.get(key)
    if key in src0 and (
        kept is None
        or not any(
            isinstance(item, TransferredRecord) and item.package_digest == digest for item in kept
        )
    ):
        _report(
            found, "not_marked", key, f"the source has not marked record {_label(key)} transferred"
        )


def _check_received(
    key: Key,
    record: ServiceRecord,
    digest: str,
    dst0: dict[Key, list[object]],
    dst1: dict[Key, list[object]],
    found: _Found,
) -> None:
    """The destination holds a package record unchanged, with this package as its origin."""
    held = dst1.get(key)
    if held is None:
        _report(found, "record_lost", key, f"the destination did not receive record {_label(key)}")
        return
    if unwrap_record(held[0]) != record:
        _report(
            found,
            "record_altered",
            key,
            f"the destination's record {_label(key)} differs from the package's",
        )
    if key not in dst0 and not any(
        isinstance(item, ImportedRecord) and item.origin.package_digest == digest for item in held
    ):
        _report(
            found,
            "not_traced",
            key,
            f"the destination's record {_label(key)} is not marked with this package as its origin",
        )


def _check_nothing_new(
    packaged: dict[Key, ServiceRecord],
    dst0: dict[Key, list[object]],
    dst1: dict[Key, list[object]],
    found: _Found,
) -> None:
    """The destination holds nothing new but the package's records."""
    for key in dst1:
        if key not in dst0 and key not in packaged:
            _report(
                found,
                "unexpected_record",
                key,
                f"the destination holds record {_label(key)}, which was neither held before "
                "nor in the package",
            )
