"""Every wire-form reader words a problem once: the same bad value at a member of the same kind
gets the same code and the same message (after the member's name) in every form.

The record reader, the shared reader of the other forms and the rule-set reader build their
messages from one module; these properties would have caught the wordings they had (``must be
a string`` in one, ``must be a string, not array`` in the other). Every reader also reads an
id, a choice, a date, a date-time, a region code and an organization id as a record does:
white space around it dropped, and dates and date-times in the years 1900 to 2999.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import volunteer_rules as vr
from test_wire_nulls import FORMS
from volunteer_rules._iso import read_date, read_datetime
from volunteer_rules._privacy import looks_like_mobile_number, mask_personal_data
from volunteer_rules.errors import FieldError, RecordFormatError
from volunteer_rules.records import RegionCode, parse_profile
from volunteer_rules.records._fields import Problems, organization_id_problem, read_text
from volunteer_rules.records._wire_reader import Reader
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
from volunteer_rules.testing.profile_examples import SAMPLE_PROFILE_PAYLOAD
from volunteer_rules.testing.strategies import resident_ids, volunteer_ids

_RULE_SET = vr.dump_rule_set(vr.get_rule_set("cn-national"))
_VERSION = _RULE_SET["versions"][0]


def _rule_set_part(where: str, build: Any) -> Any:
    """A reader of one object inside a rule set (at ``where``), its problems' paths from ``$``."""

    def read(part: dict[str, Any]) -> Any:
        try:
            return vr.rule_set_from_mapping(build(part))
        except RecordFormatError as error:
            moved = [
                FieldError(e.path.replace(where, "$", 1), e.code, e.message) for e in error.errors
            ]
            raise RecordFormatError(moved, what=error.what) from None

    return read


READERS = {
    **FORMS,
    "rule set version": (
        _rule_set_part("$.versions[0]", lambda part: {**_RULE_SET, "versions": [part]}),
        dict(_VERSION, min_rating="good", validity_months=24, hours_reused_on_renewal=False),
    ),
    "rule set level": (
        _rule_set_part(
            "$.versions[0].levels[0]",
            lambda part: {**_RULE_SET, "versions": [{**_VERSION, "levels": [part]}]},
        ),
        dict(_VERSION["levels"][0], once=True),
    ),
    "rule set": (FORMS["rule set"][0], dict(_RULE_SET, paused_since="2030-01-01")),
}
"""Each form's reader and a payload with every optional member; a rule set's parts as forms."""

# (form, member) of each kind, read by the record reader ("record"), the rule-set reader
# ("rule set ...") or the shared reader.
PLACES: dict[str, list[tuple[str, str]]] = {
    "text": [
        ("record", "activity_name"),
        ("record", "place"),
        ("training", "name"),
        ("training", "organizer"),
        ("commendation", "awarding_body"),
        ("evaluation", "evaluator"),
        ("organization", "name"),
        ("project", "activity_name"),
        ("station", "name"),
        ("rule set", "name"),
        ("rule set level", "label"),
    ],
    "id": [
        ("record", "record_id"),
        ("record", "volunteer_id"),
        ("profile", "volunteer_id"),
        ("training", "training_id"),
        ("evaluation", "record_id"),
        ("package", "volunteer_id"),
        ("station", "station_id"),
        ("demand", "demand_id"),
    ],
    "date": [
        ("record", "date"),
        ("training", "date"),
        ("commendation", "date"),
        ("profile", "registered_on"),
        ("organization", "registered_on"),
        ("certificate", "issued_on"),
        ("rule set", "paused_since"),
        ("rule set version", "valid_from"),
    ],
    "moment": [
        ("record", "recorded_at"),
        ("package", "created_at"),
        ("attendance", "at"),
    ],
    "integer": [
        ("record", "service_minutes"),
        ("training", "study_minutes"),
        ("demand", "head_count"),
        ("attendance", "slot"),
        ("certificate", "service_minutes"),
        ("rule set level", "rank"),
        ("rule set version", "validity_months"),
    ],
    "boolean": [
        ("record", "group_service"),
        ("commendation", "documented"),
        ("profile", "self_supporting"),
        ("package", "consent"),
        ("rule set level", "once"),
        ("rule set version", "hours_reused_on_renewal"),
    ],
    "choice": [
        ("record", "status"),
        ("record", "service_category"),
        ("profile", "sex"),
        ("commendation", "level"),
        ("organization", "kind"),
        ("evaluation", "rating"),
        ("attendance", "kind"),
        ("rule set version", "window"),
        ("rule set version", "min_rating"),
    ],
    "region": [
        ("record", "region_code"),
        ("profile", "residence_region"),
        ("organization", "region_code"),
        ("station", "region_code"),
        ("person", "region_code"),
        ("demand", "region_code"),
    ],
    "organization id": [
        ("record", "organization_id"),
        ("organization", "organization_id"),
        ("package", "source_organization_id"),
        ("package", "destination_organization_id"),
    ],
}

