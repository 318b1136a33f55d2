"""The legal pages: each role's access, scope (404 outside it), query counts, and changes
made through the forms."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from motherline.accounts.models import AuditEvent
from motherline.legal import services
from motherline.legal.models import DossierStatus, Hearing, LegalCase, PardonRound, ReleaseCandidate
from tests.conftest import TODAY
from tests.legal.conftest import convicted_mother


def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def case(users, mother, courts):
    return services.open_case(
        users["legal_officer"],
        mother,
        {"court": "KH-FI-12", "stage": "trial"},
        next_hearing_on=TODAY + timedelta(days=5),
    )


@pytest.fixture
def pardon_round(users):
    return services.create_round(
        users["legal_officer"],
        title="Khmer New Year 2027",
        occasion_date=TODAY + timedelta(days=60),
        submission_deadline=TODAY + timedelta(days=30),
    )


@pytest.fixture
def candidate(users, mother, pardon_round):
    return services.add_candidates(users["legal_officer"], pardon_round, [mother.reference])[0]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("legal_officer", 200),
        ("monitor", 200),
        ("prison_liaison", 200),
        ("administrator", 200),
        ("programme_manager", 200),
        ("analyst", 403),
        ("viewer", 403),
    ],
)
def test_pages_by_role(client, users, case, pardon_round, candidate, role, status):
    signed_in(client, users[role])
    for url in [
        reverse("legal:cases"),
        reverse("legal:case", args=[case.pk]),
        reverse("legal:rounds"),
        reverse("legal:round", args=[pardon_round.pk]),
        reverse("legal:screening"),
        reverse("legal:round_screening", args=[pardon_round.pk]),
        reverse("legal:candidate", args=[candidate.pk]),
    ]:
        assert client.get(url).status_code == status, url


def test_records_outside_scope_are_404(client, users, case, candidate):
    signed_in(client, users["other_monitor"])
    assert client.get(reverse("legal:case", args=[case.pk])).status_code == 404
    assert client.get(reverse("legal:candidate", args=[candidate.pk])).status_code == 404
    page = client.get(reverse("legal:cases"))
    assert case.episode.woman.reference not in page.content.decode()
    woman = case.episode.woman.reference
    assert client.get(reverse("legal:open_case", args=[woman])).status_code == 404


def test_programme_manager_reads_but_cannot_change(client, users, case):
    signed_in(client, users["programme_manager"])
    response = client.post(
        reverse("legal:case", args=[case.pk]),
        {"hearing": "1", "held_on": TODAY.isoformat(), "what_happened": "x"},
    )
    assert response.status_code == 403
    assert not Hearing.objects.exists()


def test_case_list_shows_upcoming_and_stalled_in_few_queries(
    client, users, prisons, offences, case, django_assert_max_num_queries
):
    officer = users["legal_officer"]
    for _ in range(4):
        woman = convicted_mother(officer, prisons["CC2"], offences)
        services.open_case(officer, woman, {"court": "KH-FI-8"})
    signed_in(client, officer)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("legal:cases"))
    assert page.context["upcoming"].total == 1
    assert page.context["stalled"].total == 4
    assert case.episode.woman.reference in page.content.decode()


def test_case_list_pages_by_keyset(client, users, prisons, offences, settings):
    settings.MOTHERLINE_PAGE_SIZE = 2
    officer = users["legal_officer"]
    made = []
    for days in (3, 1, 2):
        woman = convicted_mother(officer, prisons["CC2"], offences)
        made.append(
            services.open_case(officer, woman, {}, next_hearing_on=TODAY + timedelta(days=days))
        )
    signed_in(client, officer)
    first = client.get(reverse("legal:cases")).context["upcoming"]
    assert [c.pk for c in first.items] == [made[1].pk, made[2].pk]
    second = client.get(reverse("legal:cases"), {"upcoming_after": first.next_cursor})
    assert [c.pk for c in second.context["upcoming"].items] == [made[0].pk]


def test_open_case_and_record_hearing_through_the_pages(client, users, mother, courts):
    signed_in(client, users["legal_officer"])
    response = client.post(
        reverse("legal:open_case", args=[mother.reference]),
        {"stage": "trial", "court": "KH-FI-8", "is_strategic": "on", "strategic_issue": ""},
    )
    assert response.status_code == 200 and not LegalCase.objects.exists()
    response = client.post(
        reverse("legal:open_case", args=[mother.reference]),
        {"stage": "trial", "court": "KH-FI-8", "is_strategic": "on", "strategic_issue": "Bail"},
    )
    case = LegalCase.objects.get()
    assert response.status_code == 302 and case.is_strategic
    assert case.court == courts["KH-FI-8"]
    client.post(
        reverse("legal:case", args=[case.pk]),
        {
            "hearing": "1",
            "held_on": TODAY.isoformat(),
            "what_happened": "Adjourned",
            "next_date": (TODAY + timedelta(days=7)).isoformat(),
        },
    )
    case.refresh_from_db()
    assert case.next_hearing_on == TODAY + timedelta(days=7)
    woman_page = client.get(reverse("people:woman", args=[mother.reference])).content.decode()
    assert reverse("legal:case", args=[case.pk]) in woman_page


def test_round_screening_and_candidate_flow_through_the_pages(client, users, prisons, mother):
    signed_in(client, users["legal_officer"])
    response = client.post(
        reverse("legal:rounds"),
        {
            "title": "Independence Day",
            "occasion_date": (TODAY + timedelta(days=40)).isoformat(),
            "submission_deadline": (TODAY + timedelta(days=20)).isoformat(),
        },
    )
    pardon_round = PardonRound.objects.get()
    assert response.status_code == 302
    screening = client.get(reverse("legal:round_screening", args=[pardon_round.pk]))
    assert mother.reference in screening.content.decode()
    # A legal officer sees names: hers is beside her reference, with her prison.
    assert mother.name in screening.content.decode()
    assert prisons["CC2"].display_name in screening.content.decode()
    client.post(
        reverse("legal:round_screening", args=[pardon_round.pk]), {"woman": [mother.reference]}
    )
    candidate = ReleaseCandidate.objects.get()
    url = reverse("legal:candidate", args=[candidate.pk])
    client.post(url, {"status": "submitted", "version": candidate.version})
    candidate.refresh_from_db()
    assert candidate.status == DossierStatus.SUBMITTED
    stale = client.post(url, {"status": "withdrawn", "version": 1}, follow=True)
    assert "changed this record meanwhile" in stale.content.decode()
    assert AuditEvent.objects.filter(action="view", object_type__icontains="candidate").exists()


def test_dossier_download_from_the_candidate_page(client, users, candidate):
    signed_in(client, users["legal_officer"])
    page = client.get(reverse("legal:candidate", args=[candidate.pk])).content.decode()
    url = reverse("legal:dossier", args=[candidate.pk, "km"])
    assert url in page
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert AuditEvent.objects.filter(action="export").exists()
    assert client.get(reverse("legal:dossier", args=[candidate.pk, "fr"])).status_code == 404
    signed_in(client, users["other_monitor"])
    assert client.get(url).status_code == 404


def test_screening_and_round_pages_cost_the_same_for_more_women(
    client, users, prisons, offences, criteria, pardon_round, django_assert_max_num_queries
):
    officer = users["legal_officer"]
    women = [convicted_mother(officer, prisons["CC2"], offences) for _ in range(5)]
    services.add_candidates(officer, pardon_round, [w.reference for w in women[:3]])
    signed_in(client, officer)
    # Two more than before names were shown: the prisons to filter by and the names of the
    # women on the page shown (one query each, whatever the number of women).
    with django_assert_max_num_queries(19):
        page = client.get(reverse("legal:round_screening", args=[pardon_round.pk]))
    assert len(page.context["result"].candidates) == 5
    with django_assert_max_num_queries(13):
        page = client.get(reverse("legal:round", args=[pardon_round.pk]))
    assert page.context["stats"].draft == 3


def test_liaison_sees_only_the_women_held_in_her_prison(client, users, prisons, offences, mother):
    elsewhere = convicted_mother(users["legal_officer"], prisons["KDL"], offences)
    signed_in(client, users["prison_liaison"])
    page = client.get(reverse("legal:screening")).content.decode()
    assert mother.reference in page and elsewhere.reference not in page


def test_screening_is_paged_filtered_by_prison_and_dated(
    client, users, prisons, offences, criteria, monkeypatch
):
    """Strongest first, a page at a time, narrowed to one prison; the day screened on is
    filled in; each woman named with her prison; the audit row lists the page shown."""
    from motherline.legal import views

    monkeypatch.setattr(views, "SCREENING_PAGE", 2)
    officer = users["legal_officer"]
    here = [convicted_mother(officer, prisons["CC2"], offences) for _ in range(3)]
    there = convicted_mother(officer, prisons["KDL"], offences)
    signed_in(client, officer)
    first = client.get(reverse("legal:screening"))
    html = first.content.decode()
    assert f'value="{TODAY.strftime("%d/%m/%Y")}"' in html  # the "On" box is filled in
    rows = first.context["eligible_rows"]
    assert len(rows) == 2 and first.context["next_url"]
    assert [s.rank for s, _ in rows] == [1, 2]
    assert all(who is not None and who.name for _, who in rows)
    shown = AuditEvent.objects.filter(object_type="screening").latest("id")
    assert len(shown.changes["listed"]) == 2
    narrowed = client.get(reverse("legal:screening"), {"prison": "KDL"})
    listed = [s.facts.reference for s, _ in narrowed.context["eligible_rows"]]
    listed += [s.facts.reference for s, _ in narrowed.context["ineligible_rows"]]
    assert listed == [there.reference]
    second = client.get(reverse("legal:screening"), {"prison": "CC2", "page": 2})
    on_second = [s.facts.reference for s, _ in second.context["eligible_rows"]]
    on_second += [s.facts.reference for s, _ in second.context["ineligible_rows"]]
    assert len(on_second) == 1 and on_second[0] in {w.reference for w in here}


def test_a_case_is_titled_with_her_name_for_a_role_that_sees_names(client, users, case):
    woman = case.episode.woman
    signed_in(client, users["legal_officer"])
    page = client.get(reverse("legal:case", args=[case.pk])).content.decode()
    assert f"Legal case of {woman.name}" in page
    listed = client.get(reverse("legal:cases")).content.decode()
    assert woman.name in listed and woman.reference in listed


def test_the_court_is_a_choice_of_the_packs_courts_in_the_readers_language(
    client, users, mother, courts, settings
):
    signed_in(client, users["legal_officer"])
    url = reverse("legal:open_case", args=[mother.reference])
    field = client.get(url).context["form"]["court"]
    assert [code for code, _name in field.field.choices] == ["", "KH-FI-12", "KH-FI-8"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "km"
    khmer = client.get(url).content.decode()
    assert "សាលាដំបូងខេត្តកណ្ដាល" in khmer and "Kandal Provincial Court" not in khmer
    refused = client.post(url, {"stage": "trial", "court": "Kandal Court"})
    assert "court" in refused.context["form"].errors and not LegalCase.objects.exists()


def test_a_case_page_names_its_court_in_the_readers_language(client, users, case, settings):
    signed_in(client, users["legal_officer"])
    url = reverse("legal:case", args=[case.pk])
    english = client.get(url).content.decode()
    assert "Phnom Penh Court of First Instance" in english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "km"
    page = client.get(url)
    khmer = page.content.decode()
    assert "សាលាដំបូងរាជធានីភ្នំពេញ" in khmer and "Phnom Penh Court of First" not in khmer
    assert page.context["case_form"]["court"].value() == "KH-FI-12"


def test_correcting_the_court_on_the_page_keeps_the_codes_on_the_trail(client, users, case):
    signed_in(client, users["legal_officer"])
    form = client.get(reverse("legal:case", args=[case.pk])).context["case_form"]
    data = {name: value for name, value in form.initial.items() if value not in (None, False)}
    response = client.post(reverse("legal:case", args=[case.pk]), {**data, "court": "KH-FI-8"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.court.code == "KH-FI-8" and case.version == 2
    event = AuditEvent.objects.filter(action="change", object_ref=str(case.pk)).get()
    assert event.changes["values"] == {"court": ["KH-FI-12", "KH-FI-8"]}
