"""Personal API tokens (the logic is in `security.tokens`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A user's personal token for the API. Only a SHA-256 hash of the secret is kept; the
    public `key` (the token's first part) finds it. It acts as its user with at most the
    capabilities listed here, and never more than the user's role grants at the time of use."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=64)
    key = models.CharField(_("identifier"), max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    capabilities = models.JSONField(_("capabilities"), default=list)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One live token of a name per user, so `motherline token revoke --name` is exact.
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=Q(revoked_at__isnull=True),
                name="security_apitoken_live_name_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.key})"
