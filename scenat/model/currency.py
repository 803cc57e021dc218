"""Convert money between currencies and price years, with the source of every number.

Spend-based (EEIO) emission factors are per unit of money of one currency and one price
year: the shipped EPA factors are kg per US dollar of 2022 at purchaser price. A spend
recorded as, say, GBP 2024 must be turned into USD 2022 first. Two published tables,
shipped in ``inventories/currency/``, make that possible:

* ``rates.csv``: annual average exchange rates, ``1 base = rate quote`` in ``year``
  (Federal Reserve G.5A for 2019-2023; HMRC yearly averages for 2024-2025);
* ``deflators.csv``: a consumer price index per currency and year (US CPI-U from BLS,
  UK CPI from ONS).

Every row names its source, table, licence and how it was checked.

**Order of the steps.** :func:`convert` first exchanges the money at the average rate of
the year it was spent (``from_year``), then deflates it *in the target currency* with that
currency's price index from ``from_year`` to ``to_year``:

    amount x rate(from -> to, from_year) x index_to(to_year) / index_to(from_year)

This is the order that fits an EEIO model: its factor is per unit of the *target*
economy's output at ``to_year`` prices, so the spend is first valued as the quantity of
target currency it was worth when it was spent (the market rate of that year), and then
moved along the target economy's price level, the prices the model's coefficients are in.
The reverse order (deflate with the source country's index, then exchange at the rate of
``to_year``) applies the source country's inflation to goods priced in the model's
economy; the two agree only when exchange rates follow relative inflation, which they do
not year to year (GBP/USD moved 3 % between 2022 and 2024 while UK and US prices rose 10
% and 7 %).

CPI rather than a GDP deflator: both tables are never revised after publication (GDP
deflators are revised every year), so a conversion made today can be reproduced later. A
producer or sector price index would track business purchases better; CPI is a
documented approximation.

>>> round(convert(1000, "GBP", 2024, "USD", 2022), 2)
1192.96
>>> round(convert(100, "USD", 2022, "USD", 2024), 3)
107.187
>>> convert(1, "EUR", 2022, "USD", 2022)
1.0534

Hand check of the first: 1000 GBP x 1.2787 USD/GBP (2024) = 1278.70 USD of 2024;
x 292.655 / 313.689 (US CPI-U 2022 / 2024) = 1192.96 USD of 2022.
"""

from __future__ import annotations

import csv
import math
import os
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from scenat.errors import InputError, Problem
from scenat.paths import inventories_dir

__all__ = [
    "SYMBOLS",
    "Conversion",
    "CurrencyTables",
    "conversion",
    "convert",
    "currency_label",
    "format_money",
    "load_tables",
]

#: the sign of each currency scenat converts (yen and yuan share one; the code tells them apart)
SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€", "CNY": "¥", "JPY": "¥"}


def currency_label(code: str) -> str:
    """``'CNY (¥)'``: the ISO code with its sign, as the text documents show it.

    >>> currency_label("CNY"), currency_label("XYZ")
    ('CNY (¥)', 'XYZ')
    """
    sign = SYMBOLS.get(code.upper())
    return f"{code} ({sign})" if sign else code


def format_money(value: float | None, code: str) -> str:
    """Whole units with the sign and thousands separators; '-' for nothing (NaN, None).

    >>> format_money(11_660_412.4, "CNY"), format_money(-2_395_000, "CNY")
    ('¥11,660,412', '-¥2,395,000')
    >>> format_money(float("nan"), "GBP")
    '-'
    """
    if value is None or value != value or value in (float("inf"), float("-inf")):
        return "-"
    sign = SYMBOLS.get(code.upper(), code + " ")
    return f"{'-' if value < 0 else ''}{sign}{abs(value):,.0f}"


RATE_COLUMNS = ("year", "base", "quote", "rate", "source", "table", "licence", "checked")
DEFLATOR_COLUMNS = ("currency", "year", "index", "series", "source", "table", "licence")


@dataclass(frozen=True)
class Rate:
    """``1 base = rate quote``, annual average of ``year``."""

    year: int
    base: str
    quote: str
    rate: float
    source: str
    table: str
    row: int = 0  # in rates.csv, header = row 1


@dataclass(frozen=True)
class PriceIndex:
    """Annual average price index of ``currency``'s economy in ``year``."""

    currency: str
    year: int
    index: float
    series: str
    source: str


@dataclass(frozen=True)
class CurrencyTables:
    """The exchange rates and price indices :func:`convert` uses."""

    rates: tuple[Rate, ...]
    indices: Mapping[tuple[str, int], PriceIndex]

    @property
    def currencies(self) -> list[str]:
        known = {r.base for r in self.rates} | {r.quote for r in self.rates}
        return sorted(known | {c for c, _ in self.indices})

    def years(self, currency: str | None = None) -> list[int]:
        if currency is None:
            return sorted({r.year for r in self.rates})
        return sorted(y for c, y in self.indices if c == currency)


