"""Results as data: every result's four table forms agree with each other and with the object.

Certifications and counts (``certify_many``, ``count_many``), the exclusions (by the object
path and by the table engine), findings (``check_records``), matches (``match``) and statistics
(``summarize``, the decision figures): ``to_rows()``, ``to_arrow()``, ``to_polars()`` and
``to_pandas()`` give the same rows, and those rows say what the objects say.
"""

from __future__ import annotations

import datetime as dt
import pickle
import sys
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import volunteer_rules as vr
from volunteer_rules import tables
from volunteer_rules._frames import AsData
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.rules.rule_set import RuleSet
from volunteer_rules.statistics import HOURS_COLUMNS
from volunteer_rules.statistics.decisions import capture_figures, star_distribution, time_series
from volunteer_rules.testing._certification_strategies import rule_sets, service_histories

pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")

AS_OFS = st.dates(dt.date(2023, 12, 30), dt.date(2024, 1, 12))
ORGS = ("512111005000000154", "51211100MJ00000175", "G-panjin-youth")
RULE_SETS = st.one_of(st.sampled_from(["cn-national", "hk-swd", "cn-shenzhen"]), rule_sets())


def _twins(records: list[ServiceRecord], data: Any) -> list[ServiceRecord]:
    """Some records given again under the same id by another organization (another record):
    ids are unique within an organization only, so the exclusions must name the key."""
    out = list(records)
    for record in records:
        if data.draw(st.integers(0, 3)) == 0:
            org = data.draw(st.sampled_from([o for o in ORGS if o != record.organization_id]))
            out.append(attrs.evolve(record, organization_id=org, amends=None))
    return out


def _plain(value: Any) -> Any:
    """A value of a pandas cell as plain Python (arrays as lists, missing as None)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return _plain(value.tolist())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is pd.NA or value is None:
        return None
    if hasattr(value, "item"):  # a numpy scalar
        return value.item()
    return value


def assert_forms_agree(result: AsData) -> list[dict[str, Any]]:
    """to_rows, to_arrow, to_polars and to_pandas give the same rows and columns."""
    rows = result.to_rows()
    names = [name for name, _, _ in result.table_columns()]
    assert all(list(row) == names for row in rows)
    arrow = result.to_arrow()
    assert arrow.schema.names == names
    assert arrow.to_pylist() == rows
    frame = result.to_polars()
    assert frame.columns == names
    assert frame.to_dicts() == rows
    assert frame.to_arrow().cast(arrow.schema).equals(arrow)
    pandas = result.to_pandas()
    assert list(pandas.columns) == names
    assert [{k: _plain(v) for k, v in r.items()} for r in pandas.to_dict("records")] == rows
    for name, kind, _ in result.table_columns():  # whole numbers stay whole, never a float
        if kind in ("int32", "int64"):
            assert str(pandas[name].dtype) in ("Int32", "Int64"), name
        assert not str(pandas[name].dtype).startswith("float"), name
    return rows


@given(service_histories(volunteers=("V1", "V2", "V3"), max_size=14, days=3), RULE_SETS, AS_OFS)
def test_certifications_as_data(
    records: list[ServiceRecord], rule_set: RuleSet | str, as_of: dt.date
) -> None:
    """certify_many's table forms agree, and each row is its volunteer's certification."""
    try:
        result = vr.certify_many(records, rule_set=rule_set, as_of=as_of)
    except vr.VolunteerRulesError:
        return  # a rule set without a version on as_of: nothing to tabulate
    rows = assert_forms_agree(result)
    assert [row["volunteer_id"] for row in rows] == list(result)
    for row, c in zip(rows, result.values(), strict=True):
        assert row["level_rank"] == c.level.rank
        assert row["counted_minutes"] == c.counted.minutes
        assert row["shortfall_minutes"] == c.shortfall.minutes
        assert [(e["record_id"], e["reason"]) for e in row["excluded"]] == list(c.excluded)
    exclusions = result.exclusions()
    assert_forms_agree(exclusions)
    for volunteer, c in result.items():
        mine = [(e.record_id, e.reason) for e in exclusions if e.volunteer_id == volunteer]
        assert mine == list(c.excluded)
    # certify_many streams a one-shot iterator: the records are needed again, then the same
    once = vr.certify_many(iter(records), rule_set=rule_set, as_of=as_of)
    if exclusions and once._source is not None and once._source.records is None:
        with pytest.raises(vr.InvalidValueError):
            once.exclusions()
    assert once.exclusions(records) == exclusions


@given(
    service_histories(volunteers=("V1", "V2", "V3"), max_size=14, days=3),
    AS_OFS,
    st.sampled_from([None, "pass", "good"]),
    st.data(),
)
def test_counts_and_their_exclusions(
    records: list[ServiceRecord], as_of: dt.date, min_rating: str | None, data: Any
) -> None:
    """count_many's table forms agree; its exclusions name each record's key, the same with
    and without per-record detail, and list exactly each volunteer's excluded."""
    records = _twins(records, data)
    since = data.draw(st.none() | st.dates(dt.date(2023, 12, 25), as_of))
    try:
        counts = vr.count_many(records, as_of=as_of, since=since, min_rating=min_rating)
    except vr.ConflictError:
        return
    rows = assert_forms_agree(counts)
    assert [r["counted_minutes"] for r in rows] == [c.minutes for c in counts.values()]
    exclusions = counts.exclusions()
    assert_forms_agree(exclusions)
    detailed = vr.count_many(records, as_of=as_of, since=since, min_rating=min_rating, detail=True)
    assert detailed.exclusions() == exclusions
    keys = {(r.volunteer_id, r.organization_id, r.record_id) for r in records}
    for volunteer, count in counts.items():
        mine = [e for e in exclusions if e.volunteer_id == volunteer]
        assert [(e.record_id, e.reason) for e in mine] == list(count.excluded)
        assert all((volunteer, *e.key) in keys for e in mine)
    # as certify_many, count_many does not keep a one-shot iterator's records: they are
    # needed again, then the same; tables.count_many holds what it read
    once = vr.count_many(iter(records), as_of=as_of, since=since, min_rating=min_rating)
    if exclusions:
        with pytest.raises(vr.InvalidValueError):
            once.exclusions()
    assert once.exclusions(records) == exclusions
    held = tables.count_many(iter(records), as_of=as_of, since=since, min_rating=min_rating)
    assert held.exclusions() == exclusions


