"""The documents of the command line: one builder per command for ``--json`` and the text it
prints otherwise, so that the CLI only parses arguments and prints.

Every JSON document goes through :func:`~scenat.report.assessment.json_bytes` (strict JSON:
no NaN or infinity), whether it is printed or written with ``--out``.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from scenat.assessment import Assessment, compare_hotspots, compare_totals
from scenat.model.currency import currency_label, format_money
from scenat.store import MergePreview, Submission, Version, VersionDiff


def interventions_text(document: dict[str, Any]) -> str:
    """The ranked interventions of :func:`~scenat.report.interventions.interventions_document`."""

    def num(value: Any, fmt: str) -> str:
        return format(value, fmt) if isinstance(value, (int, float)) else "-"

    def payback(row: dict[str, Any]) -> str:
        if row.get("payback_status") == "never":
            return f"{'never':>10}"
        return num(row.get("payback_years"), "10.3g")

    currency = document["currency"]
    year = document.get("price_year")
    lines = [
        f"Case: {document['case']}  ranking: {document['ranking']}  "
        f"discount rate: {document['discount_rate']:.3g}",
        f"Money: {currency_label(currency)}"
        + (f" of {year}" if year else "")
        + "; every option's costs converted to it (price index, then exchange rate)",
        f"{'id':<34} {'t CO2e/yr':>10} {'MAC ' + currency + '/t':>12} "
        f"{'payback yr':>10} {'NPV':>16}",
    ]
    for row in document["interventions"]:
        lines.append(
            f"{row['id']:<34} {num(row.get('abatement_t_year'), '10.3g')} "
            f"{num(row.get('mac'), '12.4g')} {payback(row)} "
            f"{format_money(row.get('npv'), currency):>16}"
        )
    plan = document.get("portfolio")
    if plan:
        lines.append(
            f"\nPortfolio within budget: {', '.join(plan['chosen']) or 'none'}\n"
            f"  capex {format_money(plan['capex'], currency)} of "
            f"{format_money(plan['budget'], currency)}; "
            f"abates {num(_first(plan['evaluated_benefit'], plan['additive_benefit']), '.4g')} "
            f"t CO2e/yr together ({plan['method']})"
        )
    return "\n".join(lines)


def _first(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


def compare_document(
    a: Assessment, b: Assessment, by: str = "node", probability: pl.DataFrame | None = None
) -> dict[str, Any]:
    """``scenat compare A B --json``: totals and hotspots side by side, P(A < B) when given."""
    document: dict[str, Any] = {
        "a": a.case.name,
        "b": b.case.name,
        "totals": compare_totals(a, b).to_dicts(),
        "hotspots": {ind.id: compare_hotspots(a, b, ind.id, by).to_dicts() for ind in a.indicators},
    }
    if probability is not None:
        document["monte_carlo"] = probability.to_dicts()
    return document


def compare_text(document: dict[str, Any]) -> str:
    lines = [f"A: {document['a']}\nB: {document['b']}"]
    for row in document["totals"]:
        lines.append(
            f"  {row['indicator']:<16} A {row['a']:>12.6g}  B {row['b']:>12.6g}  "
            f"B-A {row['difference']:>12.6g} {row['unit']}"
        )
    for row in document.get("monte_carlo", []):
        lines.append(f"  P(A < B) for {row['indicator']}: {row['probability_a_lower']:.3f}")
    return "\n".join(lines)


def diff_text(diff: VersionDiff) -> str:
    """A diff as lines of text: fields, nodes, flows, then the effect on the results."""
    lines = [f"From {diff.a} to {diff.b}:"]
    if diff.empty:
        lines.append("  no change")
    for f in diff.fields:
        lines.append(f"  case field {f['field']}: {f['old']!r} -> {f['new']!r}")
    for n in diff.nodes:
        lines.append(f"  node {n['change']}: {n['id']} {n.get('details') or ''}".rstrip())
    for f in diff.flows:
        old = "" if f["old_amount"] is None else f"{f['old_amount']:g} {f['old_unit']}"
        new = "" if f["new_amount"] is None else f"{f['new_amount']:g} {f['new_unit']}"
        arrow = f"{old} -> {new}" if old and new else old or new
        extra = f" ({f['details']})" if f.get("details") else ""
        lines.append(
            f"  flow {f['change']:<8} {f['node']} <- {f['kind']} {f['input']}: {arrow}{extra}"
        )
    if diff.totals is not None:
        lines.append("Effect on the totals:")
        for row in diff.totals.iter_rows(named=True):
            rel = row.get("relative")
            rel_text = f" ({100 * rel:+.2f} %)" if rel is not None else ""
            lines.append(
                f"  {row['indicator']:<16} {row['a']:>12.6g} -> {row['b']:>12.6g} "
                f"{row['unit']}  change {row['difference']:+.6g}{rel_text}"
            )
    for indicator, table in diff.hotspots.items():
        moved = table.filter(table["difference"].abs() > 0).head(5)
        if moved.height:
            lines.append(f"Largest changes by node for {indicator}:")
            for row in moved.iter_rows(named=True):
                lines.append(
                    f"  {str(row['label'])[:40]:<40} {row['a']:>12.6g} -> {row['b']:>12.6g}"
                    f"  ({row['difference']:+.6g})"
                )
    return "\n".join(lines)


def history_document(
    key: str, versions: list[Version], submissions: list[Submission]
) -> dict[str, Any]:
    """``scenat history CASE --json``: every version and submission of a stored case."""
    return {
        "case": key,
        "versions": [v.to_dict() for v in versions],
        "submissions": [s.to_dict() for s in submissions],
    }


def history_text(key: str, versions: list[Version], submissions: list[Submission] | None) -> str:
    lines = [f"Case {key}: {len(versions)} version(s)"]
    for v in versions:
        origin = f" submission #{v.submission_id}" if v.submission_id else ""
        lines.append(
            f"  v{v.number:<4} {v.created_at[:19]}  {v.action:<8} {v.author:<16} "
            f"{v.nodes} nodes, {v.flows} flows{origin}  {v.message or ''}".rstrip()
        )
    if submissions is not None:
        lines.append(f"Submissions: {len(submissions)}")
        for s in submissions:
            merged = f" -> v{s.merged_version}" if s.merged_version else ""
            lines.append(
                f"  #{s.id:<4} {s.received_at[:19]}  {s.status:<8}{merged} {s.submitter:<16} "
                f"node {s.node or '?'}  {s.filename}  {len(s.errors)} error(s)"
            )
    return "\n".join(lines)


def accept_document(plan: MergePreview, version: Version | None) -> dict[str, Any]:
    """``scenat accept CASE N --json``: the merge preview and, with ``--yes``, the new version."""
    return {
        "submission": plan.submission.to_dict(),
        "base_version": plan.base.number,
        "diff": plan.diff.to_dict(),
        "accepted": version.to_dict() if version else None,
    }


def accept_text(plan: MergePreview, version: Version | None) -> str:
    sub = plan.submission
    lines = [
        f"Submission #{sub.id} from {sub.submitter} for node {sub.node} of case {sub.case_key}",
        diff_text(plan.diff),
    ]
    if version is None:
        lines.append(
            f"Preview only: rerun with --yes to store it as version {plan.base.number + 1}"
        )
    else:
        lines.append(f"Accepted: case {sub.case_key} is now version {version.number}")
    return "\n".join(lines)


def submission_text(record: Submission, key: str) -> str:
    return (
        f"Submission #{record.id} for node {record.node} of case {key}: valid "
        f"(sha256 {record.sha256[:12]}..., {record.size} bytes)"
    )


def ledger_document(
    screen: Any, result: Assessment | None = None, node: str | None = None
) -> dict[str, Any]:
    """``scenat ledger LEDGER --json``: sectors screened, lines not screened and their reasons,
    and the case's totals with the ledger's spend when a case was given."""
    document = screen.summary()
    document["problems"] = screen.problems.head(1000).to_dicts()
    if result is not None:
        document["case"] = result.case.name
        document["node"] = node
        document["indicators"] = {
            i.id: {"unit": i.unit, "total": result.total(i.id)} for i in result.indicators
        }
    return document


def ledger_text(screen: Any, lines: int, result: Assessment | None = None) -> str:
    currency, year = screen.report_currency
    out = [
        f"{screen.lines} lines, {screen.screened_lines} screened into "
        f"{len(screen.sectors)} sectors in {screen.seconds:.2f} s"
    ]
    for row in screen.sectors.head(lines).iter_rows(named=True):
        out.append(
            f"  {row['sector']:<40} {row['amount']:>16,.2f} {row['currency']} "
            f"{row['price_year']}  ({row['lines']} lines)"
        )
    for row in screen.unscreened.iter_rows(named=True):
        out.append(
            f"not screened: {row['lines']} lines, {row['message']}: about "
            f"{row['value_report']:,.2f} {currency} {year}"
        )
    for problem in screen.to_problems(limit=lines):
        out.append(f"  {problem}")
    if result is not None:
        for ind in result.indicators:
            out.append(f"{ind.id:<16} {result.total(ind.id):.6g} {ind.unit}")
    return "\n".join(out)
