r"""``volunteer-rules check FILE``: check a JSON Lines file of service records.

Each line is one record payload (record format v1). The command reads the file once, line by
line, and reports:

1. every bad line, as soon as it is read: line number, path, code and message for each
   problem (``invalid_json`` / ``invalid_encoding`` for a line that is not JSON or not UTF-8,
   otherwise the record format's codes);
2. the findings across records (``duplicate_record``, ``superseded``, ``overlap``,
   ``daily_cap``, ``late``: see ``docs/checks.md``), with the line of each record, in the
   order of the file;
3. a summary: lines, records, bad lines, volunteers, findings by code, and the version of the
   working-day calendar data the ``late`` findings rest on.

Exit status: ``0`` when every line is a valid record and no finding is a problem (``superseded``
is only information), ``1`` when there is a bad line or a problem finding, ``2`` on a usage
error (a missing file, a bad option).

Memory: the per-line part is constant in the file's length (one line at a time, bad lines
written out at once). The cross-record checks keep one compact entry per distinct record (its
key, a content fingerprint, its line and the dates, minutes and status the counting rules need; no
text fields): see ``docs/cli.md`` for the measured bound.

Example:
    >>> import os, tempfile, json
    >>> from volunteer_rules.cli import main
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "records.jsonl")
    ...     with open(path, "w", encoding="utf-8") as file:
    ...         _ = file.write(json.dumps(SAMPLE_RECORD_PAYLOAD) + "\n")
    ...     main(["check", path])  # doctest: +NORMALIZE_WHITESPACE +ELLIPSIS
    summary
      lines       1
      records     1
      bad lines   0
      volunteers  1
      findings    0
      calendar    holidays ... (official arrangements 2001-...)
    0
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import re
import sys
from collections.abc import Iterator
from typing import IO, Final

from volunteer_rules.cli._io import (
    Progress,
    add_format_argument,
    add_quiet_argument,
    cannot_read,
    empty_warning,
    open_input,
    path_option,
    progress_of,
    read_json_lines,
    usage_error,
)
from volunteer_rules.cli._store import add_db_option, keep_records, open_stores
from volunteer_rules.errors import RecordFormatError, StorageError, VolunteerRulesError
from volunteer_rules.records.record import ServiceRecord, parse_record
from volunteer_rules.rules.checks import FINDING_CODES, Finding, RecordCheck, RecordChecker

__all__ = ["build_parser", "parse_offset", "run"]

_OFFSET_RE: Final = re.compile(r"([+-])(\d{2}):?(\d{2})", re.ASCII)


def parse_offset(text: str) -> _dt.tzinfo:
    """Read a ``--default-tz`` value: a UTC offset (``+08:00``, ``-0530``, ``Z``) or a zone name.

    Raises:
        ValueError: the text is neither.

    Example:
        >>> parse_offset("+08:00")
        datetime.timezone(datetime.timedelta(seconds=28800))
        >>> parse_offset("Asia/Shanghai")
        zoneinfo.ZoneInfo(key='Asia/Shanghai')
    """
    if text in ("Z", "z", "UTC"):
        return _dt.UTC
    match = _OFFSET_RE.fullmatch(text)
    if match:
        sign, hours, minutes = match.groups()
        delta = _dt.timedelta(hours=int(hours), minutes=int(minutes))
        if delta >= _dt.timedelta(hours=24) or int(minutes) >= 60:
            raise ValueError(f"{text!r} is not a UTC offset")
        return _dt.timezone(-delta if sign == "-" else delta)
    import zoneinfo

    try:
        return zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{text!r} is neither a UTC offset (+08:00) nor a time zone") from None


def build_parser(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``check`` to ``parser``.

    Example:
        >>> parser = argparse.ArgumentParser()
        >>> build_parser(parser)
        >>> parser.parse_args(["-", "--format", "json"]).file
        '-'
    """
    parser.add_argument(
        "file",
        type=path_option,
        metavar="FILE",
        help="JSON Lines of service records; - for standard input",
    )
    add_format_argument(parser, choices=("text", "json"))
    add_db_option(parser)
    add_quiet_argument(parser)
    parser.add_argument(
        "--default-tz",
        metavar="OFFSET",
        default=None,
        help="read date-times written without an offset in this zone (+08:00, Asia/Shanghai); "
        "by default they are an error",
    )
    parser.add_argument(
        "--summary",
        action="store_true",
        help="write only the summary (the counts), not each bad line and finding",
    )
    parser.add_argument(
        "--severity",
        choices=("problem", "info"),
        default=None,
        help="show only findings of this severity (problem: bad lines too; info: superseded "
        "records); the summary still counts everything",
    )


