from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from volunteer_rules.errors import VolunteerRulesError
from volunteer_rules.hours import Hours
from volunteer_rules.records.record import Evaluation, ServiceRecord
from volunteer_rules.records.region import RegionCode
from volunteer_rules.rules.counting import (
    DAILY_CAP_MINUTES,
    EXCLUSION_REASONS,
    Count,
    count_records,
    majority_volunteer,
)
from volunteer_rules.rules.counting import count_many as rules_count_many
from volunteer_rules.tables import count_many
from volunteer_rules.testing._certification_strategies import service_histories

CST = dt.timezone(dt.timedelta(hours=8))
ORG = "512111005000000154"
AS_OF = dt.date(2024, 12, 31)


def rec(
    record_id: str,
    *,
    minutes: int = 60,
    day: dt.date = dt.date(2024, 5, 1),
    start: tuple[int, int] | None = None,
    volunteer: str = "V1",
    status: str = "verified",
    recorded: dt.datetime | None = None,
    amends: str | None = None,
    org: str = ORG,
    rating: str | None = None,
) -> ServiceRecord:
    begin = end = None
    if start is not None:
        begin = dt.datetime(day.year, day.month, day.day, start[0], tzinfo=CST)
        end = dt.datetime(day.year, day.month, day.day, start[1], tzinfo=CST)
    fields: dict[str, Any] = {
        "record_id": record_id,
        "volunteer_id": volunteer,
        "organization_id": org,
        "activity_name": "a",
        "service_category": "other",
        "content": "c",
        "place": "p",
        "region_code": RegionCode.parse("211103"),
        "date": day,
        "start": begin,
        "end": end,
        "service": Hours.from_minutes(minutes),
        "person_in_charge": "x",
        "recorded_by": "y",
        "recorded_at": recorded or dt.datetime(day.year, day.month, day.day, 23, tzinfo=CST),
        "status": status,
        "amends": amends,
        "evaluation": Evaluation(rating=rating, date=day) if rating else None,
    }
    return ServiceRecord(**fields)


def reasons(count: Count) -> dict[str, str]:
    return dict(count.excluded)


def at(day: int, hour: int = 23) -> dt.datetime:
    return dt.datetime(2024, 5, day, hour, tzinfo=CST)


class TestStatus:
    def test_only_verified_counts(self) -> None:
        """Submitted, rejected and void records are excluded as not_verified."""
        records = [rec("a"), *(rec(s, status=s) for s in ("submitted", "rejected", "void"))]
        count = count_records(records, as_of=AS_OF)
        assert count.minutes == 60
        assert reasons(count) == dict.fromkeys(("submitted", "rejected", "void"), "not_verified")


class TestAsOf:
    def test_date_on_as_of_counts(self) -> None:
        """A record dated and recorded on as_of counts; a day later it does not."""
        record = rec("a", day=dt.date(2024, 5, 1), recorded=at(1, 20))
        assert count_records([record], as_of=dt.date(2024, 5, 1)).minutes == 60
        assert count_records([record], as_of=dt.date(2024, 4, 30)).excluded == (
            ("a", "after_as_of"),
        )

    def test_recorded_after_as_of_does_not_count(self) -> None:
        """A record entered the day after as_of is after_as_of even if its date is before."""
        record = rec("a", day=dt.date(2024, 5, 1), recorded=at(2, 9))
        assert reasons(count_records([record], as_of=dt.date(2024, 5, 1))) == {"a": "after_as_of"}
        assert count_records([record], as_of=dt.date(2024, 5, 2)).minutes == 60
        assert count_many([record], as_of=dt.date(2024, 5, 1))["V1"].excluded == (
            ("a", "after_as_of"),
        )
        assert count_many([record], as_of=dt.date(2024, 5, 2))["V1"].minutes == 60

    def test_recorded_at_midnight_in_bulk(self) -> None:
        """In bulk too, 00:00 local on the next day is after as_of and 23:59 is not."""
        on_day = rec("a", recorded=dt.datetime(2024, 5, 1, 23, 59, tzinfo=CST))
        next_day = rec("b", recorded=dt.datetime(2024, 5, 2, 0, 0, tzinfo=CST))
        count = count_many([on_day, next_day], as_of=dt.date(2024, 5, 1))["V1"]
        assert count.minutes == 60
        assert count.excluded == (("b", "after_as_of"),)

    def test_local_date_of_recorded_at(self) -> None:
        """recorded_at is read in its own offset: 23:30+08:00 is still that day locally."""
        record = rec("a", recorded=dt.datetime(2024, 5, 1, 23, 30, tzinfo=CST))
        assert count_records([record], as_of=dt.date(2024, 5, 1)).minutes == 60

    def test_amendment_after_as_of_has_no_effect(self) -> None:
        """An amendment entered after as_of does not supersede on as_of."""
        a = rec("a", recorded=at(1))
        b = rec("b", amends="a", recorded=at(3), minutes=30)
        assert count_records([a, b], as_of=dt.date(2024, 5, 2)).minutes == 60
        assert count_records([a, b], as_of=dt.date(2024, 5, 3)).minutes == 30


