"""The tables wing: records as tables, certified in bulk, on one machine or many.

Certification one partition at a time (:mod:`volunteer_rules.tables.partition`) and its
adapters for Apache Spark (:mod:`volunteer_rules.tables.spark`) and Dask
(:mod:`volunteer_rules.tables.dask`). ``pyarrow`` is needed when these functions are called;
``pyspark`` and ``dask`` only by their adapters. Importing the wing needs none of them.

Records as Arrow data: the Arrow schema of record format v1 (:mod:`~volunteer_rules.tables.schema`),
readers and writers validated as :func:`~volunteer_rules.parse_record` validates
(:mod:`~volunteer_rules.tables.io`), the polars counting engine behind :func:`count_many`, and
:func:`~volunteer_rules.tables.results.certify_table` (polars and pyarrow: the ``tables``
extra).

Example:
    >>> from volunteer_rules.tables import CERTIFICATION_COLUMNS
    >>> CERTIFICATION_COLUMNS[0]
    ('volunteer_id', 'string', False)
"""

from __future__ import annotations

from volunteer_rules.tables.bulk import count_many, engine_available, engine_count
from volunteer_rules.tables.dask import certify_dask
from volunteer_rules.tables.partition import (
    BUCKET,
    CERTIFICATION_COLUMNS,
    CHUNK_ROWS,
    EXCLUDED_ORGANIZATIONS,
    EXCLUSION_COLUMNS,
    RECORD_FIELDS,
    bucket_rows,
    certification_row,
    certification_schema,
    certify_batches,
    certify_partition,
    check_record_schema,
    exclusion_batches,
    exclusion_rows,
    exclusion_schema,
    exclusion_table,
)
from volunteer_rules.tables.schema import (
    CSV_HEADERS,
    LEVEL_COLUMNS,
    RECORD_COLUMNS,
    RECORD_EXCLUSION_COLUMNS,
    ROW_ERROR_COLUMNS,
    level_schema,
    record_exclusion_schema,
    record_schema,
    row_error_schema,
)
from volunteer_rules.tables.spark import (
    certification_struct,
    certify_spark,
    exclusion_struct,
    spark_errors,
)

__all__ = [
    "BUCKET",
    "CERTIFICATION_COLUMNS",
    "CHUNK_ROWS",
    "CSV_HEADERS",
    "EXCLUDED_ORGANIZATIONS",
    "EXCLUSION_COLUMNS",
    "LEVEL_COLUMNS",
    "RECORD_COLUMNS",
    "RECORD_EXCLUSION_COLUMNS",
    "RECORD_FIELDS",
    "ROW_ERROR_COLUMNS",
    "bucket_rows",
    "certification_row",
    "certification_schema",
    "certification_struct",
    "certify_batches",
    "certify_dask",
    "certify_partition",
    "certify_spark",
    "check_record_schema",
    "count_many",
    "engine_available",
    "engine_count",
    "exclusion_batches",
    "exclusion_rows",
    "exclusion_schema",
    "exclusion_struct",
    "exclusion_table",
    "level_schema",
    "record_exclusion_schema",
    "record_schema",
    "row_error_schema",
    "spark_errors",
]
