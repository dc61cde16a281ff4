"""Rows of the SQLite stores: records, transfer packages and ledger entries, written and read back.

The PostgreSQL stores write the same rows, and both ledger stores (and both databases' checks)
read the ledger with the functions here, each called with its driver's placeholder (``?`` for
SQLite, ``%s`` for PostgreSQL) on a ``sqlite3.Connection`` or a ``psycopg.Cursor``.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, Protocol

from volunteer_rules._canonical import read_json
from volunteer_rules.errors import StorageError
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.storage import _common
from volunteer_rules.storage.protocols import PackageEvent
from volunteer_rules.storage.sqlite_schema import _ENTRY_COLUMN_LIST, _tuple_checksum, row_checksum
from volunteer_rules.timebank.ledger import LedgerEntry, LedgerTransfer, PostedTransfer
from volunteer_rules.transfer.package import TransferPackage, parse_transfer_package


def _record_row(record: ServiceRecord) -> tuple[Any, ...]:
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
        _common.record_payload(record),
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


def _event(package_id: str, row: tuple[int, str, str, str]) -> PackageEvent:
    sequence, state, at, reason = row
    return PackageEvent(
        package_id=package_id,
        sequence=sequence,
        state=state,
        at=_dt.datetime.fromisoformat(at),
        reason=reason,
    )


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


class _Fetched(Protocol):
    def fetchone(self) -> Any: ...

    def fetchall(self) -> Sequence[Any]: ...


class _Executes(Protocol):
    """A ``sqlite3.Connection`` or a ``psycopg.Cursor``: ``execute`` returns what to fetch."""

    def execute(self, query: str, params: Sequence[Any], /) -> _Fetched: ...


_ENTRIES_WITH_TIMES: Final = (
    " FROM ledger_entries e JOIN ledger_entries t ON t.position = e.position AND t.kind IS NOT NULL"
)
"""Every entry beside its transfer's head row (which holds the time): ``e`` and ``t``."""


def _next_posting(connection: _Executes) -> tuple[int, int]:
    """The index and the sequence the next posting must have."""
    row = connection.execute(
        "SELECT position, sequence FROM ledger_entries ORDER BY sequence DESC LIMIT 1", ()
    ).fetchone()
    return (0, 0) if row is None else (int(row[0]) + 1, int(row[1]) + 1)


def _read_postings(connection: _Executes, placeholder: str, start: int) -> list[PostedTransfer]:
    """The postings from index ``start`` on, read with the driver's ``placeholder``."""
    head = connection.execute(
        f"SELECT sequence FROM ledger_entries WHERE position = {placeholder} AND kind IS NOT NULL",
        (start,),
    ).fetchone()
    if head is None:
        return []
    rows = connection.execute(
        f"SELECT {_ENTRY_COLUMN_LIST} FROM ledger_entries"
        f" WHERE sequence >= {placeholder} ORDER BY sequence",
        head,
    ).fetchall()
    return _postings_from_rows(rows)


def _read_entries(
    connection: _Executes, where: str, parameters: Sequence[Any]
) -> tuple[LedgerEntry, ...]:
    """The entries that ``where`` selects (``_common.entry_filter``), in order, with their times."""
    rows = connection.execute(
        "SELECT e.sequence, e.transfer_id, e.account, e.minutes, e.version, t.at"
        f"{_ENTRIES_WITH_TIMES}{where} ORDER BY e.sequence",
        parameters,
    ).fetchall()
    times: dict[str, _dt.datetime] = {}
    entries: list[LedgerEntry] = []
    for sequence, tid, account, minutes, version, at_text in rows:
        at = times.get(at_text)
        if at is None:
            at = times[at_text] = _dt.datetime.fromisoformat(at_text)
        entries.append(LedgerEntry(int(sequence), tid, account, int(minutes), int(version), at))
    return tuple(entries)


def _account_version(connection: _Executes, placeholder: str, account: str) -> int:
    """The account's version: that of its last entry (0 for none)."""
    row = connection.execute(
        f"SELECT coalesce(max(version), 0) FROM ledger_entries WHERE account = {placeholder}",
        (account,),
    ).fetchone()
    return 0 if row is None else int(row[0])


def _check_versions(connection: _Executes, placeholder: str, expected: Mapping[str, int]) -> None:
    """Raise ``ConflictError`` unless each account is at the version the caller expects."""
    for account, version in expected.items():
        current = _account_version(connection, placeholder, account)
        if current != version:
            raise _common.version_conflict(account, version, current)


def _read_posting(
    connection: _Executes, placeholder: str, transfer_id: str
) -> PostedTransfer | None:
    """The posting stored under a transfer id, or ``None``."""
    head = connection.execute(
        "SELECT sequence, entry_count FROM ledger_entries"
        f" WHERE transfer_id = {placeholder} AND kind IS NOT NULL",
        (transfer_id,),
    ).fetchone()
    if head is None:
        return None
    first, count = head
    rows = connection.execute(
        f"SELECT {_ENTRY_COLUMN_LIST} FROM ledger_entries"
        f" WHERE sequence BETWEEN {placeholder} AND {placeholder} ORDER BY sequence",
        (first, first + count - 1),
    ).fetchall()
    return _postings_from_rows(rows)[0]


def _append_one_by_one(
    connection: _Executes,
    placeholder: str,
    batch: Sequence[PostedTransfer],
    write: Callable[[Sequence[_EntryRow]], object],
) -> int:
    """Store a batch posting by posting inside the caller's transaction; return how many were new.

    The rule is ``_common.append_postings``; each new posting's rows are given to ``write``.
    """
    next_index, next_sequence = _next_posting(connection)
    return _common.append_postings(
        batch,
        next_index,
        next_sequence,
        lambda transfer_id: _read_posting(connection, placeholder, transfer_id),
        lambda account: _account_version(connection, placeholder, account),
        lambda posting: write(_entry_rows([posting])),
    )
