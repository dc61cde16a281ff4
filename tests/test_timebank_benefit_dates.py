"""A benefit is judged on the day asked: the certification's ``as_of``, a date. A date-time
there is refused rather than ignored (it used to open a benefit not yet in force), and a
benefit's dates are checked as a policy's are."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

import volunteer_rules as vr
from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.timebank.benefits import BENEFITS, Benefit, eligible_benefits

D = dt.date
BUS = next(b for b in BENEFITS if b.benefit_id == "maanshan_city_bus")


def four_stars(as_of: object) -> SimpleNamespace:
    return SimpleNamespace(
        level=SimpleNamespace(rank=4),
        counted=vr.Hours.from_hours(1000),
        rule_set_id="cn-maanshan",
        as_of=as_of,
    )


@pytest.mark.parametrize("as_of", [dt.datetime(2018, 5, 1, tzinfo=dt.UTC), "2018-05-01"])
def test_an_as_of_that_is_not_a_date_is_refused(as_of: object) -> None:
    with pytest.raises(InvalidTypeError, match=r"certification: \.as_of must be a date or None"):
        eligible_benefits(four_stars(as_of), benefits=[BUS])


def test_both_sides_of_the_start_and_the_message() -> None:
    before, first = (
        eligible_benefits(four_stars(day), benefits=[BUS])[0]
        for day in (D(2018, 12, 31), D(2019, 1, 1))
    )
    assert first.applies
    assert [(r.code, r.message) for r in before.reasons] == [
        ("not_in_force", "its source applies only from 2019-01-01, not on 2018-12-31")
    ]


def test_an_ended_benefit_both_sides_of_its_end() -> None:
    ended = Benefit(
        benefit_id="x",
        name="X",
        name_zh="X",
        category="commercial",
        source="local",
        valid_until=D(2024, 12, 31),
    )
    last, after = (
        eligible_benefits(four_stars(day), benefits=[ended])[0]
        for day in (D(2024, 12, 31), D(2025, 1, 1))
    )
    assert last.applies and not after.applies
    assert after.reasons[0].message == "its source applies only until 2024-12-31, not on 2025-01-01"


def test_benefit_dates_are_checked() -> None:
    with pytest.raises(InvalidTypeError, match="day: must be a date, not datetime"):
        BUS.in_force_on(dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(InvalidValueError, match="valid_until: 2019-01-01 is before valid_from"):
        Benefit(
            benefit_id="x",
            name="X",
            name_zh="X",
            category="commercial",
            source="local",
            valid_from=D(2020, 1, 1),
            valid_until=D(2019, 1, 1),
        )
