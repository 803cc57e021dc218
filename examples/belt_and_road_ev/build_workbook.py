"""Build the Belt-and-Road battery-electric car workbooks.

One compact battery-electric car (1,750 kg, 60 kWh LFP pack) whose cells, electric drive and
body materials come from Chinese suppliers, sold and driven 200,000 km in Germany. Three
variants of one supply chain, so ``scenat compare`` shows what assembly place and the
China-Europe freight mode change:

* ``belt_and_road_ev.xlsx``: assembled in Shanghai, the car shipped to Bremerhaven on a
  vehicle carrier (the usual route of Chinese car exports);
* ``belt_and_road_ev_rail.xlsx``: assembled in Shanghai, the car sent by the China-Europe
  Railway Express in a container (Xi'an - Duisburg);
* ``belt_and_road_ev_eu_assembly.xlsx``: the Chinese pack, drive unit and body parts shipped
  in containers by sea to Hamburg, the car assembled in Germany.

Electricity is location-based: each node buys ``electricity_grid_local``, the grid of its
location (Fujian for the cells, Jiangsu for the drive unit, Shanghai or Germany for
assembly, Germany for driving). Money in CNY of 2024. Every number is written where it is
used with its source; judgement is marked "engineering estimate" with its reasoning.

    python examples/belt_and_road_ev/build_workbook.py   # rewrites the three workbooks
"""

from __future__ import annotations

# fmt: off
# (one flow per call, its source beside its number: kept as written for review)
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # run from a checkout without installing

from scenat.casefile.writer import write_sheets  # noqa: E402

YEAR = 2024
LIFETIME_KM = 200_000
ANNUAL_VOLUME = 100_000  # cars a year of this model: engineering estimate

# ----------------------------------------------------------------------------- sources

GRID_CN = ("shipped inventory inventories/grid_electricity: MEE and NBS of China, "
           "Announcement 2025 No. 47, provincial average CO2 factor 2023 of the node's province "
           "(electricity_grid_local)")
GRID_DE = ("shipped inventory inventories/grid_electricity: Ember yearly grid intensity, DEU "
           "(electricity_grid_local at a DE node)")
DESNZ_SHIPPED = "shipped inventory inventories/starter (DESNZ 2025)"
USLCI = "shipped inventory inventories/materials (USLCI, a US inventory used as a proxy)"
TIANGONG = ("shipped inventory inventories/tiangong (TianGong LCA data, reviewed Chinese "
            "systems, cradle to gate: {what})")
PREMISE = "shipped inventory inventories/freight (premise additional inventories)"
HAO = ("Hao, Mu, Jiang, Liu & Zhao (2017), GHG Emissions from the Production of Lithium-Ion "
       "Batteries for Electric Vehicles in China, Sustainability 9(4): 504: 3,061 kg CO2e for "
       "a 28 kWh LFP battery made in China (109.3 kg CO2e/kWh), cradle to gate, booked as "
       "fossil CO2 (other indicators of the pack not covered)")
EPA = ("shipped inventory inventories/epa_spend: US EPA Supply Chain GHG Emission Factors "
       "v1.3.0 (USEEIO v2.2.22), NAICS {code}; CNY 2024 converted to USD 2022 by "
       "scenat.model.currency (a US sector as a proxy for the Chinese supplier)")
ACEA = ("ACEA: about 2.4 MWh of energy per car produced in the EU (2014), down ~10 % since; "
        "split 60 % electricity / 40 % gas: engineering estimate")
ESTIMATE = "engineering estimate"
ELV = ("end of life: Directive 2000/53/EC on end-of-life vehicles, Art. 7(2): at least 85 % of "
       "a vehicle's mass reused or recycled; metals above that (engineering estimate: steel "
       "0.90, aluminium 0.90), plastics mostly burned for energy (engineering estimate 0.10)")
STEEL_RC = ("recycled content 0.15: engineering estimate of the scrap charged in Chinese "
            "BF-BOF steelmaking, the route of automotive sheet")
ALU_RC = ("recycled content 0.30: engineering estimate for Chinese automotive castings "
          "(secondary alloy) and sheet (primary)")

# ----------------------------------------------------------------------------- car data