class TestWindow:
    def test_since_is_inclusive(self) -> None:
        """A record dated on the window's first day counts; the day before is outside."""
        records = [rec("a", day=dt.date(2024, 5, 1)), rec("b", day=dt.date(2024, 4, 30))]
        count = count_records(records, as_of=AS_OF, since=dt.date(2024, 5, 1))
        assert count.minutes == 60
        assert reasons(count) == {"b": "outside_window"}

    def test_since_after_as_of_is_refused(self) -> None:
        """A window that starts after as_of is an error."""
        with pytest.raises(VolunteerRulesError):
            count_records([], as_of=AS_OF, since=AS_OF + dt.timedelta(days=1))


class TestSuperseded:
    def test_verified_amendment_supersedes(self) -> None:
        """The amended record stops counting; the amendment counts."""
        count = count_records([rec("a"), rec("b", amends="a", minutes=30)], as_of=AS_OF)
        assert count.minutes == 30
        assert reasons(count) == {"a": "superseded"}

    def test_void_amendment_withdraws(self) -> None:
        """A void amendment withdraws the original; neither counts."""
        count = count_records([rec("a"), rec("b", amends="a", status="void")], as_of=AS_OF)
        assert count.minutes == 0
        assert reasons(count) == {"a": "superseded", "b": "not_verified"}

    @pytest.mark.parametrize("status", ["submitted", "rejected"])
    def test_pending_amendment_does_not_supersede(self, status: str) -> None:
        """A submitted or rejected amendment leaves the original counting."""
        count = count_records([rec("a"), rec("b", amends="a", status=status)], as_of=AS_OF)
        assert count.minutes == 60

    @pytest.mark.parametrize("middle", ["verified", "submitted"])
    def test_chain_only_last_counts(self, middle: str) -> None:
        """In A <- B <- C only C counts, whatever B's status."""
        records = [
            rec("a", minutes=10),
            rec("b", amends="a", minutes=20, status=middle, recorded=at(2)),
            rec("c", amends="b", minutes=30, recorded=at(3)),
        ]
        count = count_records(records, as_of=AS_OF)
        assert count.minutes == 30
        assert reasons(count)["a"] == "superseded"

    def test_amendment_is_within_one_organization(self) -> None:
        """An amends naming a record id of another organization supersedes nothing."""
        other = "51211100MJ00000175"
        count = count_records([rec("a"), rec("b", amends="a", org=other)], as_of=AS_OF)
        assert count.minutes == 120

    def test_superseded_record_does_not_block_overlap(self) -> None:
        """A superseded interval does not count, so it does not make its correction overlap."""
        a = rec("a", start=(8, 10), minutes=120, recorded=at(1))
        b = rec("b", start=(9, 10), minutes=60, amends="a", recorded=at(2))
        count = count_records([a, b], as_of=AS_OF)
        assert count.minutes == 60
        assert reasons(count) == {"a": "superseded"}

    @pytest.mark.parametrize(
        ("amendment", "expected"),
        [
            pytest.param({}, {"a": "superseded"}, id="verified"),
            pytest.param({"status": "void"}, {"a": "superseded", "b": "not_verified"}, id="void"),
            pytest.param({"status": "submitted"}, {"b": "not_verified"}, id="submitted"),
            pytest.param(
                {"recorded": dt.datetime(2025, 1, 1, 8, tzinfo=CST)},
                {"b": "after_as_of"},
                id="entered-after-as-of",
            ),
            pytest.param(
                {"day": dt.date(2025, 1, 1), "recorded": dt.datetime(2025, 1, 1, 8, tzinfo=CST)},
                {"b": "after_as_of"},
                id="dated-after-as-of",
            ),
            pytest.param({"volunteer": "V2"}, {"a": "superseded"}, id="another-volunteer"),
        ],
    )
    @pytest.mark.parametrize("target_status", ["verified", "submitted"])
    def test_bulk_agrees_on_one_amendment(
        self, amendment: dict[str, Any], expected: dict[str, str], target_status: str
    ) -> None:
        """count_many settles a single amendment as the engine does, in either order."""
        a = rec("a", status=target_status, recorded=at(1))
        b = rec("b", amends="a", minutes=30, **{"recorded": at(2), **amendment})
        if target_status != "verified":
            expected = {**expected, "a": "not_verified"}
        for records in ([a, b], [b, a]):
            many = count_many(records, as_of=AS_OF)
            assert reasons(many["V1"]) == {
                k: v for k, v in expected.items() if k == "a" or b.volunteer_id == "V1"
            }
            for volunteer, count in many.items():
                one = count_records(records, as_of=AS_OF, volunteer_id=volunteer)
                assert count.minutes == one.minutes
                assert count.excluded == tuple(e for e in one.excluded if e[1] != "other_volunteer")

    @given(st.lists(st.tuples(st.integers(0, 9), st.booleans(), st.integers(0, 3)), max_size=12))
    def test_bulk_agrees_on_plain_amendments(self, plan: list[tuple[int, bool, int]]) -> None:
        """Records on distinct dates, some amended once: count_many is the engine's count."""
        statuses = ("verified", "void", "submitted", "rejected")
        records = []
        for n, (day, amended, status) in enumerate(plan):
            date = dt.date(2024, 3, 1) + dt.timedelta(days=day + 10 * n)
            records.append(rec(f"r{n}", day=date, minutes=60 + n))
            if amended:
                records.append(
                    rec(
                        f"r{n}x",
                        day=date,
                        minutes=30 + n,
                        amends=f"r{n}",
                        status=statuses[status],
                        recorded=dt.datetime(date.year, date.month, date.day, 23, 30, tzinfo=CST),
                    )
                )
        many = count_many(records, as_of=AS_OF)
        for volunteer, count in many.items():
            one = count_records(records, as_of=AS_OF, volunteer_id=volunteer)
            assert count == attrs.evolve(one, outcomes=None)


