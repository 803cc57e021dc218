"""Assessment -> documents: the JSON document of the CLI contract, a readable text table, files.

Reports are ``.json`` (the CLI document), ``.xlsx`` (totals and every breakdown, one sheet
each) and ``.html``: one self-contained file, charts included (plotly.js inlined once, no
link to any other file or server), which needs plotly (the ``[app]`` extra).

>>> doc = {"case": "x", "indicators": {}, "hotspots": {}}
>>> sorted(doc)
['case', 'hotspots', 'indicators']
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scenat.assessment.result import ALL_BREAKDOWNS, Assessment
from scenat.atomic import write_atomic


def assessment_document(result: Assessment) -> dict[str, Any]:
    """The ``scenat assess --json`` document (see DESIGN.md, "Command line")."""
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
        "notes": list(result.notes),
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
    for note in result.notes:
        lines.append(f"note: {note}")
    for problem in result.warnings:
        lines.append(str(problem))
    return "\n".join(lines)


def write_report(result: Assessment, path: Path, **options: Any) -> None:
    """Write the assessment as ``.json``, ``.xlsx`` or ``.html`` (by suffix).

    ``options`` go to :func:`html_report` (an html report only).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in REPORT_FORMATS:
        from scenat.errors import InputError, Problem

        raise InputError(
            Problem(
                file=str(path),
                message=f"unsupported report type {suffix!r}",
                value=suffix,
                hint="use a .json, .xlsx or .html file name",
            )
        )
    write_atomic(path, report_bytes(result, suffix.lstrip("."), **options))


#: report file suffixes and their media types
REPORT_FORMATS = {
    ".json": "application/json",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".html": "text/html",
}


def report_bytes(result: Assessment, fmt: str, **options: Any) -> bytes:
    """The report as bytes: ``fmt`` is ``json``, ``xlsx`` or ``html``."""
    fmt = fmt.lower().lstrip(".")
    if fmt == "json":
        return json.dumps(assessment_document(result), indent=2).encode()
    if fmt == "xlsx":
        return _xlsx_bytes(result)
    if fmt == "html":
        return html_report(result, **options).encode("utf-8")
    raise ValueError(f"unknown report format {fmt!r}; use json, xlsx or html")


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
        for by in ALL_BREAKDOWNS:
            table = result.hotspots(ind.id, by)
            ws = book.create_sheet(f"{ind.id[:20]}_{by}"[:31])
            ws.append(table.columns)
            for row in table.iter_rows():
                ws.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- html

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
    from scenat.calc.graph import supply_chain_nodes

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
                    supply_chain_nodes(result),
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
            f"{curve.height} of them abate. Abatement is per year at the case's annual volume; "
            f"the marginal abatement cost is the equivalent annual cost plus the change of "
            f"operating cost per tonne abated ({_esc(currency)} per t CO2-eq).</p>"
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
                            fmt(r["abatement_t_year"]),
                            fmt(r["mac"]),
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
