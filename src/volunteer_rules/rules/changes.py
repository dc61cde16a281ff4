"""What changed between two versions of a rule set, and whose level changes with it.

For rule maintainers: :func:`diff_versions` lists every difference between two versions of a
rule set (levels added or removed, thresholds, tenure, continuity, sequence, attestations,
quality, window, age bands, cycles, validity) as :class:`RuleChange` values; and
:func:`recertify` certifies a population under both versions on one day, with
:func:`~volunteer_rules.certify_many`, and lists each volunteer whose level changes.

Example:
    >>> from volunteer_rules.rules.schemes import get_rule_set
    >>> beijing = get_rule_set("cn-beijing")
    >>> [str(c) for c in diff_versions(beijing.versions[0], beijing.versions[1])][:2]
    ['two_star: hours 200 h -> 300 h', 'three_star: hours 500 h -> 600 h']
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.hours import Hours
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.rules.certification import Certification, certify_many
from volunteer_rules.rules.rule_set import Level, RuleSet, RuleSetVersion, Volunteer
from volunteer_rules.rules.schemes import RuleSetRegistry, _registry

__all__ = [
    "LevelChange",
    "Recertification",
    "RuleChange",
    "diff_versions",
    "pin_version",
    "recertify",
]

_LEVEL_FIELDS = (
    "label",
    "hours",
    "min_tenure_months",
    "continuous",
    "requires_previous",
    "attestations",
    "once",
    "quality",
)
_VERSION_FIELDS = (
    "window",
    "min_rating",
    "age_bands",
    "group",
    "cycle_hours",
    "validity_months",
    "hours_reused_on_renewal",
    "tenure_from",
)


@masked_repr
@attrs.frozen(kw_only=True)
class RuleChange:
    """One difference between two versions.

    Attributes:
        level: the level's name, or ``None`` for a change of the whole version.
        what: the field (``hours``, ``attestations``, ``window``...), or ``added`` /
            ``removed`` for a level.
        before: the old value (``None`` for an added level).
        after: the new value (``None`` for a removed level).

    Example:
        >>> str(RuleChange(level=None, what="window", before="lifetime", after="calendar_year"))
        'window lifetime -> calendar_year'
    """

    level: str | None
    what: str
    before: Any
    after: Any

    def __str__(self) -> str:
        where = f"{self.level}: " if self.level is not None else ""
        if self.what == "added":
            return f"{where}added at {self.after}"
        if self.what == "removed":
            return f"{where}removed (was at {self.before})"
        return f"{where}{self.what} {_show(self.before)} -> {_show(self.after)}"


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(_show(v) for v in value) + ")"
    return str(value)


def diff_versions(old: RuleSetVersion, new: RuleSetVersion) -> tuple[RuleChange, ...]:
    """Every difference between two versions, level by level (matched by name), then the rest.

    Example:
        >>> from volunteer_rules.rules.schemes import get_rule_set
        >>> pvsa = get_rule_set("us-pvsa")
        >>> [c.what for c in diff_versions(*pvsa.versions)]
        ['age_bands']
    """
    if not isinstance(old, RuleSetVersion) or not isinstance(new, RuleSetVersion):
        raise InvalidTypeError("versions", "must be RuleSetVersion values")
    changes: list[RuleChange] = []
    before = {level.name: level for level in old.levels}
    after = {level.name: level for level in new.levels}
    for level in old.levels:
        if level.name not in after:
            changes.append(
                RuleChange(level=level.name, what="removed", before=level.hours, after=None)
            )
            continue
        other = after[level.name]
        for name in _LEVEL_FIELDS:
            a, b = getattr(level, name), getattr(other, name)
            if a != b:
                changes.append(RuleChange(level=level.name, what=name, before=a, after=b))
    for level in new.levels:
        if level.name not in before:
            changes.append(
                RuleChange(level=level.name, what="added", before=None, after=level.hours)
            )
    for name in _VERSION_FIELDS:
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            changes.append(RuleChange(level=None, what=name, before=a, after=b))
    return tuple(changes)


def pin_version(rule_set: RuleSet, version: RuleSetVersion | _dt.date) -> RuleSet:
    """The rule set with only ``version`` (or the version starting on that date), for any day.

    The pinned rule set keeps the id, so certifications under it compare with the original's.

    Raises:
        InvalidValueError: no version of the rule set starts on that date.

    Example:
        >>> from datetime import date
        >>> from volunteer_rules.rules.schemes import get_rule_set
        >>> trial = pin_version(get_rule_set("cn-beijing"), date(2012, 10, 23))
        >>> trial.status_on(date(2030, 1, 1)).version.levels[1].hours
        Hours(minutes=12000)
    """
    if not isinstance(rule_set, RuleSet):
        raise InvalidTypeError("rule_set", "must be a RuleSet")
    if isinstance(version, _dt.date):
        found = [v for v in rule_set.versions if v.valid_from == version]
        if not found:
            raise InvalidValueError(
                "version", f"{rule_set.id} has no version starting on {version.isoformat()}"
            )
        version = found[0]
    if not isinstance(version, RuleSetVersion):
        raise InvalidTypeError("version", "must be a RuleSetVersion or a date")
    pinned = attrs.evolve(version, valid_from=_dt.date.min, valid_until=None)
    return attrs.evolve(rule_set, versions=(pinned,), paused_since=None)


@masked_repr
@attrs.frozen(kw_only=True)
class LevelChange:
    """A volunteer whose level differs between the two versions.

    Attributes:
        volunteer_id: the volunteer.
        before: the level under the old version.
        after: the level under the new one.
        counted: the hours counted under the new version.

    Example:
        >>> from volunteer_rules.rules.rule_set import NO_LEVEL
        >>> LevelChange(volunteer_id="V1", before=NO_LEVEL, after=NO_LEVEL,
        ...             counted=Hours.ZERO).rank_change
        0
    """

    volunteer_id: str
    before: Level
    after: Level
    counted: Hours

    @property
    def rank_change(self) -> int:
        """``after.rank - before.rank`` (negative when the level drops).

        Example:
            >>> from volunteer_rules.rules.rule_set import NO_LEVEL
            >>> LevelChange(volunteer_id="V", before=NO_LEVEL, after=NO_LEVEL,
            ...             counted=Hours.ZERO).rank_change
            0
        """
        return self.after.rank - self.before.rank


@masked_repr
@attrs.frozen(kw_only=True)
class Recertification:
    """A population certified under two versions on one day.

    Attributes:
        rule_set_id: the rule set.
        as_of: the day.
        old_version: the old version's ``valid_from`` (ISO date).
        new_version: the new version's ``valid_from``.
        volunteers: how many volunteers were certified.
        changes: the volunteers whose level changes, by volunteer id.
        rule_changes: :func:`diff_versions` of the two versions.

    Example:
        >>> Recertification(rule_set_id="x", as_of=_dt.date(2025, 1, 1), old_version="a",
        ...                 new_version="b", volunteers=0, changes=(), rule_changes=()).lowered
        ()
    """

    rule_set_id: str
    as_of: _dt.date
    old_version: str
    new_version: str
    volunteers: int
    changes: tuple[LevelChange, ...]
    rule_changes: tuple[RuleChange, ...]

    @property
    def raised(self) -> tuple[LevelChange, ...]:
        """The volunteers whose level goes up.

        Example:
            >>> Recertification(rule_set_id="x", as_of=_dt.date(2025, 1, 1), old_version="a",
            ...                 new_version="b", volunteers=0, changes=(), rule_changes=()).raised
            ()
        """
        return tuple(c for c in self.changes if c.rank_change > 0)

    @property
    def lowered(self) -> tuple[LevelChange, ...]:
        """The volunteers whose level goes down.

        Example:
            >>> Recertification(rule_set_id="x", as_of=_dt.date(2025, 1, 1), old_version="a",
            ...                 new_version="b", volunteers=0, changes=(), rule_changes=()).raised
            ()
        """
        return tuple(c for c in self.changes if c.rank_change < 0)


def recertify(
    records: Iterable[ServiceRecord],
    *,
    rule_set: RuleSet | str,
    old: RuleSetVersion | _dt.date,
    new: RuleSetVersion | _dt.date,
    as_of: _dt.date,
    volunteers: Iterable[Volunteer | str] | None = None,
    awarded: Mapping[str, Any] | None = None,
    attested: Mapping[str, Any] | None = None,
    registry: RuleSetRegistry | None = None,
) -> Recertification:
    """Certify everyone under the old and the new version on ``as_of``; list whose level changes.

    Both certifications use :func:`~volunteer_rules.certify_many` (one pass each), with the
    same awards and attestations, so the only difference is the rules.

    Args:
        records: the population's service records (read into a list once).
        rule_set: the rule set (or its id).
        old: the old version, or its ``valid_from``.
        new: the new version, or its ``valid_from``.
        as_of: the day both certifications are made.
        volunteers: as for :func:`~volunteer_rules.certify_many`.
        awarded: past awards per volunteer, as for ``certify_many``.
        attested: attested conditions per volunteer, as for ``certify_many``.
        registry: where to look the rule set id up.

    Example:
        >>> from datetime import date
        >>> import attrs
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> base = attrs.evolve(vr.parse_record(SAMPLE_RECORD_PAYLOAD), start=None, end=None,
        ...                     service=vr.Hours.from_hours(10))
        >>> records = [attrs.evolve(base, record_id=f"{v}-{n}", volunteer_id=v,
        ...                         date=date(2024, 1, 1) + (date(2024, 1, 2) - date(2024, 1, 1)) * n)
        ...            for v, days in (("A", 25), ("B", 12)) for n in range(days)]
        >>> result = recertify(records, rule_set="cn-beijing", old=date(2012, 10, 23),
        ...                    new=date(2015, 1, 1), as_of=date(2025, 1, 1))
        >>> [(c.volunteer_id, c.before.name, c.after.name) for c in result.changes]
        [('A', 'two_star', 'one_star')]
        >>> result.volunteers, len(result.lowered)
        (2, 1)
    """
    chosen = rule_set if isinstance(rule_set, RuleSet) else _registry(registry).get(rule_set)
    before_rules = pin_version(chosen, old)
    after_rules = pin_version(chosen, new)
    population = list(records)
    people = None if volunteers is None else list(volunteers)
    common: dict[str, Any] = {"as_of": as_of, "awarded": awarded, "attested": attested}
    before: dict[str, Certification] = certify_many(
        population, rule_set=before_rules, volunteers=people, **common
    )
    after: dict[str, Certification] = certify_many(
        population, rule_set=after_rules, volunteers=people, **common
    )
    changes = tuple(
        LevelChange(
            volunteer_id=v,
            before=before[v].level,
            after=after[v].level,
            counted=after[v].counted,
        )
        for v in sorted(after)
        if v in before and before[v].level.rank != after[v].level.rank
    )
    old_version = before_rules.versions[0]
    new_version = after_rules.versions[0]
    return Recertification(
        rule_set_id=chosen.id,
        as_of=as_of,
        old_version=_start(chosen, old),
        new_version=_start(chosen, new),
        volunteers=len(after),
        changes=changes,
        rule_changes=diff_versions(old_version, new_version),
    )


def _start(rule_set: RuleSet, version: RuleSetVersion | _dt.date) -> str:
    if isinstance(version, _dt.date):
        return version.isoformat()
    return version.valid_from.isoformat()
