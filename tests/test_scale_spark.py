"""Certification on a real Spark session (``local[2]``), one session for the module.

The results must be identical to the single-process engine's (``certify_many``), volunteer by
volunteer, on generated records with same-day records, overlaps, amendments (some of another
volunteer's record, some in chains) and several organizations. Arrow batches are kept small so
that volunteers' records span two batches of a task.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest
from pyspark.errors import PythonException
from pyspark.sql import DataFrame, SparkSession

import volunteer_rules as vr
from scale_support import (
    AS_OF,
    RULE_SETS,
    assert_ids_shared_and_one_excluded,
    columns,
    rows,
    shared_ids,
    shared_keys,
    single_process,
    sort_rows,
    spelled_otherwise,
)
from volunteer_rules.tables import (
    certification_struct,
    certify_spark,
    exclusion_struct,
    spark_errors,
)
from volunteer_rules.tables.spark import _carried
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    with pytest.MonkeyPatch.context() as patch:
        # the Python workers must be this interpreter (the one with the package installed)
        patch.setenv("PYSPARK_PYTHON", sys.executable)
        patch.setenv("PYSPARK_DRIVER_PYTHON", sys.executable)
        session = (
            SparkSession.builder.master("local[2]")
            .appName("volunteer_rules-tests")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "3")
            .config("spark.default.parallelism", "2")
            .config("spark.sql.execution.arrow.maxRecordsPerBatch", "64")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.driver.memory", "1g")
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        try:
            yield session
        finally:
            session.stop()


def frame(spark: SparkSession, payloads: list[dict[str, Any]]) -> DataFrame:
    return spark.createDataFrame(pa.table(columns(payloads)))


def collect(result: DataFrame) -> list[dict[str, Any]]:
    return sort_rows([row.asDict(recursive=True) for row in result.collect()])


@pytest.mark.parametrize(("seed", "rule_set"), [(3, RULE_SETS[0]), (4, RULE_SETS[1])])
def test_spark_equals_the_single_process_engine(
    spark: SparkSession, seed: int, rule_set: str
) -> None:
    # keys two volunteers hold (a conflict both results list) and amendments of another
    # volunteer's record (chains too) must reach every partition they change; record ids two
    # organizations use are told apart by the exclusions' organization_id
    payloads = shared_ids(shared_keys(rows(seed)))
    expected, expected_exclusions = single_process(payloads, rule_set)
    certifications, exclusions = certify_spark(
        frame(spark, payloads), rule_set=rule_set, as_of=AS_OF, persist=seed % 2 == 0
    )
    assert certifications.schema == certification_struct()
    assert exclusions.schema == exclusion_struct()
    # persisted, both read the one certifying pass from the cache (certified once)
    for result in (certifications, exclusions):
        plan = result._jdf.queryExecution().withCachedData().toString()
        assert ("InMemoryRelation" in plan) == (seed % 2 == 0)
    with spark_errors():
        assert collect(certifications) == expected
        assert collect(exclusions) == expected_exclusions
    spark.catalog.clearCache()
    assert any(e["reason"] == "duplicate_record" for e in expected_exclusions)
    assert_ids_shared_and_one_excluded(payloads, expected_exclusions)


def test_rows_are_routed_by_their_ids_as_parse_record_reads_them(spark: SparkSession) -> None:
    """Ids with spaces around them or a credit code in lowercase: one volunteer, one result;
    a conflict and an amendment reach every volunteer they concern."""
    payloads = spelled_otherwise()
    expected, expected_exclusions = single_process(payloads, "cn-national")
    certifications, exclusions = certify_spark(
        frame(spark, payloads), rule_set="cn-national", as_of=AS_OF, partitions=5, persist=True
    )
    with spark_errors():
        assert collect(certifications) == expected
        assert collect(exclusions) == expected_exclusions
    spark.catalog.clearCache()


def test_a_bad_record_in_a_worker_is_raised_as_the_library_error(spark: SparkSession) -> None:
    bad = dict(SAMPLE_RECORD_PAYLOAD, record_id="r-bad", date="2024-02-30")
    certifications, _ = certify_spark(
        frame(spark, [SAMPLE_RECORD_PAYLOAD, bad]), rule_set="cn-national", as_of=AS_OF
    )
    with (
        pytest.raises(vr.RecordFormatError, match="record r-bad of organization") as info,
        spark_errors(),
    ):
        certifications.collect()
    assert [(e.path, e.code) for e in info.value.errors] == [("$.date", "invalid_format")]
    assert isinstance(info.value.__cause__, PythonException)
    # without spark_errors, Spark's own exception names the library's error
    with pytest.raises(PythonException, match="RecordFormatError"):
        certifications.collect()


def test_spark_errors_rebuilds_the_error_a_worker_carried() -> None:
    # the worker's note carries the error as JSON, an ID number or a contact masked
    error = vr.RecordFormatError(
        [vr.FieldError("$.date", "invalid_date", "no 2024-02-30")],
        what="record 11010519491231002X of V13812345678 (li.lei@example.org), organization G-x",
    )
    text = f"Traceback...\nvolunteer_rules.errors.RecordFormatError: {error}\n{_carried(error)}\n"
    for personal in ("11010519491231002X", "13812345678", "li.lei@"):
        assert personal not in text
    with pytest.raises(vr.RecordFormatError) as info, spark_errors():
        raise PythonException(message=text)
    assert info.value.errors == (vr.FieldError("$.date", "invalid_date", "no 2024-02-30"),)
    assert str(info.value) == str(error)
    other = PythonException(message="ZeroDivisionError: division by zero")
    with pytest.raises(PythonException), spark_errors():
        raise other


def test_wrong_arguments_are_library_errors_on_the_driver(spark: SparkSession) -> None:
    records = frame(spark, [SAMPLE_RECORD_PAYLOAD])
    with pytest.raises(vr.InvalidTypeError):
        certify_spark([SAMPLE_RECORD_PAYLOAD], rule_set="cn-national", as_of=AS_OF)
    with pytest.raises(vr.InvalidTypeError, match="as_of"):
        certify_spark(records, rule_set="cn-national", as_of="2026-06-30")  # type: ignore[arg-type]
    with pytest.raises(vr.InvalidValueError, match="record_id"):
        certify_spark(records.drop("record_id"), rule_set="cn-national", as_of=AS_OF)
    floats = records.withColumn("service_minutes", records["service_minutes"].cast("double"))
    with pytest.raises(vr.InvalidValueError, match="column service_minutes"):
        certify_spark(floats, rule_set="cn-national", as_of=AS_OF)
    with pytest.raises(vr.InvalidValueError, match="column notes"):
        certify_spark(
            records.withColumn("notes", records["place"]), rule_set="cn-national", as_of=AS_OF
        )
    with pytest.raises(vr.UnknownRuleSetError):
        certify_spark(records, rule_set="xx-nowhere", as_of=AS_OF)
    with pytest.raises(vr.InvalidValueError, match="age bands"):
        certify_spark(records, rule_set="us-pvsa", as_of=AS_OF)
    with pytest.raises(vr.InvalidTypeError, match="persist"):
        certify_spark(records, rule_set="cn-national", as_of=AS_OF, persist=1)  # type: ignore[arg-type]
