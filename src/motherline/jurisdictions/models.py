"""Jurisdiction packs: the legal rules of one country, as data loaded from files.

Every rule carries its source and whether that source was verified, so a page that shows a
deadline can also show where the rule comes from.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from motherline.jurisdictions import local


class LocalNameMixin:
    """Shows the local name when the page is in the local language of the row's
    jurisdiction (Khmer names on a Khmer page, Thai names on a Thai page), else the
    English name; the record prints as that name (in lists, choices and the admin)."""

    name: str
    name_local: str

    def local_language(self) -> str:
        """The language `name_local` is written in: its jurisdiction's local language."""
        return local.language_of_jurisdiction(getattr(self, "jurisdiction_id", None))

    @property
    def display_name(self) -> str:
        if self.name_local and local.shows_local(self.local_language):
            return self.name_local
        return self.name

    def __str__(self) -> str:
        return self.display_name


class JurisdictionQuerySet(models.QuerySet["Jurisdiction"]):
    def of_user(self, user: object) -> Jurisdiction | None:
        """The jurisdiction a user works in: their organisation's, else the deployment's
        default (`local.default_code`); None when neither is loaded."""
        organisation_id = getattr(user, "organisation_id", None)
        found = self.filter(organisations=organisation_id).first() if organisation_id else None
        return found or self.filter(code=local.default_code()).first()


class Jurisdiction(models.Model):
    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_local = models.CharField(_("local name"), max_length=120, blank=True)
    local_language = models.CharField(_("local language"), max_length=16, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    pack_version = models.CharField(_("pack version"), max_length=32, blank=True)
    # The languages the jurisdiction's documents (dossiers, the statistics brief, the
    # booklet of case studies, donor reports) are produced in, English first.
    document_languages = models.JSONField(_("document languages"), default=list, blank=True)
    # A prison holding at most this many people is named by its province in a published
    # text (its name alone could point to the few women held there).
    small_prison_capacity = models.PositiveIntegerField(_("small prison capacity"), default=0)
    # How many years after her last release a woman's identifying data is kept.
    retention_years = models.PositiveSmallIntegerField(_("retention period in years"), default=10)
    # The pack's stated rules and readings (`pack.toml` [rules]: the birth-registration
    # period, how a change of the age limit and a birthday on 29 February are read), each
    # with its source; read with `jurisdictions.rules.StatedRules.of`.
    stated_rules = models.JSONField(_("stated rules"), default=dict, blank=True)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    objects = JurisdictionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def languages_of_documents(self) -> list[str]:
        """The languages its documents are produced in: the pack's `document_languages`, else
        English and the local language."""
        return list(self.document_languages) or [c for c in ("en", self.local_language) if c]

    def document_language_problem(self, language: str) -> str:
        """Why a document cannot be produced in `language` ("" when it can)."""
        languages = self.languages_of_documents()
        if language in languages:
            return ""
        return _("Choose one of the languages of this jurisdiction's documents: %(languages)s.") % {
            "languages": ", ".join(local.language_name(code) for code in languages)
        }


class SourcedRule(models.Model):
    """Fields every rule from a pack has: when it applies and where it comes from."""

    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_to = models.DateField(_("effective until"), null=True, blank=True)
    source = models.TextField(_("source"), blank=True)
    citation = models.CharField(_("citation"), max_length=255, blank=True)
    verified = models.BooleanField(_("source verified"), default=False)

    class Meta:
        abstract = True


class AgeLimitRule(SourcedRule):
    """The oldest a child may be while living in prison with the mother."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="age_limit_rules"
    )
    max_age_months = models.PositiveIntegerField(_("maximum age in months"))
    extension_allowed = models.BooleanField(_("extension allowed"), default=False)
    max_extension_months = models.PositiveIntegerField(_("maximum extension in months"), default=0)

    class Meta:
        # An open start means "since ever": first on every database.
        ordering = ["jurisdiction", models.F("effective_from").asc(nulls_first=True)]
        verbose_name = _("age limit rule")
        verbose_name_plural = _("age limit rules")


class OffenceClass(models.TextChoices):
    FELONY = "felony", _("Felony")
    MISDEMEANOUR = "misdemeanour", _("Misdemeanour")
    PETTY = "petty", _("Petty offence")


class PretrialLimitRule(SourcedRule):
    """How long a person may be held before trial, by offence class."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="pretrial_limit_rules"
    )
    offence_class = models.CharField(_("offence class"), max_length=16, choices=OffenceClass)
    applies_to_minors = models.BooleanField(_("applies to minors"), default=False)
    max_days = models.PositiveIntegerField(_("maximum days"))

    class Meta:
        ordering = ["jurisdiction", "offence_class", "applies_to_minors", "effective_from"]
        verbose_name = _("pretrial limit rule")
        verbose_name_plural = _("pretrial limit rules")


class OffenceCategory(LocalNameMixin, models.Model):
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="offence_categories"
    )
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=160)
    name_local = models.CharField(_("local name"), max_length=160, blank=True)
    iccs_section = models.CharField(_("ICCS section"), max_length=8)
    offence_class = models.CharField(_("offence class"), max_length=16, choices=OffenceClass)
    is_violent = models.BooleanField(_("violent"), default=False)
    is_drug_related = models.BooleanField(_("drug-related"), default=False)

    class Meta:
        ordering = ["jurisdiction", "code"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "code"], name="offence_code_unique")
        ]
        verbose_name = _("offence category")
        verbose_name_plural = _("offence categories")


