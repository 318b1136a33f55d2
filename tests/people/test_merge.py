"""Merging two records of one woman: an administrator's audited change, recorded so that it
can be reviewed; the merged record's reference leads to the one kept."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from motherline.accounts.models import AuditAction, AuditEvent, Role, User
from motherline.core.versions import StaleVersion
from motherline.people import duplicates, services
from motherline.people.models import Child, CustodyEpisode, WomanMerge
from tests.conftest import TODAY
from tests.factories import admit, child_outside, current_version, reload


@pytest.fixture
def two_records(monitor, prisons):
    """One woman entered twice: first custody (released), then again as a new person."""
    first = admit(
        monitor,
        prisons["CC2"],
        name="Sok Srey",
        admission_date=TODAY - timedelta(days=800),
        children=[child_outside(date(2015, 4, 2), name="Dara")],
    )
    services.record_release(
        monitor,
        first.current_episode,
        TODAY - timedelta(days=500),
        "end_of_sentence",
        version=current_version(first.current_episode),
    )
    second = admit(
        monitor, prisons["CC2"], name="Sokh Srei", admission_date=TODAY - timedelta(days=40)
    )
    return reload(first), reload(second)


def test_merge_moves_everything_and_leaves_a_pointer(users, two_records):
    kept, gone = two_records
    admin = users["administrator"]
    merge = services.merge_women(
        admin,
        kept,
        gone,
        survivor_version=kept.version,
        merged_version=gone.version,
        reason="Same woman: same mother and date of birth on the prison file.",
    )
    kept, gone = reload(kept), reload(gone)
    assert gone.merged_into == kept
    assert CustodyEpisode.objects.filter(woman=kept).count() == 2
    assert CustodyEpisode.objects.filter(woman=gone).count() == 0
    assert kept.current_episode is not None  # her open custody came with the merged record
    assert Child.objects.filter(mother=kept).count() == 1
    assert merge.moved["people.CustodyEpisode"] and merge.survivor == kept
    events = AuditEvent.objects.filter(action=AuditAction.CHANGE, user=admin)
    assert {e.object_ref for e in events} == {kept.reference, gone.reference}
    # The merged record is never proposed by the duplicate check again.
    found = duplicates.candidates(admin, duplicates.Entered(name="Sokh Srei"))
    assert [c.reference for c in found] == [kept.reference]


def test_merge_is_for_administrators_and_checks_both_versions(users, two_records):
    kept, gone = two_records
    with pytest.raises(PermissionDenied):
        services.merge_women(
            users["monitor"],
            kept,
            gone,
            survivor_version=kept.version,
            merged_version=gone.version,
            reason="x",
        )
    with pytest.raises(StaleVersion):
        services.merge_women(
            users["administrator"],
            kept,
            gone,
            survivor_version=kept.version,
            merged_version=gone.version - 1,
            reason="x",
        )
    assert not WomanMerge.objects.exists() and reload(gone).merged_into is None


def test_two_records_in_custody_at_once_cannot_be_merged(users, monitor, prisons):
    one = admit(monitor, prisons["CC2"])
    two = admit(monitor, prisons["CC2"])
    with pytest.raises(ValidationError) as refused:
        services.merge_women(
            users["administrator"], one, two, survivor_version=1, merged_version=1, reason="x"
        )
    assert "merged" in refused.value.message_dict
    assert not WomanMerge.objects.exists()


def test_the_pages_and_the_api_merge_and_resolve_the_old_reference(client, users, two_records):
    kept, gone = two_records
    client.force_login(users["administrator"])
    url = reverse("people:merge", args=[kept.reference])
    preview = client.post(
        url, {"merged": gone.reference, "reason": "Same woman", "version": kept.version}
    )
    assert preview.status_code == 200 and gone.reference in preview.text
    assert not WomanMerge.objects.exists()
    done = client.post(
        url,
        {
            "merged": gone.reference,
            "reason": "Same woman",
            "version": kept.version,
            "merged_version": gone.version,
            "confirm": "True",
        },
    )
    assert done.status_code == 302
    assert reload(gone).merged_into_id == kept.pk
    old = client.get(reverse("people:woman", args=[gone.reference]))
    assert old.status_code == 302 and old.url == reverse("people:woman", args=[kept.reference])
    api = client.get(reverse("api:woman", args=[gone.reference]))
    assert api.status_code == 200 and api.json()["reference"] == kept.reference


def test_an_administrator_of_another_organisation_gets_404(client, orgs, two_records):
    kept, gone = two_records
    outsider = User.objects.create_user(
        username="other_admin", organisation=orgs["other"], role=Role.ADMINISTRATOR
    )
    client.force_login(outsider)
    assert client.get(reverse("people:merge", args=[kept.reference])).status_code == 404
    answer = client.post(
        reverse("api:merge", args=[kept.reference]),
        {"merged": gone.reference, "reason": "x", "version": 1, "merged_version": 1},
        content_type="application/json",
    )
    assert answer.status_code == 404
    assert reload(gone).merged_into is None


def test_the_api_refuses_a_stale_version_of_either_record(client, users, two_records):
    kept, gone = two_records
    client.force_login(users["administrator"])
    url = reverse("api:merge", args=[kept.reference])
    for versions in ((kept.version + 1000, gone.version), (kept.version, gone.version + 1000)):
        answer = client.post(
            url,
            {
                "merged": gone.reference,
                "reason": "Same woman",
                "version": versions[0],
                "merged_version": versions[1],
            },
            content_type="application/json",
        )
        assert answer.status_code == 409, answer.content
    missing = client.post(
        url, {"merged": gone.reference, "reason": "Same woman"}, content_type="application/json"
    )
    assert missing.status_code == 422 and {"version", "merged_version"} <= set(
        missing.json()["errors"]
    )
    assert reload(gone).merged_into_id is None
    assert (reload(kept).version, reload(gone).version) == (kept.version, gone.version)
