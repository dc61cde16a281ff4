r"""``volunteer-rules certify FILE --rule-set ID --as-of DATE``: star levels of every volunteer.

Reads a JSON Lines file of service records (record format v1) once, certifies every volunteer
in it with :func:`~volunteer_rules.certify_many` under the rule set and day given, and prints
one row per volunteer (level, counted hours, next level, shortfall, records not counted) and
the level distribution. ``--limit N`` shows only the first N volunteers (by id); the
distribution always covers everyone.

Lines that are not valid records are reported on standard error (line, path, code) and
skipped. Exit status: ``0`` when every line was a valid record, ``1`` when some were not,
``2`` on a usage error (missing file, unknown rule set, bad date).

Example:
    >>> import os, tempfile, json
    >>> from volunteer_rules.cli import main
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "records.jsonl")
    ...     with open(path, "w", encoding="utf-8") as file:
    ...         _ = file.write(json.dumps(SAMPLE_RECORD_PAYLOAD) + "\n")
    ...     main(["certify", path, "--rule-set", "cn-national", "--as-of", "2024-12-31"])
    volunteer  level  name  label  counted_h  next_level  shortfall_h  not_counted
    V0000001       0  none  无             2  one_star             98            0
    <BLANKLINE>
    rule set cn-national, version 2012-10-23, as of 2024-12-31: 1 volunteers
    level  name        label  volunteers
        0  none        无              1
        1  one_star    一星            0
        2  two_star    二星            0
        3  three_star  三星            0
        4  four_star   四星            0
        5  five_star   五星            0
    0
"""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
from collections import Counter
from decimal import Decimal
from typing import IO, Any

from volunteer_rules.cli._io import (
    add_format_argument,
    empty_warning,
    open_input,
    usage_error,
    write_csv,
    write_json,
    write_table,
)
from volunteer_rules.cli._records import file_name as _name
from volunteer_rules.cli._records import read_records
from volunteer_rules.cli._store import add_db_option, remember_records
from volunteer_rules.errors import VolunteerRulesError
from volunteer_rules.records.profile import VolunteerProfile, parse_profile
from volunteer_rules.rules.certification import Certification, certify_many
from volunteer_rules.rules.rule_set import RuleSet
from volunteer_rules.rules.schemes import get_rule_set, rule_set_ids

__all__ = ["build_parser", "run"]

_HEADERS = (
    "volunteer",
    "level",
    "name",
    "label",
    "counted_h",
    "next_level",
    "shortfall_h",
    "not_counted",
)


