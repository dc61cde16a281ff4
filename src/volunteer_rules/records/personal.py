"""Personal data in a volunteer's record: masking document numbers and contacts, age on a day.

Example:
    >>> from datetime import date
    >>> mask_contact("13800138000"), age_on(date(1949, 12, 31), date(2024, 12, 31))
    ('138****8000', 75)
"""

from __future__ import annotations

import datetime as _dt
from typing import Literal

from volunteer_rules._privacy import mask_contact_text, mask_resident_id
from volunteer_rules._validate import require_date
from volunteer_rules.errors import (
    InvalidTypeError,
    InvalidValueError,
)

__all__ = [
    "age_on",
    "mask_contact",
    "mask_document_number",
]


# --- small values --------------------------------------------------------------------------


def mask_document_number(kind: str, number: str) -> str:
    """An ID-document number with everything that identifies the holder replaced by ``*``.

    A resident ID keeps its six region digits and its check character
    (:meth:`ResidentId.masked`); any other number keeps its first and last character when it
    has at least six, and is all stars otherwise. The length is kept.

    Example:
        >>> mask_document_number("resident_id", "11010519491231002X")
        '110105***********X'
        >>> mask_document_number("passport", "E12345678"), mask_document_number("other", "12345")
        ('E*******8', '*****')
    """
    if not isinstance(kind, str) or not isinstance(number, str):
        raise InvalidTypeError("number", "kind and number must be strings")
    if kind == "resident_id" and len(number) == 18:
        return mask_resident_id(number)
    if len(number) >= 6:
        return number[0] + "*" * (len(number) - 2) + number[-1]
    return "*" * len(number)


def mask_contact(contact: str) -> str:
    """A contact (phone number or e-mail address) with its middle replaced by ``*``.

    Rules (a mobile number shows 7 of its 11 digits, never the middle four):

    - an e-mail address (``local@domain``) keeps the first character of the local part and
      the domain: ``z***@example.org``;
    - anything else of 11 characters or more keeps the first 3 and the last 4, the usual
      masking of a mainland mobile number (``138****8000``);
    - 7 to 10 characters keep the first 2 and the last 2;
    - shorter contacts are all stars.

    The rule is written once, in the library's masking module, and also masks the contacts
    that ``repr`` of the library's values finds in free text.

    Example:
        >>> mask_contact("13800138000"), mask_contact("zhang.san@example.org")
        ('138****8000', 'z***@example.org')
        >>> mask_contact("0427-2812345"), mask_contact("12345")
        ('042*****2345', '*****')
    """
    if not isinstance(contact, str):
        raise InvalidTypeError("contact", f"must be a string, not {type(contact).__name__}")
    return mask_contact_text(contact)


def age_on(
    birth_date: _dt.date,
    day: _dt.date,
    *,
    convention: Literal["birthday", "day_after_birthday"] = "birthday",
) -> int:
    """Age in whole years (周岁) on ``day`` of a person born on ``birth_date``.

    Rule (the default, ``convention="birthday"``): a person turns ``n`` on their ``n``-th
    birthday, so the day before it they are ``n - 1``. Someone born on 29 February turns
    ``n`` on 29 February in a leap year and on **1 March** in a common year: the year has
    no 29 February, and the person has not completed ``n`` years on 28 February. This is the
    everyday count that the registration rules (CYL, provincial rules; docs/sources.md,
    §4, §9) speak in, and the one the library's rule sets use.

    ``convention="day_after_birthday"`` counts as the Supreme People's Court does for
    criminal responsibility (法释〔2006〕1号 Art. 2: 周岁 "从周岁生日的第二天起算", from the
    day after the birthday), consistent with the Civil Code's period rules (Arts. 201–202: a
    period starts the next day and ends on the corresponding day, or the month's last day if
    there is none). A person then turns ``n`` the day after their ``n``-th birthday; someone
    born on 29 February turns ``n`` on 1 March in every year. Choose it where a rule says so.

    Args:
        birth_date: the birth date (a ``date``, not a ``datetime``).
        day: the day the age is counted on; not before ``birth_date``.
        convention: ``"birthday"`` (default) or ``"day_after_birthday"``.

    Returns:
        The age in completed years.

    Raises:
        InvalidTypeError: a ``datetime`` or a non-date.
        InvalidValueError: ``day`` before ``birth_date``, or an unknown convention.

    Example:
        >>> from datetime import date
        >>> age_on(date(2006, 5, 1), date(2024, 4, 30)), age_on(date(2006, 5, 1), date(2024, 5, 1))
        (17, 18)
        >>> leapling = date(2008, 2, 29)
        >>> age_on(leapling, date(2026, 2, 28)), age_on(leapling, date(2026, 3, 1))
        (17, 18)
        >>> age_on(leapling, date(2024, 2, 29)), age_on(leapling, date(2024, 2, 29), convention="day_after_birthday")
        (16, 15)
    """
    require_date(birth_date, "birth_date")
    require_date(day, "day")
    if day < birth_date:
        raise InvalidValueError("day", "is before the birth date")
    years = day.year - birth_date.year
    if convention == "birthday":
        if (day.month, day.day) < (birth_date.month, birth_date.day):
            years -= 1
        return years
    if convention == "day_after_birthday":
        if day <= _corresponding_day(birth_date, day.year):
            years -= 1
        return years
    raise InvalidValueError("convention", "must be 'birthday' or 'day_after_birthday'")


def _corresponding_day(birth_date: _dt.date, year: int) -> _dt.date:
    try:
        return birth_date.replace(year=year)
    except ValueError:  # 29 February in a common year: the month's last day (Civil Code Art. 202)
        return _dt.date(year, 2, 28)