_TRIMMED = st.text(max_size=30).filter(lambda text: text == text.strip())
_OTHER_JSON = {
    "number": st.one_of(st.integers(), st.floats(allow_nan=False)),
    "boolean": st.booleans(),
    "array": st.lists(st.integers(), max_size=2),
    "object": st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
}
_NOT_TEXT = st.one_of(_OTHER_JSON["number"], _OTHER_JSON["boolean"], _OTHER_JSON["array"])
_BLANK = st.sampled_from(["", " ", "\t \n"])
_UNSTORABLE = st.builds("{}\ud800{}".format, _TRIMMED, _TRIMMED).filter(str.strip)

BAD: dict[str, st.SearchStrategy[Any]] = {
    "text": st.one_of(_NOT_TEXT, _OTHER_JSON["object"], _BLANK, _UNSTORABLE),
    "id": st.one_of(
        _NOT_TEXT,
        _BLANK,
        st.text(alphabet="abc-_.09", min_size=65, max_size=80),
        _TRIMMED.filter(lambda text: text != "" and not text.isascii()),
        st.sampled_from(["a b", "a/b", "a@b", "V 1"]),
        _UNSTORABLE,  # read as a text first, in every form: the record reader's message
    ),
    "date": st.one_of(
        _NOT_TEXT,
        _BLANK,
        st.sampled_from(["2024-02-30", "2024-13-01", "May 1", "20240501", "2024-5-1"]),
        _TRIMMED.filter(lambda text: text != "" and read_date(text) is None),
    ),
    "moment": st.one_of(
        _NOT_TEXT,
        _BLANK,
        st.sampled_from(
            [
                "2024-05-01T09:00:00",
                "2024-05-01T25:00:00+08:00",
                "2024-02-30T09:00:00+08:00",
                "2024-05-01",
                "2024-05-01 09:00:00+08:00",
            ]
        ),
        _TRIMMED.filter(lambda text: text != "" and read_datetime(text) is None),
    ),
    "integer": st.one_of(
        _OTHER_JSON["boolean"],
        st.floats(allow_nan=False),
        _TRIMMED,
        _OTHER_JSON["array"],
        _OTHER_JSON["object"],
    ),
    "boolean": st.one_of(st.integers(), _TRIMMED, _OTHER_JSON["array"], _OTHER_JSON["object"]),
    "choice": st.one_of(
        _NOT_TEXT,
        _BLANK,
        st.sampled_from(["galactic", "done", "Male", "VERIFIED", "club"]),
    ),
    "region": st.one_of(
        _NOT_TEXT,
        _BLANK,
        st.sampled_from(
            ["211199", "999999", "21110", "2111030", "21 103", "abcdef", "２１１１０３"]
        ),
        st.text(alphabet="0123456789", min_size=6, max_size=6).filter(
            lambda text: not RegionCode.is_known(text)
        ),
    ),
    "organization id": st.one_of(
        _NOT_TEXT,
        _BLANK,
        _UNSTORABLE,
        st.sampled_from(
            ["G-", "G-a b", "G-" + "a" * 63, "91110000600037342L", "5121110050000001", "团队"]
        ),
        _TRIMMED.filter(lambda text: organization_id_problem(text) is not None),
    ),
}


def _problem(form: str, key: str, value: object) -> tuple[str, str] | None:
    """The problem the form's reader finds at ``$.key`` given ``value``: code and message."""
    read, payload = READERS[form]
    given_ = copy.deepcopy(payload)
    given_[key] = value
    try:
        read(given_)
    except RecordFormatError as error:
        found = [(e.code, e.message) for e in error.errors if e.path == f"$.{key}"]
        assert len(found) <= 1, found
        return found[0] if found else None
    return None


def _wording(key: str, problem: tuple[str, str] | None) -> tuple[str, str] | None:
    """The problem with the member's name taken off the message (and a choice's vocabulary)."""
    if problem is None:
        return None
    code, message = problem
    assert message.startswith(f"{key} "), message
    rest = message[len(key) + 1 :]
    return code, rest.split(" is not one of ")[0]


