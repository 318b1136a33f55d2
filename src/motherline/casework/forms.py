"""The forms of case work: lengths and choices come from the models."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from motherline.accounts.models import Organisation, User
from motherline.casework.models import (
    NOTE_MAX_LENGTH,
    PART_FIELDS,
    TERMS_MAX_LENGTH,
    Consent,
    ConsentGiver,
    ConsentPurpose,
    Document,
    NoteKind,
    ReferralKind,
    ReferralService,
)
from motherline.core.forms import DayMonthYearInput, field_of, label_records, version_field


class NoteForm(forms.Form):
    noted_on = forms.DateField(
        label=_("Date"),
        widget=DayMonthYearInput(),
    )
    kind = forms.ChoiceField(label=_("Kind of contact"), choices=NoteKind.choices)
    text = forms.CharField(
        label=_("Note"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": NOTE_MAX_LENGTH}),
    )
    corrects = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class NoteCorrectionForm(NoteForm):
    """A correction in place, by the note's author: from the version read."""

    version = version_field()


class AssignForm(forms.Form):
    worker = forms.ModelChoiceField(label=_("Case worker"), queryset=User.objects.none())

    def __init__(self, *args: Any, workers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "worker", forms.ModelChoiceField).queryset = workers


class DocumentForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=Document._meta.get_field("title").max_length
    )
    attach_to = forms.ChoiceField(label=_("Filed on"), required=False)
    file = forms.FileField(
        label=_("File (PDF, JPEG, PNG or DOCX)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx,application/pdf,image/jpeg,image/png"}
        ),
    )

    def __init__(self, *args: Any, targets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "attach_to", forms.ChoiceField).choices = targets
        if len(targets) <= 1:
            self.fields["attach_to"].widget = forms.HiddenInput()


# Consent and referrals

TEXT_ATTRS = {"rows": 3, "maxlength": TERMS_MAX_LENGTH}


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Consent to"), choices=ConsentPurpose.choices)
    given_by = forms.ChoiceField(label=_("Given by"), choices=ConsentGiver.choices)
    given_by_name = forms.CharField(
        label=_("Name of who gave it (if not she herself)"), max_length=200, required=False
    )
    given_on = forms.DateField(label=_("Given on"), widget=forms.DateInput(attrs={"type": "date"}))
    child = forms.ChoiceField(label=_("About"), required=False)
    to_organisation = forms.ModelChoiceField(
        label=_("Only to this organisation (a referral)"),
        queryset=Organisation.objects.none(),
        required=False,
    )
    terms = forms.CharField(
        label=_("What was agreed"),
        max_length=TERMS_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs=TEXT_ATTRS),
    )
    document = forms.ModelChoiceField(
        label=_("Signed form (a document on her record)"),
        queryset=Document.objects.none(),
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        children: list[tuple[str, str]],
        organisations: Any,
        documents: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "child", forms.ChoiceField).choices = children
        field_of(self, "to_organisation", forms.ModelChoiceField).queryset = organisations
        document = field_of(self, "document", forms.ModelChoiceField)
        document.queryset = documents
        label_records(document, lambda d: d.title)


class WithdrawConsentForm(forms.Form):
    version = version_field()
    withdrawn_on = forms.DateField(
        label=_("Withdrawn on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=TERMS_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs=TEXT_ATTRS),
    )


class ReferralForm(forms.Form):
    to_organisation = forms.ModelChoiceField(
        label=_("Refer to"),
        queryset=Organisation.objects.none(),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=ReferralKind.choices, widget=forms.RadioSelect
    )
    service = forms.ChoiceField(label=_("For the service"), choices=ReferralService.choices)
    reason = forms.CharField(
        label=_("What is asked of them"),
        max_length=TERMS_MAX_LENGTH,
        widget=forms.Textarea(attrs=TEXT_ATTRS),
    )
    consent = forms.ModelChoiceField(
        label=_("With the consent"),
        queryset=Consent.objects.none(),
    )
    shares_children = forms.BooleanField(label=_("Her children"), required=False)
    shares_legal = forms.BooleanField(label=_("Legal cases and deadlines"), required=False)
    shares_care_plan = forms.BooleanField(label=_("Transition plans"), required=False)
    shares_casework = forms.BooleanField(label=_("Case notes and documents"), required=False)

    def __init__(
        self, *args: Any, organisations: Any, consents: Any, for_child: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "to_organisation", forms.ModelChoiceField).queryset = organisations
        consent = field_of(self, "consent", forms.ModelChoiceField)
        consent.queryset = consents
        label_records(consent, consent_label)
        if for_child:
            # A child's referral shares the child's record; a transfer moves the mother's.
            del self.fields["shares_children"], self.fields["shares_legal"], self.fields["kind"]

    @property
    def parts(self) -> dict[str, bool]:
        return {f: bool(self.cleaned_data.get(f)) for f in PART_FIELDS}


class AnswerForm(forms.Form):
    version = version_field()
    note = forms.CharField(
        label=_("Reason or note (a reason is needed to decline)"),
        max_length=TERMS_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs=TEXT_ATTRS),
    )


def consent_label(consent: Consent) -> str:
    """A consent in a list of choices: to what, who gave it, when; never a name."""
    about = (
        gettext_now(" (the child %(ref)s)") % {"ref": consent.child.reference}
        if consent.child
        else ""
    )
    return gettext_now("%(purpose)s, given by %(who)s on %(day)s%(about)s") % {
        "purpose": consent.get_purpose_display(),
        "who": consent.get_given_by_display().lower(),
        "day": date_format(consent.given_on, "SHORT_DATE_FORMAT"),
        "about": about,
    }
