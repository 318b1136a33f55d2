"""Read pages of the register: the prisons overview, the women list, one woman's record and
one child's.

Each view parses its input, asks `accounts.policy` what the user may do, calls
`people.queries` and renders. Writing pages live in `people.edit_views`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from motherline.accounts import audit, policy
from motherline.accounts.models import AuditAction, Role, User
from motherline.accounts.policy import Capability, can, prison_id_of, require
from motherline.core.actors import AuthenticatedRequest
from motherline.jurisdictions import local, reference
from motherline.jurisdictions.rules import StatedRules, birth_registration_due, period_text
from motherline.people import queries, signals
from motherline.people.filters import WomanFilterForm
from motherline.people.models import Child, Woman
from motherline.people.signals import PageSection
from motherline.people.timeline import build_timeline, child_summaries, pregnancy_summaries
from motherline.people.urgent import urgent_items
from motherline.places.models import Prison, Province
from motherline.stats import charts


@login_required
@require_safe
def prison_overview(request: AuthenticatedRequest) -> HttpResponse:
    """Women, pregnant women and children living in each prison now, by province."""
    require(request.user, Capability.VIEW_AGGREGATES)
    code = local.jurisdiction_of(request.user.organisation_id)
    groups = queries.prison_counts(code)
    totals = {
        "women": sum(g.women for g in groups),
        "pregnant": sum(g.pregnant for g in groups),
        "children": sum(g.children for g in groups),
    }
    # The same counts on the province map the statistics page draws (a province without a
    # prison shows no data).
    provinces = Province.objects.filter(jurisdiction__code=code)
    tiles = charts.tile_map(provinces, {g.province.code: g.women for g in groups}, set())
    return render(
        request,
        "people/prison_overview.html",
        {
            "groups": groups,
            "totals": totals,
            "today": timezone.localdate(),
            "map_grid": charts.tile_grid(tiles) if tiles else None,
        },
    )


@login_required
@require_safe
def woman_list(request: AuthenticatedRequest) -> HttpResponse:
    """The register, filtered and paged by keyset (newest record first) or, in another
    order, by page number."""
    require(request.user, Capability.VIEW_REGISTER)
    code = local.jurisdiction_of(request.user.organisation_id)
    prisons = Prison.objects.filter(province__jurisdiction__code=code)
    provinces = Province.objects.filter(jurisdiction__code=code)
    user: User = request.user
    if user.role == Role.PRISON_LIAISON:
        # A liaison officer sees the women of one prison: no other prison to filter by.
        prisons = prisons.filter(pk=prison_id_of(user))
        provinces = provinces.filter(prisons__pk=prison_id_of(user))
    form = WomanFilterForm(
        request.GET,
        prisons=list(prisons.order_by("name")),
        provinces=list(provinces.order_by("name")),
    )
    filters = form.filters()
    size = form.page_size()
    after = form.cursor()
    sort = form.order()
    today = timezone.localdate()
    base_query = dict(filters.as_query())
    if size != settings.MOTHERLINE_PAGE_SIZE:
        base_query["size"] = size
    sorted_page: queries.SortedPage | None = None
    page: queries.Page | None = None
    if sort:
        try:
            sorted_page = queries.list_women_sorted(
                request.user, filters, today, sort, form.page_number(), size
            )
        except queries.TooManyToSortByName:
            messages.warning(
                request,
                _("More than %(limit)s women match: narrow the filters to sort them by name.")
                % {"limit": formats.number_format(queries.NAME_SORT_LIMIT, force_grouping=True)},
            )
            sort = ""
    if sorted_page is not None:
        items, total = sorted_page.items, sorted_page.total
        sorted_query = {**base_query, "sort": sort}
        number = sorted_page.number
        next_url = (
            "?" + urlencode({**sorted_query, "page": number + 1}) if sorted_page.has_next else None
        )
        first_url = "?" + urlencode(sorted_query) if number > 1 else None
        trail = {"filters": audit.filters_for_trail(filters.as_query()), "sort": sort}
    else:
        page = queries.list_women(request.user, filters, today, after=after, size=size)
        items, total = page.items, page.total
        next_url = (
            "?" + urlencode({**base_query, "after": page.next_cursor}) if page.next_cursor else None
        )
        first_url = "?" + urlencode(base_query) if after else None
        trail = {"filters": audit.filters_for_trail(page.filters)}
    audit.record_list(
        request.user,
        "people.Woman",
        [woman.reference for woman in items],
        request=request,
        changes=trail,
    )
    return render(
        request,
        "people/woman_list.html",
        {
            "form": form,
            "page": sorted_page if sorted_page is not None else page,
            "match_count": total,
            "women": items,
            "next_url": next_url,
            "first_url": first_url,
            "today": today,
            "sort": sort,
            "sort_links": _sort_links(base_query, sort),
        },
    )


# The columns the list sorts by: a heading's first click gives its usual order, a second
# click the reverse where there is one.
_SORT_COLUMNS = {
    "name": ("name", "-name"),
    "admitted": ("admitted", "-admitted"),
    "prison": ("prison", "prison"),
    "pretrial": ("pretrial", "pretrial"),
}


def _sort_links(base_query: dict[str, Any], current: str) -> dict[str, dict[str, str]]:
    """For each sortable column: the link that sorts by it and, when the list is in its
    order, which way (for aria-sort)."""
    links = {}
    for column, (usual, reverse) in _SORT_COLUMNS.items():
        target = reverse if current == usual else usual
        direction = ""
        if current in (usual, reverse):
            direction = (
                "descending" if current.startswith("-") or column == "pretrial" else "ascending"
            )
        links[column] = {"url": "?" + urlencode({**base_query, "sort": target}), "aria": direction}
    return links


@login_required
@require_safe
def woman_detail(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    """One woman's record. Outside the user's scope it does not exist (404), so the page
    never confirms that a person is on the register."""
    require(request.user, Capability.VIEW_REGISTER)
    try:
        woman = queries.woman_detail(request.user, reference)
    except Woman.DoesNotExist:
        raise Http404 from None
    if woman.merged_into_id is not None:
        survivor = queries.survivor_of(request.user, reference)
        if survivor is None:
            raise Http404
        messages.info(
            request,
            _("%(old)s was merged into this record.") % {"old": reference},
        )
        return redirect("people:woman", reference=survivor)
    audit.record(request.user, AuditAction.VIEW, woman, request=request)

    episodes = list(woman.episodes.all())
    pregnancies = pregnancy_summaries(woman)
    children = child_summaries(woman)
    today = timezone.localdate()
    may_edit = policy.may_edit(request.user, woman)
    # Each receiver returns a PageSection or None (the stubs say a str).
    responses: list[tuple[Any, Any]] = signals.woman_page_sections.send(
        Woman, woman=woman, user=request.user, today=today, may_edit=may_edit, request=request
    )
    sections: list[PageSection] = sorted(
        (section for _receiver, section in responses if section is not None),
        key=lambda section: section.order,
    )
    return render(
        request,
        "people/woman_detail.html",
        {
            "woman": woman,
            "may_edit": may_edit,
            "sections": sections,
            "episodes": episodes,
            "open_episode": next((e for e in episodes if e.is_open), None),
            "pregnancies": pregnancies,
            "has_ongoing_pregnancy": any(p.pregnancy.is_ongoing for p in pregnancies),
            "children": children,
            "woman_has_child_in_prison": any(c.is_in_prison for c in children),
            "timeline": build_timeline(woman, [e for s in sections for e in s.events]),
            "merges": list(woman.merges.select_related("merged", "merged_by")),
            "identity_labels": _identity_labels(woman),
            "urgent": urgent_items(woman, request.user, today, may_edit),
            # A partner sees a shared record read-only: the page says why there are no buttons.
            "read_only_reason": _read_only_reason(request.user, woman, may_edit),
            "may_merge": may_edit and policy.can(request.user, Capability.ADMINISTER),
            "today": today,
        },
    )


def _read_only_reason(user: User, woman: Woman, may_edit: bool) -> str:
    if may_edit:
        return ""
    if not policy.can(user, Capability.EDIT_REGISTER):
        return _("Your role lets you read the register, not change it.")
    if woman.organisation_id != getattr(user, "organisation_id", None):
        return _(
            "This record belongs to %(org)s, which shares it with your organisation with her "
            "consent: you can read it, but only %(org)s can change it. To report something, "
            "contact them."
        ) % {"org": woman.organisation.display_name}
    return _("She is not held in your prison now: her record is read-only for you.")


def _identity_labels(woman: Woman) -> dict[str, str]:
    """Her nationality, ethnicity and language in words, in the language of the page."""
    jurisdiction = woman.organisation.jurisdiction
    lists = reference.register_lists(jurisdiction.code, jurisdiction.local_language)
    return {
        "nationality": reference.country_name(woman.nationality) if woman.nationality else "",
        "ethnicity": reference.label_of(lists.ethnicities, woman.ethnicity),
        "language": reference.label_of(lists.languages, woman.language),
    }


@login_required
@require_safe
def child_detail(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    """One child's record: who the child is, the mother, where the child has lived, and the
    sections other apps add (the leave-by date and the transition plan, from `care`).
    Outside the user's scope it does not exist (404), like a woman's page."""
    require(request.user, Capability.VIEW_REGISTER)
    try:
        child = (
            Child.objects.visible_to(request.user)
            .select_related("organisation__jurisdiction", "mother__current_episode__current_prison")
            .prefetch_related("placements__prison")
            .get(reference=reference)
        )
    except Child.DoesNotExist:
        raise Http404 from None
    audit.record(request.user, AuditAction.VIEW, child, request=request)
    today = timezone.localdate()
    may_edit = policy.may_edit(request.user, child.mother)
    responses: list[tuple[Any, Any]] = signals.child_page_sections.send(
        Child, child=child, user=request.user, today=today, may_edit=may_edit, request=request
    )
    sections: list[PageSection] = sorted(
        (section for _receiver, section in responses if section is not None),
        key=lambda section: section.order,
    )
    placements = list(child.placements.all())
    current = [p for p in placements if p.end_date is None]
    stated = StatedRules.of(child.organisation.jurisdiction.stated_rules).birth_registration
    registration = None
    if stated is not None and not child.birth_registered:
        registration = {
            "rule": stated,
            "period": period_text(stated.value),
            "due": birth_registration_due(child.date_of_birth, stated.value),
        }
    return render(
        request,
        "people/child_detail.html",
        {
            "child": child,
            "mother": child.mother,
            "placements": placements,
            "current_placement": max(current, key=lambda p: (p.start_date, p.id), default=None),
            "may_edit": may_edit,
            "user_may_view_only": not may_edit and can(request.user, Capability.EDIT_REGISTER),
            "registration": registration,
            "sections": sections,
            "today": today,
        },
    )
