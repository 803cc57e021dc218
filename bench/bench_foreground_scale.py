"""Foreground scale: validate, assess (with paths) and interventions for 100 to 50,000 nodes.

Run: python bench/bench_foreground_scale.py [--sizes 100,1000,10000,50000] [--timeout 900]
     [--budget 1e7] [--seed 0] [--format csv|xlsx]

Case: bench/synthetic.py ``automotive_bom`` (tiers 0-5, each node of tiers 0-4 buying 2-10
parts from the tier below, materials, grids, freight, spend and direct emissions from the
shipped inventories, ~1 % of the nodes selling back up the chain (loops), 30 % of the flows
uncertain; seed 0), written as a CSV folder (or an xlsx workbook with ``--format xlsx``).

Each figure is measured in a fresh subprocess (one per size and figure), so the peak RSS
(``ru_maxrss``) is that figure's own, imports included; each child first assesses the
shipped bicycle example (untimed: imports, the embedded project opened; the cold start is
bench_foundation's figure):
- validate: ``scenat.casefile.validate(path)`` (read, check every cell, structure, loops).
- assess: ``read_case`` + ``assess`` + the top 20 structural paths of every indicator +
  the ``--json`` document serialised (what ``scenat assess CASE --json --paths 20`` does).
- interventions: ``interventions_document`` with a budget (evaluation, MACC sequence and
  portfolio), the solve ``ForegroundResolver(case)`` as ``scenat interventions`` uses.
Floors, measured in the same run on the same system (a separate subprocess per size):
- validate floor: the nodes and flows sheets read by polars (``--format xlsx``: by
  fastexcel/calamine via polars), the node-to-node matrix ``A_ff`` built as scipy CSC from
  them, its strongly connected components, one SuperLU factorisation in block-triangular
  order and one solve (the least a check that the foreground solves can do).
- assess floor: the linked technosphere (background + foreground, as ``link`` makes it)
  built directly as a scipy CSC matrix from its triplets, one SuperLU factorisation
  (scipy's default COLAMD, or natural order on the strongly-connected-component
  block-triangular permutation, whichever is faster; COLAMD only up to 20,000 rows, beyond
  which it runs for many minutes), one forward solve and one adjoint solve per indicator.
- interventions floor: the same factorisation plus one solve per option evaluated and per
  MACC step (the number of solves scenat's evaluation asks for, counted).
The assess and interventions floors read nothing: each of those figures is also printed
without its reading (and the JSON document), the part the floor stands for.
Checks: every breakdown (node, tier, stage, process, flow, data source) of every indicator
sums to the total within 1e-9 of the indicator's gross magnitude. The growth exponent is
the slope of a least-squares fit of log(time) on log(nodes) over the sizes measured.
Targets (issue 17): 10,000 nodes validate, assess with paths and interventions each under
30 s and 1.5 GB; 50,000 nodes assess under 60 s and 4 GB; every figure within 3x its floor.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("BW2CALC_NO_PYPARDISO_WARNING", "1")

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

FIGURES = ("validate", "assess", "interventions", "floor")
COLAMD_ROWS = 20_000


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def case_path(folder: Path, n: int, seed: int, fmt: str) -> Path:
    """The synthetic case of ``n`` nodes, written once per run (not timed)."""
    from synthetic import automotive_bom

    from scenat.casefile.writer import write_sheets

    path = folder / (f"bom{n}.xlsx" if fmt == "xlsx" else f"bom{n}")
    if not path.exists():
        write_sheets(automotive_bom(n, seed), path)
    return path


# --- children: one figure each --------------------------------------------------------------


def child_validate(path: Path) -> dict:
    from scenat.casefile import validate

    start = time.perf_counter()
    problems = validate(path)
    seconds = time.perf_counter() - start
    errors = [p for p in problems if p.severity == "error"]
    return {"seconds": seconds, "errors": len(errors), "first": str(errors[0]) if errors else ""}


def child_assess(path: Path) -> dict:
    from scenat.assessment import assess
    from scenat.calc.breakdowns import ALL_BREAKDOWNS, gross_magnitudes
    from scenat.casefile import read_case
    from scenat.report import assessment_document, json_bytes

    start = time.perf_counter()
    case = read_case(path)
    read = time.perf_counter() - start
    result = assess(case)
    assessed = time.perf_counter() - start
    paths = {ind.id: result.paths(ind.id, top=20) for ind in result.indicators}
    pathed = time.perf_counter() - start
    document = json_bytes(assessment_document(result, paths=paths))
    seconds = time.perf_counter() - start
    gross = gross_magnitudes(case, result.linked, result.indicators)
    worst = 0.0
    for ind in result.indicators:
        total = result.total(ind.id)
        scale = max(abs(total), gross[ind.id])
        for by in ALL_BREAKDOWNS:
            table = result.hotspots(ind.id, by)
            gap = abs(float(table["value"].sum()) - total)
            worst = max(worst, gap / scale if scale else gap)
    return {
        "seconds": seconds,
        "read": read,
        "assess": assessed - read,
        "paths": pathed - assessed,
        "document": seconds - pathed,
        "bytes": len(document),
        "breakdown_gap": worst,
        "flows": len(case.flows),
        "indicators": len(result.indicators),
    }


def child_interventions(path: Path, budget: float) -> dict:
    from scenat.assessment import ForegroundResolver
    from scenat.casefile import read_case
    from scenat.report import interventions_document, json_bytes

    start = time.perf_counter()
    case = read_case(path)
    read = time.perf_counter() - start
    calls = [0]

    class Counted(ForegroundResolver):
        """The resolver ``scenat interventions`` uses, counting its solves."""

        def __call__(self, c, ids):
            calls[0] += 1
            return super().__call__(c, ids)

    document = interventions_document(case, budget=budget, solve=Counted(case))
    json_bytes(document)
    seconds = time.perf_counter() - start
    portfolio = document.get("portfolio") or {}
    return {
        "seconds": seconds,
        "read": read,
        "options": len(document["interventions"]),
        "solves": calls[0],
        "portfolio_exact": portfolio.get("exact"),
    }


def child_floor(path: Path, fmt: str, solves: int) -> dict:
    """The floors: plain polars/scipy on the same system (see the module docstring)."""
    import numpy as np
    import polars as pl
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components
    from scipy.sparse.linalg import splu

    from scenat.brightway import link
    from scenat.casefile import read_case
    from scenat.model.indicators import resolve

    # validate floor: read the sheets, build A_ff, one factorisation and one solve.
    start = time.perf_counter()
    if fmt == "xlsx":
        nodes = pl.read_excel(path, sheet_name="nodes", engine="calamine")
        flows = pl.read_excel(path, sheet_name="flows", engine="calamine")
    else:
        nodes = pl.read_csv(path / "nodes.csv", infer_schema_length=0)
        flows = pl.read_csv(path / "flows.csv", infer_schema_length=0)
    ids = nodes["id"].cast(pl.String).to_list()
    index = {n: i for i, n in enumerate(ids)}
    links = flows.filter(pl.col("kind") == "node")
    rows = np.array([index[v] for v in links["input"].cast(pl.String).to_list()])
    cols = np.array([index[v] for v in links["node"].cast(pl.String).to_list()])
    amounts = links["amount"].cast(pl.Float64).to_numpy()
    n = len(ids)
    diagonal = np.arange(n)
    a_ff = sparse.csc_matrix(
        (np.r_[np.ones(n), -amounts], (np.r_[diagonal, rows], np.r_[diagonal, cols])), shape=(n, n)
    )
    demand = np.zeros(n)
    demand[0] = 1.0
    # In the block-triangular order with natural pivots (COLAMD on A_ff fills badly).
    _, labels = connected_components(a_ff, directed=True, connection="strong")
    perm = _block_order(a_ff, labels)
    splu(a_ff[perm][:, perm].tocsc(), permc_spec="NATURAL", diag_pivot_thresh=0.0).solve(
        demand[perm]
    )
    validate_floor = time.perf_counter() - start

    # assess floor: the linked system as triplets -> CSC, one factorisation, 1 + k solves.
    case = read_case(path)
    chosen = resolve(None)
    linked = link(case, indicators=chosen)
    triplets = linked.technosphere.tocoo()
    r, c, v = triplets.row.copy(), triplets.col.copy(), triplets.data.copy()
    rhs_adjoint = [linked.direct_intensity(ind.id) for ind in chosen]
    best = math.inf
    # COLAMD fills a supply-chain matrix badly (31 M non-zeros in L+U at 12,343 rows, and
    # more than 9 minutes at 52,000): beyond COLAMD_ROWS only the block order is timed.
    orders = ("colamd", "blocks") if triplets.shape[0] <= COLAMD_ROWS else ("blocks",)
    for order in orders:
        start = time.perf_counter()
        matrix = sparse.csc_matrix((v, (r, c)), shape=triplets.shape)
        if order == "colamd":
            factor = splu(matrix)
            x = factor.solve(linked.demand)
            for rhs in rhs_adjoint:
                factor.solve(rhs, trans="T")
        else:
            _, labels = connected_components(matrix, directed=True, connection="strong")
            # Supplier components before consumers: a topological order of the condensation.
            perm = _block_order(matrix, labels)
            permuted = matrix[perm][:, perm].tocsc()
            factor = splu(permuted, permc_spec="NATURAL", diag_pivot_thresh=0.0)
            x = np.empty_like(linked.demand)
            x[perm] = factor.solve(linked.demand[perm])
            for rhs in rhs_adjoint:
                factor.solve(rhs[perm], trans="T")
        seconds = time.perf_counter() - start
        best = min(best, seconds)
        assert np.allclose(x, linked.supply, rtol=1e-9, atol=1e-12 * np.abs(x).max())
    per_solve_start = time.perf_counter()
    for _ in range(20):
        factor.solve(linked.demand[perm])
    per_solve = (time.perf_counter() - per_solve_start) / 20
    return {
        "validate": validate_floor,
        "assess": best,
        "interventions": best + per_solve * solves,
        "rows": triplets.shape[0],
        "nnz": int(triplets.nnz),
    }


def _block_order(matrix, labels):
    """Columns grouped by strongly connected component, components in topological order."""
    import numpy as np
    from scipy import sparse

    coo = matrix.tocoo()
    k = int(labels.max()) + 1
    # Edge supplier row -> consumer column; a component must come after those it buys from
    # for A to be block upper triangular in (perm, perm) with consumers last... the order
    # only needs to be consistent for the factorisation to be free of fill, either way.
    edges = sparse.csr_matrix(
        (np.ones(len(coo.row)), (labels[coo.col], labels[coo.row])), shape=(k, k)
    )
    edges.setdiag(0)
    edges.eliminate_zeros()
    indegree = np.asarray((edges != 0).sum(axis=0)).ravel()
    order, stack = [], list(np.flatnonzero(indegree == 0))
    indptr, indices = edges.indptr, edges.indices
    while stack:
        u = stack.pop()
        order.append(u)
        for w in indices[indptr[u] : indptr[u + 1]]:
            indegree[w] -= 1
            if indegree[w] == 0:
                stack.append(w)
    rank = np.empty(k, dtype=int)
    rank[np.array(order)] = np.arange(k)
    return np.argsort(rank[labels], kind="stable")


def warm_up() -> None:
    """Imports, the embedded project opened and its data packages read, on the shipped bicycle
    example: the cold start is bench_foundation's figure, not this one's."""
    from scenat.assessment import assess
    from scenat.casefile import read_case, resolve_case

    assess(read_case(resolve_case("bicycle")))


def child_main(args: argparse.Namespace) -> None:
    path = Path(args.child_path)
    warm_up()
    if args.child == "validate":
        out = child_validate(path)
    elif args.child == "assess":
        out = child_assess(path)
    elif args.child == "interventions":
        out = child_interventions(path, args.budget)
    else:
        out = child_floor(path, args.format, args.solves)
    out["peak_mb"] = peak_mb()
    print("RESULT " + json.dumps(out))


# --- parent ---------------------------------------------------------------------------------


def run_child(figure: str, path: Path, args: argparse.Namespace, solves: int = 0) -> dict:
    command = [
        sys.executable,
        __file__,
        "--child",
        figure,
        "--child-path",
        str(path),
        "--budget",
        str(args.budget),
        "--format",
        args.format,
        "--solves",
        str(solves),
    ]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=args.timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return {"failed": f"timeout {args.timeout:g} s"}
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
    return {"failed": f"exit {done.returncode}: {tail[0][:120]}"}


def exponent(sizes: list[int], seconds: list[float]) -> float:
    import numpy as np

    pairs = [(n, s) for n, s in zip(sizes, seconds) if s and math.isfinite(s) and s > 0]
    if len(pairs) < 2:
        return math.nan
    x = np.log([p[0] for p in pairs])
    y = np.log([p[1] for p in pairs])
    return float(np.polyfit(x, y, 1)[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000,50000")
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--budget", type=float, default=1e7)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    parser.add_argument("--only", default="validate,assess,interventions")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-path", help=argparse.SUPPRESS)
    parser.add_argument("--solves", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    only = args.only.split(",")
    results: dict[int, dict[str, dict]] = {}
    with tempfile.TemporaryDirectory(prefix="scenat-bench-fg-") as tmp:
        for n in sizes:
            path = case_path(Path(tmp), n, args.seed, args.format)
            results[n] = {}
            for figure in ("validate", "assess", "interventions"):
                if figure in only:
                    results[n][figure] = run_child(figure, path, args)
                    print(f"# {n} nodes {figure}: {results[n][figure]}", flush=True)
            solves = results[n].get("interventions", {}).get("solves", 0)
            results[n]["floor"] = run_child("floor", path, args, solves)
            print(f"# {n} nodes floor: {results[n]['floor']}", flush=True)
    print()
    print(
        f"{'figure':<34}  {'value':>10}  {'unit':<4}  {'floor':>9}  {'ratio':>6}  "
        f"{'peak MB':>8}  target"
    )
    targets = {
        ("validate", 10000): "< 30 s, 1.5 GB, 3x",
        ("assess", 10000): "< 30 s, 1.5 GB, 3x",
        ("interventions", 10000): "< 30 s, 1.5 GB, 3x",
        ("assess", 50000): "< 60 s, 4 GB, 3x",
    }
    for figure in ("validate", "assess", "interventions"):
        if figure not in only:
            continue
        series = []
        for n in sizes:
            got = results[n].get(figure, {})
            floor = results[n].get("floor", {}).get(figure)
            name = f"{figure}, {n} nodes"
            if "failed" in got:
                print(f"{name:<34}  {got['failed']}")
                series.append(math.nan)
                continue
            seconds = got["seconds"]
            series.append(seconds)
            ratio = seconds / floor if floor else math.nan
            print(
                f"{name:<34}  {seconds:>10.3f}  {'s':<4}  {floor or math.nan:>9.3f}  "
                f"{ratio:>6.1f}  {got['peak_mb']:>8.0f}  {targets.get((figure, n), '-')}"
            )
            if "read" in got and floor:
                # The floors do no reading (and no document): the part they model, apart.
                computed = seconds - got["read"] - got.get("document", 0.0)
                print(
                    f"{'  without reading' + (' and document' if 'document' in got else ''):<34}"
                    f"  {computed:>10.3f}  {'s':<4}  {floor:>9.3f}  {computed / floor:>6.1f}"
                )
        print(f"{figure + ' growth exponent':<34}  {exponent(sizes, series):>10.2f}")
    for n in sizes:
        got = results[n].get("assess", {})
        if "breakdown_gap" in got:
            status = "ok" if got["breakdown_gap"] <= 1e-9 else "FAILED"
            print(
                f"{'breakdown sums, ' + str(n) + ' nodes':<34}  {got['breakdown_gap']:>10.2e}  "
                f"rel   {'':>9}  {'':>6}  {'':>8}  <= 1e-9 {status}"
            )
    print()
    print(json.dumps({str(n): results[n] for n in sizes}))


if __name__ == "__main__":
    main()
