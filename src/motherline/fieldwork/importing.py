"""Importing the submissions of the XLSForms (`fieldwork.xlsforms`) from the CSV or XLSX
exports of ODK Central or KoBoToolbox: `motherline import visits FILE`, `motherline import
services FILE`, and the upload page; and one submission at a time as the JSON those servers
send (`submission_row`, for `POST /api/v1/submissions/{kind}`), through the same checks.

Every row is checked first, with the same rules as the forms (`fieldwork.rules`,
`grants.rules`) and the same access policy; if any row is refused, nothing is written and
each refusal is reported as (line, field, reason). A submission already imported (same
instance ID) is skipped, so importing the same export twice adds nothing. The database is
read a fixed number of times whatever the size of the export, and rows are written in bulk.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, User
from motherline.accounts.policy import Capability, can, organisation_id_of
from motherline.bounds import clean_value
from motherline.core import clock
from motherline.fieldwork import rules
from motherline.fieldwork.forms import RecordVisitForm
from motherline.fieldwork.models import Finding, PrisonVisit, Topic
from motherline.grants import rules as grant_rules
from motherline.grants.forms import DeliveryForm
from motherline.grants.models import Grant, ServiceDelivery
from motherline.grants.queries import chargeable_grants
from motherline.people.models import Child, CustodyEpisode, Woman
from motherline.places.models import Prison
from motherline.uploads import FileRefused, Source, read_table

# Columns that carry a submission's instance ID, by export tool (`__id`: ODK Central's JSON).
ID_COLUMNS = ("instanceid", "_uuid", "key", "meta-instanceid", "_submission__uuid", "__id")
CHUNK = 500
COUNTS = ("women_seen", "pregnant_seen", "children_seen")


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.line}: {self.field}: {self.reason}"


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    skipped: int = 0  # already imported
    errors: list[RowError] = field(default_factory=list)
    # The instance IDs of the submissions written.
    written: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _key(column: str) -> str:
    # Exports prefix a field with its groups ("group_visit/prison", "meta/instanceID").
    name = str(column or "").strip().lower()
    return "meta-instanceid" if name in ("meta/instanceid",) else name.rsplit("/", 1)[-1]


def read_rows(content: Source, filename: str) -> list[tuple[int, dict[str, str]]]:
    """(line, row) pairs of an export, keyed by field name, from CSV (comma or semicolon,
    as KoBoToolbox exports) or XLSX (the first sheet), read within the limits of
    `motherline.uploads` (raises `FileRefused`, naming the limit or the problem)."""
    header: list[str] = []
    out = []
    for number, values in read_table(content, filename):
        if number == 1 or not header:
            header = [_key(h) for h in values]
            continue
        if not any(v not in (None, "") and str(v).strip() for v in values):
            continue
        row = {}
        for name, value in zip(header, values, strict=False):
            if isinstance(value, date):
                value = value.isoformat()[:10]
            row[name] = "" if value is None else str(value).strip()
        out.append((number, row))
    return out


# A submission pushed as JSON is bounded before it is read: its fields, how deep its groups
# nest, the length of a name and of a text (the longest text a form takes is a note).
SUBMISSION_FIELDS_MAX = 500
SUBMISSION_DEPTH_MAX = 5
SUBMISSION_NAME_MAX = 200
SUBMISSION_TEXT_MAX = 20_000


def submission_row(data: Mapping[str, Any]) -> dict[str, str]:
    """One submission pushed as JSON, as the row of an export (`read_rows`), so that it goes
    through the same checks as a file.

    KoBoToolbox REST Services send one flat object whose names carry the groups
    ("group_visit/prison", "meta/instanceID") with the server's own "_id", "_uuid",
    "formhub/uuid", "_submission_time", "_attachments", ...; ODK Central's JSON (OData) nests
    the groups as objects ({"meta": {"instanceID": ...}}), names the instance "__id", keeps its
    own fields in "__system", and gives numbers as numbers; its whole document,
    {"@odata.context": ..., "value": [one submission]}, is taken too. Lists (attachments, tags,
    a location) are no field of the forms and are left out, as are the servers' metadata.
    Raises ValidationError naming what is wrong: more than one submission, or a submission
    deeper, wider or longer than the limits above."""
    value = data.get("value")
    if (isinstance(value, list) and "@odata.context" in data) or set(data) == {"value"}:
        if not isinstance(value, list) or len(value) != 1 or not isinstance(value[0], dict):
            raise ValidationError({"value": [_("Send one submission in each request.")]})
        data = value[0]
    row: dict[str, str] = {}
    errors: dict[str, list[str]] = {}

    def walk(items: Mapping[str, Any], prefix: str, depth: int) -> None:
        for name, item in items.items():
            name = str(name)
            if not prefix and (name.startswith("@") or name == "__system"):
                continue  # OData's annotations and Central's own record of the submission
            path = f"{prefix}/{name}" if prefix else name
            key = _key(path)
            if len(path) > SUBMISSION_NAME_MAX:
                errors.setdefault("__all__", []).append(
                    _("A field's name has at most %(max)d characters.")
                    % {"max": SUBMISSION_NAME_MAX}
                )
            elif isinstance(item, Mapping):
                if depth >= SUBMISSION_DEPTH_MAX:
                    errors.setdefault(key, []).append(
                        _("Groups nest at most %(max)d deep.") % {"max": SUBMISSION_DEPTH_MAX}
                    )
                else:
                    walk(item, path, depth + 1)
            elif isinstance(item, list):
                continue
            elif len(row) >= SUBMISSION_FIELDS_MAX:
                errors["__all__"] = [
                    _("A submission has at most %(max)d fields.") % {"max": SUBMISSION_FIELDS_MAX}
                ]
                return
            else:
                text = _text(item)
                if len(text) > SUBMISSION_TEXT_MAX:
                    errors.setdefault(key, []).append(
                        _("Enter at most %(max_length)s characters.")
                        % {"max_length": SUBMISSION_TEXT_MAX}
                    )
                row[key] = text.strip()

    walk(data, "", 1)
    if errors:
        raise ValidationError(errors)
    return row


def _text(value: Any) -> str:
    """A JSON value as the text of an export's cell (ODK Central sends numbers as numbers;
    KoBoToolbox sends text)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def submission_id(row: Mapping[str, str]) -> str:
    """The instance ID of a row, from the first of `ID_COLUMNS` it has (KoBoToolbox's "_uuid",
    ODK Central's "__id" or "KEY", else "meta/instanceID"): a file and a push of the same
    submission find the same one."""
    return next((row[c] for c in ID_COLUMNS if row.get(c)), "")


