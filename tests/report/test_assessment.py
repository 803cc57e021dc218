"""Reports: the html report is one self-contained file with the totals and its charts; the
xlsx has the totals and every breakdown; the json is the CLI document."""

from __future__ import annotations

import io
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

import scenat
from scenat import report
from scenat.calc import ALL_BREAKDOWNS
from scenat.report.html import html_report

pytest.importorskip("plotly")


@pytest.fixture(scope="module")
def result():
    from scenat.paths import examples_dir

    return scenat.assess(scenat.read_case(examples_dir() / "bicycle"))


@pytest.fixture(scope="module")
def options(result):
    from scenat.assessment import ForegroundResolver
    from scenat.interventions import evaluate

    return evaluate(result.case, solve=ForegroundResolver(result.case, linked=result.linked))


class _Links(HTMLParser):
    """Every src/href/srcset/action attribute and every <link>, <iframe>, <object> tag."""

    def __init__(self):
        super().__init__()
        self.references: list[tuple[str, str, str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "srcset", "action", "data", "poster") and value:
                self.references.append((tag, name, value))


def _parse(text: str) -> _Links:
    parser = _Links()
    parser.feed(text)
    return parser


def test_html_report_is_self_contained_with_totals_and_charts(result, options, tmp_path):
    from scenat.report.charts import format_number

    path = tmp_path / "report.html"
    report.write_report(result, path, interventions=options)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    parsed = _parse(text)
    external = [r for r in parsed.references if r[2].lower().startswith(("http:", "https:", "//"))]
    assert external == [], external
    assert not [r for r in parsed.references if r[0] == "script" and r[1] == "src"]
    assert "link" not in parsed.tags and "iframe" not in parsed.tags
    # plotly.js is inlined once, and every chart is a plotly div
    assert text.count("plotly-graph-div") >= 3
    assert text.count("Plotly.newPlot") >= 3
    assert len(text) > 1_000_000, "plotly.js is embedded"
    # the totals, formatted as the app shows them, with their units
    for ind in result.indicators:
        assert f'data-indicator="{ind.id}">{format_number(result.total(ind.id))}<' in text
        assert ind.unit in text
    assert result.case.name in text
    top = result.hotspots("gwp100", "node")["label"][0]
    assert top in text
    assert "Marginal abatement cost curve" in text


def test_html_report_without_interventions_and_with_an_empty_indicator(result):
    text = html_report(result, generated="2026-01-01")
    assert "Low-carbon interventions" not in text
    assert "2026-01-01" in text
    if result.total("metals_minerals") == 0:
        assert "The total is zero" in text
    # deterministic for a given date
    assert text == html_report(result, generated="2026-01-01")


def test_xlsx_report_has_the_totals_and_every_breakdown(result, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "report.xlsx"
    report.write_report(result, path)
    book = load_workbook(path, read_only=True)
    expected = ["case", "totals"] + [
        f"{ind.id[:20]}_{by}"[:31] for ind in result.indicators for by in ALL_BREAKDOWNS
    ]
    assert book.sheetnames == [*expected, "methods", "data_sources"]
    rows = list(book["totals"].values)
    assert rows[0][:4] == ("indicator", "label", "total", "unit")
    totals = {row[0]: row[2] for row in rows[1:]}
    for ind in result.indicators:
        assert totals[ind.id] == pytest.approx(result.total(ind.id), rel=1e-12)
    node_rows = list(book["gwp100_node"].values)
    assert len(node_rows) - 1 == result.hotspots("gwp100", "node").height
    # every breakdown row names its unit; the case sheet its functional unit
    unit = node_rows[0].index("unit")
    assert {r[unit] for r in node_rows[1:]} == {"kg CO2-eq"}
    meta = dict(list(book["case"].values)[1:])
    assert meta["case"] == result.case.name
    assert meta["annual volume"] == result.case.annual_volume
    assert report.report_bytes(result, "xlsx")[:2] == b"PK"


def test_json_report_equals_the_assessment_document(result, tmp_path):
    path = tmp_path / "report.json"
    report.write_report(result, path)
    assert json.loads(path.read_text()) == report.assessment_document(result)
    assert json.loads(report.report_bytes(result, "json")) == report.assessment_document(result)


def test_unknown_report_type_is_an_input_error(result, tmp_path):
    with pytest.raises(scenat.InputError) as err:
        report.write_report(result, tmp_path / "report.docx")
    assert ".pdf" in err.value.problems[0].hint
    assert not (tmp_path / "report.docx").exists()
    with pytest.raises(ValueError):
        report.report_bytes(result, "docx")


def test_html_report_opens_as_one_file(result, tmp_path):
    """Nothing is written beside the report (no asset folder)."""
    folder = tmp_path / "out"
    report.write_report(result, folder / "r.html")
    assert [p.name for p in folder.iterdir()] == ["r.html"]
    assert io.BytesIO(Path(folder / "r.html").read_bytes()).getbuffer().nbytes > 0
