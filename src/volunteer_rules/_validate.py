"""Argument checks shared by the public functions (so misuse raises the library's own errors)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from volunteer_rules.errors import InvalidTypeError

__all__ = ["items_of", "require_iterable"]


def require_iterable(value: object, what: str, message: str) -> Iterable[Any]:
    """Return ``value`` if it is an iterable of items (not text, bytes or a mapping).

    Raises:
        InvalidTypeError: naming ``what``, with ``message``.

    Example:
        >>> require_iterable([1, 2], "records", "must be an iterable of ServiceRecord")
        [1, 2]
        >>> require_iterable("abc", "records", "must be an iterable of ServiceRecord")
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.InvalidTypeError: records: must be an iterable of ServiceRecord
    """
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise InvalidTypeError(what, message)
    return value


def items_of(value: object, kind: type[Any], what: str) -> list[Any]:
    """The items of an iterable as a list, each checked to be a ``kind``.

    Raises:
        InvalidTypeError: ``value`` is not an iterable of items, or an item is not a ``kind``.

    Example:
        >>> items_of((1, 2), int, "numbers")
        [1, 2]
        >>> items_of([1, "2"], int, "numbers")
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.InvalidTypeError: numbers[1]: must be a int, not str
    """
    items = list(require_iterable(value, what, f"must be an iterable of {kind.__name__}"))
    for index, item in enumerate(items):
        if not isinstance(item, kind):
            raise InvalidTypeError(
                f"{what}[{index}]", f"must be a {kind.__name__}, not {type(item).__name__}"
            )
    return items
