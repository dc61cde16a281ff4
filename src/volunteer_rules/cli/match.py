r"""``volunteer-rules match DEMAND.json PROFILES.jsonl``: fill a demand from a file of profiles.

Reads a demand (one JSON object, ``docs/registration-and-matching.md``) and volunteer profiles
(JSON Lines, one profile payload a line), optionally training records (``--trainings``) and
service records (``--records``, for each candidate's counted hours in the demand's category),
and prints the assignments slot by slot, the ranking with its score, and the ineligible
candidates counted by reason (``--ineligible`` lists each with its reasons).

The registration rule set is ``--rules ID``, or by default the one that applies in the demand's
region on ``--as-of`` (:func:`volunteer_rules.matching.registration.registration_rules_for_region`).

Formats: ``text`` (default), ``json`` (one document: slots, ranking, ineligible with reasons),
``csv`` (the ranking, one row per eligible candidate).

Exit status: ``0`` every place filled and every input line valid; ``1`` some place left
unfilled or some input line invalid (each reported on standard error with its line number);
``2`` usage error (a missing file, a bad option, a demand that is not valid).

Example:
    >>> import json, os, tempfile
    >>> from volunteer_rules.cli import main
    >>> from volunteer_rules.records.profile import dump_profile
    >>> from volunteer_rules.testing.matching_examples import SAMPLE_DEMAND_PAYLOAD, sample_profile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     demand = os.path.join(folder, "demand.json")
    ...     profiles = os.path.join(folder, "profiles.jsonl")
    ...     with open(demand, "w", encoding="utf-8") as file:
    ...         json.dump(dict(SAMPLE_DEMAND_PAYLOAD, head_count=1), file)
    ...     with open(profiles, "w", encoding="utf-8") as file:
    ...         for n in range(2):
    ...             profile = sample_profile(volunteer_id=f"V{n}", skills=("first_aid",) * n)
    ...             _ = file.write(json.dumps(dump_profile(profile)) + "\n")
    ...     main(["match", demand, profiles, "--as-of", "2024-05-01", "--format", "csv"])
    rank,volunteer_id,covered,proximity,history_minutes,star_rank,assigned_slots
    1,V1,1,3,0,0,0 1 2 3 4 5 6 7 8 9
    0
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from volunteer_rules._canonical import read_json, why_not_json
from volunteer_rules.cli._io import (
    Progress,
    add_format_argument,
    add_quiet_argument,
    cannot_read,
    date_option,
    empty_warning,
    named_by_option,
    open_input,
    path_option,
    progress_of,
    read_json_lines,
    usage_error,
    write_csv,
    write_json,
    write_table,
)
from volunteer_rules.cli._records import file_name
from volunteer_rules.errors import RecordFormatError, UnknownRuleSetError, VolunteerRulesError
from volunteer_rules.matching.assignment import MatchResult, match
from volunteer_rules.matching.demand import Demand, parse_demand
from volunteer_rules.matching.registration import (
    get_registration_rules,
    registration_rule_set_ids,
    registration_rules_for_region,
)
from volunteer_rules.records.profile import parse_profile, parse_training
from volunteer_rules.records.record import parse_record
from volunteer_rules.statistics.summary import category_minutes

__all__ = ["build_parser", "read_parsed", "run"]

T = TypeVar("T")

_RANKING = (
    "rank",
    "volunteer_id",
    "covered",
    "proximity",
    "history_minutes",
    "star_rank",
    "assigned_slots",
)


def build_parser(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``match`` to ``parser``.

    Example:
        >>> parser = argparse.ArgumentParser()
        >>> build_parser(parser)
        >>> parser.parse_args(["d.json", "p.jsonl", "--as-of", "2024-05-01"]).reach
    """
    parser.add_argument(
        "demand", type=path_option, metavar="DEMAND.json", help="the demand, one JSON object"
    )
    parser.add_argument(
        "profiles",
        type=path_option,
        metavar="PROFILES.jsonl",
        help="volunteer profiles, JSON Lines; - for stdin",
    )
    parser.add_argument(
        "--trainings", type=path_option, metavar="FILE", help="training records, JSON Lines"
    )
    parser.add_argument(
        "--records",
        type=path_option,
        metavar="FILE",
        help="service records, JSON Lines (service history)",
    )
    parser.add_argument(
        "--rules",
        metavar="ID",
        help="registration rule set id (default: the one of the demand's region):"
        f" {', '.join(registration_rule_set_ids())}",
    )
    parser.add_argument("--as-of", required=True, metavar="DATE", help="day of the match")
    parser.add_argument(
        "--reach",
        choices=("county", "city", "province"),
        help="only candidates living in this region around the demand's",
    )
    parser.add_argument("--max-slots", type=int, metavar="N", help="at most N slots per volunteer")
    parser.add_argument(
        "--ineligible", action="store_true", help="list every ineligible candidate (text)"
    )
    add_format_argument(parser)
    add_quiet_argument(parser)


