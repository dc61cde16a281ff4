"""The table engine against the exact engine: certify volunteer by volunteer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from volunteer_rules.hours import Hours
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.records.region import RegionCode
from volunteer_rules.rules import counting
from volunteer_rules.rules.certification import certify, certify_many
from volunteer_rules.rules.rule_set import RuleSet
from volunteer_rules.tables import count_many
from volunteer_rules.testing._certification_strategies import rule_sets, service_histories

pl = pytest.importorskip("polars")

CST = dt.timezone(dt.timedelta(hours=8))
AS_OFS = st.dates(dt.date(2023, 12, 30), dt.date(2024, 1, 12))


def _rejected(records: list[ServiceRecord], data: Any) -> list[ServiceRecord]:
    """Some records rejected."""
    out = []
    for record in records:
        if data.draw(st.integers(0, 6)) == 0:
            record = attrs.evolve(record, status="rejected")
        out.append(record)
    return out


def _expected(records: list[ServiceRecord], volunteer: str, **kwargs: Any) -> Any:
    one = certify(records, volunteer=volunteer, **kwargs)
    return attrs.evolve(one, excluded=tuple(e for e in one.excluded if e[1] != "other_volunteer"))


@given(
    service_histories(volunteers=("V1", "V2", "V3"), max_size=18, days=3),
    st.one_of(st.sampled_from(["cn-national", "hk-swd", "cn-shenzhen"]), rule_sets()),
    AS_OFS,
    st.data(),
)
def test_certify_many_is_certify_per_volunteer(
    records: list[ServiceRecord], rule_set: RuleSet | str, as_of: dt.date, data: Any
) -> None:
    """Same-day records, overlaps, overnight intervals, amendments, void and rejected records,
    several organizations, rule sets with windows: every volunteer gets certify's answer."""
    records = _rejected(records, data)
    try:
        many = certify_many(records, rule_set=rule_set, as_of=as_of)
    except Exception as error:  # a rule set without a version on as_of: the same error
        with pytest.raises(type(error)):
            certify(records, rule_set=rule_set, as_of=as_of)
        return
    assert list(many) == sorted({r.volunteer_id for r in records})
    for volunteer, result in many.items():
        assert result == _expected(records, volunteer, rule_set=rule_set, as_of=as_of)


@given(
    service_histories(volunteers=("V1", "V2", "V3"), max_size=16, days=3),
    AS_OFS,
    st.sampled_from([None, "pass", "good"]),
    st.booleans(),
    st.data(),
)
def test_count_many_is_the_exact_count(
    records: list[ServiceRecord], as_of: dt.date, min_rating: str | None, detail: bool, data: Any
) -> None:
    """The table engine's counts (with outcomes, windows, minimum ratings, a subset of
    volunteers) equal the exact engine's, field by field."""
    since = data.draw(st.none() | st.dates(dt.date(2023, 12, 1), as_of))
    volunteers = data.draw(st.none() | st.lists(st.sampled_from(["V1", "V2", "V9"]), max_size=3))
    kwargs: dict[str, Any] = {
        "as_of": as_of,
        "since": since,
        "min_rating": min_rating,
        "volunteers": volunteers,
        "detail": detail,
    }
    assert count_many(records, **kwargs) == counting.count_many(records, **kwargs)


@given(
    service_histories(volunteers=("V1", "V2", "V3"), max_size=14, days=3),
    AS_OFS,
    st.booleans(),
)
def test_volunteers_whose_id_hashes_collide_are_told_apart_by_rank(
    records: list[ServiceRecord], as_of: dt.date, detail: bool
) -> None:
    """When two ids share a hash, the column steps tell volunteers apart by their ids' rank:
    the counts and the certifications are the same as with the hash."""
    from unittest import mock

    from volunteer_rules.tables import _engine
    from volunteer_rules.tables.io import table_of_records
    from volunteer_rules.tables.results import certify_table

    expected = counting.count_many(records, as_of=as_of, detail=detail)
    table = certify_table(table_of_records(records), rule_set="cn-national", as_of=as_of)
    with mock.patch.object(_engine, "_hashes_differ", return_value=False) as forced:
        assert count_many(records, as_of=as_of, detail=detail) == expected
        ranked = certify_table(table_of_records(records), rule_set="cn-national", as_of=as_of)
    assert forced.called or not records
    assert ranked.rows() == table.rows()


