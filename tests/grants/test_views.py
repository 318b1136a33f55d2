"""Grant pages, the donor report and service deliveries: roles, scope, what is written,
query counts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from motherline.accounts.models import AuditAction, AuditEvent
from motherline.grants.models import BudgetLine, Grant, ServiceDelivery
from motherline.people import services as people_services
from tests.conftest import TODAY
from tests.factories import children_of, current_version
from tests.grants.conftest import deliver


def test_programme_manager_records_a_grant(client, users, orgs):
    client.force_login(users["programme_manager"])
    assert client.get(reverse("grants:new")).status_code == 200
    response = client.post(
        reverse("grants:new"),
        {
            "reference": "G-1",
            "donor": "Fund",
            "grantees": [orgs["ngo"].name],
            "amount": "16300",
            "currency": "USD",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "purpose": "Services",
        },
    )
    grant = Grant.objects.get()
    assert response.status_code == 302
    assert (grant.amount, grant.organisation) == (Decimal("16300"), orgs["ngo"])
    response = client.post(
        reverse("grants:add_line", args=[grant.pk]),
        {"code": "1", "name": "Food", "amount": "20000"},
    )
    assert response.status_code == 200
    assert "more than the grant" in response.text
    client.post(
        reverse("grants:add_line", args=[grant.pk]), {"code": "1", "name": "Food", "amount": "9000"}
    )
    assert BudgetLine.objects.get().amount == Decimal("9000")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("programme_manager", 200),
        ("administrator", 200),
        ("monitor", 403),
        ("analyst", 403),
        ("viewer", 403),
    ],
)
def test_who_may_see_a_grant(client, users, grant, who, status):
    client.force_login(users[who])
    assert client.get(reverse("grants:detail", args=[grant.pk])).status_code == status
    assert client.get(reverse("grants:list")).status_code == status


def test_grant_of_another_organisation_is_404(client, users, grant, orgs):
    users["programme_manager"].organisation = orgs["other"]
    users["programme_manager"].save()
    client.force_login(users["programme_manager"])
    assert client.get(reverse("grants:detail", args=[grant.pk])).status_code == 404


def test_grant_page_queries_do_not_grow(
    client, users, grant, mother, django_assert_max_num_queries
):
    for days in range(1, 40, 3):
        deliver(users["monitor"], mother, grant, delivered_on=TODAY - timedelta(days=days))
    client.force_login(users["programme_manager"])
    with django_assert_max_num_queries(14):
        page = client.get(reverse("grants:detail", args=[grant.pk]))
    assert page.status_code == 200
    assert page.context["report"].reach.women == 1
    assert "Nutrition" in page.text


@pytest.mark.parametrize("language", ["en", "km"])
def test_donor_report_pdf_and_xlsx(client, users, grant, mother, language):
    deliver(users["monitor"], mother, grant)
    deliver(
        users["monitor"],
        mother,
        grant,
        to_woman=False,
        child=children_of(mother)[0],
        service_type="infant_formula",
    )
    client.force_login(users["programme_manager"])
    url = reverse("grants:report", args=[grant.pk])
    query = {"start": "2026-01-01", "end": "2026-06-30", "language": language}
    pdf = client.get(url, {**query, "format": "pdf"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    xlsx = client.get(url, {**query, "format": "xlsx"})
    book = load_workbook(BytesIO(xlsx.content))
    assert len(book.sheetnames) == 4
    values = [row for row in book.worksheets[0].iter_rows(values_only=True)]
    assert values[0][1] == "G-2026-01"
    assert (values[8][1], values[9][1]) == (1, 1)  # women, children reached
    assert mother.reference not in str([list(s.values) for s in book.worksheets])
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_ref="G-2026-01").count() == 2


def test_donor_report_period_error(client, users, grant):
    client.force_login(users["programme_manager"])
    response = client.get(
        reverse("grants:report", args=[grant.pk]),
        {"start": "2026-06-30", "end": "2026-01-01", "language": "en", "format": "pdf"},
        follow=True,
    )
    assert "The period cannot end before it starts." in response.text


# Service deliveries


def _post(on_grant, woman, **fields):
    return {
        "woman": woman.reference,
        "to_woman": "on",
        "service_type": "hygiene_kit",
        "delivered_on": (TODAY - timedelta(days=3)).isoformat(),
        "quantity": "2",
        "cost": "12.50",
        "grant": on_grant.reference,
        "budget_line": "1",
        "provider": on_grant.organisation.name,
        **fields,
    }


def test_record_a_delivery_for_a_child(client, users, grant, mother):
    child = children_of(mother)[0]
    client.force_login(users["monitor"])
    assert (
        client.get(reverse("grants:new_delivery") + f"?woman={mother.reference}").status_code == 200
    )
    response = client.post(
        reverse("grants:new_delivery"),
        _post(grant, mother, to_woman="", child=child.reference, service_type="infant_formula"),
    )
    assert response.status_code == 302
    delivery = ServiceDelivery.objects.get()
    assert (delivery.woman, delivery.child, delivery.to_woman) == (mother, child, False)


def test_delivery_after_release_shows_the_field_error(client, users, grant, mother):
    people_services.record_release(
        users["monitor"],
        mother.current_episode,
        TODAY - timedelta(days=10),
        "bail",
        today=TODAY,
        version=current_version(mother.current_episode),
    )
    client.force_login(users["monitor"])
    response = client.post(reverse("grants:new_delivery"), _post(grant, mother))
    assert response.status_code == 200
    assert "She was released on" in response.text
    assert response.context["form"].errors["delivered_on"]
    assert not ServiceDelivery.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("un_monitor", 200), ("analyst", 403)])
def test_delivery_refused_outside_scope(client, users, grant, mother, who, status):
    client.force_login(users[who])
    response = client.post(
        reverse("grants:new_delivery"), _post(grant, mother, grant="", budget_line="")
    )
    assert response.status_code == status
    if status == 200:
        assert "No woman you may change has this reference." in response.text
    assert not ServiceDelivery.objects.exists()


@pytest.mark.parametrize(
    ("who", "status", "total"),
    [("monitor", 200, 2), ("un_monitor", 200, 0), ("analyst", 403, 0), ("viewer", 403, 0)],
)
def test_delivery_list_scope(
    client, users, grant, mother, who, status, total, django_assert_max_num_queries
):
    deliver(users["monitor"], mother, grant)
    deliver(users["monitor"], mother, grant, delivered_on=date(2026, 6, 1))
    client.force_login(users[who])
    with django_assert_max_num_queries(9):
        response = client.get(reverse("grants:deliveries"))
    assert response.status_code == status
    if status == 200:
        assert response.context["page"].total == total


def test_services_are_listed_by_date_newest_first_across_pages(
    client, users, grant, mother, settings
):
    settings.MOTHERLINE_PAGE_SIZE = 2
    # Recorded in another order than they happened: the list follows the days.
    days = [TODAY - timedelta(days=n) for n in (20, 2, 40, 10, 30)]
    for day in days:
        deliver(users["monitor"], mother, grant, delivered_on=day)
    client.force_login(users["monitor"])
    seen = []
    url = reverse("grants:deliveries")
    while url:
        response = client.get(url)
        seen += [d.delivered_on for d in response.context["page"].items]
        url = (
            response.context["next_url"]
            and reverse("grants:deliveries") + response.context["next_url"]
        )
    assert seen == sorted(days, reverse=True)
