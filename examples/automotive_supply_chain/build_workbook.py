"""Build the automotive supply chain case workbooks: ``car_ice.xlsx`` and ``car_bev.xlsx``.

One C-segment passenger car, made at a UK assembly plant from tier-1 to tier-3 suppliers and
driven 200,000 km in the UK: a petrol (ICE) and a battery-electric (BEV) variant of the same
car, so that ``scenat compare car_ice.xlsx car_bev.xlsx`` works. Every number is written
where it is used with its source: a shipped inventory (DESNZ 2025 in
``inventories/starter``, Ember grid intensities, EPA supply-chain spend factors) or a cited
public figure; judgement is marked "engineering estimate" with the reasoning.

    python examples/automotive_supply_chain/build_workbook.py   # rewrites both workbooks

Bill of materials: engineering estimates of a ~1,300 kg petrol and ~1,800 kg battery-electric
C-segment hatchback, in the proportions of published vehicle-cycle studies (Argonne GREET 2
vehicle composition; Polestar 2 and Volvo LCA reports). Where the shipped inventories have no
process for a part (electronics, seats, tyres, battery chemicals), the supplier's purchase
is a spend flow on the matching US EPA NAICS sector (a screening estimate, stated per row).
"""

from __future__ import annotations

# fmt: off
# (one flow per call, its source beside its number: kept as written for review)
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # run from a checkout without installing
sys.path.insert(0, str(HERE.parent))  # the examples' own shipped_sources

from shipped_sources import shipped, shipped_amount  # noqa: E402

from scenat.casefile.writer import write_sheets  # noqa: E402

YEAR = 2024  # price year of every money amount (spend flows, intervention costs)
LIFETIME_KM = 200_000  # functional unit distance, as the Polestar/Volvo LCA reports
ANNUAL_VOLUME = 150_000  # cars a year from the plant: engineering estimate (one line)

# ----------------------------------------------------------------------------- sources

DESNZ = "UK Government GHG Conversion Factors for Company Reporting 2025 (DESNZ), flat file"
DESNZ_FULL = "UK Government GHG Conversion Factors for Company Reporting 2025 (DESNZ), full set"
DESNZ_SHIPPED = "shipped inventory inventories/starter (DESNZ 2025)"
EPA = (
    "shipped inventory inventories/epa_spend: US EPA Supply Chain GHG Emission Factors v1.3.0 "
    "(USEEIO v2.2.22), NAICS {code}; {currency} {year} converted to USD 2022 by "
    "scenat.model.currency"
)
EMBER = "shipped inventory inventories/grid_electricity: Ember yearly grid intensity, {iso}"
ACEA = (
    "ACEA: about 2.4 MWh of energy per car produced in the EU (2014; Secretary General's "
    "message, June 2015), down a further ~10 % since (ACEA energy per car figures)"
)
GREET = "Argonne GREET 2 vehicle-cycle model: material composition of ICEVs and BEVs"
CELL = (
    "NMC811 cell: cathode 200 mAh/g, anode graphite 350 mAh/g, 3.7 V, N/P 1.1 (typical "
    "published material properties); engineering estimate"
)
LIBRARY = "as the shipped intervention library entry {id} (inventories/interventions)"
AR5_CH4, AR5_N2O = 28.0, 265.0  # DESNZ publishes CO2e of CH4 and N2O with IPCC AR5 GWP100
ESTIMATE = "engineering estimate"
FLAT_GLASS_KG_PER_M2 = 10.0  # ÖKOBAUDAT's flat glass is per m2 of 4 mm pane, 10 kg/m2


def desnz(desnz_id: str, label: str) -> str:
    return f"{DESNZ}, ID {desnz_id} ({label})"


def epa(code: str, currency: str = "GBP") -> str:
    return EPA.format(code=code, currency=currency, year=YEAR)


# ----------------------------------------------------------------------------- vehicle data

# Use phase.
PETROL_L_PER_KM = 6.8 / 100  # real-world: WLTP ~5.8 L/100 km + ~18 % real-world gap
PETROL_NOTE = (
    "6.8 L/100 km real-world for a C-segment petrol car: engineering estimate, WLTP ~5.8 L/100 "
    "km plus the roughly one-fifth real-world gap the European Commission found in on-board "
    "fuel consumption meter data (2021 cars)"
)
BEV_KWH_PER_KM = 18.5 / 100  # at the plug, incl. ~10 % charging losses and real-world gap
BEV_NOTE = (
    "18.5 kWh/100 km at the plug: engineering estimate, WLTP ~15.5 kWh/100 km for a C-segment "
    "BEV plus charging losses (~10 %) and a real-world gap"
)
TYRES_IN_USE = 8  # two replacement sets over 200,000 km: engineering estimate
PETROL_NET_CV_KWH_PER_L = 8.926  # DESNZ full set, Fuel properties, petrol (average blend)
PETROL_FOSSIL_SHARE = 0.23026 / 0.25276  # CO2/kWh of blend (1_101_1017_7_2) / mineral (_1018_)
CRUDE_OIL_NET_CV = 43.4  # MJ/kg, as EF v3.1 characterises 'Oil, crude' (see scenat.importers.desnz)

