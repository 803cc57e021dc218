"""Importer for the US EPA "Supply Chain GHG Emission Factors for US Industries and Commodities".

EPA publishes, for each of 1,016 NAICS-6 commodities, the cradle-to-shelf greenhouse-gas
emissions per US dollar spent on it (kg per 2022 USD at purchaser price, model
USEEIOv2.2.22-GHG), as two CSV files:

* ``..._NAICS_CO2e_USD2022.csv``: one row per commodity, the total in kg CO2e (IPCC AR5
  GWP100);
* ``..._NAICS_byGHG_USD2022.csv``: 18 rows per commodity, one per gas, **in kg of the gas**
  per USD (the ``Unit`` column says ``kg/2022 USD, purchaser price``), except the row
  ``HFCs and PFCs, unspecified``, which EPA can only give in ``kg CO2e/2022 USD``.

Each file has three factor columns: *without margins* (cradle to the point of
production), *margins* (transport, wholesale and retail: point of production to point of
sale) and *with margins* (their sum, cradle to the point of sale). All three are per dollar
of **purchaser** price (format-specs/README.md of github.com/USEPA/supply-chain-factors).

This module turns them into scenat spend sectors: a background process per commodity
whose reference unit is one US dollar of 2022 (unit ``USD``, ``price_year`` 2022), with
one biosphere exchange per gas, in kg of gas. Two sets are made:

* ``epa_naics_<code>``: **with margins**, the default, for a purchase at the price the
  buyer paid;
* ``epa_naics_<code>_no_margins``: **without margins**, for a case that models the
  delivery (freight, wholesale) of that purchase itself and must not count it twice. It
  is still per dollar of purchaser price, as EPA publishes it.

Gases with an elementary flow in ``inventories/elementary_flows.csv`` (CO2, CH4, N2O, SF6,
HFC-134a, HFC-32, HFC-125, HFC-143a) are booked as kg of that gas. The others (HFC-23,
HFC-236fa, CF4, C2F6, C3F8, c-C4F8, C4F10, C6F14, NF3 and the unspecified HFC/PFC mix) are
booked together as CO2-equivalent (IPCC AR5 GWP100, EPA's basis) on ``co2_fossil``, said
so in the exchange's comment. They are a median 1.1 % of a sector's CO2e (at most 24 %:
soaps and detergents, semiconductors).

Beside the gases, each process carries USEEIO v2.0.1's energy, water, minerals, land, jobs
and value-added indicators as scenat's own indicator flows (:mod:`scenat.importers.useeio`),
counted by separate USEEIO indicators and never by EF 3.1 or IPCC. Every exchange has a
lognormal from a pedigree assessment (:data:`PEDIGREE`), and every process lists the
indicators its data record (``recorded_indicators``).

Regenerate the shipped database with
``scenat data epa ../shared/data/epa-supply-chain-factors inventories/epa_spend``
(USEEIO v2.0.1 is read from ``../useeio/USEEIOv2.0.1-411`` beside the EPA folder).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import polars as pl

from scenat.errors import InputError, Problem
from scenat.importers.inventory import PROCESS_COLUMNS as SHIPPED_PROCESS_COLUMNS
from scenat.importers.inventory import (
    RECORDED_INDICATORS,
    exchange_schema,
    recorded_indicators,
    write_inventory,
)
from scenat.importers.pedigree import BASIC, Pedigree, basic_factor
from scenat.importers.useeio import UseeioModel, indicator_exchanges, read_useeio_json

__all__ = [
    "AR5_GWP100",
    "GASES",
    "PROCESS_COLUMNS",
    "build_epa_inventory",
    "find_source_files",
    "read_factors",
    "to_inventory",
]

# DOIs of the releases this importer was checked against; a newer release is named by the
# version in its file names.
_DOIS: Mapping[str, str] = {"1.3.0": "10.23719/1531143"}
_RELEASE = re.compile(r"^(?P<prefix>SupplyChainGHGEmissionFactors_v(?P<version>[\d.]+)_)")
# A work of the US federal government: public domain in the US; EPA distributes it under
# its ScienceHub licence, which allows redistribution.
LICENCE = "US public domain (EPA ScienceHub licence)"

#: The three factor columns of both files, and the short names this module uses for them.
FACTOR_COLUMNS: Mapping[str, str] = {
    "Supply Chain Emission Factors without Margins": "without_margins",
    "Margins of Supply Chain Emission Factors": "margins",
    "Supply Chain Emission Factors with Margins": "with_margins",
}
_KEY_COLUMNS: Mapping[str, str] = {
    "2017 NAICS Code": "naics",
    "2017 NAICS Title": "title",
    "GHG": "ghg",
    "Unit": "unit",
    "Reference USEEIO Code": "useeio_code",
}
_UNIT = re.compile(r"^kg(?P<co2e> CO2e)?/(?P<year>\d{4}) USD, purchaser price$")
_NAICS = re.compile(r"^\d{6}$")
_TOTAL_GHG = "All GHGs"


class Gas(NamedTuple):
    """How one EPA gas row is booked: on which flow, with which AR5 GWP100."""

    flow: str | None  # id in inventories/elementary_flows.csv; None: booked as CO2e
    gwp_ar5: float  # kg CO2e per kg (1 for the row EPA already gives in kg CO2e)
    label: str


# IPCC AR5 GWP100 without climate-carbon feedbacks, as USEEIOv2.2.22-GHG used them (its
# model spec names the LCIAformatter IPCC indicator "AR5-100"); values from LCIAformatter's
# IPCC table (../shared/data/gwp/lciaformatter_IPCC_GWP_values.csv, AR5, GWP100), which
# agree with IPCC AR5 WG1 Table 8.A.1. EPA's "Methane" is 28 (not 30, the AR5 value for
# fossil methane with its oxidation to CO2): 28 reproduces EPA's CO2e totals (median
# relative difference 0.1 %), 30 does not (0.6 %).
GASES: Mapping[str, Gas] = {
    "Carbon dioxide": Gas("co2_fossil", 1.0, "CO2"),
    "Methane": Gas("ch4_fossil", 28.0, "CH4"),
    "Nitrous oxide": Gas("n2o", 265.0, "N2O"),
    "Sulfur hexafluoride": Gas("sf6", 23500.0, "SF6"),
    "HFC-134a": Gas("hfc134a", 1300.0, "HFC-134a"),
    "HFC-32": Gas("hfc32", 677.0, "HFC-32"),
    "HFC-125": Gas("hfc125", 3170.0, "HFC-125"),
    "HFC-143a": Gas("hfc143a", 4800.0, "HFC-143a"),
    "HFC-23": Gas(None, 12400.0, "HFC-23"),
    "HFC-236fa": Gas(None, 8060.0, "HFC-236fa"),
    "Carbon tetrafluoride": Gas(None, 6630.0, "CF4"),
    "Hexafluoroethane": Gas(None, 11100.0, "C2F6"),
    "Perfluoropropane": Gas(None, 8900.0, "C3F8"),
    "Perfluorocyclobutane": Gas(None, 9540.0, "c-C4F8"),
    "Perfluorobutane": Gas(None, 9200.0, "C4F10"),
    "Perfluorohexane": Gas(None, 7910.0, "C6F14"),
    "Nitrogen trifluoride": Gas(None, 16100.0, "NF3"),
    "HFCs and PFCs, unspecified": Gas(None, 1.0, "HFCs and PFCs, unspecified"),
}
AR5_GWP100: Mapping[str, float] = {name: gas.gwp_ar5 for name, gas in GASES.items()}
_CO2E_ROW = "HFCs and PFCs, unspecified"  # the one by-gas row EPA gives in kg CO2e

# The shipped schema, then the columns a spend sector adds (the catalogue reads price_year).
PROCESS_COLUMNS = (
    *SHIPPED_PROCESS_COLUMNS,
    "price_year",
    "price_basis",
    "naics",
    "useeio_code",
    "epa_kg_co2e",
)
# Pedigree of EPA's factors: verified model results partly estimated (2), all of the US
# economy (1), the factors' own year (1), the US (1), a sector average for one purchase (4).
PEDIGREE = Pedigree(2, 1, 1, 1, 4)
USEEIO_FOLDER = ("useeio", "USEEIOv2.0.1-411")

_SETS: Mapping[str, tuple[str, str, str]] = {
    # column -> (id suffix, words for names, price basis)
    "with_margins": (
        "",
        "with margins: cradle to point of sale",
        "purchaser price, with margins",
    ),
    "without_margins": (
        "_no_margins",
        "without margins: cradle to point of production",
        "purchaser price, without margins",
    ),
}
_LUMPED_COMMENT = (
    "kg CO2-eq (AR5 GWP100) of "
    + ", ".join(g.label for g in GASES.values() if g.flow is None and g.gwp_ar5 != 1.0)
    + " and unspecified HFCs/PFCs: no elementary flow in scenat, booked as fossil CO2"
)


# --------------------------------------------------------------------------- reading


def find_source_files(source: str | os.PathLike[str]) -> tuple[Path, Path]:
    """The (CO2e file, by-GHG file) of an EPA release folder.

    >>> import tempfile
    >>> find_source_files(tempfile.mkdtemp())
    Traceback (most recent call last):
    ...
    scenat.errors.InputError: ...
    """
    folder = Path(source)
    problems = []
    found = []
    for kind, pattern in (
        ("CO2e", "*NAICS_CO2e_USD*.csv"),
        ("by-GHG", "*NAICS_byGHG_USD*.csv"),
    ):
        matches = sorted(folder.glob(pattern)) if folder.is_dir() else []
        if len(matches) != 1:
            problems.append(
                Problem(
                    file=str(folder),
                    value=", ".join(m.name for m in matches) or None,
                    message=f"expected exactly one {kind} file matching {pattern}",
                    hint="pass the folder holding SupplyChainGHGEmissionFactors_v1.3.0_NAICS_"
                    "CO2e_USD2022.csv and ..._NAICS_byGHG_USD2022.csv",
                )
            )
        else:
            found.append(matches[0])
    if problems:
        raise InputError(problems, f"{folder}: not an EPA supply-chain factors folder")
    return found[0], found[1]


def _read_one(path: Path, *, by_gas: bool, problems: list[Problem]) -> pl.DataFrame | None:
    """One EPA file as text columns with row numbers, after checking its headers."""
    file = str(path)
    try:
        raw = pl.read_csv(path, infer_schema=False, encoding="utf8")
    except FileNotFoundError:
        problems.append(Problem(file=file, message="file not found"))
        return None
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as exc:
        problems.append(
            Problem(file=file, message=f"cannot read the file as CSV: {exc}", hint="use UTF-8")
        )
        return None
    by_name = {col.lstrip("\ufeff").strip().casefold(): col for col in raw.columns}
    missing = [h for h in (*_KEY_COLUMNS, *FACTOR_COLUMNS) if h.casefold() not in by_name]
    for header in missing:
        problems.append(
            Problem(
                file=file,
                row=1,
                column=header,
                message="required column is missing",
                hint="EPA's header is: " + ", ".join((*_KEY_COLUMNS, *FACTOR_COLUMNS)),
            )
        )
    if missing:
        return None
    names = {**_KEY_COLUMNS, **FACTOR_COLUMNS}
    table = raw.select(
        [pl.col(by_name[h.casefold()]).str.strip_chars().alias(n) for h, n in names.items()]
    ).with_row_index("row", offset=2)

    def bad(rec: dict, column: str, message: str, hint: str) -> None:
        header = next(h for h, n in names.items() if n == column)
        problems.append(
            Problem(
                file=file,
                row=rec["row"],
                column=header,
                value=rec[column],
                message=message,
                hint=hint,
            )
        )

    seen: set[tuple[str, str]] = set()
    for rec in table.iter_rows(named=True):
        if not rec["naics"] or not _NAICS.match(rec["naics"]):
            bad(rec, "naics", "not a 6-digit NAICS code", "e.g. 331110")
        if not rec["title"]:
            bad(rec, "title", "title is empty", "EPA gives the 2017 NAICS title")
        if by_gas and rec["ghg"] not in GASES:
            bad(rec, "ghg", "unknown greenhouse gas", "expected one of: " + ", ".join(GASES))
        if not by_gas and rec["ghg"] != _TOTAL_GHG:
            bad(rec, "ghg", f"expected '{_TOTAL_GHG}'", "this is the CO2e file")
        unit = _UNIT.match(rec["unit"] or "")
        co2e_expected = not by_gas or rec["ghg"] == _CO2E_ROW
        if unit is None or bool(unit.group("co2e")) != co2e_expected:
            expected = "kg CO2e/<year> USD" if co2e_expected else "kg/<year> USD"
            bad(rec, "unit", "unexpected unit", f"expected '{expected}, purchaser price'")
        for column in FACTOR_COLUMNS.values():
            try:
                value = float(rec[column])
            except (TypeError, ValueError):
                value = math.nan
            if not math.isfinite(value) or value < 0:
                bad(
                    rec,
                    column,
                    "factor is not a finite number >= 0",
                    "use a plain decimal such as 0.787 or 7.38e-01",
                )
        key = (rec["naics"], rec["ghg"])
        if key in seen:
            bad(rec, "ghg", f"second {rec['ghg']!r} row for NAICS {rec['naics']}", "one per gas")
        seen.add(key)
    return table


def read_factors(
    co2e_path: str | os.PathLike[str], by_gas_path: str | os.PathLike[str]
) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """Read both EPA files; return ``(totals, gases, price_year)``.

    ``totals`` has one row per NAICS code (``naics, title, useeio_code``, the three factor
    columns in kg CO2e per USD, and ``row``, the CSV row number); ``gases`` has one row per
    NAICS code and gas (``naics, ghg``, the three factor columns in kg of gas per USD, or
    kg CO2e for ``HFCs and PFCs, unspecified``, and ``row``). ``price_year`` is the year of
    the dollars, read from the ``Unit`` column.

    Raises :class:`scenat.errors.InputError` listing every problem, located by file, row
    (header = row 1) and column: missing columns, malformed NAICS codes, unknown gases or
    units, factors that are not numbers, duplicated rows, and commodities that are in one
    file and not the other or whose titles differ.

    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> head = ("2017 NAICS Code,2017 NAICS Title,GHG,Unit,Supply Chain Emission Factors "
    ...         "without Margins,Margins of Supply Chain Emission Factors,Supply Chain "
    ...         "Emission Factors with Margins,Reference USEEIO Code")
    >>> unit = "2022 USD, purchaser price"
    >>> _ = (folder / "co2e.csv").write_text(
    ...     f'{head}\\n331110,Iron and Steel Mills,All GHGs,"kg CO2e/{unit}",0.769,0.018,'
    ...     '0.787,331110\\n')
    >>> _ = (folder / "gas.csv").write_text(
    ...     f'{head}\\n331110,Iron and Steel Mills,Carbon dioxide,"kg/{unit}",7.22e-01,'
    ...     '1.60e-02,7.38e-01,331110\\n')
    >>> totals, gases, year = read_factors(folder / "co2e.csv", folder / "gas.csv")
    >>> totals.select("naics", "with_margins").row(0), gases["with_margins"][0], year
    (('331110', 0.787), 0.738, 2022)
    """
    problems: list[Problem] = []
    totals = _read_one(Path(co2e_path), by_gas=False, problems=problems)
    gases = _read_one(Path(by_gas_path), by_gas=True, problems=problems)
    if problems or totals is None or gases is None:
        raise InputError(problems)

    years = {
        int(m.group("year"))
        for m in (_UNIT.match(u) for u in (*totals["unit"], *gases["unit"]))
        if m is not None
    }
    if len(years) != 1:
        problems.append(
            Problem(
                file=str(by_gas_path),
                column="Unit",
                value=sorted(years),
                message="factors in dollars of several years",
                hint="both files must use one price year",
            )
        )
    titles = dict(totals.select("naics", "title").iter_rows())
    for rec in gases.unique("naics", keep="first", maintain_order=True).iter_rows(named=True):
        if rec["naics"] not in titles:
            problems.append(
                Problem(
                    file=str(by_gas_path),
                    row=rec["row"],
                    column="2017 NAICS Code",
                    value=rec["naics"],
                    message="commodity is not in the CO2e file",
                    hint="use the CO2e and by-GHG files of one release",
                )
            )
        elif titles[rec["naics"]] != rec["title"]:
            problems.append(
                Problem(
                    file=str(by_gas_path),
                    row=rec["row"],
                    column="2017 NAICS Title",
                    value=rec["title"],
                    message=f"title differs from the CO2e file ({titles[rec['naics']]!r})",
                    hint="use the CO2e and by-GHG files of one release",
                )
            )
    in_gases = set(gases["naics"])
    for rec in totals.iter_rows(named=True):
        if rec["naics"] not in in_gases:
            problems.append(
                Problem(
                    file=str(co2e_path),
                    row=rec["row"],
                    column="2017 NAICS Code",
                    value=rec["naics"],
                    message="commodity has no rows in the by-GHG file",
                    hint="use the CO2e and by-GHG files of one release",
                )
            )
    if problems:
        raise InputError(problems)
    numbers = [pl.col(c).cast(pl.Float64) for c in FACTOR_COLUMNS.values()]
    totals = totals.select("naics", "title", "useeio_code", *numbers, "row")
    gases = gases.select("naics", "ghg", *numbers, "row")
    return totals, gases, years.pop()


# ------------------------------------------------------------------------- inventory


def source_name(co2e_file: str) -> tuple[str, tuple[str, str]]:
    """The ``source`` text for an EPA release, and how its two files are cited in ``table``.

    >>> source_name("SupplyChainGHGEmissionFactors_v1.3.0_NAICS_CO2e_USD2022.csv")
    ('US EPA Supply Chain GHG Emission Factors v1.3.0 (doi:10.23719/1531143)', \
('NAICS_CO2e_USD2022.csv', 'NAICS_byGHG_USD2022.csv'))
    """
    match = _RELEASE.match(co2e_file)
    if match is None:
        return "US EPA Supply Chain GHG Emission Factors", (co2e_file, "by-GHG file")
    version = match.group("version")
    doi = f" (doi:{_DOIS[version]})" if version in _DOIS else ""
    short = co2e_file[len(match.group("prefix")) :]
    return (
        f"US EPA Supply Chain GHG Emission Factors v{version}{doi}",
        (short, short.replace("_CO2e_", "_byGHG_")),
    )


def to_inventory(
    totals: pl.DataFrame,
    gases: pl.DataFrame,
    price_year: int,
    *,
    source: str = "US EPA Supply Chain GHG Emission Factors",
    files: tuple[str, str] = ("CO2e file", "byGHG file"),
    useeio: UseeioModel | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Spend-sector processes and their biosphere exchanges, with and without margins.

    ``totals``, ``gases`` and ``price_year`` are what :func:`read_factors` returns;
    ``source`` names the release and ``files`` are the CO2e and by-GHG files as cited in
    every row's ``table`` (see :func:`source_name`). Every process is per 1 USD of
    ``price_year`` (purchaser price) and carries EPA's CO2e factor in ``epa_kg_co2e`` for
    cross-checks. With ``useeio``, each process also gets USEEIO's resource and
    socio-economic indicator flows (:func:`scenat.importers.useeio.indicator_exchanges`).

    >>> totals = pl.DataFrame({"naics": ["331110"], "title": ["Iron and Steel Mills"],
    ...     "useeio_code": ["331110"], "without_margins": [0.769], "margins": [0.018],
    ...     "with_margins": [0.787], "row": [2]})
    >>> gases = pl.DataFrame({"naics": ["331110"] * 2, "ghg": ["Carbon dioxide", "HFC-23"],
    ...     "without_margins": [0.722, 6.28e-08], "margins": [0.016, 5e-10],
    ...     "with_margins": [0.738, 6.33e-08], "row": [2, 3]})
    >>> processes, exchanges = to_inventory(totals, gases, 2022)
    >>> processes.select("id", "unit", "price_year").rows()
    [('epa_naics_331110', 'USD', 2022), ('epa_naics_331110_no_margins', 'USD', 2022)]
    >>> exchanges.filter(pl.col("process") == "epa_naics_331110").select("input", "amount").rows()
    [('co2_fossil', 0.738), ('co2_fossil', 0.00078492)]
    """
    code, gas_file = files
    money = _usd_2012_to_price_year(price_year) if useeio is not None else (1.0, "")
    process_rows: list[dict] = []
    exchange_rows: list[dict] = []
    by_naics = gases.partition_by("naics", as_dict=True, maintain_order=True)
    for sector in totals.sort("naics").iter_rows(named=True):
        naics = sector["naics"]
        sector_gases = by_naics[(naics,)].sort("row")
        for column, (suffix, words, basis) in _SETS.items():
            pid = f"epa_naics_{naics}{suffix}"
            process_rows.append(
                {
                    "id": pid,
                    "name": f"{sector['title']} (US EEIO spend, USD {price_year}, {words})",
                    "reference_product": f"US purchases of NAICS {naics} {sector['title']}, "
                    f"1 USD of {price_year} at purchaser price",
                    "unit": "USD",
                    "location": "US",
                    "category": "spend",
                    "source": source,
                    "table": f"{code} row {sector['row']}, {words.split(':')[0]}",
                    "year": price_year,
                    "licence": LICENCE,
                    "comment": f"EPA {sector[column]!r} kg CO2e (AR5) per USD {price_year}; "
                    f"convert spend to USD {price_year} first (scenat.model.currency)",
                    "price_year": price_year,
                    "price_basis": basis,
                    "naics": naics,
                    "useeio_code": sector["useeio_code"],
                    "epa_kg_co2e": sector[column],
                }
            )
            exchange_rows.extend(
                _gas_exchanges(pid, sector_gases, column, source, gas_file, price_year)
            )
            if useeio is not None:
                exchange_rows.extend(indicator_exchanges(process_rows[-1], useeio, *money))
    processes = pl.DataFrame(process_rows, schema=_process_schema())
    exchanges = pl.DataFrame(exchange_rows, schema=exchange_schema())
    if useeio is not None:
        from scenat.model.indicators import characterised_flows

        recorded = recorded_indicators(
            processes["id"], exchanges.iter_rows(named=True), characterised_flows()
        )
        processes = processes.with_columns(
            pl.Series(RECORDED_INDICATORS, [recorded[i] for i in processes["id"]])
        )
    return processes, exchanges


