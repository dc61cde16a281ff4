"""The community's wire-form readers report every problem, with its path and code.

``parse_organization``, ``parse_station``, ``parse_person``, ``parse_project`` and
``parse_attendance_event`` read as every other wire form of the library does: one
``RecordFormatError`` listing each problem (a ``FieldError`` with a JSON path and a code of the
record format), never only the first, and never another exception for a payload.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from volunteer_rules.community import (
    dump_attendance_event,
    dump_organization,
    dump_person,
    dump_project,
    dump_station,
    parse_attendance_event,
    parse_organization,
    parse_person,
    parse_project,
    parse_station,
)
from volunteer_rules.errors import InvalidValueError, RecordFormatError
from volunteer_rules.records._wording import volunteer_id_problem
from volunteer_rules.testing.community_examples import (
    sample_attendance_events,
    sample_organizations,
    sample_person,
    sample_project,
    sample_station,
)

Reader = Callable[[Any], Any]
ID_NUMBER = "21110319400101002X"

ORGANIZATION = dump_organization(next(iter(sample_organizations().organizations)))
TEAM = dump_organization(
    next(o for o in sample_organizations().organizations if o.parent_id is not None)
)
STATION = dict(dump_station(sample_station()), address="振兴街道")
PERSON = dump_person(sample_person(contact="13800138000", id_number=ID_NUMBER))
PERSON["consent"]["withdrawn_on"] = "2030-01-01"
PROJECT = dict(dump_project(sample_project()), station_id="ST-xingfu")
CHECK_IN = dump_attendance_event(sample_attendance_events()[0])
CORRECTION = dump_attendance_event(
    next(e for e in sample_attendance_events() if e.kind == "correction")
)

FORMS: dict[str, tuple[Reader, dict[str, Any], str]] = {
    "organization": (parse_organization, ORGANIZATION, "organization"),
    "team": (parse_organization, TEAM, "organization"),
    "station": (parse_station, STATION, "station"),
    "person": (parse_person, PERSON, "person served"),
    "project": (parse_project, PROJECT, "project"),
    "check-in": (parse_attendance_event, CHECK_IN, "attendance event"),
    "correction": (parse_attendance_event, CORRECTION, "attendance event"),
}
DUMPS: dict[Reader, Callable[[Any], dict[str, Any]]] = {
    parse_organization: dump_organization,
    parse_station: dump_station,
    parse_person: dump_person,
    parse_project: dump_project,
    parse_attendance_event: dump_attendance_event,
}


def problems(read: Reader, payload: object) -> list[tuple[str, str]]:
    """The (path, code) of every problem ``read`` reports, in its order."""
    with pytest.raises(RecordFormatError) as raised:
        read(payload)
    return [(e.path, e.code) for e in raised.value.errors]


# --- several problems at once ------------------------------------------------------------


def test_every_problem_of_an_organization_is_reported() -> None:
    payload = dict(
        ORGANIZATION,
        organization_id="91110000600037342L",  # a wrong check character
        name=7,
        kind="club",
        region_code="211199",
        responsible_department="",
        status="suspended",
        registered_on="2024-02-30",
        parent_id="G-",
        colour="blue",
    )
    assert problems(parse_organization, payload) == [
        ("$.colour", "unknown_field"),
        ("$.organization_id", "checksum"),
        ("$.name", "invalid_type"),
        ("$.kind", "unknown_code"),
        ("$.region_code", "unknown_code"),
        ("$.responsible_department", "missing"),
        ("$.registered_on", "invalid_format"),
        ("$.parent_id", "invalid_format"),
        ("$.status_since", "inconsistent"),
    ]


def test_an_organization_cannot_be_its_own_parent() -> None:
    payload = dict(TEAM, parent_id=TEAM["organization_id"])
    assert problems(parse_organization, payload) == [("$.parent_id", "inconsistent")]


def test_every_problem_of_a_station_is_reported() -> None:
    payload = dict(
        STATION,
        station_id="站 1",
        name=None,
        region_code="2111",
        organization_ids=["G-a", 3, "123"],
        community_code="21110300401",
        address="x" * 201,
    )
    assert problems(parse_station, payload) == [
        ("$.station_id", "invalid_format"),
        ("$.name", "missing"),
        ("$.region_code", "invalid_format"),
        ("$.organization_ids[1]", "invalid_type"),
        ("$.organization_ids[2]", "invalid_format"),
        ("$.community_code", "invalid_format"),
        ("$.address", "out_of_range"),
    ]
    payload = dict(STATION, organization_ids=[], community_code="211104004012")
    assert problems(parse_station, payload) == [
        ("$.organization_ids", "missing"),
        ("$.community_code", "inconsistent"),
    ]


def test_every_problem_of_a_person_is_reported_nested_ones_at_their_paths() -> None:
    payload = copy.deepcopy(PERSON)
    payload.update(person_id=ID_NUMBER, station_id=[], name="", contact=5, id_number="9" * 65)
    payload["consent"].update(given_by="neighbour", purposes=["record", "sell"])
    payload["consent"]["withdrawn_on"] = "2000-01-01"
    need = payload["needs"][0]
    need.update(place=" ", head_count=0, special_conditions=["Wheelchair"], colour=None)
    need["slots"][0]["start"] = "soon"
    payload["needs"].append(dict(payload["needs"][0], head_count=1, place="楼下"))
    payload["needs"][1]["slots"] = copy.deepcopy(PERSON["needs"][0]["slots"])
    payload["needs"].append("a need")
    assert problems(parse_person, payload) == [
        ("$.person_id", "invalid_format"),
        ("$.station_id", "invalid_type"),
        ("$.name", "missing"),
        ("$.needs[0].colour", "unknown_field"),
        ("$.needs[0].slots[0].start", "invalid_format"),
        ("$.needs[0].head_count", "out_of_range"),
        ("$.needs[0].place", "missing"),
        ("$.needs[0].special_conditions[0]", "invalid_format"),
        ("$.needs[1].colour", "unknown_field"),
        ("$.needs[1].special_conditions[0]", "invalid_format"),
        ("$.needs[2]", "invalid_type"),
        ("$.consent.given_by", "unknown_code"),
        ("$.consent.purposes[1]", "unknown_code"),
        ("$.consent.withdrawn_on", "inconsistent"),
        ("$.contact", "invalid_type"),
        ("$.id_number", "out_of_range"),
    ]


def test_a_need_id_given_twice_is_inconsistent() -> None:
    payload = copy.deepcopy(PERSON)
    payload["needs"].append(copy.deepcopy(payload["needs"][0]))
    assert problems(parse_person, payload) == [("$.needs[1].need_id", "inconsistent")]


def test_every_problem_of_a_project_is_reported() -> None:
    payload = copy.deepcopy(PROJECT)
    payload.update(project_id="P" * 25, person_in_charge=None, content=["?"], station_id="")
    payload["demand"]["head_count"] = 0
    payload["rules"] = {"minimum_share_percent": True, "auto_check_out_minutes": 0, "grace": 5}
    assert problems(parse_project, payload) == [
        ("$.project_id", "invalid_format"),
        ("$.demand.head_count", "out_of_range"),
        ("$.person_in_charge", "missing"),
        ("$.content", "invalid_type"),
        ("$.station_id", "missing"),
        ("$.rules.grace", "unknown_field"),
        ("$.rules.minimum_share_percent", "invalid_type"),
        ("$.rules.auto_check_out_minutes", "out_of_range"),
    ]
    payload = copy.deepcopy(PROJECT)
    del payload["demand"]["organization_id"]
    payload["rules"] = 60
    assert problems(parse_project, payload) == [
        ("$.demand.organization_id", "inconsistent"),
        ("$.rules", "invalid_type"),
    ]


def test_every_problem_of_an_attendance_event_is_reported() -> None:
    payload = dict(
        CHECK_IN,
        event_id="",
        project_id="P.1",
        volunteer_id=ID_NUMBER,
        slot=1.0,
        kind="arrival",
        at="2024-06-05T08:55:00",
        source="administrator",
        by="",
        start="2024-06-05T09:00:00+08:00",
    )
    assert problems(parse_attendance_event, payload) == [
        ("$.event_id", "missing"),
        ("$.project_id", "invalid_format"),
        ("$.volunteer_id", "invalid_format"),
        ("$.slot", "invalid_type"),
        ("$.kind", "unknown_code"),
        ("$.at", "invalid_format"),
        ("$.by", "missing"),
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"source": "device"}, [("$.source", "inconsistent")]),
        ({"start": None, "end": None}, [("$.start", "inconsistent"), ("$.end", "inconsistent")]),
        ({"reason": None}, [("$.reason", "inconsistent")]),
        ({"reason": "  "}, [("$.reason", "inconsistent")]),
        ({"end": CORRECTION["start"]}, [("$.end", "inconsistent")]),
    ],
    ids=["from a device", "no times", "no reason", "blank reason", "end not after start"],
)
def test_a_correction_is_an_administrators_with_times_and_reason(
    changes: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    assert problems(parse_attendance_event, dict(CORRECTION, **changes)) == expected


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"source": "administrator"}, [("$.source", "inconsistent")]),
        (
            {"start": CORRECTION["start"], "end": CORRECTION["end"]},
            [("$.start", "inconsistent"), ("$.end", "inconsistent")],
        ),
    ],
    ids=["from an administrator", "with times"],
)
def test_a_check_in_comes_from_a_device_or_a_person_without_times(
    changes: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    assert problems(parse_attendance_event, dict(CHECK_IN, **changes)) == expected


@pytest.mark.parametrize("form", sorted(FORMS))
@pytest.mark.parametrize("payload", [None, [], "{}", 3], ids=["null", "array", "text", "number"])
def test_a_payload_that_is_no_object_is_one_problem(form: str, payload: object) -> None:
    read, _, what = FORMS[form]
    with pytest.raises(RecordFormatError) as raised:
        read(payload)
    assert [(e.path, e.code) for e in raised.value.errors] == [("$", "invalid_type")]
    assert raised.value.what == what
    assert str(raised.value).startswith(f"invalid {what}: $: invalid_type: ")


@pytest.mark.parametrize("form", sorted(FORMS))
def test_an_empty_object_misses_every_required_member(form: str) -> None:
    read, _, what = FORMS[form]
    with pytest.raises(RecordFormatError) as raised:
        read({})
    assert raised.value.what == what
    assert {e.code for e in raised.value.errors} == {"missing"}


# --- privacy -----------------------------------------------------------------------------


def test_messages_never_carry_the_persons_name_contact_or_id_number() -> None:
    """Every member refused, none repeated: the name, contact and ID number stay unshown."""
    payload = copy.deepcopy(PERSON)
    payload.update(
        person_id=ID_NUMBER,
        name="刘桂兰" + "兰" * 100,
        contact="13800138000" + " " * 60,
        id_number=ID_NUMBER * 4,
    )
    payload[ID_NUMBER] = "x"
    payload["needs"][0]["place"] = "振兴街道 " + ID_NUMBER * 12
    with pytest.raises(RecordFormatError) as raised:
        parse_person(payload)
    shown = f"{raised.value} {raised.value!r} " + " ".join(
        f"{e.path} {e.message} {e!r}" for e in raised.value.errors
    )
    assert len(raised.value.errors) == 6
    for secret in ("刘桂兰", "13800138000", ID_NUMBER, "振兴街道"):
        assert secret not in shown


# --- properties --------------------------------------------------------------------------


@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_good_payload_round_trips(form: str) -> None:
    """dump(parse(p)) == p for the canonical payloads, and parse(dump(x)) == x."""
    read, payload, _ = FORMS[form]
    value = read(copy.deepcopy(payload))
    assert DUMPS[read](value) == payload
    assert read(DUMPS[read](value)) == value


_TEXTS = st.text(  # no non-characters (U+FFFE, Cn): texts the forms refuse
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn")), min_size=1, max_size=30
).filter(str.strip)


@given(name=_TEXTS, department=_TEXTS, place=_TEXTS, reason=_TEXTS)
def test_texts_round_trip_as_given(name: str, department: str, place: str, reason: str) -> None:
    """White space around a text is the value's: it is read back as it was written."""
    organization = attrs.evolve(
        parse_organization(ORGANIZATION), name=f" {name} ", responsible_department=department
    )
    assert parse_organization(dump_organization(organization)) == organization
    station = attrs.evolve(sample_station(), name=name, address=f"{place}\n")
    assert parse_station(dump_station(station)) == station
    project = attrs.evolve(sample_project(), place=f"\t{place}", activity_name=name)
    assert parse_project(dump_project(project)) == project
    event = attrs.evolve(sample_attendance_events()[-1], reason=f"{reason} ", by=name)
    assert parse_attendance_event(dump_attendance_event(event)) == event


