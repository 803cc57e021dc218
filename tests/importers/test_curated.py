"""Curated USLCI materials (inventories/materials): provenance, regeneration, values.

The full USLCI import (about 20 s) runs once for the module. The value check rebuilds the
cradle-to-gate inventory of one material with numpy alone, from the exchanges of the
imported ``uslci`` database read through bw2data (no bw2calc, no scipy): supply chain
closure by walking inputs, dense ``A`` and ``B``, ``numpy.linalg.solve``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from scenat.importers import curated

ROOT = Path(__file__).resolve().parents[2]
MATERIALS = ROOT / "inventories" / "materials"
FLOWS = ROOT / "inventories" / "elementary_flows.csv"
SHARED = ROOT.parent / "shared" / "data" / "uslci"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_row_has_provenance_and_an_open_licence() -> None:
    processes, exchanges = _rows(MATERIALS / "processes.csv"), _rows(MATERIALS / "exchanges.csv")
    assert 20 <= len(processes) <= 30
    ids = {p["id"] for p in processes}
    assert ids == {s.id for s in curated.SELECTION}
    for row in processes + exchanges:
        for column in ("source", "table", "year", "licence"):
            assert row[column].strip(), (row, column)
        assert row["licence"].startswith("CC0 1.0"), row
        assert "USLCI" in row["source"] and "[" in row["source"]  # release file, name, UUID
    for row in processes:
        assert row["location"] == "US" and row["id"].startswith("uslci_")
    flow_ids = {f["id"] for f in _rows(FLOWS)}
    assert {e["input"] for e in exchanges} <= flow_ids
    assert {e["process"] for e in exchanges} == ids


def test_elementary_flow_rows_are_unique_and_noted() -> None:
    rows = _rows(FLOWS)
    assert len({r["id"] for r in rows}) == len(rows)
    assert len({r["code"] for r in rows}) == len(rows)
    assert all(r["note"].strip() for r in rows)


def test_resource_flows_reach_materials() -> None:
    """Metals and fossil resources are no longer zero for materials (the point of the rows)."""
    exchanges = _rows(MATERIALS / "exchanges.csv")
    kinds = {f["id"]: f["kind"] for f in _rows(FLOWS)}
    for process in ("uslci_aluminium_primary", "uslci_steel_rebar_bof", "uslci_pvc"):
        used = {e["input"] for e in exchanges if e["process"] == process}
        assert any(kinds[f] == "resource" for f in used), process
    aluminium = {e["input"] for e in exchanges if e["process"] == "uslci_aluminium_primary"}
    assert {"iron_resource", "ethane_hexafluoro_hfc_116", "methane_tetrafluoro_r_14"} <= aluminium


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("curated") / "materials"
    curated.build_materials_inventory(SHARED, out)
    return out


def test_regenerating_reproduces_the_shipped_files(rebuilt: Path) -> None:
    """Same rows and text, numbers within compare_inventories' tolerance (not bytes)."""
    from scenat.importers.inventory import compare_inventories

    assert compare_inventories(MATERIALS, rebuilt) == []


def test_every_exchange_has_a_spread_and_no_round_off() -> None:
    """USLCI's own distributions where it gives them, else pedigree; noise dropped."""
    exchanges = _rows(MATERIALS / "exchanges.csv")
    assert 300 <= len(exchanges) < 925  # was 1,447 rows, 925 of them |x| < 1e-15
    for row in exchanges:
        assert row["distribution"] == "lognormal" and float(row["gsd"]) > 1.0, row
        source = row["uncertainty_source"]
        assert "USLCI's own distributions" in source and "pedigree (2,2,4,2,2)" in source, row
        assert abs(float(row["amount"])) > 1e-15, row
    shares = [float(r["uncertainty_source"].split(": ")[1].split("%")[0]) for r in exchanges]
    assert all(0.0 <= share <= 100.0 for share in shares)


def test_propagated_spread_matches_a_hand_computed_lognormal() -> None:
    """Two contributions 3 (own GSD 1.2) and 1 (pedigree): V = 9 (e^s1^2 - 1) + 1 (e^s2^2 - 1)."""
    from types import SimpleNamespace

    from scipy import sparse

    from scenat.importers.pedigree import BASIC, FACTORS, Pedigree

    scores = curated.column_scores([Pedigree(1, 1, 1, 1, 1), Pedigree(2, 2, 4, 2, 2)])
    assert scores[0] == 0.0
    b = sparse.csr_matrix(np.array([[3.0, 2.0]]))
    own = sparse.csr_matrix(np.array([[3.0, 0.0]]))
    s1 = np.log(1.2)
    own_var = sparse.csr_matrix(np.array([[9.0 * np.expm1(s1**2), 0.0]]))
    result = SimpleNamespace(
        supply={"p": np.array([1.0, 0.5])}, biosphere=b, own_amount=own, own_variance=own_var
    )
    spread = curated.propagate_spreads(result, "p", ["co2_fossil"], scores)["co2_fossil"]
    u = [
        FACTORS["reliability"][1],
        FACTORS["completeness"][1],
        FACTORS["temporal"][3],
        FACTORS["geographical"][1],
        FACTORS["technological"][1],
    ]
    s2_squared = (sum(np.log(x) ** 2 for x in u) + np.log(BASIC["co2"]) ** 2) / 4.0
    variance = 9.0 * np.expm1(s1**2) + 1.0 * np.expm1(s2_squared)
    assert spread.total == pytest.approx(4.0)
    assert spread.gsd == pytest.approx(np.exp(np.sqrt(np.log1p(variance / 16.0))), rel=1e-12)
    assert spread.own_share == pytest.approx(0.75)


