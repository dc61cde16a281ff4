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
"""

from __future__ import annotations

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
