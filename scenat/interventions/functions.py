"""What a background process *does*, so that an option can match "any grid electricity" or
"any road freight" instead of one UK process id.

``inventories/interventions/functions.csv`` lists, per function (``electricity.grid``,
``freight.road``, ``aluminium.primary``, ...), the shipped processes that provide it, one row
each; the first row of a function is its default. An intervention names a function in
``match_input`` (``function:freight.road`` matches a flow buying any member) and in ``to``
(``function:freight.rail`` substitutes the member *in the same place* as the matched
process, else as the node, else the default), so one option serves a UK, a US and a
Chinese supply chain with their own data.

>>> functions = shipped_functions()
>>> "electricity_uk_grid_delivered" in functions.members["electricity.grid"]
True
>>> functions.resolve("freight.rail", ["US"])
'uslci_transport_rail'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from scenat.brightway import project_catalogue
from scenat.casefile.sheets import read_table
from scenat.errors import InputError, Problem
from scenat.model.catalogue import Catalogue
from scenat.model.cells import Cells
from scenat.model.places import normalise, within
from scenat.model.units import UnitMismatch, conversion_factor
from scenat.paths import inventories_dir

FUNCTION_PREFIX = "function:"


@dataclass(frozen=True)
class Functions:
    """Function -> the processes that provide it (the first is the default), with the unit of
    the default (every member's unit converts to it)."""

    members: dict[str, tuple[str, ...]]
    units: dict[str, str]
    locations: dict[str, str | None] = field(default_factory=dict)

    def providing(self, process_id: str) -> set[str]:
        """The functions a process provides."""
        return {f for f, ids in self.members.items() if process_id in ids}

    def resolve(self, function: str, near: Sequence[str | None]) -> str:
        """The member located at the first of ``near`` that has one, else the default."""
        ids = self.members[function]
        for location in near:
            if not location:
                continue
            # the most specific member first: a province's grid before its country's
            for pid in ids:
                if normalise(self.locations.get(pid)) == normalise(location):
                    return pid
            for pid in ids:
                if within(location, self.locations.get(pid)):
                    return pid
        return ids[0]


def shipped_functions_path() -> Path:
    return inventories_dir() / "interventions" / "functions.csv"


def load_functions(path: str | Path | None = None, catalogue: Catalogue | None = None) -> Functions:
    """Read and check a functions table; every unknown process or mixed unit is located."""
    path = Path(path) if path is not None else shipped_functions_path()
    catalogue = catalogue or project_catalogue()
    problems: list[Problem] = []
    table = read_table(path, problems)
    cells = Cells(file=str(path), problems=problems)
    members: dict[str, list[str]] = {}
    units: dict[str, str] = {}
    locations: dict[str, str | None] = {}
    for row, record in table.rows if table is not None else []:
        function = cells.text(row, record, "function", required=True)
        process = cells.text(row, record, "process", required=True)
        if function is None or process is None:
            continue
        info = catalogue.processes.get(process)
        if info is None:
            cells.add(
                row,
                "process",
                process,
                f"unknown background process {process!r}",
                "use a shipped process id (`scenat processes`)",
            )
            continue
        unit = units.setdefault(function, info.unit)
        try:
            conversion_factor(info.unit, unit)
        except UnitMismatch:
            cells.add(
                row,
                "process",
                process,
                f"{process!r} is measured in {info.unit}, the function {function!r} in {unit}",
                "the members of a function measure the same thing: make another function",
            )
            continue
        members.setdefault(function, []).append(process)
        locations[process] = info.location
    if any(p.severity == "error" for p in problems):
        raise InputError(problems, f"problem(s) in the functions table {path}")
    return Functions({f: tuple(ids) for f, ids in members.items()}, units, locations)


@lru_cache(maxsize=1)
def _shipped(path: str, mtime: float) -> Functions:
    return load_functions(path)


def shipped_functions() -> Functions:
    """The shipped functions table (cached; read again when the file changes)."""
    path = shipped_functions_path()
    return _shipped(str(path), path.stat().st_mtime)
