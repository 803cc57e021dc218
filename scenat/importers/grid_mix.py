"""Fossil energy and uranium per kWh of grid electricity, from its generation mix by fuel.

A grid's greenhouse gases are published (Ember, MEE, DESNZ); its resource use is not. This
module models it from the mix, per kWh **generated**::

    direct_f   = share_f x HR_f                              (MJ net, f = coal, gas, oil)
    upstream_f = direct_f x (x_f - 1)                        (MJ net)
    uranium    = share_nuclear x U_fuel x U3O8_per_fuel x U_in_U3O8   (kg natural uranium)

* ``share_f``: the fuel's share of generation. Our World in Data's energy data (as shipped
  in codecarbon 3.3.2, CC BY 4.0; ``owid_global_energy_mix_via_codecarbon.json``): coal,
  gas, oil, nuclear and the rest, TWh, each country's latest year. Regions sum their
  members' TWh (Ember's membership flags; ASEAN's ten members are listed here).
* ``HR_f``: the fleet heat rate, MJ of fuel (net calorific value) per kWh. Outside China the
  US fleet's (EIA Electric Power Annual 2022, Table 8.1, higher heating value) converted to
  net with DESNZ 2025's net/gross calorific values of coal for electricity generation,
  natural gas and fuel oil: the only current, citable, fuel-specific set found, so a proxy
  for other countries (European gas fleets are likely somewhat more efficient). In China
  the thermal fleet's fuel use per kWh from TianGong (2019, 17 fuels), split by carrier.
* ``x_f``: resource taken from the ground per unit of fuel delivered (USLCI extraction
  processes: 1.24 kg coal in ground per kg at the mine, 1.04 gas, 1.035 crude). Fuels burned
  in mining, processing and transport are not included (3-12 % more in USLCI's full chains).
* uranium: USLCI's nuclear plant (3.0391e-6 kg fuel-grade U per kWh, 10.9 kg U3O8 per kg of
  fuel) and the mass fraction of U in U3O8 (0.848).

Fossil energy is booked by energy on hard coal, natural gas and crude oil
(:mod:`scenat.importers.fossil`); OWID gives no hard-coal/lignite split, so all coal is
booked as hard coal: by energy that changes nothing in EF's ADP-fossil. Parameters, each with
its source, are the typed table ``inventories/grid_electricity/model_parameters.csv``
(:class:`Parameters`).

>>> params = Parameters.load()
>>> round(params.heat_rate("coal"), 3)   # 10,689 Btu/kWh x 1055.056 J/Btu x 23.826/25.08
10.714
>>> energy = grid_energy(Mix({"coal": 0.5, "nuclear": 0.1}, "example"), params)
>>> round(energy.direct["coal"], 3), round(energy.uranium_kg, 10)
(5.357, 2.8091e-06)
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from scenat.errors import InputError, Problem
from scenat.importers.fossil import energy_flow, energy_note

__all__ = [
    "ASEAN",
    "FOSSIL",
    "FuelEnergy",
    "Mix",
    "OwidMix",
    "Parameters",
    "grid_energy",
    "read_owid",
    "region_members",
]

FOSSIL = ("coal", "gas", "oil")
#: joules per International Table British thermal unit
JOULES_PER_BTU = 1055.05585262
PARAMETER_COLUMNS = ("parameter", "key", "value", "unit", "source", "table", "year", "licence")
OWID_FILE = "owid_global_energy_mix_via_codecarbon.json"
OWID_SOURCE = (
    "Our World in Data energy data (electricity generation by source), as shipped in "
    "codecarbon 3.3.2 (owid_global_energy_mix_via_codecarbon.json)"
)
OWID_LICENCE = "CC BY 4.0 (Our World in Data)"
MEMBERS_FILE = "ember_api_country_overview_yearly.csv"
#: ASEAN's ten member states (Ember has no flag for them)
ASEAN = ("BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM")
#: Ember region names -> how members are flagged in the Ember country overview
_FLAGS = {"EU": "eu_flag", "G20": "g20_flag", "G7": "g7_flag", "OECD": "oecd_flag"}
_EMBER_REGIONS = (
    "Africa",
    "Asia",
    "Europe",
    "Latin America and Caribbean",
    "Middle East",
    "North America",
    "Oceania",
)


@dataclass(frozen=True)
class Parameter:
    """One typed model parameter with its provenance."""

    parameter: str
    key: str
    value: float
    unit: str
    source: str
    table: str
    year: int
    licence: str

    def cite(self) -> str:
        return f"{self.source}: {self.table}"


@dataclass(frozen=True)
class Parameters:
    """The grid model's parameters (``model_parameters.csv``), by ``(parameter, key)``."""

    rows: Mapping[tuple[str, str], Parameter]
    path: str = ""

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> Parameters:
        """Read the table (default: the shipped one), checking columns and numbers."""
        from scenat.paths import inventories_dir

        file = (
            Path(path) if path else inventories_dir() / "grid_electricity" / "model_parameters.csv"
        )
        try:
            with file.open(newline="", encoding="utf-8-sig") as handle:
                reader = csv.DictReader(handle)
                missing = [c for c in PARAMETER_COLUMNS if c not in (reader.fieldnames or [])]
                records = list(enumerate(reader, start=2))
        except FileNotFoundError as exc:
            raise InputError(
                Problem(file=str(file), message="grid model parameters not found")
            ) from exc
        if missing:
            raise InputError(
                Problem(
                    file=str(file), row=1, column=", ".join(missing), message="missing column(s)"
                )
            )
        problems, rows = [], {}
        for number, rec in records:
            try:
                value = float(rec["value"])
                year = int(rec["year"])
            except ValueError:
                problems.append(
                    Problem(
                        file=str(file),
                        row=number,
                        column="value",
                        value=rec["value"],
                        message="value or year is not a number",
                    )
                )
                continue
            for column in ("source", "table", "licence"):
                if not rec[column].strip():
                    problems.append(
                        Problem(
                            file=str(file),
                            row=number,
                            column=column,
                            message="provenance is missing",
                            hint="every parameter names its source",
                        )
                    )
            key = (rec["parameter"], rec["key"])
            rows[key] = Parameter(
                rec["parameter"],
                rec["key"],
                value,
                rec["unit"],
                rec["source"],
                rec["table"],
                year,
                rec["licence"],
            )
        if problems:
            raise InputError(problems)
        return cls(rows, str(file))

    def get(self, parameter: str, key: str) -> Parameter:
        try:
            return self.rows[(parameter, key)]
        except KeyError:
            raise InputError(
                Problem(
                    file=self.path,
                    value=f"{parameter} / {key}",
                    message="grid model parameter missing",
                    hint="add the row, with its source, to model_parameters.csv",
                )
            ) from None

    def value(self, parameter: str, key: str) -> float:
        return self.get(parameter, key).value

    def heat_rate(self, fuel: str) -> float:
        """MJ of fuel (net calorific value) per kWh: EIA's HHV rate x DESNZ's net/gross CV."""
        hhv = self.value("heat_rate_hhv", fuel) * JOULES_PER_BTU / 1e6
        return hhv * self.value("net_cv", fuel) / self.value("gross_cv", fuel)

    def extraction(self, fuel: str) -> float:
        """Resource extracted per unit of fuel delivered (USLCI)."""
        return self.value("extracted_per_delivered", fuel)

    def uranium_per_kwh(self) -> float:
        """kg of natural uranium per kWh of nuclear electricity (USLCI x U3O8 stoichiometry)."""
        return (
            self.value("nuclear_fuel", "uranium")
            * self.value("ore_per_fuel", "uranium")
            * self.value("uranium_in_u3o8", "uranium")
        )

    def china_thermal(self) -> dict[str, float]:
        """China's thermal fleet: MJ of fuel per kWh by carrier (TianGong 2019)."""
        return {fuel: self.value("cn_thermal_fuel", fuel) for fuel in FOSSIL}

    def china_co2_per_mj(self) -> float:
        """kg CO2 per MJ of fuel of China's thermal fleet (TianGong 2019)."""
        return self.value("cn_thermal_co2", "co2") / sum(self.china_thermal().values())

    def china_nuclear_share(self, iso: str) -> Parameter:
        return self.get("cn_nuclear_share", iso)

    def citations(self, *keys: tuple[str, str]) -> str:
        return "; ".join(self.get(p, k).cite() for p, k in keys)