PACK_KWH = 60  # LFP pack of a compact BEV (e.g. 60 kWh class): engineering estimate
PACK_KG = 400  # LFP pack ~150 Wh/kg at pack level: engineering estimate
DRIVE_KG = 90  # motor, inverter, reduction gear: engineering estimate
BODY_STEEL_KG = 650  # body-in-white and chassis steel: engineering estimate
ALUMINIUM_KG = 200  # castings, subframes, wheels: engineering estimate
PLASTICS_KG = 180  # interior, bumpers: engineering estimate
GLASS_KG = 40
CAR_KG = 1_750  # kerb mass, the rest is tyres, fluids, textiles, electronics
PARTS_T = (PACK_KG + DRIVE_KG + BODY_STEEL_KG + ALUMINIUM_KG + PLASTICS_KG + GLASS_KG) / 1000
USE_KWH_PER_KM = 0.17 * 1.1  # 17 kWh/100 km WLTP-class + 10 % charging losses: estimate

# Distances, km.
SEA_SHANGHAI_BREMERHAVEN = 20_000  # via Suez, about 10,800 nautical miles: engineering estimate
RAIL_XIAN_DUISBURG = {"CN": 3_600, "transit": 5_700, "EU": 1_100}  # 10,400 km: estimate
ROAD_SHANGHAI_XIAN = 1_400  # the car to the rail terminal by truck: engineering estimate
ROAD_PORT_DEALER = 400  # Bremerhaven / Duisburg / the German plant to the dealer
ROAD_PARTS_CN = 800  # Ningde, Changzhou to Shanghai: engineering estimate


class Sheets:
    def __init__(self) -> None:
        self.nodes: list[list] = []
        self.flows: list[list] = []

    def node(self, id_, name, tier, stage, location, output_unit, output_amount=1, note=""):
        self.nodes.append([id_, name, tier, stage, location, output_amount, output_unit, note])

    def flow(self, node, kind, input_, amount, unit, source, comment="", circular=("", "", "")):
        """``circular``: recycled_content, eol_recycling_rate, recycling_process."""
        self.flows.append([node, kind, input_, amount, unit, source, comment, *circular])


