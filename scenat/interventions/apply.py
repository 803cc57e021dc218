"""Applying an intervention: a modified copy of the case, the original untouched.

>>> from scenat.casefile import read_case, resolve_case
>>> from scenat.interventions.library import load_library
>>> case = read_case(resolve_case("bicycle"))
>>> ppa = next(i for i in load_library() if i.id == "renewable_electricity_ppa")
>>> modified = apply(case, ppa)
>>> sum(f.amount_in_reference for f in modified.flows) < sum(
...     f.amount_in_reference for f in case.flows)
True
>>> case.flows == read_case(resolve_case("bicycle")).flows  # the original is untouched
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from scenat.brightway import project_catalogue
from scenat.interventions.columns import INDEX, FlowTable
from scenat.interventions.functions import FUNCTION_PREFIX, Functions, shipped_functions
from scenat.interventions.library import Intervention
from scenat.interventions.matching import matched_flows, matched_rows, unit_factor, units_per_row
from scenat.model.case import Case, Flow, Uncertainty
from scenat.model.catalogue import Catalogue
from scenat.model.schema import ELEMENTARY_KINDS
from scenat.model.units import conversion_factor


def _scaled_uncertainty(unc: Uncertainty | None, k: float) -> Uncertainty | None:
    if unc is None:
        return None
    # A lognormal's sd/gsd is of ln(amount) and does not change when the amount is scaled.
    sd = unc.sd * k if (unc.sd is not None and unc.distribution != "lognormal") else unc.sd
    return replace(
        unc,
        sd=sd,
        minimum=unc.minimum * k if unc.minimum is not None else None,
        maximum=unc.maximum * k if unc.maximum is not None else None,
    )


def _rescaled(flow: Flow, k: float, intervention_id: str) -> Flow:
    tags = [*flow.metadata.get("interventions", []), intervention_id]
    return _copy_with(
        flow,
        amount=flow.amount * k,
        amount_in_reference=flow.amount_in_reference * k,
        uncertainty=_scaled_uncertainty(flow.uncertainty, k),
        metadata={**flow.metadata, "interventions": tags},
    )


def _copy_with(flow: Flow, **changes: object) -> Flow:
    """``dataclasses.replace(flow, **changes)`` without re-running the generated
    ``__init__`` (Flow has no ``__post_init__``, so the copy is the same): an option on a
    50,000-node case rescales hundreds of thousands of flows, and ``replace`` is most of
    that time."""
    copy = object.__new__(Flow)
    copy.__dict__.update(flow.__dict__)
    copy.__dict__.update(changes)
    return copy


def _target_unit(
    target: str, kind: str, case: Case, catalogue: Catalogue
) -> str:  # validated on load
    if kind == "node":
        return case.nodes[target].output_unit
    if kind in ELEMENTARY_KINDS:
        flow = catalogue.elementary.get(target) or catalogue.elementary_by_code()[target]
        return flow.unit
    return catalogue.processes[target].unit


def _added_input(
    target: str,
    kind: str,
    bought: str,
    location: str | None,
    case: Case,
    catalogue: Catalogue,
    functions: Functions,
) -> tuple[str, str, float]:
    """``(input, its reference unit, units of it per unit the option gives)`` of a flow an
    option adds for a flow buying ``bought`` at a node located at ``location``.

    A function (``function:<name>``) becomes its member near the process bought, else near
    the node (:meth:`Functions.resolve`), and the option's amount is in the function's unit;
    any other input's amount is in its reference unit already (factor 1)."""
    if target.startswith(FUNCTION_PREFIX):
        name = target[len(FUNCTION_PREFIX) :]
        process = catalogue.processes.get(bought)
        member = functions.resolve(name, [process.location if process else None, location])
        unit = _target_unit(member, kind, case, catalogue)
        return member, unit, conversion_factor(functions.units[name], unit)
    return target, _target_unit(target, kind, case, catalogue), 1.0


def _in_input_unit(
    target: str,
    kind: str,
    amount: float,
    flow: Flow,
    case: Case,
    catalogue: Catalogue,
    functions: Functions,
) -> tuple[str, str, float]:
    """``(input, its reference unit, amount in it)`` of a flow an option adds for ``flow``
    (``amount`` as the option gives it, see :func:`_added_input`)."""
    location = case.nodes[flow.node].location
    put, unit, factor = _added_input(target, kind, flow.input, location, case, catalogue, functions)
    return put, unit, amount * factor


def _keep(iv: Intervention) -> float:
    """The share of a matched flow's amount the option leaves it."""
    if iv.action == "scale":
        return 1.0 - iv.share + iv.share * float(iv.factor)  # type: ignore[arg-type]
    if iv.action in ("remove", "substitute"):
        return 1.0 - iv.share
    return 1.0  # add


