"""Hypothesis strategies for transfers: service histories and transfer packages.

Example:
    >>> from hypothesis import given
    >>> from volunteer_rules.testing.strategies import transfer_packages
    >>> strategy = transfer_packages(allowed=True)
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Final

from hypothesis import strategies as st

from volunteer_rules.hours import Hours
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.records.region import RegionCode
from volunteer_rules.transfer.package import TransferPackage, create_transfer_package

__all__ = [
    "TRANSFER_AS_OF",
    "TRANSFER_ORGANIZATIONS",
    "transfer_histories",
    "transfer_packages",
    "transfer_records",
]

TRANSFER_AS_OF: Final = _dt.date(2025, 1, 1)
"""A day after every record these strategies make: check packages ``as_of`` this day."""

TRANSFER_ORGANIZATIONS: Final = (
    "512111005000000154",
    "51211100MJ00000175",
    "51211100MJ00000250",
    "51211100MJ0000033T",
    "G-panjin-youth",
)
"""Organization ids used by the strategies (valid credit codes and one group id)."""

_REGIONS: Final = ("211102", "211103", "211104", "211122", "210100", "110105")
_CST: Final = _dt.timezone(_dt.timedelta(hours=8))
_FIRST_DAY: Final = _dt.date(2023, 1, 1)
_LAST_DAY: Final = _dt.date(2024, 6, 30)


@st.composite
def _record(
    draw: st.DrawFn,
    day: _dt.date,
    *,
    volunteer_id: str,
    organization_id: str,
    record_id: str,
    status: str,
    intervals: bool | None = None,
) -> ServiceRecord:
    with_interval = draw(st.booleans()) if intervals is None else intervals
    if with_interval:
        # One interval inside the day, between 08:00 and 20:00 local time: intervals of
        # different days never overlap.
        start_minute = draw(st.integers(8 * 60, 18 * 60))
        length = draw(st.integers(15, 20 * 60 - start_minute))
        start: _dt.datetime | None = _dt.datetime.combine(day, _dt.time(), _CST) + _dt.timedelta(
            minutes=start_minute
        )
        assert start is not None
        end: _dt.datetime | None = start + _dt.timedelta(minutes=length)
        assert end is not None
        minutes = draw(st.integers(1, length))
        finished = end
    else:
        start = end = None
        minutes = draw(st.integers(1, 600))
        finished = _dt.datetime.combine(day, _dt.time(20), _CST)
    delay = draw(st.integers(0, 40 * 24 * 60))
    return ServiceRecord(
        record_id=record_id,
        volunteer_id=volunteer_id,
        organization_id=organization_id,
        activity_name=draw(st.sampled_from(("社区助老", "环境清洁", "图书馆志愿者"))),
        service_category=draw(st.sampled_from(("elderly_and_disabled", "environment", "other"))),
        content=draw(st.sampled_from(("陪伴老人", "清理河道垃圾", "整理图书"))),
        place=draw(st.sampled_from(("兴隆台区幸福社区", "双台子区图书馆"))),
        region_code=RegionCode.parse(draw(st.sampled_from(_REGIONS[:4]))),
        date=day,
        start=start,
        end=end,
        service=Hours.from_minutes(minutes),
        person_in_charge="王芳",
        recorded_by="李雷",
        recorded_at=finished + _dt.timedelta(minutes=delay),
        status=status,
    )


def transfer_records(
    *,
    volunteer_id: str = "V0000001",
    organization_id: st.SearchStrategy[str] | None = None,
    status: st.SearchStrategy[str] | None = None,
    intervals: bool | None = None,
) -> st.SearchStrategy[ServiceRecord]:
    """One service record of ``volunteer_id``, dated 2023-01-01 to 2024-06-30 (``+08:00``).

    Args:
        volunteer_id: the volunteer.
        organization_id: a strategy for the recording organization (default: one of
            :data:`TRANSFER_ORGANIZATIONS`).
        status: a strategy for the status (default ``verified``).
        intervals: ``True`` for records with ``start``/``end`` only, ``False`` for records
            without, ``None`` for both.

    Example:
        >>> strategy = transfer_records(status=st.sampled_from(["verified", "void"]))
    """
    organizations = (
        st.sampled_from(TRANSFER_ORGANIZATIONS) if organization_id is None else organization_id
    )
    statuses = st.just("verified") if status is None else status
    return st.tuples(
        st.dates(_FIRST_DAY, _LAST_DAY),
        organizations,
        st.integers(1, 10**6),
        statuses,
    ).flatmap(
        lambda drawn: _record(
            drawn[0],
            volunteer_id=volunteer_id,
            organization_id=drawn[1],
            record_id=f"r-{drawn[2]}",
            status=drawn[3],
            intervals=intervals,
        )
    )


@st.composite
def transfer_histories(
    draw: st.DrawFn,
    *,
    volunteer_id: str = "V0000001",
    organization_id: str | None = None,
    min_size: int = 0,
    max_size: int = 12,
) -> list[ServiceRecord]:
    """A clean history of one volunteer: verified records, one per day, distinct keys.

    No two records overlap or are the same service (each is on its own day).

    Args:
        draw: supplied by Hypothesis (not passed by callers).
        volunteer_id: the volunteer.
        organization_id: the recording organization of every record (default: drawn per
            record from :data:`TRANSFER_ORGANIZATIONS`).
        min_size: fewest records.
        max_size: most records.

    Example:
        >>> strategy = transfer_histories(max_size=3)
    """
    days = draw(
        st.lists(st.dates(_FIRST_DAY, _LAST_DAY), min_size=min_size, max_size=max_size, unique=True)
    )
    records = []
    for index, day in enumerate(days):
        organization = organization_id or draw(st.sampled_from(TRANSFER_ORGANIZATIONS))
        records.append(
            draw(
                _record(
                    day,
                    volunteer_id=volunteer_id,
                    organization_id=organization,
                    record_id=f"r-{day.isoformat()}-{index}",
                    status="verified",
                )
            )
        )
    return records


_SPOILERS: Final = (
    "consent",
    "same_place",
    "unknown_region",
    "not_verified",
    "other_volunteer",
)


@st.composite
def transfer_packages(
    draw: st.DrawFn,
    *,
    allowed: bool | None = None,
    min_size: int = 0,
    max_size: int = 12,
    parts: bool = False,
) -> TransferPackage:
    """Transfer packages of one volunteer's records, made by ``create_transfer_package``.

    With ``allowed=True`` every package passes ``check_transfer`` against an empty
    destination ``as_of`` :data:`TRANSFER_AS_OF` (warnings such as ``late`` may occur); with
    ``allowed=False`` every package has at least one violation; ``None`` draws either.

    Args:
        draw: supplied by Hypothesis (not passed by callers).
        allowed: ``True``, ``False`` or ``None``.
        min_size: fewest records.
        max_size: most records.
        parts: also send the other four parts of the record: a profile (an adult's, so no
            guardian is needed), training records, commendations and evaluations of the
            volunteer.

    Example:
        >>> strategy = transfer_packages(allowed=False, parts=True)
    """
    if allowed is None:
        allowed = draw(st.booleans())
    volunteer = "V0000001"
    source = draw(st.sampled_from(TRANSFER_ORGANIZATIONS[:2]))
    destination = draw(st.sampled_from(TRANSFER_ORGANIZATIONS[2:]))
    records = draw(
        transfer_histories(
            volunteer_id=volunteer,
            organization_id=source,
            min_size=max(min_size, 0 if allowed else 1),
            max_size=max(max_size, 1),
        )
    )
    arguments: dict[str, Any] = {
        "volunteer_id": volunteer,
        "source_organization_id": source,
        "destination_organization_id": destination,
        "destination_region_code": draw(st.sampled_from(_REGIONS)),
        "source_region_code": draw(st.sampled_from((None, *_REGIONS))),
        "consent": True,
        "created_at": _dt.datetime(2024, 7, 1, 9, 0, tzinfo=_CST),
    }
    if parts:
        arguments.update(draw(_parts(volunteer)))
    if not allowed:
        spoiler = draw(st.sampled_from(_SPOILERS))
        if spoiler == "consent":
            arguments["consent"] = False
        elif spoiler == "same_place":
            arguments["destination_organization_id"] = source
        elif spoiler == "unknown_region":
            arguments["destination_region_code"] = "219999"
        elif spoiler == "not_verified":
            records[0] = _replace(records[0], status="submitted")
        else:
            records[0] = _replace(records[0], volunteer_id="V0000002")
    return create_transfer_package(records, **arguments)


@st.composite
def _parts(draw: st.DrawFn, volunteer: str) -> dict[str, Any]:
    import attrs

    from volunteer_rules.testing._identifier_strategies import (
        commendations,
        evaluation_records,
        training_records,
        volunteer_profiles,
    )

    owner = st.sampled_from((None, volunteer))
    profile = draw(
        volunteer_profiles(
            volunteer_ids=st.just(volunteer),
            birth_dates=st.dates(_dt.date(1940, 1, 1), _dt.date(2006, 12, 31)),
        )
    )
    return {
        # A profile travels only with the volunteer's consent to the transfer.
        "profile": attrs.evolve(profile, consents=profile.consents | {"record_transfer"}),
        "training": draw(st.lists(training_records(volunteer_ids=st.just(volunteer)), max_size=2)),
        "commendations": [
            attrs.evolve(item, volunteer_id=draw(owner))
            for item in draw(st.lists(commendations(), max_size=2))
        ],
        "evaluations": [
            attrs.evolve(item, volunteer_id=draw(owner))
            for item in draw(st.lists(evaluation_records(), max_size=2))
        ],
    }


def _replace(record: ServiceRecord, **changes: Any) -> ServiceRecord:
    import attrs

    return attrs.evolve(record, **changes)
