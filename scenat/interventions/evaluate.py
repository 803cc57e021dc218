"""What an intervention is worth: the change of every indicator, the money KPIs, portfolios.

Evaluation applies each intervention to the case and solves it again; the solve is a
parameter (``solve(case, indicators) -> {indicator: total}``) so that a faster re-solve
with the kept factorisation (:class:`scenat.assessment.ForegroundResolver`) can replace the
default full assessment. The case's flows are held as columns
(:class:`scenat.interventions.columns.FlowTable`): each option is matched once per key and
node and applied by array operations, and when the solve scores changes of this case by
itself (``solve.accepts``) each modified case goes to it as the signed flows the option
changed (:class:`scenat.assessment.resolver.FlowChanges`), no copy of the case made; any
other solve gets the modified case, built as :func:`apply` makes it. The node supplies an
option's costs are counted on come from the same solve when it offers them
(``solve.supply_vector`` or ``solve.supply``). All are exact: the ranking and MACC are the
same as with full re-assessments, to round-off.

The case's discount rate is the ``discount_rate`` field of its case sheet, default 0.035:
the HM Treasury Green Book social time preference rate (real, years 0-30).

>>> from scenat.casefile import read_case, resolve_case
>>> from scenat.assessment import ForegroundResolver
>>> case = read_case(resolve_case("bicycle"))
>>> table = evaluate(case, solve=ForegroundResolver(case))
>>> bool((table["abatement_t_year"] > 0).any())
True
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from scenat.assessment import assess
from scenat.brightway import project_catalogue
from scenat.calc import finance, rank
from scenat.calc.foreground import node_supply
from scenat.errors import InputError, Problem
from scenat.interventions.apply import apply_rows
from scenat.interventions.columns import FlowTable
from scenat.interventions.library import Intervention, collect
from scenat.interventions.matching import (
    matched_flows,
    matched_quantity,
    matched_rows,
    rows_quantity,
)
from scenat.model.case import Case
from scenat.model.catalogue import Catalogue
from scenat.model.cells import is_blank, to_number
from scenat.model.currency import conversion
from scenat.model.indicators import indicator, resolve
from scenat.model.schema import INTERVENTION_SOURCE_COLUMNS
from scenat.model.units import conversion_factor

DEFAULT_DISCOUNT_RATE = finance.GREEN_BOOK_DISCOUNT_RATE
CARBON_INDICATOR = "gwp100"

#: ``solve(case, indicator ids) -> {indicator id: total per functional unit}``
Solver = Callable[[Case, Sequence[str]], Mapping[str, float]]


def assess_totals(case: Case, indicators: Sequence[str]) -> dict[str, float]:
    """The default solve: a full assessment of the case (one factorisation per call)."""
    return dict(assess(case, list(indicators), circular=False).totals)


def case_discount_rate(case: Case) -> float:
    """The case's ``discount_rate`` field (case sheet), default 0.035 (UK Green Book)."""
    value = case.metadata.get("discount_rate")
    if is_blank(value):
        return DEFAULT_DISCOUNT_RATE
    rate = to_number(value)
    if rate is None or not math.isfinite(rate) or not 0.0 <= rate < 1.0:
        raise InputError(
            Problem(
                message="discount_rate must be a number >= 0 and < 1",
                file=str(case.path) if case.path else None,
                sheet="case",
                column="value",
                value=value,
                hint="e.g. 0.035, the HM Treasury Green Book rate",
            )
        )
    return rate


@dataclass(frozen=True)
class _Costs:
    capex: float
    opex: float
    eac: float
    npv: float
    quantity: float
    flows: int
    #: how the entry's money became the case's (empty when it already was)
    money: str = ""


