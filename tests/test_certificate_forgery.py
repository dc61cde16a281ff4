"""Certificates as proof: what a forger can change, and how verification reports each change.

The verification code is an unkeyed SHA-256 anyone can recompute; a forger does. So every test
here recomputes the code after tampering, and verification must still find the forgery: from
the records (every printed figure is re-derived), and from the issuer's Ed25519 signature.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import volunteer_rules as vr
from volunteer_rules.certificates.document import _code_of, _content, _record_digest
from volunteer_rules.certificates.render import check_qr_payload, qr_payload
from volunteer_rules.cli import main
from volunteer_rules.testing import examples
from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD
from volunteer_rules.testing.strategies import service_histories

CST = dt.timezone(dt.timedelta(hours=8))
ORG = examples.SAMPLE_ORGANIZATION_ID
KEY = vr.SigningKey.from_seed(bytes(range(32)), key_id="pj-2024", organization_id=ORG)
NEXT = vr.SigningKey.from_seed(bytes(range(1, 33)), key_id="pj-2025", organization_id=ORG)
FORGER = vr.SigningKey.from_seed(bytes([7]) * 32, key_id="pj-2024", organization_id=ORG)
OTHER = vr.SigningKey.from_seed(bytes([9]) * 32, key_id="other-1", organization_id="G-other")
KEYS = (
    vr.InMemoryKeyRegistry()
    .add(KEY.public_key(valid_from=dt.date(2024, 1, 1)))
    .add(OTHER.public_key(valid_from=dt.date(2024, 1, 1)))
)
PROFILE = vr.parse_profile(SAMPLE_PROFILE_PAYLOAD)
BASE = vr.parse_record(examples.SAMPLE_RECORD_PAYLOAD)


def record(day: int, minutes: int, category: str = "elderly_and_disabled") -> vr.ServiceRecord:
    start = dt.datetime(2024, 5, day, 8, 0, tzinfo=CST)
    return attrs.evolve(
        BASE,
        record_id=f"r-{day}",
        date=start.date(),
        start=start,
        end=start + dt.timedelta(minutes=minutes),
        service=vr.Hours.from_minutes(minutes),
        recorded_at=start + dt.timedelta(days=1),
        service_category=category,
    )


RECORDS = [record(3, 120), record(4, 90, "education"), record(5, 60)]


def issued(**kwargs: Any) -> vr.Certificate:
    arguments: dict[str, Any] = {
        "volunteer": PROFILE,
        "issuer": examples.sample_issuer(),
        "as_of": dt.date(2024, 6, 1),
        "number": "PJ-2024-0001",
        "rule_set": "cn-national",
        "signing_key": KEY,
    }
    arguments.update(kwargs)
    certificate = vr.issue_certificate(RECORDS, **arguments).certificate
    assert certificate is not None
    return certificate


def forge(certificate: vr.Certificate, **changes: Any) -> vr.Certificate:
    """Change fields and recompute the verification code, as a forger would."""
    altered = attrs.evolve(certificate, **changes)
    return attrs.evolve(altered, verification_code=_code_of(altered))


def codes(result: vr.CertificateVerification) -> list[str]:
    return [d.code for d in result.differences]


def test_a_signed_certificate_is_proof() -> None:
    certificate = issued()
    result = vr.verify_certificate(certificate, RECORDS, keys=KEYS)
    assert result.valid and result.proven and result.signature == "valid"
    assert certificate.volunteer_id == "V******1"  # the volunteer number is printed masked


class TestForgedCertificates:
    def test_recomputed_hash_with_inflated_figures(self) -> None:
        """6,000 minutes, 五星, inflated activities, the code recomputed: caught twice over."""
        certificate = issued()
        assert certificate.star_level is not None
        star = attrs.evolve(certificate.star_level, rank=5, name="five_stars", label="五星")
        inflated = tuple(
            attrs.evolve(a, activities=a.activities * 10, service=vr.Hours.from_minutes(3000))
            for a in certificate.activities
        )
        forged = forge(
            certificate,
            service=vr.Hours.from_minutes(6000),
            star_level=star,
            activities=inflated,
        )
        # without the signature the code matches, yet the figures are re-derived from records
        unsigned_view = vr.verify_certificate(forged, RECORDS)
        assert "content_altered" not in codes(unsigned_view)
        assert {"hours_changed", "activities_differ", "star_level_differs"} <= set(
            codes(unsigned_view)
        )
        assert not unsigned_view.valid
        # with the issuer's key the signature no longer matches
        signed_view = vr.verify_certificate(forged, RECORDS, keys=KEYS)
        assert signed_view.signature == "signature_invalid"
        assert "signature_invalid" in codes(signed_view)
        # and without the records, the signature alone finds it
        assert vr.verify_certificate(forged, keys=KEYS).signature == "signature_invalid"

    def test_wrong_key(self) -> None:
        """Signed by a key that is not the issuer's (same key id, other seed): invalid."""
        forged = vr.sign_certificate(issued(signing_key=None), FORGER)
        result = vr.verify_certificate(forged, RECORDS, keys=KEYS)
        assert result.signature == "signature_invalid" and not result.valid

    def test_key_of_another_organization(self) -> None:
        certificate = issued()
        forged = attrs.evolve(
            certificate,
            key_id="other-1",
            signature=vr.sign_certificate(
                forge(
                    certificate, issuer=attrs.evolve(certificate.issuer, organization_id="G-other")
                ),
                OTHER,
            ).signature,
        )
        assert vr.verify_certificate(forged, RECORDS, keys=KEYS).signature == (
            "key_of_another_issuer"
        )

    def test_revoked_key(self) -> None:
        """A revoked key's signatures are never trusted, whatever the date on the certificate."""
        certificate = issued()
        revoked = KEYS.revoke("pj-2024", on=dt.date(2024, 9, 1), reason="leaked")
        result = vr.verify_certificate(certificate, RECORDS, keys=revoked)
        assert result.signature == "key_revoked" and codes(result) == ["key_revoked"]

    def test_unknown_key_and_unsigned(self) -> None:
        unsigned = issued(signing_key=None)
        result = vr.verify_certificate(unsigned, RECORDS, keys=KEYS)
        assert result.signature == "unsigned" and codes(result) == ["unsigned"]
        # without a registry an unsigned certificate is reported, not proven, never raised
        plain = vr.verify_certificate(unsigned, RECORDS)
        assert plain.signature == "unsigned" and plain.valid and not plain.proven
        stranger = vr.sign_certificate(
            unsigned,
            vr.SigningKey.from_seed(bytes(32), key_id="who-knows", organization_id=ORG),
        )
        assert vr.verify_certificate(stranger, RECORDS, keys=KEYS).signature == "unknown_key"

    def test_garbage_signature_is_reported(self) -> None:
        certificate = attrs.evolve(issued(), signature="not base64 at all!")
        assert vr.verify_certificate(certificate, keys=KEYS).signature == "signature_invalid"

    def test_rotation(self) -> None:
        """After a rotation, old certificates stay good; new ones need the new key."""
        rotated = KEYS.rotate(NEXT.public_key(valid_from=dt.date(2025, 1, 1)))
        old = issued()
        assert vr.verify_certificate(old, RECORDS, keys=rotated).proven
        late_old_key = issued(as_of=dt.date(2025, 2, 1))
        result = vr.verify_certificate(late_old_key, RECORDS, keys=rotated)
        assert result.signature == "key_retired"
        late_new_key = issued(as_of=dt.date(2025, 2, 1), signing_key=NEXT)
        assert vr.verify_certificate(late_new_key, RECORDS, keys=rotated).proven
        early = issued(as_of=dt.date(2024, 12, 31), signing_key=NEXT)
        assert vr.verify_certificate(early, RECORDS, keys=rotated).signature == (
            "key_not_yet_valid"
        )

    def test_signing_with_another_organizations_key_is_refused(self) -> None:
        with pytest.raises(vr.InvalidValueError):
            vr.sign_certificate(issued(signing_key=None), OTHER)


