from __future__ import annotations

import contextlib
import datetime as _dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from volunteer_rules.errors import InvalidValueError, RecordFormatError
from volunteer_rules.matching.demand import (
    MAX_SLOTS,
    Demand,
    Interval,
    Recurrence,
    TimeSlot,
    dump_demand,
    parse_demand,
)
from volunteer_rules.records.region import RegionCode
from volunteer_rules.testing.matching_examples import SAMPLE_DEMAND_PAYLOAD

CST = _dt.timezone(_dt.timedelta(hours=8))


def at(day: int, hour: int, minute: int = 0) -> _dt.datetime:
    return _dt.datetime(2024, 6, day, hour, minute, tzinfo=CST)


def payload(**changes: Any) -> dict[str, Any]:
    out = dict(SAMPLE_DEMAND_PAYLOAD)
    out.update(changes)
    return {k: v for k, v in out.items() if v is not None}


def codes(error: RecordFormatError) -> list[tuple[str, str]]:
    return [(e.path, e.code) for e in error.errors]


class TestInterval:
    def test_half_open(self) -> None:
        """Touching intervals do not overlap; one minute of overlap does."""
        a = Interval(start=at(1, 8), end=at(1, 10))
        assert not a.overlaps(Interval(start=at(1, 10), end=at(1, 11)))
        assert a.overlaps(Interval(start=at(1, 9, 59), end=at(1, 11)))

    def test_end_must_follow_start(self) -> None:
        """An empty or reversed interval is refused."""
        with pytest.raises(InvalidValueError):
            Interval(start=at(1, 8), end=at(1, 8))

    def test_naive_refused(self) -> None:
        """Naive datetimes are refused."""
        with pytest.raises(InvalidValueError):
            Interval(start=_dt.datetime(2024, 1, 1), end=_dt.datetime(2024, 1, 2))

    def test_seven_days_at_most(self) -> None:
        """Seven days is the longest slot; a minute more is refused."""
        Interval(start=at(1, 0), end=at(8, 0))
        with pytest.raises(InvalidValueError):
            Interval(start=at(1, 0), end=at(8, 0, 1))


