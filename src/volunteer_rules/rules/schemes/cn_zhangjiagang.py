"""Zhangjiagang stars: 30/60/100/200/300 h, every 300-hour cycle again, medals and a lifetime award.

Under 《张家港志愿者礼遇办法（试行）》, announced on 2014-05-26: one to five stars at 30, 60,
100, 200 and 300 hours. Every further 300-hour cycle repeats all five star prizes (330, 360,
400, 500 and 600 hours, and so on); certificates and medals are not issued again
(``Certification.cycles`` is the completed cycles, ``Certification.cycle_level`` the star
prize reached in the current one). Star medals: bronze at 600 hours, silver at 1000, gold at
1500; a lifetime award at 3000 hours. These are levels six to nine.

References (see ``docs/sources.md``):
    - [ZJG] Zhangjiagang volunteer service federation notice of 2014-05-26 under
      张家港志愿者礼遇办法（试行）. Secondary (the federation's forum archive).

Example:
    >>> [int(level.hours.hours) for level in RULE_SET.versions[0].levels]
    [30, 60, 100, 200, 300, 600, 1000, 1500, 3000]
    >>> RULE_SET.versions[0].cycle_hours
    Hours(minutes=18000)
"""

from __future__ import annotations

import datetime as _dt
from typing import Final

from volunteer_rules.hours import Hours
from volunteer_rules.rules.rule_set import Reference, RuleSet, RuleSetVersion
from volunteer_rules.rules.schemes._common import STAR_LABELS, STAR_NAMES, levels

__all__ = ["RULE_SET"]

RULE_SET: Final = RuleSet(
    id="cn-zhangjiagang",
    name="Zhangjiagang volunteer stars, 300-hour cycles, medals and lifetime award",
    name_zh="张家港市志愿者星级礼遇",
    references=(
        Reference(
            key="ZJG",
            document="张家港志愿者礼遇办法（试行）, notice of 2014-05-26",
            date=_dt.date(2014, 5, 26),
            note="secondary: the volunteer federation's forum archive",
        ),
    ),
    versions=(
        RuleSetVersion(
            valid_from=_dt.date(2014, 5, 26),
            levels=levels(
                (
                    *zip(STAR_NAMES, STAR_LABELS, (30, 60, 100, 200, 300), strict=True),
                    ("bronze_star_medal", "铜质星级奖章", 600),
                    ("silver_star_medal", "银质星级奖章", 1000),
                    ("gold_star_medal", "金质星级奖章", 1500),
                    ("lifetime_award", "终身荣誉奖", 3000),
                )
            ),
            cycle_hours=Hours.from_hours(300),
            note="every 300-hour cycle repeats the five star prizes (levels up to 300 h)",
        ),
    ),
)
"""The ``cn-zhangjiagang`` rule set: its versions, each with its dates in force and sources."""
