"""The html report: one self-contained file (charts included, plotly.js inlined once) that
opens offline and links to nothing."""

from __future__ import annotations

from typing import Any

from scenat.assessment import Assessment
from scenat.model.currency import currency_label
from scenat.report.client import (
    ReportChoices,
    choices_summary,
    coverage_records,
    data_sources,
    uncertainty_statement,
)

_CSS = """
:root { --ink:#1f2430; --muted:#5b6472; --line:#e3e6eb; --accent:#0B3954; }
* { box-sizing: border-box; }
body { margin: 0; font-family: Inter, 'Segoe UI', Helvetica, Arial, sans-serif;
  color: var(--ink); background: #f6f7f9; line-height: 1.45; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 32px 60px; background: white; }
header.cover { border-bottom: 4px solid var(--accent); margin-bottom: 24px; padding-bottom: 12px; }
header.cover h1 { margin: 0 0 4px; font-size: 28px; }
.kicker { color: var(--muted); text-transform: uppercase; letter-spacing: .08em; font-size: 12px; }
h2 { margin-top: 40px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { margin-top: 28px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 14px; }
.card { border: 1px solid var(--line); border-left: 5px solid var(--c, var(--accent));
  border-radius: 6px; padding: 12px 14px; }
.card .label { color: var(--muted); font-size: 13px; }
.card .value { font-size: 24px; font-weight: 650; }
.card .unit { color: var(--muted); font-size: 13px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 8px 0 16px; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left;
  vertical-align: top; }
th { background: #f1f3f6; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.in80 td:first-child { border-left: 3px solid var(--c, var(--accent)); }
.note { color: var(--muted); font-size: 13px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 0; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; }
.warning { background: #fff6e5; border: 1px solid #f0c36d; border-radius: 6px; padding: 8px 12px; }
footer { margin-top: 48px; color: var(--muted); font-size: 12px; }
@media print {
  body { background: white; }
  main { max-width: none; padding: 0; }
  .modebar-container { display: none !important; }
  h2 { break-after: avoid; }
  .plotly-graph-div, table, .cards { break-inside: avoid; }
}
@page { size: A4; margin: 14mm 12mm; }
"""


def _esc(value: Any) -> str:
    import html

    return html.escape("" if value is None else str(value))


