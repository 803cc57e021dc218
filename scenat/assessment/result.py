"""Case -> :class:`Assessment`: link the case to the background once, then every breakdown.

:func:`assess` links the case (:func:`scenat.brightway.link`: one factorisation) and computes
the totals and breakdown tables (:mod:`scenat.calc.breakdowns`); the :class:`Assessment` keeps
the linked system, so structural paths and the supply-chain graph need no further set-up.

>>> import scenat
>>> from scenat.paths import examples_dir
>>> result = scenat.assess(scenat.read_case(examples_dir() / "bicycle"))
>>> table = result.hotspots("gwp100", by="node")
>>> abs(table["value"].sum() - result.total("gwp100")) <= 1e-9 * abs(result.total("gwp100"))
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from scenat.assessment.circularity import Circularity, circularity
from scenat.brightway.link import link
from scenat.brightway.project import ensure_project
from scenat.calc.breakdowns import ALL_BREAKDOWNS, compute_breakdowns, long_table
from scenat.calc.coverage import Coverage, coverage, direct_share
from scenat.calc.graph import supply_chain_edges, supply_chain_nodes
from scenat.calc.linked import LinkedSystem
from scenat.calc.structural_paths import PathTable, path_table
from scenat.errors import BackgroundError, InputError, Problem
from scenat.model.case import Case
from scenat.model.indicators import Indicator, resolve


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
    #: per indicator, the share of purchases whose background records it
    #: (:mod:`scenat.calc.coverage`)
    coverage: dict[str, Coverage] = field(default_factory=dict)
    #: recycled content, end-of-life recycling, MCI and module D when the case's material
    #: flows carry the circularity shares (:mod:`scenat.assessment.circularity`)
    circularity: Circularity | None = None

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

    def paths(self, indicator_id: str = "gwp100", top: int = 20, cutoff: float = 1e-3) -> PathTable:
        """Structural paths (a :class:`~scenat.calc.structural_paths.PathTable`: ``.table``,
        ``.coverage``)."""
        self.indicator(indicator_id)
        return path_table(self._linked(), indicator_id, top=top, cutoff=cutoff)

    def edges(self, expand_background: bool = False) -> pl.DataFrame:
        """Supply-chain graph edges with the impact flowing along each
        (see :func:`scenat.calc.graph.supply_chain_edges`)."""
        return supply_chain_edges(
            self.case, self._linked(), [i.id for i in self.indicators], expand_background
        )

    def supply_chain_nodes(self) -> pl.DataFrame:
        """Per node: tier, stage, supply, own and embodied impact per indicator
        (see :func:`scenat.calc.graph.supply_chain_nodes`)."""
        return supply_chain_nodes(self.case, self._linked(), [i.id for i in self.indicators])

    def all_hotspots(self) -> pl.DataFrame:
        """Every breakdown of every indicator in one long table."""
        return long_table(self.indicators, self.breakdowns)

    def _linked(self) -> LinkedSystem:
        if self.linked is None:
            raise BackgroundError(
                "this assessment carries no linked system (assessments sent back from Dask "
                "workers leave it behind): assess the case again in this process"
            )
        return self.linked

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


def assess(case: Case, indicators: list[str] | None = None, *, circular: bool = True) -> Assessment:
    """Assess a validated case on the embedded background.

    Contributions by node, tier, stage, process and flow each sum to the total.
    ``circular=False`` skips the circularity indicators (module D costs one more solve;
    re-solves that only need totals, as intervention evaluation, leave it out).
    """
    chosen = resolve(indicators)
    linked = link(case, indicators=chosen)
    totals, breakdowns = compute_breakdowns(case, linked, chosen)
    _check_finite(case, totals)
    supply_by_node = {n: float(linked.supply[linked.node_cols[n]]) for n in linked.node_order}
    covered = coverage(linked, [i.id for i in chosen])
    found = circularity(case, supply_by_node, [i.id for i in chosen], _totals) if circular else None
    return Assessment(
        case=case,
        indicators=chosen,
        totals=totals,
        breakdowns=breakdowns,
        supply=supply_by_node,
        inventory_version=ensure_project().catalogue.version,
        warnings=list(case.metadata.get("warnings", [])),
        linked=linked,
        notes=_notes(chosen, totals, linked)
        + _coverage_notes(chosen, covered)
        + _epd_notes(chosen, linked),
        coverage=covered,
        circularity=found,
    )


def _totals(case: Case, indicator_ids: Sequence[str]) -> dict[str, float]:
    """Totals of a case on the same background (module D's exchanges)."""
    linked = link(case, indicators=resolve(list(indicator_ids)))
    return {i: linked.total(i) for i in indicator_ids}


def _coverage_notes(chosen: list[Indicator], covered: dict[str, Coverage]) -> list[str]:
    """Say so when an indicator's background data cover too few of the purchases."""
    notes = []
    for ind in chosen:
        found = covered.get(ind.id)
        if found is None or not found.low:
            continue
        share = found.by_carbon if not math.isnan(found.by_carbon) else found.by_count
        examples = ", ".join(found.uncovered[:3])
        notes.append(
            f"{ind.id} covers {100 * share:.0f} % of the purchases (by carbon; "
            f"{100 * found.by_count:.0f} % by count): the background data of the others do not "
            f"record it, so the result understates it (not covered: {examples}"
            + (f" and {len(found.uncovered) - 3} more" if len(found.uncovered) > 3 else "")
            + ")"
        )
    return notes


#: background databases of indicator-level (EN 15804 EPD) data, whose results are mapped onto
#: the default indicators (inventories/README.md, scenat.importers.okobaudat)
EPD_DATABASES = {"okobaudat": "ÖKOBAUDAT 2020-II EN 15804 indicators"}
#: what each mapped indicator is, in the EPD (said in the note)
EPD_BASIS = {
    "gwp100": "GWP, CML-IA's IPCC factors, not AR6",
    "fossil_energy": "ADPF, CML's ADP fossil without uranium",
    "metals_minerals": "ADPE, CML's ADP elements booked as antimony-eq",
}


def _epd_notes(chosen: list[Indicator], linked: LinkedSystem) -> list[str]:
    """Say which share of each mapped indicator is EPD indicator data rather than elementary
    flows, so a reader sees that part of an EF total rests on another method's numbers."""
    processes = ensure_project().catalogue.processes
    notes = []
    for database, label in EPD_DATABASES.items():
        keys = {
            k for k in linked.activity_keys if k in processes and processes[k].database == database
        }
        if not keys:
            continue
        for ind in chosen:
            if ind.id not in EPD_BASIS:
                continue
            share = direct_share(linked, ind.id, keys)
            if share > 0:
                notes.append(
                    f"{ind.id}: {100 * share:.1f} % of the result is {label} ({EPD_BASIS[ind.id]}) "
                    "mapped onto this indicator, not elementary flows (inventories/README.md)"
                )
    return notes


def _check_finite(case: Case, totals: dict[str, float]) -> None:
    """Results that overflow are bad input (a case built in code skips the reader's limits),
    named by the largest amounts."""
    bad = [ind for ind, total in totals.items() if not math.isfinite(total)]
    if not bad:
        return
    largest = sorted(case.flows, key=lambda f: -abs(f.amount_in_reference))[:3]
    path = str(case.path) if case.path else None
    raise InputError(
        [
            Problem(
                message=f"the results ({', '.join(bad)}) are not finite: the amounts overflow "
                "when the supply chain is solved",
                file=path,
                sheet="flows",
                row=f.row,
                column="amount",
                value=f.amount,
                hint="check the amounts and units of the largest flows (this is one of them) "
                "and the nodes' output_amount",
            )
            for f in largest
        ]
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
