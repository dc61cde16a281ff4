"""The command line's table path against the object API: one answer for the same records.

``certify`` and ``stats`` read a file into columns and apply the one rule for repeated keys in
columns (``volunteer_rules.tables._whole``); what they compute must equal ``certify_many`` and
``summarize`` on the same records, in any order, with identical repeats and conflicting
versions of a key.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.rules.certification import certify_many
from volunteer_rules.rules.rule_set import RuleSet, rule_set_from_mapping
from volunteer_rules.rules.schemes import get_rule_set
from volunteer_rules.statistics.summary import summarize
from volunteer_rules.testing._certification_strategies import (
    rule_set_mappings,
    rule_sets,
    service_histories,
)

pl = pytest.importorskip("polars")

from volunteer_rules.statistics._table import summarize_frame  # noqa: E402
from volunteer_rules.tables._whole import (  # noqa: E402
    certify_frame,
    counted_frame,
    resolve_frame,
    resolve_scan,
)
from volunteer_rules.tables.io import table_of_records  # noqa: E402

AS_OFS = st.dates(dt.date(2023, 12, 30), dt.date(2024, 1, 12))


def _with_duplicates(records: list[ServiceRecord], data: Any) -> list[ServiceRecord]:
    """Records with identical repeats and conflicting versions, shuffled."""
    out = list(records)
    for record in records:
        kind = data.draw(st.sampled_from(("none", "none", "repeat", "conflict", "elsewhere")))
        if kind == "repeat":
            out.append(attrs.evolve(record))
        elif kind == "conflict":
            out.append(attrs.evolve(record, content="edited"))
        elif kind == "elsewhere":
            out.append(attrs.evolve(record, status="rejected"))
    return data.draw(st.permutations(out))  # type: ignore[no-any-return]


def _frame(records: list[ServiceRecord]) -> Any:
    table = table_of_records(records)
    return table.with_columns(_row=pl.int_range(1, table.height + 1, dtype=pl.Int64))


@contextlib.contextmanager
def _parts_of(rows: int) -> Iterator[None]:
    """Scanned tables counted in parts of ``rows`` rows."""
    from volunteer_rules.tables import results

    size = results.PART_ROWS
    results.PART_ROWS = rows
    try:
        yield
    finally:
        results.PART_ROWS = size


@given(
    service_histories(volunteers=("V1", "V2", "V3"), max_size=14, days=3),
    st.one_of(
        st.sampled_from(["cn-national", "hk-swd", "cn-shenzhen-longgang", "cn-beijing", "us-pvsa"]),
        rule_sets(),
    ),
    AS_OFS,
    st.data(),
)
def test_certify_frame_is_certify_many(
    records: list[ServiceRecord], rule_set: RuleSet | str, as_of: dt.date, data: Any
) -> None:
    """Volunteer by volunteer, exclusions and conflicts included, whatever the order."""
    chosen = get_rule_set(rule_set) if isinstance(rule_set, str) else rule_set
    if chosen.status_on(as_of).version is None:
        return  # the command says why and certifies no one
    given_records = _with_duplicates(records, data)
    kept, conflicts = resolve_frame(_frame(given_records))
    try:
        expected = certify_many(given_records, rule_set=chosen, as_of=as_of)
    except Exception as error:  # age bands without birth dates: the same error
        with pytest.raises(type(error)):
            certify_frame(kept, conflicts, rule_set=chosen, as_of=as_of)
        return
    assert certify_frame(kept, conflicts, rule_set=chosen, as_of=as_of) == expected
    scanned, scan_conflicts = resolve_scan(_frame(given_records).lazy())  # as certify spools
    assert scan_conflicts.equals(conflicts)
    assert certify_frame(scanned, scan_conflicts, rule_set=chosen, as_of=as_of) == expected
    some = ["V1", "V3", "V9"]
    with _parts_of(3):  # a large scan is counted in parts of volunteers
        assert certify_frame(scanned, scan_conflicts, rule_set=chosen, as_of=as_of) == expected
        try:
            asked = certify_many(given_records, rule_set=chosen, as_of=as_of, volunteers=some)
        except Exception as error:  # age bands without birth dates: the same error
            with pytest.raises(type(error)):
                certify_frame(
                    scanned, scan_conflicts, rule_set=chosen, as_of=as_of, volunteers=some
                )
            return
        assert (
            certify_frame(scanned, scan_conflicts, rule_set=chosen, as_of=as_of, volunteers=some)
            == asked
        )


@st.composite
def _quality_rule_sets(draw: st.DrawFn) -> RuleSet:
    """Rule sets whose levels, a few hours apart, ask for ratings (and sometimes more)."""
    mapping = draw(rule_set_mappings(max_levels=3, max_versions=1))
    (version,) = mapping["versions"]
    version["valid_from"] = "2000-01-01"
    version.pop("cycle_hours", None)
    step = draw(st.integers(1, 4))
    ratings = st.sampled_from(["excellent", "good", "pass"])
    for level in version["levels"]:
        level.pop("min_tenure_months", None)
        level["hours"] = level["rank"] * step
        quality: dict[str, Any] = {
            draw(st.sampled_from(["min_record_rating", "min_average_rating"])): draw(ratings)
        }
        if draw(st.integers(0, 4)) == 0:  # not ratings alone: certify_many for everyone
            quality["min_evaluated_records"] = 1
        level["quality"] = quality
    return rule_set_from_mapping(mapping)


@given(
    service_histories(volunteers=("V1", "V2", "V3"), max_size=14, days=3),
    _quality_rule_sets(),
    AS_OFS,
    st.data(),
)
def test_certify_frame_is_certify_many_under_quality_rules(
    records: list[ServiceRecord], rule_set: RuleSet, as_of: dt.date, data: Any
) -> None:
    """Levels that ask for ratings: a volunteer rated below them is certified as certify_many
    does, whatever the order and the duplicates."""
    given_records = _with_duplicates(records, data)
    kept, conflicts = resolve_frame(_frame(given_records))
    expected = certify_many(given_records, rule_set=rule_set, as_of=as_of)
    assert certify_frame(kept, conflicts, rule_set=rule_set, as_of=as_of) == expected
    scanned, scan_conflicts = resolve_scan(_frame(given_records).lazy())
    with _parts_of(3):
        assert certify_frame(scanned, scan_conflicts, rule_set=rule_set, as_of=as_of) == expected


@given(
    service_histories(volunteers=("V1", "V2", "V3"), max_size=14, days=3),
    st.sampled_from([(), ("region",), ("organization", "month"), ("category", "quarter")]),
    st.none() | AS_OFS,
    st.data(),
)
def test_table_statistics_are_summarize(
    records: list[ServiceRecord], by: tuple[str, ...], as_of: dt.date | None, data: Any
) -> None:
    """The same rows as ``summarize``, whatever the order and the duplicates."""
    given_records = _with_duplicates(records, data)
    kept, _ = resolve_frame(_frame(given_records))
    expected = summarize(given_records, by=by, as_of=as_of)
    assert summarize_frame(counted_frame(kept, as_of), by=by, as_of=as_of) == expected
    scanned, _ = resolve_scan(_frame(given_records).lazy())
    assert summarize_frame(counted_frame(scanned, as_of), by=by, as_of=as_of) == expected


def test_resolve_frame_keeps_one_of_identical_repeats() -> None:
    """An identical repeat is one record; versions with other content are all set aside."""
    from volunteer_rules.records.record import parse_record
    from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD

    record = parse_record(SAMPLE_RECORD_PAYLOAD)
    other = attrs.evolve(record, record_id="r-2")
    edited = attrs.evolve(other, place="elsewhere")
    kept, conflicts = resolve_frame(_frame([record, other, record, edited, other]))
    assert kept.select("_row", "record_id").rows() == [(1, "r-2024-0001")]
    assert conflicts.select("_row", "record_id").rows() == [(2, "r-2"), (4, "r-2")]