def _extra_flow(
    iv: Intervention, flow: Flow, case: Case, catalogue: Catalogue, functions: Functions
) -> Flow:
    """The option's extra input for one matched flow (e.g. its equipment's embodied burden).

    ``amount = matched amount (in the entry's unit) x share x extra_factor``, in the extra
    input's reference unit (a function's unit, converted to its member's)."""
    kind = str(iv.extra_kind)
    quantity = flow.amount_in_reference * (unit_factor(flow, iv.unit) or 0.0) * iv.share
    amount = quantity * float(iv.extra_factor)  # type: ignore[arg-type]
    target, unit, amount = _in_input_unit(
        str(iv.extra_input), kind, amount, flow, case, catalogue, functions
    )
    return Flow(
        node=flow.node,
        kind=kind,
        input=target,
        amount=amount,
        unit=unit,
        amount_in_reference=amount,
        reference_unit=unit,
        source=f"intervention {iv.id}",
        comment=f"extra input of {iv.name} for {flow.input}",
        row=flow.row,
        metadata={"interventions": [iv.id], "from_input": flow.input, "extra": True},
    )


def _applied_to(
    iv: Intervention, flow: Flow, case: Case, catalogue: Catalogue, functions: Functions
) -> list[Flow]:
    """What one matched flow becomes: itself rescaled (unless nothing is left), then the
    substitute or addition, then the extra input."""
    share, keep = iv.share, _keep(iv)
    out = []
    if keep > 0.0:
        out.append(flow if keep == 1.0 else _rescaled(flow, keep, iv.id))
    if iv.action in ("substitute", "add"):
        target = iv.to or flow.input
        kind = iv.to_kind or (flow.kind if iv.to is None else "process")
        quantity = flow.amount_in_reference * (unit_factor(flow, iv.unit) or 0.0)
        amount = quantity * share * float(iv.factor)  # type: ignore[arg-type]
        if iv.to is None:
            # More of the same input: factor is in the entry's unit per unit.
            unit, reference_unit = iv.unit, flow.reference_unit
            in_reference = amount * conversion_factor(unit, reference_unit)
        else:
            target, unit, amount = _in_input_unit(
                target, kind, amount, flow, case, catalogue, functions
            )
            reference_unit, in_reference = unit, amount
        out.append(
            Flow(
                node=flow.node,
                kind=kind,
                input=target,
                amount=amount,
                unit=unit,
                amount_in_reference=in_reference,
                reference_unit=reference_unit,
                source=f"intervention {iv.id}",
                comment=f"{iv.action} for {flow.input} ({iv.name})",
                row=flow.row,
                metadata={"interventions": [iv.id], "from_input": flow.input},
            )
        )
    if iv.extra_input is not None:
        out.append(_extra_flow(iv, flow, case, catalogue, functions))
    return out


def apply(
    case: Case,
    intervention: Intervention,
    catalogue: Catalogue | None = None,
    *,
    matched: Sequence[int] | None = None,
) -> Case:
    """A modified copy of ``case`` with the intervention applied; the original is not changed.

    Flows the intervention creates (substitutes, additions) carry
    ``metadata["interventions"]`` and the row of the flow they came from, so results can be
    traced and errors located. ``matched``: the indices :func:`matched_flows` gives for
    this case, when known already.
    """
    catalogue = catalogue or project_catalogue()
    functions = shipped_functions()
    iv = intervention
    if matched is None:
        matched = matched_flows(case, iv, catalogue)
    flows: list[Flow] = []
    done = 0
    # The flows it does not take are kept as they are (the very objects), in order.
    for index in sorted(set(matched)):
        flows.extend(case.flows[done:index])
        flows.extend(_applied_to(iv, case.flows[index], case, catalogue, functions))
        done = index + 1
    flows.extend(case.flows[done:])
    applied = [*case.metadata.get("applied_interventions", []), iv.id]
    return case.copy(flows=flows, metadata={**case.metadata, "applied_interventions": applied})


