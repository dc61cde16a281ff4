"""Certification on Apache Spark: a DataFrame of records in, DataFrames of results out.

:func:`certify_spark` takes a Spark DataFrame of service records (format v1 columns, see
:mod:`volunteer_rules.tables.partition`) and gives back two DataFrames with declared schemas:
one row per volunteer (:func:`certification_struct`) and one row per record not counted in
full (:func:`exclusion_struct`). The result equals :func:`~volunteer_rules.certify_many` over
all the records, volunteer by volunteer.

How: every record goes to its volunteer's partition (``repartition`` by volunteer, then sorted
by volunteer within the partition), and each task streams its partition through
:func:`~volunteer_rules.tables.partition.certify_batches` with ``mapInArrow``: memory per task
is one Arrow batch plus one volunteer's records. Two small steps run first, on the driver's
request: a check that no ``(organization_id, record_id)`` is used by two volunteers (the
single-process engine raises :class:`~volunteer_rules.ConflictError` for it, so this does too),
and, when some amendment names another volunteer's record, the chains of such amendments are
followed (one join per link) so that each reaches the partition of the volunteer it amends.

``pyspark`` (4.0 or later) is imported only when these functions are called.

Errors raised in the workers (a malformed record: :class:`~volunteer_rules.RecordFormatError`,
naming the record) reach the driver as Spark's ``PythonException``, whose text names the
library's error and its message; errors found on the driver (a conflict, an unknown rule set,
a missing column) are raised as the library's own exceptions.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any

from volunteer_rules.errors import ConflictError, InvalidTypeError, InvalidValueError
from volunteer_rules.rules.certification import _rule_set
from volunteer_rules.rules.rule_set import RuleSet
from volunteer_rules.rules.schemes import RuleSetRegistry
from volunteer_rules.tables.partition import (
    BUCKET,
    CERTIFICATION_COLUMNS,
    EXCLUSION_COLUMNS,
    certify_batches,
    exclusion_batches,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame
    from pyspark.sql.types import DataType, StructType

__all__ = ["certification_struct", "certify_spark", "exclusion_struct"]

_REQUIRED = ("record_id", "volunteer_id", "organization_id")


def _spark_type(name: str) -> DataType:
    from pyspark.sql import types as t

    simple: dict[str, DataType] = {
        "string": t.StringType(),
        "date32": t.DateType(),
        "int32": t.IntegerType(),
        "int64": t.LongType(),
        "bool": t.BooleanType(),
    }
    if name in simple:
        return simple[name]
    if name == "list<string>":
        return t.ArrayType(t.StringType(), containsNull=False)
    if name == "list<int32>":
        return t.ArrayType(t.IntegerType(), containsNull=False)
    return t.ArrayType(
        t.StructType(
            [
                t.StructField("record_id", t.StringType(), nullable=False),
                t.StructField("reason", t.StringType(), nullable=False),
            ]
        ),
        containsNull=False,
    )


def certification_struct() -> StructType:
    """The Spark schema of the certification DataFrame (one row per volunteer).

    The columns are :data:`~volunteer_rules.tables.partition.CERTIFICATION_COLUMNS`.

    Returns:
        A ``pyspark.sql.types.StructType``.

    Example:
        >>> certification_struct()["counted_minutes"].dataType
        LongType()
    """
    from pyspark.sql import types as t

    return t.StructType(
        [t.StructField(n, _spark_type(k), nullable=null) for n, k, null in CERTIFICATION_COLUMNS]
    )


def exclusion_struct() -> StructType:
    """The Spark schema of the exclusion DataFrame (one row per record not counted in full).

    The columns are :data:`~volunteer_rules.tables.partition.EXCLUSION_COLUMNS`.

    Returns:
        A ``pyspark.sql.types.StructType``.

    Example:
        >>> exclusion_struct().fieldNames()
        ['volunteer_id', 'position', 'record_id', 'reason']
    """
    from pyspark.sql import types as t

    return t.StructType(
        [t.StructField(n, _spark_type(k), nullable=null) for n, k, null in EXCLUSION_COLUMNS]
    )


def _check_conflicts(records: DataFrame) -> None:
    """Raise ConflictError when one record key is used by two volunteers."""
    from pyspark.sql import functions as f

    clash = (
        records.groupBy("organization_id", "record_id")
        .agg(f.countDistinct("volunteer_id").alias("n"))
        .where(f.col("n") > 1)
        .limit(1)
        .collect()
    )
    if clash:
        org, record_id = clash[0]["organization_id"], clash[0]["record_id"]
        raise ConflictError(
            f"{org}/{record_id}",
            f"record {record_id} of organization {org} was given twice with different content",
        )


def _bucketed(records: DataFrame) -> DataFrame:
    """Own rows under their volunteer, plus amendments sent to the volunteers they reach."""
    from pyspark.sql import functions as f

    own = records.withColumn(BUCKET, f.col("volunteer_id"))
    if "amends" not in records.columns:
        return own
    amendments = records.where(f.col("amends").isNotNull()).select(
        f.col("organization_id").alias("_org"),
        f.col("record_id").alias("_id"),
        f.col("amends").alias("_amends"),
        f.col("volunteer_id").alias("_vol"),
    )
    targets = records.select(
        f.col("organization_id").alias("_org"),
        f.col("record_id").alias("_amends"),
        f.col("volunteer_id").alias("_to"),
    )

    def step(reached: DataFrame) -> DataFrame:
        # amendments of a record in `reached`, sent where that record is (if not already theirs)
        return (
            amendments.join(reached, ["_org", "_amends"])
            .where(f.col("_vol") != f.col("_to"))
            .select("_org", "_id", "_to")
            .distinct()
        )

    sent = step(targets).localCheckpoint()
    frontier = sent
    while not frontier.isEmpty():
        following = step(frontier.withColumnRenamed("_id", "_amends"))
        frontier = following.join(sent, ["_org", "_id", "_to"], "left_anti").localCheckpoint()
        sent = sent.unionByName(frontier).localCheckpoint()
    brought = records.join(
        sent.withColumnRenamed("_org", "organization_id").withColumnRenamed("_id", "record_id"),
        ["organization_id", "record_id"],
    ).withColumnRenamed("_to", BUCKET)
    return own.unionByName(brought.select(*own.columns))


def certify_spark(
    records: DataFrame,
    *,
    rule_set: RuleSet | str,
    as_of: _dt.date,
    partitions: int | None = None,
    registry: RuleSetRegistry | None = None,
) -> tuple[DataFrame, DataFrame]:
    """Certify every volunteer of a Spark DataFrame of records.

    Args:
        records: service records, one column per field of record format v1 (at least
            ``record_id``, ``volunteer_id``, ``organization_id``; see
            :mod:`volunteer_rules.tables.partition` for the column types).
        rule_set: a rule set id or a ``RuleSet``.
        as_of: the day of the certification.
        partitions: how many partitions to certify in (default: Spark's
            ``spark.sql.shuffle.partitions``).
        registry: where to look the rule set id up.

    Returns:
        ``(certifications, exclusions)``: DataFrames with the schemas :func:`certification_struct`
        and :func:`exclusion_struct`. Both are lazy; the exclusions are read out of the
        certifications' ``excluded`` column, so persist the certifications first if you compute
        both.

    Raises:
        ConflictError: two volunteers' records share one ``(organization_id, record_id)``.
        UnknownRuleSetError: no rule set under that id.
        InvalidTypeError: ``records`` is not a Spark DataFrame or ``as_of`` not a date.
        InvalidValueError: a required column is missing, or ``partitions`` is not positive.

    Example:
        >>> import datetime as dt
        >>> from pyspark.sql import SparkSession  # doctest: +SKIP
        >>> spark = SparkSession.builder.master("local[2]").getOrCreate()  # doctest: +SKIP
        >>> records = spark.read.parquet("records.parquet")  # doctest: +SKIP
        >>> certifications, exclusions = certify_spark(
        ...     records, rule_set="cn-national", as_of=dt.date(2025, 1, 1)
        ... )  # doctest: +SKIP
        >>> certifications.groupBy("level_rank").count().show()  # doctest: +SKIP
    """
    from pyspark.sql import DataFrame as SparkDataFrame

    if not isinstance(records, SparkDataFrame):
        raise InvalidTypeError("records", "must be a pyspark.sql.DataFrame")
    if not isinstance(as_of, _dt.date) or isinstance(as_of, _dt.datetime):
        raise InvalidTypeError("as_of", "must be a datetime.date")
    if partitions is not None and (not isinstance(partitions, int) or partitions < 1):
        raise InvalidValueError("partitions", "must be a positive int")
    missing = [c for c in _REQUIRED if c not in records.columns]
    if missing:
        raise InvalidValueError("records", f"missing column(s): {', '.join(missing)}")
    chosen = _rule_set(rule_set, registry)
    _check_conflicts(records)
    bucketed = _bucketed(records)
    n = partitions or int(records.sparkSession.conf.get("spark.sql.shuffle.partitions") or 200)
    ordered = bucketed.repartition(n, BUCKET).sortWithinPartitions(BUCKET)

    def run(batches: Any) -> Any:
        return certify_batches(batches, rule_set=chosen, as_of=as_of)

    certifications = ordered.mapInArrow(run, certification_struct())
    exclusions = certifications.select("volunteer_id", "excluded").mapInArrow(
        exclusion_batches, exclusion_struct()
    )
    return certifications, exclusions
