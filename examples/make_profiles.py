"""Make the matching sample: ``examples/profiles.jsonl`` and ``examples/demand.json``.

Deterministic: the same seed gives the same files, byte for byte (``random.Random(seed)`` and
nothing else that varies). Run:

    python examples/make_profiles.py              # writes both files next to this script
    python examples/make_profiles.py --output -   # the profiles to standard output

What is in it: the 300 volunteers of ``examples/records.jsonl`` (``PJ00001`` to ``PJ00300``),
living in four Panjin (盘锦市) districts (211102 双台子区, 211103 兴隆台区, 211104 大洼区,
211122 盘山县) and a few in Shenyang and Dalian, with resident IDs (valid check characters,
made-up numbers), skills, chosen service categories and consents. About one in six is a minor:
most with their guardian's consent, some without; the few under 14 mostly with consent to data
use. The demand is flood-season dike patrols in 大洼区: ten Saturday mornings from
6 June 2026, five volunteers each, first aid required, swimming preferred, from 16.

Then, for example:

    volunteer-rules match examples/demand.json examples/profiles.jsonl \\
        --records examples/records.jsonl --as-of 2026-05-01
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
HOMES = [
    ("211102", 25),
    ("211103", 30),
    ("211104", 20),
    ("211122", 20),
    ("210102", 3),
    ("210202", 2),
]
SKILLS = [
    ("first_aid", 35),
    ("swimming", 20),
    ("driving", 25),
    ("sign_language", 5),
    ("teaching", 15),
    ("computer", 20),
    ("counselling", 5),
]
CATEGORIES = [
    "community_service",
    "environment",
    "poverty_relief",
    "emergency_rescue",
    "elderly_and_disabled",
    "education",
    "health",
    "traffic",
    "public_safety",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"

DEMAND: dict[str, Any] = {
    "demand_id": "D-2026-0606",
    "organization_id": "512111005000000154",
    "title": "汛期堤坝巡查",
    "service_category": "emergency_rescue",
    "region_code": "211104",
    "slots": [
        {
            "rrule": "FREQ=WEEKLY;COUNT=10",
            "start": "2026-06-06T08:00:00+08:00",
            "duration_minutes": 240,
        }
    ],
    "head_count": 5,
    "required_skills": ["first_aid"],
    "preferred_skills": ["swimming"],
    "minimum_age": 16,
}


def resident_id(region: str, birth: dt.date, sequence: int) -> str:
    """A GB 11643 number with a valid check character (the sex digit is ``sequence % 10``)."""
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    total = sum(int(digit) * weight for digit, weight in zip(body, WEIGHTS, strict=True))
    return body + CHECK[total % 11]


def profile(rng: random.Random, number: int) -> dict[str, Any]:
    region = rng.choices([c for c, _ in HOMES], [w for _, w in HOMES])[0]
    roll = rng.random()
    if roll < 0.04:
        birth = dt.date(2013, 1, 1) + dt.timedelta(days=rng.randrange(3 * 365))  # under 14
    elif roll < 0.17:
        birth = dt.date(2008, 6, 1) + dt.timedelta(days=rng.randrange(5 * 365))  # 14 to 17
    else:
        birth = dt.date(1956, 1, 1) + dt.timedelta(days=rng.randrange(50 * 365))
    sequence = rng.randrange(1, 999)
    sex = "male" if sequence % 2 else "female"
    age = 2026 - birth.year
    consents = ["basic_info_entry"]
    if age < 18 and rng.random() < 0.8:
        consents.append("guardian")
    if age < 14 and rng.random() < 0.9:
        consents.append("guardian_data")
    if rng.random() < 0.3:
        consents.append("record_transfer")
    skills = sorted(s for s, pct in SKILLS if rng.randrange(100) < pct)
    chosen = [] if rng.random() < 0.15 else sorted(rng.sample(CATEGORIES, rng.randint(1, 3)))
    return {
        "format_version": 1,
        "volunteer_id": f"PJ{number:05d}",
        "name": rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2))),
        "sex": sex,
        "birth_date": birth.isoformat(),
        "id_document": {"kind": "resident_id", "number": resident_id(region, birth, sequence)},
        "residence_region": region,
        "skills": skills,
        "service_categories": chosen,
        "consents": sorted(consents),
        "self_supporting": age >= 18 or (age >= 16 and rng.random() < 0.2),
        "registered_on": max(
            birth + dt.timedelta(days=366 * 7),
            dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(2000)),
        ).isoformat(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Write examples/profiles.jsonl and demand.json")
    parser.add_argument("--seed", type=int, default=20260606)
    parser.add_argument(
        "--output",
        default=str(HERE / "profiles.jsonl"),
        help="where to write the profiles; - for standard output",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    lines = [json.dumps(profile(rng, n), ensure_ascii=False) + "\n" for n in range(1, 301)]
    if args.output == "-":
        sys.stdout.writelines(lines)
        return
    with open(args.output, "w", encoding="utf-8", newline="\n") as file:
        file.writelines(lines)
    with open(HERE / "demand.json", "w", encoding="utf-8", newline="\n") as file:
        file.write(json.dumps(DEMAND, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    main()
