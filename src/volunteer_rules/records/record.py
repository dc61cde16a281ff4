"""The service record of format version 1: the value, reading it and writing it, in one place.

This module gathers the public names of three others, so that one import gives the whole
record format:

- :mod:`volunteer_rules.records.service_record`: :class:`ServiceRecord`, :class:`Evaluation`
  and the vocabularies and bounds of the format (:data:`STATUSES`, :data:`FIELDS`, ...);
- :mod:`volunteer_rules.records.parsing`: :func:`parse_record` and :func:`parse_records`,
  which check every rule of the format and report every problem at once;
- :mod:`volunteer_rules.records.dumping`: :func:`dump_record`, which writes the canonical
  form back (``dump_record(parse_record(x)) == x`` for a canonical payload).

The wire form is specified in ``docs/record-format.md``.

Example:
    >>> from volunteer_rules.records.record import dump_record, parse_record
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> dump_record(parse_record(SAMPLE_RECORD_PAYLOAD)) == SAMPLE_RECORD_PAYLOAD
    True
"""

from __future__ import annotations

from volunteer_rules.records.dumping import dump_record
from volunteer_rules.records.parsing import parse_record, parse_records
from volunteer_rules.records.service_record import (
    FIELDS,
    FORMAT_VERSION,
    MAX_EXTENSION_DEPTH,
    MAX_YEAR,
    MIN_YEAR,
    RATINGS,
    REQUIRED_FIELDS,
    SERVICE_CATEGORIES,
    STATUSES,
    Evaluation,
    ServiceRecord,
)

__all__ = [
    "FIELDS",
    "FORMAT_VERSION",
    "MAX_EXTENSION_DEPTH",
    "MAX_YEAR",
    "MIN_YEAR",
    "RATINGS",
    "REQUIRED_FIELDS",
    "SERVICE_CATEGORIES",
    "STATUSES",
    "Evaluation",
    "ServiceRecord",
    "dump_record",
    "parse_record",
    "parse_records",
]
