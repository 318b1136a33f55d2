"""The columns every record of the register shares: who recorded it and when, the version it
is at (`core.versions.save_if_current`), and the organisation that owns it.

Abstract: each app's models build on these. The organisation is named by a string so that this
low layer does not import `accounts`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CreatedRecord(models.Model):
    """A record that says when and by whom it was made. The user may later be removed: the
    record stays, without its author (SET_NULL); the service sets it, no form asks for it."""

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True


class VersionedRecord(CreatedRecord):
    """A record that is changed after it is made: each change names the version it was read
    at and is refused if the record moved on since (optimistic locking)."""

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class OwnedRecord(VersionedRecord):
    """A versioned record that belongs to one organisation, which sees and changes it
    (`accounts.policy.scope_organisation`)."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )

    class Meta:
        abstract = True
