"""The readers on the tables real exports and notebooks make, against parse_record.

A cell means the JSON value it holds (a date-time its ISO text, a missing value no field), so
a row is read exactly as ``parse_record`` reads that object, or the table is refused with an
error of the library that names the column: never a polars or Arrow error, never a value
changed on the way (a float minute, a nanosecond cut off).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from typing import Any

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

import volunteer_rules as vr
from volunteer_rules.errors import InvalidValueError, RecordFormatError
from volunteer_rules.testing import strategies as vst
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from volunteer_rules.tables import io as tio  # noqa: E402


def _expected(payloads: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[tuple[Any, ...]]]:
    valid = []
    errors: list[tuple[Any, ...]] = []
    for number, payload in enumerate(payloads, start=1):
        try:
            valid.append(vr.dump_record(vr.parse_record(payload)))
        except RecordFormatError as error:
            errors.extend((number, e.path, e.code) for e in error.errors)
    return valid, errors


def _flat(payload: dict[str, Any]) -> dict[str, Any]:
    """A payload as a table row: no evaluation or extensions (other tests cover them)."""
    return {
        name: value
        for name, value in payload.items()
        if name not in ("evaluation", "extensions") and value is not None
    }


def _nan_free(value: Any) -> bool:
    return not (isinstance(value, float) and math.isnan(value))


ROWS = st.lists(
    st.one_of(vst.record_payloads(), vst.record_payloads(malformed=True)).map(_flat),
    min_size=1,
    max_size=6,
)


@settings(max_examples=25, deadline=None)
@given(ROWS, st.sampled_from([None, math.nan, "NA"]))
@example(  # unknown fields met in another order in each row than in the frame (CI found it)
    [
        {**_flat(SAMPLE_RECORD_PAYLOAD), "": [], "x": []},
        {**_flat(SAMPLE_RECORD_PAYLOAD), "y": [], "x": []},
    ],
    None,
)
def test_pandas_object_columns_read_as_parse_record(rows: list[dict[str, Any]], hole: Any) -> None:
    """Columns of Python objects, any mix of types, holes as None, NaN or pd.NA."""
    assume(all(_nan_free(value) for row in rows for value in row.values()))
    names = list(dict.fromkeys(name for row in rows for name in row))
    assume(all(name == name.strip() for name in names))  # (headers are stripped: a test below)
    missing = pd.NA if hole == "NA" else hole
    frame = pd.DataFrame(
        {name: [row.get(name, missing) for row in rows] for name in names}, dtype=object
    )
    table = tio.read_frame(frame)
    # A row of the frame is the object of its cells in column order (so unknown fields are
    # reported in that order), a hole no field.
    rows = [{name: row[name] for name in names if name in row} for row in rows]
    if "format_version" not in names:  # a table without the column: version 1 records
        rows = [dict(row, format_version=1) for row in rows]
    valid, errors = _expected(rows)
    assert table.to_rows() == valid
    assert table.errors.select("row", "path", "code").rows() == errors


@pytest.mark.parametrize("value", [0, 1, "", "0"])
def test_a_group_service_that_is_not_true_or_false_is_refused(value: Any) -> None:
    """A cell of 0 (falsy, but no boolean) used to be dropped as if it were false."""
    row = dict(SAMPLE_RECORD_PAYLOAD, group_service=value)
    table = tio.read_frame(pd.DataFrame([row], dtype=object))
    assert table.records.height == 0
    assert table.errors.select("path", "code").rows() == [("$.group_service", "invalid_type")]


def test_a_mixed_object_column_is_read_cell_by_cell() -> None:
    """Arrow refused a column of 120 and '120' (and made 120.0 of 120 beside 90.5)."""
    rows = [
        dict(SAMPLE_RECORD_PAYLOAD, record_id="r-1", service_minutes=120),
        dict(SAMPLE_RECORD_PAYLOAD, record_id="r-2", service_minutes="120"),
        dict(SAMPLE_RECORD_PAYLOAD, record_id="r-3", service_minutes=90.5),
    ]
    table = tio.read_frame(pd.DataFrame(rows, dtype=object))
    assert table.records.get_column("record_id").to_list() == ["r-1"]
    assert table.errors.select("row", "path", "code").rows() == [
        (2, "$.service_minutes", "invalid_type"),
        (3, "$.service_minutes", "invalid_type"),
    ]


@settings(max_examples=10, deadline=None)
@given(st.lists(vst.record_payloads().map(_flat), min_size=1, max_size=5), st.data())
def test_arrow_and_polars_column_types_read_as_parse_record(
    rows: list[dict[str, Any]], data: Any
) -> None:
    """Text as large_string, string_view, dictionary or categorical; many chunks; date-times
    as timestamps in UTC: each row is the JSON object of those cells' values."""
    records = [vr.parse_record(row) for row in rows]
    arrow = tio.table_of_records(records).drop("evaluation_rating", "evaluation_date").to_arrow()
    text = data.draw(st.sampled_from(["status", "region_code", "volunteer_id", "place"]))
    kind = data.draw(
        st.sampled_from(
            [pa.large_string(), pa.string_view(), pa.dictionary(pa.int32(), pa.string())]
        )
    )
    unit = data.draw(st.sampled_from(["us", "ns"]))
    at = arrow.schema.get_field_index("recorded_at")
    instants = [r.recorded_at.astimezone(dt.UTC) for r in records]
    assume(unit == "us" or all(moment.year < 2262 for moment in instants))  # (ns: to 2262)
    arrow = arrow.set_column(at, "recorded_at", pa.array(instants, pa.timestamp(unit, "UTC")))
    arrow = arrow.set_column(
        arrow.schema.get_field_index(text), text, arrow.column(text).cast(kind)
    )
    arrow = pa.concat_tables([arrow.slice(row, 1) for row in range(arrow.num_rows)])
    valid, errors = _expected(
        [
            dict(row, recorded_at=moment.isoformat())
            for row, moment in zip(rows, instants, strict=True)
        ]
    )
    for frame in (arrow, pl.from_arrow(arrow).with_columns(pl.col(text).cast(pl.Categorical))):
        table = tio.read_frame(frame)
        assert table.to_rows() == valid
        assert table.errors.select("row", "path", "code").rows() == errors


