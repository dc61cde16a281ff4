from __future__ import annotations

import contextlib
import datetime as _dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from _any_value import ANY_VALUE
from volunteer_rules.cli import main
from volunteer_rules.errors import InvalidTypeError, InvalidValueError, VolunteerRulesError
from volunteer_rules.hours import Hours
from volunteer_rules.records.profile import dump_profile
from volunteer_rules.records.record import ServiceRecord, parse_record
from volunteer_rules.records.region import RegionCode
from volunteer_rules.statistics.summary import (
    DIMENSIONS,
    category_minutes,
    counted_records,
    period_of,
    summarize,
)
from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
from volunteer_rules.testing.matching_examples import SAMPLE_DEMAND_PAYLOAD, sample_profile

BASE = parse_record(SAMPLE_RECORD_PAYLOAD)
CST = _dt.timezone(_dt.timedelta(hours=8))


def record(n: int, **changes: Any) -> ServiceRecord:
    """A record on its own day (no overlaps), 20 minutes unless told otherwise."""
    day = changes.pop("date", _dt.date(2024, 1, 1) + _dt.timedelta(days=n))
    values: dict[str, Any] = {
        "record_id": f"r-{n}",
        "date": day,
        "start": None,
        "end": None,
        "service": Hours.from_minutes(20),
        "recorded_at": _dt.datetime.combine(day, _dt.time(20), tzinfo=CST),
    }
    values.update(changes)
    return attrs.evolve(BASE, **values)


class TestPeriods:
    @pytest.mark.parametrize(
        ("day", "month", "quarter", "year"),
        [
            (_dt.date(2024, 3, 31), "2024-03", "2024-Q1", "2024"),
            (_dt.date(2024, 4, 1), "2024-04", "2024-Q2", "2024"),
            (_dt.date(2024, 12, 31), "2024-12", "2024-Q4", "2024"),
            (_dt.date(2025, 1, 1), "2025-01", "2025-Q1", "2025"),
        ],
    )
    def test_both_sides_of_period_ends(
        self, day: _dt.date, month: str, quarter: str, year: str
    ) -> None:
        """Months, quarters and years change on their first day."""
        assert [period_of(day, p) for p in ("month", "quarter", "year")] == [month, quarter, year]


