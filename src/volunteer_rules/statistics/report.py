"""The bureau's report: the decision figures on one printable HTML page, charts included.

:func:`build_report` computes a :class:`Report` (plain rows, see
:mod:`~volunteer_rules.statistics.decisions`) from records, profiles, trainings,
organizations, stations, people served and projects; :func:`render_report_html` writes it as
one self-contained HTML page: no script, no external file, no web font; the charts (hours by
month, hours by region, star levels) are inline SVG drawn by this module; A4 print styles.
People served appear only as counts, never by name. ``volunteer-rules report`` runs both.

Example:
    >>> from datetime import date
    >>> import volunteer_rules as vr
    >>> from volunteer_rules.testing.examples import SAMPLE_RECORD_PAYLOAD
    >>> report = build_report([vr.parse_record(SAMPLE_RECORD_PAYLOAD)], as_of=date(2024, 6, 30))
    >>> report.totals["minutes"], report.totals["hours"]
    (120, Decimal('2.00'))
    >>> page = render_report_html(report)
    >>> page.startswith("<!DOCTYPE html>"), page.count("<svg"), "<script" in page
    (True, 3, False)
"""

from __future__ import annotations

import datetime as _dt
import html
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, Final

import attrs

from volunteer_rules._privacy import mask_personal_data, masked_repr
from volunteer_rules.community.organization import Organization
from volunteer_rules.community.person import PersonServed
from volunteer_rules.community.project import Project
from volunteer_rules.community.station import Station
from volunteer_rules.errors import InvalidTypeError, InvalidValueError
from volunteer_rules.hours import Hours
from volunteer_rules.records.profile import TrainingRecord, VolunteerProfile
from volunteer_rules.records.record import ServiceRecord
from volunteer_rules.rules.rule_set import RuleSet
from volunteer_rules.statistics.decisions import (
    _items,
    _ratio,
    _share,
    activity,
    capture_figures,
    community_figures,
    registrations,
    star_distribution,
    time_series,
    training_coverage,
)
from volunteer_rules.statistics.summary import counted_records, summarize

__all__ = ["Report", "build_report", "render_report_html"]

_MONTHS: Final = 24


def _rows(value: Iterable[dict[str, Any]]) -> tuple[dict[str, Any], ...]:
    return tuple(dict(row) for row in value)


@masked_repr
@attrs.frozen(kw_only=True)
class Report:
    """The figures of the report, as rows (every figure is also in a table of the page).

    Attributes:
        as_of: the day the figures are for.
        title: the page title.
        rule_set_id: the star rule set.
        region_level: the level regions are grouped at.
        totals: headline figures: ``volunteers`` (registered), ``organizations``
            (registered on ``as_of``), ``active``, ``active_share``, ``records`` and
            ``minutes`` (counted), ``hours``, ``hours_per_volunteer``, ``stations``,
            ``people_served``, ``projects``.
        by_month: :func:`~volunteer_rules.statistics.decisions.time_series` by month, the
            last 24 months to ``as_of``.
        by_region: :func:`~volunteer_rules.statistics.summary.summarize` by region.
        activity: :func:`~volunteer_rules.statistics.decisions.activity` rows.
        stars: :func:`~volunteer_rules.statistics.decisions.star_distribution` rows.
        training: :func:`~volunteer_rules.statistics.decisions.training_coverage` rows.
        community: :func:`~volunteer_rules.statistics.decisions.community_figures` rows.
        capture: :func:`~volunteer_rules.statistics.decisions.capture_figures` rows.
        registrations: :func:`~volunteer_rules.statistics.decisions.registrations` by year.

    Example:
        >>> from datetime import date
        >>> build_report([], as_of=date(2024, 1, 31)).by_month[-1]["month"]
        '2024-01'
    """

    as_of: _dt.date
    title: str
    rule_set_id: str
    region_level: str
    totals: dict[str, Any]
    by_month: tuple[dict[str, Any], ...]
    by_region: tuple[dict[str, Any], ...]
    activity: tuple[dict[str, Any], ...]
    stars: tuple[dict[str, Any], ...]
    training: tuple[dict[str, Any], ...]
    community: tuple[dict[str, Any], ...]
    capture: tuple[dict[str, Any], ...]
    registrations: tuple[dict[str, Any], ...]


