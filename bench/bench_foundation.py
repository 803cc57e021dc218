"""Foundation benchmark: first-use set-up and a later `scenat assess`, against floors.

Run: python bench/bench_foundation.py [--repeat N]

Figures (wall seconds, median of N runs, each in a fresh process as a user would see them):
- setup_first_use: `scenat setup` in an empty SCENAT_HOME (biosphere3, 4 methods,
  background databases from inventories/). Floor: `bw2io.create_default_biosphere3()`
  alone in a fresh project (the part of the work that no set-up can skip).
- assess_cli: `scenat assess bicycle --json` once the project exists. Floor: a process
  that only imports bw2calc (which imports bw2data) and opens the project; no assessment
  can start sooner.
- assess_in_process: `scenat.assess(case)` in a warm process. Floor: bare bw2calc on the
  same datapackages (LCA build, factorise, solve, characterise each indicator).
The ratio column is figure / floor. Nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _env(home: str) -> dict[str, str]:
    return {**os.environ, "SCENAT_HOME": home, "PYTHONPATH": str(REPO)}


def _timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


FLOOR_SETUP = """
import os, warnings
warnings.simplefilter("ignore")
os.environ["BRIGHTWAY2_DIR"] = os.environ["SCENAT_HOME"]
import bw2data as bd, bw2io
bd.projects.set_current("floor")
bw2io.create_default_biosphere3()
"""

FLOOR_OPEN = """
import os, warnings, gc
warnings.simplefilter("ignore")
os.environ["BRIGHTWAY2_DIR"] = os.path.join(os.environ["SCENAT_HOME"], "brightway")
import bw2calc, bw2data as bd
gc.freeze()
bd.projects.set_current("scenat")
"""


def _in_process(repeat: int) -> tuple[float, float]:
    import scenat
    from scenat.paths import examples_dir

    case = scenat.read_case(examples_dir() / "bicycle")
    scenat.assess(case)  # warm: project opened, imports done
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        scenat.assess(case)
        runs.append(time.perf_counter() - start)
    # Floor: bare bw2calc on the same datapackages (build matrices, factorise, solve,
    # characterise each indicator), without scenat's per-node attribution and tables.
    import warnings

    import bw2calc as bc

    from scenat.brightway.link import build_foreground, foreground_datapackage
    from scenat.brightway.project import ensure_project

    project = ensure_project()
    system = build_foreground(case, project)
    floors = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(repeat):
            start = time.perf_counter()
            lca = bc.LCA(
                {system.node_ids[case.reference_node]: 1.0},
                data_objs=[*project.background_datapackages(), foreground_datapackage(system)],
            )
            lca.lci(factorize=True)
            for indicator in project.methods:
                lca.switch_method([project.method_datapackage(indicator)])
                lca.lcia_calculation()
            floors.append(time.perf_counter() - start)
    return statistics.median(runs), statistics.median(floors)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    py = sys.executable
    rows = []

    setups, floors = [], []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as home:
            setups.append(_timed([py, "-m", "scenat.cli", "setup"], _env(home)))
        with tempfile.TemporaryDirectory() as home:
            floors.append(_timed([py, "-c", FLOOR_SETUP], _env(home)))
    rows.append(("setup_first_use", statistics.median(setups), statistics.median(floors), 15.0))

    with tempfile.TemporaryDirectory() as home:
        subprocess.run(
            [py, "-m", "scenat.cli", "setup"],
            env=_env(home),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        cmd = [py, "-m", "scenat.cli", "assess", "bicycle", "--json"]
        runs = [_timed(cmd, _env(home)) for _ in range(args.repeat)]
        opens = [_timed([py, "-c", FLOOR_OPEN], _env(home)) for _ in range(args.repeat)]
        rows.append(("assess_cli", statistics.median(runs), statistics.median(opens), 3.0))
        os.environ["SCENAT_HOME"] = home
        warm, floor = _in_process(args.repeat * 5)
        rows.append(("assess_in_process", warm, floor, None))

    print(f"{'benchmark':<20} {'seconds':>9} {'floor s':>9} {'ratio':>7} {'target s':>9}")
    for name, value, floor, target in rows:
        target_text = f"{target:.1f}" if target else "-"
        print(f"{name:<20} {value:>9.3f} {floor:>9.3f} {value / floor:>7.1f} {target_text:>9}")


if __name__ == "__main__":
    main()