# Every field of the certificate, and a changed value for it.
TAMPER: dict[str, Any] = {
    "number": "PJ-2024-9999",
    "issued_on": dt.date(2024, 6, 2),
    "volunteer_id": "V******2",
    "volunteer_name": "赵敏敏",
    "document_kind": "passport",
    "document_number": "211103***********7",
    "issuer": "name",
    "since": dt.date(2024, 5, 4),
    "period_start": dt.date(2024, 1, 1),
    "period_end": dt.date(2024, 7, 1),
    "service": vr.Hours.from_minutes(271),
    "activities": "more",
    "records": "minutes",
    "star_level": "rank",
    "remarks": "with distinction",
}


def tampered(certificate: vr.Certificate, field: str) -> vr.Certificate:
    value: Any = TAMPER[field]
    if field == "issuer":
        value = attrs.evolve(certificate.issuer, name="北京市志愿者联合会")
    elif field == "activities":
        summary = certificate.activities[0]
        value = (attrs.evolve(summary, activities=summary.activities + 1),)
        value += certificate.activities[1:]
    elif field == "records":
        entry = certificate.records[0]
        value = (attrs.evolve(entry, minutes=entry.minutes + 30), *certificate.records[1:])
    elif field == "star_level":
        assert certificate.star_level is not None
        value = attrs.evolve(certificate.star_level, rank=certificate.star_level.rank + 1)
    return forge(certificate, **{field: value})