def _month_start(day: _dt.date, back: int) -> _dt.date:
    index = day.year * 12 + day.month - 1 - back
    return _dt.date(index // 12, index % 12 + 1, 1)


def build_report(
    records: Iterable[ServiceRecord],
    *,
    as_of: _dt.date,
    profiles: Iterable[VolunteerProfile] = (),
    trainings: Iterable[TrainingRecord] = (),
    organizations: Iterable[Organization] = (),
    stations: Iterable[Station] = (),
    people: Iterable[PersonServed] = (),
    projects: Iterable[Project] = (),
    rule_set: RuleSet | str = "cn-national",
    region_level: str = "county",
    title: str = "志愿服务统计报告",
) -> Report:
    """Compute every figure of the report on ``as_of``.

    Records count as certification counts them, on record on ``as_of``; records dated after
    ``as_of`` are left out. Stars are certified for the registered volunteers when profiles
    are given (a registered volunteer without service holds no stars), else for everyone with
    records.

    Raises:
        InvalidTypeError: an argument of the wrong type.
        InvalidValueError: an unknown region level or rule set.

    Example:
        >>> from datetime import date
        >>> build_report([], as_of=date(2024, 1, 31)).totals["active_share"]
        Decimal('0.00')
    """
    if type(as_of) is not _dt.date:
        raise InvalidTypeError("as_of", "must be a date")
    if not isinstance(title, str) or not title.strip():
        raise InvalidValueError("title", "must be text")
    if isinstance(records, (str, bytes)) or not isinstance(records, Iterable):
        raise InvalidTypeError("records", "must be an iterable of ServiceRecord")
    held = []
    for record in records:
        if not isinstance(record, ServiceRecord):
            raise InvalidTypeError("records", f"holds a {type(record).__name__}")
        if record.date <= as_of:
            held.append(record)
    people_list = _items(profiles, VolunteerProfile, "profiles")
    registered = [p for p in people_list if p.registered_on is None or p.registered_on <= as_of]
    orgs = _items(organizations, Organization, "organizations")
    station_list = list(stations)
    served = list(people)
    project_list = list(projects)
    counted = list(counted_records(held, as_of=as_of))
    minutes = sum(m for _, m in counted)
    by_region = summarize(held, by=("region",), region_level=region_level, as_of=as_of)  # type: ignore[arg-type]
    activity_rows = activity(held, registered, as_of=as_of, region_level=region_level)
    active = sum(r["active"] for r in activity_rows)
    volunteers = [p.volunteer_id for p in registered] if registered else None
    stars = star_distribution(held, rule_set=rule_set, as_of=as_of, volunteers=volunteers)
    community = community_figures(
        station_list, served, project_list, as_of=as_of, region_level=region_level
    )
    totals: dict[str, Any] = {
        "volunteers": len(registered),
        "organizations": sum(1 for o in orgs if o.status_on(as_of) == "registered"),
        "active": active,
        "active_share": _share(active, len(registered)),
        "records": len(counted),
        "minutes": minutes,
        "hours": Hours.from_minutes(minutes).to_decimal_hours(2),
        "hours_per_volunteer": _ratio(minutes, len(registered)),  # half up, as every figure
        "stations": len(station_list),
        "people_served": sum(r["people_served"] for r in community),
        "projects": len(project_list),
    }
    return Report(
        as_of=as_of,
        title=title.strip(),
        rule_set_id=rule_set if isinstance(rule_set, str) else rule_set.id,
        region_level=region_level,
        totals=totals,
        by_month=time_series(held, as_of=as_of, since=_month_start(as_of, _MONTHS - 1)),
        by_region=_rows(by_region),
        activity=activity_rows,
        stars=stars,
        training=training_coverage(trainings, registered, as_of=as_of),
        community=community,
        capture=capture_figures(held, as_of=as_of),
        registrations=registrations(registered, orgs, as_of=as_of, region_level=region_level),
    )


# --- drawing -------------------------------------------------------------------------------

_BAR: Final = "#2563a8"
_AXIS: Final = "#444"
_GRID: Final = "#d8dde3"


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8, 10):
        if value <= step * magnitude:
            return float(step * magnitude)
    return float(10 * magnitude)


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 or value == int(value) else f"{value:,.1f}"


