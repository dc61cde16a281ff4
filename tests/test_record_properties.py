"""Record format v1: properties over generated payloads, records and arbitrary input."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

import volunteer_rules as vr
from volunteer_rules.errors import FIELD_ERROR_CODES
from volunteer_rules.records import _general_reader, parsing
from volunteer_rules.records._wording import personal_number_shape
from volunteer_rules.testing import strategies as vst
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD

CODES = frozenset(FIELD_ERROR_CODES)

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=20), children, max_size=4)
    ),
    max_leaves=20,
)


def reads(payload: Any, **kwargs: Any) -> vr.ServiceRecord | vr.RecordFormatError:
    """parse_record's outcome: the record, or the format error it raised."""
    try:
        return vr.parse_record(payload, **kwargs)
    except vr.RecordFormatError as error:
        return error


def fast_path(payload: dict[str, Any]) -> vr.ServiceRecord | None:
    """The canonical reader's outcome alone: the record, or None where it declines."""
    try:
        return parsing._read_canonical(payload, parsing._CATEGORY_CODES)
    except Exception:  # parse_record declines on any error of the canonical reader
        return None


def general(payload: dict[str, Any]) -> vr.ServiceRecord | vr.RecordFormatError:
    """The general reader's outcome, bypassing the canonical reader."""
    try:
        return _general_reader._read_fields(payload, None, vr.SERVICE_CATEGORIES, "$")
    except vr.RecordFormatError as error:
        return error


class TestRoundTrip:
    @given(vst.record_payloads())
    def test_canonical_payloads(self, payload: dict[str, Any]) -> None:
        """dump_record(parse_record(x)) == x for every canonical payload."""
        assert vr.dump_record(vr.parse_record(payload)) == payload

    @given(vst.service_records())
    def test_records(self, record: vr.ServiceRecord) -> None:
        """parse_record(dump_record(r)) == r for every valid record."""
        again = vr.parse_record(vr.dump_record(record))
        assert again == record
        assert hash(again) == hash(record)

    @given(vst.service_records())
    def test_dump_is_json(self, record: vr.ServiceRecord) -> None:
        """The dumped form survives JSON text unchanged."""
        dumped = vr.dump_record(record)
        assert json.loads(json.dumps(dumped, ensure_ascii=False)) == dumped

    @given(vst.service_records())
    def test_dump_never_null(self, record: vr.ServiceRecord) -> None:
        """Absent optional fields are omitted, never written as null."""
        assert None not in vr.dump_record(record).values()

    @given(st.lists(vst.record_payloads(), max_size=3))
    def test_parse_records(self, payloads: list[dict[str, Any]]) -> None:
        """parse_records reads a list exactly as parse_record reads each item."""
        assert vr.parse_records(payloads) == tuple(vr.parse_record(p) for p in payloads)


class TestFastPath:
    @given(vst.record_payloads())
    def test_agrees_on_canonical(self, payload: dict[str, Any]) -> None:
        """The fast path and the general reader give equal records, dumped alike."""
        quick = fast_path(payload)
        slow = general(payload)
        assert isinstance(slow, vr.ServiceRecord)
        if quick is not None:
            assert quick == slow
            assert vr.dump_record(quick) == vr.dump_record(slow)

    @given(vst.record_payloads(malformed=True))
    def test_never_accepts_malformed(self, payload: dict[str, Any]) -> None:
        """The fast path refuses every payload the general reader refuses."""
        assert isinstance(general(payload), vr.RecordFormatError)
        assert fast_path(payload) is None

    @given(
        vst.record_payloads(),
        st.from_regex(r"(?:0{0,2}86-?)?1[0-9]{2}-?[0-9]{4}-?[0-9]{3,5}[A-Za-z]?", fullmatch=True),
    )
    @example(payload=dict(SAMPLE_RECORD_PAYLOAD), volunteer_id="13812345678")
    @example(payload=dict(SAMPLE_RECORD_PAYLOAD), volunteer_id="0086-138-1234-5678")
    @example(payload=dict(SAMPLE_RECORD_PAYLOAD), volunteer_id="12812345678")
    @example(payload=dict(SAMPLE_RECORD_PAYLOAD), volunteer_id="086100000101000")
    def test_agree_on_ids_near_a_mobile_number(
        self, payload: dict[str, Any], volunteer_id: str
    ) -> None:
        """Both readers refuse a volunteer id shaped like a mobile number, and read the ids
        next to one (another first digit pair, a digit more or less, a letter after).

        An id next to a mobile number can have the shape of a first-generation ID number (15
        digits, a month and day in the birth-date places, as ``086100000101000``): both refuse
        it too, by the ids' one rule."""
        payload["volunteer_id"] = volunteer_id
        quick = fast_path(payload)
        slow = general(payload)
        if personal_number_shape(volunteer_id) is not None:
            assert quick is None
            assert isinstance(slow, vr.RecordFormatError)
            assert [(e.path, e.code) for e in slow.errors] == [("$.volunteer_id", "invalid_format")]
        else:
            assert isinstance(slow, vr.ServiceRecord) and slow.volunteer_id == volunteer_id
            if quick is not None:  # (it declines some canonical date-times, for the other)
                assert quick == slow
            sample = fast_path({**SAMPLE_RECORD_PAYLOAD, "volunteer_id": volunteer_id})
            assert sample is not None and sample.volunteer_id == volunteer_id

    @given(vst.record_payloads(), st.data())
    def test_agrees_on_perturbed(self, payload: dict[str, Any], data: st.DataObject) -> None:
        """With one field replaced by any JSON value, both readers agree."""
        field = data.draw(st.sampled_from(vr.records.record.FIELDS))
        payload[field] = data.draw(JSON)
        quick = fast_path(payload)
        slow = general(payload)
        if quick is not None:
            assert quick == slow