@dataclass(frozen=True)
class Mix:
    """Shares of generation (kWh/kWh) of the fuels the model uses; the rest is not fossil."""

    shares: Mapping[str, float]
    label: str  # where the shares come from, for comments
    #: fuel -> MJ/kWh, when the grid has its own heat rates (China); else the EIA proxy
    heat_rates: Mapping[str, float] | None = None

    def share(self, fuel: str) -> float:
        return float(self.shares.get(fuel, 0.0))


@dataclass(frozen=True)
class FuelEnergy:
    """Net fossil energy (MJ) and natural uranium (kg) per kWh."""

    direct: dict[str, float]
    upstream: dict[str, float]
    uranium_kg: float
    mix: Mix
    heat_rates: dict[str, float] = field(default_factory=dict)
    #: fuel -> how its direct energy was found, when not share x heat rate (China's provinces)
    direct_notes: Mapping[str, str] = field(default_factory=dict)
    #: kWh of the mix per unit of the process (1; the loss rate for T&D losses)
    scale: float = 1.0

    def fossil_mj(self) -> float:
        return sum(self.direct.values()) + sum(self.upstream.values())

    def scaled(self, factor: float) -> FuelEnergy:
        """The same energy per ``factor`` kWh (e.g. the T&D losses of a kWh delivered)."""
        return FuelEnergy(
            {f: v * factor for f, v in self.direct.items()},
            {f: v * factor for f, v in self.upstream.items()},
            self.uranium_kg * factor,
            self.mix,
            self.heat_rates,
            self.direct_notes,
            self.scale * factor,
        )

    def exchanges(
        self, parts: Iterable[str] = ("direct", "upstream", "uranium")
    ) -> list[tuple[str, float, str, str]]:
        """``(flow, amount, unit, comment)`` of the resource exchanges, zero amounts left out.

        ``parts``: which of the direct fuel, its upstream losses and uranium to book (DESNZ's
        generation process books the fuel burned, its well-to-tank process the upstream).
        """
        parts = set(parts)
        rows = []
        for fuel in FOSSIL:
            mj = (self.direct.get(fuel, 0.0) if "direct" in parts else 0.0) + (
                self.upstream.get(fuel, 0.0) if "upstream" in parts else 0.0
            )
            if mj <= 0:
                continue
            flow, amount, unit = energy_flow(fuel, mj)
            what = {"direct", "upstream"} & parts
            terms = []
            per = f" x {self.scale:.5g} kWh" if self.scale != 1.0 else ""
            if "direct" in what and fuel in self.direct_notes:
                terms.append(f"{self.direct_notes[fuel]}{per} = {self.direct[fuel]:.5g} MJ burned")
            elif "direct" in what:
                terms.append(
                    f"{self.mix.share(fuel):.4f} kWh from {fuel} x "
                    f"{self.heat_rates[fuel]:.3f} MJ/kWh{per} = {self.direct[fuel]:.5g} MJ burned"
                )
            if "upstream" in what:
                terms.append(f"{self.upstream[fuel]:.5g} MJ lost in extraction (USLCI)")
            rows.append(
                (flow, amount, unit, f"{fuel}: " + " + ".join(terms) + f"; {energy_note(fuel)}")
            )
        if "uranium" in parts and self.uranium_kg > 0:
            rows.append(
                (
                    "uranium_resource",
                    self.uranium_kg,
                    "kg",
                    f"natural uranium: {self.mix.share('nuclear'):.4f} kWh nuclear x "
                    f"{self.uranium_kg / self.mix.share('nuclear') / self.scale:.4e} kg/kWh "
                    "(USLCI nuclear plant x U3O8 per kg fuel x 0.848 kg U per kg U3O8)"
                    + (f" x {self.scale:.5g} kWh" if self.scale != 1.0 else ""),
                )
            )
        return rows