def build_parser(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``certify`` to ``parser``.

    Example:
        >>> parser = argparse.ArgumentParser()
        >>> build_parser(parser)
        >>> args = parser.parse_args(["x.jsonl", "--rule-set", "hk-swd", "--as-of", "2026-06-30"])
        >>> args.rule_set, args.as_of, args.format, args.limit
        ('hk-swd', '2026-06-30', 'text', None)
    """
    parser.add_argument(
        "file", metavar="FILE", help="JSON Lines of service records; - for standard input"
    )
    parser.add_argument(
        "--rule-set", required=True, metavar="ID", help=f"rule set id: {', '.join(rule_set_ids())}"
    )
    parser.add_argument(
        "--as-of", required=True, metavar="DATE", help="day of the certification (YYYY-MM-DD)"
    )
    add_format_argument(parser, choices=("text", "table", "json", "csv"))
    parser.add_argument(
        "--limit", type=int, default=None, metavar="N", help="show only the first N volunteers"
    )
    parser.add_argument(
        "--profiles",
        metavar="FILE",
        default=None,
        help="JSON Lines of volunteer profiles (birth dates, for rule sets with age bands)",
    )
    add_db_option(parser)


def _hours(minutes: int) -> str:
    value = Decimal(minutes) / 60
    return str(value.quantize(Decimal("0.01")).normalize()) if minutes % 60 else str(minutes // 60)


def _row(result: Certification) -> list[Any]:
    return [
        result.volunteer_id,
        result.level.rank,
        result.level.name,
        result.level.label,
        _hours(result.counted.minutes),
        result.next_level.name if result.next_level else "",
        _hours(result.shortfall.minutes),
        len(result.excluded),
    ]


def _profiles(path: str, errors: IO[str]) -> list[VolunteerProfile]:
    """The valid profiles of a JSON Lines file (bad lines reported on standard error, skipped)."""
    from volunteer_rules.cli.match import read_parsed

    return list(read_parsed(path, parse_profile, "profile", bad=[]))


def run(args: argparse.Namespace) -> int:
    """Run ``certify`` with parsed arguments; return the exit status.

    Example:
        >>> args = argparse.Namespace(file="-", rule_set="xx-none", as_of="2026-06-30",
        ...                           format="text", limit=None, profiles=None)
        >>> run(args)
        2
    """
    try:
        rule_set: RuleSet = get_rule_set(args.rule_set)
    except VolunteerRulesError:
        return usage_error("certify", f"unknown rule set {args.rule_set!r}")
    try:
        as_of = _dt.date.fromisoformat(args.as_of)
    except ValueError:
        return usage_error(
            "certify", f"--as-of must be a date such as 2026-06-30, not {args.as_of!r}"
        )
    if args.limit is not None and args.limit < 0:
        return usage_error("certify", "--limit must be 0 or more")
    bad: list[int] = []
    volunteers: list[VolunteerProfile] | None = None
    try:
        if getattr(args, "profiles", None):
            volunteers = _profiles(args.profiles, sys.stderr)
        with open_input(args.file) as stream:
            records = read_records(stream, sys.stderr, bad, name=_name(args.file))
            if getattr(args, "db", None):  # keep them, and certify everything the file holds
                records = iter(remember_records(args.db, records))
            results = certify_many(
                records,
                rule_set=rule_set,
                as_of=as_of,
                volunteers=volunteers,
            )
    except OSError as error:
        return usage_error("certify", f"cannot read {args.file}: {error.strerror or error}")
    except VolunteerRulesError as error:
        return usage_error("certify", str(error))
    status = rule_set.status_on(as_of)
    if status.version is None:  # not certifiable under this scheme on that day
        sys.stderr.write(f"volunteer-rules certify: {status.reason}\n")
        return 1
    version = status.version.valid_from.isoformat()
    shown = list(results.values())
    if args.limit is not None:
        shown = shown[: args.limit]
    distribution = Counter(r.level.rank for r in results.values())
    levels = {0: ("none", "无")} | {
        level.rank: (level.name, level.label) for level in status.version.levels
    }
    dist_rows = [[rank, *levels[rank], distribution.get(rank, 0)] for rank in sorted(levels)]
    if args.format == "json":
        write_json(
            {
                "rule_set": rule_set.id,
                "rule_set_version": version,
                "as_of": as_of.isoformat(),
                "volunteers": len(results),
                "bad_lines": len(bad),
                "certifications": [
                    {
                        **dict(zip(_HEADERS, _row(r), strict=True)),
                        "excluded": [list(e) for e in r.excluded],
                    }
                    for r in shown
                ],
                "distribution": [
                    dict(zip(("level", "name", "label", "volunteers"), row, strict=True))
                    for row in dist_rows
                ],
            }
        )
    elif args.format == "csv":
        write_csv(_HEADERS, (_row(r) for r in shown))
    else:
        write_table(_HEADERS, [_row(r) for r in shown])
        sys.stdout.write(
            f"\nrule set {rule_set.id}, version {version}, as of {as_of.isoformat()}:"
            f" {len(results)} volunteers"
            + (f", {len(bad)} bad lines skipped" if bad else "")
            + (
                f" (the scheme is paused since {rule_set.paused_since.isoformat()})"
                if rule_set.paused_since is not None and as_of >= rule_set.paused_since
                else ""
            )
            + "\n"
        )
        write_table(("level", "name", "label", "volunteers"), dist_rows)
    if not results:
        return empty_warning("certify", f"no volunteer to certify in {_name(args.file)}")
    return 1 if bad else 0
