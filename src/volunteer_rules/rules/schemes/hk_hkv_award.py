"""Hong Kong Volunteer Award (HKV-Award): 50/100/300/500 hours per calendar year.

Bronze at 50, silver at 100, gold at 300, gold for excellence at 500 hours in one calendar year.
The top-3 awards per age band and the long-service award (20 years with 50 hours each) are not
modelled.

References:
    - [HKV] hkv-award.hk, "Award based on volunteer hours".

Example:
    >>> [lv.name for lv in RULE_SET.versions[0].levels][-1]
    'gold_for_excellence'
"""

from __future__ import annotations

import datetime as _dt
from typing import Final

from volunteer_rules.rules.rule_set import Reference, RuleSet, RuleSetVersion
from volunteer_rules.rules.schemes._common import levels

__all__ = ["RULE_SET"]

RULE_SET: Final = RuleSet(
    id="hk-hkv-award",
    name="Hong Kong Volunteer Award",
    name_zh="香港義工獎",
    references=(
        Reference(
            key="HKV",
            document="Award based on volunteer hours (hkv-award.hk)",
            note="valid_from unknown",
        ),
    ),
    versions=(
        RuleSetVersion(
            valid_from=_dt.date(2010, 1, 1),
            levels=levels(
                (
                    ("bronze", "銅獎", 50),
                    ("silver", "銀獎", 100),
                    ("gold", "金獎", 300),
                    ("gold_for_excellence", "卓越金獎", 500),
                )
            ),
            window="calendar_year",
            note="valid_from is a placeholder",
        ),
    ),
)
