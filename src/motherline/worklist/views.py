"""The worklist page: what is due for the signed-in user, most urgent first."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from motherline.accounts import audit
from motherline.accounts.policy import Capability, require
from motherline.core.actors import AuthenticatedRequest
from motherline.jurisdictions import local
from motherline.places.models import Prison, Province
from motherline.worklist import queries, rules
from motherline.worklist.forms import WorklistFilterForm

# A longer group is cut on the page (its count stays whole): the filters narrow it.
ROWS_PER_GROUP = 200


@login_required
@require_safe
def worklist(request: AuthenticatedRequest) -> HttpResponse:
    """Every deadline within the user's scope that is overdue or due in the next 90 days,
    grouped by urgency, filtered by prison, province and kind."""
    require(request.user, Capability.VIEW_REGISTER)
    code = local.jurisdiction_of(request.user.organisation_id)
    prisons = list(Prison.objects.filter(province__jurisdiction__code=code).order_by("name"))
    provinces = list(Province.objects.filter(jurisdiction__code=code).order_by("name"))
    form = WorklistFilterForm(request.GET, prisons=prisons, provinces=provinces)
    filters = form.filters()
    as_of: date = timezone.localdate()
    groups = queries.worklist_groups(
        request.user, as_of, filters, per_group=ROWS_PER_GROUP, with_names=True
    )
    audit.record_list(
        request.user,
        "worklist.Item",
        [item.subject.reference for group in groups for item in group.items],
        request=request,
        changes={"filters": audit.filters_for_trail(filters.as_query())},
    )
    return render(
        request,
        "worklist/list.html",
        {
            "heading": _("Worklist"),
            "form": form,
            "filtered": bool(filters.as_query()),
            "groups": groups,
            "total": sum(group.total for group in groups),
            "as_of": as_of,
            "horizon": rules.horizon(as_of),
        },
    )
