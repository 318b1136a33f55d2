"""A deploy check: production must bring its own field key."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def field_key_is_set(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    from motherline.vault.keys import FieldKeyError, decode_key

    key = getattr(settings, "FIELD_KEY", "")
    if not key:
        return [
            Warning(
                "MOTHERLINE_FIELD_KEY is not set: names and other identifying fields are "
                "encrypted with a development key kept in the data directory, next to the data.",
                hint="Set MOTHERLINE_FIELD_KEY (make one with `motherline rotate_field_key "
                "--generate`) and keep it apart from the database and its backups.",
                id="motherline.W010",
            )
        ]
    try:
        decode_key(key)
    except FieldKeyError as exc:
        return [Warning(str(exc), id="motherline.W011")]
    return []
