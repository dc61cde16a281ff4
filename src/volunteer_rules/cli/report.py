r"""``volunteer-rules report FILES... --as-of DATE -o report.html``: the bureau's printable report.

Reads JSON Lines files and writes :func:`~volunteer_rules.statistics.report.render_report_html`
of :func:`~volunteer_rules.statistics.report.build_report`: one self-contained HTML page with
the headline figures, charts (hours by month, by region, star levels) and tables. Each line
is recognised by its fields, so files may be given in any order and may mix kinds:

========================  ================================================================
kind                      recognised by
========================  ================================================================
service record            ``format_version`` and ``record_id``
volunteer profile         ``format_version`` and ``birth_date``
training                  ``training_id``
organization              ``organization_id`` and ``responsible_department``
station                   ``station_id`` and ``organization_ids``
person served             ``person_id``
project                   ``project_id`` and ``demand``
========================  ================================================================

A line of no known kind, or one that does not read, is reported on standard error with its
file and number (masked) and left out; the report is still written, and the exit status is
``1``. Exit status: ``0`` every line read, ``1`` some line left out, ``2`` usage error.

Example:
    >>> import json, os, tempfile
    >>> from volunteer_rules.cli import main
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> with tempfile.TemporaryDirectory() as folder:  # doctest: +ELLIPSIS
    ...     path = os.path.join(folder, "records.jsonl")
    ...     with open(path, "w", encoding="utf-8") as file:
    ...         _ = file.write(json.dumps(SAMPLE_RECORD_PAYLOAD) + "\n")
    ...     out = os.path.join(folder, "report.html")
    ...     status = main(["report", path, "--as-of", "2024-06-30", "-o", out])
    ...     with open(out, encoding="utf-8") as file:
    ...         page = file.read()
    /.../report.html: 1 records counted, 2.00 hours, 0 registered volunteers, 0 registered organizations
    >>> status, "<svg" in page
    (0, True)
"""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
from collections.abc import Callable, Mapping
from typing import Any

from volunteer_rules.cli._io import (
    JsonLine,
    Progress,
    add_quiet_argument,
    cannot_read,
    cannot_write,
    date_option,
    empty_warning,
    named_by_option,
    open_input,
    path_option,
    progress_of,
    read_json_lines,
    unwritable,
    usage_error,
)
from volunteer_rules.cli._output import output_file
from volunteer_rules.cli._records import file_name
from volunteer_rules.community.organization import parse_organization
from volunteer_rules.community.person import parse_person
from volunteer_rules.community.project import parse_project
from volunteer_rules.community.station import parse_station
from volunteer_rules.errors import RecordFormatError, VolunteerRulesError
from volunteer_rules.records.profile import parse_profile, parse_training
from volunteer_rules.records.record import parse_record
from volunteer_rules.rules.schemes import rule_set_ids
from volunteer_rules.statistics.report import Report, build_report, render_report_html

__all__ = ["KINDS", "build_parser", "kind_of", "run"]

KINDS: dict[str, Callable[[Any], Any]] = {
    "records": parse_record,
    "profiles": parse_profile,
    "trainings": parse_training,
    "organizations": parse_organization,
    "stations": parse_station,
    "people": parse_person,
    "projects": parse_project,
}
"""What a line can be (the :func:`~volunteer_rules.statistics.report.build_report` argument)
and how it is read."""


def kind_of(value: object) -> str | None:
    """The kind of a decoded line (a key of :data:`KINDS`), or ``None``.

    Example:
        >>> kind_of({"format_version": 1, "record_id": "r-1"}), kind_of({"person_id": "P-1"})
        ('records', 'people')
        >>> kind_of([1, 2]) is None
        True
    """
    if not isinstance(value, Mapping):
        return None
    if "format_version" in value and "record_id" in value:
        return "records"
    if "format_version" in value and "birth_date" in value:
        return "profiles"
    if "training_id" in value:
        return "trainings"
    if "project_id" in value and "demand" in value:
        return "projects"
    if "station_id" in value and "organization_ids" in value:
        return "stations"
    if "person_id" in value:
        return "people"
    if "organization_id" in value and "responsible_department" in value:
        return "organizations"
    return None


