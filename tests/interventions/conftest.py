"""Shared fixtures and hand-written helpers of the intervention tests."""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest

os.environ.setdefault("SCENAT_HOME", tempfile.mkdtemp(prefix="scenat-test-"))

import scenat.interventions as iv  # noqa: E402
from scenat.casefile.build import read_case  # noqa: E402
from scenat.model.case import Case  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
BICYCLE = REPO / "examples" / "bicycle"
GRID = "electricity_uk_grid_delivered"
RATE = 0.035


def assess_total(case: Case, indicator: str = "gwp100") -> float:
    from scenat.assessment.result import assess

    return assess(case, [indicator]).total(indicator)


def scaled(case: Case, inputs: set[str], k: float) -> Case:
    """The case with every flow of these inputs multiplied by k (written without scenat)."""
    flows = [
        replace(f, amount=f.amount * k, amount_in_reference=f.amount_in_reference * k)
        if f.input in inputs
        else f
        for f in case.flows
    ]
    return case.copy(flows=flows)


def case_row(**fields: object) -> dict:
    """A case 'interventions' sheet row as the workbook reader keeps it (strings, _row)."""
    base = {
        "_row": 2,
        "name": "test intervention",
        "category": "energy",
        "unit": "kWh",
        "share": "1",
        "capex": "0",
        "opex_change": "0",
        "lifetime": "10",
    }
    base.update({k: v if k == "_row" else str(v) for k, v in fields.items()})
    return base


@pytest.fixture(scope="module")
def bicycle() -> Case:
    return read_case(BICYCLE)


@pytest.fixture(scope="module")
def library() -> list[iv.Intervention]:
    return iv.load_library()
