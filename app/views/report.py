"""Report: the client report with the consultant's choices, as pdf, html, xlsx and json."""

from __future__ import annotations

import streamlit as st
from scenat_app import casefiles, session

from scenat.report import REPORT_FORMATS, ReportChoices, report_bytes
from scenat.report.client import RANKINGS
from scenat.report.pdf import find_chromium

_ = session.translator()
session.page_header(
    _("Report"),
    _(
        "The client report: the results with the choices you made on the other pages (the "
        "ranking of interventions and its weights, the portfolio for your budget, the "
        "structural paths, the Monte Carlo run), the data coverage and the sources. As a PDF "
        "to send, one self-contained html file, a workbook with every table and its units, "
        "or the json document for scripts."
    ),
)

loaded = session.require_valid()
case = loaded.case
result = session.assessment(loaded)
session.indicator_cards(result)
state = st.session_state

st.subheader(_("What goes into the report"))
ranking, weights = state.get("choice_ranking", ("mac", None))
portfolio = state.get("choice_portfolio")
paths_choice = state.get("choice_paths", (15, 1e-3))
mc_stored = state.get("mc_result")
mc = mc_stored[1] if mc_stored and mc_stored[0] == loaded.fingerprint else None

left, right = st.columns(2, gap="large")
with left:
    include_interventions = st.checkbox(
        _("Interventions ranked by: {method}", method=_(RANKINGS[ranking])),
        value=True,
        key="report_interventions",
    )
    if weights:
        st.caption(
            _("Weights: {weights}", weights=", ".join(f"{k} {v:g}" for k, v in weights.items()))
        )
    has_plan = bool(portfolio and portfolio[0] == loaded.fingerprint)
    include_portfolio = st.checkbox(
        _("Portfolio for a budget of {budget}", budget=_.money(portfolio[1], case.currency))
        if has_plan
        else _("Portfolio (choose a budget on the Interventions page)"),
        value=has_plan,
        disabled=not has_plan,
        key="report_portfolio",
    )
with right:
    include_paths = st.checkbox(
        _("Top {n} structural paths per indicator", n=paths_choice[0]),
        value=True,
        key="report_paths",
    )
    include_mc = st.checkbox(
        _("Monte Carlo: {n} iterations", n=f"{mc.iterations:,}")
        if mc is not None
        else _("Monte Carlo (run it on the Hotspots page)"),
        value=mc is not None,
        disabled=mc is None,
        key="report_mc",
    )
    prepared_by = st.text_input(_("Prepared by"), value=session.user(), key="report_author")


def choices() -> ReportChoices:
    evaluated = session.interventions(loaded) if include_interventions else None
    plan = None
    if include_portfolio and has_plan and evaluated is not None:
        plan = session.portfolio(portfolio[1], portfolio[2])
    paths = {}
    if include_paths:
        top, cutoff = paths_choice
        paths = {
            i.id: session.paths(loaded.fingerprint, i.id, top, cutoff, result)
            for i in result.indicators
            if result.total(i.id) != 0
        }
    return ReportChoices(
        ranking=ranking,
        weights=weights,
        interventions=evaluated.table if evaluated is not None else None,
        portfolio=plan,
        target=portfolio[2] if plan is not None else None,
        paths=paths,
        monte_carlo=mc if include_mc else None,
        # the report itself is in English: no UI text in it
        version=f"{loaded.store_key}, version {loaded.version}" if loaded.store_key else None,
        prepared_by=prepared_by.strip() or None,
    )


def make(fmt: str) -> bytes:
    return report_bytes(result, fmt, choices=choices())


stem = casefiles.safe_name(loaded.store_key or case.name).replace(".", "_").lower() or "case"
if loaded.version:
    stem += f"-v{loaded.version}"
pdf_col, html_col, xlsx_col, json_col = st.columns(4)
with pdf_col:
    st.markdown("**" + _("Report (.pdf)") + "**")
    st.caption(_("Printed from the html report by the machine's Chromium; charts included."))
    st.download_button(
        _("Download pdf"),
        data=lambda: make("pdf"),
        file_name=f"{stem}-report.pdf",
        mime=REPORT_FORMATS[".pdf"],
        icon=":material/picture_as_pdf:",
        on_click="ignore",
        key="download_pdf",
        type="primary",
        disabled=find_chromium() is None,
        help=None if find_chromium() else _("No Chromium on the server: download the html."),
    )
with html_col:
    st.markdown("**" + _("Report (.html)") + "**")
    st.caption(_("One self-contained file with interactive charts; opens offline."))
    st.download_button(
        _("Download html"),
        data=lambda: make("html"),
        file_name=f"{stem}-report.html",
        mime=REPORT_FORMATS[".html"],
        icon=":material/description:",
        on_click="ignore",
        key="download_html",
        type="primary",
    )
with xlsx_col:
    st.markdown("**" + _("Workbook (.xlsx)") + "**")
    st.caption(_("Case metadata, every breakdown with its unit, interventions, paths, sources."))
    st.download_button(
        _("Download xlsx"),
        data=lambda: make("xlsx"),
        file_name=f"{stem}-report.xlsx",
        mime=REPORT_FORMATS[".xlsx"],
        icon=":material/table_view:",
        on_click="ignore",
        key="download_xlsx",
        type="primary",
    )
with json_col:
    st.markdown("**" + _("Data (.json)") + "**")
    st.caption(_("Everything above as one json document."))
    st.download_button(
        _("Download json"),
        data=lambda: make("json"),
        file_name=f"{stem}-report.json",
        mime=REPORT_FORMATS[".json"],
        icon=":material/data_object:",
        on_click="ignore",
        key="download_json",
        type="primary",
    )

with st.expander(_("What the report says about the data")):
    st.markdown(
        f"- {_('Case')} **{case.name}**; {_('Functional unit')}: "
        f"{case.functional_unit or _('(not given)')}\n"
        f"- {_('Background: embedded scenat inventory')} `{result.inventory_version}`\n"
        + "".join(
            f"- {_(ind.label)}: {' | '.join(ind.method)} ({ind.unit})\n"
            for ind in result.indicators
        )
    )
    if result.warnings:
        st.warning("\n".join(f"- {p}" for p in result.warnings))
