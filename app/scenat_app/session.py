"""Streamlit glue shared by the pages: the current case, cached results, page furniture.

Heavy objects (the assessment with its factorised linked system, the evaluated intervention
table with its fast re-solver) live in ``st.cache_resource`` keyed by the case fingerprint,
so moving between pages, or two consultants looking at the same case, never recomputes
them. Derived tables go through ``st.cache_data``.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from typing import Any

import polars as pl
import streamlit as st

from scenat.errors import InputError, ScenatError
from scenat.report.charts import format_number, format_quantity, indicator_colour
from scenat.report.markdown import literal
from scenat_app import casefiles
from scenat_app.casefiles import LoadedCase

CASE_KEY = "scenat_case"
INDICATOR_KEY = "indicator"
CASE_PAGE = "views/case.py"
log = logging.getLogger("scenat.app")

__all__ = ["format_number", "format_quantity"]


# --------------------------------------------------------------------------- the case


@st.cache_resource(show_spinner="Reading the example case…", max_entries=32)
def _example(name: str, fingerprint: str) -> LoadedCase:
    return casefiles.load_example(name)


def load_example(name: str) -> LoadedCase:
    entry = next(e for e in casefiles.examples() if e["name"] == name)
    return _example(name, casefiles.fingerprint_path(entry["path"]))


def current() -> LoadedCase:
    """The case every page works on (the first shipped example until the user picks one).

    ``?example=NAME`` in the address opens that shipped example (a link to share).
    """
    wanted = st.query_params.get("example")
    if wanted and wanted != st.session_state.get("_example_param"):
        st.session_state["_example_param"] = wanted
        if wanted in [e["name"] for e in casefiles.examples()]:
            st.session_state[CASE_KEY] = load_example(wanted)
        else:
            st.toast(f"No shipped example called {wanted!r}.", icon=":material/warning:")
    loaded = st.session_state.get(CASE_KEY)
    if loaded is None:
        loaded = load_example(casefiles.examples()[0]["name"])
        st.session_state[CASE_KEY] = loaded
    return loaded


def set_current(loaded: LoadedCase) -> None:
    """Make ``loaded`` the current case; reruns so the sidebar shows it at once."""
    previous = st.session_state.get(CASE_KEY)
    st.session_state[CASE_KEY] = loaded
    if previous is None or previous.fingerprint != loaded.fingerprint:
        st.session_state.pop("mc_result", None)
        st.rerun()


def require_valid() -> LoadedCase:
    """The current case if it can be assessed; otherwise say why and stop the page."""
    loaded = current()
    if not loaded.valid:
        st.warning(
            f"**{loaded.label}** has {len(loaded.errors)} problem(s) to fix before it can be "
            "assessed. The Case page lists each with its sheet, row and column.",
            icon=":material/error:",
        )
        st.page_link(CASE_PAGE, label="Open the Case page", icon=":material/folder_open:")
        st.stop()
    return loaded


# --------------------------------------------------------------------------- results


@st.cache_resource(
    show_spinner="Assessing the supply chain on the embedded background…", max_entries=16
)
def _assessment(fingerprint: str, _case: Any) -> Any:
    import scenat

    return scenat.assess(_case)


def assessment(loaded: LoadedCase | None = None) -> Any:
    """The :class:`scenat.Assessment` of the current (valid) case, cached per case."""
    loaded = loaded or require_valid()
    return _assessment(loaded.fingerprint, loaded.case)


@dataclass
class Evaluated:
    options: list[Any]
    table: pl.DataFrame
    resolver: Any


@st.cache_resource(show_spinner="Evaluating every applicable intervention…", max_entries=16)
def _interventions(fingerprint: str, _case: Any, _result: Any) -> Evaluated:
    from scenat import interventions
    from scenat.assessment import ForegroundResolver

    options = interventions.collect(_case)
    resolver = ForegroundResolver(_case, linked=_result.linked)
    table = interventions.evaluate(_case, options, solve=resolver)
    return Evaluated(options, table, resolver)


def interventions(loaded: LoadedCase | None = None) -> Evaluated:
    """Every applicable intervention of the current case with its KPIs (cached per case)."""
    loaded = loaded or require_valid()
    return _interventions(loaded.fingerprint, loaded.case, assessment(loaded))


@st.cache_data(show_spinner="Searching the best portfolio within the budget…", max_entries=64)
def _portfolio(fingerprint: str, budget: float, target: float | None, _evaluated, _case) -> Any:
    from scenat.interventions import plan_portfolio

    return plan_portfolio(
        _case,
        budget,
        _evaluated.options,
        target=target,
        table=_evaluated.table,
        solve=_evaluated.resolver,
    )


def portfolio(budget: float, target: float | None = None) -> Any:
    loaded = require_valid()
    return _portfolio(loaded.fingerprint, float(budget), target, interventions(loaded), loaded.case)


@st.cache_data(show_spinner=False, max_entries=64)
def edges(fingerprint: str, expand_background: bool, _result: Any) -> pl.DataFrame:
    return _result.edges(expand_background=expand_background)


@st.cache_data(show_spinner=False, max_entries=32)
def nodes(fingerprint: str, _result: Any) -> pl.DataFrame:

    return _result.supply_chain_nodes()


@st.cache_data(show_spinner="Searching structural paths…", max_entries=64)
def paths(fingerprint: str, indicator_id: str, top: int, cutoff: float, _result: Any) -> Any:
    return _result.paths(indicator_id, top=top, cutoff=cutoff)


@st.cache_data(show_spinner=False, max_entries=64)
def carbon_vs_resources(fingerprint: str, by: str, top: int, _result: Any) -> pl.DataFrame:
    from scenat.assessment.hotspots import carbon_vs_resources as compare

    return compare(_result, by=by, top=top)


# --------------------------------------------------------------------------- indicator


def indicators() -> list[Any]:
    from scenat.model.indicators import default_indicators

    return default_indicators()


def selected_indicator() -> Any:
    chosen = st.session_state.get(INDICATOR_KEY) or indicators()[0].id
    return next((i for i in indicators() if i.id == chosen), indicators()[0])


# --------------------------------------------------------------------------- furniture


def page_header(title: str, intro: str) -> None:
    st.title(title)
    st.markdown(f"<span style='color:#5b6472'>{intro}</span>", unsafe_allow_html=True)


def sidebar() -> None:
    """Current case and indicator, on every page."""
    loaded = current()
    with st.sidebar:
        st.markdown("#### Current case")
        st.markdown(f"**{literal(loaded.label)}**")
        source = "shipped example" if loaded.source == "example" else "uploaded workbook"
        if loaded.valid:
            case = loaded.case
            st.caption(
                f"{source} · {len(case.nodes)} nodes · {len(case.flows)} flows"
                + (
                    f"  \nFunctional unit: {literal(case.functional_unit)}"
                    if case.functional_unit
                    else ""
                )
            )
            if loaded.warnings:
                st.caption(f":orange[{len(loaded.warnings)} warning(s), see the Case page]")
        else:
            st.caption(f"{source} · :red[{len(loaded.errors)} problem(s): not assessed]")
        st.markdown("#### Indicator")
        options = indicators()
        labels = {i.id: i.label for i in options}
        st.selectbox(
            "Indicator",
            [i.id for i in options],
            format_func=labels.get,
            key=INDICATOR_KEY,
            label_visibility="collapsed",
            help="The indicator the Supply chain and Hotspots pages show.",
        )
        ind = selected_indicator()
        st.markdown(
            f"<span style='border-left:4px solid {indicator_colour(ind.id)};padding-left:6px'>"
            f"unit: <b>{ind.unit}</b></span>",
            unsafe_allow_html=True,
        )
        st.caption(" | ".join(ind.method))
        import scenat

        st.caption(f"scenat {scenat.__version__} · Brightway · offline")


def show_error(err: BaseException) -> None:
    """An error as a message on the page, never a stack trace (which goes to the log)."""
    if isinstance(err, InputError):
        st.error(
            "The input has problems:\n\n" + "\n".join(f"- {literal(p)}" for p in err.problems),
            icon=":material/error:",
        )
    elif isinstance(err, ScenatError | ValueError):
        st.error(literal(err), icon=":material/error:")
    else:
        log.error("internal error in the app:\n%s", traceback.format_exc())
        st.error(
            f"Something went wrong inside scenat ({type(err).__name__}: {err}). The details "
            "are in the server log; please report it with the case that caused it.",
            icon=":material/error:",
        )


def indicator_cards(result: Any, per_row: int = 2) -> None:
    """One metric card per indicator: the total per functional unit with its unit."""
    for start in range(0, len(result.indicators), per_row):
        columns = st.columns(per_row)
        for column, ind in zip(columns, result.indicators[start : start + per_row]):
            column.metric(
                ind.label,
                format_quantity(result.total(ind.id), ind.unit),
                help="Per functional unit. Method: " + " | ".join(ind.method),
                border=True,
            )