class TestOverlap:
    def test_later_recorded_is_excluded(self) -> None:
        """Of two overlapping intervals the later-recorded one is excluded."""
        a = rec("a", start=(9, 11), minutes=120, recorded=at(2))
        b = rec("b", start=(8, 10), minutes=120, recorded=at(1))
        count = count_records([a, b], as_of=AS_OF)
        assert reasons(count) == {"a": "overlap"}

    def test_touching_intervals_do_not_overlap(self) -> None:
        """[8, 10) and [10, 12) touch: both count."""
        a = rec("a", start=(8, 10), minutes=120)
        b = rec("b", start=(10, 12), minutes=120)
        assert count_records([a, b], as_of=AS_OF).minutes == 240

    def test_one_minute_overlap(self) -> None:
        """Overlapping by one minute is enough to exclude."""
        a = rec("a", start=(8, 10), minutes=60)
        b = attrs.evolve(rec("b", start=(10, 12)), start=dt.datetime(2024, 5, 1, 9, 59, tzinfo=CST))
        assert reasons(count_records([a, b], as_of=AS_OF)) == {"b": "overlap"}

    def test_same_instant_other_offset(self) -> None:
        """Intervals are compared as instants, whatever their offsets."""
        a = rec("a", start=(8, 10), minutes=60)
        utc_start = dt.datetime(2024, 5, 1, 1, tzinfo=dt.UTC)  # 09:00+08:00
        b = attrs.evolve(
            rec("b", recorded=at(2)), start=utc_start, end=utc_start + dt.timedelta(hours=1)
        )
        assert reasons(count_records([a, b], as_of=AS_OF)) == {"b": "overlap"}

    def test_records_without_interval_never_overlap(self) -> None:
        """A record without an interval overlaps nothing."""
        assert count_records([rec("a", start=(8, 10)), rec("b")], as_of=AS_OF).minutes == 120

    def test_excluded_interval_blocks_nothing(self) -> None:
        """An overlap-excluded record does not block a third one."""
        a = rec("a", start=(8, 9), recorded=at(1))
        b = rec("b", start=(8, 11), minutes=180, recorded=at(2))
        c = rec("c", start=(10, 11), recorded=at(3))
        assert reasons(count_records([a, b, c], as_of=AS_OF)) == {"b": "overlap"}

    def test_past_midnight_overlaps_the_next_date_in_bulk(self) -> None:
        """In one offset, an interval past midnight overlapping the next date's is caught."""
        a = attrs.evolve(
            rec("a", start=(22, 23), recorded=at(2)),
            end=dt.datetime(2024, 5, 2, 2, tzinfo=CST),
            service=Hours.from_minutes(240),
        )
        b = rec("b", day=dt.date(2024, 5, 2), start=(1, 3), minutes=120, recorded=at(3))
        assert reasons(count_many([a, b], as_of=AS_OF)["V1"]) == {"b": "overlap"}
        assert count_many([b, a], as_of=AS_OF)["V1"] == count_many([a, b], as_of=AS_OF)["V1"]

    @pytest.mark.parametrize("bulk", [count_many, rules_count_many], ids=["tables", "rules"])
    def test_an_interval_longer_than_a_day_overlaps_the_next_date_in_bulk(self, bulk: Any) -> None:
        """22:00 to 23:00 the next day ends later in the day than it starts, yet overlaps
        the next date's morning: both bulk passes catch it."""
        a = attrs.evolve(
            rec("a", start=(22, 23), recorded=at(2)),
            end=dt.datetime(2024, 5, 2, 23, tzinfo=CST),
            service=Hours.from_minutes(1440),
        )
        b = rec("b", day=dt.date(2024, 5, 2), start=(10, 11), minutes=60, recorded=at(3))
        assert reasons(bulk([a, b], as_of=AS_OF)["V1"]) == {"b": "overlap"}
        assert reasons(count_records([a, b], as_of=AS_OF)) == {"b": "overlap"}

    def test_ending_at_midnight_touches_the_next_date_in_bulk(self) -> None:
        """[22:00, 00:00) and the next date's [00:00, 01:00) touch: both count in bulk."""
        a = attrs.evolve(
            rec("a", start=(22, 23), recorded=at(2, 0)),
            end=dt.datetime(2024, 5, 2, 0, tzinfo=CST),
            service=Hours.from_minutes(120),
        )
        b = rec("b", day=dt.date(2024, 5, 2), start=(0, 1), minutes=60)
        count = count_many([a, b], as_of=AS_OF)["V1"]
        assert (count.minutes, count.excluded) == (180, ())

    @pytest.mark.parametrize("bulk", [count_many, rules_count_many], ids=["tables", "rules"])
    @pytest.mark.parametrize(
        ("second", "reasons_in_bulk"),
        [((10, 0), {}), ((9, 59), {"b": "overlap"})],
        ids=["touching", "one-minute-overlap"],
    )
    def test_two_records_of_one_date_each_with_its_own_tzinfo_in_bulk(
        self, bulk: Any, second: tuple[int, int], reasons_in_bulk: dict[str, str]
    ) -> None:
        """A morning and a late morning, each date-time with a tzinfo object of its own (as
        parse_record reads them): touching intervals both count, one minute of overlap
        excludes the later-recorded record, on both sides of the boundary."""

        def moment(hour: int, minute: int = 0) -> dt.datetime:
            return dt.datetime(2024, 5, 1, hour, minute, tzinfo=dt.timezone(dt.timedelta(hours=8)))

        a = attrs.evolve(rec("a", minutes=120, recorded=at(1)), start=moment(8), end=moment(10))
        b = attrs.evolve(rec("b", recorded=at(2)), start=moment(*second), end=moment(11))
        for records in ([a, b], [b, a]):
            assert reasons(bulk(records, as_of=AS_OF)["V1"]) == reasons_in_bulk
        assert reasons(count_records([a, b], as_of=AS_OF)) == reasons_in_bulk

    @pytest.mark.parametrize("bulk", [count_many, rules_count_many], ids=["tables", "rules"])
    def test_same_instant_other_offset_in_bulk(self, bulk: Any) -> None:
        """Two records of one date in two offsets overlap as instants, though their times of
        day (09:00-10:00 and 01:30-02:30) do not: both bulk passes compare instants."""
        a = rec("a", start=(9, 10), minutes=60, recorded=at(1))
        utc_start = dt.datetime(2024, 5, 1, 1, 30, tzinfo=dt.UTC)  # 09:30+08:00
        b = attrs.evolve(
            rec("b", recorded=at(2)), start=utc_start, end=utc_start + dt.timedelta(hours=1)
        )
        assert reasons(bulk([a, b], as_of=AS_OF)["V1"]) == {"b": "overlap"}
        assert reasons(count_records([a, b], as_of=AS_OF)) == {"b": "overlap"}

    def test_other_volunteers_do_not_overlap(self) -> None:
        """Overlap is per volunteer."""
        a = rec("a", start=(8, 10), minutes=60)
        b = rec("b", start=(8, 10), minutes=60, volunteer="V2")
        assert count_many([a, b], as_of=AS_OF)["V2"].minutes == 60


