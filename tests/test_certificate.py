from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import volunteer_rules as vr
from volunteer_rules._privacy import mask_personal_data
from volunteer_rules.certificates.render import qr_payload
from volunteer_rules.testing import examples
from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD
from volunteer_rules.testing.strategies import service_histories, volunteer_profiles

CST = dt.timezone(dt.timedelta(hours=8))
AS_OF = dt.date(2025, 1, 31)
BASE = vr.parse_record(examples.SAMPLE_RECORD_PAYLOAD)
PROFILE = vr.parse_profile(SAMPLE_PROFILE_PAYLOAD)
ISSUER = examples.sample_issuer()


def make_record(index: int, **changes: Any) -> vr.ServiceRecord:
    """A verified record on day ``index`` of 2024 (no interval), 60 minutes by default."""
    day = dt.date(2024, 1, 1) + dt.timedelta(days=index)
    fields: dict[str, Any] = {
        "record_id": f"r-{index}",
        "date": day,
        "start": None,
        "end": None,
        "service": vr.Hours.from_minutes(60),
        "recorded_at": dt.datetime.combine(day, dt.time(20, 0), CST),
    }
    fields.update(changes)
    return attrs.evolve(BASE, **fields)


def issue(records: list[vr.ServiceRecord], **kwargs: Any) -> vr.CertificateIssue:
    options: dict[str, Any] = {
        "volunteer": PROFILE,
        "issuer": ISSUER,
        "as_of": AS_OF,
        "number": "PJ-2025-0001",
    }
    options.update(kwargs)
    return vr.issue_certificate(records, **options)


records_lists = st.lists(
    st.builds(
        make_record,
        st.integers(min_value=0, max_value=360),
        service=st.integers(min_value=1, max_value=600).map(vr.Hours.from_minutes),
        status=st.sampled_from(vr.STATUSES),
    ),
    min_size=1,
    max_size=12,
    unique_by=lambda r: r.record_id,
)


