"""Admitting a woman through the web form: everything she brings is written together, and
every mistake is shown beside its field with nothing written."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from motherline.accounts.models import AuditAction, AuditEvent
from motherline.people.models import (
    Charge,
    Child,
    CustodyEpisode,
    LegalStatusChange,
    Placement,
    PlacementKind,
    Pregnancy,
    Woman,
)

URL = reverse("people:admit")


@pytest.fixture
def today():
    return timezone.localdate()


def dmy(day: date) -> str:
    """A date as people in Cambodia type it."""
    return day.strftime("%d/%m/%Y")


def child_row(index: int, **fields: str) -> dict[str, str]:
    row = {"sex": "unknown", **fields}
    return {f"children-{index}-{key}": value for key, value in row.items()}


def empty_row(index: int) -> dict[str, str]:
    return child_row(index)


def clear_row(data: dict, index: int) -> None:
    """Empty one child row, as when nothing is typed in it."""
    for key in [k for k in data if k.startswith(f"children-{index}-")]:
        del data[key]
    data.update(empty_row(index))


@pytest.fixture
def data(prisons, offences, today):
    """A full admission: pretrial, pregnant, one child inside and one outside, a third row
    left empty."""
    return {
        "name": "Chan Sreymom",
        "name_latin": "Chan Sreymom",
        "register_number": "CC2-0042",
        "date_of_birth": dmy(date(1994, 4, 12)),
        "nationality": "KH",
        "ethnicity": "khmer",
        "language": "km",
        "is_sole_carer": "on",
        "dependent_children": "2",
        "has_serious_illness": "on",
        "health_notes": "Asthma",
        "consent_scope": "partners",
        "prison": str(prisons["CC2"].pk),
        "admission_date": (today - timedelta(days=30)).isoformat(),
        "legal_status": "pretrial",
        "court": "Phnom Penh Court of First Instance",
        "case_number": "123/2026",
        "offences": [str(offences["theft"].pk), str(offences["drugs"].pk)],
        "is_pregnant": "on",
        "expected_delivery_date": (today + timedelta(days=120)).isoformat(),
        "children-TOTAL_FORMS": "3",
        "children-INITIAL_FORMS": "0",
        "children-MIN_NUM_FORMS": "0",
        "children-MAX_NUM_FORMS": "30",
        **child_row(
            0,
            name="Dara",
            sex="male",
            date_of_birth=dmy(today - timedelta(days=400)),
            living_in_prison="yes",
        ),
        **child_row(
            1,
            name="Vanna",
            sex="female",
            date_of_birth=(today - timedelta(days=365 * 8)).isoformat(),
            dob_is_estimated="on",
            birth_registered="on",
            living_in_prison="no",
            caregiver_name="Srey Mao",
            caregiver_relationship="grandparent",
            caregiver_location="Kandal Stueng, Kandal",
            caregiver_contact="012 345 678",
        ),
        **empty_row(2),
    }


def assert_nothing_written() -> None:
    assert not Woman.objects.exists()
    assert not CustodyEpisode.objects.exists()
    assert not Child.objects.exists()
    assert not Pregnancy.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE).exists()


def error_beside(response, field_id: str) -> bool:
    """The first error of a field is rendered in the field's own block."""
    return f'id="{field_id}_error"' in response.content.decode()


def test_the_form_offers_three_child_rows_and_only_prisons_that_hold_women(client, monitor):
    client.force_login(monitor)
    response = client.get(URL)
    assert response.status_code == 200
    assert len(response.context["children"].forms) == 3
    prisons = {p.code for p in response.context["form"].fields["prison"].queryset}
    assert prisons == {"CC2", "KDL"}
    html = response.content.decode()
    assert 'name="children-2-date_of_birth"' in html
    # Dates are typed day/month/year in a text box, never the browser's locale picker.
    assert 'type="date"' not in html
    assert 'placeholder="dd/mm/yyyy"' in html and 'class="date-input"' in html
    assert "Bangkok Rule 3" in html
    assert "motherline/forms.js" in html


