"""The duplicate check before a new woman is created: romanised and Khmer spelling variants,
date of birth within a year, register number, mother of the same children; never a record
outside the user's scope."""

from datetime import date

import pytest
from django.urls import reverse

from motherline.people import duplicates, phonetic, services
from motherline.people.models import Woman, WomanMatchKey
from tests.factories import admit, child_outside, current_version

ENTERED_DOB = date(1990, 3, 10)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Sok", "Sokh"),
        ("Chhay", "Chay"),
        ("Srey", "Srei"),
        ("Sophal", "Sophall"),
        ("Thida", "Tida"),
        ("សុខ", "សុក"),  # kh and k
        ("ស្រី", "ស្រិ"),  # long and short i
        ("ស្ត្រី", "ស្រ្តី"),  # the subscripts typed in another order
        ("ចាន់", "ចាន"),  # a diacritic left out
    ],
)
def test_spelling_variants_have_one_key(one, other):
    assert phonetic.name_words(one) == phonetic.name_words(other) != []


def test_different_names_have_different_keys():
    assert phonetic.name_words("Sok") != phonetic.name_words("Sam")
    assert phonetic.name_words("សុខ") != phonetic.name_words("សំ")


@pytest.fixture
def sok_srey(monitor, prisons):
    return admit(
        monitor,
        prisons["CC2"],
        name="សុខ ស្រី",
        name_latin="Sok Srey",
        register_number="CC2-2019-0042",
        date_of_birth=date(1990, 6, 1),
        children=[child_outside(date(2015, 4, 2), name="Dara")],
    )


def _refs(found):
    return [c.reference for c in found]


def test_finds_her_by_romanised_variant_and_date_of_birth_within_a_year(monitor, sok_srey):
    found = duplicates.candidates(
        monitor, duplicates.Entered(name="", name_latin="Sokh Srei", date_of_birth=ENTERED_DOB)
    )
    assert _refs(found) == [sok_srey.reference]
    assert duplicates.Reason.NAME_LATIN in found[0].reasons
    assert duplicates.Reason.DATE_OF_BIRTH in found[0].reasons


def test_finds_her_by_khmer_spelling_variant(monitor, sok_srey):
    found = duplicates.candidates(monitor, duplicates.Entered(name="សុក ស្រិ"))
    assert _refs(found) == [sok_srey.reference]
    assert found[0].reasons[0] == duplicates.Reason.NAME


def test_a_name_alike_born_years_apart_is_not_proposed(monitor, sok_srey):
    found = duplicates.candidates(
        monitor, duplicates.Entered(name_latin="Sok Srey", name="", date_of_birth=date(1970, 1, 1))
    )
    assert found == []


def test_finds_her_by_register_number_and_by_her_children(monitor, sok_srey):
    by_register = duplicates.candidates(
        monitor, duplicates.Entered(name="Someone Else", register_number=" cc2-2019-0042 ")
    )
    assert _refs(by_register) == [sok_srey.reference]
    assert by_register[0].reasons == [duplicates.Reason.REGISTER_NUMBER]
    by_child = duplicates.candidates(
        monitor,
        duplicates.Entered(name="Another Name", children=[(date(2015, 4, 2), "Darra")]),
    )
    assert _refs(by_child) == [sok_srey.reference]
    assert by_child[0].children_born == [date(2015, 4, 2)]
    # The same birthday with another child's name is not enough.
    assert (
        duplicates.candidates(
            monitor, duplicates.Entered(name="Another", children=[(date(2015, 4, 2), "Vanna")])
        )
        == []
    )


def test_never_shows_a_record_outside_the_users_scope(users, sok_srey):
    # The NGO's woman (consent: register only) is invisible to the UN partner and to an
    # unrelated organisation.
    for username in ("un_monitor", "other_monitor"):
        found = duplicates.candidates(
            users[username],
            duplicates.Entered(
                name="សុខ ស្រី", name_latin="Sok Srey", register_number="CC2-2019-0042"
            ),
        )
        assert found == [], username


def test_match_keys_are_digests_not_names(sok_srey):
    digests = set(WomanMatchKey.objects.filter(woman=sok_srey).values_list("digest", flat=True))
    assert digests and all(isinstance(d, int) for d in digests)


def test_the_api_answers_409_with_the_candidates_unless_confirm_new(client, monitor, sok_srey):
    client.force_login(monitor)
    body = {
        "prison": "CC2",
        "admission_date": "2026-05-01",
        "name": "សុក ស្រិ",
        "name_latin": "Sokh Srei",
        "date_of_birth": "1990-03-10",
    }
    answer = client.post(reverse("api:women"), body, content_type="application/json")
    assert answer.status_code == 409
    candidate = answer.json()["candidates"][0]
    assert candidate["reference"] == sok_srey.reference
    assert set(candidate) == {"reference", "reasons", "explanation", "in_custody", "may_readmit"}
    assert Woman.objects.count() == 1
    created = client.post(
        reverse("api:women"), {**body, "confirm_new": True}, content_type="application/json"
    )
    assert created.status_code == 201
    assert Woman.objects.count() == 2


def test_the_form_offers_this_is_her_or_a_different_person(client, monitor, prisons, sok_srey):
    services.record_release(
        monitor,
        sok_srey.current_episode,
        date(2026, 5, 1),
        "end_of_sentence",
        version=current_version(sok_srey.current_episode),
    )
    client.force_login(monitor)
    data = {
        "name": "សុខ ស្រី",
        "name_latin": "Sokh Srey",
        "nationality": "KH",
        "dependent_children": "0",
        "consent_scope": "register",
        "prison": prisons["CC2"].pk,
        "admission_date": "2026-05-01",
        "legal_status": "pretrial",
        "children-TOTAL_FORMS": "0",
        "children-INITIAL_FORMS": "0",
        "children-MIN_NUM_FORMS": "0",
        "children-MAX_NUM_FORMS": "30",
    }
    shown = client.post(reverse("people:admit"), data)
    assert shown.status_code == 200
    assert sok_srey.reference in shown.text
    assert reverse("people:readmit", args=[sok_srey.reference]) in shown.text
    assert Woman.objects.count() == 1
    created = client.post(reverse("people:admit"), {**data, "confirm_new": "1"})
    assert created.status_code == 302
    assert Woman.objects.count() == 2
