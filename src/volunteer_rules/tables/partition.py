"""Certification one partition at a time: the work each Spark task or Dask partition does.

A distributed engine splits the records of many volunteers into partitions. The adapters
(:mod:`volunteer_rules.tables.spark`, :mod:`volunteer_rules.tables.dask`) send every record to
the partition of its volunteer, plus every amendment whose chain reaches another volunteer's
record to that volunteer's partition too (the column :data:`BUCKET` says whose partition a row
is for), then call :func:`certify_partition` on each partition (or :func:`certify_batches` on a
stream of Arrow batches sorted by :data:`BUCKET`). Each call certifies the volunteers of its
rows with :func:`~volunteer_rules.certify_many`, so the result is the single-process engine's,
volunteer by volunteer.

Rows are records in format v1 (``docs/record-format.md``): one column per field, under the
field's name. Dates and date-times are best kept as ISO text (a date-time keeps its UTC
offset, which decides the local day a record was entered); Arrow ``date32`` and time-zone-aware
``timestamp`` columns are read too. ``evaluation`` is a struct (or absent), ``extensions`` a
JSON object as text (or a map). A missing ``format_version`` column means version 1. Every
row is checked as :func:`~volunteer_rules.parse_record` checks it; a bad row stops the
partition with :class:`~volunteer_rules.RecordFormatError`, naming the record.

The results are Arrow tables: :func:`certification_schema` (one row per volunteer) and
:func:`exclusion_schema` (one row per record not counted in full), defined once in
:mod:`volunteer_rules.tables.schema` and re-exported here. Minutes are integers.

This module needs ``pyarrow`` (``pip install "volunteer_rules[tables]"``).

Example:
    >>> import datetime as dt
    >>> import pyarrow as pa
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> table = pa.Table.from_pylist([SAMPLE_RECORD_PAYLOAD])
    >>> result = certify_partition(table, rule_set="cn-national", as_of=dt.date(2025, 1, 1))
    >>> row = result.to_pylist()[0]
    >>> row["volunteer_id"], row["counted_minutes"], row["level_rank"], row["shortfall_minutes"]
    ('V0000001', 120, 0, 5880)
"""

from __future__ import annotations

import contextlib
import datetime as _dt
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final

from volunteer_rules._canonical import read_json
from volunteer_rules.errors import InvalidTypeError, RecordFormatError
from volunteer_rules.records.record import ServiceRecord, parse_record
from volunteer_rules.rules.certification import Certification, certify_many
from volunteer_rules.rules.results import certification_row
from volunteer_rules.rules.rule_set import RuleSet
from volunteer_rules.rules.schemes import RuleSetRegistry
from volunteer_rules.tables.schema import (
    CERTIFICATION_COLUMNS,
    EXCLUSION_COLUMNS,
    certification_schema,
    exclusion_schema,
)

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "BUCKET",
    "CERTIFICATION_COLUMNS",
    "EXCLUSION_COLUMNS",
    "RECORD_FIELDS",
    "bucket_rows",
    "certification_row",
    "certification_schema",
    "certify_batches",
    "certify_partition",
    "exclusion_batches",
    "exclusion_rows",
    "exclusion_schema",
]

RECORD_FIELDS: Final = (
    "format_version",
    "record_id",
    "volunteer_id",
    "organization_id",
    "activity_name",
    "service_category",
    "content",
    "place",
    "region_code",
    "date",
    "start",
    "end",
    "service_minutes",
    "person_in_charge",
    "recorded_by",
    "recorded_at",
    "status",
    "evaluation",
    "beneficiary",
    "group_service",
    "amends",
    "extensions",
)
"""The columns of a record table: the field names of record format v1, in the format's order."""

BUCKET: Final = "certify_for"
"""The column the adapters add: the volunteer whose partition a row is sent to.

It equals ``volunteer_id`` for a volunteer's own records; an amendment that (through a chain)
reaches another volunteer's record is sent to that volunteer as well, under their id.
"""


def exclusion_rows(certification: Certification) -> list[dict[str, Any]]:
    """The rows of the exclusion table for one certification, in recorded order.

    Args:
        certification: a volunteer's certification.

    Returns:
        Dicts with the columns of :data:`EXCLUSION_COLUMNS`.

    Raises:
        InvalidTypeError: ``certification`` is not a ``Certification``.

    Example:
        >>> import datetime as dt
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> cert = vr.certify([record], rule_set="cn-national", as_of=dt.date(2024, 5, 1))
        >>> exclusion_rows(cert)
        [{'volunteer_id': 'V0000001', 'position': 0, 'record_id': 'r-2024-0001', 'reason': 'after_as_of'}]
    """
    if not isinstance(certification, Certification):
        raise InvalidTypeError("certification", "must be a Certification")
    return [
        {
            "volunteer_id": certification.volunteer_id,
            "position": i,
            "record_id": record_id,
            "reason": reason,
        }
        for i, (record_id, reason) in enumerate(certification.excluded)
    ]