class TestRecurrence:
    def test_weekly_count(self) -> None:
        """A weekly rule with COUNT expands to that many slots, offset kept."""
        rec = Recurrence(rule="FREQ=WEEKLY;COUNT=4", start=at(1, 9), duration_minutes=90)
        starts = [i.start for i in rec.intervals()]
        assert starts == [at(1, 9) + _dt.timedelta(weeks=n) for n in range(4)]
        assert all(
            i.minutes == 90 and i.start.utcoffset() == _dt.timedelta(hours=8)
            for i in rec.intervals()
        )

    def test_until_in_utc(self) -> None:
        """UNTIL (in UTC) bounds the rule inclusively."""
        rec = Recurrence(
            rule="FREQ=DAILY;UNTIL=20240603T010000Z", start=at(1, 9), duration_minutes=60
        )
        assert len(rec.intervals()) == 3

    @pytest.mark.parametrize(
        "rule",
        [
            "FREQ=DAILY",
            "FREQ=MINUTELY;COUNT=3",
            "FREQ=DAILY;COUNT=1001",
            "FREQ=DAILY;UNTIL=20240610",
            "RRULE:FREQ=DAILY;COUNT=2",
            "FREQ=DAILY;COUNT=2\nFREQ=DAILY;COUNT=3",
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;COUNT=1",
            "FREQ=DAILY;UNTIL=20400101T000000Z",
            "nonsense;COUNT=1",
        ],
    )
    def test_bad_rules(self, rule: str) -> None:
        """Unbounded, too long, too fine-grained, impossible or malformed rules are refused."""
        with pytest.raises(InvalidValueError):
            Recurrence(rule=rule, start=at(1, 9), duration_minutes=60)

    @given(
        seconds=st.integers(0, 59),
        micro=st.integers(0, 999_999),
        rule=st.sampled_from(
            ["FREQ=DAILY;COUNT=3", "FREQ=HOURLY;COUNT=2", "FREQ=WEEKLY;BYDAY=SA,SU;COUNT=4"]
        ),
    )
    def test_the_first_occurrence_is_the_start(self, seconds: int, micro: int, rule: str) -> None:
        """The first slot starts at the start, to the second; a fraction of one is refused.

        dateutil drops the fraction from every occurrence, so the first would start before the
        start given: such a start is refused rather than moved.
        """
        start = at(1, 9).replace(second=seconds, microsecond=micro)  # 2024-06-01 is a Saturday
        if micro:
            with pytest.raises(InvalidValueError, match="whole second"):
                Recurrence(rule=rule, start=start, duration_minutes=60)
        else:
            first = Recurrence(rule=rule, start=start, duration_minutes=60).intervals()[0]
            assert first.start == start

    def test_max_slots_exactly(self) -> None:
        """Exactly MAX_SLOTS occurrences are allowed."""
        rec = Recurrence(rule=f"FREQ=HOURLY;COUNT={MAX_SLOTS}", start=at(1, 0), duration_minutes=30)
        assert len(rec.intervals()) == MAX_SLOTS

    @given(
        start=st.datetimes(
            min_value=_dt.datetime(2994, 1, 1),
            max_value=_dt.datetime(2999, 12, 31, 23, 59),
            timezones=st.sampled_from([_dt.UTC, CST, _dt.timezone(-_dt.timedelta(hours=12))]),
        ).map(lambda moment: moment.replace(microsecond=0)),
        rule=st.sampled_from(
            ["FREQ=WEEKLY;COUNT=10", "FREQ=DAILY;COUNT=3", "FREQ=YEARLY;COUNT=2",
             "FREQ=HOURLY;UNTIL=29991231T235959Z", "FREQ=DAILY;COUNT=1"]
        ),
        minutes=st.sampled_from([1, 240, 7 * 1440]),
    )  # fmt: skip
    def test_the_end_of_the_years_is_read_or_refused(
        self, start: _dt.datetime, rule: str, minutes: int
    ) -> None:
        """Near the end of 2999 a recurrence is read whole or refused, never past it."""
        with contextlib.suppress(InvalidValueError):  # refused: the only other way out
            rec = Recurrence(rule=rule, start=start, duration_minutes=minutes)
            assert rec.intervals()[0].start == start
            assert all(i.minutes == minutes for i in rec.intervals())
            assert all(i.end.year <= 2999 for i in rec.intervals())

    def test_the_last_day_of_the_years(self) -> None:
        """Slots that end in 2999 are read; one that would end after it is refused."""
        last = _dt.datetime(2999, 12, 30, 19, tzinfo=CST)
        rec = Recurrence(rule="FREQ=DAILY;COUNT=2", start=last, duration_minutes=299)
        assert rec.intervals()[-1].end == _dt.datetime(2999, 12, 31, 23, 59, tzinfo=CST)
        for rule, minutes in (("FREQ=DAILY;COUNT=3", 60), ("FREQ=DAILY;COUNT=2", 300)):
            with pytest.raises(
                InvalidValueError, match=r"^rule: every slot must fall in the years 1900 to 2999$"
            ):
                Recurrence(rule=rule, start=last, duration_minutes=minutes)

    @pytest.mark.parametrize(
        ("start", "read"),
        [
            (_dt.datetime(1899, 12, 31, 23, 59, 59, tzinfo=CST), False),
            (_dt.datetime(1900, 1, 1, tzinfo=CST), True),
            (_dt.datetime(2999, 12, 31, 23, tzinfo=CST), True),
            (_dt.datetime(3000, 1, 1, tzinfo=CST), False),
        ],
    )
    def test_the_first_start_falls_in_the_years(self, start: _dt.datetime, read: bool) -> None:
        """Built directly or read from a demand: the same years (1900-2999) on both sides."""
        built = contextlib.nullcontext() if read else pytest.raises(InvalidValueError)
        with built:
            Recurrence(rule="FREQ=DAILY;COUNT=1", start=start, duration_minutes=30)
        slot = {"rrule": "FREQ=DAILY;COUNT=1", "start": start.isoformat(), "duration_minutes": 30}
        assert _reads(payload(slots=[slot])) == read

    @given(
        start=st.datetimes(
            min_value=_dt.datetime(2999, 12, 20),
            max_value=_dt.datetime(2999, 12, 31, 23),
            timezones=st.sampled_from([_dt.UTC, CST, _dt.timezone(-_dt.timedelta(hours=12))]),
        ).map(lambda moment: moment.replace(second=0, microsecond=0)),
        count=st.integers(1, 12),
        minutes=st.sampled_from([1, 60, 600]),
    )
    def test_a_recurrence_past_the_years_is_out_of_range(
        self, start: _dt.datetime, count: int, minutes: int
    ) -> None:
        """Read from a demand, a recurrence is kept whole in 2999 or refused as out of range
        (docs/record-format.md: a year outside 1900-2999), never as a malformed rule."""
        rule = f"FREQ=DAILY;COUNT={count}"
        ends_in_the_years = (start + _dt.timedelta(days=count - 1, minutes=minutes)).year <= 2999
        slot = {"rrule": rule, "start": start.isoformat(), "duration_minutes": minutes}
        if ends_in_the_years:
            demand = parse_demand(payload(slots=[slot]))
            assert len(demand.slots) == count
            return
        with pytest.raises(RecordFormatError) as info:
            parse_demand(payload(slots=[slot]))
        assert [(e.path, e.code, e.message) for e in info.value.errors] == [
            (
                "$.slots[0].rrule",
                "out_of_range",
                "rule: every slot must fall in the years 1900 to 2999",
            )
        ]


