"""Streamlit glue shared by the pages: the current case, cached results, page furniture.

Heavy objects (the assessment with its factorised linked system, the evaluated intervention
table with its fast re-solver) live in ``st.cache_resource`` keyed by the case fingerprint,
so moving between pages, or two consultants looking at the same case, never recomputes
them. Derived tables go through ``st.cache_data``.
"""

from __future__ import annotations

import getpass
import logging
import traceback
from dataclasses import dataclass
from typing import Any

import polars as pl
import streamlit as st

from scenat.errors import InputError, Problem, ScenatError
from scenat.report.charts import format_number, format_quantity, indicator_colour
from scenat.report.markdown import literal
from scenat.store import Store, default_url
from scenat_app import casefiles, i18n
from scenat_app.casefiles import LoadedCase

CASE_KEY = "scenat_case"
INDICATOR_KEY = "indicator"
LANGUAGE_KEY = "language"
CASE_PAGE = "views/case.py"
log = logging.getLogger("scenat.app")

__all__ = ["format_number", "format_quantity"]


# --------------------------------------------------------------------------- language


def language() -> str:
    """The UI language: the sidebar's choice, else ``?lang=`` in the address, else English."""
    chosen = st.session_state.get(LANGUAGE_KEY)
    if chosen is None:
        chosen = i18n.language_of(st.query_params.get("lang"))
        st.session_state[LANGUAGE_KEY] = chosen
    return chosen


def translator() -> i18n.Translator:
    """``_ = session.translator()`` at the top of a page: ``_("text")``, ``_.number(x)``."""
    return _translator(language())


@st.cache_resource(show_spinner=False)
def _translator(lang: str) -> i18n.Translator:
    return i18n.Translator(lang)


# --------------------------------------------------------------------------- the store


@st.cache_resource(show_spinner=False, max_entries=8)
def _store(url: str) -> Store:
    return Store(url)


def store() -> Store:
    """The versioned store every page works in (SQLite in SCENAT_HOME by default)."""
    return _store(default_url())


def user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers)
        return "consultant"


@st.cache_resource(show_spinner=False, max_entries=64)
def _version(key: str, number: int, sha256: str, title: str | None) -> LoadedCase:
    return casefiles.stored_case(store().version(key, number), title)


def open_case(name: str, number: int | None = None) -> LoadedCase:
    """A case by store key or shipped name (``car_ice``, ``stadium_retrofit_after``) at a
    version (default: the latest); a shipped case not in the store yet is imported first."""
    db = store()
    shipped = casefiles.example_case(name)
    key = name if db.has_case(name) or shipped is None else shipped["key"]
    if not db.has_case(key):
        if shipped is None:
            raise InputError(
                Problem(
                    message=f"no case called {name!r} in the store or the shipped examples",
                    value=name,
                    hint="open one on the Case page",
                )
            )
        loaded = casefiles.load_example(shipped["key"])
        if not loaded.valid:
            return loaded
        db.import_case(key, loaded.case, user(), f"shipped example {shipped['path']}")
    listed = {v.number: v for v in db.history(key)}
    number = number if number in listed else max(listed)
    title = shipped["title"] if shipped else key
    return _version(key, number, listed[number].sha256, title)


def current() -> LoadedCase:
    """The case every page works on, kept in the address (``?case=KEY&v=N``) and the store,
    so a refresh, a second tab or a colleague's link opens the same case and version.

    ``?example=NAME`` (older links) opens a shipped example the same way.
    """
    params = st.query_params
    wanted = params.get("case") or params.get("example")
    number = _int(params.get("v"))
    loaded = st.session_state.get(CASE_KEY)
    if wanted and (
        loaded is None
        or loaded.store_key != wanted
        or (number is not None and loaded.version != number)
    ):
        try:
            loaded = open_case(wanted, number)
        except (InputError, ScenatError) as err:
            st.toast(f"{err}", icon=":material/warning:")
        st.session_state[CASE_KEY] = loaded
    if loaded is None:
        loaded = open_case(casefiles.examples()[0]["name"])
        st.session_state[CASE_KEY] = loaded
    _sync_address(loaded)
    return loaded


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


