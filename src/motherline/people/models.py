"""The register: women, their custody episodes, pregnancies, children and placements.

Names, register numbers and health notes are the sensitive fields; everything else is
what a monitor needs to see at a glance. The sensitive fields (and free-text notes and
caregivers' contacts) are encrypted in the database (`vault.fields`, docs/security.md):
plain `str` in Python, but the database can neither order nor filter by them. Search by
name goes through `WomanSearchToken`, the blind index kept by `people.search`.

`Woman.current_episode` and `CustodyEpisode.current_prison` are kept by `people.services` so
the busy lists read one row per woman instead of walking histories.
"""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from motherline.accounts.models import Organisation
from motherline.core.models import OwnedRecord, done_by
from motherline.core.scoping import ScopedQuerySet
from motherline.vault.fields import EncryptedCharField, EncryptedTextField


def new_reference(prefix: str) -> str:
    """An internal reference that never reveals a name or a register number."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return prefix + "-" + "".join(secrets.choice(alphabet) for _ in range(8))


def new_woman_reference() -> str:
    return new_reference("W")


def new_child_reference() -> str:
    return new_reference("C")


class ConsentScope(models.TextChoices):
    REGISTER = "register", _("Recording in the register only")
    PARTNERS = "partners", _("Sharing with partner organisations")


class Woman(OwnedRecord):
    # Named from the organisation (`organisation.women`), unlike the records it only owns.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="women",
        verbose_name=_("organisation"),
    )
    reference = models.CharField(
        _("reference"), max_length=16, unique=True, default=new_woman_reference, editable=False
    )
    register_number = EncryptedCharField(_("prison register number"), max_length=64, blank=True)
    name = EncryptedCharField(_("name"), max_length=200)
    name_latin = EncryptedCharField(_("name in Latin script"), max_length=200, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    dob_is_estimated = models.BooleanField(_("date of birth is estimated"), default=False)
    nationality = models.CharField(_("nationality"), max_length=2, blank=True, default="")
    ethnicity = models.CharField(_("ethnicity"), max_length=64, blank=True)
    language = models.CharField(_("language"), max_length=64, blank=True)
    is_primary_carer = models.BooleanField(_("primary carer of her children"), default=False)
    is_sole_carer = models.BooleanField(_("sole carer of her children"), default=False)
    dependent_children = models.PositiveSmallIntegerField(
        _("number of dependent children"), default=0
    )
    has_serious_illness = models.BooleanField(_("serious illness"), default=False)
    has_disability = models.BooleanField(_("disability"), default=False)
    health_notes = EncryptedTextField(_("health notes"), blank=True)
    consent_scope = models.CharField(
        _("consent"), max_length=16, choices=ConsentScope, default=ConsentScope.REGISTER
    )
    consent_recorded_on = models.DateField(_("consent recorded on"), null=True, blank=True)
    current_episode = models.OneToOneField(
        "CustodyEpisode",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current custody episode"),
    )
    # Set by `services.merge_women` when this record was found to be a second record of
    # another woman: everything moved to that one, and this reference leads there.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("merged into"),
    )
    # Set by the retention rule (`vault.retention`) when her identifying data was replaced.
    pseudonymised_on = models.DateField(_("pseudonymised on"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["organisation", "id"]),
        ]
        verbose_name = _("woman")
        verbose_name_plural = _("women")

    def __str__(self) -> str:
        return self.reference


class LegalStatus(models.TextChoices):
    PRETRIAL = "pretrial", _("Pretrial")
    CONVICTED_FIRST_INSTANCE = "convicted", _("Convicted at first instance")
    ON_APPEAL = "on_appeal", _("On appeal")
    FINAL = "final", _("Final sentence")


class ReleaseReason(models.TextChoices):
    END_OF_SENTENCE = "end_of_sentence", _("End of sentence")
    ROYAL_PARDON = "royal_pardon", _("Royal pardon")
    SENTENCE_REDUCTION = "sentence_reduction", _("Sentence reduction")
    ACQUITTAL = "acquittal", _("Acquittal")
    JUDICIAL_SUPERVISION = "judicial_supervision", _("Release under judicial supervision / bail")
    TRANSFER_OUT = "transfer_out", _("Transfer out of the prison system")
    DEATH = "death", _("Death")


class CustodyEpisode(models.Model):
    woman = models.ForeignKey(Woman, on_delete=models.CASCADE, related_name="episodes")
    admission_date = models.DateField(_("admission date"))
    admission_prison = models.ForeignKey(
        "places.Prison",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("prison of admission"),
    )
    current_prison = models.ForeignKey(
        "places.Prison",
        on_delete=models.PROTECT,
        related_name="episodes",
        verbose_name=_("prison"),
    )
    legal_status = models.CharField(
        _("legal status"), max_length=16, choices=LegalStatus, default=LegalStatus.PRETRIAL
    )
    legal_status_since = models.DateField(_("legal status since"))
    court = models.CharField(_("court"), max_length=200, blank=True)
    case_number = EncryptedCharField(_("case number"), max_length=64, blank=True)
    sentence_months = models.PositiveIntegerField(_("sentence in months"), null=True, blank=True)
    expected_release_date = models.DateField(_("expected release date"), null=True, blank=True)
    release_date = models.DateField(_("release date"), null=True, blank=True)
    release_reason = models.CharField(
        _("release reason"), max_length=24, choices=ReleaseReason, blank=True
    )
    release_note = EncryptedTextField(_("release note"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-admission_date", "-id"]
        indexes = [
            models.Index(fields=["current_prison", "release_date"]),
            models.Index(fields=["legal_status", "admission_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(release_date__isnull=True)
                | models.Q(release_date__gte=models.F("admission_date")),
                name="release_not_before_admission",
            ),
        ]
        verbose_name = _("custody episode")
        verbose_name_plural = _("custody episodes")

    @property
    def is_open(self) -> bool:
        return self.release_date is None


class LegalStatusChange(models.Model):
    episode = models.ForeignKey(
        CustodyEpisode, on_delete=models.CASCADE, related_name="status_changes"
    )
    status = models.CharField(_("legal status"), max_length=16, choices=LegalStatus)
    effective_date = models.DateField(_("effective date"))
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["effective_date", "id"]


class Charge(models.Model):
    episode = models.ForeignKey(CustodyEpisode, on_delete=models.CASCADE, related_name="charges")
    offence_category = models.ForeignKey(
        "jurisdictions.OffenceCategory",
        on_delete=models.PROTECT,
        related_name="charges",
        verbose_name=_("offence"),
    )
    description = models.CharField(_("description"), max_length=255, blank=True)

    class Meta:
        ordering = ["id"]


class Transfer(models.Model):
    episode = models.ForeignKey(CustodyEpisode, on_delete=models.CASCADE, related_name="transfers")
    transfer_date = models.DateField(_("transfer date"))
    from_prison = models.ForeignKey(
        "places.Prison",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("origin", "from"),
    )
    to_prison = models.ForeignKey(
        "places.Prison", on_delete=models.PROTECT, related_name="+", verbose_name=_("to")
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        ordering = ["transfer_date", "id"]


class PregnancyOutcome(models.TextChoices):
    BIRTH_IN_PRISON = "birth_in_prison", _("Birth in prison")
    BIRTH_IN_HOSPITAL = "birth_in_hospital", _("Birth in hospital while in custody")
    BIRTH_AFTER_RELEASE = "birth_after_release", _("Birth after release")
    LOSS = "loss", _("Pregnancy loss")


class Pregnancy(models.Model):
    woman = models.ForeignKey(Woman, on_delete=models.CASCADE, related_name="pregnancies")
    episode = models.ForeignKey(
        CustodyEpisode,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pregnancies",
    )
    known_since = models.DateField(_("known since"))
    expected_delivery_date = models.DateField(_("expected delivery date"), null=True, blank=True)
    antenatal_care_contacts = models.PositiveSmallIntegerField(
        _("antenatal care contacts"), default=0
    )
    outcome = models.CharField(_("outcome"), max_length=24, choices=PregnancyOutcome, blank=True)
    outcome_date = models.DateField(_("outcome date"), null=True, blank=True)
    note = EncryptedTextField(_("note"), blank=True)

    class Meta:
        ordering = ["-known_since", "-id"]
        indexes = [models.Index(fields=["outcome", "woman"])]

    @property
    def is_ongoing(self) -> bool:
        return not self.outcome


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNKNOWN = "unknown", _("Not recorded")


class Child(models.Model):
    # Not an OwnedRecord: it has no `created_by` (the audit trail names who recorded it), and
    # is named from the organisation (`organisation.children`).
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="children"
    )
    reference = models.CharField(
        _("reference"), max_length=16, unique=True, default=new_child_reference, editable=False
    )
    mother = models.ForeignKey(Woman, on_delete=models.CASCADE, related_name="children")
    name = EncryptedCharField(_("name"), max_length=200, blank=True)
    name_latin = EncryptedCharField(_("name in Latin script"), max_length=200, blank=True)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex, default=Sex.UNKNOWN)
    date_of_birth = models.DateField(_("date of birth"))
    dob_is_estimated = models.BooleanField(_("date of birth is estimated"), default=False)
    birth_registered = models.BooleanField(_("birth registered"), default=False)
    # When the registration was recorded (optional: a child registered before the record
    # was made may have no known date); the certificate number identifies the child.
    birth_registered_on = models.DateField(_("birth registered on"), null=True, blank=True)
    birth_certificate_number = EncryptedCharField(
        _("birth certificate number"), max_length=64, blank=True
    )
    born_in_custody = models.BooleanField(_("born in custody"), default=False)
    pregnancy = models.OneToOneField(
        Pregnancy, on_delete=models.SET_NULL, null=True, blank=True, related_name="child"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["date_of_birth", "id"]
        verbose_name = _("child")
        verbose_name_plural = _("children")
        indexes = [
            # The worklist's births not registered: a small share of the children, read in
            # order of birth.
            models.Index(
                fields=["date_of_birth"],
                condition=models.Q(birth_registered=False),
                name="child_birth_not_registered",
            ),
            # The duplicate check's "mother of the same children": children by birth date.
            models.Index(fields=["date_of_birth", "mother"], name="child_birth_mother"),
        ]

    def __str__(self) -> str:
        return self.reference


class PlacementKind(models.TextChoices):
    IN_PRISON = "in_prison", _("Living in prison with her mother")
    WITH_CAREGIVER = "with_caregiver", _("Outside with a caregiver")
    UNKNOWN = "unknown", _("Unknown")


class CaregiverRelationship(models.TextChoices):
    MOTHER = "mother", _("Mother (after release)")
    FATHER = "father", _("Father")
    GRANDPARENT = "grandparent", _("Grandparent")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    FOSTER_FAMILY = "foster_family", _("Foster family")
    NGO_CENTRE = "ngo_centre", _("NGO centre")
    STATE_INSTITUTION = "state_institution", _("State institution")
    OTHER = "other", pgettext_lazy("caregiver", "Other")


class Placement(models.Model):
    """Where a child lives over a period; the open one (no end date) is where the child is."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="placements")
    kind = models.CharField(_("where"), max_length=16, choices=PlacementKind)
    prison = models.ForeignKey(
        "places.Prison",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="child_placements",
        verbose_name=_("prison"),
    )
    caregiver_name = EncryptedCharField(_("caregiver's name"), max_length=200, blank=True)
    caregiver_relationship = models.CharField(
        _("caregiver's relationship"), max_length=24, choices=CaregiverRelationship, blank=True
    )
    caregiver_location = EncryptedCharField(_("caregiver's location"), max_length=255, blank=True)
    caregiver_contact = EncryptedCharField(_("caregiver's contact"), max_length=120, blank=True)
    start_date = models.DateField(pgettext_lazy("start date", "from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    note = EncryptedTextField(_("note"), blank=True)

    class Meta:
        ordering = ["start_date", "id"]
        indexes = [
            models.Index(fields=["kind", "end_date", "prison"]),
            models.Index(fields=["child", "end_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="in_prison") | models.Q(prison__isnull=False),
                name="in_prison_placement_has_prison",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="placement_end_not_before_start",
            ),
        ]

    @property
    def is_current(self) -> bool:
        return self.end_date is None


class WomanSearchToken(models.Model):
    """One keyed digest of a prefix of a word of her names or of her register number: the
    blind index that search by name uses (`people.search`). Rebuilt, never edited."""

    woman = models.ForeignKey(Woman, on_delete=models.CASCADE, related_name="+")
    digest = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["digest", "woman"])]

    def __str__(self) -> str:
        return f"{self.woman_id}:{self.digest}"


class WomanMatchKey(models.Model):
    """One keyed digest of the sound-alike key of a word of her names (`people.phonetic`),
    of her whole name, or of her whole register number: what the duplicate check before an
    admission compares (`people.duplicates`). Stored beside the blind index, rebuilt with it,
    never edited; like it, a digest and never the text."""

    woman = models.ForeignKey(Woman, on_delete=models.CASCADE, related_name="+")
    digest = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["digest", "woman"])]

    def __str__(self) -> str:
        return f"{self.woman_id}:{self.digest}"


class WomanMerge(models.Model):
    """Two records found to be one woman, merged: what moved from the merged record to the
    one that stays, so that the merge can be reviewed (and undone by hand if it was wrong)."""

    survivor = models.ForeignKey(
        Woman, on_delete=models.PROTECT, related_name="merges", verbose_name=_("record kept")
    )
    merged = models.OneToOneField(
        Woman, on_delete=models.PROTECT, related_name="+", verbose_name=_("record merged")
    )
    reason = models.TextField(_("reason"), max_length=2000)
    # Model label -> ids (and a child's reference) of the rows that moved.
    moved = models.JSONField(_("what moved"), default=dict)
    merged_by = done_by(blank=False)
    merged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-merged_at", "-id"]
        verbose_name = _("merge of two records")
        verbose_name_plural = _("merges of two records")
