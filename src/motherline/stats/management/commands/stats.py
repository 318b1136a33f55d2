from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from motherline.core.commands import day_option, day_or_today, iso_date, refusals
from motherline.stats import exchange, queries, rules
from motherline.stats.labels import PRECISION_LABELS

# The first year a series is read from when --from is not given.
EARLIEST = date(2008, 1, 1)


class Command(BaseCommand):
    help = _(
        "Print the values of an indicator for an area by period, each with its source and the "
        "precision of its date, with small counts of pregnant women and children suppressed "
        "as in every published output."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--indicator", required=True, choices=rules.INDICATORS)
        parser.add_argument("--area", default="nation", help="nation|province:CODE|prison:CODE")
        parser.add_argument("--from", dest="start", type=iso_date, default=EARLIEST)
        parser.add_argument("--to", dest="end", type=iso_date, default=None)
        parser.add_argument("--period", choices=[p.value for p in rules.Period], default="year")
        parser.add_argument(
            "--source",
            choices=queries.SOURCES,
            default=queries.RETURNS,
            help=_("returns, register or published (the pack's published figures)"),
        )
        parser.add_argument(
            "--return-source",
            default=None,
            help=_("Read only the returns of this source (as stored); an unknown one fails."),
        )
        parser.add_argument("--json", action="store_true")
        parser.add_argument(
            "--format",
            choices=["text", "json", "sdmx-csv", "dhis2-json"],
            default="text",
            help=_("sdmx-csv: an SDMX-CSV data message; dhis2-json: a DHIS2 dataValueSets"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        start = day_option(options["start"]) or EARLIEST
        end = day_or_today(options["end"])
        if options["return_source"] and options["source"] != queries.RETURNS:
            raise CommandError(_("--return-source applies to --source returns only."))
        with refusals(queries.StatsError):
            area = queries.Area.parse(options["area"])
            result = queries.series(
                options["indicator"],
                area,
                start,
                end,
                options["period"],
                options["source"],
                options["return_source"],
            )
        rows = [point.as_dict() for point in result.points]
        if options["format"] in ("sdmx-csv", "dhis2-json"):
            with refusals(exchange.ExchangeError):
                if options["format"] == "sdmx-csv":
                    self.stdout.write(exchange.sdmx_csv(result, options["period"]), ending="")
                else:
                    mapping = exchange.read_mapping(area.jurisdiction_code())
                    payload = exchange.dhis2_json(result, mapping)
                    self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1))
            return
        if options["json"] or options["format"] == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        for point, row in zip(result.points, rows, strict=True):
            value = _("suppressed") if row["suppressed"] else row["value"]
            value = "-" if value is None else value
            category = f" {row['category']}" if "category" in row else ""
            self.stdout.write(f"{row['period']}\t{row['area']}{category}\t{value}\t{where(point)}")


def where(point: queries.Point) -> str:
    """A value's source on one line: the citation's first line, the date and its
    precision, the coverage of a sum, and the address."""
    if point.source == queries.REGISTER:
        return str(_("register"))
    parts = [point.source.splitlines()[0] if point.source else _("no source")]
    if point.date:
        precision = PRECISION_LABELS.get(point.precision, point.precision)
        parts.append(f"{point.date.isoformat()} ({precision})")
    if point.coverage():
        parts.append(point.coverage())
    if point.source_url:
        parts.append(point.source_url)
    return " | ".join(str(part) for part in parts)
