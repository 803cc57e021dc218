"""One function per ``scenat`` command: arguments in, the API called, a document printed.

Documents and text come from :mod:`scenat.report.documents`; nothing here computes a result
or formats one beyond choosing ``--json`` or text.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from scenat.errors import InputError, Problem, ScenatError

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def print_problems(problems: list[Problem], stream: Any = None) -> None:
    stream = stream or sys.stderr  # looked up at call time: callers may redirect stderr
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    for problem in errors + warnings:
        print(str(problem), file=stream)
    print(f"{len(errors)} error(s), {len(warnings)} warning(s)", file=stream)


def _print_json(document: Any) -> None:
    from scenat.report import json_bytes

    sys.stdout.write(json_bytes(document).decode())


def _output(path: Path | None, allowed: tuple[str, ...], option: str) -> Path | None:
    """An output file the user named (None when not given): see ``output_file``."""
    from scenat.casefile.names import output_file

    return None if path is None else output_file(path, allowed, option)


def _write(path: Path, data: bytes, option: str) -> None:
    from scenat.atomic import write_atomic

    try:
        write_atomic(path, data)
    except OSError as exc:
        raise InputError(
            Problem(
                file=str(path),
                column=option,
                message=f"cannot write this file ({exc.strerror or exc})",
                hint="check that the folder exists and that you may write to it",
            )
        ) from None


def _case(text: str) -> Any:
    from scenat.casefile import read_case, resolve_case

    return read_case(resolve_case(text))


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


def assess(args: argparse.Namespace) -> int:
    from scenat.assessment import assess as assess_case
    from scenat.report import ReportChoices, client_document, text_report, write_report

    out = _output(args.out, (".json", ".xlsx", ".html", ".pdf"), "--out")
    edges_out = _output(args.edges, (".csv", ".json"), "--edges")
    samples_out = _output(args.mc_samples, (".csv", ".parquet"), "--mc-samples")
    case = _case(args.case)
    result = assess_case(case, indicators=args.indicators)
    paths = (
        {
            ind.id: result.paths(ind.id, top=args.paths, cutoff=args.cutoff)
            for ind in result.indicators
        }
        if args.paths
        else None
    )
    mc = _monte_carlo(args, case, result) if args.mc else None
    choices = ReportChoices(paths=paths or {}, monte_carlo=mc)
    if args.rank or args.budget is not None:
        _report_interventions(args, case, result, choices)
    document = client_document(result, choices) if choices.interventions is not None else None
    if document is None:
        from scenat.report import assessment_document

        document = assessment_document(result, paths=paths, monte_carlo=mc)
    if out:
        try:
            write_report(result, out, document=document, choices=choices)
        except OSError as exc:
            raise InputError(
                Problem(file=str(out), column="--out", message=f"cannot write it ({exc})")
            ) from None
    if edges_out:
        _write(edges_out, _edges_bytes(result, edges_out), "--edges")
    if samples_out and mc is not None:
        from scenat.report import samples_bytes, samples_frame

        data = samples_bytes(samples_frame(mc), samples_out.suffix.lower())
        _write(samples_out, data, "--mc-samples")
    if args.json:
        _print_json(document)
    else:
        print(text_report(result, top=args.top, paths=paths, monte_carlo=mc))
        for target in (out, edges_out, samples_out if mc is not None else None):
            if target:
                print(f"\nWritten: {target}")
    return EXIT_OK


def _report_interventions(args: argparse.Namespace, case: Any, result: Any, choices: Any) -> None:
    """The consultant's ranking and portfolio for the report (``--rank``, ``--budget``)."""
    from scenat.assessment import ForegroundResolver
    from scenat.calc.rank import parse_weights
    from scenat.interventions import collect, evaluate, plan_portfolio

    solve = ForegroundResolver(case, linked=result.linked)
    options = collect(case)
    choices.interventions = evaluate(case, options, solve=solve)
    choices.ranking = args.rank or "mac"
    choices.weights = parse_weights(args.weights) if args.weights else None
    if args.budget is not None:
        choices.portfolio = plan_portfolio(
            case, args.budget, options, table=choices.interventions, solve=solve
        )


def _monte_carlo(args: argparse.Namespace, case: Any, result: Any) -> Any:
    from scenat.distributed import ENVIRONMENT_VARIABLE

    progress = None if args.json else _progress_bar
    if args.scheduler or os.environ.get(ENVIRONMENT_VARIABLE):
        from scenat.distributed import monte_carlo as dask_monte_carlo

        return dask_monte_carlo(
            case,
            iterations=args.mc,
            seed=args.seed,
            indicators=args.indicators,
            scheduler=args.scheduler,
            progress=progress,
            background=args.mc_background == "on",
        )
    from scenat.uncertainty import monte_carlo

    return monte_carlo(
        case,
        iterations=args.mc,
        seed=args.seed,
        indicators=args.indicators,
        linked=result.linked,
        progress=progress,
        background=args.mc_background == "on",
    )