def test_the_tamper_table_covers_every_field() -> None:
    fields = {a.name for a in attrs.fields(vr.Certificate)}
    assert set(TAMPER) == fields - {"verification_code", "key_id", "signature"}


@pytest.mark.parametrize("field", sorted(TAMPER))
def test_every_field_tampered_is_reported(field: str) -> None:
    """Change any one field and recompute the code: the signature check reports it, always."""
    certificate = issued()
    forged = tampered(certificate, field)
    assert forged != certificate
    with_keys = vr.verify_certificate(forged, RECORDS, keys=KEYS)
    assert not with_keys.valid and with_keys.signature == "signature_invalid"
    offline = vr.verify_certificate(forged, keys=KEYS)
    assert offline.signature == "signature_invalid"


# the fields a record re-derives: changed alone (code recomputed), the records catch them
DERIVED = ("issued_on", "since", "period_start", "period_end", "service", "activities")


@pytest.mark.parametrize("field", [*DERIVED, "records", "star_level"])
def test_every_printed_figure_is_recomputed_from_the_records(field: str) -> None:
    forged = tampered(issued(signing_key=None), field)
    result = vr.verify_certificate(forged, RECORDS)
    assert "content_altered" not in [d.code for d in result.differences] or field == "since"
    assert not result.valid, field


def test_issued_on_before_since_is_reported_not_raised() -> None:
    certificate = issued(since=dt.date(2024, 5, 1))
    forged = forge(certificate, issued_on=dt.date(2024, 4, 1))
    result = vr.verify_certificate(forged, RECORDS, keys=KEYS)
    assert "content_altered" in codes(result)
    assert not result.records_checked


def test_windowed_star_level_counts_only_the_window() -> None:
    """The level stated on a windowed certificate is the one its window's service reaches."""
    many = [record(day, 600) for day in range(1, 29)]  # 280 h in May
    kwargs: dict[str, Any] = {
        "volunteer": PROFILE,
        "issuer": examples.sample_issuer(),
        "as_of": dt.date(2024, 6, 1),
        "number": "W-1",
        "rule_set": "cn-national",
    }
    whole = vr.issue_certificate(many, **kwargs).certificate
    window = vr.issue_certificate(many, since=dt.date(2024, 5, 25), **kwargs).certificate
    assert whole is not None and window is not None
    assert whole.star_level is not None and window.star_level is not None
    expected = vr.certify(
        [r for r in many if r.date >= dt.date(2024, 5, 25)],
        rule_set="cn-national",
        as_of=dt.date(2024, 6, 1),
    ).level.rank
    assert window.star_level.rank == expected < whole.star_level.rank
    assert vr.verify_certificate(window, many).valid


def test_qr_code_is_checked_offline() -> None:
    certificate = issued()
    payload = qr_payload(certificate)
    assert len(payload) < 2000  # fits a QR code
    check = check_qr_payload(payload, KEYS)
    assert check.valid and check.statement["service_minutes"] == certificate.service.minutes
    assert check.statement["volunteer_id"] == "V******1"
    forged = qr_payload(forge(certificate, service=vr.Hours.from_minutes(6000)))
    assert check_qr_payload(forged, KEYS).signature == "signature_invalid"
    revoked = KEYS.revoke("pj-2024", on=dt.date(2024, 9, 1))
    assert check_qr_payload(payload, revoked).signature == "key_revoked"
    assert check_qr_payload(qr_payload(issued(signing_key=None)), KEYS).signature == "unsigned"


