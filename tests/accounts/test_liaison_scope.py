"""A prison liaison officer sees only the women and children of their own prison: another
prison's woman or child is "not found" (404), on the pages and in the API, never "forbidden"
(403), and the answer carries nothing of the record."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from motherline.accounts.models import AuditAction, AuditEvent, Role, User
from tests.conftest import TODAY
from tests.factories import admit, child_in_prison, children_of, reload


@pytest.fixture
def kandal_liaison(orgs, prisons):
    return User.objects.create_user(
        username="kandal_liaison",
        organisation=orgs["ngo"],
        role=Role.PRISON_LIAISON,
        prison=prisons["KDL"],
    )


@pytest.fixture
def cc2_mother(users, prisons):
    return reload(
        admit(
            users["monitor"],
            prisons["CC2"],
            name="Chanthou Secretname",
            register_number="CC2-SECRET-1",
            admission_date=TODAY - timedelta(days=30),
            children=[child_in_prison(date(2024, 1, 5), name="Vibol Secretchild")],
        )
    )


def _assert_not_found_without_details(response, mother, child):
    assert response.status_code == 404
    body = response.content.decode()
    for secret in ("Secretname", "Secretchild", "CC2-SECRET-1", "Correctional Centre 2"):
        assert secret not in body


def test_liaison_of_another_prison_gets_404_for_the_woman_and_child_pages(
    client, kandal_liaison, cc2_mother
):
    child = children_of(cc2_mother)[0]
    client.force_login(kandal_liaison)
    pages = [
        reverse("people:woman", args=[cc2_mother.reference]),
        reverse("people:edit_woman", args=[cc2_mother.reference]),
        reverse("people:transfer", args=[cc2_mother.reference]),
        reverse("people:release", args=[cc2_mother.reference]),
        reverse("people:child", args=[child.reference]),
        reverse("people:move_child_out", args=[child.reference]),
        reverse("care:open", args=[child.reference]),
    ]
    for url in pages:
        _assert_not_found_without_details(client.get(url), cc2_mother, child)
    # Nor is she in the list or the search.
    listing = client.get(reverse("people:women"), {"q": "Secretname"})
    assert listing.status_code == 200
    # (The search words themselves are echoed back in the form.)
    assert "Chanthou" not in listing.text
    assert cc2_mother.reference not in listing.text
    # A refused look is not a view of the record: under the liaison's name the trail holds
    # only the refusals (one per page), never a view of her or her child.
    about_them = AuditEvent.objects.filter(
        user=kandal_liaison, object_ref__in=[cc2_mother.reference, child.reference]
    )
    assert set(about_them.values_list("action", flat=True)) == {AuditAction.REFUSED}
    assert about_them.count() == len(pages)


def test_liaison_of_another_prison_gets_404_in_the_api(client, kandal_liaison, cc2_mother):
    child = children_of(cc2_mother)[0]
    client.force_login(kandal_liaison)
    for url in (
        f"/api/v1/women/{cc2_mother.reference}",
        f"/api/v1/children/{child.reference}",
        f"/api/v1/children/{child.reference}/plan",
    ):
        response = client.get(url)
        _assert_not_found_without_details(response, cc2_mother, child)
        assert response.json() == {"detail": "Not found."}
    response = client.post(
        f"/api/v1/women/{cc2_mother.reference}/release",
        {"release_date": TODAY.isoformat(), "reason": "end_of_sentence", "version": 1},
        content_type="application/json",
    )
    _assert_not_found_without_details(response, cc2_mother, child)
    cc2_mother.refresh_from_db()
    assert cc2_mother.current_episode_id is not None
    listing = client.get("/api/v1/women", {"q": "Secretname"})
    assert listing.status_code == 200
    assert listing.json()["total"] == 0


def test_the_liaison_of_her_prison_sees_her(client, users, cc2_mother):
    client.force_login(users["prison_liaison"])
    assert client.get(reverse("people:woman", args=[cc2_mother.reference])).status_code == 200
    assert client.get(f"/api/v1/women/{cc2_mother.reference}").status_code == 200