def test_a_full_admission_is_written_with_both_children(client, monitor, prisons, data, today):
    client.force_login(monitor)
    response = client.post(URL, data)

    woman = Woman.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("people:woman", args=[woman.reference])
    assert woman.organisation == monitor.organisation and woman.created_by == monitor
    assert woman.date_of_birth == date(1994, 4, 12)
    assert woman.nationality == "KH" and woman.consent_scope == "partners"
    assert woman.is_sole_carer and woman.is_primary_carer and woman.has_serious_illness
    assert woman.dependent_children == 2
    episode = CustodyEpisode.objects.get()
    assert woman.current_episode == episode
    assert episode.current_prison == prisons["CC2"] == episode.admission_prison
    assert episode.admission_date == today - timedelta(days=30)
    assert episode.case_number == "123/2026"
    assert list(LegalStatusChange.objects.values_list("episode", "status")) == [
        (episode.pk, "pretrial")
    ]
    assert set(Charge.objects.values_list("offence_category__code", flat=True)) == {
        "theft",
        "drug_possession",
    }
    pregnancy = Pregnancy.objects.get()
    assert pregnancy.woman == woman and pregnancy.known_since == episode.admission_date
    assert pregnancy.expected_delivery_date == today + timedelta(days=120)
    dara = next(c for c in Child.objects.all() if c.name == "Dara")
    vanna = next(c for c in Child.objects.all() if c.name == "Vanna")
    assert dara.mother == vanna.mother == woman
    assert (dara.sex, dara.date_of_birth) == ("male", today - timedelta(days=400))
    assert vanna.dob_is_estimated and vanna.birth_registered
    inside = Placement.objects.get(child=dara)
    assert inside.kind == PlacementKind.IN_PRISON and inside.prison == prisons["CC2"]
    outside = Placement.objects.get(child=vanna)
    assert outside.kind == PlacementKind.WITH_CAREGIVER and outside.prison is None
    assert (outside.caregiver_relationship, outside.caregiver_name) == ("grandparent", "Srey Mao")
    assert outside.caregiver_contact == "012 345 678"
    assert Child.objects.count() == 2
    event = AuditEvent.objects.get(action=AuditAction.CREATE)
    assert event.object_ref == woman.reference and event.user == monitor


def test_an_admission_without_children(client, monitor, data):
    for index in (0, 1):
        clear_row(data, index)
    data["dependent_children"] = "0"
    client.force_login(monitor)
    response = client.post(URL, data)
    assert response.status_code == 302
    assert Woman.objects.count() == 1 and not Child.objects.exists()


DAY = timedelta(days=1)

# Each case: what is changed in a valid admission (given today and the prisons), and the id
# of the field that must carry the error.
INVALID = [
    pytest.param(lambda t, p: {"name": ""}, "id_name", id="name missing"),
    pytest.param(
        lambda t, p: {"date_of_birth": t.isoformat()},
        "id_date_of_birth",
        id="birth after admission",
    ),
    pytest.param(
        lambda t, p: {"admission_date": (t + DAY).isoformat()},
        "id_admission_date",
        id="admission in the future",
    ),
    pytest.param(
        lambda t, p: {"admission_date": "31/31/2020"},
        "id_admission_date",
        id="date not understood",
    ),
    pytest.param(
        lambda t, p: {"legal_status": "convicted"},
        "id_sentence_months",
        id="convicted without a sentence",
    ),
    pytest.param(
        lambda t, p: {"expected_release_date": (t - 31 * DAY).isoformat()},
        "id_expected_release_date",
        id="expected release before admission",
    ),
    pytest.param(
        lambda t, p: {"expected_delivery_date": (t - 31 * DAY).isoformat()},
        "id_expected_delivery_date",
        id="delivery before the pregnancy was known",
    ),
    pytest.param(
        lambda t, p: {"is_pregnant": ""},
        "id_expected_delivery_date",
        id="pregnancy dates without a pregnancy",
    ),
    pytest.param(lambda t, p: {"nationality": "K1"}, "id_nationality", id="bad country code"),
    pytest.param(lambda t, p: {"prison": str(p["CC1"].pk)}, "id_prison", id="prison without women"),
    pytest.param(
        lambda t, p: {"children-0-date_of_birth": "1990-01-01"},
        "id_children-0-date_of_birth",
        id="child born before her mother",
    ),
    pytest.param(
        lambda t, p: {"children-0-date_of_birth": (t - 2 * DAY).isoformat()},
        "id_children-0-date_of_birth",
        id="child in prison born after the admission",
    ),
    pytest.param(
        lambda t, p: {"children-1-caregiver_relationship": ""},
        "id_children-1-caregiver_relationship",
        id="child outside with nobody looking after",
    ),
    pytest.param(
        lambda t, p: {"children-0-caregiver_name": "Sok"},
        "id_children-0-caregiver_name",
        id="child in prison with a caregiver outside",
    ),
    pytest.param(
        lambda t, p: {"children-0-living_in_prison": ""},
        "id_children-0-living_in_prison",
        id="no answer to lives in prison",
    ),
]


