"""``volunteer-rules certificate``: issue a service record certificate from a records file.

Reads service records (JSON Lines, record format v1) and the volunteers' basic information
(``--profiles``, JSON Lines of profiles), and writes the certificate of one volunteer's service
with one issuing organization as text, JSON or a printable HTML page, signed with the issuer's
key when ``--signing-key FILE --key-id ID`` are given (the file holds the key's 32-byte seed as
64 hex digits; keep it where only the issuing service reads it). Records the issuer may not
certify, and records that do not count, are listed on standard error with their reasons.

Exit status: 0 a certificate was written from a file whose every line was read, 1 nothing
could be certified or a line could not be read as a record (it is reported on standard error
and left out; the certificate of the rest is still written), 2 usage error.

Example:
    >>> from volunteer_rules.cli import main
    >>> main(["certificate", "missing.jsonl", "--volunteer", "V1", "--profiles", "p.jsonl",
    ...       "--issuer", "512111005000000154", "--issuer-name", "协会",
    ...       "--responsible", "张伟", "--handler", "李雷", "--contact", "0427-2812345",
    ...       "--number", "C-1", "--as-of", "2026-06-30"])
    2
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import sys
from typing import IO, Final

from volunteer_rules.certificates.certificate import (
    Certificate,
    Issuer,
    dump_certificate,
    issue_certificate,
)
from volunteer_rules.certificates.render import render_html, render_text
from volunteer_rules.certificates.signing import SigningKey
from volunteer_rules.cli._io import (
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
from volunteer_rules.cli._records import file_name, read_records
from volunteer_rules.errors import InvalidValueError, RecordFormatError, VolunteerRulesError
from volunteer_rules.records.profile import VolunteerProfile, parse_profile
from volunteer_rules.rules.schemes import get_rule_set, rule_set_ids

__all__ = ["build_parser", "run"]


def build_parser(parser: argparse.ArgumentParser) -> None:
    """Add the ``certificate`` arguments to ``parser``.

    Example:
        >>> parser = argparse.ArgumentParser()
        >>> build_parser(parser)
        >>> parser.parse_args(["r.jsonl", "--volunteer", "V1", "--profiles", "p.jsonl",
        ...     "--issuer", "X", "--issuer-name", "N", "--responsible", "R", "--handler", "H",
        ...     "--contact", "C", "--number", "1", "--as-of", "2026-01-01"]).format
        'text'
    """
    parser.add_argument(
        "file", type=path_option, help="service records, JSON Lines (- for standard input)"
    )
    parser.add_argument("--volunteer", required=True, help="the volunteer's unified number")
    parser.add_argument(
        "--profiles",
        type=path_option,
        required=True,
        help="volunteers' basic information, JSON Lines",
    )
    parser.add_argument("--issuer", required=True, help="issuing organization's credit code")
    parser.add_argument("--issuer-name", required=True, help="issuing organization's name")
    parser.add_argument("--responsible", required=True, help="its responsible person (负责人)")
    parser.add_argument("--handler", required=True, help="who handles the certificate (经办人)")
    parser.add_argument("--contact", required=True, help="a contact for verification")
    parser.add_argument(
        "--successor-of",
        action="append",
        default=[],
        metavar="ORG",
        help="an organization merged into or dissolved under the issuer (repeatable)",
    )
    parser.add_argument("--number", required=True, help="the certificate number")
    parser.add_argument("--as-of", required=True, help="date of issue, YYYY-MM-DD")
    parser.add_argument("--since", help="first day of the period to certify, YYYY-MM-DD")
    parser.add_argument(
        "--rule-set",
        help=f"state the star level under this rule set: {', '.join(rule_set_ids())}",
    )
    parser.add_argument("--remarks", default="", help="remarks printed on the certificate")
    parser.add_argument(
        "--not-volunteer-service",
        action="append",
        default=[],
        metavar="RECORD_ID",
        help="a record flagged as not volunteer service (repeatable)",
    )
    parser.add_argument(
        "--signing-key",
        type=path_option,
        metavar="FILE",
        help="sign with the issuer's Ed25519 key: a file holding its 32-byte seed as 64 hex "
        "digits (needs the signing extra)",
    )
    parser.add_argument("--key-id", help="the id of the signing key, as published")
    parser.add_argument("--format", choices=("text", "json", "html"), default="text")
    parser.add_argument(
        "-o", "--output", type=path_option, help="write here instead of standard output"
    )
    add_quiet_argument(parser)


def _signing_key(args: argparse.Namespace, organization_id: str) -> SigningKey | None:
    """The key named by ``--signing-key``/``--key-id``, or ``None`` when not signing."""
    path = getattr(args, "signing_key", None)
    key_id = getattr(args, "key_id", None)
    if path is None and key_id is None:
        return None
    if path is None or key_id is None:
        raise InvalidValueError("--signing-key", "--signing-key and --key-id go together")
    with open(path, "rb") as file:
        raw = file.read()
    try:
        seed = bytes.fromhex(raw.decode("ascii"))  # fromhex skips the white space around
    except ValueError:  # not ASCII (UnicodeDecodeError) or not hex digits
        seed = b""
    if len(seed) != 32:
        raise InvalidValueError("--signing-key", f"{path} must hold 64 hex digits")
    return SigningKey.from_seed(seed, key_id=key_id, organization_id=organization_id)


def _profile(stream: IO[bytes], volunteer: str, name: str) -> VolunteerProfile | None:
    """The volunteer's profile in the file ``name``; one that is not valid is named by line."""
    for line in read_json_lines(stream):
        if isinstance(line.value, dict) and line.value.get("volunteer_id") == volunteer:
            try:
                return parse_profile(line.value)
            except RecordFormatError as error:
                why = str(error).removeprefix("invalid profile: ")
                raise InvalidValueError(
                    f"{name}:{line.number}", f"the profile of {volunteer} is not valid: {why}"
                ) from None
    return None


