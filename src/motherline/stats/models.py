"""Population returns: aggregate counts for one prison on one date from a named source.

Statistics before individual records existed (2008 onwards) come from these returns; later
periods can also be counted from the register (see `stats.queries`). A return never names
a person. Every count may be missing (a source that does not report it), and the checks
that relate counts apply only where both sides are given.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ReturnSource(models.TextChoices):
    PRISON_AUTHORITY = "prison_authority", _("Prison authority monthly return")
    NGO_CENSUS = "ngo_census", _("NGO census")
    GOVERNMENT_REPORT = "government_report", _("Government report")
    SYNTHETIC = "synthetic", _("Synthetic demonstration data")


# The counts a return carries, in the order of the import template.
COUNT_FIELDS = (
    "total",
    "men",
    "women",
    "pretrial_men",
    "pretrial_women",
    "minors",
    "foreign_nationals",
    "pregnant_women",
    "children_in_prison",
)

# (smaller, larger): the first may never exceed the second where both are given.
BOUNDS = (
    ("women", "total"),
    ("men", "total"),
    ("pretrial_men", "men"),
    ("pretrial_women", "women"),
    ("minors", "total"),
    ("foreign_nationals", "total"),
    ("pregnant_women", "women"),
)


def _count(label: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(label, null=True, blank=True)


def _not_above(smaller: str, larger: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{smaller}__isnull": True})
        | Q(**{f"{larger}__isnull": True})
        | Q(**{f"{smaller}__lte": F(larger)}),
        name=f"return_{smaller}_not_above_{larger}",
    )


class PopulationReturn(models.Model):
    prison = models.ForeignKey(
        "places.Prison",
        on_delete=models.PROTECT,
        related_name="population_returns",
        verbose_name=_("prison"),
    )
    date = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=24, choices=ReturnSource)
    total = _count(_("total prisoners"))
    men = _count(_("men"))
    women = _count(_("women"))
    pretrial_men = _count(_("pretrial men"))
    pretrial_women = _count(_("pretrial women"))
    minors = _count(_("minors"))
    foreign_nationals = _count(_("foreign nationals"))
    pregnant_women = _count(_("pregnant women"))
    children_in_prison = _count(_("children living in prison"))
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["date", "prison__code", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["prison", "date", "source"], name="one_return_per_prison_date_source"
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
        return f"{self.prison_id}/{self.date.isoformat()}/{self.source}"
