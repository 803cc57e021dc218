"""Compare: any two cases, versions or variants side by side (totals, hotspots, per-node
differences, and P(A < B) with shared draws when something is uncertain)."""

from __future__ import annotations

import polars as pl
import streamlit as st
from scenat_app import casefiles, session

from scenat.assessment import compare_hotspots, compare_totals
from scenat.report import charts
from scenat.report.markdown import literal

_ = session.translator()
session.page_header(
    _("Compare"),
    _(
        "Two cases side by side: two variants of a design (an ICE and a battery car, a stadium "
        "before and after its retrofit), two versions of one case, or two different cases. "
        "B - A is shown for every total and every hotspot."
    ),
)

loaded = session.require_valid()
store = session.store()
shipped = casefiles.example_cases()
keys = list(dict.fromkeys([*store.case_keys(), *(e["key"] for e in shipped)]))


def sibling(key: str) -> str:
    """The default B: another variant of the same example, else another shipped case."""
    entry = casefiles.example_case(key)
    if entry is not None:
        for other in shipped:
            if other["example"] == entry["example"] and other["key"] != key:
                return other["key"]
    return next((k for k in keys if k != key), key)


def chooser(side: str, default_key: str, default_version: int | None) -> tuple[str, int | None]:
    left, right = st.columns([3, 1.2])
    key = left.selectbox(
        _("Case {side}", side=side),
        keys,
        index=keys.index(default_key) if default_key in keys else 0,
        key=f"cmp_{side}_case",
    )
    numbers = [v.number for v in reversed(store.history(key))] if store.has_case(key) else []
    if not numbers:
        right.caption(_("imported when compared"))
        return key, None
    default = default_version if default_version in numbers else numbers[0]
    number = right.selectbox(
        _("Version"),
        numbers,
        index=numbers.index(default),
        format_func=lambda n: _("version {n}", n=n),
        key=f"cmp_{side}_version_{key}",
    )
    return key, number


col_a, col_b = st.columns(2, gap="large")
with col_a:
    key_a, version_a = chooser("A", loaded.store_key or keys[0], loaded.version)
with col_b:
    key_b, version_b = chooser("B", sibling(key_a), None)

case_a = session.open_case(key_a, version_a)
case_b = session.open_case(key_b, version_b)
for side, opened in (("A", case_a), ("B", case_b)):
    if not opened.valid:
        st.error(_("{side} cannot be assessed: {label}", side=side, label=opened.label))
        st.stop()
a = session.assessment(case_a)
b = session.assessment(case_b)
st.markdown(f"**A** · {literal(case_a.label)}  \n**B** · {literal(case_b.label)}")

st.subheader(_("Totals per functional unit"))
totals = compare_totals(a, b)
cols = st.columns(max(1, totals.height))
for column, row in zip(cols, totals.iter_rows(named=True)):
    ind = a.indicator(row["indicator"])
    relative = row["relative"]
    column.metric(
        _(ind.label),
        _.quantity(row["b"], ind.unit),
        (
            _(
                "{change} ({pct} % against A)",
                change=_.number(row["difference"]),
                pct=_.number(100 * relative, 3),
            )
            if relative is not None and row["difference"]
            else None
        ),
        delta_color="inverse",
        help=_("A: {a}", a=_.quantity(row["a"], ind.unit)),
        border=True,
    )
if a.case.functional_unit != b.case.functional_unit:
    st.warning(
        _(
            "The functional units differ (A: {a}; B: {b}): compare per functional unit only "
            "when they describe the same service.",
            a=literal(a.case.functional_unit or "–"),
            b=literal(b.case.functional_unit or "–"),
        ),
        icon=":material/warning:",
    )
