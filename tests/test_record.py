"""Record format v1: parse_record, dump_record and parse_records, example by example."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

import volunteer_rules as vr
from volunteer_rules.errors import FIELD_ERROR_CODES
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
        assert list(dumped) == [f for f in vr.records.record.FIELDS if f in dumped]

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
        record = vr.parse_record(SAMPLE_RECORD_PAYLOAD, default_tz=dt.UTC)
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

    def test_extra_categories(self) -> None:
        """extra_categories holds for every item; a bad item is reported under its index."""
        custom = payload(service_category="river_patrol", record_id="r-2")
        records = vr.parse_records(
            [SAMPLE_RECORD_PAYLOAD, custom], extra_categories=["river_patrol"]
        )
        assert [r.service_category for r in records] == ["elderly_and_disabled", "river_patrol"]
        assert type(records[1].service_category) is str
        with pytest.raises(vr.RecordFormatError) as info:
            vr.parse_records(
                [custom, payload(service_category="rowing")], extra_categories=["river_patrol"]
            )
        assert [(e.path, e.code) for e in info.value.errors] == [
            ("$[1].service_category", "unknown_code")
        ]
        with pytest.raises(vr.InvalidValueError):
            vr.parse_records([custom], extra_categories=["river patrol"])


def accepted(mapping: dict[str, Any], **kwargs: Any) -> bool:
    """Whether parse_record accepts ``mapping``."""
    try:
        vr.parse_record(mapping, **kwargs)
    except vr.RecordFormatError:
        return False
    return True


class TestBoundaries:
    """Both sides of every documented limit."""

    @pytest.mark.parametrize(
        ("field", "limit"),
        [
            ("activity_name", 200),
            ("place", 200),
            ("content", 2000),
            ("person_in_charge", 100),
            ("recorded_by", 100),
            ("beneficiary", 200),
        ],
    )
    def test_text_lengths(self, field: str, limit: int) -> None:
        """A text of the limit's length is accepted, one character more is out_of_range."""
        assert accepted(payload(**{field: "字" * limit}))
        assert problems(payload(**{field: "字" * (limit + 1)})) == [(f"$.{field}", "out_of_range")]

    def test_text_length_counts_after_trimming(self) -> None:
        """Surrounding white space does not count toward a length limit."""
        assert accepted(payload(place="  " + "p" * 200 + "\u3000"))

    @pytest.mark.parametrize("field", ["record_id", "volunteer_id", "amends"])
    def test_id_lengths(self, field: str) -> None:
        """Ids of 1 and 64 characters are accepted; 65 are out_of_range."""
        assert accepted(payload(**{field: "a"}))
        assert accepted(payload(**{field: "a" * 64}))
        assert problems(payload(**{field: "a" * 65})) == [(f"$.{field}", "out_of_range")]

    def test_group_id_lengths(self) -> None:
        """A group's id is G- and 1 to 62 id characters."""
        assert accepted(payload(organization_id="G-" + "g" * 62))
        assert accepted(payload(organization_id="G-g"))
        assert problems(payload(organization_id="G-" + "g" * 63)) == [
            ("$.organization_id", "out_of_range")
        ]
        assert problems(payload(organization_id="G-")) == [("$.organization_id", "invalid_format")]

    def test_service_minutes(self) -> None:
        """1 and 1440 minutes are accepted; 0 and 1441 are out_of_range."""
        whole_day = {
            "start": "2024-05-01T00:00:00+08:00",
            "end": "2024-05-02T00:00:00+08:00",
        }
        assert accepted(payload(service_minutes=1))
        assert accepted(payload(service_minutes=1440, **whole_day))
        assert problems(payload(service_minutes=0)) == [("$.service_minutes", "out_of_range")]
        assert problems(payload(service_minutes=1441, **whole_day)) == [
            ("$.service_minutes", "out_of_range")
        ]

    def test_minutes_within_interval(self) -> None:
        """Minutes equal to the interval are accepted; one more is inconsistent."""
        assert accepted(payload(service_minutes=150))
        assert problems(payload(service_minutes=151)) == [("$.service_minutes", "inconsistent")]

    def test_minutes_against_seconds(self) -> None:
        """An interval one microsecond short of the minutes is inconsistent."""
        short = payload(end="2024-05-01T10:59:59.999999+08:00", service_minutes=150)
        assert problems(short) == [("$.service_minutes", "inconsistent")]

    def test_end_after_start(self) -> None:
        """end equal to start is inconsistent; one microsecond later is accepted."""
        same = payload(end="2024-05-01T08:30:00+08:00", service_minutes=1)
        assert ("$.end", "inconsistent") in problems(same)
        assert accepted(
            payload(
                start="2024-05-01T08:29:00+08:00",
                end="2024-05-01T08:30:00.000001+08:00",
                service_minutes=1,
            )
        )

    def test_recorded_at_not_before_end(self) -> None:
        """recorded_at equal to end is accepted; a microsecond earlier is inconsistent."""
        assert accepted(payload(recorded_at="2024-05-01T11:00:00+08:00"))
        assert problems(payload(recorded_at="2024-05-01T10:59:59.999999+08:00")) == [
            ("$.recorded_at", "inconsistent")
        ]

    def test_recorded_at_compares_instants(self) -> None:
        """recorded_at in another offset is compared as an instant."""
        assert accepted(payload(recorded_at="2024-05-01T03:00:00+00:00"))
        assert problems(payload(recorded_at="2024-05-01T02:59:00+00:00")) == [
            ("$.recorded_at", "inconsistent")
        ]

    def test_recorded_at_without_interval(self) -> None:
        """Without an interval, recorded_at's local date may be the activity's date, not before."""
        base = payload(start=_DROP, end=_DROP)
        assert accepted(dict(base, recorded_at="2024-05-01T00:00:00+08:00"))
        assert problems(dict(base, recorded_at="2024-04-30T23:59:59+08:00")) == [
            ("$.recorded_at", "inconsistent")
        ]

    @pytest.mark.parametrize("absent", ["start", "end"])
    def test_null_half_of_an_interval(self, absent: str) -> None:
        """A null start (or end) beside a given end (or start) is missing, not dropped."""
        vr.parse_record(payload())  # the caches are warm: the fast path reads what follows
        assert problems(payload(**{absent: None})) == [
            (f"$.{absent}", "missing"),
        ]
        assert accepted(payload(start=None, end=None, recorded_at="2024-05-01T12:00:00+08:00"))

    def test_overnight_interval(self) -> None:
        """An interval crossing midnight is accepted and counts on the date it started."""
        record = vr.parse_record(
            payload(
                date="2024-05-01",
                start="2024-05-01T22:00:00+08:00",
                end="2024-05-02T02:00:00+08:00",
                service_minutes=240,
                recorded_at="2024-05-02T09:00:00+08:00",
            )
        )
        assert record.date == dt.date(2024, 5, 1)
        assert record.end is not None and record.end.date() == dt.date(2024, 5, 2)

    def test_date_is_local_date_of_start(self) -> None:
        """The date is compared with start's own local date, not UTC's."""
        early = payload(
            date="2024-05-01",
            start="2024-05-01T01:00:00+08:00",
            end="2024-05-01T03:30:00+08:00",
        )
        assert accepted(early)  # 2024-04-30 in UTC
        assert problems(dict(early, date="2024-04-30")) == [("$.date", "inconsistent")]

    def test_years(self) -> None:
        """Dates of 1900 and 2999 are accepted; 1899 and 3000 are out_of_range."""
        old = payload(start=_DROP, end=_DROP, date="1900-01-01")
        assert accepted(old)
        assert problems(dict(old, date="1899-12-31")) == [("$.date", "out_of_range")]
        late = payload(
            start=_DROP, end=_DROP, date="2999-12-31", recorded_at="2999-12-31T12:00:00+08:00"
        )
        assert accepted(late)
        assert problems(dict(late, recorded_at="3000-01-01T00:00:00+08:00")) == [
            ("$.recorded_at", "out_of_range")
        ]

    def test_offsets(self) -> None:
        """Offsets up to ±23:59 are accepted; 24 hours or 60 minutes are invalid_format."""
        base = payload(start=_DROP, end=_DROP)
        assert accepted(dict(base, recorded_at="2024-05-02T09:15:00+23:59"))
        assert accepted(dict(base, recorded_at="2024-05-02T09:15:00-23:59"))
        for bad in ("2024-05-02T09:15:00+24:00", "2024-05-02T09:15:00+08:60"):
            assert problems(dict(base, recorded_at=bad)) == [("$.recorded_at", "invalid_format")]

    def test_evaluation_date(self) -> None:
        """An evaluation on the activity's date is accepted; the day before is inconsistent."""
        assert accepted(payload(evaluation={"rating": "good", "date": "2024-05-01"}))
        assert problems(payload(evaluation={"rating": "good", "date": "2024-04-30"})) == [
            ("$.evaluation.date", "inconsistent")
        ]

    def test_extension_depth(self) -> None:
        """extensions may nest 32 levels deep; 33 is out_of_range."""

        def nested(levels: int) -> Any:
            value: Any = 1
            for _ in range(levels):
                value = [value]
            return value

        assert accepted(payload(extensions={"a": nested(31)}))
        found = problems(payload(extensions={"a": nested(32)}))
        assert len(found) == 1
        assert found[0][1] == "out_of_range"
        assert found[0][0].startswith("$.extensions.a[0]")

    def test_extension_cycle(self) -> None:
        """A self-containing object in extensions is refused, not a RecursionError."""
        loop: dict[str, Any] = {}
        loop["self"] = loop
        assert problems(payload(extensions=loop))[0][1] == "out_of_range"


