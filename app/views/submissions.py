"""Submissions: partner workbooks in, checked, previewed and merged as new case versions."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st
from scenat_app import casefiles, session, submitting

from scenat.casefile.partner_template import partner_template_bytes
from scenat.casefile.sheets import UPLOAD_SUFFIXES
from scenat.errors import InputError, ScenatError
from scenat.report.markdown import literal
from scenat.report.validation import validation_report
from scenat.store import SubmissionRejected, accept, preview, submit
from scenat.store.submissions import MERGED, REJECTED

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KEYS_STATE = "sub_store_keys"  # case fingerprint -> store key (a case opened from the store)
CURRENT_STATE = "sub_current"  # the id of the submission on show
PREVIEW_STATE = "sub_preview"  # (submission id, base version, MergePreview)
FLASH_STATE = "sub_flash"


@st.cache_data(show_spinner="Writing the partner workbook…", max_entries=64)
def _template(key: str, number: int, node: str, _case) -> bytes:
    return partner_template_bytes(_case, node, key)


@st.cache_data(show_spinner=False, max_entries=64)
def _report(submission_id: int, status: str, _submission) -> bytes:
    return validation_report(_submission)


def _problems(problems, key: str) -> None:
    st.dataframe(
        casefiles.problems_table(problems).drop("file"),
        hide_index=True,
        key=key,
        column_config={
            "severity": st.column_config.TextColumn(_("severity"), width="small"),
            "row": st.column_config.NumberColumn(_("row"), format="%d", width="small"),
            "message": st.column_config.TextColumn(_("problem"), width="large"),
            "hint": st.column_config.TextColumn(_("hint"), width="large"),
        },
    )


_ = session.translator()
format_number, format_quantity = _.number, _.quantity
_user = session.user
session.page_header(
    _("Submissions"),
    _(
        "Partners fill in the workbook for their own node of the supply chain and send it "
        "back. Every file is checked cell by cell and kept as received, accepted or not; a "
        "valid one can be previewed (flows, totals, hotspots) and merged as a new version of "
        "the case."
    ),
)

loaded = session.require_valid()
store = session.store()
keys = st.session_state.setdefault(KEYS_STATE, {})
key = submitting.store_key(loaded, keys)
latest = submitting.ensure_case(store, key, loaded, _user())

flash = st.session_state.pop(FLASH_STATE, None)
if flash:
    st.success(flash, icon=":material/check_circle:")

st.markdown(
    _(
        "Case **{key}** in the store, at **version {n}** ({nodes} nodes, {flows} flows).",
        key=key,
        n=latest.number,
        nodes=latest.nodes,
        flows=latest.flows,
    )
)
st.caption(_("Store: {store}", store=repr(store)))
if not submitting.same_as_loaded(latest, loaded):
    st.info(
        _(
            "Version {n} in the store differs from the case loaded in the app (**{label}**). "
            "Submissions merge into the stored version; the other pages assess the loaded "
            "case.",
            n=latest.number,
            label=literal(loaded.label),
        ),
        icon=":material/info:",
    )
    use, keep = st.columns(2)
    if use.button(
        _("Assess stored version {n} on every page", n=latest.number),
        key="sub_open_latest",
        icon=":material/open_in_new:",
    ):
        session.set_current(session.open_case(key, latest.number))
    if keep.button(
        _("Store the loaded case as a new version"),
        key="sub_store_loaded",
        icon=":material/save:",
        help=_("Nothing is lost: every earlier version stays in the history."),
    ):
        version = store.import_case(key, loaded.case, _user(), f"stored from {loaded.label}")
        st.session_state[FLASH_STATE] = _(
            "Stored the loaded case as version {n}.", n=version.number
        )
        st.rerun()

case = latest.case()

# --------------------------------------------------------------------------- template
st.subheader(_("1 · Partner template"))
st.caption(
    _(
        "A workbook for one node: pre-filled with the node's flows, drop-downs for the ids it "
        "may reference and for units, locked header rows and instructions."
    )
)
names = {n: node.name for n, node in case.nodes.items()}
left, right = st.columns([3, 2], gap="large")
node = left.selectbox(
    _("Node of the partner"),
    list(case.nodes),
    index=min(1, len(case.nodes) - 1),
    format_func=lambda n: f"{names[n]} ({n})",
    key="sub_template_node",
)
with right:
    st.write("")
    st.download_button(
        _("Download the partner template (.xlsx)"),
        data=lambda: _template(key, latest.number, node, case),
        file_name=f"{casefiles.safe_name(key)}-{casefiles.safe_name(node)}.xlsx",
        mime=XLSX,
        icon=":material/download:",
        on_click="ignore",
        key="sub_template_download",
    )

# --------------------------------------------------------------------------- intake
st.subheader(_("2 · Receive a submission"))
upload = st.file_uploader(
    _("The partner's workbook"),
    type=[s.lstrip(".") for s in UPLOAD_SUFFIXES],
    key="sub_upload",
    help=_("The workbook made from the partner template (or a .zip of its CSV sheets)."),
)
submitter = st.text_input(
    _("Submitter"), key="sub_submitter", placeholder=_("the partner organisation or person")
)
if st.button(
    _("Check and store the submission"),
    key="sub_submit",
    type="primary",
    icon=":material/upload_file:",
    disabled=upload is None,
):
    st.session_state.pop(PREVIEW_STATE, None)
    try:
        record = submit(store, key, upload.getvalue(), submitter, filename=upload.name)
        st.session_state[CURRENT_STATE] = record.id
    except SubmissionRejected as err:
        st.session_state[CURRENT_STATE] = err.submission.id
    except (InputError, ScenatError) as err:  # no submitter, unreachable store: nothing stored
        session.show_error(err)

current = st.session_state.get(CURRENT_STATE)
sub = store.submission(current) if current is not None else None
if sub is not None and sub.case_key != key:
    sub = None  # a submission to another case stays in the history, not on show here

if sub is not None:
    st.markdown(
        _(
            "**Submission #{id}** · {file} from **{submitter}** · node `{node}` · {size} bytes "
            "· sha256 `{sha}…` · received {when} UTC",
            id=sub.id,
            file=literal(sub.filename),
            submitter=literal(sub.submitter),
            node=sub.node or "?",
            size=format_number(sub.size),
            sha=sub.sha256[:16],
            when=sub.received_at[:19].replace("T", " "),
        )
    )
    if sub.status == REJECTED:
        st.error(
            _(
                "Rejected: {n} error(s) to fix. The file is stored all the same (submission "
                "#{id}, status *rejected*) so nothing the partner sent is lost; send them the "
                "validation report, which marks every offending cell.",
                n=len(sub.errors),
                id=sub.id,
            ),
            icon=":material/error:",
        )
    elif sub.status == MERGED:
        st.success(
            _("Merged into version {n} of {key}.", n=sub.merged_version, key=key),
            icon=":material/check_circle:",
        )
    else:
        st.success(
            (
                _(
                    "Valid: stored as submission #{id}, with {n} warning(s).",
                    id=sub.id,
                    n=len(sub.problems),
                )
                if sub.problems
                else _("Valid: stored as submission #{id}.", id=sub.id)
            )
            + " "
            + _("Check the preview below before accepting it."),
            icon=":material/check_circle:",
        )
    if sub.problems:
        _problems(sub.problems, "sub_problems")
    st.download_button(
        _("Download the validation report (.xlsx)"),
        data=_report(sub.id, sub.status, sub),
        file_name=f"submission-{sub.id}-report.xlsx",
        mime=XLSX,
        icon=":material/download:",
        on_click="ignore",
        key="sub_report_download",
    )

# --------------------------------------------------------------------------- merge
if sub is not None and sub.status == "valid":
    st.subheader(_("3 · Preview the merge"))
    cached = st.session_state.get(PREVIEW_STATE)
    if cached and cached[:2] == (sub.id, latest.number):
        plan = cached[2]
    else:
        with st.spinner(_("Assessing the case before and after the merge…")):
            plan = preview(store, sub.id)
        st.session_state[PREVIEW_STATE] = (sub.id, latest.number, plan)
    diff = plan.diff
    st.caption(
        _(
            "From {a} to {b}: node `{node}`'s flows are replaced by the submitted ones; "
            "nothing is stored until you accept.",
            a=diff.a,
            b=diff.b,
            node=sub.node,
        )
    )
    flows = submitting.flows_diff_table(diff)
    counts = {c: int((flows["change"] == c).sum()) for c in ("added", "removed", "changed")}
    cols = st.columns(3)
    for column, (change, count) in zip(cols, counts.items()):
        titles = {"added": _("Flows added"), "removed": _("Flows removed")}
        column.metric(titles.get(change, _("Flows changed")), count, border=True)
    if flows.height:
        st.dataframe(flows, hide_index=True, key="sub_flow_diff")
    else:
        st.info(_("The submitted flows are the same as the stored ones."), icon=":material/info:")
    for change in diff.nodes:
        st.caption(
            f"Node {change['change']}: {change['id']} {literal(change.get('details') or '')}"
        )

    st.markdown(_("**Effect on the totals** (per functional unit)"))
    labels = {i.id: i.label for i in session.indicators()}
    totals = submitting.totals_table(diff, labels)
    st.dataframe(
        totals,
        hide_index=True,
        key="sub_totals",
        column_config={
            "change [%]": st.column_config.NumberColumn("change [%]", format="%+.2f"),
        },
    )

    st.markdown(_("**Effect on the hotspots** (contribution of each node)"))
    ids = list(diff.hotspots)
    chosen = session.selected_indicator().id
    indicator = st.selectbox(
        _("Indicator"),
        ids,
        index=ids.index(chosen) if chosen in ids else 0,
        format_func=lambda i: _(labels.get(i, i)),
        key="sub_hotspot_indicator",
    )
    unit = next((u for i, u in zip(totals["indicator"], totals["unit"]) if i == indicator), "")
    before_top, before_value = submitting.top_node(diff, indicator, "a")
    after_top, after_value = submitting.top_node(diff, indicator, "b")
    top_cols = st.columns(2)
    top_cols[0].metric(
        _("Top hotspot before"),
        before_top or "–",
        format_quantity(before_value, unit) if before_value is not None else None,
        delta_color="off",
        border=True,
    )
    top_cols[1].metric(
        _("Top hotspot after"),
        after_top or "–",
        format_quantity(after_value, unit) if after_value is not None else None,
        delta_color="off",
        border=True,
    )
    moved = submitting.node_changes(diff, indicator)
    if moved.height:
        figure = go.Figure(
            go.Bar(
                x=moved["change"].to_list(),
                y=moved["label"].to_list(),
                orientation="h",
                marker_color=["#c0392b" if v > 0 else "#27ae60" for v in moved["change"]],
            )
        )
        figure.update_layout(
            height=120 + 28 * moved.height,
            margin=dict(l=10, r=10, t=10, b=40),
            xaxis_title=f"change [{unit}]",
            yaxis=dict(autorange="reversed"),
        )
        st.plotly_chart(figure, key="sub_hotspot_chart")
        st.dataframe(moved, hide_index=True, key="sub_node_changes")
    else:
        st.caption(_("No node's contribution to this indicator changes."))

    author = st.text_input(
        _("Accepted by"), value=_user(), key="sub_author", help=_("Recorded with the new version.")
    )
    if st.button(
        _("Accept: store as version {n}", n=latest.number + 1),
        key="sub_accept",
        type="primary",
        icon=":material/merge:",
    ):
        try:
            version = accept(store, sub.id, author.strip() or _user())
        except (InputError, ScenatError) as err:
            session.show_error(err)
        else:
            st.session_state.pop(PREVIEW_STATE, None)
            st.session_state[FLASH_STATE] = _(
                "Submission #{id} merged: {key} is now at version {n}.",
                id=sub.id,
                key=key,
                n=version.number,
            )
            st.rerun()

# --------------------------------------------------------------------------- history
st.subheader(_("History"))
versions = store.history(key)
st.dataframe(submitting.history_table(versions), hide_index=True, key="sub_history")
older = [v.number for v in versions if v.number != latest.number]
if older:
    back_col, button_col = st.columns([3, 2], gap="large")
    target = back_col.selectbox(
        _("Roll back to"),
        list(reversed(older)),
        format_func=lambda n: _("version {n}", n=n),
        key="sub_rollback_version",
        help=_("Adds a new version with that version's content; nothing is deleted."),
    )
    with button_col:
        st.write("")
        if st.button(
            _("Roll back to version {n}", n=target), key="sub_rollback", icon=":material/undo:"
        ):
            try:
                version = store.rollback(key, target, _user())
            except (InputError, ScenatError) as err:
                session.show_error(err)
            else:
                st.session_state.pop(PREVIEW_STATE, None)
                st.session_state[FLASH_STATE] = _(
                    "Rolled back: version {n} holds the content of version {m}.",
                    n=version.number,
                    m=target,
                )
                st.rerun()

received = store.submissions(key)
st.markdown(_("**Submissions received** ({n})", n=len(received)))
if received:
    st.dataframe(submitting.submissions_table(received), hide_index=True, key="sub_received")
    st.caption(_("Rejected submissions are kept with their file, problems and sha256."))
else:
    st.caption(_("None yet."))
