"""A transfer package can carry the volunteer's profile masked, and the destination accepts it."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given

import volunteer_rules as vr
from volunteer_rules.records import (
    MaskedProfile,
    dump_masked_profile,
    mask_profile,
    parse_masked_profile,
)
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD
from volunteer_rules.testing.strategies import volunteer_profiles

CST = dt.timezone(dt.timedelta(hours=8))
NUMBER = SAMPLE_PROFILE_PAYLOAD["id_document"]["number"]
CONTACT = SAMPLE_PROFILE_PAYLOAD["contact"]


def _package(profile: Any, **changes: Any) -> vr.TransferPackage:
    record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
    arguments: dict[str, Any] = {
        "volunteer_id": record.volunteer_id,
        "source_organization_id": record.organization_id,
        "destination_organization_id": "51211100MJ00000175",
        "destination_region_code": "210100",
        "consent": True,
        "created_at": dt.datetime(2024, 6, 1, 9, tzinfo=CST),
        "profile": profile,
        "profile_form": "masked",
        **changes,
    }
    return vr.create_transfer_package([record], **arguments)


def test_the_package_carries_the_masked_profile() -> None:
    """No full ID number, contact or name in the package or its wire form."""
    profile = vr.parse_profile(SAMPLE_PROFILE_PAYLOAD)
    package = _package(profile)
    assert isinstance(package.profile, MaskedProfile)
    assert package.profile == mask_profile(profile)
    wire = json.dumps(vr.dump_transfer_package(package), ensure_ascii=False)
    for secret in (NUMBER, CONTACT, SAMPLE_PROFILE_PAYLOAD["name"], "first_aid"):
        assert secret not in wire
    assert '"masked": true' in wire
    full = json.dumps(vr.dump_transfer_package(_package(profile, profile_form="full")))
    assert NUMBER in full  # the full form does travel in full, by request


def test_the_receiving_side_reads_checks_and_accepts_it() -> None:
    """Wire form read back unchanged, digest intact, transfer allowed and accepted."""
    package = _package(vr.parse_profile(SAMPLE_PROFILE_PAYLOAD))
    received = vr.parse_transfer_package(json.loads(json.dumps(vr.dump_transfer_package(package))))
    assert received == package
    assert vr.compute_package_digest(received) == received.digest
    decision = vr.check_transfer(received, as_of=dt.date(2024, 6, 1), continuation=True)
    assert decision.allowed, decision.violations
    assert decision.continuation is not None
    transfer = vr.initiate_transfer(received, at=dt.datetime(2024, 6, 1, 10, tzinfo=CST))
    accepted = vr.accept_transfer(
        transfer, destination_records=[], at=dt.datetime(2024, 6, 2, tzinfo=CST),
        as_of=dt.date(2024, 6, 2),
    )  # fmt: skip
    assert accepted.accepted and len(accepted.imported) == 1


def test_the_transfer_consent_is_still_required() -> None:
    """PIPL Art. 23: a masked profile is personal information too; the consent must be there."""
    profile = vr.parse_profile(SAMPLE_PROFILE_PAYLOAD)
    without = attrs.evolve(profile, consents=profile.consents - {"record_transfer"})
    decision = vr.check_transfer(_package(without), as_of=dt.date(2024, 6, 1))
    assert not decision.allowed
    assert "profile_consent_missing" in decision.codes


def test_a_child_needs_a_guardian_with_a_masked_profile_too() -> None:
    """The birth date stays in the masked profile, so the under-14 rule still applies."""
    child = vr.parse_profile(
        {**SAMPLE_PROFILE_PAYLOAD, "birth_date": "2015-03-15", "id_document": {
            "kind": "passport", "number": "E12345678"}, "registered_on": "2023-06-01"}
    )  # fmt: skip
    assert "consent_missing" in vr.check_transfer(_package(child), as_of=dt.date(2024, 6, 1)).codes
    guarded = _package(child, guardian_consent=True)
    assert vr.check_transfer(guarded, as_of=dt.date(2024, 6, 1)).allowed


@given(volunteer_profiles())
def test_masking_round_trips_and_hides(profile: vr.VolunteerProfile) -> None:
    """Any profile: the masked wire form reads back equal and shows no number or contact whole."""
    masked = mask_profile(profile)
    wire = dump_masked_profile(masked)
    assert parse_masked_profile(json.loads(json.dumps(wire))) == masked
    personal = {k: wire.get(k) for k in ("name", "id_document", "contact")}
    text = json.dumps(personal, ensure_ascii=False)
    if len(profile.id_document.number) >= 6:
        assert profile.id_document.number not in text
    if profile.contact is not None and len(profile.contact) >= 7:
        assert profile.contact not in text
    assert masked.age_on(dt.date(2030, 12, 31)) == profile.age_on(dt.date(2030, 12, 31))


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"name": "赵敏"}, "$.name"),
        ({"contact": CONTACT}, "$.contact"),
        ({"id_document": {"kind": "resident_id", "number": NUMBER}}, "$.id_document.number"),
        ({"masked": False}, "$.masked"),
        # A star somewhere does not make a whole mobile number, e-mail or ID number masked.
        ({"contact": f"138****5678 / {CONTACT}"}, "$.contact"),
        ({"contact": "*li.lei@example.org"}, "$.contact"),
        ({"id_document": {"kind": "passport", "number": f"*{NUMBER}"}}, "$.id_document.number"),
    ],
    ids=["name", "contact", "number", "not marked", "one of two", "e-mail", "with a star"],
)
def test_a_masked_profile_must_be_masked(change: dict[str, Any], path: str) -> None:
    """A payload marked masked that holds a value in full is refused, with the path."""
    wire = {**dump_masked_profile(mask_profile(vr.parse_profile(SAMPLE_PROFILE_PAYLOAD))), **change}
    with pytest.raises(vr.RecordFormatError) as raised:
        parse_masked_profile(wire)
    assert [(e.path, e.code) for e in raised.value.errors] == [(path, "invalid_format")]
    assert NUMBER not in str(raised.value) and CONTACT not in str(raised.value)


def test_the_value_refuses_a_whole_contact_beside_a_star() -> None:
    masked = mask_profile(vr.parse_profile(SAMPLE_PROFILE_PAYLOAD))
    with pytest.raises(vr.InvalidValueError, match=r"^contact: must be masked text"):
        attrs.evolve(masked, contact=f"* {CONTACT}")
    assert attrs.evolve(masked, contact="138****5678").contact == "138****5678"


def test_profile_form_is_checked() -> None:
    with pytest.raises(vr.InvalidValueError):
        _package(vr.parse_profile(SAMPLE_PROFILE_PAYLOAD), profile_form="partial")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "volunteer_rules", *args],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


def test_the_command_line(tmp_path: Path) -> None:
    """``transfer create --profiles F --masked-profile``; ``transfer check`` allows it."""
    records = tmp_path / "records.jsonl"
    records.write_text(json.dumps(SAMPLE_RECORD_PAYLOAD) + "\n", encoding="utf-8")
    profiles = tmp_path / "profiles.jsonl"
    profiles.write_text(json.dumps(SAMPLE_PROFILE_PAYLOAD) + "\n", encoding="utf-8")
    package = tmp_path / "package.json"
    common = [
        "transfer", "create", str(records), "--volunteer", "V0000001",
        "--from", "512111005000000154", "--to", "51211100MJ00000175", "--to-region", "210100",
        "--consent", "--created-at", "2024-06-01T09:00:00+08:00", "--profiles", str(profiles),
    ]  # fmt: skip
    kept = tmp_path / "source.sqlite"  # the package is kept in the source's file too
    made = _run(*common, "--masked-profile", "-o", str(package), "--db", str(kept))
    assert made.returncode == 0, made.stderr
    with vr.SQLiteDatabase(str(kept)) as database:
        (digest,) = vr.SQLiteTransferStore(database).package_ids()
        stored = vr.SQLiteTransferStore(database).get_package(digest)
    assert isinstance(stored.profile, MaskedProfile)
    text = package.read_text(encoding="utf-8")
    assert NUMBER not in text and CONTACT not in text and '"masked": true' in text
    checked = _run("transfer", "check", str(package), "--as-of", "2024-06-01")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "  profile       masked\n" in checked.stdout
    assert "decision      allowed" in checked.stdout
    alone = _run(*common[:-2], "--masked-profile")
    assert alone.returncode == 2 and alone.stdout == ""
    assert "--masked-profile needs --profiles" in alone.stderr
