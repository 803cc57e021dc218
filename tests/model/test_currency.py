"""Currency and price-year conversion, and the shipped tables in ``inventories/currency``.

Expected numbers are computed by hand from the rows of rates.csv and deflators.csv.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from scenat.errors import InputError
from scenat.model import currency

TABLES = Path(__file__).resolve().parents[2] / "inventories" / "currency"


def read_rows(name: str) -> list[dict[str, str]]:
    with (TABLES / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_tables(folder: Path, rates: list[str], deflators: list[str]) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "rates.csv").write_text(
        "\n".join(["year,base,quote,rate,source,table,licence,checked,comment", *rates]) + "\n"
    )
    (folder / "deflators.csv").write_text(
        "\n".join(
            ["currency,year,index,series,base,source,table,licence,checked,comment", *deflators]
        )
        + "\n"
    )
    return folder


def test_gbp_2024_to_usd_2022_for_epa_factors():
    # 1000 GBP x 1.2787 USD/GBP (HMRC 2024) = 1278.70 USD 2024
    # x 292.655 / 313.689 (BLS CPI-U 2022 / 2024) = 1192.958... USD 2022
    expected = 1000 * 1.2787 * 292.655 / 313.689
    assert currency.convert(1000, "GBP", 2024, "USD", 2022) == pytest.approx(expected, rel=1e-12)
    assert round(expected, 2) == 1192.96


def test_order_is_exchange_in_spend_year_then_deflate_in_target_currency():
    c = currency.conversion("GBP", 2022, "USD", 2024)
    assert c.factor == pytest.approx(1.2371 * 313.689 / 292.655, rel=1e-12)
    assert c.steps[0].startswith("GBP->USD 2022")
    assert c.steps[1].startswith("USD prices 2022->2024")
    # The other order (UK CPI, then the 2024 rate) gives a different number: 1.3 % apart.
    reverse = 133.9 / 121.7 * 1.2787
    assert abs(c.factor / reverse - 1) > 0.01


def test_same_currency_and_same_year():
    assert currency.convert(250, "USD", 2022, "USD", 2022) == 250
    assert currency.convert(1000, "GBP", 2024, "GBP", 2022) == pytest.approx(1000 * 121.7 / 133.9)
    assert currency.convert(1, "EUR", 2021, "USD", 2021) == 1.183
    assert currency.convert(1, "USD", 2023, "JPY", 2023) == 140.5001
    assert currency.convert(1.2440, "USD", 2023, "GBP", 2023) == pytest.approx(1.0)


def test_cross_rate_through_gbp_in_years_published_against_gbp():
    # HMRC 2024: 1 GBP = 1.2787 USD = 1.1789 EUR: GBP <-> EUR is published directly
    assert currency.convert(1, "GBP", 2024, "EUR", 2024) == pytest.approx(1.1789)
    # the Fed's own 2024 average (FRED, 0.9242 EUR per USD) beats the cross rate through
    # HMRC's GBP (1.2787 / 1.1789 = 1.0847 USD per EUR; 0.2 % apart)
    assert currency.convert(1, "EUR", 2024, "USD", 2024) == pytest.approx(1 / 0.9242)
    # Fed G.5A 2023: 1 EUR = 1.0817 USD and 1 GBP = 1.2440 USD.
    assert currency.convert(1, "EUR", 2023, "GBP", 2023) == pytest.approx(1.0817 / 1.2440)


def test_unknown_currency_and_years_are_input_errors_with_hints():
    with pytest.raises(InputError) as info:
        currency.convert(1, "GBP", 2024, "CHF", 2022)
    (problem,) = info.value.problems
    assert (problem.column, problem.value) == ("to_currency", "CHF")
    assert "GBP" in problem.hint and "USD" in problem.hint
    with pytest.raises(InputError) as info:
        currency.convert(1, "GBP", 2018, "USD", 2018)
    assert "2019" in info.value.problems[0].hint
    with pytest.raises(InputError) as info:
        currency.convert(1, "GBP", 2024, "EUR", 2022)  # the euro index ends in 2023
    assert info.value.problems[0].message == "no EUR price index for 2024"
    with pytest.raises(InputError) as info:
        currency.convert(1, "GBP", "last year", "USD", 2022)
    assert info.value.problems[0].column == "from_year"


def test_shipped_tables_have_provenance_on_every_row():
    rates, deflators = read_rows("rates.csv"), read_rows("deflators.csv")
    for row in rates + deflators:
        for key in ("source", "table", "licence", "checked"):
            assert row[key].strip(), (row, key)
        assert row["licence"] in {
            "US public domain (Federal Reserve Board data)",
            "US public domain (BLS data)",
            "Open Government Licence v3.0",
            "US public domain (Federal Reserve data); ODC-PDDL-1.0 (datapackage)",
            "CC BY 4.0 (World Bank data); ODC-PDDL-1.0 (datapackage)",
        }
    years = {int(r["year"]) for r in rates}
    assert years == set(range(2000, 2026))  # CNY and EUR per USD from 2000 (FRED)
    for year in range(2019, 2026):
        for code in ("USD", "EUR", "CNY", "JPY"):
            assert currency.convert(1, "GBP", year, code, year) > 0
    for year in years:
        assert currency.convert(1, "CNY", year, "EUR", year) > 0
    assert {int(r["year"]) for r in deflators if r["currency"] == "GBP"} == set(range(2019, 2026))
    assert {int(r["year"]) for r in deflators if r["currency"] == "USD"} == set(range(2012, 2026))
    assert {int(r["year"]) for r in deflators if r["currency"] == "CNY"} == set(range(2000, 2025))
    assert {int(r["year"]) for r in deflators if r["currency"] == "EUR"} == set(range(2000, 2024))
    # Figures not read from the publisher in this build say so.
    uncertain = [r for r in deflators if r["checked"].startswith("UNCERTAIN")]
    assert {(r["currency"], r["year"]) for r in uncertain} == {("USD", "2025"), ("GBP", "2025")}


def test_hmrc_and_fed_rates_agree_where_both_exist():
    """HMRC's yearly average of its lagged monthly rates, against the Fed's average of
    daily rates: 2023 HMRC 1.2432 (year to 31 Dec 2023) vs G.5A 1.2440. Only the Fed value
    is shipped for 2023; this pins the size of the method difference quoted in rates.csv."""
    fed_2023 = currency.convert(1, "GBP", 2023, "USD", 2023)
    assert fed_2023 == 1.244
    assert abs(1.2432 / fed_2023 - 1) < 0.001


def test_malformed_tables_are_located(tmp_path):
    folder = write_tables(
        tmp_path / "bad",
        [
            "2024,GBP,USD,1.2787,HMRC,t,OGL,yes,",
            "2024,GBP,usd,1.2,HMRC,t,OGL,yes,",
            "2024,GBP,EUR,zero,HMRC,t,OGL,yes,",
            "2024,GBP,JPY,193.39,,t,OGL,yes,",
        ],
        ["USD,2024,313.689,CPI-U,1982-84=100,BLS,t,public domain,yes,"],
    )
    with pytest.raises(InputError) as info:
        currency.load_tables(folder)
    found = {(Path(p.file).name, p.row, p.column) for p in info.value.problems}
    assert found == {
        ("rates.csv", 3, "quote"),
        ("rates.csv", 4, "rate"),
        ("rates.csv", 5, "source"),
    }


def test_own_tables_can_be_used(tmp_path):
    folder = write_tables(
        tmp_path / "own",
        ["2030,GBP,USD,2.0,my bank,statement,own data,yes,"],
        [
            "USD,2030,400,CPI-U,1982-84=100,forecast,t,own data,no,",
            "USD,2022,292.655,CPI-U,1982-84=100,BLS,t,public domain,yes,",
        ],
    )
    tables = currency.load_tables(folder)
    assert currency.convert(10, "GBP", 2030, "USD", 2022, tables=tables) == pytest.approx(
        10 * 2.0 * 292.655 / 400
    )
