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

Processes may carry ``recorded_indicators``: the indicators whose flows the process's data
record (its own exchanges and everything it links to), e.g. ``gwp100;fossil_energy``, so that
a coverage check can say which purchases a result covers (:func:`recorded_indicators`).

Aggregated inventories drop round-off noise (:func:`drop_round_off`); regeneration tests
compare a rebuilt folder with the shipped one by value, within a tolerance
(:func:`compare_inventories`), never byte for byte.

>>> PROCESS_COLUMNS[:4], EXCHANGE_COLUMNS[:4]
(('id', 'name', 'reference_product', 'unit'), ('process', 'type', 'input', 'amount'))
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Iterable, Mapping
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
#: the exchange columns with the uncertainty columns, as importers that give them write them
UNCERTAIN_EXCHANGE_COLUMNS = (*EXCHANGE_COLUMNS, *UNCERTAINTY_COLUMNS)
#: the process column listing the indicators a process's data record (see recorded_indicators)
RECORDED_INDICATORS = "recorded_indicators"

#: relative tolerance below which an aggregated amount is round-off noise (drop_round_off)
ROUND_OFF_RTOL = 1e-9
#: tolerances of compare_inventories: a rebuilt number may differ by this much from the shipped
COMPARE_RTOL = 1e-9
COMPARE_ATOL = 1e-15


def exchange_schema(columns: Iterable[str] = UNCERTAIN_EXCHANGE_COLUMNS) -> dict[str, Any]:
    """Polars types of exchange columns: ``amount``, ``gsd``, ``sd``, ``min``, ``max`` are
    floats, ``year`` an integer, the rest text."""
    floats = {"amount", "gsd", "sd", "min", "max"}
    return {
        c: pl.Float64 if c in floats else pl.Int64 if c == "year" else pl.String for c in columns
    }


def drop_round_off(exchanges: pl.DataFrame, rtol: float = ROUND_OFF_RTOL) -> pl.DataFrame:
    """Drop exchanges whose amount is round-off noise of an aggregation.

    An amount ``x`` of a flow is noise when ``0 < |x| <= rtol * max |x|`` over the amounts of
    the same ``(type, input, unit)`` in the table: a solve that sums contributions of very
    different size leaves such residues (1e-18 kg of uranium beside 1e-5), some negative.
    Real small amounts of a flow (1e-12 beside 1e-5, a ratio of 1e-7) are kept, and so is an
    exact zero, which is data (Ember's 0 g/kWh of an all-hydro grid), not noise.

    >>> table = pl.DataFrame({"process": ["a", "b", "c"], "type": ["biosphere"] * 3,
    ...     "input": ["uranium_resource"] * 3, "amount": [2e-5, -3e-17, 0.0], "unit": ["kg"] * 3})
    >>> drop_round_off(table)["process"].to_list()
    ['a', 'c']
    """
    if exchanges.is_empty():
        return exchanges
    scale = pl.col("amount").abs().max().over("type", "input", "unit")
    return exchanges.filter((pl.col("amount") == 0) | (pl.col("amount").abs() > rtol * scale))


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


ZERO_SOURCE = "none: an exact zero"


def _zeros_without_spread(exchanges: pl.DataFrame) -> pl.DataFrame:
    zero = pl.col("amount") == 0
    spread = [c for c in ("distribution", "gsd", "sd", "min", "max") if c in exchanges.columns]
    updates = [pl.when(zero).then(None).otherwise(pl.col(c)).alias(c) for c in spread]
    if "uncertainty_source" in exchanges.columns:
        updates.append(
            pl.when(zero & ~pl.col("uncertainty_source").fill_null("").str.starts_with("none"))
            .then(pl.lit(ZERO_SOURCE))
            .otherwise(pl.col("uncertainty_source"))
            .alias("uncertainty_source")
        )
    return exchanges.with_columns(updates)


def write_inventory(
    processes: pl.DataFrame, exchanges: pl.DataFrame, out_dir: str | os.PathLike[str]
) -> tuple[int, int]:
    """Write an inventory folder (``processes.csv``, ``exchanges.csv``) in the shipped format.

    A half-written inventory would load as a valid but wrong background, so both files are
    staged and replaced together. Every importer writes its folder through here. An exact
    zero keeps no distribution (a lognormal cannot spread a nil amount; its
    ``uncertainty_source`` says so). Returns the number of processes and exchanges written.
    """
    if "distribution" in exchanges.columns:
        exchanges = _zeros_without_spread(exchanges)
    out = Path(out_dir)
    write_many_atomic(
        {out / "processes.csv": _csv_bytes(processes), out / "exchanges.csv": _csv_bytes(exchanges)}
    )
    return processes.height, exchanges.height


# ------------------------------------------------------------------ comparing folders


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def _keyed(name: str, rows: list[dict[str, str]]) -> dict[tuple[str, ...], dict[str, str]]:
    """Rows by a stable key: processes by id, exchanges by (process, type, input, n-th)."""
    keyed: dict[tuple[str, ...], dict[str, str]] = {}
    seen: dict[tuple[str, ...], int] = {}
    for number, row in enumerate(rows, start=2):
        if name == "processes.csv" and "id" in row:
            base: tuple[str, ...] = (row["id"],)
        elif name == "exchanges.csv" and {"process", "type", "input"} <= set(row):
            base = (row["process"], row["type"], row["input"])
        else:
            base = (str(number),)
        seen[base] = seen.get(base, 0) + 1
        keyed[(*base, str(seen[base]))] = row
    return keyed


