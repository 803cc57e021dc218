"""Edit: the case's nodes, flows, interventions and fields as tables, checked as you type,
re-assessed by the foreground alone, saved as a new version with an author and a message."""

from __future__ import annotations

import time

import streamlit as st
from scenat_app import casefiles, editing, session

from scenat.store import VersionConflict

_ = session.translator()
session.page_header(
    _("Edit"),
    _(
        "Change the model: add a supplier, change an amount, switch a background process. "
        "Every change is checked as a workbook would be, with the row and column of each "
        "problem, and re-assessed at once. Save it as a new version; every earlier version "
        "stays in the history."
    ),
)

loaded = session.current()
if not loaded.store_key:
    st.warning(
        _("Only a valid case kept in the store can be edited: open or upload one first."),
        icon=":material/info:",
    )
    st.stop()

store = session.store()
key, number = loaded.store_key, loaded.version
latest = store.latest_number(key)
base = store.version(key, number).content or {}
DRAFT = f"edit_draft:{key}:{number}"
REVISION = f"edit_revision:{key}:{number}"
state = st.session_state
if DRAFT not in state:
    state[DRAFT] = editing.round_trip(base)
    state[REVISION] = 0
baseline = editing.round_trip(base)
draft_in = state[DRAFT]
revision = state[REVISION]

flash = state.pop("edit_flash", None)
if flash:
    st.success(flash, icon=":material/check_circle:")
if number != latest:
    st.info(
        _(
            "You are looking at version {n}; the latest is {m}. Saving makes your edit of "
            "version {n} the new latest version.",
            n=number,
            m=latest,
        ),
        icon=":material/history:",
    )

LABELS = {
    "flows": _("Flows"),
    "nodes": _("Nodes"),
    "interventions": _("Interventions"),
    "case": _("Case fields"),
}
tabs = st.tabs([LABELS[s] for s in editing.EDITABLE], key="edit_tabs", on_change="rerun")
frames = {}
from scenat.model.schema import DISTRIBUTIONS, FLOW_KINDS, STAGES  # noqa: E402

configs = {
    "flows": {
        "kind": st.column_config.SelectboxColumn("kind", options=list(FLOW_KINDS)),
        "distribution": st.column_config.SelectboxColumn(
            "distribution", options=list(DISTRIBUTIONS)
        ),
        "amount": st.column_config.NumberColumn("amount", format="%.6g"),
    },
    "nodes": {
        "stage": st.column_config.SelectboxColumn("stage", options=list(STAGES)),
        "tier": st.column_config.NumberColumn("tier", min_value=0, step=1, format="%d"),
    },
}
for tab, sheet in zip(tabs, editing.EDITABLE):
    if not tab.open:  # only the open sheet's table is built; the draft keeps the others
        continue
    with tab:
        st.caption(
            _(
                "Row numbers are the workbook's (the first line is row 2), as in the problems "
                "below. Add a line at the bottom of the table; select lines to delete them."
            )
        )
        frames[sheet] = st.data_editor(
            editing.sheet_frame(draft_in, sheet),
            num_rows="dynamic",
            width="stretch",
            key=f"editor_{sheet}_{key}_{number}_{revision}",
            column_config=configs.get(sheet),
        )

draft = editing.with_sheets(draft_in, frames)
if editing.changed(draft_in, draft):
    # Keep the edit in the draft at once: a table's own state is gone when the page is left,
    # the draft is not (switch pages and come back to the same unsaved edit).
    state[DRAFT] = draft
    state[REVISION] = revision + 1
    st.rerun()

# --------------------------------------------------------------------------- process picker
with st.expander(_("Switch a flow to another background process"), icon=":material/search:"):
    from scenat.model import shipped_catalogue

    processes = shipped_catalogue().processes
    ids = sorted(processes, key=lambda p: processes[p].name.lower())
    choices = editing.flow_choices(draft)
    left, right = st.columns(2)
    row = left.selectbox(_("Flow"), list(choices), format_func=choices.get, key="picker_flow")
    process = right.selectbox(
        _("Background process (type to search)"),
        ids,
        index=None,
        format_func=lambda p: f"{processes[p].name} [{processes[p].unit}] · {p}",
        key="picker_process",
        placeholder=_("type a name: electricity, steel, natural gas…"),
    )
    if process:
        info = processes[process]
        st.caption(
            _(
                "{name}: per {unit}, database {database}; source: {source}",
                name=info.name,
                unit=info.unit,
                database=info.database,
                source=info.source or "–",
            )
        )
    if st.button(
        _("Use this process for the flow"),
        disabled=not (process and row),
        key="picker_apply",
        icon=":material/swap_horiz:",
    ):
        state[DRAFT] = editing.set_input(draft, row, process, processes[process].unit)
        state[REVISION] = revision + 1
        st.rerun()

