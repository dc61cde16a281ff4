r"""``volunteer-rules stats FILE``: volunteers, organizations, records and hours, grouped.

Reads service records (JSON Lines; ``-`` for standard input) and prints
:func:`volunteer_rules.statistics.summary.summarize` rows grouped ``--by`` any of ``region``,
``organization``, ``category``, ``month``, ``quarter``, ``year`` (default ``region``), with
regions rolled up to ``--level`` (default ``city``). With ``--profiles``, the ``registered``
column counts the volunteers registered in each region, category and period. Only records that
count are counted (the counting engine's rules); ``--as-of`` counts what was on record on
that day. Hours are rounded once, to two places, at the end.

Exit status: ``0`` every line valid, ``1`` some line invalid (reported on standard error),
``2`` usage error.

Example:
    >>> import json, os, tempfile
    >>> from volunteer_rules.cli import main
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "records.jsonl")
    ...     with open(path, "w", encoding="utf-8") as file:
    ...         _ = file.write(json.dumps(SAMPLE_RECORD_PAYLOAD) + "\n")
    ...     main(["stats", path, "--by", "region", "month", "--level", "county"])
    region  region_name  month    volunteers  organizations  records  minutes  hours
    211103  兴隆台区     2024-05           1              1        1      120   2.00
    0
"""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
from typing import Any

from volunteer_rules.cli._io import (
    add_format_argument,
    cannot_read,
    cannot_write,
    date_option,
    empty_warning,
    open_input,
    path_option,
    progress_of,
    usage_error,
    write_csv,
    write_json,
)
from volunteer_rules.cli._io import write_table as _write_table
from volunteer_rules.cli._records import file_name as _name
from volunteer_rules.cli._records import read_records
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
from volunteer_rules.cli.match import read_parsed
from volunteer_rules.errors import VolunteerRulesError
from volunteer_rules.records.profile import parse_profile
from volunteer_rules.statistics.figures import Figures
from volunteer_rules.statistics.summary import DIMENSIONS, summarize

__all__ = ["build_parser", "run"]


def build_parser(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``stats`` to ``parser``.

    Example:
        >>> parser = argparse.ArgumentParser()
        >>> build_parser(parser)
        >>> parser.parse_args(["r.jsonl", "--by", "region", "quarter"]).by
        ['region', 'quarter']
    """
    add_file_argument(parser)
    parser.add_argument(
        "--by",
        nargs="*",
        choices=DIMENSIONS,
        default=["region"],
        help="group by these, in column order (default: region); none for one total row",
    )
    parser.add_argument(
        "--level",
        choices=("province", "city", "county"),
        default="city",
        help="roll regions up to this level (default: city)",
    )
    parser.add_argument(
        "--profiles", type=path_option, metavar="FILE", help="volunteer profiles, JSON Lines"
    )
    parser.add_argument("--as-of", metavar="DATE", help="count what was on record on this day")
    add_format_argument(parser, choices=("text", "json", "csv", "parquet"))
    add_output_option(parser)
    add_input_options(parser)


def _rows(args: argparse.Namespace, kind: str, as_of: _dt.date | None, bad: list[int]) -> Figures:
    """Read the file and summarize it: through the table engine when the extra is installed."""
    profiles = (
        list(read_parsed(args.profiles, parse_profile, "profile", bad=bad))
        if args.profiles
        else None
    )
    options: dict[str, Any] = {
        "by": tuple(args.by),
        "region_level": args.level,
        "profiles": profiles,
        "as_of": as_of,
    }
    progress = progress_of("stats", args, unit=row_unit(kind))
    if not tables_installed():
        with open_input(args.file) as stream:
            records = read_records(stream, sys.stderr, bad, name=_name(args.file))
            return summarize(records, **options)
    from volunteer_rules.statistics._table import summarize_frame
    from volunteer_rules.tables._whole import counted_frame

    # The valid rows wait in a temporary Parquet file: only the columns counting and the
    # statistics read are held, never the whole file's texts.
    with spool_folder() as folder:
        table = read_table(
            args.file,
            kind,
            name=_name(args.file),
            errors=sys.stderr,
            bad=bad,
            progress=progress,
            spool=folder,
            encoding=args.encoding,
        )
        return summarize_frame(counted_frame(table.kept, as_of), **options)


def run(args: argparse.Namespace) -> int:
    """Run ``stats``; return the exit status.

    Example:
        >>> run(argparse.Namespace(file="x", by=["region"], level="city", profiles=None,
        ...                        as_of="yesterday", format="text"))
        2
    """
    as_of = None
    if args.as_of is not None:
        try:
            as_of = date_option(args.as_of, "--as-of")
        except ValueError as error:
            return usage_error("stats", str(error))
    kind = input_format(args.file, getattr(args, "input_format", None))
    problem = output_problem(args, kind)
    if problem is not None:
        return usage_error("stats", problem)
    bad: list[int] = []
    try:
        rows = _rows(args, kind, as_of, bad)
    except OSError as error:
        return cannot_read("stats", error, args.file)
    except (VolunteerRulesError, ValueError) as error:
        return usage_error("stats", str(error))
    headers = list(rows.names)  # the columns asked for, also when no record counted
    table: list[list[Any]] = [[row.get(h) for h in headers] for row in rows]
    try:
        with output_to(args) as out:
            if args.format == "parquet":
                write_parquet(_frame(headers, rows), args.output)
            elif args.format == "json":
                write_json([{k: _plain(v) for k, v in row.items()} for row in rows], out=out)
            elif args.format == "csv":
                write_csv(headers, table, out=out)
            else:
                _write_table(headers, table, out=out)
    except OSError as error:
        return cannot_write("stats", error, args.output)
    if not any(row["records"] for row in rows):  # a total row of zeros is no count either
        return empty_warning("stats", f"no counted record in {_name(args.file)}: nothing to report")
    return 1 if bad else 0


def _frame(headers: list[str], rows: Figures) -> Any:
    """The rows as a polars DataFrame: counts and minutes as integers, hours as decimals."""
    import polars as pl

    schema = {
        h: pl.Decimal(20, 2) if h == "hours" else pl.Int64 if h in _COUNTS else pl.String
        for h in headers
    }
    return pl.DataFrame(
        [[row.get(h) for h in headers] for row in rows], schema=schema, orient="row"
    )


_COUNTS = ("volunteers", "organizations", "records", "minutes", "registered")


def _plain(value: object) -> object:
    """JSON has no Decimal: hours are written as a string (``"2.50"``) to stay exact."""
    return value if isinstance(value, (int, str)) or value is None else str(value)
