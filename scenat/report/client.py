"""The client report: an assessment with the consultant's choices, in one document.

What a consultant hands a client is more than the totals: which ranking of interventions
they chose and with which weights, the portfolio within the budget, the structural paths,
the Monte Carlo run, how much of each indicator the data cover, and where every number comes
from. :class:`ReportChoices` carries those choices; :func:`client_document` is the JSON
document, and :func:`scenat.report.files.report_bytes` writes the same content as html, pdf and
xlsx. The app and the command line both build their reports here.

>>> choices = ReportChoices(ranking="topsis", weights={"gwp100": 0.7, "cost": 0.3})
>>> choices_summary(choices)["weights"]
{'gwp100': 0.7, 'cost': 0.3}
>>> choices_summary(ReportChoices())["weights"] is None
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from scenat.assessment import Assessment
from scenat.calc import PathTable, rank
from scenat.model.currency import currency_label
from scenat.report.assessment import assessment_document
from scenat.report.interventions import json_records, ranked_interventions
from scenat.uncertainty import UncertaintyResult

RANKINGS = {
    "mac": "Marginal abatement cost (cheapest per t CO2-eq first)",
    "topsis": "TOPSIS (closeness to the ideal option) with the consultant's weights",
    "weighted": "Weighted sum of normalised criteria with the consultant's weights",
}


@dataclass
class ReportChoices:
    """What the consultant chose; every field is optional and left out of the report if unset.

    ``interventions`` is the evaluated table of :func:`scenat.interventions.evaluate`;
    ``portfolio`` a :class:`scenat.calc.rank.Portfolio`; ``paths`` structural paths per
    indicator; ``monte_carlo`` a foreground or background Monte Carlo result; ``version``
    names what was assessed (e.g. ``"bicycle, version 3 by alice"``).
    """

    ranking: str = "mac"
    weights: Mapping[str, float] | None = None
    interventions: pl.DataFrame | None = None
    portfolio: Any = None
    target: float | None = None
    paths: Mapping[str, PathTable] = field(default_factory=dict)
    monte_carlo: UncertaintyResult | None = None
    version: str | None = None
    prepared_by: str | None = None

    def ranked(self) -> pl.DataFrame | None:
        """The interventions in the chosen order (None without interventions)."""
        if self.interventions is None or not self.interventions.height:
            return None
        return ranked_interventions(self.interventions, self.ranking, self.weights)


def choices_summary(choices: ReportChoices) -> dict[str, Any]:
    """The ranking method, its weights (None for MAC) and the budget, as the report states them."""
    weights = None
    if choices.ranking != "mac":
        weights = dict(choices.weights or rank.DEFAULT_WEIGHTS)
    plan = choices.portfolio
    return {
        "ranking": choices.ranking,
        "ranking_label": RANKINGS.get(choices.ranking, choices.ranking),
        "weights": weights,
        "budget": getattr(plan, "budget", None),
        "target": choices.target,
        "version": choices.version,
        "prepared_by": choices.prepared_by,
    }


def uncertainty_statement(case: Any, mc: UncertaintyResult | None) -> dict[str, Any]:
    """Whether anything in the run is uncertain, and what was sampled.

    Nothing is uncertain when no flow of the case carries a distribution and the Monte Carlo
    (if run) sampled no background: its spread is then zero and no distribution is drawn.
    """
    flows = sum(f.uncertainty is not None for f in case.flows)
    sampled_background = bool(mc is not None and _background_sampled(mc))
    exchanges = int(getattr(mc, "uncertain_exchanges", 0) or 0) if sampled_background else 0
    anything = (
        bool(flows or exchanges)
        if mc is None
        else bool(getattr(mc, "anything_uncertain", flows or sampled_background))
    )
    return {
        "uncertain_flows": flows,
        "flows": len(case.flows),
        "background_sampled": sampled_background,
        "uncertain_exchanges": exchanges,
        "anything_uncertain": anything,
        "statement": getattr(mc, "statement", None) if mc is not None else None,
    }


def _background_sampled(mc: UncertaintyResult) -> bool:
    # Results carry a flag; a result without one says "not sampled ..." or "fixed ..." in
    # background_uncertainty and names what it sampled otherwise.
    flag = getattr(mc, "background_sampled", None)
    if flag is not None:
        return bool(flag)
    text = (mc.background_uncertainty or "").lower()
    return bool(text) and not text.startswith(("not sampled", "none", "fixed"))


# ---- coverage (issue 14) ---------------------------------------------------------------------
# Issue 14 adds a per-indicator coverage to the Assessment (the share of purchases whose
# background data record the indicator's flows). Until it lands this reads it when present
# and otherwise says it was not assessed: nothing here computes coverage itself.


def coverage_records(result: Assessment) -> list[dict[str, Any]] | None:
    """The assessment's coverage per indicator as records, or None when it carries none."""
    coverage = getattr(result, "coverage", None)
    if callable(coverage):
        coverage = coverage()
    if coverage is None:
        return None
    if hasattr(coverage, "to_dicts"):
        return json_records(coverage)
    if isinstance(coverage, Mapping):
        return [
            {"indicator": k, **(dict(v) if isinstance(v, Mapping) else {"coverage": v})}
            for k, v in coverage.items()
        ]
    return [dict(getattr(coverage, "__dict__", {"coverage": coverage}))]


