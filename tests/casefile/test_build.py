"""Reading and validating case workbooks: every problem located as a spreadsheet shows it.

Row numbers are the ones a spreadsheet shows: the header is row 1 (unless it sits lower),
so the first data row is 2, and blank rows still count. Expected values are worked out by
hand from the rows each test writes.
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from scenat.casefile.build import read_case, validate
from scenat.errors import InputError, Problem
from scenat.model.case import Case, Flow, Node
from tests.conftest import (
    BICYCLE,
    CASE_HEADER,
    FLOW_HEADER,
    NODE_HEADER,
    VALID_SHEETS,
    save_xlsx,
    write_sheets,
)

PLANT = ["plant", "Plant", 0, "assembly", "GB", 1, "item"]
SUPPLIER = ["supplier", "Supplier", 1, "materials", "GB", 1, "kg"]


def only(problems: list[Problem], severity: str = "error") -> Problem:
    """The single problem of ``severity`` (fails with the whole list otherwise)."""
    chosen = [p for p in problems if p.severity == severity]
    assert len(chosen) == 1, "\n".join(map(str, problems))
    return chosen[0]


def flows_with(*rows: list) -> list[list]:
    """The valid flows sheet plus ``rows`` (which start on spreadsheet row 5)."""
    return [*VALID_SHEETS["flows"], *rows]


def assert_problem(
    p: Problem,
    *,
    sheet: str | None,
    row: int | None,
    column: str | None,
    value=None,
    hint_has: str | None = None,
    severity: str = "error",
) -> None:
    assert p.severity == severity, p
    assert p.sheet == sheet, p
    assert p.row == row, p
    assert p.column == column, p
    assert p.value == value, p
    assert p.hint and p.hint.strip(), p
    if hint_has is not None:
        assert hint_has in p.hint, p
    assert p.file is not None


# --- references: nodes, background processes, elementary flows -------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_unknown_node_in_flows_node_column(write_case, fmt):
    path = write_case(fmt, flows=flows_with(["suplier", "emission", "co2_fossil", 1, "kg"]))
    p = only(validate(path))
    assert_problem(p, sheet="flows", row=5, column="node", value="suplier", hint_has="'supplier'")
    assert "unknown node" in p.message
    assert p.file == str(path)


def test_unknown_node_in_flows_input_column(write_case):
    path = write_case(flows=flows_with(["plant", "node", "supplierr", 1, "kg"]))
    assert_problem(
        only(validate(path)),
        sheet="flows",
        row=5,
        column="input",
        value="supplierr",
        hint_has="did you mean 'supplier'",
    )


def test_unknown_background_process_suggests_close_id(write_case):
    path = write_case(
        flows=flows_with(["plant", "process", "electricity_uk_grid_delivred", 3, "kWh"])
    )
    p = only(validate(path))
    assert_problem(
        p,
        sheet="flows",
        row=5,
        column="input",
        value="electricity_uk_grid_delivred",
        hint_has="'electricity_uk_grid_delivered'",
    )
    assert "background process" in p.message


def test_node_id_used_as_process_is_pointed_out(write_case):
    path = write_case(flows=flows_with(["plant", "process", "supplier", 1, "kg"]))
    p = only(validate(path))
    assert_problem(p, sheet="flows", row=5, column="input", value="supplier", hint_has="'node'")


def test_unknown_emission_suggests_close_id(write_case):
    path = write_case(flows=flows_with(["plant", "emission", "co2_fosil", 1, "kg"]))
    p = only(validate(path))
    assert_problem(
        p, sheet="flows", row=5, column="input", value="co2_fosil", hint_has="'co2_fossil'"
    )
    assert "emission" in p.message


# --- units -------------------------------------------------------------------------------------


def test_mass_unit_for_an_energy_process_is_incompatible(write_case):
    path = write_case(
        flows=flows_with(["plant", "process", "electricity_uk_grid_delivered", 3, "kg"])
    )
    p = only(validate(path))
    assert_problem(p, sheet="flows", row=5, column="unit", value="kg", hint_has="kWh")
    assert "cannot be converted" in p.message


def test_unknown_unit_in_flows(write_case):
    path = write_case(flows=flows_with(["plant", "emission", "co2_fossil", 1, "kgg"]))
    p = only(validate(path))
    assert_problem(p, sheet="flows", row=5, column="unit", value="kgg", hint_has="kg")
    assert "unknown unit" in p.message


def test_unknown_output_unit_in_nodes(write_case):
    nodes = [NODE_HEADER, PLANT, ["supplier", "Supplier", 1, "materials", "GB", 1, "kilogrammes"]]
    problems = validate(write_case(nodes=nodes))
    assert_problem(only(problems), sheet="nodes", row=3, column="output_unit", value="kilogrammes")


@pytest.mark.parametrize(
    ("kind", "input_id", "amount", "unit", "expected"),
    [
        ("emission", "co2_fossil", 500, "g", 0.5),  # 500 g = 0.5 kg
        ("emission", "co2_fossil", 2, "t", 2000.0),  # 2 t = 2000 kg
        ("emission", "co2_fossil", 250, "g CO2", 0.25),  # the input's own substance
        ("process", "electricity_uk_grid_delivered", 0.35, "MWh", 350.0),
        ("process", "freight_hgv_diesel_tkm", 1800, "kg*km", 1.8),  # 1.8 t over 1 km
        ("process", "freight_hgv_diesel_tkm", 3, "t*km", 3.0),
        ("process", "freight_hgv_diesel_tkm", 4, "tonne.km", 4.0),
        ("process", "steel_cans_primary", 250, "kg", 0.25),  # the process is per tonne
        ("process", "water_supply", 40, "L", 0.04),  # 40 litres = 0.04 m3
        ("node", "supplier", 0.002, "t", 2.0),  # supplier output is in kg
    ],
)
def test_amounts_are_converted_to_the_input_reference_unit(
    write_case, kind, input_id, amount, unit, expected
):
    case = read_case(write_case(flows=flows_with(["plant", kind, input_id, amount, unit])))
    flow = case.flows[-1]
    assert (flow.input, flow.amount, flow.unit, flow.row) == (input_id, amount, unit, 5)
    assert flow.amount_in_reference == pytest.approx(expected, rel=1e-12)


def test_reference_units_are_those_of_the_inputs(write_case):
    case = read_case(write_case())
    assert [(f.input, f.reference_unit, f.amount_in_reference) for f in case.flows] == [
        ("supplier", "kg", 2.0),
        ("electricity_uk_grid_delivered", "kWh", 10.0),
        ("co2_fossil", "kg", 0.5),
    ]


# --- what a unit says beyond the measure: a substance, a calorific basis, money -------------

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
DESNZ_FLAT = SHARED_DATA / "desnz" / "ghg-conversion-factors-2025-flat-format.csv"


@pytest.mark.parametrize(
    ("input_id", "amount", "unit", "kg"),
    [
        ("co2_fossil", 2, "t CO2e", 2000.0),  # 1 kg CO2 is 1 kg CO2e by definition
        ("co2_fossil", 250, "g CO2", 0.25),
        ("ch4_fossil", 3, "kg CH4", 3.0),
        ("n2o", 5, "g N2O", 0.005),
        ("sf6", 1, "kg SF6", 1.0),
    ],
)
def test_a_unit_naming_the_inputs_own_substance_is_its_mass(write_case, input_id, amount, unit,
                                                            kg):  # fmt: skip
    case = read_case(write_case(flows=flows_with(["supplier", "emission", input_id, amount, unit])))
    assert case.flows[-1].amount_in_reference == pytest.approx(kg, rel=1e-12)


@pytest.mark.parametrize(
    ("input_id", "unit"),
    [("ch4_fossil", "kg CO2e"), ("n2o", "t CO2-eq"), ("sf6", "kg CO2eq"), ("hfc134a", "kg CO2e")],
)
def test_co2e_of_another_gas_is_an_error_at_its_cell(write_case, input_id, unit):
    """3 kg CO2e of fossil methane is 3 / 29.8 kg of it (IPCC AR6), or 3 / 28 (AR5, as DESNZ
    publishes): read as 3 kg of methane it counted 28-30 times over."""
    path = write_case(flows=flows_with(["supplier", "emission", input_id, 3, unit]))
    p = only(validate(path))
    assert_problem(p, sheet="flows", row=5, column="unit", value=unit, hint_has="GWP100")
    assert "weighted by its global warming potential" in p.message


@pytest.mark.parametrize(
    ("kind", "input_id", "unit", "words"),
    [
        ("emission", "n2o", "kg CH4", "names CH4"),
        ("emission", "ch4_fossil", "kg N2O", "names N2O"),
        ("emission", "co2_fossil", "kg SF6", "names SF6"),
        ("process", "electricity_uk_grid_delivered", "kWh CO2e", "only an emission"),
        ("node", "supplier", "kg CO2", "only an emission"),
    ],
)
def test_a_unit_naming_another_substance_is_an_error(write_case, kind, input_id, unit, words):
    path = write_case(flows=flows_with(["plant", kind, input_id, 3, unit]))
    p = only(validate(path))
    assert_problem(p, sheet="flows", row=5, column="unit", value=unit)
    assert words in p.message


def test_gross_cv_of_a_net_cv_fuel_without_a_ratio_is_an_error(write_case):
    """The shipped natural gas is per kWh net CV (DESNZ); read as net, 100 kWh gross CV
    overstated the gas by 10.8 % (0.20270 / 0.18296, DESNZ 2025)."""
    path = write_case(flows=flows_with(
        ["plant", "process", "natural_gas_combustion_kwh", 100, "kWh (Gross CV)"]))  # fmt: skip
    p = only(validate(path))
    assert_problem(p, sheet="flows", row=5, column="unit", value="kWh (Gross CV)",
                   hint_has="net CV")  # fmt: skip
    assert "gross" in p.message and "net" in p.message


def test_net_cv_of_a_net_cv_fuel_is_read(write_case):
    case = read_case(write_case(flows=flows_with(
        ["plant", "process", "natural_gas_combustion_kwh", 0.1, "MWh (Net CV)"])))  # fmt: skip
    assert case.flows[-1].amount_in_reference == pytest.approx(100.0, rel=1e-12)


def test_a_calorific_basis_on_an_input_without_one_is_an_error(write_case):
    path = write_case(flows=flows_with(
        ["plant", "process", "electricity_uk_grid_delivered", 10, "kWh (net CV)"]))  # fmt: skip
    p = only(validate(path))
    assert_problem(p, sheet="flows", row=5, column="unit", value="kWh (net CV)")
    assert "calorific basis" in p.message


def test_gross_cv_converts_with_the_fuels_published_ratio(write_case):
    """Where a process carries its fuel's net/gross ratio, a gross CV amount is converted:
    DESNZ 2025 gives natural gas 0.18296 kg CO2e per kWh gross CV and 0.20270 per kWh net CV,
    so 1 kWh gross CV holds 0.18296 / 0.20270 kWh net CV."""
    import dataclasses

    from scenat.casefile.build import check_case
    from scenat.model.catalogue import Catalogue, shipped_catalogue

    rows = {r[0]: float(r[-1]) for r in csv.reader(DESNZ_FLAT.open(encoding="utf-8-sig"))
            if r and r[0] in ("1_100_1004_7_1", "1_100_1004_6_1")}  # fmt: skip
    ratio = rows["1_100_1004_6_1"] / rows["1_100_1004_7_1"]
    shipped = shipped_catalogue()
    gas = shipped.processes["natural_gas_combustion_kwh"]
    assert gas.calorific_basis == "net"
    processes = dict(shipped.processes)
    processes[gas.id] = dataclasses.replace(gas, net_per_gross=ratio)
    catalogue = Catalogue(processes, shipped.elementary, shipped.version)
    path = write_case(flows=flows_with(
        ["plant", "process", gas.id, 100, "kWh (Gross CV)"]))  # fmt: skip
    checked = check_case(path, catalogue)
    assert checked.errors == []
    flow = checked.case.flows[-1]
    assert flow.amount_in_reference == pytest.approx(100 * 0.18296 / 0.20270, rel=1e-12)
    assert "gross CV" in flow.metadata["calorific_conversion"]


SPEND_CASE = [CASE_HEADER, ["name", "Test case"], ["reference_node", "plant"], ["year", 2024]]
#: HMRC 2024 average 1.2787 USD/GBP, then US CPI-U 2024 -> 2022 (292.655 / 313.689)
GBP_2024_IN_USD_2022 = 1.2787 * 292.655 / 313.689


@pytest.mark.parametrize("kind", ["spend", "process", "credit"])
@pytest.mark.parametrize(("amount", "unit", "usd_2022"), [
    (2.5, "kGBP", 2500 * GBP_2024_IN_USD_2022),
    (100, "USD", 100 * 292.655 / 313.689),
])  # fmt: skip
def test_money_converts_the_same_way_whatever_the_flow_kind(write_case, kind, amount, unit,
                                                            usd_2022):  # fmt: skip
    path = write_case(case=SPEND_CASE, flows=flows_with(
        ["plant", kind, "epa_naics_331110", amount, unit]))  # fmt: skip
    flow = read_case(path).flows[-1]
    assert flow.amount_in_reference == pytest.approx(usd_2022, rel=1e-12)
    assert flow.metadata["currency_conversion"].startswith(f"{unit[-3:]} 2024 -> USD 2022")


@pytest.mark.parametrize("kind", ["spend", "process"])
def test_a_useeio_sector_in_usd_2012_converts_whatever_the_kind(write_case, kind):
    """A USEEIO sector is in USD of 2012: a 2024 case converts by US CPI-U 2012 / 2024
    (229.594 / 313.689, inventories/currency/deflators.csv), the same for every kind."""
    import dataclasses

    from scenat.casefile.build import check_case
    from scenat.model.catalogue import Catalogue, ProcessInfo, shipped_catalogue

    shipped = shipped_catalogue()
    processes = dict(shipped.processes)
    sector = ProcessInfo("useeio_331110", "Iron and steel mills (USEEIO)", "USD", "useeio",
                         price_year=2012)  # fmt: skip
    processes[sector.id] = dataclasses.replace(sector)
    catalogue = Catalogue(processes, shipped.elementary, shipped.version)
    path = write_case(case=SPEND_CASE, flows=flows_with(
        ["plant", kind, sector.id, 100, "USD"]))  # fmt: skip
    checked = check_case(path, catalogue)
    flow = next(f for f in checked.case.flows if f.input == sector.id)
    assert flow.amount_in_reference == pytest.approx(100 * 229.594 / 313.689, rel=1e-9)


@pytest.mark.parametrize("kind", ["spend", "process"])
def test_money_of_a_year_without_an_index_is_an_error_whatever_the_kind(write_case, kind):
    """A sector priced in USD of 1950 (no shipped index that old): the same located error for
    every kind of flow."""
    import dataclasses

    from scenat.casefile.build import check_case
    from scenat.model.catalogue import Catalogue, ProcessInfo, shipped_catalogue

    shipped = shipped_catalogue()
    processes = dict(shipped.processes)
    sector = ProcessInfo("old_sector", "A sector priced in 1950", "USD", "useeio",
                         price_year=1950)  # fmt: skip
    processes[sector.id] = dataclasses.replace(sector)
    catalogue = Catalogue(processes, shipped.elementary, shipped.version)
    path = write_case(case=SPEND_CASE, flows=flows_with(
        ["plant", kind, sector.id, 100, "USD"]))  # fmt: skip
    p = only(check_case(path, catalogue).problems)
    assert_problem(p, sheet="flows", row=5, column="unit", value="USD", hint_has="deflators.csv")
    assert "no USD price index for 1950" in p.message


# --- missing things ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("column", ["id", "name", "tier", "output_unit"])
def test_missing_required_cell_in_nodes(write_case, fmt, column):
    row = ["paint", "Paint", 2, "materials", "GB", 1, "kg"]  # no flow names it
    row[NODE_HEADER.index(column)] = None
    p = only(validate(write_case(fmt, nodes=[NODE_HEADER, PLANT, SUPPLIER, row])))
    # A blank cell is None whether the sheet is a CSV file or a workbook.
    assert_problem(p, sheet="nodes", row=4, column=column, value=None)
    assert "required" in p.message and column in p.message


@pytest.mark.parametrize("column", FLOW_HEADER)
def test_missing_required_cell_in_flows(write_case, column):
    row = ["supplier", "emission", "co2_fossil", 1, "kg"]
    row[FLOW_HEADER.index(column)] = None
    p = only(validate(write_case(flows=flows_with(row))))
    assert_problem(p, sheet="flows", row=5, column=column, value=None)
    assert "required" in p.message and column in p.message


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_missing_required_cell_in_case_sheet(write_case, fmt):
    case = [CASE_HEADER, ["name", None], ["reference_node", "plant"]]
    p = only(validate(write_case(fmt, case=case)))
    assert_problem(p, sheet="case", row=2, column="value", value=None, hint_has="name")


def test_missing_required_field_row_in_case_sheet(write_case):
    p = only(validate(write_case(case=[CASE_HEADER, ["name", "No reference"]])))
    # There is no row to point at: the hint says which row to add.
    assert_problem(p, sheet="case", row=None, column="value", value=None, hint_has="reference_node")


@pytest.mark.parametrize(
    ("sheet", "rows", "column"),
    [
        ("flows", [["node", "kind", "input", "amount"], ["plant", "emission", "n2o", 1]], "unit"),
        (
            "nodes",
            [["id", "name", "output_unit"], ["plant", "Plant", "item"], ["supplier", "S", "kg"]],
            "tier",
        ),
        ("case", [["field"], ["name"]], "value"),
    ],
)
def test_missing_required_column(write_case, sheet, rows, column):
    p = only(validate(write_case(**{sheet: rows})))
    assert_problem(p, sheet=sheet, row=1, column=column, value=None, hint_has="headers found")
    assert "missing" in p.message


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "zip"])
def test_missing_sheet(write_case, fmt):
    path = write_case(fmt, flows=None)
    p = only(validate(path))
    assert_problem(p, sheet="flows", row=None, column=None, value=None, hint_has="template")
    assert "missing" in p.message and "case, nodes" in p.message
    assert p.file == str(path)


# --- bad values ----------------------------------------------------------------------------


def test_duplicate_node_ids(write_case):
    nodes = [NODE_HEADER, PLANT, SUPPLIER, ["supplier", "Supplier again", 2, None, None, 1, "kg"]]
    p = only(validate(write_case(nodes=nodes)))
    assert_problem(p, sheet="nodes", row=4, column="id", value="supplier", hint_has="unique")
    assert "row 3" in p.message  # where it was first defined


def test_node_id_with_a_space(write_case):
    nodes = [NODE_HEADER, PLANT, SUPPLIER, ["paint shop", "Paint", 2, None, None, 1, "kg"]]
    p = only(validate(write_case(nodes=nodes)))
    assert_problem(p, sheet="nodes", row=4, column="id", value="paint shop", hint_has="spaces")


@pytest.mark.parametrize(("fmt", "shown"), [("csv", "-1"), ("xlsx", -1)])
def test_negative_amount(write_case, fmt, shown):
    # The value is the cell as written: text in a CSV file, a number in a workbook.
    path = write_case(fmt, flows=flows_with(["plant", "emission", "n2o", -1, "kg"]))
    assert_problem(
        only(validate(path)), sheet="flows", row=5, column="amount", value=shown, hint_has="credit"
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "Infinity"])
def test_non_finite_amount_as_text(write_case, fmt, text):
    path = write_case(fmt, flows=flows_with(["plant", "emission", "n2o", text, "kg"]))
    p = only(validate(path))
    assert_problem(p, sheet="flows", row=5, column="amount", value=text)
    assert "finite" in p.message


def _xlsx_with_raw_amount(path: Path, raw: str) -> Path:
    """An .xlsx whose flows!D5 is the numeric cell ``<v>{raw}</v>`` (openpyxl cannot write it).

    ``1E999`` is how an overflowing number reaches an .xlsx written by another tool; it
    reads back as the float ``inf``.
    """
    sheets = {k: [list(r) for r in v] for k, v in VALID_SHEETS.items()}
    sheets["flows"].append(["plant", "emission", "n2o", 123456789, "kg"])
    source = path.with_suffix(".tmp.xlsx")
    save_xlsx(source, sheets)
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if b"123456789" in data:
                data = data.replace(b"<v>123456789</v>", f"<v>{raw}</v>".encode())
            zout.writestr(info, data)
    return path


@pytest.mark.parametrize(("raw", "value"), [("1E999", math.inf), ("-1E999", -math.inf)])
def test_non_finite_amount_as_a_number_in_xlsx(tmp_path, raw, value):
    path = _xlsx_with_raw_amount(tmp_path / "nonfinite.xlsx", raw)
    p = only(validate(path))
    assert_problem(p, sheet="flows", row=5, column="amount", value=value)
    assert "finite" in p.message


def test_nan_float_written_to_xlsx_reads_as_a_blank_cell(write_case):
    # openpyxl writes float("nan") as an empty cell: reported as a missing amount.
    nan = float("nan")
    path = write_case("xlsx", flows=flows_with(["plant", "emission", "n2o", nan, "kg"]))
    p = only(validate(path))
    assert_problem(p, sheet="flows", row=5, column="amount", value=None)
    assert "required" in p.message


def test_unreadable_number_in_xlsx_names_the_sheet(tmp_path):
    # "<v>inf</v>" cannot be parsed by openpyxl at all: the sheet is reported as damaged.
    path = _xlsx_with_raw_amount(tmp_path / "inf.xlsx", "inf")
    p = only(validate(path))
    assert (p.file, p.sheet, p.row) == (str(path), "flows", None)
    assert "save it again" in p.hint


def test_text_in_a_numeric_cell_xlsx(write_case):
    path = write_case("xlsx", flows=flows_with(["plant", "emission", "n2o", "1,5 kg", "kg"]))
    p = only(validate(path))
    assert_problem(p, sheet="flows", row=5, column="amount", value="1,5 kg", hint_has="Number")
    assert "found text" in p.message


def test_date_in_a_numeric_cell_xlsx(write_case):
    when = datetime(2024, 3, 1)
    path = write_case("xlsx", flows=flows_with(["plant", "emission", "n2o", when, "kg"]))
    p = only(validate(path))
    assert_problem(p, sheet="flows", row=5, column="amount", value="2024-03-01T00:00:00")
    assert "found a date" in p.message


def test_date_in_output_amount_xlsx(write_case):
    nodes = [
        NODE_HEADER,
        PLANT,
        ["supplier", "Supplier", 1, None, None, datetime(2025, 1, 1), "kg"],
    ]
    p = only(validate(write_case("xlsx", nodes=nodes)))
    assert (p.sheet, p.row, p.column, p.value) == (
        "nodes",
        3,
        "output_amount",
        "2025-01-01T00:00:00",
    )


def test_reference_node_that_does_not_exist(write_case):
    case = [CASE_HEADER, ["name", "Test"], ["reference_node", "plnat"]]
    p = only(validate(write_case(case=case)))
    assert_problem(p, sheet="case", row=3, column="value", value="plnat", hint_has="'plant'")


def test_unknown_kind_suggests_close_kind(write_case):
    path = write_case(flows=flows_with(["plant", "proces", "water_supply", 1, "m3"]))
    p = only(validate(path))
    assert_problem(p, sheet="flows", row=5, column="kind", value="proces", hint_has="'process'")


def test_unknown_stage_suggests_close_stage(write_case):
    nodes = [NODE_HEADER, PLANT, ["supplier", "Supplier", 1, "manufacture", "GB", 1, "kg"]]
    p = only(validate(write_case(nodes=nodes)))
    assert_problem(
        p, sheet="nodes", row=3, column="stage", value="manufacture", hint_has="'manufacturing'"
    )


def test_stage_is_case_and_spacing_insensitive(write_case):
    nodes = [NODE_HEADER, PLANT, ["supplier", "Supplier", 1, "End of Life", "GB", 1, "kg"]]
    assert read_case(write_case(nodes=nodes)).nodes["supplier"].stage == "end_of_life"


@pytest.mark.parametrize("tier", [1.5, "one", -1])
def test_tier_must_be_a_whole_number(write_case, tier):
    nodes = [NODE_HEADER, PLANT, ["supplier", "Supplier", tier, "materials", "GB", 1, "kg"]]
    p = only(validate(write_case("xlsx", nodes=nodes)))
    assert_problem(p, sheet="nodes", row=3, column="tier", value=tier, hint_has="0 is the focal")


def test_tier_written_as_2_point_0_is_accepted(write_case):
    nodes = [NODE_HEADER, PLANT, ["supplier", "Supplier", "1.0", "materials", "GB", 1, "kg"]]
    assert read_case(write_case(nodes=nodes)).nodes["supplier"].tier == 1


# --- structure -----------------------------------------------------------------------------


def test_node_without_path_to_reference_is_a_warning(write_case):
    nodes = [NODE_HEADER, PLANT, SUPPLIER, ["orphan", "Orphan", 2, None, None, 1, "kg"]]
    path = write_case(nodes=nodes)
    p = only(validate(path), "warning")
    assert_problem(
        p, sheet="nodes", row=4, column="id", value="orphan", severity="warning", hint_has="remove"
    )
    assert not [q for q in validate(path) if q.severity == "error"]
    case = read_case(path)  # a warning does not stop reading
    assert "orphan" in case.nodes
    assert [w.value for w in case.metadata["warnings"]] == ["orphan"]


def _loop(back: float) -> list[list]:
    # plant makes 1 item from 2 kg of supplier; supplier makes 1 kg using `back` items of plant.
    # Inputs per unit of output: [[0, back], [2, 0]], spectral radius sqrt(2 * back).
    return [
        FLOW_HEADER,
        ["plant", "node", "supplier", 2, "kg"],
        ["supplier", "emission", "co2_fossil", 0.5, "kg"],
        ["supplier", "node", "plant", back, "item"],
    ]


def test_loop_that_consumes_more_than_it_makes_is_an_error(write_case):
    p = only(validate(write_case(flows=_loop(0.6))))  # radius sqrt(1.2) = 1.095
    assert (p.severity, p.sheet, p.row, p.column) == ("error", "flows", 2, "amount")
    assert "1.095" in p.message
    assert "2, 4" in p.hint  # the node-to-node rows to check


def test_loop_that_consumes_exactly_what_it_makes_is_an_error(write_case):
    p = only(validate(write_case(flows=_loop(0.5))))  # radius 1: no solution
    assert (p.sheet, p.row, p.column) == ("flows", 2, "amount")


def test_productive_loop_is_allowed(write_case):
    case = read_case(write_case(flows=_loop(0.4)))  # radius sqrt(0.8) < 1
    assert [f.amount_in_reference for f in case.flows if f.kind == "node"] == [2.0, 0.4]


def test_node_consuming_all_of_its_own_output_is_an_error(write_case):
    # supplier makes 1 kg and uses 1000 g of it again
    path = write_case("xlsx", flows=flows_with(["supplier", "node", "supplier", 1000, "g"]))
    p = only(validate(path))
    assert_problem(p, sheet="flows", row=5, column="amount", value=1000, hint_has="output_amount")


# --- uncertainty -------------------------------------------------------------------------------

UNC_HEADER = [*FLOW_HEADER, "distribution", "sd", "gsd", "min", "max"]


def _uncertain(*row) -> list[list]:
    return [UNC_HEADER, ["plant", "node", "supplier", 2, "kg"], ["plant", *row]]


def test_lognormal_without_gsd_is_a_warning_and_treated_as_certain(write_case):
    path = write_case(flows=_uncertain("emission", "n2o", 1, "kg", "lognormal"))
    p = only(validate(path), "warning")
    assert_problem(p, sheet="flows", row=3, column="gsd", value=None, severity="warning")
    assert "gsd > 1" in p.hint
    assert read_case(path).flows[1].uncertainty is None


def test_triangular_with_min_above_max_is_reported(write_case):
    flows = _uncertain("emission", "n2o", 1, "kg", "triangular", None, None, 3, 0.5)
    path = write_case("xlsx", flows=flows)
    p = only(validate(path))  # swapped bounds are a typing mistake: an error
    assert_problem(p, sheet="flows", row=3, column="min", value=3, severity="error")
    assert "min <= amount <= max" in p.hint and "swap" in p.hint


def test_amount_outside_min_max_is_an_error(write_case):
    path = write_case(
        "xlsx", flows=_uncertain("emission", "n2o", 5, "kg", "uniform", None, None, 1, 2)
    )
    assert_problem(
        only(validate(path)), sheet="flows", row=3, column="amount", value=5, hint_has="min"
    )


def test_valid_uncertainty_is_kept(write_case):
    path = write_case(
        flows=_uncertain("emission", "n2o", 1, "kg", "Triangular", None, None, 0.5, 1.5)
    )
    unc = read_case(path).flows[1].uncertainty
    assert (unc.distribution, unc.minimum, unc.maximum) == ("triangular", 0.5, 1.5)


def test_unknown_distribution(write_case):
    path = write_case(flows=_uncertain("emission", "n2o", 1, "kg", "gaussian", 0.1))
    p = only(validate(path))
    assert_problem(p, sheet="flows", row=3, column="distribution", value="gaussian")
    assert "lognormal" in p.hint


# --- row numbers as a spreadsheet shows them ------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "zip"])
def test_blank_rows_in_the_middle_count(write_case, fmt):
    flows = [
        FLOW_HEADER,
        ["plant", "node", "supplier", 2, "kg"],
        [],
        [None, None, None, None, None],
        ["plant", "emission", "n2o", -3, "kg"],
    ]
    p = only(validate(write_case(fmt, flows=flows)))
    assert (p.sheet, p.row, p.column, p.value) == (
        "flows",
        5,
        "amount",
        -3 if fmt == "xlsx" else "-3",
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_header_below_row_one(write_case, fmt):
    # Two empty rows, then the header on row 3: the bad row is spreadsheet row 6.
    flows = [
        [],
        [],
        FLOW_HEADER,
        ["plant", "node", "supplier", 2, "kg"],
        [],
        ["plant", "emission", "n2o", "lots", "kg"],
    ]
    p = only(validate(write_case(fmt, flows=flows)))
    assert (p.sheet, p.row, p.column, p.value) == ("flows", 6, "amount", "lots")
    # Flows read from such a sheet keep their spreadsheet row.
    flows[-1][3] = 1
    case = read_case(write_case(fmt, flows=flows))
    assert [f.row for f in case.flows] == [4, 6]


def test_missing_column_reported_on_the_header_row(write_case):
    flows = [[], [], ["node", "kind", "input", "amount"], ["plant", "emission", "n2o", 1]]
    p = only(validate(write_case("xlsx", flows=flows)))
    assert (p.sheet, p.row, p.column) == ("flows", 3, "unit")


# --- all problems at once -----------------------------------------------------------------


def test_five_mistakes_give_five_problems(write_case):
    nodes = [
        NODE_HEADER,
        PLANT,
        ["supplier", "Supplier", 1, "materialz", "GB", 1, "kg"],  # 1 unknown stage
        ["supplier", "Supplier 2", 1, "materials", "GB", 1, "kg"],  # 2 duplicate id
    ]
    flows = [
        FLOW_HEADER,
        ["plant", "node", "supplier", 2, "kg"],
        ["plant", "proces", "water_supply", 1, "m3"],  # 3 unknown kind
        ["plant", "emission", "n2o", -1, "kg"],  # 4 negative amount
        ["supplier", "emission", "co2_fossil", 1, "kgs"],  # 5 unknown unit
    ]
    problems = validate(write_case("xlsx", nodes=nodes, flows=flows))
    assert sorted((p.sheet, p.row, p.column) for p in problems) == [
        ("flows", 3, "kind"),
        ("flows", 4, "amount"),
        ("flows", 5, "unit"),
        ("nodes", 3, "stage"),
        ("nodes", 4, "id"),
    ]
    assert all(p.severity == "error" and p.hint for p in problems)
    with pytest.raises(InputError) as info:
        read_case(write_case("xlsx", nodes=nodes, flows=flows))
    assert len(info.value.errors) == 5
    assert isinstance(info.value, ValueError)
    assert "5 problem(s)" in str(info.value)


# --- names, metadata, formats --------------------------------------------------------------


def test_sheet_and_header_names_are_case_insensitive_and_trimmed(tmp_path):
    sheets = {
        " Flows ": [[" NODE", "Kind ", "input", "Amount ", " unit"], *VALID_SHEETS["flows"][1:]],
        "NODES": [[h.upper() for h in NODE_HEADER], PLANT, SUPPLIER],
        "Case ": [["Field", " VALUE "], ["name", "Test case"], ["reference_node", "plant"]],
    }
    path = save_xlsx(tmp_path / "names.xlsx", sheets)
    case = read_case(path)
    assert [(f.node, f.input, f.amount) for f in case.flows] == [
        ("plant", "supplier", 2),
        ("plant", "electricity_uk_grid_delivered", 10),
        ("supplier", "co2_fossil", 0.5),
    ]
    # A problem on such a sheet names the sheet as the tab shows it and the normalised column.
    sheets[" Flows "].append(["plant", "emission", "n2o", -1, "kg"])
    p = only(validate(save_xlsx(tmp_path / "names2.xlsx", sheets)))
    assert (p.sheet, p.row, p.column) == ("Flows", 5, "amount")


def test_csv_file_names_are_case_insensitive(tmp_path):
    folder = write_sheets(tmp_path / "folder", dict(VALID_SHEETS), "csv")
    (folder / "flows.csv").rename(folder / "Flows.CSV")
    assert len(read_case(folder).flows) == 3


def test_unknown_columns_are_kept_as_metadata(write_case):
    nodes = [
        [*NODE_HEADER, "Contact Email"],
        [*PLANT, "plant@example.com"],
        [*SUPPLIER, None],
    ]
    flows = [
        [*FLOW_HEADER, "Supplier ref", "source"],
        ["plant", "node", "supplier", 2, "kg", "PO-17", "BOM"],
        ["supplier", "emission", "co2_fossil", 0.5, "kg", None, None],
    ]
    case = read_case(write_case("xlsx", nodes=nodes, flows=flows))
    assert case.nodes["plant"].metadata == {"contact_email": "plant@example.com"}
    assert case.nodes["supplier"].metadata == {}
    assert case.flows[0].metadata == {"supplier_ref": "PO-17"}
    assert case.flows[0].source == "BOM"
    assert case.flows[1].metadata == {}


def test_unknown_case_fields_are_kept_as_metadata(write_case):
    case = [*VALID_SHEETS["case"], ["Prepared By", "A. Partner"]]
    assert read_case(write_case(case=case)).metadata["prepared_by"] == "A. Partner"


def _bicycle_sheets() -> dict[str, list[list]]:
    """The bicycle CSVs as lists, numbers typed as a spreadsheet would type them."""

    def typed(cell: str):
        if cell == "":
            return None
        try:
            number = float(cell)
        except ValueError:
            return cell
        return int(number) if number.is_integer() else number

    sheets = {}
    for name in ("case", "nodes", "flows"):
        text = (BICYCLE / f"{name}.csv").read_text(encoding="utf-8")
        sheets[name] = [[typed(c) for c in row] for row in csv.reader(io.StringIO(text))]
    return sheets


def test_same_case_as_xlsx_csv_folder_and_zip(tmp_path):
    sheets = _bicycle_sheets()
    from_folder = read_case(BICYCLE)
    from_xlsx = read_case(write_sheets(tmp_path / "bike.xlsx", sheets, "xlsx"))
    from_zip = read_case(write_sheets(tmp_path / "bike.zip", sheets, "zip"))
    assert len(from_folder.flows) == 22
    for other in (from_xlsx, from_zip):
        assert other.flows == from_folder.flows
        assert other.nodes == from_folder.nodes
        assert (other.name, other.reference_node, other.annual_volume, other.year) == (
            "Aluminium bicycle (starter example)",
            "bike_assembly",
            20000.0,
            2025,
        )


def test_bicycle_amounts_in_reference_units(bicycle):
    case = read_case(bicycle)
    by_row = {f.row: f for f in case.flows}
    # flows.csv rows: 4 is 0.012 MWh, 6 is 1800 kg*km, 7 is 2 g of HFC-134a, 8 is 0.24 t
    assert by_row[4].amount_in_reference == pytest.approx(12.0, rel=1e-12)
    assert by_row[6].amount_in_reference == pytest.approx(1.8, rel=1e-12)
    assert by_row[7].amount_in_reference == pytest.approx(0.002, rel=1e-12)
    assert by_row[8].amount_in_reference == pytest.approx(240.0, rel=1e-12)  # 0.24 t, per kg
    assert by_row[4].uncertainty.gsd == 1.1
    assert case.nodes["frame_maker"].output_amount == 100
    assert validate(bicycle) == []


# --- broken files --------------------------------------------------------------------------


def _broken(tmp_path: Path, kind: str) -> Path:
    if kind == "random bytes .xlsx":
        path = tmp_path / "random.xlsx"
        path.write_bytes(bytes(range(256)) * 8)
    elif kind == "truncated .xlsx":
        good = save_xlsx(tmp_path / "good.xlsx", VALID_SHEETS)
        path = tmp_path / "truncated.xlsx"
        path.write_bytes(good.read_bytes()[:900])
    elif kind == "truncated .zip":
        good = write_sheets(tmp_path / "good.zip", VALID_SHEETS, "zip")
        path = tmp_path / "truncated.zip"
        path.write_bytes(good.read_bytes()[:150])
    elif kind == "corrupt member .zip":
        path = _zip_with_corrupt_member(tmp_path / "corrupt.zip")
    elif kind == "corrupt sheet .xlsx":
        path = _xlsx_with_cut_sheet(tmp_path / "cut.xlsx")
    elif kind == "zip of csvs named .xlsx":
        path = write_sheets(tmp_path / "csvs.xlsx", VALID_SHEETS, "zip")
    elif kind == "one .csv":
        folder = write_sheets(tmp_path / "folder", VALID_SHEETS, "csv")
        path = folder / "flows.csv"
    elif kind == "missing path":
        path = tmp_path / "no" / "such.xlsx"
    elif kind == ".xls":
        path = tmp_path / "old.xls"
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    elif kind == "binary csv in folder":
        path = write_sheets(tmp_path / "folder2", VALID_SHEETS, "csv")
        (path / "nodes.csv").write_bytes(b"\x81\x8d\x8f\x90\x9d" * 100)
    else:  # pragma: no cover
        raise AssertionError(kind)
    return path


def _zip_with_corrupt_member(path: Path) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in ("case", "nodes", "flows"):
            body = "field,value\n" + "".join(f"x{i},{i * i}\n" for i in range(300))
            archive.writestr(f"{name}.csv", body)
    data = bytearray(buffer.getvalue())
    for i in range(45, 60):  # inside the first member's deflated data; directory intact
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def _xlsx_with_cut_sheet(path: Path) -> Path:
    source = save_xlsx(path.with_suffix(".src.xlsx"), VALID_SHEETS)
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.endswith("sheet3.xml"):
                data = data[: len(data) // 2]
            zout.writestr(info, data)
    return path


BROKEN = [
    "random bytes .xlsx",
    "truncated .xlsx",
    "truncated .zip",
    "corrupt member .zip",
    "corrupt sheet .xlsx",
    "zip of csvs named .xlsx",
    "one .csv",
    "missing path",
    ".xls",
    "binary csv in folder",
]


@pytest.mark.parametrize("kind", BROKEN)
def test_broken_file_gives_input_error_with_file_and_hint(tmp_path, kind):
    path = _broken(tmp_path, kind)
    with pytest.raises(InputError) as info:
        read_case(path)
    err = info.value
    assert isinstance(err, ValueError)
    assert err.file is not None and err.file.startswith(str(path))
    assert err.hint
    problems = validate(path)  # validate reports the same without raising
    assert problems and problems[0].file == err.file


@pytest.mark.parametrize(
    ("kind", "words"), [("one .csv", "folder"), (".xls", "save as .xlsx"), ("missing path", "path")]
)
def test_broken_file_hints_say_what_to_do(tmp_path, kind, words):
    assert words in validate(_broken(tmp_path, kind))[0].hint


def test_empty_folder_lists_all_missing_sheets(tmp_path):
    problems = validate(tmp_path)
    assert [(p.sheet, p.severity) for p in problems] == [
        ("case", "error"),
        ("nodes", "error"),
        ("flows", "error"),
    ]


def test_a_title_row_above_the_header_is_named_in_the_hint(write_case):
    flows = [["Flows of our plant (2025)"], FLOW_HEADER, *VALID_SHEETS["flows"][1:]]
    path = write_case("xlsx", flows=flows)
    problems = [p for p in validate(path) if p.sheet == "flows"]
    assert problems and all(p.row == 1 for p in problems)
    assert "row 2" in problems[0].hint and "title" in problems[0].hint


# --- input that was silently accepted --------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_repeated_header_is_an_error_at_the_header(write_case, fmt):
    """Two 'amount' columns: only one could be read, and which one was a reader's accident."""
    flows = [[*FLOW_HEADER, "amount"], ["plant", "node", "supplier", 2, "kg", 5]]
    p = only(validate(write_case(fmt, flows=flows)))
    assert_problem(p, sheet="flows", row=1, column="amount", value="amount", hint_has="rename")
    assert "columns D and F" in p.message


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_data_under_a_blank_header_is_an_error_at_its_first_cell(write_case, fmt):
    flows = [
        [*FLOW_HEADER, None, None],
        ["plant", "node", "supplier", 2, "kg"],
        ["plant", "process", "electricity_uk_grid_delivered", 10, "kWh", None, "12"],
        ["supplier", "emission", "co2_fossil", 0.5, "kg", None, "13"],
    ]
    p = only(validate(write_case(fmt, flows=flows)))
    assert_problem(p, sheet="flows", row=3, column="G", value="12", hint_has="header")
    assert "2 cells" in p.message