def read_parsed(
    path: str,
    parse: Callable[[Any], T],
    what: str,
    *,
    bad: list[int],
    progress: Progress | None = None,
) -> Iterator[T]:
    r"""Parse every line of a JSON Lines file; report bad lines on standard error.

    ``bad`` gets one item per bad line, so the caller knows whether all went well. Messages
    go to standard error as they are: the command line masks them there, at its edge.

    Example:
        >>> import io, os, tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     name = os.path.join(folder, "x.jsonl")
        ...     with open(name, "w") as file:
        ...         _ = file.write('1\n"x"\n')
        ...     errors = []
        ...     list(read_parsed(name, int, "number", bad=errors)), len(errors)
        ([1], 1)
    """
    clear = progress.clear if progress is not None else _nothing
    with open_input(path) as stream:
        for line in read_json_lines(stream, progress=progress):
            if line.error is not None:  # FILE:LINE: PATH: CODE: MESSAGE, as check writes them
                code = "invalid_encoding" if line.error.startswith("not UTF-8") else "invalid_json"
                clear()
                _complain(path, line.number, f"$: {code}: {line.error}")
                bad.append(line.number)
                continue
            try:
                yield parse(line.value)
            except RecordFormatError as error:
                clear()
                for problem in error.errors:
                    _complain(
                        path, line.number, f"{problem.path}: {problem.code}: {problem.message}"
                    )
                bad.append(line.number)
            except (VolunteerRulesError, ValueError, TypeError) as error:
                clear()
                _complain(path, line.number, f"$: invalid_format: not a valid {what}: {error}")
                bad.append(line.number)


def _nothing() -> None:
    """No progress line to wipe."""


