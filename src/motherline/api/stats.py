"""Statistics: indicator values and tables by prison (published values, counts only) and
the import of population returns; the same queries and services as the web pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError

from motherline.accounts.policy import Capability
from motherline.api.access import Requires
from motherline.api.fieldwork import TooLargeOut
from motherline.core.actors import AuthenticatedRequest
from motherline.jurisdictions.local import jurisdiction_of
from motherline.stats import queries, rules, services
from motherline.stats.labels import INDICATOR_LABELS

router = Router(tags=["statistics"])


class IndicatorOut(Schema):
    name: str
    label: str
    from_register: bool = Field(description="Whether it can be counted from the register.")
    from_returns: bool = Field(description="Whether it can be counted from population returns.")


class SeriesQuery(Schema):
    indicator: str = Field(max_length=64, description="An indicator name from /stats/indicators.")
    area: str = Field(
        "nation",
        max_length=64,
        description="nation (the user's country), nation:CODE, province:CODE (ISO 3166-2) "
        "or prison:CODE",
    )
    start: dt.date = Field(dt.date(2008, 1, 1), description="First day (YYYY-MM-DD).")
    end: dt.date | None = Field(None, description="Last day; today if omitted.")
    period: rules.Period = rules.Period.YEAR
    source: str = Field(
        queries.RETURNS,
        max_length=16,
        description="returns, register or published (the pack's figures)",
    )
    return_source: str | None = Field(
        None,
        max_length=300,
        description="Only the returns of this source (as stored); an unknown one is a 422.",
    )


class PointOut(Schema):
    period: str
    area: str
    value: float | None = Field(description="None when suppressed or not available.")
    suppressed: bool
    category: str = ""
    date: dt.date | None = None
    source: str = Field(description="The source of the value: its citation, or register.")
    source_url: str = ""
    precision: str = Field("", description="How precisely the date is known.")
    level: str = Field("", description="nation, province or prison: the returns read.")
    reporting: int | None = Field(None, description="For a sum: the units that reported.")
    expected: int | None = Field(None, description="For a sum: the units of the area.")


class SeriesOut(Schema):
    indicator: str
    area: str
    source: str
    return_source: str
    points: list[PointOut]


class TableQuery(Schema):
    area: str = Field("nation", max_length=64)
    on: dt.date | None = Field(None, description="The date; today if omitted.")
    source: str = Field(queries.RETURNS, max_length=16)


class CellOut(Schema):
    value: float | None
    suppressed: bool


class TableRowOut(Schema):
    code: str
    name: str
    cells: list[CellOut]


class TableOut(Schema):
    date: dt.date | None
    columns: list[str]
    rows: list[TableRowOut]
    totals: list[CellOut]
    source: str
    return_source: str


class ImportProblemOut(Schema):
    line: int
    column: str
    message: str


class ReturnsImportOut(Schema):
    rows: int
    created: int
    updated: int
    unchanged: int


class ImportRefusedOut(Schema):
    errors: list[ImportProblemOut]


def _source(value: str) -> str:
    if value not in queries.SOURCES:
        raise HttpError(422, _("The source is returns, register or published."))
    return value


def _area(request: AuthenticatedRequest, text: str) -> queries.Area:
    """The area a request names, in the country of the user's organisation."""
    return queries.Area.parse(text, jurisdiction_of(request.user.organisation_id))


@contextmanager
def _refused() -> Iterator[None]:
    """A figure the statistics cannot give (`StatsError`) as a 422 with its reason."""
    try:
        yield
    except queries.StatsError as exc:
        raise HttpError(422, str(exc)) from exc


@router.get(
    "/stats/indicators",
    response=list[IndicatorOut],
    url_name="stats_indicators",
    auth=Requires(Capability.VIEW_AGGREGATES),
)
def indicators(request: HttpRequest) -> list[dict[str, Any]]:
    """The indicators and where each can be counted from."""
    return [
        {
            "name": name,
            "label": str(INDICATOR_LABELS[name]),
            "from_register": name not in queries.RETURNS_ONLY,
            "from_returns": name not in queries.REGISTER_ONLY,
        }
        for name in rules.INDICATORS
    ]


@router.get(
    "/stats/series",
    response=SeriesOut,
    url_name="stats_series",
    auth=Requires(Capability.VIEW_AGGREGATES),
)
def series(request: AuthenticatedRequest, filters: Query[SeriesQuery]) -> dict[str, Any]:
    """An indicator for an area by period, with the publication rules applied."""
    with _refused():
        result = queries.series(
            filters.indicator,
            _area(request, filters.area),
            filters.start,
            filters.end or timezone.localdate(),
            filters.period,
            _source(filters.source),
            filters.return_source,
        )
    return {
        "indicator": result.indicator,
        "area": str(result.area),
        "source": result.source,
        "return_source": result.return_source,
        "points": [
            {
                **point.as_dict(),
                "category": point.category,
                "date": point.date,
                "reporting": point.reporting,
                "expected": point.expected,
            }
            for point in result.points
        ],
    }


@router.get(
    "/stats/prisons",
    response=TableOut,
    url_name="stats_prisons",
    auth=Requires(Capability.VIEW_AGGREGATES),
)
def prisons(request: AuthenticatedRequest, filters: Query[TableQuery]) -> dict[str, Any]:
    """Counts per prison of the area on a date, small counts suppressed."""
    with _refused():
        area = _area(request, filters.area)
        area.jurisdiction_code()
        source = _source(filters.source)
        table = queries.area_table(
            area,
            filters.on or timezone.localdate(),
            queries.RETURNS if source == queries.PUBLISHED else source,
        )

    def cells(row: list[queries.Cell]) -> list[dict[str, Any]]:
        return [{"value": c.value, "suppressed": c.suppressed} for c in row]

    return {
        "date": table.day,
        "columns": list(table.columns),
        "rows": [
            {"code": code, "name": str(name), "cells": cells(row)} for code, name, row in table.rows
        ],
        "totals": cells(table.totals),
        "source": table.source,
        "return_source": table.return_source,
    }


@router.post(
    "/stats/returns",
    response={200: ReturnsImportOut, 413: TooLargeOut, 422: ImportRefusedOut},
    url_name="stats_import",
    auth=Requires(Capability.IMPORT_RETURNS),
)
def import_returns(
    request: AuthenticatedRequest, file: File[UploadedFile], source: str = Form("", max_length=300)
) -> Any:
    """Import a CSV or XLSX file of population returns for the nation, provinces or
    prisons (all or nothing, idempotent). `source` names the source of rows without a
    `source` cell (the first template has none)."""
    result = services.import_returns(request.user, file, file.name or "", source, request=request)
    if not result.ok:
        return Status(422, {"errors": [vars(e) for e in result.errors]})
    return Status(
        200,
        {
            "rows": result.rows,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        },
    )