Path = tuple[str | int, ...]


def _places(value: object, path: Path = ()) -> Iterator[tuple[Path, object]]:
    """Every member and array item of a payload with its path (the payload itself left out)."""
    items: list[tuple[str | int, object]] = []
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    for key, member in items:
        yield (*path, key), member
        yield from _places(member, (*path, key))


def _json_path(path: Path) -> str:
    return "$" + "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path)


PLACES = [
    (form, path, value)
    for form, (_, payload, _) in FORMS.items()
    for path, value in _places(payload)
]
WRONG_TYPES: list[object] = [True, 7, 2.5, "text", ["text"], {"a": 1}]


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


@given(place=st.sampled_from(PLACES), data=st.data())
def test_a_member_of_the_wrong_type_is_reported_at_its_path(place: Any, data: Any) -> None:
    """Any one member or item of a good payload given a value of another JSON type:
    RecordFormatError naming that path (never another exception)."""
    form, path, value = place
    wrong = data.draw(
        st.sampled_from([w for w in WRONG_TYPES if _json_type(w) != _json_type(value)])
    )
    read, payload, what = FORMS[form]
    given_payload = copy.deepcopy(payload)
    parent: Any = given_payload
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = wrong
    with pytest.raises(RecordFormatError) as raised:
        read(given_payload)
    assert raised.value.what == what
    assert _json_path(path) in [e.path for e in raised.value.errors]