class TestDailyCap:
    def test_exactly_1440_counts(self) -> None:
        """1440 minutes on one date count in full."""
        count = count_records([rec("a", minutes=1000), rec("b", minutes=440)], as_of=AS_OF)
        assert count.minutes == DAILY_CAP_MINUTES
        assert count.excluded == ()

    def test_crossing_record_counts_up_to_cap(self) -> None:
        """The record crossing 1440 counts only up to it, and says daily_cap."""
        a = rec("a", minutes=1000, recorded=at(1))
        b = rec("b", minutes=441, recorded=at(2))
        c = rec("c", minutes=5, recorded=at(3))
        count = count_records([c, b, a], as_of=AS_OF)
        assert count.minutes == 1440
        assert reasons(count) == {"b": "daily_cap", "c": "daily_cap"}
        assert count.minutes_of(ORG, "b") == 440
        assert count.minutes_of(ORG, "c") == 0

    def test_cap_is_per_date(self) -> None:
        """Minutes on another date are not capped together."""
        records = [rec("a", minutes=1440), rec("b", minutes=1440, day=dt.date(2024, 5, 2))]
        assert count_records(records, as_of=AS_OF).minutes == 2880


class TestRating:
    def test_minimum_rating_both_sides(self) -> None:
        """With min_rating good: good counts, pass and unevaluated do not."""
        records = [rec("a", rating="good"), rec("b", rating="pass"), rec("c")]
        count = count_records(records, as_of=AS_OF, min_rating="good")
        assert count.minutes == 60
        assert reasons(count) == {"b": "below_minimum_rating", "c": "below_minimum_rating"}


