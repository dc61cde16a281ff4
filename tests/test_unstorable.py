"""Text that cannot be stored and numbers too large to handle are bad input, never a crash."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import volunteer_rules as vr
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD

_BAD = st.sampled_from(
    ["\ud800", "\udfff", "\ufdd0", "\ufffe", "\uffff", "\U0001fffe", "\U0010ffff"]
)
_TEXT_FIELDS = (
    "activity_name",
    "content",
    "place",
    "person_in_charge",
    "recorded_by",
    "beneficiary",
)


@given(field=st.sampled_from(_TEXT_FIELDS), bad=_BAD, at=st.integers(0, 3))
def test_a_record_text_that_cannot_be_stored(field: str, bad: str, at: int) -> None:
    """A lone surrogate or a non-character in a text field: invalid_format at its path."""
    text = "社区服务"
    payload = {**SAMPLE_RECORD_PAYLOAD, field: text[:at] + bad + text[at:]}
    with pytest.raises(vr.RecordFormatError) as raised:
        vr.parse_record(payload)
    assert [(e.path, e.code) for e in raised.value.errors] == [(f"$.{field}", "invalid_format")]
    str(raised.value).encode("utf-8")  # the message itself can be printed


@pytest.mark.parametrize(
    ("extensions", "path"),
    [
        ({"a": "x\ud800"}, "$.extensions.a"),
        ({"a": ["ok", "\ufffe"]}, "$.extensions.a[1]"),
        ({"k\ud800": 1}, None),
    ],
)
def test_extensions_that_cannot_be_stored(extensions: dict[str, Any], path: str | None) -> None:
    """Inside extensions too, values and member names."""
    with pytest.raises(vr.RecordFormatError) as raised:
        vr.parse_record({**SAMPLE_RECORD_PAYLOAD, "extensions": extensions})
    (error,) = raised.value.errors
    assert error.code == "invalid_format"
    assert path is None or error.path == path
    str(raised.value).encode("utf-8")


def test_text_that_can_be_stored_still_parses() -> None:
    """Characters just next to the refused ones are fine."""
    for ok in ("\ud7ff", "\ue000", "\ufdcf", "\ufdf0", "\ufffd", "\U0001fffd", "😀"):
        record = vr.parse_record({**SAMPLE_RECORD_PAYLOAD, "content": "x" + ok})
        assert record.content.endswith(ok)


@pytest.mark.parametrize(
    "call",
    [
        lambda: vr.Hours.from_hours("1" * 5000),
        lambda: vr.Hours.from_hours(10**5000),
        lambda: vr.parse_record({**SAMPLE_RECORD_PAYLOAD, "format_version": 10**5000}),
        lambda: vr.parse_record({**SAMPLE_RECORD_PAYLOAD, "service_minutes": 10**5000}),
        lambda: vr.parse_profile({**SAMPLE_PROFILE_PAYLOAD, "format_version": 10**5000}),
    ],
    ids=["hours-text", "hours-int", "record-version", "record-minutes", "profile-version"],
)
def test_numbers_too_large_are_library_errors(call: Any) -> None:
    """More than 4300 digits: an out_of_range-like library error, never a bare ValueError."""
    with pytest.raises(vr.VolunteerRulesError) as raised:
        call()
    str(raised.value)


@given(field=st.sampled_from(["name", "contact"]), bad=_BAD)
def test_a_profile_text_that_cannot_be_stored(field: str, bad: str) -> None:
    """A profile's text is refused as a record's is (it could be written to no file)."""
    with pytest.raises(vr.RecordFormatError) as raised:
        vr.parse_profile({**SAMPLE_PROFILE_PAYLOAD, field: "王" + bad})
    assert [(e.path, e.code) for e in raised.value.errors] == [(f"$.{field}", "invalid_format")]
    str(raised.value).encode("utf-8")
