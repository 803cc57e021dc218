"""Plotly figures shared by the Streamlit app and the html report.

Every builder takes plain scenat tables (polars) and returns a ``plotly.graph_objects.Figure``;
nothing here solves anything or imports streamlit. Colours are fixed per indicator and per
supply-chain tier so that a tier or an indicator looks the same on every page and in every
report, and every axis names its unit.

plotly is an optional dependency (the ``[app]`` extra); this module imports it at the top.

>>> format_number(53.92237), format_number(1234567.8), format_number(0.0520611)
('53.92', '1,234,568', '0.05206')
>>> format_number(0.0), format_number(float("nan")), format_number(-0.000012345)
('0', '–', '-1.234e-05')
>>> format_number(1.0), format_number(9.9996), format_number(20000.0)
('1', '10.00', '20,000')
>>> tier_colour(0), tier_colour(9) == tier_colour(9 % len(TIER_COLOURS))
('#0B3954', True)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

#: One colour per indicator id, everywhere (bars, lines, report headings).
INDICATOR_COLOURS: dict[str, str] = {
    "gwp100": "#C8553D",
    "fossil_energy": "#E0A43B",
    "metals_minerals": "#6D4C8D",
    "water": "#1F8A9E",
}
_SPARE_COLOURS = ("#4E7D5B", "#8C6D46", "#3D5A80", "#B5838D", "#6B705C")
#: Tier 0 (the focal organisation) darkest, deeper tiers lighter.
TIER_COLOURS = ("#0B3954", "#087E8B", "#59A5A8", "#8FB996", "#C9D6A3", "#E8C07D", "#D98C5F")
BACKGROUND_COLOUR = "#9AA5B1"
#: Intervention categories (MACC bars), as in ``scenat.model.schema.INTERVENTION_CATEGORIES``.
CATEGORY_COLOURS: dict[str, str] = {
    "energy": "#E0A43B",
    "materials": "#6D4C8D",
    "logistics": "#087E8B",
    "end_of_life": "#4E7D5B",
    "direct_emissions": "#C8553D",
    "water": "#1F8A9E",
    "other": "#8C8C8C",
}
FONT = "Inter, 'Segoe UI', Helvetica, Arial, sans-serif"
EIGHTY_LINE = "#2B2D42"


def indicator_colour(indicator_id: str) -> str:
    """The colour of an indicator (a stable spare colour for ids not listed)."""
    if indicator_id in INDICATOR_COLOURS:
        return INDICATOR_COLOURS[indicator_id]
    return _SPARE_COLOURS[sum(map(ord, indicator_id)) % len(_SPARE_COLOURS)]


def tier_colour(tier: int | str | None) -> str:
    """The colour of a supply-chain tier (background processes: grey)."""
    try:
        return TIER_COLOURS[int(tier) % len(TIER_COLOURS)]  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return BACKGROUND_COLOUR


def category_colour(category: str | None) -> str:
    return CATEGORY_COLOURS.get(category or "other", CATEGORY_COLOURS["other"])


def format_number(value: float | None, significant: int = 4) -> str:
    """A number as the app and the reports print it: ``significant`` figures, thousands
    separators, scientific notation only below 0.001."""
    if value is None:
        return "–"
    value = float(value)
    if math.isnan(value):
        return "–"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if value == 0:
        return "0"
    if value.is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    size = abs(value)
    if size >= 10 ** (significant - 1):
        return f"{value:,.0f}"
    if size >= 1e-3:
        decimals = significant - 1 - math.floor(math.log10(size))
        # rounding can carry into one more digit (9.9996 -> 10.00, not 10.000)
        decimals = significant - 1 - math.floor(math.log10(abs(round(value, decimals))))
        return f"{value:,.{max(0, decimals)}f}"
    return f"{value:.{significant - 1}e}"


def format_quantity(value: float | None, unit: str, significant: int = 4) -> str:
    """``format_number`` followed by the unit."""
    return f"{format_number(value, significant)} {unit}".strip()


def _hex_to_rgba(colour: str, alpha: float) -> str:
    colour = colour.lstrip("#")
    r, g, b = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _short(text: str, width: int = 34) -> str:
    text = str(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def distinct_labels(labels: Sequence[str], keys: Sequence[Any], width: int = 34) -> list[str]:
    """Labels cut to ``width`` characters that stay distinct: a category axis merges equal
    labels into one bar, so where two cut labels (or two items of the same name) collide,
    each carries its key.

    >>> distinct_labels(["Steel sheet, hot rolled", "Steel sheet, cold rolled"], ["a", "b"], 12)
    ['Steel s… [a]', 'Steel s… [b]']
    >>> distinct_labels(["Frame", "Wheel"], ["f", "w"])
    ['Frame', 'Wheel']
    """
    short = [_short(label, width) for label in labels]
    counts: dict[str, int] = {}
    for text in short:
        counts[text] = counts.get(text, 0) + 1
    out = []
    for label, key, text in zip(labels, keys, short):
        if counts[text] > 1:
            tag = f" [{key}]"
            text = _short(label, max(8, width - len(tag))) + tag
        out.append(text)
    # keys are unique within a breakdown, so the tagged labels are too; number any rest
    seen: dict[str, int] = {}
    for i, text in enumerate(out):
        seen[text] = seen.get(text, 0) + 1
        if seen[text] > 1:
            out[i] = f"{text} ({seen[text]})"
    return out


def _wrap(text: str, width: int) -> str:
    """Break a label into lines of about ``width`` characters (plotly's ``<br>``)."""
    lines, line = [], ""
    for word in str(text).split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(lines)


def _layout(fig: go.Figure, title: str | None, height: int = 420) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left"} if title else None,
        font={"family": FONT, "size": 13},
        height=height,
        margin={"l": 60, "r": 30, "t": 60 if title else 30, "b": 60},
        plot_bgcolor="white",
        paper_bgcolor="white",
        hoverlabel={"font": {"family": FONT}},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 1, "xanchor": "right"},
    )
    fig.update_xaxes(showline=True, linecolor="#C9CED6", gridcolor="#EEF0F3", zeroline=False)
    fig.update_yaxes(showline=True, linecolor="#C9CED6", gridcolor="#EEF0F3", zeroline=False)
    return fig