def test_signed_certificate_json_round_trip() -> None:
    certificate = issued()
    payload = vr.dump_certificate(certificate)
    assert payload["signature"]["key_id"] == "pj-2024"
    again = vr.parse_certificate(payload)
    assert again == certificate
    assert vr.verify_certificate(again, RECORDS, keys=KEYS).proven


def test_command_line_signs_with_a_key_file(tmp_path: Path) -> None:
    records = tmp_path / "records.jsonl"
    records.write_text(
        "".join(json.dumps(vr.dump_record(r), ensure_ascii=False) + "\n" for r in RECORDS),
        encoding="utf-8",
    )
    profiles = tmp_path / "profiles.jsonl"
    profiles.write_text(json.dumps(SAMPLE_PROFILE_PAYLOAD, ensure_ascii=False) + "\n", "utf-8")
    key_file = tmp_path / "key.hex"
    key_file.write_text(KEY.seed.hex(), encoding="ascii")
    out = tmp_path / "certificate.json"
    issuer = examples.sample_issuer()
    status = main(
        [
            "certificate", str(records), "--profiles", str(profiles),
            "--volunteer", PROFILE.volunteer_id, "--issuer", issuer.organization_id,
            "--issuer-name", issuer.name, "--responsible", issuer.responsible_person,
            "--handler", issuer.handler, "--contact", issuer.contact, "--number", "CLI-1",
            "--as-of", "2024-06-01", "--signing-key", str(key_file), "--key-id", "pj-2024",
            "--format", "json", "-o", str(out),
        ]
    )  # fmt: skip
    assert status == 0
    certificate = vr.parse_certificate(json.loads(out.read_text(encoding="utf-8")))
    assert vr.verify_certificate(certificate, RECORDS, keys=KEYS).proven


def test_a_signature_of_another_algorithm_is_an_unknown_code() -> None:
    """The record format's codes: an algorithm this library does not know is ``unknown_code``
    at ``$.signature.algorithm``, the only problem of the certificate."""
    payload = vr.dump_certificate(issued())
    payload["signature"] = {**payload["signature"], "algorithm": "RSA"}
    with pytest.raises(vr.RecordFormatError) as info:
        vr.parse_certificate(payload)
    assert [(e.path, e.code) for e in info.value.errors] == [
        ("$.signature.algorithm", "unknown_code")
    ]


class TestTheListOfRecords:
    """The number of records is printed: the list is re-derived from the records too."""

    def test_a_record_listed_twice_is_reported(self) -> None:
        """The same record listed twice (total unchanged, code recomputed) is a difference."""
        certificate = issued(signing_key=None)
        forged = forge(certificate, records=(*certificate.records, certificate.records[0]))
        result = vr.verify_certificate(forged, RECORDS)
        assert codes(result) == ["records_differ"]
        assert result.differences[0].record_id == certificate.records[0].record_id
        assert "服务记录 Records:" in vr.render_text(forged)
        assert not vr.verify_certificate(forged, RECORDS, keys=KEYS).valid

    def test_a_record_that_counts_nothing_listed_is_reported(self) -> None:
        """A pending record listed with 0 minutes (nothing else changed) is a difference."""
        pending = attrs.evolve(record(6, 45), status="submitted")
        certificate = issued(signing_key=None)
        entry = vr.CertifiedRecord(
            organization_id=pending.organization_id,
            record_id=pending.record_id,
            minutes=0,
            digest=_record_digest(pending),
        )
        forged = forge(certificate, records=(*certificate.records, entry))
        result = vr.verify_certificate(forged, [*RECORDS, pending])
        assert codes(result) == ["records_differ"]
        assert result.differences[0].record_id == "r-6"


