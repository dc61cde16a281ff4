"""Hong Kong Social Welfare Department volunteer awards: 50/100/200 hours per calendar year.

Hours count per calendar year (1 January to ``as_of``): bronze at 50, silver at 100, gold at
200. One record book per person; books cannot be combined, and hours in a lost book are
forfeited.

References:
    - [HK-SWD] Volunteer record book rules, as published by a member centre (methodist-centre.com).
      Secondary.

Example:
    >>> RULE_SET.versions[0].window
    'calendar_year'
"""

from __future__ import annotations

import datetime as _dt
from typing import Final

from volunteer_rules.rules.rule_set import Reference, RuleSet, RuleSetVersion
from volunteer_rules.rules.schemes._common import levels

__all__ = ["RULE_SET"]

RULE_SET: Final = RuleSet(
    id="hk-swd",
    name="Hong Kong SWD volunteer movement awards",
    name_zh="香港社會福利署義工運動嘉許狀",
    references=(
        Reference(
            key="HK-SWD",
            document="義務工作紀錄冊 (Volunteer record book) rules",
            note="secondary: a member centre's page; valid_from unknown",
        ),
    ),
    versions=(
        RuleSetVersion(
            valid_from=_dt.date(2000, 1, 1),
            levels=levels((("bronze", "銅狀", 50), ("silver", "銀狀", 100), ("gold", "金狀", 200))),
            window="calendar_year",
            note="valid_from is a placeholder",
        ),
    ),
)
