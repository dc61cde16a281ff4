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


@pytest.fixture
def kinds() -> Iterator[list[tuple[Any, Any, Any]]]:
    """The three stores, in memory and in SQLite."""
    database = SQLiteDatabase()
    yield [
        (InMemoryRecordStore(), InMemoryLedgerStore(), InMemoryTransferStore()),
        (SQLiteRecordStore(database), SQLiteLedgerStore(database), SQLiteTransferStore(database)),
    ]
    database.close()


def only_library_errors(call: Callable[..., object], *args: Any, **kwargs: Any) -> None:
    with contextlib.suppress(VolunteerRulesError):
        call(*args, **kwargs)


FUZZ = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
KINDS = list[tuple[Any, Any, Any]]


class TestAnyInput:
    @FUZZ
    @given(a=anything, b=anything, c=anything)
    def test_record_store(self, kinds: KINDS, a: Any, b: Any, c: Any) -> None:
        """RecordStore methods raise only VolunteerRulesError subclasses."""
        for records, _, _ in kinds:
            only_library_errors(records.add, a)
            only_library_errors(records.get, a, b)
            only_library_errors(records.find, volunteer_id=a, organization_id=b, region=c)
            only_library_errors(records.find, since=a, until=b)

    @FUZZ
    @given(a=anything, b=anything, c=anything)
    def test_ledger_store(self, kinds: KINDS, a: Any, b: Any, c: Any) -> None:
        """LedgerStore methods raise only VolunteerRulesError subclasses."""
        for _, ledger, _ in kinds:
            only_library_errors(ledger.append, a, expected_versions=b)
            only_library_errors(ledger.get_transfer, a)
            only_library_errors(ledger.postings, start=a)
            only_library_errors(ledger.entries, a, since=b, until=c)
            only_library_errors(ledger.version, a)
            only_library_errors(ledger.balance, a)

    @FUZZ
    @given(a=anything, b=anything, c=anything)
    def test_transfer_store(self, kinds: KINDS, a: Any, b: Any, c: Any) -> None:
        """TransferStore methods raise only VolunteerRulesError subclasses."""
        for _, _, transfers in kinds:
            only_library_errors(transfers.add_package, a, at=b)
            only_library_errors(transfers.get_package, a)
            only_library_errors(transfers.state, a)
            only_library_errors(transfers.history, a)
            only_library_errors(transfers.change_state, a, expected=b, new=c, at=a)
            only_library_errors(transfers.package_ids, state=a, volunteer_id=b)

    @FUZZ
    @given(a=anything, b=anything, c=anything)
    def test_services(self, kinds: KINDS, a: Any, b: Any, c: Any) -> None:
        """The services raise only VolunteerRulesError subclasses."""
        for records, ledger, transfers in kinds:
            only_library_errors(services.post_transfers, ledger, a, attempts=b)
            only_library_errors(services.load_ledger, ledger, ledger=a)
            only_library_errors(services.credit_records, ledger, a, now=b, policy=c)
            only_library_errors(services.run_operation, ledger, a, attempts=b)
            only_library_errors(services.redeem_hours, ledger, a, b, transfer_id=c, at=a, service=b)
            only_library_errors(
                services.accept_stored_transfer, transfers, records, a, at=b, as_of=c
            )
