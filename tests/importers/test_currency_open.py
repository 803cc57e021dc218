"""CNY and EUR rates and price indices from ``../shared/data/currency-open``.

Hand values: FRED's annual file, ``grep -E '^20(07|23)-01-01,China' exchange_rates_annual_fred.csv``
(7.6058, 7.0809); the World Bank's China CPI inflation, 2016-2019 (2.00, 1.59, 2.07, 2.90 %).
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from scenat.errors import InputError
from scenat.importers import currency_open
from scenat.importers.inventory import compare_inventories
from scenat.model import currency

REPO = Path(__file__).resolve().parents[2]
SOURCE = Path(__file__).resolve().parents[3] / "shared" / "data" / "currency-open"
SHIPPED = REPO / "inventories" / "currency"
CPI = "worldbank_FP.CPI.TOTL.ZG_inflation_consumer_prices_pct.csv"
DEFLATOR = "worldbank_NY.GDP.DEFL.KD.ZG_inflation_gdp_deflator_pct.csv"


def world_bank(file: str, country: str) -> dict[int, float]:
    with (SOURCE / file).open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    (row,) = [r for r in rows if r[1] == country]
    return {int(h): float(v) for h, v in zip(header, row) if h.isdigit() and v}


def test_shipped_tables_are_what_the_importer_builds(tmp_path):
    assert SOURCE.is_dir(), f"shared open data folder {SOURCE} is missing"
    currency_open.build_currency_tables(SOURCE, tmp_path)
    assert not compare_inventories(SHIPPED, tmp_path)


def test_cny_index_chained_by_hand():
    cpi = world_bank(CPI, "CHN")
    tables = currency.load_tables()
    index = {y: tables.indices[("CNY", y)].index for y in range(2015, 2020)}
    assert index[2015] == 100
    expected = 100.0
    for year in range(2016, 2020):
        expected *= 1 + cpi[year] / 100
        assert index[year] == pytest.approx(expected, abs=1e-4)
    # 2023 is +0.23 % (CPI), not the deflator's -0.58 %: the CPI file was chosen by content
    assert tables.indices[("CNY", 2023)].index / tables.indices[("CNY", 2022)].index == (
        pytest.approx(1 + cpi[2023] / 100, abs=1e-6)
    )
    assert world_bank(DEFLATOR, "CHN")[2023] < 0 < cpi[2023]


def test_a_cny_cost_converts_into_euros_of_another_year():
    # 10 M CNY of 2007 (the Bird's Nest PV contract): 7.6058 CNY/USD, 0.7293 EUR/USD (FRED
    # 2007), then euro-area prices 2007 -> 2023
    tables = currency.load_tables()
    rates = {(r.year, r.quote): r.rate for r in tables.rates if r.base == "USD"}
    euros = 10e6 / rates[(2007, "CNY")] * rates[(2007, "EUR")]
    euros *= tables.indices[("EUR", 2023)].index / tables.indices[("EUR", 2007)].index
    assert currency.convert(10e6, "CNY", 2007, "EUR", 2023) == pytest.approx(euros)
    assert rates[(2007, "CNY")] == 7.6058 and rates[(2023, "CNY")] == 7.0809


def test_the_files_are_chosen_by_indicator_code_not_by_name(tmp_path):
    # the upstream folder's pitfall: the two inflation files under each other's names
    shutil.copy(SOURCE / "exchange_rates_annual_fred.csv", tmp_path)
    shutil.copy(SOURCE / CPI, tmp_path / DEFLATOR)
    shutil.copy(SOURCE / DEFLATOR, tmp_path / CPI)
    path, values = currency_open.read_world_bank(tmp_path)
    assert path.name == DEFLATOR  # the file that holds FP.CPI.TOTL.ZG, whatever its name
    assert values["CHN"][2023] == pytest.approx(0.2348, abs=1e-4)


def test_a_rate_in_the_wrong_orientation_is_refused(tmp_path):
    # the datapackage README says the euro is USD per euro; a file that really were so
    # would disagree with the typed G.5A rows, and is refused
    text = (SOURCE / "exchange_rates_annual_fred.csv").read_text(encoding="utf-8")
    flipped = []
    for line in text.splitlines():
        date, country, rate = line.split(",")
        if country == "Euro":
            rate = f"{1 / float(rate):.4f}"
        flipped.append(",".join((date, country, rate)))
    (tmp_path / "exchange_rates_annual_fred.csv").write_text("\n".join(flipped) + "\n")
    shutil.copy(SOURCE / CPI, tmp_path)
    with pytest.raises(InputError) as info:
        currency_open.build_currency_tables(tmp_path, tmp_path / "out")
    problem = info.value.problems[0]
    assert (
        problem.column == "Exchange rate" and "differs from the typed 2019 rate" in problem.message
    )