def file_error(exc: FileRefused) -> RowError:
    """A refused file reported like a refused row: where (line 0 is the whole file), why."""
    return RowError(exc.line, exc.column or "file", exc.message)


def _clean(
    row: dict[str, str],
    name: str,
    fields: dict[str, forms.Field],
    model: Any,
    errors: dict[str, str],
    *,
    column: str | None = None,
) -> Any:
    """The cell through the web form's field and the model field's validators (`bounds`);
    on error, its first message under the field's name (unless one is there already)."""
    try:
        return clean_value(fields[name], row.get(name, ""), model._meta.get_field(column or name))
    except ValidationError as exc:
        errors.setdefault(name, exc.messages[0])
        return None


def _date_cell(row: dict[str, str], name: str) -> str:
    # ODK writes a date, KoBoToolbox sometimes a date and time: the day is the first ten.
    return (row.get(name) or "")[:10]


def _existing(model: Any, ids: Iterable[str]) -> set[str]:
    ids = sorted(set(ids))
    found: set[str] = set()
    for start in range(0, len(ids), CHUNK):
        found.update(
            model.objects.filter(submission_id__in=ids[start : start + CHUNK]).values_list(
                "submission_id", flat=True
            )
        )
    return found


def _new_rows(
    model: Any, rows: list[tuple[int, dict[str, str]]], report: ImportReport
) -> list[tuple[int, str, dict[str, str]]]:
    """The rows not imported before, each with its submission ID; a row without one, or
    with one seen earlier in the file, is an error."""
    done = _existing(model, (submission_id(r) for _n, r in rows))
    longest = model._meta.get_field("submission_id").max_length
    seen: set[str] = set()
    out = []
    for line, row in rows:
        sid = submission_id(row)
        if not sid:
            report.errors.append(
                RowError(line, "instanceID", _("The submission has no instance ID."))
            )
        elif len(sid) > longest:
            report.errors.append(
                RowError(
                    line,
                    "instanceID",
                    _("An instance ID has at most %(max)s characters.") % {"max": longest},
                )
            )
        elif sid in seen:
            report.errors.append(RowError(line, "instanceID", _("This submission appears twice.")))
        elif sid in done:
            report.skipped += 1
        else:
            out.append((line, sid, row))
        seen.add(sid)
    return out


