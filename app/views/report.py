"""Report: the client report with the consultant's choices, as pdf, html, xlsx and json."""

from __future__ import annotations

import streamlit as st
from scenat_app import casefiles, session

from scenat.report import REPORT_FORMATS, ReportChoices, report_bytes
from scenat.report.client import RANKINGS
from scenat.report.markdown import literal
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
no_pdf = find_chromium() is None
FORMATS = [
    (
        "pdf",
        _("Report (.pdf)"),
        _("Printed from the html report by the machine's Chromium; charts included."),
        _("Download pdf"),
        ":material/picture_as_pdf:",
    ),
    (
        "html",
        _("Report (.html)"),
        _("One self-contained file with interactive charts; opens offline."),
        _("Download html"),
        ":material/description:",
    ),
    (
        "xlsx",
        _("Workbook (.xlsx)"),
        _("Case metadata, every breakdown with its unit, interventions, paths, sources."),
        _("Download xlsx"),
        ":material/table_view:",
    ),
    (
        "json",
        _("Data (.json)"),
        _("Everything above as one json document."),
        _("Download json"),
        ":material/data_object:",
    ),
]
for column, (fmt, title, caption, label, icon) in zip(st.columns(len(FORMATS)), FORMATS):
    with column:
        st.markdown(f"**{title}**")
        st.caption(caption)
        st.download_button(
            label,
            data=lambda fmt=fmt: make(fmt),
            file_name=f"{stem}-report.{fmt}",
            mime=REPORT_FORMATS[f".{fmt}"],
            icon=icon,
            on_click="ignore",
            key=f"download_{fmt}",
            type="primary",
            disabled=fmt == "pdf" and no_pdf,
            help=_("No Chromium on the server: download the html.")
            if fmt == "pdf" and no_pdf
            else None,
        )

with st.expander(_("What the report says about the data")):
    st.markdown(
        f"- {_('Case')} **{literal(case.name)}**; {_('Functional unit')}: "
        f"{literal(case.functional_unit) if case.functional_unit else _('(not given)')}\n"
        f"- {_('Background: embedded scenat inventory')} `{result.inventory_version}`\n"
        + "".join(
            f"- {_(ind.label)}: {' | '.join(ind.method)} ({ind.unit})\n"
            for ind in result.indicators
        )
    )
    if result.warnings:
        st.warning("\n".join(f"- {literal(p)}" for p in result.warnings))
