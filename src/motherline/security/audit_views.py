"""Administrators search the audit trail and export it; both are written to the trail."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, AuditEvent
from motherline.accounts.policy import Capability, require
from motherline.core.actors import AuthenticatedRequest
from motherline.reports.tabular import SafeCsvWriter
from motherline.security import audit_text, queries
from motherline.security.forms import AuditSearchForm

AUDIT_TYPE = AuditEvent._meta.label


@login_required
def audit_search(request: AuthenticatedRequest) -> HttpResponse:
    """The trail, filtered and paged by keyset, newest first."""
    require(request.user, Capability.ADMINISTER)
    form = AuditSearchForm(request.GET)
    filters = form.filters()
    size = form.page_size()
    page = queries.search_audit(filters, request.user, after=form.cursor(), size=size)
    audit.record(
        request.user,
        AuditAction.VIEW,
        object_type=AUDIT_TYPE,
        changes={"filters": filters.as_query()},
        request=request,
    )
    base = filters.as_query()
    next_url = "?" + urlencode({**base, "after": page.next_cursor}) if page.next_cursor else None
    first_url = ("?" + urlencode(base) if base else "?") if form.cursor() else None
    rows = [
        (
            event,
            audit_text.record_type(event.object_type) if event.object_type else "",
            audit_text.changes_lines(event.changes, event.object_type),
        )
        for event in page.items
    ]
    return render(
        request,
        "security/audit.html",
        {
            "heading": _("Audit trail"),
            "form": form,
            "page": page,
            "next_url": next_url,
            "first_url": first_url,
            "rows": rows,
            "export_url": "?" + urlencode(base) if base else "",
            "filtered": bool(base),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def audit_export(request: AuthenticatedRequest) -> StreamingHttpResponse:
    """Every event matching the search as CSV, streamed. The export itself is recorded first,
    with its filters, so even an interrupted download leaves a trace."""
    require(request.user, Capability.ADMINISTER)
    filters = AuditSearchForm(request.GET).filters()
    audit.record(
        request.user,
        AuditAction.EXPORT,
        object_type=AUDIT_TYPE,
        changes={"filters": filters.as_query(), "format": "csv"},
        request=request,
    )
    writer = SafeCsvWriter(_Echo())
    header = ["id", "at", "user", "action", "record_type", "record", "ip_address", "changes"]

    def rows() -> Any:
        yield writer.writerow(header)
        for pk, at, username, action, object_type, object_ref, ip, changes in queries.export_rows(
            filters, request.user
        ):
            yield writer.writerow(
                [
                    pk,
                    timezone.localtime(at).isoformat(),
                    username,
                    action,
                    object_type,
                    object_ref,
                    ip or "",
                    json.dumps(changes, ensure_ascii=False, sort_keys=True, default=str),
                ]
            )

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="motherline-audit-{stamp}.csv"'
    return response
