"""Shared fixtures: a small jurisdiction, two organisations and one user per role.

Built directly with the ORM (not from the pack files) so a test's numbers are visible here.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from motherline.accounts.models import Organisation, Role, SharingAgreement, User
from motherline.jurisdictions.models import AgeLimitRule, Jurisdiction, OffenceCategory
from motherline.places.models import Court, Prison, Province

PASSWORD = "correct-horse-battery-9"
TODAY = date(2026, 6, 15)


# A race between two transactions: SQLite lets one writer at a time into the whole database.
races_need_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite lets one writer at a time into the whole database; the race needs "
    "PostgreSQL's row locks.",
)


@pytest.fixture
def jurisdiction(db):
    kh = Jurisdiction.objects.create(
        code="KH",
        name="Cambodia",
        name_local="កម្ពុជា",
        local_language="km",
        time_zone="Asia/Phnom_Penh",
        document_languages=["en", "km"],
        small_prison_capacity=500,
        retention_years=10,
        stated_rules={
            "birth_registration": {
                "days": 30,
                "source": "A test source",
                "citation": "Test prakas on civil registration",
                "verified": False,
            }
        },
    )
    AgeLimitRule.objects.create(jurisdiction=kh, max_age_months=72, effective_to=date(2011, 11, 13))
    AgeLimitRule.objects.create(
        jurisdiction=kh, max_age_months=36, effective_from=date(2011, 11, 14)
    )
    return kh


@pytest.fixture
def provinces(jurisdiction):
    return {
        "KH-12": Province.objects.create(
            jurisdiction=jurisdiction,
            code="KH-12",
            name="Phnom Penh",
            name_local="ភ្នំពេញ",
            map_column=3,
            map_row=3,
        ),
        "KH-8": Province.objects.create(
            jurisdiction=jurisdiction,
            code="KH-8",
            name="Kandal",
            name_local="កណ្ដាល",
            map_column=4,
            map_row=3,
        ),
    }


@pytest.fixture
def courts(provinces):
    """Two courts of the pack: the capital's court of first instance and Kandal's."""
    return {
        "KH-FI-12": Court.objects.create(
            province=provinces["KH-12"],
            code="KH-FI-12",
            name="Phnom Penh Court of First Instance",
            name_local="សាលាដំបូងរាជធានីភ្នំពេញ",
            position=1,
            source="A test source",
        ),
        "KH-FI-8": Court.objects.create(
            province=provinces["KH-8"],
            code="KH-FI-8",
            name="Kandal Provincial Court of First Instance",
            name_local="សាលាដំបូងខេត្តកណ្ដាល",
            position=2,
            source="A test source",
        ),
    }


@pytest.fixture
def prisons(provinces):
    return {
        "CC2": Prison.objects.create(
            province=provinces["KH-12"],
            code="CC2",
            name="Correctional Centre 2",
            kind="correctional_centre",
            capacity=1000,
        ),
        "CC1": Prison.objects.create(
            province=provinces["KH-12"],
            code="CC1",
            name="Correctional Centre 1",
            kind="correctional_centre",
            capacity=2000,
            holds_women=False,
        ),
        "KDL": Prison.objects.create(
            province=provinces["KH-8"],
            code="KDL",
            name="Kandal Provincial Prison",
            kind="provincial_prison",
            capacity=500,
        ),
    }


@pytest.fixture
def offences(jurisdiction):
    return {
        "theft": OffenceCategory.objects.create(
            jurisdiction=jurisdiction,
            code="theft",
            name="Theft",
            iccs_section="05",
            offence_class="misdemeanour",
        ),
        "drugs": OffenceCategory.objects.create(
            jurisdiction=jurisdiction,
            code="drug_possession",
            name="Drug possession",
            iccs_section="06",
            offence_class="felony",
            is_drug_related=True,
        ),
    }


@pytest.fixture
def orgs(jurisdiction):
    ngo = Organisation.objects.create(
        name="Women's Justice NGO", kind="ngo", jurisdiction=jurisdiction
    )
    un = Organisation.objects.create(
        name="UN Human Rights Office", kind="un", jurisdiction=jurisdiction
    )
    other = Organisation.objects.create(name="Unrelated NGO", kind="ngo", jurisdiction=jurisdiction)
    SharingAgreement.objects.create(
        sharer=ngo, partner=un, starts_on=date(2000, 1, 1), agreed_by="Director, the NGO"
    )
    return {"ngo": ngo, "un": un, "other": other}


@pytest.fixture
def users(orgs, prisons):
    """One active user per role in the NGO; the liaison is attached to CC2."""
    made = {}
    for role in Role:
        made[role.value] = User.objects.create_user(
            username=role.value,
            password=PASSWORD,
            organisation=orgs["ngo"],
            role=role,
            prison=prisons["CC2"] if role == Role.PRISON_LIAISON else None,
        )
    made["un_monitor"] = User.objects.create_user(
        username="un_monitor", password=PASSWORD, organisation=orgs["un"], role=Role.MONITOR
    )
    made["other_monitor"] = User.objects.create_user(
        username="other_monitor",
        password=PASSWORD,
        organisation=orgs["other"],
        role=Role.MONITOR,
    )
    return made


@pytest.fixture
def monitor(users):
    return users["monitor"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing is deliberately slow; tests sign in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _second_factor_optional(settings):
    # Tests sign in with force_login or a password alone; tests of the second factor set
    # MOTHERLINE_TWO_FACTOR = "required" themselves.
    settings.MOTHERLINE_TWO_FACTOR = "optional"


@pytest.fixture
def frozen_today():
    """The one clock of the tests: it is noon of TODAY where the register is kept, so
    `timezone.now()`, `timezone.localdate()`, `date.today()` and the audit trail agree. The
    clock ticks from there (sessions, throttles and timeouts still see time pass). Folders
    whose tests all run on TODAY ask for it in an autouse fixture."""
    import time_machine
    from django.conf import settings as django_settings

    noon = datetime.combine(TODAY, time(12), tzinfo=ZoneInfo(django_settings.TIME_ZONE))
    with time_machine.travel(noon, tick=True):
        yield TODAY


@pytest.fixture
def other_admin(orgs):
    """The administrator of the organisation that shares nothing with the NGO."""
    return User.objects.create_user(
        username="other_admin", organisation=orgs["other"], role=Role.ADMINISTRATOR
    )


@pytest.fixture
def deployment_admin(db):
    """A deployment administrator: the one role that needs no organisation."""
    return User.objects.create_user(
        username="deploy", organisation=None, role=Role.DEPLOYMENT_ADMINISTRATOR
    )


@pytest.fixture(autouse=True)
def _english_unless_asked():
    # A request in Khmer leaves Khmer active in its thread (Django's locale middleware does
    # not reset it): each test starts in English, whatever ran before it in the worker.
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()
