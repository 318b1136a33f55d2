"""What every endpoint asks before it reads or changes anything, through `accounts.policy`.

A capability the role lacks is a 403; a record outside the user's scope is a 404, so the
API does not confirm that a reference exists to someone who may not see it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from ninja.errors import AuthenticationError, Throttled
from ninja.security import SessionAuth

from motherline.accounts.models import User
from motherline.accounts.policy import Capability, can
from motherline.people.models import Child, Woman

M = TypeVar("M", bound=models.Model)

_REFUSALS = {
    Capability.VIEW_AGGREGATES: gettext_lazy("Your role may not see the statistics."),
    Capability.VIEW_REGISTER: gettext_lazy("Your role may not see personal records."),
    Capability.EDIT_REGISTER: gettext_lazy("You may not change the register."),
    Capability.ADMINISTER: gettext_lazy("Only an administrator may do this."),
    Capability.ADMINISTER_DEPLOYMENT: gettext_lazy("Only a deployment administrator may do this."),
    Capability.IMPORT_RETURNS: gettext_lazy("Your role may not import population returns."),
    Capability.RECORD_FIELDWORK: gettext_lazy("Your role may not record field work."),
    Capability.MANAGE_PROGRAMME: gettext_lazy("Only a programme manager may do this."),
    Capability.ADMINISTER_DEPLOYMENT: gettext_lazy("Only a deployment administrator may do this."),
}


class Requires(SessionAuth):
    """An operation's `auth`: the web session's user (with Django's CSRF check on unsafe
    methods, as ninja's `django_auth`), if their role grants the capability.

    ninja runs an operation's auth before it parses the path, query and body, so a role that
    may not use an endpoint gets 403 whatever it sent, never the schema's field errors (422)
    that would describe the endpoint to it; no one signed in gets 401. Where the capability
    depends on a path parameter, name the parameter with the values that need another one:
    `Requires(Capability.RECORD_FIELDWORK, step={"publish": Capability.MANAGE_PROGRAMME})`.
    """

    openapi_description = (
        "The web session's cookie; POST, PATCH and DELETE also need the csrftoken cookie's "
        "value in the X-CSRFToken header. Or a personal API token, sent as "
        "`Authorization: Bearer ml_...` (no cookie, no CSRF token). Each operation also needs "
        "a capability of the role (and, with a token, one the token was given)."
    )

    def __init__(self, capability: Capability, **by_path: Mapping[str, Capability]) -> None:
        self.capability = capability
        self.by_path = by_path
        super().__init__()

    def capability_for(self, request: HttpRequest) -> Capability:
        """The capability this request needs, by its path's parameters (as in the URL)."""
        match = request.resolver_match
        path = match.kwargs if match is not None else {}
        for name, capabilities in self.by_path.items():
            value = path.get(name)
            if isinstance(value, str) and value in capabilities:
                return capabilities[value]
        return self.capability

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if header[:7].lower() == "bearer ":
            # A token carries no cookie, so there is no CSRF to check; the session is ignored.
            return self.authenticate_token(request, header[7:].strip())
        return super().__call__(request)

    def authenticate_token(self, request: HttpRequest, text: str) -> Any:
        from motherline.security import tokens

        use = tokens.authenticate(text)
        if use is None:
            raise AuthenticationError  # bad, revoked, expired, or its user deactivated: 401
        wait = tokens.rate_limited(use.token)
        if wait is not None:
            raise Throttled(wait=wait)
        # The operation and the audit trail see the token's user; `record` adds the token.
        request.user = use.token.user
        request.api_token = use.token  # type: ignore[attr-defined]
        capability = self.capability_for(request)
        if capability not in use.capabilities or not can(use.token.user, capability):
            raise PermissionDenied(str(_REFUSALS[capability]))
        return use.token.user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None:
            return None  # ninja answers 401
        capability = self.capability_for(request)
        if not can(user, capability):
            raise PermissionDenied(str(_REFUSALS[capability]))
        return user


def visible_woman(user: User, reference: str) -> Woman:
    """A woman the user may see, by reference (a partner's shared record too)."""
    return get_object_or_404(Woman.objects.visible_to(user), reference=reference)


def visible_child(user: User, reference: str) -> Child:
    """A child the user may see, by reference, with the mother."""
    return get_object_or_404(
        Child.objects.visible_to(user).select_related("mother"), reference=reference
    )


def her_records(user: User, reference: str) -> tuple[Woman, None]:
    """The woman the user may see whose own records (not her children's) an operation on
    /women/{reference}/... reads or adds to."""
    return visible_woman(user, reference), None


def child_records(user: User, reference: str) -> tuple[Woman, Child]:
    """The child the user may see whose records an operation on /children/{reference}/...
    reads or adds to, with the mother whose record holds them."""
    child = visible_child(user, reference)
    return child.mother, child


def editable_woman(user: User, reference: str) -> Woman:
    """A woman the user may change, by reference, with her current custody episode.
    A partner's record shared by consent is read-only, so it is a 404 here."""
    return get_object_or_404(
        Woman.objects.editable_by(user).select_related("current_episode__current_prison"),
        reference=reference,
    )


def editable_child(user: User, reference: str) -> Child:
    """A child the user may change (through her mother), by reference."""
    return get_object_or_404(Child.objects.editable_by(user), reference=reference)


def visible_record(model: type[M], user: User, pk: int, *related: str) -> M:
    """A record of `model` the user may see (its queryset's `visible_to`, which asks the
    policy), by id, with `related` selected; otherwise 404."""
    records: Any = model._default_manager  # its `objects`, whose queryset is scoped
    return _by_id(records.visible_to(user), pk, related)


def editable_record(model: type[M], user: User, pk: int, *related: str) -> M:
    """A record of `model` the user may change (its queryset's `editable_by`), by id, with
    `related` selected; otherwise 404: a partner's record shared read-only is not found."""
    records: Any = model._default_manager  # its `objects`, whose queryset is scoped
    return _by_id(records.editable_by(user), pk, related)


def _by_id(records: models.QuerySet[M], pk: int, related: tuple[str, ...]) -> M:
    # `select_related()` with no names would follow every relation: only with names.
    if related:
        records = records.select_related(*related)
    return get_object_or_404(records, pk=pk)