@pytest.mark.parametrize("kind", sorted(PLACES))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_bad_value_is_worded_alike_at_every_member_of_its_kind(
    kind: str, data: st.DataObject
) -> None:
    value = data.draw(BAD[kind], label="value")
    found = {(form, key): _wording(key, _problem(form, key, value)) for form, key in PLACES[kind]}
    assert None not in found.values(), found  # refused everywhere
    assert len(set(found.values())) == 1, found


@pytest.mark.parametrize(
    ("kind", "value", "code", "message"),
    [
        ("text", ["x"], "invalid_type", "must be a string, not array"),
        ("text", " ", "missing", "must not be blank"),
        ("id", "", "missing", "must not be blank"),
        ("id", "a b", "invalid_format", "must be 1-64 ASCII letters, digits, '-', '_' or '.'"),
        (
            "id",
            "V\ufffe1",
            "invalid_format",
            "holds U+FFFE at position 1, which cannot be stored (a lone surrogate or a non-character)",
        ),
        ("date", 20240501, "invalid_type", "must be a string such as 2019-07-19, not number"),
        ("date", "2024-02-30", "invalid_format", "'2024-02-30' is not a calendar date"),
        (
            "moment",
            "2024-05-01T09:00:00",
            "invalid_format",
            "has no UTC offset; write one such as +08:00",
        ),
        ("integer", 1.5, "invalid_type", "must be a whole number (a JSON integer), not number"),
        ("boolean", 1, "invalid_type", "must be true or false, not number"),
        ("choice", "galactic", "unknown_code", "'galactic'"),
        ("region", 211103, "invalid_type", "must be a string of 6 digits, not number"),
        ("region", " ", "missing", "must not be blank"),
        ("region", "211199", "unknown_code", "211199 was never assigned in GB/T 2260"),
        ("region", "21 103", "invalid_format", "must be a 6-digit GB/T 2260 code such as 211103"),
        ("organization id", ["x"], "invalid_type", "must be a string, not array"),
        ("organization id", "", "missing", "must not be blank"),
        ("organization id", " \t", "missing", "must not be blank"),
        (
            "organization id",
            "G-a\ufffe",
            "invalid_format",
            "holds U+FFFE at position 3, which cannot be stored (a lone surrogate or a non-character)",
        ),
    ],
)
def test_the_one_wording(kind: str, value: object, code: str, message: str) -> None:
    """The wording chosen, at every member of the kind: the JSON type or the value found."""
    for form, key in PLACES[kind]:
        assert _wording(key, _problem(form, key, value)) == (code, message), (form, key)


def _volunteer_id_problem(read: Any, payload: dict[str, Any], text: str) -> tuple[str, str] | None:
    try:
        read({**payload, "volunteer_id": text})
    except RecordFormatError as error:
        found = [(e.code, e.message) for e in error.errors if e.path == "$.volunteer_id"]
        return found[0] if found else None
    return None


_BAD_CHECK = st.builds(
    lambda number, wrong: number.number[:-1] + wrong,
    resident_ids(),
    st.sampled_from("0123456789X"),
)
_FIRST_GENERATION = st.builds(
    lambda number: number.number[:6] + number.number[8:17],
    resident_ids(birth_dates=st.dates(dt.date(1900, 1, 1), dt.date(1999, 12, 31))),
)
MOBILE_LIKE = st.one_of(
    st.from_regex(r"(?:0{0,2}86-?)?1[0-9]{2}-?[0-9]{4}-?[0-9]{3,5}", fullmatch=True),
    st.from_regex(r"[A-Za-z._-]?1[3-9][0-9]{9}[A-Za-z._-]?", fullmatch=True),
    st.from_regex(r"1[3-9][0-9][- ][0-9]{4}[- ][0-9]{4}", fullmatch=True),
)
"""Mobile numbers in every form the masking knows, and texts one step from one (a digit more
or less, a letter around it, another first digit pair, separators that differ)."""
VOLUNTEER_ID_TEXTS = st.one_of(
    MOBILE_LIKE,
    resident_ids().map(lambda number: number.number),
    resident_ids().map(lambda number: number.number.lower()),
    _BAD_CHECK,
    _FIRST_GENERATION,
    st.text(alphabet="0123456789X", min_size=15, max_size=18),
    volunteer_ids(),
    st.text(max_size=20),
)