class TestSummarize:
    def test_rounded_once(self) -> None:
        """Three records of 20 minutes are exactly 1.00 h, not 0.99."""
        rows = summarize([record(n) for n in range(3)], by=())
        assert rows[0]["minutes"] == 60
        assert rows[0]["hours"] == Decimal("1.00")

    def test_region_rollup(self) -> None:
        """Counties roll up into their city and province; a county row stays a county."""
        records = [
            record(1, region_code=RegionCode.parse("211103")),
            record(2, region_code=RegionCode.parse("211104")),
            record(3, region_code=RegionCode.parse("210102")),
        ]
        city = summarize(records, by=("region",), region_level="city")
        assert [(r["region"], r["region_name"], r["records"]) for r in city] == [
            ("210100", "沈阳市", 1),
            ("211100", "盘锦市", 2),
        ]
        province = summarize(records, by=("region",), region_level="province")
        assert [(r["region"], r["records"]) for r in province] == [("210000", 3)]
        county = summarize(records, by=("region",), region_level="county")
        assert [r["region"] for r in county] == ["210102", "211103", "211104"]

    def test_dimensions_and_distinct_counts(self) -> None:
        """Groups by organization, category and month count distinct volunteers and orgs."""
        records = [
            record(1, volunteer_id="A", organization_id="G-one"),
            record(2, volunteer_id="A", organization_id="G-one"),
            record(40, volunteer_id="B", organization_id="G-two"),
            record(41, volunteer_id="A", organization_id="G-two", service_category="health"),
        ]
        rows = summarize(records, by=("category", "month"))
        assert [
            (r["category"], r["month"], r["volunteers"], r["organizations"], r["records"])
            for r in rows
        ] == [
            ("elderly_and_disabled", "2024-01", 1, 1, 2),
            ("elderly_and_disabled", "2024-02", 1, 1, 1),
            ("health", "2024-02", 1, 1, 1),
        ]
        by_org = summarize(records, by=("organization", "year"))
        assert [(r["organization"], r["year"], r["minutes"]) for r in by_org] == [
            ("G-one", "2024", 40),
            ("G-two", "2024", 40),
        ]
        assert list(by_org[0]) == [
            "organization",
            "year",
            "volunteers",
            "organizations",
            "records",
            "minutes",
            "hours",
        ]

    def test_only_counted_records(self) -> None:
        """Unverified, superseded and not-yet-recorded records are not counted."""
        original = record(1)
        correction = record(2, date=original.date, amends="r-1", service=Hours.from_minutes(45))
        pending = record(3, status="submitted")
        later = record(400)
        rows = summarize(
            [original, correction, pending, later], by=(), as_of=_dt.date(2024, 12, 31)
        )
        assert (rows[0]["records"], rows[0]["minutes"]) == (1, 45)

    def test_identical_repeat_counted_once(self) -> None:
        """The same record given twice counts once."""
        assert summarize([record(1), record(1)], by=())[0]["records"] == 1

    def test_registered(self) -> None:
        """Registered volunteers come from profiles, by residence and chosen category."""
        profiles = [
            sample_profile(
                volunteer_id="a",
                residence_region="211103",
                service_categories=("health", "education"),
            ),
            sample_profile(volunteer_id="b", residence_region="211104"),
            sample_profile(volunteer_id="c", residence_region=None),
        ]
        rows = summarize([record(1)], by=("region",), profiles=profiles)
        assert [(r["region"], r["records"], r["registered"]) for r in rows] == [
            ("", 0, 1),
            ("211100", 1, 2),
        ]
        rows = summarize([], by=("category",), profiles=profiles)
        assert [(r["category"], r["registered"]) for r in rows] == [
            ("", 2),
            ("education", 1),
            ("health", 1),
        ]
        with pytest.raises(InvalidValueError):
            summarize([], by=("organization",), profiles=profiles)

    def test_registered_by_period(self) -> None:
        """By period, a profile counts in the period it registered in; later ones not at all."""
        profiles = [
            attrs.evolve(sample_profile(volunteer_id="a"), registered_on=_dt.date(2023, 12, 31)),
            attrs.evolve(sample_profile(volunteer_id="b"), registered_on=_dt.date(2024, 1, 1)),
            attrs.evolve(sample_profile(volunteer_id="c"), registered_on=_dt.date(2024, 6, 2)),
            sample_profile(volunteer_id="d"),
        ]
        rows = summarize([], by=("year",), profiles=profiles, as_of=_dt.date(2024, 6, 1))
        assert [(r["year"], r["registered"]) for r in rows] == [("", 1), ("2023", 1), ("2024", 1)]

    def test_pandas_takes_the_rows(self) -> None:
        """The rows go straight into a DataFrame."""
        pandas = pytest.importorskip("pandas")
        frame = pandas.DataFrame(list(summarize([record(1), record(2)], by=("month",))))
        assert list(frame["minutes"]) == [40]

    @pytest.mark.parametrize(
        ("kwargs", "error"),
        [
            ({"by": ("town",)}, InvalidValueError),
            ({"by": 3}, InvalidTypeError),
            ({"region_level": "village"}, InvalidValueError),
            ({"profiles": [1]}, InvalidTypeError),
            ({"profiles": "x"}, InvalidTypeError),
        ],
    )
    def test_bad_arguments(self, kwargs: dict[str, Any], error: type[Exception]) -> None:
        """Bad arguments raise library errors."""
        with pytest.raises(error):
            summarize([record(1)], **kwargs)

    @given(ANY_VALUE)
    def test_arbitrary_records_raise_library_errors(self, value: object) -> None:
        """Anything as records gives rows or a library error."""
        with contextlib.suppress(VolunteerRulesError):
            summarize(value)  # type: ignore[arg-type]
        with contextlib.suppress(VolunteerRulesError):
            summarize([value])  # type: ignore[list-item]

    @given(
        st.lists(st.integers(1, 60), max_size=20),
        st.lists(st.sampled_from(DIMENSIONS), max_size=3, unique=True),
    )
    def test_totals_agree_across_groupings(self, minutes: list[int], by: list[str]) -> None:
        """Whatever the grouping, records and minutes add up to the ungrouped total."""
        records = [record(n * 7, service=Hours.from_minutes(m)) for n, m in enumerate(minutes)]
        rows = summarize(records, by=tuple(by))
        total = summarize(records, by=())[0]
        assert sum(r["records"] for r in rows) == total["records"] == len(minutes)
        assert sum(r["minutes"] for r in rows) == total["minutes"] == sum(minutes)


