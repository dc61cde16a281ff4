r"""``volunteer-rules ledger``: credit service records to a time bank and show the result.

Two actions, both reading a JSON Lines file of service records (record format v1):

- ``ledger credit RECORDS.jsonl --policy ID --as-of DATETIME``: credit what certification
  would count (one credit per record, however often it appears), then print every account's
  balance (``--format text|json|csv``) and the number of records credited or not, by outcome.
  Records served outside the policy's dates are not credited (``policy_not_in_force``); how
  many, with an example, is said on standard error.
- ``ledger statement RECORDS.jsonl --policy ID --as-of DATETIME --volunteer ID``: the same
  credits, then the volunteer's statement with a running balance.

``--as-of`` is an aware ISO date-time (``2024-12-31T18:00:00+08:00``), or a date (read as the
end of that day in UTC+8). Exit status: ``0`` clean, ``1`` when a line could not be read as a
record, ``2`` on a usage error (missing file, unknown policy, bad date).

Example:
    >>> import os, tempfile, json
    >>> from volunteer_rules.cli import main
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "records.jsonl")
    ...     with open(path, "w", encoding="utf-8") as file:
    ...         _ = file.write(json.dumps(SAMPLE_RECORD_PAYLOAD) + "\n")
    ...     main(["ledger", "credit", path, "--policy", "generic", "--as-of", "2024-12-31"])
    ...     main(["ledger", "statement", path, "--policy", "generic", "--as-of", "2024-12-31",
    ...           "--volunteer", "V0000001", "--format", "csv"])  # doctest: +ELLIPSIS
    account   balance_minutes  balance
    @issuer              -120  -2 h
    V0000001              120  2 h
    credited 1
    0
    account,at,transfer_id,kind,sequence,minutes,balance_minutes,reference,memo
    V0000001,2024-12-31T23:59:59+08:00,credit:512111005000000154:r-2024-0001,credit,1,120,120,,
    0
"""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
from collections import Counter

from volunteer_rules._iso import read_date, read_datetime
from volunteer_rules.cli._io import (
    add_format_argument,
    add_quiet_argument,
    cannot_read,
    empty_warning,
    open_input,
    path_option,
    progress_of,
    usage_error,
    write_csv,
    write_json,
    write_table,
)
from volunteer_rules.cli._records import file_name as _name
from volunteer_rules.cli._records import read_records
from volunteer_rules.cli._store import add_db_option, credit_stored_ledger
from volunteer_rules.errors import StorageError, VolunteerRulesError
from volunteer_rules.timebank.crediting import CreditResult
from volunteer_rules.timebank.ledger import Ledger
from volunteer_rules.timebank.operations import (
    credit_records,
    get_time_bank_policy,
    time_bank_policy_ids,
)
from volunteer_rules.timebank.statement import statement

__all__ = ["build_parser", "run"]

_CST = _dt.timezone(_dt.timedelta(hours=8))


def build_parser(parser: argparse.ArgumentParser) -> None:
    """Add the ``ledger`` arguments.

    Example:
        >>> parser = argparse.ArgumentParser()
        >>> build_parser(parser)
        >>> parser.parse_args(["credit", "r.jsonl", "--policy", "generic", "--as-of", "2024-01-01"]).action
        'credit'
    """
    parser.add_argument("action", choices=("credit", "statement"), help="what to do")
    parser.add_argument(
        "file", type=path_option, help="service records, JSON Lines (- for standard input)"
    )
    parser.add_argument(
        "--policy", required=True, help=f"time bank policy: {', '.join(time_bank_policy_ids())}"
    )
    parser.add_argument(
        "--as-of", required=True, help="aware ISO date-time of the credit, or a date (UTC+8)"
    )
    parser.add_argument("--volunteer", help="the volunteer of a statement")
    add_format_argument(parser)
    add_db_option(parser)
    add_quiet_argument(parser)


def _as_of(text: str) -> _dt.datetime:
    day = read_date(text)
    if day is not None:
        return _dt.datetime.combine(day, _dt.time(23, 59, 59), tzinfo=_CST)
    moment = read_datetime(text)
    if moment is None or moment.utcoffset() is None:
        raise ValueError(
            "--as-of must be a date such as 2026-06-30 or a date-time with a UTC offset such as"
            f" 2026-06-30T09:00:00+08:00, not {text!r}"
        )
    return moment