@settings(max_examples=300, deadline=None)
@given(text=VOLUNTEER_ID_TEXTS)
def test_a_volunteer_id_is_judged_alike_by_the_record_reader_and_the_shared_reader(
    text: str,
) -> None:
    """One rule for a volunteer id shaped like a resident ID number or a mobile number: same
    code, same message."""
    in_record = _volunteer_id_problem(vr.parse_record, dict(SAMPLE_RECORD_PAYLOAD), text)
    in_profile = _volunteer_id_problem(parse_profile, dict(SAMPLE_PROFILE_PAYLOAD), text)
    if text == text.strip():
        assert in_record == in_profile
    if in_record is not None and (len(text) >= 15 or looks_like_mobile_number(text.strip())):
        assert text.strip() not in in_record[1]  # masked, never given back whole


def test_a_resident_id_number_as_volunteer_id_is_refused_masked_in_both() -> None:
    for read, payload in (
        (vr.parse_record, SAMPLE_RECORD_PAYLOAD),
        (parse_profile, SAMPLE_PROFILE_PAYLOAD),
    ):
        assert _volunteer_id_problem(read, dict(payload), "11010519491231002X") == (
            "invalid_format",
            "volunteer_id '110105***********X' looks like a resident ID number; give the "
            "volunteer's unified number (志愿者统一编号), never an ID-card number",
        )


VOLUNTEER_ID_FORMS = sorted(
    form for form, (_, payload) in READERS.items() if "volunteer_id" in payload
)
"""The forms with a ``volunteer_id`` of their own (a certificate prints the one it was given)."""
MOBILE_NUMBERS = [
    ("13812345678", "'138****5678'"),
    ("19912345678", "'199****5678'"),
    ("138-1234-5678", "'138******5678'"),
    ("8613812345678", "'861******5678'"),
    ("86-13812345678", "'86-*******5678'"),
    ("008613812345678", "'008********5678'"),
    ("0086-138-1234-5678", "'008***********5678'"),
]
"""Mobile numbers as the masking finds them (11 digits from 13-19; 3-4-4 with '-'; after
86 or 0086), each as a message shows it."""
NOT_MOBILE_NUMBERS = [
    "12812345678",  # 12 is no mobile prefix
    "10012345678",
    "1381234567",  # 10 digits
    "138123456789",  # 12 digits
    "V13812345678",  # a letter before
    "13812345678a",  # a letter after
    "138-12345678",  # one separator, not 3-4-4
    "138-1234_5678",  # two kinds of separator
    "8713812345678",  # another country code
    "08613812345678",
]
"""Ids one step from a mobile number: ids like any other."""


@pytest.mark.parametrize("form", VOLUNTEER_ID_FORMS)
@pytest.mark.parametrize(("number", "shown"), MOBILE_NUMBERS)
def test_a_mobile_number_as_volunteer_id_is_refused_masked_in_every_form(
    form: str, number: str, shown: str
) -> None:
    """Every reader of a volunteer id refuses a mobile number, its number masked alike."""
    read, payload = READERS[form]
    assert _volunteer_id_problem(read, copy.deepcopy(payload), number) == (
        "invalid_format",
        f"volunteer_id {shown} looks like a mobile number; give the volunteer's unified number "
        "(志愿者统一编号), never a phone number",
    )


@pytest.mark.parametrize("form", VOLUNTEER_ID_FORMS)
@pytest.mark.parametrize("text", NOT_MOBILE_NUMBERS)
def test_an_id_next_to_a_mobile_number_is_a_volunteer_id(form: str, text: str) -> None:
    """The other side of the boundary: no problem at ``volunteer_id`` in any reader."""
    read, payload = READERS[form]
    assert _volunteer_id_problem(read, copy.deepcopy(payload), text) is None


def test_the_boundaries_are_the_maskings() -> None:
    """A refused id is one the masking takes whole for a mobile number; an accepted one it
    leaves whole, or masks a number in it, the letters against that number kept."""
    for number, shown in MOBILE_NUMBERS:
        assert looks_like_mobile_number(number)
        assert repr(mask_personal_data(number)) == shown
    holding_a_number = {"V13812345678": "V138****5678", "13812345678a": "138****5678a"}
    for text in NOT_MOBILE_NUMBERS:
        assert not looks_like_mobile_number(text)
        assert mask_personal_data(text) == holding_a_number.get(text, text)


# --- white space and years: one rule in every reader ----------------------------------------

