"""Forms of the legal pages; they parse input only, `legal.services` decides."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from motherline.core.actions import form_for
from motherline.core.forms import DayMonthYearInput
from motherline.jurisdictions.models import PardonOccasion, Remedy
from motherline.legal import actions
from motherline.legal.models import Hearing, LegalCase, PardonRound, ReleaseCandidate
from motherline.places.models import Court, Prison

DATE = DayMonthYearInput()  # dd/mm/yyyy whatever the browser's locale


def court_choices(jurisdiction: Any, current: Court | None = None) -> list[tuple[str, Any]]:
    """The courts of a jurisdiction's pack in its order, named in the page's language (and
    the case's own court, should it no longer be in the pack): the `options` of a case's
    form."""
    courts = Court.objects.filter(province__jurisdiction=jurisdiction, is_active=True)
    listed: list[tuple[str, Any]] = [(court.code, court.display_name) for court in courts]
    if current is not None and current.code not in dict(listed):
        listed.append((current.code, current.display_name))
    return [("", _("Not known")), *listed]


# A case's forms come from its actions' schemas (`legal.actions`); the courts of the pack
# are offered when the page makes the form (`options={"court": court_choices(...)}`).
NewCaseForm = form_for(
    actions.LegalCaseIn,
    model=LegalCase,
    required=("stage",),
    labels={"next_hearing_on": _("First hearing")},
    chosen_from_records=("court",),
)
CaseForm = form_for(
    actions.CaseChangesIn, model=LegalCase, required=("stage",), chosen_from_records=("court",)
)


# A hearing, a round, a dossier's step and the dossier: each form is derived from its
# action's schema (`legal.actions`), the API's request body.
HearingForm = form_for(actions.HearingIn, model=Hearing, rows={"what_happened": 3})

# The occasions of her jurisdiction's calendar are offered when the page makes the form
# (`options={"occasion": occasion_choices(jurisdiction)}`).
RoundForm = form_for(actions.RoundIn, model=PardonRound, chosen_from_records=("occasion",))


def occasion_choices(jurisdiction: Any) -> list[tuple[str, Any]]:
    """The pardon occasions of a jurisdiction's calendar, named in the page's language."""
    return [
        (occasion.code, occasion.display_name)
        for occasion in PardonOccasion.objects.filter(jurisdiction=jurisdiction)
    ]


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


# The step is the button pressed (`status`); the date and the note are typed.
StatusForm = form_for(
    actions.StatusIn, model=ReleaseCandidate, labels={"on": _("Date")}, rows={"note": 1}
)

DossierForm = form_for(
    actions.DossierIn, model=ReleaseCandidate, required=("priority",), rows={"argument": 8}
)
