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

from scenat.brightway import project_catalogue
from scenat.interventions.functions import FUNCTION_PREFIX, shipped_functions
from scenat.interventions.library import Intervention
from scenat.interventions.matching import Matcher, unit_factor
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


def _provider(target: str, flow: Flow, case: Case, catalogue: Catalogue) -> tuple[str, str]:
    """The process of ``function:<name>`` near the matched flow's process, else near its
    node; and the function's unit."""
    functions = shipped_functions()
    name = target[len(FUNCTION_PREFIX) :]
    bought = catalogue.processes.get(flow.input)
    near = [bought.location if bought is not None else None, case.nodes[flow.node].location]
    return functions.resolve(name, near), functions.units[name]


def _in_input_unit(
    target: str, kind: str, amount: float, flow: Flow, case: Case, catalogue: Catalogue
) -> tuple[str, str, float]:
    """``(input, its reference unit, amount in it)`` of a flow an option adds for ``flow``.

    A function (``function:<name>``) becomes its member in the same place as ``flow``, and
    ``amount`` is in the function's unit; any other input's ``amount`` is in its reference
    unit already."""
    if target.startswith(FUNCTION_PREFIX):
        member, function_unit = _provider(target, flow, case, catalogue)
        unit = _target_unit(member, kind, case, catalogue)
        return member, unit, amount * conversion_factor(function_unit, unit)
    return target, _target_unit(target, kind, case, catalogue), amount


def _extra_flow(iv: Intervention, flow: Flow, case: Case, catalogue: Catalogue) -> Flow:
    """The option's extra input for one matched flow (e.g. its equipment's embodied burden).

    ``amount = matched amount (in the entry's unit) x share x extra_factor``, in the extra
    input's reference unit (a function's unit, converted to its member's)."""
    kind = str(iv.extra_kind)
    quantity = flow.amount_in_reference * (unit_factor(flow, iv.unit) or 0.0) * iv.share
    amount = quantity * float(iv.extra_factor)  # type: ignore[arg-type]
    target, unit, amount = _in_input_unit(str(iv.extra_input), kind, amount, flow, case, catalogue)
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
    traced and errors located.
    """
    catalogue = catalogue or project_catalogue()
    iv = intervention
    share = iv.share
    flows: list[Flow] = []
    # ``matched``: the indices :func:`matched_flows` found for this case, when known already.
    taken = set(matched) if matched is not None else None
    matcher = Matcher(iv, case, catalogue, shipped_functions()) if taken is None else None
    for index, flow in enumerate(case.flows):
        if not (index in taken if taken is not None else matcher(flow)):  # type: ignore[misc]
            flows.append(flow)
            continue
        if iv.action == "scale":
            keep = 1.0 - share + share * float(iv.factor)  # type: ignore[arg-type]
        elif iv.action in ("remove", "substitute"):
            keep = 1.0 - share
        else:  # add
            keep = 1.0
        if keep > 0.0:
            flows.append(flow if keep == 1.0 else _rescaled(flow, keep, iv.id))
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
                target, unit, amount = _in_input_unit(target, kind, amount, flow, case, catalogue)
                reference_unit, in_reference = unit, amount
            flows.append(
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
            flows.append(_extra_flow(iv, flow, case, catalogue))
    applied = [*case.metadata.get("applied_interventions", []), iv.id]
    return case.copy(flows=flows, metadata={**case.metadata, "applied_interventions": applied})


def apply_all(
    case: Case, interventions: Sequence[Intervention], catalogue: Catalogue | None = None
) -> Case:
    """Apply several interventions in order (each sees the flows the earlier ones made)."""
    for iv in interventions:
        case = apply(case, iv, catalogue)
    return case