def money_factor(case: Case, iv: Intervention) -> tuple[float, str]:
    """The factor from an entry's money (currency, price year) to the case's, and the steps.

    The case's year is its ``year`` field (the entry's price year when it has none). NaN,
    with the reason, when the entry gives no price year for a conversion it needs.
    """
    target_year = case.year or iv.price_year
    if iv.currency == case.currency and (iv.price_year is None or iv.price_year == target_year):
        return 1.0, ""
    if iv.price_year is None:
        return math.nan, (
            f"costs are in {iv.currency} of an unknown year and the case is in {case.currency}: "
            "give the entry a price_year, or override it in the case's interventions sheet"
        )
    step = conversion(iv.currency, iv.price_year, case.currency, int(target_year))
    return step.factor, f"costs converted: {step.describe()}"


def _supply_of(solve: Solver | None) -> Callable[[Case], Mapping[str, float]]:
    """Node supplies of a case: from the solve when it keeps the foreground factorised
    (:meth:`scenat.assessment.ForegroundResolver.supply`: a low-rank update), else a
    sparse solve of the case's foreground (:func:`node_supply`)."""
    found = getattr(solve, "supply", None)
    return found if callable(found) else node_supply


def _costs(
    case: Case,
    iv: Intervention,
    rate: float,
    catalogue: Catalogue,
    supply_of: Callable[[Case], Mapping[str, float]] = node_supply,
    matched: Sequence[int] | None = None,
) -> _Costs:
    supply = supply_of(case)
    matched = matched if matched is not None else matched_flows(case, iv, catalogue)
    return _priced(case, iv, rate, matched_quantity(case, iv, matched, supply), len(matched))


def _priced(case: Case, iv: Intervention, rate: float, quantity: float, flows: int) -> _Costs:
    """The option's money on ``case`` for an affected ``quantity`` (its unit a year) of
    ``flows`` matched flows."""
    factor, money = money_factor(case, iv)
    capex = iv.capex * (quantity if iv.capex_basis == "per_unit_year" else 1.0) * factor
    opex = iv.opex_change * (quantity if iv.opex_basis == "per_unit_year" else 1.0) * factor
    rate = iv.discount_rate if iv.discount_rate is not None else rate
    return _Costs(
        capex=capex,
        opex=opex,
        eac=finance.equivalent_annual_cost(capex, rate, iv.lifetime),
        npv=finance.net_present_value(capex, opex, rate, iv.lifetime),
        quantity=quantity,
        flows=flows,
        money=money,
    )


class _Scoring:
    """Totals and node supplies of a case's tables (:class:`FlowTable`) through ``solve``.

    When the solve scores changes of this very case by itself
    (:meth:`scenat.assessment.ForegroundResolver.accepts`), a table is handed to it as its
    :class:`FlowChanges` and no modified case is built; any other solve gets the modified
    case (:attr:`FlowTable.case`, built as :func:`apply` makes it)."""

    def __init__(self, solve: Solver, base: FlowTable, ids: Sequence[str]):
        self.solve = solve
        self.base = base
        accepts = getattr(solve, "accepts", None)
        self.fast = callable(accepts) and bool(accepts(base.changes(), ids))
        self._supply_of = _supply_of(solve)
        self._vector = getattr(solve, "supply_vector", None) if self.fast else None

    @classmethod
    def of(cls, solve: Solver, case: Case, ids: Sequence[str], catalogue: Catalogue) -> _Scoring:
        """A scoring of ``case`` through ``solve``, on the table made last for the same
        solve, case and catalogue when the solve scores changes itself and the case still
        has the very nodes and flows (the evaluation, then the portfolio of one case)."""
        try:
            held = _TABLES.get(solve)  # type: ignore[arg-type]
        except TypeError:  # a solve that cannot be weakly referenced
            held = None
        if (
            held is not None
            and held.base is case
            and held.context.catalogue is catalogue
            and held.unchanged()
        ):
            scoring = cls(solve, held, ids)
            if scoring.fast:
                return scoring
        scoring = cls(solve, FlowTable.of(case, catalogue), ids)
        if scoring.fast:
            # Only a solve that keeps the case itself (a resolver) is a key, and the table
            # does not refer to it: nothing is kept alive that the solve does not keep.
            _TABLES[solve] = scoring.base  # type: ignore[index]
        return scoring

    def totals(self, table: FlowTable, ids: Sequence[str]) -> Mapping[str, float]:
        return self.solve(table.changes() if self.fast else table.case, ids)

    def supply(self, table: FlowTable) -> np.ndarray:
        """Runs of each node of the table's case, in the base case's ``nodes`` order."""
        if self._vector is not None:
            return self._vector(table.changes())
        supply = self._supply_of(table.case)
        return np.array([supply[n] for n in table.context.node_ids], dtype=float)

    def costs(self, table: FlowTable, iv: Intervention, rate: float, rows: np.ndarray) -> _Costs:
        """:func:`_costs` of the option on the table's case, ``rows`` matched."""
        quantity = rows_quantity(table, iv, rows, self.supply(table)) if len(rows) else 0.0
        return _priced(table.base, iv, rate, quantity, len(rows))


