"""Re-admission: a released woman admitted again keeps one record with two custodies, and the
children who come in with her are her children already on the register."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from motherline.accounts.models import AuditAction, AuditEvent
from motherline.core.versions import StaleVersion
from motherline.people import services
from motherline.people.models import Child, CustodyEpisode, PlacementKind, Woman
from motherline.worklist.models import StaleDeadlines
from tests.conftest import TODAY
from tests.factories import admit, child_in_prison, children_of, current_version, reload

FIRST = TODAY - timedelta(days=500)
RELEASED = TODAY - timedelta(days=400)
AGAIN = TODAY - timedelta(days=30)


@pytest.fixture
def released(monitor, prisons):
    woman = admit(
        monitor,
        prisons["CC2"],
        admission_date=FIRST,
        children=[child_in_prison(date(2024, 11, 1), name="Dara")],
    )
    services.record_release(
        monitor,
        woman.current_episode,
        RELEASED,
        "end_of_sentence",
        version=current_version(woman.current_episode),
    )
    return reload(woman)


def test_readmission_keeps_one_woman_with_two_episodes_and_her_child_linked(
    monitor, prisons, released
):
    dara = children_of(released)[0]
    episode = services.readmit_woman(
        monitor,
        released,
        services.Readmission(
            prison=prisons["CC2"],
            admission_date=AGAIN,
            children=[
                services.ChildDetails(
                    date_of_birth=date.min, living_in_prison=True, existing=dara.reference
                ),
                services.ChildDetails(
                    date_of_birth=date(2026, 1, 2), living_in_prison=True, name="New"
                ),
            ],
        ),
        version=released.version,
        today=TODAY,
    )
    woman = reload(released)
    assert Woman.objects.count() == 1
    assert woman.current_episode == episode
    assert woman.version == released.version + 1
    assert list(
        woman.episodes.order_by("admission_date").values_list("admission_date", flat=True)
    ) == [
        FIRST,
        AGAIN,
    ]
    # Dara is the same child, living in prison with her again; one new child.
    assert Child.objects.filter(mother=woman).count() == 2
    current = dara.placements.get(end_date__isnull=True)
    assert (current.kind, current.prison, current.start_date) == (
        PlacementKind.IN_PRISON,
        prisons["CC2"],
        AGAIN,
    )
    # The earlier placement (with her mother after release) ends on that day.
    assert dara.placements.filter(end_date=AGAIN).count() == 1
    event = next(
        e
        for e in AuditEvent.objects.filter(action=AuditAction.CHANGE, object_ref=woman.reference)
        if "readmission" in e.changes
    )
    assert event.changes["readmission"]["children_linked"] == [dara.reference]
    assert event.changes["readmission"]["children_new"] == 1


def test_readmission_is_refused_while_she_is_in_custody(monitor, prisons):
    woman = admit(monitor, prisons["CC2"], admission_date=FIRST)
    with pytest.raises(ValidationError) as refused:
        services.readmit_woman(
            monitor,
            woman,
            services.Readmission(prison=prisons["CC2"], admission_date=AGAIN),
            version=woman.version,
            today=TODAY,
        )
    assert "She is in custody now" in str(refused.value)
    assert CustodyEpisode.objects.filter(woman=woman).count() == 1


def test_readmission_checks_the_version_and_the_last_release(monitor, prisons, released):
    with pytest.raises(StaleVersion):
        services.readmit_woman(
            monitor,
            released,
            services.Readmission(prison=prisons["CC2"], admission_date=AGAIN),
            version=released.version - 1,
            today=TODAY,
        )
    with pytest.raises(ValidationError) as refused:
        services.readmit_woman(
            monitor,
            released,
            services.Readmission(prison=prisons["CC2"], admission_date=RELEASED - timedelta(1)),
            version=released.version,
            today=TODAY,
        )
    assert "admission_date" in refused.value.message_dict
    assert CustodyEpisode.objects.filter(woman=released).count() == 1


def test_readmission_refuses_a_child_of_another_woman(monitor, prisons, released):
    other = admit(monitor, prisons["CC2"], children=[child_in_prison(date(2025, 1, 1))])
    with pytest.raises(ValidationError) as refused:
        services.readmit_woman(
            monitor,
            released,
            services.Readmission(
                prison=prisons["CC2"],
                admission_date=AGAIN,
                children=[
                    services.ChildDetails(
                        date_of_birth=date.min,
                        living_in_prison=True,
                        existing=children_of(other)[0].reference,
                    )
                ],
            ),
            version=released.version,
            today=TODAY,
        )
    assert "children.0.existing" in refused.value.message_dict


def test_readmission_marks_her_deadlines_stale_in_the_same_transaction(
    monitor, prisons, released, django_capture_on_commit_callbacks
):
    StaleDeadlines.objects.all().delete()
    services.readmit_woman(
        monitor,
        released,
        services.Readmission(prison=prisons["CC2"], admission_date=AGAIN),
        version=released.version,
        today=TODAY,
    )
    assert StaleDeadlines.objects.filter(woman_id=released.pk).exists()


def test_the_page_and_the_api_readmit_her(client, monitor, prisons, released, settings):
    client.force_login(monitor)
    page = reverse("people:readmit", args=[released.reference])
    assert client.get(page).status_code == 200
    dara = children_of(released)[0]
    response = client.post(
        page,
        {
            "version": released.version,
            "prison": prisons["CC2"].pk,
            "admission_date": AGAIN.isoformat(),
            "legal_status": "pretrial",
            "children-TOTAL_FORMS": "1",
            "children-INITIAL_FORMS": "0",
            "children-MIN_NUM_FORMS": "0",
            "children-MAX_NUM_FORMS": "30",
            "children-0-existing": dara.reference,
            "children-0-sex": "unknown",
            "children-0-living_in_prison": "yes",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    woman = reload(released)
    assert woman.episodes.count() == 2 and woman.current_episode.admission_date == AGAIN
    assert dara.placements.get(end_date__isnull=True).kind == PlacementKind.IN_PRISON
    # A second re-admission while she is in custody: refused by the API.
    answer = client.post(
        reverse("api:admissions", args=[woman.reference]),
        {"version": woman.version, "prison": "CC2", "admission_date": TODAY.isoformat()},
        content_type="application/json",
    )
    assert answer.status_code == 422
    assert woman.episodes.count() == 2


def test_the_api_readmits_her_with_her_child(client, monitor, released):
    client.force_login(monitor)
    dara = children_of(released)[0]
    answer = client.post(
        reverse("api:admissions", args=[released.reference]),
        {
            "version": released.version,
            "prison": "CC2",
            "admission_date": AGAIN.isoformat(),
            "children": [{"existing": dara.reference, "living_in_prison": True}],
        },
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["admission_date"] == AGAIN.isoformat()
    assert reload(released).episodes.count() == 2
    stale = client.post(
        reverse("api:admissions", args=[released.reference]),
        {"version": released.version, "prison": "CC2", "admission_date": AGAIN.isoformat()},
        content_type="application/json",
    )
    assert stale.status_code == 409


def test_the_page_refuses_a_readmission_that_does_not_say_its_version(
    client, monitor, prisons, released
):
    from motherline.core.forms import MISSING_VERSION

    client.force_login(monitor)
    response = client.post(
        reverse("people:readmit", args=[released.reference]),
        {
            "prison": prisons["CC2"].pk,
            "admission_date": AGAIN.isoformat(),
            "legal_status": "pretrial",
            "children-TOTAL_FORMS": "0",
            "children-INITIAL_FORMS": "0",
            "children-MIN_NUM_FORMS": "0",
            "children-MAX_NUM_FORMS": "30",
        },
    )
    assert response.status_code == 200
    assert str(MISSING_VERSION) in response.text
    assert reload(released).episodes.count() == 1
