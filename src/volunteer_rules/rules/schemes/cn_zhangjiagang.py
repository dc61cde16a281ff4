"""Zhangjiagang stars: 30/60/100/200/300 hours, and a prize every 300 hours.

Five levels at 30, 60, 100, 200 and 300 hours; beyond the top, every full 300 counted hours
earns a prize (``Certification.cycles``).

References:
    - The project's contract table (spec/contract.md) lists this scheme. The research notes
      (research/regulations.md) hold no source for it: the thresholds and the 300-hour cycle
      are unverified, and the valid_from date is a placeholder.

Example:
    >>> RULE_SET.versions[0].cycle_hours
    Hours(minutes=18000)
"""

from __future__ import annotations

from typing import Final

from volunteer_rules.hours import Hours
from volunteer_rules.rules.rule_set import Reference, RuleSet, RuleSetVersion
from volunteer_rules.rules.schemes._common import MCA2012_DATE, stars

__all__ = ["RULE_SET"]

RULE_SET: Final = RuleSet(
    id="cn-zhangjiagang",
    name="Zhangjiagang volunteer stars and 300-hour prizes",
    name_zh="张家港市志愿者星级认定",
    references=(
        Reference(
            key="contract",
            document="volunteer_rules spec/contract.md, built-in rule set table",
            note="unverified: no primary or secondary source in the research notes",
        ),
    ),
    versions=(
        RuleSetVersion(
            valid_from=MCA2012_DATE,
            levels=stars((30, 60, 100, 200, 300)),
            cycle_hours=Hours.from_hours(300),
            note="valid_from is a placeholder (the national scheme's date)",
        ),
    ),
)
