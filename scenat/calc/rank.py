"""Ranking interventions: MACC order, weighted sum, TOPSIS, Pareto front, budget portfolio.

Pure functions over numpy arrays, with thin wrappers over the polars table that
:func:`scenat.interventions.library.evaluate` returns. Nothing here solves an LCA: a portfolio is
checked as a combination through a callable the caller passes in.

Criteria are named by column, or by these aliases (direction in brackets: ``benefit``
means more is better, ``cost`` means less is better):

* ``cost`` -> ``annual_cost`` (cost): EAC + yearly opex change, currency a year
* ``capex`` (cost), ``npv`` (benefit), ``mac`` (cost), ``payback`` -> ``payback_years`` (cost)
* ``abatement`` -> ``abatement_t_year`` (benefit)
* an indicator id such as ``gwp100`` or ``water`` -> ``change_year_<id>`` (cost: a lower,
  more negative change is better)

>>> import numpy as np
>>> topsis_scores(np.array([[1.0, 10.0], [2.0, 20.0]]), [0.5, 0.5], [True, False]).round(3)
array([0.5, 0.5])
>>> pareto_front([3.0, 1.0, 2.0], [5.0, 1.0, 0.5]).tolist()
[True, True, False]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from scenat.errors import InputError, Problem

ALIASES: dict[str, tuple[str, str]] = {
    "cost": ("annual_cost", "cost"),
    "annual_cost": ("annual_cost", "cost"),
    "capex": ("capex", "cost"),
    "npv": ("npv", "benefit"),
    "mac": ("mac", "cost"),
    "payback": ("payback_years", "cost"),
    "payback_years": ("payback_years", "cost"),
    "abatement": ("abatement_t_year", "benefit"),
    "abatement_t_year": ("abatement_t_year", "benefit"),
}
DIRECTIONS = ("benefit", "cost")
DEFAULT_WEIGHTS = {"gwp100": 0.5, "cost": 0.5}


# --------------------------------------------------------------------------- criteria


def parse_weights(text: str) -> dict[str, float]:
    """``"gwp100=0.5,cost=0.5"`` -> ``{"gwp100": 0.5, "cost": 0.5}`` (as the CLI takes them).

    >>> parse_weights("gwp100=2, cost=1")
    {'gwp100': 2.0, 'cost': 1.0}
    """
    weights: dict[str, float] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        if not sep or not name.strip():
            raise _bad(
                "--weights", part.strip(), "a weight is name=number", "e.g. gwp100=0.5,cost=0.5"
            )
        try:
            weights[name.strip()] = float(value)
        except ValueError:
            raise _bad(
                "--weights",
                value,
                f"the weight of {name.strip()!r} is not a number",
                "e.g. gwp100=0.5",
            ) from None
    return weights


def normalised_weights(weights: Sequence[float]) -> np.ndarray:
    """Weights scaled to sum to 1; they must be finite, >= 0 and not all 0.

    >>> normalised_weights([2, 1, 1]).tolist()
    [0.5, 0.25, 0.25]
    """
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise _bad(
            "--weights", list(weights), "weights must be finite, >= 0 and not all zero", "e.g. 1, 1"
        )
    return w / w.sum()


def resolve_criteria(
    table: pl.DataFrame,
    weights: Mapping[str, float],
    directions: Mapping[str, str] | None = None,
) -> list[tuple[str, str, str, float]]:
    """(name, column, direction, weight) per criterion; unknown names raise ``ValueError``."""
    directions = dict(directions or {})
    out = []
    for name, weight in weights.items():
        if name in ALIASES:
            column, direction = ALIASES[name]
        elif f"change_year_{name}" in table.columns:
            column, direction = f"change_year_{name}", "cost"
        elif name in table.columns:
            column, direction = name, "benefit"
        else:
            known = sorted(
                {*ALIASES, *(c[12:] for c in table.columns if c.startswith("change_year_"))}
            )
            raise _bad(
                "--weights", name, f"unknown criterion {name!r}", "use one of " + ", ".join(known)
            )
        direction = directions.get(name, direction)
        if direction not in DIRECTIONS:
            raise _bad(
                "direction", direction, f"the direction of {name!r} is benefit or cost", "benefit"
            )
        out.append((name, column, direction, float(weight)))
    return out


# --------------------------------------------------------------------------- scores


def weighted_sum_scores(
    matrix: np.ndarray, weights: Sequence[float], benefit: Sequence[bool]
) -> np.ndarray:
    """Simple additive weighting on min-max normalised criteria (1 = best, 0 = worst).

    A criterion on which every alternative is equal adds nothing.

    >>> weighted_sum_scores(np.array([[1.0, 1.0], [3.0, 5.0]]), [1, 1], [True, False]).tolist()
    [0.5, 0.5]
    """
    x = np.asarray(matrix, dtype=float)
    w = normalised_weights(weights)
    lo, hi = x.min(axis=0), x.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    good = np.where(np.asarray(benefit, dtype=bool), (x - lo) / span, (hi - x) / span)
    good[:, hi == lo] = 0.0
    return good @ w


def topsis_scores(
    matrix: np.ndarray, weights: Sequence[float], benefit: Sequence[bool]
) -> np.ndarray:
    """TOPSIS relative closeness to the ideal solution (Hwang and Yoon, 1981), in [0, 1].

    Steps: vector-normalise each criterion column (``x / sqrt(sum x^2)``), multiply by the
    normalised weights, take the ideal (best per column: max for a benefit, min for a cost)
    and anti-ideal, and score ``d- / (d+ + d-)`` with Euclidean distances. An all-zero
    column stays zero; an alternative equal to both ideals scores 0.5.
    """
    x = np.asarray(matrix, dtype=float)
    if x.ndim != 2 or x.shape[1] != len(weights) or x.shape[1] != len(benefit):
        raise ValueError("matrix must be alternatives x criteria, one weight and direction each")
    w = normalised_weights(weights)
    norms = np.sqrt((x**2).sum(axis=0))
    v = np.divide(x, norms, out=np.zeros_like(x), where=norms > 0) * w
    is_benefit = np.asarray(benefit, dtype=bool)
    best = np.where(is_benefit, v.max(axis=0), v.min(axis=0))
    worst = np.where(is_benefit, v.min(axis=0), v.max(axis=0))
    d_best = np.sqrt(((v - best) ** 2).sum(axis=1))
    d_worst = np.sqrt(((v - worst) ** 2).sum(axis=1))
    total = d_best + d_worst
    return np.divide(d_worst, total, out=np.full(len(x), 0.5), where=total > 0)


def pareto_front(cost: Sequence[float], benefit: Sequence[float]) -> np.ndarray:
    """Which points no other point dominates (cost no higher and benefit no lower, one strictly).

    Points with a non-finite value are never on the front; duplicates are both kept.
    """
    c = np.asarray(cost, dtype=float)
    b = np.asarray(benefit, dtype=float)
    finite = np.isfinite(c) & np.isfinite(b)
    front = finite.copy()
    for i in np.flatnonzero(finite):
        others = finite & (c <= c[i]) & (b >= b[i]) & ((c < c[i]) | (b > b[i]))
        front[i] = not others.any()
    return front


# --------------------------------------------------------------------------- tables


def macc(
    table: pl.DataFrame, mac: str = "mac", abatement: str = "abatement_t_year"
) -> pl.DataFrame:
    """The marginal abatement cost curve: one bar per option, width = what it abates (t CO2-eq
    a year), height = its cost per tonne, left edge ``bar_start``.

    A table from :func:`scenat.interventions.evaluate` carries the curve as a sequence
    (``macc_order``, ``macc_abatement_t_year``, ``macc_mac``: what each option adds after the
    cheaper ones, exclusive groups honoured), so the bars never add up to more than applying
    them together abates; the bars are those. A table without those columns is stacked
    stand-alone: keeps options that abate (finite MAC), cheapest first, ties to the larger
    abatement. Adds ``bar_width``, ``bar_height``, ``cumulative_abatement``, ``bar_start``
    and ``rank``.
    """
    if "macc_order" in table.columns:
        rows = table.filter(pl.col("macc_order").is_not_null()).sort("macc_order")
        width, height = pl.col("macc_abatement_t_year"), pl.col("macc_mac")
    else:
        rows = table.filter(pl.col(mac).is_not_null() & pl.col(mac).is_finite())
        rows = rows.filter(pl.col(abatement) > 0)
        rows = rows.sort([mac, abatement], descending=[False, True], maintain_order=True)
        width, height = pl.col(abatement), pl.col(mac)
    cumulative = width.cum_sum()
    return rows.with_columns(
        width.alias("bar_width"),
        height.alias("bar_height"),
        cumulative.alias("cumulative_abatement"),
        (cumulative - width).alias("bar_start"),
        pl.int_range(1, pl.len() + 1).alias("rank"),
    )


def _scored(
    table: pl.DataFrame,
    weights: Mapping[str, float] | None,
    directions: Mapping[str, str] | None,
    scorer: Callable[[np.ndarray, Sequence[float], Sequence[bool]], np.ndarray],
) -> pl.DataFrame:
    criteria = resolve_criteria(table, weights or DEFAULT_WEIGHTS, directions)
    columns = [column for _, column, _, _ in criteria]
    x = np.column_stack([table[c].cast(pl.Float64).fill_null(math.nan).to_numpy() for c in columns])
    usable = np.all(np.isfinite(x), axis=1) if len(x) else np.zeros(0, dtype=bool)
    scores = np.full(len(table), math.nan)
    if usable.any():
        scores[usable] = scorer(
            x[usable], [w for *_, w in criteria], [d == "benefit" for _, _, d, _ in criteria]
        )
    # Alternatives with a missing or infinite criterion (say payback = inf) are ranked last.
    ranked = table.with_columns(pl.Series("score", scores).fill_nan(None))
    ranked = ranked.sort("score", descending=True, nulls_last=True, maintain_order=True)
    return ranked.with_columns(
        pl.when(pl.col("score").is_null())
        .then(None)
        .otherwise(pl.int_range(1, pl.len() + 1))
        .alias("rank")
    )


def weighted(
    table: pl.DataFrame,
    weights: Mapping[str, float] | None = None,
    directions: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """Table sorted by weighted-sum score (column ``score``, 1 best), with ``rank``."""
    return _scored(table, weights, directions, weighted_sum_scores)


def topsis(
    table: pl.DataFrame,
    weights: Mapping[str, float] | None = None,
    directions: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """Table sorted by TOPSIS closeness (column ``score``), with ``rank``."""
    return _scored(table, weights, directions, topsis_scores)


def pareto(
    table: pl.DataFrame, cost: str = "annual_cost", benefit: str = "abatement_t_year"
) -> pl.DataFrame:
    """The table with a boolean ``pareto`` column: not dominated on (cost, benefit)."""
    front = pareto_front(
        table[cost].cast(pl.Float64).fill_null(math.nan).to_numpy(),
        table[benefit].cast(pl.Float64).fill_null(math.nan).to_numpy(),
    )
    return table.with_columns(pl.Series("pareto", front))


def rank_table(
    table: pl.DataFrame,
    method: str = "mac",
    weights: Mapping[str, float] | None = None,
    directions: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """Dispatch for the CLI's ``--rank mac|topsis|weighted``."""
    if method == "mac":
        return macc(table)
    if method == "topsis":
        return topsis(table, weights, directions)
    if method == "weighted":
        return weighted(table, weights, directions)
    raise _bad("--rank", method, f"unknown ranking {method!r}", "use mac, topsis or weighted")


