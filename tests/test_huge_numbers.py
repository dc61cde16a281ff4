"""Integers of thousands of digits are bad input, reported by the library, in every reader.

Python refuses to write an integer of more than 4300 digits as text (``sys.int_info``), so a
reader that puts such a number in a message, or compares it after turning it into text, ends in
a bare ``ValueError``. Every reader gets every integer of its sample payload replaced by
``10**5000`` (and its negative) and must answer with the library's error: ``out_of_range`` at
that path (``unsupported_version`` for a format version), never an exception of its own.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import volunteer_rules as vr
from volunteer_rules import community
from volunteer_rules.testing import community_examples, profile_examples
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
from volunteer_rules.testing.matching_examples import SAMPLE_DEMAND_PAYLOAD

HUGE = (10**5000, -(10**5000))
Leaf = tuple[Any, ...]


def _leaves(value: Any, path: Leaf = ()) -> Iterator[tuple[Leaf, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    else:
        yield path, value


def _replaced(payload: Any, path: Leaf, new: Any) -> Any:
    changed = copy.deepcopy(payload)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = new
    return changed


def _json_path(path: Leaf) -> str:
    return "$" + "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in path)


def _package() -> dict[str, Any]:
    record = vr.parse_record(SAMPLE_RECORD_PAYLOAD)
    package = vr.create_transfer_package(
        [record], volunteer_id="V0000001", source_organization_id="512111005000000154",
        destination_organization_id="51211100MJ00000175", destination_region_code="110105",
        consent=True, created_at=dt.datetime(2024, 6, 1, 9, tzinfo=dt.UTC),
        profile=vr.parse_profile(profile_examples.SAMPLE_PROFILE_PAYLOAD),
        training=[vr.parse_training(profile_examples.SAMPLE_TRAINING_PAYLOAD)],
        commendations=[vr.parse_commendation(profile_examples.SAMPLE_COMMENDATION_PAYLOAD)],
        evaluations=[vr.parse_evaluation_record(profile_examples.SAMPLE_EVALUATION_PAYLOAD)],
    )  # fmt: skip
    return vr.dump_transfer_package(package)


def _certificate() -> dict[str, Any]:
    issuer = vr.Issuer(
        organization_id="512111005000000154", name="盘锦市志愿者协会",
        responsible_person="张三", handler="李四", contact="0427-1234567",
    )  # fmt: skip
    issued = vr.issue_certificate(
        [vr.parse_record(SAMPLE_RECORD_PAYLOAD)],
        volunteer=vr.parse_profile(profile_examples.SAMPLE_PROFILE_PAYLOAD),
        issuer=issuer, as_of=dt.date(2024, 12, 31), number="N-1",
    )  # fmt: skip
    assert issued.certificate is not None
    return vr.dump_certificate(issued.certificate)


def _readers() -> list[tuple[str, Callable[[Any], Any], dict[str, Any]]]:
    project = community_examples.sample_project()
    event = community_examples.sample_attendance_events()[0]
    readers: list[tuple[str, Callable[[Any], Any], dict[str, Any]]] = [
        ("record", vr.parse_record, SAMPLE_RECORD_PAYLOAD),
        ("profile", vr.parse_profile, profile_examples.SAMPLE_PROFILE_PAYLOAD),
        ("training", vr.parse_training, profile_examples.SAMPLE_TRAINING_PAYLOAD),
        ("commendation", vr.parse_commendation, profile_examples.SAMPLE_COMMENDATION_PAYLOAD),
        ("evaluation", vr.parse_evaluation_record, profile_examples.SAMPLE_EVALUATION_PAYLOAD),
        ("demand", vr.parse_demand, SAMPLE_DEMAND_PAYLOAD),
        ("transfer package", vr.parse_transfer_package, _package()),
        ("certificate", vr.parse_certificate, _certificate()),
        ("project", community.parse_project, community.dump_project(project)),
        ("attendance event", community.parse_attendance_event,
         community.dump_attendance_event(event)),
        ("person", community.parse_person,
         community.dump_person(community_examples.sample_person())),
        ("station", community.parse_station,
         community.dump_station(community_examples.sample_station())),
    ]  # fmt: skip
    for rule_set_id in vr.rule_set_ids():
        mapping = vr.dump_rule_set(vr.get_rule_set(rule_set_id))
        readers.append((f"rule set {rule_set_id}", vr.rule_set_from_mapping, mapping))
    return readers


CASES = [
    pytest.param(
        read, payload, path, huge, id=f"{name} {_json_path(path)} {'-' if huge < 0 else '+'}"
    )
    for name, read, payload in _readers()
    for path, value in _leaves(payload)
    if type(value) is int
    for huge in HUGE
]


@pytest.mark.parametrize(("read", "payload", "path", "huge"), CASES)
def test_every_reader_refuses_a_huge_integer(
    read: Callable[[Any], Any], payload: dict[str, Any], path: Leaf, huge: int
) -> None:
    """The library's error, with out_of_range (or unsupported_version) at that path."""
    with pytest.raises(vr.VolunteerRulesError) as raised:
        read(_replaced(payload, path, huge))
    error = raised.value
    str(error), repr(error)  # writing the error out works too
    if isinstance(error, vr.RecordFormatError) and huge > 0:
        at = [e.code for e in error.errors if e.path == _json_path(path)]
        assert set(at) <= {"out_of_range", "unsupported_version"}, at