def _numpy_inventory(code: str) -> tuple[dict[str, float], dict[str, tuple[str, str]]]:
    """Cradle-to-gate inventory of 1 unit of ``code`` (biosphere3 code -> amount), by numpy."""
    from scenat.brightway.project import brightway_project

    with brightway_project() as bd:
        db = bd.Database("uslci")
        order, seen, todo = [], set(), [code]
        exchanges: dict[str, list] = {}
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            order.append(current)
            act = db.get(current)
            exchanges[current] = [
                (exc["type"], exc.input.key, float(exc["amount"])) for exc in act.exchanges()
            ]
            todo += [k[1] for t, k, _ in exchanges[current] if t == "technosphere"]
        index = {c: i for i, c in enumerate(order)}
        flows: dict[tuple, int] = {}
        a = np.zeros((len(order), len(order)))
        b_entries = []
        for c, items in exchanges.items():
            j = index[c]
            for kind, key, amount in items:
                if kind == "production":
                    a[index[key[1]], j] += amount
                elif kind == "technosphere":
                    a[index[key[1]], j] -= amount
                elif kind == "biosphere":
                    b_entries.append((flows.setdefault(key, len(flows)), j, amount))
        b = np.zeros((len(flows), len(order)))
        for i, j, amount in b_entries:
            b[i, j] += amount
        demand = np.zeros(len(order))
        demand[index[code]] = 1.0
        g = b @ np.linalg.solve(a, demand)
        names = {}
        for key in flows:
            flow = bd.get_node(database=key[0], code=key[1])
            names[key[1]] = (flow["name"], (flow.get("categories") or ("",))[0])
        return {key[1]: float(g[i]) for key, i in flows.items()}, names


@pytest.mark.parametrize("material", ["uslci_pvc", "uslci_transport_rail"])
def test_values_match_an_independent_numpy_solve(rebuilt: Path, material: str) -> None:
    uuid = next(s.uuid for s in curated.SELECTION if s.id == material)
    inventory, names = _numpy_inventory(uuid)
    shipped = {
        e["input"]: float(e["amount"])
        for e in _rows(rebuilt / "exchanges.csv")
        if e["process"] == material
    }
    table = {f["id"]: f for f in _rows(FLOWS)}
    checked = 0
    wanted = ("co2_fossil", "ch4_fossil", "n2o", "crude_oil_resource", "natural_gas_resource")
    for flow_id in wanted:
        if flow_id not in shipped:
            continue
        name, top = table[flow_id]["name"], table[flow_id]["categories"].split("::")[0]
        expected = sum(v for c, v in inventory.items() if names[c] == (name, top))
        assert shipped[flow_id] == pytest.approx(expected, rel=1e-6), flow_id
        checked += 1
    assert checked >= 3


def test_inventory_search_lists_country_grids(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from scenat.cli import main

    assert main(["inventory", "search", "electricity", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    ids = {row["id"] for row in rows}
    assert {"electricity_grid_gbr", "electricity_grid_chn", "electricity_grid_usa"} <= ids
    assert "electricity_uk_grid_delivered" in ids
    assert all({"id", "unit", "name", "database"} <= set(row) for row in rows)
    assert main(["inventory", "search", "HOT ROLLED"]) == 0
    out = capsys.readouterr().out
    assert "uslci_steel_hot_rolled" in out and "[materials]" in out


def test_technosphere_spread_enters_to_first_order() -> None:
    """p buys 2 q (normal, sd 0.2); p emits 1, q emits 3: g = 7, dg/da = 3, so 9 x 0.04."""
    from types import SimpleNamespace

    from scipy import sparse
    from scipy.sparse.linalg import splu

    from scenat.importers.pedigree import BASIC, Pedigree

    a = sparse.csc_matrix(np.array([[1.0, 0.0], [-2.0, 1.0]]))
    zero = sparse.csr_matrix((1, 2))
    result = SimpleNamespace(
        supply={"p": np.array([1.0, 2.0])},
        biosphere=sparse.csr_matrix(np.array([[1.0, 3.0]])),
        own_amount=zero,
        own_variance=zero,
        adjoint={"p": (np.array([0, 1]), np.array([0, 1]), splu(a))},
        technosphere_variance=sparse.csr_matrix(([0.04], ([1], [0])), shape=(2, 2)),
    )
    scores = curated.column_scores([Pedigree(1, 1, 1, 1, 1)] * 2)
    spread = curated.propagate_spreads(result, "p", ["co2_fossil"], scores)["co2_fossil"]
    s2 = np.log(BASIC["co2"]) ** 2 / 4.0
    variance = (1.0**2 + 6.0**2) * np.expm1(s2) + 9.0 * 0.04
    assert spread.total == pytest.approx(7.0)
    assert spread.gsd == pytest.approx(np.exp(np.sqrt(np.log1p(variance / 49.0))), rel=1e-12)
