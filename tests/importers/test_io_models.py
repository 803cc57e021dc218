"""Input-output models: USEEIO's published multipliers and footprints are reproduced, from the
matrices and from the Brightway database written from them; a pymrio MRIO converts with
pymrio's own multipliers; a case's result splits into process, IO and spend parts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from scenat.importers.io_models import (
    IOModel,
    from_pymrio,
    hybrid_shares,
    read_useeio,
    sector_codes,
    write_brightway,
)

USEEIO = Path(__file__).resolve().parents[3] / "shared" / "data" / "useeio" / "USEEIOv2.1.20-GHG"
DEMAND = "2012_US_Consumption_Complete"

needs_useeio = pytest.mark.skipif(not USEEIO.exists(), reason="shared USEEIO data not present")


def _published(name: str) -> np.ndarray:
    return np.array(json.loads((USEEIO / "matrix" / f"{name}.json").read_text()))


def _c_b_l_y() -> tuple[np.ndarray, float]:
    """The footprint of the 2012 US consumption vector, with numpy only: C B (I - A)^-1 y."""
    a, b, c = _published("A"), _published("B"), _published("C")
    sectors = [s["id"] for s in json.loads((USEEIO / "sectors.json").read_text())]
    y = np.zeros(len(sectors))
    for item in json.loads((USEEIO / "demands" / f"{DEMAND}.json").read_text()):
        y[sectors.index(item["sector"])] += item["amount"]
    leontief = np.linalg.inv(np.eye(len(a)) - a)
    return y, float((c @ b @ leontief @ y)[0])


@pytest.fixture(scope="module")
def useeio() -> IOModel:
    return read_useeio(USEEIO)


@needs_useeio
def test_useeio_total_and_multipliers_match_numpy_and_the_published_n(useeio):
    y, expected = _c_b_l_y()
    assert np.array_equal(useeio.demand(DEMAND), y)
    (total,) = useeio.total(DEMAND).values()
    assert total == pytest.approx(expected, rel=1e-12)
    published_n = _published("N")
    n = useeio.multipliers()
    assert n.shape == published_n.shape == (1, 411)
    assert np.abs(n - published_n).max() <= 1e-12 * np.abs(published_n).max()
    assert useeio.check_published()["N"] < 1e-12
    assert useeio.price_year == 2012 and useeio.currency == "USD"
    assert sector_codes(useeio)[:2] == ["1111A0", "1111B0"]


@needs_useeio
def test_useeio_as_a_brightway_database_reproduces_n_and_the_footprint(useeio):
    info = write_brightway(useeio)
    again = write_brightway(useeio)  # unchanged model: nothing is rewritten
    assert not again.written and again.database == info.database == "useeio"
    assert info.process_ids["331110/US"] == "useeio:331110"
    assert set(info.unmapped_flows) == {
        "HFC-236fa/emission/air/kg",
        "HFCs and PFCs, unspecified/emission/air/kg CO2e",
        "Perfluorocyclobutane/emission/air/kg",
        "Perfluoropropane/emission/air/kg",
    }
    indicator = useeio.indicator_ids[0]
    y, expected = _c_b_l_y()
    # Brightway stores float32 (notes/brightway.md): agreement to about 1e-6 relative.
    assert info.total(y, indicator) == pytest.approx(expected, rel=2e-6)
    published_n = _published("N")[0]
    sectors = useeio.sector_ids
    for sector in ("331110/US", "221100/US", "111200/US"):
        j = sectors.index(sector)
        assert info.total({sector: 1.0}, indicator) == pytest.approx(published_n[j], rel=2e-6)


def _synthetic_mrio():
    """Two regions x three sectors, two stressors: flows drawn so every column is productive."""
    pd = pytest.importorskip("pandas")
    pymrio = pytest.importorskip("pymrio")
    rng = np.random.default_rng(3)
    regions, sectors = ["AA", "BB"], ["farming", "steel", "services"]
    index = pd.MultiIndex.from_product([regions, sectors], names=["region", "sector"])
    final = pd.MultiIndex.from_product([regions, ["households"]], names=["region", "category"])
    z = pd.DataFrame(rng.uniform(1, 20, (6, 6)), index=index, columns=index)
    y = pd.DataFrame(rng.uniform(50, 100, (6, 2)), index=index, columns=final)
    stressors = pd.MultiIndex.from_tuples(
        [("CO2", "air"), ("CH4", "air")], names=["stressor", "compartment"]
    )
    f = pd.DataFrame(rng.uniform(0, 30, (2, 6)), index=stressors, columns=index)
    mrio = pymrio.IOSystem(Z=z, Y=y, unit=pd.DataFrame({"unit": ["M.EUR"] * 6}, index=index))
    mrio.emissions = pymrio.Extension(
        name="emissions", F=f, unit=pd.DataFrame({"unit": ["kg", "kg"]}, index=stressors)
    )
    mrio.calc_all()
    return mrio


def test_pymrio_system_converts_with_pymrios_own_multipliers():
    pd = pytest.importorskip("pandas")
    mrio = _synthetic_mrio()
    model = from_pymrio(mrio, "emissions", name="toy-mrio", price_year=2020)
    assert model.A.shape == (6, 6) and model.B.shape == (2, 6)
    assert np.abs(model.multipliers() - mrio.emissions.M.to_numpy()).max() < 1e-12
    assert model.check_published()["N"] < 1e-12
    # The footprint of each region's final demand: pymrio's D_cba summed over sectors.
    for region in ("AA", "BB"):
        demand = mrio.Y.xs(region, axis=1, level="region").sum(axis=1).to_numpy()
        totals = model.total(demand)
        expected = mrio.emissions.S.to_numpy() @ mrio.L.to_numpy() @ demand
        assert np.allclose(list(totals.values()), expected, rtol=1e-12)
    # A characterisation (CO2 1, CH4 27) gives N = C M.
    cf = pd.DataFrame([[1.0, 27.0]], index=["GWP"], columns=mrio.emissions.S.index)
    gwp = from_pymrio(mrio, "emissions", characterisation=cf)
    expected = np.array([[1.0, 27.0]]) @ mrio.emissions.M.to_numpy()
    assert np.allclose(gwp.multipliers(), expected, rtol=1e-12)
    assert gwp.sectors["location"].to_list()[:3] == ["AA", "AA", "AA"]


def test_hybrid_shares_split_the_total(write_case):
    import scenat

    path = write_case(
        case=[
            ["field", "value"],
            ["name", "hybrid"],
            ["reference_node", "plant"],
            ["year", 2022],
            ["currency", "USD"],
        ],
        flows=[
            ["node", "kind", "input", "amount", "unit"],
            ["plant", "node", "supplier", 2, "kg"],
            ["plant", "process", "electricity_uk_grid_delivered", 10, "kWh"],
            ["plant", "spend", "epa_naics_331110", 100, "USD"],
            ["supplier", "emission", "co2_fossil", 0.5, "kg"],
        ],
    )
    case = scenat.read_case(path)
    result = scenat.assess(case, indicators=["gwp100"])
    shares = hybrid_shares(case, result.linked, ["gwp100"], io=[])
    parts = dict(zip(shares["part"], shares["value"]))
    assert parts["io"] == 0.0
    assert sum(parts.values()) == pytest.approx(result.total("gwp100"), rel=1e-9)
    spend = (
        result.hotspots("gwp100", by="process")
        .filter(result.hotspots("gwp100", by="process")["key"].str.starts_with("epa_naics_331110"))[
            "value"
        ]
        .sum()
    )
    assert parts["spend"] == pytest.approx(spend, rel=1e-9)
