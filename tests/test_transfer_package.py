"""Transfer packages: creation, canonical digest, wire form and its errors."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import hashlib
import json
from typing import Any

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import volunteer_rules as vr
from volunteer_rules.testing.examples import SAMPLE_ORGANIZATION_ID, SAMPLE_RECORD_PAYLOAD
from volunteer_rules.testing.profile_examples import (
    SAMPLE_COMMENDATION_PAYLOAD,
    SAMPLE_EVALUATION_PAYLOAD,
    SAMPLE_PROFILE_PAYLOAD,
    SAMPLE_TRAINING_PAYLOAD,
)
from volunteer_rules.testing.strategies import TRANSFER_AS_OF, transfer_packages

CST = dt.timezone(dt.timedelta(hours=8))
CREATED = dt.datetime(2024, 6, 1, 9, 0, tzinfo=CST)
DESTINATION = "51211100MJ00000175"


def sample_record(**changes: Any) -> vr.ServiceRecord:
    return attrs.evolve(vr.parse_record(SAMPLE_RECORD_PAYLOAD), **changes)


def make_package(
    records: list[vr.ServiceRecord] | None = None, **changes: Any
) -> vr.TransferPackage:
    arguments: dict[str, Any] = {
        "volunteer_id": "V0000001",
        "source_organization_id": SAMPLE_ORGANIZATION_ID,
        "destination_organization_id": DESTINATION,
        "destination_region_code": "210100",
        "source_region_code": "211103",
        "consent": True,
        "created_at": CREATED,
    }
    arguments.update(changes)
    return vr.create_transfer_package(
        [sample_record()] if records is None else records, **arguments
    )


def full_package() -> vr.TransferPackage:
    from volunteer_rules.records import profile

    return make_package(
        [
            sample_record(),
            sample_record(record_id="r-2024-0002", date=dt.date(2024, 5, 2), start=None, end=None),
        ],
        profile=profile.parse_profile(SAMPLE_PROFILE_PAYLOAD),
        training=[profile.parse_training(SAMPLE_TRAINING_PAYLOAD)],
        commendations=[profile.parse_commendation(SAMPLE_COMMENDATION_PAYLOAD)],
        evaluations=[profile.parse_evaluation_record(SAMPLE_EVALUATION_PAYLOAD)],
    )


def json_round_trip(value: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False))


class TestCreate:
    """create_transfer_package packages what it is given and computes summary and digest."""

    def test_summary_counts_records_and_minutes(self) -> None:
        """The summary states how many records and how many minutes the package carries."""
        package = make_package(
            [sample_record(), sample_record(record_id="r-2", service=vr.Hours.from_minutes(30))]
        )
        assert package.summary == vr.TransferSummary(
            record_count=2, service=vr.Hours.from_minutes(150)
        )

    def test_a_record_given_twice_is_packaged_once(self) -> None:
        """An identical repeat is one record: listed once, counted once in the summary;
        conflicting versions of a key are all packaged (check_transfer refuses them)."""
        record = sample_record()
        package = make_package([record, sample_record(record_id="r-2"), record])
        assert [r.record_id for r in package.records] == ["r-2", record.record_id]
        assert package.summary == vr.TransferSummary(
            record_count=2, service=vr.Hours.from_minutes(240)
        )
        assert package == make_package([sample_record(record_id="r-2"), record])
        edited = attrs.evolve(record, content="另一版本")
        assert len(make_package([record, edited, record]).records) == 2

    def test_records_sorted_by_key(self) -> None:
        """Records are kept in canonical order whatever order they were given in."""
        a, b = sample_record(record_id="r-b"), sample_record(record_id="r-a")
        assert [r.record_id for r in make_package([a, b]).records] == ["r-a", "r-b"]
        assert make_package([a, b]).digest == make_package([b, a]).digest

    def test_does_not_judge(self) -> None:
        """No consent, another volunteer, same place: still packaged, no error."""
        package = make_package(
            [sample_record(volunteer_id="V9", status="submitted")],
            consent=False,
            destination_organization_id=SAMPLE_ORGANIZATION_ID,
            destination_region_code="219999",
        )
        assert package.digest == vr.compute_package_digest(package)

    @pytest.mark.parametrize(
        ("changes", "error"),
        [
            ({"consent": "yes"}, vr.InvalidTypeError),
            ({"volunteer_id": 7}, vr.InvalidTypeError),
            ({"volunteer_id": ""}, vr.InvalidValueError),
            ({"created_at": dt.datetime(2024, 6, 1)}, vr.InvalidValueError),
            ({"created_at": "2024-06-01"}, vr.InvalidTypeError),
            ({"destination_region_code": 210100}, vr.InvalidTypeError),
            ({"guardian_consent": 1}, vr.InvalidTypeError),
            ({"training": [object()]}, vr.InvalidTypeError),
            ({"profile": {"name": "x"}}, vr.InvalidTypeError),
            ({"evaluations": "abc"}, vr.InvalidTypeError),
        ],
    )
    def test_wrong_types_raise_library_errors(
        self, changes: dict[str, Any], error: type[Exception]
    ) -> None:
        """A wrong type (or a naive time, an empty id) is a library error."""
        with pytest.raises(error):
            make_package(**changes)

    def test_records_must_be_records(self) -> None:
        """A payload dict among the records is an InvalidTypeError, not an AttributeError."""
        with pytest.raises(vr.InvalidTypeError):
            make_package([SAMPLE_RECORD_PAYLOAD])  # type: ignore[list-item]
        with pytest.raises(vr.InvalidTypeError):
            make_package(5)  # type: ignore[arg-type]

    def test_extension_that_is_not_json(self) -> None:
        """Extensions that cannot be serialized canonically are an InvalidValueError."""
        with pytest.raises(vr.InvalidValueError):
            make_package([sample_record(extensions={"x": float("nan")})])
        with pytest.raises(vr.InvalidValueError):
            make_package([sample_record(extensions={"x": object()})])

    def test_region_code_value_accepted(self) -> None:
        """A RegionCode is stored as its six digits."""
        package = make_package(destination_region_code=vr.RegionCode.parse("211102"))
        assert package.destination_region_code == "211102"

    def test_repr_shows_no_personal_data(self) -> None:
        """The repr names parties and summary, never the profile's ID number or contact."""
        package = full_package()
        text = repr(package)
        assert "211103199003150246" not in text
        assert "13912345678" not in text
        assert "records=2" in text