class TestIssue:
    def test_sample(self) -> None:
        """The sample record gives a certificate of its two hours, free of charge."""
        issued = issue([BASE])
        assert issued.issued and issued.refusals == ()
        certificate = issued.certificate
        assert certificate is not None
        assert certificate.service == vr.Hours.from_minutes(120)
        assert certificate.fee == 0
        assert certificate.issuer == ISSUER
        assert certificate.period_start == BASE.date
        assert certificate.period_end == AS_OF
        assert [a.category for a in certificate.activities] == ["elderly_and_disabled"]
        assert len(certificate.verification_code) == 64

    def test_other_organization_refused(self) -> None:
        """A record of another organization is not certifiable (谁记录谁证明)."""
        other = make_record(1, organization_id="G-another-team")
        issued = issue([make_record(0), other])
        assert [(r.code, r.record_id) for r in issued.refusals] == [("other_organization", "r-1")]
        assert issued.certificate is not None
        assert issued.certificate.service.minutes == 60

    def test_successor_may_certify(self) -> None:
        """The named successor of a merged or dissolved organization certifies its records."""
        other = make_record(1, organization_id="G-dissolved-team")
        successor = attrs.evolve(ISSUER, successor_of=frozenset({"G-dissolved-team"}))
        issued = issue([make_record(0), other], issuer=successor)
        assert issued.refusals == ()
        assert issued.certificate is not None
        assert issued.certificate.service.minutes == 120

    def test_not_verified_refused(self) -> None:
        """Only verified records count."""
        issued = issue([make_record(0), make_record(1, status="submitted")])
        assert [(r.code, r.record_id) for r in issued.refusals] == [("not_verified", "r-1")]

    def test_not_volunteer_service_refused(self) -> None:
        """A record flagged as not volunteer service is never certified (MCA Order 67 Art. 19)."""
        issued = issue([make_record(0), make_record(1)], not_volunteer_service={"r-1"})
        assert [(r.code, r.record_id) for r in issued.refusals] == [
            ("not_volunteer_service", "r-1")
        ]

    def test_superseded_refused(self) -> None:
        """An amended record is replaced by its amendment."""
        amendment = make_record(2, record_id="r-0b", amends="r-0", service=vr.Hours(30))
        issued = issue([make_record(0), amendment])
        assert [(r.code, r.record_id) for r in issued.refusals] == [("superseded", "r-0")]
        assert issued.certificate is not None
        assert issued.certificate.service.minutes == 30

    def test_other_volunteer_refused(self) -> None:
        """A record of another volunteer is listed, not certified."""
        issued = issue([make_record(0), make_record(1, volunteer_id="V9")])
        assert [(r.code, r.record_id) for r in issued.refusals] == [("other_volunteer", "r-1")]

    def test_nothing_certifiable(self) -> None:
        """With no certifiable record, no certificate is issued."""
        issued = issue([make_record(0, status="rejected")])
        assert issued.certificate is None and not issued.issued
        assert [r.code for r in issued.refusals] == ["not_verified", "no_certifiable_records"]

    def test_after_as_of_boundary(self) -> None:
        """A record entered on the day of issue counts; one entered the day after does not."""
        on_the_day = make_record(0, recorded_at=dt.datetime(2025, 1, 31, 23, 59, tzinfo=CST))
        day_after = make_record(1, recorded_at=dt.datetime(2025, 2, 1, 0, 0, tzinfo=CST))
        issued = issue([on_the_day, day_after])
        assert [(r.code, r.record_id) for r in issued.refusals] == [("after_as_of", "r-1")]

    def test_window(self) -> None:
        """``since`` limits the period (inclusive) and is printed as the period start."""
        issued = issue([make_record(0), make_record(10)], since=dt.date(2024, 1, 11))
        assert issued.certificate is not None
        assert issued.certificate.service.minutes == 60
        assert issued.certificate.period_start == dt.date(2024, 1, 11)
        assert [r.code for r in issued.refusals] == ["outside_window"]

    def test_star_level(self) -> None:
        """A star level is stated under a named rule set when asked for."""
        records = [make_record(i, service=vr.Hours.from_minutes(600)) for i in range(10)]
        issued = issue(records, rule_set="cn-national")
        assert issued.certificate is not None
        level = issued.certificate.star_level
        assert level is not None
        assert (level.rule_set_id, level.rank) == ("cn-national", 1)

    @pytest.mark.parametrize(
        ("rule_set", "as_of", "issued_then"),
        [
            ("hk-swd", dt.date(2021, 12, 31), True),  # its last day in force
            ("hk-swd", dt.date(2022, 1, 1), False),  # retired the day after
            ("cn-shenzhen-longgang", dt.date(2022, 12, 31), False),  # not yet in force
            ("cn-shenzhen-longgang", dt.date(2023, 1, 1), True),  # its first day
        ],
    )
    def test_no_level_is_stated_under_a_rule_set_not_in_force(
        self, rule_set: str, as_of: dt.date, issued_then: bool
    ) -> None:
        """A star level under no version of a rule set is no level: on a day none is in
        force, nothing is issued and the refusal says why, as certify says it; on the
        boundaries' other side the level is stated, with the version in force."""
        records = [
            attrs.evolve(
                make_record(i, service=vr.Hours.from_minutes(600)),
                date=as_of - dt.timedelta(days=i + 1),
                recorded_at=dt.datetime.combine(as_of - dt.timedelta(days=i + 1), dt.time(20), CST),
            )
            for i in range(3)
        ]
        issued = issue(records, rule_set=rule_set, as_of=as_of)
        result = vr.certify(records, rule_set=rule_set, as_of=as_of, volunteer="V0000001")
        assert (issued.certificate is not None) is issued_then
        assert (result.outcome == "certified") is issued_then
        if issued_then:
            assert issued.certificate is not None
            level = issued.certificate.star_level
            assert level is not None
            assert level.rule_set_version == str(result.rule_set_version)
            assert vr.verify_certificate(issued.certificate, records).differences == ()
        else:
            last = issued.refusals[-1]
            assert (last.code, last.message) == ("rule_set_not_in_force", result.outcome_reason)

    @pytest.mark.parametrize(
        ("kwargs", "error"),
        [
            ({"number": ""}, vr.InvalidValueError),
            ({"number": "has space"}, vr.InvalidValueError),
            ({"number": 5}, vr.InvalidTypeError),
            ({"as_of": "2025-01-01"}, vr.InvalidTypeError),
            ({"volunteer": "V0000001"}, vr.InvalidTypeError),
            ({"issuer": "512111005000000154"}, vr.InvalidTypeError),
            ({"since": dt.date(2026, 1, 1)}, vr.InvalidValueError),
            ({"not_volunteer_service": "r-1"}, vr.InvalidTypeError),
            ({"remarks": "x" * 501}, vr.InvalidValueError),
        ],
    )
    def test_bad_arguments(self, kwargs: dict[str, Any], error: type[Exception]) -> None:
        """Malformed arguments raise the library's errors."""
        with pytest.raises(error):
            issue([BASE], **kwargs)

    def test_bad_records(self) -> None:
        """Records that are not ServiceRecords raise InvalidTypeError."""
        with pytest.raises(vr.InvalidTypeError):
            issue(["not a record"])  # type: ignore[list-item]
        with pytest.raises(vr.InvalidTypeError):
            vr.issue_certificate(5, volunteer=PROFILE, issuer=ISSUER, as_of=AS_OF, number="x")  # type: ignore[arg-type]

    def test_issuer_validation(self) -> None:
        """An issuer needs a valid organization id and non-empty names."""
        with pytest.raises(vr.InvalidValueError):
            attrs.evolve(ISSUER, organization_id="512111005000000155")
        with pytest.raises(vr.InvalidValueError):
            attrs.evolve(ISSUER, handler=" ")
        with pytest.raises(vr.InvalidValueError):
            attrs.evolve(ISSUER, successor_of=frozenset({"bad id"}))