def _edges_bytes(result: Any, path: Path) -> bytes:
    from scenat.casefile.spreadsheet import csv_bytes, frame_rows
    from scenat.report import json_bytes

    edges = result.edges(expand_background=True)
    if path.suffix.lower() == ".json":
        return json_bytes(edges.to_dicts())  # strict JSON, as every document scenat writes
    return csv_bytes(frame_rows(edges), escape=True)


def interventions(args: argparse.Namespace) -> int:
    from scenat.assessment import ForegroundResolver
    from scenat.calc.rank import parse_weights
    from scenat.report import interventions_document
    from scenat.report.documents import interventions_text

    weights = parse_weights(args.weights) if args.weights else None
    case = _case(args.case)
    document = interventions_document(
        case,
        rank_by=args.rank,
        weights=weights,
        budget=args.budget,
        libraries=args.library,
        solve=ForegroundResolver(case),
    )
    if args.json:
        _print_json(document)
    else:
        print(interventions_text(document))
    return EXIT_OK


def compare(args: argparse.Namespace) -> int:
    from scenat.assessment import assess as assess_case
    from scenat.report.documents import compare_document, compare_text
    from scenat.uncertainty import probability_lower

    case_a, case_b = _case(args.case_a), _case(args.case_b)
    a, b = assess_case(case_a), assess_case(case_b)
    probability = (
        probability_lower(case_a, case_b, args.mc, args.seed, background=args.mc_background == "on")
        if args.mc
        else None
    )
    document = compare_document(a, b, args.by, probability)
    if args.json:
        _print_json(document)
    else:
        print(compare_text(document))
    return EXIT_OK


def data(args: argparse.Namespace) -> int:
    from scenat.importers import run_importer

    print(
        run_importer(
            args.source,
            args.input,
            args.output,
            allocation=args.allocation,
            add_flows=args.add_flows,
        )
    )
    return EXIT_OK


def backgrounds(args: argparse.Namespace) -> int:
    from scenat.brightway import search_processes, user_databases

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
        _print_json(rows)
    elif args.database:
        for row in rows:
            print(f"{row['id']:<60} {row['unit']:<8} {row['location'] or '':<6} {row['name']}")
    elif not rows:
        print("no user background databases; `scenat data uslci PATH` imports USLCI")
    else:
        for row in rows:
            print(f"{row['name']:<32} {row['processes']:>7} processes  {row['format']}")
    return EXIT_OK


def validate(args: argparse.Namespace) -> int:
    from scenat.casefile import resolve_case
    from scenat.casefile import validate as validate_case

    problems = validate_case(resolve_case(args.case), strict=args.strict)
    if args.json:
        _print_json([p.to_dict() for p in problems])
    elif problems:
        print_problems(problems, sys.stdout)
    else:
        print("valid: no problems found")
    return EXIT_BAD_INPUT if any(p.severity == "error" for p in problems) else EXIT_OK


def examples(args: argparse.Namespace) -> int:
    from scenat.casefile import list_examples

    found = list_examples()
    if args.json:
        _print_json(found)
    else:
        for item in found:
            print(f"{item['name']:<28} {item['title']}")
            print(f"{'':<28} {item['path']}")
    return EXIT_OK


def processes(args: argparse.Namespace) -> int:
    from scenat.model import shipped_catalogue

    rows = [
        {"id": p.id, "unit": p.unit, "name": p.name, "database": p.database}
        for p in shipped_catalogue().processes.values()
    ]
    if args.json:
        _print_json(rows)
    else:
        for row in rows:
            print(f"{row['id']:<40} {row['unit']:<6} {row['name']}")
    return EXIT_OK


def inventory(args: argparse.Namespace) -> int:
    from scenat.brightway import search_inventory

    rows = search_inventory(args.text)
    if args.json:
        _print_json(rows)
        return EXIT_OK
    if not rows:
        print(f"no process matches {args.text!r}; `scenat processes` lists them all")
    for row in rows:
        print(f"{row['id']:<44} {row['unit']:<6} {row['name']}  [{row['database']}]")
    return EXIT_OK


def setup(args: argparse.Namespace) -> int:
    from scenat.brightway import ensure_project

    started = time.perf_counter()
    project = ensure_project()
    print(
        f"Brightway project {project.name!r} ready in {time.perf_counter() - started:.2f} s: "
        f"databases {', '.join(project.databases)}; indicators {', '.join(project.indicator_ids)}"
    )
    return EXIT_OK


def app(args: argparse.Namespace) -> int:
    import importlib.util

    from scenat.paths import app_entry

    entry = app_entry()
    if entry is None:
        raise ScenatError("the Streamlit app is not part of this installation")
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


