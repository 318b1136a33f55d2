"""The statistics page, its exports and the import page: roles, numbers, suppression."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from motherline.accounts.models import AuditEvent
from motherline.stats.models import PopulationReturn
from tests.factories import admit
from tests.stats.conftest import sign_in

QUERY = {
    "indicator": "pregnant_women",
    "area": "nation:KH",
    "start": "2025-01-01",
    "end": "2026-06-15",
    "period": "month",
    "source": "returns",
}


@pytest.mark.parametrize("role", ["analyst", "viewer", "monitor", "programme_manager"])
def test_roles_with_aggregates_see_the_page(client, users, page_returns, role):
    response = sign_in(client, users[role]).get(reverse("stats:index"), QUERY)
    assert response.status_code == 200
    assert response.context["series"].points[-1].value == 11  # 9 + 2 + 0 pregnant women


def test_anonymous_users_are_sent_to_sign_in(client, page_returns):
    response = client.get(reverse("stats:index"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_user_without_an_organisation_is_refused(client, users, page_returns):
    users["viewer"].organisation = None
    users["viewer"].save()
    assert sign_in(client, users["viewer"]).get(reverse("stats:index")).status_code == 403


def test_the_page_shows_no_names(client, users, page_returns, prisons):
    admit(users["monitor"], prisons["CC2"], name="Secret Name Sokha", name_latin="Secret Latin")
    response = sign_in(client, users["analyst"]).get(reverse("stats:index"), QUERY)
    text = response.content.decode()
    assert "Secret" not in text
    assert "W-" not in text  # nor any internal reference


def test_small_cells_are_suppressed_with_a_second_cell(client, users, page_returns):
    response = sign_in(client, users["analyst"]).get(reverse("stats:index"), QUERY)
    table = response.context["table"]
    cells = {code: cells for code, _label, cells in table.rows}
    pregnant = table.columns.index("pregnant_women")
    children = table.columns.index("children_in_prison")
    # Kandal's 2 pregnant women and 3 children are hidden; so is a second prison's count
    # so that the national totals do not give them away.
    assert cells["KDL"][pregnant].suppressed and cells["KDL"][children].suppressed
    hidden = [code for code, row in cells.items() if row[pregnant].suppressed]
    assert len(hidden) >= 2
    assert "suppressed" in response.content.decode()


def test_the_page_runs_a_bounded_number_of_queries(
    client, users, page_returns, prisons, django_assert_max_num_queries
):
    # More prisons and women do not add queries: every count is one grouped query.
    for n in range(5):
        admit(users["monitor"], prisons["CC2" if n % 2 else "KDL"])
    sign_in(client, users["analyst"])
    # With the session renewed on each request; the series reads its own level's returns
    # and the lower levels' sums, and the area's prisons for the coverage; the table and the
    # map each look up the prisons' most frequent source (a series may mix sources); the
    # user's jurisdiction is read once.
    with django_assert_max_num_queries(31):
        response = client.get(reverse("stats:index"), QUERY)
    assert response.status_code == 200
    # Two year ends counted from the register, and the session renewed (UPDATE in a savepoint).
    with django_assert_max_num_queries(44):
        response = client.get(
            reverse("stats:index"), {**QUERY, "source": "register", "period": "year"}
        )
    assert response.status_code == 200


# Queries of the statistics page, whatever its number of dates: the session and the user,
# the series, the table by prison, the map, returns against the register and the pack's
# published figures (with the session renewed on the first request only).
# One more than before the country moved into its pack: the user's jurisdiction, read once.
PAGE_QUERIES = {"returns": 30, "register": 34, "published": 25}


@pytest.mark.parametrize("source", sorted(PAGE_QUERIES))
def test_the_page_costs_the_same_queries_whatever_its_dates(
    client, users, page_returns, source, django_assert_num_queries
):
    sign_in(client, users["analyst"])
    indicator = "women_share" if source == "published" else "women"
    client.get(reverse("stats:index"), {**QUERY, "indicator": indicator, "source": source})
    for start in ("2026-05-01", "2021-07-01"):  # 2 months, then 60 (the register's cap)
        with django_assert_num_queries(PAGE_QUERIES[source]):
            response = client.get(
                reverse("stats:index"),
                {**QUERY, "indicator": indicator, "source": source, "start": start},
            )
        assert response.status_code == 200
        assert "error" not in response.context, response.context.get("error")


def test_the_map_shows_every_province_with_data(client, users, page_returns):
    response = sign_in(client, users["viewer"]).get(
        reverse("stats:index"), {**QUERY, "indicator": "women"}
    )
    tiles = {tile.code: tile for tile in response.context["map"]}
    assert tiles["KH-12"].value == 510 and tiles["KH-8"].value == 50


def test_the_page_in_khmer(client, users, page_returns):
    client.cookies["django_language"] = "km"
    response = sign_in(client, users["viewer"]).get(
        reverse("stats:index"), {**QUERY, "indicator": "women"}, HTTP_ACCEPT_LANGUAGE="km"
    )
    assert response.status_code == 200
    assert "ស្ថិតិ" in response.content.decode()


def test_register_source_refuses_men(client, users, page_returns):
    response = sign_in(client, users["viewer"]).get(
        reverse("stats:index"), {**QUERY, "indicator": "men", "source": "register"}
    )
    assert response.status_code == 200 and response.context["error"]


def test_csv_export_suppresses_and_is_audited(client, users, page_returns):
    response = sign_in(client, users["analyst"]).get(
        reverse("stats:export", args=["prisons", "csv"]), QUERY
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    kandal = next(row for row in rows if row[0] == "KDL")
    assert kandal[5] == "suppressed" and kandal[6] == "suppressed"
    assert kandal[2] == "400"
    event = AuditEvent.objects.get(action="export")
    assert event.object_type == "stats.table" and event.user == users["analyst"]


def test_xlsx_export_of_the_series(client, users, page_returns):
    response = sign_in(client, users["viewer"]).get(
        reverse("stats:export", args=["series", "xlsx"]), {**QUERY, "area": "prison:KDL"}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert values == ["suppressed", "suppressed"]


def test_export_refuses_an_unknown_table(client, users, page_returns):
    response = sign_in(client, users["viewer"]).get(
        reverse("stats:export", args=["women", "csv"]), QUERY
    )
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="export").exists()


def test_import_page_for_analysts(client, users, prisons, frozen_today):
    sign_in(client, users["analyst"])
    assert client.get(reverse("stats:import")).status_code == 200
    upload = SimpleUploadedFile(
        "returns.csv",
        b"prison,date,total,men,women,pretrial_men,pretrial_women,minors,foreign_nationals,"
        b"pregnant_women,children_in_prison\nKDL,31/03/2013,700,650,50,,,,,,\n",
    )
    response = client.post(reverse("stats:import"), {"file": upload, "source": "ngo_census"})
    assert response.status_code == 302
    assert PopulationReturn.objects.get().women == 50


def test_import_page_lists_every_problem(client, users, prisons, frozen_today):
    sign_in(client, users["programme_manager"])
    upload = SimpleUploadedFile(
        "returns.csv",
        b"prison,date,total,men,women,pretrial_men,pretrial_women,minors,foreign_nationals,"
        b"pregnant_women,children_in_prison\nKDL,31/03/2013,-7,,,,,,,,\nXX,31/03/2013,1,,,,,,,,\n",
    )
    response = client.post(reverse("stats:import"), {"file": upload, "source": "ngo_census"})
    assert response.status_code == 200
    assert [(e.line, e.column) for e in response.context["result"].errors] == [
        (2, "total"),
        (3, "prison"),
    ]
    assert PopulationReturn.objects.count() == 0


@pytest.mark.parametrize("role", ["viewer", "monitor", "legal_officer", "prison_liaison"])
def test_import_is_refused_to_other_roles(client, users, prisons, role):
    sign_in(client, users[role])
    assert client.get(reverse("stats:import")).status_code == 403
    assert client.get(reverse("stats:template", args=["csv"])).status_code == 403


def test_the_template_downloads(client, users, prisons):
    sign_in(client, users["administrator"])
    response = client.get(reverse("stats:template", args=["xlsx"]))
    assert response.status_code == 200
    header = next(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert header[:4] == ("area", "date", "precision", "total")
