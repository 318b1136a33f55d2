from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "motherline.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Connects the audit receivers for sign-in and sign-out.
        from motherline.accounts import signals  # noqa: F401
        from motherline.accounts.policy import scope, scope_referrals
        from motherline.core import scoping

        # The models' querysets narrow by the policy's rules without importing it.
        scoping.provide(records=scope, referrals=scope_referrals)