def _reads(given: dict[str, Any]) -> bool:
    try:
        parse_demand(given)
    except RecordFormatError:
        return False
    return True


_SECOND = _dt.timedelta(seconds=1)


def _slot_cases() -> list[tuple[_dt.datetime, _dt.datetime, bool]]:
    """Both sides of each limit of the years, in offsets far apart (the own offset's year)."""
    cases = []
    for hours in (-12, 14):
        zone = _dt.timezone(_dt.timedelta(hours=hours))
        first = _dt.datetime(1900, 1, 1, tzinfo=zone)
        last = _dt.datetime(2999, 12, 31, 23, 59, 59, tzinfo=zone)
        cases += [
            (first - _SECOND, first, False),  # starts in 1899
            (first, first + _SECOND, True),
            (last - _SECOND, last, True),
            (last, last + _SECOND, False),  # ends in 3000
        ]
    return cases


class TestSlotYears:
    """Intervals and time slots built in Python keep the years every reader reads (1900-2999)."""

    @pytest.mark.parametrize(("start", "end", "accepted"), _slot_cases())
    def test_built_and_read_alike_on_either_side_of_a_limit(
        self, start: _dt.datetime, end: _dt.datetime, accepted: bool
    ) -> None:
        built = contextlib.nullcontext() if accepted else pytest.raises(
            InvalidValueError, match=r"^(start|end): must fall in the years 1900 to 2999$"
        )  # fmt: skip
        with built:
            Interval(start=start, end=end)
        with built:
            TimeSlot(index=0, start=start, end=end)
        given_ = payload(slots=[{"start": start.isoformat(), "end": end.isoformat()}])
        assert _reads(given_) == accepted
        if accepted:  # written and read back
            demand = parse_demand(given_)
            assert demand.slots[0].start == start
            assert parse_demand(dump_demand(demand)) == demand


class TestDemand:
    def test_slots_sorted_and_numbered(self) -> None:
        """Slots from intervals and rules are merged in order of start and numbered."""
        demand = Demand(
            demand_id="D",
            service_category="health",
            region=RegionCode.parse("211103"),
            head_count=1,
            schedule=(
                Recurrence(rule="FREQ=DAILY;COUNT=2", start=at(2, 9), duration_minutes=60),
                Interval(start=at(1, 9), end=at(1, 10)),
            ),
        )
        assert [(s.index, s.start) for s in demand.slots] == [
            (0, at(1, 9)),
            (1, at(2, 9)),
            (2, at(3, 9)),
        ]

    def test_duplicate_slot_refused(self) -> None:
        """The same slot twice is refused."""
        with pytest.raises(InvalidValueError):
            Demand(
                demand_id="D",
                service_category="health",
                region=RegionCode.parse("211103"),
                head_count=1,
                schedule=(
                    Interval(start=at(1, 9), end=at(1, 10)),
                    Interval(start=at(1, 9), end=at(1, 10)),
                ),
            )

    def test_head_count_bounds(self) -> None:
        """Head count 1 is allowed, 0 is not."""
        parse_demand(payload(head_count=1))
        with pytest.raises(RecordFormatError) as info:
            parse_demand(payload(head_count=0))
        assert codes(info.value) == [("$.head_count", "out_of_range")]


