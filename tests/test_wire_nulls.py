"""Every wire form reads ``null`` for a member as that member's absence, by one rule.

The record format says so (docs/record-format.md: ``null`` for an optional field is read as
omitted, and for a required one it is ``missing``); the other JSON forms of the library (the
profile and its parts, certificates, demands, rule sets, transfer packages and the community's
forms) read a payload with ``null`` members as the same payload without them: the same value,
or the same problems at the same places.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import volunteer_rules as vr
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
from volunteer_rules.errors import RecordFormatError
from volunteer_rules.records import dump_masked_profile, mask_profile, parse_masked_profile
from volunteer_rules.testing.community_examples import (
    sample_attendance_events,
    sample_organizations,
    sample_person,
    sample_project,
    sample_station,
)
from volunteer_rules.testing.examples import (
    SAMPLE_RECORD_PAYLOAD,
    sample_certificate,
    sample_transfer_package,
)
from volunteer_rules.testing.matching_examples import SAMPLE_DEMAND_PAYLOAD
from volunteer_rules.testing.profile_examples import (
    SAMPLE_COMMENDATION_PAYLOAD,
    SAMPLE_EVALUATION_PAYLOAD,
    SAMPLE_PROFILE_PAYLOAD,
    SAMPLE_TRAINING_PAYLOAD,
)

Reader = Callable[[Any], Any]


def _forms() -> dict[str, tuple[Reader, dict[str, Any]]]:
    """Each wire form's reader and a payload with every optional member it has."""
    evaluation = {"rating": "good", "date": "2024-05-03"}
    record = dict(
        SAMPLE_RECORD_PAYLOAD,
        evaluation=evaluation,
        beneficiary="独居老人",
        group_service=True,
        amends="r-2024-0000",
    )
    station = dict(
        dump_station(sample_station()), community_code="211103001001", address="振兴街道"
    )
    profile = vr.parse_profile(SAMPLE_PROFILE_PAYLOAD)
    return {
        "record": (vr.parse_record, record),
        "profile": (vr.parse_profile, dict(SAMPLE_PROFILE_PAYLOAD)),
        "masked profile": (parse_masked_profile, dump_masked_profile(mask_profile(profile))),
        "training": (vr.parse_training, dict(SAMPLE_TRAINING_PAYLOAD)),
        "commendation": (vr.parse_commendation, dict(SAMPLE_COMMENDATION_PAYLOAD)),
        "evaluation": (vr.parse_evaluation_record, dict(SAMPLE_EVALUATION_PAYLOAD)),
        "certificate": (vr.parse_certificate, vr.dump_certificate(sample_certificate())),
        "demand": (vr.parse_demand, dict(SAMPLE_DEMAND_PAYLOAD)),
        "rule set": (vr.rule_set_from_mapping, vr.dump_rule_set(vr.get_rule_set("cn-national"))),
        "package": (vr.parse_transfer_package, vr.dump_transfer_package(sample_transfer_package())),
        "organization": (
            parse_organization,
            dump_organization(next(iter(sample_organizations().organizations))),
        ),
        "person": (parse_person, dump_person(sample_person())),
        "project": (parse_project, dump_project(sample_project())),
        "station": (parse_station, station),
        "attendance": (
            parse_attendance_event,
            dump_attendance_event(sample_attendance_events()[0]),
        ),
    }


FORMS = _forms()


def _outcome(read: Reader, payload: dict[str, Any]) -> object:
    """The value read, or where and why it was refused."""
    try:
        return read(payload)
    except RecordFormatError as error:
        return sorted((problem.path, problem.code) for problem in error.errors)


Path = tuple[str | int, ...]


def _objects(value: object, path: Path = ()) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every JSON object in ``value`` with its path: the payload, its members, their items."""
    if isinstance(value, dict):
        yield path, value
        for key, member in value.items():
            yield from _objects(member, (*path, key))
    elif isinstance(value, list) and value:
        yield from _objects(value[0], (*path, 0))


def _members() -> Iterator[Any]:
    for form, (_, payload) in FORMS.items():
        for path, members in _objects(payload):
            for key in members:
                where = "".join(
                    f"[{step}]" if isinstance(step, int) else f".{step}" for step in path
                )
                yield pytest.param(form, path, key, id=f"{form}: ${where}.{key}")


def _at(payload: Any, path: Path) -> dict[str, Any]:
    for step in path:
        payload = payload[step]
    return payload  # type: ignore[no-any-return]


@pytest.mark.parametrize(("form", "path", "key"), list(_members()))
def test_null_reads_as_the_member_left_out(form: str, path: Path, key: str) -> None:
    read, payload = FORMS[form]
    given_null = copy.deepcopy(payload)
    _at(given_null, path)[key] = None
    left_out = copy.deepcopy(payload)
    del _at(left_out, path)[key]
    assert _outcome(read, given_null) == _outcome(read, left_out)


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_payload_reads(form: str) -> None:
    read, payload = FORMS[form]
    read(copy.deepcopy(payload))  # the comparisons above start from a payload that reads


def test_unknown_attendance_rules_are_refused_by_name() -> None:
    payload = dump_project(sample_project())
    payload["rules"] = {"minimum_share_percent": 60, "grace_minutes": 5}
    with pytest.raises(RecordFormatError) as raised:
        parse_project(payload)
    assert [(e.path, e.code) for e in raised.value.errors] == [
        ("$.rules.grace_minutes", "unknown_field")
    ]


@pytest.mark.parametrize("value", [None, "blue"])
@pytest.mark.parametrize(
    ("form", "path"), [(f, p) for f in FORMS for p, _ in _objects(FORMS[f][1])]
)
def test_an_unknown_member_is_refused_in_one_wording(form: str, path: Path, value: object) -> None:
    """Null or not, a member a form does not have is refused at its path, in the same words."""
    read, payload = FORMS[form]
    given = copy.deepcopy(payload)
    _at(given, path)["colour"] = value
    where = "$" + "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path)
    with pytest.raises(RecordFormatError) as raised:
        read(given)
    found = [e for e in raised.value.errors if e.code == "unknown_field"]
    assert [e.path for e in found] == [f"{where}.colour"]
    assert found[0].message.startswith("is not a field of ")
    assert found[0].message.endswith(" (names are case-sensitive)")
