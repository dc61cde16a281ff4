"""Redemptions: hours spent on catalog services, directly or reserved and then settled or voided.

Example:
    >>> from volunteer_rules.timebank.redemptions import redeem, reserve, settle, void
    >>> callable(redeem) and callable(reserve) and callable(settle) and callable(void)
    True
"""

from __future__ import annotations

import datetime as _dt

from volunteer_rules._validate import require_aware
from volunteer_rules.errors import (
    InvalidTypeError,
    InvalidValueError,
)
from volunteer_rules.hours import Hours
from volunteer_rules.timebank._operation import (
    check_ledger_arg,
    check_now,
    check_policy,
    check_volunteer,
    earlier_posting,
    post_transfer,
    refused_out_of_force,
    same_operation,
)
from volunteer_rules.timebank.beneficiaries import Beneficiary, _beneficiary_violations
from volunteer_rules.timebank.catalog import ServiceCatalog, default_catalog
from volunteer_rules.timebank.ledger import (
    HOLDS,
    REDEEMED,
    Ledger,
    LedgerTransfer,
)
from volunteer_rules.timebank.policy import TimeBankPolicy
from volunteer_rules.timebank.results import LedgerResult, PolicyViolation

__all__ = [
    "redeem",
    "reserve",
    "settle",
    "void",
]


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
        check_ledger_arg(ledger),
        check_policy(policy),
        catalog,
        check_volunteer("volunteer_id", volunteer_id),
        beneficiary,
        check_now(now),
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


def _spend(
    kind: str,
    ledger: Ledger,
    *,
    transfer_id: str,
    volunteer_id: str,
    service_id: str,
    now: _dt.datetime,
    expires_at: _dt.datetime | None,
    policy: TimeBankPolicy | str,
    catalog: ServiceCatalog | None,
    quantity: int,
    beneficiary: Beneficiary | None,
    volunteer_birth_date: _dt.date | None,
    hardship: bool,
) -> LedgerResult:
    """:func:`redeem` (``kind="redeem"``) or :func:`reserve` (``"reserve"``): the one procedure.

    The price goes from the volunteer to ``REDEEMED`` or, held until ``expires_at``, to
    ``HOLDS``. A transfer id the ledger already holds goes to the ledger again (its rule for a
    repeated id answers), without judging the policy a second time. Under a policy not in force
    on the local date of ``now`` nothing else is judged: the result is ``policy_not_in_force``.
    """
    posted = earlier_posting(ledger, transfer_id) if isinstance(ledger, Ledger) else None
    ledger_, policy_, catalog_, volunteer, who, now, hard, birth = _spend_args(
        ledger, policy, catalog, volunteer_id, beneficiary, now, hardship, volunteer_birth_date
    )
    price = catalog_.price(service_id, quantity)
    if kind == "reserve":
        require_aware(expires_at, "expires_at")
    transfer = LedgerTransfer(
        transfer_id=transfer_id,
        kind=kind,
        legs=(
            (volunteer, -price.minutes),
            (HOLDS if kind == "reserve" else REDEEMED, price.minutes),
        ),
        at=now,
        expires_at=expires_at,
        details=_details(service_id, quantity, who),
    )
    if posted is not None:
        return post_transfer(ledger_, transfer)
    what = "reservation on" if kind == "reserve" else "redemption on"
    refused = refused_out_of_force(ledger_, transfer_id, policy_, now, what)
    if refused is not None:
        return refused
    violations = _redemption_violations(
        policy_, catalog_, service_id, price, who, birth, hard, now.date()
    )
    if violations:
        return LedgerResult(ledger=ledger_, posted=None, violations=tuple(violations))
    return post_transfer(ledger_, transfer)


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
    ``violations``. The price is :meth:`ServiceCatalog.price`. A policy not in force on the
    local date of ``now`` (before ``valid_from``, after ``valid_until``) decides nothing: the
    redemption is refused with ``policy_not_in_force``, and the hours stay in the account, to be
    spent under the policy that applies that day.

    Raises:
        InsufficientHoursError: the price is more than the volunteer has available.
        NotFoundError: no such service. ConflictError: the id was used for another operation.

    Example:
        >>> from volunteer_rules.timebank.operations import credit_hours
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
        >>> r = redeem(ledger, transfer_id="x-2", volunteer_id="V1", service_id="home_visit",
        ...            now=now, policy="cn-shanghai-2026", volunteer_birth_date=date(1950, 1, 1))
        >>> r.violations[0].message
        'redemption on 2024-05-01: cn-shanghai-2026 applies only from 2026-01-12'
    """
    return _spend(
        "redeem",
        ledger,
        transfer_id=transfer_id,
        volunteer_id=volunteer_id,
        service_id=service_id,
        now=now,
        expires_at=None,
        policy=policy,
        catalog=catalog,
        quantity=quantity,
        beneficiary=beneficiary,
        volunteer_birth_date=volunteer_birth_date,
        hardship=hardship,
    )


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
    :mod:`volunteer_rules.timebank.ledger`). The same checks as :func:`redeem` apply, the
    policy's dates among them, on the day of the booking: :func:`settle` and :func:`void` take
    no policy, so a booking made while the policy applied is settled or voided after it ends.

    Example:
        >>> from volunteer_rules.timebank.operations import credit_hours
        >>> from datetime import datetime, timedelta, timezone
        >>> now = datetime(2024, 5, 1, tzinfo=timezone.utc)
        >>> ledger = credit_hours(Ledger(), transfer_id="c", volunteer_id="V1", now=now,
        ...                       hours=Hours.from_hours(3), policy="generic").ledger
        >>> r = reserve(ledger, transfer_id="b-1", volunteer_id="V1", service_id="home_visit",
        ...             now=now, expires_at=now + timedelta(days=1), policy="generic")
        >>> r.ledger.available("V1", now=now), r.ledger.available("V1", now=now + timedelta(days=1))
        (Hours(minutes=120), Hours(minutes=180))
    """
    return _spend(
        "reserve",
        ledger,
        transfer_id=transfer_id,
        volunteer_id=volunteer_id,
        service_id=service_id,
        now=now,
        expires_at=expires_at,
        policy=policy,
        catalog=catalog,
        quantity=quantity,
        beneficiary=beneficiary,
        volunteer_birth_date=volunteer_birth_date,
        hardship=hardship,
    )


def _settle_or_void(
    kind: str, ledger: Ledger, transfer_id: str, reservation_id: str, now: _dt.datetime
) -> LedgerResult:
    ledger = check_ledger_arg(ledger)
    now = check_now(now)
    posted = earlier_posting(ledger, transfer_id)
    if posted is not None:
        return LedgerResult(ledger=ledger, posted=same_operation(posted, kind, reservation_id))
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
    return post_transfer(ledger, transfer)


def settle(
    ledger: Ledger, *, transfer_id: str, reservation_id: str, now: _dt.datetime
) -> LedgerResult:
    """The booked service was given: the held hours are spent.

    Raises:
        NotFoundError: no such reservation. ConflictError: it is no longer open (settled,
            voided, or expired: a reservation is open while ``now < expires_at``), or
            ``transfer_id`` already holds another transfer.

    Example:
        >>> from volunteer_rules.timebank.operations import credit_hours
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
        >>> from volunteer_rules.timebank.operations import credit_hours
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
