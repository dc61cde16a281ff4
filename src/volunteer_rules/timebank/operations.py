"""Time bank operations (时间银行): credit, redeem, give, donate, reserve, settle, void, reverse.

Every operation takes a :class:`~volunteer_rules.timebank.ledger.Ledger` and values, and returns a
:class:`LedgerResult`: the new ledger and the posted transfer, or the unchanged ledger and the
reasons the policy refuses the operation (``violations``, each with a ``code`` and a
``message``). Refusals by the *policy* (age, relation, donate-only hours) are returned; a
withdrawal above what is available raises :class:`~volunteer_rules.InsufficientHoursError`
(``available``, ``requested``), as the ledger does; misuse raises the library's errors.

Every operation has a caller-chosen ``transfer_id``, an idempotency key with the ledger's own
rule: the same call again returns the original posting and changes nothing; the id of an
existing transfer used for another operation, or for the same operation with other content
(another reservation settled, another transfer reversed, other hours), raises
:class:`~volunteer_rules.ConflictError` and changes nothing. Credits use ``credit:<organization_id>:<record_id>`` so one
service record is credited at most once, however often it is submitted.

Policies are data (:class:`TimeBankPolicy`) with their sources, like rule sets. Where a source
does not say (credit expiry, withdrawal limits, a cap in Shanghai), the policy field is
``None``, documented as "not regulated": the policy imposes nothing there, and no number is
invented. The built-in policies are ``cn-nanjing-2019``, ``cn-nanjing-gulou-2018``,
``cn-shanghai-2026`` and ``generic``.

Prices: a :class:`ServiceCatalog` lists community services with their duration, and an exact
rate (a :class:`~fractions.Fraction` of hours debited per hour of service) per service
category. **The one rounding rule**: the price of a redemption is
``duration × quantity × rate`` computed exactly, then rounded half up to whole minutes, once
per transfer (never per unit or per line).

References:
    - [NJ] Nanjing 2019 time bank pilot (Xinhua, 2019-08-30): cap 1,500 h, excess donated;
      group-earned hours only donated; anyone aged 60+ holding stored time is served.
    - [NJ-GL] Nanjing Gulou 2018: 1:1 (等时等量) from age 60; the volunteer, the spouse, or
      direct relatives aged 60+ may use the time, or it is donated; services only, never cash.
    - [SH-TB] Shanghai 沪助养老时光汇 (2026 measures): 1 h = 1 coin; redemption from 65, or 60
      in special hardship; providers 18+ (under-18s only in group activities); coins may be
      transferred to relatives or friends, or donated.
    - [MCA2012-b] Art 22: service within the hours accumulated (no negative balance).
    - docs/sources.md.

Example:
    >>> from datetime import datetime, timezone
    >>> import volunteer_rules as vr
    >>> from volunteer_rules.timebank.operations import credit_hours, donate, get_time_bank_policy
    >>> policy = get_time_bank_policy("cn-nanjing-2019")
    >>> now = datetime(2024, 5, 1, 9, tzinfo=timezone.utc)
    >>> ledger = vr.Ledger(limits=policy.limits)
    >>> result = credit_hours(ledger, transfer_id="c-1", volunteer_id="V1",
    ...                       hours=vr.Hours.from_hours(1600), now=now, policy=policy)
    >>> result.ledger.balance("V1"), result.ledger.balance(vr.POOL)
    (Hours(minutes=90000), Hours(minutes=6000))
    >>> donate(result.ledger, transfer_id="d-1", volunteer_id="V1",
    ...        hours=vr.Hours.from_hours(1), now=now, policy=policy).ledger.balance("V1").hours
    Decimal('1499')
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any, Final

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import require_iterable
from volunteer_rules.errors import (
    ConflictError,
    InvalidTypeError,
    InvalidValueError,
    NotFoundError,
    RuleSetError,
    UnknownRuleSetError,
)
from volunteer_rules.hours import Hours
from volunteer_rules.records.profile import age_on
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.timebank.ledger import (
    HOLDS,
    ISSUER,
    POOL,
    REDEEMED,
    SYSTEM_ACCOUNTS,
    Ledger,
    LedgerLimits,
    LedgerTransfer,
    PostedTransfer,
    _instance_of,
    _one_of,
)

__all__ = [
    "RELATIONS",
    "Beneficiary",
    "CatalogService",
    "CreditDecision",
    "CreditResult",
    "ExpiryResult",
    "LedgerResult",
    "PolicyViolation",
    "ServiceCatalog",
    "TimeBankPolicy",
    "credit_hours",
    "credit_records",
    "credit_transfer_id",
    "default_catalog",
    "donate",
    "expire_credits",
    "get_time_bank_policy",
    "give",
    "grant",
    "redeem",
    "reserve",
    "reverse",
    "settle",
    "time_bank_policy_ids",
    "void",
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
        limits: floor, cap and overflow rule (:class:`~volunteer_rules.LedgerLimits`).
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
        valid_until: the last day it applies (inclusive), or ``None``: no end.
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

    policy_id: str = attrs.field(validator=_instance_of(str))
    name: str = attrs.field(validator=_instance_of(str))
    name_zh: str = attrs.field(validator=_instance_of(str))
    references: tuple[str, ...] = attrs.field(validator=_instance_of(tuple))
    limits: LedgerLimits = attrs.field(validator=_instance_of(LedgerLimits))
    beneficiaries: tuple[tuple[str, int | None], ...] = attrs.field(validator=_check_beneficiaries)
    hardship_min_age: int | None = attrs.field(default=None, validator=_optional_age)
    give_to: frozenset[str] | None = attrs.field(default=None, validator=_check_relation_set)
    donation: bool = attrs.field(default=True, validator=_instance_of(bool))
    group_hours: str = attrs.field(default="own", validator=_one_of(("own", "donate_only")))
    equal_time: bool = attrs.field(default=False, validator=_instance_of(bool))
    provider_min_age: int | None = attrs.field(default=None, validator=_optional_age)
    credit_validity_days: int | None = attrs.field(default=None)
    withdrawal_limit: Hours | None = attrs.field(default=None)
    cash_out: bool = attrs.field(default=False)
    valid_from: _dt.date | None = attrs.field(default=None)
    valid_until: _dt.date | None = attrs.field(default=None)
    rollout: tuple[tuple[_dt.date, str], ...] = attrs.field(default=())
    donation_priority: tuple[str, ...] = attrs.field(default=())
    source_status: str = attrs.field(
        default="secondary", validator=_one_of(("in_force", "secondary", "unverified", "none"))
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
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_until is None or day <= self.valid_until

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


# ------------------------------------------------------------------------------ catalog


def _positive_hours(instance: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, Hours) or value.minutes <= 0:
        raise InvalidValueError(attribute.name, "must be positive Hours")


@masked_repr
@attrs.frozen(kw_only=True)
class CatalogService:
    """A community service that hours can buy.

    Attributes:
        service_id: stable id. name: English name. name_zh: Chinese name.
        category: a service category code (:data:`~volunteer_rules.SERVICE_CATEGORIES` or the
            integrator's own).
        duration: the time of service one unit delivers.

    Example:
        >>> CatalogService(service_id="visit", name="Home visit", name_zh="上门探访",
        ...                category="elderly_and_disabled", duration=Hours.from_hours(1)).duration
        Hours(minutes=60)
    """

    service_id: str = attrs.field(validator=_instance_of(str))
    name: str = attrs.field(validator=_instance_of(str))
    name_zh: str = attrs.field(validator=_instance_of(str))
    category: str = attrs.field(validator=_instance_of(str))
    duration: Hours = attrs.field(validator=_positive_hours)


def _check_rates(instance: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, tuple):
        raise InvalidTypeError("rates", "must be a tuple of (category, Fraction) pairs")
    for pair in value:
        if not (
            isinstance(pair, tuple)
            and len(pair) == 2
            and isinstance(pair[0], str)
            and isinstance(pair[1], Fraction)
            and pair[1] > 0
        ):
            raise InvalidValueError(
                "rates", f"{pair!r} is not a (category, positive Fraction) pair"
            )


@masked_repr
@attrs.frozen(kw_only=True)
class ServiceCatalog:
    """Community services priced in hours, with an exact rate per service category.

    Attributes:
        services: the services (ids distinct).
        rates: ``(category, Fraction)`` pairs: hours debited per hour of service; a category
            not listed has rate 1 (hour for hour, 等时等量).

    The one rounding rule: :meth:`price` computes ``duration × quantity × rate`` exactly and
    rounds half up to whole minutes once, for the whole transfer.

    Example:
        >>> catalog = default_catalog()
        >>> catalog.price("home_visit", 3), catalog.rate("health")
        (Hours(minutes=180), Fraction(1, 1))
    """

    services: tuple[CatalogService, ...] = attrs.field()
    rates: tuple[tuple[str, Fraction], ...] = attrs.field(default=(), validator=_check_rates)

    @services.validator
    def _check_services(self, attribute: Any, value: Any) -> None:
        if not isinstance(value, tuple) or not all(isinstance(s, CatalogService) for s in value):
            raise InvalidTypeError("services", "must be a tuple of CatalogService")
        ids = [s.service_id for s in value]
        if len(set(ids)) != len(ids):
            raise InvalidValueError("services", "service ids must be distinct")

    def service(self, service_id: str) -> CatalogService:
        """The service with this id.

        Raises:
            NotFoundError: no such service.

        Example:
            >>> default_catalog().service("meal_delivery").category
            'elderly_and_disabled'
        """
        for service in self.services:
            if service.service_id == service_id:
                return service
        raise NotFoundError(str(service_id), f"no service {service_id!r} in the catalog")

    def rate(self, category: str) -> Fraction:
        """Hours debited per hour of service in ``category`` (1 when not listed).

        Example:
            >>> ServiceCatalog(services=(), rates=(("health", Fraction(3, 2)),)).rate("health")
            Fraction(3, 2)
        """
        for name, rate in self.rates:
            if name == category:
                return rate
        return Fraction(1)

    def price(self, service_id: str, quantity: int = 1) -> Hours:
        """The hours ``quantity`` units of a service cost: one rounding, half up, per transfer.

        Raises:
            NotFoundError: no such service. InvalidValueError: ``quantity`` is not a positive int.

        Example:
            >>> svc = CatalogService(service_id="x", name="x", name_zh="x", category="health",
            ...                      duration=Hours.from_minutes(25))
            >>> ServiceCatalog(services=(svc,), rates=(("health", Fraction(1, 2)),)).price("x", 1)
            Hours(minutes=13)
        """
        if type(quantity) is not int or quantity <= 0:
            raise InvalidValueError("quantity", "must be a positive int")
        service = self.service(service_id)
        exact = Fraction(service.duration.minutes * quantity) * self.rate(service.category)
        return Hours.from_minutes(int((exact + Fraction(1, 2)).__floor__()))


def default_catalog() -> ServiceCatalog:
    """A small example catalog of elder-care community services, all hour for hour.

    Example:
        >>> [s.service_id for s in default_catalog().services]
        ['home_visit', 'meal_delivery', 'escort_to_hospital', 'housekeeping']
    """
    return ServiceCatalog(
        services=(
            CatalogService(
                service_id="home_visit",
                name="Home visit and company",
                name_zh="上门探访陪伴",
                category="elderly_and_disabled",
                duration=Hours.from_hours(1),
            ),
            CatalogService(
                service_id="meal_delivery",
                name="Meal delivery",
                name_zh="助餐送餐",
                category="elderly_and_disabled",
                duration=Hours.from_minutes(30),
            ),
            CatalogService(
                service_id="escort_to_hospital",
                name="Escort to hospital",
                name_zh="陪同就医",
                category="health",
                duration=Hours.from_hours(2),
            ),
            CatalogService(
                service_id="housekeeping",
                name="Housekeeping help",
                name_zh="家政帮扶",
                category="community_service",
                duration=Hours.from_hours(1),
            ),
        )
    )


# ------------------------------------------------------------------------------ results


@masked_repr
@attrs.frozen(kw_only=True)
class PolicyViolation:
    """Why a policy refuses an operation.

    Attributes:
        code: ``under_age``, ``relation_not_allowed``, ``giving_not_allowed``,
            ``donation_not_allowed``, ``rate_not_allowed``, ``withdrawal_limit``,
            ``birth_date_missing``.
        message: one sentence.

    Example:
        >>> PolicyViolation(code="under_age", message="aged 59, redemption from 60").code
        'under_age'
    """

    code: str
    message: str


@masked_repr
@attrs.frozen(kw_only=True)
class LedgerResult:
    """The outcome of one time bank operation.

    Attributes:
        ledger: the new ledger (the same ledger when refused, or on a retry).
        posted: the transfer as posted, or ``None`` when refused.
        violations: why the policy refused (empty when allowed).

    Example:
        >>> from datetime import datetime, timezone
        >>> r = give(Ledger(), transfer_id="g", from_volunteer="V1", to_volunteer="V2",
        ...          hours=Hours.from_hours(1), relation="friend",
        ...          now=datetime(2024, 5, 1, tzinfo=timezone.utc),
        ...          policy=get_time_bank_policy("cn-nanjing-gulou-2018"))
        >>> r.allowed, [v.code for v in r.violations]
        (False, ['giving_not_allowed'])
    """

    ledger: Ledger
    posted: PostedTransfer | None
    violations: tuple[PolicyViolation, ...] = ()

    @property
    def allowed(self) -> bool:
        """Whether the operation was posted (or had been, on a retry).

        Example:
            >>> LedgerResult(ledger=Ledger(), posted=None).allowed
            False
        """
        return self.posted is not None


@masked_repr
@attrs.frozen(kw_only=True)
class Beneficiary:
    """The person a redemption serves.

    Attributes:
        relation: one of :data:`RELATIONS` (``"self"`` for the volunteer).
        birth_date: their birth date, or ``None`` when unknown (refused where an age applies).
        name: how to call them in a statement (optional; never an ID number).

    Example:
        >>> from datetime import date
        >>> Beneficiary(relation="spouse", birth_date=date(1960, 1, 1)).relation
        'spouse'
    """

    relation: str = attrs.field(validator=_one_of(RELATIONS))
    birth_date: _dt.date | None = attrs.field(default=None)
    name: str = attrs.field(default="", validator=_instance_of(str))

    @birth_date.validator
    def _check_birth(self, attribute: Any, value: Any) -> None:
        if value is not None and (
            not isinstance(value, _dt.date) or isinstance(value, _dt.datetime)
        ):
            raise InvalidTypeError("birth_date", "must be a date or None")


# ------------------------------------------------------------------------------ helpers


def _check_ledger_arg(ledger: object) -> Ledger:
    if not isinstance(ledger, Ledger):
        raise InvalidTypeError("ledger", f"must be a Ledger, not {type(ledger).__name__}")
    return ledger


def _check_policy(policy: object) -> TimeBankPolicy:
    if isinstance(policy, str):
        return get_time_bank_policy(policy)
    if not isinstance(policy, TimeBankPolicy):
        raise InvalidTypeError("policy", "must be a TimeBankPolicy or a policy id")
    return policy


def _check_volunteer(what: str, value: object) -> str:
    if not isinstance(value, str):
        raise InvalidTypeError(what, f"must be a str, not {type(value).__name__}")
    if not value or value in SYSTEM_ACCOUNTS or value.startswith("@") or not value.isprintable():
        raise InvalidValueError(what, f"{value!r} is not a volunteer id")
    return value


def _check_positive(what: str, value: object) -> int:
    if not isinstance(value, Hours):
        raise InvalidTypeError(what, f"must be Hours, not {type(value).__name__}")
    if value.minutes <= 0:
        raise InvalidValueError(what, "must be more than zero")
    return value.minutes


def _check_now(value: object) -> _dt.datetime:
    if not isinstance(value, _dt.datetime):
        raise InvalidTypeError("now", "must be an aware datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidValueError("now", "must be a time-zone-aware datetime")
    return value


def _post(ledger: Ledger, transfer: LedgerTransfer) -> LedgerResult:
    new, posted = ledger.post(transfer)
    return LedgerResult(ledger=new, posted=posted)


def _retry(ledger: Ledger, transfer_id: object) -> PostedTransfer | None:
    if isinstance(transfer_id, str) and transfer_id in ledger:
        return ledger.transfer(transfer_id)
    return None


def _same_operation(
    posted: PostedTransfer, kind: str, reference: str | None, memo: str | None = None
) -> PostedTransfer:
    """A retry of an operation whose legs the ledger derives: the id must hold the same one.

    Settlements and reversals compute their legs from the transfer they act on, so a retry is
    recognised by what the caller gave: the kind, the transfer acted on, the memo.

    Raises:
        ConflictError: the id holds another operation or the same one with other content.
    """
    transfer = posted.transfer
    if (
        transfer.kind != kind
        or transfer.reference != reference
        or (memo is not None and transfer.memo != memo)
    ):
        raise ConflictError(
            transfer.transfer_id,
            f"transfer {transfer.transfer_id!r} exists with different content (a "
            f"{transfer.kind}{'' if transfer.reference is None else f' of {transfer.reference!r}'}"
            f", not a {kind} of {reference!r})",
        )
    return posted


def _age(birth_date: _dt.date, day: _dt.date) -> int:
    return age_on(birth_date, day)


def _beneficiary_violations(
    policy: TimeBankPolicy,
    beneficiary: Beneficiary,
    volunteer_birth_date: _dt.date | None,
    hardship: bool,
    day: _dt.date,
) -> list[PolicyViolation]:
    relation = beneficiary.relation
    allowed = dict(policy.beneficiaries)
    if relation not in allowed:
        return [
            PolicyViolation(
                code="relation_not_allowed",
                message=f"under {policy.policy_id} a {relation} may not benefit from a redemption",
            )
        ]
    min_age = policy.min_age(relation, hardship=hardship)
    if min_age is None:
        return []
    birth = volunteer_birth_date if relation == "self" else beneficiary.birth_date
    if relation == "self" and birth is None:
        birth = beneficiary.birth_date
    if birth is None:
        return [
            PolicyViolation(
                code="birth_date_missing",
                message=f"{policy.policy_id} serves a {relation} from age {min_age}: "
                "a birth date is needed",
            )
        ]
    if birth > day:
        raise InvalidValueError("birth_date", "is after the day of the redemption")
    age = _age(birth, day)
    if age < min_age:
        return [
            PolicyViolation(
                code="under_age",
                message=f"the {_WHO.get(relation, relation)} is {age} on {day.isoformat()}; "
                f"{policy.policy_id} "
                f"serves from age {min_age}",
            )
        ]
    return []


# ------------------------------------------------------------------------------ credits


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
            ``already_credited`` (credited as it counts now), ``adjusted`` (it counts
            otherwise now: amended, voided, overlapped, capped; the difference was posted),
            ``not_counted`` (see ``reason``), ``provider_under_age``, ``birth_date_missing``,
            ``debt_refused`` (the volunteer's credits must go down by more than is available:
            nothing of theirs was posted; see ``message``), ``history_incomplete`` (records
            credited before are missing from the call: nothing of theirs was posted).
        reason: the counting engine's exclusion reason, if any.
        transfer_id: the credit or adjustment transfer, if any.
        message: a sentence for the outcomes that need one (adjusted, refused).

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
    message: str = ""


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

    ledger = _check_ledger_arg(ledger)
    policy = _check_policy(policy)
    now = _check_now(now)
    if birth_dates is not None and not isinstance(birth_dates, Mapping):
        raise InvalidTypeError("birth_dates", "must be a mapping of volunteer id to date")
    require_iterable(records, "records", "must be an iterable of ServiceRecord")
    by_volunteer: dict[str, list[ServiceRecord]] = {}
    for record in records:
        if not isinstance(record, ServiceRecord):
            raise InvalidTypeError("records", f"must be ServiceRecord, not {type(record).__name__}")
        by_volunteer.setdefault(record.volunteer_id, []).append(record)
    as_of = now.date()
    # The one rule for a key given more than once (volunteer_rules.rules.versions): a key given
    # with conflicting versions is credited to no one, whichever volunteers its versions name.
    conflicts = resolve_versions(r for own in by_volunteer.values() for r in own).conflicts
    amenders: dict[tuple[str, str], list[ServiceRecord]] = {}
    for own in by_volunteer.values():
        for record in own:
            if record.amends is not None:
                amenders.setdefault((record.organization_id, record.amends), []).append(record)
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
            shown = ", ".join(f"{o}/{r}" for o, r in missing[:3])
            message = (
                f"records credited before are not given ({shown}"
                f"{', ...' if len(missing) > 3 else ''}): give the volunteer's whole history"
            )
            decisions.extend(
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
            )
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
            message = (
                f"{volunteer_id}'s credits must go down by more than is available (hours "
                f"already spent): {Hours.from_minutes(short)} short; nothing of this "
                "volunteer is posted until the hours are there or an operator settles the debt"
            )
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
            continue
        pool_available += pool_delta
        # gains before take-backs when the take-backs alone would cross the floor
        ups = [p.transfer for p in plan if p.transfer is not None and p.delta > 0]
        downs = [p.transfer for p in plan if p.transfer is not None and p.delta < 0]
        alone = sum(p.delta for p in plan if p.delta < 0 and p.account == volunteer_id)
        transfers.extend(downs + ups if -alone <= available else ups + downs)
        decisions.extend(p.decision for p in plan)
    return CreditResult(ledger=ledger.post_many(transfers), decisions=tuple(decisions))


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
    plan: list[_Planned] = []
    by_key = {r.key: r for r in own}
    for outcome in outcomes:
        key = outcome.key
        group = key in group_keys
        to_pool = group and policy.group_hours == "donate_only"
        account = POOL if to_pool else volunteer_id
        target, refusal = outcome.minutes, None
        if target > 0 and policy.provider_min_age is not None and not group:
            record = by_key[key]
            if birth is None:
                target, refusal = 0, "birth_date_missing"
            elif birth > record.date or _age(birth, record.date) < policy.provider_min_age:
                target, refusal = 0, "provider_under_age"
        tid = credit_transfer_id(*key)
        existing = ledger.credited_by(key)
        details: tuple[tuple[str, str], ...] = (
            ("minutes", str(target)),
            ("volunteer", volunteer_id),
        )
        if to_pool:
            details = (("group", "donate_only"), *details)
        if existing is None:
            if target <= 0:
                plan.append(
                    _Planned(
                        decision=CreditDecision(
                            key=key,
                            volunteer_id=volunteer_id,
                            minutes=0,
                            outcome=refusal or "not_counted",
                            reason=outcome.reason,
                            transfer_id=None,
                        ),
                        transfer=None,
                        delta=0,
                        account=account,
                    )
                )
                continue
            plan.append(
                _Planned(
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
            )
            continue
        current, n = _credited_now(ledger, existing)
        credited_to = _credit_leg(ledger.transfer(existing).transfer)[0]
        delta = target - current
        if delta == 0:
            plan.append(
                _Planned(
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
            )
            continue
        aid = f"{existing}#{n + 1}"
        plan.append(
            _Planned(
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
        )
    return plan


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

    Prefer :func:`credit_records`, which credits only what certification counts.

    Example:
        >>> from datetime import datetime, timezone
        >>> r = credit_hours(Ledger(), transfer_id="open-V1", volunteer_id="V1",
        ...                  hours=Hours.from_hours(2), policy="generic",
        ...                  now=datetime(2024, 5, 1, tzinfo=timezone.utc), memo="opening")
        >>> r.ledger.balance("V1")
        Hours(minutes=120)
    """
    ledger = _check_ledger_arg(ledger)
    _check_policy(policy)
    minutes = _check_positive("hours", hours)
    transfer = LedgerTransfer(
        transfer_id=transfer_id,
        kind="credit",
        legs=((ISSUER, -minutes), (_check_volunteer("volunteer_id", volunteer_id), minutes)),
        at=_check_now(now),
        record_key=record_key,
        memo=memo,
    )
    return _post(ledger, transfer)


# ------------------------------------------------------------------------------ spending


def _redemption_violations(
    policy: TimeBankPolicy,
    catalog: ServiceCatalog,
    service_id: str,
    price: Hours,
    beneficiary: Beneficiary,
    volunteer_birth_date: _dt.date | None,
    hardship: bool,
    day: _dt.date,
) -> list[PolicyViolation]:
    violations = _beneficiary_violations(policy, beneficiary, volunteer_birth_date, hardship, day)
    service = catalog.service(service_id)
    if policy.equal_time and catalog.rate(service.category) != 1:
        violations.append(
            PolicyViolation(
                code="rate_not_allowed",
                message=f"{policy.policy_id} exchanges hour for hour (等时等量); the catalog "
                f"rate for {service.category} is {catalog.rate(service.category)}",
            )
        )
    if policy.withdrawal_limit is not None and price > policy.withdrawal_limit:
        violations.append(
            PolicyViolation(
                code="withdrawal_limit",
                message=f"{price} is above the limit of {policy.withdrawal_limit} per redemption",
            )
        )
    return violations


def _spend_args(
    ledger: object,
    policy: object,
    catalog: object,
    volunteer_id: object,
    beneficiary: object,
    now: object,
    hardship: object,
    volunteer_birth_date: object,
) -> tuple[
    Ledger, TimeBankPolicy, ServiceCatalog, str, Beneficiary, _dt.datetime, bool, _dt.date | None
]:
    if catalog is None:
        catalog = default_catalog()
    if not isinstance(catalog, ServiceCatalog):
        raise InvalidTypeError("catalog", "must be a ServiceCatalog")
    if beneficiary is None:
        beneficiary = Beneficiary(relation="self")
    if not isinstance(beneficiary, Beneficiary):
        raise InvalidTypeError("beneficiary", "must be a Beneficiary or None")
    if not isinstance(hardship, bool):
        raise InvalidTypeError("hardship", "must be a bool")
    if volunteer_birth_date is not None and (
        not isinstance(volunteer_birth_date, _dt.date)
        or isinstance(volunteer_birth_date, _dt.datetime)
    ):
        raise InvalidTypeError("volunteer_birth_date", "must be a date or None")
    return (
        _check_ledger_arg(ledger),
        _check_policy(policy),
        catalog,
        _check_volunteer("volunteer_id", volunteer_id),
        beneficiary,
        _check_now(now),
        hardship,
        volunteer_birth_date,
    )


def _details(
    service_id: str, quantity: int, beneficiary: Beneficiary
) -> tuple[tuple[str, str], ...]:
    pairs = {
        ("service", service_id),
        ("quantity", str(quantity)),
        ("relation", beneficiary.relation),
    }
    if beneficiary.name:
        pairs.add(("beneficiary", beneficiary.name))
    return tuple(sorted(pairs))


def redeem(
    ledger: Ledger,
    *,
    transfer_id: str,
    volunteer_id: str,
    service_id: str,
    now: _dt.datetime,
    policy: TimeBankPolicy | str,
    catalog: ServiceCatalog | None = None,
    quantity: int = 1,
    beneficiary: Beneficiary | None = None,
    volunteer_birth_date: _dt.date | None = None,
    hardship: bool = False,
) -> LedgerResult:
    """Spend hours on a service from the catalog, for the volunteer or someone the policy allows.

    The policy decides who may be served and from what age (on the local date of ``now``; age
    counted exactly, so the birthday itself is allowed); refusals are returned as
    ``violations``. The price is :meth:`ServiceCatalog.price`.

    Raises:
        InsufficientHoursError: the price is more than the volunteer has available.
        NotFoundError: no such service. ConflictError: the id was used for another operation.

    Example:
        >>> from datetime import date, datetime, timezone
        >>> now = datetime(2024, 5, 1, tzinfo=timezone.utc)
        >>> ledger = credit_hours(Ledger(), transfer_id="c", volunteer_id="V1", now=now,
        ...                       hours=Hours.from_hours(5), policy="generic").ledger
        >>> r = redeem(ledger, transfer_id="x-1", volunteer_id="V1", service_id="home_visit",
        ...            now=now, policy="cn-nanjing-2019", volunteer_birth_date=date(1964, 5, 2))
        >>> r.allowed, r.violations[0].message
        (False, 'the volunteer is 59 on 2024-05-01; cn-nanjing-2019 serves from age 60')
        >>> r = redeem(ledger, transfer_id="x-1", volunteer_id="V1", service_id="home_visit",
        ...            now=now, policy="cn-nanjing-2019", volunteer_birth_date=date(1964, 5, 1))
        >>> r.allowed, r.ledger.balance("V1")
        (True, Hours(minutes=240))
    """
    posted = _retry(ledger, transfer_id) if isinstance(ledger, Ledger) else None
    ledger_, policy_, catalog_, volunteer, who, now, hard, birth = _spend_args(
        ledger, policy, catalog, volunteer_id, beneficiary, now, hardship, volunteer_birth_date
    )
    price = catalog_.price(service_id, quantity)
    transfer = LedgerTransfer(
        transfer_id=transfer_id,
        kind="redeem",
        legs=((volunteer, -price.minutes), (REDEEMED, price.minutes)),
        at=now,
        details=_details(service_id, quantity, who),
    )
    if posted is not None:
        return _post(ledger_, transfer)
    violations = _redemption_violations(
        policy_, catalog_, service_id, price, who, birth, hard, now.date()
    )
    if violations:
        return LedgerResult(ledger=ledger_, posted=None, violations=tuple(violations))
    return _post(ledger_, transfer)


def reserve(
    ledger: Ledger,
    *,
    transfer_id: str,
    volunteer_id: str,
    service_id: str,
    now: _dt.datetime,
    expires_at: _dt.datetime,
    policy: TimeBankPolicy | str,
    catalog: ServiceCatalog | None = None,
    quantity: int = 1,
    beneficiary: Beneficiary | None = None,
    volunteer_birth_date: _dt.date | None = None,
    hardship: bool = False,
) -> LedgerResult:
    """Hold hours for a booked service: they stop being available until settled or voided.

    The hold is open while ``now < expires_at``; at ``expires_at`` it frees itself (see
    :mod:`volunteer_rules.timebank.ledger`). The same checks as :func:`redeem` apply.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> now = datetime(2024, 5, 1, tzinfo=timezone.utc)
        >>> ledger = credit_hours(Ledger(), transfer_id="c", volunteer_id="V1", now=now,
        ...                       hours=Hours.from_hours(3), policy="generic").ledger
        >>> r = reserve(ledger, transfer_id="b-1", volunteer_id="V1", service_id="home_visit",
        ...             now=now, expires_at=now + timedelta(days=1), policy="generic")
        >>> r.ledger.available("V1", now=now), r.ledger.available("V1", now=now + timedelta(days=1))
        (Hours(minutes=120), Hours(minutes=180))
    """
    posted = _retry(ledger, transfer_id) if isinstance(ledger, Ledger) else None
    ledger_, policy_, catalog_, volunteer, who, now, hard, birth = _spend_args(
        ledger, policy, catalog, volunteer_id, beneficiary, now, hardship, volunteer_birth_date
    )
    price = catalog_.price(service_id, quantity)
    if not isinstance(expires_at, _dt.datetime):
        raise InvalidTypeError("expires_at", "must be an aware datetime")
    transfer = LedgerTransfer(
        transfer_id=transfer_id,
        kind="reserve",
        legs=((volunteer, -price.minutes), (HOLDS, price.minutes)),
        at=now,
        expires_at=expires_at,
        details=_details(service_id, quantity, who),
    )
    if posted is not None:
        return _post(ledger_, transfer)
    violations = _redemption_violations(
        policy_, catalog_, service_id, price, who, birth, hard, now.date()
    )
    if violations:
        return LedgerResult(ledger=ledger_, posted=None, violations=tuple(violations))
    return _post(ledger_, transfer)


def _settle_or_void(
    kind: str, ledger: Ledger, transfer_id: str, reservation_id: str, now: _dt.datetime
) -> LedgerResult:
    ledger = _check_ledger_arg(ledger)
    now = _check_now(now)
    posted = _retry(ledger, transfer_id)
    if posted is not None:
        return LedgerResult(ledger=ledger, posted=_same_operation(posted, kind, reservation_id))
    reservation = ledger.transfer(reservation_id).transfer
    if reservation.kind != "reserve":
        raise InvalidValueError("reservation_id", f"{reservation_id!r} is not a reservation")
    account, minutes = next((a, -m) for a, m in reservation.legs if a != HOLDS)
    to = REDEEMED if kind == "post" else account
    transfer = LedgerTransfer(
        transfer_id=transfer_id,
        kind=kind,
        legs=((HOLDS, -minutes), (to, minutes)),
        at=now,
        reference=reservation_id,
    )
    return _post(ledger, transfer)


def settle(
    ledger: Ledger, *, transfer_id: str, reservation_id: str, now: _dt.datetime
) -> LedgerResult:
    """The booked service was given: the held hours are spent.

    Raises:
        NotFoundError: no such reservation. ConflictError: it is no longer open (settled,
            voided, or expired: a reservation is open while ``now < expires_at``), or
            ``transfer_id`` already holds another transfer.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> now = datetime(2024, 5, 1, tzinfo=timezone.utc)
        >>> ledger = credit_hours(Ledger(), transfer_id="c", volunteer_id="V1", now=now,
        ...                       hours=Hours.from_hours(3), policy="generic").ledger
        >>> ledger = reserve(ledger, transfer_id="b-1", volunteer_id="V1", service_id="home_visit",
        ...                  now=now, expires_at=now + timedelta(days=1), policy="generic").ledger
        >>> settle(ledger, transfer_id="s-1", reservation_id="b-1", now=now).ledger.balance(REDEEMED)
        Hours(minutes=60)
    """
    return _settle_or_void("post", ledger, transfer_id, reservation_id, now)


def void(
    ledger: Ledger, *, transfer_id: str, reservation_id: str, now: _dt.datetime
) -> LedgerResult:
    """Cancel a reservation: the held hours go back to the volunteer.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> now = datetime(2024, 5, 1, tzinfo=timezone.utc)
        >>> ledger = credit_hours(Ledger(), transfer_id="c", volunteer_id="V1", now=now,
        ...                       hours=Hours.from_hours(3), policy="generic").ledger
        >>> ledger = reserve(ledger, transfer_id="b-1", volunteer_id="V1", service_id="home_visit",
        ...                  now=now, expires_at=now + timedelta(days=1), policy="generic").ledger
        >>> void(ledger, transfer_id="v-1", reservation_id="b-1", now=now).ledger.balance("V1")
        Hours(minutes=180)
    """
    return _settle_or_void("void", ledger, transfer_id, reservation_id, now)


def give(
    ledger: Ledger,
    *,
    transfer_id: str,
    from_volunteer: str,
    to_volunteer: str,
    hours: Hours,
    relation: str,
    now: _dt.datetime,
    policy: TimeBankPolicy | str,
) -> LedgerResult:
    """Give hours to another volunteer (a relative or friend, as the policy allows).

    Raises:
        InsufficientHoursError: more than the giver has available.

    Example:
        >>> from datetime import datetime, timezone
        >>> now = datetime(2024, 5, 1, tzinfo=timezone.utc)
        >>> ledger = credit_hours(Ledger(), transfer_id="c", volunteer_id="V1", now=now,
        ...                       hours=Hours.from_hours(3), policy="generic").ledger
        >>> r = give(ledger, transfer_id="g-1", from_volunteer="V1", to_volunteer="V2",
        ...          hours=Hours.from_hours(1), relation="friend", now=now,
        ...          policy="cn-shanghai-2026")
        >>> r.ledger.balance("V2")
        Hours(minutes=60)
    """
    ledger = _check_ledger_arg(ledger)
    policy = _check_policy(policy)
    giver = _check_volunteer("from_volunteer", from_volunteer)
    receiver = _check_volunteer("to_volunteer", to_volunteer)
    if giver == receiver:
        raise InvalidValueError("to_volunteer", "a volunteer cannot give hours to themselves")
    if relation not in RELATIONS or relation == "self":
        raise InvalidValueError("relation", f"must be one of {RELATIONS[1:]}")
    minutes = _check_positive("hours", hours)
    transfer = LedgerTransfer(
        transfer_id=transfer_id,
        kind="give",
        legs=((giver, -minutes), (receiver, minutes)),
        at=_check_now(now),
        details=(("relation", relation),),
    )
    if (
        _retry(ledger, transfer_id) is None
        and policy.give_to is not None
        and relation not in policy.give_to
    ):
        code = "giving_not_allowed" if not policy.give_to else "relation_not_allowed"
        return LedgerResult(
            ledger=ledger,
            posted=None,
            violations=(
                PolicyViolation(
                    code=code,
                    message=f"under {policy.policy_id} hours may not be given to a {relation}",
                ),
            ),
        )
    return _post(ledger, transfer)


def donate(
    ledger: Ledger,
    *,
    transfer_id: str,
    volunteer_id: str,
    hours: Hours,
    now: _dt.datetime,
    policy: TimeBankPolicy | str,
) -> LedgerResult:
    """Donate hours to the pool (捐赠).

    Example:
        >>> from datetime import datetime, timezone
        >>> now = datetime(2024, 5, 1, tzinfo=timezone.utc)
        >>> ledger = credit_hours(Ledger(), transfer_id="c", volunteer_id="V1", now=now,
        ...                       hours=Hours.from_hours(3), policy="generic").ledger
        >>> donate(ledger, transfer_id="d", volunteer_id="V1", hours=Hours.from_hours(3),
        ...        now=now, policy="generic").ledger.balance(POOL)
        Hours(minutes=180)
    """
    ledger = _check_ledger_arg(ledger)
    policy = _check_policy(policy)
    minutes = _check_positive("hours", hours)
    transfer = LedgerTransfer(
        transfer_id=transfer_id,
        kind="donate",
        legs=((_check_volunteer("volunteer_id", volunteer_id), -minutes), (POOL, minutes)),
        at=_check_now(now),
    )
    if not policy.donation and _retry(ledger, transfer_id) is None:
        return LedgerResult(
            ledger=ledger,
            posted=None,
            violations=(
                PolicyViolation(
                    code="donation_not_allowed", message=f"{policy.policy_id} has no donation"
                ),
            ),
        )
    return _post(ledger, transfer)


def grant(
    ledger: Ledger,
    *,
    transfer_id: str,
    volunteer_id: str,
    hours: Hours,
    now: _dt.datetime,
    memo: str = "",
) -> LedgerResult:
    """Grant hours from the donation pool to someone in need.

    Raises:
        InsufficientHoursError: the pool holds less.

    Example:
        >>> from datetime import datetime, timezone
        >>> now = datetime(2024, 5, 1, tzinfo=timezone.utc)
        >>> grant(Ledger(), transfer_id="p", volunteer_id="V9", hours=Hours.from_hours(1), now=now)
        Traceback (most recent call last):
        ...
        volunteer_rules.hours.InsufficientHoursError: @pool: 1 h requested but only 0 h available
    """
    ledger = _check_ledger_arg(ledger)
    minutes = _check_positive("hours", hours)
    transfer = LedgerTransfer(
        transfer_id=transfer_id,
        kind="grant",
        legs=((POOL, -minutes), (_check_volunteer("volunteer_id", volunteer_id), minutes)),
        at=_check_now(now),
        memo=memo,
    )
    return _post(ledger, transfer)


def reverse(
    ledger: Ledger, *, transfer_id: str, reference: str, now: _dt.datetime, memo: str = ""
) -> LedgerResult:
    """Correct a mistake: post the transfer that undoes ``reference`` (nothing is edited).

    A transfer is reversed at most once; a reversal is not reversed (post the operation
    again with a new id); reservations are voided, not reversed.

    Raises:
        NotFoundError: no such transfer. ConflictError: already reversed, or
            ``transfer_id`` already holds another transfer.
        InvalidValueError: a kind that cannot be reversed.
        InsufficientHoursError: the hours to take back were spent.

    Example:
        >>> from datetime import datetime, timezone
        >>> now = datetime(2024, 5, 1, tzinfo=timezone.utc)
        >>> ledger = credit_hours(Ledger(), transfer_id="c", volunteer_id="V1", now=now,
        ...                       hours=Hours.from_hours(3), policy="generic").ledger
        >>> r = reverse(ledger, transfer_id="fix-1", reference="c", now=now, memo="wrong person")
        >>> r.ledger.balance("V1"), r.ledger.reversed_by("c")
        (Hours(minutes=0), 'fix-1')
    """
    ledger = _check_ledger_arg(ledger)
    now = _check_now(now)
    posted = _retry(ledger, transfer_id)
    if posted is not None:
        return LedgerResult(
            ledger=ledger, posted=_same_operation(posted, "reverse", reference, memo)
        )
    transfer = LedgerTransfer(
        transfer_id=transfer_id,
        kind="reverse",
        legs=ledger.reversal_legs(reference),
        at=now,
        reference=reference,
        memo=memo,
    )
    return _post(ledger, transfer)


# ------------------------------------------------------------------------------ expiry


@masked_repr
@attrs.frozen(kw_only=True)
class ExpiryResult:
    """The outcome of :func:`expire_credits`.

    Attributes:
        ledger: the new ledger.
        expired: ``(volunteer_id, hours)`` for every volunteer whose hours expired, by id.

    Example:
        >>> ExpiryResult(ledger=Ledger(), expired=()).expired
        ()
    """

    ledger: Ledger
    expired: tuple[tuple[str, Hours], ...]


def expire_credits(
    ledger: Ledger, *, now: _dt.datetime, policy: TimeBankPolicy | str
) -> ExpiryResult:
    """Take back hours older than the policy's ``credit_validity_days`` (none if not regulated).

    The rule, first in first out: every hour that came into a volunteer's account (a credit,
    a gift, a grant, a refund) is a lot dated at its transfer's time; every hour that left
    (spent, given, donated, reserved, expired) used the oldest lots first. A lot's hours
    still unused expire at ``at + credit_validity_days`` (at that instant they are expired;
    the instant before they are not). Expired hours go back to :data:`ISSUER` in one
    ``adjust`` transfer per volunteer, id ``credit-expiry:<volunteer>:<now>``, so running it
    again changes nothing.

    Raises:
        InvalidTypeError, InvalidValueError: bad arguments.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> now = datetime(2024, 5, 1, tzinfo=timezone.utc)
        >>> ledger = credit_hours(Ledger(), transfer_id="c", volunteer_id="V1", now=now,
        ...                       hours=Hours.from_hours(2), policy="generic").ledger
        >>> policy = attrs.evolve(get_time_bank_policy("generic"), credit_validity_days=365)
        >>> expire_credits(ledger, now=now + timedelta(days=364), policy=policy).expired
        ()
        >>> expire_credits(ledger, now=now + timedelta(days=365), policy=policy).expired
        (('V1', Hours(minutes=120)),)
        >>> expire_credits(ledger, now=now, policy="generic").expired  # not regulated
        ()
    """
    ledger = _check_ledger_arg(ledger)
    policy = _check_policy(policy)
    now = _check_now(now)
    days = policy.credit_validity_days
    if days is None:
        return ExpiryResult(ledger=ledger, expired=())
    validity = _dt.timedelta(days=days)
    lots: dict[str, list[list[Any]]] = {}  # account -> [[at, minutes left], ...] oldest first
    for entry in ledger.entries():
        account = entry.account
        if account in SYSTEM_ACCOUNTS:
            continue
        queue = lots.setdefault(account, [])
        if entry.minutes > 0:
            queue.append([entry.at, entry.minutes])
            continue
        need = -entry.minutes
        while need and queue:
            take = min(need, queue[0][1])
            queue[0][1] -= take
            need -= take
            if not queue[0][1]:
                queue.pop(0)
    transfers: list[LedgerTransfer] = []
    expired: list[tuple[str, Hours]] = []
    for account in sorted(lots):
        minutes = sum(left for at, left in lots[account] if at + validity <= now)
        minutes = min(minutes, ledger.balance(account).minutes)
        if minutes <= 0:
            continue
        transfers.append(
            LedgerTransfer(
                transfer_id=f"credit-expiry:{account}:{now.isoformat()}",
                kind="adjust",
                legs=((account, -minutes), (ISSUER, minutes)),
                at=now,
                memo=f"hours older than {days} days expired ({policy.policy_id})",
            )
        )
        expired.append((account, Hours.from_minutes(minutes)))
    return ExpiryResult(ledger=ledger.post_many(transfers), expired=tuple(expired))