# --------------------------------------------------------------------------- hotspots


def hotspot_bars(
    table: pl.DataFrame,
    indicator_id: str,
    unit: str,
    by: str,
    *,
    top: int = 15,
    title: str | None = None,
) -> go.Figure:
    """Pareto chart of a hotspot table: a bar per item (largest first, in the indicator's
    unit), the cumulative share as a line (right axis, %) and the 80 % line.

    Items in the 80 % set are drawn in full colour, the others pale. Past ``top`` items the
    remainder is one grey bar that says how many items it holds; the table holds them all.
    Tiers are coloured by tier.
    """
    colour = indicator_colour(indicator_id)
    rows = table.head(top)
    labels = distinct_labels(rows["label"].to_list(), rows["key"].to_list()) if rows.height else []
    values = rows["value"].to_list() if rows.height else []
    in_80 = rows["in_80"].to_list() if rows.height else []
    if by == "tier":
        colours = [tier_colour(k) for k in rows["key"].to_list()]
        colours = [c if keep else _hex_to_rgba(c, 0.45) for c, keep in zip(colours, in_80)]
    else:
        colours = [colour if keep else _hex_to_rgba(colour, 0.35) for keep in in_80]
    full = rows["label"].to_list() if rows.height else []
    cumulative = [100 * v for v in rows["cumulative_share"].to_list()] if rows.height else []
    if table.height > top:
        rest = table["value"][top:].sum()
        labels.append(f"{table.height - top} more")
        full.append(f"{table.height - top} further items (listed in the table)")
        values.append(rest)
        colours.append(BACKGROUND_COLOUR)
        cumulative.append(100 * float(table["cumulative_share"][-1]))
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Bar(
            x=labels,
            y=values,
            marker_color=colours,
            customdata=full,
            name=f"contribution [{unit}]",
            hovertemplate="%{customdata}<br>%{y:,.4g} " + unit + "<extra></extra>",
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=cumulative,
            mode="lines+markers",
            line={"color": EIGHTY_LINE, "width": 2},
            marker={"size": 6},
            name="cumulative share [%]",
            hovertemplate="cumulative %{y:.1f} %<extra></extra>",
        ),
        secondary_y=True,
    )
    # The 80 % line belongs to the right axis: a shape in its coordinates (add_hline would
    # stretch the left axis to 80 units too).
    fig.add_shape(
        type="line",
        xref="paper",
        x0=0,
        x1=1,
        yref="y2",
        y0=80,
        y1=80,
        line={"color": EIGHTY_LINE, "dash": "dash", "width": 1},
    )
    fig.add_annotation(
        xref="paper",
        x=0,
        yref="y2",
        y=80,
        text="80 %",
        showarrow=False,
        xanchor="left",
        yanchor="bottom",
        font={"size": 11, "color": EIGHTY_LINE},
    )
    _layout(fig, title)
    fig.update_xaxes(title_text=by, tickangle=-30 if len(labels) > 4 else 0)
    fig.update_yaxes(title_text=f"contribution [{unit}]", secondary_y=False)
    top_share = max([100.0, *cumulative]) * 1.05
    fig.update_yaxes(
        title_text="cumulative share [%]",
        range=[min([0.0, *cumulative]), top_share],
        tickmode="linear",
        tick0=0,
        dtick=20,
        showgrid=False,
        secondary_y=True,
    )
    return fig


