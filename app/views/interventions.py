"""Interventions: ranked options with KPIs, user weights, MACC, Pareto front, budget portfolio."""

from __future__ import annotations

import math

import polars as pl
import streamlit as st
from scenat_app import casefiles, session

from scenat.calc import rank
from scenat.report import charts
from scenat.report.markdown import literal

_ = session.translator()
format_number = _.number
session.page_header(
    _("Interventions"),
    _(
        "Low-carbon options from the priced, sourced library (and the case's own sheet) that "
        "apply to this supply chain, each applied to a copy of the case and solved again. Rank "
        "them by cost per tonne, or by your own weights; then pick the best set for a budget."
    ),
)

loaded = session.require_valid()
case = loaded.case
result = session.assessment(loaded)
evaluated = session.interventions(loaded)
table = evaluated.table
currency = case.currency

if table.height == 0:
    st.info(_("No intervention in the library applies to the flows of this case."))
    st.stop()

abating = table.filter(pl.col("abatement_t_year") > 0)
curve = rank.macc(table)
saving = curve.filter(pl.col("bar_height") < 0)
annual_t = result.total("gwp100") * case.annual_volume / 1000.0
cols = st.columns(4)
cols[0].metric(_("Applicable interventions"), table.height, border=True)
cols[1].metric(_("Abate on their own"), abating.height, border=True)
cols[2].metric(
    _("Largest single abatement"),
    f"{format_number(abating['abatement_t_year'].max() if abating.height else 0)} t CO2-eq/yr",
    help=_("Baseline: {n} t CO2-eq a year at the case's annual volume.", n=format_number(annual_t)),
    border=True,
)
cols[3].metric(
    _("Abatement that saves money"),
    f"{format_number(saving['bar_width'].sum())} t CO2-eq/yr",
    help=_(
        "What the options with a negative marginal abatement cost abate together, each "
        "after the cheaper ones (the MACC's widths)."
    ),
    border=True,
)

st.subheader(_("Ranking"))
METHODS = {
    "mac": _("Cost per tonne (MACC)"),
    "topsis": _("TOPSIS (closeness to the ideal)"),
    "weighted": _("Weighted sum"),
}
method = st.radio(
    _("Ranking method"),
    list(METHODS),
    format_func=METHODS.get,
    horizontal=True,
    key="rank_method",
)
CRITERIA = [
    ("gwp100", _("Carbon abatement"), 0.5),
    ("cost", _("Annual cost (EAC + opex)"), 0.5),
    ("capex", _("Capital cost"), 0.0),
    ("payback", _("Payback time"), 0.0),
    ("npv", _("Net present value"), 0.0),
    ("fossil_energy", _("Fossil energy use"), 0.0),
    ("water", _("Water use"), 0.0),
    ("metals_minerals", _("Metals and minerals use"), 0.0),
]
weights: dict[str, float] = {}
if method == "mac":
    st.caption(
        _(
            "Cheapest per tonne of CO2-eq first (the order of the MACC). Options that do not "
            "abate carbon are listed after the ranked ones, without a rank."
        )
    )
    ranked = pl.concat(
        [curve, table.filter(~pl.col("id").is_in(curve["id"].to_list()))], how="diagonal_relaxed"
    )
else:
    st.caption(
        _(
            "Set how much each criterion matters (0 = ignore). Weights are normalised to sum "
            "to 1. An option with a missing or infinite value on a weighted criterion (say a "
            "payback that never comes) is listed last, unranked."
        )
    )
    slider_cols = st.columns(4)
    for i, (name, label, default) in enumerate(CRITERIA):
        weights[name] = slider_cols[i % 4].slider(
            label, 0.0, 1.0, default, step=0.05, key=f"weight_{name}"
        )
    weights = {k: v for k, v in weights.items() if v > 0}
    if not weights:
        st.error(_("Give at least one criterion a weight above zero."), icon=":material/error:")
        st.stop()
    ranked = rank.rank_table(table, method, weights)
