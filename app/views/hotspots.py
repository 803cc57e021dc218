"""Hotspots: breakdowns with the 80 % line, structural paths, carbon vs resources, Monte Carlo."""

from __future__ import annotations

import polars as pl
import streamlit as st
from scenat_app import casefiles, session

from scenat.calc import ALL_BREAKDOWNS
from scenat.report import charts

_ = session.translator()
format_number, format_quantity = _.number, _.quantity
session.page_header(
    _("Hotspots"),
    _(
        "Where the burden sits: by supplier node, tier, life-cycle stage, background process "
        "and elementary flow. The dashed line marks 80 % of the total; the items up to it are "
        "where action pays most."
    ),
)

loaded = session.require_valid()
result = session.assessment(loaded)
ind = session.selected_indicator()
total = result.total(ind.id)
by_node = result.hotspots(ind.id, "node")

cols = st.columns([1.3, 1.3, 1, 1])
cols[0].metric(
    _("Total per functional unit"),
    format_quantity(total, ind.unit),
    help=f"{_(ind.label)}. " + _("Method: {method}", method=" | ".join(ind.method)),
    border=True,
)
annual, annual_unit = total * loaded.case.annual_volume, ind.unit
if annual_unit.startswith("kg ") and abs(annual) >= 1000:
    annual, annual_unit = annual / 1000, "t " + annual_unit[3:]
cols[1].metric(
    _("Per year"),
    format_quantity(annual, annual_unit),
    help=_("Total x annual volume ({n} a year).", n=format_number(loaded.case.annual_volume)),
    border=True,
)
if by_node.height:
    lead = by_node.row(0, named=True)
    cols[2].metric(
        _("Top hotspot node"),
        f"{100 * lead['share']:.1f} %",
        lead["label"],
        delta_color="off",
        delta_arrow="off",
        help=_("Share of the total carried by the largest node."),
        border=True,
    )
    cols[3].metric(
        _("Nodes making up 80 %"),
        _("{n} of {m}", n=int(by_node["in_80"].sum()), m=by_node.height),
        border=True,
    )
else:
    cols[2].metric(_("Top hotspot node"), "–", border=True)
    cols[3].metric(_("Nodes making up 80 %"), "–", border=True)

if total == 0:
    st.info(
        _(
            "The {indicator} total is zero: nothing in this supply chain carries a "
            "characterisation factor of this indicator in the shipped inventory. Pick another "
            "indicator in the sidebar.",
            indicator=_(ind.label),
        )
    )

st.subheader(_("Breakdowns of {indicator} [{unit}]", indicator=_(ind.label), unit=ind.unit))
NAMES = {
    "node": _("By node"),
    "tier": _("By tier"),
    "stage": _("By stage"),
    "process": _("By process"),
    "flow": _("By elementary flow"),
    "data_source": _("By data source"),
}
# Lazy tabs: only the open one is built and sent (six charts and tables at once made the
# page switch slow).
tabs = st.tabs([NAMES[b] for b in ALL_BREAKDOWNS], key="hotspot_tabs", on_change="rerun")
for tab, by in zip(tabs, ALL_BREAKDOWNS):
    if not tab.open:
        continue
    with tab:
        table = result.hotspots(ind.id, by)
        if table.height == 0:
            st.info(_("Nothing contributes to this indicator."))
            continue
        st.plotly_chart(session.hotspot_figure(loaded, ind.id, by), key=f"hotspot_chart_{by}")
        shown = table.with_row_index("#", offset=1).select(
            "#",
            pl.col("label").alias(by),
            "key",
            *(["kind"] if "kind" in table.columns else []),
            pl.col("value").alias(f"value [{ind.unit}]"),
            (pl.col("share") * 100).alias("share [%]"),
            (pl.col("cumulative_share") * 100).alias("cumulative [%]"),
            pl.col("in_80").alias("in the 80 % set"),
        )
        st.dataframe(
            shown,
            hide_index=True,
            key=f"hotspot_table_{by}",
            column_config={
                f"value [{ind.unit}]": st.column_config.NumberColumn(format="%.4g"),
                "share [%]": st.column_config.NumberColumn(format="%.1f"),
                "cumulative [%]": st.column_config.NumberColumn(format="%.1f"),
            },
        )
        st.download_button(
            _("Download (.csv)"),
            data=casefiles.csv_download(shown),
            file_name=f"hotspots-{ind.id}-{by}.csv",
            mime="text/csv",
            key=f"download_{by}",
            icon=":material/download:",
            on_click="ignore",
        )