class TestVerify:
    def test_untouched(self) -> None:
        """A certificate verifies against the records it was made from."""
        certificate = examples.sample_certificate()
        assert vr.verify_certificate(certificate, [BASE]).valid

    def test_later_service_does_not_invalidate(self) -> None:
        """Service recorded after issue leaves the certificate valid."""
        certificate = examples.sample_certificate()
        later = make_record(300, record_id="r-later")
        assert vr.verify_certificate(certificate, [BASE, later]).valid

    @pytest.mark.parametrize(
        "change",
        [
            {"service": vr.Hours.from_minutes(121)},
            {"number": "PJ-XLT-2024-0002"},
            {"volunteer_name": "赵敏敏"},
            {"period_start": dt.date(2024, 1, 1)},
            {"issued_on": dt.date(2024, 6, 2)},
            {"remarks": "added later"},
            {"activities": ()},
        ],
    )
    def test_any_printed_change_fails(self, change: dict[str, Any]) -> None:
        """Changing any printed figure makes verification fail."""
        altered = attrs.evolve(examples.sample_certificate(), **change)
        codes = [d.code for d in vr.verify_certificate(altered, [BASE]).differences]
        assert "content_altered" in codes

    def test_record_removed(self) -> None:
        """A record no longer held is reported."""
        codes = [
            d.code for d in vr.verify_certificate(examples.sample_certificate(), []).differences
        ]
        assert codes == [
            "record_removed",
            "hours_changed",
            "record_minutes_differ",
            "activities_differ",
        ]

    def test_record_amended_later(self) -> None:
        """An amendment entered after the issue date is reported."""
        amendment = attrs.evolve(
            BASE,
            record_id="r-2024-0001-fix",
            amends=BASE.record_id,
            recorded_at=dt.datetime(2024, 7, 1, 9, 0, tzinfo=CST),
        )
        result = vr.verify_certificate(examples.sample_certificate(), [BASE, amendment])
        assert [d.code for d in result.differences] == ["record_amended"]

    def test_an_amendment_in_conflicting_versions_amends_nothing(self) -> None:
        """An amendment given in two contents counts for no one and amends nothing (the one
        rule for repeated keys): the record it names is certified, and still verifies."""
        fix = make_record(2, record_id="r-1-fix", amends="r-1")
        records = [make_record(1), fix, attrs.evolve(fix, content="另一版本")]
        certificate = issue(records).certificate
        assert certificate is not None
        assert [r.record_id for r in certificate.records] == ["r-1"]
        assert vr.verify_certificate(certificate, records).differences == ()

    def test_a_chain_of_amendments_completed_later_is_reported(self) -> None:
        """A pending amendment does not supersede; once it is superseded in turn by a verified
        one (after the issue date), the chain supersedes the certified record."""
        pending = make_record(1, record_id="r-1-fix", amends="r-1", status="submitted")
        certificate = issue([make_record(1), pending]).certificate
        assert certificate is not None
        later = make_record(
            1,
            record_id="r-1-fix-2",
            amends="r-1-fix",
            recorded_at=dt.datetime(2025, 3, 1, 9, 0, tzinfo=CST),
        )
        result = vr.verify_certificate(certificate, [make_record(1), pending, later])
        assert [d.code for d in result.differences] == ["record_amended"]

    def test_bad_arguments(self) -> None:
        """Verification takes a Certificate and ServiceRecords."""
        with pytest.raises(vr.InvalidTypeError):
            vr.verify_certificate("certificate", [BASE])  # type: ignore[arg-type]
        with pytest.raises(vr.InvalidTypeError):
            vr.verify_certificate(examples.sample_certificate(), [1])  # type: ignore[list-item]


