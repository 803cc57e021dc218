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

from scenat.brightway.project import Project, ensure_project, import_brightway, quiet_stdout
from scenat.calc.lcamath import activity_contributions, flow_contributions, group_sum, shares
from scenat.calc.solver import FactorisedSystem
from scenat.errors import BackgroundError, InputError, Problem
from scenat.model.case import BACKGROUND_KINDS, ELEMENTARY_KINDS, Case
from scenat.model.indicators import Indicator, resolve

BREAKDOWNS = ("node", "tier", "stage", "process", "flow")
#: every breakdown ``Assessment.hotspots`` answers: the five above (which the app, compare
#: and the xlsx report iterate) plus the hybrid-screening split by data source
ALL_BREAKDOWNS = (*BREAKDOWNS, "data_source")
#: where a result comes from (``data_source`` breakdown): purchases of process data
#: (``process`` and ``credit`` flows), spend (EEIO) purchases, and the nodes' own emissions
DATA_SOURCES = ("process", "spend", "direct")
DATA_SOURCE_LABELS = {
    "process": "process data (background processes, credits included)",
    "spend": "spend data (EEIO sectors)",
    "direct": "direct emissions and resources (primary data)",
}
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
    linked: LinkedSystem | None = field(default=None, repr=False)
    notes: list[str] = field(default_factory=list)

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
        if by not in ALL_BREAKDOWNS:
            raise InputError(
                Problem(
                    message=f"unknown breakdown {by!r}",
                    value=by,
                    hint="use one of " + ", ".join(ALL_BREAKDOWNS),
                )
            )
        return self.breakdowns[indicator_id][by]

    def paths(self, indicator_id: str = "gwp100", top: int = 20, cutoff: float = 1e-3) -> Any:
        """Structural paths (a :class:`scenat.assessment.hotspots.PathTable`: ``.table``, ``.coverage``)."""
        from scenat.assessment.hotspots import paths

        return paths(self, indicator_id, top=top, cutoff=cutoff)

    def edges(self, expand_background: bool = False) -> pl.DataFrame:
        """Supply-chain graph edges with the impact flowing along each (see scenat.calc.graph)."""
        from scenat.calc.graph import supply_chain_edges

        return supply_chain_edges(self, expand_background=expand_background)

    def all_hotspots(self) -> pl.DataFrame:
        """Every breakdown of every indicator in one long table."""
        from scenat.assessment.hotspots import all_hotspots

        return all_hotspots(self)

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
    #: per node, the flow kind of each purchase (same order as ``purchases``)
    purchase_kinds: dict[str, list[str]] = field(default_factory=dict)


def build_foreground(case: Case, project: Project) -> ForegroundSystem:
    """Translate nodes and flows into matrix entries (ids of the Brightway project)."""
    node_ids = {node_id: FOREGROUND_ID_START + i for i, node_id in enumerate(case.nodes)}
    technosphere: list[tuple[int, int, float, bool]] = []
    biosphere: list[tuple[int, int, float]] = []
    purchases: dict[str, list[tuple[int, float]]] = {node_id: [] for node_id in case.nodes}
    kinds: dict[str, list[str]] = {node_id: [] for node_id in case.nodes}
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
            kinds[flow.node].append(flow.kind)
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
    return ForegroundSystem(node_ids, technosphere, biosphere, purchases, kinds)


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


@dataclass
class LinkedSystem:
    """The case linked to its background: matrices, supply, factors and labels, kept factorised.

    Rows and columns of ``technosphere`` are in one order (product ``i`` is made by activity
    ``i``), so ``technosphere[j, k]`` is what activity ``k`` exchanges with product ``j``.
    """

    solver: FactorisedSystem
    technosphere: Any  # scipy csr, products x activities, same order
    biosphere: Any  # scipy csr, flows x activities
    demand: np.ndarray
    supply: np.ndarray
    cf: dict[str, np.ndarray]
    node_order: list[str]
    node_cols: dict[str, int]
    is_foreground: np.ndarray
    purchases: dict[str, list[tuple[int, float]]]  # node -> [(column of bg process, amount)]
    activity_keys: list[str]
    activity_labels: list[str]
    activity_kind: list[str]
    flow_keys: list[str]
    flow_labels: list[str]
    _scores: dict[str, np.ndarray] = field(default_factory=dict)
    #: per node, the flow kind (process, spend, credit) of each entry of ``purchases``
    purchase_kinds: dict[str, list[str]] = field(default_factory=dict)

    def total(self, indicator_id: str) -> float:
        return float(self.cf[indicator_id] @ (self.biosphere @ self.supply))

    def direct_intensity(self, indicator_id: str) -> np.ndarray:
        """Impact of each activity's own exchanges per activity run: ``c B``."""
        return np.asarray(self.biosphere.T @ self.cf[indicator_id]).ravel()

    def scores(self, indicator_id: str) -> np.ndarray:
        """Cradle-to-gate impact per unit of each product, ``c B A^-1`` (one adjoint solve)."""
        if indicator_id not in self._scores:
            self._scores[indicator_id] = self.solver.solve_transposed(
                self.direct_intensity(indicator_id)
            )
        return self._scores[indicator_id]


