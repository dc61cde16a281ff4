"""Benchmark: parse_record against equivalent pydantic v2 models.

Run:  .venv/bin/python benchmarks/bench_parse.py            (100,000 payloads)
      .venv/bin/python benchmarks/bench_parse.py --quick    (5,000 payloads)

Every parser reads the same deterministic, varied canonical payloads (record format v1) in
one process; rounds alternate between the parsers and the best round of each is kept, timed in
CPU seconds (the machine may be shared). Three pydantic v2 models, each a subclass of the one
before:

- ``PydanticShapes``: the fields with their JSON types (strict strings, integers, booleans),
  lengths after trimming, id and credit-code patterns, vocabularies (status, category, rating)
  and offset-bearing date-times. Cheaper than the format: it leaves out the checks below.
- ``PydanticFieldRules``: every single-field rule parse_record applies except check digits:
  plus known region codes (a Literal of all codes, checked in Rust), no ID-card number as
  volunteer_id, the year range 1900-2999 and JSON-only extensions. This is the equivalent
  model of issue 2 ("same fields, same types, ranges and patterns; no check digits").
- ``PydanticAllRules``: plus the cross-field rules as a pydantic user writes them (a
  model_validator): end after start, date = local date of start, minutes within the interval,
  recorded_at not before the end, evaluation not before the date, no self-amendment.

parse_record does all of that and verifies credit-code check digits too, in pure Python.
Target: parse_record at least 1.5 times the equivalent model's records per second (see
docs/benchmarks.md for what it reaches now). Each model is called through its
compiled validator (``Model.__pydantic_validator__.validate_python``), pydantic's fastest entry
point; ``model_validate`` adds a Python-level call around it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    Strict,
    StrictBool,
    StrictInt,
    StringConstraints,
    model_validator,
)

from volunteer_rules import RegionCode, dump_record, parse_record
from volunteer_rules.records.record import SERVICE_CATEGORIES

TARGET = 1.5

_ID = r"^[A-Za-z0-9._-]{1,64}$"
# Strict strings: JSON strings only, as parse_record (lax mode would also take bytes); strict
# mode is also pydantic's faster string path.
_STRICT = Strict()
IdText = Annotated[str, _STRICT, StringConstraints(strip_whitespace=True, pattern=_ID)]
OrgText = Annotated[
    str,
    _STRICT,
    StringConstraints(
        strip_whitespace=True,
        pattern=r"^(?:[0-9A-HJ-NPQRTUWXY]{18}|G-[A-Za-z0-9._-]{1,62})$",
    ),
]
Name = Annotated[
    str, _STRICT, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
]
Content = Annotated[
    str, _STRICT, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)
]
Person = Annotated[
    str, _STRICT, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
]
Beneficiary = Annotated[str, _STRICT, StringConstraints(strip_whitespace=True, max_length=200)]
Region = Annotated[str, _STRICT, StringConstraints(pattern=r"^\d{6}$")]
Category = Literal[
    "community_service",
    "elderly_and_disabled",
    "poverty_relief",
    "education",
    "health",
    "legal_aid",
    "psychological_support",
    "emergency_rescue",
    "environment",
    "culture_and_sports",
    "science_popularization",
    "public_safety",
    "traffic",
    "large_events",
    "other",
]
assert set(Category.__args__) == set(SERVICE_CATEGORIES)  # type: ignore[attr-defined]


class PydanticEvaluation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rating: Literal["excellent", "good", "pass", "fail"]
    date: dt.date


class PydanticShapes(BaseModel):
    """Types, lengths, patterns and vocabularies of record format v1 (no check digits)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format_version: Literal[1]
    record_id: IdText
    volunteer_id: IdText
    organization_id: OrgText
    activity_name: Name
    service_category: Category
    content: Content
    place: Name
    region_code: Region
    date: dt.date
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    service_minutes: Annotated[StrictInt, Field(ge=1, le=1440)]
    person_in_charge: Person
    recorded_by: Person
    recorded_at: AwareDatetime
    status: Literal["submitted", "verified", "rejected", "void"]
    evaluation: PydanticEvaluation | None = None
    beneficiary: Beneficiary | None = None
    group_service: StrictBool = False
    amends: IdText | None = None
    extensions: dict[str, Any] | None = None