def _html_table(
    headers: list[tuple[str, bool]], rows: list[list[Any]], row_classes: list[str] | None = None
) -> str:
    head = "".join(
        f'<th class="num">{_esc(h)}</th>' if n else f"<th>{_esc(h)}</th>" for h, n in headers
    )
    body = []
    for i, row in enumerate(rows):
        cls = f' class="{row_classes[i]}"' if row_classes and row_classes[i] else ""
        cells = "".join(
            f'<td class="num">{_esc(v)}</td>' if numeric else f"<td>{_esc(v)}</td>"
            for v, (_, numeric) in zip(row, headers)
        )
        body.append(f"<tr{cls}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _breakdown_table(result: Assessment, indicator_id: str, by: str, top: int) -> str:
    from scenat.report.charts import format_number

    unit = result.indicator(indicator_id).unit
    table = result.hotspots(indicator_id, by)
    rows, classes = [], []
    for rank, row in enumerate(table.head(top).iter_rows(named=True), start=1):
        rows.append(
            [
                rank,
                row["label"],
                row["key"],
                format_number(row["value"]),
                f"{100 * row['share']:.1f}",
                f"{100 * row['cumulative_share']:.1f}",
                "yes" if row["in_80"] else "",
            ]
        )
        classes.append("in80" if row["in_80"] else "")
    headers = [
        ("#", True),
        (by, False),
        ("key", False),
        (f"value [{unit}]", True),
        ("share [%]", True),
        ("cumulative [%]", True),
        ("in the 80 % set", False),
    ]
    more = ""
    if table.height > top:
        rest = float(table["value"][top:].sum())
        more = (
            f'<p class="note">{table.height - top} further items add up to '
            f"{format_number(rest)} {_esc(unit)}; the xlsx and json reports list every item.</p>"
        )
    return _html_table(headers, rows, classes) + more


def html_report(
    result: Assessment,
    *,
    interventions: Any = None,
    choices: ReportChoices | None = None,
    title: str | None = None,
    generated: str | None = None,
    top: int = 10,
) -> str:
    """One self-contained html document: totals, hotspots per indicator with charts, the
    supply-chain Sankey and (given ``interventions``, a table from
    :func:`scenat.interventions.evaluate`) the marginal abatement cost curve. With the
    consultant's ``choices`` (:class:`~scenat.report.client.ReportChoices`) it is the client
    report: the interventions in the chosen ranking with its weights, the portfolio, the
    structural paths, the Monte Carlo run (drawn only when something is uncertain),
    coverage and the data sources.

    plotly.js is embedded once, inline; the file opens offline and links to nothing.
    """
    try:
        from scenat.report import charts
    except ImportError as err:  # plotly is an optional dependency
        from scenat.errors import ScenatError

        raise ScenatError(
            "the html report needs plotly: pip install 'scenat[app]' (or pip install plotly)"
        ) from err
    import datetime

    from scenat import __version__

    fmt = charts.format_number
    if choices is None:
        choices = ReportChoices(interventions=interventions)
    elif interventions is not None and choices.interventions is None:
        choices.interventions = interventions
    case = result.case
    generated = generated or datetime.date.today().isoformat()
    reference_unit = case.nodes[case.reference_node].output_unit
    parts: list[str] = []
    figures = 0

    def figure(fig: Any) -> str:
        nonlocal figures
        figures += 1
        return charts.figure_html(
            fig, include_plotlyjs="inline" if figures == 1 else False, div_id=f"fig{figures}"
        )

    heading = title or f"Supply-chain assessment: {case.name}"
    parts.append(
        f'<header class="cover"><div class="kicker">scenat report · {_esc(generated)}</div>'
        f"<h1>{_esc(heading)}</h1>"
    )
    meta = [
        ("Case", case.name),
        *([("Version", choices.version)] if choices.version else []),
        *([("Prepared by", choices.prepared_by)] if choices.prepared_by else []),
        ("Functional unit", case.functional_unit or ""),
        (
            "Reference flow",
            f"{fmt(case.reference_amount)} {reference_unit} of {case.reference_node}",
        ),
        ("Annual volume", f"{fmt(case.annual_volume)} reference flows a year"),
        ("Supply chain", f"{len(case.nodes)} nodes, {len(case.flows)} flows"),
        ("Money", currency_label(case.currency) + (f" of {case.year}" if case.year else "")),
        *([("Region", case.region)] if case.region else []),
        (
            "Node locations",
            ", ".join(sorted({n.location for n in case.nodes.values() if n.location}))
            or "none given",
        ),
        ("Background", f"embedded scenat inventory {result.inventory_version}"),
    ]
    if case.description:
        meta.append(("Description", case.description))
    parts.append(
        '<dl class="meta">'
        + "".join(f"<dt>{_esc(k)}</dt><dd>{_esc(v)}</dd>" for k, v in meta)
        + "</dl></header>"
    )

    parts.append('<h2>Results per functional unit</h2><div class="cards">')
    for ind in result.indicators:
        parts.append(
            f'<div class="card" style="--c:{charts.indicator_colour(ind.id)}">'
            f'<div class="label">{_esc(ind.label)}</div>'
            f'<div class="value" data-indicator="{_esc(ind.id)}">'
            f"{_esc(fmt(result.totals[ind.id]))}</div>"
            f'<div class="unit">{_esc(ind.unit)}</div></div>'
        )
    parts.append("</div>")
    parts.append(
        _html_table(
            [("indicator", False), ("total", True), ("unit", False), ("method", False)],
            [
                [ind.label, fmt(result.totals[ind.id]), ind.unit, " | ".join(ind.method)]
                for ind in result.indicators
            ],
        )
    )

    circular = result.circularity
    if circular is not None:
        parts.append("<h2>Circularity</h2>")
        parts.append(
            f'<p class="note">{len(circular.materials)} material flows, '
            f"{_esc(fmt(circular.mass_kg))} kg per functional unit. Method: "
            f"{_esc(circular.method)}. Module D is reported beside the totals, not in them."
            + (" Not credited (no recycling process): " + _esc(", ".join(circular.not_credited))
               if circular.not_credited else "")
            + "</p>"
        )  # fmt: skip
        units = {i.id: i.unit for i in result.indicators}
        rows = [
            ["recycled content", fmt(100 * circular.recycled_content), "%"],
            ["end-of-life recycling rate", fmt(100 * circular.eol_recycling_rate), "%"],
            ["Material Circularity Indicator", fmt(circular.mci), ""],
            *(
                [f"module D, {ind}", fmt(value), units.get(ind, "")]
                for ind, value in circular.module_d.items()
            ),
        ]
        parts.append(_html_table([("indicator", False), ("value", True), ("unit", False)], rows))

    parts.append("<h2>Where the impact sits</h2>")
    parts.append(
        '<p class="note">Each node is credited with its own direct emissions plus the '
        "cradle-to-gate impact of the background inputs it buys, scaled by how much of it the "
        "functional unit needs; the rows of each breakdown add up to the total. The 80 % set "
        "is the smallest group of items, largest first, that reaches 80 % of the total.</p>"
    )
    for ind in result.indicators:
        total = result.totals[ind.id]
        parts.append(
            f'<h3 style="color:{charts.indicator_colour(ind.id)}">{_esc(ind.label)} '
            f"[{_esc(ind.unit)}]</h3>"
        )
        if total == 0:
            parts.append(
                '<p class="note">The total is zero: nothing in this supply chain carries a '
                "characterisation factor of this indicator in the shipped inventory.</p>"
            )
            continue
        nodes = result.hotspots(ind.id, "node")
        in_80 = int(nodes["in_80"].sum())
        lead = nodes.row(0, named=True)
        parts.append(
            f"<p>{_esc(lead['label'])} carries {100 * lead['share']:.1f} % of the total; "
            f"{in_80} of {nodes.height} nodes make up 80 %.</p>"
        )
        parts.append(figure(charts.hotspot_bars(nodes, ind.id, ind.unit, "node")))
        for by in ("node", "tier", "stage", "process"):
            parts.append(f"<h4>By {by}</h4>")
            parts.append(_breakdown_table(result, ind.id, by, top))

    if result.linked is not None:
        carbon = next((i for i in result.indicators if i.id == "gwp100"), result.indicators[0])
        parts.append("<h2>The supply chain</h2>")
        parts.append(
            '<p class="note">Link widths are the impact embodied in what each supplier '
            "delivers; columns are tiers, the deepest left, the reference node right.</p>"
        )
        parts.append(
            figure(
                charts.sankey(
                    result.edges(),
                    result.supply_chain_nodes(),
                    carbon.id,
                    carbon.unit,
                    reference_node=case.reference_node,
                    title=f"{carbon.label} through the supply chain [{carbon.unit}]",
                )
            )
        )

    parts.extend(_interventions_section(result, choices, figure))
    parts.extend(_paths_section(result, choices))
    parts.extend(_uncertainty_section(result, choices, figure))
    parts.extend(_coverage_section(result))
    if result.warnings:
        parts.append("<h2>Warnings</h2>")
        parts.append(
            '<div class="warning"><ul>'
            + "".join(f"<li>{_esc(p)}</li>" for p in result.warnings)
            + "</ul></div>"
        )
    parts.append("<h2>Methods and data</h2>")
    parts.append(
        _html_table(
            [("indicator", False), ("unit", False), ("method", False), ("source", False)],
            [[i.label, i.unit, " | ".join(i.method), i.source] for i in result.indicators],
        )
    )
    sources = data_sources(result)
    if sources.height:
        parts.append(
            f'<h3>Data sources</h3><p class="note">The {sources.height} background datasets '
            "this supply chain buys from, where each comes from, and the sources the case "
            "workbook gives for the flows that use it.</p>"
        )
        parts.append(
            _html_table(
                [
                    ("input", False),
                    ("dataset", False),
                    ("source of the dataset", False),
                    ("flows", True),
                    ("sources in the case", False),
                ],
                [
                    [
                        r["input"],
                        r["name"] or "",
                        r["dataset_source"] or "",
                        r["flows"],
                        r["case_sources"],
                    ]
                    for r in sources.iter_rows(named=True)
                ],
            )
        )
    parts.append(
        f"<footer>Generated by scenat {_esc(__version__)} on {_esc(generated)}, background "
        f"inventory {_esc(result.inventory_version)}. Charts are interactive (hover for "
        "values) and work offline.</footer>"
    )
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(heading)}</title><style>{_CSS}</style></head>"
        f"<body><main>\n{body}\n</main></body></html>\n"
    )