def share_heatmap(table: pl.DataFrame, indicators: Sequence[tuple[str, str]]) -> go.Figure:
    """Carbon vs resources: each item's share (%) of each indicator, one column per indicator.

    ``table`` is :func:`scenat.assessment.hotspots.carbon_vs_resources`; ``indicators`` is
    ``[(id, label), ...]`` in column order.
    """
    labels = distinct_labels(table["label"].to_list(), table["key"].to_list(), 40)
    z, text = [], []
    for row in table.iter_rows(named=True):
        line, words = [], []
        for ind, _ in indicators:
            share = row.get(f"{ind}_share")
            line.append(None if share is None else 100 * share)
            words.append("" if share is None else f"{100 * share:.1f} %")
        z.append(line)
        text.append(words)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[_wrap(label, 18) for _, label in indicators],
            y=labels,
            text=text,
            texttemplate="%{text}",
            colorscale=[[0, "#F4F6F8"], [1, INDICATOR_COLOURS["gwp100"]]],
            zmin=0,
            zmax=100,
            colorbar={"title": {"text": "share [%]"}},
            hovertemplate="%{y}<br>%{x}: %{z:.1f} %<extra></extra>",
        )
    )
    _layout(fig, None, height=max(300, 110 + 44 * len(labels)))
    fig.update_yaxes(autorange="reversed", title_text="item")
    fig.update_xaxes(title_text="indicator (share of its total, %)", tickangle=0, side="top")
    fig.update_layout(margin={"t": 70})
    return fig


# --------------------------------------------------------------------------- supply chain


#: Past this many drawn nodes, small links are folded together (see :func:`sankey`).
SANKEY_MAX_NODES = 30
_FOLD_SHARES = (0.0, 0.005, 0.01, 0.02, 0.05, 0.1)
#: Links carrying at least this share of the total have their value written on them.
_LABEL_SHARE = 0.03
_MAX_LINK_LABELS = 14


