"""Statistics for decisions: invariants, and agreement with summarize and certification."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import volunteer_rules as vr
from volunteer_rules.errors import InvalidTypeError
from volunteer_rules.statistics import (
    activity,
    build_report,
    capture_figures,
    community_figures,
    periods_between,
    registrations,
    render_report_html,
    star_distribution,
    summarize,
    time_series,
    training_coverage,
)
from volunteer_rules.testing.community_examples import sample_organizations
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
from volunteer_rules.testing.matching_examples import sample_profile
from volunteer_rules.testing.strategies import service_records

PANJIN = st.sampled_from(["211102", "211103", "211104", "211122"]).map(vr.RegionCode.parse)
records_lists = st.lists(
    service_records(region_codes=PANJIN, statuses=st.just("verified")), max_size=12
)
AS_OF = dt.date(2999, 12, 31)


def _profiles(data: st.DataObject, ids: set[str]) -> list[vr.VolunteerProfile]:
    people = []
    for vid in sorted(ids):
        day = data.draw(st.dates(dt.date(2020, 1, 1), dt.date(2026, 12, 31)))
        region = data.draw(st.sampled_from(["211103", "211104", None]))
        people.append(attrs.evolve(sample_profile(volunteer_id=vid, residence_region=region),
                                   registered_on=day))  # fmt: skip
    return people


class TestAgreement:
    @given(records_lists)
    @settings(max_examples=15, deadline=None)
    def test_time_series_and_capture_sum_to_summarize(
        self, records: list[vr.ServiceRecord]
    ) -> None:
        """Months, quarters, years and capture methods each sum to summarize's total."""
        total = summarize(records, by=(), as_of=AS_OF)[0]["minutes"]
        last = max(
            (max(r.date, r.recorded_at.date()) for r in records), default=dt.date(2024, 1, 1)
        )
        first = min((r.date for r in records), default=last)
        periods = ("year", "quarter", "month") if (last - first).days < 5 * 366 else ("year",)
        for period in periods:
            rows = time_series(records, as_of=last + dt.timedelta(days=2), period=period)
            assert sum(r["minutes"] for r in rows) == total
        assert sum(r["minutes"] for r in capture_figures(records, as_of=AS_OF)) == total

    @given(records_lists)
    @settings(max_examples=15, deadline=None)
    def test_star_distribution_is_certification(self, records: list[vr.ServiceRecord]) -> None:
        """Each volunteer counted once, at the level certify gives them."""
        rows = star_distribution(records, rule_set="cn-national", as_of=dt.date(2030, 1, 1))
        volunteers = {r.volunteer_id for r in records}
        assert sum(r["volunteers"] for r in rows) == len(volunteers)
        for vid in volunteers:
            level = vr.certify(
                records, rule_set="cn-national", volunteer=vid, as_of=dt.date(2030, 1, 1)
            ).level
            assert any(r["rank"] == level.rank and r["volunteers"] > 0 for r in rows)


