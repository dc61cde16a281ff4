from __future__ import annotations

import datetime as dt
import importlib.util
import json
import pathlib
from types import ModuleType

import pytest

from volunteer_rules.errors import RecordFormatError
from volunteer_rules.records.identifiers import OrganizationCode
from volunteer_rules.records.record import ServiceRecord, parse_record
from volunteer_rules.tables import count_many

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
THRESHOLDS = (100, 300, 600, 1000, 1500)  # cn-national, hours


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_sample", EXAMPLES / "make_sample.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _records() -> list[ServiceRecord]:
    records = []
    with (EXAMPLES / "records.jsonl").open(encoding="utf-8") as file:
        for line in file:
            try:
                records.append(parse_record(json.loads(line)))
            except (ValueError, RecordFormatError):
                continue
    return records


@pytest.fixture(scope="module")
def records() -> list[ServiceRecord]:
    return _records()


class TestSampleData:
    def test_generator_reproduces_the_committed_file(self, tmp_path: pathlib.Path) -> None:
        """Running make_sample.py again gives the committed file, byte for byte."""
        output = tmp_path / "records.jsonl"
        assert _generator().main(["--output", str(output)]) == 0
        assert output.read_bytes() == (EXAMPLES / "records.jsonl").read_bytes()

    def test_another_seed_gives_another_file(self, tmp_path: pathlib.Path) -> None:
        """The seed matters (the comparison above can fail)."""
        output = tmp_path / "records.jsonl"
        _generator().main(["--output", str(output), "--seed", "7"])
        assert output.read_bytes() != (EXAMPLES / "records.jsonl").read_bytes()

    def test_organization_codes_are_valid(self) -> None:
        """Every registered organization's credit code passes GB 32100 (and python-stdnum)."""
        from stdnum.cn import uscc

        for organization_id, _, _ in _generator().ORGANIZATIONS:
            if organization_id.startswith("G-"):
                continue
            assert OrganizationCode.is_valid(organization_id), organization_id
            assert uscc.is_valid(organization_id), organization_id

    def test_shape(self, records: list[ServiceRecord]) -> None:
        """A few thousand records, 300 volunteers, four Panjin districts, 2021 to mid 2026."""
        assert 4000 <= len(records) <= 5000
        assert len({record.volunteer_id for record in records}) == 300
        assert {record.region_code.code for record in records} == {
            "211102", "211103", "211104", "211122",
        }  # fmt: skip
        assert max(record.date for record in records) < dt.date(2026, 6, 30)
        assert max(record.recorded_at.date() for record in records) <= dt.date(2026, 6, 30)
        assert {record.status for record in records} == {
            "verified",
            "submitted",
            "rejected",
            "void",
        }
        assert any(record.amends for record in records)
        assert any(
            record.start is not None
            and record.end is not None
            and record.end.date() > record.start.date()
            for record in records
        )
        assert any(record.organization_id.startswith("G-") for record in records)

    def test_every_star_level_appears(self, records: list[ServiceRecord]) -> None:
        """Counted on 2026-06-30, cn-national levels 0 to 5 all occur."""
        unique = {record.key: record for record in records}  # the one conflicting id aside
        counts = count_many(
            [r for r in unique.values() if r.record_id != "2020-00327"], as_of=dt.date(2026, 6, 30)
        )
        levels = {
            sum(count.minutes >= hours * 60 for hours in THRESHOLDS) for count in counts.values()
        }
        assert levels == {0, 1, 2, 3, 4, 5}