st.subheader(_("Structural paths"))
st.markdown(
    _(
        "The supply-chain routes that carry the most impact, from the functional unit down to "
        "the activity that emits. Coverage says how much of the total the listed paths explain."
    )
)
left, right = st.columns(2)
top = left.slider(_("Paths to list"), 5, 50, 15, step=5, key="paths_top")
cutoff = right.select_slider(
    _("Prune branches below this share of the total"),
    options=[1e-4, 5e-4, 1e-3, 5e-3, 1e-2],
    value=1e-3,
    format_func=lambda v: f"{100 * v:g} %",
    key="paths_cutoff",
)
st.session_state["choice_paths"] = (int(top), float(cutoff))
if total != 0:
    path_table = session.paths(loaded.fingerprint, ind.id, top, cutoff, result)
    pcols = st.columns(3)
    pcols[0].metric(_("Paths listed"), path_table.table.height, border=True)
    pcols[1].metric(_("Coverage of the total"), f"{100 * path_table.coverage:.1f} %", border=True)
    pcols[2].metric(
        _("Explained by the listed paths"),
        format_quantity(float(path_table.table["value"].sum()), ind.unit),
        border=True,
    )
    st.dataframe(
        path_table.table.select(
            "rank",
            "path",
            "depth",
            "emitter",
            pl.col("value").alias(f"value [{ind.unit}]"),
            (pl.col("share") * 100).alias("share [%]"),
        ),
        hide_index=True,
        key="paths_table",
        column_config={
            "path": st.column_config.TextColumn(width="large"),
            f"value [{ind.unit}]": st.column_config.NumberColumn(format="%.4g"),
            "share [%]": st.column_config.NumberColumn(format="%.1f"),
        },
    )
    if path_table.truncated:
        st.caption(_("The search stopped at its depth limit; lower the cutoff to go deeper."))

st.subheader(_("Carbon vs resources"))
st.markdown(
    _(
        "Do carbon and resource use point at the same places? Shares of each indicator's total "
        "for every item in the top five of any indicator. Items flagged *resource only* are "
        "hotspots a carbon-only view misses."
    )
)
cv_by = st.segmented_control(
    _("Compare by"),
    ["node", "stage", "process", "tier"],
    default="node",
    key="cvr_by",
    required=True,
)
comparison = session.carbon_vs_resources(loaded.fingerprint, cv_by or "node", 5, result)
resource_ids = [i for i in result.indicators if f"{i.id}_share" in comparison.columns]
st.plotly_chart(
    charts.share_heatmap(comparison, [(i.id, _(i.label)) for i in resource_ids]),
    key="cvr_heatmap",
)
cvr_table = comparison.select(
    "label",
    "key",
    *[(pl.col(f"{i.id}_share") * 100).alias(f"{i.id} share [%]") for i in resource_ids],
    *[pl.col(f"{i.id}_rank").alias(f"{i.id} rank") for i in resource_ids],
    "resource_only",
    "carbon_only",
)
st.dataframe(
    cvr_table,
    hide_index=True,
    key="cvr_table",
    column_config={
        f"{i.id} share [%]": st.column_config.NumberColumn(format="%.1f") for i in resource_ids
    },
)

st.subheader(_("Uncertainty (Monte Carlo)"))
uncertain = sum(f.uncertainty is not None for f in loaded.case.flows)
sample_background = st.toggle(
    _("Sample the background's distributions"),
    value=True,
    key="mc_background",
    help=_(
        "On: every background exchange with a stored distribution is sampled with the "
        "workbook's own distributions. Off: the background is kept at its stored amounts."
    ),
)
if not uncertain and not sample_background:
    st.info(
        _(
            "Nothing is uncertain with the background fixed: none of the case's {n} flows "
            "carries a distribution (columns distribution, sd/gsd, min/max of the flows "
            "sheet), so a Monte Carlo run would give the deterministic result every time. "
            "Sample the background, or add distributions on the Edit page.",
            n=len(loaded.case.flows),
        ),
        icon=":material/info:",
    )
    st.stop()
st.markdown(
    _(
        "Samples the uncertainty columns of the workbook ({n} of {m} flows carry a "
        "distribution){background}, and solves the supply chain for each sample.",
        n=uncertain,
        m=len(loaded.case.flows),
        background=_(" and the background databases' stored distributions")
        if sample_background
        else "",
    )
)
with st.form("mc_form", border=False):
    c1, c2, c3 = st.columns([2, 2, 1])
    iterations = c1.number_input(
        _("Iterations"), min_value=100, max_value=200_000, value=1000, step=100, key="mc_iterations"
    )
    seed = c2.number_input(_("Seed"), min_value=0, value=42, step=1, key="mc_seed")
    c3.write("")
    run = c3.form_submit_button(_("Run Monte Carlo"), type="primary", icon=":material/casino:")

