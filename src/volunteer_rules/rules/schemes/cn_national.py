"""China's national star scheme: 100/300/600/1000/1500 hours for one to five stars.

Stars are awarded by cumulative registered service hours (travel excluded), over a lifetime.
Bounds are inclusive: 300 h is two stars, 299 h 59 min is one. The sources base stars on
service time *and* service quality ([MCA2012-draft]; [COMM] Art 18; [MCA2020] Art 10: "基于
服务时间和服务质量等") without a measure of quality. The library reads that, for every level,
as: the evaluated records that count must average at least ``pass`` (合格); records without an
evaluation are not held against anyone. That reading is the library's, stated here and in
``docs/certification.md``; a local scheme with a stricter measure says so in its own rules.

References (see ``docs/sources.md``):
    - [MCA2012-draft] gov.cn summary of the draft of MCA 《志愿服务记录办法》 (2012-09-27):
      100/300/600/1000/1500 h allow an application for 1★–5★, by time and quality. Draft.
    - [MCA2012-a], [MCA2012-b] MCA 民函〔2012〕340号 (2012-10-23), Arts 3–7 and 22–27;
      Arts 8–21 of the final text could not be read.
    - [COMM] 中国社区志愿者注册管理办法, Art 18: the same thresholds, by time and quality.
    - [MCA2020] MCA Order 67 (in force 2021-02-01), Art 10: stars are optional and based on
      service time and quality; an evaluation is a rating and a date.

Example:
    >>> RULE_SET.versions[0].levels[1].hours.hours
    Decimal('300')
    >>> RULE_SET.versions[0].levels[0].quality.min_average_rating
    'pass'
"""

from __future__ import annotations

import datetime as _dt
from typing import Final

from volunteer_rules.rules.rule_set import QualityRule, Reference, RuleSet, RuleSetVersion
from volunteer_rules.rules.schemes._common import MCA2012_DATE, stars

__all__ = ["RULE_SET"]

QUALITY: Final = QualityRule(
    min_average_rating="pass",
    note=(
        "the library's reading of 'time and quality' ([MCA2012-draft]; [COMM] Art 18;"
        " [MCA2020] Art 10): evaluated records average at least pass"
    ),
)
"""The national scheme's quality condition (the library's reading, for every level)."""

RULE_SET: Final = RuleSet(
    id="cn-national",
    name="China national volunteer stars (MCA 2012, community volunteers)",
    name_zh="全国志愿者星级认定（民政部2012、社区志愿者）",
    references=(
        Reference(
            key="MCA2012-draft",
            document="志愿服务记录办法（征求意见稿）, gov.cn summary",
            date=_dt.date(2012, 9, 27),
            note="draft: the thresholds are confirmed only from the 2012 draft",
        ),
        Reference(
            key="MCA2012-a",
            document="志愿服务记录办法 (民函〔2012〕340号)",
            article="Arts 3–7",
            date=MCA2012_DATE,
            note="secondary reprint; Arts 8–21 not read",
        ),
        Reference(key="COMM", document="中国社区志愿者注册管理办法", article="Art 18"),
        Reference(
            key="MCA2020",
            document="志愿服务记录与证明出具办法（试行） (民政部令第67号)",
            article="Art 10",
            date=_dt.date(2021, 2, 1),
            note="in force from 2021-02-01; stars by service time and quality",
        ),
    ),
    versions=(
        RuleSetVersion(
            valid_from=MCA2012_DATE,
            levels=stars((100, 300, 600, 1000, 1500), quality=QUALITY),
        ),
    ),
)
"""The ``cn-national`` rule set: its versions, each with its dates in force and sources."""
