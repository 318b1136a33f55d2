from django.apps import AppConfig


class LegalConfig(AppConfig):
    name = "motherline.legal"
    label = "legal"

    def ready(self) -> None:
        # The register does not import this app: it asks for the sections of a woman's page
        # through a signal, answered here.
        from motherline.legal import views
        from motherline.people import signals

        signals.woman_page_sections.connect(views.woman_section, dispatch_uid="legal_woman_page")
