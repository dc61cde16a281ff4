r"""``volunteer-rules db check FILE``: look for damage in a SQLite database of the library.

``db check`` opens the file (it changes no data and does not create a missing file) and runs :meth:`volunteer_rules.storage.SQLiteDatabase.check`: SQLite's own
structure, the schema, every row's checksum, records and packages that read back and match
their columns, package states, and the ledger's numbering and sums. It prints ``ok`` or one
line per problem.

Exit status: ``0`` sound, ``1`` damage found (or the file cannot be opened as a database of
the library), ``2`` usage error (no such file).

Example:
    >>> import os, tempfile
    >>> from volunteer_rules.cli import main
    >>> from volunteer_rules.storage import SQLiteDatabase
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "bank.sqlite")
    ...     SQLiteDatabase(path).close()
    ...     main(["db", "check", path])
    ok
    0
"""

from __future__ import annotations

import argparse
import os
import sys

from volunteer_rules.errors import VolunteerRulesError
from volunteer_rules.storage.sqlite import SQLiteDatabase

__all__ = ["build_parser", "run"]


def build_parser(parser: argparse.ArgumentParser) -> None:
    """Add the sub-commands of ``db`` to ``parser``.

    Example:
        >>> parser = argparse.ArgumentParser()
        >>> build_parser(parser)
        >>> parser.parse_args(["check", "bank.sqlite"]).file
        'bank.sqlite'
    """
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="look for damage in a SQLite database file")
    check.add_argument("file", metavar="FILE", help="the SQLite database file")


def run(args: argparse.Namespace) -> int:
    """Run ``db``; return the exit status.

    Example:
        >>> run(argparse.Namespace(action="check", file="/no/such/file.sqlite"))
        2
    """
    return _check(args.file)


def _check(path: str) -> int:
    if not os.path.isfile(path):
        print(f"volunteer-rules db check: {path}: no such file", file=sys.stderr)
        return 2
    try:
        with SQLiteDatabase(path, migrate=False) as database:
            problems = database.check()
    except VolunteerRulesError as error:
        problems = (f"cannot be opened: {error}",)
    if not problems:
        print("ok")
        return 0
    for problem in problems:
        print(f"{path}: {problem}")
    return 1