@pytest.mark.parametrize("copy", ["old/flows.csv", "FLOWS.csv", "case/Flows.CSV"])
def test_two_copies_of_a_sheet_in_a_zip_are_an_error(tmp_path, copy):
    path = write_sheets(tmp_path / "case.zip", dict(VALID_SHEETS), "zip")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(copy, "node,kind,input,amount,unit\nplant,emission,co2_fossil,99,kg\n")
    p = only(validate(path))
    assert (p.sheet, p.row, p.column) == ("flows", None, None)
    assert "flows.csv" in p.message and copy in p.message and p.hint


def test_a_zip_of_one_folder_and_mac_resource_files_is_one_copy(tmp_path):
    """A zip made by 'Compress' holds case/flows.csv (and on a Mac __MACOSX/case/._flows.csv):
    one copy of each sheet."""
    path = tmp_path / "case.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, rows in VALID_SHEETS.items():
            buffer = io.StringIO()
            csv.writer(buffer).writerows(rows)
            archive.writestr(f"case/{name}.csv", buffer.getvalue())
            archive.writestr(f"__MACOSX/case/._{name}.csv", b"\x00\x05\x16\x07")
    assert validate(path) == []


def test_two_copies_of_a_sheet_in_a_folder_are_an_error(tmp_path):
    folder = write_sheets(tmp_path / "folder", dict(VALID_SHEETS), "csv")
    (folder / "FLOWS.csv").write_text("node,kind,input,amount,unit\n", encoding="utf-8")
    p = only(validate(folder))
    assert p.sheet == "flows" and "FLOWS.csv" in p.message and "flows.csv" in p.message