def _day_record(volunteer: str, n: int, day: dt.date, hour: int, minutes: int) -> ServiceRecord:
    start = dt.datetime(day.year, day.month, day.day, hour, tzinfo=CST)
    return ServiceRecord(
        record_id=f"{volunteer}-{n}",
        volunteer_id=volunteer,
        organization_id="512111005000000154",
        activity_name="活动",
        service_category="other",
        content="服务",
        place="兴隆台区",
        region_code=RegionCode.parse("211103"),
        date=day,
        start=start,
        end=start + dt.timedelta(minutes=minutes),
        service=Hours.from_minutes(minutes),
        person_in_charge="王芳",
        recorded_by="李雷",
        recorded_at=start + dt.timedelta(days=1),
        status="verified",
    )


def test_same_day_records_that_do_not_overlap_stay_in_column_steps() -> None:
    """A morning and an afternoon record are no reason for the exact engine; an overlap and a
    day over the cap are."""
    from volunteer_rules.rules._count import _ROW
    from volunteer_rules.tables._convert import frame_of_records
    from volunteer_rules.tables._engine import count_frame

    day = dt.date(2024, 5, 1)
    records = [
        _day_record("A", 1, day, 8, 180),
        _day_record("A", 2, day, 14, 180),  # same day, apart
        _day_record("B", 1, day, 8, 180),
        _day_record("B", 2, day, 9, 180),  # overlaps B-1
        _day_record("C", 1, day, 0, 800),
        _day_record("C", 2, day, 14, 700),  # apart, but 1500 minutes on one date
    ]
    as_of = dt.date(2024, 12, 31)
    counted = count_frame(
        frame_of_records(records, as_of),
        as_of=as_of,
        since=None,
        min_rank=None,
        wanted=None,
        since_for={},
        rows_at=lambda positions: [_ROW(records[i]) for i in positions],
        records_at=lambda positions: [records[i] for i in positions],
    )
    assert sorted(counted.engine) == ["B", "C"]
    counts = count_many(records, as_of=as_of)
    assert [counts[v].minutes for v in "ABC"] == [360, 180, 1440]


@given(
    service_histories(volunteers=("V1", "V2", "V3"), max_size=14, days=3),
    st.one_of(st.sampled_from(["cn-national", "hk-swd", "cn-shenzhen"]), rule_sets()),
    AS_OFS,
)
def test_certify_table_is_certify_many(
    records: list[ServiceRecord], rule_set: RuleSet | str, as_of: dt.date
) -> None:
    """The certifications table from a record table is certify_many's, row by row."""
    from volunteer_rules.tables.io import table_of_records
    from volunteer_rules.tables.results import certification_rows, certify_table

    try:
        expected = certification_rows(certify_many(records, rule_set=rule_set, as_of=as_of))
    except Exception as error:
        with pytest.raises(type(error)):
            certify_table(table_of_records(records), rule_set=rule_set, as_of=as_of)
        return
    table = certify_table(table_of_records(records), rule_set=rule_set, as_of=as_of)
    assert table.rows(named=True) == expected


def _repeated(records: list[ServiceRecord], data: Any) -> list[ServiceRecord]:
    """Some records given twice: as they are, changed (a conflict), or under another volunteer."""
    out = list(records)
    for record in records:
        kind = data.draw(st.sampled_from(["none", "none", "same", "changed", "other"]))
        if kind == "same":
            out.insert(data.draw(st.integers(0, len(out))), record)
        elif kind == "changed":
            out.append(attrs.evolve(record, place="另一处"))
        elif kind == "other":
            out.append(attrs.evolve(record, volunteer_id="V3"))
    return out