@dataclass(frozen=True)
class Conversion:
    """How one (currency, year) converts to another: the factor and the steps behind it."""

    from_currency: str
    from_year: int
    to_currency: str
    to_year: int
    factor: float
    steps: tuple[str, ...]

    def describe(self) -> str:
        """One line for a report or an exchange comment.

        >>> conversion("GBP", 2024, "USD", 2022).describe().split(": ")[0]
        'GBP 2024 -> USD 2022 x 1.193'
        """
        return (
            f"{self.from_currency} {self.from_year} -> {self.to_currency} {self.to_year} "
            f"x {self.factor:.5g}: " + "; ".join(self.steps)
        )


def _read(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip() for h in reader.fieldnames or []]
            missing = [c for c in columns if c not in header]
            if missing:
                raise InputError(
                    [
                        Problem(file=str(path), row=1, column=c, message="required column missing")
                        for c in missing
                    ]
                )
            return [
                (n, {k.strip(): (v or "").strip() for k, v in rec.items() if k})
                for n, rec in enumerate(reader, start=2)
            ]
    except FileNotFoundError as exc:
        raise InputError(
            Problem(
                file=str(path),
                message="currency table not found",
                hint="scenat ships inventories/currency/rates.csv and deflators.csv",
            )
        ) from exc


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        return math.nan
    return value if math.isfinite(value) and value > 0 else math.nan


def load_tables(folder: str | os.PathLike[str] | None = None) -> CurrencyTables:
    """Read ``rates.csv`` and ``deflators.csv`` (default: the shipped ones), checking rows.

    Raises :class:`scenat.errors.InputError` with file, row and column for a missing
    column, a rate or index that is not a positive number, a year that is not one, a
    currency code that is not three letters, or a row without source or licence.
    """
    base = Path(folder) if folder is not None else inventories_dir() / "currency"
    return _load(str(base.resolve()))


@lru_cache(maxsize=4)
def _load(folder: str) -> CurrencyTables:
    problems: list[Problem] = []
    rates: list[Rate] = []
    indices: dict[tuple[str, int], PriceIndex] = {}

    def check(path: Path, row: int, rec: dict[str, str], codes: tuple[str, ...], value: str):
        for column in codes:
            if not (len(rec[column]) == 3 and rec[column].isalpha() and rec[column].isupper()):
                problems.append(
                    Problem(
                        file=str(path),
                        row=row,
                        column=column,
                        value=rec[column],
                        message="not an ISO 4217 currency code",
                        hint="three capital letters, e.g. GBP",
                    )
                )
        if not rec["year"].isdigit():
            problems.append(
                Problem(
                    file=str(path),
                    row=row,
                    column="year",
                    value=rec["year"],
                    message="not a year",
                    hint="e.g. 2024",
                )
            )
        if math.isnan(_number(rec[value])):
            problems.append(
                Problem(
                    file=str(path),
                    row=row,
                    column=value,
                    value=rec[value],
                    message="not a positive number",
                    hint="e.g. 1.2787",
                )
            )
        for column in ("source", "table", "licence"):
            if not rec[column]:
                problems.append(
                    Problem(
                        file=str(path),
                        row=row,
                        column=column,
                        message="provenance is missing",
                        hint="every row names its source",
                    )
                )

    rates_path = Path(folder) / "rates.csv"
    for row, rec in _read(rates_path, RATE_COLUMNS):
        check(rates_path, row, rec, ("base", "quote"), "rate")
        if rec["base"] == rec["quote"]:
            problems.append(
                Problem(
                    file=str(rates_path),
                    row=row,
                    column="quote",
                    value=rec["quote"],
                    message="base and quote are the same currency",
                )
            )
        if not problems:
            rates.append(
                Rate(
                    int(rec["year"]),
                    rec["base"],
                    rec["quote"],
                    float(rec["rate"]),
                    rec["source"],
                    rec["table"],
                    row,
                )
            )
    index_path = Path(folder) / "deflators.csv"
    for row, rec in _read(index_path, DEFLATOR_COLUMNS):
        check(index_path, row, rec, ("currency",), "index")
        if not problems:
            key = (rec["currency"], int(rec["year"]))
            if key in indices:
                problems.append(
                    Problem(
                        file=str(index_path),
                        row=row,
                        column="year",
                        value=rec["year"],
                        message=f"second {rec['currency']} index for this year",
                    )
                )
            indices[key] = PriceIndex(
                key[0], key[1], float(rec["index"]), rec["series"], rec["source"]
            )
    seen: set[tuple[int, frozenset[str]]] = set()
    for rate in rates:
        pair = (rate.year, frozenset((rate.base, rate.quote)))
        if pair in seen:
            problems.append(
                Problem(
                    file=str(rates_path),
                    row=rate.row,
                    column="base",
                    value=f"{rate.base}/{rate.quote} {rate.year}",
                    message="second rate for this pair and year",
                    hint="one rate per currency pair and year, so conversions are unambiguous",
                )
            )
        seen.add(pair)
    if problems:
        raise InputError(problems, "currency tables are invalid")
    return CurrencyTables(tuple(rates), indices)


