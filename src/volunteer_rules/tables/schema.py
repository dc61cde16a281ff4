"""The Arrow schema of record format v1, and of the certifications and row-errors tables.

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

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

__all__ = [
    "CERTIFICATION_COLUMNS",
    "CSV_HEADERS",
    "RECORD_COLUMNS",
    "ROW_ERROR_COLUMNS",
    "certification_schema",
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

CERTIFICATION_COLUMNS: Final = (
    "volunteer_id",
    "level_rank",
    "level_name",
    "counted_minutes",
    "next_level_rank",
    "next_level_name",
    "shortfall_minutes",
    "rule_set_id",
    "rule_set_version",
    "as_of",
    "window_start",
)
"""The columns of a certifications table: one row per volunteer, minutes as integers."""

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
    required = {
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
        "service_minutes",
        "person_in_charge",
        "recorded_by",
        "recorded_at",
        "status",
        "group_service",
    }
    return pa.schema(
        [
            pa.field(name, types.get(name, text), nullable=name not in required)
            for name in RECORD_COLUMNS
        ]
    )


def certification_schema() -> pa.Schema:
    """The Arrow schema of a certifications table (needs pyarrow).

    Example:
        >>> certification_schema().field("counted_minutes").type
        DataType(int64)
    """
    import pyarrow as pa

    return pa.schema(
        [
            pa.field("volunteer_id", pa.string(), nullable=False),
            pa.field("level_rank", pa.int32(), nullable=False),
            pa.field("level_name", pa.string(), nullable=False),
            pa.field("counted_minutes", pa.int64(), nullable=False),
            pa.field("next_level_rank", pa.int32()),
            pa.field("next_level_name", pa.string()),
            pa.field("shortfall_minutes", pa.int64(), nullable=False),
            pa.field("rule_set_id", pa.string(), nullable=False),
            pa.field("rule_set_version", pa.string(), nullable=False),
            pa.field("as_of", pa.date32(), nullable=False),
            pa.field("window_start", pa.date32()),
        ]
    )


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
