"""Sichuan youth volunteer stars: 100/300/600/1000/1500 h; four stars before five, then selection.

《四川青年志愿者星级认定规则（试行）》 (2021): one to five stars at 100, 300, 600, 1000 and
1500 hours. Only five stars must follow four stars (the platform requires four stars first),
and five stars also need a selection (评选: "1500小时的四星志愿者，经过评选"), attested as
``selection``. The rules cover youth volunteers registered on the 志愿四川 platform, not every
volunteer in the province: the rule set is not bound to Sichuan's region code; choose it
explicitly for those volunteers.

References (see ``docs/sources.md``):
    - [SC] 四川青年志愿者星级认定规则（试行）, as published by a Chengdu college's Youth
      League committee (2021-09-30), and a university's notice. Secondary.

Example:
    >>> [(lv.rank, lv.requires_previous) for lv in RULE_SET.versions[0].levels]
    [(1, False), (2, False), (3, False), (4, False), (5, True)]
    >>> RULE_SET.versions[0].levels[4].attestations
    ('selection',)
"""

from __future__ import annotations

import datetime as _dt
from typing import Final

from volunteer_rules.rules.rule_set import Reference, RuleSet, RuleSetVersion
from volunteer_rules.rules.schemes._common import stars

__all__ = ["RULE_SET"]

RULE_SET: Final = RuleSet(
    id="cn-sichuan",
    name="Sichuan youth volunteer stars (Volunteer Sichuan platform)",
    name_zh="四川青年志愿者星级认定（志愿四川平台）",
    references=(
        Reference(
            key="SC",
            document="四川青年志愿者星级认定规则（试行）",
            date=_dt.date(2021, 9, 30),
            note="secondary: a college Youth League committee's publication of the rules",
        ),
    ),
    versions=(
        RuleSetVersion(
            valid_from=_dt.date(2021, 9, 30),
            levels=stars(
                (100, 300, 600, 1000, 1500),
                in_sequence=(False, False, False, False, True),
                attestations=((), (), (), (), ("selection",)),
            ),
            note="valid_from: the day the rules were published (2021-09-30)",
        ),
    ),
    note="youth volunteers on the 志愿四川 platform only; not bound to a region",
)
"""The ``cn-sichuan`` rule set: its versions, each with its dates in force and sources."""