_RESIDENT_ID = re.compile(r"\d{10}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]")


def _not_a_resident_id(value: str) -> str:
    if len(value) == 18 and _RESIDENT_ID.fullmatch(value):
        raise ValueError("volunteer_id must not be an ID-card number")
    return value


KnownRegion = Literal.__getitem__(tuple(region.code for region in RegionCode.all()))
_UTC = dt.UTC
Day = Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2999, 12, 31))]
Moment = Annotated[
    AwareDatetime,
    Field(ge=dt.datetime(1900, 1, 1, tzinfo=_UTC), lt=dt.datetime(3000, 1, 1, tzinfo=_UTC)),
]


class PydanticEvaluationRules(PydanticEvaluation):
    date: Day


class PydanticFieldRules(PydanticShapes):
    """Every single-field rule of record format v1 except check digits."""

    volunteer_id: Annotated[IdText, AfterValidator(_not_a_resident_id)]
    region_code: KnownRegion  # type: ignore[valid-type]
    date: Day
    start: Moment | None = None
    end: Moment | None = None
    recorded_at: Moment
    evaluation: PydanticEvaluationRules | None = None
    extensions: dict[str, JsonValue] | None = None


class PydanticAllRules(PydanticFieldRules):
    """PydanticFieldRules plus the cross-field rules, as a pydantic user writes them."""

    @model_validator(mode="after")
    def _consistent(self) -> PydanticAllRules:
        if (self.start is None) != (self.end is None):
            raise ValueError("start and end come together")
        if self.start is not None and self.end is not None:
            if not self.end > self.start:
                raise ValueError("end must be after start")
            if self.start.date() != self.date:
                raise ValueError("date must be the local date of start")
            if dt.timedelta(minutes=self.service_minutes) > self.end - self.start:
                raise ValueError("service_minutes longer than the interval")
            if self.recorded_at < self.end:
                raise ValueError("recorded_at before end")
        elif self.recorded_at.date() < self.date:
            raise ValueError("recorded_at before date")
        if self.evaluation is not None and self.evaluation.date < self.date:
            raise ValueError("evaluation before the activity")
        if self.amends is not None and self.amends == self.record_id:
            raise ValueError("a record cannot amend itself")
        return self


ORGANIZATIONS = (
    "512111005000000154",
    "51211100MJ00000175",
    "51211100MJ00000250",
    "51211100MJ0000033T",
    "G-panjin-youth",
    "G-xinglongtai.elders",
)
REGIONS = ("211100", "211102", "211103", "211104", "211122", "210000", "110105")
ACTIVITIES = ("社区助老服务", "文明交通引导", "湿地环保清洁", "图书馆志愿讲解", "社区核酸检测协助")
CONTENTS = ("为独居老人打扫卫生、陪伴聊天", "路口文明劝导", "清理河道垃圾", "接待读者、整理书架")
PLACES = ("兴隆台区振兴街道幸福社区", "双台子区红旗大街", "大洼区辽河口湿地", "盘锦市图书馆")
PEOPLE = ("王芳", "李雷", "张伟", "刘洋", "陈静", "赵敏")
OFFSETS = (dt.timedelta(hours=8),) * 8 + (dt.timedelta(0), dt.timedelta(hours=-5))
STATUSES = ("verified",) * 6 + ("submitted", "submitted", "rejected", "void")
RATINGS = ("excellent", "good", "pass", "fail")


