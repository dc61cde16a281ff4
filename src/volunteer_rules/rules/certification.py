"""Star certification (星级认定) that explains itself: which level, under which rules, and why.

:func:`certify` takes one volunteer's service records, a rule set and the day of the certification,
and returns a :class:`Certification`: the level reached, the hours counted, the next level and the
shortfall, the rule set version applied, and every record that did not count with its reason. What
counts is decided by the one counting engine, :mod:`volunteer_rules.rules.counting` (verified
records only; amended records superseded; overlapping intervals counted once; at most 1440 minutes a
day; nothing after ``as_of``; nothing outside the rule set's window).

How the level is chosen, for the version of the rule set in force on ``as_of``
(:meth:`~volunteer_rules.rules.rule_set.RuleSet.version_on`):

1. the counting window ends on ``as_of`` and starts as the version says (lifetime, the 12
   months ending on ``as_of``, or the calendar year); when hours may not be reused on renewal
   (Taiwan's honour card), it starts the day after the volunteer's last award at the latest;
2. the thresholds are the levels' own, or those of the volunteer's age band on ``as_of``;
3. levels are taken in rank order; a level is reached when the counted hours are at least its
   threshold (inclusive), the tenure since the first counted record (or since registration,
   where the version says so) is at least its minimum (inclusive) and, for continuous levels,
   served in that many consecutive months, the level below was awarded if it must be taken in
   sequence, every attestation it needs was supplied, and its quality conditions are met
   (:mod:`volunteer_rules.rules.quality`); a sanction whose ban covers ``as_of`` blocks every
   level. The first level not reached stops the climb, so a level always implies every level
   below it. Conditions met are listed in ``Certification.met``, missed ones in ``unmet``.

On a day no version of the rule set is in force (before the first version, between versions,
after the scheme was retired), the outcome says so: ``outcome`` is ``not_yet_in_force``,
``between_versions`` or ``retired``, ``outcome_reason`` says why, the level is rank 0 and
nothing is counted. It is not an error.

The level depends on the counted minutes and these conditions alone: record order never
matters, and adding a verified record that overlaps nothing never lowers it.

:class:`Certification` and :class:`GroupCertification` are defined in
:mod:`~volunteer_rules.rules.certification_result`; this module re-exports them.

Example:
    >>> from datetime import date
    >>> from volunteer_rules.rules.certification import certify
    >>> from volunteer_rules.records.record import parse_record
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> record = parse_record(SAMPLE_RECORD_PAYLOAD)
    >>> result = certify([record], rule_set="cn-national", as_of=date(2024, 12, 31))
    >>> result.level.rank, result.counted, result.next_level.name, result.shortfall
    (0, Hours(minutes=120), 'one_star', Hours(minutes=5880))
"""

from __future__ import annotations

import datetime as _dt
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from volunteer_rules._validate import require_iterable
from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.hours import Hours
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.rules._bulk_certification import _certify_many, _iterable, _with_quality
from volunteer_rules.rules._certification_plan import _awards, _Plan, _rank, _since
from volunteer_rules.rules._count import (
    _all_versions,
    _check_as_of,
    _count_rows,
    _majority,
    _rows,
)
from volunteer_rules.rules.certification_result import (
    REASON_TEXTS,
    Certification,
    GroupCertification,
)
from volunteer_rules.rules.counting import count_many
from volunteer_rules.rules.quality import attested_on, quality_facts, read_sanctions
from volunteer_rules.rules.results import Certifications, _held, _Source
from volunteer_rules.rules.rule_set import (
    NO_LEVEL,
    Attestation,
    Award,
    Level,
    RuleSet,
    Sanction,
    Volunteer,
)
from volunteer_rules.rules.schemes import RuleSetRegistry, _registry

__all__ = [
    "REASON_TEXTS",
    "Certification",
    "GroupCertification",
    "certify",
    "certify_group",
    "certify_many",
]


def _rule_set(rule_set: object, registry: RuleSetRegistry | None) -> RuleSet:
    if isinstance(rule_set, RuleSet):
        return rule_set
    if isinstance(rule_set, str):
        return _registry(registry).get(rule_set)
    raise InvalidTypeError("rule_set", "must be a rule set id (str) or a RuleSet")


