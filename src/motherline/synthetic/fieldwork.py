"""Synthetic field work for the demo: prison visits with findings and follow-up actions,
access incidents, and the grant of USD 16,300 with its budget lines and the services
delivered under it. Deterministic from the seed and the day; never real people.

The records are written directly (like the rest of the synthetic register), with dates
chosen so that every rule of `fieldwork.rules` and `grants.rules` holds: a service to a
woman falls within her custody and the grant's period, an action is due after its visit.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F

from motherline.accounts.models import Organisation, User
from motherline.fieldwork.models import (
    AccessIncident,
    Audience,
    CaseStatus,
    CaseStudy,
    ConsentUse,
    EscalationContact,
    Finding,
    FollowUpAction,
    Participants,
    PrisonVisit,
    Topic,
    TrainingSession,
    TrainingTopic,
)
from motherline.grants.models import BudgetLine, Grant, ServiceDelivery, ServiceType
from motherline.jurisdictions.models import Jurisdiction
from motherline.people.models import Placement, PlacementKind, Woman
from motherline.places.models import Prison
from motherline.synthetic.organisations import (
    DEMO_USERS,
    NGO_CHILDREN,
    NGO_WOMEN,
    UN_OFFICE,
    ensure_organisations,
)

GRANT_REFERENCE = "G-DEMO-16300"
FINDINGS = {
    Topic.HEALTH_CARE: ["No doctor visited for three weeks.", "Medicines ran out in the clinic."],
    Topic.ANTENATAL_CARE: [
        "Pregnant women had no antenatal check-up this quarter.",
        "No transport to the referral hospital for a woman near term.",
    ],
    Topic.FOOD_AND_WATER: [
        "Drinking water rationed to two litres a day.",
        "No extra food for pregnant and breastfeeding women.",
    ],
    Topic.SPACE_AND_HYGIENE: [
        "Cell for 40 women holds 96.",
        "No sanitary pads distributed this month.",
    ],
    Topic.CHILDREN: ["No milk for infants.", "Children have no place to play outside."],
    Topic.LEGAL_STATUS: [
        "Several women in pretrial detention beyond the limit.",
        "Women do not know the date of their trial.",
    ],
    Topic.TREATMENT: ["Women shackled during hospital visits."],
}
ACTIONS = [
    "Write to the prison director",
    "Raise with the provincial health department",
    "Refer to the legal aid lawyer",
    "Bring hygiene kits on the next visit",
]
REFUSALS = [
    ("Entry to the women's building", "Deputy director"),
    ("Private interviews with women", "Chief of the women's section"),
    ("Entry to the prison", "Prison director"),
]
# (code, name, budget, service types charged to it, unit cost in USD)
LINES = [
    ("1", "Nutrition", "6500.00", [ServiceType.FOOD_SUPPLEMENT, ServiceType.INFANT_FORMULA], 18),
    ("2", "Hygiene", "2400.00", [ServiceType.HYGIENE_KIT], 12),
    ("3", "Health", "3200.00", [ServiceType.MEDICAL_REFERRAL, ServiceType.ANTENATAL_CARE], 35),
    ("4", "Legal aid", "2700.00", [ServiceType.LEGAL_AID], 60),
    ("5", "Family and schooling", "1500.00", [ServiceType.FAMILY_CONTACT], 15),
]


@dataclass
class FieldworkReport:
    visits: int = 0
    incidents: int = 0
    deliveries: int = 0
    training_sessions: int = 0
    case_studies: int = 0


def _staff(username: str, orgs: dict[str, Organisation]) -> User:
    """A demo user (created without a usable password if missing; `ensure_demo_users`
    later gives it the demo password)."""
    role, org = next((r, o) for name, r, o in DEMO_USERS if name == username)
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create(
            username=username,
            role=role,
            organisation=orgs[org] if org else None,
            password=make_password(None),
        )
    return user


def _day_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max((end - start).days, 0)))


@transaction.atomic
def generate_fieldwork(
    jurisdiction: Jurisdiction, seed: int, today: date, months: int = 18
) -> FieldworkReport:
    """Visits, incidents and the demo grant; nothing when the demo grant already exists."""
    report = FieldworkReport()
    if Grant.objects.filter(reference=GRANT_REFERENCE).exists():
        return report
    rng = random.Random(seed * 7919 + 8)
    orgs = ensure_organisations(jurisdiction)
    monitor, legal, manager = (_staff(n, orgs) for n in ("monitor", "legal", "manager"))
    EscalationContact.objects.get_or_create(
        organisation=orgs[NGO_WOMEN],
        email="focal-point@demo.motherline.invalid",
        defaults={"name": "UN focal point for prison access", "position": "Human rights officer"},
    )
    prisons = list(
        Prison.objects.filter(
            province__jurisdiction=jurisdiction, holds_women=True, is_active=True
        ).order_by(F("capacity").desc(nulls_last=True), "code")[:6]
    )
    _visits(rng, prisons, orgs[NGO_WOMEN], [monitor, legal], today, months, report)
    _grant(rng, orgs, manager, today, report)
    _training(rng, orgs[NGO_WOMEN], monitor, today, report)
    _case_studies(orgs[NGO_WOMEN], monitor, legal, manager, today, report)
    return report


def _visits(
    rng: random.Random,
    prisons: list[Prison],
    org: Organisation,
    owners: list[User],
    today: date,
    months: int,
    report: FieldworkReport,
) -> None:
    for prison in prisons:
        day = today - timedelta(days=30 * months) + timedelta(days=rng.randint(0, 40))
        while day < today - timedelta(days=3):
            access = rng.choices(["granted", "partial", "refused"], [80, 12, 8])[0]
            women = 0 if access == "refused" else rng.randint(8, 60)
            visit = PrisonVisit.objects.create(
                organisation=org,
                prison=prison,
                visit_date=day,
                team=rng.choice(["Two monitors", "Monitor and nurse", "Monitor and lawyer"]),
                access=access,
                women_seen=women,
                pregnant_seen=rng.randint(0, min(women, 5)),
                children_seen=0 if access == "refused" else rng.randint(0, 8),
                created_by=owners[0],
            )
            report.visits += 1
            if access != "refused":
                topics = rng.sample(list(FINDINGS), rng.randint(1, 3))
                findings = Finding.objects.bulk_create(
                    Finding(
                        visit=visit,
                        topic=topic,
                        description=rng.choice(FINDINGS[topic]),
                        resolved_on=day + timedelta(days=rng.randint(20, 90))
                        if rng.random() < 0.5 and day + timedelta(days=90) < today
                        else None,
                    )
                    for topic in topics
                )
                for finding in findings:
                    if rng.random() < 0.6:
                        due = day + timedelta(days=rng.randint(7, 45))
                        done = due < today and rng.random() < 0.75
                        FollowUpAction.objects.create(
                            visit=visit,
                            finding=finding,
                            description=rng.choice(ACTIONS),
                            owner=rng.choice(owners),
                            due_date=due,
                            status="done" if done else "open",
                            done_on=min(due, today) if done else None,
                        )
            if access != "granted":
                what, who = rng.choice(REFUSALS)
                restored = day + timedelta(days=rng.randint(2, 40))
                AccessIncident.objects.create(
                    organisation=org,
                    prison=prison,
                    visit=visit,
                    occurred_on=day,
                    what_was_refused=what,
                    refused_by=who,
                    escalated_to=UN_OFFICE,
                    escalated_on=day + timedelta(days=1),
                    response="Access agreed after a meeting with the department"
                    if restored < today
                    else "",
                    restored_on=restored if restored < today else None,
                    created_by=owners[0],
                )
                report.incidents += 1
            day += timedelta(days=rng.randint(45, 75))


def _grant(
    rng: random.Random,
    orgs: dict[str, Organisation],
    manager: User,
    today: date,
    report: FieldworkReport,
) -> None:
    start = date(today.year, today.month, 1) - timedelta(days=300)
    start = start.replace(day=1)
    grant = Grant.objects.create(
        organisation=orgs[NGO_CHILDREN],
        reference=GRANT_REFERENCE,
        donor="Small Grants Fund for Women in Detention",
        amount=Decimal("16300.00"),
        currency="USD",
        starts_on=start,
        ends_on=start + timedelta(days=364),
        purpose="Food, hygiene, health care and legal aid for pregnant women and mothers in "
        "prison and the children who live with them",
        created_by=manager,
    )
    grant.grantees.set([orgs[NGO_WOMEN], orgs[NGO_CHILDREN]])
    lines = [
        (BudgetLine.objects.create(grant=grant, code=c, name=n, amount=Decimal(a)), types, cost)
        for c, n, a, types, cost in LINES
    ]
    end = min(today, grant.ends_on)
    women = list(
        Woman.objects.filter(
            organisation__in=[orgs[NGO_WOMEN], orgs[NGO_CHILDREN]],
            current_episode__release_date__isnull=True,
            current_episode__admission_date__lt=end,
        )
        .order_by("id")
        .values_list("id", "current_episode__admission_date", "organisation_id")[:120]
    )
    deliveries = []
    # Each line is spent up to about 85% of its budget, so the demo grant is near its end.
    left = {line.code: line.amount * Decimal("0.85") for line, _t, _u in lines}
    for woman_id, admitted, org_id in women:
        first = max(admitted, grant.starts_on)
        for _ in range(rng.randint(1, 3)):
            line, types, unit = rng.choice(lines)
            quantity = rng.randint(1, 2)
            cost = Decimal(unit * quantity)
            if cost > left[line.code]:
                continue
            left[line.code] -= cost
            service = rng.choice([t for t in types if t != ServiceType.INFANT_FORMULA])
            deliveries.append(
                ServiceDelivery(
                    woman_id=woman_id,
                    service_type=service,
                    delivered_on=_day_between(rng, first, end),
                    quantity=quantity,
                    cost=cost,
                    grant=grant,
                    budget_line=line,
                    provider_id=org_id,
                    created_by=manager,
                )
            )
    # Infant formula for children living in prison now, on the mother's record.
    nutrition, _types, _unit = lines[0]
    for child_id, mother_id, since, org_id in (
        Placement.objects.filter(
            kind=PlacementKind.IN_PRISON,
            end_date__isnull=True,
            child__organisation__in=[orgs[NGO_WOMEN], orgs[NGO_CHILDREN]],
        )
        .order_by("id")
        .values_list("child_id", "child__mother_id", "start_date", "child__organisation_id")[:60]
    ):
        cost = Decimal(9 * rng.randint(2, 6))
        if cost > left[nutrition.code]:
            break
        left[nutrition.code] -= cost
        deliveries.append(
            ServiceDelivery(
                woman_id=mother_id,
                to_woman=False,
                child_id=child_id,
                service_type=ServiceType.INFANT_FORMULA,
                delivered_on=_day_between(rng, max(since, grant.starts_on), end),
                quantity=int(cost / 9),
                cost=cost,
                grant=grant,
                budget_line=nutrition,
                provider_id=org_id,
                created_by=manager,
            )
        )
    ServiceDelivery.objects.bulk_create(deliveries)
    report.deliveries = len(deliveries)


INSTITUTIONS = {
    Audience.JUDGES: ["Court of Appeal", "Phnom Penh Court of First Instance", "Kandal court"],
    Audience.PROSECUTORS: ["Prosecution office, Phnom Penh", "Prosecution office, Kandal"],
    Audience.LAWYERS: ["Bar Association", "Legal aid NGO"],
    Audience.PRISON_STAFF: ["Correctional Centre 2", "Provincial prisons"],
    Audience.POLICE: ["Municipal police", "Provincial police"],
}


def _training(
    rng: random.Random, org: Organisation, user: User, today: date, report: FieldworkReport
) -> None:
    """Two years of training sessions, each with two or three institutions."""
    day = today - timedelta(days=730)
    while day < today - timedelta(days=7):
        audience = rng.choice(list(Audience))
        session = TrainingSession.objects.create(
            organisation=org,
            audience=audience,
            held_on=day,
            place=rng.choice(["Phnom Penh", "Kandal", "Siem Reap", "Battambang"]),
            topics=sorted(rng.sample(list(TrainingTopic.values), rng.randint(1, 3))),
            statistics_used="Women in prison and children living with them, from Motherline",
            created_by=user,
        )
        institutions = INSTITUTIONS[audience]
        Participants.objects.bulk_create(
            Participants(
                session=session, institution=name, women=rng.randint(1, 12), men=rng.randint(2, 20)
            )
            for name in rng.sample(institutions, min(len(institutions), rng.randint(1, 3)))
        )
        report.training_sessions += 1
        day += timedelta(days=rng.randint(40, 80))


def _case_studies(
    org: Organisation,
    author: User,
    anonymiser: User,
    reviewer: User,
    today: date,
    report: FieldworkReport,
) -> None:
    """One composite story, published, and one draft waiting for consent."""
    CaseStudy.objects.create(
        organisation=org,
        title_en="Pregnant and held before trial for a small theft",
        narrative_en=(
            "A woman in her twenties was held in a provincial prison for eleven months "
            "before her trial, for the theft of goods worth less than a month's wage. She "
            "was four months pregnant when she was arrested and gave birth in custody; her "
            "child lived with her in a crowded cell without a mat or clean water.\n\n"
            "Her lawyer asked for release under judicial supervision, which the law allows; "
            "the court did not rule on it. She was sentenced to time served."
        ),
        title_local="មានផ្ទៃពោះ និងត្រូវឃុំខ្លួនមុនពេលជំនុំជម្រះ ពីបទលួចតិចតួច",
        narrative_local=(
            "ស្ត្រីម្នាក់ដែលមានអាយុម្ភៃឆ្នាំជាង ត្រូវបានឃុំខ្លួននៅពន្ធនាគារខេត្តមួយ "
            "អស់រយៈពេលដប់មួយខែ មុនពេលជំនុំជម្រះ ពីបទលួចទំនិញដែលមានតម្លៃតិចជាងប្រាក់ឈ្នួលមួយខែ។ "
            "គាត់មានផ្ទៃពោះបួនខែនៅពេលត្រូវចាប់ខ្លួន ហើយបានសម្រាលកូនក្នុងពេលជាប់ឃុំ។\n\n"
            "មេធាវីរបស់គាត់បានស្នើសុំឱ្យដោះលែងក្រោមការត្រួតពិនិត្យតាមផ្លូវតុលាការ "
            "ដែលច្បាប់អនុញ្ញាត ប៉ុន្តែតុលាការមិនបានសម្រេចលើសំណើនោះទេ។"
        ),
        tags=["pretrial", "pregnancy", "non-custodial"],
        status=CaseStatus.PUBLISHED,
        consent_on=today - timedelta(days=60),
        consent_given_by="The woman herself",
        consent_use=ConsentUse.PUBLICATION,
        anonymised_by=anonymiser,
        reviewed_by=reviewer,
        published_on=today - timedelta(days=20),
        created_by=author,
    )
    CaseStudy.objects.create(
        organisation=org,
        title_en="A child who must leave prison at three",
        narrative_en="Draft: how the transition plan found a grandmother to care for the child.",
        tags=["children", "transition"],
        created_by=author,
    )
    report.case_studies += 2
