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
import contextlib
import datetime as _dt
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO, Any

from volunteer_rules.cli._io import (
    Progress,
    add_format_argument,
    cannot_read,
    cannot_write,
    date_option,
    empty_warning,
    named_by_option,
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
from volunteer_rules.cli._store import add_db_option, remember_records
from volunteer_rules.cli._tables import (
    add_file_argument,
    add_input_options,
    add_output_option,
    input_format,
    output_problem,
    output_to,
    read_table,
    row_unit,
    spool_folder,
    tables_installed,
    write_parquet,
)
from volunteer_rules.errors import VolunteerRulesError
from volunteer_rules.records.profile import VolunteerProfile, parse_profile
from volunteer_rules.records.record import ServiceRecord
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
    add_file_argument(parser)
    parser.add_argument(
        "--rule-set", required=True, metavar="ID", help=f"rule set id: {', '.join(rule_set_ids())}"
    )
    parser.add_argument(
        "--as-of", required=True, metavar="DATE", help="day of the certification (YYYY-MM-DD)"
    )
    add_format_argument(parser, choices=("text", "table", "json", "csv", "parquet"))
    add_output_option(parser)
    add_input_options(parser)
    parser.add_argument(
        "--limit", type=int, default=None, metavar="N", help="show only the first N volunteers"
    )
    parser.add_argument(
        "--profiles",
        type=path_option,
        metavar="FILE",
        default=None,
        help="JSON Lines of volunteer profiles (birth dates, for rule sets with age bands):"
        " only these volunteers are certified",
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


def _certify(
    args: argparse.Namespace,
    kind: str,
    rule_set: RuleSet,
    as_of: _dt.date,
    volunteers: list[VolunteerProfile] | None,
    bad: list[int],
) -> dict[str, Certification] | None:
    """Read the file and certify everyone; ``None`` when no version is in force on ``as_of``.

    With the tables extra (and no ``--db``), through the table engine; otherwise record by
    record (JSON Lines only).
    """
    name = _name(args.file)
    progress = progress_of("certify", args, unit=row_unit(kind))
    if tables_installed():
        db = getattr(args, "db", None)
        # Without --db the valid rows wait in a temporary Parquet file: only the columns
        # counting reads are held, never the whole file's texts.
        with contextlib.nullcontext() if db else spool_folder() as folder:
            table = read_table(
                args.file,
                kind,
                name=name,
                errors=sys.stderr,
                bad=bad,
                progress=progress,
                spool=folder,
                encoding=args.encoding,
            )
            if rule_set.status_on(as_of).version is None:
                return None
            if not db:
                from volunteer_rules.tables._whole import certify_frame

                return certify_frame(
                    table.kept,
                    table.conflicts,
                    rule_set=rule_set,
                    as_of=as_of,
                    volunteers=volunteers,
                )
        from volunteer_rules.tables.io import records_of

        every = table.kept.vstack(table.conflicts).sort("_row").drop("_row")
        records: Iterable[ServiceRecord] = remember_records(db, records_of(every))
        return certify_many(records, rule_set=rule_set, as_of=as_of, volunteers=volunteers)
    with open_input(args.file) as stream:
        counted = _Counted(stream, progress)
        records = read_records(counted, sys.stderr, bad, name=name)  # type: ignore[arg-type]
        if getattr(args, "db", None):  # keep them, and certify everything the file holds
            records = iter(remember_records(args.db, records))
        results = certify_many(records, rule_set=rule_set, as_of=as_of, volunteers=volunteers)
        progress.close()
    return None if rule_set.status_on(as_of).version is None else results


class _Counted:
    """A binary stream whose lines tick a progress line (the record-by-record path)."""

    def __init__(self, stream: IO[bytes], progress: Progress) -> None:
        self.stream = stream
        self.progress = progress

    def __iter__(self) -> Iterator[bytes]:
        for line in self.stream:
            self.progress.tick()
            yield line


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
        as_of = date_option(args.as_of, "--as-of")
    except ValueError as error:
        return usage_error("certify", str(error))
    if args.limit is not None and args.limit < 0:
        return usage_error("certify", "--limit must be 0 or more")
    kind = input_format(args.file, getattr(args, "input_format", None))
    problem = output_problem(args, kind)
    if problem is not None:
        return usage_error("certify", problem)
    bad: list[int] = []
    try:
        volunteers = (
            _profiles(args.profiles, sys.stderr) if getattr(args, "profiles", None) else None
        )
        results = _certify(args, kind, rule_set, as_of, volunteers, bad)
    except OSError as error:
        return cannot_read("certify", error, args.file)
    except (VolunteerRulesError, ValueError) as error:
        return usage_error("certify", named_by_option(error, {"volunteers": "--profiles"}))
    if results is None:  # not certifiable under this scheme on that day
        sys.stderr.write(f"volunteer-rules certify: {rule_set.status_on(as_of).reason}\n")
        return 1
    try:
        with output_to(args) as out:
            _write(args, results, rule_set, as_of, bad, out)
    except OSError as error:
        return cannot_write("certify", error, args.output)
    if not results:
        return empty_warning("certify", f"no volunteer to certify in {_name(args.file)}")
    return 1 if bad else 0


def _write(
    args: argparse.Namespace,
    results: dict[str, Certification],
    rule_set: RuleSet,
    as_of: _dt.date,
    bad: list[int],
    out: IO[str] | None,
) -> None:
    """Write the certifications in ``args.format`` (to ``out``, or to ``--output`` for parquet)."""
    status = rule_set.status_on(as_of)
    assert status.version is not None
    version = status.version.valid_from.isoformat()
    shown = list(results.values())
    if args.limit is not None:
        shown = shown[: args.limit]
    if args.format == "parquet":
        from volunteer_rules.tables.results import certifications_frame

        frame = certifications_frame({r.volunteer_id or "": r for r in shown})
        write_parquet(frame.with_columns(not_counted=_not_counted(shown)), args.output)
        return
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
            },
            out=out,
        )
    elif args.format == "csv":
        write_csv(_HEADERS, (_row(r) for r in shown), out=out)
    else:
        write_table(_HEADERS, [_row(r) for r in shown], out=out)
        (out or sys.stdout).write(
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
        write_table(("level", "name", "label", "volunteers"), dist_rows, out=out)


def _not_counted(shown: list[Certification]) -> Any:
    import polars as pl

    return pl.Series("not_counted", [len(r.excluded) for r in shown], dtype=pl.Int64)
