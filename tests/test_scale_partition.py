"""Certification one partition at a time (no engine): the work each Spark or Dask task does."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import volunteer_rules as vr
from scale_support import (
    AS_OF,
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
    BUCKET,
    CERTIFICATION_COLUMNS,
    EXCLUDED_ORGANIZATIONS,
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
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD

ROWS = rows(seed=11, volunteers=60)


@pytest.mark.parametrize("rule_set", ["cn-national", "cn-zhangjiagang", "uk-millennium-volunteers"])
def test_partitions_made_by_bucket_rows_equal_certify_many(rule_set: str) -> None:
    # the adapters' routing rule and one partition per group of volunteers, with no engine:
    # amendments of another volunteer's record and keys two volunteers hold reach them all
    # and record ids two organizations use: the exclusions name each record by its whole key
    payloads = shared_ids(shared_keys(ROWS))
    expected, expected_exclusions = single_process(payloads, rule_set)
    parts: dict[int, list[dict[str, Any]]] = {}
    for row in bucket_rows(payloads):
        parts.setdefault(int(row[BUCKET][2:]) % 4, []).append(row)
    keyed = pa.concat_tables(
        certify_partition(pa.table(columns(part)), rule_set=rule_set, as_of=AS_OF, keyed=True)
        for part in parts.values()
    )
    assert sort_rows(keyed.drop_columns(EXCLUDED_ORGANIZATIONS).to_pylist()) == expected
    exclusions = exclusion_table(keyed)
    assert sort_rows(exclusions.to_pylist()) == expected_exclusions
    assert any(e["reason"] == "duplicate_record" for e in expected_exclusions)
    assert_ids_shared_and_one_excluded(payloads, expected_exclusions)


def test_rows_are_routed_by_their_ids_as_parse_record_reads_them() -> None:
    """A volunteer id with spaces around it, a key and an amended key written in lowercase or
    with spaces: one volunteer in one partition, the conflict and the amendment seen by every
    volunteer they concern (they used to be routed by their text, and certified apart)."""
    payloads = spelled_otherwise()
    expected, expected_exclusions = single_process(payloads, "cn-national")
    parts: dict[str, list[dict[str, Any]]] = {}
    for row in bucket_rows(payloads):
        parts.setdefault(row[BUCKET], []).append(row)
    assert sorted(parts) == ["V1", "V2", "V3", "V4", "V5"]
    keyed = pa.concat_tables(
        certify_partition(pa.table(columns(part)), rule_set="cn-national", as_of=AS_OF, keyed=True)
        for part in parts.values()
    )
    assert sort_rows(keyed.drop_columns(EXCLUDED_ORGANIZATIONS).to_pylist()) == expected
    assert sort_rows(exclusion_table(keyed).to_pylist()) == expected_exclusions
    reasons = {(e["volunteer_id"], e["record_id"], e["reason"]) for e in expected_exclusions}
    assert {("V2", "r3", "duplicate_record"), ("V4", "r5", "superseded")} <= reasons
    assert [r["counted_minutes"] for r in expected if r["volunteer_id"] == "V1"] == [240]


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


@settings(max_examples=15, deadline=None)
@given(
    chunk=st.integers(min_value=1, max_value=40),
    chunk_rows=st.integers(min_value=1, max_value=60),
    seed=st.integers(0, 3),
    rule_set=st.sampled_from(["cn-zhangjiagang", "cn-national"]),
)
def test_batches_split_anywhere_give_the_same_answer(
    chunk: int, chunk_rows: int, seed: int, rule_set: str
) -> None:
    payloads = shared_ids(shared_keys(rows(seed=seed, volunteers=12)))
    expected, expected_exclusions = single_process(payloads, rule_set)
    bucketed = sorted(bucket_rows(payloads), key=lambda p: p[BUCKET])
    batches = pa.table(columns(bucketed)).to_batches(max_chunksize=chunk)
    out = list(
        certify_batches(batches, rule_set=rule_set, as_of=AS_OF, chunk_rows=chunk_rows, keyed=True)
    )
    got = [r for b in out for r in b.drop_columns(EXCLUDED_ORGANIZATIONS).to_pylist()]
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


def test_evaluations_as_a_struct_or_as_two_columns_are_read() -> None:
    rated = dict(
        SAMPLE_RECORD_PAYLOAD,
        record_id="r-rated",
        date="2024-06-01",
        start="2024-06-01T09:00:00+08:00",
        end="2024-06-01T11:00:00+08:00",
        recorded_at="2024-06-02T09:00:00+08:00",
        evaluation={"rating": "fail", "date": "2024-06-02"},
    )
    expected, _ = single_process([SAMPLE_RECORD_PAYLOAD, rated], "cn-national")
    as_struct = certify_partition(
        pa.table(columns([SAMPLE_RECORD_PAYLOAD, rated])), rule_set="cn-national", as_of=AS_OF
    )
    assert as_struct.to_pylist() == expected
    flat = [
        {k: v for k, v in p.items() if k != "evaluation"} for p in (SAMPLE_RECORD_PAYLOAD, rated)
    ]
    flat[1].update(evaluation_rating="fail", evaluation_date=dt.date(2024, 6, 2))
    as_columns = certify_partition(pa.table(columns(flat)), rule_set="cn-national", as_of=AS_OF)
    assert as_columns.to_pylist() == expected
    assert expected[0]["unmet"]  # the evaluation decides: the quality rule is not met


@pytest.mark.parametrize(
    ("column", "kind", "message"),
    [
        ("service_minutes", pa.float64(), "service_minutes (double) must be an integer"),
        ("start", pa.timestamp("us"), "start (timestamp[us]) is a timestamp without a time zone"),
        ("date", pa.int32(), "date (int32) must be text"),
        ("group_service", pa.string(), "group_service (string) must be a boolean"),
        ("notes", pa.string(), "notes (string) is not a field of record format v1"),
        (
            "evaluation",
            pa.struct([("rating", pa.string()), ("score", pa.int8())]),
            "has fields an evaluation has not: score",
        ),
    ],
)
def test_a_column_no_row_can_be_valid_in_is_refused_before_any_row(
    column: str, kind: pa.DataType, message: str
) -> None:
    names = ("record_id", "volunteer_id", "organization_id")
    schema = pa.schema([*((n, pa.string()) for n in names), (column, kind)])
    with pytest.raises(vr.InvalidValueError, match=re.escape(message)):
        check_record_schema(schema)
    with pytest.raises(vr.InvalidValueError, match="column"):
        certify_partition(schema.empty_table(), rule_set="cn-national", as_of=AS_OF)


def test_a_rule_set_with_age_bands_is_refused_before_any_row() -> None:
    # age bands need birth dates, which a record table does not hold (certify_many says so too)
    table = pa.Table.from_pylist([SAMPLE_RECORD_PAYLOAD])
    with pytest.raises(vr.InvalidValueError, match="age bands"):
        certify_partition(table, rule_set="us-pvsa", as_of=AS_OF)
    with pytest.raises(vr.InvalidValueError, match="birth dates"):
        vr.certify_many([vr.parse_record(SAMPLE_RECORD_PAYLOAD)], rule_set="us-pvsa", as_of=AS_OF)


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


def test_a_key_two_volunteers_hold_reaches_both_with_what_amends_it() -> None:
    def row(record_id: str, volunteer: str, amends: str | None = None) -> dict[str, Any]:
        return {
            "organization_id": "G-x",
            "record_id": record_id,
            "volunteer_id": volunteer,
            "amends": amends,
        }

    # k is held by V1 and V2 (a conflict); m (V3) amends k
    given = [row("k", "V1"), row("k", "V2"), row("m", "V3", "k")]
    got = sorted((r["record_id"], r["volunteer_id"], r[BUCKET]) for r in bucket_rows(given))
    assert got == sorted(
        [
            ("k", "V1", "V1"),
            ("k", "V2", "V2"),
            ("m", "V3", "V3"),
            ("k", "V2", "V1"),
            ("k", "V1", "V2"),
            ("m", "V3", "V1"),
            ("m", "V3", "V2"),
        ]
    )


@pytest.mark.parametrize("rule_set_id", vr.rule_set_ids())
def test_rule_sets_travel_to_workers_through_cloudpickle(rule_set_id: str) -> None:
    # Spark ships a task's closure with cloudpickle; an Hours inside must come back whole
    import cloudpickle

    rule_set = vr.get_rule_set(rule_set_id)
    assert cloudpickle.loads(cloudpickle.dumps(rule_set)) == rule_set
    assert cloudpickle.loads(cloudpickle.dumps(vr.Hours.from_minutes(5000))).minutes == 5000


def test_without_keyed_the_certification_table_is_the_one_table() -> None:
    payloads = shared_ids(ROWS)
    plain = certify_partition(pa.table(columns(payloads)), rule_set="cn-national", as_of=AS_OF)
    keyed = certify_partition(
        pa.table(columns(payloads)), rule_set="cn-national", as_of=AS_OF, keyed=True
    )
    assert plain.schema == certification_schema()
    assert keyed.schema.names == [*certification_schema().names, EXCLUDED_ORGANIZATIONS]
    assert keyed.drop_columns(EXCLUDED_ORGANIZATIONS).equals(plain)
    with pytest.raises(vr.InvalidTypeError, match="keyed"):
        certify_partition(pa.table(columns(payloads)), rule_set="cn-national", as_of=AS_OF, keyed=1)  # type: ignore[arg-type]


def test_exclusions_need_the_organizations() -> None:
    payloads = shared_ids(ROWS)
    plain = certify_partition(pa.table(columns(payloads)), rule_set="cn-national", as_of=AS_OF)
    with pytest.raises(vr.InvalidValueError, match=EXCLUDED_ORGANIZATIONS):
        exclusion_table(plain)
    keyed = certify_partition(
        pa.table(columns(payloads)), rule_set="cn-national", as_of=AS_OF, keyed=True
    )
    uneven = keyed.set_column(
        keyed.schema.get_field_index(EXCLUDED_ORGANIZATIONS),
        EXCLUDED_ORGANIZATIONS,
        pa.array([["G"] * (len(e) + 1) for e in keyed.column("excluded").to_pylist()]),
    )
    with pytest.raises(vr.InvalidValueError, match="one organization per excluded record"):
        exclusion_table(uneven)
    records = [vr.parse_record(p) for p in payloads]
    result = vr.certify_many(records, rule_set="cn-national", as_of=AS_OF)
    excluded = next(c for c in result.values() if c.excluded)
    with pytest.raises(vr.InvalidValueError, match="organizations"):
        exclusion_rows(excluded)
    with pytest.raises(vr.InvalidValueError, match="one per excluded record"):
        exclusion_rows(excluded, organizations=[])
    counted = vr.certify(
        [vr.parse_record(SAMPLE_RECORD_PAYLOAD)], rule_set="cn-national", as_of=AS_OF
    )
    assert exclusion_rows(counted) == []
