"""Putting a service's errors on a form: the one bridge between the actions layer and the
pages."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(
    form: forms.BaseForm, error: ValidationError, field_map: Mapping[str, str] | None = None
) -> None:
    """Show a service's `ValidationError` on the form: each message beside its field, and
    messages about the whole record (or a field the form does not have) at the top."""
    field_map = field_map or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, messages in error.message_dict.items():
        name = field_map.get(key, key)
        if name in form.fields and name != "__all__":
            form.add_error(name, messages)
        else:
            form.add_error(None, messages)
