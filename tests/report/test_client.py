"""The client report: the consultant's choices in every format, the PDF printed by Chromium,
charts that stay readable (distinct labels, a folded Sankey at 40+ nodes)."""

from __future__ import annotations

import io
import json
import os
import shutil

import polars as pl
import pytest

import scenat
from scenat import report
from scenat.report.client import ReportChoices, client_document, data_sources

pytest.importorskip("plotly")

from scenat.report import charts  # noqa: E402


@pytest.fixture(scope="module")
def stadium():
    from scenat.casefile import resolve_case

    return scenat.assess(scenat.read_case(resolve_case("stadium_retrofit")))


@pytest.fixture(scope="module")
def choices(stadium):
    from scenat.assessment import ForegroundResolver
    from scenat.interventions import collect, evaluate, plan_portfolio
    from scenat.uncertainty import monte_carlo

    case = stadium.case
    solve = ForegroundResolver(case, linked=stadium.linked)
    options = collect(case)
    table = evaluate(case, options, solve=solve)
    plan = plan_portfolio(case, 500_000, options, table=table, solve=solve)
    return ReportChoices(
        ranking="topsis",
        weights={"gwp100": 0.7, "cost": 0.3},
        interventions=table,
        portfolio=plan,
        paths={"gwp100": stadium.paths("gwp100", top=8)},
        monte_carlo=monte_carlo(case, iterations=50, seed=3, linked=stadium.linked),
        version="stadium_retrofit, version 2",
        prepared_by="A. Consultant",
    )


def test_the_document_carries_every_choice(stadium, choices):
    from scenat.calc import rank

    doc = client_document(stadium, choices)
    assert doc["choices"]["ranking"] == "topsis"
    assert doc["choices"]["weights"] == {"gwp100": 0.7, "cost": 0.3}
    assert doc["choices"]["budget"] == 500_000
    assert doc["metadata"]["version"] == "stadium_retrofit, version 2"
    # the interventions in TOPSIS order with those weights, computed here by calc.rank
    expected = rank.topsis(choices.interventions, {"gwp100": 0.7, "cost": 0.3})
    ranked = [r["id"] for r in doc["interventions"] if r["rank"] is not None]
    assert ranked == expected.sort("rank")["id"].to_list()
    assert doc["portfolio"]["chosen"] == list(choices.portfolio.chosen)
    assert doc["portfolio"]["capex"] <= 500_000
    assert doc["paths"]["gwp100"]["coverage"] == pytest.approx(choices.paths["gwp100"].coverage)
    # the shipped stadium's flows carry no distribution, its background exchanges do
    # (sampled by default): the document says what was sampled
    uncertain = sum(f.uncertainty is not None for f in stadium.case.flows)
    assert doc["uncertainty"]["uncertain_flows"] == uncertain
    assert doc["uncertainty"]["background_sampled"] is True
    assert doc["uncertainty"]["uncertain_exchanges"] > 100
    assert doc["uncertainty"]["anything_uncertain"] is True
    mc = doc["monte_carlo"]
    assert mc["anything_uncertain"] is True and mc["drivers"]["gwp100"]["inputs"]
    assert 0 < mc["drivers"]["gwp100"]["r2"] <= 1 + 1e-9
    json.loads(report.report_bytes(stadium, "json", choices=choices))  # strict JSON


def test_data_sources_list_every_background_input_once(stadium):
    table = data_sources(stadium)
    bought = [f for f in stadium.case.flows if f.kind in ("process", "spend", "credit")]
    assert sorted(table["input"].to_list()) == sorted({f.input for f in bought})
    assert table["flows"].sum() == len(bought)
    assert table.filter(pl.col("dataset_source").is_null()).height == 0


def test_xlsx_has_units_case_metadata_and_interventions(stadium, choices):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(report.report_bytes(stadium, "xlsx", choices=choices)))
    for sheet in ("case", "choices", "interventions", "portfolio", "paths", "monte_carlo"):
        assert sheet in book.sheetnames
    header = [c.value for c in book["interventions"][1]]
    currency = stadium.case.currency
    assert f"mac [{currency}/t CO2-eq]" in header and f"capex [{currency}]" in header
    assert book["interventions"].max_row - 1 == choices.interventions.height
    meta = {r[0]: r[1] for r in book["case"].iter_rows(min_row=2, values_only=True)}
    assert meta["version"] == "stadium_retrofit, version 2"
    assert meta["currency"] == currency
    weights = {r[0]: r[1] for r in book["choices"].iter_rows(min_row=2, values_only=True)}
    assert weights["weight: gwp100"] == 0.7


