from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from holidays.countries.china import China
from hypothesis import given
from hypothesis import strategies as st

from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.records.calendar import (
    CHINA_WORKING_DAYS,
    ChinaWorkingDays,
    WeekdaysOnly,
    WorkingDayCalendar,
    add_working_days,
)

D = dt.date
days = st.dates(min_value=D(2001, 1, 1), max_value=D(2030, 12, 31))


class _Never:
    def is_working_day(self, day: dt.date) -> bool:
        return False


class TestChinaWorkingDays:
    @pytest.mark.parametrize(
        "day",
        [D(2024, 2, 4), D(2024, 2, 18), D(2024, 9, 14), D(2024, 9, 29), D(2024, 10, 12)],
    )
    def test_make_up_weekend_days_are_working_days(self, day: dt.date) -> None:
        """The 2024 make-up Saturdays and Sundays (调休) are working days."""
        assert day.weekday() >= 5
        assert CHINA_WORKING_DAYS.is_working_day(day)

    @pytest.mark.parametrize("day", [D(2024, 10, d) for d in range(1, 8)])
    def test_golden_week_is_off(self, day: dt.date) -> None:
        """2024-10-01 to 2024-10-07 are not working days, weekdays included."""
        assert not CHINA_WORKING_DAYS.is_working_day(day)

    def test_spring_festival_2024(self) -> None:
        """2024-02-10..17 off; the Friday before (除夕 2024) and the Sunday after work."""
        china = CHINA_WORKING_DAYS
        assert all(not china.is_working_day(D(2024, 2, d)) for d in range(10, 18))
        assert china.is_working_day(D(2024, 2, 9))
        assert china.is_working_day(D(2024, 2, 18))

    def test_ordinary_weekend_and_weekday(self) -> None:
        """An ordinary Saturday is off, an ordinary Wednesday is on."""
        assert not CHINA_WORKING_DAYS.is_working_day(D(2024, 3, 16))
        assert CHINA_WORKING_DAYS.is_working_day(D(2024, 3, 13))

    def test_half_day_holidays_are_working_days(self) -> None:
        """Women's Day (half day for women only) stays a working day."""
        assert CHINA_WORKING_DAYS.is_working_day(D(2024, 3, 8))

    def test_datetime_is_taken_by_its_date(self) -> None:
        """A datetime answers like its date."""
        when = dt.datetime(2024, 10, 1, 12, tzinfo=dt.UTC)
        assert not CHINA_WORKING_DAYS.is_working_day(when)

    def test_covered_years(self) -> None:
        """The official arrangements cover 2001 to at least 2026."""
        years = ChinaWorkingDays().covered_years
        assert years.start == 2001
        assert 2026 in years

    def test_outside_is_estimated_by_default(self) -> None:
        """Outside the covered years: statutory holidays off, weekends off, no make-up days."""
        china = ChinaWorkingDays()
        year = china.covered_years.stop
        assert not china.covers(D(year, 10, 1))
        assert not china.is_working_day(D(year, 10, 1))
        assert not china.is_working_day(D(year, 1, 1))
        assert china.is_working_day(D(1990, 3, 14))  # an ordinary Wednesday
        assert not china.is_working_day(D(1990, 3, 17))  # an ordinary Saturday

    def test_refuse_outside(self) -> None:
        """With outside='refuse', a day outside the covered years raises; inside answers."""
        china = ChinaWorkingDays(outside="refuse")
        assert china.is_working_day(D(2024, 10, 12))
        with pytest.raises(InvalidValueError):
            china.is_working_day(D(china.covered_years.stop, 1, 5))
        with pytest.raises(InvalidValueError):
            china.is_working_day(D(2000, 6, 1))

    def test_bad_policy(self) -> None:
        """An unknown policy is refused."""
        with pytest.raises(InvalidValueError):
            ChinaWorkingDays(outside="guess")  # type: ignore[arg-type]

    @given(st.from_type(object))
    def test_non_dates_raise_library_errors(self, value: object) -> None:
        """Anything but a date raises InvalidTypeError."""
        if isinstance(value, dt.date):
            return
        with pytest.raises(InvalidTypeError):
            CHINA_WORKING_DAYS.is_working_day(value)  # type: ignore[arg-type]

    @given(days)
    def test_weekday_holiday_or_weekend_workday_only(self, day: dt.date) -> None:
        """It differs from Monday-to-Friday only on holidays and make-up days."""
        if CHINA_WORKING_DAYS.is_working_day(day) != WeekdaysOnly().is_working_day(day):
            if day.weekday() < 5:
                assert day in China(years=day.year)  # type: ignore[no-untyped-call]
            else:
                assert CHINA_WORKING_DAYS.covers(day)

    def test_equality_and_protocol(self) -> None:
        """Calendars compare by policy and satisfy the protocol."""
        assert ChinaWorkingDays() == CHINA_WORKING_DAYS
        assert ChinaWorkingDays(outside="refuse") != CHINA_WORKING_DAYS
        assert hash(ChinaWorkingDays()) == hash(CHINA_WORKING_DAYS)
        assert isinstance(CHINA_WORKING_DAYS, WorkingDayCalendar)
        assert isinstance(WeekdaysOnly(), WorkingDayCalendar)
        assert WeekdaysOnly() == WeekdaysOnly()
        assert repr(CHINA_WORKING_DAYS) == "ChinaWorkingDays(outside='estimate')"