def _volunteer(volunteer: object) -> tuple[str | None, _dt.date | None]:
    """The id and birth date of a ``volunteer`` argument (an id, a profile, or None)."""
    if volunteer is None:
        return None, None
    if isinstance(volunteer, str):
        return volunteer, None
    try:
        volunteer_id = volunteer.volunteer_id  # type: ignore[attr-defined]
    except AttributeError:
        raise InvalidTypeError(
            "volunteer", "must be a volunteer id or an object with .volunteer_id and .birth_date"
        ) from None
    birth = getattr(volunteer, "birth_date", None)
    if not isinstance(volunteer_id, str):
        raise InvalidTypeError("volunteer", ".volunteer_id must be a str")
    if birth is not None and type(birth) is not _dt.date:
        raise InvalidTypeError("volunteer", ".birth_date must be a date")
    return volunteer_id, birth


def certify(
    records: Iterable[ServiceRecord],
    *,
    rule_set: RuleSet | str,
    as_of: _dt.date,
    volunteer: Volunteer | str | None = None,
    awarded: Iterable[Award] | None = None,
    attested: Iterable[str | Attestation] | None = None,
    registry: RuleSetRegistry | None = None,
    sanctions: Iterable[Sanction] | None = None,
) -> Certification:
    """Certify one volunteer's records on ``as_of`` under a rule set.

    Args:
        records: the volunteer's service records, in any order. Records of other volunteers
            are excluded as ``other_volunteer`` (not an error).
        rule_set: a rule set id or a :class:`~volunteer_rules.rules.rule_set.RuleSet`.
        as_of: the day of the certification (a ``date``).
        volunteer: whose records to certify: an id, or an object with ``.volunteer_id`` and
            ``.birth_date`` (needed by rule sets with age bands; a ``registered_on`` date is
            read where tenure runs from registration). By default, the volunteer most records
            belong to, ties to the smallest id.
        awarded: the volunteer's past awards (for levels in sequence, once-only levels and
            renewals); awards after ``as_of`` are ignored.
        attested: qualitative conditions attested for the volunteer: names, or
            :class:`~volunteer_rules.rules.rule_set.Attestation` values (who attested and
            when; one dated after ``as_of`` does not count yet).
        registry: where to look the rule set id up (the built-in registry by default).
        sanctions: sanctions on the volunteer
            (:class:`~volunteer_rules.rules.rule_set.Sanction`); a ban covering ``as_of``
            blocks every level, and quality rules may ask for no sanction in a period.

    Returns:
        A :class:`Certification`. When no version of the rule set is in force on ``as_of``,
        its ``outcome`` says why (not an error).

    Raises:
        UnknownRuleSetError: no rule set has that id.
        InvalidTypeError: a record is not a ``ServiceRecord``, or an argument has a wrong type.
        InvalidValueError: the rule set needs a birth date that was not given.

    Example:
        >>> from datetime import date
        >>> import attrs
        >>> from volunteer_rules import Hours
        >>> from volunteer_rules.records.record import parse_record
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> first = parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> later = [attrs.evolve(first, record_id=f"r-{n}", date=date(2024, 6, n),
        ...          start=None, end=None, service=Hours.from_hours(10),
        ...          recorded_at=first.recorded_at.replace(month=7)) for n in range(1, 31)]
        >>> result = certify([first, *later], rule_set="cn-national", as_of=date(2024, 12, 31))
        >>> result.level.name, result.counted.hours, result.shortfall.hours
        ('two_star', Decimal('302'), Decimal('298'))
    """
    _check_as_of(as_of, None)
    chosen = _rule_set(rule_set, registry)
    volunteer_id, birth = _volunteer(volunteer)
    awards = _awards(awarded, as_of)
    conditions = attested_on(attested, as_of)
    penalties = read_sanctions(sanctions)
    status = chosen.status_on(as_of)
    if status.version is None:
        rows, versions = _rows(records)
        return _not_in_force(
            chosen,
            as_of,
            volunteer_id or _majority(_all_versions(rows, versions)),
            status.state,
            status.reason,
        )
    plan = _Plan(chosen, as_of)
    detail = plan.version.has_quality or bool(penalties)
    given = _materialize(records) if detail else records
    rows, versions = _rows(given)
    if volunteer_id is None:
        volunteer_id = _majority(_all_versions(rows, versions))
    since = _since(plan.version, as_of, awards)
    count = _count_rows(
        rows, volunteer_id, as_of, since, _rank(plan.version), detail, versions=versions
    )
    facts = None
    if detail:
        assert count.outcomes is not None
        facts = quality_facts(
            given,
            (o.key for o in count.outcomes if o.minutes > 0),
            as_of=as_of,
            sanctions=penalties,
        )
        count = attrs.evolve(count, outcomes=None)
    return plan.certify(count, birth, awards, conditions, facts, _registered(volunteer))