ranked = rank.pareto(ranked)
# Kept beyond this page (its widgets' state is not): the report carries these choices.
st.session_state["choice_ranking"] = (method, dict(weights) if method != "mac" else None)
if ranked.height and ranked["rank"][0] is not None:
    best = ranked.row(0, named=True)
    mac_text = (
        f"{_.money(best['mac'], currency)}/t CO2-eq"
        if best["mac"] is not None and math.isfinite(best["mac"])
        else _("no cost per tonne (it does not abate)")
    )
    st.markdown(
        f"**{_('Top-ranked:')}** {literal(best['name'])} · "
        + _("abates {n} t CO2-eq/yr", n=format_number(best["abatement_t_year"]))
        + f" · {mac_text}"
    )

display = ranked.select(
    pl.col("rank"),
    pl.col("name").alias("intervention"),
    pl.col("category"),
    *([pl.col("score")] if "score" in ranked.columns else []),
    pl.col("abatement_t_year").alias("abatement [t CO2-eq/yr]"),
    pl.col("change_pct_gwp100").alias("carbon change [%]"),
    pl.col("mac").alias(f"MAC [{currency}/t CO2-eq]"),
    pl.col("capex").alias(f"capex [{currency}]"),
    pl.col("opex_change_year").alias(f"opex change [{currency}/yr]"),
    pl.col("annual_cost").alias(f"annual cost [{currency}/yr]"),
    pl.col("payback_years").alias("payback [years]"),
    pl.col("npv").alias(f"NPV [{currency}]"),
    pl.col("pareto").alias("Pareto front"),
    pl.col("side_effects").alias("resource side effects"),
    pl.col("id"),
)
# JSON cannot carry infinities: show "never" paybacks as empty cells.
display = display.with_columns(
    pl.when(pl.col(c).is_infinite()).then(None).otherwise(pl.col(c)).alias(c)
    for c, dtype in display.schema.items()
    if dtype == pl.Float64
)
money = st.column_config.NumberColumn(format="localized")
MONEY = [
    f"MAC [{currency}/t CO2-eq]",
    f"capex [{currency}]",
    f"opex change [{currency}/yr]",
    f"annual cost [{currency}/yr]",
    f"NPV [{currency}]",
]
display = display.with_columns(pl.col(c).round(0) for c in MONEY)
st.dataframe(
    display,
    hide_index=True,
    key="ranked_table",
    column_config={
        "rank": st.column_config.NumberColumn(format="%d", width="small"),
        "intervention": st.column_config.TextColumn(width="large"),
        "score": st.column_config.NumberColumn(format="%.3f"),
        "abatement [t CO2-eq/yr]": st.column_config.NumberColumn(format="%.4g"),
        "carbon change [%]": st.column_config.NumberColumn(format="%.2f"),
        f"MAC [{currency}/t CO2-eq]": money,
        f"capex [{currency}]": money,
        f"opex change [{currency}/yr]": money,
        f"annual cost [{currency}/yr]": money,
        "payback [years]": st.column_config.NumberColumn(format="%.1f"),
        f"NPV [{currency}]": money,
    },
)
st.caption(
    _(
        "Per year at {volume} functional unit(s) a year; costs in {currency}, discount rate "
        "{rate} % unless an option sets its own. Empty payback: never pays back. Sources of "
        "every effect and cost are in the library (and in the downloaded table).",
        volume=format_number(case.annual_volume),
        currency=currency,
        rate=f"{100 * float(table['discount_rate'][0]):.1f}",
    )
)
st.download_button(
    _("Download the evaluated interventions (.csv)"),
    data=casefiles.csv_download(ranked),
    file_name=f"interventions-{method}.csv",
    mime="text/csv",
    icon=":material/download:",
    on_click="ignore",
)

