"""The statistics page, its exports and the import of population returns (thin views)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, User
from motherline.accounts.policy import Capability, require
from motherline.core.actors import AuthenticatedRequest
from motherline.jurisdictions.models import Jurisdiction
from motherline.places.models import Prison
from motherline.reports import tabular
from motherline.reports.download import attachment
from motherline.reports.pdf import render_html
from motherline.security.headers import allow_inline_styles
from motherline.stats import exchange, publication, queries, services
from motherline.stats.forms import ImportForm, StatisticsForm

BRIEF = "stats/brief.html"


def _jurisdiction_code(user: User) -> str:
    """The user's jurisdiction, whose nation, provinces and prisons the page offers."""
    found = Jurisdiction.objects.of_user(user)
    return found.code if found else ""


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_safe
def statistics(request: AuthenticatedRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_AGGREGATES)
    form = StatisticsForm(request.GET or None, jurisdiction=_jurisdiction_code(request.user))
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        context.update(publication.page(form.cleaned_data))
    return render(request, "stats/statistics.html", context)


@login_required
@require_safe
def export(request: AuthenticatedRequest, table: str, fmt: str) -> HttpResponse:
    """A table of the page as CSV or XLSX, or the series as SDMX-CSV (`sdmx`) or a DHIS2
    dataValueSets JSON (`dhis2`), with small cells suppressed; audited."""
    require(request.user, Capability.VIEW_AGGREGATES)
    form = StatisticsForm(request.GET or None, jurisdiction=_jurisdiction_code(request.user))
    formats = ("csv", "xlsx", "sdmx", "dhis2") if table == "series" else ("csv", "xlsx")
    if not form.is_valid() or table not in ("series", "prisons") or fmt not in formats:
        return HttpResponse(status=400)
    if fmt in ("sdmx", "dhis2"):
        try:
            content = publication.exchange_file(form.cleaned_data, fmt)
        except (queries.StatsError, exchange.ExchangeError) as exc:
            return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    else:
        header, rows, title = publication.export_rows(form.cleaned_data, table)
    audit.record(
        request.user,
        AuditAction.EXPORT,
        object_type="stats.table",
        object_ref=table,
        changes={key: str(value) for key, value in form.cleaned_data.items()} | {"format": fmt},
        request=request,
    )
    filename = f"motherline-{table}-{timezone.localdate().isoformat()}"
    if fmt in ("sdmx", "dhis2"):
        kind = "text/csv; charset=utf-8" if fmt == "sdmx" else "application/json"
        return attachment(
            content, kind, filename + ("-sdmx.csv" if fmt == "sdmx" else "-dhis2.json")
        )
    if fmt == "csv":
        return attachment(
            tabular.csv_bytes(header, rows), "text/csv; charset=utf-8", filename + ".csv"
        )
    return attachment(publication.xlsx(title, header, rows), XLSX, filename + ".xlsx")


@login_required
def import_returns(request: AuthenticatedRequest) -> HttpResponse:
    require(request.user, Capability.IMPORT_RETURNS)
    result = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            result = services.import_returns(
                request.user,
                upload,
                upload.name,
                form.cleaned_data["source"],
                request=request,
            )
            if result.ok:
                messages.success(
                    request,
                    _(
                        "%(rows)s rows imported: %(created)s new, %(updated)s updated, "
                        "%(unchanged)s unchanged."
                    )
                    % {
                        "rows": result.rows,
                        "created": result.created,
                        "updated": result.updated,
                        "unchanged": result.unchanged,
                    },
                )
                return redirect("stats:import")
    else:
        form = ImportForm()
    return render(
        request,
        "stats/import.html",
        {"heading": _("Import population returns"), "form": form, "result": result},
    )


@login_required
@require_safe
def template(request: AuthenticatedRequest, fmt: str) -> HttpResponse:
    """The import template (header and an example row)."""
    require(request.user, Capability.IMPORT_RETURNS)
    if fmt not in ("csv", "xlsx"):
        return HttpResponse(status=404)
    content_type = "text/csv; charset=utf-8" if fmt == "csv" else XLSX
    prisons = Prison.objects.filter(
        province__jurisdiction__code=_jurisdiction_code(request.user), holds_women=True
    )
    example = prisons.order_by("code").values_list("code", flat=True).first() or ""
    return attachment(
        services.returns_template(fmt, example), content_type, f"population-returns.{fmt}"
    )


@login_required
@require_safe
def brief(request: AuthenticatedRequest) -> HttpResponse:
    """The statistics brief as HTML or PDF in the page's language; audited as an export."""
    require(request.user, Capability.VIEW_AGGREGATES)
    try:
        as_of = (
            date.fromisoformat(request.GET.get("as_of", "")) if request.GET.get("as_of") else None
        )
    except ValueError:
        return HttpResponse(status=400)
    as_of = as_of or timezone.localdate()
    fmt = request.GET.get("format", "html")
    if fmt not in ("html", "pdf"):
        return HttpResponse(status=400)
    language = get_language() or "en"
    code = _jurisdiction_code(request.user)
    audit.record(
        request.user,
        AuditAction.EXPORT,
        object_type="stats.brief",
        object_ref=as_of.isoformat(),
        changes={"language": language, "format": fmt},
        request=request,
    )
    if fmt == "html":
        # A document for print: its own <style> block, allowed by its hash only.
        context = publication.brief(as_of, code)
        return allow_inline_styles(
            HttpResponse(render_html(BRIEF, context, language, for_browser=True))
        )
    # Rendered once per state of the data, and kept (publication.brief_pdf).
    return attachment(
        publication.brief_pdf(as_of, language, code),
        "application/pdf",
        f"motherline-brief-{as_of}-{language}.pdf",
    )