# Battery (BEV).
PACK_KWH = 62  # gross, as the VW ID.3 Pro (58 kWh net / 62 kWh gross, Volkswagen data)
CELL_KWH_PER_KWH = 30  # factory electricity per kWh of cells (see the flow's source)
# ÖKOBAUDAT 2020-II galvanised steel sheet, A1-A3 GWP per kg, read from the shipped inventory
STEEL_COIL_GWP = shipped_amount("okobaudat_steel_sheet_galvanised", "co2_fossil")
CAM_KG_PER_KWH = 1 / (0.200 * 3.7) * 1.05  # 1.42 kg: capacity-matched, +5 % yield loss
# Cathode composition: LiNi0.8Mn0.1Co0.1O2, mass fractions from the IUPAC standard atomic
# weights (CIAAW 2021, abridged: Li 6.94, Ni 58.693, Mn 54.938, Co 58.933, O 15.999, C 12.011)
ATOMIC = {"Li": 6.94, "Ni": 58.693, "Mn": 54.938, "Co": 58.933, "O": 15.999, "C": 12.011}
NMC811 = {"Li": 1.0, "Ni": 0.8, "Mn": 0.1, "Co": 0.1, "O": 2.0}
NMC811_MOLAR_MASS = sum(ATOMIC[e] * n for e, n in NMC811.items())  # 97.28 g/mol
CAM_METAL_FRACTION = {e: ATOMIC[e] * n / NMC811_MOLAR_MASS for e, n in NMC811.items() if e != "O"}
LI_IN_LI2CO3 = 2 * ATOMIC["Li"] / (2 * ATOMIC["Li"] + ATOMIC["C"] + 3 * ATOMIC["O"])  # 0.1878
LI2CO3_KG_PER_KG_CAM = CAM_METAL_FRACTION["Li"] / LI_IN_LI2CO3  # 0.380 kg
LI2CO3_USD_PER_KG = 12.0  # engineering estimate of the 2024 battery-grade price (it fell from
# ~USD 70/kg at the end of 2022)
CAM_USD_PER_KG = 22.0  # engineering estimate of the 2024 NMC811 price
METAL_FLOWS = {"Li": "lithium_resource", "Ni": "nickel_resource", "Mn": "manganese_resource",
               "Co": "cobalt_resource"}
ANODE_KG_PER_KWH = 1 / (0.350 * 3.7) * 1.1 * 1.05  # 0.89 kg: N/P 1.1, +5 % yield loss


class Sheets:
    """Collects node and flow rows in workbook layout."""

    def __init__(self) -> None:
        self.nodes: list[list] = []
        self.flows: list[list] = []

    def node(self, id_, name, tier, stage, output_unit, output_amount=1, location="GB", note=""):
        self.nodes.append([id_, name, tier, stage, location, output_amount, output_unit, note])

    def flow(self, node, kind, input_, amount, unit, source, comment=""):
        self.flows.append([node, kind, input_, amount, unit, source, comment])

    def gases(self, node, amount, desnz_id, co2, ch4_co2e, n2o_co2e, label, comment=""):
        """DESNZ factor split into kg of each gas (CH4 / 28, N2O / 265: AR5, as DESNZ)."""
        src = desnz(desnz_id, label)
        self.flow(node, "emission", "co2_fossil", amount * co2, "kg", src, comment)
        self.flow(node, "emission", "ch4_fossil", amount * ch4_co2e / AR5_CH4, "kg", src,
                  f"{comment} CH4 = kg CO2e of CH4 / 28 (AR5)".strip())
        self.flow(node, "emission", "n2o", amount * n2o_co2e / AR5_N2O, "kg", src,
                  f"{comment} N2O = kg CO2e of N2O / 265 (AR5)".strip())