def _interventions_section(result: Assessment, choices: ReportChoices, figure: Any) -> list[str]:
    from scenat.calc import rank
    from scenat.report import charts

    ranked = choices.ranked()
    if ranked is None:
        return []
    fmt = charts.format_number
    table = choices.interventions
    curve = rank.macc(table)
    currency = result.case.currency
    summary = choices_summary(choices)
    parts = ["<h2>Low-carbon interventions</h2>"]
    parts.append(
        f'<p class="note">{table.height} interventions apply to this supply chain; '
        f"{curve.height} of them are on the curve. Abatement is per year at the case's "
        f"annual volume, each option's after the cheaper ones are taken (one per exclusive "
        f"group), so the curve adds up to what they abate together; the marginal abatement "
        f"cost is the equivalent annual cost plus the change of operating cost per tonne "
        f"abated ({_esc(currency)} per t CO2-eq).</p>"
    )
    weights = summary["weights"]
    parts.append(
        f"<p><b>Ranking:</b> {_esc(summary['ranking_label'])}"
        + (
            "; weights "
            + ", ".join(f"{_esc(k)} {v:g}" for k, v in weights.items())
            + " (normalised to sum to 1)"
            if weights
            else ""
        )
        + ".</p>"
    )
    if curve.height:
        parts.append(figure(charts.macc(curve, currency, title="Marginal abatement cost curve")))
    scored = "score" in ranked.columns
    parts.append(
        _html_table(
            [
                ("#", True),
                ("intervention", False),
                ("category", False),
                *([("score", True)] if scored else []),
                ("abatement [t CO2-eq/yr]", True),
                (f"MAC [{currency}/t CO2-eq]", True),
                (f"capex [{currency}]", True),
                ("payback [years]", True),
                ("Pareto front", False),
            ],
            [
                [
                    "" if r["rank"] is None else r["rank"],
                    r["name"],
                    r["category"],
                    *([fmt(r["score"])] if scored else []),
                    fmt(r["abatement_t_year"]),
                    fmt(r["mac"]),
                    fmt(r["capex"]),
                    fmt(r["payback_years"]),
                    "yes" if r.get("pareto") else "",
                ]
                for r in ranked.iter_rows(named=True)
            ],
        )
    )
    plan = choices.portfolio
    if plan is not None:
        names = dict(zip(table["id"].to_list(), table["name"].to_list()))
        parts.append("<h3>Portfolio within the budget</h3>")
        parts.append(
            f"<p>Budget {_esc(fmt(plan.budget))} {_esc(currency)}: {len(plan.chosen)} "
            f"option(s), capex {_esc(fmt(plan.capex))} {_esc(currency)}, abating "
            f"{_esc(fmt(plan.benefit))} t CO2-eq a year evaluated together "
            f"({_esc(fmt(plan.additive_benefit))} as the sum of the options on their own). "
            f"Method: {_esc(plan.method)}"
            + ("; proven best within the budget." if plan.certified else ".")
            + "</p>"
        )
        if plan.chosen:
            parts.append(
                "<ul>" + "".join(f"<li>{_esc(names.get(i, i))}</li>" for i in plan.chosen) + "</ul>"
            )
    return parts


