"""The statistics wing: figures over many volunteers' records for the people who decide.

Sums of counted service by region, category and period, computed with the same counting
rules as certification. It imports the rules, records and values wings.

Example:
    >>> from volunteer_rules.statistics import summarize
    >>> summarize([]).total.minutes
    0
"""

from __future__ import annotations

from volunteer_rules.statistics.summary import (
    DIMENSIONS,
    PERIODS,
    category_minutes,
    counted_records,
    period_of,
    summarize,
)

__all__ = [
    "DIMENSIONS",
    "PERIODS",
    "category_minutes",
    "counted_records",
    "period_of",
    "summarize",
]
