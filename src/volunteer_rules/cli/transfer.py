r"""``volunteer-rules transfer``: make and check transfer packages (转移包).

``transfer create RECORDS.jsonl --volunteer ID --from ORG --to ORG --to-region CODE
--created-at TIME [--consent] [--profiles FILE [--masked-profile]] [-o PACKAGE.json]`` reads
service records (JSON Lines, record format v1), keeps the volunteer's, and writes the package
(``docs/transfer.md``), with the volunteer's profile from ``--profiles`` when given: in full, or
masked with ``--masked-profile``. A bad line is
reported as ``check`` reports it (file, line, path, code, message) and no package is written.

``transfer check PACKAGE.json [--destination RECORDS.jsonl] --as-of DATE`` reads a package
(and what the destination holds), runs :func:`~volunteer_rules.check_transfer` and prints every
violation and warning, then a summary.

Exit status, as for every command: ``0`` clean (package written; transfer allowed, warnings
allowed), ``1`` findings (a bad line, a malformed package, a transfer not allowed), ``2`` usage
error (a missing file, a bad option).

Example:
    >>> import json, os, tempfile
    >>> from volunteer_rules.cli import main
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     records = os.path.join(folder, "records.jsonl")
    ...     with open(records, "w", encoding="utf-8") as file:
    ...         _ = file.write(json.dumps(SAMPLE_RECORD_PAYLOAD) + "\n")
    ...     package = os.path.join(folder, "package.json")
    ...     main(["transfer", "create", records, "--volunteer", "V0000001",
    ...           "--from", "512111005000000154", "--to", "51211100MJ00000175",
    ...           "--to-region", "210100", "--consent",
    ...           "--created-at", "2024-06-01T09:00:00+08:00", "-o", package])
    ...     main(["transfer", "check", package, "--as-of", "2024-06-01"])
    ... # doctest: +NORMALIZE_WHITESPACE
    0
    summary
      volunteer     V0000001
      from          512111005000000154
      to            51211100MJ00000175 (210100 沈阳市)
      records       1 (2 h)
      violations    0
      warnings      0
      level before  none (cn-national, 2 h counted)
      level after   none (cn-national, 2 h counted)
      decision      allowed
    0
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import IO, Any

import attrs

from volunteer_rules._canonical import read_json, why_not_json
from volunteer_rules.cli._io import (
    add_format_argument,
    add_quiet_argument,
    cannot_read,
    cannot_write,
    date_option,
    datetime_option,
    empty_warning,
    open_input,
    path_option,
    progress_of,
    raw_output,
    read_json_lines,
    unwritable,
    usage_error,
)
from volunteer_rules.cli._output import output_file
from volunteer_rules.cli._records import file_name, read_records
from volunteer_rules.cli._store import add_db_option, open_stores, stored_records
from volunteer_rules.errors import RecordFormatError, UnknownRuleSetError, VolunteerRulesError
from volunteer_rules.records.profile import MaskedProfile, VolunteerProfile, parse_profile
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.records.region import RegionCode
from volunteer_rules.rules.certification import Certification
from volunteer_rules.rules.schemes import rule_set_ids
from volunteer_rules.transfer.check import TransferDecision, TransferFinding, check_transfer
from volunteer_rules.transfer.continuation import Continuation, transfer_continuation
from volunteer_rules.transfer.holdings import transferable
from volunteer_rules.transfer.package import (
    TransferPackage,
    create_transfer_package,
    dump_transfer_package,
    parse_transfer_package,
)

__all__ = ["build_parser", "run"]

_COMMAND = "transfer"


def build_parser(parser: argparse.ArgumentParser) -> None:
    """Add the ``create`` and ``check`` sub-commands of ``transfer`` to ``parser``.

    Example:
        >>> parser = argparse.ArgumentParser()
        >>> build_parser(parser)
        >>> parser.parse_args(["check", "p.json", "--as-of", "2024-06-01"]).action
        'check'
    """
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    about = "package a volunteer's records for a transfer"
    create = actions.add_parser("create", help=about, description=about)
    create.add_argument(
        "records", type=path_option, metavar="RECORDS", help="JSON Lines of service records; -"
    )
    create.add_argument("--volunteer", required=True, metavar="ID", help="the volunteer's id")
    create.add_argument("--from", dest="source", required=True, metavar="ORG", help="source")
    create.add_argument("--to", dest="destination", required=True, metavar="ORG")
    create.add_argument("--to-region", required=True, metavar="CODE", help="destination region")
    create.add_argument("--from-region", default=None, metavar="CODE", help="source region")
    create.add_argument(
        "--consent", action="store_true", help="the volunteer consented to the move"
    )
    create.add_argument(
        "--guardian-consent", action="store_true", help="a guardian consented (under 14)"
    )
    create.add_argument(
        "--created-at",
        required=True,
        metavar="TIME",
        help="when the package is made: ISO 8601 with an offset (2024-06-01T09:00:00+08:00)",
    )
    create.add_argument(
        "--profiles",
        type=path_option,
        default=None,
        metavar="FILE",
        help="volunteers' basic information (JSON Lines): the volunteer's profile is sent too,"
        " in full (it holds the ID number; the volunteer must have given the record_transfer"
        " consent)",
    )
    create.add_argument(
        "--masked-profile",
        action="store_true",
        help="send the profile masked (name, ID number and contact masked, no skills): the"
        " minimum a transfer needs (PIPL Art. 6)",
    )
    create.add_argument(
        "-o", "--output", type=path_option, default="-", metavar="PACKAGE", help="default: -"
    )
    add_quiet_argument(create)
    add_db_option(create)
    about = "check a transfer package (the destination's checks, every violation and warning)"
    check = actions.add_parser("check", help=about, description=about)
    check.add_argument(
        "package", type=path_option, metavar="PACKAGE", help="a package (JSON); - for stdin"
    )
    check.add_argument(
        "--destination",
        type=path_option,
        default=None,
        metavar="RECORDS",
        help="JSON Lines of the records the destination already holds",
    )
    check.add_argument("--as-of", required=True, metavar="DATE", help="the day of the check")
    check.add_argument(
        "--rule-set",
        default=None,
        metavar="ID",
        help="the destination's rule set for the level after the move (default: by region):"
        f" {', '.join(rule_set_ids())}",
    )
    add_format_argument(check, choices=("text", "json"))
    add_db_option(check)
    add_quiet_argument(check)


def run(args: argparse.Namespace) -> int:
    """Run ``transfer create`` or ``transfer check``; return the exit status.

    Example:
        >>> run(argparse.Namespace(action=None))
        2
    """
    if getattr(args, "action", None) == "create":
        return _create(args)
    if getattr(args, "action", None) == "check":
        return _check(args)
    return usage_error(_COMMAND, "choose an action: create or check")


def _read_records(
    path: str, out: IO[str], args: argparse.Namespace
) -> tuple[list[ServiceRecord], int]:
    """Read a JSON Lines file of records; print bad lines; return records and bad-line count."""
    skipped: list[int] = []
    progress = progress_of(_COMMAND, args)
    with open_input(path) as stream:
        records = list(read_records(stream, out, skipped, name=file_name(path), progress=progress))
    progress.close()
    return records, len(skipped)


def _create(args: argparse.Namespace) -> int:
    try:
        created_at = datetime_option(args.created_at, "--created-at")
    except ValueError as error:
        return usage_error(_COMMAND, str(error))
    reads = (args.records, getattr(args, "profiles", None), getattr(args, "db", None))
    if args.output != "-" and (problem := unwritable(args.output, reads)) is not None:
        return usage_error(_COMMAND, problem)
    try:
        records, bad = _read_records(args.records, sys.stderr, args)
    except OSError as error:
        return cannot_read(_COMMAND, error, args.records)
    if bad:
        sys.stderr.write(f"volunteer-rules transfer: {bad} bad lines: no package written\n")
        return 1
    status, profile = _profile_option(args)
    if status:
        return status
    mine = [record for record in records if record.volunteer_id == args.volunteer]
    # Only verified records move, and withdrawals (check_transfer's not_verified): the others
    # stay at the source. A record withdrawn at the source moves with its withdrawal, so that
    # it counts for nothing at the destination either.
    moving = [record for record in mine if transferable(record)]
    if not moving:
        which = "verified record" if mine else "record"
        sys.stderr.write(
            f"volunteer-rules transfer: no {which} of volunteer {args.volunteer} in"
            f" {file_name(args.records)}: no package written\n"
        )
        return 1
    try:
        package = create_transfer_package(
            moving,
            volunteer_id=args.volunteer,
            source_organization_id=args.source,
            destination_organization_id=args.destination,
            destination_region_code=args.to_region,
            source_region_code=args.from_region,
            consent=args.consent,
            guardian_consent=args.guardian_consent,
            created_at=created_at,
            profile=profile,
            profile_form="masked" if getattr(args, "masked_profile", False) else "full",
        )
    except VolunteerRulesError as error:
        return usage_error(_COMMAND, str(error))
    text = json.dumps(dump_transfer_package(package), ensure_ascii=False, indent=2) + "\n"
    refused = _refused_by_reader(text) or _unknown_region(package)
    if refused:
        return usage_error(_COMMAND, refused)
    db = getattr(args, "db", None)
    try:
        # The database first: a --db that cannot be used leaves no package written anywhere.
        with open_stores(db) as stores:
            status = _write_package(
                args.output,
                text,
                keep=lambda: stores.transfers.add_package(package, at=package.created_at),
            )
            if status:
                return status
    except VolunteerRulesError as error:
        return usage_error(_COMMAND, f"--db {db}: {error}")
    note = "".join(
        f"; {count} {what}"
        for count, what in (
            (len(records) - len(mine), "records of other volunteers left out"),
            (
                len(mine) - len(moving),
                "records not verified left out: only verified records and withdrawals move",
            ),
        )
        if count
    )
    sys.stderr.write(
        f"package: {package.summary.record_count} records, {package.summary.service}, "
        f"digest {package.digest[:16]}{note}\n"
    )
    return 0


def _profile_option(args: argparse.Namespace) -> tuple[int, VolunteerProfile | None]:
    """The volunteer's profile from ``--profiles`` (``None`` without it), or a failed status."""
    profiles = getattr(args, "profiles", None)
    if getattr(args, "masked_profile", False) and profiles is None:
        return usage_error(_COMMAND, "--masked-profile needs --profiles FILE"), None
    if profiles is None:
        return 0, None
    try:
        with open_input(profiles) as stream:
            found = _profile(stream, args.volunteer, file_name(profiles))
    except OSError as error:
        return cannot_read(_COMMAND, error, profiles), None
    if found is None:
        sys.stderr.write(
            f"volunteer-rules transfer: no valid profile of volunteer {args.volunteer} in"
            f" {file_name(profiles)}: no package written\n"
        )
        return 1, None
    return 0, found


