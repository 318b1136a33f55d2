"""Forms of grants and service deliveries; the checks live in `grants.rules`."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from motherline.accounts.models import Organisation
from motherline.core.actions import form_for
from motherline.core.forms import DayMonthYearInput
from motherline.grants import actions
from motherline.grants.models import BudgetLine, Grant, ServiceDelivery
from motherline.jurisdictions.local import language_name

DATE = DayMonthYearInput()  # dd/mm/yyyy whatever the browser's locale


# Recording a grant, a budget line and a service: each form is derived from its action's
# schema (`grants.actions`), the API's request body. The grantees, the grants, their lines
# and the providers offered come when the page makes the form (`options`).
GrantForm = form_for(
    actions.GrantIn,
    model=Grant,
    required=("currency",),
    chosen_from_records=("grantees",),
    rows={"purpose": 3},
)

BudgetLineForm = form_for(actions.LineIn, model=BudgetLine)


def organisation_choices() -> list[tuple[str, Any]]:
    """Every organisation by name: the grantees of a grant, the provider of a service."""
    return [(o.name, str(o)) for o in Organisation.objects.order_by("name")]


class ReportForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("To"), widget=DATE)
    language = forms.ChoiceField(label=_("Language"), choices=())
    format = forms.ChoiceField(label=_("Format"), choices=[("pdf", "PDF"), ("xlsx", "XLSX")])

    def __init__(self, *args: Any, languages: list[str], **kwargs: Any) -> None:
        """`languages`: those the grant's jurisdiction produces its documents in."""
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["language"])
        field.choices = [(code, language_name(code)) for code in languages]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The period cannot end before it starts."))
        return data


class DeliveryForm(
    form_for(  # type: ignore[misc]
        actions.DeliveryIn,
        model=ServiceDelivery,
        required=("quantity", "provider"),
        labels={"woman": _("Woman (reference)"), "child": _("Child (reference)")},
        help_texts={"child": _("For a service to her child, the child's reference (C-…).")},
        chosen_from_records=("grant", "budget_line", "provider"),
        rows={"notes": 2},
    )
):
    """`grants`: those the user may charge, offered with their budget lines; any
    organisation may be the provider."""

    def __init__(self, *args: Any, grants: Any, **kwargs: Any) -> None:
        options = {**charge_choices(grants), "provider": organisation_choices()}
        super().__init__(*args, options=options, **kwargs)


def charge_choices(grants: Any) -> dict[str, list[tuple[str, Any]]]:
    """The grants a service may be charged to and their budget lines, by reference and code
    (a line's code is its grant's: the grant's reference is shown beside it)."""
    lines = BudgetLine.objects.filter(grant__in=grants).select_related("grant")
    return {
        "grant": [(grant.reference, str(grant)) for grant in grants],
        "budget_line": [
            (line.code, f"{line.grant.reference} · {line.code} {line.name}") for line in lines
        ],
    }
