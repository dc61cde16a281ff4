"""Helpers shared by the store implementations (not public)."""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from volunteer_rules._validate import require_aware, require_date
from volunteer_rules.errors import (
    ConflictError,
    InvalidTypeError,
    InvalidValueError,
    NotFoundError,
    RecordFormatError,
)
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.records.region import RegionCode
from volunteer_rules.timebank.ledger import PostedTransfer
from volunteer_rules.transfer.package import TransferPackage, dump_transfer_package

__all__: list[str] = []

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)
_MICROSECOND = _dt.timedelta(microseconds=1)


def canonical_json(payload: Any) -> str:
    """The canonical text of a JSON value: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def micros(moment: _dt.datetime) -> int:
    """Microseconds since the Unix epoch of an aware datetime (an order-preserving integer)."""
    return (moment - _EPOCH) // _MICROSECOND


def record_key_text(organization_id: str, record_id: str) -> str:
    """The text form of a record key used in errors: ``organization_id/record_id``."""
    return f"{organization_id}/{record_id}"


def record_payload(record: ServiceRecord) -> str:
    """The canonical record-format JSON text of a record."""
    from volunteer_rules.records.record import dump_record

    return canonical_json(dump_record(record))


def check_records(records: Iterable[ServiceRecord]) -> list[tuple[ServiceRecord, str]]:
    """Materialize a batch: each record with its canonical record-format text, checked.

    Every store keeps only what the record format reads back: a record built in Python that
    ``parse_record`` would refuse (an ``end`` before its ``start``, a ``date`` that is not the
    start's local date, a record amending itself, text that cannot be stored...) is bad input,
    refused before anything is stored, so that no stored file holds a record it cannot read.

    Raises:
        InvalidTypeError: ``records`` is not an iterable of ``ServiceRecord``.
        InvalidValueError: an item the record format cannot read back (``records[i]``, with
            its first problems).
    """
    from volunteer_rules.records.record import dump_record, parse_record

    if isinstance(records, (str, bytes, ServiceRecord)) or not isinstance(records, Iterable):
        raise InvalidTypeError("records", "must be an iterable of ServiceRecord")
    batch: list[tuple[ServiceRecord, str]] = []
    for index, record in enumerate(records):  # item by item: fail at the first wrong one
        if not isinstance(record, ServiceRecord):
            raise InvalidTypeError(
                f"records[{index}]", f"must be a ServiceRecord, not {type(record).__name__}"
            )
        payload = dump_record(record)
        try:
            parse_record(payload)
        except RecordFormatError as error:
            problems = "; ".join(f"{e.path}: {e.code}: {e.message}" for e in error.errors[:3])
            raise InvalidValueError(
                f"records[{index}]", f"is not a record the record format reads back: {problems}"
            ) from None
        batch.append((record, canonical_json(payload)))
    return batch


def same_record(a: ServiceRecord, b: ServiceRecord) -> bool:
    """Whether two records with one key have the same content (canonical record format)."""
    return a is b or record_payload(a) == record_payload(b)


def record_conflict(record: ServiceRecord) -> ConflictError:
    """The conflict raised when a record key is reused with other content."""
    return record_conflict_key((record.organization_id, record.record_id))


def record_conflict_key(key: tuple[str, str]) -> ConflictError:
    """The conflict raised when a record key is reused with other content."""
    text = record_key_text(*key)
    return ConflictError(text, f"record {text} is already stored with different content")


def check_record_key(organization_id: object, record_id: object) -> tuple[str, str]:
    """Check the key ``RecordStore.get`` is given: ``(organization_id, record_id)``."""
    return check_text("organization_id", organization_id), check_text("record_id", record_id)


def recorded_order(record: ServiceRecord) -> tuple[_dt.datetime, str, str]:
    """The sort key of ``RecordStore.find``: ``recorded_at`` (an instant), record, organization."""
    return (record.recorded_at, record.record_id, record.organization_id)


def check_record_keys(keys: object) -> list[tuple[str, str]]:
    """Check the keys ``RecordStore.amendments_of`` is given; return each once, sorted."""
    if isinstance(keys, (str, bytes)) or not isinstance(keys, Iterable):
        raise InvalidTypeError("keys", "must be an iterable of (organization_id, record_id)")
    checked: set[tuple[str, str]] = set()
    for index, key in enumerate(keys):  # item by item: fail at the first wrong one
        if not isinstance(key, tuple) or len(key) != 2:
            raise InvalidTypeError(
                f"keys[{index}]", "must be a pair (organization_id, record_id) of str"
            )
        checked.add(check_record_key(*key))
    return sorted(checked)


_AMENDED_AT_ONCE = 500
"""How many record ids one query of :func:`amendment_queries` names at most."""


def amendment_queries(
    placeholder: str, keys: Iterable[tuple[str, str]]
) -> list[tuple[str, list[object]]]:
    """The ``WHERE`` clauses (and parameters) that find the records amending ``keys``.

    One clause per organization (and per :data:`_AMENDED_AT_ONCE` record ids), each answered
    by the index on ``(organization_id, amends)`` of the records that amend something.
    """
    by_organization: dict[str, list[str]] = {}
    for organization_id, record_id in keys:
        by_organization.setdefault(organization_id, []).append(record_id)
    queries: list[tuple[str, list[object]]] = []
    for organization_id, record_ids in sorted(by_organization.items()):
        for start in range(0, len(record_ids), _AMENDED_AT_ONCE):
            chunk = record_ids[start : start + _AMENDED_AT_ONCE]
            marks = ", ".join([placeholder] * len(chunk))
            queries.append(
                (
                    f" WHERE amends IS NOT NULL AND organization_id = {placeholder}"
                    f" AND amends IN ({marks})",
                    [organization_id, *chunk],
                )
            )
    return queries


def record_not_found(key: tuple[str, str]) -> NotFoundError:
    """The error for a record key with no record."""
    text = record_key_text(*key)
    return NotFoundError(text, f"no record {text}")


def check_text(what: str, value: object) -> str:
    """Check that an id argument is a string."""
    if not isinstance(value, str):
        raise InvalidTypeError(what, f"must be a str, not {type(value).__name__}")
    return value


def check_optional_text(what: str, value: object) -> str | None:
    """Check that a filter argument is a string or ``None``."""
    return None if value is None else check_text(what, value)


def check_region(value: object) -> RegionCode | None:
    """Check that a region filter is a RegionCode or ``None``."""
    if value is not None and not isinstance(value, RegionCode):
        raise InvalidTypeError("region", f"must be a RegionCode, not {type(value).__name__}")
    return value


def check_day(what: str, value: object) -> _dt.date | None:
    """Check that a period bound is a date (not a datetime) or ``None``."""
    return None if value is None else require_date(value, what)


def _where(placeholder: str, conditions: Iterable[tuple[str, object]]) -> tuple[str, list[Any]]:
    """A ``WHERE`` clause of the conditions whose value is not ``None`` (empty for none).

    Each condition is a column and its comparison (``date >=``) and the value it compares with.
    """
    kept = [(test, value) for test, value in conditions if value is not None]
    clause = " AND ".join(f"{test} {placeholder}" for test, _ in kept)
    return (f" WHERE {clause}" if kept else ""), [value for _, value in kept]


def record_filter(
    placeholder: str,
    *,
    volunteer_id: object,
    organization_id: object,
    region: object,
    since: object,
    until: object,
) -> tuple[str, list[object]]:
    """The ``WHERE`` clause of ``RecordStore.find`` (empty for no filter) and its parameters.

    Each filter is checked first (a wrong type or value is an error from the library's
    hierarchy); ``placeholder`` is the driver's (``?`` for SQLite, ``%s`` for PostgreSQL).
    """
    volunteer = check_optional_text("volunteer_id", volunteer_id)
    organization = check_optional_text("organization_id", organization_id)
    place = check_region(region)
    first, end = check_day("since", since), check_day("until", until)
    return _where(
        placeholder,
        [
            ("volunteer_id =", volunteer),
            ("organization_id =", organization),
            (f"{place.level}_code =" if place else "", place.code if place else None),
            ("date >=", first.isoformat() if first else None),
            ("date <", end.isoformat() if end else None),
        ],
    )


def entry_filter(
    placeholder: str, *, account: object, since: object, until: object
) -> tuple[str, list[object]]:
    """The ``WHERE`` clause of ``LedgerStore.entries`` (empty for no filter) and its parameters.

    Each filter is checked first, as in :func:`record_filter`; the clause names the entries
    ``e`` (as :data:`~volunteer_rules.storage._sqlite_rows._ENTRIES_WITH_TIMES` does).
    """
    checked = check_optional_text("account", account)
    first, end = check_moment("since", since), check_moment("until", until)
    return _where(
        placeholder,
        [
            ("e.account =", checked),
            ("e.at_us >=", micros(first) if first else None),
            ("e.at_us <", micros(end) if end else None),
        ],
    )


def package_filter(
    placeholder: str, *, state: object, volunteer_id: object
) -> tuple[str, list[str]]:
    """The ``WHERE`` clause of ``TransferStore.package_ids`` (empty for none), its parameters.

    Each filter is checked first, as in :func:`record_filter`.
    """
    checked_state = check_optional_text("state", state)
    checked_volunteer = check_optional_text("volunteer_id", volunteer_id)
    return _where(placeholder, [("state =", checked_state), ("volunteer_id =", checked_volunteer)])


def check_moment(what: str, value: object) -> _dt.datetime | None:
    """Check that a period bound is an aware datetime or ``None``."""
    return None if value is None else require_aware(value, what)


def check_aware(what: str, value: object) -> _dt.datetime:
    """Check that an argument is an aware datetime."""
    return require_aware(value, what)


def check_state(what: str, value: object) -> str:
    """Check that a lifecycle state is a non-empty string."""
    text = check_text(what, value)
    if not text:
        raise InvalidValueError(what, "must not be empty")
    return text


def check_change(
    expected: object, new: object, at: object, reason: object
) -> tuple[str, str, _dt.datetime, str]:
    """Check the arguments of ``TransferStore.change_state`` but the package id, in order."""
    return (
        check_state("expected", expected),
        check_state("new", new),
        check_aware("at", at),
        check_text("reason", reason),
    )


def check_package(value: object) -> TransferPackage:
    """Check that an argument is a transfer package."""
    if not isinstance(value, TransferPackage):
        raise InvalidTypeError("package", f"must be a TransferPackage, not {type(value).__name__}")
    return value


def package_payload(package: TransferPackage) -> str:
    """The canonical JSON text of a package's wire form."""
    return canonical_json(dump_transfer_package(package))


def package_not_found(package_id: str) -> NotFoundError:
    """The error for an unknown package id."""
    return NotFoundError(package_id, f"no transfer package {package_id}")


def package_conflict(package_id: str) -> ConflictError:
    """The error for another package under a stored id."""
    return ConflictError(
        package_id, f"another transfer package is already stored under {package_id}"
    )


def state_conflict(package_id: str, expected: str, current: str) -> ConflictError:
    """The error for a lost compare-and-set on a package's state."""
    return ConflictError(
        package_id,
        f"transfer package {package_id} is {current}, not {expected}: it changed meanwhile",
    )


def check_postings(postings: object) -> list[PostedTransfer]:
    """Materialize a batch of postings, checking each is consistent in itself."""
    if isinstance(postings, (str, bytes, PostedTransfer)) or not isinstance(postings, Iterable):
        raise InvalidTypeError("postings", "must be a sequence of PostedTransfer")
    batch: list[PostedTransfer] = []
    for index, posting in enumerate(postings):  # item by item: fail at the first wrong one
        if type(posting) is not PostedTransfer and not isinstance(posting, PostedTransfer):
            raise InvalidTypeError(
                f"postings[{index}]", f"must be a PostedTransfer, not {type(posting).__name__}"
            )
        batch.append(posting)
        tid = posting.transfer.transfer_id
        total = 0
        for entry in posting.entries:
            if entry.transfer_id != tid:
                raise InvalidValueError(
                    f"postings[{index}]", f"an entry of {tid!r} names {entry.transfer_id!r}"
                )
            total += entry.minutes
        if total != 0 or not posting.entries:
            raise InvalidValueError(
                f"postings[{index}]", f"the entries of {tid!r} must be some and sum to zero"
            )
    return batch


def check_versions(expected_versions: object) -> dict[str, int]:
    """Check an ``expected_versions`` argument: a mapping of account to a version >= 0."""
    if expected_versions is None:
        return {}
    if not isinstance(expected_versions, Mapping):
        raise InvalidTypeError("expected_versions", "must be a mapping of account to int")
    checked: dict[str, int] = {}
    for account, version in expected_versions.items():
        if not isinstance(account, str) or type(version) is not int:
            raise InvalidTypeError("expected_versions", "must map str accounts to int versions")
        if version < 0:
            raise InvalidValueError("expected_versions", "versions are 0 or more")
        checked[account] = version
    return checked


def first_versions(
    batch: Sequence[PostedTransfer],
    rows: Sequence[Sequence[Any]],
    next_index: int,
    next_sequence: int,
) -> dict[str, int] | None:
    """Each account's first version in a batch that runs on from the stored ledger, or ``None``.

    The batch runs on when its postings are numbered from ``next_index`` and its entry rows
    (sequence first, account fourth, version sixth, as the stores write them) from
    ``next_sequence``, without gaps, and each account's versions follow one another within the
    batch. Whether each account's first version follows the stored one is the store's to ask.
    """
    for offset, posting in enumerate(batch):
        if posting.index != next_index + offset:
            return None
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for offset, row in enumerate(rows):
        if row[0] != next_sequence + offset:
            return None
        account, version = row[3], row[5]
        before = last.get(account)
        if before is None:
            first[account] = version
        elif version != before + 1:
            return None
        last[account] = version
    return first


def posting_content(posting: PostedTransfer) -> tuple[object, ...]:
    """What makes two postings of one transfer id the same (everything but times and places)."""
    return (
        posting.transfer.content(),
        tuple((entry.account, entry.minutes) for entry in posting.entries),
    )


def check_same_posting(stored: PostedTransfer, posting: PostedTransfer) -> None:
    """Check that a posting whose transfer id is stored is the same transfer at the same place.

    Raises ``ConflictError``: other content (a real conflict), or the same request posted at
    another position, with other entry numbers or at another time (the caller's ledger is not
    the store's: reload and retry).
    """
    if stored is posting:
        return
    tid = posting.transfer.transfer_id
    if posting_content(stored) != posting_content(posting):
        raise transfer_conflict(tid)
    if stored != posting:
        raise ConflictError(
            tid,
            f"transfer {tid!r} is already stored at position {stored.index}, not as posted "
            f"at position {posting.index}: the ledger it was posted on is not the store's; "
            "reload and retry",
        )


def transfer_conflict(transfer_id: str) -> ConflictError:
    """The error for a transfer id stored with other content."""
    return ConflictError(transfer_id, f"transfer {transfer_id!r} exists with different content")


def stale(transfer_id: str, message: str) -> ConflictError:
    """The error for a posting that does not continue the stored ledger."""
    return ConflictError(
        transfer_id,
        f"transfer {transfer_id!r} does not continue the stored ledger ({message}): "
        "reload and retry",
    )


def check_next_posting(
    posting: PostedTransfer,
    next_index: int,
    next_sequence: int,
    versions: dict[str, int],
    stored_version: Callable[[str], int],
) -> int:
    """Check that a new posting continues the ledger; return the next entry sequence after it.

    Its index must be ``next_index``, its entries' sequences follow on from ``next_sequence``,
    and each entry's version be one more than its account's. ``versions`` holds the versions
    the batch has reached so far and is updated with this posting's entries; an account the
    batch has not touched yet is at ``stored_version(account)``.

    Raises:
        ConflictError: the posting does not continue the ledger (:func:`stale`).
    """
    tid = posting.transfer.transfer_id
    if posting.index != next_index:
        raise stale(tid, f"index {posting.index}, expected {next_index}")
    for entry in posting.entries:
        if entry.sequence != next_sequence:
            raise stale(tid, f"entry sequence {entry.sequence}, expected {next_sequence}")
        account = entry.account
        version = (versions[account] if account in versions else stored_version(account)) + 1
        if entry.version != version:
            raise stale(tid, f"{account} version {entry.version}, expected {version}")
        versions[account] = version
        next_sequence += 1
    return next_sequence


def append_postings(
    batch: Sequence[PostedTransfer],
    next_index: int,
    next_sequence: int,
    stored_posting: Callable[[str], PostedTransfer | None],
    stored_version: Callable[[str], int],
    write: Callable[[PostedTransfer], object],
) -> int:
    """The one rule by which every ledger store appends a batch; return how many were new.

    In batch order, a posting whose transfer id is stored (``stored_posting``, which must see
    what this batch has written) must be the same posting (:func:`check_same_posting`): a
    batch retried adds nothing. A new one must continue the ledger from ``next_index`` and
    ``next_sequence`` (:func:`check_next_posting`; ``stored_version`` gives an account's
    stored version) and is handed to ``write``. The caller runs this inside its transaction
    or lock, so an error leaves nothing of the batch behind.

    Raises:
        ConflictError: a stored transfer id with other content or at another place, or a
            posting that does not continue the ledger.
    """
    versions: dict[str, int] = {}
    added = 0
    for posting in batch:
        stored = stored_posting(posting.transfer.transfer_id)
        if stored is not None:
            check_same_posting(stored, posting)
            continue
        next_sequence = check_next_posting(
            posting, next_index, next_sequence, versions, stored_version
        )
        write(posting)
        next_index += 1
        added += 1
    return added


def transfer_not_found(transfer_id: str) -> NotFoundError:
    """The error for a transfer id with no posting."""
    return NotFoundError(transfer_id, f"no ledger transfer {transfer_id!r}")


def version_conflict(account: str, expected: int, current: int) -> ConflictError:
    """The error for an account not at its expected version."""
    return ConflictError(
        account, f"account {account!r} is at version {current}, not {expected}: reload and retry"
    )


def check_start(value: object) -> int:
    """Check a ``start`` position: an int, 0 or more."""
    if type(value) is not int:
        raise InvalidTypeError("start", f"must be an int, not {type(value).__name__}")
    if value < 0:
        raise InvalidValueError("start", "must be 0 or more")
    return value


def region_levels(region: RegionCode) -> tuple[str | None, str | None, str | None]:
    """The ``(province, city, county)`` codes on a region's chain of ancestors."""
    province = city = county = None
    for ancestor in region.ancestors():
        if ancestor.level == "province":
            province = ancestor.code
        elif ancestor.level == "city":
            city = ancestor.code
        else:
            county = ancestor.code
    return province, city, county
