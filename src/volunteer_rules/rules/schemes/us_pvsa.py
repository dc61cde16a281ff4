"""US President's Volunteer Service Award (PVSA), by age band over 12 months. Paused.

Hours count over the 12 months ending on ``as_of``. The thresholds depend on the volunteer's
age on ``as_of`` (pass a ``volunteer`` with a ``birth_date``): 5–10: 26/50/75; 11–15:
50/75/100; 16–25: 100/175/250; 26 and over: 100/250/500 hours for bronze/silver/gold. Under 5,
no level is available. Families and groups (``certify_group``): 200/500/1000 hours, each member
giving at least 25. The Lifetime Achievement Award (4,000 hours over a lifetime) is the
separate rule set ``us-pvsa-lifetime``.

**The award has been paused since 2025-05-25** (``RULE_SET.paused_since``); certifications are
still computed, and say so.

References:
    - [PVSA-gov] presidentialserviceawards.gov, "About the awards": 12-month period, certifying
      organizations.
    - [PVSA-co] the eligibility table as quoted by two certifying organizations. Secondary.
    - [PVSA-pause] Inklings News (2025-09-24): the award paused since 2025-05-25. Secondary.

Example:
    >>> RULE_SET.paused_since
    datetime.date(2025, 5, 25)
"""

from __future__ import annotations

import datetime as _dt
from typing import Final

from volunteer_rules.hours import Hours
from volunteer_rules.rules.rule_set import AgeBand, GroupRule, Reference, RuleSet, RuleSetVersion
from volunteer_rules.rules.schemes._common import levels

__all__ = ["RULE_SET"]

_MEDALS: Final = (("bronze", "铜奖"), ("silver", "银奖"), ("gold", "金奖"))


def _band(min_age: int, max_age: int | None, hours: tuple[int, int, int]) -> AgeBand:
    return AgeBand(
        min_age=min_age, max_age=max_age, hours=tuple(Hours.from_hours(h) for h in hours)
    )


RULE_SET: Final = RuleSet(
    id="us-pvsa",
    name="US President's Volunteer Service Award",
    name_zh="美国总统志愿服务奖",
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
            levels=levels(
                tuple((n, lab, h) for (n, lab), h in zip(_MEDALS, (100, 250, 500), strict=False))
            ),
            window="rolling_12_months",
            age_bands=(
                _band(5, 10, (26, 50, 75)),
                _band(11, 15, (50, 75, 100)),
                _band(16, 25, (100, 175, 250)),
                _band(26, None, (100, 250, 500)),
            ),
            group=GroupRule(
                min_member_hours=Hours.from_hours(25),
                levels=levels(
                    tuple(
                        (n, lab, h) for (n, lab), h in zip(_MEDALS, (200, 500, 1000), strict=False)
                    )
                ),
            ),
            note="the levels' own thresholds are the adult (26+) band's",
        ),
    ),
    paused_since=_dt.date(2025, 5, 25),
)
