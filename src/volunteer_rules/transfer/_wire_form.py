"""Reading a transfer package's wire form, field by field (not public).

:func:`~volunteer_rules.parse_transfer_package` reads a package with these steps: the members
present (every unknown one and every missing one an error), then each member in turn, each
problem a :class:`~volunteer_rules.errors.FieldError` collected in one list so that every
problem is reported at once.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from typing import Any, Final

from stdnum.cn import uscc

from volunteer_rules._canonical import present_members
from volunteer_rules._iso import read_datetime
from volunteer_rules.errors import FieldError, RecordFormatError
from volunteer_rules.records._json import unknown_field
from volunteer_rules.records.record import ServiceRecord, parse_record
from volunteer_rules.transfer import parts as transfer_parts

ID_PATTERN: Final = re.compile(r"[A-Za-z0-9._-]{1,64}\Z")
ID_SHAPE: Final = "1-64 letters, digits, '-', '_' or '.'"
ORG_PATTERN: Final = re.compile(r"(?:[0-9A-Z]{18}|G-[A-Za-z0-9._-]{1,62})\Z")
ORG_SHAPE: Final = "an 18-character credit code or 'G-' and an id"
DIGEST_PATTERN: Final = re.compile(r"[0-9a-f]{64}\Z")
REGION_PATTERN: Final = re.compile(r"[0-9]{6}\Z")

MAX_INTEGER: Final = 2**63 - 1
"""The largest count a package may state (what every store can hold); larger is
``out_of_range``, so that no number of thousands of digits reaches a message or a store."""

REQUIRED: Final = (
    "format_version",
    "volunteer_id",
    "source_organization_id",
    "destination_organization_id",
    "destination_region_code",
    "consent",
    "guardian_consent",
    "created_at",
    "summary",
    "records",
    "digest",
)
OPTIONAL: Final = ("source_region_code",)


def present_fields(mapping: Mapping[Any, Any], errors: list[FieldError]) -> dict[str, Any]:
    """The package's known members; each unknown member, then each missing one, an error."""
    allowed = set(REQUIRED) | set(OPTIONAL) | set(transfer_parts.PART_FIELDS)
    errors.extend(
        unknown_field("$", name, "a transfer package") for name in mapping if name not in allowed
    )
    members = present_members(mapping)
    present = {name: members[name] for name in allowed if name in members}
    for name in REQUIRED:
        if name not in present:
            errors.append(FieldError(f"$.{name}", "missing", f"{name} is required"))
    return present


class FieldReader:
    """Reads the members present, each problem appended to ``errors``; ``None`` for a bad one."""

    __slots__ = ("errors", "present")

    def __init__(self, present: Mapping[str, Any], errors: list[FieldError]) -> None:
        self.present = present
        self.errors = errors

    def format_version(self, supported: int) -> None:
        """An integer, and the version this library reads."""
        if "format_version" not in self.present:
            return
        version = self.present["format_version"]
        if not isinstance(version, int) or isinstance(version, bool):
            self.errors.append(
                FieldError("$.format_version", "invalid_type", "format_version must be an integer")
            )
        elif version != supported:
            shown = str(version) if abs(version) <= MAX_INTEGER else "(a very large number)"
            self.errors.append(
                FieldError(
                    "$.format_version",
                    "unsupported_version",
                    f"package format version {shown} is not supported; this library reads "
                    f"version {supported}",
                )
            )

    def text(self, name: str, pattern: re.Pattern[str], shape: str) -> str | None:
        """A string of the given shape."""
        if name not in self.present:
            return None
        value = self.present[name]
        if not isinstance(value, str):
            self.errors.append(FieldError(f"$.{name}", "invalid_type", f"{name} must be a string"))
            return None
        if not pattern.match(value):
            self.errors.append(FieldError(f"$.{name}", "invalid_format", f"{name} must be {shape}"))
            return None
        return value

    def organization(self, side: str) -> str | None:
        """``{side}_organization_id``: a ``G-`` id or a valid unified social credit code."""
        value = self.text(f"{side}_organization_id", ORG_PATTERN, ORG_SHAPE)
        if value is None or value.startswith("G-") or uscc.is_valid(value):
            return value
        self.errors.append(
            FieldError(
                f"$.{side}_organization_id",
                "checksum",
                f"{side}_organization_id is not a valid unified social credit code (GB 32100)",
            )
        )
        return None

    def flag(self, name: str) -> bool | None:
        """``true`` or ``false``."""
        if name not in self.present:
            return None
        value = self.present[name]
        if not isinstance(value, bool):
            self.errors.append(
                FieldError(f"$.{name}", "invalid_type", f"{name} must be true or false")
            )
            return None
        return value

    def created_at(self) -> _dt.datetime | None:
        """An ISO 8601 date-time with a UTC offset."""
        if "created_at" not in self.present:
            return None
        raw = self.present["created_at"]
        if not isinstance(raw, str):
            self.errors.append(
                FieldError("$.created_at", "invalid_type", "created_at must be a string")
            )
            return None
        created_at = _parse_datetime(raw)
        if created_at is None:
            self.errors.append(
                FieldError(
                    "$.created_at",
                    "invalid_format",
                    "created_at must be an ISO 8601 date-time with a UTC offset",
                )
            )
        return created_at

    def summary_numbers(self) -> tuple[int, int] | None:
        """The summary's ``record_count`` and ``service_minutes``, each 0 to a 64-bit integer."""
        if "summary" not in self.present:
            return None
        value = self.present["summary"]
        errors = self.errors
        if not isinstance(value, Mapping):
            errors.append(FieldError("$.summary", "invalid_type", "summary must be an object"))
            return None
        known = ("record_count", "service_minutes")
        errors.extend(
            unknown_field("$.summary", name, "a summary") for name in value if name not in known
        )
        value = present_members(value)
        found: dict[str, int] = {}
        for name in ("record_count", "service_minutes"):
            if name not in value:
                errors.append(FieldError(f"$.summary.{name}", "missing", f"{name} is required"))
                continue
            number = value[name]
            if not isinstance(number, int) or isinstance(number, bool):
                errors.append(
                    FieldError(f"$.summary.{name}", "invalid_type", f"{name} must be an integer")
                )
            elif number < 0:
                errors.append(
                    FieldError(f"$.summary.{name}", "out_of_range", f"{name} must be 0 or more")
                )
            elif number > MAX_INTEGER:
                errors.append(
                    FieldError(
                        f"$.summary.{name}",
                        "out_of_range",
                        f"{name} must be at most {MAX_INTEGER:,} (a 64-bit integer)",
                    )
                )
            else:
                found[name] = number
        if len(found) != 2:
            return None
        return found["record_count"], found["service_minutes"]

    def records(self) -> list[ServiceRecord] | None:
        """Record format v1 payloads; their errors under ``$.records[i]``."""
        if "records" not in self.present:
            return None
        value = self.present["records"]
        if not isinstance(value, list):
            self.errors.append(FieldError("$.records", "invalid_type", "records must be an array"))
            return None
        records: list[ServiceRecord] = []
        failed = False
        for index, payload in enumerate(value):
            try:
                records.append(parse_record(payload))
            except RecordFormatError as error:
                self.errors.extend(transfer_parts.rebase_errors(error, f"$.records[{index}]"))
                failed = True
        return None if failed else records


def _parse_datetime(text: str) -> _dt.datetime | None:
    value = read_datetime(text)
    if value is None or value.utcoffset() is None:
        return None
    return value
