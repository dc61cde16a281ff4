"""The Arrow schemas of the tables: records (format v1), row errors, certifications, exclusions.

One row per record; one column per field of the JSON form (``docs/record-format.md``), with
two differences a table needs: ``evaluation`` is two columns, ``evaluation_rating`` and
``evaluation_date``, and ``extensions`` is its JSON text. Date-times (``start``, ``end``,
``recorded_at``) are their canonical RFC 3339 text, each in the offset it was recorded with:
an Arrow timestamp column has one time zone for all its rows, and the record's own offset
decides its local date (so whether it was on record on a day). ``service_minutes`` is an
integer, ``date`` and ``evaluation_date`` are dates, ``group_service`` is a boolean (false
when absent). A test keeps this schema in step with ``record-v1.schema.json``.

Example:
    >>> RECORD_COLUMNS[:3]
    ('format_version', 'record_id', 'volunteer_id')
    >>> str(record_schema().field("service_minutes").type)
    'int32'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from volunteer_rules._frames import Column, arrow_schema
from volunteer_rules.records.service_record import REQUIRED_FIELDS
from volunteer_rules.rules.results import CERTIFICATION_COLUMNS, RECORD_EXCLUSION_COLUMNS

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

__all__ = [
    "CERTIFICATION_COLUMNS",
    "CSV_HEADERS",
    "EXCLUSION_COLUMNS",
    "LEVEL_COLUMNS",
    "RECORD_COLUMNS",
    "RECORD_EXCLUSION_COLUMNS",
    "ROW_ERROR_COLUMNS",
    "certification_schema",
    "exclusion_schema",
    "level_schema",
    "record_exclusion_schema",
    "record_schema",
    "row_error_schema",
]

RECORD_COLUMNS: Final = (
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
    "evaluation_rating",
    "evaluation_date",
    "beneficiary",
    "group_service",
    "amends",
    "extensions",
)
"""The columns of a record table, in order (the JSON fields, ``evaluation`` in two)."""

CSV_HEADERS: Final = {
    "evaluation.rating": "evaluation_rating",
    "evaluation.date": "evaluation_date",
    "rating": "evaluation_rating",
    "minutes": "service_minutes",
    "volunteer": "volunteer_id",
    "organization": "organization_id",
    "region": "region_code",
    "category": "service_category",
    "activity": "activity_name",
    "service_date": "date",
    "start_time": "start",
    "end_time": "end",
    "活动名称": "activity_name",
    "服务内容": "content",
    "地点": "place",
    "服务时间": "service_minutes",
    "活动负责人": "person_in_charge",
    "记录人": "recorded_by",
    "服务对象": "beneficiary",
}
"""Other headers a CSV export may use, and the column each one means.

A header that is a column name of :data:`RECORD_COLUMNS` needs no mapping; readers take a
``columns=`` mapping of their own for anything else.
"""

LEVEL_COLUMNS: Final[tuple[Column, ...]] = CERTIFICATION_COLUMNS[:11]
"""The certification table's first eleven columns (volunteer to ``window_start``): the table
:func:`~volunteer_rules.tables.results.certify_table` gives.

The certification table itself, :data:`CERTIFICATION_COLUMNS`, and the exclusions table by
record key, :data:`RECORD_EXCLUSION_COLUMNS`, are defined once, in
:mod:`volunteer_rules.rules.results` (``certify_many`` gives them too), and re-exported here.
"""

EXCLUSION_COLUMNS: Final[tuple[Column, ...]] = (
    ("volunteer_id", "string", False),
    ("organization_id", "string", False),
    ("position", "int32", False),
    ("record_id", "string", False),
    ("reason", "string", False),
)
"""The exclusion table of the partition, Spark and Dask adapters, one row per record not
counted in full: ``(name, Arrow type, nullable)``.

``organization_id`` and ``record_id`` are the record's key (record ids are unique within an
organization only); ``position`` is the record's place (from 0) in its volunteer's
``excluded``, which is in recorded order. The columns are
:data:`RECORD_EXCLUSION_COLUMNS`' with ``position`` added.
"""

ROW_ERROR_COLUMNS: Final = ("row", "path", "code", "message")
"""The columns of a row-errors table (``row`` is 1-based: the line or data row)."""


def record_schema() -> pa.Schema:
    """The Arrow schema of a record table (needs pyarrow).

    Example:
        >>> record_schema().names == list(RECORD_COLUMNS)
        True
    """
    import pyarrow as pa

    text = pa.string()
    types: dict[str, Any] = {
        "format_version": pa.int8(),
        "date": pa.date32(),
        "service_minutes": pa.int32(),
        "evaluation_date": pa.date32(),
        "group_service": pa.bool_(),
    }
    # The format's required fields, and group_service: false when the record omits it.
    required = REQUIRED_FIELDS | {"group_service"}
    return pa.schema(
        [
            pa.field(name, types.get(name, text), nullable=name not in required)
            for name in RECORD_COLUMNS
        ]
    )


def certification_schema() -> pa.Schema:
    """The Arrow schema of the certification table (:data:`CERTIFICATION_COLUMNS`).

    Example:
        >>> certification_schema().field("counted_minutes").type
        DataType(int64)
    """
    return arrow_schema(CERTIFICATION_COLUMNS)


def level_schema() -> pa.Schema:
    """The Arrow schema of :func:`~volunteer_rules.tables.results.certify_table`'s table.

    Example:
        >>> level_schema().names[:4]
        ['volunteer_id', 'level_rank', 'level_name', 'counted_minutes']
    """
    return arrow_schema(LEVEL_COLUMNS)


def exclusion_schema() -> pa.Schema:
    """The Arrow schema of the adapters' exclusion table (:data:`EXCLUSION_COLUMNS`).

    Example:
        >>> exclusion_schema().names
        ['volunteer_id', 'organization_id', 'position', 'record_id', 'reason']
    """
    return arrow_schema(EXCLUSION_COLUMNS)


def record_exclusion_schema() -> pa.Schema:
    """The Arrow schema of the exclusions table by record key (:data:`RECORD_EXCLUSION_COLUMNS`).

    Example:
        >>> record_exclusion_schema().names
        ['volunteer_id', 'organization_id', 'record_id', 'reason']
    """
    return arrow_schema(RECORD_EXCLUSION_COLUMNS)


def row_error_schema() -> pa.Schema:
    """The Arrow schema of a row-errors table (needs pyarrow).

    Example:
        >>> row_error_schema().names
        ['row', 'path', 'code', 'message']
    """
    import pyarrow as pa

    return pa.schema(
        [
            pa.field("row", pa.int64(), nullable=False),
            pa.field("path", pa.string(), nullable=False),
            pa.field("code", pa.string(), nullable=False),
            pa.field("message", pa.string(), nullable=False),
        ]
    )