class TestInvariants:
    @given(st.data(), records_lists)
    @settings(max_examples=15, deadline=None)
    def test_activity(self, data: st.DataObject, records: list[vr.ServiceRecord]) -> None:
        """Active never exceeds registered; the shares and totals are consistent."""
        people = _profiles(data, {r.volunteer_id for r in records} | {"X1", "X2"})
        as_of = data.draw(st.dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1)))
        rows = activity(records, people, as_of=as_of)
        registered = [p for p in people if p.registered_on is None or p.registered_on <= as_of]
        assert sum(r["registered"] for r in rows) == len(registered)
        for row in rows:
            assert 0 <= row["active"] <= row["registered"]
            assert (row["active"] == 0) == (row["minutes"] == 0)

    @given(st.data())
    @settings(max_examples=40, deadline=None)
    def test_registrations_add_up(self, data: st.DataObject) -> None:
        """New registrations sum to the last period's cumulative count, region by region."""
        people = _profiles(data, {f"V{i}" for i in range(data.draw(st.integers(0, 8)))})
        as_of = data.draw(st.dates(dt.date(2021, 1, 1), dt.date(2027, 1, 1)))
        period = data.draw(st.sampled_from(["month", "quarter", "year"]))
        rows = registrations(people, as_of=as_of, period=period)
        for region in {r["region"] for r in rows}:
            mine = [r for r in rows if r["region"] == region]
            assert sum(r["new_volunteers"] for r in mine) == mine[-1]["volunteers"]
            assert [r["volunteers"] for r in mine] == sorted(r["volunteers"] for r in mine)
        assert (
            sum(r["volunteers"] for r in rows if r[period] == rows[-1][period])
            == sum(1 for p in people if p.registered_on is None or p.registered_on <= as_of)
            if rows
            else True
        )

    def test_organizations_stop_counting_when_suspended(self) -> None:
        """The team suspended from 2025-01-01 counts in 2024, not at the end of 2025."""
        rows = registrations(
            [], sample_organizations(), as_of=dt.date(2025, 12, 31), region_level="county"
        )
        by_year = {r["year"]: r["organizations"] for r in rows}
        assert by_year["2024"] == 3 and by_year["2025"] == 2

    @given(
        st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1)),
        st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1)),
    )
    def test_periods_between(self, first: dt.date, last: dt.date) -> None:
        """Months run without gaps from first's to last's, one label each."""
        labels = periods_between(first, last)
        if first > last:
            assert labels == ()
        else:
            assert labels[0] == f"{first:%Y-%m}" and labels[-1] == f"{last:%Y-%m}"
            assert len(labels) == (last.year - first.year) * 12 + last.month - first.month + 1

    def test_training_coverage_boundaries(self) -> None:
        """A training counts from its date until its last valid day, both inclusive."""
        person = sample_profile(volunteer_id="V1")
        training = vr.TrainingRecord(
            training_id="T1", volunteer_id="V1", name="急救员培训", category="medical_care",
            content="理论与实操", hours=vr.Hours.from_minutes(240), organizer="协会",
            date=dt.date(2024, 1, 10), valid_until=dt.date(2025, 1, 9),
        )  # fmt: skip

        def trained(day: dt.date) -> int:
            rows = training_coverage([training], [person], as_of=day)
            return int(next(r["trained"] for r in rows if r["category"] == "medical_care"))

        days = [
            dt.date(2024, 1, 9),
            dt.date(2024, 1, 10),
            dt.date(2025, 1, 9),
            dt.date(2025, 1, 10),
        ]
        assert [trained(d) for d in days] == [0, 1, 1, 0]


class TestTheEndsOfTheCalendar:
    """Every figure on the calendar's first and last days, and the day beside each."""

    DAYS = (dt.date.min, dt.date(1, 1, 2), dt.date(9999, 12, 30), dt.date.max)
    RECORD = vr.parse_record(SAMPLE_RECORD_PAYLOAD)  # V0000001, 2024-05-01, 120 minutes

    def _people(self) -> list[vr.VolunteerProfile]:
        """The record's volunteer, registered since always (no registration day)."""
        person = sample_profile(volunteer_id="V0000001", residence_region="211103")
        return [attrs.evolve(person, registered_on=None)]

    def test_periods_end_with_the_calendar(self) -> None:
        """The last month, quarter and year end on 9999-12-31; the first start on 0001-01-01."""
        for period, last in (("month", "9999-12"), ("quarter", "9999-Q4"), ("year", "9999")):
            assert periods_between(dt.date(9999, 12, 30), dt.date.max, period) == (last,)
        assert periods_between(dt.date(9999, 11, 30), dt.date.max) == ("9999-11", "9999-12")
        assert periods_between(dt.date.min, dt.date(1, 2, 1)) == ("0001-01", "0001-02")

    def test_registrations_up_to_the_last_day(self) -> None:
        """Counted on 9999-12-31 and the day before, for every period."""
        people = [attrs.evolve(p, registered_on=dt.date(9999, 1, 1)) for p in self._people()]
        for as_of in self.DAYS[2:]:
            for period in ("month", "quarter", "year"):
                rows = registrations(people, as_of=as_of, period=period)
                assert rows[-1]["volunteers"] == 1
                assert sum(r["new_volunteers"] for r in rows) == 1

    def test_activity_windows_at_both_ends(self) -> None:
        """A window reaching before 0001-01-01 starts on it; at 9999 the 2024 record is old."""
        for as_of in self.DAYS:
            (row,) = activity([self.RECORD], self._people(), as_of=as_of, active_days=365)
            assert row["registered"] == 1 and row["active"] == 0
        everything = (dt.date.max - dt.date.min).days + 2  # reaches before 0001-01-01
        (row,) = activity([self.RECORD], self._people(), as_of=dt.date.max, active_days=everything)
        assert row["active"] == 1 and row["minutes"] == 120
        (row,) = activity([], self._people(), as_of=dt.date.min, active_days=10**9)
        assert row["registered"] == 1

    def test_time_series_and_capture_on_the_last_day(self) -> None:
        """The 2024 record counts in 2024's row of a series running to 9999."""
        for as_of in self.DAYS[2:]:
            rows = time_series([self.RECORD], as_of=as_of, period="year")
            assert rows[-1]["year"] == "9999" and rows[0] == {
                "year": "2024", "records": 1, "volunteers": 1, "minutes": 120,
                "hours": vr.Hours.from_minutes(120).to_decimal_hours(),
            }  # fmt: skip
            by_method = {r["method"]: r for r in capture_figures([self.RECORD], as_of=as_of)}
            assert by_method["entered"]["minutes"] == 120
        for as_of in self.DAYS[:2]:  # before the record: one empty month
            rows = time_series([self.RECORD], as_of=as_of)
            assert [(r["month"], r["minutes"]) for r in rows] == [("0001-01", 0)]