class TestVolunteer:
    def test_majority_then_smallest_id(self) -> None:
        """The default volunteer has most records; a tie goes to the smallest id."""
        records = [rec("a", volunteer="V2"), rec("b", volunteer="V1")]
        assert majority_volunteer(records) == "V1"
        assert majority_volunteer([*records, rec("c", volunteer="V2")]) == "V2"
        assert majority_volunteer([]) is None

    def test_other_volunteer_excluded(self) -> None:
        """Another volunteer's record is excluded, not an error."""
        count = count_records([rec("a"), rec("b", volunteer="V2")], as_of=AS_OF, volunteer_id="V1")
        assert reasons(count) == {"b": "other_volunteer"}


class TestDuplicates:
    def test_same_record_twice_counts_once(self) -> None:
        """A record given twice counts once."""
        assert count_records([rec("a"), rec("a")], as_of=AS_OF).minutes == 60
        assert count_many([rec("a"), rec("a")], as_of=AS_OF)["V1"].minutes == 60

    def test_same_key_different_content_is_a_conflict(self) -> None:
        """One key with two contents counts for no one, listed once, in both forms."""
        records = [rec("a"), rec("a", minutes=61), rec("b")]
        for order in (records, records[::-1]):
            count = count_records(order, as_of=AS_OF)
            assert count.minutes == 60
            assert count.excluded == (("a", "duplicate_record"),)
            many = count_many(order, as_of=AS_OF)["V1"]
            assert (many.minutes, many.excluded) == (60, (("a", "duplicate_record"),))

    def test_conflict_naming_two_volunteers(self) -> None:
        """A conflict is listed for each volunteer a version names, counted for neither."""
        records = [rec("a"), rec("a", volunteer="V2")]
        many = count_many(iter(records), as_of=AS_OF, detail=True)
        assert sorted(many) == ["V1", "V2"]
        for volunteer in ("V1", "V2"):
            assert many[volunteer].minutes == 0
            assert many[volunteer].excluded == (("a", "duplicate_record"),)
            assert count_records(records, as_of=AS_OF, volunteer_id=volunteer).excluded == (
                ("a", "duplicate_record"),
            )
        assert count_records(records, as_of=AS_OF, volunteer_id="V3").excluded == (
            ("a", "other_volunteer"),
        )

    def test_conflicting_amendment_amends_nothing(self) -> None:
        """Conflicting versions of an amendment do not supersede the record they name."""
        fix = rec("b", amends="a")
        records = [rec("a"), fix, attrs.evolve(fix, service=Hours(59))]
        count = count_records(records, as_of=AS_OF)
        assert count.minutes == 60
        assert count.excluded == (("b", "duplicate_record"),)


