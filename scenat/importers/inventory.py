"""The one inventory schema every importer writes: ``processes.csv`` and ``exchanges.csv`` per
background database folder of ``inventories/``, a source, table, year and licence on every row.

``processes.csv`` has :data:`PROCESS_COLUMNS` (importers may add columns after them, e.g.
``price_year`` for spend sectors); ``exchanges.csv`` has :data:`EXCHANGE_COLUMNS`: ``type`` is
``technosphere`` (``input`` a process id) or ``biosphere`` (``input`` an elementary flow id of
``elementary_flows.csv``), ``amount`` per unit of the process's reference product. Exchanges
may carry :data:`UNCERTAINTY_COLUMNS`, in the case workbook's vocabulary: ``distribution``
(lognormal, normal, triangular, uniform), ``gsd`` (lognormal), ``sd``, ``min``, ``max``, and
``uncertainty_source`` (the source's own distribution, or a pedigree assessment:
:mod:`scenat.importers.pedigree`); the Brightway project stores them on the exchange.

>>> PROCESS_COLUMNS[:4], EXCHANGE_COLUMNS[:4]
(('id', 'name', 'reference_product', 'unit'), ('process', 'type', 'input', 'amount'))
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

import polars as pl

from scenat.atomic import write_many_atomic

PROCESS_COLUMNS = (
    "id",
    "name",
    "reference_product",
    "unit",
    "location",
    "category",
    "source",
    "table",
    "year",
    "licence",
    "comment",
)
EXCHANGE_COLUMNS = (
    "process",
    "type",
    "input",
    "amount",
    "unit",
    "source",
    "table",
    "year",
    "licence",
    "comment",
)


UNCERTAINTY_COLUMNS = ("distribution", "gsd", "sd", "min", "max", "uncertainty_source")


def _format(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)  # shortest round-trip form: stable across runs and platforms
    return str(value)


def _csv_bytes(table: pl.DataFrame) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.columns)
    for row in table.iter_rows():
        writer.writerow([_format(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def write_inventory(
    processes: pl.DataFrame, exchanges: pl.DataFrame, out_dir: str | os.PathLike[str]
) -> tuple[int, int]:
    """Write an inventory folder (``processes.csv``, ``exchanges.csv``) in the shipped format.

    A half-written inventory would load as a valid but wrong background, so both files are
    staged and replaced together. Every importer writes its folder through here. Returns
    the number of processes and exchanges written.
    """
    out = Path(out_dir)
    write_many_atomic(
        {out / "processes.csv": _csv_bytes(processes), out / "exchanges.csv": _csv_bytes(exchanges)}
    )
    return processes.height, exchanges.height
