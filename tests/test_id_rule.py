"""An id of the record format (1-64 letters, digits, ``-``, ``_``, ``.``) is judged alike in
every wire form: too long is ``out_of_range``, other characters ``invalid_format``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import volunteer_rules as vr
from volunteer_rules.community import dump_station, parse_station
from volunteer_rules.errors import RecordFormatError
from volunteer_rules.matching.demand import parse_demand
from volunteer_rules.records import parse_profile, parse_training
from volunteer_rules.testing.community_examples import sample_station
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD, sample_transfer_package
from volunteer_rules.testing.matching_examples import SAMPLE_DEMAND_PAYLOAD
from volunteer_rules.testing.profile_examples import (
    SAMPLE_PROFILE_PAYLOAD,
    SAMPLE_TRAINING_PAYLOAD,
)

FORMS: list[tuple[str, Callable[[Any], object], dict[str, Any], str]] = [
    ("record", vr.parse_record, SAMPLE_RECORD_PAYLOAD, "record_id"),
    ("profile", parse_profile, SAMPLE_PROFILE_PAYLOAD, "volunteer_id"),
    ("training", parse_training, SAMPLE_TRAINING_PAYLOAD, "training_id"),
    ("station", parse_station, dump_station(sample_station()), "station_id"),
    ("demand", parse_demand, SAMPLE_DEMAND_PAYLOAD, "demand_id"),
    (
        "package",
        vr.parse_transfer_package,
        vr.dump_transfer_package(sample_transfer_package()),
        "volunteer_id",
    ),
]


@pytest.mark.parametrize(("form", "parse", "payload", "member"), FORMS, ids=[f[0] for f in FORMS])
@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("a" * 64, None),
        ("a" * 65, "out_of_range"),
        ("a b", "invalid_format"),
        ("甲", "invalid_format"),
    ],
)
def test_an_id_is_judged_alike_in_every_form(
    form: str,
    parse: Callable[[Any], object],
    payload: dict[str, Any],
    member: str,
    value: str,
    code: str | None,
) -> None:
    given = {**payload, member: value}
    if code is None:
        parse(given)
        return
    with pytest.raises(RecordFormatError) as info:
        parse(given)
    found = [(e.path, e.code) for e in info.value.errors if e.path == f"$.{member}"]
    assert found == [(f"$.{member}", code)], info.value.errors


VOLUNTEER_ID_FORMS: list[tuple[str, Callable[[Any], object], dict[str, Any]]] = [
    ("record", vr.parse_record, SAMPLE_RECORD_PAYLOAD),
    ("profile", parse_profile, SAMPLE_PROFILE_PAYLOAD),
    ("package", vr.parse_transfer_package, vr.dump_transfer_package(sample_transfer_package())),
]


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("11010519491231002X", True),  # second generation (GB 11643)
        ("110105491231002", True),  # first generation: 15 digits, a YYMMDD birth date inside
        ("110105491331002", False),  # no month 13: not a resident ID number's shape
        ("11010549123100", False),  # 14 digits
        ("1101054912310021", False),  # 16 digits
        ("11010519491331002X", False),  # no month 13
    ],
)
def test_a_resident_id_number_is_no_volunteer_id_in_any_reader(text: str, refused: bool) -> None:
    """Both sides of the rule, in the record, profile and package readers and the table path:
    a first-generation (15-digit) number is an ID-card number too, and the masking would hide
    it in every output a person reads."""
    judged = []
    for _form, parse, payload in VOLUNTEER_ID_FORMS:
        try:
            parse({**payload, "volunteer_id": text})
        except RecordFormatError as error:
            judged.append(
                [(e.code, e.message) for e in error.errors if e.path == "$.volunteer_id"] != []
            )
        else:
            judged.append(False)
    pytest.importorskip("polars")
    import polars as pl

    from volunteer_rules.tables.io import read_frame

    table = read_frame(pl.DataFrame([{**SAMPLE_RECORD_PAYLOAD, "volunteer_id": text}]))
    judged.append("$.volunteer_id" in table.errors["path"].to_list())
    assert judged == [refused] * 4
