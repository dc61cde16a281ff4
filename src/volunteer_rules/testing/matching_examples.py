"""Sample inputs for registration and matching: a demand payload and a profile factory.

Example:
    >>> from volunteer_rules.matching.demand import parse_demand
    >>> len(parse_demand(SAMPLE_DEMAND_PAYLOAD).slots)
    10
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Final

__all__ = ["SAMPLE_DEMAND_PAYLOAD", "sample_profile"]

SAMPLE_DEMAND_PAYLOAD: Final[dict[str, Any]] = {
    "demand_id": "D-2024-0601",
    "organization_id": "512111005000000154",
    "title": "汛期堤坝巡查",
    "service_category": "emergency_rescue",
    "region_code": "211104",
    "slots": [
        {"start": "2024-06-01T08:00:00+08:00", "end": "2024-06-01T12:00:00+08:00"},
        {
            "rrule": "FREQ=WEEKLY;COUNT=9",
            "start": "2024-06-08T08:00:00+08:00",
            "duration_minutes": 240,
        },
    ],
    "head_count": 3,
    "required_skills": ["first_aid"],
    "minimum_age": 16,
}
"""A canonical demand (``dump_demand(parse_demand(x)) == x``): flood-season dike patrols in
大洼区, Panjin, Saturdays 08:00-12:00 from 1 June 2024, ten slots of three volunteers."""


def sample_profile(
    *,
    volunteer_id: str = "V1",
    birth_date: _dt.date = _dt.date(1990, 3, 15),
    residence_region: str | None = "211104",
    skills: tuple[str, ...] = (),
    service_categories: tuple[str, ...] = (),
    consents: tuple[str, ...] = ("basic_info_entry",),
    self_supporting: bool = False,
) -> Any:
    """A valid :class:`~volunteer_rules.records.profile.VolunteerProfile` with a passport, for examples.

    Example:
        >>> sample_profile(skills=("first_aid",)).skills
        frozenset({'first_aid'})
    """
    from volunteer_rules.records.profile import IdDocument, VolunteerProfile
    from volunteer_rules.records.region import RegionCode

    return VolunteerProfile(
        volunteer_id=volunteer_id,
        name="王强",
        sex="male",
        birth_date=birth_date,
        id_document=IdDocument(kind="passport", number="E12345678"),
        residence_region=None if residence_region is None else RegionCode.parse(residence_region),
        skills=skills,
        service_categories=service_categories,
        consents=consents,
        self_supporting=self_supporting,
    )