def _require(user: User, capability: Capability) -> None:
    if not can(user, capability):
        raise PermissionDenied(_("Your role may not record field work."))


def import_visits(
    user: User,
    rows: list[tuple[int, dict[str, str]]],
    *,
    today: date | None = None,
    request: HttpRequest | None = None,
    via: str = "import",
) -> ImportReport:
    """Visits of the user's organisation from an export of the prison-visit form."""
    _require(user, Capability.RECORD_FIELDWORK)
    organisation_id = organisation_id_of(user)
    today = clock.today(today)
    report = ImportReport("visits", rows=len(rows))
    prisons = {
        p.code.lower(): p
        for p in Prison.objects.filter(province__jurisdiction__organisations=organisation_id)
    }
    # The page's form, whose fields are the rules of each cell (no query is run).
    fields = RecordVisitForm().fields
    visits: list[tuple[PrisonVisit, dict[Topic, str]]] = []
    for line, sid, row in _new_rows(PrisonVisit, rows, report):
        errors: dict[str, str] = {}
        prison = prisons.get(row.get("prison", "").lower())
        if prison is None:
            errors["prison"] = _("No prison has this code.")
        # A count left empty (a refused visit) is none seen, as the phone form's default.
        row = {
            **row,
            "visit_date": _date_cell(row, "visit_date"),
            **{n: row.get(n) or "0" for n in COUNTS},
        }
        visit_date = _clean(row, "visit_date", fields, PrisonVisit, errors)
        counts = {n: _clean(row, n, fields, PrisonVisit, errors) for n in COUNTS}
        access = _clean(row, "access", fields, PrisonVisit, errors) or ""
        if not row.get("team"):
            errors["team"] = _("Name who went, by role.")
        team = _clean(row, "team", fields, PrisonVisit, errors)
        notes = _clean(row, "notes", fields, PrisonVisit, errors) or ""
        findings = {
            topic: _clean(row, f"finding_{topic}", fields, Finding, errors, column="description")
            for topic in Topic.values
        }
        if visit_date is not None and None not in counts.values():
            errors.update(
                {
                    k: v
                    for k, v in rules.visit_errors(
                        visit_date=visit_date, access=access, today=today, **counts
                    ).items()
                    if k not in errors
                }
            )
        if errors:
            report.errors += [RowError(line, f, r) for f, r in errors.items()]
            continue
        visits.append(
            (
                PrisonVisit(
                    organisation_id=organisation_id,
                    prison=prison,
                    visit_date=visit_date,
                    team=team,
                    access=access,
                    notes=notes,
                    submission_id=sid,
                    created_by=user,
                    **counts,
                ),
                {Topic(t): text for t, text in findings.items() if text},
            )
        )
    if report.errors:
        report.errors.sort(key=lambda e: e.line)
        return report
    with transaction.atomic():
        created = PrisonVisit.objects.bulk_create([v for v, _r in visits], batch_size=CHUNK)
        Finding.objects.bulk_create(
            [
                Finding(visit=visit, topic=topic, description=text)
                for visit, (_v, found) in zip(created, visits, strict=True)
                for topic, text in found.items()
            ],
            batch_size=CHUNK,
        )
        report.created = len(created)
        report.written = [v.submission_id or "" for v, _r in visits]
        audit.record(
            user,
            AuditAction.CREATE,
            object_type="fieldwork.PrisonVisit",
            object_ref=via,
            changes={
                "created": report.created,
                "skipped": report.skipped,
                "submissions": audit.listed(report.written),
            },
            request=request,
        )
    return report