# --------------------------------------------------------------------------- portfolio


@dataclass
class Portfolio:
    """A chosen set of interventions and how it was found.

    ``additive_benefit`` adds the members' own benefits; ``evaluated_benefit`` is the set
    evaluated as a combination (None without an evaluator). ``certified`` is True when the
    choice is proven best: every feasible set was evaluated, or (assuming combined effects
    never exceed the sum of the parts, which held for every set evaluated) no unevaluated
    set can beat it. ``upper_bound``/``gap`` bound the greedy method's shortfall on the
    additive values.
    """

    chosen: tuple[str, ...]
    capex: float
    additive_benefit: float
    evaluated_benefit: float | None
    method: str
    budget: float
    evaluations: int = 0
    certified: bool = False
    upper_bound: float | None = None
    gap: float | None = None
    target: float | None = None
    meets_target: bool | None = None
    superadditive: bool = False
    considered: list[tuple[tuple[str, ...], float, float | None]] = field(default_factory=list)

    @property
    def benefit(self) -> float:
        return (
            self.evaluated_benefit if self.evaluated_benefit is not None else self.additive_benefit
        )

    @property
    def note(self) -> str:
        """Whether the choice is exact and, when it is not, what is known about it."""
        if self.certified:
            return f"exact: proven best within the budget ({self.method})"
        text = f"not proven best: {self.method}"
        if self.upper_bound is not None and self.gap is not None:
            text += (
                f"; on the additive benefits no set does better than {self.upper_bound:.6g} "
                f"(gap {self.gap:.3g})"
            )
        if self.evaluated_benefit is not None:
            text += "; combined effects were evaluated for the sets listed only"
        return text

    def to_dict(self) -> dict:
        return {
            "chosen": list(self.chosen),
            "exact": self.certified,
            "note": self.note,
            "capex": self.capex,
            "budget": self.budget,
            "additive_benefit": self.additive_benefit,
            "evaluated_benefit": self.evaluated_benefit,
            "method": self.method,
            "evaluations": self.evaluations,
            "certified": self.certified,
            "upper_bound": self.upper_bound,
            "gap": self.gap,
            "target": self.target,
            "meets_target": self.meets_target,
        }


