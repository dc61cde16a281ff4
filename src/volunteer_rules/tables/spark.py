"""Certification on Apache Spark: a DataFrame of records in, DataFrames of results out.

:func:`certify_spark` takes a Spark DataFrame of service records (format v1 columns, see
:mod:`volunteer_rules.tables.partition`) and gives back two DataFrames with declared schemas:
one row per volunteer (:func:`certification_struct`) and one row per record not counted in
full (:func:`exclusion_struct`). The result equals :func:`~volunteer_rules.certify_many` over
all the records, volunteer by volunteer.

How: every row goes to the partition of its volunteer (``repartition`` by volunteer, then
sorted by volunteer within the partition), and each task streams its partition through
:func:`~volunteer_rules.tables.partition.certify_batches` with ``mapInArrow``: the rows are
validated and certified by the table engine
(:func:`~volunteer_rules.tables.results.certify_table`'s), a chunk of whole volunteers at a
time, so memory per task is one chunk plus one volunteer's records. One step runs first, on
the driver's request: the rows that can change another volunteer's result are sent to that
volunteer's partition too (the versions of a key two volunteers hold, which is a conflict
both results list; the amendments of another volunteer's record, chains followed, one join
per link).

``pyspark`` (4.0 or later) is imported only when these functions are called.

What can be checked before any task runs is checked on the driver and raised as the
library's own errors: the arguments, the columns and their types
(:func:`~volunteer_rules.tables.partition.check_record_schema`), the rule set (known, and
without age bands on ``as_of``: they need birth dates a record table does not hold). A
malformed row is found by the task that reads it; run the action inside :func:`spark_errors`
to have it raised as the library's :class:`~volunteer_rules.RecordFormatError` (naming the
record, with every problem) rather than Spark's ``PythonException``.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from volunteer_rules import errors as errors_module
from volunteer_rules._privacy import mask_personal_data
from volunteer_rules.errors import (
    FieldError,
    InvalidTypeError,
    InvalidValueError,
    VolunteerRulesError,
)
from volunteer_rules.rules.rule_set import RuleSet
from volunteer_rules.rules.schemes import RuleSetRegistry
from volunteer_rules.tables.partition import (
    BUCKET,
    CERTIFICATION_COLUMNS,
    EXCLUDED_ORGANIZATIONS,
    EXCLUSION_COLUMNS,
    _check_driver_arguments,
    _checked_rule_set,
    certify_batches,
    check_record_schema,
    exclusion_batches,
)

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame
    from pyspark.sql.types import DataType, StructType

__all__ = ["certification_struct", "certify_spark", "exclusion_struct", "spark_errors"]


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
        ['volunteer_id', 'organization_id', 'position', 'record_id', 'reason']
    """
    from pyspark.sql import types as t

    return t.StructType(
        [t.StructField(n, _spark_type(k), nullable=null) for n, k, null in EXCLUSION_COLUMNS]
    )


def _arrow_schema(records: DataFrame) -> pa.Schema:
    """The Arrow schema of a Spark DataFrame, column by column.

    A column Arrow cannot hold is named in an :class:`~volunteer_rules.InvalidValueError`.
    """
    import pyarrow as pa
    from pyspark.sql import types as t
    from pyspark.sql.pandas.types import to_arrow_schema

    fields = []
    for field in records.schema.fields:
        try:
            converted = to_arrow_schema(t.StructType([field]), timezone="UTC")
        except Exception:  # pyspark raises several types for a type Arrow lacks
            raise InvalidValueError(
                "records", f"column {field.name} ({field.dataType.simpleString()}) cannot be read"
            ) from None
        fields.append(converted.field(0))
    return pa.schema(fields)


_KEYS = {
    "organization_id": "_k_org",
    "record_id": "_k_id",
    "volunteer_id": "_k_vol",
    "amends": "_k_amends",
}
"""The columns routed by, each the id of a column as ``parse_record`` reads it."""


def _with_keys(records: DataFrame) -> DataFrame:
    """The rows with the ids they are routed by, as ``parse_record`` reads them.

    Trimmed of what ``str.strip`` removes, a credit code in uppercase.
    """
    from pyspark.sql import functions as f

    from volunteer_rules.tables._steps import _SPACE_CLASS

    around = f"^[{_SPACE_CLASS}]+|[{_SPACE_CLASS}]+$"  # (the class is Java's regex too)
    keys = {
        key: f.regexp_replace(f.col(name).cast("string"), around, "")
        for name, key in _KEYS.items()
        if name in records.columns
    }
    organization = keys["_k_org"]
    keys["_k_org"] = f.when(organization.startswith("G-"), organization).otherwise(
        f.upper(organization)
    )
    return records.withColumns(keys)


