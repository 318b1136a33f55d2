"""Field work of the organisations: prison visits with their findings and follow-up actions,
and the incidents in which a prison refused or restricted a monitor's access.

These records belong to an organisation, not to one woman: they are scoped by
`accounts.policy.scope_organisation`. A visit may name the women seen; those links are shown
only to users who may see the women (`accounts.policy.scope`).
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motherline.accounts.models import Organisation
from motherline.core.actors import Actor
from motherline.core.models import OwnedRecord, Referenced, done_by
from motherline.jurisdictions import local
from motherline.people.models import Woman
from motherline.places.models import Prison
from motherline.records.withdrawal import Withdrawable, WithdrawableQuerySet
from motherline.vault.fields import EncryptedCharField, EncryptedTextField

# More people than any prison or training room holds: a larger head count is a typing error
# (and would not fit the column).
HEADCOUNT_MAX = 100_000


class OrganisationScoped:
    """Scoping of records an organisation owns; the rule lives in `accounts.policy`."""

    def visible_to(self: Any, user: Actor) -> Any:  # self: the queryset it is mixed into
        """The records this user may see."""
        from motherline.accounts import policy

        return policy.scope_organisation(self, user)

    def editable_by(self: Any, user: Actor) -> Any:
        from motherline.accounts import policy

        return policy.scope_organisation(self, user, for_edit=True)


class OrganisationQuerySet(OrganisationScoped, models.QuerySet):
    pass


class WithdrawableRecordQuerySet(OrganisationScoped, WithdrawableQuerySet):
    """An organisation's records that can be withdrawn (entered twice): `.current()`."""


class Access(models.TextChoices):
    GRANTED = "granted", _("Access granted")
    PARTIAL = "partial", _("Partial access")
    REFUSED = "refused", _("Access refused")


class Topic(models.TextChoices):
    HEALTH_CARE = "health_care", _("Health care")
    ANTENATAL_CARE = "antenatal_care", _("Antenatal care")
    FOOD_AND_WATER = "food_and_water", _("Food and water")
    SPACE_AND_HYGIENE = "space_and_hygiene", _("Space and hygiene")
    CHILDREN = "children", _("Children's needs")
    LEGAL_STATUS = "legal_status", _("Legal status")
    TREATMENT = "treatment", _("Treatment")


