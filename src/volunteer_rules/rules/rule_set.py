"""Rule sets as versioned data: levels, thresholds, windows and conditions of a star scheme.

A :class:`RuleSet` is what a jurisdiction says about recognising volunteers by their hours
(星级认定 and its equivalents elsewhere). It holds no code: thresholds, windows and conditions
are data, checked when the rule set is built, so a rule set can also come from a JSON or TOML
file (:func:`rule_set_from_mapping`, :func:`dump_rule_set`).

What a version of a rule set can say:

- cumulative hour thresholds per level, inclusive at the boundary (300 h is two stars in the
  national scheme; 299 h 59 min is one);
- a counting window: ``lifetime``, ``rolling_12_months`` (the 12 months ending on ``as_of``:
  from the day after the same date a year before, inclusive) or ``calendar_year`` (1 January of
  ``as_of``'s year to ``as_of``);
- per level: a minimum tenure in months since the first counted service (inclusive: exactly
  six months is enough), whether the level requires the level below to have been awarded
  (levels taken in sequence), attested qualitative conditions supplied by the caller, and
  whether the level is awarded once only;
- a minimum evaluation rating for a record to count;
- age bands (the volunteer's age on ``as_of`` chooses the thresholds);
- a group award (each member must reach a minimum; the group's total chooses the level);
- a cycle (a prize every so many hours);
- a certificate validity in months, and whether hours may be counted again on renewal;
- both ends of a version: ``valid_from`` and an optional ``valid_until`` (inclusive). A scheme
  whose last version ends is retired (:attr:`RuleSet.retired_after`); on a day no version
  covers, :meth:`RuleSet.status_on` says why (not yet in force, between versions, retired) and
  certification returns that as its outcome instead of a level;
- per level, quality conditions (:class:`QualityRule`): a minimum average or per-record
  evaluation rating, a minimum number of evaluated records, no sanction in a period; and
  attested conditions (:class:`Attestation`: what, who attested, when);
- per version, where tenure starts (the first counted record, or the volunteer's
  registration) and, per level, whether the service must be continuous.

The sources of the built-in rule sets are listed in ``docs/sources.md``.

The names live in :mod:`~volunteer_rules.rules.level` (a level and its conditions),
:mod:`~volunteer_rules.rules.scheme` (the rule set, its versions and status) and
:mod:`~volunteer_rules.rules.rule_set_mapping` (the mapping form); this module re-exports them.

Example:
    >>> from datetime import date
    >>> from volunteer_rules.rules.rule_set import Level, RuleSet, RuleSetVersion
    >>> from volunteer_rules import Hours
    >>> rs = RuleSet(
    ...     id="xx-demo", name="Demo", name_zh="示例", references=(),
    ...     versions=(RuleSetVersion(valid_from=date(2020, 1, 1), levels=(
    ...         Level(rank=1, name="bronze", label="铜", hours=Hours.from_hours(10)),
    ...         Level(rank=2, name="silver", label="银", hours=Hours.from_hours(20)),
    ...     )),),
    ... )
    >>> rs.version_on(date(2024, 1, 1)).levels[1].name
    'silver'
"""

from __future__ import annotations

from volunteer_rules.rules.level import (
    NO_LEVEL,
    AgeBand,
    Attestation,
    GroupRule,
    Level,
    QualityRule,
    Sanction,
)
from volunteer_rules.rules.rule_set_mapping import dump_rule_set, rule_set_from_mapping
from volunteer_rules.rules.scheme import (
    RATING_SCORES,
    SCHEME_STATES,
    TENURE_STARTS,
    WINDOWS,
    Award,
    Reference,
    RuleSet,
    RuleSetVersion,
    SchemeStatus,
    Volunteer,
    add_months,
    age_on,
    window_start,
)

__all__ = [
    "NO_LEVEL",
    "RATING_SCORES",
    "SCHEME_STATES",
    "TENURE_STARTS",
    "WINDOWS",
    "AgeBand",
    "Attestation",
    "Award",
    "GroupRule",
    "Level",
    "QualityRule",
    "Reference",
    "RuleSet",
    "RuleSetVersion",
    "Sanction",
    "SchemeStatus",
    "Volunteer",
    "add_months",
    "age_on",
    "dump_rule_set",
    "rule_set_from_mapping",
    "window_start",
]
