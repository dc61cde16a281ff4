"""US President's Lifetime Achievement Award (PVSA): 4,000 hours over a lifetime. Paused.

The Lifetime Achievement Award recognises 4,000 or more hours of service over a lifetime, at
any age ([PVSA-co]: the "Lifetime" column of the eligibility table). It is a separate rule set
from ``us-pvsa`` because it counts a lifetime, not the 12 months ending on ``as_of``.
Stipended service counts toward it ([PVSA-gov]); as for every rule set, only verified records
count.

**The award has been paused since 2025-05-25** (``RULE_SET.paused_since``); certifications are
still computed, and say so.

References:
    - [PVSA-gov] presidentialserviceawards.gov, "About the awards": lifetime hours, stipended
      service counts toward the Lifetime award only.
    - [PVSA-co] the eligibility table as quoted by two certifying organizations. Secondary.
    - [PVSA-pause] Inklings News (2025-09-24): the award paused since 2025-05-25. Secondary.

Example:
    >>> [(lv.name, int(lv.hours.hours)) for lv in RULE_SET.versions[0].levels]
    [('lifetime_achievement', 4000)]
"""

from __future__ import annotations

import datetime as _dt
from typing import Final

from volunteer_rules.rules.rule_set import Reference, RuleSet, RuleSetVersion
from volunteer_rules.rules.schemes._common import levels

__all__ = ["RULE_SET"]

RULE_SET: Final = RuleSet(
    id="us-pvsa-lifetime",
    name="US President's Lifetime Achievement Award",
    name_zh="美国总统志愿服务终身成就奖",
    references=(
        Reference(key="PVSA-gov", document="presidentialserviceawards.gov, About the awards"),
        Reference(
            key="PVSA-co",
            document="PVSA eligibility table, quoted by certifying organizations",
            note="secondary",
        ),
        Reference(
            key="PVSA-pause",
            document="PVSA award put on a temporary halt (Inklings News)",
            date=_dt.date(2025, 9, 24),
            note="secondary",
        ),
    ),
    versions=(
        RuleSetVersion(
            valid_from=_dt.date(2003, 1, 30),
            levels=levels((("lifetime_achievement", "终身成就奖", 4000),)),
            note="valid_from is us-pvsa's (the award's creation); the same placeholder caveat",
        ),
    ),
    paused_since=_dt.date(2025, 5, 25),
)