@pytest.mark.parametrize(("changes", "field_id"), INVALID)
def test_each_mistake_is_shown_beside_its_field_and_nothing_is_written(
    client, monitor, prisons, data, today, changes, field_id
):
    data.update(changes(today, prisons))
    client.force_login(monitor)

    response = client.post(URL, data)

    assert response.status_code == 200
    assert error_beside(response, field_id)
    assert_nothing_written()
    # What was typed is kept, so only the mistake needs correcting.
    assert 'value="CC2-0042"' in response.content.decode()


def test_a_child_error_lands_on_its_own_row_after_an_empty_row(client, monitor, data, today):
    # Row 1 is left empty; the service counts filled rows only, so its "child 1" is row 2.
    clear_row(data, 1)
    data.update(
        child_row(
            2,
            date_of_birth=(today - timedelta(days=700)).isoformat(),
            living_in_prison="no",
        )
    )
    client.force_login(monitor)
    response = client.post(URL, data)
    assert response.status_code == 200
    assert error_beside(response, "id_children-2-caregiver_relationship")
    assert not error_beside(response, "id_children-1-caregiver_relationship")
    assert_nothing_written()


def test_service_errors_for_several_fields_are_all_shown(client, monitor, data, today):
    data["date_of_birth"] = today.isoformat()
    data["legal_status"] = "final"
    client.force_login(monitor)
    response = client.post(URL, data)
    assert error_beside(response, "id_date_of_birth")
    assert error_beside(response, "id_sentence_months")
    assert_nothing_written()


def test_a_liaison_admits_into_her_own_prison_only(client, users, prisons, data):
    liaison = users["prison_liaison"]
    client.force_login(liaison)
    form = client.get(URL).context["form"]
    assert [p.code for p in form.fields["prison"].queryset] == ["CC2"]

    data["prison"] = str(prisons["KDL"].pk)
    response = client.post(URL, data)
    assert response.status_code == 200
    assert error_beside(response, "id_prison")
    assert_nothing_written()

    data["prison"] = str(prisons["CC2"].pk)
    response = client.post(URL, data)
    assert response.status_code == 302
    assert CustodyEpisode.objects.get().current_prison == prisons["CC2"]


@pytest.mark.parametrize("role", ["viewer", "analyst", "programme_manager"])
def test_roles_that_may_not_edit_get_403_and_write_nothing(client, users, data, role):
    client.force_login(users[role])
    assert client.get(URL).status_code == 403
    assert client.post(URL, data).status_code == 403
    assert_nothing_written()


def test_signed_out_visitors_are_sent_to_sign_in(client, data):
    response = client.post(URL, data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert_nothing_written()


def test_every_mistake_shows_at_once_in_a_summary_linking_to_its_field(client, users, prisons):
    """A missing name (a basic error) does not hide the date checks: the date of birth after
    the admission, the release before it and a child born before its mother all show in the
    summary at the top, each linked to its field."""
    client.force_login(users["monitor"])
    data = {
        "name": "",
        "prison": prisons["CC2"].pk,
        "admission_date": "10/02/2025",
        "date_of_birth": "12/02/2025",
        "expected_release_date": "01/01/2025",
        "legal_status": "pretrial",
        "nationality": "KH",
        "consent_scope": "register",
        "dependent_children": "1",
        "children-TOTAL_FORMS": "1",
        "children-INITIAL_FORMS": "0",
        "children-MIN_NUM_FORMS": "0",
        "children-MAX_NUM_FORMS": "30",
        "children-0-name": "Baby",
        "children-0-sex": "female",
        "children-0-date_of_birth": "2025-03-01",
        "children-0-living_in_prison": "yes",
    }
    response = client.post(reverse("people:admit"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"name", "date_of_birth", "expected_release_date"}
    row = response.context["children"].forms[0]
    assert "date_of_birth" in row.errors
    html = response.content.decode()
    summary = html[
        html.index('id="error-summary"') : html.index("</ul>", html.index('id="error-summary"'))
    ]
    for anchor in (
        "#id_name",
        "#id_date_of_birth",
        "#id_expected_release_date",
        "#id_children-0-date_of_birth",
    ):
        assert f'href="{anchor}"' in summary, anchor
    # Typed day/month/year, shown back the same way (12/02 is the 12th of February).
    assert 'value="12/02/2025"' in html
    assert Woman.objects.count() == 0
