"""China's 30 provincial grids, 2023 (MEE and NBS Announcement 2025 No. 47, Table 3).

The file (``../shared/data/china-grid/china_provincial_emissions_2023_via_codecarbon.json``,
a transcription in codecarbon 3.3.2, MIT) gives per province the official average CO2 factor
of electricity, g CO2/kWh: **CO2 only** (not CO2-equivalent, not life cycle), over all
electricity generated in the province, location-based and accounting for inter-provincial
transfers. Tibet, Hong Kong, Macao and Taiwan are not published.

Each province becomes ``electricity_grid_cn_<code>`` (``<code>`` the ISO 3166-2 subdivision,
e.g. ``electricity_grid_cn_bj``, location ``CN-BJ``), unit kWh, with:

* **CO2**: the MEE factor, booked as fossil CO2, as published;
* **CH4 and N2O of combustion**: the MEE factor covers CO2 only, so the fuel energy behind it
  (below) times the IPCC 2006 default factors for energy industries (Vol. 2, Table 2.2: coal
  1 kg CH4 and 1.5 kg N2O per TJ; gas 1 and 0.1; oil 3 and 0.6) is added as physical gas
  masses: about +0.46 % of CO2e for a coal grid;
* **upstream emissions are not included**: no coal-mine methane, fuel transport or plant
  construction (IPCC 2006 Vol. 2 Ch. 4 puts underground coal-mining methane at 10-25 m3 per
  tonne). The result is direct combustion GHG, comparable with DESNZ's generation factor,
  *not* with Ember's life-cycle figures (``electricity_grid_chn``, 557.5 g CO2e/kWh for
  China 2024, is the national life-cycle alternative);
* **fossil energy** from the CO2: ``fuel MJ = CO2 / (CO2 per MJ of China's thermal fuel)``,
  0.0927 kg/MJ from TianGong's national thermal process (2019), split into coal, gas and oil
  by that process's fuel energy, plus the extraction losses of :mod:`.grid_mix`. This assumes
  a province's electricity (own and imported) has China's average thermal fuel mix; it is
  right for coal-based supply and overstates gas-heavy generators (Beijing's own plants
  emit 0.057 kg/MJ);
* **uranium** from TianGong's 2019 provincial mix (own generation, nuclear share);
* **water**: not covered (no source gives provincial consumption per kWh).

>>> table = read_mee(MEE_EXAMPLE)
>>> table[0]["iso"], table[0]["g_per_kwh"], table[0]["name_zh"]
('CN-BJ', 555.4, '北京')
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from scenat.errors import InputError, Problem
from scenat.importers.grid_mix import FOSSIL, FuelEnergy, Mix, Parameters

__all__ = ["MEE_FILE", "PROVINCES", "province_energy", "province_id", "read_mee"]

MEE_FILE = "china_provincial_emissions_2023_via_codecarbon.json"
MEE_SOURCE = (
    "MEE and NBS of China, Announcement 2025 No. 47 (2025-12-31), Table 3: provincial average "
    "electricity CO2 emission factors 2023, as transcribed in codecarbon 3.3.2"
)
MEE_LICENCE = "official Chinese government figures; transcription MIT (codecarbon)"
#: ISO 3166-2:CN subdivision -> Chinese name (for search and display)
PROVINCES = {
    "CN-AH": "安徽", "CN-BJ": "北京", "CN-CQ": "重庆", "CN-FJ": "福建", "CN-GD": "广东",
    "CN-GS": "甘肃", "CN-GX": "广西", "CN-GZ": "贵州", "CN-HA": "河南", "CN-HB": "湖北",
    "CN-HE": "河北", "CN-HI": "海南", "CN-HL": "黑龙江", "CN-HN": "湖南", "CN-JL": "吉林",
    "CN-JS": "江苏", "CN-JX": "江西", "CN-LN": "辽宁", "CN-NM": "内蒙古", "CN-NX": "宁夏",
    "CN-QH": "青海", "CN-SC": "四川", "CN-SD": "山东", "CN-SH": "上海", "CN-SN": "陕西",
    "CN-SX": "山西", "CN-TJ": "天津", "CN-XJ": "新疆", "CN-YN": "云南", "CN-ZJ": "浙江",
}  # fmt: skip
MEE_EXAMPLE = {
    "data": {
        "CN-BJ": {
            "emission_factor": 555.4,
            "unit": "gCO2/kWh",
            "description": "Beijing",
            "year": 2023,
        }
    },
}


def province_id(iso: str) -> str:
    """``CN-BJ`` -> ``electricity_grid_cn_bj``.

    >>> province_id("CN-NM")
    'electricity_grid_cn_nm'
    """
    return "electricity_grid_" + iso.lower().replace("-", "_")


def read_mee(source: str | os.PathLike[str] | dict[str, Any]) -> list[dict[str, Any]]:
    """The provincial factors, checked: ``iso, name, name_zh, g_per_kwh, year, position``.

    ``source`` is the JSON file (or its parsed content). Raises :class:`InputError` naming
    the province for an unknown code, a unit other than gCO2/kWh, or a factor that is not a
    number in (0, 2000).
    """
    file = str(source) if not isinstance(source, dict) else "china-grid JSON"
    if isinstance(source, dict):
        data = source
    else:
        try:
            data = json.loads(Path(source).read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise InputError(Problem(file=file, message="file not found")) from exc
        except ValueError as exc:
            raise InputError(Problem(file=file, message=f"not JSON: {exc}")) from exc
    entries = data.get("data") if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        raise InputError(
            Problem(
                file=file,
                column="data",
                message="no 'data' object",
                hint="the codecarbon china_provincial_emissions file",
            )
        )
    problems, rows = [], []
    for position, (iso, entry) in enumerate(entries.items(), start=1):
        value = entry.get("emission_factor") if isinstance(entry, dict) else None
        where = dict(file=file, row=position, value=f"{iso}: {value!r}")
        if iso not in PROVINCES:
            problems.append(
                Problem(
                    **where,
                    column="key",
                    message="not a province code",
                    hint="ISO 3166-2:CN, e.g. CN-BJ",
                )
            )
            continue
        if entry.get("unit") != "gCO2/kWh":
            problems.append(Problem(**where, column="unit", message="unit is not gCO2/kWh"))
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 < value < 2000:
            problems.append(
                Problem(
                    **where,
                    column="emission_factor",
                    message="not a factor in g CO2/kWh",
                    hint="e.g. 555.4",
                )
            )
            continue
        rows.append(
            {
                "iso": iso,
                "name": entry.get("description") or iso,
                "name_zh": PROVINCES[iso],
                "g_per_kwh": float(value),
                "year": int(entry.get("year") or 0),
                "position": position,
            }
        )
    if problems:
        raise InputError(problems)
    return sorted(rows, key=lambda r: r["iso"])


def province_energy(kg_co2: float, nuclear_share: float, params: Parameters) -> FuelEnergy:
    """Fuel energy (from the CO2) and uranium of one kWh of a province's grid."""
    per_mj = params.china_co2_per_mj()
    thermal = params.china_thermal()
    total = sum(thermal.values())
    fuel_mj = kg_co2 / per_mj
    direct = {f: fuel_mj * thermal[f] / total for f in FOSSIL}
    upstream = {f: direct[f] * (params.extraction(f) - 1.0) for f in FOSSIL}
    notes = {
        f: f"{kg_co2:.4f} kg CO2 / {per_mj:.5f} kg CO2 per MJ (China thermal fuel, TianGong 2019) "
        f"x {thermal[f] / total:.4f} {f} share of that fuel"
        for f in FOSSIL
    }
    mix = Mix({"nuclear": nuclear_share}, "TianGong 2019 provincial mix (nuclear share)")
    return FuelEnergy(
        direct, upstream, nuclear_share * params.uranium_per_kwh(), mix, direct_notes=notes
    )


def combustion_gases(energy: FuelEnergy, params: Parameters) -> dict[str, float]:
    """kg of CH4 and N2O from burning the direct fuel (IPCC 2006 defaults per TJ)."""
    return {
        gas: sum(energy.direct[f] * params.value(f"{gas}_per_tj", f) for f in FOSSIL) / 1e6
        for gas in ("ch4", "n2o")
    }
