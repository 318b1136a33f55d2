"""What the domain services share when they refuse or record a change: the field errors
they raise, the input a correction may carry, and the old and new values on its audit row."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError


def raise_errors(errors: Mapping[str, Any]) -> None:
    """Refuse with the errors found, each under its field (or `NON_FIELD_ERRORS`), so a page
    shows each beside its field and the API names it; nothing found, nothing raised."""
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})


def plain(value: Any) -> Any:
    """A value as the audit trail keeps it: a date as its ISO text, anything else as is."""
    return value.isoformat() if isinstance(value, date) else value


def check_fields(
    changes: Mapping[str, Any], allowed: Iterable[str], doing: str = "corrected"
) -> None:
    """A field that may not be set or changed here is a mistake of the caller, not of the
    user (forms and the API send only the allowed ones): TypeError, naming them."""
    unknown = set(changes) - set(allowed)
    if unknown:
        raise TypeError(f"These fields cannot be {doing} here: {', '.join(sorted(unknown))}")


def only(
    changes: Mapping[str, Any], allowed: Iterable[str], doing: str = "corrected"
) -> dict[str, Any]:
    """The changes, each allowed (`check_fields`), with their texts trimmed."""
    check_fields(changes, allowed, doing)
    return {k: v.strip() if isinstance(v, str) else v for k, v in changes.items()}


def audited_change(
    before: Any,
    changes: Mapping[str, Any],
    shown: Collection[str],
    show: Callable[[Any], Any] = plain,
) -> dict[str, Any]:
    """The `changes` of a correction's audit row: the fields changed, and the old and new
    values of those in `shown` (dates, numbers, choices, references: free text is named,
    never copied). `before` is the record as it was, or a mapping of its values."""

    def old(name: str) -> Any:
        return before[name] if isinstance(before, Mapping) else getattr(before, name)

    return {
        "fields": sorted(changes),
        "values": {
            name: [show(old(name)), show(changes[name])]
            for name in sorted(changes)
            if name in shown
        },
    }
