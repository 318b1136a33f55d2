"""The forms of case work: derived from the actions' schemas (`casework.actions`), whose
lengths and choices come from the models."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from motherline.casework import actions
from motherline.casework.models import Consent, Document, Referral
from motherline.core.actions import form_for
from motherline.core.forms import field_of

# A note, a case worker, a consent, a referral and an answer: each form is derived from its
# action's schema (`casework.actions`), the API's request body; the records a page offers
# come when it makes the form (`options`).
NOTE_LABELS = {"noted_on": _("Date"), "kind": _("Kind of contact"), "text": _("Note")}
NoteForm = form_for(actions.NoteIn, labels=NOTE_LABELS, hidden=("corrects",))
# A correction in place, by the note's author: from the version read.
NoteCorrectionForm = form_for(
    actions.NoteChangesIn, labels=NOTE_LABELS, required=("noted_on", "kind", "text")
)

AssignForm = form_for(
    actions.AssignIn, labels={"worker": _("Case worker")}, chosen_from_records=("worker",)
)


def worker_choices(workers: Any) -> list[tuple[str, str]]:
    """The users who may be assigned, by user name."""
    return [(worker.username, str(worker)) for worker in workers]


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

ConsentForm = form_for(
    actions.ConsentIn,
    labels={
        "purpose": _("Consent to"),
        "given_by": _("Given by"),
        "given_by_name": _("Name of who gave it (if not she herself)"),
        "given_on": _("Given on"),
        "child": _("About"),
        "to_organisation": _("Only to this organisation (a referral)"),
        "terms": _("What was agreed"),
        "document": _("Signed form (a document on her record)"),
    },
    chosen_from_records=("child", "to_organisation", "document"),
    rows={"terms": 3},
)

WithdrawConsentForm = form_for(
    actions.WithdrawConsentIn,
    labels={"withdrawn_on": _("Withdrawn on"), "reason": _("Reason (optional)")},
    required=("withdrawn_on",),
    rows={"reason": 3},
)


class ReferralForm(
    form_for(  # type: ignore[misc]
        actions.ReferralIn,
        model=Referral,
        labels={
            "to_organisation": _("Refer to"),
            "kind": _("Kind"),
            "service": _("For the service"),
            "reason": _("What is asked of them"),
            "consent": _("With the consent"),
        },
        required=("kind",),
        chosen_from_records=("to_organisation", "consent"),
        radios=("kind",),
        rows={"reason": 3},
    )
):
    def __init__(self, *args: Any, for_child: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if for_child:
            # A child's referral shares the child's record; a transfer moves the mother's.
            del self.fields["shares_children"], self.fields["shares_legal"], self.fields["kind"]


# The answer is the button pressed (`action`); the note is typed.
AnswerForm = form_for(
    actions.AnswerIn,
    exclude=("action",),
    labels={"note": _("Reason or note (a reason is needed to decline)")},
    rows={"note": 3},
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
