"""The XLSForm definitions monitors fill in on a phone without a connection (ODK Collect,
KoBoCollect): a prison visit, and a service delivered. `write_xlsforms` writes them as .xlsx
(the project ships them in `forms/`); `motherline import` reads the CSV/XLSX exports of the
submissions. The field names here are the columns `fieldwork.importing` reads."""

from __future__ import annotations

from pathlib import Path

from motherline.fieldwork.models import Access, Topic
from motherline.grants.models import ServiceType
from motherline.reports.tabular import append_row, new_workbook

SURVEY_HEADER = ["type", "name", "label::English (en)", "label::Khmer (km)", "required",
                 "constraint", "constraint_message::English (en)", "constraint_message::Khmer (km)",
                 "relevant"]  # fmt: skip
CHOICES_HEADER = ["list_name", "name", "label::English (en)", "label::Khmer (km)"]

TOPIC_KM = {
    Topic.HEALTH_CARE: "ការថែទាំសុខភាព",
    Topic.ANTENATAL_CARE: "ការថែទាំមុនសម្រាល",
    Topic.FOOD_AND_WATER: "អាហារ និងទឹក",
    Topic.SPACE_AND_HYGIENE: "ទីកន្លែង និងអនាម័យ",
    Topic.CHILDREN: "តម្រូវការរបស់កុមារ",
    Topic.LEGAL_STATUS: "ស្ថានភាពផ្លូវច្បាប់",
    Topic.TREATMENT: "ការប្រព្រឹត្តចំពោះអ្នកជាប់ឃុំ",
}
ACCESS_KM = {"granted": "បានអនុញ្ញាតឱ្យចូល", "partial": "អនុញ្ញាតឱ្យចូលដោយផ្នែក",
             "refused": "បដិសេធមិនឱ្យចូល"}  # fmt: skip
SERVICE_KM = {
    "food_supplement": "អាហារបំប៉ន",
    "infant_formula": "ទឹកដោះគោម្សៅសម្រាប់ទារក",
    "hygiene_kit": "កញ្ចប់សម្ភារៈអនាម័យ",
    "medical_referral": "ការបញ្ជូនទៅពិនិត្យព្យាបាល",
    "antenatal_care": "ការថែទាំមុនសម្រាល",
    "legal_aid": "ជំនួយផ្លូវច្បាប់",
    "family_contact": "ទំនាក់ទំនង ឬការសួរសុខទុក្ខពីក្រុមគ្រួសារ",
    "schooling": "ការសិក្សាសម្រាប់កុមារដែលបានចាកចេញពីពន្ធនាគារ",
}


KM_MESSAGES = {
    "The visit cannot be in the future.": "ការចុះពិនិត្យមិនអាចនៅពេលអនាគតបានទេ។",
    "More pregnant women than women seen.": "ចំនួនស្ត្រីមានផ្ទៃពោះច្រើនជាងចំនួនស្ត្រីដែលបានជួប។",
}


def _row(type_: str, name: str, en: str, km: str, required: str = "", constraint: str = "",
         message: str = "", relevant: str = "") -> list[str]:  # fmt: skip
    return [type_, name, en, km, required, constraint, message, KM_MESSAGES.get(message, ""),
            relevant]  # fmt: skip


def visit_form() -> tuple[list[list[str]], list[list[str]], dict[str, str]]:
    survey = [
        _row("text", "prison", "Prison code", "លេខកូដពន្ធនាគារ", "yes"),
        _row("date", "visit_date", "Date of the visit", "កាលបរិច្ឆេទនៃការចុះពិនិត្យ", "yes",
             ". <= today()", "The visit cannot be in the future."),
        _row("text", "team", "Team (by role)", "ក្រុម (តាមតួនាទី)", "yes"),
        _row("select_one access", "access", "Access", "ការចូល", "yes"),
        _row("integer", "women_seen", "Women seen", "ស្ត្រីដែលបានជួប", "yes", ". >= 0"),
        _row("integer", "pregnant_seen", "Pregnant women seen", "ស្ត្រីមានផ្ទៃពោះដែលបានជួប",
             "yes", ". >= 0 and . <= ${women_seen}",
             "More pregnant women than women seen."),
        _row("integer", "children_seen", "Children seen", "កុមារដែលបានជួប", "yes", ". >= 0"),
    ]  # fmt: skip
    for topic, label in Topic.choices:
        survey.append(
            _row("text", f"finding_{topic}", f"Finding: {label}", f"ការរកឃើញ៖ {TOPIC_KM[topic]}",
                 relevant="${access} != 'refused'")
        )  # fmt: skip
    survey.append(_row("text", "notes", "Notes", "កំណត់សម្គាល់"))
    choices = [["access", value, str(label), ACCESS_KM[value]] for value, label in Access.choices]
    return (
        survey,
        choices,
        {"form_title": "Motherline: prison visit", "form_id": "motherline_visit"},
    )


def service_form() -> tuple[list[list[str]], list[list[str]], dict[str, str]]:
    survey = [
        _row("text", "woman", "Woman's reference (W-…)", "លេខយោងរបស់ស្ត្រី (W-…)", "yes"),
        _row("select_one yes_no", "to_woman", "Did the woman receive it herself?",
             "តើស្ត្រីបានទទួលវាដោយផ្ទាល់ឬទេ?", "yes"),
        _row("text", "child", "Child's reference (C-…), for a service to her child",
             "លេខយោងរបស់កុមារ (C-…)", "", "", "", ""),
        _row("select_one service_type", "service_type", "Service", "សេវា", "yes"),
        _row("date", "delivered_on", "Date", "កាលបរិច្ឆេទ", "yes", ". <= today()"),
        _row("integer", "quantity", "Quantity", "បរិមាណ", "yes", ". >= 1"),
        _row("decimal", "cost", "Cost", "តម្លៃ", "yes", ". >= 0"),
        _row("text", "grant", "Grant reference", "លេខយោងជំនួយឥតសំណង"),
        _row("text", "budget_line", "Budget line code", "លេខកូដផ្នែកថវិកា"),
    ]  # fmt: skip
    choices = [["service_type", v, str(label), SERVICE_KM[v]] for v, label in ServiceType.choices]
    choices += [["yes_no", "yes", "Yes", "បាទ/ចាស"], ["yes_no", "no", "No", "ទេ"]]
    return (
        survey,
        choices,
        {"form_title": "Motherline: service delivered", "form_id": "motherline_service"},
    )


FORMS = {"prison_visit": visit_form, "service_delivery": service_form}


def write_xlsforms(directory: Path) -> list[Path]:
    """Write each form as an XLSForm workbook (survey, choices, settings sheets)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in FORMS.items():
        survey, choices, settings = build()
        book, sheet = new_workbook()
        sheet.title = "survey"
        append_row(sheet, SURVEY_HEADER)
        for row in survey:
            append_row(sheet, row)
        sheet = book.create_sheet("choices")
        append_row(sheet, CHOICES_HEADER)
        for row in choices:
            append_row(sheet, row)
        sheet = book.create_sheet("settings")
        append_row(sheet, [*settings, "default_language"])
        append_row(sheet, [*settings.values(), "English (en)"])
        path = directory / f"{name}.xlsx"
        book.save(path)
        written.append(path)
    return written
