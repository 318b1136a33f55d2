"""The worklist's filters, parsed by a form so a bad value is shown beside its field."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from motherline.places.models import Prison, Province
from motherline.worklist.queries import WorklistFilters
from motherline.worklist.rules import KIND_LABELS


class WorklistFilterForm(forms.Form):
    prison = forms.ChoiceField(label=_("Prison"), required=False)
    province = forms.ChoiceField(label=_("Province"), required=False)
    kind = forms.ChoiceField(
        label=_("What is due"),
        required=False,
        choices=[("", _("Everything")), *((str(k), label) for k, label in KIND_LABELS.items())],
    )

    def __init__(
        self, data: Any, *, prisons: list[Prison], provinces: list[Province], **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        cast(forms.ChoiceField, self.fields["prison"]).choices = [("", _("All prisons"))] + [
            (p.code, p.display_name) for p in prisons
        ]
        cast(forms.ChoiceField, self.fields["province"]).choices = [("", _("All provinces"))] + [
            (p.code, p.display_name) for p in provinces
        ]

    def filters(self) -> WorklistFilters:
        """The valid filters; an invalid one is shown on the form and left out."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return WorklistFilters(
            prison=data.get("prison") or "",
            province=data.get("province") or "",
            kind=data.get("kind") or "",
        )
