"""Assessment -> documents: the JSON document of the CLI contract and a readable text table.

Report files (:mod:`scenat.report.files`) are ``.json`` (the CLI document), ``.xlsx`` (case
metadata, totals and every breakdown with their units, one sheet each) and ``.html``: one
self-contained file, charts included (plotly.js inlined once, no link to any other file or
server), which needs plotly (the ``[app]`` extra); ``.pdf`` is that html printed by headless
Chromium (:mod:`scenat.report.pdf`). Given the consultant's
:class:`~scenat.report.client.ReportChoices`, each format is the client report
(:mod:`scenat.report.client`): ranking, portfolio, paths, Monte Carlo, coverage and data
sources.

>>> doc = {"case": "x", "indicators": {}, "hotspots": {}}
>>> sorted(doc)
['case', 'hotspots', 'indicators']
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from scenat.assessment import Assessment
from scenat.calc import ALL_BREAKDOWNS, PathTable
from scenat.model.currency import currency_label
from scenat.uncertainty import UncertaintyResult


def assessment_document(
    result: Assessment,
    paths: Mapping[str, PathTable] | None = None,
    monte_carlo: UncertaintyResult | None = None,
) -> dict[str, Any]:
    """The ``scenat assess --json`` document (see DESIGN.md, "Command line"), with the
    structural ``paths`` per indicator and the ``monte_carlo`` result when given."""
    case = result.case
    hotspots: dict[str, Any] = {}
    for ind in result.indicators:
        hotspots[ind.id] = {}
        for by in ALL_BREAKDOWNS:
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
    document: dict[str, Any] = {
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
                "coverage": result.coverage[ind.id].to_dict()
                if ind.id in result.coverage
                else None,
            }
            for ind in result.indicators
        },
        "hotspots": hotspots,
        "circularity": circularity_document(result),
        "currency": case.currency,
        "region": case.region,
        "locations": {n.id: n.location for n in case.nodes.values()},
        "supply": result.supply,
        "inventory_version": result.inventory_version,
        "warnings": [p.to_dict() for p in result.warnings],
        "notes": list(result.notes),
    }
    if paths:
        document["paths"] = {
            ind: {
                "coverage": found.coverage,
                "cutoff": found.cutoff,
                "total": found.total,
                "paths": found.table.to_dicts(),
            }
            for ind, found in paths.items()
        }
    if monte_carlo is not None:
        document["monte_carlo"] = monte_carlo_section(monte_carlo)
    return document


def circularity_document(result: Assessment) -> dict[str, Any] | None:
    """The case's circularity indicators and module D (None when no flow carries them)."""
    found = result.circularity
    if found is None:
        return None
    document = found.as_dict()
    for key in ("recycled_content", "eol_recycling_rate", "mci", "mass_kg"):
        document[key] = _finite(document[key])
    document["module_d"] = {k: _finite(v) for k, v in found.module_d.items()}
    document["materials"] = [
        {k: _finite(v) for k, v in row.items()} for row in document["materials"]
    ]
    return document


def circularity_lines(result: Assessment) -> list[str]:
    """The circularity section of the text report (empty when the case has none)."""
    found = result.circularity
    if found is None:
        return []

    def pct(value: float) -> str:
        return "unknown" if value != value else f"{100 * value:.1f} %"

    lines = [
        "",
        f"Circularity ({len(found.materials)} material flows, {found.mass_kg:.6g} kg per "
        "functional unit)",
        f"  recycled content              {pct(found.recycled_content)}",
        f"  end-of-life recycling rate    {pct(found.eol_recycling_rate)}",
        f"  Material Circularity Indicator {found.mci:.3f}"
        if found.mci == found.mci
        else "  Material Circularity Indicator unknown",
        "  module D (EN 15804, beside the total, not in it):",
    ]
    units = {i.id: i.unit for i in result.indicators}
    for ind, value in found.module_d.items():
        shown = "unknown" if value != value else f"{value:.6g}"
        lines.append(f"    {ind:<16} {shown} {units.get(ind, '')}")
    for label in found.not_credited:
        lines.append(f"  not credited (no recycling_process): {label}")
    return lines


def monte_carlo_section(mc: UncertaintyResult, top: int = 10) -> dict[str, Any]:
    """The ``monte_carlo`` part of the documents: what was sampled, the intervals and, per
    indicator, the top variance drivers (SRC^2) with the R^2 of the linear model.

    When nothing was uncertain, ``anything_uncertain`` is false, ``statement`` says the
    interval is a point, and ``drivers`` is empty.
    """
    drivers = {}
    for ind in mc.indicators:
        table = mc.drivers(ind.id, top=top)
        drivers[ind.id] = {
            "r2": _finite(mc.r2(ind.id)) if table.height else None,
            "inputs": [
                {k: _finite(v) if isinstance(v, float) else v for k, v in row.items() if k != "r2"}
                for row in table.iter_rows(named=True)
            ],
        }
    return {
        "iterations": mc.iterations,
        "seed": mc.seed,
        "anything_uncertain": mc.anything_uncertain,
        "statement": mc.statement,
        "uncertain_flows": mc.uncertain_flows,
        "uncertain_exchanges": mc.uncertain_exchanges,
        "background_sampled": mc.background_sampled,
        "background_uncertainty": mc.background_uncertainty,
        "summary": mc.summary().to_dicts(),
        "drivers": drivers,
        "sensitivity_method": (
            "squared standardised regression coefficients (SRC^2) of each indicator's total "
            "on the screened sampled inputs; r2 is the share of the variance the linear "
            "model explains"
        ),
    }


