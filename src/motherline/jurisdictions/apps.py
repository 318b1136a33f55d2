from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class JurisdictionsConfig(AppConfig):
    name = "motherline.jurisdictions"
    label = "jurisdictions"

    def ready(self) -> None:
        from motherline.jurisdictions import local, signals

        # The cached local languages follow the jurisdictions and provinces they come from.
        for sender in ("jurisdictions.Jurisdiction", "places.Province", "accounts.Organisation"):
            post_save.connect(local.clear, sender=sender, dispatch_uid=f"local-{sender}")
            post_delete.connect(local.clear, sender=sender, dispatch_uid=f"local-del-{sender}")
        signals.pack_loaded.connect(local.clear, dispatch_uid="local-pack-loaded")