def test_self_use_split_over_two_rows_is_an_error_at_the_row_that_exceeds(write_case):
    """supplier makes 1 kg per run and uses 0.6 kg of it twice: 1.2 kg, more than it makes,
    which gave a negative supply; each row alone is below the output."""
    path = write_case("xlsx", flows=flows_with(["supplier", "node", "supplier", 0.6, "kg"],
                                       ["supplier", "node", "supplier", 600, "g"]))  # fmt: skip
    p = only(validate(path))
    assert_problem(p, sheet="flows", row=6, column="amount", value=600, hint_has="output_amount")
    assert "rows 5, 6" in p.message


@pytest.mark.parametrize(
    ("rows", "row"),
    [
        ([["supplier", "emission", "co2_fossil", "1e307", "t"]], 5),  # 1e310 kg: inf
        ([["supplier", "emission", "co2_fossil", "1e300", "kg"]], 5),
        ([["plant", "process", "electricity_uk_grid_delivered", "1e20", "kWh"]], 5),
    ],
)
def test_amounts_beyond_any_real_supply_chain_are_errors_at_their_cell(write_case, rows, row):
    """Amounts that overflow to infinity (or near it) once converted or summed made the
    results infinite and the JSON document invalid."""
    p = only(validate(write_case(flows=flows_with(*rows))))
    assert_problem(p, sheet="flows", row=row, column="amount", value=rows[0][3])
    assert "too large" in p.message


