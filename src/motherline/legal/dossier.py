"""The pardon dossier of a candidate, as PDF in English or Khmer.

Everything in it comes from the records (her custody, her children, the criteria she met
with their evidence, as kept when she was screened) and from reviewed paragraphs in the
template `legal/dossier_pdf.html`, each chosen by a fact of the record and citing the
Bangkok Rules and the pack's law. Nothing is written that the records do not support.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, User
from motherline.jurisdictions.models import ScreeningCriterion
from motherline.jurisdictions.rules import add_months
from motherline.legal import queries
from motherline.legal.models import ReleaseCandidate
from motherline.legal.rules import localised, share_served
from motherline.people.models import Child, Placement, PlacementKind
from motherline.reports.download import attachment


@dataclass(frozen=True)
class ChildSituation:
    reference: str
    date_of_birth: date
    years: int
    months: int
    in_prison: bool
    placement: Placement | None
    birth_registered: bool


def age_parts(born: date, on: date) -> tuple[int, int]:
    """Whole years and remaining whole months on `on`."""
    months = (on.year - born.year) * 12 + on.month - born.month
    if add_months(born, months) > on:
        months -= 1
    months = max(months, 0)
    return months // 12, months % 12


def dossier_context(candidate: ReleaseCandidate, today: date) -> dict[str, Any]:
    """What the dossier shows, read in a fixed number of queries."""
    woman = candidate.woman
    episode = candidate.episode
    children = []
    for child in (
        Child.objects.filter(mother=woman)
        .prefetch_related("placements")
        .order_by("date_of_birth", "id")
    ):
        current = [p for p in child.placements.all() if p.end_date is None]
        placement = max(current, key=lambda p: (p.start_date, p.pk), default=None)
        years, months = age_parts(child.date_of_birth, today)
        children.append(
            ChildSituation(
                reference=child.reference,
                date_of_birth=child.date_of_birth,
                years=years,
                months=months,
                in_prison=placement is not None and placement.kind == PlacementKind.IN_PRISON,
                placement=placement,
                birth_registered=child.birth_registered,
            )
        )
    met_codes = [f["code"] for f in candidate.criteria_met]
    law = list(
        ScreeningCriterion.objects.filter(
            jurisdiction_id=candidate.round.jurisdiction_id, remedy="pardon", code__in=met_codes
        ).order_by("-weight", "code")
    )
    # The snapshot was written in the language of whoever screened: show it in this one.
    met = localised(
        candidate.criteria_met,
        {criterion.code: criterion for criterion in law},
        queries.offence_names(),
    )
    served = (
        round(float(share_served(episode.admission_date, episode.sentence_months, today)) * 100)
        if episode.sentence_months
        else None
    )
    pregnancy = woman.pregnancies.filter(outcome="").order_by("-known_since").first()
    age = age_parts(woman.date_of_birth, today)[0] if woman.date_of_birth else None
    # The court of her latest case in this custody, named in the dossier's language.
    case = (
        episode.legal_cases.filter(court__isnull=False)
        .select_related("court")
        .order_by("-opened_on", "-id")
        .first()
    )
    return {
        "candidate": candidate,
        "round": candidate.round,
        "woman": woman,
        "age": age,
        "episode": episode,
        "court": case.court if case else None,
        "charges": list(episode.charges.select_related("offence_category")),
        "served_percent": served,
        "pregnancy": pregnancy,
        "children": children,
        "children_inside": [c for c in children if c.in_prison],
        "children_outside": [c for c in children if not c.in_prison and c.years < 18],
        "met": met,
        "met_codes": set(met_codes),
        "law": law,
        "today": today,
    }


def render(candidate: ReleaseCandidate, language: str, today: date | None = None) -> bytes:
    from motherline.reports.pdf import render_pdf

    with translation.override(language):
        context = dossier_context(candidate, today or timezone.localdate())
    return render_pdf("legal/dossier_pdf.html", context, language)


def pdf_response(
    user: User, candidate: ReleaseCandidate, language: str, *, request: HttpRequest | None = None
) -> HttpResponse:
    """The dossier as a download; the export is on the audit trail."""
    pdf = render(candidate, language)
    audit.record(
        user,
        AuditAction.EXPORT,
        candidate,
        request=request,
        changes={"woman": candidate.woman.reference, "document": "dossier", "language": language},
    )
    return attachment(pdf, "application/pdf", f"dossier-{candidate.woman.reference}-{language}.pdf")
