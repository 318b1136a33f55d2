"""The organisations and demo users that synthetic records belong to."""

from __future__ import annotations

from datetime import date

from django.db.models import F

from motherline.accounts.models import (
    Organisation,
    OrganisationKind,
    Role,
    SharingAgreement,
    User,
)
from motherline.core.actors import SystemActor
from motherline.jurisdictions import local
from motherline.jurisdictions.models import Jurisdiction
from motherline.places.models import Prison

# Who the audit trail says made the synthetic records (`motherline generate`).
SYNTHETIC = SystemActor("synthetic")

UN_OFFICE = "UN Human Rights Office"
NGO_WOMEN = "Women's Legal Aid (NGO)"
NGO_CHILDREN = "Child Welfare Partners (NGO)"
PRISON_DEPARTMENT = "General Department of Prisons"

# Their names in a local language, by the script the pack declares for it (`[language]
# script`): demo names, not the names of real organisations.
LOCAL_NAMES = {
    "KHMER": {
        UN_OFFICE: "ការិយាល័យសិទ្ធិមនុស្សអង្គការសហប្រជាជាតិ",
        NGO_WOMEN: "ជំនួយផ្លូវច្បាប់សម្រាប់ស្ត្រី (អង្គការមិនមែនរដ្ឋាភិបាល)",
        NGO_CHILDREN: "ដៃគូសុខុមាលភាពកុមារ (អង្គការមិនមែនរដ្ឋាភិបាល)",
        PRISON_DEPARTMENT: "អគ្គនាយកដ្ឋានពន្ធនាគារ",
    },
}

# Before any synthetic record: the demo's partners have shared from the start.
AGREEMENTS_FROM = date(2000, 1, 1)

# Synthetic women are owned by these, in the order of WomanPlan.organisation.
OWNERS = (NGO_WOMEN, NGO_CHILDREN, UN_OFFICE)

DEMO_USERS = (
    ("admin", Role.ADMINISTRATOR, UN_OFFICE),
    ("monitor", Role.MONITOR, NGO_WOMEN),
    ("legal", Role.LEGAL_OFFICER, NGO_WOMEN),
    ("analyst", Role.ANALYST, UN_OFFICE),
    ("manager", Role.PROGRAMME_MANAGER, NGO_CHILDREN),
    ("liaison", Role.PRISON_LIAISON, PRISON_DEPARTMENT),
    ("viewer", Role.VIEWER, UN_OFFICE),
    # Runs the deployment: organisations and every account, no personal record.
    ("deploy", Role.DEPLOYMENT_ADMINISTRATOR, None),
)


def ensure_organisations(jurisdiction: Jurisdiction) -> dict[str, Organisation]:
    """The UN office, the two partner NGOs and the prison department, created if missing.
    The NGOs and the UN office share records with each other (by the women's consent)."""
    kinds = {
        UN_OFFICE: OrganisationKind.UN,
        NGO_WOMEN: OrganisationKind.NGO,
        NGO_CHILDREN: OrganisationKind.NGO,
        PRISON_DEPARTMENT: OrganisationKind.GOVERNMENT,
    }
    written = local.conventions(jurisdiction.local_language)
    local_names = LOCAL_NAMES.get(written.script if written else "", {})
    orgs = {}
    for name, kind in kinds.items():
        org, _created = Organisation.objects.get_or_create(
            name=name, defaults={"kind": kind, "jurisdiction": jurisdiction}
        )
        if org.name_local != local_names.get(name, org.name_local):
            org.name_local = local_names[name]
            org.save(update_fields=["name_local"])
        orgs[name] = org
    partners = [orgs[n] for n in (UN_OFFICE, NGO_WOMEN, NGO_CHILDREN)]
    for org in partners:
        for partner in partners:
            if partner != org:
                SharingAgreement.objects.get_or_create(
                    sharer=org,
                    partner=partner,
                    ended_at=None,
                    defaults={
                        "starts_on": AGREEMENTS_FROM,
                        "agreed_by": f"Director, {org.name}",
                        "terms": "Synthetic agreement of the demo register.",
                    },
                )
    return orgs


def main_prison(jurisdiction: Jurisdiction) -> Prison | None:
    """The largest active prison that holds women (CC2, Prey Sar, in Cambodia)."""
    return (
        Prison.objects.filter(province__jurisdiction=jurisdiction, holds_women=True, is_active=True)
        .order_by(F("capacity").desc(nulls_last=True), "code")
        .first()
    )


def ensure_demo_users(password: str, jurisdiction_code: str = "") -> list[tuple[str, str]]:
    """One demo user per role, all with `password`; returns (username, role) pairs.

    Existing users of these names are reset to their demo role, organisation and password.
    The liaison officer is attached to the largest prison that holds women.
    """
    jurisdiction = Jurisdiction.objects.get(code=jurisdiction_code or local.default_code())
    orgs = ensure_organisations(jurisdiction)
    prison = main_prison(jurisdiction)
    made = []
    for username, role, org_name in DEMO_USERS:
        user = User.objects.filter(username=username).first() or User(username=username)
        user.role = role
        user.organisation = orgs[org_name] if org_name else None
        user.prison = prison if role == Role.PRISON_LIAISON else None
        user.is_active = True
        # A reserved domain: the demo's alert digests go to the console, never to a person.
        user.email = f"{username}@demo.motherline.invalid"
        user.set_password(password)
        user.save()
        made.append((username, str(role)))
    return made
