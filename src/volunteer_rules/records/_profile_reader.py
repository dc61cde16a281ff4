"""Reading the wire form of a volunteer's record parts: fields, types and problems with paths.

:class:`Reader` reads one JSON object field by field and collects every problem (path, code,
message, with long numbers masked), the error model of the record format.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Collection, Mapping
from typing import Any, Final

from volunteer_rules._canonical import present_members
from volunteer_rules._iso import read_date
from volunteer_rules._privacy import looks_like_identity_number, mask_identity_numbers
from volunteer_rules.errors import (
    FieldError,
    RecordFormatError,
)
from volunteer_rules.records._json import show, type_name, unknown_field, unstorable
from volunteer_rules.records.profile_parts import _ID_PATTERN, PARTS_FORMAT_VERSION

# --- reading payloads ------------------------------------------------------------------------


class _Reader:
    """Collects every problem of one payload, field by field."""

    def __init__(
        self, payload: object, allowed: Collection[str], form: str, prefix: str = "$"
    ) -> None:
        self.errors: list[FieldError] = []
        self.prefix = prefix
        self.data: Mapping[Any, Any] = {}
        if not isinstance(payload, Mapping):
            self.add(prefix, "invalid_type", f"must be a JSON object, not {type_name(payload)}")
            return
        self.data = present_members(payload)
        self.errors.extend(
            unknown_field(prefix, key, form) for key in payload if key not in allowed
        )

    def path(self, key: str) -> str:
        return f"{self.prefix}.{key}"

    def add(self, path: str, code: str, message: str) -> None:
        self.errors.append(FieldError(path, code, message))

    def version(self) -> None:
        value = self.data.get("format_version", _MISSING)
        if value is _MISSING:
            if self.data or not self.errors:
                self.add(self.path("format_version"), "missing", "format_version is required")
            return
        if type(value) is not int:
            self.add(self.path("format_version"), "invalid_type", "must be an integer")
        elif value != PARTS_FORMAT_VERSION:
            self.add(
                self.path("format_version"),
                "unsupported_version",
                f"version {show(value)} is not supported; this library reads version "
                f"{PARTS_FORMAT_VERSION}",
            )

    def _raw(self, key: str, required: bool) -> object:
        value = self.data.get(key, _MISSING)
        if value is _MISSING and required:
            self.add(self.path(key), "missing", f"{key} is required")
        return value

    def text(self, key: str, *, required: bool = True, max_length: int = 200) -> str | None:
        value = self._raw(key, required)
        if value is _MISSING:
            return None
        if not isinstance(value, str):
            self.add(self.path(key), "invalid_type", f"{key} must be a string")
            return None
        value = value.strip()
        if not value:
            self.add(self.path(key), "missing", f"{key} must not be empty")
            return None
        if (why := unstorable(value)) is not None:  # the record format's rule
            self.add(self.path(key), "invalid_format", f"{key} {why}")
            return None
        if len(value) > max_length:
            self.add(
                self.path(key), "out_of_range", f"{key} must be at most {max_length} characters"
            )
            return None
        return value

    def ident(self, key: str, *, required: bool = True) -> str | None:
        value = self._raw(key, required)
        if value is _MISSING:
            return None
        if not isinstance(value, str):
            self.add(self.path(key), "invalid_type", f"{key} must be a string")
            return None
        if not _ID_PATTERN.fullmatch(value):
            self.add(
                self.path(key),
                "invalid_format",
                f"{key} must be 1-64 letters, digits, '-', '_' or '.'",
            )
            return None
        if key == "volunteer_id" and looks_like_identity_number(value):
            self.add(
                self.path(key),
                "invalid_format",
                f"volunteer_id {mask_identity_numbers(value)!r} looks like a resident ID number;"
                " give the volunteer's unified number (志愿者统一编号), never an ID-card number",
            )
            return None
        return value

    def choice(self, key: str, choices: Collection[str], *, required: bool = True) -> str | None:
        value = self._raw(key, required)
        if value is _MISSING:
            return None
        if not isinstance(value, str):
            self.add(self.path(key), "invalid_type", f"{key} must be a string")
            return None
        if value not in choices:
            self.add(self.path(key), "unknown_code", f"{key} must be one of {', '.join(choices)}")
            return None
        return value

    def date(self, key: str, *, required: bool = True) -> _dt.date | None:
        value = self._raw(key, required)
        if value is _MISSING:
            return None
        if not isinstance(value, str):
            self.add(self.path(key), "invalid_type", f"{key} must be a string (an ISO date)")
            return None
        day = read_date(value)
        if day is None:
            self.add(
                self.path(key), "invalid_format", f"{key} must be an ISO date such as 2024-05-01"
            )
        return day

    def boolean(self, key: str, *, default: bool | None = None) -> bool | None:
        value = self._raw(key, default is None)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self.add(self.path(key), "invalid_type", f"{key} must be true or false")
            return None
        return value

    def integer(self, key: str, low: int, high: int) -> int | None:
        value = self._raw(key, True)
        if value is _MISSING:
            return None
        if type(value) is not int:
            self.add(self.path(key), "invalid_type", f"{key} must be an integer")
            return None
        if not low <= value <= high:
            self.add(self.path(key), "out_of_range", f"{key} must be from {low} to {high}")
            return None
        return value

    def names(
        self, key: str, *, vocabulary: Collection[str] | None = None
    ) -> frozenset[str] | None:
        value = self._raw(key, False)
        if value is _MISSING:
            return frozenset()
        if not isinstance(value, list):
            self.add(self.path(key), "invalid_type", f"{key} must be an array of strings")
            return None
        good: set[str] = set()
        ok = True
        for index, item in enumerate(value):
            path = f"{self.path(key)}[{index}]"
            if not isinstance(item, str):
                self.add(path, "invalid_type", "must be a string")
                ok = False
            elif not _ID_PATTERN.fullmatch(item):
                self.add(path, "invalid_format", "must be 1-64 letters, digits, '-', '_' or '.'")
                ok = False
            elif vocabulary is not None and item not in vocabulary:
                self.add(path, "unknown_code", f"{show(item)} is not a known code")
                ok = False
            else:
                good.add(item)
        return frozenset(good) if ok else None

    def fail(self, what: str) -> None:
        if self.errors:
            raise RecordFormatError(self.errors, what=what)


_MISSING: Final[Any] = object()