def template(args: argparse.Namespace) -> int:
    from scenat.casefile import write_template

    _output(args.path, (".xlsx",), "PATH")
    if (args.case is None) != (args.node is None):
        raise InputError(
            Problem(
                message="--case and --node go together",
                column="--case" if args.case is None else "--node",
                hint="give both for a partner workbook, or neither for a blank one",
            )
        )
    if args.case is not None:
        from scenat.casefile import read_case, resolve_case
        from scenat.casefile.partner_template import write_partner_template
        from scenat.store import Store, case_key_for

        store = Store(args.store)
        if store.has_case(args.case):
            key, case = args.case, store.version(args.case).case()
        else:
            path = resolve_case(args.case)
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


def submit(args: argparse.Namespace) -> int:
    from scenat.report.documents import submission_text
    from scenat.report.validation import validation_report
    from scenat.store import Store, SubmissionRejected, open_case
    from scenat.store import submit as submit_file

    report = _output(args.report, (".xlsx",), "--report")
    store = Store(args.store)
    key = open_case(store, args.case, _author(args))
    try:
        record = submit_file(store, key, args.workbook, args.submitter, node=args.node)
    except SubmissionRejected as err:
        if report:
            _write(report, validation_report(err.submission), "--report")
            print(f"Validation report written to {report}", file=sys.stderr)
        if args.json:
            _print_json(err.submission.to_dict())
        raise
    if report:
        _write(report, validation_report(record), "--report")
    if args.json:
        _print_json(record.to_dict())
        return EXIT_OK
    print(submission_text(record, key))
    if record.problems:
        print_problems(record.problems, sys.stdout)
    print(f"Preview and merge it: scenat accept {key} {record.id} [--yes]")
    if report:
        print(f"Validation report written to {report}")
    return EXIT_OK


def history(args: argparse.Namespace) -> int:
    from scenat.report.documents import history_document, history_text
    from scenat.report.validation import validation_report
    from scenat.store import Store, export_version

    store = Store(args.store)
    versions = store.history(args.case)
    subs = store.submissions(args.case) if args.submissions or args.json else []
    if args.export:
        export_version(store, args.case, _output(args.export, (".xlsx",), "--export"), args.version)
    report = None
    if args.report:
        report = _output(Path(args.report[1]), (".xlsx",), "--report")
        ident = _submission_id(args.report[0])
        sub = store.submission(ident)
        if sub.case_key != args.case:
            raise InputError(
                Problem(message=f"submission #{ident} is not for case {args.case!r}", value=ident,
                        hint=f"it is for case {sub.case_key!r}")
            )  # fmt: skip
        _write(report, validation_report(sub), "--report")
    if args.json:
        _print_json(history_document(args.case, versions, subs))
        return EXIT_OK
    print(history_text(args.case, versions, subs if args.submissions else None))
    for target in (args.export, report):
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


def diff(args: argparse.Namespace) -> int:
    from scenat.report.documents import diff_text
    from scenat.store import Store, diff_versions

    found = diff_versions(
        Store(args.store),
        args.case,
        args.a,
        args.b,
        impact=not args.no_impact,
        indicators=args.indicators,
    )
    if args.json:
        _print_json(found.to_dict())
    else:
        print(diff_text(found))
    return EXIT_OK


def rollback(args: argparse.Namespace) -> int:
    from scenat.store import Store

    version = Store(args.store).rollback(args.case, args.version, _author(args), args.message)
    print(f"Case {args.case} is now version {version.number}: {version.message}")
    return EXIT_OK


def accept(args: argparse.Namespace) -> int:
    from scenat.report.documents import accept_document, accept_text
    from scenat.store import Store, preview
    from scenat.store import accept as accept_submission

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
        version = accept_submission(store, args.submission, _author(args), args.message)
    if args.json:
        _print_json(accept_document(plan, version))
    else:
        print(accept_text(plan, version))
    return EXIT_OK


def ledger(args: argparse.Namespace) -> int:
    from scenat.casefile.ledger import screen_ledger
    from scenat.casefile.spreadsheet import csv_bytes, frame_rows
    from scenat.report.documents import ledger_document, ledger_text

    out = _output(args.out, (".csv",), "--out")
    screen = screen_ledger(args.ledger, args.mapping)
    result = node = None
    if args.case:
        from scenat.assessment import assess as assess_case

        case = _case(args.case)
        node = args.node or case.reference_node
        result = assess_case(screen.apply(case, node), indicators=args.indicators)
    if out:
        _write(out, csv_bytes(frame_rows(screen.sectors), escape=True), "--out")
    if args.json:
        _print_json(ledger_document(screen, result, node))
        return EXIT_OK
    print(ledger_text(screen, args.lines, result))
    if out:
        print(f"\nWritten: {out}")
    return EXIT_OK


COMMANDS = {
    "assess": assess,
    "ledger": ledger,
    "interventions": interventions,
    "compare": compare,
    "data": data,
    "validate": validate,
    "template": template,
    "submit": submit,
    "history": history,
    "diff": diff,
    "rollback": rollback,
    "accept": accept,
    "examples": examples,
    "processes": processes,
    "backgrounds": backgrounds,
    "inventory": inventory,
    "setup": setup,
    "app": app,
}
