"""Supply chain: the network by tier with the impact on every edge, nodes and flows tables."""

from __future__ import annotations

import polars as pl
import streamlit as st
from scenat_app import casefiles, session

_ = session.translator()
format_number, format_quantity = _.number, _.quantity
session.page_header(
    _("Supply chain"),
    _(
        "The supply chain as the workbook maps it: who supplies whom, tier by tier, and how "
        "much of the selected indicator is embodied in what flows along each link."
    ),
)

loaded = session.require_valid()
case = loaded.case
result = session.assessment(loaded)
ind = session.selected_indicator()
nodes = session.nodes(loaded.fingerprint, result)

background_inputs = {f.input for f in case.flows if f.kind in ("process", "spend", "credit")}
cols = st.columns(4)
cols[0].metric(_("Nodes"), nodes.height, border=True)
cols[1].metric(_("Tiers"), nodes["tier"].n_unique(), border=True)
cols[2].metric(_("Flows"), len(case.flows), border=True)
cols[3].metric(_("Background processes used"), len(background_inputs), border=True)

tiers = sorted(nodes["tier"].unique().to_list())
stages = sorted(nodes["stage"].unique().to_list())
left, middle, right = st.columns([2, 2, 1.3])
chosen_tiers = left.multiselect(
    _("Tiers"), tiers, default=tiers, key="sc_tiers", format_func=lambda t: _("tier {n}", n=t)
)
chosen_stages = middle.multiselect(
    _("Stages"),
    stages,
    default=stages,
    key="sc_stages",
    format_func=lambda s: _(s.replace("_", " ")),
)
expand = right.toggle(
    _("Show background processes"),
    value=False,
    key="sc_background",
    help=_("Also draw what each node buys from the background inventory as links."),
)

visible = nodes.filter(pl.col("tier").is_in(chosen_tiers) & pl.col("stage").is_in(chosen_stages))
visible_ids = set(visible["id"].to_list())
edges = session.edges(loaded.fingerprint, expand, result)
shown_edges = edges.filter(
    pl.col("target").is_in(visible_ids)
    & (pl.col("source").is_in(visible_ids) | (pl.col("kind") != "node"))
)

st.subheader(_("Network: {indicator} [{unit}]", indicator=_(ind.label), unit=ind.unit))
if not visible_ids:
    st.info(_("No node matches the filters."))
else:
    impact = f"impact_{ind.id}"
    drawn = shown_edges.filter(pl.col(impact) > 0)
    if drawn.height == 0:
        st.info(
            _(
                "No link carries any {indicator} in this selection; choose another indicator "
                "in the sidebar or widen the filters.",
                indicator=_(ind.label),
            )
        )
    else:
        fig = session.sankey_figure(
            loaded.fingerprint,
            ind.id,
            expand,
            tuple(sorted(chosen_tiers)),
            tuple(sorted(chosen_stages)),
            result,
        )
        st.plotly_chart(fig, key="sankey")
    negative = shown_edges.filter(pl.col(impact) < 0).height
    st.caption(
        _(
            "Link width: impact embodied in what the supplier delivers per functional unit. "
            "Node colour: tier (darkest = tier 0, the focal organisation; grey = background)."
        )
        + " "
        + (
            _("{n} link(s) with a negative impact (credits) are in the table only.", n=negative)
            + " "
            if negative
            else ""
        )
        + _(
            "Total for the functional unit: {total}.",
            total=format_quantity(result.total(ind.id), ind.unit),
        )
    )

st.subheader(_("Nodes"))
own, embodied = f"own_{ind.id}", f"embodied_{ind.id}"
node_table = visible.select(
    pl.col("id"),
    pl.col("label").alias("name"),
    pl.col("tier"),
    pl.col("stage"),
    pl.col(own).alias(f"own contribution [{ind.unit}]"),
    pl.col(embodied).alias(f"embodied in output [{ind.unit}]"),
    pl.col("supply").alias("runs per functional unit"),
    pl.col("output_unit").alias("output unit"),
).sort("tier", f"own contribution [{ind.unit}]", descending=[False, True])
st.dataframe(
    node_table,
    hide_index=True,
    key="nodes_table",
    column_config={
        f"own contribution [{ind.unit}]": st.column_config.NumberColumn(format="%.4g"),
        f"embodied in output [{ind.unit}]": st.column_config.NumberColumn(format="%.4g"),
        "runs per functional unit": st.column_config.NumberColumn(format="%.4g"),
    },
)
st.caption(
    _(
        "Own contribution: the node's direct emissions plus the cradle-to-gate impact of the "
        "background it buys (the node hotspot). Embodied: everything upstream of its output."
    )
)

st.subheader(_("Flows"))
flows = case.flows_table().filter(pl.col("node").is_in(visible_ids))
st.dataframe(
    flows.rename(
        {
            "amount_in_reference": "amount in reference unit",
            "reference_unit": "reference unit",
        }
    ),
    hide_index=True,
    key="flows_table",
)

st.subheader(_("Links"))
link_table = shown_edges.select(
    "source",
    "source_label",
    "target",
    "target_label",
    "kind",
    "amount",
    "unit",
    *[pl.col(f"impact_{i.id}").alias(f"{i.id} [{i.unit}]") for i in result.indicators],
)
st.dataframe(link_table, hide_index=True, key="links_table")
st.download_button(
    _("Download the links (.csv)"),
    data=casefiles.csv_download(link_table),
    file_name=f"{case.reference_node}-supply-chain-links.csv",
    mime="text/csv",
    icon=":material/download:",
    on_click="ignore",
)
st.caption(
    _("{links} links, {nodes} nodes shown.", links=shown_edges.height, nodes=len(visible_ids))
)
