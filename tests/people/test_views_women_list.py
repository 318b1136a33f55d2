"""The women list: who may see it, each filter, search, keyset paging and query counts."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motherline.people import services
from tests.factories import (
    TODAY,
    admit,
    child_in_prison,
    child_outside,
    current_version,
    ongoing_pregnancy,
)

URL = reverse("people:women")


@pytest.fixture(autouse=True)
def _on_today(frozen_today):
    """Every test here runs on TODAY, on the root conftest's one clock."""


def refs(response) -> list[str]:
    return [w.reference for w in response.context["women"]]


@pytest.fixture
def register(users, prisons, offences):
    """Five women of the NGO, each standing out on one filter."""
    monitor = users["monitor"]
    women = {
        # Pretrial 400 days in CC2, pregnant.
        "pregnant": admit(
            monitor,
            prisons["CC2"],
            name="Chanthy Pregnant",
            name_latin="Chanthy Keo",
            register_number="CC2-0001",
            admission_date=TODAY - timedelta(days=400),
            is_pregnant=True,
        ),
        # CC2, a child living with her; pretrial 30 days.
        "mother": admit(
            monitor,
            prisons["CC2"],
            name="Dara Mother",
            admission_date=TODAY - timedelta(days=30),
            children=[child_in_prison(date(2025, 3, 1))],
        ),
        # KDL, convicted, a child outside only.
        "convicted": admit(
            monitor,
            prisons["KDL"],
            name="Kunthea Convicted",
            legal_status="convicted",
            sentence_months=24,
            register_number="KDL-77",
            children=[child_outside(date(2012, 1, 1))],
        ),
        # KDL, pretrial 200 days.
        "kandal": admit(
            monitor,
            prisons["KDL"],
            name="Malis Kandal",
            admission_date=TODAY - timedelta(days=200),
        ),
        # Released from CC2.
        "released": admit(monitor, prisons["CC2"], name="Sreymom Released"),
    }
    services.record_release(
        monitor,
        women["released"].current_episode,
        TODAY - timedelta(days=3),
        "acquittal",
        today=TODAY,
        version=current_version(women["released"].current_episode),
    )
    return women


def get(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


@pytest.mark.parametrize("role", ["analyst", "viewer"])
def test_roles_without_the_register_are_refused(client, users, register, role):
    response = get(client, users[role])
    assert response.status_code == 403
    assert "Chanthy" not in response.text


def test_programme_manager_may_read_the_register(client, users, register):
    response = get(client, users["programme_manager"])
    assert response.status_code == 200
    assert len(refs(response)) == 5


def test_list_shows_every_column(client, users, register):
    response = get(client, users["monitor"])
    assert response.status_code == 200
    assert response.context["page"].total == 5
    text = response.text
    assert "5 women match these filters." in text
    pregnant = register["pregnant"]
    assert pregnant.reference in text
    assert "Chanthy Pregnant" in text and "CC2-0001" in text
    assert reverse("people:woman", args=[pregnant.reference]) in text
    assert ">36<" in text  # born 10 March 1990, on 15 June 2026
    assert ">400<" in text  # days in pretrial
    assert "Convicted at first instance" in text
    assert "Kandal Provincial Prison" in text
    assert 'class="badge badge-pregnant"' in text
    assert 'class="badge badge-child"' in text
    released_on = TODAY - timedelta(days=3)
    assert released_on.strftime("%-d %b %Y") in text


def _filtered(client, user, **params) -> set[str]:
    response = get(client, user, **params)
    assert response.status_code == 200
    assert not response.context["form"].errors
    return set(refs(response))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"prison": "CC2"}, {"pregnant", "mother"}),
        ({"province": "KH-8"}, {"convicted", "kandal"}),
        ({"legal_status": "convicted"}, {"convicted"}),
        ({"legal_status": "pretrial"}, {"pregnant", "mother", "kandal"}),
        ({"pregnant": "1"}, {"pregnant"}),
        ({"pregnant": "0"}, {"mother", "convicted", "kandal", "released"}),
        ({"child_in_prison": "1"}, {"mother"}),
        ({"child_in_prison": "0"}, {"pregnant", "convicted", "kandal", "released"}),
        ({"pretrial_days_over": "180"}, {"pregnant", "kandal"}),
        ({"pretrial_days_over": "365"}, {"pregnant"}),
        ({"in_custody": "1"}, {"pregnant", "mother", "convicted", "kandal"}),
        ({"in_custody": "0"}, {"released"}),
        ({"prison": "CC2", "pregnant": "0"}, {"mother"}),
        ({"q": "chanthy"}, {"pregnant"}),  # name, any case
        ({"q": "Kandal"}, {"kandal"}),
        ({"q": "KDL-77"}, {"convicted"}),  # register number
        ({"q": "kdl-77"}, {"convicted"}),
    ],
)
def test_each_filter(client, users, register, params, expected):
    found = _filtered(client, users["monitor"], **params)
    assert found == {register[key].reference for key in expected}


