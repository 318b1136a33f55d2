"""Writing the audit trail. Every read of a personal record and every change calls this."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest

from motherline.accounts.models import AuditAction, AuditEvent
from motherline.core.actors import Actor, SystemActor


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address. Behind `MOTHERLINE_PROXY_COUNT` trusted reverse proxies it is
    the entry of X-Forwarded-For that the outermost trusted proxy added (the entries before
    it are the client's own claim, which anyone can forge)."""
    if request is None:
        return None
    proxies = getattr(settings, "MOTHERLINE_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            candidate = hops[-proxies]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    user: Actor | None,
    action: AuditAction | str,
    obj: models.Model | None = None,
    *,
    changes: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    object_type: str = "",
    object_ref: str = "",
) -> AuditEvent:
    """Append one event. `obj` names the record by its internal reference, never a name.
    `user` None: no one (a failed sign-in); a system actor is named `system:<name>`, with no
    user."""
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_ref = object_ref or str(getattr(obj, "reference", None) or obj.pk)
    account = user if user is not None and not isinstance(user, SystemActor) else None
    token = getattr(request, "api_token", None)
    if token is not None:  # a request authenticated by an API token names it
        changes = {**(changes or {}), "api_token": token.key}
    return AuditEvent.objects.create(
        user=account,
        username=user.username if user is not None else "",
        action=action,
        object_type=object_type,
        object_ref=object_ref,
        changes=changes or {},
        ip_address=client_ip(request),
    )


def listed(references: Iterable[Any]) -> dict[str, Any]:
    """The `changes` of an event that shows several records: their references, at most
    `MOTHERLINE_AUDIT_LIST_LIMIT` of them, and how many there were."""
    limit = getattr(settings, "MOTHERLINE_AUDIT_LIST_LIMIT", 200)
    shown = [str(reference) for reference in references]
    details: dict[str, Any] = {"listed": shown[:limit], "count": len(shown)}
    if len(shown) > limit:
        details["not_listed"] = len(shown) - limit
    return details


# Filters whose value is free text a person typed (a name, part of a name): the trail keeps
# that a search was made, not the text, which is identifying and not encrypted there.
FREE_TEXT_FILTERS = frozenset({"q", "name", "search"})


def filters_for_trail(filters: dict[str, Any]) -> dict[str, str]:
    return {
        key: "(text)" if key in FREE_TEXT_FILTERS else str(value)[:64]
        for key, value in filters.items()
        if value not in (None, "")
    }


def record_list(
    user: Actor | None,
    object_type: str,
    references: Iterable[Any],
    *,
    request: HttpRequest | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """One event for a page (or an API page) that lists personal records, with the references
    shown (`listed`). One row per page, not one per record, keeps the trail's size
    proportional to what people do."""
    return record(
        user,
        AuditAction.VIEW,
        request=request,
        object_type=object_type,
        object_ref=LIST_REF,
        changes={**listed(references), **(changes or {})},
    )


# The `object_ref` of a list event; the references shown are in its `changes["listed"]`.
LIST_REF = "(list)"
