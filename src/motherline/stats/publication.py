"""What the statistics page, its exports and the brief show: published values only.

Every value here has passed the publication rules (`queries.series(publish=True)`,
`queries.area_table(publish=True)`), so a page, a file or a PDF shows the same numbers.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from motherline.jurisdictions.models import NationalFigure
from motherline.places.models import Province
from motherline.reports import tabular
from motherline.stats import charts, queries, rules
from motherline.stats.labels import (
    COLUMN_LABELS,
    COMPARISON_NOTE,
    INDICATOR_LABELS,
    PRECISION_LABELS,
    SOURCE_LABELS,
    measure_label,
)
from motherline.stats.models import ReturnSource

MAX_REGISTER_DATES = 60  # constant queries, but the database counts the register per date


def source_label(source: str) -> str:
    """A stored source in words: a key of the first template's kinds as its label, a
    citation as its first line."""
    kinds = dict(ReturnSource.choices)
    if source in kinds:
        return str(kinds[source])
    return source.splitlines()[0] if source else ""


def source_text(series_or_table: Any) -> str:
    """Where a number comes from, in words, for the line under a chart or table."""
    if series_or_table.source == queries.RETURNS:
        if not series_or_table.return_source:
            return _("%(kind)s: several sources, named with each value") % {
                "kind": SOURCE_LABELS[queries.RETURNS]
            }
        label = source_label(series_or_table.return_source)
        return f"{SOURCE_LABELS[queries.RETURNS]}: {label}"
    if series_or_table.source == queries.PUBLISHED:
        return _("%(kind)s: the source of each value is named with it") % {
            "kind": SOURCE_LABELS[queries.PUBLISHED]
        }
    return str(SOURCE_LABELS[queries.REGISTER])


@dataclass
class PointRow:
    """One value of a series as the page, the exports and the API show it."""

    point: queries.Point
    source: str
    precision: str
    coverage: str


def point_rows(result: queries.Series) -> list[PointRow]:
    return [
        PointRow(
            point,
            str(SOURCE_LABELS[queries.REGISTER])
            if point.source == queries.REGISTER
            else source_label(point.source),
            str(PRECISION_LABELS.get(point.precision, point.precision)),
            point.coverage(),
        )
        for point in result.points
    ]


def chart_points(result: queries.Series) -> list[tuple[str, Any, bool]]:
    """One bar per period; a breakdown by category is added up per period, except the
    offence profile, drawn by offence for the last period."""
    if result.indicator == "offence_profile":
        last = max((p.period for p in result.points), default="")
        return [(p.category, p.value, p.suppressed) for p in result.points if p.period == last]
    if result.indicator == "releases_by_reason":
        totals: dict[str, int] = defaultdict(int)
        for point in result.points:
            totals[point.period] += int(point.value or 0)
        return [(period, value, False) for period, value in sorted(totals.items())]
    return [(p.period, p.value, p.suppressed) for p in result.points]


def page(data: dict[str, Any]) -> dict[str, Any]:
    """Everything the statistics page shows for the chosen indicator, area and period."""
    area = queries.Area.parse(data["area"])
    jurisdiction = area.jurisdiction_code()
    indicator, source = data["indicator"], data["source"]
    context: dict[str, Any] = {
        "indicator_label": INDICATOR_LABELS[indicator],
        "area_label": area.label(),
        "query": data,
    }
    table_source = queries.RETURNS if source == queries.PUBLISHED else source
    if source == queries.REGISTER and indicator not in rules.FLOW_INDICATORS:
        dates = queries.period_ends(data["start"], data["end"], data["period"])
        if len(dates) > MAX_REGISTER_DATES:
            context["error"] = _(
                "Counting the register for %(n)s dates takes too long: choose a shorter range "
                "or count by quarter or year."
            ) % {"n": len(dates)}
            return context
    try:
        result = queries.series(indicator, area, data["start"], data["end"], data["period"], source)
    except queries.StatsError as exc:
        context["error"] = str(exc)
        return context
    context["series"] = result
    context["series_rows"] = point_rows(result)
    context["series_source"] = source_text(result)
    context["chart"] = charts.bar_chart(chart_points(result))
    context["table"] = queries.area_table(area, data["end"], table_source, "prison")
    context["table_columns"] = [COLUMN_LABELS[c] for c in context["table"].columns]
    context["table_source"] = source_text(context["table"])
    if indicator in rules.STOCK_INDICATORS and source != queries.PUBLISHED:
        day, values = queries.province_values(indicator, data["end"], source, jurisdiction)
        context["map"] = charts.tile_map(
            Province.objects.filter(jurisdiction__code=jurisdiction),
            {code: cell.value for code, cell in values.items()},
            {code for code, cell in values.items() if cell.suppressed},
        )
        context["map_day"] = day
        context["map_grid"] = charts.tile_grid(context["map"])
    comparison = queries.compare(area, data["end"])
    context["comparison"] = comparison
    context["comparison_rows"] = [
        (COLUMN_LABELS[name], *values) for name, *values in comparison.rows
    ]
    context["comparison_note"] = COMPARISON_NOTE
    context["threshold"] = queries.threshold()
    context["figures"] = published_figures(jurisdiction) if area.kind == "nation" else []
    return context


@dataclass
class PublishedFigures:
    """The pack's published figures, each pointing at a numbered source listed once."""

    rows: list[tuple[NationalFigure, int, str]]  # the figure, its source's number, its label
    sources: list[tuple[int, str]]


