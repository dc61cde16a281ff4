r"""The library's one canonical JSON serialization, for digests and verification codes.

Keys sorted by code point, no white space, every non-ASCII character escaped as ``\\uXXXX``
(lowercase hex), UTF-8 (hence ASCII) bytes. Stable across Python versions and platforms, and
easy to reproduce in any language.

:func:`read_json` is how the library reads JSON text a person gives it: a number of thousands of
digits is valid JSON, and Python refuses to turn more than 4300 digits into an ``int``
(``sys.get_int_max_str_digits``), so such a number is read exactly (:func:`whole_number`) and
reaches the readers, which report it as ``out_of_range`` with its path. Text nested deeper than
Python's reader can go (a thousand ``[``, say) is refused with :class:`JsonNestingError`, a
``ValueError`` like any other text that is not JSON, never a ``RecursionError``.

:func:`present_members` is how every wire form reads ``null``: a member whose value is
``null`` is read as absent (an optional member left out, a required one ``missing``), as the
record format says.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

__all__ = [
    "JsonNestingError",
    "canonical_bytes",
    "canonical_text",
    "present_members",
    "read_json",
    "sha256_hex",
    "whole_number",
    "why_not_json",
]


def canonical_text(value: Any) -> str:
    r"""Serialize a JSON-compatible value canonically, as (ASCII) text.

    Raises ``TypeError``/``ValueError`` (from :mod:`json`) for what is not JSON; callers turn
    that into the library's errors.

    Example:
        >>> canonical_text({"b": 1, "a": "盘锦"})
        '{"a":"\\u76d8\\u9526","b":1}'
    """
    return json.dumps(
        value, sort_keys=True, ensure_ascii=True, separators=(",", ":"), allow_nan=False
    )


def canonical_bytes(value: Any) -> bytes:
    r"""Serialize a JSON-compatible value canonically, as bytes.

    Example:
        >>> canonical_bytes({"b": 1, "a": "盘锦"})
        b'{"a":"\\u76d8\\u9526","b":1}'
    """
    return canonical_text(value).encode("ascii")


def sha256_hex(value: Any) -> str:
    """The lowercase hex SHA-256 of :func:`canonical_bytes`.

    Example:
        >>> len(sha256_hex({"a": 1}))
        64
    """
    return hashlib.sha256(canonical_bytes(value)).hexdigest()


_CHUNK = 4000  # digits per step, under Python's limit for text to int


def whole_number(digits: str) -> int:
    """The integer written in decimal ``digits`` (an optional ``-``), of any length.

    Python refuses ``int(text)`` for more than 4300 digits; this builds the number in steps of
    4000 digits instead, in time proportional to the square of the length (a 100,000-digit
    number takes tens of milliseconds).

    Raises:
        ValueError: ``digits`` is not a decimal integer.

    Example:
        >>> whole_number("-120"), len(str(whole_number("1" * 4300)))
        (-120, 4300)
        >>> whole_number("9" * 5000) == 10**5000 - 1
        True
    """
    sign, body = (-1, digits[1:]) if digits.startswith("-") else (1, digits)
    if not (body.isascii() and body.isdigit()):
        raise ValueError(f"not a decimal integer: {digits[:20]!r}")
    if len(body) <= _CHUNK:
        return sign * int(body)
    number = 0
    for start in range(0, len(body), _CHUNK):
        part = body[start : start + _CHUNK]
        number = number * 10 ** len(part) + int(part)
    return sign * number


class JsonNestingError(ValueError):
    """JSON text nested deeper than Python's reader can go: not read, like text that is not JSON.

    A ``ValueError``, so every caller that reports text that is not JSON reports this too; its
    message is ``nested too deeply``. It pickles as it is, as the library's errors do.

    Example:
        >>> import pickle
        >>> str(pickle.loads(pickle.dumps(JsonNestingError())))
        'nested too deeply'
    """

    def __init__(self, message: str = "nested too deeply") -> None:
        super().__init__(message)


def read_json(text: str | bytes) -> Any:
    """``json.loads``, except that integers of any length are read (:func:`whole_number`).

    Raises ``ValueError`` (``json.JSONDecodeError``) for text that is not JSON, as
    ``json.loads`` does, and :class:`JsonNestingError` (a ``ValueError`` too) for nesting too
    deep for Python, where ``json.loads`` raises ``RecursionError``.

    Example:
        >>> value = read_json('{"minutes": ' + "1" * 5000 + "}")
        >>> value["minutes"] == int("1" * 4000) * 10**1000 + int("1" * 1000)
        True
        >>> read_json("[" * 100_000)
        Traceback (most recent call last):
        ...
        volunteer_rules._canonical.JsonNestingError: nested too deeply
    """
    try:
        try:
            return json.loads(text)
        except ValueError as error:
            if "integer string conversion" not in str(error):
                raise
        return json.loads(text, parse_int=whole_number)
    except RecursionError:
        raise JsonNestingError from None


def present_members(members: Mapping[Any, Any]) -> dict[Any, Any]:
    """A JSON object's members without those whose value is ``null``.

    The one rule for ``null`` in the library's wire forms: a member given as ``null`` is read
    as the member left out, so an optional one is absent and a required one ``missing``.

    Example:
        >>> present_members({"name": "站", "address": None})
        {'name': '站'}
    """
    return {key: value for key, value in members.items() if value is not None}


def why_not_json(error: ValueError, *, lines: bool = False) -> str:
    r"""Why text is not JSON, in the words every bad line and document is reported with.

    ``error`` is what decoding the bytes (``UnicodeDecodeError``) or :func:`read_json` raised.
    The place is a column; with ``lines`` (a document of many lines, not a line of JSON Lines)
    a line and a column.

    Example:
        >>> try:
        ...     read_json('{"a": }')
        ... except ValueError as error:
        ...     why_not_json(error)
        'not valid JSON: Expecting value at column 7'
        >>> try:
        ...     read_json('{\n"a": }')
        ... except ValueError as error:
        ...     why_not_json(error, lines=True)
        'not valid JSON: Expecting value at line 2, column 6'
        >>> why_not_json(JsonNestingError())
        'not valid JSON: nested too deeply'
        >>> why_not_json(UnicodeDecodeError("utf-8", b"a\xff", 1, 2, "invalid start byte"))
        'not UTF-8: invalid start byte at column 2'
    """
    if isinstance(error, UnicodeDecodeError):
        return f"not UTF-8: {error.reason} at column {error.start + 1}"
    if isinstance(error, json.JSONDecodeError):
        where = f"line {error.lineno}, column {error.colno}" if lines else f"column {error.colno}"
        return f"not valid JSON: {error.msg.removesuffix(' at')} at {where}"
    return f"not valid JSON: {error}"