class TestProperties:
    @given(records_lists)
    def test_issued_certificates_verify(self, records: list[vr.ServiceRecord]) -> None:
        """A certificate issued from records always verifies against those records."""
        issued = issue(records)
        if issued.certificate is not None:
            assert vr.verify_certificate(issued.certificate, records).valid

    @given(records_lists)
    def test_hours_equal_certify(self, records: list[vr.ServiceRecord]) -> None:
        """The hours on a certificate equal what ``certify`` counts for the same records."""
        issued = issue(records)
        counted = vr.certify(records, rule_set="cn-national", as_of=AS_OF).counted
        if issued.certificate is None:
            assert counted.minutes == 0
        else:
            assert issued.certificate.service == counted

    @given(records_lists, st.data())
    def test_changed_counted_record_fails(
        self, records: list[vr.ServiceRecord], data: st.DataObject
    ) -> None:
        """Changing a counted record's minutes, status or amendment makes verification fail."""
        issued = issue(records)
        if issued.certificate is None:
            return
        counted_ids = {r.record_id for r in issued.certificate.records}
        target = data.draw(st.sampled_from(sorted(counted_ids)))
        kind = data.draw(st.sampled_from(["minutes", "status", "amended"]))
        changed = []
        for record in records:
            if record.record_id != target:
                changed.append(record)
            elif kind == "minutes":
                changed.append(
                    attrs.evolve(
                        record, service=vr.Hours.from_minutes(record.service.minutes % 600 + 1)
                    )
                )
            elif kind == "status":
                changed.append(attrs.evolve(record, status="void"))
            else:
                changed += [record, attrs.evolve(record, record_id=f"{target}-fix", amends=target)]
        result = vr.verify_certificate(issued.certificate, changed)
        assert not result.valid
        assert {d.code for d in result.differences} & {
            "record_changed",
            "record_amended",
            "hours_changed",
        }

    @settings(max_examples=50)
    @given(
        records=service_histories(volunteers=(PROFILE.volunteer_id, "V2"), max_size=12, days=3),
        data=st.data(),
        since=st.sampled_from([None, dt.date(2024, 1, 2)]),
    )
    def test_totals_agree_with_counting_in_any_order(
        self, records: list[vr.ServiceRecord], data: st.DataObject, since: dt.date | None
    ) -> None:
        """Amendments, overlaps, the daily cap, other volunteers, repeats and conflicting
        versions, in any order: the certificate states what count_records and count_many
        count for the issuer's records, and verifies against them in any order."""
        repeat: bool = data.draw(st.booleans())
        if records and repeat:
            again = data.draw(st.sampled_from(records))
            records = [*records, again, attrs.evolve(again, content="另一版本")]
        shuffled = data.draw(st.permutations(records))
        first = issue(records, since=since, rule_set="cn-national", as_of=dt.date(2024, 2, 1))
        second = issue(shuffled, since=since, rule_set="cn-national", as_of=dt.date(2024, 2, 1))
        assert first.certificate == second.certificate
        assert sorted(map(repr, first.refusals)) == sorted(map(repr, second.refusals))
        own = [r for r in shuffled if r.organization_id == ISSUER.organization_id]
        count = vr.count_records(
            own, as_of=dt.date(2024, 2, 1), volunteer_id=PROFILE.volunteer_id, since=since
        )
        many = vr.count_many(own, as_of=dt.date(2024, 2, 1), since=since)
        stated = 0 if first.certificate is None else first.certificate.service.minutes
        assert stated == count.minutes
        assert stated == (many[PROFILE.volunteer_id].minutes if PROFILE.volunteer_id in many else 0)
        if first.certificate is not None:
            assert vr.verify_certificate(
                first.certificate, data.draw(st.permutations(records))
            ).valid

    @given(volunteer_profiles())
    def test_no_full_id_number_in_renderings(self, profile: vr.VolunteerProfile) -> None:
        """No rendering (repr, text, HTML, JSON) ever shows the full document number."""
        record = attrs.evolve(BASE, volunteer_id=profile.volunteer_id)
        issued = issue([record], volunteer=profile)
        certificate = issued.certificate
        assert certificate is not None
        number = profile.id_document.number
        # A short generated passport "number" is any text: it may be the name as well.
        assume(profile.id_document.kind == "resident_id" or len(number) >= 12)
        assume(number not in profile.name and number not in profile.volunteer_id)
        for text in (
            repr(certificate),
            str(certificate),
            vr.render_text(certificate),
            vr.render_html(certificate),
            json.dumps(vr.dump_certificate(certificate), ensure_ascii=False),
        ):
            assert number not in text


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


