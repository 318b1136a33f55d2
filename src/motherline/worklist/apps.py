from django.apps import AppConfig


class WorklistConfig(AppConfig):
    name = "motherline.worklist"
    label = "worklist"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from motherline.worklist import deadlines

        deadlines.connect_signals()
        post_migrate.connect(deadlines.after_migrate, sender=self)
