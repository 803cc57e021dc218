"""The html report: one self-contained file (charts included, plotly.js inlined once) that
opens offline and links to nothing."""

from __future__ import annotations

from typing import Any

from scenat.assessment import Assessment

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
    title: str | None = None,
    generated: str | None = None,
    top: int = 10,
) -> str:
    """One self-contained html document: totals, hotspots per indicator with charts, the
    supply-chain Sankey and (given ``interventions``, a table from
    :func:`scenat.interventions.library.evaluate`) the marginal abatement cost curve.

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
        ("Functional unit", case.functional_unit or ""),
        (
            "Reference flow",
            f"{fmt(case.reference_amount)} {reference_unit} of {case.reference_node}",
        ),
        ("Annual volume", f"{fmt(case.annual_volume)} reference flows a year"),
        ("Supply chain", f"{len(case.nodes)} nodes, {len(case.flows)} flows"),
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

    if interventions is not None and getattr(interventions, "height", 0):
        from scenat.calc import rank

        curve = rank.macc(interventions)
        currency = case.currency
        parts.append("<h2>Low-carbon interventions</h2>")
        parts.append(
            f'<p class="note">{interventions.height} interventions apply to this supply chain; '
            f"{curve.height} of them are on the curve. Abatement is per year at the case's "
            f"annual volume, each option's after the cheaper ones are taken (one per exclusive "
            f"group), so the curve adds up to what they abate together; the marginal abatement "
            f"cost is the equivalent annual cost plus the change of operating cost per tonne "
            f"abated ({_esc(currency)} per t CO2-eq).</p>"
        )
        if curve.height:
            parts.append(
                figure(charts.macc(curve, currency, title="Marginal abatement cost curve"))
            )
            parts.append(
                _html_table(
                    [
                        ("#", True),
                        ("intervention", False),
                        ("category", False),
                        ("abatement [t CO2-eq/yr]", True),
                        (f"MAC [{currency}/t CO2-eq]", True),
                        (f"capex [{currency}]", True),
                        ("payback [years]", True),
                    ],
                    [
                        [
                            r["rank"],
                            r["name"],
                            r["category"],
                            fmt(r["bar_width"]),
                            fmt(r["bar_height"]),
                            fmt(r["capex"]),
                            fmt(r["payback_years"]),
                        ]
                        for r in curve.iter_rows(named=True)
                    ],
                )
            )

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
