"""Running Motherline without a shell: accounts invited, changed, deactivated and reset by an
organisation's administrator; organisations created by the deployment administrator; sharing
agreements that open and close a partner's access."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from motherline.accounts import services
from motherline.accounts.models import (
    AuditAction,
    AuditEvent,
    Organisation,
    Role,
    SharingAgreement,
    User,
)
from motherline.core.versions import StaleVersion
from tests.conftest import TODAY
from tests.factories import admit

pytestmark = pytest.mark.usefixtures("frozen_today")

NEW_PASSWORD = "a long new passphrase 42"


def _link_in(message: str) -> str:
    return re.search(r"https?://\S+", message).group(0)


def test_an_invited_user_sets_a_password_once_and_signs_in(
    client, users, orgs, settings, django_capture_on_commit_callbacks
):
    settings.MOTHERLINE_SITE_URL = "https://motherline.example.org"
    client.force_login(users["administrator"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("security:invite"),
            {
                "username": "sophea",
                "email": "sophea@ngo.example.org",
                "role": Role.MONITOR,
                "organisation": orgs["ngo"].pk,
                "language": "km",
            },
        )
    account = User.objects.get(username="sophea")
    assert response.status_code == 302 and response.url == reverse(
        "security:account", args=[account.pk]
    )
    assert account.organisation == orgs["ngo"] and account.role == Role.MONITOR
    assert not account.has_usable_password()
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_ref=str(account.pk), user=users["administrator"]
    ).exists()
    # The invitation is in her language, with a full link to the site.
    [message] = mail.outbox
    assert message.to == ["sophea@ngo.example.org"]
    link = _link_in(message.body)
    assert link.startswith("https://motherline.example.org/account/welcome/")
    assert "sophea" in message.body
    # Sent in her language (Khmer), the link and the user name unchanged.
    assert "Motherline" in message.subject and message.subject != "Your Motherline account"

    client.logout()
    path = link.removeprefix("https://motherline.example.org")
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302 and done.url == reverse("login")
    account.refresh_from_db()
    assert account.check_password(NEW_PASSWORD)
    # The link works once.
    assert not client.get(path, follow=True).context["validlink"]
    signed_in = client.post(reverse("login"), {"username": "sophea", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302 and signed_in.url != reverse("login")


def test_an_organisation_administrator_invites_only_into_their_organisation(client, users, orgs):
    client.force_login(users["administrator"])
    base = {"username": "intruder", "email": "x@example.org", "language": ""}
    into_other = client.post(
        reverse("security:invite"),
        {**base, "role": Role.MONITOR, "organisation": orgs["other"].pk},
    )
    assert into_other.status_code == 200 and "organisation" in into_other.context["form"].errors
    as_deployer = client.post(
        reverse("security:invite"),
        {**base, "role": Role.DEPLOYMENT_ADMINISTRATOR, "organisation": orgs["ngo"].pk},
    )
    assert as_deployer.status_code == 200 and "role" in as_deployer.context["form"].errors
    assert not User.objects.filter(username="intruder").exists()
    assert not mail.outbox


def test_a_liaison_officer_needs_a_prison_and_others_none(users, orgs, prisons):
    admin = users["administrator"]
    with pytest.raises(services.ValidationError) as error:
        services.invite_user(
            admin,
            "liaison2",
            services.AccountValues(
                role=Role.PRISON_LIAISON, organisation=orgs["ngo"], email="l@example.org"
            ),
        )
    assert "prison" in error.value.message_dict
    with pytest.raises(services.ValidationError) as error:
        services.invite_user(
            admin,
            "monitor2",
            services.AccountValues(
                role=Role.MONITOR,
                organisation=orgs["ngo"],
                prison=prisons["CC2"],
                email="m@example.org",
            ),
        )
    assert "prison" in error.value.message_dict


def test_changing_an_account_checks_its_version_and_is_audited(client, users, orgs):
    viewer = users["viewer"]
    client.force_login(users["administrator"])
    url = reverse("security:account", args=[viewer.pk])
    values = {
        "email": "viewer@ngo.example.org",
        "role": Role.MONITOR,
        "organisation": orgs["ngo"].pk,
        "language": "km",
    }
    assert client.post(url, {**values, "version": viewer.version}).status_code == 302
    viewer.refresh_from_db()
    assert viewer.role == Role.MONITOR and viewer.language == "km" and viewer.version == 2
    event = AuditEvent.objects.filter(action=AuditAction.CHANGE, object_ref=str(viewer.pk)).get()
    assert event.changes["role"] == [Role.VIEWER, Role.MONITOR]
    # A second change from the page read at version 1 is refused, the first stands.
    stale = client.post(url, {**values, "role": Role.ANALYST, "version": 1})
    assert stale.status_code == 200 and stale.context["form"].non_field_errors()
    viewer.refresh_from_db()
    assert viewer.role == Role.MONITOR
    # Without a version the form is refused.
    missing = client.post(url, {**values, "role": Role.ANALYST})
    assert missing.status_code == 200 and "version" in missing.context["form"].errors


def test_another_organisations_administrator_cannot_open_or_change_an_account(
    client, users, other_admin
):
    client.force_login(other_admin)
    viewer = users["viewer"]
    assert client.get(reverse("security:account", args=[viewer.pk])).status_code == 404
    assert client.post(reverse("security:set_active", args=[viewer.pk])).status_code == 404
    with pytest.raises(services.PermissionDenied):
        services.set_account_active(other_admin, viewer, viewer.version, False, "no")


def test_a_deactivated_user_is_signed_out_at_once(client, users):
    monitor = users["monitor"]
    client.force_login(monitor)
    assert client.get(reverse("people:women")).status_code == 200
    services.set_account_active(
        users["administrator"], monitor, monitor.version, False, "Left the organisation"
    )
    response = client.get(reverse("people:women"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert client.get("/api/v1/women").status_code == 401
    event = AuditEvent.objects.filter(object_ref=str(monitor.pk), action=AuditAction.CHANGE).get()
    assert event.changes == {"is_active": [True, False], "reason": "Left the organisation"}


def test_deactivation_needs_a_reason_and_not_oneself(users):
    admin, monitor = users["administrator"], users["monitor"]
    with pytest.raises(services.ValidationError):
        services.set_account_active(admin, monitor, monitor.version, False, "  ")
    with pytest.raises(services.ValidationError):
        services.set_account_active(admin, admin, admin.version, False, "Leaving")
    monitor.refresh_from_db()
    assert monitor.is_active


def test_resetting_a_second_factor_needs_a_reason(client, users):
    monitor = users["monitor"]
    TOTPDevice.objects.create(user=monitor, name="phone", confirmed=True)
    client.force_login(users["administrator"])
    url = reverse("security:reset_two_factor", args=[monitor.pk])
    client.post(url, {"reason": ""})
    assert TOTPDevice.objects.filter(user=monitor).exists()
    client.post(url, {"reason": "Phone stolen, she called from the office line"})
    assert not TOTPDevice.objects.filter(user=monitor).exists()
    event = AuditEvent.objects.get(action=AuditAction.TWO_FACTOR_RESET)
    assert event.changes["reason"].startswith("Phone stolen")


def test_the_deployment_administrator_creates_an_organisation_then_invites_its_admin(
    client, deployment_admin, jurisdiction, users
):
    client.force_login(deployment_admin)
    response = client.post(
        reverse("security:organisations"),
        {"name": "Children's Rights Cambodia", "kind": "ngo", "jurisdiction": jurisdiction.pk},
    )
    organisation = Organisation.objects.get(name="Children's Rights Cambodia")
    assert response.status_code == 302
    assert response.url == reverse("security:invite") + f"?organisation={organisation.pk}"
    invite_page = client.get(response.url)
    assert invite_page.context["form"]["organisation"].value() == organisation.pk
    client.post(
        reverse("security:invite"),
        {
            "username": "crc_admin",
            "email": "admin@crc.example.org",
            "role": Role.ADMINISTRATOR,
            "organisation": organisation.pk,
            "language": "",
        },
    )
    assert User.objects.get(username="crc_admin").organisation == organisation
    # An organisation's administrator may not create organisations.
    client.force_login(users["administrator"])
    assert client.get(reverse("security:organisations")).status_code == 403


def test_a_sharing_agreement_opens_and_ending_it_closes_a_partners_access(
    client, users, orgs, prisons, other_admin
):
    woman = admit(users["monitor"], prisons["CC2"], consent_scope="partners")
    kept_private = admit(users["monitor"], prisons["CC2"], consent_scope="register")
    other_monitor = users["other_monitor"]
    client.force_login(other_monitor)
    url = reverse("people:woman", args=[woman.reference])
    assert client.get(url).status_code == 404

    agreement = services.record_agreement(
        users["administrator"],
        services.AgreementValues(
            sharer=orgs["ngo"],
            partner=orgs["other"],
            starts_on=TODAY,
            agreed_by="Director of the NGO",
        ),
    )
    assert client.get(url).status_code == 200
    # Read-only, and only where she consented.
    page = client.get(url)
    assert page.context.get("may_edit") in (False, None)
    assert client.get(reverse("people:woman", args=[kept_private.reference])).status_code == 404
    # The partner's administrator may give the access up; another organisation cannot touch
    # it; ending it stops access with the same request that ends it.
    services.end_agreement(other_admin, agreement, agreement.version, "Project over")
    assert client.get(url).status_code == 404
    agreement.refresh_from_db()
    assert agreement.ended_at is not None and agreement.end_reason == "Project over"
    with pytest.raises(StaleVersion):
        services.end_agreement(users["administrator"], agreement, agreement.version, "again")


def test_an_agreement_gives_access_only_between_its_dates(client, users, orgs, prisons):
    woman = admit(users["monitor"], prisons["CC2"], consent_scope="partners")
    url = reverse("people:woman", args=[woman.reference])
    client.force_login(users["other_monitor"])
    services.record_agreement(
        users["administrator"],
        services.AgreementValues(
            sharer=orgs["ngo"],
            partner=orgs["other"],
            starts_on=TODAY + timedelta(days=1),
            ends_on=TODAY + timedelta(days=30),
            agreed_by="Director",
        ),
    )
    assert client.get(url).status_code == 404
    services.record_agreement(
        users["administrator"],
        services.AgreementValues(
            sharer=orgs["ngo"],
            partner=orgs["other"],
            starts_on=date(2020, 1, 1),
            ends_on=TODAY - timedelta(days=1),
            agreed_by="Director",
        ),
    )
    assert client.get(url).status_code == 404


def test_only_the_sharing_organisation_records_an_agreement(users, orgs, other_admin):
    with pytest.raises(services.ValidationError) as error:
        services.record_agreement(
            other_admin,
            services.AgreementValues(
                sharer=orgs["ngo"], partner=orgs["other"], starts_on=TODAY, agreed_by="Me"
            ),
        )
    assert "sharer" in error.value.message_dict
    assert not SharingAgreement.objects.filter(partner=orgs["other"]).exists()


def test_the_sharing_page_lists_only_the_organisations_agreements(client, users, orgs, other_admin):
    client.force_login(other_admin)
    page = client.get(reverse("security:sharing"))
    assert page.status_code == 200 and list(page.context["agreements"]) == []
    assert b"UN Human Rights Office" not in page.content.split(b"<form")[0]
    ngo_to_un = SharingAgreement.objects.get(sharer=orgs["ngo"], partner=orgs["un"])
    end = reverse("security:end_agreement", args=[ngo_to_un.pk])
    assert client.post(end, {"reason": "x", "version": 1}).status_code == 404
    ngo_to_un.refresh_from_db()
    assert ngo_to_un.ended_at is None


def test_createadmin_makes_the_first_deployment_administrator(db, capsys):
    call_command("createadmin", username="first", email="first@example.org")
    output = capsys.readouterr().out
    account = User.objects.get(username="first")
    assert account.role == Role.DEPLOYMENT_ADMINISTRATOR and account.organisation is None
    assert not account.has_usable_password()
    assert "/account/welcome/" in output.splitlines()[-1]


def test_createsuperuser_makes_a_deployment_administrator(db):
    account = User.objects.create_superuser("root", "root@example.org", "x" * 16)
    assert account.role == Role.DEPLOYMENT_ADMINISTRATOR
