from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "motherline.api"
    label = "api"
