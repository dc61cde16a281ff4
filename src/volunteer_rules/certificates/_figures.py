"""The figures a certificate prints, derived from records: one derivation to issue and to verify.

Not public: :func:`~volunteer_rules.certificates.issue.issue_certificate` and
:func:`~volunteer_rules.certificates.verification.verify_certificate` both count the records here,
by the library's counting rules (:mod:`volunteer_rules.rules.counting`), so that a certificate and
its verification can never count differently.
"""

from __future__ import annotations

import datetime as _dt

import attrs

from volunteer_rules._validate import items_of
from volunteer_rules.certificates.document import (
    ActivitySummary,
    CertifiedRecord,
    StarLevelNote,
    _record_digest,
)
from volunteer_rules.hours import Hours
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.rules.counting import count_records


def _records_list(records: object) -> list[ServiceRecord]:
    return items_of(records, ServiceRecord, "records")


@attrs.frozen(kw_only=True)
class _Figures:
    """Every figure a certificate prints that follows from its records."""

    counted: tuple[tuple[ServiceRecord, int], ...]
    reasons: tuple[tuple[str, str, str], ...]  # (reason, organization_id, record_id)
    service: Hours
    activities: tuple[ActivitySummary, ...]
    records: tuple[CertifiedRecord, ...]
    period_start: _dt.date | None
    star_level: StarLevelNote | None
    star_refused: str | None = None  # why no level can be stated (no version in force)


def _derive(
    records: list[ServiceRecord],
    *,
    volunteer_id: str,
    as_of: _dt.date,
    since: _dt.date | None,
    rule_set: object,
    birth_date: _dt.date | None,
) -> _Figures:
    """The one derivation of a certificate's figures, used to issue and to verify.

    The star level is the one the certified service reaches: the records counted on the
    certificate (the issuer's, within the window when there is one), never service outside it.
    """
    count = count_records(records, as_of=as_of, volunteer_id=volunteer_id, since=since)
    by_key = {record.key: record for record in records}
    counted: list[tuple[ServiceRecord, int]] = []
    reasons: list[tuple[str, str, str]] = []
    for outcome in count.outcomes or ():
        record = by_key[(outcome.organization_id, outcome.record_id)]
        if outcome.reason is not None:
            reasons.append((outcome.reason, outcome.organization_id, outcome.record_id))
        if outcome.minutes:
            counted.append((record, outcome.minutes))
    per_category: dict[str, list[int]] = {}
    for record, minutes in counted:
        tally = per_category.setdefault(record.service_category, [0, 0])
        tally[0] += 1
        tally[1] += minutes
    activities = tuple(
        ActivitySummary(category=category, activities=n, service=Hours.from_minutes(m))
        for category, (n, m) in sorted(per_category.items())
    )
    certified = tuple(
        CertifiedRecord(
            organization_id=record.organization_id,
            record_id=record.record_id,
            minutes=minutes,
            digest=_record_digest(record),
        )
        for record, minutes in sorted(counted, key=lambda pair: pair[0].key)
    )
    star = refused = None
    if rule_set is not None and counted:
        star, refused = _star_level(
            [r for r, _ in counted], rule_set, as_of, volunteer_id, birth_date
        )
    return _Figures(
        counted=tuple(counted),
        reasons=tuple(reasons),
        service=Hours.from_minutes(sum(m for _, m in counted)),
        activities=activities,
        records=certified,
        period_start=since
        if since is not None
        else min((r.date for r, _ in counted), default=None),
        star_level=star,
        star_refused=refused,
    )


@attrs.frozen(kw_only=True)
class _Holder:
    """The volunteer as certify sees it (an id and a birth date)."""

    volunteer_id: str
    birth_date: _dt.date | None


def _star_level(
    records: list[ServiceRecord],
    rule_set: object,
    as_of: _dt.date,
    volunteer_id: str,
    birth_date: _dt.date | None,
) -> tuple[StarLevelNote | None, str | None]:
    """The level the records reach, as ``certify`` gives it; or ``None`` and why not.

    No level is stated when no version of the rule set is in force on ``as_of`` (``certify``
    says why: not yet in force, retired, paused): a level under no version is no level.
    """
    from volunteer_rules.rules.certification import certify

    holder = _Holder(volunteer_id=volunteer_id, birth_date=birth_date)
    result = certify(records, rule_set=rule_set, as_of=as_of, volunteer=holder)  # type: ignore[arg-type, unused-ignore]
    if result.outcome != "certified":
        return None, result.outcome_reason or result.outcome
    note = StarLevelNote(
        rule_set_id=result.rule_set_id,
        rule_set_version=str(result.rule_set_version),
        rank=result.level.rank,
        name=result.level.name,
        label=result.level.label,
    )
    return note, None