class TestAddWorkingDays:
    def test_across_golden_week(self) -> None:
        """10 working days after 2024-09-27 skip the holiday and use both make-up days."""
        # 09-29 (Sun, make-up) 1, 09-30 2, [10-01..10-07 off], 10-08 3, 10-09 4, 10-10 5,
        # 10-11 6, 10-12 (Sat, make-up) 7, [10-13 Sun], 10-14 8, 10-15 9, 10-16 10
        assert add_working_days(D(2024, 9, 27), 10, calendar=CHINA_WORKING_DAYS) == D(2024, 10, 16)

    def test_start_day_is_not_counted(self) -> None:
        """The 1st working day after a working Friday is the next Monday."""
        assert add_working_days(D(2024, 3, 15), 1, calendar=CHINA_WORKING_DAYS) == D(2024, 3, 18)

    def test_zero(self) -> None:
        """n == 0 returns the day itself, even a holiday."""
        assert add_working_days(D(2024, 10, 1), 0, calendar=CHINA_WORKING_DAYS) == D(2024, 10, 1)

    @given(days, st.integers(min_value=1, max_value=30))
    def test_forward_then_back(self, day: dt.date, n: int) -> None:
        """Going n forward then n back lands on the last working day at or before the start."""
        there = add_working_days(day, n, calendar=CHINA_WORKING_DAYS)
        assert CHINA_WORKING_DAYS.is_working_day(there)
        back = add_working_days(there, -n, calendar=CHINA_WORKING_DAYS)
        assert back <= day
        assert add_working_days(back, 1, calendar=CHINA_WORKING_DAYS) > day

    @given(days, st.integers(min_value=0, max_value=30))
    def test_monotone(self, day: dt.date, n: int) -> None:
        """One more working day never lands earlier."""
        one = add_working_days(day, n, calendar=CHINA_WORKING_DAYS)
        two = add_working_days(day, n + 1, calendar=CHINA_WORKING_DAYS)
        assert two > one

    def test_bad_arguments(self) -> None:
        """Wrong types and impossible results raise library errors."""
        with pytest.raises(InvalidTypeError):
            add_working_days("2024-01-01", 1, calendar=WeekdaysOnly())  # type: ignore[arg-type]
        with pytest.raises(InvalidTypeError):
            add_working_days(D(2024, 1, 1), True, calendar=WeekdaysOnly())
        with pytest.raises(InvalidTypeError):
            add_working_days(D(2024, 1, 1), 1, calendar=object())  # type: ignore[arg-type]
        with pytest.raises(InvalidValueError):
            add_working_days(D(9999, 12, 30), 5, calendar=WeekdaysOnly())
        with pytest.raises(InvalidValueError):
            add_working_days(D(2024, 1, 1), 1, calendar=_Never())


