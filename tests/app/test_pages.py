"""The Streamlit app without a browser (``streamlit.testing.v1.AppTest``), one test per page.

AppTest starts from the entry point (``app/main.py``, which calls ``st.navigation``) and
``switch_page`` moves between the registered pages. Numbers on the pages are compared with
what the scenat API gives for the same case, formatted the same way.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
pytest.importorskip("plotly")

from streamlit.testing.v1 import AppTest  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app" / "main.py"
if str(APP.parent) not in sys.path:
    sys.path.insert(0, str(APP.parent))

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TIMEOUT = 120  # the first run may build the embedded Brightway project


@pytest.fixture(scope="module")
def example() -> dict:
    from scenat.casefile.examples import list_examples

    return list_examples()[0]


@pytest.fixture(scope="module")
def api(example: dict):
    """The API's answers for the default example: case, assessment, intervention table."""
    import scenat
    from scenat import interventions
    from scenat.assessment import ForegroundResolver

    case = scenat.read_case(example["path"])
    result = scenat.assess(case)
    table = interventions.evaluate(case, solve=ForegroundResolver(case, linked=result.linked))
    return case, result, table


def start() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def shown_table(at: AppTest, *columns: str):
    """The first dataframe on the page that has these columns (as pandas)."""
    for frame in at.dataframe:
        value = frame.value
        if all(c in value.columns for c in columns):
            return value
    raise AssertionError(f"no table with columns {columns}")


def goto(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"views/{page}.py").run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def test_case_page_loads_the_first_example_and_its_totals(api, example):
    from scenat.report.charts import format_quantity

    case, result, _ = api
    at = start()
    assert not at.error
    assert at.title[0].value == "Case"
    sidebar = " ".join(m.value for m in at.sidebar.markdown)
    assert example["title"] in sidebar
    shown = metrics(at)
    for ind in result.indicators:
        assert shown[ind.label] == format_quantity(result.total(ind.id), ind.unit)
    assert shown["Nodes"] == str(len(case.nodes))
    assert shown["Flows"] == str(len(case.flows))
    assert at.success, "a valid case says so"


def test_picking_another_example_assesses_it():
    import scenat
    from scenat.casefile.examples import list_examples
    from scenat.report.charts import format_quantity

    examples = list_examples()
    other = next((e for e in examples if "stadium" in e["name"]), examples[-1])
    expected = scenat.assess(scenat.read_case(other["path"])).total("gwp100")
    at = start()
    at.selectbox(key="example_choice").set_value(other["name"]).run()
    assert not at.exception and not at.error
    assert any(other["title"] in m.value for m in at.sidebar.markdown)
    assert metrics(at)["Climate change (GWP100)"] == format_quantity(expected, "kg CO2-eq")
    # the case and its version are in the address, as its store key
    assert at.query_params["case"] in (other["name"], [other["name"]])
    assert at.query_params["v"] in ("1", ["1"])
    # the same example from a link, on any page (an older ?example= link too)
    for parameter in ("case", "example"):
        link = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
        link.query_params[parameter] = other["name"]
        link.run()
        goto(link, "hotspots")
        total = metrics(link)["Total per functional unit"]
        assert total == format_quantity(expected, "kg CO2-eq")


def test_every_shipped_variant_opens_by_name():
    import scenat
    from scenat.report.charts import format_quantity

    for key, path in (
        ("car_ice", "automotive_supply_chain/car_ice"),
        ("stadium_retrofit_after", "stadium_retrofit/stadium_retrofit_after"),
    ):
        from scenat.casefile import resolve_case

        expected = scenat.assess(scenat.read_case(resolve_case(path))).total("gwp100")
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
        at.query_params["case"] = key
        at.run()
        assert not at.exception, at.exception
        assert metrics(at)["Climate change (GWP100)"] == format_quantity(expected, "kg CO2-eq")


def test_the_ui_in_chinese_from_the_address():
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params["lang"] = "zh"
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == "案例"
    goto(at, "hotspots")
    assert at.title[0].value == "热点"
    assert at.query_params["lang"] in ("zh", ["zh"])