def sankey(
    edges: pl.DataFrame,
    nodes: pl.DataFrame,
    indicator_id: str,
    unit: str,
    *,
    reference_node: str | None = None,
    title: str | None = None,
    max_nodes: int = SANKEY_MAX_NODES,
) -> go.Figure:
    """Impact flowing through the supply chain, supplier -> consumer, up to the reference node.

    ``edges`` is :meth:`scenat.Assessment.edges` (``impact_<indicator>`` per edge);
    ``nodes`` is :func:`scenat.calc.graph.supply_chain_nodes` (id, label, tier). Link widths are
    the impact embodied in what flows along the edge; a node's height is the impact embodied
    in its output. Nodes are placed in columns by tier (deepest tier left), background
    processes (when listed) in the leftmost column. Edges with a negative impact (credits)
    cannot be drawn as widths and are left out; the hover of each node gives its numbers.

    Legible at any size: foreground nodes are always drawn; when more than ``max_nodes``
    nodes (at least the foreground and 8 more) would be drawn, background inputs below the
    smallest share of the total (0.5 %, 1 %, 2 %, 5 %, 10 %) that brings the count under it
    are folded into one "N smaller background inputs" source (the widths still add up to the
    same total); links carrying 3 % of the total or more have their value written on them.
    """
    column = f"impact_{indicator_id}"
    tiers = dict(zip(nodes["id"].to_list(), nodes["tier"].to_list()))
    names = dict(zip(nodes["id"].to_list(), nodes["label"].to_list()))
    keep = edges.filter(pl.col(column) > 0) if edges.height else edges
    links = [
        (
            r["source"],
            r["source_label"],
            r["kind"] == "node",
            r["target"],
            r["target_label"],
            float(r[column]),
            f"{format_number(r['amount'])} {r['unit']}",
        )
        for r in keep.iter_rows(named=True)
    ]
    embodied = f"embodied_{indicator_id}"
    if reference_node in names and embodied in nodes.columns:
        total = float(nodes.filter(pl.col("id") == reference_node)[embodied][0])
    else:
        total = max([v for *_, v, _ in links] or [0.0])
    total = total if total > 0 else sum(v for *_, v, _ in links) or 1.0
    deepest = max([0, *tiers.values()])

    # Foreground nodes are always drawn; background processes below a share of the total
    # are folded into one "other background processes" source, its links per consumer.
    foreground = {link[3] for link in links} | {link[0] for link in links if link[2]}

    def drawn_nodes(share: float) -> int:
        big = {link[0] for link in links if not link[2] and link[5] >= share * total}
        small = any(not link[2] and link[5] < share * total for link in links)
        return len(foreground) + len(big) + int(small)

    limit = max(max_nodes, len(foreground) + 8)
    share = next((s for s in _FOLD_SHARES if drawn_nodes(s) <= limit), _FOLD_SHARES[-1])
    folded: dict[str, list[float]] = {}
    shown = []
    for link in links:
        if not link[2] and link[5] < share * total:
            folded.setdefault(link[3], []).append(link[5])
        else:
            shown.append(link)
    count = sum(len(v) for v in folded.values())
    for target, values in folded.items():
        label = f"{count} smaller background inputs"
        shown.append(
            (
                "__other__",
                label,
                False,
                target,
                names.get(target, target),
                sum(values),
                f"{len(values)} inputs below {100 * share:g} % each",
            )
        )

    ids: list[str] = []
    labels: list[str] = []
    colours: list[str] = []
    columns: list[float] = []

    def node_index(key: str, label: str, is_node: bool) -> int:
        if key in ids:
            return ids.index(key)
        ids.append(key)
        if is_node:
            tier = tiers.get(key, 0)
            role = "reference" if key == reference_node else f"tier {tier}"
            labels.append(f"{_short(label, 30)} ({role})")
            colours.append(tier_colour(tier))
            columns.append(1 + deepest - tier)
        else:
            labels.append(_short(label, 30))
            colours.append(BACKGROUND_COLOUR)
            columns.append(0)
        return ids.index(key)

    for node_id in nodes["id"].to_list():
        node_index(node_id, names[node_id], True)
    source, target, value, link_colours, hover = [], [], [], [], []
    for s_id, s_label, is_node, t_id, t_label, v, amount in shown:
        s = node_index(s_id, s_label, is_node)
        t = node_index(t_id, t_label, True)
        source.append(s)
        target.append(t)
        value.append(v)
        link_colours.append(_hex_to_rgba(colours[s], 0.5))
        hover.append(f"{s_label} → {t_label}<br>{amount}")
    used = sorted(set(source) | set(target))
    # A node's height is the larger of what flows in and out of it; nodes of a column are
    # stacked by height, so a link's middle can be found to write its value on.
    inflow = [0.0] * len(ids)
    outflow = [0.0] * len(ids)
    for s, t, v in zip(source, target, value):
        outflow[s] += v
        inflow[t] += v
    size = [max(a, b) for a, b in zip(inflow, outflow)]
    in_use = sorted({columns[i] for i in used}) or [0.0]
    place = {col: k for k, col in enumerate(in_use)}
    span = max(1, len(in_use) - 1)
    x = [0.0] * len(ids)
    y = [0.5] * len(ids)
    for col in in_use:
        peers = sorted((i for i in used if columns[i] == col), key=lambda i: -size[i])
        height = sum(size[i] for i in peers) or 1.0
        gap = 0.04 / max(1, len(peers))
        level = 0.0
        for i in peers:
            part = size[i] / height * (1 - gap * (len(peers) - 1))
            x[i] = 0.01 + 0.98 * place[col] / span
            y[i] = min(0.99, max(0.01, level + part / 2))
            level += part + gap
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            valueformat=",.4g",
            valuesuffix=f" {unit}",
            node={
                "label": labels,
                "color": colours,
                "pad": 12,
                "thickness": 16,
                "x": x,
                "y": y,
                "line": {"color": "white", "width": 0.5},
                "customdata": [format_number(v) for v in size],
                "hovertemplate": "%{label}<br>%{customdata} " + unit + "<extra></extra>",
            },
            link={
                "source": source,
                "target": target,
                "value": value,
                "color": link_colours,
                "customdata": hover,
                "hovertemplate": "%{customdata}<br>%{value}<extra></extra>",
            },
        )
    )
    crowded = max([sum(1 for j in used if columns[j] == col) for col in in_use] or [1])
    height = max(520, 140 + 34 * crowded)
    _layout(fig, title or f"Impact through the supply chain [{unit}]", height=height)
    labelled = sorted(
        (k for k, v in enumerate(value) if v >= _LABEL_SHARE * total), key=lambda k: -value[k]
    )[:_MAX_LINK_LABELS]
    for k in labelled:
        s, t = source[k], target[k]
        fig.add_annotation(
            # near the supplier's end, where a node's few outgoing links are apart
            x=x[s] + 0.3 * (x[t] - x[s]),
            y=1 - (y[s] + 0.3 * (y[t] - y[s])),
            xref="paper",
            yref="paper",
            text=format_number(value[k]),
            showarrow=False,
            font={"size": 10, "color": "#1f2430"},
            bgcolor="rgba(255,255,255,0.7)",
        )
    if share:
        fig.add_annotation(
            xref="paper",
            yref="paper",
            x=0,
            y=-0.04,
            xanchor="left",
            yanchor="top",
            showarrow=False,
            font={"size": 11, "color": "#5b6472"},
            text=f"Background inputs below {100 * share:g} % of the total are folded into "
            "one node; the links table lists every one.",
        )
    fig.update_layout(meta={"folded_below_share": share, "total": total})
    return fig