def test_search_by_reference(client, users, register):
    ref = register["mother"].reference
    assert _filtered(client, users["monitor"], q=ref) == {ref}


def test_search_by_latin_name(client, users, register):
    assert _filtered(client, users["monitor"], q="KEO") == {register["pregnant"].reference}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("pretrial_days_over", "many"),
        ("pretrial_days_over", "-5"),
        ("prison", "NOPE"),
        ("province", "KH-99"),
        ("legal_status", "guilty"),
        ("pregnant", "maybe"),
        ("size", "5000"),
        ("size", "3"),
        ("after", "x"),
    ],
)
def test_bad_filter_values_show_an_error_not_a_crash(client, users, register, field, value):
    response = get(client, users["monitor"], **{field: value})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    # The bad value is left out; the rest of the page still works.
    assert response.context["page"].total == 5
    if field != "after":
        assert 'class="field field-error"' in response.text


def test_liaison_sees_only_her_prison(client, users, register):
    response = get(client, users["prison_liaison"])
    assert set(refs(response)) == {register["pregnant"].reference, register["mother"].reference}


def test_other_organisation_sees_nothing(client, users, register):
    response = get(client, users["other_monitor"])
    assert response.status_code == 200
    assert refs(response) == []
    assert "No woman on the register matches these filters." in response.text


def test_partner_sees_only_women_who_consented_to_sharing(client, users, prisons, register):
    shared = admit(users["monitor"], prisons["CC2"], name="Shared", consent_scope="partners")
    response = get(client, users["un_monitor"])
    assert refs(response) == [shared.reference]


def _walk(client, user, **params) -> tuple[list[str], list[str]]:
    """Follow the next-page links to the end; return the references and the URLs followed."""
    client.force_login(user)
    seen: list[str] = []
    urls: list[str] = []
    response = client.get(URL, params)
    while True:
        seen.extend(refs(response))
        next_url = response.context["next_url"]
        if not next_url:
            return seen, urls
        urls.append(next_url)
        assert f'href="{next_url.replace("&", "&amp;")}"' in response.text
        response = client.get(URL + next_url)


def test_keyset_paging_has_no_duplicates_and_misses_nobody(client, users, prisons):
    made = [admit(users["monitor"], prisons["CC2"]) for _ in range(23)]
    seen, urls = _walk(client, users["monitor"], size="10")
    assert len(urls) == 2
    assert len(seen) == len(set(seen)) == 23
    assert set(seen) == {w.reference for w in made}
    for url in urls:
        assert parse_qs(urlparse(url).query)["size"] == ["10"]


def test_next_page_keeps_the_filters(client, users, prisons):
    pregnant = [admit(users["monitor"], prisons["CC2"], is_pregnant=True) for _ in range(12)]
    for _ in range(5):
        admit(users["monitor"], prisons["CC2"])
    seen, urls = _walk(client, users["monitor"], size="10", pregnant="1", prison="CC2")
    assert set(seen) == {w.reference for w in pregnant}
    assert len(seen) == 12
    query = parse_qs(urlparse(urls[0]).query)
    assert query["pregnant"] == ["1"] and query["prison"] == ["CC2"]


