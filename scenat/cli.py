"""``scenat ...`` command line.

Exit codes: 0 success, 2 bad input (a message naming file, sheet, row and column on
stderr, never a traceback), 1 internal error. ``--json`` prints exactly one JSON document
on stdout; anything Brightway prints goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from scenat.errors import InputError, Problem, ScenatError

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_BAD_INPUT = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scenat",
        description="Supply-chain environmental assessment: hotspots and interventions.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("assess", help="assess a case and print its totals and hotspots")
    p.add_argument("case", help="case workbook (.xlsx), folder of CSVs, .zip, or example name")
    p.add_argument(
        "--indicator",
        action="append",
        dest="indicators",
        metavar="ID",
        help="indicator id (repeatable); default: all",
    )
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.add_argument("--out", type=Path, help="also write a report (.json or .xlsx)")
    p.add_argument("--top", type=int, default=5, help="hotspots shown per breakdown (text)")
    p.add_argument(
        "--paths",
        type=int,
        default=0,
        metavar="N",
        help="also list the top N structural paths per indicator",
    )
    p.add_argument(
        "--cutoff",
        type=float,
        default=1e-3,
        help="structural paths: prune below this share of the total",
    )
    p.add_argument(
        "--mc",
        type=int,
        default=0,
        metavar="N",
        help="also run N Monte Carlo iterations over the workbook's uncertainty",
    )
    p.add_argument("--seed", type=int, default=42, help="Monte Carlo seed")
    p.add_argument(
        "--edges",
        type=Path,
        metavar="FILE",
        help="write the supply-chain graph edges (.csv or .json)",
    )

    p = sub.add_parser("interventions", help="evaluate and rank low-carbon interventions")
    p.add_argument("case")
    p.add_argument("--rank", choices=["mac", "topsis", "weighted"], default="mac")
    p.add_argument("--weights", help="criteria weights, e.g. gwp100=0.5,cost=0.5")
    p.add_argument("--budget", type=float, help="best portfolio within this capex budget")
    p.add_argument(
        "--library",
        type=Path,
        action="append",
        default=[],
        help="extra intervention library file (repeatable)",
    )
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("compare", help="compare two cases side by side")
    p.add_argument("case_a")
    p.add_argument("case_b")
    p.add_argument("--by", default="node", help="hotspot breakdown to compare")
    p.add_argument(
        "--mc",
        type=int,
        default=0,
        metavar="N",
        help="Monte Carlo iterations for P(A < B), shared draws for shared flows",
    )
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("data", help="rebuild shipped inventories from published source files")
    p.add_argument("source", choices=["desnz", "epa", "grid"])
    p.add_argument("input", type=Path, help="the published file or folder")
    p.add_argument("output", type=Path, help="the inventory folder to (re)write")

    p = sub.add_parser("validate", help="list every problem in a case (exit 2 when any error)")
    p.add_argument("case")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("template", help="write a blank case workbook")
    p.add_argument("path", type=Path)

    p = sub.add_parser("examples", help="list the shipped example cases")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("processes", help="list the background processes a case can use")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("setup", help="build the embedded Brightway project now")

    sub.add_parser("app", help="start the Streamlit front end")
    return parser


def resolve_case_path(text: str) -> Path:
    """A path as given, or the name of a shipped example."""
    path = Path(text)
    if path.exists():
        return path
    from scenat.paths import examples_dir

    example = examples_dir() / text
    if example.exists():
        return example
    return path


def _print_problems(problems: list[Problem], stream=None) -> None:
    stream = stream or sys.stderr  # looked up at call time: callers may redirect stderr
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    for problem in errors + warnings:
        print(str(problem), file=stream)
    print(f"{len(errors)} error(s), {len(warnings)} warning(s)", file=stream)


def _assess(args: argparse.Namespace) -> int:
    import scenat
    from scenat.report import assessment_document, text_report, write_report

    for target, allowed in ((args.out, (".json", ".xlsx")), (args.edges, (".csv", ".json"))):
        if target is not None and target.suffix.lower() not in allowed:
            raise InputError(
                Problem(
                    file=str(target),
                    message="unsupported output file type",
                    value=target.suffix,
                    hint="use a name ending in " + " or ".join(allowed),
                )
            )
    case = scenat.read_case(resolve_case_path(args.case))
    result = scenat.assess(case, indicators=args.indicators)
    document = assessment_document(result)
    extra: list[str] = []
    if args.paths:
        document["paths"] = {}
        for ind in result.indicators:
            found = result.paths(ind.id, top=args.paths, cutoff=args.cutoff)
            document["paths"][ind.id] = {
                "coverage": found.coverage,
                "cutoff": args.cutoff,
                "total": found.total,
                "paths": found.table.to_dicts(),
            }
            extra.append(
                f"\nStructural paths for {ind.label}: {len(found.table)} listed, "
                f"covering {100 * found.coverage:.1f} % of the total"
            )
            for row in found.table.iter_rows(named=True):
                extra.append(f"  {row['value']:>12.5g} {100 * row['share']:6.1f} %  {row['path']}")
    if args.mc:
        from scenat.uncertainty import monte_carlo

        mc = monte_carlo(
            case,
            iterations=args.mc,
            seed=args.seed,
            indicators=args.indicators,
            linked=result.linked,
            progress=None if args.json else _progress_bar,
        )
        document["monte_carlo"] = {
            "iterations": mc.iterations,
            "seed": mc.seed,
            "uncertain_flows": mc.uncertain_flows,
            "background_uncertainty": mc.background_uncertainty,
            "summary": mc.summary().to_dicts(),
        }
        extra.append(
            f"\nMonte Carlo: {mc.iterations} iterations, seed {mc.seed}, "
            f"{mc.uncertain_flows} uncertain flows"
        )
        for row in mc.summary().iter_rows(named=True):
            extra.append(
                f"  {row['indicator']:<16} mean {row['mean']:.6g}  sd {row['sd']:.3g}  "
                f"90 % interval {row['p5']:.6g} .. {row['p95']:.6g} {row['unit']}"
            )
    if args.out:
        write_report(result, args.out)
    if args.edges:
        _write_edges(result, args.edges)
    if args.json:
        json.dump(document, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(text_report(result, top=args.top))
        print("\n".join(extra))
        for target in (args.out, args.edges):
            if target:
                print(f"\nWritten: {target}")
    return EXIT_OK


def _progress_bar(done: int, total: int) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    end = "\n" if done >= total else ""
    print(
        f"\r  Monte Carlo [{'#' * filled}{'.' * (width - filled)}] {done}/{total}",
        end=end,
        file=sys.stderr,
        flush=True,
    )


def _write_edges(result, path: Path) -> None:
    from scenat.report import write_atomic

    edges = result.edges(expand_background=True)
    if path.suffix.lower() == ".json":
        write_atomic(path, json.dumps(edges.to_dicts(), indent=2).encode())
    else:
        write_atomic(path, edges.write_csv().encode())


def _interventions(args: argparse.Namespace) -> int:
    import scenat
    from scenat.foreground import ForegroundResolver
    from scenat.interventions import summary
    from scenat.rank import parse_weights

    try:
        weights = parse_weights(args.weights) if args.weights else None
    except ValueError as err:
        raise InputError(
            Problem(
                message=str(err),
                column="--weights",
                value=args.weights,
                hint="write name=number pairs, e.g. gwp100=0.5,cost=0.5",
            )
        ) from None
    case = scenat.read_case(resolve_case_path(args.case))
    document = summary(
        case,
        rank_by=args.rank,
        weights=weights,
        budget=args.budget,
        libraries=args.library,
        solve=ForegroundResolver(case),
    )
    if args.json:
        sys.stdout.write(json.dumps(document, indent=2, allow_nan=False) + "\n")
        return EXIT_OK
    print(
        f"Case: {document['case']}  ranking: {document['ranking']}  "
        f"discount rate: {document['discount_rate']:.3g}"
    )
    print(
        f"{'id':<34} {'t CO2e/yr':>10} {'MAC ' + document['currency'] + '/t':>12} "
        f"{'payback yr':>10} {'NPV':>12}"
    )
    for row in document["interventions"]:

        def num(value, fmt):
            return format(value, fmt) if isinstance(value, (int, float)) else "-"

        print(
            f"{row['id']:<34} {num(row.get('abatement_t_year'), '10.3g')} "
            f"{num(row.get('mac'), '12.4g')} {num(row.get('payback_years'), '10.3g')} "
            f"{num(row.get('npv'), '12.4g')}"
        )
    if document.get("portfolio"):
        plan = document["portfolio"]
        print(f"\nPortfolio within budget: {', '.join(plan.get('selected', [])) or 'none'}")
    return EXIT_OK


def _compare(args: argparse.Namespace) -> int:
    import scenat
    from scenat.compare import compare_hotspots, compare_totals, probability_lower

    case_a = scenat.read_case(resolve_case_path(args.case_a))
    case_b = scenat.read_case(resolve_case_path(args.case_b))
    a, b = scenat.assess(case_a), scenat.assess(case_b)
    totals = compare_totals(a, b)
    document = {
        "a": case_a.name,
        "b": case_b.name,
        "totals": totals.to_dicts(),
        "hotspots": {
            ind.id: compare_hotspots(a, b, ind.id, args.by).to_dicts() for ind in a.indicators
        },
    }
    if args.mc:
        document["monte_carlo"] = probability_lower(case_a, case_b, args.mc, args.seed).to_dicts()
    if args.json:
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
        return EXIT_OK
    print(f"A: {case_a.name}\nB: {case_b.name}")
    for row in document["totals"]:
        print(
            f"  {row['indicator']:<16} A {row['a']:>12.6g}  B {row['b']:>12.6g}  "
            f"B-A {row['difference']:>12.6g} {row['unit']}"
        )
    for row in document.get("monte_carlo", []):
        print(f"  P(A < B) for {row['indicator']}: {row['probability_a_lower']:.3f}")
    return EXIT_OK


def _data(args: argparse.Namespace) -> int:
    import importlib

    module = importlib.import_module(f"scenat.data.{args.source}")
    code = module.main([str(args.input), str(args.output)])
    return int(code or 0)


def _validate(args: argparse.Namespace) -> int:
    import scenat

    problems = scenat.validate(resolve_case_path(args.case))
    if args.json:
        json.dump([p.to_dict() for p in problems], sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif problems:
        _print_problems(problems, sys.stdout)
    else:
        print("valid: no problems found")
    return EXIT_BAD_INPUT if any(p.severity == "error" for p in problems) else EXIT_OK


def _examples(args: argparse.Namespace) -> int:
    from scenat.examples import list_examples

    examples = list_examples()
    if args.json:
        json.dump(examples, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for item in examples:
            print(f"{item['name']:<28} {item['title']}")
            print(f"{'':<28} {item['path']}")
    return EXIT_OK


def _processes(args: argparse.Namespace) -> int:
    from scenat.catalogue import shipped_catalogue

    catalogue = shipped_catalogue()
    rows = [
        {"id": p.id, "unit": p.unit, "name": p.name, "database": p.database}
        for p in catalogue.processes.values()
    ]
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for row in rows:
            print(f"{row['id']:<40} {row['unit']:<6} {row['name']}")
    return EXIT_OK


def _setup(args: argparse.Namespace) -> int:
    from scenat.background import ensure_project

    started = time.perf_counter()
    project = ensure_project()
    print(
        f"Brightway project {project.name!r} ready in {time.perf_counter() - started:.2f} s: "
        f"databases {', '.join(project.databases)}; indicators {', '.join(project.indicator_ids)}"
    )
    return EXIT_OK


def _app(args: argparse.Namespace) -> int:
    from scenat.paths import _PACKAGE

    entry = _PACKAGE.parent / "app" / "main.py"
    if not entry.exists():
        entry = _PACKAGE / "_data" / "app" / "main.py"
    if not entry.exists():
        raise ScenatError("the Streamlit app is not part of this installation")
    os.execvp(sys.executable, [sys.executable, "-m", "streamlit", "run", str(entry)])
    return EXIT_OK  # pragma: no cover  (execvp does not return)


def _template(args: argparse.Namespace) -> int:
    from scenat.template import write_template

    if args.path.suffix.lower() != ".xlsx":
        raise InputError(
            Problem(
                file=str(args.path),
                message="the template is an Excel workbook",
                value=args.path.suffix,
                hint="give a file name ending in .xlsx",
            )
        )
    write_template(args.path)
    print(f"Template written to {args.path}")
    return EXIT_OK


COMMANDS = {
    "assess": _assess,
    "interventions": _interventions,
    "compare": _compare,
    "data": _data,
    "validate": _validate,
    "template": _template,
    "examples": _examples,
    "processes": _processes,
    "setup": _setup,
    "app": _app,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except InputError as err:
        _print_problems(err.problems)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERNAL
    except Exception as err:  # an internal error: say so plainly, traceback only on request
        if os.environ.get("SCENAT_DEBUG"):
            raise
        print(f"internal error: {type(err).__name__}: {err}", file=sys.stderr)
        print("set SCENAT_DEBUG=1 to see the traceback; please report it", file=sys.stderr)
        return EXIT_INTERNAL


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