def _gas_exchanges(
    pid: str, gases: pl.DataFrame, column: str, source: str, gas_file: str, year: int
) -> list[dict]:
    """One exchange per gas with a flow, then one CO2e exchange for all the others."""
    rows = []

    def row(flow: str, amount: float, table: str, comment: str, basic: float | None = None):
        return {
            "process": pid,
            "type": "biosphere",
            "input": flow,
            "amount": amount,
            "unit": "kg",
            "source": source,
            "table": table,
            "year": year,
            "licence": LICENCE,
            "comment": comment,
            **PEDIGREE.columns(basic or basic_factor(flow)),
        }

    margins = _SETS[column][1].split(":")[0]
    lumped = 0.0
    lumped_rows = []
    for rec in gases.iter_rows(named=True):
        gas = GASES[rec["ghg"]]
        if gas.flow is not None:
            rows.append(
                row(
                    gas.flow,
                    rec[column],
                    f"{gas_file} row {rec['row']}, {margins}",
                    f"EPA {rec['ghg']}, kg per USD",
                )
            )
        else:
            lumped += rec[column] * gas.gwp_ar5
            lumped_rows.append(str(rec["row"]))
    if lumped_rows:
        rows.append(
            row(
                "co2_fossil",
                # The inputs have 3 significant digits and integer GWPs: 12 digits keep the
                # sum exact and drop float noise from the shipped file.
                float(f"{lumped:.12g}"),
                f"{gas_file} rows {', '.join(lumped_rows)}, {margins}",
                _LUMPED_COMMENT,
                BASIC["other_air"],  # halocarbons, as CO2-eq
            )
        )
    return rows


