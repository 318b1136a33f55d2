"""Case work on a woman or a child: notes, the case workers assigned, and documents.

Each record hangs on the woman it is about (a child's record also names the child), so the
access policy scopes it exactly as her record (`accounts.policy.WOMAN_PATHS`): a partner
sees it only as her consent shares it, an outsider not at all. Texts and file names are
encrypted at rest (`vault.fields`), files on disk too (`vault.files`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from motherline.core.actors import Actor
from motherline.core.inputs import NOTE_MAX
from motherline.core.models import Referenced, done_by
from motherline.core.scoping import ScopedQuerySet, narrow
from motherline.vault.fields import EncryptedCharField, EncryptedTextField


class NoteKind(models.TextChoices):
    PRISON_VISIT = "prison_visit", _("Prison visit")
    PHONE = "phone", _("Phone call")
    COURT = "court", _("Court")
    MEETING = "meeting", _("Meeting")
    HOME_VISIT = "home_visit", _("Home visit")


class CaseNote(models.Model):
    """What a case worker saw, heard or did, on one day. The author may correct it for a
    short time (`MOTHERLINE_NOTE_CORRECTION_HOURS`); after that a correction is a new note
    that refers to this one, so what was written and read stays as it was."""

    woman = models.ForeignKey("people.Woman", on_delete=models.CASCADE, related_name="case_notes")
    child = models.ForeignKey(
        "people.Child",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="case_notes",
    )
    noted_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=NoteKind)
    text = EncryptedTextField(_("note"), max_length=NOTE_MAX)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects the note of"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="case_notes",
        verbose_name=_("author"),
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-noted_on", "-id"]
        indexes = [
            # Newest first on a woman's page, a child's page and their pages of notes.
            models.Index(fields=["woman", "-noted_on", "-id"], name="note_by_woman"),
            models.Index(fields=["child", "-noted_on", "-id"], name="note_by_child"),
        ]
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")

    def __str__(self) -> str:
        return f"note {self.pk}"


class Assignment(models.Model):
    """A case worker of the owning organisation assigned to a woman, or to one of her
    children (`child` set)."""

    woman = models.ForeignKey("people.Woman", on_delete=models.CASCADE, related_name="assignments")
    child = models.ForeignKey(
        "people.Child",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assignments",
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("case worker"),
    )
    assigned_on = models.DateField(_("assigned on"))
    assigned_by = done_by(blank=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["assigned_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["woman", "worker"],
                condition=models.Q(child__isnull=True),
                name="assigned_once_to_woman",
            ),
            models.UniqueConstraint(
                fields=["child", "worker"],
                condition=models.Q(child__isnull=False),
                name="assigned_once_to_child",
            ),
        ]
        indexes = [models.Index(fields=["worker", "woman"], name="assignment_by_worker")]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self) -> str:
        return f"{self.worker_id} -> {self.child_id or self.woman_id}"


class DocumentType(models.TextChoices):
    PDF = "pdf", "PDF"
    JPEG = "jpeg", "JPEG"
    PNG = "png", "PNG"
    DOCX = "docx", "DOCX"


CONTENT_TYPES = {
    DocumentType.PDF: "application/pdf",
    DocumentType.JPEG: "image/jpeg",
    DocumentType.PNG: "image/png",
    DocumentType.DOCX: ("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}


class Document(models.Model):
    """A file about a woman: on her record, or on her child's, one of her legal cases or
    one of her candidacies for a pardon. Its content is on disk, encrypted (`stored_as`)."""

    woman = models.ForeignKey("people.Woman", on_delete=models.CASCADE, related_name="documents")
    child = models.ForeignKey(
        "people.Child", on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    legal_case = models.ForeignKey(
        "legal.LegalCase",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
    )
    candidate = models.ForeignKey(
        "legal.ReleaseCandidate",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
    )
    title = EncryptedCharField(_("title"), max_length=200)
    file_name = EncryptedCharField(_("file name"), max_length=200)
    file_type = models.CharField(_("type"), max_length=8, choices=DocumentType)
    size = models.PositiveIntegerField(_("size in bytes"))
    stored_as = models.CharField(max_length=64, unique=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["woman", "-uploaded_at"], name="document_by_woman")]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return f"document {self.pk}"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[DocumentType(self.file_type)]


# Consent and referrals


TERMS_MAX_LENGTH = 2000


class ConsentPurpose(models.TextChoices):
    PARTNERS = "partners", _("Sharing with partner organisations")
    REFERRAL = "referral", _("Referral to another organisation for a service")


class ConsentGiver(models.TextChoices):
    SELF = "self", _("She herself")
    PARENT = "parent", _("A parent of the child")
    GUARDIAN = "guardian", _("The child's legal guardian")
    OTHER = "other", _("Someone else (named)")


class Consent(models.Model):
    """Consent to share a woman's record (or her child's, `child` set): who gave it, when,
    to what, and the signed form if there is one. Withdrawn, it ends at once the sharing it
    allowed: partners' access (`Woman.consent_scope`) and the referrals resting on it."""

    woman = models.ForeignKey("people.Woman", on_delete=models.CASCADE, related_name="consents")
    child = models.ForeignKey(
        "people.Child", on_delete=models.CASCADE, null=True, blank=True, related_name="consents"
    )
    purpose = models.CharField(_("consent to"), max_length=16, choices=ConsentPurpose)
    given_by = models.CharField(_("given by"), max_length=16, choices=ConsentGiver)
    given_by_name = EncryptedCharField(_("name of who gave it"), max_length=200, blank=True)
    given_on = models.DateField(_("given on"))
    # A consent to a referral may be limited to one organisation.
    to_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("only to"),
    )
    terms = EncryptedTextField(_("what was agreed"), max_length=TERMS_MAX_LENGTH, blank=True)
    document = models.ForeignKey(
        Document,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consents",
        verbose_name=_("signed form"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = EncryptedTextField(
        _("reason for withdrawal"), max_length=TERMS_MAX_LENGTH, blank=True
    )
    withdrawn_by = done_by(blank=False)
    version = models.PositiveIntegerField(default=1)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on", "-id"]
        indexes = [models.Index(fields=["woman", "withdrawn_on"], name="consent_by_woman")]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"consent {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None


class ReferralKind(models.TextChoices):
    REFERRAL = "referral", _("Referral: the receiver reads what is shared")
    TRANSFER = "transfer", _("Transfer: the receiver becomes the record's owner")


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")
    ENDED = "ended", _("Ended")


OPEN_STATUSES = (ReferralStatus.PENDING, ReferralStatus.ACCEPTED)


class ReferralService(models.TextChoices):
    CHILD_PROTECTION = "child_protection", _("Child protection")
    ALTERNATIVE_CARE = "alternative_care", _("Family or alternative care")
    LEGAL_AID = "legal_aid", _("Legal aid")
    HEALTH = "health", _("Health care")
    EDUCATION = "education", _("Schooling")
    LIVELIHOOD = "livelihood", _("Livelihood and reintegration")
    SHELTER = "shelter", _("Shelter")
    OTHER = "other", pgettext_lazy("service", "Other")


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, user: Actor) -> models.QuerySet:
        """The referrals this user's organisation sent or received (`accounts.policy`)."""
        return narrow("referrals", self, user)


class Referral(Referenced):
    """A woman's record (or one child's, `child` set) referred by the organisation that owns
    it to another for a service, with the consent that allows it. Accepted, it lets the
    receiver read the parts it shares (`accounts.policy.REFERRAL_REACH`); a transfer instead
    moves the record to the receiver. Until then the receiver sees only this referral."""

    reference_prefix = "R"
    noun = "referral"

    woman = models.ForeignKey("people.Woman", on_delete=models.CASCADE, related_name="referrals")
    child = models.ForeignKey(
        "people.Child", on_delete=models.CASCADE, null=True, blank=True, related_name="referrals"
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=ReferralKind, default=ReferralKind.REFERRAL
    )
    from_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="referrals_sent",
        verbose_name=_("from"),
    )
    to_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("to"),
    )
    service = models.CharField(_("service"), max_length=24, choices=ReferralService)
    reason = EncryptedTextField(_("what is asked"), max_length=TERMS_MAX_LENGTH)
    # The parts shared beyond the record itself (her identity and custody, or the child's).
    shares_children = models.BooleanField(_("her children"), default=False)
    shares_legal = models.BooleanField(_("legal cases and deadlines"), default=False)
    shares_care_plan = models.BooleanField(_("transition plans"), default=False)
    shares_casework = models.BooleanField(_("case notes and documents"), default=False)
    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("consent")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ReferralStatus, default=ReferralStatus.PENDING
    )
    sent_on = models.DateField(_("sent on"))
    # When the receiver is asked to answer by: the due date of its worklist item.
    answer_by = models.DateField(_("answer by"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answered_by = done_by(blank=False)
    answer = EncryptedTextField(_("answer"), max_length=TERMS_MAX_LENGTH, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    ended_because = models.CharField(_("ended because"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_on", "-id"]
        indexes = [
            # The policy's subquery on every read of the register, and the receiver's list.
            models.Index(fields=["to_organisation", "status", "woman"], name="referral_to"),
            models.Index(fields=["from_organisation", "status"], name="referral_from"),
        ]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    @property
    def subject(self) -> Any:
        return self.child or self.woman

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def shared_parts(self) -> list[str]:
        fields = [self._meta.get_field(f) for f in PART_FIELDS if getattr(self, f)]
        return [str(f.verbose_name) for f in fields if isinstance(f, models.Field)]


PART_FIELDS = ("shares_children", "shares_legal", "shares_care_plan", "shares_casework")
