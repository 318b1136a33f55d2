"""System checks of the security settings, shown by `motherline check` (and `--deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from motherline.security.twofactor import MODES, REQUIRED


@checks.register(checks.Tags.security)
def check_two_factor(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """Warn when production runs without the second factor."""
    messages: list[checks.CheckMessage] = []
    configured = getattr(settings, "MOTHERLINE_TWO_FACTOR", REQUIRED)
    if configured not in MODES:
        messages.append(
            checks.Error(
                f"MOTHERLINE_TWO_FACTOR is {configured!r}; use 'required' or 'optional'.",
                id="motherline.E001",
            )
        )
    elif configured != REQUIRED and not settings.DEBUG:
        messages.append(
            checks.Warning(
                "The second factor is optional (MOTHERLINE_TWO_FACTOR=optional) while DEBUG "
                "is off: users who see names can sign in with a password alone.",
                hint="Set MOTHERLINE_TWO_FACTOR=required (the default) in production.",
                id="motherline.W001",
            )
        )
    return messages


@checks.register(checks.Tags.security, deploy=True)
def check_secret_key(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """The demo's fixed key passes Django's own key check; production must not use it."""
    if getattr(settings, "DEMO_SECRET_KEY", None) == settings.SECRET_KEY:
        return [
            checks.Warning(
                "MOTHERLINE_SECRET_KEY is not set: the demo's public key signs sessions.",
                hint="Set MOTHERLINE_SECRET_KEY to 50 or more random characters.",
                id="motherline.W002",
            )
        ]
    return []
