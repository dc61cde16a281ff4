"""Writing a service record in the canonical form of record format v1.

Canonical form (what :func:`dump_record` writes, and what ``dump_record(parse_record(x)) == x``
holds for):

- text fields trimmed; optional fields that are absent are omitted (never ``null``);
  ``group_service`` is written only when ``true``;
- dates as ``YYYY-MM-DD``; date-times as ``YYYY-MM-DDTHH:MM:SS±HH:MM`` with the offset the
  record came with, seconds always, ``.ffffff`` microseconds only when they are not zero
  (exactly :meth:`datetime.datetime.isoformat`); UTC is written ``+00:00``;
- credit codes in uppercase; ``extensions`` exactly as given.

Example:
    >>> from volunteer_rules.records.parsing import parse_record
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> dump_record(parse_record(SAMPLE_RECORD_PAYLOAD))["recorded_at"]
    '2024-05-02T09:15:00+08:00'
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from volunteer_rules.errors import InvalidTypeError
from volunteer_rules.records._json import thaw
from volunteer_rules.records.service_record import FORMAT_VERSION, ServiceRecord

__all__ = ["dump_record"]


def dump_record(record: ServiceRecord) -> dict[str, Any]:
    """Write a record in the canonical form of the record format v1.

    Optional fields that are absent are omitted (never ``null``); ``group_service`` appears
    only when ``true``; date-times keep the offset they came with (seconds always,
    microseconds only when not zero); ``extensions`` is a fresh copy of what was given.
    ``parse_record(dump_record(r)) == r`` for every valid record.

    Args:
        record: a :class:`ServiceRecord`.

    Returns:
        A new ``dict`` of JSON values, fields in the documented order.

    Raises:
        InvalidTypeError: ``record`` is not a :class:`ServiceRecord`.

    Example:
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD as payload
        >>> vr.dump_record(vr.parse_record(payload)) == payload
        True
    """
    if type(record) is not ServiceRecord and not isinstance(record, ServiceRecord):
        raise InvalidTypeError("record", f"must be a ServiceRecord, not {type(record).__name__}")
    out: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "record_id": record.record_id,
        "volunteer_id": record.volunteer_id,
        "organization_id": record.organization_id,
        "activity_name": record.activity_name,
        "service_category": record.service_category,
        "content": record.content,
        "place": record.place,
        "region_code": record.region_code.code,
        "date": _dt.date.isoformat(record.date),
    }
    start = record.start
    if start is not None:
        out["start"] = start.isoformat()
    end = record.end
    if end is not None:
        out["end"] = end.isoformat()
    out["service_minutes"] = record.service.minutes
    out["person_in_charge"] = record.person_in_charge
    out["recorded_by"] = record.recorded_by
    out["recorded_at"] = record.recorded_at.isoformat()
    out["status"] = record.status
    evaluation = record.evaluation
    if evaluation is not None:
        out["evaluation"] = {
            "rating": evaluation.rating,
            "date": _dt.date.isoformat(evaluation.date),
        }
    if record.beneficiary is not None:
        out["beneficiary"] = record.beneficiary
    if record.group_service:
        out["group_service"] = True
    if record.amends is not None:
        out["amends"] = record.amends
    if record.extensions is not None:
        out["extensions"] = thaw(record.extensions)
    return out
