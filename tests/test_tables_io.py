"""Readers and writers of record tables against parse_record, rule for rule."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import volunteer_rules as vr
from volunteer_rules.errors import RecordFormatError
from volunteer_rules.testing import strategies as vst
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD

pl = pytest.importorskip("polars")

from volunteer_rules.tables import _steps as steps  # noqa: E402
from volunteer_rules.tables import io as tio  # noqa: E402


def _variant(payload: dict[str, Any], data: Any) -> dict[str, Any]:
    """Valid payloads in a non-canonical form, and without extensions (the column steps)."""
    payload = dict(payload)
    kind = data.draw(st.sampled_from(["as is", "no extensions", "spaces", "zulu", "null"]))
    if kind in ("no extensions", "spaces", "zulu", "null"):
        payload.pop("extensions", None)
    if kind == "spaces" and isinstance(payload.get("place"), str):
        payload["place"] = f" {payload['place']}\t"
    if kind == "zulu" and isinstance(payload.get("recorded_at"), str):
        payload["recorded_at"] = payload["recorded_at"].replace("+00:00", "Z")
    if kind == "null":
        payload["beneficiary"] = None
    return payload


def _expected(payloads: list[Any]) -> tuple[list[dict[str, Any]], list[tuple[Any, ...]]]:
    valid = []
    errors: list[tuple[Any, ...]] = []
    for number, payload in enumerate(payloads, start=1):
        try:
            valid.append(vr.dump_record(vr.parse_record(payload)))
        except RecordFormatError as error:
            errors.extend((number, e.path, e.code, e.message) for e in error.errors)
    return valid, errors


def _written_as_json(payload: Any) -> bool:
    """Whether a payload can be a line of JSON (a malformed one may hold a Python object)."""
    try:
        json.dumps(payload)
    except (TypeError, ValueError):
        return False
    return True


PAYLOADS = st.lists(
    st.one_of(vst.record_payloads(), vst.record_payloads(malformed=True).filter(_written_as_json)),
    max_size=6,
)


@settings(max_examples=30)
@given(PAYLOADS, st.data())
def test_json_lines_reader_is_parse_record(payloads: list[dict[str, Any]], data: Any) -> None:
    """Valid and invalid rows: the same records and exactly the same errors."""
    payloads = [json.loads(json.dumps(_variant(p, data))) for p in payloads]  # as JSON reads them
    text = "".join(json.dumps(p) + "\n" for p in payloads).encode()
    table = tio.read_json_lines(io.BytesIO(text))
    valid, errors = _expected(payloads)
    assert table.rows == len(payloads)
    assert table.to_rows() == valid
    assert table.errors.rows() == errors


@settings(max_examples=25)
@given(st.lists(vst.record_payloads(), max_size=5), st.data())
def test_frame_reader_is_parse_record(payloads: list[dict[str, Any]], data: Any) -> None:
    """A DataFrame (from canonical rows, some made invalid) reads as parse_record reads."""
    records = [vr.parse_record(p) for p in payloads]
    frame = tio.table_of_records(records)
    if frame.height:
        frame = frame.with_columns(
            service_minutes=pl.when(pl.col("record_id") == frame.item(0, "record_id"))
            .then(pl.lit(data.draw(st.sampled_from([0, 60, 1441]))))
            .otherwise(pl.col("service_minutes"))
        )
    rows = [steps._payload(row) for row in frame.iter_rows(named=True)]
    table = tio.read_frame(frame)
    valid, errors = _expected(rows)
    assert table.to_rows() == valid
    assert table.errors.rows() == errors


@settings(max_examples=15)
@given(st.lists(vst.record_payloads(), max_size=4))
def test_writers_round_trip(payloads: list[dict[str, Any]]) -> None:
    """JSON Lines, CSV and Parquet written from a table read back to the same records."""
    try:
        records = [vr.parse_record(p) for p in payloads]
    except RecordFormatError:  # the strategy's extensions may hold what the format refuses
        assume(False)
        return
    table = tio.table_of_records(records)
    for write, read in (
        (tio.write_json_lines, tio.read_json_lines),
        (tio.write_csv, tio.read_csv),
        (tio.write_parquet, tio.read_parquet),
    ):
        sink = io.BytesIO()
        write(table, sink)
        back = read(io.BytesIO(sink.getvalue()))
        assert back.errors.height == 0
        assert tio.records_of(back) == records
        assert back.to_rows() == [vr.dump_record(r) for r in records]


def test_csv_headers_are_mapped() -> None:
    """Other headers (the documented mapping, or the caller's) name the format's columns."""
    payload = dict(SAMPLE_RECORD_PAYLOAD)
    row = dict(payload)
    row["minutes"] = row.pop("service_minutes")
    row["志愿者"] = row.pop("volunteer_id")
    frame = pl.DataFrame([{k: str(v) for k, v in row.items()}])
    sink = io.BytesIO()
    frame.write_csv(sink)
    table = tio.read_csv(io.BytesIO(sink.getvalue()), columns={"志愿者": "volunteer_id"})
    assert table.errors.height == 0
    assert table.to_rows() == [vr.dump_record(vr.parse_record(payload))]


def test_a_bad_line_never_stops_the_reading() -> None:
    good = json.dumps(SAMPLE_RECORD_PAYLOAD).encode()
    other = json.dumps(dict(SAMPLE_RECORD_PAYLOAD, record_id="r-2")).encode()
    text = b"\n".join([good, b"{not json", b"", b"42", other]) + b"\n"
    table = tio.read_json_lines(io.BytesIO(text))
    assert table.records.get_column("record_id").to_list() == ["r-2024-0001", "r-2"]
    assert [(row, code) for row, _, code, _ in table.errors.rows()] == [
        (2, "invalid_json"),
        (4, "invalid_type"),
    ]


@given(
    st.one_of(
        st.from_regex(r"[A-Za-z0-9._ -]{0,66}", fullmatch=True),
        st.from_regex(r"[0-9]{17}[0-9Xx]", fullmatch=True),
        st.from_regex(r"(?:0{0,2}86-?)?1[0-9]{2}-?[0-9]{4}-?[0-9]{3,5}[A-Za-z]?", fullmatch=True),
        st.sampled_from(["110101199003077777", "11010119900307777X", "V\u00e91", "V1\n"]),
        st.sampled_from(["13812345678", "0086-138-1234-5678", "12812345678", "138123456789"]),
    )
)
def test_volunteer_ids_checked_in_columns_as_parse_record_checks_them(value: str) -> None:
    """The column step passes exactly the ids parse_record keeps unchanged."""
    from volunteer_rules.records import _fields

    problems = _fields.Problems("$")
    expected = _fields.read_volunteer_id(value, problems) == value and not problems.errors
    frame = pl.DataFrame({"volunteer_id": [value]})
    assert frame.select(steps._volunteer_id_ok()).item() == expected
