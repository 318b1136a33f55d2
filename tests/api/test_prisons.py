"""GET /api/v1/prisons and /api/v1/provinces: counts by prison, grouped by province."""

from datetime import date, timedelta

from motherline.accounts.models import User
from motherline.people import services
from tests.conftest import TODAY
from tests.factories import admit, child_in_prison, child_outside, current_version


def _populate(users, prisons):
    monitor = users["monitor"]
    admit(monitor, prisons["CC2"], name="Pregnant One", is_pregnant=True)
    admit(
        monitor,
        prisons["CC2"],
        name="Mother One",
        children=[child_in_prison(date(2025, 2, 1)), child_outside(date(2018, 1, 1))],
    )
    admit(users["other_monitor"], prisons["CC2"], name="Other Org Woman")
    admit(
        monitor,
        prisons["KDL"],
        name="Kandal Woman",
        children=[child_in_prison(date(2024, 8, 1)), child_in_prison(date(2025, 9, 1))],
    )
    released = admit(monitor, prisons["KDL"], name="Released Woman", is_pregnant=True)
    services.record_release(
        monitor,
        released.current_episode,
        TODAY - timedelta(days=1),
        "end_of_sentence",
        today=TODAY,
        version=current_version(released.current_episode),
    )


def _by_code(body):
    return {p["code"]: p for group in body for p in group["prisons"]}


def test_counts_grouped_by_province(api, users, prisons):
    _populate(users, prisons)

    response = api.login(users["monitor"]).get("/prisons")

    assert response.status_code == 200
    body = response.json()
    assert [g["code"] for g in body] == ["KH-8", "KH-12"]  # by province name
    kandal, phnom_penh = body
    assert [p["code"] for p in phnom_penh["prisons"]] == ["CC1", "CC2"]
    prisons_by_code = _by_code(body)
    # Aggregates cover the whole register, whichever organisation recorded the woman.
    assert (
        prisons_by_code["CC2"]["women"],
        prisons_by_code["CC2"]["pregnant"],
        prisons_by_code["CC2"]["children"],
    ) == (3, 1, 1)
    # The released woman no longer counts, nor does her pregnancy.
    assert (
        prisons_by_code["KDL"]["women"],
        prisons_by_code["KDL"]["pregnant"],
        prisons_by_code["KDL"]["children"],
    ) == (1, 0, 2)
    assert (prisons_by_code["CC1"]["women"], prisons_by_code["CC1"]["holds_women"]) == (0, False)
    assert (phnom_penh["women"], phnom_penh["pregnant"], phnom_penh["children"]) == (3, 1, 1)
    assert (kandal["women"], kandal["children"]) == (1, 2)
    assert phnom_penh["name_local"] == "ភ្នំពេញ"


def test_a_role_without_the_register_sees_counts_and_never_a_name(api, users, prisons):
    _populate(users, prisons)

    response = api.login(users["viewer"]).get("/prisons")

    assert response.status_code == 200
    assert _by_code(response.json())["CC2"]["women"] == 3
    content = response.content.decode()
    for name in ("Pregnant One", "Mother One", "Kandal Woman"):
        assert name not in content


def test_a_user_without_an_organisation_is_refused(api, prisons):
    stray = User.objects.create_user(username="stray", role="monitor")

    response = api.login(stray).get("/prisons")

    assert response.status_code == 403
    assert response.json()["detail"]


def test_signed_out_is_401(api, prisons):
    response = api.get("/prisons")

    assert response.status_code == 401
    assert response.json() == {"detail": "Sign in to use the API."}


def test_provinces(api, users):
    response = api.login(users["analyst"]).get("/provinces")

    assert response.status_code == 200
    assert response.json() == [
        {"code": "KH-8", "name": "Kandal", "name_local": "កណ្ដាល"},
        {"code": "KH-12", "name": "Phnom Penh", "name_local": "ភ្នំពេញ"},
    ]
