"""Time bank operations (时间银行): credit, redeem, give, donate, reserve, settle, void, reverse.

Every operation takes a :class:`~volunteer_rules.timebank.ledger.Ledger` and values, and returns a
:class:`LedgerResult`: the new ledger and the posted transfer, or the unchanged ledger and the
reasons the policy refuses the operation (``violations``, each with a ``code`` and a
``message``). Refusals by the *policy* (age, relation, donate-only hours) are returned; a
withdrawal above what is available raises :class:`~volunteer_rules.InsufficientHoursError`
(``available``, ``requested``), as the ledger does; misuse raises the library's errors.

Every operation has a caller-chosen ``transfer_id``, an idempotency key with the ledger's own rule:
the same call again returns the original posting and changes nothing; the id of an existing transfer
used for another operation, or for the same operation with other content (another reservation
settled, another transfer reversed, other hours), raises :class:`~volunteer_rules.ConflictError` and
changes nothing. Credits use ``credit:<organization_id>:<record_id>`` so one service record is
credited at most once, however often it is submitted.

Policies are data (:class:`TimeBankPolicy`) with their sources, like rule sets. Where a source
does not say (credit expiry, withdrawal limits, a cap in Shanghai), the policy field is
``None``, documented as "not regulated": the policy imposes nothing there, and no number is
invented. The built-in policies are ``cn-nanjing-2019``, ``cn-nanjing-gulou-2018``,
``cn-shanghai-2026`` and ``generic``.

A policy applies on the days from its ``valid_from`` to its ``valid_until`` (both inclusive):
an operation under it on another day (the local date of ``now``) is refused with
``policy_not_in_force``, and the hours already in the ledger stay there, to be spent under the
policy in force that day.

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

from volunteer_rules.timebank.beneficiaries import Beneficiary
from volunteer_rules.timebank.catalog import CatalogService, ServiceCatalog, default_catalog
from volunteer_rules.timebank.crediting import (
    CreditDecision,
    CreditResult,
    credit_hours,
    credit_records,
    credit_transfer_id,
)
from volunteer_rules.timebank.expiry import ExpiryResult, expire_credits
from volunteer_rules.timebank.gifts import donate, give, grant
from volunteer_rules.timebank.policy import (
    RELATIONS,
    TimeBankPolicy,
    get_time_bank_policy,
    time_bank_policy_ids,
)
from volunteer_rules.timebank.redemptions import redeem, reserve, settle, void
from volunteer_rules.timebank.results import LedgerResult, PolicyViolation
from volunteer_rules.timebank.reversals import reverse

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
