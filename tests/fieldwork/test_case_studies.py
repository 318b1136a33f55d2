"""Case studies: draft → consent → anonymised → reviewed by a second person → published;
each step needs what it names, the identifying-text check blocks publication, and
withdrawing consent unpublishes."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from motherline.core.versions import StaleVersion
from motherline.fieldwork import rules, services
from motherline.fieldwork.models import CaseStudy
from tests.conftest import TODAY
from tests.factories import admit, child_in_prison, children_of, reload

NARRATIVE = (
    "Sokha Chan (register {reg}) was arrested on 2024-03-05 while pregnant. Her son Dara, "
    "born 2025-01-05, lives with her in Kandal Provincial Prison."
)


@pytest.fixture
def woman(users, prisons):
    return reload(
        admit(
            users["monitor"],
            prisons["KDL"],
            name="ចាន់ សុខា",
            name_latin="Sokha Chan",
            register_number="KDL-2024-0117",
            children=[child_in_prison(date(2025, 1, 5), name="ដារា", name_latin="Dara")],
        )
    )


def _draft(users, woman, narrative=None):
    return services.draft_case_study(
        users["monitor"],
        services.CaseText(
            title_en="Pregnant in pretrial detention",
            narrative_en=narrative or NARRATIVE.format(reg=woman.register_number),
            title_local="មានផ្ទៃពោះក្នុងការឃុំខ្លួនបណ្តោះអាសន្ន",
            narrative_local="ចាន់ សុខា មានផ្ទៃពោះ។ កូនប្រុសរបស់គាត់ ដារា រស់នៅជាមួយគាត់។",
            tags=["pretrial", "pregnancy", "pretrial"],
        ),
        woman=woman,
        children=children_of(woman),
    )


def _consent(users, case, use="publication"):
    return services.record_consent(
        users["monitor"],
        case,
        on=TODAY,
        given_by="The woman herself",
        use=use,
        version=case.version,
        today=TODAY,
    )


def test_identifying_text_check_catches_names_register_numbers_and_birth_dates():
    found = rules.identifiers(
        [
            (rules.Person("Sokha Chan", "", "KDL-2024-0117", date(1990, 3, 10)), "the woman"),
            (rules.Person("Dara", "", "", date(2025, 1, 5)), "her child"),
        ]
    )
    assert rules.identifying_kinds("Sokha was moved.", found) == [rules.NAME]
    assert rules.identifying_kinds("Register kdl-2024-0117.", found) == [rules.REGISTER_NUMBER]
    assert rules.identifying_kinds("Born 10 March 1990.", found) == [rules.BIRTH_DATE]
    assert rules.identifying_kinds("A woman and her son, Darapich.", found) == []
    text = rules.anonymise("Dara, born 2025-01-05, and Sokha Chan.", found, {})
    assert text == "her child, born 2025, and the woman."
    assert rules.coarsen_dates("on 2024-03-05 and 5/3/2024") == "on March 2024 and March 2024"
    with translation.override("km"):
        assert "2024-03-05" not in rules.coarsen_dates("ថ្ងៃ 2024-03-05")
        assert "March" not in rules.coarsen_dates("ថ្ងៃ 2024-03-05")


def test_the_whole_workflow(users, woman):
    case = _draft(users, woman)
    assert case.tags == ["pregnancy", "pretrial"]
    case = _consent(users, case)
    case = services.anonymise_case(users["legal_officer"], case, version=case.version)
    assert case.status == "anonymised"
    assert "Sokha" not in case.narrative_en and woman.register_number not in case.narrative_en
    assert "March 2024" in case.narrative_en and "2025-01-05" not in case.narrative_en
    assert "a prison in Kandal" in case.narrative_en  # a small prison is named by its province
    assert "សុខា" not in case.narrative_local and "ដារា" not in case.narrative_local
    case = services.review_case(users["programme_manager"], case, version=case.version)
    case = services.publish_case(
        users["programme_manager"], case, version=case.version, today=TODAY
    )
    assert (case.status, case.published_on) == ("published", TODAY)
    case = services.withdraw_consent(users["monitor"], case, version=case.version, today=TODAY)
    assert (case.status, case.published_on, case.consent_withdrawn_on) == ("withdrawn", None, TODAY)
    with pytest.raises(ValidationError):
        services.publish_case(users["programme_manager"], case, version=case.version)


def test_cannot_publish_without_consent_or_review(users, woman):
    case = _draft(users, woman)
    with pytest.raises(ValidationError) as error:
        services.publish_case(users["programme_manager"], case, version=case.version)
    assert {"status", "consent_use"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError):
        services.anonymise_case(users["monitor"], case, version=case.version)
    case = _consent(users, case, use="training")
    case = services.anonymise_case(users["monitor"], case, version=case.version)
    with pytest.raises(ValidationError) as error:
        services.publish_case(users["programme_manager"], case, version=case.version)
    assert "status" in error.value.message_dict
    case = services.review_case(users["programme_manager"], case, version=case.version)
    with pytest.raises(ValidationError) as error:
        services.publish_case(users["programme_manager"], case, version=case.version)
    assert error.value.message_dict["consent_use"] == [
        "The consent given does not cover publication."
    ]
    assert CaseStudy.objects.get().status == "reviewed"


def test_review_by_a_second_person_only(users, woman):
    case = _consent(users, _draft(users, woman))
    case = services.anonymise_case(users["programme_manager"], case, version=case.version)
    with pytest.raises(ValidationError) as error:
        services.review_case(users["programme_manager"], case, version=case.version)
    assert "second person" in error.value.message_dict["status"][0]
    with pytest.raises(PermissionDenied):
        services.review_case(users["monitor"], case, version=case.version)
    admin_review = services.review_case(users["administrator"], case, version=case.version)
    assert admin_review.reviewed_by == users["administrator"]


def test_identifying_text_added_after_review_blocks_publication(users, woman):
    case = _consent(users, _draft(users, woman))
    case = services.anonymise_case(users["monitor"], case, version=case.version)
    case = services.review_case(users["programme_manager"], case, version=case.version)
    # Someone writes the name back in with a direct update: the check still catches it.
    CaseStudy.objects.filter(pk=case.pk).update(
        narrative_en=case.narrative_en + " Ask Sokha about KDL-2024-0117."
    )
    case.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.publish_case(users["programme_manager"], case, version=case.version)
    message = error.value.message_dict["narrative_en"][0]
    assert "a name of the woman or her children" in message
    assert "a prison register number" in message
    assert "Sokha" not in message
    assert CaseStudy.objects.get().status == "reviewed"


def test_editing_sends_it_back_and_versions(users, woman):
    case = _consent(users, _draft(users, woman))
    case = services.anonymise_case(users["monitor"], case, version=case.version)
    with pytest.raises(StaleVersion):
        services.edit_case_text(
            users["monitor"], case, services.CaseText("T", "N"), version=case.version - 1
        )
    case = services.edit_case_text(
        users["monitor"], case, services.CaseText("T", "Sokha again"), version=case.version
    )
    assert case.status == "consented"


def test_pages_walk_the_workflow_and_the_booklet(client, users, woman):
    client.force_login(users["monitor"])
    response = client.post(
        reverse("fieldwork:new_case") + f"?woman={woman.reference}",
        {"title_en": "A story", "narrative_en": "Sokha Chan was moved.", "tags": "transfer"},
    )
    case = CaseStudy.objects.get()
    assert response.status_code == 302 and case.woman == woman
    step = lambda name, **data: client.post(  # noqa: E731
        reverse("fieldwork:case_step", args=[case.pk, name]),
        {"version": CaseStudy.objects.get().version, **data},
    )
    step("consent", consent_on=TODAY.isoformat(), consent_given_by="Her", consent_use="publication")
    step("anonymise")
    assert step("review").status_code == 403  # monitors do not review
    client.force_login(users["programme_manager"])
    step("review")
    step("publish")
    case.refresh_from_db()
    assert case.status == "published"
    page = client.get(reverse("fieldwork:case", args=[case.pk]))
    assert "the woman was moved." in page.text
    for language in ("en", "km"):
        pdf = client.get(reverse("fieldwork:case_booklet"), {"language": language})
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("who", "status"), [("un_monitor", 200), ("other_monitor", 404), ("analyst", 403)]
)
def test_case_study_scope(client, users, woman, who, status):
    case = _draft(users, woman)
    client.force_login(users[who])
    response = client.get(reverse("fieldwork:case", args=[case.pk]))
    assert response.status_code == status
    if status == 200:  # the partner sees the story, not the woman's record it came from
        assert woman.reference not in response.text


def test_case_study_api(client, users, woman):
    from tests.fieldwork.conftest import Api

    api = Api(client, users["monitor"])
    response = api.post(
        "/case-studies",
        {"title_en": "T", "narrative_en": "Sokha Chan, KDL-2024-0117.", "woman": woman.reference},
    )
    assert response.status_code == 201
    case_id = response.json()["id"]
    step = lambda name, **body: api.post(  # noqa: E731
        f"/case-studies/{case_id}/{name}",
        {"version": CaseStudy.objects.get().version, **body},
    )
    assert step("anonymise").status_code == 422  # no consent yet
    assert (
        step(
            "consent", consent_on=str(TODAY), consent_given_by="Her", consent_use="publication"
        ).status_code
        == 200
    )
    body = step("anonymise").json()
    assert "Sokha" not in body["narrative_en"] and "[register number]" in body["narrative_en"]
    assert step("review").status_code == 403
    assert api.post(f"/case-studies/{case_id}/withdraw", {"version": 1}).status_code == 409
    manager = Api(client, users["programme_manager"])
    assert manager.post(f"/case-studies/{case_id}/review", {"version": 3}).status_code == 200
    assert manager.post(f"/case-studies/{case_id}/publish", {"version": 4}).json()["status"] == (
        "published"
    )
    assert Api(client, users["other_monitor"]).get(f"/case-studies/{case_id}").status_code == 404