def test_the_cases_cover_every_reader() -> None:
    """Each reader has integers to replace (the test is not empty for any of them)."""
    names = {str(case.id).split(" $")[0] for case in CASES}
    assert {name for name, _, _ in _readers()} - names <= {"person", "station"}
    assert len(CASES) > 100


@pytest.mark.parametrize(
    ("field", "value"),
    [("hours", "1" * 5000), ("hours", 10**5000), ("rank", 10**5000), ("min_tenure_months", 10**7)],
    ids=["hours text", "hours", "rank", "tenure"],
)
def test_rule_set_numbers_are_out_of_range(field: str, value: object) -> None:
    """A rule set's hours and rank beyond any use: out_of_range, naming the level."""
    mapping = vr.dump_rule_set(vr.get_rule_set("cn-national"))
    mapping["versions"][0]["levels"][0][field] = value
    with pytest.raises(vr.RecordFormatError) as raised:
        vr.rule_set_from_mapping(mapping)
    assert [(e.path, e.code) for e in raised.value.errors] == [
        (f"$.versions[0].levels[0].{field}", "out_of_range")
    ]


@pytest.mark.parametrize(
    "value",
    ["1" * 5000, 10**5000, -(10**5000), "-" + "9" * 4400],
    ids=["text", "int", "negative int", "negative text"],
)
def test_hours_from_hours(value: str | int) -> None:
    with pytest.raises(vr.InvalidValueError, match="too large"):
        vr.Hours.from_hours(value)


@pytest.mark.parametrize(
    "minutes",
    [60 * 10**15, -60 * 10**15, 10**5000, -(10**5000)],
    ids=["bound", "negative bound", "huge", "negative huge"],
)
def test_hours_from_minutes(minutes: int) -> None:
    """10**15 hours or more is refused with the library's error, so a repr never fails."""
    with pytest.raises(vr.InvalidValueError, match="too large"):
        vr.Hours.from_minutes(minutes)


def test_hours_from_minutes_just_below_the_bound() -> None:
    """The other side of the boundary: one minute less is an amount like any other."""
    largest = vr.Hours.from_minutes(60 * 10**15 - 1)
    assert repr(largest) == f"Hours(minutes={60 * 10**15 - 1})"
    assert vr.Hours.from_minutes(-(60 * 10**15) + 1).minutes == -(60 * 10**15) + 1


def test_extensions_hold_at_most_4300_digits() -> None:
    """Inside extensions a number must still be writable as JSON text."""
    fits = {**SAMPLE_RECORD_PAYLOAD, "extensions": {"n": [10**4300 - 1]}}
    assert vr.parse_record(fits).extensions is not None
    for number in (10**4300, -(10**5000)):
        with pytest.raises(vr.RecordFormatError) as raised:
            vr.parse_record({**SAMPLE_RECORD_PAYLOAD, "extensions": {"n": [number]}})
        assert [(e.path, e.code) for e in raised.value.errors] == [
            ("$.extensions.n[0]", "out_of_range")
        ]


def _line(field: str, digits: str) -> str:
    text = json.dumps(SAMPLE_RECORD_PAYLOAD)
    old = f'"{field}": {SAMPLE_RECORD_PAYLOAD[field]}'
    assert old in text
    return text.replace(old, f'"{field}": {digits}')


@pytest.mark.parametrize(
    ("field", "code"),
    [("service_minutes", "out_of_range"), ("format_version", "unsupported_version")],
)
def test_table_readers(field: str, code: str) -> None:
    """JSON Lines and CSV: a huge number is a bad row with its path, not a crash."""
    from volunteer_rules.tables.io import read_csv, read_json_lines

    digits = "1" * 5000
    lines = read_json_lines(io.BytesIO((_line(field, digits) + "\n").encode()))
    row: dict[str, Any] = dict(SAMPLE_RECORD_PAYLOAD)
    row[field] = digits
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)
    table = read_csv(io.BytesIO(buffer.getvalue().encode()))
    for read in (lines, table):
        assert read.records.height == 0
        assert list(zip(read.errors["path"], read.errors["code"], strict=True)) == [
            (f"$.{field}", code)
        ]


def test_the_command_line_reports_the_path(tmp_path: Path) -> None:
    """``check`` on a line with a 5000-digit number: a bad line with its path, no traceback."""
    path = tmp_path / "records.jsonl"
    path.write_text(_line("service_minutes", "1" * 5000) + "\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "volunteer_rules", "check", str(path)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"{path}:1: $.service_minutes: out_of_range: " in done.stdout + done.stderr