def test_compare_page_shows_b_minus_a_for_two_variants():
    import scenat
    from scenat.casefile import resolve_case

    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params["case"] = "car_ice"
    at.run()
    goto(at, "compare")
    ice = scenat.assess(scenat.read_case(resolve_case("automotive_supply_chain/car_ice")))
    bev = scenat.assess(scenat.read_case(resolve_case("automotive_supply_chain/car_bev")))
    totals = shown_table(at, "a", "b", "difference")
    row = totals[totals["unit"] == "kg CO2-eq"].iloc[0]
    assert row["a"] == pytest.approx(ice.total("gwp100"), rel=1e-9)
    assert row["b"] == pytest.approx(bev.total("gwp100"), rel=1e-9)
    assert row["difference"] == pytest.approx(bev.total("gwp100") - ice.total("gwp100"), rel=1e-9)


def test_compare_page_gives_p_a_lower_with_the_background_sampled():
    import scenat
    from scenat.casefile import resolve_case
    from scenat.uncertainty import probability_lower

    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params["case"] = "car_ice"
    at.run()
    goto(at, "compare")
    at.number_input[[n.label for n in at.number_input].index("Iterations")].set_value(100)
    at.button[[b.label for b in at.button].index("Run")].click().run()
    assert not at.exception
    ice = scenat.read_case(resolve_case("automotive_supply_chain/car_ice"))
    bev = scenat.read_case(resolve_case("automotive_supply_chain/car_bev"))
    expected = probability_lower(ice, bev, 100, 42).row(0, named=True)
    assert expected["anything_uncertain"]
    shown = metrics(at)
    assert shown["P(A < B) for Climate change (GWP100)"] == (
        f"{100 * expected['probability_a_lower']:.1f} %"
    )


def test_supply_chain_page(api):
    case, result, _ = api
    at = goto(start(), "supply_chain")
    assert at.title[0].value == "Supply chain"
    assert metrics(at)["Nodes"] == str(len(case.nodes))
    nodes = shown_table(at, "id", "runs per functional unit")
    assert set(nodes["id"]) == set(case.nodes)
    links = shown_table(at, "source_label", "target_label")
    edges = result.edges()
    assert len(links) == edges.height
    assert links["gwp100 [kg CO2-eq]"].sum() == pytest.approx(edges["impact_gwp100"].sum())
    # filters: only tier 0 and 1
    at.multiselect(key="sc_tiers").set_value([0, 1]).run()
    assert not at.exception
    assert set(shown_table(at, "id", "runs per functional unit")["tier"]) <= {0, 1}


def test_hotspots_page_numbers_equal_the_api(api):
    from scenat.report.charts import format_quantity

    _, result, _ = api
    at = goto(start(), "hotspots")
    shown = metrics(at)
    assert shown["Total per functional unit"] == format_quantity(
        result.total("gwp100"), "kg CO2-eq"
    )
    by_node = result.hotspots("gwp100", "node")
    top = next(m for m in at.metric if m.label == "Top hotspot node")
    assert top.value == f"{100 * by_node['share'][0]:.1f} %"
    assert shown["Nodes making up 80 %"] == f"{int(by_node['in_80'].sum())} of {by_node.height}"
    table = shown_table(at, "node", "value [kg CO2-eq]")
    assert list(table["key"]) == by_node["key"].to_list()
    assert table["value [kg CO2-eq]"].sum() == pytest.approx(result.total("gwp100"), rel=1e-9)
    paths = result.paths("gwp100", top=15, cutoff=1e-3)
    assert shown["Coverage of the total"] == f"{100 * paths.coverage:.1f} %"
    # another indicator from the sidebar
    at.sidebar.selectbox(key="indicator").set_value("fossil_energy").run()
    assert not at.exception
    assert metrics(at)["Total per functional unit"] == format_quantity(
        result.total("fossil_energy"), "MJ, net calorific value"
    )