class TestSignatureText:
    """A signature is read only as the library writes it."""

    @pytest.mark.parametrize(
        "change",
        [
            lambda s: s + "==",  # padding
            lambda s: s[:-1] + chr(ord(s[-1]) + 1),  # the unused low bits of the last character
            lambda s: s[:40] + "\n" + s[40:],  # a character outside the alphabet
        ],
    )
    def test_another_spelling_of_the_signature_is_invalid(self, change: Any) -> None:
        certificate = issued()
        respelled = attrs.evolve(certificate, signature=change(certificate.signature))
        assert respelled.signature != certificate.signature
        result = vr.verify_certificate(respelled, RECORDS, keys=KEYS)
        assert result.signature == "signature_invalid" and not result.valid
        packed = qr_payload(certificate).rsplit(".", 1)[0]
        assert check_qr_payload(f"{packed}.{respelled.signature}", KEYS).signature == (
            "signature_invalid"
        )

    def test_a_registry_that_returns_something_else_is_a_type_error(self) -> None:
        class Broken:
            def key(self, key_id: str, /) -> Any:
                return "pj-2024"

        with pytest.raises(vr.InvalidTypeError, match="keys"):
            vr.verify_certificate(issued(), keys=Broken())
        with pytest.raises(vr.InvalidTypeError, match="keys"):
            check_qr_payload(qr_payload(issued()), Broken())


def _mutated(value: Any, data: st.DataObject) -> Any:
    """``value`` changed one way, keeping its JSON type where one is kept."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + data.draw(st.sampled_from([-60, -1, 1, 60]))
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return value + "x"
        return (day + dt.timedelta(days=data.draw(st.sampled_from([-1, 1])))).isoformat()
    if isinstance(value, list):
        grow: bool = data.draw(st.booleans())
        if value and grow:
            return [*value, value[data.draw(st.integers(0, len(value) - 1))]]
        return value[:-1]
    assert isinstance(value, dict)
    if not value:
        return value
    dropped = data.draw(st.sampled_from(sorted(value)))
    return {k: v for k, v in value.items() if k != dropped}


def _places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found: list[tuple[Any, ...]] = []
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, inner in items:
        found.append((*path, key))
        if isinstance(inner, (dict, list)):
            found += _places(inner, (*path, key))
    return found


# What the records re-derive: a change to it is caught by the records even with the code
# recomputed (the rest is bound by the signature only).
FIGURES = {
    "issued_on",
    "since",
    "period_start",
    "period_end",
    "service_minutes",
    "activities",
    "records",
    "star_level",
}


@settings(max_examples=60, deadline=None)
@given(
    records=service_histories(volunteers=(PROFILE.volunteer_id, "V2"), max_size=8, days=3),
    data=st.data(),
    rule_set=st.sampled_from([None, "cn-national"]),
)
def test_no_tampering_of_the_json_form_verifies(
    records: list[vr.ServiceRecord], data: st.DataObject, rule_set: str | None
) -> None:
    """Any one member of a signed certificate's JSON changed, the code recomputed or not:
    verification with the issuer's keys never says valid, and a changed figure never verifies
    against the records (given in any order) even on an unsigned certificate."""
    issuer = vr.Issuer(
        organization_id=ORG, name="协会", responsible_person="张伟", handler="李雷", contact="0427"
    )
    certificate = vr.issue_certificate(
        records,
        volunteer=PROFILE,
        issuer=issuer,
        as_of=dt.date(2024, 2, 1),
        number="C-1",
        rule_set=rule_set,
        signing_key=KEY,
    ).certificate
    assume(certificate is not None)
    assert certificate is not None
    payload = json.loads(json.dumps(vr.dump_certificate(certificate)))
    places = [p for p in _places(payload) if p[0] not in ("verification_code", "signature")]
    path = data.draw(st.sampled_from(places))
    parent = payload
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = _mutated(parent[path[-1]], data)
    try:
        changed = vr.parse_certificate(payload)
    except vr.RecordFormatError:
        return  # refused as malformed: fine
    assume(_content(changed) != _content(certificate))
    if data.draw(st.booleans()):
        changed = attrs.evolve(changed, verification_code=_code_of(changed))
    shuffled = data.draw(st.permutations(records))
    with_keys = vr.verify_certificate(changed, shuffled, keys=KEYS, birth_date=PROFILE.birth_date)
    assert not with_keys.valid and not with_keys.proven
    assert not vr.verify_certificate(changed, keys=KEYS).valid
    unsigned = attrs.evolve(changed, key_id=None, signature=None)
    result = vr.verify_certificate(unsigned, shuffled, birth_date=PROFILE.birth_date)
    if path[0] in FIGURES or _code_of(unsigned) != unsigned.verification_code:
        # a figure no rule set answers for (an unknown rule set id) is listed as unchecked
        assert not result.valid or result.unchecked, (path, result)
