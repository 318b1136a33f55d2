from django.apps import AppConfig


class JurisdictionsConfig(AppConfig):
    name = "motherline.jurisdictions"
    label = "jurisdictions"
