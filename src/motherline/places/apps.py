from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "motherline.places"
    label = "places"
