"""Beijing volunteer stars: 100/200/500/800/1000 hours.

Beijing's 志愿者管理办法(试行) awards stars at 100, 200, 500, 800 and 1000 hours, and medals at
2000, 3000 and 5000 hours (the medals are not modelled here). The 2020 促进条例 Art 37 says star
ratings follow national rules; organisations keep hour totals as the basis for certificates.

References:
    - [BJ-old] 北京市志愿者管理办法（试行）: the star thresholds. Secondary reprint; its date
      is not known.
    - [BJ] 北京市志愿服务促进条例 (2020-12-25), Art 37.

Example:
    >>> [int(level.hours.hours) for level in RULE_SET.versions[0].levels]
    [100, 200, 500, 800, 1000]
"""

from __future__ import annotations

import datetime as _dt
from typing import Final

from volunteer_rules.rules.rule_set import Reference, RuleSet, RuleSetVersion
from volunteer_rules.rules.schemes._common import MCA2012_DATE, stars

__all__ = ["RULE_SET"]

RULE_SET: Final = RuleSet(
    id="cn-beijing",
    name="Beijing volunteer stars",
    name_zh="北京市志愿者星级认定",
    references=(
        Reference(
            key="BJ-old",
            document="北京市志愿者管理办法（试行）",
            note="secondary reprint; the document's date is unknown",
        ),
        Reference(
            key="BJ",
            document="北京市志愿服务促进条例",
            article="Art 37",
            date=_dt.date(2020, 12, 25),
        ),
    ),
    versions=(
        RuleSetVersion(
            valid_from=MCA2012_DATE,
            levels=stars((100, 200, 500, 800, 1000)),
            note="valid_from is the national scheme's date: the source gives none",
        ),
    ),
)