class DatePrecision(models.TextChoices):
    DAY = "day", _("Exact day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year only")


class NationalFigure(models.Model):
    """A published figure about the prison population of a whole jurisdiction, with its
    source. Sources may disagree: each figure is kept with its own source and date."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="national_figures"
    )
    measure = models.CharField(_("measure"), max_length=32)
    date = models.DateField(_("date"))
    date_precision = models.CharField(
        _("date precision"), max_length=8, choices=DatePrecision, default=DatePrecision.DAY
    )
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    source = models.TextField(_("source"))
    verified = models.BooleanField(_("source verified"), default=False)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["jurisdiction", "date", "measure"]
        verbose_name = _("published national figure")
        verbose_name_plural = _("published national figures")


class PopulationDenominator(models.Model):
    """The female population of an area (the nation or a province) in a year, for rates
    such as women in prison per 100,000 female population."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="population_denominators"
    )
    area = models.CharField(_("area"), max_length=10)
    year = models.PositiveSmallIntegerField(_("year"))
    female_population = models.PositiveIntegerField(_("female population"))
    source = models.TextField(_("source"))
    verified = models.BooleanField(_("source verified"), default=False)

    class Meta:
        ordering = ["jurisdiction", "area", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "area", "year"], name="one_denominator_per_area_year"
            )
        ]
        verbose_name = _("population denominator")
        verbose_name_plural = _("population denominators")


class Remedy(models.TextChoices):
    """The ways out of custody that screening looks for (see `legal.rules`)."""

    PARDON = "pardon", _("Royal pardon")
    PRETRIAL = "pretrial", _("Release under judicial supervision or a speedy trial")
    NON_CUSTODIAL = "non_custodial", _("Non-custodial measure")


class PardonOccasion(LocalNameMixin, SourcedRule):
    """An occasion on which pardons are usually granted. Occasions on the lunar calendar
    (Khmer New Year, Pchum Ben) move: the pack gives their usual month, a round the date."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="pardon_occasions"
    )
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=160)
    name_local = models.CharField(_("local name"), max_length=160, blank=True)
    month = models.PositiveSmallIntegerField(_("month"))
    day = models.PositiveSmallIntegerField(_("day"), null=True, blank=True)

    class Meta:
        ordering = ["jurisdiction", "month", "code"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "code"], name="pardon_occasion_unique")
        ]
        verbose_name = _("pardon occasion")
        verbose_name_plural = _("pardon occasions")


class ScreeningCriterion(LocalNameMixin, SourcedRule):
    """One criterion of early-release screening for one remedy: which rule of
    `legal.rules.CRITERIA` (`kind`), with which parameter and weight, and why it counts."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="screening_criteria"
    )
    remedy = models.CharField(_("remedy"), max_length=16, choices=Remedy)
    code = models.CharField(_("code"), max_length=32)
    kind = models.CharField(_("kind"), max_length=32)
    parameter = models.CharField(_("parameter"), max_length=64, blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"))
    name = models.CharField(_("name"), max_length=160)
    name_local = models.CharField(_("local name"), max_length=160, blank=True)
    explanation = models.TextField(_("explanation"))
    explanation_local = models.TextField(_("local explanation"), blank=True)

    class Meta:
        ordering = ["jurisdiction", "remedy", "-weight", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "remedy", "code"], name="screening_criterion_unique"
            )
        ]
        verbose_name = _("screening criterion")
        verbose_name_plural = _("screening criteria")

    @property
    def display_explanation(self) -> str:
        if self.explanation_local and local.shows_local(self.local_language):
            return self.explanation_local
        return self.explanation


class BestInterestsQuestion(LocalNameMixin, SourcedRule):
    """One question of a best-interests assessment before a child leaves prison (the
    caregiver's capacity, the home visit, the child's views, ...), as the pack asks it, with
    where it comes from. Answers point at it: a reload updates it in place by its code, and a
    question dropped from the pack is kept, no longer asked (`is_active`)."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="best_interests_questions"
    )
    code = models.CharField(_("code"), max_length=32)
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("question"), max_length=300)
    text_local = models.CharField(_("question in the local language"), max_length=300, blank=True)
    hint = models.CharField(_("what to look at"), max_length=500, blank=True)
    hint_local = models.CharField(
        _("what to look at, in the local language"), max_length=500, blank=True
    )
    is_active = models.BooleanField(_("asked"), default=True)

    class Meta:
        ordering = ["jurisdiction", "position", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "code"], name="best_interests_question_unique"
            )
        ]
        verbose_name = _("best-interests question")
        verbose_name_plural = _("best-interests questions")

    def __str__(self) -> str:
        return self.display_text

    # The question read as a local name is (`LocalNameMixin`): in the local language on a
    # page in it, else in English.
    @property
    def name(self) -> str:  # type: ignore[override]
        return self.text

    @property
    def name_local(self) -> str:  # type: ignore[override]
        return self.text_local

    @property
    def display_text(self) -> str:
        return self.display_name

    @property
    def display_hint(self) -> str:
        shows_local = bool(self.text_local) and self.display_name == self.text_local
        return self.hint_local if shows_local and self.hint_local else self.hint