class TestDigest:
    """The digest is SHA-256 over a documented canonical serialization."""

    def test_canonical_form_is_reproducible_from_the_wire(self) -> None:
        """Any language can recompute it: drop digest, sort keys, compact, ASCII, SHA-256."""
        package = full_package()
        wire = json_round_trip(vr.dump_transfer_package(package))
        claimed = wire.pop("digest")
        text = json.dumps(wire, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
        assert hashlib.sha256(text.encode("ascii")).hexdigest() == claimed == package.digest
        assert vr.canonical_package_bytes(package) == text.encode("ascii")

    def test_known_vector(self) -> None:
        """A fixed package has a fixed digest (changes to the canonical form are breaking)."""
        package = make_package([])
        assert vr.canonical_package_bytes(package) == (
            b'{"commendations":[],"consent":true,"created_at":"2024-06-01T09:00:00+08:00",'
            b'"destination_organization_id":"51211100MJ00000175","destination_region_code":'
            b'"210100","evaluations":[],"format_version":1,"guardian_consent":false,"records":[],'
            b'"source_organization_id":"512111005000000154","source_region_code":"211103",'
            b'"summary":{"record_count":0,"service_minutes":0},"training":[],'
            b'"volunteer_id":"V0000001"}'
        )
        assert package.digest == hashlib.sha256(vr.canonical_package_bytes(package)).hexdigest()

    def test_non_ascii_escaped(self) -> None:
        """Chinese text is written as lowercase \\u escapes: the bytes are pure ASCII."""
        data = vr.canonical_package_bytes(make_package())
        assert data.isascii()
        assert "社区助老服务".encode("unicode_escape").decode() in data.decode()

    def test_parts_order_does_not_matter(self) -> None:
        """Training, commendations and evaluations are sorted into the canonical form."""
        from volunteer_rules.records import profile

        one = profile.parse_training(SAMPLE_TRAINING_PAYLOAD)
        two = profile.parse_training({**SAMPLE_TRAINING_PAYLOAD, "training_id": "t-2"})
        assert make_package(training=[one, two]).digest == make_package(training=[two, one]).digest

    def test_duplicate_keys_ordered_by_content(self) -> None:
        """Two records sharing a key are ordered by content, so the digest is stable."""
        a = sample_record()
        b = sample_record(place="别处")
        assert make_package([a, b]).digest == make_package([b, a]).digest


class TestWireForm:
    """dump_transfer_package and parse_transfer_package round-trip."""

    def test_round_trip_full(self) -> None:
        """All five parts survive dump, JSON and parse."""
        package = full_package()
        parsed = vr.parse_transfer_package(json_round_trip(vr.dump_transfer_package(package)))
        assert parsed == package
        assert vr.dump_transfer_package(parsed) == vr.dump_transfer_package(package)

    @given(transfer_packages(parts=True))
    def test_round_trip_property(self, package: vr.TransferPackage) -> None:
        """Every generated package parses back equal, and checks the same."""
        wire = json_round_trip(vr.dump_transfer_package(package))
        parsed = vr.parse_transfer_package(wire)
        assert parsed == package
        assert (
            vr.check_transfer(parsed, as_of=TRANSFER_AS_OF).violations
            == vr.check_transfer(package, as_of=TRANSFER_AS_OF).violations
        )

    def test_z_offset_accepted(self) -> None:
        """created_at ending in Z is read as UTC."""
        wire = vr.dump_transfer_package(make_package())
        wire["created_at"] = "2024-06-01T01:00:00Z"
        assert vr.parse_transfer_package(wire).created_at == CREATED

    def test_source_region_omitted_when_unknown(self) -> None:
        """No source region: the member is omitted, not null."""
        wire = vr.dump_transfer_package(make_package(source_region_code=None))
        assert "source_region_code" not in wire
        assert vr.parse_transfer_package(wire).source_region_code is None

    def test_record_errors_are_rebased(self) -> None:
        """A bad record is reported under $.records[i]."""
        wire = vr.dump_transfer_package(make_package())
        wire["records"][0]["date"] = "2024-13-01"
        with pytest.raises(vr.RecordFormatError) as caught:
            vr.parse_transfer_package(wire)
        assert caught.value.what == "transfer package"
        assert next(e.path for e in caught.value.errors).startswith("$.records[0].")

    def test_part_errors_are_rebased(self) -> None:
        """A bad training record is reported under $.training[i]."""
        wire = vr.dump_transfer_package(full_package())
        wire["training"][0]["study_minutes"] = "x"
        with pytest.raises(vr.RecordFormatError) as caught:
            vr.parse_transfer_package(wire)
        assert caught.value.errors[0].path.startswith("$.training[0].")

    @pytest.mark.parametrize(
        ("field", "value", "code"),
        [
            ("format_version", 2, "unsupported_version"),
            ("format_version", True, "invalid_type"),
            ("volunteer_id", "", "missing"),
            ("volunteer_id", 5, "invalid_type"),
            ("destination_organization_id", "not an org", "invalid_format"),
            ("destination_organization_id", "51211100MJ00000176", "checksum"),
            ("destination_region_code", "21010", "invalid_format"),
            ("consent", "true", "invalid_type"),
            ("created_at", "2024-06-01T09:00:00", "invalid_format"),
            ("created_at", 20240601, "invalid_type"),
            ("summary", [], "invalid_type"),
            ("records", {}, "invalid_type"),
            ("training", {}, "invalid_type"),
            ("digest", "ABC", "invalid_format"),
            ("surprise", 1, "unknown_field"),
        ],
    )
    def test_field_errors(self, field: str, value: Any, code: str) -> None:
        """Each bad member is reported with its path and code."""
        wire = vr.dump_transfer_package(make_package())
        wire[field] = value
        with pytest.raises(vr.RecordFormatError) as caught:
            vr.parse_transfer_package(wire)
        assert (f"$.{field}", code) in [(e.path, e.code) for e in caught.value.errors]

    @pytest.mark.parametrize(
        ("summary", "path", "code"),
        [
            ({"record_count": 1}, "$.summary.service_minutes", "missing"),
            ({"record_count": -1, "service_minutes": 0}, "$.summary.record_count", "out_of_range"),
            (
                {"record_count": 1, "service_minutes": "1"},
                "$.summary.service_minutes",
                "invalid_type",
            ),
            ({"record_count": 1, "service_minutes": 1, "x": 1}, "$.summary.x", "unknown_field"),
        ],
    )
    def test_summary_errors(self, summary: Any, path: str, code: str) -> None:
        """The summary's members are checked like any other."""
        wire = vr.dump_transfer_package(make_package())
        wire["summary"] = summary
        with pytest.raises(vr.RecordFormatError) as caught:
            vr.parse_transfer_package(wire)
        assert (path, code) in [(e.path, e.code) for e in caught.value.errors]

    def test_every_missing_field_reported_at_once(self) -> None:
        """An empty object lists every required member."""
        with pytest.raises(vr.RecordFormatError) as caught:
            vr.parse_transfer_package({})
        assert {e.code for e in caught.value.errors} == {"missing"}
        assert len(caught.value.errors) == 11

    def test_not_an_object(self) -> None:
        """A list is invalid_type at $."""
        with pytest.raises(vr.RecordFormatError) as caught:
            vr.parse_transfer_package([])  # type: ignore[arg-type]
        assert caught.value.errors[0].path == "$"

    def test_errors_never_show_the_id_number(self) -> None:
        """A bad profile inside a package never echoes the full resident ID number."""
        wire = vr.dump_transfer_package(full_package())
        wire["profile"]["id_document"]["number"] = "211103199003150247"  # bad checksum
        with pytest.raises(vr.RecordFormatError) as caught:
            vr.parse_transfer_package(wire)
        assert "211103199003150247" not in str(caught.value)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=10,
)