def compare_inventories(
    expected: str | os.PathLike[str],
    actual: str | os.PathLike[str],
    *,
    rtol: float = COMPARE_RTOL,
    atol: float = COMPARE_ATOL,
) -> list[str]:
    """The differences between two inventory folders, numbers compared with a tolerance.

    Every CSV file the rebuilt folder ``actual`` holds is compared with the same file of
    ``expected`` (typed input tables that only the shipped folder holds, such as a model's
    parameters, are not rebuilt and not compared): rows are matched by key (``processes.csv``
    by ``id``; ``exchanges.csv`` by process, type, input and order among repeats; other
    tables by row number), cells that are numbers in both files must agree within
    ``|a - b| <= atol + rtol * |b|``, other cells exactly. Returns one line per difference
    (empty when the folders agree), so a regeneration test can say what went stale and
    still pass on a machine whose last floating-point digits differ.

    >>> import tempfile, pathlib
    >>> a, b = (pathlib.Path(tempfile.mkdtemp()) for _ in range(2))
    >>> _ = (a / "processes.csv").write_text("id,year\\nx,2024\\n")
    >>> _ = (b / "processes.csv").write_text("id,year\\nx,2024.0000000000002\\n")
    >>> compare_inventories(a, b)
    []
    >>> _ = (b / "processes.csv").write_text("id,year\\nx,2025\\n")
    >>> compare_inventories(a, b)
    ['processes.csv x: year 2024 != 2025']
    """
    left, right = Path(expected), Path(actual)
    names = sorted(p.name for p in right.glob("*.csv"))
    problems: list[str] = [] if names else [f"{right}: no CSV file to compare"]
    for name in names:
        if not (left / name).exists():
            problems.append(f"{name}: missing from {left}")
            continue
        old_rows, new_rows = _read_rows(left / name), _read_rows(right / name)
        if old_rows and new_rows and list(old_rows[0]) != list(new_rows[0]):
            problems.append(f"{name}: columns {list(old_rows[0])} != {list(new_rows[0])}")
            continue
        old, new = _keyed(name, old_rows), _keyed(name, new_rows)
        for key in old.keys() - new.keys():
            problems.append(f"{name} {' '.join(key[:-1])}: only in {left}")
        for key in new.keys() - old.keys():
            problems.append(f"{name} {' '.join(key[:-1])}: only in {right}")
        for key in sorted(old.keys() & new.keys()):
            for column, was in old[key].items():
                now = new[key].get(column, "")
                if was == now:
                    continue
                a, b = _number(was), _number(now)
                if a is not None and b is not None and abs(a - b) <= atol + rtol * abs(b):
                    continue
                label = " ".join(key[:-1]) + (f" #{key[-1]}" if key[-1] != "1" else "")
                problems.append(f"{name} {label}: {column} {was} != {now}")
    return problems


# ------------------------------------------------------------- recorded indicators


def recorded_indicators(
    processes: Iterable[str],
    exchanges: Iterable[Mapping[str, Any]],
    characterised: Mapping[str, Iterable[str]],
    upstream: Mapping[str, Iterable[str]] | None = None,
) -> dict[str, str]:
    """Per process, the indicators its data record: ``;``-joined ids, in a stable order.

    A process records an indicator when one of its biosphere exchanges has a flow that the
    indicator characterises (``characterised``: flow id -> indicator ids, see
    :func:`scenat.model.indicators.characterised_flows`) or when a process it buys from
    records it (technosphere exchanges, followed through the table and, for suppliers in
    other folders, ``upstream``: process id -> indicator ids). A zero amount records its
    indicator too: the source says the flow is nil, which is covered, not missing.

    >>> rows = [{"process": "grid", "type": "biosphere", "input": "co2_fossil", "amount": 0.2},
    ...         {"process": "rail", "type": "technosphere", "input": "grid", "amount": 0.02}]
    >>> recorded_indicators(["grid", "rail"], rows, {"co2_fossil": ["gwp100"]})
    {'grid': 'gwp100', 'rail': 'gwp100'}
    """
    ids = list(processes)
    own: dict[str, set[str]] = {pid: set() for pid in ids}
    links: dict[str, set[str]] = {pid: set() for pid in ids}
    order: dict[str, int] = {}
    for flow_indicators in characterised.values():
        for ind in flow_indicators:
            order.setdefault(ind, len(order))
    for row in exchanges:
        pid = row["process"]
        if pid not in own:
            continue
        if row["type"] == "biosphere":
            own[pid].update(characterised.get(row["input"], ()))
        else:
            links[pid].add(row["input"])
    outside = {pid: set(inds) for pid, inds in (upstream or {}).items()}
    changed = True
    while changed:  # a fixed point: supply chains may loop
        changed = False
        for pid in ids:
            before = len(own[pid])
            for supplier in links[pid]:
                own[pid] |= own.get(supplier, outside.get(supplier, set()))
            changed |= len(own[pid]) != before
    return {
        pid: ";".join(sorted(own[pid], key=lambda i: (order.get(i, len(order)), i))) for pid in ids
    }


def shipped_recorded_indicators(root: str | os.PathLike[str]) -> dict[str, set[str]]:
    """``recorded_indicators`` of every shipped process that states them (other folders)."""
    found: dict[str, set[str]] = {}
    for path in sorted(Path(root).glob("*/processes.csv")):
        for row in _read_rows(path):
            if row.get(RECORDED_INDICATORS):
                found[row["id"]] = set(row[RECORDED_INDICATORS].split(";"))
    return found
