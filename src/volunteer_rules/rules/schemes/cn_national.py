"""China's national star scheme: 100/300/600/1000/1500 hours for one to five stars.

Stars are awarded by cumulative registered service hours (travel excluded), over a lifetime.
Bounds are inclusive: 300 h is two stars, 299 h 59 min is one (research/regulations.md §11,
rule 12). Since 2020 stars are optional and may take quality into account [MCA2020 10].

References:
    - [MCA2012-draft] gov.cn summary of the draft of MCA 《志愿服务记录办法》 (2012-09-27):
      100/300/600/1000/1500 h allow an application for 1★–5★. Draft: the final Arts 8–21
      could not be read (regulations.md §12).
    - [MCA2012-a], [MCA2012-b] MCA 民函〔2012〕340号 (2012-10-23), Arts 3–7 and 22–27.
    - [COMM] 中国社区志愿者注册管理办法, Art 18: the same thresholds for community volunteers.

Example:
    >>> RULE_SET.versions[0].levels[1].hours.hours
    Decimal('300')
"""

from __future__ import annotations

import datetime as _dt
from typing import Final

from volunteer_rules.rules.rule_set import Reference, RuleSet, RuleSetVersion
from volunteer_rules.rules.schemes._common import MCA2012_DATE, stars

__all__ = ["RULE_SET"]

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
    ),
    versions=(RuleSetVersion(valid_from=MCA2012_DATE, levels=stars((100, 300, 600, 1000, 1500))),),
)