def build(variant: str) -> dict[str, list[list]]:
    assert variant in ("ice", "bev")
    bev = variant == "bev"
    s = Sheets()
    label = "battery-electric (62 kWh)" if bev else "petrol"

    # -- tier 0: the car maker: life cycle, final assembly, paint shop, use ------------------
    s.node("car_life_cycle", f"C-segment car, {label}: made and driven 200,000 km", 0, "other",
           "item", note="functional unit")
    s.flow("car_life_cycle", "node", "assembly_plant", 1, "item", "model structure",
           "one car at the factory gate")
    s.flow("car_life_cycle", "node", "use_phase", LIFETIME_KM, "km",
           "functional unit: 200,000 km as the Polestar 2 / Volvo XC40 LCA reports",
           "lifetime distance driven")

    s.node("assembly_plant", "Final assembly plant (body shop, trim, final)", 0, "assembly",
           "item")
    parts = [
        ("paint_shop", 1, "item", "one painted body"),
        ("body_in_white", 1, "item", "one welded body-in-white with closures"),
        ("chassis_modules", 1, "item", "front and rear axle modules, brakes, steering"),
        ("edrive_unit" if bev else "ice_powertrain", 1, "item", "one powertrain"),
        ("tyres", 4, "item", "four road wheels' tyres (no spare)"),
        ("glazing", 40 if bev else 38, "kg", "windscreen, side and rear glass"),
        ("plastic_parts", 150, "kg", "bumpers, dashboard, trim, fuel/fluid systems"),
        ("electronics_harness", 1, "item", "wiring harness, ECUs, infotainment"),
        ("seats_interior", 1, "item", "seats, carpets, headliner"),
        ("other_parts", 1, "item", "the remaining bought-in parts"),
        ("inbound_logistics", 1, "item", "inbound parts logistics for one car"),
    ]
    if bev:
        parts.insert(4, ("battery_pack", 1, "item", f"one {PACK_KWH} kWh traction battery"))
    for node_id, amount, unit, what in parts:
        s.flow("assembly_plant", "node", node_id, amount, unit, f"{ESTIMATE}; {GREET}", what)
    s.flow("assembly_plant", "process", "electricity_uk_grid_delivered", 750, "kWh",
           f"{ESTIMATE}; {ACEA}", "body shop, trim and final assembly, compressed air, HVAC")
    s.flow("assembly_plant", "process", "natural_gas_combustion_kwh", 500, "kWh",
           f"{ESTIMATE}; {ACEA}", "space heating of the halls")
    s.flow("assembly_plant", "process", "water_supply", 3.5, "m3",
           f"{ESTIMATE}; {DESNZ_SHIPPED}", "process and sanitary water per car")

    s.node("paint_shop", "Paint shop", 0, "assembly", "item")
    s.flow("paint_shop", "process", "natural_gas_combustion_kwh", 700, "kWh",
           f"{ESTIMATE}; {ACEA}", "curing ovens and booth air heating: the paint shop uses about "
           "half of a car plant's energy")
    s.flow("paint_shop", "process", "electricity_uk_grid_delivered", 250, "kWh",
           f"{ESTIMATE}; {ACEA}", "booth fans, pumps, robots")
    s.flow("paint_shop", "spend", "325510", 60, "GBP", epa("325510"),
           "e-coat, primer, base and clear coat per car: engineering estimate")

    s.node("use_phase", f"Driving, {label}", 0, "use", "km", note="per km driven in the UK")
    if bev:
        s.flow("use_phase", "process", "electricity_uk_grid_delivered", BEV_KWH_PER_KM, "kWh",
               DESNZ_SHIPPED, BEV_NOTE)
    else:
        s.gases("use_phase", PETROL_L_PER_KM, "1_101_1017_8", 2.05523, 0.00806, 0.00587,
                "petrol (average biofuel blend), litres", "tailpipe per km = L/km x per L;")
        s.flow("use_phase", "node", "petrol_supply", PETROL_L_PER_KM, "L", ESTIMATE, PETROL_NOTE)
    s.flow("use_phase", "node", "tyres", TYRES_IN_USE / LIFETIME_KM, "item", ESTIMATE,
           "two replacement sets of four tyres over 200,000 km")

    # -- tier 1: direct suppliers ---------------------------------------------------------
    if not bev:
        s.node("petrol_supply", "Petrol supply (well-to-tank)", 1, "use", "L")
        s.flow("petrol_supply", "emission", "co2_fossil", 0.58094, "kg",
               desnz("11_101_1017_8_1", "WTT petrol (average biofuel blend), litres"),
               "DESNZ gives CO2e only: booked as fossil CO2")
        crude = PETROL_NET_CV_KWH_PER_L * 3.6 * PETROL_FOSSIL_SHARE / CRUDE_OIL_NET_CV
        s.flow("petrol_supply", "resource", "crude_oil_resource", crude, "kg",
               f"{DESNZ_FULL}, sheet 'Fuel properties' (petrol, average biofuel blend: net CV "
               f"{PETROL_NET_CV_KWH_PER_L} kWh/L); fossil share from {DESNZ} IDs "
               "1_101_1017_7_2 / 1_101_1018_7_2",
               f"fossil energy of 1 L: {PETROL_NET_CV_KWH_PER_L} kWh x 3.6 MJ/kWh x fossil share "
               f"{PETROL_FOSSIL_SHARE:.5f} / {CRUDE_OIL_NET_CV} MJ/kg (as the starter diesel)")

    steel_biw, al_biw = (360, 30) if bev else (335, 15)
    s.node("body_in_white", "Body-in-white and closures (press and weld supplier)", 1,
           "manufacturing", "item", note=f"{steel_biw} kg steel, {al_biw} kg aluminium")
    s.flow("body_in_white", "node", "steel_coil", steel_biw / 0.65, "kg", ESTIMATE,
           f"{steel_biw} kg of steel in the body at ~65 % blanking and stamping yield")
    s.flow("body_in_white", "node", "aluminium_sheet", al_biw / 0.65, "kg", ESTIMATE,
           f"{al_biw} kg aluminium bonnet and doors at ~65 % yield")
    s.flow("body_in_white", "process", "electricity_uk_grid_delivered",
           0.35 * (steel_biw + al_biw), "kWh", ESTIMATE, "presses and spot welding, 0.35 kWh/kg")

    steel_ch, al_ch = (220, 45) if bev else (200, 25)
    s.node("chassis_modules", "Chassis modules (axles, brakes, steering)", 1, "manufacturing",
           "item", note=f"{steel_ch} kg steel, {al_ch} kg aluminium castings")
    s.flow("chassis_modules", "node", "steel_coil", steel_ch / 0.87, "kg", ESTIMATE,
           f"{steel_ch} kg of steel parts at ~87 % yield (coil and bar; coil as proxy)")
    s.flow("chassis_modules", "node", "aluminium_castings", al_ch, "kg", ESTIMATE,
           "knuckles, subframe nodes, brake callipers")
    s.flow("chassis_modules", "process", "electricity_uk_grid_delivered", 60, "kWh", ESTIMATE,
           "machining and module assembly")
    s.flow("chassis_modules", "spend", "336340", 90, "GBP", epa("336340"),
           "brake pads, discs' friction material, bushings: engineering estimate")

    if bev:
        s.node("edrive_unit", "Electric drive unit (motor, inverter, reducer)", 1,
               "manufacturing", "item", location="DE", note="~90 kg")
        s.flow("edrive_unit", "node", "aluminium_castings", 25, "kg", ESTIMATE, "housings")
        s.flow("edrive_unit", "node", "steel_coil", 35 / 0.7, "kg", ESTIMATE,
               "35 kg electrical steel laminations and shafts at ~70 % yield (coil as proxy)")
        s.flow("edrive_unit", "process", "okobaudat_copper_pipe", 12, "kg",
               shipped("okobaudat_copper_pipe"),
               "12 kg copper windings (engineering estimate); ÖKOBAUDAT's bare copper tube as "
               "the proxy for drawn copper wire")
        s.flow("edrive_unit", "spend", "331410", 1.5 * 80, "USD", epa("331410", "USD"),
               "1.5 kg NdFeB magnets at ~USD 80/kg (rare-earth refining sector): engineering "
               "estimate")
        s.flow("edrive_unit", "spend", "334413", 250, "GBP", epa("334413"),
               "SiC/IGBT power modules: engineering estimate")
        s.flow("edrive_unit", "spend", "334418", 120, "GBP", epa("334418"),
               "inverter control boards: engineering estimate")
        s.flow("edrive_unit", "process", "electricity_grid_deu", 150, "kWh",
               EMBER.format(iso="DEU"), "machining, winding, assembly, end-of-line test: "
               "engineering estimate")
    else:
        s.node("ice_powertrain", "Petrol engine, gearbox and exhaust", 1, "manufacturing", "item",
               location="DE", note="~190 kg")
        s.flow("ice_powertrain", "node", "aluminium_castings", 65, "kg", ESTIMATE,
               "cylinder block and head, gearbox case")
        s.flow("ice_powertrain", "node", "steel_coil", 105 / 0.7, "kg", ESTIMATE,
               "105 kg crankshaft, gears, exhaust at ~70 % yield (coil as proxy for bar)")
        s.flow("ice_powertrain", "process", "uslci_pp", 8, "kg", shipped("uslci_pp"),
               "intake manifold, covers: engineering estimate (PP as proxy for PA and PP)")
        s.flow("ice_powertrain", "spend", "331410", 3 * 50, "USD", epa("331410", "USD"),
               "~3 g platinum-group metals in the catalyst at ~USD 50/g: engineering estimate")
        s.flow("ice_powertrain", "spend", "334418", 150, "GBP", epa("334418"),
               "engine control unit and sensors: engineering estimate")
        s.flow("ice_powertrain", "process", "electricity_grid_deu", 350, "kWh",
               EMBER.format(iso="DEU"), "machining, assembly and hot test: engineering estimate")

    s.node("tyres", "Tyres", 1, "manufacturing", "item", location="EU",
           note="9 kg passenger car tyre")
    s.flow("tyres", "spend", "326211_no_margins", 65, "GBP", epa("326211") + " (without margins)",
           "GBP 65 ex-works per tyre: engineering estimate; without margins because inbound "
           "freight is modelled in inbound_logistics")

    s.node("glazing", "Automotive glazing", 1, "manufacturing", "kg", location="EU")
    s.flow("glazing", "process", "okobaudat_flat_glass", 1.1 / FLAT_GLASS_KG_PER_M2, "m2",
           shipped("okobaudat_flat_glass"),
           f"1.1 kg of float glass at ~90 % cutting yield (engineering estimate) / "
           f"{FLAT_GLASS_KG_PER_M2:g} kg per m2 of the 4 mm pane")
    s.flow("glazing", "process", "plastics_average_primary", 0.03, "kg", DESNZ_SHIPPED,
           "PVB interlayer of laminated glass: engineering estimate")
    s.flow("glazing", "process", "electricity_grid_eu", 1.0, "kWh", EMBER.format(iso="EU"),
           "bending, tempering and laminating: engineering estimate")

    s.node("plastic_parts", "Injection-moulded plastic parts", 1, "manufacturing", "kg")
    s.flow("plastic_parts", "process", "uslci_pp", 1.08, "kg", shipped("uslci_pp"),
           "PP (with ABS and PA, booked as PP) at ~93 % moulding yield: engineering estimate")
    s.flow("plastic_parts", "process", "electricity_uk_grid_delivered", 1.5, "kWh",
           DESNZ_SHIPPED, "injection moulding ~1.5 kWh/kg: engineering estimate")

    copper = 22 if bev else 18
    s.node("electronics_harness", "Wiring harness and electronics", 1, "manufacturing", "item",
           note=f"{copper} kg copper")
    s.flow("electronics_harness", "node", "wiring_harness", 1, "item", "model structure", "")
    s.flow("electronics_harness", "spend", "334418", 600 if bev else 450, "GBP", epa("334418"),
           "ECUs, infotainment, displays: engineering estimate")
    s.flow("electronics_harness", "spend", "336320", 350 if bev else 250, "GBP", epa("336320"),
           ("on-board charger, DC/DC converter, lamps" if bev
            else "alternator, starter, lamps") + ": engineering estimate")
    s.flow("electronics_harness", "spend", "335911", 60, "GBP", epa("335911"),
           "12 V lead-acid battery: engineering estimate")

    s.node("other_parts", "Other bought-in parts", 1, "manufacturing", "item",
           note="HVAC module, lamps, mirrors, fasteners, fluids, " + (
               "thermal management" if bev else "fuel and cooling systems"))
    s.flow("other_parts", "spend", "336390_no_margins", 1_000 if bev else 1_200, "GBP",
           epa("336390") + " (without margins)",
           "parts not itemised above, ex-works: engineering estimate; without margins because "
           "inbound freight is modelled in inbound_logistics")

    s.node("seats_interior", "Seats and interior trim", 1, "manufacturing", "item")
    s.flow("seats_interior", "spend", "336360", 550, "GBP", epa("336360"),
           "seats, carpets, headliner, GBP 550 ex-works: engineering estimate")

    sea_tkm = (5_000 if bev else 0) + (700 if bev else 600) + (280 if bev else 263)
    s.node("inbound_logistics", "Inbound logistics (road, rail, sea)", 1, "transport", "item")
    s.flow("inbound_logistics", "process", "freight_hgv_diesel_tkm", 428 if bev else 405, "tkm",
           DESNZ_SHIPPED, "UK and EU parts by truck, ~0.9 t over 450 km: engineering estimate")
    s.flow("inbound_logistics", "node", "rail_freight", 99 if bev else 209, "tkm", ESTIMATE,
           ("e-drive 0.09 t" if bev else "powertrain 0.19 t")
           + " from Germany by rail via the Channel Tunnel, 1,100 km")
    s.flow("inbound_logistics", "node", "sea_freight", sea_tkm, "tkm", ESTIMATE,
           ("cells 0.25 t x 20,000 km from China + " if bev else "")
           + "electronics ~0.03 t x 20,000 km from Asia + steel coil ~0.75 t x 350 km "
           "short-sea")

    if bev:
        s.node("battery_pack", f"Battery pack assembly ({PACK_KWH} kWh)", 1, "manufacturing",
               "item", note="~380 kg: cells at 250 Wh/kg + housing")
        s.flow("battery_pack", "node", "cell_manufacturing", PACK_KWH, "kWh",
               "pack size as the VW ID.3 Pro (58 kWh net / 62 kWh gross, Volkswagen data)",
               "cell capacity in the pack")
        s.flow("battery_pack", "node", "aluminium_sheet", 80, "kg", ESTIMATE,
               "housing, cooling plates, module frames")
        s.flow("battery_pack", "node", "steel_coil", 25, "kg", ESTIMATE,
               "underbody protection plate and fixings")
        s.flow("battery_pack", "process", "uslci_pp", 15, "kg", shipped("uslci_pp"),
               "thermal interface, covers, seals (booked as PP): engineering estimate")
        s.flow("battery_pack", "spend", "334418", 150, "GBP", epa("334418"),
               "battery management system: engineering estimate")
        s.flow("battery_pack", "process", "okobaudat_copper_pipe", 5, "kg",
               shipped("okobaudat_copper_pipe"),
               "5 kg copper busbars: engineering estimate (copper tube as proxy)")
        s.flow("battery_pack", "process", "electricity_uk_grid_delivered", 50, "kWh",
               DESNZ_SHIPPED, "pack assembly and end-of-line test: engineering estimate")

    # -- tier 2 -----------------------------------------------------------------------------
    s.node("steel_coil", "Galvanised steel coil (integrated mill)", 2, "materials", "kg",
           location="NL")
    s.flow("steel_coil", "process", "okobaudat_steel_sheet_galvanised", 1, "kg",
           shipped("okobaudat_steel_sheet_galvanised"),
           f"hot-dip galvanised sheet, {STEEL_COIL_GWP:.3f} kg CO2e/kg (EN 15804 GWP), as "
           "proxy for automotive coil")

    s.node("aluminium_sheet", "Aluminium sheet (rolling mill)", 2, "materials", "kg",
           location="DE")
    s.flow("aluminium_sheet", "process", "okobaudat_aluminium_sheet", 1, "kg",
           shipped("okobaudat_aluminium_sheet"),
           "rolled sheet, cradle to gate (A1-A3 includes casting and rolling, so the mill's "
           "rolling energy is not added)")

    s.node("aluminium_castings", "Aluminium die and sand castings", 2, "manufacturing", "kg")
    s.flow("aluminium_castings", "node", "aluminium_alloy_ingot", 1.1, "kg", ESTIMATE,
           "~90 % metal yield after gates, risers and machining")
    s.flow("aluminium_castings", "process", "natural_gas_combustion_kwh", 1.5, "kWh",
           DESNZ_SHIPPED, "melting and holding furnaces: engineering estimate")
    s.flow("aluminium_castings", "process", "electricity_uk_grid_delivered", 1.0, "kWh",
           DESNZ_SHIPPED, "die-casting cells, heat treatment, machining: engineering estimate")

    s.node("wiring_harness", "Wiring harness", 2, "manufacturing", "item", location="MA",
           note=f"{copper} kg copper")
    s.flow("wiring_harness", "process", "okobaudat_copper_pipe", copper, "kg",
           shipped("okobaudat_copper_pipe"),
           f"{copper} kg copper wire: engineering estimate (copper tube as proxy for wire)")
    s.flow("wiring_harness", "process", "uslci_pvc", 8, "kg", shipped("uslci_pvc"),
           "PVC insulation, connectors, clips (booked as PVC): engineering estimate")
    s.flow("wiring_harness", "process", "electricity_grid_mar", 20, "kWh",
           EMBER.format(iso="MAR"), "harness assembly in Morocco: engineering estimate")

    s.node("rail_freight", "Rail freight (electric and diesel mix)", 2, "transport", "tkm")
    s.gases("rail_freight", 1, "27_315_3151_14", 0.02749, 0.00002, 0.00028,
            "freight train, tonne.km")
    s.flow("rail_freight", "emission", "co2_fossil", 0.00691, "kg",
           desnz("28_911_3151_14_1", "WTT freight train"), "well-to-tank, booked as fossil CO2")

    s.node("sea_freight", "Sea freight (container ship, average)", 2, "transport", "tkm")
    s.gases("sea_freight", 1, "27_320_3235_14", 0.01592, 0.00001, 0.00019,
            "container ship, average, tonne.km")
    s.flow("sea_freight", "emission", "co2_fossil", 0.00365, "kg",
           desnz("28_916_3235_14_1", "WTT container ship"), "well-to-tank, booked as fossil CO2")

    if bev:
        s.node("cell_manufacturing", "Battery cell manufacturing (NMC811, pouch)", 2,
               "manufacturing", "kWh", location="CN", note="per kWh of cell capacity")
        s.flow("cell_manufacturing", "process", "electricity_grid_chn", CELL_KWH_PER_KWH, "kWh",
               EMBER.format(iso="CHN"),
               f"{CELL_KWH_PER_KWH} kWh per kWh of cells (electrode drying, dry rooms, formation):"
               " engineering estimate within the ~20-60 kWh/kWh published for large cell "
               "factories (e.g. Degen et al., Nature Energy 8, 2023; Emilsson & Dahllof, IVL "
               "report C444, 2019)")
        s.flow("cell_manufacturing", "node", "cathode_active_material", CAM_KG_PER_KWH, "kg",
               CELL, f"1 / (0.200 Ah/g x 3.7 V) x 1.05 = {CAM_KG_PER_KWH:.3f} kg per kWh")
        s.flow("cell_manufacturing", "node", "anode_graphite", ANODE_KG_PER_KWH, "kg", CELL,
               f"1 / (0.350 Ah/g x 3.7 V) x 1.1 x 1.05 = {ANODE_KG_PER_KWH:.3f} kg per kWh")
        s.flow("cell_manufacturing", "process", "okobaudat_copper_pipe", 0.45, "kg",
               shipped("okobaudat_copper_pipe"),
               "0.45 kg copper foil per kWh: engineering estimate (copper tube as proxy)")
        s.flow("cell_manufacturing", "process", "okobaudat_aluminium_sheet", 0.55, "kg",
               shipped("okobaudat_aluminium_sheet"),
               "0.20 kg aluminium foil + 0.35 kg pouch/can per kWh: engineering estimate")
        s.flow("cell_manufacturing", "spend", "325199", 0.55 * 7, "USD", epa("325199", "USD"),
               "0.55 kg electrolyte (LiPF6 in carbonates) per kWh at ~USD 7/kg: engineering "
               "estimate")
        s.flow("cell_manufacturing", "process", "uslci_hdpe", 0.07, "kg", shipped("uslci_hdpe"),
               "PE separator 0.07 kg per kWh: engineering estimate")

    # -- tier 3 -----------------------------------------------------------------------------
    s.node("aluminium_alloy_ingot", "Aluminium casting alloy (50 % recycled)", 3, "materials",
           "kg")
    s.flow("aluminium_alloy_ingot", "process", "uslci_aluminium_primary", 0.5, "kg",
           shipped("uslci_aluminium_primary"),
           "half primary metal: engineering estimate (USLCI's ingot records no fossil energy: "
           "its inventory links no fossil resource, 'fossil_energy n/a' in inventories/"
           "materials; coverage names it)")
    s.flow("aluminium_alloy_ingot", "process", "natural_gas_combustion_kwh", 0.5 * 1.2, "kWh",
           DESNZ_SHIPPED, "remelting the recycled half, ~1.2 kWh/kg (scrap enters burden-free, "
           "cut-off): engineering estimate")

    if bev:
        s.node("cathode_active_material", "Cathode active material (NMC811)", 3, "materials",
               "kg", location="CN")
        rest = CAM_USD_PER_KG - LI2CO3_KG_PER_KG_CAM * LI2CO3_USD_PER_KG
        s.flow("cathode_active_material", "process", "tiangong_lithium_carbonate_cn",
               LI2CO3_KG_PER_KG_CAM, "kg", f"{CELL}; {shipped('tiangong_lithium_carbonate_cn')}",
               f"lithium: {CAM_METAL_FRACTION['Li']:.5f} kg Li per kg LiNi0.8Mn0.1Co0.1O2 / "
               f"{LI_IN_LI2CO3:.5f} kg Li per kg Li2CO3 (IUPAC atomic weights); lithium "
               "carbonate from spodumene (Jiangsu) as the proxy for the hydroxide NMC811 uses")
        s.flow("cathode_active_material", "spend", "325180", rest, "USD", epa("325180", "USD"),
               f"USD {CAM_USD_PER_KG:g}/kg NMC811 (engineering estimate of the 2024 price) less "
               f"the lithium carbonate bought above ({LI2CO3_KG_PER_KG_CAM:.3f} kg x USD "
               f"{LI2CO3_USD_PER_KG:g}/kg, engineering estimate) on other basic inorganic "
               "chemicals: a spend screening of the Ni/Mn/Co precursor and calcination")
        for element, flow in METAL_FLOWS.items():
            s.flow("cathode_active_material", "resource", flow, CAM_METAL_FRACTION[element],
                   "kg", f"{CELL}; stoichiometry of LiNi0.8Mn0.1Co0.1O2 with the IUPAC "
                   "standard atomic weights (CIAAW 2021)",
                   f"{element} contained in 1 kg of cathode ({CAM_METAL_FRACTION[element]:.5f} "
                   "kg), booked as the metal taken from the ground (yield losses of mining and "
                   "refining not added; the spend and TianGong data record no ores)")
        s.node("anode_graphite", "Synthetic graphite anode material", 3, "materials", "kg",
               location="CN")
        s.flow("anode_graphite", "process", "electricity_grid_chn", 10, "kWh",
               EMBER.format(iso="CHN"),
               "graphitisation and milling ~10 kWh/kg: engineering estimate")
        s.flow("anode_graphite", "spend", "324199", 1.2 * 1.5, "USD", epa("324199", "USD"),
               "1.2 kg needle/petroleum coke at ~USD 1.5/kg: engineering estimate")

    return {
        "readme": _readme(variant),
        "case": _case_sheet(variant),
        "nodes": [NODE_HEADER, *s.nodes],
        "flows": [FLOW_HEADER, *s.flows],
        "interventions": _interventions(variant),
    }


