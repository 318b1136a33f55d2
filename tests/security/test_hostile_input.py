"""Hostile input (property-based, hypothesis): the register's forms, the API's JSON bodies and
query strings, and the jurisdiction-pack loader, fed random and malicious values: oversized
text, control characters and NUL, scripts and HTML, Khmer and mixed scripts, dates out of
range, huge numbers.

What must hold for every input: no server error, and a refused input writes nothing (the
register's tables and the audit trail of changes are exactly as before). Each example runs in
a savepoint that is rolled back, so examples do not see each other's records.

Runs are derandomised (the same inputs on every run, so CI is stable) and bounded by
`max_examples` to keep the module under a minute.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motherline.accounts.models import AuditAction, AuditEvent
from motherline.jurisdictions import loader
from motherline.jurisdictions.models import Jurisdiction
from motherline.places.models import Prison, Province
from tests.care.conftest import CAREGIVER, plan_at
from tests.conftest import TODAY
from tests.factories import admit, child_in_prison, children_of, reload

EXAMPLES = 20
fuzz = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

MALICIOUS = [
    "",
    " ",
    "\x00",
    "Sokha\x00Chan",
    "\x00" * 3,
    "\x01\x02\x07\x1b[31m\x7f",
    "\t\n\r\x0b\x0c",
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ request.user.password }}{% debug %}",
    "'; DROP TABLE people_woman; --",
    "ស្រីមុំ ចាន់",
    "ព្រះរាជាណាចក្រកម្ពុជា" * 20,
    "Sokha ស្រី 李 محمد Ωμέγα",
    "\u202eevil\u202c",
    "\ufeff\u200b\u200d",
    "\U0001d516\U0001d52c\U0001d528\U0001d525\U0001d51e \U0001f9d5\U0001f3fd\U0001f476",
    "x" * 10_000,
    "ក" * 3_000,
    "9" * 400,
    "-1",
    "0",
    "99999999999999999999999999",
    "-99999999999999999999",
    "1e309",
    "NaN",
    "0000-00-00",
    "2026-02-30",
    "9999-12-31",
    "10000-01-01",
    "0001-01-01",
    "31/12/99999",
    "1900-01-01",
    "2026-13-01",
    "../../etc/passwd",
    "%00",
    "true",
    "on",
]

# The known-bad list is drawn twice as often as each generated kind.
hostile_text = st.one_of(
    st.sampled_from(MALICIOUS),
    st.sampled_from(MALICIOUS),
    st.text(max_size=60),
    st.text(
        alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "Lo"]), max_size=30
    ),
    st.integers().map(str),
    st.dates(min_value=date(1, 1, 1)).map(date.isoformat),
)
# What a JSON body may hold where a field is expected.
hostile_json = st.one_of(
    hostile_text,
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.lists(hostile_text, max_size=3),
    st.dictionaries(hostile_text, hostile_text, max_size=2),
)


@pytest.fixture(autouse=True)
def _on_today(frozen_today):
    """Every test here runs on TODAY, on the root conftest's one clock."""


@pytest.fixture
def record(users, prisons, offences):
    """A woman in CC2 with a child living with her and an open transition plan."""
    woman = reload(
        admit(
            users["monitor"],
            prisons["CC2"],
            admission_date=TODAY - timedelta(days=400),
            children=[child_in_prison(date(2023, 8, 1), name="Dara")],
        )
    )
    child = children_of(woman)[0]
    plan = plan_at(users["monitor"], child, "open")
    return {"woman": woman, "child": child, "plan": plan, "prisons": prisons, "offences": offences}


def snapshot() -> dict[str, Any]:
    """Every row count of the register and the changes on the audit trail."""
    counts: dict[str, Any] = {}
    for label in ("people", "care", "places", "jurisdictions"):
        for model in apps.get_app_config(label).get_models():
            counts[model._meta.label] = model.objects.count()
    counts["audit"] = AuditEvent.objects.exclude(action=AuditAction.VIEW).count()
    counts["versions"] = sorted(
        apps.get_model("people", "Woman").objects.values_list("id", "version")
    )
    return counts


def run_example(check: Callable[[], Any]) -> None:
    with transaction.atomic():
        check()
        transaction.set_rollback(True)


# The web forms

D = (TODAY - timedelta(days=3)).isoformat()