def difference_bars(
    table: pl.DataFrame, unit: str, *, top: int = 15, title: str | None = None
) -> go.Figure:
    """B - A per item (:func:`scenat.assessment.compare_hotspots`: key, label, a, b,
    difference), largest change first: increases red, decreases green."""
    rows = table.filter(pl.col("difference") != 0).head(top)
    labels = distinct_labels(rows["label"].to_list(), rows["key"].to_list(), 40)
    values = rows["difference"].to_list()
    fig = go.Figure(
        go.Bar(
            x=values,
            y=labels,
            orientation="h",
            marker_color=["#c0392b" if v > 0 else "#27ae60" for v in values],
            customdata=list(zip(rows["a"].to_list(), rows["b"].to_list())),
            hovertemplate="%{y}<br>A %{customdata[0]:,.4g}  B %{customdata[1]:,.4g}<br>"
            "B - A %{x:,.4g} " + unit + "<extra></extra>",
        )
    )
    _layout(fig, title, height=max(260, 90 + 28 * len(labels)))
    fig.update_yaxes(autorange="reversed", title_text=None)
    fig.update_xaxes(title_text=f"B - A [{unit}]", zeroline=True, zerolinecolor="#555")
    return fig


# --------------------------------------------------------------------------- interventions


def macc(table: pl.DataFrame, currency: str, *, title: str | None = None) -> go.Figure:
    """Marginal abatement cost curve from :func:`scenat.calc.rank.macc`: bar width = what the
    option abates after the ones left of it (t CO2-eq a year), height = its cost per tonne
    (currency per t CO2-eq); coloured by category."""
    fig = go.Figure()
    seen: set[str] = set()
    for row in table.iter_rows(named=True):
        category = row.get("category") or "other"
        width = row["bar_width"]
        fig.add_trace(
            go.Bar(
                x=[row["bar_start"] + width / 2],
                y=[row["bar_height"]],
                width=[width],
                marker={"color": category_colour(category), "line": {"color": "white"}},
                name=category.replace("_", " "),
                legendgroup=category,
                showlegend=category not in seen,
                customdata=[[row["name"], width, row.get("capex")]],
                hovertemplate=(
                    "%{customdata[0]}<br>MAC %{y:,.0f} "
                    + currency
                    + "/t CO2-eq<br>abatement %{customdata[1]:,.4g} t CO2-eq/year"
                    + "<br>capex %{customdata[2]:,.0f} "
                    + currency
                    + "<extra></extra>"
                ),
            )
        )
        seen.add(category)
    _layout(fig, title, height=460)
    fig.update_layout(bargap=0, barmode="overlay")
    fig.add_hline(y=0, line={"color": "#555", "width": 1})
    # A tiny option with an extreme cost per tonne would flatten every other bar: the axis
    # spans the costs of 98 % of the abatement, and says how many bars run past it.
    if table.height > 2:
        weighted = table.select("bar_height", "bar_width").sort("bar_height")
        share = (weighted["bar_width"].cum_sum() / weighted["bar_width"].sum()).to_list()
        macs = weighted["bar_height"].to_list()
        low = next(m for m, c in zip(macs, share) if c >= 0.01)
        high = next(m for m, c in zip(macs, share) if c >= 0.99)
        low, high = min(low, 0.0), max(high, 0.0)
        pad = 0.08 * (high - low or 1.0)
        outside = sum(1 for m in macs if m < low - pad or m > high + pad)
        if outside:
            fig.update_yaxes(range=[low - pad, high + pad])
            fig.add_annotation(
                xref="paper",
                yref="paper",
                x=0.01,
                y=0.99,
                xanchor="left",
                yanchor="top",
                showarrow=False,
                text=f"{outside} small option(s) run past the axis (hover for values)",
                font={"size": 11, "color": "#5b6472"},
            )
    fig.update_xaxes(title_text="cumulative abatement [t CO2-eq / year]", rangemode="tozero")
    fig.update_yaxes(title_text=f"marginal abatement cost [{currency} / t CO2-eq]")
    return fig


