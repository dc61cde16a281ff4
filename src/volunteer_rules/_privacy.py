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
second-generation number (18 characters) has a four-digit year from 1800 on (the years
``ResidentId`` accepts) and a check character (a digit or ``X``), the first-generation one (15
digits, 1984-2004) a two-digit year and no check character. Month ``01``-``12`` and day
``01``-``31`` are required; the check character is not verified (a mistyped number is as personal as
a correct one). A longer run of digits is not an ID number and is left alone; so are credit codes
(letters in them) and the all-digit organization codes whose date part cannot be a date. Letters
against a number are no reason to leave it whole (``V11010519491231002X``, ``V13812345678``), but a
hexadecimal digest or a UUID is shown whole whatever digits fell into it by chance (see
``_in_a_digest``).

Contacts are personal information too (PIPL Art. 4). :func:`mask_contact_text` is the one rule
for masking a contact (the public ``volunteer_rules.records.mask_contact`` is it), and
:func:`mask_personal_data` masks ID numbers and the contacts found in free text (mainland mobile
numbers, after the country code ``+86``, ``0086`` or ``86`` too, and e-mail addresses). A
number typed in full-width digits (an input method's full-width mode) is found as the same
number in ASCII and masked as typed: ``１３８****５６７８``. :data:`MOBILE_NUMBER_PATTERN` is the
library's one definition of a mobile number: the masking finds it in a text, and
:func:`looks_like_mobile_number` matches it whole (the record format refuses a volunteer id
that is one, as it refuses one shaped like an ID number). :func:`masked_repr` makes a class's
``repr`` pass through
:func:`mask_personal_data`: every public value of the library that can hold an id, a name or
other text a person typed has it, so that an ID number used (wrongly) as an id, or a phone
number written into a record's text, never shows whole in a log or a traceback.

A reader's message about a bad value (:func:`mask_message_text`) goes one step further: after
:func:`mask_personal_data`, any other run of ten or more digits (a mistyped ID number, a
landline, an account number) is masked as an ID number is, its first six digits and its last
character kept. The command line masks what it prints with :func:`mask_personal_data`, which
leaves a masked message as it is: a value is shown the same way in a message and on the
command line.

Example:
    >>> mask_identity_numbers("V 11010519491231002X, old 110105491231002, org 512111005000000154")
    'V 110105***********X, old 110105********2, org 512111005000000154'
    >>> mask_personal_data("王芳 13812345678, li.lei@example.org, 110105491231002")
    '王芳 138****5678, l***@example.org, 110105********2'
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Callable
from typing import Final, TypeVar

__all__ = [
    "MOBILE_NUMBER_PATTERN",
    "looks_like_identity_number",
    "looks_like_mobile_number",
    "mask_contact_text",
    "mask_identity_numbers",
    "mask_long_numbers",
    "mask_message_text",
    "mask_name_text",
    "mask_personal_data",
    "mask_resident_id",
    "masked_repr",
]

_T = TypeVar("_T", bound=type)

_AFTER_ESCAPE: Final = (
    r"(?<=\\u[0-9A-Fa-f]{4})|(?<=\\x[0-9A-Fa-f]{2})|(?<=\\U[0-9A-Fa-f]{8})|(?<=\\[bfnrtv])"
)
"""Right after an escape of JSON or of a Python ``repr`` (``\\u0001``, ``\\x01``, ``\\t``): a
number there stands alone in the text escaped, though a letter or digits of the escape come
before it."""

_ESCAPE_AHEAD: Final = r"(?<=\\)(?:u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|U[0-9A-Fa-f]{8}|[bfnrtv])"
"""An escape's letter and digits (after its backslash), which no e-mail address starts with."""

_IDENTITY_NUMBER: Final = re.compile(
    rf"(?:(?<![0-9])|{_AFTER_ESCAPE})([0-9]{{6}})"
    r"(?:(?:1[89]|[2-9][0-9])[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]"
    r"|[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3})"
    r"(?![0-9Xx])",
)


def mask_resident_id(number: str) -> str:
    """A resident ID number (18 or 15 characters) with its region and last character kept.

    Every other character becomes ``*``. The one rule for masking an ID number:
    :func:`mask_identity_numbers` applies it to every number it finds in a text, and ``ResidentId``
    and ``mask_document_number`` to the number they hold.

    Example:
        >>> mask_resident_id("11010519491231002X"), mask_resident_id("110105491231002")
        ('110105***********X', '110105********2')
    """
    return number[:6] + "*" * (len(number) - 7) + number[-1]


_FULL_WIDTH: Final = str.maketrans("０１２３４５６７８９Ｘｘ＋－\u3000", "0123456789Xx+- ")
"""Full-width digits, ``X``, ``+``, ``-`` and space (what an input method's full-width mode
types) as ASCII, one character for one, so that a number typed so is found where the same
number in ASCII is."""
_HAS_FULL_WIDTH: Final = re.compile("[０-９Ｘｘ＋－\u3000]")


_HEX_OR_DASH: Final = frozenset(string.hexdigits + "-")
_DIGEST: Final = re.compile(
    r"[0-9A-Fa-f]{32,}|[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}", re.ASCII
)
_LETTERS_AND_DIGITS: Final = frozenset(string.ascii_letters + string.digits)


def _in_a_digest(found: re.Match[str]) -> bool:
    """Whether a number found lies in a hexadecimal digest or a UUID, where it fell by chance.

    A digest is a run of 32 or more hexadecimal digits with a letter among them and no other
    letter or digit against it (an MD5, SHA-1 or SHA-256 digest in hexadecimal, a UUID written
    without its dashes); a UUID is 8-4-4-4-12 of them. Of 100,000 SHA-256 digests, 26 hold
    digits shaped like an ID number, 348 a mobile number's (letters against it) and 18,060 a
    run of ten digits or more (which a reader's message masks), as do 1,611 of 100,000 UUIDs:
    masking them would change a value a person compares or looks up, and a person's number is
    never written inside one.

    Example:
        >>> import re
        >>> found = re.search("13812345678", "f" * 30 + "13812345678")
        >>> _in_a_digest(found), _in_a_digest(re.search("13812345678", "V13812345678"))
        (True, False)
    """
    text, (start, end) = found.string, found.span()
    first, last = start, end
    while first > 0 and text[first - 1] in _HEX_OR_DASH:
        first -= 1
    while last < len(text) and text[last] in _HEX_OR_DASH:
        last += 1
    if last - first < 32:
        return False
    for digest in _DIGEST.finditer(text, first, last):
        if digest.start() <= start and end <= digest.end():
            return (
                any(char.isalpha() for char in digest.group())
                and (digest.start() == 0 or text[digest.start() - 1] not in _LETTERS_AND_DIGITS)
                and (digest.end() == len(text) or text[digest.end()] not in _LETTERS_AND_DIGITS)
            )
    return False


def _mask_matches(
    pattern: re.Pattern[str],
    text: str,
    mask: Callable[[str], str],
    keep: Callable[[re.Match[str]], bool] | None = None,
) -> str:
    """``text`` with ``mask`` applied to every match of ``pattern`` in its ASCII reading.

    A number written in full-width digits (``１３８１２３４５６７８``) is matched as the same number
    in ASCII and masked as typed, the same characters kept; every other character stays. A
    match ``keep`` says yes to (given the match in the ASCII reading) stays as it is.
    """
    ascii_text = text if _HAS_FULL_WIDTH.search(text) is None else text.translate(_FULL_WIDTH)
    pieces: list[str] = []
    last = 0
    for found in pattern.finditer(ascii_text):
        if keep is not None and keep(found):
            continue
        start, end = found.span()
        pieces += (text[last:start], mask(text[start:end]))
        last = end
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


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
    return _mask_matches(_IDENTITY_NUMBER, text, mask_resident_id, _in_a_digest)


def looks_like_identity_number(text: str) -> bool:
    """Whether ``text`` as a whole has the shape of a resident ID number (18 or 15 characters).

    Example:
        >>> looks_like_identity_number("11010519491231002X"), looks_like_identity_number("V0001")
        (True, False)
    """
    return _IDENTITY_NUMBER.fullmatch(text) is not None


def mask_contact_text(contact: str) -> str:
    """A contact (phone number or e-mail address) with most of it replaced by ``*``.

    The rules (``volunteer_rules.records.mask_contact`` documents them): an e-mail address
    keeps the first character of its local part and the domain; 11 characters or more keep
    the first 3 and the last 4; 7 to 10 keep the first 2 and the last 2; shorter is all stars.

    Example:
        >>> mask_contact_text("13800138000"), mask_contact_text("zhang.san@example.org")
        ('138****8000', 'z***@example.org')
    """
    local, at, domain = contact.rpartition("@")
    if at and local and domain:
        return local[0] + "***@" + domain
    n = len(contact)
    if n >= 11:
        return contact[:3] + "*" * (n - 7) + contact[-4:]
    if n >= 7:
        return contact[:2] + "*" * (n - 4) + contact[-2:]
    return "*" * n


def mask_name_text(name: str) -> str:
    """A person's name with all but its first character replaced by ``*`` (one star at least).

    Example:
        >>> mask_name_text("刘桂兰"), mask_name_text("王"), mask_name_text("Li Ming")
        ('刘**', '王*', 'L******')
    """
    name = name.strip()
    if not name:
        return "*"
    return name[0] + "*" * max(1, len(name) - 1)


MOBILE_NUMBER_PATTERN: Final = (
    r"(?:(?:\+|00)?86[- ]?)?1[3-9][0-9](?:[0-9]{8}|-[0-9]{4}-[0-9]{4}| [0-9]{4} [0-9]{4})"
)
"""A mainland mobile number, the library's one definition of one (a regular expression).

11 digits whose first two are ``13`` to ``19``, written whole or as 3-4-4 digits with one
kind of separator (``138-1234-5678``, ``138 1234 5678``), optionally after the country code
``+86``, ``0086`` or ``86`` (and a ``-`` or a space). Written with ``[0-9]`` and without a
back-reference, so that Python, polars (Rust's regex) and a JSON Schema read the same
pattern: the masking finds it in a text, :func:`looks_like_mobile_number` and the record
format's ``volunteer_id`` rule match it whole."""

# A mainland mobile number (not inside a longer run of digits; letters against it, as in
# ``V13812345678``, are no reason to leave it whole) or an e-mail address.
_CONTACT: Final = re.compile(
    rf"(?:(?<![0-9+])|{_AFTER_ESCAPE}){MOBILE_NUMBER_PATTERN}(?![0-9])"
    rf"|(?:(?<![A-Za-z0-9._%+-])(?!{_ESCAPE_AHEAD})|{_AFTER_ESCAPE})"
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
    re.ASCII,
)

_MOBILE_NUMBER: Final = re.compile(MOBILE_NUMBER_PATTERN, re.ASCII)


def looks_like_mobile_number(text: str) -> bool:
    """Whether ``text`` as a whole is what the masking takes for a mobile number.

    :data:`MOBILE_NUMBER_PATTERN`, the text read as :func:`mask_personal_data` reads it
    (full-width digits as ASCII ones). A longer or shorter run of digits, or a letter before
    or after the number, is not one.

    Example:
        >>> [looks_like_mobile_number(t) for t in ("13812345678", "0086-138-1234-5678")]
        [True, True]
        >>> [looks_like_mobile_number(t) for t in ("12812345678", "138123456789", "V13812345678")]
        [False, False, False]
    """
    if _HAS_FULL_WIDTH.search(text) is not None:
        text = text.translate(_FULL_WIDTH)
    return _MOBILE_NUMBER.fullmatch(text) is not None


def mask_personal_data(text: str) -> str:
    """Mask ID-shaped numbers (:func:`mask_identity_numbers`) and contacts found in ``text``.

    Contacts found are mainland mobile numbers and e-mail addresses, masked as
    :func:`mask_contact_text` masks them; masking twice changes nothing.

    Example:
        >>> mask_personal_data("call 13812345678 or +86 13812345678; id 11010519491231002X")
        'call 138****5678 or +86********5678; id 110105***********X'
        >>> mask_personal_data("手机 138-1234-5678 / 138 1234 5678")
        '手机 138******5678 / 138******5678'
        >>> mask_personal_data(mask_personal_data("a.b@example.org"))
        'a***@example.org'
    """
    text = mask_identity_numbers(text)
    if "@" not in text and not any(c.isdigit() for c in text):
        return text
    return _mask_matches(_CONTACT, text, mask_contact_text, _in_a_digest)


_LONG_NUMBER: Final = re.compile(r"[0-9]{10,}[Xx]?", re.ASCII)
"""A run of ten or more digits (and a check character ``X`` after it)."""


def mask_long_numbers(text: str) -> str:
    """Mask every run of ten or more digits in ``text`` as :func:`mask_resident_id` masks.

    The first six digits and the last character stay; a masked run has no ten digits in a row,
    so masking twice changes nothing.

    Example:
        >>> mask_long_numbers("account 6222020200112233445, code 123456789")
        'account 622202************5, code 123456789'
    """
    return _mask_matches(_LONG_NUMBER, text, mask_resident_id, _in_a_digest)


def mask_message_text(text: str) -> str:
    """``text`` as a reader's message shows it: :func:`mask_personal_data`, then long numbers.

    ID numbers, mobile numbers and e-mail addresses are masked as everywhere else (so that the
    command line, masking the message again, changes nothing); any other run of ten or more
    digits then as :func:`mask_long_numbers` masks it.

    Example:
        >>> mask_message_text("电话 13812345678, 11010519491331002X, a.b@example.org")
        '电话 138****5678, 110105***********X, a***@example.org'
        >>> mask_message_text(mask_message_text("0427281234567")) == mask_message_text("0427281234567")
        True
    """
    text = mask_personal_data(text)
    if len(text) < 10:
        return text
    return mask_long_numbers(text)


def masked_repr(cls: _T) -> _T:
    """Class decorator: the class's ``repr`` passes through :func:`mask_personal_data`.

    Put it above the ``attrs`` decorator (it wraps whatever ``__repr__`` the class has, its
    own or the one ``attrs`` wrote); the wrapper is marked ``masks_personal_data``.

    Example:
        >>> import attrs
        >>> @masked_repr
        ... @attrs.frozen
        ... class Note:
        ...     text: str
        >>> Note("11010519491231002X, 13812345678")
        Note(text='110105***********X, 138****5678')
    """
    shown: Callable[[object], str] = cls.__repr__  # type: ignore[assignment]

    @functools.wraps(shown)
    def __repr__(self: object) -> str:
        return mask_personal_data(shown(self))

    __repr__.masks_personal_data = True  # type: ignore[attr-defined]
    cls.__repr__ = __repr__  # type: ignore[assignment]
    return cls