def link(
    case: Case, project: Project | None = None, indicators: list[Indicator] | None = None
) -> LinkedSystem:
    """Build, factorise and solve the case's system on the embedded background."""
    chosen = indicators or resolve(None)
    project = project or ensure_project()
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
    activity_col = lca.dicts.activity
    product_row = lca.dicts.product
    order = np.array([activity_col[key] for key in sorted(product_row, key=product_row.get)])
    if not np.array_equal(order, np.arange(len(order))):
        raise BackgroundError("bw2calc ordered products and activities differently")
    solver = FactorisedSystem.from_lca(lca)
    supply = np.asarray(lca.supply_array, dtype=float)
    biosphere = lca.biosphere_matrix.tocsr()
    reverse_activity = {col: key for key, col in activity_col.items()}
    reverse_biosphere = {row: key for key, row in lca.dicts.biosphere.items()}
    node_cols = {n: activity_col[i] for n, i in system.node_ids.items()}
    is_foreground = np.zeros(len(supply), dtype=bool)
    is_foreground[list(node_cols.values())] = True
    node_by_col = {col: n for n, col in node_cols.items()}
    keys, labels, kinds = [], [], []
    for col in range(len(supply)):
        if col in node_by_col:
            node = case.nodes[node_by_col[col]]
            keys.append(node.id)
            labels.append(f"{node.name} (direct, foreground)")
            kinds.append("foreground")
        else:
            key = reverse_activity[col]
            code, label = project.process_names.get(key, (str(key), str(key)))
            keys.append(code)
            labels.append(label)
            kinds.append("background")
    flow_keys, flow_labels = [], []
    for row in range(biosphere.shape[0]):
        key, label, _unit = project.biosphere_info.get(reverse_biosphere[row], (str(row), "", ""))
        flow_keys.append(key)
        flow_labels.append(label)
    with quiet_stdout():
        cf = {
            ind.id: _characterisation_vector(
                project.method_datapackage(ind.id), lca.dicts.biosphere
            )
            for ind in chosen
        }
    return LinkedSystem(
        solver=solver,
        technosphere=lca.technosphere_matrix.tocsr(),
        biosphere=biosphere,
        demand=np.asarray(lca.demand_array, dtype=float),
        supply=supply,
        cf=cf,
        node_order=list(system.node_ids),
        node_cols=node_cols,
        is_foreground=is_foreground,
        purchases={
            n: [(product_row[p], amount) for p, amount in items]
            for n, items in system.purchases.items()
        },
        activity_keys=keys,
        activity_labels=labels,
        activity_kind=kinds,
        flow_keys=flow_keys,
        flow_labels=flow_labels,
        purchase_kinds=system.purchase_kinds,
    )


def data_source_inventories(linked: LinkedSystem) -> dict[str, np.ndarray]:
    """The system's inventory split by data source: ``process``, ``spend`` and ``direct``.

    ``direct`` is the nodes' own exchanges; ``process`` and ``spend`` are the cradle-to-gate
    inventories of the nodes' purchases by flow kind (credits, being avoided process
    purchases, count with ``process``). One batched solve; the three sum to ``B s``.
    """
    n_flows = linked.biosphere.shape[0]
    out = {name: np.zeros(n_flows) for name in DATA_SOURCES}
    rhs = np.zeros((len(linked.supply), 2))
    for node_id in linked.node_order:
        col = linked.node_cols[node_id]
        x_node = linked.supply[col]
        out["direct"] += linked.biosphere[:, col].toarray().ravel() * x_node
        kinds = linked.purchase_kinds.get(node_id) or []
        for i, (row, amount) in enumerate(linked.purchases[node_id]):
            kind = kinds[i] if i < len(kinds) else "process"
            rhs[row, 1 if kind == "spend" else 0] += amount * x_node
    if rhs.any():
        upstream = linked.solver.solve(rhs).reshape(rhs.shape)
        upstream[linked.is_foreground, :] = 0.0
        inventory = np.asarray(linked.biosphere @ upstream)
        out["process"], out["spend"] = inventory[:, 0], inventory[:, 1]
    return out


def node_inventories(linked: LinkedSystem) -> tuple[np.ndarray, np.ndarray]:
    """Per node: its direct inventory and the cradle-to-gate inventory of what it buys.

    Both flows x nodes, scaled by the node's supply; one batched solve for all nodes.
    """
    n_flows = linked.biosphere.shape[0]
    direct = np.zeros((n_flows, len(linked.node_order)))
    rhs = np.zeros((len(linked.supply), len(linked.node_order)))
    for j, node_id in enumerate(linked.node_order):
        col = linked.node_cols[node_id]
        x_node = linked.supply[col]
        direct[:, j] = linked.biosphere[:, col].toarray().ravel() * x_node
        for row, amount in linked.purchases[node_id]:
            rhs[row, j] += amount * x_node
    purchased = np.zeros_like(direct)
    if rhs.any():
        upstream = linked.solver.solve(rhs).reshape(rhs.shape)
        # Background never buys from the foreground, so only background columns carry flows.
        upstream[linked.is_foreground, :] = 0.0
        purchased = np.asarray(linked.biosphere @ upstream)
    return direct, purchased


