"""The transfer-package store in PostgreSQL: packages and their lifecycle events.

Needs the ``postgresql`` extra (psycopg 3). :mod:`volunteer_rules.storage.postgresql`
re-exports :class:`PostgreSQLTransferStore`.

Example:
    >>> from volunteer_rules.storage.postgresql_transfers import PostgreSQLTransferStore
    >>> PostgreSQLTransferStore.__name__
    'PostgreSQLTransferStore'
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from typing import Any, TypeVar

from volunteer_rules.storage import _common
from volunteer_rules.storage._seals import (
    _check_sealed,
    _not_found,
    _reseal,
)
from volunteer_rules.storage._sqlite_rows import (
    _PACKAGE_SELECT,
    _insert_row,
    _parse_package,
    _read_history,
    _verify,
)
from volunteer_rules.storage.postgresql_database import (
    PostgreSQLDatabase,
    _database,
    _library_errors,
)
from volunteer_rules.storage.protocols import INITIAL_PACKAGE_STATE, PackageEvent
from volunteer_rules.storage.sqlite_schema import _tuple_checksum
from volunteer_rules.transfer.package import TransferPackage

__all__ = ["PostgreSQLTransferStore"]

_T = TypeVar("_T")
_STATE = 3
_PAYLOAD = 5
"""The positions of the state and the payload in a package row."""


class PostgreSQLTransferStore:
    """A :class:`~volunteer_rules.storage.TransferStore` in PostgreSQL.

    Args:
        database: a :class:`PostgreSQLDatabase`, or a connection string to open one.

    Example:
        >>> PostgreSQLTransferStore("host=/nonexistent/socket connect_timeout=1")
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.StorageError: the PostgreSQL database: connecting: ...
    """

    def __init__(self, database: PostgreSQLDatabase | str) -> None:
        self.database = _database(database)

    def add_package(self, package: TransferPackage, /, *, at: _dt.datetime) -> bool:
        """Store a package in the state ``initiated``; return whether it was new."""
        package = _common.check_package(package)
        at = _common.check_aware("at", at)
        payload = _common.package_payload(package)
        package_id = package.digest

        def write() -> bool:
            with self.database.transaction("adding a transfer package") as cursor:
                cursor.execute(f"{_PACKAGE_SELECT} WHERE package_id = %s FOR UPDATE", (package_id,))
                rows = cursor.fetchall()
                if rows:
                    if _verify("packages", rows)[0][_PAYLOAD] != payload:
                        raise _common.package_conflict(package_id)
                    return False
                cursor.execute("SELECT nextval('package_order')")
                (order,) = cursor.fetchone() or (0,)
                values = (
                    package_id,
                    order,
                    package.volunteer_id,
                    INITIAL_PACKAGE_STATE,
                    1,
                    payload,
                )
                _insert_row(cursor, "%s", "packages", values)
                event = (package_id, 1, INITIAL_PACKAGE_STATE, at.isoformat(), "")
                _insert_row(cursor, "%s", "package_events", event)
            return True

        return bool(_library_errors("adding a transfer package", write))

    def _read(self, package_id: str, column: int, doing: str, convert: Callable[[Any], _T]) -> _T:
        """One column of the package's verified row, converted; ``NotFoundError`` for none."""
        _common.check_text("package_id", package_id)

        def read() -> _T:
            with self.database.reading(doing) as cursor:
                cursor.execute(f"{_PACKAGE_SELECT} WHERE package_id = %s", (package_id,))
                rows = cursor.fetchall()
                if not rows:  # not found, unless the table lost rows behind the library's back
                    error = _common.package_not_found(package_id)
                    raise _not_found(cursor, "%s", "packages", error)
            return convert(_verify("packages", rows)[0][column])

        result: _T = _library_errors(doing, read)
        return result

    def get_package(self, package_id: str, /) -> TransferPackage:
        """Return the package stored under an id, or raise ``NotFoundError``."""
        return self._read(package_id, _PAYLOAD, "reading a transfer package", _parse_package)

    def state(self, package_id: str, /) -> str:
        """Return the package's current state."""
        return self._read(package_id, _STATE, "reading a package state", str)

    def change_state(
        self,
        package_id: str,
        /,
        *,
        expected: str,
        new: str,
        at: _dt.datetime,
        reason: str = "",
    ) -> PackageEvent:
        """Compare-and-set the package's state (``SELECT ... FOR UPDATE``); the new event."""
        _common.check_text("package_id", package_id)
        expected, new, at, reason = _common.check_change(expected, new, at, reason)

        def write() -> int:
            with self.database.transaction("changing a package state") as cursor:
                cursor.execute(f"{_PACKAGE_SELECT} WHERE package_id = %s FOR UPDATE", (package_id,))
                rows = cursor.fetchall()
                if not rows:  # not found, unless the table lost rows behind the library's back
                    error = _common.package_not_found(package_id)
                    raise _not_found(cursor, "%s", "packages", error)
                # verified first: a new checksum over damaged columns would hide the damage
                row = _verify("packages", rows)[0]
                _, stored_order, volunteer_id, current, count, payload, stored_checksum = row
                if current != expected:
                    raise _common.state_conflict(package_id, expected, current)
                sequence = int(count) + 1
                changed = (package_id, stored_order, volunteer_id, new, sequence, payload)
                checksum = _tuple_checksum(changed)
                cursor.execute(
                    "UPDATE packages SET state = %s, event_count = %s, checksum = %s"
                    " WHERE package_id = %s",
                    (new, sequence, checksum, package_id),
                )
                _reseal(cursor, "%s", "packages", [checksum], [stored_checksum])
                event = (package_id, sequence, new, at.isoformat(), reason)
                _insert_row(cursor, "%s", "package_events", event)
            return sequence

        sequence = int(_library_errors("changing a package state", write))
        return PackageEvent(
            package_id=package_id, sequence=sequence, state=new, at=at, reason=reason
        )

    def history(self, package_id: str, /) -> tuple[PackageEvent, ...]:
        """Return the package's events, oldest first."""
        _common.check_text("package_id", package_id)

        def read() -> tuple[PackageEvent, ...]:
            with self.database.reading("reading a package history") as cursor:
                return _read_history(cursor, "%s", package_id)

        result: tuple[PackageEvent, ...] = _library_errors("reading a package history", read)
        return result

    def package_ids(
        self, *, state: str | None = None, volunteer_id: str | None = None
    ) -> tuple[str, ...]:
        """Return stored package ids in storing order, filtered by state and volunteer."""
        where, parameters = _common.package_filter("%s", state=state, volunteer_id=volunteer_id)

        def read() -> tuple[str, ...]:
            with self.database.reading("listing transfer packages") as cursor:
                cursor.execute(f"{_PACKAGE_SELECT}{where} ORDER BY stored_order", parameters)
                rows = _verify("packages", cursor.fetchall())
                if not where:  # the whole table: checked against its seal too
                    _check_sealed(cursor, "%s", "packages", rows)
                return tuple(str(row[0]) for row in rows)

        result: tuple[str, ...] = _library_errors("listing transfer packages", read)
        return result