def build(variant: str) -> dict[str, list[list]]:
    assert variant in ("sea", "rail", "eu_assembly")
    s = Sheets()
    plant = "DE" if variant == "eu_assembly" else "CN-SH"
    grid_plant = GRID_DE if plant == "DE" else GRID_CN

    s.node("car_life_cycle", "Battery-electric car, 200,000 km in Germany", 0, "use", "DE",
           "item")
    s.flow("car_life_cycle", "node", "car_delivered", 1, "item", "model structure",
           "one car at the German dealer")
    s.flow("car_life_cycle", "node", "driving", LIFETIME_KM, "km", "model structure",
           "lifetime distance, as the Polestar and Volvo LCA reports use")

    # -- tier 1: the car to the dealer, and its use ---------------------------------------
    s.node("car_delivered", "Car delivered to the German dealer", 1, "transport", "DE", "item")
    s.flow("car_delivered", "node", "vehicle_assembly", 1, "item", "model structure", "")
    car_t = CAR_KG / 1000
    if variant == "sea":
        s.flow("car_delivered", "process", "freight_sea_vehicle_carrier_tkm",
               car_t * SEA_SHANGHAI_BREMERHAVEN, "tkm", DESNZ_SHIPPED,
               f"{car_t} t x {SEA_SHANGHAI_BREMERHAVEN:,} km Shanghai-Bremerhaven via Suez "
               "(engineering estimate of the distance)")
    elif variant == "rail":
        # a 40 ft container carries two cars: container tare counted per car
        gross_t = car_t + 3.7 / 2
        s.flow("car_delivered", "process", "freight_hgv_diesel_tkm", car_t * ROAD_SHANGHAI_XIAN,
               "tkm", DESNZ_SHIPPED, f"Shanghai to the Xi'an rail terminal, {ROAD_SHANGHAI_XIAN:,} "
               "km on a car transporter (UK HGV factor as a proxy)")
        s.flow("car_delivered", "process", "freight_rail_electric_cn_tkm",
               gross_t * RAIL_XIAN_DUISBURG["CN"], "tkm", PREMISE,
               f"{gross_t:.3f} t (car + half a 3.7 t 40 ft container) x "
               f"{RAIL_XIAN_DUISBURG['CN']:,} km to Khorgos in China, electric traction: "
               "engineering estimate of the distance")
        s.flow("car_delivered", "process", "freight_rail_diesel_cn_tkm",
               gross_t * RAIL_XIAN_DUISBURG["transit"], "tkm", PREMISE,
               f"{RAIL_XIAN_DUISBURG['transit']:,} km across Kazakhstan, Russia and Belarus: no "
               "inventory of those railways is shipped; the Chinese diesel-electric train stands "
               "in (conservative where the line is electrified)")
        s.flow("car_delivered", "process", "freight_rail_electric_eu_tkm",
               gross_t * RAIL_XIAN_DUISBURG["EU"], "tkm", PREMISE,
               f"{RAIL_XIAN_DUISBURG['EU']:,} km Brest-Malaszewicze to Duisburg, electric")
    s.flow("car_delivered", "process", "freight_hgv_diesel_tkm", car_t * ROAD_PORT_DEALER, "tkm",
           DESNZ_SHIPPED, f"{ROAD_PORT_DEALER} km to the dealer on a car transporter")

    s.node("driving", "Driving in Germany (charging from the German grid)", 1, "use", "DE", "km")
    s.flow("driving", "process", "electricity_grid_local", USE_KWH_PER_KM, "kWh", GRID_DE,
           "17 kWh/100 km (WLTP class of a compact BEV) + 10 % charging losses: engineering "
           "estimate")

    # -- tier 2: assembly ---------------------------------------------------------------
    s.node("vehicle_assembly",
           "Vehicle assembly, Germany" if plant == "DE" else "Vehicle assembly, Shanghai", 2,
           "assembly", plant, "item")
    for part in ("battery_pack", "drive_unit", "body_materials"):
        s.flow("vehicle_assembly", "node", part, 1, "item", "model structure", "")
    s.flow("vehicle_assembly", "process", "electricity_grid_local", 2_400 * 0.9 * 0.6, "kWh",
           f"{ACEA}; {grid_plant}", "2.4 MWh x 0.9 x 60 % electricity")
    s.flow("vehicle_assembly", "process", "natural_gas_combustion_kwh", 2_400 * 0.9 * 0.4, "kWh",
           f"{ACEA}; {DESNZ_SHIPPED}", "paint shop and space heat: 40 % of the energy as gas")
    s.flow("vehicle_assembly", "spend", "336390", 3_000, "CNY", EPA.format(code="336390"),
           "tyres, seats, textiles, lamps and other bought-in parts not modelled by mass: CNY "
           "3,000 a car, engineering estimate")
    if variant == "eu_assembly":
        s.flow("vehicle_assembly", "process", "freight_sea_container_tkm",
               PARTS_T * 1.15 * SEA_SHANGHAI_BREMERHAVEN, "tkm", DESNZ_SHIPPED,
               f"{PARTS_T:.3f} t of Chinese parts + 15 % packaging and racks, Shanghai-Hamburg "
               f"in containers, {SEA_SHANGHAI_BREMERHAVEN:,} km (engineering estimate)")
        s.flow("vehicle_assembly", "process", "freight_hgv_diesel_tkm", PARTS_T * 1.15 * 500,
               "tkm", DESNZ_SHIPPED, "Hamburg to the plant, 500 km: engineering estimate")
    s.flow("vehicle_assembly", "process", "freight_hgv_diesel_tkm", PARTS_T * ROAD_PARTS_CN,
           "tkm", DESNZ_SHIPPED, f"suppliers to the Chinese port or plant, {ROAD_PARTS_CN} km")

    # -- tier 3: Chinese suppliers ---------------------------------------------------------
    s.node("battery_pack", f"LFP battery pack, {PACK_KWH} kWh (Ningde, Fujian)", 3,
           "manufacturing", "CN-FJ", "item")
    s.flow("battery_pack", "emission", "co2_fossil", 3061 / 28 * PACK_KWH, "kg", HAO,
           f"{PACK_KWH} kWh x 109.3 kg CO2e/kWh, cradle to gate")

    s.node("drive_unit", "Electric drive unit (Changzhou, Jiangsu)", 3, "manufacturing",
           "CN-JS", "item")
    s.flow("drive_unit", "process", "tiangong_steel_hot_rolled_cn", 45, "kg",
           TIANGONG.format(what="hot rolled coil, Ji et al., 2006 data, as a proxy for "
                           "electrical steel and forgings"),
           "motor laminations, shafts, housing steel: engineering estimate")
    s.flow("drive_unit", "process", "tiangong_aluminium_primary_cn", 25, "kg",
           TIANGONG.format(what="primary aluminium ingot, 2016 data"),
           "die-cast housing: engineering estimate")
    s.flow("drive_unit", "process", "tiangong_copper_cn", 8, "kg",
           TIANGONG.format(what="electrolytic copper, 2018 data; mining cut off"),
           "stator windings, ~8 kg of copper: engineering estimate")
    s.flow("drive_unit", "spend", "335312", 2_000, "CNY", EPA.format(code="335312"),
           "magnets and power electronics: CNY 2,000 a unit, engineering estimate")
    s.flow("drive_unit", "process", "electricity_grid_local", 150, "kWh", GRID_CN,
           "machining, winding, test bench: engineering estimate")

    s.node("body_materials", "Body and interior materials (Chinese mills)", 3, "materials",
           "CN-SH", "item")
    s.flow("body_materials", "process", "tiangong_steel_hot_rolled_cn", BODY_STEEL_KG, "kg",
           TIANGONG.format(what="hot rolled coil, Ji et al., 2006 data, CO2 only; cold rolling "
                           "and coating not included"),
           f"body-in-white and chassis steel: engineering estimate; {STEEL_RC}; {ELV}",
           circular=(0.15, 0.90, ""))
    s.flow("body_materials", "process", "tiangong_aluminium_primary_cn", ALUMINIUM_KG, "kg",
           TIANGONG.format(what="primary aluminium ingot, 2016 data"),
           f"castings, subframes, wheels: engineering estimate; {ALU_RC}; {ELV}; recycling "
           "route: USLCI secondary aluminium ingot", circular=(0.30, 0.90,
                                                              "uslci_aluminium_secondary"))
    s.flow("body_materials", "process", "uslci_pp", PLASTICS_KG, "kg", USLCI,
           "interior and bumper plastics as polypropylene: engineering estimate; recycled "
           f"content 0 (engineering estimate); {ELV}", circular=(0.0, 0.10, ""))
    s.flow("body_materials", "process", "glass_primary", GLASS_KG / 1000, "t", DESNZ_SHIPPED,
           "windscreen and windows")

    return {
        "readme": _readme(variant),
        "case": _case_sheet(variant),
        "nodes": [NODE_HEADER, *s.nodes],
        "flows": [FLOW_HEADER, *s.flows],
        **({"interventions": _interventions()} if variant == "sea" else {}),
    }