def _feasible_subsets(
    capex: np.ndarray, benefit: np.ndarray, budget: float, groups: Sequence[str | None]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every subset within budget and group rules: (bit matrix, capex sums, benefit sums)."""
    n = len(capex)
    masks = np.arange(2**n, dtype=np.uint32)
    bits = ((masks[:, None] >> np.arange(n, dtype=np.uint32)) & 1).astype(np.uint8)
    spent = bits @ capex
    ok = spent <= budget * (1 + 1e-12) + 1e-9
    for group in {g for g in groups if g}:
        members = [i for i, g in enumerate(groups) if g == group]
        if len(members) > 1:
            ok &= bits[:, members].sum(axis=1) <= 1
    bits = bits[ok]
    return bits, spent[ok], bits @ benefit


def portfolio(
    ids: Sequence[str],
    capex: Sequence[float],
    benefit: Sequence[float],
    budget: float,
    *,
    evaluate: Callable[[frozenset[str]], float] | None = None,
    groups: Sequence[str | None] | None = None,
    target: float | None = None,
    exact_limit: int = 16,
    max_evaluations: int = 64,
    milp_limit: int = 2000,
) -> Portfolio:
    """The set with the most benefit whose capex fits the budget (0/1 knapsack).

    Up to ``exact_limit`` options: every feasible subset is enumerated and ordered by its
    additive benefit; with ``evaluate`` (the benefit of a set applied together) the sets
    are evaluated in that order until the best evaluated benefit reaches the next additive
    one (then nothing left can beat it if effects are sub-additive) or ``max_evaluations``
    is spent. Up to ``milp_limit`` options: the additive knapsack solved exactly as a
    mixed-integer programme (HiGHS, through ``scipy.optimize.milp``), the chosen set then
    evaluated as a combination. More: greedy by benefit per unit of capex, with the
    LP-relaxation upper bound and the gap reported. Options with no benefit are never
    chosen. At most one option per non-empty ``groups`` value.

    >>> p = portfolio(["a", "b", "c"], [4, 3, 2], [5.0, 4.0, 3.5], budget=5)
    >>> p.chosen, p.additive_benefit
    (('b', 'c'), 7.5)
    """
    ids = list(ids)
    c = np.asarray(capex, dtype=float)
    b = np.asarray(benefit, dtype=float)
    groups = list(groups) if groups is not None else [None] * len(ids)
    if not (len(ids) == len(c) == len(b) == len(groups)):
        raise ValueError("ids, capex, benefit and groups must have the same length")
    if not math.isfinite(budget) or budget < 0:
        raise _bad("--budget", budget, "the budget must be a finite number >= 0", "e.g. 2000000")
    keep = np.isfinite(c) & np.isfinite(b) & (b > 0) & (c >= 0)
    order_of = {name: k for k, name in enumerate(ids)}
    ids = [i for i, k in zip(ids, keep) if k]
    c, b = c[keep], b[keep]
    groups = [g for g, k in zip(groups, keep) if k]
    # Options with no capex and no group use no budget: take them all and search the rest
    # (with an evaluator this assumes adding an option never lowers the combined benefit).
    free = np.array([cost == 0 and not g for cost, g in zip(c, groups)], dtype=bool)
    free_ids = frozenset(i for i, f in zip(ids, free) if f)
    offset = float(b[free].sum())
    rest = ~free
    rest_ids = [i for i, r in zip(ids, rest) if r]
    rest_groups = [g for g, r in zip(groups, rest) if r]
    wrapped = (lambda chosen: evaluate(chosen | free_ids)) if evaluate is not None else None
    if len(rest_ids) <= exact_limit:
        result = _exact(
            rest_ids, c[rest], b[rest], budget, wrapped, rest_groups, max_evaluations, offset
        )
    elif len(rest_ids) <= milp_limit:
        result = _milp(rest_ids, c[rest], b[rest], budget, wrapped, rest_groups, offset)
    else:
        result = _greedy(rest_ids, c[rest], b[rest], budget, wrapped, rest_groups, offset)
    result.chosen = tuple(sorted({*result.chosen, *free_ids}, key=order_of.__getitem__))
    result.target = target
    if target is not None:
        result.meets_target = result.benefit >= target
    return result


def _exact(ids, c, b, budget, evaluate, groups, max_evaluations, offset=0.0) -> Portfolio:
    bits, spent, additive = _feasible_subsets(c, b, budget, groups)
    additive = additive + offset
    order = np.lexsort((spent, -additive))  # most benefit first, then cheapest
    if evaluate is None:
        top = order[0]
        chosen = tuple(ids[i] for i in np.flatnonzero(bits[top]))
        return Portfolio(
            chosen,
            float(spent[top]),
            float(additive[top]),
            None,
            "exact (additive)",
            budget,
            certified=True,
        )
    best: tuple[float, int] | None = None
    considered = []
    superadditive = False
    evaluations = 0
    certified = False
    for position, k in enumerate(order):
        members = frozenset(ids[i] for i in np.flatnonzero(bits[k]))
        value = float(evaluate(members))
        evaluations += 1
        considered.append((tuple(sorted(members)), float(additive[k]), value))
        tol = 1e-9 * max(1.0, abs(additive[k]))
        superadditive |= value > additive[k] + tol
        if best is None or value > best[0] + tol:
            best = (value, k)
        following = order[position + 1] if position + 1 < len(order) else None
        if following is None:
            certified = True  # every feasible set was evaluated
            break
        if best[0] >= additive[following] - tol and not superadditive:
            certified = True
            break
        if evaluations >= max_evaluations:
            break
    value, k = best  # type: ignore[misc]
    chosen = tuple(ids[i] for i in np.flatnonzero(bits[k]))
    return Portfolio(
        chosen,
        float(spent[k]),
        float(additive[k]),
        value,
        "exact enumeration, evaluated as combinations",
        budget,
        evaluations=evaluations,
        certified=certified,
        superadditive=superadditive,
        considered=considered,
    )


def _milp(ids, c, b, budget, evaluate, groups, offset=0.0) -> Portfolio:
    from scipy.optimize import Bounds, LinearConstraint, milp

    rows = [c]
    upper = [budget * (1 + 1e-12) + 1e-9]
    for group in sorted({g for g in groups if g}):
        rows.append(np.array([1.0 if g == group else 0.0 for g in groups]))
        upper.append(1.0)
    solution = milp(
        -b,
        constraints=LinearConstraint(np.vstack(rows), -np.inf, np.array(upper)),
        integrality=np.ones(len(ids)),
        bounds=Bounds(0, 1),
        options={"time_limit": 30.0},
    )
    if solution.x is None:
        return _greedy(ids, c, b, budget, evaluate, groups, offset)
    chosen = np.flatnonzero(solution.x > 0.5)
    names = tuple(ids[i] for i in chosen)
    additive = float(b[chosen].sum()) + offset
    evaluated = float(evaluate(frozenset(names))) if evaluate is not None else None
    optimal = solution.status == 0
    return Portfolio(
        names,
        float(c[chosen].sum()),
        additive,
        evaluated,
        "MILP on the additive benefits (HiGHS), evaluated as a combination",
        budget,
        evaluations=int(evaluated is not None),
        certified=optimal and evaluate is None,
        upper_bound=additive if optimal else None,
        gap=0.0 if optimal else None,
    )


def _greedy(ids, c, b, budget, evaluate, groups, offset=0.0) -> Portfolio:
    ratio = np.where(c > 0, b / np.where(c > 0, c, 1.0), np.inf)
    order = np.lexsort((-b, -ratio))
    chosen: list[int] = []
    spent = 0.0
    used_groups: set[str] = set()
    for i in order:
        if spent + c[i] <= budget * (1 + 1e-12) + 1e-9 and (
            not groups[i] or groups[i] not in used_groups
        ):
            chosen.append(i)
            spent += float(c[i])
            if groups[i]:
                used_groups.add(groups[i])
    additive = float(b[chosen].sum()) + offset
    # Fractional knapsack (LP relaxation, groups relaxed) bounds every 0/1 choice from above.
    bound, room = offset, budget
    for i in order:
        take = 1.0 if c[i] <= room else (room / c[i] if c[i] > 0 else 1.0)
        bound += float(take * b[i])
        room -= float(take * c[i])
        if room <= 0:
            break
    names = tuple(ids[i] for i in sorted(chosen))
    evaluated = float(evaluate(frozenset(names))) if evaluate is not None else None
    return Portfolio(
        names,
        spent,
        additive,
        evaluated,
        "greedy (benefit per capex)",
        budget,
        evaluations=int(evaluated is not None),
        upper_bound=bound,
        gap=(bound - additive) / bound if bound > 0 else 0.0,
    )


def _bad(option: str, value: object, message: str, hint: str) -> InputError:
    return InputError(Problem(message=message, column=option, value=value, hint=hint))
