"""One Monte Carlo for users: foreground flows and background exchanges sampled together,
streamed in chunks with bounded memory.

The linked system is block triangular (the background never buys from the foreground):
``A = [[A_ff, 0], [-A_bf, A_bb]]``. Per iteration ``k``, with sampled flow amounts ``a^k``,
background technosphere ``A_bb^k`` and biosphere ``B^k``:

* node supplies ``x^k = (A_ff^k)^-1 f`` (the foreground block alone; sparse, solved with
  the kept factorisation of ``A_ff`` as preconditioner, each sample checked against the
  accuracy of a direct solve: :meth:`scenat.calc.solver.FactorisedSystem.solve_perturbed_many`);
* cradle-to-gate intensities of the background products ``s^k = c B_b^k (A_bb^k)^-1``,
  one adjoint solve per indicator: with a fixed ``A_bb`` all iterations of a chunk are
  columns of one solve with its factorisation; with a sampled ``A_bb`` each is the
  augmented system ``[[A_bb^kT, -g^k], [0, 1]] [y; 1] = e`` (``g^k = B_b^kT c``), whose
  right-hand side is the same for every sample, so the preconditioned solves of
  ``solve_perturbed_many`` apply unchanged and stay as accurate as direct solves;
* node values ``h_j^k = x_j^k sum_{flows f of j} a_f^k w_f^k`` with ``w_f`` the
  characterisation factor of a direct exchange, ``+-s^k`` of the bought (credited) product,
  0 for a purchase from another node (its supplier counts it), and totals ``sum_j h_j^k``.

This is exact: with nothing sampled it reproduces ``c B A^-1 f`` of the linked system, and
each sample equals a direct solve of the sampled linked system to the solver's tolerance.

Draws are keyed per input (:mod:`scenat.uncertainty.draws`): a flow by
:func:`~scenat.uncertainty.flows.flow_key`, a background exchange by its matrix,
process and input codes (:func:`exchange_keys`). Two cases share the draws of the inputs
they share (common random numbers for P(A < B)); a chunk of iterations is computed
anywhere with the same numbers (Dask: :mod:`scenat.distributed.runs`).

Memory per chunk is about ``chunk x max(flows, uncertain exchanges, background products)``
floats times a few; :func:`chunk_size` bounds it. Kept over the run: totals (iterations x
indicators), the node values of the largest contributors, the screened sensitivity inputs
and running moments (:mod:`scenat.uncertainty.result`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import splu

from scenat.calc.foreground import foreground_model
from scenat.calc.linked import LinkedSystem
from scenat.calc.solver import EPS, FactorisedSystem, backward_error
from scenat.model.case import Case
from scenat.model.indicators import Indicator, resolve
from scenat.model.schema import BACKGROUND_KINDS
from scenat.uncertainty.batched import SampledPattern, solve_samples
from scenat.uncertainty.draws import (
    LOGNORMAL,
    NORMAL,
    TRIANGULAR,
    key_bases,
    keyed_samples,
    variance,
    varying,
)
from scenat.uncertainty.flows import flow_key, flow_parameters, uncertain_draws
from scenat.uncertainty.result import (
    DRIVER_INPUTS,
    KEPT_NODES,
    DriverInputs,
    Progress,
    RunningMoments,
    UncertaintyResult,
)

__all__ = [
    "BackgroundInputs",
    "MonteCarloModel",
    "chunk_size",
    "combine_chunks",
    "exchange_keys",
    "monte_carlo",
    "prepare",
]

#: floats per chunk array (32 MB): the chunk is cut so no array of a chunk is larger
CHUNK_BUDGET = 2**22
CALIBRATION_SEED = 0x5CE1A7
CALIBRATION_SAMPLES = 2
#: background products from which the adjoint preconditioner is reordered
REORDER_FROM = 1000


@dataclass
class EntrySet:
    """Uncertain entries of one matrix: positions in the linked index space, the amount as
    stored, the sign it enters the matrix with, and distribution parameters."""

    rows: np.ndarray
    cols: np.ndarray
    amount: np.ndarray
    sign: np.ndarray
    kind: np.ndarray
    loc: np.ndarray
    scale: np.ndarray
    low: np.ndarray
    high: np.ndarray
    negative: np.ndarray
    other: np.ndarray | None
    keys: list[str]
    labels: list[str]

    def __len__(self) -> int:
        return len(self.rows)

    def draw(self, bases: np.ndarray, start: int, stop: int) -> np.ndarray:
        """Sampled amounts (as stored) of iterations ``start..stop-1`` x entries."""
        if not len(self):
            return np.zeros((stop - start, 0))
        return keyed_samples(
            bases,
            start,
            stop,
            self.kind,
            self.loc,
            self.scale,
            self.low,
            self.high,
            np.where(self.negative, -1.0, 1.0),
            self.other,
        )

    def variance(self) -> np.ndarray:
        return variance(self.kind, self.loc, self.scale, self.low, self.high, self.other)


@dataclass
class BackgroundInputs:
    """The uncertain exchanges of a linked system's background (technosphere, biosphere)."""

    technosphere: EntrySet
    biosphere: EntrySet
    source: str = "distributions stored in the background databases"

    def __len__(self) -> int:
        return len(self.technosphere) + len(self.biosphere)

    @classmethod
    def from_params(
        cls,
        linked: LinkedSystem,
        blocks: dict[str, list[tuple[np.ndarray, ...]]],
        source: str = "distributions stored in the background databases",
    ) -> BackgroundInputs:
        """From blocks ``(rows, cols, amount, flip, params)`` per matrix (stats_arrays
        parameter rows as in a Brightway datapackage); entries that do not vary are dropped."""
        sets = {}
        for name in ("technosphere", "biosphere"):
            parts = [b for b in blocks.get(name, []) if b[4] is not None and len(b[0])]
            if parts:
                rows = np.concatenate([np.asarray(p[0], dtype=np.int64) for p in parts])
                cols = np.concatenate([np.asarray(p[1], dtype=np.int64) for p in parts])
                amount = np.concatenate([np.asarray(p[2], dtype=float) for p in parts])
                flip = np.concatenate([np.asarray(p[3], dtype=bool) for p in parts])
                params = np.concatenate([_params(p[4]) for p in parts])
            else:
                rows = cols = np.zeros(0, dtype=np.int64)
                amount = np.zeros(0)
                flip = np.zeros(0, dtype=bool)
                params = _params(np.zeros(0, dtype=[("uncertainty_type", np.uint8)]))
            kind = params["uncertainty_type"].astype(int)
            keep = varying(kind, params["scale"], params["minimum"], params["maximum"])
            rows, cols, amount, flip, params = (
                rows[keep],
                cols[keep],
                amount[keep],
                flip[keep],
                params[keep],
            )
            kind = kind[keep]
            loc = params["loc"].astype(float)
            with np.errstate(divide="ignore"):
                fallback = np.where(kind == LOGNORMAL, np.log(np.abs(amount)), amount)
            loc = np.where(
                np.isnan(loc) & np.isin(kind, (LOGNORMAL, NORMAL, TRIANGULAR)), fallback, loc
            )
            negative = params["negative"].astype(bool) | ((kind == LOGNORMAL) & (amount < 0))
            keys, labels = exchange_keys(linked, name, rows, cols)
            sets[name] = EntrySet(
                rows,
                cols,
                amount,
                np.where(flip, -1.0, 1.0),
                kind,
                loc,
                params["scale"].astype(float),
                params["minimum"].astype(float),
                params["maximum"].astype(float),
                negative,
                params,
                keys,
                labels,
            )
        return cls(sets["technosphere"], sets["biosphere"], source)

    @classmethod
    def of_link(cls, linked: LinkedSystem) -> BackgroundInputs:
        """The stored distributions of the Brightway project the case was linked to."""
        from scenat.brightway.link import background_entries

        blocks: dict[str, list[tuple[np.ndarray, ...]]] = {}
        for name, found in background_entries(linked).items():
            blocks[name] = [entries for entries, _reference in found]
        return cls.from_params(linked, blocks)

    @classmethod
    def empty(cls, linked: LinkedSystem, source: str) -> BackgroundInputs:
        return cls.from_params(linked, {}, source)


