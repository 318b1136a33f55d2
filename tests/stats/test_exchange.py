"""SDMX-CSV and DHIS2 dataValueSets: exports of any indicator series and the import of a data
value set, against examples in the shape of those formats' own documentation (the SDMX-CSV
2.0 field guide's "ordinary case"; the DHIS2 Web API's "sending data values" and "sending
bulks of data values" payloads). Every figure here is SYNTHETIC."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from motherline.accounts.models import AuditEvent
from motherline.core.actors import SystemActor
from motherline.stats import exchange
from motherline.stats.models import PopulationReturn
from motherline.stats.queries import Area, series
from motherline.stats.services import import_data_value_set, import_returns
from tests.stats.conftest import sign_in

TODAY = date(2026, 6, 15)
FIGURES = (
    "area,date,precision,total,women,pretrial_total,capacity,source\n"
    "KH,2010,year,12000,1000,4500,8000,Synthetic ministry B\n"
    "KH,31/03/2011,approximate,13000,,,,Synthetic NGO C\n"
)


@pytest.fixture
def national(prisons):
    result = import_returns(SystemActor("import_returns"), FIGURES.encode(), "f.csv", today=TODAY)
    assert result.ok, result.errors


def total_series(indicator="total", **kw):
    return series(indicator, Area.parse("nation"), date(2010, 1, 1), date(2011, 12, 31), **kw)


def test_sdmx_csv_has_the_shape_of_the_data_message(national):
    text = exchange.sdmx_csv(total_series(), "year")
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["STRUCTURE", "STRUCTURE_ID", "ACTION"]
    assert rows[0] == list(exchange.SDMX_COLUMNS)
    header = rows[0]
    first, second = (dict(zip(header, row, strict=True)) for row in rows[1:])
    assert first["STRUCTURE"] == "dataflow" and first["ACTION"] == "I"
    assert first["STRUCTURE_ID"] == "MOTHERLINE:DF_PRISON_POPULATION(1.0.0)"
    assert (first["FREQ"], first["REF_AREA"], first["INDICATOR"], first["TIME_PERIOD"]) == (
        "A",
        "KH",
        "TOTAL",
        "2010",
    )
    assert (first["OBS_VALUE"], first["OBS_STATUS"], first["CONF_STATUS"]) == ("12000", "A", "F")
    assert first["SOURCE_DETAIL"] == "Synthetic ministry B" and first["DATE_PRECISION"] == "year"
    # An approximate date is an estimated observation.
    assert (second["OBS_VALUE"], second["OBS_STATUS"], second["REF_DATE"]) == (
        "13000",
        "E",
        "2011-03-31",
    )


def test_sdmx_csv_marks_suppressed_values_confidential(prisons):
    PopulationReturn.objects.create(
        prison=prisons["KDL"], date=date(2011, 6, 30), source="S", total=50, pregnant_women=2
    )
    text = exchange.sdmx_csv(total_series("pregnant_women"), "year")
    row = dict(zip(*list(csv.reader(io.StringIO(text))), strict=True))
    assert (row["OBS_VALUE"], row["CONF_STATUS"]) == ("", "C")


def test_a_citation_that_looks_like_a_formula_is_defused(prisons):
    import_returns(
        SystemActor("import_returns"),
        b"area,date,total,source\nKH,2011,10,=HYPERLINK(1)\n",
        "f.csv",
        today=TODAY,
    )
    text = exchange.sdmx_csv(total_series(), "year")
    assert "'=HYPERLINK(1)" in text


def test_dhis2_export_is_a_bulk_data_value_set_by_code(national):
    mapping = exchange.read_mapping("KH")
    payload = exchange.dhis2_json(total_series("pretrial_share"), mapping)
    assert payload == {
        "dataElementIdScheme": "CODE",
        "orgUnitIdScheme": "CODE",
        "dataValues": [
            {
                "dataElement": "ML_SDG_16_3_2_PCT",
                "period": "2010",
                "orgUnit": "KH",
                "value": "37.5",
                "comment": "Synthetic ministry B; 2010-12-31 (year)",
            }
        ],
    }
    monthly = exchange.dhis2_json(total_series(period="month"), mapping)
    assert [v["period"] for v in monthly["dataValues"]] == ["201012", "201103"]


# The DHIS2 documentation's two JSON shapes, with the codes of the pack's mapping.
ONE_SET = {
    "dataSet": "pBOMPrpg1QX",
    "completeDate": "2014-02-03",
    "period": "201401",
    "orgUnit": "KH",
    "dataValues": [
        {"dataElement": "ML_PRISONERS_TOTAL", "value": "14000"},
        {"dataElement": "ML_PRISONERS_WOMEN", "value": "1200"},
        {"dataElement": "ML_PRISONERS_PRETRIAL", "value": "5000", "comment": "synthetic"},
    ],
}
BULK = {
    "dataValues": [
        {"dataElement": "ML_PRISONERS_TOTAL", "period": "2014", "orgUnit": "KH-12", "value": "5"},
        {"dataElement": "ML_PRISONERS_TOTAL", "period": "20140630", "orgUnit": "CC2", "value": "9"},
        {"dataElement": "ML_PRISON_CAPACITY", "period": "20140630", "orgUnit": "CC2", "value": "7"},
    ]
}


def load(payload, source="Synthetic DHIS2 export"):
    return import_data_value_set(
        SystemActor("import_dhis2"), json.dumps(payload).encode(), "dvs.json", source, today=TODAY
    )


def test_dhis2_import_of_one_data_value_set(national):
    result = load(ONE_SET)
    assert result.ok, result.errors
    row = PopulationReturn.objects.get(jurisdiction__code="KH", date=date(2014, 1, 31))
    assert (row.total, row.women, row.pretrial_total, row.men) == (14000, 1200, 5000, None)
    assert (row.date_precision, row.source) == ("month", "Synthetic DHIS2 export")
    assert load(ONE_SET).unchanged == 1


def test_dhis2_import_of_bulk_values_at_every_level(prisons):
    result = load(BULK)
    assert result.ok, result.errors
    assert result.created == 2
    province = PopulationReturn.objects.get(province__code="KH-12")
    assert (province.date, province.date_precision, province.total) == (
        date(2014, 12, 31),
        "year",
        5,
    )
    prison = PopulationReturn.objects.get(prison=prisons["CC2"])
    assert (prison.date_precision, prison.total, prison.capacity) == ("day", 9, 7)


def test_dhis2_import_reports_every_problem_and_writes_nothing(prisons):
    bad = {
        "dataValues": [
            {"dataElement": "UNKNOWN", "period": "2014", "orgUnit": "KH", "value": "1"},
            {
                "dataElement": "ML_PRISONERS_TOTAL",
                "period": "2014W3",
                "orgUnit": "KH",
                "value": "1",
            },
            {"dataElement": "ML_PRISONERS_TOTAL", "period": "2014", "orgUnit": "XX", "value": "1"},
        ]
    }
    result = load(bad)
    assert [(e.line, e.column) for e in result.errors] == [
        (2, "dataElement"),
        (3, "period"),
        (4, "area"),  # an organisation unit code that names no area of the pack
    ]
    women_above_total = {
        "period": "2014",
        "orgUnit": "KH",
        "dataValues": [
            {"dataElement": "ML_PRISONERS_TOTAL", "value": "10"},
            {"dataElement": "ML_PRISONERS_WOMEN", "value": "11"},
        ],
    }
    assert [e.column for e in load(women_above_total).errors] == ["women"]
    assert not load(ONE_SET, source="").ok
    assert "JSON" in load_raw(b"{nope").errors[0].message
    assert PopulationReturn.objects.count() == 0


def load_raw(content):
    return import_data_value_set(SystemActor("import_dhis2"), content, "dvs.json", "S", today=TODAY)


def test_an_export_imports_back_as_the_same_counts(national, prisons):
    exported = exchange.dhis2_json(total_series(), exchange.read_mapping("KH"))
    PopulationReturn.objects.all().delete()
    result = load(exported, source="Round trip")
    assert result.ok, result.errors
    assert sorted(PopulationReturn.objects.values_list("date", "total")) == [
        (date(2010, 12, 31), 12000),
        (date(2011, 12, 31), 13000),
    ]


def test_the_command_exports_sdmx_csv_and_dhis2(national, capsys):
    call_command("stats", "--indicator", "total", "--to", "2011-12-31", "--format", "sdmx-csv")
    out = capsys.readouterr().out
    assert out.startswith("STRUCTURE,STRUCTURE_ID,ACTION,") and "12000" in out
    call_command("stats", "--indicator", "total", "--to", "2011-12-31", "--format", "dhis2-json")
    payload = json.loads(capsys.readouterr().out)
    assert [v["value"] for v in payload["dataValues"]] == ["12000", "13000"]


def test_the_import_command(prisons, tmp_path, capsys):
    path = tmp_path / "dvs.json"
    path.write_text(json.dumps(BULK))
    call_command("import_dhis2", str(path), "--source", "Synthetic DHIS2 export")
    assert PopulationReturn.objects.count() == 2


@pytest.mark.parametrize(("fmt", "kind"), [("sdmx", "text/csv"), ("dhis2", "application/json")])
def test_the_page_exports_the_series(client, users, national, fmt, kind):
    sign_in(client, users["analyst"])
    query = {
        "indicator": "total",
        "area": "nation:KH",
        "start": "2010-01-01",
        "end": "2011-12-31",
        "period": "year",
        "source": "returns",
    }
    response = client.get(reverse("stats:export", args=["series", fmt]), query)
    assert response.status_code == 200 and response["Content-Type"].startswith(kind)
    assert b"12000" in response.content
    assert AuditEvent.objects.filter(object_type="stats.table", object_ref="series").exists()
    prisons = client.get(reverse("stats:export", args=["prisons", fmt]), query)
    assert prisons.status_code == 400
