"""The bulk pass as its callers run it: records held, the collector paused, repeated keys settled.

:func:`_bulk` runs :func:`~volunteer_rules.rules._bulk_pass._count_many` over records whose
arguments are already checked. A key given more than once sends the records through the one
rule for repeated keys (:func:`~volunteer_rules.rules.versions.resolve_versions`) first, and the
keys in conflict are listed (rule 0 of :mod:`volunteer_rules.rules.counting`). The counting
function, bulk certification and the results' exclusions all count through it.
"""

from __future__ import annotations

import datetime as _dt
import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import attrs

from volunteer_rules.errors import InvalidTypeError
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.rules._bulk_pass import _NEVER, _Bulk, _count_many, _low_rated
from volunteer_rules.rules._columns import _Repeated
from volunteer_rules.rules._count import Count, RecordOutcome
from volunteer_rules.rules.versions import CONFLICT_REASON, RecordVersions, resolve_versions

__all__: list[str] = []


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector, then restore it.

    For bulk steps that make many objects but no cycles: a collection there would free nothing
    and cost time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _bulk(
    records: Iterable[ServiceRecord],
    as_of: _dt.date,
    since: _dt.date | None,
    min_rank: int | None,
    wanted: set[str] | None,
    detail: bool,
    since_for: dict[str, _dt.date],
    first: bool,
    low: frozenset[str] = frozenset(),
) -> _Bulk:
    """:func:`_count_many` with the collector paused (arguments already checked).

    With ``first=False`` the first counted dates of the fast path are not computed (callers
    that never read ``Count.first_counted`` save a pass). ``low``: the ratings whose
    volunteers are listed in ``low_rated``.
    """
    # Read twice when a key is repeated (see below), so a one-shot iterable is held first.
    given: Sequence[ServiceRecord]
    if type(records) in (list, tuple):
        given = records  # type: ignore[assignment]
    else:
        given = []
        for record in records:
            if not isinstance(record, ServiceRecord):
                raise InvalidTypeError(
                    "records", f"must contain ServiceRecord values, not {type(record).__name__}"
                )
            given.append(record)
    with _collector_paused():  # the columns hold only references to values: nothing to free
        try:
            return _count_many(given, as_of, since, min_rank, wanted, detail, since_for, first, low)
        except _Repeated:
            pass
        # A key given more than once: the one rule decides (identical repeats once, conflicts
        # never), then the records kept are counted and the conflicts listed (rule 0).
        versions = resolve_versions(given)
        bulk = _count_many(
            list(versions.records), as_of, since, min_rank, wanted, detail, since_for, first, low
        )
        # Every version read counts for low ratings, those in conflict too (as one by one).
        bulk = bulk._replace(low_rated=_low_rated(given, low, as_of))
        return _with_conflicts(bulk, versions, wanted, detail, as_of, since, since_for)


def _with_conflicts(
    bulk: _Bulk,
    versions: RecordVersions,
    wanted: set[str] | None,
    detail: bool,
    as_of: _dt.date,
    since: _dt.date | None,
    since_for: dict[str, _dt.date],
) -> _Bulk:
    """Rule 0 added to a bulk count: each key in conflict listed for the volunteers it names.

    A volunteer whose only records are in conflict gets an empty count listing them.
    """
    keys_of: dict[str, list[tuple[str, str]]] = {}
    for key in versions.conflict_keys:
        for name in sorted({v.volunteer_id for v in versions.conflicts[key]}):
            if wanted is None or name in wanted:
                keys_of.setdefault(name, []).append(key)
    if not keys_of:
        return bulk
    at = {name: k for k, name in enumerate(bulk.names)}
    names = sorted(set(bulk.names).union(keys_of))
    minutes = [bulk.minutes[at[name]] if name in at else 0 for name in names]
    first = (
        None
        if bulk.first is None
        else [bulk.first[at[name]] if name in at else _NEVER for name in names]
    )
    excluded = dict(bulk.excluded)
    engine = dict(bulk.engine)
    for name, keys in keys_of.items():
        listed = tuple((key[1], CONFLICT_REASON) for key in keys)
        conflicted = tuple(
            RecordOutcome(organization_id=k[0], record_id=k[1], minutes=0, reason=CONFLICT_REASON)
            for k in keys
        )
        count = engine.get(name)
        if count is None:
            excluded[name] = listed + excluded.get(name, ())
            if detail:  # the engine counts everyone with detail; this one had no other record
                engine[name] = Count(
                    volunteer_id=name,
                    as_of=as_of,
                    since=since_for.get(name, since),
                    minutes=0,
                    first_counted=None,
                    excluded=listed,
                    outcomes=conflicted,  # as count_records: one outcome per key in conflict
                )
            continue
        outcomes = count.outcomes
        if outcomes is not None:
            outcomes = (*conflicted, *outcomes)
        engine[name] = attrs.evolve(count, excluded=listed + count.excluded, outcomes=outcomes)
    return _Bulk(names, minutes, first, excluded, engine, bulk.low_rated)
