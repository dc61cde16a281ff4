"""One answer everywhere: every path gives the same totals for the same records, in any order.

The records are fed, shuffled and with random duplicates (identical repeats and conflicting
versions of one key), to ``summarize``, ``certify_many``, ``certify``, ``issue_certificate``
(then ``verify_certificate``) and the time bank's ``credit_records``. The one rule
(``volunteer_rules.rules.versions``) must make them agree, and no result may depend on the order.
A time bank policy covers the service done while it is in force: under a dated policy the ledger
equals what certification counts for the records served within its dates.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

import volunteer_rules as vr
from volunteer_rules import tables
from volunteer_rules.rules import counting
from volunteer_rules.rules.versions import resolve_versions
from volunteer_rules.testing import examples
from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD
from volunteer_rules.testing.strategies import service_histories

CST = dt.timezone(dt.timedelta(hours=8))
AS_OF = dt.date(2025, 1, 31)
BASE = vr.parse_record(examples.SAMPLE_RECORD_PAYLOAD)
PROFILE = vr.parse_profile(SAMPLE_PROFILE_PAYLOAD)
ISSUER = examples.sample_issuer()
VOLUNTEERS = ("V0000001", "V0000002", "V0000003")
# in force for part of the records' days (2024-01-01 to 2024-01-13)
DATED = attrs.evolve(
    vr.get_time_bank_policy("generic"),
    policy_id="x-dated",
    valid_from=dt.date(2024, 1, 4),
    valid_until=dt.date(2024, 1, 10),
)


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
        # the next morning: after any end (so every record is valid in the record format)
        "recorded_at": dt.datetime.combine(day + dt.timedelta(days=1), dt.time(9, 0), CST),
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
                moment = record.recorded_at.astimezone(dt.UTC)
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
    dated = vr.credit_records(vr.Ledger(), records, now=now, policy=DATED).ledger
    served = {r.key: r.date for r in records}  # a key's versions share their date here
    covered: dict[str, int] = {}
    for volunteer in VOLUNTEERS:
        count = counting.count_records(records, as_of=AS_OF, volunteer_id=volunteer)
        assert count.outcomes is not None
        covered[volunteer] = sum(
            o.minutes for o in count.outcomes if DATED.in_force_on(served[o.key])
        )
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
        "dated ledger": {v: dated.balance(v).minutes for v in VOLUNTEERS},
        "covered": covered,
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
    assert first["dated ledger"] == first["covered"]  # the records the policy covers
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
    assert certificate.returncode == 1, certificate.stderr  # the sample's bad lines
    assert json.loads(certificate.stdout)["service_minutes"] == counted["PJ00190"]


# --- conflicts across volunteers, with and without a volunteers= filter -----------------------

REUSER = "V0000009"
"""Holds only versions of other volunteers' keys (an id reused for their own service)."""
EVERYONE = (*VOLUNTEERS, REUSER)
RULE_SETS = ("cn-national", "cn-cyl", "cn-beijing")  # quality, thresholds alone, the full plan


@st.composite
def conflicts_across_volunteers(draw: st.DrawFn) -> list[vr.ServiceRecord]:
    """Records with duplicates, plus versions of some keys under another volunteer.

    Some of those go to :data:`REUSER`, whose only records are then all in conflict.
    """
    records = draw(records_with_duplicates())
    extra = []
    for record in records:
        holder = draw(st.sampled_from((None, None, REUSER, *VOLUNTEERS)))
        if holder is not None and holder != record.volunteer_id:
            extra.append(attrs.evolve(record, volunteer_id=holder))
    return draw(st.permutations(records + extra))