#: the base table of the last scoring made per solve (see :meth:`_Scoring.of`)
_TABLES: weakref.WeakKeyDictionary[Any, FlowTable] = weakref.WeakKeyDictionary()


def _tonnes_per(unit: str) -> float:
    """Tonnes per unit of a carbon indicator unit such as 'kg CO2-eq'."""
    mass = unit.split()[0] if unit.split() else unit
    return conversion_factor(mass, "t")


def _indicator_ids(indicators: Sequence[str] | None) -> list[str]:
    ids = [i.id for i in resolve(list(indicators) if indicators else None)]
    return ids if CARBON_INDICATOR in ids else [CARBON_INDICATOR, *ids]


def _kpis(
    case: Case,
    ids: Sequence[str],
    baseline: Mapping[str, float],
    totals: Mapping[str, float],
    capex: float,
    opex: float,
    eac: float,
    npv: float,
) -> dict[str, Any]:
    """Per-indicator changes and the money KPIs from before/after totals and costs."""
    row: dict[str, Any] = {}
    for ind in ids:
        change = totals[ind] - baseline[ind]
        row[f"baseline_{ind}"] = baseline[ind]
        row[f"change_{ind}"] = change
        row[f"change_pct_{ind}"] = 100.0 * change / baseline[ind] if baseline[ind] else math.nan
        row[f"change_year_{ind}"] = change * case.annual_volume
    tonnes = _tonnes_per(indicator(CARBON_INDICATOR).unit)
    abatement = -row[f"change_year_{CARBON_INDICATOR}"] * tonnes
    # Re-solving an unchanged system can leave round-off; it is not an abatement.
    noise = 1e-9 * abs(baseline[CARBON_INDICATOR] * case.annual_volume * tonnes)
    if abs(abatement) <= noise:
        abatement = 0.0
    row["abatement_t_year"] = abatement
    row["capex"] = capex
    row["opex_change_year"] = opex
    row["eac"] = eac
    row["annual_cost"] = eac + opex
    row["mac"] = finance.marginal_abatement_cost(eac, opex, abatement)
    row["mac_status"] = finance.abatement_status(abatement)
    row["payback_status"] = finance.payback_status(capex, opex)
    row["payback_years"] = (
        finance.simple_payback(capex, opex) if row["payback_status"] != "unknown" else math.nan
    )
    row["npv"] = npv
    effects = []
    if row[f"change_{CARBON_INDICATOR}"] < 0:
        for ind in ids:
            if ind == CARBON_INDICATOR or indicator(ind).kind != "resource":
                continue
            change = row[f"change_{ind}"]
            if change > 1e-9 * abs(baseline[ind]) and change > 0:
                pct = row[f"change_pct_{ind}"]
                effects.append(
                    f"{ind} +{pct:.3g}%"
                    if math.isfinite(pct)
                    else f"{ind} +{change:.3g} {indicator(ind).unit}"
                )
    row["resource_side_effect"] = bool(effects)
    row["side_effects"] = ", ".join(effects)
    return row


