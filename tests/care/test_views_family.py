"""The pages of a child's family outside: the caregivers (list, add with a commune chosen
without JavaScript, link a sibling's, correct from the version read) and the best-interests
assessment (record, a manager's approval, correction). Each asserts the response and what
the database then holds."""

from __future__ import annotations

from html import escape

import pytest
from django.test import Client
from django.urls import reverse

from motherline.accounts.models import AuditAction, AuditEvent
from motherline.care.models import AssessmentStatus, BestInterestsAssessment, Caregiver
from motherline.core.forms import MISSING_VERSION
from tests.care.conftest import TODAY, plan_at, record_caregiver
from tests.factories import admit, child_in_prison, children_of, current_version


@pytest.fixture
def signed_in(client, monitor):
    client.force_login(monitor)
    return client


def caregivers_url(child) -> str:
    return reverse("care:caregivers", args=[child.reference])


def test_the_childs_page_lists_the_caregivers(signed_in, child, monitor, gazetteer):
    record_caregiver(monitor, child, commune="120101", phone="012 345 678")
    page = signed_in.get(reverse("people:child", args=[child.reference]))
    section = page.text[page.text.index('id="caregivers"') :]
    assert "Grandmother Chea" in section and "Grandparent" in section
    assert "Tonle Basak, Chamkar Mon, Phnom Penh" in section and "012 345 678" in section
    assert caregivers_url(child) in section


def test_add_a_caregiver_step_by_step_without_javascript(signed_in, child, gazetteer):
    url = caregivers_url(child)
    typed = {"name": "Chea Sophal", "relationship": "grandparent", "phone": "012 345 678"}
    page = signed_in.post(url, {**typed, "province": "KH-8", "refine": "province"})
    # Nothing saved; what was typed is still there, and the districts are of Kandal only.
    assert page.status_code == 200 and not Caregiver.objects.exists()
    assert 'value="Chea Sophal"' in page.text
    assert '<option value="0801">Kandal Stueng</option>' in page.text
    assert "Chamkar Mon" not in page.text.split('name="district"')[1].split("</select>")[0]
    page = signed_in.post(
        url, {**typed, "province": "KH-8", "district": "0801", "refine": "district"}
    )
    communes = page.text.split('name="commune"')[1].split("</select>")[0]
    assert "Ampov Prey" in communes and "Anlong Romiet" in communes
    assert "Tonle Basak" not in communes
    response = signed_in.post(
        url,
        {
            **typed,
            "province": "KH-8",
            "district": "0801",
            "commune": "080102",
            "address": "Phum Prek",
        },
    )
    assert response.status_code == 302 and response.url == url
    caregiver = Caregiver.objects.get()
    assert (caregiver.name, caregiver.commune.code, caregiver.address) == (
        "Chea Sophal",
        "080102",
        "Phum Prek",
    )
    page = signed_in.get(url)
    assert "Anlong Romiet, Kandal Stueng, Kandal" in page.text
    # The list is a read of the caregivers, on the audit trail by reference.
    event = AuditEvent.objects.filter(object_type="care.Caregiver", action=AuditAction.VIEW)
    assert event.latest("id").changes["listed"] == [caregiver.reference]