def _routed(records: DataFrame) -> DataFrame:
    """Own rows under their volunteer, plus every row sent to another volunteer it reaches.

    The rule of :func:`~volunteer_rules.tables.partition.bucket_rows`, with joins: the
    versions of a key held by two volunteers go to both, and amendments go to every volunteer
    whose record they reach (one join per link of a chain). Ids are compared as
    ``parse_record`` reads them (trimmed; a credit code in uppercase).
    """
    from pyspark.sql import functions as f

    given = records.columns
    records = _with_keys(records)
    own = records.withColumn(BUCKET, f.col("_k_vol")).select(*given, BUCKET)
    holders = records.select(
        f.col("_k_org").alias("_org"),
        f.col("_k_id").alias("_id"),
        f.col("_k_vol").alias("_to"),
    )
    # keys held by more than one volunteer: each holder gets every version (a conflict)
    shared = (
        holders.groupBy("_org", "_id")
        .agg(f.collect_set("_to").alias("_tos"))
        .where(f.size("_tos") > 1)
        .select("_org", "_id", f.explode("_tos").alias("_to"))
        .localCheckpoint()
    )
    pairs = None if shared.isEmpty() else shared
    if "amends" in given:
        sent = _amendments_sent(records, holders)
        if sent is not None:
            pairs = sent if pairs is None else pairs.unionByName(sent).distinct()
    if pairs is None:
        return own
    brought = (
        records.join(
            pairs.withColumnRenamed("_org", "_k_org").withColumnRenamed("_id", "_k_id"),
            ["_k_org", "_k_id"],
        )
        .where(f.col("_k_vol") != f.col("_to"))
        .withColumnRenamed("_to", BUCKET)
    )
    return own.unionByName(brought.select(*given, BUCKET))


def _amendments_sent(records: DataFrame, holders: DataFrame) -> DataFrame | None:
    """``(_org, _id, _to)``: amendments sent to a volunteer whose record they reach."""
    from pyspark.sql import functions as f

    # a few rows in a thousand: held once, so that following a chain reads no more records
    amendments = (
        records.where(f.col("_k_amends").isNotNull())
        .select(
            f.col("_k_org").alias("_org"),
            f.col("_k_id").alias("_id"),
            f.col("_k_amends").alias("_amends"),
            f.col("_k_vol").alias("_vol"),
        )
        .localCheckpoint()
    )
    if amendments.isEmpty():
        return None

    def step(reached: DataFrame) -> DataFrame:
        # amendments of a record in `reached`, sent where that record is (if not already theirs)
        return (
            amendments.join(reached, ["_org", "_amends"])
            .where(f.col("_vol") != f.col("_to"))
            .select("_org", "_id", "_to")
            .distinct()
        )

    sent = step(holders.withColumnRenamed("_id", "_amends")).localCheckpoint()
    if sent.isEmpty():
        return None
    frontier = sent
    while not frontier.isEmpty():
        following = step(frontier.withColumnRenamed("_id", "_amends"))
        frontier = following.join(sent, ["_org", "_id", "_to"], "left_anti").localCheckpoint()
        sent = sent.unionByName(frontier).localCheckpoint()
    return sent


_MARK = "volunteer_rules error: "


def _carried(error: VolunteerRulesError) -> str:
    """A note for a worker's library error: its type, args and attributes as JSON, masked."""
    state: dict[str, Any] = {}
    for name, value in vars(error).items():
        if name.startswith("__"):
            continue
        if name == "errors":
            value = [[e.path, e.code, mask_personal_data(e.message)] for e in value]
        elif isinstance(value, str):
            value = mask_personal_data(value)
        elif value is not None and not isinstance(value, (int, bool)):
            continue
        state[name] = value
    args = [mask_personal_data(a) if isinstance(a, str) else a for a in error.args]
    return _MARK + json.dumps({"type": type(error).__name__, "args": args, "state": state})