# ---- data sources ----------------------------------------------------------------------------


def data_sources(result: Assessment) -> pl.DataFrame:
    """Every background input the case buys: id, name, database, the dataset's source, how
    many flows use it, and the sources the case's own workbook gives for those flows."""
    from scenat.model import shipped_catalogue

    processes = shipped_catalogue().processes
    used: dict[str, dict[str, Any]] = {}
    for flow in result.case.flows:
        if flow.kind not in ("process", "spend", "credit"):
            continue
        row = used.setdefault(
            flow.input,
            {"input": flow.input, "kind": flow.kind, "flows": 0, "nodes": [], "case_sources": []},
        )
        row["flows"] += 1
        if flow.node not in row["nodes"]:
            row["nodes"].append(flow.node)
        if flow.source and flow.source not in row["case_sources"]:
            row["case_sources"].append(flow.source)
    rows = []
    for key, row in used.items():
        info = processes.get(key) if key in processes else None
        database = info.database if info else (key.split(":", 1)[0] if ":" in key else None)
        rows.append(
            {
                "input": key,
                "kind": row["kind"],
                "name": info.name if info else None,
                "database": database,
                "dataset_source": info.source if info else None,
                "flows": row["flows"],
                "nodes": ", ".join(row["nodes"]),
                "case_sources": "; ".join(row["case_sources"]),
            }
        )
    schema = {
        "input": pl.String,
        "kind": pl.String,
        "name": pl.String,
        "database": pl.String,
        "dataset_source": pl.String,
        "flows": pl.Int64,
        "nodes": pl.String,
        "case_sources": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


def case_metadata(result: Assessment, choices: ReportChoices | None = None) -> list[list[Any]]:
    """The case's fields as ``[field, value]`` rows (the report's cover and xlsx sheet)."""
    case = result.case
    reference = case.nodes[case.reference_node]
    rows = [
        ["case", case.name],
        ["functional unit", case.functional_unit],
        ["reference node", case.reference_node],
        ["reference flow", f"{case.reference_amount:g} {reference.output_unit}"],
        ["annual volume", case.annual_volume],
        ["currency", case.currency],
        ["money", currency_label(case.currency) + (f" of {case.year}" if case.year else "")],
        ["year", case.year],
        ["region", case.region],
        [
            "node locations",
            ", ".join(sorted({n.location for n in case.nodes.values() if n.location})) or None,
        ],
        ["nodes", len(case.nodes)],
        ["flows", len(case.flows)],
        ["background inventory", result.inventory_version],
    ]
    if choices is not None:
        if choices.version:
            rows.insert(1, ["version", choices.version])
        if choices.prepared_by:
            rows.append(["prepared by", choices.prepared_by])
    if case.description:
        rows.append(["description", case.description])
    return [r for r in rows if r[1] is not None]


# ---- the document ----------------------------------------------------------------------------


def client_document(result: Assessment, choices: ReportChoices | None = None) -> dict[str, Any]:
    """The client report as one JSON-ready document: the ``scenat assess --json`` document
    plus ``choices``, ``interventions`` (ranked), ``portfolio``, ``uncertainty``,
    ``coverage`` and ``data_sources``."""
    choices = choices or ReportChoices()
    document = assessment_document(
        result, paths=dict(choices.paths) or None, monte_carlo=choices.monte_carlo
    )
    document["metadata"] = dict(case_metadata(result, choices))
    document["choices"] = choices_summary(choices)
    ranked = choices.ranked()
    document["interventions"] = json_records(ranked) if ranked is not None else None
    plan = choices.portfolio
    document["portfolio"] = plan.to_dict() if plan is not None else None
    document["uncertainty"] = uncertainty_statement(result.case, choices.monte_carlo)
    document["coverage"] = coverage_records(result)
    document["data_sources"] = data_sources(result).to_dicts()
    return document
