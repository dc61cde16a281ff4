"""One masking rule, one format per kind of value: a reader's message shows an ID number, a
mobile number or an e-mail address exactly as the command line shows it, and masking again
(the command line masks every message it prints) changes nothing.

The readers had a mask of their own ("any run of ten or more digits"), which showed a mobile
number as ``138123****8`` where the command line showed ``138****5678``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import volunteer_rules as vr
from _cli_helpers import write_lines
from test_privacy_sweep import id_numbers
from volunteer_rules._privacy import mask_long_numbers, mask_message_text, mask_personal_data
from volunteer_rules.cli import main
from volunteer_rules.errors import RecordFormatError
from volunteer_rules.records import parse_profile
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD

MOBILES = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
E_MAILS = st.from_regex(r"[a-z][a-z0-9.]{0,8}@example\.(org|cn)", fullmatch=True)
PERSONAL = st.one_of(id_numbers(), MOBILES, E_MAILS)
SEPARATORS = st.text(alphabet=" ,;:/()电话号码身份证", min_size=1, max_size=3)


@st.composite
def texts_with_personal_data(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A text of one to three ID numbers, mobile numbers or e-mails, and the values in it."""
    values = draw(st.lists(PERSONAL, min_size=1, max_size=3))
    text = draw(SEPARATORS)
    for value in values:
        text += value + draw(SEPARATORS)
    return text, values


def _errors(read: Any, payload: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(RecordFormatError) as raised:
        read(payload)
    return [(e.path, e.message) for e in raised.value.errors]


def _cut(text: str) -> str:
    return text if len(text) <= 40 else text[:40] + "…"


def test_a_mobile_number_in_a_column_name_is_shown_as_the_command_line_shows_it() -> None:
    payload = {**SAMPLE_RECORD_PAYLOAD, "联系电话 13812345678": "x"}
    assert _errors(vr.parse_record, payload)[0][0] == '$["联系电话 138****5678"]'


def test_a_mobile_number_as_a_value_is_shown_as_the_command_line_shows_it() -> None:
    payload = {**SAMPLE_RECORD_PAYLOAD, "status": "13812345678"}
    assert _errors(vr.parse_record, payload) == [
        ("$.status", "status '138****5678' is not one of rejected, submitted, verified, void")
    ]


def test_a_long_number_is_masked_as_an_id_number_is() -> None:
    """Any other run of ten or more digits: the first six and the last character kept."""
    assert mask_message_text("0427281234") == "042728***4"
    assert mask_message_text("工号 1101051949133100211X") == "工号 110105*************X"
    assert mask_message_text("123456789") == "123456789"
    payload = {**SAMPLE_RECORD_PAYLOAD, "date": "0427281234567"}
    assert _errors(vr.parse_record, payload)[0][1].endswith("not '042728******7'")


def test_a_long_value_is_masked_before_it_is_cut() -> None:
    """A number at the cut is masked whole, never cut into digits that escape the mask."""
    value = "x" * 32 + " 13812345678"
    payload = {**SAMPLE_RECORD_PAYLOAD, "status": value}
    (message,) = (m for _, m in _errors(vr.parse_record, payload))
    assert "x" * 32 + " 138****…" in message
    assert "1381234" not in message


@settings(max_examples=200, deadline=None)
@given(found=texts_with_personal_data())
def test_the_readers_show_personal_data_as_the_command_line_does(
    found: tuple[str, list[str]],
) -> None:
    """The record reader and the shared reader, in a value and in a name: the CLI's mask."""
    text, values = found
    shown = _cut(mask_personal_data(text))
    as_value = _errors(vr.parse_record, {**SAMPLE_RECORD_PAYLOAD, "status": text})
    in_record = _errors(vr.parse_record, {**SAMPLE_RECORD_PAYLOAD, text: 1})
    in_profile = _errors(parse_profile, {**SAMPLE_PROFILE_PAYLOAD, text: 1})
    assert as_value[0][1].startswith(f"status {_cut(mask_personal_data(text.strip()))!r} ")
    assert in_record[0][0] == in_profile[0][0] == "$[" + json.dumps(shown, ensure_ascii=False) + "]"
    for path, message in as_value + in_record + in_profile:
        line = f"{path}: {message}"
        assert mask_personal_data(line) == line  # the command line's mask changes nothing
        for value in values:
            assert value not in line


MESSY = st.text(alphabet="0123456789Xx@.-+ a_\\u\t中", max_size=60)


@settings(max_examples=500, deadline=None)
@given(text=MESSY | texts_with_personal_data().map(lambda found: found[0]))
def test_masking_a_message_twice_changes_nothing(text: str) -> None:
    """Nor does the command line's mask; no ten digits in a row are left."""
    masked = mask_message_text(text)
    assert mask_message_text(masked) == masked
    assert mask_personal_data(masked) == masked
    assert mask_long_numbers(masked) == masked
    assert mask_personal_data(mask_personal_data(text)) == mask_personal_data(text)
    assert re.search(r"[0-9]{10}", masked) is None


def test_the_command_line_prints_a_reader_message_with_its_own_mask(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_lines(
        tmp_path / "records.jsonl",
        [{**SAMPLE_RECORD_PAYLOAD, "status": "13812345678", "联系电话 li.lei@example.org": 1}],
    )
    assert main(["check", str(path), "--format", "json"]) == 1
    shown = capsys.readouterr().out
    assert "'138****5678' is not one of" in shown
    assert "联系电话 l***@example.org" in shown
    assert "138123" not in shown and "li.lei" not in shown


def test_an_error_keeps_an_organization_id_readable() -> None:
    """Errors mask personal data only: a credit code of digits alone (``512111005000000154``,
    no birth date inside) names the organization a storage error is about, so it stays whole;
    an ID number beside it is masked."""
    from volunteer_rules.errors import ConflictError

    error = ConflictError(
        "512111005000000154/r-1",
        "record 512111005000000154/r-1 of 11010519491231002X is already stored",
    )
    assert str(error) == ("record 512111005000000154/r-1 of 110105***********X is already stored")
    assert mask_personal_data(str(error)) == str(error)
