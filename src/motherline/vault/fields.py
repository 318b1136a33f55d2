"""Model fields whose values are encrypted in the database and plain `str` in Python.

The column is TEXT on every database (a token is longer than its plaintext); `max_length`
still limits the plaintext in forms, the API schemas and `full_clean`. Encryption happens
where Django prepares a value for an INSERT or UPDATE (`get_db_prep_save`, which `save`,
`bulk_create`, `update` and `bulk_update` all use), decryption where it converts a row
(`from_db_value`, also for `values()` and `select_related`).

The database cannot compare encrypted values: every lookup other than `isnull` and
equality with the empty string raises, so a filter that would silently match nothing is
caught at once. Search by name goes through the blind index (`people.search`).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldError
from django.db import models

from motherline.vault import keys

ALLOWED_LOOKUPS = frozenset({"isnull", "exact"})


class EncryptedMixin:
    """Shared by the encrypted char and text fields."""

    def get_internal_type(self) -> str:
        return "TextField"

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in ALLOWED_LOOKUPS:
            return None  # Django then raises "Unsupported lookup" with the field's name
        return super().get_lookup(lookup_name)  # type: ignore[misc]

    def _label(self) -> str:
        model = getattr(self, "model", None)
        name = getattr(self, "name", "?")
        return f"{model._meta.label}.{name}" if model is not None else name

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return keys.decrypt(value, self._label())

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        if hasattr(value, "as_sql"):
            # An expression (bulk_update's CASE): its values come back here one by one.
            return value
        value = self.get_prep_value(value)  # type: ignore[attr-defined]
        if value is None or value == "":
            return value
        return keys.encrypt(str(value))

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        # Reached from lookups (saving goes through get_db_prep_save above).
        if not prepared:
            value = self.get_prep_value(value)  # type: ignore[attr-defined]
        if value is None or value == "":
            return value
        raise FieldError(
            f"{self._label()} is encrypted: the database cannot compare it with a value. "
            "Search by name through the blind index (motherline.people.search)."
        )


class EncryptedCharField(EncryptedMixin, models.CharField):
    """A short encrypted string (a name, a register number, a contact)."""


class EncryptedTextField(EncryptedMixin, models.TextField):
    """A long encrypted string (health notes, free-text notes)."""
