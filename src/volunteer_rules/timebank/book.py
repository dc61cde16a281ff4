"""The ledger itself: balances, versions, holds and the entry log, and posting to them.

Length: one class, :class:`Ledger`, whose posting path (``post_many``, 1,000,000 transfers with
every check on, measured in docs/benchmarks.md against a dict-of-balances loop, target 4×)
keeps balances, versions, holds, the id and record-key indexes and the entry log in step;
its reading methods are short and read the same private state. The entry log is apart
(``_entry_log``), as are the transfers, the limits and the checks.

Example:
    >>> from volunteer_rules.timebank.book import Ledger
    >>> Ledger().balance("V1").minutes
    0
"""

from __future__ import annotations

import datetime as _dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from itertools import islice
from operator import attrgetter
from typing import Final, NamedTuple

from volunteer_rules._validate import require_aware
from volunteer_rules.errors import ConflictError, InvalidTypeError, InvalidValueError, NotFoundError
from volunteer_rules.hours import Hours, InsufficientHoursError
from volunteer_rules.timebank._entry_log import _ID, _KEY, _Log
from volunteer_rules.timebank.limits import LedgerLimits
from volunteer_rules.timebank.transfers import (
    _NOT_REVERSIBLE,
    HOLDS,
    ISSUER,
    POOL,
    REDEEMED,
    SYSTEM_ACCOUNTS,
    LedgerEntry,
    LedgerTransfer,
    PostedTransfer,
    _check_account,
)

__all__ = [
    "Ledger",
]

_CHUNK: Final = 4096


_KIND: Final = attrgetter("kind")
_AT: Final = attrgetter("at")


_NO_CAP: Final = 1 << 200  # above any balance: "no cap" without a None test per leg
_NO_FLOOR: Final = -(1 << 200)  # below any balance: the issuer's "no floor"


def _system_floors(volunteer_floor: int) -> dict[str, int]:
    """Floor per system account, and ``""`` for the volunteers' floor."""
    return {ISSUER: _NO_FLOOR, POOL: 0, REDEEMED: 0, HOLDS: 0, "": volunteer_floor}


_SIMPLE: Final = frozenset({"credit", "redeem", "give", "donate", "grant", "adjust"})


_EXACT_TYPE: Final = frozenset({LedgerTransfer})  # the bulk path takes no subclass


class _Hold(NamedTuple):
    account: str
    minutes: int
    expires_at: _dt.datetime


