"""Whatever the arguments, a store raises only the library's errors."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from volunteer_rules.errors import VolunteerRulesError
from volunteer_rules.storage import (
    InMemoryLedgerStore,
    InMemoryRecordStore,
    InMemoryTransferStore,
    SQLiteDatabase,
    SQLiteLedgerStore,
    SQLiteRecordStore,
    SQLiteTransferStore,
    services,
)

anything = st.one_of(
    st.from_type(object),
    st.none(),
    st.text(max_size=5),
    st.integers(),
    st.lists(st.from_type(object), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=3),
)


@pytest.fixture(params=["memory", "sqlite"])
def stores(request: pytest.FixtureRequest) -> Iterator[tuple[Any, Any, Any]]:
    if request.param == "memory":
        yield InMemoryRecordStore(), InMemoryLedgerStore(), InMemoryTransferStore()
        return
    database = SQLiteDatabase()
    yield (
        SQLiteRecordStore(database),
        SQLiteLedgerStore(database),
        SQLiteTransferStore(database),
    )
    database.close()


def only_library_errors(call: Callable[[], object]) -> None:
    with contextlib.suppress(VolunteerRulesError):
        call()


FUZZ = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)


class TestAnyInput:
    @FUZZ
    @given(a=anything, b=anything, c=anything)
    def test_record_store(self, stores: tuple[Any, Any, Any], a: Any, b: Any, c: Any) -> None:
        """RecordStore methods raise only VolunteerRulesError subclasses."""
        records = stores[0]
        only_library_errors(lambda: records.add(a))
        only_library_errors(lambda: records.get(a, b))
        only_library_errors(lambda: records.find(volunteer_id=a, organization_id=b, region=c))
        only_library_errors(lambda: records.find(since=a, until=b))

    @FUZZ
    @given(a=anything, b=anything, c=anything)
    def test_ledger_store(self, stores: tuple[Any, Any, Any], a: Any, b: Any, c: Any) -> None:
        """LedgerStore methods raise only VolunteerRulesError subclasses."""
        ledger = stores[1]
        only_library_errors(lambda: ledger.append(a, expected_versions=b))
        only_library_errors(lambda: ledger.get_transfer(a))
        only_library_errors(lambda: ledger.postings(start=a))
        only_library_errors(lambda: ledger.entries(a, since=b, until=c))
        only_library_errors(lambda: ledger.version(a))
        only_library_errors(lambda: ledger.balance(a))

    @FUZZ
    @given(a=anything, b=anything, c=anything)
    def test_transfer_store(self, stores: tuple[Any, Any, Any], a: Any, b: Any, c: Any) -> None:
        """TransferStore methods raise only VolunteerRulesError subclasses."""
        transfers = stores[2]
        only_library_errors(lambda: transfers.add_package(a, at=b))
        only_library_errors(lambda: transfers.get_package(a))
        only_library_errors(lambda: transfers.state(a))
        only_library_errors(lambda: transfers.history(a))
        only_library_errors(lambda: transfers.change_state(a, expected=b, new=c, at=a))
        only_library_errors(lambda: transfers.package_ids(state=a, volunteer_id=b))

    @FUZZ
    @given(a=anything, b=anything, c=anything)
    def test_services(self, stores: tuple[Any, Any, Any], a: Any, b: Any, c: Any) -> None:
        """The services raise only VolunteerRulesError subclasses."""
        records, ledger, transfers = stores
        only_library_errors(lambda: services.post_transfers(ledger, a, attempts=b))
        only_library_errors(lambda: services.load_ledger(ledger, ledger=a))
        only_library_errors(lambda: services.credit_records(ledger, a, now=b, policy=c))
        only_library_errors(lambda: services.run_operation(ledger, a, attempts=b))
        only_library_errors(
            lambda: services.redeem_hours(ledger, a, b, transfer_id=c, at=a, service=b)
        )
        only_library_errors(
            lambda: services.accept_stored_transfer(transfers, records, a, at=b, as_of=c)
        )