class TestFastPathIntervals:
    @given(
        st.dates(min_value=dt.date(1900, 1, 2), max_value=dt.date(2999, 12, 28)),
        st.integers(min_value=0, max_value=86399),
        st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1),
        st.integers(min_value=1, max_value=3 * 86400),
        st.sampled_from((-1, 0, 1)) | st.integers(min_value=-61, max_value=61),
        st.integers(min_value=0, max_value=86400),
        st.booleans(),
    )
    def test_one_offset_minutes_at_the_interval(
        self,
        day: dt.date,
        clock: int,
        offset: int,
        seconds: int,
        slack: int,
        lag: int,
        other_offset: bool,
    ) -> None:
        """Minutes about the length of an interval: both readers agree, valid ones read fast.

        Whole seconds only (the canonical 25-character date-times); intervals up to three days
        so that the clock difference is often negative (past midnight); in one offset the fast
        path compares clock times, otherwise it subtracts the instants.
        """
        zone = dt.timezone(dt.timedelta(minutes=offset))
        start = dt.datetime.combine(day, dt.time(), zone) + dt.timedelta(seconds=clock)
        end = start + dt.timedelta(seconds=seconds)
        recorded = end + dt.timedelta(seconds=lag)
        if other_offset:
            recorded = recorded.astimezone(dt.timezone(dt.timedelta(hours=1, minutes=offset % 7)))
        assume(recorded.year <= 2999)
        payload = dict(
            SAMPLE_RECORD_PAYLOAD,
            date=start.date().isoformat(),
            start=start.isoformat(),
            end=end.isoformat(),
            recorded_at=recorded.isoformat(),
            service_minutes=min(1440, max(1, seconds // 60 + slack)),
        )
        slow = general(payload)
        quick = fast_path(payload)
        if isinstance(slow, vr.ServiceRecord):
            assert quick == slow
            assert vr.dump_record(quick) == payload
        else:
            assert [error.code for error in slow.errors] == ["inconsistent"]
            assert quick is None


class TestMalformed:
    @given(vst.record_payloads(malformed=True))
    def test_refused_with_known_codes(self, payload: dict[str, Any]) -> None:
        """Every malformed payload is refused, each problem with a known code and a path."""
        outcome = reads(payload)
        assert isinstance(outcome, vr.RecordFormatError)
        assert outcome.errors
        for error in outcome.errors:
            assert error.code in CODES
            assert error.path.startswith("$")
            assert error.message

    @given(JSON)
    def test_any_json_value(self, value: Any) -> None:
        """Any JSON value gives a record or a RecordFormatError, nothing else."""
        reads(value)

    @given(st.dictionaries(st.sampled_from(vr.records.record.FIELDS) | st.text(max_size=5), JSON))
    def test_any_json_object(self, value: dict[str, Any]) -> None:
        """Any JSON object with the format's field names gives only library outcomes."""
        outcome = reads(value)
        if isinstance(outcome, vr.RecordFormatError):
            assert {e.code for e in outcome.errors} <= CODES

    @given(st.sampled_from(vr.records.record.FIELDS), st.from_type(type).flatmap(st.from_type))
    def test_any_python_object_in_a_field(self, field: str, value: Any) -> None:
        """Any Python object as a field's value gives only library outcomes."""
        payload = copy.deepcopy(SAMPLE_RECORD_PAYLOAD)
        payload[field] = value
        reads(payload)

    @given(st.from_type(type).flatmap(st.from_type))
    def test_any_python_object(self, value: Any) -> None:
        """Any Python object as the payload gives only library outcomes."""
        reads(value)


class TestPrivacy:
    @given(
        vst.resident_ids(),
        st.sampled_from(
            [
                "record_id",
                "volunteer_id",
                "organization_id",
                "status",
                "service_category",
                "region_code",
                "date",
                "start",
                "recorded_at",
                "amends",
                "service_minutes",
            ]
        ),
        st.sampled_from(["{}", "{} ", "x{}", "{}x", "{}-1"]),
    )
    def test_no_full_id_number_in_errors(self, rid: Any, field: str, template: str) -> None:
        """An ID number put in any field never appears in full in an error."""
        number = str(rid)
        payload = copy.deepcopy(SAMPLE_RECORD_PAYLOAD)
        payload[field] = template.format(number)
        outcome = reads(payload)
        assume(isinstance(outcome, vr.RecordFormatError))
        assert isinstance(outcome, vr.RecordFormatError)
        text = str(outcome) + repr(outcome.errors)
        assert number not in text
        assert number.lower() not in text

    @given(vst.resident_ids())
    def test_id_number_as_field_name(self, rid: Any) -> None:
        """An ID number used as an unknown field name is masked in the path and message."""
        number = str(rid)
        payload = dict(SAMPLE_RECORD_PAYLOAD, **{number: 1, "x" + number: 2})
        outcome = reads(payload)
        assert isinstance(outcome, vr.RecordFormatError)
        assert number not in str(outcome) + repr(outcome.errors)

    @given(vst.resident_ids())
    def test_id_number_refused_as_volunteer_id(self, rid: Any) -> None:
        """A resident ID number is never accepted as a volunteer_id."""
        outcome = reads(dict(SAMPLE_RECORD_PAYLOAD, volunteer_id=str(rid)))
        assert isinstance(outcome, vr.RecordFormatError)
        assert [(e.path, e.code) for e in outcome.errors] == [("$.volunteer_id", "invalid_format")]


class TestDefaultTz:
    @given(
        vst.record_payloads(),
        st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1),
    )
    def test_naive_times_take_default_zone(self, payload: dict[str, Any], minutes: int) -> None:
        """Date-times without offset are read in default_tz; the record keeps that offset."""
        zone = dt.timezone(dt.timedelta(minutes=minutes))
        naive = dict(payload)
        for field in ("start", "end", "recorded_at"):
            if field in naive:
                naive[field] = dt.datetime.fromisoformat(naive[field]).replace(tzinfo=None)
                naive[field] = naive[field].isoformat()
        outcome = reads(naive)
        assert isinstance(outcome, vr.RecordFormatError)
        assert {e.code for e in outcome.errors} == {"invalid_format"}
        record = reads(naive, default_tz=zone)
        if isinstance(record, vr.RecordFormatError):
            # Moving every time to one zone may break the cross-field rules, nothing else.
            assert {e.code for e in record.errors} <= {"inconsistent"}
            return
        assert record.recorded_at.utcoffset() == dt.timedelta(minutes=minutes)
        assert vr.dump_record(record)["recorded_at"].startswith(naive["recorded_at"])


class TestStrategies:
    @given(vst.service_records(volunteer_ids=st.just("V1"), statuses=st.just("void")))
    def test_arguments_respected(self, record: vr.ServiceRecord) -> None:
        """service_records draws from the strategies it is given."""
        assert (record.volunteer_id, record.status) == ("V1", "void")

    @given(vst.service_records(intervals=True))
    def test_intervals(self, record: vr.ServiceRecord) -> None:
        """With intervals=True every record has start < end on its date."""
        assert record.start is not None and record.end is not None
        assert record.start < record.end
        assert record.start.date() == record.date

    @given(vst.hours(min_value=vr.Hours.from_minutes(-5), max_value=vr.Hours.from_minutes(5)))
    def test_hours_bounds(self, amount: vr.Hours) -> None:
        """hours() stays within its inclusive bounds."""
        assert -5 <= amount.minutes <= 5

    @given(st.from_type(vr.ServiceRecord), st.from_type(vr.Hours), st.from_type(vr.RegionCode))
    def test_registered_types(self, record: Any, amount: Any, region: Any) -> None:
        """st.from_type gives valid values for the registered types."""
        assert vr.parse_record(vr.dump_record(record)) == record
        assert isinstance(amount, vr.Hours)
        assert vr.RegionCode.is_known(region.code)

    def test_bad_arguments(self) -> None:
        """Arguments that are not strategies (or bools) are InvalidArgument at first draw."""
        from hypothesis.errors import InvalidArgument

        for strategy in (
            vst.service_records(volunteer_ids="V1"),  # type: ignore[arg-type]
            vst.service_records(statuses=["void"]),  # type: ignore[arg-type]
            vst.service_records(intervals="yes"),  # type: ignore[arg-type]
            vst.record_payloads(malformed=1),  # type: ignore[arg-type]
        ):
            with pytest.raises(InvalidArgument):
                strategy.validate()

    def test_volunteer_ids_repeat(self) -> None:
        """The default volunteer ids repeat, so lists of records share volunteers."""
        from hypothesis import find

        pair = find(st.lists(vst.volunteer_ids(), min_size=2, max_size=2), lambda v: v[0] == v[1])
        assert pair[0] == pair[1]


_OFFSETS_FAR_APART = st.sampled_from([-(23 * 60 + 59), -12 * 60, 0, 8 * 60, 14 * 60, 23 * 60 + 59])
_NEAR_A_LIMIT = st.one_of(
    st.datetimes(dt.datetime(1899, 12, 29), dt.datetime(1900, 1, 3)),
    st.datetimes(dt.datetime(2999, 12, 29), dt.datetime(3000, 1, 3)),
).map(lambda moment: moment.replace(microsecond=0))


def _in_offset(moment: dt.datetime, minutes: int) -> dt.datetime:
    return moment.astimezone(dt.timezone(dt.timedelta(minutes=minutes)))


class TestFastPathYears:
    @given(
        start=_NEAR_A_LIMIT,
        offsets=st.tuples(_OFFSETS_FAR_APART, _OFFSETS_FAR_APART, _OFFSETS_FAR_APART),
        seconds=st.integers(60, 2 * 86400),
        lag=st.integers(0, 2 * 86400),
        interval=st.booleans(),
        evaluated=st.none() | st.integers(0, 3),
    )
    @example(  # end in 3000 in its own offset, recorded_at in 2999 in another
        dt.datetime(2999, 12, 31, 12), (-1439, -720, -1439), 60, 0, True, None
    )
    @example(  # recorded_at in 1899 in its own offset, after a start in 1900
        dt.datetime(1900, 1, 1), (1439, 1439, -1439), 60, 0, True, None
    )
    @example(  # the last second of 2999, in one offset
        dt.datetime(2999, 12, 31, 23, 58, 59), (840, 840, 840), 60, 0, True, 0
    )
    @settings(max_examples=300, deadline=None)
    def test_both_readers_keep_the_years_alike(
        self,
        start: dt.datetime,
        offsets: tuple[int, int, int],
        seconds: int,
        lag: int,
        interval: bool,
        evaluated: int | None,
    ) -> None:
        """At and around 1900 and 2999, in offsets far apart, with or without an interval: the
        fast path reads what the general reader reads, and declines what it refuses (a year
        outside 1900-2999 in its own offset is out_of_range), and parse_record says the same."""
        begins = start.replace(tzinfo=dt.timezone(dt.timedelta(minutes=offsets[0])))
        ends = _in_offset(begins + dt.timedelta(seconds=seconds), offsets[1])
        recorded = _in_offset(ends + dt.timedelta(seconds=lag), offsets[2])
        day = begins.date()
        payload = dict(
            SAMPLE_RECORD_PAYLOAD,
            date=day.isoformat(),
            start=begins.isoformat(),
            end=ends.isoformat(),
            recorded_at=recorded.isoformat(),
            service_minutes=min(1440, seconds // 60),
        )
        if not interval:
            del payload["start"], payload["end"]
        if evaluated is not None and day.year < 9999:
            rated = day + dt.timedelta(days=evaluated)
            payload["evaluation"] = {"rating": "good", "date": rated.isoformat()}
        slow = general(payload)
        quick = fast_path(payload)
        if isinstance(slow, vr.ServiceRecord):
            assert quick == slow
            assert vr.dump_record(quick) == payload
        else:
            assert quick is None
            found = reads(payload)
            assert isinstance(found, vr.RecordFormatError)
            assert found.errors == slow.errors
        moments = [recorded] + ([begins, ends] if interval else [])
        years = [moment.year for moment in moments] + [day.year]
        if "evaluation" in payload:
            years.append(rated.year)
        outside = any(not 1900 <= year <= 2999 for year in years)
        assert outside == (
            isinstance(slow, vr.RecordFormatError)
            and any(error.code == "out_of_range" for error in slow.errors)
        )