@pytest.mark.parametrize("value", ["1e-300", "1e-320"])
def test_a_vanishing_output_amount_is_an_error_at_its_cell(write_case, value):
    """output_amount 1e-320 made the foreground matrix singular ("internal error: Factor is
    exactly singular"); 1e-300 multiplied every flow by 1e300."""
    nodes = [NODE_HEADER, PLANT, ["supplier", "Supplier", 1, "materials", "GB", value, "kg"]]
    p = only(validate(write_case(nodes=nodes)))
    assert_problem(p, sheet="nodes", row=3, column="output_amount", value=value)


@pytest.mark.filterwarnings("ignore:overflow encountered")
def test_results_that_overflow_are_an_input_error_not_invalid_json():
    """A case built in Python skips the reader's limits; its infinite result is still bad
    input, named by the flows that caused it."""
    import scenat

    plant = Node(id="plant", name="Plant", tier=0, output_unit="item")
    flows = [Flow("plant", "emission", "co2_fossil", 1e308, "kg", 1e308, "kg", row=r)
             for r in (2, 3)]  # fmt: skip
    case = Case(name="huge", reference_node="plant", nodes={"plant": plant}, flows=flows)
    with pytest.raises(InputError) as info:
        scenat.assess(case)
    assert "not finite" in str(info.value) and info.value.problems[0].row in (2, 3)


