"""What a rule set version needs to certify each volunteer, prepared once per certification.

:class:`_Plan` holds the version in force on ``as_of`` with its thresholds in minutes and what
each rank implies, and certifies a volunteer's count under it: the plain path (thresholds
only, one volunteer or a whole bulk count) and the full one (age bands, tenure, sequence,
attestations, quality, awards valid for some months, prize cycles).
"""

from __future__ import annotations

import datetime as _dt
from bisect import bisect_right
from collections import deque
from collections.abc import Iterable
from itertools import compress, repeat
from operator import itemgetter, not_
from typing import Any, Final

import attrs

from volunteer_rules._validate import require_iterable
from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.hours import Hours
from volunteer_rules.rules._bulk_pass import _Bulk
from volunteer_rules.rules._count import _RATING_RANK, Count
from volunteer_rules.rules.certification_result import Certification
from volunteer_rules.rules.quality import (
    QualityCheck,
    QualityFacts,
    ban_on,
    check_quality,
    continuity,
    describe_quality,
)
from volunteer_rules.rules.rule_set import (
    NO_LEVEL,
    RATING_SCORES,
    Award,
    Level,
    RuleSet,
    RuleSetVersion,
    add_months,
    age_on,
    window_start,
)


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


def _rank(version: RuleSetVersion) -> int | None:
    return None if version.min_rating is None else _RATING_RANK[version.min_rating]


def _since(version: RuleSetVersion, as_of: _dt.date, awards: tuple[Award, ...]) -> _dt.date | None:
    since = window_start(version.window, as_of)
    if not version.hours_reused_on_renewal and awards:
        # Counting restarts the day after the last award: on the award day itself (awards are
        # on or before as_of) the window is empty, so the day's hours, behind the award, are
        # not counted again (the day after counts nothing more, not less).
        last = max(a.date for a in awards)
        restart = last if last == _dt.date.max else last + _dt.timedelta(days=1)
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


def _met_checks(level: Level) -> list[QualityCheck]:
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
