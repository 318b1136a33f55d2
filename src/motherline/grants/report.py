"""The donor report of a grant for a period, as PDF (English or Khmer) and XLSX: budget and
spending by line, spending by month, beneficiaries reached and services delivered. Figures
only: no name, reference or register number of anyone in custody."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.styles import Font

from motherline.formatting import format_day, format_month
from motherline.grants.queries import GrantReport
from motherline.reports.pdf import render_pdf
from motherline.reports.tabular import append_row, new_workbook, workbook_bytes


def report_pdf(report: GrantReport, language: str) -> bytes:
    return render_pdf("grants/donor_report_pdf.html", {"report": report}, language)


def report_xlsx(report: GrantReport, language: str) -> bytes:
    """One workbook: a summary sheet, then spending by line, by month and by service."""
    with translation.override(language):
        book, summary = new_workbook()
        bold = Font(bold=True)
        grant = report.grant

        summary.title = _("Summary")[:31]
        rows = [
            (_("Grant"), grant.reference),
            (_("Donor"), grant.donor),
            (_("Grantee organisations"), ", ".join(report.grantees)),
            (_("Amount"), float(grant.amount)),
            (_("Currency"), grant.currency),
            (_("Purpose"), grant.purpose),
            (
                _("Period of the report"),
                _("%(start)s to %(end)s")
                % {"start": format_day(report.start), "end": format_day(report.end)},
            ),
            (_("Spent in the period"), float(report.spent_total)),
            (_("Women reached"), report.reach.women),
            (_("Children reached"), report.reach.children),
            (_("Pregnant women reached"), report.reach.pregnant_women),
            (_("Services delivered"), report.reach.deliveries),
        ]
        for label, value in rows:
            append_row(summary, [label, value])
            summary.cell(row=summary.max_row, column=1).font = bold
        summary.column_dimensions["A"].width = 30
        summary.column_dimensions["B"].width = 50

        lines = book.create_sheet(_("Budget lines")[:31])
        append_row(
            lines,
            [
                _("Code"),
                _("Budget line"),
                _("Budget"),
                _("Spent in the period"),
                _("Spent to date"),
                _("Remaining"),
            ],
        )
        for line in report.lines:
            append_row(
                lines,
                [
                    line.code,
                    line.name,
                    float(line.budget),
                    float(line.spent),
                    float(line.spent_to_date),
                    float(line.remaining),
                ],
            )
        if report.unallocated:
            append_row(lines, ["", _("Not charged to a budget line"), 0, float(report.unallocated)])

        months = book.create_sheet(_("By month")[:31])
        append_row(months, [_("Month"), *[line.code for line in report.lines], _("Total")])
        for month in report.months:
            append_row(
                months,
                [
                    format_month(month.month),
                    *[float(v) for v in month.by_line],
                    float(month.total),
                ],
            )

        services = book.create_sheet(_("Services")[:31])
        append_row(services, [_("Service"), _("Deliveries"), _("Quantity"), _("Cost")])
        for row in report.services:
            append_row(services, [row.label, row.deliveries, row.quantity, float(row.cost)])

        for sheet in (lines, months, services):
            for cell in sheet[1]:
                cell.font = bold
            sheet.column_dimensions["A"].width = 34
            sheet.column_dimensions["B"].width = 26
    return workbook_bytes(book)
