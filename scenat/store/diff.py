"""What changed between two cases or two versions of one, and what that does to the results.

>>> from scenat.casefile import read_case, resolve_case
>>> case = read_case(resolve_case("bicycle"))
>>> diff_cases(case, case, impact=False).empty
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scenat.assessment import assess, compare_hotspots, compare_totals
from scenat.model.case import Case
from scenat.store.content import case_content
from scenat.store.database import Store


@dataclass
class VersionDiff:
    """What changed from case A to case B, and what that does to the results.

    ``flows``: one row per flow added, removed or changed (amounts as written and in the
    input's reference unit). ``totals`` / ``hotspots`` (when computed): per indicator A, B
    and B - A, and per node for each indicator (see :mod:`scenat.assessment.compare`).
    """

    a: str
    b: str
    flows: list[dict[str, Any]]
    nodes: list[dict[str, Any]]
    fields: list[dict[str, Any]]
    totals: Any = None  # polars DataFrame
    hotspots: dict[str, Any] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.flows or self.nodes or self.fields)

    def flows_table(self) -> Any:
        import polars as pl

        schema = {
            "change": pl.String,
            "node": pl.String,
            "kind": pl.String,
            "input": pl.String,
            "old_amount": pl.Float64,
            "old_unit": pl.String,
            "new_amount": pl.Float64,
            "new_unit": pl.String,
            "old_reference": pl.Float64,
            "new_reference": pl.Float64,
            "reference_unit": pl.String,
            "details": pl.String,
        }
        return pl.DataFrame(self.flows, schema=schema)

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "flows": self.flows,
            "nodes": self.nodes,
            "fields": self.fields,
            "totals": self.totals.to_dicts() if self.totals is not None else None,
            "hotspots": {k: v.to_dicts() for k, v in self.hotspots.items()},
        }


def _flow_key(flow: Any) -> tuple[str, str, str]:
    return (flow.node, flow.kind, flow.input)


def _flow_details(old: Any, new: Any) -> str:
    changes = []
    for name in ("amount", "unit", "uncertainty", "source", "comment"):
        if getattr(old, name) != getattr(new, name):
            changes.append(name)
    if old.metadata != new.metadata:
        changes.append("extra columns")
    return ", ".join(changes)


def diff_cases(
    a: Case,
    b: Case,
    label_a: str = "A",
    label_b: str = "B",
    impact: bool = True,
    indicators: list[str] | None = None,
) -> VersionDiff:
    """Flows, nodes and case fields added, removed or changed; with ``impact``, the effect on
    the totals and on the node hotspots (both cases assessed)."""
    flows: list[dict[str, Any]] = []
    old_groups: dict[tuple, list] = {}
    new_groups: dict[tuple, list] = {}
    for flow in a.flows:
        old_groups.setdefault(_flow_key(flow), []).append(flow)
    for flow in b.flows:
        new_groups.setdefault(_flow_key(flow), []).append(flow)

    def row(change: str, old: Any, new: Any, details: str = "") -> dict[str, Any]:
        some = new or old
        return {
            "change": change,
            "node": some.node,
            "kind": some.kind,
            "input": some.input,
            "old_amount": old.amount if old else None,
            "old_unit": old.unit if old else None,
            "new_amount": new.amount if new else None,
            "new_unit": new.unit if new else None,
            "old_reference": old.amount_in_reference if old else None,
            "new_reference": new.amount_in_reference if new else None,
            "reference_unit": some.reference_unit,
            "details": details,
        }

    for key in list(old_groups) + [k for k in new_groups if k not in old_groups]:
        olds, news = old_groups.get(key, []), new_groups.get(key, [])
        for i in range(max(len(olds), len(news))):
            old = olds[i] if i < len(olds) else None
            new = news[i] if i < len(news) else None
            if old is None:
                flows.append(row("added", None, new))
            elif new is None:
                flows.append(row("removed", old, None))
            else:
                details = _flow_details(old, new)
                if details:
                    flows.append(row("changed", old, new, details))
    nodes: list[dict[str, Any]] = []
    for node_id, node in a.nodes.items():
        if node_id not in b.nodes:
            nodes.append({"change": "removed", "id": node_id, "details": node.name})
        else:
            other = b.nodes[node_id]
            changed = [
                name
                for name in ("name", "tier", "stage", "location", "output_amount", "output_unit")
                if getattr(node, name) != getattr(other, name)
            ]
            if changed:
                nodes.append({"change": "changed", "id": node_id, "details": ", ".join(changed)})
    for node_id, node in b.nodes.items():
        if node_id not in a.nodes:
            nodes.append({"change": "added", "id": node_id, "details": node.name})
    fields = []
    content_a, content_b = dict(case_content(a)["case"][1:]), dict(case_content(b)["case"][1:])
    for name in list(content_a) + [k for k in content_b if k not in content_a]:
        if content_a.get(name) != content_b.get(name):
            fields.append({"field": name, "old": content_a.get(name), "new": content_b.get(name)})
    diff = VersionDiff(label_a, label_b, flows, nodes, fields)
    if impact:
        result_a = assess(a, indicators=indicators)
        result_b = assess(b, indicators=indicators)
        diff.totals = compare_totals(result_a, result_b)
        diff.hotspots = {
            ind.id: compare_hotspots(result_a, result_b, ind.id, "node")
            for ind in result_a.indicators
        }
    return diff


def diff_versions(
    store: Store,
    key: str,
    a: int | None = None,
    b: int | None = None,
    impact: bool = True,
    indicators: list[str] | None = None,
) -> VersionDiff:
    """Diff two versions of a stored case (default: the latest against the one before)."""
    new = store.version(key, b)
    old = store.version(key, a if a is not None else max(new.number - 1, 1))
    return diff_cases(
        old.case(),
        new.case(),
        f"{key} version {old.number}",
        f"{key} version {new.number}",
        impact,
        indicators,
    )
