"""The life of a transfer, as pure state transitions, and continuation (接续) at the destination.

A :class:`Transfer` is a package on its way. It starts ``initiated`` (:func:`initiate_transfer`)
and ends in exactly one of:

- ``accepted`` (:func:`accept_transfer`): the destination checked the package
  (:func:`~volunteer_rules.check_transfer`), found nothing wrong, and now holds the records;
- ``rejected`` (:func:`reject_transfer`): the destination refused it, with a reason;
- ``cancelled`` (:func:`cancel_transfer`): the source or the volunteer withdrew it (withdrawing
  consent is a cancellation);
- ``expired`` (:func:`expire_transfer`): nobody decided before ``expires_at``.

Every function takes the time of the event as a parameter (``at``); none reads a clock.
``expires_at`` is exclusive: at ``expires_at`` and later the transfer is expired and can no
longer be accepted. A transition that does not start from ``initiated`` is a
:class:`~volunteer_rules.ConflictError`, except repeating the transition that already happened,
which changes nothing (every transition is idempotent).

**Acceptance is the receiver's verification** (MCA 2012 draft [MCA2012-draft]: the receiving
organisation verifies and keeps the records; rule 18): the imported records keep their status,
key and content, and carry their origin (an :class:`ImportedRecord`: the source organization
and the package digest) so they can always be traced back. **Acceptance is idempotent**: a
record already held with this package as its origin is not imported again, so accepting the
same package twice imports nothing new.

**The source keeps its records** and marks them (:func:`mark_transferred`: a
:class:`TransferredRecord` names the destination and the package). **Every hour counts exactly
once across both sides**: a record keeps its key ``(organization_id, record_id)`` wherever it
is held, so a certification over both sides uses :func:`combined_history`, the union of both
holdings with each record once (two different contents under one key are a conflict that
counts for no one, ``duplicate_record``, never silently merged).

**Continuation** (:func:`transfer_continuation`): the volunteer's level before the move (the
package's records under the source's rule set) and after it (the whole history, the
destination's records of the volunteer and the package's, under the destination's rule set,
found by region) (Taiwan record book Art. 7 [TW-BOOK] and the CYL card [CYL-card]: the record
continues across organisations; rule 19).

Example:
    >>> import volunteer_rules as vr
    >>> from datetime import date, datetime, timezone
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
    >>> at = datetime(2024, 6, 1, tzinfo=timezone.utc)
    >>> package = vr.create_transfer_package(
    ...     [record], volunteer_id=record.volunteer_id,
    ...     source_organization_id=record.organization_id,
    ...     destination_organization_id="51211100MJ00000175",
    ...     destination_region_code="210100", consent=True, created_at=at)
    >>> transfer = vr.initiate_transfer(package, at=at)
    >>> result = vr.accept_transfer(transfer, destination_records=[], at=at,
    ...                             as_of=date(2024, 6, 1))
    >>> result.accepted, result.transfer.state, len(result.imported)
    (True, 'accepted', 1)
    >>> result.imported[0].origin.package_digest == package.digest
    True
    >>> again = vr.accept_transfer(result.transfer, destination_records=result.holdings,
    ...                            at=at, as_of=date(2024, 6, 1))
    >>> len(again.imported), again.holdings == result.holdings
    (0, True)
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import Any, Final

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import one_of, require_aware
from volunteer_rules.errors import (
    ConflictError,
    InvalidTypeError,
    InvalidValueError,
)
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.transfer.check import (
    TransferDecision,
    TransferFinding,
    check_transfer,
)
from volunteer_rules.transfer.continuation import Continuation, transfer_continuation
from volunteer_rules.transfer.holdings import (
    Holding,
    ImportedRecord,
    RecordOrigin,
    TransferredRecord,
    combined_history,
    unwrap_record,
)
from volunteer_rules.transfer.package import TransferPackage

__all__ = [
    "TRANSFER_STATES",
    "Holding",
    "ImportedRecord",
    "RecordOrigin",
    "Transfer",
    "TransferAcceptance",
    "TransferEvent",
    "TransferredRecord",
    "accept_transfer",
    "cancel_transfer",
    "combined_history",
    "expire_transfer",
    "initiate_transfer",
    "mark_transferred",
    "reject_transfer",
]

TRANSFER_STATES: Final = ("initiated", "accepted", "rejected", "cancelled", "expired")
"""The states of a :class:`Transfer`; every one but ``initiated`` is final."""


@masked_repr
@attrs.frozen(kw_only=True)
class TransferEvent:
    """One step in a transfer's history.

    Attributes:
        state: the state entered.
        at: when.
        reason: why (for ``rejected`` and ``cancelled``), else ``""``.

    Example:
        >>> from datetime import datetime, timezone
        >>> TransferEvent(state="initiated", at=datetime(2024, 6, 1, tzinfo=timezone.utc)).reason
        ''
    """

    state: str
    at: _dt.datetime
    reason: str = ""


@masked_repr
@attrs.frozen(kw_only=True)
class Transfer:
    """A transfer package on its way, and what has happened to it.

    Attributes:
        package: the package.
        state: one of :data:`TRANSFER_STATES`.
        expires_at: when it expires if nobody decides (exclusive), or ``None``.
        history: every :class:`TransferEvent`, oldest first.

    Example:
        >>> import volunteer_rules as vr
        >>> from datetime import datetime, timezone
        >>> from volunteer_rules.testing.examples import sample_transfer_package
        >>> at = datetime(2024, 6, 1, tzinfo=timezone.utc)
        >>> package = sample_transfer_package()
        >>> transfer = vr.initiate_transfer(package, at=at)
        >>> transfer.state, transfer.digest == package.digest
        ('initiated', True)
    """

    package: TransferPackage
    state: str = attrs.field(validator=one_of(TRANSFER_STATES))
    expires_at: _dt.datetime | None = None
    history: tuple[TransferEvent, ...] = ()

    @property
    def digest(self) -> str:
        """The package's digest: the transfer's identity.

        Example:
            >>> import volunteer_rules as vr
            >>> from datetime import datetime, timezone
            >>> from volunteer_rules.testing.examples import sample_transfer_package
            >>> at = datetime(2024, 6, 1, tzinfo=timezone.utc)
            >>> package = sample_transfer_package()
            >>> vr.initiate_transfer(package, at=at).digest == package.digest
            True
        """
        return self.package.digest

    @property
    def decided_at(self) -> _dt.datetime | None:
        """When the transfer reached its final state, or ``None`` while ``initiated``.

        Example:
            >>> import volunteer_rules as vr
            >>> from datetime import datetime, timezone
            >>> from volunteer_rules.testing.examples import sample_transfer_package
            >>> at = datetime(2024, 6, 1, tzinfo=timezone.utc)
            >>> package = sample_transfer_package()
            >>> transfer = vr.initiate_transfer(package, at=at)
            >>> transfer.decided_at is None, vr.cancel_transfer(transfer, at=at).decided_at == at
            (True, True)
        """
        if self.state == "initiated" or not self.history:
            return None
        return self.history[-1].at


def initiate_transfer(
    package: TransferPackage, *, at: _dt.datetime, expires_at: _dt.datetime | None = None
) -> Transfer:
    """Start a transfer: the package is sent and waits for the destination's decision.

    Args:
        package: the package.
        at: when it is sent (aware).
        expires_at: when it expires if nobody decides (aware, after ``at``; exclusive), or
            ``None`` for never.

    Raises:
        InvalidTypeError: a wrong type.
        InvalidValueError: a naive time, or ``expires_at`` not after ``at``.

    Example:
        >>> import volunteer_rules as vr
        >>> from datetime import datetime, timedelta, timezone
        >>> from volunteer_rules.testing.examples import sample_transfer_package
        >>> at = datetime(2024, 6, 1, tzinfo=timezone.utc)
        >>> package = sample_transfer_package()
        >>> vr.initiate_transfer(package, at=at, expires_at=at + timedelta(days=30)).state
        'initiated'
    """
    if not isinstance(package, TransferPackage):
        raise InvalidTypeError(
            "package", f"must be a TransferPackage, not {type(package).__name__}"
        )
    require_aware(at, "at")
    if expires_at is not None and require_aware(expires_at, "expires_at") <= at:
        raise InvalidValueError("expires_at", "must be after the transfer starts")
    return Transfer(
        package=package,
        state="initiated",
        expires_at=expires_at,
        history=(TransferEvent(state="initiated", at=at),),
    )


def _start(transfer: Transfer, at: _dt.datetime) -> None:
    if not isinstance(transfer, Transfer):
        raise InvalidTypeError("transfer", f"must be a Transfer, not {type(transfer).__name__}")
    require_aware(at, "at")
    if transfer.history and at < transfer.history[0].at:
        raise InvalidValueError("at", "is before the transfer was initiated")


def _is_expired(transfer: Transfer, at: _dt.datetime) -> bool:
    return transfer.expires_at is not None and at >= transfer.expires_at


def _move(transfer: Transfer, state: str, at: _dt.datetime, reason: str = "") -> Transfer:
    if not isinstance(reason, str):
        raise InvalidTypeError("reason", "must be a str")
    if transfer.state == state:
        return transfer
    if transfer.state != "initiated":
        raise ConflictError(
            transfer.digest,
            f"transfer {transfer.digest[:12]} is {transfer.state}; it cannot become {state}",
        )
    return attrs.evolve(
        transfer,
        state=state,
        history=(*transfer.history, TransferEvent(state=state, at=at, reason=reason)),
    )


def reject_transfer(transfer: Transfer, *, at: _dt.datetime, reason: str) -> Transfer:
    """The destination refuses the transfer.

    Args:
        transfer: an ``initiated`` (or already ``rejected``) transfer.
        at: when (aware).
        reason: why, one sentence.

    Raises:
        ConflictError: the transfer was already accepted, cancelled or expired.

    Example:
        >>> import volunteer_rules as vr
        >>> from datetime import datetime, timezone
        >>> from volunteer_rules.testing.examples import sample_transfer_package
        >>> at = datetime(2024, 6, 1, tzinfo=timezone.utc)
        >>> package = sample_transfer_package(consent=False)
        >>> vr.reject_transfer(vr.initiate_transfer(package, at=at), at=at,
        ...                    reason="no consent").history[-1].reason
        'no consent'
    """
    _start(transfer, at)
    return _move(transfer, "rejected", at, reason)


def cancel_transfer(transfer: Transfer, *, at: _dt.datetime, reason: str = "") -> Transfer:
    """The source (or the volunteer, withdrawing consent) calls the transfer off.

    Raises:
        ConflictError: the transfer was already accepted, rejected or expired.

    Example:
        >>> import volunteer_rules as vr
        >>> from datetime import datetime, timezone
        >>> from volunteer_rules.testing.examples import sample_transfer_package
        >>> at = datetime(2024, 6, 1, tzinfo=timezone.utc)
        >>> package = sample_transfer_package()
        >>> vr.cancel_transfer(vr.initiate_transfer(package, at=at), at=at).state
        'cancelled'
    """
    _start(transfer, at)
    return _move(transfer, "cancelled", at, reason)


def expire_transfer(transfer: Transfer, *, at: _dt.datetime) -> Transfer:
    """Mark the transfer expired, if ``at`` is at or after ``expires_at``; else unchanged.

    Raises:
        ConflictError: the transfer is past its expiry but already accepted, rejected or
            cancelled.

    Example:
        >>> import volunteer_rules as vr
        >>> from datetime import datetime, timedelta, timezone
        >>> from volunteer_rules.testing.examples import sample_transfer_package
        >>> at = datetime(2024, 6, 1, tzinfo=timezone.utc)
        >>> package = sample_transfer_package()
        >>> transfer = vr.initiate_transfer(package, at=at, expires_at=at + timedelta(days=1))
        >>> vr.expire_transfer(transfer, at=at + timedelta(hours=23)).state
        'initiated'
        >>> vr.expire_transfer(transfer, at=at + timedelta(days=1)).state
        'expired'
    """
    _start(transfer, at)
    if not _is_expired(transfer, at) or transfer.state in ("accepted", "rejected", "cancelled"):
        return transfer
    return _move(transfer, "expired", at)


# --- acceptance -------------------------------------------------------------------------


@masked_repr
@attrs.frozen(kw_only=True)
class TransferAcceptance:
    """What :func:`accept_transfer` did.

    Attributes:
        accepted: ``True`` when the destination now holds the package's records.
        transfer: the transfer in its new state (``accepted``; ``expired`` when it was too
            late; unchanged ``initiated`` when the check found violations).
        decision: the :class:`~volunteer_rules.TransferDecision` of the check (records already
            imported from this same package are not duplicates of themselves).
        imported: the records newly imported (empty when accepting again).
        holdings: what the destination holds afterwards: what it held, then ``imported``.
        continuation: the level before and after (:class:`Continuation`), when computed.

    Example:
        >>> import volunteer_rules as vr
        >>> from datetime import datetime, timezone
        >>> from volunteer_rules.testing.examples import sample_transfer_package
        >>> at = datetime(2024, 6, 1, tzinfo=timezone.utc)
        >>> package = sample_transfer_package()
        >>> accepted = vr.accept_transfer(vr.initiate_transfer(package, at=at),
        ...     destination_records=[], at=at, as_of=at.date())
        >>> accepted.accepted, len(accepted.imported), accepted.transfer.state
        (True, 1, 'accepted')
    """

    accepted: bool
    transfer: Transfer
    decision: TransferDecision
    imported: tuple[ImportedRecord, ...]
    holdings: tuple[Holding, ...]
    continuation: Continuation | None = None


def accept_transfer(
    transfer: Transfer,
    *,
    destination_records: Iterable[Holding],
    at: _dt.datetime,
    as_of: _dt.date,
    continuation: bool = False,
    rule_set: Any = None,
) -> TransferAcceptance:
    """The destination checks the package and, if nothing is wrong, takes the records in.

    The check is :func:`~volunteer_rules.check_transfer` against the holdings, leaving out
    what was already imported from this same package (so accepting again is not a
    ``duplicate_record``). With violations nothing is imported and the transfer stays
    ``initiated`` (the destination may :func:`reject_transfer` it). At or after
    ``expires_at`` the transfer becomes ``expired``, nothing is imported and the decision
    carries an ``expired`` violation. Otherwise every
    package record not already held with this package as origin is imported as an
    :class:`ImportedRecord` and the transfer is ``accepted``. Accepting an accepted transfer
    again imports nothing new.

    Args:
        transfer: an ``initiated`` or ``accepted`` transfer.
        destination_records: what the destination holds now.
        at: when the destination decides (aware).
        as_of: the day of the check (a ``date``).
        continuation: also compute the level before and after (:func:`transfer_continuation`).
        rule_set: the destination's rule set, to override region resolution.

    Raises:
        ConflictError: the transfer was rejected or cancelled (or expired earlier).
        InvalidTypeError: a wrong type.

    Example:
        >>> import volunteer_rules as vr
        >>> from datetime import date, datetime, timezone
        >>> at = datetime(2024, 6, 1, tzinfo=timezone.utc)
        >>> package = vr.create_transfer_package(
        ...     [], volunteer_id="V1", source_organization_id="G-a",
        ...     destination_organization_id="G-a", destination_region_code="211100",
        ...     consent=True, created_at=at)
        >>> result = vr.accept_transfer(vr.initiate_transfer(package, at=at),
        ...     destination_records=[], at=at, as_of=date(2024, 6, 1))
        >>> result.accepted, result.transfer.state, result.decision.codes
        (False, 'initiated', ('same_place',))
    """
    _start(transfer, at)
    if transfer.state not in ("initiated", "accepted"):
        raise ConflictError(
            transfer.digest,
            f"transfer {transfer.digest[:12]} is {transfer.state}; it cannot be accepted",
        )
    if isinstance(destination_records, (str, bytes)):
        raise InvalidTypeError("destination_records", "must be an iterable of records")
    try:
        items = iter(destination_records)
    except TypeError:
        raise InvalidTypeError("destination_records", "must be an iterable of records") from None
    package = transfer.package
    digest = package.digest
    already: set[tuple[str, str]] = set()
    others: list[ServiceRecord] = []
    kept: list[Holding] = []
    for item in items:
        if isinstance(item, ImportedRecord) and item.origin.package_digest == digest:
            already.add(item.key)
        else:
            others.append(unwrap_record(item))
        kept.append(item)
    holdings = tuple(kept)
    decision = check_transfer(package, destination_records=others, as_of=as_of)
    if transfer.state == "initiated" and _is_expired(transfer, at):
        expired = _move(transfer, "expired", at)
        late = TransferFinding(
            code="expired",
            message=f"the transfer expired at {transfer.expires_at.isoformat()}"
            if transfer.expires_at is not None
            else "the transfer expired",
        )
        return TransferAcceptance(
            accepted=False,
            transfer=expired,
            decision=attrs.evolve(decision, allowed=False, violations=(*decision.violations, late)),
            imported=(),
            holdings=holdings,
        )
    if not decision.allowed and transfer.state == "initiated":
        return TransferAcceptance(
            accepted=False, transfer=transfer, decision=decision, imported=(), holdings=holdings
        )
    origin = RecordOrigin(
        source_organization_id=package.source_organization_id,
        source_region_code=package.source_region_code,
        package_digest=digest,
        accepted_at=at if transfer.state == "initiated" else _accepted_at(transfer, at),
    )
    imported = tuple(
        ImportedRecord(record=record, origin=origin)
        for record in combined_history(package.records)  # an identical repeat is one record
        if (record.organization_id, record.record_id) not in already
    )
    result = TransferAcceptance(
        accepted=True,
        transfer=_move(transfer, "accepted", at),
        decision=decision,
        imported=imported,
        holdings=(*holdings, *imported),
    )
    if continuation:
        try:
            levels: Continuation | None = transfer_continuation(
                package, destination_records=result.holdings, as_of=as_of, rule_set=rule_set
            )
        except InvalidValueError:
            levels = None  # no rule set found or applicable: accepted all the same
        result = attrs.evolve(result, continuation=levels)
    return result


def _accepted_at(transfer: Transfer, at: _dt.datetime) -> _dt.datetime:
    for event in transfer.history:
        if event.state == "accepted":
            return event.at
    return at  # pragma: no cover - an accepted transfer always has its event


def mark_transferred(
    source_records: Iterable[Holding], package: TransferPackage
) -> tuple[Holding, ...]:
    """The source's holdings after the move: the package's records marked as transferred.

    Nothing is removed: each record whose key is in the package becomes a
    :class:`TransferredRecord` naming the destination and the package; everything else is
    returned as it was, in the same order. Marking again changes nothing.

    Raises:
        InvalidTypeError: a wrong type.

    Example:
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import sample_transfer_package
        >>> package = sample_transfer_package()
        >>> marked = vr.mark_transferred(package.records, package)
        >>> type(marked[0]).__name__, marked[0].destination_organization_id
        ('TransferredRecord', '51211100MJ00000175')
    """
    if not isinstance(package, TransferPackage):
        raise InvalidTypeError(
            "package", f"must be a TransferPackage, not {type(package).__name__}"
        )
    if isinstance(source_records, (str, bytes)):
        raise InvalidTypeError("source_records", "must be an iterable of records")
    try:
        items = iter(source_records)
    except TypeError:
        raise InvalidTypeError("source_records", "must be an iterable of records") from None
    keys = {(r.organization_id, r.record_id) for r in package.records}
    result: list[Holding] = []
    for item in items:
        record = unwrap_record(item)
        if (
            isinstance(item, TransferredRecord)
            or (record.organization_id, record.record_id) not in keys
        ):
            result.append(item)
            continue
        result.append(
            TransferredRecord(
                record=record,
                destination_organization_id=package.destination_organization_id,
                destination_region_code=package.destination_region_code,
                package_digest=package.digest,
            )
        )
    return tuple(result)