def _write_package(output: str, text: str, *, keep: Callable[[], object]) -> int:
    """Write the package's text to ``output`` (``-``: standard output) and ``keep`` it; 0 or 2.

    ``keep`` stores the package (in the ``--db`` file, or in memory). It runs once the text is
    written, and before a file is put in place: when keeping fails (a library error, raised
    on), the file is not written and an older one is left as it was, so a failure changes
    nothing. Standard output cannot be taken back: a failed write is said before ``keep``.
    """
    try:
        if output == "-":
            # The package is for the destination's software: the profile inside it keeps the
            # full document number (see docs/transfer.md), so it bypasses the masking.
            out = raw_output()
            out.write(text)
            out.flush()  # a failed write is said now, before --db keeps the package
            keep()
        else:
            with output_file(output, mask=False) as file:  # as above: not masked
                file.write(text)
                file.flush()  # a failed write (a full disk) is said before the package is kept
                keep()  # a failure leaves the file unwritten (output_file removes its draft)
    except OSError as error:
        return cannot_write(_COMMAND, error, output)
    return 0


_OPTIONS = {
    "$.volunteer_id": "--volunteer",
    "$.source_organization_id": "--from",
    "$.destination_organization_id": "--to",
    "$.destination_region_code": "--to-region",
    "$.source_region_code": "--from-region",
    "$.created_at": "--created-at",
}
"""The option of ``transfer create`` that gives each field of the package."""


