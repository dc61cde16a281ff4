"""The mapping form of a rule set, as read from JSON or TOML: read, checked and written back.

:func:`rule_set_from_mapping` reports every structural problem at once;
:func:`dump_rule_set` writes the form it reads. :mod:`volunteer_rules.rules.rule_set`
re-exports both.

Example:
    >>> from volunteer_rules.rules.schemes import get_rule_set
    >>> rule_set = get_rule_set("cn-national")
    >>> rule_set_from_mapping(dump_rule_set(rule_set)) == rule_set
    True
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from typing import Any, Final

from volunteer_rules._canonical import present_members
from volunteer_rules.errors import (
    FieldError,
    InvalidTypeError,
    RecordFormatError,
    RuleSetError,
    VolunteerRulesError,
)
from volunteer_rules.hours import Hours
from volunteer_rules.records._fields import (
    Problems,
    read_choice,
    read_date,
    read_text,
    year_in_range,
)
from volunteer_rules.records._json import show, type_name, unknown_field
from volunteer_rules.records._wording import WHOLE, named, out_of_range, wrong_type
from volunteer_rules.records.record import RATINGS
from volunteer_rules.rules.level import AgeBand, GroupRule, Level, QualityRule
from volunteer_rules.rules.scheme import TENURE_STARTS, WINDOWS, Reference, RuleSet, RuleSetVersion

__all__ = ["dump_rule_set", "rule_set_from_mapping"]


_MISSING: Final = object()

_MAX_MAPPING_INTEGER: Final = 1_000_000
"""The largest whole number a rule-set mapping may give (a rank, months, an age, a count);
larger is ``out_of_range``, so that no number of thousands of digits reaches the rules."""


class _Reader:
    """The rule-set mapping's reader: the record format's wording and reading of each kind.

    Its own class because a rule-set mapping read from TOML may hold native dates and tuples;
    text, dates and choices are read by the record reader's functions (trimmed, dates in the
    years 1900 to 2999), and every message names the member, as every other reader's does.
    """

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def fail(self, path: str, code: str, message: str) -> None:
        self.errors.append(FieldError(path, code, message))

    def at(self, path: str) -> tuple[Problems, str]:
        """A collector of problems into this reader's, and the member's name at ``path``.

        An array's item (``$.references[0]``) has no name: its path names it.
        """
        prefix, key = (path, "") if path.endswith("]") else path.rsplit(".", 1)
        problems = Problems(prefix)
        problems.errors = self.errors
        return problems, key

    def get(
        self, mapping: Mapping[str, Any], path: str, allowed: Iterable[str], required: Iterable[str]
    ) -> dict[str, Any]:
        allowed = set(allowed)
        self.errors.extend(
            unknown_field(path, key, "a rule set") for key in mapping if key not in allowed
        )
        mapping = present_members(mapping)
        out: dict[str, Any] = {key: value for key, value in mapping.items() if key in allowed}
        for key in required:
            if key not in mapping:
                self.fail(f"{path}.{key}", "missing", f"{key} is required")
                out[key] = _MISSING
        return out

    def mapping(self, value: object, path: str) -> Mapping[str, Any] | None:
        if value is _MISSING:
            return None
        if not isinstance(value, Mapping):
            self.fail(path, "invalid_type", f"must be a JSON object, not {type_name(value)}")
            return None
        if not all(isinstance(k, str) for k in value):
            self.fail(path, "invalid_type", "must be a JSON object: its member names strings")
            return None
        return value

    def list(self, value: object, path: str) -> list[Any]:
        if value is _MISSING:
            return []
        if not isinstance(value, (list, tuple)):
            self.fail(path, "invalid_type", wrong_type(self.at(path)[1], "an array", value))
            return []
        return list(value)

    def text(self, value: object, path: str, optional: bool = False) -> str | None:
        if value is _MISSING or (value is None and optional):
            return None
        problems, key = self.at(path)
        if value is None:  # an array's item given as null
            self.fail(path, "invalid_type", wrong_type(key, "a string", value))
            return None
        return read_text(value, key, None, problems)

    def date(self, value: object, path: str, optional: bool = False) -> _dt.date | None:
        if value is _MISSING or (value is None and optional):
            return None
        problems, key = self.at(path)
        if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):  # TOML's
            return value if year_in_range(value, key, problems) else None
        return read_date(value, key, problems)

    def hours(self, value: object, path: str, optional: bool = False) -> Hours | None:
        if value is _MISSING or (value is None and optional):
            return None
        key = self.at(path)[1]
        shape = "hours as an integer or a decimal string"
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            self.fail(path, "invalid_type", wrong_type(key, shape, value))
            return None
        try:
            return Hours.from_hours(value)
        except VolunteerRulesError as error:
            if "too large" in str(error):
                self.fail(path, "out_of_range", named(key, "must be less than 10**15 hours"))
                return None
        self.fail(path, "invalid_format", named(key, f"must be {shape}, not {show(value)}"))
        return None

    def integer(self, value: object, path: str, optional: bool = False) -> int | None:
        if value is _MISSING or (value is None and optional):
            return None
        key = self.at(path)[1]
        if type(value) is not int:
            self.fail(path, "invalid_type", wrong_type(key, WHOLE, value))
            return None
        if not 0 <= value <= _MAX_MAPPING_INTEGER:
            # ranks, months, ages and counts: a number of thousands of digits is never used
            self.fail(path, "out_of_range", out_of_range(key, 0, _MAX_MAPPING_INTEGER, value))
            return None
        return value

    def boolean(self, value: object, path: str) -> bool:
        if value is _MISSING:
            return False
        if not isinstance(value, bool):
            self.fail(path, "invalid_type", wrong_type(self.at(path)[1], "true or false", value))
            return False
        return value

    def choice(self, value: object, path: str, allowed: tuple[str, ...]) -> str | None:
        if value is _MISSING:
            return None
        problems, key = self.at(path)
        return read_choice(value, key, allowed, problems)


def _read_level(reader: _Reader, value: object, path: str) -> dict[str, Any] | None:
    raw = reader.mapping(value, path)
    if raw is None:
        return None
    fields = reader.get(
        raw,
        path,
        (
            "rank",
            "name",
            "label",
            "hours",
            "min_tenure_months",
            "requires_previous",
            "attestations",
            "once",
            "continuous",
            "quality",
        ),
        ("rank", "name", "label", "hours"),
    )
    out: dict[str, Any] = {
        "rank": reader.integer(fields.get("rank"), f"{path}.rank"),
        "name": reader.text(fields.get("name"), f"{path}.name"),
        "label": reader.text(fields.get("label"), f"{path}.label"),
        "hours": reader.hours(fields.get("hours"), f"{path}.hours"),
    }
    if "min_tenure_months" in fields:
        out["min_tenure_months"] = reader.integer(
            fields["min_tenure_months"], f"{path}.min_tenure_months"
        )
    for flag in ("requires_previous", "once", "continuous"):
        if flag in fields:
            out[flag] = reader.boolean(fields[flag], f"{path}.{flag}")
    if "attestations" in fields:
        out["attestations"] = tuple(
            reader.text(v, f"{path}.attestations[{i}]")
            for i, v in enumerate(reader.list(fields["attestations"], f"{path}.attestations"))
        )
    if fields.get("quality") is not None:
        qpath = f"{path}.quality"
        qraw = reader.mapping(fields["quality"], qpath)
        if qraw is not None:
            qf = reader.get(qraw, qpath, _QUALITY_FIELDS, ())
            quality: dict[str, Any] = {}
            for key in ("min_average_rating", "min_record_rating"):
                if qf.get(key) is not None:
                    quality[key] = reader.choice(qf[key], f"{qpath}.{key}", RATINGS)
            if "min_evaluated_records" in qf:
                quality["min_evaluated_records"] = reader.integer(
                    qf["min_evaluated_records"], f"{qpath}.min_evaluated_records"
                )
            if "no_sanction_months" in qf:
                quality["no_sanction_months"] = reader.integer(
                    qf["no_sanction_months"], f"{qpath}.no_sanction_months", True
                )
            if "note" in qf:
                quality["note"] = reader.text(qf["note"], f"{qpath}.note", True)
            out["quality"] = quality
    return out


_QUALITY_FIELDS: Final = (
    "min_average_rating",
    "min_record_rating",
    "min_evaluated_records",
    "no_sanction_months",
    "note",
)


_VERSION_FIELDS: Final = (
    "valid_from",
    "valid_until",
    "levels",
    "window",
    "min_rating",
    "age_bands",
    "group",
    "cycle_hours",
    "validity_months",
    "hours_reused_on_renewal",
    "tenure_from",
    "note",
)


def _read_version(reader: _Reader, value: object, path: str) -> dict[str, Any] | None:
    raw = reader.mapping(value, path)
    if raw is None:
        return None
    fields = reader.get(raw, path, _VERSION_FIELDS, ("valid_from", "levels"))
    out: dict[str, Any] = {
        "valid_from": reader.date(fields.get("valid_from"), f"{path}.valid_from"),
        "levels": _read_levels(reader, fields.get("levels", []), f"{path}.levels"),
    }
    if fields.get("valid_until") is not None:
        out["valid_until"] = reader.date(fields["valid_until"], f"{path}.valid_until")
    if "tenure_from" in fields:
        out["tenure_from"] = reader.choice(
            fields["tenure_from"], f"{path}.tenure_from", TENURE_STARTS
        )
    if "window" in fields:
        out["window"] = reader.choice(fields["window"], f"{path}.window", WINDOWS)
    if fields.get("min_rating") is not None:
        out["min_rating"] = reader.choice(fields["min_rating"], f"{path}.min_rating", RATINGS)
    if "age_bands" in fields:
        out["age_bands"] = _read_age_bands(reader, fields["age_bands"], f"{path}.age_bands")
    if fields.get("group") is not None:
        group = _read_group(reader, fields["group"], f"{path}.group")
        if group is not None:
            out["group"] = group
    if "cycle_hours" in fields:
        out["cycle_hours"] = reader.hours(fields["cycle_hours"], f"{path}.cycle_hours", True)
    if "validity_months" in fields:
        out["validity_months"] = reader.integer(
            fields["validity_months"], f"{path}.validity_months", True
        )
    if "hours_reused_on_renewal" in fields:
        out["hours_reused_on_renewal"] = reader.boolean(
            fields["hours_reused_on_renewal"], f"{path}.hours_reused_on_renewal"
        )
    if "note" in fields:
        out["note"] = reader.text(fields["note"], f"{path}.note", True)
    return out


def _read_levels(reader: _Reader, value: object, path: str) -> list[dict[str, Any] | None]:
    """The levels of a version or of its group, each read at its index."""
    return [_read_level(reader, v, f"{path}[{i}]") for i, v in enumerate(reader.list(value, path))]


def _read_age_bands(reader: _Reader, value: object, path: str) -> list[dict[str, Any]]:
    """A version's age bands: the ages each covers and its thresholds.

    A band that is no object is left out (the reader has said so).
    """
    bands = []
    for i, band in enumerate(reader.list(value, path)):
        bpath = f"{path}[{i}]"
        braw = reader.mapping(band, bpath)
        if braw is None:
            continue
        bf = reader.get(braw, bpath, ("min_age", "max_age", "hours"), ("min_age", "hours"))
        bands.append(
            {
                "min_age": reader.integer(bf.get("min_age"), f"{bpath}.min_age"),
                "max_age": reader.integer(bf.get("max_age"), f"{bpath}.max_age", True),
                "hours": [
                    reader.hours(h, f"{bpath}.hours[{j}]")
                    for j, h in enumerate(reader.list(bf.get("hours", []), f"{bpath}.hours"))
                ],
            }
        )
    return bands


def _read_group(reader: _Reader, value: object, path: str) -> dict[str, Any] | None:
    """A version's group award: each member's minimum and the group's levels.

    ``None`` when it is no object (the reader has said so).
    """
    graw = reader.mapping(value, path)
    if graw is None:
        return None
    gf = reader.get(graw, path, ("min_member_hours", "levels"), ("min_member_hours", "levels"))
    return {
        "min_member_hours": reader.hours(gf.get("min_member_hours"), f"{path}.min_member_hours"),
        "levels": _read_levels(reader, gf.get("levels", []), f"{path}.levels"),
    }


def rule_set_from_mapping(mapping: Mapping[str, Any]) -> RuleSet:
    """Build a rule set from a plain mapping (as read from JSON or TOML).

    The shape is :func:`dump_rule_set`'s: hours as integers or decimal strings, dates as ISO
    strings. Every structural problem is reported at once in a
    :class:`~volunteer_rules.RecordFormatError` (``what="rule set"``) with paths such as
    ``$.versions[0].levels[1].hours``; a well-formed rule set whose rules contradict each other
    raises :class:`~volunteer_rules.RuleSetError`.

    Example:
        >>> rs = rule_set_from_mapping({
        ...     "id": "xx-club", "name": "Club", "name_zh": "俱乐部", "references": [],
        ...     "versions": [{"valid_from": "2024-01-01", "window": "calendar_year", "levels": [
        ...         {"rank": 1, "name": "bronze", "label": "铜", "hours": 20},
        ...         {"rank": 2, "name": "silver", "label": "银", "hours": "40.5"}]}]})
        >>> rs.versions[0].levels[1].hours.minutes
        2430
        >>> rule_set_from_mapping({"id": "xx"})
        Traceback (most recent call last):
        ...
        volunteer_rules.errors.RecordFormatError: invalid rule set: $.name: missing: name is required; $.name_zh: missing: name_zh is required; $.references: missing: references is required; $.versions: missing: versions is required
    """
    reader = _Reader()
    raw = reader.mapping(mapping, "$")
    if raw is None:
        raise RecordFormatError(reader.errors, what="rule set")
    fields = reader.get(
        raw,
        "$",
        ("id", "name", "name_zh", "references", "versions", "paused_since", "note"),
        ("id", "name", "name_zh", "references", "versions"),
    )
    references: list[dict[str, Any]] = []
    for i, value in enumerate(reader.list(fields.get("references", []), "$.references")):
        path = f"$.references[{i}]"
        rraw = reader.mapping(value, path)
        if rraw is None:
            continue
        rf = reader.get(
            rraw, path, ("key", "document", "article", "date", "note"), ("key", "document")
        )
        references.append(
            {
                "key": reader.text(rf.get("key"), f"{path}.key"),
                "document": reader.text(rf.get("document"), f"{path}.document"),
                "article": reader.text(rf.get("article"), f"{path}.article", True),
                "date": reader.date(rf.get("date"), f"{path}.date", True),
                "note": reader.text(rf.get("note"), f"{path}.note", True),
            }
        )
    versions = [
        _read_version(reader, v, f"$.versions[{i}]")
        for i, v in enumerate(reader.list(fields.get("versions", []), "$.versions"))
    ]
    rule_set_id = reader.text(fields.get("id"), "$.id")
    name = reader.text(fields.get("name"), "$.name")
    name_zh = reader.text(fields.get("name_zh"), "$.name_zh")
    paused = reader.date(fields.get("paused_since"), "$.paused_since", True)
    note = reader.text(fields.get("note"), "$.note", True)
    if reader.errors:
        raise RecordFormatError(reader.errors, what="rule set")
    ident = rule_set_id or ""
    try:
        return RuleSet(
            id=ident,
            name=name or "",
            name_zh=name_zh or "",
            references=tuple(Reference(**r) for r in references),
            versions=tuple(_build_version(v) for v in versions if v is not None),
            paused_since=paused,
            note=note,
        )
    except RuleSetError:
        raise
    except VolunteerRulesError as error:
        raise RuleSetError(ident, str(error)) from None


def _build_level(raw: dict[str, Any]) -> Level:
    raw = dict(raw)
    if "quality" in raw:
        raw["quality"] = QualityRule(**raw["quality"])
    return Level(**raw)


def _build_version(raw: dict[str, Any]) -> RuleSetVersion:
    raw = dict(raw)
    raw["levels"] = tuple(_build_level(v) for v in raw["levels"] if v is not None)
    if "age_bands" in raw:
        raw["age_bands"] = tuple(
            AgeBand(min_age=b["min_age"], max_age=b["max_age"], hours=tuple(b["hours"]))
            for b in raw["age_bands"]
        )
    if "group" in raw:
        group = raw["group"]
        raw["group"] = GroupRule(
            min_member_hours=group["min_member_hours"],
            levels=tuple(_build_level(v) for v in group["levels"] if v is not None),
        )
    return RuleSetVersion(**raw)


def _hours_text(hours: Hours) -> str | int:
    if hours.minutes % 60 == 0:
        return hours.minutes // 60
    return str(hours.to_decimal_hours(places=10).normalize())


def _dump_level(level: Level) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rank": level.rank,
        "name": level.name,
        "label": level.label,
        "hours": _hours_text(level.hours),
    }
    if level.min_tenure_months:
        out["min_tenure_months"] = level.min_tenure_months
    if level.requires_previous:
        out["requires_previous"] = True
    if level.attestations:
        out["attestations"] = list(level.attestations)
    if level.once:
        out["once"] = True
    if level.continuous:
        out["continuous"] = True
    if level.quality is not None:
        q = level.quality
        out["quality"] = {
            k: v
            for k, v in (
                ("min_average_rating", q.min_average_rating),
                ("min_record_rating", q.min_record_rating),
                ("min_evaluated_records", q.min_evaluated_records or None),
                ("no_sanction_months", q.no_sanction_months),
                ("note", q.note),
            )
            if v is not None
        }
    return out


def dump_rule_set(rule_set: RuleSet) -> dict[str, Any]:
    """The plain (JSON-compatible) mapping of a rule set; :func:`rule_set_from_mapping` reads it.

    Example:
        >>> from volunteer_rules.rules.schemes import get_rule_set
        >>> rs = get_rule_set("hk-swd")
        >>> rule_set_from_mapping(dump_rule_set(rs)) == rs
        True
    """
    if not isinstance(rule_set, RuleSet):
        raise InvalidTypeError("rule_set", "must be a RuleSet")
    versions = []
    for v in rule_set.versions:
        out: dict[str, Any] = {
            "valid_from": v.valid_from.isoformat(),
            "window": v.window,
            "levels": [_dump_level(level) for level in v.levels],
        }
        if v.valid_until is not None:
            out["valid_until"] = v.valid_until.isoformat()
        if v.tenure_from != "first_counted":
            out["tenure_from"] = v.tenure_from
        if v.min_rating is not None:
            out["min_rating"] = v.min_rating
        if v.age_bands:
            out["age_bands"] = [
                {
                    "min_age": b.min_age,
                    "max_age": b.max_age,
                    "hours": [_hours_text(h) for h in b.hours],
                }
                for b in v.age_bands
            ]
        if v.group is not None:
            out["group"] = {
                "min_member_hours": _hours_text(v.group.min_member_hours),
                "levels": [_dump_level(level) for level in v.group.levels],
            }
        if v.cycle_hours is not None:
            out["cycle_hours"] = _hours_text(v.cycle_hours)
        if v.validity_months is not None:
            out["validity_months"] = v.validity_months
        if not v.hours_reused_on_renewal:
            out["hours_reused_on_renewal"] = False
        if v.note is not None:
            out["note"] = v.note
        versions.append(out)
    result: dict[str, Any] = {
        "id": rule_set.id,
        "name": rule_set.name,
        "name_zh": rule_set.name_zh,
        "references": [
            {
                k: v
                for k, v in (
                    ("key", r.key),
                    ("document", r.document),
                    ("article", r.article),
                    ("date", r.date.isoformat() if r.date else None),
                    ("note", r.note),
                )
                if v is not None
            }
            for r in rule_set.references
        ],
        "versions": versions,
    }
    if rule_set.paused_since is not None:
        result["paused_since"] = rule_set.paused_since.isoformat()
    if rule_set.note is not None:
        result["note"] = rule_set.note
    return result
