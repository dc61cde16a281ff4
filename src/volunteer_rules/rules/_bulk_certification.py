"""The passes of :func:`~volunteer_rules.rules.certification.certify_many` over many volunteers.

The bulk pass counts every volunteer's records at once and certifies each count under the
plan (the plain path when nothing is awarded or attested); the quality pass certifies again,
one by one, the volunteers whose quality facts matter.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from volunteer_rules._validate import require_iterable
from volunteer_rules.errors import InvalidValueError
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.rules._bulk_count import _bulk, _collector_paused
from volunteer_rules.rules._certification_plan import _awards, _Plan, _rank, _since
from volunteer_rules.rules._count import _count_rows, _rows
from volunteer_rules.rules.certification_result import Certification
from volunteer_rules.rules.quality import attested_on, quality_facts
from volunteer_rules.rules.rule_set import Award, Sanction
from volunteer_rules.rules.schemes import RuleSetRegistry
from volunteer_rules.rules.versions import resolve_versions


def _with_quality(
    records: list[ServiceRecord] | tuple[ServiceRecord, ...],
    plan: _Plan,
    results: dict[str, Certification],
    low_rated: set[str],
    profiles: tuple[Mapping[str, _dt.date | None], Mapping[str, _dt.date | None]],
    awards_of: Mapping[str, Any],
    attested_of: Mapping[str, Any],
    sanctions_of: Mapping[str, tuple[Sanction, ...]],
) -> dict[str, Certification]:
    """Certify again, one by one, the volunteers whose quality facts matter.

    They are every volunteer when a level asks for evaluations, a sanction-free period or
    continuity; otherwise those with an evaluation below what some level asks, or a sanction.
    Everyone else meets every quality condition, as the bulk pass assumed. ``low_rated``:
    the volunteers with such an evaluation, as the bulk pass found them.
    """
    as_of = plan.as_of
    births, registered = profiles
    if not plan.quality_simple:
        again = set(results)
    else:
        again = set(low_rated)
        again.update(v for v, x in sanctions_of.items() if x)
        again &= set(results)
    if not again:
        return results
    by_volunteer: dict[str, list[ServiceRecord]] = {v: [] for v in again}
    amendments = []
    for record in records:
        if record.volunteer_id in by_volunteer:
            by_volunteer[record.volunteer_id].append(record)
        if record.amends is not None:
            amendments.append(record)
    rank = _rank(plan.version)
    # Every version of a key in conflict, whoever it names: counted one by one, the volunteer
    # must see the conflict too (volunteer_rules.rules.versions).
    conflicts = resolve_versions(records).conflicts
    for volunteer_id in sorted(again):
        given = by_volunteer[volunteer_id] + [
            a for a in amendments if a.volunteer_id != volunteer_id
        ]
        if conflicts:
            given += [
                v
                for key in sorted({r.key for r in given}.intersection(conflicts))
                for v in conflicts[key]
            ]
        awards = _awards(awards_of.get(volunteer_id), as_of)
        since = _since(plan.version, as_of, awards)
        rows, versions = _rows(given)
        count = _count_rows(
            rows, volunteer_id, as_of, since, rank, True, others=False, versions=versions
        )
        assert count.outcomes is not None
        facts = quality_facts(
            given,
            (o.key for o in count.outcomes if o.minutes > 0),
            as_of=as_of,
            sanctions=sanctions_of.get(volunteer_id, ()),
        )
        count = attrs.evolve(count, outcomes=None)
        results[volunteer_id] = plan.certify(
            count,
            births.get(volunteer_id),
            awards,
            attested_on(attested_of.get(volunteer_id), as_of),
            facts,
            registered.get(volunteer_id),
        )
    return results


def _certify_many(
    records: Iterable[ServiceRecord],
    plan: _Plan,
    wanted: list[str] | None,
    births: dict[str, _dt.date | None],
    awards_of: Mapping[str, Any],
    attested_of: Mapping[str, Any],
    registry: RuleSetRegistry | None,
    low: frozenset[str] = frozenset(),
) -> tuple[dict[str, Certification], set[str]]:
    """The bulk pass of :func:`certify_many` for a version in force.

    Also the volunteers with an evaluation by ``as_of`` rated in ``low`` (see ``_Bulk``).
    """
    as_of = plan.as_of
    all_awards = {v: _awards(a, as_of) for v, a in awards_of.items()}
    since_for = {
        v: s
        for v, a in all_awards.items()
        if a and (s := _since(plan.version, as_of, a)) is not None and s != plan.since
    }
    no_awards: tuple[Award, ...] = ()
    empty: frozenset[str] = frozenset()
    quick_path = plan.plain and not all_awards and not attested_of
    with _collector_paused():  # many new objects, no cycles: one collection afterwards, not two
        bulk = _bulk(
            _iterable(records),
            as_of,
            plan.since,
            _rank(plan.version),
            None if wanted is None else set(wanted),
            False,
            since_for,
            not quick_path,  # the plain path never reads first_counted
            low,
        )
        if quick_path:  # plain: no age bands to check
            return plan.quick_all(bulk), bulk.low_rated
    if plan.version.age_bands:
        missing = [v for v in bulk.names if births.get(v) is None]
        if missing:
            raise InvalidValueError(
                "volunteers",
                f"rule set {plan.rule_set.id} has age bands: give profiles with birth dates"
                f" (missing for {len(missing)} volunteers, such as {missing[0]!r})",
            )
    return {
        v: plan.certify(
            c,
            births.get(v),
            all_awards.get(v, no_awards),
            attested_on(attested_of[v], as_of) if v in attested_of else empty,
        )
        for v, c in bulk.counts(as_of, plan.since).items()
    }, bulk.low_rated


def _iterable(records: object) -> Iterable[ServiceRecord]:
    return require_iterable(records, "records", "must be an iterable of ServiceRecord")
