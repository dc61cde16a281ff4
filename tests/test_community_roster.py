"""A project's roster never holds one volunteer in two overlapping slots, nor too many in one."""

from __future__ import annotations

import datetime as dt
import itertools

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from volunteer_rules.community import Project, Roster, sign_up, withdraw
from volunteer_rules.matching.demand import Demand, Interval
from volunteer_rules.records.region import RegionCode
from volunteer_rules.testing.community_examples import sample_project
from volunteer_rules.testing.matching_examples import sample_profile

CST = dt.timezone(dt.timedelta(hours=8))
AT = dt.datetime(2024, 6, 1, 10, tzinfo=CST)


def at(hour: int) -> dt.datetime:
    return dt.datetime(2024, 6, 5, hour, tzinfo=CST)


def project(*hours: tuple[int, int], head_count: int = 1) -> Project:
    demand = Demand(
        demand_id="D-1",
        service_category="community_service",
        region=RegionCode.parse("211103"),
        schedule=tuple(Interval(start=at(a), end=at(b)) for a, b in hours),
        head_count=head_count,
        organization_id="512111005000000154",
    )
    return attrs.evolve(sample_project(), demand=demand)  # type: ignore[no-any-return]


# 09-11 and 10-12 overlap; 11-13 touches the first and overlaps the second
OVERLAPPING = project((9, 11), (10, 12), (11, 13))


def join(target: Project, roster: Roster, volunteer_id: str, slot: int) -> tuple[Roster, str]:
    roster, entry = sign_up(target, roster, sample_profile(volunteer_id=volunteer_id), slot=slot,
                            rules="cn-national", at=AT)  # fmt: skip
    return roster, entry.state


class TestOverlappingSlots:
    def test_a_sign_up_for_an_overlapping_slot_is_refused(self) -> None:
        """Confirmed for 09-11: 10-12 is refused (schedule_clash), 11-13 (touching) is not."""
        roster, first = join(OVERLAPPING, Roster(project_id=OVERLAPPING.project_id), "V1", 0)
        roster, entry = sign_up(OVERLAPPING, roster, sample_profile(volunteer_id="V1"), slot=1,
                                rules="cn-national", at=AT)  # fmt: skip
        roster, touching = join(OVERLAPPING, roster, "V1", 2)
        assert (first, entry.state, touching) == ("confirmed", "refused", "confirmed")
        assert [r.code for r in entry.reasons] == ["schedule_clash"]
        assert roster.confirmed(1) == ()

    def test_a_withdrawn_slot_no_longer_blocks(self) -> None:
        """After leaving 09-11, the volunteer may take 10-12."""
        roster, _ = join(OVERLAPPING, Roster(project_id=OVERLAPPING.project_id), "V1", 0)
        roster = withdraw(OVERLAPPING, roster, "V1", slot=0)
        roster, state = join(OVERLAPPING, roster, "V1", 1)
        assert state == "confirmed"

    def test_promotion_skips_a_volunteer_holding_an_overlapping_slot(self) -> None:
        """V1 waits for 09-11 while confirmed for 10-12: V2, next in line, takes the place."""
        roster = Roster(project_id=OVERLAPPING.project_id)
        roster, _ = join(OVERLAPPING, roster, "V0", 0)
        roster, waiting = join(OVERLAPPING, roster, "V1", 0)
        roster, taken = join(OVERLAPPING, roster, "V1", 1)
        roster, _ = join(OVERLAPPING, roster, "V2", 0)
        assert (waiting, taken) == ("waitlisted", "confirmed")
        roster = withdraw(OVERLAPPING, roster, "V0", slot=0)
        assert roster.confirmed(0) == ("V2",)
        assert roster.waitlisted(0) == ("V1",)
        assert roster.confirmed(1) == ("V1",)

    @settings(max_examples=60, deadline=None)
    @given(
        st.integers(1, 2),
        st.lists(
            st.tuples(st.booleans(), st.sampled_from(("V1", "V2", "V3")), st.integers(0, 2)),
            max_size=25,
        ),
    )
    def test_no_volunteer_in_two_overlapping_slots(
        self, head_count: int, steps: list[tuple[bool, str, int]]
    ) -> None:
        """Whatever the sign-ups and withdrawals: never two overlapping slots, never too many."""
        target = attrs.evolve(
            OVERLAPPING, demand=attrs.evolve(OVERLAPPING.demand, head_count=head_count)
        )
        roster = Roster(project_id=target.project_id)
        for joining, volunteer_id, slot in steps:
            if joining:
                roster, _ = join(target, roster, volunteer_id, slot)
            elif roster.state_of(volunteer_id, slot) in ("confirmed", "waitlisted"):
                roster = withdraw(target, roster, volunteer_id, slot=slot)
            slots = target.demand.slots
            for index in range(len(slots)):
                assert len(roster.confirmed(index)) <= head_count
            for a, b in itertools.combinations(slots, 2):
                if a.overlaps(b):
                    assert set(roster.confirmed(a.index)).isdisjoint(roster.confirmed(b.index))