def grid_energy(mix: Mix, params: Parameters) -> FuelEnergy:
    """Fossil energy and uranium of one kWh generated with ``mix`` (module docstring)."""
    rates = dict(mix.heat_rates) if mix.heat_rates else {f: params.heat_rate(f) for f in FOSSIL}
    direct = {f: mix.share(f) * rates[f] for f in FOSSIL}
    upstream = {f: direct[f] * (params.extraction(f) - 1.0) for f in FOSSIL}
    uranium = mix.share("nuclear") * params.uranium_per_kwh()
    return FuelEnergy(direct, upstream, uranium, mix, rates)


# -------------------------------------------------------------------------- OWID mixes


@dataclass(frozen=True)
class OwidMix:
    """One country's generation by source (TWh) in its latest OWID year."""

    iso3: str
    name: str
    year: int
    twh: Mapping[str, float]  # coal, gas, oil, nuclear, other (non-fossil, non-nuclear)

    @property
    def total(self) -> float:
        return sum(self.twh.values())


_OWID_FUELS = {
    "coal": ("coal_TWh",),
    "gas": ("gas_TWh",),
    "oil": ("oil_TWh",),
    "nuclear": ("nuclear_TWh",),
    # other_renewable_TWh includes biofuel; the exc-biofuel column does not double count
    "other": (
        "hydroelectricity_TWh",
        "wind_TWh",
        "solar_TWh",
        "biofuel_TWh",
        "other_renewable_exc_biofuel_TWh",
    ),
}


