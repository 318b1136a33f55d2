from django.apps import AppConfig


class SecurityConfig(AppConfig):
    """Sign-in hardening (the second factor), the audit trail's search for administrators and
    the security system checks. The audit trail itself and the access policy are in
    `accounts`."""

    name = "motherline.security"
    label = "security"

    def ready(self) -> None:
        # Connects the second factor's sign-in receiver and the count of failed sign-ins per
        # address, and registers the system checks.
        from motherline.security import checks, spraying, twofactor  # noqa: F401
