"""Crediting service hours: records counted as certification counts them, posted once each.

:func:`credit_records` brings each volunteer's credits to what certification counts on their
records (one credit per record, ``credit:<organization_id>:<record_id>``, and adjustments when
the count changes); :func:`credit_hours` credits hours given directly.

Length: each record's one decision (what counting says, then the policy: its dates, provider
ages and group hours; then debts and incomplete histories) is kept in one module, so that what a
volunteer is credited is read in one place.

Example:
    >>> from datetime import datetime, timezone
    >>> import volunteer_rules as vr
    >>> from volunteer_rules.timebank.crediting import credit_transfer_id
    >>> credit_transfer_id("ORG1", "R1")
    'credit:ORG1:R1'
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import masked_message, require_iterable
from volunteer_rules.errors import (
    InvalidTypeError,
)
from volunteer_rules.hours import Hours
from volunteer_rules.records.profile import age_on
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.timebank._operation import (
    check_ledger_arg,
    check_now,
    check_policy,
    check_positive,
    check_volunteer,
    not_in_force_message,
    post_transfer,
    refused_out_of_force,
)
from volunteer_rules.timebank.ledger import (
    ISSUER,
    POOL,
    Ledger,
    LedgerTransfer,
)
from volunteer_rules.timebank.policy import TimeBankPolicy
from volunteer_rules.timebank.results import LedgerResult

__all__ = [
    "CreditDecision",
    "CreditResult",
    "credit_hours",
    "credit_records",
    "credit_transfer_id",
]


@masked_repr
@attrs.frozen(kw_only=True)
class CreditDecision:
    """What :func:`credit_records` did with one service record.

    Attributes:
        key: the record's ``(organization_id, record_id)``.
        volunteer_id: the volunteer.
        minutes: the minutes this call credited for the record (0 when nothing changed;
            negative for an adjustment that takes minutes back).
        outcome: ``credited``, ``credited_to_pool`` (donate-only group hours),
            ``already_credited`` (credited as it counts now), ``adjusted`` (it counts otherwise now:
            amended, voided, overlapped, capped; the difference was posted), ``not_counted`` (see
            ``reason``), ``policy_not_in_force`` (the policy did not apply on the day the record was
            served: see ``message``), ``provider_under_age``, ``birth_date_missing``,
            ``debt_refused`` (the volunteer's credits must go down by more than is available:
            nothing of theirs was posted; see ``message``), ``history_incomplete`` (records credited
            before are missing from the call: nothing of theirs was posted).
        reason: the counting engine's exclusion reason, if any.
        transfer_id: the credit or adjustment transfer, if any.
        message: a sentence for the outcomes that need one (adjusted, refused, not in force).
            Anything in it shaped like a resident ID number, a mobile number or an e-mail
            address (a volunteer or record id that is one) is masked.

    Example:
        >>> CreditDecision(key=("o", "r"), volunteer_id="V1", minutes=60, outcome="credited",
        ...                reason=None, transfer_id="credit:o:r").outcome
        'credited'
    """

    key: tuple[str, str]
    volunteer_id: str
    minutes: int
    outcome: str
    reason: str | None
    transfer_id: str | None
    message: str = attrs.field(default="", converter=masked_message)


@masked_repr
@attrs.frozen(kw_only=True)
class CreditResult:
    """The outcome of :func:`credit_records`.

    Attributes:
        ledger: the new ledger.
        decisions: one :class:`CreditDecision` per distinct record, by volunteer then
            recorded order.

    Example:
        >>> CreditResult(ledger=Ledger(), decisions=()).credited
        Hours(minutes=0)
    """

    ledger: Ledger
    decisions: tuple[CreditDecision, ...]

    @property
    def credited(self) -> Hours:
        """The minutes this call credited to volunteers and to the pool (net of adjustments).

        Example:
            >>> CreditResult(ledger=Ledger(), decisions=()).credited.minutes
            0
        """
        return Hours.from_minutes(
            sum(
                d.minutes
                for d in self.decisions
                if d.outcome in ("credited", "credited_to_pool", "adjusted")
            )
        )


def credit_transfer_id(organization_id: str, record_id: str) -> str:
    """The transfer id of the credit of one service record.

    Example:
        >>> credit_transfer_id("512111005000000154", "r-1")
        'credit:512111005000000154:r-1'
    """
    return f"credit:{organization_id}:{record_id}"


def credit_records(
    ledger: Ledger,
    records: Iterable[ServiceRecord],
    *,
    now: _dt.datetime,
    policy: TimeBankPolicy | str,
    birth_dates: Mapping[str, _dt.date] | None = None,
) -> CreditResult:
    """Bring each volunteer's credits to exactly what certification counts on their records.

    ``records`` is each volunteer's **history as known now**: every record of the volunteers
    concerned that the caller holds (a record store's content, as the command line's ``--db``
    gives), in any order, new ones and old ones alike. Counting is
    :func:`volunteer_rules.rules.counting.count_records` (the engine certification uses) on
    the local date of ``now``, over the whole history: overlaps and the daily cap across
    records that arrived in different calls, amendments and voids are decided once, as
    certification decides them. So after any sequence of calls, whatever the order the records
    arrived in, what a volunteer is credited equals what ``certify`` counts on all the records
    seen so far.

    Per record, the ledger holds one credit ``credit:<organization_id>:<record_id>`` (posted
    when the record first counts) and, when what the record counts changes later (an
    amendment, a void, a record that now overlaps an earlier one), adjustments
    ``credit:<organization_id>:<record_id>#<n>`` of the difference, each carrying the record's
    new credited minutes. Submitting the same history again changes nothing.

    **Debts (amendments after spending).** When a volunteer's credits must go down by more
    than they have available (the hours were spent), the ledger never goes below its floor:
    that volunteer's changes are not posted and each of their changed records gets the
    outcome ``debt_refused`` with a message; every other volunteer is credited as usual. The
    same call again posts the difference once the volunteer has the hours (or an operator
    settles the debt with an ``adjust``). The same applies to group hours under a
    ``donate_only`` policy, taken back from the pool.

    **Incomplete history.** A volunteer whose earlier credited records are missing from
    ``records`` is not credited (outcome ``history_incomplete`` on each of their records):
    counting a part of a history would credit an overlap twice.

    Group-earned hours under a ``donate_only`` policy go to the pool; under a policy with
    ``provider_min_age`` a younger volunteer's own (non-group) service is not credited.

    **The policy's dates.** A policy covers the service done while it is in force
    (:meth:`~volunteer_rules.timebank.policy.TimeBankPolicy.in_force_on` on the record's
    ``date``, both ends inclusive): a record served before its ``valid_from`` or after its
    ``valid_until`` is not credited (outcome ``policy_not_in_force``, with a message); a credit
    such a record was given before (under another policy) is kept as it is: a policy does not
    undo what another one credited for days it does not cover, so changing a ledger's policy
    loses no volunteer's hours. So, under one policy, what a volunteer is credited equals
    what certification counts for each of their records the policy covers (counted over the
    whole history, as certification counts it). ``now`` matters only as the day of the count:
    before ``valid_from`` nothing served by then is covered, so nothing is credited; after
    ``valid_until``, service done while the policy applied and entered late is still credited
    under it, and nothing later.

    Args:
        ledger: the ledger.
        records: the service records of the volunteers to credit, whole histories.
        now: aware time of the credit; counting uses its local date as ``as_of``.
        policy: a :class:`TimeBankPolicy` or its id.
        birth_dates: volunteer id → birth date, needed only under ``provider_min_age``.

    Raises:
        InvalidTypeError, InvalidValueError: bad arguments. ConflictError: a credit id was used
            for other content. (A key given with conflicting versions is not an error: it is
            credited to no one, ``duplicate_record``, as certification counts it.)

    Example:
        >>> from datetime import datetime, timezone
        >>> import volunteer_rules as vr
        >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
        >>> record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
        >>> now = datetime(2024, 12, 31, tzinfo=timezone.utc)
        >>> result = credit_records(vr.Ledger(), [record, record], now=now, policy="generic")
        >>> result.ledger.balance(record.volunteer_id), [d.outcome for d in result.decisions]
        (Hours(minutes=120), ['credited'])
        >>> [d.outcome for d in credit_records(result.ledger, [record], now=now,
        ...                                    policy="generic").decisions]
        ['already_credited']
    """
    from volunteer_rules.rules.counting import count_records
    from volunteer_rules.rules.versions import resolve_versions

    ledger = check_ledger_arg(ledger)
    policy = check_policy(policy)
    now = check_now(now)
    if birth_dates is not None and not isinstance(birth_dates, Mapping):
        raise InvalidTypeError("birth_dates", "must be a mapping of volunteer id to date")
    by_volunteer = _by_volunteer(records)
    as_of = now.date()
    # The one rule for a key given more than once (volunteer_rules.rules.versions): a key given
    # with conflicting versions is credited to no one, whichever volunteers its versions name.
    conflicts = resolve_versions(r for own in by_volunteer.values() for r in own).conflicts
    amenders = _amenders(by_volunteer)
    credited_keys = _credited_keys(ledger, by_volunteer)
    pool_available = ledger.available(POOL, now=now).minutes
    decisions: list[CreditDecision] = []
    transfers: list[LedgerTransfer] = []
    for volunteer_id in sorted(by_volunteer):
        own = by_volunteer[volunteer_id]
        given = {r.key for r in own}
        missing = sorted(credited_keys.get(volunteer_id, set()) - given)
        count = count_records(
            _with_versions(_with_amendments(own, amenders), conflicts),
            as_of=as_of,
            volunteer_id=volunteer_id,
        )
        assert count.outcomes is not None
        outcomes = [o for o in count.outcomes if o.key in given]
        if missing:
            decisions.extend(_history_incomplete(outcomes, volunteer_id, missing))
            continue
        birth = None if birth_dates is None else birth_dates.get(volunteer_id)
        group_keys = {r.key for r in own if r.group_service}
        plan = _plan_volunteer(ledger, own, outcomes, volunteer_id, birth, group_keys, policy, now)
        own_delta = sum(p.delta for p in plan if p.account == volunteer_id)
        pool_delta = sum(p.delta for p in plan if p.account == POOL)
        available = ledger.available(volunteer_id, now=now).minutes
        if own_delta < -available or pool_delta < -pool_available:
            short = -own_delta - available if own_delta < -available else 0
            short += -pool_delta - pool_available if pool_delta < -pool_available else 0
            decisions.extend(_debt_refused(plan, volunteer_id, short))
            continue
        pool_available += pool_delta
        # gains before take-backs when the take-backs alone would cross the floor
        ups = [p.transfer for p in plan if p.transfer is not None and p.delta > 0]
        downs = [p.transfer for p in plan if p.transfer is not None and p.delta < 0]
        alone = sum(p.delta for p in plan if p.delta < 0 and p.account == volunteer_id)
        transfers.extend(downs + ups if -alone <= available else ups + downs)
        decisions.extend(p.decision for p in plan)
    return CreditResult(ledger=ledger.post_many(transfers), decisions=tuple(decisions))


def _by_volunteer(records: object) -> dict[str, list[ServiceRecord]]:
    """The records by volunteer, in the order given (misuse raises)."""
    items = require_iterable(records, "records", "must be an iterable of ServiceRecord")
    by_volunteer: dict[str, list[ServiceRecord]] = {}
    for record in items:
        if not isinstance(record, ServiceRecord):
            raise InvalidTypeError("records", f"must be ServiceRecord, not {type(record).__name__}")
        by_volunteer.setdefault(record.volunteer_id, []).append(record)
    return by_volunteer


def _amenders(
    by_volunteer: Mapping[str, list[ServiceRecord]],
) -> dict[tuple[str, str], list[ServiceRecord]]:
    """Key of an amended record -> the records (of anyone) that amend it."""
    amenders: dict[tuple[str, str], list[ServiceRecord]] = {}
    for own in by_volunteer.values():
        for record in own:
            if record.amends is not None:
                amenders.setdefault((record.organization_id, record.amends), []).append(record)
    return amenders


def _history_incomplete(
    outcomes: Iterable[Any], volunteer_id: str, missing: list[tuple[str, str]]
) -> list[CreditDecision]:
    """A volunteer whose earlier credited records are not given: nothing of them is credited."""
    shown = ", ".join(f"{o}/{r}" for o, r in missing[:3])
    message = (
        f"records credited before are not given ({shown}"
        f"{', ...' if len(missing) > 3 else ''}): give the volunteer's whole history"
    )
    return [
        CreditDecision(
            key=outcome.key,
            volunteer_id=volunteer_id,
            minutes=0,
            outcome="history_incomplete",
            reason=outcome.reason,
            transfer_id=None,
            message=message,
        )
        for outcome in outcomes
    ]


def _debt_refused(plan: list[_Planned], volunteer_id: str, short: int) -> list[CreditDecision]:
    """A volunteer whose credits would go below the floor: their changes are refused, as debts."""
    message = (
        f"{volunteer_id}'s credits must go down by more than is available (hours "
        f"already spent): {Hours.from_minutes(short)} short; nothing of this "
        "volunteer is posted until the hours are there or an operator settles the debt"
    )
    decisions = []
    for p in plan:
        changed = p.delta != 0
        decisions.append(
            attrs.evolve(
                p.decision,
                minutes=0,
                outcome="debt_refused" if changed else p.decision.outcome,
                transfer_id=None if changed else p.decision.transfer_id,
                message=message if changed else p.decision.message,
            )
        )
    return decisions


def _with_amendments(
    own: list[ServiceRecord], amenders: Mapping[tuple[str, str], list[ServiceRecord]]
) -> list[ServiceRecord]:
    """A volunteer's records and every record (of anyone) that amends them, transitively.

    Counting honours an amendment whoever's record it is, as certification does.
    """
    found = list(own)
    keys = {r.key for r in own}
    index = 0
    while index < len(found):
        for amender in amenders.get(found[index].key, ()):
            if amender.key not in keys:
                keys.add(amender.key)
                found.append(amender)
        index += 1
    return found


def _with_versions(
    records: list[ServiceRecord], conflicts: Mapping[tuple[str, str], tuple[ServiceRecord, ...]]
) -> list[ServiceRecord]:
    """The records plus every version of each key among them that is in conflict.

    So that counting one volunteer sees the conflict even when its versions name others.
    """
    if not conflicts:
        return records
    keys = {r.key for r in records}.intersection(conflicts)
    return records + [v for key in sorted(keys) for v in conflicts[key]]


def _credited_keys(
    ledger: Ledger, by_volunteer: Mapping[str, object]
) -> dict[str, set[tuple[str, str]]]:
    """The record keys credited so far (reversed or not) of the given volunteers."""
    keys: dict[str, set[tuple[str, str]]] = {}
    for transfer in ledger.transfers():
        key = transfer.record_key
        if key is None or transfer.kind != "credit":
            continue
        volunteer = transfer.detail.get("volunteer")
        if volunteer is not None and volunteer in by_volunteer:
            keys.setdefault(volunteer, set()).add(key)
    return keys


@attrs.frozen(kw_only=True)
class _Planned:
    """What crediting one record will post: the decision, the transfer, the change."""

    decision: CreditDecision
    transfer: LedgerTransfer | None
    delta: int
    account: str


def _credit_leg(transfer: LedgerTransfer) -> tuple[str, int]:
    """The account a credit went to and its minutes (the leg that is not the issuer's)."""
    return next((account, minutes) for account, minutes in transfer.legs if account != ISSUER)


def _credited_now(ledger: Ledger, credit_id: str) -> tuple[int, int]:
    """The minutes a record's credits add up to, and how many adjustments it has."""
    posted = ledger.transfer(credit_id).transfer
    credited = posted.detail.get("minutes")  # a credit made by credit_hours has no detail
    if credited is None:
        credited = str(_credit_leg(posted)[1])
    minutes = 0 if ledger.reversed_by(credit_id) is not None else int(credited)
    n = 0
    while f"{credit_id}#{n + 1}" in ledger:
        n += 1
        minutes = int(ledger.transfer(f"{credit_id}#{n}").transfer.detail["minutes"])
    return minutes, n


def _plan_volunteer(
    ledger: Ledger,
    own: list[ServiceRecord],
    outcomes: Iterable[Any],
    volunteer_id: str,
    birth: _dt.date | None,
    group_keys: set[tuple[str, str]],
    policy: TimeBankPolicy,
    now: _dt.datetime,
) -> list[_Planned]:
    """What crediting each of one volunteer's counted records will post."""
    plan: list[_Planned] = []
    by_key = {r.key: r for r in own}
    for outcome in outcomes:
        key = outcome.key
        group = key in group_keys
        to_pool = group and policy.group_hours == "donate_only"
        target, refusal = outcome.minutes, None
        served = by_key[key].date
        if target > 0 and not policy.in_force_on(served):
            refusal = "policy_not_in_force"
        elif target > 0 and policy.provider_min_age is not None and not group:
            refusal = _provider_refusal(by_key[key], birth, policy.provider_min_age)
        if refusal is not None:
            target = 0
        existing = ledger.credited_by(key)
        uncovered = refusal == "policy_not_in_force"
        why = not_in_force_message(policy, served, "service on") if uncovered else ""
        if existing is None:
            plan.append(_first_credit(outcome, volunteer_id, target, (refusal, why), to_pool, now))
        elif uncovered:  # another policy's credit, for days this one does not cover: kept
            plan.append(_kept(ledger, existing, outcome, volunteer_id, why))
        else:
            plan.append(_change(ledger, existing, outcome, volunteer_id, target, refusal, now))
    return plan


def _provider_refusal(record: ServiceRecord, birth: _dt.date | None, min_age: int) -> str | None:
    """Why a volunteer's own service is not credited under ``provider_min_age``, if it is not."""
    if birth is None:
        return "birth_date_missing"
    if birth > record.date or age_on(birth, record.date) < min_age:
        return "provider_under_age"
    return None


def _first_credit(
    outcome: Any,
    volunteer_id: str,
    target: int,
    refused: tuple[str | None, str],
    to_pool: bool,
    now: _dt.datetime,
) -> _Planned:
    """A record credited for the first time (or not counted, when it counts nothing).

    ``refused``: the refusal (``None`` if none) and its message.
    """
    key = outcome.key
    refusal, why = refused
    account = POOL if to_pool else volunteer_id
    if target <= 0:
        return _Planned(
            decision=CreditDecision(
                key=key,
                volunteer_id=volunteer_id,
                minutes=0,
                outcome=refusal or "not_counted",
                reason=outcome.reason,
                transfer_id=None,
                message=why,
            ),
            transfer=None,
            delta=0,
            account=account,
        )
    tid = credit_transfer_id(*key)
    details: tuple[tuple[str, str], ...] = (
        ("minutes", str(target)),
        ("volunteer", volunteer_id),
    )
    if to_pool:
        details = (("group", "donate_only"), *details)
    return _Planned(
        decision=CreditDecision(
            key=key,
            volunteer_id=volunteer_id,
            minutes=target,
            outcome="credited_to_pool" if to_pool else "credited",
            reason=outcome.reason,
            transfer_id=tid,
        ),
        transfer=LedgerTransfer(
            transfer_id=tid,
            kind="credit",
            legs=((ISSUER, -target), (account, target)),
            at=now,
            record_key=key,
            details=details,
        ),
        delta=target,
        account=account,
    )


def _kept(ledger: Ledger, existing: str, outcome: Any, volunteer_id: str, why: str) -> _Planned:
    """A record credited before, which the policy does not cover: its credit stays as it is."""
    current, n = _credited_now(ledger, existing)
    return _Planned(
        decision=CreditDecision(
            key=outcome.key,
            volunteer_id=volunteer_id,
            minutes=0,
            outcome="policy_not_in_force",
            reason=outcome.reason,
            transfer_id=existing if n == 0 else f"{existing}#{n}",
            message=f"{why}; the {Hours.from_minutes(current)} credited before are kept",
        ),
        transfer=None,
        delta=0,
        account=_credit_leg(ledger.transfer(existing).transfer)[0],
    )


def _change(
    ledger: Ledger,
    existing: str,
    outcome: Any,
    volunteer_id: str,
    target: int,
    refusal: str | None,
    now: _dt.datetime,
) -> _Planned:
    """A record credited before: unchanged, or adjusted by the difference to what it counts now."""
    key = outcome.key
    current, n = _credited_now(ledger, existing)
    credited_to = _credit_leg(ledger.transfer(existing).transfer)[0]
    delta = target - current
    if delta == 0:
        return _Planned(
            decision=CreditDecision(
                key=key,
                volunteer_id=volunteer_id,
                minutes=0,
                outcome="already_credited",
                reason=outcome.reason,
                transfer_id=existing if n == 0 else f"{existing}#{n}",
            ),
            transfer=None,
            delta=0,
            account=credited_to,
        )
    aid = f"{existing}#{n + 1}"
    return _Planned(
        decision=CreditDecision(
            key=key,
            volunteer_id=volunteer_id,
            minutes=delta,
            outcome="adjusted",
            reason=outcome.reason or refusal,
            transfer_id=aid,
            message=f"credited {Hours.from_minutes(current)} before, "
            f"{Hours.from_minutes(target)} now",
        ),
        transfer=LedgerTransfer(
            transfer_id=aid,
            kind="adjust",
            legs=((ISSUER, -delta), (credited_to, delta)),
            at=now,
            details=(
                ("minutes", str(target)),
                ("record", f"{key[0]}/{key[1]}"),
                ("volunteer", volunteer_id),
            ),
            memo="the record counts otherwise now (amendment, void, overlap, cap)",
        ),
        delta=delta,
        account=credited_to,
    )


def credit_hours(
    ledger: Ledger,
    *,
    transfer_id: str,
    volunteer_id: str,
    hours: Hours,
    now: _dt.datetime,
    policy: TimeBankPolicy | str,
    record_key: tuple[str, str] | None = None,
    memo: str = "",
) -> LedgerResult:
    """Credit hours that were counted elsewhere (an import, an opening balance), with the cap.

    Prefer :func:`credit_records`, which credits only what certification counts. Under a
    policy that is not in force on the local date of ``now`` nothing is posted: the result is
    refused with the violation ``policy_not_in_force``.

    Example:
        >>> from datetime import datetime, timezone
        >>> r = credit_hours(Ledger(), transfer_id="open-V1", volunteer_id="V1",
        ...                  hours=Hours.from_hours(2), policy="generic",
        ...                  now=datetime(2024, 5, 1, tzinfo=timezone.utc), memo="opening")
        >>> r.ledger.balance("V1")
        Hours(minutes=120)
        >>> early = credit_hours(Ledger(), transfer_id="open-V1", volunteer_id="V1",
        ...                      hours=Hours.from_hours(2), policy="cn-shanghai-2026",
        ...                      now=datetime(2025, 5, 1, tzinfo=timezone.utc))
        >>> early.allowed, early.violations[0].code
        (False, 'policy_not_in_force')
    """
    ledger = check_ledger_arg(ledger)
    policy = check_policy(policy)
    minutes = check_positive("hours", hours)
    now = check_now(now)
    refused = refused_out_of_force(ledger, transfer_id, policy, now, "crediting on")
    if refused is not None:
        return refused
    transfer = LedgerTransfer(
        transfer_id=transfer_id,
        kind="credit",
        legs=((ISSUER, -minutes), (check_volunteer("volunteer_id", volunteer_id), minutes)),
        at=now,
        record_key=record_key,
        memo=memo,
    )
    return post_transfer(ledger, transfer)
