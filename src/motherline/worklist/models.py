"""What the worklist stores: the deadlines it reads (kept in step with the register, see
`worklist.deadlines`), the records whose deadlines are waiting to be recomputed, and which
alerts were already sent, so nobody gets the same alert twice."""

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


class Deadline(models.Model):
    """One deadline of the register as it stands (`worklist.deadlines` computes it with the
    pack's rules): whatever day the list is read for, it selects these rows by due date.
    Derived data: `motherline deadlines --rebuild` recomputes every row from the register."""

    kind = models.CharField(max_length=32)
    due_date = models.DateField()
    woman = models.ForeignKey("people.Woman", on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey(
        "people.Child", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The record the deadline comes from (a child, a pregnancy, a custody episode): one
    # deadline of each kind per record.
    source_id = models.BigIntegerField()
    # The subject's reference, for the list's order and the page's cursor.
    reference = models.CharField(max_length=32)
    prison = models.ForeignKey(
        "places.Prison", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # What the item's text needs besides the due date (a birth date, an offence class...).
    facts = models.JSONField(default=dict)
    # The first day the deadline no longer asks for anything (a birth registration once the
    # child is 18); null: it stands until the register changes.
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "source_id"], name="deadline_once")]
        indexes = [
            models.Index(fields=["kind", "due_date", "reference"], name="deadline_by_due"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.reference}:{self.due_date}"


class StaleDeadlines(models.Model):
    """A woman whose records changed, written in the same transaction as the change, so her
    deadlines are recomputed even if the process stops before it does so itself. A plain
    number, not a foreign key: the woman may be deleted in the same transaction. No woman
    (null) means every deadline: a rule of a jurisdiction pack changed."""

    woman_id = models.BigIntegerField(null=True, blank=True)
