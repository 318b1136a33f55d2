from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "motherline.reports"
    label = "reports"
    verbose_name = "Reports"
