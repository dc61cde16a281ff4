"""What certifying finds: one volunteer's :class:`Certification`, or a :class:`GroupCertification`.

A certification says the level reached and why: the hours counted, the next level and its
shortfall, the conditions met and missed, every record not counted with its reason
(:data:`REASON_TEXTS`), and the outcome on a day no version is in force.
:mod:`volunteer_rules.rules.certification` computes them and re-exports these names.

Example:
    >>> from datetime import date
    >>> from volunteer_rules.rules.certification import certify
    >>> from volunteer_rules.rules.certification_result import Certification
    >>> isinstance(certify([], rule_set="cn-national", as_of=date(2024, 1, 1)), Certification)
    True
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Final

import attrs

from volunteer_rules._privacy import mask_personal_data, masked_repr
from volunteer_rules.hours import Hours
from volunteer_rules.rules.rule_set import Level

__all__ = ["REASON_TEXTS", "Certification", "GroupCertification"]


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
            Where hours may not be reused on renewal it is the day after the last award, so
            the day after ``as_of`` when the award was made on ``as_of`` (nothing counts yet).
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

        ID numbers, mobile numbers and e-mail addresses in it (in a record id, a sanction's
        reason) are masked, as in the ``repr``.

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
        if self.window_start is None:
            span = f"over a lifetime up to {self.as_of.isoformat()}"
        elif self.window_start > self.as_of:  # restarted the day after an award on as_of
            span = f"(the counting window opens on {self.window_start.isoformat()}, after this day)"
        else:
            span = f"from {self.window_start.isoformat()} to {self.as_of.isoformat()}"
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
        if self.next_level is not None and not self.shortfall:
            # The hours are there (the threshold may be an age band's, not the level's own).
            lines.append(
                f"Next level: {self.next_level.name} ({self.next_level.label}): enough hours,"
                " not yet every condition."
            )
        elif self.next_level is not None:
            lines.append(
                f"Next level: {self.next_level.name} ({self.next_level.label}) at"
                f" {self.shortfall + self.counted}; {self.shortfall} short."
            )
        for condition in self.unmet:
            lines.append(f"Also needed: {condition}.")
        for condition in self.met:
            lines.append(f"Met: {condition}.")
        for record_id, reason in self.excluded:
            lines.append(f"Not counted: {record_id}: {reason} ({REASON_TEXTS[reason]}).")
        # Record ids, sanction reasons and conditions are text a person typed: masked, as in repr.
        return mask_personal_data("\n".join(lines))


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
        >>> from volunteer_rules.rules.certification import certify_group
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