def _params(distributions: np.ndarray) -> np.ndarray:
    from scenat.uncertainty.background import UNCERTAINTY_DTYPE, no_uncertainty

    params = no_uncertainty(len(distributions))
    for name in UNCERTAINTY_DTYPE.names:
        if name in (distributions.dtype.names or ()):
            params[name] = distributions[name]
    return params


def exchange_keys(
    linked: LinkedSystem, matrix: str, rows: np.ndarray, cols: np.ndarray
) -> tuple[list[str], list[str]]:
    """Keys (draw streams) and labels of background exchanges.

    ``technosphere|process|input`` and ``biosphere|process|flow`` with the codes of the
    process, its input product and the elementary flow; the second and later entries of the
    same three get ``#1``, ``#2`` in the order stored. Codes, not database ids, so the same
    exchange draws the same samples in every case and on every machine. Labels are
    ``process: input``.
    """
    activity = linked.activity_keys
    names = linked.activity_labels
    if matrix == "technosphere":
        inputs, input_labels = linked.activity_keys, linked.activity_labels
    else:
        inputs = linked.flow_keys
        input_labels = linked.flow_labels or linked.flow_keys
    seen: dict[str, int] = {}
    keys, labels = [], []
    for r, c in zip(rows.tolist(), cols.tolist()):
        key = f"{matrix}|{activity[c]}|{inputs[r]}"
        count = seen.get(key, 0)
        seen[key] = count + 1
        keys.append(f"{key}#{count}" if count else key)
        labels.append(f"{names[c]}: {input_labels[r] or inputs[r]}")
    return keys, labels