def _sync_address(loaded: LoadedCase) -> None:
    """Write the case, version and language into the address (only what changed)."""
    wanted = {"case": loaded.store_key, "v": str(loaded.version) if loaded.version else None}
    wanted["lang"] = language() if language() != i18n.DEFAULT else None
    params = st.query_params
    if "example" in params:
        del params["example"]
    for name, value in wanted.items():
        if value is None:
            if name in params:
                del params[name]
        elif params.get(name) != value:
            params[name] = value


def set_current(loaded: LoadedCase) -> None:
    """Make ``loaded`` the current case; reruns so the sidebar shows it at once."""
    previous = st.session_state.get(CASE_KEY)
    st.session_state[CASE_KEY] = loaded
    _sync_address(loaded)
    if previous is None or previous.fingerprint != loaded.fingerprint:
        st.session_state.pop("mc_result", None)
        st.rerun()


def require_valid() -> LoadedCase:
    """The current case if it can be assessed; otherwise say why and stop the page."""
    _ = translator()
    loaded = current()
    if not loaded.valid:
        st.warning(
            _(
                "**{label}** has {n} problem(s) to fix before it can be assessed. The Case "
                "page lists each with its sheet, row and column.",
                label=loaded.label,
                n=len(loaded.errors),
            ),
            icon=":material/error:",
        )
        st.page_link(CASE_PAGE, label=_("Open the Case page"), icon=":material/folder_open:")
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


@st.cache_resource(show_spinner=False, max_entries=16)
def _resolver(fingerprint: str, _case: Any, _result: Any) -> Any:
    from scenat.assessment import ForegroundResolver

    return ForegroundResolver(_case, linked=_result.linked)


def resolver(loaded: LoadedCase) -> Any:
    """The case's foreground re-solver (its assessment's factorisation kept), cached."""
    return _resolver(loaded.fingerprint, loaded.case, assessment(loaded))


def draft_totals(loaded: LoadedCase, draft: Any) -> dict[str, float]:
    """Totals of an edited copy of the loaded case by the foreground alone (a case with
    other nodes is assessed in full)."""
    return resolver(loaded)(draft, [i.id for i in assessment(loaded).indicators])


@st.cache_resource(show_spinner="Evaluating every applicable intervention…", max_entries=16)
def _interventions(fingerprint: str, _case: Any, _solve: Any) -> Evaluated:
    from scenat import interventions

    options = interventions.collect(_case)
    table = interventions.evaluate(_case, options, solve=_solve)
    return Evaluated(options, table, _solve)


def interventions(loaded: LoadedCase | None = None) -> Evaluated:
    """Every applicable intervention of the current case with its KPIs (cached per case)."""
    loaded = loaded or require_valid()
    return _interventions(loaded.fingerprint, loaded.case, resolver(loaded))


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


@st.cache_data(show_spinner=False, max_entries=256)
def _hotspot_figure(fingerprint: str, indicator_id: str, by: str, _result: Any) -> Any:
    from scenat.report import charts

    unit = _result.indicator(indicator_id).unit
    return charts.hotspot_bars(_result.hotspots(indicator_id, by), indicator_id, unit, by)


def hotspot_figure(loaded: LoadedCase, indicator_id: str, by: str) -> Any:
    """The Pareto chart of one breakdown, built once per case (a page switch reuses it)."""
    return _hotspot_figure(loaded.fingerprint, indicator_id, by, assessment(loaded))


@st.cache_data(show_spinner=False, max_entries=64)
def sankey_figure(
    fingerprint: str, indicator_id: str, expand: bool, tiers: tuple, stages: tuple, _result: Any
) -> Any:
    """The supply-chain Sankey for the filters, built once per case and filter."""
    from scenat.report import charts

    nodes_table = nodes(fingerprint, _result)
    visible = nodes_table.filter(
        pl.col("tier").is_in(list(tiers)) & pl.col("stage").is_in(list(stages))
    )
    ids = set(visible["id"].to_list())
    shown = edges(fingerprint, expand, _result).filter(
        pl.col("target").is_in(ids) & (pl.col("source").is_in(ids) | (pl.col("kind") != "node"))
    )
    ind = _result.indicator(indicator_id)
    return charts.sankey(
        shown,
        visible,
        ind.id,
        ind.unit,
        reference_node=_result.case.reference_node,
        title=f"[{ind.unit}]",
    )


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


