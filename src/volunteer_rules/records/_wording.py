"""One wording of each problem a wire form's member can have, for every reader.

The record reader (:mod:`volunteer_rules.records._fields`) and the shared reader of the other
wire forms (:class:`~volunteer_rules.records._wire_reader.Reader`) build their messages here,
so that a value refused at a member of one kind (text, id, date, date-time, whole number,
true or false, choice) reads the same in every form: the member's name, what it must be, and
what was found (its JSON type, or the text shown masked by the library's one rule,
:func:`~volunteer_rules._privacy.mask_message_text`, as the command line shows it).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Final

from volunteer_rules._iso import DATE_PATTERN, DATETIME_PATTERN, read_datetime
from volunteer_rules._privacy import looks_like_mobile_number
from volunteer_rules.records._json import show, type_name

__all__ = [
    "DATETIME_EXAMPLE",
    "DATE_EXAMPLE",
    "DATE_TYPE",
    "ID_MAX",
    "ID_SHAPE",
    "MOMENT_TYPE",
    "RESIDENT_ID_RE",
    "WHOLE",
    "blank",
    "choice_problem",
    "date_problem",
    "id_problem",
    "moment_problem",
    "named",
    "out_of_range",
    "personal_number_shape",
    "too_long",
    "version_problem",
    "volunteer_id_problem",
    "wrong_type",
]

ID_MAX: Final = 64
ID_SHAPE: Final = "1-64 ASCII letters, digits, '-', '_' or '.'"
"""How the messages describe an id of the record format."""
_ID_CHARS_RE: Final = re.compile(r"[A-Za-z0-9._-]+", re.ASCII)
DATE_EXAMPLE: Final = "2019-07-19"
DATETIME_EXAMPLE: Final = "2019-07-19T08:00:00+08:00"
DATE_TYPE: Final = f"a string such as {DATE_EXAMPLE}"
"""What a date member must be (:func:`wrong_type`)."""
MOMENT_TYPE: Final = f"a string such as {DATETIME_EXAMPLE}"
"""What a date-time member must be (:func:`wrong_type`)."""
WHOLE: Final = "a whole number (a JSON integer)"
"""What a whole-number member must be (:func:`wrong_type`)."""
RESIDENT_ID_RE: Final = re.compile(
    r"[0-9]{10}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]"
    r"|[0-9]{8}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}",
)
"""A resident ID number's shape, whole (``fullmatch``): 17 digits and a digit or X (GB 11643),
or 15 digits (the first generation), with a month and day in the birth-date places. Written
with ``[0-9]`` only, so that polars' regular expressions read the same pattern."""


def named(key: str, rest: str) -> str:
    """A message about the member ``key``: its name, then ``rest``.

    An array's item (``key`` empty) is named by its path alone.

    Example:
        >>> named("place", "must not be blank"), named("", "must not be blank")
        ('place must not be blank', 'must not be blank')
    """
    return f"{key} {rest}" if key else rest


def wrong_type(key: str, described: str, value: object) -> str:
    """The ``invalid_type`` message: what ``key`` must be, and the JSON type found.

    An empty ``key`` (an array's item, named by its path) leaves the name out.

    Example:
        >>> wrong_type("place", "a string", ["x"]), wrong_type("", "a string", 7)
        ('place must be a string, not array', 'must be a string, not number')
    """
    return named(key, f"must be {described}, not {type_name(value)}")


def blank(key: str) -> str:
    """The ``missing`` message of a text given blank (empty or white space only).

    Example:
        >>> blank("place")
        'place must not be blank'
    """
    return named(key, "must not be blank")


def too_long(key: str, maximum: int, length: int) -> str:
    """The ``out_of_range`` message of a text longer than ``maximum`` characters.

    Example:
        >>> too_long("place", 200, 201)
        'place must be at most 200 characters, not 201'
    """
    return named(key, f"must be at most {maximum} characters, not {length}")


def out_of_range(key: str, low: int, high: int, value: int) -> str:
    """The ``out_of_range`` message of a whole number outside ``low`` to ``high``.

    Example:
        >>> out_of_range("service_minutes", 1, 1440, 0)
        'service_minutes must be from 1 to 1440, not 0'
    """
    return named(key, f"must be from {low} to {high}, not {show(value)}")


def id_problem(key: str, text: str) -> tuple[str, str]:
    """Why ``text`` is no id of the record format, as ``(code, message)``.

    Too long but of id characters: ``out_of_range``; other characters (or none):
    ``invalid_format``, the message saying what an id is.

    Example:
        >>> id_problem("record_id", "a" * 65)
        ('out_of_range', 'record_id must be at most 64 characters, not 65')
        >>> id_problem("record_id", "甲")
        ('invalid_format', "record_id must be 1-64 ASCII letters, digits, '-', '_' or '.'")
    """
    if _ID_CHARS_RE.fullmatch(text):
        return "out_of_range", too_long(key, ID_MAX, len(text))
    return "invalid_format", named(key, f"must be {ID_SHAPE}")


