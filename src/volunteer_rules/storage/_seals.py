"""Table seals: each table's row count and a digest of its rows' checksums (not public).

Row checksums show a changed row, not a missing one: the seals do. Each sealed table has a row
in ``seals`` (:data:`~volunteer_rules.storage.sqlite_schema._SEALS_SCHEMA`) that every write
brings up to date in its own transaction (:func:`_reseal`); ``check`` compares every seal with
its table (:func:`_seal_problems`), and each read of a whole table with the rows it read
(:func:`_check_sealed`). The one rule of both databases: the functions take a
``sqlite3.Connection`` or a ``psycopg.Cursor`` and the driver's placeholder.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final, Protocol

from volunteer_rules.errors import StorageError

__all__: list[str] = []


class _Fetched(Protocol):
    def fetchone(self) -> Any: ...

    def fetchmany(self, size: int, /) -> Sequence[Any]: ...

    def fetchall(self) -> Sequence[Any]: ...


class _Executes(Protocol):
    """A ``sqlite3.Connection`` or a ``psycopg.Cursor``: ``execute`` returns what to fetch."""

    def execute(self, query: str, params: Sequence[Any], /) -> _Fetched: ...


class _DamagedRow(StorageError):
    """A stored row that does not match its checksum, or a table that does not match its seal.

    Raised by ``_sqlite_rows._verify`` and by :func:`_check_sealed`.

    The stores' wrappers (``_reads_stored_data`` for SQLite, ``_library_errors`` for
    PostgreSQL) re-raise it as a plain ``StorageError`` that also names the store and the file.
    """

    def __init__(
        self, table: str, key: str, why: str = "its row does not match its checksum"
    ) -> None:
        self.table = table
        self.key = key
        super().__init__(
            f"{table}: the stored {key} is damaged ({why}); run volunteer-rules db check"
        )


_SEALED: Final = ("records", "packages", "package_events", "ledger_entries")
"""The tables with a seal (a row of ``seals``): their rows' count and :func:`_digest`."""

_SEAL_MODULUS: Final = 2**61 - 1
"""The digest is a sum modulo this prime: a seal and a change to it add up within 64 bits."""


def _digest(checksums: Iterable[object]) -> int:
    """The order-independent digest of a table: the sum of its rows' checksums, modulo a prime.

    A missing, added or replaced row changes it (and a missing or added row the count).

    Example:
        >>> _digest([3, -5]) == _digest([-5, 3]) != _digest([3])
        True
    """
    return sum(value for value in checksums if type(value) is int) % _SEAL_MODULUS


def _reseal(
    connection: _Executes,
    placeholder: str,
    table: str,
    added: Sequence[int],
    removed: Sequence[int] = (),
) -> None:
    """Bring a table's seal up to date with rows written (``added``, ``removed``: checksums).

    The one rule of every write of both databases, called in the write's own transaction.
    The digest stays below the modulus: the change is added as a number from 0 up to it
    (no ``%`` in the SQL: PostgreSQL's driver takes it for a placeholder).
    """
    p = placeholder
    change = (_digest(added) - _digest(removed)) % _SEAL_MODULUS
    connection.execute(
        f"UPDATE seals SET row_count = row_count + {p}, digest = CASE"
        f" WHEN digest + {p} >= {_SEAL_MODULUS} THEN digest + {p} - {_SEAL_MODULUS}"
        f" ELSE digest + {p} END WHERE name = {p}",
        (len(added) - len(removed), change, change, change, table),
    )


_SEAL_ROWS_AT_ONCE: Final = 10_000


def _measure(connection: _Executes, table: str) -> tuple[int, int]:
    """A table's row count and digest as stored now (``table`` is one of :data:`_SEALED`)."""
    cursor = connection.execute(f"SELECT checksum FROM {table}", ())
    count = total = 0
    while rows := cursor.fetchmany(_SEAL_ROWS_AT_ONCE):
        count += len(rows)
        total += _digest(row[0] for row in rows)
    return count, total % _SEAL_MODULUS


def _make_seals(
    connection: _Executes, placeholder: str, *, upgraded: bool, tables: Sequence[str] = _SEALED
) -> None:
    """Seal each of ``tables`` as it is now (when the seals' table, or the table, is new)."""
    p = placeholder
    for table in tables:
        count, digest = _measure(connection, table)
        connection.execute(
            f"INSERT INTO seals VALUES ({p}, {p}, {p}, {p})", (table, count, digest, int(upgraded))
        )


def _seal_mismatch(
    connection: _Executes, placeholder: str, table: str, count: int, digest: int
) -> str | None:
    """Why a table whose rows number ``count`` with ``digest`` breaks its seal (``None``: not)."""
    row = connection.execute(
        f"SELECT row_count, digest FROM seals WHERE name = {placeholder}", (table,)
    ).fetchone()
    if row is None:
        return "its seal is missing"
    sealed_count, sealed_digest = row
    if count != sealed_count:
        return (
            f"it holds {count} rows, its seal says {sealed_count}:"
            " rows were deleted or added outside the library"
        )
    if digest % _SEAL_MODULUS != sealed_digest:
        return "its rows do not add up to its seal: rows were replaced outside the library"
    return None


def _check_sealed(
    connection: _Executes, placeholder: str, table: str, rows: Sequence[Sequence[Any]]
) -> None:
    """Raise :class:`_DamagedRow` unless ``rows`` (the whole table, checksum last) match its seal."""
    why = _seal_mismatch(connection, placeholder, table, len(rows), _digest(r[-1] for r in rows))
    if why is not None:
        raise _DamagedRow(table, "table", why)


def _not_found(
    connection: _Executes, placeholder: str, table: str, error: StorageError
) -> StorageError:
    """What a read that found no row under its key in ``table`` raises.

    ``error`` (the "not found" of the store) when the table matches its seal; when it does not
    (a row deleted or added behind the library's back), the key may be the row that was lost:
    that is damage, a :class:`_DamagedRow` naming the table, never "not found". The seal is
    measured on a miss only (one read of the table's checksums), never on a hit.
    """
    why = _seal_mismatch(connection, placeholder, table, *_measure(connection, table))
    return error if why is None else _DamagedRow(table, "table", why)


def _seal_problems(
    connection: _Executes, placeholder: str, tables: Sequence[str] = _SEALED
) -> list[str]:
    """What ``check`` says of the seals: one sentence per table whose rows break its seal."""
    problems: list[str] = []
    for table in tables:
        why = _seal_mismatch(connection, placeholder, table, *_measure(connection, table))
        if why is not None:
            problems.append(f"{table}: {why}")
    return problems


def _upgraded_tables(connection: _Executes) -> tuple[str, ...]:
    """The tables whose seal was made from the rows found in a file of an older version."""
    rows = connection.execute("SELECT name FROM seals WHERE upgraded = 1 ORDER BY name", ())
    return tuple(str(name) for (name,) in rows.fetchall())
