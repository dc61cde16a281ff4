"""Beneficiaries: who receives the service a volunteer's hours pay for, and the policy's checks.

Example:
    >>> from datetime import date
    >>> from volunteer_rules.timebank.beneficiaries import Beneficiary
    >>> Beneficiary(relation="self", birth_date=date(1950, 1, 1)).relation
    'self'
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import instance_of, one_of
from volunteer_rules.errors import (
    InvalidTypeError,
    InvalidValueError,
)
from volunteer_rules.records.profile import age_on
from volunteer_rules.timebank.policy import _WHO, RELATIONS, TimeBankPolicy
from volunteer_rules.timebank.results import PolicyViolation

__all__ = [
    "Beneficiary",
]


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

    relation: str = attrs.field(validator=one_of(RELATIONS))
    birth_date: _dt.date | None = attrs.field(default=None)
    name: str = attrs.field(default="", validator=instance_of(str))

    @birth_date.validator
    def _check_birth(self, attribute: Any, value: Any) -> None:
        if value is not None and (
            not isinstance(value, _dt.date) or isinstance(value, _dt.datetime)
        ):
            raise InvalidTypeError("birth_date", "must be a date or None")


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
    age = age_on(birth, day)
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
