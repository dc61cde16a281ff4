"""The JSON Schema and parse_record agree, except where docs/record-format.md says they differ.

Generated valid and invalid records (the Hypothesis strategies of ``volunteer_rules.testing``
and mutations of canonical payloads) go through the ``jsonschema`` package, with format checking
on and off, and through :func:`~volunteer_rules.parse_record`. Every disagreement is explained
by one of the ids of the table "Where the JSON Schema and parse_record differ"; an explanation
that is not in the table, or a disagreement that nothing explains, fails the test.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

import volunteer_rules as vr
from volunteer_rules.testing import strategies as vst
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD

SCHEMA: dict[str, Any] = json.loads(
    (resources.files("volunteer_rules.records") / "schema" / "record-v1.schema.json").read_text(
        encoding="utf-8"
    )
)
WITH_FORMATS = jsonschema.Draft202012Validator(
    SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)
WITHOUT_FORMATS = jsonschema.Draft202012Validator(SCHEMA)
DOCS = Path(__file__).resolve().parent.parent / "docs" / "record-format.md"


def documented_differences() -> set[str]:
    """The ids in the first column of the table in docs/record-format.md."""
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("### Where the JSON Schema and parse_record differ", 1)[1]
    section = section.split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([a-z-]+)` \|", section, flags=re.MULTILINE))


DOCUMENTED = documented_differences()


@contextlib.contextmanager
def _any_digits() -> Iterator[None]:
    """Let ``jsonschema`` write its messages about integers of thousands of digits."""
    if not hasattr(sys, "set_int_max_str_digits"):  # Python before 3.10.7 has no limit
        yield
        return
    before = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        yield
    finally:
        sys.set_int_max_str_digits(before)


def schema_errors(
    payload: Any, validator: jsonschema.Draft202012Validator
) -> list[jsonschema.ValidationError]:
    with _any_digits():
        return list(validator.iter_errors(payload))


def parse_errors(payload: Any) -> list[vr.FieldError] | None:
    """``None`` when parse_record accepts; its errors otherwise (never another exception)."""
    try:
        vr.parse_record(payload)
    except vr.RecordFormatError as error:
        return list(error.errors)
    return None


def _value_at(payload: Any, path: str) -> Any:
    """The value at a simple JSONPath of parse_record (``$.a.b[2]``); a sentinel if absent."""
    value = payload
    for name, index in re.findall(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]", path):
        try:
            value = value[name] if name else value[int(index)]
        except (KeyError, IndexError, TypeError):
            return object()
    return value


def _why_parse_refuses(payload: Any, error: vr.FieldError, *, formats: bool) -> str | None:
    """The documented difference that makes parse_record refuse what the schema accepts."""
    if error.code == "checksum":
        return "check-characters"
    if error.code == "unknown_code" and error.path == "$.region_code":
        return "region-assigned"
    if error.code == "inconsistent":
        return "cross-field"
    if "cannot be stored" in error.message:
        return "unstorable-text"
    if error.path.startswith("$.extensions"):
        if error.code == "out_of_range":
            return "extensions-depth" if "deep" in error.message else "extensions-number-size"
        if error.code == "invalid_format" and "finite" in error.message:
            return "non-finite"
    value = _value_at(payload, error.path)
    if error.code == "invalid_type" and isinstance(value, float) and value.is_integer():
        return "integral-number"
    if not formats and error.code == "invalid_format" and isinstance(value, str):
        return "impossible-date"
    return None


def _has_offset_seconds(error: jsonschema.ValidationError) -> bool:
    return (
        error.validator == "format"
        and isinstance(error.instance, str)
        and re.search(r"[+-]\d\d:\d\d:\d\d(\.\d+)?$", error.instance) is not None
    )


def explain(payload: Any, *, formats: bool) -> str | None:
    """``None`` when both sides agree; else the id of the difference (``"?"``: unexplained).

    A payload with several differences the schema cannot see (a wrong check character and two
    fields that disagree) is explained by all of them, their ids joined by ``+``.
    """
    validator = WITH_FORMATS if formats else WITHOUT_FORMATS
    refused_by_schema = schema_errors(payload, validator)
    refused_by_parse = parse_errors(payload)
    if bool(refused_by_schema) == (refused_by_parse is not None):
        return None
    if refused_by_parse is not None:
        reasons = {_why_parse_refuses(payload, e, formats=formats) for e in refused_by_parse}
        known = sorted(reason for reason in reasons if reason is not None)
        return "?" if None in reasons else "+".join(known)
    canonical = vr.dump_record(vr.parse_record(payload))
    if canonical != payload and not schema_errors(canonical, validator):
        return "non-canonical-input"
    if formats and all(_has_offset_seconds(e) for e in schema_errors(canonical, validator)):
        return "offset-seconds"
    return "?"


def assert_agree(payload: Any) -> None:
    """Both sides agree, or the difference is one the docs list."""
    for formats in (True, False):
        why = explain(payload, formats=formats)
        assert why is None or set(why.split("+")) <= DOCUMENTED, (why, formats, payload)


def test_several_hidden_differences_are_explained_together() -> None:
    """A wrong check character and a record entered before its day: both rows, together."""
    payload = {
        **SAMPLE_RECORD_PAYLOAD,
        "organization_id": "512111005000000155",
        "recorded_at": "2024-04-29T12:00:00+08:00",
    }
    assert explain(payload, formats=True) == "check-characters+cross-field"
    assert_agree(payload)


def test_the_format_checker_is_really_on() -> None:
    """jsonschema checks date and date-time only with its optional helpers installed."""
    checkers = jsonschema.Draft202012Validator.FORMAT_CHECKER.checkers
    assert {"date", "date-time"} <= set(checkers)
    assert not WITH_FORMATS.is_valid({**SAMPLE_RECORD_PAYLOAD, "recorded_at": "2024-02-30T09:15"})
    assert not WITH_FORMATS.is_valid({**SAMPLE_RECORD_PAYLOAD, "date": "2024-02-30"})


def test_the_docs_list_differences() -> None:
    """The table is there and each id is named once."""
    assert "integral-number" in DOCUMENTED and "non-canonical-input" in DOCUMENTED
    assert len(DOCUMENTED) >= 8


def _deep(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = {"a": value}
    return value


_OFFSET_SECONDS = {
    "date": "1900-05-01",
    "start": "1900-05-01T08:30:00+08:05:43",
    "end": "1900-05-01T11:00:00+08:05:43",
    "recorded_at": "1900-05-02T09:15:00+08:05:43",
}
# (change to the sample payload, the documented difference it shows: None when both agree)
MUTATIONS: list[tuple[str, dict[str, Any], str | None]] = [
    ("minutes 120.0", {"service_minutes": 120.0}, "integral-number"),
    ("minutes 120.5", {"service_minutes": 120.5}, None),
    ("format_version 1.0", {"format_version": 1.0}, "integral-number"),
    ("format_version 2", {"format_version": 2}, None),
    ("format_version true", {"format_version": True}, None),
    ("minutes true", {"service_minutes": True}, None),
    ("2024-02-30", {"date": "2024-02-30"}, "impossible-date"),
    ("2023-02-29", {"evaluation": {"rating": "good", "date": "2023-02-29"}}, "impossible-date"),
    ("month 13", {"date": "2024-13-01"}, None),
    ("hour 25", {"recorded_at": "2024-05-02T25:15:00+08:00"}, None),
    ("minute 60", {"recorded_at": "2024-05-02T09:60:00+08:00"}, None),
    ("leap second", {"recorded_at": "2024-05-02T09:15:60+08:00"}, None),
    ("offset +24:00", {"recorded_at": "2024-05-02T09:15:00+24:00"}, None),
    ("year 1899", {"date": "1899-05-01"}, None),
    ("year 3000", {"recorded_at": "3000-01-01T00:00:00+08:00"}, None),
    ("extensions 32 deep", {"extensions": _deep(32)}, None),
    ("extensions 40 deep", {"extensions": _deep(40)}, "extensions-depth"),
    ("extensions arrays", {"extensions": {"a": [[[[[[[[[[1]]]]]]]]]] * 4}}, None),
    ("NaN", {"extensions": {"x": math.nan}}, "non-finite"),
    ("-Infinity", {"extensions": {"x": [-math.inf]}}, "non-finite"),
    ("lone surrogate", {"content": "abc\ud800def"}, "unstorable-text"),
    ("surrogate in extensions", {"extensions": {"k\udfff": 1}}, "unstorable-text"),
    ("non-character", {"place": "a\ufdd0b"}, "unstorable-text"),
    ("plane-16 non-character", {"beneficiary": "x\U0010ffff"}, "unstorable-text"),
    ("huge minutes", {"service_minutes": 10**5000}, None),
    ("huge format_version", {"format_version": 10**5000}, None),
    ("huge negative minutes", {"service_minutes": -(10**5000)}, None),
    ("huge in extensions", {"extensions": {"n": 10**5000}}, "extensions-number-size"),
    ("4300 digits in extensions", {"extensions": {"n": [10**4300 - 1]}}, None),
    ("check characters", {"organization_id": "512111005000000155"}, "check-characters"),
    ("region never assigned", {"region_code": "211199"}, "region-assigned"),
    ("end before start", {"end": "2024-05-01T08:00:00+08:00"}, "cross-field"),
    ("amends itself", {"amends": SAMPLE_RECORD_PAYLOAD["record_id"]}, "cross-field"),
    ("white space", {"place": " 幸福社区 "}, "non-canonical-input"),
    ("no-break space", {"place": "\u00a0幸福社区"}, "non-canonical-input"),
    ("Z", {"recorded_at": "2024-05-02T01:15:00Z"}, "non-canonical-input"),
    ("no seconds", {"recorded_at": "2024-05-02T09:15+08:00"}, "non-canonical-input"),
    ("null optional", {"beneficiary": None}, "non-canonical-input"),
    ("group_service false", {"group_service": False}, "non-canonical-input"),
    ("lowercase credit code", {"organization_id": "51211100mj00000175"}, "non-canonical-input"),
    ("offset with seconds", _OFFSET_SECONDS, "offset-seconds"),
    ("ID number as volunteer", {"volunteer_id": "11010519491231002X"}, None),
    ("mobile number as volunteer", {"volunteer_id": "13812345678"}, None),
    ("mobile number 3-4-4 as volunteer", {"volunteer_id": "0086-138-1234-5678"}, None),
    ("12 digits as volunteer", {"volunteer_id": "138123456789"}, None),
    ("prefix 12 as volunteer", {"volunteer_id": "12812345678"}, None),
    ("unknown field", {"colour": "blue"}, None),
    ("too long", {"place": "字" * 201}, None),
    ("astral text", {"place": "𠀋" * 200}, None),
]


@pytest.mark.parametrize(
    ("change", "expected"),
    [pytest.param(change, expected, id=name) for name, change, expected in MUTATIONS],
)
def test_mutations(change: dict[str, Any], expected: str | None) -> None:
    """Each mutation agrees, or differs exactly as its documented row says."""
    payload = {**SAMPLE_RECORD_PAYLOAD, **change}
    found = {explain(payload, formats=True), explain(payload, formats=False)} - {None}
    assert found == ({expected} if expected else set()), (found, payload)
    assert found <= DOCUMENTED


def test_every_documented_difference_is_shown() -> None:
    """The table lists no difference that the mutations do not show (no stale rows)."""
    assert {expected for _, _, expected in MUTATIONS} - {None} == DOCUMENTED


def _json_round_trip(payload: Any) -> Any:
    """What a JSON reader would hand over (payloads with non-JSON Python values are dropped)."""
    try:
        return json.loads(json.dumps(payload))
    except (TypeError, ValueError):
        return None


@given(vst.record_payloads())
def test_canonical_payloads_agree(payload: dict[str, Any]) -> None:
    """Every canonical payload is accepted by both."""
    assert not schema_errors(payload, WITH_FORMATS)
    assert parse_errors(payload) is None


@given(vst.service_records())
def test_dumped_records_agree(record: vr.ServiceRecord) -> None:
    """Everything dump_record writes is valid for both (except an offset with seconds)."""
    payload = vr.dump_record(record)
    assert parse_errors(payload) is None
    assert_agree(payload)


@given(vst.record_payloads(malformed=True))
def test_malformed_payloads(payload: dict[str, Any]) -> None:
    """Malformed payloads: refused by both, or the difference is documented."""
    read = _json_round_trip(payload)
    if read is not None:
        assert_agree(read)


_TEXT_FIELDS = ("activity_name", "content", "place", "person_in_charge", "recorded_by")
_ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    """A canonical payload with one to three fields replaced by odd but JSON values."""
    payload = dict(draw(vst.record_payloads()))
    for _ in range(draw(st.integers(1, 3))):
        field = draw(st.sampled_from(sorted(SCHEMA["properties"])))
        payload[field] = draw(
            st.one_of(
                st.integers(-(10**6), 10**6),
                st.sampled_from((10**5000, -(10**5000), 2**63)),
                st.floats(allow_nan=True, allow_infinity=True),
                st.integers(0, 2000).map(float),
                st.booleans(),
                st.none(),
                _ANY_TEXT,
                st.dates().map(str),
                st.sampled_from(("2024-02-30", "2024-05-01T25:00:00+08:00", "1899-12-31")),
                st.builds(lambda x: {"x": x}, _ANY_TEXT | st.floats()),
                st.integers(1, 40).map(_deep),
            )
        )
    if draw(st.booleans()):
        field = draw(st.sampled_from(_TEXT_FIELDS))
        payload[field] = draw(_ANY_TEXT.filter(str.strip))
    return payload


@given(mutated())
def test_mutated_payloads(payload: dict[str, Any]) -> None:
    """Odd values in any field: agreement, or a documented difference."""
    assert_agree(payload)
