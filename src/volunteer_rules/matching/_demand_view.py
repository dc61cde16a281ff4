"""The demand side of a match, computed once: who may take a slot, and why not.

:class:`DemandView` holds everything about a demand that does not depend on the candidate (the
slots' days, the age bounds, the skills and trainings asked for, the proximity of regions) and
judges one candidate against it (:meth:`DemandView.evaluate`): the reasons a candidate may not
take each slot, the slots left open, and how many required trainings they hold.
:func:`~volunteer_rules.matching.assignment.check_assignment` and
:func:`~volunteer_rules.matching.assignment.match` use it.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import Any, Final

import attrs

from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.matching.demand import Demand, TimeSlot
from volunteer_rules.matching.registration import (
    ADULT_AGE,
    Reason,
    RegistrationRules,
    cite,
    personal_reasons,
)
from volunteer_rules.records.profile import TrainingRecord, VolunteerProfile, age_on
from volunteer_rules.records.region import RegionCode

LEVEL_VALUE: Final = {"county": 3, "city": 2, "province": 1}
"""How far a ``reach`` goes: the region levels by depth."""


# --- the demand side, computed once --------------------------------------------------------


def _cutoff(day: _dt.date, years: int) -> _dt.date:
    """The latest birth date of someone ``years`` old or older on ``day``."""
    year = day.year - years
    if year < _dt.MINYEAR:
        return _dt.date.min
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February in a year without one
        return _dt.date(year, 2, 28)


class DemandView:
    """Everything about the demand that does not depend on the candidate."""

    def __init__(
        self,
        demand: Demand,
        rules: RegistrationRules,
        as_of: _dt.date,
        slots: tuple[TimeSlot, ...],
    ) -> None:
        self.demand = demand
        self.rules = rules
        self.as_of = as_of
        self.slots = slots
        self.category = demand.service_category
        self.skills = demand.required_skills
        self.trainings = tuple(sorted(demand.required_trainings))
        self.preferred = demand.preferred_skills
        self.minors_barred = (
            demand.minors_barred or demand.service_category in rules.minors_barred_categories
        )
        minimums = [m for m in (demand.minimum_age, rules.minimum_age) if m is not None]
        self.minimum_age = max(minimums) if minimums else None
        # A child's data is processed on the day of the decision: the condition applies when
        # its source is in force on as_of (as registration asks it on its own day).
        self.child_data = rules.asks_child_data_consent(as_of)
        # Anyone at least this old on the first slot's day meets every age condition there is
        # on every slot (slots only get later): the fast path skips the age checks.
        bounds = [ADULT_AGE, rules.child_data_age, *minimums]
        if rules.guardian_consent_below is not None:
            bounds.append(rules.guardian_consent_below)
        self.days = [slot.day for slot in slots]
        self.first_day = min(self.days)
        self.last_day = max(self.days)
        self.settled_cutoff = _cutoff(self.first_day, max(bounds))
        ancestry: dict[str, int] = {}
        for region in demand.region.ancestors():
            ancestry[region.code] = LEVEL_VALUE[region.level]
        self.ancestry = ancestry
        self.proximity_memo: dict[str, int] = {}

    def proximity(self, region: RegionCode) -> int:
        code = region.code
        found = self.proximity_memo.get(code)
        if found is None:
            found = 0
            for ancestor in region.ancestors():
                level = self.ancestry.get(ancestor.code)
                if level is not None:
                    found = level
                    break
            self.proximity_memo[code] = found
        return found

    def fits(self, profile: VolunteerProfile, age: int) -> bool:
        """Whether :meth:`personal_at` finds nothing at ``age``, without building reasons."""
        if self.minimum_age is not None and age < self.minimum_age:
            return False
        if self.minors_barred and age < ADULT_AGE:
            return False
        rules = self.rules
        consents = profile.consents
        if self.child_data and age < rules.child_data_age and "guardian_data" not in consents:
            return False
        below = rules.guardian_consent_below
        if below is None or age >= below or "guardian" in consents:
            return True
        if rules.accompaniment_suffices and self.demand.guardian_must_accompany:
            return True
        adult_from = rules.self_supporting_from
        return adult_from is not None and age >= adult_from and profile.self_supporting

    def personal(self, profile: VolunteerProfile, birth: _dt.date) -> list[Reason]:
        """Age and consent reasons, slot by slot, merged when every slot has the same."""
        if birth <= self.settled_cutoff:
            return []
        ages = [age_on(birth, day) if day >= birth else -1 for day in self.days]
        by_age: dict[int, list[Reason]] = {}
        for age, day in zip(ages, self.days, strict=True):
            if age not in by_age:
                by_age[age] = self.personal_at(profile, age, day)
        if len(by_age) == 1:
            return by_age[ages[0]]
        return merge_reasons([by_age[age] for age in ages], self.slots)

    def personal_at(self, profile: VolunteerProfile, age: int, day: _dt.date) -> list[Reason]:
        """Age and consent reasons for a volunteer ``age`` years old on ``day`` (-1: unborn)."""
        rules = self.rules
        if age < 0:
            return [Reason(code="below_minimum_age", message=f"not yet born on {day}")]
        found = [
            r
            for r in personal_reasons(
                profile,
                rules,
                age,
                accompanied=self.demand.guardian_must_accompany,
                child_data=self.child_data,
            )
            if r.code != "below_minimum_age"
        ]
        if self.minimum_age is not None and age < self.minimum_age:
            found.insert(
                0,
                Reason(
                    code="below_minimum_age",
                    message=f"aged {age} on {day}; the minimum is {self.minimum_age}",
                    source="[REG2017 Art 15] " + rules.source("CYL", "BJ-old"),
                ),
            )
        if self.minors_barred and age < ADULT_AGE:
            why = (
                "the demand bars minors"
                if self.demand.minors_barred
                else f"{rules.id} bars minors from {self.category}"
            )
            found.append(
                Reason(
                    code="minor_barred",
                    message=f"aged {age} on {day}; {why}",
                    source=" ".join(cite(r) for r in rules.references[:1]),
                )
            )
        return found

    def training(self, records: Iterable[TrainingRecord] | None) -> tuple[list[Reason], int]:
        """Training reasons and how many required categories are held.

        A category with no valid training on any slot's day is one reason for all slots;
        otherwise each slot without one has its own.
        """
        if not self.trainings:
            return [], 0
        held: dict[str, list[TrainingRecord]] = {}
        for record in records or ():
            day = getattr(record, "date", None)
            if isinstance(day, _dt.date) and day > self.as_of:
                continue  # not on record on as_of
            held.setdefault(record.category, []).append(record)
        general: list[Reason] = []
        per_slot: list[Reason] = []
        covered = 0
        for category in self.trainings:
            mine = held.get(category)
            if not mine:
                general.append(
                    Reason(
                        code="training_missing",
                        message=f"no {category} training on record",
                        source="[REG2017 Art 15]",
                    )
                )
                continue
            covered += 1
            closed = [s for s in self.slots if not any(t.is_valid_on(s.day) for t in mine)]
            if len(closed) == len(self.slots):
                general.append(
                    Reason(
                        code="training_expired",
                        message=f"no {category} training valid on the slots' days "
                        f"({self.first_day} to {self.last_day})",
                        source="[REG2017 Art 15]",
                    )
                )
                continue
            per_slot.extend(
                Reason(
                    code="training_expired",
                    message=f"no {category} training valid on {slot.day}",
                    source="[REG2017 Art 15]",
                    slot=slot.index,
                )
                for slot in closed
            )
        return general + per_slot, covered

    def clashes(self, held: Iterable[Any]) -> list[Reason]:
        """A clash on every slot is one reason; otherwise one reason per slot that clashes."""
        taken = [(a.start, a.end, getattr(a, "demand_id", "")) for a in held]
        if not taken:
            return []
        found: list[Reason] = []
        for slot in self.slots:
            for start, end, demand_id in taken:
                if start < slot.end and slot.start < end:
                    where = f" of {demand_id}" if demand_id else ""
                    found.append(
                        Reason(
                            code="schedule_clash",
                            message=f"{slot.start.isoformat()} overlaps an assignment{where} "
                            f"from {start.isoformat()} to {end.isoformat()}",
                            slot=slot.index,
                        )
                    )
                    break
        if len(found) == len(self.slots) and len(found) > 1:
            return [
                Reason(
                    code="schedule_clash",
                    message=f"every slot overlaps an assignment already held ({len(found)} slots)",
                )
            ]
        if len(found) == 1 and len(self.slots) == 1:
            return [attrs.evolve(found[0], slot=None)]
        return found

    def general(self, profile: VolunteerProfile) -> list[Reason]:
        reasons: list[Reason] = []
        chosen = profile.service_categories
        if chosen and self.category not in chosen:
            reasons.append(
                Reason(
                    code="category_not_chosen",
                    message=f"registered for {', '.join(sorted(chosen))}, not {self.category}",
                    source="[REG2017 Art 3] [MCA2020 Art 5]",
                )
            )
        missing = self.skills - profile.skills
        if missing:
            reasons.append(
                Reason(
                    code="skill_missing",
                    message=f"lacks {', '.join(sorted(missing))}",
                    source="[REG2017 Art 15]",
                )
            )
        return reasons

    def evaluate(
        self,
        profile: VolunteerProfile,
        trainings: Iterable[TrainingRecord] | None,
        held: Iterable[Any],
    ) -> tuple[list[Reason], tuple[int, ...], int]:
        """Every reason, the open slots and the trainings covered, for one volunteer."""
        reasons = self.general(profile)
        reasons += self.personal(profile, profile.birth_date)
        training_reasons, covered = self.training(trainings)
        reasons += training_reasons
        reasons += self.clashes(held)
        if any(r.slot is None for r in reasons):
            return reasons, (), covered
        closed = {r.slot for r in reasons}
        return reasons, tuple(s.index for s in self.slots if s.index not in closed), covered


def merge_reasons(by_slot: list[list[Reason]], slots: tuple[TimeSlot, ...]) -> list[Reason]:
    """A code found on every slot is one reason for all; otherwise one per slot."""
    if not by_slot:
        return []
    codes = [{r.code for r in found} for found in by_slot]
    everywhere = set.intersection(*codes) if len(slots) > 1 else codes[0]
    merged: list[Reason] = []
    done: set[str] = set()
    for found in by_slot:
        for reason in found:
            if reason.code in everywhere and reason.code not in done:
                done.add(reason.code)
                merged.append(reason)
    for slot, found in zip(slots, by_slot, strict=True):
        for reason in found:
            if reason.code not in everywhere:
                merged.append(attrs.evolve(reason, slot=slot.index))
    return merged


def select_slots(demand: Demand, slot: TimeSlot | int | None) -> tuple[TimeSlot, ...]:
    if slot is None:
        return demand.slots
    index = slot.index if isinstance(slot, TimeSlot) else slot
    if type(index) is not int:
        raise InvalidTypeError("slot", "must be a TimeSlot, a slot index or None")
    if not 0 <= index < len(demand.slots):
        raise InvalidValueError("slot", f"the demand has slots 0 to {len(demand.slots) - 1}")
    return (demand.slots[index],)
