"""Case: open a shipped example or variant, a stored case, or upload a workbook."""

from __future__ import annotations

import streamlit as st
from scenat_app import casefiles, session

from scenat.model.currency import currency_label
from scenat.report.markdown import literal

_ = session.translator()
session.page_header(
    _("Case"),
    _(
        "Choose the supply chain to assess: a shipped example, a case kept in the store, or a "
        "case workbook filled in by your partners. Every problem in a workbook is listed with "
        "its sheet, row and column; nothing is assessed until the case is valid."
    ),
)

loaded = session.current()
store = session.store()
SOURCES = {
    "example": _("Shipped example"),
    "store": _("Stored case"),
    "upload": _("Upload a workbook"),
}
shipped = casefiles.example_cases()
shipped_keys = [e["key"] for e in shipped]
default_source = "example" if loaded.store_key in shipped_keys else "store"
if loaded.source == "upload":
    default_source = "upload"

left, right = st.columns([3, 2], gap="large")
with left:
    source = st.radio(
        _("Source"),
        list(SOURCES),
        index=list(SOURCES).index(default_source),
        format_func=SOURCES.get,
        horizontal=True,
        key="case_source",
    )
    if source == "example":
        titles = {e["key"]: e["title"] for e in shipped}
        index = shipped_keys.index(loaded.store_key) if loaded.store_key in shipped_keys else 0
        name = st.selectbox(
            _("Example"),
            shipped_keys,
            index=index,
            format_func=lambda k: f"{titles[k]} ({k})",
            key="example_choice",
            help=_("Every shipped case, variants included; each opens by name: ?case=car_ice"),
        )
        if loaded.store_key != name:
            session.set_current(session.open_case(name))
    elif source == "store":
        keys = store.case_keys()
        if not keys:
            st.info(_("The store holds no case yet."))
        else:
            index = keys.index(loaded.store_key) if loaded.store_key in keys else 0
            key = st.selectbox(_("Stored case"), keys, index=index, key="stored_choice")
            versions = store.history(key)
            numbers = [v.number for v in reversed(versions)]
            current_number = loaded.version if loaded.store_key == key else numbers[0]
            number = st.selectbox(
                _("Version"),
                numbers,
                index=numbers.index(current_number) if current_number in numbers else 0,
                format_func=lambda n: _("version {n}", n=n),
                key="stored_version_choice",
            )
            if loaded.store_key != key or loaded.version != number:
                session.set_current(session.open_case(key, number))
    else:
        upload = st.file_uploader(
            _("Case workbook (.xlsx) or a .zip of the CSV sheets"),
            type=list(casefiles.UPLOAD_TYPES),
            key="case_upload",
            help=_("Sheets case, nodes, flows (and optionally interventions), as in the template."),
        )
        if upload is not None:
            data = upload.getvalue()
            candidate = casefiles.load_upload(upload.name, data)
            if st.session_state.get("_upload_done") != candidate.fingerprint:
                st.session_state["_upload_done"] = candidate.fingerprint
                if candidate.valid:
                    # Kept in the store at once, so a refresh or a link opens it again.
                    key = casefiles.upload_key(upload.name)
                    version = store.import_case(
                        key, candidate.case, session.user(), f"uploaded {candidate.label}"
                    )
                    session.set_current(session.open_case(key, version.number))
                else:
                    session.set_current(candidate)
        elif loaded.source != "upload":
            st.info(_("Drop a workbook above; the current case stays loaded until you do."))
with right:
    st.markdown("**" + _("Blank template") + "**")
    st.caption(
        _(
            "An Excel workbook with the sheets case, nodes, flows and interventions, a note on "
            "every column, drop-downs and one valid example row."
        )
    )
    st.download_button(
        _("Download the blank template (.xlsx)"),
        data=casefiles.template_bytes,
        file_name="scenat-case-template.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        on_click="ignore",
    )

loaded = session.current()
st.divider()
st.subheader(loaded.label)

