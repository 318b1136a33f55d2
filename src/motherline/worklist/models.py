"""The worklist is derived from the other apps' records each time it is read; the only thing
it stores is which alerts were already sent, so nobody gets the same alert twice."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertSent(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts_sent"
    )
    # kind:subject:due_date identifies one deadline; a new due date is a new item.
    item_key = models.CharField(_("item"), max_length=120)
    threshold = models.CharField(_("threshold"), max_length=16)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "item_key", "threshold"], name="alert_sent_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_key} {self.threshold}"
