"""Correcting her details on the web: the form comes filled in, a save is redirected to her
page, and a page loaded before someone else's change is refused with what was typed kept."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from motherline.accounts.models import AuditAction, AuditEvent
from motherline.people import services
from motherline.people.models import Woman
from tests.factories import admit, reload


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def woman(monitor, prisons, today):
    return reload(
        admit(
            monitor,
            prisons["CC2"],
            admission_date=today - timedelta(days=100),
            name="Sokha Chan",
            register_number="REG-777",
            date_of_birth=date(1990, 3, 10),
            health_notes="Asthma",
            today=today,
        )
    )


def url(woman: Woman) -> str:
    return reverse("people:edit_woman", args=[woman.reference])


def form_data(woman: Woman, **changes: Any) -> dict[str, Any]:
    """What the browser sends for her record as it is, with `changes` typed in."""
    values = {name: getattr(woman, name) for name in services.WOMAN_CORRECTABLE}
    values.update(version=woman.version, **changes)
    data: dict[str, Any] = {}
    for name, value in values.items():
        if value is True:
            data[name] = "on"
        elif value is False or value is None:
            continue  # an unticked box or an empty date is not sent
        elif isinstance(value, date):
            data[name] = value.isoformat()
        else:
            data[name] = str(value)
    return data


def test_the_form_is_filled_in_with_her_record(client, monitor, woman):
    client.force_login(monitor)
    response = client.get(url(woman))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["name"] == "Sokha Chan"
    assert form.initial["date_of_birth"] == date(1990, 3, 10)
    assert form.initial["version"] == 1
    text = response.text
    assert 'value="Sokha Chan"' in text and 'value="REG-777"' in text
    assert 'name="version" value="1"' in text
    assert "Asthma</textarea>" in text
    # The page shows her name: the read is on the audit trail.
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert (event.user, event.object_ref) == (monitor, woman.reference)


def test_a_correction_is_saved_and_she_is_shown_again(client, monitor, woman):
    client.force_login(monitor)
    data = form_data(
        woman,
        name="Sokhom Chan",
        date_of_birth="11/03/1990",
        is_primary_carer=True,
        dependent_children=2,
        consent_scope="partners",
    )
    response = client.post(url(woman), data)

    assert response.status_code == 302
    assert response["Location"] == reverse("people:woman", args=[woman.reference])
    stored = reload(woman)
    assert (stored.name, stored.date_of_birth, stored.version) == (
        "Sokhom Chan",
        date(1990, 3, 11),
        2,
    )
    assert (stored.is_primary_carer, stored.dependent_children, stored.consent_scope) == (
        True,
        2,
        "partners",
    )
    assert (stored.register_number, stored.health_notes) == ("REG-777", "Asthma")
    change = AuditEvent.objects.get(action=AuditAction.CHANGE)
    assert change.changes["fields"] == [
        "consent_scope",
        "date_of_birth",
        "dependent_children",
        "is_primary_carer",
        "name",
    ]
    page = client.get(response["Location"])
    assert "Her details have been corrected." in [str(m) for m in page.context["messages"]]
    assert "Sokhom Chan" in page.text


def test_a_refused_correction_shows_why_beside_the_field(client, monitor, woman, today):
    client.force_login(monitor)
    response = client.post(
        url(woman), form_data(woman, date_of_birth=today - timedelta(days=5 * 365))
    )

    assert response.status_code == 200
    assert 'id="id_date_of_birth_error"' in response.text
    assert reload(woman).date_of_birth == date(1990, 3, 10)
    assert not AuditEvent.objects.filter(action=AuditAction.CHANGE).exists()


def test_a_blank_name_is_refused(client, monitor, woman):
    client.force_login(monitor)
    response = client.post(url(woman), form_data(woman, name="  "))

    assert response.status_code == 200
    assert 'id="id_name_error"' in response.text
    assert reload(woman).name == "Sokha Chan"


def test_a_page_loaded_before_someone_elses_change_is_refused(client, users, woman):
    # Both opened the form at version 1; the legal officer saved first.
    services.update_woman(users["legal_officer"], woman, {"name": "First Save"}, version=1)
    client.force_login(users["monitor"])
    response = client.post(url(woman), form_data(woman, name="Second Save", language="km"))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.non_field_errors()[0].startswith("Someone else changed this record")
    assert 'class="form-errors"' in response.text
    # What was typed is still there to copy once the page is reloaded.
    assert form["name"].value() == "Second Save"
    assert (
        'value="Second Save"' in response.text and '<option value="km" selected>' in response.text
    )
    stored = reload(woman)
    assert (stored.name, stored.language, stored.version) == ("First Save", "", 2)
    assert AuditEvent.objects.filter(action=AuditAction.CHANGE).count() == 1


def test_a_form_without_its_version_is_refused(client, monitor, woman):
    client.force_login(monitor)
    data = form_data(woman, name="No Version")
    del data["version"]
    response = client.post(url(woman), data)

    assert response.status_code == 200
    assert reload(woman).name == "Sokha Chan"


def test_her_page_offers_the_correction_to_an_editor_only(client, users, woman):
    link = f'href="{url(woman)}"'
    client.force_login(users["monitor"])
    assert link in client.get(reverse("people:woman", args=[woman.reference])).text
    client.force_login(users["programme_manager"])
    response = client.get(reverse("people:woman", args=[woman.reference]))
    assert response.status_code == 200 and link not in response.text


@pytest.mark.parametrize("role", ["viewer", "analyst", "programme_manager"])
def test_roles_that_may_not_edit_get_403(client, users, woman, role):
    client.force_login(users[role])
    assert client.get(url(woman)).status_code == 403
    assert client.post(url(woman), form_data(woman, name="Changed")).status_code == 403
    assert reload(woman).name == "Sokha Chan"


def test_a_woman_of_another_organisation_is_not_found(client, users, woman):
    client.force_login(users["other_monitor"])
    assert client.get(url(woman)).status_code == 404
    assert client.post(url(woman), form_data(woman, name="Changed")).status_code == 404
    assert reload(woman).name == "Sokha Chan"


def test_a_partner_reads_a_shared_record_but_cannot_correct_it(client, users, prisons, today):
    shared = admit(users["monitor"], prisons["CC2"], consent_scope="partners", today=today)
    partner = users["un_monitor"]
    client.force_login(partner)

    page = client.get(reverse("people:woman", args=[shared.reference]))
    assert page.status_code == 200
    assert url(shared) not in page.text
    assert client.get(url(shared)).status_code == 404
    assert client.post(url(shared), form_data(shared, name="Changed")).status_code == 404
    assert reload(shared).name == shared.name