def _check_output(args: argparse.Namespace) -> None:
    """Raise ``ValueError`` when ``-o`` cannot be written: said before anything is read."""
    reads = (args.file, args.profiles, getattr(args, "signing_key", None))
    if args.output and (problem := unwritable(args.output, reads)) is not None:
        raise ValueError(problem)


def _not_in_force(rule_set: str | None, as_of: _dt.date) -> bool:
    """Say so when ``--rule-set`` has no version in force on ``as_of``: no level is stated then.

    ``certify`` refuses the same day; a level under no version would be no level at all.
    """
    scheme = None if rule_set is None else get_rule_set(rule_set).status_on(as_of)
    if scheme is None or scheme.version is not None:
        return False
    sys.stderr.write(f"volunteer-rules certificate: {scheme.reason}: no certificate issued\n")
    return True


_OPTIONS: Final = {
    "organization_id": "--issuer",
    "name": "--issuer-name",
    "responsible_person": "--responsible",
    "handler": "--handler",
    "contact": "--contact",
    "successor_of": "--successor-of",
    "number": "--number",
    "since": "--since",
    "as_of": "--as-of",
    "remarks": "--remarks",
    "not_volunteer_service": "--not-volunteer-service",
    "key_id": "--key-id",
}
"""The option that gives each argument of the issuer and of ``issue_certificate``."""


def _rendered(certificate: Certificate, form: str) -> str:
    """The certificate as ``--format`` asks: JSON, a printable HTML page, or text."""
    if form == "json":
        return json.dumps(dump_certificate(certificate), ensure_ascii=False, indent=2) + "\n"
    if form == "html":
        return render_html(certificate)
    return render_text(certificate)


def run(args: argparse.Namespace) -> int:
    """Issue the certificate; return the exit status.

    Example:
        >>> run(argparse.Namespace(file="missing.jsonl", as_of="not a date"))
        2
    """
    try:
        as_of = date_option(args.as_of, "--as-of")
        since_text = getattr(args, "since", None)
        since = None if since_text is None else date_option(since_text, "--since")
        _check_output(args)
    except ValueError as error:
        return usage_error("certificate", str(error))
    bad: list[int] = []  # the numbers of the lines skipped
    try:
        if _not_in_force(args.rule_set, as_of):
            return 1
        issuer = Issuer(
            organization_id=args.issuer,
            name=args.issuer_name,
            responsible_person=args.responsible,
            handler=args.handler,
            contact=args.contact,
            successor_of=frozenset(args.successor_of),
        )
        with open_input(args.profiles) as stream:
            profile = _profile(stream, args.volunteer, file_name(args.profiles))
        if profile is None:
            return usage_error("certificate", f"no profile of volunteer {args.volunteer}")
        # The one reader of record files (one format for bad lines, the one rule for
        # conflicts); every volunteer's records go in, as certify takes them.
        progress = progress_of("certificate", args)
        with open_input(args.file) as stream:
            records = list(
                read_records(stream, sys.stderr, bad, name=file_name(args.file), progress=progress)
            )
        progress.close()
        key = _signing_key(args, issuer.organization_id)
        issued = issue_certificate(
            records,
            volunteer=profile,
            issuer=issuer,
            as_of=as_of,
            number=args.number,
            since=since,
            rule_set=args.rule_set,
            remarks=args.remarks,
            not_volunteer_service=frozenset(args.not_volunteer_service),
            signing_key=key,
        )
    except OSError as error:
        return cannot_read("certificate", error, args.file)
    except VolunteerRulesError as error:
        return usage_error("certificate", named_by_option(error, _OPTIONS))
    elsewhere = [r for r in issued.refusals if r.code == "other_organization"]
    if elsewhere:
        print(
            f"not certified: {len(elsewhere)} records of other organizations "
            "(only the organization that recorded a service certifies it)",
            file=sys.stderr,
        )
    for refusal in issued.refusals:
        if refusal.code not in ("other_organization", "other_volunteer"):
            where = f"record {refusal.record_id}: " if refusal.record_id else ""
            print(f"not certified: {where}{refusal.code}: {refusal.message}", file=sys.stderr)
    if not records and not bad:
        return empty_warning("certificate", f"{file_name(args.file)} holds no record")
    if issued.certificate is None:
        return empty_warning(
            "certificate",
            f"no certificate issued: nothing of volunteer {args.volunteer} to certify",
        )
    text = _rendered(issued.certificate, args.format)
    if args.output:
        try:
            with output_file(args.output) as out:
                out.write(text)
        except OSError as error:
            return cannot_write("certificate", error, args.output)
    else:
        sys.stdout.write(text)
    return 1 if bad else 0