def _registered(volunteer: object) -> _dt.date | None:
    registered = getattr(volunteer, "registered_on", None)
    return registered if type(registered) is _dt.date else None


def _not_in_force(
    rule_set: RuleSet, as_of: _dt.date, volunteer_id: str | None, state: str, reason: str | None
) -> Certification:
    """The outcome on a day no version of ``rule_set`` is in force: rank 0, nothing counted."""
    return Certification(
        rule_set_id=rule_set.id,
        rule_set_version="",
        volunteer_id=volunteer_id,
        as_of=as_of,
        level=NO_LEVEL,
        counted=Hours.ZERO,
        next_level=None,
        shortfall=Hours.ZERO,
        excluded=(),
        outcome=state,
        outcome_reason=reason,
        paused=rule_set.paused_since is not None and as_of >= rule_set.paused_since,
    )


def certify_many(
    records: Iterable[ServiceRecord],
    *,
    rule_set: RuleSet | str,
    as_of: _dt.date,
    volunteers: Iterable[Volunteer | str] | None = None,
    awarded: Mapping[str, Iterable[Award]] | None = None,
    attested: Mapping[str, Iterable[str | Attestation]] | None = None,
    registry: RuleSetRegistry | None = None,
    sanctions: Mapping[str, Iterable[Sanction]] | None = None,
) -> Certifications:
    """Certify many volunteers at once: one :class:`Certification` per volunteer.

    Reads ``records`` once, in any order, holding field values in columns rather than an object
    per record (see :func:`volunteer_rules.rules.counting.count_many`). For every volunteer the
    result equals ``certify(records, volunteer=that_volunteer, ...)`` except that other
    volunteers' records are not listed as ``other_volunteer``.

    On a distributed engine (Spark, Dask, Beam, a process pool): partition the records by
    ``volunteer_id`` (plus any amendment naming another volunteer's record, sent to that
    volunteer's partition as well), run ``certify_many`` on each partition, and concatenate the
    dictionaries; no step needs records of two partitions.

    Args:
        records: service records of any number of volunteers.
        rule_set: a rule set id or a ``RuleSet``.
        as_of: the day of the certification.
        volunteers: if given, only these volunteers (ids or profiles; profiles give birth
            dates for age bands), each with a result even without records. Repeated keys are
            settled over all of ``records`` first: another volunteer's conflicting version of
            a key excludes it here too (``duplicate_record``).
        awarded: past awards per volunteer id.
        attested: attested conditions per volunteer id (names or ``Attestation`` values).
        registry: where to look the rule set id up.
        sanctions: sanctions per volunteer id.

    Returns:
        ``{volunteer_id: Certification}``, ordered by volunteer id: a
        :class:`~volunteer_rules.rules.results.Certifications`, a ``dict`` with the table forms
        (``to_rows()``, ``to_arrow()``, ``to_polars()``, ``to_pandas()``) and
        ``exclusions()``. A list or tuple of records is kept by reference for
        ``exclusions()``.

    Raises:
        VolunteerRulesError: as :func:`certify` raises it (bad records, rule set or date).

    Example:
        >>> from datetime import date
        >>> import attrs
        >>> from volunteer_rules.records.record import parse_record
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> a = parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> b = attrs.evolve(a, record_id="r-b", volunteer_id="V2", status="submitted")
        >>> result = certify_many([a, b], rule_set="cn-national", as_of=date(2025, 1, 1))
        >>> [(v, c.counted.minutes, c.excluded) for v, c in result.items()]
        [('V0000001', 120, ()), ('V2', 0, (('r-b', 'not_verified'),))]
    """
    _check_as_of(as_of, None)
    chosen = _rule_set(rule_set, registry)
    births: dict[str, _dt.date | None] = {}
    registered: dict[str, _dt.date | None] = {}
    wanted: list[str] | None = None
    if volunteers is not None:
        require_iterable(volunteers, "volunteers", "must be an iterable of ids or profiles")
        wanted = []
        for volunteer in volunteers:
            volunteer_id, birth = _volunteer(volunteer)
            assert volunteer_id is not None
            wanted.append(volunteer_id)
            births[volunteer_id] = birth
            registered[volunteer_id] = _registered(volunteer)
    awards_of = _per_volunteer(awarded, "awarded")
    attested_of = _per_volunteer(attested, "attested")
    sanctions_of = {v: read_sanctions(x) for v, x in _per_volunteer(sanctions, "sanctions").items()}
    status = chosen.status_on(as_of)
    if status.version is None:
        ids = wanted
        if ids is None:
            ids = sorted({r.volunteer_id for r in _materialize(records)})
        return Certifications(
            {v: _not_in_force(chosen, as_of, v, status.state, status.reason) for v in sorted(ids)}
        )
    plan = _Plan(chosen, as_of)
    source = _Source(_held(records), as_of, plan.version.min_rating)
    if plan.version.has_quality or sanctions_of:
        # Read twice: the bulk pass (which checks every item), then the quality facts.
        given: list[ServiceRecord] | tuple[ServiceRecord, ...] = (
            records if isinstance(records, (list, tuple)) else _materialize(records)
        )
        results, low_rated = _certify_many(
            given, plan, wanted, births, awards_of, attested_of, registry, plan.low_ratings
        )
        results = _with_quality(
            given,
            plan,
            results,
            low_rated,
            (births, registered),
            awards_of,
            attested_of,
            sanctions_of,
        )
        return Certifications(results, source=attrs.evolve(source, records=given))
    results, _ = _certify_many(records, plan, wanted, births, awards_of, attested_of, registry)
    return Certifications(results, source=source)