def _complain(path: str, number: int, message: str) -> None:
    print(f"{path}:{number}: {message}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    """Run ``match``; return the exit status.

    Example:
        >>> run(argparse.Namespace(demand="/nonexistent.json"))
        2
    """
    try:
        with open(args.demand, "rb") as file:
            payload = read_json(file.read().decode("utf-8-sig"))
    except OSError as error:
        return cannot_read("match", error, args.demand)
    except ValueError as error:  # not UTF-8, not JSON, or nested too deeply
        return usage_error(
            "match", f"the demand {args.demand} is {why_not_json(error, lines=True)}"
        )
    try:
        demand = parse_demand(payload)
    except RecordFormatError as error:  # which file: the message names the fields only
        why = str(error).removeprefix("invalid demand: ")
        return usage_error("match", f"the demand {args.demand} is not valid: {why}")
    if getattr(args, "max_slots", None) is not None and args.max_slots < 1:
        return usage_error("match", f"--max-slots must be 1 or more, not {args.max_slots}")
    try:
        as_of = date_option(args.as_of, "--as-of")
    except ValueError as error:
        return usage_error("match", str(error))
    try:
        rules = (
            get_registration_rules(args.rules)
            if args.rules
            else registration_rules_for_region(demand.region, as_of=as_of)
        )
    except UnknownRuleSetError as error:
        return usage_error("match", str(error))
    bad: list[int] = []
    try:
        progress = progress_of("match", args)
        profiles = list(
            read_parsed(args.profiles, parse_profile, "profile", bad=bad, progress=progress)
        )
        progress.close()
        trainings = (
            list(read_parsed(args.trainings, parse_training, "training record", bad=bad))
            if args.trainings
            else []
        )
        history = None
        if args.records:
            records = read_parsed(args.records, parse_record, "record", bad=bad)
            history = category_minutes(records, category=demand.service_category, as_of=as_of)
    except OSError as error:
        return cannot_read("match", error, args.profiles)
    try:
        result = match(
            demand,
            _unique(profiles, bad),
            rules=rules,
            as_of=as_of,
            trainings=trainings,
            history=history,
            reach=args.reach,
            max_slots_per_volunteer=args.max_slots,
        )
    except VolunteerRulesError as error:
        options = {
            "max_slots_per_volunteer": "--max-slots",
            "as_of": "--as-of",
            "reach": "--reach",
            "rules": "--rules",
        }
        return usage_error("match", named_by_option(error, options))
    if args.format == "json":
        write_json(_as_json(result, demand))
    elif args.format == "csv":
        write_csv(_RANKING, _ranking_rows(result))
    else:
        _write_text(result, demand, show_ineligible=args.ineligible)
    if not profiles and not bad:
        return empty_warning("match", f"{file_name(args.profiles)} holds no profile")
    if not result.assignments:
        return empty_warning("match", "no volunteer could be assigned to the demand")
    return 1 if bad or result.unfilled else 0


def _unique(profiles: list[Any], bad: list[int]) -> list[Any]:
    """Profiles with a volunteer id seen before are reported and dropped (the first stays)."""
    seen: set[str] = set()
    out = []
    for profile in profiles:
        if profile.volunteer_id in seen:
            print(
                f"duplicate volunteer {profile.volunteer_id}: later profile ignored",
                file=sys.stderr,
            )
            bad.append(0)
            continue
        seen.add(profile.volunteer_id)
        out.append(profile)
    return out


def _ranking_rows(result: MatchResult) -> Iterator[list[object]]:
    for candidate in result.ranked:
        score = candidate.score
        yield [
            candidate.rank,
            candidate.volunteer_id,
            score.covered,
            score.proximity,
            score.history_minutes,
            score.star_rank,
            " ".join(str(s) for s in candidate.assigned_slots),
        ]


def _slots(result: MatchResult, demand: Demand) -> list[dict[str, Any]]:
    given: dict[int, list[str]] = {}
    for assignment in result.assignments:
        given.setdefault(assignment.slot or 0, []).append(assignment.volunteer_id)
    left = dict(result.unfilled)
    return [
        {
            "slot": slot.index,
            "start": slot.start.isoformat(),
            "end": slot.end.isoformat(),
            "assigned": given.get(slot.index, []),
            "unfilled": left.get(slot.index, 0),
        }
        for slot in demand.slots
    ]


def _as_json(result: MatchResult, demand: Demand) -> dict[str, Any]:
    return {
        "demand_id": result.demand_id,
        "rule_set_id": result.rule_set_id,
        "as_of": result.as_of.isoformat(),
        "slots": _slots(result, demand),
        "ranked": [
            {
                "rank": c.rank,
                "volunteer_id": c.volunteer_id,
                "score": {
                    "covered": c.score.covered,
                    "proximity": c.score.proximity,
                    "history_minutes": c.score.history_minutes,
                    "star_rank": c.score.star_rank,
                },
                "explanation": list(c.explanation),
                "open_slots": list(c.open_slots),
                "assigned_slots": list(c.assigned_slots),
            }
            for c in result.ranked
        ],
        "ineligible": [
            {
                "volunteer_id": volunteer_id,
                "reasons": [
                    {"code": r.code, "message": r.message, "slot": r.slot} for r in reasons
                ],
            }
            for volunteer_id, reasons in result.ineligible
        ],
    }


def _write_text(result: MatchResult, demand: Demand, *, show_ineligible: bool) -> None:
    out = sys.stdout
    out.write(
        f"demand {demand.demand_id} ({demand.service_category}, {demand.region.name}), "
        f"rules {result.rule_set_id}, as of {result.as_of.isoformat()}\n\n"
    )
    write_table(
        ["slot", "start", "end", "assigned", "unfilled"],
        [
            [s["slot"], s["start"], s["end"], " ".join(s["assigned"]), s["unfilled"]]
            for s in _slots(result, demand)
        ],
        out=out,
    )
    out.write("\n")
    write_table(list(_RANKING), _ranking_rows(result), out=out)
    counts = Counter(r.code for _, reasons in result.ineligible for r in reasons)
    out.write(f"\nineligible: {len(result.ineligible)}\n")
    for code, count in sorted(counts.items()):
        out.write(f"  {code:<28}{count:>8}\n")
    if show_ineligible:
        for volunteer_id, reasons in result.ineligible:
            for reason in reasons:
                where = "" if reason.slot is None else f" [slot {reason.slot}]"
                out.write(f"{volunteer_id}: {reason.code}{where}: {reason.message}\n")
