"""Demo users: one per role, in the synthetic organisations, able to sign in."""

from __future__ import annotations

from datetime import date

from motherline.accounts.models import Organisation, Role, SharingAgreement, User
from motherline.accounts.policy import Capability, can
from motherline.synthetic import ensure_demo_users

PASSWORD = "demo-password-for-tests"


def test_one_demo_user_per_role(kh):
    made = ensure_demo_users(PASSWORD)
    assert [u for u, _ in made] == [
        "admin",
        "monitor",
        "legal",
        "analyst",
        "manager",
        "liaison",
        "viewer",
        "deploy",
    ]
    assert {role for _, role in made} == set(Role.values)
    for username, role in made:
        user = User.objects.get(username=username)
        assert user.role == role and user.check_password(PASSWORD)
        # Every account belongs to an organisation, but the deployment's administrator.
        assert (user.organisation is None) == (role == Role.DEPLOYMENT_ADMINISTRATOR)
    liaison = User.objects.get(username="liaison")
    assert liaison.prison.code == "KH-CC2"
    assert can(User.objects.get(username="monitor"), Capability.EDIT_REGISTER)
    assert can(User.objects.get(username="admin"), Capability.ADMINISTER)


def test_demo_users_are_reset_when_made_again(kh):
    ensure_demo_users(PASSWORD)
    User.objects.filter(username="monitor").update(role=Role.VIEWER, is_active=False)
    ensure_demo_users("another-password-123")
    monitor = User.objects.get(username="monitor")
    assert monitor.role == Role.MONITOR and monitor.is_active
    assert monitor.check_password("another-password-123")
    assert User.objects.filter(username__in=["admin", "viewer"]).count() == 2
    assert Organisation.objects.filter(kind="ngo").count() == 2


def test_the_ngos_share_with_the_un_office(kh):
    ensure_demo_users(PASSWORD)
    un = Organisation.objects.get(kind="un")
    for ngo in Organisation.objects.filter(kind="ngo"):
        agreement = SharingAgreement.objects.get(sharer=ngo, partner=un)
        assert agreement.is_in_force(date.today()) and agreement.shares_register
    # Made again, the demo does not pile up agreements.
    count = SharingAgreement.objects.count()
    ensure_demo_users(PASSWORD)
    assert SharingAgreement.objects.count() == count