def test_monte_carlo_runs_on_request(api):
    import scenat
    from scenat.casefile import resolve_case
    from scenat.report.charts import format_quantity
    from scenat.uncertainty import monte_carlo

    shipped, _, _ = api
    if not any(f.uncertainty for f in shipped.flows):
        # with the background fixed, a case without any distribution says so and offers no
        # Monte Carlo; with the background sampled (the default) it runs
        at = goto(start(), "hotspots")
        assert "Run Monte Carlo" in [b.label for b in at.button]
        at.toggle(key="mc_background").set_value(False).run()
        assert any("Nothing is uncertain with the background fixed" in i.value for i in at.info)
        assert "Run Monte Carlo" not in [b.label for b in at.button]
    case = scenat.read_case(resolve_case("bicycle"))  # lognormal and normal flows
    result = scenat.assess(case)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params["case"] = "bicycle"
    at.query_params["v"] = "1"  # the shipped case (the browser test saves later versions)
    at.run()
    at = goto(at, "hotspots")
    assert "Median" not in metrics(at), "nothing is sampled until asked"
    at.number_input(key="mc_iterations").set_value(200)
    at.button[[b.label for b in at.button].index("Run Monte Carlo")].click().run()
    assert not at.exception
    expected = monte_carlo(case, 200, seed=42, linked=result.linked).summary().row(0, named=True)
    shown = metrics(at)
    assert shown["Iterations"] == "200"
    assert shown["Median"] == format_quantity(expected["p50"], "kg CO2-eq")
    # the variance drivers are listed, largest first
    drivers = shown_table(at, "input", "kind", "SRC² [%]")
    assert len(drivers) >= 1
    shares = list(drivers["SRC² [%]"])
    assert shares == sorted(shares, reverse=True)


def test_interventions_page_ranks_like_the_api(api):
    from scenat.calc import rank

    case, result, table = api
    at = goto(start(), "interventions")
    shown = metrics(at)
    assert shown["Applicable interventions"] == str(table.height)
    ranked = shown_table(at, "intervention", "abatement [t CO2-eq/yr]")
    curve = rank.macc(table)
    assert list(ranked["id"][: curve.height]) == curve["id"].to_list()
    assert any(curve["name"][0] in m.value for m in at.markdown)
    # weighted sum with the user's weights
    at.radio(key="rank_method").set_value("weighted").run()
    at.slider(key="weight_cost").set_value(0.0).run()
    assert not at.exception and not at.error
    expected = rank.weighted(table, {"gwp100": 0.5})
    assert shown_table(at, "intervention", "abatement [t CO2-eq/yr]")["id"][0] == expected["id"][0]
    # a budget: the portfolio is the API's
    at.number_input(key="budget").set_value(20000.0).run()
    assert not at.exception
    from scenat.assessment import ForegroundResolver
    from scenat.interventions import plan_portfolio

    plan = plan_portfolio(
        case, 20000.0, table=table, solve=ForegroundResolver(case, linked=result.linked)
    )
    assert metrics(at)["Options chosen"] == str(len(plan.chosen))
    chosen = shown_table(at, "abatement on its own [t CO2-eq/yr]")
    assert list(chosen["id"]) == list(plan.chosen)


def test_report_page_offers_the_client_report_in_four_formats(api):
    at = goto(start(), "report")
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download pdf", "Download html", "Download xlsx", "Download json"]


def test_invalid_upload_shows_every_problem_and_blocks_the_other_pages(write_case):
    from scenat_app.casefiles import problems_table

    import scenat

    bad = write_case(
        "xlsx",
        flows=[
            ["node", "kind", "input", "amount", "unit"],
            ["plant", "node", "supplier", 2, "kg"],
            ["plant", "process", "electricity_uk_grid_delivered", 10, "kWhh"],
            ["supplier", "emission", "co2_fossil", -0.5, "kg"],
        ],
    )
    expected = problems_table(scenat.validate(bad)).drop("file")
    assert expected.height >= 2
    at = start()
    at.radio(key="case_source").set_value("upload").run()
    assert at.file_uploader(key="case_upload")
    at.file_uploader(key="case_upload").set_value(("partner.xlsx", bad.read_bytes(), XLSX)).run()
    assert not at.exception
    assert at.error, "the errors are announced"
    shown = shown_table(at, "severity", "hint")
    assert list(shown.columns[:7]) == [
        "severity",
        "sheet",
        "row",
        "column",
        "value",
        "message",
        "hint",
    ]
    assert len(shown) == expected.height
    assert list(shown["row"]) == expected["row"].to_list()
    assert list(shown["column"]) == expected["column"].to_list()
    assert set(shown["file"]) == {"partner.xlsx"}
    assert [b.label for b in at.get("download_button")][-1] == "Download the problems (.xlsx)"
    assert "Headline results per functional unit" not in [s.value for s in at.subheader]
    # every other page refuses to assess it
    at.switch_page("views/hotspots.py").run()
    assert not at.exception
    assert at.warning and "problem" in at.warning[0].value
    assert not at.metric


