"""The tables wing: records as tables, certified in bulk, on one machine or many.

Certification one partition at a time (:mod:`volunteer_rules.tables.partition`) and its
adapters for Apache Spark (:mod:`volunteer_rules.tables.spark`) and Dask
(:mod:`volunteer_rules.tables.dask`). ``pyarrow`` is needed when these functions are called;
``pyspark`` and ``dask`` only by their adapters. Importing the wing needs none of them.

Example:
    >>> from volunteer_rules.tables import CERTIFICATION_COLUMNS
    >>> CERTIFICATION_COLUMNS[0]
    ('volunteer_id', 'string', False)
"""

from __future__ import annotations

from volunteer_rules.tables.dask import certify_dask
from volunteer_rules.tables.partition import (
    BUCKET,
    CERTIFICATION_COLUMNS,
    EXCLUSION_COLUMNS,
    RECORD_FIELDS,
    bucket_rows,
    certification_row,
    certification_schema,
    certify_batches,
    certify_partition,
    exclusion_batches,
    exclusion_rows,
    exclusion_schema,
)
from volunteer_rules.tables.spark import certification_struct, certify_spark, exclusion_struct

__all__ = [
    "BUCKET",
    "CERTIFICATION_COLUMNS",
    "EXCLUSION_COLUMNS",
    "RECORD_FIELDS",
    "bucket_rows",
    "certification_row",
    "certification_schema",
    "certification_struct",
    "certify_batches",
    "certify_dask",
    "certify_partition",
    "certify_spark",
    "exclusion_batches",
    "exclusion_rows",
    "exclusion_schema",
    "exclusion_struct",
]
