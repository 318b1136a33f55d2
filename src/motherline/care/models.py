"""Transition plans: a child who must leave prison goes to a caregiver who was found,
assessed and supported in time, and is followed up after the handover (Bangkok Rule 52)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from motherline.people.models import CaregiverRelationship, Child, ScopedQuerySet
from motherline.vault.fields import EncryptedCharField, EncryptedTextField


class PlanStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CAREGIVER_IDENTIFIED = "caregiver_identified", _("Caregiver identified")
    ASSESSED = "assessed", _("Home assessed")
    HANDED_OVER = "handed_over", _("Handed over")
    FOLLOWED_UP = "followed_up", _("Followed up")
    CLOSED = "closed", _("Closed")


class CloseReason(models.TextChoices):
    COMPLETED = "completed", _("Completed: the child is settled with the caregiver")
    LEFT_WITH_MOTHER = "left_with_mother", _("The child left prison with the mother")
    NOT_NEEDED = "not_needed", _("No longer needed")
    OTHER = "other", pgettext_lazy("reason for closing", "Other")


class PlanQuerySet(ScopedQuerySet):
    """Plans are visible and editable exactly when their child is (`accounts.policy`)."""

    def active(self) -> "PlanQuerySet":
        return self.exclude(status=PlanStatus.CLOSED)


class TransitionPlan(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="transition_plans")
    status = models.CharField(
        _("status"), max_length=24, choices=PlanStatus, default=PlanStatus.OPEN
    )
    # The day the plan was opened, which the steps' dates may not precede (not `created_at`:
    # a plan recorded late is dated by when the work began).
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    due_date = models.DateField(_("leave-by date"))
    caregiver_name = EncryptedCharField(_("caregiver's name"), max_length=200, blank=True)
    caregiver_relationship = models.CharField(
        _("caregiver's relationship"), max_length=24, choices=CaregiverRelationship, blank=True
    )
    caregiver_location = EncryptedCharField(_("caregiver's location"), max_length=255, blank=True)
    caregiver_contact = EncryptedCharField(_("caregiver's contact"), max_length=120, blank=True)
    assessed_on = models.DateField(_("home assessed on"), null=True, blank=True)
    home_is_suitable = models.BooleanField(_("the home is suitable"), null=True, blank=True)
    assessment_notes = EncryptedTextField(_("assessment notes"), blank=True)
    support_money = models.BooleanField(_("financial support"), default=False)
    support_schooling = models.BooleanField(_("schooling"), default=False)
    support_health = models.BooleanField(_("health care"), default=False)
    support_notes = EncryptedTextField(_("support agreed"), blank=True)
    handover_planned_on = models.DateField(_("planned handover date"), null=True, blank=True)
    handed_over_on = models.DateField(_("handed over on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_reason = models.CharField(
        _("reason for closing"), max_length=24, choices=CloseReason, blank=True
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["status", "due_date"])]
        constraints = [
            # One plan in progress per child; closed plans stay as history.
            models.UniqueConstraint(
                fields=["child"],
                condition=~models.Q(status="closed"),
                name="one_active_plan_per_child",
            ),
        ]
        verbose_name = _("transition plan")
        verbose_name_plural = _("transition plans")

    def __str__(self) -> str:
        return f"{self.child.reference} plan"


class FollowUpOutcome(models.TextChoices):
    WELL = "well", _("The child is well")
    CONCERNS = "concerns", _("Concerns to act on")
    NOT_REACHED = "not_reached", _("Could not reach the family")


class FollowUp(models.Model):
    """A visit to the child after the handover, due at set months."""

    plan = models.ForeignKey(TransitionPlan, on_delete=models.CASCADE, related_name="follow_ups")
    due_date = models.DateField(_("due"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=FollowUpOutcome, blank=True)
    notes = EncryptedTextField(_("notes"), blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["done_on", "due_date"])]

    def __str__(self) -> str:
        return f"follow-up {self.due_date}"


class LeaveExtension(models.Model):
    """An extension of a child's stay beyond the age limit, where the pack allows one."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="leave_extensions")
    months = models.PositiveSmallIntegerField(_("months"))
    reason = EncryptedTextField(_("reason"))
    approved_by = models.CharField(_("approved by"), max_length=200)
    approved_on = models.DateField(_("approved on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["approved_on", "id"]

    def __str__(self) -> str:
        return f"{self.child.reference} +{self.months} months"
