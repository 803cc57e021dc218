"""Report: the assessment as xlsx, html (self-contained, charts included) and json."""

from __future__ import annotations

import streamlit as st
from scenat_app import casefiles, session

from scenat.report import assessment as report
from scenat.report.markdown import literal

session.page_header(
    "Report",
    "Take the assessment away: a workbook with every breakdown, a self-contained html report "
    "with its charts (opens offline, send it as one file), or the json document the command "
    "line prints for scripts.",
)

loaded = session.require_valid()
case = loaded.case
result = session.assessment(loaded)

session.indicator_cards(result)

stem = casefiles.safe_name(case.name).replace(".", "_").lower() or "case"
include = st.checkbox(
    "Include the interventions (MACC and ranked table) in the html report",
    value=True,
    key="report_interventions",
)


def html_bytes() -> bytes:
    options = session.interventions(loaded).table if include else None
    return report.report_bytes(result, "html", interventions=options)


xlsx_col, html_col, json_col = st.columns(3)
with xlsx_col:
    st.markdown("**Workbook (.xlsx)**")
    st.caption("Totals, then one sheet per indicator and breakdown, every item listed.")
    st.download_button(
        "Download xlsx",
        data=lambda: report.report_bytes(result, "xlsx"),
        file_name=f"{stem}-assessment.xlsx",
        mime=report.REPORT_FORMATS[".xlsx"],
        icon=":material/table_view:",
        on_click="ignore",
        key="download_xlsx",
        type="primary",
    )
with html_col:
    st.markdown("**Report (.html)**")
    st.caption("Totals, hotspot charts with the 80 % line, the supply-chain Sankey, the MACC.")
    st.download_button(
        "Download html",
        data=html_bytes,
        file_name=f"{stem}-report.html",
        mime=report.REPORT_FORMATS[".html"],
        icon=":material/description:",
        on_click="ignore",
        key="download_html",
        type="primary",
    )
with json_col:
    st.markdown("**Data (.json)**")
    st.caption("The `scenat assess --json` document: totals, methods and every breakdown.")
    st.download_button(
        "Download json",
        data=lambda: report.report_bytes(result, "json"),
        file_name=f"{stem}-assessment.json",
        mime=report.REPORT_FORMATS[".json"],
        icon=":material/data_object:",
        on_click="ignore",
        key="download_json",
        type="primary",
    )

with st.expander("What the report says about the data"):
    st.markdown(
        f"- Case **{literal(case.name)}**; functional unit: "
        f"{literal(case.functional_unit or '(not given)')}\n"
        f"- Background: embedded scenat inventory `{result.inventory_version}`\n"
        + "".join(
            f"- {ind.label}: {' | '.join(ind.method)} ({ind.unit})\n" for ind in result.indicators
        )
    )
    if result.warnings:
        st.warning("\n".join(f"- {literal(p)}" for p in result.warnings))
