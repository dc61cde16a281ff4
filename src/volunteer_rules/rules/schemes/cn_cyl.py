"""Communist Youth League registered volunteers (中国注册志愿者): stars at 100 to 1500 hours.

The CYL rules (2006, revised 2013) register volunteers and count service hours without travel;
a Guangdong summary says the 100/300/600/1000/1500 star thresholds apply since 2014.

References (see ``docs/sources.md``):
    - [CYL] 中国注册志愿者管理办法 (2006, revised 2013): registration ages. Secondary reprint.
    - [CYL-card] registered-volunteer card, annex 2: hours exclude travel. Secondary reprint.
    - [GD] Guangdong CYL summary: 100/300/600/1000/1500 "since 2014". Secondary; the 2013 star
      article itself was not read (docs/sources.md).

Example:
    >>> [level.hours.hours for level in RULE_SET.versions[0].levels][-1]
    Decimal('1500')
"""

from __future__ import annotations

import datetime as _dt
from typing import Final

from volunteer_rules.rules.rule_set import Reference, RuleSet, RuleSetVersion
from volunteer_rules.rules.schemes._common import stars

__all__ = ["RULE_SET"]

RULE_SET: Final = RuleSet(
    id="cn-cyl",
    name="Communist Youth League registered volunteers",
    name_zh="共青团中国注册志愿者星级认定",
    references=(
        Reference(
            key="CYL",
            document="中国注册志愿者管理办法",
            date=_dt.date(2013, 12, 1),
            note="secondary reprint; revision date approximate (2013)",
        ),
        Reference(key="CYL-card", document="中国注册志愿者证, annex 2", note="secondary reprint"),
        Reference(
            key="GD",
            document="Guangdong CYL summary of the star thresholds",
            note="secondary: the CYL 2013 star article was not read",
        ),
    ),
    versions=(
        RuleSetVersion(
            valid_from=_dt.date(2014, 1, 1),
            levels=stars((100, 300, 600, 1000, 1500)),
            note="valid_from is 1 January 2014: the summary says 'since 2014'",
        ),
    ),
)
"""The ``cn-cyl`` rule set: its versions, each with its dates in force and sources."""