def published_figures(jurisdiction: str) -> PublishedFigures:
    numbers: dict[str, int] = {}
    rows = []
    for figure in NationalFigure.objects.filter(jurisdiction__code=jurisdiction).order_by(
        "date", "measure"
    ):
        number = numbers.setdefault(figure.source, len(numbers) + 1)
        rows.append((figure, number, measure_label(figure.measure)))
    return PublishedFigures(rows, [(n, text) for text, n in numbers.items()])


def export_rows(data: dict[str, Any], table: str) -> tuple[list[str], list[list[Any]], str]:
    """The header, rows and title of an exported table (suppressed cells say so)."""
    area = queries.Area.parse(data["area"])
    hidden = _("suppressed")
    if table == "series":
        result = queries.series(
            data["indicator"], area, data["start"], data["end"], data["period"], data["source"]
        )
        header = [
            _("Period"),
            _("Area"),
            _("Category"),
            str(INDICATOR_LABELS[data["indicator"]]),
            _("Date of the data"),
            _("Precision of the date"),
            _("Source"),
            _("Source address"),
            _("Coverage"),
        ]
        rows = [
            [
                row.point.period,
                str(area),
                row.point.category,
                hidden if row.point.suppressed else row.point.value,
                row.point.date.isoformat() if row.point.date else "",
                row.precision,
                row.source,  # escaped by reports.tabular, like every cell
                row.point.source_url,
                row.coverage,
            ]
            for row in point_rows(result)
        ]
        return header, rows, str(INDICATOR_LABELS[data["indicator"]])
    table_source = queries.RETURNS if data["source"] == queries.PUBLISHED else data["source"]
    area_table = queries.area_table(area, data["end"], table_source)
    header = [_("Code"), _("Prison"), *[str(COLUMN_LABELS[c]) for c in area_table.columns]]
    rows = [
        [code, label, *[hidden if cell.suppressed else cell.value for cell in cells]]
        for code, label, cells in area_table.rows
    ]
    rows.append(["", _("Total"), *[hidden if c.suppressed else c.value for c in area_table.totals]])
    day = area_table.day.isoformat() if area_table.day else ""
    rows.append(["", f"{source_text(area_table)} {day}"])
    return header, rows, _("By prison")


def exchange_file(data: dict[str, Any], fmt: str) -> str:
    """The page's series as SDMX-CSV (`sdmx`) or a DHIS2 dataValueSets JSON (`dhis2`)."""
    import json

    from motherline.stats import exchange

    area = queries.Area.parse(data["area"])
    result = queries.series(
        data["indicator"], area, data["start"], data["end"], data["period"], data["source"]
    )
    if fmt == "sdmx":
        return exchange.sdmx_csv(result, data["period"])
    mapping = exchange.read_mapping(area.jurisdiction_code())
    return json.dumps(exchange.dhis2_json(result, mapping), ensure_ascii=False, indent=1)


def xlsx(title: str, header: list[str], rows: list[list[Any]]) -> bytes:
    return tabular.xlsx_bytes(title, header, rows)


def brief(as_of: date, jurisdiction: str = "") -> dict[str, Any]:
    """The context of the statistics brief of a jurisdiction (the default one if none is
    named): key figures, trends, the province map, the table by prison, returns against the
    register, and the sources. Published values only. The returns are read once for all its
    series."""
    with queries.observations_read_once():
        return _brief(as_of, jurisdiction)


