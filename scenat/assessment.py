"""Case -> :class:`Assessment`: the foreground as an in-memory datapackage, solved with bw2calc.

The case's nodes become foreground activities in a float64 ``bw_processing`` datapackage
(no database write per case), combined with the stored background and biosphere data of
the embedded project. bw2calc factorises the technosphere once; every further solve
(one per node, to credit each node with the cradle-to-gate impact of what it buys)
reuses that factorisation.

>>> import scenat
>>> from scenat.paths import examples_dir
>>> result = scenat.assess(scenat.read_case(examples_dir() / "bicycle"))
>>> table = result.hotspots("gwp100", by="node")
>>> abs(table["value"].sum() - result.total("gwp100")) <= 1e-9 * abs(result.total("gwp100"))
True
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from scenat.background import Project, ensure_project, import_brightway, quiet_stdout
from scenat.case import BACKGROUND_KINDS, ELEMENTARY_KINDS, Case
from scenat.errors import InputError, Problem
from scenat.indicators import Indicator, resolve
from scenat.lcamath import activity_contributions, flow_contributions, group_sum, shares

BREAKDOWNS = ("node", "tier", "stage", "process", "flow")
#: first integer id of foreground activities; bw2data node ids are 64-bit snowflakes, far above
FOREGROUND_ID_START = 1


@dataclass
class Assessment:
    """The result of assessing one case: totals and hotspot breakdowns per indicator."""

    case: Case
    indicators: list[Indicator]
    totals: dict[str, float]
    breakdowns: dict[str, dict[str, pl.DataFrame]]
    supply: dict[str, float]
    inventory_version: str
    warnings: list[Problem] = field(default_factory=list)

    def indicator(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise InputError(
            Problem(
                message=f"indicator {indicator_id!r} was not assessed",
                value=indicator_id,
                hint="assessed: " + ", ".join(i.id for i in self.indicators),
            )
        )

    def total(self, indicator_id: str) -> float:
        """Total impact for the functional unit, in the indicator's unit."""
        self.indicator(indicator_id)
        return self.totals[indicator_id]

    def hotspots(self, indicator_id: str, by: str = "node") -> pl.DataFrame:
        """Breakdown table: key, label, value, share, cumulative_share (largest first)."""
        self.indicator(indicator_id)
        if by not in BREAKDOWNS:
            raise InputError(
                Problem(
                    message=f"unknown breakdown {by!r}",
                    value=by,
                    hint="use one of " + ", ".join(BREAKDOWNS),
                )
            )
        return self.breakdowns[indicator_id][by]

    def totals_table(self) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "indicator": [i.id for i in self.indicators],
                "label": [i.label for i in self.indicators],
                "total": [self.totals[i.id] for i in self.indicators],
                "unit": [i.unit for i in self.indicators],
                "method": [" | ".join(i.method) for i in self.indicators],
            }
        )


@dataclass
class ForegroundSystem:
    """The case's foreground as index arrays, ready for a datapackage."""

    node_ids: dict[str, int]
    technosphere: list[tuple[int, int, float, bool]]
    biosphere: list[tuple[int, int, float]]
    purchases: dict[str, list[tuple[int, float]]]


def build_foreground(case: Case, project: Project) -> ForegroundSystem:
    """Translate nodes and flows into matrix entries (ids of the Brightway project)."""
    node_ids = {node_id: FOREGROUND_ID_START + i for i, node_id in enumerate(case.nodes)}
    technosphere: list[tuple[int, int, float, bool]] = []
    biosphere: list[tuple[int, int, float]] = []
    purchases: dict[str, list[tuple[int, float]]] = {node_id: [] for node_id in case.nodes}
    problems: list[Problem] = []
    for node_id, node in case.nodes.items():
        technosphere.append((node_ids[node_id], node_ids[node_id], node.output_amount, False))
    for flow in case.flows:
        consumer = node_ids[flow.node]
        amount = flow.amount_in_reference
        if flow.kind == "node":
            technosphere.append((node_ids[flow.input], consumer, amount, True))
        elif flow.kind in BACKGROUND_KINDS:
            supplier = project.process_ids.get(flow.input)
            if supplier is None:
                problems.append(_not_in_project(case, flow.row, flow.input))
                continue
            # A credit is an avoided purchase: the node supplies that product instead of buying it.
            flipped = flow.kind != "credit"
            technosphere.append((supplier, consumer, amount, flipped))
            purchases[flow.node].append((supplier, amount if flipped else -amount))
        elif flow.kind in ELEMENTARY_KINDS:
            elementary = project.biosphere_ids.get(flow.input)
            if elementary is None:
                by_code = project.catalogue.elementary_by_code().get(flow.input)
                elementary = project.biosphere_ids.get(by_code.id) if by_code else None
            if elementary is None:
                problems.append(_not_in_project(case, flow.row, flow.input))
                continue
            biosphere.append((elementary, consumer, amount))
    if problems:
        raise InputError(problems)
    return ForegroundSystem(node_ids, technosphere, biosphere, purchases)


