"""Taiwan volunteer service awards (志願服務獎勵): 3000/5000/8000 hours, each level once.

Bronze at 3,000 hours, silver at 5,000, gold at 8,000; each level is awarded once per person
(Art 6). Every level needs a volunteer service performance certificate (志願服務績效證明書,
Art 2), attested as ``performance_certificate`` (who issued it, and when). The rules were
issued on 2001-06-21 (Art 3 amended in 2014).

References (see ``docs/sources.md``):
    - [TW-AWARD] 志願服務獎勵辦法 (2001-06-21), Art 5 (thresholds), Art 6 (each level once),
      Art 2 (performance certificate required).

Example:
    >>> [(lv.name, lv.label, lv.once) for lv in RULE_SET.versions[0].levels][0]
    ('bronze', '銅牌獎', True)
    >>> RULE_SET.versions[0].levels[0].attestations
    ('performance_certificate',)
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
            date=_dt.date(2001, 6, 21),
            note="issued 2001-06-21; Art 3 amended 2014",
        ),
    ),
    versions=(
        RuleSetVersion(
            valid_from=_dt.date(2001, 6, 21),
            levels=levels(
                (("bronze", "銅牌獎", 3000), ("silver", "銀牌獎", 5000), ("gold", "金牌獎", 8000)),
                once=True,
                attestations=(("performance_certificate",),) * 3,
            ),
        ),
    ),
)
"""The ``tw-awards`` rule set: its versions, each with its dates in force and sources."""