def _text(value: Any) -> Any:
    """A date or date-time read from a table, as the ISO text of the record format."""
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return value


def _payload(row: Mapping[str, Any]) -> dict[str, Any]:
    """A record-format payload from one table row: nulls left out, dates as ISO text."""
    payload: dict[str, Any] = {}
    for name, value in row.items():
        if name == BUCKET or value is None:
            continue
        if name == "evaluation" and isinstance(value, Mapping):
            value = {k: _text(v) for k, v in value.items() if v is not None}
        elif name == "extensions":
            if isinstance(value, str):
                with contextlib.suppress(ValueError):  # else parse_record reports the type
                    value = read_json(value)
            elif isinstance(value, list):  # an Arrow map column: (key, value) pairs
                value = dict(value)
        payload[name] = _text(value)
    payload.setdefault("format_version", 1)
    return payload


def _record(row: Mapping[str, Any]) -> ServiceRecord:
    try:
        return parse_record(_payload(row))
    except RecordFormatError as error:
        record_id = row.get("record_id")
        organization_id = row.get("organization_id")
        where = (
            f"record {record_id} of organization {organization_id}"
            if isinstance(record_id, str) and isinstance(organization_id, str)
            else "record"
        )
        raise RecordFormatError(error.errors, what=where) from None


def _certify_rows(
    rows: list[dict[str, Any]],
    rule_set: RuleSet | str,
    as_of: _dt.date,
    registry: RuleSetRegistry | None,
) -> list[dict[str, Any]]:
    """Certify the volunteers whose partition the rows are for (the :data:`BUCKET` values)."""
    if not rows:
        return []
    records = [_record(row) for row in rows]
    wanted = {row.get(BUCKET) or row["volunteer_id"] for row in rows}
    result = certify_many(
        records, rule_set=rule_set, as_of=as_of, volunteers=sorted(wanted), registry=registry
    )
    return [certification_row(c) for c in result.values()]


def _rows(table: Any) -> list[dict[str, Any]]:
    import pyarrow as pa

    if isinstance(table, (pa.Table, pa.RecordBatch)):
        rows: list[dict[str, Any]] = table.to_pylist()
        return rows
    raise InvalidTypeError("table", "must be a pyarrow Table or RecordBatch")


def certify_partition(
    table: pa.Table | pa.RecordBatch,
    *,
    rule_set: RuleSet | str,
    as_of: _dt.date,
    registry: RuleSetRegistry | None = None,
) -> pa.Table:
    """Certify every volunteer of one partition of records.

    The partition must hold all of its volunteers' records (and the amendments that reach
    them; see :data:`BUCKET`). Without a :data:`BUCKET` column, every row is its volunteer's
    own.

    Args:
        table: records in format v1 columns (see the module's description).
        rule_set: a rule set id or a ``RuleSet``.
        as_of: the day of the certification.
        registry: where to look the rule set id up.

    Returns:
        The certification table (:func:`certification_schema`), ordered by volunteer id.

    Raises:
        RecordFormatError: a row breaks the record format (the message names the record).
        ConflictError: two different records share one ``(organization_id, record_id)``.
        InvalidTypeError: ``table`` is not an Arrow table or batch.
        UnknownRuleSetError: no rule set under that id.

    Example:
        >>> import datetime as dt
        >>> import pyarrow as pa
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> other = dict(SAMPLE_RECORD_PAYLOAD, record_id="r-2", volunteer_id="V2", status="void")
        >>> table = pa.Table.from_pylist([SAMPLE_RECORD_PAYLOAD, other])
        >>> result = certify_partition(table, rule_set="cn-national", as_of=dt.date(2025, 1, 1))
        >>> [(r["volunteer_id"], r["counted_minutes"], r["excluded"]) for r in result.to_pylist()]
        [('V0000001', 120, []), ('V2', 0, [{'record_id': 'r-2', 'reason': 'not_verified'}])]
    """
    import pyarrow as pa

    rows = _certify_rows(_rows(table), rule_set, as_of, registry)
    return pa.Table.from_pylist(rows, schema=certification_schema())


