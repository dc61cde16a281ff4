"""The JSON Schema shipped for record format v1 agrees with parse_record and dump_record.

Only the standard library is used: a small validator for the keywords the schema uses.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

import pytest
from hypothesis import given

import volunteer_rules as vr
from volunteer_rules._privacy import MOBILE_NUMBER_PATTERN
from volunteer_rules.records._wording import RESIDENT_ID_RE, volunteer_id_problem
from volunteer_rules.records.record import FIELDS, REQUIRED_FIELDS
from volunteer_rules.testing import strategies as vst
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD

SCHEMA: dict[str, Any] = json.loads(
    (resources.files("volunteer_rules.records") / "schema" / "record-v1.schema.json").read_text(
        encoding="utf-8"
    )
)
KEYWORDS = {
    "$schema",
    "$id",
    "$ref",
    "$defs",
    "title",
    "description",
    "type",
    "const",
    "enum",
    "pattern",
    "format",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "required",
    "properties",
    "additionalProperties",
    "dependentRequired",
    "allOf",
    "anyOf",
    "not",
}
TYPES = {
    "object": dict,
    "string": str,
    "boolean": bool,
}


def resolve(reference: str) -> dict[str, Any]:
    """A local ``#/$defs/...`` reference."""
    assert reference.startswith("#/$defs/")
    found: dict[str, Any] = SCHEMA["$defs"][reference.removeprefix("#/$defs/")]
    return found


