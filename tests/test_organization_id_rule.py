"""An organization id is judged by one rule, whichever reader or class meets it.

The rule (docs/record-format.md, `organization_id`): ``G-`` and 1-62 id characters (an
unregistered group's platform id; more is ``out_of_range``), or an 18-character unified social
credit code (GB 32100) whose two check characters are right (else ``checksum``); anything else
is ``invalid_format``. The record reader, the community's organization reader, the transfer
package reader and the ``Organization`` class must accept and refuse the same texts, with the
same code and the same message.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc

import volunteer_rules as vr
from volunteer_rules.certificates import Issuer
from volunteer_rules.community import (
    Organization,
    dump_organization,
    dump_station,
    parse_organization,
    parse_station,
)
from volunteer_rules.errors import InvalidValueError, RecordFormatError
from volunteer_rules.matching.demand import parse_demand
from volunteer_rules.records.region import RegionCode
from volunteer_rules.testing.community_examples import sample_organizations, sample_station
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD, sample_transfer_package
from volunteer_rules.testing.matching_examples import SAMPLE_DEMAND_PAYLOAD
from volunteer_rules.testing.strategies import organization_codes

Verdict = tuple[str, str] | None
"""``None`` for an accepted id, else ``(code, message after the member's name)``."""

_ID_CHARS = "abcXYZ019._-"
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALID_CODES = ("512111005000000154", "51211100MJ00000175", "91110000600037341L")


def _problem(error: RecordFormatError, path: str, name: str) -> Verdict:
    found = [e for e in error.errors if e.path == path]
    assert len(found) == 1, error.errors
    assert found[0].message.startswith(f"{name} "), found[0].message
    return found[0].code, found[0].message.removeprefix(f"{name} ")


def by_record_reader(text: str) -> Verdict:
    try:
        vr.parse_record(dict(SAMPLE_RECORD_PAYLOAD, organization_id=text))
    except RecordFormatError as error:
        return _problem(error, "$.organization_id", "organization_id")
    return None


def by_community_reader(text: str) -> Verdict:
    payload = dump_organization(sample_organizations().get("G-xingfu-team"))
    payload = {**payload, "organization_id": text}
    payload.pop("parent_id", None)
    try:
        parse_organization(payload)
    except RecordFormatError as error:
        return _problem(error, "$.organization_id", "organization_id")
    return None


_PACKAGE = vr.dump_transfer_package(sample_transfer_package())


def by_package_reader(text: str) -> Verdict:
    try:
        vr.parse_transfer_package({**_PACKAGE, "destination_organization_id": text})
    except RecordFormatError as error:
        return _problem(error, "$.destination_organization_id", "destination_organization_id")
    return None


def by_demand_reader(text: str) -> Verdict:
    try:
        parse_demand({**SAMPLE_DEMAND_PAYLOAD, "organization_id": text})
    except RecordFormatError as error:
        return _problem(error, "$.organization_id", "organization_id")
    return None


def by_organization_class(text: str) -> str | None:
    """The message of the refusal (the class raises no code), or ``None``."""
    try:
        Organization(
            organization_id=text,
            name="队",
            kind="volunteer_team",
            region=RegionCode.parse("211103"),
            responsible_department="兴隆台区民政局",
            registered_on=dt.date(2020, 1, 1),
        )
    except InvalidValueError as error:
        return str(error).removeprefix("organization_id: ")
    return None


def by_certificate_issuer(text: str) -> str | None:
    """The message of a certificate issuer's refusal, or ``None``."""
    try:
        Issuer(
            organization_id=text,
            name="盘锦市青年志愿者协会",
            responsible_person="张伟",
            handler="李雷",
            contact="0427-1234567",
        )
    except InvalidValueError as error:
        return str(error).removeprefix("organization_id: ")
    return None


def _mutated(code: str, index: int, char: str) -> str:
    return code[:index] + char + code[index + 1 :]


def _gb32100_checked(head: str, region: str, body: str) -> str:
    """A code whose 18th character is right, its 17th (GB 11714's) right or not."""
    first17 = head + region + body
    return first17 + uscc.calc_check_digit(first17)


organization_id_texts = st.one_of(
    st.text(max_size=24),
    st.builds(lambda rest: "G-" + rest, st.text(alphabet=_ID_CHARS, max_size=66)),
    st.builds(lambda rest: "G-" + rest, st.text(max_size=8)),
    st.sampled_from(_VALID_CODES),
    organization_codes().map(lambda org: org.code),
    organization_codes().map(lambda org: org.code.lower()),
    st.builds(
        _mutated,
        st.sampled_from(_VALID_CODES),
        st.integers(0, 17),
        st.sampled_from("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZa "),
    ),
    st.from_regex(r"[0-9A-Z]{16,19}", fullmatch=True),
    st.builds(
        _gb32100_checked,
        st.text(alphabet=_USCC_ALPHABET, min_size=2, max_size=2),
        st.from_regex(r"[0-9]{6}", fullmatch=True),
        st.text(alphabet=_USCC_ALPHABET, min_size=9, max_size=9),
    ),
)


@given(organization_id_texts)
def test_every_reader_and_the_class_agree(text: str) -> None:
    """Accepted or refused alike, with the same code and message, for any text.

    The record format trims every text before reading it (and a blank one is ``missing``), so
    the texts here are the ones it reads as given.
    """
    if not text.strip() or text != text.strip():
        return
    verdict = by_record_reader(text)
    assert by_community_reader(text) == verdict
    assert by_package_reader(text) == verdict
    assert by_demand_reader(text) == verdict
    assert by_organization_class(text) == (None if verdict is None else verdict[1])
    assert by_certificate_issuer(text) == (None if verdict is None else verdict[1])


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("G-team", None),
        ("G-" + "a" * 62, None),
        ("51211100mj00000175", None),  # a credit code in lowercase (record format)
        ("G-", "invalid_format"),
        ("G-a b", "invalid_format"),
        ("G-" + "a" * 63, "out_of_range"),
        ("g-team", "invalid_format"),
        ("5121110050000001", "invalid_format"),
        ("51211100ZJ00000175", "invalid_format"),  # Z is no credit-code character
        ("512111005000000155", "checksum"),  # GB 32100's check character
        ("512111005000000164", "checksum"),  # GB 32100's check character again
        ("512111005000000141", "checksum"),  # the embedded GB 11714 check character
    ],
)
def test_the_rule_on_examples(text: str, code: str | None) -> None:
    """What docs/record-format.md says of `organization_id`, in every reader."""
    for read in (by_record_reader, by_community_reader, by_package_reader, by_demand_reader):
        verdict = read(text)
        assert (None if verdict is None else verdict[0]) == code, read.__name__


