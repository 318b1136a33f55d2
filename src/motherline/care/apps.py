from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "motherline.care"
    label = "care"

    def ready(self) -> None:
        # The register does not import this app: it announces releases and asks for the
        # sections of a child's page through signals, which are answered here.
        from motherline.care import services, views
        from motherline.people import signals

        signals.released.connect(services.on_mother_released, dispatch_uid="care_release")
        signals.child_page_sections.connect(views.child_section, dispatch_uid="care_child_page")
        signals.woman_urgent_items.connect(views.woman_urgent_items, dispatch_uid="care_urgent")
