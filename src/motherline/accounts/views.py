"""Signing in and the landing page. Sign-in, failed sign-in and sign-out are written to the
audit trail by `accounts.signals`, whichever way the user signs in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from motherline.accounts import services
from motherline.accounts.actions import PreferencesChanges
from motherline.accounts.models import User
from motherline.accounts.policy import Capability, can
from motherline.core.actions import correction_page, form_for
from motherline.core.actors import AuthenticatedRequest


@login_required
@require_safe
def home(request: AuthenticatedRequest) -> HttpResponse:
    """Send the user to their worklist, or to the prisons overview when their role does not
    see personal records; an account with no access yet gets a page that says so instead of
    an error."""
    if can(request.user, Capability.VIEW_REGISTER):
        return redirect("worklist:list")
    if can(request.user, Capability.VIEW_AGGREGATES):
        return redirect("people:prisons")
    return render(request, "home.html")


login_view = auth_views.LoginView.as_view(
    template_name="registration/login.html", redirect_authenticated_user=True
)


def locked_out(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """What django-axes answers a sign-in from a locked-out account and address: HTTP 429
    and when to try again, in the user's language (the lockout is audited by a signal)."""
    minutes = max(1, round(float(settings.AXES_COOLOFF_TIME) * 60))
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)


PreferencesForm = form_for(PreferencesChanges, model=User, required=("language",))


@login_required
def preferences(request: AuthenticatedRequest) -> HttpResponse:
    """The signed-in user's own preferences: the language of what is sent to her and the
    digits dates and numbers are written in."""
    user = request.user
    return correction_page(
        request,
        user,
        PreferencesForm,
        lambda who, _user, changes, **kw: services.set_preferences(who, changes, **kw),
        shown={"language": user.language or settings.LANGUAGE_CODE},
        done=_("Your preferences have been saved."),
        go_to=reverse("preferences"),
        heading=_("Your preferences"),
        lead=_(
            "The language of the alerts sent to you, and how dates and numbers are written "
            "for you. The buttons at the top of every page choose the language of the pages."
        ),
        template="preferences.html",
        context={
            "submit_label": _("Save"),
            "cancel_url": reverse("home"),
            "today": timezone.localdate(),
        },
    )
