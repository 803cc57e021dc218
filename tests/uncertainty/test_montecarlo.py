"""The Monte Carlo for users: foreground and background sampled together.

A small linked system (2 foreground nodes on 3 background processes) is sampled by
:func:`scenat.uncertainty.monte_carlo` and, independently, by a plain-numpy Monte Carlo
that builds the whole sampled linked matrix of every iteration and solves it densely; the
draws are the same keyed streams, so the totals agree iteration by iteration. Lognormal
biosphere exchanges on a fixed technosphere give the analytical mean ``sum c b x e^{s^2/2}``;
SRC^2 on a linear model equals ``a^2 var(x) / var(y)``.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from scipy.stats import kstest

from scenat.calc.linked import LinkedSystem
from scenat.calc.solver import FactorisedSystem
from scenat.model.case import Case, Flow, Node, Uncertainty
from scenat.model.indicators import resolve
from scenat.uncertainty import POINT, BackgroundInputs, monte_carlo, src_squared
from scenat.uncertainty.background import lognormal, no_uncertainty
from scenat.uncertainty.draws import key_bases, keyed_normals, keyed_uniforms
from scenat.uncertainty.foreground import sample_flows

GWP = resolve(["gwp100"])[0]

# Linked order: background p0, p1, p2, then foreground plant, part.
BG_TECH = [  # (row, col, stored amount, flipped): p1 buys 0.4 of p0, p2 buys 0.3 of p1
    (0, 0, 1.0, False),
    (1, 1, 1.0, False),
    (2, 2, 1.0, False),
    (0, 1, 0.4, True),
    (1, 2, 0.3, True),
]
BG_BIO = [(0, 0, 2.0), (0, 1, 0.5), (1, 1, 0.02), (0, 2, 1.5), (1, 2, 0.01)]  # co2, ch4
CF = np.array([1.0, 27.0])


def _flows(gsd: float | None) -> list[Flow]:
    unc = Uncertainty("lognormal", gsd=gsd) if gsd else None
    normal = Uncertainty("normal", sd=0.3) if gsd else None
    return [
        Flow("plant", "node", "part", 2.0, "kg", 2.0, "kg", unc),
        Flow("plant", "process", "p1", 3.0, "kg", 3.0, "kg", normal),
        Flow("plant", "credit", "p0", 0.5, "kg", 0.5, "kg", unc),
        Flow("part", "process", "p2", 1.5, "kg", 1.5, "kg", unc),
        Flow("part", "emission", "co2", 0.7, "kg", 0.7, "kg", unc),
    ]


def _system(gsd: float | None) -> tuple[Case, LinkedSystem]:
    nodes = {
        "plant": Node("plant", "Plant", 0, "item"),
        "part": Node("part", "Part", 1, "kg", output_amount=2.0),
    }
    flows = _flows(gsd)
    case = Case("small", "plant", nodes, flows)
    a = np.zeros((5, 5))
    for r, c, v, flip in BG_TECH:
        a[r, c] += -v if flip else v
    a[3, 3], a[4, 4] = 1.0, 2.0
    a[4, 3] -= 2.0  # plant buys 2 of part
    a[1, 3] -= 3.0  # plant buys 3 of p1
    a[0, 3] += 0.5  # plant avoids 0.5 of p0 (credit)
    a[2, 4] -= 1.5  # part buys 1.5 of p2
    b = np.zeros((2, 5))
    for r, c, v in BG_BIO:
        b[r, c] += v
    b[0, 4] += 0.7
    demand = np.array([0, 0, 0, 1.0, 0])
    matrix = sparse.csr_matrix(a)
    solver = FactorisedSystem.from_matrix(matrix)
    linked = LinkedSystem(
        solver=solver,
        technosphere=matrix,
        biosphere=sparse.csr_matrix(b),
        demand=demand,
        supply=solver.solve(demand),
        cf={"gwp100": CF},
        node_order=["plant", "part"],
        node_cols={"plant": 3, "part": 4},
        is_foreground=np.array([False, False, False, True, True]),
        purchases={"plant": [(1, 3.0), (0, -0.5)], "part": [(2, 1.5)]},
        activity_keys=["p0", "p1", "p2", "plant", "part"],
        activity_labels=["P0", "P1", "P2", "Plant", "Part"],
        activity_kind=["background"] * 3 + ["foreground"] * 2,
        flow_keys=["co2", "ch4"],
        flow_labels=["CO2", "CH4"],
    )
    return case, linked


def _background(linked: LinkedSystem, gsd: float, technosphere: bool) -> BackgroundInputs:
    rows, cols, amount, flip = (np.array(x) for x in zip(*BG_TECH))
    off_diagonal = rows != cols
    tech_params = no_uncertainty(len(rows))
    if technosphere:
        tech_params[off_diagonal] = lognormal(amount[off_diagonal], gsd)
    b_rows, b_cols, b_amount = (np.array(x) for x in zip(*BG_BIO))
    blocks = {
        "technosphere": [(rows, cols, amount, flip.astype(bool), tech_params)],
        "biosphere": [
            (b_rows, b_cols, b_amount, np.zeros(len(b_rows), bool), lognormal(b_amount, gsd))
        ],
    }
    return BackgroundInputs.from_params(linked, blocks)


def _numpy_totals(case, linked, inputs, gsd, seed, iterations):
    """The whole sampled linked system of each iteration, built and solved densely."""
    amounts = sample_flows(case.flows, seed, 0, iterations)
    tech, bio = inputs.technosphere, inputs.biosphere

    def draws(entries):
        if not len(entries):
            return np.zeros((iterations, 0))
        z = keyed_normals(key_bases(entries.keys, seed), 0, iterations)
        return entries.amount * np.exp(np.log(gsd) * z)  # median = stored amount

    t_draws, b_draws = draws(tech), draws(bio)
    out = np.zeros(iterations)
    for k in range(iterations):
        a = linked.technosphere.toarray()
        b = linked.biosphere.toarray()
        for e in range(len(tech)):
            a[tech.rows[e], tech.cols[e]] = tech.sign[e] * t_draws[k, e]
        for e in range(len(bio)):
            b[bio.rows[e], bio.cols[e]] = b_draws[k, e]
        plant_part, plant_p1, plant_p0, part_p2, part_co2 = amounts[k]
        a[4, 3], a[1, 3], a[0, 3], a[2, 4] = -plant_part, -plant_p1, plant_p0, -part_p2
        b[0, 4] = part_co2
        out[k] = CF @ b @ np.linalg.solve(a, linked.demand)
    return out


@pytest.mark.parametrize("technosphere", [False, True])
def test_samples_equal_a_plain_numpy_monte_carlo_of_the_whole_linked_system(technosphere):
    case, linked = _system(gsd=1.3)
    inputs = _background(linked, 1.3, technosphere)
    assert len(inputs.technosphere) == (2 if technosphere else 0)
    result = monte_carlo(
        case, 60, seed=9, indicators=["gwp100"], linked=linked, background_inputs=inputs, chunk=7
    )
    expected = _numpy_totals(case, linked, inputs, 1.3, 9, 60)
    assert np.allclose(result.totals["gwp100"], expected, rtol=1e-11, atol=0)
    assert result.deterministic["gwp100"] == pytest.approx(linked.total("gwp100"), rel=1e-14)
    assert result.uncertain_flows == 5 and result.background_sampled
    assert result.uncertain_exchanges == len(inputs)
    # the node values add up to the total in every iteration (two nodes: all kept)
    assert np.allclose(result.node_values["gwp100"].sum(axis=1), result.totals["gwp100"])
    # chunks do not change the samples, the seed does
    again = monte_carlo(
        case, 60, seed=9, indicators=["gwp100"], linked=linked, background_inputs=inputs, chunk=60
    )
    assert np.allclose(again.totals["gwp100"], result.totals["gwp100"], rtol=1e-13)
    other = monte_carlo(
        case, 60, seed=10, indicators=["gwp100"], linked=linked, background_inputs=inputs
    )
    assert not np.allclose(other.totals["gwp100"], result.totals["gwp100"])


def test_lognormal_biosphere_mean_is_the_deterministic_total_times_exp_half_sigma_squared():
    # Only the background biosphere varies: the total is linear in its entries b, so
    # E[total] = certain part + sum_e c_r x_c b_e exp(s^2 / 2) (b_e the median).
    case, linked = _system(gsd=None)
    inputs = _background(linked, 1.5, technosphere=False)
    n = 20_000
    result = monte_carlo(
        case, n, seed=3, indicators=["gwp100"], linked=linked, background_inputs=inputs
    )
    x = np.linalg.solve(linked.technosphere.toarray(), linked.demand)
    s2 = np.log(1.5) ** 2
    background = sum(CF[r] * v * x[c] for r, c, v in BG_BIO)
    certain = linked.total("gwp100") - background
    mean = certain + background * np.exp(s2 / 2)
    sd = np.sqrt(sum((CF[r] * v * x[c]) ** 2 for r, c, v in BG_BIO) * np.exp(s2) * np.expm1(s2))
    samples = result.totals["gwp100"]
    assert samples.mean() == pytest.approx(mean, abs=5 * sd / np.sqrt(n))
    assert samples.std(ddof=1) == pytest.approx(sd, rel=0.05)
    # the median stays near the deterministic total, the mean is above it
    assert samples.mean() > result.deterministic["gwp100"]


def test_nothing_uncertain_is_a_point_and_says_so():
    case, linked = _system(gsd=None)
    result = monte_carlo(case, 30, seed=1, indicators=["gwp100"], linked=linked)
    assert not result.anything_uncertain and result.statement == POINT
    assert np.allclose(result.totals["gwp100"], linked.total("gwp100"), rtol=1e-14)
    assert result.drivers("gwp100").height == 0


def test_src_squared_of_a_linear_model_is_its_variance_share():
    rng = np.random.default_rng(4)
    n = 20_000
    a, b, sd1, sd2 = 3.0, -2.0, 0.5, 1.5
    x = np.column_stack([rng.normal(1, sd1, n), rng.normal(4, sd2, n)])
    fit = src_squared(x, a * x[:, 0] + b * x[:, 1] + 7)
    var_y = a**2 * sd1**2 + b**2 * sd2**2
    assert fit.src2[0] == pytest.approx(a**2 * sd1**2 / var_y, abs=0.01)
    assert fit.src2[1] == pytest.approx(b**2 * sd2**2 / var_y, abs=0.01)
    assert fit.src[1] < 0 and fit.r2 == pytest.approx(1.0, abs=1e-12)
    # independent noise of the same variance as a x1: the linear model explains half
    noisy = src_squared(x[:, :1], a * x[:, 0] + rng.normal(0, a * sd1, n))
    assert noisy.r2 == pytest.approx(0.5, abs=0.02)


def test_drivers_of_a_case_are_the_variance_shares_of_its_inputs():
    # Two uncertain emissions of one node: total = x (27 a_ch4 + a_co2), normal amounts.
    nodes = {"plant": Node("plant", "Plant", 0, "item")}
    flows = [
        Flow("plant", "emission", "co2", 4.0, "kg", 4.0, "kg", Uncertainty("normal", sd=0.5)),
        Flow("plant", "emission", "ch4", 0.1, "kg", 0.1, "kg", Uncertainty("normal", sd=0.01)),
    ]
    case = Case("two", "plant", nodes, flows)
    a = sparse.csr_matrix(np.array([[1.0]]))
    solver = FactorisedSystem.from_matrix(a)
    linked = LinkedSystem(
        solver=solver,
        technosphere=a,
        biosphere=sparse.csr_matrix(np.array([[4.0], [0.1]])),
        demand=np.array([1.0]),
        supply=np.array([1.0]),
        cf={"gwp100": CF},
        node_order=["plant"],
        node_cols={"plant": 0},
        is_foreground=np.array([True]),
        purchases={"plant": []},
        activity_keys=["plant"],
        activity_labels=["Plant"],
        activity_kind=["foreground"],
        flow_keys=["co2", "ch4"],
        flow_labels=["CO2", "CH4"],
    )
    result = monte_carlo(case, 8000, seed=2, indicators=["gwp100"], linked=linked)
    drivers = result.drivers("gwp100", top=5)
    var_co2, var_ch4 = 0.5**2, (27 * 0.01) ** 2
    share = dict(zip(drivers["key"], drivers["src2"]))
    assert share["plant|emission|co2"] == pytest.approx(var_co2 / (var_co2 + var_ch4), abs=0.02)
    assert share["plant|emission|ch4"] == pytest.approx(var_ch4 / (var_co2 + var_ch4), abs=0.02)
    assert drivers["r2"][0] == pytest.approx(1.0, abs=1e-9)
    assert list(drivers["kind"]) == ["foreground flow"] * 2
    # a short run regresses on fewer inputs (five iterations each), never on more than it can
    short = monte_carlo(case, 6, seed=2, indicators=["gwp100"], linked=linked).drivers("gwp100")
    assert short.height == 1 and short["key"][0] == "plant|emission|co2"
    assert np.isfinite(short["src2"][0])


def test_keyed_draws_are_standard_distributions_and_any_chunk_gives_the_same_numbers():
    bases = key_bases([f"k{i}" for i in range(3)], seed=5)
    z = keyed_normals(bases, 0, 30_001)
    for column in z.T:
        assert kstest(column, "norm").pvalue > 1e-4
    u = keyed_uniforms(bases, 0, 30_001)
    assert kstest(u[:, 0], "uniform").pvalue > 1e-4
    for start, stop in ((0, 1), (1, 2), (7, 30_001), (29_999, 30_001)):
        assert np.array_equal(keyed_normals(bases, start, stop), z[start:stop])
        assert np.array_equal(keyed_uniforms(bases, start, stop), u[start:stop])
    # streams are independent of one another
    assert abs(np.corrcoef(z[:, 0], z[:, 1])[0, 1]) < 0.05


def test_running_moments_merged_by_chunk_equal_numpy():
    from scenat.uncertainty.result import RunningMoments

    x = np.random.default_rng(1).lognormal(0, 1, (1003, 4))
    merged = RunningMoments.of(x[:10])
    for start in range(10, 1003, 97):
        merged = merged.merge(RunningMoments.of(x[start : start + 97]))
    assert merged.count == 1003
    assert np.allclose(merged.mean, x.mean(axis=0), rtol=1e-13)
    assert np.allclose(merged.sd, x.std(axis=0, ddof=1), rtol=1e-12)


def test_a_large_case_keeps_the_samples_of_its_largest_nodes_and_moments_of_all():
    # node n0 buys one of each of n1..n60; node i emits i kg CO2 (normal, sd 10 %)
    n = 61
    nodes = {f"n{i}": Node(f"n{i}", f"N{i}", 0 if i == 0 else 1, "item") for i in range(n)}
    flows = [Flow("n0", "node", f"n{i}", 1.0, "item", 1.0, "item") for i in range(1, n)]
    flows += [
        Flow(
            f"n{i}",
            "emission",
            "co2",
            float(i),
            "kg",
            float(i),
            "kg",
            Uncertainty("normal", sd=0.1 * i),
        )
        for i in range(1, n)
    ]
    case = Case("wide", "n0", nodes, flows)
    a = np.eye(n)
    a[1:, 0] = -1.0
    b = np.zeros((2, n))
    b[0, 1:] = np.arange(1, n)
    matrix = sparse.csr_matrix(a)
    solver = FactorisedSystem.from_matrix(matrix)
    demand = np.zeros(n)
    demand[0] = 1.0
    linked = LinkedSystem(
        solver=solver,
        technosphere=matrix,
        biosphere=sparse.csr_matrix(b),
        demand=demand,
        supply=solver.solve(demand),
        cf={"gwp100": CF},
        node_order=list(nodes),
        node_cols={k: i for i, k in enumerate(nodes)},
        is_foreground=np.ones(n, bool),
        purchases={k: [] for k in nodes},
        activity_keys=list(nodes),
        activity_labels=list(nodes),
        activity_kind=["foreground"] * n,
        flow_keys=["co2", "ch4"],
        flow_labels=["CO2", "CH4"],
    )
    result = monte_carlo(case, 400, seed=6, indicators=["gwp100"], linked=linked, chunk=64)
    kept = result.kept_nodes["gwp100"]
    # the 50 largest contributors are n11..n60
    assert sorted(result.nodes[i] for i in kept) == sorted(f"n{i}" for i in range(11, n))
    table = result.hotspot_summary("gwp100")
    small = table.filter(table["key"] == "n3").row(0, named=True)
    assert small["p50_share"] is None and small["mean_share"] > 0
    big = table.filter(table["key"] == "n60").row(0, named=True)
    values = result.node_values["gwp100"][:, list(kept).index(result.nodes.index("n60"))]
    share = values / result.totals["gwp100"]
    assert big["mean_share"] == pytest.approx(share.mean(), rel=1e-12)
    assert big["p50_share"] == pytest.approx(np.median(share), rel=1e-12)
    # every node's value moments add up to the total's mean
    assert result.node_moments["gwp100"].mean.sum() == pytest.approx(
        result.totals["gwp100"].mean(), rel=1e-12
    )


def test_a_linked_system_without_an_indicator_is_refused_not_dropped():
    case, linked = _system(gsd=1.2)
    with pytest.raises(ValueError, match="fossil_energy"):
        monte_carlo(case, 5, seed=1, indicators=["gwp100", "fossil_energy"], linked=linked)
