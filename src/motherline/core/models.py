"""The columns every record of the register shares: who recorded it and when, the version it
is at (`core.versions.save_if_current`), and the organisation that owns it.

Abstract: each app's models build on these. The organisation is named by a string so that this
low layer does not import `accounts`.
"""

from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def done_by(
    verbose_name: "StrOrPromise | None" = None, *, blank: bool = True
) -> "models.ForeignKey[Any, Any]":
    """The user who made, changed or decided something on a record. The user may later be
    removed: the record and its history stay, without the name (SET_NULL); the service sets
    it, and the user has no reverse accessor to every record they touched."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=blank,
        related_name="+",
        verbose_name=verbose_name,
    )


class CreatedRecord(models.Model):
    """A record that says when and by whom it was made. The user may later be removed: the
    record stays, without its author (SET_NULL); the service sets it, no form asks for it."""

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = done_by()

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


class Referenced(models.Model):
    """A record people name by a short reference, its kind's letters and its number ("V-12"
    for a visit), and that prints as its kind and number ("visit 12") in the admin and the
    shell. Each model says its `reference_prefix` and `noun`."""

    reference_prefix: ClassVar[str]
    noun: ClassVar[str]

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.noun} {self.pk}"

    @property
    def reference(self) -> str:
        return f"{self.reference_prefix}-{self.pk}"
