"""Conformance suites for the storage protocols: pytest classes an implementation inherits.

Any store (ours, or an integrator's PostgreSQL one) proves it keeps the protocol's promises
by subclassing the matching contract class and providing a ``make_store`` fixture that
returns a *factory*: a zero-argument callable that returns a fresh, empty store each time it
is called (Hypothesis tests call it once per example)::

    import pytest
    from volunteer_rules.testing.contracts import RecordStoreContract

    class TestMyRecordStore(RecordStoreContract):
        @pytest.fixture
        def make_store(self):
            return lambda: MyRecordStore(connect_to_a_fresh_schema())

Every contract class checks the shared rules of :mod:`volunteer_rules.storage.protocols`
(idempotent ids, atomic batches, conflicts, ordering, half-open periods, errors) and ends with
a Hypothesis state machine that drives the store and the in-memory reference store with the
same random operations and compares every answer. Needs the ``testing`` extra (pytest and
Hypothesis). This is the pattern of ``eventsourcing``'s recorder test cases, written as plain
pytest classes.

Each suite is written in a module of its own (records, ledgers, transfers, and what they share)
and re-exported here: import them from this module.

Example:
    >>> from volunteer_rules.testing.contracts import RecordStoreContract
    >>> [name for name in dir(RecordStoreContract) if name.startswith("test_")][:2]
    ['test_a_bad_item_late_in_a_batch_writes_nothing', 'test_a_database_of_another_application_is_refused']
"""

from __future__ import annotations

from volunteer_rules.testing._ledger_store_contract import LedgerStoreContract
from volunteer_rules.testing._record_store_contract import RecordStoreContract, make_record
from volunteer_rules.testing._transfer_store_contract import TransferStoreContract, make_package

__all__ = [
    "LedgerStoreContract",
    "RecordStoreContract",
    "TransferStoreContract",
    "make_package",
    "make_record",
]