def _process_schema() -> dict[str, type[pl.DataType]]:
    ints = {"year", "price_year"}
    return {
        c: pl.Int64 if c in ints else pl.Float64 if c == "epa_kg_co2e" else pl.String
        for c in PROCESS_COLUMNS
    }


def _usd_2012_to_price_year(price_year: int) -> tuple[float, str]:
    """USD of ``price_year`` per USD of USEEIO's 2012 (US CPI-U, scenat's currency tables)."""
    from scenat.importers.useeio import PRICE_YEAR
    from scenat.model.currency import conversion

    step = conversion("USD", PRICE_YEAR, "USD", price_year)
    return step.factor, f"US CPI-U {PRICE_YEAR} -> {price_year}, inventories/currency"


def build_epa_inventory(
    source_path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    useeio: str | os.PathLike[str] | None = None,
) -> tuple[int, int]:
    """Regenerate ``out_dir/processes.csv`` and ``exchanges.csv`` from an EPA release folder.

    ``useeio`` is the USEEIO v2.0.1 folder (default: ``../useeio/USEEIOv2.0.1-411`` beside
    the EPA folder, as in ``../shared/data``). This is how the shipped
    ``inventories/epa_spend`` is made; returns the number of processes and exchanges written.
    """
    co2e_file, gas_file = find_source_files(source_path)
    totals, gases, year = read_factors(co2e_file, gas_file)
    source, (co2e_label, _) = source_name(co2e_file.name)
    # Cite the by-GHG file by its real name, less the release prefix the source states.
    prefix = co2e_file.name.removesuffix(co2e_label)
    files = (co2e_label, gas_file.name.removeprefix(prefix))
    model = read_useeio_json(useeio or Path(source_path).parent.joinpath(*USEEIO_FOLDER))
    processes, exchanges = to_inventory(
        totals, gases, year, source=source, files=files, useeio=model
    )
    return write_inventory(processes, exchanges, out_dir)
