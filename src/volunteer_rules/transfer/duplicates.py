"""Duplicates and overlaps: the hours a transfer would count twice.

Two records are the same record when they have the same key ``(organization_id, record_id)``,
and the same *service* under different keys when they agree on everything
:func:`service_fingerprint` takes; either is ``duplicate_record``. Intervals that overlap are
``overlap`` (half-open, as in the record format); a duplicate is not also an overlap with the
record it duplicates. :func:`~volunteer_rules.check_transfer` states the whole rule.

Example:
    >>> import volunteer_rules as vr
    >>> import attrs
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> a = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
    >>> service_fingerprint(a) == service_fingerprint(attrs.evolve(a, record_id="other-id"))
    True
"""

from __future__ import annotations

import datetime as _dt
from bisect import bisect_left
from collections.abc import Iterable
from typing import Any, Final

from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.rules.versions import same_version
from volunteer_rules.transfer.findings import TransferFinding, _short

__all__ = ["service_fingerprint"]

_COUNTING_STATUSES: Final = frozenset({"verified", "submitted"})


def service_fingerprint(record: ServiceRecord) -> tuple[Any, ...]:
    """What makes two records the same service even under different keys.

    Volunteer, date, interval (``start``/``end`` as instants, or ``None``), service minutes,
    activity name, place and region code.

    Example:
        >>> import volunteer_rules as vr
        >>> import attrs
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> a = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> b = attrs.evolve(a, record_id="other-id", organization_id="G-other")
        >>> service_fingerprint(a) == service_fingerprint(b)
        True
    """
    return (
        record.volunteer_id,
        record.date,
        record.start,
        record.end,
        record.service.minutes,
        record.activity_name,
        record.place,
        record.region_code.code,
    )


def _superseded(records: Iterable[ServiceRecord]) -> set[tuple[str, str]]:
    return {(r.organization_id, r.amends) for r in records if r.amends is not None}


def _check_duplicates(
    records: tuple[ServiceRecord, ...],
    destination_keys: set[tuple[str, str]],
    mine: list[ServiceRecord],
    out: list[TransferFinding],
) -> None:
    # A record a package record amends does not count once the package is accepted: its
    # correction replaces it (volunteer_rules.rules.counting), so it is not the same service as
    # its correction, nor as anything else.
    superseded = _superseded(records)
    held_services: dict[tuple[Any, ...], tuple[str, str]] = {}
    for record in mine:
        if (
            record.status in _COUNTING_STATUSES
            and (record.organization_id, record.record_id) not in superseded
        ):
            held_services.setdefault(
                service_fingerprint(record), (record.organization_id, record.record_id)
            )
    seen_keys: dict[tuple[str, str], ServiceRecord | None] = {}
    conflicts: set[tuple[str, str]] = set()
    seen_services: dict[tuple[Any, ...], tuple[str, str]] = {}
    for record in records:
        key = (record.organization_id, record.record_id)
        if key in destination_keys:
            if key not in seen_keys:
                out.append(
                    TransferFinding(
                        code="duplicate_record",
                        message=f"the destination already holds record {_short(key)}",
                        record_key=key,
                    )
                )
            seen_keys[key] = None
            continue
        if key in seen_keys:
            # The one rule (volunteer_rules.rules.versions): an identical repeat is one record;
            # conflicting versions are a conflict, reported once.
            held = seen_keys[key]
            if held is not None and not same_version(held, record) and key not in conflicts:
                conflicts.add(key)
                out.append(
                    TransferFinding(
                        code="duplicate_record",
                        message=f"record {_short(key)} is in the package in versions with "
                        "different content: none of them counts",
                        record_key=key,
                    )
                )
            continue
        seen_keys[key] = record
        if key in superseded:
            continue
        fingerprint = service_fingerprint(record)
        other = held_services.get(fingerprint)
        if other is not None:
            out.append(
                TransferFinding(
                    code="duplicate_record",
                    message=f"record {_short(key)} is the same service as the destination's "
                    f"record {_short(other)}",
                    record_key=key,
                )
            )
            continue
        other = seen_services.get(fingerprint)
        if other is not None and record.status == "verified":
            out.append(
                TransferFinding(
                    code="duplicate_record",
                    message=f"record {_short(key)} is the same service as record "
                    f"{_short(other)} in the package",
                    record_key=key,
                )
            )
            continue
        if record.status == "verified":
            seen_services[fingerprint] = key


def _check_overlaps(
    records: tuple[ServiceRecord, ...],
    mine: list[ServiceRecord],
    held_superseded: set[tuple[str, str]],
    duplicated: set[tuple[str, str] | None],
    out: list[TransferFinding],
) -> None:
    """Overlaps with the volunteer's counting records at the destination, and in the package.

    ``held_superseded``: the keys any destination record amends (they do not count). A
    destination record a package record amends does not count either: the correction that
    arrives replaces it.
    """
    package_superseded = _superseded(records)
    ours: list[tuple[_dt.datetime, _dt.datetime, tuple[str, str]]] = []
    taken: set[tuple[str, str]] = set()  # an identical repeat is one record
    for record in records:
        start, end = record.start, record.end
        if start is None or end is None:
            continue
        key = (record.organization_id, record.record_id)
        if key in package_superseded or key in duplicated or record.status != "verified":
            continue
        if key in taken:
            continue
        taken.add(key)
        ours.append((start, end, key))
    if not ours:
        return
    theirs: list[tuple[_dt.datetime, _dt.datetime, tuple[str, str]]] = []
    for record in mine:
        start, end = record.start, record.end
        if start is None or end is None or record.status not in _COUNTING_STATUSES:
            continue
        key = (record.organization_id, record.record_id)
        if key in held_superseded or key in package_superseded:
            continue
        theirs.append((start, end, key))
    ours.sort()
    reported: set[tuple[str, str]] = set()
    # Against the destination: for each package interval, the destination intervals that
    # start before it ends are a prefix of the sorted list; the widest end in that prefix
    # decides whether any of them reaches past its start.
    if theirs:
        theirs.sort()
        starts = [interval[0] for interval in theirs]
        widest: list[int] = []
        best = 0
        for index, interval in enumerate(theirs):
            if interval[1] > theirs[best][1]:
                best = index
            widest.append(best)
        for start, end, key in ours:
            count = bisect_left(starts, end)
            if count and theirs[widest[count - 1]][1] > start:
                other = theirs[widest[count - 1]][2]
                out.append(
                    TransferFinding(
                        code="overlap",
                        message=f"record {_short(key)} overlaps the destination's record "
                        f"{_short(other)}",
                        record_key=key,
                    )
                )
                reported.add(key)
    # Inside the package: sorted by start, an interval overlaps an earlier one exactly when
    # it starts before the widest end seen so far.
    widest_end, widest_key = ours[0][1], ours[0][2]
    for start, end, key in ours[1:]:
        if start < widest_end and key not in reported:
            out.append(
                TransferFinding(
                    code="overlap",
                    message=f"record {_short(key)} overlaps record {_short(widest_key)} in "
                    f"the package",
                    record_key=key,
                )
            )
            reported.add(key)
        if end > widest_end:
            widest_end, widest_key = end, key
