"""Yuan exchange rates and yuan and euro price indices for ``inventories/currency``.

Adds to the typed tables of :mod:`scenat.model.currency` what ``../shared/data/currency-open``
gives (``scenat data currency ../shared/data/currency-open inventories/currency``):

* **rates**: yuan and euros per US dollar, annual averages (FRED's yearly series, the
  Federal Reserve's H.10/G.5A data; ``exchange_rates_annual_fred.csv``, ``Country`` China
  and Euro), from 2000, for the years the typed table lacks. Where both exist (2019-2023)
  they must agree within 0.05 % (the typed rows are read from the Fed's G.5A release; FRED
  republishes the same averages): this is also what proves the file's orientation.
* **price indices**: the consumer price index of China (CNY) and of the euro area (EUR),
  chained from the World Bank's annual inflation, consumer prices (FP.CPI.TOTL.ZG, %):
  ``I[2015] = 100``, ``I[y] = I[y-1] x (1 + r_y / 100)``, backwards
  ``I[y-1] = I[y] / (1 + r_y / 100)``. CPI, not the GDP deflator, as for the other
  currencies (China 2023: CPI +0.23 %, deflator -0.58 %).

Pitfalls of the source handled here (``../shared/data/SOURCES.md``): the World Bank files are
chosen by the indicator code *inside* the file, never by their name (in the upstream
``data/`` folder the CPI and deflator files are swapped); FRED's annual file gives some
currencies as USD per unit (Euro, Australia, NZ, UK, Ireland) and the others per USD, and
its README says the euro is USD per euro while the annual file holds euros per USD (2019:
0.8933 = 1 / 1.1194), so every rate is checked against the typed rows of the same years.

Typed rows (any other source) are kept as they are; rows this importer wrote before are
replaced.

>>> index = chain_index({2014: 2.0, 2015: 1.437, 2016: 2.0}, base=2015)
>>> round(index[2014], 4), index[2015], round(index[2016], 3)
(98.5834, 100.0, 102.0)
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping
from pathlib import Path

from scenat.atomic import write_many_atomic
from scenat.errors import InputError, Problem
from scenat.model.currency import DEFLATOR_COLUMNS, RATE_COLUMNS

__all__ = ["SERIES", "build_currency_tables", "chain_index", "read_fred", "read_world_bank"]

FRED_FILE = "exchange_rates_annual_fred.csv"
FRED_SOURCE = (
    "Federal Reserve Bank of St. Louis (FRED), annual average exchange rates, as packaged in "
    "datasets/exchange-rates (yearly)"
)
FRED_LICENCE = "US public domain (Federal Reserve data); ODC-PDDL-1.0 (datapackage)"
CPI_CODE = "FP.CPI.TOTL.ZG"
WB_SOURCE = (
    "World Bank, World Development Indicators, Inflation, consumer prices (annual %), "
    "FP.CPI.TOTL.ZG, as packaged in datasets/inflation"
)
WB_LICENCE = "CC BY 4.0 (World Bank data); ODC-PDDL-1.0 (datapackage)"
#: currency -> World Bank country code of its economy
ECONOMIES = {"CNY": "CHN", "EUR": "EMU"}
#: currency -> FRED's ``Country`` of its series (units of the currency per US dollar)
SERIES = {"CNY": "China", "EUR": "Euro"}
BASE_YEAR = 2015
FIRST_YEAR = 2000
GENERATED = (FRED_SOURCE, WB_SOURCE)


def read_fred(path: str | os.PathLike[str], country: str) -> dict[int, tuple[float, int]]:
    """One FRED annual series by year, with its CSV row (``Country`` = ``country``)."""
    file = Path(path)
    try:
        with file.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(enumerate(csv.DictReader(handle), start=2))
    except FileNotFoundError as exc:
        raise InputError(Problem(file=str(file), message="file not found")) from exc
    found: dict[int, tuple[float, int]] = {}
    problems = []
    for number, row in rows:
        if row.get("Country") != country:
            continue
        try:
            year, rate = int(row["Date"][:4]), float(row["Exchange rate"])
        except (KeyError, ValueError):
            problems.append(
                Problem(
                    file=str(file),
                    row=number,
                    column="Exchange rate",
                    value=row.get("Exchange rate"),
                    message="not a rate",
                )
            )
            continue
        if not rate > 0:
            problems.append(
                Problem(
                    file=str(file),
                    row=number,
                    column="Exchange rate",
                    value=rate,
                    message="not a positive rate",
                )
            )
            continue
        found[year] = (rate, number)
    if problems:
        raise InputError(problems)
    if not found:
        raise InputError(
            Problem(
                file=str(file),
                column="Country",
                value=country,
                message="no such series in the file",
            )
        )
    return found


def read_world_bank(folder: str | os.PathLike[str], code: str = CPI_CODE) -> tuple[Path, dict]:
    """The World Bank file of ``folder`` holding indicator ``code`` (by its content), and
    its values: ``{country code: {year: percent}}``."""
    chosen = None
    for path in sorted(Path(folder).glob("*.csv")):
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            if "Indicator Code" not in header:
                continue
            rows = list(reader)
        codes = {r[header.index("Indicator Code")] for r in rows if len(r) == len(header)}
        if codes == {code}:
            chosen = (path, header, rows)
            break
    if chosen is None:
        raise InputError(
            Problem(
                file=str(folder),
                value=code,
                message="no World Bank file with this indicator code",
                hint="the file is chosen by its Indicator Code column",
            )
        )
    path, header, rows = chosen
    years = [(i, int(h)) for i, h in enumerate(header) if h.strip().isdigit()]
    values: dict[str, dict[int, float]] = {}
    for row in rows:
        country = row[header.index("Country Code")]
        values[country] = {y: float(row[i]) for i, y in years if i < len(row) and row[i].strip()}
    return path, values


def chain_index(percent: Mapping[int, float], base: int = BASE_YEAR) -> dict[int, float]:
    """A price index (``base`` = 100) from annual inflation in percent, over the years of
    an unbroken run of data around ``base``."""
    if base not in percent:
        raise InputError(Problem(value=base, message="no inflation for the base year"))
    index = {base: 100.0}
    year = base
    while year + 1 in percent:
        index[year + 1] = index[year] * (1 + percent[year + 1] / 100)
        year += 1
    year = base
    while year - 1 in percent:
        index[year - 1] = index[year] / (1 + percent[year] / 100)
        year -= 1
    return index


def _read_table(path: Path, columns: tuple[str, ...]) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or columns)
        return header, list(reader)


def _csv(header: list[str], rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def build_currency_tables(
    source: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    typed: str | os.PathLike[str] | None = None,
) -> tuple[int, int]:
    """Rewrite ``rates.csv`` and ``deflators.csv`` in ``out_dir``: the typed rows of
    ``typed`` (default: the shipped ``inventories/currency``), then the rows made here.

    Returns the number of rate and index rows added. Raises :class:`InputError` when a
    FRED rate disagrees with a typed rate of the same pair and year by more than 0.05 %.
    """
    from scenat.paths import inventories_dir

    folder = Path(source)
    base = Path(typed) if typed else inventories_dir() / "currency"
    rate_header, rates = _read_table(base / "rates.csv", RATE_COLUMNS)
    index_header, indices = _read_table(base / "deflators.csv", DEFLATOR_COLUMNS)
    rates = [r for r in rates if r["source"] not in GENERATED]
    indices = [r for r in indices if r["source"] not in GENERATED]

    typed_pairs = {(int(r["year"]), frozenset((r["base"], r["quote"]))): r for r in rates}
    problems, added_rates = [], []
    for currency, country in SERIES.items():
        overlap = 0
        for year, (rate, row) in sorted(read_fred(folder / FRED_FILE, country).items()):
            if year < FIRST_YEAR:
                continue
            known = typed_pairs.get((year, frozenset(("USD", currency))))
            if known is not None:
                overlap += 1
                value = float(known["rate"])
                value = value if known["base"] == "USD" else 1 / value
                if abs(value - rate) > 5e-4 * rate:
                    problems.append(
                        Problem(
                            file=str(folder / FRED_FILE),
                            row=row,
                            column="Exchange rate",
                            value=rate,
                            message=f"differs from the typed {year} rate: {value:.6g} "
                            f"{currency} per USD",
                            hint="FRED's annual file gives units of the currency per US dollar; "
                            "check both against the Fed's G.5A release",
                        )
                    )
                continue
            added_rates.append(
                {
                    "year": str(year),
                    "base": "USD",
                    "quote": currency,
                    "rate": f"{rate:g}",
                    "source": FRED_SOURCE,
                    "table": f"{FRED_FILE} row {row}: Country {country}, Date {year}",
                    "licence": FRED_LICENCE,
                    "checked": "generated by scenat data currency; FRED's values of the years the "
                    "typed table holds (G.5A) agree within 0.05 %",
                    "comment": f"annual average; {currency} per US dollar",
                }
            )
        if not overlap:
            problems.append(
                Problem(
                    file=str(folder / FRED_FILE),
                    column="Country",
                    value=country,
                    message="no year to check the series against a typed rate",
                    hint="its orientation is unproven",
                )
            )
    if problems:
        raise InputError(problems)

    wb_path, inflation = read_world_bank(folder)
    added_indices = []
    for currency, country in ECONOMIES.items():
        if any(r["currency"] == currency for r in indices):
            continue  # a typed series wins
        percent = {y: v for y, v in inflation.get(country, {}).items() if y >= FIRST_YEAR - 1}
        index = chain_index(percent)
        first, last = min(index), max(index)
        for year in range(max(first, FIRST_YEAR), last + 1):
            added_indices.append(
                {
                    "currency": currency,
                    "year": str(year),
                    "index": f"{index[year]:.4f}",
                    "series": f"CPI all items, {country} (World Bank {CPI_CODE}, chained)",
                    "base": f"{BASE_YEAR}=100",
                    "source": WB_SOURCE,
                    "table": f"{wb_path.name}: Country Code {country}, years {first}-{last} "
                    f"chained from annual %",
                    "licence": WB_LICENCE,
                    "checked": "generated by scenat data currency from the annual % (the file "
                    "chosen by its Indicator Code)",
                    "comment": "never revised after publication; China: CPI rather than the GDP "
                    "deflator (2023 +0.23 % vs -0.58 %)"
                    if currency == "CNY"
                    else "euro area (World Bank EMU); 2024 not yet in the file",
                }
            )
    out = Path(out_dir)
    write_many_atomic(
        {
            out / "rates.csv": _csv(rate_header, rates + added_rates),
            out / "deflators.csv": _csv(index_header, indices + added_indices),
        }
    )
    return len(added_rates), len(added_indices)
