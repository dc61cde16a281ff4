"""The statistics wing: figures over many volunteers' records for the people who decide.

Sums of counted service by region, category and period, computed with the same counting
rules as certification; the figures a bureau decides with (registrations, activity, stars,
training, community, trends); and the printable report. It imports the community wing (for
organizations, stations, people served and projects) and the rules, records and values wings.

Example:
    >>> from volunteer_rules.statistics import summarize
    >>> summarize([], by=())[0]["minutes"]
    0
"""

from __future__ import annotations

from volunteer_rules.statistics.decisions import (
    activity,
    capture_figures,
    community_figures,
    periods_between,
    registrations,
    star_distribution,
    time_series,
    training_coverage,
)
from volunteer_rules.statistics.figures import FIGURE_TYPES, HOURS_COLUMNS, Figures
from volunteer_rules.statistics.report import Report, build_report, render_report_html
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
    "FIGURE_TYPES",
    "HOURS_COLUMNS",
    "PERIODS",
    "Figures",
    "Report",
    "activity",
    "build_report",
    "capture_figures",
    "category_minutes",
    "community_figures",
    "counted_records",
    "period_of",
    "periods_between",
    "registrations",
    "render_report_html",
    "star_distribution",
    "summarize",
    "time_series",
    "training_coverage",
]
