"""Ranking methods against hand-worked examples and brute force."""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import polars as pl
import pytest

from scenat.calc import rank


def test_topsis_small_example_worked_by_hand() -> None:
    # 4 alternatives x 3 criteria; criteria 1 and 2 are benefits, criterion 3 is a cost.
    x = np.array([[3, 1, 2], [4, 1, 0], [0, 1, 1], [0, 1, 2]], dtype=float)
    weights = [0.5, 0.25, 0.25]
    # Column norms: sqrt(9 + 16) = 5, sqrt(4) = 2, sqrt(4 + 1 + 4) = 3.
    # Weighted normalised matrix V:
    #   col 1: 0.5 x [0.6, 0.8, 0, 0]    = [0.3, 0.4, 0, 0]
    #   col 2: 0.25 x [0.5] * 4          = 0.125 each (no discrimination)
    #   col 3: 0.25 x [2/3, 0, 1/3, 2/3] = [1/6, 0, 1/12, 1/6]
    # Ideal A+ = (0.4, 0.125, 0) (cost: min); anti-ideal A- = (0, 0.125, 1/6).
    d_plus = [
        math.sqrt(0.1**2 + (1 / 6) ** 2),
        0.0,
        math.sqrt(0.4**2 + (1 / 12) ** 2),
        math.sqrt(0.4**2 + (1 / 6) ** 2),
    ]
    d_minus = [0.3, math.sqrt(0.4**2 + (1 / 6) ** 2), 1 / 12, 0.0]
    expected = [m / (p + m) for p, m in zip(d_plus, d_minus)]
    # = [0.606839, 1.0, 0.169404, 0.0]
    scores = rank.topsis_scores(x, weights, [True, True, False])
    np.testing.assert_allclose(scores, expected, rtol=1e-12)
    np.testing.assert_allclose(scores, [0.606839, 1.0, 0.169404, 0.0], atol=5e-7)
    # Weights are normalised: the same ranking for weights x 4.
    np.testing.assert_allclose(rank.topsis_scores(x, [2, 1, 1], [True, True, False]), expected)


def test_topsis_hwang_yoon_fighter_aircraft() -> None:
    # Hwang and Yoon (1981), Multiple Attribute Decision Making, the fighter-aircraft example:
    # max speed, ferry range, max payload (benefits), acquisition cost (cost), reliability,
    # manoeuvrability (benefits); weights 0.2, 0.1, 0.1, 0.1, 0.2, 0.3.
    x = np.array(
        [
            [2.0, 1500, 20000, 5.5, 5, 9],
            [2.5, 2700, 18000, 6.5, 3, 5],
            [1.8, 2000, 21000, 4.5, 7, 7],
            [2.2, 1800, 20000, 5.0, 5, 5],
        ]
    )
    w = [0.2, 0.1, 0.1, 0.1, 0.2, 0.3]
    benefit = [True, True, True, False, True, True]
    # Independent step-by-step calculation with plain Python loops.
    norms = [math.sqrt(sum(x[i][j] ** 2 for i in range(4))) for j in range(6)]
    v = [[w[j] * x[i][j] / norms[j] for j in range(6)] for i in range(4)]
    best = [
        max(v[i][j] for i in range(4)) if benefit[j] else min(v[i][j] for i in range(4))
        for j in range(6)
    ]
    worst = [
        min(v[i][j] for i in range(4)) if benefit[j] else max(v[i][j] for i in range(4))
        for j in range(6)
    ]
    expected = []
    for i in range(4):
        dp = math.sqrt(sum((v[i][j] - best[j]) ** 2 for j in range(6)))
        dm = math.sqrt(sum((v[i][j] - worst[j]) ** 2 for j in range(6)))
        expected.append(dm / (dp + dm))
    scores = rank.topsis_scores(x, w, benefit)
    np.testing.assert_allclose(scores, expected, rtol=1e-12)
    np.testing.assert_allclose(scores, [0.643, 0.268, 0.614, 0.312], atol=5e-4)
    # The book's ranking: A1 > A3 > A4 > A2.
    assert list(np.argsort(-scores)) == [0, 2, 3, 1]


def test_weighted_sum_by_hand() -> None:
    x = np.array([[10.0, 100.0], [20.0, 300.0], [30.0, 200.0]])
    # Min-max: benefit col 1 -> [0, 0.5, 1]; cost col 2 -> [1, 0, 0.5].
    # Weights 0.75 / 0.25: [0.25, 0.375, 0.875].
    scores = rank.weighted_sum_scores(x, [3, 1], [True, False])
    np.testing.assert_allclose(scores, [0.25, 0.375, 0.875])