def test_the_wrong_type_property_covers_every_form_and_nested_members() -> None:
    assert {form for form, _, _ in PLACES} == set(FORMS)
    paths = {_json_path(path) for _, path, _ in PLACES}
    assert paths >= {
        "$.consent.given_on",
        "$.needs[0].place",
        "$.needs[0].slots[0].start",
        "$.demand.slots[0]",
        "$.rules.minimum_share_percent",
        "$.organization_ids[0]",
    }


@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_few_wrong_types_at_once_are_all_reported(form: str) -> None:
    """Every top-level member given a number (or a text for a number): each one reported."""
    read, payload, _ = FORMS[form]
    given_payload = {k: "1" if isinstance(v, int) else 1 for k, v in payload.items()}
    found = {path for path, _ in problems(read, given_payload)}
    assert {f"$.{key}" for key in payload} <= found


def test_day_and_moment_members_name_their_form() -> None:
    """A date or a date-time of the wrong form is invalid_format at its path."""
    payload = dict(ORGANIZATION, status="deregistered", status_since="2024/01/01")
    assert problems(parse_organization, payload) == [("$.status_since", "invalid_format")]
    day = dt.date(2024, 1, 1).isoformat()
    assert parse_organization(dict(payload, status_since=day)).status_since == dt.date(2024, 1, 1)


