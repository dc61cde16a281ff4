"""Checking a transfer (转移) of a volunteer's records to another organization or region.

:func:`check_transfer` judges a :class:`~volunteer_rules.TransferPackage` against what the
destination already holds and returns a :class:`TransferDecision`: whether the move may go
ahead, and every reason it may not (all found at once, each with a ``code`` and a
``message``), plus warnings that do not stop it.

The rules and their sources (``docs/sources.md``):

- the move needs the volunteer's consent (MCA 2012 draft [MCA2012-draft]: "with the
  volunteer's consent, records may be transferred"; rule 18), and for a volunteer under 14 a
  guardian's consent as well (PIPL Arts. 28 and 31 [PIPL]; rule 23): ``consent_missing``;
- the receiver verifies what it keeps ([MCA2012-draft]; Chongqing Art. 17 [CQ]): the content
  must match its digest (``digest_mismatch``) and its stated summary (``summary_mismatch``),
  every record must belong to the volunteer (``other_volunteer``) and be verified at the
  source, or be a withdrawal of a record (a ``void`` amendment, :func:`.transferable`), which
  moves with it or after it (``not_verified``), and nothing may be in the future
  (``future_record``);
- no hour counted twice (rule 20, Hong Kong SWD: two record books never sum [HK-SWD]; peers
  item 5): a record the destination already holds, or the same service twice, is
  ``duplicate_record``; intervals that overlap (with the destination's records of the volunteer
  or inside the package) are ``overlap``;
- a move goes somewhere: the same organization on both sides is ``same_place``; the destination
  (and source, when stated) must be a known GB/T 2260 region: ``unknown_region``;
- a record entered more than 10 working days after the activity ended (MCA Order 67 Art. 11
  [MCA2020]; rule 7) is a ``late`` warning: it still counts.

**What a duplicate is.** Two records are the same record when they have the same key
``(organization_id, record_id)`` (record format v1: ids are idempotency keys). Two records with
different keys are the same *service* when they agree on volunteer, date, interval (``start``
and ``end``, both absent or equal instants), service minutes, activity name, place and region
(their :func:`service_fingerprint`): the same afternoon recorded by two organizations.
Either is ``duplicate_record`` (against the destination's holdings, or twice inside the
package). A record a package record amends is replaced by that correction: it is not the same
service as anything. A duplicate is not also reported as an ``overlap`` with the record it
duplicates.

**Overlap.** Half-open intervals, as in the record format: ``a.start < b.end and b.start <
a.end``; touching intervals do not overlap; records without an interval never overlap. Only
records that can count take part: on the destination, the volunteer's records that are not
``void`` or ``rejected`` and not amended by another of its records (whoever's: a correction
entered under another volunteer supersedes too) or by a package record (a correction the source
made after the record moved replaces it); in the package, records not amended by another
package record.

Speed: the destination is read once (a set of keys; the volunteer's own records kept for
fingerprints and intervals); intervals are sorted and compared by bisection, so the check is
``O((n + m) log(n + m))`` for ``n`` package and ``m`` destination records.

Example:
    >>> import volunteer_rules as vr
    >>> from datetime import date, datetime, timezone
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
    >>> package = vr.create_transfer_package(
    ...     [record], volunteer_id=record.volunteer_id,
    ...     source_organization_id=record.organization_id,
    ...     destination_organization_id="51211100MJ00000175",
    ...     destination_region_code="210100", consent=False,
    ...     created_at=datetime(2024, 6, 1, tzinfo=timezone.utc))
    >>> decision = vr.check_transfer(package, as_of=date(2024, 6, 2))
    >>> decision.allowed, [v.code for v in decision.violations]
    (False, ['consent_missing'])
"""

from __future__ import annotations

import datetime as _dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from operator import attrgetter
from typing import TYPE_CHECKING, Final

import attrs

from volunteer_rules.errors import InvalidTypeError, InvalidValueError, VolunteerRulesError
from volunteer_rules.records._fields import canonical_organization_id
from volunteer_rules.records.calendar import (
    CHINA_WORKING_DAYS,
    WorkingDayCalendar,
    calendar_version,
)
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.records.region import RegionCode
from volunteer_rules.rules.checks import (
    LATE_WORKING_DAYS,
    activity_end_date,
    late_deadline,
    recorded_date,
)
from volunteer_rules.transfer import parts as transfer_parts
from volunteer_rules.transfer.continuation import Continuation, transfer_continuation
from volunteer_rules.transfer.duplicates import (
    _check_duplicates,
    _check_overlaps,
    service_fingerprint,
)
from volunteer_rules.transfer.findings import (
    TRANSFER_VIOLATION_CODES,
    TRANSFER_WARNING_CODES,
    TransferDecision,
    TransferFinding,
    _finding_order,
    _short,
)
from volunteer_rules.transfer.holdings import transferable, unwrap_record
from volunteer_rules.transfer.package import (
    TransferPackage,
    TransferSummary,
    compute_package_digest,
)

