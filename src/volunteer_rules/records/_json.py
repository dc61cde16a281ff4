"""JSON values inside a service record, and how a value is shown in a message.

:func:`freeze` makes the deep, read-only copy of ``extensions`` that a record keeps, and
:func:`thaw` gives its JSON form back. :func:`show`, :func:`type_name` and :func:`key_path`
write values and places into error messages masked by the library's one rule
(:func:`~volunteer_rules._privacy.mask_message_text`): no message ever carries an ID-card number,
a mobile number or an e-mail address in full, and each is shown as the command line shows it.
"""

from __future__ import annotations

import math
import re
import types
from collections.abc import Mapping
from typing import Any, Final

from volunteer_rules._privacy import mask_message_text
from volunteer_rules.errors import FieldError

MAX_EXTENSION_DEPTH: Final = 32
"""How deeply ``extensions`` may nest (objects and arrays); deeper is ``out_of_range``."""

MAX_EXTENSION_DIGITS: Final = 4300
"""How many digits an integer in ``extensions`` may have: Python's default limit for writing an
integer as text (``sys.get_int_max_str_digits``), so that every record can be written back as
JSON and stored. Longer is ``out_of_range``."""

MAX_EXTENSION_INTEGER: Final = 10**MAX_EXTENSION_DIGITS - 1
"""The largest integer (in magnitude) ``extensions`` may hold."""

UNSTORABLE: Final = re.compile(
    "[\ud800-\udfff\ufdd0-\ufdef"
    + "".join(
        f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
    )
    + "]"
)
"""Characters no text may hold: lone surrogates (which UTF-8 cannot encode, so no file or
database can store them) and the Unicode non-characters (U+FDD0-U+FDEF and the last two code
points of every plane), which are not for interchange."""


def unstorable(text: str) -> str | None:
    """Why ``text`` cannot be stored (a message naming the first bad character), or ``None``.

    Example:
        >>> unstorable("abc"), unstorable("abc" + chr(0xD800) + "def")
        (None, 'holds U+D800 at position 3, which cannot be stored (a lone surrogate or a non-character)')
    """
    found = UNSTORABLE.search(text)
    if found is None:
        return None
    return (
        f"holds U+{ord(found.group()):04X} at position {found.start()}, which cannot be stored"
        " (a lone surrogate or a non-character)"
    )


_PLAIN_KEY_RE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*", re.ASCII)
_SHOWN_MAX: Final = 40


def _shown_text(text: str) -> str:
    """``text`` masked (:func:`~volunteer_rules._privacy.mask_message_text`), then cut short.

    Masked first, so that no number is cut into a part that escapes the mask.
    """
    text = mask_message_text(text)
    return text if len(text) <= _SHOWN_MAX else text[:_SHOWN_MAX] + "…"


def show(value: object) -> str:
    """A short, masked rendering of a value for a message.

    Example:
        >>> show("联系电话 13812345678"), show(110105194912310021), show(2**200)
        ("'联系电话 138****5678'", '110105***********1', 'a very large number')
    """
    if isinstance(value, str):
        return repr(_shown_text(value))
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return "a very large number"
    if value is None or isinstance(value, (bool, int)):
        return _shown_text(repr(value))
    return f"a value of type {type(value).__name__}"


