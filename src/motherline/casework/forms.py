"""The forms of case work: lengths and choices come from the models."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motherline.casework.models import NOTE_MAX_LENGTH, Document, NoteKind
from motherline.core.forms import DayMonthYearInput, version_field


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
    worker = forms.ModelChoiceField(label=_("Case worker"), queryset=None)  # type: ignore[arg-type]

    def __init__(self, *args: Any, workers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers  # type: ignore[attr-defined]


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
        self.fields["attach_to"].choices = targets  # type: ignore[attr-defined]
        if len(targets) <= 1:
            self.fields["attach_to"].widget = forms.HiddenInput()