def evaluate(
    case: Case,
    interventions: Sequence[Intervention] | None = None,
    indicators: Sequence[str] | None = None,
    *,
    solve: Solver | None = None,
    libraries: Sequence[str | Path] = (),
    catalogue: Catalogue | None = None,
) -> pl.DataFrame:
    """KPIs of every applicable intervention, one row each (library order).

    ``interventions`` default: the shipped library, ``libraries``, then the case's sheet.
    ``indicators`` default: all; ``gwp100`` is always added (the MAC needs it).
    Columns: id, name, category, group, action, origin, flows_matched, unit,
    affected_quantity_year; per indicator ``baseline_<id>``, ``change_<id>`` (per
    functional unit), ``change_pct_<id>``, ``change_year_<id>`` (x annual_volume);
    abatement_t_year (t CO2-eq a year, positive = less), currency, capex, opex_change_year,
    lifetime_years, discount_rate, eac, annual_cost (eac + opex), mac (currency per t
    CO2-eq; NaN unless abatement > 0), mac_status, payback_years (inf: never),
    payback_status (immediate, years, never or unknown), npv,
    macc_order, macc_abatement_t_year, annual_cost_in_sequence and macc_mac (the MACC as a
    sequence: what each option adds after the cheaper ones, see :func:`_macc_sequence`),
    resource_side_effect (carbon down but a resource indicator up), side_effects, notes, the
    ``kpi_*`` columns and the four source columns.
    """
    catalogue = catalogue or project_catalogue()
    solve = solve or assess_totals
    if interventions is None:
        interventions = collect(case, libraries, catalogue=catalogue)
    ids = _indicator_ids(indicators)
    rate = case_discount_rate(case)
    scoring = _Scoring.of(solve, case, ids, catalogue)
    table = scoring.base
    baseline = dict(solve(case, ids))
    kpi_columns = sorted({k for iv in interventions for k in iv.kpis})
    rows = []
    for iv in interventions:
        matched = matched_rows(table, iv)
        if not len(matched):
            continue
        costs = scoring.costs(table, iv, rate, matched)
        totals = dict(scoring.totals(apply_rows(table, iv, matched), ids))
        notes = [costs.money] if costs.money else []
        row = {
            "id": iv.id,
            "name": iv.name,
            "category": iv.category,
            "group": iv.group,
            "action": iv.action,
            "origin": iv.origin,
            "flows_matched": costs.flows,
            "unit": iv.unit,
            "affected_quantity_year": costs.quantity,
            "currency": case.currency,
            "lifetime_years": iv.lifetime,
            "discount_rate": iv.discount_rate if iv.discount_rate is not None else rate,
        }
        row.update(
            _kpis(case, ids, baseline, totals, costs.capex, costs.opex, costs.eac, costs.npv)
        )
        row["notes"] = "; ".join(notes)
        row.update({k: iv.kpis.get(k, math.nan) for k in kpi_columns})
        row.update({k: iv.sources.get(k) for k in INTERVENTION_SOURCE_COLUMNS})
        rows.append(row)
    by_id = {iv.id: iv for iv in interventions}
    _macc_sequence(case, [(by_id[r["id"]], r) for r in rows], baseline, scoring, rate)
    return _frame(rows, ids, kpi_columns)


