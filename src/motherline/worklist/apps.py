from django.apps import AppConfig


class WorklistConfig(AppConfig):
    name = "motherline.worklist"
    label = "worklist"

    def ready(self) -> None:
        from motherline.worklist import deadlines

        deadlines.connect_signals()
