"""Organisations, users, their roles and scopes, and the audit trail."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, NoReturn

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from motherline.jurisdictions.models import LocalNameMixin


class OrganisationKind(models.TextChoices):
    UN = "un", _("UN office")
    NGO = "ngo", _("NGO")
    GOVERNMENT = "government", _("Government body")


class Organisation(LocalNameMixin, models.Model):
    """An organisation of the deployment. Its name in the local language of its country is
    shown on pages in that language (`display_name`), its name everywhere else."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_local = models.CharField(
        _("name in the local language"),
        max_length=200,
        blank=True,
        help_text=_("Shown on pages in the language of its country."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=OrganisationKind)
    jurisdiction = models.ForeignKey(
        "jurisdictions.Jurisdiction", on_delete=models.PROTECT, related_name="organisations"
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, null=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")


class SharingAgreementQuerySet(models.QuerySet):
    def in_force(self, day: date) -> SharingAgreementQuerySet:
        """The agreements that give access on `day`: begun, not past their end, not ended."""
        return self.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=day),
            starts_on__lte=day,
            ended_at__isnull=True,
        )


class SharingAgreement(models.Model):
    """One organisation lets another read its records, from a date to a date. What is read
    is still limited by each record: a woman's record only where she consented to sharing with
    partners. Access is read-only and ends at once when the agreement is ended."""

    sharer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="agreements_given",
        verbose_name=_("organisation that shares"),
    )
    partner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="agreements_received",
        verbose_name=_("partner that reads"),
    )
    shares_register = models.BooleanField(
        _("women's records (where she consented to sharing with partners)"), default=True
    )
    shares_field_work = models.BooleanField(
        _("prison visits, access incidents, training and grants"), default=True
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    agreed_by = models.CharField(
        _("agreed by"),
        max_length=200,
        help_text=_("Who signed or agreed for the organisation that shares, and their title."),
    )
    terms = models.TextField(_("terms and purpose"), max_length=2000, blank=True)
    # Not `core.models.CreatedRecord`'s: who recorded an agreement stays on it (PROTECT: the
    # account cannot be deleted while an agreement names it).
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    created_by = models.ForeignKey(
        "User", on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("recorded by")
    )
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(
        "User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reason = models.CharField(_("why it was ended"), max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = SharingAgreementQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("sharing agreement")
        verbose_name_plural = _("sharing agreements")
        indexes = [models.Index(fields=["partner", "starts_on"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(sharer=F("partner")), name="sharing_agreement_between_two"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="sharing_agreement_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sharer} → {self.partner}"

    def is_in_force(self, day: date) -> bool:
        return (
            self.ended_at is None
            and self.starts_on <= day
            and (self.ends_on is None or self.ends_on >= day)
        )


class Role(models.TextChoices):
    # Manages one organisation: its users, its sharing and its audit trail.
    ADMINISTRATOR = "administrator", _("Administrator")
    MONITOR = "monitor", _("Monitor")
    LEGAL_OFFICER = "legal_officer", _("Legal officer")
    ANALYST = "analyst", _("Analyst")
    PROGRAMME_MANAGER = "programme_manager", _("Programme manager")
    PRISON_LIAISON = "prison_liaison", _("Prison liaison")
    VIEWER = "viewer", _("Viewer")
    # Manages the deployment: organisations, packs, every account and the whole audit trail.
    # Given deliberately (`motherline createadmin`), never by default; sees no personal record.
    DEPLOYMENT_ADMINISTRATOR = "deployment_administrator", _("Deployment administrator")


class MotherlineUserManager(UserManager["User"]):
    # Migrations keep Django's plain manager: they never import application code.
    use_in_migrations = False

    def create_superuser(
        self,
        username: str,
        email: str | None = None,
        password: str | None = None,
        **extra_fields: Any,
    ) -> User:
        # Django's `createsuperuser` makes a deployment administrator, never a viewer without
        # an organisation. `motherline createadmin` does the same without a password prompt.
        extra_fields.setdefault("role", Role.DEPLOYMENT_ADMINISTRATOR)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=24, choices=Role, default=Role.VIEWER)
    # The language of the messages sent to this user (alert digests); blank: the deployment's.
    # One of settings.LANGUAGES, a deployment's choice, so checked by the service rather
    # than written into the schema.
    language = models.CharField(_("language"), max_length=8, blank=True, default="")
    # Dates and numbers in the digits of her language (Khmer ០-៩) rather than 0-9.
    native_digits = models.BooleanField(
        _("digits of my language"),
        default=False,
        help_text=_("On pages in Khmer, write dates and numbers with Khmer digits (០១២៣)."),
    )
    version = models.PositiveIntegerField(default=1)
    # Only for prison liaison officers: the one prison whose records they see.
    prison = models.ForeignKey(
        "places.Prison",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="liaison_users",
        verbose_name=_("prison"),
    )

    objects: ClassVar[MotherlineUserManager] = MotherlineUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class AuditAction(models.TextChoices):
    VIEW = "view", _("View")
    CREATE = "create", _("Create")
    CHANGE = "change", _("Change")
    DELETE = "delete", _("Delete")
    EXPORT = "export", _("Export")
    LOGIN = "login", _("Sign-in")
    LOGIN_FAILED = "login_failed", _("Failed sign-in")
    LOGOUT = "logout", _("Sign-out")
    LOCKED_OUT = "locked_out", _("Locked out after failed sign-ins")
    TWO_FACTOR_ENROLLED = "2fa_enrolled", _("Second factor enrolled")
    TWO_FACTOR_VERIFIED = "2fa_verified", _("Second factor verified")
    TWO_FACTOR_FAILED = "2fa_failed", _("Wrong second-factor code")
    TWO_FACTOR_RESET = "2fa_reset", _("Second factor reset")
    REFUSED = "refused", _("Record lookup refused")
    ALERT = "alert", _("Administrators alerted")


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("The audit trail is append-only.")

    def delete(self) -> NoReturn:
        raise PermissionError("The audit trail is append-only.")


class AuditEvent(models.Model):
    """One line of the append-only audit trail."""

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=AuditAction)
    object_type = models.CharField(_("record type"), max_length=64, blank=True)
    object_ref = models.CharField(_("record"), max_length=64, blank=True, db_index=True)
    changes = models.JSONField(_("what changed"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("The audit trail is append-only.")
