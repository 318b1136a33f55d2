"""Forms of the administration pages. Lengths and choices come from the models; what an
administrator may choose (their own organisation, the roles they may give) from the policy."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from motherline.accounts.actions import OrganisationChanges, OrganisationIn
from motherline.accounts.models import Organisation, Role, SharingAgreement, User
from motherline.accounts.policy import is_deployment_administrator
from motherline.accounts.services import AccountValues, AgreementValues
from motherline.core.actions import form_for
from motherline.core.forms import DayMonthYearInput, version_field
from motherline.jurisdictions.models import Jurisdiction
from motherline.places.models import Prison

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def _date_field(label: Any, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUT_FORMATS,
        widget=DayMonthYearInput(),
    )


def _role_choices(actor: Any) -> list[tuple[str, str]]:
    return [
        (value, label)
        for value, label in Role.choices
        if value != Role.DEPLOYMENT_ADMINISTRATOR or is_deployment_administrator(actor)
    ]


class AccountForm(forms.ModelForm):
    """Role, organisation, prison, language and address of an account. An organisation's
    administrator sees only their organisation and the roles they may give."""

    version = version_field()

    class Meta:
        model = User
        fields = ["email", "role", "organisation", "prison", "language"]

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["email"].required = True
        self.fields["role"].choices = _role_choices(actor)
        organisations = Organisation.objects.filter(is_active=True)
        if not is_deployment_administrator(actor):
            organisations = organisations.filter(pk=actor.organisation_id)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].required = False
        prisons = Prison.objects.select_related("province").order_by("province__code", "code")
        self.fields["prison"].queryset = prisons
        self.fields["prison"].label_from_instance = lambda p: p.display_name
        self.fields["prison"].help_text = _("For a prison liaison officer only.")
        self.fields["language"] = forms.ChoiceField(
            label=self.fields["language"].label,
            choices=[("", _("The server's language")), *settings.LANGUAGES],
            required=False,
        )
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]

    def _post_clean(self) -> None:
        # The service validates; the model's own full_clean would run before it on an
        # instance that is not saved from this form.
        pass

    def account_values(self) -> AccountValues:
        data = self.cleaned_data
        return AccountValues(
            role=data["role"],
            organisation=data.get("organisation"),
            prison=data.get("prison"),
            language=data.get("language") or "",
            email=data["email"],
        )


class InviteForm(AccountForm):
    username = forms.CharField(
        label=_("User name"),
        max_length=User._meta.get_field("username").max_length,
        validators=User._meta.get_field("username").validators,
        help_text=_("Letters, digits and @ . + - _ only."),
    )

    field_order = ["username", "email", "role", "organisation", "prison", "language"]

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        if not is_deployment_administrator(actor):
            self.fields["organisation"].initial = actor.organisation_id


class ReasonForm(forms.Form):
    """Why, for an action that overwrites nothing (a reset of the second factor)."""

    reason = forms.CharField(
        label=_("Why"), max_length=500, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )


class VersionedReasonForm(ReasonForm):
    """Why, for a change of a record read at a version (an account's deactivation, the end
    of an agreement)."""

    version = version_field()


class OrganisationForm(
    form_for(OrganisationIn, model=Organisation, exclude=("jurisdiction",))  # type: ignore[misc]
):
    """A new organisation: the fields of `accounts.actions.OrganisationIn`, its country chosen
    from the loaded packs."""

    jurisdiction = forms.ModelChoiceField(
        label=capfirst(Organisation._meta.get_field("jurisdiction").verbose_name),
        queryset=Jurisdiction.objects.all(),
    )


OrganisationCorrectionForm = form_for(OrganisationChanges, model=Organisation, required=("name",))


class AgreementForm(forms.ModelForm):
    """An agreement recorded by the organisation that shares (a deployment administrator
    chooses which one)."""

    starts_on = _date_field(_("From"))
    ends_on = _date_field(_("Until (leave empty if it has no end)"), required=False)

    class Meta:
        model = SharingAgreement
        fields = [
            "sharer",
            "partner",
            "shares_register",
            "shares_field_work",
            "starts_on",
            "ends_on",
            "agreed_by",
            "terms",
        ]
        widgets = {"terms": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        active = Organisation.objects.filter(is_active=True)
        if is_deployment_administrator(actor):
            self.fields["sharer"].queryset = active
        else:
            del self.fields["sharer"]
            self.sharer = Organisation.objects.filter(pk=actor.organisation_id).first()
            active = active.exclude(pk=actor.organisation_id)
        self.fields["partner"].queryset = active

    def _post_clean(self) -> None:
        pass

    def agreement_values(self) -> AgreementValues:
        data = self.cleaned_data
        return AgreementValues(
            sharer=data.get("sharer") or self.sharer,
            partner=data["partner"],
            starts_on=data["starts_on"],
            ends_on=data.get("ends_on"),
            agreed_by=data["agreed_by"],
            shares_register=data.get("shares_register", False),
            shares_field_work=data.get("shares_field_work", False),
            terms=data.get("terms", ""),
        )
