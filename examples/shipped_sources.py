"""What the example build scripts say of the shipped inventories they buy from.

Imported by ``examples/*/build_workbook.py`` (which put this folder on ``sys.path``): the
source text of a shipped background process and the amounts its inventory holds, read from
the shipped files, so an example's sources and numbers cannot drift from the data.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

INVENTORIES = Path(__file__).resolve().parents[1] / "inventories"


def shipped(process_id: str) -> str:
    """Source of a shipped background process: its folder, id, name and, for ÖKOBAUDAT, the
    dataset UUID (read from the shipped catalogue, so it cannot drift from the data)."""
    from scenat.model.catalogue import shipped_catalogue

    info = shipped_catalogue().processes[process_id]
    uuid = re.search(r"\[([0-9a-f-]{36})\]", info.source or "")
    extra = f", dataset {uuid.group(1)}" if uuid else ""
    return f"shipped inventory inventories/{info.database}: {process_id} ({info.name}{extra})"


def shipped_amount(process_id: str, flow: str) -> float:
    """The amount of one elementary flow per unit of a shipped aggregated process."""
    for table in sorted(INVENTORIES.glob("*/exchanges.csv")):
        with table.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row["process"] == process_id and row["input"] == flow:
                    return float(row["amount"])
    raise KeyError((process_id, flow))
