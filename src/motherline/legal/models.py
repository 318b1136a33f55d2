"""Legal work to get women out of prison: legal cases with their hearings, pardon rounds and
the women put forward in them (release candidates).

A legal case and a release candidate are personal records: they are seen and changed exactly
as the woman they are about (`accounts.policy.WOMAN_PATHS`). A pardon round is not: it is an
occasion, a deadline and a decision date, shared by the organisations of one jurisdiction.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from motherline.core.models import CreatedRecord, OwnedRecord, VersionedRecord
from motherline.jurisdictions.models import Jurisdiction, PardonOccasion, Remedy
from motherline.people.models import CustodyEpisode, ScopedQuerySet, Woman
from motherline.places.models import Court
from motherline.vault.fields import EncryptedCharField, EncryptedTextField


class CaseStage(models.TextChoices):
    INVESTIGATION = "investigation", _("Investigation")
    TRIAL = "trial", _("Trial at first instance")
    APPEAL = "appeal", _("Appeal")
    SUPREME_COURT = "supreme_court", _("Supreme Court")
    ENFORCEMENT = "enforcement", _("Serving the sentence")


class CaseResult(models.TextChoices):
    PENDING = "", _("Pending")
    RELEASED = "released", _("Released")
    SENTENCE_REDUCED = "sentence_reduced", _("Sentence reduced")
    ACQUITTED = "acquitted", _("Acquitted")
    LOST = "lost", _("Lost")


class LegalCase(VersionedRecord):
    """A woman's case in one custody episode, followed by a lawyer."""

    episode = models.ForeignKey(
        CustodyEpisode,
        on_delete=models.CASCADE,
        related_name="legal_cases",
        verbose_name=_("custody episode"),
    )
    # The lawyer's name and the court's case number identify her case (and her): encrypted,
    # like the custody episode's case number.
    lawyer_name = EncryptedCharField(_("lawyer"), max_length=200, blank=True)
    lawyer_organisation = models.CharField(_("lawyer's organisation"), max_length=200, blank=True)
    # One of the pack's courts (empty: not known yet, or a pack that lists none).
    court = models.ForeignKey(
        Court,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="legal_cases",
        verbose_name=_("court"),
    )
    case_number = EncryptedCharField(_("case number"), max_length=64, blank=True)
    stage = models.CharField(
        _("stage"), max_length=16, choices=CaseStage, default=CaseStage.INVESTIGATION
    )
    is_strategic = models.BooleanField(_("strategic litigation"), default=False)
    strategic_issue = models.TextField(_("issue it raises"), blank=True)
    result = models.CharField(
        _("result"), max_length=16, choices=CaseResult, blank=True, default=""
    )
    result_date = models.DateField(_("result date"), null=True, blank=True)
    # The date of the next hearing, kept by `legal.services` from the hearings so the legal
    # officer's list reads one indexed column (None: no next step is scheduled).
    next_hearing_on = models.DateField(_("next hearing"), null=True, blank=True)
    opened_on = models.DateField(_("opened on"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-id"]
        indexes = [
            models.Index(fields=["result", "next_hearing_on", "id"]),
        ]
        verbose_name = _("legal case")
        verbose_name_plural = _("legal cases")

    def __str__(self) -> str:
        return f"case {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.result == CaseResult.PENDING


class Hearing(CreatedRecord):
    """A hearing held: what happened, and when the court sits next."""

    case = models.ForeignKey(LegalCase, on_delete=models.CASCADE, related_name="hearings")
    held_on = models.DateField(_("hearing date"))
    what_happened = EncryptedTextField(_("what happened"))
    next_date = models.DateField(_("next hearing date"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["held_on", "id"]
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")


class PardonRound(OwnedRecord):
    """One occasion on which pardons are sought: submissions due by a deadline, a decision
    on a date. The occasion comes from the pack's calendar, or is named ad hoc."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("jurisdiction")
    )
    occasion = models.ForeignKey(
        PardonOccasion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("occasion"),
    )
    title = models.CharField(_("title"), max_length=200)
    occasion_date = models.DateField(_("date of the occasion"))
    submission_deadline = models.DateField(_("submission deadline"))
    decision_date = models.DateField(_("decision date"), null=True, blank=True)

    class Meta:
        ordering = ["-occasion_date", "-id"]
        verbose_name = _("pardon round")
        verbose_name_plural = _("pardon rounds")

    def __str__(self) -> str:
        return self.title

    @property
    def remedy(self) -> str:
        return Remedy.PARDON


class DossierStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ReleaseCandidate(VersionedRecord):
    """A woman put forward in a pardon round, with what the screening found when she was
    added (kept as it was: the dossier argues from it) and the dossier's progress."""

    round = models.ForeignKey(PardonRound, on_delete=models.CASCADE, related_name="candidates")
    woman = models.ForeignKey(Woman, on_delete=models.CASCADE, related_name="release_candidacies")
    episode = models.ForeignKey(
        CustodyEpisode,
        on_delete=models.CASCADE,
        related_name="release_candidacies",
        verbose_name=_("custody episode"),
    )
    screened_on = models.DateField(_("screened on"))
    score = models.PositiveIntegerField(_("score"))
    priority = models.PositiveIntegerField(_("priority"))
    criteria_met = models.JSONField(_("criteria met"), default=list)
    criteria_not_met = models.JSONField(_("criteria not met"), default=list)
    # The dossier's argument and note tell her and her children's story: encrypted.
    argument = EncryptedTextField(_("best interests of the child"), blank=True)
    status = models.CharField(
        _("dossier status"), max_length=16, choices=DossierStatus, default=DossierStatus.DRAFT
    )
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    note = EncryptedTextField(_("note"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["round", "priority", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "woman"], name="one_candidacy_per_round"),
        ]
        verbose_name = _("release candidate")
        verbose_name_plural = _("release candidates")

    def __str__(self) -> str:
        return f"{self.woman.reference} in round {self.round_id}"
