"""The inputs of a user's own account actions, each declared once (the page's form is derived
from the schema with `core.actions.form_for`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from ninja import Schema

from motherline.core.inputs import Sent, Version

# The languages of the interface, as choices (labels from the settings, translated).
MessageLanguage = models.TextChoices(  # type: ignore[misc]
    "MessageLanguage", [(code.upper(), (code, name)) for code, name in settings.LANGUAGES]
)


class PreferencesChanges(Schema):
    """A user's own preferences: the language of what is sent to her (alert digests) and
    whether dates and numbers are written with the digits of her language."""

    version: Version
    language: Sent[MessageLanguage] = None  # type: ignore[valid-type]
    native_digits: Sent[bool] = None