def _volunteer_problem(args: argparse.Namespace) -> str | None:
    """Why ``--volunteer`` cannot be the account of a statement; ``None`` when it can, or for a credit.

    Judged by the ledger's rule for an account before anything is read or kept.
    """
    if args.action != "statement":
        return None
    if not args.volunteer:
        return "statement needs --volunteer"
    try:
        statement(Ledger(), args.volunteer)
    except VolunteerRulesError as error:
        return f"--volunteer: {error}"
    return None


def _note_not_in_force(result: CreditResult) -> CreditResult:
    """Say on standard error how many records were served outside the policy's dates."""
    refused = [d for d in result.decisions if d.outcome == "policy_not_in_force"]
    if refused:
        print(
            f"volunteer-rules ledger: {len(refused)} record(s) served outside the policy's dates"
            f" not credited (policy_not_in_force), e.g. {refused[0].message}",
            file=sys.stderr,
        )
    return result


def run(args: argparse.Namespace) -> int:
    """Run the command; return the exit status.

    Example:
        >>> run(argparse.Namespace(action="credit", file="/no/such/file", policy="generic",
        ...                        as_of="2024-01-01", volunteer=None, format="text"))
        2
    """
    try:
        policy = get_time_bank_policy(args.policy)
        now = _as_of(args.as_of)
    except (VolunteerRulesError, ValueError) as error:
        return usage_error("ledger", str(error))
    if (problem := _volunteer_problem(args)) is not None:
        return usage_error("ledger", problem)
    skipped: list[int] = []
    try:
        progress = progress_of("ledger", args)
        with open_input(args.file) as stream:
            records = list(
                read_records(stream, sys.stderr, skipped, name=_name(args.file), progress=progress)
            )
        progress.close()
    except OSError as error:
        return cannot_read("ledger", error, args.file)
    try:
        if getattr(args, "db", None):  # credit the file's ledger: balances of the whole ledger
            result = credit_stored_ledger(args.db, records, now=now, policy=policy)
        else:
            result = credit_records(Ledger(limits=policy.limits), records, now=now, policy=policy)
    except StorageError as error:
        return usage_error("ledger", f"--db {args.db}: {error}")
    except VolunteerRulesError as error:
        print(f"volunteer-rules ledger: {error}", file=sys.stderr)
        return 1
    ledger = _note_not_in_force(result).ledger
    empty = ""  # what is empty, when the result asked for is
    if args.action == "credit":
        balances = ledger.balances()
        if not balances:
            empty = f"no hours credited from {_name(args.file)}"
        rows = [(a, h.minutes, str(h)) for a, h in balances.items()]
        outcomes = Counter(d.outcome for d in result.decisions)
        if args.format == "json":
            write_json(
                {
                    "balances_minutes": {a: h.minutes for a, h in balances.items()},
                    "outcomes": dict(sorted(outcomes.items())),
                }
            )
        elif args.format == "csv":
            write_csv(("account", "balance_minutes", "balance"), rows)
        else:
            write_table(("account", "balance_minutes", "balance"), rows)
            for outcome, count in sorted(outcomes.items()):
                print(f"{outcome} {count}")
    else:
        s = statement(ledger, args.volunteer)
        if not s.lines:
            empty = f"no ledger entry of volunteer {args.volunteer}"
        if args.format == "text":
            print(s.to_text())
        else:
            rows_ = s.rows()
            headers = (
                "account",
                "at",
                "transfer_id",
                "kind",
                "sequence",
                "minutes",
                "balance_minutes",
                "reference",
                "memo",
            )
            if args.format == "json":
                write_json([{**r, "at": r["at"].isoformat()} for r in rows_])
            else:
                write_csv(
                    headers,
                    ([r["at"].isoformat() if h == "at" else r[h] for h in headers] for r in rows_),
                )
    if not records and not skipped:
        return empty_warning("ledger", f"{_name(args.file)} holds no record")
    if empty:
        return empty_warning("ledger", empty)
    return 1 if skipped else 0
