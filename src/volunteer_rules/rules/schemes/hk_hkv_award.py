"""Hong Kong Volunteer Award (HKV-Award): 50/100/300/500 hours per calendar year.

Bronze at 50, silver at 100, gold at 300, gold for excellence at 500 hours in one calendar year.
The top-3 awards per age band and the long-service award (20 years with 50 hours each) are not
modelled.

The award was first run in 2022 by the Home and Youth Affairs Bureau and the Agency for Volunteer
Service, for the hours of 2021: the version applies from 2021-01-01 so that the first edition's
hours (a certification on 2021-12-31) can be certified.

References (see ``docs/sources.md``):
    - [HKV] hkv-award.hk, "Award based on volunteer hours".
    - [HKV-2022] Hong Kong Girl Guides Association news (2022-08-24, 2023-07-27): the first
      edition in 2022 counted 2021 hours. Secondary.

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
        ),
        Reference(
            key="HKV-2022",
            document="Hong Kong Volunteer Award first edition (Hong Kong Girl Guides Association news)",
            date=_dt.date(2022, 8, 24),
            note="secondary",
        ),
    ),
    versions=(
        RuleSetVersion(
            valid_from=_dt.date(2021, 1, 1),
            levels=levels(
                (
                    ("bronze", "銅獎", 50),
                    ("silver", "銀獎", 100),
                    ("gold", "金獎", 300),
                    ("gold_for_excellence", "卓越金獎", 500),
                )
            ),
            window="calendar_year",
            note="first run in 2022 for the hours of 2021",
        ),
    ),
)
"""The ``hk-hkv-award`` rule set: its versions, each with its dates in force and sources."""