class PrisonVisit(Referenced, Withdrawable, OwnedRecord):
    reference_prefix = "V"
    noun = "visit"

    prison = models.ForeignKey(
        Prison, on_delete=models.PROTECT, related_name="visits", verbose_name=_("prison")
    )
    visit_date = models.DateField(_("date of the visit"))
    team = models.CharField(_("team"), max_length=255, help_text=_("Who went, by role."))
    access = models.CharField(_("access"), max_length=16, choices=Access)
    women_seen = models.PositiveIntegerField(_("women seen"), default=0)
    pregnant_seen = models.PositiveIntegerField(_("pregnant women seen"), default=0)
    children_seen = models.PositiveIntegerField(_("children seen"), default=0)
    women = models.ManyToManyField(
        Woman, blank=True, related_name="+", verbose_name=_("women seen (on the register)")
    )
    # What the team noted and found may name or describe a woman: encrypted.
    notes = EncryptedTextField(_("notes"), blank=True)
    # The instance ID of a phone submission (ODK Collect, KoBoCollect): importing the same
    # export twice adds nothing.
    submission_id = models.CharField(max_length=64, null=True, blank=True, unique=True)

    objects = WithdrawableRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-visit_date", "-id"]
        indexes = [models.Index(fields=["prison", "visit_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pregnant_seen__lte=models.F("women_seen")),
                name="visit_pregnant_among_women",
            )
        ]
        verbose_name = _("prison visit")
        verbose_name_plural = _("prison visits")


class Finding(Referenced):
    reference_prefix = "F"
    noun = "finding"

    visit = models.ForeignKey(PrisonVisit, on_delete=models.CASCADE, related_name="findings")
    topic = models.CharField(_("topic"), max_length=24, choices=Topic)
    description = EncryptedTextField(_("what was found"))
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["topic", "id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class FollowUpAction(Referenced):
    reference_prefix = "A"
    noun = "action"

    visit = models.ForeignKey(PrisonVisit, on_delete=models.CASCADE, related_name="actions")
    finding = models.ForeignKey(
        Finding,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("finding"),
    )
    # Encrypted: an action often names the woman or the officer it concerns.
    description = EncryptedCharField(_("what is to be done"), max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=8, choices=ActionStatus, default=ActionStatus.OPEN
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["status", "due_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open", done_on__isnull=True)
                | models.Q(status="done", done_on__isnull=False),
                name="action_done_has_date",
            )
        ]
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")


class EscalationContact(models.Model):
    """Someone an organisation tells when a prison refuses its monitors (the UN office, a
    ministry focal point): told by e-mail of every new access incident."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="escalation_contacts"
    )
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"))

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "email"], name="one_contact_per_email")
        ]
        verbose_name = _("escalation contact")
        verbose_name_plural = _("escalation contacts")

    def __str__(self) -> str:
        return self.name


class AccessIncident(Referenced, Withdrawable, OwnedRecord):
    reference_prefix = "I"
    noun = "incident"

    prison = models.ForeignKey(
        Prison, on_delete=models.PROTECT, related_name="access_incidents", verbose_name=_("prison")
    )
    visit = models.ForeignKey(
        PrisonVisit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("visit"),
    )
    occurred_on = models.DateField(_("date"))
    # The one limit of free text (`people.forms.NOTE_MAX`), kept by the forms made from it.
    # Encrypted: what was refused, and the answer, may name women and their children.
    what_was_refused = EncryptedTextField(_("what was refused"), max_length=20_000)
    refused_by = models.CharField(_("refused by"), max_length=200, help_text=_("A position."))
    escalated_to = models.CharField(_("escalated to"), max_length=200, blank=True)
    escalated_on = models.DateField(_("escalated on"), null=True, blank=True)
    response = EncryptedTextField(_("response"), max_length=20_000, blank=True)
    restored_on = models.DateField(_("access restored on"), null=True, blank=True)

    objects = WithdrawableRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["restored_on", "occurred_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(restored_on__isnull=True)
                | models.Q(restored_on__gte=models.F("occurred_on")),
                name="incident_restored_after",
            )
        ]
        verbose_name = _("access incident")
        verbose_name_plural = _("access incidents")

    @property
    def is_open(self) -> bool:
        return self.restored_on is None


class Audience(models.TextChoices):
    JUDGES = "judges", _("Judges")
    PROSECUTORS = "prosecutors", _("Prosecutors")
    LAWYERS = "lawyers", _("Lawyers")
    PRISON_STAFF = "prison_staff", _("Prison staff")
    POLICE = "police", _("Police")


class TrainingTopic(models.TextChoices):
    BANGKOK_RULES = "bangkok_rules", _("Bangkok Rules")
    NON_CUSTODIAL = "non_custodial", _("Non-custodial measures (Tokyo Rules)")
    PRETRIAL = "pretrial", _("Pretrial detention")
    CHILDREN = "children", _("Children of women in prison")
    HEALTH = "health", _("Health care of women in prison")
    SENTENCING = "sentencing", _("Sentencing of women")


class TrainingSession(Referenced, Withdrawable, OwnedRecord):
    reference_prefix = "T"
    noun = "training"

    audience = models.CharField(_("audience"), max_length=16, choices=Audience)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    # Codes of `TrainingTopic`.
    topics = models.JSONField(_("topics"), default=list)
    statistics_used = models.TextField(_("statistics used"), blank=True)
    case_studies_used = models.TextField(_("case studies used"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = WithdrawableRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")

    def topic_labels(self) -> list[str]:
        labels = dict(TrainingTopic.choices)
        return [str(labels.get(code, code)) for code in self.topics]


class Participants(models.Model):
    """How many women and men of one institution took part in a session."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="participants"
    )
    institution = models.CharField(_("institution"), max_length=200)
    women = models.PositiveIntegerField(_("women"), default=0)
    men = models.PositiveIntegerField(_("men"), default=0)

    class Meta:
        ordering = ["institution", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "institution"], name="one_row_per_institution"
            )
        ]
        verbose_name = _("participants")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return self.institution


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONSENTED = "consented", _("Consent recorded")
    ANONYMISED = "anonymised", _("Anonymised")
    REVIEWED = "reviewed", _("Reviewed")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Consent withdrawn")


class ConsentUse(models.TextChoices):
    TRAINING = "training", _("Training only")
    PUBLICATION = "publication", _("Publication")


class CaseStudy(Referenced, OwnedRecord):
    """A real situation told for advocacy and training, never with anything that identifies
    the woman or her children: draft → consent → anonymised → reviewed by a second person →
    published. Withdrawing consent unpublishes it."""

    reference_prefix = "CS"
    noun = "case study"

    woman = models.ForeignKey(
        Woman,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("woman"),
    )
    children = models.ManyToManyField(
        "people.Child", blank=True, related_name="+", verbose_name=_("children")
    )
    # A draft tells a real woman's story before it is anonymised: encrypted (the published
    # text too, since it is the same column).
    title_en = EncryptedCharField(_("title (English)"), max_length=200)
    narrative_en = EncryptedTextField(_("narrative (English)"))
    # The same story in the local language of the organisation's jurisdiction (Khmer for
    # Cambodia, Thai for Thailand): `local_language`.
    title_local = EncryptedCharField(_("title (local language)"), max_length=200, blank=True)
    narrative_local = EncryptedTextField(_("narrative (local language)"), blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=CaseStatus, default=CaseStatus.DRAFT
    )
    consent_on = models.DateField(_("consent given on"), null=True, blank=True)
    consent_given_by = EncryptedCharField(_("consent given by"), max_length=200, blank=True)
    consent_use = models.CharField(_("consent for"), max_length=16, choices=ConsentUse, blank=True)
    consent_withdrawn_on = models.DateField(_("consent withdrawn on"), null=True, blank=True)
    anonymised_by = done_by()
    reviewed_by = done_by()
    published_on = models.DateField(_("published on"), null=True, blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case study")
        verbose_name_plural = _("case studies")

    def local_language(self) -> str:
        """The language of `title_local` and `narrative_local`: the local language of the
        organisation's jurisdiction."""
        return local.language_of_organisation(self.organisation_id)