def pareto(
    table: pl.DataFrame,
    currency: str,
    *,
    cost: str = "annual_cost",
    benefit: str = "abatement_t_year",
    title: str | None = None,
) -> go.Figure:
    """Cost vs abatement of every option; the Pareto front (column ``pareto``, from
    :func:`scenat.calc.rank.pareto`) highlighted and joined by a line."""
    finite = table.filter(
        pl.col(cost).is_not_null()
        & pl.col(cost).is_finite()
        & pl.col(benefit).is_not_null()
        & pl.col(benefit).is_finite()
    )
    front = finite.filter(pl.col("pareto")).sort(benefit)
    rest = finite.filter(~pl.col("pareto"))
    fig = go.Figure()
    hover = (
        "%{customdata}<br>abatement %{x:,.4g} t CO2-eq/year<br>annual cost %{y:,.0f} "
        + currency
        + "/year<extra></extra>"
    )
    fig.add_trace(
        go.Scatter(
            x=rest[benefit].to_list(),
            y=rest[cost].to_list(),
            mode="markers",
            marker={"color": BACKGROUND_COLOUR, "size": 9},
            name="dominated",
            customdata=rest["name"].to_list(),
            hovertemplate=hover,
        )
    )
    fig.add_trace(
        go.Scatter(
            x=front[benefit].to_list(),
            y=front[cost].to_list(),
            mode="lines+markers",
            marker={"color": INDICATOR_COLOURS["gwp100"], "size": 11},
            line={"color": INDICATOR_COLOURS["gwp100"], "dash": "dot"},
            name="Pareto front",
            customdata=front["name"].to_list(),
            hovertemplate=hover,
        )
    )
    _layout(fig, title, height=460)
    fig.add_hline(y=0, line={"color": "#555", "width": 1})
    fig.update_xaxes(title_text="abatement [t CO2-eq / year]")
    fig.update_yaxes(title_text=f"annual cost, EAC + opex change [{currency} / year]")
    return fig