def read_owid(path: str | os.PathLike[str]) -> dict[str, OwidMix]:
    """OWID's generation by source per country (ISO3 key), checked.

    Raises :class:`InputError` naming the country and field for a value that is not a
    number >= 0, a missing field, or a total that does not match OWID's ``total_TWh``
    (within 0.5 % or 0.01 TWh: OWID rounds each source).
    """
    file = Path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(Problem(file=str(file), message="file not found")) from exc
    except ValueError as exc:
        raise InputError(Problem(file=str(file), message=f"not JSON: {exc}")) from exc
    problems: list[Problem] = []
    mixes: dict[str, OwidMix] = {}
    for iso3, entry in sorted(data.items()):
        twh: dict[str, float] = {}
        for fuel, columns in _OWID_FUELS.items():
            total = 0.0
            for column in columns:
                value = entry.get(column)
                if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                    problems.append(
                        Problem(
                            file=str(file),
                            row=None,
                            column=column,
                            value=f"{iso3}: {value!r}",
                            message="not a number >= 0",
                            hint="OWID gives TWh per source",
                        )
                    )
                    continue
                total += float(value)
            twh[fuel] = total
        mix = OwidMix(iso3, str(entry.get("country_name", iso3)), int(entry.get("year", 0)), twh)
        published = entry.get("total_TWh")
        if isinstance(published, (int, float)) and abs(mix.total - published) > max(
            0.01, 0.005 * published
        ):
            problems.append(
                Problem(
                    file=str(file),
                    column="total_TWh",
                    value=f"{iso3}: {published}",
                    message=f"sources sum to {mix.total:.3f} TWh, not the published total",
                    hint="OWID's file may have changed its columns",
                )
            )
        mixes[iso3] = mix
    if problems:
        raise InputError(problems)
    return mixes


def region_members(path: str | os.PathLike[str], regions: Iterable[str]) -> dict[str, list[str]]:
    """ISO3 members of Ember's regions, from Ember's country overview (flags, regions).

    World is every country; EU, G7, G20 and OECD are Ember's flags; continents and the Middle
    East are its ``ember_region``; ASEAN is :data:`ASEAN`. A region not known here is left
    out of the result (its grid then has no mix).
    """
    file = Path(path)
    try:
        with file.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    except FileNotFoundError as exc:
        raise InputError(Problem(file=str(file), message="file not found")) from exc
    countries = {r["country_code"]: r for r in rows if r.get("country_code")}
    found: dict[str, list[str]] = {}
    for region in regions:
        if region == "World":
            found[region] = sorted(countries)
        elif region == "ASEAN":
            found[region] = list(ASEAN)
        elif region in _FLAGS:
            flag = _FLAGS[region]
            found[region] = sorted(c for c, r in countries.items() if r.get(flag) == "1.0")
        elif region in _EMBER_REGIONS:
            found[region] = sorted(
                c for c, r in countries.items() if r.get("ember_region") == region
            )
    return found


def owid_mix(mixes: Mapping[str, OwidMix], members: Iterable[str], label: str) -> Mix | None:
    """The shares of a country or the TWh-weighted shares of a group; None without data."""
    chosen = [mixes[c] for c in members if c in mixes]
    total = sum(m.total for m in chosen)
    if not chosen or total <= 0:
        return None
    shares = {f: sum(m.twh[f] for m in chosen) / total for f in ("coal", "gas", "oil", "nuclear")}
    return Mix(shares, label)