NODE_HEADER = ["id", "name", "tier", "stage", "location", "output_amount", "output_unit", "note"]
FLOW_HEADER = ["node", "kind", "input", "amount", "unit", "source", "comment",
               "recycled_content", "eol_recycling_rate", "recycling_process"]
TITLES = {
    "sea": "assembled in Shanghai, shipped by sea",
    "rail": "assembled in Shanghai, sent by China-Europe rail",
    "eu_assembly": "Chinese parts by sea, assembled in Germany",
}


def _case_sheet(variant: str) -> list[list]:
    return [
        ["field", "value"],
        ["name", f"Belt-and-Road BEV: {TITLES[variant]}"],
        ["reference_node", "car_life_cycle"],
        ["reference_amount", 1],
        ["functional_unit", "one compact battery-electric car made with Chinese cells and parts, "
                            "driven 200,000 km in Germany"],
        ["annual_volume", ANNUAL_VOLUME],
        ["currency", "CNY"],
        ["year", YEAR],
        ["region", "CN"],
        ["description", f"Battery-electric car, {TITLES[variant]}. Built by "
                        "examples/belt_and_road_ev/build_workbook.py."],
        ["discount_rate", 0.08],
    ]


def _readme(variant: str) -> list[list]:
    return [
        ["readme"],
        [f"Belt-and-Road BEV ({TITLES[variant]}): a scenat case workbook."],
        ["Numbers live in examples/belt_and_road_ev/build_workbook.py, each with its source."],
        ["Run: scenat assess belt_and_road_ev ; scenat interventions belt_and_road_ev"],
    ]


