"""The statistics brief renders in English and Khmer, with published values only."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from motherline.accounts.models import AuditEvent
from motherline.jurisdictions.loader import load_pack
from motherline.jurisdictions.models import Jurisdiction
from motherline.reports.pdf import render_html
from motherline.stats import publication
from motherline.synthetic.returns import generate_returns
from tests.stats.conftest import sign_in

AS_OF = date(2026, 6, 15)


@pytest.fixture
def kh(db):
    load_pack("kh")
    generate_returns(Jurisdiction.objects.get(code="KH"), AS_OF)


def test_the_brief_has_the_headline_figures(kh):
    context = publication.brief(AS_OF)
    assert round(context["key"]["growth_women"][0].value) == 98
    assert round(context["key"]["growth_men"][0].value) == 38
    html = render_html("stats/brief.html", context, "en")
    assert "+98%" in html and "+38%" in html
    assert "Kampong Cham" in html  # the province map
    assert "Correctional Centre 2 (Prey Sar)" in html  # the table by prison
    assert "The Cambodia Daily" in html  # the sources


def test_the_khmer_brief_is_in_khmer(kh):
    with translation.override("km"):  # as the command and the page build it
        context = publication.brief(AS_OF)
    html = render_html("stats/brief.html", context, "km")
    assert "សេចក្ដីសង្ខេបស្ថិតិ" in html and "កំពង់ចាម" in html
    assert 'lang="km"' in html
    # Numbers inside the SVG stay machine-readable in every language.
    assert 'fill="#756bb1" x="' in html and "," not in html.split("<svg")[1].split('y="')[0]


@pytest.mark.parametrize("language", ["en", "km"])
def test_the_command_writes_a_pdf(kh, tmp_path, language):
    output = tmp_path / f"brief-{language}.pdf"
    call_command(
        "stats_brief", "--as-of", "2026-06-15", "--language", language, "--output", str(output)
    )
    content = output.read_bytes()
    assert content.startswith(b"%PDF")
    assert len(content) > 20_000  # fonts, charts and tables, not an empty page
    assert AuditEvent.objects.filter(object_type="stats.brief", action="export").count() == 1


def test_the_brief_page_for_a_viewer(kh, client, django_user_model):
    from motherline.accounts.models import Organisation

    org = Organisation.objects.create(
        name="NGO", kind="ngo", jurisdiction=Jurisdiction.objects.get(code="KH")
    )
    viewer = django_user_model.objects.create_user(
        username="v", password="x-long-password-1", organisation=org, role="viewer"
    )
    response = sign_in(client, viewer).get(reverse("stats:brief"), {"as_of": "2026-06-15"})
    assert response.status_code == 200
    assert "+98%" in response.content.decode()
    assert AuditEvent.objects.filter(object_type="stats.brief").count() == 1
    pdf = client.get(reverse("stats:brief"), {"as_of": "2026-06-15", "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(reverse("stats:brief"), {"format": "doc"}).status_code == 400
