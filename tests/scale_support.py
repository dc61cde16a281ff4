"""Shared by the Spark and Dask tests: generated records and the single-process answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import volunteer_rules as vr
from volunteer_rules.tables import RECORD_FIELDS, certification_row, exclusion_rows
from volunteer_rules.testing.table_examples import TABLE_AS_OF, record_rows

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


def single_process(
    payloads: list[dict[str, Any]], rule_set: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Certification and exclusion rows from ``certify_many`` on one process, sorted."""
    records = [vr.parse_record(p) for p in payloads]
    result = vr.certify_many(records, rule_set=rule_set, as_of=AS_OF)
    certifications = [certification_row(c) for c in result.values()]
    exclusions = [row for c in result.values() for row in exclusion_rows(c)]
    return sort_rows(certifications), sort_rows(exclusions)


def sort_rows(rows_: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows_, key=lambda r: (r["volunteer_id"], r.get("position", 0)))


def columns(payloads: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The payloads as columns (every field the payloads use; absent values as None)."""
    names = [n for n in RECORD_FIELDS if any(n in p for p in payloads)]
    extra = sorted({k for p in payloads for k in p} - set(names))
    return {n: [p.get(n) for p in payloads] for n in [*names, *extra]}