NODE_HEADER = ["id", "name", "tier", "stage", "location", "output_amount", "output_unit", "note"]
FLOW_HEADER = ["node", "kind", "input", "amount", "unit", "source", "comment"]


def _case_sheet(variant: str) -> list[list]:
    label = "battery-electric" if variant == "bev" else "petrol (ICE)"
    return [
        ["field", "value"],
        ["name", f"Automotive supply chain: C-segment car, {label}"],
        ["reference_node", "car_life_cycle"],
        ["reference_amount", 1],
        ["functional_unit", "one C-segment passenger car made at a UK plant and driven "
                            "200,000 km in the UK"],
        ["annual_volume", ANNUAL_VOLUME],
        ["currency", "GBP"],
        ["year", YEAR],
        ["region", "GB"],
        ["description",
         f"A {label} C-segment car: tier-1 to tier-3 suppliers, inbound logistics by road, "
         "rail and sea, assembly-plant energy and 200,000 km of use. Built by "
         "examples/automotive_supply_chain/build_workbook.py."],
        ["discount_rate", 0.035],
    ]


def _readme(variant: str) -> list[list]:
    return [
        ["readme"],
        [f"Automotive supply chain ({variant}): a scenat case workbook."],
        ["Sheets case, nodes, flows and interventions are read by scenat; this sheet is not."],
        ["Flows are per the node's output_amount of output_unit; every row names its source."],
        ["Regenerate from examples/automotive_supply_chain/build_workbook.py."],
        ["Run: scenat assess car_bev.xlsx ; scenat compare car_ice.xlsx car_bev.xlsx"],
    ]


