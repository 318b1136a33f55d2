"""Dates and numbers in the reader's language, on the main pages and in the PDFs.

The pages (worklist, a woman, a child, statistics, screening, grants, services, a legal
case) and three PDFs (a pardon dossier, a donor report, the statistics brief) are rendered
in English and in Khmer from the permission matrix's `world`; their visible text
(`tests.visible`) must hold no ISO day in prose (2026-01-14) and no number of four digits
or more without the locale's grouping ("2537", "16300,00"). The checks themselves are
tested first, so that a check that finds nothing is not taken for a clean page.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from motherline import formatting
from tests.accounts.test_permission_matrix import (  # noqa: F401 (fixtures)
    convicted_mother,
    criteria,
    world,
)
from tests.conftest import TODAY
from tests.visible import context, iso_dates, ungrouped_numbers, visible_text

# --- The helper -------------------------------------------------------------------------


def test_days_in_each_language():
    day = date(2026, 1, 14)
    assert formatting.format_day(day, language="en") == "14 January 2026"
    assert formatting.format_day(day, "short", language="en") == "14 Jan 2026"
    assert formatting.format_day(day, language="km") == "14 ខែ មករា ឆ្នាំ 2026"
    assert formatting.format_day(day, "short", language="km") == "14 មករា 2026"
    assert formatting.format_day("2026-01-14", "short", language="en") == "14 Jan 2026"
    assert formatting.format_month(day, language="km") == "មករា 2026"
    assert formatting.format_day(None) == ""


def test_a_moment_is_in_local_time():
    moment = datetime(2026, 1, 14, 2, 30, tzinfo=UTC)  # 09:30 in Phnom Penh
    assert formatting.format_moment(moment, language="en") == "14 Jan 2026, 09:30"
    assert formatting.format_moment(moment, seconds=True, language="km") == "14 មករា 2026, 09:30:00"


def test_numbers_are_grouped_in_each_language():
    assert formatting.format_number(2537, language="en") == "2,537"
    assert formatting.format_number(-2387, language="km") == "-2,387"
    assert formatting.format_number(Decimal("16300.00"), 2, language="km") == "16,300.00"
    assert formatting.format_money(Decimal("16300"), "USD", language="en") == "16,300.00 USD"
    assert formatting.format_number(5.9, language="en") == "5.9"
    assert formatting.format_number("n/a", language="en") == "n/a"


def test_a_sentence_ends_as_its_language_ends_one():
    assert formatting.sentence("Women in prison", language="en") == "Women in prison."
    assert formatting.sentence("ស្ត្រីក្នុងពន្ធនាគារ", language="km") == "ស្ត្រីក្នុងពន្ធនាគារ។"
    assert formatting.sentence("Done.", language="km") == "Done."


def test_templates_and_python_share_the_helper():
    from django.template import engines

    template = engines["django"].from_string(
        '{{ d|day }} · {{ d|day:"short" }} · {{ n|number }} · {{ a|money:"USD" }}'
    )
    with translation.override("km"):
        text = template.render({"d": date(2026, 1, 14), "n": 2537, "a": Decimal("16300")})
    assert text == "14 ខែ មករា ឆ្នាំ 2026 · 14 មករា 2026 · 2,537 · 16,300.00 USD"


# --- The checks -------------------------------------------------------------------------


def test_the_checks_find_what_they_are_for():
    page = (
        '<p>must leave prison by 2026-01-14</p><time datetime="2026-01-14">14 Jan 2026</time>'
        '<input value="2026-01-14"><table><tr><td>2537</td><td>-2387</td><td>16300,00 USD</td>'
        "<td>1,345</td><td>2026</td><td>W-5CRY83AQ</td><td>Prakas No. 3068</td>"
        "<td>KCM-2026-00003</td><td>6832/2026</td><td>09:30:00</td></tr></table>"
        '<div class="chart-axis"><span>5,000</span><span>0</span></div>'
    )
    text = visible_text(page)
    assert iso_dates(text) == ["2026-01-14"]
    assert ungrouped_numbers(text) == ["2537", "2387", "16300,00"]


# --- Pages and PDFs ---------------------------------------------------------------------

LANGUAGES = ("en", "km")


def problems_in(text: str, where: str) -> list[str]:
    found = [f"{where}: ISO day {d!r} in …{context(text, d)}…" for d in iso_dates(text)]
    found += [f"{where}: ungrouped {n!r} in …{context(text, n)}…" for n in ungrouped_numbers(text)]
    return found


def main_pages(w) -> list[str]:
    return [
        reverse("worklist:list"),
        reverse("people:woman", args=[w.woman.reference]),
        reverse("people:child", args=[w.child.reference]),
        reverse("stats:index"),
        reverse("legal:screening"),
        reverse("legal:case", args=[w.case.pk]),
        reverse("legal:candidate", args=[w.candidate.pk]),
        reverse("grants:list"),
        reverse("grants:detail", args=[w.grant.pk]),
        reverse("grants:deliveries"),
        reverse("care:plan", args=[w.plan.pk]),
    ]


@pytest.mark.usefixtures("frozen_today")
@pytest.mark.parametrize("language", LANGUAGES)
def test_main_pages_write_dates_and_numbers_for_their_reader(language, users, world):  # noqa: F811
    client = Client()
    client.force_login(users["administrator"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    problems = []
    for url in main_pages(world):
        response = client.get(url)
        assert response.status_code == 200, url
        problems += problems_in(visible_text(response.content.decode()), f"{language} {url}")
    # The world's grant is 16,300.00 USD: shown grouped, in both languages.
    grant = client.get(reverse("grants:detail", args=[world.grant.pk])).content.decode()
    assert "16,300.00 USD" in visible_text(grant)
    assert not problems, "\n".join(problems)


def pdf_text(content: bytes, tmp_path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
@pytest.mark.usefixtures("frozen_today")
@pytest.mark.parametrize("language", LANGUAGES)
def test_pdfs_write_dates_and_numbers_for_their_reader(language, users, world, tmp_path):  # noqa: F811
    client = Client()
    client.force_login(users["administrator"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    documents = {
        "dossier": client.get(
            reverse("legal:dossier", args=[world.candidate.pk, language]), follow=True
        ),
        "brief": client.get(reverse("stats:brief"), {"format": "pdf"}),
        "donor report": client.get(
            reverse("grants:report", args=[world.grant.pk]),
            {
                "start": "2026-01-01",
                "end": TODAY.isoformat(),
                "language": language,
                "format": "pdf",
            },
        ),
    }
    problems = []
    for name, response in documents.items():
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf", name
        text = pdf_text(response.content, tmp_path, name.replace(" ", "-"))
        assert text.strip(), name
        problems += problems_in(text, f"{language} {name}")
    assert not problems, "\n".join(problems)
