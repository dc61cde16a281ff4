"""A number or e-mail address right after an escape (JSON's ``\\u0001``, ``repr``'s ``\\x01``) is
masked too: the escape's hexadecimal digits are not part of the number.

A control character (a tab, say) before an ID number in a file name or a text field is written by JSON as
``\\u0001`` and by ``repr`` as ``\\x01``; the command line masks the text it writes, and must
still see the number there.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from volunteer_rules._privacy import mask_personal_data
from volunteer_rules.cli import main

ID_NUMBER = "11010519491231002X"
MOBILE = "13812345678"
E_MAIL = "zhang.san@example.org"


@pytest.mark.parametrize("before", ["\x01", "\x1f", "x\x02", "\x7f", "\u2028", "\t", "\n", "\r"])
@pytest.mark.parametrize("value", [ID_NUMBER, "110105491231002", MOBILE, E_MAIL])
@pytest.mark.parametrize("escape", [json.dumps, repr])
def test_a_value_after_an_escape_is_masked(before: str, value: str, escape: object) -> None:
    written = escape(before + value + " ok")  # type: ignore[operator]
    masked = mask_personal_data(written)
    assert value not in masked
    assert masked == mask_personal_data(masked)
    if escape is json.dumps:  # still JSON, the escape intact
        assert json.loads(masked).startswith(before)


def test_a_backslash_before_an_e_mail_address_is_no_escape() -> None:
    assert mask_personal_data(json.dumps("\\" + E_MAIL)) == '"\\\\z***@example.org"'


@pytest.mark.parametrize("number", [ID_NUMBER, MOBILE])
def test_check_json_masks_a_file_name_with_a_control_character(
    tmp_path: Path, sample_records: Path, number: str, capsys: pytest.CaptureFixture[str]
) -> None:
    named = tmp_path / f"\x01{number}.jsonl"
    shutil.copy(sample_records, named)
    assert main(["check", "--format", "json", "--quiet", str(named)]) == 0
    out, err = capsys.readouterr()
    assert number not in out + err
    assert json.loads(out)["file"].startswith(str(tmp_path))
