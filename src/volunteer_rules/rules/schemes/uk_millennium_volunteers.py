"""UK Millennium Volunteers: certificates at 50, 100 and 200 hours.

Certificates at 50 and 100 hours and the Award of Excellence at 200 hours, for volunteers aged
14 to 24 (to 25 in Wales since 2012; Northern Ireland's Volunteer Now counts a volunteer of 25
as too old). The age range is not enforced here. Scotland adds a 500-hour level (not modelled).

The levels are Northern Ireland's current ones. Early versions of the scheme had only the 100 h
certificate and the 200 h Award of Excellence, and England (2008) and Scotland (2012) replaced
it; those histories have no exact dates in the sources and are not modelled as versions.

References (see ``docs/sources.md``):
    - [UK-MV] Wikipedia, "Millennium Volunteers". Secondary.

Example:
    >>> [int(lv.hours.hours) for lv in RULE_SET.versions[0].levels]
    [50, 100, 200]
"""

from __future__ import annotations

import datetime as _dt
from typing import Final

from volunteer_rules.rules.rule_set import Reference, RuleSet, RuleSetVersion
from volunteer_rules.rules.schemes._common import levels

__all__ = ["RULE_SET"]

RULE_SET: Final = RuleSet(
    id="uk-millennium-volunteers",
    name="UK Millennium Volunteers awards",
    name_zh="英国千禧志愿者证书",
    references=(
        Reference(key="UK-MV", document="Millennium Volunteers (Wikipedia)", note="secondary"),
    ),
    versions=(
        RuleSetVersion(
            valid_from=_dt.date(1999, 1, 1),
            levels=levels(
                (
                    ("fifty_hours", "50小时证书", 50),
                    ("hundred_hours", "100小时证书", 100),
                    ("award_of_excellence", "卓越奖", 200),
                )
            ),
            note="valid_from is the scheme's launch year (1999); the day is a placeholder",
        ),
    ),
)
"""The ``uk-millennium-volunteers`` rule set: its versions, each with its dates in force and sources."""