def test_pareto_front_small_set() -> None:
    # (cost, abatement): A (1, 1), B (2, 3), C (3, 2) dominated by B, D (4, 5),
    # E (2, 3) duplicate of B (both kept), F (0.5, 0.2), G (nan cost) never on the front.
    cost = [1, 2, 3, 4, 2, 0.5, math.nan]
    abatement = [1, 3, 2, 5, 3, 0.2, 9]
    front = rank.pareto_front(cost, abatement)
    assert front.tolist() == [True, True, False, True, True, True, False]


def _table() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": ["a", "b", "c", "d"],
            "mac": [50.0, -20.0, math.nan, 10.0],
            "abatement_t_year": [2.0, 1.0, 0.0, 3.0],
            "annual_cost": [100.0, -20.0, 5.0, 30.0],
            "capex": [500.0, 10.0, 0.0, 300.0],
            "change_year_gwp100": [-2000.0, -1000.0, 0.0, -3000.0],
            "payback_years": [5.0, 0.5, math.inf, 10.0],
        }
    )


def test_macc_order_and_cumulative() -> None:
    curve = rank.macc(_table())
    assert curve["id"].to_list() == ["b", "d", "a"]
    assert curve["cumulative_abatement"].to_list() == [1.0, 4.0, 6.0]
    assert curve["bar_start"].to_list() == [0.0, 1.0, 4.0]


def test_topsis_and_weighted_tables() -> None:
    ranked = rank.rank_table(_table(), "topsis", {"gwp100": 1, "cost": 1})
    assert ranked["rank"].to_list() == [1, 2, 3, 4]
    assert set(ranked.columns) >= {"score", "rank"}
    # Infinite payback cannot be scored: that alternative is ranked last without a rank.
    by_payback = rank.weighted(_table(), {"payback": 1})
    assert by_payback["id"].to_list()[-1] == "c"
    assert by_payback["rank"].to_list()[-1] is None
    assert by_payback["id"].to_list()[0] == "b"
    with pytest.raises(ValueError, match="unknown criterion"):
        rank.topsis(_table(), {"nonsense": 1})
    assert rank.parse_weights("gwp100=0.5,cost=0.5") == {"gwp100": 0.5, "cost": 0.5}
    with pytest.raises(ValueError):
        rank.parse_weights("gwp100")


def _brute(ids, capex, budget, value, groups=None):
    best, best_value = frozenset(), 0.0
    for r in range(1, len(ids) + 1):
        for combo in itertools.combinations(range(len(ids)), r):
            if sum(capex[i] for i in combo) > budget + 1e-9:
                continue
            if groups and len({groups[i] for i in combo if groups[i]}) < sum(
                1 for i in combo if groups[i]
            ):
                continue
            members = frozenset(ids[i] for i in combo)
            v = value(members)
            if v > best_value + 1e-12:
                best, best_value = members, v
    return best, best_value


@pytest.mark.parametrize("seed", range(5))
def test_knapsack_matches_brute_force_additive(seed: int) -> None:
    rng = random.Random(seed)
    ids = [f"x{i}" for i in range(9)]
    capex = [rng.uniform(0, 100) for _ in ids]
    benefit = [rng.uniform(0.1, 50) for _ in ids]
    budget = 180.0
    p = rank.portfolio(ids, capex, benefit, budget)
    lookup = dict(zip(ids, benefit))
    _, best = _brute(ids, capex, budget, lambda s: sum(lookup[i] for i in s))
    assert p.additive_benefit == pytest.approx(best)
    assert p.capex <= budget


@pytest.mark.parametrize("seed", range(5))
def test_knapsack_evaluates_combinations(seed: int) -> None:
    # Non-additive: options sharing a "flow" overlap (the second one adds only 40 %).
    rng = random.Random(100 + seed)
    ids = [f"x{i}" for i in range(8)]
    capex = [rng.uniform(5, 60) for _ in ids]
    benefit = [rng.uniform(1, 30) for _ in ids]
    flow = {i: rng.choice("ab") for i in ids}
    lookup = dict(zip(ids, benefit))

    def true_value(chosen: frozenset[str]) -> float:
        total = 0.0
        for f in "ab":
            values = sorted((lookup[i] for i in chosen if flow[i] == f), reverse=True)
            total += sum(v * (1.0 if k == 0 else 0.4) for k, v in enumerate(values))
        return total

    budget = 120.0
    p = rank.portfolio(ids, capex, benefit, budget, evaluate=true_value, max_evaluations=300)
    best_set, best = _brute(ids, capex, budget, true_value)
    assert p.certified
    assert p.evaluated_benefit == pytest.approx(best)
    assert true_value(frozenset(p.chosen)) == pytest.approx(best)