def test_page_size_defaults_to_the_setting(client, users, prisons, settings):
    settings.MOTHERLINE_PAGE_SIZE = 10
    for _ in range(11):
        admit(users["monitor"], prisons["CC2"])
    response = get(client, users["monitor"])
    assert len(refs(response)) == 10
    assert response.context["page"].total == 11
    assert "size=" not in response.context["next_url"]


def _queries_for(client, user, size: int) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, {"size": size})
    assert response.status_code == 200
    return len(ctx)


def test_query_count_is_constant_whatever_the_page_size(client, users, prisons):
    monitor = users["monitor"]
    for i in range(5):
        w = admit(
            monitor,
            prisons["CC2"],
            is_pregnant=True,
            children=[child_in_prison(date(2025, 1, 1 + i))],
        )
        assert ongoing_pregnancy(w)
    small = _queries_for(client, monitor, 10)
    for _ in range(55):
        admit(monitor, prisons["KDL"], children=[child_outside(date(2015, 1, 1))])
    services.record_release(
        monitor,
        _any_open_episode(),
        TODAY,
        "acquittal",
        today=TODAY,
        version=current_version(_any_open_episode()),
    )
    large = _queries_for(client, monitor, 60)
    assert large == small
    assert large < 30


def _any_open_episode():
    from motherline.people.models import CustodyEpisode

    return CustodyEpisode.objects.filter(release_date__isnull=True).first()


def test_the_list_sorts_by_name_admission_prison_and_pretrial_days(
    client, users, register, settings
):
    monitor = users["monitor"]
    w = register
    by_name = refs(get(client, monitor, sort="name"))
    assert by_name == [
        w[k].reference for k in ("pregnant", "mother", "convicted", "kandal", "released")
    ]
    assert refs(get(client, monitor, sort="-name"))[0] == w["released"].reference
    # Longest in pretrial first; the convicted and the released have no pretrial days.
    by_pretrial = refs(get(client, monitor, sort="pretrial"))
    assert by_pretrial[:3] == [
        w["pregnant"].reference,
        w["kandal"].reference,
        w["mother"].reference,
    ]
    admitted = refs(get(client, monitor, sort="admitted", in_custody="1"))
    assert admitted[0] == w["pregnant"].reference
    assert refs(get(client, monitor, sort="-admitted", in_custody="1"))[-1] == admitted[0]
    by_prison = refs(get(client, monitor, sort="prison", in_custody="1"))
    assert len(by_prison) == 4
    # Sorted lists page by number, and the heading says which way it is sorted.
    settings.MOTHERLINE_PAGE_SIZE = 2
    response = get(client, monitor, sort="name")
    assert refs(response) == by_name[:2]
    assert 'aria-sort="ascending"' in response.text
    following = parse_qs(urlparse(response.context["next_url"]).query)
    assert following["sort"] == ["name"] and following["page"] == ["2"]
    assert refs(get(client, monitor, sort="name", page=2)) == by_name[2:4]
    # Every read of a page is audited with the order.
    from motherline.accounts.models import AuditEvent

    event = AuditEvent.objects.filter(object_type="people.Woman").latest("id")
    assert event.changes["sort"] == "name"


def test_a_liaison_is_offered_only_her_prison_to_filter_by(client, users, register, prisons):
    response = get(client, users["prison_liaison"])
    choices = [code for code, _ in response.context["form"].fields["prison"].choices if code]
    assert choices == [users["prison_liaison"].prison.code]
    provinces = [c for c, _ in response.context["form"].fields["province"].choices if c]
    assert provinces == [users["prison_liaison"].prison.province.code]
    assert len(get(client, users["monitor"]).context["form"].fields["prison"].choices) > 2


def test_the_header_search_box_finds_her_for_roles_that_see_names(client, users, register):
    client.force_login(users["monitor"])
    page = client.get(reverse("worklist:list")).text
    assert 'class="topsearch"' in page and f'action="{URL}"' in page
    found = get(client, users["monitor"], q="KDL-77")
    assert refs(found) == [register["convicted"].reference]
    client.force_login(users["analyst"])
    assert 'class="topsearch"' not in client.get(reverse("stats:index")).text
