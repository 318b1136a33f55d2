"""Fixtures of the jobs tests: the worklist's small register (one deadline of each kind), and
the deployment's administrators with e-mail addresses."""

from __future__ import annotations

import pytest

from motherline.accounts.models import Role, User
from tests.conftest import PASSWORD
from tests.worklist.conftest import pretrial_rules, register  # noqa: F401 (fixtures)


@pytest.fixture
def deploy(users):
    """The deployment administrator, and the NGO's administrator, both with e-mail."""
    admin = users[Role.DEPLOYMENT_ADMINISTRATOR]
    admin.email = "deploy@example.org"
    admin.save()
    users["administrator"].email = "admin@example.org"
    users["administrator"].save()
    return admin


@pytest.fixture
def other_admin(orgs):
    return User.objects.create_user(
        username="other_admin",
        password=PASSWORD,
        organisation=orgs["other"],
        role=Role.ADMINISTRATOR,
        email="other-admin@example.org",
    )
