"""Exchange of indicator series with other statistical systems.

- **SDMX-CSV** (the SDMX-CSV 2.0 data message: `STRUCTURE`, `STRUCTURE_ID`, `ACTION`, then
  the dimensions, the measure `OBS_VALUE` and the attributes, one observation per row).
- **DHIS2 `dataValueSets` JSON**, out and in: one data value per indicator value, with the
  identifier schemes named in the payload (`dataElementIdScheme` and `orgUnitIdScheme` are
  `CODE`), so a DHIS2 instance maps them to its own data elements and organisation units by
  code. Which code stands for which indicator or count, and for which area, is pack data
  (`<pack>/dhis2_mapping.csv`). An imported data value set becomes population returns through
  the same checks as an imported file (`importer.parse_returns`).

See docs/indicators.md ("Exchange").
"""

from __future__ import annotations

import csv
import functools
import io
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from motherline.jurisdictions.loader import PACKS_DIR
from motherline.reports import tabular
from motherline.stats import queries, rules
from motherline.stats.importer import RowError
from motherline.stats.models import COUNT_FIELDS, Precision

MAPPING_FILE = "dhis2_mapping.csv"
STRUCTURE_ID = "MOTHERLINE:DF_PRISON_POPULATION(1.0.0)"
SDMX_COLUMNS = (
    "STRUCTURE",
    "STRUCTURE_ID",
    "ACTION",
    "FREQ",
    "REF_AREA",
    "INDICATOR",
    "TIME_PERIOD",
    "OBS_VALUE",
    "OBS_STATUS",
    "CONF_STATUS",
    "UNIT_MEASURE",
    "SOURCE_DETAIL",
    "SOURCE_URL",
    "DATE_PRECISION",
    "REF_DATE",
    "COVERAGE",
)
FREQUENCY = {"year": "A", "quarter": "Q", "month": "M"}
PERCENT = frozenset(
    {"women_share", "pretrial_share", "pretrial_share_women", "pretrial_share_men", "occupancy"}
) | frozenset(rules.GROWTH_INDICATORS)
RATES = frozenset({"per_100k", "women_per_100k", "children_per_100_women"})
MAX_DATA_VALUES = 100_000  # a national series is tens of values; more is not a returns file


class ExchangeError(ValueError):
    """A series or a data value set that cannot be exchanged, with the reason."""


# The pack's mapping


@dataclass
class Mapping:
    """The DHIS2 codes of a pack: a data element per indicator or count, an organisation
    unit per area (the nation by its own entry, provinces and prisons by their codes)."""

    data_elements: dict[str, str] = field(default_factory=dict)
    org_units: dict[str, str] = field(default_factory=dict)
    provinces_by_code: bool = False
    prisons_by_code: bool = False

    def data_element(self, key: str) -> str:
        try:
            return self.data_elements[key]
        except KeyError:
            raise ExchangeError(
                _("%(name)s has no DHIS2 data element in the pack's mapping.") % {"name": key}
            ) from None

    def org_unit(self, area: queries.Area) -> str:
        if area.code in self.org_units:
            return self.org_units[area.code]
        if (area.kind == "province" and self.provinces_by_code) or (
            area.kind == "prison" and self.prisons_by_code
        ):
            return area.code
        raise ExchangeError(
            _("%(area)s has no DHIS2 organisation unit in the pack's mapping.")
            % {"area": str(area)}
        )

    def area_code(self, org_unit: str) -> str:
        """The area an organisation unit's code names (for `importer.AreaLookup`)."""
        for code, unit in self.org_units.items():
            if unit == org_unit:
                return code
        return org_unit if self.provinces_by_code or self.prisons_by_code else ""

    def count_for(self, data_element: str) -> str | None:
        for key, code in self.data_elements.items():
            if code == data_element and key in COUNT_FIELDS:
                return key
        return None