def _brief(as_of: date, jurisdiction: str) -> dict[str, Any]:
    nation = queries.Area.parse(f"nation:{jurisdiction}")
    jurisdiction = nation.code
    start = date(2008, 1, 1)

    def one(indicator: str, **kwargs: Any) -> queries.Point | None:
        result = queries.series(indicator, nation, start, as_of, "year", queries.RETURNS, **kwargs)
        return result.points[-1] if result.points else None

    women = queries.series("women", nation, start, as_of, "year", queries.RETURNS)
    share = queries.series("women_share", nation, start, as_of, "year", queries.RETURNS)
    growth_to = min(as_of, date(2012, 12, 31))
    key = {
        "growth_women": queries.series(
            "growth_women", nation, start, growth_to, "year", queries.RETURNS
        ).points,
        "growth_men": queries.series(
            "growth_men", nation, start, growth_to, "year", queries.RETURNS
        ).points,
        "women": one("women"),
        "women_share": one("women_share"),
        "pretrial_share_women": one("pretrial_share_women"),
        "pregnant_women": one("pregnant_women"),
        "children_in_prison": one("children_in_prison"),
        "women_per_100k": one("women_per_100k"),
        "occupancy": one("occupancy"),
    }
    day, values = queries.province_values("women", as_of, queries.RETURNS, jurisdiction)
    tiles = charts.tile_map(
        Province.objects.filter(jurisdiction__code=jurisdiction),
        {code: cell.value for code, cell in values.items()},
        {code for code, cell in values.items() if cell.suppressed},
    )
    table = queries.area_table(nation, as_of, queries.RETURNS)
    comparison = queries.compare(nation, as_of)
    return {
        "as_of": as_of,
        "area_label": nation.label(),
        "key": key,
        "labels": INDICATOR_LABELS,
        "women_chart": charts.bar_chart(chart_points(women)),
        "women_source": source_text(women),
        "share_chart": charts.bar_chart(chart_points(share)),
        "map_grid": charts.tile_grid(tiles),
        "map_day": day,
        "table": table,
        "table_columns": [COLUMN_LABELS[c] for c in table.columns],
        "table_source": source_text(table),
        "comparison": comparison,
        "comparison_rows": [(COLUMN_LABELS[name], *rest) for name, *rest in comparison.rows],
        "comparison_note": COMPARISON_NOTE,
        "threshold": queries.threshold(),
        "figures": published_figures(jurisdiction),
    }


# The brief as PDF, kept until the data changes. Laying out the national brief takes a few
# seconds of CPU; two asked for at once on a 2-core server took 10 to 11 s each. The first
# request renders it while any other for the same brief waits for that file (a lock), and
# later ones read it, until a change to anything the brief shows.
BRIEF_TEMPLATE = "stats/brief.html"
# Every table the brief reads; a row added, removed or changed (through a service, which
# writes a creation, change or deletion to the audit trail) gives a new fingerprint.
BRIEF_TABLES = (
    "stats_populationreturn",
    "jurisdictions_nationalfigure",
    "jurisdictions_populationdenominator",
    "jurisdictions_agelimitrule",
    "places_prison",
    "places_province",
    "people_custodyepisode",
    "people_transfer",
    "people_legalstatuschange",
    "people_pregnancy",
    "people_placement",
    "people_child",
    "care_leaveextension",
)


def data_fingerprint() -> str:
    """A digest of what the brief is made of, in one query: each table's row count and
    largest id, the last creation, change or deletion on the audit trail and when each
    jurisdiction pack was loaded."""
    import hashlib

    from django.db import connection

    parts = [f"(SELECT COUNT(*) FROM {t}), (SELECT MAX(id) FROM {t})" for t in BRIEF_TABLES]
    sql = (
        f"SELECT {', '.join(parts)}, "
        "(SELECT MAX(id) FROM accounts_auditevent WHERE action IN (%s, %s, %s)), "
        "(SELECT MAX(loaded_at) FROM jurisdictions_jurisdiction)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ["create", "change", "delete"])
        row = cursor.fetchone()
    return hashlib.sha256(repr(row).encode()).hexdigest()[:24]


@functools.cache
def code_fingerprint() -> str:
    """A digest of the code, templates and translations the brief is made with (their
    sizes and modification times), so a new version never serves an older layout."""
    import hashlib

    root = Path(__file__).resolve().parent.parent
    files = sorted(
        path
        for package in ("stats", "reports", "core", "locale")
        for pattern in ("*.py", "*.html", "*.mo")
        for path in (root / package).rglob(pattern)
    )
    stamp = "".join(f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns};" for p in files)
    return hashlib.sha256(stamp.encode()).hexdigest()[:12]


def brief_pdf(as_of: date, language: str, jurisdiction: str = "") -> bytes:
    """The brief as PDF bytes, rendered once per state of the data (see above), of a
    jurisdiction (the default one if none is named)."""
    jurisdiction = queries.Area.parse(f"nation:{jurisdiction}").code
    import fcntl

    from django.conf import settings
    from django.utils import translation

    from motherline import __version__
    from motherline.reports.pdf import render_pdf

    directory = Path(
        getattr(settings, "BRIEF_CACHE_DIR", None) or Path(settings.DATA_DIR) / "cache" / "briefs"
    )
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"{jurisdiction}-{as_of.isoformat()}-{language}"
    key = f"{data_fingerprint()}-{queries.threshold()}-{__version__}-{code_fingerprint()}"
    path = directory / f"{stem}-{key}.pdf"
    if path.exists():
        return path.read_bytes()
    with (directory / f"{stem}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second request waits for the first's file
        if path.exists():
            return path.read_bytes()
        with translation.override(language):
            context = brief(as_of, jurisdiction)
        content = render_pdf(BRIEF_TEMPLATE, context, language)
        partial = path.with_suffix(".part")
        partial.write_bytes(content)
        partial.replace(path)
        for older in directory.glob(f"{stem}-*.pdf"):
            if older != path:
                older.unlink(missing_ok=True)  # the data it showed has changed
    return content