def type_name(value: object) -> str:
    """The JSON type name of a value, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    return type(value).__name__


def key_path(parent: str, key: object) -> str:
    """JSONPath of a member: ``$.name``, or ``$["odd name"]`` for names that need quoting."""
    if isinstance(key, str):
        if _PLAIN_KEY_RE.fullmatch(key):
            return f"{parent}.{mask_message_text(key)}"
        escaped = _shown_text(key).replace("\\", "\\\\").replace('"', '\\"')
        return f'{parent}["{escaped}"]'
    return f"{parent}[{show(key)}]"


def unknown_field(parent: str, key: object, form: str) -> FieldError:
    """The problem of a member that ``form`` does not have, in the words of every wire form.

    The path names the member (masked, quoted when it is no plain name); the message names the
    form.

    Example:
        >>> str(unknown_field("$", "colour", "record format v1"))
        '$.colour: unknown_field: is not a field of record format v1 (names are case-sensitive)'
    """
    message = f"is not a field of {form} (names are case-sensitive)"
    return FieldError(key_path(parent, key), "unknown_field", message)


Where = Any
"""Where a value sits, built cheaply and rendered only for an error: the root path (``str``),
or ``(parent, key)`` for a member, or ``(parent, index)`` for an array item (``int`` index)."""

_SCALARS: Final = frozenset({str, int, bool, type(None)})
_PLAIN: Final = frozenset({bool, type(None)})  # scalars kept without any check


def render(where: Where) -> str:
    """The JSONPath of a :data:`Where`."""
    if isinstance(where, str):
        return where
    parent, key = where
    if type(key) is int:
        return f"{render(parent)}[{key}]"
    return key_path(render(parent), key)


def freeze(value: object, where: Where, depth: int, problems: list[FieldError]) -> Any:
    """A deep, immutable copy of a JSON value; problems are appended to ``problems``.

    Objects become read-only mappings (:class:`types.MappingProxyType`) and arrays tuples;
    ``str``, ``int``, ``bool``, ``None`` and finite ``float`` values are kept.
    """
    kind = type(value)
    if kind in _SCALARS:
        return _freeze_scalar(value, kind, where, problems)
    if kind is float:
        return _freeze_float(value, where, problems)
    if depth >= MAX_EXTENSION_DEPTH:
        problems.append(
            FieldError(
                render(where),
                "out_of_range",
                f"extensions may nest at most {MAX_EXTENSION_DEPTH} levels deep",
            )
        )
        return None
    # Exact dicts and lists first: the ABC check of Mapping is slow for a list.
    if kind is dict or (kind is not list and isinstance(value, Mapping)):
        return _freeze_object(value, where, depth, problems)
    if kind is list or isinstance(value, (list, tuple)):
        return _freeze_array(value, where, depth, problems)
    return _freeze_subclass(value, where, depth, problems)


def _freeze_scalar(value: Any, kind: type, where: Where, problems: list[FieldError]) -> Any:
    """A text, integer, boolean or null kept as it is, unless it cannot be stored."""
    if kind is str and (why := unstorable(value)) is not None:
        problems.append(FieldError(render(where), "invalid_format", f"text {why}"))
        return None
    if kind is int and not -MAX_EXTENSION_INTEGER <= value <= MAX_EXTENSION_INTEGER:
        problems.append(
            FieldError(
                render(where),
                "out_of_range",
                f"numbers in extensions may have at most {MAX_EXTENSION_DIGITS} digits",
            )
        )
        return None
    return value


def _freeze_float(value: Any, where: Where, problems: list[FieldError]) -> Any:
    """A finite number kept as it is; infinities and NaN are not JSON."""
    if math.isfinite(value):
        return value
    problems.append(
        FieldError(render(where), "invalid_format", "numbers in extensions must be finite (JSON)")
    )
    return None


def _freeze_object(data: Any, where: Where, depth: int, problems: list[FieldError]) -> Any:
    """A read-only mapping of the object's members, those with a bad name left out."""
    frozen: dict[str, Any] = {}
    try:
        items = list(data.items())
    except Exception:  # a broken mapping given by a caller
        problems.append(FieldError(render(where), "invalid_type", "could not be read as an object"))
        return None
    for key, item in items:
        name = _member_name(key, where, problems)
        if name is None:
            continue
        if type(item) in _PLAIN or (
            type(item) is int and -MAX_EXTENSION_INTEGER <= item <= MAX_EXTENSION_INTEGER
        ):
            frozen[name] = item
        else:
            frozen[name] = freeze(item, (where, name), depth + 1, problems)
    return types.MappingProxyType(frozen)


def _member_name(key: object, where: Where, problems: list[FieldError]) -> str | None:
    """A member's name as a plain ``str``, or ``None`` (with its problem) when it cannot be one."""
    if type(key) is not str:
        if not isinstance(key, str):
            problems.append(
                FieldError(
                    render((where, key)),
                    "invalid_type",
                    f"object member names must be strings, not {type_name(key)}",
                )
            )
            return None
        key = str(key)
    if (why := unstorable(key)) is not None:
        shown = key.encode("utf-8", "backslashreplace").decode("utf-8")
        problems.append(FieldError(render((where, shown)), "invalid_format", f"name {why}"))
        return None
    return key


def _freeze_array(data: Any, where: Where, depth: int, problems: list[FieldError]) -> Any:
    """A tuple of the array's items, each frozen."""
    return tuple(
        item
        if type(item) in _PLAIN
        or (type(item) is int and -MAX_EXTENSION_INTEGER <= item <= MAX_EXTENSION_INTEGER)
        else freeze(item, (where, i), depth + 1, problems)
        for i, item in enumerate(data)
    )


def _freeze_subclass(value: object, where: Where, depth: int, problems: list[FieldError]) -> Any:
    """A subclass of a JSON scalar as its plain value; anything else is not a JSON value."""
    if isinstance(value, bool):  # pragma: no cover - bool cannot be subclassed
        return bool(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return freeze(float(value), where, depth, problems)
    problems.append(
        FieldError(
            render(where),
            "invalid_type",
            f"extensions may hold only JSON values, not {type_name(value)}",
        )
    )
    return None


def thaw(value: Any) -> Any:
    """The JSON form of a frozen value: a fresh copy with dicts and lists."""
    kind = type(value)
    if kind is types.MappingProxyType or isinstance(value, Mapping):
        return {key: thaw(item) for key, item in value.items()}
    if kind is tuple or kind is list:
        return [thaw(item) for item in value]
    return value


# --------------------------------------------------------------------------------------------
# parse_record