class TestExtensions:
    def test_kept_exactly(self) -> None:
        """Every JSON value in extensions comes back from dump unchanged, in order."""
        value = {"z": 1, "a": [1.5, "x", None, False, {"n": -(2**70)}], "": {}}
        dumped = vr.dump_record(vr.parse_record(payload(extensions=value)))
        assert dumped["extensions"] == value
        assert json.dumps(dumped["extensions"]) == json.dumps(value)

    def test_caller_mutation_does_not_reach_record(self) -> None:
        """Changing the payload after parsing leaves the record as it was."""
        given = payload(extensions={"tags": ["a"], "meta": {"k": 1}})
        record = vr.parse_record(given)
        given["extensions"]["tags"].append("b")
        given["extensions"]["meta"]["k"] = 2
        assert vr.dump_record(record)["extensions"] == {"tags": ["a"], "meta": {"k": 1}}

    def test_record_extensions_read_only(self) -> None:
        """The record's extensions cannot be changed in place."""
        record = vr.parse_record(payload(extensions={"tags": ["a"]}))
        assert record.extensions is not None
        with pytest.raises(TypeError):
            record.extensions["tags"] = "b"  # type: ignore[index]
        assert record.extensions["tags"] == ("a",)

    def test_dump_gives_fresh_copy(self) -> None:
        """Changing a dump leaves the record and later dumps unchanged."""
        record = vr.parse_record(payload(extensions={"tags": ["a"]}))
        first = vr.dump_record(record)
        first["extensions"]["tags"].append("b")
        assert vr.dump_record(record)["extensions"] == {"tags": ["a"]}

    def test_constructor_freezes(self) -> None:
        """A record built with the constructor freezes its extensions too."""
        record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
        given: dict[str, Any] = {"a": [1]}
        built = attrs.evolve(record, extensions=given)
        given["a"].append(2)
        assert built == vr.parse_record(payload(extensions={"a": [1]}))

    def test_constructor_refuses_non_json(self) -> None:
        """The constructor refuses extensions that are not JSON values."""
        record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
        with pytest.raises(vr.InvalidValueError):
            attrs.evolve(record, extensions={"a": object()})
        with pytest.raises(vr.InvalidTypeError):
            attrs.evolve(record, extensions=[1])

    @pytest.mark.parametrize(
        ("value", "code"),
        [
            ({"x": float("nan")}, "invalid_format"),
            ({"x": float("inf")}, "invalid_format"),
            ({"x": {1, 2}}, "invalid_type"),
            ({"x": b"bytes"}, "invalid_type"),
            ({3: "x"}, "invalid_type"),
            ("text", "invalid_type"),
        ],
    )
    def test_non_json_refused(self, value: Any, code: str) -> None:
        """Values JSON cannot carry are refused with a path into extensions."""
        found = problems(payload(extensions=value))
        assert len(found) == 1
        assert found[0][0].startswith("$.extensions")
        assert found[0][1] == code


