from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "motherline.stats"
    label = "stats"