def test_valid_zip_upload_is_assessed():
    import scenat
    from scenat.report.charts import format_quantity

    case_dir = ROOT / "examples" / "bicycle"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ("case.csv", "nodes.csv", "flows.csv"):
            archive.writestr(name, (case_dir / name).read_bytes())
    at = start()
    at.radio(key="case_source").set_value("upload").run()
    at.file_uploader(key="case_upload").set_value(
        ("bike.zip", buffer.getvalue(), "application/zip")
    ).run()
    assert not at.exception and not at.error
    # kept in the store under the file's name, and in the address: a refresh opens it again
    assert any("bike" in m.value for m in at.sidebar.markdown)
    assert at.query_params["case"] in ("bike", ["bike"])
    expected = scenat.assess(scenat.read_case(case_dir)).total("gwp100")
    assert metrics(at)["Climate change (GWP100)"] == format_quantity(expected, "kg CO2-eq")


def test_upload_helpers_never_raise_on_bad_input(tmp_path):
    from openpyxl import load_workbook
    from scenat_app import casefiles

    wrong = casefiles.load_upload("case.pdf", b"%PDF")
    assert not wrong.valid and wrong.errors[0].hint
    empty = casefiles.load_upload("case.xlsx", b"")
    assert not empty.valid
    garbage = casefiles.load_upload("case.xlsx", b"not a workbook")
    assert not garbage.valid and garbage.errors
    assert all(p.file is None or "case.xlsx" in p.file for p in garbage.problems)
    book = load_workbook(io.BytesIO(casefiles.problems_xlsx(garbage.problems)))
    rows = list(book["problems"].values)
    assert rows[0] == casefiles.PROBLEM_COLUMNS
    assert len(rows) == 1 + len(garbage.problems)
    template = load_workbook(io.BytesIO(casefiles.template_bytes()))
    assert {"case", "nodes", "flows"} <= set(template.sheetnames)


def test_text_from_a_case_is_shown_as_text_never_as_markdown(write_case):
    """A description and names rendered as Markdown fetched a remote image and showed a
    phishing link; they are shown as the text they are."""
    image = "![pixel](http://evil.example/track.png)"
    link = "[Log in again](http://phish.example/login)"
    case = [["field", "value"], ["name", "T"], ["reference_node", "plant"],
            ["description", f"{image} {link}"], ["functional_unit", f"one {link}"]]  # fmt: skip
    nodes = [["id", "name", "tier", "stage", "location", "output_amount", "output_unit"],
             ["plant", f"Plant {image}", 0, "assembly", "GB", 1, "item"],
             ["supplier", "Supplier", 1, "materials", "GB", 1, "kg"]]  # fmt: skip
    path = write_case("xlsx", case=case, nodes=nodes)
    at = start()
    at.radio(key="case_source").set_value("upload").run()
    at.file_uploader(key="case_upload").set_value(
        ("evil](http://phish.example).xlsx", path.read_bytes(), XLSX)
    ).run()
    assert not at.exception
    from markdown_it import MarkdownIt

    render = MarkdownIt("commonmark").enable("table").render
    bodies = [m.value for m in [*at.markdown, *at.sidebar.markdown, *at.caption]]
    rendered = [render(b) for b in bodies]
    assert not [r for r in rendered if "<a " in r or "<img" in r], rendered
    assert any("![pixel](http://evil.example/track.png)" in r for r in rendered)  # as text


def test_every_csv_download_escapes_formulas():
    """The hotspot, link, sample and intervention downloads were written with polars'
    write_csv: a node named =HYPERLINK(...) became a formula in the partner's spreadsheet."""
    import csv

    import polars as pl
    from scenat_app import casefiles

    data = casefiles.csv_download(pl.DataFrame({"label": ["=HYPERLINK(\"http://x\")", "a;=1"],
                                                "value": [1.5, -2.0]}))  # fmt: skip
    rows = list(csv.reader(io.StringIO(data.decode(), newline="")))
    assert rows == [["label", "value"], ['\'=HYPERLINK("http://x")', "1.5"], ["a;=1", "-2.0"]]
    views = sorted((ROOT / "app").rglob("*.py"))
    assert views and not [v.name for v in views if ".write_csv(" in v.read_text()]
