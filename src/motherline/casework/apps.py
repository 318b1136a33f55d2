from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "motherline.casework"
    label = "casework"

    def ready(self) -> None:
        # The register does not import this app: it asks for the sections of a woman's and
        # a child's page through signals, answered here.
        from motherline.casework import views
        from motherline.people import signals

        signals.woman_page_sections.connect(views.woman_section, dispatch_uid="casework_woman")
        signals.child_page_sections.connect(views.child_section, dispatch_uid="casework_child")
