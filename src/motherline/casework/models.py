"""Case work on a woman or a child: notes, the case workers assigned, and documents.

Each record hangs on the woman it is about (a child's record also names the child), so the
access policy scopes it exactly as her record (`accounts.policy.WOMAN_PATHS`): a partner
sees it only as her consent shares it, an outsider not at all. Texts and file names are
encrypted at rest (`vault.fields`), files on disk too (`vault.files`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motherline.people.models import ScopedQuerySet
from motherline.vault.fields import EncryptedCharField, EncryptedTextField

NOTE_MAX_LENGTH = 20_000


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
    text = EncryptedTextField(_("note"), max_length=NOTE_MAX_LENGTH)
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
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

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