@pytest.mark.parametrize(
    ("row", "column", "value"),
    [
        (["emission", "n2o", 1, "kg", "uniform", None, None, -5, 5], "min", -5),
        (["emission", "n2o", 1, "kg", "triangular", None, None, -0.5, 3], "min", -0.5),
        (["emission", "n2o", 1, "kg", "normal", -0.5], "sd", -0.5),
        (["emission", "n2o", 1, "kg", "lognormal", None, -1.2], "gsd", -1.2),
    ],
)
def test_a_negative_spread_or_bound_is_an_error_at_its_cell(write_case, row, column, value):
    """A uniform from -5 to 5 kg drew negative emissions for an amount that cannot be below
    zero; a negative sd was taken as 'no spread'."""
    p = only(validate(write_case("xlsx", flows=_uncertain(*row))))
    assert_problem(p, sheet="flows", row=3, column=column, value=value)


@pytest.mark.parametrize("year", [-2024, 24, 20240])
def test_a_year_that_is_no_calendar_year_is_an_error(write_case, year):
    case = [CASE_HEADER, ["name", "Test case"], ["reference_node", "plant"], ["year", year]]
    p = only(validate(write_case("xlsx", case=case)))
    assert_problem(p, sheet="case", row=4, column="value", value=year, hint_has="2025")


