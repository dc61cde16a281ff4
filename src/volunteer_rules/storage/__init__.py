"""Pluggable storage: protocols, in-memory, SQLite and PostgreSQL stores, and services on them.

See ``docs/storage.md``. The protocols (:mod:`~volunteer_rules.storage.protocols`) say what
a store guarantees; :mod:`~volunteer_rules.storage.memory` is the default and the reference
semantics; :mod:`~volunteer_rules.storage.sqlite` keeps everything in one SQLite file, and
:mod:`~volunteer_rules.storage.postgresql` in a PostgreSQL database (the ``postgresql``
extra); the conformance suite :mod:`volunteer_rules.testing.contracts` proves any
implementation right.

Example:
    >>> from volunteer_rules.storage import InMemoryRecordStore, RecordStore
    >>> isinstance(InMemoryRecordStore(), RecordStore)
    True

Importing a module of the wing (``volunteer_rules.storage.memory``) loads that module alone;
the first name asked of the wing itself loads them all (see ``volunteer_rules._first_use``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from volunteer_rules._first_use import names_on_first_use

if TYPE_CHECKING:  # for type checkers and the API reference; at run time, see __getattr__
    from volunteer_rules.storage.community_memory import (
        InMemoryAttendanceStore,
        InMemoryOrganizationStore,
        InMemoryPersonServedStore,
        InMemoryProjectStore,
        InMemoryStationStore,
    )
    from volunteer_rules.storage.community_protocols import (
        AttendanceStore,
        OrganizationStore,
        PersonServedStore,
        ProjectStore,
        StationStore,
    )
    from volunteer_rules.storage.community_sqlite import (
        SQLiteAttendanceStore,
        SQLiteOrganizationStore,
        SQLitePersonServedStore,
        SQLiteProjectStore,
        SQLiteStationStore,
    )
    from volunteer_rules.storage.memory import (
        InMemoryLedgerStore,
        InMemoryRecordStore,
        InMemoryTransferStore,
    )
    from volunteer_rules.storage.protocols import (
        INITIAL_PACKAGE_STATE,
        LedgerStore,
        PackageEvent,
        RecordStore,
        TransferStore,
    )
    from volunteer_rules.storage.sqlite import (
        SQLiteDatabase,
        SQLiteLedgerStore,
        SQLiteRecordStore,
        SQLiteTransferStore,
    )

__all__ = [
    "INITIAL_PACKAGE_STATE",
    "AttendanceStore",
    "InMemoryAttendanceStore",
    "InMemoryLedgerStore",
    "InMemoryOrganizationStore",
    "InMemoryPersonServedStore",
    "InMemoryProjectStore",
    "InMemoryRecordStore",
    "InMemoryStationStore",
    "InMemoryTransferStore",
    "LedgerStore",
    "OrganizationStore",
    "PackageEvent",
    "PersonServedStore",
    "ProjectStore",
    "RecordStore",
    "SQLiteAttendanceStore",
    "SQLiteDatabase",
    "SQLiteLedgerStore",
    "SQLiteOrganizationStore",
    "SQLitePersonServedStore",
    "SQLiteProjectStore",
    "SQLiteRecordStore",
    "SQLiteStationStore",
    "SQLiteTransferStore",
    "StationStore",
    "TransferStore",
]

#: The modules whose public names the wing re-exports, in the order they are searched.
_MODULES = (
    "community_memory",
    "community_protocols",
    "community_sqlite",
    "memory",
    "protocols",
    "sqlite",
)

if not TYPE_CHECKING:  # (so that a type checker still refuses a name the wing lacks)
    __getattr__, __dir__ = names_on_first_use(__name__, __all__, _MODULES)
