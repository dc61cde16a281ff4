"""What a match gives: the slots assigned, the ranking and its scores, the matches table.

:func:`~volunteer_rules.matching.assignment.match` returns a :class:`MatchResult`: the
:class:`Assignment` of every slot given, the places left unfilled, and, built when first read,
the eligible candidates ranked by :class:`Score` (:class:`RankedCandidate`, with the sentences
behind each score) and the ineligible with their reasons. ``to_rows()`` and the other table
forms give every candidate as one row of :data:`MATCH_COLUMNS`.
:mod:`volunteer_rules.matching.assignment` re-exports every public name here.

Example:
    >>> Score(covered=1, proximity=3, history_minutes=0, star_rank=0).proximity
    3
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any, ClassVar, Final

import attrs

from volunteer_rules._frames import AsData, Column
from volunteer_rules._privacy import masked_repr
from volunteer_rules.matching._demand_view import DemandView
from volunteer_rules.matching.demand import Interval, TimeSlot
from volunteer_rules.matching.registration import Reason
from volunteer_rules.records.profile import TrainingRecord, VolunteerProfile

__all__ = ["MATCH_COLUMNS", "Assignment", "MatchResult", "RankedCandidate", "Score"]


@masked_repr
@attrs.frozen(kw_only=True)
class Assignment:
    """A volunteer holding one slot of a demand (or any other time they are taken).

    Attributes:
        volunteer_id: who.
        start: aware start.
        end: aware end (half-open).
        demand_id: the demand, or ``""`` for time taken elsewhere.
        slot: the slot index in the demand, or ``None``.

    Example:
        >>> from datetime import datetime, timezone
        >>> Assignment(volunteer_id="V1", start=datetime(2024, 1, 1, 8, tzinfo=timezone.utc),
        ...            end=datetime(2024, 1, 1, 9, tzinfo=timezone.utc)).demand_id
        ''
    """

    volunteer_id: str
    start: _dt.datetime
    end: _dt.datetime
    demand_id: str = ""
    slot: int | None = None

    def __attrs_post_init__(self) -> None:
        Interval(start=self.start, end=self.end)  # validates: aware, end after start


@attrs.frozen(kw_only=True, order=True)
class Score:
    """Why a candidate ranks where they do; compared field by field, larger is better.

    Attributes:
        covered: required and preferred skills and required trainings held.
        proximity: 3 same county, 2 same city, 1 same province, 0 elsewhere.
        history_minutes: counted minutes of service in the demand's category.
        star_rank: star level rank (0 for none or unknown).

    Example:
        >>> Score(covered=2, proximity=3, history_minutes=0, star_rank=0) > Score(
        ...     covered=2, proximity=2, history_minutes=600, star_rank=5)
        True
    """

    covered: int
    proximity: int
    history_minutes: int
    star_rank: int


_PROXIMITY_TEXT: Final = {
    3: "lives in the same county",
    2: "lives in the same city",
    1: "lives in the same province",
    0: "lives outside the province",
}


@masked_repr
@attrs.frozen(kw_only=True)
class RankedCandidate:
    """An eligible candidate: rank, score, the reasons behind it, and the slots given.

    Attributes:
        rank: 1 for the best.
        volunteer_id: who.
        score: the :class:`Score`.
        explanation: sentences behind the score, in its order.
        open_slots: slots the candidate may take.
        assigned_slots: slots the match gave the candidate.
        blocked: reasons some slots are closed to the candidate (each with ``slot`` set).

    Example:
        >>> c = RankedCandidate(rank=1, volunteer_id="V1",
        ...                     score=Score(covered=0, proximity=3, history_minutes=0,
        ...                                 star_rank=0),
        ...                     explanation=("lives in the same county",), open_slots=(0,),
        ...                     assigned_slots=(0,), blocked=())
        >>> c.rank, c.assigned_slots
        (1, (0,))
    """

    rank: int
    volunteer_id: str
    score: Score
    explanation: tuple[str, ...]
    open_slots: tuple[int, ...]
    assigned_slots: tuple[int, ...]
    blocked: tuple[Reason, ...]


MATCH_COLUMNS: Final[tuple[Column, ...]] = (
    ("demand_id", "string", False),
    ("volunteer_id", "string", False),
    ("eligible", "bool", False),
    ("rank", "int32", True),
    ("covered", "int32", True),
    ("proximity", "int32", True),
    ("history_minutes", "int64", True),
    ("star_rank", "int32", True),
    ("open_slots", "list<int32>", False),
    ("assigned_slots", "list<int32>", False),
    ("reasons", "list<struct<code: string, slot: int32?, message: string>>", False),
)
"""The matches table of :class:`MatchResult`: one row per candidate, the eligible by rank
(score, slots; ``reasons`` the slots closed to them), then the ineligible by volunteer id
(``rank`` and the score null; ``reasons`` why not)."""


@masked_repr
@attrs.frozen(kw_only=True)
class MatchResult(AsData):
    """What :func:`match` found: the ranking, the assignments, the unfilled places, who not.

    ``to_rows()``, ``to_arrow()``, ``to_polars()`` and ``to_pandas()`` give every candidate
    as a table (:data:`MATCH_COLUMNS`).

    :attr:`ranked` and :attr:`ineligible` are built on first access (a city's candidates are
    many; most callers want the assignments), and then kept.

    Attributes:
        demand_id: the demand.
        rule_set_id: the registration rule set applied.
        as_of: the day of the match.
        assignments: the slots given, by slot then rank.
        unfilled: ``(slot index, places left)`` for every slot not filled.

    Example:
        >>> from datetime import date
        >>> from volunteer_rules.matching.assignment import match
        >>> from volunteer_rules.matching.demand import parse_demand
        >>> from volunteer_rules.testing.matching_examples import SAMPLE_DEMAND_PAYLOAD
        >>> result = match(parse_demand(SAMPLE_DEMAND_PAYLOAD), [], rules="cn-national",
        ...                as_of=date(2024, 5, 1))
        >>> result.ranked, result.ineligible, len(result.unfilled)
        ((), (), 10)
    """

    demand_id: str
    rule_set_id: str
    as_of: _dt.date
    assignments: tuple[Assignment, ...]
    unfilled: tuple[tuple[int, int], ...]
    _state: _MatchState = attrs.field(alias="state", repr=False, eq=False)
    columns: ClassVar[Sequence[Column]] = MATCH_COLUMNS

    def to_rows(self) -> list[dict[str, Any]]:
        """One plain row per candidate (:data:`MATCH_COLUMNS`): the eligible, then the others.

        Example:
            >>> from datetime import date
            >>> from volunteer_rules.matching.assignment import match
            >>> from volunteer_rules.matching.demand import parse_demand
            >>> from volunteer_rules.testing.matching_examples import (
            ...     SAMPLE_DEMAND_PAYLOAD, sample_profile)
            >>> result = match(parse_demand(SAMPLE_DEMAND_PAYLOAD),
            ...                [sample_profile(skills=("first_aid",))], rules="cn-national",
            ...                as_of=date(2024, 5, 1))
            >>> row = result.to_rows()[0]
            >>> row["volunteer_id"], row["eligible"], row["rank"], row["proximity"]
            ('V1', True, 1, 3)
        """

        def reasons(given: tuple[Reason, ...]) -> list[dict[str, Any]]:
            return [{"code": r.code, "slot": r.slot, "message": r.message} for r in given]

        rows: list[dict[str, Any]] = [
            {
                "demand_id": self.demand_id,
                "volunteer_id": c.volunteer_id,
                "eligible": True,
                "rank": c.rank,
                "covered": c.score.covered,
                "proximity": c.score.proximity,
                "history_minutes": c.score.history_minutes,
                "star_rank": c.score.star_rank,
                "open_slots": list(c.open_slots),
                "assigned_slots": list(c.assigned_slots),
                "reasons": reasons(c.blocked),
            }
            for c in self.ranked
        ]
        rows.extend(
            {
                "demand_id": self.demand_id,
                "volunteer_id": volunteer_id,
                "eligible": False,
                "rank": None,
                "covered": None,
                "proximity": None,
                "history_minutes": None,
                "star_rank": None,
                "open_slots": [],
                "assigned_slots": [],
                "reasons": reasons(why),
            }
            for volunteer_id, why in self.ineligible
        )
        return rows

    @cached_property
    def ranked(self) -> tuple[RankedCandidate, ...]:
        """Eligible candidates (open on at least one slot), best first.

        Example:
            >>> from datetime import date
            >>> from volunteer_rules.matching.assignment import match
            >>> from volunteer_rules.matching.demand import parse_demand
            >>> from volunteer_rules.testing.matching_examples import (
            ...     SAMPLE_DEMAND_PAYLOAD, sample_profile)
            >>> result = match(parse_demand(SAMPLE_DEMAND_PAYLOAD),
            ...                [sample_profile(skills=("first_aid",))], rules="cn-national",
            ...                as_of=date(2024, 5, 1))
            >>> top = result.ranked[0]
            >>> top.rank, top.score.proximity, top.assigned_slots[:3], top.explanation[1]
            (1, 3, (0, 1, 2), 'lives in the same county as 大洼区')
        """
        return self._state.ranked()

    @cached_property
    def ineligible(self) -> tuple[tuple[str, tuple[Reason, ...]], ...]:
        """``(volunteer_id, reasons)`` for every ineligible candidate, by volunteer id.

        A candidate outside the demand's category or region is listed with that reason alone
        (it is rejected before the other checks); every other one with all its reasons, as
        :func:`check_assignment` gives them.

        Example:
            >>> from datetime import date
            >>> from volunteer_rules.matching.assignment import match
            >>> from volunteer_rules.matching.demand import parse_demand
            >>> from volunteer_rules.testing.matching_examples import (
            ...     SAMPLE_DEMAND_PAYLOAD, sample_profile)
            >>> result = match(parse_demand(SAMPLE_DEMAND_PAYLOAD), [sample_profile()],
            ...                rules="cn-national", as_of=date(2024, 5, 1))
            >>> [(v, [r.code for r in reasons]) for v, reasons in result.ineligible]
            [('V1', ['skill_missing'])]
        """
        return self._state.ineligible()


class _MatchState:
    """What a match keeps to build its ranking and its list of ineligible on demand."""

    def __init__(
        self,
        view: DemandView,
        profiles: list[VolunteerProfile],
        prefix: list[_Key],
        heap: list[_Key],
        slow: dict[str, tuple[tuple[int, ...], tuple[Reason, ...]]],
        given: dict[str, list[TimeSlot]],
        cheap: tuple[tuple[Reason, ...], tuple[Reason, ...], int],
        training_by: Mapping[str, list[TrainingRecord]],
        held_by: Mapping[str, list[Assignment]],
    ) -> None:
        self.view = view
        self.profiles = profiles
        self.prefix = prefix
        self.heap = heap
        self.slow = slow
        self.given = given
        self.cheap = cheap
        self.training_by = training_by
        self.held_by = held_by

    def order(self) -> list[_Key]:
        return self.prefix + sorted(self.heap)

    def ranked(self) -> tuple[RankedCandidate, ...]:
        view = self.view
        all_slots = tuple(s.index for s in view.slots)
        out: list[RankedCandidate] = []
        for rank, key in enumerate(self.order(), start=1):
            score = Score(
                covered=-key[0], proximity=-key[1], history_minutes=-key[2], star_rank=-key[3]
            )
            open_slots, blocked = self.slow.get(key[4], (all_slots, ()))
            out.append(
                RankedCandidate(
                    rank=rank,
                    volunteer_id=key[4],
                    score=score,
                    explanation=_explain(score, view),
                    open_slots=open_slots,
                    assigned_slots=tuple(s.index for s in self.given.get(key[4], ())),
                    blocked=blocked,
                )
            )
        return tuple(out)

    def ineligible(self) -> tuple[tuple[str, tuple[Reason, ...]], ...]:
        view = self.view
        eligible = {key[4] for key in self.prefix}
        eligible.update(key[4] for key in self.heap)
        not_chosen, outside, need_reach = self.cheap
        category = view.category
        out: list[tuple[str, tuple[Reason, ...]]] = []
        for profile in self.profiles:
            volunteer_id = profile.volunteer_id
            if volunteer_id in eligible:
                continue
            chosen = profile.service_categories
            region = profile.residence_region
            if chosen and category not in chosen:
                out.append((volunteer_id, not_chosen))
            elif (0 if region is None else view.proximity(region)) < need_reach:
                out.append((volunteer_id, outside))
            else:
                reasons, _, _ = view.evaluate(
                    profile,
                    self.training_by.get(volunteer_id),
                    self.held_by.get(volunteer_id, ()),
                )
                out.append((volunteer_id, tuple(reasons)))
        out.sort(key=_first)
        return tuple(out)


def _first(item: tuple[str, Any]) -> str:
    return item[0]


_Key = tuple[int, int, int, int, str]
"""A candidate's sort key: the negated score fields, then the volunteer id."""


def _explain(score: Score, view: DemandView) -> tuple[str, ...]:
    demand = view.demand
    wanted = (
        len(demand.required_skills) + len(demand.required_trainings) + len(demand.preferred_skills)
    )
    lines = [
        f"covers {score.covered} of {wanted} skills and trainings",
        f"{_PROXIMITY_TEXT[score.proximity]} as {demand.region.name}",
    ]
    if score.history_minutes:
        hours, minutes = divmod(score.history_minutes, 60)
        lines.append(f"{hours} h {minutes} min of {view.category} service")
    if score.star_rank:
        lines.append(f"{score.star_rank} star level")
    return tuple(lines)