def _sample_frame(**columns: Any) -> Any:
    return pl.DataFrame([SAMPLE_RECORD_PAYLOAD]).with_columns(**columns)


def test_nanoseconds_are_not_cut_off() -> None:
    """A date-time with nanoseconds is the text parse_record refuses, not a shorter value."""
    moment = (
        pl.col("recorded_at").str.to_datetime("%Y-%m-%dT%H:%M:%S%:z", time_unit="ns")
        + pl.duration(nanoseconds=1500)
    ).dt.convert_time_zone("Asia/Shanghai")
    table = tio.read_frame(_sample_frame(recorded_at=moment))
    assert table.records.height == 0
    assert table.errors.select("path", "code").rows() == [("$.recorded_at", "invalid_format")]
    whole = pl.col("recorded_at").str.to_datetime("%Y-%m-%dT%H:%M:%S%:z", time_unit="ns")
    shanghai = tio.read_frame(
        _sample_frame(recorded_at=whole.dt.convert_time_zone("Asia/Shanghai"))
    )
    assert shanghai.to_rows() == [vr.dump_record(vr.parse_record(SAMPLE_RECORD_PAYLOAD))]


@pytest.mark.parametrize(
    "moments",
    [
        {"start": "2024-05-01T08:30:00.000000+08:00"},  # a fraction of zero
        {
            "start": "2024-05-01T00:30:00-00:00",
            "end": "2024-05-01T03:00:00-00:00",
            "recorded_at": "2024-05-02T09:15:00-00:00",
        },
    ],
)
def test_date_times_are_kept_as_parse_record_writes_them(moments: dict[str, str]) -> None:
    """A zero fraction and the offset -00:00 are written as parse_record writes them (no
    fraction; +00:00), by every reader: the column steps used to keep the text as given."""
    payload = dict(SAMPLE_RECORD_PAYLOAD, **moments)
    expected = [vr.dump_record(vr.parse_record(payload))]
    lines = io.BytesIO((json.dumps(payload) + "\n").encode())
    for table in (tio.read_json_lines(lines), tio.read_frame(pl.DataFrame([payload]))):
        assert table.to_rows() == expected
        assert table.errors.height == 0


@pytest.mark.parametrize(
    ("column", "value", "kind"),
    [
        ("record_id", dt.date(2024, 5, 1), "date"),
        ("place", dt.datetime(2024, 5, 1, 8, 30), "datetime"),
        ("activity_name", dt.time(8, 30), "time"),
    ],
)
def test_a_date_or_time_in_a_text_field_is_invalid_type(column: str, value: Any, kind: str) -> None:
    """As parse_record says of it; it used to be read as its ISO text (a valid id or name)."""
    payload = dict(SAMPLE_RECORD_PAYLOAD, **{column: value})
    with pytest.raises(RecordFormatError) as refused:
        vr.parse_record(payload)
    expected = [(1, e.path, e.code, e.message) for e in refused.value.errors]
    assert expected == [
        (1, f"$.{column}", "invalid_type", f"{column} must be a string, not {kind}")
    ]
    frames = [pl.DataFrame([payload]), pa.Table.from_pylist([payload])]
    sink = io.BytesIO()
    pq.write_table(frames[1], sink)
    for table in (
        *(tio.read_frame(frame) for frame in frames),
        tio.read_parquet(io.BytesIO(sink.getvalue())),
    ):
        assert table.records.height == 0
        assert table.errors.rows() == expected