def _column_chart(
    title: str, labels: Sequence[str], values: Sequence[Decimal | int], *, unit: str, every: int = 1
) -> str:
    """Vertical bars, one per label; every ``every``-th label is written under its bar."""
    width, height, left, right, top, bottom = 680, 240, 56, 12, 28, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(float(max(values, default=0)))
    parts = [
        f'<svg class="chart" role="img" aria-label="{html.escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<text x="{left}" y="16" class="chart-title">{html.escape(title)}</text>',
    ]
    for tick in range(5):
        y = top + plot_h - plot_h * tick / 4
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{_GRID}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">'
            f"{_number(top_value * tick / 4)}</text>"
        )
    n = max(len(values), 1)
    slot = plot_w / n
    bar = max(slot * 0.7, 1.0)
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * float(value) / top_value
        x = left + index * slot + (slot - bar) / 2
        parts.append(
            f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
            f'fill="{_BAR}"><title>{html.escape(label)}: {value} {unit}</title></rect>'
        )
        if index % every == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
                f'class="tick">{html.escape(label)}</text>'
            )
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="{_AXIS}"/>'
        f'<text x="{left - 6}" y="{top - 8}" text-anchor="end" class="tick">{unit}</text></svg>'
    )
    return "".join(parts)


def _bar_chart(
    title: str, labels: Sequence[str], values: Sequence[Decimal | int], *, unit: str
) -> str:
    """Horizontal bars with the label on the left and the value at the end."""
    width, left, right, top, row = 680, 150, 70, 28, 24
    height = top + row * max(len(values), 1) + 10
    plot_w = width - left - right
    top_value = _nice_max(float(max(values, default=0)))
    parts = [
        f'<svg class="chart" role="img" aria-label="{html.escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<text x="0" y="16" class="chart-title">{html.escape(title)}</text>',
    ]
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + index * row
        w = plot_w * float(value) / top_value
        parts.append(
            f'<text x="{left - 8}" y="{y + 16}" text-anchor="end" class="label">'
            f"{html.escape(label)}</text>"
            f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" fill="{_BAR}">'
            f"<title>{html.escape(label)}: {value} {unit}</title></rect>"
            f'<text x="{left + w + 6:.1f}" y="{y + 16}" class="tick">{value} {unit}</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - 10}" stroke="{_AXIS}"/></svg>'
    )
    return "".join(parts)