class Ledger:
    """An immutable time bank ledger: posted transfers, their entries, and the derived balances.

    Build an empty one with ``Ledger()`` (or ``Ledger(limits=...)``), or replay stored
    transfers with :meth:`from_transfers`. Posting returns a new ledger; the old one is unchanged
    and stays valid. Reading is safe from several threads.

    Args:
        limits: the balance limits (:class:`LedgerLimits`); a policy's ``limits``.

    Example:
        >>> from datetime import datetime, timezone
        >>> at = datetime(2024, 5, 1, tzinfo=timezone.utc)
        >>> empty = Ledger(limits=LedgerLimits(cap=Hours.from_hours(1)))
        >>> t = LedgerTransfer(transfer_id="c-1", kind="credit", legs=(("@issuer", -90), ("V1", 90)),
        ...              at=at, record_key=("o", "r-1"))
        >>> ledger, posted = empty.post(t)
        >>> ledger.balance("V1"), ledger.balance(POOL), len(empty), len(ledger)
        (Hours(minutes=60), Hours(minutes=30), 0, 1)
    """

    __slots__ = (
        "_balances",
        "_holds",
        "_last_at",
        "_limits",
        "_log",
        "_ne",
        "_next_expiry",
        "_nt",
        "_token",
    )

    def __init__(self, *, limits: LedgerLimits | None = None) -> None:
        if limits is None:
            limits = LedgerLimits()
        elif not isinstance(limits, LedgerLimits):
            raise InvalidTypeError("limits", f"must be LedgerLimits, not {type(limits).__name__}")
        self._limits = limits
        self._log = _Log()
        self._nt = 0
        self._ne = 0
        self._balances: dict[str, int] = {}
        self._holds: dict[str, _Hold] = {}
        self._last_at: _dt.datetime | None = None
        self._next_expiry: _dt.datetime | None = None
        self._token = object()
        self._log.tip = self._token

    # ----------------------------------------------------------------- building

    @classmethod
    def from_transfers(
        cls, transfers: Iterable[LedgerTransfer], *, limits: LedgerLimits | None = None
    ) -> Ledger:
        """Replay transfers (as stored, in order) into a ledger; ``expire`` ones are re-made.

        Raises:
            InvalidTypeError, InvalidValueError, ConflictError, InsufficientHoursError: a
                transfer cannot be posted (the stored history is not a valid ledger).

        Example:
            >>> from datetime import datetime, timezone
            >>> t = LedgerTransfer(transfer_id="g", kind="grant", legs=(("@pool", -1), ("V1", 1)),
            ...              at=datetime(2024, 5, 1, tzinfo=timezone.utc))
            >>> Ledger.from_transfers([])
            Ledger(transfers=0, entries=0)
        """
        ledger = cls(limits=limits)
        if isinstance(transfers, (str, bytes)) or not isinstance(transfers, Iterable):
            raise InvalidTypeError("transfers", "must be an iterable of LedgerTransfer")
        return ledger.post_many(transfers)

    def _fork(self) -> Ledger:
        new = object.__new__(Ledger)
        new._limits = self._limits
        new._token = object()
        log = self._log
        with log.lock:
            if log.tip is self._token and len(log.transfers) == self._nt:
                log.tip = new._token
                shared = True
            else:
                shared = False
        if not shared:
            log = log.truncated(self._nt, self._ne)
            log.tip = new._token
        new._log = log
        new._nt = self._nt
        new._ne = self._ne
        new._balances = dict(self._balances)
        new._holds = dict(self._holds)
        new._last_at = self._last_at
        new._next_expiry = self._next_expiry
        return new

    def post(self, transfer: LedgerTransfer) -> tuple[Ledger, PostedTransfer]:
        """Post one transfer; return the new ledger and the transfer as posted.

        A retry (same id, same content) returns ``self`` and the original posting.

        Raises:
            InvalidTypeError: ``transfer`` is not a :class:`LedgerTransfer`.
            InvalidValueError: ``at`` earlier than the last transfer, a ``expire`` posted by a
                caller, a reference to a missing or unsuitable transfer, legs that do not match
                the reservation or transfer referred to, the cap exceeded under ``"refuse"``.
            ConflictError: the id exists with other content, the record was already credited,
                the transfer was already reversed.
            InsufficientHoursError: an account would go below its floor.

        Example:
            >>> from datetime import datetime, timezone
            >>> t = LedgerTransfer(transfer_id="d", kind="donate", legs=(("V1", -60), (POOL, 60)),
            ...              at=datetime(2024, 5, 1, tzinfo=timezone.utc))
            >>> Ledger().post(t)
            Traceback (most recent call last):
            ...
            volunteer_rules.hours.InsufficientHoursError: V1: 1 h requested but only 0 h available (transfer 'd')
        """
        if not isinstance(transfer, LedgerTransfer):
            raise InvalidTypeError(
                "transfer", f"must be a LedgerTransfer, not {type(transfer).__name__}"
            )
        existing = self._find(transfer.transfer_id)
        if existing is not None:
            self._same_or_conflict(existing, transfer)
            return self, self._posted(existing)
        new = self.post_many((transfer,))
        index = new._find(transfer.transfer_id)
        assert index is not None
        return new, new._posted(index)

    def post_many(self, transfers: Iterable[LedgerTransfer]) -> Ledger:
        """Post a batch atomically (all or nothing); retries inside are no-ops.

        The hot path for bulk work: the ledger's state is copied once for the whole batch.
        Use :meth:`postings` with ``start=len(old)`` to read what was added.

        Raises:
            VolunteerRulesError: as :meth:`post` raises it; on any error nothing of the
                batch is posted.

        Example:
            >>> from datetime import datetime, timezone
            >>> at = datetime(2024, 5, 1, tzinfo=timezone.utc)
            >>> batch = [LedgerTransfer(transfer_id=f"c-{i}", kind="credit", record_key=("o", str(i)),
            ...                   legs=((ISSUER, -60), ("V1", 60)), at=at) for i in range(3)]
            >>> Ledger().post_many(batch + batch).balance("V1")
            Hours(minutes=180)
        """
        if isinstance(transfers, (str, bytes)) or not isinstance(transfers, Iterable):
            raise InvalidTypeError("transfers", "must be an iterable of LedgerTransfer")
        new = self._fork()
        try:
            new._post_all(transfers)
        except BaseException:
            new._rollback(self)
            raise
        return new

    # ----------------------------------------------------------------- the hot path

    def _rollback(self, old: Ledger) -> None:
        """Undo the appends of a failed batch so that ``old`` keeps sharing the log."""
        log = self._log
        with log.lock:
            if log.tip is not self._token or log is not old._log:
                return
            nt, ne = old._nt, old._ne
            for transfer in log.transfers[nt:]:
                log.ids.discard(transfer.transfer_id)
                if log.positions.get(transfer.transfer_id, -1) >= nt:
                    del log.positions[transfer.transfer_id]
                key = transfer.record_key
                if key is not None:
                    log.keys.discard(key)
                    if log.credited.get(key, -1) >= nt:
                        del log.credited[key]
                ref = transfer.reference
                if ref is not None and log.reversed_by.get(ref, -1) >= nt:
                    del log.reversed_by[ref]
            for index in [k for k in log.extra if k >= nt]:
                del log.extra[index]
            del log.transfers[nt:]
            del log.first[nt:]
            log.indexed = min(log.indexed, nt)
            log.indexed_entries = min(log.indexed_entries, ne)
            log.positions_upto = min(log.positions_upto, nt)
            log.credited_upto = min(log.credited_upto, nt)
            for seqs in log.history.values():
                while seqs and seqs[-1] >= ne:
                    seqs.pop()
            log.tip = old._token

    def _post_all(self, transfers: Iterable[LedgerTransfer]) -> None:
        """Post a batch in chunks: clean chunks in bulk, the rest one by one."""
        if isinstance(transfers, (list, tuple)):  # slices copy faster than islice
            chunks: Iterable[list[LedgerTransfer] | tuple[LedgerTransfer, ...]] = (
                transfers[start : start + _CHUNK] for start in range(0, len(transfers), _CHUNK)
            )
        else:
            items = iter(transfers)
            chunks = iter(lambda: list(islice(items, _CHUNK)), [])
        for chunk in chunks:
            done = self._post_chunk(chunk)
            if done < len(chunk):
                self._post_each(chunk[done:] if done else chunk)

    def _post_chunk(self, chunk: list[LedgerTransfer] | tuple[LedgerTransfer, ...]) -> int:
        """Post a chunk of fresh two-leg transfers in bulk; return how many were posted.

        The chunk-wide checks run at C speed: every item a ``LedgerTransfer`` of a simple
        kind, ids new and distinct, record keys new and distinct, times in order and not
        before the ledger's last, no hold falling due. Then one loop moves the balances and
        checks floor and cap per leg; it stops at the first transfer needing more (three or
        more legs, a floor breached, an overflow), and the caller posts the rest one by one
        with every check. Returns 0 (nothing done) when a chunk-wide check fails.

        Length: the hot path of ``post_many`` (docs/benchmarks.md: 1,000,000 transfers against
        a dict-of-balances loop, target 4×); its checks and the one loop share local names
        bound once per chunk, which steps in separate functions would pass or look up again.
        """
        n = len(chunk)
        # issuperset walks the iterator without building a set and stops at the first miss
        if not n or not _EXACT_TYPE.issuperset(map(type, chunk)):
            return 0
        if not _SIMPLE.issuperset(map(_KIND, chunk)):
            return 0
        log = self._log
        ats = list(map(_AT, chunk))
        last_at = self._last_at
        # in order: sorting an ordered list compares neighbours once (the sort is stable, so
        # the sorted copy holds the same objects); this beats a map(le, ...) of n calls
        if (last_at is not None and ats[0] < last_at) or ats != sorted(ats):
            return 0
        if self._next_expiry is not None and ats[-1] >= self._next_expiry:
            return 0
        nt, ne = self._nt, self._ne
        # Claim the ids and record keys: each set must grow by exactly their number, or one
        # was posted before (a retry) or comes twice; then give back the claims that are not
        # posted transfers and let the one-by-one path sort it out.
        seen = log.ids
        ids = list(map(_ID, chunk))
        size = len(seen)
        seen.update(ids)
        if len(seen) != size + n:
            self._unclaim(ids, ())
            return 0
        keys = list(filter(None, map(_KEY, chunk)))
        credited = log.keys
        if keys:
            size = len(credited)
            credited.update(keys)
            if len(credited) != size + len(keys):
                self._unclaim(ids, keys)
                return 0
        balances = self._balances
        balance_get = balances.get
        system = SYSTEM_ACCOUNTS
        issuer = ISSUER
        limits = self._limits
        floors = _system_floors(-limits.overdraft.minutes)
        floor_get = floors.get
        floor = floors[""]
        cap = _chunk_cap(limits, ats[0], ats[-1])
        if cap is None:  # a dated cap that may start or end inside the chunk: one by one
            self._unclaim(ids, keys)
            return 0
        # A floor is never above zero: look it up only for a balance that went negative, and
        # not for the issuer (no floor; an equal but distinct "@issuer" string still finds
        # its _NO_FLOOR in the look-up). Balances are read by subscript (faster than get);
        # an account's first entry takes the KeyError branch once.
        for transfer in chunk:
            try:
                (a, ma), (b, mb) = transfer.legs
            except ValueError:  # three legs or more
                break
            try:
                ba = balances[a] + ma
                bb = balances[b] + mb
            except KeyError:
                ba = balance_get(a, 0) + ma
                bb = balance_get(b, 0) + mb
            if ma < 0:
                if (ba < 0 and a is not issuer and ba < floor_get(a, floor)) or (
                    bb > cap and b not in system
                ):
                    break
            elif (bb < 0 and b is not issuer and bb < floor_get(b, floor)) or (
                ba > cap and a not in system
            ):
                break
            balances[a] = ba
            balances[b] = bb
        else:
            transfer = None
        done = n if transfer is None else chunk.index(transfer)
        if done < n:  # the rest goes one by one: un-claim its ids and keys
            seen.difference_update(ids[done:])
            credited.difference_update(filter(None, map(_KEY, chunk[done:])))
        if done:
            log.transfers.extend(chunk if done == n else chunk[:done])
            self._nt = nt + done
            self._ne = ne + 2 * done
            self._last_at = ats[done - 1]
        return done

    def _unclaim(self, ids: Iterable[str], keys: Iterable[tuple[str, str]]) -> None:
        log = self._log
        for tid in ids:
            if log.position(tid, self._nt) is None:
                log.ids.discard(tid)
        for key in keys:
            if log.credited_position(key, self._nt) is None:
                log.keys.discard(key)

    def _post_each(self, transfers: Iterable[LedgerTransfer]) -> None:
        """Post transfers one by one, each with every check (retries, expiry, kinds)."""
        for transfer in transfers:
            if not isinstance(transfer, LedgerTransfer):
                raise InvalidTypeError(
                    "transfer", f"must be a LedgerTransfer, not {type(transfer).__name__}"
                )
            tid = transfer.transfer_id
            index = self._find(tid)
            if index is not None:
                self._same_or_conflict(index, transfer)
                continue
            at = transfer.at
            if self._last_at is not None and at < self._last_at:
                raise InvalidValueError(
                    "at", f"transfer {tid!r} at {at.isoformat()} is earlier than the last transfer"
                )
            if self._next_expiry is not None and at >= self._next_expiry:
                self._expire_holds(at)
                made = self._find(tid)
                if made is not None:  # a stored ``expire`` the ledger has just re-made
                    self._same_or_conflict(made, transfer)
                    continue
            if transfer.kind in _SIMPLE:
                self._post_simple(transfer)
            else:
                self._special(transfer)

    def _open_hold(self, transfer: LedgerTransfer) -> None:
        assert transfer.expires_at is not None
        account, minutes = next((a, -m) for a, m in transfer.legs if a != HOLDS)
        self._holds[transfer.transfer_id] = _Hold(account, minutes, transfer.expires_at)
        if self._next_expiry is None or transfer.expires_at < self._next_expiry:
            self._next_expiry = transfer.expires_at

    def _close_hold(self, reservation_id: str) -> None:
        self._holds.pop(reservation_id, None)
        self._next_expiry = min((h.expires_at for h in self._holds.values()), default=None)

    def _expire_holds(self, now: _dt.datetime) -> None:
        due = sorted((h.expires_at, rid) for rid, h in self._holds.items() if h.expires_at <= now)
        for expires_at, rid in due:
            hold = self._holds[rid]
            last = self._last_at
            release = LedgerTransfer(
                transfer_id=f"{rid}~expired",
                kind="expire",
                legs=((HOLDS, -hold.minutes), (hold.account, hold.minutes)),
                at=expires_at if last is None or expires_at > last else last,
                reference=rid,
            )
            self._post_simple(release)
            self._close_hold(rid)

    def _post_simple(self, transfer: LedgerTransfer) -> None:
        """Append one transfer whose special checks are done: floors, cap, entries."""
        log = self._log
        balances = self._balances
        limits = self._limits
        cap_hours = limits.cap_on(transfer.at.date())
        cap = None if cap_hours is None else cap_hours.minutes
        tid = transfer.transfer_id
        key = transfer.record_key
        if key is not None:
            other = log.credited_position(key, self._nt)
            if other is not None:
                raise ConflictError(
                    tid,
                    f"record {key[0]}/{key[1]} was already credited by transfer "
                    f"{log.transfers[other].transfer_id!r}",
                )
        overflow: list[tuple[str, int]] = []
        new_balances: dict[str, int] = {}
        for account, minutes in transfer.legs:
            before = balances.get(account, 0)
            balance = before + minutes
            if minutes < 0:
                if account in SYSTEM_ACCOUNTS:
                    floor = None if account == ISSUER else 0
                else:
                    floor = -limits.overdraft.minutes
                if floor is not None and balance < floor:
                    raise _insufficient(account, before, minutes, floor, tid)
            elif cap is not None and balance > cap and account not in SYSTEM_ACCOUNTS:
                if limits.overflow == "refuse" and transfer.kind not in ("expire", "void"):
                    raise _above_cap(account, balance, cap, tid)
                overflow.append((account, min(minutes, balance - cap)))
            new_balances[account] = balance
        if sum(m for _, m in transfer.legs) != 0:
            raise InvalidValueError("legs", f"transfer {tid!r} does not balance")
        rows: list[tuple[str, int]] = list(transfer.legs)
        if overflow:
            pooled = 0
            for account, excess in overflow:
                new_balances[account] -= excess
                rows.append((account, -excess))
                pooled += excess
            new_balances[POOL] = new_balances.get(POOL, balances.get(POOL, 0)) + pooled
            rows.append((POOL, pooled))
        balances.update(new_balances)
        nt = self._nt
        if len(rows) > len(transfer.legs):
            log.extra[nt] = tuple(rows[len(transfer.legs) :])
        log.transfers.append(transfer)
        log.ids.add(tid)
        if key is not None:
            log.keys.add(key)
        if transfer.kind == "reverse":
            assert transfer.reference is not None
            log.reversed_by[transfer.reference] = nt
        self._nt = nt + 1
        self._ne += len(rows)
        self._last_at = transfer.at

    def _special(self, transfer: LedgerTransfer) -> None:
        """Check and post a reserve, post, void or reverse transfer."""
        kind = transfer.kind
        tid = transfer.transfer_id
        if kind == "expire":
            raise InvalidValueError("kind", "expire transfers are made by the ledger, not posted")
        if kind == "reserve":
            legs = dict(transfer.legs)
            if len(legs) != 2 or legs.get(HOLDS, 0) <= 0:
                raise InvalidValueError(
                    "legs", "a reservation moves hours from one account to @holds"
                )
            if any(a in SYSTEM_ACCOUNTS for a in legs if a != HOLDS):
                raise InvalidValueError("legs", "only a volunteer's hours can be reserved")
            self._post_simple(transfer)
            self._open_hold(transfer)
            return
        reference = transfer.reference
        assert reference is not None
        target = self._find(reference)
        if target is None:
            raise InvalidValueError("reference", f"no transfer {reference!r} in the ledger")
        original = self._log.transfers[target]
        if kind in ("post", "void"):
            if original.kind != "reserve":
                raise InvalidValueError("reference", f"{reference!r} is not a reservation")
            hold = self._holds.get(reference)
            if hold is None:
                raise ConflictError(
                    tid, f"reservation {reference!r} is no longer open (posted, voided or expired)"
                )
            to = REDEEMED if kind == "post" else hold.account
            expected = ((HOLDS, -hold.minutes), (to, hold.minutes))
            if transfer.legs != expected:
                raise InvalidValueError("legs", f"a {kind} of {reference!r} must be {expected}")
            self._post_simple(transfer)
            self._close_hold(reference)
            return
        # reverse
        if original.kind in _NOT_REVERSIBLE:
            raise InvalidValueError("reference", f"a {original.kind} transfer cannot be reversed")
        done = self._log.reversed_by.get(reference)
        if done is not None and done < self._nt:
            raise ConflictError(
                tid,
                f"transfer {reference!r} was already reversed by "
                f"{self._log.transfers[done].transfer_id!r}",
            )
        undo = self.reversal_legs(reference)
        if transfer.legs != undo:
            raise InvalidValueError("legs", f"a reversal of {reference!r} must be {undo}")
        self._post_simple(transfer)

    def reversal_legs(self, transfer_id: str) -> tuple[tuple[str, int], ...]:
        """The legs of the transfer that undoes ``transfer_id``: its net effect, negated.

        Overflow entries are undone too. A settled reservation (``post``) is undone by a refund
        from :data:`REDEEMED` to the volunteer who reserved.

        Raises:
            NotFoundError: no such transfer.
            InvalidValueError: the transfer moved no hours (a grant to a volunteer at the cap
                whose whole amount overflowed back to the pool, say): there is nothing to undo.

        Example:
            >>> from datetime import datetime, timezone
            >>> t = LedgerTransfer(transfer_id="g", kind="give", legs=(("V1", -30), ("V2", 30)),
            ...              at=datetime(2024, 5, 1, tzinfo=timezone.utc))
            >>> Ledger(limits=LedgerLimits(overdraft=Hours.from_hours(1))).post(t)[0].reversal_legs("g")
            (('V1', 30), ('V2', -30))
        """
        posted = self.transfer(transfer_id)
        transfer = posted.transfer
        net: dict[str, int] = {}
        for entry in posted.entries:
            net[entry.account] = net.get(entry.account, 0) + entry.minutes
        if transfer.kind == "post":
            assert transfer.reference is not None
            reservation = self.transfer(transfer.reference).transfer
            account = next(a for a, _ in reservation.legs if a != HOLDS)
            minutes = net.get(REDEEMED, 0)
            return ((REDEEMED, -minutes), (account, minutes))
        legs = tuple((account, -minutes) for account, minutes in net.items() if minutes)
        if not legs:
            raise InvalidValueError(
                "reference", f"transfer {transfer_id!r} moved no hours: there is nothing to reverse"
            )
        return legs

    # ----------------------------------------------------------------- helpers

    def _find(self, transfer_id: object) -> int | None:
        if not isinstance(transfer_id, str):
            return None
        index = self._log.position(transfer_id, self._nt)
        if index is None or index >= self._nt:
            return None
        return index

    def _same_or_conflict(self, index: int, transfer: LedgerTransfer) -> None:
        original = self._log.transfers[index]
        if original.content() != transfer.content():
            raise ConflictError(
                transfer.transfer_id,
                f"transfer {transfer.transfer_id!r} exists with different content",
            )

    def _posted(self, index: int) -> PostedTransfer:
        log = self._log
        log.index(self._nt)
        transfer = log.transfers[index]
        start = log.first[index]
        end = log.first[index + 1] if index + 1 < self._nt else self._ne
        tid = transfer.transfer_id
        at = transfer.at
        history = log.history
        entries = tuple(
            LedgerEntry(
                start + j, tid, account, minutes, bisect_left(history[account], start + j) + 1, at
            )
            for j, (account, minutes) in enumerate(log.rows(index))
        )
        assert start + len(entries) == end
        return PostedTransfer(transfer=transfer, index=index, entries=entries)

    # ----------------------------------------------------------------- reading

    @property
    def limits(self) -> LedgerLimits:
        """The limits this ledger enforces.

        Example:
            >>> Ledger().limits.overdraft
            Hours(minutes=0)
        """
        return self._limits

    @property
    def last_at(self) -> _dt.datetime | None:
        """The time of the last transfer (``None`` when empty); the next may not be earlier.

        Example:
            >>> Ledger().last_at is None
            True
        """
        return self._last_at

    def __len__(self) -> int:
        return self._nt

    def __repr__(self) -> str:
        return f"Ledger(transfers={self._nt}, entries={self._ne})"

    def balance(self, account: str) -> Hours:
        """The account's balance: the sum of its entries (zero for an unknown account).

        Example:
            >>> Ledger().balance("V1")
            Hours(minutes=0)
        """
        _check_account("account", account)
        return Hours.from_minutes(self._balances.get(account, 0))

    def balances(self) -> dict[str, Hours]:
        """Every account with entries and its balance, sorted by account.

        Example:
            >>> Ledger().balances()
            {}
        """
        return {a: Hours.from_minutes(m) for a, m in sorted(self._balances.items())}

    def version(self, account: str) -> int:
        """The account's version: how many entries it has (0 for none).

        Example:
            >>> Ledger().version("V1")
            0
        """
        _check_account("account", account)
        self._log.index(self._nt)
        seqs = self._log.history.get(account)
        return 0 if seqs is None else bisect_left(seqs, self._ne)

    def versions(self) -> dict[str, int]:
        """Every account's version, sorted by account (a store's expected versions).

        Example:
            >>> Ledger().versions()
            {}
        """
        return {account: self.version(account) for account in sorted(self._balances)}

    def held(self, account: str, *, now: _dt.datetime) -> Hours:
        """Hours of ``account`` in reservations still open at ``now`` (``now < expires_at``).

        Example:
            >>> from datetime import datetime, timezone
            >>> Ledger().held("V1", now=datetime(2024, 5, 1, tzinfo=timezone.utc))
            Hours(minutes=0)
        """
        _check_account("account", account)
        now = require_aware(now, "now")
        return Hours.from_minutes(
            sum(
                h.minutes
                for h in self._holds.values()
                if h.account == account and now < h.expires_at
            )
        )

    def available(self, account: str, *, now: _dt.datetime) -> Hours:
        """What ``account`` may spend at ``now``: balance plus overdraft plus expired holds.

        Reserved hours are not available while their hold is open; a hold that expired by
        ``now`` is available even before its ``expire`` transfer is posted. Never negative.

        Example:
            >>> from datetime import datetime, timezone
            >>> now = datetime(2024, 5, 1, tzinfo=timezone.utc)
            >>> Ledger(limits=LedgerLimits(overdraft=Hours.from_hours(2))).available("V1", now=now)
            Hours(minutes=120)
        """
        _check_account("account", account)
        now = require_aware(now, "now")
        released = sum(
            h.minutes for h in self._holds.values() if h.account == account and h.expires_at <= now
        )
        if account == ISSUER:
            floor = None
        elif account in SYSTEM_ACCOUNTS:
            floor = 0
        else:
            floor = -self._limits.overdraft.minutes
        balance = self._balances.get(account, 0) + released
        if floor is None:
            raise InvalidValueError("account", "the issuer has no limit")
        return Hours.from_minutes(max(0, balance - floor))

    def open_holds(self, *, now: _dt.datetime) -> dict[str, tuple[str, Hours, _dt.datetime]]:
        """Reservations open at ``now``: id → ``(account, hours, expires_at)``, sorted by id.

        Example:
            >>> from datetime import datetime, timezone
            >>> Ledger().open_holds(now=datetime(2024, 5, 1, tzinfo=timezone.utc))
            {}
        """
        now = require_aware(now, "now")
        return {
            rid: (h.account, Hours.from_minutes(h.minutes), h.expires_at)
            for rid, h in sorted(self._holds.items())
            if now < h.expires_at
        }

    def transfer(self, transfer_id: str) -> PostedTransfer:
        """The posted transfer with this id.

        Raises:
            NotFoundError: no such transfer.

        Example:
            >>> Ledger().transfer("t-1")
            Traceback (most recent call last):
            ...
            volunteer_rules.errors.NotFoundError: no transfer 't-1'
        """
        index = self._find(transfer_id)
        if index is None:
            raise NotFoundError(str(transfer_id), f"no transfer {transfer_id!r}")
        return self._posted(index)

    def __contains__(self, transfer_id: object) -> bool:
        return self._find(transfer_id) is not None

    def reversed_by(self, transfer_id: str) -> str | None:
        """The id of the reversal of ``transfer_id``, or ``None`` if it stands.

        Example:
            >>> Ledger().reversed_by("t-1") is None
            True
        """
        index = self._log.reversed_by.get(transfer_id) if isinstance(transfer_id, str) else None
        if index is None or index >= self._nt:
            return None
        return self._log.transfers[index].transfer_id

    def credited_by(self, record_key: tuple[str, str]) -> str | None:
        """The id of the credit of service record ``(organization_id, record_id)``, or ``None``.

        Example:
            >>> Ledger().credited_by(("org", "r-1")) is None
            True
        """
        try:
            index = self._log.credited_position(record_key, self._nt)
        except TypeError:
            raise InvalidTypeError(
                "record_key", "must be an (organization_id, record_id) pair"
            ) from None
        if index is None or index >= self._nt:
            return None
        return self._log.transfers[index].transfer_id

    def postings(self, start: int = 0) -> Iterator[PostedTransfer]:
        """The posted transfers from position ``start`` on, in order.

        Example:
            >>> list(Ledger().postings())
            []
        """
        if type(start) is not int or start < 0:
            raise InvalidValueError("start", "must be an int, 0 or more")
        for index in range(start, self._nt):
            yield self._posted(index)

    def transfers(self) -> tuple[LedgerTransfer, ...]:
        """Every posted transfer request, in order (what a store keeps to replay the ledger).

        Example:
            >>> Ledger().transfers()
            ()
        """
        return tuple(self._log.transfers[: self._nt])

    def entries(
        self,
        account: str | None = None,
        *,
        start: _dt.datetime | None = None,
        end: _dt.datetime | None = None,
    ) -> Iterator[LedgerEntry]:
        """Entries in ledger order, of one account or all, with ``start <= at < end``.

        Example:
            >>> list(Ledger().entries("V1"))
            []
        """
        if account is not None:
            _check_account("account", account)
        if start is not None:
            start = require_aware(start, "start")
        if end is not None:
            end = require_aware(end, "end")
        log = self._log
        transfers = log.transfers
        nt, ne = self._nt, self._ne
        log.index(nt)
        first = log.first
        if account is not None:
            seqs = log.history.get(account, [])
            for position in range(bisect_left(seqs, ne)):
                seq = seqs[position]
                index = bisect_right(first, seq, 0, nt) - 1
                transfer = transfers[index]
                at = transfer.at
                if (start is not None and at < start) or (end is not None and at >= end):
                    continue
                minutes = log.rows(index)[seq - first[index]][1]
                yield LedgerEntry(seq, transfer.transfer_id, account, minutes, position + 1, at)
            return
        counts: dict[str, int] = {}
        for index in range(nt):
            transfer = transfers[index]
            at = transfer.at
            skip = (start is not None and at < start) or (end is not None and at >= end)
            seq = first[index]
            for account_, minutes in log.rows(index):
                version = counts.get(account_, 0) + 1
                counts[account_] = version
                if not skip:
                    yield LedgerEntry(seq, transfer.transfer_id, account_, minutes, version, at)
                seq += 1

    def stored_balances(self) -> dict[str, int]:
        """The running totals the ledger keeps, in minutes (a cache; see :func:`check_ledger`).

        Example:
            >>> Ledger().stored_balances()
            {}
        """
        return dict(self._balances)


