"""Ma'anshan stars: 100/300/600/1000/1500 hours, plus each level's own attested conditions.

From three stars on, each level has its own qualitative condition, as the source lists them:
three stars need some influence (一定影响力), four stars outstanding deeds (事迹突出), five
stars outstanding deeds and a role-model effect (事迹突出，具有示范带动作用). They are attested
for the volunteer (``attested=`` in :func:`~volunteer_rules.certify`: names, or
:class:`~volunteer_rules.rules.rule_set.Attestation` values saying who attested and when).
The data does not copy a level's condition into the levels above it, but stars are reached in
turn (a level implies every level below it, as everywhere in :func:`~volunteer_rules.certify`),
so four and five stars are reached only by a volunteer who also meets three stars' condition:
1000 hours with outstanding deeds but no attested influence is two stars. The source does not
say whether a four-star volunteer must first have met three stars' condition; stars taken in
turn is the library's reading (docs/rule-sets.md).

Records come from the national system. Four stars and up earn local rewards: free rides on the
city's buses are the benefit ``maanshan_city_bus`` of
:data:`~volunteer_rules.timebank.benefits.BENEFITS` (the source's other rewards are not
modelled).

References (see ``docs/sources.md``):
    - [MAS] 《马鞍山市志愿服务激励回馈办法（试行）》 (2019), as reported by a local news site
      (2020-08). Secondary; only the year (2019) of the rules is known.

Example:
    >>> [lv.attestations for lv in RULE_SET.versions[0].levels][2:]
    [('influence',), ('outstanding_deeds',), ('outstanding_deeds', 'role_model')]
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
    ("outstanding_deeds",),
    ("outstanding_deeds", "role_model"),
)

RULE_SET: Final = RuleSet(
    id="cn-maanshan",
    name="Ma'anshan volunteer stars",
    name_zh="马鞍山市志愿者星级认定",
    references=(
        Reference(
            key="MAS",
            document="马鞍山市志愿服务激励回馈办法（试行）",
            date=_dt.date(2019, 1, 1),
            note="secondary source (local news, 2020-08); only the year (2019) is known",
        ),
    ),
    versions=(
        RuleSetVersion(
            valid_from=_dt.date(2019, 1, 1),
            levels=stars((100, 300, 600, 1000, 1500), attestations=_CONDITIONS),
            note="valid_from: the rules' year (2019); the day is the 1st of January",
        ),
    ),
)
"""The ``cn-maanshan`` rule set: its versions, each with its dates in force and sources."""