@given(
    service_histories(volunteers=("V1", "V2"), max_size=10, days=3),
    AS_OFS,
    st.data(),
)
def test_repeated_keys_follow_the_one_rule(
    records: list[ServiceRecord], as_of: dt.date, data: Any
) -> None:
    """Identical repeats count once, conflicts never (listed for every volunteer they name),
    in the table engine as in the exact engine, without leaving the column steps for all."""
    from volunteer_rules.tables.io import table_of_records
    from volunteer_rules.tables.results import certification_rows, certify_table

    records = _repeated(records, data)
    assert count_many(records, as_of=as_of, detail=True) == counting.count_many(
        records, as_of=as_of, detail=True
    )
    # Asked for some volunteers, each gets count_records' answer (a conflicting version of
    # another volunteer counts as much as one of theirs).
    for volunteer, count in count_many(records, as_of=as_of, volunteers=["V1", "V3"]).items():
        one = counting.count_records(records, as_of=as_of, volunteer_id=volunteer)
        mine = tuple(e for e in one.excluded if e[1] != "other_volunteer")
        assert (count.minutes, count.first_counted, count.excluded) == (
            one.minutes,
            one.first_counted,
            mine,
        )
    expected = certification_rows(certify_many(records, rule_set="cn-national", as_of=as_of))
    table = certify_table(table_of_records(records), rule_set="cn-national", as_of=as_of)
    assert table.rows(named=True) == expected
    lazy = certify_table(table_of_records(records).lazy(), rule_set="cn-national", as_of=as_of)
    assert lazy.rows(named=True) == expected
    from volunteer_rules.tables import results

    size = results.PART_ROWS
    results.PART_ROWS = 3  # a scanned table counted in parts of a few rows
    try:
        parts = certify_table(table_of_records(records).lazy(), rule_set="cn-national", as_of=as_of)
    finally:
        results.PART_ROWS = size
    assert parts.rows(named=True) == expected


def test_offsets_with_seconds_and_scanned_tables_are_read_exactly() -> None:
    """An offset with seconds (which the column parser does not read) is read by Python, and a
    LazyFrame is certified as the table it scans."""
    from volunteer_rules.tables.io import table_of_records
    from volunteer_rules.tables.results import certify_table

    odd = dt.timezone(dt.timedelta(hours=5, minutes=30, seconds=15))
    a = _day_record("A", 1, dt.date(2024, 5, 1), 8, 60)
    b = attrs.evolve(
        a,
        record_id="A-2",
        start=a.start.astimezone(odd) if a.start else None,
        end=a.end.astimezone(odd) if a.end else None,
        recorded_at=a.recorded_at.astimezone(odd),
    )  # the same hour as A-1 in another offset: an overlap
    c = _day_record("B", 1, dt.date(2024, 5, 1), 8, 60)
    as_of = dt.date(2024, 12, 31)
    table = table_of_records([a, b, c])
    for held in (table, table.lazy()):
        result = certify_table(held, rule_set="cn-national", as_of=as_of)
        assert result.select("volunteer_id", "counted_minutes").rows() == [("A", 60), ("B", 60)]


def test_a_part_s_sums_do_not_hold_the_part_s_text_buffers() -> None:
    """The sums kept from each part own their volunteer ids: a few rows grouped from a large
    frame hold a few rows' bytes, not the frame's (else memory grows part after part)."""
    from volunteer_rules.tables.results import _compact

    def text_bytes(frame: Any) -> int:
        table = frame.to_arrow(compat_level=pl.CompatLevel.newest())
        return sum(
            buffer.size
            for column in table.columns
            for chunk in column.chunks
            for buffer in chunk.buffers()
            if buffer is not None
        )

    ids = [f"volunteer-{i:013d}" for i in range(200_000)]
    frame = pl.DataFrame({"volunteer_id": ids, "minutes": range(200_000)})
    sums = frame.group_by("volunteer_id").agg(pl.col("minutes").sum()).head(10)
    assert text_bytes(sums) > 1_000_000  # views into the whole frame's buffers
    kept = _compact(sums)
    assert kept.equals(sums)
    assert text_bytes(kept) < 10_000


@given(st.lists(st.integers(0, 2**64 - 1) | st.integers(0, 5)))
def test_given_twice_is_polars_is_duplicated(values: list[int]) -> None:
    """The sort-based mask of repeated keys equals polars' hash-based one."""
    from volunteer_rules.tables._engine import given_twice

    series = pl.Series(values, dtype=pl.UInt64)
    assert given_twice(series).to_list() == series.is_duplicated().to_list()