_ONE_DAY: Final = _dt.timedelta(days=1)


def _chunk_cap(limits: LedgerLimits, first: _dt.datetime, last: _dt.datetime) -> int | None:
    """The cap of every transfer from ``first`` to ``last`` (in time order), in minutes.

    ``_NO_CAP`` when nothing is capped; ``None`` when a dated cap may apply to some of them and
    not to others. A transfer's day is the local date of its ``at``, whose offset is less than
    a day either way: a time a day or more after the UTC midnight that starts ``cap_from`` is
    on ``cap_from`` or later in every time zone, and a time before the UTC midnight that starts
    ``cap_until`` is on ``cap_until`` or earlier.
    """
    if limits.cap is None:
        return _NO_CAP
    if not limits.dated:
        return limits.cap.minutes
    cap_from, cap_until = limits.cap_from, limits.cap_until
    start = None if cap_from is None else _midnight_utc(cap_from)
    end = None if cap_until is None else _midnight_utc(cap_until)
    if (start is None or first >= start + _ONE_DAY) and (end is None or last < end):
        return limits.cap.minutes
    if (start is not None and last < start - _ONE_DAY) or (
        end is not None and first >= end + 2 * _ONE_DAY
    ):
        return _NO_CAP
    return None


def _midnight_utc(day: _dt.date) -> _dt.datetime:
    return _dt.datetime.combine(day, _dt.time(), _dt.UTC)


def _insufficient(
    account: str, before: int, minutes: int, floor: int, tid: str
) -> InsufficientHoursError:
    available = Hours.from_minutes(max(0, before - floor))
    requested = Hours.from_minutes(-minutes)
    return InsufficientHoursError(
        available,
        requested,
        f"{account}: {requested} requested but only {available} available (transfer {tid!r})",
    )


def _above_cap(account: str, balance: int, cap: int, tid: str) -> InvalidValueError:
    return InvalidValueError(
        "cap",
        f"{account} would hold {Hours.from_minutes(balance)}, above the cap of "
        f"{Hours.from_minutes(cap)} (transfer {tid!r})",
    )