@functools.cache
def read_mapping(jurisdiction: str, packs_dir: Path = PACKS_DIR) -> Mapping:
    path = packs_dir / jurisdiction.lower() / MAPPING_FILE
    if not path.is_file():
        raise ExchangeError(
            _("The %(code)s pack has no DHIS2 mapping (%(file)s).")
            % {"code": jurisdiction, "file": MAPPING_FILE}
        )
    mapping = Mapping()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            kind, key, code = (str(row.get(n) or "").strip() for n in ("kind", "key", "code"))
            if not (kind and key and code):
                raise ExchangeError(f"{path}:{line}: kind, key and code are required")
            if kind == "data_element":
                if key not in COUNT_FIELDS and key not in rules.INDICATORS:
                    raise ExchangeError(f"{path}:{line}: {key} is no indicator or count")
                mapping.data_elements[key] = code
            elif kind == "org_unit" and key == "provinces":
                mapping.provinces_by_code = code == "ISO"
            elif kind == "org_unit" and key == "prisons":
                mapping.prisons_by_code = code == "CODE"
            elif kind == "org_unit":
                mapping.org_units[key] = code
            else:
                raise ExchangeError(f"{path}:{line}: unknown kind {kind}")
    return mapping


# Out


def _unit(indicator: str) -> str:
    if indicator in PERCENT:
        return "PT"  # per cent
    if indicator in RATES:
        return "PS_PER_100K" if indicator != "children_per_100_women" else "PS_PER_100"
    if indicator == "median_pretrial_days":
        return "DAYS"
    return "PS"  # persons


def _number(value: Any) -> Any:
    # A number, not text, so that the escaping of text cells leaves a negative growth alone.
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and not isinstance(value, bool):
        return Decimal(f"{value:.1f}")
    return value


def sdmx_csv(result: queries.Series, period: str) -> str:
    """The series as an SDMX-CSV 2.0 data message (one observation per row). A suppressed
    value is an empty OBS_VALUE with CONF_STATUS C (confidential); a value whose date is
    approximate has OBS_STATUS E (estimated); a period without a value has OBS_STATUS O."""
    buffer = io.StringIO()
    # RFC 4180; text cells (a source typed by whoever made the imported file) escaped.
    writer = tabular.SafeCsvWriter(buffer, lineterminator="\r\n")
    writer.writerow(SDMX_COLUMNS)
    for point in result.points:
        if point.suppressed:
            status = "A"
        elif point.value is None:
            status = "O"
        elif point.precision == Precision.APPROXIMATE:
            status = "E"
        else:
            status = "A"
        indicator = result.indicator.upper()
        if point.category:
            indicator = f"{indicator}.{point.category.upper()}"
        writer.writerow(
            [
                "dataflow",
                STRUCTURE_ID,
                "I",
                FREQUENCY.get(period, ""),
                result.area.code,
                indicator,
                point.period,
                "" if point.suppressed else _number(point.value),
                status,
                "C" if point.suppressed else "F",
                _unit(result.indicator),
                point.source.replace("\r", " ").replace("\n", " "),
                point.source_url,
                point.precision,
                point.date.isoformat() if point.date else "",
                point.coverage(),
            ]
        )
    return buffer.getvalue()


def dhis2_period(key: str) -> str:
    """A period key (2012, 2012-Q3, 2012-03) in DHIS2's format (2012, 2012Q3, 201203)."""
    if "/" in key:
        raise ExchangeError(
            _("A growth between two periods has no DHIS2 period: %(period)s") % {"period": key}
        )
    return key.replace("-", "")


def dhis2_json(result: queries.Series, mapping: Mapping) -> dict[str, Any]:
    """The series as a DHIS2 `dataValueSets` payload: one data value per published value
    (a suppressed or missing value is left out: DHIS2 has no "hidden"), each with its
    source, date and precision in the comment."""
    if result.indicator in rules.FLOW_INDICATORS:
        raise ExchangeError(
            _("%(name)s is given by category, which the mapping does not cover.")
            % {"name": result.indicator}
        )
    element = mapping.data_element(result.indicator)
    unit = mapping.org_unit(result.area)
    values = []
    for point in result.points:
        if point.suppressed or point.value is None:
            continue
        comment = "; ".join(
            part
            for part in (
                point.source.splitlines()[0] if point.source else "",
                f"{point.date.isoformat()} ({point.precision})" if point.date else "",
                point.coverage(),
                point.source_url,
            )
            if part
        )
        values.append(
            {
                "dataElement": element,
                "period": dhis2_period(point.period),
                "orgUnit": unit,
                "value": str(_number(point.value)),  # DHIS2 takes values as text
                "comment": comment[:360],
            }
        )
    return {"dataElementIdScheme": "CODE", "orgUnitIdScheme": "CODE", "dataValues": values}