TRIMMED_KINDS = ("id", "date", "moment", "choice", "region", "organization id")
"""The kinds whose surrounding white space every reader drops, as the record reader does."""
ORGANIZATION_IDS = [("record", "organization_id"), ("organization", "organization_id")]
_SPACE = st.text(alphabet=" \t\n\r\u3000\u00a0", max_size=3)


def _read(form: str, key: str, value: object) -> object:
    """The value the form's reader gives with ``value`` at ``key``, or its problems."""
    read, payload = READERS[form]
    try:
        return read({**payload, key: value})
    except RecordFormatError as error:
        return sorted((e.path, e.code, e.message) for e in error.errors)


@pytest.mark.parametrize(
    ("form", "key"),
    [
        place
        for kind in TRIMMED_KINDS
        for place in (ORGANIZATION_IDS if kind == "organization id" else PLACES[kind])
    ],
)
@settings(max_examples=10, deadline=None)
@given(before=_SPACE, after=_SPACE)
def test_white_space_around_an_id_choice_date_or_code_is_dropped_by_every_reader(
    form: str, key: str, before: str, after: str
) -> None:
    """docs/record-format.md: surrounding white space is trimmed; every form reads so."""
    given_ = READERS[form][1][key]
    assert isinstance(given_, str)
    assert _read(form, key, before + given_ + after) == _read(form, key, given_)


_YEAR_PROBLEM = "must fall in the years 1900 to 2999"
_NEAR_THE_LIMITS = st.one_of(
    st.dates(dt.date(1890, 1, 1), dt.date(1910, 12, 31)),
    st.dates(dt.date(2990, 1, 1), dt.date(3010, 12, 31)),
    st.sampled_from([dt.date(1899, 12, 31), dt.date(1900, 1, 1)]),
    st.sampled_from([dt.date(2999, 12, 31), dt.date(3000, 1, 1)]),
)


def _dated(kind: str, day: dt.date) -> str:
    return day.isoformat() if kind == "date" else f"{day.isoformat()}T23:30:00-05:00"


@pytest.mark.parametrize(
    ("kind", "form", "key"),
    [(kind, form, key) for kind in ("date", "moment") for form, key in PLACES[kind]],
)
@settings(max_examples=25, deadline=None)
@given(day=_NEAR_THE_LIMITS)
def test_every_reader_takes_dates_in_the_years_1900_to_2999_only(
    kind: str, form: str, key: str, day: dt.date
) -> None:
    """One rule of years for dates and date-times (docs/record-format.md), both sides of each
    limit; the year is the one written, whatever the offset."""
    problem = _problem(form, key, _dated(kind, day))
    if 1900 <= day.year <= 2999:
        assert problem is None or problem[0] != "out_of_range", problem
    else:
        assert problem == ("out_of_range", f"{key} {_YEAR_PROBLEM}")


@pytest.mark.parametrize(
    ("day", "refused"),
    [(dt.date(1899, 12, 31), True), (dt.date(1900, 1, 1), False), (dt.date(3000, 1, 1), True)],
)
def test_a_rule_set_native_date_is_in_the_years_too(day: dt.date, refused: bool) -> None:
    """A rule set read from TOML holds native dates: the same years as a written one."""
    expected = ("out_of_range", f"paused_since {_YEAR_PROBLEM}") if refused else None
    assert _problem("rule set", "paused_since", day) == expected


TEXT_VALUES = st.one_of(
    st.text(max_size=12),
    st.text(alphabet=" \t\u3000a站\ud800\ufdd0", max_size=6),
    st.none(),
    st.integers(),
    st.lists(st.text(max_size=2), max_size=2),
)


@settings(max_examples=400, deadline=None)
@given(
    value=TEXT_VALUES,
    maximum=st.none() | st.integers(0, 8),
    required=st.booleans(),
    as_given=st.booleans(),
)
def test_a_text_is_read_alike_by_the_record_reader_and_the_shared_reader(
    value: object, maximum: int | None, required: bool, as_given: bool
) -> None:
    """One reading of a text: the same value, or the same problems at the same path.

    A blank text is ``missing`` in the shared reader even when optional; in a record's
    optional member it is left out (``blank="absent"``), as the record format says.
    """
    problems = Problems("$")
    in_record = read_text(value, "note", maximum, problems, required=required, as_given=as_given)
    read = Reader({"note": value}, ["note"], "a form")
    shared = read.text("note", required=required, max_length=maximum, as_given=as_given)
    blank_optional = isinstance(value, str) and not value.strip() and not required
    assert shared == in_record
    if not blank_optional:
        assert read.errors == problems.errors