def test_an_arrow_date64_column_is_a_date_column() -> None:
    """polars makes a date64 column a date-time, which the date field refused."""
    payload = dict(SAMPLE_RECORD_PAYLOAD)
    arrow = pa.Table.from_pylist([payload])
    day = dt.date.fromisoformat(payload["date"])
    arrow = arrow.set_column(
        arrow.schema.get_field_index("date"), "date", pa.array([day], pa.date64())
    )
    table = tio.read_frame(arrow)
    assert table.errors.height == 0
    assert table.to_rows() == [vr.dump_record(vr.parse_record(payload))]


def test_minutes_past_int64_are_out_of_range() -> None:
    table = tio.read_frame(_sample_frame(service_minutes=pl.lit(2**64 - 1, pl.UInt64)))
    assert table.errors.select("path", "code").rows() == [("$.service_minutes", "out_of_range")]


def test_headers_with_a_byte_order_mark_or_spaces_name_the_columns() -> None:
    frame = pd.DataFrame([SAMPLE_RECORD_PAYLOAD])
    frame.columns = ["\ufeff" + frame.columns[0], *(f" {name}\t" for name in frame.columns[1:])]
    table = tio.read_frame(frame)
    assert table.errors.height == 0
    assert table.to_rows() == [vr.dump_record(vr.parse_record(SAMPLE_RECORD_PAYLOAD))]


def _csv(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode())


def _parquet(table: Any) -> io.BytesIO:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return io.BytesIO(sink.getvalue())


def test_a_column_given_twice_is_an_error_naming_it() -> None:
    arrow = _sample_frame().to_arrow()
    twice = pa.table([arrow.column("status"), arrow.column("status")], names=["status"] * 2)
    frame = pd.DataFrame([SAMPLE_RECORD_PAYLOAD]).assign(extra="void")
    frame.columns = [*frame.columns[:-1], "status"]
    header = ",".join(SAMPLE_RECORD_PAYLOAD) + ",status\n"
    cells = ",".join(str(value) for value in SAMPLE_RECORD_PAYLOAD.values()) + ",void\n"
    spaced = pl.DataFrame({"status": ["void"], " status": ["void"]})
    for read, source in (
        (tio.read_frame, twice),
        (tio.read_frame, frame),
        (tio.read_frame, spaced),
        (tio.read_parquet, _parquet(twice)),
        (tio.read_csv, _csv(header + cells)),
    ):
        with pytest.raises(InvalidValueError, match="has the column 'status' twice"):
            read(source)


def test_an_empty_csv_file_has_no_rows() -> None:
    table = tio.read_csv(_csv(""))
    assert (table.rows, table.records.height, table.errors.height) == (0, 0, 0)


@pytest.mark.parametrize(
    "content",
    [
        b"record_id,volunteer_id\nr-1,V1,110101199003077777\n",  # more cells than headers
        b'record_id,volunteer_id\n"110101199003077777,V1\n',  # a quote never closed
        "record_id,volunteer_id\nr-1,王芳\n".encode("gbk"),  # not UTF-8
    ],
)
def test_a_file_that_is_not_csv_is_an_error_of_the_library(content: bytes) -> None:
    """Its message names the file and never quotes a cell (polars' quotes the cells)."""
    with pytest.raises(InvalidValueError, match=r"is not CSV|is not UTF-8 text: line 2") as raised:
        tio.read_csv(io.BytesIO(content))
    assert raised.value.what == "source"
    assert "110101199003077777" not in str(raised.value.args)


def test_a_file_that_is_not_parquet_is_an_error_of_the_library(tmp_path: Any) -> None:
    path = tmp_path / "records.parquet"
    path.write_bytes(b"PAR1 not really")
    with pytest.raises(InvalidValueError, match="is not a Parquet file") as raised:
        tio.read_parquet(path)
    assert raised.value.what == str(path)


def test_zero_rows_with_and_without_the_schema() -> None:
    empty = _sample_frame().clear()
    for frame in (empty, empty.to_arrow(), empty.to_pandas(), pd.DataFrame(), pa.table({})):
        table = tio.read_frame(frame)
        assert (table.rows, table.records.height, table.errors.height) == (0, 0, 0)
    for source in (_parquet(empty.to_arrow()), _parquet(pa.table({}))):
        assert tio.read_parquet(source).rows == 0
