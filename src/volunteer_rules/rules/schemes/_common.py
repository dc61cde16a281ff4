"""Helpers shared by the built-in rule set modules (not public).

Example:
    >>> [level.label for level in stars((100, 300))]
    ['一星', '二星']
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import Final

from volunteer_rules.hours import Hours
from volunteer_rules.rules.rule_set import Level, QualityRule

__all__ = ["MCA2012_DATE", "STAR_LABELS", "STAR_NAMES", "levels", "stars"]

STAR_NAMES: Final = ("one_star", "two_star", "three_star", "four_star", "five_star")
STAR_LABELS: Final = ("一星", "二星", "三星", "四星", "五星")
MCA2012_DATE: Final = _dt.date(2012, 10, 23)
"""The date of MCA 民函〔2012〕340号 ([MCA2012-a] in ``docs/sources.md``)."""


def stars(
    hours: Sequence[int],
    *,
    tenure: Sequence[int] = (),
    attestations: Sequence[Sequence[str]] = (),
    in_sequence: bool | Sequence[bool] = False,
    continuous: bool = False,
    quality: QualityRule | Sequence[QualityRule | None] | None = None,
) -> tuple[Level, ...]:
    """Star levels one to n at the given hour thresholds.

    Example:
        >>> stars((100, 300), tenure=(6, 6))[1].min_tenure_months
        6
    """
    return levels(
        tuple(zip(STAR_NAMES, STAR_LABELS, hours, strict=False)),
        tenure=tenure,
        attestations=attestations,
        in_sequence=in_sequence,
        continuous=continuous,
        quality=quality,
    )


def levels(
    table: Sequence[tuple[str, str, int]],
    *,
    tenure: Sequence[int] = (),
    attestations: Sequence[Sequence[str]] = (),
    in_sequence: bool | Sequence[bool] = False,
    once: bool = False,
    continuous: bool = False,
    quality: QualityRule | Sequence[QualityRule | None] | None = None,
) -> tuple[Level, ...]:
    """Levels from ``(name, label, hours)`` rows, ranked in order.

    ``in_sequence`` and ``quality`` are one value for every level or one per level.

    Example:
        >>> levels((("bronze", "銅", 50),))[0].hours
        Hours(minutes=3000)
    """
    count = len(table)
    sequence = (
        [in_sequence and rank > 1 for rank in range(1, count + 1)]
        if isinstance(in_sequence, bool)
        else list(in_sequence)
    )
    qualities = (
        [quality] * count if quality is None or isinstance(quality, QualityRule) else list(quality)
    )
    return tuple(
        Level(
            rank=rank,
            name=name,
            label=label,
            hours=Hours.from_hours(hours),
            min_tenure_months=tenure[rank - 1] if tenure else 0,
            attestations=tuple(attestations[rank - 1]) if attestations else (),
            requires_previous=sequence[rank - 1],
            once=once,
            continuous=continuous and bool(tenure),
            quality=qualities[rank - 1],
        )
        for rank, (name, label, hours) in enumerate(table, start=1)
    )