def _not_in_project(case: Case, row: int | None, value: str) -> Problem:
    return Problem(
        file=str(case.path) if case.path else None,
        sheet="flows",
        row=row,
        column="input",
        value=value,
        message=f"{value!r} is not in the background databases of the project",
        hint="the case was validated against another inventory; validate it again",
    )


def _datapackage(system: ForegroundSystem) -> Any:
    import bw_processing as bwp

    package = bwp.create_datapackage(sequential=True)
    tech = system.technosphere
    package.add_persistent_vector(
        matrix="technosphere_matrix",
        name="scenat-foreground-technosphere",
        indices_array=np.array([(r, c) for r, c, _, _ in tech], dtype=bwp.INDICES_DTYPE),
        data_array=np.array([v for _, _, v, _ in tech], dtype=np.float64),
        flip_array=np.array([f for _, _, _, f in tech], dtype=bool),
    )
    if system.biosphere:
        bio = system.biosphere
        package.add_persistent_vector(
            matrix="biosphere_matrix",
            name="scenat-foreground-biosphere",
            indices_array=np.array([(r, c) for r, c, _ in bio], dtype=bwp.INDICES_DTYPE),
            data_array=np.array([v for _, _, v in bio], dtype=np.float64),
        )
    return package


def _characterisation_vector(package: Any, biosphere_rows: dict[int, int]) -> np.ndarray:
    """Characterisation factors as a vector over the LCA's biosphere rows."""
    vector = np.zeros(len(biosphere_rows))
    for resource in package.filter_by_attribute("matrix", "characterization_matrix").resources:
        if resource["kind"] != "indices":
            continue
        group = resource["group"]
        indices = package.get_resource(f"{group}.indices")[0]
        data = package.get_resource(f"{group}.data")[0]
        for (flow_id, _geo), value in zip(indices.tolist(), data.tolist()):
            row = biosphere_rows.get(flow_id)
            if row is not None:
                vector[row] += value
    return vector