def _set_language() -> None:
    st.session_state[LANGUAGE_KEY] = st.session_state["language_choice"]


def sidebar() -> None:
    """Language, current case and version, indicator: on every page."""
    _ = translator()
    loaded = current()
    with st.sidebar:
        st.selectbox(
            "Language · 语言",
            list(i18n.LANGUAGES),
            index=list(i18n.LANGUAGES).index(language()),
            format_func=i18n.LANGUAGES.get,
            key="language_choice",
            on_change=_set_language,
        )
        st.markdown("#### " + _("Current case"))
        st.markdown(f"**{literal(loaded.label)}**")
        sources = {
            "example": _("shipped example"),
            "upload": _("uploaded workbook"),
            "store": _("stored case"),
        }
        source = sources.get(loaded.source, loaded.source)
        if loaded.valid:
            case = loaded.case
            st.caption(
                _(
                    "{source} · {nodes} nodes · {flows} flows",
                    source=source,
                    nodes=len(case.nodes),
                    flows=len(case.flows),
                )
                + (
                    "  \n" + _("Functional unit: {unit}", unit=literal(case.functional_unit))
                    if case.functional_unit
                    else ""
                )
            )
            if loaded.store_key:
                st.caption(
                    _("Store key `{key}`, version {n}", key=loaded.store_key, n=loaded.version)
                )
            if loaded.warnings:
                st.caption(
                    ":orange["
                    + _("{n} warning(s), see the Case page", n=len(loaded.warnings))
                    + "]"
                )
        else:
            st.caption(
                source + " · :red[" + _("{n} problem(s): not assessed", n=len(loaded.errors)) + "]"
            )
        st.markdown("#### " + _("Indicator"))
        options = indicators()
        labels = {i.id: _(i.label) for i in options}
        st.selectbox(
            _("Indicator"),
            [i.id for i in options],
            format_func=labels.get,
            key=INDICATOR_KEY,
            label_visibility="collapsed",
            help=_("The indicator the Supply chain and Hotspots pages show."),
        )
        ind = selected_indicator()
        st.markdown(
            f"<span style='border-left:4px solid {indicator_colour(ind.id)};padding-left:6px'>"
            f"{_('unit')}: <b>{ind.unit}</b></span>",
            unsafe_allow_html=True,
        )
        st.caption(" | ".join(ind.method))
        import scenat

        st.caption(_("scenat {version} · Brightway · offline", version=scenat.__version__))


def show_error(err: BaseException) -> None:
    """An error as a message on the page, never a stack trace (which goes to the log)."""
    _ = translator()
    if isinstance(err, InputError):
        st.error(
            _("The input has problems:")
            + "\n\n"
            + "\n".join(f"- {literal(p)}" for p in err.problems),
            icon=":material/error:",
        )
    elif isinstance(err, ScenatError | ValueError):
        st.error(literal(err), icon=":material/error:")
    else:
        log.error("internal error in the app:\n%s", traceback.format_exc())
        st.error(
            _(
                "Something went wrong inside scenat ({kind}: {error}). The details are in the "
                "server log; please report it with the case that caused it.",
                kind=type(err).__name__,
                error=err,
            ),
            icon=":material/error:",
        )


def indicator_cards(result: Any, per_row: int = 2, baseline: Any = None) -> None:
    """One metric card per indicator: the total per functional unit with its unit (and the
    change from ``baseline`` totals when given)."""
    _ = translator()
    for start in range(0, len(result.indicators), per_row):
        columns = st.columns(per_row)
        for column, ind in zip(columns, result.indicators[start : start + per_row]):
            total = result.total(ind.id)
            delta = None
            if baseline is not None and ind.id in baseline:
                change = total - baseline[ind.id]
                delta = _.quantity(change, ind.unit) if change else None
            column.metric(
                _(ind.label),
                _.quantity(total, ind.unit),
                delta,
                delta_color="inverse",
                help=_("Per functional unit. Method: {method}", method=" | ".join(ind.method)),
                border=True,
            )
