"""The transfer-package store in a SQLite file: packages and their lifecycle events.

:mod:`volunteer_rules.storage.sqlite` re-exports :class:`SQLiteTransferStore`.

Example:
    >>> from volunteer_rules.storage.sqlite_transfers import SQLiteTransferStore
    >>> SQLiteTransferStore(":memory:").package_ids()
    ()
"""

from __future__ import annotations

import datetime as _dt
import os
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
from volunteer_rules.storage.protocols import INITIAL_PACKAGE_STATE, PackageEvent
from volunteer_rules.storage.sqlite_database import SQLiteDatabase, _database, _reads_stored_data
from volunteer_rules.storage.sqlite_schema import row_checksum
from volunteer_rules.transfer.package import TransferPackage

__all__ = ["SQLiteTransferStore"]

_T = TypeVar("_T")
_STATE = 3
_PAYLOAD = 5
"""The positions of the state and the payload in a package row."""


class SQLiteTransferStore:
    """A :class:`~volunteer_rules.storage.TransferStore` in a SQLite file.

    Packages are stored as the canonical JSON of their wire form
    (``dump_transfer_package``); the current state is kept next to the package for the
    compare-and-set and is always the state of the last event.

    Args:
        database: an open :class:`SQLiteDatabase`, or a path to open one.

    Example:
        >>> from datetime import datetime, timezone
        >>> from volunteer_rules.testing.examples import sample_transfer_package
        >>> package = sample_transfer_package()
        >>> store = SQLiteTransferStore()
        >>> store.add_package(package, at=datetime(2024, 6, 1, tzinfo=timezone.utc))
        True
        >>> store.get_package(package.digest) == package, store.state(package.digest)
        (True, 'initiated')
    """

    def __init__(self, database: SQLiteDatabase | str | os.PathLike[str] = ":memory:") -> None:
        self.database = _database(database)

    @_reads_stored_data
    def add_package(self, package: TransferPackage, /, *, at: _dt.datetime) -> bool:
        """Store a package in the state ``initiated``; return whether it was new.

        Example:
            >>> SQLiteTransferStore().add_package("{}", at=None)
            Traceback (most recent call last):
            ...
            volunteer_rules.errors.InvalidTypeError: package: must be a TransferPackage, not str
        """
        package = _common.check_package(package)
        at = _common.check_aware("at", at)
        payload = _common.package_payload(package)
        package_id = package.digest
        with self.database.transaction("adding a transfer package") as connection:
            rows = connection.execute(
                f"{_PACKAGE_SELECT} WHERE package_id = ?", (package_id,)
            ).fetchall()
            if rows:
                if _verify("packages", rows)[0][_PAYLOAD] != payload:
                    raise _common.package_conflict(package_id)
                return False
            (last,) = connection.execute(
                "SELECT coalesce(max(stored_order), 0) FROM packages"
            ).fetchone()
            row = (package_id, last + 1, package.volunteer_id, INITIAL_PACKAGE_STATE, 1, payload)
            _insert_row(connection, "?", "packages", row)
            event = (package_id, 1, INITIAL_PACKAGE_STATE, at.isoformat(), "")
            _insert_row(connection, "?", "package_events", event)
        return True

    def _read(self, package_id: str, column: int, doing: str, convert: Callable[[Any], _T]) -> _T:
        """One column of the package's verified row, converted; ``NotFoundError`` for none."""
        _common.check_text("package_id", package_id)
        with self.database.reading(doing) as connection:
            rows = connection.execute(
                f"{_PACKAGE_SELECT} WHERE package_id = ?", (package_id,)
            ).fetchall()
            if not rows:  # not found, unless the table lost rows behind the library's back
                error = _common.package_not_found(package_id)
                raise _not_found(connection, "?", "packages", error)
        return convert(_verify("packages", rows)[0][column])

    @_reads_stored_data
    def get_package(self, package_id: str, /) -> TransferPackage:
        """Return the package stored under an id, or raise ``NotFoundError``.

        Example:
            >>> SQLiteTransferStore().get_package("nope")
            Traceback (most recent call last):
            ...
            volunteer_rules.errors.NotFoundError: no transfer package nope
        """
        return self._read(package_id, _PAYLOAD, "reading a transfer package", _parse_package)

    @_reads_stored_data
    def state(self, package_id: str, /) -> str:
        """Return the package's current state.

        Example:
            >>> SQLiteTransferStore().state("nope")
            Traceback (most recent call last):
            ...
            volunteer_rules.errors.NotFoundError: no transfer package nope
        """
        return self._read(package_id, _STATE, "reading a package state", str)

    @_reads_stored_data
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
        """Compare-and-set the package's state in one transaction; return the new event.

        Example:
            >>> from datetime import datetime, timezone
            >>> SQLiteTransferStore().change_state(
            ...     "nope", expected="initiated", new="accepted",
            ...     at=datetime(2024, 6, 1, tzinfo=timezone.utc))
            Traceback (most recent call last):
            ...
            volunteer_rules.errors.NotFoundError: no transfer package nope
        """
        _common.check_text("package_id", package_id)
        expected, new, at, reason = _common.check_change(expected, new, at, reason)
        with self.database.transaction("changing a package state") as connection:
            rows = connection.execute(
                f"{_PACKAGE_SELECT} WHERE package_id = ?", (package_id,)
            ).fetchall()
            if not rows:  # not found, unless the table lost rows behind the library's back
                error = _common.package_not_found(package_id)
                raise _not_found(connection, "?", "packages", error)
            # verified first: a new checksum over damaged columns would hide the damage
            row = _verify("packages", rows)[0]
            _, stored_order, volunteer_id, current, count, payload, stored_checksum = row
            if current != expected:
                raise _common.state_conflict(package_id, expected, current)
            sequence = count + 1
            changed = (package_id, stored_order, volunteer_id, new, sequence, payload)
            checksum = row_checksum(*changed)
            connection.execute(
                "UPDATE packages SET state = ?, event_count = ?, checksum = ? WHERE package_id = ?",
                (new, sequence, checksum, package_id),
            )
            _reseal(connection, "?", "packages", [checksum], [stored_checksum])
            event = (package_id, sequence, new, at.isoformat(), reason)
            _insert_row(connection, "?", "package_events", event)
        return PackageEvent(
            package_id=package_id, sequence=sequence, state=new, at=at, reason=reason
        )

    @_reads_stored_data
    def history(self, package_id: str, /) -> tuple[PackageEvent, ...]:
        """Return the package's events, oldest first.

        Example:
            >>> SQLiteTransferStore().history("nope")
            Traceback (most recent call last):
            ...
            volunteer_rules.errors.NotFoundError: no transfer package nope
        """
        _common.check_text("package_id", package_id)
        with self.database.reading("reading a package history") as connection:
            return _read_history(connection, "?", package_id)

    @_reads_stored_data
    def package_ids(
        self, *, state: str | None = None, volunteer_id: str | None = None
    ) -> tuple[str, ...]:
        """Return stored package ids in storing order, filtered by state and volunteer.

        Example:
            >>> SQLiteTransferStore().package_ids(state="accepted")
            ()
        """
        where, parameters = _common.package_filter("?", state=state, volunteer_id=volunteer_id)
        with self.database.reading("listing transfer packages") as connection:
            rows = connection.execute(
                f"{_PACKAGE_SELECT}{where} ORDER BY stored_order", parameters
            ).fetchall()
            _verify("packages", rows)
            if not where:  # the whole table: checked against its seal too
                _check_sealed(connection, "?", "packages", rows)
        return tuple(row[0] for row in rows)
