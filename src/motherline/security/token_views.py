"""API token pages: a user's own tokens (create, shown once; revoke), and an administrator's
view of the tokens of the accounts they administer (another organisation's is a 404). Thin:
the rules are in `security.tokens`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, User
from motherline.accounts.policy import Capability, administered_users, require
from motherline.core.actors import AuthenticatedRequest
from motherline.core.forms import add_service_errors, posted
from motherline.security import tokens

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# By the capability's value (a token stores the values).
CAPABILITY_LABELS: dict[str, StrOrPromise] = {
    Capability.VIEW_AGGREGATES: gettext_lazy("See the statistics"),
    Capability.VIEW_REGISTER: gettext_lazy("Read personal records"),
    Capability.EDIT_REGISTER: gettext_lazy("Change the register"),
    Capability.ADMINISTER: gettext_lazy("Administer the organisation's accounts"),
    Capability.ADMINISTER_DEPLOYMENT: gettext_lazy("Administer the deployment"),
    Capability.IMPORT_RETURNS: gettext_lazy("Import population returns"),
    Capability.RECORD_FIELDWORK: gettext_lazy("Record field work"),
    Capability.MANAGE_PROGRAMME: gettext_lazy("Manage the programme"),
}


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=tokens.NAME_MAX)
    capabilities = forms.MultipleChoiceField(
        label=gettext_lazy("What it may do"),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Never more than your role: a lowered role limits it at once."),
    )
    expires_in_days = forms.IntegerField(
        label=gettext_lazy("Expires in (days)"),
        min_value=1,
        max_value=tokens.MAX_DAYS,
        initial=90,
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["capabilities"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(c.value, CAPABILITY_LABELS[c]) for c in tokens.grantable(user)]


def _labels(token: tokens.ApiToken) -> list[str]:
    return [str(CAPABILITY_LABELS.get(c, c)) for c in token.capabilities]


def _rows(queryset: QuerySet[tokens.ApiToken]) -> list[dict[str, Any]]:
    live = set(tokens.live(queryset).values_list("pk", flat=True))
    return [{"token": t, "live": t.pk in live, "labels": _labels(t)} for t in queryset]


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def own_tokens(request: AuthenticatedRequest) -> HttpResponse:
    """The signed-in user's tokens, and a new one (its text is shown on this answer only)."""
    user = request.user
    form = TokenForm(posted(request), user=user)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, text = tokens.create_token(
                user,
                form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
                capability_names=form.cleaned_data["capabilities"],
                request=request,
                verified=bool(getattr(user, "is_verified", lambda: False)()),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            created = {"token": token, "text": text}
            form = TokenForm(user=user)
    return render(
        request,
        "security/tokens.html",
        {
            "heading": _("API tokens"),
            "form": form,
            "created": created,
            "rows": _rows(user.api_tokens.all()),
        },
    )


@login_required
@require_POST
def revoke_own(request: AuthenticatedRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(request.user.api_tokens, pk=token_id)
    tokens.revoke_token(token, request.user, request=request)
    messages.success(request, _("The token %(name)s is revoked.") % {"name": token.name})
    return redirect("security:tokens")


@login_required
def user_tokens(request: AuthenticatedRequest, user_id: int) -> HttpResponse:
    """Administrators: the tokens of an account they administer."""
    require(request.user, Capability.ADMINISTER)
    target = get_object_or_404(administered_users(request.user), pk=user_id)
    audit.record(request.user, AuditAction.VIEW, target, request=request, changes={"tokens": True})
    return render(
        request,
        "security/tokens_of_user.html",
        {"account": target, "rows": _rows(target.api_tokens.all())},
    )


@login_required
@require_POST
def revoke_of_user(request: AuthenticatedRequest, user_id: int, token_id: int) -> HttpResponse:
    require(request.user, Capability.ADMINISTER)
    target = get_object_or_404(administered_users(request.user), pk=user_id)
    token = get_object_or_404(target.api_tokens, pk=token_id)
    tokens.revoke_token(token, request.user, request=request)
    messages.success(request, _("The token %(name)s is revoked.") % {"name": token.name})
    return redirect("security:user_tokens", target.pk)
