"""``scenat ...`` command line.

Exit codes: 0 success, 2 bad input (a message naming file, sheet, row and column on
stderr, never a traceback), 1 internal error. ``--json`` prints exactly one JSON document
on stdout; anything Brightway prints goes to stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from scenat.cli.commands import COMMANDS, EXIT_BAD_INPUT, EXIT_OK, print_problems
from scenat.errors import InputError, Problem
from scenat.importers import SOURCES

EXIT_INTERNAL = 1


def _count(text: str) -> int:
    """A whole number >= 0 for options such as --mc and --paths."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is negative; give 0 or more")
    return value


def _amount(text: str) -> float:
    """A finite number >= 0 (--budget)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (value >= 0.0 and value < float("inf")):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number >= 0")
    return value


def _share(text: str) -> float:
    """A fraction 0 <= x < 1 (--cutoff)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"{text!r} is not between 0 and 1")
    return value


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
    p.add_argument("--out", type=Path, help="also write a report (.json, .xlsx, .html or .pdf)")
    p.add_argument("--top", type=_count, default=5, help="hotspots shown per breakdown (text)")
    p.add_argument(
        "--rank",
        choices=["mac", "topsis", "weighted"],
        help="the report also ranks the applicable interventions this way",
    )
    p.add_argument("--weights", help="with --rank topsis|weighted: e.g. gwp100=0.6,cost=0.4")
    p.add_argument(
        "--budget", type=_amount, help="the report also holds the best portfolio for this capex"
    )
    p.add_argument(
        "--paths",
        type=_count,
        default=0,
        metavar="N",
        help="also list the top N structural paths per indicator",
    )
    p.add_argument(
        "--cutoff",
        type=_share,
        default=1e-3,
        help="structural paths: prune below this share of the total",
    )
    p.add_argument(
        "--mc",
        type=_count,
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
    p.add_argument("--budget", type=_amount, help="best portfolio within this capex budget")
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
    p.add_argument(
        "--by",
        default="node",
        choices=["node", "tier", "stage", "process", "flow", "data_source"],
        help="hotspot breakdown to compare",
    )
    p.add_argument(
        "--mc",
        type=_count,
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
    p.add_argument("source", choices=list(SOURCES))
    p.add_argument("input", type=Path, help="the published file or folder")
    p.add_argument(
        "output",
        nargs="?",
        help="the inventory folder to (re)write; for uslci/olca/ilcd the Brightway database name "
        "(uslci: default 'uslci')",
    )
    p.add_argument(
        "--allocation", help="uslci/olca/ilcd: physical (default), economic, causal, none"
    )
    p.add_argument(
        "--add-flows",
        action="store_true",
        help="materials: first add missing characterised flows to elementary_flows.csv",
    )

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
    p.add_argument("--lines", type=_count, default=20, help="bad lines listed (text output)")
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


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except InputError as err:
        print_problems(err.problems)
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
    except OSError as err:
        # The environment, not scenat: a read-only or blocked SCENAT_HOME, a full disk, a
        # folder that cannot be written. Reported like bad input, with the path.
        print_problems([environment_problem(err)])
        return EXIT_BAD_INPUT
    except Exception as err:  # an internal error: say so plainly, traceback only on request
        if os.environ.get("SCENAT_DEBUG"):
            raise
        print(f"internal error: {type(err).__name__}: {err}", file=sys.stderr)
        print("set SCENAT_DEBUG=1 to see the traceback; please report it", file=sys.stderr)
        return EXIT_INTERNAL


def environment_problem(err: OSError) -> Problem:
    """An operating-system error as a located problem naming the file and SCENAT_HOME."""
    home = os.environ.get("SCENAT_HOME") or str(Path.home() / ".scenat")
    return Problem(
        message=f"cannot use this file or folder: {err.strerror or err}",
        file=err.filename if err.filename is not None else home,
        hint=f"check that it exists and that you may read and write it; scenat writes only "
        f"in SCENAT_HOME ({home}): set SCENAT_HOME to a folder you may write",
    )


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