def test_a_district_of_another_province_is_refused(signed_in, child, gazetteer):
    response = signed_in.post(
        caregivers_url(child),
        {
            "name": "Chea Sophal",
            "relationship": "grandparent",
            "province": "KH-12",
            "district": "0801",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not Caregiver.objects.exists()


def test_the_khmer_page_names_the_areas_in_khmer(signed_in, child, gazetteer):
    signed_in.cookies["django_language"] = "km"
    page = signed_in.post(
        caregivers_url(child),
        {"name": "ជា សុផល", "relationship": "grandparent", "province": "KH-8", "refine": "p"},
        HTTP_ACCEPT_LANGUAGE="km",
    )
    assert "កណ្ដាលស្ទឹង" in page.text


def test_correct_a_caregiver_from_the_version_read(signed_in, child, monitor, gazetteer):
    caregiver = record_caregiver(monitor, child, commune="080101")
    url = reverse("care:correct_caregiver", args=[child.reference, caregiver.pk])
    page = signed_in.get(url)
    assert 'value="Grandmother Chea"' in page.text
    assert '<option value="080101" selected>Ampov Prey</option>' in page.text
    form = {
        "version": 1,
        "name": "Grandmother Chea Sokha",
        "relationship": "grandparent",
        "province": "KH-8",
        "district": "0801",
        "commune": "080102",
        "address": "Takeo, Bati district",
        "phone": "012 345 678",
    }
    assert signed_in.post(url, form).status_code == 302
    caregiver.refresh_from_db()
    assert (caregiver.name, caregiver.commune.code, caregiver.version) == (
        "Grandmother Chea Sokha",
        "080102",
        2,
    )
    # The same form again, read at version 1: refused with the page's message.
    page = signed_in.post(url, {**form, "phone": "099 999 999"})
    assert page.status_code == 200
    assert "Someone else changed this record" in page.text
    assert Caregiver.objects.get(pk=caregiver.pk).phone == "012 345 678"
    page = signed_in.post(url, {k: v for k, v in form.items() if k != "version"})
    assert str(MISSING_VERSION) in page.text


def test_link_a_caregiver_of_her_other_child(signed_in, monitor, prisons):
    mother = admit(
        monitor,
        prisons["CC2"],
        admission_date=TODAY.replace(year=2025),
        children=[
            child_in_prison(TODAY.replace(year=2023), name="Dara"),
            child_in_prison(TODAY.replace(year=2024), name="Nita"),
        ],
    )
    older, younger = children_of(mother)
    grandmother = record_caregiver(monitor, older)
    page = signed_in.get(caregivers_url(younger))
    assert "A caregiver of her other children" in page.text
    response = signed_in.post(
        reverse("care:link_caregiver", args=[younger.reference]),
        {"caregiver": grandmother.pk, "relationship": "grandparent"},
    )
    assert response.status_code == 302
    assert set(grandmother.children.all()) == {older, younger}


def test_readers_and_partners_see_no_forms(client, users, monitor, prisons):
    shared = admit(
        monitor,
        prisons["CC2"],
        admission_date=TODAY.replace(year=2025),
        consent_scope="partners",
        children=[child_in_prison(TODAY.replace(year=2024))],
    )
    child = children_of(shared)[0]
    record_caregiver(monitor, child)
    for who in ("un_monitor", "programme_manager"):
        client.force_login(users[who])
        page = client.get(caregivers_url(child))
        assert page.status_code == 200 and "Grandmother Chea" in page.text
        assert "Add a caregiver" not in page.text and "Correct" not in page.text
        assert client.post(caregivers_url(child), {"name": "X"}).status_code == 403
    client.force_login(users["other_monitor"])
    assert client.get(caregivers_url(child)).status_code == 404


# Assessments


@pytest.fixture
def plan(monitor, child):
    return plan_at(monitor, child, "assessed")


def assessment_form(questions, **values):
    data = {
        "caregiver": values.pop("caregiver"),
        "assessed_on": TODAY.strftime("%d/%m/%Y"),
        "recommendation": "with_support",
        "reasons": "School fees for a year",
    }
    for q in questions:
        data[f"finding_{q.code}"] = "meets_needs"
        data[f"notes_{q.code}"] = ""
    return {**data, **values}


def test_record_and_approve_an_assessment(signed_in, client, users, monitor, plan, questions):
    grandmother = record_caregiver(monitor, plan.child)
    url = reverse("care:record_assessment", args=[plan.pk])
    page = signed_in.get(url)
    for question in questions:
        assert escape(question.text) in page.text
    assert "Source of this question" in page.text and "not verified" in page.text
    # A concern without saying what: refused beside the question.
    bad = assessment_form(questions, caregiver=grandmother.pk, finding_home_visit="concern")
    page = signed_in.post(url, bad)
    assert page.status_code == 200 and "Say what was found" in page.text
    assert not BestInterestsAssessment.objects.exists()
    response = signed_in.post(url, assessment_form(questions, caregiver=grandmother.pk))
    assert response.status_code == 302
    assessment = BestInterestsAssessment.objects.get()
    assert assessment.status == AssessmentStatus.RECORDED
    child_page = signed_in.get(reverse("people:child", args=[plan.child.reference]))
    assert "Waiting for a programme manager" in child_page.text

    detail = reverse("care:assessment", args=[assessment.pk])
    # The monitor reads it but has no decision to make.
    page = signed_in.get(detail)
    assert "Approve the assessment" not in page.text
    assert signed_in.post(detail, {"approve": "true", "version": 1}).status_code == 403
    manager = Client()
    manager.force_login(users["programme_manager"])
    page = manager.get(detail)
    assert "Approve the assessment" in page.text and "Return it for changes" in page.text
    response = manager.post(detail, {"approve": "false", "notes": "", "version": 1})
    assert response.status_code == 200 and "what must change" in response.text
    response = manager.post(detail, {"approve": "true", "notes": "Agreed", "version": 1})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.APPROVED
    assert assessment.decided_by == users["programme_manager"]
    page = signed_in.get(reverse("care:advance", args=[plan.pk]))
    assert "The child leaves prison to live with Grandmother Chea" in page.text


def test_correct_a_returned_assessment(signed_in, users, monitor, plan, questions):
    from tests.care.test_assessments import decide, record

    grandmother = record_caregiver(monitor, plan.child)
    assessment = record(monitor, plan, grandmother, questions)
    decide(users["programme_manager"], assessment, approve=False, notes="Ask the child")
    url = reverse("care:correct_assessment", args=[assessment.pk])
    page = signed_in.get(url)
    assert "Caregiver assessed: Grandmother Chea" in page.text
    form = assessment_form(questions, caregiver="", recommendation="hand_over", reasons="")
    form.pop("caregiver")
    form["notes_child_views"] = "Smiles with her grandmother"
    response = signed_in.post(url, {**form, "version": current_version(assessment)})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.RECORDED
    assert assessment.recommendation == "hand_over"
    assert assessment.answers.get(question__code="child_views").notes == (
        "Smiles with her grandmother"
    )


def test_an_approved_assessment_is_not_corrected(signed_in, users, monitor, plan, questions):
    from tests.care.conftest import approve_handover

    approved = approve_handover(monitor, plan)
    url = reverse("care:correct_assessment", args=[approved.pk])
    response = signed_in.get(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("care:assessment", args=[approved.pk])
    assert "stands as it was" in response.text
    response = signed_in.post(url, {"version": current_version(approved), "recommendation": "x"})
    assert response.status_code == 200
    approved.refresh_from_db()
    assert approved.status == AssessmentStatus.APPROVED
