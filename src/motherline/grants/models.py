"""Grants from donors, their budget lines, and the services delivered under them to women
in prison and their children.

A grant belongs to the organisation that manages it (`accounts.policy.scope_organisation`).
A service delivery is a personal record: it always belongs to one woman's record (for a
service to a child alone, the child's mother), and is scoped through her
(`accounts.policy.WOMAN_PATHS`).
"""

from typing import Self

from django.db import models
from django.utils.translation import gettext_lazy as _

from motherline.accounts.models import Organisation
from motherline.core.actors import Actor
from motherline.core.models import OwnedRecord, Referenced
from motherline.fieldwork.models import OrganisationQuerySet
from motherline.people.models import Child, Woman
from motherline.records.withdrawal import Withdrawable, WithdrawableQuerySet

# More of one service to one person on one day is a typing error.
QUANTITY_MAX = 10_000


class DeliveryQuerySet(WithdrawableQuerySet):
    """Services, seen and changed as their woman's record (the rule lives in
    `accounts.policy`); `.current()` leaves out those withdrawn (entered twice)."""

    def visible_to(self, user: Actor) -> Self:
        from motherline.accounts import policy

        return policy.scope(self, user)

    def editable_by(self, user: Actor) -> Self:
        from motherline.accounts import policy

        return policy.scope(self, user, for_edit=True)


class Grant(OwnedRecord):
    # Owned as any record is; the form and the page call the owner the grant's manager.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("managed by"),
    )
    reference = models.CharField(_("grant reference"), max_length=64, unique=True)
    donor = models.CharField(_("donor"), max_length=200)
    grantees = models.ManyToManyField(
        Organisation, related_name="grants", verbose_name=_("grantee organisations")
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    purpose = models.TextField(_("purpose"))

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="grant_period"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="grant_amount"),
        ]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")

    def __str__(self) -> str:
        return self.reference


class BudgetLine(models.Model):
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="budget_lines")
    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("budget line"), max_length=200)
    amount = models.DecimalField(_("budget"), max_digits=14, decimal_places=2)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "code"], name="one_line_per_code"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="line_amount"),
        ]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ServiceType(models.TextChoices):
    FOOD_SUPPLEMENT = "food_supplement", _("Food supplement")
    INFANT_FORMULA = "infant_formula", _("Infant formula")
    HYGIENE_KIT = "hygiene_kit", _("Hygiene kit")
    MEDICAL_REFERRAL = "medical_referral", _("Medical referral")
    ANTENATAL_CARE = "antenatal_care", _("Antenatal care")
    LEGAL_AID = "legal_aid", _("Legal aid")
    FAMILY_CONTACT = "family_contact", _("Family contact or visit")
    SCHOOLING = "schooling", _("Schooling for a child who left prison")


class ServiceDelivery(Referenced, Withdrawable):
    reference_prefix = "S"
    noun = "service"

    # The woman whose record this belongs to: the beneficiary, or the mother of the child
    # who received it. `to_woman` says whether she received the service herself.
    woman = models.ForeignKey(
        Woman, on_delete=models.CASCADE, related_name="services", verbose_name=_("woman")
    )
    to_woman = models.BooleanField(_("the woman received it"), default=True)
    child = models.ForeignKey(
        Child,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="services",
        verbose_name=_("child"),
    )
    service_type = models.CharField(_("service"), max_length=24, choices=ServiceType)
    delivered_on = models.DateField(_("date"))
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=2)
    grant = models.ForeignKey(
        Grant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("grant"),
    )
    budget_line = models.ForeignKey(
        BudgetLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("budget line"),
    )
    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("provider")
    )
    notes = models.TextField(_("notes"), blank=True)
    # The instance ID of a phone submission (ODK Collect, KoBoCollect): importing the same
    # export twice adds nothing.
    submission_id = models.CharField(max_length=64, null=True, blank=True, unique=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-delivered_on", "-id"]
        indexes = [models.Index(fields=["grant", "delivered_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_woman=True) | models.Q(child__isnull=False),
                name="delivery_has_a_beneficiary",
            ),
            models.CheckConstraint(condition=models.Q(cost__gte=0), name="delivery_cost"),
        ]
        verbose_name = _("service delivery")
        verbose_name_plural = _("service deliveries")
