"""The one access policy: who sees and who changes which records."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from motherline.accounts import policy
from motherline.accounts.policy import Capability
from motherline.core.actors import SystemActor
from motherline.people.models import Woman
from tests.factories import admit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "sees_names", "edits"),
    [
        ("administrator", True, True),
        ("monitor", True, True),
        ("legal_officer", True, True),
        ("prison_liaison", True, True),
        ("programme_manager", True, False),
        ("analyst", False, False),
        ("viewer", False, False),
    ],
)
def test_capabilities_by_role(users, role, sees_names, edits):
    user = users[role]
    assert policy.can(user, Capability.VIEW_AGGREGATES)
    assert policy.can(user, Capability.VIEW_REGISTER) is sees_names
    assert policy.can(user, Capability.EDIT_REGISTER) is edits


def test_liaison_without_a_prison_sees_aggregates_only(users):
    liaison = users["prison_liaison"]
    liaison.prison = None
    assert policy.capabilities(liaison) == {Capability.VIEW_AGGREGATES}


def test_a_system_actor_reads_the_whole_register_and_changes_none_of_it(users, prisons):
    own = admit(users["monitor"], prisons["CC2"])
    other = admit(users["other_monitor"], prisons["CC2"])
    system = SystemActor("worklist")
    assert policy.capabilities(system) == {
        Capability.VIEW_AGGREGATES,
        Capability.VIEW_REGISTER,
    }
    assert set(Woman.objects.visible_to(system)) == {own, other}
    assert not Woman.objects.editable_by(system).exists()
    assert not policy.may_edit(system, own)
    assert not policy.administered_users(system).exists()
    with pytest.raises(PermissionDenied):
        policy.organisation_id_of(system)


def test_shared_record_is_visible_to_the_partner_but_read_only(users, orgs, prisons):
    shared = admit(users["monitor"], prisons["CC2"], consent_scope="partners")
    private = admit(users["monitor"], prisons["CC2"])
    partner = users["un_monitor"]

    assert list(Woman.objects.visible_to(partner)) == [shared]
    assert not Woman.objects.editable_by(partner).exists()
    assert policy.may_edit(users["monitor"], shared)
    assert not policy.may_edit(partner, shared)
    assert not Woman.objects.visible_to(users["other_monitor"]).filter(pk=private.pk).exists()


def test_partner_gets_no_edit_buttons_and_404_on_edit_pages(client, users, prisons):
    shared = admit(users["monitor"], prisons["CC2"], consent_scope="partners")
    client.force_login(users["un_monitor"])

    page = client.get(reverse("people:woman", args=[shared.reference]))
    assert page.status_code == 200
    assert reverse("people:transfer", args=[shared.reference]).encode() not in page.content

    assert client.get(reverse("people:transfer", args=[shared.reference])).status_code == 404
    api = client.post(
        f"/api/v1/women/{shared.reference}/release",
        {"release_date": "2026-01-02", "reason": "acquittal", "version": 1},
        content_type="application/json",
    )
    assert api.status_code == 404
    shared.refresh_from_db()
    assert shared.current_episode is not None