class TestParseDemand:
    def test_sample_round_trip(self) -> None:
        """The sample payload parses and dumps back unchanged."""
        assert dump_demand(parse_demand(SAMPLE_DEMAND_PAYLOAD)) == SAMPLE_DEMAND_PAYLOAD

    def test_every_error_collected(self) -> None:
        """All problems are reported at once, with paths and codes."""
        bad = payload(
            demand_id="bad id!",
            region_code="999999",
            head_count="3",
            colour="red",
            required_skills=["First Aid", 3],
            minors_barred="no",
            slots=[
                {"start": "2024-06-01T08:00:00", "end": "2024-06-01T09:00:00+08:00"},
                {
                    "rrule": "FREQ=DAILY",
                    "start": "2024-06-01T08:00:00+08:00",
                    "duration_minutes": 30,
                },
                {"start": "2024-06-01T10:00:00+08:00", "end": "2024-06-01T09:00:00+08:00"},
                "x",
            ],
        )
        with pytest.raises(RecordFormatError) as info:
            parse_demand(bad)
        assert info.value.what == "demand"
        assert codes(info.value) == [
            ("$.colour", "unknown_field"),
            ("$.demand_id", "invalid_format"),
            ("$.region_code", "unknown_code"),
            ("$.slots[0].start", "invalid_format"),
            ("$.slots[1].rrule", "invalid_format"),
            ("$.slots[2].end", "inconsistent"),
            ("$[3]".replace("$", "$.slots"), "invalid_type"),
            ("$.head_count", "invalid_type"),
            ("$.required_skills[0]", "invalid_format"),
            ("$.required_skills[1]", "invalid_type"),
            ("$.minors_barred", "invalid_type"),
        ]

    def test_a_wrong_type_is_named_as_json_names_it(self) -> None:
        """Lists are JSON arrays in the messages, as in the record's and the package's."""
        bad = {**SAMPLE_DEMAND_PAYLOAD, "slots": {}, "required_skills": "first_aid"}
        with pytest.raises(RecordFormatError) as info:
            parse_demand(bad)
        messages = {e.path: e.message for e in info.value.errors}
        assert messages["$.slots"] == "slots must be an array, not object"
        assert (
            messages["$.required_skills"]
            == "required_skills must be an array of strings, not string"
        )

    def test_not_an_object(self) -> None:
        """A payload that is not an object is one invalid_type error."""
        with pytest.raises(RecordFormatError) as info:
            parse_demand([])  # type: ignore[arg-type]
        assert codes(info.value) == [("$", "invalid_type")]

    @given(
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=5),
            lambda children: (
                st.lists(children, max_size=3)
                | st.dictionaries(
                    st.sampled_from([*SAMPLE_DEMAND_PAYLOAD, "start", "end", "rrule"]),
                    children,
                    max_size=4,
                )
            ),
            max_leaves=12,
        )
    )
    def test_any_json_raises_only_library_errors(self, value: object) -> None:
        """Arbitrary JSON gives a demand or a RecordFormatError, nothing else."""
        with contextlib.suppress(RecordFormatError):
            parse_demand(value)  # type: ignore[arg-type]

    @given(
        st.dictionaries(
            st.sampled_from(list(SAMPLE_DEMAND_PAYLOAD)),
            st.none()
            | st.integers()
            | st.text(max_size=3)
            | st.lists(st.text(max_size=3), max_size=2),
        )
    )
    def test_mutated_sample_raises_only_library_errors(self, changes: dict[str, Any]) -> None:
        """Any field of the sample replaced by junk gives a demand or a library error."""
        with contextlib.suppress(RecordFormatError):
            parse_demand(payload(**changes))


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_organization_id_names_no_organization(blank: str) -> None:
    """Optional: absent or blank is ``""``; anything else follows the organization-id rule."""
    assert parse_demand({**SAMPLE_DEMAND_PAYLOAD, "organization_id": blank}).organization_id == ""
    with pytest.raises(RecordFormatError) as info:
        parse_demand({**SAMPLE_DEMAND_PAYLOAD, "organization_id": "512111005000000155"})
    assert [(e.path, e.code) for e in info.value.errors] == [("$.organization_id", "checksum")]