def valid(value: Any, schema: dict[str, Any]) -> bool:
    """Whether ``value`` meets ``schema`` (the subset of draft 2020-12 the file uses)."""
    checks: list[bool] = []
    if "$ref" in schema:
        checks.append(valid(value, resolve(schema["$ref"])))
    if "type" in schema:
        if schema["type"] == "integer":
            checks.append(type(value) is int)
        else:
            checks.append(isinstance(value, TYPES[schema["type"]]))
    if "const" in schema:
        checks.append(type(value) is type(schema["const"]) and value == schema["const"])
    if "enum" in schema:
        checks.append(isinstance(value, str) and value in schema["enum"])
    if isinstance(value, str):
        if "pattern" in schema:
            checks.append(re.search(schema["pattern"], value) is not None)
        checks.append(schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", 10**9))
    if type(value) is int:
        checks.append(schema.get("minimum", -(10**18)) <= value <= schema.get("maximum", 10**18))
    if isinstance(value, dict):
        checks.extend(name in value for name in schema.get("required", ()))
        properties = schema.get("properties", {})
        for name, item in value.items():
            if name in properties:
                checks.append(valid(item, properties[name]))
            elif schema.get("additionalProperties", True) is False:
                checks.append(False)
        for name, needed in schema.get("dependentRequired", {}).items():
            if name in value:
                checks.extend(other in value for other in needed)
    checks.extend(valid(value, part) for part in schema.get("allOf", ()))
    if "anyOf" in schema:
        checks.append(any(valid(value, part) for part in schema["anyOf"]))
    if "not" in schema:
        checks.append(not valid(value, schema["not"]))
    return all(checks)


def keywords(schema: Any) -> set[str]:
    """Every keyword used anywhere in a schema."""
    if not isinstance(schema, dict):
        return set()
    found = set(schema)
    for key, value in schema.items():
        if key in ("properties", "$defs", "dependentRequired"):
            for item in value.values():
                found |= keywords(item)
        elif isinstance(value, dict):
            found |= keywords(value)
        elif isinstance(value, list):
            for item in value:
                found |= keywords(item)
    return found


class TestStructure:
    def test_draft(self) -> None:
        """The schema declares draft 2020-12 and describes an object."""
        assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert SCHEMA["type"] == "object"
        assert SCHEMA["additionalProperties"] is False

    def test_known_keywords_only(self) -> None:
        """Only keywords this test's validator understands are used."""
        assert keywords(SCHEMA) <= KEYWORDS

    def test_fields_agree(self) -> None:
        """Properties and required fields are exactly the record format's."""
        assert list(SCHEMA["properties"]) == list(FIELDS)
        assert set(SCHEMA["required"]) == set(REQUIRED_FIELDS)
        assert SCHEMA["dependentRequired"] == {"start": ["end"], "end": ["start"]}

    def test_vocabularies_agree(self) -> None:
        """Enumerations equal the library's constants."""
        properties = SCHEMA["properties"]
        assert properties["status"]["enum"] == list(vr.STATUSES)
        assert properties["service_category"]["enum"] == list(vr.SERVICE_CATEGORIES)
        assert properties["evaluation"]["properties"]["rating"]["enum"] == list(vr.RATINGS)
        assert properties["format_version"]["const"] == vr.FORMAT_VERSION

    @pytest.mark.parametrize(
        ("field", "limit"),
        [
            ("activity_name", 200),
            ("content", 2000),
            ("place", 200),
            ("person_in_charge", 100),
            ("recorded_by", 100),
            ("beneficiary", 200),
        ],
    )
    def test_lengths_agree(self, field: str, limit: int) -> None:
        """Text limits equal parse_record's, on both sides."""
        schema = SCHEMA["properties"][field]
        assert schema["maxLength"] == limit
        assert valid("字" * limit, schema)
        assert not valid("字" * (limit + 1), schema)

    def test_minutes_agree(self) -> None:
        """service_minutes is an integer 1 to 1440; true is not an integer."""
        schema = SCHEMA["properties"]["service_minutes"]
        assert [valid(v, schema) for v in (0, 1, 1440, 1441, True, 90.0)] == [
            False,
            True,
            True,
            False,
            False,
            False,
        ]

    def test_resident_id_refused_as_volunteer(self) -> None:
        """The schema, like parse_record, refuses an ID-card number as volunteer_id."""
        schema = SCHEMA["properties"]["volunteer_id"]
        assert not valid("11010519491231002X", schema)
        assert valid("V0000001", schema)

    @pytest.mark.parametrize(
        ("text", "refused"),
        [
            ("13812345678", True),
            ("19912345678", True),
            ("138-1234-5678", True),
            ("8613812345678", True),
            ("0086-138-1234-5678", True),
            ("12812345678", False),
            ("138123456789", False),
            ("1381234567", False),
            ("V13812345678", False),
            ("138-12345678", False),
        ],
    )
    def test_mobile_number_refused_as_volunteer(self, text: str, refused: bool) -> None:
        """The schema, like parse_record, refuses a mobile number as volunteer_id; both sides."""
        assert valid(text, SCHEMA["properties"]["volunteer_id"]) is not refused
        assert (volunteer_id_problem(text) is not None) is refused

    def test_personal_number_shapes_are_the_librarys(self) -> None:
        """The schema's two shapes are the patterns the readers and the masking use, whole."""
        shapes = SCHEMA["$defs"]
        assert shapes["residentIdShape"]["pattern"] == f"^(?:{RESIDENT_ID_RE.pattern})$"
        assert shapes["mobileNumberShape"]["pattern"] == f"^(?:{MOBILE_NUMBER_PATTERN})$"
        refused = SCHEMA["properties"]["volunteer_id"]["allOf"][1:]
        assert refused == [
            {"not": {"$ref": "#/$defs/residentIdShape"}},
            {"not": {"$ref": "#/$defs/mobileNumberShape"}},
        ]


class TestPayloads:
    def test_sample(self) -> None:
        """The documented sample payload meets the schema."""
        assert valid(SAMPLE_RECORD_PAYLOAD, SCHEMA)

    @given(vst.record_payloads())
    def test_canonical_payloads(self, payload: dict[str, Any]) -> None:
        """Every canonical payload meets the schema."""
        assert valid(payload, SCHEMA)

    @given(vst.service_records())
    def test_dumps(self, record: vr.ServiceRecord) -> None:
        """Everything dump_record writes meets the schema."""
        assert valid(vr.dump_record(record), SCHEMA)

    @pytest.mark.parametrize(
        "change",
        [
            {"status": "done"},
            {"service_minutes": 0},
            {"record_id": "r 1"},
            {"colour": "red"},
            {"group_service": False},
            {"date": "2024/05/01"},
            {"recorded_at": "2024-05-02T09:15:00Z"},
            {"organization_id": "G-"},
        ],
    )
    def test_refuses(self, change: dict[str, Any]) -> None:
        """Non-canonical or malformed values are refused by the schema too."""
        assert not valid({**SAMPLE_RECORD_PAYLOAD, **change}, SCHEMA)
