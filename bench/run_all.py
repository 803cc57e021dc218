"""Run every benchmark in bench/ and print one table.

Run: python bench/run_all.py [--quick] [--only NAME[,NAME...]]

Each ``bench/bench_*.py`` runs in its own process (the same Python), its full output saved to
``bench/out/<name>.txt``. Every benchmark prints a table whose header starts with ``figure`` or
``benchmark`` and whose columns are separated by two or more spaces; the rows of all of them
are gathered here into one table: benchmark, figure, then the benchmark's own columns (value,
floor or ratio, target: each script's docstring says what its floor is). ``--quick`` runs
smaller sizes (a smoke test of the scripts, not figures to quote).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUICK = {
    "bench_foreground_scale": ["--sizes", "100,1000"],
    "bench_distributed_scale": [
        "--case",
        "",
        "--nodes",
        "300",
        "--variants",
        "4",
        "--iterations",
        "100",
        "--chunk",
        "50",
    ],
    "bench_foundation": ["--repeat", "1"],
    "bench_hotspots": ["--processes", "3000", "--repeat", "1", "--iterations", "200"],
    "bench_interventions": ["--processes", "3000", "--interventions", "20"],
    "bench_monte_carlo": ["--nodes", "1000", "--background", "500", "--iterations", "100"],
    "bench_scale": [
        "--processes",
        "3000",
        "--repeat",
        "1",
        "--mc-iterations",
        "20",
        "--bw2calc-iterations",
        "2",
        "--dask-iterations",
        "100",
        "--ledger-rows",
        "100000",
    ],
}


def parse_table(text: str) -> list[list[str]]:
    """Rows of the table(s) a benchmark printed: after a header line starting with 'figure'
    or 'benchmark', every line split on runs of two or more spaces."""
    rows: list[list[str]] = []
    header = None
    for line in text.splitlines():
        stripped = line.strip()
        first = stripped.split(" ", 1)[0].lower() if stripped else ""
        if first in ("figure", "benchmark"):
            header = re.split(r"\s{2,}|\s(?=\S)", stripped)
            continue
        if header is None or not stripped:
            continue
        cells = re.split(r"\s{2,}", stripped)
        if len(cells) >= 2:
            rows.append(cells)
        elif line.startswith(" "):  # a note under a row: keep it with the table
            rows.append([stripped])
    return rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test")
    parser.add_argument("--only", help="comma-separated benchmark names, e.g. bench_scale")
    args = parser.parse_args()
    scripts = sorted(HERE.glob("bench_*.py"))
    if args.only:
        wanted = {n if n.startswith("bench_") else f"bench_{n}" for n in args.only.split(",")}
        scripts = [s for s in scripts if s.stem in wanted]
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    # the scripts import scenat from this checkout, installed or not
    env = dict(os.environ)
    env["PYTHONPATH"] = str(HERE.parent) + os.pathsep + env.get("PYTHONPATH", "")
    table: list[tuple[str, list[str]]] = []
    failed = []
    for script in scripts:
        extra = QUICK.get(script.stem, []) if args.quick else []
        print(f"running {script.name} {' '.join(extra)}", file=sys.stderr, flush=True)
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, str(script), *extra], capture_output=True, text=True, env=env
        )
        seconds = time.perf_counter() - start
        (out / f"{script.stem}.txt").write_text(done.stdout + "\n--- stderr\n" + done.stderr)
        if done.returncode != 0:
            failed.append(script.stem)
            table.append((script.stem, [f"FAILED (exit {done.returncode}), see bench/out"]))
            continue
        rows = parse_table(done.stdout)
        table.extend((script.stem, r) for r in rows)
        table.append((script.stem, [f"(wall time of the script: {seconds:.0f} s)"]))
    width = max((len(r[0]) for _, r in table), default=10)
    width = min(max(width, 30), 70)
    print(f"{'benchmark':<20} {'figure':<{width}}  columns: value, floor or ratio, target")
    for name, cells in table:
        figure, rest = cells[0], cells[1:]
        print(f"{name:<20} {figure:<{width}}  " + "  ".join(f"{c:>10}" for c in rest))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
