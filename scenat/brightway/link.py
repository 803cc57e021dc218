"""Linking a case to the Brightway project: the foreground as an in-memory datapackage, one
bw2calc factorisation, and the :class:`~scenat.calc.linked.LinkedSystem` every result uses.

The case's nodes become foreground activities in a float64 ``bw_processing`` datapackage
(no database write per case), combined with the stored background and biosphere data of
the embedded project. bw2calc factorises the technosphere once; every further solve reuses
that factorisation. Monte Carlo over background distributions starts from the same link
(:func:`background_entries` reads the stored distributions in the link's index space).

>>> import scenat
>>> from scenat.paths import examples_dir
>>> linked = link(scenat.read_case(examples_dir() / "bicycle"))
>>> linked.node_order[0], linked.total("gwp100") > 0
('bike_assembly', True)
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from scenat.brightway.project import Project, ensure_project, import_brightway, quiet_stdout
from scenat.calc.linked import LinkedSystem
from scenat.calc.solver import FactorisedSystem
from scenat.errors import BackgroundError, InputError, Problem
from scenat.model.case import Case
from scenat.model.indicators import Indicator, resolve
from scenat.model.schema import BACKGROUND_KINDS, ELEMENTARY_KINDS

#: first integer id of foreground activities; bw2data node ids are 64-bit snowflakes, far above
FOREGROUND_ID_START = 1


@dataclass
class ForegroundSystem:
    """The case's foreground as index arrays, ready for a datapackage."""

    node_ids: dict[str, int]
    technosphere: list[tuple[int, int, float, bool]]
    biosphere: list[tuple[int, int, float]]
    purchases: dict[str, list[tuple[int, float]]]
    #: per node, the flow kind of each purchase (same order as ``purchases``)
    purchase_kinds: dict[str, list[str]] = field(default_factory=dict)
    #: per flow of the case, in order: (matrix, index into ``technosphere``/``biosphere``)
    flow_entries: list[tuple[str, int]] = field(default_factory=list)


def build_foreground(case: Case, project: Project) -> ForegroundSystem:
    """Translate nodes and flows into matrix entries (ids of the Brightway project)."""
    node_ids = {node_id: FOREGROUND_ID_START + i for i, node_id in enumerate(case.nodes)}
    technosphere: list[tuple[int, int, float, bool]] = []
    biosphere: list[tuple[int, int, float]] = []
    purchases: dict[str, list[tuple[int, float]]] = {node_id: [] for node_id in case.nodes}
    kinds: dict[str, list[str]] = {node_id: [] for node_id in case.nodes}
    problems: list[Problem] = []
    entries: list[tuple[str, int]] = []
    for node_id, node in case.nodes.items():
        technosphere.append((node_ids[node_id], node_ids[node_id], node.output_amount, False))
    for flow in case.flows:
        consumer = node_ids[flow.node]
        amount = flow.amount_in_reference
        if flow.kind == "node":
            entries.append(("technosphere", len(technosphere)))
            technosphere.append((node_ids[flow.input], consumer, amount, True))
        elif flow.kind in BACKGROUND_KINDS:
            supplier = project.process_ids.get(flow.input)
            if supplier is None:
                problems.append(_not_in_project(case, flow.row, flow.input))
                continue
            # A credit is an avoided purchase: the node supplies that product instead of buying it.
            flipped = flow.kind != "credit"
            entries.append(("technosphere", len(technosphere)))
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
            entries.append(("biosphere", len(biosphere)))
            biosphere.append((elementary, consumer, amount))
    if problems:
        raise InputError(problems)
    return ForegroundSystem(node_ids, technosphere, biosphere, purchases, kinds, entries)


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


def foreground_datapackage(system: ForegroundSystem) -> Any:
    """The foreground as an in-memory float64 ``bw_processing`` datapackage."""
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


