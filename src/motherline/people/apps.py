from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "motherline.people"
    label = "people"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate, post_save

        from motherline.people import search
        from motherline.people.models import Woman

        post_save.connect(search.woman_saved, sender=Woman, dispatch_uid="people.search")
        post_migrate.connect(search.after_migrate, sender=self, dispatch_uid="people.match-keys")
