from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "motherline.care"
    label = "care"