def _paths_section(result: Assessment, choices: ReportChoices) -> list[str]:
    from scenat.report.charts import format_number

    if not choices.paths:
        return []
    parts = [
        "<h2>Structural paths</h2>",
        '<p class="note">The supply-chain routes carrying the most impact, from the '
        "functional unit to the activity that emits; coverage is the share of the total the "
        "listed paths explain.</p>",
    ]
    for ind_id, found in choices.paths.items():
        ind = result.indicator(ind_id)
        parts.append(
            f"<h3>{_esc(ind.label)}: {found.table.height} paths, "
            f"{100 * found.coverage:.1f} % of the total</h3>"
        )
        parts.append(
            _html_table(
                [("#", True), ("path", False), (f"value [{ind.unit}]", True), ("share [%]", True)],
                [
                    [r["rank"], r["path"], format_number(r["value"]), f"{100 * r['share']:.1f}"]
                    for r in found.table.iter_rows(named=True)
                ],
            )
        )
    return parts


def _uncertainty_section(result: Assessment, choices: ReportChoices, figure: Any) -> list[str]:
    from scenat.report import charts

    mc = choices.monte_carlo
    statement = uncertainty_statement(result.case, mc)
    if mc is None:
        return []
    parts = ["<h2>Uncertainty (Monte Carlo)</h2>"]
    if not statement["anything_uncertain"]:
        parts.append(
            '<p class="note">Nothing in this assessment is uncertain: no flow of the case '
            "carries a distribution and no background uncertainty was sampled, so every "
            f"one of the {mc.iterations:,} iterations gives the deterministic result. No "
            "distribution is drawn.</p>"
        )
        return parts
    fmt = charts.format_number
    parts.append(
        f'<p class="note">{mc.iterations:,} iterations (seed {mc.seed}); '
        f"{statement['uncertain_flows']} of {statement['flows']} flows carry a distribution; "
        f"background: {_esc(mc.background_uncertainty)}.</p>"
    )
    summary = mc.summary()
    parts.append(figure(charts.intervals(summary, {i.id: i.label for i in result.indicators})))
    parts.append(
        _html_table(
            [
                ("indicator", False),
                ("unit", False),
                ("deterministic", True),
                ("mean", True),
                ("5 %", True),
                ("median", True),
                ("95 %", True),
            ],
            [
                [
                    r["indicator"],
                    r["unit"],
                    fmt(r["deterministic"]),
                    fmt(r["mean"]),
                    fmt(r["p5"]),
                    fmt(r["p50"]),
                    fmt(r["p95"]),
                ]
                for r in summary.iter_rows(named=True)
            ],
        )
    )
    for ind in result.indicators:
        drivers = mc.drivers(ind.id, top=5) if ind.id in mc.totals else None
        if drivers is None or not drivers.height:
            continue
        parts.append(
            f"<h3>Variance drivers of {_esc(ind.label)}</h3>"
            f'<p class="note">Squared standardised regression coefficients (SRC²) of the '
            f"total on the sampled inputs; the linear model explains "
            f"{100 * mc.r2(ind.id):.0f} % of the variance (R²).</p>"
        )
        parts.append(
            _html_table(
                [("input", False), ("kind", False), ("SRC² [%]", True)],
                [
                    [
                        r["input"],
                        r["kind"],
                        f"{100 * r['src2']:.1f}" if r["src2"] == r["src2"] else "n/a",
                    ]
                    for r in drivers.iter_rows(named=True)
                ],
            )
        )
    return parts


def _coverage_section(result: Assessment) -> list[str]:
    # Coverage per indicator arrives with issue 14 (read from the Assessment when present).
    records = coverage_records(result)
    if not records:
        return []
    columns = list(records[0])
    return [
        "<h2>Data coverage</h2>",
        '<p class="note">How much of the supply chain\'s purchases the background data cover '
        "for each indicator; an indicator with low coverage understates the impact.</p>",
        _html_table([(c, False) for c in columns], [[r.get(c) for c in columns] for r in records]),
    ]
