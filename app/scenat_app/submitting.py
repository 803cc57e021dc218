"""Partner submissions in the app: the store key of the current case and the tables the
Submissions page shows. No streamlit here (the page does the caching and the widgets).

The app's current case (a shipped example or an uploaded workbook) is kept in the versioned
store (:mod:`scenat.store`, SQLite in ``SCENAT_HOME`` by default) under the key the command
line gives the same file (:func:`scenat.store.case_key_for`), imported as version 1 on first
use. After that the stored versions are the case partners submit to, as for ``scenat submit``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from scenat.store import Store, Version, case_content, case_key_for, content_hash
from scenat_app.casefiles import LoadedCase

HISTORY_COLUMNS = (
    "version",
    "created (UTC)",
    "author",
    "action",
    "message",
    "submission",
    "nodes",
    "flows",
    "sha256",
)
SUBMISSION_COLUMNS = (
    "id",
    "received (UTC)",
    "submitter",
    "file",
    "node",
    "status",
    "errors",
    "warnings",
    "merged into version",
    "sha256",
)


def store_key(loaded: LoadedCase, known: dict[str, str] | None = None) -> str:
    """The store key of the loaded case: the one it was opened from, else from its file."""
    if loaded.store_key:
        return loaded.store_key
    if known and loaded.fingerprint in known:
        return known[loaded.fingerprint]
    return case_key_for(Path(loaded.path or loaded.label))


def ensure_case(store: Store, key: str, loaded: LoadedCase, author: str) -> Version:
    """The latest stored version of ``key``; the loaded case becomes version 1 if new."""
    if not store.has_case(key):
        source = "shipped example" if loaded.source == "example" else "uploaded workbook"
        store.import_case(key, loaded.case, author, f"imported from the app ({source})")
    return store.version(key)


def same_as_loaded(version: Version, loaded: LoadedCase) -> bool:
    """Whether the stored version holds exactly the case the app has loaded."""
    return content_hash(case_content(loaded.case)) == version.sha256


def history_table(versions: list[Version]) -> pl.DataFrame:
    rows = [
        {
            "version": v.number,
            "created (UTC)": v.created_at[:19].replace("T", " "),
            "author": v.author,
            "action": v.action,
            "message": v.message,
            "submission": v.submission_id,
            "nodes": v.nodes,
            "flows": v.flows,
            "sha256": v.sha256[:12],
        }
        for v in reversed(versions)  # newest first
    ]
    schema = {c: pl.String for c in HISTORY_COLUMNS} | {
        "version": pl.Int64,
        "submission": pl.Int64,
        "nodes": pl.Int64,
        "flows": pl.Int64,
    }
    return pl.DataFrame(rows, schema=schema).select(HISTORY_COLUMNS)


def submissions_table(submissions: list[Any]) -> pl.DataFrame:
    rows = [
        {
            "id": s.id,
            "received (UTC)": s.received_at[:19].replace("T", " "),
            "submitter": s.submitter,
            "file": s.filename,
            "node": s.node,
            "status": s.status,
            "errors": len(s.errors),
            "warnings": len(s.problems) - len(s.errors),
            "merged into version": s.merged_version,
            "sha256": s.sha256[:12],
        }
        for s in sorted(submissions, key=lambda s: s.id, reverse=True)
    ]
    schema = {c: pl.String for c in SUBMISSION_COLUMNS} | {
        "id": pl.Int64,
        "errors": pl.Int64,
        "warnings": pl.Int64,
        "merged into version": pl.Int64,
    }
    return pl.DataFrame(rows, schema=schema).select(SUBMISSION_COLUMNS)


def flows_diff_table(diff: Any) -> pl.DataFrame:
    """Flows added, removed and changed, with the old and new amounts."""
    return diff.flows_table().select(
        "change",
        "node",
        "kind",
        "input",
        "old_amount",
        "old_unit",
        "new_amount",
        "new_unit",
        "details",
    )


def totals_table(diff: Any, labels: dict[str, str]) -> pl.DataFrame:
    """Per indicator: before, after, change and relative change (in %)."""
    totals = diff.totals
    return pl.DataFrame(
        {
            "indicator": totals["indicator"],
            "label": [labels.get(i, i) for i in totals["indicator"]],
            "unit": totals["unit"],
            "before": totals["a"],
            "after": totals["b"],
            "change": totals["difference"],
            "change [%]": totals["relative"] * 100,
        }
    )


def node_changes(diff: Any, indicator: str, only_changed: bool = True) -> pl.DataFrame:
    """Per node for one indicator: before, after, change and shares of the total."""
    table = diff.hotspots[indicator]
    total_a = float(table["a"].fill_null(0).sum())
    total_b = float(table["b"].fill_null(0).sum())
    out = table.select(
        pl.col("key").alias("node"),
        "label",
        pl.col("a").alias("before"),
        pl.col("b").alias("after"),
        pl.col("difference").alias("change"),
        (pl.col("a") / total_a * 100 if total_a else pl.lit(None, pl.Float64)).alias(
            "share before [%]"
        ),
        (pl.col("b") / total_b * 100 if total_b else pl.lit(None, pl.Float64)).alias(
            "share after [%]"
        ),
    )
    if only_changed:
        out = out.filter(pl.col("change").abs() > 0)
    return out


def top_node(diff: Any, indicator: str, side: str) -> tuple[str | None, float | None]:
    """The largest contributor before (``a``) or after (``b``) the merge, with its value."""
    table = diff.hotspots[indicator].drop_nulls(side).sort(side, descending=True)
    if not table.height:
        return None, None
    row = table.row(0, named=True)
    return row["label"] or row["key"], row[side]
