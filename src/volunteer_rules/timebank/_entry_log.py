"""The ledger's append-only entry log and its indexes (not public)."""

from __future__ import annotations

import threading
from bisect import bisect_left
from itertools import compress, count, islice
from operator import attrgetter
from typing import Final

from volunteer_rules.timebank.transfers import LedgerTransfer

_ID: Final = attrgetter("transfer_id")


_KEY: Final = attrgetter("record_key")


class _Log:
    """The append-only part of a ledger, shared by a ledger and the ledgers made from it.

    Entries are kept in columns: the entry rows of transfer ``i`` are its legs followed by
    ``extra[i]`` (overflow rows, rare). ``history[account]`` lists the sequences of the
    account's entries in order, so the version of an entry is its position there plus one; the
    lists are shared by the ledgers made from one another, each seeing the sequences below its
    own entry count. No object is made per entry until someone reads it.

    ``first`` and ``history`` (the entry index) and ``positions`` and ``credited`` (id and
    record key → transfer index) are built on the first read (:meth:`index`,
    :meth:`position`, :meth:`credited_position`); posting only appends to ``transfers`` and
    claims ids and keys in the ``ids`` and ``keys`` sets that decide idempotency.
    """

    __slots__ = (
        "credited",
        "credited_upto",
        "extra",
        "first",
        "history",
        "ids",
        "indexed",
        "indexed_entries",
        "keys",
        "lock",
        "positions",
        "positions_upto",
        "reversed_by",
        "tip",
        "transfers",
    )

    def __init__(self) -> None:
        self.transfers: list[LedgerTransfer] = []
        # built lazily by index(): posting never pays for them
        self.first: list[int] = []  # sequence of each transfer's first entry
        self.history: dict[str, list[int]] = {}  # account -> sequences of its entries
        self.indexed = 0  # transfers covered by first and history
        self.indexed_entries = 0  # entries covered by history
        self.extra: dict[int, tuple[tuple[str, int], ...]] = {}  # overflow rows by transfer
        # membership is eager (idempotency is decided on it); positions are an index built
        # on demand by position() and credited_position()
        self.ids: set[str] = set()
        self.keys: set[tuple[str, str]] = set()
        self.positions: dict[str, int] = {}
        self.positions_upto = 0
        self.credited: dict[tuple[str, str], int] = {}
        self.credited_upto = 0
        self.reversed_by: dict[str, int] = {}
        self.lock = threading.Lock()
        self.tip: object = None

    def rows(self, index: int) -> tuple[tuple[str, int], ...]:
        legs = self.transfers[index].legs
        extra = self.extra.get(index)
        return legs if extra is None else legs + extra

    def index(self, upto: int) -> None:
        """Extend ``first`` and ``history`` over the transfers below ``upto``."""
        if self.indexed >= upto:
            return
        with self.lock:
            start = self.indexed
            if start >= upto:
                return
            history = self.history
            history_get = history.get
            first_append = self.first.append
            extra = self.extra
            seq = self.indexed_entries
            for index, transfer in enumerate(islice(self.transfers, start, upto), start):
                first_append(seq)
                rows = transfer.legs
                if extra and index in extra:
                    rows = rows + extra[index]
                for account, _ in rows:
                    seqs = history_get(account)
                    if seqs is None:
                        seqs = history[account] = []
                    seqs.append(seq)
                    seq += 1
            self.indexed = upto
            self.indexed_entries = seq

    def position(self, transfer_id: str, nt: int) -> int | None:
        """The index of the transfer with this id, if it is among the first ``nt``."""
        if transfer_id not in self.ids:
            return None
        if self.positions_upto < nt:
            with self.lock:
                start = self.positions_upto
                if start < nt:
                    self.positions.update(zip(map(_ID, self.transfers[start:nt]), count(start)))
                    self.positions_upto = nt
        index = self.positions.get(transfer_id)
        return index if index is not None and index < nt else None

    def credited_position(self, key: tuple[str, str], nt: int) -> int | None:
        """The index of the credit of this record key, if it is among the first ``nt``."""
        if key not in self.keys:
            return None
        if self.credited_upto < nt:
            with self.lock:
                start = self.credited_upto
                if start < nt:
                    selectors = list(map(_KEY, self.transfers[start:nt]))
                    self.credited.update(compress(zip(selectors, count(start)), selectors))
                    self.credited_upto = nt
        index = self.credited.get(key)
        return index if index is not None and index < nt else None

    def truncated(self, nt: int, ne: int) -> _Log:
        log = _Log()
        log.transfers = self.transfers[:nt]
        log.first = self.first[:nt]
        log.indexed = min(self.indexed, nt)
        log.indexed_entries = min(self.indexed_entries, ne)
        log.history = {}
        for account, seqs in list(self.history.items()):
            kept = seqs[: bisect_left(seqs, ne)]
            if kept:
                log.history[account] = kept
        log.extra = {k: v for k, v in list(self.extra.items()) if k < nt}
        log.ids = set(map(_ID, log.transfers))
        log.keys = set(filter(None, map(_KEY, log.transfers)))
        log.reversed_by = {k: i for k, i in list(self.reversed_by.items()) if i < nt}
        return log