@given(
    service_histories(volunteers=("V1", "V2", "V3"), max_size=14, days=3),
    RULE_SETS,
    AS_OFS,
    st.data(),
)
def test_exclusions_table_is_the_object_paths(
    records: list[ServiceRecord], rule_set: RuleSet | str, as_of: dt.date, data: Any
) -> None:
    """The table engine's exclusions table equals certify_many(...).exclusions(), row by row
    (same-day records, overlaps, overnight intervals, amendments, void and rejected records,
    ids given by two organizations, rule sets with windows)."""
    from volunteer_rules.tables.io import table_of_records
    from volunteer_rules.tables.results import exclusions_table

    records = _twins(records, data)
    try:
        expected = vr.certify_many(records, rule_set=rule_set, as_of=as_of).exclusions()
    except vr.VolunteerRulesError as error:
        with pytest.raises(type(error)):
            exclusions_table(table_of_records(records), rule_set=rule_set, as_of=as_of)
        return
    table = exclusions_table(table_of_records(records), rule_set=rule_set, as_of=as_of)
    assert table.rows(named=True) == expected.to_rows()
    assert table.schema == expected.to_polars().schema


def test_certify_table_is_the_first_columns_of_the_certification_table() -> None:
    """certify_table's table is the first eleven columns of certify_many's, one definition."""
    from volunteer_rules.tables.io import read_json_lines
    from volunteer_rules.tables.results import certify_table
    from volunteer_rules.tables.schema import LEVEL_COLUMNS

    table = read_json_lines("examples/records.jsonl").records
    table = table.unique(["organization_id", "record_id"], keep="none", maintain_order=True)
    as_of = dt.date(2026, 12, 31)
    fast = certify_table(table, rule_set="cn-national", as_of=as_of)
    from volunteer_rules.tables.io import records_of

    whole = vr.certify_many(records_of(table), rule_set="cn-national", as_of=as_of).to_polars()
    assert fast.equals(whole.select([name for name, _, _ in LEVEL_COLUMNS]))


