"""Shenzhen Longgang stars: hours plus months of continuous service since registration.

《龙岗区星级志愿者评定管理办法（2023年修订版）》: one star at 100 hours and two stars at 300
need registration and continuous service of at least six months (注册并连续服务满半年); three
stars at 600 and four stars at 1000 need a year. Tenure runs from the volunteer's registration
(``registered_on`` of the profile); "continuous" is read as that many consecutive calendar
months, each with counted service, on or after registration (the library's reading).
Stars one to three are approved by the street-level organization, four stars by the district;
five stars are a Shenzhen city award (1500 hours and two years of continuous service), outside
this rule set.

References (see ``docs/sources.md``):
    - [SZ-LG] 龙岗区星级志愿者评定管理办法（2023年修订版）. Secondary (a document site);
      only the year (2023) is known.

Example:
    >>> [(lv.min_tenure_months, lv.continuous) for lv in RULE_SET.versions[0].levels]
    [(6, True), (6, True), (12, True), (12, True)]
    >>> RULE_SET.versions[0].tenure_from
    'registration'
"""

from __future__ import annotations

import datetime as _dt
from typing import Final

from volunteer_rules.rules.rule_set import Reference, RuleSet, RuleSetVersion
from volunteer_rules.rules.schemes._common import stars

__all__ = ["RULE_SET"]

RULE_SET: Final = RuleSet(
    id="cn-shenzhen-longgang",
    name="Shenzhen Longgang volunteer stars",
    name_zh="深圳市龙岗区星级志愿者评定",
    references=(
        Reference(
            key="SZ-LG",
            document="龙岗区星级志愿者评定管理办法（2023年修订版）",
            date=_dt.date(2023, 1, 1),
            note="secondary source; only the year (2023) is known",
        ),
    ),
    versions=(
        RuleSetVersion(
            valid_from=_dt.date(2023, 1, 1),
            levels=stars((100, 300, 600, 1000), tenure=(6, 6, 12, 12), continuous=True),
            tenure_from="registration",
            note="valid_from: the revision's year (2023); the day is the 1st of January",
        ),
    ),
)
"""The ``cn-shenzhen-longgang`` rule set: its versions, each with its dates in force and sources."""
