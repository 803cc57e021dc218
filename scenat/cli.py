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


def _print_problems(problems: list[Problem], stream=sys.stderr) -> None:
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    for problem in errors + warnings:
        print(str(problem), file=stream)
    print(f"{len(errors)} error(s), {len(warnings)} warning(s)", file=stream)


def _assess(args: argparse.Namespace) -> int:
    import scenat
    from scenat.report import assessment_document, text_report, write_report

    case = scenat.read_case(resolve_case_path(args.case))
    result = scenat.assess(case, indicators=args.indicators)
    if args.out:
        write_report(result, args.out)
    if args.json:
        json.dump(assessment_document(result), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(text_report(result, top=args.top))
        if args.out:
            print(f"\nReport written to {args.out}")
    return EXIT_OK


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