class TestPrintedMasked:
    """A certificate prints no ID number or personal contact whole, and still verifies."""

    @given(
        contact=st.sampled_from(["13812345678", "zhang.san@example.org", "0427-2812345"]),
        remarks=st.sampled_from(["", "身份证 11010519491231002X", "电话 13912345678"]),
    )
    def test_masked_when_issued_and_verified_as_printed(self, contact: str, remarks: str) -> None:
        issuer = attrs.evolve(ISSUER, contact=contact, handler=f"李雷 {contact}")
        certificate = issue([make_record(1)], issuer=issuer, remarks=remarks).certificate
        assert certificate is not None
        printed = json.dumps(vr.dump_certificate(certificate), ensure_ascii=False)
        assert printed == mask_personal_data(printed)  # nothing left for an edge to mask
        assert "0427-2812345" in printed or contact not in printed  # a landline stays
        read_back = vr.parse_certificate(json.loads(printed))
        assert vr.verify_certificate(read_back, [make_record(1)]).differences == ()

    @pytest.mark.parametrize("number", ["11010519491231002X", "13812345678"])
    def test_a_number_that_is_personal_data_is_refused(self, number: str) -> None:
        with pytest.raises(vr.InvalidValueError, match="number"):
            issue([make_record(1)], number=number)

    @pytest.mark.parametrize(
        ("name", "whole"),
        [("赵敏 13912345678", "13912345678"), ("赵敏 11010519491231002X", "11010519491231002X")],
    )
    def test_a_name_holding_personal_data_is_printed_masked(self, name: str, whole: str) -> None:
        """A mobile or ID number typed into the volunteer's name is masked when issued, and the
        certificate still verifies as printed."""
        profile = attrs.evolve(PROFILE, name=name)
        certificate = issue([make_record(1)], volunteer=profile).certificate
        assert certificate is not None
        assert certificate.volunteer_name == mask_personal_data(name) != name
        payload = json.dumps(vr.dump_certificate(certificate), ensure_ascii=False)
        for text in (payload, vr.render_text(certificate), vr.render_html(certificate)):
            assert whole not in text
        read_back = vr.parse_certificate(json.loads(payload))
        assert vr.verify_certificate(read_back, [make_record(1)]).differences == ()

    @given(
        field=st.sampled_from(["volunteer_name", "document_number", "volunteer_id", "remarks"]),
        whole=st.sampled_from(["11010519491231002X", "110105491231002", "13812345678"]),
    )
    def test_a_certificate_made_elsewhere_renders_masked(self, field: str, whole: str) -> None:
        """A certificate not issued here (made by hand, read from another system's JSON) with
        a whole ID or mobile number in it is rendered masked all the same."""
        issued = issue([make_record(1)]).certificate
        assert issued is not None
        changes: dict[str, Any] = {field: f"赵 {whole}"}
        certificate = attrs.evolve(issued, **changes)
        for text in (vr.render_text(certificate), vr.render_html(certificate)):
            assert whole not in text
            assert mask_personal_data(f"赵 {whole}") in text

    def test_refusal_and_difference_messages_are_masked(self) -> None:
        """A record id that is a mobile number (wrongly) is masked in every message; the
        record_id member keeps it for the program."""
        wrong = make_record(1, record_id="13812345678", status="submitted")
        refusal = issue([make_record(2), wrong]).refusals[0]
        assert refusal.code == "not_verified" and refusal.record_id == "13812345678"
        assert "13812345678" not in refusal.message and "138****5678" in refusal.message
        counted = make_record(3, record_id="13812345678")
        certificate = issue([counted]).certificate
        assert certificate is not None
        difference = vr.verify_certificate(certificate, []).differences[0]
        assert difference.code == "record_removed" and difference.record_id == "13812345678"
        assert "13812345678" not in difference.message