if loaded.problems:
    errors, warnings = loaded.errors, loaded.warnings
    if errors:
        st.error(
            _(
                "{e} error(s) and {w} warning(s) in this case. Fix the errors in the workbook "
                "and upload it again; nothing is assessed until then.",
                e=len(errors),
                w=len(warnings),
            ),
            icon=":material/error:",
        )
    else:
        st.warning(
            _("The case is valid, with {w} warning(s) worth a look.", w=len(warnings)),
            icon=":material/warning:",
        )
    table = casefiles.problems_table(loaded.problems)
    st.dataframe(
        table,
        hide_index=True,
        key="problems_table",
        column_config={
            "severity": st.column_config.TextColumn(_("severity"), width="small"),
            "row": st.column_config.NumberColumn(_("row"), format="%d", width="small"),
            "message": st.column_config.TextColumn(_("problem"), width="large"),
            "hint": st.column_config.TextColumn(_("hint"), width="large"),
        },
    )
    st.download_button(
        _("Download the problems (.xlsx)"),
        data=casefiles.problems_xlsx(loaded.problems),
        file_name=f"{casefiles.safe_name(loaded.label)}-problems.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        on_click="ignore",
    )
else:
    st.success(_("The case is valid: no problems found."), icon=":material/check_circle:")

if not loaded.valid:
    st.stop()

case = loaded.case
reference = case.nodes[case.reference_node]
if case.description:
    st.markdown(literal(case.description))  # a partner's text, shown as text
cols = st.columns(4)
cols[0].metric(_("Nodes"), len(case.nodes), border=True)
cols[1].metric(_("Tiers"), len({n.tier for n in case.nodes.values()}), border=True)
cols[2].metric(_("Flows"), len(case.flows), border=True)
cols[3].metric(
    _("Annual volume"),
    _.number(case.annual_volume),
    help=_("Reference flows a year: turns per-unit savings into per-year savings."),
    border=True,
)
unit_text = literal(case.functional_unit) if case.functional_unit else _("(not given)")
details = [
    f"**{_('Functional unit')}:** {unit_text}",
    f"**{_('Reference flow')}:** {_.number(case.reference_amount)} "
    f"{literal(reference.output_unit)} · {literal(reference.name)}",
    f"**{_('Currency')}:** {currency_label(case.currency)}",
]
if case.year:
    details.append(f"**{_('Year')}:** {case.year}")
if case.region:
    details.append(f"**{_('Region')}:** {literal(case.region)}")
places = sorted({n.location for n in case.nodes.values() if n.location})
if places:
    details.append(f"**{_('Locations')}:** {literal(', '.join(places))}")
st.markdown("  \n".join(details))

st.subheader(_("Headline results per functional unit"))
result = session.assessment(loaded)
session.indicator_cards(result)
circular = result.circularity
if circular is not None:
    st.subheader(_("Circularity"))
    cols = st.columns(3)
    cols[0].metric(_("Recycled content"), _.number(100 * circular.recycled_content) + " %",
                   border=True)  # fmt: skip
    cols[1].metric(_("End-of-life recycling rate"),
                   _.number(100 * circular.eol_recycling_rate) + " %", border=True)  # fmt: skip
    cols[2].metric(_("Material Circularity Indicator"), _.number(circular.mci, 3), border=True)
    units = {i.id: i.unit for i in result.indicators}
    st.caption(
        _("Module D (EN 15804, beside the total, not in it): {values}",
          values="; ".join(f"{_.quantity(v, units.get(k, ''))} ({k})"
                           for k, v in circular.module_d.items()))
    )  # fmt: skip
    if circular.not_credited:
        st.caption(
            _("Not credited (no recycling process given): {flows}",
              flows=literal(", ".join(circular.not_credited)))
        )  # fmt: skip
    st.dataframe(circular.materials.to_pandas(), hide_index=True)

st.caption(
    _(
        "Background: embedded scenat inventory {version}. Next: change the model on **Edit**, "
        "see the network on **Supply chain**, where the burden sits on **Hotspots**, and what "
        "to do about it on **Interventions**.",
        version=result.inventory_version,
    )
)
links = st.columns(4)
links[0].page_link("views/edit.py", label=_("Edit"), icon=":material/edit:")
links[1].page_link("views/supply_chain.py", label=_("Supply chain"), icon=":material/account_tree:")
links[2].page_link(
    "views/hotspots.py", label=_("Hotspots"), icon=":material/local_fire_department:"
)
links[3].page_link(
    "views/interventions.py", label=_("Interventions"), icon=":material/trending_down:"
)