class TestRobustness:
    """Whatever the input, only library errors."""

    @given(JSON)
    def test_arbitrary_json(self, value: Any) -> None:
        """Arbitrary JSON raises RecordFormatError or parses."""
        with contextlib.suppress(vr.RecordFormatError):
            vr.parse_transfer_package(value)

    @given(
        st.dictionaries(
            st.sampled_from(sorted(vr.dump_transfer_package(make_package()))), JSON, max_size=14
        )
    )
    def test_arbitrary_members(self, value: dict[str, Any]) -> None:
        """Known member names with arbitrary values raise only RecordFormatError."""
        with contextlib.suppress(vr.RecordFormatError):
            vr.parse_transfer_package(value)

    @given(st.data())
    def test_arbitrary_member_replaced(self, data: st.DataObject) -> None:
        """One member of a valid package replaced by arbitrary JSON: parse or format error."""
        wire = vr.dump_transfer_package(full_package())
        field = data.draw(st.sampled_from(sorted(wire)))
        wire[field] = data.draw(JSON)
        try:
            package = vr.parse_transfer_package(wire)
        except vr.RecordFormatError:
            return
        vr.check_transfer(package, as_of=TRANSFER_AS_OF)

    @given(st.from_type(object))
    def test_any_object_to_public_functions(self, value: object) -> None:
        """Any Python object given to the package functions raises only library errors."""
        # from_type(object) may draw a real package: the library's types are registered.
        assume(not isinstance(value, vr.TransferPackage))
        for function in (
            vr.dump_transfer_package,
            vr.compute_package_digest,
            vr.canonical_package_bytes,
        ):
            with pytest.raises(vr.VolunteerRulesError):
                function(value)  # type: ignore[arg-type]
        with contextlib.suppress(vr.VolunteerRulesError):
            vr.parse_transfer_package(value)  # type: ignore[arg-type]


