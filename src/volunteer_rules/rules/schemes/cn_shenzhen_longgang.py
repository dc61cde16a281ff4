"""Shenzhen Longgang district stars: hours plus months of continuous service.

One star (100 h) and two stars (300 h) need registration and continuous service for at least
six months; three stars (600 h) and four stars (1000 h) need at least one year. Tenure is
counted from the first counted service record, inclusive (exactly six months is enough).

References:
    - [SZ-LG] 深圳市龙岗区志愿者星级认定 (2023): the four levels and their tenure conditions.
      Secondary (chinagovernance.com); no five-star level is given there.

Example:
    >>> [(lv.rank, lv.min_tenure_months) for lv in RULE_SET.versions[0].levels]
    [(1, 6), (2, 6), (3, 12), (4, 12)]
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
    name_zh="深圳市龙岗区志愿者星级认定",
    references=(
        Reference(
            key="SZ-LG",
            document="龙岗区志愿者星级认定办法",
            date=_dt.date(2023, 1, 1),
            note="secondary source; only the year (2023) is known",
        ),
    ),
    versions=(
        RuleSetVersion(
            valid_from=_dt.date(2023, 1, 1),
            levels=stars((100, 300, 600, 1000), tenure=(6, 6, 12, 12)),
        ),
    ),
)
