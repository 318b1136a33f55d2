"""Reads of the audit trail for administrators: a filtered search, paged by keyset.

The trail is append-only and its ids only grow, so the newest-first order is the id's and a
page is "the next `size` events below this id": no OFFSET, whatever the trail's length.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from motherline.accounts.audit import LIST_REF
from motherline.accounts.models import AuditAction, AuditEvent
from motherline.accounts.policy import scope_audit


@dataclass(frozen=True)
class AuditFilters:
    """What an administrator searches the trail by; empty values do not filter."""

    user: str = ""
    action: str = ""
    object_type: str = ""
    object_ref: str = ""
    date_from: date | None = None
    date_to: date | None = None
    ip_address: str = ""

    def as_query(self) -> dict[str, str]:
        """The filters as URL parameters (and as the audit record of a search)."""
        out = {
            "user": self.user,
            "action": self.action,
            "object_type": self.object_type,
            "object_ref": self.object_ref,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "ip_address": self.ip_address,
        }
        return {key: value for key, value in out.items() if value}


@dataclass
class AuditPage:
    items: list[AuditEvent]
    next_cursor: int | None
    total: int
    filters: AuditFilters = field(default_factory=AuditFilters)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_events(filters: AuditFilters, reader: Any) -> QuerySet[AuditEvent]:
    """The events matching the filters that `reader` may see (the access policy's audit
    scope), newest first. A failed sign-in has no user: searching by a user name finds the
    failures that tried that name too; searching by a reference finds the list pages that
    showed the record."""
    qs = scope_audit(AuditEvent.objects.all(), reader)
    if filters.user:
        qs = qs.filter(
            Q(username__iexact=filters.user)
            | Q(action=AuditAction.LOGIN_FAILED, changes__username=filters.user)
        )
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.object_type:
        qs = qs.filter(object_type__iexact=filters.object_type)
    if filters.object_ref:
        # A list page's event names the records it showed in `changes["listed"]`: searching
        # by a reference finds the lists she was on too (the quotes match whole references).
        qs = qs.filter(
            Q(object_ref=filters.object_ref)
            | Q(object_ref=LIST_REF, changes__listed__icontains=f'"{filters.object_ref}"')
        )
    if filters.date_from:
        qs = qs.filter(at__gte=_day_start(filters.date_from))
    if filters.date_to:
        # The whole of the last day, in the deployment's time zone.
        qs = qs.filter(at__lt=_day_start(filters.date_to + timedelta(days=1)))
    if filters.ip_address:
        qs = qs.filter(ip_address=filters.ip_address)
    return qs.order_by("-id")


def search_audit(
    filters: AuditFilters, reader: Any, *, after: int | None = None, size: int = 50
) -> AuditPage:
    """One page of the matching events `reader` may see below the cursor `after`, and how
    many match in all (counted by the database)."""
    qs = audit_events(filters, reader)
    total = qs.count()
    if after is not None:
        qs = qs.filter(id__lt=after)
    items = list(qs.select_related(None)[: size + 1])
    next_cursor = items[size - 1].id if len(items) > size else None
    return AuditPage(items=items[:size], next_cursor=next_cursor, total=total, filters=filters)


def export_rows(filters: AuditFilters, reader: Any) -> Any:
    """Every matching event `reader` may see as CSV-ready rows, read in chunks (the trail
    can be long)."""
    qs = audit_events(filters, reader).values_list(
        "id", "at", "username", "action", "object_type", "object_ref", "ip_address", "changes"
    )
    return qs.iterator(chunk_size=2000)
