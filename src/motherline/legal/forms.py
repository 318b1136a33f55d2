"""Forms of the legal pages; they parse input only, `legal.services` decides."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from motherline.core.forms import VERSION_MAX, DayMonthYearInput, version_field
from motherline.jurisdictions.models import PardonOccasion, Remedy
from motherline.legal.models import CaseResult, CaseStage, DossierStatus
from motherline.people.forms import NOTE_MAX
from motherline.places.models import Prison

DATE = DayMonthYearInput()  # dd/mm/yyyy whatever the browser's locale


class CaseForm(forms.Form):
    lawyer_name = forms.CharField(label=_("Lawyer"), max_length=200, required=False)
    lawyer_organisation = forms.CharField(
        label=_("Lawyer's organisation"), max_length=200, required=False
    )
    court = forms.CharField(label=_("Court"), max_length=200, required=False)
    case_number = forms.CharField(label=_("Case number"), max_length=64, required=False)
    stage = forms.ChoiceField(label=_("Stage"), choices=CaseStage.choices)
    is_strategic = forms.BooleanField(label=_("Strategic litigation"), required=False)
    strategic_issue = forms.CharField(
        max_length=NOTE_MAX,
        label=_("Issue it raises"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    result = forms.ChoiceField(label=_("Result"), choices=CaseResult.choices, required=False)
    result_date = forms.DateField(label=_("Result date"), widget=DATE, required=False)
    version = version_field()


class NewCaseForm(CaseForm):
    version = None  # a new case has no version yet
    next_hearing_on = forms.DateField(label=_("First hearing"), widget=DATE, required=False)


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

    def __init__(self, *args, jurisdiction=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["occasion"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = PardonOccasion.objects.filter(jurisdiction=jurisdiction)
        field.label_from_instance = lambda occasion: occasion.display_name


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