_PERSON_ID_TEXTS = st.one_of(
    st.text(alphabet="0123456789X", min_size=15, max_size=18),
    st.builds(
        lambda birth, rest: f"110105{birth:%Y%m%d}{rest}",
        st.dates(dt.date(1900, 1, 1), dt.date(2020, 12, 31)),
        st.text(alphabet="0123456789", min_size=4, max_size=4),
    ),
    st.builds(
        lambda birth, rest: f"110105{birth:%y%m%d}{rest}",
        st.dates(dt.date(1900, 1, 1), dt.date(1999, 12, 31)),
        st.text(alphabet="0123456789", min_size=3, max_size=3),
    ),
    st.from_regex(r"[A-Za-z0-9_.\-]{1,31}", fullmatch=True),
    st.from_regex(r"(?:0{0,2}86-?)?1[0-9]{2}-?[0-9]{4}-?[0-9]{3,5}[A-Za-z]?", fullmatch=True),
)


@given(text=_PERSON_ID_TEXTS)
@example(text="13812345678")
@example(text="0086-138-1234-5678")
@example(text="12812345678")
@example(text="21110319400101002X")
def test_a_person_id_is_refused_by_the_one_personal_number_rule(text: str) -> None:
    """A person id is refused as a personal number exactly when a volunteer id would be:
    18 characters or a first-generation 15 digits, with a month and day in their places, or
    a mainland mobile number."""
    payload = dict(dump_person(sample_person()), person_id=text)
    problem = volunteer_id_problem(text)
    try:
        parse_person(payload)
    except RecordFormatError as error:
        found = [e.message for e in error.errors if e.path == "$.person_id"]
    else:
        found = []
    if problem is None:
        assert found == []
        assert attrs.evolve(sample_person(), person_id=text).person_id == text
    else:
        shape = problem[1].split(" looks like ", 1)[1].split(";", 1)[0]
        assert shape in ("a resident ID number", "a mobile number")
        assert found == [f"person_id looks like {shape}; give the station's own number"]
        with pytest.raises(InvalidValueError, match=f"looks like {shape}"):
            attrs.evolve(sample_person(), person_id=text)