def _mutations(wire: dict[str, Any]) -> list[tuple[str, Any]]:
    """Every single-value change of a dumped package: (description, changed copy)."""
    changes: list[tuple[str, Any]] = []

    def walk(node: Any, path: list[Any]) -> None:
        if isinstance(node, dict):
            for key in node:
                walk(node[key], [*path, key])
        elif isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, [*path, index])
        elif path and path[0] != "digest":
            changes.append(("/".join(map(str, path)), path))

    walk(wire, [])
    return changes


def _changed(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value[:-1] + ("0" if value[-1:] != "0" else "1") if value else "x"
    return "x"


class TestTamper:
    """Any single change to a dumped package is caught."""

    @given(transfer_packages(allowed=True, min_size=1, parts=True), st.data())
    def test_single_value_change(self, package: vr.TransferPackage, data: st.DataObject) -> None:
        """Changing one value gives a format error or digest_mismatch; untouched is clean."""
        wire = vr.dump_transfer_package(package)
        untouched = vr.parse_transfer_package(copy.deepcopy(wire))
        assert vr.check_transfer(untouched, as_of=TRANSFER_AS_OF).allowed
        paths = _mutations(wire)
        _, path = data.draw(st.sampled_from(paths))
        tampered = copy.deepcopy(wire)
        node = tampered
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = _changed(node[path[-1]])
        try:
            parsed = vr.parse_transfer_package(tampered)
        except vr.RecordFormatError:
            return
        decision = vr.check_transfer(parsed, as_of=TRANSFER_AS_OF)
        assert "digest_mismatch" in decision.codes

    @given(transfer_packages(allowed=True, min_size=1), st.data())
    def test_record_removed_or_added(
        self, package: vr.TransferPackage, data: st.DataObject
    ) -> None:
        """Removing or adding a record (summary left alone or fixed) is digest_mismatch."""
        wire = vr.dump_transfer_package(package)
        tampered = copy.deepcopy(wire)
        if data.draw(st.booleans()):
            del tampered["records"][data.draw(st.integers(0, len(wire["records"]) - 1))]
        else:
            extra = copy.deepcopy(tampered["records"][0])
            extra["record_id"] = "r-added"
            tampered["records"].append(extra)
        if data.draw(st.booleans()):
            tampered["summary"]["record_count"] = len(tampered["records"])
            tampered["summary"]["service_minutes"] = sum(
                r["service_minutes"] for r in tampered["records"]
            )
        decision = vr.check_transfer(vr.parse_transfer_package(tampered), as_of=TRANSFER_AS_OF)
        assert "digest_mismatch" in decision.codes

    def test_reordered_records_are_the_same_package(self) -> None:
        """Reordering records is not a change of content: the digest still matches."""
        package = full_package()
        wire = vr.dump_transfer_package(package)
        wire["records"].reverse()
        assert vr.check_transfer(vr.parse_transfer_package(wire), as_of=TRANSFER_AS_OF).allowed