# --- bad input that ended as "internal error" ------------------------------------------------


@pytest.mark.parametrize("rate", ["abc", "NaN", 1.5, -0.1])
def test_a_bad_discount_rate_is_an_error_at_its_row_when_validated(write_case, rate):
    case = [CASE_HEADER, ["name", "Test case"], ["reference_node", "plant"],
            ["discount_rate", rate]]  # fmt: skip
    p = only(validate(write_case("xlsx", case=case)))
    assert_problem(p, sheet="case", row=4, column="value", value=rate, hint_has="0.035")
    assert "discount_rate" in p.message


def test_a_bad_case_number_names_its_field(write_case):
    case = [CASE_HEADER, ["name", "Test case"], ["reference_node", "plant"],
            ["reference_amount", "NaN"]]  # fmt: skip
    p = only(validate(write_case(case=case)))
    assert (p.row, p.column) == (4, "value") and "reference_amount" in p.message


def test_a_folder_named_like_a_sheet_is_an_error(tmp_path):
    folder = write_sheets(tmp_path / "case", dict(VALID_SHEETS), "csv")
    (folder / "flows.csv").unlink()
    (folder / "flows.csv").mkdir()
    p = only(validate(folder))
    assert p.sheet == "flows" and "not a file" in p.message and p.hint


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path, cli_env):
    """A named pipe blocks whoever opens it until something writes to it: validate hung
    forever. It is refused as not a regular file (the timeout only turns a regression into
    a failure instead of a hung run)."""
    import os
    import subprocess
    import sys

    folder = write_sheets(tmp_path / "case", dict(VALID_SHEETS), "csv")
    (folder / "flows.csv").unlink()
    os.mkfifo(folder / "flows.csv")
    os.mkfifo(tmp_path / "pipe.xlsx")
    for target, words in ((folder, "flows.csv"), (tmp_path / "pipe.xlsx", "pipe.xlsx")):
        done = subprocess.run([sys.executable, "-m", "scenat.cli", "validate", str(target)],
                              capture_output=True, text=True, env=cli_env, timeout=120)  # fmt: skip
        assert done.returncode == 2, done.stderr
        assert words in done.stdout and "not a regular file" in done.stdout
        assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("location", "grid"),
    [
        ("CN-BJ", "electricity_grid_cn_bj"),
        ("CN", "electricity_grid_chn"),
        ("DEU", "electricity_grid_deu"),
    ],
)
def test_location_based_electricity_takes_the_grid_of_the_node(write_case, location, grid):
    """``electricity_grid_local`` is the grid of the node's place: its province, else its
    country (ISO 3166, alpha-2 or alpha-3), and the flow says which it took."""
    nodes = [NODE_HEADER, ["plant", "Plant", 0, "assembly", location, 1, "item"],
             ["supplier", "Supplier", 1, "materials", "GB", 1, "kg"]]  # fmt: skip
    path = write_case(
        nodes=nodes, flows=flows_with(["plant", "process", "electricity_grid_local", 5, "MWh"])
    )
    case = read_case(path)
    flow = next(f for f in case.flows if f.row == 5)
    assert (flow.input, flow.amount_in_reference) == (grid, 5000.0)
    assert grid in flow.metadata["grid_for_location"]


