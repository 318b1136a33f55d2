"""Forms of the administration pages, derived from the actions' schemas
(`accounts.actions`, which the API takes as its bodies) with `form_for`: lengths and choices
come from the models; what an administrator may choose (their own organisation, the roles they
may give) from the policy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from motherline.accounts import actions
from motherline.accounts.models import Organisation, Role, SharingAgreement, User
from motherline.accounts.policy import is_deployment_administrator, organisation_id_of
from motherline.accounts.services import AccountValues, AgreementValues
from motherline.core.actions import ActionForm, field_label, form_for
from motherline.core.forms import field_of, label_records
from motherline.core.inputs import max_length_of
from motherline.jurisdictions.models import Jurisdiction
from motherline.places.models import Prison

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _role_choices(actor: User) -> list[tuple[str, StrOrPromise]]:
    return [
        (value, label)
        for value, label in Role.choices
        if value != Role.DEPLOYMENT_ADMINISTRATOR or is_deployment_administrator(actor)
    ]


class _AccountFields(forms.Form):
    """The fields of an account's form that the page does not take as the API does: the
    address in an e-mail box, the organisation and the prison chosen from their records (the
    API names them), the language from the server's. They replace the schema's in place. An
    organisation's administrator sees only their organisation and the roles they may give."""

    email = forms.EmailField(
        label=field_label(User, "email"), max_length=max_length_of(User, "email")
    )
    organisation = forms.ModelChoiceField(
        label=field_label(User, "organisation"),
        queryset=Organisation.objects.none(),
        required=False,
    )
    prison = forms.ModelChoiceField(
        label=field_label(User, "prison"),
        queryset=Prison.objects.none(),
        required=False,
        help_text=_("For a prison liaison officer only."),
    )
    language = forms.ChoiceField(
        label=field_label(User, "language"),
        choices=[("", _("The server's language")), *settings.LANGUAGES],
        required=False,
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        field_of(self, "role", forms.ChoiceField).choices = _role_choices(actor)
        organisations = Organisation.objects.filter(is_active=True)
        if not is_deployment_administrator(actor):
            organisations = organisations.filter(pk=organisation_id_of(actor))
        field_of(self, "organisation", forms.ModelChoiceField).queryset = organisations
        prisons = Prison.objects.select_related("province").order_by("province__code", "code")
        prison = field_of(self, "prison", forms.ModelChoiceField)
        prison.queryset = prisons
        label_records(prison, lambda p: p.display_name)

    def account_values(self) -> AccountValues:
        data = self.cleaned_data
        return AccountValues(
            role=data["role"],
            organisation=data.get("organisation"),
            prison=data.get("prison"),
            language=data.get("language") or "",
            email=data["email"],
        )


class AccountForm(_AccountFields, form_for(actions.AccountChangeIn, model=User)):  # type: ignore[misc]
    """Role, organisation, prison, language and address of an account, as they are."""

    def __init__(self, *args: Any, actor: User, account: User, **kwargs: Any) -> None:
        shown = {
            "email": account.email,
            "role": account.role,
            "organisation": account.organisation_id,
            "prison": account.prison_id,
            "language": account.language,
            "version": account.version,
        }
        super().__init__(*args, actor=actor, initial=shown, **kwargs)


class InviteForm(
    _AccountFields,
    form_for(  # type: ignore[misc]
        actions.InviteIn,
        model=User,
        labels={"username": _("User name")},
        help_texts={"username": _("Letters, digits and @ . + - _ only.")},
    ),
):
    field_order = ["username", "email", "role", "organisation", "prison", "language"]

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        self.fields["username"].validators += User._meta.get_field("username").validators
        self.fields["role"].initial = User._meta.get_field("role").default
        if not is_deployment_administrator(actor):
            self.fields["organisation"].initial = actor.organisation_id


def _reason_form(schema: type[actions.ReasonIn]) -> type[ActionForm[Any]]:
    """Why, in a one-line box: a reason is typed afresh each time, never offered from what
    was typed before."""
    form = form_for(schema, labels={"reason": _("Why")}, rows={"reason": 1})
    form.base_fields["reason"].widget.attrs["autocomplete"] = "off"
    return form


# Why, for an action that overwrites nothing (a reset of the second factor).
ReasonForm = _reason_form(actions.ReasonIn)
# Why, for a change of a record read at a version (an account's deactivation, the end of an
# agreement).
VersionedReasonForm = _reason_form(actions.EndIn)


class OrganisationForm(
    form_for(actions.OrganisationIn, model=Organisation, exclude=("jurisdiction",))  # type: ignore[misc]
):
    """A new organisation: the fields of `accounts.actions.OrganisationIn`, its country chosen
    from the loaded packs."""

    jurisdiction = forms.ModelChoiceField(
        label=field_label(Organisation, "jurisdiction"),
        queryset=Jurisdiction.objects.all(),
    )


OrganisationCorrectionForm = form_for(
    actions.OrganisationChanges, model=Organisation, required=("name",)
)


class AgreementForm(
    form_for(  # type: ignore[misc]
        actions.AgreementIn,
        model=SharingAgreement,
        exclude=("sharer", "partner"),
        labels={"starts_on": _("From"), "ends_on": _("Until (leave empty if it has no end)")},
        rows={"terms": 3},
    )
):
    """An agreement recorded by the organisation that shares (a deployment administrator
    chooses which one): the fields of `accounts.actions.AgreementIn`, the organisations
    chosen from their records (the API names them)."""

    sharer = forms.ModelChoiceField(
        label=field_label(SharingAgreement, "sharer"),
        queryset=Organisation.objects.none(),
    )
    partner = forms.ModelChoiceField(
        label=field_label(SharingAgreement, "partner"),
        queryset=Organisation.objects.none(),
    )

    field_order = [
        "sharer",
        "partner",
        "shares_register",
        "shares_field_work",
        "starts_on",
        "ends_on",
        "agreed_by",
        "terms",
    ]

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("shares_register", "shares_field_work"):
            self.fields[name].initial = actions.AgreementIn.model_fields[name].default
        active = Organisation.objects.filter(is_active=True)
        # The organisation that shares: chosen by a deployment administrator, else one's own.
        self.own_organisation: Organisation | None = None
        if is_deployment_administrator(actor):
            field_of(self, "sharer", forms.ModelChoiceField).queryset = active
        else:
            del self.fields["sharer"]
            self.own_organisation = Organisation.objects.filter(
                pk=organisation_id_of(actor)
            ).first()
            active = active.exclude(pk=organisation_id_of(actor))
        field_of(self, "partner", forms.ModelChoiceField).queryset = active

    def agreement_values(self) -> AgreementValues:
        data = self.cleaned_data
        return AgreementValues(
            sharer=data["sharer"] if self.own_organisation is None else self.own_organisation,
            partner=data["partner"],
            starts_on=data["starts_on"],
            ends_on=data.get("ends_on"),
            agreed_by=data["agreed_by"],
            shares_register=data.get("shares_register", False),
            shares_field_work=data.get("shares_field_work", False),
            terms=data.get("terms", ""),
        )
