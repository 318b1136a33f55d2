from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "motherline.people"
    label = "people"