# --------------------------------------------------------------------------- live check
started = time.perf_counter()
case, problems = editing.check(draft, f"{key} (draft)")
errors = [p for p in problems if p.severity == "error"]
is_changed = editing.changed(baseline, draft)
st.subheader(_("Check and effect"))
if errors:
    st.error(
        _("{n} error(s) in the draft: fix them to see the effect and to save.", n=len(errors)),
        icon=":material/error:",
    )
if problems:
    st.dataframe(
        casefiles.problems_table(problems).drop("file"),
        hide_index=True,
        key="edit_problems",
        column_config={
            "row": st.column_config.NumberColumn(_("row"), format="%d", width="small"),
            "message": st.column_config.TextColumn(_("problem"), width="large"),
            "hint": st.column_config.TextColumn(_("hint"), width="large"),
        },
    )
elif not is_changed:
    st.caption(_("No change yet: the draft is version {n} as stored.", n=number))

if case is not None and loaded.valid:
    result = session.assessment(loaded)
    saved = {i.id: result.total(i.id) for i in result.indicators}
    totals = session.draft_totals(loaded, case) if is_changed else saved
    elapsed = time.perf_counter() - started
    cols = st.columns(len(result.indicators))
    for column, ind in zip(cols, result.indicators):
        change = totals[ind.id] - saved[ind.id]
        column.metric(
            _(ind.label),
            _.quantity(totals[ind.id], ind.unit),
            _.quantity(change, ind.unit) if change else None,
            delta_color="inverse",
            border=True,
        )
    if is_changed:
        st.caption(
            _(
                "Draft re-assessed in {ms} ms (foreground re-solve on the factorised "
                "background); change against version {n}.",
                ms=f"{1000 * elapsed:.0f}",
                n=number,
            ),
            help=_("A change of nodes is assessed in full, which takes longer."),
        )

# --------------------------------------------------------------------------- save
st.subheader(_("Save as a new version"))
left, middle, right = st.columns([1.2, 2.4, 1.4])
author = left.text_input(_("Author"), value=session.user(), key="edit_author")
message = middle.text_input(_("Message"), key="edit_message", placeholder=_("what changed and why"))
with right:
    st.write("")
    save = st.button(
        _("Save as version {n}", n=latest + 1),
        type="primary",
        disabled=bool(errors) or not is_changed or case is None,
        key="edit_save",
        icon=":material/save:",
    )
    discard = st.button(
        _("Discard the changes"),
        disabled=not is_changed,
        key="edit_discard",
        icon=":material/undo:",
    )
if save:
    try:
        version = store.add_version(
            key,
            draft,
            author.strip() or session.user(),
            "edit",
            message.strip() or None,
            expected_parent=latest,
        )
    except VersionConflict:
        st.error(
            _(
                "Someone saved a new version of {key} while you were editing. Open the latest "
                "version and apply your change again.",
                key=key,
            ),
            icon=":material/error:",
        )
    else:
        state.pop(DRAFT, None)
        state["edit_flash"] = _("Saved as version {n}.", n=version.number)
        session.set_current(session.open_case(key, version.number))
if discard:
    state[DRAFT] = baseline
    state[REVISION] = revision + 1
    st.rerun()

# --------------------------------------------------------------------------- history
st.subheader(_("History"))
from scenat_app import submitting  # noqa: E402

versions = store.history(key)
st.dataframe(submitting.history_table(versions), hide_index=True, key="edit_history")
hist_left, hist_mid, hist_right = st.columns([2, 1.3, 1.3])
numbers = [v.number for v in reversed(versions)]
chosen = hist_left.selectbox(
    _("Open version"),
    numbers,
    index=numbers.index(number),
    format_func=lambda n: _("version {n}", n=n),
    key="edit_open_version",
)
with hist_mid:
    st.write("")
    if st.button(_("Open"), disabled=chosen == number, key="edit_open", icon=":material/history:"):
        session.set_current(session.open_case(key, chosen))
with hist_right:
    st.write("")
    if st.button(
        _("Undo the last save"),
        disabled=latest < 2,
        key="edit_undo",
        icon=":material/undo:",
        help=_("Adds a version equal to the one before the latest; nothing is deleted."),
    ):
        version = store.rollback(key, latest - 1, session.user())
        state["edit_flash"] = _(
            "Undone: version {n} holds the content of version {m}.", n=version.number, m=latest - 1
        )
        session.set_current(session.open_case(key, version.number))
