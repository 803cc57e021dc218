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
    p.add_argument("--out", type=Path, help="also write a report (.json, .xlsx or .html)")
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
        "--scheduler",
        metavar="ADDRESS",
        help="run --mc on Dask: a scheduler address (tcp://host:8786) or 'local' for a local "
        "cluster of 2 workers; default: SCENAT_DASK_SCHEDULER if set, else this process",
    )
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

    p = sub.add_parser(
        "data",
        help="rebuild shipped inventories from published source files, or import USLCI / "
        "an openLCA JSON-LD export as a background database",
    )
    p.add_argument(
        "source", choices=["desnz", "epa", "grid", "uslci", "olca", "useeio", "exiobase"]
    )
    p.add_argument("input", type=Path, help="the published file or folder")
    p.add_argument(
        "output",
        nargs="?",
        help="the inventory folder to (re)write; for uslci/olca the Brightway database name "
        "(uslci: default 'uslci')",
    )
    p.add_argument("--allocation", help="uslci/olca: physical (default), economic, causal, none")

    p = sub.add_parser(
        "backgrounds", help="list user background databases, or the processes of one"
    )
    p.add_argument("database", nargs="?", help="list this database's processes")
    p.add_argument("--search", help="only processes whose name contains this text")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("validate", help="list every problem in a case (exit 2 when any error)")
    p.add_argument("case")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--strict",
        action="store_true",
        help="as for partner submissions: extra or hidden sheets, hidden rows, repeated rows "
        "and macros are errors",
    )

    p = sub.add_parser(
        "template", help="write a blank case workbook, or one node's partner workbook"
    )
    p.add_argument("path", type=Path)
    p.add_argument("--case", help="with --node: the case (stored key, path or example name)")
    p.add_argument("--node", help="with --case: the node the partner fills in")
    p.add_argument("--empty", action="store_true", help="do not pre-fill the node's flows")
    p.add_argument("--store", help="store URL (default: SQLite in SCENAT_HOME)")

    p = sub.add_parser("submit", help="validate and store a partner's workbook for a case")
    p.add_argument("case", help="stored case key, or a case path / example to import first")
    p.add_argument("workbook", type=Path, help="the partner's .xlsx (or .zip / folder of CSVs)")
    p.add_argument("--submitter", required=True, help="who sent it")
    p.add_argument("--node", help="the node it describes (default: from the workbook)")
    p.add_argument("--report", type=Path, help="write the validation report (.xlsx)")
    p.add_argument("--store", help="store URL (default: SQLite in SCENAT_HOME)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("history", help="list a stored case's versions (and submissions)")
    p.add_argument("case")
    p.add_argument("--submissions", action="store_true", help="list the submissions too")
    p.add_argument("--export", type=Path, metavar="PATH", help="write a version as .xlsx")
    p.add_argument("--version", type=int, help="with --export: which version (default latest)")
    p.add_argument("--report", nargs=2, metavar=("SUBMISSION", "PATH"), help="write the "
                   "validation report of a submission (.xlsx)")  # fmt: skip
    p.add_argument("--store", help="store URL (default: SQLite in SCENAT_HOME)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("diff", help="flows changed between two versions, and the effect")
    p.add_argument("case")
    p.add_argument("a", type=int, nargs="?", help="older version (default: B - 1)")
    p.add_argument("b", type=int, nargs="?", help="newer version (default: latest)")
    p.add_argument("--no-impact", action="store_true", help="skip assessing both versions")
    p.add_argument("--indicator", action="append", dest="indicators", metavar="ID")
    p.add_argument("--store", help="store URL (default: SQLite in SCENAT_HOME)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("rollback", help="make a new version equal to an older one")
    p.add_argument("case")
    p.add_argument("version", type=int)
    p.add_argument("--author", help="who rolls back (default: the login name)")
    p.add_argument("--message")
    p.add_argument("--store", help="store URL (default: SQLite in SCENAT_HOME)")

    p = sub.add_parser("accept", help="preview, then (--yes) merge a submission into its case")
    p.add_argument("case")
    p.add_argument("submission", type=int)
    p.add_argument("--yes", action="store_true", help="store the merge (default: preview only)")
    p.add_argument("--author", help="who accepts (default: the login name)")
    p.add_argument("--message")
    p.add_argument("--no-impact", action="store_true", help="skip the effect on the results")
    p.add_argument("--indicator", action="append", dest="indicators", metavar="ID")
    p.add_argument("--store", help="store URL (default: SQLite in SCENAT_HOME)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("examples", help="list the shipped example cases")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser(
        "ledger", help="screen a procurement ledger (CSV, parquet, xlsx) into spend per sector"
    )
    p.add_argument("ledger", type=Path, help="columns sector_code, amount, currency, date, ...")
    p.add_argument("--mapping", type=Path, help="CSV or xlsx with columns code, sector")
    p.add_argument("--case", help="add the spend to this case and assess it")
    p.add_argument("--node", help="the case's node that buys (default: its reference node)")
    p.add_argument("--indicator", action="append", dest="indicators", metavar="ID")
    p.add_argument("--out", type=Path, help="write spend per sector (.csv)")
    p.add_argument("--lines", type=int, default=20, help="bad lines listed (text output)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("processes", help="list the background processes a case can use")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("inventory", help="find background processes by id or name")
    inventory = p.add_subparsers(dest="inventory_command", required=True)
    p = inventory.add_parser(
        "search",
        help="shipped processes (and those of user databases) whose id or name contains TEXT",
    )
    p.add_argument("text", help="case-insensitive; several words must all match")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("setup", help="build the embedded Brightway project now")

    sub.add_parser("app", help="start the Streamlit front end")
    return parser


def resolve_case_path(text: str) -> Path:
    """A path as given, or the name of a shipped example (see scenat.casefile.examples.resolve_case)."""
    from scenat.casefile.examples import resolve_case

    return resolve_case(text)


def _print_problems(problems: list[Problem], stream=None) -> None:
    stream = stream or sys.stderr  # looked up at call time: callers may redirect stderr
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    for problem in errors + warnings:
        print(str(problem), file=stream)
    print(f"{len(errors)} error(s), {len(warnings)} warning(s)", file=stream)


def _assess(args: argparse.Namespace) -> int:
    import scenat
    from scenat.report.assessment import assessment_document, text_report, write_report

    for target, allowed in (
        (args.out, (".json", ".xlsx", ".html")),
        (args.edges, (".csv", ".json")),
    ):
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
        from scenat.distributed.runs import ENVIRONMENT_VARIABLE

        if args.scheduler or os.environ.get(ENVIRONMENT_VARIABLE):
            from scenat.distributed.runs import monte_carlo as dask_monte_carlo

            mc = dask_monte_carlo(
                case,
                iterations=args.mc,
                seed=args.seed,
                indicators=args.indicators,
                scheduler=args.scheduler,
                progress=None if args.json else _progress_bar,
            )
        else:
            from scenat.uncertainty.foreground import monte_carlo

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
    from scenat.atomic import write_atomic

    edges = result.edges(expand_background=True)
    if path.suffix.lower() == ".json":
        write_atomic(path, json.dumps(edges.to_dicts(), indent=2).encode())
    else:
        write_atomic(path, edges.write_csv().encode())


def _interventions(args: argparse.Namespace) -> int:
    import scenat
    from scenat.calc.foreground import ForegroundResolver
    from scenat.calc.rank import parse_weights
    from scenat.interventions.library import summary

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
    from scenat.assessment.compare import compare_hotspots, compare_totals, probability_lower

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

    if args.source in ("useeio", "exiobase"):
        from scenat.importers.io_models import main as io_main

        argv = [args.source, str(args.input)]
        if args.output:
            argv += ["--database", str(args.output)]
        return int(io_main(argv) or 0)
    module = importlib.import_module(f"scenat.importers.{args.source}")
    argv = [str(args.input)] + ([str(args.output)] if args.output else [])
    if args.allocation:
        argv += ["--allocation", args.allocation]
    code = module.main(argv)
    return int(code or 0)


def _backgrounds(args: argparse.Namespace) -> int:
    from scenat.brightway.project import search_processes, user_databases

    if args.database:
        rows = search_processes(args.database, args.search)
        if not rows and args.database not in {d["name"] for d in user_databases()}:
            raise InputError(
                Problem(
                    message=f"no user background database {args.database!r} in the project",
                    value=args.database,
                    hint="`scenat backgrounds` lists them; `scenat data uslci PATH` imports USLCI",
                )
            )
    else:
        rows = user_databases()
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif args.database:
        for row in rows:
            print(f"{row['id']:<60} {row['unit']:<8} {row['location'] or '':<6} {row['name']}")
    elif not rows:
        print("no user background databases; `scenat data uslci PATH` imports USLCI")
    else:
        for row in rows:
            print(f"{row['name']:<32} {row['processes']:>7} processes  {row['format']}")
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    import scenat

    problems = scenat.validate(resolve_case_path(args.case), strict=args.strict)
    if args.json:
        json.dump([p.to_dict() for p in problems], sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif problems:
        _print_problems(problems, sys.stdout)
    else:
        print("valid: no problems found")
    return EXIT_BAD_INPUT if any(p.severity == "error" for p in problems) else EXIT_OK


def _examples(args: argparse.Namespace) -> int:
    from scenat.casefile.examples import list_examples

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
    from scenat.model.catalogue import shipped_catalogue

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


def inventory_search(text: str) -> list[dict[str, str | None]]:
    """Shipped processes whose id or name holds every word of ``text`` (any case), then the
    processes of user Brightway databases (``<database>:<code>``) whose name holds ``text``.
    """
    from scenat.model.catalogue import shipped_catalogue
    from scenat.paths import brightway_dir

    words = text.lower().split()
    rows: list[dict[str, str | None]] = [
        {"id": p.id, "unit": p.unit, "name": p.name, "database": p.database,
         "location": p.location}
        for p in shipped_catalogue().processes.values()
        if all(w in f"{p.id} {p.name}".lower() for w in words)
    ]
    if brightway_dir().exists():  # a user database exists only in a project already built
        from scenat.brightway.project import search_processes, user_databases

        for database in user_databases():
            for row in search_processes(database["name"], text):
                rows.append({**row, "database": database["name"]})
    return rows


def _inventory(args: argparse.Namespace) -> int:
    rows = inventory_search(args.text)
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return EXIT_OK
    if not rows:
        print(f"no process matches {args.text!r}; `scenat processes` lists them all")
    for row in rows:
        print(f"{row['id']:<44} {row['unit']:<6} {row['name']}  [{row['database']}]")
    return EXIT_OK


def _setup(args: argparse.Namespace) -> int:
    from scenat.brightway.project import ensure_project

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
    import importlib.util

    if importlib.util.find_spec("streamlit") is None or importlib.util.find_spec("plotly") is None:
        raise ScenatError("the app needs streamlit and plotly: pip install 'scenat[app]'")
    # Local and private by default: loopback only, no usage statistics, no file watcher, and
    # headless (no browser to open, no e-mail prompt) unless a desktop is there. Each is
    # overridden by streamlit's own STREAMLIT_* variable, e.g. STREAMLIT_SERVER_ADDRESS=0.0.0.0
    # to serve a meeting room, STREAMLIT_SERVER_PORT=8600.
    desktop = sys.platform in ("darwin", "win32") or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    defaults = {
        "server.address": "localhost",
        "server.headless": "false" if desktop else "true",
        "server.fileWatcherType": "none",
        "browser.gatherUsageStats": "false",
    }
    command = [sys.executable, "-m", "streamlit", "run", str(entry)]
    for option, value in defaults.items():
        if not os.environ.get("STREAMLIT_" + option.replace(".", "_").upper()):
            command += [f"--{option}", value]
    os.execvp(sys.executable, command)
    return EXIT_OK  # pragma: no cover  (execvp does not return)


def _template(args: argparse.Namespace) -> int:
    from scenat.casefile.template import write_template

    if args.path.suffix.lower() != ".xlsx":
        raise InputError(
            Problem(
                file=str(args.path),
                message="the template is an Excel workbook",
                value=args.path.suffix,
                hint="give a file name ending in .xlsx",
            )
        )
    if (args.case is None) != (args.node is None):
        raise InputError(
            Problem(
                message="--case and --node go together",
                column="--case" if args.case is None else "--node",
                hint="give both for a partner workbook, or neither for a blank one",
            )
        )
    if args.case is not None:
        from scenat.casefile.partner_template import write_partner_template
        from scenat.casefile.workbook import read_case
        from scenat.store.database import Store, case_key_for

        store = Store(args.store)
        if store.has_case(args.case):
            key, case = args.case, store.version(args.case).case()
        else:
            path = resolve_case_path(args.case)
            key, case = case_key_for(path), read_case(path)
        write_partner_template(case, args.node, args.path, key, prefill=not args.empty)
        print(f"Workbook for node {args.node} of case {key} written to {args.path}")
        return EXIT_OK
    write_template(args.path)
    print(f"Template written to {args.path}")
    return EXIT_OK


def _author(args: argparse.Namespace) -> str:
    import getpass

    if getattr(args, "author", None):
        return args.author
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers)
        return "unknown"


def _submit(args: argparse.Namespace) -> int:
    from scenat.atomic import write_atomic
    from scenat.store.database import Store, open_case
    from scenat.store.submissions import SubmissionRejected, submit, validation_report

    store = Store(args.store)
    key = open_case(store, args.case, _author(args))
    try:
        record = submit(store, key, args.workbook, args.submitter, node=args.node)
    except SubmissionRejected as err:
        if args.report:
            write_atomic(args.report, validation_report(err.submission))
            print(f"Validation report written to {args.report}", file=sys.stderr)
        if args.json:
            sys.stdout.write(json.dumps(err.submission.to_dict(), indent=2, default=str) + "\n")
        raise
    if args.report:
        write_atomic(args.report, validation_report(record))
    if args.json:
        sys.stdout.write(json.dumps(record.to_dict(), indent=2, default=str) + "\n")
        return EXIT_OK
    print(
        f"Submission #{record.id} for node {record.node} of case {key}: valid "
        f"(sha256 {record.sha256[:12]}..., {record.size} bytes)"
    )
    if record.problems:
        _print_problems(record.problems, sys.stdout)
    print(f"Preview and merge it: scenat accept {key} {record.id} [--yes]")
    if args.report:
        print(f"Validation report written to {args.report}")
    return EXIT_OK


def _history(args: argparse.Namespace) -> int:
    from scenat.atomic import write_atomic
    from scenat.store.database import Store, export_version
    from scenat.store.submissions import validation_report

    store = Store(args.store)
    versions = store.history(args.case)
    subs = store.submissions(args.case) if args.submissions or args.json else []
    if args.export:
        export_version(store, args.case, args.export, args.version)
    if args.report:
        ident = _submission_id(args.report[0])
        sub = store.submission(ident)
        if sub.case_key != args.case:
            raise InputError(
                Problem(message=f"submission #{ident} is not for case {args.case!r}", value=ident,
                        hint=f"it is for case {sub.case_key!r}")
            )  # fmt: skip
        write_atomic(Path(args.report[1]), validation_report(sub))
    if args.json:
        document = {
            "case": args.case,
            "versions": [v.to_dict() for v in versions],
            "submissions": [s.to_dict() for s in subs],
        }
        sys.stdout.write(json.dumps(document, indent=2, default=str) + "\n")
        return EXIT_OK
    print(f"Case {args.case}: {len(versions)} version(s)")
    for v in versions:
        origin = f" submission #{v.submission_id}" if v.submission_id else ""
        print(
            f"  v{v.number:<4} {v.created_at[:19]}  {v.action:<8} {v.author:<16} "
            f"{v.nodes} nodes, {v.flows} flows{origin}  {v.message or ''}".rstrip()
        )
    if args.submissions:
        print(f"Submissions: {len(subs)}")
        for s in subs:
            merged = f" -> v{s.merged_version}" if s.merged_version else ""
            print(
                f"  #{s.id:<4} {s.received_at[:19]}  {s.status:<8}{merged} {s.submitter:<16} "
                f"node {s.node or '?'}  {s.filename}  {len(s.errors)} error(s)"
            )
    for target in (args.export, args.report[1] if args.report else None):
        if target:
            print(f"Written: {target}")
    return EXIT_OK


def _submission_id(text: str) -> int:
    try:
        return int(str(text).lstrip("#"))
    except ValueError:
        raise InputError(
            Problem(message="a submission is named by its number", value=text, hint="e.g. 3")
        ) from None


def _diff(args: argparse.Namespace) -> int:
    from scenat.store.database import Store, diff_versions

    store = Store(args.store)
    diff = diff_versions(
        store, args.case, args.a, args.b, impact=not args.no_impact, indicators=args.indicators
    )
    if args.json:
        sys.stdout.write(json.dumps(diff.to_dict(), indent=2, default=str) + "\n")
    else:
        print(diff.text())
    return EXIT_OK


def _rollback(args: argparse.Namespace) -> int:
    from scenat.store.database import Store

    version = Store(args.store).rollback(args.case, args.version, _author(args), args.message)
    print(f"Case {args.case} is now version {version.number}: {version.message}")
    return EXIT_OK


def _accept(args: argparse.Namespace) -> int:
    from scenat.store.database import Store
    from scenat.store.submissions import accept, preview

    store = Store(args.store)
    sub = store.submission(args.submission, with_data=False)
    if sub.case_key != args.case:
        raise InputError(
            Problem(
                message=f"submission #{sub.id} is for case {sub.case_key!r}, not {args.case!r}",
                value=args.submission,
                hint=f"scenat accept {sub.case_key} {sub.id}",
            )
        )
    plan = preview(store, args.submission, impact=not args.no_impact, indicators=args.indicators)
    version = None
    if args.yes:
        version = accept(store, args.submission, _author(args), args.message)
    if args.json:
        document = {
            "submission": plan.submission.to_dict(),
            "base_version": plan.base.number,
            "diff": plan.diff.to_dict(),
            "accepted": version.to_dict() if version else None,
        }
        sys.stdout.write(json.dumps(document, indent=2, default=str) + "\n")
        return EXIT_OK
    print(f"Submission #{sub.id} from {sub.submitter} for node {sub.node} of case {sub.case_key}")
    print(plan.diff.text())
    if version is None:
        print(f"Preview only: rerun with --yes to store it as version {plan.base.number + 1}")
    else:
        print(f"Accepted: case {sub.case_key} is now version {version.number}")
    return EXIT_OK


def _ledger(args: argparse.Namespace) -> int:
    from scenat.casefile.ledger import screen_ledger

    screen = screen_ledger(args.ledger, args.mapping)
    document = screen.summary()
    document["problems"] = screen.problems.head(1000).to_dicts()
    result = None
    if args.case:
        import scenat

        case = scenat.read_case(resolve_case_path(args.case))
        node = args.node or case.reference_node
        result = scenat.assess(screen.apply(case, node), indicators=args.indicators)
        document["case"] = case.name
        document["node"] = node
        document["indicators"] = {
            i.id: {"unit": i.unit, "total": result.total(i.id)} for i in result.indicators
        }
    if args.out:
        from scenat.atomic import write_atomic

        write_atomic(args.out, screen.sectors.write_csv().encode())
    if args.json:
        sys.stdout.write(json.dumps(document, indent=2, default=str) + "\n")
        return EXIT_OK
    currency, year = screen.report_currency
    print(
        f"{screen.lines} lines, {screen.screened_lines} screened into "
        f"{len(screen.sectors)} sectors in {screen.seconds:.2f} s"
    )
    for row in screen.sectors.head(args.lines).iter_rows(named=True):
        print(
            f"  {row['sector']:<40} {row['amount']:>16,.2f} {row['currency']} "
            f"{row['price_year']}  ({row['lines']} lines)"
        )
    for row in screen.unscreened.iter_rows(named=True):
        print(
            f"not screened: {row['lines']} lines, {row['message']}: about "
            f"{row['value_report']:,.2f} {currency} {year}"
        )
    for problem in screen.to_problems(limit=args.lines):
        print(f"  {problem}")
    if result is not None:
        for ind in result.indicators:
            print(f"{ind.id:<16} {result.total(ind.id):.6g} {ind.unit}")
    if args.out:
        print(f"\nWritten: {args.out}")
    return EXIT_OK


COMMANDS = {
    "assess": _assess,
    "ledger": _ledger,
    "interventions": _interventions,
    "compare": _compare,
    "data": _data,
    "validate": _validate,
    "template": _template,
    "submit": _submit,
    "history": _history,
    "diff": _diff,
    "rollback": _rollback,
    "accept": _accept,
    "examples": _examples,
    "processes": _processes,
    "backgrounds": _backgrounds,
    "inventory": _inventory,
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
    except BrokenPipeError:
        # The reader went away (`scenat ... | head`): not an error of ours, and nothing more
        # can be written to it; point stdout at devnull so the exit flush stays quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
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
