"""Hotspot engine at scale: breakdowns, structural paths and Monte Carlo against the floor.

Run: python bench/bench_hotspots.py [--processes 20000] [--repeat 3]

Synthetic hub-like background (bench/synthetic.py: 1/rank^1.3 supplier draws, seed 1) of
N processes with ~10 inputs each, plus a 30-node foreground over 4 tiers with a loop.
Floor: one SuperLU factorisation of the transposed technosphere plus one solve with
scipy's `splu`, on the same matrix, in the same run.
Figures:
- factorise: scenat's FactorisedSystem (the same splu call bw2calc makes)
- breakdowns: totals + node/tier/stage/process/flow tables for 4 indicators
- paths: top 100 structural paths, cutoff 1e-3, for gwp100 (incl. the adjoint solve)
- mc_per_s: Monte Carlo iterations per second, every foreground flow uncertain
Targets (issue 4): breakdowns within 3x the floor; Monte Carlo >= 50 iterations/s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from scipy.sparse.linalg import splu

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from synthetic import linked_system  # noqa: E402

from scenat.calc import compute_breakdowns  # noqa: E402
from scenat.calc.solver import FactorisedSystem  # noqa: E402
from scenat.calc.structural_paths import structural_paths  # noqa: E402
from scenat.model.indicators import default_indicators  # noqa: E402
from scenat.uncertainty.foreground import monte_carlo  # noqa: E402


def _median_time(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--processes", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=2000)
    args = parser.parse_args()

    start = time.perf_counter()
    case, linked = linked_system(args.processes)
    built = time.perf_counter() - start
    matrix = linked.technosphere
    demand = linked.demand

    def floor() -> None:
        factor = splu(matrix.T.tocsc())
        factor.solve(demand, trans="T")

    floor_s = _median_time(floor, args.repeat)
    factorise_s = _median_time(
        lambda: FactorisedSystem.from_matrix(matrix).solve(demand), args.repeat
    )
    indicators = default_indicators()

    def breakdowns() -> None:
        linked._scores.clear()
        compute_breakdowns(case, linked, indicators)

    breakdowns_s = _median_time(breakdowns, args.repeat)

    def paths() -> None:
        structural_paths(
            matrix,
            linked.biosphere,
            linked.cf["gwp100"],
            demand,
            top=100,
            cutoff=1e-3,
            solver=linked.solver,
        )

    paths_s = _median_time(paths, args.repeat)
    found = structural_paths(
        matrix,
        linked.biosphere,
        linked.cf["gwp100"],
        demand,
        top=100,
        cutoff=1e-3,
        solver=linked.solver,
    )
    start = time.perf_counter()
    mc = monte_carlo(case, iterations=args.iterations, seed=1, linked=linked)
    mc_s = time.perf_counter() - start
    per_s = args.iterations / mc_s
    nnz = matrix.nnz

    print(
        f"synthetic background: {args.processes} processes, {nnz} technosphere non-zeros, "
        f"{len(case.nodes)} foreground nodes (built in {built:.1f} s)"
    )
    print(
        f"paths: {len(found.paths)} listed, coverage {100 * found.coverage:.1f} %, "
        f"{found.explored} explored"
    )
    print(f"{'figure':<34} {'seconds':>9} {'x floor':>8} {'target':>10}")
    print(f"{'floor: splu(A^T) + 1 solve':<34} {floor_s:>9.3f} {1.0:>8.2f} {'-':>10}")
    print(
        f"{'factorise + solve (scenat)':<34} {factorise_s:>9.3f} {factorise_s / floor_s:>8.2f} "
        f"{'-':>10}"
    )
    print(
        f"{'breakdowns, 4 indicators':<34} {breakdowns_s:>9.3f} "
        f"{breakdowns_s / floor_s:>8.2f} {'<= 3x':>10}"
    )
    both = factorise_s + breakdowns_s
    print(f"{'factorise + breakdowns':<34} {both:>9.3f} {both / floor_s:>8.2f} {'-':>10}")
    print(f"{'paths top 100, cutoff 1e-3':<34} {paths_s:>9.3f} {paths_s / floor_s:>8.2f} {'-':>10}")
    print(f"{'monte carlo, iterations/s':<34} {per_s:>9.0f} {'':>8} {'>= 50/s':>10}")
    print(
        f"  ({args.iterations} iterations in {mc_s:.2f} s, mean gwp100 "
        f"{np.mean(mc.totals['gwp100']):.4g}, deterministic {mc.deterministic['gwp100']:.4g})"
    )


if __name__ == "__main__":
    main()