def _mine(excluded: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    return tuple(e for e in excluded if e[1] != "other_volunteer")


def _outcomes(count: Any) -> list[tuple[str, str, int, str | None]]:
    return [
        (o.organization_id, o.record_id, o.minutes, o.reason)
        for o in count.outcomes
        if o.reason != "other_volunteer"
    ]


def _partitions(records: list[vr.ServiceRecord], rule_set: str) -> dict[str, tuple[int, Any]]:
    """Certified one partition per volunteer, routed as the Spark and Dask adapters route."""
    import pyarrow as pa

    from scale_support import columns
    from volunteer_rules.tables import BUCKET, bucket_rows, certify_partition

    parts: dict[str, list[dict[str, Any]]] = {}
    for row in bucket_rows([vr.dump_record(r) for r in records]):
        parts.setdefault(row[BUCKET], []).append(row)
    out: dict[str, tuple[int, Any]] = {}
    for part in parts.values():
        table = certify_partition(pa.table(columns(part)), rule_set=rule_set, as_of=AS_OF)
        for row in table.to_pylist():
            excluded = tuple((e["record_id"], e["reason"]) for e in row["excluded"])
            out[row["volunteer_id"]] = (row["counted_minutes"], excluded)
    return dict(sorted(out.items()))


def _per_path(records: list[vr.ServiceRecord], rule_set: str) -> dict[str, Any]:
    """Every path's answer per volunteer: minutes and exclusions (and levels, outcomes)."""
    from volunteer_rules.rules import counting
    from volunteer_rules.tables.io import table_of_records
    from volunteer_rules.tables.results import certify_table

    def certified(result: Any) -> dict[str, tuple[int, Any, int]]:
        return {v: (c.counted.minutes, c.excluded, c.level.rank) for v, c in result.items()}

    def counted(result: Any) -> dict[str, tuple[int, Any, Any]]:
        return {v: (c.minutes, c.excluded, _outcomes(c)) for v, c in result.items()}

    one = {v: vr.certify(records, rule_set=rule_set, as_of=AS_OF, volunteer=v) for v in EVERYONE}
    exact = {v: counting.count_records(records, as_of=AS_OF, volunteer_id=v) for v in EVERYONE}
    paths: dict[str, Any] = {
        "certify": {
            v: (c.counted.minutes, _mine(c.excluded), c.level.rank) for v, c in one.items()
        },
        "count_records": {
            v: (c.minutes, _mine(c.excluded), _outcomes(c)) for v, c in exact.items()
        },
        "certify_many": certified(vr.certify_many(records, rule_set=rule_set, as_of=AS_OF)),
        "certify_many, everyone asked for": certified(
            vr.certify_many(records, rule_set=rule_set, as_of=AS_OF, volunteers=EVERYONE)
        ),
        "certify_many, one at a time": {
            v: certified(vr.certify_many(records, rule_set=rule_set, as_of=AS_OF, volunteers=[v]))[
                v
            ]
            for v in EVERYONE
        },
    }
    for name, count_many in (("tables", tables.count_many), ("rules", vr.count_many)):
        paths[f"count_many ({name})"] = counted(count_many(records, as_of=AS_OF, detail=True))
        paths[f"count_many ({name}), one at a time"] = {
            v: counted(count_many(records, as_of=AS_OF, detail=True, volunteers=[v]))[v]
            for v in EVERYONE
        }
        plain = count_many(records, as_of=AS_OF, volunteers=EVERYONE)
        paths[f"count_many ({name}), no detail"] = {
            v: (c.minutes, c.excluded) for v, c in plain.items()
        }
    # Each excluded record by its whole key, asked for alone or with everyone.
    paths["exclusions"] = sorted(
        vr.certify_many(records, rule_set=rule_set, as_of=AS_OF).exclusions().to_rows(),
        key=repr,
    )
    paths["exclusions, one at a time"] = sorted(
        (
            row
            for v in EVERYONE
            for row in vr.certify_many(records, rule_set=rule_set, as_of=AS_OF, volunteers=[v])
            .exclusions()
            .to_rows()
        ),
        key=repr,
    )
    table = certify_table(table_of_records(records), rule_set=rule_set, as_of=AS_OF)
    paths["certify_table"] = {
        row["volunteer_id"]: (row["counted_minutes"], row["level_rank"])
        for row in table.iter_rows(named=True)
    }
    paths["partitions"] = _partitions(records, rule_set)
    return paths


@settings(max_examples=30, deadline=None)  # each example runs some 20 paths, twice
@given(conflicts_across_volunteers(), st.sampled_from(RULE_SETS), st.randoms(use_true_random=False))
def test_conflicts_across_volunteers_give_one_answer_with_any_filter(
    records: list[vr.ServiceRecord], rule_set: str, rnd: Any
) -> None:
    """A key whose versions name two volunteers is in conflict for both, on every path, asked
    for alone or with everyone; a volunteer named only by versions in conflict gets an entry
    (0 minutes, the keys listed), as certify gives, whatever the order."""
    paths = _per_path(records, rule_set)
    shuffled = list(records)
    rnd.shuffle(shuffled)
    assert _per_path(shuffled, rule_set) == paths  # nothing depends on the order
    named = sorted({r.volunteer_id for r in records})
    one = paths["certify"]
    exact = paths["count_records"]
    for path in ("certify_many", "certify_table", "partitions", "count_many (tables)"):
        assert list(paths[path]) == named, path  # an entry for everyone a record names
    for path in ("certify_many", "certify_many, everyone asked for", "certify_many, one at a time"):
        for volunteer, got in paths[path].items():
            assert got == one[volunteer], (path, volunteer)
    assert paths["exclusions, one at a time"] == paths["exclusions"]
    listed = sorted((v, rid, why) for v, (_, excluded, _) in one.items() for rid, why in excluded)
    assert sorted(
        (e["volunteer_id"], e["record_id"], e["reason"]) for e in paths["exclusions"]
    ) == (listed)
    for volunteer, (minutes, rank) in paths["certify_table"].items():
        assert (minutes, rank) == (one[volunteer][0], one[volunteer][2])
    for volunteer, got in paths["partitions"].items():
        assert got == one[volunteer][:2]
    for name in ("tables", "rules"):
        for path in (f"count_many ({name})", f"count_many ({name}), one at a time"):
            for volunteer, got in paths[path].items():
                assert got == exact[volunteer], (path, volunteer)
        for volunteer, got in paths[f"count_many ({name}), no detail"].items():
            assert got == exact[volunteer][:2]
    # Every key in conflict is excluded, for every volunteer one of its versions names.
    for key, group in resolve_versions(records).conflicts.items():
        for volunteer in {v.volunteer_id for v in group}:
            assert (key[1], "duplicate_record") in one[volunteer][1]
            assert (*key, 0, "duplicate_record") in exact[volunteer][2]


# --- plain regressions -------------------------------------------------------------------------


def _reused_key() -> tuple[vr.ServiceRecord, vr.ServiceRecord, vr.ServiceRecord]:
    """X's record, another volunteer's version of the same key, and another record of X's."""
    mine = attrs.evolve(BASE, start=None, end=None)
    theirs = attrs.evolve(mine, volunteer_id="V0000002", service=vr.Hours.from_minutes(60))
    more = attrs.evolve(mine, record_id="r-more", date=dt.date(2024, 5, 2))
    return mine, theirs, more


def test_a_filter_does_not_hide_another_volunteers_conflicting_version() -> None:
    """Issue 14: asked for X alone, X's key was counted when another volunteer held a
    conflicting version of it; certify excluded it. Settled over the whole input now."""

    mine, theirs, more = _reused_key()
    for records in ([mine, theirs, more], [theirs, more, mine], iter([more, mine, theirs])):
        given = list(records)
        for volunteer, minutes in (("V0000001", 120), ("V0000002", 0)):
            expected = ((mine.record_id, "duplicate_record"),)
            certified = vr.certify_many(
                given, rule_set="cn-national", as_of=AS_OF, volunteers=[volunteer]
            )[volunteer]
            assert (certified.counted.minutes, certified.excluded) == (minutes, expected)
            for count_many in (vr.count_many, tables.count_many):
                count = count_many(iter(given), as_of=AS_OF, volunteers=[volunteer])[volunteer]
                assert (count.minutes, count.excluded) == (minutes, expected)
            one = vr.certify(given, rule_set="cn-national", as_of=AS_OF, volunteer=volunteer)
            assert (one.counted.minutes, _mine(one.excluded)) == (minutes, expected)


def test_a_volunteer_with_only_conflicting_records_gets_the_answer_certify_gives() -> None:
    """Issue 14: every result per volunteer has an entry for them, 0 minutes and the key
    listed, with a duplicate_record outcome, as certify and count_records give."""
    from volunteer_rules.rules import counting

    mine, theirs, more = _reused_key()
    records = [mine, theirs, more]
    conflict = (mine.organization_id, mine.record_id, 0, "duplicate_record")
    exact = counting.count_records(records, as_of=AS_OF, volunteer_id="V0000002")
    assert _outcomes(exact) == [conflict]
    for count_many in (vr.count_many, counting.count_many):
        for volunteers in (None, ["V0000002"]):
            counts = count_many(records, as_of=AS_OF, detail=True, volunteers=volunteers)
            count = counts["V0000002"]
            assert (count.minutes, count.excluded) == (0, ((mine.record_id, "duplicate_record"),))
            assert _outcomes(count) == [conflict]
    certified = vr.certify_many(records, rule_set="cn-national", as_of=AS_OF)
    one = vr.certify(records, rule_set="cn-national", as_of=AS_OF, volunteer="V0000002")
    assert list(certified) == ["V0000001", "V0000002"]
    assert certified["V0000002"] == attrs.evolve(one, excluded=_mine(one.excluded))
    # No service done: no figure, no credit, no certificate; the key is refused once.
    assert sum(row["minutes"] for row in vr.summarize(records, by=(), as_of=AS_OF)) == 120
    issued = vr.issue_certificate(
        records,
        volunteer=attrs.evolve(PROFILE, volunteer_id="V0000002"),
        issuer=ISSUER,
        as_of=AS_OF,
        number="PJ-2025-0002",
    )
    assert issued.certificate is None
    refused = [(r.code, r.record_id) for r in issued.refusals]
    assert refused == [
        ("other_volunteer", more.record_id),  # V0000001's own record
        ("duplicate_record", mine.record_id),  # not also as another volunteer's record
        ("no_certifiable_records", None),
    ]


# --- with --db: the file keeps what it can, the rule for repeated keys is the same ------------


def _balances(capsys: Any, *args: str) -> tuple[int, dict[str, int]]:
    from volunteer_rules.cli import main

    status = main(["ledger", "credit", *args, "--format", "json"])
    return status, json.loads(capsys.readouterr().out)["balances_minutes"]


def test_ledger_with_db_credits_the_sample_as_without_it(tmp_path: Path, capsys: Any) -> None:
    """The sample's key given in two versions is credited to no one, with or without --db, on
    a new file and again (the key is not stored, as certify --db leaves it out)."""
    from volunteer_rules.cli import main

    options = (str(SAMPLE), "--policy", "generic", "--as-of", "2026-06-30")
    status, balances = _balances(capsys, *options)
    assert status == 1  # the sample's bad lines
    db = str(tmp_path / "bank.sqlite")
    for _ in range(2):
        stored_status, stored = _balances(capsys, *options, "--db", db)
        assert (stored_status, stored) == (status, balances)
    assert "already stored" not in capsys.readouterr().err
    assert main(["certify", str(SAMPLE), "--rule-set", "cn-national", "--as-of", "2026-06-30",
                 "--db", db, "--format", "json"]) == 1  # fmt: skip
    certified = json.loads(capsys.readouterr().out)["certifications"]
    counted = {c["volunteer"]: round(float(c["counted_h"]) * 60) for c in certified}
    assert counted["PJ00190"] == balances["PJ00190"]


def test_ledger_with_db_credits_no_version_of_a_key_in_conflict(
    tmp_path: Path, capsys: Any
) -> None:
    """Two versions of one key in one file: no credit, with or without --db."""
    a = attrs.evolve(BASE, start=None, end=None)
    b = attrs.evolve(a, service=vr.Hours.from_minutes(60))
    other = attrs.evolve(a, record_id="r-other", date=dt.date(2024, 5, 2))
    path = tmp_path / "records.jsonl"
    path.write_text("".join(json.dumps(vr.dump_record(r)) + "\n" for r in (a, b, other)))
    options = (str(path), "--policy", "generic", "--as-of", "2025-01-31")
    credited = (1, {"@issuer": -120, "V0000001": 120})  # 1: the versions are reported
    assert _balances(capsys, *options) == credited
    assert _balances(capsys, *options, "--db", str(tmp_path / "bank.sqlite")) == credited


# --- the hard cases on every path, at any as_of, under a rule set with a window ---------------

ZONES = tuple(dt.timezone(dt.timedelta(hours=h)) for h in (8, 9, 0, -5))
"""Intervals and entry times in +08:00 and +09:00 (and UTC, UTC-5): the same local day is not
the same instant, and a record entered in another zone is on record on another local date."""
SHIFT = dt.timedelta(days=-2)
"""service_histories dates start on 2024-01-01; moved back two days, they straddle the new
year, so a calendar-year window and a version in force from 2024-01-01 both cut through."""
WINDOWED = vr.rule_set_from_mapping(
    {
        "id": "xx-window",
        "name": "A lifetime version, then a calendar-year one from 2024-01-01",
        "name_zh": "生成的规则",
        "references": [{"key": "generated", "document": "test"}],
        "versions": [
            {"valid_from": "2023-12-30", "window": "lifetime",
             "levels": [{"rank": 1, "name": "one", "label": "一", "hours": 1},
                        {"rank": 2, "name": "two", "label": "二", "hours": 24}]},
            {"valid_from": "2024-01-01", "window": "calendar_year",
             "levels": [{"rank": 1, "name": "one", "label": "一", "hours": 2},
                        {"rank": 2, "name": "two", "label": "二", "hours": 20}]},
        ],
    }
)  # fmt: skip
HARD_VOLUNTEERS = ("V1", "V2")
DESTINATION = "G-panjin-youth"
"""The organization whose records the destination holds in the transfer paths."""


def _shifted(record: vr.ServiceRecord) -> vr.ServiceRecord:
    def move(moment: dt.datetime | None) -> dt.datetime | None:
        return None if moment is None else moment + SHIFT

    return attrs.evolve(
        record,
        date=record.date + SHIFT,
        start=move(record.start),
        end=move(record.end),
        recorded_at=record.recorded_at + SHIFT,
    )


@st.composite
def hard_records(draw: st.DrawFn) -> list[vr.ServiceRecord]:
    """service_histories (overlaps, midnight, four offsets, the cap at 1439/1440 minutes,
    amendments and chains across volunteers, void) with repeats, conflicting versions and
    versions in another status (rejected, void, submitted), shuffled."""
    records = [_shifted(r) for r in draw(service_histories(
        volunteers=HARD_VOLUNTEERS, max_size=10, days=4, time_zones=ZONES
    ))]  # fmt: skip
    extra = []
    for record in records:
        kind = draw(st.sampled_from(("none", "none", "none", "repeat", "conflict", "status")))
        if kind == "repeat":
            extra.append(attrs.evolve(record))
        elif kind == "conflict":
            extra.append(attrs.evolve(record, content="edited"))
        elif kind == "status":
            status = draw(st.sampled_from(("rejected", "void", "submitted", "verified")))
            extra.append(attrs.evolve(record, status=status))
    return draw(st.permutations(records + extra))


def _counted(records: Any, rule_set: Any, as_of: dt.date) -> int:
    return vr.certify(records, rule_set=rule_set, as_of=as_of, volunteer="V1").counted.minutes


def _hard_paths(records: list[vr.ServiceRecord], rule_set: Any, as_of: dt.date) -> dict[str, Any]:
    """Each path's minutes per volunteer (and what a certificate and a transfer say)."""
    from volunteer_rules.rules import counting
    from volunteer_rules.tables.io import table_of_records
    from volunteer_rules.tables.results import certify_table

    one = {
        v: vr.certify(records, rule_set=rule_set, as_of=as_of, volunteer=v) for v in HARD_VOLUNTEERS
    }
    many = vr.certify_many(records, rule_set=rule_set, as_of=as_of)
    table = certify_table(table_of_records(records), rule_set=rule_set, as_of=as_of)
    lifetime = {
        v: counting.count_records(records, as_of=as_of, volunteer_id=v).minutes
        for v in HARD_VOLUNTEERS
    }
    now = dt.datetime.combine(as_of, dt.time(12), CST)
    ledger = vr.credit_records(vr.Ledger(), records, now=now, policy="generic").ledger
    issuer_records = [r for r in records if r.organization_id == ISSUER.organization_id]
    certificates = {}
    for v in HARD_VOLUNTEERS:
        issued = vr.issue_certificate(
            records, volunteer=attrs.evolve(PROFILE, volunteer_id=v), issuer=ISSUER,
            as_of=as_of, number="PJ-2025-0003",
        )  # fmt: skip
        certificate = issued.certificate
        certificates[v] = 0 if certificate is None else certificate.service.minutes
        if certificate is not None:
            found = vr.verify_certificate(certificate, records).differences
            assert {d.code for d in found} <= {"record_amended"}, found
    # A move of V1's source records (everything not the destination's) to the destination.
    source = [r for r in records if r.organization_id != DESTINATION]
    held = [r for r in records if r.organization_id == DESTINATION]
    package = vr.create_transfer_package(
        source, volunteer_id="V1", source_organization_id="512111005000000154",
        destination_organization_id=DESTINATION, destination_region_code="211103",
        source_region_code="211103", consent=True, created_at=dt.datetime(2024, 1, 20, tzinfo=CST),
    )  # fmt: skip
    moved = vr.transfer_continuation(
        package, destination_records=held, as_of=as_of, rule_set=rule_set, source_rule_set=rule_set
    )
    checked = vr.check_transfer(
        package, destination_records=held, as_of=as_of, continuation=True, rule_set=rule_set
    ).continuation
    held_keys = {r.key for r in held}
    history = held + [r for r in source if r.key not in held_keys]  # the destination's wins
    tabled = {r["volunteer_id"]: r["counted_minutes"] for r in table.iter_rows(named=True)}
    return {
        "certify": {v: c.counted.minutes for v, c in one.items()},
        "certify_many": {v: many[v].counted.minutes if v in many else 0 for v in HARD_VOLUNTEERS},
        "certify_table": {v: tabled.get(v, 0) for v in HARD_VOLUNTEERS},
        "levels": {v: c.level.rank for v, c in one.items()},
        "table levels": {r["volunteer_id"]: r["level_rank"] for r in table.iter_rows(named=True)},
        "lifetime": lifetime,
        "summary": sum(row["minutes"] for row in vr.summarize(records, by=(), as_of=as_of)),
        "ledger": {v: ledger.balance(v).minutes for v in HARD_VOLUNTEERS},
        "certificates": certificates,
        "issuer lifetime": {
            v: counting.count_records(issuer_records, as_of=as_of, volunteer_id=v).minutes
            for v in HARD_VOLUNTEERS
        },
        "continuation": (moved.before.counted.minutes, moved.after.counted.minutes),
        "transfer by certify": (
            _counted(package.records, rule_set, as_of),
            _counted(history, rule_set, as_of),
        ),
        "check_transfer": checked is not None and checked.after == moved.after,
    }


@settings(max_examples=25, deadline=None)  # each example runs every path, twice
@given(
    hard_records(),
    st.integers(-3, 6).map(lambda n: dt.date(2024, 1, 1) + dt.timedelta(days=n)),
    st.sampled_from(("cn-national", "cn-cyl", WINDOWED)),
    st.randoms(use_true_random=False),
)
def test_the_hard_cases_give_one_answer_on_every_path(
    records: list[vr.ServiceRecord], as_of: dt.date, rule_set: Any, rnd: Any
) -> None:
    """Overlaps, midnight, +08:00 against +09:00, the daily cap exactly, amendment chains across
    volunteers, void and rejected versions, conflicting and identical repeats, an as_of before
    entries, on the first day of a version and of a calendar-year window: every path agrees,
    whatever the order."""
    paths = _hard_paths(records, rule_set, as_of)
    shuffled = list(records)
    rnd.shuffle(shuffled)
    assert _hard_paths(shuffled, rule_set, as_of) == paths  # nothing depends on the order
    assert paths["certify_many"] == paths["certify"]
    assert paths["certify_table"] == paths["certify"]
    for volunteer, rank in paths["table levels"].items():
        assert rank == paths["levels"][volunteer]
    assert paths["ledger"] == paths["lifetime"]
    assert paths["summary"] == sum(paths["lifetime"].values())
    assert paths["certificates"] == paths["issuer lifetime"]
    assert paths["continuation"] == paths["transfer by certify"]
    assert paths["check_transfer"]