class TestJson:
    def test_round_trip(self) -> None:
        """dump then parse gives the same certificate."""
        certificate = examples.sample_certificate()
        payload = vr.dump_certificate(certificate)
        assert vr.parse_certificate(json.loads(json.dumps(payload))) == certificate

    def test_altered_json_parses_then_fails(self) -> None:
        """An altered but well-formed JSON certificate parses; verification finds it."""
        payload = vr.dump_certificate(examples.sample_certificate())
        payload["service_minutes"] = 6000
        altered = vr.parse_certificate(payload)
        assert [d.code for d in vr.verify_certificate(altered, [BASE]).differences] == [
            "content_altered",
            "hours_changed",
        ]

    def test_errors_collected(self) -> None:
        """Every problem is reported with its path and code."""
        payload = vr.dump_certificate(examples.sample_certificate())
        payload["fee"] = 10
        payload["format_version"] = 2
        payload["extra"] = True
        del payload["number"]
        payload["records"][0]["minutes"] = "60"
        with pytest.raises(vr.RecordFormatError) as info:
            vr.parse_certificate(payload)
        found = {(e.path, e.code) for e in info.value.errors}
        assert found == {
            ("$.fee", "out_of_range"),
            ("$.format_version", "unsupported_version"),
            ("$.extra", "unknown_field"),
            ("$.number", "missing"),
            ("$.records[0].minutes", "invalid_type"),
        }

    def test_a_wrong_type_is_named_as_json_names_it(self) -> None:
        """A text or a list of the wrong type: 'a string' and 'an array', as the record's and
        the package's messages say, never Python's 'str' or 'list'."""
        payload = vr.dump_certificate(examples.sample_certificate())
        payload["number"] = 7
        payload["records"] = {}
        with pytest.raises(vr.RecordFormatError) as info:
            vr.parse_certificate(payload)
        messages = {e.path: e.message for e in info.value.errors}
        assert messages["$.number"] == "number must be a string, not number"
        assert messages["$.records"] == "records must be an array, not object"

    @given(json_values)
    def test_arbitrary_json_raises_only_library_errors(self, value: object) -> None:
        """Any JSON value gives a certificate or a RecordFormatError, nothing else."""
        with contextlib.suppress(vr.RecordFormatError):
            vr.parse_certificate(value)  # type: ignore[arg-type]