class TestBadInput:
    """A wrong argument is the library's error, naming it; never a TypeError or AttributeError."""

    DAY = dt.date(2024, 6, 30)
    CALLS: ClassVar[dict[str, Any]] = {
        "registrations": lambda day: registrations([], as_of=day),
        "activity": lambda day: activity([], [], as_of=day),
        "training_coverage": lambda day: training_coverage([], [], as_of=day),
        "community_figures": lambda day: community_figures([], [], [], as_of=day),
        "time_series": lambda day: time_series([], as_of=day),
        "time_series since": lambda day: time_series([], as_of=dt.date(2024, 6, 30), since=day),
        "periods_between": lambda day: periods_between(day, dt.date(2024, 6, 30)),
        "periods_between last": lambda day: periods_between(dt.date(2024, 6, 30), day),
    }

    @pytest.mark.parametrize("call", sorted(CALLS))
    @pytest.mark.parametrize(
        "day", ["2024-06-30", 20240630, None, dt.datetime(2024, 6, 30, tzinfo=dt.UTC)]
    )
    def test_a_day_that_is_not_a_date(self, call: str, day: object) -> None:
        if day is None and call == "time_series since":
            return  # no since: from the first counted record
        with pytest.raises(InvalidTypeError, match="must be a date"):
            self.CALLS[call](day)

    @pytest.mark.parametrize(
        ("argument", "value"),
        [("profiles", [1]), ("profiles", None), ("profiles", 5), ("organizations", [1])],
    )
    def test_report_refuses_what_is_not_a_profile_or_organization(
        self, argument: str, value: object
    ) -> None:
        with pytest.raises(InvalidTypeError, match=argument):
            build_report([], as_of=self.DAY, **{argument: value})  # type: ignore[arg-type]


def test_report_rounds_hours_per_volunteer_half_up_as_the_activity_table() -> None:
    """15 minutes over 10 volunteers is 0.025 h each: 0.03 in the headline and in the table
    (it was 0.02 in the headline, rounded half to even)."""
    record = attrs.evolve(
        vr.parse_record(SAMPLE_RECORD_PAYLOAD), start=None, end=None, service=vr.Hours(15)
    )
    people = [
        attrs.evolve(sample_profile(volunteer_id=vid, residence_region="211103"),
                     registered_on=dt.date(2024, 1, 1))
        for vid in ["V0000001", *(f"V{n}" for n in range(2, 11))]
    ]  # fmt: skip
    report = build_report([record], as_of=dt.date(2024, 6, 30), profiles=people)
    (row,) = report.activity
    assert row["minutes"] == report.totals["minutes"] == 15
    assert row["hours_per_volunteer"] == report.totals["hours_per_volunteer"] == Decimal("0.03")


def test_report_page_masks_personal_data_in_the_title() -> None:
    """A title with an ID number and a mobile number is masked on the page, as in the repr."""
    record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
    report = build_report(
        [record], as_of=dt.date(2024, 6, 30), title="报告 11010519491231002X 13812345678"
    )
    page = render_report_html(report)
    assert "<h1>报告 110105***********X 138****5678</h1>" in page
    assert "11010519491231002X" not in page and "13812345678" not in page