def build_parser(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``report`` to ``parser``.

    Example:
        >>> parser = argparse.ArgumentParser()
        >>> build_parser(parser)
        >>> parser.parse_args(["a.jsonl", "b.jsonl", "--as-of", "2026-06-30"]).output
        'report.html'
    """
    parser.add_argument(
        "files", type=path_option, metavar="FILES", nargs="+", help="JSON Lines files (any kinds)"
    )
    parser.add_argument("--as-of", required=True, metavar="DATE", help="the report's day")
    parser.add_argument(
        "-o", "--output", type=path_option, default="report.html", help="the HTML file to write"
    )
    parser.add_argument(
        "--rule-set",
        default="cn-national",
        help=f"star rule set id (default: cn-national): {', '.join(rule_set_ids())}",
    )
    parser.add_argument(
        "--level",
        choices=("county", "city", "province"),
        default="county",
        help="the level regions are grouped at (default county)",
    )
    parser.add_argument("--title", default="志愿服务统计报告", help="the page title")
    add_quiet_argument(parser)


def _complain(path: str, number: int, message: str) -> None:
    print(f"{path}:{number}: {message}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    """Read the files, write the report; return the exit status.

    Example:
        >>> run(argparse.Namespace(files=["x.jsonl"], as_of="30 June", output="r.html",
        ...                        rule_set="cn-national", level="county", title="t"))
        2
    """
    try:
        as_of = date_option(args.as_of, "--as-of")
    except ValueError as error:
        return usage_error("report", str(error))
    problem = unwritable(args.output, args.files)
    if problem is not None:
        return usage_error("report", problem)
    found: dict[str, list[Any]] = {kind: [] for kind in KINDS}
    bad = 0
    for path in args.files:
        try:
            progress = progress_of("report", args)
            bad += _read_file(path, found, progress)
        except OSError as error:
            return cannot_read("report", error, path)
    try:
        report = _build(found, as_of=as_of, args=args)
    except VolunteerRulesError as error:
        options = {"as_of": "--as-of", "rule_set": "--rule-set", "region_level": "--level"}
        return usage_error("report", named_by_option(error, options))
    page = render_report_html(report)
    try:
        with output_file(args.output) as file:
            file.write(page)
    except OSError as error:
        return cannot_write("report", error, args.output)
    totals = report.totals
    print(
        f"{args.output}: {totals['records']} records counted, {totals['hours']} hours, "
        f"{totals['volunteers']} registered volunteers, "
        f"{totals['organizations']} registered organizations"
    )
    if not any(found.values()) and not bad:
        return empty_warning(
            "report", f"{', '.join(map(file_name, args.files))}: nothing to report (no line)"
        )
    if not totals["records"]:
        return empty_warning("report", "no counted record: the report is empty")
    return 1 if bad else 0


def _read_file(path: str, found: dict[str, list[Any]], progress: Progress) -> int:
    """Read one file's lines into ``found`` by kind; return how many were left out."""
    bad = 0
    with open_input(path) as stream:
        for line in read_json_lines(stream, progress=progress):
            bad += _read_line(path, line, found, progress)
    progress.close()
    return bad


def _read_line(path: str, line: JsonLine, found: dict[str, list[Any]], progress: Progress) -> int:
    """Read one line into ``found`` (``0``), or report it on standard error (``1``)."""
    if line.error is not None:
        progress.clear()
        code = "invalid_encoding" if line.error.startswith("not UTF-8") else "invalid_json"
        _complain(path, line.number, f"$: {code}: {line.error}")
        return 1
    kind = kind_of(line.value)
    if kind is None:
        progress.clear()
        _complain(
            path,
            line.number,
            "$: invalid_format: not a record, profile, training, "
            "organization, station, person served or project",
        )
        return 1
    try:
        found[kind].append(KINDS[kind](line.value))
    except RecordFormatError as error:
        progress.clear()
        for problem in error.errors:
            _complain(path, line.number, f"{problem.path}: {problem.code}: {problem.message}")
        return 1
    except (VolunteerRulesError, ValueError, TypeError) as error:
        progress.clear()
        noun = "person served" if kind == "people" else kind[:-1]
        _complain(path, line.number, f"$: invalid_format: not a valid {noun}: {error}")
        return 1
    return 0


def _build(found: dict[str, list[Any]], *, as_of: _dt.date, args: argparse.Namespace) -> Report:
    """The report of what was read (records given twice with different content left out)."""
    return build_report(
        _unique_records(found["records"]),
        as_of=as_of,
        profiles=found["profiles"],
        trainings=found["trainings"],
        organizations=found["organizations"],
        stations=found["stations"],
        people=found["people"],
        projects=found["projects"],
        rule_set=args.rule_set,
        region_level=args.level,
        title=args.title,
    )


def _unique_records(records: list[Any]) -> list[Any]:
    """Leave out both copies of a key given twice with different content (as ``check``)."""
    seen: dict[tuple[str, str], Any] = {}
    clash: set[tuple[str, str]] = set()
    for record in records:
        held = seen.setdefault(record.key, record)
        if held != record:
            clash.add(record.key)
    for key in sorted(clash):
        print(
            f"record {key[0]}/{key[1]} is given twice with different content; left out",
            file=sys.stderr,
        )
    return [r for k, r in seen.items() if k not in clash]
