"""Rows of the SQLite stores: records, transfer packages and ledger entries, written and read back.

The PostgreSQL stores write the same rows, and both ledger stores (and both databases' checks)
read the ledger with the functions here, each called with its driver's placeholder (``?`` for
SQLite, ``%s`` for PostgreSQL) on a ``sqlite3.Connection`` or a ``psycopg.Cursor``.

Every read verifies the checksum of each row it uses (:func:`_verify`, in Python, for both
databases) and raises :class:`_DamagedRow` rather than hand back a row that does not match;
the stores' wrappers turn it into a ``StorageError`` that names the store and the file.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from volunteer_rules._canonical import read_json
from volunteer_rules.errors import NotFoundError, StorageError
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.storage import _common
from volunteer_rules.storage._seals import (
    _check_sealed,
    _DamagedRow,
    _digest,
    _Executes,
    _not_found,
    _reseal,
    _seal_mismatch,
)
from volunteer_rules.storage.protocols import PackageEvent
from volunteer_rules.storage.sqlite_schema import (
    _ENTRY_COLUMN_LIST,
    _EVENT_COLUMN_LIST,
    _PACKAGE_COLUMN_LIST,
    _RECORD_COLUMN_LIST,
    _tuple_checksum,
    row_checksum,
)
from volunteer_rules.timebank.ledger import LedgerEntry, LedgerTransfer, PostedTransfer
from volunteer_rules.transfer.package import TransferPackage, parse_transfer_package


def _record_key(row: Sequence[Any]) -> str:
    return f"record {row[0]}/{row[1]}"


def _package_key(row: Sequence[Any]) -> str:
    return f"transfer package {row[0]}"


def _event_key(row: Sequence[Any]) -> str:
    return f"event {row[1]} of transfer package {row[0]}"


def _entry_key(row: Sequence[Any]) -> str:
    return f"ledger entry {row[0]} (transfer {row[2]!r}, account {row[3]} version {row[5]})"


def _community_entry_key(row: Sequence[Any]) -> str:
    return f"{row[0]} entry {row[1]} version {row[2]}"


def _attendance_key(row: Sequence[Any]) -> str:
    return f"attendance event {row[0]}"


_VERIFIED: Final = {
    "records": _record_key,
    "packages": _package_key,
    "package_events": _event_key,
    "ledger_entries": _entry_key,
    "community_entries": _community_entry_key,
    "community_events": _attendance_key,
}
"""Each table with a checksum, and how a damaged row of it is named (by its key)."""


def _verify(table: str, rows: Sequence[Sequence[Any]]) -> Sequence[Sequence[Any]]:
    """Return ``rows`` (each the table's checksummed columns, then the checksum) if all match.

    The one rule of both databases' reads: a row is handed back only if its last column is
    the checksum (:func:`~volunteer_rules.storage.sqlite_schema.row_checksum`) of the others;
    the first that is not raises :class:`_DamagedRow`, naming the table and the row's key.
    """
    checksum = _tuple_checksum
    for row in rows:
        if checksum(tuple(row[:-1])) != row[-1]:
            raise _DamagedRow(table, _VERIFIED[table](row))
    return rows


def _insert_row(connection: _Executes, placeholder: str, table: str, row: tuple[Any, ...]) -> None:
    """Store a new row with its checksum and add it to its table's seal (both databases).

    ``table`` is one of the library's own tables, whose columns are the row's, then the checksum.
    """
    checksum = _tuple_checksum(row)
    marks = ", ".join([placeholder] * (len(row) + 1))
    connection.execute(f"INSERT INTO {table} VALUES ({marks})", (*row, checksum))
    _reseal(connection, placeholder, table, [checksum])


_RECORD_SELECT: Final = f"SELECT {_RECORD_COLUMN_LIST}, checksum FROM records"
_PACKAGE_SELECT: Final = f"SELECT {_PACKAGE_COLUMN_LIST}, checksum FROM packages"
_EVENT_SELECT: Final = f"SELECT {_EVENT_COLUMN_LIST}, checksum FROM package_events"
_ENTRY_SELECT: Final = f"SELECT {_ENTRY_COLUMN_LIST}, checksum FROM ledger_entries"
"""Each table's checksummed columns and its checksum, as :func:`_verify` takes them."""


def _record_row(record: ServiceRecord, payload: str | None = None) -> tuple[Any, ...]:
    """A record's row; ``payload`` is its canonical text when already made (``check_records``)."""
    province, city, county = _common.region_levels(record.region_code)
    row = (
        record.organization_id,
        record.record_id,
        record.volunteer_id,
        record.region_code.code,
        province,
        city,
        county,
        record.date.isoformat(),
        _common.micros(record.recorded_at),
        record.amends,
        record.status,
        _common.record_payload(record) if payload is None else payload,
    )
    return (*row, row_checksum(*row))


_PAYLOAD: Final = 11
"""The position of the payload in a record row."""

_DAMAGED: Final = (ValueError, TypeError, RecursionError)
"""What a damaged stored value raises while it is read back: text that is not JSON, JSON that
is not the form (``RecordFormatError`` is a ``ValueError``), or JSON nested too deep for Python
(``RecursionError``, or ``ValueError`` from a reader that refuses it first). Each row reader
turns these into the ``StorageError`` of a damaged row, never lets them through."""


def _parse_payload(text: str) -> ServiceRecord:
    from volunteer_rules.records.record import parse_record

    try:
        return parse_record(read_json(text))
    except _DAMAGED as error:
        raise StorageError(f"a stored record cannot be read back: {error}") from error


def _parse_package(text: str) -> TransferPackage:
    try:
        return parse_transfer_package(read_json(text))
    except _DAMAGED as error:
        raise StorageError(f"a stored transfer package cannot be read back: {error}") from error


def _event(package_id: str, row: Sequence[Any]) -> PackageEvent:
    """The event of a (verified) ``package_events`` row."""
    sequence, state, at, reason = row[1:5]
    return PackageEvent(
        package_id=package_id,
        sequence=sequence,
        state=state,
        at=_dt.datetime.fromisoformat(at),
        reason=reason,
    )


def _read_history(
    connection: _Executes, placeholder: str, package_id: str
) -> tuple[PackageEvent, ...]:
    """A package's events, oldest first, read with the driver's ``placeholder`` (both databases).

    The events are checked against the package's verified row, which counts them and holds
    the state the last one set: events deleted or added behind the library's back are damage
    (:class:`_DamagedRow`), never a shorter history, nor "not found" for a package that is
    there. A package with no row is "not found" only if the table matches its seal
    (:func:`~volunteer_rules.storage._seals._not_found`) and no event names it.
    """
    p = placeholder
    packages = connection.execute(f"{_PACKAGE_SELECT} WHERE package_id = {p}", (package_id,))
    package_rows = packages.fetchall()
    events = connection.execute(
        f"{_EVENT_SELECT} WHERE package_id = {p} ORDER BY sequence", (package_id,)
    ).fetchall()
    key = f"history of transfer package {package_id}"
    if not package_rows:
        if events:
            raise _DamagedRow("package_events", key, "the package's own row is missing")
        raise _not_found(connection, p, "packages", _common.package_not_found(package_id))
    (package,) = _verify("packages", package_rows)
    _verify("package_events", events)
    count, state = int(package[4]), package[3]
    last = events[-1][2] if events else None
    if [row[1] for row in events] != list(range(1, count + 1)) or last != state:
        raise _DamagedRow(
            "package_events",
            key,
            f"{len(events)} events are stored, the package's row counts {count}"
            f" ending in {state!r}",
        )
    return tuple(_event(package_id, row) for row in events)


_NO_TRANSFER: Final = (None,) * 10
_EntryRow = tuple[Any, ...]


def _entry_rows(batch: Sequence[PostedTransfer]) -> list[_EntryRow]:
    """One row per entry; the transfer's own fields on its first entry (the hot path)."""
    rows: list[_EntryRow] = []
    append = rows.append
    micros = _common.micros
    canonical = _common.canonical_json
    checksum = _tuple_checksum
    for posting in batch:
        transfer = posting.transfer
        entries = posting.entries
        position = posting.index
        tid = transfer.transfer_id
        at = transfer.at
        at_us = micros(at)
        key = transfer.record_key
        expires_at = transfer.expires_at
        details = transfer.details
        first = entries[0]
        row: _EntryRow = (
            first.sequence,
            position,
            tid,
            first.account,
            first.minutes,
            first.version,
            at_us,
            transfer.kind,
            at.isoformat(),
            transfer.reference,
            None if key is None else key[0],
            None if key is None else key[1],
            None if expires_at is None else expires_at.isoformat(),
            canonical(details) if details else None,
            transfer.memo,
            len(transfer.legs),
            len(entries),
        )
        append((*row, checksum(row)))
        for entry in entries[1:]:
            row = (
                entry.sequence,
                position,
                tid,
                entry.account,
                entry.minutes,
                entry.version,
                at_us,
                *_NO_TRANSFER,
            )
            append((*row, checksum(row)))
    return rows


def _postings_from_rows(rows: Sequence[Sequence[Any]]) -> list[PostedTransfer]:
    """Group entry rows (in sequence order, starting at a transfer) back into postings."""
    postings: list[PostedTransfer] = []
    times: dict[str, _dt.datetime] = {}
    index = 0
    while index < len(rows):
        head = rows[index]
        sequence, position, tid = head[:3]
        kind, at_text = head[7:9]
        (reference, org, record_id, expires, details, memo, legs, count) = head[9:17]
        if kind is None or count is None:
            raise StorageError(f"the stored ledger is damaged at entry {sequence}")
        at = times.get(at_text)
        if at is None:
            at = times[at_text] = _dt.datetime.fromisoformat(at_text)
        entries = tuple(
            LedgerEntry(row[0], tid, row[3], row[4], row[5], at)
            for row in rows[index : index + count]
        )
        index += count
        try:
            transfer = LedgerTransfer(
                transfer_id=tid,
                kind=kind,
                legs=tuple((entry.account, entry.minutes) for entry in entries[:legs]),
                at=at,
                reference=reference,
                record_key=None if org is None else (org, record_id),
                expires_at=None if expires is None else _dt.datetime.fromisoformat(expires),
                details=tuple((str(a), str(b)) for a, b in read_json(details)) if details else (),
                memo=memo,
            )
        except _DAMAGED as error:
            raise StorageError(
                f"stored ledger transfer {tid!r} cannot be read back: {error}"
            ) from error
        postings.append(PostedTransfer(transfer=transfer, index=position, entries=entries))
    return postings


_ENTRIES_WITH_TIMES: Final = (
    " FROM ledger_entries e JOIN ledger_entries t ON t.position = e.position AND t.kind IS NOT NULL"
)
"""Every entry beside its transfer's head row (which holds the time): ``e`` and ``t``."""


def _next_posting(connection: _Executes) -> tuple[int, int]:
    """The index and the sequence the next posting must have (from the verified last entry)."""
    rows = connection.execute(f"{_ENTRY_SELECT} ORDER BY sequence DESC LIMIT 1", ()).fetchall()
    if not rows:
        return (0, 0)
    (row,) = _verify("ledger_entries", rows)
    return (int(row[1]) + 1, int(row[0]) + 1)


def _read_postings(
    connection: _Executes, placeholder: str, start: int, *, sealed: bool = False
) -> list[PostedTransfer]:
    """The postings from index ``start`` on, read with the driver's ``placeholder``.

    From the start (``0``) with ``sealed`` (as the stores read), the rows read are then checked
    against the table's seal too: they must be all of them (``check`` reports seals apart).
    """
    head = connection.execute(
        f"SELECT sequence FROM ledger_entries WHERE position = {placeholder} AND kind IS NOT NULL",
        (start,),
    ).fetchone()
    rows: Sequence[Sequence[Any]] = []
    if head is not None:
        rows = connection.execute(
            f"{_ENTRY_SELECT} WHERE sequence >= {placeholder} ORDER BY sequence", head
        ).fetchall()
    postings = _postings_from_rows(_verify("ledger_entries", rows))
    if sealed and start == 0:
        _check_sealed(connection, placeholder, "ledger_entries", rows)
    return postings


_HEADS_AT_ONCE: Final = 500
"""How many transfers' first rows :func:`_read_entries` asks for in one query."""


def _read_entries(
    connection: _Executes, placeholder: str, where: str, parameters: Sequence[Any]
) -> tuple[LedgerEntry, ...]:
    """The entries that ``where`` selects (``_common.entry_filter``), in order, with their times.

    Every row used is verified: the entries, and the first rows of their transfers (which hold
    the time), read again only for the transfers whose first row the entries do not include
    (an account's entries, most often). An entry whose transfer has no first row is left out,
    as the join of ``_ENTRIES_WITH_TIMES`` leaves it out of the count ``check`` compares.
    """
    rows = _verify(
        "ledger_entries",
        connection.execute(f"{_ENTRY_SELECT} e{where} ORDER BY e.sequence", parameters).fetchall(),
    )
    heads = {row[1]: row for row in rows if row[7] is not None}
    missing = sorted({row[1] for row in rows} - heads.keys())
    for first in range(0, len(missing), _HEADS_AT_ONCE):
        chunk = missing[first : first + _HEADS_AT_ONCE]
        marks = ", ".join([placeholder] * len(chunk))
        found = connection.execute(
            f"{_ENTRY_SELECT} WHERE kind IS NOT NULL AND position IN ({marks})", chunk
        ).fetchall()
        heads.update((row[1], row) for row in _verify("ledger_entries", found))
    times: dict[str, _dt.datetime] = {}
    entries: list[LedgerEntry] = []
    for row in rows:
        head = heads.get(row[1])
        if head is None:
            continue
        at_text = head[8]
        at = times.get(at_text)
        if at is None:
            at = times[at_text] = _dt.datetime.fromisoformat(at_text)
        entries.append(LedgerEntry(int(row[0]), row[2], row[3], int(row[4]), int(row[5]), at))
    return tuple(entries)


_BALANCE_ROWS_AT_ONCE: Final = 10_000
"""How many rows :func:`_read_balances` holds at a time (it sums as it verifies)."""


def _read_balances(connection: _Executes, placeholder: str, account: str | None) -> dict[str, int]:
    """The sums of the minutes of verified entries, by account (of one account, or all).

    Summed in Python from the rows as they are verified, not by the database's ``sum``: a
    balance is never made of a row that does not match its checksum, nor of an account's
    entries with one missing (their versions are 1 to their number), nor are all balances
    given unless they sum to zero (every transfer does) and the rows match the table's seal
    (:func:`_check_sealed`), which no checksum of a row can see.
    """
    where = "" if account is None else f" WHERE account = {placeholder}"
    cursor = connection.execute(f"{_ENTRY_SELECT}{where}", () if account is None else (account,))
    totals: dict[str, int] = {}
    counts: dict[str, int] = {}
    latest: dict[str, int] = {}
    get = totals.get
    held = digest = 0
    while rows := cursor.fetchmany(_BALANCE_ROWS_AT_ONCE):
        for row in _verify("ledger_entries", rows):
            name = row[3]
            totals[name] = get(name, 0) + row[4]
            counts[name] = counts.get(name, 0) + 1
            latest[name] = max(latest.get(name, 0), row[5])
        held += len(rows)
        digest += _digest(row[-1] for row in rows)
    for name, count in counts.items():
        if count != latest[name]:
            raise _DamagedRow(
                "ledger_entries",
                f"ledger of account {name}",
                f"{count} entries, up to version {latest[name]}: entries are missing",
            )
    if account is None and sum(totals.values()) != 0:
        raise _DamagedRow(
            "ledger_entries", "ledger", "its balances do not sum to zero: entries are missing"
        )
    if account is None:
        why = _seal_mismatch(connection, placeholder, "ledger_entries", held, digest)
        if why is not None:
            raise _DamagedRow("ledger_entries", "table", why)
    return totals


def _account_version(connection: _Executes, placeholder: str, account: str) -> int:
    """The account's version: that of its last entry (0 for none), verified."""
    rows = connection.execute(
        f"{_ENTRY_SELECT} WHERE account = {placeholder} ORDER BY version DESC LIMIT 1",
        (account,),
    ).fetchall()
    return int(_verify("ledger_entries", rows)[0][5]) if rows else 0


def _check_versions(connection: _Executes, placeholder: str, expected: Mapping[str, int]) -> None:
    """Raise ``ConflictError`` unless each account is at the version the caller expects."""
    for account, version in expected.items():
        current = _account_version(connection, placeholder, account)
        if current != version:
            raise _common.version_conflict(account, version, current)


def _read_posting(
    connection: _Executes, placeholder: str, transfer_id: str
) -> PostedTransfer | None:
    """The posting stored under a transfer id (its rows verified), or ``None``."""
    heads = connection.execute(
        f"{_ENTRY_SELECT} WHERE transfer_id = {placeholder} AND kind IS NOT NULL",
        (transfer_id,),
    ).fetchall()
    if not heads:
        return None
    (head,) = _verify("ledger_entries", heads)
    first, count = head[0], head[16]
    rows = connection.execute(
        f"{_ENTRY_SELECT} WHERE sequence BETWEEN {placeholder} AND {placeholder} ORDER BY sequence",
        (first, first + count - 1),
    ).fetchall()
    return _postings_from_rows(_verify("ledger_entries", rows))[0]


def _transfer_not_found(connection: _Executes, transfer_id: str) -> NotFoundError:
    """The error for a transfer id with no posting, once no transfer's first row is damaged.

    A transfer id changed in the file would make its transfer look missing: the first rows of
    all transfers (which hold the ids) are verified first, on a miss only, so that damage is
    reported as damage (:class:`_DamagedRow`) rather than as an unknown id. A first row no
    longer marked as one (its ``kind`` cleared) would hide from that scan: there must be one
    first row per position, as many as the verified last entry says the ledger holds.
    """
    held = _next_posting(connection)[0]
    cursor = connection.execute(f"{_ENTRY_SELECT} WHERE kind IS NOT NULL", ())
    heads = 0
    while rows := cursor.fetchmany(_BALANCE_ROWS_AT_ONCE):
        heads += len(_verify("ledger_entries", rows))
    if heads != held:
        raise _DamagedRow(
            "ledger_entries",
            "ledger",
            f"it holds {held} transfers and {heads} first rows of transfers:"
            " rows were changed outside the library",
        )
    return _common.transfer_not_found(transfer_id)


def _append_one_by_one(
    connection: _Executes,
    placeholder: str,
    batch: Sequence[PostedTransfer],
    write: Callable[[Sequence[_EntryRow]], object],
) -> int:
    """Store a batch posting by posting inside the caller's transaction; return how many were new.

    The rule is ``_common.append_postings``; each new posting's rows are given to ``write``
    (and to the table's seal: :func:`_write_entries`).
    """
    next_index, next_sequence = _next_posting(connection)
    return _common.append_postings(
        batch,
        next_index,
        next_sequence,
        lambda transfer_id: _read_posting(connection, placeholder, transfer_id),
        lambda account: _account_version(connection, placeholder, account),
        lambda posting: _write_entries(connection, placeholder, _entry_rows([posting]), write),
    )


def _write_entries(
    connection: _Executes,
    placeholder: str,
    rows: Sequence[_EntryRow],
    write: Callable[[Sequence[_EntryRow]], object],
) -> None:
    """Write new ledger rows with the driver's ``write`` and add them to the table's seal."""
    write(rows)
    _reseal(connection, placeholder, "ledger_entries", [row[-1] for row in rows])