def _macc_sequence(
    case: Case,
    options: Sequence[tuple[Intervention, dict[str, Any]]],
    baseline: Mapping[str, float],
    scoring: _Scoring,
    rate: float,
) -> None:
    """The MACC as a sequence: what each abating option adds after the cheaper ones.

    Stand-alone abatements of options on the same flow overlap (renewable supply, then less
    electricity), and two options of one exclusive ``group`` cannot both be taken, so
    stacking them can abate more than the footprint. In stand-alone MAC order each option
    is applied to the case the cheaper ones left (its costs counted on that case, as
    :func:`evaluate_combination` does), and its increment is the change of the carbon total;
    the increments add up to the options applied together. Credits can take that below
    zero: an increment counts only what is left of the footprint, so the curve never exceeds
    the baseline. Sets ``macc_order``, ``macc_abatement_t_year``, ``annual_cost_in_sequence``
    and ``macc_mac`` (None off the curve, with a note why) in each row.
    """
    tonnes = _tonnes_per(indicator(CARBON_INDICATOR).unit)
    per_year = case.annual_volume * tonnes
    noise = 1e-9 * abs(baseline[CARBON_INDICATOR] * per_year)
    for _, row in options:
        row.update(
            macc_order=None, macc_abatement_t_year=None, annual_cost_in_sequence=None,
            macc_mac=None,
        )  # fmt: skip
    abating = [(iv, row) for iv, row in options
               if row["abatement_t_year"] > 0 and math.isfinite(row["mac"])]  # fmt: skip
    abating.sort(key=lambda pair: (pair[1]["mac"], -pair[1]["abatement_t_year"]))
    current, total = scoring.base, baseline[CARBON_INDICATOR]
    taken: dict[str, str] = {}  # exclusive group -> the option taken
    order = 0
    for iv, row in abating:
        if iv.group and iv.group in taken:
            _note(row, f"not on the MACC: exclusive with {taken[iv.group]} (group {iv.group}), "
                       "which is cheaper per tonne")  # fmt: skip
            continue
        matched = matched_rows(current, iv)
        after = apply_rows(current, iv, matched)
        new_total = scoring.totals(after, [CARBON_INDICATOR])[CARBON_INDICATOR]
        change = (total - new_total) * per_year
        # Credits (avoided burdens) can take the total below zero; the curve counts what is
        # abated of the footprint, up to all of it.
        added = min(change, max(total, 0.0) * per_year)
        if added <= noise:
            _note(row, "not on the MACC: it abates nothing more of the footprint once the "
                       "cheaper options are taken")  # fmt: skip
            continue
        if change > added + noise:
            _note(row, f"on the MACC up to the footprint: {change - added:.4g} t CO2-eq a "
                       "year more of it is credit beyond the footprint")  # fmt: skip
        costs = scoring.costs(current, iv, rate, matched)
        order += 1
        cost = costs.eac + costs.opex
        row.update(
            macc_order=order,
            macc_abatement_t_year=added,
            annual_cost_in_sequence=cost,
            macc_mac=cost / added,
        )
        current, total = after, new_total
        if iv.group:
            taken[iv.group] = iv.id


def _note(row: dict[str, Any], text: str) -> None:
    row["notes"] = "; ".join(n for n in (row.get("notes"), text) if n)


def _frame(rows: list[dict[str, Any]], ids: Sequence[str], kpi_columns: Sequence[str]):
    schema: dict[str, Any] = {
        "id": pl.String,
        "name": pl.String,
        "category": pl.String,
        "group": pl.String,
        "action": pl.String,
        "origin": pl.String,
        "flows_matched": pl.Int64,
        "unit": pl.String,
        "affected_quantity_year": pl.Float64,
        "currency": pl.String,
        "lifetime_years": pl.Float64,
        "discount_rate": pl.Float64,
    }
    for ind in ids:
        for prefix in ("baseline", "change", "change_pct", "change_year"):
            schema[f"{prefix}_{ind}"] = pl.Float64
    for column in (
        "abatement_t_year",
        "capex",
        "opex_change_year",
        "eac",
        "annual_cost",
        "mac",
    ):
        schema[column] = pl.Float64
    schema["mac_status"] = pl.String
    schema["payback_years"] = pl.Float64
    schema["payback_status"] = pl.String
    schema["npv"] = pl.Float64
    schema["macc_order"] = pl.Int64
    for column in ("macc_abatement_t_year", "annual_cost_in_sequence", "macc_mac"):
        schema[column] = pl.Float64
    schema["resource_side_effect"] = pl.Boolean
    schema["side_effects"] = pl.String
    schema["notes"] = pl.String
    schema.update({k: pl.Float64 for k in kpi_columns})
    schema.update({k: pl.String for k in INTERVENTION_SOURCE_COLUMNS})
    return pl.DataFrame(rows, schema=schema)