# In

PERIOD_FORMATS = {4: Precision.YEAR, 6: Precision.MONTH, 8: Precision.DAY}


def _period(text: str) -> tuple[date, str]:
    """A DHIS2 period (yyyy, yyyyMM or yyyyMMdd) as the date a return stands on."""
    from motherline.stats.importer import _last_day

    if not text.isdigit() or len(text) not in PERIOD_FORMATS:
        raise ValueError(
            _("not a yearly, monthly or daily DHIS2 period: %(value)s") % {"value": text}
        )
    year = int(text[:4])
    if len(text) == 4:
        return date(year, 12, 31), Precision.YEAR
    month = int(text[4:6])
    if len(text) == 6:
        return _last_day(year, month), Precision.MONTH
    return date(year, month, int(text[6:8])), Precision.DAY


def read_data_value_set(
    content: bytes, mapping: Mapping
) -> tuple[list[tuple[int, list[Any]]], list[RowError]]:
    """A `dataValueSets` JSON payload as a table of returns (one row per organisation unit
    and period, the counts in their columns) for `importer.parse_returns`, and the problems
    that belong to the payload itself. A row's line is 1 + the position of its first data
    value in `dataValues`; line 1 is the header."""
    errors: list[RowError] = []
    try:
        payload = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [], [RowError(0, "", _("Not a JSON document: %(error)s") % {"error": exc})]
    values = payload.get("dataValues") if isinstance(payload, dict) else None
    if not isinstance(values, list):
        return [], [RowError(0, "dataValues", _("A data value set has a dataValues list."))]
    if len(values) > MAX_DATA_VALUES:
        return [], [
            RowError(0, "dataValues", _("more than %(n)s data values") % {"n": MAX_DATA_VALUES})
        ]
    for scheme in ("idScheme", "dataElementIdScheme", "orgUnitIdScheme"):
        given = str(payload.get(scheme) or "CODE").upper()
        if given != "CODE":
            errors.append(
                RowError(0, scheme, _("only the CODE scheme is mapped, not %(s)s") % {"s": given})
            )
    rows: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
    for number, value in enumerate(values, start=2):
        if not isinstance(value, dict):
            errors.append(RowError(number, "", _("a data value is an object")))
            continue
        element = str(value.get("dataElement") or "")
        unit = str(value.get("orgUnit") or payload.get("orgUnit") or "")
        period = str(value.get("period") or payload.get("period") or "")
        count = mapping.count_for(element)
        if count is None:
            errors.append(
                RowError(
                    number,
                    "dataElement",
                    _("not a count in the pack's mapping: %(value)s") % {"value": element},
                )
            )
            continue
        area = mapping.area_code(unit)
        if not area:
            errors.append(
                RowError(
                    number,
                    "orgUnit",
                    _("not an organisation unit of the pack's mapping: %(value)s")
                    % {"value": unit},
                )
            )
            continue
        try:
            day, precision = _period(period)
        except ValueError as exc:
            errors.append(RowError(number, "period", str(exc)))
            continue
        line, cells = rows.setdefault(
            (area, period),
            (number, {"area": area, "date": day.isoformat(), "precision": precision}),
        )
        if count in cells:
            errors.append(
                RowError(
                    number,
                    "dataElement",
                    _("the same data element, unit and period as line %(line)s") % {"line": line},
                )
            )
        cells[count] = value.get("value")
    header = ["area", "date", "precision", *COUNT_FIELDS]
    table: list[tuple[int, list[Any]]] = [(1, header)]
    for line, cells in rows.values():
        table.append((line, [cells.get(name) for name in header]))
    return table, errors