class TestBadInput:
    @given(st.from_type(object))
    def test_anything_is_a_library_error(self, value: object) -> None:
        """Any non-record input raises a VolunteerRulesError (or counts nothing)."""
        for call in (
            lambda: count_records(value, as_of=AS_OF),  # type: ignore[arg-type]
            lambda: count_records([value], as_of=AS_OF),  # type: ignore[list-item]
            lambda: count_many(value, as_of=AS_OF),  # type: ignore[arg-type]
            lambda: count_many([value], as_of=AS_OF),  # type: ignore[list-item]
            lambda: count_records([], as_of=value),  # type: ignore[arg-type]
            lambda: count_many([], as_of=AS_OF, volunteers=value),  # type: ignore[arg-type]
        ):
            with contextlib.suppress(VolunteerRulesError):
                call()


def _outcomes(count: Count) -> list[tuple[str, str, int, str | None]]:
    assert count.outcomes is not None
    return [(o.organization_id, o.record_id, o.minutes, o.reason) for o in count.outcomes]


class TestProperties:
    @given(service_histories(), st.randoms())
    def test_order_never_matters(self, records: list[ServiceRecord], random: Any) -> None:
        """Any permutation of the input gives the same count."""
        shuffled = list(records)
        random.shuffle(shuffled)
        a = count_records(records, as_of=AS_OF)
        b = count_records(shuffled, as_of=AS_OF)
        assert a == b

    @given(service_histories(volunteers=("V1", "V2", "V3"), max_size=16))
    def test_many_equals_one_by_one(self, records: list[ServiceRecord]) -> None:
        """count_many agrees with count_records per volunteer (others' records left out)."""
        since = dt.date(2024, 1, 2)
        for detail in (False, True):
            many = count_many(records, as_of=dt.date(2024, 1, 4), since=since, detail=detail)
            assert sorted(many) == sorted({r.volunteer_id for r in records})
            for volunteer, count in many.items():
                one = count_records(
                    records, as_of=dt.date(2024, 1, 4), since=since, volunteer_id=volunteer
                )
                expected = attrs.evolve(
                    one,
                    excluded=tuple(e for e in one.excluded if e[1] != "other_volunteer"),
                    outcomes=tuple(o for o in one.outcomes or () if o.reason != "other_volunteer")
                    if detail
                    else None,
                )
                assert count == expected

    @given(service_histories(volunteers=("V1", "V2", "V3"), max_size=16, time_zones=(CST,), days=3))
    def test_many_equals_one_by_one_in_one_offset(self, records: list[ServiceRecord]) -> None:
        """In one UTC offset (the fast path that trusts same-day intervals) the same holds."""
        many = count_many(records, as_of=AS_OF)
        for volunteer, count in many.items():
            one = count_records(records, as_of=AS_OF, volunteer_id=volunteer)
            assert count.minutes == one.minutes
            assert count.excluded == tuple(e for e in one.excluded if e[1] != "other_volunteer")
            assert count.first_counted == one.first_counted

    @given(
        service_histories(volunteers=("V1", "V2", "V3"), max_size=16, time_zones=(CST,), days=3),
        st.sampled_from(["own", "zoneinfo"]),
    )
    def test_the_bulk_pass_with_a_tzinfo_per_date_time(
        self, records: list[ServiceRecord], kind: str
    ) -> None:
        """Date-times with a tzinfo object each (as parse_record reads them), or a zone whose
        offset is not fixed: the rules' bulk pass still gives count_records' answer."""
        from zoneinfo import ZoneInfo

        def zone(moment: dt.datetime) -> dt.datetime:
            if kind == "zoneinfo":
                return moment.astimezone(ZoneInfo("Asia/Shanghai"))
            return moment.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))  # a new object

        records = [
            attrs.evolve(
                r,
                start=None if r.start is None else zone(r.start),
                end=None if r.end is None else zone(r.end),
                recorded_at=zone(r.recorded_at),
            )
            for r in records
        ]
        many = rules_count_many(records, as_of=AS_OF)
        for volunteer, count in many.items():
            one = count_records(records, as_of=AS_OF, volunteer_id=volunteer)
            assert count.minutes == one.minutes
            assert count.excluded == tuple(e for e in one.excluded if e[1] != "other_volunteer")
            assert count.first_counted == one.first_counted

    @given(
        service_histories(volunteers=("V1", "V2", "V3"), max_size=16, days=8),
        st.sampled_from(((CST,), None)),
        st.data(),
    )
    def test_many_equals_one_by_one_with_copies_and_late_dates(
        self, records: list[ServiceRecord], zones: tuple[dt.tzinfo, ...] | None, data: Any
    ) -> None:
        """Copies, dates after as_of, early entries, a window, a rating, named volunteers agree."""
        if zones is not None:
            records = [
                attrs.evolve(
                    r,
                    start=None if r.start is None else r.start.replace(tzinfo=zones[0]),
                    end=None if r.end is None else r.end.replace(tzinfo=zones[0]),
                    recorded_at=r.recorded_at.replace(tzinfo=zones[0]),
                )
                for r in records
            ]
        # Entered up to five days before the service date: only the date is then after as_of.
        # The constructor refuses such a record; the passes must agree on it all the same.
        early = dt.timedelta(days=data.draw(st.integers(0, 5)))
        with attrs.validators.disabled():
            records = [attrs.evolve(r, recorded_at=r.recorded_at - early) for r in records]
        copies = data.draw(st.lists(st.sampled_from(records), max_size=3)) if records else []
        given_records = [*records, *copies]
        as_of = dt.date(2024, 1, 5)
        since = data.draw(st.sampled_from((None, dt.date(2024, 1, 2))))
        rating = data.draw(st.sampled_from((None, "good")))
        named = data.draw(
            st.none() | st.lists(st.sampled_from(("V1", "V2", "V3", "V9")), unique=True)
        )
        owners = {r.volunteer_id for r in given_records}
        # The table engine and the rules wing's own bulk pass (certify_many's) alike.
        for bulk_count in (count_many, rules_count_many):
            many = bulk_count(
                given_records, as_of=as_of, since=since, min_rating=rating, volunteers=named
            )
            assert list(many) == sorted(owners if named is None else named)
            for volunteer, count in many.items():
                one = count_records(
                    given_records,
                    as_of=as_of,
                    since=since,
                    min_rating=rating,
                    volunteer_id=volunteer,
                )
                expected = attrs.evolve(
                    one,
                    excluded=tuple(e for e in one.excluded if e[1] != "other_volunteer"),
                    outcomes=None,
                )
                assert count == expected

    @given(service_histories(volunteers=("V1", "V2"), max_size=10))
    def test_many_with_named_volunteers(self, records: list[ServiceRecord]) -> None:
        """Naming volunteers counts exactly those, the same as without naming them."""
        everyone = count_many(records, as_of=AS_OF)
        named = count_many(records, as_of=AS_OF, volunteers=["V1", "V9"])
        assert set(named) == {"V1", "V9"}
        assert named["V9"].minutes == 0
        if "V1" in everyone:
            assert named["V1"] == everyone["V1"]

    @given(service_histories(), st.integers(1, 1440), st.integers(0, 3))
    def test_adding_a_clean_record_never_lowers(
        self, records: list[ServiceRecord], minutes: int, day: int
    ) -> None:
        """A new verified record without interval, amending nothing, never lowers the total."""
        before = count_records(records, as_of=AS_OF, volunteer_id="V1")
        extra = rec(
            "new",
            minutes=minutes,
            day=dt.date(2024, 1, 1) + dt.timedelta(days=day),
            recorded=dt.datetime(2024, 6, 1, tzinfo=CST),
        )
        after = count_records([*records, extra], as_of=AS_OF, volunteer_id="V1")
        assert after.minutes >= before.minutes

    @given(service_histories(max_size=16))
    def test_invariants(self, records: list[ServiceRecord]) -> None:
        """Counted minutes: within each record, at most 1440 a day, disjoint intervals."""
        count = count_records(records, as_of=AS_OF)
        by_key = {r.key: r for r in records}
        per_day: dict[dt.date, int] = {}
        spans = []
        assert count.outcomes is not None
        for outcome in count.outcomes:
            record = by_key[outcome.key]
            assert 0 <= outcome.minutes <= record.service.minutes
            assert outcome.reason is None or outcome.reason in EXCLUSION_REASONS
            assert (outcome.minutes == record.service.minutes) == (outcome.reason is None)
            if outcome.minutes:
                assert record.status == "verified"
                per_day[record.date] = per_day.get(record.date, 0) + outcome.minutes
                if record.start is not None and record.end is not None:
                    spans.append((record.start, record.end))
        assert all(v <= DAILY_CAP_MINUTES for v in per_day.values())
        spans.sort()
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
        assert count.minutes == sum(o.minutes for o in count.outcomes)

    @given(service_histories(max_size=10), st.integers(0, 6))
    def test_past_count_is_reproducible(self, records: list[ServiceRecord], day: int) -> None:
        """What is entered after as_of never changes a count made on as_of."""
        as_of = dt.date(2024, 1, 1) + dt.timedelta(days=day)
        on_record = [r for r in records if r.date <= as_of and r.recorded_at.date() <= as_of]
        full = count_records(records, as_of=as_of, volunteer_id="V1")
        past = count_records(on_record, as_of=as_of, volunteer_id="V1")
        assert full.minutes == past.minutes
        assert full.first_counted == past.first_counted
