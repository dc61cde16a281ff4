"""Certification on a real Dask cluster (a LocalCluster of two worker processes).

The results must be identical to the single-process engine's (``certify_many``), volunteer by
volunteer, on generated records with same-day records, overlaps, amendments (some of another
volunteer's record, some in chains) and several organizations.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dask
import dask.dataframe as dd
import pandas as pd
import pyarrow as pa
import pytest
from distributed import Client, LocalCluster

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
from volunteer_rules.tables import certification_schema, certify_dask, exclusion_schema
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            # The scheduler serves /health and /metrics even without a dashboard, on port 8787
            # unless told otherwise: any free port, so that two runs on one machine both start.
            scheduler_kwargs={"dashboard_address": ":0"},
            memory_limit="1GiB",
        ) as cluster,
        Client(cluster) as connected,
    ):
        yield connected


def frame(payloads: list[dict[str, Any]], npartitions: int = 3) -> dd.DataFrame:
    table = pd.DataFrame(columns(payloads))
    if "group_service" in table:  # a nullable bool column (Dask turns object columns to text)
        table["group_service"] = table["group_service"].astype("boolean")
    return dd.from_pandas(table, npartitions=npartitions)


def as_rows(result: pd.DataFrame, schema: pa.Schema) -> list[dict[str, Any]]:
    return sort_rows(pa.Table.from_pandas(result, schema=schema, preserve_index=False).to_pylist())


@pytest.mark.parametrize(("seed", "rule_set"), [(1, RULE_SETS[0]), (2, RULE_SETS[1])])
def test_dask_equals_the_single_process_engine(client: Client, seed: int, rule_set: str) -> None:
    # keys two volunteers hold (a conflict both results list) and amendments of another
    # volunteer's record (chains too) must reach every partition they change; record ids two
    # organizations use are told apart by the exclusions' organization_id
    payloads = shared_ids(shared_keys(rows(seed)))
    expected, expected_exclusions = single_process(payloads, rule_set)
    certifications, exclusions = certify_dask(
        frame(payloads), rule_set=rule_set, as_of=AS_OF, partitions=4
    )
    got, got_exclusions = dask.compute(certifications, exclusions)
    assert as_rows(got, certification_schema()) == expected
    assert as_rows(got_exclusions, exclusion_schema()) == expected_exclusions
    # the declared meta is what the workers return
    assert dict(got.dtypes) == dict(certifications._meta.dtypes)
    assert dict(got_exclusions.dtypes) == dict(exclusions._meta.dtypes)
    assert any(e["reason"] == "duplicate_record" for e in expected_exclusions)
    assert_ids_shared_and_one_excluded(payloads, expected_exclusions)


def test_rows_are_routed_by_their_ids_as_parse_record_reads_them(client: Client) -> None:
    """Ids with spaces around them or a credit code in lowercase: one volunteer, one result;
    a conflict and an amendment reach every volunteer they concern."""
    payloads = spelled_otherwise()
    expected, expected_exclusions = single_process(payloads, "cn-national")
    certifications, exclusions = certify_dask(
        frame(payloads, 3), rule_set="cn-national", as_of=AS_OF, partitions=5
    )
    got, got_exclusions = dask.compute(certifications, exclusions)
    assert as_rows(got, certification_schema()) == expected
    assert as_rows(got_exclusions, exclusion_schema()) == expected_exclusions


def test_a_bad_record_in_a_worker_raises_the_library_error(client: Client) -> None:
    bad = dict(SAMPLE_RECORD_PAYLOAD, record_id="r-bad", region_code="999999")
    certifications, _ = certify_dask(
        frame([SAMPLE_RECORD_PAYLOAD, bad], 2), rule_set="cn-national", as_of=AS_OF
    )
    with pytest.raises(vr.RecordFormatError, match="record r-bad of organization") as info:
        certifications.compute()
    assert [(e.path, e.code) for e in info.value.errors] == [("$.region_code", "unknown_code")]


def test_wrong_arguments_are_library_errors() -> None:
    records = frame([SAMPLE_RECORD_PAYLOAD], 1)
    with pytest.raises(vr.InvalidTypeError):
        certify_dask(pd.DataFrame(), rule_set="cn-national", as_of=AS_OF)
    with pytest.raises(vr.InvalidValueError, match="volunteer_id"):
        certify_dask(records.drop(columns=["volunteer_id"]), rule_set="cn-national", as_of=AS_OF)
    floats = records.assign(service_minutes=records["service_minutes"].astype("float64"))
    with pytest.raises(vr.InvalidValueError, match="column service_minutes"):
        certify_dask(floats, rule_set="cn-national", as_of=AS_OF)
    with pytest.raises(vr.UnknownRuleSetError):
        certify_dask(records, rule_set="xx-nowhere", as_of=AS_OF)
    with pytest.raises(vr.InvalidValueError, match="age bands"):
        certify_dask(records, rule_set="us-pvsa", as_of=AS_OF)


@pytest.mark.parametrize("partitions", [True, False, 0, -1, 2.0, "4"])
def test_partitions_is_a_positive_int_and_never_a_bool(partitions: object) -> None:
    """As ``chunk_rows`` is: ``True`` is no count of partitions (it used to pass as 1)."""
    records = frame([SAMPLE_RECORD_PAYLOAD], 1)
    with pytest.raises(vr.InvalidValueError, match="partitions: must be a positive int"):
        certify_dask(records, rule_set="cn-national", as_of=AS_OF, partitions=partitions)  # type: ignore[arg-type]