# --------------------------------------------------------------------------- uncertainty


def intervals(summary: pl.DataFrame, labels: Mapping[str, str] | None = None) -> go.Figure:
    """Monte Carlo 90 % intervals per indicator relative to the deterministic result (%).

    ``summary`` is :meth:`scenat.uncertainty.foreground.UncertaintyResult.summary`.
    """
    labels = dict(labels or {})
    rows = [r for r in summary.iter_rows(named=True) if r["deterministic"]]
    fig = go.Figure()
    for row in rows:
        base = row["deterministic"]
        mid = 100 * row["p50"] / base
        fig.add_trace(
            go.Scatter(
                x=[mid],
                y=[labels.get(row["indicator"], row["indicator"])],
                mode="markers",
                marker={"color": indicator_colour(row["indicator"]), "size": 12},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [100 * row["p95"] / base - mid],
                    "arrayminus": [mid - 100 * row["p5"] / base],
                    "color": indicator_colour(row["indicator"]),
                    "thickness": 3,
                },
                name=row["indicator"],
                showlegend=False,
                hovertemplate=(
                    f"median {format_number(row['p50'])} {row['unit']}<br>"
                    f"5-95 %: {format_number(row['p5'])} – {format_number(row['p95'])} "
                    f"{row['unit']}<extra></extra>"
                ),
            )
        )
    fig.add_vline(x=100, line={"color": "#555", "dash": "dash", "width": 1})
    _layout(fig, None, height=120 + 60 * max(1, len(rows)))
    fig.update_xaxes(title_text="% of the deterministic result (median, 5-95 %)")
    fig.update_yaxes(title_text="indicator")
    return fig


def histogram(samples: Sequence[float], indicator_id: str, unit: str, deterministic: float):
    """Distribution of Monte Carlo totals with the deterministic result marked."""
    fig = go.Figure(
        go.Histogram(
            x=list(samples),
            nbinsx=40,
            marker_color=indicator_colour(indicator_id),
            opacity=0.85,
            hovertemplate="%{x}<br>%{y} iterations<extra></extra>",
            name="iterations",
        )
    )
    fig.add_vline(
        x=deterministic,
        line={"color": EIGHTY_LINE, "dash": "dash"},
        annotation_text="deterministic",
    )
    _layout(fig, None, height=340)
    fig.update_xaxes(title_text=f"total [{unit}]")
    fig.update_yaxes(title_text="iterations [count]")
    return fig


def figure_html(fig: go.Figure, *, include_plotlyjs: Any = False, div_id: str | None = None):
    """A figure as an html fragment (``include_plotlyjs="inline"`` embeds plotly.js once)."""
    js = True if include_plotlyjs == "inline" else include_plotlyjs
    return fig.to_html(
        full_html=False,
        include_plotlyjs=js,
        div_id=div_id,
        config={"displaylogo": False, "responsive": True},
    )