def _library_error(text: str) -> VolunteerRulesError | None:
    """The library error a worker's exception text carries (see :func:`_carried`), if any."""
    at = text.rfind(_MARK)
    if at < 0:
        return None
    line = text[at + len(_MARK) :].split("\n", 1)[0]
    try:
        carried = json.loads(line)
        cls = getattr(errors_module, carried["type"])
        state = dict(carried["state"])
        args = tuple(carried["args"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if not (isinstance(cls, type) and issubclass(cls, VolunteerRulesError)):
        return None
    if "errors" in state:
        state["errors"] = tuple(FieldError(*e) for e in state["errors"])
    return errors_module._rebuild_error(cls, args, state)


@contextlib.contextmanager
def spark_errors() -> Iterator[None]:
    """Raise a library error that a Spark worker raised as itself, not as a ``PythonException``.

    Spark reports an exception raised in a Python worker as ``PythonException``, with the
    worker's traceback as text. Run the action that computes :func:`certify_spark`'s results
    (``collect``, ``write``, ``count``...) inside this context: a library error raised in a
    worker (a malformed record: :class:`~volunteer_rules.RecordFormatError`, naming the record
    and listing its problems) is raised again here as the same type, with the same message
    and attributes. Any other exception passes through unchanged.

    Example:
        >>> with spark_errors():
        ...     pass
        >>> import volunteer_rules as vr
        >>> try:
        ...     with spark_errors():
        ...         raise vr.InvalidValueError("as_of", "must be a date")
        ... except vr.InvalidValueError as error:
        ...     print(error.what)
        as_of
    """
    from pyspark.errors import PythonException

    try:
        yield
    except PythonException as error:
        found = _library_error(str(error))
        if found is None:
            raise
        raise found from error


def certify_spark(
    records: DataFrame,
    *,
    rule_set: RuleSet | str,
    as_of: _dt.date,
    partitions: int | None = None,
    registry: RuleSetRegistry | None = None,
    persist: bool = False,
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
        persist: persist the certifying pass (Spark's default storage level), so that the two
            DataFrames read it and the records are certified once however many actions follow
            (free it with ``spark.catalog.clearCache()``).

    Returns:
        ``(certifications, exclusions)``: DataFrames with the schemas :func:`certification_struct`
        and :func:`exclusion_struct` (each excluded record by its key, ``organization_id`` and
        ``record_id``). Both are lazy and read out of one certifying pass (the certifications
        with each excluded record's organization), which every action runs again unless
        ``persist``: pass ``persist=True`` when you compute both.

    Raises:
        UnknownRuleSetError: no rule set under that id.
        InvalidTypeError: ``records`` is not a Spark DataFrame or ``as_of`` not a date.
        InvalidValueError: a column is missing, unknown or of a type no row can be valid in
            (:func:`~volunteer_rules.tables.partition.check_record_schema`, the message names
            it); the rule set has age bands on ``as_of``; ``partitions`` is not positive.

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
    from pyspark.sql import types as t

    if not isinstance(records, SparkDataFrame):
        raise InvalidTypeError("records", "must be a pyspark.sql.DataFrame")
    _check_driver_arguments(as_of, partitions)
    if not isinstance(persist, bool):
        raise InvalidTypeError("persist", "must be a bool")
    check_record_schema(_arrow_schema(records))
    chosen = _checked_rule_set(rule_set, as_of, registry)
    if BUCKET in records.columns:
        records = records.drop(BUCKET)
    n = partitions or int(records.sparkSession.conf.get("spark.sql.shuffle.partitions") or 200)
    ordered = _routed(records).repartition(n, BUCKET).sortWithinPartitions(BUCKET)

    def run(batches: Any) -> Iterator[Any]:
        try:
            yield from certify_batches(batches, rule_set=chosen, as_of=as_of, keyed=True)
        except VolunteerRulesError as error:  # carried to the driver: see spark_errors
            if hasattr(error, "add_note"):  # Python 3.11+
                error.add_note(_carried(error))
            raise

    organizations = t.ArrayType(t.StringType(), containsNull=False)
    keyed_struct = certification_struct().add(EXCLUDED_ORGANIZATIONS, organizations, False)
    keyed = ordered.mapInArrow(run, keyed_struct)
    if persist:
        keyed = keyed.persist()
    certifications = keyed.drop(EXCLUDED_ORGANIZATIONS)
    exclusions = keyed.select("volunteer_id", "excluded", EXCLUDED_ORGANIZATIONS).mapInArrow(
        exclusion_batches, exclusion_struct()
    )
    return certifications, exclusions
