"""Time bank policies: who may use hours and how, as data with their sources.

A :class:`TimeBankPolicy` says what one time bank's rules impose (a cap, donate-only group
hours, the ages from which hours are used, relations that may receive them); a field a source
does not regulate is ``None``. The built-in policies (:func:`time_bank_policy_ids`) cite their
sources as rule sets do; the references are in :mod:`volunteer_rules.timebank.operations`.

Example:
    >>> from volunteer_rules.timebank.policy import get_time_bank_policy
    >>> limits = get_time_bank_policy("cn-nanjing-2019").limits
    >>> limits.cap, limits.cap_from
    (Hours(minutes=90000), datetime.date(2019, 8, 30))
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Final

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import instance_of, one_of, within_days
from volunteer_rules.errors import (
    InvalidTypeError,
    InvalidValueError,
    RuleSetError,
    UnknownRuleSetError,
)
from volunteer_rules.hours import Hours
from volunteer_rules.timebank.limits import LedgerLimits

__all__ = [
    "RELATIONS",
    "TimeBankPolicy",
    "get_time_bank_policy",
    "time_bank_policy_ids",
]

RELATIONS: Final = ("self", "spouse", "direct_relative", "other_relative", "friend")
"""How a beneficiary or recipient is related to the volunteer.

``direct_relative`` is 直系亲属 (parents, children, grandparents, grandchildren);
``other_relative`` any other relative; ``friend`` anyone else the volunteer names.
"""


_WHO: Final = {
    "self": "volunteer",
    "direct_relative": "direct relative",
    "other_relative": "relative",
}


def _check_relation_set(instance: object, attribute: Any, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, frozenset) or not value <= set(RELATIONS):
        raise RuleSetError(
            getattr(instance, "policy_id", ""), f"{attribute.name} must be a subset of {RELATIONS}"
        )


def _check_beneficiaries(instance: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, tuple):
        raise RuleSetError("", "beneficiaries must be a tuple of (relation, min_age) pairs")
    for pair in value:
        if (
            not isinstance(pair, tuple)
            or len(pair) != 2
            or pair[0] not in RELATIONS
            or not (pair[1] is None or (type(pair[1]) is int and 0 <= pair[1] <= 150))
        ):
            raise RuleSetError("", f"bad beneficiary rule {pair!r}")


def _optional_age(instance: object, attribute: Any, value: Any) -> None:
    if value is not None and (type(value) is not int or not 0 <= value <= 150):
        raise RuleSetError("", f"{attribute.name} must be an age in years or None")


@masked_repr
@attrs.frozen(kw_only=True)
class TimeBankPolicy:
    """The rules of one time bank, as data with sources.

    ``None`` in a field means **not regulated**: the source says nothing, and the policy imposes
    nothing there (it never invents a number).

    Attributes:
        policy_id: stable id (``cn-nanjing-2019``...).
        name: English name. name_zh: Chinese name.
        references: the sources, as docs/sources.md keys with articles or statements.
        limits: floor, cap and overflow rule (:class:`~volunteer_rules.LedgerLimits`). The cap
            is one of the policy's rules: the policy dates it with its own days
            (``limits.cap_from`` and ``limits.cap_until`` become ``valid_from`` and
            ``valid_until``, or the cap's own dates where they are narrower), so a ledger built
            with ``Ledger(limits=policy.limits)`` caps only transfers dated on those days. The
            floor is not dated: no negative balance [MCA2012-b] Art 22, and an overdraft is a
            platform's own configuration.
        beneficiaries: ``(relation, min_age)`` pairs: who may be served by a redemption, and
            from what age (inclusive: on the birthday of that age it is allowed; ``None``: any
            age). A relation not listed may not benefit.
        hardship_min_age: for ``self``, the lower age that applies with a hardship flag
            (Shanghai 60); ``None``: no hardship exception.
        give_to: relations hours may be given to; ``frozenset()`` forbids giving; ``None``: not
            regulated (any recipient).
        donation: whether hours may be donated to the pool.
        group_hours: ``"own"`` (group-earned hours are the volunteer's like any other) or
            ``"donate_only"`` (Nanjing: credited straight to the donation pool, attributed to
            the volunteer in the transfer's details).
        equal_time: ``True`` when redemption must be hour for hour (等时等量): a catalog rate
            other than 1 is refused.
        provider_min_age: age from which a volunteer's own (non-group) service is credited
            (Shanghai 18); ``None``: not regulated.
        credit_validity_days: how long hours stay valid, in days, or ``None``: not regulated
            (hours do not expire). No built-in source sets an expiry (``docs/sources.md``, "What
            was looked for and not found"); an integrator's policy may, and
            :func:`expire_credits` applies it.
        withdrawal_limit: the most one redemption may take; ``None``: not regulated.
        cash_out: always ``False``: hours are exchanged for services only, never for cash
            [NJ-GL]; there is no cash operation at all.
        valid_from: the first day the policy applies (inclusive), or ``None`` if unknown.
        valid_until: the last day it applies (inclusive), or ``None``: no end. On a day outside
            them every operation under the policy (credit, redeem, reserve, give, donate,
            expire) is refused with ``policy_not_in_force``, and its cap holds no transfer;
            hours already in the ledger are kept, and are spent under the policy in force that
            day.
        rollout: dated stages of the policy's rollout, ``(first day, what applies)``.
        donation_priority: who is served first from donated hours, in words (Nanjing: key
            elderly people), in order.
        source_status: how far the policy's source is confirmed: ``in_force`` (the authority's
            text), ``secondary`` (a report), ``unverified`` (cited, but not found again), or
            ``none`` (no source: the generic policy).

    Example:
        >>> policy = get_time_bank_policy("cn-shanghai-2026")
        >>> policy.min_age("self"), policy.min_age("self", hardship=True), policy.limits.cap is None
        (65, 60, True)
    """

    policy_id: str = attrs.field(validator=instance_of(str))
    name: str = attrs.field(validator=instance_of(str))
    name_zh: str = attrs.field(validator=instance_of(str))
    references: tuple[str, ...] = attrs.field(validator=instance_of(tuple))
    limits: LedgerLimits = attrs.field(validator=instance_of(LedgerLimits))
    beneficiaries: tuple[tuple[str, int | None], ...] = attrs.field(validator=_check_beneficiaries)
    hardship_min_age: int | None = attrs.field(default=None, validator=_optional_age)
    give_to: frozenset[str] | None = attrs.field(default=None, validator=_check_relation_set)
    donation: bool = attrs.field(default=True, validator=instance_of(bool))
    group_hours: str = attrs.field(default="own", validator=one_of(("own", "donate_only")))
    equal_time: bool = attrs.field(default=False, validator=instance_of(bool))
    provider_min_age: int | None = attrs.field(default=None, validator=_optional_age)
    credit_validity_days: int | None = attrs.field(default=None)
    withdrawal_limit: Hours | None = attrs.field(default=None)
    cash_out: bool = attrs.field(default=False)
    valid_from: _dt.date | None = attrs.field(default=None)
    valid_until: _dt.date | None = attrs.field(default=None)
    rollout: tuple[tuple[_dt.date, str], ...] = attrs.field(default=())
    donation_priority: tuple[str, ...] = attrs.field(default=())
    source_status: str = attrs.field(
        default="secondary", validator=one_of(("in_force", "secondary", "unverified", "none"))
    )

    def in_force_on(self, day: _dt.date) -> bool:
        """Whether the policy applies on ``day`` (an unknown start imposes no bound).

        Example:
            >>> from datetime import date
            >>> policy = get_time_bank_policy("cn-shanghai-2026")
            >>> policy.in_force_on(date(2025, 12, 31)), policy.in_force_on(date(2026, 1, 12))
            (False, True)
        """
        if type(day) is not _dt.date:
            raise InvalidTypeError("day", "must be a date")
        return within_days(day, self.valid_from, self.valid_until)

    def __attrs_post_init__(self) -> None:
        if not self.policy_id:
            raise RuleSetError("", "policy_id must not be empty")
        if self.cash_out is not False:
            raise RuleSetError(self.policy_id, "hours are never paid out as cash [NJ-GL]")
        for name in ("valid_from", "valid_until"):
            value = getattr(self, name)
            if value is not None and type(value) is not _dt.date:
                raise RuleSetError(self.policy_id, f"{name} must be a date or None")
        if (
            self.valid_from is not None
            and self.valid_until is not None
            and self.valid_until < self.valid_from
        ):
            raise RuleSetError(self.policy_id, "valid_until is before valid_from")
        if self.credit_validity_days is not None and (
            type(self.credit_validity_days) is not int or self.credit_validity_days <= 0
        ):
            raise RuleSetError(self.policy_id, "credit_validity_days must be positive or None")
        if self.withdrawal_limit is not None and (
            not isinstance(self.withdrawal_limit, Hours) or self.withdrawal_limit.minutes <= 0
        ):
            raise RuleSetError(self.policy_id, "withdrawal_limit must be positive Hours or None")
        relations = [r for r, _ in self.beneficiaries]
        if len(set(relations)) != len(relations):
            raise RuleSetError(self.policy_id, "a relation is listed twice in beneficiaries")
        object.__setattr__(self, "limits", self._dated_limits())

    def _dated_limits(self) -> LedgerLimits:
        """The limits with the cap applying only on the policy's days (and the cap's own)."""
        limits = self.limits
        if limits.cap is None:
            return limits
        starts = [d for d in (self.valid_from, limits.cap_from) if d is not None]
        ends = [d for d in (self.valid_until, limits.cap_until) if d is not None]
        cap_from = max(starts, default=None)
        cap_until = min(ends, default=None)
        if cap_from is not None and cap_until is not None and cap_until < cap_from:
            raise RuleSetError(
                self.policy_id,
                f"limits: the cap's days ({_days(limits.cap_from, limits.cap_until)}) and the "
                f"policy's ({_days(self.valid_from, self.valid_until)}) have no day in common",
            )
        if (cap_from, cap_until) == (limits.cap_from, limits.cap_until):
            return limits
        return attrs.evolve(limits, cap_from=cap_from, cap_until=cap_until)

    def min_age(self, relation: str, *, hardship: bool = False) -> int | None:
        """The minimum age of a beneficiary with this relation (``None``: no age condition).

        Raises:
            InvalidValueError: the relation is not one of :data:`RELATIONS`, or may not benefit.

        Example:
            >>> get_time_bank_policy("cn-nanjing-gulou-2018").min_age("direct_relative")
            60
        """
        if relation not in RELATIONS:
            raise InvalidValueError("relation", f"{relation!r} is not one of {RELATIONS}")
        for name, age in self.beneficiaries:
            if name == relation:
                if relation == "self" and hardship and self.hardship_min_age is not None:
                    return self.hardship_min_age if age is None else min(age, self.hardship_min_age)
                return age
        raise InvalidValueError("relation", f"{relation!r} may not benefit under {self.policy_id}")


def _days(start: _dt.date | None, end: _dt.date | None) -> str:
    first = "no start" if start is None else start.isoformat()
    return f"{first} to {'no end' if end is None else end.isoformat()}"


_BUILTIN: Final[dict[str, TimeBankPolicy]] = {
    policy.policy_id: policy
    for policy in (
        TimeBankPolicy(
            policy_id="cn-nanjing-2019",
            name="Nanjing time bank pilot (2019)",
            name_zh="南京市时间银行试点（2019）",
            references=(
                "[NJ] Xinhua 2019-08-30: storage cap 1,500 h (provisional), hours above it go to "
                "donation; group-earned hours can only be donated; served: key elderly people "
                "(80+ living alone; 60-79 living alone, disabled and on minimum-income aid), who "
                "receive donated hours first, and anyone aged 60+ holding stored time; deposit "
                "and redeem citywide (通存通兑).",
                "valid_from is the report's date (2019-08-30): the pilot's own start day is not "
                "in the source.",
                "[MCA2012-b] Art 22: service within the hours accumulated (no negative balance).",
                "Not regulated in the source: recipients of transfers, expiry, withdrawal limits.",
            ),
            limits=LedgerLimits(cap=Hours.from_hours(1500), overflow="donate"),
            beneficiaries=(("self", 60),),
            give_to=None,
            group_hours="donate_only",
            valid_from=_dt.date(2019, 8, 30),
            donation_priority=(
                "key elderly: aged 80 or more and living alone",
                "key elderly: aged 60 to 79, living alone, disabled and on minimum-income aid",
            ),
        ),
        TimeBankPolicy(
            policy_id="cn-nanjing-gulou-2018",
            name="Nanjing Gulou district time bank (2018)",
            name_zh="南京市鼓楼区时间银行（2018）",
            references=(
                "[NJ-GL] UNVERIFIED: a 2018-10-18 newspaper page cited by the early research "
                "notes, not found again (see docs/sources.md): redemption 1:1 (等时等量) from "
                "age 60; time may be used by the volunteer, the spouse, or direct relatives aged "
                "60+, or donated; services only, never cash.",
                "The age of 60 is applied to every person served (the scheme serves the "
                "elderly); giving to others is not among the listed uses, so it is refused.",
                "Not regulated in the source: cap, expiry, withdrawal limits.",
            ),
            limits=LedgerLimits(),
            beneficiaries=(("self", 60), ("spouse", 60), ("direct_relative", 60)),
            give_to=frozenset(),
            equal_time=True,
            valid_from=_dt.date(2018, 10, 18),
            source_status="unverified",
        ),
        TimeBankPolicy(
            policy_id="cn-shanghai-2026",
            name="Shanghai 沪助养老时光汇 (2026 measures)",
            name_zh="上海市“沪助养老时光汇”（2026）",
            references=(
                "[SH-TB] 1 h = 1 时间币 (time coin); redemption from 65, or from 60 in special "
                "hardship; providers are adults 18+, under-18s only through group activities; "
                "coins can be transferred to relatives or friends, or donated; rollout: all "
                "districts covered in 2026, deposit and redemption across each district in "
                "2027, citywide in 2028.",
                "valid_from is the report's date (2026-01-12).",
                "Not regulated in the source: cap, expiry, withdrawal limits.",
            ),
            limits=LedgerLimits(),
            beneficiaries=(("self", 65),),
            hardship_min_age=60,
            give_to=frozenset({"spouse", "direct_relative", "other_relative", "friend"}),
            equal_time=True,
            provider_min_age=18,
            valid_from=_dt.date(2026, 1, 12),
            rollout=(
                (_dt.date(2026, 1, 12), "all districts covered"),
                (_dt.date(2027, 1, 1), "deposit and redemption across each district"),
                (_dt.date(2028, 1, 1), "deposit and redemption across the city"),
            ),
        ),
        TimeBankPolicy(
            policy_id="generic",
            name="Generic time bank (no local rules)",
            name_zh="通用时间银行",
            references=(
                "[MCA2012-b] Art 22: free service within the hours accumulated; [BJ] Art 40: "
                "hours may be exchanged for community services.",
                "No age, relation or cap rules: none regulated.",
            ),
            limits=LedgerLimits(),
            beneficiaries=tuple((relation, None) for relation in RELATIONS),
            give_to=None,
            source_status="none",
        ),
    )
}


def time_bank_policy_ids() -> tuple[str, ...]:
    """The ids of the built-in time bank policies, sorted.

    Example:
        >>> time_bank_policy_ids()
        ('cn-nanjing-2019', 'cn-nanjing-gulou-2018', 'cn-shanghai-2026', 'generic')
    """
    return tuple(sorted(_BUILTIN))


def get_time_bank_policy(policy_id: str) -> TimeBankPolicy:
    """A built-in policy by id.

    Raises:
        UnknownRuleSetError: no such policy.

    Example:
        >>> get_time_bank_policy("cn-nanjing-2019").limits.cap
        Hours(minutes=90000)
    """
    if isinstance(policy_id, str) and policy_id in _BUILTIN:
        return _BUILTIN[policy_id]
    raise UnknownRuleSetError(str(policy_id), f"no time bank policy {policy_id!r}")