def test_location_based_electricity_without_a_place_is_located(write_case):
    nodes = [NODE_HEADER, ["plant", "Plant", 0, "assembly", None, 1, "item"],
             ["supplier", "Supplier", 1, "materials", "GB", 1, "kg"]]  # fmt: skip
    path = write_case(
        nodes=nodes, flows=flows_with(["plant", "process", "electricity_grid_local", 5, "kWh"])
    )
    p = only(validate(path))
    assert_problem(
        p, sheet="flows", row=5, column="input", value="electricity_grid_local", hint_has="ISO 3166"
    )


def test_only_the_loop_that_consumes_too_much_is_named(write_case):
    # plant buys from supplier (radius-0.6 loop with plant: productive? no, sqrt(2*0.6)>1)
    # and from other, which is in a productive loop with a third node.
    nodes = [
        NODE_HEADER,
        PLANT,
        SUPPLIER,
        ["other", "Other", 1, None, None, 1, "kg"],
        ["third", "Third", 2, None, None, 1, "kg"],
    ]
    flows = [
        *_loop(0.6),
        ["plant", "node", "other", 1, "kg"],
        ["other", "node", "third", 1, "kg"],
        ["third", "node", "other", 0.5, "kg"],
    ]
    p = only(validate(write_case(nodes=nodes, flows=flows)))
    assert (p.severity, p.sheet, p.row, p.column) == ("error", "flows", 2, "amount")
    assert "1.095" in p.message and "'other'" not in p.message
    assert p.hint.endswith("rows 2, 4")  # the other loop's rows 6, 7 are fine


def test_flows_share_one_object_per_distinct_value_and_pickle_back_equal() -> None:
    """Repeated node ids, inputs, units and distributions are one object each (memory, and
    a case pickled to Dask workers carries each once); a pickled case reads back equal."""
    import pickle

    case = read_case(BICYCLE)
    for field in ("node", "kind", "input", "unit", "reference_unit", "uncertainty", "source"):
        values = [getattr(f, field) for f in case.flows]
        distinct = {v for v in values}
        assert len({id(v) for v in values}) == len(distinct), field
    copy = pickle.loads(pickle.dumps(case))
    assert copy.flows == case.flows
    assert copy.nodes == case.nodes
