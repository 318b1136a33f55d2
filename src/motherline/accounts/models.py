"""Organisations, users, their roles and scopes, and the audit trail."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    UN = "un", _("UN office")
    NGO = "ngo", _("NGO")
    GOVERNMENT = "government", _("Government body")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=OrganisationKind)
    jurisdiction = models.ForeignKey(
        "jurisdictions.Jurisdiction", on_delete=models.PROTECT, related_name="organisations"
    )
    # Records of this organisation that its partners may see, by the women's consent.
    shares_with = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="shared_by",
        verbose_name=_("shares records with"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    MONITOR = "monitor", _("Monitor")
    LEGAL_OFFICER = "legal_officer", _("Legal officer")
    ANALYST = "analyst", _("Analyst")
    PROGRAMME_MANAGER = "programme_manager", _("Programme manager")
    PRISON_LIAISON = "prison_liaison", _("Prison liaison")
    VIEWER = "viewer", _("Viewer")


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
    # Only for prison liaison officers: the one prison whose records they see.
    prison = models.ForeignKey(
        "places.Prison",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="liaison_users",
        verbose_name=_("prison"),
    )

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
    def update(self, **kwargs):  # type: ignore[override]
        raise PermissionError("The audit trail is append-only.")

    def delete(self):  # type: ignore[override]
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

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[override]
        raise PermissionError("The audit trail is append-only.")
