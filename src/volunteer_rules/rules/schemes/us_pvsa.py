"""US President's Volunteer Service Award (PVSA), by age band over 12 months. Paused.

Hours count over the 12 months ending on ``as_of``. The thresholds depend on the volunteer's
age on ``as_of`` (pass a ``volunteer`` with a ``birth_date``); under 5, no level is available.
Two versions of the table:

- from Executive Order 13285 (2003-01-29): Kids (5–14) 50/75/100; Young Adults (15–25)
  100/175/250; Adults (26 and over) 100/250/500 hours for bronze/silver/gold. The archived
  official page of 2008 heads the Kids column "Under 14" without a lower age; certifying
  organizations of the time give "Kids ages 5-14". The band is read as 5 to 14, so a child of
  14 is still a Kid and no child under 5 has a band (the library's reading, as today's table);
- the current table: 5–10: 26/50/75; 11–15: 50/75/100; 16–25: 100/175/250; 26 and over:
  100/250/500. Its start is not known to the day: sources of 2008 and 2010 show the old
  table, one of September 2020 the new one. The version starts on 2020-01-01, a placeholder
  inside that interval, said so in its note.

Families and groups (``certify_group``): 200/500/1000 hours, each member giving at least 25.
The Lifetime Achievement Award (4,000 hours over a lifetime) is the separate rule set
``us-pvsa-lifetime``. Court-ordered service, donations of money or goods, and service only to
one's own family never counted; stipended service counts toward the Lifetime award only. Those
are kinds of activity a record must not be entered for under this scheme (the library does not
know a record's kind).

**The award has been paused since 2025-05-27, 5 p.m.** (``RULE_SET.paused_since``, the official
site); certifications are still computed, and say so.

References (see ``docs/sources.md``):
    - [PVSA-EO] Executive Order 13285 (2003-01-29): the President's Council on Service and
      Civic Participation, which runs the award.
    - [PVSA-2008] presidentialserviceawards.gov as archived in 2008, and a certifying
      organization's page of 2010: the Kids/Young Adults/Adults table. Secondary.
    - [PVSA-gov] presidentialserviceawards.gov, "About the awards": 12-month period,
      certifying organizations, what does not count.
    - [PVSA-co] the current eligibility table as quoted by certifying organizations, and a
      newspaper of September 2020. Secondary.
    - [PVSA-pause] presidentialserviceawards.gov (accessibility page): paused on 2025-05-27 at
      5 p.m.

Example:
    >>> RULE_SET.paused_since
    datetime.date(2025, 5, 27)
    >>> [b.hours[0].hours for b in RULE_SET.versions[0].age_bands]
    [Decimal('50'), Decimal('100'), Decimal('100')]
"""

from __future__ import annotations

import datetime as _dt
from typing import Final

from volunteer_rules.hours import Hours
from volunteer_rules.rules.rule_set import AgeBand, GroupRule, Reference, RuleSet, RuleSetVersion
from volunteer_rules.rules.schemes._common import levels

__all__ = ["RULE_SET"]

_MEDALS: Final = (("bronze", "铜奖"), ("silver", "银奖"), ("gold", "金奖"))
EO_13285: Final = _dt.date(2003, 1, 29)
PAUSED: Final = _dt.date(2025, 5, 27)


def _band(min_age: int, max_age: int | None, hours: tuple[int, int, int]) -> AgeBand:
    return AgeBand(
        min_age=min_age, max_age=max_age, hours=tuple(Hours.from_hours(h) for h in hours)
    )


def _medals(hours: tuple[int, int, int]) -> tuple[tuple[str, str, int], ...]:
    return tuple((n, lab, h) for (n, lab), h in zip(_MEDALS, hours, strict=True))


NEVER_COUNTED: Final = (
    "never counted [PVSA-gov]: court-ordered service, donations of money or goods, lobbying,"
    " religious instruction or worship, service only to one's own family; stipended service"
    " counts for the Lifetime award only. Records of such activities must not be entered"
    " for this scheme: the record format does not say what kind of activity a record is."
)
"""What the PVSA never counted (the rule sets' ``note``)."""

_GROUP: Final = GroupRule(
    min_member_hours=Hours.from_hours(25), levels=levels(_medals((200, 500, 1000)))
)

REFERENCES: Final = (
    Reference(
        key="PVSA-EO",
        document="Executive Order 13285, President's Council on Service and Civic Participation",
        date=EO_13285,
    ),
    Reference(
        key="PVSA-2008",
        document="presidentialserviceawards.gov (web archive 2008); certifying organization 2010",
        date=_dt.date(2008, 9, 16),
        note="secondary copies of the old table",
    ),
    Reference(key="PVSA-gov", document="presidentialserviceawards.gov, About the awards"),
    Reference(
        key="PVSA-co",
        document="PVSA eligibility table, quoted by certifying organizations",
        date=_dt.date(2020, 9, 17),
        note="secondary",
    ),
    Reference(
        key="PVSA-pause",
        document="presidentialserviceawards.gov, accessibility page: the program is paused",
        date=PAUSED,
    ),
)
"""The sources of both PVSA rule sets."""

RULE_SET: Final = RuleSet(
    id="us-pvsa",
    name="US President's Volunteer Service Award",
    name_zh="美国总统志愿服务奖",
    references=REFERENCES,
    versions=(
        RuleSetVersion(
            valid_from=EO_13285,
            levels=levels(_medals((100, 250, 500))),
            window="rolling_12_months",
            age_bands=(
                _band(5, 14, (50, 75, 100)),
                _band(15, 25, (100, 175, 250)),
                _band(26, None, (100, 250, 500)),
            ),
            group=_GROUP,
            note="Kids (5-14), Young Adults (15-25), Adults (26+); the levels' own thresholds"
            " are the adult band's",
        ),
        RuleSetVersion(
            valid_from=_dt.date(2020, 1, 1),
            levels=levels(_medals((100, 250, 500))),
            window="rolling_12_months",
            age_bands=(
                _band(5, 10, (26, 50, 75)),
                _band(11, 15, (50, 75, 100)),
                _band(16, 25, (100, 175, 250)),
                _band(26, None, (100, 250, 500)),
            ),
            group=_GROUP,
            note="the current table; its start (between 2010 and September 2020) is not known:"
            " 2020-01-01 is a placeholder",
        ),
    ),
    paused_since=PAUSED,
    note=NEVER_COUNTED,
)
"""The ``us-pvsa`` rule set: its versions, each with its dates in force and sources."""
