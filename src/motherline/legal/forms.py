"""Forms of the legal pages; they parse input only, `legal.services` decides."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from motherline.core.actions import form_for
from motherline.core.forms import (
    VERSION_MAX,
    DayMonthYearInput,
    field_of,
    label_records,
    version_field,
)
from motherline.jurisdictions.models import Jurisdiction, PardonOccasion, Remedy
from motherline.legal import actions
from motherline.legal.models import CaseResult, DossierStatus, LegalCase
from motherline.people.forms import NOTE_MAX
from motherline.places.models import Court, Prison

DATE = DayMonthYearInput()  # dd/mm/yyyy whatever the browser's locale


# A case's fields come from the actions' schemas (`legal.actions`), in their order (a new
# case's first hearing last); the courts of the pack and the result (whose "pending" is the
# empty choice) are added here.
CASE_ORDER = list(
    dict.fromkeys([*actions.CaseChangesIn.model_fields, *actions.LegalCaseIn.model_fields])
)


def court_choices(jurisdiction: Any, current: Court | None = None) -> list[tuple[str, Any]]:
    """The courts of a jurisdiction's pack in its order, named in the page's language (and
    the case's own court, should it no longer be in the pack)."""
    courts = Court.objects.filter(province__jurisdiction=jurisdiction, is_active=True)
    listed: list[tuple[str, Any]] = [(court.code, court.display_name) for court in courts]
    if current is not None and current.code not in dict(listed):
        listed.append((current.code, current.display_name))
    return [("", _("Not known")), *listed]


class _CourtChoice:
    """The court as a choice of the pack's courts, the fields in the order of a case."""

    fields: dict[str, forms.Field]

    def add_court(self, jurisdiction: Any, current: Court | None) -> None:
        self.fields["court"] = forms.ChoiceField(
            label=_("Court"), choices=court_choices(jurisdiction, current), required=False
        )
        cast(forms.Form, self).order_fields(CASE_ORDER)


class NewCaseForm(
    _CourtChoice,
    form_for(  # type: ignore[misc]
        actions.LegalCaseIn,
        model=LegalCase,
        exclude=("court",),
        required=("stage",),
        labels={"next_hearing_on": _("First hearing")},
    ),
):
    def __init__(self, *args: Any, jurisdiction: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_court(jurisdiction, None)


class CaseForm(
    _CourtChoice,
    form_for(  # type: ignore[misc]
        actions.CaseChangesIn,
        model=LegalCase,
        exclude=("court", "result"),
        required=("stage",),
    ),
):
    def __init__(self, *args: Any, jurisdiction: Any, current: Court | None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["result"] = forms.ChoiceField(
            label=_("Result"), choices=CaseResult.choices, required=False
        )
        self.add_court(jurisdiction, current)


class HearingForm(forms.Form):
    held_on = forms.DateField(label=_("Hearing date"), widget=DATE)
    what_happened = forms.CharField(
        max_length=NOTE_MAX, label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3})
    )
    next_date = forms.DateField(label=_("Next hearing date"), widget=DATE, required=False)


class RoundForm(forms.Form):
    occasion = forms.ModelChoiceField(
        label=_("Occasion"), queryset=PardonOccasion.objects.none(), required=False
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    occasion_date = forms.DateField(label=_("Date of the occasion"), widget=DATE)
    submission_deadline = forms.DateField(label=_("Submission deadline"), widget=DATE)
    decision_date = forms.DateField(label=_("Decision date"), widget=DATE, required=False)

    def __init__(self, *args: Any, jurisdiction: Jurisdiction | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = field_of(self, "occasion", forms.ModelChoiceField)
        field.queryset = PardonOccasion.objects.filter(jurisdiction=jurisdiction)
        label_records(field, lambda occasion: occasion.display_name)


class ScreeningForm(forms.Form):
    remedy = forms.ChoiceField(label=_("Remedy"), choices=Remedy.choices, required=False)
    as_of = forms.DateField(label=_("On"), widget=DATE, required=False)
    prison = forms.ChoiceField(label=_("Prison"), required=False)
    page = forms.IntegerField(
        required=False, min_value=1, max_value=100_000, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, prisons: list[Prison], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("All prisons"))] + [(p.code, p.display_name) for p in prisons]
        cast(forms.ChoiceField, self.fields["prison"]).choices = choices


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=DossierStatus.choices)
    on = forms.DateField(label=_("Date"), widget=DATE, required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)
    version = version_field()


class DossierForm(forms.Form):
    priority = forms.IntegerField(label=_("Priority"), min_value=1, max_value=VERSION_MAX)
    argument = forms.CharField(
        max_length=NOTE_MAX,
        label=_("Best interests of the child"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
    )
    version = version_field()
