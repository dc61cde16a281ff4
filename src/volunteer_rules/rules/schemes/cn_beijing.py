"""Beijing volunteer stars: the trial rules' 100/200/500/800/1000 h, then 100–1500 h from 2015.

Two versions:

- the trial rules, 《北京市志愿者管理办法(试行)》: stars at 100, 200, 500, 800 and 1000 hours
  (medals at 2000, 3000 and 5000 hours are not modelled). The rules' own date is not known:
  the version starts on the national scheme's date (2012-10-23), a placeholder, and ends on
  2014-12-31;
- from January 2015: 100, 300, 600, 1000 and 1500 hours for one to five stars (Beijing Daily:
  "累计达到100、300、600、1000和1500小时…依次申请认定为一至五星级"). Five stars also need
  public standing and moving deeds (知名度、事迹感人) and the organization's nomination,
  attested as ``public_standing_and_deeds`` and ``organization_nomination``. The trial rules were
  replaced by 《北京市志愿者服务管理办法》 (2022-01-09); reports of 2022 and 2023 give the same
  thresholds, so the version continues. Five stars have a yearly application cut-off (the
  award procedure, :mod:`volunteer_rules.rules.award`).

References (see ``docs/sources.md``):
    - [BJ-old] 北京市志愿者管理办法（试行）: the trial thresholds. Secondary reprint.
    - [BJ-2015] Beijing Daily (2022/23) and reports since 2015: 100–1500 h; five stars at
      1500 h since January 2015, with public standing, moving deeds and nomination. Secondary.
    - [BJ-2022] 北京市志愿者服务管理办法 (2022-01-09): replaced the trial rules (its star
      articles could not be read).
    - [BJ] 北京市志愿服务促进条例 (2020-12-25), Art 37: stars follow national rules.

Example:
    >>> [int(level.hours.hours) for level in RULE_SET.versions[0].levels]
    [100, 200, 500, 800, 1000]
    >>> [int(level.hours.hours) for level in RULE_SET.versions[1].levels]
    [100, 300, 600, 1000, 1500]
    >>> RULE_SET.versions[1].levels[4].attestations
    ('public_standing_and_deeds', 'organization_nomination')
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
            key="BJ-2015",
            document="北京日报: 星级志愿者认定 (100/300/600/1000/1500 h; five stars since 2015)",
            date=_dt.date(2015, 1, 1),
            note="secondary (newspaper); January 2015 is the month, the day is the 1st",
        ),
        Reference(
            key="BJ-2022",
            document="北京市志愿者服务管理办法",
            date=_dt.date(2022, 1, 9),
            note="replaced the trial rules; its star articles could not be read",
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
            note=(
                "the trial rules; valid_from is the national scheme's date (the source gives"
                " none); replaced from January 2015"
            ),
        ),
        RuleSetVersion(
            valid_from=_dt.date(2015, 1, 1),
            levels=stars(
                (100, 300, 600, 1000, 1500),
                attestations=(
                    (),
                    (),
                    (),
                    (),
                    ("public_standing_and_deeds", "organization_nomination"),
                ),
            ),
            note="since January 2015; the 2022 rules kept the thresholds (Beijing Daily 2022/23)",
        ),
    ),
)
"""The ``cn-beijing`` rule set: its versions, each with its dates in force and sources."""
