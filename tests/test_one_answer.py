"""One answer everywhere: every path gives the same totals for the same records, in any order.

The records are fed, shuffled and with random duplicates (identical repeats and conflicting
versions of one key), to ``summarize``, ``certify_many``, ``certify``, ``issue_certificate``
(then ``verify_certificate``) and the time bank's ``credit_records``. The one rule
(``volunteer_rules.rules.versions``) must make them agree, and no result may depend on the order.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

import volunteer_rules as vr
from volunteer_rules.rules.versions import resolve_versions
from volunteer_rules.testing import examples
from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD

CST = dt.timezone(dt.timedelta(hours=8))
AS_OF = dt.date(2025, 1, 31)
BASE = vr.parse_record(examples.SAMPLE_RECORD_PAYLOAD)
PROFILE = vr.parse_profile(SAMPLE_PROFILE_PAYLOAD)
ISSUER = examples.sample_issuer()
VOLUNTEERS = ("V0000001", "V0000002", "V0000003")


@st.composite
def one_record(draw: st.DrawFn, index: int) -> vr.ServiceRecord:
    day = dt.date(2024, 1, 1) + dt.timedelta(days=draw(st.integers(0, 12)))
    start_hour = draw(st.none() | st.integers(6, 20))
    minutes = draw(st.integers(30, 600))
    start = end = None
    if start_hour is not None:
        start = dt.datetime.combine(day, dt.time(start_hour), CST)
        end = start + dt.timedelta(minutes=minutes)
    fields: dict[str, Any] = {
        "record_id": f"r-{index}",
        "volunteer_id": draw(st.sampled_from(VOLUNTEERS)),
        "date": day,
        "start": start,
        "end": end,
        "service": vr.Hours.from_minutes(minutes),
        "recorded_at": dt.datetime.combine(day, dt.time(22, 0), CST),
        "status": draw(st.sampled_from(("verified", "verified", "verified", "submitted"))),
    }
    if index and draw(st.integers(0, 5)) == 0:  # now and then an amendment of an earlier one
        fields["amends"] = f"r-{draw(st.integers(0, index - 1))}"
    return attrs.evolve(BASE, **fields)


@st.composite
def records_with_duplicates(draw: st.DrawFn) -> list[vr.ServiceRecord]:
    count = draw(st.integers(1, 10))
    records = [draw(one_record(i)) for i in range(count)]
    extra: list[vr.ServiceRecord] = []
    for record in records:
        kind = draw(st.sampled_from(("none", "none", "repeat", "conflict", "other_volunteer")))
        if kind == "repeat":
            extra.append(attrs.evolve(record))
        elif kind == "conflict":
            minutes = record.service.minutes + draw(st.integers(1, 30))
            changed = draw(st.sampled_from(("content", "minutes", "offset")))
            if changed == "content":
                extra.append(attrs.evolve(record, content="edited"))
            elif changed == "offset" and record.start is None:
                moment = record.recorded_at.astimezone(dt.timezone.utc)
                extra.append(attrs.evolve(record, recorded_at=moment))
            elif record.start is None:
                extra.append(attrs.evolve(record, service=vr.Hours.from_minutes(minutes)))
            else:
                extra.append(attrs.evolve(record, place="elsewhere"))
        elif kind == "other_volunteer":
            other = next(v for v in VOLUNTEERS if v != record.volunteer_id)
            extra.append(attrs.evolve(record, volunteer_id=other))
    return draw(st.permutations(records + extra))


def _totals(records: list[vr.ServiceRecord]) -> dict[str, Any]:
    many = vr.certify_many(records, rule_set="cn-national", as_of=AS_OF)
    one = {
        v: vr.certify(records, rule_set="cn-national", as_of=AS_OF, volunteer=v) for v in VOLUNTEERS
    }
    rows = vr.summarize(records, by=("organization",), as_of=AS_OF)
    now = dt.datetime.combine(AS_OF, dt.time(12), CST)
    ledger = vr.credit_records(vr.Ledger(), records, now=now, policy="generic").ledger
    certificates: dict[str, int] = {}
    for volunteer in VOLUNTEERS:
        issued = vr.issue_certificate(
            records,
            volunteer=attrs.evolve(PROFILE, volunteer_id=volunteer),
            issuer=ISSUER,
            as_of=AS_OF,
            number="PJ-2025-0001",
        )
        certificate = issued.certificate
        certificates[volunteer] = 0 if certificate is None else certificate.service.minutes
        if certificate is not None:
            # Recomputed from the same records, every figure agrees. (An amendment that is not
            # yet verified is still reported as ``record_amended``: worth a look, not a figure.)
            found = vr.verify_certificate(certificate, records).differences
            assert {d.code for d in found} <= {"record_amended"}
    return {
        "many": many,
        "one": one,
        "summary": sum(row["minutes"] for row in rows),
        "ledger": {v: ledger.balance(v).minutes for v in VOLUNTEERS},
        "certificates": certificates,
    }


@given(records_with_duplicates(), st.randoms(use_true_random=False))
def test_every_path_agrees_in_any_order(records: list[vr.ServiceRecord], rnd: Any) -> None:
    """Summary, certify_many, certify, certificates and the ledger give one total per volunteer."""
    first = _totals(records)
    shuffled = list(records)
    rnd.shuffle(shuffled)
    assert _totals(shuffled) == first  # nothing depends on the order
    per_volunteer = {v: first["one"][v].counted.minutes for v in VOLUNTEERS}
    for volunteer in VOLUNTEERS:
        many = first["many"].get(volunteer)
        assert (0 if many is None else many.counted.minutes) == per_volunteer[volunteer]
        if many is not None:  # certify lists others' records too; certify_many does not
            mine = tuple(e for e in first["one"][volunteer].excluded if e[1] != "other_volunteer")
            assert many.excluded == mine
    assert first["ledger"] == per_volunteer
    assert first["certificates"] == per_volunteer
    assert first["summary"] == sum(per_volunteer.values())
    # Every key in conflict is excluded as duplicate_record for each volunteer it names.
    versions = resolve_versions(records)
    for key, group in versions.conflicts.items():
        for volunteer in {v.volunteer_id for v in group}:
            assert (key[1], "duplicate_record") in first["one"][volunteer].excluded


def test_conflict_counts_for_no_one_on_every_path() -> None:
    """One key, two contents: 0 minutes everywhere, whatever the order; a repeat counts once."""
    a = attrs.evolve(BASE, start=None, end=None)
    b = attrs.evolve(a, service=vr.Hours.from_minutes(60))
    other = attrs.evolve(a, record_id="r-other", date=dt.date(2024, 5, 2))
    for records in ([a, b, other], [other, b, a], [a, other, a, b]):
        totals = _totals(records)
        assert totals["one"]["V0000001"].counted.minutes == 120
        assert totals["summary"] == 120
        assert totals["ledger"]["V0000001"] == 120
        assert totals["certificates"]["V0000001"] == 120
        assert totals["one"]["V0000001"].excluded == ((a.record_id, "duplicate_record"),)


# --- the same through the command line, on the bundled sample ---------------------------------

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "records.jsonl"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "volunteer_rules", *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_sample_commands_give_one_total() -> None:
    """stats, certify and certificate count the sample's conflicting record id the same way."""
    stats = _run("stats", str(SAMPLE), "--by", "--as-of", "2026-06-30", "--format", "json")
    certify = _run(
        "certify", str(SAMPLE), "--rule-set", "cn-national", "--as-of", "2026-06-30",
        "--format", "json",
    )  # fmt: skip
    total = json.loads(stats.stdout)[0]["minutes"]
    certifications = json.loads(certify.stdout)["certifications"]
    counted = {c["volunteer"]: round(float(c["counted_h"]) * 60) for c in certifications}
    assert sum(counted.values()) == total
    # The sample holds one record id twice with different minutes: it counts for no one.
    mine = next(c for c in certifications if c["volunteer"] == "PJ00190")
    assert mine["excluded"] == [["2020-00327", "duplicate_record"]]
    assert "2020-00327 of 52211102MJ0000114B has versions" in certify.stderr
    certificate = _run(
        "certificate", str(SAMPLE), "--volunteer", "PJ00190",
        "--profiles", str(SAMPLE.parent / "profiles.jsonl"),
        "--issuer", "52211102MJ0000114B", "--issuer-name", "盘锦市志愿服务联合会",
        "--responsible", "王芳", "--handler", "李雷", "--contact", "0427-1234567",
        "--number", "PJ-2026-0001", "--as-of", "2026-06-30", "--format", "json",
    )  # fmt: skip
    assert certificate.returncode == 0, certificate.stderr
    assert json.loads(certificate.stdout)["service_minutes"] == counted["PJ00190"]
