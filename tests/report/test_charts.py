"""Chart builders: colours per tier and indicator, units on every axis, the 80 % line."""

from __future__ import annotations

import polars as pl
import pytest

pytest.importorskip("plotly")

from scenat.report import charts  # noqa: E402


@pytest.fixture(scope="module")
def result():
    import scenat
    from scenat.paths import examples_dir

    return scenat.assess(scenat.read_case(examples_dir() / "bicycle"))


def _titles(fig) -> list[str]:
    layout = fig.layout
    names = [k for k in layout.to_plotly_json() if k.startswith(("xaxis", "yaxis"))]
    return [layout[k].title.text or "" for k in names]


def test_hotspot_bars_have_units_and_the_80_percent_line(result):
    table = result.hotspots("gwp100", "node")
    fig = charts.hotspot_bars(table, "gwp100", "kg CO2-eq", "node")
    bars, line = fig.data
    assert list(bars.y) == pytest.approx(table["value"].to_list())
    assert list(line.y) == pytest.approx([100 * v for v in table["cumulative_share"]])
    titles = _titles(fig)
    assert "contribution [kg CO2-eq]" in titles and "cumulative share [%]" in titles
    eighty = [s for s in fig.layout.shapes if s.y0 == 80 and s.y1 == 80]
    assert eighty and eighty[0].yref == "y2"
    # the 80 % items in full colour, the rest pale
    colour = charts.indicator_colour("gwp100")
    for keep, c in zip(table["in_80"], bars.marker.color):
        assert (c == colour) == keep


def test_hotspot_bars_fold_the_tail_and_colour_tiers(result):
    table = result.hotspots("gwp100", "process")
    fig = charts.hotspot_bars(table, "gwp100", "kg CO2-eq", "process", top=3)
    assert len(fig.data[0].y) == 4
    assert fig.data[0].x[-1] == f"{table.height - 3} more"
    assert sum(fig.data[0].y) == pytest.approx(result.total("gwp100"))
    tiers = result.hotspots("gwp100", "tier")
    fig = charts.hotspot_bars(tiers, "gwp100", "kg CO2-eq", "tier")
    first = fig.data[0].marker.color[0]
    assert first == charts.tier_colour(tiers["key"][0])


def test_empty_tables_still_draw(result):
    empty = result.hotspots("gwp100", "node").head(0)
    fig = charts.hotspot_bars(empty, "metals_minerals", "kg Sb-eq", "node")
    assert len(fig.data[0].y) == 0


def test_sankey_links_carry_the_edge_impacts(result):

    edges = result.edges()
    nodes = result.supply_chain_nodes()
    fig = charts.sankey(edges, nodes, "gwp100", "kg CO2-eq", reference_node="bike_assembly")
    sankey = fig.data[0]
    positive = edges.filter(pl.col("impact_gwp100") > 0)
    assert sum(sankey.link.value) == pytest.approx(positive["impact_gwp100"].sum())
    assert sankey.valuesuffix == " kg CO2-eq"
    tier_of = dict(zip(nodes["id"], nodes["tier"]))
    for label, colour in zip(sankey.node.label, sankey.node.color):
        node_id = next(i for i, n in zip(nodes["id"], nodes["label"]) if label.startswith(n[:20]))
        assert colour == charts.tier_colour(tier_of[node_id])
    # deeper tiers sit further left
    x = dict(zip(sankey.node.label, sankey.node.x))
    ref = next(v for k, v in x.items() if "(reference)" in k)
    assert all(v <= ref for v in x.values())
    background = charts.sankey(result.edges(expand_background=True), nodes, "gwp100", "kg CO2-eq")
    assert charts.BACKGROUND_COLOUR in background.data[0].node.color


def test_macc_and_pareto_axes_name_their_units(result):
    from scenat.assessment import ForegroundResolver
    from scenat.calc import rank
    from scenat.interventions import evaluate

    table = evaluate(result.case, solve=ForegroundResolver(result.case, linked=result.linked))
    curve = rank.macc(table)
    fig = charts.macc(curve, "GBP")
    assert len(fig.data) == curve.height
    assert [t.width[0] for t in fig.data] == pytest.approx(curve["bar_width"].to_list())
    assert "marginal abatement cost [GBP / t CO2-eq]" in _titles(fig)
    assert "cumulative abatement [t CO2-eq / year]" in _titles(fig)
    colours = {t.name: t.marker.color for t in fig.data}
    assert colours["energy"] == charts.category_colour("energy")
    front = charts.pareto(rank.pareto(table), "GBP")
    assert "abatement [t CO2-eq / year]" in _titles(front)
    assert any("[GBP / year]" in t for t in _titles(front))
    on_front = rank.pareto(table).filter(pl.col("pareto")).height
    assert len(front.data[1].x) == on_front


def test_uncertainty_figures():
    summary = pl.DataFrame(
        {
            "indicator": ["gwp100", "water"],
            "unit": ["kg CO2-eq", "m3"],
            "deterministic": [10.0, 0.0],
            "mean": [10.1, 0.0],
            "sd": [1.0, 0.0],
            "p5": [8.0, 0.0],
            "p50": [10.0, 0.0],
            "p95": [12.5, 0.0],
        }
    )
    fig = charts.intervals(summary)
    assert len(fig.data) == 1  # a zero result has no relative interval
    assert fig.data[0].error_x.array[0] == pytest.approx(25.0)
    hist = charts.histogram([9.0, 10.0, 11.0], "gwp100", "kg CO2-eq", 10.0)
    assert "total [kg CO2-eq]" in _titles(hist)


def test_colours_are_stable():
    assert charts.indicator_colour("gwp100") == charts.INDICATOR_COLOURS["gwp100"]
    assert charts.indicator_colour("other") == charts.indicator_colour("other")
    assert charts.tier_colour(None) == charts.BACKGROUND_COLOUR
    assert charts.tier_colour("1") == charts.TIER_COLOURS[1]