def _forms(r: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Each form's URL and a valid submission, which the examples then spoil."""
    woman, child, plan, prisons = r["woman"], r["child"], r["plan"], r["prisons"]
    ref = woman.reference
    return {
        "admission": (
            reverse("people:admit"),
            {
                "name": "Chan Sreymom",
                "prison": str(prisons["CC2"].pk),
                "admission_date": D,
                "legal_status": "pretrial",
                "consent_scope": "register",
                "nationality": "KH",
                "offences": [str(r["offences"]["theft"].pk)],
                "children-TOTAL_FORMS": "1",
                "children-INITIAL_FORMS": "0",
                "children-0-name": "Dara",
                "children-0-date_of_birth": "2024-01-01",
                "children-0-sex": "unknown",
                "children-0-lives_in_prison": "yes",
            },
        ),
        "transfer": (
            reverse("people:transfer", args=[ref]),
            {
                "to_prison": str(prisons["KDL"].pk),
                "transfer_date": D,
                "reason": "x",
                "version": "1",
            },
        ),
        "legal_status": (
            reverse("people:legal_status", args=[ref]),
            {"status": "convicted", "effective_date": D, "sentence_months": "12", "version": "1"},
        ),
        "release": (
            reverse("people:release", args=[ref]),
            {"release_date": D, "reason": "end_of_sentence", "note": "", "version": "1"},
        ),
        "pregnancy": (
            reverse("people:pregnancy", args=[ref]),
            {"known_since": D, "antenatal_care_contacts": "1"},
        ),
        "child": (
            reverse("people:add_child", args=[ref]),
            {
                "name": "Vibol",
                "date_of_birth": "2022-05-05",
                "sex": "male",
                "lives_in_prison": "no",
                "caregiver_relationship": "grandparent",
                "caregiver_name": "Chea",
            },
        ),
        "correction": (
            reverse("people:edit_woman", args=[ref]),
            {
                "name": woman.name,
                "nationality": "KH",
                "consent_scope": "register",
                "dependent_children": "1",
                "version": str(woman.version),
            },
        ),
        "transition_plan": (
            reverse("care:edit", args=[plan.pk]),
            {**CAREGIVER, "version": str(plan.version)},
        ),
        "move_child_out": (
            reverse("people:move_child_out", args=[child.reference]),
            {
                "move_date": D,
                "caregiver_relationship": "grandparent",
                "caregiver_name": "Chea",
                "version": str(child.version),
            },
        ),
    }


@pytest.mark.parametrize(
    "form",
    [
        "admission",
        "transfer",
        "legal_status",
        "release",
        "pregnancy",
        "child",
        "correction",
        "transition_plan",
        "move_child_out",
    ],
)
def test_no_form_input_causes_a_server_error_or_a_partial_write(client, users, record, form):
    url, valid = _forms(record)[form]
    client.force_login(users["monitor"])
    names = sorted(valid)

    @fuzz
    @given(spoiled=st.dictionaries(st.sampled_from(names), hostile_text, min_size=1, max_size=4))
    def check(spoiled):
        def one():
            before = snapshot()
            response = client.post(url, {**valid, **spoiled})
            assert response.status_code in (200, 302), response.status_code
            if response.status_code == 200:  # refused: shown again with its errors
                assert snapshot() == before, f"{form} wrote part of a refused input {spoiled!r}"

        run_example(one)

    check()


def test_a_nul_character_is_a_field_error_on_the_forms(client, users, record):
    url, valid = _forms(record)["correction"]
    client.force_login(users["monitor"])
    response = client.post(url, {**valid, "name": "Sokha\x00Chan"})
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert reload(record["woman"]).name != "Sokha\x00Chan"


# The API


def _api_calls(r: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    woman, child, plan = r["woman"], r["child"], r["plan"]
    ref = woman.reference
    return {
        "admission": (
            "post",
            "/api/v1/women",
            {
                "prison": "CC2",
                "admission_date": D,
                "name": "Chan Sreymom",
                "offences": ["theft"],
                "children": [{"date_of_birth": "2024-01-01", "living_in_prison": True}],
            },
        ),
        "correction": ("patch", f"/api/v1/women/{ref}", {"version": 1, "name": "Sokha"}),
        "transfer": (
            "post",
            f"/api/v1/women/{ref}/transfers",
            {"to_prison": "KDL", "transfer_date": D, "version": 1},
        ),
        "legal_status": (
            "post",
            f"/api/v1/women/{ref}/legal-status",
            {"status": "convicted", "effective_date": D, "sentence_months": 12, "version": 1},
        ),
        "release": (
            "post",
            f"/api/v1/women/{ref}/release",
            {"release_date": D, "reason": "end_of_sentence", "version": 1},
        ),
        "pregnancy": ("post", f"/api/v1/women/{ref}/pregnancies", {"known_since": D}),
        "child": (
            "post",
            f"/api/v1/women/{ref}/children",
            {"date_of_birth": "2022-05-05", "caregiver_relationship": "grandparent"},
        ),
        "move_child_out": (
            "post",
            f"/api/v1/children/{child.reference}/move-out",
            {"move_date": D, "caregiver_relationship": "grandparent", "version": 1},
        ),
        "transition_plan": ("patch", f"/api/v1/plans/{plan.pk}", {"version": 1, **CAREGIVER}),
    }


@pytest.mark.parametrize(
    "call",
    [
        "admission",
        "correction",
        "transfer",
        "legal_status",
        "release",
        "pregnancy",
        "child",
        "move_child_out",
        "transition_plan",
    ],
)
def test_no_json_body_causes_a_server_error_or_a_partial_write(client, users, record, call):
    method, path, valid = _api_calls(record)[call]
    client.force_login(users["monitor"])
    names = [*sorted(valid), "unknown_field"]

    @fuzz
    @given(spoiled=st.dictionaries(st.sampled_from(names), hostile_json, min_size=1, max_size=4))
    def check(spoiled):
        def one():
            before = snapshot()
            body = json.dumps({**valid, **spoiled})
            response = getattr(client, method)(path, body, content_type="application/json")
            assert response.status_code in (200, 201, 409, 422), (response.status_code, spoiled)
            if response.status_code >= 400:
                assert snapshot() == before, f"{call} wrote part of a refused body {spoiled!r}"
                assert "errors" in response.json()

        run_example(one)

    check()


@fuzz
@given(body=st.one_of(st.binary(max_size=200), hostile_text.map(str.encode)))
def test_a_body_that_is_not_json_is_refused_cleanly(client, users, record, body):
    client.force_login(users["monitor"])
    run_example(
        lambda: _assert_refused(
            client.post(
                f"/api/v1/women/{record['woman'].reference}/pregnancies",
                body,
                content_type="application/json",
            )
        )
    )


def _assert_refused(response) -> None:
    assert response.status_code in (400, 422), response.status_code


@fuzz
@given(
    params=st.dictionaries(
        st.sampled_from(
            [
                "q",
                "prison",
                "province",
                "legal_status",
                "pregnant",
                "after",
                "size",
                "pretrial_days_over",
                "in_custody",
            ]
        ),
        hostile_text,
        min_size=1,
        max_size=4,
    )
)
def test_no_query_string_causes_a_server_error(client, users, record, params):
    client.force_login(users["monitor"])
    assert client.get("/api/v1/women", params).status_code in (200, 422)
    assert client.get(reverse("people:women"), params).status_code == 200
    assert client.get("/api/v1/worklist", params).status_code in (200, 422)


def test_a_nul_character_in_a_path_is_not_found(client, users, record):
    client.force_login(users["monitor"])
    assert client.get("/women/W-%00/").status_code == 404
    assert client.get("/api/v1/women/W-%00").status_code == 404
    assert client.get("/plans/open/%00C/").status_code == 404


def test_a_nul_character_is_a_field_error_in_the_api(client, users, record):
    client.force_login(users["monitor"])
    woman = record["woman"]
    response = client.patch(
        f"/api/v1/women/{woman.reference}",
        json.dumps({"version": woman.version, "name": "Sokha\x00Chan", "health_notes": "a\x00"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"name", "health_notes"}
    assert errors["name"] == ["Remove the invisible NUL character from this text."]
    assert reload(woman).version == woman.version
    listing = client.get("/api/v1/women", {"q": "So\x00kha"})
    assert listing.status_code == 422
    assert set(listing.json()["errors"]) == {"q"}


# The jurisdiction-pack loader

PACK_FILES = [
    "provinces.csv",
    "prisons.csv",
    "offences.csv",
    "age_limits.csv",
    "pretrial_limits.csv",
]


def _pack_tables() -> tuple[int, ...]:
    return (Jurisdiction.objects.count(), Province.objects.count(), Prison.objects.count())


@pytest.fixture
def pack_dir(tmp_path) -> Path:
    target = tmp_path / "packs"
    shutil.copytree(loader.PACKS_DIR / "ke", target / "ke")
    return target


@fuzz
@given(
    file=st.sampled_from(PACK_FILES),
    line=st.integers(min_value=1, max_value=6),
    column=st.integers(min_value=0, max_value=9),
    value=hostile_text,
)
def test_no_pack_cell_causes_anything_but_a_reported_error(db, pack_dir, file, line, column, value):
    path = pack_dir / "ke" / file
    original = path.read_text(encoding="utf-8")
    lines = original.splitlines()
    row = lines[min(line, len(lines) - 1)].split(",")
    row[min(column, len(row) - 1)] = value.replace(",", ";").replace("\n", " ").replace("\r", " ")
    lines[min(line, len(lines) - 1)] = ",".join(row)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        with transaction.atomic():
            before = _pack_tables()
            try:
                loader.load_pack("ke", pack_dir)
            except loader.PackInvalid as invalid:
                assert invalid.errors, "an invalid pack names its errors"
                assert all(str(e).startswith(file) or ":" in str(e) for e in invalid.errors)
                assert _pack_tables() == before
            transaction.set_rollback(True)
    finally:
        path.write_text(original, encoding="utf-8")


@fuzz
@given(toml=st.one_of(hostile_text, st.binary(max_size=100).map(lambda b: b.decode("latin-1"))))
def test_no_pack_header_causes_anything_but_a_reported_error(db, pack_dir, toml):
    path = pack_dir / "ke" / "pack.toml"
    original = path.read_text(encoding="utf-8")
    path.write_text(
        original.replace('name = "', f'name = "{toml[:40]}', 1) if "\n" not in toml else toml,
        encoding="utf-8",
        errors="surrogatepass",
    )
    try:
        with transaction.atomic():
            before = _pack_tables()
            try:
                loader.load_pack("ke", pack_dir)
            except loader.PackInvalid:
                assert _pack_tables() == before
            transaction.set_rollback(True)
    finally:
        path.write_text(original, encoding="utf-8")
