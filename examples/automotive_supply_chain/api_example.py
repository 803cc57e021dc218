"""The scenat Python API on the automotive supply chain example (runs in a few seconds).

    python examples/automotive_supply_chain/api_example.py

Assesses the petrol and battery-electric variants of one car, splits each into factory gate
and use phase, scores the battery per kWh, finds the break-even distance, lists hotspots and
structural paths, and ranks the supply-chain interventions for the BEV.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # run from a checkout without installing

import scenat  # noqa: E402
from scenat.assessment import ForegroundResolver  # noqa: E402
from scenat.interventions import evaluate  # noqa: E402

LIFETIME_KM = 200_000
PACK_KWH = 62
OWN = (  # the case's own options; its other interventions rows restrict library entries
    "recycled_aluminium",
    "green_steel",
    "cell_plant_low_carbon_power",
    "rail_instead_of_road",
    "supplier_renewable_power",
)


def gwp(case, reference_node: str | None = None, amount: float = 1.0) -> float:
    """kg CO2e of the case, or of ``amount`` of one of its nodes' output."""
    if reference_node is not None:
        case = case.copy(reference_node=reference_node, reference_amount=amount)
    return scenat.assess(case, indicators=["gwp100"]).total("gwp100")


def main() -> None:
    cars = {v: scenat.read_case(HERE / f"car_{v}.xlsx") for v in ("ice", "bev")}
    figures = {}
    for variant, case in cars.items():
        total = gwp(case)
        gate = gwp(case, "assembly_plant")
        figures[variant] = (total, gate)
        print(
            f"{variant.upper()}: {total / 1000:5.1f} t CO2e over 200,000 km "
            f"({1000 * total / LIFETIME_KM:.0f} g/km); factory gate {gate / 1000:4.1f} t, "
            f"use {(total - gate) / 1000:4.1f} t"
        )
    battery = gwp(cars["bev"], "battery_pack") / PACK_KWH
    print(f"Battery pack: {battery:.0f} kg CO2e per kWh ({PACK_KWH} kWh)")
    (ice_total, ice_gate), (bev_total, bev_gate) = figures["ice"], figures["bev"]
    ice_km = (ice_total - ice_gate) / LIFETIME_KM
    bev_km = (bev_total - bev_gate) / LIFETIME_KM
    print(f"Break-even distance: {(bev_gate - ice_gate) / (ice_km - bev_km):,.0f} km\n")

    result = scenat.assess(cars["bev"])
    print("BEV, top 5 nodes (kg CO2e):")
    for row in result.hotspots("gwp100", by="node").head(5).iter_rows(named=True):
        print(f"  {row['label']:<48} {row['value']:>8,.0f}  {100 * row['share']:5.1f} %")
    print("BEV, by tier:")
    for row in result.hotspots("gwp100", by="tier").iter_rows(named=True):
        print(f"  tier {row['key']:<43} {row['value']:>8,.0f}  {100 * row['share']:5.1f} %")
    found = result.paths("gwp100", top=5)
    print("BEV, top 5 supply-chain paths:")
    for row in found.table.iter_rows(named=True):
        print(f"  {row['value']:>8,.0f} kg  {row['path']}")

    solve = ForegroundResolver(cars["bev"], linked=result.linked)
    table = evaluate(cars["bev"], indicators=["gwp100"], solve=solve)
    own = table.filter(table["id"].is_in(OWN)).sort("abatement_t_year", descending=True)
    print("\nBEV supply-chain interventions at 150,000 cars a year:")
    print(f"  {'id':<30} {'t CO2e/yr':>10} {'kg/car':>8} {'MAC GBP/t':>10}")
    for row in own.iter_rows(named=True):
        print(
            f"  {row['id']:<30} {row['abatement_t_year']:>10,.0f} "
            f"{-row['change_gwp100']:>8,.0f} {row['mac']:>10,.0f}"
        )


if __name__ == "__main__":
    main()
