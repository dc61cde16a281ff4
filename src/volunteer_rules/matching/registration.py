"""Who may register as a volunteer: age, guardian consent and consent to data entry.

Registration eligibility is rule-set data (:class:`RegistrationRules`), one built-in rule set
per source, each with its references. :func:`check_registration` applies one to a volunteer's
profile on a given day and returns every unmet condition as a :class:`Reason` (a value with a
``code`` and a ``message``), never an exception.

What the rules say, and where (keys of ``docs/sources.md``):

* No national minimum age. The State Council's 志愿服务条例 has no minimum age and no
  guardian-consent clause; tasks must suit the volunteer's age, knowledge, skills and health
  [REG2017 Art 15]. That suitability is the demand's business (its minimum age, its
  minors-barred flag), see :mod:`volunteer_rules.matching.assignment`.
* Communist Youth League: under 14 refused; 14 to 17 only with a legal representative's
  consent, unless 16 or older and living on their own earnings, who count as adults
  [CYL; CIVIL Art 18]. Beijing: from 14, guardian consent under 18 [BJ-old].
* Shanghai: minors need guardian consent [SH Art 13]. Zhejiang, Shandong, Henan, Ningbo,
  Tai'an and Chongqing: minors serve with guardian consent *or accompaniment*
  [ZJ Art 9; SD Art 10; HN Art 8; NB Art 10; TA; CQ Art 9]; Zhejiang, Shandong, Ningbo and
  Tai'an also bar minors from disaster relief (抢险救灾), the ``emergency_rescue`` category.
* Everywhere, from the day its source took effect: the personal data of a child under 14 is
  sensitive and is processed only with a parent's or guardian's consent, from 2021-11-01
  [PIPL Art 28, Art 31, Art 74]; an organization enters a volunteer's basic information only
  with the volunteer's consent, from 2021-02-01 [MCA2020 Art 6]. The 2012 rules before it
  asked consent only to add personal data beyond the basic information [MCA2012-a Art 6].

Age is counted in whole years from the birth date (a profile's birth date always agrees with
its resident ID's): a person turns ``n`` on their birthday, and someone born on 29 February
turns ``n`` on 1 March in a year without one (:func:`volunteer_rules.records.profile.age_on`).

The rule sets themselves (:class:`RegistrationRules`, the built-in ones, their registry and
region bindings, and the functions that look them up) are defined in
:mod:`volunteer_rules.matching.registration_rules` and re-exported here.

Example:
    >>> from datetime import date
    >>> from volunteer_rules.matching.registration import check_registration, get_registration_rules
    >>> from volunteer_rules.testing.matching_examples import sample_profile
    >>> teen = sample_profile(birth_date=date(2010, 5, 1))
    >>> [r.code for r in check_registration(teen, rules="cn-cyl", as_of=date(2024, 5, 1))]
    ['guardian_consent_missing']
    >>> [r.code for r in check_registration(teen, rules="cn-cyl", as_of=date(2024, 4, 30))]
    ['below_minimum_age', 'guardian_consent_missing', 'child_data_consent_missing']
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from typing import Final, Literal

import attrs

from volunteer_rules._privacy import masked_repr
from volunteer_rules._validate import require_date
from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.matching.registration_rules import (
    ADULT_AGE,
    CHILD_DATA_AGE,
    CHILD_DATA_FROM,
    DEFAULT_REGISTRATION_REGISTRY,
    ENTRY_CONSENT_FROM,
    REGISTRATION_BINDINGS,
    RegistrationRegistry,
    RegistrationRules,
    cite,
    get_registration_rules,
    registration_rule_set_ids,
    registration_rules_for_region,
)
from volunteer_rules.matching.registration_rules import BUILT_IN as BUILT_IN
from volunteer_rules.records.profile import VolunteerProfile, age_on

__all__ = [
    "ADULT_AGE",
    "CHILD_DATA_AGE",
    "CHILD_DATA_FROM",
    "DEFAULT_REGISTRATION_REGISTRY",
    "ENTRY_CONSENT_FROM",
    "REGISTRATION_BINDINGS",
    "REGISTRATION_CODES",
    "Reason",
    "RegistrationRegistry",
    "RegistrationRules",
    "check_registration",
    "cite",
    "get_registration_rules",
    "registration_rule_set_ids",
    "registration_rules_for_region",
]

REGISTRATION_CODES: Final[Mapping[str, str]] = {
    "below_minimum_age": "younger than the rule set's minimum age on the day",
    "guardian_consent_missing": "a minor without the guardian's consent where it is needed",
    "child_data_consent_missing": "a child under 14 without the guardian's consent to data use",
    "entry_consent_missing": "an organization entered the basic information without consent",
}
"""The codes :func:`check_registration` returns, with what each means."""

EnteredBy = Literal["volunteer", "organization"]

_SHARED: Final = frozenset({"PIPL", "MCA2020", "MCA2012-a"})
"""The keys of the references every built-in rule set shares: not the source of a guardian's
consent to serving."""


@masked_repr
@attrs.frozen(kw_only=True)
class Reason:
    """One unmet condition: a stable ``code``, a sentence, and the rule's source.

    Attributes:
        code: a stable code (:data:`REGISTRATION_CODES`; assignments add theirs).
        message: one sentence a coordinator can act on (never a full ID number).
        source: the references behind the rule, such as ``"[CYL] [CIVIL Art 18]"``.
        slot: the index of the demand's time slot it concerns, or ``None`` for all.

    Example:
        >>> Reason(code="skill_missing", message="lacks first_aid").code
        'skill_missing'
    """

    code: str
    message: str
    source: str = ""
    slot: int | None = None


def check_registration(
    profile: VolunteerProfile,
    *,
    rules: RegistrationRules | str,
    as_of: _dt.date,
    entered_by: EnteredBy = "volunteer",
) -> tuple[Reason, ...]:
    """Every condition of ``rules`` the volunteer does not meet on ``as_of``; empty if none.

    Conditions, in this order (the codes of :data:`REGISTRATION_CODES`):

    1. ``below_minimum_age``: younger than ``rules.minimum_age`` on ``as_of``.
    2. ``guardian_consent_missing``: younger than ``rules.guardian_consent_below``, not
       self-supporting at ``rules.self_supporting_from`` or older, and no ``guardian``
       consent (not asked at registration where accompaniment may take its place).
    3. ``child_data_consent_missing``: younger than ``rules.child_data_age`` (14) and no
       ``guardian_data`` consent [PIPL Art 31], from ``rules.child_data_from`` (2021-11-01,
       the day the law took effect) on.
    4. ``entry_consent_missing``: ``entered_by="organization"`` and no ``basic_info_entry``
       consent [MCA2020 Art 6], from ``rules.entry_consent_from`` (2021-02-01) on.

    Args:
        profile: the volunteer's basic information.
        rules: a rule set or the id of a registered one, in force on ``as_of``; the one of a
            region on the day is ``registration_rules_for_region(region, as_of=as_of)``.
        as_of: the day of registration (ages are counted on it).
        entered_by: who entered the basic information.

    Raises:
        UnknownRuleSetError: ``rules`` is an id no rule set is registered under.
        InvalidValueError: ``rules`` is not in force on ``as_of`` (its source had not yet
            taken effect, or had ended).
        InvalidTypeError: a wrong type for any argument.

    Example:
        >>> from datetime import date
        >>> from volunteer_rules.testing.matching_examples import sample_profile
        >>> adult = sample_profile(birth_date=date(1990, 1, 1), consents=())
        >>> check_registration(adult, rules="cn-national", as_of=date(2024, 1, 1))
        ()
        >>> [r.code for r in check_registration(
        ...     adult, rules="cn-national", as_of=date(2024, 1, 1), entered_by="organization")]
        ['entry_consent_missing']
        >>> check_registration(  # before MCA Order 67 took effect
        ...     adult, rules="cn-national", as_of=date(2021, 1, 31), entered_by="organization")
        ()
        >>> check_registration(adult, rules="cn-shandong", as_of=date(2021, 12, 31))
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.InvalidValueError: rules: cn-shandong was not yet in force on 2021-12-31: it applies from 2022-01-01
    """
    _check_profile(profile)
    day = require_date(as_of, "as_of")
    rule_set = _rules(rules, day)
    if entered_by not in ("volunteer", "organization"):
        raise InvalidValueError("entered_by", "must be 'volunteer' or 'organization'")
    age = age_on(profile.birth_date, day)
    child_data = rule_set.asks_child_data_consent(day)
    reasons = list(
        personal_reasons(profile, rule_set, age, accompanied=True, child_data=child_data)
    )
    if (
        entered_by == "organization"
        and rule_set.asks_entry_consent(day)
        and ("basic_info_entry" not in profile.consents)
    ):
        reasons.append(
            Reason(
                code="entry_consent_missing",
                message="an organization entered the basic information without the "
                "volunteer's consent (basic_info_entry)",
                source=rule_set.source("MCA2020"),
            )
        )
    return tuple(reasons)


def personal_reasons(
    profile: VolunteerProfile,
    rules: RegistrationRules,
    age: int,
    *,
    accompanied: bool,
    slot: int | None = None,
    child_data: bool = True,
) -> Iterable[Reason]:
    """The age and consent conditions of ``rules`` for a volunteer ``age`` years old.

    ``accompanied`` tells whether a guardian accompanies (registration passes ``True``: where
    accompaniment suffices, registration asks no consent; a task asks it unless the demand has
    a guardian accompany). ``child_data`` tells whether the child-data condition applies
    (registration passes :meth:`RegistrationRules.asks_child_data_consent` on its day). Used by
    :func:`check_registration` and by the task checks.

    Example:
        >>> from volunteer_rules.testing.matching_examples import sample_profile
        >>> rules = get_registration_rules("cn-zhejiang")
        >>> [r.code for r in personal_reasons(sample_profile(consents=()), rules, 15,
        ...                                   accompanied=False)]
        ['guardian_consent_missing']
    """
    consents = profile.consents
    if rules.minimum_age is not None and age < rules.minimum_age:
        yield Reason(
            code="below_minimum_age",
            message=f"aged {age}; {rules.id} admits volunteers from {rules.minimum_age}",
            source=rules.source("CYL", "BJ-old"),
            slot=slot,
        )
    below = rules.guardian_consent_below
    if below is not None and age < below and "guardian" not in consents:
        exempt = (
            rules.self_supporting_from is not None
            and age >= rules.self_supporting_from
            and profile.self_supporting
        )
        waived = rules.accompaniment_suffices and accompanied
        if not exempt and not waived:
            also = " or accompaniment" if rules.accompaniment_suffices else ""
            yield Reason(
                code="guardian_consent_missing",
                message=f"aged {age}; under {below} a volunteer needs the guardian's "
                f"consent{also} under {rules.id}",
                source=" ".join(cite(r) for r in rules.references if r.key not in _SHARED),
                slot=slot,
            )
    if child_data and age < rules.child_data_age and "guardian_data" not in consents:
        yield Reason(
            code="child_data_consent_missing",
            message=f"aged {age}; the data of a child under {rules.child_data_age} is "
            "processed only with the guardian's consent (guardian_data)",
            source=rules.source("PIPL"),
            slot=slot,
        )


def _check_profile(profile: object) -> None:
    if not isinstance(profile, VolunteerProfile):
        raise InvalidTypeError(
            "profile", f"must be a VolunteerProfile, not {type(profile).__name__}"
        )


def _rules(rules: object, day: _dt.date) -> RegistrationRules:
    """The rule set ``rules`` names, which must be in force on ``day``."""
    if isinstance(rules, RegistrationRules):
        found = rules
    elif isinstance(rules, str):
        found = DEFAULT_REGISTRATION_REGISTRY.get(rules)
    else:
        raise InvalidTypeError(
            "rules", f"must be a RegistrationRules or a rule set id, not {type(rules).__name__}"
        )
    why = found.not_in_force_reason(day)
    if why is not None:
        raise InvalidValueError("rules", why)
    return found