def _unknown_region(package: TransferPackage) -> str:
    """Why ``transfer check`` would refuse the package's regions as ``unknown_region`` ('').

    A package to a region that does not exist can never be accepted: ``create`` says so
    at once, by the option that gave the code, rather than writing it.
    """
    for option, code in (
        ("--to-region", package.destination_region_code),
        ("--from-region", package.source_region_code),
    ):
        if code is not None and not RegionCode.is_known(code):
            return (
                f"{option}: {code} is not a known GB/T 2260 region code (transfer check would"
                " refuse the package: unknown_region)"
            )
    return ""


def _refused_by_reader(text: str) -> str:
    """Why ``transfer check`` (the package reader) would refuse a package text ('': it reads).

    The reader's rules are the one rule for a package: what ``create`` writes must read back,
    so a field the reader refuses is reported by the option that gave it.
    """
    try:
        parse_transfer_package(read_json(text))
    except RecordFormatError as error:
        return "; ".join(
            f"{_OPTIONS.get(item.path, item.path)}: {item.code}: {item.message}"
            for item in error.errors
        )
    return ""


def _profile(stream: IO[bytes], volunteer: str, name: str) -> VolunteerProfile | None:
    """The volunteer's profile in a JSON Lines file; a bad one is reported as a bad line."""
    for line in read_json_lines(stream):
        if not isinstance(line.value, dict) or line.value.get("volunteer_id") != volunteer:
            continue
        try:
            return parse_profile(line.value)
        except RecordFormatError as error:
            for item in error.errors:
                sys.stderr.write(
                    f"{name}:{line.number}: {item.path}: {item.code}: {item.message}\n"
                )
            return None
    return None