def make_payloads(count: int, seed: int = 20240501) -> list[dict[str, Any]]:
    """``count`` canonical, varied payloads; the same list for the same arguments."""
    rng = random.Random(seed)
    categories = sorted(SERVICE_CATEGORIES)
    payloads: list[dict[str, Any]] = []
    first = dt.date(2023, 1, 1)
    for index in range(count):
        zone = dt.timezone(rng.choice(OFFSETS))
        day = first + dt.timedelta(days=rng.randrange(700))
        payload: dict[str, Any] = {
            "format_version": 1,
            "record_id": f"r-{index:07d}",
            "volunteer_id": f"V{rng.randrange(5000):07d}",
            "organization_id": rng.choice(ORGANIZATIONS),
            "activity_name": rng.choice(ACTIVITIES),
            "service_category": rng.choice(categories),
            "content": rng.choice(CONTENTS),
            "place": rng.choice(PLACES),
            "region_code": rng.choice(REGIONS),
            "date": day.isoformat(),
        }
        if rng.random() < 0.85:
            # An interval; one in ten crosses midnight.
            if rng.random() < 0.1:
                start = dt.datetime.combine(day, dt.time(22, 0), zone)
                length = rng.randrange(120, 360)
            else:
                start = dt.datetime.combine(day, dt.time(rng.randrange(6, 16), 0), zone)
                length = rng.randrange(30, 480)
            start += dt.timedelta(minutes=rng.randrange(0, 60, 5))
            end = start + dt.timedelta(minutes=length)
            payload["start"] = start.isoformat()
            payload["end"] = end.isoformat()
            minutes = rng.randrange(max(1, length - 60), length + 1)
            recorded = end + dt.timedelta(minutes=rng.randrange(0, 20000))
        else:
            minutes = rng.randrange(30, 480)
            recorded = dt.datetime.combine(day, dt.time(23, 0), zone) + dt.timedelta(
                minutes=rng.randrange(0, 20000)
            )
        payload["service_minutes"] = minutes
        payload["person_in_charge"] = rng.choice(PEOPLE)
        payload["recorded_by"] = rng.choice(PEOPLE)
        payload["recorded_at"] = recorded.isoformat()
        payload["status"] = rng.choice(STATUSES)
        if rng.random() < 0.2:
            payload["evaluation"] = {
                "rating": rng.choice(RATINGS),
                "date": (day + dt.timedelta(days=rng.randrange(0, 10))).isoformat(),
            }
        if rng.random() < 0.3:
            payload["beneficiary"] = "社区老人"
        if rng.random() < 0.1:
            payload["group_service"] = True
        if rng.random() < 0.05:
            payload["amends"] = f"r-{rng.randrange(max(index, 1)):07d}x"
        if rng.random() < 0.05:
            payload["extensions"] = {"source": "bench", "batch": index // 1000, "tags": ["a"]}
        payloads.append(payload)
    return payloads


def fastest(model: type[BaseModel]) -> Callable[[dict[str, Any]], object]:
    """pydantic's fastest entry point for a model: its compiled validator, called directly.

    ``model.model_validate(x)`` returns the same model instance, through one more Python-level
    call (about 8 % of the time per record here).
    """
    return model.__pydantic_validator__.validate_python


def timed(parse: Callable[[dict[str, Any]], object], payloads: Sequence[Any]) -> float:
    """CPU seconds to parse every payload once (CPU time: the machine may be shared)."""
    began = time.process_time()
    for payload in payloads:
        parse(payload)
    return time.process_time() - began


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="5,000 payloads instead of 100,000")
    parser.add_argument("--count", type=int, default=None, help="number of payloads")
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating rounds; the best of each is kept"
    )
    args = parser.parse_args(argv)
    count = args.count or (5_000 if args.quick else 100_000)
    payloads = make_payloads(count)
    # Not timed: every payload is canonical and every parser accepts it.
    for payload in payloads[:: max(1, count // 500)]:
        assert dump_record(parse_record(payload)) == payload
        PydanticAllRules.model_validate(payload)
    contenders: dict[str, Callable[[dict[str, Any]], object]] = {
        "parse_record (all rules, check digits)": parse_record,
        "pydantic: shapes only": fastest(PydanticShapes),
        "pydantic: field rules (equivalent)": fastest(PydanticFieldRules),
        "pydantic: field + cross-field rules": fastest(PydanticAllRules),
    }
    best = dict.fromkeys(contenders, float("inf"))
    for _ in range(max(1, args.rounds)):
        for name, parse in contenders.items():
            best[name] = min(best[name], timed(parse, payloads))
    rates = {name: count / seconds for name, seconds in best.items()}
    print(f"{count:,} canonical payloads, best of {args.rounds} rounds (CPU time)")
    for name, rate in rates.items():
        print(f"  {name:<40} {rate:>10,.0f} records/s")
    ours = rates["parse_record (all rules, check digits)"]
    for name in list(contenders)[1:]:
        ratio = ours / rates[name]
        verdict = "meets" if ratio >= TARGET else "below"
        print(f"  parse_record / {name:<37} {ratio:5.2f}x ({verdict} {TARGET}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