INTERVENTION_HEADER = [
    "id", "name", "category", "group", "description", "match_input", "match_kind",
    "match_stage", "unit", "action", "share", "factor", "to", "capex", "capex_basis",
    "opex_change", "opex_basis", "lifetime", "currency", "price_year", "source_effect",
    "source_capex", "source_opex", "source_lifetime",
]


def _interventions() -> list[list]:
    rail_km = sum(RAIL_XIAN_DUISBURG.values())
    rows = [[
        "car_by_rail", "Cars by China-Europe rail instead of vehicle carrier", "logistics",
        "china_europe_mode",
        "Send the finished cars in containers on the China-Europe Railway Express: each "
        "vehicle-carrier tonne-km becomes rail tonne-km over the shorter route, with the "
        "container's tare; booked on the Chinese electric train (the transit legs' diesel "
        "is in the rail variant workbook, not here).",
        "freight_sea_vehicle_carrier_tkm", "process", "", "tkm", "substitute", 1,
        round(rail_km / SEA_SHANGHAI_BREMERHAVEN * (CAR_KG / 1000 + 1.85) / (CAR_KG / 1000), 6),
        "freight_rail_electric_cn_tkm", 0, "fixed",
        round((7_250 / 2 - 3_000 / 2) / (CAR_KG / 1000 * SEA_SHANGHAI_BREMERHAVEN), 6),
        "per_unit_year", 5, "USD", 2024,
        f"factor = {rail_km:,} rail km / {SEA_SHANGHAI_BREMERHAVEN:,} sea km x (car 1.75 t + "
        "half a 3.7 t container) / 1.75 t: engineering estimates of distances and tare",
        "no investment: a logistics contract change",
        "rail USD 7,250 against sea USD 3,000 per 40 ft container (midpoints of a China-Europe "
        "rail freight guide, topchinaforwarder.com, 2025), two cars a container, per sea tkm; "
        "ro-ro rates taken as the container rate (engineering estimate); the 2025 prices are "
        "taken as USD of 2024 (the CNY price index ends in 2024)",
        "engineering estimate: 5-year logistics contract",
    ]]
    rows += _library_overrides()
    assert all(len(r) == len(INTERVENTION_HEADER) for r in rows)
    return [INTERVENTION_HEADER, *rows]


#: library entries on "any electricity" that are site measures: the case keeps them to the
#: production stages (a car's charging electricity is no factory's lighting)
SITE_ENTRIES = ("led_lighting", "electrical_controls", "vsd_motors", "compressed_air_leaks")
PRODUCTION_STAGES = "materials|manufacturing|assembly"


def _library_overrides() -> list[list]:
    import csv

    library = HERE.parents[1] / "inventories" / "interventions" / "library.csv"
    with library.open(newline="", encoding="utf-8") as handle:
        entries = {row["id"]: row for row in csv.DictReader(handle)}
    rows = []
    for entry_id in SITE_ENTRIES:
        entry = dict(entries[entry_id], match_stage=PRODUCTION_STAGES)
        entry["description"] += " Case override: production stages only."
        rows.append([entry.get(column, "") for column in INTERVENTION_HEADER])
    return rows


NOTES = {"flows": {"amount": "per the node's output_amount of output_unit",
                   "source": "where the number comes from"}}


def main() -> None:
    for variant, name in (("sea", "belt_and_road_ev.xlsx"), ("rail", "belt_and_road_ev_rail.xlsx"),
                          ("eu_assembly", "belt_and_road_ev_eu_assembly.xlsx")):
        path = write_sheets(build(variant), HERE / name, notes=NOTES)
        print(f"written {path.relative_to(HERE.parents[1])}")


if __name__ == "__main__":
    main()
