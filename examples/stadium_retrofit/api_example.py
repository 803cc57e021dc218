"""The scenat Python API on the stadium retrofit example (runs in a few seconds).

    python examples/stadium_retrofit/api_example.py

Reads the before and after workbooks, assesses them, lists hotspots and structural paths,
and evaluates the retrofit options (the case's own interventions sheet and the shipped
library), alone and as a package.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # run from a checkout without installing

import scenat  # noqa: E402
from scenat.assessment import ForegroundResolver  # noqa: E402
from scenat.interventions import case_interventions, evaluate, evaluate_combination  # noqa: E402


def main() -> None:
    before = scenat.read_case(HERE / "stadium_retrofit.xlsx")
    after = scenat.read_case(HERE / "stadium_retrofit_after.xlsx")
    print(f"{before.name}: {len(before.nodes)} nodes, {len(before.flows)} flows")
    print(f"functional unit: {before.functional_unit}\n")

    result = scenat.assess(before)
    total_t = result.total("gwp100") / 1000
    print(f"GWP100: {total_t:,.0f} t CO2e a year = {1000 * total_t / 80_000:.0f} kg per seat")
    print(f"fossil energy: {result.total('fossil_energy') / 1e6:,.1f} TJ a year\n")

    print("Top 5 nodes (t CO2e a year):")
    for row in result.hotspots("gwp100", by="node").head(5).iter_rows(named=True):
        print(f"  {row['label']:<45} {row['value'] / 1000:>8,.0f}  {100 * row['share']:5.1f} %")
    print("By stage:")
    for row in result.hotspots("gwp100", by="stage").iter_rows(named=True):
        print(f"  {row['label']:<45} {row['value'] / 1000:>8,.0f}  {100 * row['share']:5.1f} %")

    found = result.paths("gwp100", top=5)
    print(f"\nTop 5 supply-chain paths ({100 * found.coverage:.0f} % of the total listed):")
    for row in found.table.iter_rows(named=True):
        print(f"  {row['value'] / 1000:>8,.0f} t  {row['path']}")

    after_total = scenat.assess(after, indicators=["gwp100"]).total("gwp100") / 1000
    print(
        f"\nAfter the retrofit: {after_total:,.0f} t CO2e a year "
        f"({100 * (after_total / total_t - 1):+.1f} %)"
    )

    # Every applicable option, scored with the kept factorisation (fast re-solves).
    solve = ForegroundResolver(before, linked=result.linked)
    table = evaluate(before, indicators=["gwp100"], solve=solve)
    own = table.filter(table["origin"] == "case").sort("abatement_t_year", descending=True)
    print("\nThe case's retrofit options:")
    print(f"  {'id':<28} {'t CO2e/yr':>10} {'MAC GBP/t':>10} {'payback yr':>10}")
    for row in own.iter_rows(named=True):
        print(
            f"  {row['id']:<28} {row['abatement_t_year']:>10,.0f} {row['mac']:>10,.0f} "
            f"{row['payback_years']:>10.1f}"
        )

    # All seven together: overlaps (PPA after PV, heat pumps on a greener supply) are
    # evaluated as a combination, not summed.
    package = evaluate_combination(before, case_interventions(before), ["gwp100"], solve=solve)
    print(
        f"\nAll seven together: {package['abatement_t_year']:,.0f} t CO2e a year, "
        f"capex GBP {package['capex'] / 1e6:.1f} m, "
        f"annual cost GBP {package['annual_cost'] / 1e6:+.2f} m"
    )


if __name__ == "__main__":
    main()
