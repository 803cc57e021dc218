"""Evaluating many interventions: foreground re-solve against the floor and a full re-assessment.

Run: python bench/bench_interventions.py [--processes 20000] [--interventions 200]

Case: bench/synthetic.py (hub-like background, 1/rank^1.3 supplier draws, seed 1; 30
foreground nodes). Interventions (seed 2): each either scales one foreground flow (0.3-0.9)
or substitutes the background process a flow buys with another one, as the library's
`scale` and `substitute` actions do.
Figures:
- floor: one splu factorisation of the technosphere + one solve per intervention
- scenat: every intervention applied to a copy of the case and scored by the foreground
  re-solve (scenat.calc.foreground), background intensities from one adjoint solve per indicator
- full: a new factorisation + solve + breakdowns per intervention, measured on 3 of them and
  scaled to the count (what re-running an assessment per intervention costs at least)
Targets (issue 5): within 3x the floor; at least 50x faster than the full re-assessment.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy.sparse.linalg import splu

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from synthetic import linked_system  # noqa: E402

from scenat.assessment import ForegroundResolver  # noqa: E402
from scenat.calc import compute_breakdowns  # noqa: E402
from scenat.calc.solver import FactorisedSystem  # noqa: E402
from scenat.model.indicators import default_indicators  # noqa: E402


def modified_cases(case, keys, count: int, seed: int):
    rng = np.random.default_rng(seed)
    background = [k for k in keys if k.startswith("p")]
    out = []
    for _ in range(count):
        flows = list(case.flows)
        i = int(rng.integers(len(flows)))
        flow = flows[i]
        if flow.kind == "process" and rng.random() < 0.5:
            flows[i] = replace(flow, input=background[int(rng.integers(len(background)))])
        else:
            factor = float(rng.uniform(0.3, 0.9))
            flows[i] = replace(
                flow,
                amount=flow.amount * factor,
                amount_in_reference=flow.amount_in_reference * factor,
            )
        out.append(case.copy(flows=flows))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--processes", type=int, default=20_000)
    parser.add_argument("--interventions", type=int, default=200)
    args = parser.parse_args()
    case, linked = linked_system(args.processes)
    variants = modified_cases(case, linked.activity_keys, args.interventions, seed=2)
    ids = [i.id for i in default_indicators()]

    start = time.perf_counter()
    factor = splu(linked.technosphere.T.tocsc())
    rng = np.random.default_rng(0)
    for _ in range(args.interventions):
        factor.solve(rng.random(len(linked.demand)), trans="T")
    floor = time.perf_counter() - start

    start = time.perf_counter()
    linked._scores.clear()
    resolver = ForegroundResolver(case, linked=linked, indicators=ids)
    results = [resolver(variant, ids) for variant in variants]
    scenat_s = time.perf_counter() - start

    sample = variants[:3]
    start = time.perf_counter()
    for _variant in sample:
        FactorisedSystem.from_matrix(linked.technosphere).solve(linked.demand)
        linked._scores.clear()
        compute_breakdowns(case, linked, default_indicators())
    full = (time.perf_counter() - start) / len(sample) * args.interventions

    changed = sum(abs(r["gwp100"] - resolver(case, ids)["gwp100"]) > 0 for r in results)
    print(
        f"synthetic background {args.processes} processes; {args.interventions} "
        f"interventions ({changed} change gwp100)"
    )
    print(f"{'figure':<44} {'seconds':>9} {'ratio':>9} {'target':>9}")
    print(f"{'floor: 1 splu + 1 solve per intervention':<44} {floor:>9.3f} {1.0:>9.2f} {'-':>9}")
    print(
        f"{'scenat foreground re-solve, all':<44} {scenat_s:>9.3f} "
        f"{scenat_s / floor:>9.2f} {'<= 3x':>9}"
    )
    print(
        f"{'full re-assessment per intervention (est.)':<44} {full:>9.3f} "
        f"{full / scenat_s:>9.1f}x {'>= 50x':>9}"
    )


if __name__ == "__main__":
    main()