@given(service_histories(volunteers=("V1", "V2", "V3"), max_size=14, days=3), st.data())
def test_findings_as_data(records: list[ServiceRecord], data: Any) -> None:
    """check_records' findings table says what the findings say."""
    check = vr.check_records(_twins(records, data))
    rows = assert_forms_agree(check)
    assert [(r["code"], r["organization_id"], r["record_id"]) for r in rows] == [
        (f.code, f.organization_id, f.record_id) for f in check.findings
    ]
    assert [r["severity"] for r in rows] == [f.severity for f in check.findings]


def test_matches_as_data() -> None:
    """match's table: the ranked candidates, then the ineligible with their reasons."""
    from volunteer_rules.matching.demand import parse_demand
    from volunteer_rules.testing.matching_examples import SAMPLE_DEMAND_PAYLOAD, sample_profile

    profiles = [
        sample_profile(skills=("first_aid",)),
        attrs.evolve(sample_profile(), volunteer_id="V2"),
    ]
    result = vr.match(
        parse_demand(SAMPLE_DEMAND_PAYLOAD),
        profiles,
        rules="cn-national",
        as_of=dt.date(2024, 5, 1),
    )
    rows = assert_forms_agree(result)
    assert [(r["volunteer_id"], r["eligible"], r["rank"]) for r in rows] == [
        *((c.volunteer_id, True, c.rank) for c in result.ranked),
        *((v, False, None) for v, _ in result.ineligible),
    ]
    assert rows[0]["assigned_slots"] == list(result.ranked[0].assigned_slots)
    assert [r["code"] for r in rows[-1]["reasons"]] == [r.code for r in result.ineligible[-1][1]]


@given(service_histories(volunteers=("V1", "V2", "V3"), max_size=14, days=3), AS_OFS)
def test_statistics_as_data(records: list[ServiceRecord], as_of: dt.date) -> None:
    """summarize and the decision figures: the tables are the rows without the hours."""
    figures = [
        vr.summarize(records, by=("region", "organization", "month"), as_of=as_of),
        vr.summarize(records, by=()),
        time_series(records, as_of=as_of),
        capture_figures(records, as_of=as_of),
        star_distribution(records, rule_set="cn-national", as_of=as_of),
    ]
    for result in figures:
        rows = assert_forms_agree(result)
        assert rows == [{k: v for k, v in r.items() if k not in HOURS_COLUMNS} for r in result]
        for row in rows:
            assert all(not isinstance(v, float) for v in row.values())
            if "share" in row:
                assert isinstance(row["share"], Decimal)
        assert pickle.loads(pickle.dumps(result)).to_rows() == rows


def test_results_stay_dicts_and_pickle_without_their_records() -> None:
    """certify_many's result is still the dict it was; pickled, it leaves its records behind."""
    from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD

    record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
    result = vr.certify_many([record], rule_set="cn-national", as_of=dt.date(2025, 1, 1))
    assert isinstance(result, dict)
    assert result == {
        "V0000001": vr.certify([record], rule_set="cn-national", as_of=dt.date(2025, 1, 1))
    }
    again = pickle.loads(pickle.dumps(result))
    assert again == result
    assert type(again) is vr.Certifications
    assert again._source is None


def test_a_missing_library_is_named_with_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without pyarrow (or pandas), a table form says what to install; to_rows needs nothing."""
    result = vr.count_many([], as_of=dt.date(2025, 1, 1))
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(vr.MissingDependencyError, match=r"volunteer_rules\[tables\]") as info:
        result.to_arrow()
    assert isinstance(info.value, ImportError)
    assert info.value.package == "pyarrow"
    assert result.to_rows() == []
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(vr.MissingDependencyError, match="pip install pandas"):
        result.to_pandas()


def test_an_id_given_by_two_organizations_is_named_by_its_key() -> None:
    """One volunteer, one record id from two organizations, the second overlapping the first:
    the exclusion names the organization of the record left out."""
    from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD

    first = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
    second = attrs.evolve(first, organization_id="51211100MJ00000175")  # same id, same time
    as_of = dt.date(2025, 1, 1)
    result = vr.certify_many([second, first], rule_set="cn-national", as_of=as_of)
    assert result["V0000001"].excluded == ((first.record_id, "overlap"),)
    assert result.exclusions().to_rows() == [
        {
            "volunteer_id": "V0000001",
            "organization_id": "51211100MJ00000175",
            "record_id": first.record_id,
            "reason": "overlap",
        }
    ]
    assert vr.count_many([first, second], as_of=as_of).exclusions() == result.exclusions()
