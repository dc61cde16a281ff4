"""Account statements: a volunteer's entries with a running balance over a period.

A :class:`Statement` is for people (:meth:`Statement.to_text`) and for notebooks
(:meth:`Statement.rows`: plain dicts that ``pandas.DataFrame(statement.rows())`` takes as
they are). The period is half-open: ``start <= at < end``; the opening balance is the sum of
the account's entries before ``start``, and each line's balance is the opening plus every line
up to it, so the closing balance equals :meth:`~volunteer_rules.Ledger.balance` when ``end`` is
open. No rounding anywhere: minutes are whole ``int`` values.

Example:
    >>> from datetime import datetime, timezone
    >>> from volunteer_rules import Hours, Ledger
    >>> from volunteer_rules.timebank.operations import credit_hours, donate
    >>> now = datetime(2024, 5, 1, 9, tzinfo=timezone.utc)
    >>> ledger = credit_hours(Ledger(), transfer_id="c-1", volunteer_id="V1", now=now,
    ...                       hours=Hours.from_hours(3), policy="generic").ledger
    >>> ledger = donate(ledger, transfer_id="d-1", volunteer_id="V1", now=now,
    ...                 hours=Hours.from_minutes(30), policy="generic").ledger
    >>> s = statement(ledger, "V1")
    >>> [(row["transfer_id"], row["minutes"], row["balance_minutes"]) for row in s.rows()]
    [('c-1', 180, 180), ('d-1', -30, 150)]
    >>> print(s.to_text())
    Statement of V1, all time
    opening balance: 0 h
    2024-05-01T09:00:00+00:00  c-1  credit  +3 h  balance 3 h
    2024-05-01T09:00:00+00:00  d-1  donate  -30 min  balance 2 h 30 min
    closing balance: 2 h 30 min
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import attrs

from volunteer_rules._privacy import mask_personal_data, masked_repr
from volunteer_rules._validate import require_aware
from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.hours import Hours
from volunteer_rules.timebank.ledger import Ledger

__all__ = ["Statement", "StatementLine", "statement"]


@masked_repr
@attrs.frozen(kw_only=True)
class StatementLine:
    """One entry of a statement.

    Attributes:
        at: the transfer's aware time.
        transfer_id: the transfer. kind: its kind. sequence: the entry's ledger sequence.
        minutes: signed minutes of the entry. balance: the balance after it, in minutes.
        reference: the transfer it acts on, if any. memo: the transfer's memo.

    Example:
        >>> from datetime import datetime, timezone
        >>> line = StatementLine(at=datetime(2024, 5, 1, tzinfo=timezone.utc), transfer_id="t",
        ...                      kind="give", sequence=0, minutes=-30, balance=90)
        >>> line.amount, line.balance_hours
        (Hours(minutes=-30), Hours(minutes=90))
    """

    at: _dt.datetime
    transfer_id: str
    kind: str
    sequence: int
    minutes: int
    balance: int
    reference: str | None = None
    memo: str = ""

    @property
    def amount(self) -> Hours:
        """The entry as :class:`~volunteer_rules.Hours`.

        Example:
            >>> from datetime import datetime, timezone
            >>> StatementLine(at=datetime(2024, 5, 1, tzinfo=timezone.utc), transfer_id="t",
            ...               kind="give", sequence=0, minutes=15, balance=15).amount
            Hours(minutes=15)
        """
        return Hours.from_minutes(self.minutes)

    @property
    def balance_hours(self) -> Hours:
        """The balance after the entry as :class:`~volunteer_rules.Hours`.

        Example:
            >>> from datetime import datetime, timezone
            >>> StatementLine(at=datetime(2024, 5, 1, tzinfo=timezone.utc), transfer_id="t",
            ...               kind="give", sequence=0, minutes=15, balance=15).balance_hours
            Hours(minutes=15)
        """
        return Hours.from_minutes(self.balance)


@masked_repr
@attrs.frozen(kw_only=True)
class Statement:
    """A statement of one account over ``start <= at < end`` (either end may be open).

    Attributes:
        account: the account. start, end: the period (``None`` for open).
        opening: balance before ``start``. closing: balance after the last line.
        lines: the entries, in ledger order.

    Example:
        >>> statement(Ledger(), "V1").closing
        Hours(minutes=0)
    """

    account: str
    start: _dt.datetime | None
    end: _dt.datetime | None
    opening: Hours
    closing: Hours
    lines: tuple[StatementLine, ...]

    def rows(self) -> list[dict[str, Any]]:
        """The lines as plain dicts (one per entry), ready for ``pandas.DataFrame(rows)``.

        Keys: ``account``, ``at``, ``transfer_id``, ``kind``, ``sequence``, ``minutes``,
        ``balance_minutes``, ``reference``, ``memo``.

        Example:
            >>> statement(Ledger(), "V1").rows()
            []
        """
        return [
            {
                "account": self.account,
                "at": line.at,
                "transfer_id": line.transfer_id,
                "kind": line.kind,
                "sequence": line.sequence,
                "minutes": line.minutes,
                "balance_minutes": line.balance,
                "reference": line.reference,
                "memo": line.memo,
            }
            for line in self.lines
        ]

    def to_text(self, language: str = "en") -> str:
        """The statement for people, one line per entry (amounts as ``Hours.format``).

        Anything in it shaped like a resident ID number, a mobile number or an e-mail address
        (an account or a transfer id that is one) is masked, as in every text the library shows
        a person; :meth:`rows` keeps the ids whole, as data.

        Example:
            >>> print(statement(Ledger(), "V1").to_text("zh"))
            V1 账户明细，全部
            期初余额：0小时
            期末余额：0小时
        """
        if language not in ("en", "zh"):
            raise InvalidValueError("language", "must be 'en' or 'zh'")
        lang: Any = language
        start = self.start.isoformat() if self.start else None
        end = self.end.isoformat() if self.end else None
        if language == "en":
            period = "all time" if not (start or end) else f"from {start or '…'} to {end or '…'}"
            out = [f"Statement of {self.account}, {period}"]
            out.append(f"opening balance: {self.opening.format(lang)}")
        else:
            period = "全部" if not (start or end) else f"{start or '…'} 至 {end or '…'}"
            out = [f"{self.account} 账户明细，{period}"]
            out.append(f"期初余额：{self.opening.format(lang)}")
        for line in self.lines:
            sign = "+" if line.minutes > 0 else ""
            label = "balance" if language == "en" else "余额"
            out.append(
                f"{line.at.isoformat()}  {line.transfer_id}  {line.kind}  "
                f"{sign}{line.amount.format(lang)}  {label} {line.balance_hours.format(lang)}"
            )
        if language == "en":
            out.append(f"closing balance: {self.closing.format(lang)}")
        else:
            out.append(f"期末余额：{self.closing.format(lang)}")
        return mask_personal_data("\n".join(out))


def statement(
    ledger: Ledger,
    account: str,
    *,
    start: _dt.datetime | None = None,
    end: _dt.datetime | None = None,
) -> Statement:
    """The statement of ``account`` over ``start <= at < end``.

    Args:
        ledger: the ledger.
        account: a volunteer id or a system account.
        start: first instant included (aware), or ``None`` from the beginning.
        end: first instant excluded (aware), or ``None`` to the end.

    Raises:
        InvalidTypeError, InvalidValueError: bad arguments, or ``end`` before ``start``.

    Example:
        >>> statement(Ledger(), "V1").lines
        ()
    """
    if not isinstance(ledger, Ledger):
        raise InvalidTypeError("ledger", f"must be a Ledger, not {type(ledger).__name__}")
    for value, what in ((start, "start"), (end, "end")):
        if value is not None:
            require_aware(value, what)
    if start is not None and end is not None and end < start:
        raise InvalidValueError("end", "is before start")
    opening = 0
    balance = 0
    lines: list[StatementLine] = []
    kinds: dict[str, tuple[str, str | None, str]] = {}
    for entry in ledger.entries(account, end=end):
        if start is not None and entry.at < start:
            opening += entry.minutes
            balance = opening
            continue
        balance += entry.minutes
        info = kinds.get(entry.transfer_id)
        if info is None:
            transfer = ledger.transfer(entry.transfer_id).transfer
            info = (transfer.kind, transfer.reference, transfer.memo)
            kinds[entry.transfer_id] = info
        lines.append(
            StatementLine(
                at=entry.at,
                transfer_id=entry.transfer_id,
                kind=info[0],
                sequence=entry.sequence,
                minutes=entry.minutes,
                balance=balance,
                reference=info[1],
                memo=info[2],
            )
        )
    return Statement(
        account=account,
        start=start,
        end=end,
        opening=Hours.from_minutes(opening),
        closing=Hours.from_minutes(balance),
        lines=tuple(lines),
    )
