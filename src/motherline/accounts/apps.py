from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "motherline.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Connects the audit receivers for sign-in and sign-out.
        from motherline.accounts import signals  # noqa: F401
