"""Taiwan's volunteer honour card (志願服務榮譽卡): three years and 300 hours, valid three years.

A volunteer with at least three years of service and at least 300 hours may apply for the
honour card, which gives free entry to fee-charging public scenic sites and cultural or
recreational venues. The card is valid for three years; on renewal, the years and hours behind
the previous card are not counted again, so counting restarts the day after the last award
(pass it as ``awarded=``).

The card dates from the Volunteer Service Act of 2001-01-20 (Art 20 then and now); the Ministry
of the Interior's rule of 2001-04-24 set its three-year validity.

References (see ``docs/sources.md``):
    - [TW-LAW] 志願服務法 (promulgated 2001-01-20, last amended 2020-01-15), Art 20: three
      years and 300 hours.
    - [TW-CARD] Chiayi household registration office, 志願服務榮譽卡 page: valid three years,
      years and hours not counted twice on renewal. Secondary (a local government page).
    - [TW-BOOK] 志願服務紀錄冊管理規定, Art 9: hours are actual service time, travel excluded.

Example:
    >>> level = RULE_SET.versions[0].levels[0]
    >>> level.label, level.min_tenure_months, RULE_SET.versions[0].validity_months
    ('榮譽卡', 36, 36)
"""

from __future__ import annotations

import datetime as _dt
from typing import Final

from volunteer_rules.rules.rule_set import Reference, RuleSet, RuleSetVersion
from volunteer_rules.rules.schemes._common import levels

__all__ = ["RULE_SET"]

RULE_SET: Final = RuleSet(
    id="tw-honour-card",
    name="Taiwan volunteer honour card",
    name_zh="志願服務榮譽卡",
    references=(
        Reference(
            key="TW-LAW",
            document="志願服務法",
            article="Art 20",
            date=_dt.date(2001, 1, 20),
            note="in force since 2001-01-20; last amended 2020-01-15",
        ),
        Reference(
            key="TW-CARD",
            document="嘉義市 志願服務榮譽卡 申請說明",
            note="secondary: a local government's page",
        ),
        Reference(key="TW-BOOK", document="志願服務紀錄冊管理規定", article="Art 9"),
    ),
    versions=(
        RuleSetVersion(
            valid_from=_dt.date(2001, 1, 20),
            levels=levels((("honour_card", "榮譽卡", 300),), tenure=(36,)),
            validity_months=36,
            hours_reused_on_renewal=False,
        ),
    ),
)
"""The ``tw-honour-card`` rule set: its versions, each with its dates in force and sources."""