def import_services(
    user: User,
    rows: list[tuple[int, dict[str, str]]],
    *,
    today: date | None = None,
    request: HttpRequest | None = None,
    via: str = "import",
) -> ImportReport:
    """Services delivered, from an export of the service form: each woman by reference,
    among the women the user may change; the same checks as the page (in custody that day)."""
    _require(user, Capability.EDIT_REGISTER)
    organisation_id = organisation_id_of(user)
    today = clock.today(today)
    report = ImportReport("services", rows=len(rows))
    new = _new_rows(ServiceDelivery, rows, report)
    refs = {row.get("woman", "") for _l, _s, row in new}
    women = {
        w.reference: w
        for ref_chunk in _chunks(sorted(refs))
        for w in Woman.objects.editable_by(user).filter(reference__in=ref_chunk)
    }
    episodes: dict[int, list[tuple[date, date | None]]] = {}
    children: dict[str, Child] = {}
    for chunk in _chunks([w.pk for w in women.values()]):
        for woman_id, admitted, released in CustodyEpisode.objects.filter(
            woman_id__in=chunk
        ).values_list("woman_id", "admission_date", "release_date"):
            episodes.setdefault(woman_id, []).append((admitted, released))
        children.update({c.reference: c for c in Child.objects.filter(mother_id__in=chunk)})
    grants = {g.reference: g for g in chargeable_grants(user).prefetch_related("budget_lines")}
    fields = DeliveryForm(grants=Grant.objects.none()).fields
    deliveries = []
    for line, sid, row in new:
        errors: dict[str, str] = {}
        woman_ref = _clean(row, "woman", fields, Woman, errors, column="reference")
        woman = women.get(woman_ref) if woman_ref else None
        if "woman" in errors:
            report.errors.append(RowError(line, "woman", errors["woman"]))
            continue
        if woman is None:
            report.errors.append(
                RowError(line, "woman", _("No woman you may change has this reference."))
            )
            continue
        row = {**row, "delivered_on": _date_cell(row, "delivered_on")}
        child = None
        if row.get("child"):
            child_ref = _clean(row, "child", fields, Child, errors, column="reference")
            child = children.get(child_ref) if child_ref else None
            if child_ref and (child is None or child.mother_id != woman.pk):
                errors["child"] = _("She has no child with this reference.")
        grant = grants.get(row.get("grant", "")) if row.get("grant") else None
        if row.get("grant") and grant is None:
            errors["grant"] = _("No grant you may charge has this reference.")
        lines = {b.code: b for b in grant.budget_lines.all()} if grant else {}
        budget_line = lines.get(row.get("budget_line", "")) if row.get("budget_line") else None
        if row.get("budget_line") and budget_line is None:
            errors["budget_line"] = _("The grant has no budget line with this code.")
        delivered_on = _clean(row, "delivered_on", fields, ServiceDelivery, errors)
        quantity = _clean(row, "quantity", fields, ServiceDelivery, errors)
        cost = _clean(row, "cost", fields, ServiceDelivery, errors)
        service_type = _clean(row, "service_type", fields, ServiceDelivery, errors) or ""
        notes = _clean(row, "notes", fields, ServiceDelivery, errors) or ""
        to_woman = row.get("to_woman", "yes").lower() in ("yes", "1", "true")
        if delivered_on is not None and "service_type" not in errors:
            for name, message in grant_rules.delivery_errors(
                service_type=service_type,
                delivered_on=delivered_on,
                today=today,
                quantity=quantity,
                cost=cost,
                to_woman=to_woman,
                episodes=episodes.get(woman.pk, []),
                child_born_on=child.date_of_birth if child else None,
                has_child=child is not None,
                grant_period=(grant.starts_on, grant.ends_on) if grant else None,
                line_in_grant=True,
            ).items():
                errors.setdefault(name, message)
        if errors:
            report.errors += [RowError(line, f, r) for f, r in errors.items()]
            continue
        deliveries.append(
            ServiceDelivery(
                woman=woman,
                to_woman=to_woman,
                child=child,
                service_type=service_type,
                delivered_on=delivered_on,
                quantity=quantity,
                cost=cost,
                notes=notes,
                grant=grant,
                budget_line=budget_line,
                provider_id=organisation_id,
                submission_id=sid,
                created_by=user,
            )
        )
    if report.errors:
        report.errors.sort(key=lambda e: e.line)
        return report
    with transaction.atomic():
        report.created = len(ServiceDelivery.objects.bulk_create(deliveries, batch_size=CHUNK))
        report.written = [d.submission_id for d in deliveries if d.submission_id]
        audit.record(
            user,
            AuditAction.CREATE,
            object_type="grants.ServiceDelivery",
            object_ref=via,
            changes={
                "created": report.created,
                "skipped": report.skipped,
                "women": sorted({d.woman.reference for d in deliveries}),
                "submissions": audit.listed(report.written),
            },
            request=request,
        )
    return report


def _chunks(values: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


IMPORTERS = {"visits": import_visits, "services": import_services}
