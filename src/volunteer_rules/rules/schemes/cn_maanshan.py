"""Ma'anshan stars: 100/300/600/1000/1500 hours, plus attested conditions from three stars up.

From three stars on, qualitative conditions are added: influence (三星), then outstanding deeds
(四星), then being a role model (五星). They are attested by the caller (``attested=`` in
:func:`~volunteer_rules.certify`), cumulatively: four stars needs influence and outstanding
deeds.

References:
    - [MAS] 马鞍山市志愿者星级认定 (2019): thresholds and qualitative conditions. Secondary
      (local news site).

Example:
    >>> RULE_SET.versions[0].levels[4].attestations
    ('influence', 'outstanding_deeds', 'role_model')
"""

from __future__ import annotations

import datetime as _dt
from typing import Final

from volunteer_rules.rules.rule_set import Reference, RuleSet, RuleSetVersion
from volunteer_rules.rules.schemes._common import stars

__all__ = ["RULE_SET"]

_CONDITIONS: Final = (
    (),
    (),
    ("influence",),
    ("influence", "outstanding_deeds"),
    ("influence", "outstanding_deeds", "role_model"),
)

RULE_SET: Final = RuleSet(
    id="cn-maanshan",
    name="Ma'anshan volunteer stars",
    name_zh="马鞍山市志愿者星级认定",
    references=(
        Reference(
            key="MAS",
            document="马鞍山市志愿者星级认定办法",
            date=_dt.date(2019, 1, 1),
            note="secondary source; only the year (2019) is known",
        ),
    ),
    versions=(
        RuleSetVersion(
            valid_from=_dt.date(2019, 1, 1),
            levels=stars((100, 300, 600, 1000, 1500), attestations=_CONDITIONS),
        ),
    ),
)
