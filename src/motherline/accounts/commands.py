"""The account a management command acts as, named by `--user`."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from motherline.accounts.models import User
from motherline.accounts.policy import Capability, can
from motherline.core.actors import Actor, SystemActor


def register_user(username: str | None, command: str) -> Actor:
    """The named user, who must be allowed to see the register; without one, the system's
    read-only view of it, named after the command."""
    if not username:
        return SystemActor(command)
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(_("There is no user %(name)s.") % {"name": username})
    if not can(user, Capability.VIEW_REGISTER):
        raise CommandError(
            _("The user %(name)s may not see personal records.") % {"name": username}
        )
    return user