INTERVENTION_HEADER = [
    "id", "name", "category", "description", "match_input", "match_kind", "match_node",
    "match_stage", "match_tier", "unit", "action", "share", "factor", "to", "capex",
    "capex_basis", "opex_change", "opex_basis", "lifetime", "currency", "source_effect",
    "source_capex", "source_opex", "source_lifetime",
]
# Library entries that act on every electricity flow would also act on the BEV's charging
# electricity (the driver's, not the supply chain's): the case sheet overrides them (same
# id) restricted to the production stages.
PRODUCTION_STAGES = "materials|manufacturing|assembly|transport"
RESTRICTED_LIBRARY_ENTRIES = (
    "led_lighting",
    "electrical_controls",
    "vsd_motors",
    "compressed_air_leaks",
    "rooftop_solar_pv",
    "renewable_electricity_ppa",
)


def _library_overrides() -> list[list]:
    import csv

    library = HERE.parents[1] / "inventories" / "interventions" / "library.csv"
    with library.open(newline="", encoding="utf-8") as handle:
        entries = {row["id"]: row for row in csv.DictReader(handle)}
    rows = []
    for entry_id in RESTRICTED_LIBRARY_ENTRIES:
        entry = dict(entries[entry_id])
        entry["match_stage"] = PRODUCTION_STAGES
        entry["description"] = (
            entry["description"] + " Case override: production stages only (not the "
            "use-phase charging electricity)."
        )
        rows.append([entry.get(column, "") for column in INTERVENTION_HEADER])
    return rows


