"""The audit trail in words for its page: the kind of record by its name ("Woman", not
"people.Woman") and what changed as short lines ("Admission date: 14 January 2026"), not
the stored JSON. The export keeps the stored values: it is for machines and auditors."""

from __future__ import annotations

import re
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motherline.formatting import format_day

# Records that are not one model: what the trail calls them.
_OTHER_TYPES = {
    "screening": gettext_lazy("Early-release screening"),
    "backup": gettext_lazy("Backup"),
    "synthetic data": gettext_lazy("Synthetic data"),
    "stats.brief": gettext_lazy("Statistics brief"),
    "stats.table": gettext_lazy("Statistics table"),
    "worklist": gettext_lazy("Worklist"),
    "worklist.Item": gettext_lazy("Worklist"),
}
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_CODE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def record_type(object_type: str) -> str:
    """ "people.Woman" as "Woman" (the model's name in the reader's language)."""
    if object_type in _OTHER_TYPES:
        return str(_OTHER_TYPES[object_type])
    model = _model(object_type)
    if model is not None:
        return str(capfirst(model._meta.verbose_name))
    return object_type.replace("_", " ")


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def _reference_data(value: Any, field: models.Field | None) -> str:
    """An organisation, a court or a place the trail names by its id or its code, by its
    name in the reader's language ("" when the value is not one, or it is gone)."""
    model = field.related_model if field is not None and field.many_to_one else None
    if not isinstance(model, type) or not hasattr(model, "display_name"):
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        found = model._default_manager.filter(pk=value).first()
    elif isinstance(value, str) and any(f.name == "code" for f in model._meta.fields):
        found = model._default_manager.filter(code=value).first()
    else:
        return ""
    return str(found.display_name) if found is not None else ""


def _value(
    value: Any, field: models.Field | None = None, model: type[models.Model] | None = None
) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(_value(v, field, model) for v in value) or "—"
    if isinstance(value, dict):
        return (
            "; ".join(
                f"{_key(k, model)}: {_value(v, _field(model, k), model)}"
                for k, v in sorted(value.items())
            )
            or "—"
        )
    named = _reference_data(value, field)
    if named:
        return named
    if isinstance(value, str):
        if field is not None and field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if _ISO_DAY.fullmatch(value):
            return format_day(value, "short")
        if _CODE.fullmatch(value):
            return value.replace("_", " ")
    return str(value)


def _key(name: str, model: type[models.Model] | None = None) -> str:
    field = _field(model, name)
    if field is not None:
        return str(capfirst(field.verbose_name))
    return capfirst(name.replace("_", " "))


def changes_lines(changes: Any, object_type: str = "") -> list[str]:
    """One line per changed field or fact, in words."""
    if not changes:
        return []
    if not isinstance(changes, dict):
        return [_value(changes)]
    model = _model(object_type)
    return [
        f"{_key(name, model)}: {_value(value, _field(model, name), model)}"
        for name, value in sorted(changes.items())
    ]
