from django.apps import AppConfig


class VaultConfig(AppConfig):
    """Keys, encrypted fields, the blind index, backups and retention."""

    name = "motherline.vault"
    label = "vault"

    def ready(self) -> None:
        from motherline.vault import checks  # noqa: F401  (registers the deploy check)