GREEN_STEEL_T = 0.7  # t CO2e per t of hydrogen-DRI + EAF steel on low-carbon power


def _interventions(variant: str) -> list[list]:
    rows = [
        [
            "recycled_aluminium", "Recycled aluminium in castings and sheet", "materials",
            "Suppliers raise recycled content: 75 % of the primary aluminium in casting alloy "
            "and rolled sheet is replaced by post-consumer scrap.",
            "uslci_aluminium_primary|okobaudat_aluminium_sheet", "process",
            "aluminium_alloy_ingot|aluminium_sheet", "", "", "t", "substitute", 0.75, 1,
            "uslci_aluminium_secondary", 0, "fixed", 100, "per_unit_year", 5, "GBP",
            "75 % of the metal bought as USLCI's secondary (recycled) ingot, kg for kg; "
            "rolling of the recycled share not added", "no investment: a sourcing change",
            "premium GBP 100/t " + LIBRARY.format(id="recycled_aluminium"),
            "supply contract term",
        ],
        [
            "green_steel", "Near-zero steel (hydrogen DRI + EAF) for coil", "materials",
            "The coil supplier switches to hydrogen direct-reduced iron melted in an electric "
            "arc furnace on low-carbon power.", "okobaudat_steel_sheet_galvanised", "process",
            "steel_coil", "", "", "t", "scale", 1, round(GREEN_STEEL_T / STEEL_COIL_GWP, 4), "",
            0, "fixed", 150, "per_unit_year", 5, "GBP",
            f"{ESTIMATE}: {GREEN_STEEL_T} t CO2e/t for H2-DRI-EAF steel (published values "
            f"~0.3-1.0 t/t) over ÖKOBAUDAT's galvanised sheet {STEEL_COIL_GWP:.4f} t/t",
            "no investment by the car maker: a sourcing change",
            f"{ESTIMATE}: GBP 150/t green premium (~20-25 % on coil)",
            "supply contract term",
        ],
        [
            "rail_instead_of_road", "Rail instead of road for inbound parts", "logistics",
            "60 % of inbound truck tonne-km move to rail through a new siding at the plant.",
            "freight_hgv_diesel_tkm", "process", "inbound_logistics", "", "", "tkm", "substitute",
            0.6, 1, "rail_freight", 1_500_000, "fixed", -0.01, "per_unit_year", 20, "GBP",
            f"{ESTIMATE}: 60 % of road tonne-km (long-haul EU parts), same distance by rail",
            f"{ESTIMATE}: rail siding and transfer equipment at the plant",
            f"{ESTIMATE}: rail GBP 0.01/tkm cheaper than truck on long haul",
            f"{ESTIMATE}: siding life",
        ],
        [
            "supplier_renewable_power", "Suppliers buy renewable power", "energy",
            "Tier-1 to tier-3 suppliers buy hydro/wind electricity (PPA); modelled as the "
            "Norwegian grid (Ember life-cycle 31 g/kWh, mostly hydro).", "category:electricity",
            "process", "", "", "1|2|3", "kWh", "substitute", 1, 1, "electricity_grid_nor", 0,
            "fixed", 0.005, "per_unit_year", 10, "GBP",
            EMBER.format(iso="NOR") + " as the renewable supply",
            "no investment: supply contracts",
            "premium GBP 0.005/kWh " + LIBRARY.format(id="renewable_electricity_ppa"),
            "contract term",
        ],
    ]
    if variant == "bev":
        rows.insert(2, [
            "cell_plant_low_carbon_power", "Battery cells made on a low-carbon grid", "energy",
            "Cells come from a plant on a low-carbon grid (e.g. in Sweden) instead of the "
            "Chinese grid: the cell factory's electricity moves from CHN to SWE.",
            "electricity_grid_chn", "process", "cell_manufacturing", "", "", "kWh", "substitute",
            1, 1, "electricity_grid_swe", 0, "fixed", 0.03, "per_unit_year", 10, "GBP",
            EMBER.format(iso="CHN") + " -> " + EMBER.format(iso="SWE"),
            "no investment by the car maker: a sourcing change",
            f"{ESTIMATE}: cell price premium equal to GBP 0.03 per kWh of factory electricity "
            "(~GBP 1 per kWh of cells)",
            "supply contract term",
        ])
    rows += _library_overrides()
    assert all(len(row) == len(INTERVENTION_HEADER) for row in rows)
    return [INTERVENTION_HEADER, *rows]


NOTES = {
    "flows": {
        "amount": "per the node's output_amount of output_unit",
        "source": "where the number comes from",
    },
}


def main() -> None:
    for variant in ("ice", "bev"):
        path = write_sheets(build(variant), HERE / f"car_{variant}.xlsx", notes=NOTES)
        print(f"written {path.relative_to(HERE.parents[1])}")


if __name__ == "__main__":
    main()