macc_tab, pareto_tab = st.tabs(
    [_("Marginal abatement cost curve"), _("Cost vs abatement (Pareto)")],
    key="intervention_charts",
    on_change="rerun",  # lazy: only the open chart is drawn
)
with macc_tab:
    if macc_tab.open and curve.height:
        st.plotly_chart(charts.macc(curve, currency), key="macc_chart")
        st.caption(
            _(
                "Bar width: abatement a year; height: cost per tonne abated. Bars below zero "
                "save money over their lifetime. Each option is shown on its own: options "
                "acting on the same flow do not add up (the portfolio below evaluates them "
                "together)."
            )
        )
    elif macc_tab.open:
        st.info(_("No option abates carbon in this case."))
with pareto_tab:
    if pareto_tab.open:
        st.plotly_chart(charts.pareto(ranked, currency), key="pareto_chart")
        st.caption(
            _(
                "Options on the front: no other option abates more for a lower annual cost. "
                "Annual cost is the equivalent annual cost of the capex plus the change of "
                "operating cost."
            )
        )

st.subheader(_("Portfolio under a budget"))
st.markdown(
    _(
        "The set of options with the most abatement whose capital cost fits the budget. Each "
        "set proposed is applied to the case as a combination and solved again, so overlapping "
        "options are not double counted."
    )
)
finite_capex = abating.filter(pl.col("capex").is_finite())["capex"]
default_budget = float(round(finite_capex.sum() / 4, -3)) if finite_capex.len() else 10_000.0
p1, p2 = st.columns(2)
budget = p1.number_input(
    _("Capital budget [{currency}]", currency=currency),
    min_value=0.0,
    value=max(default_budget, 1000.0),
    step=1000.0,
    format="%.0f",
    key="budget",
)
target = p2.number_input(
    _("Target abatement [t CO2-eq/yr] (optional, 0 = none)"),
    min_value=0.0,
    value=0.0,
    step=10.0,
    key="target",
)
plan = session.portfolio(budget, target or None)
st.session_state["choice_portfolio"] = (loaded.fingerprint, float(budget), target or None)
by_id = {row["id"]: row for row in table.iter_rows(named=True)}
qcols = st.columns(4)
qcols[0].metric(_("Options chosen"), len(plan.chosen), border=True)
qcols[1].metric(_("Capex"), _.money(plan.capex, currency), border=True)
qcols[2].metric(
    _("Abatement, evaluated together"),
    f"{format_number(plan.benefit)} t CO2-eq/yr",
    (
        _("{pct} % of the baseline", pct=f"{100 * plan.benefit / annual_t:.1f}")
        if annual_t > 0
        else None
    ),
    delta_color="off",
    delta_arrow="off",
    border=True,
)
qcols[3].metric(
    _("Sum of the options on their own"),
    f"{format_number(plan.additive_benefit)} t CO2-eq/yr",
    help=_("Larger than the combined value when options act on the same flows."),
    border=True,
)
if plan.chosen:
    chosen = pl.DataFrame(
        [
            {
                "intervention": by_id[i]["name"],
                "category": by_id[i]["category"],
                "abatement on its own [t CO2-eq/yr]": by_id[i]["abatement_t_year"],
                f"capex [{currency}]": round(by_id[i]["capex"]),
                f"MAC [{currency}/t CO2-eq]": round(by_id[i]["mac"]),
                "id": i,
            }
            for i in plan.chosen
        ]
    )
    st.dataframe(
        chosen,
        hide_index=True,
        key="portfolio_table",
        column_config={
            "abatement on its own [t CO2-eq/yr]": st.column_config.NumberColumn(format="%.4g"),
            f"capex [{currency}]": money,
            f"MAC [{currency}/t CO2-eq]": money,
        },
    )
else:
    st.info(_("Nothing fits this budget; raise it."))
notes = [_("Method: {method}.", method=plan.method)]
if plan.certified:
    notes.append(_("Proven best within the budget."))
elif plan.gap is not None and not math.isnan(plan.gap):
    notes.append(
        _("Within {pct} % of the best possible (additive bound).", pct=f"{100 * plan.gap:.1f}")
    )
if plan.target is not None:
    notes.append(_("Meets the target.") if plan.meets_target else _("Does not reach the target."))
st.caption(" ".join(notes))
