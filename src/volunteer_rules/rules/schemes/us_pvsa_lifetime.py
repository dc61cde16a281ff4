"""US President's Lifetime Achievement Award (PVSA): 4,000 hours over a lifetime. Paused.

The Lifetime Achievement Award recognises 4,000 or more hours of service over a lifetime, at
any age ([PVSA-co]: the "Lifetime" column of the eligibility table). It is a separate rule set
from ``us-pvsa`` because it counts a lifetime, not the 12 months ending on ``as_of``.
Stipended service counts toward it ([PVSA-gov]); as for every rule set, only verified records
count.

**The award has been paused since 2025-05-27** (``RULE_SET.paused_since``); certifications are
still computed, and say so.

It was called the President's Call to Service Award until it was renamed.

References (see ``docs/sources.md``): those of ``us-pvsa``.

Example:
    >>> [(lv.name, int(lv.hours.hours)) for lv in RULE_SET.versions[0].levels]
    [('lifetime_achievement', 4000)]
"""

from __future__ import annotations

from typing import Final

from volunteer_rules.rules.rule_set import RuleSet, RuleSetVersion
from volunteer_rules.rules.schemes._common import levels
from volunteer_rules.rules.schemes.us_pvsa import EO_13285, NEVER_COUNTED, PAUSED, REFERENCES

__all__ = ["RULE_SET"]

RULE_SET: Final = RuleSet(
    id="us-pvsa-lifetime",
    name="US President's Lifetime Achievement Award",
    name_zh="美国总统志愿服务终身成就奖",
    references=REFERENCES,
    versions=(
        RuleSetVersion(
            valid_from=EO_13285,
            levels=levels((("lifetime_achievement", "终身成就奖", 4000),)),
            note="4,000 h since the award's start (then the President's Call to Service Award)",
        ),
    ),
    paused_since=PAUSED,
    note=NEVER_COUNTED,
)
"""The ``us-pvsa-lifetime`` rule set: its versions, each with its dates in force and sources."""