def _region_label(code: str) -> str:
    return f"{code} {RegionCode.parse(code).name}" if RegionCode.is_known(code) else code


def _finding_json(finding: TransferFinding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "organization_id": None if finding.record_key is None else finding.record_key[0],
        "record_id": None if finding.record_key is None else finding.record_key[1],
        "message": finding.message,
    }


def _check(args: argparse.Namespace) -> int:
    try:
        as_of = date_option(args.as_of, "--as-of")
    except ValueError as error:
        return usage_error(_COMMAND, str(error))
    name = "<stdin>" if args.package == "-" else args.package
    out = sys.stdout
    # With --format json standard output holds the one JSON document and nothing else: what
    # cannot be read (the package, the destination's bad lines) is said on standard error.
    said = sys.stderr if getattr(args, "format", "text") == "json" else out
    try:
        with open_input(args.package) as stream:
            raw = stream.read()
    except OSError as error:
        return cannot_read(_COMMAND, error, args.package)
    if not raw.strip():
        return empty_warning(_COMMAND, f"{name} holds no package")
    try:
        payload = read_json(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        said.write(f"{name}: $: invalid_json: {why_not_json(error, lines=True)}\n")
        return 1
    try:
        package = parse_transfer_package(payload)
    except RecordFormatError as error:
        for item in error.errors:
            said.write(f"{name}: {item.path}: {item.code}: {item.message}\n")
        return 1
    destination: list[ServiceRecord] = []
    bad = 0
    if args.destination is not None:
        try:
            destination, bad = _read_records(args.destination, said, args)
        except OSError as error:
            return cannot_read(_COMMAND, error, args.destination)
    if getattr(args, "db", None):  # what the volunteer's count needs from the file is held too
        try:
            held = stored_records(args.db, volunteer_id=package.volunteer_id)
        except VolunteerRulesError as error:
            return usage_error(_COMMAND, f"--db {args.db}: {error}")
        destination = [*destination, *held]
    decision = check_transfer(package, destination_records=destination, as_of=as_of)
    continuation: Continuation | None = None
    if args.rule_set is not None or RegionCode.is_known(package.destination_region_code):
        try:
            continuation = transfer_continuation(
                package, destination_records=destination, as_of=as_of, rule_set=args.rule_set
            )
        except UnknownRuleSetError as error:
            return usage_error(_COMMAND, f"--rule-set: {error}")
        except VolunteerRulesError:
            continuation = None  # a level that cannot be computed is left out, not fatal
    decision = attrs.evolve(decision, continuation=continuation)
    if args.format == "json":
        _write_json(name, package, decision, bad, out)
    else:
        _write_text(name, package, decision, bad, out)
    return 0 if decision.allowed and not bad else 1


def _write_text(
    name: str, package: TransferPackage, decision: TransferDecision, bad: int, out: IO[str]
) -> None:
    for finding in decision.violations:
        out.write(f"{name}: {finding.code}: {finding.message}\n")
    for finding in decision.warnings:
        out.write(f"{name}: warning: {finding.code}: {finding.message}\n")
    by_code: dict[str, int] = {}
    for finding in decision.violations:
        by_code[finding.code] = by_code.get(finding.code, 0) + 1
    shown = ", ".join(f"{code} {count}" for code, count in by_code.items())
    rows = [
        ("volunteer", package.volunteer_id),
        ("from", package.source_organization_id),
        (
            "to",
            f"{package.destination_organization_id} "
            f"({_region_label(package.destination_region_code)})",
        ),
        ("records", f"{package.summary.record_count} ({package.summary.service})"),
        ("violations", f"{len(decision.violations)}" + (f" ({shown})" if shown else "")),
        ("warnings", str(len(decision.warnings))),
    ]
    if package.profile is not None:
        rows.append(("profile", _profile_form(package) or ""))
    if bad:
        rows.append(("bad lines", str(bad)))
    continuation = decision.continuation
    if continuation is not None:
        rows.append(("level before", _level_text(continuation.before)))
        rows.append(("level after", _level_text(continuation.after)))
    rows.append(("decision", "allowed" if decision.allowed else "not allowed"))
    width = max(len(label) for label, _ in rows)
    out.write("summary\n")
    for label, value in rows:
        out.write(f"  {label.ljust(width)}  {value}\n")


def _profile_form(package: TransferPackage) -> str | None:
    """``masked``, ``full`` (the ID number in full) or ``None`` (no profile sent)."""
    if package.profile is None:
        return None
    return "masked" if isinstance(package.profile, MaskedProfile) else "full"


def _level_text(certification: Certification) -> str:
    level = certification.level
    name = level.label if level.rank else "none"
    return f"{name} ({certification.rule_set_id}, {certification.counted} counted)"


def _level_json(certification: Certification) -> dict[str, Any]:
    return {
        "rule_set_id": certification.rule_set_id,
        "rank": certification.level.rank,
        "level": certification.level.name,
        "counted_minutes": certification.counted.minutes,
    }


def _write_json(
    name: str, package: TransferPackage, decision: TransferDecision, bad: int, out: IO[str]
) -> None:
    document: dict[str, Any] = {
        "file": name,
        "allowed": decision.allowed,
        "violations": [_finding_json(f) for f in decision.violations],
        "warnings": [_finding_json(f) for f in decision.warnings],
        "summary": {
            "volunteer_id": package.volunteer_id,
            "source_organization_id": package.source_organization_id,
            "destination_organization_id": package.destination_organization_id,
            "destination_region_code": package.destination_region_code,
            "record_count": package.summary.record_count,
            "service_minutes": package.summary.service.minutes,
            "digest": package.digest,
            "bad_lines": bad,
            "profile": _profile_form(package),
        },
    }
    if decision.continuation is not None:
        document["continuation"] = {
            "before": _level_json(decision.continuation.before),
            "after": _level_json(decision.continuation.after),
        }
    out.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
