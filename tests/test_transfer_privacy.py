"""No full ID number or contact in any repr, message or command output of the transfer area."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import volunteer_rules as vr
from volunteer_rules.cli import main
from volunteer_rules.testing.examples import SAMPLE_ORGANIZATION_ID, SAMPLE_RECORD_PAYLOAD
from volunteer_rules.testing.strategies import volunteer_profiles

CST = dt.timezone(dt.timedelta(hours=8))
AT = dt.datetime(2024, 6, 1, 9, 0, tzinfo=CST)


def secrets_of(profile: Any) -> list[str]:
    found = [profile.id_document.number]
    if profile.contact:
        found.append(profile.contact)
    return [s for s in found if len(s) >= 6]


@st.composite
def packages_with_profiles(draw: st.DrawFn) -> tuple[vr.TransferPackage, Any]:
    profile = draw(
        volunteer_profiles(
            volunteer_ids=st.just("V0000001"),
            document_kinds=st.just("resident_id"),
            birth_dates=st.dates(dt.date(1950, 1, 1), dt.date(2015, 12, 31)),
        )
    )
    record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
    package = vr.create_transfer_package(
        [record, attrs.evolve(record, record_id="r-2", status="submitted")],
        volunteer_id=draw(st.sampled_from(["V0000001", "V0000002"])),
        source_organization_id=SAMPLE_ORGANIZATION_ID,
        destination_organization_id=draw(
            st.sampled_from([SAMPLE_ORGANIZATION_ID, "51211100MJ00000175"])
        ),
        destination_region_code="210100",
        consent=draw(st.booleans()),
        created_at=AT,
        profile=profile,
    )
    return package, profile


class TestNoIdNumbers:
    """Masked everywhere a person can read it."""

    @given(packages_with_profiles())
    def test_reprs_and_messages(self, drawn: tuple[vr.TransferPackage, Any]) -> None:
        """Package, decision, transfer and acceptance: no full ID number or contact."""
        package, profile = drawn
        decision = vr.check_transfer(package, as_of=dt.date(2024, 6, 1))
        transfer = vr.initiate_transfer(package, at=AT)
        accepted = vr.accept_transfer(
            transfer, destination_records=[], at=AT, as_of=dt.date(2024, 6, 1)
        )
        texts = [
            repr(package),
            str(package),
            repr(decision),
            repr(transfer),
            repr(accepted),
            *(v.message for v in decision.violations),
        ]
        for secret in secrets_of(profile):
            for text in texts:
                assert secret not in text

    @settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=10)
    @given(packages_with_profiles())
    def test_cli_check_output(self, tmp_path: Path, drawn: tuple[vr.TransferPackage, Any]) -> None:
        """transfer check never prints the profile's ID number or contact."""
        package, profile = drawn
        path = tmp_path / "package.json"
        path.write_text(json.dumps(vr.dump_transfer_package(package)), encoding="utf-8")
        for fmt in ("text", "json"):
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                main(["transfer", "check", str(path), "--as-of", "2024-06-01", "--format", fmt])
            for secret in secrets_of(profile):
                assert secret not in out.getvalue()

    @given(packages_with_profiles())
    def test_parse_errors(self, drawn: tuple[vr.TransferPackage, Any]) -> None:
        """A package whose profile is broken reports errors without the number."""
        package, profile = drawn
        wire = vr.dump_transfer_package(package)
        wire["profile"]["sex"] = "unknown"
        wire["profile"]["id_document"]["number"] = profile.id_document.number[:-1] + "?"
        with pytest.raises(vr.RecordFormatError) as caught:
            vr.parse_transfer_package(wire)
        for secret in [*secrets_of(profile), wire["profile"]["id_document"]["number"]]:
            assert secret not in str(caught.value)
            assert all(secret not in repr(e) for e in caught.value.errors)

    @given(
        volunteer=st.sampled_from(["11010519491231002X", "110105491231002", "13812345678"]),
        record_id=st.sampled_from(["r-1", "13912345678", "211103199003150246"]),
    )
    def test_finding_messages_mask_ids_used_wrongly(self, volunteer: str, record_id: str) -> None:
        """A volunteer id or record id that is an ID or mobile number (wrongly) is masked in
        every finding's message, as the message's own documentation promises; record_key
        keeps the key for the program."""
        record = attrs.evolve(
            vr.parse_record(SAMPLE_RECORD_PAYLOAD), volunteer_id=volunteer, record_id=record_id
        )
        package = vr.create_transfer_package(
            [record, attrs.evolve(record, content="另一版本")],
            volunteer_id="V0000001",
            source_organization_id=SAMPLE_ORGANIZATION_ID,
            destination_organization_id="51211100MJ00000175",
            destination_region_code="210100",
            consent=True,
            created_at=AT,
        )
        decision = vr.check_transfer(package, destination_records=[record], as_of=AT.date())
        assert {"other_volunteer", "duplicate_record"} <= set(decision.codes)
        assert all(v.record_key == (SAMPLE_ORGANIZATION_ID, record_id) for v in decision.violations)
        for finding in decision.violations:
            for whole in (volunteer, record_id):
                assert len(whole) < 11 or whole not in finding.message
