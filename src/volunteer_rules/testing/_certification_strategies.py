"""Hypothesis strategies for counting and certification.

Re-exported by :mod:`volunteer_rules.testing.strategies`; import them from there.

:func:`service_histories` draws small sets of service records that collide on purpose: few
dates, few organizations and volunteers, intervals that overlap, amendments and chains of them,
days that pass the 1440-minute cap. They are built with the ``ServiceRecord`` constructor (the
counting rules must hold for any record the type allows, not only for parsed ones), and so keep
the rules between fields that it checks: each is entered after its service ends.

Example:
    >>> from volunteer_rules.testing.strategies import service_histories
    >>> records = service_histories().example()  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from hypothesis import strategies as st

from volunteer_rules.hours import Hours
from volunteer_rules.records.record import Evaluation, ServiceRecord
from volunteer_rules.records.region import RegionCode
from volunteer_rules.rules.rule_set import WINDOWS, RuleSet, rule_set_from_mapping

__all__ = ["rule_set_mappings", "rule_sets", "service_histories"]

_TZS = (
    _dt.timezone(_dt.timedelta(hours=8)),
    _dt.UTC,
    _dt.timezone(_dt.timedelta(hours=-5)),
)
_ORGS = ("512111005000000154", "51211100MJ00000175", "G-panjin-youth")
_BASE = _dt.date(2024, 1, 1)


@st.composite
def _history(
    draw: st.DrawFn,
    volunteers: tuple[str, ...],
    min_size: int,
    max_size: int,
    days: int,
    time_zones: tuple[_dt.tzinfo, ...],
) -> list[ServiceRecord]:
    size = draw(st.integers(min_size, max_size))
    region = RegionCode.parse("211103")
    records: list[ServiceRecord] = []
    ids: list[tuple[str, str]] = []
    for n in range(size):
        org = draw(st.sampled_from(_ORGS))
        day = _BASE + _dt.timedelta(days=draw(st.integers(0, days - 1)))
        tz = draw(st.sampled_from(time_zones))
        start: _dt.datetime | None = None
        end: _dt.datetime | None = None
        if draw(st.booleans()):
            start = _dt.datetime(day.year, day.month, day.day, tzinfo=tz) + _dt.timedelta(
                minutes=30 * draw(st.integers(0, 47))
            )
            end = start + _dt.timedelta(minutes=30 * draw(st.integers(1, 40)))
            span = int((end - start).total_seconds()) // 60
            minutes = draw(st.integers(1, min(span, 1440)))
        else:
            minutes = draw(st.sampled_from((1, 60, 240, 600, 1000, 1439, 1440)))
        recorded_at = _dt.datetime(day.year, day.month, day.day, 23, tzinfo=tz) + _dt.timedelta(
            hours=draw(st.integers(0, 24 * 5))
        )
        if end is not None and recorded_at < end:
            recorded_at = end  # entered after the service, as the format asks of every record
        amends = None
        if ids and draw(st.integers(0, 3)) == 0:
            target_org, target_id = draw(st.sampled_from(ids))
            org, amends = target_org, target_id
        evaluation = None
        if draw(st.booleans()):
            evaluation = Evaluation(
                rating=draw(st.sampled_from(("excellent", "good", "pass", "fail"))),
                date=day,
            )
        fields: dict[str, Any] = {
            "record_id": f"r{n}",
            "volunteer_id": draw(st.sampled_from(volunteers)),
            "organization_id": org,
            "activity_name": "活动",
            "service_category": "other",
            "content": "服务",
            "place": "兴隆台区",
            "region_code": region,
            "date": day,
            "start": start,
            "end": end,
            "service": Hours.from_minutes(minutes),
            "person_in_charge": "王芳",
            "recorded_by": "李雷",
            "recorded_at": recorded_at,
            "status": draw(
                st.sampled_from(("verified", "verified", "verified", "submitted", "void"))
            ),
            "evaluation": evaluation,
            "amends": amends,
        }
        records.append(ServiceRecord(**fields))
        ids.append((org, f"r{n}"))
    return records


def service_histories(
    *,
    volunteers: tuple[str, ...] = ("V1",),
    min_size: int = 0,
    max_size: int = 12,
    days: int = 4,
    time_zones: tuple[_dt.tzinfo, ...] = _TZS,
) -> st.SearchStrategy[list[ServiceRecord]]:
    """Lists of service records that exercise every counting rule.

    Records have distinct keys; dates fall within ``days`` days from 2024-01-01; about half
    have intervals (in three time zones), a quarter amend an earlier record, some are not
    verified. Shrinks toward fewer records, earlier dates and no intervals.

    Args:
        volunteers: the volunteer ids to draw from.
        min_size: the fewest records.
        max_size: the most records.
        days: how many distinct dates to spread them over.
        time_zones: the offsets of the date-times (UTC+8, UTC and UTC-5 by default).

    Example:
        >>> strategy = service_histories(volunteers=("V1", "V2"), max_size=5)
        >>> records = strategy.example()  # doctest: +SKIP
    """
    return _history(tuple(volunteers), min_size, max_size, days, tuple(time_zones))


@st.composite
def _rule_set_mapping(draw: st.DrawFn, max_levels: int, max_versions: int) -> dict[str, Any]:
    versions = []
    day = _dt.date(2000, 1, 1)
    for _ in range(draw(st.integers(1, max_versions))):
        day += _dt.timedelta(days=draw(st.integers(1, 4000)))
        count = draw(st.integers(1, max_levels))
        steps = draw(st.lists(st.integers(1, 600), min_size=count, max_size=count))
        hours = 0
        levels = []
        for rank, step in enumerate(steps, start=1):
            hours += step
            level: dict[str, Any] = {
                "rank": rank,
                "name": f"level_{rank}",
                "label": f"{rank}级",
                "hours": hours,
            }
            if draw(st.integers(0, 4)) == 0:
                level["min_tenure_months"] = draw(st.integers(1, 36))
            levels.append(level)
        version: dict[str, Any] = {
            "valid_from": day.isoformat(),
            "window": draw(st.sampled_from(WINDOWS)),
            "levels": levels,
        }
        if draw(st.integers(0, 4)) == 0:
            version["cycle_hours"] = draw(st.integers(1, 500))
        versions.append(version)
    return {
        "id": f"xx-{draw(st.from_regex(r'[a-z0-9]{1,8}', fullmatch=True))}",
        "name": "Generated rule set",
        "name_zh": "生成的规则",
        "references": [{"key": "generated", "document": "Hypothesis"}],
        "versions": versions,
    }


def rule_set_mappings(
    *, max_levels: int = 5, max_versions: int = 3
) -> st.SearchStrategy[dict[str, Any]]:
    """Valid rule sets in their plain mapping form (what ``rule_set_from_mapping`` reads).

    Ids ``xx-…``; 1 to ``max_versions`` versions from 2000 on; 1 to ``max_levels`` levels with
    strictly increasing whole-hour thresholds, sometimes a tenure minimum or a cycle. Shrinks
    toward one version with one low level.

    Example:
        >>> mapping = rule_set_mappings().example()  # doctest: +SKIP
    """
    return _rule_set_mapping(max_levels, max_versions)


def rule_sets(*, max_levels: int = 5, max_versions: int = 3) -> st.SearchStrategy[RuleSet]:
    """Valid :class:`~volunteer_rules.rules.rule_set.RuleSet` values, from :func:`rule_set_mappings`.

    Example:
        >>> rule_set = rule_sets().example()  # doctest: +SKIP
    """
    return rule_set_mappings(max_levels=max_levels, max_versions=max_versions).map(
        rule_set_from_mapping
    )
