"""Case: pick a shipped example or upload a workbook; every problem as a table."""

from __future__ import annotations

import streamlit as st
from scenat_app import casefiles, session

from scenat.report.charts import format_number
from scenat.report.markdown import literal

session.page_header(
    "Case",
    "Choose the supply chain to assess: a shipped example, or a case workbook filled in by "
    "your partners. Every problem in a workbook is listed with its sheet, row and column; "
    "nothing is assessed until the case is valid.",
)

loaded = session.current()
SOURCES = ("Shipped example", "Upload a workbook")

left, right = st.columns([3, 2], gap="large")
with left:
    source = st.radio(
        "Source",
        SOURCES,
        index=0 if loaded.source == "example" else 1,
        horizontal=True,
        key="case_source",
    )
    if source == SOURCES[0]:
        examples = casefiles.examples()
        names = [e["name"] for e in examples]
        titles = {e["name"]: e["title"] for e in examples}
        index = names.index(loaded.example) if loaded.example in names else 0
        name = st.selectbox(
            "Example",
            names,
            index=index,
            format_func=lambda n: f"{titles[n]} ({n})",
            key="example_choice",
        )
        if loaded.source != "example" or loaded.example != name:
            st.query_params["example"] = name
            st.session_state["_example_param"] = name
            session.set_current(session.load_example(name))
    else:
        upload = st.file_uploader(
            "Case workbook (.xlsx) or a .zip of the CSV sheets",
            type=list(casefiles.UPLOAD_TYPES),
            key="case_upload",
            help="Sheets case, nodes, flows (and optionally interventions), as in the template.",
        )
        if upload is not None:
            data = upload.getvalue()
            candidate = casefiles.load_upload(upload.name, data)
            if candidate.fingerprint != loaded.fingerprint or loaded.source != "upload":
                st.query_params.pop("example", None)
                session.set_current(candidate)
        elif loaded.source != "upload":
            st.info("Drop a workbook above; the current case stays loaded until you do.")
with right:
    st.markdown("**Blank template**")
    st.caption(
        "An Excel workbook with the sheets case, nodes, flows and interventions, a note on "
        "every column, drop-downs and one valid example row."
    )
    st.download_button(
        "Download the blank template (.xlsx)",
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
            f"{len(errors)} error(s) and {len(warnings)} warning(s) in this case. Fix the "
            "errors in the workbook and upload it again; nothing is assessed until then.",
            icon=":material/error:",
        )
    else:
        st.warning(
            f"The case is valid, with {len(warnings)} warning(s) worth a look.",
            icon=":material/warning:",
        )
    table = casefiles.problems_table(loaded.problems)
    st.dataframe(
        table,
        hide_index=True,
        key="problems_table",
        column_config={
            "severity": st.column_config.TextColumn("severity", width="small"),
            "row": st.column_config.NumberColumn("row", format="%d", width="small"),
            "message": st.column_config.TextColumn("problem", width="large"),
            "hint": st.column_config.TextColumn("hint", width="large"),
        },
    )
    st.download_button(
        "Download the problems (.xlsx)",
        data=casefiles.problems_xlsx(loaded.problems),
        file_name=f"{casefiles.safe_name(loaded.label)}-problems.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        on_click="ignore",
    )
else:
    st.success("The case is valid: no problems found.", icon=":material/check_circle:")

if not loaded.valid:
    st.stop()

case = loaded.case
reference = case.nodes[case.reference_node]
if case.description:
    st.markdown(literal(case.description))  # a partner's text, shown as text
cols = st.columns(4)
cols[0].metric("Nodes", len(case.nodes), border=True)
cols[1].metric("Tiers", len({n.tier for n in case.nodes.values()}), border=True)
cols[2].metric("Flows", len(case.flows), border=True)
cols[3].metric(
    "Annual volume",
    format_number(case.annual_volume),
    help="Reference flows a year: turns per-unit savings into per-year savings.",
    border=True,
)
st.markdown(
    f"**Functional unit:** {literal(case.functional_unit or '(not given)')}  \n"
    f"**Reference flow:** {format_number(case.reference_amount)} "
    f"{literal(reference.output_unit)} of {literal(reference.name)} · **Currency:** "
    f"{case.currency}"
    + (f" · **Year:** {case.year}" if case.year else "")
    + (f" · **Region:** {literal(case.region)}" if case.region else "")
)

st.subheader("Headline results per functional unit")
result = session.assessment(loaded)
session.indicator_cards(result)
st.caption(
    f"Background: embedded scenat inventory {result.inventory_version}. Next: see the network "
    "on **Supply chain**, where the burden sits on **Hotspots**, and what to do about it on "
    "**Interventions**."
)
links = st.columns(3)
links[0].page_link("views/supply_chain.py", label="Supply chain", icon=":material/account_tree:")
links[1].page_link("views/hotspots.py", label="Hotspots", icon=":material/local_fire_department:")
links[2].page_link("views/interventions.py", label="Interventions", icon=":material/trending_down:")