def test_html_states_the_choices_and_draws_no_distribution_when_nothing_is_uncertain(
    stadium, choices
):
    text = report.report_bytes(stadium, "html", choices=choices).decode()
    assert "TOPSIS" in text and "gwp100 0.7" in text
    assert "Portfolio within the budget" in text
    assert "Structural paths" in text and "Data sources" in text
    # the background is sampled: intervals and variance drivers, no "nothing uncertain"
    assert "Variance drivers of" in text
    assert "Nothing in this assessment is uncertain" not in text
    # with the background fixed, the stadium (no distribution on its flows) is a point
    from dataclasses import replace

    from scenat.uncertainty import monte_carlo

    assert not any(f.uncertainty for f in stadium.case.flows)
    fixed = monte_carlo(stadium.case, 20, seed=3, linked=stadium.linked, background=False)
    point = report.report_bytes(stadium, "html", choices=replace(choices, monte_carlo=fixed))
    point = point.decode()
    assert "Nothing in this assessment is uncertain" in point
    assert "Variance drivers of" not in point


def test_pdf_is_printed_with_its_pages(stadium, choices):
    from scenat.report.pdf import find_chromium

    if find_chromium() is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required under CI (.ci/run installs it)")
        pytest.skip("no Chromium on this machine")
    pdfium = pytest.importorskip("pypdfium2")
    data = report.report_bytes(stadium, "pdf", choices=choices)
    assert data[:5] == b"%PDF-"
    pdf = pdfium.PdfDocument(data)
    assert len(pdf) >= 3
    page = pdf[0].render(scale=0.5).to_pil().convert("L")
    # a rendered page has ink on it, not a blank sheet
    assert min(page.getdata()) < 100


def test_distinct_items_never_share_a_bar():
    table = pl.DataFrame(
        {
            "key": ["a", "b", "c"],
            "label": [
                "Steel sheet, hot rolled, from the Port Talbot works",
                "Steel sheet, hot rolled, from the Port Talbot works (spare)",
                "Aluminium",
            ],
            "value": [3.0, 2.0, 1.0],
            "share": [0.5, 1 / 3, 1 / 6],
            "cumulative_share": [0.5, 5 / 6, 1.0],
            "in_80": [True, True, False],
        }
    )
    fig = charts.hotspot_bars(table, "gwp100", "kg CO2-eq", "process")
    assert len(set(fig.data[0].x)) == 3
    assert list(fig.data[0].y) == [3.0, 2.0, 1.0]


def test_a_sankey_of_40_nodes_and_more_folds_small_background_inputs(stadium):
    edges = stadium.edges(expand_background=True)
    nodes = stadium.supply_chain_nodes()
    positive = edges.filter(pl.col("impact_gwp100") > 0)
    drawn_before = positive["source"].n_unique() + 1
    assert drawn_before >= 40
    fig = charts.sankey(edges, nodes, "gwp100", "kg CO2-eq", reference_node="stadium_operation")
    link = fig.data[0].link
    used = set(link.source) | set(link.target)
    foreground = set(positive["target"]) | set(positive.filter(pl.col("kind") == "node")["source"])
    assert len(used) <= max(charts.SANKEY_MAX_NODES, len(foreground) + 8)
    # folding moves widths, it never loses any
    assert sum(link.value) == pytest.approx(positive["impact_gwp100"].sum(), rel=1e-9)
    # the largest links have their values written on them
    texts = {a.text for a in fig.layout.annotations}
    assert charts.format_number(max(link.value)) in texts


def test_find_chromium_honours_the_variable(monkeypatch, tmp_path):
    from scenat.report.pdf import find_chromium

    monkeypatch.setenv("SCENAT_CHROMIUM", str(tmp_path / "missing"))
    assert find_chromium() is None
    monkeypatch.setenv("SCENAT_CHROMIUM", shutil.which("sh") or "/bin/sh")
    assert find_chromium() == (shutil.which("sh") or "/bin/sh")
