"""Sichuan stars: the national thresholds, taken in sequence.

Stars must be taken in sequence: four stars before five. A level above one star therefore
needs the level below to have been awarded (pass the volunteer's awards as ``awarded=``).

References:
    - [SC] Sichuan volunteer star rules (2021): the sequence rule. Secondary source.
    - [MCA2012-draft], [COMM] Art 18: the national thresholds, which Sichuan is taken to use
      (the Sichuan source does not list hours).

Example:
    >>> [level.requires_previous for level in RULE_SET.versions[0].levels]
    [False, True, True, True, True]
"""

from __future__ import annotations

import datetime as _dt
from typing import Final

from volunteer_rules.rules.rule_set import Reference, RuleSet, RuleSetVersion
from volunteer_rules.rules.schemes._common import stars

__all__ = ["RULE_SET"]

RULE_SET: Final = RuleSet(
    id="cn-sichuan",
    name="Sichuan volunteer stars (in sequence)",
    name_zh="四川省志愿者星级认定（逐级认定）",
    references=(
        Reference(
            key="SC",
            document="四川省志愿者星级认定",
            date=_dt.date(2021, 9, 30),
            note="secondary source; thresholds taken from the national scheme",
        ),
        Reference(key="COMM", document="中国社区志愿者注册管理办法", article="Art 18"),
    ),
    versions=(
        RuleSetVersion(
            valid_from=_dt.date(2021, 9, 30),
            levels=stars((100, 300, 600, 1000, 1500), in_sequence=True),
        ),
    ),
)
