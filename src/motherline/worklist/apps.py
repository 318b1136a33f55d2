from django.apps import AppConfig


class WorklistConfig(AppConfig):
    name = "motherline.worklist"
    label = "worklist"
