"""The audit trail for administrators: the same search as the web page, paged by keyset.

Every search through the API is itself written to the trail.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Query, Router, Schema
from pydantic import IPvAnyAddress

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, AuditEvent
from motherline.accounts.policy import Capability
from motherline.api.access import Requires
from motherline.api.routes import page_out
from motherline.api.schemas import INT_MAX
from motherline.core.actors import AuthenticatedRequest
from motherline.security import queries

router = Router(tags=["audit"])


class AuditQuery(Schema):
    user: str = Field("", max_length=150, description="User name; finds failed sign-ins too.")
    action: AuditAction | None = None
    object_type: str = Field("", max_length=64, description="For example people.Woman.")
    object_ref: str = Field("", max_length=64, description="A record's internal reference.")
    date_from: date | None = Field(None, description="From this day (inclusive).")
    date_to: date | None = Field(None, description="To this day (inclusive).")
    ip_address: IPvAnyAddress | None = None
    after: int | None = Field(
        None, ge=1, le=INT_MAX, description="The next_cursor of the previous page."
    )
    size: int = Field(50, ge=1, le=500)


class AuditEventOut(Schema):
    id: int
    at: datetime
    username: str
    action: str
    object_type: str
    object_ref: str
    ip_address: str | None
    changes: dict[str, Any]


class AuditPageOut(Schema):
    items: list[AuditEventOut]
    next_cursor: int | None = Field(description="Pass as `after` for the next page.")
    total: int = Field(description="How many events match, on all pages.")


@router.get(
    "/audit",
    response=AuditPageOut,
    url_name="audit",
    summary="Search the audit trail",
    auth=Requires(Capability.ADMINISTER),
)
def search_audit(request: AuthenticatedRequest, filters: Query[AuditQuery]) -> dict[str, Any]:
    """Audit events matching the filters, newest first: an organisation's administrator
    sees what the organisation's accounts did, a deployment administrator everything."""
    user = request.user
    wanted = queries.AuditFilters(
        user=filters.user.strip(),
        action=filters.action or "",
        object_type=filters.object_type.strip(),
        object_ref=filters.object_ref.strip(),
        date_from=filters.date_from,
        date_to=filters.date_to,
        ip_address=str(filters.ip_address) if filters.ip_address else "",
    )
    page = queries.search_audit(wanted, user, after=filters.after, size=filters.size)
    audit.record(
        user,
        AuditAction.VIEW,
        object_type=AuditEvent._meta.label,
        changes={"filters": wanted.as_query(), "via": "api"},
        request=request,
    )
    return page_out(page)