def assess(case: Case, indicators: list[str] | None = None) -> Assessment:
    """Assess a validated case on the embedded background.

    Contributions by node, tier, stage, process and flow each sum to the total.
    """
    chosen = resolve(indicators)
    project = ensure_project()
    import_brightway()
    import bw2calc as bc

    system = build_foreground(case, project)
    reference = system.node_ids[case.reference_node]
    with quiet_stdout(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lca = bc.LCA(
            {reference: case.reference_amount},
            data_objs=[*project.background_datapackages(), _datapackage(system)],
        )
        lca.lci(factorize=True)

    supply = np.asarray(lca.supply_array, dtype=float)
    biosphere = lca.biosphere_matrix.tocsr()
    activity_col = lca.dicts.activity
    product_row = lca.dicts.product
    biosphere_row = lca.dicts.biosphere
    reverse_activity = {col: key for key, col in activity_col.items()}
    reverse_biosphere = {row: key for key, row in biosphere_row.items()}
    foreground_cols = np.array([activity_col[i] for i in system.node_ids.values()])
    is_foreground = np.zeros(len(supply), dtype=bool)
    is_foreground[foreground_cols] = True

    # Each node's direct inventory and the cradle-to-gate inventory of what it buys.
    node_order = list(system.node_ids)
    direct = np.zeros((biosphere.shape[0], len(node_order)))
    purchased = np.zeros((biosphere.shape[0], len(node_order)))
    for j, node_id in enumerate(node_order):
        col = activity_col[system.node_ids[node_id]]
        x_node = supply[col]
        direct[:, j] = biosphere[:, col].toarray().ravel() * x_node
        if not system.purchases[node_id] or x_node == 0.0:
            continue
        rhs = np.zeros(len(product_row))
        for supplier, amount in system.purchases[node_id]:
            rhs[product_row[supplier]] += amount * x_node
        upstream = np.asarray(lca.solve_linear_system(rhs), dtype=float)
        # Background never buys from the foreground, so only background columns carry flows.
        upstream[is_foreground] = 0.0
        purchased[:, j] = biosphere @ upstream

    nodes = case.nodes
    activity_keys: list[str] = []
    activity_labels: list[str] = []
    activity_kind: list[str] = []
    node_by_fg_id = {v: k for k, v in system.node_ids.items()}
    for col in range(len(supply)):
        key = reverse_activity[col]
        if key in node_by_fg_id:
            node = nodes[node_by_fg_id[key]]
            activity_keys.append(node.id)
            activity_labels.append(f"{node.name} (direct, foreground)")
            activity_kind.append("foreground")
        else:
            code, label = project.process_names.get(key, (str(key), str(key)))
            activity_keys.append(code)
            activity_labels.append(label)
            activity_kind.append("background")
    flow_keys = []
    flow_labels = []
    for row in range(biosphere.shape[0]):
        key, label, _unit = project.biosphere_info.get(reverse_biosphere[row], (str(row), "", ""))
        flow_keys.append(key)
        flow_labels.append(label)

    totals: dict[str, float] = {}
    breakdowns: dict[str, dict[str, pl.DataFrame]] = {}
    with quiet_stdout():
        for ind in chosen:
            cf = _characterisation_vector(project.method_datapackage(ind.id), biosphere_row)
            total = float(cf @ (biosphere @ supply))
            totals[ind.id] = total
            by_node = cf @ direct + cf @ purchased
            tiers = group_sum(by_node, [nodes[n].tier for n in node_order])
            stages = group_sum(by_node, [nodes[n].stage for n in node_order])
            breakdowns[ind.id] = {
                "node": _table(node_order, [nodes[n].name for n in node_order], by_node, total),
                "tier": _table(
                    [str(t) for t in tiers],
                    [f"tier {t}" for t in tiers],
                    list(tiers.values()),
                    total,
                ),
                "stage": _table(
                    list(map(str, stages)),
                    [str(s).replace("_", " ") for s in stages],
                    list(stages.values()),
                    total,
                ),
                "process": _table(
                    activity_keys,
                    activity_labels,
                    activity_contributions(cf, biosphere, supply),
                    total,
                    extra={"kind": activity_kind},
                ),
                "flow": _table(
                    flow_keys, flow_labels, flow_contributions(cf, biosphere, supply), total
                ),
            }
    supply_by_node = {n: float(supply[activity_col[system.node_ids[n]]]) for n in node_order}
    return Assessment(
        case=case,
        indicators=chosen,
        totals=totals,
        breakdowns=breakdowns,
        supply=supply_by_node,
        inventory_version=project.catalogue.version,
        warnings=list(case.metadata.get("warnings", [])),
    )


def _table(
    keys: list[str],
    labels: list[str],
    values: Any,
    total: float,
    extra: dict[str, list[Any]] | None = None,
) -> pl.DataFrame:
    """A breakdown table, largest contribution first, zero rows dropped."""
    values = np.asarray(values, dtype=float)
    # Round-off from the per-node solves (~1e-17) is not a contribution; drop it, not the sum.
    values = np.where(np.abs(values) <= 1e-13 * np.abs(values).sum(), 0.0, values)
    columns: dict[str, Any] = {"key": keys, "label": labels, "value": values}
    if extra:
        columns.update(extra)
    frame = pl.DataFrame(columns).filter(pl.col("value") != 0.0)
    frame = frame.sort("value", descending=True, maintain_order=True)
    share = shares(frame["value"].to_numpy(), total)
    return frame.with_columns(
        pl.Series("share", share),
        pl.Series("cumulative_share", np.cumsum(share)),
    )