if TYPE_CHECKING:
    from volunteer_rules.rules.rule_set import RuleSet

__all__ = [
    "GUARDIAN_CONSENT_AGE",
    "TRANSFER_VIOLATION_CODES",
    "TRANSFER_WARNING_CODES",
    "TransferDecision",
    "TransferFinding",
    "check_transfer",
    "service_fingerprint",
]

GUARDIAN_CONSENT_AGE: Final = 14
"""Below this age (in whole years on the package's creation day) a guardian must consent too
(PIPL Arts. 28 and 31 [PIPL]: data of a child under 14 is sensitive and needs a guardian's
consent)."""

_KEY_OF: Final = attrgetter("organization_id", "record_id")

_Found = dict[str, list[TransferFinding]]
"""The violations found so far, by code (each list in the order found)."""


def _age_on(birth: _dt.date, day: _dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def check_transfer(
    package: TransferPackage,
    *,
    destination_records: Iterable[object] = (),
    as_of: _dt.date,
    calendar: WorkingDayCalendar = CHINA_WORKING_DAYS,
    continuation: bool = False,
    rule_set: RuleSet | str | None = None,
) -> TransferDecision:
    """Judge a transfer package against what the destination holds; report every problem.

    Args:
        package: the package (made by ``create_transfer_package`` or read by
            ``parse_transfer_package``).
        destination_records: what the destination already holds (``ServiceRecord`` values,
            or holdings wrapping one such as ``ImportedRecord``); records of other volunteers
            are only used for the key check, so pass the whole holding.
        as_of: the day of the check; a record dated, or entered, after it is
            ``future_record`` (``as_of`` itself is fine).
        calendar: the working-day calendar of the ``late`` warning (China's by default).
        continuation: also compute the certification level before and after the move
            (:func:`~volunteer_rules.transfer_continuation`) into ``decision.continuation``
            (left ``None`` when no rule set can be found or applied).
        rule_set: with ``continuation``, the destination's rule set (an id or a
            ``RuleSet``); by default it is resolved from ``destination_region_code``.

    Returns:
        a :class:`TransferDecision`.

    Raises:
        InvalidTypeError: ``package`` is not a ``TransferPackage``, ``as_of`` is not a
            ``date``, or a destination item is not a record.
        UnknownRuleSetError: with ``continuation``, ``rule_set`` is an unknown id.

    Example:
        >>> import volunteer_rules as vr
        >>> from datetime import date, datetime, timezone
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> package = vr.create_transfer_package(
        ...     [record], volunteer_id=record.volunteer_id,
        ...     source_organization_id=record.organization_id,
        ...     destination_organization_id=record.organization_id,
        ...     destination_region_code="219999", consent=True,
        ...     created_at=datetime(2024, 6, 1, tzinfo=timezone.utc))
        >>> decision = vr.check_transfer(package, destination_records=[record],
        ...                              as_of=date(2024, 5, 1))
        >>> [v.code for v in decision.violations]
        ['same_place', 'unknown_region', 'future_record', 'duplicate_record']
    """
    destination_iter = _checked_arguments(package, as_of, calendar, destination_records)
    found: _Found = {code: [] for code in TRANSFER_VIOLATION_CODES}
    warnings: list[TransferFinding] = []
    records = package.records

    # --- the package as a whole -------------------------------------------------------------
    _check_consent(package, found["consent_missing"])
    digest = _check_content(package, found)
    _check_places(package, found)
    _check_part_owners(package, found["other_volunteer"])

    # --- each record on its own -----------------------------------------------------------
    _check_records(records, package.volunteer_id, as_of, calendar, found, warnings)

    # --- against the destination and inside the package --------------------------------------
    held: list[ServiceRecord] | None = [] if continuation else None
    destination_keys, mine, amended = _destination_holdings(
        destination_iter, package.volunteer_id, held
    )
    _check_duplicates(records, destination_keys, mine, found["duplicate_record"])
    duplicated = {f.record_key for f in found["duplicate_record"]}
    _check_overlaps(records, mine, amended, duplicated, found["overlap"])

    violations = _in_report_order(found)
    result = TransferDecision(
        allowed=not violations,
        violations=violations,
        warnings=tuple(sorted(warnings, key=_finding_order)),
        digest=digest,
        calendar_version=calendar_version(calendar),
    )
    if continuation:
        levels = _continuation(package, held or (), as_of, rule_set)
        result = attrs.evolve(result, continuation=levels)
    return result


def _checked_arguments(
    package: object, as_of: object, calendar: object, destination_records: Iterable[object]
) -> Iterator[object]:
    """Refuse arguments of the wrong type; an iterator over the destination's holdings."""
    if not isinstance(package, TransferPackage):
        raise InvalidTypeError(
            "package", f"must be a TransferPackage, not {type(package).__name__}"
        )
    if not isinstance(as_of, _dt.date) or isinstance(as_of, _dt.datetime):
        raise InvalidTypeError("as_of", "must be a date (not a datetime)")
    if not callable(getattr(calendar, "is_working_day", None)):
        raise InvalidTypeError("calendar", "must have an is_working_day(day) method")
    if isinstance(destination_records, (str, bytes)):
        raise InvalidTypeError("destination_records", "must be an iterable of records")
    try:
        return iter(destination_records)
    except TypeError:
        raise InvalidTypeError("destination_records", "must be an iterable of records") from None


def _check_content(package: TransferPackage, found: _Found) -> str:
    """The content against its digest and its stated summary; the digest computed."""
    try:
        digest = compute_package_digest(package)
    except VolunteerRulesError:
        digest = ""
    if digest != package.digest:
        found["digest_mismatch"].append(
            TransferFinding(
                code="digest_mismatch",
                message="the package content does not match its digest: it was altered after "
                "it was made, or made by a faulty writer",
            )
        )
    actual = TransferSummary.of(package.records)
    if actual != package.summary:
        found["summary_mismatch"].append(
            TransferFinding(
                code="summary_mismatch",
                message=f"the package says {package.summary.record_count} records and "
                f"{package.summary.service}, but carries {actual.record_count} records and "
                f"{actual.service}",
            )
        )
    return digest


def _check_places(package: TransferPackage, found: _Found) -> None:
    """A move goes somewhere: two organizations, and known regions."""
    same = canonical_organization_id  # a credit code is one organization in either case
    if same(package.source_organization_id) == same(package.destination_organization_id):
        found["same_place"].append(
            TransferFinding(
                code="same_place",
                message=f"source and destination are the same organization "
                f"({package.source_organization_id}): nothing moves",
            )
        )
    for label, code in (
        ("destination", package.destination_region_code),
        ("source", package.source_region_code),
    ):
        if code is not None and not RegionCode.is_known(code):
            found["unknown_region"].append(
                TransferFinding(
                    code="unknown_region",
                    message=f"the {label} region code {code!r} is not a known GB/T 2260 code",
                )
            )


def _check_part_owners(package: TransferPackage, out: list[TransferFinding]) -> None:
    """Every other part of the record (profile, training, ...) is the volunteer's."""
    volunteer = package.volunteer_id
    for part, owner in transfer_parts.part_owners(package):
        if owner is not None and owner != volunteer:
            out.append(
                TransferFinding(
                    code="other_volunteer",
                    message=f"the package's {part} belongs to volunteer {owner}, not {volunteer}",
                )
            )


def _check_records(
    records: tuple[ServiceRecord, ...],
    volunteer: str,
    as_of: _dt.date,
    calendar: WorkingDayCalendar,
    found: _Found,
    warnings: list[TransferFinding],
) -> None:
    """Each record: the volunteer's, verified, not in the future; entered late is a warning."""
    deadlines = _late_deadlines(records, calendar)
    for record in records:
        key = (record.organization_id, record.record_id)
        if record.volunteer_id != volunteer:
            found["other_volunteer"].append(
                TransferFinding(
                    code="other_volunteer",
                    message=f"record {_short(key)} belongs to volunteer {record.volunteer_id}, "
                    f"not {volunteer}",
                    record_key=key,
                )
            )
        if not transferable(record):
            found["not_verified"].append(
                TransferFinding(
                    code="not_verified",
                    message=f"record {_short(key)} is {record.status}: only verified records "
                    "move, and withdrawals (void amendments)",
                    record_key=key,
                )
            )
        recorded_day = recorded_date(record)
        if record.date > as_of or recorded_day > as_of:
            found["future_record"].append(
                TransferFinding(
                    code="future_record",
                    message=f"record {_short(key)} is dated {record.date} and entered "
                    f"{recorded_day}, after {as_of}",
                    record_key=key,
                )
            )
        deadline = _late_deadline_of(activity_end_date(record), deadlines, calendar)
        if recorded_day > deadline:
            warnings.append(
                TransferFinding(
                    code="late",
                    message=f"record {_short(key)} was entered on {recorded_day}, after the "
                    f"{LATE_WORKING_DAYS}th working day following the activity ({deadline})",
                    record_key=key,
                )
            )


def _late_deadline_of(
    end_day: _dt.date, deadlines: dict[_dt.date, _dt.date], calendar: WorkingDayCalendar
) -> _dt.date:
    """The late deadline of an activity end day, asked of the calendar once and kept.

    A day the calendar cannot answer has no deadline (``date.max``): never late.
    """
    deadline = deadlines.get(end_day)
    if deadline is None:
        try:
            deadline = late_deadline(end_day, calendar=calendar)
        except InvalidValueError:
            deadline = _dt.date.max
        deadlines[end_day] = deadline
    return deadline


def _destination_holdings(
    destination_iter: Iterator[object], volunteer: str, held: list[ServiceRecord] | None
) -> tuple[set[tuple[str, str]], list[ServiceRecord], set[tuple[str, str]]]:
    """The destination's keys, the volunteer's own records there, and the keys they amend.

    The amended keys come from every record, whoever's: a correction entered under another
    volunteer supersedes the volunteer's record, as certify counts it.

    ``held``, when given, receives every record the destination holds (for the continuation:
    other volunteers' amendments and versions count as certify counts them).
    """
    # The hot loop of the check: one pass, locals bound, the key built in C.
    destination_keys: set[tuple[str, str]] = set()
    mine: list[ServiceRecord] = []
    amended: set[tuple[str, str]] = set()
    add_key = destination_keys.add
    keep = mine.append
    key_of = _KEY_OF
    record_type = ServiceRecord
    for item in destination_iter:
        record = item if type(item) is record_type else unwrap_record(item)
        add_key(key_of(record))
        if record.volunteer_id == volunteer:
            keep(record)
        if record.amends is not None:
            amended.add((record.organization_id, record.amends))
        if held is not None:
            held.append(record)
    return destination_keys, mine, amended


def _in_report_order(found: _Found) -> tuple[TransferFinding, ...]:
    """The violations in the order of the codes, then by record key."""
    return tuple(
        finding
        for code in TRANSFER_VIOLATION_CODES
        for finding in (
            sorted(found[code], key=_finding_order) if len(found[code]) > 1 else found[code]
        )
    )


def _continuation(
    package: TransferPackage,
    held: Iterable[ServiceRecord],
    as_of: _dt.date,
    rule_set: RuleSet | str | None,
) -> Continuation | None:
    """The level before and after the move, or ``None`` when no rule set answers."""
    try:
        return transfer_continuation(
            package, destination_records=held, as_of=as_of, rule_set=rule_set
        )
    except InvalidValueError:
        # No rule set can be found (an unknown region) or applied (no version in force,
        # no birth date for an age band): the decision stands without the comparison.
        return None


def _late_deadlines(
    records: tuple[ServiceRecord, ...], calendar: WorkingDayCalendar
) -> dict[_dt.date, _dt.date]:
    """The late deadline of every distinct activity end day, asking the calendar once per day.

    ``late_deadline(day)`` is the 10th working day strictly after ``day``. When the end days
    are dense, one sorted list of the working days over their span answers every day by
    bisection; sparse days (or a calendar that fails) are left to the caller, day by day.
    """
    days = {activity_end_date(record) for record in records}
    if len(days) < 8:
        return {}
    first, last = min(days), max(days)
    if (last - first).days > 14 * len(days):
        return {}
    working: list[_dt.date] = []
    one = _dt.timedelta(days=1)
    day = first
    try:
        idle = 0
        while day < last or len(working) - bisect_left(working, last + one) < LATE_WORKING_DAYS:
            day += one
            if calendar.is_working_day(day):
                working.append(day)
                idle = 0
            else:
                idle += 1
                if idle > 3660:
                    return {}
    except (OverflowError, VolunteerRulesError):
        return {}
    result = {}
    for end_day in days:
        index = bisect_right(working, end_day) + LATE_WORKING_DAYS - 1
        result[end_day] = working[index]
    return result


def _check_consent(package: TransferPackage, out: list[TransferFinding]) -> None:
    if not package.consent:
        out.append(
            TransferFinding(
                code="consent_missing",
                message="the volunteer has not consented to the transfer (records move only "
                "with the volunteer's consent)",
            )
        )
    consents = getattr(package.profile, "consents", None)
    if isinstance(consents, frozenset) and "record_transfer" not in consents:
        # The profile is personal information given to another organization, in full or
        # masked: the volunteer's separate consent to that must be in it (PIPL Arts. 14, 23;
        # docs/transfer.md).
        out.append(
            TransferFinding(
                code="profile_consent_missing",
                message="the volunteer's profile does not hold the record_transfer consent: a "
                "profile is sent to another organization only with it",
            )
        )
    birth = transfer_parts.birth_date_of(package.profile)
    if isinstance(birth, _dt.date) and not package.guardian_consent:
        day = package.created_at.date()
        if _age_on(birth, day) < GUARDIAN_CONSENT_AGE:
            out.append(
                TransferFinding(
                    code="consent_missing",
                    message=f"the volunteer was under {GUARDIAN_CONSENT_AGE} when the package "
                    f"was made: a guardian's consent is required too (PIPL Art. 31)",
                )
            )
