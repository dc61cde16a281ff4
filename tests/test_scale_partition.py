"""Certification one partition at a time (no engine): the work each Spark or Dask task does."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import volunteer_rules as vr
from scale_support import AS_OF, columns, rows, single_process, sort_rows
from volunteer_rules.tables import (
    BUCKET,
    CERTIFICATION_COLUMNS,
    RECORD_FIELDS,
    bucket_rows,
    certification_row,
    certification_schema,
    certify_batches,
    certify_partition,
    exclusion_batches,
    exclusion_schema,
)
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD

ROWS = rows(seed=11, volunteers=60)


def test_record_fields_are_the_format_fields() -> None:
    payload = vr.dump_record(vr.parse_record(SAMPLE_RECORD_PAYLOAD))
    assert set(payload) <= set(RECORD_FIELDS)
    assert {"amends", "evaluation", "extensions", "group_service", "beneficiary"} <= set(
        RECORD_FIELDS
    )


def test_certification_row_has_every_column_and_matches_the_certification() -> None:
    records = [vr.parse_record(p) for p in ROWS if p["volunteer_id"] == "PJ0000003"]
    cert = vr.certify(records, rule_set="cn-zhangjiagang", as_of=AS_OF)
    row = certification_row(cert)
    assert list(row) == [name for name, _, _ in CERTIFICATION_COLUMNS]
    assert row["counted_minutes"] == cert.counted.minutes
    assert row["level_rank"] == cert.level.rank
    assert row["shortfall_minutes"] == cert.shortfall.minutes
    assert [(e["record_id"], e["reason"]) for e in row["excluded"]] == list(cert.excluded)
    # the declared schema takes the row as it is
    assert pa.Table.from_pylist([row], schema=certification_schema()).num_rows == 1


@pytest.mark.parametrize("rule_set", ["cn-national", "cn-zhangjiagang", "hk-swd"])
def test_one_partition_equals_certify_many(rule_set: str) -> None:
    expected, _ = single_process(ROWS, rule_set)
    table = pa.table(columns(ROWS))
    got = certify_partition(table, rule_set=rule_set, as_of=AS_OF).to_pylist()
    assert got == expected


@settings(max_examples=15)
@given(chunk=st.integers(min_value=1, max_value=40), seed=st.integers(0, 3))
def test_batches_split_anywhere_give_the_same_answer(chunk: int, seed: int) -> None:
    payloads = rows(seed=seed, volunteers=12)
    expected, expected_exclusions = single_process(payloads, "cn-zhangjiagang")
    bucketed = sorted(bucket_rows(payloads), key=lambda p: p[BUCKET])
    batches = pa.table(columns(bucketed)).to_batches(max_chunksize=chunk)
    out = list(certify_batches(batches, rule_set="cn-zhangjiagang", as_of=AS_OF))
    got = [r for b in out for r in b.to_pylist()]
    assert got == expected
    exclusions = [r for b in exclusion_batches(out) for r in b.to_pylist()]
    assert sort_rows(exclusions) == expected_exclusions
    assert all(b.schema == exclusion_schema() for b in exclusion_batches(out))


def test_dates_as_arrow_dates_and_aware_timestamps_are_read() -> None:
    payload = dict(SAMPLE_RECORD_PAYLOAD)
    typed: dict[str, Any] = dict(
        payload,
        date=dt.date.fromisoformat(payload["date"]),
        start=dt.datetime.fromisoformat(payload["start"]),
        end=dt.datetime.fromisoformat(payload["end"]),
        recorded_at=dt.datetime.fromisoformat(payload["recorded_at"]),
        extensions='{"source": "city"}',
    )
    del typed["format_version"]
    got = certify_partition(pa.Table.from_pylist([typed]), rule_set="cn-national", as_of=AS_OF)
    assert got.column("counted_minutes").to_pylist() == [120]


def test_a_bad_row_raises_the_record_format_error_naming_the_record() -> None:
    bad = dict(SAMPLE_RECORD_PAYLOAD, record_id="r-bad", service_minutes=0)
    table = pa.Table.from_pylist([SAMPLE_RECORD_PAYLOAD, bad])
    with pytest.raises(vr.RecordFormatError, match="record r-bad of organization") as info:
        certify_partition(table, rule_set="cn-national", as_of=AS_OF)
    assert [e.path for e in info.value.errors] == ["$.service_minutes"]


def test_not_a_table_is_a_library_error() -> None:
    with pytest.raises(vr.InvalidTypeError):
        certify_partition([SAMPLE_RECORD_PAYLOAD], rule_set="cn-national", as_of=AS_OF)


def test_amendments_reach_every_volunteer_their_chain_reaches() -> None:
    def row(record_id: str, volunteer: str, amends: str | None = None) -> dict[str, Any]:
        return {
            "organization_id": "G-x",
            "record_id": record_id,
            "volunteer_id": volunteer,
            "amends": amends,
        }

    # a (V1) <- b (V2) <- c (V3) <- d (V1); e (V2) <- f (V2)
    given = [
        row("a", "V1"),
        row("b", "V2", "a"),
        row("c", "V3", "b"),
        row("d", "V1", "c"),
        row("e", "V2"),
        row("f", "V2", "e"),
    ]
    got = sorted((r["record_id"], r[BUCKET]) for r in bucket_rows(given))
    assert got == sorted(
        [
            ("a", "V1"),
            ("b", "V2"),
            ("c", "V3"),
            ("d", "V1"),
            ("e", "V2"),
            ("f", "V2"),
            ("b", "V1"),
            ("c", "V1"),
            ("c", "V2"),
            ("d", "V2"),
            ("d", "V3"),
        ]
    )


@pytest.mark.parametrize("rule_set_id", vr.rule_set_ids())
def test_rule_sets_travel_to_workers_through_cloudpickle(rule_set_id: str) -> None:
    # Spark ships a task's closure with cloudpickle; an Hours inside must come back whole
    import cloudpickle

    rule_set = vr.get_rule_set(rule_set_id)
    assert cloudpickle.loads(cloudpickle.dumps(rule_set)) == rule_set
    assert cloudpickle.loads(cloudpickle.dumps(vr.Hours.from_minutes(5000))).minutes == 5000
