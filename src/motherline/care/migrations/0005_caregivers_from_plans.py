"""Give each caregiver typed on a transition plan a caregiver record, linked to the plan's
child and to the plan. The plan's free-text fields stay as they were typed (and readable);
one person typed the same way on plans of two of a woman's children becomes one record."""

import re

from django.db import migrations

# As `care.rules.phone_error` reads a phone number (copied: a migration does not import the
# application's code, which may change after it).
_PHONE = re.compile(r"^\+?[0-9 ().\-]+$")


def _is_phone(text):
    digits = sum(ch.isdigit() for ch in text)
    return bool(_PHONE.match(text)) and 6 <= digits <= 15 and len(text) <= 32


def forwards(apps, schema_editor):
    Plan = apps.get_model("care", "TransitionPlan")
    Caregiver = apps.get_model("care", "Caregiver")
    Link = apps.get_model("care", "CaregiverLink")
    made = {}
    plans = Plan.objects.filter(caregiver__isnull=True).exclude(caregiver_name="")
    for plan in plans.select_related("child").order_by("id").iterator():
        name = plan.caregiver_name.strip()
        if not name:
            continue
        location = plan.caregiver_location.strip()
        contact = plan.caregiver_contact.strip()
        phone = contact if _is_phone(contact) else ""
        address = "; ".join(part for part in (location, "" if phone else contact) if part)
        key = (plan.child.mother_id, name.casefold(), address.casefold(), phone)
        caregiver = made.get(key)
        if caregiver is None:
            caregiver = Caregiver.objects.create(
                woman_id=plan.child.mother_id, name=name, address=address[:255], phone=phone
            )
            made[key] = caregiver
        Link.objects.get_or_create(
            caregiver=caregiver,
            child_id=plan.child_id,
            defaults={"relationship": plan.caregiver_relationship or "other"},
        )
        Plan.objects.filter(pk=plan.pk).update(caregiver=caregiver)


def backwards(apps, schema_editor):
    Plan = apps.get_model("care", "TransitionPlan")
    Caregiver = apps.get_model("care", "Caregiver")
    Plan.objects.update(caregiver=None)
    # The records this migration made (no one is named as their author), unless assessed.
    Caregiver.objects.filter(created_by__isnull=True, assessments__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("care", "0004_caregivers_and_assessments")]

    operations = [migrations.RunPython(forwards, backwards)]