def _exchange(tables: CurrencyTables, source: str, target: str, year: int) -> tuple[float, list]:
    """Factor source -> target at ``year``'s rates, by the shortest chain of published pairs.

    Chains matter because one year may be published against one currency only (HMRC
    publishes against GBP); the shortest chain keeps cross rates to one hop where possible.
    """
    edges: dict[str, list[tuple[str, float, Rate]]] = {}
    for rate in tables.rates:
        if rate.year == year:
            edges.setdefault(rate.base, []).append((rate.quote, rate.rate, rate))
            edges.setdefault(rate.quote, []).append((rate.base, 1.0 / rate.rate, rate))
    queue: deque[tuple[str, float, list[Rate]]] = deque([(source, 1.0, [])])
    visited = {source}
    while queue:
        currency, factor, used = queue.popleft()
        if currency == target:
            return factor, used
        for nxt, step, rate in sorted(edges.get(currency, []), key=lambda e: e[0]):
            if nxt not in visited:
                visited.add(nxt)
                queue.append((nxt, factor * step, [*used, rate]))
    raise InputError(
        Problem(
            column="currency",
            value=f"{source} -> {target} in {year}",
            message=f"no exchange rate between {source} and {target} for {year}",
            hint="years with rates: "
            + ", ".join(map(str, tables.years()))
            + "; add a row to inventories/currency/rates.csv for others",
        )
    )


def conversion(
    from_currency: str,
    from_year: int,
    to_currency: str,
    to_year: int,
    *,
    tables: CurrencyTables | None = None,
) -> Conversion:
    """The factor that turns money of (``from_currency``, ``from_year``) into
    (``to_currency``, ``to_year``), with its steps and sources; see :func:`convert`.

    >>> c = conversion("gbp", 2024, "USD", 2022)
    >>> c.to_currency, round(c.factor, 6)
    ('USD', 1.192958)
    >>> conversion("GBP", 2024, "XYZ", 2022)
    Traceback (most recent call last):
    ...
    scenat.errors.InputError: ...unknown currency 'XYZ'...
    """
    tables = tables or load_tables()
    source, target = str(from_currency).strip().upper(), str(to_currency).strip().upper()
    problems = []
    for column, code in (("from_currency", source), ("to_currency", target)):
        if code not in tables.currencies:
            problems.append(
                Problem(
                    column=column,
                    value=code,
                    message=f"unknown currency {code!r}",
                    hint="known: " + ", ".join(tables.currencies),
                )
            )
    years: list[int] = []
    for column, year in (("from_year", from_year), ("to_year", to_year)):
        try:
            years.append(int(str(year).strip()))
        except ValueError:
            problems.append(
                Problem(column=column, value=year, message="not a year", hint="e.g. 2024")
            )
    if problems:
        raise InputError(problems)
    start, end = years
    steps: list[str] = []
    factor = 1.0
    if source != target:
        rate, used = _exchange(tables, source, target, start)
        factor *= rate
        steps.append(
            f"{source}->{target} {start} average rate {rate:.6g} ("
            + ", ".join(f"1 {r.base} = {r.rate:g} {r.quote}, {r.source}" for r in used)
            + ")"
        )
    if start != end:
        missing = [
            (column, year)
            for column, year in (("from_year", start), ("to_year", end))
            if (target, year) not in tables.indices
        ]
        if missing:
            raise InputError(
                Problem(
                    column=missing[0][0],
                    value=missing[0][1],
                    message=f"no {target} price index for "
                    + " and ".join(str(year) for _, year in missing),
                    hint=f"years with a {target} index: "
                    + (", ".join(map(str, tables.years(target))) or "none")
                    + "; add a row to inventories/currency/deflators.csv",
                )
            )
        low, high = tables.indices[(target, start)], tables.indices[(target, end)]
        factor *= high.index / low.index
        steps.append(
            f"{target} prices {start}->{end} x {high.index:g}/{low.index:g} ({low.series}, "
            f"{low.source})"
        )
    return Conversion(source, start, target, end, factor, tuple(steps) or ("identity",))


def convert(
    amount: float,
    from_currency: str,
    from_year: int,
    to_currency: str,
    to_year: int,
    *,
    tables: CurrencyTables | None = None,
) -> float:
    """Convert ``amount`` of money from (currency, price year) to (currency, price year).

    Exchange at the annual average rate of ``from_year``, then deflate in ``to_currency``
    with its price index from ``from_year`` to ``to_year`` (the module docstring says
    why). Currency codes are ISO 4217, case-insensitive. Raises
    :class:`scenat.errors.InputError` (with a hint naming what is known) for an unknown
    currency, a year without a rate, or a year without a price index in ``to_currency``.

    >>> round(convert(1000, "GBP", 2024, "USD", 2022), 2)
    1192.96
    >>> round(convert(1000, "GBP", 2022, "USD", 2022), 2)
    1237.1
    >>> round(convert(1000, "GBP", 2024, "GBP", 2022), 2)  # 1000 x 121.7 / 133.9
    908.89
    >>> convert(5, "USD", 2030, "USD", 2022)
    Traceback (most recent call last):
    ...
    scenat.errors.InputError: ...no USD price index for 2030...
    """
    return (
        float(amount)
        * conversion(from_currency, from_year, to_currency, to_year, tables=tables).factor
    )