def evaluate_combination(
    case: Case,
    interventions: Sequence[Intervention],
    indicators: Sequence[str] | None = None,
    *,
    solve: Solver | None = None,
    baseline: Mapping[str, float] | None = None,
    catalogue: Catalogue | None = None,
) -> dict[str, Any]:
    """KPIs of a set applied together, in the given order (effects are not added up).

    Each member's costs are computed on the case as the earlier members left it (an LED
    retrofit before a renewable supply contract leaves fewer kWh to buy green), and summed;
    EAC and NPV add because each member keeps its own lifetime.
    """
    catalogue = catalogue or project_catalogue()
    solve = solve or assess_totals
    ids = _indicator_ids(indicators)
    return _combination(
        _Scoring.of(solve, case, ids, catalogue), interventions, ids, baseline=baseline
    )


def _combination(
    scoring: _Scoring,
    interventions: Sequence[Intervention],
    ids: Sequence[str],
    *,
    baseline: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """:func:`evaluate_combination` on the scoring's base case."""
    case = scoring.base.base
    rate = case_discount_rate(case)
    baseline = dict(baseline) if baseline is not None else dict(scoring.solve(case, ids))
    current = scoring.base
    capex = opex = eac = npv = 0.0
    for iv in interventions:
        matched = matched_rows(current, iv)
        costs = scoring.costs(current, iv, rate, matched)
        capex, opex, eac, npv = (
            capex + costs.capex,
            opex + costs.opex,
            eac + costs.eac,
            npv + costs.npv,
        )
        current = apply_rows(current, iv, matched)
    totals = dict(scoring.totals(current, ids)) if interventions else baseline
    row: dict[str, Any] = {"ids": [iv.id for iv in interventions], "currency": case.currency}
    row.update(_kpis(case, ids, baseline, totals, capex, opex, eac, npv))
    return row


def plan_portfolio(
    case: Case,
    budget: float,
    interventions: Sequence[Intervention] | None = None,
    *,
    target: float | None = None,
    table: pl.DataFrame | None = None,
    solve: Solver | None = None,
    catalogue: Catalogue | None = None,
    exact_limit: int = 16,
    max_evaluations: int = 64,
) -> Any:
    """Choose interventions under a capex ``budget`` that maximise evaluated abatement.

    Candidates are the applicable interventions that abate on their own. The search runs on
    each option's own capex and abatement; every set it proposes is re-evaluated as a
    combination (see :func:`scenat.calc.rank.portfolio`). ``target``: t CO2-eq a year to reach.
    Returns a :class:`scenat.calc.rank.Portfolio`.
    """
    catalogue = catalogue or project_catalogue()
    solve = solve or assess_totals
    if interventions is None:
        interventions = collect(case, catalogue=catalogue)
    if table is None:
        table = evaluate(case, interventions, [CARBON_INDICATOR], solve=solve, catalogue=catalogue)
    table = table.filter((pl.col("abatement_t_year") > 0) & pl.col("capex").is_finite())
    by_id = {iv.id: iv for iv in interventions}
    order = [i for i in table["id"].to_list() if i in by_id]
    baseline = dict(solve(case, [CARBON_INDICATOR]))
    cache: dict[frozenset[str], float] = {}
    scoring = _Scoring.of(solve, case, [CARBON_INDICATOR], catalogue)

    def combined(chosen: frozenset[str]) -> float:
        if chosen not in cache:
            members = [by_id[i] for i in order if i in chosen]
            result = _combination(scoring, members, [CARBON_INDICATOR], baseline=baseline)
            cache[chosen] = result["abatement_t_year"]
        return cache[chosen]

    table = table.filter(pl.col("id").is_in(order))
    return rank.portfolio(
        table["id"].to_list(),
        table["capex"].to_numpy(),
        table["abatement_t_year"].to_numpy(),
        budget,
        evaluate=combined,
        groups=table["group"].to_list(),
        target=target,
        exact_limit=exact_limit,
        max_evaluations=max_evaluations,
    )
