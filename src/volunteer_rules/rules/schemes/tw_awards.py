"""Taiwan volunteer service awards (志願服務獎勵): 3000/5000/8000 hours, each level once.

Bronze at 3,000 hours, silver at 5,000, gold at 8,000; each level is awarded once per person
and a performance certificate is required.

References:
    - [TW-AWARD] 志願服務獎勵辦法, Art 5 (thresholds), Art 6 (each level once), Art 2
      (performance certificate required).

Example:
    >>> [(lv.name, lv.label, lv.once) for lv in RULE_SET.versions[0].levels][0]
    ('bronze', '銅牌獎', True)
"""

from __future__ import annotations

import datetime as _dt
from typing import Final

from volunteer_rules.rules.rule_set import Reference, RuleSet, RuleSetVersion
from volunteer_rules.rules.schemes._common import levels

__all__ = ["RULE_SET"]

RULE_SET: Final = RuleSet(
    id="tw-awards",
    name="Taiwan volunteer service awards",
    name_zh="志願服務獎勵（銅牌、銀牌、金牌）",
    references=(
        Reference(
            key="TW-AWARD",
            document="志願服務獎勵辦法",
            article="Arts 2, 5, 6",
            note="date of the version read not recorded in the research notes",
        ),
    ),
    versions=(
        RuleSetVersion(
            valid_from=_dt.date(2020, 1, 15),
            levels=levels(
                (("bronze", "銅牌獎", 3000), ("silver", "銀牌獎", 5000), ("gold", "金牌獎", 8000)),
                once=True,
            ),
            note="valid_from is the 志願服務法 revision date (2020-01-15)",
        ),
    ),
)
