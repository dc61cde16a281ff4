"""Record format v1: parse_record, dump_record and parse_records, example by example."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

import volunteer_rules as vr
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD

CST = dt.timezone(dt.timedelta(hours=8))
_DROP = object()


def payload(**changes: Any) -> dict[str, Any]:
    """The sample payload with fields replaced (or dropped with ``_DROP``)."""
    result = copy.deepcopy(SAMPLE_RECORD_PAYLOAD)
    for key, value in changes.items():
        if value is _DROP:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def problems(mapping: Any, **kwargs: Any) -> list[tuple[str, str]]:
    """The (path, code) pairs parse_record reports for ``mapping``."""
    with pytest.raises(vr.RecordFormatError) as info:
        vr.parse_record(mapping, **kwargs)
    return [(error.path, error.code) for error in info.value.errors]


class TestCanonicalSample:
    def test_parses(self) -> None:
        """The sample payload parses into the values it spells."""
        record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
        assert record.record_id == "r-2024-0001"
        assert record.region_code == vr.RegionCode.parse("211103")
        assert record.date == dt.date(2024, 5, 1)
        assert record.start == dt.datetime(2024, 5, 1, 8, 30, tzinfo=CST)
        assert record.service == vr.Hours.from_minutes(120)
        assert record.evaluation is None
        assert record.group_service is False
        assert record.extensions is None

    def test_round_trip(self) -> None:
        """dump_record gives back exactly the canonical sample."""
        assert vr.dump_record(vr.parse_record(SAMPLE_RECORD_PAYLOAD)) == SAMPLE_RECORD_PAYLOAD

    def test_dump_field_order(self) -> None:
        """dump_record writes the fields in the documented order."""
        dumped = vr.dump_record(vr.parse_record(SAMPLE_RECORD_PAYLOAD))
        assert list(dumped) == [f for f in vr.record.FIELDS if f in dumped]

    def test_all_optional_fields_round_trip(self) -> None:
        """Every optional field survives parse and dump unchanged."""
        full = payload(
            evaluation={"rating": "excellent", "date": "2024-05-03"},
            beneficiary="独居老人",
            group_service=True,
            amends="r-2024-0000",
            extensions={"source": {"system": "x", "ids": [1, 2.5, None, True, "a"]}},
        )
        record = vr.parse_record(full)
        assert record.evaluation == vr.Evaluation(rating="excellent", date=dt.date(2024, 5, 3))
        assert vr.dump_record(record) == full
        assert vr.parse_record(vr.dump_record(record)) == record


class TestCanonicalText:
    def test_trimmed(self) -> None:
        """Surrounding white space is trimmed from text fields."""
        record = vr.parse_record(payload(activity_name="  助老 \n", record_id=" r-1 "))
        assert record.activity_name == "助老"
        assert record.record_id == "r-1"

    def test_datetime_forms(self) -> None:
        """Minutes-only, Z and fractional forms are read and dumped canonically."""
        record = vr.parse_record(
            payload(
                start="2024-05-01T00:30Z",
                end="2024-05-01T03:00:00.500+00:00",
                recorded_at="2024-05-02T09:15:00.000+08:00",
            )
        )
        dumped = vr.dump_record(record)
        assert dumped["start"] == "2024-05-01T00:30:00+00:00"
        assert dumped["end"] == "2024-05-01T03:00:00.500000+00:00"
        assert dumped["recorded_at"] == "2024-05-02T09:15:00+08:00"

    def test_offset_kept(self) -> None:
        """The offset a date-time came with is written back."""
        text = "2024-05-01T08:30:00-03:30"
        record = vr.parse_record(
            payload(start=text, end="2024-05-01T11:00:00-03:30", region_code="211103")
        )
        assert vr.dump_record(record)["start"] == text

    def test_group_service_false_omitted(self) -> None:
        """An explicit group_service false is accepted and omitted by dump."""
        record = vr.parse_record(payload(group_service=False))
        assert "group_service" not in vr.dump_record(record)

    def test_null_optional_is_absent(self) -> None:
        """A null optional field reads as absent and is omitted by dump."""
        record = vr.parse_record(payload(beneficiary=None, evaluation=None, extensions=None))
        assert vr.dump_record(record) == SAMPLE_RECORD_PAYLOAD

    def test_credit_code_uppercased(self) -> None:
        """A credit code in lowercase is normalised to uppercase."""
        record = vr.parse_record(payload(organization_id="51211100mj00000175"))
        assert record.organization_id == "51211100MJ00000175"


class TestErrorCodes:
    def test_missing(self) -> None:
        """A required field absent, null or blank is missing."""
        assert problems(payload(place=_DROP)) == [("$.place", "missing")]
        assert problems(payload(place=None)) == [("$.place", "missing")]
        assert problems(payload(place="   ")) == [("$.place", "missing")]

    def test_unknown_field(self) -> None:
        """An unknown top-level field is reported with its path."""
        assert problems(payload(Status="verified")) == [("$.Status", "unknown_field")]

    def test_invalid_type(self) -> None:
        """A JSON value of the wrong type is invalid_type."""
        assert problems(payload(service_minutes="120")) == [("$.service_minutes", "invalid_type")]
        assert problems(payload(region_code=211103)) == [("$.region_code", "invalid_type")]

    def test_bool_is_not_int(self) -> None:
        """true is not a number of minutes, and 1 is not a boolean."""
        assert problems(payload(service_minutes=True)) == [("$.service_minutes", "invalid_type")]
        assert problems(payload(group_service=1)) == [("$.group_service", "invalid_type")]

    def test_invalid_format(self) -> None:
        """A string of the wrong shape is invalid_format."""
        assert problems(payload(date="2024/05/01")) == [("$.date", "invalid_format")]
        assert problems(payload(date="2024-02-30")) == [("$.date", "invalid_format")]
        assert problems(payload(record_id="r 1")) == [("$.record_id", "invalid_format")]

    def test_out_of_range(self) -> None:
        """Minutes beyond a day are out_of_range."""
        assert problems(payload(service_minutes=1441)) == [("$.service_minutes", "out_of_range")]

    def test_checksum(self) -> None:
        """A credit code with a wrong check character fails with checksum."""
        assert problems(payload(organization_id="512111005000000155")) == [
            ("$.organization_id", "checksum")
        ]

    def test_unknown_code(self) -> None:
        """A region, category or status that does not exist is unknown_code."""
        assert problems(payload(region_code="211199")) == [("$.region_code", "unknown_code")]
        assert problems(payload(service_category="fun")) == [("$.service_category", "unknown_code")]
        assert problems(payload(status="done")) == [("$.status", "unknown_code")]

    def test_inconsistent(self) -> None:
        """Fields that disagree are inconsistent."""
        assert problems(payload(end="2024-05-01T08:00:00+08:00")) == [
            ("$.end", "inconsistent"),
        ]
        assert problems(payload(date="2024-04-30", recorded_at="2024-05-02T09:15:00+08:00")) == [
            ("$.date", "inconsistent")
        ]
        assert problems(payload(service_minutes=151)) == [("$.service_minutes", "inconsistent")]
        assert problems(payload(recorded_at="2024-05-01T10:59:59+08:00")) == [
            ("$.recorded_at", "inconsistent")
        ]

    def test_unsupported_version(self) -> None:
        """Another format version stops the reading with one error."""
        assert problems(payload(format_version=2, status="x")) == [
            ("$.format_version", "unsupported_version")
        ]

    def test_every_problem_collected(self) -> None:
        """All problems of a payload are reported together, in field order."""
        found = problems(payload(record_id="", status="x", service_minutes=0, extra=1))
        assert found == [
            ("$.extra", "unknown_field"),
            ("$.record_id", "missing"),
            ("$.service_minutes", "out_of_range"),
            ("$.status", "unknown_code"),
        ]

    def test_not_a_mapping(self) -> None:
        """A payload that is not an object is one invalid_type error at $."""
        assert problems([("record_id", "x")]) == [("$", "invalid_type")]


class TestDefaultTz:
    def test_naive_refused_without_default(self) -> None:
        """A date-time without offset is invalid_format when no default_tz is given."""
        assert problems(payload(recorded_at="2024-05-02T09:15:00")) == [
            ("$.recorded_at", "invalid_format")
        ]

    def test_naive_read_in_default_zone(self) -> None:
        """With default_tz a date-time without offset is read in that zone."""
        zone = ZoneInfo("Asia/Shanghai")
        record = vr.parse_record(
            payload(start="2024-05-01T08:30:00", recorded_at="2024-05-02T09:15:00"),
            default_tz=zone,
        )
        assert record.start == dt.datetime(2024, 5, 1, 8, 30, tzinfo=CST)
        assert record.recorded_at.tzinfo is zone
        assert vr.dump_record(record)["start"] == "2024-05-01T08:30:00+08:00"

    def test_explicit_offset_wins(self) -> None:
        """An explicit offset is kept even when default_tz is given."""
        record = vr.parse_record(SAMPLE_RECORD_PAYLOAD, default_tz=dt.timezone.utc)
        assert record.start is not None
        assert record.start.utcoffset() == dt.timedelta(hours=8)

    def test_bad_default_tz(self) -> None:
        """A default_tz that is not a tzinfo is a type error from the library."""
        with pytest.raises(vr.InvalidTypeError):
            vr.parse_record(SAMPLE_RECORD_PAYLOAD, default_tz="Asia/Shanghai")  # type: ignore[arg-type]


class TestFastConstructor:
    def test_sets_every_field(self) -> None:
        """A parsed record is a frozen ServiceRecord with every field set."""
        record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
        assert type(record) is vr.ServiceRecord
        assert (
            attrs.asdict(record, recurse=False).keys() == attrs.fields_dict(vr.ServiceRecord).keys()
        )
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            record.status = "void"  # type: ignore[misc]

    def test_equals_validated_constructor(self) -> None:
        """A parsed record equals one built through the validating constructor."""
        record = vr.parse_record(
            payload(
                extensions={"a": [1]},
                evaluation={"rating": "pass", "date": "2024-05-02"},
                beneficiary="b",
                group_service=True,
                amends="r-0",
            )
        )
        rebuilt = vr.ServiceRecord(
            **{f.name: getattr(record, f.name) for f in attrs.fields(vr.ServiceRecord)}
        )
        assert rebuilt == record
        assert hash(rebuilt) == hash(record)


class TestParseRecords:
    def test_all_or_nothing(self) -> None:
        """parse_records reports every bad payload with its index and returns nothing."""
        with pytest.raises(vr.RecordFormatError) as info:
            vr.parse_records([SAMPLE_RECORD_PAYLOAD, payload(status="x"), 3])  # type: ignore[list-item]
        assert [(e.path, e.code) for e in info.value.errors] == [
            ("$[1].status", "unknown_code"),
            ("$[2]", "invalid_type"),
        ]

    def test_returns_tuple(self) -> None:
        """Good payloads come back as a tuple of records in order."""
        records = vr.parse_records([SAMPLE_RECORD_PAYLOAD, payload(record_id="r-2")])
        assert [r.record_id for r in records] == ["r-2024-0001", "r-2"]

    def test_not_iterable(self) -> None:
        """A single mapping is not a list of records."""
        with pytest.raises(vr.RecordFormatError):
            vr.parse_records(SAMPLE_RECORD_PAYLOAD)  # type: ignore[arg-type]
