"""Assessment -> documents: the JSON document of the CLI contract, a readable text table, files.

>>> doc = {"case": "x", "indicators": {}, "hotspots": {}}
>>> sorted(doc)
['case', 'hotspots', 'indicators']
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from scenat.assessment import BREAKDOWNS, Assessment


def assessment_document(result: Assessment) -> dict[str, Any]:
    """The ``scenat assess --json`` document (see DESIGN.md, "Command line")."""
    case = result.case
    hotspots: dict[str, Any] = {}
    for ind in result.indicators:
        hotspots[ind.id] = {}
        for by in BREAKDOWNS:
            rows = []
            for row in result.hotspots(ind.id, by).iter_rows(named=True):
                key: Any = int(row["key"]) if by == "tier" else row["key"]
                item = {
                    "key": key,
                    "label": row["label"],
                    "value": row["value"],
                    "share": row["share"],
                    "cumulative_share": row["cumulative_share"],
                }
                if "kind" in row:
                    item["kind"] = row["kind"]
                rows.append(item)
            hotspots[ind.id][by] = rows
    return {
        "case": case.name,
        "reference": {
            "node": case.reference_node,
            "amount": case.reference_amount,
            "unit": case.nodes[case.reference_node].output_unit,
            "functional_unit": case.functional_unit,
            "annual_volume": case.annual_volume,
        },
        "indicators": {
            ind.id: {
                "label": ind.label,
                "unit": ind.unit,
                "method": list(ind.method),
                "method_source": ind.source,
                "total": result.totals[ind.id],
            }
            for ind in result.indicators
        },
        "hotspots": hotspots,
        "supply": result.supply,
        "inventory_version": result.inventory_version,
        "warnings": [p.to_dict() for p in result.warnings],
    }


def text_report(result: Assessment, top: int = 5) -> str:
    """A readable summary: totals, then the top hotspots per indicator and breakdown."""
    lines = [f"Case: {result.case.name}"]
    if result.case.functional_unit:
        lines.append(f"Functional unit: {result.case.functional_unit}")
    lines.append("")
    width = max(len(i.label) for i in result.indicators)
    for ind in result.indicators:
        lines.append(f"  {ind.label:<{width}}  {result.totals[ind.id]:>14.6g} {ind.unit}")
    for ind in result.indicators:
        total = result.totals[ind.id]
        if total == 0:
            continue
        lines.append("")
        lines.append(f"Hotspots for {ind.label} [{ind.unit}]")
        for by in BREAKDOWNS:
            table = result.hotspots(ind.id, by)
            lines.append(f"  by {by}:")
            for row in table.head(top).iter_rows(named=True):
                label = str(row["label"])
                label = label if len(label) <= 48 else label[:45] + "..."
                lines.append(f"    {label:<48} {row['value']:>12.5g}  {100 * row['share']:6.1f} %")
            if table.height > top:
                rest = table["value"][top:].sum()
                lines.append(
                    f"    {'(' + str(table.height - top) + ' more)':<48} {rest:>12.5g}  "
                    f"{100 * rest / total:6.1f} %"
                )
    for problem in result.warnings:
        lines.append(str(problem))
    return "\n".join(lines)


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers see either the old or the whole new content."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_report(result: Assessment, path: Path) -> None:
    """Write the assessment as ``.json`` or ``.xlsx`` (by suffix)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        write_atomic(path, json.dumps(assessment_document(result), indent=2).encode())
    elif suffix == ".xlsx":
        write_atomic(path, _xlsx_bytes(result))
    else:
        from scenat.errors import InputError, Problem

        raise InputError(
            Problem(
                file=str(path),
                message=f"unsupported report type {suffix!r}",
                value=suffix,
                hint="use a .json or .xlsx file name",
            )
        )


def _xlsx_bytes(result: Assessment) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "totals"
    totals = result.totals_table()
    sheet.append(totals.columns)
    for row in totals.iter_rows():
        sheet.append(list(row))
    for ind in result.indicators:
        for by in BREAKDOWNS:
            table = result.hotspots(ind.id, by)
            ws = book.create_sheet(f"{ind.id[:20]}_{by}"[:31])
            ws.append(table.columns)
            for row in table.iter_rows():
                ws.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
