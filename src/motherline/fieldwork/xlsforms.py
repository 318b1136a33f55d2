"""The XLSForm definitions monitors fill in on a phone without a connection (ODK Collect,
KoBoCollect): a prison visit, and a service delivered. `write_xlsforms` writes them as .xlsx
(the project ships them in `forms/`); `motherline import` reads the CSV/XLSX exports of the
submissions. The field names here are the columns `fieldwork.importing` reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel import Locale
from django.utils import translation
from django.utils.translation import pgettext_lazy

from motherline.fieldwork.models import Access, Topic
from motherline.grants.models import ServiceType
from motherline.jurisdictions import local
from motherline.reports.tabular import append_row, new_workbook

# Each label in English and, from the translation catalogue, in the local language of the
# deployment's pack (the XLSForm's second language: Khmer for Cambodia).
VISIT_FUTURE = pgettext_lazy("XLSForm", "The visit cannot be in the future.")
MORE_PREGNANT = pgettext_lazy("XLSForm", "More pregnant women than women seen.")


def _headers(language: str) -> tuple[list[str], list[str]]:
    """The survey's and the choices' header rows: `label::English (en)`, `label::Khmer (km)`."""
    name = f"{Locale('en').languages.get(language, language)} ({language})"
    survey = [
        "type",
        "name",
        "label::English (en)",
        f"label::{name}",
        "required",
        "constraint",
        "constraint_message::English (en)",
        f"constraint_message::{name}",
        "relevant",
    ]
    return survey, ["list_name", "name", "label::English (en)", f"label::{name}"]


def _both(label: Any, language: str) -> tuple[str, str]:
    with translation.override("en"):
        english = str(label)
    with translation.override(language):
        return english, str(label)


def _row(
    type_: str,
    name: str,
    label: Any,
    language: str,
    required: str = "",
    constraint: str = "",
    message: Any = "",
    relevant: str = "",
) -> list[str]:
    english, local_label = _both(label, language)
    messages = _both(message, language) if message else ("", "")
    return [type_, name, english, local_label, required, constraint, *messages, relevant]


def _choice(list_name: str, value: str, label: Any, language: str) -> list[str]:
    return [list_name, value, *_both(label, language)]


def visit_form(language: str) -> tuple[list[list[str]], list[list[str]], dict[str, str]]:
    survey = [
        _row("text", "prison", pgettext_lazy("XLSForm", "Prison code"), language, "yes"),
        _row(
            "date",
            "visit_date",
            pgettext_lazy("XLSForm", "Date of the visit"),
            language,
            "yes",
            ". <= today()",
            VISIT_FUTURE,
        ),
        _row("text", "team", pgettext_lazy("XLSForm", "Team (by role)"), language, "yes"),
        _row("select_one access", "access", pgettext_lazy("XLSForm", "Access"), language, "yes"),
        _row(
            "integer",
            "women_seen",
            pgettext_lazy("XLSForm", "Women seen"),
            language,
            "yes",
            ". >= 0",
        ),
        _row(
            "integer",
            "pregnant_seen",
            pgettext_lazy("XLSForm", "Pregnant women seen"),
            language,
            "yes",
            ". >= 0 and . <= ${women_seen}",
            MORE_PREGNANT,
        ),
        _row(
            "integer",
            "children_seen",
            pgettext_lazy("XLSForm", "Children seen"),
            language,
            "yes",
            ". >= 0",
        ),
    ]
    for topic, label in Topic.choices:
        finding = _Finding(label)
        survey.append(
            _row("text", f"finding_{topic}", finding, language, relevant="${access} != 'refused'")
        )
    survey.append(_row("text", "notes", pgettext_lazy("XLSForm", "Notes"), language))
    choices = [_choice("access", value, label, language) for value, label in Access.choices]
    return (
        survey,
        choices,
        {"form_title": "Motherline: prison visit", "form_id": "motherline_visit"},
    )


class _Finding:
    """ "Finding: <topic>", in the language active when it is read."""

    def __init__(self, topic: Any) -> None:
        self.topic = topic

    def __str__(self) -> str:
        return str(pgettext_lazy("XLSForm", "Finding: %(topic)s")) % {"topic": self.topic}


def service_form(language: str) -> tuple[list[list[str]], list[list[str]], dict[str, str]]:
    survey = [
        _row("text", "woman", pgettext_lazy("XLSForm", "Woman's reference (W-…)"), language, "yes"),
        _row(
            "select_one yes_no",
            "to_woman",
            pgettext_lazy("XLSForm", "Did the woman receive it herself?"),
            language,
            "yes",
        ),
        _row(
            "text",
            "child",
            pgettext_lazy("XLSForm", "Child's reference (C-…), for a service to her child"),
            language,
        ),
        _row(
            "select_one service_type",
            "service_type",
            pgettext_lazy("XLSForm", "Service"),
            language,
            "yes",
        ),
        _row(
            "date",
            "delivered_on",
            pgettext_lazy("XLSForm", "Date"),
            language,
            "yes",
            ". <= today()",
        ),
        _row(
            "integer", "quantity", pgettext_lazy("XLSForm", "Quantity"), language, "yes", ". >= 1"
        ),
        _row("decimal", "cost", pgettext_lazy("XLSForm", "Cost"), language, "yes", ". >= 0"),
        _row("text", "grant", pgettext_lazy("XLSForm", "Grant reference"), language),
        _row("text", "budget_line", pgettext_lazy("XLSForm", "Budget line code"), language),
    ]
    choices = [_choice("service_type", v, label, language) for v, label in ServiceType.choices]
    choices += [
        _choice("yes_no", "yes", pgettext_lazy("XLSForm", "Yes"), language),
        _choice("yes_no", "no", pgettext_lazy("XLSForm", "No"), language),
    ]
    return (
        survey,
        choices,
        {"form_title": "Motherline: service delivered", "form_id": "motherline_service"},
    )


FORMS = {"prison_visit": visit_form, "service_delivery": service_form}


def write_xlsforms(directory: Path, language: str = "") -> list[Path]:
    """Write each form as an XLSForm workbook (survey, choices, settings sheets), labelled in
    English and `language` (by default the local language of the deployment's pack)."""
    language = language or local.language_of_pack(local.default_code()) or "en"
    survey_header, choices_header = _headers(language)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in FORMS.items():
        survey, choices, settings = build(language)
        book, sheet = new_workbook()
        sheet.title = "survey"
        append_row(sheet, survey_header)
        for row in survey:
            append_row(sheet, row)
        sheet = book.create_sheet("choices")
        append_row(sheet, choices_header)
        for row in choices:
            append_row(sheet, row)
        sheet = book.create_sheet("settings")
        append_row(sheet, [*settings, "default_language"])
        append_row(sheet, [*settings.values(), "English (en)"])
        path = directory / f"{name}.xlsx"
        book.save(path)
        written.append(path)
    return written
