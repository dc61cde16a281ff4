"""The star procedure (星级认定程序) as pure state transitions: from application to grant.

A star is not only computed; it is applied for, reviewed, announced and granted, and it can
expire or be revoked. A :class:`StarAward` records one application and what happened to it,
each step a function that takes the award and the day of the event (no clock is read) and
returns the new award:

1. :func:`apply_for_award`: the volunteer applies, or the organization nominates them
   (``by="organization"``), for the level :func:`~volunteer_rules.certify` gives on the day of
   the application (the certification is passed in). Some levels must be nominated (Beijing's
   five stars).
2. :func:`review_award`: the body the procedure names for that level (street, district, city,
   or the recording organization) approves or rejects it. Another body is an error.
3. :func:`publish_notice`: public notice (公示) for the procedure's number of working days on
   mainland China's calendar (Guangdong: at least 5). The notice ends on the last of those
   working days (the day of publication is not counted, as for the 10-working-day rule).
4. :func:`object_to_award` during the notice, then :func:`resolve_objection`: an upheld
   objection rejects the application; a dismissed one returns it to the notice.
5. :func:`grant_award`, after the notice: granted only when the certification made on the grant
   day gives the level applied for; otherwise the application is ``refused`` and says why. So
   a granted award always equals what ``certify`` says on the grant date.
6. :func:`expire_award` once a scheme's validity has passed (Taiwan's honour card: 36 months),
   and :func:`revoke_award` for falsified records, with a ban of one to three years
   (Guangdong); :attr:`StarAward.sanction` is then the :class:`~volunteer_rules.rules.rule_set.
   Sanction` to pass to ``certify`` (no level during the ban).

Every step appends an :class:`AwardEvent` to :attr:`StarAward.history`, which explains it. A
step the state does not allow is an :class:`~volunteer_rules.errors.ConflictError`; wrong
values (another reviewer, a day before the last event, a certification of another day or
volunteer) are :class:`~volunteer_rules.errors.InvalidValueError`. Nothing is ever changed in
place.

Procedures are data (:class:`AwardProcedure`), one per rule set (:func:`procedure_for`); where a
source names no body or notice, the recording organization reviews and there is no notice.

Procedures are defined in :mod:`~volunteer_rules.rules.award_procedure`; this module
re-exports them.

Example:
    >>> from datetime import date
    >>> import attrs
    >>> import volunteer_rules as vr
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> base = attrs.evolve(vr.parse_record(SAMPLE_RECORD_PAYLOAD), start=None, end=None,
    ...                     service=vr.Hours.from_hours(20))
    >>> records = [attrs.evolve(base, record_id=f"r{n}", date=date(2024, 5, n + 1),
    ...                         recorded_at=base.recorded_at.replace(day=n + 2)) for n in range(5)]
    >>> def cert(day):
    ...     return vr.certify(records, rule_set="cn-national", as_of=day)
    >>> award = apply_for_award(application_id="A-1", certification=cert(date(2024, 7, 1)),
    ...                         on=date(2024, 7, 1), by="volunteer")
    >>> award = review_award(award, on=date(2024, 7, 3), reviewer="organization", approve=True)
    >>> award = grant_award(award, on=date(2024, 7, 4), certification=cert(date(2024, 7, 4)))
    >>> award.state, award.level.name, award.award
    ('granted', 'one_star', Award(rank=1, date=datetime.date(2024, 7, 4)))
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Final

import attrs
from dateutil.relativedelta import relativedelta

from volunteer_rules._privacy import mask_personal_data, masked_repr
from volunteer_rules.errors import ConflictError, InvalidTypeError, InvalidValueError
from volunteer_rules.records.calendar import (
    CHINA_WORKING_DAYS,
    WorkingDayCalendar,
    add_working_days,
)
from volunteer_rules.rules.award_procedure import (
    PROCEDURES,
    REVIEW_BODIES,
    AwardProcedure,
    procedure_for,
)
from volunteer_rules.rules.rule_set import Award, Level, Sanction

__all__ = [
    "APPLICANTS",
    "AWARD_STATES",
    "PROCEDURES",
    "REVIEW_BODIES",
    "AwardEvent",
    "AwardProcedure",
    "StarAward",
    "apply_for_award",
    "expire_award",
    "grant_award",
    "object_to_award",
    "procedure_for",
    "publish_notice",
    "resolve_objection",
    "review_award",
    "revoke_award",
]

AWARD_STATES: Final = (
    "applied",
    "approved",
    "in_notice",
    "objected",
    "granted",
    "rejected",
    "refused",
    "expired",
    "revoked",
)
"""The states of a :class:`StarAward`. ``rejected`` (by the reviewer or an upheld objection)
and ``refused`` (the certification on the grant day did not give the level) are final;
``expired`` can still be revoked; ``revoked`` is final."""

APPLICANTS: Final = ("volunteer", "organization")
"""Who starts an application: the volunteer, or the organization nominating them."""


@masked_repr
@attrs.frozen(kw_only=True)
class AwardEvent:
    """One step of an award's history.

    Attributes:
        state: the state the step led to.
        on: the day of the step.
        by: who took it (the applicant, the reviewing body, the objector...).
        note: what happened, in words.

    Example:
        >>> from datetime import date
        >>> AwardEvent(state="applied", on=date(2024, 1, 2), by="volunteer", note="x").state
        'applied'
    """

    state: str
    on: _dt.date
    by: str
    note: str


@masked_repr
@attrs.frozen(kw_only=True)
class StarAward:
    """One application for a level and what happened to it (see :func:`apply_for_award`).

    Attributes:
        application_id: the caller's id.
        volunteer_id: the volunteer.
        rule_set_id: the scheme.
        level: the level applied for (and granted, if it is).
        state: one of :data:`AWARD_STATES`.
        procedure: the procedure followed.
        history: every step, oldest first.
        notice_until: the last day of the public notice, once published.
        granted_on: the day of the grant, or ``None``.
        valid_until: the last day a granted award is valid (schemes with a validity).
        ban_until: after revocation, the last day of the ban.

    Example:
        >>> AWARD_STATES[0]
        'applied'
    """

    application_id: str
    volunteer_id: str
    rule_set_id: str
    level: Level
    state: str
    procedure: AwardProcedure
    history: tuple[AwardEvent, ...]
    notice_until: _dt.date | None = None
    granted_on: _dt.date | None = None
    valid_until: _dt.date | None = None
    ban_until: _dt.date | None = None

    @property
    def award(self) -> Award | None:
        """The past award to pass to ``certify(awarded=...)`` once granted, else ``None``.

        Example:
            >>> AWARD_STATES.index("granted") > 0
            True
        """
        if self.granted_on is None or self.state == "revoked":
            return None
        return Award(rank=self.level.rank, date=self.granted_on)

    @property
    def sanction(self) -> Sanction | None:
        """After revocation, the sanction to pass to ``certify(sanctions=...)``.

        Example:
            >>> AWARD_STATES[-1]
            'revoked'
        """
        if self.state != "revoked" or self.ban_until is None:
            return None
        event = self.history[-1]
        return Sanction(
            date=event.on, reason="falsified_records", ban_until=self.ban_until, decided_by=event.by
        )

    def explain(self) -> str:
        """The history in words, one line per step.

        ID numbers, mobile numbers and e-mail addresses are masked, as in the ``repr``.

        Example:
            >>> from datetime import date
            >>> e = AwardEvent(state="applied", on=date(2024, 1, 2), by="volunteer", note="x")
            >>> e.on.isoformat()
            '2024-01-02'
        """
        lines = (f"{e.on.isoformat()} {e.state} ({e.by}): {e.note}" for e in self.history)
        return mask_personal_data("\n".join(lines))  # objectors and reasons: as in the repr


def _day(what: str, value: object) -> _dt.date:
    if type(value) is not _dt.date:
        raise InvalidTypeError(what, "must be a date")
    return value


def _text(what: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError(what, "must be a non-empty str")
    return value


def _step(
    award: StarAward,
    allowed: tuple[str, ...],
    state: str,
    on: object,
    by: str,
    note: str,
    **changes: Any,
) -> StarAward:
    if not isinstance(award, StarAward):
        raise InvalidTypeError("award", "must be a StarAward")
    day = _day("on", on)
    if award.state not in allowed:
        raise ConflictError(
            award.application_id,
            f"cannot go from {award.state} to {state} (allowed from {', '.join(allowed)})",
        )
    last = award.history[-1].on
    if day < last:
        raise InvalidValueError(
            "on", f"{day.isoformat()} is before the last step ({last.isoformat()})"
        )
    event = AwardEvent(state=state, on=day, by=by, note=note)
    return attrs.evolve(award, state=state, history=(*award.history, event), **changes)


def _check_certification(certification: object, on: _dt.date) -> Any:
    for name in ("rule_set_id", "volunteer_id", "as_of", "level", "outcome"):
        if not hasattr(certification, name):
            raise InvalidTypeError("certification", "must be a Certification from certify")
    as_of = certification.as_of  # type: ignore[attr-defined]
    if as_of != on:
        raise InvalidValueError(
            "certification", f"was made for {as_of}, not for the day of this step ({on})"
        )
    return certification


def apply_for_award(
    *,
    application_id: str,
    certification: Any,
    on: _dt.date,
    by: str,
    procedure: AwardProcedure | None = None,
) -> StarAward:
    """Apply (or nominate) for the level a certification made on ``on`` gives.

    Args:
        application_id: the caller's id for the application.
        certification: ``certify(...)`` for this volunteer on ``on`` (with the attestations,
            awards and sanctions the scheme reads).
        on: the day of the application.
        by: ``volunteer`` (applies) or ``organization`` (nominates).
        procedure: the procedure, by default :func:`procedure_for` the rule set.

    Raises:
        InvalidValueError: no level to apply for, a certification of another day, an unknown
            applicant, or a level that must be nominated and was not.

    Example:
        >>> APPLICANTS
        ('volunteer', 'organization')
    """
    day = _day("on", on)
    cert = _check_certification(certification, day)
    if by not in APPLICANTS:
        raise InvalidValueError("by", f"must be one of {APPLICANTS}")
    if cert.outcome != "certified" or cert.level.rank == 0 or cert.volunteer_id is None:
        raise InvalidValueError(
            "certification",
            f"the volunteer has no level under {cert.rule_set_id} on {day.isoformat()}"
            " (nothing to apply for)",
        )
    chosen = procedure or procedure_for(cert.rule_set_id)
    if chosen.rule_set_id != cert.rule_set_id:
        raise InvalidValueError(
            "procedure", f"belongs to {chosen.rule_set_id}, not {cert.rule_set_id}"
        )
    level: Level = cert.level
    if level.rank in chosen.nomination_ranks and by != "organization":
        raise InvalidValueError(
            "by", f"{level.name} under {cert.rule_set_id} must be nominated by the organization"
        )
    verb = "nominated" if by == "organization" else "applied"
    note = (
        f"{verb} for {level.name} ({level.label}) under {cert.rule_set_id}, certified on"
        f" {day.isoformat()} with {cert.counted} counted; review by the"
        f" {chosen.reviewer_for(level.rank)}"
    )
    return StarAward(
        application_id=_text("application_id", application_id),
        volunteer_id=cert.volunteer_id,
        rule_set_id=cert.rule_set_id,
        level=level,
        state="applied",
        procedure=chosen,
        history=(AwardEvent(state="applied", on=day, by=by, note=note),),
    )


def review_award(
    award: StarAward, *, on: _dt.date, reviewer: str, approve: bool, reason: str = ""
) -> StarAward:
    """The reviewing body approves or rejects the application.

    Raises:
        InvalidValueError: ``reviewer`` is not the body the procedure names for the level.
        ConflictError: the application is not waiting for review.

    Example:
        >>> REVIEW_BODIES[:3]
        ('organization', 'street', 'county')
    """
    if not isinstance(award, StarAward):
        raise InvalidTypeError("award", "must be a StarAward")
    expected = award.procedure.reviewer_for(award.level.rank)
    if reviewer != expected:
        raise InvalidValueError(
            "reviewer",
            f"{award.level.name} under {award.rule_set_id} is reviewed by the {expected},"
            f" not {reviewer!r}",
        )
    if not isinstance(approve, bool):
        raise InvalidTypeError("approve", "must be a bool")
    if approve:
        notice = award.procedure.notice_working_days
        note = f"approved by the {reviewer}" + (
            f"; public notice of {notice} working days follows" if notice else "; no public notice"
        )
        return _step(award, ("applied",), "approved", on, reviewer, note)
    return _step(
        award,
        ("applied",),
        "rejected",
        on,
        reviewer,
        f"rejected by the {reviewer}: {_text('reason', reason)}",
    )


def publish_notice(
    award: StarAward, *, on: _dt.date, calendar: WorkingDayCalendar = CHINA_WORKING_DAYS
) -> StarAward:
    """Publish the public notice (公示): it ends on the N-th working day after ``on``.

    Raises:
        ConflictError: not approved, or the procedure has no notice.

    Example:
        >>> from datetime import date
        >>> add_working_days(date(2024, 9, 27), 5, calendar=CHINA_WORKING_DAYS)  # over 国庆
        datetime.date(2024, 10, 10)
    """
    days = award.procedure.notice_working_days
    if days == 0:
        raise ConflictError(award.application_id, f"{award.rule_set_id} has no public notice")
    until = add_working_days(_day("on", on), days, calendar=calendar)
    return _step(
        award,
        ("approved",),
        "in_notice",
        on,
        award.procedure.reviewer_for(award.level.rank),
        f"public notice published for {days} working days, until {until.isoformat()}",
        notice_until=until,
    )


def object_to_award(award: StarAward, *, on: _dt.date, by: str, reason: str) -> StarAward:
    """An objection raised during the public notice (on or before its last day).

    Raises:
        ConflictError: not in notice.
        InvalidValueError: the notice is over.

    Example:
        >>> "objected" in AWARD_STATES
        True
    """
    day = _day("on", on)
    if award.state == "in_notice" and award.notice_until is not None and day > award.notice_until:
        raise InvalidValueError("on", f"the notice ended on {award.notice_until.isoformat()}")
    return _step(
        award,
        ("in_notice",),
        "objected",
        day,
        _text("by", by),
        f"objection by {by}: {_text('reason', reason)}",
    )


def resolve_objection(award: StarAward, *, on: _dt.date, upheld: bool, reason: str) -> StarAward:
    """The reviewing body decides an objection: upheld rejects, dismissed returns to the notice.

    Example:
        >>> "rejected" in AWARD_STATES
        True
    """
    if not isinstance(upheld, bool):
        raise InvalidTypeError("upheld", "must be a bool")
    body = award.procedure.reviewer_for(award.level.rank)
    if upheld:
        return _step(
            award,
            ("objected",),
            "rejected",
            on,
            body,
            f"objection upheld: {_text('reason', reason)}",
        )
    return _step(
        award,
        ("objected",),
        "in_notice",
        on,
        body,
        f"objection dismissed: {_text('reason', reason)}",
    )


def grant_award(award: StarAward, *, on: _dt.date, certification: Any) -> StarAward:
    """Grant the level, if the certification made on ``on`` gives it; else refuse, saying why.

    The grant is allowed after the notice (from the day after its last day) or, without a
    notice, after approval.

    Raises:
        ConflictError: not approved, in notice, or already decided.
        InvalidValueError: the notice is not over; the certification is of another day,
            volunteer or rule set.

    Example:
        >>> "granted" in AWARD_STATES
        True
    """
    day = _day("on", on)
    cert = _check_certification(certification, day)
    if cert.volunteer_id != award.volunteer_id or cert.rule_set_id != award.rule_set_id:
        raise InvalidValueError("certification", "is of another volunteer or rule set")
    allowed = ("in_notice",) if award.procedure.notice_working_days else ("approved",)
    if award.state == "in_notice" and award.notice_until is not None and day <= award.notice_until:
        raise InvalidValueError(
            "on", f"the public notice runs until {award.notice_until.isoformat()}"
        )
    body = award.procedure.reviewer_for(award.level.rank)
    if cert.outcome != "certified" or cert.level != award.level:
        why = (
            cert.outcome_reason
            if cert.outcome != "certified"
            else (f"certify gives {cert.level.name} on {day.isoformat()}")
        )
        return _step(
            award, allowed, "refused", day, body, f"not granted: {why}, not {award.level.name}"
        )
    return _step(
        award,
        allowed,
        "granted",
        day,
        body,
        f"granted {award.level.name} ({award.level.label})"
        + (f", valid until {cert.valid_until.isoformat()}" if cert.valid_until else ""),
        granted_on=day,
        valid_until=cert.valid_until,
    )


def expire_award(award: StarAward, *, on: _dt.date) -> StarAward:
    """A granted award with a validity expires the day after its last valid day.

    Raises:
        ConflictError: not granted, or the award has no validity.
        InvalidValueError: it is still valid on ``on``.

    Example:
        >>> "expired" in AWARD_STATES
        True
    """
    day = _day("on", on)
    if award.state == "granted":
        if award.valid_until is None:
            raise ConflictError(
                award.application_id, "this award has no validity: it never expires"
            )
        if day <= award.valid_until:
            raise InvalidValueError(
                "on", f"the award is valid until {award.valid_until.isoformat()}"
            )
    return _step(
        award, ("granted",), "expired", day, "validity", f"expired after {award.valid_until}"
    )


def revoke_award(
    award: StarAward, *, on: _dt.date, by: str, ban_years: int, reason: str = "falsified records"
) -> StarAward:
    """Revoke a granted (or expired) award for falsified records, with a ban of whole years.

    The ban runs from ``on`` to the day before the same date ``ban_years`` later.

    Raises:
        ConflictError: the award was never granted, or is revoked already.
        InvalidValueError: ``ban_years`` outside the procedure's range (1 to 3 years).

    Example:
        >>> procedure_for("cn-shenzhen-longgang").ban_years
        (1, 3)
    """
    low, high = award.procedure.ban_years
    if type(ban_years) is not int or not low <= ban_years <= high:
        raise InvalidValueError("ban_years", f"must be {low} to {high} whole years")
    day = _day("on", on)
    until = day + relativedelta(years=ban_years) - _dt.timedelta(days=1)
    return _step(
        award,
        ("granted", "expired"),
        "revoked",
        day,
        _text("by", by),
        f"revoked for {_text('reason', reason)}; banned until {until.isoformat()}",
        ban_until=until,
    )
