"""Optimistic locking: a change names the version of the record it was read at, and is written
only if the record is still at that version."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db.models import F, Manager, Model, QuerySet
from django.utils.translation import gettext as _

M = TypeVar("M", bound=Model)


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


def check_version(expected: int, actual: int) -> None:
    """Refuse a change read at another version than the record's. Every change states the
    version it was read at: there is no "skip the check"."""
    if expected != actual:
        raise StaleVersion()


def locked(found: QuerySet[M] | Manager[M], pk: Any, of: tuple[str, ...] = ()) -> M:
    """The record re-read and locked inside the change's transaction, so two people changing
    it at once cannot both pass its checks. `found` narrows it (the records the user may
    edit, related rows to read with it): a record outside it raises `DoesNotExist`. `of`
    names the tables locked, as in `select_for_update` (all those read, if none)."""
    return found.all().select_for_update(of=of).get(pk=pk)  # .all(): a manager or a queryset


def locked_current(
    found: QuerySet[M] | Manager[M], pk: Any, version: int, of: tuple[str, ...] = ()
) -> M:
    """`locked`, refused with `StaleVersion` if it is no longer at `version`."""
    current = locked(found, pk, of)
    check_version(version, current.version)  # type: ignore[attr-defined]
    return current


def locked_or_refused(found: QuerySet[M] | Manager[M], pk: Any, refusal: str) -> M:
    """`locked` among the records the user may change (`found`, as `editable_by` gives
    them); any other is refused with `refusal` (HTTP 403), whether or not it exists."""
    try:
        return locked(found, pk)
    except ObjectDoesNotExist:
        raise PermissionDenied(refusal) from None