class TestHelpers:
    def test_category_minutes(self) -> None:
        """History counts only the category asked for."""
        records = [record(1), record(2, service_category="health"), record(3, volunteer_id="B")]
        assert category_minutes(records, category="elderly_and_disabled") == {
            "V0000001": 20,
            "B": 20,
        }

    def test_counted_records_type_errors(self) -> None:
        """Non-records are InvalidTypeError."""
        with pytest.raises(InvalidTypeError):
            list(counted_records([1]))  # type: ignore[list-item]


def write_lines(path: Path, payloads: list[Any]) -> Path:
    path.write_text(
        "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in payloads), encoding="utf-8"
    )
    return path


class TestCommandLine:
    def test_stats_formats(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """stats writes text, JSON (hours as exact strings) and CSV."""
        path = write_lines(tmp_path / "r.jsonl", [SAMPLE_RECORD_PAYLOAD])
        assert main(["stats", str(path), "--format", "json"]) == 0
        rows = json.loads(capsys.readouterr().out)
        assert rows == [
            {
                "region": "211100",
                "region_name": "盘锦市",
                "volunteers": 1,
                "organizations": 1,
                "records": 1,
                "minutes": 120,
                "hours": "2.00",
            }
        ]
        assert main(["stats", str(path), "--by", "category", "--format", "csv"]) == 0
        assert capsys.readouterr().out.splitlines()[1] == "elderly_and_disabled,1,1,1,120,2.00"

    def test_stats_bad_line_and_usage(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A bad line is reported with its number (exit 1); a missing file is a usage error."""
        path = write_lines(tmp_path / "r.jsonl", [SAMPLE_RECORD_PAYLOAD, {"x": 1}])
        assert main(["stats", str(path)]) == 1
        assert f"{path}:2:" in capsys.readouterr().err
        assert main(["stats", str(tmp_path / "missing.jsonl")]) == 2
        assert main(["stats", str(path), "--as-of", "someday"]) == 2

    def test_match_command(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """match prints slots, ranking and ineligible; exit 1 when places stay empty."""
        demand = tmp_path / "d.json"
        demand.write_text(json.dumps(SAMPLE_DEMAND_PAYLOAD), encoding="utf-8")
        people = [
            dump_profile(sample_profile(volunteer_id=f"V{n}", skills=("first_aid",) * n))
            for n in range(3)
        ]
        profiles = write_lines(tmp_path / "p.jsonl", [*people, {"volunteer_id": 1}])
        records = write_lines(
            tmp_path / "r.jsonl",
            [dict(SAMPLE_RECORD_PAYLOAD, volunteer_id="V2", service_category="emergency_rescue")],
        )
        status = main(
            [
                "match",
                str(demand),
                str(profiles),
                "--records",
                str(records),
                "--as-of",
                "2024-05-01",
                "--ineligible",
            ]
        )
        captured = capsys.readouterr()
        assert status == 1  # a bad profile line, and one place per slot left
        assert f"{profiles}:4:" in captured.err
        assert "V0: skill_missing: lacks first_aid" in captured.out
        assert (
            main(
                [
                    "match",
                    str(demand),
                    str(profiles),
                    "--as-of",
                    "2024-05-01",
                    "--format",
                    "json",
                    "--rules",
                    "cn-cyl",
                ]
            )
            == 1
        )
        document = json.loads(capsys.readouterr().out)
        assert document["rule_set_id"] == "cn-cyl"
        assert [c["volunteer_id"] for c in document["ranked"]] == ["V1", "V2"]
        assert document["slots"][0]["unfilled"] == 1

    def test_match_usage_errors(self, tmp_path: Path) -> None:
        """A bad demand, an unknown rule set or a bad date is a usage error."""
        demand = tmp_path / "d.json"
        demand.write_text(json.dumps({"demand_id": "x"}), encoding="utf-8")
        profiles = write_lines(tmp_path / "p.jsonl", [])
        assert main(["match", str(demand), str(profiles), "--as-of", "2024-05-01"]) == 2
        demand.write_text(json.dumps(SAMPLE_DEMAND_PAYLOAD), encoding="utf-8")
        assert main(["match", str(demand), str(profiles), "--as-of", "2024-13-01"]) == 2
        assert (
            main(["match", str(demand), str(profiles), "--as-of", "2024-05-01", "--rules", "xx"])
            == 2
        )
        assert (
            main(["match", str(demand), str(tmp_path / "none.jsonl"), "--as-of", "2024-05-01"]) == 2
        )
