"""Argument checks shared by the public functions (so misuse raises the library's own errors).

The attrs validators here (:func:`instance_of`, :func:`one_of`, :func:`aware_datetime`) take
the place of attrs' own, which raise a bare ``TypeError`` or ``ValueError`` whose message
holds the whole attribute's definition: a value class of the library, like its functions,
raises a :class:`~volunteer_rules.errors.VolunteerRulesError` naming the field.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, TypeAlias

from volunteer_rules._privacy import mask_personal_data
from volunteer_rules.errors import InvalidTypeError, InvalidValueError

__all__ = [
    "Validator",
    "aware_datetime",
    "instance_of",
    "items_of",
    "masked_message",
    "one_of",
    "require_aware",
    "require_date",
    "require_iterable",
    "within_days",
]

Validator: TypeAlias = Callable[[Any, Any, Any], None]
"""An attrs validator: ``(instance, attribute, value)``, raising or returning ``None``."""


def require_iterable(value: object, what: str, message: str | None = None) -> Iterable[Any]:
    """Return ``value`` if it is an iterable of items (not text, bytes or a mapping).

    Raises:
        InvalidTypeError: naming ``what``, with ``message`` (by default: must be an iterable,
            not the type given).

    Example:
        >>> require_iterable([1, 2], "records", "must be an iterable of ServiceRecord")
        [1, 2]
        >>> require_iterable("abc", "records", "must be an iterable of ServiceRecord")
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.InvalidTypeError: records: must be an iterable of ServiceRecord
    """
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise InvalidTypeError(what, message or f"must be an iterable, not {type(value).__name__}")
    return value


def items_of(value: object, kind: type | tuple[type, ...], what: str) -> list[Any]:
    """The items of an iterable as a list, each checked to be a ``kind`` (or one of ``kind``).

    The first item that is not one ends the reading: an iterable that never ends, or one of a
    billion numbers, is refused at its first item, not read whole.

    Raises:
        InvalidTypeError: ``value`` is not an iterable of items, or an item is not a ``kind``.

    Example:
        >>> items_of((1, 2), int, "numbers")
        [1, 2]
        >>> items_of([1, "2"], (int, float, bytes), "numbers")
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.InvalidTypeError: numbers[1]: must be an int, float or bytes, not str
        >>> import itertools
        >>> items_of(itertools.count(), str, "names")
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.InvalidTypeError: names[0]: must be a str, not int
    """
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = [k.__name__ for k in kinds]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    one = f"{'an' if listed[0] in 'AEIOUaeiou' else 'a'} {listed}"
    items: list[Any] = []
    for index, item in enumerate(require_iterable(value, what, f"must be an iterable of {listed}")):
        if not isinstance(item, kinds):
            raise InvalidTypeError(f"{what}[{index}]", f"must be {one}, not {type(item).__name__}")
        items.append(item)
    return items


def instance_of(
    kind: type | tuple[type, ...], *, optional: bool = False, name: str | None = None
) -> Validator:
    """An attrs validator: the value is a ``kind`` (``None`` too when ``optional``).

    A ``bool`` is not an ``int`` and a ``datetime`` is not a ``date`` here, unless ``kind``
    names them: JSON's ``true`` is no count, and a date-time is no day. ``name`` says what the
    message calls the kind (the type names otherwise).

    Example:
        >>> import attrs
        >>> @attrs.frozen
        ... class Slot:
        ...     size: int = attrs.field(validator=instance_of(int))
        >>> Slot(True)
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.InvalidTypeError: size: must be int, not bool
    """
    kinds = kind if isinstance(kind, tuple) else (kind,)
    shown = name or " or ".join(k.__name__ for k in kinds)
    no_bool = bool not in kinds
    no_datetime = _dt.date in kinds and _dt.datetime not in kinds

    def check(instance: object, attribute: Any, value: object) -> None:
        if value is None and optional:
            return
        if (
            not isinstance(value, kinds)
            or (no_bool and isinstance(value, bool))
            or (no_datetime and isinstance(value, _dt.datetime))
        ):
            raise InvalidTypeError(attribute.name, f"must be {shown}, not {type(value).__name__}")

    return check


def one_of(choices: Collection[str], *, optional: bool = False) -> Validator:
    """An attrs validator: the value is one of ``choices`` (``None`` too when ``optional``).

    Example:
        >>> import attrs
        >>> @attrs.frozen
        ... class Visit:
        ...     status: str = attrs.field(validator=one_of(("open", "closed")))
        >>> Visit("ajar")
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.InvalidValueError: status: must be one of open, closed, not 'ajar'
    """
    shown = ", ".join(choices if isinstance(choices, (tuple, list)) else sorted(choices))

    def check(instance: object, attribute: Any, value: object) -> None:
        if value is None and optional:
            return
        if not isinstance(value, str) or value not in choices:
            given = repr(value) if isinstance(value, str) and len(value) <= 40 else "another value"
            raise InvalidValueError(attribute.name, f"must be one of {shown}, not {given}")

    return check


def require_aware(value: object, what: str) -> _dt.datetime:
    """``value`` if it is a time-zone-aware ``datetime``.

    Raises:
        InvalidTypeError: it is not a ``datetime``.
        InvalidValueError: it has no UTC offset.

    Example:
        >>> require_aware(_dt.datetime(2026, 6, 30, tzinfo=_dt.timezone.utc), "now").year
        2026
        >>> require_aware(_dt.datetime(2026, 6, 30), "now")
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.InvalidValueError: now: must be a time-zone-aware datetime
    """
    if not isinstance(value, _dt.datetime):
        raise InvalidTypeError(what, f"must be an aware datetime, not {type(value).__name__}")
    if value.utcoffset() is None:
        raise InvalidValueError(what, "must be a time-zone-aware datetime")
    return value


def aware_datetime(*, optional: bool = False) -> Validator:
    """An attrs validator: :func:`require_aware` (``None`` too when ``optional``).

    Example:
        >>> import attrs
        >>> @attrs.frozen
        ... class Visit:
        ...     at: _dt.datetime = attrs.field(validator=aware_datetime())
        >>> Visit("2026-06-30")
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.InvalidTypeError: at: must be an aware datetime, not str
    """

    def check(instance: object, attribute: Any, value: object) -> None:
        if value is not None or not optional:
            require_aware(value, attribute.name)

    return check


def require_date(value: object, what: str) -> _dt.date:
    """``value`` if it is a ``date`` (a ``datetime`` is not one here).

    Raises:
        InvalidTypeError: it is not a date.

    Example:
        >>> require_date(_dt.date(2026, 6, 30), "as_of")
        datetime.date(2026, 6, 30)
        >>> require_date(_dt.datetime(2026, 6, 30), "as_of")
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.InvalidTypeError: as_of: must be a date, not datetime
    """
    if isinstance(value, _dt.datetime) or not isinstance(value, _dt.date):
        raise InvalidTypeError(what, f"must be a date, not {type(value).__name__}")
    return value


def masked_message(value: object) -> str:
    """The converter of a message a person reads: a ``str``, personal data masked.

    ID numbers, mobile numbers and e-mail addresses in it (an id that is one, wrongly) are
    masked as everywhere else (:func:`~volunteer_rules._privacy.mask_personal_data`).

    Raises:
        InvalidTypeError: ``value`` is not a ``str``.

    Example:
        >>> masked_message("record 13812345678 is not verified")
        'record 138****5678 is not verified'
    """
    if not isinstance(value, str):
        raise InvalidTypeError("message", f"must be a str, not {type(value).__name__}")
    return mask_personal_data(value)


def within_days(day: _dt.date, first: _dt.date | None, last: _dt.date | None) -> bool:
    """Whether ``day`` is from ``first`` to ``last``, both inclusive (``None``: no bound).

    The one reading of a dated rule's days (a benefit, a time-bank policy, a ledger's cap).

    Example:
        >>> d = _dt.date(2020, 1, 1)
        >>> within_days(d, d, None), within_days(d, None, d), within_days(d, d.replace(day=2), None)
        (True, True, False)
    """
    return (first is None or first <= day) and (last is None or day <= last)
