"""Shared by the Spark and Dask tests: generated records and the single-process answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import volunteer_rules as vr
from volunteer_rules.tables import RECORD_FIELDS, certification_row, exclusion_rows
from volunteer_rules.testing.table_examples import TABLE_AS_OF, TABLE_ORGANIZATIONS, record_rows

AS_OF: dt.date = TABLE_AS_OF
# one certified by certify_many (levels with more than hours), one in column steps (a window)
RULE_SETS = ("cn-zhangjiagang", "hk-hkv-award")


def rows(seed: int, volunteers: int = 150) -> list[dict[str, Any]]:
    return record_rows(volunteers=volunteers, records_per_volunteer=10, seed=seed)


def shared_keys(payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The payloads, plus a few keys given again under another volunteer (conflicts).

    A key two volunteers hold is a conflict that both volunteers' results list
    (``duplicate_record``): each holder's partition must see every version.
    """
    volunteers = sorted({p["volunteer_id"] for p in payloads})
    after = {v: volunteers[(i + 1) % len(volunteers)] for i, v in enumerate(volunteers)}
    return payloads + [dict(p, volunteer_id=after[p["volunteer_id"]]) for p in payloads[::23]]


def shared_ids(payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The payloads, plus records whose id another organization uses too, one of them excluded.

    Record ids are unique within an organization only. For a few records, the same id is given
    by another organization: to the same volunteer over the same interval (one of the two is
    an overlap), and to the next volunteer as a void record (not verified). Only the
    organization tells the records apart, in the exclusions.
    """
    volunteers = sorted({p["volunteer_id"] for p in payloads})
    after = {v: volunteers[(i + 1) % len(volunteers)] for i, v in enumerate(volunteers)}
    orgs = TABLE_ORGANIZATIONS
    other = {o: orgs[(i + 1) % len(orgs)] for i, o in enumerate(orgs)}
    plain = [p for p in payloads if p.get("amends") is None and p["status"] == "verified"]
    same = [dict(p, organization_id=other[p["organization_id"]]) for p in plain[::17]]
    void = [
        dict(
            p,
            organization_id=other[p["organization_id"]],
            volunteer_id=after[p["volunteer_id"]],
            status="void",
        )
        for p in plain[5::19]
    ]
    return payloads + same + void


def assert_ids_shared_and_one_excluded(
    payloads: list[dict[str, Any]], exclusions: list[dict[str, Any]]
) -> None:
    """The data has what the test is for: an excluded record whose id another org also uses.

    Both for one volunteer (who holds the id under two organizations, one record excluded, one
    counted) and across volunteers.
    """
    orgs: dict[tuple[str, str], set[str]] = {}
    for p in payloads:
        orgs.setdefault((p["volunteer_id"], p["record_id"]), set()).add(p["organization_id"])
    excluded = {(e["volunteer_id"], e["organization_id"], e["record_id"]) for e in exclusions}
    one_of_two = [
        (v, o, r)
        for v, o, r in excluded
        if len(orgs[(v, r)]) == 2 and any((v, other, r) not in excluded for other in orgs[(v, r)])
    ]
    assert one_of_two
    by_id: dict[str, set[str]] = {}
    for p in payloads:
        by_id.setdefault(p["record_id"], set()).add(p["organization_id"])
    assert any(len(by_id[r]) > 1 and len(orgs[(v, r)]) == 1 for v, _, r in excluded)


def single_process(
    payloads: list[dict[str, Any]], rule_set: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Certification and exclusion rows from ``certify_many`` on one process, sorted."""
    records = [vr.parse_record(p) for p in payloads]
    result = vr.certify_many(records, rule_set=rule_set, as_of=AS_OF)
    certifications = [certification_row(c) for c in result.values()]
    organizations: dict[str, list[str]] = {}
    for exclusion in result.exclusions():
        organizations.setdefault(exclusion.volunteer_id, []).append(exclusion.organization_id)
    exclusions = [
        row
        for v, c in result.items()
        for row in exclusion_rows(c, organizations=organizations.get(v, []))
    ]
    return sort_rows(certifications), sort_rows(exclusions)


def sort_rows(rows_: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows_, key=lambda r: (r["volunteer_id"], r.get("position", 0)))


def columns(payloads: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The payloads as columns (every field the payloads use; absent values as None)."""
    names = [n for n in RECORD_FIELDS if any(n in p for p in payloads)]
    extra = sorted({k for p in payloads for k in p} - set(names))
    return {n: [p.get(n) for p in payloads] for n in [*names, *extra]}


def spelled_otherwise() -> list[dict[str, Any]]:
    """Records whose ids are written otherwise than parse_record writes them.

    A volunteer id with white space around it (the same volunteer), a key given by two
    volunteers once trimmed and in uppercase (a conflict both results list), an amendment of
    another volunteer's record whose ids are so written (the record is superseded): the
    adapters must route them as parse_record reads them.
    """
    from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD as base

    org = "51211100MJ00000175"
    day = {
        "date": "2024-05-03",
        "start": "2024-05-03T08:30:00+08:00",
        "end": "2024-05-03T11:00:00+08:00",
        "recorded_at": "2024-05-04T09:00:00+08:00",
    }
    return [
        dict(base, record_id="r1", volunteer_id="V1", organization_id=org),
        dict(base, record_id="r2", volunteer_id=" V1\u3000", organization_id=org, **day),
        dict(base, record_id="r3", volunteer_id="V2", organization_id=org),
        dict(base, record_id=" r3", volunteer_id="V3", organization_id=org.lower(), place="另一处"),
        dict(base, record_id="r5", volunteer_id="V4", organization_id=org),
        dict(
            base,
            record_id="r6",
            volunteer_id="V5",
            organization_id=f" {org.lower()}",
            amends="r5\t",
        ),
    ]
