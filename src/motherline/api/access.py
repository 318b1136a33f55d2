"""What every endpoint asks before it reads or changes anything, through `accounts.policy`.

A capability the role lacks is a 403; a record outside the user's scope is a 404, so the
API does not confirm that a reference exists to someone who may not see it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy

from motherline.accounts.policy import Capability, can
from motherline.people.models import Child, Woman

_REFUSALS = {
    Capability.VIEW_AGGREGATES: gettext_lazy("Your role may not see the statistics."),
    Capability.VIEW_REGISTER: gettext_lazy("Your role may not see personal records."),
    Capability.EDIT_REGISTER: gettext_lazy("You may not change the register."),
    Capability.ADMINISTER: gettext_lazy("Only an administrator may do this."),
    Capability.RECORD_FIELDWORK: gettext_lazy("Your role may not record field work."),
    Capability.MANAGE_PROGRAMME: gettext_lazy("Only a programme manager may do this."),
}


def require(request: HttpRequest, capability: Capability) -> Any:
    """The signed-in user, if their role grants the capability; PermissionDenied if not."""
    user = request.user
    if not can(user, capability):
        raise PermissionDenied(str(_REFUSALS[capability]))
    return user


def editable_woman(user: Any, reference: str) -> Woman:
    """A woman the user may change, by reference, with her current custody episode.
    A partner's record shared by consent is read-only, so it is a 404 here."""
    try:
        return (
            Woman.objects.editable_by(user)
            .select_related("current_episode__current_prison")
            .get(reference=reference)
        )
    except Woman.DoesNotExist:
        raise Http404 from None


def editable_child(user: Any, reference: str) -> Child:
    """A child the user may change (through her mother), by reference."""
    try:
        return Child.objects.editable_by(user).get(reference=reference)
    except Child.DoesNotExist:
        raise Http404 from None