class TestEveryCode:
    def test_all_codes_provoked(self) -> None:
        """Each of the nine error codes is produced by some payload."""
        cases = [
            payload(place=_DROP),
            payload(colour="red"),
            payload(service_minutes="1"),
            payload(date="yesterday"),
            payload(service_minutes=2000),
            payload(organization_id="512111005000000155"),
            payload(region_code="999999"),
            payload(service_minutes=151),
            payload(format_version=2),
        ]
        seen = {code for case in cases for _, code in problems(case)}
        assert seen == set(FIELD_ERROR_CODES)

    def test_paths_of_nested_problems(self) -> None:
        """Problems inside evaluation carry $.evaluation.<field> paths."""
        found = problems(payload(evaluation={"rating": "great", "when": 1}))
        assert found == [
            ("$.evaluation.when", "unknown_field"),
            ("$.evaluation.rating", "unknown_code"),
            ("$.evaluation.date", "missing"),
        ]

    def test_odd_field_names_quoted(self) -> None:
        """A field name that is not an identifier is written in brackets."""
        assert problems(payload(**{"a b": 1})) == [('$["a b"]', "unknown_field")]

    def test_messages_are_sentences(self) -> None:
        """Every message is a non-empty sentence without a trailing newline."""
        with pytest.raises(vr.RecordFormatError) as info:
            vr.parse_record({"format_version": 1})
        assert len(info.value.errors) == len(vr.records.record.REQUIRED_FIELDS) - 1
        for error in info.value.errors:
            assert error.message and "\n" not in error.message

    def test_volunteer_id_number_masked(self) -> None:
        """A volunteer_id that is an ID number is refused and masked in the message."""
        with pytest.raises(vr.RecordFormatError) as info:
            vr.parse_record(payload(volunteer_id="11010519491231002X"))
        (error,) = info.value.errors
        assert error.code == "invalid_format"
        assert "11010519491231002X" not in error.message
        assert "110105" in error.message

    def test_extra_categories(self) -> None:
        """extra_categories adds codes to the vocabulary for one call."""
        custom = payload(service_category="river_patrol")
        assert problems(custom) == [("$.service_category", "unknown_code")]
        record = vr.parse_record(custom, extra_categories={"river_patrol"})
        assert record.service_category == "river_patrol"
        with pytest.raises(vr.InvalidTypeError):
            vr.parse_record(custom, extra_categories="river_patrol")
        with pytest.raises(vr.InvalidValueError):
            vr.parse_record(custom, extra_categories={"river patrol"})

    def test_dump_refuses_other_types(self) -> None:
        """dump_record refuses anything but a ServiceRecord."""
        with pytest.raises(vr.InvalidTypeError):
            vr.dump_record(SAMPLE_RECORD_PAYLOAD)  # type: ignore[arg-type]

    def test_mapping_that_is_not_a_dict(self) -> None:
        """Any Mapping is read like a dict."""
        from types import MappingProxyType

        assert vr.parse_record(MappingProxyType(SAMPLE_RECORD_PAYLOAD)) == vr.parse_record(
            SAMPLE_RECORD_PAYLOAD
        )

    def test_default_tz_gap(self) -> None:
        """A naive time read in a zone with a daylight-saving gap keeps the zone's offset."""
        zone = ZoneInfo("America/New_York")
        record = vr.parse_record(
            payload(
                region_code="110105",
                date="2024-03-10",
                start="2024-03-10T01:30:00",
                end="2024-03-10T03:30:00",
                service_minutes=60,
                recorded_at="2024-03-11T09:00:00",
            ),
            default_tz=zone,
        )
        dumped = vr.dump_record(record)
        assert dumped["start"] == "2024-03-10T01:30:00-05:00"
        assert dumped["end"] == "2024-03-10T03:30:00-04:00"
        assert vr.parse_record(dumped) == record