if run:
    from scenat.uncertainty import monte_carlo

    bar = st.progress(0.0, text=_("Sampling…"))

    def progress(done: int, total_iterations: int) -> None:
        bar.progress(done / total_iterations, text=f"{done:,} of {total_iterations:,} iterations")

    mc = monte_carlo(
        loaded.case,
        iterations=int(iterations),
        seed=int(seed),
        progress=progress,
        chunk=max(50, int(iterations) // 20),
        linked=result.linked,
        background=sample_background,
    )
    bar.empty()
    st.session_state["mc_result"] = (loaded.fingerprint, sample_background, mc)

stored = st.session_state.get("mc_result")
if stored and stored[:2] == (loaded.fingerprint, sample_background):
    mc = stored[2]
    summary = mc.summary()
    row = summary.filter(pl.col("indicator") == ind.id).row(0, named=True)
    if not mc.anything_uncertain:
        # every iteration is the deterministic result: say so, draw no distribution
        st.info(
            _(
                "No uncertain inputs: the interval is a point ({value}).",
                value=format_quantity(row["deterministic"], ind.unit),
            ),
            icon=":material/info:",
        )
        st.stop()
    mcols = st.columns(4)
    mcols[0].metric(_("Iterations"), f"{mc.iterations:,}", border=True)
    mcols[1].metric(_("Median"), format_quantity(row["p50"], ind.unit), border=True)
    mcols[2].metric(
        _("90 % interval"),
        f"{format_number(row['p5'])} – {format_number(row['p95'])}",
        help=_("5th to 95th percentile, {unit}", unit=ind.unit),
        border=True,
    )
    mcols[3].metric(
        _("Deterministic"), format_quantity(row["deterministic"], ind.unit), border=True
    )
    left, right = st.columns(2)
    with left:
        st.plotly_chart(
            charts.intervals(summary, {i.id: _(i.label) for i in result.indicators}),
            key="mc_intervals",
        )
    with right:
        st.plotly_chart(
            charts.histogram(mc.totals[ind.id], ind.id, ind.unit, row["deterministic"]),
            key="mc_histogram",
        )
    st.dataframe(
        summary,
        hide_index=True,
        key="mc_summary",
        column_config={
            c: st.column_config.NumberColumn(format="%.4g")
            for c in ("deterministic", "mean", "sd", "p5", "p50", "p95")
        },
    )
    drivers = mc.drivers(ind.id, top=10)
    st.markdown("**" + _("What drives the variance of {indicator}", indicator=_(ind.label)) + "**")
    if drivers.height:
        st.caption(
            _(
                "Squared standardised regression coefficients (SRC²) of the total on the "
                "sampled inputs: the share of the variance each input explains. The linear "
                "model explains {r2} % of the variance (R²); below about 70 % the ranking is "
                "only indicative.",
                r2=f"{100 * mc.r2(ind.id):.0f}",
            )
        )
        st.dataframe(
            drivers.select("input", "kind", (pl.col("src2") * 100).alias("SRC² [%]"), "src"),
            hide_index=True,
            key="mc_drivers",
            column_config={
                "SRC² [%]": st.column_config.NumberColumn(format="%.1f"),
                "src": st.column_config.NumberColumn(format="%.3f"),
            },
        )
    else:
        st.caption(_("This indicator does not vary in the run."))
    shares = mc.hotspot_summary(ind.id).select(
        "key",
        *[
            (pl.col(f"{q}_share") * 100).alias(f"{q} [%]")
            for q in ("mean", "sd", "p5", "p50", "p95")
        ],
    )
    st.markdown(
        "**"
        + _("Node shares of {indicator} under uncertainty [% of the total]", indicator=_(ind.label))
        + "**"
    )
    st.dataframe(
        shares,
        hide_index=True,
        key="mc_shares",
        column_config={c: st.column_config.NumberColumn(format="%.2f") for c in shares.columns[1:]},
    )
    st.download_button(
        _("Download the samples (.csv)"),
        data=casefiles.csv_download(mc.samples()),
        file_name=f"monte-carlo-{mc.iterations}-seed{mc.seed}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
    )
    st.caption(_("Seed {seed}; {statement}.", seed=mc.seed, statement=mc.statement))