def certify_batches(
    batches: Iterable[pa.RecordBatch],
    *,
    rule_set: RuleSet | str,
    as_of: _dt.date,
    registry: RuleSetRegistry | None = None,
) -> Iterator[pa.RecordBatch]:
    """Certify a stream of record batches sorted by :data:`BUCKET`, one batch out per batch in.

    A volunteer's rows may span two batches: the rows of the last volunteer of a batch are held
    back until the next batch (or the end) shows they are complete. Memory is one batch plus
    one volunteer's records, whatever the partition's size. This is what each Spark task runs
    (``mapInArrow`` over a partition sorted by volunteer).

    Args:
        batches: record batches with a :data:`BUCKET` column, sorted by it.
        rule_set: a rule set id or a ``RuleSet``.
        as_of: the day of the certification.
        registry: where to look the rule set id up.

    Yields:
        Batches of the certification table (:func:`certification_schema`).

    Raises:
        The errors of :func:`certify_partition`.

    Example:
        >>> import datetime as dt
        >>> import pyarrow as pa
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD as P
        >>> rows = [dict(P, record_id=f"r-{i}", certify_for=P["volunteer_id"]) for i in range(3)]
        >>> batches = pa.Table.from_pylist(rows).to_batches(max_chunksize=2)
        >>> out = certify_batches(batches, rule_set="cn-national", as_of=dt.date(2025, 1, 1))
        >>> [(r["volunteer_id"], r["counted_minutes"]) for b in out for r in b.to_pylist()]
        [('V0000001', 120)]
    """
    import pyarrow as pa

    schema = certification_schema()
    pending: list[dict[str, Any]] = []
    for batch in batches:
        rows = pending + _rows(batch)
        if not rows:
            continue
        last = rows[-1][BUCKET]
        cut = len(rows)
        while cut and rows[cut - 1][BUCKET] == last:
            cut -= 1
        pending = rows[cut:]
        if cut:
            out = _certify_rows(rows[:cut], rule_set, as_of, registry)
            yield pa.RecordBatch.from_pylist(out, schema=schema)
    if pending:
        out = _certify_rows(pending, rule_set, as_of, registry)
        yield pa.RecordBatch.from_pylist(out, schema=schema)


def exclusion_batches(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The exclusion table from batches of the certification table, one batch per batch.

    Only the ``volunteer_id`` and ``excluded`` columns are read.

    Args:
        batches: batches with the columns ``volunteer_id`` and ``excluded`` of
            :func:`certification_schema`.

    Yields:
        Batches of the exclusion table (:func:`exclusion_schema`).

    Example:
        >>> import pyarrow as pa
        >>> batch = pa.RecordBatch.from_pylist(
        ...     [{"volunteer_id": "V1", "excluded": [{"record_id": "r-1", "reason": "overlap"}]}]
        ... )
        >>> [b.to_pylist() for b in exclusion_batches([batch])]
        [[{'volunteer_id': 'V1', 'position': 0, 'record_id': 'r-1', 'reason': 'overlap'}]]
    """
    import pyarrow as pa

    schema = exclusion_schema()
    for batch in batches:
        rows = [
            {
                "volunteer_id": row["volunteer_id"],
                "position": i,
                "record_id": item["record_id"],
                "reason": item["reason"],
            }
            for row in _rows(batch)
            for i, item in enumerate(row["excluded"])
        ]
        yield pa.RecordBatch.from_pylist(rows, schema=schema)


def bucket_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each row under its volunteer, plus each amendment under every volunteer it reaches.

    The rule the Spark and Dask adapters apply with joins, in plain Python (for a process pool,
    or to check an engine): a row goes to its own volunteer; an amendment also goes to the
    volunteer of the record it amends, and, through a chain (C amends B amends A), to every
    volunteer whose record the chain reaches, so that each partition decides its records'
    amendments as the single-process engine would.

    Args:
        rows: record rows (mappings with at least ``organization_id``, ``record_id``,
            ``volunteer_id`` and, for amendments, ``amends``).

    Returns:
        Copies of the rows with a :data:`BUCKET` value: first every row under its own
        volunteer, then the amendments sent elsewhere.

    Example:
        >>> a = {"organization_id": "G-x", "record_id": "a", "volunteer_id": "V1"}
        >>> b = {"organization_id": "G-x", "record_id": "b", "volunteer_id": "V2", "amends": "a"}
        >>> [(r["record_id"], r[BUCKET]) for r in bucket_rows([a, b])]
        [('a', 'V1'), ('b', 'V2'), ('b', 'V1')]
    """
    own = [{**row, BUCKET: row["volunteer_id"]} for row in rows]
    amenders: dict[tuple[Any, Any], list[dict[str, Any]]] = {}
    for row in own:
        if row.get("amends") is not None:
            amenders.setdefault((row["organization_id"], row["amends"]), []).append(row)
    if not amenders:
        return own
    sent: dict[tuple[Any, Any, Any], dict[str, Any]] = {}
    work = [(row["organization_id"], row["record_id"], row["volunteer_id"]) for row in own]
    while work:
        org, record_id, to = work.pop()
        for amendment in amenders.get((org, record_id), ()):
            key = (org, amendment["record_id"], to)
            if amendment["volunteer_id"] != to and key not in sent:
                sent[key] = {**amendment, BUCKET: to}
                work.append(key)
    return own + list(sent.values())