st.dataframe(
    totals.with_columns(
        pl.col("indicator")
        .map_elements(lambda i: _(a.indicator(i).label), pl.String)
        .alias("label"),
        (pl.col("relative") * 100).alias("change [%]"),
    ).select("label", "unit", "a", "b", "difference", "change [%]"),
    hide_index=True,
    key="cmp_totals",
    column_config={
        c: st.column_config.NumberColumn(format="%.4g") for c in ("a", "b", "difference")
    }
    | {"change [%]": st.column_config.NumberColumn(format="%+.2f")},
)

ind = session.selected_indicator()
st.subheader(_("Hotspots: {indicator} [{unit}]", indicator=_(ind.label), unit=ind.unit))
BY = {
    "node": _("By node"),
    "stage": _("By stage"),
    "tier": _("By tier"),
    "process": _("By process"),
    "data_source": _("By data source"),
}
by = st.segmented_control(
    _("Compare by"), list(BY), format_func=BY.get, default="node", key="cmp_by", required=True
)
table = compare_hotspots(a, b, ind.id, by or "node")
if table.filter(pl.col("difference") != 0).height:
    st.plotly_chart(charts.difference_bars(table, ind.unit), key="cmp_chart")
else:
    st.info(_("No item differs between A and B for this indicator."))
st.dataframe(
    table,
    hide_index=True,
    key="cmp_hotspots",
    column_config={
        c: st.column_config.NumberColumn(format="%.4g") for c in ("a", "b", "difference")
    },
)

st.subheader(_("Which is lower under uncertainty?"))
uncertain_a = sum(f.uncertainty is not None for f in a.case.flows)
uncertain_b = sum(f.uncertainty is not None for f in b.case.flows)
sample_background = st.toggle(
    _("Sample the background's distributions"), value=True, key="cmp_background"
)
lower = a.total(ind.id) < b.total(ind.id)
if not (uncertain_a or uncertain_b or sample_background):
    st.info(
        _(
            "Nothing in either case is uncertain with the background fixed (no flow carries "
            "a distribution), so there is no Monte Carlo to run: A is {verdict} than B for "
            "certain.",
            verdict=_("lower") if lower else _("not lower"),
        ),
        icon=":material/info:",
    )
else:
    st.caption(
        _(
            "Both cases are sampled with the same random draws for the flows and background "
            "exchanges they share, so the difference is not blurred by independent noise. "
            "A: {na} uncertain flows, B: {nb}{background}.",
            na=uncertain_a,
            nb=uncertain_b,
            background=_("; background sampled") if sample_background else "",
        )
    )
    with st.form("cmp_mc", border=False):
        c1, c2, c3 = st.columns([2, 2, 1])
        iterations = c1.number_input(
            _("Iterations"), min_value=100, max_value=100_000, value=1000, step=100
        )
        seed = c2.number_input(_("Seed"), min_value=0, value=42, step=1)
        c3.write("")
        run = c3.form_submit_button(_("Run"), type="primary", icon=":material/casino:")
    if run:
        from scenat.uncertainty import probability_lower

        with st.spinner(_("Sampling both cases…")):
            found = probability_lower(
                a.case, b.case, int(iterations), int(seed), background=sample_background
            )
        st.session_state["cmp_probability"] = (
            case_a.fingerprint,
            case_b.fingerprint,
            sample_background,
            found,
        )
    stored = st.session_state.get("cmp_probability")
    if stored and stored[:3] == (case_a.fingerprint, case_b.fingerprint, sample_background):
        found = stored[3]
        row = found.filter(pl.col("indicator") == ind.id)
        if row.height and not row["anything_uncertain"][0]:
            st.info(
                _(
                    "No uncertain inputs: the interval is a point, and A is {verdict} than B "
                    "for certain.",
                    verdict=_("lower") if lower else _("not lower"),
                ),
                icon=":material/info:",
            )
        elif row.height:
            st.metric(
                _("P(A < B) for {indicator}", indicator=_(ind.label)),
                f"{100 * row['probability_a_lower'][0]:.1f} %",
                border=True,
            )
        st.dataframe(found, hide_index=True, key="cmp_probability_table")
