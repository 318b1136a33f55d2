"""A record an operation names by id, found through the access policy (`api.access`): seen
by whom may see it, changed by whom may change it, otherwise not found (404)."""

from __future__ import annotations

import pytest
from django.http import Http404

from motherline.api.access import editable_record, visible_record
from motherline.people.models import Woman
from tests.factories import admit


@pytest.fixture
def woman(users, prisons) -> Woman:
    """Her record is the NGO's, shared with its partner (the UN office) by her consent."""
    woman = admit(users["monitor"], prisons["CC2"])
    Woman.objects.filter(pk=woman.pk).update(consent_scope="partners")
    return woman


def test_her_organisation_sees_and_changes_her_record_with_the_relations_asked_for(users, woman):
    for find in (visible_record, editable_record):
        found = find(Woman, users["monitor"], woman.pk, "organisation")
        assert found == woman
        assert Woman._meta.get_field("organisation").is_cached(found)


def test_without_relations_asked_for_none_is_selected(users, woman):
    found = visible_record(Woman, users["monitor"], woman.pk)
    assert not Woman._meta.get_field("organisation").is_cached(found)


def test_a_partner_sees_her_shared_record_but_does_not_find_it_to_change(users, woman):
    assert visible_record(Woman, users["un_monitor"], woman.pk) == woman
    with pytest.raises(Http404):
        editable_record(Woman, users["un_monitor"], woman.pk)


def test_an_outsider_finds_nothing(users, woman):
    for find in (visible_record, editable_record):
        with pytest.raises(Http404):
            find(Woman, users["other_monitor"], woman.pk)
