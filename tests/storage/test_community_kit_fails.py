"""The community conformance kit can fail: broken stores fail the test written for their flaw."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest

from volunteer_rules.community import Organization
from volunteer_rules.records.region import RegionCode
from volunteer_rules.storage.community_memory import (
    InMemoryAttendanceStore,
    InMemoryOrganizationStore,
)
from volunteer_rules.testing.community_contracts import (
    AttendanceStoreContract,
    OrganizationStoreContract,
)


class ForgetsHistory(InMemoryOrganizationStore):
    def update(self, item: Organization, /, *, expected: Organization) -> bool:
        changed = super().update(item, expected=expected)
        held = self._versions[item.organization_id]
        del held[:-1]
        return changed


class EqualRegionOnly(InMemoryOrganizationStore):
    def find(self, *, region: RegionCode | None = None, parent_id: str | None = None) -> Any:
        return tuple(o for o in super().find(parent_id=parent_id) if region in (None, o.region))


class Overwrites(InMemoryOrganizationStore):
    def add(self, items: Iterable[Organization], /) -> int:
        items = list(items)
        for item in items:
            self._versions.pop(item.organization_id, None)
        return super().add(items)


class InsertionOrder(InMemoryAttendanceStore):
    def events(self, *, project_id: str | None = None, volunteer_id: str | None = None) -> Any:
        ordered = sorted(super().events(project_id=project_id, volunteer_id=volunteer_id),
                         key=lambda e: e.event_id)  # fmt: skip
        return tuple(ordered)


CASES: list[tuple[Any, Callable[[], Any], str]] = [
    (OrganizationStoreContract, ForgetsHistory, "test_update_keeps_history"),
    (OrganizationStoreContract, EqualRegionOnly, "test_find_by_region_is_containment"),
    (OrganizationStoreContract, Overwrites, "test_other_content_same_id_is_conflict"),
    (AttendanceStoreContract, InsertionOrder, "test_events_in_order"),
]


@pytest.mark.parametrize(("contract", "broken", "test"), CASES, ids=[c[2] for c in CASES])
def test_broken_store_fails(contract: Any, broken: Callable[[], Any], test: str) -> None:
    """Each broken store fails the contract test aimed at its flaw, and passes another."""
    with pytest.raises((AssertionError, pytest.fail.Exception)):
        getattr(contract(), test)(broken())
    contract().test_satisfies_the_protocol(broken())


def test_correct_stores_pass_the_same_tests() -> None:
    """The same calls on the reference stores pass (so the failures above are the flaws)."""
    for contract, _, test in CASES:
        store = (
            InMemoryAttendanceStore()
            if contract is AttendanceStoreContract
            else InMemoryOrganizationStore()
        )
        getattr(contract(), test)(store)