def _table(headers: Sequence[str], keys: Sequence[str], rows: Sequence[dict[str, Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for key in keys:
            value = row.get(key, "")
            kind = ' class="num"' if isinstance(value, (int, Decimal)) else ""
            cells.append(f"<td{kind}>{html.escape(str(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(keys)}" class="empty">—</td></tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


_STYLE: Final = """
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Source Han Sans SC",
       "Microsoft YaHei", "PingFang SC", sans-serif; color: #1d232a; margin: 0;
       padding: 20px 28px; background: #fff; font-size: 13px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 22px 0 8px; border-bottom: 2px solid #2563a8; padding-bottom: 3px; }
.meta { color: #555; margin: 0 0 14px; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px; }
.card { border: 1px solid #cfd6de; border-radius: 6px; padding: 8px 10px; }
.card .value { font-size: 20px; font-weight: bold; color: #17406b; }
.card .name { color: #555; font-size: 12px; }
.chart { display: block; max-width: 100%; height: auto; margin: 6px 0; }
.chart-title { font-size: 14px; font-weight: bold; fill: #1d232a; }
.tick { font-size: 11px; fill: #444; }
.label { font-size: 12px; fill: #1d232a; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; }
th, td { border: 1px solid #cfd6de; padding: 3px 6px; text-align: left; }
th { background: #eef2f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.empty { text-align: center; color: #888; }
section { break-inside: avoid; }
footer { color: #666; font-size: 11px; margin-top: 18px; }
@media print { body { padding: 0; } h2 { break-after: avoid; } }
"""


def _sections(report: Report) -> list[str]:
    """The page's sections after the headline cards: charts and tables."""
    months = [r["month"] for r in report.by_month]
    month_chart = _column_chart(
        "按月服务时长 Hours by month",
        [m[2:] for m in months],
        [r["hours"] for r in report.by_month],
        unit="h",
        every=max(1, len(months) // 12),
    )
    region_chart = _bar_chart(
        "按地区服务时长 Hours by region",
        [r["region_name"] or r["region"] or "—" for r in report.by_region],
        [r["hours"] for r in report.by_region],
        unit="h",
    )
    star_chart = _column_chart(
        f"星级分布 Star levels ({report.rule_set_id})",
        [str(r["level"]) for r in report.stars],
        [r["volunteers"] for r in report.stars],
        unit="人",
    )
    return [
        f"<section><h2>服务时长 Hours</h2>{month_chart}{region_chart}</section>",
        "<section><h2>地区 Regions</h2>"
        + _table(
            ["地区", "注册", "活跃", "活跃率 %", "近一年时长 h", "近一年人均 h", "活跃人均 h"],
            [
                "region_name",
                "registered",
                "active",
                "active_share",
                "hours",
                "hours_per_volunteer",
                "hours_per_active",
            ],
            report.activity,
        )
        + _table(
            ["地区", "服务志愿者", "记录组织", "记录", "时长 h"],
            ["region_name", "volunteers", "organizations", "records", "hours"],
            report.by_region,
        )
        + "</section>",
        f"<section><h2>星级 Stars</h2>{star_chart}"
        + _table(["星级", "人数", "占比 %"], ["level", "volunteers", "share"], report.stars)
        + "</section>",
        "<section><h2>培训 Training coverage</h2>"
        + _table(
            ["类别", "已培训", "注册", "覆盖率 %"],
            ["category", "trained", "registered", "coverage"],
            report.training,
        )
        + "</section>",
        "<section><h2>社区 Stations, people served, projects</h2>"
        + _table(
            ["地区", "服务站", "服务对象", "需求", "项目", "时段"],
            ["region_name", "stations", "people_served", "needs", "projects", "slots"],
            report.community,
        )
        + _table(
            ["时长来源 captured by", "记录", "时长 h"],
            ["method", "records", "hours"],
            report.capture,
        )
        + "</section>",
        "<section><h2>注册 Registrations by year</h2>"
        + _table(
            ["地区", "年份", "新增志愿者", "志愿者", "新增组织", "组织"],
            [
                "region_name",
                "year",
                "new_volunteers",
                "volunteers",
                "new_organizations",
                "organizations",
            ],
            report.registrations,
        )
        + "</section>",
    ]


def render_report_html(report: Report) -> str:
    """The report as one self-contained, printable HTML page with inline SVG charts.

    Only figures and names of regions and levels are shown; the title is masked (an ID number,
    a mobile number or an e-mail address in it is not shown whole).

    Example:
        >>> from datetime import date
        >>> page = render_report_html(build_report([], as_of=date(2024, 1, 31)))
        >>> "http" in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
        False
    """
    if not isinstance(report, Report):
        raise InvalidTypeError("report", "must be a Report")
    t = report.totals
    cards = [
        ("注册志愿者 registered volunteers", t["volunteers"]),
        ("活跃志愿者 active (12 months)", f"{t['active']} ({t['active_share']}%)"),
        ("志愿服务组织 organizations", t["organizations"]),
        ("服务时长 hours served", t["hours"]),
        ("服务记录 records counted", t["records"]),
        ("人均累计时长 hours per volunteer (all time)", t["hours_per_volunteer"]),
        ("服务站 stations", t["stations"]),
        ("服务对象 people served", t["people_served"]),
    ]
    card_html = "".join(
        f'<div class="card"><div class="value">{html.escape(str(v))}</div>'
        f'<div class="name">{html.escape(n)}</div></div>'
        for n, v in cards
    )
    sections = _sections(report)
    title = html.escape(mask_personal_data(report.title))  # typed by a person: masked
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{title} {report.as_of.isoformat()}</title>"
        f"<style>{_STYLE}</style></head><body>"
        f"<h1>{title}</h1>"
        f'<p class="meta">截至 as of {report.as_of.isoformat()} · 星级规则 rule set '
        f"{html.escape(report.rule_set_id)} · 地区层级 level {html.escape(report.region_level)}</p>"
        f'<div class="cards">{card_html}</div>'
        + "".join(sections)
        + "<footer>Hours count as certification counts them: verified records, corrections "
        "superseding what they correct, no overlaps, at most 24 hours a day, on record on the "
        "day; summed in minutes and rounded once. People served are counted only with their "
        "consent to statistics and never named.</footer></body></html>\n"
    )
