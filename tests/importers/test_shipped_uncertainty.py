"""Every exchange of every shipped inventory folder carries a distribution and says where from.

An exact zero keeps no distribution (a lognormal cannot spread a nil amount) and says so
("none: ..."); every other row has a distribution with its parameters.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = sorted(p.parent.name for p in (ROOT / "inventories").glob("*/exchanges.csv"))
PARAMETERS = {
    "lognormal": ("gsd",),
    "normal": ("sd",),
    "uniform": ("min", "max"),
    "triangular": ("min", "max"),
}


def test_the_folders_are_the_shipped_backgrounds() -> None:
    assert {"materials", "tiangong", "starter", "grid_electricity"} <= set(FOLDERS)


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_exchange_has_a_distribution_and_a_source(folder: str) -> None:
    with (ROOT / "inventories" / folder / "exchanges.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    for number, row in enumerate(rows, start=2):
        where = f"inventories/{folder}/exchanges.csv row {number}"
        source = (row.get("uncertainty_source") or "").strip()
        assert source, f"{where}: no uncertainty_source"
        if source.startswith("none"):
            assert not row.get("distribution"), where
            continue
        distribution = row.get("distribution")
        assert distribution in PARAMETERS, f"{where}: distribution {distribution!r}"
        for column in PARAMETERS[distribution]:
            assert float(row[column]) == float(row[column]), f"{where}: {column} missing"
        if distribution == "lognormal":
            assert float(row["gsd"]) > 1.0, where
