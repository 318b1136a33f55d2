from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from motherline.jurisdictions import local
from motherline.jurisdictions.models import Jurisdiction, LocalNameMixin


class Province(LocalNameMixin, models.Model):
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="provinces"
    )
    code = models.CharField(_("ISO 3166-2 code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_local = models.CharField(_("local name"), max_length=120, blank=True)
    # The province's tile on the pack's map (column, row from the top left); none: not drawn.
    map_column = models.PositiveSmallIntegerField(_("map column"), null=True, blank=True)
    map_row = models.PositiveSmallIntegerField(_("map row"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")


class PrisonKind(models.TextChoices):
    CORRECTIONAL_CENTRE = "correctional_centre", _("Correctional centre")
    PROVINCIAL_PRISON = "provincial_prison", _("Provincial or municipal prison")
    MILITARY_PRISON = "military_prison", _("Military prison")
    OTHER = "other", pgettext_lazy("prison kind", "Other")


class Prison(LocalNameMixin, models.Model):
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="prisons")
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=160)
    name_local = models.CharField(_("local name"), max_length=160, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=PrisonKind)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    holds_women = models.BooleanField(_("holds women"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["province__name", "name"]
        verbose_name = _("prison")
        verbose_name_plural = _("prisons")

    def local_language(self) -> str:
        return local.language_of_province(self.province_id)


# The gazetteer below the province: districts and communes as a pack publishes them (for
# Cambodia the NCDD gazetteer), with where each row comes from. Addresses choose from it.


class DistrictKind(models.TextChoices):
    DISTRICT = "district", pgettext_lazy("kind of district", "District")
    MUNICIPALITY = "municipality", _("Municipality")
    SECTION = "section", _("Section (of the capital)")


class CommuneKind(models.TextChoices):
    COMMUNE = "commune", pgettext_lazy("kind of commune", "Commune")
    QUARTER = "quarter", _("Quarter (urban commune)")


class District(LocalNameMixin, models.Model):
    """A second-level area (Cambodia: srok, krong or khan), coded as the pack's gazetteer
    codes it."""

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="districts")
    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=120)
    name_local = models.CharField(_("local name"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DistrictKind)
    source = models.TextField(_("source"), blank=True)
    verified = models.BooleanField(_("source verified"), default=False)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["province", "code"], name="district_code_unique")
        ]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def local_language(self) -> str:
        return local.language_of_province(self.province_id)


class Commune(LocalNameMixin, models.Model):
    """A third-level area (Cambodia: khum or sangkat), the finest an address chooses."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="communes")
    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=120)
    name_local = models.CharField(_("local name"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=CommuneKind)
    source = models.TextField(_("source"), blank=True)
    verified = models.BooleanField(_("source verified"), default=False)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="commune_code_unique")
        ]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")

    def local_language(self) -> str:
        return local.language_of_province(self.district.province_id)


class Court(LocalNameMixin, models.Model):
    """A court of the pack (`courts.csv`): where a woman's legal case is heard, chosen from
    the list rather than typed, so it reads in the reader's language and counts as one."""

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="courts")
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=160)
    name_local = models.CharField(_("local name"), max_length=160, blank=True)
    # The pack's order (highest court first); a court no longer in the pack is kept for
    # the cases heard there and no longer offered.
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    source = models.TextField(_("source"), blank=True)
    verified = models.BooleanField(_("source verified"), default=False)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("court")
        verbose_name_plural = _("courts")

    def local_language(self) -> str:
        return local.language_of_province(self.province_id)
