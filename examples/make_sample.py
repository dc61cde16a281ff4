"""Make the sample data set: ``examples/records.jsonl`` (service records, format v1).

Deterministic: the same seed gives the same file, byte for byte, on every platform and Python
version (``random.Random(seed)`` and nothing else that varies; standard library only). Run:

    python examples/make_sample.py                # writes examples/records.jsonl
    python examples/make_sample.py --output -     # to standard output

What is in it: about 4,000 records of 300 volunteers in four Panjin (盘锦市) districts
(211102 双台子区, 211103 兴隆台区, 211104 大洼区, 211122 盘山县), recorded by nine registered
organizations (valid unified social credit codes) and one unregistered group (``G-…``), dated
2021-02-01 (MCA Order 67 in force) to 2026-06-29. Enough verified hours that every star level
of ``cn-national`` (0 to 5) appears when certified ``--as-of 2026-06-30``. Mostly verified,
some submitted, rejected or void; some corrections (``amends``), some overnight intervals,
some records without an interval.

And, on purpose, things for ``volunteer-rules check`` to find: a handful of bad lines (a bad
credit-code checksum, a missing field, a line that is not JSON, an unknown region code, a
resident ID number used as a volunteer id), overlapping records, a day past 24 hours, late
entries (after 10 working days), a record id reused with different content and an identical
repeat (harmless).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from typing import Any

SEED = 20210201
VOLUNTEERS = 300
CST = dt.timezone(dt.timedelta(hours=8))
FIRST_DAY = dt.date(2021, 2, 1)
LAST_DAY = dt.date(2026, 6, 29)
AMEND_BEFORE = dt.date(2026, 5, 1)  # so every correction is on record by 2026-06-30
RECORDED_BY = dt.datetime(2026, 6, 30, 17, 0, tzinfo=CST)  # everything on record by then

# Unified social credit codes (GB 32100, check characters computed with
# stdnum.cn.uscc.calc_check_digit, embedded GB 11714 codes checked too), so this script needs
# only the standard library. tests/test_sample_data.py re-checks every one.
ORGANIZATIONS: list[tuple[str, str, str]] = [
    # (organization_id, name, home district)
    ("512111005000000154", "盘锦市志愿服务联合会", "211103"),
    ("51211100MJ00000175", "盘锦市青年志愿者协会", "211103"),
    ("51211100MJ00000250", "盘锦市助老志愿服务协会", "211102"),
    ("51211100MJ0000033T", "盘锦市应急救援志愿服务队", "211104"),
    ("52211103MJ00000421", "兴隆台区幸福社区社会工作服务中心", "211103"),
    ("52211104MJ00000697", "大洼区生态环保志愿服务中心", "211104"),
    ("53211100MJ00000850", "盘锦市慈善助学基金会", "211102"),
    ("52211122MJ0000093R", "盘山县乡村振兴志愿服务中心", "211122"),
    ("52211102MJ0000114B", "双台子区平安志愿服务中心", "211102"),
    ("G-stz-linli-huzhudui", "双台子区建设街道邻里互助队", "211102"),
]

DISTRICTS: dict[str, tuple[str, list[str]]] = {
    "211102": (
        "双台子区",
        ["胜利街道", "建设街道", "辽河街道", "红旗街道", "铁东街道", "双盛街道"],
    ),
    "211103": (
        "兴隆台区",
        ["兴隆街道", "振兴街道", "渤海街道", "友谊街道", "创新街道", "曙光街道", "惠宾街道"],
    ),
    "211104": (
        "大洼区",
        ["田家街道", "大洼街道", "榆树街道", "王家街道", "二界沟街道", "荣兴街道", "西安镇"],
    ),
    "211122": (
        "盘山县",
        ["太平街道", "高升街道", "沙岭镇", "胡家镇", "石新镇", "东郭镇", "陈家镇", "得胜街道"],
    ),
}

COMMUNITIES = ["幸福", "和平", "光明", "春华", "康乐", "锦绣", "惠民", "长青", "团结", "新兴"]

LANDMARKS: dict[str, list[str]] = {
    "211102": ["双台子区图书馆", "盘锦站广场", "辽河文化产业园", "双台子区人民医院"],
    "211103": ["盘锦市图书馆", "盘锦体育中心", "兴隆台区文化馆", "盘锦市中心医院", "中兴公园"],
    "211104": ["红海滩国家风景廊道", "辽河口生态经济区", "大洼区人民医院", "鼎翔生态旅游区"],
    "211122": ["盘山县图书馆", "盘山县人民医院", "辽河绿水湾", "盘山县体育场"],
}

# category: [(activity name, content, beneficiary or None)]
ACTIVITIES: dict[str, list[tuple[str, str, str | None]]] = {
    "community_service": [
        ("社区环境整治", "清理楼道杂物、张贴文明宣传画", "社区居民"),
        ("垃圾分类宣传", "入户讲解垃圾分类知识，值守分类投放点", "社区居民"),
        ("社区便民服务日", "义务理发、维修小家电、测量血压", "社区居民"),
    ],
    "elderly_and_disabled": [
        ("关爱空巢老人", "为独居老人打扫卫生、陪伴聊天、代购生活用品", "独居老人"),
        ("助残康复陪伴", "陪同残疾人开展康复训练", "残疾人"),
        ("敬老院慰问", "为敬老院老人表演节目、整理房间", "敬老院老人"),
    ],
    "poverty_relief": [
        ("爱心物资发放", "分拣、登记并发放爱心物资", "困难家庭"),
        ("结对帮扶走访", "走访结对困难户，了解需求并协助申请救助", "困难家庭"),
    ],
    "education": [
        ("四点半课堂", "辅导小学生完成作业、开展阅读活动", "社区儿童"),
        ("留守儿童支教", "为留守儿童讲授美术、音乐课程", "留守儿童"),
    ],
    "health": [
        ("无偿献血引导", "在献血点引导市民、讲解献血知识", None),
        ("健康义诊", "协助医生开展义诊、测量血压血糖", "社区居民"),
    ],
    "legal_aid": [("法律咨询进社区", "解答居民法律问题，宣传民法典", "社区居民")],
    "psychological_support": [("心理疏导热线", "接听心理援助热线，开展情绪疏导", None)],
    "emergency_rescue": [
        ("防汛抢险", "加固堤坝、转移群众、搬运防汛物资", None),
        ("应急救护培训", "开展心肺复苏与急救知识普及", "社区居民"),
        ("冬季除雪保畅", "清扫道路积雪、撒融雪剂", None),
    ],
    "environment": [
        ("湿地保护巡护", "巡护湿地、清理白色垃圾、记录鸟类", None),
        ("红海滩净滩行动", "清理海滩垃圾、宣传生态保护", None),
        ("植树护绿", "义务植树、养护绿地", None),
    ],
    "culture_and_sports": [
        ("图书馆志愿服务", "整理图书、引导读者、维持阅览秩序", "读者"),
        ("全民健身活动保障", "赛事检录、补给站服务", None),
    ],
    "science_popularization": [("科普进校园", "讲解防灾减灾与科学知识", "中小学生")],
    "public_safety": [
        ("平安巡逻", "夜间治安巡逻、排查安全隐患", None),
        ("反诈宣传", "发放反诈宣传资料、指导安装反诈软件", "社区居民"),
    ],
    "traffic": [
        ("文明交通劝导", "路口劝导行人和非机动车遵守交通规则", None),
        ("春运志愿服务", "车站引导旅客、帮扶老弱病残孕旅客", "旅客"),
    ],
    "large_events": [
        ("盘锦马拉松赛会服务", "赛道引导、补给发放、终点服务", None),
        ("红海滩文化旅游节服务", "游客咨询、秩序维护", "游客"),
    ],
}

# Which categories each organization records (index into ORGANIZATIONS).
ORGANIZATION_CATEGORIES: list[list[str]] = [
    ["community_service", "large_events", "culture_and_sports", "traffic"],
    ["education", "large_events", "traffic", "science_popularization", "environment"],
    ["elderly_and_disabled", "health", "psychological_support"],
    ["emergency_rescue", "public_safety", "health"],
    ["community_service", "elderly_and_disabled", "legal_aid", "psychological_support"],
    ["environment", "science_popularization"],
    ["education", "poverty_relief"],
    ["poverty_relief", "community_service", "environment"],
    ["public_safety", "traffic", "legal_aid"],
    ["community_service", "elderly_and_disabled"],
]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "芳伟娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅鹏飞宇浩然欣怡子涵"

# Star tiers of cn-national (100/300/600/1000/1500 h): (volunteers, min hours, max hours,
# min minutes per record, max minutes per record). Targets stay clear of the thresholds.
TIERS: list[tuple[int, int, int, int, int]] = [
    (2, 1560, 1660, 600, 840),  # five stars
    (3, 1040, 1250, 540, 780),  # four stars
    (5, 640, 800, 480, 720),  # three stars
    (15, 330, 480, 360, 600),  # two stars
    (40, 110, 200, 240, 480),  # one star
    (235, 2, 40, 60, 360),  # none
]


def person(rng: random.Random) -> str:
    """A plausible Chinese name."""
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
    return rng.choice(SURNAMES) + given


def iso(moment: dt.datetime) -> str:
    """ISO 8601 with seconds and offset, as the record format writes it."""
    return moment.isoformat(timespec="seconds")


class Sample:
    """Builds the records, in a deterministic order."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.lines: list[str] = []
        self.sequence: dict[str, int] = {}
        self.staff: dict[str, tuple[str, str]] = {}
        for organization_id, _, _ in ORGANIZATIONS:
            self.staff[organization_id] = (person(self.rng), person(self.rng))

    def record_id(self, organization_id: str, day: dt.date) -> str:
        number = self.sequence.get(organization_id, 0) + 1
        self.sequence[organization_id] = number
        return f"{day.year}-{number:05d}"

    def place(self, district: str) -> str:
        rng = self.rng
        if rng.random() < 0.3:
            return rng.choice(LANDMARKS[district])
        name, streets = DISTRICTS[district]
        return f"{name}{rng.choice(streets)}{rng.choice(COMMUNITIES)}社区"

    def payload(
        self,
        *,
        volunteer_id: str,
        organization: int,
        day: dt.date,
        minutes: int,
        district: str,
        interval: str = "day",
        status: str = "verified",
        delay_days: int | None = None,
        category: str | None = None,
    ) -> dict[str, Any]:
        """One record payload (keys in the order of the record format)."""
        rng = self.rng
        organization_id = ORGANIZATIONS[organization][0]
        if category is None:
            category = rng.choice(ORGANIZATION_CATEGORIES[organization])
        activity, content, beneficiary = rng.choice(ACTIVITIES[category])
        in_charge, recorder = self.staff[organization_id]
        payload: dict[str, Any] = {
            "format_version": 1,
            "record_id": self.record_id(organization_id, day),
            "volunteer_id": volunteer_id,
            "organization_id": organization_id,
            "activity_name": activity,
            "service_category": category,
            "content": content,
            "place": self.place(district),
            "region_code": district,
            "date": day.isoformat(),
        }
        if interval == "none":
            end_day = day
            end_time = dt.datetime.combine(day, dt.time(18, 0), CST)
        else:
            if interval == "overnight":
                start = dt.datetime.combine(day, dt.time(rng.choice((21, 22, 23)), 0), CST)
            else:
                latest = max(6 * 60, 22 * 60 - minutes - 30)
                offset = rng.randrange(6 * 60, latest + 1, 30) if latest > 6 * 60 else 6 * 60
                start = dt.datetime.combine(day, dt.time(0, 0), CST) + dt.timedelta(minutes=offset)
            slack = rng.choice((0, 0, 15, 30))
            end_time = start + dt.timedelta(minutes=minutes + slack)
            end_day = end_time.date()
            payload["start"] = iso(start)
            payload["end"] = iso(end_time)
        payload["service_minutes"] = minutes
        payload["person_in_charge"] = in_charge
        payload["recorded_by"] = recorder
        if delay_days is None:
            delay_days = rng.choice((0, 1, 1, 2, 2, 3, 4, 5, 7))
        recorded = dt.datetime.combine(
            end_day + dt.timedelta(days=delay_days),
            dt.time(rng.randrange(9, 18), rng.randrange(0, 60)),
            CST,
        )
        recorded = max(recorded, end_time + dt.timedelta(minutes=rng.randrange(10, 120)))
        recorded = max(min(recorded, RECORDED_BY), end_time + dt.timedelta(minutes=10))
        payload["recorded_at"] = iso(recorded)
        payload["status"] = status
        if status == "verified" and rng.random() < 0.4:
            rating = rng.choice(("excellent", "good", "good", "good", "pass"))
            payload["evaluation"] = {"rating": rating, "date": recorded.date().isoformat()}
        if beneficiary is not None and rng.random() < 0.7:
            payload["beneficiary"] = beneficiary
        if rng.random() < 0.05:
            payload["group_service"] = True
        return payload

    def emit(self, payload: dict[str, Any]) -> None:
        self.lines.append(json.dumps(payload, ensure_ascii=False))

    def amend(self, original: dict[str, Any], *, void: bool = False) -> dict[str, Any]:
        """A correction of ``original`` (MCA Order 67, Art. 13), entered a little later."""
        rng = self.rng
        amendment = dict(original)
        amendment.pop("evaluation", None)
        day = dt.date.fromisoformat(original["date"])
        amendment["record_id"] = self.record_id(original["organization_id"], day)
        recorded = dt.datetime.fromisoformat(original["recorded_at"]) + dt.timedelta(
            days=rng.randrange(3, 40), hours=rng.randrange(0, 5)
        )
        amendment["recorded_at"] = iso(recorded)
        if void:
            amendment["status"] = "void"
        else:
            minutes = original["service_minutes"]
            amendment["service_minutes"] = max(30, minutes - rng.choice((30, 60, 90)))
            amendment["status"] = "verified"
        amendment["amends"] = original["record_id"]
        return amendment

    def build(self) -> list[str]:
        rng = self.rng
        days = (LAST_DAY - FIRST_DAY).days + 1
        volunteers: list[tuple[str, str, list[int], int, int, int, int]] = []
        number = 0
        for count, low, high, shortest, longest in TIERS:
            for _ in range(count):
                number += 1
                district = rng.choice(sorted(DISTRICTS))
                home = [i for i, org in enumerate(ORGANIZATIONS) if org[2] == district]
                others = [i for i in range(len(ORGANIZATIONS)) if i not in home]
                organizations = [rng.choice(home), rng.choice(others)]
                target = rng.randrange(low, high + 1) * 60
                volunteers.append(
                    (f"PJ{number:05d}", district, organizations, target, shortest, longest, number)
                )
        rng.shuffle(volunteers)

        amendable: list[dict[str, Any]] = []
        for volunteer_id, district, organizations, target, shortest, longest, _ in volunteers:
            needed_days = target // shortest + 40
            chosen = sorted(rng.sample(range(days), min(days, needed_days)))
            rng.shuffle(chosen)
            counted = 0
            for offset in chosen:
                if counted >= target:
                    break
                day = FIRST_DAY + dt.timedelta(days=offset)
                minutes = rng.randrange(shortest, longest + 1, 15)
                roll = rng.random()
                status = (
                    "verified"
                    if roll < 0.93
                    else "submitted"
                    if roll < 0.96
                    else "rejected"
                    if roll < 0.98
                    else "void"
                )
                roll = rng.random()
                interval = "none" if roll < 0.15 else "overnight" if roll < 0.17 else "day"
                if interval == "overnight":
                    minutes = min(minutes, rng.choice((240, 300, 360)))
                delay = rng.randrange(20, 60) if rng.random() < 0.01 else None
                organization = organizations[0] if rng.random() < 0.8 else organizations[1]
                payload = self.payload(
                    volunteer_id=volunteer_id,
                    organization=organization,
                    day=day,
                    minutes=minutes,
                    district=district,
                    interval=interval,
                    status=status,
                    delay_days=delay,
                )
                self.emit(payload)
                if status == "verified":
                    counted += minutes
                    if rng.random() < 0.015 and day < AMEND_BEFORE:
                        amendable.append(payload)
        for original in amendable:
            amendment = self.amend(original, void=rng.random() < 0.2)
            self.emit(amendment)
        self.anomalies(volunteers)
        rng.shuffle(self.lines)
        return self.lines

    def anomalies(self, volunteers: list[tuple[str, str, list[int], int, int, int, int]]) -> None:
        """The deliberate findings and bad lines."""
        # Overlaps: a second verified record inside the first one's interval, on a day the
        # volunteer has nothing else (a date before the sample's range).
        for index in range(4):
            volunteer_id, district, organizations, *_ = volunteers[index]
            day = dt.date(2020, 11, 2 + 7 * index)
            first = self.payload(
                volunteer_id=volunteer_id,
                organization=organizations[0],
                day=day,
                minutes=240,
                district=district,
            )
            self.emit(first)
            start = dt.datetime.fromisoformat(first["start"]) + dt.timedelta(minutes=60)
            second = self.payload(
                volunteer_id=volunteer_id,
                organization=organizations[1],
                day=day,
                minutes=180,
                district=district,
            )
            second["start"] = iso(start)
            second["end"] = iso(start + dt.timedelta(minutes=180))
            second["recorded_at"] = iso(
                max(
                    dt.datetime.fromisoformat(second["recorded_at"]),
                    start + dt.timedelta(minutes=200),
                )
            )
            self.emit(second)
        # A day past 24 hours: three whole-day records without intervals.
        volunteer_id, district, organizations, *_ = volunteers[5]
        day = dt.date(2020, 12, 12)
        for minutes in (600, 540, 480):
            self.emit(
                self.payload(
                    volunteer_id=volunteer_id,
                    organization=organizations[0],
                    day=day,
                    minutes=minutes,
                    district=district,
                    interval="none",
                    category="emergency_rescue",
                )
            )
        # A record id reused with different content, and an identical repeat.
        volunteer_id, district, organizations, *_ = volunteers[6]
        original = self.payload(
            volunteer_id=volunteer_id,
            organization=organizations[0],
            day=dt.date(2020, 10, 20),
            minutes=180,
            district=district,
        )
        self.emit(original)
        self.emit(dict(original, service_minutes=150))
        repeated = self.payload(
            volunteer_id=volunteers[7][0],
            organization=volunteers[7][2][0],
            day=dt.date(2020, 10, 21),
            minutes=120,
            district=volunteers[7][1],
        )
        self.emit(repeated)
        self.emit(repeated)
        # Bad lines.
        volunteer_id, district, organizations, *_ = volunteers[8]

        def good(day: dt.date) -> dict[str, Any]:
            return self.payload(
                volunteer_id=volunteer_id,
                organization=organizations[0],
                day=day,
                minutes=120,
                district=district,
            )

        bad = good(dt.date(2023, 3, 5))
        code = bad["organization_id"]
        bad["organization_id"] = code[:-1] + ("0" if code[-1] != "0" else "1")  # checksum
        if code.startswith("G-"):
            bad["organization_id"] = "512111005000000155"
        self.emit(bad)
        bad = good(dt.date(2023, 4, 9))
        del bad["place"]  # missing
        self.emit(bad)
        bad = good(dt.date(2023, 5, 14))
        bad["region_code"] = "211199"  # never assigned
        self.emit(bad)
        bad = good(dt.date(2023, 6, 18))
        bad["volunteer_id"] = "21110319850612001X"  # a resident ID number: not allowed
        self.emit(bad)
        bad = good(dt.date(2023, 7, 23))
        bad["service_minutes"] = "两小时"  # not an integer
        bad["end"] = bad["start"]  # and an empty interval
        self.emit(bad)
        text = json.dumps(good(dt.date(2023, 8, 27)), ensure_ascii=False)
        self.lines.append(text[: len(text) // 2])  # cut off: not JSON


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--output", default=None, help="where to write; - for standard output")
    args = parser.parse_args(argv)
    lines = Sample(args.seed).build()
    text = "".join(line + "\n" for line in lines)
    if args.output == "-":
        sys.stdout.write(text)
        return 0
    output = args.output
    if output is None:
        import pathlib

        output = str(pathlib.Path(__file__).with_name("records.jsonl"))
    with open(output, "w", encoding="utf-8", newline="\n") as file:
        file.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
