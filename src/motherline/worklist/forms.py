"""The worklist's filters, parsed by a form so a bad value is shown beside its field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from motherline.people.filters import PlaceFilterForm
from motherline.worklist.queries import WorklistFilters
from motherline.worklist.rules import KIND_LABELS


class WorklistFilterForm(PlaceFilterForm):
    prison = forms.ChoiceField(label=_("Prison"), required=False)
    province = forms.ChoiceField(label=_("Province"), required=False)
    kind = forms.ChoiceField(
        label=_("What is due"),
        required=False,
        choices=[("", _("Everything")), *((str(k), label) for k, label in KIND_LABELS.items())],
    )

    def filters(self) -> WorklistFilters:
        """The valid filters; an invalid one is shown on the form and left out."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return WorklistFilters(
            prison=data.get("prison") or "",
            province=data.get("province") or "",
            kind=data.get("kind") or "",
        )