def _materialize(records: object) -> tuple[ServiceRecord, ...]:
    """The records as a tuple, each checked to be a ``ServiceRecord`` as it is read."""
    out = []
    for record in _iterable(records):
        if not isinstance(record, ServiceRecord):
            raise InvalidTypeError(
                "records", f"must contain ServiceRecord values, not {type(record).__name__}"
            )
        out.append(record)
    return tuple(out)


def _per_volunteer(value: object, what: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise InvalidTypeError(what, "must be a mapping of volunteer id to values")
    return value


def certify_group(
    records: Iterable[ServiceRecord],
    *,
    rule_set: RuleSet | str,
    as_of: _dt.date,
    members: Iterable[str] | None = None,
    registry: RuleSetRegistry | None = None,
) -> GroupCertification:
    """Certify a family or group: every member must reach the minimum, the total picks the level.

    Args:
        records: the members' service records (any order).
        rule_set: a rule set with a group award (``us-pvsa``).
        as_of: the day of the certification.
        members: the members' volunteer ids (by default, everyone with a record).
        registry: where to look the rule set id up.

    Raises:
        InvalidValueError: the rule set has no group award, or no version of it is in force
            on ``as_of`` (the message says why).

    Example:
        >>> from datetime import date
        >>> import attrs
        >>> from volunteer_rules import Hours
        >>> from volunteer_rules.records.record import parse_record
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> base = attrs.evolve(parse_record(SAMPLE_RECORD_PAYLOAD), start=None, end=None,
        ...                     service=Hours.from_hours(20))
        >>> records = [attrs.evolve(base, record_id=f"{v}-{n}", volunteer_id=v,
        ...            date=date(2024, 5, n), recorded_at=base.recorded_at.replace(day=n + 1))
        ...            for v in ("A", "B") for n in range(1, 6)]
        >>> group = certify_group(records, rule_set="us-pvsa", as_of=date(2024, 12, 31))
        >>> group.level.name, group.counted.hours, group.below_minimum
        ('bronze', Decimal('200'), ())
    """
    _check_as_of(as_of, None)
    plan = _Plan(_rule_set(rule_set, registry), as_of)  # raises when no version is in force
    group = plan.version.group
    if group is None:
        raise InvalidValueError("rule_set", f"rule set {plan.rule_set.id} has no group award")
    counts = count_many(
        records,
        as_of=as_of,
        since=plan.since,
        min_rating=plan.version.min_rating,
        volunteers=None if members is None else list(members),
    )
    hours = {v: c.total for v, c in counts.items()}
    total = sum(c.minutes for c in counts.values())
    below = tuple(v for v, h in hours.items() if h < group.min_member_hours)
    reached = NO_LEVEL
    next_level: Level | None = group.levels[0]
    shortfall = Hours.from_minutes(max(0, group.levels[0].hours.minutes - total))
    if not below and hours:
        rank = bisect_right([level.hours.minutes for level in group.levels], total)
        reached = group.levels[rank - 1] if rank else NO_LEVEL
        next_level = group.levels[rank] if rank < len(group.levels) else None
        shortfall = (
            Hours.from_minutes(next_level.hours.minutes - total) if next_level else Hours.ZERO
        )
    return GroupCertification(
        rule_set_id=plan.rule_set.id,
        rule_set_version=plan.label,
        as_of=as_of,
        level=reached,
        counted=Hours.from_minutes(total),
        members=hours,
        below_minimum=below,
        next_level=next_level,
        shortfall=shortfall,
    )
