"""Refused lookups of records, and the alert when one account collects too many.

A record route answers 404 both when the record does not exist and when it is outside the
user's scope (so that the answer never confirms that a person is on the register). Either way
it is a lookup that was refused: each one is on the audit trail, and when one account's
refusals reach `MOTHERLINE_REFUSAL_ALERT_COUNT` within `MOTHERLINE_REFUSAL_ALERT_MINUTES`
(someone walking through references), the administrators of that account's organisation (and
the deployment's administrators) get one e-mail per window."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, AuditEvent, Role, User


def _clean(value: Any, length: int = 64) -> str:
    # PostgreSQL refuses NUL in text and JSON; a probe may well send one.
    return str(value).replace("\x00", "\\0")[:length]


def _record_arguments(kwargs: dict[str, Any]) -> dict[str, str]:
    """The URL arguments that name a record (a reference or an id)."""
    return {
        key: _clean(value)
        for key, value in kwargs.items()
        if key == "reference" or key.endswith("_id")
    }


def record_refusal(
    request: HttpRequest, user: User, route: str, arguments: dict[str, str], status: int = 404
) -> None:
    changes: dict[str, Any] = {"arguments": arguments, "method": _clean(request.method or "", 10)}
    if status != 404:
        changes["status"] = status
    audit.record(
        user,
        AuditAction.REFUSED,
        request=request,
        object_type=_clean(route),
        object_ref=next(iter(arguments.values()), ""),
        changes=changes,
    )
    alert_if_over_threshold(user)


def alert_recipients(user: User) -> list[User]:
    """The active administrators of the user's organisation, and the deployment's
    administrators; never the account itself."""
    recipients = User.objects.filter(is_active=True).exclude(pk=user.pk).exclude(email="")
    organisation = (
        recipients.filter(role=Role.ADMINISTRATOR.value, organisation_id=user.organisation_id)
        if user.organisation_id is not None
        else recipients.none()
    )
    deployment = recipients.filter(role=Role.DEPLOYMENT_ADMINISTRATOR.value)
    return list((organisation | deployment).distinct().order_by("username"))


def alert_if_over_threshold(user: User, now: Any = None) -> bool:
    """Alert once per window when the account's refusals reach the threshold. Returns
    whether an alert was sent."""
    threshold = settings.MOTHERLINE_REFUSAL_ALERT_COUNT
    minutes = settings.MOTHERLINE_REFUSAL_ALERT_MINUTES
    since = (now or timezone.now()) - timedelta(minutes=minutes)
    refused = AuditEvent.objects.filter(user=user, action=AuditAction.REFUSED, at__gte=since)
    if threshold <= 0 or refused.count() < threshold:
        return False
    with transaction.atomic():
        # One alert even when requests of the same account arrive together.
        User.objects.select_for_update().filter(pk=user.pk).first()
        already = AuditEvent.objects.filter(
            action=AuditAction.ALERT,
            object_type="accounts.User",
            object_ref=str(user.pk),
            at__gte=since,
        )
        if already.exists():
            return False
        count = refused.count()
        recipients = alert_recipients(user)
        audit.record(
            None,
            AuditAction.ALERT,
            object_type="accounts.User",
            object_ref=str(user.pk),
            changes={
                "username": user.username,
                "refused": count,
                "minutes": minutes,
                "recipients": [r.username for r in recipients],
            },
        )
    if recipients:
        subject = _("Motherline: %(username)s was refused %(count)s record lookups") % {
            "username": user.username,
            "count": count,
        }
        body = _(
            "The account %(username)s was refused %(count)s lookups of records in the last "
            "%(minutes)s minutes: records that do not exist or are outside what the account "
            "may see. Someone may be trying references one after another. Look at the "
            "account's events on the audit trail (action: record lookup refused) and suspend "
            "the account if the lookups were not expected."
        ) % {"username": user.username, "count": count, "minutes": minutes}
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [r.email for r in recipients])
    return True


class RecordRefusedLookupsMiddleware:
    """Put on the audit trail every 404 of a record route answered to a signed-in user, and
    every 403 (an action the account's role may not take, on a page or through the API,
    whether or not the route names a record): both count towards the alert."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        status = response.status_code
        if status not in (403, 404):
            return response
        # No user when an earlier middleware answered before the authentication one ran.
        user: User | AnonymousUser | None = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        if user is None or not user.is_authenticated or match is None:
            return response
        arguments = _record_arguments(match.kwargs)
        if arguments or status == 403:
            record_refusal(request, user, match.view_name or match.route, arguments, status)
        return response