def apply_rows(
    table: FlowTable, intervention: Intervention, matched: np.ndarray | None = None
) -> FlowTable:
    """:func:`apply` on a :class:`FlowTable`: the modified case's table, row for row the
    flows :func:`apply` makes, with the same amounts (``matched``: the rows
    :func:`matched_rows` gives, when known already).

    A matched row of amount ``a`` (``u`` units of the option per its reference unit) keeps
    ``a x keep`` (scale: ``1 - share + share x factor``; substitute, remove: ``1 - share``;
    add: 1), and is followed by the substitute or addition, ``a u share factor`` in the
    option's unit (more of the same input: converted to the row's reference unit; another
    input: to that input's, :func:`_added_input`), then the extra input ``a u share
    extra_factor``."""
    iv = intervention
    context = table.context
    rows = matched_rows(table, iv) if matched is None else np.unique(np.asarray(matched, np.int64))
    n = len(table)
    keep = _keep(iv)
    amount = table.amount.copy()
    alive = np.ones(n, dtype=np.int64)
    if keep <= 0.0:
        alive[rows] = 0
    elif keep != 1.0:
        amount[rows] = amount[rows] * keep
    quantity = table.amount[rows] * units_per_row(table, iv, rows)
    added: list[tuple[np.ndarray, np.ndarray]] = []  # (key, amount) of each added column
    if iv.action in ("substitute", "add"):
        moved = quantity * iv.share * float(iv.factor)  # type: ignore[arg-type]
        if iv.to is None:
            # More of the same input, in the entry's unit converted to the row's.
            key, factor = _same_input(table, iv, rows)
            added.append((key, moved * factor))
        else:
            key, factor = _other_input(table, iv.to, iv.to_kind or "process", rows)
            added.append((key, moved * factor))
    if iv.extra_input is not None:
        extra = quantity * iv.share * float(iv.extra_factor)  # type: ignore[arg-type]
        key, factor = _other_input(table, str(iv.extra_input), str(iv.extra_kind), rows)
        added.append((key, extra * factor))
    # The step as signed rows: the matched rows out (unless kept as they are), what they
    # became in.
    node_of, key_of = table.node[rows], table.key[rows]
    steps = [] if keep == 1.0 else [(node_of, key_of, -table.amount[rows])]
    if keep > 0.0 and keep != 1.0:
        steps.append((node_of, key_of, amount[rows]))
    steps.extend((node_of, key, column) for key, column in added)
    step = (
        tuple(np.concatenate([s[j] for s in steps]) for j in range(3))
        if steps
        else (np.zeros(0, dtype=INDEX), np.zeros(0, dtype=INDEX), np.zeros(0))
    )

    def materialise() -> Case:
        return apply(table.case, iv, context.catalogue, matched=rows.tolist())

    if not added and keep > 0.0:
        # Amounts rescaled in place: the same rows, sharing the other columns.
        return FlowTable(
            context,
            table.node,
            table.key,
            amount,
            table.origin,
            materialise,
            parent=table,
            step=step,  # type: ignore[arg-type]
        )
    # Row i of the table becomes alive[i] + (1 per added column if matched) rows, in place.
    count = alive.copy()
    count[rows] += len(added)
    start = np.cumsum(count) - count
    total = int(count.sum())
    node = np.empty(total, dtype=INDEX)
    keys = np.empty(total, dtype=INDEX)
    amounts = np.empty(total, dtype=float)
    origin = np.empty(total, dtype=INDEX)
    kept = np.flatnonzero(alive)
    at = start[kept]
    node[at], keys[at], amounts[at], origin[at] = (
        table.node[kept],
        table.key[kept],
        amount[kept],
        table.origin[kept],
    )
    at = start[rows] + alive[rows]
    for key, column in added:
        node[at], keys[at], amounts[at], origin[at] = table.node[rows], key, column, -1
        at = at + 1
    return FlowTable(
        context,
        node,
        keys,
        amounts,
        origin,
        materialise,
        parent=table,
        step=step,  # type: ignore[arg-type]
    )


def _same_input(
    table: FlowTable, iv: Intervention, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Key and entry-unit-to-reference-unit factor of "more of the same input" per row."""
    context = table.context
    used, inverse = np.unique(table.key[rows], return_inverse=True)
    codes, factors = [], []
    for k in used.tolist():
        kind, put, unit = context.keys[k]
        codes.append(context.code(iv.to_kind or kind, put, unit))
        factors.append(conversion_factor(iv.unit, unit))
    inverse = inverse.ravel()
    return np.array(codes, dtype=INDEX)[inverse], np.array(factors, dtype=float)[inverse]


def _other_input(
    table: FlowTable, target: str, kind: str, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Key and option-unit-to-reference-unit factor of an added input per row
    (:func:`_added_input`: decided once per input bought and place of the node)."""
    context = table.context
    case = context.case
    if not len(rows):
        return np.zeros(0, dtype=INDEX), np.zeros(0)
    locations, where = context.locations()
    pair = table.key[rows].astype(np.int64) * (len(locations) + 1) + where[table.node[rows]]
    used, inverse = np.unique(pair, return_inverse=True)
    codes, factors = [], []
    for p in used.tolist():
        k, place = divmod(p, len(locations) + 1)
        bought = context.keys[k][1]
        found = context.added.get((target, kind, bought, place))
        if found is None:
            put, unit, factor = _added_input(
                target, kind, bought, locations[place], case, context.catalogue, context.functions
            )
            found = context.added[(target, kind, bought, place)] = (
                context.code(kind, put, unit),
                factor,
            )
        codes.append(found[0])
        factors.append(found[1])
    inverse = inverse.ravel()
    return np.array(codes, dtype=INDEX)[inverse], np.array(factors, dtype=float)[inverse]


def apply_all(
    case: Case, interventions: Sequence[Intervention], catalogue: Catalogue | None = None
) -> Case:
    """Apply several interventions in order (each sees the flows the earlier ones made)."""
    for iv in interventions:
        case = apply(case, iv, catalogue)
    return case