def _finite(value: Any) -> Any:
    # strict JSON: a coefficient that could not be estimated is null, not NaN
    return value if value is None or value == value else None


def _short(label: str, width: int) -> str:
    """A label cut to ``width``, shortening the process part of ``process: input`` first so
    the exchange stays readable."""
    if len(label) <= width:
        return label
    process, sep, exchange = label.rpartition(": ")
    if sep and len(exchange) < width - 12:
        keep = width - len(exchange) - 5
        return f"{process[:keep]}...: {exchange}"
    return label[: width - 3] + "..."


def monte_carlo_lines(mc: UncertaintyResult, top: int = 5) -> list[str]:
    """The Monte Carlo part of the text report: what was sampled, the 90 % intervals and the
    top ``top`` variance drivers per indicator (or that the interval is a point)."""
    lines = [f"\nMonte Carlo: {mc.iterations} iterations, seed {mc.seed}; {mc.statement}"]
    if not mc.anything_uncertain:
        for row in mc.summary().iter_rows(named=True):
            lines.append(
                f"  {row['indicator']:<16} {row['deterministic']:.6g} {row['unit']} (a point)"
            )
        return lines
    for row in mc.summary().iter_rows(named=True):
        lines.append(
            f"  {row['indicator']:<16} mean {row['mean']:.6g}  sd {row['sd']:.3g}  "
            f"90 % interval {row['p5']:.6g} .. {row['p95']:.6g} {row['unit']}"
        )
    for ind in mc.indicators:
        table = mc.drivers(ind.id, top=top)
        if not table.height:
            continue
        r2 = mc.r2(ind.id)
        lines.append(f"  variance drivers of {ind.id} (SRC^2; linear model R^2 = {r2:.2f}):")
        for row in table.iter_rows(named=True):
            label = _short(str(row["input"]), 72)
            src2 = row["src2"]
            shown = f"{100 * src2:5.1f} %" if src2 == src2 else "    n/a"
            lines.append(f"    {shown}  {label} [{row['kind']}]")
    return lines


def text_report(
    result: Assessment,
    top: int = 5,
    paths: Mapping[str, PathTable] | None = None,
    monte_carlo: UncertaintyResult | None = None,
) -> str:
    """A readable summary: totals, the top hotspots per indicator and breakdown, then the
    structural paths and the Monte Carlo intervals when given."""
    lines = [f"Case: {result.case.name}"]
    if result.case.functional_unit:
        lines.append(f"Functional unit: {result.case.functional_unit}")
    places = sorted({n.location for n in result.case.nodes.values() if n.location})
    where = f"region {result.case.region}; " if result.case.region else ""
    lines.append(
        f"Money: {currency_label(result.case.currency)}"
        + (f" of {result.case.year}" if result.case.year else "")
        + f"; {where}node locations: {', '.join(places) if places else 'none given'}"
    )
    lines.append("")
    width = max(len(i.label) for i in result.indicators)
    for ind in result.indicators:
        line = f"  {ind.label:<{width}}  {result.totals[ind.id]:>14.6g} {ind.unit}"
        found = result.coverage.get(ind.id)
        if found is not None and found.low:
            share = found.by_carbon if found.by_carbon == found.by_carbon else found.by_count
            line += f"  [low coverage: {100 * share:.0f} % of purchases by carbon]"
        lines.append(line)
    for ind in result.indicators:
        total = result.totals[ind.id]
        if total == 0:
            continue
        lines.append("")
        lines.append(f"Hotspots for {ind.label} [{ind.unit}]")
        for by in ALL_BREAKDOWNS:
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
    lines += circularity_lines(result)
    for note in result.notes:
        lines.append(f"note: {note}")
    for problem in result.warnings:
        lines.append(str(problem))
    labels = {i.id: i.label for i in result.indicators}
    for ind, found in (paths or {}).items():
        lines.append(
            f"\nStructural paths for {labels[ind]}: {len(found.table)} listed, "
            f"covering {100 * found.coverage:.1f} % of the total"
        )
        for row in found.table.iter_rows(named=True):
            lines.append(f"  {row['value']:>12.5g} {100 * row['share']:6.1f} %  {row['path']}")
    if monte_carlo is not None:
        lines.extend(monte_carlo_lines(monte_carlo))
    return "\n".join(lines)


def json_bytes(document: Any) -> bytes:
    """A document as the JSON scenat writes: indented, strict (no NaN or infinity)."""
    return (json.dumps(document, indent=2, allow_nan=False, default=str) + "\n").encode()
