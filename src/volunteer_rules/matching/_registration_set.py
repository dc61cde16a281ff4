"""The registration rule set as a value: :class:`RegistrationRules`, its ages and its dates.

:mod:`volunteer_rules.matching.registration_rules` holds the built-in rule sets and their
registry and re-exports every public name here.

The conditions every rule set shares (a child's data, entry by an organization) apply from the
day their source took effect (:data:`CHILD_DATA_FROM`, :data:`ENTRY_CONSENT_FROM`), whatever
the rule set's own dates.

Example:
    >>> ADULT_AGE, CHILD_DATA_AGE
    (18, 14)
    >>> CHILD_DATA_FROM.isoformat(), ENTRY_CONSENT_FROM.isoformat()
    ('2021-11-01', '2021-02-01')
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import Any, Final

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import require_date, require_iterable, within_days
from volunteer_rules.errors import RuleSetError
from volunteer_rules.rules.rule_set import Reference

__all__ = [
    "ADULT_AGE",
    "CHILD_DATA_AGE",
    "CHILD_DATA_FROM",
    "ENTRY_CONSENT_FROM",
    "RegistrationRules",
    "cite",
]


ADULT_AGE: Final = 18
"""Full civil capacity at 18 [CIVIL Art 17]."""

CHILD_DATA_AGE: Final = 14
"""A child under this age has sensitive personal data needing guardian consent [PIPL 28, 31]."""

CHILD_DATA_FROM: Final = _dt.date(2021, 11, 1)
"""The first day a child's data needs the guardian's consent: the Personal Information
Protection Law, adopted 2021-08-20, is in force from 2021-11-01 [PIPL Art 74]."""

ENTRY_CONSENT_FROM: Final = _dt.date(2021, 2, 1)
"""The first day an organization needs the volunteer's consent to enter the basic information:
MCA Order 67 is in force from 2021-02-01 [MCA2020]. The 2012 rules it replaced asked consent
only to add personal data beyond the basic information [MCA2012-a Art 6]."""


def cite(reference: Reference) -> str:
    """A reference as it appears in a reason's ``source``: ``[KEY Art n]``.

    Example:
        >>> cite(Reference(key="PIPL", document="个人信息保护法", article="Art 31"))
        '[PIPL Art 31]'
    """
    return f"[{reference.key} {reference.article}]" if reference.article else f"[{reference.key}]"


def _check_age(instance: RegistrationRules, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None and attribute.name in (
        "minimum_age",
        "guardian_consent_below",
        "self_supporting_from",
    ):
        return
    if type(value) is not int or not 0 <= value <= 150:
        raise RuleSetError(
            str(getattr(instance, "id", "")), f"{attribute.name} must be an int from 0 to 150"
        )


def _frozen_names(value: Iterable[str]) -> frozenset[str]:
    return frozenset(require_iterable(value, "categories", "must be a collection of names"))


def _references(value: Iterable[Reference]) -> tuple[Reference, ...]:
    return tuple(require_iterable(value, "references", "must be an iterable of Reference"))


def _check_day(instance: RegistrationRules, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and type(value) is not _dt.date:
        raise RuleSetError(
            str(getattr(instance, "id", "")), f"{attribute.name} must be a date or None"
        )


@masked_repr
@attrs.frozen(kw_only=True)
class RegistrationRules:
    """A registration rule set: who may register, with whose consent, under which sources.

    Ages are whole years on the day (:func:`volunteer_rules.records.profile.age_on`); every bound is
    "younger than": ``minimum_age=14`` refuses 13-year-olds and admits on the 14th birthday.

    Attributes:
        id: stable id (``cn-cyl``).
        name: English name.
        name_zh: Chinese name.
        minimum_age: refused when younger (``below_minimum_age``); ``None`` for no minimum.
        guardian_consent_below: the guardian must consent when younger than this
            (``guardian_consent_missing``); ``None`` when the source says nothing.
        self_supporting_from: a self-supporting volunteer this old or older needs no consent
            [CIVIL Art 18]; ``None`` when the rule set has no such exception.
        accompaniment_suffices: whether a guardian accompanying the minor on the task may take
            the place of consent; then registration does not ask for consent, and each task
            asks for consent or a demand on which a guardian accompanies.
        minors_barred_categories: service categories no minor may serve in (disaster relief).
        child_data_age: a child younger than this needs the guardian's consent to the
            processing of their data (``child_data_consent_missing``) [PIPL Art 31].
        child_data_from: the first day that condition applies, inclusive (the day its source
            took effect, :data:`CHILD_DATA_FROM`); ``None``: on every day.
        organization_entry_needs_consent: an organization entering the basic information
            needs the volunteer's consent (``entry_consent_missing``) [MCA2020 Art 6].
        entry_consent_from: the first day that condition applies, inclusive
            (:data:`ENTRY_CONSENT_FROM`); ``None``: on every day.
        references: the sources; the first one's ``note`` says where the dates in force
            come from, or that no source gives them.
        valid_from: the first day the rule set is in force, inclusive; ``None``: from the
            start.
        valid_until: the last day it is in force, inclusive; ``None``: with no end.

    Raises:
        RuleSetError: an age outside 0..150, bounds that contradict each other, or dates in
            force that are not dates or end before they start.

    Example:
        >>> from volunteer_rules.matching.registration_rules import get_registration_rules
        >>> rules = get_registration_rules("cn-cyl")
        >>> rules.minimum_age, rules.guardian_consent_below, rules.self_supporting_from
        (14, 18, 16)
        >>> get_registration_rules("cn-zhejiang").valid_from
        datetime.date(2018, 9, 1)
        >>> RegistrationRules(id="x", name="x", name_zh="x", minimum_age=200)
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.RuleSetError: rule set x: minimum_age must be an int from 0 to 150
    """

    id: str
    name: str
    name_zh: str
    minimum_age: int | None = attrs.field(default=None, validator=_check_age)
    guardian_consent_below: int | None = attrs.field(default=None, validator=_check_age)
    self_supporting_from: int | None = attrs.field(default=None, validator=_check_age)
    accompaniment_suffices: bool = False
    minors_barred_categories: frozenset[str] = attrs.field(
        default=frozenset(), converter=_frozen_names
    )
    child_data_age: int = attrs.field(default=CHILD_DATA_AGE, validator=_check_age)
    child_data_from: _dt.date | None = attrs.field(default=CHILD_DATA_FROM, validator=_check_day)
    organization_entry_needs_consent: bool = True
    entry_consent_from: _dt.date | None = attrs.field(
        default=ENTRY_CONSENT_FROM, validator=_check_day
    )
    references: tuple[Reference, ...] = attrs.field(default=(), converter=_references)
    valid_from: _dt.date | None = attrs.field(default=None, validator=_check_day)
    valid_until: _dt.date | None = attrs.field(default=None, validator=_check_day)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise RuleSetError("", "id must be a non-empty string")
        if self.self_supporting_from is not None and self.guardian_consent_below is None:
            raise RuleSetError(self.id, "self_supporting_from needs guardian_consent_below")
        if (
            self.valid_from is not None
            and self.valid_until is not None
            and self.valid_until < self.valid_from
        ):
            raise RuleSetError(self.id, "valid_until must not be before valid_from")

    @property
    def dated(self) -> bool:
        """Whether the rule set has a first or a last day in force.

        Example:
            >>> from volunteer_rules.matching.registration_rules import get_registration_rules
            >>> get_registration_rules("cn-ningbo").dated, get_registration_rules("cn-national").dated
            (True, False)
        """
        return self.valid_from is not None or self.valid_until is not None

    def in_force_on(self, day: _dt.date) -> bool:
        """Whether the rule set is in force on ``day`` (both bounds inclusive).

        Raises:
            InvalidTypeError: ``day`` is not a date.

        Example:
            >>> from datetime import date
            >>> from volunteer_rules.matching.registration_rules import get_registration_rules
            >>> chongqing = get_registration_rules("cn-chongqing")
            >>> chongqing.in_force_on(date(2015, 9, 30)), chongqing.in_force_on(date(2015, 10, 1))
            (False, True)
        """
        return within_days(require_date(day, "day"), self.valid_from, self.valid_until)

    def asks_child_data_consent(self, day: _dt.date) -> bool:
        """Whether a child's data needs the guardian's consent on ``day``.

        From ``child_data_from`` on, inclusive; on every day if it is ``None``.

        Raises:
            InvalidTypeError: ``day`` is not a date.

        Example:
            >>> from datetime import date
            >>> from volunteer_rules.matching.registration_rules import get_registration_rules
            >>> rules = get_registration_rules("cn-national")
            >>> rules.asks_child_data_consent(date(2021, 10, 31)), rules.asks_child_data_consent(
            ...     date(2021, 11, 1))
            (False, True)
        """
        return within_days(require_date(day, "day"), self.child_data_from, None)

    def asks_entry_consent(self, day: _dt.date) -> bool:
        """Whether an organization needs the volunteer's consent to enter data on ``day``.

        Only where ``organization_entry_needs_consent``, and then from ``entry_consent_from``
        on, inclusive; on every day if it is ``None``.

        Raises:
            InvalidTypeError: ``day`` is not a date.

        Example:
            >>> from datetime import date
            >>> from volunteer_rules.matching.registration_rules import get_registration_rules
            >>> rules = get_registration_rules("cn-national")
            >>> rules.asks_entry_consent(date(2021, 1, 31)), rules.asks_entry_consent(
            ...     date(2021, 2, 1))
            (False, True)
        """
        day = require_date(day, "day")
        return self.organization_entry_needs_consent and within_days(
            day, self.entry_consent_from, None
        )

    def not_in_force_reason(self, day: _dt.date) -> str | None:
        """Why the rule set is not in force on ``day``, or ``None`` when it is.

        Example:
            >>> from datetime import date
            >>> from volunteer_rules.matching.registration_rules import get_registration_rules
            >>> print(get_registration_rules("cn-henan").not_in_force_reason(date(2019, 2, 28)))
            cn-henan was not yet in force on 2019-02-28: it applies from 2019-03-01
        """
        if self.in_force_on(day):
            return None
        if self.valid_from is not None and day < self.valid_from:
            return (
                f"{self.id} was not yet in force on {day.isoformat()}: it applies from"
                f" {self.valid_from.isoformat()}"
            )
        return (
            f"{self.id} was no longer in force on {day.isoformat()}: it applied until"
            f" {self.valid_until}"
        )

    def source(self, *keys: str) -> str:
        """The references among this rule set's whose key is one of ``keys``, as one string.

        Example:
            >>> from volunteer_rules.matching.registration_rules import get_registration_rules
            >>> get_registration_rules("cn-cyl").source("CIVIL")
            '[CIVIL Art 18]'
        """
        return " ".join(cite(r) for r in self.references if r.key in keys)