def version_problem(value: object, supported: int) -> tuple[str, str] | None:
    """Why ``value`` (``None`` when absent) is not the ``format_version`` a reader reads.

    Example:
        >>> version_problem(1, 1) is None, version_problem("1", 1)
        (True, ('invalid_type', 'format_version must be the integer 1, not string'))
        >>> version_problem(2, 1)
        ('unsupported_version', 'format_version 2 is not supported; this library reads version 1')
    """
    if value is None:
        return "missing", f"format_version is required ({supported})"
    if type(value) is not int:
        return "invalid_type", wrong_type("format_version", f"the integer {supported}", value)
    if value != supported:
        return (
            "unsupported_version",
            f"format_version {show(value)} is not supported; this library reads version {supported}",
        )
    return None


def personal_number_shape(text: str) -> str | None:
    """What personal number an id, whole, is shaped like, or ``None``: the ids' one rule.

    ``"a resident ID number"`` (:data:`RESIDENT_ID_RE`) or ``"a mobile number"`` (the
    masking's own definition, :func:`~volunteer_rules._privacy.looks_like_mobile_number`:
    11 digits from ``13`` to ``19``, whole or 3-4-4 with ``-``, after ``86``, ``0086`` or
    ``+86`` too); an id of both shapes is a resident ID number. A volunteer id
    (:func:`volunteer_id_problem`) and the community's person id must have neither.

    Example:
        >>> personal_number_shape("11010519491231002X"), personal_number_shape("13812345678")
        ('a resident ID number', 'a mobile number')
        >>> personal_number_shape("12812345678"), personal_number_shape("V13812345678")
        (None, None)
    """
    if RESIDENT_ID_RE.fullmatch(text) is not None:
        return "a resident ID number"
    if looks_like_mobile_number(text):
        return "a mobile number"
    return None


_NEVER: Final = {"a resident ID number": "an ID-card number", "a mobile number": "a phone number"}


def volunteer_id_problem(text: str) -> tuple[str, str] | None:
    """Why an id is no volunteer id: shaped like a personal number (masked in the message).

    The one rule of the record format (docs/record-format.md), :func:`personal_number_shape`:
    a resident ID number (17 digits and a digit or ``X``, or 15 digits of a first-generation
    number, with a month and day in the birth-date places) or a mainland mobile number.
    ``None`` for any other id.

    Example:
        >>> volunteer_id_problem("V0001") is None
        True
        >>> volunteer_id_problem("11010519491231002X")[1][:44]
        "volunteer_id '110105***********X' looks like"
        >>> volunteer_id_problem("110105491231002")[0]
        'invalid_format'
        >>> volunteer_id_problem("13812345678")[1]
        "volunteer_id '138****5678' looks like a mobile number; give the volunteer's unified number (志愿者统一编号), never a phone number"
    """
    shape = personal_number_shape(text)
    if shape is None:
        return None
    return (
        "invalid_format",
        f"volunteer_id {show(text)} looks like {shape}; give the volunteer's "
        f"unified number (志愿者统一编号), never {_NEVER[shape]}",
    )


def choice_problem(key: str, text: str, allowed: Collection[str]) -> str:
    """The ``unknown_code`` message of a text not in ``allowed`` (in its order, if it has one).

    Example:
        >>> choice_problem("status", "done", frozenset({"void", "verified"}))
        "status 'done' is not one of verified, void"
        >>> choice_problem("level", "x", ("county", "city"))
        "level 'x' is not one of county, city"
    """
    listed = allowed if isinstance(allowed, Sequence) else sorted(allowed)
    shown = ", ".join(listed) if len(listed) <= 20 else "the documented codes"
    return named(key, f"{show(text)} is not one of {shown}")


def date_problem(key: str, text: str) -> str:
    """The ``invalid_format`` message of a text that is no ISO date (``YYYY-MM-DD``).

    Example:
        >>> date_problem("date", "2024-02-30"), date_problem("date", "May 1")
        ("date '2024-02-30' is not a calendar date", "date must be an ISO date such as 2019-07-19, not 'May 1'")
    """
    if DATE_PATTERN.fullmatch(text):
        return named(key, f"{show(text)} is not a calendar date")
    return named(key, f"must be an ISO date such as {DATE_EXAMPLE}, not {show(text)}")


def moment_problem(key: str, text: str) -> str:
    """The ``invalid_format`` message of a text that is no ISO date-time with a UTC offset.

    Not of the form; of the form but no such moment; or a valid date-time without an offset.

    Example:
        >>> moment_problem("at", "2024-05-01T09:00:00")
        'at has no UTC offset; write one such as +08:00'
        >>> moment_problem("at", "2024-05-01T25:00:00+08:00")
        "at '2024-05-01T25:00:00+08:00' is not a valid date-time"
    """
    match = DATETIME_PATTERN.fullmatch(text)
    if match is None:
        return named(
            key,
            f"must be an ISO 8601 date-time with a UTC offset such as {DATETIME_EXAMPLE},"
            f" not {show(text)}",
        )
    if read_datetime(text) is None:
        return named(key, f"{show(text)} is not a valid date-time")
    return named(key, "has no UTC offset; write one such as +08:00")