def test_portfolio_groups_and_target() -> None:
    p = rank.portfolio(
        ["a", "b", "c"], [1, 1, 1], [5.0, 4.0, 1.0], 3, groups=["g", "g", None], target=7.0
    )
    assert p.chosen == ("a", "c")
    assert p.meets_target is False
    q = rank.portfolio(["a", "b"], [1, 1], [5.0, 4.0], 3, target=9.0)
    assert q.chosen == ("a", "b") and q.meets_target is True


def test_greedy_reports_a_valid_gap() -> None:
    rng = random.Random(7)
    ids = [f"x{i}" for i in range(12)]
    capex = [rng.uniform(1, 50) for _ in ids]
    benefit = [rng.uniform(1, 50) for _ in ids]
    budget = 100.0
    p = rank.portfolio(ids, capex, benefit, budget, exact_limit=4, milp_limit=4)
    assert p.method.startswith("greedy")
    lookup = dict(zip(ids, benefit))
    _, best = _brute(ids, capex, budget, lambda s: sum(lookup[i] for i in s))
    assert p.capex <= budget
    assert p.additive_benefit <= best + 1e-9 <= p.upper_bound + 1e-9
    assert p.gap == pytest.approx((p.upper_bound - p.additive_benefit) / p.upper_bound)


def test_free_options_are_always_taken_and_the_rest_searched_exactly() -> None:
    # 30 options: 20 free ones and 10 priced; the exact search runs on the 10 priced ones.
    rng = random.Random(3)
    ids = [f"x{i}" for i in range(30)]
    capex = [0.0 if i < 20 else rng.uniform(1, 40) for i in range(30)]
    benefit = [rng.uniform(1, 10) for _ in ids]
    lookup = dict(zip(ids, benefit))
    calls: list[frozenset[str]] = []

    def value(chosen: frozenset[str]) -> float:
        calls.append(chosen)
        return sum(lookup[i] for i in chosen)

    p = rank.portfolio(ids, capex, benefit, 60.0, evaluate=value, exact_limit=12)
    assert p.method.startswith("exact")
    assert set(ids[:20]) <= set(p.chosen)
    assert all(set(ids[:20]) <= c for c in calls)
    priced = ids[20:]
    _, best = _brute(priced, capex[20:], 60.0, lambda s: sum(lookup[i] for i in s))
    assert p.evaluated_benefit == pytest.approx(best + sum(benefit[:20]))
    assert p.certified


def test_large_portfolio_uses_milp_and_matches_brute_force_on_the_additive_values():
    rng = np.random.default_rng(4)
    n = 20
    ids = [f"o{i}" for i in range(n)]
    capex = rng.uniform(1, 10, n).round(2)
    benefit = rng.uniform(0.5, 5, n).round(3)
    groups = [("g1" if i in (0, 1, 2) else None) for i in range(n)]
    budget = 25.0
    plan = rank.portfolio(ids, capex, benefit, budget, groups=groups, exact_limit=8)
    assert plan.method.startswith("MILP")
    # Brute force over subsets of size <= 8 suffices: 8 cheapest capex exceed the budget.
    assert np.sort(capex)[:8].sum() > budget
    best = 0.0
    for size in range(1, 8):
        for combo in itertools.combinations(range(n), size):
            if sum(1 for i in combo if i < 3) > 1 or capex[list(combo)].sum() > budget:
                continue
            best = max(best, benefit[list(combo)].sum())
    assert plan.additive_benefit == pytest.approx(best, rel=1e-9)
    assert plan.capex <= budget


def test_the_document_says_whether_the_portfolio_is_exact() -> None:
    exact = rank.portfolio(["a", "b", "c"], [4, 3, 2], [5.0, 4.0, 3.5], budget=5).to_dict()
    assert exact["exact"] is True and exact["note"].startswith("exact")
    rng = np.random.default_rng(1)
    ids = [f"o{i}" for i in range(12)]
    greedy = rank.portfolio(
        ids, rng.uniform(1, 10, 12), rng.uniform(1, 10, 12), 20.0, exact_limit=4, milp_limit=4
    ).to_dict()
    assert greedy["exact"] is False
    assert greedy["note"].startswith("not proven best") and "gap" in greedy["note"]
