"""The statistics brief renders in English and Khmer, with published values only."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from motherline.accounts.models import AuditEvent
from motherline.core.actors import SystemActor
from motherline.jurisdictions.loader import load_pack
from motherline.jurisdictions.models import Jurisdiction
from motherline.reports.pdf import render_html
from motherline.stats import publication, services
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


@pytest.fixture
def brief_cache(settings, tmp_path):
    settings.BRIEF_CACHE_DIR = tmp_path / "briefs"
    return settings.BRIEF_CACHE_DIR


def test_the_pdf_is_kept_until_the_data_changes(kh, brief_cache, django_assert_num_queries):
    first = publication.brief_pdf(AS_OF, "en")
    assert first.startswith(b"%PDF") and len(first) > 20_000
    with django_assert_num_queries(1):  # what the data is made of; nothing rendered again
        assert publication.brief_pdf(AS_OF, "en") == first
    khmer = publication.brief_pdf(AS_OF, "km")
    assert khmer != first
    assert len(list(brief_cache.glob("*.pdf"))) == 2
    # A national return imported (through the service, on the audit trail): a new brief.
    content = b"area,date,precision,total,women,source\nKH,2026-06-15,day,99999,9999,Test\n"
    assert services.import_returns(
        SystemActor("import_returns"), content, "national.csv", today=AS_OF
    ).ok
    with django_assert_num_queries(1):
        fingerprint = publication.data_fingerprint()
    second = publication.brief_pdf(AS_OF, "en")
    assert second != first
    assert fingerprint in " ".join(p.name for p in brief_cache.glob("*-en-*.pdf"))
    assert len(list(brief_cache.glob("*-en-*.pdf"))) == 1  # the older one removed


def test_the_pdf_page_reads_the_kept_brief_and_audits_each_download(
    kh, brief_cache, client, django_user_model
):
    from motherline.accounts.models import Organisation

    org = Organisation.objects.create(
        name="NGO", kind="ngo", jurisdiction=Jurisdiction.objects.get(code="KH")
    )
    viewer = django_user_model.objects.create_user(
        username="v", password="x-long-password-1", organisation=org, role="viewer"
    )
    sign_in(client, viewer)
    query = {"as_of": "2026-06-15", "format": "pdf"}
    first = client.get(reverse("stats:brief"), query)
    second = client.get(reverse("stats:brief"), query)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and first.content.startswith(b"%PDF")
    assert len(list(brief_cache.glob("*.pdf"))) == 1
    assert AuditEvent.objects.filter(object_type="stats.brief", action="export").count() == 2


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="needs poppler-utils")
def test_pdfs_embed_the_khmer_font_decompressed_once(kh, brief_cache, tmp_path):
    from pathlib import Path

    from motherline.reports import pdf

    fonts = pdf.pdf_fonts()
    assert set(fonts) == {"regular", "bold"}
    for url in fonts.values():
        assert Path(url.removeprefix("file://")).read_bytes()[:4] == b"\x00\x01\x00\x00"  # TrueType
    assert pdf.pdf_fonts() == fonts  # once per process
    path = tmp_path / "brief-km.pdf"
    path.write_bytes(publication.brief_pdf(AS_OF, "km"))
    listed = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True)
    assert "Noto-Sans-Khmer" in listed.stdout