@pytest.mark.parametrize("text", [" G-team", "512111005000000154 "])
def test_white_space_around_the_id(text: str) -> None:
    """The record format trims its texts, and every form reads an organization id so but the
    transfer package, which keeps the text its digest covers, and the class, given a value."""
    assert by_record_reader(text) is None
    assert by_community_reader(text) is None
    assert by_demand_reader(text) is None
    assert by_package_reader(text) is not None
    assert by_organization_class(text) is not None


def test_every_form_but_the_package_writes_a_credit_code_in_uppercase() -> None:
    """One organization, one id: the record, the organization, its parent and a station's
    organizations read a lowercase credit code as the record format writes it; a transfer
    package keeps its text, which the sender's digest covers."""
    lower, upper = "51211100mj00000175", "51211100MJ00000175"
    record = vr.parse_record(dict(SAMPLE_RECORD_PAYLOAD, organization_id=lower))
    assert record.organization_id == upper
    organization = dump_organization(sample_organizations().organizations[0])
    read = parse_organization({**organization, "organization_id": lower})
    assert read.organization_id == upper
    station = dump_station(sample_station())
    read_station = parse_station({**station, "organization_ids": [lower, "G-a"]})
    assert set(read_station.organization_ids) == {upper, "G-a"}
    demand = parse_demand({**SAMPLE_DEMAND_PAYLOAD, "organization_id": lower})
    assert demand.organization_id == upper
    package: dict[str, Any] = {**_PACKAGE, "destination_organization_id": lower}
    assert vr.parse_transfer_package(package).destination_organization_id == lower
