from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldworkConfig(AppConfig):
    name = "motherline.fieldwork"
    verbose_name = _("Field work")

    def ready(self) -> None:
        # Her page lists the visits where she was seen; the register does not import this app.
        from motherline.fieldwork import views
        from motherline.people import signals

        signals.woman_page_sections.connect(
            views.woman_visits_section, dispatch_uid="fieldwork_woman_visits"
        )
