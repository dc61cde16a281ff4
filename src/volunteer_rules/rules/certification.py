"""Star certification (星级认定) that explains itself: which level, under which rules, and why.

:func:`certify` takes one volunteer's service records, a rule set and the day of the
certification, and returns a :class:`Certification`: the level reached, the hours counted, the
next level and the shortfall, the rule set version applied, and every record that did not count
with its reason. What counts is decided by the one counting engine,
:mod:`volunteer_rules.rules.counting` (verified records only; amended records superseded; overlapping
intervals counted once; at most 1440 minutes a day; nothing after ``as_of``; nothing outside
the rule set's window).

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
from collections import deque
from collections.abc import Iterable, Mapping
from itertools import compress, repeat
from operator import itemgetter, not_
from typing import TYPE_CHECKING, Any, Final

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import require_iterable
from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.hours import Hours
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.rules.counting import (
    _RATING_RANK,
    Count,
    _all_versions,
    _Bulk,
    _bulk,
    _check_as_of,
    _collector_paused,
    _count_rows,
    _majority,
    _rows,
    count_many,
)
from volunteer_rules.rules.quality import (
    QualityFacts,
    attested_on,
    ban_on,
    check_quality,
    continuity,
    describe_quality,
    quality_facts,
    read_sanctions,
)
from volunteer_rules.rules.rule_set import (
    NO_LEVEL,
    RATING_SCORES,
    Attestation,
    Award,
    Level,
    RuleSet,
    RuleSetVersion,
    Sanction,
    Volunteer,
    add_months,
    age_on,
    window_start,
)
from volunteer_rules.rules.schemes import RuleSetRegistry, _registry
from volunteer_rules.rules.versions import resolve_versions

if TYPE_CHECKING:  # pragma: no cover
    from volunteer_rules.rules.results import Certifications

__all__ = [
    "REASON_TEXTS",
    "Certification",
    "GroupCertification",
    "certify",
    "certify_group",
    "certify_many",
]

REASON_TEXTS: Final = {
    "duplicate_record": "its id was given with conflicting versions; none counts until corrected",
    "other_volunteer": "the record belongs to another volunteer",
    "after_as_of": "the record was done or entered after the day of certification",
    "outside_window": "the record is dated before the counting window",
    "not_verified": "the record is not verified",
    "superseded": "another record amends (corrects or withdraws) this one",
    "below_minimum_rating": "the record's evaluation is below the minimum rating",
    "overlap": "its interval overlaps a record counted before it in recorded order",
    "daily_cap": "more than 1440 minutes on one date; only the minutes up to the cap count",
}
"""One sentence per exclusion reason, for explanations."""


@masked_repr
@attrs.frozen(kw_only=True)
class Certification:
    """The outcome of certifying one volunteer on one day under one rule set.

    Attributes:
        rule_set_id: the rule set applied.
        rule_set_version: the ``valid_from`` (ISO date) of the version in force on ``as_of``.
        volunteer_id: whose records were certified (``None`` if there were none).
        as_of: the day of the certification.
        level: the level reached (:data:`~volunteer_rules.rules.rule_set.NO_LEVEL`, rank 0, if none).
        counted: the hours that count, within the window.
        next_level: the next level up, or ``None`` at the top (or when no level applies).
        shortfall: hours still missing for ``next_level`` (zero at the top, or when only other
            conditions are missing).
        excluded: ``(record_id, reason)`` for each record not counted in full, recorded order.
        window_start: the counting window's first day (inclusive), or ``None`` for lifetime.
        unmet: conditions other than hours that ``next_level`` still waits for.
        cycles: completed cycles (a prize every so many hours), ``0`` without cycles.
        due: levels reached and not yet awarded (pass past awards as ``awarded=``).
        valid_until: for rule sets with a validity: the last day the level is valid.
        paused: the rule set was paused on ``as_of``.
        outcome: ``certified`` when a version was in force on ``as_of``; otherwise
            ``not_yet_in_force``, ``between_versions`` or ``retired`` (not certifiable under
            this scheme on that day: rank 0, nothing counted).
        outcome_reason: why the outcome is not ``certified``, or ``None``.
        met: conditions other than hours that were met, ``"level: condition"``, for the levels
            reached and the next one.
        cycle_level: for rule sets with cycles, the prize level reached in the current cycle
            (rank 0 if none); ``None`` without cycles.

    Example:
        >>> from datetime import date
        >>> from volunteer_rules.rules.certification import certify
        >>> c = certify([], rule_set="hk-swd", as_of=date(2021, 3, 1))
        >>> c.rule_set_version, c.window_start, c.next_level.name
        ('1998-01-01', datetime.date(2021, 1, 1), 'bronze')
        >>> retired = certify([], rule_set="hk-swd", as_of=date(2022, 3, 1))
        >>> retired.outcome, retired.level.rank
        ('retired', 0)
        >>> print(retired.explain())
        Rule set hk-swd: not certifiable on 2022-03-01 (retired): hk-swd was retired: its last version applied until 2021-12-31.
    """

    rule_set_id: str
    rule_set_version: str
    volunteer_id: str | None
    as_of: _dt.date
    level: Level
    counted: Hours
    next_level: Level | None
    shortfall: Hours
    excluded: tuple[tuple[str, str], ...]
    window_start: _dt.date | None = None
    unmet: tuple[str, ...] = ()
    cycles: int = 0
    due: tuple[Level, ...] = ()
    valid_until: _dt.date | None = None
    paused: bool = False
    outcome: str = "certified"
    outcome_reason: str | None = None
    met: tuple[str, ...] = ()
    cycle_level: Level | None = None

    def explain(self) -> str:
        """A plain-English account: version applied, hours, level, next step, exclusions.

        Example:
            >>> from datetime import date
            >>> from volunteer_rules.rules.certification import certify
            >>> print(certify([], rule_set="cn-national", as_of=date(2024, 1, 1)).explain())
            Rule set cn-national, version valid from 2012-10-23 (the latest version on or before 2024-01-01).
            Counted 0 h over a lifetime up to 2024-01-01.
            Level: none (无).
            Next level: one_star (一星) at 100 h; 100 h short.
            Met: one_star: evaluated records average at least pass.
        """
        if self.outcome != "certified":
            return (
                f"Rule set {self.rule_set_id}: not certifiable on {self.as_of.isoformat()}"
                f" ({self.outcome}): {self.outcome_reason}."
            )
        lines = [
            f"Rule set {self.rule_set_id}, version valid from {self.rule_set_version} (the"
            f" latest version on or before {self.as_of.isoformat()})."
        ]
        if self.paused:
            lines.append("The scheme was paused on that day; this certification is informative.")
        span = (
            f"from {self.window_start.isoformat()} to {self.as_of.isoformat()}"
            if self.window_start
            else f"over a lifetime up to {self.as_of.isoformat()}"
        )
        lines.append(f"Counted {self.counted} {span}.")
        lines.append(f"Level: {self.level.name} ({self.level.label}).")
        if self.valid_until is not None:
            lines.append(f"Valid until {self.valid_until.isoformat()}.")
        if self.cycles or self.cycle_level is not None:
            lines.append(f"Completed cycles: {self.cycles}.")
        if self.cycle_level is not None and self.cycle_level.rank:
            lines.append(
                f"In the current cycle: {self.cycle_level.name} ({self.cycle_level.label})."
            )
        if self.next_level is not None:
            lines.append(
                f"Next level: {self.next_level.name} ({self.next_level.label}) at"
                f" {self.next_level.hours if not self.shortfall else self.shortfall + self.counted};"
                f" {self.shortfall} short."
            )
        for condition in self.unmet:
            lines.append(f"Also needed: {condition}.")
        for condition in self.met:
            lines.append(f"Met: {condition}.")
        for record_id, reason in self.excluded:
            lines.append(f"Not counted: {record_id}: {reason} ({REASON_TEXTS[reason]}).")
        return "\n".join(lines)


@masked_repr
@attrs.frozen(kw_only=True)
class GroupCertification:
    """The outcome of certifying a family or group (the PVSA group award).

    Attributes:
        rule_set_id: the rule set applied.
        rule_set_version: the version's ``valid_from`` (ISO date).
        as_of: the day of the certification.
        level: the group level reached (rank 0 if none).
        counted: the members' counted hours together.
        members: ``{volunteer_id: counted hours}``.
        below_minimum: members under the per-member minimum (no level while any is).
        next_level: the next group level, or ``None``.
        shortfall: group hours missing for ``next_level``.

    Example:
        >>> from datetime import date
        >>> g = certify_group([], rule_set="us-pvsa", as_of=date(2025, 1, 1), members=["V1"])
        >>> g.level.rank, g.below_minimum
        (0, ('V1',))
    """

    rule_set_id: str
    rule_set_version: str
    as_of: _dt.date
    level: Level
    counted: Hours
    members: Mapping[str, Hours]
    below_minimum: tuple[str, ...]
    next_level: Level | None
    shortfall: Hours


def _rule_set(rule_set: object, registry: RuleSetRegistry | None) -> RuleSet:
    if isinstance(rule_set, RuleSet):
        return rule_set
    if isinstance(rule_set, str):
        return _registry(registry).get(rule_set)
    raise InvalidTypeError("rule_set", "must be a rule set id (str) or a RuleSet")


def _awards(awarded: object, as_of: _dt.date) -> tuple[Award, ...]:
    if awarded is None:
        return ()
    out = []
    for award in require_iterable(awarded, "awarded", "must be an iterable of Award"):
        if not isinstance(award, Award):
            raise InvalidTypeError(
                "awarded", f"must contain Award values, not {type(award).__name__}"
            )
        if award.date <= as_of:
            out.append(award)
    return tuple(out)


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


def _since(version: RuleSetVersion, as_of: _dt.date, awards: tuple[Award, ...]) -> _dt.date | None:
    since = window_start(version.window, as_of)
    if not version.hours_reused_on_renewal and awards:
        last = max(a.date for a in awards)
        restart = as_of if last >= as_of else last + _dt.timedelta(days=1)
        if since is None or restart > since:
            since = restart
    return since


class _Plan:
    """What a version needs per volunteer, prepared once (thresholds in minutes etc.)."""

    def __init__(self, rule_set: RuleSet, as_of: _dt.date) -> None:
        version = rule_set.version_on(as_of)
        self.rule_set = rule_set
        self.version = version
        self.as_of = as_of
        self.label = version.valid_from.isoformat()
        self.since = window_start(version.window, as_of)
        self.paused = rule_set.paused_since is not None and as_of >= rule_set.paused_since
        self.levels = version.levels
        self.minutes = [level.hours.minutes for level in version.levels]
        self.simple = not version.age_bands and not any(
            level.min_tenure_months or level.requires_previous or level.attestations
            for level in version.levels
        )
        # Quality rules alone keep a version plain: for a volunteer with no evaluation below
        # what any level asks and no sanction, every quality condition is met, and the met
        # conditions depend on the rank only (see _static_met).
        self.quality_floor = max(
            (
                RATING_SCORES[rating]
                for level in version.levels
                if level.quality is not None
                for rating in (level.quality.min_average_rating, level.quality.min_record_rating)
                if rating is not None
            ),
            default=0,
        )
        self.low_ratings = frozenset(
            rating for rating, score in RATING_SCORES.items() if score < self.quality_floor
        )
        self.quality_simple = all(
            level.quality is None
            or (
                not level.quality.min_evaluated_records and level.quality.no_sanction_months is None
            )
            for level in version.levels
        ) and not any(level.continuous for level in version.levels)
        self.plain = (
            self.simple
            and version.validity_months is None
            and version.cycle_hours is None
            and version.hours_reused_on_renewal
        )
        self.hours = [level.hours for level in version.levels]
        self.hours_cache: dict[int, Hours] = {}  # Hours values are immutable: share them
        levels = version.levels
        self.by_rank = [
            (
                levels[rank - 1] if rank else NO_LEVEL,
                levels[rank] if rank < len(levels) else None,
                levels[:rank],
                _static_met(levels[: rank + 1]),
            )
            for rank in range(len(levels) + 1)
        ]

    def certify(
        self,
        count: Count,
        birth_date: _dt.date | None,
        awards: tuple[Award, ...],
        attested: frozenset[str],
        facts: QualityFacts | None = None,
        registered: _dt.date | None = None,
    ) -> Certification:
        minutes = count.minutes
        if self.plain and not awards and facts is None:
            # The hot path of certify_many: thresholds only.
            rank = bisect_right(self.minutes, minutes)
            levels = self.levels
            top = rank == len(levels)
            return Certification(
                rule_set_id=self.rule_set.id,
                rule_set_version=self.label,
                volunteer_id=count.volunteer_id,
                as_of=self.as_of,
                level=levels[rank - 1] if rank else NO_LEVEL,
                counted=Hours.from_minutes(minutes),
                next_level=None if top else levels[rank],
                shortfall=Hours.ZERO if top else Hours.from_minutes(self.minutes[rank] - minutes),
                excluded=count.excluded,
                window_start=count.since,
                due=levels[:rank],
                paused=self.paused,
                met=self.by_rank[rank][3],
            )
        return self._certify(count, birth_date, awards, attested, facts, registered)

    def quick(
        self, volunteer_id: str, minutes: int, excluded: tuple[tuple[str, str], ...]
    ) -> Certification:
        """The plain path from raw counts (thresholds only, nothing awarded)."""
        rank = bisect_right(self.minutes, minutes)
        level, next_level, due, met = self.by_rank[rank]
        cache = self.hours_cache
        counted = cache.get(minutes)
        if counted is None:
            counted = cache[minutes] = Hours.from_minutes(minutes)
        shortfall = Hours.ZERO
        if next_level is not None:
            missing = self.minutes[rank] - minutes
            shortfall = cache.get(missing) or cache.setdefault(missing, Hours.from_minutes(missing))
        return Certification(
            rule_set_id=self.rule_set.id,
            rule_set_version=self.label,
            volunteer_id=volunteer_id,
            as_of=self.as_of,
            level=level,
            counted=counted,
            next_level=next_level,
            shortfall=shortfall,
            excluded=excluded,
            window_start=self.since,
            due=due,
            paused=self.paused,
            met=met,
        )

    def quick_all(self, bulk: _Bulk) -> dict[str, Certification]:
        """The plain path for every volunteer of a bulk count (nothing awarded or attested).

        The same values as :meth:`quick`, computed column by column; the certifications are
        then filled slot by slot in C-level passes. ``Certification`` has no validator,
        converter or post-init hook, so this is exactly what its ``__init__`` would store.
        """
        names = bulk.names
        engine = bulk.engine
        count = len(names)
        fast: list[int] = (
            list(compress(range(count), map(not_, map(engine.__contains__, names))))
            if engine
            else list(range(count))
        )
        minutes = list(map(bulk.minutes.__getitem__, fast))
        thresholds = self.minutes
        top = len(thresholds)
        ranks = list(map(bisect_right, repeat(thresholds), minutes))
        by_rank = list(map(self.by_rank.__getitem__, ranks))
        cache = self.hours_cache  # Hours values are immutable: share them
        missing = [
            thresholds[r] - m if r < top else -1 for r, m in zip(ranks, minutes, strict=True)
        ]
        for value in set(minutes).union(missing).difference(cache):
            if value >= 0:
                cache[value] = Hours.from_minutes(value)
        zero = Hours.ZERO
        same: dict[str, Any] = {  # the same value for every volunteer
            "rule_set_id": self.rule_set.id,
            "rule_set_version": self.label,
            "as_of": self.as_of,
            "window_start": self.since,
            "unmet": (),
            "cycles": 0,
            "valid_until": None,
            "paused": self.paused,
            "outcome": "certified",
            "outcome_reason": None,
            "cycle_level": None,
        }
        each: dict[str, Iterable[Any]] = {
            "volunteer_id": map(names.__getitem__, fast),
            "level": map(itemgetter(0), by_rank),
            "counted": map(cache.__getitem__, minutes),
            "next_level": map(itemgetter(1), by_rank),
            "shortfall": [zero if value < 0 else cache[value] for value in missing],
            "excluded": map(bulk.excluded.get, map(names.__getitem__, fast), repeat(())),
            "due": map(itemgetter(2), by_rank),
            "met": map(itemgetter(3), by_rank),
        }
        made: list[Certification]
        made = list(map(object.__new__, repeat(Certification, len(fast))))
        for name, slot in _SLOTS:
            values = repeat(same[name]) if name in same else each[name]
            deque(map(slot.__set__, made, values), maxlen=0)
        if not engine:
            return dict(zip(names, made, strict=True))
        results: list[Any] = [None] * count
        deque(map(results.__setitem__, fast, made), maxlen=0)
        no_awards: tuple[Award, ...] = ()
        empty: frozenset[str] = frozenset()
        for k in compress(range(count), map(engine.__contains__, names)):
            results[k] = self.certify(engine[names[k]], None, no_awards, empty)
        return dict(zip(names, results, strict=True))

    def thresholds(self, birth_date: _dt.date | None) -> tuple[Hours, ...] | None:
        version = self.version
        if not version.age_bands:
            return version.thresholds_for(None)
        if birth_date is None:
            raise InvalidValueError(
                "volunteer",
                f"rule set {self.rule_set.id} has age bands: give a volunteer with a birth_date",
            )
        return version.thresholds_for(age_on(birth_date, self.as_of))

    def _certify(
        self,
        count: Count,
        birth_date: _dt.date | None,
        awards: tuple[Award, ...],
        attested: frozenset[str],
        facts: QualityFacts | None = None,
        registered: _dt.date | None = None,
    ) -> Certification:
        version = self.version
        minutes = count.minutes
        thresholds = self.thresholds(birth_date)
        awarded_ranks = {a.rank for a in awards}
        reached, next_level, shortfall, unmet, met = self._reached(
            count, thresholds, awarded_ranks, attested, facts, registered
        )
        valid_until = None
        due: tuple[Level, ...]
        if version.validity_months is not None:
            reached, next_level, shortfall, unmet, due, valid_until = self._held(
                version.validity_months, awards, reached, next_level, shortfall, unmet
            )
        else:
            due = tuple(
                level for level in version.levels[: reached.rank] if level.rank not in awarded_ranks
            )
        cycles, cycle_level = self._cycles(minutes, reached)
        return Certification(
            rule_set_id=self.rule_set.id,
            rule_set_version=self.label,
            volunteer_id=count.volunteer_id,
            as_of=self.as_of,
            level=reached,
            counted=Hours.from_minutes(minutes),
            next_level=next_level,
            shortfall=shortfall,
            excluded=count.excluded,
            window_start=count.since,
            unmet=tuple(unmet),
            cycles=cycles,
            due=due,
            valid_until=valid_until,
            paused=self.paused,
            met=tuple(met),
            cycle_level=cycle_level,
        )

    def _reached(
        self,
        count: Count,
        thresholds: tuple[Hours, ...] | None,
        awarded_ranks: set[int],
        attested: frozenset[str],
        facts: QualityFacts | None,
        registered: _dt.date | None,
    ) -> tuple[Level, Level | None, Hours, list[str], list[str]]:
        """The highest level whose hours and conditions are all met, and the next one.

        Returns the level reached, the next level, the hours it lacks, its unmet conditions,
        and the conditions met on the way. No level is reached outside every age band or
        while a ban is in force.
        """
        version = self.version
        minutes = count.minutes
        reached = NO_LEVEL
        next_level: Level | None = None
        shortfall = Hours.ZERO
        unmet: list[str] = []
        met: list[str] = []
        ban = None if facts is None else ban_on(facts.sanctions, self.as_of)
        if thresholds is None:
            unmet.append("an age band of this rule set (the volunteer's age is outside them)")
        elif ban is not None:
            next_level = version.levels[0]
            shortfall = Hours.from_minutes(max(0, thresholds[0].minutes - minutes))
            assert ban.ban_until is not None
            unmet.append(
                f"no ban in force (banned until {ban.ban_until.isoformat()} after a sanction of"
                f" {ban.date.isoformat()}: {ban.reason})"
            )
        else:
            for level, threshold in zip(version.levels, thresholds, strict=True):
                missing = self._unmet(level, count, awarded_ranks, attested, registered)
                for check in self._quality(level, facts, registered):
                    (met if check.met else missing).append(check.text())
                if minutes >= threshold.minutes and not missing:
                    reached = level
                    continue
                next_level = level
                shortfall = Hours.from_minutes(max(0, threshold.minutes - minutes))
                unmet = missing
                break
        return reached, next_level, shortfall, unmet, met

    def _held(
        self,
        months: int,
        awards: tuple[Award, ...],
        reached: Level,
        next_level: Level | None,
        shortfall: Hours,
        unmet: list[str],
    ) -> tuple[Level, Level | None, Hours, list[str], tuple[Level, ...], _dt.date | None]:
        """Where awards are valid for ``months``: the level held on ``as_of`` and until when.

        A valid award at least as high as the level reached is held (nothing is due); the
        next level is dropped when it is no higher than the level held. Returns the level,
        the next level, its shortfall and unmet conditions, the levels due, and the last
        valid day.
        """
        as_of = self.as_of
        valid_until = None
        held = [a for a in awards if as_of <= _last_valid_day(a.date, months)]
        due: tuple[Level, ...]
        if reached.rank:
            due = (reached,) if not any(a.rank >= reached.rank for a in held) else ()
            valid_until = _last_valid_day(as_of, months)
        else:
            due = ()
        if held:
            best = max(held, key=lambda a: (a.rank, a.date))
            if reached.rank <= best.rank <= len(self.version.levels) and best.rank > 0:
                reached = self.version.levels[best.rank - 1]
                valid_until = _last_valid_day(best.date, months)
                due = ()
        if next_level is not None and next_level.rank <= reached.rank:
            next_level, shortfall, unmet = None, Hours.ZERO, []
        return reached, next_level, shortfall, unmet, due, valid_until

    def _cycles(self, minutes: int, reached: Level) -> tuple[int, Level | None]:
        """With a prize every so many hours: the cycles completed and the current cycle's level.

        The current cycle's level is the highest level, no higher than the one reached, whose
        hours the rest of the current cycle covers (:data:`NO_LEVEL` when none does).
        """
        cycle_hours = self.version.cycle_hours
        if cycle_hours is None:
            return 0, None
        cycle = cycle_hours.minutes
        cycles = minutes // cycle
        cycle_level = NO_LEVEL
        if reached.rank:
            rest = minutes % cycle
            for level in self.version.levels:
                if level.hours.minutes <= min(rest, cycle) and level.rank <= reached.rank:
                    cycle_level = level
        return cycles, cycle_level

    def _quality(
        self, level: Level, facts: QualityFacts | None, registered: _dt.date | None
    ) -> list[Any]:
        """The quality and continuity checks of one level (met and missed)."""
        checks: list[Any] = []
        if level.quality is not None:
            if facts is None:  # nothing below any required rating, no sanction: all met
                checks.extend(_met_checks(level))
            else:
                checks.extend(check_quality(level.quality, facts, level.name))
        if level.continuous and facts is not None:
            since = registered if self.version.tenure_from == "registration" else None
            checks.append(continuity(level, facts, since))
        return checks

    def _unmet(
        self,
        level: Level,
        count: Count,
        awarded_ranks: set[int],
        attested: frozenset[str],
        registered: _dt.date | None = None,
    ) -> list[str]:
        missing = []
        if level.min_tenure_months:
            if self.version.tenure_from == "registration":
                if registered is None or self.as_of < add_months(
                    registered, level.min_tenure_months
                ):
                    missing.append(
                        f"{level.min_tenure_months} months since registration"
                        + (" (no registration date given)" if registered is None else "")
                    )
            else:
                first = count.first_counted
                if first is None or self.as_of < add_months(first, level.min_tenure_months):
                    missing.append(
                        f"{level.min_tenure_months} months since the first counted service"
                    )
        if level.requires_previous and level.rank - 1 not in awarded_ranks:
            below = self.version.levels[level.rank - 2]
            missing.append(f"the {below.name} level awarded first (levels are taken in sequence)")
        for condition in level.attestations:
            if condition not in attested:
                missing.append(f"attested condition {condition!r}")
        return missing


def _met_checks(level: Level) -> list[Any]:
    from volunteer_rules.rules.quality import QualityCheck

    assert level.quality is not None
    return [
        QualityCheck(level=level.name, condition=text, met=True)
        for text in describe_quality(level.quality)
    ]


def _static_met(levels: tuple[Level, ...]) -> tuple[str, ...]:
    """The met conditions of ``levels`` for a volunteer whose evaluations are all good enough."""
    return tuple(check.text() for level in levels if level.quality for check in _met_checks(level))


_SLOTS: Final = tuple(
    (field.name, Certification.__dict__[field.name]) for field in attrs.fields(Certification)
)
"""Each field of :class:`Certification` with its slot descriptor (for the bulk path)."""


def _last_valid_day(awarded: _dt.date, months: int) -> _dt.date:
    """The last day an award made on ``awarded`` is valid: the day before ``months`` later."""
    end = add_months(awarded, months)
    return end if end == _dt.date.max else end - _dt.timedelta(days=1)


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
        ...          start=None, end=None, service=Hours.from_hours(10)) for n in range(1, 31)]
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


def _rank(version: RuleSetVersion) -> int | None:
    return None if version.min_rating is None else _RATING_RANK[version.min_rating]


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
        The errors of :func:`certify`.

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
    from volunteer_rules.rules.results import Certifications, _held, _Source

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
        ...            date=date(2024, 5, n)) for v in ("A", "B") for n in range(1, 6)]
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
