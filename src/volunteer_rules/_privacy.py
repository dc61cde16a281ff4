"""The one masking function for resident ID numbers, used by every output of the library.

A resident identity card number (公民身份号码, GB 11643) is personal information; the
Volunteer Service Regulations (Art. 20), MCA Order 67 (Art. 16) and the Personal Information
Protection Law (PIPL Art. 28: an ID number is sensitive personal information) keep it out of
what people read. Ids are opaque to the library, and an organization could (wrongly) use an ID
number as a volunteer id, a record id or a file name; so everything the library shows a person
(error messages, ``repr`` of its values, every line the command line prints) passes through
:func:`mask_identity_numbers`, which masks whatever has the shape of an ID number, declared as
one or not.

The shape: six digits (the region), then a birth date and a three-digit sequence; the
second-generation number (18 characters) has a four-digit year from 1800 to 2099 and a check
character (a digit or ``X``), the first-generation one (15 digits, 1984-2004) a two-digit year
and no check character. Month ``01``-``12`` and day ``01``-``31`` are required; the check
character is not verified (a mistyped number is as personal as a correct one). A longer run of
digits is not an ID number and is left alone; so are credit codes (letters in them) and the
all-digit organization codes whose date part cannot be a date.

Example:
    >>> mask_identity_numbers("V 11010519491231002X, old 110105491231002, org 512111005000000154")
    'V 110105***********X, old 110105********2, org 512111005000000154'
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["looks_like_identity_number", "mask_identity_numbers"]

_IDENTITY_NUMBER: Final = re.compile(
    r"(?<![0-9])([0-9]{6})"
    r"(?:(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]"
    r"|[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3})"
    r"(?![0-9Xx])",
)


def _masked(match: re.Match[str]) -> str:
    found = match.group()
    return match.group(1) + "*" * (len(found) - 7) + found[-1]


def mask_identity_numbers(text: str) -> str:
    """Mask everything in ``text`` shaped like a resident ID number (18 or 15 characters).

    The first six characters (the region) and the last one stay; the others become ``*``, so a
    masked number never matches again (masking twice changes nothing).

    Args:
        text: any text.

    Returns:
        The text with every ID-shaped number masked.

    Example:
        >>> mask_identity_numbers("record 11010519491231002X of 512111005000000154")
        'record 110105***********X of 512111005000000154'
        >>> mask_identity_numbers(mask_identity_numbers("110105491231002"))
        '110105********2'
    """
    if len(text) < 15:
        return text
    return _IDENTITY_NUMBER.sub(_masked, text)


def looks_like_identity_number(text: str) -> bool:
    """Whether ``text`` as a whole has the shape of a resident ID number (18 or 15 characters).

    Example:
        >>> looks_like_identity_number("11010519491231002X"), looks_like_identity_number("V0001")
        (True, False)
    """
    return _IDENTITY_NUMBER.fullmatch(text) is not None
