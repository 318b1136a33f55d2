"""Optimistic locking: a change names the version of the record it was read at, and is written
only if the record is still at that version."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import F, Model
from django.utils.translation import gettext as _


class StaleVersion(ValidationError):
    """The record changed after the version the user read, so their change would overwrite
    someone else's: it is refused, and the first change stands (HTTP 409 in the API)."""

    def __init__(self) -> None:
        super().__init__(
            {
                NON_FIELD_ERRORS: [
                    _(
                        "Someone else changed this record while you were editing it. "
                        "Reload the page to see their change, then try again."
                    )
                ]
            }
        )


def save_if_current(model: type[Model], pk: Any, version: int, values: dict[str, Any]) -> None:
    """Write `values` only if the row is still at `version`, in one UPDATE, and move it to the
    next version: of two people saving the same version at once, the database lets exactly
    one through; the other gets StaleVersion."""
    saved = model._default_manager.filter(pk=pk, version=version).update(
        **values, version=F("version") + 1
    )
    if not saved:
        raise StaleVersion()