WORKING_DAYS_2001_2026 = 6498
DIGEST_2001_2026 = "ae8e97f785f8d78016ddbcd7fe0a6a479b7930432656a92a43ba87bd469b83cc"


class TestPinnedCalendarData:
    """China's working days of 2001-2026 are the same with every allowed ``holidays`` version.

    pyproject.toml allows holidays 0.92 and later; 0.92 through 0.109 were checked to give
    these days (0.91 and earlier differ, 0.50 moved 13 deadlines of the sample). A version that
    changes any of them fails here, so a changed deadline never passes unnoticed.
    """

    def test_working_days_2001_to_2026(self) -> None:
        day, marks = dt.date(2001, 1, 1), []
        while day <= dt.date(2026, 12, 31):
            marks.append("1" if CHINA_WORKING_DAYS.is_working_day(day) else "0")
            day += dt.timedelta(days=1)
        text = "".join(marks)
        assert text.count("1") == WORKING_DAYS_2001_2026
        assert hashlib.sha256(text.encode()).hexdigest() == DIGEST_2001_2026

    def test_the_data_version_names_the_package_and_its_years(self) -> None:
        assert CHINA_WORKING_DAYS.data_version.startswith("holidays ")
        assert "official arrangements 2001-" in CHINA_WORKING_DAYS.data_version


class TestTheDataVersionIsReported:
    """Every result that rests on the working-day calendar says which data answered."""

    def _late_payload(self) -> dict[str, object]:
        from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD

        return {**SAMPLE_RECORD_PAYLOAD, "recorded_at": "2024-05-17T09:00:00+08:00"}

    def test_check_records(self) -> None:
        import volunteer_rules as vr

        record = vr.parse_record(self._late_payload())
        china = vr.check_records([record])
        assert [f.code for f in china.findings] == ["late"]
        assert china.calendar_version == CHINA_WORKING_DAYS.data_version
        weekdays = vr.check_records([record], calendar=WeekdaysOnly())
        assert weekdays.calendar_version == "weekdays only (no holiday data)"

        class EveryDay:
            def is_working_day(self, day: dt.date) -> bool:
                return True

        assert vr.check_records([record], calendar=EveryDay()).calendar_version is None

    def test_check_transfer(self) -> None:
        import volunteer_rules as vr

        record = vr.parse_record(self._late_payload())
        package = vr.create_transfer_package(
            [record], volunteer_id=record.volunteer_id,
            source_organization_id=record.organization_id,
            destination_organization_id="51211100MJ00000175", destination_region_code="110105",
            consent=True, created_at=dt.datetime(2024, 6, 1, 9, tzinfo=dt.UTC),
        )  # fmt: skip
        decision = vr.check_transfer(package, as_of=dt.date(2024, 6, 1))
        assert [w.code for w in decision.warnings] == ["late"]
        assert decision.calendar_version == CHINA_WORKING_DAYS.data_version
        other = vr.check_transfer(package, as_of=dt.date(2024, 6, 1), calendar=WeekdaysOnly())
        assert other.calendar_version == WeekdaysOnly.data_version

    def test_verify_records(self) -> None:
        from volunteer_rules.community import verify_records
        from volunteer_rules.testing.community_examples import sample_project, sample_records

        project = sample_project()
        checked = verify_records(
            sample_records(project), verified_by="王芳",
            at=project.slot(0).end + dt.timedelta(days=3),
        )  # fmt: skip
        assert checked
        assert {v.calendar_version for v in checked} == {CHINA_WORKING_DAYS.data_version}