def characterisation_vector(package: Any, biosphere_rows: dict[int, int]) -> np.ndarray:
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
    packages = project.background_datapackages()
    with quiet_stdout(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lca = bc.LCA(
            {reference: case.reference_amount},
            data_objs=[*packages, foreground_datapackage(system)],
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
    keys, labels, kinds, units = [], [], [], []
    shipped = dict(project.catalogue.processes)  # a plain copy: no look-ups of user databases
    for col in range(len(supply)):
        if col in node_by_col:
            node = case.nodes[node_by_col[col]]
            keys.append(node.id)
            labels.append(f"{node.name} (direct, foreground)")
            kinds.append("foreground")
            units.append(node.output_unit)
        else:
            key = reverse_activity[col]
            code, label = project.process_names.get(key, (str(key), str(key)))
            keys.append(code)
            labels.append(label)
            kinds.append("background")
            units.append(shipped[code].unit if code in shipped else "")
    flow_keys, flow_labels = [], []
    for row in range(biosphere.shape[0]):
        key, label, _unit = project.biosphere_info.get(reverse_biosphere[row], (str(row), "", ""))
        flow_keys.append(key)
        flow_labels.append(label)
    with quiet_stdout():
        cf = {
            ind.id: characterisation_vector(project.method_datapackage(ind.id), lca.dicts.biosphere)
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
        activity_units=units,
        source=LinkSource(
            project=project,
            packages=packages,
            product_rows=dict(product_row),
            activity_cols=dict(activity_col),
            biosphere_rows=dict(lca.dicts.biosphere),
            foreground=system,
        ),
    )


@dataclass
class LinkSource:
    """What :func:`link` keeps of Brightway to go back to the stored data: the datapackages
    and bw2calc's maps from node ids to matrix rows and columns."""

    project: Project
    packages: list[Any]
    product_rows: dict[int, int]
    activity_cols: dict[int, int]
    biosphere_rows: dict[int, int]
    foreground: ForegroundSystem


#: one block of matrix entries: rows, cols, amount (as stored), flip, stats_arrays parameters
Entries = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]


def _resources(package: Any, matrix: str) -> list[dict[str, np.ndarray]]:
    """Per resource group of ``matrix``: indices, data, flip, distributions, reference."""
    groups: dict[str, dict[str, np.ndarray]] = {}
    for resource in package.filter_by_attribute("matrix", matrix).resources:
        if resource.get("category") not in (None, "vector"):
            continue
        array = package.get_resource(resource["name"])[0]
        groups.setdefault(resource["group"], {})[resource["kind"]] = array
    return [g for g in groups.values() if "indices" in g and "data" in g]


def background_entries(linked: LinkedSystem) -> dict[str, list[tuple[Entries, np.ndarray]]]:
    """The stored background exchanges of a linked case in its matrix index space, with their
    distributions (a ``distributions`` array per block, or None) and, per block, which entries
    are reference (production) exchanges.

    Returns ``{"technosphere": [...], "biosphere": [...]}`` of ``(entries, is_reference)``.
    """
    source = _source(linked)
    out: dict[str, list[tuple[Entries, np.ndarray]]] = {"technosphere": [], "biosphere": []}
    for package in source.packages:
        for name, row_dict in (
            ("technosphere", source.product_rows),
            ("biosphere", source.biosphere_rows),
        ):
            for group in _resources(package, f"{name}_matrix"):
                indices = group["indices"]
                activity = source.activity_cols
                keep = np.array(
                    [r in row_dict and c in activity for r, c in indices.tolist()], dtype=bool
                )
                if not keep.any():
                    continue
                rows = np.array([row_dict[r] for r in indices["row"][keep].tolist()])
                cols = np.array([activity[c] for c in indices["col"][keep].tolist()])
                amount = np.asarray(group["data"], dtype=np.float64)[keep]
                flip = group.get("flip")
                flip = (
                    np.asarray(flip, dtype=bool)[keep]
                    if flip is not None
                    else np.zeros(len(rows), dtype=bool)
                )
                params = group.get("distributions")
                reference = group.get("reference")
                is_reference = (
                    np.asarray(reference, dtype=bool)[keep]
                    if reference is not None
                    else (rows == cols) & (name == "technosphere")
                )
                entries = (rows, cols, amount, flip, params[keep] if params is not None else None)
                out[name].append((entries, is_reference))
    return out


def foreground_entries(linked: LinkedSystem) -> dict[str, Entries]:
    """The case's foreground entries in the linked matrix index space (no distributions:
    foreground flows are sampled per flow), in the order :func:`build_foreground` made them;
    ``ForegroundSystem.flow_entries`` says which entry belongs to which flow of the case."""
    source = _source(linked)
    system = source.foreground
    tech = system.technosphere
    bio = system.biosphere
    out: dict[str, Entries] = {
        "technosphere": (
            np.array([source.product_rows[r] for r, _c, _v, _f in tech], dtype=np.int64),
            np.array([source.activity_cols[c] for _r, c, _v, _f in tech], dtype=np.int64),
            np.array([v for _r, _c, v, _f in tech], dtype=float),
            np.array([f for _r, _c, _v, f in tech], dtype=bool),
            None,
        )
    }
    if bio:
        out["biosphere"] = (
            np.array([source.biosphere_rows[r] for r, _c, _v in bio], dtype=np.int64),
            np.array([source.activity_cols[c] for _r, c, _v in bio], dtype=np.int64),
            np.array([v for _r, _c, v in bio], dtype=float),
            np.zeros(len(bio), dtype=bool),
            None,
        )
    return out


def _source(linked: LinkedSystem) -> LinkSource:
    if not isinstance(linked.source, LinkSource):
        raise BackgroundError(
            "this linked system has no Brightway source (it was built elsewhere or unpickled): "
            "link the case again in this process"
        )
    return linked.source