def chunk_size(requested: int, width: int) -> int:
    """Iterations per chunk: at most ``requested``, and at most :data:`CHUNK_BUDGET` floats
    per array of ``width`` columns."""
    return int(max(1, min(requested, CHUNK_BUDGET // max(1, width))))


class MonteCarloModel:
    """A linked case prepared for sampling: every array a chunk needs, made once."""

    def __init__(
        self,
        case: Case,
        linked: LinkedSystem,
        indicators: list[Indicator],
        background: BackgroundInputs,
    ) -> None:
        self.case = case
        self.indicators = indicators
        self.background = background
        fm = foreground_model(case, linked, indicators)
        self.nodes = list(fm.nodes)
        self.flows = fm.flows
        n = len(self.nodes)
        self.node_of_flow = np.asarray(fm.node_of_flow, dtype=np.int64)
        input_of_flow = np.asarray(fm.input_of_flow, dtype=np.int64)
        self.params = flow_parameters(self.flows)
        self.uncertain_flows = int(self.params["varies"].sum())
        self.flow_where = np.flatnonzero(self.params["varies"])
        self.flow_keys = [flow_key(self.flows[i]) for i in self.flow_where]
        # column of each uncertain flow in a chunk's draws (-1: the flow keeps its amount)
        self.draw_of_flow = np.full(len(self.flows), -1, dtype=np.int64)
        self.draw_of_flow[self.flow_where] = np.arange(len(self.flow_where))
        # Foreground technosphere: production on the diagonal, node purchases below it.
        from scenat.uncertainty.background import UncertainMatrix

        node_flows = np.flatnonzero(input_of_flow >= 0)
        self.node_flows = node_flows
        self.ff = UncertainMatrix.from_entries(
            np.concatenate([np.arange(n), input_of_flow[node_flows]]),
            np.concatenate([np.arange(n), self.node_of_flow[node_flows]]),
            np.concatenate([fm.production, self.params["base"][node_flows]]),
            (n, n),
            flip=np.concatenate([np.zeros(n, bool), np.ones(len(node_flows), bool)]),
        )
        self.demand = np.asarray(fm.demand, dtype=float)
        self.ff_solver = FactorisedSystem.from_matrix(self.ff.matrix())
        self.x_det = self.ff_solver.solve(self.demand)
        self.ff_sampled = bool(self.params["varies"][node_flows].any())
        self._prepare_foreground_pattern()
        self.ff_tolerance = self._calibrate_foreground() if self.ff_sampled else 4 * EPS
        # Background products bought (and credited) by the foreground.
        self.bg_cols = np.flatnonzero(~np.asarray(linked.is_foreground, dtype=bool))
        block = np.full(len(linked.is_foreground), -1, dtype=np.int64)
        block[self.bg_cols] = np.arange(len(self.bg_cols))
        self.block = block
        activity_col = {
            key: i
            for i, (key, kind) in enumerate(zip(linked.activity_keys, linked.activity_kind))
            if kind == "background"
        }
        bought = np.array([fl.kind in BACKGROUND_KINDS for fl in self.flows], dtype=bool)
        self.bought = np.flatnonzero(bought)
        linked_col = np.array(
            [activity_col[self.flows[i].input] for i in self.bought], dtype=np.int64
        )
        self.products, self.product_of = np.unique(block[linked_col], return_inverse=True)
        self.credit_sign = np.array(
            [-1.0 if self.flows[i].kind == "credit" else 1.0 for i in self.bought]
        )
        # Weights of direct exchanges (characterisation factors) and deterministic scores.
        self.direct_weight: dict[str, np.ndarray] = {}
        self.scores_det: dict[str, np.ndarray] = {}
        self.intensity_det: dict[str, np.ndarray] = {}
        for ind in indicators:
            w = np.array(fm.weights[ind.id], dtype=float)
            w[self.bought] = 0.0
            self.direct_weight[ind.id] = w
            scores = linked.scores(ind.id)
            self.scores_det[ind.id] = scores[self.bg_cols][self.products]
            self.intensity_det[ind.id] = linked.direct_intensity(ind.id)[self.bg_cols]
        self.deterministic = {ind.id: linked.total(ind.id) for ind in indicators}
        self._prepare_background(linked)
        self._screen(linked, fm, input_of_flow)
        base = self.params["base"]
        det = self._node_values(
            lambda flows: base[flows][:, None],
            self.x_det[None, :],
            {k: v[None, :] for k, v in self.scores_det.items()},
        )
        self.kept = {}
        for ind in indicators:
            values = np.abs(det[ind.id][0])
            if n <= KEPT_NODES:
                self.kept[ind.id] = np.arange(n)
            else:
                self.kept[ind.id] = np.sort(np.argsort(-values, kind="stable")[:KEPT_NODES])

    # --- preparation ----------------------------------------------------------------------

    def _calibrate_foreground(self) -> float:
        """The accuracy to match: the largest backward error of direct solves of the
        deterministic foreground and of CALIBRATION_SAMPLES sampled ones (own seed)."""
        worst = backward_error(self.ff.matrix(), self.x_det, self.demand)
        bases = key_bases(self.flow_keys, CALIBRATION_SEED)
        values = self._ff_values(self._flow_draws(bases, 0, CALIBRATION_SAMPLES))
        for k in range(len(values)):
            matrix = self.ff_pattern.matrix(values[k])
            # a direct solve in the order the project factorises with (block triangular:
            # COLAMD fills a supply chain's matrix badly and takes seconds per sample)
            x = FactorisedSystem.from_matrix(matrix).solve(self.demand)
            worst = max(worst, backward_error(matrix, x, self.demand))
        return max(4 * EPS, worst)

    def _prepare_foreground_pattern(self) -> None:
        """The foreground matrix's cells a sample changes (those of uncertain purchases from
        nodes) and how a sample's amounts give their values: the fixed entries of the cell
        plus the signed sampled ones (``_ff_values``)."""
        n = len(self.nodes)
        vary = np.flatnonzero(self.params["varies"][self.node_flows])
        entry = n + vary  # entries of the foreground matrix that vary
        where, inverse = np.unique(self.ff.position[entry], return_inverse=True)
        fixed = np.ones(len(self.ff.amount), dtype=bool)
        fixed[entry] = False
        self.ff_fixed = np.bincount(
            self.ff.position[fixed],
            weights=(self.ff.amount * self.ff.sign)[fixed],
            minlength=len(self.ff.indices),
        )[where]
        self.ff_vary_flows = self.node_flows[vary]
        self.ff_gather = sparse.csr_matrix(
            (self.ff.sign[entry], (np.arange(len(entry)), inverse)), shape=(len(entry), len(where))
        )
        self.ff_pattern = SampledPattern(self.ff.matrix(), where)

    def _flow_draws(self, bases: np.ndarray, start: int, stop: int) -> np.ndarray:
        """Sampled amounts of the uncertain flows (iterations ``start..stop-1`` x
        ``flow_where``): the numbers :func:`~scenat.uncertainty.flows.sample_flows` puts in
        their columns, without the (mostly certain) full iterations x flows array."""
        if not len(self.flow_where):
            return np.zeros((stop - start, 0))
        return uncertain_draws(self.params, self.flow_where, bases, start, stop)

    def _flow_rows(self, draws: np.ndarray, flows: np.ndarray) -> np.ndarray:
        """Amounts of ``flows`` (rows) per iteration (columns): the flow's amount, or its
        sampled amounts from ``draws`` (:meth:`_flow_draws`) when it is uncertain."""
        out = np.repeat(self.params["base"][flows][:, None], len(draws), axis=1)
        column = self.draw_of_flow[flows]
        drawn = np.flatnonzero(column >= 0)
        if len(drawn):
            out[drawn] = draws[:, column[drawn]].T
        return out

    def _ff_values(self, draws: np.ndarray) -> np.ndarray:
        """Values of the changed foreground cells per sample (samples x cells), from the
        uncertain flows' draws (:meth:`_flow_draws`)."""
        amounts = draws[:, self.draw_of_flow[self.ff_vary_flows]]
        return self.ff_fixed + np.asarray(amounts @ self.ff_gather)

    def _prepare_background(self, linked: LinkedSystem) -> None:
        bg = self.background
        tech, bio = bg.technosphere, bg.biosphere
        nb = len(self.bg_cols)
        self.bio_map = {}
        for ind in self.indicators:
            cf = linked.cf[ind.id]
            # entry -> background activity, weighted by the characterisation factor of its flow
            self.bio_map[ind.id] = sparse.csr_matrix(
                (cf[bio.rows], (np.arange(len(bio)), self.block[bio.cols])), shape=(len(bio), nb)
            )
        self.bg_sampled = len(bg) > 0
        self.tech_sampled = len(tech) > 0
        a_bb = sparse.csr_matrix(linked.technosphere)[self.bg_cols][:, self.bg_cols]
        self.bg_solver = FactorisedSystem.from_matrix(a_bb) if self.bg_sampled else None
        if self.bg_solver is not None and not self.tech_sampled and nb >= REORDER_FROM:
            # one adjoint solve per indicator and iteration: a sparser LU pays off
            self.bg_solver = self.bg_solver.reordered()
        if not self.tech_sampled:
            return
        # The augmented adjoint system M = [[A_bb^T, -g], [0, 1]] in one CSR structure: the
        # entries of A_bb^T, the sampled exchanges (explicit zeros where A_bb has none), a
        # full column for -g and the 1.
        at = a_bb.T.tocoo()
        tr, tc = self.block[tech.cols], self.block[tech.rows]  # transposed positions
        rows = np.concatenate([at.row, tr, np.arange(nb), [nb]])
        cols = np.concatenate([at.col, tc, np.full(nb, nb), [nb]])
        data = np.concatenate([at.data, np.zeros(len(tech)), np.zeros(nb), [1.0]])
        m0 = sparse.csr_matrix((data, (rows, cols)), shape=(nb + 1, nb + 1))
        m0.sort_indices()
        linear = np.repeat(np.arange(nb + 1), np.diff(m0.indptr)) * (nb + 1) + m0.indices
        self.m_structure = (m0.indices.copy(), m0.indptr.copy(), m0.data.copy())
        self.tech_pos = np.searchsorted(linear, tr * (nb + 1) + tc)
        self.g_pos = np.searchsorted(linear, np.arange(nb) * (nb + 1) + nb)
        # the cells a sample changes: the sampled exchanges' (summed per cell), then -g
        cells, inverse = np.unique(self.tech_pos, return_inverse=True)
        self.tech_cells = cells
        self.tech_gather = sparse.csr_matrix(
            (tech.sign, (np.arange(len(tech)), inverse)), shape=(len(tech), len(cells))
        )
        self.aug_pattern = SampledPattern(m0, np.concatenate([cells, self.g_pos]))
        # The preconditioner is the deterministic [[A_bb^T, 0], [0, 1]] without the
        # structural zeros of the g column (a dense column would fill the LU).
        pre = m0.copy()
        pre.eliminate_zeros()
        self.aug_solver = FactorisedSystem.from_matrix(pre)
        if nb >= REORDER_FROM:
            # hundreds of solves per chunk: worth a second, sparser LU (symmetric MMD)
            self.aug_solver = self.aug_solver.reordered()
        self.aug_rhs = np.zeros(nb + 1)
        self.aug_rhs[nb] = 1.0
        # tolerance: direct solves of CALIBRATION_SAMPLES sampled systems (own seed)
        worst = 0.0
        tb = key_bases(tech.keys, CALIBRATION_SEED)
        draws = tech.draw(tb, 0, CALIBRATION_SAMPLES)
        for k in range(CALIBRATION_SAMPLES):
            for ind in self.indicators[:1]:
                matrix = self._augmented(draws[k], self.intensity_det[ind.id])
                x = splu(matrix.T.tocsc()).solve(self.aug_rhs, trans="T")
                worst = max(worst, backward_error(matrix, x, self.aug_rhs))
        self.aug_tolerance = max(4 * EPS, worst)

    def _tech_values(self, tech_draws: np.ndarray) -> np.ndarray:
        """Values of the changed technosphere cells of ``[[A_bb^kT, 0], [0, 1]]`` per draw
        (draws x cells): the deterministic cell plus the signed changes of its exchanges."""
        _indices, _indptr, data0 = self.m_structure
        tech = self.background.technosphere
        return data0[self.tech_cells] + np.asarray((tech_draws - tech.amount) @ self.tech_gather)

    def _augmented_data(self, tech_draw: np.ndarray) -> np.ndarray:
        """CSR data of ``[[A_bb^kT, 0], [0, 1]]`` for one technosphere draw (summed per cell:
        several exchanges may share one)."""
        _indices, _indptr, data0 = self.m_structure
        tech = self.background.technosphere
        delta = tech.sign * (tech_draw - tech.amount)
        return data0 + np.bincount(self.tech_pos, weights=delta, minlength=len(data0))

    def _augmented(
        self, tech_draw: np.ndarray | None, g: np.ndarray, data: np.ndarray | None = None
    ) -> sparse.csr_matrix:
        """``[[A_bb^kT, -g], [0, 1]]``; ``data`` from :meth:`_augmented_data` when made already."""
        indices, indptr, _data0 = self.m_structure
        data = (self._augmented_data(tech_draw) if data is None else data).copy()
        data[self.g_pos] = -g
        n = len(indptr) - 1
        return sparse.csr_matrix((data, indices, indptr), shape=(n, n))

    def _screen(self, linked: LinkedSystem, fm: Any, input_of_flow: np.ndarray) -> None:
        """Choose, per indicator, the inputs whose samples are kept for :meth:`drivers`:
        the largest first-order variance contributions ``g^2 var`` (``g`` the derivative of
        the total at the deterministic point: ``x_node (w + y_input)`` for a flow,
        ``c_r x_j`` for a biosphere and ``-sign y_i x_j`` for a technosphere exchange)."""
        bg = self.background
        x = linked.supply
        fvar = variance(
            self.params["kind"],
            self.params["loc"],
            self.params["scale"],
            self.params["low"],
            self.params["high"],
        )
        tvar, bvar = bg.technosphere.variance(), bg.biosphere.variance()
        # group background exchanges by their label (one input per process: exchange)
        labels = bg.technosphere.labels + bg.biosphere.labels
        group_names, group_of = np.unique(np.array(labels, dtype=object), return_inverse=True)
        group_of = np.asarray(group_of, dtype=np.int64)
        nt = len(bg.technosphere)
        self.screened: dict[str, dict[str, Any]] = {}
        for ind in self.indicators:
            y = linked.scores(ind.id)
            cf = linked.cf[ind.id]
            g_flow = np.array(fm.weights[ind.id], dtype=float)
            node_cols = np.array([linked.node_cols[n] for n in self.nodes])
            has_node = input_of_flow >= 0
            g_flow[has_node] += y[node_cols[input_of_flow[has_node]]]
            g_flow *= self.x_det[self.node_of_flow]
            flow_score = (g_flow**2 * fvar)[self.flow_where]
            t = bg.technosphere
            g_t = -t.sign * y[t.rows] * x[t.cols]
            g_b = cf[bg.biosphere.rows] * x[bg.biosphere.cols]
            g_e = np.concatenate([g_t, g_b])
            e_score = g_e**2 * np.concatenate([tvar, bvar])
            group_score = np.bincount(group_of, weights=e_score, minlength=len(group_names))
            total = float(flow_score.sum() + group_score.sum())
            scores = np.concatenate([flow_score, group_score])
            order = np.argsort(-scores, kind="stable")
            order = order[scores[order] > 0][:DRIVER_INPUTS]
            nf = len(flow_score)
            chosen_flows = [int(i) for i in order if i < nf]
            chosen_groups = [int(i) - nf for i in order if i >= nf]
            column = {gid: j for j, gid in enumerate(chosen_groups)}
            in_group = np.isin(group_of, chosen_groups)
            e = np.flatnonzero(in_group)
            gmap = sparse.csr_matrix(
                (g_e[e], (e, [column[g] for g in group_of[e]])),
                shape=(len(g_e), len(chosen_groups)),
            )
            self.screened[ind.id] = {
                "flows": self.flow_where[chosen_flows],
                "flow_keys": [self.flow_keys[i] for i in chosen_flows],
                "flow_labels": [_flow_label(self.flows[self.flow_where[i]]) for i in chosen_flows],
                "tech_map": gmap[:nt],
                "bio_map": gmap[nt:],
                "group_labels": [str(group_names[g]) for g in chosen_groups],
                "share": scores[order] / total if total > 0 else np.zeros(len(order)),
                "order": order,
                "nf": nf,
            }

    # --- one chunk --------------------------------------------------------------------------

    def bases(self, seed: int) -> dict[str, np.ndarray]:
        bg = self.background
        return {
            "flows": key_bases(self.flow_keys, seed),
            "technosphere": key_bases(bg.technosphere.keys, seed),
            "biosphere": key_bases(bg.biosphere.keys, seed),
        }

    def width(self) -> int:
        """Columns of the largest array a chunk holds per iteration."""
        bg = self.background
        return max(
            len(self.flows),
            len(bg.technosphere),
            len(bg.biosphere),
            len(self.bg_cols) * (len(self.indicators) if self.tech_sampled else 1),
            1,
        )

    def _grouping(self) -> None:
        """Sparse sums of flows into node values: per indicator the direct exchanges
        weighted by their characterisation factors (``n x`` the weighed flows), and the
        purchases (bought and credited background products) with their sign, to be weighted
        per iteration by the product's sampled score: ``sum_f sign_f a_f s_p(f)`` is
        ``(C s)_j`` over the purchases of certain amount (``C`` sums their signed amounts per
        node and product) plus the uncertain ones one by one."""
        n = len(self.nodes)
        direct = np.ones(len(self.flows), dtype=bool)
        direct[self.bought] = False
        where = np.flatnonzero(direct)
        # only the flows some indicator weighs are summed: their amounts are gathered once
        # per chunk, and each matrix has its columns in their (increasing) order, so every
        # sum adds the same terms in the same order as over all flows
        used = np.zeros(len(self.flows), dtype=bool)
        for ind in self.indicators:
            used[where[self.direct_weight[ind.id][where] != 0]] = True
        self.direct_flows = np.flatnonzero(used)
        column = np.cumsum(used) - 1
        self.direct_sum = {}
        for ind in self.indicators:
            w = self.direct_weight[ind.id][where]
            keep = w != 0
            self.direct_sum[ind.id] = sparse.csr_matrix(
                (w[keep], (self.node_of_flow[where][keep], column[where[keep]])),
                shape=(n, len(self.direct_flows)),
            )
        # purchases of certain amount: their signed amounts summed per node and product
        # once (n x products, applied to the products' scores); uncertain ones are weighted
        # per iteration by their sampled amounts
        certain = self.draw_of_flow[self.bought] < 0
        node = self.node_of_flow[self.bought]
        self.bought_fixed = sparse.csr_matrix(
            (
                (self.credit_sign * self.params["base"][self.bought])[certain],
                (node[certain], self.product_of[certain]),
            ),
            shape=(n, len(self.products)),
        )
        varying = np.flatnonzero(~certain)
        self.bought_varying = self.bought[varying]
        self.product_of_varying = self.product_of[varying]
        self.bought_sum = sparse.csr_matrix(
            (self.credit_sign[varying], (node[varying], np.arange(len(varying)))),
            shape=(n, len(varying)),
        )

    def _node_values(
        self, rows: Any, supply: np.ndarray, scores: dict[str, np.ndarray]
    ) -> dict[str, np.ndarray]:
        """``h_j = x_j sum_{f of j} a_f w_f`` per iteration and node (module docstring): the
        sums over each node's flows as sparse products on the transposed samples (flows x
        iterations), so every sum runs over contiguous memory. ``rows(flows)`` gives the
        amounts of ``flows`` x iterations (:meth:`_flow_rows`)."""
        if not hasattr(self, "direct_sum"):
            self._grouping()
        direct_t = rows(self.direct_flows)
        bought_t = rows(self.bought_varying)
        supply_t = np.ascontiguousarray(supply.T)
        out = {}
        weighted = np.empty_like(bought_t)
        for ind in self.indicators:
            h = self.direct_sum[ind.id] @ direct_t
            if len(self.bought):
                scores_t = np.ascontiguousarray(scores[ind.id].T)
                h += self.bought_fixed @ scores_t
                np.take(scores_t, self.product_of_varying, axis=0, out=weighted)
                weighted *= bought_t
                h += self.bought_sum @ weighted
            h *= supply_t
            out[ind.id] = h.T
        return out

    def run_chunk(
        self, seed: int, start: int, stop: int, bases: dict[str, np.ndarray] | None = None
    ) -> dict[str, Any]:
        """Iterations ``start..stop-1``: totals, node moments and kept samples, sensitivity
        inputs and how the solves went. Depends only on the seed and the iterations."""
        bases = bases or self.bases(seed)
        count = stop - start
        draws = self._flow_draws(bases["flows"], start, stop)
        records = _records()
        if self.ff_sampled:
            solved = solve_samples(
                self.ff_solver,
                self.ff_pattern,
                self._ff_values(draws),
                self.demand,
                x0=self.x_det,
                tolerance=self.ff_tolerance,
            )
            supply = np.array([s.x for s in solved])
            _record(records, solved, "foreground_solves")
        else:
            supply = np.broadcast_to(self.x_det, (count, len(self.x_det)))
        bg = self.background
        tech = bg.technosphere.draw(bases["technosphere"], start, stop)
        bio = bg.biosphere.draw(bases["biosphere"], start, stop)
        scores: dict[str, np.ndarray] = {}
        # the sampled technosphere of each iteration, shared by every indicator's adjoint
        tech_values = self._tech_values(tech) if self.tech_sampled else None
        # changes of the background draws, exchanges x iterations (C order), made once for
        # every sparse map of a chunk (a transposed view would be copied by each product)
        d_tech = np.ascontiguousarray((tech - bg.technosphere.amount).T)
        d_bio = np.ascontiguousarray((bio - bg.biosphere.amount).T)
        maps = self._transposed_maps()
        for ind in self.indicators:
            if not self.bg_sampled:
                scores[ind.id] = np.broadcast_to(
                    self.scores_det[ind.id], (count, len(self.scores_det[ind.id]))
                )
                continue
            g = self.intensity_det[ind.id][None, :] + (maps["bio", ind.id] @ d_bio).T
            if not self.tech_sampled:
                y = self.bg_solver.solve_transposed(np.ascontiguousarray(g.T))
                y = y.reshape(len(self.bg_cols), count)
                scores[ind.id] = y[self.products].T
                records["background_solves"] += count
            else:
                solved = solve_samples(
                    self.aug_solver,
                    self.aug_pattern,
                    np.concatenate([tech_values, -g], axis=1),
                    self.aug_rhs,
                    tolerance=self.aug_tolerance,
                )
                _record(records, solved, "background_solves")
                scores[ind.id] = np.array([s.x[self.products] for s in solved])
        values = self._node_values(lambda flows: self._flow_rows(draws, flows), supply, scores)
        out: dict[str, Any] = {"start": start, "stop": stop, "records": records}
        out["totals"] = {k: v.sum(axis=1) for k, v in values.items()}
        out["node_moments"], out["share_moments"], out["kept"], out["drivers"] = {}, {}, {}, {}
        for ind in self.indicators:
            h = values[ind.id]
            total = out["totals"][ind.id][:, None]
            share = np.divide(h, total, out=np.zeros_like(h), where=total != 0)
            out["node_moments"][ind.id] = RunningMoments.of(h)
            out["share_moments"][ind.id] = RunningMoments.of(share)
            out["kept"][ind.id] = h[:, self.kept[ind.id]]
            screened = self.screened[ind.id]
            parts = [draws[:, self.draw_of_flow[screened["flows"]]]]
            groups = (maps["tech_map", ind.id] @ d_tech + maps["bio_map", ind.id] @ d_bio).T
            out["drivers"][ind.id] = np.column_stack([*parts, groups])
        return out

    def _transposed_maps(self) -> dict[tuple[str, str], sparse.csr_matrix]:
        """The sparse maps from background exchanges (biosphere to ``g``, screened groups),
        transposed into CSR once: products with exchanges x iterations arrays."""
        if not hasattr(self, "_maps"):
            maps = {}
            for ind in self.indicators:
                maps["bio", ind.id] = sparse.csr_matrix(self.bio_map[ind.id].T)
                for name in ("tech_map", "bio_map"):
                    maps[name, ind.id] = sparse.csr_matrix(self.screened[ind.id][name].T)
            self._maps = maps
        return self._maps

    def metadata(self) -> dict[str, Any]:
        """What :func:`combine_chunks` needs besides the chunks: small, picklable (a Dask
        client gets it from a worker without linking the case itself)."""
        drivers = {}
        for ind in self.indicators:
            s = self.screened[ind.id]
            nflows = len(s["flows"])
            flows_pos = [j for j, i in enumerate(s["order"]) if i < s["nf"]]
            group_pos = [j for j, i in enumerate(s["order"]) if i >= s["nf"]]
            # shares in the column order of the samples: chosen flows, then chosen groups
            share = np.concatenate([s["share"][flows_pos], s["share"][group_pos]])
            drivers[ind.id] = {
                "keys": [*s["flow_keys"], *[f"background|{g}" for g in s["group_labels"]]],
                "labels": [*s["flow_labels"], *s["group_labels"]],
                "kinds": ["foreground flow"] * nflows
                + ["background exchange"] * len(s["group_labels"]),
                "share": share,
            }
        bg = self.background
        return {
            "indicators": self.indicators,
            "deterministic": dict(self.deterministic),
            "nodes": list(self.nodes),
            "uncertain_flows": self.uncertain_flows,
            "background_sampled": self.bg_sampled,
            "uncertain_exchanges": len(bg) if self.bg_sampled else 0,
            "background_uncertainty": (
                f"sampled: {len(bg):,} exchanges with {bg.source}"
                if self.bg_sampled
                else f"fixed ({bg.source})"
            ),
            "kept": dict(self.kept),
            "drivers": drivers,
            "width": self.width(),
        }


def _flow_label(flow: Any) -> str:
    return f"{flow.node}: {flow.kind} {flow.input}" + (f" #{flow.repeat}" if flow.repeat else "")


def _records() -> dict[str, Any]:
    return {
        "methods": {},
        "max_backward_error": 0.0,
        "foreground_solves": 0,
        "background_solves": 0,
    }


def _record(records: dict[str, Any], solved: Sequence[Any], block: str) -> None:
    """Count how each sample was solved, and the solves with the kept factorisation (a
    sample solved at the deterministic point counts one: its starting solve)."""
    for s in solved:
        records["methods"][s.method] = records["methods"].get(s.method, 0) + 1
        records["max_backward_error"] = max(records["max_backward_error"], float(s.backward_error))
        records[block] += max(1, int(s.iterations))


def combine_chunks(
    meta: dict[str, Any], parts: Sequence[dict[str, Any]], seed: int
) -> UncertaintyResult:
    """Chunks of :meth:`MonteCarloModel.run_chunk` (any order) and the model's
    :meth:`~MonteCarloModel.metadata` -> one result in iteration order."""
    parts = sorted(parts, key=lambda p: p["start"])
    ids = [i.id for i in meta["indicators"]]
    node_moments = {}
    share_moments = {}
    for ind in ids:
        nm, sm = parts[0]["node_moments"][ind], parts[0]["share_moments"][ind]
        for p in parts[1:]:
            nm, sm = nm.merge(p["node_moments"][ind]), sm.merge(p["share_moments"][ind])
        node_moments[ind], share_moments[ind] = nm, sm
    records = _records()
    for p in parts:
        for k, v in p["records"]["methods"].items():
            records["methods"][k] = records["methods"].get(k, 0) + v
        records["max_backward_error"] = max(
            records["max_backward_error"], p["records"]["max_backward_error"]
        )
        for block in ("foreground_solves", "background_solves"):
            records[block] += p["records"][block]
    drivers = {
        ind: DriverInputs(
            keys=d["keys"],
            labels=d["labels"],
            kinds=d["kinds"],
            linear_share=d["share"],
            samples=np.concatenate([p["drivers"][ind] for p in parts]),
        )
        for ind, d in meta["drivers"].items()
    }
    return UncertaintyResult(
        indicators=meta["indicators"],
        deterministic=dict(meta["deterministic"]),
        totals={ind: np.concatenate([p["totals"][ind] for p in parts]) for ind in ids},
        node_values={ind: np.concatenate([p["kept"][ind] for p in parts]) for ind in ids},
        nodes=meta["nodes"],
        seed=seed,
        iterations=int(sum(p["stop"] - p["start"] for p in parts)),
        uncertain_flows=meta["uncertain_flows"],
        background_uncertainty=meta["background_uncertainty"],
        uncertain_exchanges=meta["uncertain_exchanges"],
        background_sampled=meta["background_sampled"],
        kept_nodes=dict(meta["kept"]),
        node_moments=node_moments,
        share_moments=share_moments,
        driver_inputs=drivers,
        solver=records,
    )


def prepare(
    case: Case,
    indicators: list[str] | None = None,
    linked: LinkedSystem | None = None,
    background: bool = True,
    background_inputs: BackgroundInputs | None = None,
) -> MonteCarloModel:
    """Link the case (unless ``linked`` is given) and prepare its Monte Carlo model."""
    chosen = resolve(indicators)
    if linked is None:
        from scenat.brightway.link import link

        linked = link(case, indicators=chosen)
    if not background:
        inputs = BackgroundInputs.empty(linked, "kept fixed at the stored amounts on request")
    elif background_inputs is not None:
        inputs = background_inputs
    elif linked.source is None:
        inputs = BackgroundInputs.empty(linked, "none known: the linked system has no source")
    else:
        inputs = BackgroundInputs.of_link(linked)
        if not len(inputs):
            inputs.source = "none stored in the background databases"
    missing = [i.id for i in chosen if i.id not in linked.cf]
    if missing:
        # a linked system made for other indicators cannot score these: never drop them
        raise ValueError(
            f"the linked system has no characterisation factors for {', '.join(missing)}: "
            "link the case with these indicators (or pass linked=None)"
        )
    return MonteCarloModel(case, linked, chosen, inputs)


def monte_carlo(
    case: Case,
    iterations: int = 1000,
    seed: int = 42,
    indicators: list[str] | None = None,
    progress: Progress | None = None,
    chunk: int = 500,
    linked: LinkedSystem | None = None,
    background: bool = True,
    background_inputs: BackgroundInputs | None = None,
    model: MonteCarloModel | None = None,
) -> UncertaintyResult:
    """Sample the case's uncertain flows and (``background=True``) the background's stored
    distributions together; totals, node statistics and variance drivers per indicator.

    ``chunk`` iterations are computed at a time (fewer when a chunk would exceed
    :data:`CHUNK_BUDGET` floats per array); the numbers do not depend on it. ``linked``
    reuses a linked system; ``background_inputs`` gives the background distributions
    explicitly (benchmarks on synthetic systems).
    """
    started = time.perf_counter()
    model = model or prepare(case, indicators, linked, background, background_inputs)
    bases = model.bases(seed)
    step = chunk_size(chunk, model.width())
    parts = []
    for start in range(0, iterations, step):
        stop = min(start + step, iterations)
        parts.append(model.run_chunk(seed, start, stop, bases))
        if progress:
            progress(stop, iterations)
    result = combine_chunks(model.metadata(), parts, seed)
    result.solver["seconds"] = time.perf_counter() - started
    result.solver["chunk"] = step
    return result