class TestNonAsciiDateTimes:
    @pytest.mark.parametrize(
        "text",
        [
            "２０２４-05-01T08:30:00+08:00",
            "2024-05-０1T08:30:00+08:00",
            "2024-05-01T08:3０:00+08:00",
            "2024-05-01T08:30:00+０8:00",
            "2024-05-01\u3000T08:30:00+08:00",
            "2024-05-01Ｔ08:30:00+08:00",
            "2024-05-01 08:30:00+08:00",
            "2024-W18-3T08:30:00+08:00",
            "20240501T083000.123+08:00",
            "2024-05-01T08:30:00+08:00\ud800",
            "\ud800024-05-01T08:30:00+08:00",
            "2024-05-01T08:30:0\u0660+08:00",
            "2024-05-01T08:30:0\xb2+08:00",
        ],
    )
    def test_refused_in_every_field(self, text: str) -> None:
        """Date-times with non-ASCII characters or other ISO forms are invalid_format."""
        for field in ("start", "end", "recorded_at"):
            found = problems(payload(**{field: text}))
            assert (f"$.{field}", "invalid_format") in found


class _Nasty:
    """An object whose every protocol method fails."""

    def _fail(self, *args: Any) -> Any:
        raise RuntimeError("nasty")

    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _fail
    __hash__ = __len__ = __getitem__ = __iter__ = __repr__ = __str__ = __index__ = _fail


class _NastyStr(str):
    """A str whose own methods fail."""

    def _fail(self, *args: Any) -> Any:
        raise RuntimeError("nasty")

    strip = __eq__ = __ne__ = __lt__ = __repr__ = __str__ = __getitem__ = __len__ = _fail
    __hash__ = _fail


class _NastyInt(int):
    """An int whose comparisons and repr fail."""

    def _fail(self, *args: Any) -> Any:
        raise RuntimeError("nasty")

    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __repr__ = _fail
    __hash__ = _fail


class TestHostileObjects:
    @pytest.mark.parametrize("field", vr.records.record.FIELDS)
    @pytest.mark.parametrize(
        "value", [_Nasty(), _NastyStr("verified"), _NastyInt(1)], ids=["object", "str", "int"]
    )
    def test_only_library_errors(self, field: str, value: Any) -> None:
        """Values whose own methods raise give a RecordFormatError (or a record), never more."""
        with contextlib.suppress(vr.RecordFormatError):
            vr.parse_record(payload(**{field: value}))
