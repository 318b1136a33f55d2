"""Transition plans: a child who must leave prison goes to a caregiver who was found,
assessed and supported in time, and is followed up after the handover (Bangkok Rule 52)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from motherline.care.rules import PHONE_MAX_LENGTH
from motherline.core.models import Referenced, VersionedRecord, done_by
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


class TransitionPlan(VersionedRecord):
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
    # The caregiver's record, where there is one: it then stands for the free-text fields
    # above, which stay as they were typed on plans older than the records.
    caregiver = models.ForeignKey(
        "care.Caregiver",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="plans",
        verbose_name=_("caregiver"),
    )
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


class ChildSituation(models.TextChoices):
    WITH_CAREGIVER = "with_caregiver", _("Living with the caregiver")
    WITH_SOMEONE_ELSE = "with_someone_else", _("Living with someone else")
    WITH_MOTHER = "with_mother", _("Back with the mother")
    IN_A_CENTRE = "in_a_centre", _("In a centre or institution")
    NOT_KNOWN = "not_known", _("Not known")


class FollowUp(models.Model):
    """A visit to the child after the handover, due at set months: what was found."""

    plan = models.ForeignKey(TransitionPlan, on_delete=models.CASCADE, related_name="follow_ups")
    due_date = models.DateField(_("due"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=FollowUpOutcome, blank=True)
    # Who of the child's caregivers was met (none: no caregiver was seen), and where the child
    # lives now; both empty on visits recorded before they were asked.
    caregiver_seen = models.ForeignKey(
        "care.Caregiver",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("caregiver seen"),
    )
    child_situation = models.CharField(
        _("the child's situation"), max_length=24, choices=ChildSituation, blank=True
    )
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
    recorded_by = done_by()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["approved_on", "id"]

    def __str__(self) -> str:
        return f"{self.child.reference} +{self.months} months"


# The child's family outside: caregivers as records, and the best-interests assessment a
# programme manager approves before the hand-over.


class Caregiver(Referenced, VersionedRecord):
    """A person (or a centre) outside prison who cares, or will care, for children of a
    woman in custody. The record hangs on her, as every personal record does, so that it is
    owned by her organisation and seen exactly as her record (`accounts.policy`): a partner
    only as her consent shares it, an outsider not at all. A caregiver of children of two
    women has a record on each: what one woman consented to share does not open the other's.
    The name, the address's free text and the phone are encrypted at rest."""

    reference_prefix = "CG"
    noun = "caregiver"

    woman = models.ForeignKey("people.Woman", on_delete=models.CASCADE, related_name="caregivers")
    name = EncryptedCharField(_("name"), max_length=200)
    province = models.ForeignKey(
        "places.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    district = models.ForeignKey(
        "places.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    commune = models.ForeignKey(
        "places.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune"),
    )
    address = EncryptedCharField(
        _("village, street and house"),
        max_length=255,
        blank=True,
        help_text=_("What the commune does not say: the village, the street, the house."),
    )
    phone = EncryptedCharField(_("phone"), max_length=PHONE_MAX_LENGTH, blank=True)
    children = models.ManyToManyField(
        "people.Child", through="CaregiverLink", related_name="caregivers"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("caregiver")
        verbose_name_plural = _("caregivers")

    def place(self) -> str:
        """The chosen area, finest first (commune, district, province), in the page's
        language; empty when none was chosen."""
        areas = [self.commune, self.district, self.province]
        return ", ".join(area.display_name for area in areas if area is not None)


class CaregiverLink(models.Model):
    """A caregiver who cares (or will care) for one child, and how they are related."""

    caregiver = models.ForeignKey(Caregiver, on_delete=models.CASCADE, related_name="links")
    child = models.ForeignKey(
        "people.Child", on_delete=models.CASCADE, related_name="caregiver_links"
    )
    relationship = models.CharField(
        _("relationship to the child"), max_length=24, choices=CaregiverRelationship
    )
    linked_on = models.DateField(_("linked on"), default=timezone.localdate)
    linked_by = done_by(blank=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["caregiver", "child"], name="caregiver_once_per_child")
        ]
        verbose_name = _("caregiver of a child")
        verbose_name_plural = _("caregivers of children")

    def __str__(self) -> str:
        return f"{self.caregiver_id} -> {self.child_id}"


class Finding(models.TextChoices):
    MEETS_NEEDS = "meets_needs", _("Meets the child's needs")
    CONCERN = "concern", _("A concern that support can address")
    SERIOUS_CONCERN = "serious_concern", _("A serious concern")
    NOT_ASSESSED = "not_assessed", _("Could not be assessed")


class Recommendation(models.TextChoices):
    HAND_OVER = "hand_over", _("Hand the child over to this caregiver")
    WITH_SUPPORT = "with_support", _("Hand over, with the support agreed in the plan")
    DO_NOT_HAND_OVER = "do_not_hand_over", _("Do not hand over: find another caregiver")


# The recommendations under which an approved assessment lets the child be handed over.
HANDOVER_RECOMMENDATIONS = (Recommendation.HAND_OVER, Recommendation.WITH_SUPPORT)


class AssessmentStatus(models.TextChoices):
    RECORDED = "recorded", _("Waiting for a programme manager's approval")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for changes")


class BestInterestsAssessment(Referenced):
    """The structured judgement that handing a child over to one caregiver serves the child:
    an answer to each question of the pack, a recommendation, and a programme manager's
    approval, without which the plan's hand-over step cannot be recorded."""

    reference_prefix = "BIA"
    noun = "assessment"

    plan = models.ForeignKey(TransitionPlan, on_delete=models.CASCADE, related_name="assessments")
    caregiver = models.ForeignKey(
        Caregiver,
        on_delete=models.RESTRICT,
        related_name="assessments",
        verbose_name=_("caregiver"),
    )
    assessed_on = models.DateField(_("assessed on"))
    recommendation = models.CharField(_("recommendation"), max_length=24, choices=Recommendation)
    reasons = EncryptedTextField(_("reasons for the recommendation"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=AssessmentStatus, default=AssessmentStatus.RECORDED
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    decided_by = done_by(_("decided by"))
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_notes = EncryptedTextField(_("the programme manager's notes"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_on", "-id"]
        indexes = [models.Index(fields=["plan", "status"], name="assessment_by_plan")]
        verbose_name = _("best-interests assessment")
        verbose_name_plural = _("best-interests assessments")

    @property
    def allows_handover(self) -> bool:
        return (
            self.status == AssessmentStatus.APPROVED
            and self.recommendation in HANDOVER_RECOMMENDATIONS
        )


class AssessmentAnswer(models.Model):
    """What the assessment found on one question of the pack, with notes."""

    assessment = models.ForeignKey(
        BestInterestsAssessment, on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        "jurisdictions.BestInterestsQuestion", on_delete=models.PROTECT, related_name="+"
    )
    finding = models.CharField(_("finding"), max_length=24, choices=Finding)
    notes = EncryptedTextField(_("notes"), blank=True)

    class Meta:
        ordering = ["question__position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question"], name="one_answer_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"answer {self.pk}"
