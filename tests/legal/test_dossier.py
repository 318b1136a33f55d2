"""The pardon dossier in English and Khmer: built from the records, never invented; each
page rendered to PNG into test-artifacts/ for a person to look at."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

from django.utils import translation

from motherline.legal import dossier, services
from motherline.reports.pdf import render_html
from tests.conftest import TODAY
from tests.factories import child_in_prison, child_outside
from tests.legal.conftest import convicted_mother

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_dossier_from_the_records_in_both_languages(users, prisons, offences, criteria, courts):
    officer = users["legal_officer"]
    woman = convicted_mother(
        officer,
        prisons["CC2"],
        offences,
        name="Sokha Chan",
        is_sole_carer=True,
        dependent_children=2,
        is_pregnant=True,
        pregnancy_known_since=TODAY - timedelta(days=90),
        expected_delivery_date=TODAY + timedelta(days=120),
        children=[child_in_prison(date(2024, 5, 1)), child_outside(date(2017, 2, 10))],
    )
    pardon_round = services.create_round(
        officer,
        title="Khmer New Year 2027",
        occasion_date=TODAY + timedelta(days=60),
        submission_deadline=TODAY + timedelta(days=30),
    )
    services.open_case(officer, woman, {"court": "KH-FI-12", "stage": "appeal"})
    (candidate,) = services.add_candidates(officer, pardon_round, [woman.reference])
    candidate = services.update_candidate(
        officer, candidate, version=candidate.version, argument="Her mother is 80 and ill."
    )
    context = dossier.dossier_context(candidate, TODAY)
    assert [c.years for c in context["children"]] == [9, 2]
    english = render_html("legal/dossier_pdf.html", context, "en")
    assert "Sokha Chan" in english and "2 children" not in english
    assert "One child lives in prison with her." in english
    assert "One dependent child under 18 lives outside." in english
    assert "She is pregnant." in english
    assert "minor and non-violent" in english
    assert "Her mother is 80 and ill." in english
    assert "Bangkok Rules" in english and "General Assembly resolution 65/229" in english
    # The court of her case, in the dossier's language.
    assert "Phnom Penh Court of First Instance" in english
    with translation.override("km"):
        khmer_context = dossier.dossier_context(candidate, TODAY)
    khmer = render_html("legal/dossier_pdf.html", khmer_context, "km")
    assert "វិធានក្រុងបាងកក" in khmer and "ឧត្តមប្រយោជន៍របស់កុមារ" in khmer
    assert "សាលាដំបូងរាជធានីភ្នំពេញ" in khmer and "Court of First Instance" not in khmer
    # The criteria met were kept in English when she was screened; the dossier says them
    # in Khmer.
    assert "កើតនៅ 1 ខែ ឧសភា ឆ្នាំ 2024" in khmer and "born" not in khmer and "2024-05-01" not in khmer

    ARTIFACTS.mkdir(exist_ok=True)
    for language in ("en", "km"):
        pdf = dossier.render(candidate, language, today=TODAY)
        assert pdf.startswith(b"%PDF-")
        path = ARTIFACTS / f"dossier-{language}.pdf"
        path.write_bytes(pdf)
        if shutil.which("pdftoppm"):
            subprocess.run(
                ["pdftoppm", "-r", "60", "-png", str(path), str(ARTIFACTS / f"dossier-{language}")],
                check=True,
            )


def test_a_woman_without_children_gets_no_paragraph_about_children(
    users, prisons, offences, criteria
):
    officer = users["legal_officer"]
    woman = convicted_mother(
        officer,
        prisons["CC2"],
        offences,
        children=[],
        has_serious_illness=False,
        sentence_months=12,
        admission_date=TODAY - timedelta(days=300),
    )
    pardon_round = services.create_round(
        officer,
        title="Independence Day",
        occasion_date=TODAY + timedelta(days=60),
        submission_deadline=TODAY + timedelta(days=30),
    )
    (candidate,) = services.add_candidates(officer, pardon_round, [woman.reference])
    html = render_html("legal/dossier_pdf.html", dossier.dossier_context(candidate, TODAY), "en")
    assert "lives in prison with her" not in html
    assert "She is pregnant" not in html
    assert "No child is recorded." in html
