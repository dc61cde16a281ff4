"""Hong Kong Social Welfare Department volunteer awards: 50/100/200 hours per calendar year.

Hours count per calendar year (1 January to ``as_of``): bronze at 50, silver at 100, gold at
200. One record book per person; books cannot be combined, and hours in a lost book are
forfeited.

The Volunteer Movement was launched in 1998 and retired in 2021, when its certificates ceased:
the rule set's only version runs from 1998 (the year; the day is a placeholder) to 2021-12-31
(the year is known, the day is the year's last). On a later day certification says the scheme
was retired. The group and organization awards (300/600/1000 h) and long-service certificates
are not modelled.

References (see ``docs/sources.md``):
    - [HK-SWD] Volunteer record book rules, as published by a member centre (methodist-centre.com).
      Secondary.
    - [HK-SWD-END] Hong Kong Girl Guides Association news (2021-12-22): the Volunteer Movement
      "will be officially retired in 2021". Secondary.

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
            note="secondary: a member centre's page",
        ),
        Reference(
            key="HK-SWD-END",
            document="Volunteer Movement retired in 2021 (Hong Kong Girl Guides Association news)",
            date=_dt.date(2021, 12, 22),
            note="secondary",
        ),
    ),
    versions=(
        RuleSetVersion(
            valid_from=_dt.date(1998, 1, 1),
            valid_until=_dt.date(2021, 12, 31),
            levels=levels((("bronze", "銅狀", 50), ("silver", "銀狀", 100), ("gold", "金狀", 200))),
            window="calendar_year",
            note="launched in 1998 (day unknown); retired in 2021 (day unknown)",
        ),
    ),
)
"""The ``hk-swd`` rule set: its versions, each with its dates in force and sources."""