def assess(case: Case, indicators: list[str] | None = None) -> Assessment:
    """Assess a validated case on the embedded background.

    Contributions by node, tier, stage, process and flow each sum to the total.
    """
    chosen = resolve(indicators)
    linked = link(case, indicators=chosen)
    totals, breakdowns = compute_breakdowns(case, linked, chosen)
    supply_by_node = {n: float(linked.supply[linked.node_cols[n]]) for n in linked.node_order}
    return Assessment(
        case=case,
        indicators=chosen,
        totals=totals,
        breakdowns=breakdowns,
        supply=supply_by_node,
        inventory_version=ensure_project().catalogue.version,
        warnings=list(case.metadata.get("warnings", [])),
        linked=linked,
        notes=_notes(chosen, totals, linked),
    )


def _notes(chosen: list[Indicator], totals: dict[str, float], linked: LinkedSystem) -> list[str]:
    """Say so when an indicator is zero because nothing in the system is characterised by it."""
    notes = []
    inventory = np.asarray(linked.biosphere @ linked.supply).ravel()
    for ind in chosen:
        if totals[ind.id] == 0.0:
            reached = np.flatnonzero((linked.cf[ind.id] != 0) & (inventory != 0))
            if len(reached) == 0:
                notes.append(
                    f"{ind.id} is 0: no elementary flow in this supply chain's inventory has a "
                    f"factor in {' | '.join(ind.method)}; the background data may not record "
                    "these flows (the starter inventory records no metal resources, for one)"
                )
    return notes


def compute_breakdowns(
    case: Case, linked: LinkedSystem, chosen: list[Indicator]
) -> tuple[dict[str, float], dict[str, dict[str, pl.DataFrame]]]:
    """Totals and the five breakdown tables per indicator, from a linked system."""
    direct, purchased = node_inventories(linked)
    by_source = data_source_inventories(linked)
    nodes = case.nodes
    node_order = linked.node_order
    totals: dict[str, float] = {}
    breakdowns: dict[str, dict[str, pl.DataFrame]] = {}
    for ind in chosen:
        cf = linked.cf[ind.id]
        total = linked.total(ind.id)
        totals[ind.id] = total
        by_node = cf @ direct + cf @ purchased
        tiers = group_sum(by_node, [nodes[n].tier for n in node_order])
        stages = group_sum(by_node, [nodes[n].stage for n in node_order])
        breakdowns[ind.id] = {
            "node": _table(node_order, [nodes[n].name for n in node_order], by_node, total),
            "tier": _table(
                [str(t) for t in tiers], [f"tier {t}" for t in tiers], list(tiers.values()), total
            ),
            "stage": _table(
                list(map(str, stages)),
                [str(s).replace("_", " ") for s in stages],
                list(stages.values()),
                total,
            ),
            "process": _table(
                linked.activity_keys,
                linked.activity_labels,
                activity_contributions(cf, linked.biosphere, linked.supply),
                total,
                extra={"kind": linked.activity_kind},
            ),
            "flow": _table(
                linked.flow_keys,
                linked.flow_labels,
                flow_contributions(cf, linked.biosphere, linked.supply),
                total,
            ),
            "data_source": _table(
                list(DATA_SOURCES),
                [DATA_SOURCE_LABELS[k] for k in DATA_SOURCES],
                [float(cf @ by_source[k]) for k in DATA_SOURCES],
                total,
            ),
        }
    return totals, breakdowns


def _table(
    keys: list[str],
    labels: list[str],
    values: Any,
    total: float,
    extra: dict[str, list[Any]] | None = None,
) -> pl.DataFrame:
    """A breakdown table, largest first, zero rows dropped, the 80 % set marked.

    ``in_80`` marks the smallest set of items (largest first) whose sum reaches 80 % of the
    total; the other rows stay listed one by one, never lumped into a "rest".
    """
    values = np.asarray(values, dtype=float)
    # Round-off from the per-node solves (~1e-17) is not a contribution; drop it, not the sum.
    values = np.where(np.abs(values) <= 1e-13 * np.abs(values).sum(), 0.0, values)
    columns: dict[str, Any] = {"key": keys, "label": labels, "value": values}
    if extra:
        columns.update(extra)
    frame = pl.DataFrame(columns).filter(pl.col("value") != 0.0)
    frame = frame.sort("value", descending=True, maintain_order=True)
    share = shares(frame["value"].to_numpy(), total)
    cumulative = np.cumsum(share)
    reached = np.flatnonzero(cumulative >= 0.8 - 1e-12)
    cut = int(reached[0]) + 1 if len(reached) and total > 0 else len(share)
    return frame.with_columns(
        pl.Series("share", share),
        pl.Series("cumulative_share", cumulative),
        pl.Series("in_80", np.arange(len(share)) < cut),
    )
