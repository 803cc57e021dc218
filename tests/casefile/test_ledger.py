"""Ledger screening: known totals per sector on a generated ledger (CSV, parquet, xlsx), every
bad line reported with its line number and reason, unscreened value totalled, and the
screened spend assessed as a case's spend flows."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from scenat.casefile.ledger import generate_ledger, read_mapping, screen_ledger
from scenat.errors import InputError
from scenat.model.currency import convert

SECTORS = ["331110", "484121", "325211"]


def _ledger(rows: int = 300, seed: int = 5) -> tuple[pl.DataFrame, dict[int, str]]:
    """A generated ledger with bad lines at known positions -> (frame, {csv line: reason})."""
    frame = generate_ledger(rows, ["GL-" + s for s in SECTORS], seed=seed)
    frame = frame.with_columns(pl.col("amount").cast(pl.String))
    bad = {
        4: ("sector_code", "GL-999", "sector_unmapped"),
        9: ("currency", "XYZ", "currency_unknown"),
        17: ("amount", "-12.5", "amount_negative"),
        25: ("amount", "twelve", "amount_text"),
        33: ("amount", None, "amount_missing"),
        41: ("date", "n/a", "date_no_year"),
        57: ("date", "2031-01-01", "no_conversion"),
    }
    for index, (column, value, _reason) in bad.items():
        frame = frame.with_columns(
            pl.when(pl.int_range(pl.len()) == index)
            .then(pl.lit(value, dtype=pl.String))
            .otherwise(pl.col(column))
            .alias(column)
        )
    # As a text editor numbers the CSV: the header is line 1, row index i is line i + 2.
    return frame, {index + 2: reason for index, (_c, _v, reason) in bad.items()}


def _expected_totals(frame: pl.DataFrame, bad_lines: set[int]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for i, row in enumerate(frame.iter_rows(named=True)):
        if i + 2 in bad_lines:
            continue
        sector = "epa_naics_" + row["sector_code"].removeprefix("GL-")
        usd = convert(float(row["amount"]), row["currency"], int(row["date"][:4]), "USD", 2022)
        totals[sector] = totals.get(sector, 0.0) + usd
    return totals


MAPPING = {"GL-" + s: s for s in SECTORS}


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_known_totals_and_bad_lines_with_line_numbers(tmp_path, fmt):
    frame, bad = _ledger()
    path = tmp_path / f"ledger.{fmt}"
    if fmt == "csv":
        frame.write_csv(path)
    elif fmt == "parquet":
        frame.write_parquet(path)
    else:
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.append(frame.columns)
        for row in frame.iter_rows():
            sheet.append(list(row))
        book.save(path)
    screen = screen_ledger(path, MAPPING)
    # parquet has no header line: its rows count from 1
    offset = -1 if fmt == "parquet" else 0
    found = dict(zip(screen.problems["line"].to_list(), screen.problems["reason"].to_list()))
    assert found == {line + offset: reason for line, reason in bad.items()}
    expected = _expected_totals(frame, set(bad))
    got = dict(zip(screen.sectors["sector"].to_list(), screen.sectors["amount"].to_list()))
    assert set(got) == set(expected)
    for sector, value in expected.items():
        assert got[sector] == pytest.approx(value, rel=1e-12)
    assert screen.lines == len(frame)
    assert screen.screened_lines == len(frame) - len(bad)
    assert set(screen.sectors["currency"]) == {"USD"} and set(screen.sectors["price_year"]) == {
        2022
    }
    # the unmapped line's value is reported, in its currency and in USD 2022
    unmapped = screen.unscreened.filter(pl.col("reason") == "sector_unmapped")
    row = frame.row(4, named=True)
    assert unmapped["lines"].item() == 1
    assert unmapped["value_report"].item() == pytest.approx(
        convert(float(row["amount"]), row["currency"], int(row["date"][:4]), "USD", 2022)
    )
    by_currency = screen.unscreened_by_currency.filter(pl.col("reason") == "sector_unmapped")
    assert by_currency["amount"].item() == pytest.approx(float(row["amount"]))
    problems = screen.to_problems()
    assert {p.row for p in problems} == set(found)
    assert all(p.severity == "warning" and p.file == str(path) for p in problems)


def test_codes_without_a_mapping_name_sectors_directly():
    frame = pl.DataFrame(
        {
            "Sector Code": ["331110", "epa_naics_484121", "nope"],
            "Amount": ["100", "50.5", "7"],
            "Currency": ["usd", "GBP", "USD"],
            "Invoice Date": ["2022-03-01", "15/06/2024", "2023-01-01"],
        }
    )
    screen = screen_ledger(frame)
    got = dict(zip(screen.sectors["sector"], screen.sectors["amount"]))
    assert got["epa_naics_331110"] == pytest.approx(100.0)
    assert got["epa_naics_484121"] == pytest.approx(convert(50.5, "GBP", 2024, "USD", 2022))
    assert screen.problems["reason"].to_list() == ["sector_unmapped"]
    assert screen.problems["line"].to_list() == [3]  # a frame's rows count from 1


def test_a_bad_mapping_table_names_its_rows(tmp_path):
    path = tmp_path / "mapping.csv"
    path.write_text("code,sector\nA,331110\nB,not-a-sector\nA,484121\n")
    with pytest.raises(InputError) as caught:
        read_mapping(path)
    rows = {(p.row, p.column) for p in caught.value.problems}
    assert rows == {(3, "sector"), (4, "code")}


def test_missing_columns_are_reported(tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text("supplier,amount\nx,1\n")
    with pytest.raises(InputError) as caught:
        screen_ledger(path)
    assert {p.column for p in caught.value.problems} == {"sector_code", "currency", "date"}


def test_screened_spend_is_assessed_as_the_nodes_spend_flows(write_case):
    import scenat

    case = scenat.read_case(write_case())
    frame, _bad = _ledger(rows=60, seed=9)
    screen = screen_ledger(frame, MAPPING)
    with_spend = screen.apply(case, "plant")
    spend = [f for f in with_spend.flows if f.kind == "spend"]
    assert [f.input for f in spend] == screen.sectors["sector"].to_list()
    assert np.isclose(sum(f.amount_in_reference for f in spend), screen.sectors["amount"].sum())
    base = scenat.assess(case, indicators=["gwp100"]).total("gwp100")
    result = scenat.assess(with_spend, indicators=["gwp100"])
    by_process = result.hotspots("gwp100", by="process")
    sectors = by_process.filter(pl.col("key").str.starts_with("epa_naics_"))["value"].sum()
    assert result.total("gwp100") == pytest.approx(base + sectors, rel=1e-9)
    # EPA: about 1.2 kg CO2e per USD 2022 of iron and steel mill products (AR5; gwp100 is AR6)
    steel = by_process.filter(pl.col("key") == "epa_naics_331110")["value"].item()
    steel_usd = screen.sectors.filter(pl.col("sector") == "epa_naics_331110")["amount"].item()
    assert 0.5 < steel / steel_usd < 3.0