class TestRender:
    def test_text(self) -> None:
        """Plain text shows the required contents with both labels."""
        text = vr.render_text(examples.sample_certificate())
        for needle in ("服务时间", "Service time", "2小时", "512111005000000154", "0（免费"):
            assert needle in text

    def test_html_is_self_contained(self) -> None:
        """The HTML page has no script and no external resource, and shows the code."""
        certificate = examples.sample_certificate()
        page = vr.render_html(certificate)
        assert "<script" not in page.lower()
        assert "http:" not in page and "https:" not in page and "src=" not in page
        assert certificate.short_code in page
        assert "<svg" in page  # segno is installed in the dev environment
        assert qr_payload(certificate).endswith(certificate.short_code)


def _png_pixels(data: bytes) -> tuple[int, int, int, bytes]:
    """Decode an 8-bit RGB/RGBA PNG with the standard library (filters undone)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, width, height, colour = 8, 0, 0, 0
    idat = b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        chunk = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if chunk == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8
        elif chunk == b"IDAT":
            idat += body
        pos += 12 + length
    channels = {2: 3, 6: 4}[colour]
    raw = zlib.decompress(idat)
    stride = width * channels
    out = bytearray()
    previous = bytearray(stride)
    for row in range(height):
        start = row * (stride + 1)
        kind = raw[start]
        line = bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            up_left = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                predictor = left if pa <= pb and pa <= pc else up if pb <= pc else up_left
                line[i] = (line[i] + predictor) & 0xFF
        out += line
        previous = line
    return width, height, channels, bytes(out)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (CI installs it)",
)
class TestBrowser:
    def _chromium(self, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
        assert CHROMIUM is not None, "CI must install chromium (see .ci/run)"
        return subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={tmp_path / 'profile'}",
                *args,
            ],
            capture_output=True,
            timeout=120,
            check=False,
        )

    def test_renders_in_a_real_browser(self, tmp_path: Path) -> None:
        """Headless Chromium renders the page: the screenshot is not blank, the text is there."""
        certificate = examples.sample_certificate()
        page = tmp_path / "certificate.html"
        page.write_text(vr.render_html(certificate), encoding="utf-8")
        shot = tmp_path / "shot.png"
        self._chromium(tmp_path, f"--screenshot={shot}", "--window-size=900,1250", page.as_uri())
        width, height, channels, pixels = _png_pixels(shot.read_bytes())
        assert (width, height) == (900, 1250)
        dark = sum(1 for i in range(0, len(pixels), channels * 7) if pixels[i] < 100)
        assert dark > 500, "the screenshot is blank"
        dom = self._chromium(tmp_path, "--dump-dom", page.as_uri()).stdout.decode("utf-8")
        for needle in ("志愿服务记录证明", certificate.short_code, certificate.number, "2小时"):
            assert needle in dom
