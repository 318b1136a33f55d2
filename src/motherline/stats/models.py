"""Population returns: aggregate counts for one area on one date, each with its source.

Statistics before individual records existed (2008 onwards) come from these returns; later
periods can also be counted from the register (see `stats.queries`). A return never names
a person. A return is about exactly one area of the pack's geography: the nation (a
jurisdiction), a province or a prison. Every count may be missing (a source that does not
report it: blank is "not reported", never 0), and the checks that relate counts apply only
where both sides are given. Each return names its source (a citation, with an optional
address) and how precisely its date is known.
"""

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from motherline.core.models import done_by

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Level(models.TextChoices):
    NATION = "nation", _("Nation")
    PROVINCE = "province", _("Province")
    PRISON = "prison", _("Prison")


class Precision(models.TextChoices):
    """How precisely a return's date is known; a date known only to the month or year is
    stored on the last day of it."""

    DAY = "day", _("Exact day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year only")
    APPROXIMATE = "approximate", _("Approximate")


class ReturnSource(models.TextChoices):
    """The kinds of source of the first template (one per file); a return's `source` may be
    one of these keys or any citation."""

    PRISON_AUTHORITY = "prison_authority", _("Prison authority monthly return")
    NGO_CENSUS = "ngo_census", _("NGO census")
    GOVERNMENT_REPORT = "government_report", _("Government report")
    SYNTHETIC = "synthetic", _("Synthetic demonstration data")


# The counts a return carries, in the order of the import template.
COUNT_FIELDS = (
    "total",
    "women",
    "men",
    "pretrial_total",
    "pretrial_women",
    "pretrial_men",
    "minors",
    "foreign_nationals",
    "pregnant_women",
    "children_in_prison",
    "capacity",
    "admissions",
    "releases",
)
MAX_COUNT = 10_000_000  # more people than any prison system holds: a typing error

# (smaller, larger): the first may never exceed the second where both are given.
BOUNDS = (
    ("women", "total"),
    ("men", "total"),
    ("pretrial_men", "men"),
    ("pretrial_women", "women"),
    ("pretrial_total", "total"),
    ("pretrial_women", "pretrial_total"),
    ("pretrial_men", "pretrial_total"),
    ("minors", "total"),
    ("foreign_nationals", "total"),
    ("pregnant_women", "women"),
)


SOURCE_LENGTH = 300


def _count(label: "StrOrPromise") -> models.PositiveIntegerField:
    return models.PositiveIntegerField(label, null=True, blank=True)


def _not_above(smaller: str, larger: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{smaller}__isnull": True})
        | Q(**{f"{larger}__isnull": True})
        | Q(**{f"{smaller}__lte": F(larger)}),
        name=f"return_{smaller}_not_above_{larger}",
    )


class PopulationReturn(models.Model):
    # Exactly one of the three is set: the area the return is about.
    jurisdiction = models.ForeignKey(
        "jurisdictions.Jurisdiction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="population_returns",
        verbose_name=_("nation"),
    )
    province = models.ForeignKey(
        "places.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="population_returns",
        verbose_name=_("province"),
    )
    prison = models.ForeignKey(
        "places.Prison",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="population_returns",
        verbose_name=_("prison"),
    )
    date = models.DateField(_("date"))
    date_precision = models.CharField(
        _("date precision"), max_length=12, choices=Precision, default=Precision.DAY
    )
    source = models.CharField(_("source"), max_length=SOURCE_LENGTH)
    source_url = models.URLField(_("source address"), max_length=500, blank=True)
    total = _count(_("total prisoners"))
    women = _count(_("women"))
    men = _count(_("men"))
    pretrial_total = _count(_("pretrial prisoners"))
    pretrial_women = _count(_("pretrial women"))
    pretrial_men = _count(_("pretrial men"))
    minors = _count(_("minors"))
    foreign_nationals = _count(_("foreign nationals"))
    pregnant_women = _count(_("pregnant women"))
    children_in_prison = _count(_("children living in prison"))
    capacity = _count(_("capacity"))
    admissions = _count(_("admissions"))
    releases = _count(_("releases"))
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)
    imported_by = done_by()

    class Meta:
        ordering = ["date", "source", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(jurisdiction__isnull=False, province__isnull=True, prison__isnull=True)
                | Q(jurisdiction__isnull=True, province__isnull=False, prison__isnull=True)
                | Q(jurisdiction__isnull=True, province__isnull=True, prison__isnull=False),
                name="return_is_about_one_area",
            ),
            models.UniqueConstraint(
                fields=["prison", "date", "source"],
                condition=Q(prison__isnull=False),
                name="one_return_per_prison_date_source",
            ),
            models.UniqueConstraint(
                fields=["province", "date", "source"],
                condition=Q(province__isnull=False),
                name="one_return_per_province_date_source",
            ),
            models.UniqueConstraint(
                fields=["jurisdiction", "date", "source"],
                condition=Q(jurisdiction__isnull=False),
                name="one_return_per_nation_date_source",
            ),
            models.CheckConstraint(
                condition=Q(total__isnull=True)
                | Q(men__isnull=True)
                | Q(women__isnull=True)
                | Q(total=F("men") + F("women")),
                name="return_men_and_women_make_total",
            ),
            *(_not_above(smaller, larger) for smaller, larger in BOUNDS),
        ]
        indexes = [models.Index(fields=["source", "date", "prison"])]
        verbose_name = _("population return")
        verbose_name_plural = _("population returns")

    def __str__(self) -> str:
        area = self.prison_id or self.province_id or self.jurisdiction_id
        return f"{self.level}:{area}/{self.date.isoformat()}/{self.source}"

    @property
    def level(self) -> str:
        if self.prison_id:
            return Level.PRISON
        return Level.PROVINCE if self.province_id else Level.NATION