class _Report:
    """Writes what ``check`` finds, as text or as one streamed JSON document."""

    def __init__(
        self,
        name: str,
        fmt: str,
        out: IO[str],
        progress: Progress,
        *,
        summary: bool = False,
        severity: str | None = None,
    ) -> None:
        self.name = name
        self.json = fmt == "json"
        self.out = out
        self.progress = progress
        self.bad_lines = 0
        self.shown_bad = 0
        self.summary_only = summary
        self.severity = severity

    def _shows(self, finding: Finding) -> bool:
        return not self.summary_only and self.severity in (None, finding.severity)

    def start(self) -> None:
        if self.json:
            self.out.write('{\n  "file": ' + json.dumps(self.name, ensure_ascii=False))
            self.out.write(',\n  "bad_lines": [')

    def bad_line(self, number: int, errors: list[tuple[str, str, str]]) -> None:
        self.bad_lines += 1
        if self.summary_only or self.severity == "info":
            return
        self.shown_bad += 1
        if self.json:
            item = {
                "line": number,
                "errors": [
                    {"path": path, "code": code, "message": message}
                    for path, code, message in errors
                ],
            }
            self.out.write("\n    " if self.shown_bad == 1 else ",\n    ")
            self.out.write(json.dumps(item, ensure_ascii=False))
            return
        self.progress.clear()
        for path, code, message in errors:
            self.out.write(f"{self.name}:{number}: {path}: {code}: {message}\n")

    def finish(self, result: RecordCheck, checker: RecordChecker, total: int) -> None:
        counts = result.counts
        if self.json:
            self.out.write("\n  ]," if self.shown_bad else "],")
            self.out.write('\n  "findings": [')
            shown = [f for f in _by_line(result.findings) if self._shows(f)]
            for index, finding in enumerate(shown):
                item = {
                    "code": finding.code,
                    "severity": finding.severity,
                    "organization_id": finding.organization_id,
                    "record_id": finding.record_id,
                    "volunteer_id": finding.volunteer_id,
                    "line": finding.line,
                    "related": [
                        {
                            "organization_id": org,
                            "record_id": record_id,
                            "line": checker.line_of((org, record_id)),
                        }
                        for org, record_id in finding.related
                    ],
                    "message": finding.message,
                }
                self.out.write("\n    " if index == 0 else ",\n    ")
                self.out.write(json.dumps(item, ensure_ascii=False))
            self.out.write("\n  ]," if shown else "],")
            summary = {
                "lines": total,
                "records": result.records,
                "repeated": result.repeated,
                "bad_lines": self.bad_lines,
                "volunteers": result.volunteers,
                "findings": {code: counts[code] for code in FINDING_CODES if code in counts},
                "calendar": result.calendar_version,
            }
            self.out.write('\n  "summary": ' + json.dumps(summary, ensure_ascii=False))
            self.out.write("\n}\n")
            return
        for finding in _by_line(result.findings):
            if self._shows(finding):
                self.out.write(_finding_line(self.name, finding, checker) + "\n")
        by_code = ", ".join(f"{code} {counts[code]}" for code in FINDING_CODES if code in counts)
        records = str(result.records)
        if result.repeated:
            records += f" ({result.repeated} identical repeats ignored)"
        rows = [
            ("lines", str(total)),
            ("records", records),
            ("bad lines", str(self.bad_lines)),
            ("volunteers", str(result.volunteers)),
            ("findings", f"{len(result.findings)}" + (f" ({by_code})" if by_code else "")),
            ("calendar", result.calendar_version or "not stated (a calendar of your own)"),
        ]
        width = max(len(label) for label, _ in rows)
        self.out.write("summary\n")
        for label, value in rows:
            self.out.write(f"  {label.ljust(width)}  {value}\n")


