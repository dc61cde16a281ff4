"""The community sample: reproducible, valid, and consistent with the record sample."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import pathlib
from types import ModuleType
from typing import Any

import volunteer_rules as vr
from volunteer_rules.cli.report import KINDS, kind_of
from volunteer_rules.community import OrganizationRegistry, capture_method

ROOT = pathlib.Path(__file__).resolve().parent.parent
FOLDER = ROOT / "examples" / "community"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_community", ROOT / "examples" / "make_community.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read(name: str) -> list[Any]:
    lines = (FOLDER / name).read_text("utf-8").splitlines()
    values = [json.loads(line) for line in lines]
    kinds = {kind_of(v) for v in values}
    assert len(kinds) == 1 and None not in kinds, f"{name} holds {kinds}"
    (kind,) = kinds
    assert kind is not None
    return [KINDS[kind](v) for v in values]


def test_generator_reproduces_the_committed_files(tmp_path: pathlib.Path) -> None:
    """Running make_community.py again gives the committed files, byte for byte."""
    assert _generator().main(["--output", str(tmp_path)]) == 0
    names = sorted(p.name for p in FOLDER.glob("*.jsonl"))
    assert names == sorted(p.name for p in tmp_path.glob("*.jsonl"))
    for name in names:
        assert (tmp_path / name).read_bytes() == (FOLDER / name).read_bytes(), name


def test_every_line_reads_and_the_registry_holds() -> None:
    """Each file reads as its kind; organizations form a tree; stations are run by them."""
    registry = OrganizationRegistry(organizations=_read("organizations.jsonl"))
    assert len(registry) == 13
    for station in _read("stations.jsonl"):
        assert all(registry.get(o) is not None for o in station.organization_ids)
    people = _read("people.jsonl")
    assert len(people) == 12 and all(p.consent is not None for p in people)
    assert len(_read("projects.jsonl")) == 1 and _read("trainings.jsonl")


def test_project_records_are_verified_on_time_and_may_be_recorded() -> None:
    """The attendance records: verified, no finding, recorded by a registered organization."""
    records = _read("project-records.jsonl")
    registry = OrganizationRegistry(organizations=_read("organizations.jsonl"))
    assert {r.status for r in records} == {"verified"}
    assert vr.check_records(records).findings == ()
    assert {capture_method(r) for r in records} == {"check_in", "administrator"}
    for record in records:
        assert registry.check_recording(record.organization_id, record) == ()
    # the project's volunteers are sample volunteers with no other record on those days
    sample = []
    for line in (ROOT / "examples" / "records.jsonl").read_text("utf-8").splitlines():
        try:
            sample.append(json.loads(line))
        except ValueError:
            continue  # the sample holds a line that is not JSON, on purpose
    busy = {(s.get("volunteer_id"), s.get("date")) for s in sample if isinstance(s, dict)}
    assert all((r.volunteer_id, r.date.isoformat()) not in busy for r in records)
    assert max(r.date for r in records) <= dt.date(2026, 6, 30)