def _by_line(findings: tuple[Finding, ...]) -> list[Finding]:
    """Findings in the order of the file (then by code), as a reader goes through it."""
    return sorted(findings, key=lambda f: (f.line or 0, FINDING_CODES.index(f.code)))


def _finding_line(name: str, finding: Finding, checker: RecordChecker) -> str:
    place = name if finding.line is None else f"{name}:{finding.line}"
    related = ""
    if finding.related:
        shown = []
        for key in finding.related:
            line = checker.line_of(key)
            shown.append(f"{key[1]}" + ("" if line is None else f" (line {line})"))
        related = " [related: " + ", ".join(shown) + "]"
    return (
        f"{place}: {finding.code}: {finding.organization_id} {finding.record_id} "
        f"(volunteer {finding.volunteer_id}): {finding.message}{related}"
    )


def _records(
    stream: IO[bytes],
    report: _Report,
    default_tz: _dt.tzinfo | None,
    progress: Progress,
) -> Iterator[tuple[int, ServiceRecord]]:
    for line in read_json_lines(stream, progress=progress):
        if line.error is not None:
            code = "invalid_encoding" if line.error.startswith("not UTF-8") else "invalid_json"
            report.bad_line(line.number, [("$", code, line.error)])
            continue
        try:
            record = parse_record(line.value, default_tz=default_tz)
        except RecordFormatError as error:
            report.bad_line(
                line.number, [(item.path, item.code, item.message) for item in error.errors]
            )
            continue
        yield line.number, record


def run(args: argparse.Namespace) -> int:
    """Run ``check`` with parsed arguments; return the exit status (0, 1 or 2).

    Example:
        >>> run(argparse.Namespace(file="/no/such/file.jsonl", format="text", default_tz=None))
        2
    """
    default_tz: _dt.tzinfo | None = None
    if args.default_tz is not None:
        try:
            default_tz = parse_offset(args.default_tz)
        except ValueError as error:
            return usage_error("check", f"--default-tz: {error}")
    name = "<stdin>" if args.file == "-" else args.file
    db = getattr(args, "db", None)
    if db is not None:  # a file that cannot be opened is a usage error, before any report
        try:
            with open_stores(db):
                pass
        except StorageError as error:
            return usage_error("check", f"--db {db}: {error}")
    out = sys.stdout
    try:
        with open_input(args.file) as stream:
            progress = progress_of("check", args)
            report = _Report(
                name,
                args.format,
                out,
                progress,
                summary=bool(getattr(args, "summary", False)),
                severity=getattr(args, "severity", None),
            )
            report.start()
            checker = RecordChecker()
            kept: list[ServiceRecord] = []  # with --db, the valid records are kept in the file
            try:
                for number, record in _records(stream, report, default_tz, progress):
                    checker.add(record, line=number)
                    if db is not None:
                        kept.append(record)
            finally:
                progress.close()
            result = checker.finish()
            report.finish(result, checker, progress.count)
    except OSError as error:
        return cannot_read("check", error, args.file)
    if db is not None:
        try:
            _, left_out = keep_records(db, kept)
        except StorageError as error:
            return usage_error("check", f"--db {db}: {error}")
        except VolunteerRulesError as error:  # a record held in the file with other content
            print(f"volunteer-rules check: --db {db}: nothing kept: {error}", file=sys.stderr)
            return 1
        for key in left_out:  # two different records under one key: neither is kept
            print(f"volunteer-rules check: --db {db}: not kept: {key}", file=sys.stderr)
    if result.records == 0 and report.bad_lines == 0:
        return empty_warning("check", f"{name} holds no record")
    return 0 if result.ok and report.bad_lines == 0 else 1
